/* SPDX-License-Identifier: MIT */
/* libFuzzer target: an engine's inspect answer, any status, as untrusted bytes. */
#include <stdint.h>
#include <string.h>

#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first byte picks the HTTP status, so one corpus drives the 200 parser and the error path
 * (the engine's {"message": ...} and the ambiguity check) alike. */
static const long statuses[] = {200, 404, 400, 409, 500, 502};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct nsx_error err = {};
        struct container c = {};
        char msg[64];
        long status;

        if (size == 0)
                return 0;
        status = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
        data++;
        size--;

        /* Bytes, not a string: the parsers must stop at size, NUL or not. */
        if (container_from_response("web", status, (const char *) data, size, &c, &err) == 0) {
                /* What the caller relies on after a success. */
                if (strlen(c.id) != CONTAINER_ID_LEN || !c.name || c.pid < 0)
                        __builtin_trap();
                (void) container_check_running("web", &c, &err);
                container_done(&c);
        }
        container_engine_message((const char *) data, size, msg, sizeof(msg));
        if (strlen(msg) >= sizeof(msg))
                __builtin_trap();
        return 0;
}
