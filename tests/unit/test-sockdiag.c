/* SPDX-License-Identifier: MIT */
/* Unit tests: sock_diag answers parsed from crafted netlink bytes, and a live namespace of ours
 * read both ways (sock_diag and /proc) to the same sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sockdiag.h"

/* A buffer of netlink messages, built one at a time. */
struct nlbuf {
        uint8_t b[4096];
        size_t len;
};

static void put(struct nlbuf *nb, uint16_t type, const void *payload, size_t plen) {
        struct nlmsghdr h = {.nlmsg_len = (uint32_t) (NLMSG_HDRLEN + plen), .nlmsg_type = type, .nlmsg_seq = 1};

        assert_true(nb->len + NLMSG_ALIGN(h.nlmsg_len) <= sizeof(nb->b));
        memcpy(nb->b + nb->len, &h, sizeof(h));
        memcpy(nb->b + nb->len + NLMSG_HDRLEN, payload, plen);
        nb->len += NLMSG_ALIGN(h.nlmsg_len);
}

static void put_sock(struct nlbuf *nb, int family, int state, const char *addr, unsigned port, unsigned inode) {
        struct inet_diag_msg m = {.idiag_family = (uint8_t) family, .idiag_state = (uint8_t) state};

        m.id.idiag_sport = htons((uint16_t) port);
        assert_int_equal(inet_pton(family, addr, m.id.idiag_src), 1);
        m.idiag_inode = inode;
        put(nb, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
}

static void put_done(struct nlbuf *nb) {
        int zero = 0;

        put(nb, NLMSG_DONE, &zero, sizeof(zero));
}

static int parse(const struct nlbuf *nb, enum container_proto proto, int family, struct listeners_socket **v, size_t *n,
                 int *kerr) {
        size_t cap = 0;

        free(*v);
        *v = NULL;
        *n = 0;
        return sockdiag_parse(nb->b, nb->len, proto, family, v, n, &cap, kerr);
}

static void assert_endpoint(const struct listeners_socket *s, const char *want) {
        char buf[80];

        listeners_format_endpoint(s, buf, sizeof(buf));
        assert_string_equal(buf, want);
}

static void test_parse_tcp(void **state) {
        struct listeners_socket *v = NULL;
        struct nlbuf nb = {};
        size_t n = 0;
        int kerr = 0;
        (void) state;

        put_sock(&nb, AF_INET, 10, "127.0.0.1", 8080, 659263);
        put_sock(&nb, AF_INET, 1, "127.0.0.1", 8081, 1); /* established: not a listener */
        put_sock(&nb, AF_INET, 10, "172.17.0.2", 80, 4242);
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), 0); /* more to come */
        assert_int_equal(n, 2);
        assert_endpoint(&v[0], "127.0.0.1:8080");
        assert_int_equal(v[0].inode, 659263);
        assert_int_equal(v[0].family, AF_INET);
        assert_int_equal(v[0].proto, CONTAINER_PROTO_TCP);
        assert_endpoint(&v[1], "172.17.0.2:80");

        put_done(&nb);
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), 1);
        assert_int_equal(n, 2);

        nb.len = 0;
        put_sock(&nb, AF_INET6, 10, "::ffff:127.0.0.1", 8082, 7);
        put_sock(&nb, AF_INET6, 10, "fe80::42:acff:fe11:3", 8080, 8);
        put_done(&nb);
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET6, &v, &n, &kerr), 1);
        assert_int_equal(n, 2);
        assert_endpoint(&v[0], "[::ffff:127.0.0.1]:8082");
        assert_true(listeners_socket_loopback(&v[0]));
        assert_endpoint(&v[1], "[fe80::42:acff:fe11:3]:8080");
        /* An IPv6 answer to an IPv4 question is no answer. */
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), -EBADMSG);
        free(v);
}

static void test_parse_udp(void **state) {
        struct listeners_socket *v = NULL;
        struct nlbuf nb = {};
        size_t n = 0;
        int kerr = 0;
        (void) state;

        put_sock(&nb, AF_INET, 7, "0.0.0.0", 5353, 1);
        put_sock(&nb, AF_INET, 1, "127.0.0.1", 40000, 2); /* connected */
        put_sock(&nb, AF_INET, 7, "0.0.0.0", 0, 3);       /* unbound */
        put_sock(&nb, AF_INET, 10, "0.0.0.0", 53, 4);     /* LISTEN is no UDP state */
        put_done(&nb);
        assert_int_equal(parse(&nb, CONTAINER_PROTO_UDP, AF_INET, &v, &n, &kerr), 1);
        assert_int_equal(n, 1);
        assert_endpoint(&v[0], "0.0.0.0:5353");
        assert_int_equal(v[0].proto, CONTAINER_PROTO_UDP);
        free(v);
}

