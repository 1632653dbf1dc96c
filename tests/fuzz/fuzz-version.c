/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the API version an engine's "client version ... is too new/old" answer
 * names, as untrusted bytes. */
#include <stdint.h>
#include <string.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char hint[16], tiny[4];

        engine_version_hint((const char *) data, size, hint, sizeof(hint));
        if (strlen(hint) >= sizeof(hint))
                __builtin_trap();
        /* A hint is a version, or nothing: it compares with itself as equal. */
        if (hint[0] && engine_version_cmp(hint, hint) != 0)
                __builtin_trap();
        (void) engine_version_cmp(hint, ENGINE_API_MIN);
        engine_version_hint((const char *) data, size, tiny, sizeof(tiny));
        if (strlen(tiny) >= sizeof(tiny))
                __builtin_trap();
        engine_version_hint((const char *) data, size, tiny, 1);
        if (tiny[0])
                __builtin_trap();
        return 0;
}
