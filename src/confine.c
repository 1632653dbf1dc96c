/* SPDX-License-Identifier: MIT */
/* Running a command from the container's files as the container's own processes run: its
 * capability sets, no_new_privs, LSM label and seccomp filters, copied from its pinned process.
 * The image chose that command; with our host root it could mount, write /proc/sys and escape. */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "enter.h"
#include "fs.h"
#include "user.h"
#include "util.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif

/* /proc/PID/status is a few kB; more is not a status file. */
#define STATUS_TEXT_MAX 16384
/* The kernel caps a process's filter chain at 32768 instructions, each filter costing 4 more:
 * a chain longer than this is not one the kernel made. */
#define FILTERS_MAX 8192
/* How long a process gets to stop for PTRACE_INTERRUPT before we give up on it. */
#define STOP_TIMEOUT_MS 5000
/* How long another tracer may hold the target before we give up: another docker-nsexec's read
 * takes milliseconds. */
#define SEIZE_WAIT_MS 2000
/* Written where capget would write; caps use 41 bits today, so no real set has this high half. */
#define CAPS_SENTINEL UINT64_C(0xa5a5a5a5a5a5a5a5)

/* --- /proc/PID/status ---------------------------------------------------------------------- */

enum status_field {
        F_CAP_INH,
        F_CAP_PRM,
        F_CAP_EFF,
        F_CAP_BND,
        F_CAP_AMB,
        F_NNP,
        F_SECCOMP,
        F_SECCOMP_FILTERS,
        F_TRACER,
        F_COUNT,
};

static const char *const status_keys[F_COUNT] = {
        [F_CAP_INH] = "CapInh",   [F_CAP_PRM] = "CapPrm",
        [F_CAP_EFF] = "CapEff",   [F_CAP_BND] = "CapBnd",
        [F_CAP_AMB] = "CapAmb",   [F_NNP] = "NoNewPrivs",
        [F_SECCOMP] = "Seccomp",  [F_SECCOMP_FILTERS] = "Seccomp_filters",
        [F_TRACER] = "TracerPid",
};

/* Exactly 16 hex digits, as the kernel prints a capability set. */
static int parse_caps(const char *v, size_t len, uint64_t *ret) {
        uint64_t x = 0;

        if (len != 16)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                char ch = v[i];
                unsigned d;

                if (ch >= '0' && ch <= '9')
                        d = (unsigned) (ch - '0');
                else if (ch >= 'a' && ch <= 'f')
                        d = (unsigned) (ch - 'a' + 10);
                else
                        return -EINVAL;
                x = x << 4 | d;
        }
        *ret = x;
        return 0;
}

/* A decimal without sign, space or leading zero, at most max. */
static int parse_decimal(const char *v, size_t len, unsigned long max, unsigned long *ret) {
        unsigned long x = 0;

        if (len == 0 || len > 10 || (len > 1 && v[0] == '0'))
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (v[i] < '0' || v[i] > '9')
                        return -EINVAL;
                x = x * 10 + (unsigned long) (v[i] - '0');
        }
        if (x > max)
                return -EINVAL;
        *ret = x;
        return 0;
}

static int parse_field(enum status_field f, const char *v, size_t len, struct confine_status *s) {
        unsigned long x;
        int r;

        switch (f) {
        case F_CAP_INH:
                return parse_caps(v, len, &s->cap_inh);
        case F_CAP_PRM:
                return parse_caps(v, len, &s->cap_prm);
        case F_CAP_EFF:
                return parse_caps(v, len, &s->cap_eff);
        case F_CAP_BND:
                return parse_caps(v, len, &s->cap_bnd);
        case F_CAP_AMB:
                return parse_caps(v, len, &s->cap_amb);
        case F_NNP:
                r = parse_decimal(v, len, 1, &x);
                s->no_new_privs = x == 1;
                return r;
        case F_SECCOMP:
                r = parse_decimal(v, len, 2, &x);
                s->seccomp_mode = (int) x;
                s->have_seccomp = true;
                return r;
        case F_SECCOMP_FILTERS:
                r = parse_decimal(v, len, FILTERS_MAX, &x);
                s->seccomp_filters = (unsigned) x;
                s->have_filter_count = true;
                return r;
        case F_TRACER:
                r = parse_decimal(v, len, INT_MAX, &x);
                s->tracer_pid = (int) x;
                return r;
        case F_COUNT:
                break;
        }
        return -EINVAL;
}

