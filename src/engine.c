/* SPDX-License-Identifier: MIT */
/* libcurl over a unix socket. Knows HTTP, not the shapes of the JSON it carries. */
#include "engine.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "fs.h"
#include "util.h"
#include "version.h"

struct sink {
        char *data;
        size_t len, cap;
        bool too_large;
        bool no_memory;
};

/* Appends n bytes to *buf, len bytes of cap and kept NUL-terminated, doubling cap (from 16 KiB)
 * as needed; false when memory runs out, and then nothing is appended. */
static bool buf_append(char **buf, size_t *len, size_t *cap, const char *p, size_t n) {
        if (*len + n + 1 > *cap) {
                size_t c = *cap ? *cap : 16384;
                char *q;

                while (c < *len + n + 1)
                        c *= 2;
                q = realloc(*buf, c);
                if (!q)
                        return false;
                *buf = q;
                *cap = c;
        }
        memcpy(*buf + *len, p, n);
        *len += n;
        (*buf)[*len] = '\0';
        return true;
}

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        struct sink *s = userdata;
        size_t n = size * nmemb;

        if (n > ENGINE_BODY_MAX - s->len) {
                s->too_large = true;
                return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
        }
        if (!buf_append(&s->data, &s->len, &s->cap, ptr, n)) {
                s->no_memory = true;
                return 0;
        }
        return n;
}

/* Keeps the two headers that say which engine this is and which API it speaks. */
static size_t header_line(char *line, size_t size, size_t nitems, void *userdata) {
        struct engine_exchange *r = userdata;
        size_t n = size * nitems;
        static const struct {
                const char *name;
                size_t off, size;
        } wanted[] = {
                {"Api-Version:", offsetof(struct engine_exchange, server_api), sizeof(r->server_api)},
                {"Libpod-Api-Version:", offsetof(struct engine_exchange, libpod_api), sizeof(r->libpod_api)},
        };

        for (size_t i = 0; i < ELEMENTSOF(wanted); i++) {
                size_t k = strlen(wanted[i].name), len;
                char *dst = (char *) r + wanted[i].off;

                if (n <= k || strncasecmp(line, wanted[i].name, k) != 0)
                        continue;
                line += k;
                n -= k;
                while (n && (*line == ' ' || *line == '\t')) {
                        line++;
                        n--;
                }
                for (len = 0; len < n && len + 1 < wanted[i].size && line[len] != '\r' && line[len] != '\n'; len++)
                        dst[len] = (line[len] >= 0x20 && line[len] < 0x7f) ? line[len] : '?';
                dst[len] = '\0';
                break;
        }
        return size * nitems;
}

/* "MAJOR.MINOR", each digits only and below 1000: the engine's text, parsed strictly. */
static bool parse_version(const char *v, unsigned long *major, unsigned long *minor) {
        const char *dot = strchr(v, '.');

        return dot && nsx_parse_decimal(v, (size_t) (dot - v), 999, major) == 0 &&
               nsx_parse_decimal(dot + 1, strlen(dot + 1), 999, minor) == 0;
}

int engine_version_cmp(const char *a, const char *b) {
        unsigned long amaj, amin, bmaj, bmin;
        bool va = parse_version(a, &amaj, &amin), vb = parse_version(b, &bmaj, &bmin);

        if (!va || !vb)
                return (int) va - (int) vb;
        if (amaj != bmaj)
                return amaj < bmaj ? -1 : 1;
        return amin < bmin ? -1 : amin > bmin;
}

void engine_version_hint(const char *body, size_t len, char *buf, size_t size) {
        /* Docker: "client version 1.41 is too new. Maximum supported API version is 1.40", and
         * "... is too old. Minimum supported API version is 1.44, please upgrade ...". Plain
         * text in a JSON string: searching the bytes needs no JSON. */
        static const char *const phrases[] = {"Maximum supported API version is ", "Minimum supported API version is "};
        size_t n = 0;

        if (size == 0)
                return;
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(phrases) && body; i++) {
                const char *p = memmem(body, len, phrases[i], strlen(phrases[i]));
                unsigned long maj, min;

                if (!p)
                        continue;
                p += strlen(phrases[i]);
                while (n + 1 < size && p + n < body + len && ((p[n] >= '0' && p[n] <= '9') || p[n] == '.'))
                        n++;
                /* "1.44," leaves no trailing dot; "1.40." (end of sentence) would. */
                while (n > 0 && p[n - 1] == '.')
                        n--;
                memcpy(buf, p, n);
                buf[n] = '\0';
                if (!parse_version(buf, &maj, &min))
                        buf[0] = '\0';
                return;
        }
}

/* A failed connect says little on its own; name the cause the user can act on. */
static int connect_error(const struct endpoint *ep, long os_errno, struct nsx_error *err) {
        const char *path = endpoint_where(ep);
        struct stat st;
        int e = (int) os_errno;

        if (ep->kind == ENDPOINT_UNIX) {
                if (stat(path, &st) < 0)
                        e = errno;
                else if (!S_ISSOCK(st.st_mode))
                        e = ENOTSOCK;
        }

        switch (e) {
        case ENOENT:
                if (ep->tried[0]) {
                        nsx_error_set(err, NSX_ERR_FAILED, e,
                                      "cannot connect to the engine: no engine socket found (tried %s)", ep->tried);
                        nsx_error_hint(err, "is the Docker daemon, Podman or a CRI engine running? (choose a socket "
                                            "with -H unix:///path, --context or --runtime-endpoint unix:///path)");
                        break;
                }
                nsx_error_set(err, NSX_ERR_FAILED, e, "cannot connect to the engine: %s does not exist", path);
                if (ep->api == ENDPOINT_API_CRI)
                        nsx_error_hint(err, "is containerd or CRI-O running? (choose another socket with "
                                            "--runtime-endpoint unix:///path)");
                else
                        nsx_error_hint(err,
                                       "is the Docker daemon running? (choose another socket with -H unix:///path)");
                break;
        case EACCES:
        case EPERM:
                nsx_error_set(err, NSX_ERR_FAILED, e, "cannot connect to the engine: permission denied on %s", path);
                nsx_error_hint(err, "docker-nsexec needs root (the engine socket and namespace entry both require it)");
                break;
        case ENOTSOCK:
                nsx_error_set(err, NSX_ERR_FAILED, e, "cannot connect to the engine: %s is not a socket", path);
                break;
        case ECONNREFUSED:
                nsx_error_set(err, NSX_ERR_FAILED, e, "cannot connect to the engine: nothing listens on %s", path);
                nsx_error_hint(err, ep->api == ENDPOINT_API_CRI ? "is containerd or CRI-O running?"
                                                                : "is the Docker daemon running?");
                break;
        case 0:
                nsx_error_set(err, NSX_ERR_FAILED, 0, "cannot connect to the engine at %s: connection failed", path);
                break;
        default:
                nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot connect to the engine at %s", path);
                break;
        }
        return e > 0 ? -e : -ECONNREFUSED;
}

