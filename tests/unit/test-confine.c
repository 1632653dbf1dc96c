/* SPDX-License-Identifier: MIT */
/* Unit tests: confinement — the status parser, the LSM decision, the check that fails closed,
 * and (as root) a real copy of a live process's capabilities, no_new_privs and seccomp filter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confine.h"

#define DOCKER_CAPS "00000000a80425fb"

static const char good_status[] = "Name:\tsleep\n"
                                  "Umask:\t0022\n"
                                  "State:\tS (sleeping)\n"
                                  "TracerPid:\t0\n"
                                  "Uid:\t0\t0\t0\t0\n"
                                  "CapInh:\t0000000000000000\n"
                                  "CapPrm:\t" DOCKER_CAPS "\n"
                                  "CapEff:\t" DOCKER_CAPS "\n"
                                  "CapBnd:\t" DOCKER_CAPS "\n"
                                  "CapAmb:\t0000000000000000\n"
                                  "NoNewPrivs:\t0\n"
                                  "Seccomp:\t2\n"
                                  "Seccomp_filters:\t1\n"
                                  "Speculation_Store_Bypass:\tthread force mitigated\n"
                                  "Cpus_allowed_list:\t0-1\n";

static int parse(const char *text, struct confine_status *s) {
        return confine_parse_status(text, strlen(text), s);
}

/* good_status with the first occurrence of from replaced by to. */
static int parse_edited(const char *from, const char *to, struct confine_status *s) {
        char buf[2048];
        const char *at = strstr(good_status, from);

        assert_non_null(at);
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int) (at - good_status), good_status, to, at + strlen(from));
        return parse(buf, s);
}

static void test_status_good(void **state) {
        struct confine_status s;
        (void) state;

        assert_int_equal(parse(good_status, &s), 0);
        assert_true(s.cap_prm == 0xa80425fbULL && s.cap_eff == 0xa80425fbULL && s.cap_bnd == 0xa80425fbULL);
        assert_true(s.cap_inh == 0 && s.cap_amb == 0);
        assert_false(s.no_new_privs);
        assert_int_equal(s.seccomp_mode, 2);
        assert_true(s.have_seccomp && s.have_filter_count);
        assert_int_equal(s.seccomp_filters, 1);
        assert_int_equal(s.tracer_pid, 0);

        /* No final newline; a traced one; no_new_privs; a full set of 41 capabilities. */
        assert_int_equal(parse_edited("Cpus_allowed_list:\t0-1\n", "Cpus_allowed_list:\t0-1", &s), 0);
        assert_int_equal(parse_edited("TracerPid:\t0\n", "TracerPid:\t4194304\n", &s), 0);
        assert_int_equal(s.tracer_pid, 4194304);
        assert_int_equal(parse_edited("NoNewPrivs:\t0", "NoNewPrivs:\t1", &s), 0);
        assert_true(s.no_new_privs);
        assert_int_equal(parse_edited("CapBnd:\t" DOCKER_CAPS, "CapBnd:\t000001ffffffffff", &s), 0);
        assert_true(s.cap_bnd == 0x1ffffffffffULL);

        /* A kernel without seccomp (no Seccomp lines) or before 5.9 (no count). */
        assert_int_equal(parse_edited("Seccomp:\t2\nSeccomp_filters:\t1\n", "", &s), 0);
        assert_false(s.have_seccomp);
        assert_int_equal(s.seccomp_mode, 0);
        assert_int_equal(parse_edited("Seccomp_filters:\t1\n", "", &s), 0);
        assert_true(s.have_seccomp);
        assert_false(s.have_filter_count);

        /* The process names itself: its Name line is never read as another. */
        assert_int_equal(parse_edited("Name:\tsleep", "Name:\tCapEff:\t000001ffffffffff", &s), 0);
        assert_true(s.cap_eff == 0xa80425fbULL);
}

