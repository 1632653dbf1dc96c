/* SPDX-License-Identifier: MIT */
/* Endpoint selection. Reads the docker CLI's files and stats sockets; never connects. */
#include "endpoint.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "context.h"
#include "fs.h"
#include "util.h"

#define UNIX_SCHEME "unix://"
#define TCP_SCHEME "tcp://"
#define CONFIG_FILE_MAX ((size_t) 1 << 20)

const char *endpoint_source_name(enum endpoint_source source) {
        switch (source) {
        case ENDPOINT_FROM_CONTEXT_FLAG:
                return "--context";
        case ENDPOINT_FROM_FLAG:
                return "--host";
        case ENDPOINT_FROM_RUNTIME_FLAG:
                return "--runtime-endpoint";
        case ENDPOINT_FROM_ENV:
                return "DOCKER_HOST";
        case ENDPOINT_FROM_CONTEXT_ENV:
                return "DOCKER_CONTEXT";
        case ENDPOINT_FROM_RUNTIME_ENV:
                return "CONTAINER_RUNTIME_ENDPOINT";
        case ENDPOINT_FROM_CONFIG:
                return "config.json";
        case ENDPOINT_FROM_DEFAULT:
                return "default";
        case ENDPOINT_FROM_SEARCH:
                return "default, by socket search";
        }
        return "?";
}

const char *const endpoint_cri_sockets[ENDPOINT_CRI_SOCKETS_COUNT] = {
        "/run/containerd/containerd.sock",
        "/run/k3s/containerd/containerd.sock",
        "/var/snap/microk8s/common/run/containerd.sock",
        "/run/crio/crio.sock",
};

const char *endpoint_where(const struct endpoint *ep) {
        return ep->kind == ENDPOINT_UNIX ? ep->socket_path : ep->base_url;
}

/* snprintf that says whether all of it fit: a cut path must never be used as a path. */
__attribute__((format(printf, 3, 4))) static bool fmt(char *buf, size_t size, const char *format, ...) {
        va_list ap;
        int n;

        va_start(ap, format);
        n = vsnprintf(buf, size, format, ap);
        va_end(ap);
        return n >= 0 && (size_t) n < size;
}

static int not_here(const char *uri, const char *name, struct nsx_error *err) {
        return nsx_error_set(err, NSX_ERR_FAILED, EPROTONOSUPPORT,
                             "engine endpoint '%s' (from %s) is not on this machine: entering namespaces needs the "
                             "container's processes here",
                             uri, name);
}

/* tcp://HOST[:PORT] with HOST 127.0.0.0/8, [::1] or localhost: plain HTTP on this machine. */
static int parse_tcp(const char *uri, const char *name, struct endpoint *ep, struct nsx_error *err) {
        const char *hostport = uri + strlen(TCP_SCHEME);
        char host[64];
        const char *port = NULL, *end;
        struct in_addr a4;
        struct in6_addr a6;
        unsigned long p = 2375; /* the engine's plain-HTTP port, as the docker CLI assumes */
        size_t hlen;

        if (hostport[0] == '[') {
                end = strchr(hostport, ']');
                if (!end)
                        goto invalid;
                hlen = (size_t) (end - hostport - 1);
                if (hlen >= sizeof(host))
                        goto invalid;
                memcpy(host, hostport + 1, hlen);
                end++;
        } else {
                end = hostport + strcspn(hostport, ":/");
                hlen = (size_t) (end - hostport);
                if (hlen == 0 || hlen >= sizeof(host))
                        goto invalid;
                memcpy(host, hostport, hlen);
        }
        host[hlen] = '\0';
        if (*end == ':') {
                /* Digits only: "+80", " 80" or "80x" is a typo or a trick, never a port. */
                size_t plen;

                port = end + 1;
                plen = strcspn(port, "/");
                if (nsx_parse_decimal(port, plen, 65535, &p) < 0 || p == 0 ||
                    (port[plen] != '\0' && !streq(port + plen, "/")))
                        goto invalid;
        } else if (*end != '\0' && !streq(end, "/"))
                goto invalid;

        if (inet_pton(AF_INET, host, &a4) == 1) {
                if ((ntohl(a4.s_addr) >> 24) != 127)
                        return not_here(uri, name, err);
                snprintf(ep->base_url, sizeof(ep->base_url), "http://%s:%lu", host, p);
        } else if (inet_pton(AF_INET6, host, &a6) == 1) {
                if (!IN6_IS_ADDR_LOOPBACK(&a6))
                        return not_here(uri, name, err);
                snprintf(ep->base_url, sizeof(ep->base_url), "http://[%s]:%lu", host, p);
        } else if (streq(host, "localhost"))
                snprintf(ep->base_url, sizeof(ep->base_url), "http://127.0.0.1:%lu", p);
        else
                return not_here(uri, name, err);
        ep->kind = ENDPOINT_TCP;
        return 0;

invalid:
        return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                             "invalid engine endpoint '%s' (from %s): expected tcp://127.0.0.1:PORT", uri, name);
}