int confine_parse_status(const char *text, size_t len, struct confine_status *ret) {
        struct confine_status s = {};
        bool seen[F_COUNT] = {};
        const char *end = text + len;

        if (len > STATUS_TEXT_MAX)
                return -EINVAL;
        for (const char *line = text; line < end;) {
                const char *eol = memchr(line, '\n', (size_t) (end - line));
                const char *colon;

                if (!eol)
                        eol = end;
                colon = memchr(line, ':', (size_t) (eol - line));
                /* Every status line is "Key:\tvalue"; the lines not asked for are left alone
                 * whatever they hold (Name is the process's own choice, escaped by the kernel). */
                for (int f = 0; colon && f < F_COUNT; f++) {
                        size_t klen = strlen(status_keys[f]);
                        const char *v = colon + 2;

                        if ((size_t) (colon - line) != klen || memcmp(line, status_keys[f], klen) != 0)
                                continue;
                        if (seen[f] || colon + 1 >= eol || colon[1] != '\t' ||
                            parse_field((enum status_field) f, v, (size_t) (eol - v), &s) < 0)
                                return -EINVAL;
                        seen[f] = true;
                }
                line = eol + 1;
        }
        /* Seccomp and Seccomp_filters are absent from kernels without seccomp or older than 5.9;
         * the rest has been in every kernel since 4.10. */
        for (int f = 0; f < F_COUNT; f++)
                if (!seen[f] && f != F_SECCOMP && f != F_SECCOMP_FILTERS)
                        return -EINVAL;
        /* Ambient capabilities are always permitted and inheritable ones (capabilities(7)). */
        if ((s.cap_amb & ~(s.cap_prm & s.cap_inh)) || (s.cap_eff & ~s.cap_prm))
                return -EINVAL;
        *ret = s;
        return 0;
}

static int gone(const struct target *t, const char *label, struct nsx_error *err) {
        return nsx_error_target_gone(err, label, (int) t->pid);
}

static int read_status(const struct target *t, const char *label, struct confine_status *ret, struct nsx_error *err) {
        char buf[STATUS_TEXT_MAX];
        size_t len;
        int r;

        /* A status that fills the buffer is refused (-EFBIG): a cut text is not the text. */
        r = fs_read_at(t->procfd, "status", O_NOFOLLOW, buf, sizeof(buf), &len);
        if (r == -ENOENT || r == -ESRCH)
                return gone(t, label, err);
        if (r < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -r, "cannot read the status of PID %d of %s",
                                           (int) t->pid, label);
        if (confine_parse_status(buf, len, ret) < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                     "cannot read the capabilities of PID %d of %s: its status is not as expected",
                                     (int) t->pid, label);
        return 0;
}

/* --- the LSM label ------------------------------------------------------------------------- */

/* The label as text: a final newline (AppArmor) or NUL (SELinux) dropped; no other control
 * character, no empty label. */
static int label_text(const char *raw, size_t len, char out[CONFINE_LABEL_MAX]) {
        while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\0'))
                len--;
        if (len == 0 || len >= CONFINE_LABEL_MAX)
                return -EINVAL;
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) raw[i] < 0x20 || raw[i] == 0x7f)
                        return -EINVAL;
        memcpy(out, raw, len);
        out[len] = '\0';
        return 0;
}

static bool no_lsm(int e) {
        /* No LSM with process labels (EINVAL), no attr directory (ENOENT), or one that does not
         * implement it here. */
        return e == EINVAL || e == ENOENT || e == EOPNOTSUPP;
}

