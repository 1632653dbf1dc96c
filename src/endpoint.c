/* SPDX-License-Identifier: MIT */
/* Endpoint selection. Reads the docker CLI's files and stats sockets; never connects. */
#include "endpoint.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "context.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

#define UNIX_SCHEME "unix://"
#define TCP_SCHEME "tcp://"
#define CONFIG_FILE_MAX ((size_t) 1 << 20)

const char *endpoint_source_name(enum endpoint_source source) {
        switch (source) {
        case ENDPOINT_FROM_CONTEXT_FLAG:
                return "--context";
        case ENDPOINT_FROM_FLAG:
                return "--host";
        case ENDPOINT_FROM_ENV:
                return "DOCKER_HOST";
        case ENDPOINT_FROM_CONTEXT_ENV:
                return "DOCKER_CONTEXT";
        case ENDPOINT_FROM_CONFIG:
                return "config.json";
        case ENDPOINT_FROM_DEFAULT:
                return "default";
        case ENDPOINT_FROM_SEARCH:
                return "default, by socket search";
        }
        return "?";
}

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

static bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int not_here(const char *uri, const char *name, struct nsx_error *err) {
        return nsx_error_set(err, NSX_ERR_ENDPOINT, EPROTONOSUPPORT,
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
        return nsx_error_set(err, NSX_ERR_ENDPOINT, EINVAL,
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
                        return nsx_error_set(err, NSX_ERR_ENDPOINT, EPROTONOSUPPORT,
                                             "unsupported engine endpoint '%s' (from %s): use unix:///path or "
                                             "tcp://127.0.0.1:PORT",
                                             uri, name);
                return nsx_error_set(err, NSX_ERR_ENDPOINT, EINVAL,
                                     "invalid engine endpoint '%s' (from %s): expected unix:///path/to/socket", uri, name);
        }

        path = uri + strlen(UNIX_SCHEME);
        if (path[0] != '/')
                return nsx_error_set(err, NSX_ERR_ENDPOINT, EINVAL,
                                     "invalid engine endpoint '%s' (from %s): the socket path must be absolute", uri, name);
        len = strlen(path);
        if (len > ENDPOINT_PATH_MAX)
                return nsx_error_set(err, NSX_ERR_ENDPOINT, ENAMETOOLONG,
                                     "engine socket path from %s too long (%zu bytes, a unix socket holds at most %zu): %s",
                                     name, len, ENDPOINT_PATH_MAX, path);
        memcpy(ep.socket_path, path, len + 1);
        /* The host name is only the HTTP Host header here: the socket decides where it goes. */
        snprintf(ep.base_url, sizeof(ep.base_url), "http://localhost");
        *ret = ep;
        return 0;
}

/* Reads a small file; -errno on failure (ENOENT included, for the caller to judge). */
static int read_file(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        ssize_t n;

        if (fd < 0)
                return -errno;
        buf = malloc(CONFIG_FILE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        while ((n = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                len += (size_t) n;
                if (len > CONFIG_FILE_MAX)
                        return -EFBIG;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static int file_error(const char *path, int r, struct nsx_error *err) {
        if (r == -EBADMSG)
                return nsx_error_set(err, NSX_ERR_ENDPOINT, EBADMSG, "cannot parse %s: not the docker CLI's JSON", path);
        return nsx_error_set(err, NSX_ERR_ENDPOINT, -r, "cannot read %s: %s", path, strerror(-r));
}

static bool is_socket(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void append(char *buf, size_t size, const char *s) {
        size_t len = strlen(buf);

        snprintf(buf + len, size - len, "%s%s", len ? ", " : "", s);
}

/* The default endpoint. When its socket does not exist, look where rootless Docker and Podman
 * put theirs; if none exists either, keep the default and remember the paths tried, for the
 * error message. */
static int default_endpoint(const struct endpoint_inputs *in, enum endpoint_source source, struct endpoint *ret,
                            struct nsx_error *err) {
        char candidates[3][PATH_MAX];
        size_t n = 0;
        int r;

        r = endpoint_parse(in->default_host, source, ret, err);
        if (r < 0 || ret->kind != ENDPOINT_UNIX || is_socket(ret->socket_path))
                return r;

        if (in->xdg_runtime_dir && in->xdg_runtime_dir[0] == '/')
                n += fmt(candidates[n], PATH_MAX, "%s/docker.sock", in->xdg_runtime_dir);
        n += fmt(candidates[n], PATH_MAX, "/run/podman/podman.sock");
        if (in->xdg_runtime_dir && in->xdg_runtime_dir[0] == '/')
                n += fmt(candidates[n], PATH_MAX, "%s/podman/podman.sock", in->xdg_runtime_dir);

        for (size_t i = 0; i < n; i++) {
                if (strlen(candidates[i]) <= ENDPOINT_PATH_MAX && is_socket(candidates[i])) {
                        fmt(ret->why, sizeof(ret->why), "%s was absent; found %s", ret->socket_path, candidates[i]);
                        memcpy(ret->socket_path, candidates[i], strlen(candidates[i]) + 1);
                        ret->source = ENDPOINT_FROM_SEARCH;
                        return 0;
                }
        }
        append(ret->tried, sizeof(ret->tried), ret->socket_path);
        for (size_t i = 0; i < n; i++)
                append(ret->tried, sizeof(ret->tried), candidates[i]);
        return 0;
}

static int context_endpoint(const char *name, enum endpoint_source source, const struct endpoint_inputs *in,
                            const char *config_dir, struct endpoint *ret, struct nsx_error *err) {
        _cleanup_(closedirp) DIR *d = NULL;
        char dir[PATH_MAX], path[PATH_MAX], bad[PATH_MAX] = "";
        const struct dirent *de;
        int r;

        if (streq(name, "default")) {
                /* As the docker CLI: the default context is DOCKER_HOST when that is set. */
                if (in->env_host && in->env_host[0])
                        r = endpoint_parse(in->env_host, source, ret, err);
                else
                        r = default_endpoint(in, source, ret, err);
                if (r >= 0 && ret->why[0] == '\0')
                        snprintf(ret->why, sizeof(ret->why), "context 'default'");
                return r;
        }
        if (!config_dir)
                return nsx_error_set(err, NSX_ERR_ENDPOINT, ENOENT,
                                     "context '%s' not found (from %s): neither DOCKER_CONFIG nor HOME is set", name,
                                     endpoint_source_name(source));

        /* A context's directory is named by the SHA-256 of its name; reading each meta.json's
         * Name instead finds the same file with no hashing code, and contexts are few. */
        if (!fmt(dir, sizeof(dir), "%s/contexts/meta", config_dir))
                return nsx_error_set(err, NSX_ERR_ENDPOINT, ENAMETOOLONG, "docker config directory path too long");
        d = opendir(dir);
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *text = NULL;
                char found[256], host[512];
                size_t len;

                if (de->d_name[0] == '.')
                        continue;
                if (!fmt(path, sizeof(path), "%s/%s/meta.json", dir, de->d_name) || read_file(path, &text, &len) < 0)
                        continue;
                if (context_parse_meta(text, len, found, sizeof(found), host, sizeof(host)) < 0) {
                        if (!bad[0])
                                fmt(bad, sizeof(bad), "%s", path);
                        continue;
                }
                if (!streq(found, name))
                        continue;
                if (host[0] == '\0')
                        r = default_endpoint(in, source, ret, err);
                else
                        r = endpoint_parse(host, source, ret, err);
                if (r >= 0)
                        fmt(ret->why, sizeof(ret->why), "context '%s' (%s)", name, path);
                return r;
        }
        if (bad[0])
                return nsx_error_set(err, NSX_ERR_ENDPOINT, EBADMSG,
                                     "context '%s' not found (from %s): cannot parse %s", name,
                                     endpoint_source_name(source), bad);
        return nsx_error_set(err, NSX_ERR_ENDPOINT, ENOENT, "context '%s' not found in %s (from %s)", name, dir,
                             endpoint_source_name(source));
}

int endpoint_resolve(const struct endpoint_inputs *in, struct endpoint *ret, struct nsx_error *err) {
        char config_dir[PATH_MAX], path[PATH_MAX], current[256];
        _cleanup_free_ char *text = NULL;
        bool have_config_dir;
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
                return context_endpoint(in->flag_context, ENDPOINT_FROM_CONTEXT_FLAG, in,
                                        have_config_dir ? config_dir : NULL, ret, err);
        if (in->flag_host)
                return endpoint_parse(in->flag_host, ENDPOINT_FROM_FLAG, ret, err);
        if (in->env_host && in->env_host[0])
                return endpoint_parse(in->env_host, ENDPOINT_FROM_ENV, ret, err);
        if (in->env_context && in->env_context[0])
                return context_endpoint(in->env_context, ENDPOINT_FROM_CONTEXT_ENV, in,
                                        have_config_dir ? config_dir : NULL, ret, err);

        if (have_config_dir) {
                r = fmt(path, sizeof(path), "%s/config.json", config_dir) ? read_file(path, &text, &len)
                                                                          : -ENAMETOOLONG;
                if (r < 0 && r != -ENOENT && r != -ENOTDIR)
                        return file_error(path, r, err);
                if (r >= 0) {
                        if (context_parse_config(text, len, current, sizeof(current)) < 0)
                                return file_error(path, -EBADMSG, err);
                        if (current[0])
                                return context_endpoint(current, ENDPOINT_FROM_CONFIG, in, config_dir, ret, err);
                }
        }
        return default_endpoint(in, ENDPOINT_FROM_DEFAULT, ret, err);
}
