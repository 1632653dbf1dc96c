/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the docker CLI's config.json and a context's meta.json, then the endpoint
 * URI a context names, as untrusted bytes. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "context.h"
#include "endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* Small buffers: a field that does not fit must be refused, never cut or overrun. */
        char current[16], name[16], host[160];
        struct nsx_error err = {};
        struct endpoint ep;
        bool skip_tls_verify;

        if (context_parse_config((const char *) data, size, current, sizeof(current)) == CONTEXT_PARSE_OK &&
            strlen(current) >= sizeof(current))
                __builtin_trap();
        if (context_parse_meta((const char *) data, size, name, sizeof(name), host, sizeof(host), &skip_tls_verify) ==
            CONTEXT_PARSE_OK) {
                if (strlen(name) >= sizeof(name) || strlen(host) >= sizeof(host))
                        __builtin_trap();
                /* What endpoint_resolve does with a context's Host. */
                if (host[0] && endpoint_parse(host, ENDPOINT_FROM_CONTEXT_FLAG, &ep, &err) == 0 &&
                    ep.kind == ENDPOINT_UNIX &&
                    (ep.socket_path[0] != '/' || strlen(ep.socket_path) > ENDPOINT_PATH_MAX))
                        __builtin_trap();
        }
        return 0;
}
