/* SPDX-License-Identifier: MIT */
/* --forward's watcher: the host's listeners, a relay in the container's network for as long as
 * the container runs, and the container followed by ID across restarts until it is removed.
 *
 * Two processes. The watcher keeps the listeners, the engine's event stream and the pinned
 * process; it never enters anything. The relay is its child: it keeps only the listeners, joins
 * the container's network through the pinned pidfd, drops every privilege (no capabilities, uid
 * and gid nobody, no_new_privs, not dumpable) and serves (relay.c). When the container's process
 * exits, the watcher kills the relay and refuses connections itself; when the engine says the
 * container runs again, it pins and proves the new process and starts a new relay. */
#include "forward.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "confine.h"
#include "engine.h"
#include "enter.h"
#include "events.h"
#include "lookup.h"
#include "options.h"
#include "relay.h"
#include "target.h"
#include "util.h"

/* While the container is down and no event stream tells of its start, the engine is asked this
 * often; also the retry after a passing failure (the engine restarting, say). */
#define FORWARD_POLL_MS 1000L
/* Refusing while descriptors ran out: tried again after this, never in a loop. */
#define FORWARD_PAUSE_MS 100L
/* Whom the relay runs as: the kernel's overflow ids, nobody's. */
#define FORWARD_RELAY_ID 65534

#define CAP_BIT(cap) (UINT64_C(1) << (cap))
/* What the watcher still needs once its listeners are bound: to join the next incarnation's
 * network (SYS_ADMIN) and pin it when its uid is not ours (SYS_PTRACE, a user namespace's root);
 * to reach the engine's socket and the cgroup files whoever owns them (DAC_*); to start the
 * relay as nobody (SETUID, SETGID; SETPCAP for its bounding set) and to kill it then (KILL).
 * NET_BIND_SERVICE, NET_ADMIN, NET_RAW and the rest are gone. */
#define WATCHER_CAPS                                                                                                   \
        (CAP_BIT(CAP_SYS_ADMIN) | CAP_BIT(CAP_SYS_PTRACE) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_DAC_READ_SEARCH) | \
         CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_SETPCAP) | CAP_BIT(CAP_KILL))

enum watcher_state {
        WATCHER_DOWN,     /* no process: connections are refused here */
        WATCHER_STARTING, /* a relay was started and has not said it is ready */
        WATCHER_UP,       /* the relay serves */
};

struct watcher {
        const struct forward_request *req;
        char id[CONTAINER_ID_LEN + 1];
        char label[320]; /* "container 'web'" */
        struct relay_listener *ls;
        size_t n_ls;
        int sigfd;
        struct target t;  /* the pinned process, while not DOWN */
        pid_t relay;      /* 0: none */
        int relay_status; /* its end of the status pipe: "R" when ready, else why it failed */
        enum watcher_state state;
        bool announced; /* the "forwarding" lines are said once */
        struct engine_stream *events;
        bool retry;          /* the last look at the engine failed in passing: look again on the tick */
        bool paused;         /* refusing ran out of descriptors */
        bool warned;         /* the engine's failure was said, once until it answers again */
        long long next_tick; /* CLOCK_MONOTONIC ms */
};