static int timed_out(const struct endpoint *ep, long timeout_ms, struct nsx_error *err) {
        return nsx_error_set(err, NSX_ERR_FAILED, ETIMEDOUT, "the engine at %s did not answer within %g s (--timeout)",
                             endpoint_where(ep), (double) timeout_ms / 1000.0);
}

/* detail: libcurl's own words (CURLOPT_ERRORBUFFER), "" if none. */
static int transfer_error(CURL *curl, CURLcode rc, const struct sink *sink, const struct endpoint *ep, long timeout_ms,
                          const char *detail, struct nsx_error *err) {
        const char *path = endpoint_where(ep);
        long os_errno = 0;

        curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
        switch (rc) {
        case CURLE_COULDNT_CONNECT:
                return connect_error(ep, os_errno, err);
        case CURLE_OPERATION_TIMEDOUT:
                return timed_out(ep, timeout_ms, err);
        case CURLE_FILESIZE_EXCEEDED:
                return nsx_error_set(err, NSX_ERR_FAILED, EMSGSIZE,
                                     "the engine at %s sent a response larger than %zu MiB; refused", path,
                                     ENGINE_BODY_MAX >> 20);
        case CURLE_WRITE_ERROR:
                if (sink->too_large)
                        return transfer_error(curl, CURLE_FILESIZE_EXCEEDED, sink, ep, timeout_ms, detail, err);
                if (sink->no_memory)
                        return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory reading the engine's answer");
                break;
        case CURLE_GOT_NOTHING:
                return nsx_error_set(err, NSX_ERR_FAILED, ECONNRESET,
                                     "the engine at %s closed the connection without answering", path);
        case CURLE_PARTIAL_FILE:
                return nsx_error_set(err, NSX_ERR_FAILED, EPROTO, "the engine at %s cut its answer short", path);
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
                /* libcurl also says RECV_ERROR for an answer it cannot decode (a bad chunk
                 * size): with no errno behind it, that is the engine's fault, not the link's. */
                if (!os_errno && rc == CURLE_RECV_ERROR && !strstr(detail, "Recv failure"))
                        return nsx_error_set(err, NSX_ERR_FAILED, EPROTO,
                                             "the engine at %s sent a malformed answer%s%s", path,
                                             detail[0] ? ": " : "", detail);
                return nsx_error_set_errno(err, NSX_ERR_FAILED, os_errno ? (int) os_errno : ECONNRESET,
                                           "lost the connection to the engine at %s", path);
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                /* Only gRPC calls speak HTTP/2: an engine that answers them in HTTP/1.1 (Docker's
                 * socket) or breaks the framing is not a CRI engine. */
                return nsx_error_set(err, NSX_ERR_FAILED, EPROTO,
                                     "the engine at %s did not answer in HTTP/2, as a CRI engine does%s%s", path,
                                     detail[0] ? ": " : "", detail);
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_UNSUPPORTED_PROTOCOL:
                return nsx_error_set(err, NSX_ERR_FAILED, EPROTO, "the engine at %s did not answer in HTTP", path);
        default:
                break;
        }
        return nsx_error_set(err, NSX_ERR_FAILED, EIO, "request to the engine at %s failed: %s", path,
                             curl_easy_strerror(rc));
}

/* One connection to the engine: a libcurl handle whose connection is kept alive between
 * requests, the deadline of the whole exchange and the API version agreed so far; and the
 * socket libcurl connects, whose peer is checked before any request goes out on it. */
struct engine {
        int fd;          /* the socket of the connection, from open_socket; -1 if none */
        bool fd_checked; /* its peer was checked and believed */
        uid_t caller;    /* geteuid(), for endpoint_trusts */
        uid_t peer_uid;  /* whose engine, once checked */
        pid_t peer_pid;
        struct nsx_error *err; /* where check_peer puts a refusal, during perform() */
        bool refused;          /* check_peer refused the engine: err says why */
        const struct endpoint *ep;
        CURL *curl;
        long timeout_ms;                  /* the whole --timeout, for messages */
        struct timespec start;            /* when the exchange began */
        char version[16];                 /* the API version asked for; changes once if the engine says so */
        struct sink sink;                 /* the body being received */
        char curl_error[CURL_ERROR_SIZE]; /* libcurl's words for the last failure */
        struct engine_response *resp;     /* where the headers of the current request go */
        CURLcode last_rc;                 /* how libcurl ended the last transfer */
};

