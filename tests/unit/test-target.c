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
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "target.h"

#define ID "439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1"
#define OTHER "f2eb554024d025ea9378b5e1308d41330c2b82c62989ec404866820054966b62"

/* As a root engine sees it. */
static bool names(const char *text, const char *id) {
        return cgroup_text_places_id(text, strlen(text), id, 0);
}

/* As the engine of this uid sees it. */
static bool names_as(const char *text, const char *id, uid_t uid) {
        return cgroup_text_places_id(text, strlen(text), id, uid);
}

#define USER1000 "/user.slice/user-1000.slice/user@1000.service"

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

static void test_real_texts(void **state) {
        (void) state;
        /* Docker 20.10, cgroupfs driver, on this cgroup v1 host with its hybrid "0::" line. */
        assert_true(names("9:name=systemd:/docker/" ID "\n8:pids:/docker/" ID "\n7:blkio:/docker/" ID
                          "\n4:memory:/docker/" ID "\n2:cpuacct:/docker/" ID "\n1:cpu:/docker/" ID "\n0::/docker/" ID
                          "\n",
                          ID));
        /* Podman 4.3, cgroupfs, the same host; its conmon is in /libpod_parent/conmon. */
        assert_true(names("9:name=systemd:/libpod_parent/libpod-" ID "\n8:pids:/libpod_parent/libpod-" ID
                          "\n0::/libpod_parent/libpod-" ID "\n",
                          ID));
        assert_false(names("9:name=systemd:/\n8:pids:/libpod_parent/conmon\n0::/\n", ID));
        /* One placed line is enough: the rest may be anywhere (a container's init that moved its
         * name=systemd cgroup, a host that put a controller elsewhere). */
        assert_true(names("9:name=systemd:/docker/" ID "/init.scope\n8:pids:/docker/" ID "\n", ID));
        assert_true(names("4:memory:/process_api/x\n8:pids:/docker/" ID "\n", ID));
}

static void test_accepted_layouts(void **state) {
        (void) state;
        /* Docker, cgroupfs: /docker, or any --cgroup-parent, even "/". */
        assert_true(names("0::/docker/" ID "\n", ID));
        assert_true(names("0::/" ID "\n", ID));
        assert_true(names("0::/a/b/c/" ID "\n", ID));
        /* Docker, systemd: in system.slice or a --cgroup-parent slice, nested slices too. */
        assert_true(names("0::/system.slice/docker-" ID ".scope\n", ID));
        assert_true(names("0::/my.slice/my-sub.slice/docker-" ID ".scope\n", ID));
        /* Podman: cgroupfs, systemd, pods, crun's "container" sub-cgroup. */
        assert_true(names("0::/libpod_parent/libpod-" ID "\n", ID));
        assert_true(names("0::/libpod_parent/libpod-" ID "/container\n", ID));
        assert_true(names("0::/libpod_parent/" OTHER "x/libpod-" ID "\n", ID));
        assert_true(names("0::/machine.slice/libpod-" ID ".scope\n", ID));
        assert_true(names("0::/machine.slice/machine-libpod_pod_" OTHER ".slice/libpod-" ID ".scope\n", ID));
        /* CRI in the kubelet's trees. */
        assert_true(names("0::/kubepods/besteffort/pod1/" ID "\n", ID));
        assert_true(names("0::/kubepods/burstable/pod1/crio-" ID "\n", ID));
        assert_true(names("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/"
                          "cri-containerd-" ID ".scope\n",
                          ID));
        assert_true(names("0::/kubepods.slice/kubepods-pod1.slice/docker-" ID ".scope\n", ID));
}

