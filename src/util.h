/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every module: scope-bound cleanup and ownership transfer.
 *
 * The cleanup rule, one idiom everywhere: whatever a scope owns is released by a _cleanup_
 * attribute on its variable, not by calls on each error path.
 * - fds: `_cleanup_close_ int fd = -1;`. To close early, `fd = safe_close(fd);` (closes, keeps
 *   errno, returns -1), never a bare close() that leaves the number behind.
 * - heap memory: `_cleanup_free_`; other pointer types with their own destructor get a
 *   DEFINE_TRIVIAL_CLEANUP_FUNC (defined once: closedirp here, cJSON_Deletep in json.h).
 * - owning structs: each has NAME_done(struct NAME *) that releases what it owns and leaves the
 *   struct in its null state (fds -1, pointers NULL), so a second call does nothing; its header
 *   defines NAME_donep with DEFINE_STRUCT_CLEANUP_FUNC, and a variable starts at its null value:
 *   `_cleanup_(target_donep) struct target t = TARGET_NULL;`.
 * - handing ownership on (to *ret, or into another struct): TAKE_FD(fd), TAKE_PTR(p),
 *   TAKE_STRUCT(s, NULL_VALUE): each returns the value and disarms the cleanup.
 * An explicit NAME_done() stays only where *when* it runs is the point (every engine socket
 * closed before any setns; fds dropped right after the namespaces are entered), with a comment
 * saying so; the scope-bound cleanup then finds the null state and does nothing. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Defines NAME##p(T *p) that calls FUNC(*p) when *p is set, for _cleanup_. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                                        \
        static inline void func##p(type *p) {                                                                          \
                if (*p)                                                                                                \
                        func(*p);                                                                                      \
        }

/* Defines FUNC##p(T *p) that calls FUNC(p), for _cleanup_ on a variable of an owning struct:
 * FUNC releases what the struct owns and leaves it in its null state. */
#define DEFINE_STRUCT_CLEANUP_FUNC(type, func)                                                                         \
        static inline void func##p(type *p) {                                                                          \
                func(p);                                                                                               \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}

/* close() that keeps errno (a cleanup must not clobber the error being reported) and returns
 * -1, for `fd = safe_close(fd);`. Does nothing for fd < 0. */
static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                close(fd);
                errno = saved;
        }
        return -1;
}

static inline void closep(int *fd) {
        *fd = safe_close(*fd);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership out of a _cleanup_ variable: returns the value and disarms the cleanup. */
#define TAKE_PTR(p)                                                                                                    \
        ({                                                                                                             \
                __typeof__(p) _tp = (p);                                                                               \
                (p) = NULL;                                                                                            \
                _tp;                                                                                                   \
        })
#define TAKE_FD(fd)                                                                                                    \
        ({                                                                                                             \
                int _tf = (fd);                                                                                        \
                (fd) = -1;                                                                                             \
                _tf;                                                                                                   \
        })

/* Hand an owning struct out of a _cleanup_ variable: returns its value and leaves null (the
 * struct's null value, e.g. TARGET_NULL) behind, so the cleanup releases nothing. */
#define TAKE_STRUCT(s, null)                                                                                           \
        ({                                                                                                             \
                __typeof__(s) _ts = (s);                                                                               \
                (s) = (null);                                                                                          \
                _ts;                                                                                                   \
        })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline int streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The one parser of decimal numbers in user or engine text: s[0..len) must be digits only and
 * at most max. strtoul would also take leading spaces, a sign ("+80", "-1" wraps around), a
 * "0x" with base 0, and stop at the first junk character; this takes none of them. 0, or
 * -EINVAL (not digits, or empty) / -ERANGE (above max); *ret is untouched on failure. */
static inline int nsx_parse_decimal(const char *s, size_t len, unsigned long max, unsigned long *ret) {
        unsigned long v = 0;

        if (len == 0)
                return -EINVAL;
        for (size_t i = 0; i < len; i++)
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                unsigned long d = (unsigned long) (s[i] - '0');

                /* v * 10 + d <= max, asked without overflowing. */
                if (d > max || v > (max - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

/* The value of a hexadecimal digit (either case), -1 for any other character. */
static inline int nsx_hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}