static long elapsed_ms(const struct timespec *since) {
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (now.tv_sec - since->tv_sec) * 1000L + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

static size_t header_sink(char *line, size_t size, size_t nitems, void *userdata) {
        struct engine *e = userdata;

        return header_line(line, size, nitems, &e->resp->exchange);
}

static size_t body_sink(char *ptr, size_t size, size_t nmemb, void *userdata) {
        struct engine *e = userdata;

        return sink_write(ptr, size, nmemb, &e->sink);
}

int engine_tcp_owner(const char *table, const char *local, const char *remote, uid_t *ret) {
        const char *line = table;

        /* "  sl  local_address rem_address   st tx_queue:rx_queue tr:tm->when retrnsmt   uid ...":
         * the kernel's own text, one socket a line, the header first. */
        while (line && *line) {
                const char *next = strchr(line, '\n');
                size_t n = next ? (size_t) (next - line) : strlen(line);
                char buf[512], *save = NULL, *field[8];
                unsigned long uid;
                int i = 0;

                if (n < sizeof(buf)) {
                        memcpy(buf, line, n);
                        buf[n] = '\0';
                        for (char *f = strtok_r(buf, " \t", &save); f && i < 8; f = strtok_r(NULL, " \t", &save))
                                field[i++] = f;
                        if (i == 8 && strcasecmp(field[1], local) == 0 && strcasecmp(field[2], remote) == 0 &&
                            nsx_parse_decimal(field[7], strlen(field[7]), (uid_t) -2, &uid) == 0) {
                                *ret = (uid_t) uid;
                                return 0;
                        }
                }
                line = next ? next + 1 : NULL;
        }
        return -ENOENT;
}

/* An address as /proc/net/tcp{,6} prints it: each 32-bit word of the address as the kernel
 * holds it (network order, printed as a host integer), and the port in host order. */
static void tcp_address(const struct sockaddr_storage *sa, char *buf, size_t size) {
        if (sa->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;

                snprintf(buf, size, "%08X:%04X", (unsigned) in->sin_addr.s_addr, (unsigned) ntohs(in->sin_port));
        } else {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
                uint32_t w[4];

                memcpy(w, &in6->sin6_addr, sizeof(w));
                snprintf(buf, size, "%08X%08X%08X%08X:%04X", (unsigned) w[0], (unsigned) w[1], (unsigned) w[2],
                         (unsigned) w[3], (unsigned) ntohs(in6->sin6_port));
        }
}

/* Whose loopback tcp engine: tcp has no SO_PEERCRED, but the engine's end of this very
 * connection is in our network namespace's socket table, with the uid of whoever opened the
 * listening socket (an accepted socket inherits it). ENGINE_PEER_UID_UNKNOWN if not found. */
static uid_t tcp_peer_uid(int fd) {
        struct sockaddr_storage local = {}, remote = {};
        socklen_t llen = sizeof(local), rlen = sizeof(remote);
        char l[64], r[64];
        _cleanup_free_ char *table = NULL;
        size_t len;
        uid_t uid;

        if (getsockname(fd, (struct sockaddr *) &local, &llen) < 0 ||
            getpeername(fd, (struct sockaddr *) &remote, &rlen) < 0 || local.ss_family != remote.ss_family ||
            (local.ss_family != AF_INET && local.ss_family != AF_INET6))
                return ENGINE_PEER_UID_UNKNOWN;
        tcp_address(&local, l, sizeof(l));
        tcp_address(&remote, r, sizeof(r));
        /* A table larger than 64 MiB: give up, unknown. */
        if (fs_read_all_at(AT_FDCWD, local.ss_family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6", (size_t) 64 << 20,
                           &table, &len) < 0)
                return ENGINE_PEER_UID_UNKNOWN;
        /* The engine's end: its local address is our remote one, and the other way round. */
        return engine_tcp_owner(table, r, l, &uid) == 0 ? uid : ENGINE_PEER_UID_UNKNOWN;
}

/* libcurl's socket, made by us: close-on-exec (libcurl 7.88 does not set it), and known, so
 * that check_peer can ask the kernel who is at its other end. */
static curl_socket_t open_socket(void *userdata, curlsocktype purpose, struct curl_sockaddr *address) {
        struct engine *e = userdata;
        int fd;

        if (purpose != CURLSOCKTYPE_IPCXN)
                return CURL_SOCKET_BAD;
        fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
        if (fd >= 0) {
                e->fd = fd;
                e->fd_checked = false;
        }
        return fd;
}

static int close_socket(void *userdata, curl_socket_t fd) {
        struct engine *e = userdata;

        if (fd == e->fd)
                e->fd = -1;
        return close(fd);
}

/* libcurl calls this once a connection is up and before each request is sent on it: the one
 * point where whose engine it is can be asked before a byte of its answers is read. */
static int check_peer(void *userdata, char *primary_ip, char *local_ip, int primary_port, int local_port) {
        struct engine *e = userdata;
        const char *where = endpoint_where(e->ep);
        const char *name_it = e->ep->api == ENDPOINT_API_CRI ? "--runtime-endpoint" : "-H or --context";
        uid_t uid = ENGINE_PEER_UID_UNKNOWN;
        pid_t pid = 0;

        (void) primary_ip;
        (void) local_ip;
        (void) primary_port;
        (void) local_port;
        if (e->fd >= 0 && e->fd_checked)
                return CURL_PREREQFUNC_OK; /* the same connection, kept alive */
        if (e->fd < 0) {
                /* libcurl connected a socket we did not make: nothing to ask, so nothing sent. */
                nsx_error_set(e->err, NSX_ERR_FAILED, EPERM,
                              "cannot tell whose engine is at %s (libcurl did not use our socket): refused", where);
                e->refused = true;
                return CURL_PREREQFUNC_ABORT;
        }
        if (e->ep->kind == ENDPOINT_UNIX) {
                struct ucred cred;
                socklen_t len = sizeof(cred);

                if (getsockopt(e->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && len == sizeof(cred)) {
                        uid = cred.uid;
                        pid = cred.pid;
                }
        } else
                uid = tcp_peer_uid(e->fd);

        if (!endpoint_trusts(e->ep, uid, e->caller)) {
                char who[64];

                if (uid == ENGINE_PEER_UID_UNKNOWN) {
                        nsx_error_set(e->err, NSX_ERR_FAILED, EPERM,
                                      "refusing the engine at %s (%s): the kernel cannot tell who runs it, and it was "
                                      "not named (name it with %s to trust it)",
                                      where, endpoint_source_name(e->ep->source), name_it);
                        e->refused = true;
                        return CURL_PREREQFUNC_ABORT;
                }
                if (pid > 0)
                        snprintf(who, sizeof(who), "uid %u (pid %d)", (unsigned) uid, (int) pid);
                else
                        snprintf(who, sizeof(who), "uid %u", (unsigned) uid);
                nsx_error_set(e->err, NSX_ERR_FAILED, EPERM,
                              "refusing the engine at %s (%s): it is run by %s, neither root nor the caller, and "
                              "was not named (name it with %s to trust it)",
                              where, endpoint_source_name(e->ep->source), who, name_it);
                e->refused = true;
                return CURL_PREREQFUNC_ABORT;
        }
        e->peer_uid = uid;
        e->peer_pid = pid;
        e->fd_checked = true;
        return CURL_PREREQFUNC_OK;
}

int engine_open(const struct endpoint *ep, long timeout_ms, struct engine **ret, struct nsx_error *err) {
        struct engine *e;

        /* CURL_GLOBAL_NOTHING: a unix-socket GET needs no TLS or Winsock set-up. libcurl 7.88
         * initialises its TLS and SSH backends whatever the flags, though: with Debian's
         * libcurl that is about 0.5 ms, the reason for -Dlean_curl. engine_close() undoes it,
         * leaving no libcurl state (or fd). */
        if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "cannot initialise libcurl");
        e = calloc(1, sizeof(*e));
        if (e)
                e->curl = curl_easy_init();
        if (!e || !e->curl) {
                free(e);
                curl_global_cleanup();
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "cannot initialise libcurl");
        }
        e->ep = ep;
        e->fd = -1;
        e->caller = geteuid();
        e->peer_uid = ENGINE_PEER_UID_UNKNOWN;
        e->timeout_ms = timeout_ms;
        snprintf(e->version, sizeof(e->version), "%s", ENGINE_API_VERSION);
        clock_gettime(CLOCK_MONOTONIC, &e->start);

        /* Each setopt below either bounds the exchange or keeps libcurl from doing more than one
         * plain HTTP/1.1 GET at a time: no proxies, no redirects, no other protocols. */
        if ((ep->kind == ENDPOINT_UNIX &&
             curl_easy_setopt(e->curl, CURLOPT_UNIX_SOCKET_PATH, ep->socket_path) != CURLE_OK) ||
            curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http") != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_PROXY, "") != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) ENGINE_BODY_MAX) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_USERAGENT, (const char *) nsx_user_agent) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_HEADERFUNCTION, header_sink) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_HEADERDATA, e) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, body_sink) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, e) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_ERRORBUFFER, e->curl_error) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_OPENSOCKETFUNCTION, open_socket) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_OPENSOCKETDATA, e) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_CLOSESOCKETFUNCTION, close_socket) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_CLOSESOCKETDATA, e) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_PREREQFUNCTION, check_peer) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_PREREQDATA, e) != CURLE_OK) {
                engine_close(e);
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "this libcurl (%s) lacks a needed feature",
                                     curl_version());
        }
        *ret = e;
        return 0;
}