int confine_lsm_decide(int target_errno, const char *target, size_t target_len, int self_errno, const char *self,
                       size_t self_len, enum confine_lsm *ret_kind, char ret_text[CONFINE_LABEL_MAX]) {
        char theirs[CONFINE_LABEL_MAX], ours[CONFINE_LABEL_MAX];
        const char *open_paren;
        size_t len;

        if (target_errno != 0) {
                if (!no_lsm(target_errno))
                        return -target_errno;
                *ret_kind = CONFINE_LSM_NONE;
                return 0;
        }
        if (label_text(target, target_len, theirs) < 0)
                return -EINVAL;
        /* Nothing to confine the target; or it wears our very label already. */
        if (streq(theirs, "unconfined") ||
            (self_errno == 0 && label_text(self, self_len, ours) == 0 && streq(theirs, ours))) {
                *ret_kind = CONFINE_LSM_NONE;
                return 0;
        }
        len = strlen(theirs);
        /* AppArmor: "PROFILE (MODE)", MODE lower-case letters. attr/exec wants "exec PROFILE". */
        open_paren = strrchr(theirs, '(');
        if (open_paren && open_paren > theirs + 1 && open_paren[-1] == ' ' && theirs[len - 1] == ')' &&
            open_paren + 2 < theirs + len) {
                bool mode_ok = true;

                for (const char *m = open_paren + 1; m < theirs + len - 1; m++)
                        mode_ok = mode_ok && *m >= 'a' && *m <= 'z';
                if (mode_ok) {
                        int plen = (int) (open_paren - 1 - theirs);

                        if (plen + 5 >= CONFINE_LABEL_MAX)
                                return -EINVAL;
                        snprintf(ret_text, CONFINE_LABEL_MAX, "exec %.*s", plen, theirs);
                        *ret_kind = CONFINE_LSM_APPARMOR;
                        return 0;
                }
        }
        /* SELinux: "user:role:type[:level]", no space. Written as it is. */
        if (!strchr(theirs, ' ') && strchr(theirs, ':') && strchr(theirs, ':') != strrchr(theirs, ':')) {
                memcpy(ret_text, theirs, len + 1);
                *ret_kind = CONFINE_LSM_SELINUX;
                return 0;
        }
        return -EINVAL;
}

static int prepare_lsm(const struct target *t, const char *label, struct confinement *c, struct nsx_error *err) {
        char theirs[CONFINE_LABEL_MAX], ours[CONFINE_LABEL_MAX];
        size_t n = 0, m = 0;
        int rn, rm, r;

        /* A label that fills the buffer is -EFBIG: a cut label is not the label. */
        rn = fs_read_at(t->procfd, "attr/current", O_NOFOLLOW, theirs, sizeof(theirs), &n);
        if (rn == -ESRCH)
                return gone(t, label, err);
        rm = fs_read_at(AT_FDCWD, "/proc/self/attr/current", O_NOFOLLOW, ours, sizeof(ours), &m);
        r = confine_lsm_decide(-rn, theirs, rn < 0 ? 0 : n, -rm, ours, rm < 0 ? 0 : m, &c->lsm, c->lsm_exec);
        if (r == -EINVAL)
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                     "cannot read the security label of PID %d of %s: not a label we know",
                                     (int) t->pid, label);
        if (r < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -r, "cannot read the security label of PID %d of %s",
                                           (int) t->pid, label);
        if (c->lsm == CONFINE_LSM_NONE)
                return 0;
        /* Applied in the container's mount namespace, where /proc is the container's (or
         * nothing of ours: another PID namespace's): the host's is kept open for it. */
        c->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c->proc_fd < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot open /proc");
        return 0;
}

/* --- the seccomp filters ------------------------------------------------------------------- */

