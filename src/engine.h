/* SPDX-License-Identifier: MIT */
/* HTTP GETs to the engine over one kept-alive connection: status and body, bounded in size and
 * time, API version agreed. */
#pragma once

#include <stddef.h>

#include "endpoint.h"
#include "error.h"

/* The API version asked for first; every field read here exists unchanged since 1.24. */
#define ENGINE_API_VERSION "1.41"
#define ENGINE_API_MIN "1.24"

/* Responses larger than this are refused: an inspect answer is a few KiB. */
#define ENGINE_BODY_MAX ((size_t) 8 << 20)

#define ENGINE_ATTEMPTS_MAX 2

struct engine_response {
        long status;
        char *body; /* NUL-terminated, owned */
        size_t len;
        char server_api[16]; /* the Api-Version header, "" if none */
        char libpod_api[32]; /* the Libpod-Api-Version header: the engine is Podman */
        /* The requests made, for -v: one, or two when the engine asked for another version. */
        struct {
                char path[320];
                long status;
        } attempts[ENGINE_ATTEMPTS_MAX];
        int n_attempts;
};

/* One exchange with the engine: a connection kept alive across requests, one deadline
 * (timeout_ms from engine_open) for all of them, and the API version agreed on the first. */
struct engine;

int engine_open(const struct endpoint *ep, long timeout_ms, struct engine **ret, struct nsx_error *err);

/* GETs /vVERSION/path (path starts with "/"). Asks for ENGINE_API_VERSION; when the engine
 * answers that this is too new or too old for it, asks once more with the version it names
 * (refusing one older than ENGINE_API_MIN) and keeps that version for later requests: the
 * common case stays one request, with no /_ping first.
 * On success *ret holds any HTTP status, 4xx/5xx included: their meaning belongs to the caller. */
int engine_request(struct engine *e, const char *path, struct engine_response *ret, struct nsx_error *err);

/* Closes the connection and frees everything of libcurl (it does not set O_CLOEXEC, so this
 * must run before any setns or exec). NULL is fine. */
void engine_close(struct engine *e);

static inline void engine_closep(struct engine **e) {
        engine_close(*e);
}

/* open + one request + close: for the single lookup of a normal run. */
int engine_get(const struct endpoint *ep, const char *path, long timeout_ms, struct engine_response *ret,
               struct nsx_error *err);

/* Pure: the API version an engine's "client version X is too new/old" answer points to, into
 * buf ("" if the body says no such thing). */
void engine_version_hint(const char *body, size_t len, char *buf, size_t size);

/* Pure: compares "1.41"-style versions; <0, 0, >0. Non-versions compare lowest. */
int engine_version_cmp(const char *a, const char *b);

void engine_response_free(struct engine_response *r);