static void test_rootless_layouts(void **state) {
        (void) state;
        /* Under the engine user's own systemd user manager: rootless Docker and Podman. */
        assert_true(names_as("0::" USER1000 "/user.slice/docker-" ID ".scope\n", ID, 1000));
        assert_true(names_as("0::" USER1000 "/docker-" ID ".scope\n", ID, 1000));
        assert_true(names_as("0::" USER1000 "/user.slice/libpod-" ID ".scope\n", ID, 1000));
        assert_true(names_as("0::" USER1000 "/user.slice/libpod-" ID ".scope/container\n", ID, 1000));
        assert_true(names_as("0::" USER1000 "/app.slice/" ID "\n", ID, 1000));
        /* Only for that user's engine: a root engine's containers are never there (a user names
         * the cgroups of its delegated subtree as it likes), nor another user's engine's. */
        assert_false(names("0::" USER1000 "/user.slice/docker-" ID ".scope\n", ID));
        assert_false(names("0::" USER1000 "/docker-" ID ".scope\n", ID));
        assert_false(names("9:name=systemd:" USER1000 "/app.slice/" ID "\n", ID));
        assert_false(names("0::" USER1000 "/x/libpod-" ID "\n", ID));
        assert_false(names_as("0::" USER1000 "/user.slice/docker-" ID ".scope\n", ID, 1001));
        assert_false(names_as("0::" USER1000 "/user.slice/docker-" ID ".scope\n", ID, 100));
        assert_false(names_as("0::" USER1000 "/user.slice/docker-" ID ".scope\n", ID, 10000));
        /* And only in its place: /user.slice/user-UID.slice/user@UID.service, one UID. */
        assert_false(names_as("0::/user.slice/user-1001.slice/user@1000.service/docker-" ID ".scope\n", ID, 1000));
        assert_false(names_as("0::/user.slice/user@1000.service/docker-" ID ".scope\n", ID, 1000));
        assert_false(names_as("0::/user@1000.service/docker-" ID ".scope\n", ID, 1000));
        assert_false(names_as("0::/x" USER1000 "/docker-" ID ".scope\n", ID, 1000));
        assert_false(names_as("0::" USER1000 "/user.slice/user@1000.service/docker-" ID ".scope\n", ID, 1000));
        /* A root-owned cgroupfs path stays acceptable to any engine: ownership decides. */
        assert_true(names_as("0::/docker/" ID "\n", ID, 1000));
}

static void test_refused_layouts(void **state) {
        (void) state;
        /* Nested below another container (or the same one): a container with a writable
         * cgroup namespace makes these. */
        assert_false(names("0::/docker/" OTHER "/docker/" ID "\n", ID));
        assert_false(names("0::/docker/" OTHER "/" ID "\n", ID));
        assert_false(names("0::/docker/" ID "/" ID "\n", ID));
        assert_false(names("0::/system.slice/docker-" OTHER ".scope/system.slice/docker-" ID ".scope\n", ID));
        assert_false(names("0::/libpod_parent/libpod-" OTHER "/libpod-" ID "\n", ID));
        assert_false(names("0::/machine.slice/libpod-" OTHER ".scope/container/libpod-" ID "\n", ID));
        assert_false(names("0::/kubepods/besteffort/pod1/" OTHER "/crio-" ID "\n", ID));
        assert_false(names("0::/kubepods.slice/crio-" OTHER ".scope/cri-containerd-" ID ".scope\n", ID));
        /* The ID as a middle component: a sub-cgroup is not the container's own. */
        assert_false(names("0::/docker/" ID "/x\n", ID));
        assert_false(names("0::/docker/" ID "/init.scope\n", ID));
        assert_false(names("0::/system.slice/docker-" ID ".scope/x\n", ID));
        assert_false(names("0::/machine.slice/libpod-" ID ".scope/container/x\n", ID));
        assert_false(names("0::/machine.slice/libpod-" ID ".scope/containers\n", ID));
        /* "container" is crun's, below Podman's cgroups only. */
        assert_false(names("0::/docker/" ID "/container\n", ID));
        assert_false(names("0::/system.slice/docker-" ID ".scope/container\n", ID));
        assert_false(names("0::/docker/container\n", ID));
        /* Conmon is not the container, whatever its suffix. */
        assert_false(names("0::/libpod_parent/libpod-conmon-" ID "\n", ID));
        assert_false(names("0::/machine.slice/libpod-conmon-" ID ".scope\n", ID));
        assert_false(names("0::/kubepods/pod1/crio-conmon-" ID ".scope\n", ID));
        /* .scope where the engine writes it, and nowhere else. */
        assert_false(names("0::/docker/" ID ".scope\n", ID));
        assert_false(names("0::/system.slice/docker-" ID "\n", ID));
        assert_false(names("0::/system.slice/docker-" ID ".scope.scope\n", ID));
        assert_false(names("0::/machine.slice/libpod-" ID ".scopex\n", ID));
        /* A systemd scope sits in slices only. */
        assert_false(names("0::/docker/docker-" ID ".scope\n", ID));
        assert_false(names("0::/system.slice/foo.service/docker-" ID ".scope\n", ID));
        assert_false(names("0::/user.slice/user-1000.slice/session-3.scope/libpod-" ID ".scope\n", ID));
        /* CRI's names in the kubelet's trees only. */
        assert_false(names("0::/system.slice/cri-containerd-" ID ".scope\n", ID));
        assert_false(names("0::/crio-" ID "\n", ID));
        assert_false(names("0::/docker/crio-" ID "\n", ID));
        assert_false(names("0::/x/kubepods/crio-" ID "\n", ID));
        /* Malformed paths: relative, empty components, a trailing slash, a removed cgroup. */
        assert_false(names("0::docker/" ID "\n", ID));
        assert_false(names("0:://docker/" ID "\n", ID));
        assert_false(names("0::/docker//" ID "\n", ID));
        assert_false(names("0::/docker/" ID "/\n", ID));
        assert_false(names("0::/docker/" ID " (deleted)\n", ID));
        assert_false(names("0::/\n", ID));
        /* The ID is 64 lower-case hex digits, or nothing is proven. */
        assert_false(names("0::/docker/439DF2C9707A764347189B8C4D47F2B2B92FDC55061E16D29910EC4201BF28E1\n",
                           "439DF2C9707A764347189B8C4D47F2B2B92FDC55061E16D29910EC4201BF28E1"));
}

