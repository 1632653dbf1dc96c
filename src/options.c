/* SPDX-License-Identifier: MIT */
/* argv → struct options, with getopt_long in POSIX mode so the command's own options are left alone. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "ns.h"
#include "user.h"
#include "util.h"

enum {
        ARG_TIMEOUT = 0x100,
        ARG_NO_VERIFY,
        ARG_LIST,
        ARG_LISTENERS,
        ARG_JSON,
        ARG_HOST_DNS,
        ARG_PRIVILEGED,
        ARG_EXEC_USER,
        ARG_FORWARD,
        ARG_INDEX,
        ARG_RUNTIME_ENDPOINT,
};

/* Our options but the namespaces', which getopt_tables adds from ns_table. */
#define OTHER_SHORT_OPTIONS "+:hVvH:c:aw:e:"
static const struct option other_long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"host", required_argument, NULL, 'H'},
        {"context", required_argument, NULL, 'c'},
        /* crictl's name; long only, as there (crictl's -r is ours to keep free). */
        {"runtime-endpoint", required_argument, NULL, ARG_RUNTIME_ENDPOINT},
        {"verbose", no_argument, NULL, 'v'},
        {"timeout", required_argument, NULL, ARG_TIMEOUT},
        /* docker exec's --user: -U is --userns (see ns.c). */
        {"user", required_argument, NULL, ARG_EXEC_USER},
        {"env", required_argument, NULL, 'e'},
        {"all", no_argument, NULL, 'a'},
        {"wd", required_argument, NULL, 'w'},
        {"no-verify", no_argument, NULL, ARG_NO_VERIFY},
        {"list", no_argument, NULL, ARG_LIST},
        {"listeners", no_argument, NULL, ARG_LISTENERS},
        {"json", no_argument, NULL, ARG_JSON},
        {"host-dns", no_argument, NULL, ARG_HOST_DNS},
        {"privileged", no_argument, NULL, ARG_PRIVILEGED},
        {"forward", required_argument, NULL, ARG_FORWARD},
        {"index", required_argument, NULL, ARG_INDEX},
        {},
};

/* getopt's short string and long options: ours, then the namespaces' from ns_table. */
struct getopt_tables {
        char short_options[sizeof(OTHER_SHORT_OPTIONS) + NS_COUNT];
        struct option long_options[ELEMENTSOF(other_long_options) + NS_COUNT];
};

static void getopt_tables(struct getopt_tables *t) {
        size_t n_short = strlen(OTHER_SHORT_OPTIONS), n_long = ELEMENTSOF(other_long_options) - 1;

        memcpy(t->short_options, OTHER_SHORT_OPTIONS, n_short);
        memcpy(t->long_options, other_long_options, n_long * sizeof(other_long_options[0]));
        for (size_t i = 0; i < NS_COUNT; i++) {
                /* --net is -n: getopt answers 'n' for both. */
                t->short_options[n_short++] = ns_table[i].short_option[1];
                t->long_options[n_long++] = (struct option){
                        .name = ns_table[i].long_option + 2,
                        .has_arg = no_argument,
                        .val = ns_table[i].short_option[1],
                };
        }
        t->short_options[n_short] = '\0';
        t->long_options[n_long] = (struct option){};
}

/* The options after the namespaces', in --help order. */
static const struct options_doc other_docs[] = {
        {"--all", "-a", "join every namespace that differs from ours"},
        {"--wd", "-w", "working directory of the command"},
        {"--user", NULL, "with -m or -a: run as USER[:GROUP] of the container (default: its own)"},
        {"--env", "-e", "with -m or -a: set KEY=VALUE (KEY: the caller's value) in the environment"},
        {"--host", "-H", "engine endpoint (unix:///path or tcp://127.0.0.1:PORT)"},
        {"--context", "-c", "use this docker context's endpoint"},
        {"--runtime-endpoint", NULL, "CRI engine endpoint, as crictl's (unix:///path: containerd, CRI-O)"},
        {"--timeout", NULL, "limit for the engine exchange, in seconds"},
        {"--index", NULL, "when CONTAINER is a Compose service: its replica N"},
        {"--no-verify", NULL, "do not prove the PID is the container's"},
        {"--host-dns", NULL, "keep the host's /etc/resolv.conf and /etc/hosts"},
        {"--privileged", NULL, "with -m or -a: do not confine the command as the container's processes"},
        {"--list", NULL, "print the names of running containers"},
        {"--listeners", NULL, "report what listens in containers and whether published ports work"},
        {"--json", NULL, "with --listeners: the report as JSON"},
        {"--forward", NULL, "relay [HOSTADDR:]HOSTPORT on the host to [CADDR:]CPORT[/PROTO] in the container"},
        {"--verbose", "-v", "say which engine was chosen and the requests"},
        {"--help", "-h", "show the help"},
        {"--version", "-V", "show the version"},
        {},
};