static long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits, bounded, for the seized process to stop. *ret_sig: the signal of a signal-delivery
 * stop, to hand back on detach (0 for our own interrupt's stop or a group stop). */
static int wait_stopped(pid_t pid, int *ret_sig) {
        long deadline = now_ms() + STOP_TIMEOUT_MS;

        for (;;) {
                int status;
                pid_t p = waitpid(pid, &status, __WALL | WNOHANG);

                if (p < 0 && errno != EINTR)
                        return -errno;
                if (p == pid) {
                        if (WIFEXITED(status) || WIFSIGNALED(status))
                                return -ESRCH;
                        if (WIFSTOPPED(status)) {
                                *ret_sig = (status >> 16) == 0 ? WSTOPSIG(status) : 0;
                                return 0;
                        }
                }
                if (now_ms() > deadline)
                        return -ETIMEDOUT;
                nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
        }
}

static void filters_free(struct confine_filter *f, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(f[i].insns);
        free(f);
}

/* The filters of a stopped tracee, index 0 the newest. -errno: ENOENT never (the end of the
 * list), EINVAL/EIO/EACCES/EMEDIUMTYPE are the kernel's "cannot", the rest unexpected. */
static int fetch_filters(pid_t pid, struct confine_filter **ret, size_t *ret_n) {
        struct confine_filter *f = NULL;
        size_t n = 0;

        for (unsigned long i = 0;; i++) {
                struct __ptrace_seccomp_metadata md = {.filter_off = i};
                struct confine_filter *bigger;
                long len, again;

                len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *) i, NULL);
                if (len < 0 && errno == ENOENT)
                        break;
                if (len < 0 || len == 0 || len > BPF_MAXINSNS || n >= FILTERS_MAX) {
                        int e = len < 0 ? errno : E2BIG;
                        filters_free(f, n);
                        return -e;
                }
                bigger = realloc(f, (n + 1) * sizeof(*f));
                if (!bigger) {
                        filters_free(f, n);
                        return -ENOMEM;
                }
                f = bigger;
                f[n] = (struct confine_filter){.insns = calloc((size_t) len, sizeof(struct sock_filter)),
                                               .len = (unsigned short) len};
                if (!f[n].insns) {
                        filters_free(f, n);
                        return -ENOMEM;
                }
                n++;
                again = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *) i, f[n - 1].insns);
                if (again != len) {
                        int e = again < 0 ? errno : EAGAIN;
                        filters_free(f, n);
                        return -e;
                }
                /* Linux 4.16+: whether the filter logs its actions. Older: no flags. */
                if (ptrace(PTRACE_SECCOMP_GET_METADATA, pid, (void *) sizeof(md), &md) == (long) sizeof(md))
                        f[n - 1].flags = md.flags & SECCOMP_FILTER_FLAG_LOG;
        }
        /* Installed oldest first: reverse the kernel's order. */
        for (size_t i = 0; i < n / 2; i++) {
                struct confine_filter tmp = f[i];
                f[i] = f[n - 1 - i];
                f[n - 1 - i] = tmp;
        }
        *ret = f;
        *ret_n = n;
        return 0;
}

static bool kernel_cannot(int e) {
        /* EINVAL: no CONFIG_CHECKPOINT_RESTORE (the request's stub), or a ptrace without it;
         * EIO: a kernel before 4.4 that does not know the request; EACCES: we ourselves run
         * under seccomp, or lack CAP_SYS_ADMIN; EMEDIUMTYPE: a filter that is not classic BPF.
         * None of these is the container's doing. */
        return e == EINVAL || e == EIO || e == EACCES || e == EMEDIUMTYPE;
}

static void say_unavailable(struct confinement *c, const char *label, const char *why, int e) {
        snprintf(c->warning, sizeof(c->warning),
                 "cannot copy the seccomp filter of %s (%s: %s): the command runs without it", label, why, strerror(e));
}

static int refuse(const struct target *t, const char *label, int e, struct nsx_error *err, const char *what,
                  const char *detail) {
        nsx_error_set(err, NSX_ERR_FAILED, e, "cannot confine the command as %s (PID %d) is: %s%s", label, (int) t->pid,
                      what, detail);
        nsx_error_hint(err, "--privileged runs it unconfined, with our own privileges");
        return -e;
}

/* refuse() for a failed call: what names it, the text of e follows. */
static int refuse_errno(const struct target *t, const char *label, int e, struct nsx_error *err, const char *what) {
        nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot confine the command as %s (PID %d) is: %s", label,
                            (int) t->pid, what);
        nsx_error_hint(err, "--privileged runs it unconfined, with our own privileges");
        return -e;
}

