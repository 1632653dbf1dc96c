/* SPDX-License-Identifier: MIT */
/* sock_diag netlink dumps → listening sockets, one netlink socket per network namespace. */
#include "sockdiag.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

/* Kernel socket states (include/net/tcp_states.h), as listeners.c judges them in /proc. */
#define STATE_TCP_LISTEN 10
#define STATE_TCP_CLOSE 7 /* a UDP socket with no connect()ed peer */

int sockdiag_open(int nsfd, int self_netns, const char *label, struct nsx_error *err) {
        int fd, e;

        if (setns(nsfd, CLONE_NEWNET) < 0) {
                if (errno == ESRCH)
                        return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "%s exited while its sockets were read",
                                             label);
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot enter the network namespace of %s",
                                           label);
        }
        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        e = errno;
        /* Back before anything else: the rest of the process expects its own namespace. */
        if (setns(self_netns, CLONE_NEWNET) < 0) {
                e = errno;
                if (fd >= 0)
                        close(fd);
                nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot return to our own network namespace");
                return -ENOTRECOVERABLE;
        }
        if (fd < 0) {
                if (e == EPROTONOSUPPORT || e == ENOENT) {
                        nsx_error_set_errno(err, NSX_ERR_FAILED, e, "no sock_diag in the kernel");
                        return -EOPNOTSUPP;
                }
                return nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot open a sock_diag socket for %s", label);
        }
        return fd;
}

/* One inet_diag_msg (payload of length len, unaligned) → a socket, if it is a listening one. */
static int parse_diag_msg(const uint8_t *p, size_t len, enum container_proto proto, int family,
                          struct listeners_socket **v, size_t *n, size_t *cap) {
        struct inet_diag_msg m;
        struct listeners_socket s = {.proto = proto, .family = family};

        if (len < sizeof(m))
                return -EBADMSG;
        /* memcpy: the buffer's alignment is the caller's (a fuzzer's is arbitrary). */
        memcpy(&m, p, sizeof(m));
        if (m.idiag_family != family)
                return -EBADMSG;
        if (proto == CONTAINER_PROTO_TCP ? m.idiag_state != STATE_TCP_LISTEN : m.idiag_state != STATE_TCP_CLOSE)
                return 0;
        s.port = ntohs(m.id.idiag_sport);
        if (s.port == 0) /* an unbound UDP socket: nothing can reach it */
                return 0;
        /* idiag_src holds the address in network byte order, as /proc's words restore it. */
        memcpy(s.addr, m.id.idiag_src, family == AF_INET ? 4 : 16);
        s.inode = m.idiag_inode;
        return listeners_append(v, n, cap, &s);
}

int sockdiag_parse(const uint8_t *buf, size_t len, enum container_proto proto, int family, struct listeners_socket **v,
                   size_t *n, size_t *cap, int *ret_errno) {
        size_t off = 0;

        if (family != AF_INET && family != AF_INET6)
                return -EINVAL;
        if (len == 0)
                return -EBADMSG;
        while (off < len) {
                struct nlmsghdr h;
                size_t mlen;
                int r;

                /* NLMSG_OK's bounds, without its int arithmetic or an aligned cast. */
                if (len - off < sizeof(h))
                        return -EBADMSG;
                memcpy(&h, buf + off, sizeof(h));
                mlen = h.nlmsg_len;
                if (mlen < sizeof(h) || mlen > len - off)
                        return -EBADMSG;
                switch (h.nlmsg_type) {
                case NLMSG_DONE: {
                        int e = 0;

                        /* A dump that fails once started (no udp_diag to load: -ENOENT) ends
                         * with its errno in DONE's payload, not with an NLMSG_ERROR. */
                        if (mlen - NLMSG_HDRLEN >= sizeof(e))
                                memcpy(&e, buf + off + NLMSG_HDRLEN, sizeof(e));
                        if (e == 0)
                                return 1;
                        if (e > 0 || e == INT32_MIN)
                                return -EBADMSG;
                        if (ret_errno)
                                *ret_errno = -e;
                        return -EPROTO;
                }
                case NLMSG_ERROR: {
                        int e;

                        if (mlen - NLMSG_HDRLEN < sizeof(e))
                                return -EBADMSG;
                        memcpy(&e, buf + off + NLMSG_HDRLEN, sizeof(e));
                        /* 0 would be an acknowledgement, which a dump never asks for. */
                        if (e >= 0 || e == INT32_MIN)
                                return -EBADMSG;
                        if (ret_errno)
                                *ret_errno = -e;
                        return -EPROTO;
                }
                case NLMSG_NOOP:
                        break;
                case SOCK_DIAG_BY_FAMILY:
                        r = parse_diag_msg(buf + off + NLMSG_HDRLEN, mlen - NLMSG_HDRLEN, proto, family, v, n, cap);
                        if (r < 0)
                                return r;
                        break;
                default:
                        return -EBADMSG;
                }
                /* The padding of the last message may be missing: the kernel counts it, a
                 * buffer need not. */
                if (NLMSG_ALIGN(mlen) >= len - off)
                        break;
                off += NLMSG_ALIGN(mlen);
        }
        return 0;
}

