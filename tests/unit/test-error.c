/* SPDX-License-Identifier: MIT */
/* Unit tests: the error contract of error.h (nsx_error_set, nsx_error_set_errno). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static void test_set(void **state) {
        struct nsx_error err = {.hint = "stale"};

        (void) state;
        assert_int_equal(nsx_error_set(&err, NSX_ERR_FAILED, EPROTO, "bad %s", "answer"), -EPROTO);
        assert_int_equal(err.kind, NSX_ERR_FAILED);
        assert_int_equal(err.errnum, EPROTO);
        assert_string_equal(err.message, "bad answer");
        assert_string_equal(err.hint, "");
        /* No errno behind it: still a failure. */
        assert_int_equal(nsx_error_set(&err, NSX_ERR_USAGE, 0, "no"), -EINVAL);
        assert_int_equal(nsx_error_set(NULL, NSX_ERR_USAGE, ENOENT, "no"), -ENOENT);
}

static void test_set_errno(void **state) {
        struct nsx_error err = {0};
        char want[sizeof(err.message)];

        (void) state;
        assert_int_equal(nsx_error_set_errno(&err, NSX_ERR_FAILED, EACCES, "cannot open %s of PID %d", "/proc", 7),
                         -EACCES);
        assert_int_equal(err.kind, NSX_ERR_FAILED);
        assert_int_equal(err.errnum, EACCES);
        snprintf(want, sizeof(want), "cannot open /proc of PID 7: %s", strerror(EACCES));
        assert_string_equal(err.message, want);
        assert_int_equal(nsx_error_set_errno(NULL, NSX_ERR_FAILED, ESRCH, "gone"), -ESRCH);
}

static void test_set_errno_long(void **state) {
        struct nsx_error err = {0};
        char long_text[2 * sizeof(err.message)];

        (void) state;
        memset(long_text, 'x', sizeof(long_text) - 1);
        long_text[sizeof(long_text) - 1] = '\0';
        /* A message that fills the buffer is cut, terminated, and gets no errno text past its end. */
        nsx_error_set_errno(&err, NSX_ERR_FAILED, EIO, "%s", long_text);
        assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
        /* The errno text is sanitized with the rest: a control byte in the message becomes '?'. */
        nsx_error_set_errno(&err, NSX_ERR_FAILED, ENOENT, "a\033b");
        assert_int_equal(strncmp(err.message, "a?b: ", 5), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_set),
                cmocka_unit_test(test_set_errno),
                cmocka_unit_test(test_set_errno_long),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
