/* SPDX-License-Identifier: MIT */
/* Unit tests: container references, the inspect parser over real and broken answers, states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "test-file.h"

/* Reads tests/data/NAME (the directory comes from NSX_TEST_DATA) into a malloc'd buffer. */
static char *fixture(const char *name, size_t *ret_len) {
        return test_read_file("NSX_TEST_DATA", name, ret_len);
}

static int parse_fixture(const char *name, struct container *c, struct nsx_error *err) {
        size_t len;
        char *buf = fixture(name, &len);
        int r = container_parse_inspect("web", buf, len, c, err);

        free(buf);
        return r;
}

static void test_ref_valid(void **state) {
        static const char *const good[] = {
                "web",
                "/web",
                "a",
                "9",
                "my_app.v2-1",
                "f2eb554024d0",
                "f2eb554024d025ea9378b5e1308d41330c2b82c62989ec404866820054966b62",
        };
        const char *ref;
        (void) state;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                assert_int_equal(container_ref_check(good[i], &ref, NULL), 0);
                assert_string_equal(ref, good[i] + (good[i][0] == '/'));
        }
}

static void test_ref_invalid(void **state) {
        /* Anything that could steer the request elsewhere, or that Docker never allows. */
        static const char *const bad[] = {
                "",     "/",    "//web", "web/json?", "web?x=1", "web#frag",  "../web", "..",        ".web",  "-web",
                "_web", "web/", "a b",   "web%2f",    "web\n",   "w\xc3\xa9", "web:1",  "/web/json", "we\\b",
        };
        struct nsx_error err;
        const char *ref = "untouched";
        (void) state;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err = (struct nsx_error){};
                assert_true(container_ref_check(bad[i], &ref, &err) < 0);
                assert_string_equal(ref, "untouched");
                assert_int_not_equal(err.kind, NSX_OK);
                assert_non_null(strstr(err.message, "invalid container name or ID"));
                /* The message is one line even when the input is not. */
                assert_null(strchr(err.message, '\n'));
        }
}

static void test_inspect_path(void **state) {
        char buf[64];
        char small[8];
        (void) state;

        struct nsx_error err = {};

        assert_int_equal(container_inspect_path("web", "/web", buf, sizeof(buf), &err), 0);
        assert_string_equal(buf, "/containers/web/json");
        assert_int_equal(container_inspect_path("web", "/web", small, sizeof(small), &err), -ENAMETOOLONG);
        assert_int_equal(err.kind, NSX_ERR_FAILED);
        assert_string_equal(err.message, "container name too long: '/web'");
}

static void test_parse_running(void **state) {
        struct container c;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(parse_fixture("good-running.json", &c, &err), 0);
        assert_string_equal(c.id, "439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1");
        assert_string_equal(c.name, "web");
        assert_int_equal(c.status, CONTAINER_STATUS_RUNNING);
        assert_true(c.running);
        assert_false(c.paused);
        assert_true(c.pid > 0);
        assert_int_equal(container_check_running("web", &c, &err), 0);
        container_done(&c);
}

static void test_parse_paths(void **state) {
        static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        static const struct {
                const char *fields;
                int r;
        } cases[] = {
                {"\"ResolvConfPath\":\"/r/resolv.conf\",\"HostsPath\":\"/r/hosts\"", 0},
                {"\"ResolvConfPath\":\"\",\"HostsPath\":null", 0},
                {"\"ResolvConfPath\":\"relative/resolv.conf\"", -EBADMSG},
                {"\"HostsPath\":7", -EBADMSG},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct container c = {};
                struct nsx_error err = {};
                char body[512];

                snprintf(body, sizeof(body), "{\"Id\":\"%s\",\"State\":{\"Running\":true,\"Pid\":4},%s}", id,
                         cases[i].fields);
                assert_int_equal(container_parse_inspect("web", body, strlen(body), &c, &err), cases[i].r);
                if (i == 0) {
                        assert_string_equal(c.resolv_conf_path, "/r/resolv.conf");
                        assert_string_equal(c.hosts_path, "/r/hosts");
                } else if (i == 1) {
                        assert_null(c.resolv_conf_path);
                        assert_null(c.hosts_path);
                } else {
                        assert_non_null(strstr(err.message, "absolute path"));
                }
                container_done(&c);
        }
}