static bool named(const char *path) {
        return cgroup_path_names_id(path, strlen(path), ID);
}

static void test_names_anywhere(void **state) {
        (void) state;
        /* For messages: the ID in any form, at any depth ("named, but misplaced"). */
        assert_true(named(USER1000 "/docker-" ID ".scope"));
        assert_true(named("/docker/" ID "/x"));
        assert_true(named("/docker/" OTHER "/libpod-" ID));
        assert_false(named("/docker/" OTHER));
        assert_false(named("/libpod_parent/libpod-conmon-" ID));
        assert_false(named(""));
}

static void test_lines(void **state) {
        static const char text[] = "12:cpu,cpuacct:/a\nbad line\n1:name=systemd:/b:c\n0::/d\n\n0::";
        struct cgroup_line l;
        size_t pos = 0;
        (void) state;

        assert_true(cgroup_line_next(text, strlen(text), &pos, &l));
        assert_int_equal(l.controllers_len, strlen("cpu,cpuacct"));
        assert_memory_equal(l.controllers, "cpu,cpuacct", l.controllers_len);
        assert_int_equal(l.path_len, 2);
        assert_memory_equal(l.path, "/a", 2);
        assert_false(l.unified);
        /* "bad line" has no colons: skipped. A colon in the path stays in the path. */
        assert_true(cgroup_line_next(text, strlen(text), &pos, &l));
        assert_memory_equal(l.controllers, "name=systemd", l.controllers_len);
        assert_int_equal(l.path_len, 4);
        assert_memory_equal(l.path, "/b:c", 4);
        assert_true(cgroup_line_next(text, strlen(text), &pos, &l));
        assert_true(l.unified);
        assert_int_equal(l.controllers_len, 0);
        assert_memory_equal(l.path, "/d", 2);
        /* The last line has no newline and an empty path. */
        assert_true(cgroup_line_next(text, strlen(text), &pos, &l));
        assert_true(l.unified);
        assert_int_equal(l.path_len, 0);
        assert_false(cgroup_line_next(text, strlen(text), &pos, &l));
        /* "10::" is a v1 hierarchy without controllers, not the v2 line. */
        pos = 0;
        assert_true(cgroup_line_next("10::/x\n", 7, &pos, &l));
        assert_false(l.unified);
}