/* Attaches to the target. A process has one tracer at most, and another docker-nsexec run that
 * reads the same container holds it for the few milliseconds of its own read: while the status
 * names a tracer, try again for up to SEIZE_WAIT_MS. A tracer that stays (one of the container's
 * own processes, a debugger) makes the copy impossible, and the container can arrange that: it
 * is no reason to run its image's command unfiltered, so refuse. */
static int seize(const struct target *t, const char *label, const struct confinement *c, struct nsx_error *err) {
        long deadline = now_ms() + SEIZE_WAIT_MS;
        long delay_us = 100;
        pid_t tracer = c->status.tracer_pid;
        char why[64];
        int e, r;

        for (;;) {
                struct confine_status now;

                if (ptrace(PTRACE_SEIZE, t->pid, NULL, NULL) == 0)
                        return 0;
                e = errno;
                if (e == ESRCH)
                        return gone(t, label, err);
                if (e != EPERM || now_ms() > deadline)
                        break;
                r = read_status(t, label, &now, err);
                if (r < 0)
                        return r;
                /* 0: the other tracer let go meanwhile, or EPERM has another cause (Yama); the
                 * deadline bounds both. */
                tracer = now.tracer_pid;
                nanosleep(&(struct timespec){.tv_nsec = delay_us * 1000}, NULL);
                delay_us = delay_us < 10000 ? delay_us * 2 : delay_us;
        }
        if (tracer != 0) {
                snprintf(why, sizeof(why), "traced by PID %d", tracer);
                return refuse(t, label, EBUSY, err, "its seccomp filter cannot be read while it is ", why);
        }
        return refuse_errno(t, label, e, err, "its seccomp filter cannot be read: PTRACE_SEIZE");
}

/* Copies the target's filters into c. Stops the target for the read (PTRACE_INTERRUPT): the
 * kernel hands a filter only to the tracer of a stopped tracee. */
static int prepare_seccomp(const struct target *t, const char *label, struct confinement *c, struct nsx_error *err) {
        struct confine_status after;
        struct confine_filter *filters = NULL;
        size_t n = 0;
        int sig = 0, r;

        r = seize(t, label, c, err);
        if (r < 0)
                return r;

        /* The PID was pinned, not the process: between the pin and the seize the process may
         * have died and its PID gone to another. While the pidfd's process lives (a zombie
         * too), its PID cannot be reused: then the process seized is the pinned one. Without
         * a pidfd, the status read through the pinned /proc/PID below fails instead. From
         * here an early return leaves the tracee attached: we exit at once, and the kernel
         * detaches it then. */
        if (t->pidfd >= 0 && syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) < 0 && errno == ESRCH)
                return gone(t, label, err);

        if (ptrace(PTRACE_INTERRUPT, t->pid, NULL, NULL) < 0) {
                int e = errno;
                return e == ESRCH ? gone(t, label, err) : refuse_errno(t, label, e, err, "PTRACE_INTERRUPT");
        }
        r = wait_stopped(t->pid, &sig);
        if (r == -ESRCH)
                return gone(t, label, err);
        /* A process stuck in the kernel (a FUSE mount it serves, a frozen cgroup) never stops. */
        if (r < 0)
                return refuse_errno(t, label, -r, err, "it did not stop for its seccomp filter to be read");

        r = fetch_filters(t->pid, &filters, &n);
        if (r == -ESRCH) {
                r = gone(t, label, err);
                goto detach;
        }
        if (r < 0 && kernel_cannot(-r)) {
                say_unavailable(c, label, "PTRACE_SECCOMP_GET_FILTER", -r);
                r = 0;
                goto detach;
        }
        if (r < 0) {
                refuse_errno(t, label, -r, err, "its seccomp filter cannot be read");
                goto detach;
        }

        /* While it is stopped: its credentials as they were when the filters were read. A
         * filter count that differs means another of its threads changed them meanwhile. */
        r = read_status(t, label, &after, err);
        if (r < 0)
                goto detach;
        if (after.seccomp_mode != 2 || (after.have_filter_count && after.seccomp_filters != n)) {
                r = refuse(t, label, EAGAIN, err, "its seccomp filters changed while they were read", "");
                goto detach;
        }
        c->status = after;
        c->filters = TAKE_PTR(filters);
        c->n_filters = n;