_Static_assert(NS_COUNT + ELEMENTSOF(other_docs) <= OPTIONS_DOCS_MAX, "OPTIONS_DOCS_MAX is too small");

const struct options_doc *options_docs(struct options_doc ret[static OPTIONS_DOCS_MAX]) {
        size_t n = 0;

        for (size_t i = 0; i < NS_COUNT; i++)
                ret[n++] = (struct options_doc){
                        .long_name = ns_table[i].long_option,
                        .short_name = ns_table[i].short_option,
                        .description = ns_table[i].description,
                };
        for (size_t i = 0; i < ELEMENTSOF(other_docs); i++)
                ret[n++] = other_docs[i];
        return ret;
}

/* The docker CLI's global options (docker --help), which it passes to a plugin before the
 * plugin's name. -v/--version never reaches a plugin: docker answers it itself. */
enum {
        DOCKER_CONFIG = 0x100,
        DOCKER_TLS,
};
static const struct option docker_global_options[] = {
        {"config", required_argument, NULL, DOCKER_CONFIG},
        {"context", required_argument, NULL, 'c'},
        {"debug", no_argument, NULL, 'D'},
        {"host", required_argument, NULL, 'H'},
        {"log-level", required_argument, NULL, 'l'},
        {"tls", no_argument, NULL, DOCKER_TLS},
        {"tlscacert", required_argument, NULL, DOCKER_TLS},
        {"tlscert", required_argument, NULL, DOCKER_TLS},
        {"tlskey", required_argument, NULL, DOCKER_TLS},
        {"tlsverify", no_argument, NULL, DOCKER_TLS},
        {},
};

