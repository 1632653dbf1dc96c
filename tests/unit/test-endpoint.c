/* SPDX-License-Identifier: MIT */
/* Unit tests: choosing and parsing the engine endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "context.h"
#include "endpoint.h"
#include "util.h"

#define DEFAULT "unix:///var/run/docker.sock"
#define NOWHERE "unix:///nonexistent/nsx-test/docker.sock"

/* A private directory per test, for config files and sockets. */
static char tmp[64];

static int make_tmp(void **state) {
        (void) state;
        snprintf(tmp, sizeof(tmp), "/tmp/nsx-unit.XXXXXX");
        return mkdtemp(tmp) ? 0 : -1;
}

static int remove_tmp(void **state) {
        char cmd[128];
        (void) state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *rel, const char *text) {
        char path[512], dir[600];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", tmp, rel);
        snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", path);
        assert_int_equal(system(dir), 0);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

/* A bound unix socket file is enough for the search, which only stats. */
static void make_socket(const char *rel) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        char dir[600];
        int fd;

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", tmp, rel);
        snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", sa.sun_path);
        assert_int_equal(system(dir), 0);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        close(fd);
}

static void test_priority(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.default_host = DEFAULT}, &ep, &err), 0);
        assert_string_equal(ep.socket_path, "/var/run/docker.sock");

        assert_int_equal(
                endpoint_resolve(&(struct endpoint_inputs){.env_host = "unix:///env.sock", .default_host = DEFAULT},
                                 &ep, &err),
                0);
        assert_string_equal(ep.socket_path, "/env.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_ENV);

        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.flag_host = "unix:///flag.sock",
                                                                    .env_host = "unix:///env.sock",
                                                                    .env_context = "nope",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/flag.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_FLAG);

        /* An empty DOCKER_HOST or DOCKER_CONTEXT is unset, as for the docker CLI. */
        assert_int_equal(
                endpoint_resolve(&(struct endpoint_inputs){.env_host = "", .env_context = "", .default_host = NOWHERE},
                                 &ep, &err),
                0);
        assert_int_equal(ep.source, ENDPOINT_FROM_DEFAULT);
}

static void test_contexts(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        (void) state;

        write_file("cfg/contexts/meta/aaaa/meta.json",
                   "{\"Name\":\"ctx-a\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"unix:///a.sock\","
                   "\"SkipTLSVerify\":false}}}");
        write_file("cfg/contexts/meta/bbbb/meta.json",
                   "{\"Name\":\"ctx-b\",\"Endpoints\":{\"docker\":{\"Host\":\"unix:///b.sock\"}}}");
        write_file("cfg/config.json", "{\"auths\":{},\"currentContext\":\"ctx-b\"}");
        char cfg[128];
        snprintf(cfg, sizeof(cfg), "%s/cfg", tmp);

        /* config.json's currentContext */
        assert_int_equal(
                endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg, .default_host = DEFAULT}, &ep, &err), 0);
        assert_string_equal(ep.socket_path, "/b.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_CONFIG);
        assert_non_null(strstr(ep.why, "bbbb/meta.json"));

        /* DOCKER_CONTEXT over config.json, --context over everything, DOCKER_HOST over contexts */
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.env_config = cfg, .env_context = "ctx-a", .default_host = DEFAULT},
                        &ep, &err),
                0);
        assert_string_equal(ep.socket_path, "/a.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_CONTEXT_ENV);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg,
                                                                    .flag_context = "ctx-a",
                                                                    .env_host = "unix:///env.sock",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/a.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_CONTEXT_FLAG);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg,
                                                                    .env_host = "unix:///env.sock",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/env.sock");

        /* HOME/.docker when DOCKER_CONFIG is unset; "default" is the default endpoint. */
        write_file("home/.docker/config.json", "{\"currentContext\":\"default\"}");
        char home[128];
        snprintf(home, sizeof(home), "%s/home", tmp);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.home = home, .default_host = DEFAULT}, &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/var/run/docker.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_CONFIG);
        /* ... which is DOCKER_HOST when set, as for the docker CLI. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.flag_context = "default",
                                                                    .env_host = "unix:///env.sock",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/env.sock");

        /* Unknown context: named, with where it was looked for. */
        assert_true(
                endpoint_resolve(
                        &(struct endpoint_inputs){.env_config = cfg, .flag_context = "nope", .default_host = DEFAULT},
                        &ep, &err) < 0);
        assert_non_null(strstr(err.message, "context 'nope' not found in "));

        /* A broken meta.json elsewhere does not hide a good one; a missing name names it. */
        write_file("cfg/contexts/meta/cccc/meta.json", "{not json");
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.env_config = cfg, .flag_context = "ctx-a", .default_host = DEFAULT},
                        &ep, &err),
                0);
        assert_true(
                endpoint_resolve(
                        &(struct endpoint_inputs){.env_config = cfg, .flag_context = "ctx-c", .default_host = DEFAULT},
                        &ep, &err) < 0);
        assert_non_null(strstr(err.message, "cccc/meta.json"));

        /* A broken config.json is named. */
        write_file("cfg/config.json", "{\"currentContext\": 42}");
        assert_true(endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg, .default_host = DEFAULT}, &ep, &err) <
                    0);
        assert_non_null(strstr(err.message, "cfg/config.json"));
        write_file("cfg/config.json", "");
        assert_true(endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg, .default_host = DEFAULT}, &ep, &err) <
                    0);
        assert_non_null(strstr(err.message, "cannot parse"));
}

