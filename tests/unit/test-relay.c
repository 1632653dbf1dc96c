/* SPDX-License-Identifier: MIT */
/* Unit tests: the relay in a child process between real sockets on 127.0.0.1: echo, bulk data
 * both ways, half-close, reset, refused and timed-out connects, descriptor counts, UDP flows,
 * and accept paused (not spinning) when descriptors run out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"
#include "util.h"

#define IO_TIMEOUT_S 10 /* every blocking call of the test gives up after this: no hang */

enum srv_mode {
        SRV_ECHO,    /* echoes; closes on EOF */
        SRV_SUMMARY, /* reads to EOF, then replies "COUNT HASH\n" and reply_len pattern bytes, closes */
        SRV_RESET,   /* on the first bytes, closes with a reset */
        SRV_UDP_ECHO,
};

struct srv {
        int fd;
        enum srv_mode mode;
        size_t reply_len;
};

static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                h = (h ^ p[i]) * 16777619u;
        return h;
}

static unsigned char pattern(size_t i) {
        return (unsigned char) (i * 31 + (i >> 13));
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

        nanosleep(&ts, NULL);
}

static int write_all(int fd, const void *buf, size_t n) {
        const char *p = buf;

        while (n > 0) {
                ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += w;
                n -= (size_t) w;
        }
        return 0;
}

