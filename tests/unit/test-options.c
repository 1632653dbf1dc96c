/* SPDX-License-Identifier: MIT */
/* Unit tests: the command line parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "options.h"

#define ARGV(...) ((char *[]){"docker-nsexec", __VA_ARGS__, NULL})
#define ARGC(...) ((int) (sizeof((char *[]){"docker-nsexec", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, err, ...) options_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (err))

static void test_container_and_command(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "web", "curl", "-s", "http://127.0.0.1:8080/"), 0);
        assert_int_equal(o.action, OPTIONS_RUN);
        assert_string_equal(o.container, "web");
        assert_non_null(o.command);
        assert_string_equal(o.command[0], "curl");
        assert_string_equal(o.command[1], "-s");
        assert_string_equal(o.command[2], "http://127.0.0.1:8080/");
        assert_null(o.command[3]);
        assert_null(o.host);
        assert_int_equal(o.timeout_ms, OPTIONS_TIMEOUT_DEFAULT_MS);
}

static void test_no_command_means_shell(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "web"), 0);
        assert_string_equal(o.container, "web");
        assert_null(o.command);
}

static void test_options_after_container_belong_to_command(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "web", "-H", "x", "--help", "--"), 0);
        assert_null(o.host);
        assert_int_equal(o.action, OPTIONS_RUN);
        assert_string_equal(o.command[0], "-H");
        assert_string_equal(o.command[2], "--help");
        assert_string_equal(o.command[3], "--");
}

static void test_double_dash(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "--host", "unix:///a", "--", "web", "ls"), 0);
        assert_string_equal(o.host, "unix:///a");
        assert_string_equal(o.container, "web");
        assert_string_equal(o.command[0], "ls");
        /* After "--" even a dash-led word is CONTAINER (name checks come later). */
        assert_int_equal(PARSE(&o, &err, "--", "-x"), 0);
        assert_string_equal(o.container, "-x");
}

static void test_host_forms(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "-H", "unix:///a", "web"), 0);
        assert_string_equal(o.host, "unix:///a");
        assert_int_equal(PARSE(&o, &err, "-Hunix:///b", "web"), 0);
        assert_string_equal(o.host, "unix:///b");
        assert_int_equal(PARSE(&o, &err, "--host=unix:///c", "web"), 0);
        assert_string_equal(o.host, "unix:///c");
        assert_true(PARSE(&o, &err, "--host=", "web") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_non_null(strstr(err.message, "--host"));
}

static void test_missing_values(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_true(PARSE(&o, &err, "-H") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_non_null(strstr(err.message, "-H"));
        assert_true(PARSE(&o, &err, "--timeout") < 0);
        assert_non_null(strstr(err.message, "--timeout"));
}

static void test_unknown_options(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_true(PARSE(&o, &err, "--bogus", "web") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, "unknown option '--bogus'");
        assert_true(PARSE(&o, &err, "-x", "web") < 0);
        assert_string_equal(err.message, "unknown option '-x'");
}

static void test_missing_container(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_true(options_parse(1, (char *[]){"docker-nsexec", NULL}, &o, &err) < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, "missing CONTAINER");
        assert_true(PARSE(&o, &err, "--timeout", "3") < 0);
        assert_string_equal(err.message, "missing CONTAINER");
        assert_true(PARSE(&o, &err, "") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
}

static void test_help_and_version(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "-h"), 0);
        assert_int_equal(o.action, OPTIONS_HELP);
        assert_int_equal(PARSE(&o, &err, "--help", "web", "ls"), 0);
        assert_int_equal(o.action, OPTIONS_HELP);
        assert_int_equal(PARSE(&o, &err, "-V"), 0);
        assert_int_equal(o.action, OPTIONS_VERSION);
        assert_int_equal(PARSE(&o, &err, "--version"), 0);
        assert_int_equal(o.action, OPTIONS_VERSION);
}

static void test_timeout_values(void **state) {
        struct options o;
        struct nsx_error err = {};
        long ms;
        (void) state;

        assert_int_equal(PARSE(&o, &err, "--timeout", "2.5", "web"), 0);
        assert_int_equal(o.timeout_ms, 2500);
        assert_int_equal(PARSE(&o, &err, "--timeout=30", "web"), 0);
        assert_int_equal(o.timeout_ms, 30000);
        assert_int_equal(options_parse_timeout("0.0001", &ms), 0);
        assert_int_equal(ms, 1);
        assert_int_equal(options_parse_timeout("86400", &ms), 0);
        assert_int_equal(ms, 86400000L);

        static const char *const bad[] = {"0", "-1", "", "abc", "1s", "86401", "1e9", "inf", "nan", " ",
                                          /* strtod took these: spaces, a sign, hex, an exponent. */
                                          " 5", "5 ", "+5", "0x10", "1e1", "1.2.3", ".", "\t5"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_true(options_parse_timeout(bad[i], &ms) < 0);
                assert_true(PARSE(&o, &err, "--timeout", (char *) bad[i], "web") < 0);
                assert_int_equal(err.kind, NSX_ERR_USAGE);
                assert_non_null(strstr(err.message, "--timeout"));
        }
}

static void test_reparse(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        /* getopt keeps state between calls; the parser must reset it. */
        for (int i = 0; i < 3; i++) {
                assert_int_equal(PARSE(&o, &err, "-H", "unix:///a", "web", "true"), 0);
                assert_string_equal(o.container, "web");
        }
}

