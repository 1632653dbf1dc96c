/* SPDX-License-Identifier: MIT */
/* docker-nsexec: argv → options → engine query → container → namespace entry → exec.
 * The only place that prints errors and chooses exit codes. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "cgroup.h"
#include "complete.h"
#include "config.h"
#include "confine.h"
#include "container.h"
#include "endpoint.h"
#include "engine.h"
#include "enter.h"
#include "forward.h"
#include "lookup.h"
#include "ns.h"
#include "options.h"
#include "render.h"
#include "run.h"
#include "survey.h"
#include "target.h"
#include "user.h"
#include "util.h"
#include "version.h"
#include "view.h"

#define PROGRAM "docker-nsexec"

/* Exit statuses of our own, kept apart from the command's as docker run does. */
#define EXIT_NSX_FAILURE 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

static void print_help(void) {
        printf("Usage: " PROGRAM " [OPTIONS] CONTAINER [CMD [ARG...]]\n"
               "       " PROGRAM " --listeners [--json] [OPTIONS] [CONTAINER...]\n"
               "       " PROGRAM " --forward SPEC [--forward SPEC...] [OPTIONS] CONTAINER\n"
               "       " PROGRAM " [-H URI | -c NAME | --runtime-endpoint URI] --list\n"
               "       docker nsexec [OPTIONS] CONTAINER [CMD [ARG...]]  (docker CLI plugin)\n"
               "\n"
               "Run a host command inside a running container's namespaces: by default\n"
               "its network namespace only. CMD defaults to your shell. The filesystem,\n"
               "environment and working directory stay the host's, so host tools (curl,\n"
               "ss, tcpdump) see the container's network: e.g. a service bound to its\n"
               "127.0.0.1.\n"
               "\n"
               "CONTAINER is a name, a full ID or a unique ID prefix. A name no container\n"
               "has may be a Compose service of the current project (COMPOSE_PROJECT_NAME,\n"
               "else the directory of the Compose file, as docker compose infers it): its\n"
               "one running container, or replica N as SERVICE-N or with --index N.\n"
               "\n"
               "Namespaces (as nsenter; -n when none is named):\n");
        /* From the table, in the column of the options below. */
        for (size_t i = 0; i < NS_COUNT; i++)
                printf("  %s, %-17s%s\n", ns_table[i].short_option, ns_table[i].long_option, ns_table[i].help);
        printf("  -a, --all            every namespace of the container that differs from ours\n"
               "\n"
               "Options:\n"
               "  -w, --wd DIR         working directory (in the container's files with -m)\n"
               "      --user USER[:GROUP]\n"
               "                       with -m or -a: run as this user of the container\n"
               "                       (names or IDs; default: the container's own user)\n"
               "  -e, --env KEY[=VALUE]\n"
               "                       with -m or -a: set KEY in CMD's environment (KEY\n"
               "                       alone: your value); repeatable\n"
               "  -H, --host URI       engine endpoint: unix:///path or tcp://127.0.0.1:PORT\n"
               "                       (default: $DOCKER_HOST, else the docker context,\n"
               "                       else " NSX_DEFAULT_HOST ",\n"
               "                       else the rootless Docker or Podman socket,\n"
               "                       else a CRI engine's: see --runtime-endpoint)\n"
               "  -c, --context NAME   use this docker context's endpoint\n"
               "      --runtime-endpoint URI\n"
               "                       CRI engine endpoint (containerd, CRI-O), as crictl's:\n"
               "                       unix:///path (default: $CONTAINER_RUNTIME_ENDPOINT\n"
               "                       when no Docker endpoint is named, else the first of\n"
               "                       /run/containerd/containerd.sock, k3s's, microk8s's\n"
               "                       and /run/crio/crio.sock found when no Docker or\n"
               "                       Podman socket is)\n"
               "      --timeout SECS   limit for the whole engine exchange (default 10)\n"
               "      --index N        when CONTAINER is a Compose service: its replica N\n"
               "                       (as docker compose exec --index; no effect on a\n"
               "                       container's own name)\n"
               "      --no-verify      do not prove the PID is the container's (unknown\n"
               "                       cgroup layouts); the PID is still pinned\n"
               "      --host-dns       keep the host's /etc/resolv.conf and /etc/hosts (see\n"
               "                       below; /sys still shows the container's network)\n"
               "      --privileged     with -m or -a: run CMD unconfined, with our own\n"
               "                       privileges (see below)\n"
               "      --list           print the names of running containers, one a line,\n"
               "                       and exit\n"
               "      --listeners      report what listens in the named (default: all running)\n"
               "                       containers, by whom, and whether published ports work\n"
               "      --json           with --listeners: the report as JSON\n"
               "      --forward SPEC   relay a host port into the container's network, until\n"
               "                       interrupted; repeatable. SPEC: CPORT[/udp] or\n"
               "                       [HOSTADDR:]HOSTPORT:[CADDR:]CPORT[/udp] (numeric\n"
               "                       addresses, IPv6 in []; both default 127.0.0.1)\n"
               "  -v, --verbose        say which engine was chosen and why, whose it is, and\n"
               "                       the requests\n"
               "  -h, --help           show this help and exit\n"
               "  -V, --version        show the version and exit\n"
               "\n"
               "Entering the network but not the mount namespace (-m, -a) gives CMD the\n"
               "container's network view, in a private mount namespace: its\n"
               "/etc/resolv.conf and /etc/hosts (container names resolve) and a /sys of\n"
               "its network. All else, and the host's mounts, stay the host's.\n"
               "\n"
               "With -m or -a, CMD comes from the container's files and runs as docker exec\n"
               "runs it: as the container's user (from its own /etc/passwd and /etc/group),\n"
               "with the container's environment and PATH; of yours, only TERM on a terminal.\n"
               "It runs confined as the container's processes are: in its cgroups, with\n"
               "its capability sets, no_new_privs, seccomp filter and LSM label, in its\n"
               "user namespace. --privileged keeps our own privileges instead. Host\n"
               "commands (-n, -u, -i, -p, -U, -C, -T without -m) run as the caller.\n"
               "\n"
               "Options end at CONTAINER or \"--\"; what follows belongs to CMD. One \"--\"\n"
               "right after CONTAINER is skipped, as in kubectl exec (web -- curl URL).\n"
               "\n"
               "Exit status: CMD's own; 125 if " PROGRAM " itself fails; 126 if CMD\n"
               "cannot be run; 127 if CMD is not found.\n"
               "\n"
               "Examples:\n"
               "  " PROGRAM " web curl -s http://127.0.0.1:8080/\n"
               "  " PROGRAM " web getent hosts api\n"
               "  " PROGRAM " -a web ps\n"
               "  " PROGRAM " -a --user nobody -e DEBUG=1 web id\n"
               "  " PROGRAM " --listeners\n"
               "  " PROGRAM " --forward 8080:80 --forward 5353:53/udp web\n");
}