static void test_search(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        char xdg[128];
        (void) state;

        snprintf(xdg, sizeof(xdg), "%s/xdg", tmp);
        /* Nothing anywhere: the default stays, with every path tried listed. */
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.xdg_runtime_dir = xdg, .default_host = NOWHERE, .caller = geteuid()},
                        &ep, &err),
                0);
        assert_string_equal(ep.socket_path, "/nonexistent/nsx-test/docker.sock");
        assert_non_null(strstr(ep.tried, "/nonexistent/nsx-test/docker.sock, "));
        assert_non_null(strstr(ep.tried, "/xdg/docker.sock"));
        assert_non_null(strstr(ep.tried, "/xdg/podman/podman.sock"));

        /* Podman's rootless socket, then rootless Docker's, which comes first. */
        make_socket("xdg/podman/podman.sock");
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.xdg_runtime_dir = xdg, .default_host = NOWHERE, .caller = geteuid()},
                        &ep, &err),
                0);
        if (access("/run/podman/podman.sock", F_OK) != 0)
                assert_non_null(strstr(ep.socket_path, "/xdg/podman/podman.sock"));
        assert_int_equal(ep.source, ENDPOINT_FROM_SEARCH);
        make_socket("xdg/docker.sock");
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.xdg_runtime_dir = xdg, .default_host = NOWHERE, .caller = geteuid()},
                        &ep, &err),
                0);
        assert_non_null(strstr(ep.socket_path, "/xdg/docker.sock"));
        assert_string_equal(ep.tried, "");

        /* An explicit -H is never searched around. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.flag_host = NOWHERE,
                                                                    .xdg_runtime_dir = xdg,
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/nonexistent/nsx-test/docker.sock");
}

/* The search's filter, and what it says of each candidate passed over. */
static void test_candidates(void **state) {
        struct stat st = {};
        (void) state;

        st.st_mode = S_IFSOCK | 0660;
        st.st_uid = 0;
        assert_int_equal(endpoint_candidate_judge(&st, 0), ENDPOINT_CANDIDATE_OK);
        assert_int_equal(endpoint_candidate_judge(&st, 1000), ENDPOINT_CANDIDATE_OK);
        st.st_uid = 1000;
        assert_int_equal(endpoint_candidate_judge(&st, 1000), ENDPOINT_CANDIDATE_OK);
        assert_int_equal(endpoint_candidate_judge(&st, 0), ENDPOINT_CANDIDATE_FOREIGN);
        assert_int_equal(endpoint_candidate_judge(&st, 1001), ENDPOINT_CANDIDATE_FOREIGN);
        /* A link is judged as a link, whoever owns it and wherever it leads. */
        st.st_mode = S_IFLNK | 0777;
        st.st_uid = 0;
        assert_int_equal(endpoint_candidate_judge(&st, 0), ENDPOINT_CANDIDATE_SYMLINK);
        static const mode_t others[] = {S_IFREG, S_IFDIR, S_IFIFO, S_IFCHR, S_IFBLK};
        for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
                st.st_mode = others[i] | 0666;
                assert_int_equal(endpoint_candidate_judge(&st, 0), ENDPOINT_CANDIDATE_NOT_SOCKET);
        }
}

