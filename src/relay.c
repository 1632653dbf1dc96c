/* SPDX-License-Identifier: MIT */
/* The relay: one epoll loop that accepts on host listeners and splices each connection to one it
 * opens in the current network namespace; UDP flows per client address. */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Empty pipes kept for the next burst of data: a pipe costs two descriptors and counts against
 * the user's pipe-user-pages-soft (16 pages each), so only a few are kept, and never more than
 * there are open connections (an idle relay holds none: its descriptor count is its baseline). */
#define POOL_MAX 64
/* Events per epoll_wait, connections accepted and datagrams moved per readiness event: bounds
 * that keep one busy listener or flow from starving the rest (they are level-triggered, so what
 * is left is reported again at once). */
#define EVENTS_MAX 256
#define BATCH_MAX 64
/* Accept paused for want of descriptors is retried after this long, or when a connection closes. */
#define ACCEPT_RETRY_MS 100
#define UDP_FLOWS_MAX 4096
#define UDP_BUCKETS 1024 /* a power of two */
#define UDP_BUF_SIZE 65536
/* A copy through user space, only when no pipe can be had (descriptors ran out). */
#define FALLBACK_BUF_SIZE 16384

/* What an epoll event's data.ptr points at: each object starts with one of these. */
enum tag {
        TAG_STOP,
        TAG_LISTENER,
        TAG_CLIENT, /* conn.s[0] */
        TAG_SERVER, /* conn.s[1] */
        TAG_FLOW,
};

/* One end of a TCP connection. Edge-triggered: a flag is set by an event and cleared only by
 * EAGAIN, so no readiness is ever lost and nothing is retried without cause. */
struct side {
        uint8_t tag;
        bool can_read, can_write;
        int fd;
};

/* One direction, bytes from s[i] to s[!i]: the pipe is held only while it has bytes in it. */
struct dir {
        int pipe[2];
        size_t inflight;
        bool eof;  /* the source said EOF */
        bool done; /* ... and it reached the destination as shutdown(SHUT_WR) */
};

struct conn {
        struct side s[2]; /* 0: the client, accepted on the host; 1: the server, in the netns */
        struct dir d[2];  /* 0: client -> server; 1: server -> client */
        bool connecting, dead;
        long long deadline;       /* of the connect, while connecting */
        struct conn *prev, *next; /* the connecting list (deadline order); next: free or zombie list */
        struct conn *all;         /* every conn ever allocated, to free on return */
};

/* A UDP flow's key: the listener and the client address, normalized (no padding, no flowinfo). */
struct flow_key {
        uint32_t listener;
        uint16_t family, port;
        uint32_t scope;
        uint8_t addr[16];
};

struct flow {
        uint8_t tag;
        bool dead;
        int fd; /* connected to the listener's target, in the netns */
        struct flow_key key;
        struct sockaddr_storage client; /* where replies go, through the listener */
        socklen_t client_len;
        long long last;                   /* the last datagram either way */
        struct flow *lru_prev, *lru_next; /* least recently used first: also idle-deadline order */
        struct flow *hnext;               /* hash chain; free or zombie list */
        struct flow *all;
};

struct listener_ref {
        uint8_t tag;
        uint32_t index;
};

struct relay {
        const struct relay_config *c;
        int epfd;
        long long now, connect_timeout, udp_idle;
        uint8_t stop_tag;
        struct listener_ref *lrefs;
        bool paused; /* accept paused: descriptors ran out */
        long long resume_at;

        size_t n_conns;
        struct conn *all_conns, *free_conns, *zombie_conns;
        struct conn *connecting_head, *connecting_tail;
        int pool[POOL_MAX][2];
        size_t n_pool;
        int spare[2]; /* an outbound TCP socket made ahead, IPv4 and IPv6 */

        unsigned char *udp_buf;
        struct flow **buckets;
        size_t n_flows;
        struct flow *all_flows, *free_flows, *zombie_flows;
        struct flow *lru_head, *lru_tail;
};

