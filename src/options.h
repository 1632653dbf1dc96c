/* SPDX-License-Identifier: MIT */
/* The command line, parsed into a plain value: no I/O, no environment. */
#pragma once

#include <stdbool.h>

#include "enter.h"
#include "error.h"

enum options_action {
        OPTIONS_RUN,
        OPTIONS_HELP,
        OPTIONS_VERSION,
        OPTIONS_LISTENERS, /* --listeners: report what listens in containers, enter nothing */
};

#define OPTIONS_TIMEOUT_DEFAULT_MS 10000L
#define OPTIONS_TIMEOUT_MAX_MS (24L * 3600 * 1000)

struct options {
        enum options_action action;
        const char *host;    /* -H/--host as given, NULL when absent */
        const char *context; /* -c/--context, NULL when absent */
        bool verbose;        /* -v: say which endpoint, which requests */
        long timeout_ms;     /* --timeout for the whole engine exchange */
        unsigned namespaces; /* enum enter_ns: -n, -m, ...; ENTER_NS_NET when none is named */
        bool all;            /* -a: every namespace of the target that differs from ours */
        const char *wd;      /* -w DIR, NULL when absent */
        bool verify;         /* prove the PID is the container's (--no-verify clears it) */
        bool host_dns;       /* --host-dns: the network view keeps the host's resolv.conf and hosts */
        const char *container; /* CONTAINER exactly as typed */
        char **command;      /* CMD [ARG...], NULL-terminated; NULL when none was given */
        bool json;           /* --json: the listeners report as JSON */
        char **containers;   /* --listeners: every CONTAINER given (n_containers; 0: all running) */
        int n_containers;
};

/* Parses argv (argv[0] is the program). Options stop at CONTAINER or "--"; everything after
 * CONTAINER is the command, untouched. Returns 0, or a negative errno with *err set (kind
 * NSX_ERR_USAGE). The result points into argv. */
int options_parse(int argc, char **argv, struct options *ret, struct nsx_error *err);

/* Parses a --timeout value: seconds, decimals allowed, > 0 and at most a day. */
int options_parse_timeout(const char *s, long *ret_ms);