static void test_search_skips(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        char xdg[128], path[256];
        (void) state;

        snprintf(xdg, sizeof(xdg), "%s/xdg", tmp);
        /* A symbolic link and a file where sockets are looked for: passed over, and said why. */
        make_socket("real.sock");
        snprintf(path, sizeof(path), "%s/docker.sock", xdg);
        write_file("xdg/podman/podman.sock", "not a socket");
        assert_int_equal(symlink("../real.sock", path), 0);
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.xdg_runtime_dir = xdg, .default_host = NOWHERE, .caller = geteuid()},
                        &ep, &err),
                0);
        if (access("/run/podman/podman.sock", F_OK) != 0) {
                assert_int_equal(ep.source, ENDPOINT_FROM_DEFAULT);
                assert_non_null(strstr(ep.tried, "/xdg/docker.sock (skipped: a symbolic link)"));
                assert_non_null(strstr(ep.tried, "/xdg/podman/podman.sock (skipped: not a socket)"));
        }
        assert_false(ep.named);

        /* Another user's socket: passed over, its owner named; root's or the caller's taken. */
        assert_int_equal(unlink(path), 0);
        make_socket("xdg/docker.sock");
        if (geteuid() == 0) {
                assert_int_equal(chown(path, 65534, 65534), 0);
                assert_int_equal(
                        endpoint_resolve(
                                &(struct endpoint_inputs){.xdg_runtime_dir = xdg, .default_host = NOWHERE, .caller = 0},
                                &ep, &err),
                        0);
                assert_int_equal(ep.kind, ENDPOINT_UNIX);
                assert_string_not_equal(ep.socket_path, path);
                if (ep.tried[0])
                        assert_non_null(
                                strstr(ep.tried,
                                       "/xdg/docker.sock (skipped: owned by uid 65534, neither root nor the caller)"));
                /* ... unless the caller is that user. */
                assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.xdg_runtime_dir = xdg,
                                                                            .default_host = NOWHERE,
                                                                            .caller = 65534},
                                                  &ep, &err),
                                 0);
                assert_string_equal(ep.socket_path, path);
                assert_int_equal(ep.source, ENDPOINT_FROM_SEARCH);
                assert_false(ep.named);
                /* A root-owned socket is any caller's. */
                assert_int_equal(chown(path, 0, 0), 0);
                assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.xdg_runtime_dir = xdg,
                                                                            .default_host = NOWHERE,
                                                                            .caller = 1000},
                                                  &ep, &err),
                                 0);
                assert_string_equal(ep.socket_path, path);
        }
}

/* Which choices are the caller's: the peer check lets another user's engine through only then. */
static void test_named(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        char cfg[128], home[128];
        (void) state;

        assert_int_equal(
                endpoint_resolve(&(struct endpoint_inputs){.flag_host = "unix:///f.sock", .default_host = DEFAULT}, &ep,
                                 &err),
                0);
        assert_true(ep.named);
        assert_int_equal(
                endpoint_resolve(&(struct endpoint_inputs){.env_host = "tcp://127.0.0.1:1", .default_host = DEFAULT},
                                 &ep, &err),
                0);
        assert_true(ep.named);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.default_host = DEFAULT}, &ep, &err), 0);
        assert_false(ep.named);
        /* The context 'default' is DOCKER_HOST when set (named), else the default (not). */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.flag_context = "default",
                                                                    .env_host = "unix:///e.sock",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_true(ep.named);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.flag_context = "default", .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_false(ep.named);

        write_file("cfg/contexts/meta/aaaa/meta.json",
                   "{\"Name\":\"ctx-a\",\"Endpoints\":{\"docker\":{\"Host\":\"unix:///a.sock\"}}}");
        write_file("cfg/contexts/meta/eeee/meta.json", "{\"Name\":\"ctx-e\",\"Endpoints\":{\"docker\":{}}}");
        write_file("cfg/config.json", "{\"currentContext\":\"ctx-a\"}");
        snprintf(cfg, sizeof(cfg), "%s/cfg", tmp);
        snprintf(home, sizeof(home), "%s/home", tmp);
        for (int i = 0; i < 3; i++) {
                struct endpoint_inputs in = {.env_config = cfg, .default_host = DEFAULT, .caller = geteuid()};

                if (i == 0)
                        in.flag_context = "ctx-a";
                else if (i == 1)
                        in.env_context = "ctx-a";
                assert_int_equal(endpoint_resolve(&in, &ep, &err), 0);
                assert_string_equal(ep.socket_path, "/a.sock");
                assert_true(ep.named);
        }
        /* A context with no Host is the default endpoint: nothing named. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg,
                                                                    .flag_context = "ctx-e",
                                                                    .default_host = DEFAULT,
                                                                    .caller = geteuid()},
                                          &ep, &err),
                         0);
        assert_false(ep.named);

        /* Another user's files do not speak for the caller. */
        if (geteuid() == 0) {
                char meta[256], config[256];

                snprintf(meta, sizeof(meta), "%s/contexts/meta/aaaa/meta.json", cfg);
                snprintf(config, sizeof(config), "%s/config.json", cfg);
                assert_int_equal(chown(meta, 65534, 65534), 0);
                assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg,
                                                                            .flag_context = "ctx-a",
                                                                            .default_host = DEFAULT},
                                                  &ep, &err),
                                 0);
                assert_false(ep.named);
                assert_non_null(strstr(ep.why, "another user's"));
                /* ... unless the caller is that user. */
                assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg,
                                                                            .flag_context = "ctx-a",
                                                                            .default_host = DEFAULT,
                                                                            .caller = 65534},
                                                  &ep, &err),
                                 0);
                assert_true(ep.named);
                assert_int_equal(chown(meta, 0, 0), 0);
                assert_int_equal(chown(config, 65534, 65534), 0);
                assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg, .default_host = DEFAULT},
                                                  &ep, &err),
                                 0);
                assert_int_equal(ep.source, ENDPOINT_FROM_CONFIG);
                assert_false(ep.named);
                assert_non_null(strstr(ep.why, "config.json is another user's"));
        }
}

