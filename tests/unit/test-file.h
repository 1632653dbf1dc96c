/* SPDX-License-Identifier: MIT */
/* Unit tests: one whole-file reader for fixtures and source files (include after cmocka.h). */
#pragma once

#include <stdio.h>
#include <stdlib.h>

/* Reads $DIR_ENV/NAME into a malloc'd, NUL-terminated string; fails the test when it cannot.
 * ret_len may be NULL. */
static inline char *test_read_file(const char *dir_env, const char *name, size_t *ret_len) {
        const char *dir = getenv(dir_env);
        char path[4096];
        char *buf;
        long n;
        FILE *f;

        if (!dir)
                fail_msg("%s is not set", dir_env);
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "re");
        if (!f)
                fail_msg("cannot open %s", path);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        assert_true(n >= 0);
        rewind(f);
        buf = malloc((size_t) n + 1);
        if (!buf)
                abort();
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        buf[n] = '\0';
        fclose(f);
        if (ret_len)
                *ret_len = (size_t) n;
        return buf;
}