void engine_close(struct engine *e) {
        if (!e)
                return;
        /* Closes the kept-alive connection: nothing of libcurl outlives this. */
        curl_easy_cleanup(e->curl);
        free(e->sink.data);
        free(e);
        curl_global_cleanup();
}

/* One GET of url within left_ms; fills ret's status, body and headers. */
static int perform(struct engine *e, const char *url, long left_ms, struct engine_response *ret,
                   struct nsx_error *err) {
        CURLcode rc;
        long status = 0;
        int r;

        e->sink = (struct sink){};
        e->resp = ret;
        e->curl_error[0] = '\0';
        if (curl_easy_setopt(e->curl, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, left_ms) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_CONNECTTIMEOUT_MS, left_ms) != CURLE_OK)
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "this libcurl (%s) lacks a needed feature",
                                     curl_version());

        e->err = err;
        e->refused = false;
        rc = curl_easy_perform(e->curl);
        e->last_rc = rc;
        e->err = NULL;
        if (rc != CURLE_OK) {
                /* check_peer's refusal: its words, not libcurl's "aborted by callback". */
                r = e->refused ? -EPERM
                               : transfer_error(e->curl, rc, &e->sink, e->ep, e->timeout_ms, e->curl_error, err);
                free(e->sink.data);
                e->sink = (struct sink){};
                return r;
        }
        curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);

        ret->status = status;
        ret->exchange.peer_uid = e->peer_uid;
        ret->exchange.peer_pid = e->peer_pid;
        ret->body = e->sink.data ? e->sink.data : strdup("");
        ret->len = e->sink.len;
        e->sink = (struct sink){};
        if (!ret->body)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        return 0;
}

int engine_request(struct engine *e, const char *path, struct engine_response *ret, struct nsx_error *err) {
        _cleanup_(engine_response_donep) struct engine_response resp = {};
        int r;

        for (int attempt = 0; attempt < ENGINE_ATTEMPTS_MAX; attempt++) {
                char url[512], hint[16];
                char *asked = resp.exchange.attempts[attempt].path;
                long left = e->timeout_ms - elapsed_ms(&e->start);

                if (left <= 0)
                        return timed_out(e->ep, e->timeout_ms, err);
                /* The URL is made from asked: a path cut short there would ask for something else. */
                if ((size_t) snprintf(asked, sizeof(resp.exchange.attempts[attempt].path), "/v%s%s", e->version,
                                      path) >= sizeof(resp.exchange.attempts[attempt].path) ||
                    (size_t) snprintf(url, sizeof(url), "%s%s", e->ep->base_url, asked) >= sizeof(url))
                        return nsx_error_set(err, NSX_ERR_FAILED, ENAMETOOLONG, "request path too long: %s", path);
                /* The previous attempt's body: this one's replaces it. */
                free(resp.body);
                resp.body = NULL;
                r = perform(e, url, left, &resp, err);
                if (r < 0)
                        return r;
                resp.exchange.attempts[attempt].status = resp.status;
                resp.exchange.n_attempts = attempt + 1;

                /* Only a 400 that names another version is a version problem. */
                if (resp.status != 400)
                        break;
                engine_version_hint(resp.body, resp.len, hint, sizeof(hint));
                if (!hint[0] || streq(hint, e->version))
                        break;
                if (engine_version_cmp(hint, ENGINE_API_MIN) < 0)
                        return nsx_error_set(err, NSX_ERR_FAILED, EPROTONOSUPPORT,
                                             "the engine at %s speaks API %s at most; docker-nsexec needs %s or later",
                                             endpoint_where(e->ep), hint, ENGINE_API_MIN);
                /* Later requests of this exchange ask for the agreed version straight away. */
                snprintf(e->version, sizeof(e->version), "%s", hint);
        }
        *ret = TAKE_STRUCT(resp, (struct engine_response){});
        return 0;
}

