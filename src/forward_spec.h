/* SPDX-License-Identifier: MIT */
/* --forward SPEC: what to listen on, on the host, and where each connection goes in the
 * container's network. Pure: no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "error.h"

enum forward_proto {
        FORWARD_TCP,
        FORWARD_UDP,
};

/* The grammar (IPv6 addresses always in brackets, numeric addresses only, ports decimal):
 *
 *   SPEC      := [HOSTADDR ":"] HOSTPORT ":" [CADDR ":"] CPORT ["/" PROTO]
 *              | CPORT ["/" PROTO]                     (the same port on both sides, as kubectl)
 *   HOSTADDR  := IPV4 | "[" IPV6 "]"                   (default 127.0.0.1)
 *   CADDR     := IPV4 | "[" IPV6 "]"                   (default 127.0.0.1; not 0.0.0.0 or [::])
 *   HOSTPORT  := 0..65535                              (0: a free port, chosen by the kernel)
 *   CPORT     := 1..65535
 *   PROTO     := "tcp" | "udp"                         (default tcp)
 *
 * With three fields, an address first is HOSTADDR (docker's -p 127.0.0.1:8080:80), an address
 * second is CADDR (ssh's -L 8080:[::1]:80). IPV4 is inet_pton's dotted quad (no leading zeros),
 * IPV6 has no zone (%eth0); ports are decimal digits (leading zeros allowed), no ranges. Anything
 * else is refused, as are SPECs over 128 bytes. */
struct forward_spec {
        enum forward_proto proto;
        struct sockaddr_storage host; /* where we listen, on the host (port 0: any free one) */
        socklen_t host_len;
        struct sockaddr_storage target; /* where each connection or flow goes, in the container's network */
        socklen_t target_len;
        bool host_wildcard; /* 0.0.0.0 or [::]: every interface of the host (main warns) */
};

/* Parses one SPEC; a refusal is NSX_ERR_USAGE naming the SPEC and what is wrong with it. */
int forward_spec_parse(const char *s, struct forward_spec *ret, struct nsx_error *err);

/* "127.0.0.1:8080", "[::1]:80" into buf (at least FORWARD_ADDR_MAX bytes). */
#define FORWARD_ADDR_MAX 64
void forward_addr_format(const struct sockaddr *sa, char *buf, size_t size);

const char *forward_proto_name(enum forward_proto proto); /* "tcp", "udp" */
