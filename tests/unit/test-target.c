/* SPDX-License-Identifier: MIT */
/* Unit tests: the cgroup proof that a PID belongs to a container, and the pin that survives a
 * PID reused under it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target.h"

#define ID "439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1"
#define OTHER "f2eb554024d025ea9378b5e1308d41330c2b82c62989ec404866820054966b62"

static bool names(const char *text, const char *id) {
        return target_cgroup_names_id(text, strlen(text), id);
}

static void test_layouts_that_name_the_container(void **state) {
        (void) state;
        /* cgroup v1 with cgroupfs (seen here), v2, systemd driver, Podman, CRI, a custom parent. */
        assert_true(names("12:pids:/docker/" ID "\n1:name=systemd:/docker/" ID "\n", ID));
        assert_true(names("0::/system.slice/docker-" ID ".scope\n", ID));
        assert_true(names("0::/machine.slice/libpod-" ID ".scope/container\n", ID));
        assert_true(names("7:memory:/libpod_parent/libpod-" ID "\n", ID));
        assert_true(names("0::/kubepods/besteffort/pod1/cri-containerd-" ID ".scope\n", ID));
        assert_true(names("0::/kubepods.slice/crio-" ID ".scope\n", ID));
        assert_true(names("0::/my-parent/" ID, ID)); /* --cgroup-parent, no final newline */
}

static void test_layouts_that_do_not(void **state) {
        (void) state;
        assert_false(names("0::/user.slice/user-0.slice/session-1.scope\n", ID));
        assert_false(names("12:pids:/docker/" OTHER "\n", ID));
        /* The ID must be a whole component, not a part of one. */
        assert_false(names("0::/docker/" ID "x\n", ID));
        assert_false(names("0::/docker/x" ID "\n", ID));
        assert_false(names("0::/docker/" ID ".scopey\n", ID));
        /* Podman's conmon is not the container. */
        assert_false(names("0::/machine.slice/libpod-conmon-" ID ".scope\n", ID));
        /* In the controller list, not the path. */
        assert_false(names("12:" ID ":/\n", ID));
        /* A prefix of the ID is no proof; nor is an empty text. */
        assert_false(names("0::/docker/439df2c9707a\n", "439df2c9707a"));
        assert_false(names("", ID));
        assert_false(names("garbage without colons " ID, ID));
}

static void test_length_bound(void **state) {
        static const char text[] = "0::/docker/" ID "\n";
        (void) state;
        /* Only len bytes are read: a cut text does not name the ID. */
        assert_false(target_cgroup_names_id(text, strlen(text) - 3, ID));
        assert_true(target_cgroup_names_id(text, strlen(text) - 1, ID));
}

/* --- the pin: a PID reused between pidfd_open and the open of /proc/PID ---------------------
 *
 * The seam is the linker's: this test is linked with --wrap=open and --wrap=open64 (see
 * tests/meson.build), so target_pin's open of "/proc/PID" comes here first, exactly inside the
 * window between its pidfd_open and that open. There the victim is killed and reaped and its
 * PID given to a new process (clone3 with set_tid, as CRIU restores PIDs: root only); without
 * that privilege, the open is sent to another live process's directory instead, which is what
 * a reused PID would show. target.c itself is unchanged. */

struct race {
        pid_t victim;   /* the process the engine named; dies inside the window */
        pid_t impostor; /* the process /proc/PID names when target_pin opens it */
        bool reused;    /* the impostor really has the victim's PID */
        bool armed;
};

/* The one piece of mutable state: a wrapped libc function has no other way in. */
static struct race race;

int __real_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);

/* The children of this test wait for a signal, and die with it whatever way it ends (even
 * before the prctl: then their parent is no longer the one they were forked from). */
static void sleep_forever(pid_t parent) {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != parent)
                _exit(1);
        for (;;)
                pause();
}

static pid_t spawn_sleeper(void) {
        pid_t parent = getpid(), pid = fork();

        if (pid == 0)
                sleep_forever(parent);
        return pid;
}

/* A child with exactly PID pid (clone3's set_tid), or -1. */
static pid_t spawn_with_pid(pid_t pid) {
        struct clone_args args = {
                .exit_signal = SIGCHLD,
                .set_tid = (uint64_t) (uintptr_t) &pid,
                .set_tid_size = 1,
        };
        pid_t parent = getpid();
        long r = syscall(SYS_clone3, &args, sizeof(args));

        if (r == 0)
                sleep_forever(parent);
        return (pid_t) r;
}