long relay_raise_nofile(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return -errno;
        if (rl.rlim_cur < rl.rlim_max) {
                struct rlimit raised = {.rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max};

                if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
                        rl.rlim_cur = rl.rlim_max;
        }
        return rl.rlim_cur == RLIM_INFINITY ? (long) INT32_MAX : (long) rl.rlim_cur;
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool out_of_fds(int e) {
        return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

/* Closes a socket so that its peer sees a reset, not an orderly end. */
static void close_reset(int fd) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};

        if (fd < 0)
                return;
        (void) setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(fd);
}

static void set_nodelay(int fd) {
        int one = 1;

        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* ---- accept pausing ---- */

static void listeners_pause(struct relay *r) {
        if (r->paused)
                return;
        for (size_t i = 0; i < r->c->n_listeners; i++)
                if (r->c->listeners[i].proto == FORWARD_TCP)
                        (void) epoll_ctl(r->epfd, EPOLL_CTL_DEL, r->c->listeners[i].fd, NULL);
        r->paused = true;
        r->resume_at = r->now + ACCEPT_RETRY_MS;
}

static void listeners_resume(struct relay *r) {
        if (!r->paused)
                return;
        for (size_t i = 0; i < r->c->n_listeners; i++) {
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &r->lrefs[i]};

                if (r->c->listeners[i].proto == FORWARD_TCP)
                        (void) epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->c->listeners[i].fd, &ev);
        }
        r->paused = false;
}

/* ---- pipes ---- */

static int pipe_get(struct relay *r, struct dir *d) {
        if (r->n_pool > 0) {
                r->n_pool--;
                d->pipe[0] = r->pool[r->n_pool][0];
                d->pipe[1] = r->pool[r->n_pool][1];
                return 0;
        }
        if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
                d->pipe[0] = d->pipe[1] = -1;
                return -errno;
        }
        return 0;
}

/* An empty pipe goes back to the pool; one with bytes in it (a connection torn down) is closed. */
static void pipe_put(struct relay *r, struct dir *d) {
        if (d->pipe[0] < 0)
                return;
        if (d->inflight == 0 && r->n_pool < POOL_MAX && r->n_pool < r->n_conns) {
                r->pool[r->n_pool][0] = d->pipe[0];
                r->pool[r->n_pool][1] = d->pipe[1];
                r->n_pool++;
        } else {
                close(d->pipe[0]);
                close(d->pipe[1]);
        }
        d->pipe[0] = d->pipe[1] = -1;
        d->inflight = 0;
}

/* ---- TCP connections ---- */

static struct conn *conn_of(struct side *s) {
        size_t i = s->tag == TAG_SERVER;

        return (struct conn *) ((char *) (s - i) - offsetof(struct conn, s));
}

static struct conn *conn_new(struct relay *r) {
        struct conn *c = r->free_conns;

        if (c)
                r->free_conns = c->next;
        else {
                c = malloc(sizeof(*c));
                if (!c)
                        return NULL;
                c->all = r->all_conns;
                r->all_conns = c;
        }
        struct conn *all = c->all;
        *c = (struct conn){
                .s = {{.tag = TAG_CLIENT, .fd = -1}, {.tag = TAG_SERVER, .fd = -1}},
                .d = {{.pipe = {-1, -1}}, {.pipe = {-1, -1}}},
                .all = all,
        };
        return c;
}

static void connecting_unlink(struct relay *r, struct conn *c) {
        if (!c->connecting)
                return;
        if (c->prev)
                c->prev->next = c->next;
        else
                r->connecting_head = c->next;
        if (c->next)
                c->next->prev = c->prev;
        else
                r->connecting_tail = c->prev;
        c->prev = c->next = NULL;
        c->connecting = false;
}

/* Ends a connection: reset_mask bit i closes s[i] with a reset, so that its peer learns the
 * other end failed; otherwise an orderly close. The struct is reused only after the current
 * batch of events, which may still name it. */
