/* SPDX-License-Identifier: MIT */
/* Listening sockets of a network namespace (/proc/PID/net/{tcp,tcp6,udp,udp6}), their owners, and
 * a verdict per port against what the engine publishes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "container.h"
#include "error.h"

/* Files larger than this are refused: a namespace with 100,000 sockets is about 15 MiB. */
#define LISTENERS_FILE_MAX ((size_t) 64 << 20)

/* More listening sockets than this in one namespace are refused, whichever reader finds them:
 * a hostile container may open a million, and each costs us memory. */
#define LISTENERS_SOCKETS_MAX ((size_t) 1 << 18)

struct listeners_owner {
        pid_t pid;     /* in our PID namespace */
        char comm[17]; /* /proc/PID/comm */
};

struct listeners_socket {
        enum container_proto proto;
        /* AF_INET (tcp, udp) or AF_INET6 (tcp6, udp6). An IPv4-mapped address (::ffff:a.b.c.d)
         * stays AF_INET6: it is an IPv6 socket, printed as such, judged by its IPv4 address. */
        int family;
        unsigned char addr[16]; /* network byte order; the first 4 bytes for AF_INET */
        unsigned port;
        unsigned long inode;
        struct listeners_owner *owners; /* owned; filled by listeners_find_owners */
        size_t n_owners;
};

/* Parses one line of /proc/net/{tcp,tcp6,udp,udp6} (family: AF_INET for tcp/udp, AF_INET6 for
 * tcp6/udp6). The kernel prints each 32-bit word of an address as the hex of its in-memory
 * value, i.e. in host byte order, and the port in plain hex. Returns 1 with *ret filled for a
 * listening socket (TCP state 0A LISTEN; UDP state 07, unconnected, with a local port), 0 for
 * the header, an empty line or any other socket, -EBADMSG for a malformed line. line need not
 * be NUL-terminated. */
int listeners_parse_line(const char *line, size_t len, enum container_proto proto, int family,
                         struct listeners_socket *ret);

/* Appends s to *v (n entries, capacity *cap; realloc'd). -E2BIG past LISTENERS_SOCKETS_MAX,
 * -ENOMEM. */
int listeners_append(struct listeners_socket **v, size_t *n, size_t *cap, const struct listeners_socket *s);

/* Parses a whole file's text and appends its listening sockets to *v (n entries, capacity
 * *cap; realloc'd). On -EBADMSG *ret_line is the 1-based line at fault; -E2BIG, -ENOMEM as
 * listeners_append. */
int listeners_parse_table(const char *text, size_t len, enum container_proto proto, int family,
                          struct listeners_socket **v, size_t *n, size_t *cap, size_t *ret_line);

/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: reachable only from inside the namespace. */
bool listeners_socket_loopback(const struct listeners_socket *s);

/* The address alone ("127.0.0.1", "::", "::ffff:127.0.0.1"). */
void listeners_format_address(const struct listeners_socket *s, char *buf, size_t size);

/* The address with its port ("127.0.0.1:8080", "[::1]:8080"). */
void listeners_format_endpoint(const struct listeners_socket *s, char *buf, size_t size);

enum listeners_verdict {
        LISTENERS_OK,            /* published, and something listens on a reachable address */
        LISTENERS_LOOPBACK_ONLY, /* published, but bound to loopback only: unreachable from outside */
        LISTENERS_NOT_LISTENING, /* published, but nothing listens */
        LISTENERS_NOT_PUBLISHED, /* listening on a reachable address, not published */
        LISTENERS_LOCAL_ONLY,    /* listening on loopback only, not published */
        LISTENERS_EXPOSED_IDLE,  /* exposed, not published, nothing listens */
        LISTENERS_HOST_NETWORK,  /* listening in the host's namespace (--net host): nothing to publish */
};

/* A stable word for scripts ("ok", "loopback-only", ...). */
const char *listeners_verdict_name(enum listeners_verdict v);

/* True for the verdicts that mean a published port does not work. */
bool listeners_verdict_is_problem(enum listeners_verdict v);

/* One port and protocol: what the engine says of it and what listens on it. */
struct listeners_port {
        unsigned port;
        enum container_proto proto;
        const struct container_port *declared; /* NULL when the engine knows nothing of it */
        const struct listeners_socket **socks; /* owned array of borrowed pointers */
        size_t n_socks;
        enum listeners_verdict verdict;
};

/* Pure: groups socks by port and protocol, joins them with the engine's ports and judges each
 * (sorted by protocol then port). host_network: the container runs in the host's network
 * namespace, where publishing does not apply. Pointers into ports and socks are kept: they must
 * outlive *ret. Returns 0 or -ENOMEM. */
int listeners_judge(const struct container_port *ports, size_t n_ports, const struct listeners_socket *socks,
                    size_t n_socks, bool host_network, struct listeners_port **ret, size_t *ret_n);

void listeners_ports_free(struct listeners_port *p, size_t n);

/* Reads the listening sockets of the network namespace of the process pinned by procfd
 * (/proc/PID, a dirfd): its net/tcp, tcp6, udp and udp6, no setns. A file that does not exist
 * (no IPv6 in the kernel) is skipped. label names the process in messages. */
int listeners_read(int procfd, const char *label, struct listeners_socket **ret, size_t *ret_n, struct nsx_error *err);

/* A set of sockets of one network namespace whose owners are to be found. */
struct listeners_netns {
        dev_t dev; /* of the namespace's nsfs inode (stat of /proc/PID/ns/net) */
        ino_t ino;
        struct listeners_socket *socks;
        size_t n_socks;
};

/* Opens the network namespace of the process pinned by procfd (close-on-exec) and gives its
 * identity, the nsfs inode's. A process that is gone: -ESRCH. Returns the fd. */
int listeners_netns_open(int procfd, const char *label, dev_t *ret_dev, ino_t *ret_ino, struct nsx_error *err);

/* One pass over /proc: for each process in one of the namespaces, its socket:[INODE] fds name
 * the owners of those sockets. Processes that vanish or cannot be read are skipped: owners are
 * a best effort, the sockets themselves are already known. */
int listeners_find_owners(struct listeners_netns *nets, size_t n, struct nsx_error *err);

void listeners_sockets_free(struct listeners_socket *s, size_t n);
