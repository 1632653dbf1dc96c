/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a gRPC answer's body (the one message's framing) and a grpc-message
 * header's value, as untrusted bytes. */
#include <stdint.h>
#include <string.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char message[256], tiny[2];
        size_t off = 0, len = 0;
        const char *why = NULL;

        if (engine_grpc_unframe(data, size, &off, &len, &why) == 0) {
                /* The message lies within the body, and fills it. */
                if (off != 5 || off + len != size)
                        __builtin_trap();
        } else if (!why || !why[0])
                __builtin_trap();

        engine_grpc_message_decode((const char *) data, size, message, sizeof(message));
        if (strlen(message) >= sizeof(message))
                __builtin_trap();
        /* Printable ASCII only: the engine's words reach a terminal. */
        for (const char *p = message; *p; p++)
                if (*p < 0x20 || *p > 0x7e)
                        __builtin_trap();
        engine_grpc_message_decode((const char *) data, size, tiny, sizeof(tiny));
        if (strlen(tiny) > 1)
                __builtin_trap();
        return 0;
}