static void test_trusts(void **state) {
        struct endpoint named = {.named = true}, found = {.named = false};
        (void) state;

        /* Root's engine and the caller's own: whoever found them. */
        assert_true(endpoint_trusts(&found, 0, 0));
        assert_true(endpoint_trusts(&found, 0, 1000));
        assert_true(endpoint_trusts(&found, 1000, 1000));
        /* Another user's: only when named. */
        assert_false(endpoint_trusts(&found, 1000, 0));
        assert_false(endpoint_trusts(&found, 65534, 1000));
        assert_true(endpoint_trusts(&named, 1000, 0));
        assert_true(endpoint_trusts(&named, 65534, 1000));
        /* Nobody known: only when named, even for a caller whose uid would be -1. */
        assert_false(endpoint_trusts(&found, (uid_t) -1, 0));
        assert_false(endpoint_trusts(&found, (uid_t) -1, (uid_t) -1));
        assert_true(endpoint_trusts(&named, (uid_t) -1, 0));
}

static void test_tls(void **state) {
        struct endpoint ep = {.socket_path = "untouched"};
        struct nsx_error err = {};
        char cfg[128], cmd[256];
        (void) state;

        /* The environment's TLS settings, for the default context: -H, DOCKER_HOST, the default. */
        static const struct {
                const char *name;
                size_t off;
        } vars[] = {
                {"DOCKER_TLS_VERIFY", offsetof(struct endpoint_inputs, env_tls_verify)},
                {"DOCKER_TLS", offsetof(struct endpoint_inputs, env_tls)},
                {"DOCKER_CERT_PATH", offsetof(struct endpoint_inputs, env_cert_path)},
        };
        for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
                for (int how = 0; how < 4; how++) {
                        struct endpoint_inputs in = {.default_host = DEFAULT};

                        *(const char **) ((char *) &in + vars[i].off) = "1";
                        if (how == 0)
                                in.flag_host = "tcp://127.0.0.1:2375";
                        else if (how == 1)
                                in.env_host = "unix:///e.sock";
                        else if (how == 2)
                                in.flag_context = "default";
                        assert_int_equal(endpoint_resolve(&in, &ep, &err), -EPROTONOSUPPORT);
                        assert_int_equal(err.kind, NSX_ERR_FAILED);
                        assert_non_null(strstr(err.message, vars[i].name));
                        assert_non_null(strstr(err.message, "is set"));
                        assert_null(strchr(err.message, '\n'));
                        assert_string_equal(ep.socket_path, "untouched");
                }
                /* Empty is unset. */
                struct endpoint_inputs in = {.flag_host = "unix:///f.sock", .default_host = DEFAULT};
                *(const char **) ((char *) &in + vars[i].off) = "";
                assert_int_equal(endpoint_resolve(&in, &ep, &err), 0);
                ep = (struct endpoint){.socket_path = "untouched"};
        }

        /* A context's own TLS: its TLS store (named as its meta directory) or SkipTLSVerify. */
        snprintf(cfg, sizeof(cfg), "%s/cfg", tmp);
        write_file("cfg/contexts/meta/1111/meta.json", "{\"Name\":\"plain\",\"Endpoints\":{\"docker\":{\"Host\":\"tcp:/"
                                                       "/127.0.0.1:1\",\"SkipTLSVerify\":false}}}");
        write_file("cfg/contexts/meta/2222/meta.json",
                   "{\"Name\":\"stored\",\"Endpoints\":{\"docker\":{\"Host\":\"tcp://127.0.0.1:1\"}}}");
        write_file("cfg/contexts/tls/2222/docker/cert.pem", "");
        write_file("cfg/contexts/meta/3333/meta.json", "{\"Name\":\"skip\",\"Endpoints\":{\"docker\":{\"Host\":\"tcp://"
                                                       "127.0.0.1:1\",\"SkipTLSVerify\":true}}}");
        /* TLS material for another endpoint kind (kubernetes) is not the docker endpoint's. */
        write_file("cfg/contexts/tls/1111/kubernetes/ca.pem", "");
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.env_config = cfg, .flag_context = "plain", .default_host = DEFAULT},
                        &ep, &err),
                0);
        /* ... nor do the environment's settings apply to a named context, as for the docker CLI. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_config = cfg,
                                                                    .flag_context = "plain",
                                                                    .env_tls_verify = "1",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.env_config = cfg, .flag_context = "stored", .default_host = DEFAULT},
                        &ep, &err),
                -EPROTONOSUPPORT);
        assert_non_null(strstr(err.message, "context 'stored' uses TLS ("));
        assert_non_null(strstr(err.message, "/cfg/contexts/tls/2222/docker/cert.pem)"));
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.env_config = cfg, .env_context = "skip", .default_host = DEFAULT},
                        &ep, &err),
                -EPROTONOSUPPORT);
        assert_non_null(strstr(err.message, "context 'skip' uses TLS (SkipTLSVerify in "));
        /* An empty TLS store is no TLS. */
        write_file("cfg/contexts/meta/4444/meta.json",
                   "{\"Name\":\"empty\",\"Endpoints\":{\"docker\":{\"Host\":\"tcp://127.0.0.1:1\"}}}");
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s/contexts/tls/4444/docker'", cfg);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.env_config = cfg, .flag_context = "empty", .default_host = DEFAULT},
                        &ep, &err),
                0);
}