static void test_namespaces(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        /* The network namespace alone, and the cgroup proof, unless asked otherwise. */
        assert_int_equal(PARSE(&o, &err, "web"), 0);
        assert_int_equal(o.namespaces, ENTER_NS_NET);
        assert_false(o.all);
        assert_true(o.verify);
        assert_null(o.wd);

        assert_int_equal(PARSE(&o, &err, "-m", "-u", "-p", "web"), 0);
        assert_int_equal(o.namespaces, ENTER_NS_MNT | ENTER_NS_UTS | ENTER_NS_PID);
        assert_int_equal(PARSE(&o, &err, "-nmuipUCT", "web"), 0);
        assert_int_equal(o.namespaces, ENTER_NS_ALL);
        assert_int_equal(
                PARSE(&o, &err, "--net", "--mount", "--uts", "--ipc", "--pid", "--userns", "--cgroup", "--time", "web"),
                0);
        assert_int_equal(o.namespaces, ENTER_NS_ALL);

        assert_int_equal(PARSE(&o, &err, "-a", "web"), 0);
        assert_true(o.all);
        assert_int_equal(o.namespaces, 0);

        assert_int_equal(PARSE(&o, &err, "-w", "/srv", "--no-verify", "web"), 0);
        assert_string_equal(o.wd, "/srv");
        assert_false(o.verify);
        assert_int_equal(PARSE(&o, &err, "--wd=/x", "web"), 0);
        assert_string_equal(o.wd, "/x");
        assert_true(PARSE(&o, &err, "--wd=", "web") < 0);

        /* After CONTAINER, namespace letters are the command's. */
        assert_int_equal(PARSE(&o, &err, "web", "-m"), 0);
        assert_int_equal(o.namespaces, ENTER_NS_NET);
}

static void test_host_dns(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "web"), 0);
        assert_false(o.host_dns);
        assert_int_equal(PARSE(&o, &err, "--host-dns", "web"), 0);
        assert_true(o.host_dns);
        assert_int_equal(o.namespaces, ENTER_NS_NET);
        /* After CONTAINER it is the command's. */
        assert_int_equal(PARSE(&o, &err, "web", "--host-dns"), 0);
        assert_false(o.host_dns);
        assert_true(PARSE(&o, &err, "--host-dns=x", "web") < 0);
}

static void test_privileged(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "-m", "web"), 0);
        assert_false(o.privileged);
        assert_int_equal(PARSE(&o, &err, "--privileged", "-m", "web", "sh"), 0);
        assert_true(o.privileged);
        assert_int_equal(o.namespaces, ENTER_NS_MNT);
        assert_int_equal(PARSE(&o, &err, "-a", "--privileged", "web"), 0);
        assert_true(o.privileged);
        assert_true(o.all);
        assert_int_equal(PARSE(&o, &err, "-n", "-m", "-p", "--privileged", "web"), 0);
        assert_true(o.privileged);

        /* Without -m or -a the command is the host's: nothing to unconfine. */
        assert_true(PARSE(&o, &err, "--privileged", "web") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, "--privileged goes with -m or -a: without them the command is the host's, "
                                         "and runs unconfined anyway");
        assert_true(PARSE(&o, &err, "--privileged", "-n", "-u", "-i", "-p", "-U", "-C", "-T", "web") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_true(PARSE(&o, &err, "--listeners", "--privileged") < 0);
        assert_string_equal(err.message, "--listeners runs nothing: --privileged does not apply");
        assert_true(PARSE(&o, &err, "--list", "--privileged") < 0);

        /* Long option only, no value; after CONTAINER it is the command's. */
        assert_true(PARSE(&o, &err, "--privileged=1", "-m", "web") < 0);
        assert_int_equal(PARSE(&o, &err, "-m", "web", "--privileged"), 0);
        assert_false(o.privileged);
        assert_string_equal(o.command[0], "--privileged");
}

static void test_context_and_verbose(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "-c", "prod", "-v", "web"), 0);
        assert_string_equal(o.context, "prod");
        assert_true(o.verbose);
        assert_int_equal(PARSE(&o, &err, "--context=prod", "--verbose", "web"), 0);
        assert_string_equal(o.context, "prod");

        assert_true(PARSE(&o, &err, "--context", "prod", "-H", "unix:///x", "web") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, "--context and --host cannot be used together");
        assert_true(PARSE(&o, &err, "--context=", "web") < 0);
}

static void test_listeners(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "--listeners"), 0);
        assert_int_equal(o.action, OPTIONS_LISTENERS);
        assert_int_equal(o.n_containers, 0);
        assert_false(o.json);

        assert_int_equal(PARSE(&o, &err, "--listeners", "--json", "-H", "unix:///x.sock", "web", "db"), 0);
        assert_int_equal(o.action, OPTIONS_LISTENERS);
        assert_true(o.json);
        assert_string_equal(o.host, "unix:///x.sock");
        assert_int_equal(o.n_containers, 2);
        assert_string_equal(o.containers[0], "web");
        assert_string_equal(o.containers[1], "db");

        assert_int_equal(PARSE(&o, &err, "--json", "--listeners", "--", "web"), 0);
        assert_int_equal(o.n_containers, 1);

        err = (struct nsx_error){};
        assert_true(PARSE(&o, &err, "--listeners", "web", "--json") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_non_null(strstr(err.message, "'--json' must come before"));

        err = (struct nsx_error){};
        assert_true(PARSE(&o, &err, "--json", "web") < 0);
        assert_non_null(strstr(err.message, "--json goes with --listeners"));

        err = (struct nsx_error){};
        assert_true(PARSE(&o, &err, "--listeners", "-m", "web") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);

        err = (struct nsx_error){};
        assert_true(PARSE(&o, &err, "--listeners", "--host-dns") < 0);
        assert_non_null(strstr(err.message, "--host-dns do not apply"));

        err = (struct nsx_error){};
        assert_true(PARSE(&o, &err, "--listeners", "") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);

        /* Without --listeners, a second positional argument is still the command. */
        assert_int_equal(PARSE(&o, &err, "web", "db"), 0);
        assert_int_equal(o.action, OPTIONS_RUN);
        assert_string_equal(o.command[0], "db");
}

/* The docker CLI as it runs a plugin: its global options, the plugin name, then ours. */
#define PARSE_PLUGIN(o, err, ...)                                                                                      \
        options_parse_as(OPTIONS_MODE_PLUGIN, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (err))

