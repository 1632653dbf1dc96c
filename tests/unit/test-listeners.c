/* SPDX-License-Identifier: MIT */
/* Unit tests: /proc/net line parsing (real lines), address classes, verdicts, and reading the
 * sockets of this very process through /proc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "listeners.h"

/* Lines as Linux 6.x prints them on x86-64 (little-endian), taken from this machine. */
#define TCP_HEADER                                                                                                     \
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode          "
#define TCP_LISTEN_LO                                                                                                  \
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 659263 1 "         \
        "000000000a0509dc 100 0 0 10 0                    "
#define TCP_LISTEN_ANY                                                                                                 \
        "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 634 1 "            \
        "00000000d20ff5a4 100 0 0 10 0"
#define TCP_TIME_WAIT                                                                                                  \
        "   1: 0100007F:876E 0100007F:8865 06 00000000:00000000 03:00001165 00000000     0        0 0 3 "              \
        "00000000bd1fc7e8"
/* A container's address, 172.17.0.2:80, in the same layout. */
#define TCP_LISTEN_BRIDGE                                                                                              \
        "   2: 020011AC:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 "           \
        "0000000000000000 100 0 0 10 0"
#define TCP6_LISTEN_LO                                                                                                 \
        "   0: 00000000000000000000000001000000:1F93 00000000000000000000000000000000:0000 0A 00000000:00000000 "      \
        "00:00000000 00000000     0        0 660504 1 00000000afcde5bd 100 0 0 10 0"
#define TCP6_LISTEN_MAPPED                                                                                             \
        "   1: 0000000000000000FFFF00000100007F:1F92 00000000000000000000000000000000:0000 0A 00000000:00000000 "      \
        "00:00000000 00000000     0        0 660501 1 00000000afabfd56 100 0 0 10 0"
#define TCP6_LISTEN_ANY                                                                                                \
        "   2: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 "      \
        "00:00000000 00000000     0        0 659384 1 000000006910d0ae 100 0 0 10 0"
#define TCP6_ESTABLISHED_MAPPED                                                                                        \
        "   1: 0000000000000000FFFF00000100007F:1F9A 0000000000000000FFFF00000100007F:AF2C 01 00000000:00000000 "      \
        "00:00000000 00000000     0        0 712050 1 000000006e988a50 20 0 0 10 -1"
/* fe80::42:acff:fe11:3 (a container's link-local address), port 8080. */
#define TCP6_LISTEN_LINK_LOCAL                                                                                         \
        "   3: 000080FE00000000FFAC4200030011FE:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 "      \
        "00:00000000 00000000     0        0 7 1 0000000000000000 100 0 0 10 0"
#define UDP_UNCONNECTED                                                                                                \
        " 7335: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 712044 2 "        \
        "00000000fbf4bb73 0        "
#define UDP_CONNECTED                                                                                                  \
        " 9624: 0100007F:9DDA 0100007F:14E9 01 00000000:00000000 00:00000000 00000000     0        0 712045 2 "        \
        "00000000fc734b63 0        "
#define UDP6_LO                                                                                                        \
        " 7336: 00000000000000000000000001000000:14EA 00000000000000000000000000000000:0000 07 00000000:00000000 "     \
        "00:00000000 00000000     0        0 712046 2 00000000ebc1c17d 0"

static int parse(const char *line, enum container_proto proto, int family, struct listeners_socket *s) {
        return listeners_parse_line(line, strlen(line), proto, family, s);
}

static void assert_endpoint(const struct listeners_socket *s, const char *want) {
        char buf[80];

        listeners_format_endpoint(s, buf, sizeof(buf));
        assert_string_equal(buf, want);
}