static void test_meta_tls(void **state) {
        char name[64], host[64];
        bool skip = true;
        (void) state;

#define META(text) context_parse_meta(text, strlen(text), name, sizeof(name), host, sizeof(host), &skip)
        assert_int_equal(META("{\"Name\":\"a\",\"Endpoints\":{\"docker\":{\"Host\":\"unix:///a\"}}}"), 0);
        assert_false(skip);
        assert_int_equal(META("{\"Name\":\"a\",\"Endpoints\":{\"docker\":{\"SkipTLSVerify\":true}}}"), 0);
        assert_true(skip);
        assert_int_equal(META("{\"Name\":\"a\",\"Endpoints\":{\"docker\":{\"SkipTLSVerify\":false}}}"), 0);
        assert_false(skip);
        assert_int_equal(META("{\"Name\":\"a\",\"Endpoints\":{\"docker\":{\"SkipTLSVerify\":null}}}"), 0);
        assert_false(skip);
        /* Not a boolean: it could mean either, so the file is refused. */
        assert_int_equal(META("{\"Name\":\"a\",\"Endpoints\":{\"docker\":{\"SkipTLSVerify\":\"false\"}}}"),
                         CONTEXT_PARSE_INVALID);
        assert_int_equal(META("{\"Name\":\"a\",\"Endpoints\":{\"docker\":{\"SkipTLSVerify\":1}}}"),
                         CONTEXT_PARSE_INVALID);
        /* Another endpoint's SkipTLSVerify is not the docker endpoint's. */
        assert_int_equal(META("{\"Name\":\"a\",\"Endpoints\":{\"kubernetes\":{\"SkipTLSVerify\":true}}}"), 0);
        assert_false(skip);
#undef META
}

static void test_tcp(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        (void) state;

        static const struct {
                const char *uri, *url;
        } good[] = {
                {"tcp://127.0.0.1:2375", "http://127.0.0.1:2375"}, {"tcp://127.1.2.3:80/", "http://127.1.2.3:80"},
                {"tcp://[::1]:2376", "http://[::1]:2376"},         {"tcp://localhost:9", "http://127.0.0.1:9"},
                {"tcp://127.0.0.1", "http://127.0.0.1:2375"},
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                assert_int_equal(endpoint_parse(good[i].uri, ENDPOINT_FROM_FLAG, &ep, &err), 0);
                assert_int_equal(ep.kind, ENDPOINT_TCP);
                assert_string_equal(ep.base_url, good[i].url);
        }

        static const char *const remote[] = {"tcp://192.0.2.1:2375", "tcp://example.com:2375", "ssh://user@host",
                                             "tcp://[2001:db8::1]:2375", "tcp://0.0.0.0:2375"};
        for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
                assert_true(endpoint_parse(remote[i], ENDPOINT_FROM_ENV, &ep, &err) < 0);
                assert_non_null(strstr(err.message, "is not on this machine"));
                assert_non_null(strstr(err.message, "DOCKER_HOST"));
        }

        static const char *const bad[] = {
                "tcp://127.0.0.1:0", "tcp://127.0.0.1:65536", "tcp://127.0.0.1:x", "tcp://", "tcp://[::1",
                "tcp://127.0.0.1:80/path",
                /* strtoul took each of these: a sign, spaces, a base prefix, junk after. */
                "tcp://127.0.0.1:+80", "tcp://127.0.0.1: 80", "tcp://127.0.0.1:-1", "tcp://127.0.0.1:\t80",
                "tcp://127.0.0.1:80 ", "tcp://127.0.0.1:0x50", "tcp://127.0.0.1:80x",
                "tcp://127.0.0.1:", "tcp://[::1]:+2375", "tcp://[::1]: 2375", "tcp://localhost:+9",
                "tcp://127.0.0.1:18446744073709551696", /* 2^64 + 80: wraps to 80 in an unsigned long */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_true(endpoint_parse(bad[i], ENDPOINT_FROM_FLAG, &ep, &err) < 0);
                assert_non_null(strstr(err.message, "invalid engine endpoint"));
        }
}