static void set_timeouts(int fd) {
        struct timeval tv = {.tv_sec = IO_TIMEOUT_S};

        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static struct sockaddr_in loopback(uint16_t port) {
        return (struct sockaddr_in){
                .sin_family = AF_INET,
                .sin_port = htons(port),
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
}

/* A socket bound to 127.0.0.1 on a free port (listening, for TCP, with this backlog). */
static int bind_any(int type, int backlog, uint16_t *ret_port) {
        struct sockaddr_in a = loopback(0);
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        if (type == SOCK_STREAM)
                assert_int_equal(listen(fd, backlog), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &len), 0);
        *ret_port = ntohs(a.sin_port);
        return fd;
}

/* ---- the servers: one child process, one poll loop ---- */

#define SRV_MAX 1100

struct srv_conn {
        enum srv_mode mode;
        size_t reply_len, count;
        uint32_t hash;
};

static void srv_drop(struct pollfd *pf, struct srv_conn *st, size_t *n, size_t i) {
        close(pf[i].fd);
        (*n)--;
        pf[i] = pf[*n];
        st[i] = st[*n];
}

static _Noreturn void serve(const struct srv *srvs, size_t n_srvs) {
        static struct pollfd pf[SRV_MAX];
        static struct srv_conn st[SRV_MAX];
        static unsigned char buf[65536];
        size_t n = n_srvs;

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (size_t i = 0; i < n_srvs; i++) {
                pf[i] = (struct pollfd){.fd = srvs[i].fd, .events = POLLIN};
                st[i] = (struct srv_conn){.mode = srvs[i].mode, .reply_len = srvs[i].reply_len};
        }
        for (;;) {
                if (poll(pf, n, -1) < 0)
                        continue;
                for (size_t i = n; i-- > 0;) {
                        if (!pf[i].revents)
                                continue;
                        if (i < n_srvs && st[i].mode == SRV_UDP_ECHO) {
                                struct sockaddr_storage from;
                                socklen_t fl = sizeof(from);
                                ssize_t r = recvfrom(pf[i].fd, buf, sizeof(buf), 0, (struct sockaddr *) &from, &fl);

                                if (r >= 0)
                                        sendto(pf[i].fd, buf, (size_t) r, 0, (struct sockaddr *) &from, fl);
                                continue;
                        }
                        if (i < n_srvs) {
                                int fd = accept4(pf[i].fd, NULL, NULL, SOCK_CLOEXEC);

                                if (fd >= 0 && n < SRV_MAX) {
                                        set_timeouts(fd);
                                        pf[n] = (struct pollfd){.fd = fd, .events = POLLIN};
                                        st[n] = (struct srv_conn){
                                                .mode = st[i].mode, .reply_len = st[i].reply_len, .hash = 2166136261u};
                                        n++;
                                } else if (fd >= 0)
                                        close(fd);
                                continue;
                        }
                        ssize_t r = read(pf[i].fd, buf, sizeof(buf));
                        if (r < 0) {
                                srv_drop(pf, st, &n, i);
                                continue;
                        }
                        switch (st[i].mode) {
                        case SRV_ECHO:
                                if (r == 0 || write_all(pf[i].fd, buf, (size_t) r) < 0)
                                        srv_drop(pf, st, &n, i);
                                break;
                        case SRV_SUMMARY:
                                if (r > 0) {
                                        st[i].count += (size_t) r;
                                        st[i].hash = fnv(st[i].hash, buf, (size_t) r);
                                        break;
                                }
                                dprintf(pf[i].fd, "%zu %08x\n", st[i].count, st[i].hash);
                                for (size_t off = 0; off < st[i].reply_len;) {
                                        size_t k = st[i].reply_len - off < sizeof(buf) ? st[i].reply_len - off
                                                                                       : sizeof(buf);

                                        for (size_t j = 0; j < k; j++)
                                                buf[j] = pattern(off + j);
                                        if (write_all(pf[i].fd, buf, k) < 0)
                                                break;
                                        off += k;
                                }
                                srv_drop(pf, st, &n, i);
                                break;
                        case SRV_RESET: {
                                struct linger lg = {.l_onoff = 1, .l_linger = 0};

                                setsockopt(pf[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
                                srv_drop(pf, st, &n, i);
                                break;
                        }
                        case SRV_UDP_ECHO:
                                break;
                        }
                }
        }
}

static pid_t start_servers(const struct srv *srvs, size_t n) {
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0)
                serve(srvs, n);
        for (size_t i = 0; i < n; i++)
                close(srvs[i].fd);
        return pid;
}

/* ---- the relay, in a child ---- */

static int count_fds(pid_t pid) {
        char path[64];
        struct dirent *de;
        int n = 0;

        snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
        _cleanup_(closedirp) DIR *d = opendir(path);
        if (!d)
                return -1;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        return n;
}

/* Leaves this process exactly room free descriptors: the limit lowered where it can be (not under
 * valgrind, which keeps the hard limit its own), then the table filled up to it. */
static int fill_fds(int room) {
        struct rlimit rl = {.rlim_cur = 4096, .rlim_max = 4096};
        int last = -1, fd;

        (void) setrlimit(RLIMIT_NOFILE, &rl);
        (void) relay_raise_nofile(); /* what relay_run does first: filled to the hard limit */
        while ((fd = fcntl(0, F_DUPFD_CLOEXEC, 0)) >= 0)
                last = fd;
        if (errno != EMFILE || last < room)
                return -1;
        for (int i = 0; i < room; i++)
                close(last - i);
        return 0;
}

struct relay_child {
        pid_t pid;
        int stop; /* write end of the stop pipe */
};

/* nofile_room > 0: the relay has that many descriptors left, not one more. */
static struct relay_child start_relay(struct relay_listener *ls, size_t n, long connect_timeout_ms, long udp_idle_ms,
                                      int nofile_room) {
        int p[2];
        pid_t pid;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct relay_config c = {
                        .listeners = ls,
                        .n_listeners = n,
                        .stop_fd = p[0],
                        .connect_timeout_ms = connect_timeout_ms,
                        .udp_idle_ms = udp_idle_ms,
                };
                struct nsx_error err = {0};
                int before, r;

                prctl(PR_SET_PDEATHSIG, SIGKILL);
                close(p[1]);
                if (nofile_room > 0 && fill_fds(nofile_room) < 0)
                        _exit(3);
                before = count_fds(getpid());
                r = relay_run(&c, &err);
                if (r < 0)
                        _exit(1);
                /* Everything the relay opened is closed on return. */
                _exit(count_fds(getpid()) == before ? 0 : 2);
        }
        close(p[0]);
        for (size_t i = 0; i < n; i++)
                close(ls[i].fd);
        return (struct relay_child){.pid = pid, .stop = p[1]};
}

static void stop_relay(struct relay_child *rc) {
        int status;

        assert_int_equal(write(rc->stop, "x", 1), 1);
        assert_int_equal(waitpid(rc->pid, &status, 0), rc->pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        close(rc->stop);
}

static void stop_servers(pid_t pid) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

static struct relay_listener tcp_to(uint16_t target_port, uint16_t *ret_port) {
        struct relay_listener l = {.proto = FORWARD_TCP, .target_len = sizeof(struct sockaddr_in)};
        struct sockaddr_in t = loopback(target_port);

        l.fd = bind_any(SOCK_STREAM, 128, ret_port);
        assert_int_equal(fcntl(l.fd, F_SETFL, O_NONBLOCK), 0);
        memcpy(&l.target, &t, sizeof(t));
        return l;
}

static struct relay_listener udp_to(uint16_t target_port, uint16_t *ret_port) {
        struct relay_listener l = {.proto = FORWARD_UDP, .target_len = sizeof(struct sockaddr_in)};
        struct sockaddr_in t = loopback(target_port);

        l.fd = bind_any(SOCK_DGRAM, 0, ret_port);
        assert_int_equal(fcntl(l.fd, F_SETFL, O_NONBLOCK), 0);
        memcpy(&l.target, &t, sizeof(t));
        return l;
}

static int connect_to(int type, uint16_t port) {
        struct sockaddr_in a = loopback(port);
        int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        set_timeouts(fd);
        assert_int_equal(connect(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        return fd;
}

/* One round trip through an echo: 1 when it came back intact. */
static int echo_ok(int fd, const char *msg) {
        char buf[256];
        size_t len = strlen(msg), got = 0;

        if (write_all(fd, msg, len) < 0)
                return 0;
        while (got < len) {
                ssize_t r = recv(fd, buf + got, len - got, 0);

                if (r <= 0)
                        return 0;
                got += (size_t) r;
        }
        return memcmp(buf, msg, len) == 0;
}

/* Waits (bounded) for a peer's reset or end: returns recv's result, errno in *ret_errno. */
static ssize_t recv_end(int fd, int *ret_errno) {
        char c;
        ssize_t r = recv(fd, &c, 1, 0);

        *ret_errno = r < 0 ? errno : 0;
        return r;
}

/* The descriptor count of pid once it stops changing (bounded wait). */
static int settled_fds(pid_t pid) {
        int last = count_fds(pid);

        for (int stable = 0, i = 0; stable < 5 && i < 200; i++) {
                sleep_ms(30);
                int now = count_fds(pid);
                stable = now == last ? stable + 1 : 0;
                last = now;
        }
        return last;
}

/* Waits (bounded) until pid has want descriptors; returns the last count seen. */
static int wait_fds(pid_t pid, int want) {
        int n = count_fds(pid);

        for (int i = 0; n != want && i < 250; i++) {
                sleep_ms(20);
                n = count_fds(pid);
        }
        return n;
}

/* ---- TCP ---- */

static void test_echo(void **state) {
        (void) state;
        uint16_t sport, rport;
        struct srv s = {.fd = bind_any(SOCK_STREAM, 128, &sport), .mode = SRV_ECHO};
        pid_t srv = start_servers(&s, 1);
        struct relay_listener l = tcp_to(sport, &rport);
        struct relay_child rc = start_relay(&l, 1, 0, 0, 0);

        int fd = connect_to(SOCK_STREAM, rport);
        assert_true(echo_ok(fd, "hello, relay"));
        assert_true(echo_ok(fd, "and again"));
        close(fd);

        stop_relay(&rc);
        stop_servers(srv);
}

/* Sends len pattern bytes, shuts down its writing, and checks the server's summary of them and
 * the reply_len pattern bytes that follow, to the end. */
static void summary_round(uint16_t port, size_t len, size_t reply_len) {
        int fd = connect_to(SOCK_STREAM, port);
        _cleanup_free_ unsigned char *buf = malloc(len > 65536 ? len : 65536);
        uint32_t h = 2166136261u;
        char line[64], want[64];
        size_t got = 0, line_len = 0;

        assert_non_null(buf);
        for (size_t i = 0; i < len; i++)
                buf[i] = pattern(i);
        h = fnv(h, buf, len);
        assert_int_equal(write_all(fd, buf, len), 0);
        assert_int_equal(shutdown(fd, SHUT_WR), 0);

        /* The summary line, byte by byte, then the reply. */
        while (line_len < sizeof(line) - 1) {
                assert_int_equal(recv(fd, &line[line_len], 1, 0), 1);
                if (line[line_len++] == '\n')
                        break;
        }
        line[line_len] = 0;
        snprintf(want, sizeof(want), "%zu %08x\n", len, h);
        assert_string_equal(line, want);
        for (;;) {
                ssize_t r = recv(fd, buf, 65536, 0);

                assert_true(r >= 0);
                if (r == 0)
                        break;
                for (ssize_t i = 0; i < r; i++)
                        if (buf[i] != pattern(got + (size_t) i))
                                fail_msg("reply byte %zu differs", got + (size_t) i);
                got += (size_t) r;
        }
        assert_int_equal(got, reply_len);
        close(fd);
}

static void test_bulk(void **state) {
        (void) state;
        uint16_t sport, rport;
        struct srv s = {.fd = bind_any(SOCK_STREAM, 128, &sport), .mode = SRV_SUMMARY, .reply_len = 3 << 20};
        pid_t srv = start_servers(&s, 1);
        struct relay_listener l = tcp_to(sport, &rport);
        struct relay_child rc = start_relay(&l, 1, 0, 0, 0);

        summary_round(rport, 3 << 20, 3 << 20);

        stop_relay(&rc);
        stop_servers(srv);
}

/* The client's shutdown(SHUT_WR) reaches the server as EOF, and the reply still comes back. */
static void test_half_close(void **state) {
        (void) state;
        uint16_t sport, rport;
        struct srv s = {.fd = bind_any(SOCK_STREAM, 128, &sport), .mode = SRV_SUMMARY, .reply_len = 1000};
        pid_t srv = start_servers(&s, 1);
        struct relay_listener l = tcp_to(sport, &rport);
        struct relay_child rc = start_relay(&l, 1, 0, 0, 0);

        summary_round(rport, 5, 1000);
        summary_round(rport, 0, 1000);

        stop_relay(&rc);
        stop_servers(srv);
}

/* The server's reset reaches the client as a reset, not as an orderly end. */
static void test_reset(void **state) {
        (void) state;
        uint16_t sport, rport;
        struct srv s = {.fd = bind_any(SOCK_STREAM, 128, &sport), .mode = SRV_RESET};
        pid_t srv = start_servers(&s, 1);
        struct relay_listener l = tcp_to(sport, &rport);
        struct relay_child rc = start_relay(&l, 1, 0, 0, 0);
        int e;

        int fd = connect_to(SOCK_STREAM, rport);
        assert_int_equal(write_all(fd, "x", 1), 0);
        assert_int_equal(recv_end(fd, &e), -1);
        assert_int_equal(e, ECONNRESET);
        close(fd);

        stop_relay(&rc);
        stop_servers(srv);
}

/* Nothing listens at the target: the client's connection ends at once, and the relay serves on. */
static void test_refused(void **state) {
        (void) state;
        uint16_t sport, rport[2], dead_port;
        struct srv s = {.fd = bind_any(SOCK_STREAM, 128, &sport), .mode = SRV_ECHO};
        pid_t srv = start_servers(&s, 1);
        int dead = bind_any(SOCK_STREAM, 1, &dead_port);
        close(dead); /* the port is free again: a connect to it is refused */
        struct relay_listener ls[2] = {tcp_to(dead_port, &rport[0]), tcp_to(sport, &rport[1])};
        struct relay_child rc = start_relay(ls, 2, 0, 0, 0);
        int e;

        for (int round = 0; round < 2; round++) {
                int fd = connect_to(SOCK_STREAM, rport[0]);

                assert_true(recv_end(fd, &e) == 0 || e == ECONNRESET);
                close(fd);
                fd = connect_to(SOCK_STREAM, rport[1]);
                assert_true(echo_ok(fd, "still serving"));
                close(fd);
        }

        stop_relay(&rc);
        stop_servers(srv);
}

/* A target whose accept queue is full drops our SYNs: the connect timeout gives the client a
 * reset instead of a connection left hanging. */
static void test_connect_timeout(void **state) {
        (void) state;
        uint16_t full_port, rport;
        int full = bind_any(SOCK_STREAM, 0, &full_port);
        struct sockaddr_in a = loopback(full_port);
        int filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int e;

        /* Backlog 0 holds one connection: this one fills it. */
        assert_int_equal(connect(filler, (struct sockaddr *) &a, sizeof(a)), 0);
        struct relay_listener l = tcp_to(full_port, &rport);
        struct relay_child rc = start_relay(&l, 1, 300, 0, 0);

        long long t0 = now_ms();
        int fd = connect_to(SOCK_STREAM, rport);
        assert_true(recv_end(fd, &e) == 0 || e == ECONNRESET);
        long long dt = now_ms() - t0;
        assert_true(dt >= 250);
        assert_true(dt < 5000);
        close(fd);

        stop_relay(&rc);
        close(filler);
        close(full);
}

/* What the relay opens for a connection, it closes with it: 200 connections leave it with the
 * descriptors it had after one. */
static void test_fd_count(void **state) {
        (void) state;
        uint16_t sport, rport;
        struct srv s = {.fd = bind_any(SOCK_STREAM, 1024, &sport), .mode = SRV_ECHO};
        pid_t srv = start_servers(&s, 1);
        struct relay_listener l = tcp_to(sport, &rport);
        struct relay_child rc = start_relay(&l, 1, 0, 0, 0);
        int fds[20];

        int fd = connect_to(SOCK_STREAM, rport);
        assert_true(echo_ok(fd, "one"));
        close(fd);
        int after_one = settled_fds(rc.pid);

        for (int round = 0; round < 10; round++) {
                for (int i = 0; i < 20; i++)
                        fds[i] = connect_to(SOCK_STREAM, rport);
                for (int i = 0; i < 20; i++)
                        assert_true(echo_ok(fds[i], "two hundred"));
                /* Idle connections hold no pipe: two descriptors each, and a pipe or two kept. */
                if (round == 0)
                        assert_true(settled_fds(rc.pid) <= after_one + 2 * 20 + 4);
                for (int i = 0; i < 20; i++)
                        close(fds[i]);
        }
        assert_int_equal(wait_fds(rc.pid, after_one), after_one);

        stop_relay(&rc);
        stop_servers(srv);
}

/* Accept fails with EMFILE: the relay stops watching the listener (its CPU time stays small),
 * and accepts again once connections have closed. */
static void test_emfile(void **state) {
        (void) state;
        uint16_t sport, rport;
        struct srv s = {.fd = bind_any(SOCK_STREAM, 128, &sport), .mode = SRV_ECHO};
        pid_t srv = start_servers(&s, 1);
        struct relay_listener l = tcp_to(sport, &rport);
        struct relay_child rc = start_relay(&l, 1, 0, 0, 6);
        int fds[16], served = 0;
        char path[64], stat[1024];

        for (int i = 0; i < 16; i++) {
                fds[i] = connect_to(SOCK_STREAM, rport);
                assert_int_equal(write_all(fds[i], "ping", 4), 0);
        }
        /* Some are answered; the rest wait (or were turned away). */
        long long until = now_ms() + 1000;
        for (int i = 0; i < 16; i++) {
                struct pollfd pf = {.fd = fds[i], .events = POLLIN};
                long long left = until - now_ms();
                char buf[4];

                if (poll(&pf, 1, left > 0 ? (int) left : 0) == 1 && recv(fds[i], buf, 4, MSG_DONTWAIT) == 4)
                        served++;
        }
        assert_true(served > 0);
        assert_true(served < 16);

        /* Not spinning: utime + stime (fields 14 and 15 of /proc/PID/stat) barely move. */
        long ticks[2];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) rc.pid);
        for (int k = 0; k < 2; k++) {
                FILE *f = fopen(path, "re");
                unsigned long ut, st;

                assert_non_null(f);
                assert_non_null(fgets(stat, sizeof(stat), f));
                fclose(f);
                char *p = strrchr(stat, ')');
                assert_non_null(p);
                assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st), 2);
                ticks[k] = (long) (ut + st);
                if (k == 0)
                        sleep_ms(300);
        }
        assert_true(ticks[1] - ticks[0] <= 8);

        for (int i = 0; i < 16; i++)
                close(fds[i]);
        /* Descriptors came free: a new connection is served. */
        int fd = connect_to(SOCK_STREAM, rport);
        assert_true(echo_ok(fd, "after"));
        close(fd);

        stop_relay(&rc);
        stop_servers(srv);
}

