/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/PID/cgroup text (the container's layout proof) and mountinfo text (our
 * mounts of the hierarchies), as untrusted bytes. */
#include <stdint.h>
#include <string.h>

#include "cgroup.h"

#define ID "439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *) data;
        struct cgroup_mounts mounts = {};
        struct cgroup_line l;
        size_t pos = 0;
        bool any = false;

        (void) cgroup_mounts_parse(text, size, &mounts);
        while (cgroup_line_next(text, size, &pos, &l)) {
                bool placed = cgroup_path_places_id(l.path, l.path_len, ID, 0);

                /* Every field lies inside the text. */
                if (l.path < text || l.path + l.path_len > text + size || l.controllers < text ||
                    l.controllers + l.controllers_len > text + size || pos > size)
                        __builtin_trap();
                /* Placed means named; user 1000's delegated subtree is no root engine's. */
                if (placed && !cgroup_path_names_id(l.path, l.path_len, ID))
                        __builtin_trap();
                if (placed && memmem(l.path, l.path_len, "/user@1000.service/", 19))
                        __builtin_trap();
                (void) cgroup_path_places_id(l.path, l.path_len, ID, 1000);
                (void) cgroup_mounts_find(&mounts, &l);
                any |= placed;
        }
        if (any != cgroup_text_places_id(text, size, ID, 0))
                __builtin_trap();
        cgroup_mounts_done(&mounts);
        return 0;
}