static void test_status_bad(void **state) {
        struct confine_status s = {.tracer_pid = 77};
        (void) state;

        /* Each needed line missing. */
        const char *const needed[] = {"CapInh:\t0000000000000000\n",
                                      "CapPrm:\t" DOCKER_CAPS "\n",
                                      "CapEff:\t" DOCKER_CAPS "\n",
                                      "CapBnd:\t" DOCKER_CAPS "\n",
                                      "CapAmb:\t0000000000000000\n",
                                      "NoNewPrivs:\t0\n",
                                      "TracerPid:\t0\n"};
        for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
                assert_int_equal(parse_edited(needed[i], "", &s), -EINVAL);
        /* Twice. */
        assert_int_equal(parse_edited("CapEff:", "CapEff:\t000001ffffffffff\nCapEff:", &s), -EINVAL);
        assert_int_equal(parse_edited("Seccomp:\t2\n", "Seccomp:\t2\nSeccomp:\t0\n", &s), -EINVAL);
        /* Not the kernel's form. */
        const char *const forms[][2] = {
                {"CapEff:\t" DOCKER_CAPS, "CapEff:\t00000000A80425FB"},
                {"CapEff:\t" DOCKER_CAPS, "CapEff:\ta80425fb"},
                {"CapEff:\t" DOCKER_CAPS, "CapEff:\t00000000a80425fb0"},
                {"CapEff:\t" DOCKER_CAPS, "CapEff: " DOCKER_CAPS},
                {"CapEff:\t" DOCKER_CAPS, "CapEff:\t 0000000a80425fb"},
                {"CapEff:\t" DOCKER_CAPS, "CapEff:"},
                {"CapEff:\t" DOCKER_CAPS, "CapEff:\t0x000000a80425fb"},
                {"NoNewPrivs:\t0", "NoNewPrivs:\t2"},
                {"NoNewPrivs:\t0", "NoNewPrivs:\t00"},
                {"NoNewPrivs:\t0", "NoNewPrivs:\t"},
                {"Seccomp:\t2", "Seccomp:\t3"},
                {"Seccomp:\t2", "Seccomp:\t-1"},
                {"Seccomp_filters:\t1", "Seccomp_filters:\t+1"},
                {"Seccomp_filters:\t1", "Seccomp_filters:\t99999"},
                {"TracerPid:\t0", "TracerPid:\t4294967296"},
                {"TracerPid:\t0", "TracerPid:\t01"},
                {"NoNewPrivs:\t0", "NoNewPrivs:\t0 "},
        };
        for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
                assert_int_equal(parse_edited(forms[i][0], forms[i][1], &s), -EINVAL);
        /* Sets no kernel makes: effective beyond permitted, ambient beyond permitted∩inheritable. */
        assert_int_equal(parse_edited("CapEff:\t" DOCKER_CAPS, "CapEff:\t00000000a80425ff", &s), -EINVAL);
        assert_int_equal(parse_edited("CapAmb:\t0000000000000000", "CapAmb:\t0000000000000001", &s), -EINVAL);
        /* Untouched on failure. */
        assert_int_equal(s.tracer_pid, 77);
        assert_int_equal(confine_parse_status("", 0, &s), -EINVAL);
}

static int decide(int te, const char *theirs, int se, const char *ours, enum confine_lsm *kind, char *text) {
        return confine_lsm_decide(te, theirs, theirs ? strlen(theirs) : 0, se, ours, ours ? strlen(ours) : 0, kind,
                                  text);
}