detach:
        filters_free(filters, filters ? n : 0);
        if (ptrace(PTRACE_DETACH, t->pid, NULL, (void *) (long) sig) < 0 && r >= 0) {
                int e = errno;
                r = e == ESRCH ? gone(t, label, err) : refuse_errno(t, label, e, err, "PTRACE_DETACH");
        }
        return r;
}

int confine_prepare(const struct target *t, const char *label, struct confinement *ret, struct nsx_error *err) {
        _cleanup_(confine_donep) struct confinement c = CONFINEMENT_NULL;
        int r;

        r = read_status(t, label, &c.status, err);
        if (r < 0)
                return r;
        /* Strict mode allows read, write, _exit and sigreturn: no execve, so there is no way to
         * run a command as confined as this process. Running it unconfined instead would be
         * the escape this module exists to close: refuse. */
        if (c.status.seccomp_mode == 1)
                return refuse(t, label, EPERM, err, "it runs in strict seccomp mode", "");
        if (c.status.seccomp_mode == 2) {
                r = prepare_seccomp(t, label, &c, err);
                if (r < 0)
                        return r;
        }
        r = prepare_lsm(t, label, &c, err);
        if (r < 0)
                return r;
        *ret = TAKE_STRUCT(c, CONFINEMENT_NULL);
        return 0;
}

void confine_done(struct confinement *c) {
        filters_free(c->filters, c->n_filters);
        c->filters = NULL;
        c->n_filters = 0;
        c->proc_fd = safe_close(c->proc_fd);
}

/* --- applying it --------------------------------------------------------------------------- */

static int caps_get(uint64_t *inh, uint64_t *prm, uint64_t *eff) {
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2];

        /* A seccomp filter can make capget return 0 without running it, but it cannot write
         * our memory: what is still the sentinel afterwards was never read. */
        for (size_t i = 0; i < 2; i++)
                d[i] = (struct __user_cap_data_struct){.effective = (uint32_t) CAPS_SENTINEL,
                                                       .permitted = (uint32_t) CAPS_SENTINEL,
                                                       .inheritable = (uint32_t) CAPS_SENTINEL};
        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        *inh = (uint64_t) d[1].inheritable << 32 | d[0].inheritable;
        *prm = (uint64_t) d[1].permitted << 32 | d[0].permitted;
        *eff = (uint64_t) d[1].effective << 32 | d[0].effective;
        return 0;
}

static int caps_set(uint64_t inh, uint64_t prm, uint64_t eff) {
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {
                {.effective = (uint32_t) eff, .permitted = (uint32_t) prm, .inheritable = (uint32_t) inh},
                {.effective = (uint32_t) (eff >> 32),
                 .permitted = (uint32_t) (prm >> 32),
                 .inheritable = (uint32_t) (inh >> 32)},
        };

        return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static int apply_error(struct nsx_error *err, int e, const char *what) {
        nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot confine the command as the container's processes are (%s)",
                            what);
        nsx_error_hint(err, "--privileged runs it unconfined, with our own privileges");
        return -e;
}

static int write_exec_label(const struct confinement *c, struct nsx_error *err) {
        _cleanup_close_ int fd = -1;
        size_t len = strlen(c->lsm_exec);
        ssize_t n;

        /* The host's /proc: thread-self there is this very thread, whatever PID namespace we
         * are in now, and no mount of the container's can stand in for the file. */
        fd = openat(c->proc_fd, "thread-self/attr/exec", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return apply_error(err, errno, "attr/exec");
        n = write(fd, c->lsm_exec, len);
        if (n != (ssize_t) len)
                return apply_error(err, n < 0 ? errno : EIO,
                                   c->lsm == CONFINE_LSM_APPARMOR ? "AppArmor profile" : "SELinux label");
        return 0;
}

static int install_filters(const struct confinement *c, struct nsx_error *err) {
        for (size_t i = 0; i < c->n_filters; i++) {
                struct sock_fprog prog = {.len = c->filters[i].len, .filter = c->filters[i].insns};

                if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, c->filters[i].flags, &prog) < 0)
                        return apply_error(err, errno, "seccomp");
        }
        return 0;
}