int engine_get(const struct endpoint *ep, const char *path, long timeout_ms, struct engine_response *ret,
               struct nsx_error *err) {
        _cleanup_(engine_closep) struct engine *e = NULL;
        int r;

        r = engine_open(ep, timeout_ms, &e, err);
        if (r < 0)
                return r;
        return engine_request(e, path, ret, err);
}

void engine_response_done(struct engine_response *r) {
        free(r->body);
        *r = (struct engine_response){};
}

/* gRPC ---------------------------------------------------------------------------------------- */

DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all)

/* What a gRPC answer's headers and trailers say: grpc-status and grpc-message arrive in the
 * trailers after the message, or in the headers alone when there is none ("trailers-only", an
 * error's usual form); libcurl hands both to the header callback. */
struct grpc_headers {
        bool have_status;
        bool bad_status; /* a grpc-status that is not a number */
        int status;
        char message[256];
};

/* The value of header name ("grpc-status:") in line, trimmed; false when line is another header. */
static bool header_value(const char *line, size_t n, const char *name, const char **ret, size_t *ret_len) {
        size_t k = strlen(name);

        if (n < k || strncasecmp(line, name, k) != 0)
                return false;
        line += k;
        n -= k;
        while (n && (*line == ' ' || *line == '\t')) {
                line++;
                n--;
        }
        while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' ' || line[n - 1] == '\t'))
                n--;
        *ret = line;
        *ret_len = n;
        return true;
}

static size_t grpc_header(char *line, size_t size, size_t nitems, void *userdata) {
        struct grpc_headers *h = userdata;
        size_t n = size * nitems, vlen;
        const char *v;
        unsigned long status = 0;

        if (header_value(line, n, "grpc-status:", &v, &vlen)) {
                h->have_status = true;
                h->bad_status = nsx_parse_decimal(v, vlen, INT_MAX, &status) < 0;
                h->status = h->bad_status ? -1 : (int) status;
        } else if (header_value(line, n, "grpc-message:", &v, &vlen))
                engine_grpc_message_decode(v, vlen, h->message, sizeof(h->message));
        return n;
}

void engine_grpc_message_decode(const char *value, size_t n, char *buf, size_t size) {
        size_t o = 0;

        if (size == 0)
                return;
        for (size_t i = 0; i < n && o + 1 < size; i++) {
                unsigned char c = (unsigned char) value[i];

                /* gRPC percent-encodes every byte outside printable ASCII, and '%' itself; a '%'
                 * not followed by two hex digits is kept as it is, as gRPC's own decoders do. */
                if (c == '%' && i + 2 < n && nsx_hex_digit(value[i + 1]) >= 0 && nsx_hex_digit(value[i + 2]) >= 0) {
                        c = (unsigned char) (nsx_hex_digit(value[i + 1]) * 16 + nsx_hex_digit(value[i + 2]));
                        i += 2;
                }
                /* The engine's words end up on a terminal: no control bytes, no escapes. */
                buf[o++] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
        }
        buf[o] = '\0';
}

int engine_grpc_unframe(const uint8_t *body, size_t len, size_t *ret_off, size_t *ret_len, const char **ret_why) {
        size_t n;

        if (len == 0) {
                *ret_why = "no message";
                return -EPROTO;
        }
        if (len < 5) {
                *ret_why = "a cut message header";
                return -EPROTO;
        }
        if (body[0] != 0) {
                /* No grpc-accept-encoding was sent: a compressed answer is never one asked for. */
                *ret_why = body[0] == 1 ? "a compressed message, which was not offered" : "an unknown message flag";
                return -EPROTO;
        }
        n = (size_t) body[1] << 24 | (size_t) body[2] << 16 | (size_t) body[3] << 8 | (size_t) body[4];
        if (n > len - 5) {
                *ret_why = "a message shorter than its length says";
                return -EPROTO;
        }
        if (n < len - 5) {
                /* A unary call has one answer: bytes after it are a second message, or junk. */
                *ret_why = "more than one message";
                return -EPROTO;
        }
        *ret_off = 5;
        *ret_len = n;
        return 0;
}