static void conn_close(struct relay *r, struct conn *c, unsigned reset_mask) {
        if (c->dead)
                return;
        connecting_unlink(r, c);
        r->n_conns--;
        for (size_t i = 0; i < 2; i++) {
                if (reset_mask & (1u << i))
                        close_reset(c->s[i].fd);
                else
                        safe_close(c->s[i].fd);
                c->s[i].fd = -1;
                pipe_put(r, &c->d[i]);
        }
        /* The pool never holds more pipes than there are connections to use them. */
        while (r->n_pool > r->n_conns) {
                r->n_pool--;
                close(r->pool[r->n_pool][0]);
                close(r->pool[r->n_pool][1]);
        }
        c->dead = true;
        c->next = r->zombie_conns;
        r->zombie_conns = c;
        /* A descriptor came free: accept may work again. */
        listeners_resume(r);
}

enum pump_result {
        PUMP_OK,
        PUMP_RESET_SRC, /* the destination failed: reset the source */
        PUMP_RESET_DST, /* the source failed (reset): reset the destination */
};

/* Moves what it can through user space when no pipe can be had: peeks, sends, then consumes
 * only what was sent, so nothing needs to be kept between calls. */
static enum pump_result pump_fallback(struct dir *d, struct side *src, struct side *dst) {
        char buf[FALLBACK_BUF_SIZE];

        while (src->can_read && dst->can_write) {
                ssize_t n = recv(src->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);

                if (n == 0) {
                        d->eof = true;
                        return PUMP_OK;
                }
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                src->can_read = false;
                                return PUMP_OK;
                        }
                        return PUMP_RESET_DST;
                }
                ssize_t w = send(dst->fd, buf, (size_t) n, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                dst->can_write = false;
                                return PUMP_OK;
                        }
                        return PUMP_RESET_SRC;
                }
                (void) recv(src->fd, buf, (size_t) w, MSG_DONTWAIT);
        }
        return PUMP_OK;
}

static enum pump_result pump_dir(struct relay *r, struct conn *c, size_t i) {
        struct dir *d = &c->d[i];
        struct side *src = &c->s[i], *dst = &c->s[!i];

        while (!d->done) {
                if (d->inflight > 0) {
                        if (!dst->can_write)
                                return PUMP_OK; /* backpressure: src is not read until dst drains */
                        ssize_t n =
                                splice(d->pipe[0], NULL, dst->fd, NULL, d->inflight, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                if (errno == EAGAIN) {
                                        dst->can_write = false;
                                        return PUMP_OK;
                                }
                                return PUMP_RESET_SRC;
                        }
                        if (n == 0)
                                return PUMP_RESET_SRC; /* cannot happen with bytes in the pipe */
                        d->inflight -= (size_t) n;
                        continue;
                }
                if (d->eof) {
                        /* Everything before the EOF has been delivered: pass the half-close on. */
                        pipe_put(r, d);
                        (void) shutdown(dst->fd, SHUT_WR);
                        d->done = true;
                        break;
                }
                if (!src->can_read) {
                        pipe_put(r, d);
                        return PUMP_OK;
                }
                if (d->pipe[0] < 0 && pipe_get(r, d) < 0) {
                        enum pump_result res = pump_fallback(d, src, dst);

                        if (res != PUMP_OK || !d->eof)
                                return res;
                        continue;
                }
                /* The pipe is empty here, so EAGAIN can only mean the socket has nothing. */
                ssize_t n = splice(src->fd, NULL, d->pipe[1], NULL, 1 << 20, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                src->can_read = false;
                                pipe_put(r, d);
                                return PUMP_OK;
                        }
                        return PUMP_RESET_DST;
                }
                if (n == 0)
                        d->eof = true;
                d->inflight += (size_t) n;
        }
        return PUMP_OK;
}