static void test_tcp_lines(void **state) {
        struct listeners_socket s;
        (void) state;

        assert_int_equal(parse(TCP_HEADER, CONTAINER_PROTO_TCP, AF_INET, &s), 0);
        assert_int_equal(parse("", CONTAINER_PROTO_TCP, AF_INET, &s), 0);

        assert_int_equal(parse(TCP_LISTEN_LO, CONTAINER_PROTO_TCP, AF_INET, &s), 1);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        assert_endpoint(&s, "127.0.0.1:8080");
        assert_true(listeners_socket_loopback(&s));
        assert_int_equal(s.inode, 659263);
        assert_int_equal(s.proto, CONTAINER_PROTO_TCP);

        assert_int_equal(parse(TCP_LISTEN_ANY, CONTAINER_PROTO_TCP, AF_INET, &s), 1);
        assert_endpoint(&s, "0.0.0.0:2024");
        assert_false(listeners_socket_loopback(&s));

        assert_int_equal(parse(TCP_LISTEN_BRIDGE, CONTAINER_PROTO_TCP, AF_INET, &s), 1);
        assert_endpoint(&s, "172.17.0.2:80");
        assert_false(listeners_socket_loopback(&s));
#endif
        /* Only LISTEN counts for TCP. */
        assert_int_equal(parse(TCP_TIME_WAIT, CONTAINER_PROTO_TCP, AF_INET, &s), 0);
}

static void test_tcp6_lines(void **state) {
        struct listeners_socket s;
        char a[64];
        (void) state;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        assert_int_equal(parse(TCP6_LISTEN_LO, CONTAINER_PROTO_TCP, AF_INET6, &s), 1);
        assert_endpoint(&s, "[::1]:8083");
        assert_int_equal(s.family, AF_INET6);
        assert_true(listeners_socket_loopback(&s));

        /* IPv4-mapped: kept as an IPv6 socket, judged by its IPv4 address. */
        assert_int_equal(parse(TCP6_LISTEN_MAPPED, CONTAINER_PROTO_TCP, AF_INET6, &s), 1);
        assert_endpoint(&s, "[::ffff:127.0.0.1]:8082");
        listeners_format_address(&s, a, sizeof(a));
        assert_string_equal(a, "::ffff:127.0.0.1");
        assert_true(listeners_socket_loopback(&s));

        assert_int_equal(parse(TCP6_LISTEN_ANY, CONTAINER_PROTO_TCP, AF_INET6, &s), 1);
        assert_endpoint(&s, "[::]:8081");
        assert_false(listeners_socket_loopback(&s));
        assert_int_equal(s.inode, 659384);

        assert_int_equal(parse(TCP6_LISTEN_LINK_LOCAL, CONTAINER_PROTO_TCP, AF_INET6, &s), 1);
        assert_endpoint(&s, "[fe80::42:acff:fe11:3]:8080");
        assert_false(listeners_socket_loopback(&s));
#endif
        assert_int_equal(parse(TCP6_ESTABLISHED_MAPPED, CONTAINER_PROTO_TCP, AF_INET6, &s), 0);
        /* An IPv6 line in an IPv4 table (and the reverse) is malformed. */
        assert_int_equal(parse(TCP6_LISTEN_LO, CONTAINER_PROTO_TCP, AF_INET, &s), -EBADMSG);
        assert_int_equal(parse(TCP_LISTEN_LO, CONTAINER_PROTO_TCP, AF_INET6, &s), -EBADMSG);
}

static void test_udp_lines(void **state) {
        struct listeners_socket s;
        (void) state;

        assert_int_equal(parse(UDP_UNCONNECTED, CONTAINER_PROTO_UDP, AF_INET, &s), 1);
        assert_endpoint(&s, "0.0.0.0:5353");
        assert_int_equal(s.proto, CONTAINER_PROTO_UDP);
        assert_int_equal(s.inode, 712044);
        /* A connected UDP socket is a client, not a listener. */
        assert_int_equal(parse(UDP_CONNECTED, CONTAINER_PROTO_UDP, AF_INET, &s), 0);
        /* State 07 is TCP_CLOSE, which for TCP is no listener. */
        assert_int_equal(parse(UDP_UNCONNECTED, CONTAINER_PROTO_TCP, AF_INET, &s), 0);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        assert_int_equal(parse(UDP6_LO, CONTAINER_PROTO_UDP, AF_INET6, &s), 1);
        assert_endpoint(&s, "[::1]:5354");
        assert_true(listeners_socket_loopback(&s));
#endif
        /* Bound to no port: unreachable, not listed. */
        assert_int_equal(
                parse("   0: 00000000:0000 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
                      "1 2 0000000000000000 0",
                      CONTAINER_PROTO_UDP, AF_INET, &s),
                0);
}