static int report(const struct nsx_error *err) {
        fprintf(stderr, PROGRAM ": %s\n", err->message);
        if (err->kind == NSX_ERR_USAGE)
                fprintf(stderr, "Try '" PROGRAM " --help' for more information.\n");
        else if (err->hint[0])
                fprintf(stderr, PROGRAM ": hint: %s\n", err->hint);

        switch (err->kind) {
        case NSX_ERR_EXEC_NOTFOUND:
                return EXIT_NOT_FOUND;
        case NSX_ERR_EXEC:
                return EXIT_CANNOT_EXEC;
        case NSX_OK:
        case NSX_ERR_FAILED:
        case NSX_ERR_USAGE:
                break;
        }
        return EXIT_NSX_FAILURE;
}

/* $SHELL, else the passwd entry's shell, else /bin/sh: what a login would give. */
static const char *default_shell(void) {
        const char *shell = getenv("SHELL");
        const struct passwd *pw;

        if (shell && shell[0])
                return shell;
        pw = getpwuid(getuid());
        if (pw && pw->pw_shell && pw->pw_shell[0])
                return pw->pw_shell;
        return "/bin/sh";
}

/* -v: whose engine answered, by uid and the host's name for it, and why it was believed. */
static void debug_peer(const struct endpoint *ep, const struct engine_exchange *x) {
        const struct passwd *pw = NULL;
        char name[64] = "";
        uid_t me = geteuid();

        if (x->peer_uid == ENGINE_PEER_UID_UNKNOWN) {
                fprintf(stderr, PROGRAM ": debug: engine run by an unknown user (believed: named by %s)\n",
                        endpoint_source_name(ep->source));
                return;
        }
        pw = getpwuid(x->peer_uid);
        if (pw && pw->pw_name) {
                snprintf(name, sizeof(name), " (%s)", pw->pw_name);
                nsx_sanitize(name);
        }
        if (x->peer_pid > 0)
                fprintf(stderr, PROGRAM ": debug: engine run by uid %u%s, pid %d", (unsigned) x->peer_uid, name,
                        (int) x->peer_pid);
        else
                fprintf(stderr, PROGRAM ": debug: engine run by uid %u%s", (unsigned) x->peer_uid, name);
        if (x->peer_uid == 0)
                fprintf(stderr, " (root)\n");
        else if (x->peer_uid == me)
                fprintf(stderr, " (the caller)\n");
        else
                fprintf(stderr, ": another user's engine, believed because %s named it\n",
                        endpoint_source_name(ep->source));
}