int options_parse_timeout(const char *s, long *ret_ms) {
        char *end;
        double v;

        /* Decimal digits and one point only: strtod would also take " 5", "+5", "0x10" and
         * "1e2", none of which anyone means by a number of seconds. */
        if (s[strspn(s, "0123456789.")] != '\0' || strchr(s, '.') != strrchr(s, '.') ||
            strpbrk(s, "0123456789") == NULL)
                return -EINVAL;
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

/* What getopt left behind, for completion: the option whose value is missing at the end of
 * argv (0 if none) and whether "--" ended the options. */
struct parse_state {
        int missing;
        bool dashdash;
};

/* Our options, from argv[1] up to CONTAINER or "--" (optind is left there), on top of *ret;
 * *ret is only changed on success. */
static int parse_options(int argc, char **argv, struct options *ret, struct parse_state *st, struct nsx_error *err) {
        struct options o = *ret;
        struct getopt_tables t;
        const char *value = NULL;
        bool want_list = false, want_listeners = false;
        int c, r;

        getopt_tables(&t);

        /* optind = 0 makes glibc reinitialise getopt, so the parser can run more than once
         * (tests do). "+" stops at the first non-option: CONTAINER, then the command's own
         * arguments, which are never ours to interpret. ":" reports a missing argument as ':'. */
        optind = 0;
        opterr = 0;
        while ((optarg = NULL, c = getopt_long(argc, argv, t.short_options, t.long_options, NULL)) >= 0) {
                const struct ns_kind *ns = ns_by_option(c);

                /* NULL for an option without a value: glibc clears optarg on each call, musl
                 * leaves the last value there, hence the NULL above. */
                value = optarg;
                if (ns) {
                        o.namespaces |= ns->bit;
                        continue;
                }
                switch (c) {
                case 'h':
                        o.action = OPTIONS_HELP;
                        break;
                case 'V':
                        o.action = OPTIONS_VERSION;
                        break;
                case 'H':
                        if (optarg[0] == '\0')
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                                     "option --host needs a non-empty value");
                        o.host = optarg;
                        break;
                case 'c':
                        if (optarg[0] == '\0')
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                                     "option --context needs a non-empty value");
                        o.context = optarg;
                        break;
                case ARG_RUNTIME_ENDPOINT:
                        if (optarg[0] == '\0')
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                                     "option --runtime-endpoint needs a non-empty value");
                        o.runtime_endpoint = optarg;
                        break;
                case 'v':
                        o.verbose = true;
                        break;
                case ARG_TIMEOUT:
                        if (options_parse_timeout(optarg, &o.timeout_ms) < 0)
                                return nsx_error_set(
                                        err, NSX_ERR_USAGE, EINVAL,
                                        "invalid --timeout '%s': expected seconds, more than 0 and at most %ld", optarg,
                                        OPTIONS_TIMEOUT_MAX_MS / 1000);
                        break;
                case 'a':
                        o.all = true;
                        break;
                case 'w':
                        if (optarg[0] == '\0')
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "option --wd needs a non-empty value");
                        o.wd = optarg;
                        break;
                case ARG_EXEC_USER:
                        if (user_spec_check(optarg, err) < 0) {
                                char why[sizeof(err->message)];

                                snprintf(why, sizeof(why), "%s", err->message);
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--user: %s", why);
                        }
                        o.exec_user = optarg;
                        break;
                case 'e':
                        /* docker's rule: a non-empty KEY; KEY alone takes the caller's value. */
                        if (optarg[0] == '\0' || optarg[0] == '=')
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                                     "invalid --env '%s': expected KEY=VALUE or KEY, KEY not empty",
                                                     optarg);
                        if (o.n_env >= OPTIONS_ENV_MAX)
                                return nsx_error_set(err, NSX_ERR_USAGE, E2BIG, "more than %d --env options",
                                                     OPTIONS_ENV_MAX);
                        o.env[o.n_env++] = optarg;
                        break;
                case ARG_NO_VERIFY:
                        o.verify = false;
                        break;
                case ARG_LIST:
                        want_list = true;
                        break;
                case ARG_LISTENERS:
                        want_listeners = true;
                        break;
                case ARG_JSON:
                        o.json = true;
                        break;
                case ARG_HOST_DNS:
                        o.host_dns = true;
                        break;
                case ARG_PRIVILEGED:
                        o.privileged = true;
                        break;
                case ARG_INDEX: {
                        unsigned long n;

                        /* As docker compose exec --index: a replica number, counted from 1. */
                        if (nsx_parse_decimal(optarg, strlen(optarg), COMPOSE_INDEX_MAX, &n) < 0 || n == 0)
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                                     "invalid --index '%s': expected a replica number, 1 to %u", optarg,
                                                     COMPOSE_INDEX_MAX);
                        o.compose_index = (unsigned) n;
                        break;
                }
                case ARG_FORWARD:
                        if (o.n_forwards >= OPTIONS_FORWARD_MAX)
                                return nsx_error_set(err, NSX_ERR_USAGE, E2BIG, "more than %d --forward options",
                                                     OPTIONS_FORWARD_MAX);
                        r = forward_spec_parse(optarg, &o.forwards[o.n_forwards], err);
                        if (r < 0)
                                return r;
                        o.forward_texts[o.n_forwards++] = optarg;
                        break;
                case ':':
                        /* A missing value can only be the last word's. */
                        st->missing = optopt;
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "option '%s' needs a value", argv[optind - 1]);
                case '?':
                default:
                        if (optopt)
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "unknown option '-%c'", optopt);
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "unknown option '%s'", argv[optind - 1]);
                }
        }
        /* --help and --version win, whatever their place; otherwise one mode at most. */
        if (o.action == OPTIONS_RUN && want_list && want_listeners)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--list and --listeners cannot be used together");
        if (o.action == OPTIONS_RUN && o.n_forwards > 0 && (want_list || want_listeners))
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--forward and %s cannot be used together",
                                     want_list ? "--list" : "--listeners");
        if (o.action == OPTIONS_RUN && (want_list || want_listeners))
                o.action = want_list ? OPTIONS_LIST : OPTIONS_LISTENERS;
        if (o.action == OPTIONS_RUN && o.n_forwards > 0)
                o.action = OPTIONS_FORWARD;
        /* "--" itself, not an option's value that happens to read "--". */
        st->dashdash = optind > 1 && streq(argv[optind - 1], "--") && argv[optind - 1] != value;
        *ret = o;
        return 0;
}