static void test_bad_lines(void **state) {
        static const char *const bad[] = {
                "0:",
                "   0: 0100007F:1F90",
                "   0: 0100007F:1F90 00000000:0000",
                "   0: 0100007F:1F90 00000000:0000 0A",
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0",
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12x 1",
                "   0: 0100007G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "   0: 0100007F-1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "   0: 0100007F:1F9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "   0: 100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "   0: 0100007F:1F90 00000000:0000 A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "   x: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "   0 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                ("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
                 "999999999999999999999999 1"),
        };
        struct listeners_socket s = {.port = 4242};
        (void) state;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(parse(bad[i], CONTAINER_PROTO_TCP, AF_INET, &s), -EBADMSG);
                assert_int_equal(s.port, 4242); /* untouched on failure */
        }
        /* Not NUL-terminated: the parser stops at len. */
        assert_int_equal(listeners_parse_line(TCP_LISTEN_LO, 20, CONTAINER_PROTO_TCP, AF_INET, &s), -EBADMSG);
        assert_int_equal(parse(TCP_LISTEN_LO, CONTAINER_PROTO_TCP, 12345, &s), -EINVAL);
}

static void test_table(void **state) {
        static const char text[] = TCP_HEADER "\n" TCP_LISTEN_LO "\n" TCP_TIME_WAIT "\n" TCP_LISTEN_ANY "\n";
        static const char broken[] = TCP_HEADER "\n" TCP_LISTEN_LO "\n   7: garbage\n";
        struct listeners_socket *v = NULL;
        size_t n = 0, cap = 0, line = 0;
        (void) state;

        assert_int_equal(listeners_parse_table(text, strlen(text), CONTAINER_PROTO_TCP, AF_INET, &v, &n, &cap, &line),
                         0);
        assert_int_equal(n, 2);
        assert_int_equal(v[0].port, 8080);
        assert_int_equal(v[1].port, 2024);
        /* A second table appends. */
        assert_int_equal(listeners_parse_table(UDP_UNCONNECTED, strlen(UDP_UNCONNECTED), CONTAINER_PROTO_UDP, AF_INET,
                                               &v, &n, &cap, &line),
                         0);
        assert_int_equal(n, 3);
        assert_int_equal(v[2].proto, CONTAINER_PROTO_UDP);
        assert_int_equal(
                listeners_parse_table(broken, strlen(broken), CONTAINER_PROTO_TCP, AF_INET, &v, &n, &cap, &line),
                -EBADMSG);
        assert_int_equal(line, 3);
        free(v);
}

/* A socket of the given kind, for the verdict tests. */
static struct listeners_socket sock(enum container_proto proto, int family, const char *addr, unsigned port) {
        struct listeners_socket s = {.proto = proto, .family = family, .port = port};

        assert_int_equal(inet_pton(family, addr, s.addr), 1);
        return s;
}

static void test_loopback_classes(void **state) {
        (void) state;
        struct listeners_socket s;

        s = sock(CONTAINER_PROTO_TCP, AF_INET, "127.0.0.2", 1);
        assert_true(listeners_socket_loopback(&s));
        s = sock(CONTAINER_PROTO_TCP, AF_INET, "0.0.0.0", 1);
        assert_false(listeners_socket_loopback(&s));
        s = sock(CONTAINER_PROTO_TCP, AF_INET, "10.0.0.127", 1);
        assert_false(listeners_socket_loopback(&s));
        s = sock(CONTAINER_PROTO_TCP, AF_INET6, "::ffff:127.1.2.3", 1);
        assert_true(listeners_socket_loopback(&s));
        s = sock(CONTAINER_PROTO_TCP, AF_INET6, "::ffff:10.0.0.1", 1);
        assert_false(listeners_socket_loopback(&s));
        s = sock(CONTAINER_PROTO_TCP, AF_INET6, "::1", 1);
        assert_true(listeners_socket_loopback(&s));
        s = sock(CONTAINER_PROTO_TCP, AF_INET6, "::", 1);
        assert_false(listeners_socket_loopback(&s));
        s = sock(CONTAINER_PROTO_TCP, AF_INET6, "::127.0.0.1", 1); /* IPv4-compatible, not mapped */
        assert_false(listeners_socket_loopback(&s));
}