int confine_check(const struct confine_status *want, const struct confine_observed *got, uint64_t sentinel,
                  const char **ret_what) {
        const struct {
                const char *what;
                uint64_t want, got;
        } sets[] = {
                {"CapInh", want->cap_inh, got->cap_inh}, {"CapPrm", want->cap_prm, got->cap_prm},
                {"CapEff", want->cap_eff, got->cap_eff}, {"CapBnd", want->cap_bnd, got->cap_bnd},
                {"CapAmb", want->cap_amb, got->cap_amb},
        };

        for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                /* The three capget fills: the sentinel there means capget never wrote them. */
                if ((i < 3 && sets[i].got == sentinel) || sets[i].got != sets[i].want) {
                        *ret_what = sets[i].what;
                        return -EPERM;
                }
        }
        if (got->no_new_privs != (want->no_new_privs ? 1 : 0)) {
                *ret_what = "NoNewPrivs";
                return -EPERM;
        }
        return 0;
}

/* Reads back what we are now, and compares. Run after the last credential change: if that
 * went through a filter, the filter may have faked it, and only a read that cannot be faked
 * (capget into a sentinel) tells. */
static int verify(const struct confine_status *want, int last_cap, struct nsx_error *err) {
        struct confine_observed got = {};
        const char *what = NULL;
        int r;

        r = caps_get(&got.cap_inh, &got.cap_prm, &got.cap_eff);
        if (r < 0)
                return apply_error(err, -r, "capget, to verify");
        for (int cap = 0; cap <= last_cap; cap++) {
                int in_bnd = prctl(PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0);
                int in_amb = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, (unsigned long) cap, 0, 0);

                if (in_bnd < 0 || in_amb < 0)
                        return apply_error(err, errno, "prctl, to verify");
                got.cap_bnd |= (uint64_t) (in_bnd == 1) << cap;
                got.cap_amb |= (uint64_t) (in_amb == 1) << cap;
        }
        got.no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
        if (confine_check(want, &got, CAPS_SENTINEL, &what) < 0) {
                nsx_error_set(err, NSX_ERR_FAILED, EPERM,
                              "cannot confine the command as the container's processes are: its %s did not take "
                              "(a seccomp filter of the container's that fakes success?)",
                              what);
                nsx_error_hint(err, "--privileged runs it unconfined, with our own privileges");
                return -EPERM;
        }
        return 0;
}

/* The order, and why:
 *  1. The exec label (where an LSM is active) first, while nothing can stand between us and the
 *     kernel: no filter could fake the write yet. It takes effect at execve only, and nothing
 *     below resets it.
 *  2. The inheritable set next, while we hold CAP_SETPCAP and a full bounding set: raising an
 *     inheritable capability needs both, and the target's may hold one its bounding set lacks.
 *  3. The bounding set: drop every capability the target's lacks (PR_CAPBSET_DROP needs
 *     CAP_SETPCAP, gone for a non-root user after step 4).
 *  4. The user (user_apply), between PR_SET_KEEPCAPS 1 and 0 (and the death signal, which
 *     a uid change clears, set again): from uid 0 to another the kernel
 *     would otherwise clear the permitted set we still need; it clears the effective set, and
 *     the ambient one, anyway.
 *  5. Effective raised again to all we still permit ourselves (capset): the next steps need
 *     CAP_SYS_ADMIN (a filter without no_new_privs).
 *  6. The ambient set, cleared then raised cap by cap: each must be permitted and inheritable
 *     now, and the final capset keeps them (ambient ⊆ permitted ∩ inheritable, as the target's).
 *  7. no_new_privs, if the target has it.
 *  8. Then, with no_new_privs: the final capset (the target's three sets), the check that all
 *     of it took, and the filters last: nothing is asked of the kernel after them but execve.
 *     Without no_new_privs installing a filter needs CAP_SYS_ADMIN, which the target's sets
 *     usually lack (runc does the same): the filters go in first, then the final capset, then
 *     the check. Those last two pass through the copied filters, partly the container's own
 *     (a process of it could have stacked one that fakes capset's success); the check reads
 *     with capget into a sentinel, which no filter can fake, and fails closed. */
