/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/PID/status (confine_parse_status) and /proc/PID/attr/current
 * (confine_lsm_decide), as untrusted bytes: a process chooses its name, and its label where an
 * LSM lets it. */
#include <stdint.h>
#include <string.h>

#include "confine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct confine_status s = {.seccomp_mode = -7};
        char text[CONFINE_LABEL_MAX];
        enum confine_lsm kind = CONFINE_LSM_NONE;

        if (confine_parse_status((const char *) data, size, &s) == 0) {
                /* What the parser accepts is what a kernel can say. */
                if (s.seccomp_mode < 0 || s.seccomp_mode > 2 || (s.cap_eff & ~s.cap_prm) ||
                    (s.cap_amb & ~(s.cap_prm & s.cap_inh)) || s.tracer_pid < 0)
                        __builtin_trap();
        } else if (s.seccomp_mode != -7)
                __builtin_trap(); /* touched on failure */

        if (confine_lsm_decide(0, (const char *) data, size, 0, "unconfined", 10, &kind, text) == 0 &&
            kind != CONFINE_LSM_NONE) {
                size_t len = strnlen(text, sizeof(text));

                if (len == 0 || len >= sizeof(text))
                        __builtin_trap();
                for (size_t i = 0; i < len; i++)
                        if ((unsigned char) text[i] < 0x20 || text[i] == 0x7f)
                                __builtin_trap();
                if (kind == CONFINE_LSM_APPARMOR && strncmp(text, "exec ", 5) != 0)
                        __builtin_trap();
        }
        return 0;
}
