/* SPDX-License-Identifier: MIT */
/* /proc/net socket tables → listening sockets; their owning processes; a verdict per port. */
#include "listeners.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "util.h"

/* Kernel socket states (include/net/tcp_states.h). */
#define STATE_TCP_LISTEN 0x0A
#define STATE_UDP_UNCONNECTED 0x07 /* TCP_CLOSE: a UDP socket with no connect()ed peer */

/* Exactly n hex digits at s into *ret. */
static bool parse_hex(const char *s, size_t n, uint32_t *ret) {
        uint32_t v = 0;

        for (size_t i = 0; i < n; i++) {
                int d = nsx_hex_digit(s[i]);

                if (d < 0)
                        return false;
                v = (v << 4) | (uint32_t) d;
        }
        *ret = v;
        return true;
}

/* The next whitespace-separated token in [*p, end). */
static bool next_token(const char **p, const char *end, const char **ret, size_t *ret_len) {
        const char *s = *p;

        while (s < end && (*s == ' ' || *s == '\t'))
                s++;
        if (s == end)
                return false;
        *ret = s;
        while (s < end && *s != ' ' && *s != '\t')
                s++;
        *ret_len = (size_t) (s - *ret);
        *p = s;
        return true;
}

/* "ADDR:PORT": ADDR is 8 (IPv4) or 32 (IPv6) hex digits, one 32-bit word per 8. */
static bool parse_address(const char *tok, size_t len, int family, unsigned char addr[16], unsigned *ret_port) {
        size_t hexlen = family == AF_INET ? 8 : 32;
        uint32_t word, port;

        if (len != hexlen + 1 + 4 || tok[hexlen] != ':')
                return false;
        memset(addr, 0, 16);
        for (size_t i = 0; i < hexlen / 8; i++) {
                if (!parse_hex(tok + i * 8, 8, &word))
                        return false;
                /* The kernel printed the word's in-memory value as a native integer: copying
                 * the value back to memory restores the network-order bytes on any host. */
                memcpy(addr + i * 4, &word, 4);
        }
        if (!parse_hex(tok + hexlen + 1, 4, &port))
                return false;
        *ret_port = port;
        return true;
}

int listeners_parse_line(const char *line, size_t len, enum container_proto proto, int family,
                         struct listeners_socket *ret) {
        const char *p = line, *end = line + len, *tok;
        struct listeners_socket s = {.proto = proto, .family = family};
        unsigned char remote[16];
        unsigned long inode = 0;
        unsigned remote_port;
        uint32_t state;
        size_t tlen;

        if (family != AF_INET && family != AF_INET6)
                return -EINVAL;
        /* "  sl  local_address ..." or nothing at all. */
        if (!next_token(&p, end, &tok, &tlen))
                return 0;
        if (tlen == 2 && memcmp(tok, "sl", 2) == 0)
                return 0;

        /* "0:" — the slot number. */
        if (tlen < 2 || tok[tlen - 1] != ':')
                return -EBADMSG;
        for (size_t i = 0; i + 1 < tlen; i++)
                if (tok[i] < '0' || tok[i] > '9')
                        return -EBADMSG;

        if (!next_token(&p, end, &tok, &tlen) || !parse_address(tok, tlen, family, s.addr, &s.port))
                return -EBADMSG;
        if (!next_token(&p, end, &tok, &tlen) || !parse_address(tok, tlen, family, remote, &remote_port))
                return -EBADMSG;
        if (!next_token(&p, end, &tok, &tlen) || tlen != 2 || !parse_hex(tok, 2, &state))
                return -EBADMSG;
        /* tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout: not needed, but present. */
        for (int i = 0; i < 5; i++)
                if (!next_token(&p, end, &tok, &tlen))
                        return -EBADMSG;
        if (!next_token(&p, end, &tok, &tlen) || tlen > 20)
                return -EBADMSG;
        for (size_t i = 0; i < tlen; i++) {
                if (tok[i] < '0' || tok[i] > '9' || inode > (~0UL - 9) / 10)
                        return -EBADMSG;
                inode = inode * 10 + (unsigned long) (tok[i] - '0');
        }
        s.inode = inode;

        if (proto == CONTAINER_PROTO_TCP ? state != STATE_TCP_LISTEN : state != STATE_UDP_UNCONNECTED)
                return 0;
        if (s.port == 0) /* an unbound UDP socket: nothing can reach it */
                return 0;
        *ret = s;
        return 1;
}

