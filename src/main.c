/* SPDX-License-Identifier: MIT */
/* docker-nsexec: argv → options → engine query → container → namespace entry → exec.
 * The only place that prints errors and chooses exit codes. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "container.h"
#include "endpoint.h"
#include "engine.h"
#include "enter.h"
#include "options.h"
#include "util.h"

#define PROGRAM "docker-nsexec"

/* Exit statuses of our own, kept apart from the command's as docker run does. */
#define EXIT_NSX_FAILURE 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

static void print_help(void) {
        printf("Usage: " PROGRAM " [OPTIONS] CONTAINER [CMD [ARG...]]\n"
               "\n"
               "Run a host command inside a running container's network namespace.\n"
               "CMD defaults to your shell. The filesystem, environment and working\n"
               "directory stay the host's, so host tools (curl, ss, tcpdump) see the\n"
               "container's network: e.g. a service bound to its 127.0.0.1.\n"
               "\n"
               "CONTAINER is a name, a full ID or a unique ID prefix.\n"
               "\n"
               "Options:\n"
               "  -H, --host URI       engine socket (default: $DOCKER_HOST, else\n"
               "                       " NSX_DEFAULT_HOST ")\n"
               "      --timeout SECS   limit for the whole engine exchange (default 10)\n"
               "  -h, --help           show this help and exit\n"
               "  -V, --version        show the version and exit\n"
               "\n"
               "Options end at CONTAINER or \"--\"; what follows belongs to CMD.\n"
               "\n"
               "Exit status: CMD's own; 125 if " PROGRAM " itself fails; 126 if CMD\n"
               "cannot be run; 127 if CMD is not found.\n"
               "\n"
               "Example:\n"
               "  " PROGRAM " web curl -s http://127.0.0.1:8080/\n");
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

/* Asks the engine about ref and returns the container only if it has a process to enter. */
static int query_container(const struct options *o, const char *ref, struct container *ret, struct nsx_error *err) {
        struct engine_response resp = {};
        struct endpoint ep;
        char path[512];
        int r;

        r = endpoint_resolve(o->host, getenv("DOCKER_HOST"), NSX_DEFAULT_HOST, &ep, err);
        if (r < 0)
                return r;
        r = container_inspect_path(ref, path, sizeof(path));
        if (r < 0)
                return nsx_error_set(err, NSX_ERR_NOT_FOUND, -r, "container name too long: '%s'", o->container);

        r = engine_get(&ep, path, o->timeout_ms, &resp, err);
        if (r < 0)
                return r;
        r = container_from_response(o->container, resp.status, resp.body, resp.len, ret, err);
        engine_response_free(&resp);
        if (r < 0)
                return r;

        r = container_check_running(o->container, ret, err);
        if (r < 0)
                container_done(ret);
        return r;
}

int main(int argc, char **argv) {
        struct nsx_error err = {};
        struct options o;
        struct container c;
        const char *ref;
        char label[320];
        char *shell_argv[2];
        char *const *command;
        int r;

        r = options_parse(argc, argv, &o, &err);
        if (r < 0)
                return report(&err);
        if (o.action == OPTIONS_HELP) {
                print_help();
                return EXIT_SUCCESS;
        }
        if (o.action == OPTIONS_VERSION) {
                printf(PROGRAM " " NSX_VERSION "\n");
                return EXIT_SUCCESS;
        }

        r = container_ref_check(o.container, &ref, &err);
        if (r < 0)
                return report(&err);

        /* Everything that talks to the engine is finished, and its sockets closed, here:
         * nothing of it may cross into the namespace or the command. */
        r = query_container(&o, ref, &c, &err);
        if (r < 0)
                return report(&err);

        command = o.command;
        if (!command) {
                shell_argv[0] = (char *) default_shell();
                shell_argv[1] = NULL;
                command = shell_argv;
        }

        snprintf(label, sizeof(label), "container '%s'", o.container);
        r = enter_namespaces(&(struct enter_request) {.pid = c.pid, .namespaces = ENTER_NS_NET, .label = label}, &err);
        container_done(&c);
        if (r < 0)
                return report(&err);

        enter_exec(command, &err);
        return report(&err);
}
