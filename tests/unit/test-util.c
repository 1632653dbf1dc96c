/* SPDX-License-Identifier: MIT */
/* Unit tests: the cleanup idiom of util.h and json.h (safe_close, closep, TAKE_*, owning
 * structs' NAME_donep) and the small shared helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "json.h"
#include "target.h"
#include "util.h"
#include "view.h"

static bool fd_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0;
}

static void test_safe_close(void **state) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        (void) state;
        assert_true(fd >= 0);
        errno = EXDEV;
        fd = safe_close(fd);
        assert_int_equal(fd, -1);
        assert_int_equal(errno, EXDEV); /* the error being reported survives the close */

        /* Nothing to close: still -1, errno untouched, no close(-1). */
        errno = ENOTTY;
        assert_int_equal(safe_close(-1), -1);
        assert_int_equal(safe_close(-42), -1);
        assert_int_equal(errno, ENOTTY);
}

static void test_closep_resets(void **state) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), copy = fd;

        (void) state;
        assert_true(fd >= 0);
        closep(&fd);
        assert_int_equal(fd, -1);
        assert_false(fd_open(copy));
        closep(&fd); /* twice is harmless */
        assert_int_equal(fd, -1);
}

static int scoped_fd(int *ret_number) {
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        *ret_number = fd;
        return fd >= 0 ? 0 : -errno;
}

static int handed_fd(void) {
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        return TAKE_FD(fd);
}

static void test_cleanup_close_and_take_fd(void **state) {
        int n = -1, fd;

        (void) state;
        assert_int_equal(scoped_fd(&n), 0);
        assert_false(fd_open(n)); /* closed at scope end */

        fd = handed_fd();
        assert_true(fd >= 0);
        assert_true(fd_open(fd)); /* handed on: not closed by the cleanup */
        fd = safe_close(fd);
}

/* An owning struct as the modules have them: a fd and heap memory, a null value, a _done that
 * leaves the null state behind. */
struct owner {
        int fd;
        char *text;
        int *done_calls;
};

#define OWNER_NULL ((struct owner){.fd = -1})

static void owner_done(struct owner *o) {
        if (o->done_calls)
                (*o->done_calls)++;
        o->fd = safe_close(o->fd);
        free(o->text);
        o->text = NULL;
}
DEFINE_STRUCT_CLEANUP_FUNC(struct owner, owner_done)

static int owner_make(bool fail, int *done_calls, struct owner *ret) {
        _cleanup_(owner_donep) struct owner o = OWNER_NULL;

        o.done_calls = done_calls;
        o.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        o.text = strdup("x");
        if (o.fd < 0 || !o.text || fail)
                return -EIO;
        *ret = TAKE_STRUCT(o, OWNER_NULL);
        /* TAKE_STRUCT left the null value behind: the cleanup below releases nothing. */
        assert_int_equal(o.fd, -1);
        assert_null(o.text);
        assert_null(o.done_calls);
        return 0;
}

static void test_take_struct(void **state) {
        struct owner got = OWNER_NULL;
        int calls = 0;

        (void) state;
        /* Failure: the scope's cleanup releases what was acquired, once. */
        assert_int_equal(owner_make(true, &calls, &got), -EIO);
        assert_int_equal(calls, 1);
        assert_int_equal(got.fd, -1);

        /* Success: ownership is handed on whole, the cleanup runs on the null value. */
        calls = 0;
        assert_int_equal(owner_make(false, &calls, &got), 0);
        assert_int_equal(calls, 0);
        assert_true(fd_open(got.fd));
        assert_string_equal(got.text, "x");
        owner_done(&got);
        assert_int_equal(calls, 1);
        assert_int_equal(got.fd, -1);
        owner_done(&got); /* _done leaves the null state: twice is harmless */
        assert_int_equal(got.fd, -1);
}

static void test_take_struct_value(void **state) {
        struct {
                int a;
                char *p;
        } s = {.a = 7, .p = (char *) "p"}, t;

        (void) state;
        t = TAKE_STRUCT(s, ((__typeof__(s)){.a = -1}));
        assert_int_equal(t.a, 7);
        assert_string_equal(t.p, "p");
        assert_int_equal(s.a, -1);
        assert_null(s.p);
}

static void test_module_nulls(void **state) {
        _cleanup_(target_donep) struct target t = TARGET_NULL;
        _cleanup_(view_donep) struct view v = VIEW_NULL;
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        (void) state;
        assert_true(fd >= 0);
        t.procfd = fd;
        target_done(&t);
        assert_false(fd_open(fd));
        assert_int_equal(t.procfd, -1);
        assert_int_equal(t.pidfd, -1);
        /* The scope's cleanups run on the null values and close nothing else. */
}

static void test_starts_with(void **state) {
        (void) state;
        assert_true(starts_with("unix:///run/docker.sock", "unix://"));
        assert_true(starts_with("abc", ""));
        assert_true(starts_with("abc", "abc"));
        assert_false(starts_with("ab", "abc"));
        assert_false(starts_with("tcp://x", "unix://"));
}

static void test_json_array_take(void **state) {
        _cleanup_(cJSON_Deletep) cJSON *a = cJSON_CreateArray();

        (void) state;
        assert_non_null(a);
        assert_true(json_array_take(a, cJSON_CreateNumber(1)));
        assert_int_equal(cJSON_GetArraySize(a), 1);
        assert_false(json_array_take(a, NULL));
        assert_int_equal(cJSON_GetArraySize(a), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_safe_close),
                cmocka_unit_test(test_closep_resets),
                cmocka_unit_test(test_cleanup_close_and_take_fd),
                cmocka_unit_test(test_take_struct),
                cmocka_unit_test(test_take_struct_value),
                cmocka_unit_test(test_module_nulls),
                cmocka_unit_test(test_starts_with),
                cmocka_unit_test(test_json_array_take),
        };
        return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