static void test_lsm_decide(void **state) {
        char text[CONFINE_LABEL_MAX];
        enum confine_lsm kind;
        (void) state;

        /* No LSM here: nothing to do, whatever our own read says. */
        for (int e = 0; e < 3; e++) {
                int errs[] = {EINVAL, ENOENT, EOPNOTSUPP};
                kind = CONFINE_LSM_SELINUX;
                assert_int_equal(decide(errs[e], NULL, errs[e], NULL, &kind, text), 0);
                assert_int_equal(kind, CONFINE_LSM_NONE);
        }
        /* Any other failure to read is not "no LSM". */
        assert_int_equal(decide(EACCES, NULL, 0, "unconfined\n", &kind, text), -EACCES);
        assert_int_equal(decide(EIO, NULL, 0, "unconfined\n", &kind, text), -EIO);

        /* AppArmor. */
        assert_int_equal(decide(0, "unconfined\n", 0, "unconfined\n", &kind, text), 0);
        assert_int_equal(kind, CONFINE_LSM_NONE);
        assert_int_equal(decide(0, "unconfined\n", EINVAL, NULL, &kind, text), 0);
        assert_int_equal(kind, CONFINE_LSM_NONE);
        assert_int_equal(decide(0, "docker-default (enforce)\n", 0, "unconfined\n", &kind, text), 0);
        assert_int_equal(kind, CONFINE_LSM_APPARMOR);
        assert_string_equal(text, "exec docker-default");
        assert_int_equal(decide(0, "containers-default-0.50.1 (complain)", 0, "unconfined", &kind, text), 0);
        assert_int_equal(kind, CONFINE_LSM_APPARMOR);
        assert_string_equal(text, "exec containers-default-0.50.1");
        /* Already ours. */
        assert_int_equal(decide(0, "docker-default (enforce)\n", 0, "docker-default (enforce)\n", &kind, text), 0);
        assert_int_equal(kind, CONFINE_LSM_NONE);

        /* SELinux: NUL-terminated, written as it is. */
        static const char se[] = "system_u:system_r:container_t:s0:c123,c456";
        char raw[64];
        memcpy(raw, se, sizeof(se)); /* with its NUL */
        assert_int_equal(
                confine_lsm_decide(0, raw, sizeof(se), 0, "unconfined_u:unconfined_r:unconfined_t:s0", 41, &kind, text),
                0);
        assert_int_equal(kind, CONFINE_LSM_SELINUX);
        assert_string_equal(text, se);
        assert_int_equal(decide(0, "system_u:system_r:spc_t", 0, "system_u:system_r:unconfined_t", &kind, text), 0);
        assert_int_equal(kind, CONFINE_LSM_SELINUX);

        /* Neither: refused, not skipped. */
        const char *const bad[] = {"",
                                   "\n",
                                   "hello",
                                   "a b",
                                   "x (Enforce)",
                                   "(enforce)",
                                   "a:b\x1b[2J:c",
                                   "docker-default (enforce)\nsecond",
                                   "a:b:c d"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                kind = CONFINE_LSM_NONE;
                assert_int_equal(decide(0, bad[i], 0, "unconfined", &kind, text), -EINVAL);
        }
        char long_label[CONFINE_LABEL_MAX + 8];
        memset(long_label, 'a', sizeof(long_label) - 1);
        long_label[sizeof(long_label) - 1] = '\0';
        long_label[1] = ':';
        long_label[3] = ':';
        assert_int_equal(decide(0, long_label, 0, "unconfined", &kind, text), -EINVAL);
}