int engine_grpc_call(const struct endpoint *ep, const char *method, const uint8_t *req, size_t req_len, long timeout_ms,
                     struct engine_grpc_response *ret, struct nsx_error *err) {
        /* Declared before e: the handle uses the list until it is closed. */
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        _cleanup_(engine_closep) struct engine *e = NULL;
        _cleanup_(engine_response_donep) struct engine_response resp = {};
        _cleanup_free_ uint8_t *frame = NULL;
        struct engine_grpc_response g = {};
        struct grpc_headers h = {};
        const char *where = endpoint_where(ep), *why = "";
        char url[512];
        size_t off = 0, mlen = 0;
        int r;

        /* Debian's libcurl has HTTP/2 (nghttp2); the lean build's bundled one is HTTP/1.1 only. */
        if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2))
                return nsx_error_set(err, NSX_ERR_FAILED, EPROTONOSUPPORT,
                                     "this build's libcurl has no HTTP/2: CRI engines (unix://%s) need the default "
                                     "build (not -Dlean_curl=true)",
                                     where);
        if (!method || method[0] != '/' ||
            (size_t) snprintf(url, sizeof(url), "%s%s", ep->base_url, method) >= sizeof(url) ||
            strlen(method) >= sizeof(g.exchange.attempts[0].path))
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "invalid gRPC method '%s'", method ? method : "");
        if (req_len > ENGINE_BODY_MAX)
                return nsx_error_set(err, NSX_ERR_FAILED, EMSGSIZE, "gRPC request to %s too large (%zu bytes)", method,
                                     req_len);

        /* gRPC's framing: uncompressed (0), a 4-byte big-endian length, the message. */
        frame = malloc(5 + req_len);
        if (!frame)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        frame[0] = 0;
        frame[1] = (uint8_t) (req_len >> 24);
        frame[2] = (uint8_t) (req_len >> 16);
        frame[3] = (uint8_t) (req_len >> 8);
        frame[4] = (uint8_t) req_len;
        if (req_len)
                memcpy(frame + 5, req, req_len);

        if (!(headers = curl_slist_append(NULL, "content-type: application/grpc")) ||
            !curl_slist_append(headers, "te: trailers") ||
            /* No "Expect: 100-continue" round trip, whatever the body's size. */
            !curl_slist_append(headers, "Expect:"))
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");

        /* engine_open's handle: the same socket callbacks and the same peer check (SO_PEERCRED,
         * endpoint_trusts) before a byte goes out; then HTTP/2 without the HTTP/1.1 upgrade. */
        r = engine_open(ep, timeout_ms, &e, err);
        if (r < 0)
                return r;
        if (curl_easy_setopt(e->curl, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE) != CURLE_OK ||
            /* libcurl 7.88 fails a second request on an HTTP/2 prior-knowledge connection
             * (curl#10634, fixed in 8.0): one connection per call, closed after it. */
            curl_easy_setopt(e->curl, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) (5 + req_len)) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS, frame) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_HEADERFUNCTION, grpc_header) != CURLE_OK ||
            curl_easy_setopt(e->curl, CURLOPT_HEADERDATA, &h) != CURLE_OK)
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "this libcurl (%s) lacks a needed feature",
                                     curl_version());

        r = perform(e, url, timeout_ms, &resp, err);
        /* An HTTP/1.1 server (Docker's socket) reads HTTP/2's preface as a bad request and
         * closes: libcurl 7.88 calls that an empty reply. */
        if (r < 0 && e->last_rc == CURLE_GOT_NOTHING)
                return nsx_error_set(err, NSX_ERR_FAILED, EPROTO,
                                     "the engine at %s did not answer in HTTP/2, as a CRI engine does: it closed the "
                                     "connection",
                                     where);
        /* A server that answers an error before it has read the request (an unknown method:
         * trailers-only, at once) then resets the stream, which libcurl 7.88 reports as a
         * failure of the transfer, though the answer is whole: the reset only stops our upload. */
        if (r < 0 && (e->last_rc == CURLE_HTTP2_STREAM || e->last_rc == CURLE_HTTP2) && h.have_status &&
            !h.bad_status && h.status != 0 &&
            curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &resp.status) == CURLE_OK && resp.status == 200) {
                resp.exchange.peer_uid = e->peer_uid;
                resp.exchange.peer_pid = e->peer_pid;
                r = 0;
        }
        /* The same, when libcurl dropped the answer's headers with the stream (it does when the
         * reset comes in the same read as they do): all that is known is the reset. */
        if (r < 0 && e->last_rc == CURLE_HTTP2_STREAM && !h.have_status)
                return nsx_error_set(err, NSX_ERR_FAILED, EPROTO,
                                     "the engine at %s reset the call to %s without an answer: does it serve that "
                                     "method?",
                                     where, method);
        if (r < 0)
                return r;
        snprintf(g.exchange.attempts[0].path, sizeof(g.exchange.attempts[0].path), "%s", method);
        g.exchange.attempts[0].status = resp.status;
        g.exchange.n_attempts = 1;
        g.exchange.peer_uid = resp.exchange.peer_uid;
        g.exchange.peer_pid = resp.exchange.peer_pid;

        /* gRPC answers every call with HTTP 200, errors included: anything else is not gRPC. */
        if (resp.status != 200) {
                r = nsx_error_set(err, NSX_ERR_FAILED, EPROTO, "the engine at %s answered %s with HTTP %ld%s%s", where,
                                  method, resp.status, h.message[0] ? ": " : "", h.message);
                if (err)
                        err->http_status = resp.status;
                return r;
        }
        if (!h.have_status || h.bad_status)
                return nsx_error_set(err, NSX_ERR_FAILED, EPROTO, "the engine at %s answered %s %s: not gRPC", where,
                                     method, h.bad_status ? "with a malformed grpc-status" : "without a grpc-status");
        g.grpc_status = h.status;
        memcpy(g.grpc_message, h.message, sizeof(g.grpc_message));
        if (g.grpc_status == 0) {
                if (engine_grpc_unframe((const uint8_t *) resp.body, resp.len, &off, &mlen, &why) < 0)
                        return nsx_error_set(err, NSX_ERR_FAILED, EPROTO,
                                             "the engine at %s sent a malformed gRPC answer to %s: %s", where, method,
                                             why);
                /* The message in place of the body: no copy of up to ENGINE_BODY_MAX bytes. */
                memmove(resp.body, resp.body + off, mlen);
                g.msg = (uint8_t *) TAKE_PTR(resp.body);
                g.len = mlen;
        }
        *ret = g;
        return 0;
}

void engine_grpc_response_done(struct engine_grpc_response *r) {
        free(r->msg);
        *r = (struct engine_grpc_response){};
}

/* The event stream: the same checked connection as engine_request's (engine_open makes the
 * handle), driven by a multi handle so that the caller can wait on it beside its own fds. */
struct engine_stream {
        struct engine *e;
        CURLM *multi;
        char version[16];            /* the API version asked for */
        struct engine_response resp; /* the answer's headers, and its body when not a 200 */
        struct nsx_error check_err;  /* where check_peer puts a refusal */
        bool headers_done;           /* the answer's header block ended */
        long status;                 /* its HTTP status, once headers_done */
        bool done;                   /* libcurl finished the transfer: result says how */
        CURLcode result;
        bool too_long; /* a line exceeded ENGINE_STREAM_LINE_MAX */
        bool no_memory;
        bool ended; /* the transfer's end was seen: end_r and end say how, every time since */
        int end_r;
        struct nsx_error end;
        /* The body: [start, complete) holds whole lines not yet handed out, [complete, len) the
         * line still arriving. */
        char *buf;
        size_t len, cap, start, complete;
};