static void test_length_bound(void **state) {
        static const char text[] = "0::/docker/" ID "\n";
        (void) state;
        /* Only len bytes are read: a cut text does not name the ID. */
        assert_false(cgroup_text_places_id(text, strlen(text) - 3, ID, 0));
        assert_true(cgroup_text_places_id(text, strlen(text) - 1, ID, 0));
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

/* The race is caught through the pidfd. Without pidfd_open(2) (Linux before 5.3; valgrind 3.19,
 * which answers ENOSYS) target_pin has only /proc/PID, and the documentation names that limit.
 * There the race test ends at once, saying why on a TAP comment line (meson counts cmocka's "not
 * ok # SKIP" as a failure); it runs whole in every other build. */
static bool have_pidfd(void) {
        int fd = (int) syscall(SYS_pidfd_open, getpid(), 0);

        if (fd >= 0) {
                close(fd);
                return true;
        }
        print_message("# pidfd_open(2): %s: the pin has no pidfd here\n", strerror(errno));
        return false;
}

static void test_pin_refuses_a_reused_pid(void **state) {
        struct target t = TARGET_NULL;
        struct nsx_error err = {};
        char want[128];
        int r;
        (void) state;

        if (!have_pidfd())
                return;
        race = (struct race){.victim = spawn_sleeper(), .armed = true};
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
        race = (struct race){};
        return 0;
}

/* Without the race, the same seam lets the pin through: the test above fails for the reason it
 * names, not for one of its own. */
static void test_pin_without_race(void **state) {
        struct target t = TARGET_NULL;
        struct nsx_error err = {};
        struct stat a, b;
        pid_t pid;
        char path[32];
        (void) state;

        pid = spawn_sleeper();
        assert_int_equal(target_pin(pid, "container 'web'", &t, &err), 0);
        /* Without pidfd_open the /proc dirfd alone pins it. */
        if (have_pidfd())
                assert_true(t.pidfd >= 0);
        else
                assert_int_equal(t.pidfd, -1);
        snprintf(path, sizeof(path), "/proc/%d", (int) pid);
        assert_int_equal(stat(path, &a), 0);
        assert_int_equal(fstat(t.procfd, &b), 0);
        assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        target_done(&t);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

/* target_verify answers its question as a value: "not this container's" is 0 (with the reason
 * in err), not an errno a caller could mistake for a denied read; what cannot be told is < 0. */
static void test_verify_answers_as_a_value(void **state) {
        char dir[] = "/tmp/nsx-test-target-XXXXXX";
        char path[64];
        struct nsx_error err = {};
        struct target t = TARGET_NULL;
        char want[128];
        FILE *f;
        int r;
        (void) state;

        assert_non_null(mkdtemp(dir));
        t.pid = getpid();
        t.procfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(t.procfd >= 0);
        snprintf(path, sizeof(path), "%s/cgroup", dir);

        /* Gone: its /proc has no cgroup file any more. */
        assert_int_equal(target_verify(&t, ID, 0, NULL, "container 'web'", &err), -ESRCH);
        assert_int_equal(err.errnum, ESRCH);

        /* Another process's cgroup: a clear no. */
        f = fopen(path, "we");
        assert_non_null(f);
        fputs("0::/user.slice/user-1000.slice/session-1.scope\n", f);
        fclose(f);
        err = (struct nsx_error){};
        assert_int_equal(target_verify(&t, ID, 0, NULL, "container 'web'", &err), 0);
        assert_int_equal(err.errnum, EPERM);
        snprintf(want, sizeof(want), "PID %d is not a process of container 'web' (", (int) t.pid);
        assert_int_equal(strncmp(err.message, want, strlen(want)), 0);

        /* A cgroup file that cannot be read: an error, with its reason, never a "no". */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkdir(path, 0700), 0);
        err = (struct nsx_error){};
        r = target_verify(&t, ID, 0, NULL, "container 'web'", &err);
        assert_true(r < 0);
        assert_int_equal(err.errnum, -r);
        snprintf(want, sizeof(want), "cannot inspect PID %d of container 'web': ", (int) t.pid);
        assert_int_equal(strncmp(err.message, want, strlen(want)), 0);

        assert_int_equal(rmdir(path), 0);
        target_done(&t);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_layouts_that_name_the_container),
                cmocka_unit_test(test_layouts_that_do_not),
                cmocka_unit_test(test_real_texts),
                cmocka_unit_test(test_accepted_layouts),
                cmocka_unit_test(test_rootless_layouts),
                cmocka_unit_test(test_refused_layouts),
                cmocka_unit_test(test_names_anywhere),
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_length_bound),
                cmocka_unit_test(test_pin_without_race),
                cmocka_unit_test(test_verify_answers_as_a_value),
                cmocka_unit_test_teardown(test_pin_refuses_a_reused_pid, race_teardown),
        };
        return cmocka_run_group_tests_name("target", tests, NULL, NULL);
}