static void conn_pump(struct relay *r, struct conn *c) {
        for (size_t i = 0; i < 2; i++) {
                switch (pump_dir(r, c, i)) {
                case PUMP_OK:
                        break;
                case PUMP_RESET_SRC:
                        conn_close(r, c, 1u << i);
                        return;
                case PUMP_RESET_DST:
                        conn_close(r, c, 1u << !i);
                        return;
                }
        }
        if (c->d[0].done && c->d[1].done)
                conn_close(r, c, 0);
}

static int sock_error(int fd) {
        int e = 0;
        socklen_t len = sizeof(e);

        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
                return errno;
        return e;
}

static void conn_established(struct relay *r, struct conn *c) {
        connecting_unlink(r, c);
        conn_pump(r, c);
}

static void side_event(struct relay *r, struct side *s, uint32_t events) {
        struct conn *c = conn_of(s);
        size_t i = s->tag == TAG_SERVER;

        if (c->dead)
                return;
        if (events & EPOLLERR) {
                int e = sock_error(s->fd);

                if (c->connecting && i == 1) {
                        /* Refused, unreachable: the client sees a reset, as from a closed port. */
                        conn_close(r, c, 1u << 0);
                        return;
                }
                if (e != 0) {
                        /* This side was reset (or failed): pass it on to the other as a reset. */
                        conn_close(r, c, 1u << !i);
                        return;
                }
        }
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                s->can_read = true;
        if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
                s->can_write = true;
        if (c->connecting) {
                if (i == 1 && s->can_write)
                        conn_established(r, c);
                return;
        }
        conn_pump(r, c);
}

static void conn_start(struct relay *r, const struct relay_listener *l, int cfd, int sfd) {
        struct conn *c = conn_new(r);

        if (!c) {
                close_reset(cfd);
                close(sfd);
                return;
        }
        r->n_conns++;
        c->s[0].fd = cfd;
        c->s[1].fd = sfd;
        set_nodelay(cfd);
        set_nodelay(sfd);

        struct epoll_event ev0 = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = &c->s[0]};
        struct epoll_event ev1 = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = &c->s[1]};
        if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, cfd, &ev0) < 0 || epoll_ctl(r->epfd, EPOLL_CTL_ADD, sfd, &ev1) < 0) {
                conn_close(r, c, 1u << 0);
                return;
        }

        if (connect(sfd, (const struct sockaddr *) &l->target, l->target_len) == 0) {
                /* Rare (loopback may finish at once): the EPOLLOUT that follows finds it established. */
                return;
        }
        if (errno != EINPROGRESS) {
                conn_close(r, c, 1u << 0);
                return;
        }
        /* One timeout for all: appending keeps the list in deadline order. */
        c->connecting = true;
        c->deadline = r->now + r->connect_timeout;
        c->prev = r->connecting_tail;
        c->next = NULL;
        if (r->connecting_tail)
                r->connecting_tail->next = c;
        else
                r->connecting_head = c;
        r->connecting_tail = c;
}

/* The outbound socket is made before accept(): when descriptors run out, the client then waits in
 * the backlog (accept paused) instead of being accepted only to be reset. One made for a batch
 * that found nothing to accept is kept for the next. */
static void tcp_accept(struct relay *r, const struct relay_listener *l) {
        int *spare = &r->spare[l->target.ss_family == AF_INET6];

        for (size_t k = 0; k < BATCH_MAX && !r->paused; k++) {
                if (*spare < 0) {
                        *spare = socket(l->target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                        if (*spare < 0) {
                                if (out_of_fds(errno))
                                        listeners_pause(r);
                                return;
                        }
                }
                int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == EPERM)
                                continue;
                        /* Not spinning on a listener that stays readable: stop watching it until
                         * a connection closes or a little time has passed. */
                        if (out_of_fds(errno))
                                listeners_pause(r);
                        return;
                }
                conn_start(r, l, fd, TAKE_FD(*spare));
        }
}

/* ---- UDP flows ---- */

