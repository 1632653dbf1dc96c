/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a sock_diag dump answer (netlink messages), then the verdicts over what it gave. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sockdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct listeners_socket *socks = NULL;
        struct listeners_port *ports = NULL;
        size_t n = 0, cap = 0, n_ports = 0;
        enum container_proto proto;
        int family, kerr = 0, r;
        char buf[64];
        uint8_t selector;

        /* The first byte picks the dump: tcp, tcp6, udp or udp6. */
        if (size < 1)
                return 0;
        selector = data[0];
        proto = (selector & 1) ? CONTAINER_PROTO_UDP : CONTAINER_PROTO_TCP;
        family = (selector & 2) ? AF_INET6 : AF_INET;
        data++;
        size--;

        r = sockdiag_parse(data, size, proto, family, &socks, &n, &cap, &kerr);
        if (r != 0 && r != 1 && r != -EPROTO && r != -EBADMSG && r != -ENOMEM)
                __builtin_trap();
        if (r == -EPROTO && kerr <= 0)
                __builtin_trap(); /* the kernel's errno, positive */
        for (size_t i = 0; i < n; i++) {
                if (socks[i].family != family || socks[i].proto != proto || socks[i].port == 0 || socks[i].port > 65535)
                        __builtin_trap();
                listeners_format_endpoint(&socks[i], buf, sizeof(buf));
                if (strlen(buf) >= sizeof(buf))
                        __builtin_trap();
        }
        if (r >= 0 && listeners_judge(NULL, 0, socks, n, (selector & 4) != 0, &ports, &n_ports) == 0)
                listeners_ports_free(ports, n_ports);
        listeners_sockets_free(socks, n);
        return 0;
}