/* An error body is kept only to quote the engine's message: its start is enough. */
#define STREAM_ERROR_BODY_MAX ((size_t) 4096)

static bool stream_append(struct engine_stream *s, const char *p, size_t n) {
        if (s->start > 0) {
                /* The lines handed out are gone: the caller's pointer lived until this call. */
                memmove(s->buf, s->buf + s->start, s->len - s->start);
                s->len -= s->start;
                s->complete -= s->start;
                s->start = 0;
        }
        return buf_append(&s->buf, &s->len, &s->cap, p, n);
}

static size_t stream_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
        struct engine_stream *s = userdata;
        size_t n = size * nmemb, from;

        if (s->status != 200) {
                /* An error's body, quoted in the error: its first KiB are enough, the rest is
                 * swallowed so that the transfer ends normally. */
                size_t keep = s->len < STREAM_ERROR_BODY_MAX ? STREAM_ERROR_BODY_MAX - s->len : 0;

                if (keep && !stream_append(s, ptr, keep < n ? keep : n)) {
                        s->no_memory = true;
                        return 0;
                }
                return n;
        }
        if (!stream_append(s, ptr, n)) {
                s->no_memory = true;
                return 0;
        }
        from = s->len - n;
        /* Every line that ends in these bytes, and the one still arriving, within the bound:
         * each byte is scanned once, when it comes. */
        for (const char *nl; (nl = memchr(s->buf + from, '\n', s->len - from)); from = s->complete) {
                if ((size_t) (nl - s->buf) - s->complete > ENGINE_STREAM_LINE_MAX)
                        break;
                s->complete = (size_t) (nl - s->buf) + 1;
        }
        if (s->len - s->complete > ENGINE_STREAM_LINE_MAX) {
                s->too_long = true;
                return 0; /* CURLE_WRITE_ERROR: the stream ends, the lines before it stay */
        }
        return n;
}

static size_t stream_header(char *line, size_t size, size_t nitems, void *userdata) {
        struct engine_stream *s = userdata;
        size_t n = size * nitems;

        /* A status line starts a header block (after a 1xx, another one); the empty line ends it. */
        if (n >= 5 && strncmp(line, "HTTP/", 5) == 0)
                s->headers_done = false;
        else if ((n == 2 && line[0] == '\r' && line[1] == '\n') || (n == 1 && line[0] == '\n')) {
                long status = 0;

                curl_easy_getinfo(s->e->curl, CURLINFO_RESPONSE_CODE, &status);
                if (status >= 200) {
                        s->status = status;
                        s->headers_done = true;
                }
        }
        return header_line(line, size, nitems, &s->resp.exchange);
}

/* What libcurl said when the transfer ended: the stream's end, in words. */
static int stream_end_error(struct engine_stream *s, struct nsx_error *err) {
        struct sink sink = {.no_memory = s->no_memory};
        const char *where = endpoint_where(s->e->ep);

        if (s->e->refused) {
                if (err)
                        *err = s->check_err;
                return -EPERM;
        }
        if (s->too_long)
                return nsx_error_set(err, NSX_ERR_FAILED, EMSGSIZE,
                                     "the engine at %s sent an event line longer than %zu KiB; stream refused", where,
                                     ENGINE_STREAM_LINE_MAX >> 10);
        if (s->result == CURLE_OK || s->result == CURLE_PARTIAL_FILE)
                return nsx_error_set(err, NSX_ERR_FAILED, ECONNRESET, "the engine at %s ended the event stream", where);
        return transfer_error(s->e->curl, s->result, &sink, s->e->ep, s->e->timeout_ms, s->e->curl_error, err);
}

/* Runs the transfer on: reads what came, and notes its end. */
static int stream_perform(struct engine_stream *s) {
        CURLMsg *msg;
        int running, left;

        if (curl_multi_perform(s->multi, &running) != CURLM_OK)
                return -EIO;
        while ((msg = curl_multi_info_read(s->multi, &left)))
                if (msg->msg == CURLMSG_DONE) {
                        s->done = true;
                        s->result = msg->data.result;
                }
        return 0;
}

/* (Re)starts the GET of path at s->version on the handle. */
static int stream_start(struct engine_stream *s, const char *path, long timeout_ms, struct nsx_error *err) {
        char url[1024];

        if ((size_t) snprintf(url, sizeof(url), "%s/v%s%s", s->e->ep->base_url, s->version, path) >= sizeof(url))
                return nsx_error_set(err, NSX_ERR_FAILED, ENAMETOOLONG, "request path too long: %s", path);
        curl_multi_remove_handle(s->multi, s->e->curl);
        s->headers_done = s->done = s->too_long = s->no_memory = false;
        s->status = 0;
        s->len = s->start = s->complete = 0;
        s->e->refused = false;
        s->e->curl_error[0] = '\0';
        if (curl_easy_setopt(s->e->curl, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(s->e->curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) != CURLE_OK ||
            curl_multi_add_handle(s->multi, s->e->curl) != CURLM_OK)
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "this libcurl (%s) lacks a needed feature",
                                     curl_version());
        return 0;
}

