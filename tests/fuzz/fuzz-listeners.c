/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/PID/net/{tcp,tcp6,udp,udp6} text, then the verdicts over what it gave. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "listeners.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct listeners_socket *socks = NULL;
        struct listeners_port *ports = NULL;
        size_t n = 0, cap = 0, line = 0, n_ports = 0;
        enum container_proto proto;
        int family;
        char buf[64];
        uint8_t selector;
        int r;

        /* The first byte picks the file: tcp, tcp6, udp or udp6. */
        if (size < 1)
                return 0;
        selector = data[0];
        proto = (data[0] & 1) ? CONTAINER_PROTO_UDP : CONTAINER_PROTO_TCP;
        family = (data[0] & 2) ? AF_INET6 : AF_INET;
        data++;
        size--;

        r = listeners_parse_table((const char *) data, size, proto, family, &socks, &n, &cap, &line);
        if (r == 0) {
                for (size_t i = 0; i < n; i++) {
                        if (socks[i].family != family || socks[i].proto != proto || socks[i].port > 65535)
                                __builtin_trap();
                        listeners_format_endpoint(&socks[i], buf, sizeof(buf));
                        if (strlen(buf) >= sizeof(buf))
                                __builtin_trap();
                        (void) listeners_socket_loopback(&socks[i]);
                }
                if (listeners_judge(NULL, 0, socks, n, (selector & 4) != 0, &ports, &n_ports) == 0)
                        listeners_ports_free(ports, n_ports);
        } else if (r == -EBADMSG && line == 0) {
                __builtin_trap(); /* a malformed table names its line */
        }
        listeners_sockets_free(socks, n);
        return 0;
}
