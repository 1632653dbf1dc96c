/* SPDX-License-Identifier: MIT */
/* Engine JSON → struct container. No sockets, no files: tests and fuzzers drive it with bytes. */
#include "container.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)

static const char *const status_names[] = {
        [CONTAINER_STATUS_UNKNOWN] = "unknown",     [CONTAINER_STATUS_CREATED] = "created",
        [CONTAINER_STATUS_RUNNING] = "running",     [CONTAINER_STATUS_PAUSED] = "paused",
        [CONTAINER_STATUS_RESTARTING] = "restarting", [CONTAINER_STATUS_REMOVING] = "removing",
        [CONTAINER_STATUS_EXITED] = "exited",       [CONTAINER_STATUS_DEAD] = "dead",
};

const char *container_status_name(enum container_status status) {
        if ((size_t) status < ELEMENTSOF(status_names))
                return status_names[status];
        return "unknown";
}

static enum container_status status_from_name(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(status_names); i++)
                if (streq(s, status_names[i]))
                        return (enum container_status) i;
        return CONTAINER_STATUS_UNKNOWN;
}

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int container_ref_check(const char *typed, const char **ret_ref, struct nsx_error *err) {
        const char *ref = typed[0] == '/' ? typed + 1 : typed;

        if (ref[0] == '\0')
                return nsx_error_set(err, NSX_ERR_NOT_FOUND, EINVAL, "invalid container name or ID '%s'", typed);
        if (!is_alnum(ref[0]))
                return nsx_error_set(err, NSX_ERR_NOT_FOUND, EINVAL,
                                     "invalid container name or ID '%s': it must start with a letter or digit", typed);
        for (const char *p = ref; *p; p++)
                if (!is_alnum(*p) && *p != '_' && *p != '.' && *p != '-')
                        return nsx_error_set(err, NSX_ERR_NOT_FOUND, EINVAL,
                                             "invalid container name or ID '%s': only letters, digits, '_', '.' and '-' are allowed",
                                             typed);
        *ret_ref = ref;
        return 0;
}

int container_inspect_path(const char *ref, char *buf, size_t size) {
        /* A checked reference holds only URL-unreserved characters, so it needs no escaping. */
        int n = snprintf(buf, size, "/containers/%s/json", ref);

        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

void container_engine_message(const char *body, size_t len, char *buf, size_t size) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const cJSON *msg;
        size_t n = 0;

        if (size == 0)
                return;
        buf[0] = '\0';
        if (!body || len == 0)
                return;

        root = cJSON_ParseWithLength(body, len);
        msg = cJSON_GetObjectItemCaseSensitive(root, "message");
        if (cJSON_IsString(msg)) {
                snprintf(buf, size, "%s", msg->valuestring);
                return;
        }

        /* Not the engine's JSON error shape: show the first line of what came, bounded. */
        while (n < len && n + 1 < size && body[n] != '\n' && body[n] != '\r' && body[n] != '\0') {
                buf[n] = body[n];
                n++;
        }
        buf[n] = '\0';
}

/* The engine's fields are untrusted bytes: each read checks the type it expects. */
static int bad_answer(const char *ref, const char *what, struct nsx_error *err) {
        return nsx_error_set(err, NSX_ERR_ENGINE, EBADMSG, "the engine's answer for container '%s' is malformed: %s",
                             ref, what);
}

static int read_bool(const cJSON *obj, const char *key, bool *ret) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

        if (!v) {
                *ret = false;
                return 0;
        }
        if (!cJSON_IsBool(v))
                return -EBADMSG;
        *ret = cJSON_IsTrue(v);
        return 0;
}