int endpoint_parse(const char *uri, enum endpoint_source source, struct endpoint *ret, struct nsx_error *err) {
        const char *name = endpoint_source_name(source);
        struct endpoint ep = {.source = source, .kind = ENDPOINT_UNIX};
        const char *path;
        size_t len;
        int r;

        if (starts_with(uri, TCP_SCHEME)) {
                r = parse_tcp(uri, name, &ep, err);
                if (r < 0)
                        return r;
                *ret = ep;
                return 0;
        }
        if (starts_with(uri, "ssh://"))
                return not_here(uri, name, err);
        if (!starts_with(uri, UNIX_SCHEME)) {
                if (strstr(uri, "://"))
                        return nsx_error_set(err, NSX_ERR_FAILED, EPROTONOSUPPORT,
                                             "unsupported engine endpoint '%s' (from %s): use unix:///path or "
                                             "tcp://127.0.0.1:PORT",
                                             uri, name);
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                     "invalid engine endpoint '%s' (from %s): expected unix:///path/to/socket", uri,
                                     name);
        }

        path = uri + strlen(UNIX_SCHEME);
        if (path[0] != '/')
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                     "invalid engine endpoint '%s' (from %s): the socket path must be absolute", uri,
                                     name);
        len = strlen(path);
        if (len > ENDPOINT_PATH_MAX)
                return nsx_error_set(
                        err, NSX_ERR_FAILED, ENAMETOOLONG,
                        "engine socket path from %s too long (%zu bytes, a unix socket holds at most %zu): %s", name,
                        len, ENDPOINT_PATH_MAX, path);
        memcpy(ep.socket_path, path, len + 1);
        /* The host name is only the HTTP Host header here: the socket decides where it goes. */
        snprintf(ep.base_url, sizeof(ep.base_url), "http://localhost");
        *ret = ep;
        return 0;
}

int endpoint_parse_cri(const char *uri, enum endpoint_source source, struct endpoint *ret, struct nsx_error *err) {
        int r;

        /* crictl also takes tcp:// and npipe://; a CRI engine on this machine listens on a unix
         * socket, and gRPC over tcp would need TLS to be anything but another user's port. */
        if (!starts_with(uri, UNIX_SCHEME))
                return nsx_error_set(err, NSX_ERR_FAILED, strstr(uri, "://") ? EPROTONOSUPPORT : EINVAL,
                                     "invalid CRI endpoint '%s' (from %s): expected unix:///path/to/socket", uri,
                                     endpoint_source_name(source));
        r = endpoint_parse(uri, source, ret, err);
        if (r >= 0)
                ret->api = ENDPOINT_API_CRI;
        return r;
}

/* Reads a small file and says whose it is; -errno on failure (ENOENT included, for the caller
 * to judge). */