static void test_list(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "--list"), 0);
        assert_int_equal(o.action, OPTIONS_LIST);
        assert_null(o.container);
        assert_int_equal(PARSE(&o, &err, "-H", "unix:///a", "--timeout", "1", "--list"), 0);
        assert_int_equal(o.action, OPTIONS_LIST);
        assert_string_equal(o.host, "unix:///a");
        assert_int_equal(o.timeout_ms, 1000);
        assert_int_equal(PARSE(&o, &err, "--list", "-c", "ctx"), 0);
        assert_string_equal(o.context, "ctx");
        /* --help still wins; a CONTAINER is not a list's business. */
        assert_int_equal(PARSE(&o, &err, "--list", "--help"), 0);
        assert_int_equal(o.action, OPTIONS_HELP);
        assert_true(PARSE(&o, &err, "--list", "web") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, "--list takes no CONTAINER or command, got 'web'");
        assert_true(PARSE(&o, &err, "--list", "-c", "x", "-H", "unix:///a") < 0);
        assert_true(PARSE(&o, &err, "--list", "-p") < 0);
        assert_string_equal(err.message, "--list enters nothing: namespace options, --wd and --host-dns do not apply");
        assert_true(PARSE(&o, &err, "--list", "--listeners") < 0);
        assert_string_equal(err.message, "--list and --listeners cannot be used together");
        /* --help wins wherever it stands, also over two modes at once. */
        assert_int_equal(PARSE(&o, &err, "--list", "--listeners", "-h"), 0);
        assert_int_equal(o.action, OPTIONS_HELP);
        /* After CONTAINER, --list belongs to the command. */
        assert_int_equal(PARSE(&o, &err, "web", "--list"), 0);
        assert_int_equal(o.action, OPTIONS_RUN);
        assert_string_equal(o.command[0], "--list");
}

static void test_index(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "web", "true"), 0);
        assert_int_equal(o.compose_index, 0);
        assert_int_equal(PARSE(&o, &err, "--index", "2", "web", "true"), 0);
        assert_int_equal(o.compose_index, 2);
        assert_string_equal(o.container, "web");
        assert_int_equal(PARSE(&o, &err, "--index=12", "-H", "unix:///a", "-a", "web"), 0);
        assert_int_equal(o.compose_index, 12);
        /* With any engine option and mode that names containers. */
        assert_int_equal(PARSE(&o, &err, "-c", "ctx", "--index", "1", "--listeners", "web"), 0);
        assert_int_equal(o.compose_index, 1);
        assert_int_equal(PARSE(&o, &err, "--index", "1", "--forward", "8080", "web"), 0);
        assert_int_equal(o.compose_index, 1);
        /* A positive decimal, nothing else. */
        char *bad[] = {"0", "-1", "+1", "1x", "", " 1", "0x2", "1000000"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err = (struct nsx_error){};
                assert_true(PARSE(&o, &err, "--index", bad[i], "web") < 0);
                assert_int_equal(err.kind, NSX_ERR_USAGE);
                assert_non_null(strstr(err.message, "invalid --index"));
        }
        /* Not with --list, which names no container. */
        assert_true(PARSE(&o, &err, "--index", "1", "--list") < 0);
        assert_string_equal(err.message, "--list names every running container: --index does not apply");
}

static void test_plugin_metadata(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "docker-cli-plugin-metadata"), 0);
        assert_int_equal(o.action, OPTIONS_PLUGIN_METADATA);
        assert_int_equal(PARSE_PLUGIN(&o, &err, "docker-cli-plugin-metadata"), 0);
        assert_int_equal(o.action, OPTIONS_PLUGIN_METADATA);
        /* Only as the first word: later it is a container or a command. */
        assert_int_equal(PARSE(&o, &err, "web", "docker-cli-plugin-metadata"), 0);
        assert_int_equal(o.action, OPTIONS_RUN);
}

static void test_plugin_argv(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE_PLUGIN(&o, &err, "nsexec", "web", "curl", "-s"), 0);
        assert_true(o.plugin);
        assert_int_equal(o.action, OPTIONS_RUN);
        assert_string_equal(o.container, "web");
        assert_string_equal(o.command[0], "curl");
        assert_string_equal(o.command[1], "-s");
        assert_null(o.host);

        /* docker's globals, in each of the forms its flag parser takes. */
        assert_int_equal(PARSE_PLUGIN(&o, &err, "-H", "unix:///a", "--log-level", "debug", "nsexec", "-n", "web"), 0);
        assert_string_equal(o.host, "unix:///a");
        assert_string_equal(o.container, "web");
        assert_null(o.command);
        assert_false(o.verbose);
        assert_int_equal(PARSE_PLUGIN(&o, &err, "--host=unix:///b", "-D", "nsexec", "web"), 0);
        assert_string_equal(o.host, "unix:///b");
        assert_true(o.verbose);
        assert_int_equal(PARSE_PLUGIN(&o, &err, "-H=unix:///c", "nsexec", "web"), 0);
        assert_string_equal(o.host, "unix:///c");
        assert_int_equal(PARSE_PLUGIN(&o, &err, "-Hunix:///d", "-lerror", "nsexec", "web"), 0);
        assert_string_equal(o.host, "unix:///d");
        assert_int_equal(PARSE_PLUGIN(&o, &err, "-DH", "unix:///e", "nsexec", "web"), 0);
        assert_string_equal(o.host, "unix:///e");
        assert_true(o.verbose);
        assert_int_equal(PARSE_PLUGIN(&o, &err, "-c", "ctx", "--config", "/cfg", "nsexec", "web"), 0);
        assert_string_equal(o.context, "ctx");
        assert_string_equal(o.config, "/cfg");
        assert_null(o.host);
        assert_int_equal(PARSE_PLUGIN(&o, &err, "--context=ctx2", "--config=/cfg2", "nsexec", "--list"), 0);
        assert_string_equal(o.context, "ctx2");
        assert_string_equal(o.config, "/cfg2");
        assert_int_equal(o.action, OPTIONS_LIST);

        /* Our own options after the name; ours and docker's must still agree on the engine. */
        assert_int_equal(PARSE_PLUGIN(&o, &err, "nsexec", "-H", "unix:///f", "--timeout", "2", "web", "-H", "x"), 0);
        assert_string_equal(o.host, "unix:///f");
        assert_int_equal(o.timeout_ms, 2000);
        assert_string_equal(o.command[0], "-H");
        assert_true(PARSE_PLUGIN(&o, &err, "-c", "ctx", "nsexec", "-H", "unix:///g", "web") < 0);
        assert_string_equal(err.message, "--context and --host cannot be used together");
        assert_int_equal(PARSE_PLUGIN(&o, &err, "nsexec", "--help"), 0);
        assert_int_equal(o.action, OPTIONS_HELP);
        assert_int_equal(PARSE_PLUGIN(&o, &err, "help", "nsexec"), 0);
        assert_int_equal(o.action, OPTIONS_HELP);
        assert_true(PARSE_PLUGIN(&o, &err, "help", "web") < 0);

        /* The plugin name follows argv[0]: docker runs docker-NAME as "docker NAME". */
        assert_int_equal(
                options_parse_as(OPTIONS_MODE_PLUGIN, 3, (char *[]){"/x/docker-nsx", "nsx", "web", NULL}, &o, &err), 0);
        assert_string_equal(o.container, "web");

        /* The same argv without plugin mode: "nsexec" is the container. */
        assert_int_equal(PARSE(&o, &err, "nsexec", "web"), 0);
        assert_string_equal(o.container, "nsexec");
        assert_false(o.plugin);
}