/* --listeners: every argument left is a CONTAINER. */
static int options_listeners(int argc, char **argv, struct options *o, struct nsx_error *err) {
        for (int i = optind; i < argc; i++) {
                if (argv[i][0] == '-')
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "option '%s' must come before the containers",
                                             argv[i]);
                if (argv[i][0] == '\0')
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "CONTAINER must not be empty");
        }
        o->containers = argv + optind;
        o->n_containers = argc - optind;
        return 0;
}

/* Two forwards that would bind the same host address, port and protocol: the second could
 * never listen. Port 0 takes a free port each time, so any number of those may share an address. */
static bool forward_same_host(const struct forward_spec *a, const struct forward_spec *b) {
        if (a->proto != b->proto || a->host.ss_family != b->host.ss_family)
                return false;
        if (a->host.ss_family == AF_INET) {
                const struct sockaddr_in *x = (const struct sockaddr_in *) &a->host,
                                         *y = (const struct sockaddr_in *) &b->host;

                return x->sin_port != 0 && x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
        }
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *) &a->host,
                                  *y = (const struct sockaddr_in6 *) &b->host;

        return x->sin6_port != 0 && x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

/* --forward SPEC... CONTAINER: the network namespace only, one CONTAINER, no command, and
 * nothing that shapes a command (the relay runs none). */
static int options_forward(int argc, char **argv, struct options *o, struct nsx_error *err) {
        const struct ns_kind *ns = NULL;
        const char *bad = NULL;

        /* The first namespace named but -n's, for the message. */
        for (size_t i = 0; !ns && i < NS_COUNT; i++)
                if (o->namespaces & ns_table[i].bit & ~(unsigned) ENTER_NS_NET)
                        ns = &ns_table[i];
        if (ns)
                bad = ns->long_option;
        else if (o->all)
                bad = "--all";
        else if (o->wd)
                bad = "--wd";
        else if (o->exec_user)
                bad = "--user";
        else if (o->n_env)
                bad = "--env";
        else if (o->privileged)
                bad = "--privileged";
        else if (o->host_dns)
                bad = "--host-dns";
        if (bad)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                     "--forward relays into the container's network and runs no command: %s does "
                                     "not apply",
                                     bad);

        if (optind >= argc)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "missing CONTAINER");
        o->container = argv[optind++];
        if (o->container[0] == '\0')
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "CONTAINER must not be empty");
        if (optind < argc)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--forward takes no command, got '%s'", argv[optind]);

        for (int i = 0; i < o->n_forwards; i++)
                for (int j = 0; j < i; j++)
                        if (forward_same_host(&o->forwards[j], &o->forwards[i])) {
                                char a[FORWARD_ADDR_MAX];

                                forward_addr_format((const struct sockaddr *) &o->forwards[i].host, a, sizeof(a));
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                                     "--forward '%s' and '%s' both listen on %s/%s",
                                                     o->forward_texts[j], o->forward_texts[i], a,
                                                     forward_proto_name(o->forwards[i].proto));
                        }
        o->namespaces = ENTER_NS_NET;
        return 0;
}