int confine_apply(const struct confinement *c, const struct exec_user *u, pid_t parent, struct nsx_error *err) {
        const struct confine_status *s = &c->status;
        uint64_t inh, prm, eff;
        int last_cap = -1, r;

        if (c->lsm != CONFINE_LSM_NONE && (r = write_exec_label(c, err)) < 0)
                return r;

        r = caps_get(&inh, &prm, &eff);
        if (r < 0)
                return apply_error(err, -r, "capget");
        r = caps_set(s->cap_inh, prm, eff);
        if (r < 0)
                return apply_error(err, -r, "capset, inheritable");

        for (int cap = 0; cap < 64; cap++) {
                int in = prctl(PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0);

                if (in < 0 && errno == EINVAL)
                        break; /* past CAP_LAST_CAP */
                if (in < 0)
                        return apply_error(err, errno, "PR_CAPBSET_READ");
                last_cap = cap;
                if (in == 1 && !(s->cap_bnd & (UINT64_C(1) << cap)) &&
                    prctl(PR_CAPBSET_DROP, (unsigned long) cap, 0, 0, 0) < 0)
                        return apply_error(err, errno, "PR_CAPBSET_DROP");
        }

        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return apply_error(err, errno, "PR_SET_KEEPCAPS");
        if (u && (r = user_apply(u, err)) < 0)
                return r;
        /* The uid change cleared the death signal: set it again before any filter could fake
         * the prctl. */
        if (u && parent >= 0 && (r = enter_die_with_parent(parent, err)) < 0)
                return r;
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return apply_error(err, errno, "PR_SET_KEEPCAPS");

        r = caps_get(&inh, &prm, &eff);
        if (r == 0)
                r = caps_set(s->cap_inh, prm, prm);
        if (r < 0)
                return apply_error(err, -r, "capset, effective");

        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return apply_error(err, errno, "PR_CAP_AMBIENT_CLEAR_ALL");
        for (int cap = 0; cap <= last_cap; cap++)
                if ((s->cap_amb & (UINT64_C(1) << cap)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) cap, 0, 0) < 0)
                        return apply_error(err, errno, "PR_CAP_AMBIENT_RAISE");

        if (s->no_new_privs) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        return apply_error(err, errno, "PR_SET_NO_NEW_PRIVS");
                r = caps_set(s->cap_inh, s->cap_prm, s->cap_eff);
                if (r < 0)
                        return apply_error(err, -r, "capset");
                r = verify(s, last_cap, err);
                if (r < 0)
                        return r;
                return install_filters(c, err);
        }

        r = install_filters(c, err);
        if (r < 0)
                return r;
        r = caps_set(s->cap_inh, s->cap_prm, s->cap_eff);
        if (r < 0)
                return apply_error(err, -r, "capset");
        return verify(s, last_cap, err);
}

int confine_keep(uint64_t keep, uint64_t bounding, struct nsx_error *err) {
        uint64_t inh, prm, eff;
        int r;

        for (int cap = 0; cap < 64; cap++) {
                int in = prctl(PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0);

                if (in < 0 && errno == EINVAL)
                        break; /* past CAP_LAST_CAP */
                if (in == 1 && !(bounding & (UINT64_C(1) << cap)) &&
                    prctl(PR_CAPBSET_DROP, (unsigned long) cap, 0, 0, 0) < 0)
                        return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot drop capability %d", cap);
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot clear the ambient capabilities");
        r = caps_get(&inh, &prm, &eff);
        if (r == 0)
                r = caps_set(0, prm & keep, prm & keep);
        if (r < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -r, "cannot drop capabilities");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
        return 0;
}