static void flow_key_of(uint32_t listener, const struct sockaddr_storage *sa, struct flow_key *k) {
        memset(k, 0, sizeof(*k));
        k->listener = listener;
        k->family = sa->ss_family;
        if (sa->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;

                k->port = in->sin_port;
                memcpy(k->addr, &in->sin_addr, sizeof(in->sin_addr));
        } else if (sa->ss_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;

                k->port = in6->sin6_port;
                k->scope = in6->sin6_scope_id;
                memcpy(k->addr, &in6->sin6_addr, sizeof(in6->sin6_addr));
        }
}

static uint32_t flow_hash(const struct flow_key *k) {
        const unsigned char *p = (const unsigned char *) k;
        uint32_t h = 2166136261u; /* FNV-1a */

        for (size_t i = 0; i < sizeof(*k); i++)
                h = (h ^ p[i]) * 16777619u;
        return h & (UDP_BUCKETS - 1);
}

static void lru_unlink(struct relay *r, struct flow *f) {
        if (f->lru_prev)
                f->lru_prev->lru_next = f->lru_next;
        else
                r->lru_head = f->lru_next;
        if (f->lru_next)
                f->lru_next->lru_prev = f->lru_prev;
        else
                r->lru_tail = f->lru_prev;
        f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct relay *r, struct flow *f) {
        f->lru_prev = r->lru_tail;
        f->lru_next = NULL;
        if (r->lru_tail)
                r->lru_tail->lru_next = f;
        else
                r->lru_head = f;
        r->lru_tail = f;
}

static void flow_touch(struct relay *r, struct flow *f) {
        f->last = r->now;
        if (r->lru_tail != f) {
                lru_unlink(r, f);
                lru_append(r, f);
        }
}

static void flow_close(struct relay *r, struct flow *f) {
        struct flow **pp = &r->buckets[flow_hash(&f->key)];

        while (*pp && *pp != f)
                pp = &(*pp)->hnext;
        if (*pp)
                *pp = f->hnext;
        lru_unlink(r, f);
        f->fd = safe_close(f->fd);
        f->dead = true;
        r->n_flows--;
        f->hnext = r->zombie_flows;
        r->zombie_flows = f;
}

static struct flow *flow_get(struct relay *r, uint32_t li, const struct sockaddr_storage *from, socklen_t from_len) {
        const struct relay_listener *l = &r->c->listeners[li];
        struct flow_key k;
        uint32_t h;
        struct flow *f;
        int fd;

        flow_key_of(li, from, &k);
        h = flow_hash(&k);
        for (f = r->buckets[h]; f; f = f->hnext)
                if (memcmp(&f->key, &k, sizeof(k)) == 0)
                        return f;

        if (r->n_flows >= UDP_FLOWS_MAX)
                flow_close(r, r->lru_head);
        fd = socket(l->target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 && out_of_fds(errno) && r->lru_head) {
                /* Out of descriptors: the least recently used flow makes room. */
                flow_close(r, r->lru_head);
                fd = socket(l->target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        }
        if (fd < 0)
                return NULL;
        struct epoll_event ev = {.events = EPOLLIN};
        if (connect(fd, (const struct sockaddr *) &l->target, l->target_len) < 0) {
                close(fd);
                return NULL;
        }

        f = r->free_flows;
        if (f)
                r->free_flows = f->hnext;
        else {
                f = malloc(sizeof(*f));
                if (!f) {
                        close(fd);
                        return NULL;
                }
                f->all = r->all_flows;
                r->all_flows = f;
        }
        struct flow *all = f->all;
        *f = (struct flow){
                .tag = TAG_FLOW,
                .fd = fd,
                .key = k,
                .client_len = from_len,
                .all = all,
        };
        memcpy(&f->client, from, from_len);
        ev.data.ptr = f;
        if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                close(fd);
                f->hnext = r->free_flows;
                r->free_flows = f;
                return NULL;
        }
        f->hnext = r->buckets[h];
        r->buckets[h] = f;
        r->n_flows++;
        f->last = r->now;
        lru_append(r, f);
        return f;
}