static void test_plugin_argv_errors(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_true(PARSE_PLUGIN(&o, &err, "web", "ls") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, "run as a docker CLI plugin, but 'nsexec' does not follow docker's options");
        assert_true(PARSE_PLUGIN(&o, &err, "-H", "unix:///a") < 0);
        assert_string_equal(err.message, "run as a docker CLI plugin, but 'nsexec' does not follow docker's options");
        assert_true(PARSE_PLUGIN(&o, &err, "--tlsverify", "nsexec", "web") < 0);
        assert_string_equal(err.message,
                            "docker's TLS options are not supported (--tlsverify): the engine must be local");
        assert_true(PARSE_PLUGIN(&o, &err, "--tlscacert", "/ca.pem", "nsexec", "web") < 0);
        assert_string_equal(err.message,
                            "docker's TLS options are not supported (--tlscacert): the engine must be local");
        assert_true(PARSE_PLUGIN(&o, &err, "--bogus", "nsexec", "web") < 0);
        assert_string_equal(err.message, "unknown docker option '--bogus'");
        assert_true(PARSE_PLUGIN(&o, &err, "-x", "nsexec", "web") < 0);
        assert_string_equal(err.message, "unknown docker option '-x'");
        assert_true(PARSE_PLUGIN(&o, &err, "nsexec") < 0);
        assert_string_equal(err.message, "missing CONTAINER");
        assert_true(PARSE_PLUGIN(&o, &err, "nsexec", "-H") < 0);
        assert_string_equal(err.message, "option '-H' needs a value");
}

/* What the word after ARGS is, for "__complete nsexec ARGS... WORD". */
static enum options_complete_what complete_what(int argc, char **argv, const char **ret_word) {
        struct options o;
        struct nsx_error err = {};

        assert_int_equal(options_parse(argc, argv, &o, &err), 0);
        assert_int_equal(o.action, OPTIONS_COMPLETE);
        *ret_word = o.complete_word;
        return o.complete_what;
}
#define WHAT(word, ...) complete_what(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (word))