static void test_parse_decimal(void **state) {
        unsigned long v = 7;
        (void) state;

        static const struct {
                const char *s;
                unsigned long max, want;
        } good[] = {
                {"0", 10, 0},        {"80", 65535, 80}, {"65535", 65535, 65535},
                {"0080", 65535, 80}, {"9", 9, 9},       {"18446744073709551615", ULONG_MAX, ULONG_MAX},
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                assert_int_equal(nsx_parse_decimal(good[i].s, strlen(good[i].s), good[i].max, &v), 0);
                assert_true(v == good[i].want);
        }
        static const char *const invalid[] = {"",     "+80", "-80", " 80", "80 ", "\t80",
                                              "0x50", "80x", "8 0", "1.5", "\n"};
        for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
                v = 7;
                assert_int_equal(nsx_parse_decimal(invalid[i], strlen(invalid[i]), 65535, &v), -EINVAL);
                assert_true(v == 7); /* untouched */
        }
        static const struct {
                const char *s;
                unsigned long max;
        } range[] = {
                {"65536", 65535}, {"10", 9}, {"18446744073709551616", ULONG_MAX}, {"99999999999999999999999", 65535},
                {"1", 0},
        };
        for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++)
                assert_int_equal(nsx_parse_decimal(range[i].s, strlen(range[i].s), range[i].max, &v), -ERANGE);
        /* Only the first len bytes count. */
        assert_int_equal(nsx_parse_decimal("80/", 2, 65535, &v), 0);
        assert_true(v == 80);
}

static void test_bad_endpoints(void **state) {
        struct endpoint ep = {.socket_path = "untouched"};
        struct nsx_error err = {};
        (void) state;

        static const char *const bad[] = {
                "/var/run/docker.sock", "unix://", "unix://relative.sock",
                "docker.sock",          "fd://",   "npipe:////./pipe/docker_engine",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_true(endpoint_parse(bad[i], ENDPOINT_FROM_FLAG, &ep, &err) < 0);
                assert_int_equal(err.kind, NSX_ERR_FAILED);
                assert_non_null(strstr(err.message, bad[i]));
                assert_non_null(strstr(err.message, "--host"));
                assert_string_equal(ep.socket_path, "untouched");
        }
        assert_true(endpoint_resolve(&(struct endpoint_inputs){.env_host = "fd://", .default_host = DEFAULT}, &ep,
                                     &err) < 0);
        assert_non_null(strstr(err.message, "DOCKER_HOST"));
        assert_non_null(strstr(err.message, "unsupported"));
}

static void test_path_length(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        char uri[256] = "unix://";
        (void) state;

        /* sun_path holds 108 bytes: 107 characters and the NUL. */
        memset(uri + 7, 'a', ENDPOINT_PATH_MAX);
        uri[7] = '/';
        uri[7 + ENDPOINT_PATH_MAX] = '\0';
        assert_int_equal(ENDPOINT_PATH_MAX, 107);
        assert_int_equal(endpoint_parse(uri, ENDPOINT_FROM_FLAG, &ep, &err), 0);
        assert_int_equal(strlen(ep.socket_path), 107);

        strcat(uri, "a");
        assert_true(endpoint_parse(uri, ENDPOINT_FROM_FLAG, &ep, &err) < 0);
        assert_int_equal(err.errnum, ENAMETOOLONG);
        assert_non_null(strstr(err.message, "too long"));
}

