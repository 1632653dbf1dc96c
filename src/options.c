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
        ARG_NO_VERIFY,
        ARG_LISTENERS,
        ARG_JSON,
        ARG_HOST_DNS,
};

/* The namespace flags, as nsenter spells them. */
static const struct {
        char opt;
        unsigned bit;
} ns_options[] = {
        {'n', ENTER_NS_NET}, {'m', ENTER_NS_MNT},    {'u', ENTER_NS_UTS}, {'i', ENTER_NS_IPC},
        {'p', ENTER_NS_PID}, {'U', ENTER_NS_USER}, {'C', ENTER_NS_CGROUP}, {'T', ENTER_NS_TIME},
};

static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"host", required_argument, NULL, 'H'},
        {"context", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},
        {"timeout", required_argument, NULL, ARG_TIMEOUT},
        {"net", no_argument, NULL, 'n'},
        {"mount", no_argument, NULL, 'm'},
        {"uts", no_argument, NULL, 'u'},
        {"ipc", no_argument, NULL, 'i'},
        {"pid", no_argument, NULL, 'p'},
        {"user", no_argument, NULL, 'U'},
        {"cgroup", no_argument, NULL, 'C'},
        {"time", no_argument, NULL, 'T'},
        {"all", no_argument, NULL, 'a'},
        {"wd", required_argument, NULL, 'w'},
        {"no-verify", no_argument, NULL, ARG_NO_VERIFY},
        {"listeners", no_argument, NULL, ARG_LISTENERS},
        {"json", no_argument, NULL, ARG_JSON},
        {"host-dns", no_argument, NULL, ARG_HOST_DNS},
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

/* --listeners: every argument left is a CONTAINER; nothing is entered, so the options of
 * entry do not apply. */
static int options_listeners(int argc, char **argv, struct options *o, struct options *ret, struct nsx_error *err) {
        if (o->namespaces || o->all || o->wd || o->host_dns)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                     "--listeners enters nothing: namespace options, --wd and --host-dns do not apply");
        for (int i = optind; i < argc; i++) {
                if (argv[i][0] == '-')
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "option '%s' must come before the containers",
                                             argv[i]);
                if (argv[i][0] == '\0')
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "CONTAINER must not be empty");
        }
        o->action = OPTIONS_LISTENERS;
        o->containers = argv + optind;
        o->n_containers = argc - optind;
        *ret = *o;
        return 0;
}

int options_parse(int argc, char **argv, struct options *ret, struct nsx_error *err) {
        struct options o = {
                .action = OPTIONS_RUN,
                .timeout_ms = OPTIONS_TIMEOUT_DEFAULT_MS,
                .verify = true,
        };
        bool listeners = false;
        int c;

        /* optind = 0 makes glibc reinitialise getopt, so the parser can run more than once
         * (tests do). "+" stops at the first non-option: CONTAINER, then the command's own
         * arguments, which are never ours to interpret. ":" reports a missing argument as ':'. */
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:hVvH:c:nmuipUCTaw:", long_options, NULL)) >= 0) {
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
                case 'c':
                        if (optarg[0] == '\0')
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "option --context needs a non-empty value");
                        o.context = optarg;
                        break;
                case 'v':
                        o.verbose = true;
                        break;
                case ARG_TIMEOUT:
                        if (options_parse_timeout(optarg, &o.timeout_ms) < 0)
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                                     "invalid --timeout '%s': expected seconds, more than 0 and at most %ld",
                                                     optarg, OPTIONS_TIMEOUT_MAX_MS / 1000);
                        break;
                case 'a':
                        o.all = true;
                        break;
                case 'w':
                        if (optarg[0] == '\0')
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "option --wd needs a non-empty value");
                        o.wd = optarg;
                        break;
                case ARG_NO_VERIFY:
                        o.verify = false;
                        break;
                case ARG_LISTENERS:
                        listeners = true;
                        break;
                case ARG_JSON:
                        o.json = true;
                        break;
                case ARG_HOST_DNS:
                        o.host_dns = true;
                        break;
                case 'n':
                case 'm':
                case 'u':
                case 'i':
                case 'p':
                case 'U':
                case 'C':
                case 'T':
                        for (size_t i = 0; i < ELEMENTSOF(ns_options); i++)
                                if (ns_options[i].opt == c)
                                        o.namespaces |= ns_options[i].bit;
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

        /* As the docker CLI: a context and a host are two answers to one question. */
        if (o.context && o.host)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--context and --host cannot be used together");

        if (listeners)
                return options_listeners(argc, argv, &o, ret, err);
        if (o.json)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--json goes with --listeners");

        if (o.namespaces == 0 && !o.all)
                o.namespaces = ENTER_NS_NET;

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