/* ---- UDP ---- */

#define FLOWS 50

static void test_udp(void **state) {
        (void) state;
        uint16_t sport, rport;
        struct srv s = {.fd = bind_any(SOCK_DGRAM, 0, &sport), .mode = SRV_UDP_ECHO};
        pid_t srv = start_servers(&s, 1);
        struct relay_listener l = udp_to(sport, &rport);
        struct relay_child rc = start_relay(&l, 1, 0, 0, 0);
        static unsigned char buf[65536], want[65536];
        int fds[FLOWS];

        int base = settled_fds(rc.pid);
        for (int i = 0; i < FLOWS; i++)
                fds[i] = connect_to(SOCK_DGRAM, rport);
        /* Two datagrams per flow, back to back: they must come back as two, each whole. One of
         * them is near the largest UDP payload. Ten flows at a time, so that no socket buffer on
         * the way overflows (UDP may drop). */
        for (int first = 0; first < FLOWS; first += 10) {
                for (int i = first; i < first + 10; i++)
                        for (int round = 0; round < 2; round++) {
                                size_t len = i == 7 && round == 1 ? 60000 : (size_t) (1 + i * 37 + round);

                                for (size_t j = 0; j < len; j++)
                                        buf[j] = (unsigned char) (i + j + round);
                                assert_int_equal(send(fds[i], buf, len, 0), (ssize_t) len);
                        }
                for (int i = first; i < first + 10; i++)
                        for (int round = 0; round < 2; round++) {
                                size_t len = i == 7 && round == 1 ? 60000 : (size_t) (1 + i * 37 + round);
                                ssize_t r = recv(fds[i], buf, sizeof(buf), MSG_TRUNC);

                                for (size_t j = 0; j < len; j++)
                                        want[j] = (unsigned char) (i + j + round);
                                assert_int_equal(r, (ssize_t) len);
                                assert_memory_equal(buf, want, len);
                        }
        }
        /* One socket per flow, in the relay. */
        assert_int_equal(count_fds(rc.pid), base + FLOWS);
        for (int i = 0; i < FLOWS; i++)
                close(fds[i]);

        stop_relay(&rc);
        stop_servers(srv);
}