static const struct {
        int family;
        int protocol;
        enum container_proto proto;
        uint32_t states;
} dumps[] = {
        /* LISTEN alone: any other state makes the kernel walk the whole established hash. */
        {AF_INET, IPPROTO_TCP, CONTAINER_PROTO_TCP, 1U << STATE_TCP_LISTEN},
        {AF_INET6, IPPROTO_TCP, CONTAINER_PROTO_TCP, 1U << STATE_TCP_LISTEN},
        {AF_INET, IPPROTO_UDP, CONTAINER_PROTO_UDP, 1U << STATE_TCP_CLOSE},
        {AF_INET6, IPPROTO_UDP, CONTAINER_PROTO_UDP, 1U << STATE_TCP_CLOSE},
};

static int dump_one(int fd, size_t which, uint32_t seq, uint8_t *buf, const char *label, struct listeners_socket **v,
                    size_t *n, size_t *cap, struct nsx_error *err) {
        struct {
                struct nlmsghdr h;
                struct inet_diag_req_v2 r;
        } req = {
                .h = {.nlmsg_len = sizeof(req),
                      .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                      .nlmsg_seq = seq},
                .r = {.sdiag_family = (uint8_t) dumps[which].family,
                      .sdiag_protocol = (uint8_t) dumps[which].protocol,
                      .idiag_states = dumps[which].states,
                      .id = {.idiag_cookie = {INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE}}},
        };
        struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
        const char *what = dumps[which].proto == CONTAINER_PROTO_TCP
                                   ? (dumps[which].family == AF_INET ? "tcp" : "tcp6")
                                   : (dumps[which].family == AF_INET ? "udp" : "udp6");

        if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot ask sock_diag for the %s sockets of %s",
                                           what, label);
        for (;;) {
                struct iovec iov = {.iov_base = buf, .iov_len = SOCKDIAG_BUFFER_SIZE};
                struct msghdr mh = {
                        .msg_name = &kernel, .msg_namelen = sizeof(kernel), .msg_iov = &iov, .msg_iovlen = 1};
                ssize_t k;
                int r, kerr = 0;

                k = recvmsg(fd, &mh, 0);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return nsx_error_set_errno(err, NSX_ERR_FAILED, errno,
                                                   "cannot read sock_diag's %s sockets of %s", what, label);
                }
                /* Only the kernel (port 0) answers; anything cut short is no answer. */
                if (kernel.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC))
                        return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "a bad sock_diag answer for %s of %s", what,
                                             label);
                r = sockdiag_parse(buf, (size_t) k, dumps[which].proto, dumps[which].family, v, n, cap, &kerr);
                if (r == 1)
                        return 0;
                if (r == -EPROTO) {
                        nsx_error_set_errno(err, NSX_ERR_FAILED, kerr, "sock_diag cannot dump the %s sockets of %s",
                                            what, label);
                        return -EOPNOTSUPP;
                }
                if (r == -ENOMEM)
                        return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                if (r == -E2BIG)
                        return nsx_error_set(err, NSX_ERR_FAILED, E2BIG, "%s has more than %zu listening sockets",
                                             label, LISTENERS_SOCKETS_MAX);
                if (r < 0)
                        return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "a malformed sock_diag answer for %s of %s",
                                             what, label);
        }
}

int sockdiag_read(int fd, const char *label, struct listeners_socket **ret, size_t *ret_n, struct nsx_error *err) {
        _cleanup_free_ uint8_t *buf = NULL;
        struct listeners_socket *v = NULL;
        size_t n = 0, cap = 0;

        buf = malloc(SOCKDIAG_BUFFER_SIZE);
        if (!buf)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        for (size_t i = 0; i < ELEMENTSOF(dumps); i++) {
                int r = dump_one(fd, i, (uint32_t) i + 1, buf, label, &v, &n, &cap, err);

                if (r < 0) {
                        free(v);
                        return r;
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