/* -v and DOCKER_NSEXEC_DEBUG=1: where the engine was found, and why. Printed before anything
 * is asked of it, so a hanging engine is already named. */
static void debug_endpoint(const struct endpoint *ep) {
        char line[1024];

        /* Paths and context names come from the environment and config files: printed without
         * their control characters, as everything else. */
        snprintf(line, sizeof(line), "engine %s%s%s (from %s%s%s)", ep->kind == ENDPOINT_UNIX ? "unix://" : "",
                 endpoint_where(ep), ep->api == ENDPOINT_API_CRI ? ", a CRI runtime (runtime.v1 over gRPC)" : "",
                 endpoint_source_name(ep->source), ep->why[0] ? ": " : "", ep->why);
        nsx_sanitize(line);
        fprintf(stderr, PROGRAM ": debug: %s\n", line);
}

/* -v: whose engine answered and what was asked of it; nothing when no answer came. */
static void debug_exchange(const struct endpoint *ep, const struct engine_exchange *x) {
        if (x->n_attempts == 0)
                return;
        debug_peer(ep, x);
        for (int i = 0; i < x->n_attempts; i++)
                if (x->grpc)
                        fprintf(stderr, PROGRAM ": debug: gRPC %s -> status %ld\n", x->attempts[i].path,
                                x->attempts[i].status);
                else
                        fprintf(stderr, PROGRAM ": debug: GET %s -> HTTP %ld\n", x->attempts[i].path,
                                x->attempts[i].status);
        if (x->server_api[0] || x->libpod_api[0])
                fprintf(stderr, PROGRAM ": debug: engine API %s%s%s%s\n", x->server_api[0] ? x->server_api : "?",
                        x->libpod_api[0] ? ", Podman (libpod API " : "", x->libpod_api, x->libpod_api[0] ? ")" : "");
}

/* The engine's endpoint for o; -v says which and why. */
static int resolve_endpoint(const struct options *o, struct endpoint *ret, struct nsx_error *err) {
        int r;

        r = lookup_endpoint(&(struct lookup_where){.host = o->host,
                                                   .context = o->context,
                                                   .config = o->config,
                                                   .runtime_endpoint = o->runtime_endpoint},
                            ret, err);
        if (r >= 0 && o->verbose)
                debug_endpoint(ret);
        return r;
}