__attribute__((format(printf, 3, 4))) static void say(const struct watcher *w, enum forward_line kind, const char *fmt,
                                                      ...) {
        char text[640];
        va_list ap;

        if (kind == FORWARD_DEBUG && !w->req->verbose)
                return;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        nsx_sanitize(text);
        w->req->say(w->req->userdata, kind, text);
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the listeners --------------------------------------------------------------------------- */

static int listen_on(const struct forward_spec *s, struct relay_listener *ret, struct nsx_error *err) {
        _cleanup_close_ int fd = -1;
        char where[FORWARD_ADDR_MAX];
        int one = 1;

        forward_addr_format((const struct sockaddr *) &s->host, where, sizeof(where));
        fd = socket(s->host.ss_family,
                    (s->proto == FORWARD_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot listen on %s/%s", where,
                                           forward_proto_name(s->proto));
        /* [::] means IPv6 only: 0.0.0.0 is asked for by its own spec. A TCP port in TIME_WAIT
         * from our last run may be bound again, as every server does; a UDP port may not be
         * shared. */
        if ((s->host.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
            (s->proto == FORWARD_TCP && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
            bind(fd, (const struct sockaddr *) &s->host, s->host_len) < 0 ||
            (s->proto == FORWARD_TCP && listen(fd, SOMAXCONN) < 0))
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot listen on %s/%s", where,
                                           forward_proto_name(s->proto));
        *ret = (struct relay_listener){
                .fd = TAKE_FD(fd),
                .proto = s->proto,
                .target = s->target,
                .target_len = s->target_len,
        };
        return 0;
}

/* One line a forward, with the port the kernel chose for a 0. */
static void announce(struct watcher *w) {
        for (size_t i = 0; i < w->n_ls; i++) {
                struct sockaddr_storage bound;
                socklen_t len = sizeof(bound);
                char host[FORWARD_ADDR_MAX], target[FORWARD_ADDR_MAX];

                if (getsockname(w->ls[i].fd, (struct sockaddr *) &bound, &len) < 0)
                        bound = w->req->specs[i].host;
                forward_addr_format((const struct sockaddr *) &bound, host, sizeof(host));
                forward_addr_format((const struct sockaddr *) &w->ls[i].target, target, sizeof(target));
                say(w, FORWARD_READY, "forwarding %s -> %s %s/%s", host, w->req->typed, target,
                    forward_proto_name(w->ls[i].proto));
        }
        w->announced = true;
}

/* While the container is down: each waiting connection is reset at once, each datagram dropped. */
static void refuse(struct watcher *w, const struct relay_listener *l) {
        for (int i = 0; i < 1024; i++) {
                if (l->proto == FORWARD_UDP) {
                        char byte;

                        if (recv(l->fd, &byte, sizeof(byte), MSG_DONTWAIT | MSG_TRUNC) < 0)
                                return;
                        continue;
                }
                int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
                if (fd < 0) {
                        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                                w->paused = true;
                        return;
                }
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){.l_onoff = 1, .l_linger = 0},
                           sizeof(struct linger));
                close(fd);
        }
}

/* --- the relay ------------------------------------------------------------------------------- */

static int cmp_int(const void *a, const void *b) {
        return *(const int *) a - *(const int *) b;
}

/* Closes every descriptor but stderr and those in keep (n of them): libcurl's sockets (the event
 * stream's) have no O_CLOEXEC, and nothing of the engine may reach the container's network. */
static void close_all_but(int *keep, size_t n) {
        unsigned from = 3;

        qsort(keep, n, sizeof(*keep), cmp_int);
        for (size_t i = 0; i < n; i++) {
                if (keep[i] < 0 || (unsigned) keep[i] < from)
                        continue;
                if ((unsigned) keep[i] > from)
                        close_range(from, (unsigned) keep[i] - 1, 0);
                from = (unsigned) keep[i] + 1;
        }
        close_range(from, ~0U, 0);
}

/* The relay's last privileges go, in the order each step still allows: the bounding set and all
 * but SETUID and SETGID (confine_keep; it sets no_new_privs), then groups, gid and uid (which
 * clears those two), then dumpability: another of nobody's processes cannot ptrace it for its sockets. The
 * uid change clears the death signal: it is set again. */
static int relay_drop_privileges(pid_t parent, struct nsx_error *err) {
        int r;

        r = confine_keep(CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID), 0, err);
        if (r < 0)
                return r;
        if (setgroups(0, NULL) < 0 || setresgid(FORWARD_RELAY_ID, FORWARD_RELAY_ID, FORWARD_RELAY_ID) < 0 ||
            setresuid(FORWARD_RELAY_ID, FORWARD_RELAY_ID, FORWARD_RELAY_ID) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot become nobody");
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "prctl(PR_SET_DUMPABLE)");
        return enter_die_with_parent(parent, err);
}

/* The relay process: never returns. Its failure reaches the watcher as text on status. */
static _Noreturn void relay_main(struct watcher *w, int status, pid_t parent, const sigset_t *mask) {
        struct nsx_error e = {};
        enum enter_role role;
        pid_t unused;
        int keep[OPTIONS_FORWARD_MAX + 3];
        size_t n_keep = 0;
        int devnull, r;

        r = enter_die_with_parent(parent, &e);
        if (r < 0)
                goto fail;
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        sigprocmask(SIG_SETMASK, mask, NULL);

        /* stdin and stdout are the watcher's; stderr stays, for a sanitizer's report. */
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull >= 0) {
                dup2(devnull, STDIN_FILENO);
                dup2(devnull, STDOUT_FILENO);
                close(devnull);
        }
        for (size_t i = 0; i < w->n_ls; i++)
                keep[n_keep++] = w->ls[i].fd;
        keep[n_keep++] = status;
        keep[n_keep++] = w->t.pidfd;
        keep[n_keep++] = w->t.procfd;
        close_all_but(keep, n_keep);

        r = enter_namespaces(
                &(struct enter_request){
                        .pid = w->t.pid,
                        .pidfd = w->t.pidfd,
                        .procfd = w->t.procfd,
                        .namespaces = ENTER_NS_NET,
                        .label = w->label,
                },
                &role, &unused, &e);
        if (r < 0)
                goto fail;
        target_done(&w->t);
        relay_raise_nofile();
        r = relay_drop_privileges(parent, &e);
        if (r < 0)
                goto fail;
        if (write(status, "R", 1) != 1)
                _exit(EXIT_FAILURE);
        r = relay_run(&(struct relay_config){.listeners = w->ls, .n_listeners = w->n_ls, .stop_fd = -1}, &e);
        if (r >= 0)
                _exit(EXIT_SUCCESS);