int container_parse_inspect(const char *ref, const char *body, size_t len, struct container *ret,
                            struct nsx_error *err) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const cJSON *id, *name, *state, *status, *pid;
        struct container c = {};
        double p;

        root = cJSON_ParseWithLength(body, len);
        if (!cJSON_IsObject(root))
                return bad_answer(ref, "not a JSON object", err);

        id = cJSON_GetObjectItemCaseSensitive(root, "Id");
        if (!cJSON_IsString(id) || strlen(id->valuestring) != CONTAINER_ID_LEN)
                return bad_answer(ref, "Id is not a 64-digit ID", err);
        for (size_t i = 0; i < CONTAINER_ID_LEN; i++)
                if (!is_lower_hex(id->valuestring[i]))
                        return bad_answer(ref, "Id is not hexadecimal", err);
        memcpy(c.id, id->valuestring, CONTAINER_ID_LEN + 1);

        name = cJSON_GetObjectItemCaseSensitive(root, "Name");
        if (name && !cJSON_IsString(name))
                return bad_answer(ref, "Name is not a string", err);

        state = cJSON_GetObjectItemCaseSensitive(root, "State");
        if (!cJSON_IsObject(state))
                return bad_answer(ref, "State is missing", err);

        status = cJSON_GetObjectItemCaseSensitive(state, "Status");
        if (status && !cJSON_IsString(status))
                return bad_answer(ref, "State.Status is not a string", err);
        c.status = status ? status_from_name(status->valuestring) : CONTAINER_STATUS_UNKNOWN;

        if (read_bool(state, "Running", &c.running) < 0 || read_bool(state, "Paused", &c.paused) < 0 ||
            read_bool(state, "Restarting", &c.restarting) < 0 || read_bool(state, "Dead", &c.dead) < 0)
                return bad_answer(ref, "a State flag is not a boolean", err);

        /* cJSON keeps numbers as doubles: accept only exact integers a pid_t can hold. */
        pid = cJSON_GetObjectItemCaseSensitive(state, "Pid");
        if (!cJSON_IsNumber(pid))
                return bad_answer(ref, "State.Pid is missing or not a number", err);
        p = pid->valuedouble;
        if (!isfinite(p) || p != floor(p) || p < 0 || p > (double) INT_MAX)
                return bad_answer(ref, "State.Pid is not a valid process ID", err);
        c.pid = (pid_t) p;

        c.name = strdup(name ? name->valuestring + (name->valuestring[0] == '/') : "");
        if (!c.name)
                return nsx_error_set(err, NSX_ERR_ENGINE, ENOMEM, "out of memory");

        *ret = c;
        return 0;
}

int container_from_response(const char *ref, long status, const char *body, size_t len, struct container *ret,
                            struct nsx_error *err) {
        char msg[256];
        int r;

        if (status == 200)
                return container_parse_inspect(ref, body, len, ret, err);

        container_engine_message(body, len, msg, sizeof(msg));
        /* An ambiguous ID prefix: Docker answers 400 (500 in 20.10) "multiple IDs found with
         * provided prefix", Podman a 404 "more than one result for container ID". */
        if (strcasestr(msg, "multiple IDs found") || strcasestr(msg, "more than one result"))
                r = nsx_error_set(err, NSX_ERR_NOT_FOUND, ENOENT, "ambiguous container ID prefix '%s' (HTTP %ld): %s", ref,
                                  status, msg);
        else if (status == 404)
                r = nsx_error_set(err, NSX_ERR_NOT_FOUND, ENOENT, "no such container: '%s'", ref);
        else if (msg[0])
                r = nsx_error_set(err, NSX_ERR_ENGINE, EPROTO, "the engine refused container '%s' (HTTP %ld): %s", ref,
                                  status, msg);
        else
                r = nsx_error_set(err, NSX_ERR_ENGINE, EPROTO, "the engine refused container '%s' (HTTP %ld)", ref,
                                  status);
        if (err)
                err->http_status = status;
        return r;
}

int container_check_running(const char *ref, const struct container *c, struct nsx_error *err) {
        /* Docker reports a paused or restarting container as Running too: test those first. */
        if (c->paused || c->status == CONTAINER_STATUS_PAUSED) {
                nsx_error_set(err, NSX_ERR_NOT_RUNNING, EAGAIN, "container '%s' is paused", ref);
                nsx_error_hint(err, "its processes are frozen; 'docker unpause %s' first", ref);
                return -EAGAIN;
        }
        if (c->restarting || c->status == CONTAINER_STATUS_RESTARTING) {
                nsx_error_set(err, NSX_ERR_NOT_RUNNING, EAGAIN, "container '%s' is restarting", ref);
                nsx_error_hint(err, "it has no process right now; try again once it is up");
                return -EAGAIN;
        }
        if (c->dead || c->status == CONTAINER_STATUS_DEAD)
                return nsx_error_set(err, NSX_ERR_NOT_RUNNING, ESRCH, "container '%s' is dead", ref);
        if (c->status == CONTAINER_STATUS_REMOVING)
                return nsx_error_set(err, NSX_ERR_NOT_RUNNING, ESRCH, "container '%s' is being removed", ref);
        if (!c->running) {
                if (c->status == CONTAINER_STATUS_CREATED) {
                        nsx_error_set(err, NSX_ERR_NOT_RUNNING, ESRCH, "container '%s' was created but never started",
                                      ref);
                        nsx_error_hint(err, "start it with 'docker start %s'", ref);
                        return -ESRCH;
                }
                nsx_error_set(err, NSX_ERR_NOT_RUNNING, ESRCH, "container '%s' is not running (%s)", ref,
                              container_status_name(c->status));
                nsx_error_hint(err, "start it with 'docker start %s'", ref);
                return -ESRCH;
        }
        if (c->pid <= 0)
                return nsx_error_set(err, NSX_ERR_NOT_RUNNING, ESRCH,
                                     "container '%s' is running but the engine reports no process (PID 0)", ref);
        return 0;
}

void container_done(struct container *c) {
        free(c->name);
        c->name = NULL;
}