/* --listeners: the report on stdout; 0 once it is written, whatever it found. */
static int run_listeners(const struct options *o) {
        struct nsx_error err = {};
        _cleanup_(survey_donep) struct survey s = {};
        struct endpoint ep;
        const char *no_color = getenv("NO_COLOR");
        bool color;
        int r;

        r = resolve_endpoint(o, &ep, &err);
        if (r < 0)
                return report(&err);
        r = survey_run(&ep, o->timeout_ms, o->verify, o->containers, (size_t) o->n_containers,
                       &(struct compose_query){.index = o->compose_index}, &s, &err);
        if (r < 0)
                return report(&err);
        if (o->verbose) {
                fprintf(stderr, PROGRAM ": debug: %u requests to the engine over one connection\n", s.requests);
                fprintf(stderr,
                        PROGRAM
                        ": debug: listening sockets read from sock_diag for %u container%s, from /proc for %u\n",
                        s.from_sockdiag, s.from_sockdiag == 1 ? "" : "s", s.from_proc);
        }
        if (!o->verify)
                fprintf(stderr, PROGRAM ": warning: --no-verify: not proving that the PIDs belong to the containers\n");
        if (s.unproven)
                fprintf(stderr,
                        PROGRAM ": warning: %u container%s left out: %s PID no longer proved %s (exited meanwhile?)\n",
                        s.unproven, s.unproven == 1 ? "" : "s", s.unproven == 1 ? "its" : "their",
                        s.unproven == 1 ? "its own" : "theirs");

        /* Colour only for a person: a terminal, and NO_COLOR (no-color.org) unset or empty. */
        color = isatty(STDOUT_FILENO) && !(no_color && no_color[0]);
        r = o->json ? render_json(stdout, &s) : render_table(stdout, &s, color);
        if (r < 0 || fflush(stdout) != 0) {
                nsx_error_set_errno(&err, NSX_ERR_FAILED, r < 0 ? -r : errno, "cannot write the report");
                return report(&err);
        }
        return EXIT_SUCCESS;
}

/* One request for the running containers, bounded by timeout_ms. */
static int list_running(const struct options *o, long timeout_ms, struct container_summary **ret, size_t *ret_n,
                        struct nsx_error *err) {
        struct engine_exchange x;
        struct endpoint ep;
        int r;

        r = resolve_endpoint(o, &ep, err);
        if (r < 0)
                return r;
        r = lookup_running(&ep, timeout_ms, ret, ret_n, &x, err);
        if (o->verbose)
                debug_exchange(&ep, &x);
        return r;
}

/* --list: the names of running containers, one a line, for scripts and benchmarks. */
static int run_list(const struct options *o) {
        struct nsx_error err = {};
        struct container_summary *list;
        size_t n;
        int r;

        r = list_running(o, o->timeout_ms, &list, &n, &err);
        if (r < 0)
                return report(&err);
        for (size_t i = 0; i < n; i++)
                printf("%s\n", list[i].name);
        container_summaries_free(list, n);
        if (fflush(stdout) != 0) {
                nsx_error_set_errno(&err, NSX_ERR_FAILED, errno, "cannot write the list");
                return report(&err);
        }
        return EXIT_SUCCESS;
}

/* __complete: cobra's protocol, candidates a line and then ":DIRECTIVE". Silent on stderr
 * whatever happens, and bounded in time: it runs on every TAB. */
static int run_complete(const struct options *o) {
        struct nsx_error err = {};
        struct container_summary *list = NULL;
        char **lines = NULL;
        size_t n = 0;
        int directive = COMPLETE_DIRECTIVE_NO_FILE, r = 0;

        switch (o->complete_what) {
        case OPTIONS_COMPLETE_CONTAINER:
        case OPTIONS_COMPLETE_FORWARD:
                /* Both from the running containers: their names, or (for --forward's SPEC, which
                 * comes before CONTAINER) the ports they expose or publish. */
                r = list_running(&(struct options){.host = o->host,
                                                   .context = o->context,
                                                   .config = o->config,
                                                   .runtime_endpoint = o->runtime_endpoint},
                                 OPTIONS_COMPLETE_TIMEOUT_MS, &list, &n, &err);
                if (r >= 0 && o->complete_what == OPTIONS_COMPLETE_FORWARD)
                        r = complete_forwards(list, n, o->complete_word, o->complete_descriptions, &lines);
                else if (r >= 0)
                        r = complete_containers(list, n, o->complete_word, o->complete_descriptions, &lines);
                container_summaries_free(list, n);
                break;
        case OPTIONS_COMPLETE_OPTION:
                r = complete_options(options_docs((struct options_doc[OPTIONS_DOCS_MAX]){}), o->complete_word,
                                     o->complete_descriptions, &lines);
                break;
        case OPTIONS_COMPLETE_DIR:
                directive = COMPLETE_DIRECTIVE_FILTER_DIRS;
                break;
        case OPTIONS_COMPLETE_NOTHING:
                break;
        case OPTIONS_COMPLETE_COMMAND:
                /* A host command and its arguments: the shell knows them, we do not. */
                directive = COMPLETE_DIRECTIVE_DEFAULT;
                break;
        }
        if (r < 0)
                directive = COMPLETE_DIRECTIVE_ERROR;
        for (size_t i = 0; lines && lines[i]; i++)
                printf("%s\n", lines[i]);
        printf(":%d\n", directive);
        complete_free(lines);
        return EXIT_SUCCESS;
}