static void test_parse_bad(void **state) {
        struct listeners_socket *v = NULL;
        struct inet_diag_msg m = {.idiag_family = AF_INET, .idiag_state = 10};
        struct nlmsgerr e = {.error = -ENOENT};
        struct nlbuf nb = {}, ok = {};
        size_t n = 0;
        int kerr = 0;
        uint32_t len;
        (void) state;

        /* Nothing at all; a bare header's worth of less. */
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), -EBADMSG);
        put_sock(&ok, AF_INET, 10, "127.0.0.1", 1, 1);
        put_done(&ok);
        nb = ok;
        nb.len = 10;
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), -EBADMSG);

        /* Truncated: the message claims more than the buffer holds. */
        nb = ok;
        nb.len = NLMSG_HDRLEN + sizeof(m) - 1;
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), -EBADMSG);

        /* A length below a header's, and one past the end. */
        for (size_t i = 0; i < 3; i++) {
                static const uint32_t bad[] = {0, NLMSG_HDRLEN - 1, 0xffffffffu};

                nb = ok;
                len = bad[i];
                memcpy(nb.b, &len, sizeof(len));
                assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), -EBADMSG);
        }

        /* A message too short for an inet_diag_msg, with an honest length. */
        nb.len = 0;
        put(&nb, SOCK_DIAG_BY_FAMILY, &m, sizeof(m) - 4);
        put_done(&nb);
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), -EBADMSG);

        /* Trailing bytes that are no header. */
        nb = ok;
        nb.len -= NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(int)); /* drop DONE */
        memset(nb.b + nb.len, 0, 8);
        nb.len += 8;
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), -EBADMSG);

        /* An unknown message type. */
        nb.len = 0;
        put(&nb, 0x1234, &m, sizeof(m));
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), -EBADMSG);

        /* The kernel's refusal (no udp_diag, say): its errno, for the caller's fallback. */
        nb.len = 0;
        put(&nb, NLMSG_ERROR, &e, sizeof(e));
        assert_int_equal(parse(&nb, CONTAINER_PROTO_UDP, AF_INET, &v, &n, &kerr), -EPROTO);
        assert_int_equal(kerr, ENOENT);
        /* An acknowledgement (error 0) is not what a dump answers; a short error is malformed. */
        e.error = 0;
        nb.len = 0;
        put(&nb, NLMSG_ERROR, &e, sizeof(e));
        assert_int_equal(parse(&nb, CONTAINER_PROTO_UDP, AF_INET, &v, &n, &kerr), -EBADMSG);
        nb.len = 0;
        put(&nb, NLMSG_ERROR, &e, 2);
        assert_int_equal(parse(&nb, CONTAINER_PROTO_UDP, AF_INET, &v, &n, &kerr), -EBADMSG);

        /* A dump the kernel cannot make (an unknown protocol, as the kernel answered this
         * very question: NLMSG_DONE, NLM_F_MULTI, -ENOENT). */
        {
                static const uint8_t done_enoent[] = {0x14, 0, 0,    0,    3, 0, 2,    0,    1,    0,
                                                      0,    0, 0x89, 0x1d, 0, 0, 0xfe, 0xff, 0xff, 0xff};

                kerr = 0;
                assert_int_equal(sockdiag_parse(done_enoent, sizeof(done_enoent), CONTAINER_PROTO_UDP, AF_INET, &v, &n,
                                                &(size_t){0}, &kerr),
                                 -EPROTO);
                assert_int_equal(kerr, ENOENT);
        }
        /* A positive "errno" in DONE is no kernel's. */
        e.error = 5;
        nb.len = 0;
        put(&nb, NLMSG_DONE, &e.error, sizeof(e.error));
        assert_int_equal(parse(&nb, CONTAINER_PROTO_UDP, AF_INET, &v, &n, &kerr), -EBADMSG);

        /* The last message's padding may be missing. */
        nb = ok;
        nb.len -= NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(int));
        put(&nb, NLMSG_DONE, "x", 1);
        nb.len -= 3;
        assert_int_equal(parse(&nb, CONTAINER_PROTO_TCP, AF_INET, &v, &n, &kerr), 1);
        assert_int_equal(n, 1);
        free(v);
}

