/* SPDX-License-Identifier: MIT */
/* The docker CLI's files, read as untrusted bytes: each field's type is checked. */
#include "context.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "util.h"

/* Copies an optional string field; a present field of another type, or one that does not fit,
 * is invalid. */
static int copy_string(const cJSON *v, char *buf, size_t size) {
        buf[0] = '\0';
        if (!v || cJSON_IsNull(v))
                return CONTEXT_PARSE_OK;
        if (!cJSON_IsString(v) || strlen(v->valuestring) >= size)
                return CONTEXT_PARSE_INVALID;
        memcpy(buf, v->valuestring, strlen(v->valuestring) + 1);
        return CONTEXT_PARSE_OK;
}

int context_parse_config(const char *text, size_t len, char *buf, size_t size) {
        _cleanup_(cJSON_Deletep) cJSON *root = cJSON_ParseWithLength(text, len);

        if (!cJSON_IsObject(root))
                return CONTEXT_PARSE_INVALID;
        return copy_string(cJSON_GetObjectItemCaseSensitive(root, "currentContext"), buf, size);
}

int context_parse_meta(const char *text, size_t len, char *name, size_t name_size, char *host, size_t host_size,
                       bool *skip_tls_verify) {
        _cleanup_(cJSON_Deletep) cJSON *root = cJSON_ParseWithLength(text, len);
        const cJSON *endpoints, *docker, *skip;

        *skip_tls_verify = false;
        if (!cJSON_IsObject(root))
                return CONTEXT_PARSE_INVALID;
        if (copy_string(cJSON_GetObjectItemCaseSensitive(root, "Name"), name, name_size) < 0)
                return CONTEXT_PARSE_INVALID;
        host[0] = '\0';
        endpoints = cJSON_GetObjectItemCaseSensitive(root, "Endpoints");
        if (!endpoints)
                return CONTEXT_PARSE_OK;
        if (!cJSON_IsObject(endpoints))
                return CONTEXT_PARSE_INVALID;
        docker = cJSON_GetObjectItemCaseSensitive(endpoints, "docker");
        if (!docker)
                return CONTEXT_PARSE_OK;
        if (!cJSON_IsObject(docker))
                return CONTEXT_PARSE_INVALID;
        /* A SkipTLSVerify that is not a boolean could mean either: the file is invalid. */
        skip = cJSON_GetObjectItemCaseSensitive(docker, "SkipTLSVerify");
        if (skip && !cJSON_IsNull(skip)) {
                if (!cJSON_IsBool(skip))
                        return CONTEXT_PARSE_INVALID;
                *skip_tls_verify = cJSON_IsTrue(skip);
        }
        return copy_string(cJSON_GetObjectItemCaseSensitive(docker, "Host"), host, host_size);
}
