/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every module: scope-bound cleanup and ownership transfer. */
#pragma once

#include <errno.h>
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

static inline void freep(void *p) {
        free(*(void **) p);
}

/* close() that keeps errno: a cleanup must not clobber the error being reported. */
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

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

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline int streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
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