static void test_check(void **state) {
        const uint64_t sentinel = 0xa5a5a5a5a5a5a5a5ULL;
        struct confine_status want = {.cap_prm = 0xa80425fb, .cap_eff = 0xa80425fb, .cap_bnd = 0xa80425fb};
        struct confine_observed got = {.cap_prm = 0xa80425fb, .cap_eff = 0xa80425fb, .cap_bnd = 0xa80425fb};
        const char *what = NULL;
        (void) state;

        assert_int_equal(confine_check(&want, &got, sentinel, &what), 0);
        /* A capset faked by a filter: we still hold what we had. */
        got.cap_eff = got.cap_prm = 0x1fffeffffffULL;
        assert_int_equal(confine_check(&want, &got, sentinel, &what), -EPERM);
        assert_string_equal(what, "CapPrm");
        /* A capget faked: nothing was written. */
        got.cap_prm = got.cap_eff = got.cap_inh = sentinel;
        assert_int_equal(confine_check(&want, &got, sentinel, &what), -EPERM);
        assert_string_equal(what, "CapInh");
        /* Even if the sentinel were what we wanted. */
        want.cap_inh = sentinel;
        assert_int_equal(confine_check(&want, &got, sentinel, &what), -EPERM);
        want.cap_inh = 0;
        got = (struct confine_observed){.cap_prm = 0xa80425fb, .cap_eff = 0xa80425fb, .cap_bnd = 0xa80425fb};
        got.cap_bnd |= 1ULL << 21;
        assert_int_equal(confine_check(&want, &got, sentinel, &what), -EPERM);
        assert_string_equal(what, "CapBnd");
        got.cap_bnd = want.cap_bnd;
        got.cap_amb = 1;
        assert_int_equal(confine_check(&want, &got, sentinel, &what), -EPERM);
        assert_string_equal(what, "CapAmb");
        got.cap_amb = 0;
        want.no_new_privs = true;
        assert_int_equal(confine_check(&want, &got, sentinel, &what), -EPERM);
        assert_string_equal(what, "NoNewPrivs");
        got.no_new_privs = 1;
        assert_int_equal(confine_check(&want, &got, sentinel, &what), 0);
}

/* --- live: a real process, copied -------------------------------------------------------- */

#define CAP(n) (UINT64_C(1) << (n))
#define TARGET_CAPS UINT64_C(0xa80425fb) /* Docker's default set */

enum target_kind {
        TARGET_NNP,          /* no_new_privs, one filter */
        TARGET_PLAIN,        /* no no_new_privs, two filters, an ambient capability */
        TARGET_FAKES_CAPSET, /* no no_new_privs, a filter that fakes capset's success */
};

static void install(int nr, unsigned ret) {
        struct sock_filter insns[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned) nr, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, ret),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {.len = 4, .filter = insns};

        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                _exit(10);
}

static void caps_to(uint64_t inh, uint64_t prm, uint64_t eff) {
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {
                {.effective = (uint32_t) eff, .permitted = (uint32_t) prm, .inheritable = (uint32_t) inh},
                {.effective = (uint32_t) (eff >> 32),
                 .permitted = (uint32_t) (prm >> 32),
                 .inheritable = (uint32_t) (inh >> 32)},
        };
        if (syscall(SYS_capset, &h, d) < 0)
                _exit(11);
}

/* A process confined as a container's is: filters first (as root, with CAP_SYS_ADMIN), then the
 * bounding set, then its capability sets. Says "ready" on fd and waits to be killed. */
static pid_t start_target(enum target_kind kind) {
        int p[2];
        char c;
        pid_t pid;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                uint64_t inh = 0;

                /* A failed assertion skips stop_target: die with the test, not after it. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() == 1)
                        _exit(15);

                if (kind == TARGET_NNP && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(12);
                install(SYS_acct, SECCOMP_RET_ERRNO | EPERM);
                if (kind == TARGET_PLAIN)
                        install(SYS_swapon, SECCOMP_RET_ERRNO | EPERM);
                if (kind == TARGET_FAKES_CAPSET)
                        install(SYS_capset, SECCOMP_RET_ERRNO | 0);
                for (int cap = 0; cap < 64; cap++)
                        if (!(TARGET_CAPS & CAP(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
                                break;
                if (kind == TARGET_PLAIN)
                        inh = CAP(CAP_NET_BIND_SERVICE);
                if (kind != TARGET_FAKES_CAPSET)
                        caps_to(inh, TARGET_CAPS, TARGET_CAPS);
                if (kind == TARGET_PLAIN && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) < 0)
                        _exit(13);
                if (write(p[1], "r", 1) != 1)
                        _exit(14);
                for (;;)
                        pause();
        }
        close(p[1]);
        assert_int_equal(read(p[0], &c, 1), 1);
        close(p[0]);
        return pid;
}

static void stop_target(pid_t pid) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

/* Not root (a package build): these tests end at once, saying why on a TAP comment line, as
 * below (meson counts cmocka's "not ok # SKIP" as a failure). */
static int skip_unless_root(void) {
        if (geteuid() != 0) {
                print_message("# not root: no live target can be made\n");
                return 1;
        }
        return 0;
}

/* The live copies need seccomp(2) to make their targets. valgrind (3.19) does not know the
 * call: it answers ENOSYS, and there these tests end at once, saying why on a TAP comment line
 * (meson counts cmocka's "not ok # SKIP" as a failure); they run whole in every other build. */
static int skip_unless_root_and_seccomp(void) {
        uint32_t action = SECCOMP_RET_ERRNO;

        if (skip_unless_root())
                return 1;
        if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0 && errno == ENOSYS) {
                print_message("# seccomp(2) answers ENOSYS here (valgrind?): no live target can be made\n");
                return 1;
        }
        return 0;
}

