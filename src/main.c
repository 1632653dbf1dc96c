/* SPDX-License-Identifier: MIT */
/* docker-nsexec: argv → options → engine query → container → namespace entry → exec.
 * The only place that prints errors and chooses exit codes. */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "config.h"
#include "complete.h"
#include "container.h"
#include "endpoint.h"
#include "engine.h"
#include "enter.h"
#include "options.h"
#include "render.h"
#include "survey.h"
#include "target.h"
#include "util.h"
#include "view.h"

#define PROGRAM "docker-nsexec"

/* Exit statuses of our own, kept apart from the command's as docker run does. */
#define EXIT_NSX_FAILURE 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

static void print_help(void) {
        printf("Usage: " PROGRAM " [OPTIONS] CONTAINER [CMD [ARG...]]\n"
               "       " PROGRAM " --listeners [--json] [OPTIONS] [CONTAINER...]\n"
               "       " PROGRAM " [-H URI | -c NAME] --list\n"
               "       docker nsexec [OPTIONS] CONTAINER [CMD [ARG...]]  (docker CLI plugin)\n"
               "\n"
               "Run a host command inside a running container's namespaces: by default\n"
               "its network namespace only. CMD defaults to your shell. The filesystem,\n"
               "environment and working directory stay the host's, so host tools (curl,\n"
               "ss, tcpdump) see the container's network: e.g. a service bound to its\n"
               "127.0.0.1.\n"
               "\n"
               "CONTAINER is a name, a full ID or a unique ID prefix.\n"
               "\n"
               "Namespaces (as nsenter; -n when none is named):\n"
               "  -n, --net            network\n"
               "  -m, --mount          mount: CMD and paths resolve in the container's files\n"
               "  -u, --uts            hostname\n"
               "  -i, --ipc            IPC\n"
               "  -p, --pid            PID (forks once; the exit status is mirrored)\n"
               "  -U, --user           user (CMD runs as the namespace's root)\n"
               "  -C, --cgroup         cgroup\n"
               "  -T, --time           time\n"
               "  -a, --all            every namespace of the container that differs from ours\n"
               "\n"
               "Options:\n"
               "  -w, --wd DIR         working directory (in the container's files with -m)\n"
               "  -H, --host URI       engine endpoint: unix:///path or tcp://127.0.0.1:PORT\n"
               "                       (default: $DOCKER_HOST, else the docker context,\n"
               "                       else " NSX_DEFAULT_HOST ",\n"
               "                       else the rootless Docker or Podman socket)\n"
               "  -c, --context NAME   use this docker context's endpoint\n"
               "      --timeout SECS   limit for the whole engine exchange (default 10)\n"
               "      --no-verify      do not prove the PID is the container's (unknown\n"
               "                       cgroup layouts); the PID is still pinned\n"
               "      --host-dns       keep the host's /etc/resolv.conf and /etc/hosts (see\n"
               "                       below; /sys still shows the container's network)\n"
               "      --list           print the names of running containers, one a line,\n"
               "                       and exit\n"
               "      --listeners      report what listens in the named (default: all running)\n"
               "                       containers, by whom, and whether published ports work\n"
               "      --json           with --listeners: the report as JSON\n"
               "  -v, --verbose        say which engine was chosen and why, and the requests\n"
               "  -h, --help           show this help and exit\n"
               "  -V, --version        show the version and exit\n"
               "\n"
               "Entering the network but not the mount namespace (-m, -a) gives CMD the\n"
               "container's network view, in a private mount namespace: its\n"
               "/etc/resolv.conf and /etc/hosts (container names resolve) and a /sys of\n"
               "its network. All else, and the host's mounts, stay the host's.\n"
               "\n"
               "Options end at CONTAINER or \"--\"; what follows belongs to CMD.\n"
               "\n"
               "Exit status: CMD's own; 125 if " PROGRAM " itself fails; 126 if CMD\n"
               "cannot be run; 127 if CMD is not found.\n"
               "\n"
               "Examples:\n"
               "  " PROGRAM " web curl -s http://127.0.0.1:8080/\n"
               "  " PROGRAM " web getent hosts api\n"
               "  " PROGRAM " -a web ps\n"
               "  " PROGRAM " --listeners\n");
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
        case NSX_ERR_USAGE:
        case NSX_ERR_ENDPOINT:
        case NSX_ERR_ENGINE:
        case NSX_ERR_NOT_FOUND:
        case NSX_ERR_NOT_RUNNING:
        case NSX_ERR_ENTER:
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

/* -v and DOCKER_NSEXEC_DEBUG=1: where the engine was found and what was asked of it. */
static void debug_exchange(const struct endpoint *ep, const struct engine_response *resp) {
        if (ep) {
                char line[1024];

                /* Paths and context names come from the environment and config files: printed
                 * without their control characters, as everything else. */
                snprintf(line, sizeof(line), "engine %s%s (from %s%s%s)", ep->kind == ENDPOINT_UNIX ? "unix://" : "",
                         endpoint_where(ep), endpoint_source_name(ep->source), ep->why[0] ? ": " : "", ep->why);
                nsx_sanitize(line);
                fprintf(stderr, PROGRAM ": debug: %s\n", line);
        }
        if (resp) {
                for (int i = 0; i < resp->n_attempts; i++)
                        fprintf(stderr, PROGRAM ": debug: GET %s -> HTTP %ld\n", resp->attempts[i].path,
                                resp->attempts[i].status);
                if (resp->server_api[0] || resp->libpod_api[0])
                        fprintf(stderr, PROGRAM ": debug: engine API %s%s%s%s\n",
                                resp->server_api[0] ? resp->server_api : "?",
                                resp->libpod_api[0] ? ", Podman (libpod API " : "", resp->libpod_api,
                                resp->libpod_api[0] ? ")" : "");
        }
}

/* Where the engine is: the command line first, then the environment, as the docker CLI; -v
 * says which and why. */
static int resolve_endpoint(const struct options *o, struct endpoint *ret, struct nsx_error *err) {
        int r;

        r = endpoint_resolve(&(struct endpoint_inputs) {
                                        .flag_context = o->context,
                                        .flag_host = o->host,
                                        .env_host = getenv("DOCKER_HOST"),
                                        .env_context = getenv("DOCKER_CONTEXT"),
                                        /* docker --config DIR reaches a plugin in argv only. */
                                        .env_config = o->config ? o->config : getenv("DOCKER_CONFIG"),
                                        .home = getenv("HOME"),
                                        .xdg_runtime_dir = getenv("XDG_RUNTIME_DIR"),
                                        .default_host = NSX_DEFAULT_HOST,
                                },
                                ret, err);
        if (r >= 0 && o->verbose)
                debug_exchange(ret, NULL);
        return r;
}

/* -v: a file the engine named for the network view is not there, so the host's stays. The
 * path is the engine's text: no control characters reach the terminal. */
static void debug_view_missing(const char *what, const char *path, const char *target) {
        char line[512];

        snprintf(line, sizeof(line), "no %s at '%s': %s stays the host's", what, path, target);
        nsx_sanitize(line);
        fprintf(stderr, PROGRAM ": debug: %s\n", line);
}

/* Asks the engine about ref and returns the container only if it has a process to enter. */
static int query_container(const struct options *o, const char *ref, struct container *ret, struct nsx_error *err) {
        struct engine_response resp = {};
        struct endpoint ep;
        char path[512];
        int r;

        r = resolve_endpoint(o, &ep, err);
        if (r < 0)
                return r;
        r = container_inspect_path(ref, o->container, path, sizeof(path), err);
        if (r < 0)
                return r;

        r = engine_get(&ep, path, o->timeout_ms, &resp, err);
        if (r < 0)
                return r;
        if (o->verbose)
                debug_exchange(NULL, &resp);
        r = container_from_response(o->container, resp.status, resp.body, resp.len, ret, err);
        engine_response_free(&resp);
        if (r < 0)
                return r;

        r = container_check_running(o->container, ret, err);
        if (r < 0)
                container_done(ret);
        return r;
}

/* --listeners: the report on stdout; 0 once it is written, whatever it found. */
static int run_listeners(const struct options *o) {
        struct nsx_error err = {};
        struct survey s = {};
        struct endpoint ep;
        const char *no_color = getenv("NO_COLOR");
        bool color;
        int r;

        r = resolve_endpoint(o, &ep, &err);
        if (r < 0)
                return report(&err);
        r = survey_run(&ep, o->timeout_ms, o->verify, o->containers, (size_t) o->n_containers, &s, &err);
        if (r < 0)
                return report(&err);
        if (o->verbose)
                fprintf(stderr, PROGRAM ": debug: %u requests to the engine over one connection\n", s.requests);
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
        survey_done(&s);
        if (r < 0 || fflush(stdout) != 0) {
                nsx_error_set(&err, NSX_ERR_ENTER, r < 0 ? -r : errno, "cannot write the report: %s",
                              strerror(r < 0 ? -r : errno));
                return report(&err);
        }
        return EXIT_SUCCESS;
}

/* One request for the running containers, bounded by timeout_ms. */
static int list_running(const struct options *o, long timeout_ms, struct container_summary **ret, size_t *ret_n,
                        struct nsx_error *err) {
        struct engine_response resp = {};
        struct endpoint ep;
        int r;

        r = resolve_endpoint(o, &ep, err);
        if (r < 0)
                return r;
        r = engine_get(&ep, CONTAINER_LIST_PATH, timeout_ms, &resp, err);
        if (r < 0)
                return r;
        if (o->verbose)
                debug_exchange(NULL, &resp);
        r = container_list_from_response(resp.status, resp.body, resp.len, ret, ret_n, err);
        engine_response_free(&resp);
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
                nsx_error_set(&err, NSX_ERR_ENTER, errno, "cannot write the list: %s", strerror(errno));
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
                r = list_running(&(struct options) {.host = o->host, .context = o->context, .config = o->config},
                                 OPTIONS_COMPLETE_TIMEOUT_MS, &list, &n, &err);
                if (r >= 0)
                        r = complete_containers(list, n, o->complete_word, o->complete_descriptions, &lines);
                container_summaries_free(list, n);
                break;
        case OPTIONS_COMPLETE_OPTION:
                r = complete_options(options_docs, o->complete_word, o->complete_descriptions, &lines);
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
        printf("{\"SchemaVersion\":\"0.1.0\",\"Vendor\":\"docker-nsexec\",\"Version\":\"" NSX_VERSION "\","
               "\"ShortDescription\":\"Run a host command in a running container's namespaces\"}\n");
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

/* The parent of a PID-namespace child ends as the child did: same exit code, or killed by
 * the same signal (re-raised on ourselves, so the caller's shell sees it). */
static int mirror_status(int status) {
        if (WIFSIGNALED(status)) {
                int sig = WTERMSIG(status);
                sigset_t set;

                signal(sig, SIG_DFL);
                sigemptyset(&set);
                sigaddset(&set, sig);
                sigprocmask(SIG_UNBLOCK, &set, NULL);
                raise(sig);
                return 128 + sig; /* a signal whose default is not to terminate */
        }
        return WEXITSTATUS(status);
}

int main(int argc, char **argv) {
        struct nsx_error err = {};
        struct options o;
        struct container c;
        struct target t = TARGET_NULL;
        struct view view = VIEW_NULL;
        enum enter_role role;
        const char *ref;
        char label[320];
        char *shell_argv[2];
        char *const *command;
        pid_t child = 0;
        int r, status;

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
                printf(PROGRAM " " NSX_VERSION "\n");
                return EXIT_SUCCESS;
        case OPTIONS_PLUGIN_METADATA:
                return run_plugin_metadata();
        case OPTIONS_COMPLETE:
                return run_complete(&o);
        case OPTIONS_LIST:
                return run_list(&o);
        case OPTIONS_LISTENERS:
                return run_listeners(&o);
        case OPTIONS_RUN:
                break;
        }
        /* These describe our own start by the docker CLI, not the command's. */
        if (o.plugin) {
                unsetenv("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND");
                unsetenv("DOCKER_CLI_PLUGIN_SOCKET");
        }

        r = container_ref_check(o.container, &ref, &err);
        if (r < 0)
                return report(&err);

        /* Everything that talks to the engine is finished, and its sockets closed, here:
         * nothing of it may cross into the namespace or the command. */
        r = query_container(&o, ref, &c, &err);
        if (r < 0)
                return report(&err);
        snprintf(label, sizeof(label), "container '%s'", o.container);

        /* Pin the process right after the answer, then prove it is the container's. */
        r = target_pin(c.pid, label, &t, &err);
        if (r >= 0) {
                if (o.verify)
                        r = target_verify(&t, c.id, label, &err);
                else
                        fprintf(stderr, PROGRAM ": warning: --no-verify: not proving that PID %d belongs to %s\n",
                                (int) c.pid, label);
        }
        /* The container's files for the network view, opened while nothing is entered yet
         * (with -m or -a its own files are the command's anyway; without -n there is no
         * network to view). A missing one is normal
         * where the engine's files are not in our mount namespace (an engine in a container
         * or a snap): the host's file stays, and only -v says so. */
        if (r >= 0 && !o.host_dns && !o.all && (o.namespaces & ENTER_NS_NET) && !(o.namespaces & ENTER_NS_MNT)) {
                r = view_prepare(c.resolv_conf_path, c.hosts_path, label, &view, &err);
                if (r >= 0 && o.verbose && view.resolv_conf.missing)
                        debug_view_missing("resolv.conf", c.resolv_conf_path, "/etc/resolv.conf");
                if (r >= 0 && o.verbose && view.hosts.missing)
                        debug_view_missing("hosts file", c.hosts_path, "/etc/hosts");
        }
        container_done(&c);
        if (r < 0) {
                target_done(&t);
                return report(&err);
        }

        command = o.command;
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
        r = enter_namespaces(&(struct enter_request) {
                                     .pid = t.pid,
                                     .pidfd = t.pidfd,
                                     .procfd = t.procfd,
                                     .namespaces = o.namespaces,
                                     .all = o.all,
                                     .wd = o.wd,
                                     .label = label,
                                     .view = &view,
                             },
                             &role, &child, &err);
        target_done(&t);
        view_done(&view);
        if (r < 0)
                return report(&err);

        if (role == ENTER_PARENT) {
                r = enter_wait(child, &status, &err);
                if (r < 0)
                        return report(&err);
                return mirror_status(status);
        }

        enter_exec(command, &err);
        return report(&err);
}