static void test_complete(void **state) {
        struct options o;
        struct nsx_error err = {};
        const char *word;
        (void) state;

        assert_int_equal(WHAT(&word, "__complete", "nsexec", ""), OPTIONS_COMPLETE_CONTAINER);
        assert_string_equal(word, "");
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "we"), OPTIONS_COMPLETE_CONTAINER);
        assert_string_equal(word, "we");
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "-n", "--timeout", "3", "we"), OPTIONS_COMPLETE_CONTAINER);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--"), OPTIONS_COMPLETE_OPTION);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "-n", "-"), OPTIONS_COMPLETE_OPTION);
        assert_string_equal(word, "-");
        /* After "--" a dash-led word is CONTAINER; "--" as -H's value ends nothing. */
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--", "-"), OPTIONS_COMPLETE_CONTAINER);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "-H", "--", "-"), OPTIONS_COMPLETE_OPTION);
        /* Values. */
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "-w", "/t"), OPTIONS_COMPLETE_DIR);
        assert_string_equal(word, "/t");
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "-nw", ""), OPTIONS_COMPLETE_DIR);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--wd", ""), OPTIONS_COMPLETE_DIR);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "-H", "unix"), OPTIONS_COMPLETE_NOTHING);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--context", ""), OPTIONS_COMPLETE_NOTHING);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--timeout", ""), OPTIONS_COMPLETE_NOTHING);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--bogus", ""), OPTIONS_COMPLETE_NOTHING);
        /* After CONTAINER: the command and its arguments, the shell's business. */
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "web", ""), OPTIONS_COMPLETE_COMMAND);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "-n", "web", "curl", "-"), OPTIONS_COMPLETE_COMMAND);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "-w", "/tmp", "web", "-w"), OPTIONS_COMPLETE_COMMAND);
        /* --listeners: every word is a container. */
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--listeners", "web", "d"), OPTIONS_COMPLETE_CONTAINER);
        assert_string_equal(word, "d");
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--listeners", "web", "-"), OPTIONS_COMPLETE_NOTHING);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--listeners", ""), OPTIONS_COMPLETE_CONTAINER);

        /* --forward's value: the containers' ports; then CONTAINER, and no command after it. */
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--forward", ""), OPTIONS_COMPLETE_FORWARD);
        assert_string_equal(word, "");
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "-n", "--forward", "80:"), OPTIONS_COMPLETE_FORWARD);
        assert_string_equal(word, "80:");
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--forward", "80", "--forward", "8"),
                         OPTIONS_COMPLETE_FORWARD);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--forward", "80", "we"), OPTIONS_COMPLETE_CONTAINER);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--forward", "80", "--"), OPTIONS_COMPLETE_OPTION);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--forward", "80", "web", ""), OPTIONS_COMPLETE_NOTHING);
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "--forward", "bad", "web", ""), OPTIONS_COMPLETE_NOTHING);
        /* The engine typed before --forward is the one asked for its ports. */
        assert_int_equal(PARSE(&o, &err, "__complete", "nsexec", "-H", "unix:///a", "--forward", ""), 0);
        assert_int_equal(o.complete_what, OPTIONS_COMPLETE_FORWARD);
        assert_string_equal(o.host, "unix:///a");
        assert_int_equal(PARSE(&o, &err, "__complete", "nsexec", "-c", "ctx", "--forward", "80", "--forward", "8"), 0);
        assert_int_equal(o.complete_what, OPTIONS_COMPLETE_FORWARD);
        assert_string_equal(o.context, "ctx");

        /* The engine typed so far is the one asked; --help typed does not stop completion. */
        assert_int_equal(PARSE(&o, &err, "__complete", "nsexec", "-H", "unix:///a", "--help", "w"), 0);
        assert_int_equal(o.action, OPTIONS_COMPLETE);
        assert_string_equal(o.host, "unix:///a");
        assert_true(o.complete_descriptions);
        assert_int_equal(PARSE(&o, &err, "__completeNoDesc", "nsexec", "--context=c", ""), 0);
        assert_string_equal(o.context, "c");
        assert_false(o.complete_descriptions);

        /* Without the plugin name (Debian's docker bash completion leaves it out). */
        assert_int_equal(WHAT(&word, "__completeNoDesc", "we"), OPTIONS_COMPLETE_CONTAINER);
        assert_string_equal(word, "we");
        assert_int_equal(WHAT(&word, "__completeNoDesc", "web", ""), OPTIONS_COMPLETE_COMMAND);
        assert_int_equal(WHAT(&word, "__complete", "nsexec"), OPTIONS_COMPLETE_CONTAINER);
        assert_string_equal(word, "nsexec");
        assert_int_equal(WHAT(&word, "__complete"), OPTIONS_COMPLETE_CONTAINER);
        assert_string_equal(word, "");

        /* In plugin mode too (docker 23+ sets the plugin variable for completion). */
        assert_int_equal(PARSE_PLUGIN(&o, &err, "__complete", "nsexec", "-c", "x", "we"), 0);
        assert_int_equal(o.action, OPTIONS_COMPLETE);
        assert_string_equal(o.context, "x");
        assert_int_equal(o.complete_what, OPTIONS_COMPLETE_CONTAINER);
}

static void test_dashdash_after_container(void **state) {
        struct options o;
        struct nsx_error err = {};
        const char *word;
        (void) state;

        /* kubectl exec's habit: one "--" right after CONTAINER ends our arguments. */
        assert_int_equal(PARSE(&o, &err, "web", "--", "curl", "-s", "x"), 0);
        assert_string_equal(o.container, "web");
        assert_string_equal(o.command[0], "curl");
        assert_string_equal(o.command[1], "-s");
        assert_string_equal(o.command[2], "x");
        assert_null(o.command[3]);
        /* Nothing after it: the shell, as with CONTAINER alone. */
        assert_int_equal(PARSE(&o, &err, "web", "--"), 0);
        assert_null(o.command);
        /* Only the first: the next one is the command's, as in kubectl. */
        assert_int_equal(PARSE(&o, &err, "web", "--", "--", "x"), 0);
        assert_string_equal(o.command[0], "--");
        assert_string_equal(o.command[1], "x");
        assert_null(o.command[2]);
        /* With a "--" before CONTAINER too, and after options. */
        assert_int_equal(PARSE(&o, &err, "-m", "--", "web", "--", "ls", "-l"), 0);
        assert_int_equal(o.namespaces, ENTER_NS_MNT);
        assert_string_equal(o.container, "web");
        assert_string_equal(o.command[0], "ls");
        assert_string_equal(o.command[1], "-l");
        /* Further on, "--" is an argument of the command, untouched. */
        assert_int_equal(PARSE(&o, &err, "web", "sh", "--", "-c"), 0);
        assert_string_equal(o.command[0], "sh");
        assert_string_equal(o.command[1], "--");
        /* Options after the "--" are the command's. */
        assert_int_equal(PARSE(&o, &err, "web", "--", "-m", "--help"), 0);
        assert_int_equal(o.action, OPTIONS_RUN);
        assert_int_equal(o.namespaces, ENTER_NS_NET);
        assert_string_equal(o.command[0], "-m");
        /* As the docker CLI's plugin too. */
        assert_int_equal(PARSE_PLUGIN(&o, &err, "nsexec", "web", "--", "curl"), 0);
        assert_string_equal(o.container, "web");
        assert_string_equal(o.command[0], "curl");
        assert_null(o.command[1]);
        /* Completion: what follows "CONTAINER --" is the command. */
        assert_int_equal(WHAT(&word, "__complete", "nsexec", "web", "--", "cu"), OPTIONS_COMPLETE_COMMAND);
        assert_string_equal(word, "cu");
}

/* PARSE that must fail with a usage error whose message is want. */
#define REFUSE(want, ...)                                                                                              \
        do {                                                                                                           \
                struct options _o;                                                                                     \
                struct nsx_error _e = {};                                                                              \
                assert_true(PARSE(&_o, &_e, __VA_ARGS__) < 0);                                                         \
                assert_int_equal(_e.kind, NSX_ERR_USAGE);                                                              \
                assert_string_equal(_e.message, (want));                                                               \
        } while (0)