int listeners_append(struct listeners_socket **v, size_t *n, size_t *cap, const struct listeners_socket *s) {
        if (*n >= LISTENERS_SOCKETS_MAX)
                return -E2BIG;
        if (*n == *cap) {
                size_t ncap = *cap ? *cap * 2 : 16;
                struct listeners_socket *nv = reallocarray(*v, ncap, sizeof(**v));

                if (!nv)
                        return -ENOMEM;
                *v = nv;
                *cap = ncap;
        }
        (*v)[(*n)++] = *s;
        return 0;
}

int listeners_parse_table(const char *text, size_t len, enum container_proto proto, int family,
                          struct listeners_socket **v, size_t *n, size_t *cap, size_t *ret_line) {
        const char *end = text + len;
        size_t lineno = 0;

        for (const char *line = text; line < end;) {
                const char *eol = memchr(line, '\n', (size_t) (end - line));
                struct listeners_socket s;
                int r;

                if (!eol)
                        eol = end;
                lineno++;
                r = listeners_parse_line(line, (size_t) (eol - line), proto, family, &s);
                if (r < 0) {
                        if (ret_line)
                                *ret_line = lineno;
                        return r;
                }
                if (r > 0) {
                        r = listeners_append(v, n, cap, &s);
                        if (r < 0)
                                return r;
                }
                line = eol + 1;
        }
        return 0;
}

static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool listeners_socket_loopback(const struct listeners_socket *s) {
        static const unsigned char v6_loopback[16] = {[15] = 1};

        if (s->family == AF_INET)
                return s->addr[0] == 127;
        if (memcmp(s->addr, mapped_prefix, sizeof(mapped_prefix)) == 0)
                return s->addr[12] == 127;
        return memcmp(s->addr, v6_loopback, 16) == 0;
}

void listeners_format_address(const struct listeners_socket *s, char *buf, size_t size) {
        char tmp[INET6_ADDRSTRLEN];

        if (!inet_ntop(s->family, s->addr, tmp, sizeof(tmp)))
                snprintf(tmp, sizeof(tmp), "?");
        snprintf(buf, size, "%s", tmp);
}

void listeners_format_endpoint(const struct listeners_socket *s, char *buf, size_t size) {
        char a[INET6_ADDRSTRLEN];

        listeners_format_address(s, a, sizeof(a));
        if (s->family == AF_INET6)
                snprintf(buf, size, "[%s]:%u", a, s->port);
        else
                snprintf(buf, size, "%s:%u", a, s->port);
}

static const char *const verdict_names[] = {
        [LISTENERS_OK] = "ok",
        [LISTENERS_LOOPBACK_ONLY] = "loopback-only",
        [LISTENERS_NOT_LISTENING] = "not-listening",
        [LISTENERS_NOT_PUBLISHED] = "not-published",
        [LISTENERS_LOCAL_ONLY] = "local-only",
        [LISTENERS_EXPOSED_IDLE] = "exposed-idle",
        [LISTENERS_HOST_NETWORK] = "host-network",
};

const char *listeners_verdict_name(enum listeners_verdict v) {
        if ((size_t) v < ELEMENTSOF(verdict_names))
                return verdict_names[v];
        return "unknown";
}

bool listeners_verdict_is_problem(enum listeners_verdict v) {
        return v == LISTENERS_LOOPBACK_ONLY || v == LISTENERS_NOT_LISTENING;
}

static enum listeners_verdict judge_one(const struct listeners_port *p, bool host_network) {
        bool published = p->declared && p->declared->n_bindings > 0;
        bool reachable = false;

        for (size_t i = 0; i < p->n_socks; i++)
                if (!listeners_socket_loopback(p->socks[i]))
                        reachable = true;
        if (p->n_socks == 0)
                return published ? LISTENERS_NOT_LISTENING : LISTENERS_EXPOSED_IDLE;
        if (host_network)
                return LISTENERS_HOST_NETWORK;
        if (published)
                return reachable ? LISTENERS_OK : LISTENERS_LOOPBACK_ONLY;
        return reachable ? LISTENERS_NOT_PUBLISHED : LISTENERS_LOCAL_ONLY;
}

static struct listeners_port *find_port(struct listeners_port *v, size_t n, unsigned port, enum container_proto proto) {
        for (size_t i = 0; i < n; i++)
                if (v[i].port == port && v[i].proto == proto)
                        return &v[i];
        return NULL;
}