/* confine_apply in a child, which then compares its own status with want: 0 when all agree,
 * 100 + the errno of a failed apply. */
static int apply_in_child(const struct confinement *c, const struct confine_status *want, char *msg, size_t msgsz) {
        int p[2], status;
        pid_t pid;
        ssize_t n;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct nsx_error err = {};
                struct confine_status got;
                char buf[4096];
                int fd;

                close(p[0]);
                if (confine_apply(c, NULL, -1, &err) < 0) {
                        if (write(p[1], err.message, strlen(err.message)) < 0)
                                _exit(99);
                        _exit(100 + err.errnum);
                }
                fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
                n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
                if (n <= 0 || confine_parse_status(buf, (size_t) n, &got) < 0)
                        _exit(2);
                if (got.cap_inh != want->cap_inh || got.cap_prm != want->cap_prm || got.cap_eff != want->cap_eff ||
                    got.cap_bnd != want->cap_bnd || got.cap_amb != want->cap_amb ||
                    got.no_new_privs != want->no_new_privs || got.seccomp_mode != want->seccomp_mode ||
                    got.seccomp_filters != want->seccomp_filters)
                        _exit(3);
                /* And the filters work: acct(2) is refused by the copy. */
                if (syscall(SYS_acct, NULL) != -1 || errno != EPERM)
                        _exit(4);
                _exit(0);
        }
        close(p[1]);
        n = read(p[0], msg, msgsz - 1);
        msg[n > 0 ? n : 0] = '\0';
        close(p[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void copy_and_apply(enum target_kind kind, size_t want_filters) {
        struct target t = TARGET_NULL;
        struct confinement c = CONFINEMENT_NULL;
        struct nsx_error err = {};
        char msg[512];
        pid_t pid;

        pid = start_target(kind);
        assert_int_equal(target_pin(pid, "container 'unit'", &t, &err), 0);
        if (confine_prepare(&t, "container 'unit'", &c, &err) < 0)
                fail_msg("confine_prepare: %s", err.message);
        if (c.warning[0]) {
                /* A kernel without PTRACE_SECCOMP_GET_FILTER: nothing more to test here. */
                target_done(&t);
                stop_target(pid);
                confine_done(&c);
                print_message("# %s: the filters cannot be read here\n", c.warning);
                return;
        }
        assert_int_equal(c.n_filters, want_filters);
        assert_int_equal(c.filters[0].len, 4);
        assert_true(c.status.cap_prm == TARGET_CAPS || kind == TARGET_FAKES_CAPSET);
        assert_int_equal(c.status.no_new_privs, kind == TARGET_NNP);
        assert_int_equal(c.status.seccomp_mode, 2);
        assert_int_equal(c.lsm, CONFINE_LSM_NONE);
        assert_int_equal(c.proc_fd, -1);
        /* Still alive, not stopped, no longer traced. */
        assert_int_equal(kill(pid, 0), 0);

        if (kind == TARGET_FAKES_CAPSET) {
                /* The target keeps all its capabilities (its capset is faked for it too); ask
                 * for Docker's instead: the final capset, through the copied filter, is faked,
                 * and only the check notices. */
                c.status.cap_prm = c.status.cap_eff = TARGET_CAPS;
                assert_int_equal(apply_in_child(&c, &c.status, msg, sizeof(msg)), 100 + EPERM);
                assert_non_null(strstr(msg, "its CapPrm did not take"));
        } else
                assert_int_equal(apply_in_child(&c, &c.status, msg, sizeof(msg)), 0);

        confine_done(&c);
        target_done(&t);
        stop_target(pid);
}

static void test_live_nnp(void **state) {
        (void) state;
        if (skip_unless_root_and_seccomp())
                return;
        copy_and_apply(TARGET_NNP, 1);
}

static void test_live_plain(void **state) {
        (void) state;
        if (skip_unless_root_and_seccomp())
                return;
        copy_and_apply(TARGET_PLAIN, 2);
}

static void test_live_faked_capset_fails_closed(void **state) {
        (void) state;
        if (skip_unless_root_and_seccomp())
                return;
        copy_and_apply(TARGET_FAKES_CAPSET, 2);
}

static void test_live_traced_is_refused(void **state) {
        struct target t = TARGET_NULL;
        struct confinement c = CONFINEMENT_NULL;
        struct nsx_error err = {};
        pid_t pid;
        char want[128];
        (void) state;

        if (skip_unless_root_and_seccomp())
                return;
        pid = start_target(TARGET_NNP);
        /* We trace it first: then nobody else can. */
        assert_int_equal(ptrace(PTRACE_SEIZE, pid, NULL, NULL), 0);
        assert_int_equal(target_pin(pid, "container 'unit'", &t, &err), 0);
        assert_int_equal(confine_prepare(&t, "container 'unit'", &c, &err), -EBUSY);
        snprintf(want, sizeof(want), "while it is traced by PID %d", (int) getpid());
        assert_non_null(strstr(err.message, want));
        assert_string_equal(err.hint, "--privileged runs it unconfined, with our own privileges");
        target_done(&t);
        stop_target(pid);
}

/* The exec label is written through the host's /proc, and a write that fails is no reason to
 * run without it: here no LSM takes it, and the apply fails. */
static void test_live_label_write_fails_closed(void **state) {
        struct confinement c = CONFINEMENT_NULL;
        char buf[4096], msg[512];
        ssize_t n;
        int fd, rc;
        (void) state;

        if (skip_unless_root())
                return;
        fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        n = read(fd, buf, sizeof(buf));
        close(fd);
        assert_true(n > 0);
        assert_int_equal(confine_parse_status(buf, (size_t) n, &c.status), 0);
        c.lsm = CONFINE_LSM_APPARMOR;
        strcpy(c.lsm_exec, "exec docker-default");
        c.proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(c.proc_fd >= 0);
        /* What takes the label where an AppArmor is active: then there is nothing to test. */
        fd = open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
        if (fd >= 0 && write(fd, "exec unconfined", 15) == 15) {
                close(fd);
                confine_done(&c);
                print_message("# an LSM takes exec labels here: nothing to test\n");
                return;
        }
        if (fd >= 0)
                close(fd);
        rc = apply_in_child(&c, &c.status, msg, sizeof(msg));
        assert_true(rc > 100);
        assert_non_null(strstr(msg, "cannot confine the command as the container's processes are"));
        confine_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_status_good),
                cmocka_unit_test(test_status_bad),
                cmocka_unit_test(test_lsm_decide),
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_live_nnp),
                cmocka_unit_test(test_live_plain),
                cmocka_unit_test(test_live_faked_capset_fails_closed),
                cmocka_unit_test(test_live_traced_is_refused),
                cmocka_unit_test(test_live_label_write_fails_closed),
        };
        return cmocka_run_group_tests_name("confine", tests, NULL, NULL);
}
