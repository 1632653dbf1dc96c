/* SPDX-License-Identifier: MIT */
/* libFuzzer target: an engine's running-container list as untrusted bytes. */
#include <stdint.h>
#include <string.h>

#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct container_summary *list = NULL;
        struct nsx_error err = {};
        size_t n = 0;

        if (container_parse_list((const char *) data, size, &list, &n, &err) == 0) {
                for (size_t i = 0; i < n; i++)
                        if (strlen(list[i].id) != CONTAINER_ID_LEN || !list[i].name || !list[i].name[0] ||
                            strchr(list[i].name, '/'))
                                __builtin_trap();
                container_summaries_free(list, n);
        }
        return 0;
}