/* docker-cli-plugin-metadata: what the docker CLI shows in `docker --help`. */
static int run_plugin_metadata(void) {
        printf("{\"SchemaVersion\":\"0.1.0\",\"Vendor\":\"docker-nsexec\",\"Version\":\"%s\","
               "\"ShortDescription\":\"Run a host command in a running container's namespaces\"}\n",
               nsx_version);
        return EXIT_SUCCESS;
}

static bool elevated(void) {
        return getauxval(AT_SECURE) || getuid() != geteuid() || getgid() != getegid();
}

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer's hook: a set-ID process is not dumpable, so its exit-time check cannot trace
 * us and would fail the refusal below; nothing has been allocated by then anyway. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) {
        return elevated();
}
#endif

/* Refuses to run with more privilege than the caller has: engine access is root-equivalent,
 * so a set-user-ID or file-capability copy would be a root shell for everyone. */
static int refuse_elevated(struct nsx_error *err) {
        if (elevated())
                return nsx_error_set(err, NSX_ERR_USAGE, EPERM,
                                     "refusing to run set-user-ID, set-group-ID or with file capabilities: "
                                     "engine access is root-equivalent");
        return 0;
}

/* TERM describes the terminal the command shares with us: it crosses only when one of the
 * standard streams is a terminal (docker exec sets TERM only with -t, for the terminal it
 * makes). Nothing else of our environment reaches the container's command. */
static const char *shared_term(void) {
        const char *term = getenv("TERM");

        if (!term || !term[0])
                return NULL;
        if (!isatty(STDIN_FILENO) && !isatty(STDOUT_FILENO) && !isatty(STDERR_FILENO))
                return NULL;
        return term;
}

/* What the run module needs of o and of our environment: only the variables named by -e
 * (KEY alone takes the caller's value when the caller has one), and TERM. */
static void run_inputs_from(const struct options *o, bool own_command, bool confine, struct run_inputs *ret) {
        *ret = (struct run_inputs){
                .verify = o->verify,
                .verbose = o->verbose,
                .view = o->action == OPTIONS_RUN && !o->host_dns && !o->all && (o->namespaces & ENTER_NS_NET) &&
                        !(o->namespaces & ENTER_NS_MNT),
                .own_command = own_command,
                .confine = confine,
                .exec_user = o->exec_user,
                .env = o->env,
                .n_env = o->n_env,
        };
        if (!own_command)
                return;
        for (int i = 0; i < o->n_env; i++)
                ret->env_values[i] = strchr(o->env[i], '=') ? NULL : getenv(o->env[i]);
        ret->term = shared_term();
}

/* lookup -> verified target -> what the entry needs, all read while we are wholly on the host.
 * The engine's sockets are closed when this returns: nothing of it crosses into the namespace
 * or the command. The run's warnings and -v lines are said here, after the lookup's, before
 * any error. ret_c (if not NULL) receives the looked-up container. */
