/* SPDX-License-Identifier: MIT */
/* argv → struct options, with getopt_long in POSIX mode so the command's own options are left alone. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>

#include "util.h"

enum {
        ARG_TIMEOUT = 0x100,
};

static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"host", required_argument, NULL, 'H'},
        {"timeout", required_argument, NULL, ARG_TIMEOUT},
        {},
};

int options_parse_timeout(const char *s, long *ret_ms) {
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
                return -EINVAL;
        /* Round up so that e.g. 0.0001 is still a real, non-zero limit. */
        v = ceil(v * 1000.0);
        if (v < 1.0 || v > (double) OPTIONS_TIMEOUT_MAX_MS)
                return -ERANGE;
        *ret_ms = (long) v;
        return 0;
}

int options_parse(int argc, char **argv, struct options *ret, struct nsx_error *err) {
        struct options o = {
                .action = OPTIONS_RUN,
                .timeout_ms = OPTIONS_TIMEOUT_DEFAULT_MS,
        };
        int c;

        /* optind = 0 makes glibc reinitialise getopt, so the parser can run more than once
         * (tests do). "+" stops at the first non-option: CONTAINER, then the command's own
         * arguments, which are never ours to interpret. ":" reports a missing argument as ':'. */
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:hVH:", long_options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        o.action = OPTIONS_HELP;
                        break;
                case 'V':
                        o.action = OPTIONS_VERSION;
                        break;
                case 'H':
                        if (optarg[0] == '\0')
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "option --host needs a non-empty value");
                        o.host = optarg;
                        break;
                case ARG_TIMEOUT:
                        if (options_parse_timeout(optarg, &o.timeout_ms) < 0)
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                                     "invalid --timeout '%s': expected seconds, more than 0 and at most %ld",
                                                     optarg, OPTIONS_TIMEOUT_MAX_MS / 1000);
                        break;
                case ':':
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "option '%s' needs a value",
                                             argv[optind - 1]);
                case '?':
                default:
                        if (optopt)
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "unknown option '-%c'", optopt);
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "unknown option '%s'", argv[optind - 1]);
                }
        }

        /* --help and --version win over everything else, as in coreutils. */
        if (o.action != OPTIONS_RUN) {
                *ret = o;
                return 0;
        }

        if (optind >= argc)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "missing CONTAINER");
        o.container = argv[optind++];
        if (o.container[0] == '\0')
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "CONTAINER must not be empty");
        if (optind < argc)
                o.command = argv + optind;

        *ret = o;
        return 0;
}
