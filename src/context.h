/* SPDX-License-Identifier: MIT */
/* Pure parsers for the docker CLI's configuration: config.json and a context's meta.json. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Results of the parsers below. */
enum context_parse {
        CONTEXT_PARSE_OK = 0,
        CONTEXT_PARSE_INVALID = -1, /* not JSON, or a field of the wrong type */
};

/* config.json → its "currentContext" into buf ("" when absent or empty). */
int context_parse_config(const char *text, size_t len, char *buf, size_t size);

/* meta.json → "Name", "Endpoints.docker.Host" ("" when absent) and
 * "Endpoints.docker.SkipTLSVerify" (false when absent): true means TLS without verifying the
 * engine's certificate, which is still TLS. */
int context_parse_meta(const char *text, size_t len, char *name, size_t name_size, char *host, size_t host_size,
                       bool *skip_tls_verify);