int engine_stream_open(const struct endpoint *ep, const char *path, long timeout_ms, struct engine_stream **ret,
                       struct nsx_error *err) {
        _cleanup_(engine_stream_closep) struct engine_stream *s = NULL;
        struct timespec start;
        int r;

        clock_gettime(CLOCK_MONOTONIC, &start);
        s = calloc(1, sizeof(*s));
        if (!s)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        r = engine_open(ep, timeout_ms, &s->e, err);
        if (r < 0)
                return r;
        s->e->err = &s->check_err;
        s->e->resp = &s->resp;
        snprintf(s->version, sizeof(s->version), "%s", ENGINE_API_MIN);
        s->multi = curl_multi_init();
        if (!s->multi)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "cannot initialise libcurl");
        /* The body never ends: no bound on the whole transfer or its size, only on each line
         * (stream_body); the connect and the headers are bounded here, by the loop below. */
        if (curl_easy_setopt(s->e->curl, CURLOPT_TIMEOUT_MS, 0L) != CURLE_OK ||
            curl_easy_setopt(s->e->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) 0) != CURLE_OK ||
            curl_easy_setopt(s->e->curl, CURLOPT_WRITEFUNCTION, stream_body) != CURLE_OK ||
            curl_easy_setopt(s->e->curl, CURLOPT_WRITEDATA, s) != CURLE_OK ||
            curl_easy_setopt(s->e->curl, CURLOPT_HEADERFUNCTION, stream_header) != CURLE_OK ||
            curl_easy_setopt(s->e->curl, CURLOPT_HEADERDATA, s) != CURLE_OK)
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "this libcurl (%s) lacks a needed feature",
                                     curl_version());

        for (int attempt = 0;; attempt++) {
                char hint[16], msg[256];

                r = stream_start(s, path, timeout_ms, err);
                if (r < 0)
                        return r;
                /* Until the status of a 200, or the whole (short) answer of anything else. */
                while (!(s->headers_done && s->status == 200) && !s->done) {
                        long left = timeout_ms - elapsed_ms(&start);

                        if (left <= 0)
                                return timed_out(ep, timeout_ms, err);
                        if (curl_multi_poll(s->multi, NULL, 0, (int) (left < INT_MAX ? left : INT_MAX), NULL) !=
                                    CURLM_OK ||
                            stream_perform(s) < 0)
                                return nsx_error_set(err, NSX_ERR_FAILED, EIO, "cannot wait for the engine at %s",
                                                     endpoint_where(ep));
                }
                if (!s->headers_done)
                        return stream_end_error(s, err);
                if (s->status == 200)
                        break;

                /* A 400 naming another version, as engine_request handles it: once. */
                engine_version_hint(s->buf, s->len, hint, sizeof(hint));
                if (s->status == 400 && attempt == 0 && hint[0] && !streq(hint, s->version) &&
                    engine_version_cmp(hint, ENGINE_API_MIN) >= 0) {
                        snprintf(s->version, sizeof(s->version), "%s", hint);
                        continue;
                }
                container_engine_message(s->buf, s->len, msg, sizeof(msg));
                r = nsx_error_set(err, NSX_ERR_FAILED, s->status == 404 ? ENOENT : EPROTO,
                                  "the engine at %s %s the event stream (HTTP %ld)%s%s", endpoint_where(ep),
                                  s->status >= 500 ? "failed on" : "refused", s->status, msg[0] ? ": " : "", msg);
                if (err)
                        err->http_status = s->status;
                return r;
        }
        s->resp.status = s->status;
        s->resp.exchange.peer_uid = s->e->peer_uid;
        s->resp.exchange.peer_pid = s->e->peer_pid;
        *ret = TAKE_PTR(s);
        return 0;
}

int engine_stream_wait(struct engine_stream *s, struct pollfd *extra, unsigned n_extra, int timeout_ms,
                       struct nsx_error *err) {
        _cleanup_free_ struct curl_waitfd *wait = NULL;
        struct timespec start;

        /* Lines not yet handed out come first: the end (if any) is reported once they are. */
        if (s->start < s->complete)
                timeout_ms = 0;
        else if (s->ended) {
                if (err)
                        *err = s->end;
                return s->end_r;
        }
        if (n_extra > 0) {
                wait = calloc(n_extra, sizeof(*wait));
                if (!wait)
                        return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                for (unsigned i = 0; i < n_extra; i++) {
                        wait[i].fd = extra[i].fd;
                        wait[i].events = (short) (((extra[i].events & POLLIN) ? CURL_WAIT_POLLIN : 0) |
                                                  ((extra[i].events & POLLPRI) ? CURL_WAIT_POLLPRI : 0) |
                                                  ((extra[i].events & POLLOUT) ? CURL_WAIT_POLLOUT : 0));
                }
        }
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                size_t had = s->complete;
                long left = timeout_ms < 0 ? INT_MAX : timeout_ms - elapsed_ms(&start);
                int n = 0;

                if (left < 0)
                        left = 0;
                if (!s->done && curl_multi_poll(s->multi, wait, n_extra, (int) left, NULL) != CURLM_OK)
                        return nsx_error_set(err, NSX_ERR_FAILED, EIO, "cannot wait for the engine at %s",
                                             endpoint_where(s->e->ep));
                /* libcurl passes on POLLIN, POLLPRI and POLLOUT only: poll(2) itself says which fd
                 * moved, POLLHUP, POLLERR and POLLNVAL included. */
                if (n_extra > 0) {
                        n = poll(extra, n_extra, 0);
                        if (n < 0)
                                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "poll");
                }
                if (!s->done && stream_perform(s) < 0)
                        return nsx_error_set(err, NSX_ERR_FAILED, EIO, "cannot read from the engine at %s",
                                             endpoint_where(s->e->ep));
                if (s->done && !s->ended) {
                        s->ended = true;
                        s->end_r = stream_end_error(s, &s->end);
                        if (s->start == s->complete) {
                                if (err)
                                        *err = s->end;
                                return s->end_r;
                        }
                }
                /* Something for the caller: fds that moved, new lines (or lines left), or the time. */
                if (n > 0 || s->complete != had || s->start < s->complete || left == 0)
                        return n;
                if (s->ended) {
                        if (err)
                                *err = s->end;
                        return s->end_r;
                }
        }
}

const char *engine_stream_line(struct engine_stream *s, size_t *ret_len) {
        char *line, *nl;

        if (s->start >= s->complete)
                return NULL;
        line = s->buf + s->start;
        nl = memchr(line, '\n', s->complete - s->start);
        *nl = '\0';
        s->start = (size_t) (nl - s->buf) + 1;
        if (ret_len)
                *ret_len = (size_t) (nl - line);
        return line;
}

void engine_stream_close(struct engine_stream *s) {
        if (!s)
                return;
        if (s->multi) {
                curl_multi_remove_handle(s->multi, s->e->curl);
                curl_multi_cleanup(s->multi);
        }
        /* The easy handle and the global state last: libcurl wants the multi handle gone first. */
        engine_close(s->e);
        free(s->buf);
        free(s);
}
