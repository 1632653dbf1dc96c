/* SPDX-License-Identifier: MIT */
/* Errors as values: library code fills one of these; only main.c prints it and picks the exit code. */
#pragma once

/* The contract, one rule for every module:
 * - A function that takes a `struct nsx_error *` fills it on every failure it returns (a
 *   negative errno), with a message fit to print as it is. Its caller may rely on that and never
 *   has to guess whether the message was set. Only file-local (static) helpers, which take no
 *   error, return a bare -errno; their caller turns that into an error.
 * - A question ("is this the container's process?") answers as a value, not as an error: 1 for
 *   yes, 0 for no (with the reason in *err), a negative errno (with *err filled) when it could
 *   not be answered.
 * - The text of errnum ("Permission denied") is added once, by nsx_error_set_errno(), never
 *   formatted into a message by hand at the call site. */

#include <stdarg.h>
#include <stddef.h>

/* What main.c does with a failure: the exit code, and whether a usage line follows. A kind
 * exists only where main acts on it; what went wrong is the message's (and errnum's) to say. */
enum nsx_error_kind {
        NSX_OK = 0,
        NSX_ERR_FAILED,        /* anything that is none of the below: exit 125 */
        NSX_ERR_USAGE,         /* bad command line: exit 125 and a "Try --help" line */
        NSX_ERR_EXEC_NOTFOUND, /* the command does not exist: exit 127 */
        NSX_ERR_EXEC,          /* the command exists but cannot be run: exit 126 */
};

struct nsx_error {
        enum nsx_error_kind kind;
        int errnum;       /* the real errno behind the failure, 0 if none */
        long http_status; /* the engine's HTTP status, 0 if none */
        char message[512];
        char hint[256]; /* an optional second line that helps the user act */
};

/* Fills *err (if not NULL) and returns -errnum, or -EINVAL when errnum is 0, so callers can
 * write `return nsx_error_set(...)`. */
__attribute__((format(printf, 4, 5))) int nsx_error_set(struct nsx_error *err, enum nsx_error_kind kind, int errnum,
                                                        const char *fmt, ...);

/* As nsx_error_set(), then appends ": " and strerror(errnum) to the message. */
__attribute__((format(printf, 4, 5))) int nsx_error_set_errno(struct nsx_error *err, enum nsx_error_kind kind,
                                                              int errnum, const char *fmt, ...);

/* The target process vanished between the engine's answer and its entry: the one wording for
 * this race, wherever it is noticed (pinning, proving, joining). Returns -ESRCH. */
int nsx_error_target_gone(struct nsx_error *err, const char *label, int pid);

/* Replaces control characters (C0, DEL, C1) and bytes that are not well-formed UTF-8 with '?',
 * in place (the length is kept): text from the user or the engine that is about to reach a
 * terminal can then carry no escape sequence and no second line. */
void nsx_sanitize(char *s);

/* The length of the well-formed UTF-8 character at s (RFC 3629: no overlong form, no surrogate,
 * nothing past U+10FFFF), its code point in *ret_cp; 0 for a malformed one or the NUL. */
size_t nsx_utf8_char(const char *s, unsigned *ret_cp);

/* Sets the hint line of an error already filled in. */
__attribute__((format(printf, 2, 3))) void nsx_error_hint(struct nsx_error *err, const char *fmt, ...);