static int read_file(const char *path, char **ret, size_t *ret_len, uid_t *ret_owner) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len;
        int r;

        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        buf = malloc(CONFIG_FILE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        /* One byte more than allowed: a file that fills it is -EFBIG, and a shorter one leaves
         * room for the NUL. */
        r = fs_read(fd, buf, CONFIG_FILE_MAX + 1, &len);
        if (r < 0)
                return r;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        *ret_owner = st.st_uid;
        return 0;
}

static int file_error(const char *path, int r, struct nsx_error *err) {
        if (r == -EBADMSG)
                return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "cannot parse %s: not the docker CLI's JSON", path);
        return nsx_error_set_errno(err, NSX_ERR_FAILED, -r, "cannot read %s", path);
}

static bool is_socket(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void append(char *buf, size_t size, const char *s) {
        size_t len = strlen(buf);

        /* A list too long for the buffer ends cut short (a message's detail); an encoding
         * error leaves it as it was. Testing the result also tells GCC the cut is meant. */
        if (snprintf(buf + len, size - len, "%s%s", len ? ", " : "", s) < 0)
                buf[len] = '\0';
}

enum endpoint_candidate endpoint_candidate_judge(const struct stat *st, uid_t caller) {
        if (S_ISLNK(st->st_mode))
                return ENDPOINT_CANDIDATE_SYMLINK;
        if (!S_ISSOCK(st->st_mode))
                return ENDPOINT_CANDIDATE_NOT_SOCKET;
        if (st->st_uid != 0 && st->st_uid != caller)
                return ENDPOINT_CANDIDATE_FOREIGN;
        return ENDPOINT_CANDIDATE_OK;
}

bool endpoint_trusts(const struct endpoint *ep, uid_t peer_uid, uid_t caller) {
        return ep->named || peer_uid == 0 || (peer_uid == caller && peer_uid != (uid_t) -1);
}

/* One search candidate: true to use it; else *skipped says why it was passed over ("" when it
 * simply does not exist, which needs no word). */
static bool take_candidate(const char *path, uid_t caller, char *skipped, size_t size) {
        struct stat st;

        skipped[0] = '\0';
        if (strlen(path) > ENDPOINT_PATH_MAX)
                return false;
        /* lstat: a link in a directory someone else writes could lead to any socket. */
        if (lstat(path, &st) < 0) {
                if (errno != ENOENT && errno != ENOTDIR)
                        fmt(skipped, size, "%s (skipped: %s)", path, strerror(errno));
                return false;
        }
        switch (endpoint_candidate_judge(&st, caller)) {
        case ENDPOINT_CANDIDATE_OK:
                return true;
        case ENDPOINT_CANDIDATE_SYMLINK:
                fmt(skipped, size, "%s (skipped: a symbolic link)", path);
                break;
        case ENDPOINT_CANDIDATE_NOT_SOCKET:
                fmt(skipped, size, "%s (skipped: not a socket)", path);
                break;
        case ENDPOINT_CANDIDATE_FOREIGN:
                fmt(skipped, size, "%s (skipped: owned by uid %u, neither root nor the caller)", path,
                    (unsigned) st.st_uid);
                break;
        }
        return false;
}

/* The default endpoint. When its socket does not exist, look where rootless Docker and Podman
 * put theirs; if none exists either, keep the default and remember the paths tried, for the
 * error message. A socket found so is taken only if it is root's or the caller's: as root with
 * a user's XDG_RUNTIME_DIR, that user's engine would otherwise choose what root enters. Never
 * named: the peer check (endpoint_trusts) applies in full. */
static int default_endpoint(const struct endpoint_inputs *in, enum endpoint_source source, struct endpoint *ret,
                            struct nsx_error *err) {
        char candidates[3 + ENDPOINT_CRI_SOCKETS_COUNT][PATH_MAX],
                skipped[3 + ENDPOINT_CRI_SOCKETS_COUNT][PATH_MAX + 96];
        size_t n = 0, first_cri;
        int r;

        r = endpoint_parse(in->default_host, source, ret, err);
        if (r < 0 || ret->kind != ENDPOINT_UNIX || is_socket(ret->socket_path))
                return r;

        if (in->xdg_runtime_dir && in->xdg_runtime_dir[0] == '/')
                n += fmt(candidates[n], PATH_MAX, "%s/docker.sock", in->xdg_runtime_dir);
        n += fmt(candidates[n], PATH_MAX, "/run/podman/podman.sock");
        if (in->xdg_runtime_dir && in->xdg_runtime_dir[0] == '/')
                n += fmt(candidates[n], PATH_MAX, "%s/podman/podman.sock", in->xdg_runtime_dir);
        /* Then the CRI engines': a Kubernetes node often has no Docker at all. */
        first_cri = n;
        for (size_t i = 0; i < ENDPOINT_CRI_SOCKETS_COUNT; i++)
                n += fmt(candidates[n], PATH_MAX, "%s%s", in->cri_root ? in->cri_root : "", endpoint_cri_sockets[i]);

        for (size_t i = 0; i < n; i++) {
                if (take_candidate(candidates[i], in->caller, skipped[i], sizeof(skipped[i]))) {
                        fmt(ret->why, sizeof(ret->why), "%s was absent; found %s%s", ret->socket_path, candidates[i],
                            i >= first_cri ? ", a CRI engine's" : "");
                        for (size_t j = 0; j < i; j++)
                                if (skipped[j][0])
                                        append(ret->why, sizeof(ret->why), skipped[j]);
                        memcpy(ret->socket_path, candidates[i], strlen(candidates[i]) + 1);
                        ret->source = ENDPOINT_FROM_SEARCH;
                        ret->api = i >= first_cri ? ENDPOINT_API_CRI : ENDPOINT_API_DOCKER;
                        return 0;
                }
        }
        append(ret->tried, sizeof(ret->tried), ret->socket_path);
        for (size_t i = 0; i < n; i++)
                append(ret->tried, sizeof(ret->tried), skipped[i][0] ? skipped[i] : candidates[i]);
        return 0;
}

/* The default context takes its TLS settings from the environment, as the docker CLI does (its
 * Go SDK and docker-py also turn TLS on for DOCKER_CERT_PATH alone). Any of them set means the
 * requests were meant to be encrypted: refused, as --tls* are, never sent in plain HTTP. */
static int refuse_env_tls(const struct endpoint_inputs *in, struct nsx_error *err) {
        const struct {
                const char *name, *value;
        } vars[] = {
                {"DOCKER_TLS_VERIFY", in->env_tls_verify},
                {"DOCKER_TLS", in->env_tls},
                {"DOCKER_CERT_PATH", in->env_cert_path},
        };

        for (size_t i = 0; i < ELEMENTSOF(vars); i++)
                if (vars[i].value && vars[i].value[0])
                        return nsx_error_set(err, NSX_ERR_FAILED, EPROTONOSUPPORT,
                                             "%s is set, but TLS to the engine is not supported: refusing to send "
                                             "in plain HTTP what was meant to be encrypted (unset it; the engine "
                                             "must be local)",
                                             vars[i].name);
        return 0;
}

/* A named context has TLS when its meta.json says SkipTLSVerify (TLS, unverified: still TLS) or
 * its TLS store holds any file for the docker endpoint, as `docker context create --docker
 * host=...,ca=...,cert=...,key=...` leaves them: CONFIG/contexts/tls/ID/docker/, ID being the
 * name of its meta directory too (the SHA-256 of the context's name). Any file counts, as the
 * docker CLI loads any it finds; a store that cannot be read counts too. */
static int refuse_context_tls(const char *name, const char *meta, const char *config_dir, const char *id,
                              bool skip_tls_verify, struct nsx_error *err) {
        _cleanup_(closedirp) DIR *d = NULL;
        char dir[PATH_MAX];
        const struct dirent *de;

        if (skip_tls_verify)
                return nsx_error_set(err, NSX_ERR_FAILED, EPROTONOSUPPORT,
                                     "context '%s' uses TLS (SkipTLSVerify in %s), which is not supported: refusing "
                                     "to send in plain HTTP what was meant to be encrypted",
                                     name, meta);
        if (!fmt(dir, sizeof(dir), "%s/contexts/tls/%s/docker", config_dir, id))
                return nsx_error_set(err, NSX_ERR_FAILED, ENAMETOOLONG, "docker config directory path too long");
        d = opendir(dir);
        if (!d && errno != ENOENT && errno != ENOTDIR)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno,
                                           "context '%s': cannot tell whether it uses TLS: %s", name, dir);
        while (d && (de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        return nsx_error_set(err, NSX_ERR_FAILED, EPROTONOSUPPORT,
                                             "context '%s' uses TLS (%s/%s), which is not supported: refusing to "
                                             "send in plain HTTP what was meant to be encrypted",
                                             name, dir, de->d_name);
        return 0;
}

/* A file of the docker CLI's that root or the caller owns: what it says is the caller's choice. */
static bool own_file(uid_t owner, uid_t caller) {
        return owner == 0 || owner == caller;
}

/* Context name's endpoint. name_is_own: the name itself is the caller's choice (the command
 * line, the environment, or a config.json of root's or the caller's). */
static int context_endpoint(const char *name, enum endpoint_source source, bool name_is_own,
                            const struct endpoint_inputs *in, const char *config_dir, struct endpoint *ret,
                            struct nsx_error *err) {
        _cleanup_(closedirp) DIR *d = NULL;
        char dir[PATH_MAX], path[PATH_MAX], bad[PATH_MAX] = "";
        const struct dirent *de;
        int r;

        if (streq(name, "default")) {
                /* As the docker CLI: the default context is DOCKER_HOST when that is set, and
                 * takes its TLS settings from the environment. */
                r = refuse_env_tls(in, err);
                if (r < 0)
                        return r;
                if (in->env_host && in->env_host[0]) {
                        r = endpoint_parse(in->env_host, source, ret, err);
                        if (r >= 0)
                                ret->named = true;
                } else
                        r = default_endpoint(in, source, ret, err);
                if (r >= 0 && ret->why[0] == '\0')
                        snprintf(ret->why, sizeof(ret->why), "context 'default'");
                return r;
        }
        if (!config_dir)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOENT,
                                     "context '%s' not found (from %s): neither DOCKER_CONFIG nor HOME is set", name,
                                     endpoint_source_name(source));

        /* A context's directory is named by the SHA-256 of its name; reading each meta.json's
         * Name instead finds the same file with no hashing code, and contexts are few. */
        if (!fmt(dir, sizeof(dir), "%s/contexts/meta", config_dir))
                return nsx_error_set(err, NSX_ERR_FAILED, ENAMETOOLONG, "docker config directory path too long");
        d = opendir(dir);
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *text = NULL;
                char found[256], host[512];
                bool skip_tls_verify;
                uid_t owner;
                size_t len;

                if (de->d_name[0] == '.')
                        continue;
                if (!fmt(path, sizeof(path), "%s/%s/meta.json", dir, de->d_name) ||
                    read_file(path, &text, &len, &owner) < 0)
                        continue;
                if (context_parse_meta(text, len, found, sizeof(found), host, sizeof(host), &skip_tls_verify) < 0) {
                        if (!bad[0])
                                fmt(bad, sizeof(bad), "%s", path);
                        continue;
                }
                if (!streq(found, name))
                        continue;
                r = refuse_context_tls(name, path, config_dir, de->d_name, skip_tls_verify, err);
                if (r < 0)
                        return r;
                if (host[0] == '\0')
                        r = default_endpoint(in, source, ret, err);
                else {
                        r = endpoint_parse(host, source, ret, err);
                        if (r >= 0)
                                ret->named = name_is_own && own_file(owner, in->caller);
                }
                if (r >= 0 && host[0] && !ret->named)
                        fmt(ret->why, sizeof(ret->why), "context '%s' (%s; %s another user's: not counted as named)",
                            name, path, name_is_own ? "that file is" : "config.json is");
                else if (r >= 0)
                        fmt(ret->why, sizeof(ret->why), "context '%s' (%s)", name, path);
                return r;
        }
        if (bad[0])
                return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "context '%s' not found (from %s): cannot parse %s",
                                     name, endpoint_source_name(source), bad);
        return nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "context '%s' not found in %s (from %s)", name, dir,
                             endpoint_source_name(source));
}