/* A flow with no datagram either way for udp_idle_ms is closed; the client's next datagram
 * opens a new one. */
static void test_udp_idle(void **state) {
        (void) state;
        uint16_t sport, rport;
        struct srv s = {.fd = bind_any(SOCK_DGRAM, 0, &sport), .mode = SRV_UDP_ECHO};
        pid_t srv = start_servers(&s, 1);
        struct relay_listener l = udp_to(sport, &rport);
        struct relay_child rc = start_relay(&l, 1, 0, 200, 0);
        char buf[16];
        int fds[3];

        int base = settled_fds(rc.pid);
        for (int i = 0; i < 3; i++) {
                fds[i] = connect_to(SOCK_DGRAM, rport);
                assert_int_equal(send(fds[i], "hi", 2, 0), 2);
                assert_int_equal(recv(fds[i], buf, sizeof(buf), 0), 2);
        }
        assert_int_equal(count_fds(rc.pid), base + 3);
        assert_int_equal(wait_fds(rc.pid, base), base);

        assert_int_equal(send(fds[0], "again", 5, 0), 5);
        assert_int_equal(recv(fds[0], buf, sizeof(buf), 0), 5);
        for (int i = 0; i < 3; i++)
                close(fds[i]);

        stop_relay(&rc);
        stop_servers(srv);
}

static void test_raise_nofile(void **state) {
        (void) state;
        struct rlimit rl;
        long n = relay_raise_nofile();

        assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
        assert_true(n > 0);
        assert_int_equal((rlim_t) n, rl.rlim_cur);
        assert_true(rl.rlim_cur == rl.rlim_max);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_echo),         cmocka_unit_test(test_bulk),
                cmocka_unit_test(test_half_close),   cmocka_unit_test(test_reset),
                cmocka_unit_test(test_refused),      cmocka_unit_test(test_connect_timeout),
                cmocka_unit_test(test_fd_count),     cmocka_unit_test(test_emfile),
                cmocka_unit_test(test_udp),          cmocka_unit_test(test_udp_idle),
                cmocka_unit_test(test_raise_nofile),
        };

        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
