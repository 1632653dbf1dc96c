/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a --forward SPEC, as untrusted bytes (argv is the user's, scripts build it). */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "forward_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned port_of(const struct sockaddr_storage *ss) {
        if (ss->ss_family == AF_INET)
                return ntohs(((const struct sockaddr_in *) ss)->sin_port);
        return ntohs(((const struct sockaddr_in6 *) ss)->sin6_port);
}

static void check_side(const struct sockaddr_storage *ss, socklen_t len) {
        if (!((ss->ss_family == AF_INET && len == sizeof(struct sockaddr_in)) ||
              (ss->ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6))))
                __builtin_trap();
}

/* The SPEC is a C string: bytes up to the first NUL. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct forward_spec f, again;
        struct nsx_error err = {};
        char spec[512], host[FORWARD_ADDR_MAX], target[FORWARD_ADDR_MAX], canonical[2 * FORWARD_ADDR_MAX + 8];

        if (size >= sizeof(spec))
                return 0;
        memcpy(spec, data, size);
        spec[size] = '\0';

        if (forward_spec_parse(spec, &f, &err) < 0) {
                /* One usage line naming the SPEC, with no control character from it. */
                if (err.kind != NSX_ERR_USAGE || strncmp(err.message, "--forward '", 11) != 0)
                        __builtin_trap();
                for (const unsigned char *p = (const unsigned char *) err.message; *p; p++)
                        if (*p < 0x20 || *p == 0x7f)
                                __builtin_trap();
                return 0;
        }
        check_side(&f.host, f.host_len);
        check_side(&f.target, f.target_len);
        if (port_of(&f.target) == 0 || (f.proto != FORWARD_TCP && f.proto != FORWARD_UDP))
                __builtin_trap();
        /* What forward_addr_format writes reads back, in the four-field form, as the same forward. */
        forward_addr_format((const struct sockaddr *) &f.host, host, sizeof(host));
        forward_addr_format((const struct sockaddr *) &f.target, target, sizeof(target));
        snprintf(canonical, sizeof(canonical), "%s:%s/%s", host, target, forward_proto_name(f.proto));
        if (forward_spec_parse(canonical, &again, &err) < 0 || again.proto != f.proto ||
            again.host_wildcard != f.host_wildcard || again.host_len != f.host_len ||
            again.target_len != f.target_len || memcmp(&again.host, &f.host, f.host_len) != 0 ||
            memcmp(&again.target, &f.target, f.target_len) != 0)
                __builtin_trap();
        return 0;
}