static int port_cmp(const void *a, const void *b) {
        const struct listeners_port *x = a, *y = b;

        if (x->proto != y->proto)
                return x->proto < y->proto ? -1 : 1;
        return x->port < y->port ? -1 : x->port > y->port;
}

/* Within a port, IPv4 before IPv6, then by address: a stable order for people and tests. */
static int sock_cmp(const void *a, const void *b) {
        const struct listeners_socket *x = *(const struct listeners_socket *const *) a;
        const struct listeners_socket *y = *(const struct listeners_socket *const *) b;

        int d;

        if (x->family != y->family)
                return x->family == AF_INET ? -1 : 1;
        d = memcmp(x->addr, y->addr, 16);
        if (d != 0)
                return d;
        /* Several on one address and port (SO_REUSEPORT): whichever reader found them, and in
         * whatever order, the same order. */
        return x->inode < y->inode ? -1 : x->inode > y->inode;
}

int listeners_judge(const struct container_port *ports, size_t n_ports, const struct listeners_socket *socks,
                    size_t n_socks, bool host_network, struct listeners_port **ret, size_t *ret_n) {
        struct listeners_port *v;
        size_t n = 0;

        v = calloc(n_ports + n_socks + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n_ports; i++)
                v[n++] = (struct listeners_port){.port = ports[i].port, .proto = ports[i].proto, .declared = &ports[i]};
        for (size_t i = 0; i < n_socks; i++) {
                struct listeners_port *p = find_port(v, n, socks[i].port, socks[i].proto);
                const struct listeners_socket **ns;

                if (!p) {
                        p = &v[n++];
                        *p = (struct listeners_port){.port = socks[i].port, .proto = socks[i].proto};
                }
                ns = reallocarray(p->socks, p->n_socks + 1, sizeof(*ns));
                if (!ns) {
                        listeners_ports_free(v, n);
                        return -ENOMEM;
                }
                p->socks = ns;
                p->socks[p->n_socks++] = &socks[i];
        }
        for (size_t i = 0; i < n; i++) {
                if (v[i].n_socks > 1)
                        qsort(v[i].socks, v[i].n_socks, sizeof(*v[i].socks), sock_cmp);
                v[i].verdict = judge_one(&v[i], host_network);
        }
        qsort(v, n, sizeof(*v), port_cmp);
        *ret = v;
        *ret_n = n;
        return 0;
}

void listeners_ports_free(struct listeners_port *p, size_t n) {
        for (size_t i = 0; i < n && p; i++)
                free(p[i].socks);
        free(p);
}

static const struct {
        const char *path;
        enum container_proto proto;
        int family;
} tables[] = {
        {"net/tcp", CONTAINER_PROTO_TCP, AF_INET},
        {"net/tcp6", CONTAINER_PROTO_TCP, AF_INET6},
        {"net/udp", CONTAINER_PROTO_UDP, AF_INET},
        {"net/udp6", CONTAINER_PROTO_UDP, AF_INET6},
};

int listeners_read(int procfd, const char *label, struct listeners_socket **ret, size_t *ret_n, struct nsx_error *err) {
        struct listeners_socket *v = NULL;
        size_t n = 0, cap = 0;

        for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
                _cleanup_free_ char *text = NULL;
                size_t len = 0, line = 0;
                int r;

                /* Their size is unknown until read. */
                r = fs_read_all_at(procfd, tables[i].path, LISTENERS_FILE_MAX, &text, &len);
                if (r == -ENOENT && i > 0) /* no tcp6/udp6: IPv6 is not built in */
                        continue;
                if (r == 0) {
                        r = listeners_parse_table(text, len, tables[i].proto, tables[i].family, &v, &n, &cap, &line);
                        if (r == -EBADMSG) {
                                free(v);
                                return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "cannot parse line %zu of %s of %s",
                                                     line, tables[i].path, label);
                        }
                }
                if (r < 0) {
                        free(v);
                        if (r == -E2BIG)
                                return nsx_error_set(err, NSX_ERR_FAILED, E2BIG,
                                                     "%s has more than %zu listening sockets", label,
                                                     LISTENERS_SOCKETS_MAX);
                        if (r == -ENOENT || r == -ESRCH)
                                return nsx_error_set(err, NSX_ERR_FAILED, ESRCH,
                                                     "%s exited while its sockets were read", label);
                        return nsx_error_set_errno(err, NSX_ERR_FAILED, -r, "cannot read %s of %s", tables[i].path,
                                                   label);
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int listeners_netns_open(int procfd, const char *label, dev_t *ret_dev, ino_t *ret_ino, struct nsx_error *err) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        /* Through the pin: once the process is gone, this fails rather than name another's. */
        fd = openat(procfd, "ns/net", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                if (errno == ENOENT || errno == ESRCH)
                        return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "%s exited while it was examined", label);
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot open the network namespace of %s",
                                           label);
        }
        *ret_dev = st.st_dev;
        *ret_ino = st.st_ino;
        return TAKE_FD(fd);
}

