/* SPDX-License-Identifier: MIT */
/* libFuzzer target: an engine's running-container list as untrusted bytes, its Compose labels too. */
#include <stdint.h>
#include <string.h>

#include "compose.h"
#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct container_summary *list = NULL;
        struct nsx_error err = {};
        size_t n = 0;

        if (container_parse_list((const char *) data, size, &list, &n, &err) == 0) {
                for (size_t i = 0; i < n; i++) {
                        if (strlen(list[i].id) != CONTAINER_ID_LEN || !list[i].name || !list[i].name[0] ||
                            strchr(list[i].name, '/'))
                                __builtin_trap();
                        /* Ports: bounded, each 1..65535, sorted by protocol then port, once each. */
                        if (list[i].n_ports > CONTAINER_SUMMARY_PORTS_MAX || (list[i].n_ports == 0) != !list[i].ports)
                                __builtin_trap();
                        /* Compose labels: names only (they reach messages), a number in range. */
                        for (const char *l = list[i].compose_project; l && *l; l++)
                                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *l))
                                        __builtin_trap();
                        for (const char *l = list[i].compose_service; l && *l; l++)
                                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *l))
                                        __builtin_trap();
                        if ((list[i].compose_project && !list[i].compose_project[0]) ||
                            (list[i].compose_service && !list[i].compose_service[0]) ||
                            list[i].compose_number > COMPOSE_INDEX_MAX)
                                __builtin_trap();
                        for (size_t k = 0; k < list[i].n_ports; k++) {
                                const struct container_summary_port *p = &list[i].ports[k], *q = p - 1;

                                if (p->port < 1 || p->port > 65535 ||
                                    (p->proto != CONTAINER_PROTO_TCP && p->proto != CONTAINER_PROTO_UDP))
                                        __builtin_trap();
                                if (k > 0 && (q->proto > p->proto || (q->proto == p->proto && q->port >= p->port)))
                                        __builtin_trap();
                        }
                }
                /* The pick over what was parsed: whatever it returns, it is one of the list's. */
                for (unsigned index = 0; index < 3; index++) {
                        const struct container_summary *found = NULL;
                        unsigned number = 0;

                        if (compose_pick(list, n, "proj", index ? "api" : "api-2", index, &found, &number, &err) > 0 &&
                            (found < list || found >= list + n))
                                __builtin_trap();
                }
                container_summaries_free(list, n);
        }
        return 0;
}
