/* SPDX-License-Identifier: MIT */
/* libcurl over a unix socket. Knows HTTP, not the shapes of the JSON it carries. */
#include "engine.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(CURL *, curl_easy_cleanup)

struct sink {
        char *data;
        size_t len, cap;
        bool too_large;
        bool no_memory;
};

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        struct sink *s = userdata;
        size_t n = size * nmemb;

        if (n > ENGINE_BODY_MAX - s->len) {
                s->too_large = true;
                return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
        }
        if (s->len + n + 1 > s->cap) {
                size_t cap = s->cap ? s->cap : 16384;
                char *p;

                while (cap < s->len + n + 1)
                        cap *= 2;
                p = realloc(s->data, cap);
                if (!p) {
                        s->no_memory = true;
                        return 0;
                }
                s->data = p;
                s->cap = cap;
        }
        memcpy(s->data + s->len, ptr, n);
        s->len += n;
        s->data[s->len] = '\0';
        return n;
}

/* A failed connect says little on its own; name the cause the user can act on. */
static int connect_error(const char *path, long os_errno, struct nsx_error *err) {
        struct stat st;
        int e = (int) os_errno;

        if (stat(path, &st) < 0)
                e = errno;
        else if (!S_ISSOCK(st.st_mode))
                e = ENOTSOCK;

        switch (e) {
        case ENOENT:
                nsx_error_set(err, NSX_ERR_ENGINE, e, "cannot connect to the engine: %s does not exist", path);
                nsx_error_hint(err, "is the Docker daemon running? (choose another socket with -H unix:///path)");
                break;
        case EACCES:
        case EPERM:
                nsx_error_set(err, NSX_ERR_ENGINE, e, "cannot connect to the engine: permission denied on %s", path);
                nsx_error_hint(err, "docker-nsexec needs root (the engine socket and namespace entry both require it)");
                break;
        case ENOTSOCK:
                nsx_error_set(err, NSX_ERR_ENGINE, e, "cannot connect to the engine: %s is not a socket", path);
                break;
        case ECONNREFUSED:
                nsx_error_set(err, NSX_ERR_ENGINE, e, "cannot connect to the engine: nothing listens on %s", path);
                nsx_error_hint(err, "is the Docker daemon running?");
                break;
        default:
                nsx_error_set(err, NSX_ERR_ENGINE, e, "cannot connect to the engine at %s: %s", path,
                              e ? strerror(e) : "connection failed");
                break;
        }
        return e > 0 ? -e : -ECONNREFUSED;
}

static int transfer_error(CURL *curl, CURLcode rc, const struct sink *sink, const char *path, long timeout_ms,
                          struct nsx_error *err) {
        long os_errno = 0;

        curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
        switch (rc) {
        case CURLE_COULDNT_CONNECT:
                return connect_error(path, os_errno, err);
        case CURLE_OPERATION_TIMEDOUT:
                return nsx_error_set(err, NSX_ERR_ENGINE, ETIMEDOUT,
                                     "the engine at %s did not answer within %g s (--timeout)", path,
                                     (double) timeout_ms / 1000.0);
        case CURLE_FILESIZE_EXCEEDED:
                return nsx_error_set(err, NSX_ERR_ENGINE, EMSGSIZE,
                                     "the engine at %s sent a response larger than %zu MiB; refused", path,
                                     ENGINE_BODY_MAX >> 20);
        case CURLE_WRITE_ERROR:
                if (sink->too_large)
                        return transfer_error(curl, CURLE_FILESIZE_EXCEEDED, sink, path, timeout_ms, err);
                if (sink->no_memory)
                        return nsx_error_set(err, NSX_ERR_ENGINE, ENOMEM, "out of memory reading the engine's answer");
                break;
        case CURLE_GOT_NOTHING:
                return nsx_error_set(err, NSX_ERR_ENGINE, ECONNRESET,
                                     "the engine at %s closed the connection without answering", path);
        case CURLE_PARTIAL_FILE:
                return nsx_error_set(err, NSX_ERR_ENGINE, EPROTO, "the engine at %s cut its answer short", path);
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
                return nsx_error_set(err, NSX_ERR_ENGINE, os_errno ? (int) os_errno : ECONNRESET,
                                     "lost the connection to the engine at %s: %s", path,
                                     strerror(os_errno ? (int) os_errno : ECONNRESET));
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_UNSUPPORTED_PROTOCOL:
                return nsx_error_set(err, NSX_ERR_ENGINE, EPROTO, "the engine at %s did not answer in HTTP", path);
        default:
                break;
        }
        return nsx_error_set(err, NSX_ERR_ENGINE, EIO, "request to the engine at %s failed: %s", path,
                             curl_easy_strerror(rc));
}

static int perform(const struct endpoint *ep, const char *path, long timeout_ms, struct engine_response *ret,
                   struct nsx_error *err) {
        _cleanup_(curl_easy_cleanupp) CURL *curl = NULL;
        struct sink sink = {};
        char url[512];
        CURLcode rc;
        long status = 0;
        int r;

        if ((size_t) snprintf(url, sizeof(url), "http://localhost%s", path) >= sizeof(url))
                return nsx_error_set(err, NSX_ERR_ENGINE, ENAMETOOLONG, "request path too long: %s", path);

        curl = curl_easy_init();
        if (!curl)
                return nsx_error_set(err, NSX_ERR_ENGINE, ENOMEM, "cannot initialise libcurl");

        /* Each setopt below either bounds the exchange or keeps libcurl from doing more than one
         * plain HTTP/1.1 GET on this one socket: no proxies, no redirects, no other protocols. */
        if (curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, ep->socket_path) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http") != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_PROXY, "") != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) ENGINE_BODY_MAX) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_USERAGENT, "docker-nsexec/" NSX_VERSION) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink_write) != CURLE_OK ||
            curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink) != CURLE_OK) {
                return nsx_error_set(err, NSX_ERR_ENGINE, EINVAL, "this libcurl (%s) lacks a needed feature",
                                     curl_version());
        }

        rc = curl_easy_perform(curl);
        if (rc != CURLE_OK) {
                r = transfer_error(curl, rc, &sink, ep->socket_path, timeout_ms, err);
                free(sink.data);
                return r;
        }
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);

        *ret = (struct engine_response) {
                .status = status,
                .body = sink.data ? sink.data : strdup(""),
                .len = sink.len,
        };
        if (!ret->body)
                return nsx_error_set(err, NSX_ERR_ENGINE, ENOMEM, "out of memory");
        return 0;
}

int engine_get(const struct endpoint *ep, const char *path, long timeout_ms, struct engine_response *ret,
               struct nsx_error *err) {
        int r;

        /* CURL_GLOBAL_NOTHING: a unix-socket GET needs no TLS or Winsock set-up, and skipping
         * it saves start-up time. Cleaning up here leaves no libcurl state (or fd) behind. */
        if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
                return nsx_error_set(err, NSX_ERR_ENGINE, ENOMEM, "cannot initialise libcurl");
        r = perform(ep, path, timeout_ms, ret, err);
        curl_global_cleanup();
        return r;
}

void engine_response_free(struct engine_response *r) {
        free(r->body);
        *r = (struct engine_response) {};
}
