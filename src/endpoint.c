/* SPDX-License-Identifier: MIT */
/* Endpoint selection and parsing; never touches the socket itself. */
#include "endpoint.h"

#include <errno.h>
#include <string.h>

#include "util.h"

#define UNIX_SCHEME "unix://"

const char *endpoint_source_name(enum endpoint_source source) {
        switch (source) {
        case ENDPOINT_FROM_FLAG:
                return "--host";
        case ENDPOINT_FROM_ENV:
                return "DOCKER_HOST";
        case ENDPOINT_FROM_DEFAULT:
                return "default";
        }
        return "?";
}

int endpoint_parse(const char *uri, enum endpoint_source source, struct endpoint *ret, struct nsx_error *err) {
        const char *name = endpoint_source_name(source);
        const char *path;
        size_t len;

        if (strncmp(uri, UNIX_SCHEME, strlen(UNIX_SCHEME)) != 0) {
                /* tcp://, ssh://, fd://: namespace entry needs the container's processes on this
                 * machine, and a unix socket is how a local engine is reached. */
                if (strstr(uri, "://"))
                        return nsx_error_set(err, NSX_ERR_ENDPOINT, EPROTONOSUPPORT,
                                             "unsupported engine endpoint '%s' (from %s): only unix:///path sockets are supported",
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
                                     "engine socket path too long (%zu bytes, at most %zu): %s", len, ENDPOINT_PATH_MAX,
                                     path);

        *ret = (struct endpoint) {.source = source};
        memcpy(ret->socket_path, path, len + 1);
        return 0;
}

int endpoint_resolve(const char *flag_host, const char *env_host, const char *default_host, struct endpoint *ret,
                     struct nsx_error *err) {
        /* Same priority as the docker CLI; an empty DOCKER_HOST counts as unset, as there. */
        if (flag_host)
                return endpoint_parse(flag_host, ENDPOINT_FROM_FLAG, ret, err);
        if (env_host && env_host[0] != '\0')
                return endpoint_parse(env_host, ENDPOINT_FROM_ENV, ret, err);
        return endpoint_parse(default_host, ENDPOINT_FROM_DEFAULT, ret, err);
}