/* argv[0] is the program or, in plugin mode, the plugin name. On top of *ret. */
static int parse_command_line(int argc, char **argv, struct options *ret, struct nsx_error *err) {
        struct parse_state st = {};
        struct options o = *ret;
        int r;

        r = parse_options(argc, argv, &o, &st, err);
        if (r < 0)
                return r;

        /* --help and --version win over everything else, as in coreutils. */
        if (o.action == OPTIONS_HELP || o.action == OPTIONS_VERSION) {
                *ret = o;
                return 0;
        }

        if (o.json && o.action != OPTIONS_LISTENERS)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--json goes with --listeners");

        /* As the docker CLI: a context and a host are two answers to one question. */
        if (o.context && o.host)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--context and --host cannot be used together");
        /* And a CRI engine is a third answer to it. */
        if (o.runtime_endpoint && (o.host || o.context))
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--runtime-endpoint and %s cannot be used together",
                                     o.host ? "--host" : "--context");

        if (o.action == OPTIONS_FORWARD) {
                r = options_forward(argc, argv, &o, err);
                if (r < 0)
                        return r;
                *ret = o;
                return 0;
        }

        if (o.action == OPTIONS_LIST || o.action == OPTIONS_LISTENERS) {
                const char *mode = o.action == OPTIONS_LIST ? "--list" : "--listeners";

                if (o.namespaces || o.all || o.wd || o.host_dns)
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                             "%s enters nothing: namespace options, --wd and --host-dns do not apply",
                                             mode);
                if (o.privileged)
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "%s runs nothing: --privileged does not apply",
                                             mode);
                if (o.exec_user || o.n_env)
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                             "%s runs nothing: --user and --env do not apply", mode);
                if (o.action == OPTIONS_LIST && o.compose_index)
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                             "--list names every running container: --index does not apply");
                if (o.action == OPTIONS_LIST && optind < argc)
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                             "--list takes no CONTAINER or command, got '%s'", argv[optind]);
                if (o.action == OPTIONS_LISTENERS) {
                        r = options_listeners(argc, argv, &o, err);
                        if (r < 0)
                                return r;
                }
                *ret = o;
                return 0;
        }

        if (o.namespaces == 0 && !o.all)
                o.namespaces = ENTER_NS_NET;
        /* Only the container's own commands (-m, -a) are confined: a host tool runs as we do
         * anyway, and an option that changes nothing must not look as if it did. */
        if (o.privileged && !o.all && !(o.namespaces & ENTER_NS_MNT))
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                     "--privileged goes with -m or -a: without them the command is the host's, "
                                     "and runs unconfined anyway");
        /* Like docker exec, --user and --env describe a command of the container's; a host
         * tool runs as the caller, with the caller's environment. */
        if ((o.exec_user || o.n_env) && !o.all && !(o.namespaces & ENTER_NS_MNT))
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                     "%s needs -m or -a: it applies to the container's own command",
                                     o.exec_user ? "--user" : "--env");

        if (optind >= argc)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "missing CONTAINER");
        o.container = argv[optind++];
        if (o.container[0] == '\0')
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "CONTAINER must not be empty");
        /* "web -- curl URL", kubectl exec's habit: no command is named "--", so one right after
         * CONTAINER ends our arguments. Only one: as in kubectl, "web -- -- x" runs "-- x". */
        if (optind < argc && streq(argv[optind], "--"))
                optind++;
        if (optind < argc)
                o.command = argv + optind;

        *ret = o;
        return 0;
}

/* The docker CLI runs the plugin docker-NAME as "docker-NAME [GLOBAL OPTIONS] NAME ...". */
static const char *plugin_name(const char *argv0) {
        const char *base = argv0 ? strrchr(argv0, '/') : NULL;

        base = base ? base + 1 : argv0;
        if (base && strncmp(base, "docker-", 7) == 0 && base[7])
                return base + 7;
        return OPTIONS_PLUGIN_NAME;
}

/* Skips docker's global options; returns the index of the plugin name in argv. */
static int parse_docker_globals(int argc, char **argv, struct options *o, struct nsx_error *err) {
        const char *name = plugin_name(argv[0]);
        int c, long_index;

        optind = 0;
        opterr = 0;
        while ((long_index = -1, c = getopt_long(argc, argv, "+:c:DH:l:", docker_global_options, &long_index)) >= 0) {
                const char *value = optarg;

                /* The docker CLI's flag parser also takes "-H=URI" for "-H URI". */
                if (value && long_index < 0 && value[0] == '=')
                        value++;
                switch (c) {
                case 'H':
                        o->host = value[0] ? value : NULL;
                        break;
                case 'c':
                        o->context = value[0] ? value : NULL;
                        break;
                case DOCKER_CONFIG:
                        o->config = value[0] ? value : NULL;
                        break;
                case 'D':
                        o->verbose = true;
                        break;
                case 'l':
                        break;
                case DOCKER_TLS:
                        /* Never fall back to plain HTTP when TLS was asked for. */
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                             "docker's TLS options are not supported (--%s): the engine must be local",
                                             docker_global_options[long_index].name);
                case ':':
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "docker option '%s' needs a value",
                                             argv[optind - 1]);
                default:
                        if (optopt && optopt < 0x100)
                                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "unknown docker option '-%c'", optopt);
                        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "unknown docker option '%s'",
                                             argv[optind - 1]);
                }
        }
        /* "docker help nsexec" reaches the plugin as "help nsexec". */
        if (optind + 1 < argc && streq(argv[optind], "help") && streq(argv[optind + 1], name)) {
                o->action = OPTIONS_HELP;
                return optind + 1;
        }
        if (optind >= argc || !streq(argv[optind], name))
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                     "run as a docker CLI plugin, but '%s' does not follow docker's options", name);
        return optind;
}

