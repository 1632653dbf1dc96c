/* SPDX-License-Identifier: MIT */
/* libFuzzer target: one line of the engine's event stream (events_parse), and events_path of
 * whatever the bytes spell, as untrusted bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_of(const char *s, size_t n, const char *set) {
        return strspn(s, set) == n && s[n] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct engine_event ev, untouched;
        char path[256], *id;

        memset(&ev, 0x5a, sizeof(ev));
        untouched = ev;
        if (events_parse((const char *) data, size, &ev) == 0) {
                /* What the parser accepts is what the header promises. */
                size_t n = strnlen(ev.action, sizeof(ev.action));

                if (!all_of(ev.id, CONTAINER_ID_LEN, "0123456789abcdef") || n == 0 || n >= sizeof(ev.action) ||
                    !all_of(ev.action, n, "abcdefghijklmnopqrstuvwxyz_-"))
                        __builtin_trap();
                /* An accepted ID makes a path, which carries it unchanged. */
                if (events_path(ev.id, path, sizeof(path)) != 0 || !strstr(path, ev.id))
                        __builtin_trap();
        } else if (memcmp(&ev, &untouched, sizeof(ev)) != 0)
                __builtin_trap(); /* touched on failure */

        id = strndup((const char *) data, size);
        if (!id)
                return 0;
        if (events_path(id, path, sizeof(path)) == 0 &&
            (strlen(id) != CONTAINER_ID_LEN || !all_of(id, CONTAINER_ID_LEN, "0123456789abcdef")))
                __builtin_trap();
        free(id);
        return 0;
}