/* "socket:[12345]" → 12345. */
static bool socket_inode(const char *link, unsigned long *ret) {
        static const char prefix[] = "socket:[";
        unsigned long v = 0;
        const char *p;

        if (strncmp(link, prefix, sizeof(prefix) - 1) != 0)
                return false;
        for (p = link + sizeof(prefix) - 1; *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (unsigned long) (*p - '0');
        if (p[0] != ']' || p[1] != '\0')
                return false;
        *ret = v;
        return true;
}

static int add_owner(struct listeners_socket *s, pid_t pid, const char *comm) {
        struct listeners_owner *no;

        for (size_t i = 0; i < s->n_owners; i++)
                if (s->owners[i].pid == pid)
                        return 0;
        no = reallocarray(s->owners, s->n_owners + 1, sizeof(*no));
        if (!no)
                return -ENOMEM;
        s->owners = no;
        s->owners[s->n_owners] = (struct listeners_owner){.pid = pid};
        snprintf(s->owners[s->n_owners].comm, sizeof(s->owners[0].comm), "%s", comm);
        s->n_owners++;
        return 0;
}

static void read_comm(int pdir, char *buf, size_t size) {
        size_t len = 0;
        int r;

        /* A longer name than the buffer holds is cut. */
        r = fs_read_at(pdir, "comm", 0, buf, size - 1, &len);
        if ((r < 0 && r != -EFBIG) || len == 0) {
                snprintf(buf, size, "?");
                return;
        }
        buf[len] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        /* A process names itself: keep the report's columns and its JSON (UTF-8) intact. */
        for (char *c = buf; *c; c++)
                if ((unsigned char) *c < 0x20 || (unsigned char) *c >= 0x7f)
                        *c = '?';
}

/* The socket fds of one process, matched against the sockets of its namespace. */
static int scan_fds(int pdir, pid_t pid, struct listeners_netns *net) {
        _cleanup_(closedirp) DIR *d = NULL;
        const struct dirent *de;
        char comm[17] = "";
        int fd;

        fd = openat(pdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0; /* gone, or a kernel thread */
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return 0;
        }
        while ((de = readdir(d))) {
                char path[300], link[64];
                unsigned long inode;
                ssize_t k;

                if (de->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "fd/%s", de->d_name);
                k = readlinkat(pdir, path, link, sizeof(link) - 1);
                if (k <= 0)
                        continue;
                link[k] = '\0';
                if (!socket_inode(link, &inode))
                        continue;
                for (size_t i = 0; i < net->n_socks; i++) {
                        if (net->socks[i].inode != inode)
                                continue;
                        if (!comm[0])
                                read_comm(pdir, comm, sizeof(comm));
                        if (add_owner(&net->socks[i], pid, comm) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

int listeners_find_owners(struct listeners_netns *nets, size_t n, struct nsx_error *err) {
        _cleanup_(closedirp) DIR *proc = NULL;
        const struct dirent *de;
        int fd;

        if (n == 0)
                return 0;
        fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot open /proc");
        proc = fdopendir(fd);
        if (!proc) {
                int e = errno;

                close(fd);
                return nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot read /proc");
        }
        while ((de = readdir(proc))) {
                _cleanup_close_ int pdir = -1;
                char *end;
                long pid;
                struct stat st;

                pid = strtol(de->d_name, &end, 10);
                if (*end != '\0' || pid <= 0)
                        continue;
                pdir = openat(dirfd(proc), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (pdir < 0 || fstatat(pdir, "ns/net", &st, 0) < 0)
                        continue;
                /* Several containers may share one namespace (--net container:X, pods). */
                for (size_t i = 0; i < n; i++)
                        if (nets[i].dev == st.st_dev && nets[i].ino == st.st_ino &&
                            scan_fds(pdir, (pid_t) pid, &nets[i]) < 0)
                                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        }
        return 0;
}

void listeners_sockets_free(struct listeners_socket *s, size_t n) {
        for (size_t i = 0; i < n && s; i++)
                free(s[i].owners);
        free(s);
}