/* parse_options on the first n words: getopt_long may take an option's value from words[n]
 * whatever n says (musl's does; glibc's stops at n), so that word is hidden meanwhile. */
static int parse_words(int n, char **words, struct options *o, struct parse_state *st, struct nsx_error *err) {
        char *next = words[n];
        int r;

        words[n] = NULL;
        r = parse_options(n, words, o, st, err);
        words[n] = next;
        return r;
}

/* "__complete [NAME] ARGS... WORD": the words before WORD are parsed as ours, to learn what
 * WORD is and which engine (-H, -c) to ask. Never an error: a line we cannot read completes
 * to nothing. */
static void parse_complete(int argc, char **argv, struct options *o) {
        struct parse_state st = {};
        struct nsx_error ignored;
        int first = 2, n;

        o->action = OPTIONS_COMPLETE;
        o->complete_descriptions = streq(argv[1], "__complete");
        /* NAME only when a WORD follows: "__complete nsexec" alone completes the word "nsexec". */
        if (first < argc - 1 && streq(argv[first], plugin_name(argv[0])))
                first++;
        o->complete_word = first < argc ? argv[argc - 1] : "";
        /* The words before WORD, with argv[first - 1] standing in for the program name. */
        n = first < argc ? argc - first : 1;

        /* What the typed options ask for (--listeners) decides what WORD is. */
        o->action = OPTIONS_RUN;
        if (parse_words(n, argv + first - 1, o, &st, &ignored) < 0) {
                o->complete_what = st.missing == 'w'           ? OPTIONS_COMPLETE_DIR
                                   : st.missing == ARG_FORWARD ? OPTIONS_COMPLETE_FORWARD
                                                               : OPTIONS_COMPLETE_NOTHING;
                /* --forward's candidates come from the engine: the one the words before it name
                 * (a failed parse leaves *o as it was). */
                if (o->complete_what == OPTIONS_COMPLETE_FORWARD)
                        (void) parse_words(n - 1, argv + first - 1, o, &st, &ignored);
        } else if (o->action == OPTIONS_LISTENERS && optind < n)
                /* --listeners takes any number of containers, and no option after them. */
                o->complete_what = o->complete_word[0] == '-' ? OPTIONS_COMPLETE_NOTHING : OPTIONS_COMPLETE_CONTAINER;
        else if (o->action == OPTIONS_FORWARD && optind < n)
                o->complete_what = OPTIONS_COMPLETE_NOTHING; /* --forward takes no command */
        else if (optind < n)
                o->complete_what = OPTIONS_COMPLETE_COMMAND; /* CONTAINER is already typed */
        else if (o->complete_word[0] == '-' && !st.dashdash)
                o->complete_what = OPTIONS_COMPLETE_OPTION;
        else
                o->complete_what = OPTIONS_COMPLETE_CONTAINER;
        /* -h or --list typed before WORD do not change what is being done now. */
        o->action = OPTIONS_COMPLETE;
}

int options_parse_as(enum options_mode mode, int argc, char **argv, struct options *ret, struct nsx_error *err) {
        struct options o = {
                .action = OPTIONS_RUN,
                .timeout_ms = OPTIONS_TIMEOUT_DEFAULT_MS,
                .verify = true,
                .plugin = mode == OPTIONS_MODE_PLUGIN,
        };
        int r, first = 0;

        /* The docker CLI's entry points come first, with no global options before them. */
        if (argc >= 2 && streq(argv[1], "docker-cli-plugin-metadata")) {
                o.action = OPTIONS_PLUGIN_METADATA;
                *ret = o;
                return 0;
        }
        if (argc >= 2 && (streq(argv[1], "__complete") || streq(argv[1], "__completeNoDesc"))) {
                parse_complete(argc, argv, &o);
                *ret = o;
                return 0;
        }

        if (mode == OPTIONS_MODE_PLUGIN) {
                first = parse_docker_globals(argc, argv, &o, err);
                if (first < 0)
                        return first;
        }
        /* From here the plugin name stands where the program name would. */
        r = parse_command_line(argc - first, argv + first, &o, err);
        if (r < 0)
                return r;
        *ret = o;
        return 0;
}

int options_parse(int argc, char **argv, struct options *ret, struct nsx_error *err) {
        return options_parse_as(OPTIONS_MODE_DIRECT, argc, argv, ret, err);
}
