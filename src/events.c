/* SPDX-License-Identifier: MIT */
/* The event stream's lines: which container, and what happened to it. Engine bytes, read strictly. */
#include "events.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "util.h"

static bool id_ok(const char *id) {
        if (!id || strlen(id) != CONTAINER_ID_LEN)
                return false;
        for (size_t i = 0; i < CONTAINER_ID_LEN; i++)
                if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
                        return false;
        return true;
}

int events_path(const char *id, char *buf, size_t size) {
        int n;

        /* The ID goes into a URL unescaped: only hex can go there as it is. */
        if (!id_ok(id))
                return -EINVAL;
        /* {"container":[ID],"type":["container"]}, percent-encoded: both filters exist since
         * API 1.24 in Docker and in Podman's compatible API. */
        n = snprintf(buf, size,
                     "/events?filters=%%7B%%22container%%22%%3A%%5B%%22%s%%22%%5D%%2C%%22type%%22%%3A%%5B%%22"
                     "container%%22%%5D%%7D",
                     id);
        if (n < 0 || (size_t) n >= size)
                return -ENAMETOOLONG;
        return 0;
}

/* The string member name of obj: NULL when absent or null, (const char *) -1 when of another
 * type (a line to refuse). */
#define WRONG_TYPE ((const char *) -1)
static const char *member_string(const cJSON *obj, const char *name) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);

        if (!m || cJSON_IsNull(m))
                return NULL;
        return cJSON_IsString(m) ? m->valuestring : WRONG_TYPE;
}

/* Of two spellings of one field (the current one, and the one before API 1.22 that engines still
 * send beside it), the first present; the line is refused when they disagree. */
static int pick(const char *current, const char *old, const char **ret) {
        if (current == WRONG_TYPE || old == WRONG_TYPE)
                return -EBADMSG;
        if (current && old && !streq(current, old))
                return -EBADMSG;
        *ret = current ? current : old;
        return *ret ? 0 : -EBADMSG;
}

int events_parse(const char *line, size_t len, struct engine_event *ret) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const cJSON *actor;
        const char *end = NULL, *type, *id, *action;
        size_t n;

        root = cJSON_ParseWithLengthOpts(line, len, &end, false);
        if (!cJSON_IsObject(root) || !end)
                return -EBADMSG;
        /* One object a line, nothing after it but blanks (a "\r" included). */
        for (; end < line + len; end++)
                if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n')
                        return -EBADMSG;

        /* Type is absent only before API 1.22, when every event was a container's. */
        type = member_string(root, "Type");
        if (type == WRONG_TYPE || (type && !streq(type, "container")))
                return -EBADMSG;

        actor = cJSON_GetObjectItemCaseSensitive(root, "Actor");
        if (actor && !cJSON_IsNull(actor) && !cJSON_IsObject(actor))
                return -EBADMSG;
        if (pick(cJSON_IsObject(actor) ? member_string(actor, "ID") : NULL, member_string(root, "id"), &id) < 0 ||
            !id_ok(id))
                return -EBADMSG;

        if (pick(member_string(root, "Action"), member_string(root, "status"), &action) < 0)
                return -EBADMSG;
        /* Docker's exec and health events carry a detail after a colon ("exec_start: sh -c ...",
         * "health_status: healthy"): the action is the word before it; the detail (a command
         * line, of anyone's choosing) is dropped unread. */
        n = strcspn(action, ":");
        if (n == 0 || n >= sizeof(ret->action))
                return -EBADMSG;
        for (size_t i = 0; i < n; i++)
                if (!((action[i] >= 'a' && action[i] <= 'z') || action[i] == '_' || action[i] == '-'))
                        return -EBADMSG;

        memcpy(ret->id, id, CONTAINER_ID_LEN + 1);
        memcpy(ret->action, action, n);
        ret->action[n] = '\0';
        return 0;
}