static void udp_listener_event(struct relay *r, uint32_t li) {
        const struct relay_listener *l = &r->c->listeners[li];

        for (size_t k = 0; k < BATCH_MAX; k++) {
                struct sockaddr_storage from;
                socklen_t from_len = sizeof(from);
                ssize_t n = recvfrom(l->fd, r->udp_buf, UDP_BUF_SIZE, MSG_TRUNC, (struct sockaddr *) &from, &from_len);

                if (n < 0) {
                        if (errno == EINTR || errno == ECONNREFUSED)
                                continue;
                        return;
                }
                if ((size_t) n > UDP_BUF_SIZE)
                        continue; /* larger than any UDP payload: dropped, never cut */
                struct flow *f = flow_get(r, li, &from, from_len);
                if (!f)
                        continue;
                /* A pending ICMP error of an earlier datagram fails this send once: send again. */
                if (send(f->fd, r->udp_buf, (size_t) n, 0) < 0 && errno == ECONNREFUSED)
                        (void) send(f->fd, r->udp_buf, (size_t) n, 0);
                flow_touch(r, f);
        }
}

static void flow_event(struct relay *r, struct flow *f) {
        if (f->dead)
                return;
        const struct relay_listener *l = &r->c->listeners[f->key.listener];

        for (size_t k = 0; k < BATCH_MAX; k++) {
                ssize_t n = recv(f->fd, r->udp_buf, UDP_BUF_SIZE, MSG_TRUNC);

                if (n < 0) {
                        /* ECONNREFUSED: an ICMP error from the target, nothing to pass on. */
                        if (errno == EINTR || errno == ECONNREFUSED)
                                continue;
                        return;
                }
                if ((size_t) n > UDP_BUF_SIZE)
                        continue;
                (void) sendto(l->fd, r->udp_buf, (size_t) n, 0, (const struct sockaddr *) &f->client, f->client_len);
                flow_touch(r, f);
        }
}

/* ---- the loop ---- */

static void expire(struct relay *r) {
        while (r->connecting_head && r->connecting_head->deadline <= r->now)
                conn_close(r, r->connecting_head, 1u << 0);
        while (r->lru_head && r->lru_head->last + r->udp_idle <= r->now)
                flow_close(r, r->lru_head);
        if (r->paused && r->resume_at <= r->now)
                listeners_resume(r);
}

static int next_timeout(const struct relay *r) {
        long long next = -1;

        if (r->connecting_head)
                next = r->connecting_head->deadline;
        if (r->lru_head && (next < 0 || r->lru_head->last + r->udp_idle < next))
                next = r->lru_head->last + r->udp_idle;
        if (r->paused && (next < 0 || r->resume_at < next))
                next = r->resume_at;
        if (next < 0)
                return -1;
        if (next <= r->now)
                return 0;
        /* Rounded up: waking a millisecond early would only find nothing due. */
        return next - r->now > INT32_MAX ? INT32_MAX : (int) (next - r->now);
}

static void reap_zombies(struct relay *r) {
        while (r->zombie_conns) {
                struct conn *c = r->zombie_conns;

                r->zombie_conns = c->next;
                c->next = r->free_conns;
                r->free_conns = c;
        }
        while (r->zombie_flows) {
                struct flow *f = r->zombie_flows;

                r->zombie_flows = f->hnext;
                f->hnext = r->free_flows;
                r->free_flows = f;
        }
}

static void relay_done(struct relay *r) {
        for (struct conn *c = r->all_conns, *next; c; c = next) {
                next = c->all;
                if (!c->dead) {
                        for (size_t i = 0; i < 2; i++) {
                                safe_close(c->s[i].fd);
                                safe_close(c->d[i].pipe[0]);
                                safe_close(c->d[i].pipe[1]);
                        }
                }
                free(c);
        }
        for (struct flow *f = r->all_flows, *next; f; f = next) {
                next = f->all;
                if (!f->dead)
                        safe_close(f->fd);
                free(f);
        }
        for (size_t i = 0; i < r->n_pool; i++) {
                close(r->pool[i][0]);
                close(r->pool[i][1]);
        }
        safe_close(r->spare[0]);
        safe_close(r->spare[1]);
        free(r->buckets);
        free(r->udp_buf);
        free(r->lrefs);
        safe_close(r->epfd);
}

