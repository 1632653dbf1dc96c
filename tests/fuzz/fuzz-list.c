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
                for (size_t i = 0; i < n; i++) {
                        if (strlen(list[i].id) != CONTAINER_ID_LEN || !list[i].name || !list[i].name[0] ||
                            strchr(list[i].name, '/'))
                                __builtin_trap();
                        /* Ports: bounded, each 1..65535, sorted by protocol then port, once each. */
                        if (list[i].n_ports > CONTAINER_SUMMARY_PORTS_MAX || (list[i].n_ports == 0) != !list[i].ports)
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
                container_summaries_free(list, n);
        }
        return 0;
}