static void run_race(const char *path) {
        char victim_path[32];

        snprintf(victim_path, sizeof(victim_path), "/proc/%d", (int) race.victim);
        if (!race.armed || strcmp(path, victim_path) != 0)
                return;
        race.armed = false;
        kill(race.victim, SIGKILL);
        waitpid(race.victim, NULL, 0); /* reaped: the PID is free */
        race.impostor = spawn_with_pid(race.victim);
        race.reused = race.impostor == race.victim;
        if (!race.reused)
                race.impostor = spawn_sleeper();
}

static int wrapped_open(int (*real)(const char *, int, ...), const char *path, int flags, va_list ap) {
        mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t) va_arg(ap, int) : 0;
        char impostor_path[32];

        run_race(path);
        if (race.impostor > 0 && !race.reused) {
                snprintf(impostor_path, sizeof(impostor_path), "/proc/%d", (int) race.victim);
                if (strcmp(path, impostor_path) == 0) {
                        snprintf(impostor_path, sizeof(impostor_path), "/proc/%d", (int) race.impostor);
                        path = impostor_path;
                }
        }
        return real(path, flags, mode);
}

int __wrap_open(const char *path, int flags, ...) {
        va_list ap;
        int r;

        va_start(ap, flags);
        r = wrapped_open(__real_open, path, flags, ap);
        va_end(ap);
        return r;
}

int __wrap_open64(const char *path, int flags, ...) {
        va_list ap;
        int r;

        va_start(ap, flags);
        r = wrapped_open(__real_open64, path, flags, ap);
        va_end(ap);
        return r;
}

static void test_pin_refuses_a_reused_pid(void **state) {
        struct target t = TARGET_NULL;
        struct nsx_error err = {};
        char want[128];
        int r;
        (void) state;

        race = (struct race) {.victim = spawn_sleeper(), .armed = true};
        assert_true(race.victim > 0);
        r = target_pin(race.victim, "container 'web'", &t, &err);
        assert_false(race.armed); /* the seam was reached: target_pin opened /proc/PID */
        assert_true(race.impostor > 0);
        print_message("# PID %d %s\n", (int) race.victim,
                      race.reused ? "really reused (clone3 set_tid)" : "reuse shown by another process's /proc");
        if (r >= 0)
                fail_msg("PID %d pinned although its process died and /proc/%d is another's", (int) race.victim,
                         (int) race.victim);
        assert_int_equal(r, -ESRCH);
        snprintf(want, sizeof(want), "container 'web' exited before it could be entered (PID %d is gone)",
                 (int) race.victim);
        assert_string_equal(err.message, want);
        assert_int_equal(t.pidfd, -1);
        assert_int_equal(t.procfd, -1);
}

/* After the race, pass or fail: nothing of it is left running. */
static int race_teardown(void **state) {
        (void) state;
        if (race.armed && race.victim > 0) {
                kill(race.victim, SIGKILL);
                waitpid(race.victim, NULL, 0);
        }
        if (race.impostor > 0) {
                kill(race.impostor, SIGKILL);
                waitpid(race.impostor, NULL, 0);
        }
        race = (struct race) {};
        return 0;
}

/* Without the race, the same seam lets the pin through: the test above fails for the reason it
 * names, not for one of its own. */
static void test_pin_without_race(void **state) {
        struct target t = TARGET_NULL;
        struct nsx_error err = {};
        struct stat a, b;
        pid_t pid = spawn_sleeper();
        char path[32];
        (void) state;

        assert_int_equal(target_pin(pid, "container 'web'", &t, &err), 0);
        assert_true(t.pidfd >= 0);
        snprintf(path, sizeof(path), "/proc/%d", (int) pid);
        assert_int_equal(stat(path, &a), 0);
        assert_int_equal(fstat(t.procfd, &b), 0);
        assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        target_done(&t);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_layouts_that_name_the_container),
                cmocka_unit_test(test_layouts_that_do_not),
                cmocka_unit_test(test_length_bound),
                cmocka_unit_test(test_pin_without_race),
                cmocka_unit_test_teardown(test_pin_refuses_a_reused_pid, race_teardown),
        };
        return cmocka_run_group_tests_name("target", tests, NULL, NULL);
}