fail:
        if (write(status, e.message, strlen(e.message)) < 0)
                _exit(EXIT_FAILURE);
        _exit(125);
}

static void stop_relay(struct watcher *w) {
        if (w->relay > 0) {
                kill(w->relay, SIGKILL);
                while (waitpid(w->relay, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        w->relay = 0;
        w->relay_status = safe_close(w->relay_status);
}

static int start_relay(struct watcher *w, const sigset_t *mask, struct nsx_error *err) {
        int pipefd[2];
        pid_t parent = getpid(), child;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot make a pipe");
        child = fork();
        if (child < 0) {
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "fork");
        }
        if (child == 0) {
                safe_close(pipefd[0]);
                relay_main(w, pipefd[1], parent, mask);
        }
        safe_close(pipefd[1]);
        w->relay = child;
        w->relay_status = pipefd[0];
        w->state = WATCHER_STARTING;
        return 0;
}

/* --- following the container ----------------------------------------------------------------- */

/* Has the pinned process exited? Its pidfd says so; on a kernel without pidfds (before 5.3), its
 * /proc/PID, which fails with ESRCH once this very process is gone. */
static bool target_exited(const struct watcher *w) {
        struct pollfd p = {.fd = w->t.pidfd, .events = POLLIN};

        if (w->t.pidfd >= 0)
                return poll(&p, 1, 0) == 1;
        return w->t.procfd >= 0 && faccessat(w->t.procfd, "stat", F_OK, 0) < 0;
}

/* The engine's events for the container (start, die, destroy...) wake us up; without them, we ask
 * every FORWARD_POLL_MS while it is down. Either way an event is only a reason to look. */
static void follow_events(struct watcher *w) {
        struct nsx_error e = {};
        char path[512];

        if (w->events || events_path(w->id, path, sizeof(path)) < 0)
                return;
        /* The CRI's event stream (GetContainerEvents) is newer than the runtimes it must work with. */
        if (w->req->ep->api == ENDPOINT_API_CRI) {
                say(w, FORWARD_DEBUG, "a CRI engine: asking it every %ld ms while %s is down", FORWARD_POLL_MS,
                    w->label);
                return;
        }
        if (engine_stream_open(w->req->ep, path, w->req->timeout_ms, &w->events, &e) < 0) {
                w->events = NULL;
                say(w, FORWARD_DEBUG, "no event stream from the engine (%s): asking it every %ld ms while %s is down",
                    e.message, FORWARD_POLL_MS, w->label);
                return;
        }
        say(w, FORWARD_DEBUG, "following %s (ID %.12s) through the engine's event stream", w->label, w->id);
}

static void container_exited(struct watcher *w) {
        stop_relay(w);
        target_done(&w->t);
        w->state = WATCHER_DOWN;
        w->next_tick = now_ms();
        say(w, FORWARD_STATUS, "%s exited: refusing connections until it runs again", w->label);
        follow_events(w);
}

/* A network namespace of our own would have our listeners connect to themselves. */
static int check_own_network(const struct watcher *w, struct nsx_error *err) {
        struct stat ours, theirs;

        if (stat("/proc/self/ns/net", &ours) == 0 && fstatat(w->t.procfd, "ns/net", &theirs, 0) == 0 &&
            ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                     "%s uses the host's network: its ports are the host's already", w->label);
        return 0;
}

/* Pins, proves and enters the container's process once it runs; a look at the engine that finds
 * it not running yet (or not answering) leaves us down. A removed container, or a process that
 * is not the container's, ends the forward. */
static int reconcile(struct watcher *w, const sigset_t *mask, struct nsx_error *err) {
        _cleanup_(container_donep) struct container c = {};
        _cleanup_(run_donep) struct run run = RUN_NULL;
        struct nsx_error e = {};
        int r;

        w->retry = false;
        if (w->state != WATCHER_DOWN)
                return 0;
        r = lookup_container(w->req->ep, w->id, w->req->typed, NULL, w->req->timeout_ms, &c, NULL, NULL, &e);
        if (r < 0) {
                if (e.http_status == 404 && e.errnum == ENOENT)
                        return nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "%s was removed", w->label);
                if (e.http_status == 0 && (e.errnum == ESRCH || e.errnum == EAGAIN)) {
                        w->warned = false;
                        return 0; /* stopped, restarting: the next event says more */
                }
                if (!w->warned)
                        say(w, FORWARD_WARNING, "%s; asking again every %ld ms", e.message, FORWARD_POLL_MS);
                w->warned = w->retry = true;
                return 0;
        }
        w->warned = false;
        r = run_prepare(&(struct run_inputs){.verify = w->req->verify, .verbose = w->req->verbose}, &c, w->label, &run,
                        &e);
        for (int i = 0; i < run.n_notes; i++)
                say(w, run.notes[i].kind == RUN_NOTE_WARNING ? FORWARD_WARNING : FORWARD_DEBUG, "%s",
                    run.notes[i].text);
        if (r == -ESRCH) {
                w->retry = true; /* gone again already: a restart loop */
                return 0;
        }
        if (r < 0) {
                *err = e;
                return r;
        }
        w->t = TAKE_STRUCT(run.t, TARGET_NULL);
        r = check_own_network(w, err);
        if (r < 0)
                return r;
        return start_relay(w, mask, err);
}

/* The relay said something: that it is ready, or why it ended. */
static int relay_said(struct watcher *w, struct nsx_error *err) {
        char buf[sizeof(err->message)];
        ssize_t n;
        int status = 0;

        n = read(w->relay_status, buf, sizeof(buf) - 1);
        if (n > 0 && buf[0] == 'R' && w->state == WATCHER_STARTING) {
                w->state = WATCHER_UP;
                w->paused = false;
                if (w->announced)
                        say(w, FORWARD_STATUS, "%s is running again: forwarding resumed", w->label);
                else
                        announce(w);
                if (n == 1)
                        return 0;
                memmove(buf, buf + 1, (size_t) --n);
        }
        if (n < 0 && errno == EINTR)
                return 0;
        buf[n > 0 ? n : 0] = '\0';

        /* It ended. Because the container did (its network went while we joined it)? */
        if (w->relay > 0) {
                kill(w->relay, SIGKILL);
                while (waitpid(w->relay, &status, 0) < 0 && errno == EINTR)
                        ;
                w->relay = 0;
        }
        if (target_exited(w)) {
                container_exited(w);
                return 0;
        }
        if (buf[0])
                return nsx_error_set(err, NSX_ERR_FAILED, EIO, "the relay in %s's network failed: %s", w->label, buf);
        if (WIFSIGNALED(status))
                return nsx_error_set(err, NSX_ERR_FAILED, EIO, "the relay in %s's network was killed by signal %d",
                                     w->label, WTERMSIG(status));
        return nsx_error_set(err, NSX_ERR_FAILED, EIO, "the relay in %s's network ended (status %d)", w->label,
                             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static int serve(struct watcher *w, const sigset_t *mask, struct nsx_error *err) {
        for (;;) {
                struct pollfd p[3 + OPTIONS_FORWARD_MAX];
                nfds_t n = 0;
                int i_status = -1, i_pid = -1, i_ls = -1, timeout = -1, r;
                bool look = false;
                long long now;

                p[n++] = (struct pollfd){.fd = w->sigfd, .events = POLLIN};
                if (w->relay_status >= 0) {
                        i_status = (int) n;
                        p[n++] = (struct pollfd){.fd = w->relay_status, .events = POLLIN};
                }
                if (w->t.pidfd >= 0) {
                        i_pid = (int) n;
                        p[n++] = (struct pollfd){.fd = w->t.pidfd, .events = POLLIN};
                } else if (w->state != WATCHER_DOWN)
                        timeout = (int) FORWARD_POLL_MS; /* no pidfd: look at its /proc each tick */
                if (w->state == WATCHER_DOWN) {
                        if (!w->paused) {
                                i_ls = (int) n;
                                for (size_t i = 0; i < w->n_ls; i++)
                                        p[n++] = (struct pollfd){.fd = w->ls[i].fd, .events = POLLIN};
                        }
                        if (!w->events || w->retry || w->paused) {
                                now = now_ms();
                                timeout = w->next_tick > now ? (int) (w->next_tick - now) : 0;
                        }
                }

                if (w->events) {
                        struct nsx_error e = {};
                        const char *line;
                        size_t len;

                        r = engine_stream_wait(w->events, p, (unsigned) n, timeout, &e);
                        while ((line = engine_stream_line(w->events, &len))) {
                                struct engine_event ev;

                                if (events_parse(line, len, &ev) == 0 && streq(ev.id, w->id))
                                        look = true;
                        }
                        if (r < 0) {
                                say(w, FORWARD_DEBUG,
                                    "the engine's event stream ended (%s): asking it every %ld ms while %s is down",
                                    e.message, FORWARD_POLL_MS, w->label);
                                engine_stream_close(TAKE_PTR(w->events));
                                look = true;
                                for (nfds_t i = 0; i < n; i++)
                                        p[i].revents = 0;
                        }
                } else {
                        r = poll(p, n, timeout);
                        if (r < 0 && errno != EINTR)
                                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "poll");
                        if (r < 0)
                                continue;
                }

                if (p[0].revents) {
                        struct signalfd_siginfo si;

                        if (read(w->sigfd, &si, sizeof(si)) == (ssize_t) sizeof(si))
                                return 0;
                }
                if ((i_pid >= 0 && p[i_pid].revents) || (i_pid < 0 && w->state != WATCHER_DOWN && target_exited(w))) {
                        container_exited(w);
                        look = true;
                } else if (i_status >= 0 && p[i_status].revents) {
                        r = relay_said(w, err);
                        if (r < 0)
                                return r;
                        look = look || w->state == WATCHER_DOWN;
                }
                for (size_t i = 0; i_ls >= 0 && i < w->n_ls; i++)
                        if (p[(size_t) i_ls + i].revents && w->state == WATCHER_DOWN)
                                refuse(w, &w->ls[i]);

                now = now_ms();
                if (w->state == WATCHER_DOWN && now >= w->next_tick && (!w->events || w->retry || w->paused)) {
                        w->next_tick = now + (w->paused ? FORWARD_PAUSE_MS : FORWARD_POLL_MS);
                        w->paused = false;
                        look = look || !w->events || w->retry;
                }
                if (look) {
                        r = reconcile(w, mask, err);
                        if (r < 0)
                                return r;
                }
        }
}

int forward_run(const struct forward_request *req, const struct container *c, struct run *run, struct nsx_error *err) {
        struct watcher w = {
                .req = req,
                .sigfd = -1,
                .t = TAKE_STRUCT(run->t, TARGET_NULL),
                .relay_status = -1,
                .state = WATCHER_DOWN,
        };
        sigset_t stop, old;
        struct sigaction ignore = {.sa_handler = SIG_IGN}, old_pipe;
        int r;

        snprintf(w.id, sizeof(w.id), "%s", c->id);
        snprintf(w.label, sizeof(w.label), "container '%s'", req->typed);

        if (req->n_specs > OPTIONS_FORWARD_MAX) {
                r = nsx_error_set(err, NSX_ERR_USAGE, E2BIG, "at most %d --forward options", OPTIONS_FORWARD_MAX);
                goto out_target;
        }
        r = check_own_network(&w, err);
        if (r < 0)
                goto out_target;
        w.ls = calloc(req->n_specs, sizeof(*w.ls));
        if (!w.ls) {
                r = nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                goto out_target;
        }
        for (; w.n_ls < req->n_specs; w.n_ls++) {
                r = listen_on(&req->specs[w.n_ls], &w.ls[w.n_ls], err);
                if (r < 0)
                        goto out;
        }

        /* Stop on these, read synchronously (the relay takes them as they come). SIGPIPE stays
         * ignored in both: a reader gone from our stdout, or a peer gone under a splice, is a
         * failed write, not a death. */
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGHUP);
        sigprocmask(SIG_BLOCK, &stop, &old);
        sigaction(SIGPIPE, &ignore, &old_pipe);
        w.sigfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
        if (w.sigfd < 0) {
                r = nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "signalfd");
                goto out_signals;
        }

        follow_events(&w);
        r = confine_keep(WATCHER_CAPS, WATCHER_CAPS, err);
        if (r < 0)
                goto out_signals;
        r = start_relay(&w, &old, err);
        if (r >= 0)
                r = serve(&w, &old, err);

out_signals:
        stop_relay(&w);
        engine_stream_close(TAKE_PTR(w.events));
        safe_close(w.sigfd);
        sigaction(SIGPIPE, &old_pipe, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
out:
        for (size_t i = 0; i < w.n_ls; i++)
                safe_close(w.ls[i].fd);
        free(w.ls);
out_target:
        target_done(&w.t);
        return r < 0 ? r : 0;
}