/* CRI engines: crictl's option and variable, where they stand among Docker's choices. */
static void test_cri_priority(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        char cfg[128];
        (void) state;

        /* --runtime-endpoint: a CRI engine, named by the caller. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.flag_runtime = "unix:///run/cri.sock",
                                                                    .env_host = "unix:///env.sock",
                                                                    .env_context = "nope",
                                                                    .env_runtime = "unix:///run/env-cri.sock",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/run/cri.sock");
        assert_int_equal(ep.api, ENDPOINT_API_CRI);
        assert_int_equal(ep.source, ENDPOINT_FROM_RUNTIME_FLAG);
        assert_string_equal(endpoint_source_name(ep.source), "--runtime-endpoint");
        assert_true(ep.named);

        /* -H and --context come first (the option parser refuses two of them together). */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.flag_host = "unix:///flag.sock",
                                                                    .flag_runtime = "unix:///run/cri.sock",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/flag.sock");
        assert_int_equal(ep.api, ENDPOINT_API_DOCKER);

        /* DOCKER_HOST and DOCKER_CONTEXT come before CONTAINER_RUNTIME_ENDPOINT. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_host = "unix:///env.sock",
                                                                    .env_runtime = "unix:///run/env-cri.sock",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/env.sock");
        assert_int_equal(ep.api, ENDPOINT_API_DOCKER);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_context = "default",
                                                                    .env_runtime = "unix:///run/env-cri.sock",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_int_equal(ep.source, ENDPOINT_FROM_CONTEXT_ENV);
        assert_int_equal(ep.api, ENDPOINT_API_DOCKER);

        /* CONTAINER_RUNTIME_ENDPOINT comes before config.json's context and the default. */
        write_file("cfg/contexts/meta/bbbb/meta.json",
                   "{\"Name\":\"ctx-b\",\"Endpoints\":{\"docker\":{\"Host\":\"unix:///b.sock\"}}}");
        write_file("cfg/config.json", "{\"currentContext\":\"ctx-b\"}");
        snprintf(cfg, sizeof(cfg), "%s/cfg", tmp);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_runtime = "unix:///run/env-cri.sock",
                                                                    .env_config = cfg,
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/run/env-cri.sock");
        assert_int_equal(ep.api, ENDPOINT_API_CRI);
        assert_int_equal(ep.source, ENDPOINT_FROM_RUNTIME_ENV);
        assert_string_equal(endpoint_source_name(ep.source), "CONTAINER_RUNTIME_ENDPOINT");
        assert_true(ep.named);
        /* ... and, empty, counts as unset. */
        assert_int_equal(
                endpoint_resolve(
                        &(struct endpoint_inputs){.env_runtime = "", .env_config = cfg, .default_host = DEFAULT}, &ep,
                        &err),
                0);
        assert_string_equal(ep.socket_path, "/b.sock");
        assert_int_equal(ep.api, ENDPOINT_API_DOCKER);

        /* DOCKER_TLS* are Docker's: a CRI endpoint does not care. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.flag_runtime = "unix:///run/cri.sock",
                                                                    .env_tls_verify = "1",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_int_equal(ep.api, ENDPOINT_API_CRI);
}

static void test_cri_bad(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        (void) state;

        /* unix:// only: crictl's tcp:// would be plain gRPC to whoever holds the port. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.flag_runtime = "tcp://127.0.0.1:10010",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         -EPROTONOSUPPORT);
        assert_string_equal(err.message, "invalid CRI endpoint 'tcp://127.0.0.1:10010' (from --runtime-endpoint): "
                                         "expected unix:///path/to/socket");
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs){.env_runtime = "/run/containerd/containerd.sock",
                                                                    .default_host = DEFAULT},
                                          &ep, &err),
                         -EINVAL);
        assert_string_equal(err.message, "invalid CRI endpoint '/run/containerd/containerd.sock' (from "
                                         "CONTAINER_RUNTIME_ENDPOINT): expected unix:///path/to/socket");
        assert_int_equal(endpoint_parse_cri("unix://run/x.sock", ENDPOINT_FROM_RUNTIME_FLAG, &ep, &err), -EINVAL);
        assert_int_equal(endpoint_parse_cri("unix:///run/x.sock", ENDPOINT_FROM_RUNTIME_FLAG, &ep, &err), 0);
        assert_int_equal(ep.api, ENDPOINT_API_CRI);
        assert_false(ep.named);
}

/* The search: Docker's and Podman's sockets, then the CRI engines', in their order. */
static void test_cri_search(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        char xdg[128], want[1536], path[256];
        (void) state;

        /* The built-in list, in its order. */
        assert_string_equal(endpoint_cri_sockets[0], "/run/containerd/containerd.sock");
        assert_string_equal(endpoint_cri_sockets[1], "/run/k3s/containerd/containerd.sock");
        assert_string_equal(endpoint_cri_sockets[2], "/var/snap/microk8s/common/run/containerd.sock");
        assert_string_equal(endpoint_cri_sockets[3], "/run/crio/crio.sock");

        snprintf(xdg, sizeof(xdg), "%s/xdg", tmp);
#define SEARCH(caller_)                                                                                                \
        endpoint_resolve(                                                                                              \
                &(struct endpoint_inputs){                                                                             \
                        .xdg_runtime_dir = xdg, .default_host = NOWHERE, .cri_root = tmp, .caller = (caller_)},        \
                &ep, &err)
        /* Nothing anywhere: every path tried, in order, Docker's, Podman's and the CRI ones. */
        assert_int_equal(SEARCH(geteuid()), 0);
        if (access("/run/podman/podman.sock", F_OK) != 0) {
                snprintf(want, sizeof(want),
                         "/nonexistent/nsx-test/docker.sock, %s/docker.sock, /run/podman/podman.sock, "
                         "%s/podman/podman.sock, %s/run/containerd/containerd.sock, "
                         "%s/run/k3s/containerd/containerd.sock, %s/var/snap/microk8s/common/run/containerd.sock, "
                         "%s/run/crio/crio.sock",
                         xdg, xdg, tmp, tmp, tmp, tmp);
                assert_string_equal(ep.tried, want);
                assert_int_equal(ep.api, ENDPOINT_API_DOCKER);
                assert_int_equal(ep.source, ENDPOINT_FROM_DEFAULT);

                /* The last candidate, then an earlier one: the first that exists wins. */
                make_socket("run/crio/crio.sock");
                assert_int_equal(SEARCH(geteuid()), 0);
                snprintf(want, sizeof(want), "%s/run/crio/crio.sock", tmp);
                assert_string_equal(ep.socket_path, want);
                assert_int_equal(ep.api, ENDPOINT_API_CRI);
                assert_int_equal(ep.source, ENDPOINT_FROM_SEARCH);
                assert_false(ep.named);
                assert_string_equal(ep.tried, "");
                assert_non_null(strstr(ep.why, "a CRI engine's"));
                make_socket("run/k3s/containerd/containerd.sock");
                assert_int_equal(SEARCH(geteuid()), 0);
                assert_non_null(strstr(ep.socket_path, "/run/k3s/containerd/containerd.sock"));

                /* The same rules as Docker's candidates: a link is passed over, and said so. */
                make_socket("real.sock");
                make_socket("run/containerd/x");
                snprintf(path, sizeof(path), "%s/run/containerd/containerd.sock", tmp);
                assert_int_equal(symlink("../../real.sock", path), 0);
                assert_int_equal(SEARCH(geteuid()), 0);
                assert_non_null(strstr(ep.socket_path, "/run/k3s/containerd/containerd.sock"));
                assert_non_null(strstr(ep.why, "/run/containerd/containerd.sock (skipped: a symbolic link)"));
                assert_int_equal(unlink(path), 0);
                make_socket("run/containerd/containerd.sock");
                assert_int_equal(SEARCH(geteuid()), 0);
                assert_string_equal(ep.socket_path, path);
                assert_int_equal(ep.api, ENDPOINT_API_CRI);
                /* Another user's: passed over. */
                if (geteuid() == 0) {
                        assert_int_equal(chown(path, 65534, 65534), 0);
                        assert_int_equal(SEARCH(0), 0);
                        assert_non_null(strstr(ep.socket_path, "/run/k3s/containerd/containerd.sock"));
                        assert_non_null(strstr(ep.why, "(skipped: owned by uid 65534, neither root nor the caller)"));
                }
        }

        /* Docker's and Podman's sockets come before every CRI one. */
        make_socket("xdg/podman/podman.sock");
        assert_int_equal(SEARCH(geteuid()), 0);
        assert_int_equal(ep.api, ENDPOINT_API_DOCKER);
        if (access("/run/podman/podman.sock", F_OK) != 0)
                assert_non_null(strstr(ep.socket_path, "/xdg/podman/podman.sock"));
#undef SEARCH
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_priority),
                cmocka_unit_test_setup_teardown(test_contexts, make_tmp, remove_tmp),
                cmocka_unit_test_setup_teardown(test_search, make_tmp, remove_tmp),
                cmocka_unit_test(test_candidates),
                cmocka_unit_test_setup_teardown(test_search_skips, make_tmp, remove_tmp),
                cmocka_unit_test_setup_teardown(test_named, make_tmp, remove_tmp),
                cmocka_unit_test(test_trusts),
                cmocka_unit_test_setup_teardown(test_tls, make_tmp, remove_tmp),
                cmocka_unit_test(test_meta_tls),
                cmocka_unit_test(test_tcp),
                cmocka_unit_test(test_parse_decimal),
                cmocka_unit_test(test_bad_endpoints),
                cmocka_unit_test(test_path_length),
                cmocka_unit_test_setup_teardown(test_cri_priority, make_tmp, remove_tmp),
                cmocka_unit_test(test_cri_bad),
                cmocka_unit_test_setup_teardown(test_cri_search, make_tmp, remove_tmp),
        };
        return cmocka_run_group_tests_name("endpoint", tests, NULL, NULL);
}