static int prepare(const struct options *o, const struct endpoint *ep, const char *ref, const char *label,
                   bool own_command, bool confine, struct run *run, struct container *ret_c, struct nsx_error *err) {
        _cleanup_(container_donep) struct container c = {};
        struct engine_exchange x;
        struct lookup_fallback fb;
        struct run_inputs in;
        int r;

        /* The lookup: one request (three for a Compose service), on a connection closed before
         * it returns. */
        r = lookup_container(ep, ref, o->container, &(struct compose_query){.index = o->compose_index}, o->timeout_ms,
                             &c, &x, &fb, err);
        if (o->verbose) {
                debug_exchange(ep, &x);
                for (int i = 0; i < fb.list.n_attempts; i++)
                        fprintf(stderr, PROGRAM ": debug: GET %s -> HTTP %ld\n", fb.list.attempts[i].path,
                                fb.list.attempts[i].status);
                for (int i = 0; i < fb.inspect.n_attempts; i++)
                        fprintf(stderr, PROGRAM ": debug: GET %s -> HTTP %ld\n", fb.inspect.attempts[i].path,
                                fb.inspect.attempts[i].status);
                if (fb.note[0])
                        fprintf(stderr, PROGRAM ": debug: %s\n", fb.note);
        }
        if (r < 0)
                return r;

        run_inputs_from(o, own_command, confine, &in);
        r = run_prepare(&in, &c, label, run, err);
        for (int i = 0; i < run->n_notes; i++)
                fprintf(stderr, PROGRAM ": %s: %s\n", run->notes[i].kind == RUN_NOTE_WARNING ? "warning" : "debug",
                        run->notes[i].text);
        if (r >= 0 && ret_c)
                *ret_c = TAKE_STRUCT(c, (struct container){});
        return r;
}

/* --forward's lines: the "forwarding" ones on stdout, at once, for the scripts that wait for
 * them; the rest on stderr. */
static void forward_say(void *userdata, enum forward_line kind, const char *text) {
        (void) userdata;
        switch (kind) {
        case FORWARD_READY:
                printf("%s\n", text);
                fflush(stdout);
                break;
        case FORWARD_STATUS:
                fprintf(stderr, PROGRAM ": %s\n", text);
                break;
        case FORWARD_WARNING:
                fprintf(stderr, PROGRAM ": warning: %s\n", text);
                break;
        case FORWARD_DEBUG:
                fprintf(stderr, PROGRAM ": debug: %s\n", text);
                break;
        }
}

/* --forward SPEC... CONTAINER: the same lookup and pinned, proven target as every entry, then
 * the watcher and its relay until interrupted (exit 0) or the container is removed (125). */
static int run_forward(const struct options *o) {
        struct nsx_error err = {};
        _cleanup_(run_donep) struct run run = RUN_NULL;
        _cleanup_(container_donep) struct container c = {};
        struct endpoint ep;
        const char *ref;
        char label[320];
        int r;

        for (int i = 0; i < o->n_forwards; i++)
                if (o->forwards[i].host_wildcard) {
                        char spec[128];

                        snprintf(spec, sizeof(spec), "%s", o->forward_texts[i]);
                        nsx_sanitize(spec);
                        fprintf(stderr, PROGRAM ": warning: --forward '%s' listens on every interface of the host\n",
                                spec);
                }
        snprintf(label, sizeof(label), "container '%s'", o->container);
        r = resolve_endpoint(o, &ep, &err);
        if (r >= 0)
                r = lookup_ref(&ep, o->container, &ref, &err);
        if (r >= 0)
                r = prepare(o, &ep, ref, label, false, false, &run, &c, &err);
        if (r < 0)
                return report(&err);
        r = forward_run(
                &(struct forward_request){
                        .ep = &ep,
                        .typed = o->container,
                        .timeout_ms = o->timeout_ms,
                        .verify = o->verify,
                        .verbose = o->verbose,
                        .specs = o->forwards,
                        .n_specs = (size_t) o->n_forwards,
                        .say = forward_say,
                },
                &c, &run, &err);
        if (r < 0)
                return report(&err);
        return EXIT_SUCCESS;
}