static void test_verdicts(void **state) {
        struct container_binding any[] = {{"0.0.0.0", 8080}, {"::", 8080}};
        struct container_binding one[] = {{"", 9000}};
        struct container_port ports[] = {
                {.port = 53, .proto = CONTAINER_PROTO_UDP, .exposed = true, .bindings = one, .n_bindings = 1},
                {.port = 8080, .proto = CONTAINER_PROTO_TCP, .exposed = true, .bindings = any, .n_bindings = 2},
                {.port = 8081, .proto = CONTAINER_PROTO_TCP, .exposed = true, .bindings = one, .n_bindings = 1},
                {.port = 8082, .proto = CONTAINER_PROTO_TCP, .exposed = true, .bindings = one, .n_bindings = 1},
                {.port = 8083, .proto = CONTAINER_PROTO_TCP, .exposed = true, .bindings = one, .n_bindings = 1},
                {.port = 7000, .proto = CONTAINER_PROTO_TCP, .exposed = true},
                {.port = 7001, .proto = CONTAINER_PROTO_TCP, .exposed = true},
        };
        struct listeners_socket socks[] = {
                sock(CONTAINER_PROTO_TCP, AF_INET, "127.0.0.1", 8080), /* published, loopback only */
                sock(CONTAINER_PROTO_TCP, AF_INET6, "::1", 8080),
                sock(CONTAINER_PROTO_TCP, AF_INET, "0.0.0.0", 8081),   /* published, fine */
                sock(CONTAINER_PROTO_TCP, AF_INET6, "::", 8082),       /* published, fine over IPv6 too */
                sock(CONTAINER_PROTO_TCP, AF_INET, "127.0.0.1", 8083), /* loopback and wildcard: fine */
                sock(CONTAINER_PROTO_TCP, AF_INET, "0.0.0.0", 8083),
                sock(CONTAINER_PROTO_TCP, AF_INET, "0.0.0.0", 9090),           /* not published */
                sock(CONTAINER_PROTO_TCP, AF_INET6, "::ffff:127.0.0.1", 9091), /* local only */
                sock(CONTAINER_PROTO_UDP, AF_INET, "127.0.0.1", 53),           /* udp, published, loopback */
                sock(CONTAINER_PROTO_UDP, AF_INET, "0.0.0.0", 8080),           /* udp 8080 is not tcp 8080 */
                sock(CONTAINER_PROTO_TCP, AF_INET, "0.0.0.0", 7001),           /* exposed, listening */
        };
        static const struct {
                unsigned port;
                enum container_proto proto;
                enum listeners_verdict verdict;
                size_t n_socks;
        } want[] = {
                {7000, CONTAINER_PROTO_TCP, LISTENERS_EXPOSED_IDLE, 0},
                {7001, CONTAINER_PROTO_TCP, LISTENERS_NOT_PUBLISHED, 1},
                {8080, CONTAINER_PROTO_TCP, LISTENERS_LOOPBACK_ONLY, 2},
                {8081, CONTAINER_PROTO_TCP, LISTENERS_OK, 1},
                {8082, CONTAINER_PROTO_TCP, LISTENERS_OK, 1},
                {8083, CONTAINER_PROTO_TCP, LISTENERS_OK, 2},
                {9090, CONTAINER_PROTO_TCP, LISTENERS_NOT_PUBLISHED, 1},
                {9091, CONTAINER_PROTO_TCP, LISTENERS_LOCAL_ONLY, 1},
                {53, CONTAINER_PROTO_UDP, LISTENERS_LOOPBACK_ONLY, 1},
                {8080, CONTAINER_PROTO_UDP, LISTENERS_NOT_PUBLISHED, 1},
        };
        struct listeners_port *v;
        size_t n;
        (void) state;

        /* Nothing listens on 8084: published, not listening. */
        struct container_port idle = {.port = 8084, .proto = CONTAINER_PROTO_TCP, .bindings = one, .n_bindings = 1};
        assert_int_equal(listeners_judge(&idle, 1, NULL, 0, false, &v, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(v[0].verdict, LISTENERS_NOT_LISTENING);
        assert_true(listeners_verdict_is_problem(v[0].verdict));
        listeners_ports_free(v, n);

        assert_int_equal(listeners_judge(ports, sizeof(ports) / sizeof(ports[0]), socks,
                                         sizeof(socks) / sizeof(socks[0]), false, &v, &n),
                         0);
        assert_int_equal(n, sizeof(want) / sizeof(want[0]));
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(v[i].port, want[i].port);
                assert_int_equal(v[i].proto, want[i].proto);
                assert_int_equal(v[i].n_socks, want[i].n_socks);
                if (v[i].verdict != want[i].verdict)
                        fail_msg("%u/%s: verdict %s, want %s", v[i].port, container_proto_name(v[i].proto),
                                 listeners_verdict_name(v[i].verdict), listeners_verdict_name(want[i].verdict));
        }
        /* IPv4 sockets before IPv6 ones within a port. */
        assert_int_equal(v[2].socks[0]->family, AF_INET);
        assert_int_equal(v[2].socks[1]->family, AF_INET6);
        assert_null(v[6].declared);
        assert_ptr_equal(v[3].declared, &ports[2]);
        assert_string_equal(listeners_verdict_name(LISTENERS_LOOPBACK_ONLY), "loopback-only");
        assert_false(listeners_verdict_is_problem(LISTENERS_NOT_PUBLISHED));
        listeners_ports_free(v, n);

        /* --net host: whatever listens is on the host's addresses; nothing is published. */
        assert_int_equal(listeners_judge(&ports[5], 2, &socks[6], 2, true, &v, &n), 0);
        assert_int_equal(n, 4);
        assert_int_equal(v[0].verdict, LISTENERS_EXPOSED_IDLE); /* 7000 */
        assert_int_equal(v[1].verdict, LISTENERS_EXPOSED_IDLE); /* 7001: no socket given */
        assert_int_equal(v[2].verdict, LISTENERS_HOST_NETWORK); /* 9090 */
        assert_int_equal(v[3].verdict, LISTENERS_HOST_NETWORK); /* 9091, loopback: the host's own */
        assert_string_equal(listeners_verdict_name(LISTENERS_HOST_NETWORK), "host-network");
        listeners_ports_free(v, n);
}

/* The reading part, for real: sockets of this process, found through /proc/self, with us as owner. */
static void test_read_own_sockets(void **state) {
        struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
        socklen_t len4 = sizeof(a4), len6 = sizeof(a6);
        struct listeners_socket *socks = NULL;
        struct listeners_netns net;
        struct nsx_error err = {};
        bool have_v6, found_tcp = false, found_udp = false;
        size_t n = 0;
        int tcp, udp, procfd, nsfd;
        char comm[17] = "";
        FILE *f;
        (void) state;

        tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(tcp >= 0);
        assert_int_equal(bind(tcp, (struct sockaddr *) &a4, sizeof(a4)), 0);
        assert_int_equal(listen(tcp, 1), 0);
        assert_int_equal(getsockname(tcp, (struct sockaddr *) &a4, &len4), 0);
        udp = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        have_v6 = udp >= 0 && bind(udp, (struct sockaddr *) &a6, sizeof(a6)) == 0;
        if (have_v6)
                assert_int_equal(getsockname(udp, (struct sockaddr *) &a6, &len6), 0);

        procfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(procfd >= 0);
        assert_int_equal(listeners_read(procfd, "this test", &socks, &n, &err), 0);
        nsfd = listeners_netns_open(procfd, "this test", &net.dev, &net.ino, &err);
        assert_true(nsfd >= 0);
        close(nsfd);
        net.socks = socks;
        net.n_socks = n;
        assert_int_equal(listeners_find_owners(&net, 1, &err), 0);

        f = fopen("/proc/self/comm", "re");
        assert_non_null(f);
        assert_non_null(fgets(comm, sizeof(comm), f));
        comm[strcspn(comm, "\n")] = '\0';
        fclose(f);

        for (size_t i = 0; i < n; i++) {
                char ep[80];
                bool ours = false;

                listeners_format_endpoint(&socks[i], ep, sizeof(ep));
                for (size_t k = 0; k < socks[i].n_owners; k++)
                        if (socks[i].owners[k].pid == getpid() && strcmp(socks[i].owners[k].comm, comm) == 0)
                                ours = true;
                if (socks[i].proto == CONTAINER_PROTO_TCP && socks[i].family == AF_INET &&
                    socks[i].port == ntohs(a4.sin_port) && strncmp(ep, "127.0.0.1:", 10) == 0) {
                        assert_true(ours);
                        found_tcp = true;
                }
                if (have_v6 && socks[i].proto == CONTAINER_PROTO_UDP && socks[i].family == AF_INET6 &&
                    socks[i].port == ntohs(a6.sin6_port) && strncmp(ep, "[::]:", 5) == 0) {
                        assert_true(ours);
                        found_udp = true;
                }
        }
        assert_true(found_tcp);
        assert_true(found_udp || !have_v6);
        listeners_sockets_free(socks, n);
        close(procfd);
        close(tcp);
        if (udp >= 0)
                close(udp);
}

/* A process that is gone by the time its namespace is read: the error says so, filled in (the
 * caller never has to guess a message for a bare -errno). */
static void test_netns_of_gone(void **state) {
        struct nsx_error err = {0};
        char path[32];
        dev_t dev;
        ino_t ino;
        pid_t child;
        int procfd;

        (void) state;
        child = fork();
        assert_true(child >= 0);
        if (child == 0)
                _exit(0);
        snprintf(path, sizeof(path), "/proc/%d", (int) child);
        procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(procfd >= 0);
        assert_int_equal(waitpid(child, NULL, 0), child);
        assert_int_equal(listeners_netns_open(procfd, "container 'x'", &dev, &ino, &err), -ESRCH);
        assert_int_equal(err.errnum, ESRCH);
        assert_string_equal(err.message, "container 'x' exited while it was examined");
        close(procfd);
}

/* Sockets on one address and port (SO_REUSEPORT) come out in one order whatever order a reader
 * found them in (sock_diag's and /proc's walks differ), and the cap on a namespace's sockets. */
static void test_order_and_cap(void **state) {
        struct listeners_socket socks[4] = {
                sock(CONTAINER_PROTO_TCP, AF_INET, "0.0.0.0", 80),
                sock(CONTAINER_PROTO_TCP, AF_INET, "0.0.0.0", 80),
                sock(CONTAINER_PROTO_TCP, AF_INET6, "::", 80),
                sock(CONTAINER_PROTO_TCP, AF_INET, "0.0.0.0", 80),
        };
        static const unsigned long found[2][4] = {{30, 10, 5, 20}, {20, 30, 5, 10}};
        struct listeners_socket *v = NULL, one = socks[0];
        size_t n, cap = 0;
        (void) state;

        for (size_t k = 0; k < 2; k++) {
                struct listeners_port *p;
                size_t np;

                for (size_t i = 0; i < 4; i++)
                        socks[i].inode = found[k][i];
                assert_int_equal(listeners_judge(NULL, 0, socks, 4, false, &p, &np), 0);
                assert_int_equal(np, 1);
                assert_int_equal(p[0].n_socks, 4);
                assert_int_equal(p[0].socks[0]->inode, 10);
                assert_int_equal(p[0].socks[1]->inode, 20);
                assert_int_equal(p[0].socks[2]->inode, 30);
                assert_int_equal(p[0].socks[3]->family, AF_INET6);
                listeners_ports_free(p, np);
        }

        /* Up to the cap, and not one more: nothing is touched then. */
        v = malloc(LISTENERS_SOCKETS_MAX * sizeof(*v));
        assert_non_null(v);
        cap = LISTENERS_SOCKETS_MAX;
        n = LISTENERS_SOCKETS_MAX - 1;
        assert_int_equal(listeners_append(&v, &n, &cap, &one), 0);
        assert_int_equal(n, LISTENERS_SOCKETS_MAX);
        assert_int_equal(listeners_append(&v, &n, &cap, &one), -E2BIG);
        assert_int_equal(n, LISTENERS_SOCKETS_MAX);
        free(v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tcp_lines),
                cmocka_unit_test(test_tcp6_lines),
                cmocka_unit_test(test_udp_lines),
                cmocka_unit_test(test_bad_lines),
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_loopback_classes),
                cmocka_unit_test(test_verdicts),
                cmocka_unit_test(test_order_and_cap),
                cmocka_unit_test(test_read_own_sockets),
                cmocka_unit_test(test_netns_of_gone),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
