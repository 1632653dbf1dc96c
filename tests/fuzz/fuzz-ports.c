/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the ports and network mode of an inspect answer, as untrusted bytes. */
#include <stdint.h>
#include <string.h>

#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct container_port *ports = NULL;
        struct nsx_error err = {};
        size_t n = 0;
        char mode[64];

        if (container_parse_ports("fuzz", (const char *) data, size, &ports, &n, &err) == 0) {
                for (size_t i = 0; i < n; i++) {
                        if (ports[i].port < 1 || ports[i].port > 65535)
                                __builtin_trap();
                        /* sorted by protocol then port, one entry each */
                        if (i > 0 && (ports[i - 1].proto > ports[i].proto ||
                                      (ports[i - 1].proto == ports[i].proto && ports[i - 1].port >= ports[i].port)))
                                __builtin_trap();
                }
                container_ports_free(ports, n);
        }
        if (container_parse_network_mode("fuzz", (const char *) data, size, mode, sizeof(mode), &err) == 0 &&
            strlen(mode) >= sizeof(mode))
                __builtin_trap();
        return 0;
}