int relay_run(const struct relay_config *c, struct nsx_error *err) {
        struct relay r = {
                .c = c,
                .epfd = -1,
                .spare = {-1, -1},
                .stop_tag = TAG_STOP,
                .connect_timeout = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : RELAY_CONNECT_TIMEOUT_MS,
                .udp_idle = c->udp_idle_ms > 0 ? c->udp_idle_ms : RELAY_UDP_IDLE_MS,
        };
        struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
        bool udp = false;
        int ret = 0;

        (void) relay_raise_nofile();

        r.epfd = epoll_create1(EPOLL_CLOEXEC);
        if (r.epfd < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "relay: cannot create an epoll instance");
        r.lrefs = calloc(c->n_listeners ? c->n_listeners : 1, sizeof(*r.lrefs));
        if (!r.lrefs) {
                ret = nsx_error_set_errno(err, NSX_ERR_FAILED, ENOMEM, "relay");
                goto out;
        }
        for (size_t i = 0; i < c->n_listeners; i++) {
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &r.lrefs[i]};

                r.lrefs[i] = (struct listener_ref){.tag = TAG_LISTENER, .index = (uint32_t) i};
                if (c->listeners[i].proto == FORWARD_UDP)
                        udp = true;
                if (epoll_ctl(r.epfd, EPOLL_CTL_ADD, c->listeners[i].fd, &ev) < 0) {
                        ret = nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "relay: cannot watch listener %zu", i);
                        goto out;
                }
        }
        if (c->stop_fd >= 0) {
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &r.stop_tag};

                if (epoll_ctl(r.epfd, EPOLL_CTL_ADD, c->stop_fd, &ev) < 0) {
                        ret = nsx_error_set_errno(err, NSX_ERR_FAILED, errno,
                                                  "relay: cannot watch the stop descriptor");
                        goto out;
                }
        }
        if (udp) {
                r.udp_buf = malloc(UDP_BUF_SIZE);
                r.buckets = calloc(UDP_BUCKETS, sizeof(*r.buckets));
                if (!r.udp_buf || !r.buckets) {
                        ret = nsx_error_set_errno(err, NSX_ERR_FAILED, ENOMEM, "relay");
                        goto out;
                }
        }
        /* splice(2) has no MSG_NOSIGNAL: a peer gone away must be an EPIPE, not a SIGPIPE that kills us. */
        sigaction(SIGPIPE, &ign, &old_pipe);

        r.now = now_ms();
        for (;;) {
                struct epoll_event events[EVENTS_MAX];
                int n = epoll_wait(r.epfd, events, EVENTS_MAX, next_timeout(&r));

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        ret = nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "relay: epoll_wait");
                        break;
                }
                r.now = now_ms();
                bool stop = false;
                for (int i = 0; i < n; i++) {
                        void *p = events[i].data.ptr;

                        switch (*(const uint8_t *) p) {
                        case TAG_STOP:
                                stop = true;
                                break;
                        case TAG_LISTENER: {
                                uint32_t li = ((const struct listener_ref *) p)->index;

                                if (c->listeners[li].proto == FORWARD_TCP) {
                                        if (!r.paused)
                                                tcp_accept(&r, &c->listeners[li]);
                                } else
                                        udp_listener_event(&r, li);
                                break;
                        }
                        case TAG_CLIENT:
                        case TAG_SERVER:
                                side_event(&r, p, events[i].events);
                                break;
                        case TAG_FLOW:
                                flow_event(&r, p);
                                break;
                        }
                }
                reap_zombies(&r);
                if (stop)
                        break;
                expire(&r);
                reap_zombies(&r);
        }
        sigaction(SIGPIPE, &old_pipe, NULL);
out:
        relay_done(&r);
        return ret;
}