static void test_parse_list(void **state) {
        struct container_summary *list = NULL;
        struct nsx_error err = {};
        size_t len, n = 0;
        char *buf = fixture("good-list.json", &len);
        (void) state;

        assert_int_equal(container_parse_list(buf, len, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        /* The own name, not the link alias "/client/web"; a name without "/" (Podman) too. */
        assert_string_equal(list[0].name, "web");
        assert_string_equal(list[0].id, "439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1");
        assert_string_equal(list[1].name, "client");
        container_summaries_free(list, n);
        free(buf);

        assert_int_equal(container_parse_list("[]", 2, &list, &n, &err), 0);
        assert_int_equal(n, 0);
        container_summaries_free(list, n);

        static const struct {
                const char *file, *want;
        } bad[] = {
                {"bad-list-no-name.json", "has no valid name"},
                {"bad-list-name-escape.json", "has no valid name"},
                {"bad-list-id.json", "64-digit"},
                {"bad-list-object.json", "not a JSON array"},
                {"bad-truncated.json", "not a JSON array"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                list = NULL;
                buf = fixture(bad[i].file, &len);
                assert_int_equal(container_parse_list(buf, len, &list, &n, &err), -EBADMSG);
                assert_null(list);
                assert_non_null(strstr(err.message, bad[i].want));
                free(buf);
        }
}

/* A list entry with these Ports, as the engine would send it. */
static int parse_list_ports(const char *ports, struct container_summary **list, size_t *n, struct nsx_error *err) {
        char body[17000];

        snprintf(body, sizeof(body),
                 "[{\"Id\":\"439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1\",\"Names\":[\"/"
                 "web\"]%s%s}]",
                 ports ? ",\"Ports\":" : "", ports ? ports : "");
        return container_parse_list(body, strlen(body), list, n, err);
}

static void test_parse_list_ports(void **state) {
        struct container_summary *list = NULL;
        struct nsx_error err = {};
        size_t n = 0;
        char many[16384];
        size_t len = 0;
        (void) state;

        /* Docker's shape: a published port once per host address, an exposed one without IP. */
        assert_int_equal(
                parse_list_ports("[{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
                                 "{\"IP\":\"::\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
                                 "{\"PrivatePort\":53,\"Type\":\"udp\"},{\"PrivatePort\":7,\"Type\":\"tcp\"},"
                                 "{\"PrivatePort\":9,\"Type\":\"sctp\"}]",
                                 &list, &n, &err),
                0);
        assert_int_equal(n, 1);
        assert_int_equal(list[0].n_ports, 3);
        assert_int_equal(list[0].ports[0].port, 7);
        assert_int_equal(list[0].ports[0].proto, CONTAINER_PROTO_TCP);
        assert_int_equal(list[0].ports[1].port, 80);
        assert_int_equal(list[0].ports[2].port, 53);
        assert_int_equal(list[0].ports[2].proto, CONTAINER_PROTO_UDP);
        container_summaries_free(list, n);

        /* None: absent, null, empty, or sctp only. */
        static const char *const none[] = {NULL, "null", "[]", "[{\"PrivatePort\":9,\"Type\":\"sctp\"}]"};
        for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
                assert_int_equal(parse_list_ports(none[i], &list, &n, &err), 0);
                assert_int_equal(list[0].n_ports, 0);
                assert_null(list[0].ports);
                container_summaries_free(list, n);
        }

        /* Malformed: an error, as a malformed name is. */
        static const char *const bad[] = {
                "{}",
                "\"80/tcp\"",
                "[80]",
                "[{\"Type\":\"tcp\"}]",
                "[{\"PrivatePort\":80}]",
                "[{\"PrivatePort\":\"80\",\"Type\":\"tcp\"}]",
                "[{\"PrivatePort\":0,\"Type\":\"tcp\"}]",
                "[{\"PrivatePort\":65536,\"Type\":\"tcp\"}]",
                "[{\"PrivatePort\":-80,\"Type\":\"tcp\"}]",
                "[{\"PrivatePort\":80.5,\"Type\":\"tcp\"}]",
                "[{\"PrivatePort\":1e300,\"Type\":\"tcp\"}]",
                "[{\"PrivatePort\":80,\"Type\":\"TCP\"}]",
                "[{\"PrivatePort\":80,\"Type\":\"tcp\\u001b[2J\"}]",
                "[{\"PrivatePort\":80,\"Type\":null}]",
                "[{\"PrivatePort\":80,\"Type\":\"tcp\"},{\"PrivatePort\":81,\"Type\":\"icmp\"}]",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                list = NULL;
                err = (struct nsx_error){};
                if (parse_list_ports(bad[i], &list, &n, &err) != -EBADMSG)
                        fail_msg("Ports %s accepted", bad[i]);
                assert_null(list);
                assert_non_null(strstr(err.message, "Ports is malformed"));
        }

        /* Bounded: the lowest CONTAINER_SUMMARY_PORTS_MAX, whatever the engine's order. */
        len += (size_t) snprintf(many + len, sizeof(many) - len, "[");
        for (int p = 300; p >= 1; p--)
                len += (size_t) snprintf(many + len, sizeof(many) - len, "%s{\"PrivatePort\":%d,\"Type\":\"tcp\"}",
                                         p == 300 ? "" : ",", p);
        snprintf(many + len, sizeof(many) - len, "]");
        assert_true(strlen(many) < sizeof(many) - 1);
        assert_int_equal(parse_list_ports(many, &list, &n, &err), 0);
        assert_int_equal(list[0].n_ports, CONTAINER_SUMMARY_PORTS_MAX);
        for (size_t i = 0; i < CONTAINER_SUMMARY_PORTS_MAX; i++)
                assert_int_equal(list[0].ports[i].port, i + 1);
        container_summaries_free(list, n);
}

static void test_list_from_response(void **state) {
        struct container_summary *list = NULL;
        struct nsx_error err = {};
        size_t n = 0;
        (void) state;

        assert_int_equal(container_list_from_response(500, "{\"message\":\"boom\"}", 18, &list, &n, &err), -EPROTO);
        assert_string_equal(err.message, "the engine refused to list containers (HTTP 500): boom");
        assert_int_equal(err.http_status, 500);
        err = (struct nsx_error){};
        assert_int_equal(container_list_from_response(404, "", 0, &list, &n, &err), -EPROTO);
        assert_string_equal(err.message, "the engine refused to list containers (HTTP 404)");
        assert_null(list);
        assert_int_equal(container_list_from_response(200, "[]", 2, &list, &n, &err), 0);
        assert_int_equal(n, 0);
        container_summaries_free(list, n);
}

static void test_states(void **state) {
        static const struct {
                const char *file;
                enum container_status status;
                const char *says;
        } cases[] = {
                {"good-paused.json", CONTAINER_STATUS_PAUSED, "is paused"},
                {"good-restarting.json", CONTAINER_STATUS_RESTARTING, "is restarting"},
                {"good-exited.json", CONTAINER_STATUS_EXITED, "is not running (exited)"},
                {"good-created.json", CONTAINER_STATUS_CREATED, "was created but never started"},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct container c;
                struct nsx_error err = {};

                assert_int_equal(parse_fixture(cases[i].file, &c, &err), 0);
                assert_int_equal(c.status, cases[i].status);
                assert_true(container_check_running("web", &c, &err) < 0);
                assert_int_equal(err.kind, NSX_ERR_FAILED);
                assert_true(err.errnum == EAGAIN || err.errnum == ESRCH); /* not running, not unknown */
                if (!strstr(err.message, cases[i].says))
                        fail_msg("%s: got '%s'", cases[i].file, err.message);
                assert_non_null(strstr(err.message, "'web'"));
                container_done(&c);
        }
}

static void test_state_edge_cases(void **state) {
        struct nsx_error err = {};
        (void) state;

        /* Running with PID 0: nothing to enter, however the flags read. */
        struct container c = {.running = true, .status = CONTAINER_STATUS_RUNNING, .pid = 0};
        assert_true(container_check_running("web", &c, &err) < 0);
        assert_non_null(strstr(err.message, "PID 0"));

        c = (struct container){.running = true, .dead = true, .pid = 5};
        assert_true(container_check_running("web", &c, &err) < 0);
        assert_non_null(strstr(err.message, "is dead"));

        c = (struct container){.running = true, .status = CONTAINER_STATUS_REMOVING, .pid = 5};
        assert_true(container_check_running("web", &c, &err) < 0);
        assert_non_null(strstr(err.message, "being removed"));

        /* An engine that sends no Status (old or foreign): the flags still decide. */
        c = (struct container){.running = true, .pid = 5};
        assert_int_equal(container_check_running("web", &c, &err), 0);
}

static void test_parse_bad(void **state) {
        static const struct {
                const char *file;
                const char *says;
        } cases[] = {
                {"bad-not-json.json", "not a JSON object"},
                {"bad-empty.json", "not a JSON object"},
                {"bad-array.json", "not a JSON object"},
                {"bad-truncated.json", "not a JSON object"},
                {"bad-state-missing.json", "State is missing"},
                {"bad-state-string.json", "State is missing"},
                {"bad-pid-missing.json", "State.Pid is missing"},
                {"bad-pid-string.json", "State.Pid is missing or not a number"},
                {"bad-pid-negative.json", "State.Pid is not a valid"},
                {"bad-pid-fraction.json", "State.Pid is not a valid"},
                {"bad-pid-huge.json", "State.Pid is not a valid"},
                {"bad-pid-enormous.json", "State.Pid is not a valid"},
                {"bad-id-missing.json", "Id is not"},
                {"bad-id-short.json", "Id is not"},
                {"bad-id-not-hex.json", "Id is not hexadecimal"},
                {"bad-id-upper.json", "Id is not hexadecimal"},
                {"bad-running-string.json", "not a boolean"},
                {"bad-name-number.json", "Name is not a string"},
                {"bad-name-escape.json", "Name is not a valid container name"},
                {"bad-config-type.json", "Config is not an object"},
                {"bad-config-user-number.json", "Config.User is not a valid user"},
                {"bad-config-user-escape.json", "Config.User is not a valid user"},
                {"bad-config-env-object.json", "Config.Env is not an array"},
                {"bad-config-env-number.json", "Config.Env has an entry that is not KEY=VALUE"},
                {"bad-config-env-no-key.json", "Config.Env has an entry that is not KEY=VALUE"},
                {"bad-config-hostname-newline.json", "Config.Hostname is not a valid hostname"},
                {"bad-config-hostname-number.json", "Config.Hostname is not a valid hostname"},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct container c = {.name = (char *) "untouched"};
                struct nsx_error err = {};

                assert_true(parse_fixture(cases[i].file, &c, &err) < 0);
                assert_int_equal(err.kind, NSX_ERR_FAILED);
                if (!strstr(err.message, cases[i].says))
                        fail_msg("%s: got '%s'", cases[i].file, err.message);
                assert_string_equal(c.name, "untouched");
        }
}

static void test_parse_minimal(void **state) {
        /* The smallest answer that names a process: other engines may send no more. */
        static const char body[] = "{\"Id\":\""
                                   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                                   "\",\"State\":{\"Running\":true,\"Pid\":4194304}}";
        struct container c;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(container_parse_inspect("x", body, strlen(body), &c, &err), 0);
        assert_int_equal(c.pid, 4194304);
        assert_string_equal(c.name, "");
        assert_int_equal(c.status, CONTAINER_STATUS_UNKNOWN);
        container_done(&c);

        /* Length-bounded: bytes past len are not read. */
        assert_true(container_parse_inspect("x", body, strlen(body) - 2, &c, &err) < 0);
}

static void test_from_response(void **state) {
        static const char not_found[] = "{\"message\":\"No such container: nope\"}";
        static const char ambiguous[] = "{\"message\":\"multiple IDs found with provided prefix: 4\"}";
        static const char html[] = "<html>\r\nBad Gateway</html>";
        static const char evil[] = "{\"message\":\"a\\u001b[31mred\\nsecond line\"}";
        struct container c;
        struct nsx_error err = {};
        (void) state;

        assert_true(container_from_response("nope", 404, not_found, strlen(not_found), &c, &err) < 0);
        assert_int_equal(err.kind, NSX_ERR_FAILED);
        assert_int_equal(err.errnum, ENOENT);
        assert_string_equal(err.message, "no such container: 'nope'");
        assert_int_equal(err.http_status, 404);

        assert_true(container_from_response("4", 400, ambiguous, strlen(ambiguous), &c, &err) < 0);
        assert_int_equal(err.kind, NSX_ERR_FAILED);
        assert_int_equal(err.errnum, ENOENT);
        assert_string_equal(err.message,
                            "ambiguous container ID prefix '4' (HTTP 400): multiple IDs found with provided prefix: 4");

        static const char podman[] = "{\"cause\":\"container already exists\",\"message\":\"more than one result "
                                     "for container ID d: container already exists\",\"response\":404}";
        assert_true(container_from_response("d", 404, podman, strlen(podman), &c, &err) < 0);
        assert_string_equal(err.message, "ambiguous container ID prefix 'd' (HTTP 404): more than one result for "
                                         "container ID d: container already exists");

        assert_true(container_from_response("web", 502, html, strlen(html), &c, &err) < 0);
        assert_string_equal(err.message, "the engine failed on container 'web' (HTTP 502): <html>");

        assert_true(container_from_response("web", 500, "", 0, &c, &err) < 0);
        assert_string_equal(err.message, "the engine failed on container 'web' (HTTP 500)");

        /* Control characters from the engine never reach the terminal. */
        assert_true(container_from_response("web", 500, evil, strlen(evil), &c, &err) < 0);
        assert_null(strchr(err.message, '\033'));
        assert_null(strchr(err.message, '\n'));
        assert_non_null(strstr(err.message, "a?[31mred?second line"));
}

static void test_engine_message_bounds(void **state) {
        char big[600];
        char out[16];
        (void) state;

        memset(big, 'x', sizeof(big));
        container_engine_message(big, sizeof(big), out, sizeof(out));
        assert_int_equal(strlen(out), sizeof(out) - 1);
        container_engine_message(NULL, 0, out, sizeof(out));
        assert_string_equal(out, "");
}

static int parse_ports_fixture(const char *name, struct container_port **ports, size_t *n, struct nsx_error *err) {
        size_t len;
        char *buf = fixture(name, &len);
        int r = container_parse_ports("web", buf, len, ports, n, err);

        free(buf);
        return r;
}

static void test_parse_ports(void **state) {
        struct container_port *p;
        struct nsx_error err = {};
        size_t n;
        (void) state;

        /* A real dockerd 20.10 answer: -p 8080:8080 -p 127.0.0.1:9999:9999/udp --expose 7000. */
        assert_int_equal(parse_ports_fixture("good-ports.json", &p, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_int_equal(p[0].port, 7000);
        assert_int_equal(p[0].proto, CONTAINER_PROTO_TCP);
        assert_true(p[0].exposed);
        assert_int_equal(p[0].n_bindings, 0);
        assert_int_equal(p[1].port, 8080);
        assert_int_equal(p[1].n_bindings, 2);
        assert_string_equal(p[1].bindings[0].host_ip, "0.0.0.0");
        assert_int_equal(p[1].bindings[0].host_port, 8080);
        assert_string_equal(p[1].bindings[1].host_ip, "::");
        assert_int_equal(p[2].port, 9999);
        assert_int_equal(p[2].proto, CONTAINER_PROTO_UDP);
        assert_string_equal(container_proto_name(p[2].proto), "udp");
        assert_string_equal(p[2].bindings[0].host_ip, "127.0.0.1");
        container_ports_free(p, n);

        /* No ExposedPorts, a bare "80" key (tcp), sctp skipped, udp and tcp of one port apart. */
        assert_int_equal(parse_ports_fixture("good-ports-mixed.json", &p, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_int_equal(p[0].port, 53);
        assert_int_equal(p[0].proto, CONTAINER_PROTO_TCP);
        assert_int_equal(p[0].n_bindings, 0);
        assert_true(p[0].exposed);
        assert_int_equal(p[1].port, 80);
        assert_string_equal(p[1].bindings[0].host_ip, "127.0.0.1");
        assert_int_equal(p[1].bindings[0].host_port, 8000);
        assert_int_equal(p[2].port, 53);
        assert_int_equal(p[2].proto, CONTAINER_PROTO_UDP);
        assert_string_equal(p[2].bindings[0].host_ip, "");
        assert_int_equal(p[2].bindings[0].host_port, 5353);
        container_ports_free(p, n);

        /* --net none: "Ports": {} and no ExposedPorts. */
        assert_int_equal(parse_ports_fixture("good-running.json", &p, &n, &err), 0);
        assert_int_equal(n, 0);
        container_ports_free(p, n);
}

static void test_parse_network_mode(void **state) {
        struct nsx_error err = {};
        char mode[32] = "x";
        size_t len;
        char *buf;
        (void) state;

        buf = fixture("good-ports.json", &len);
        assert_int_equal(container_parse_network_mode("web", buf, len, mode, sizeof(mode), NULL), 0);
        assert_string_equal(mode, "default");
        free(buf);
        assert_int_equal(container_parse_network_mode("web", "{}", 2, mode, sizeof(mode), NULL), 0);
        assert_string_equal(mode, "");
        assert_int_equal(container_parse_network_mode("web", "{\"HostConfig\":{\"NetworkMode\":\"host\"}}", 37, mode,
                                                      sizeof(mode), NULL),
                         0);
        assert_string_equal(mode, "host");
        assert_int_equal(container_parse_network_mode("web", "{\"HostConfig\":{\"NetworkMode\":1}}", 32, mode,
                                                      sizeof(mode), &err),
                         -EBADMSG);
        assert_string_equal(err.message,
                            "the engine's answer for container 'web' is malformed: HostConfig.NetworkMode");
        assert_int_equal(container_parse_network_mode("web", "[", 1, mode, sizeof(mode), NULL), -EBADMSG);
}

static void test_parse_ports_bad(void **state) {
        static const char *const bad[] = {
                "bad-ports-key.json",
                "bad-ports-hostport.json",
                "bad-ports-array.json",
                "bad-ports-range.json",
                "bad-not-json.json",
                "bad-truncated.json",
                "bad-ports-hostip-escape.json",
                "bad-ports-hostip-newline.json",
                "bad-ports-hostip-name.json",
        };
        struct container_port *p = (struct container_port *) 0x1;
        size_t n = 42;
        (void) state;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct nsx_error err = {};

                if (parse_ports_fixture(bad[i], &p, &n, &err) >= 0)
                        fail_msg("%s parsed", bad[i]);
                assert_int_equal(err.kind, NSX_ERR_FAILED);
                assert_non_null(strstr(err.message, "'web'"));
                assert_ptr_equal(p, (struct container_port *) 0x1);
                assert_int_equal(n, 42);
        }
}

static void test_parse_config(void **state) {
        struct container c;
        struct nsx_error err = {};
        (void) state;

        /* A real answer with no user, a null Env and the short ID as hostname. */
        assert_int_equal(parse_fixture("good-running.json", &c, &err), 0);
        assert_string_equal(c.user, "");
        assert_null(c.env);
        assert_string_equal(c.hostname, "439df2c9707a");
        container_done(&c);
        assert_null(c.user);
        assert_null(c.env);
        assert_null(c.hostname);

        assert_int_equal(parse_fixture("good-config.json", &c, &err), 0);
        assert_string_equal(c.user, "app:staff");
        assert_string_equal(c.hostname, "web-1.example");
        assert_non_null(c.env);
        assert_string_equal(c.env[0], "PATH=/opt/bin:/usr/bin");
        assert_string_equal(c.env[1], "LANG=C.UTF-8");
        /* A value may span lines: only keys must be printable. */
        assert_string_equal(c.env[2], "MULTI=line1\nline2");
        assert_string_equal(c.env[3], "EMPTY=");
        assert_null(c.env[4]);
        container_done(&c);
}

static void test_parse_config_minimal(void **state) {
        static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        static const struct {
                const char *config; /* the Config member, or "" for none */
                int r;
        } cases[] = {
                {"", 0},
                {",\"Config\":null", 0},
                {",\"Config\":{}", 0},
                {",\"Config\":{\"User\":null,\"Env\":[],\"Hostname\":\"\"}", 0},
                {",\"Config\":{\"Env\":[\"UNSET_ME\"]}", 0}, /* KEY alone: the daemon's "remove" */
                {",\"Config\":{\"Env\":\"A=1\"}", -EBADMSG},
                {",\"Config\":{\"Env\":[\"A\\u0001B=1\"]}", -EBADMSG},
                {",\"Config\":{\"Env\":[null]}", -EBADMSG},
                {",\"Config\":{\"User\":[\"root\"]}", -EBADMSG},
                {",\"Config\":{\"User\":\"a\\nb\"}", -EBADMSG},
                {",\"Config\":{\"Hostname\":\"a b\"}", -EBADMSG},
                {",\"Config\":7", -EBADMSG},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct container c = {};
                struct nsx_error err = {};
                char body[512];

                snprintf(body, sizeof(body), "{\"Id\":\"%s\",\"State\":{\"Running\":true,\"Pid\":4}%s}", id,
                         cases[i].config);
                if (container_parse_inspect("web", body, strlen(body), &c, &err) != cases[i].r)
                        fail_msg("case %zu (%s): %s", i, cases[i].config, err.message);
                if (cases[i].r == 0) {
                        assert_string_equal(c.user, "");
                        assert_null(c.hostname);
                } else {
                        assert_int_equal(err.kind, NSX_ERR_FAILED);
                        assert_non_null(strstr(err.message, "Config"));
                }
                container_done(&c);
        }
}

/* An answer whose Config.Env has n entries of size bytes each. */
static char *env_body(size_t n, size_t size) {
        static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        size_t cap = 256 + n * (size + 8);
        char *body = malloc(cap), *p;

        if (!body)
                abort(); /* not assert_non_null: the compiler cannot see that it does not return */
        p = body + sprintf(body, "{\"Id\":\"%s\",\"State\":{\"Running\":true,\"Pid\":4},\"Config\":{\"Env\":[", id);
        for (size_t i = 0; i < n; i++) {
                *p++ = i ? ',' : '"';
                if (i)
                        *p++ = '"';
                *p++ = 'K';
                *p++ = '=';
                memset(p, 'v', size - 2);
                p += size - 2;
                *p++ = '"';
        }
        strcpy(p, "]}}");
        return body;
}

static void test_parse_config_bounds(void **state) {
        struct container c = {};
        struct nsx_error err = {};
        char *body;
        (void) state;

        body = env_body(CONTAINER_ENV_MAX, 4);
        assert_int_equal(container_parse_inspect("web", body, strlen(body), &c, &err), 0);
        assert_non_null(c.env[CONTAINER_ENV_MAX - 1]);
        assert_null(c.env[CONTAINER_ENV_MAX]);
        container_done(&c);
        free(body);

        body = env_body(CONTAINER_ENV_MAX + 1, 4);
        assert_int_equal(container_parse_inspect("web", body, strlen(body), &c, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "too many"));
        free(body);

        body = env_body(1, CONTAINER_ENV_ENTRY_MAX);
        assert_int_equal(container_parse_inspect("web", body, strlen(body), &c, &err), 0);
        container_done(&c);
        free(body);
        body = env_body(1, CONTAINER_ENV_ENTRY_MAX + 1);
        assert_int_equal(container_parse_inspect("web", body, strlen(body), &c, &err), -EBADMSG);
        free(body);
}

/* HostIp is printed in the report: an address inet_pton reads, or "" (every address), and
 * nothing else, however short or plausible. */
static void test_parse_ports_host_ip(void **state) {
        static const char *const good[] = {
                "", "0.0.0.0", "::", "127.0.0.1", "::1", "fe80::1", "::ffff:10.0.0.1", "2001:db8:0:0:0:0:0:1"};
        static const char *const bad[] = {"localhost",
                                          "127.0.0.1\n",
                                          "\\u001b]0;owned\\u0007",
                                          " 127.0.0.1",
                                          "127.0.0.1 ",
                                          "127.1",
                                          "::1%eth0",
                                          "[::1]",
                                          "1.2.3.4:80",
                                          "0x7f.0.0.1",
                                          "1111:2222:3333:4444:5555:6666:7777:8888:9999"};
        struct container_port *p;
        struct nsx_error err;
        char body[512];
        size_t n;
        (void) state;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                snprintf(body, sizeof(body), "{\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostIp\":\"%s\"}]}}}",
                         good[i]);
                if (container_parse_ports("web", body, strlen(body), &p, &n, &err) < 0)
                        fail_msg("HostIp '%s' refused: %s", good[i], err.message);
                assert_string_equal(p[0].bindings[0].host_ip, good[i]);
                container_ports_free(p, n);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err = (struct nsx_error){};
                snprintf(body, sizeof(body),
                         "{\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostIp\":\"%s\",\"HostPort\":\"80\"}]}}}",
                         bad[i]);
                if (container_parse_ports("web", body, strlen(body), &p, &n, &err) >= 0)
                        fail_msg("HostIp '%s' accepted", bad[i]);
                assert_int_equal(err.kind, NSX_ERR_FAILED);
                assert_string_equal(err.message, "the engine's answer for container 'web' is malformed: a HostIp in "
                                                 "NetworkSettings.Ports is not an IP address");
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ref_valid),
                cmocka_unit_test(test_ref_invalid),
                cmocka_unit_test(test_inspect_path),
                cmocka_unit_test(test_parse_running),
                cmocka_unit_test(test_parse_paths),
                cmocka_unit_test(test_parse_list),
                cmocka_unit_test(test_parse_list_ports),
                cmocka_unit_test(test_list_from_response),
                cmocka_unit_test(test_states),
                cmocka_unit_test(test_state_edge_cases),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_parse_minimal),
                cmocka_unit_test(test_from_response),
                cmocka_unit_test(test_engine_message_bounds),
                cmocka_unit_test(test_parse_ports),
                cmocka_unit_test(test_parse_ports_bad),
                cmocka_unit_test(test_parse_ports_host_ip),
                cmocka_unit_test(test_parse_network_mode),
                cmocka_unit_test(test_parse_config),
                cmocka_unit_test(test_parse_config_minimal),
                cmocka_unit_test(test_parse_config_bounds),
        };
        return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
