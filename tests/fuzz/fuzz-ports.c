/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the ports and network mode of an inspect answer, as untrusted bytes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "container.h"
#include "error.h"

/* A binding's HostIp reaches the terminal: "" or an address inet_pton reads, nothing else. */
static void check_host_ip(const char *ip) {
        unsigned char addr[sizeof(struct in6_addr)];

        if (ip[0] && inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1)
                __builtin_trap();
}

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
                        for (size_t k = 0; k < ports[i].n_bindings; k++)
                                check_host_ip(ports[i].bindings[k].host_ip);
                }
                container_ports_free(ports, n);
        }
        if (container_parse_network_mode("fuzz", (const char *) data, size, mode, sizeof(mode), &err) == 0) {
                if (strlen(mode) >= sizeof(mode))
                        __builtin_trap();
                /* The engine's free text, sanitized as for a terminal: no control byte is left
                 * (C0, DEL; C1 and malformed UTF-8 become '?' bytes, so no byte 0x80-0x9f
                 * follows 0xc2 and none stands alone). */
                nsx_sanitize(mode);
                for (const unsigned char *p = (const unsigned char *) mode; *p; p++) {
                        unsigned cp;
                        size_t k = nsx_utf8_char((const char *) p, &cp);

                        if (k == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
                                __builtin_trap();
                        p += k - 1;
                }
        }
        return 0;
}