/* -H or DOCKER_HOST: the caller's own choice of engine, on the default context's TLS terms. */
static int named_endpoint(const char *uri, enum endpoint_source source, const struct endpoint_inputs *in,
                          struct endpoint *ret, struct nsx_error *err) {
        int r;

        r = refuse_env_tls(in, err);
        if (r < 0)
                return r;
        r = endpoint_parse(uri, source, ret, err);
        if (r >= 0)
                ret->named = true;
        return r;
}

/* --runtime-endpoint or CONTAINER_RUNTIME_ENDPOINT: the caller's own choice of a CRI engine.
 * DOCKER_TLS* are Docker's: they say nothing of it. */
static int cri_endpoint(const char *uri, enum endpoint_source source, struct endpoint *ret, struct nsx_error *err) {
        int r;

        r = endpoint_parse_cri(uri, source, ret, err);
        if (r >= 0)
                ret->named = true;
        return r;
}

int endpoint_resolve(const struct endpoint_inputs *in, struct endpoint *ret, struct nsx_error *err) {
        char config_dir[PATH_MAX], path[PATH_MAX], current[256];
        _cleanup_free_ char *text = NULL;
        bool have_config_dir;
        uid_t owner;
        size_t len;
        int r;

        if (in->env_config && in->env_config[0])
                have_config_dir = fmt(config_dir, sizeof(config_dir), "%s", in->env_config);
        else if (in->home && in->home[0])
                have_config_dir = fmt(config_dir, sizeof(config_dir), "%s/.docker", in->home);
        else
                have_config_dir = false;

        /* The docker CLI's priority. An empty variable counts as unset, as there. */
        if (in->flag_context)
                return context_endpoint(in->flag_context, ENDPOINT_FROM_CONTEXT_FLAG, true, in,
                                        have_config_dir ? config_dir : NULL, ret, err);
        if (in->flag_host)
                return named_endpoint(in->flag_host, ENDPOINT_FROM_FLAG, in, ret, err);
        if (in->flag_runtime)
                return cri_endpoint(in->flag_runtime, ENDPOINT_FROM_RUNTIME_FLAG, ret, err);
        if (in->env_host && in->env_host[0])
                return named_endpoint(in->env_host, ENDPOINT_FROM_ENV, in, ret, err);
        if (in->env_context && in->env_context[0])
                return context_endpoint(in->env_context, ENDPOINT_FROM_CONTEXT_ENV, true, in,
                                        have_config_dir ? config_dir : NULL, ret, err);
        /* crictl's variable: below Docker's own choices (the environment of a Docker user),
         * above config.json's context and the default (which nobody chose for this run). */
        if (in->env_runtime && in->env_runtime[0])
                return cri_endpoint(in->env_runtime, ENDPOINT_FROM_RUNTIME_ENV, ret, err);

        if (have_config_dir) {
                r = fmt(path, sizeof(path), "%s/config.json", config_dir) ? read_file(path, &text, &len, &owner)
                                                                          : -ENAMETOOLONG;
                if (r < 0 && r != -ENOENT && r != -ENOTDIR)
                        return file_error(path, r, err);
                if (r >= 0) {
                        if (context_parse_config(text, len, current, sizeof(current)) < 0)
                                return file_error(path, -EBADMSG, err);
                        if (current[0])
                                return context_endpoint(current, ENDPOINT_FROM_CONFIG, own_file(owner, in->caller), in,
                                                        config_dir, ret, err);
                }
        }
        r = refuse_env_tls(in, err);
        if (r < 0)
                return r;
        return default_endpoint(in, ENDPOINT_FROM_DEFAULT, ret, err);
}