static void test_forward(void **state) {
        struct options o;
        struct nsx_error err = {};
        char a[FORWARD_ADDR_MAX];
        (void) state;

        assert_int_equal(PARSE(&o, &err, "--forward", "8080:80", "web"), 0);
        assert_int_equal(o.action, OPTIONS_FORWARD);
        assert_int_equal(o.n_forwards, 1);
        assert_string_equal(o.forward_texts[0], "8080:80");
        forward_addr_format((const struct sockaddr *) &o.forwards[0].host, a, sizeof(a));
        assert_string_equal(a, "127.0.0.1:8080");
        forward_addr_format((const struct sockaddr *) &o.forwards[0].target, a, sizeof(a));
        assert_string_equal(a, "127.0.0.1:80");
        assert_string_equal(o.container, "web");
        assert_null(o.command);
        assert_int_equal(o.namespaces, ENTER_NS_NET);

        /* Repeatable, in order; with the engine options, -n, -v, --timeout, --no-verify. */
        assert_int_equal(PARSE(&o, &err, "-H", "unix:///x.sock", "--forward", "5353:53/udp", "-v",
                               "--forward=[::1]:0:80", "--timeout", "2", "--no-verify", "-n", "--forward", "0:81", "--",
                               "web"),
                         0);
        assert_int_equal(o.action, OPTIONS_FORWARD);
        assert_int_equal(o.n_forwards, 3);
        assert_string_equal(o.forward_texts[0], "5353:53/udp");
        assert_string_equal(o.forward_texts[1], "[::1]:0:80");
        assert_string_equal(o.forward_texts[2], "0:81");
        assert_int_equal(o.forwards[0].proto, FORWARD_UDP);
        forward_addr_format((const struct sockaddr *) &o.forwards[1].host, a, sizeof(a));
        assert_string_equal(a, "[::1]:0");
        assert_string_equal(o.host, "unix:///x.sock");
        assert_true(o.verbose);
        assert_false(o.verify);
        assert_int_equal(o.timeout_ms, 2000);
        assert_string_equal(o.container, "web");
        assert_int_equal(PARSE(&o, &err, "-c", "ctx", "--forward", "80", "web"), 0);
        assert_string_equal(o.context, "ctx");
        /* The same host port on another address or protocol, and any number of port 0. */
        assert_int_equal(PARSE(&o, &err, "--forward", "8080:80", "--forward", "8080:80/udp", "--forward",
                               "127.0.0.2:8080:80", "--forward", "[::1]:8080:80", "--forward", "0:80", "--forward",
                               "0:81", "web"),
                         0);
        assert_int_equal(o.n_forwards, 6);
        /* --help still wins. */
        assert_int_equal(PARSE(&o, &err, "--forward", "80", "--help"), 0);
        assert_int_equal(o.action, OPTIONS_HELP);
        /* A bad SPEC is refused as it is read, before a later -V is seen. */
        assert_true(PARSE(&o, &err, "--forward", "bad", "-V") < 0);
        /* After CONTAINER, --forward is the command's. */
        assert_int_equal(PARSE(&o, &err, "web", "--forward", "80"), 0);
        assert_int_equal(o.action, OPTIONS_RUN);
        assert_int_equal(o.n_forwards, 0);
        assert_string_equal(o.command[0], "--forward");
        /* As the docker CLI's plugin. */
        assert_int_equal(PARSE_PLUGIN(&o, &err, "-H", "unix:///a", "nsexec", "--forward", "8080:80", "web"), 0);
        assert_int_equal(o.action, OPTIONS_FORWARD);
        assert_true(o.plugin);
        assert_string_equal(o.host, "unix:///a");
        assert_string_equal(o.container, "web");
        assert_int_equal(o.n_forwards, 1);
}

static void test_forward_refused(void **state) {
        char *argv[2 * (OPTIONS_FORWARD_MAX + 1) + 3]; /* the program, 33 --forward SPEC, web, NULL */
        char specs[OPTIONS_FORWARD_MAX + 1][8];
        struct options o;
        struct nsx_error err = {};
        int argc = 0;
        (void) state;

        /* The SPEC's own refusal, as forward_spec words it. */
        REFUSE("--forward '8080:80/sctp': unknown protocol 'sctp' (tcp or udp)", "--forward", "8080:80/sctp", "web");
        REFUSE("option '--forward' needs a value", "--forward");
        REFUSE("--forward takes no command, got 'curl'", "--forward", "80", "web", "curl");
        REFUSE("--forward takes no command, got '--'", "--forward", "80", "web", "--");
        REFUSE("--forward takes no command, got 'db'", "--forward", "80", "web", "db");
        REFUSE("missing CONTAINER", "--forward", "80");
        REFUSE("missing CONTAINER", "--forward", "80", "--");
        REFUSE("CONTAINER must not be empty", "--forward", "80", "");
        REFUSE("--forward '8080:80' and '127.0.0.1:8080:90' both listen on 127.0.0.1:8080/tcp", "--forward", "8080:80",
               "--forward", "127.0.0.1:8080:90", "web");
        REFUSE("--forward '[::1]:53:53/udp' and '[0:0::1]:53:54/udp' both listen on [::1]:53/udp", "--forward",
               "[::1]:53:53/udp", "--forward", "[0:0::1]:53:54/udp", "web");
        REFUSE("--forward '80' and '80:80' both listen on 127.0.0.1:80/tcp", "--forward", "80", "--forward", "81",
               "--forward", "80:80", "web");
        /* What makes no sense for a relay that runs no command. */
        static const char *const not_with[][2] = {
                {"-m", "--mount"},
                {"-u", "--uts"},
                {"-i", "--ipc"},
                {"-p", "--pid"},
                {"-U", "--userns"},
                {"-C", "--cgroup"},
                {"-T", "--time"},
                {"-a", "--all"},
                {"--user=nobody", "--user"},
                {"-eA=1", "--env"},
                {"--privileged", "--privileged"},
                {"--host-dns", "--host-dns"},
        };
        for (size_t i = 0; i < sizeof(not_with) / sizeof(not_with[0]); i++) {
                char want[256];

                snprintf(want, sizeof(want),
                         "--forward relays into the container's network and runs no command: %s does not apply",
                         not_with[i][1]);
                REFUSE(want, "--forward", "80", (char *) not_with[i][0], "web");
                REFUSE(want, (char *) not_with[i][0], "-n", "--forward", "80", "web");
        }
        REFUSE("--forward relays into the container's network and runs no command: --wd does not apply", "-w", "/tmp",
               "--forward", "80", "web");
        REFUSE("--forward and --list cannot be used together", "--forward", "80", "--list");
        REFUSE("--forward and --listeners cannot be used together", "--listeners", "--forward", "80", "web");
        REFUSE("--json goes with --listeners", "--forward", "80", "--json", "web");
        REFUSE("--context and --host cannot be used together", "--forward", "80", "-c", "x", "-H", "unix:///a", "web");

        /* At most OPTIONS_FORWARD_MAX. */
        argv[argc++] = "docker-nsexec";
        for (int i = 0; i <= OPTIONS_FORWARD_MAX; i++) {
                snprintf(specs[i], sizeof(specs[i]), "%d", 1000 + i);
                argv[argc++] = "--forward";
                argv[argc++] = specs[i];
        }
        argv[argc++] = "web";
        argv[argc] = NULL;
        assert_true(options_parse(argc, argv, &o, &err) < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, "more than 32 --forward options");
        argv[argc - 3] = "web";
        argv[argc - 2] = NULL;
        assert_int_equal(options_parse(argc - 2, argv, &o, &err), 0);
        assert_int_equal(o.n_forwards, OPTIONS_FORWARD_MAX);
}

