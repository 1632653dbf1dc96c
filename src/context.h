/* SPDX-License-Identifier: MIT */
/* Pure parsers for the docker CLI's configuration: config.json and a context's meta.json. */
#pragma once

#include <stddef.h>

/* Results of the parsers below. */
enum context_parse {
        CONTEXT_PARSE_OK = 0,
        CONTEXT_PARSE_INVALID = -1, /* not JSON, or a field of the wrong type */
};

/* config.json → its "currentContext" into buf ("" when absent or empty). */
int context_parse_config(const char *text, size_t len, char *buf, size_t size);

/* meta.json → "Name" and "Endpoints.docker.Host" ("" when absent). */
int context_parse_meta(const char *text, size_t len, char *name, size_t name_size, char *host, size_t host_size);