static int sock_sort_cmp(const void *a, const void *b) {
        const struct listeners_socket *x = a, *y = b;

        if (x->proto != y->proto)
                return x->proto < y->proto ? -1 : 1;
        if (x->family != y->family)
                return x->family < y->family ? -1 : 1;
        if (x->port != y->port)
                return x->port < y->port ? -1 : 1;
        return x->inode < y->inode ? -1 : x->inode > y->inode;
}

static int bind_to(int family, int type, const char *addr, unsigned port, int v6only) {
        struct sockaddr_storage ss = {};
        socklen_t len;
        int fd = socket(family, type | SOCK_CLOEXEC, 0), one = 1;

        if (fd < 0)
                return -1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (family == AF_INET) {
                struct sockaddr_in *sin = (struct sockaddr_in *) &ss;

                sin->sin_family = AF_INET;
                sin->sin_port = htons((uint16_t) port);
                inet_pton(AF_INET, addr, &sin->sin_addr);
                len = sizeof(*sin);
        } else {
                struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

                setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
                sin6->sin6_family = AF_INET6;
                sin6->sin6_port = htons((uint16_t) port);
                inet_pton(AF_INET6, addr, &sin6->sin6_addr);
                len = sizeof(*sin6);
        }
        if (bind(fd, (struct sockaddr *) &ss, len) < 0 || (type == SOCK_STREAM && listen(fd, 8) < 0))
                return -1;
        return fd;
}

static int connect_to(int fd, const char *addr, unsigned port) {
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};

        inet_pton(AF_INET, addr, &sin.sin_addr);
        return connect(fd, (struct sockaddr *) &sin, sizeof(sin));
}

/* The child: a fresh network namespace with lo up, listeners of every kind and sockets that are
 * none, then it waits until told to go. */
static int child_sockets(int ready, int go) {
        struct ifreq ifr = {.ifr_name = "lo"};
        int ctl, lst, cli, udp, c;
        char x;

        if (unshare(CLONE_NEWNET) < 0)
                return 10;
        ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (ctl < 0 || ioctl(ctl, SIOCGIFFLAGS, &ifr) < 0)
                return 11;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(ctl, SIOCSIFFLAGS, &ifr) < 0)
                return 12;
        if (bind_to(AF_INET, SOCK_STREAM, "0.0.0.0", 8001, 0) < 0 ||
            bind_to(AF_INET, SOCK_STREAM, "127.0.0.1", 8002, 0) < 0 ||
            bind_to(AF_INET6, SOCK_STREAM, "::", 8003, 1) < 0 || bind_to(AF_INET6, SOCK_STREAM, "::1", 8004, 1) < 0 ||
            bind_to(AF_INET6, SOCK_STREAM, "::ffff:127.0.0.1", 8005, 0) < 0)
                return 13;
        /* An established pair, both ends in here: neither is a listener, their listener is. */
        lst = bind_to(AF_INET, SOCK_STREAM, "127.0.0.1", 8006, 0);
        cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lst < 0 || cli < 0 || connect_to(cli, "127.0.0.1", 8006) < 0 || accept4(lst, NULL, NULL, SOCK_CLOEXEC) < 0)
                return 14;
        /* UDP: bound (v4, v6), bound then connected (not listening), and one never bound. */
        if (bind_to(AF_INET, SOCK_DGRAM, "0.0.0.0", 9001, 0) < 0 || bind_to(AF_INET6, SOCK_DGRAM, "::", 9002, 1) < 0)
                return 15;
        udp = bind_to(AF_INET, SOCK_DGRAM, "127.0.0.1", 9003, 0);
        if (udp < 0 || connect_to(udp, "127.0.0.1", 9001) < 0)
                return 16;
        c = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (c < 0)
                return 17;
        if (write(ready, "x", 1) != 1 || read(go, &x, 1) < 0)
                return 18;
        return 0;
}

static void same_netns(const struct stat *a) {
        struct stat b;

        assert_int_equal(stat("/proc/thread-self/ns/net", &b), 0);
        assert_true(a->st_dev == b.st_dev && a->st_ino == b.st_ino);
}

