/* SPDX-License-Identifier: MIT */
/* Filling in error values; formatting stays here so callers stay one line. */
#include "error.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

size_t nsx_utf8_char(const char *text, unsigned *ret_cp) {
        const unsigned char *s = (const unsigned char *) text;
        unsigned cp;
        size_t n;

        if (s[0] > 0 && s[0] < 0x80) {
                *ret_cp = s[0];
                return 1;
        }
        if (s[0] >= 0xc2 && s[0] <= 0xdf) {
                n = 2;
                cp = s[0] & 0x1fu;
        } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
                n = 3;
                cp = s[0] & 0x0fu;
        } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
                n = 4;
                cp = s[0] & 0x07u;
        } else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
                        return 0;
                cp = cp << 6 | (s[i] & 0x3fu);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        *ret_cp = cp;
        return n;
}

/* Messages quote what the user typed and what the engine said: neither may smuggle terminal
 * control sequences (or a second line) onto the user's screen. C1 controls count too: some
 * terminals take U+009B as CSI, and a stray byte 0x9b as the same in 8-bit mode. */
void nsx_sanitize(char *s) {
        unsigned char *p = (unsigned char *) s;

        while (*p) {
                unsigned cp = 0;
                size_t n;

                if (*p < 0x80) {
                        if (*p < 0x20 || *p == 0x7f)
                                *p = '?';
                        p++;
                        continue;
                }
                n = nsx_utf8_char((const char *) p, &cp);
                if (n == 0 || cp < 0xa0) {
                        /* Not UTF-8, or a C1 control: each of its bytes becomes one '?'. */
                        for (size_t i = 0; i < (n ? n : 1); i++)
                                p[i] = '?';
                        p += n ? n : 1;
                        continue;
                }
                p += n;
        }
}

__attribute__((format(printf, 5, 0))) static int error_setv(struct nsx_error *err, enum nsx_error_kind kind, int errnum,
                                                            bool with_errno, const char *fmt, va_list ap) {
        if (err) {
                *err = (struct nsx_error){.kind = kind, .errnum = errnum};
                vsnprintf(err->message, sizeof(err->message), fmt, ap);
                if (with_errno) {
                        size_t len = strlen(err->message);

                        snprintf(err->message + len, sizeof(err->message) - len, ": %s", strerror(errnum));
                }
                nsx_sanitize(err->message);
        }
        return errnum > 0 ? -errnum : -EINVAL;
}

int nsx_error_set(struct nsx_error *err, enum nsx_error_kind kind, int errnum, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = error_setv(err, kind, errnum, false, fmt, ap);
        va_end(ap);
        return r;
}

int nsx_error_set_errno(struct nsx_error *err, enum nsx_error_kind kind, int errnum, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = error_setv(err, kind, errnum, true, fmt, ap);
        va_end(ap);
        return r;
}

void nsx_error_hint(struct nsx_error *err, const char *fmt, ...) {
        va_list ap;

        if (!err)
                return;
        va_start(ap, fmt);
        vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
        va_end(ap);
        nsx_sanitize(err->hint);
}

int nsx_error_target_gone(struct nsx_error *err, const char *label, int pid) {
        return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "%s exited before it could be entered (PID %d is gone)", label,
                             pid);
}