static void test_options_docs(void **state) {
        struct options_doc buf[OPTIONS_DOCS_MAX];
        size_t n = 0;
        (void) state;

        /* Every option getopt knows is offered, with a description. */
        for (const struct options_doc *d = options_docs(buf); d->long_name; d++, n++) {
                struct options o;
                struct nsx_error err = {};

                assert_true(strncmp(d->long_name, "--", 2) == 0);
                assert_non_null(d->description);
                /* A name the parser does not know would be an "unknown option" error. */
                if (options_parse(3, (char *[]){"docker-nsexec", (char *) d->long_name, "x", NULL}, &o, &err) < 0)
                        assert_null(strstr(err.message, "unknown option"));
        }
        assert_int_equal(n, 27); /* with --index and --runtime-endpoint */
}

/* crictl's --runtime-endpoint: a third answer to "which engine", beside -H and --context. */
static void test_runtime_endpoint(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "--runtime-endpoint", "unix:///run/containerd/containerd.sock", "web"), 0);
        assert_string_equal(o.runtime_endpoint, "unix:///run/containerd/containerd.sock");
        assert_null(o.host);
        assert_null(o.context);
        assert_string_equal(o.container, "web");
        assert_int_equal(PARSE(&o, &err, "--runtime-endpoint=unix:///r.sock", "--list"), 0);
        assert_string_equal(o.runtime_endpoint, "unix:///r.sock");
        assert_int_equal(o.action, OPTIONS_LIST);
        assert_int_equal(PARSE(&o, &err, "web"), 0);
        assert_null(o.runtime_endpoint);

        assert_true(PARSE(&o, &err, "--runtime-endpoint=", "web") < 0);
        assert_string_equal(err.message, "option --runtime-endpoint needs a non-empty value");
        assert_true(PARSE(&o, &err, "--runtime-endpoint") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);

        /* One endpoint option at most, whatever the order: one line. */
        assert_true(PARSE(&o, &err, "--runtime-endpoint", "unix:///r.sock", "-H", "unix:///x", "web") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, "--runtime-endpoint and --host cannot be used together");
        assert_true(PARSE(&o, &err, "-c", "prod", "--runtime-endpoint", "unix:///r.sock", "web") < 0);
        assert_string_equal(err.message, "--runtime-endpoint and --context cannot be used together");
        assert_true(PARSE(&o, &err, "--runtime-endpoint", "unix:///r.sock", "--forward", "80", "-H", "unix:///x",
                          "web") < 0);
        assert_string_equal(err.message, "--runtime-endpoint and --host cannot be used together");
        /* Long only: crictl has no short name for it either. */
        assert_true(PARSE(&o, &err, "-r", "unix:///r.sock", "web") < 0);
        assert_string_equal(err.message, "unknown option '-r'");

        /* As a plugin: docker's -H and ours conflict the same way. */
        assert_true(PARSE_PLUGIN(&o, &err, "-H", "unix:///g", "nsexec", "--runtime-endpoint", "unix:///r.sock", "web") <
                    0);
        assert_string_equal(err.message, "--runtime-endpoint and --host cannot be used together");
        assert_int_equal(PARSE_PLUGIN(&o, &err, "nsexec", "--runtime-endpoint", "unix:///r.sock", "web"), 0);
        assert_string_equal(o.runtime_endpoint, "unix:///r.sock");

        /* Completion: its value is not a container, and the words before it name the engine. */
        assert_int_equal(PARSE(&o, &err, "__complete", "nsexec", "--runtime-endpoint", "unix:///r.sock", "we"), 0);
        assert_int_equal(o.complete_what, OPTIONS_COMPLETE_CONTAINER);
        assert_string_equal(o.runtime_endpoint, "unix:///r.sock");
        assert_int_equal(PARSE(&o, &err, "__complete", "nsexec", "--runtime-endpoint", "un"), 0);
        assert_int_equal(o.complete_what, OPTIONS_COMPLETE_NOTHING);
}