static void test_live_namespace(void **state) {
        /* In sock_sort_cmp's order: protocol, family, port. */
        static const char *const want[] = {
                "0.0.0.0:8001", "127.0.0.1:8002",          "127.0.0.1:8006", "[::]:8003",
                "[::1]:8004",   "[::ffff:127.0.0.1]:8005", "0.0.0.0:9001",   "[::]:9002",
        };
        struct listeners_socket *dv = NULL, *pv = NULL;
        struct nsx_error err = {};
        int ready[2], go[2], status, self, pidfd, procfd, nsfd, fd;
        size_t dn = 0, pn = 0;
        struct stat before;
        char path[64], x;
        pid_t pid;
        (void) state;

        /* A network namespace of its own needs CAP_SYS_ADMIN (a package build is not root). A TAP
         * comment, not skip(): meson counts cmocka's "not ok # SKIP" as a failure. */
        if (geteuid() != 0) {
                print_message("# not root: no network namespace can be made\n");
                return;
        }
        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
        assert_int_equal(pipe2(go, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(ready[0]);
                close(go[1]);
                _exit(child_sockets(ready[1], go[0]));
        }
        close(ready[1]);
        close(go[0]);
        if (read(ready[0], &x, 1) != 1) {
                waitpid(pid, &status, 0);
                fail_msg("the child could not make its sockets: exit %d", WEXITSTATUS(status));
        }

        assert_int_equal(stat("/proc/thread-self/ns/net", &before), 0);
        self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        assert_true(self >= 0);
        snprintf(path, sizeof(path), "/proc/%d", (int) pid);
        procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(procfd >= 0);
        assert_int_equal(listeners_read(procfd, "the child", &pv, &pn, &err), 0);

        /* Entered through its ns/net... */
        nsfd = openat(procfd, "ns/net", O_RDONLY | O_CLOEXEC);
        assert_true(nsfd >= 0);
        fd = sockdiag_open(nsfd, self, "the child", &err);
        assert_true(fd >= 0);
        same_netns(&before);
        assert_int_equal(sockdiag_read(fd, "the child", &dv, &dn, &err), 0);
        /* ...or its pidfd (valgrind 3.19 knows no pidfd_open: the ns/net way alone there). */
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        assert_true(pidfd >= 0 || errno == ENOSYS);
        if (pidfd >= 0) {
                struct listeners_socket *v = NULL;
                size_t n = 0;
                int fd2 = sockdiag_open(pidfd, self, "the child", &err);

                assert_true(fd2 >= 0);
                same_netns(&before);
                assert_int_equal(sockdiag_read(fd2, "the child", &v, &n, &err), 0);
                assert_int_equal(n, dn);
                listeners_sockets_free(v, n);
                close(fd2);
        }

        /* The same sockets, down to their inodes; the order is each table's own. */
        assert_int_equal(dn, ELEMENTSOF(want));
        assert_int_equal(pn, dn);
        qsort(dv, dn, sizeof(*dv), sock_sort_cmp);
        qsort(pv, pn, sizeof(*pv), sock_sort_cmp);
        for (size_t i = 0; i < dn; i++) {
                assert_int_equal(dv[i].proto, pv[i].proto);
                assert_int_equal(dv[i].family, pv[i].family);
                assert_memory_equal(dv[i].addr, pv[i].addr, 16);
                assert_int_equal(dv[i].port, pv[i].port);
                assert_int_equal(dv[i].inode, pv[i].inode);
                assert_null(dv[i].owners);
                assert_endpoint(&dv[i], want[i]);
        }

        assert_int_equal(write(go[1], "x", 1), 1);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        /* Its namespace outlives it in our socket... */
        listeners_sockets_free(dv, dn);
        dv = NULL;
        assert_int_equal(sockdiag_read(fd, "the child", &dv, &dn, &err), 0);
        assert_int_equal(dn, 0);
        /* ...but a pidfd of a process that is gone enters nothing. */
        if (pidfd >= 0) {
                assert_int_equal(sockdiag_open(pidfd, self, "the child", &err), -ESRCH);
                same_netns(&before);
                close(pidfd);
        }

        listeners_sockets_free(dv, dn);
        listeners_sockets_free(pv, pn);
        close(fd);
        close(procfd);
        close(nsfd);
        close(self);
        close(ready[0]);
        close(go[1]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_tcp),
                cmocka_unit_test(test_parse_udp),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_live_namespace),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
