/* SPDX-License-Identifier: MIT */
/* Filling in error values; formatting stays here so callers stay one line. */
#include "error.h"

#include <errno.h>
#include <stdio.h>

/* Messages quote what the user typed and what the engine said: neither may smuggle terminal
 * control sequences (or a second line) onto the user's screen. */
void nsx_sanitize(char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        *s = '?';
}

int nsx_error_set(struct nsx_error *err, enum nsx_error_kind kind, int errnum, const char *fmt, ...) {
        if (err) {
                va_list ap;

                *err = (struct nsx_error) {.kind = kind, .errnum = errnum};
                va_start(ap, fmt);
                vsnprintf(err->message, sizeof(err->message), fmt, ap);
                va_end(ap);
                nsx_sanitize(err->message);
        }
        return errnum > 0 ? -errnum : -EINVAL;
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
        return nsx_error_set(err, NSX_ERR_ENTER, ESRCH, "%s exited before it could be entered (PID %d is gone)", label,
                             pid);
}
