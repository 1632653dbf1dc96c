/* SPDX-License-Identifier: MIT */
/* The command line, parsed into a plain value: no I/O, no environment. */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "forward_spec.h"
#include "ns.h"

enum options_action {
        OPTIONS_RUN,
        OPTIONS_HELP,
        OPTIONS_VERSION,
        OPTIONS_LISTENERS,       /* --listeners: report what listens in containers, enter nothing */
        OPTIONS_LIST,            /* --list: print the names of running containers */
        OPTIONS_FORWARD,         /* --forward SPEC...: relay host ports into the container's network */
        OPTIONS_COMPLETE,        /* __complete/__completeNoDesc: answer a shell completion (cobra protocol) */
        OPTIONS_PLUGIN_METADATA, /* docker-cli-plugin-metadata: the docker CLI asks who we are */
};

/* How docker-nsexec was started: by the user, or by the docker CLI as its plugin "nsexec"
 * (DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND is set): then argv carries docker's own global
 * options and the plugin name before ours. */
enum options_mode {
        OPTIONS_MODE_DIRECT,
        OPTIONS_MODE_PLUGIN,
};

/* What the word being completed is, for OPTIONS_COMPLETE. */
enum options_complete_what {
        OPTIONS_COMPLETE_CONTAINER, /* CONTAINER: running containers' names, IDs for a hex prefix */
        OPTIONS_COMPLETE_OPTION,    /* an option's name */
        OPTIONS_COMPLETE_DIR,       /* the value of -w/--wd: a directory */
        OPTIONS_COMPLETE_NOTHING,   /* a value we cannot guess (-H, -c, --timeout) or a bad line */
        OPTIONS_COMPLETE_COMMAND,   /* CMD or its arguments: the shell's own completion */
        OPTIONS_COMPLETE_FORWARD,   /* the value of --forward: the running containers' ports */
};

/* The bound on the engine exchange when completing: a TAB must never hang the shell. */
#define OPTIONS_COMPLETE_TIMEOUT_MS 500L

/* The plugin name when argv[0] does not say (the docker CLI runs docker-NAME as "docker NAME"). */
#define OPTIONS_PLUGIN_NAME "nsexec"

/* The most -e/--env options one command line may carry. */
#define OPTIONS_ENV_MAX 256

/* The most --forward options one command line may carry. */
#define OPTIONS_FORWARD_MAX 32

#define OPTIONS_TIMEOUT_DEFAULT_MS 10000L
#define OPTIONS_TIMEOUT_MAX_MS (24L * 3600 * 1000)

struct options {
        enum options_action action;
        const char *host;             /* -H/--host as given, NULL when absent */
        const char *context;          /* -c/--context, NULL when absent */
        const char *runtime_endpoint; /* --runtime-endpoint (a CRI engine), NULL when absent */
        bool verbose;                 /* -v: say which endpoint, which requests */
        long timeout_ms;              /* --timeout for the whole engine exchange */
        unsigned namespaces;          /* enum enter_ns: -n, -m, ...; ENTER_NS_NET when none is named */
        bool all;                     /* -a: every namespace of the target that differs from ours */
        const char *wd;               /* -w DIR, NULL when absent */
        /* docker exec's -u/--user and -e/--env, for a command from the container's files (-m, -a) */
        const char *exec_user;            /* --user USER[:GROUP] (checked), NULL when absent */
        const char *env[OPTIONS_ENV_MAX]; /* -e KEY=VALUE or KEY (non-empty KEY), in order */
        int n_env;
        bool verify;           /* prove the PID is the container's (--no-verify clears it) */
        bool host_dns;         /* --host-dns: the network view keeps the host's resolv.conf and hosts */
        bool privileged;       /* --privileged: -m/-a run the command unconfined, as we are (no copy of
                                * the container's capabilities, seccomp, LSM label; no user namespace) */
        const char *container; /* CONTAINER exactly as typed */
        char **command;        /* CMD [ARG...], NULL-terminated; NULL when none was given */
        bool json;             /* --json: the listeners report as JSON */
        /* --forward SPEC, parsed, in order (OPTIONS_FORWARD; no two on the same host address, port
         * and protocol); forward_texts[i] is SPEC as typed. */
        struct forward_spec forwards[OPTIONS_FORWARD_MAX];
        const char *forward_texts[OPTIONS_FORWARD_MAX];
        int n_forwards;
        unsigned compose_index; /* --index N (1..COMPOSE_INDEX_MAX): the replica of a Compose service; 0: none */
        char **containers;      /* --listeners: every CONTAINER given (n_containers; 0: all running) */
        int n_containers;
        bool plugin;        /* run by the docker CLI as its plugin */
        const char *config; /* the docker CLI's --config DIR (plugin mode), NULL when absent */
        /* OPTIONS_COMPLETE: the word being completed, what it is, and whether the shell
         * wants "CANDIDATE\tDESCRIPTION" lines (__complete) or bare ones (__completeNoDesc). */
        const char *complete_word;
        enum options_complete_what complete_what;
        bool complete_descriptions;
};

/* Parses argv (argv[0] is the program). Options stop at CONTAINER or "--"; everything after
 * CONTAINER is the command, untouched, but for one "--" right after CONTAINER, which is left
 * out ("web -- curl URL" runs curl, as kubectl exec does). Returns 0, or a negative errno with
 * *err set (kind NSX_ERR_USAGE). The result points into argv. */
int options_parse(int argc, char **argv, struct options *ret, struct nsx_error *err);

/* options_parse for either mode. Both modes also recognise the docker CLI's entry points as
 * argv[1]: "docker-cli-plugin-metadata", and "__complete [NAME] ARGS... WORD" (cobra's
 * protocol; NAME is the plugin name, left out by some docker bash completions), where ARGS are
 * what was typed before WORD, parsed as ours to find what WORD is. In plugin mode, docker's
 * global options before NAME are skipped; -H/--host, -c/--context, --config and -D/--debug are
 * honoured, the --tls* ones refused (the engine is local and spoken to in plain HTTP). */
int options_parse_as(enum options_mode mode, int argc, char **argv, struct options *ret, struct nsx_error *err);

/* One option, for completion: its names and a one-line description. */
struct options_doc {
        const char *long_name;  /* "--host" */
        const char *short_name; /* "-H", or NULL */
        const char *description;
};

/* The most options_docs entries, the terminator included. */
#define OPTIONS_DOCS_MAX 32

/* Every option, in --help order, into ret: the namespaces' (ns_table), then the others;
 * NULL-terminated (long_name NULL). Returns ret. */
const struct options_doc *options_docs(struct options_doc ret[static OPTIONS_DOCS_MAX]);

/* Parses a --timeout value: seconds, decimals allowed, > 0 and at most a day. */
int options_parse_timeout(const char *s, long *ret_ms);