static void test_exec_user_and_env(void **state) {
        struct options o;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(PARSE(&o, &err, "web"), 0);
        assert_null(o.exec_user);
        assert_int_equal(o.n_env, 0);

        assert_int_equal(
                PARSE(&o, &err, "-a", "--user", "app:staff", "-e", "A=1", "--env", "B", "-e", "A=2", "web", "id"), 0);
        assert_string_equal(o.exec_user, "app:staff");
        assert_int_equal(o.n_env, 3);
        assert_string_equal(o.env[0], "A=1");
        assert_string_equal(o.env[1], "B");
        assert_string_equal(o.env[2], "A=2");
        assert_string_equal(o.command[0], "id");
        assert_int_equal(PARSE(&o, &err, "-m", "--user=1000", "-eX=", "web"), 0);
        assert_string_equal(o.exec_user, "1000");
        assert_string_equal(o.env[0], "X=");
        /* -u is still the UTS namespace, as in nsenter; -U the user namespace. */
        assert_int_equal(PARSE(&o, &err, "-mu", "--user", "0", "web"), 0);
        assert_int_equal(o.namespaces, ENTER_NS_MNT | ENTER_NS_UTS);
        assert_int_equal(PARSE(&o, &err, "-U", "web"), 0);
        assert_int_equal(o.namespaces, ENTER_NS_USER);
        assert_null(o.exec_user);
        /* After CONTAINER, -e and --user are the command's. */
        assert_int_equal(PARSE(&o, &err, "-a", "web", "env", "-e", "--user", "x"), 0);
        assert_int_equal(o.n_env, 0);
        assert_null(o.exec_user);

        /* Without -m or -a the command is the host's: one line naming the option. */
        assert_true(PARSE(&o, &err, "--user", "0", "web") < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, "--user needs -m or -a: it applies to the container's own command");
        assert_true(PARSE(&o, &err, "-n", "-p", "-e", "A=1", "web") < 0);
        assert_string_equal(err.message, "--env needs -m or -a: it applies to the container's own command");
        assert_true(PARSE(&o, &err, "-U", "--user", "0", "-e", "A", "web") < 0);
        assert_non_null(strstr(err.message, "--user needs -m or -a"));
        assert_true(PARSE(&o, &err, "--list", "--user", "0") < 0);
        assert_string_equal(err.message, "--list runs nothing: --user and --env do not apply");
        assert_true(PARSE(&o, &err, "--listeners", "-e", "A=1") < 0);
        assert_string_equal(err.message, "--listeners runs nothing: --user and --env do not apply");
}

static void test_exec_user_and_env_invalid(void **state) {
        static const char *const bad_users[] = {"",    ":",  "a:",         ":0",           "a:b:c",
                                                "a b", "-1", "4294967295", "0:2147483648", "root\n"};
        static const char *const bad_env[] = {"", "=", "=value"};
        struct options o;
        struct nsx_error err = {};
        (void) state;

        for (size_t i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++) {
                if (PARSE(&o, &err, "-a", "--user", (char *) bad_users[i], "web") >= 0)
                        fail_msg("--user '%s' accepted", bad_users[i]);
                assert_int_equal(err.kind, NSX_ERR_USAGE);
                assert_true(strncmp(err.message, "--user: invalid user '", 22) == 0);
                assert_null(strchr(err.message, '\n'));
        }
        for (size_t i = 0; i < sizeof(bad_env) / sizeof(bad_env[0]); i++) {
                assert_true(PARSE(&o, &err, "-a", "-e", (char *) bad_env[i], "web") < 0);
                assert_int_equal(err.kind, NSX_ERR_USAGE);
                assert_true(strncmp(err.message, "invalid --env '", 15) == 0);
        }
        assert_true(PARSE(&o, &err, "-a", "--user") < 0);
        assert_string_equal(err.message, "option '--user' needs a value");

        /* Bounded: OPTIONS_ENV_MAX of them, not one more. */
        {
                char *argv[OPTIONS_ENV_MAX * 2 + 8];
                int argc = 0;

                argv[argc++] = "docker-nsexec";
                argv[argc++] = "-a";
                for (int i = 0; i < OPTIONS_ENV_MAX; i++) {
                        argv[argc++] = "-e";
                        argv[argc++] = "K=V";
                }
                argv[argc++] = "web";
                argv[argc] = NULL;
                assert_int_equal(options_parse(argc, argv, &o, &err), 0);
                assert_int_equal(o.n_env, OPTIONS_ENV_MAX);
                argv[argc - 1] = "-e";
                argv[argc++] = "K=V";
                argv[argc++] = "web";
                argv[argc] = NULL;
                assert_true(options_parse(argc, argv, &o, &err) < 0);
                assert_non_null(strstr(err.message, "more than"));
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_container_and_command),
                cmocka_unit_test(test_no_command_means_shell),
                cmocka_unit_test(test_options_after_container_belong_to_command),
                cmocka_unit_test(test_double_dash),
                cmocka_unit_test(test_host_forms),
                cmocka_unit_test(test_missing_values),
                cmocka_unit_test(test_unknown_options),
                cmocka_unit_test(test_missing_container),
                cmocka_unit_test(test_help_and_version),
                cmocka_unit_test(test_timeout_values),
                cmocka_unit_test(test_reparse),
                cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_context_and_verbose),
                cmocka_unit_test(test_listeners),
                cmocka_unit_test(test_host_dns),
                cmocka_unit_test(test_privileged),
                cmocka_unit_test(test_list),
                cmocka_unit_test(test_index),
                cmocka_unit_test(test_plugin_metadata),
                cmocka_unit_test(test_plugin_argv),
                cmocka_unit_test(test_plugin_argv_errors),
                cmocka_unit_test(test_complete),
                cmocka_unit_test(test_dashdash_after_container),
                cmocka_unit_test(test_options_docs),
                cmocka_unit_test(test_runtime_endpoint),
                cmocka_unit_test(test_exec_user_and_env),
                cmocka_unit_test(test_exec_user_and_env_invalid),
                cmocka_unit_test(test_forward),
                cmocka_unit_test(test_forward_refused),
        };
        return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