/* The main job: CONTAINER [CMD [ARG...]]. */
static int run_command(const struct options *o) {
        struct nsx_error err = {};
        _cleanup_(run_donep) struct run run = RUN_NULL;
        /* With -m or -a the command comes from the container's files, chosen by whoever built
         * its image: it runs as the container's processes do, unless --privileged says so. */
        bool own_command = o->all || (o->namespaces & ENTER_NS_MNT);
        bool confine = own_command && !o->privileged;
        enum enter_role role;
        struct endpoint ep;
        const char *ref;
        char label[320];
        char *shell_argv[2];
        char *const *command;
        pid_t child = 0;
        int r, exit_code;

        if (o->privileged)
                fprintf(stderr, PROGRAM ": warning: --privileged: the container's command runs unconfined, with our "
                                        "own privileges\n");

        snprintf(label, sizeof(label), "container '%s'", o->container);
        r = resolve_endpoint(o, &ep, &err);
        if (r >= 0)
                r = lookup_ref(&ep, o->container, &ref, &err);
        if (r >= 0)
                r = prepare(o, &ep, ref, label, own_command, confine, &run, NULL, &err);
        if (r < 0)
                return report(&err);

        command = o->command;
        if (!command) {
                shell_argv[0] = (char *) default_shell();
                shell_argv[1] = NULL;
                command = shell_argv;
        }

#if defined(__SANITIZE_ADDRESS__)
        /* Sanitizer builds: LeakSanitizer's exit-time check reads /proc and ptraces us by PID,
         * neither of which works from the container's mount and PID namespaces (it fails or
         * hangs). Check now, when every engine and JSON allocation is already freed; the check
         * at exit is then skipped. */
        __lsan_do_leak_check();
#endif
        r = enter_namespaces(
                &(struct enter_request){
                        .pid = run.t.pid,
                        .pidfd = run.t.pidfd,
                        .procfd = run.t.procfd,
                        .namespaces = o->namespaces,
                        .all = o->all,
                        .wd = o->wd,
                        .label = label,
                        .view = &run.view,
                        .user_with_mount = !o->privileged,
                },
                &role, &child, &err);
        /* Explicit, not at scope end: the pin and the view's trees have done their work once the
         * namespaces are entered; closed here, neither the waiting parent (-p) nor the process
         * about to exec holds them past this point. run_donep then finds them null. */
        target_done(&run.t);
        view_done(&run.view);
        if (r < 0)
                return report(&err);

        if (role == ENTER_PARENT) {
                /* Explicit: the parent only waits and mirrors the child's status; it holds
                 * nothing of the run while it does. */
                run_done(&run);
                r = enter_continue_as_child(child, &exit_code, &err);
                if (r < 0)
                        return report(&err);
                return exit_code;
        }

        /* Last, in the process that execs (the child, with -p): every setns, chroot and chdir
         * above needed our privileges. */
        if (own_command) {
                /* The child of a waiting parent dies with it: a change of uid or gid clears
                 * that, so it is said again after the user switch. */
                pid_t parent = role == ENTER_CHILD ? getppid() : -1;

                if (confine)
                        r = confine_apply(&run.conf, &run.user, parent, &err);
                else if ((r = user_apply(&run.user, &err)) >= 0 && parent >= 0)
                        r = enter_die_with_parent(parent, &err);
                if (r < 0)
                        return report(&err);
                /* execvp searches the PATH of environ: the container's, not ours. */
                environ = TAKE_PTR(run.envp);
        }
        enter_exec(command, &err);
        return report(&err);
}

int main(int argc, char **argv) {
        struct nsx_error err = {};
        struct options o;
        int r;

        if (refuse_elevated(&err) < 0) {
                fprintf(stderr, PROGRAM ": %s\n", err.message);
                return EXIT_NSX_FAILURE;
        }

        /* The docker CLI marks the plugins it runs with this variable. */
        r = options_parse_as(getenv("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND") ? OPTIONS_MODE_PLUGIN
                                                                              : OPTIONS_MODE_DIRECT,
                             argc, argv, &o, &err);
        if (r < 0)
                return report(&err);
        if (getenv("DOCKER_NSEXEC_DEBUG") && streq(getenv("DOCKER_NSEXEC_DEBUG"), "1"))
                o.verbose = true;
        switch (o.action) {
        case OPTIONS_HELP:
                print_help();
                return EXIT_SUCCESS;
        case OPTIONS_VERSION:
                printf(PROGRAM " %s\n", nsx_version);
                return EXIT_SUCCESS;
        case OPTIONS_PLUGIN_METADATA:
                return run_plugin_metadata();
        case OPTIONS_COMPLETE:
                return run_complete(&o);
        case OPTIONS_LIST:
                return run_list(&o);
        case OPTIONS_LISTENERS:
                return run_listeners(&o);
        case OPTIONS_FORWARD:
                return run_forward(&o);
        case OPTIONS_RUN:
                break;
        }
        /* These describe our own start by the docker CLI, not the command's. */
        if (o.plugin) {
                unsetenv("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND");
                unsetenv("DOCKER_CLI_PLUGIN_SOCKET");
        }
        return run_command(&o);
}
