/* SPDX-License-Identifier: MIT */
/* Unit tests: the listeners table's published column and fix line; nothing an engine or a
 * container says reaches the terminal raw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "render.h"
#include "survey.h"

/* Host ports where one's text is the start of another's ("*:18082" holds "*:1808"), and the
 * 0.0.0.0/:: pair Docker gives for each: every port shown, each once, in the engine's order. */
static void test_published_ports(void **state) {
        struct container_binding bindings[] = {
                {.host_ip = "0.0.0.0", .host_port = 18082}, {.host_ip = "::", .host_port = 18082},
                {.host_ip = "0.0.0.0", .host_port = 1808},  {.host_ip = "::", .host_port = 1808},
                {.host_ip = "127.0.0.1", .host_port = 8},
        };
        struct container_port port = {
                .port = 8080,
                .proto = CONTAINER_PROTO_TCP,
                .exposed = true,
                .bindings = bindings,
                .n_bindings = sizeof(bindings) / sizeof(bindings[0]),
        };
        struct listeners_port judged = {
                .port = 8080,
                .proto = CONTAINER_PROTO_TCP,
                .declared = &port,
                .verdict = LISTENERS_NOT_LISTENING,
        };
        struct survey_container c = {
                .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                .name = (char *) "idle",
                .pid = 42,
                .network_mode = "bridge",
                .judged = &judged,
                .n_judged = 1,
        };
        struct survey s = {.v = &c, .n = 1};
        char *out = NULL;
        size_t len = 0;
        FILE *f;
        (void) state;

        f = open_memstream(&out, &len);
        assert_non_null(f);
        assert_int_equal(render_table(f, &s, false), 0);
        assert_int_equal(fclose(f), 0);
        assert_non_null(strstr(out, " *:18082,*:1808,127.0.0.1:8 "));
        assert_non_null(strstr(out, "idle: 8080/tcp is published as *:18082,*:1808,127.0.0.1:8 but nothing listens"));
        free(out);
}

/* out holds printable ASCII and line ends only (and tabs, cJSON's indentation, where tab is
 * true): the hostile text below has no character a report may keep, so any other byte is a
 * control that got through. */
static void assert_terminal_safe(const char *out, bool tab) {
        for (const unsigned char *p = (const unsigned char *) out; *p; p++)
                if (*p != '\n' && !(tab && *p == '\t') && (*p < 0x20 || *p >= 0x7f))
                        fail_msg("byte 0x%02x at offset %td", *p, p - (const unsigned char *) out);
}

/* Text with every kind of control a hostile engine or container could send: ESC sequences (OSC
 * title, CSI), a newline, BEL, DEL, a C1 CSI as UTF-8 (U+009B), a lone byte 0x9b. */
#define HOSTILE "\033]0;owned\007\n\033[2J\177\302\233x\233y"

static void test_sanitize(void **state) {
        char s[] = "a" HOSTILE "\303\251\342\202\254\360\237\231\202\300\257\355\240\200";
        (void) state;

        nsx_sanitize(s);
        /* Each control byte (and each byte of a C1 or malformed sequence) is one '?'; é, € and
         * U+1F642 stay; an overlong '/' (C0 AF) and a surrogate (ED A0 80) do not. */
        assert_string_equal(s, "a?]0;owned???[2J???x?y\303\251\342\202\254\360\237\231\202?????");
}

static void test_hostile_text(void **state) {
        struct container_binding bindings[] = {{.host_ip = "127.0.0.1", .host_port = 8080}};
        struct container_port port = {
                .port = 80,
                .proto = CONTAINER_PROTO_TCP,
                .exposed = true,
                .bindings = bindings,
                .n_bindings = 1,
        };
        struct listeners_owner owners[] = {{.pid = 7, .comm = "\033]0;x\007\n\302\233"}};
        struct listeners_socket sock = {
                .proto = CONTAINER_PROTO_TCP,
                .family = AF_INET,
                .addr = {127, 0, 0, 1},
                .port = 80,
                .owners = owners,
                .n_owners = 1,
        };
        const struct listeners_socket *socks[] = {&sock};
        struct listeners_port judged = {
                .port = 80,
                .proto = CONTAINER_PROTO_TCP,
                .declared = &port,
                .socks = socks,
                .n_socks = 1,
                .verdict = LISTENERS_LOOPBACK_ONLY,
        };
        struct survey_container c = {
                .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                .name = (char *) "web" HOSTILE,
                .pid = 42,
                .network_mode = HOSTILE,
                .judged = &judged,
                .n_judged = 1,
        };
        struct survey s = {.v = &c, .n = 1};
        char *out = NULL;
        size_t len = 0, lines = 0;
        cJSON *root, *o;
        FILE *f;
        (void) state;

        /* The table: two rows and one fix line, whatever the strings hold. */
        f = open_memstream(&out, &len);
        assert_non_null(f);
        assert_int_equal(render_table(f, &s, false), 0);
        assert_int_equal(fclose(f), 0);
        assert_terminal_safe(out, false);
        for (const char *p = out; *p; p++)
                lines += *p == '\n';
        assert_int_equal(lines, 3);
        assert_non_null(strstr(out, "web?]0;owned???[2J???x?y: 80/tcp is published"));
        free(out);

        /* JSON: every control escaped, so it is safe on a terminal, and it reads back as sent
         * (the lone byte 0x9b, not UTF-8, as U+FFFD). */
        out = NULL;
        f = open_memstream(&out, &len);
        assert_non_null(f);
        assert_int_equal(render_json(f, &s), 0);
        assert_int_equal(fclose(f), 0);
        assert_terminal_safe(out, true);
        assert_non_null(strstr(out, "\\u001b]0;owned\\u0007\\n\\u001b[2J\\u007f\\u009bx\\ufffdy"));
        root = cJSON_Parse(out);
        assert_non_null(root);
        o = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "containers"), 0);
        assert_string_equal(cJSON_GetObjectItem(o, "network_mode")->valuestring,
                            "\033]0;owned\007\n\033[2J\177\302\233x\357\277\275y");
        cJSON_Delete(root);
        free(out);
}

/* A port that listens on loopback only names the --forward that reaches it from the host. */
static void test_local_only_forward(void **state) {
        struct listeners_socket v4 = {.proto = CONTAINER_PROTO_TCP, .family = AF_INET, .addr = {127, 0, 0, 1}};
        struct listeners_socket v4b = {.proto = CONTAINER_PROTO_UDP, .family = AF_INET, .addr = {127, 0, 0, 2}};
        struct listeners_socket v6 = {.proto = CONTAINER_PROTO_TCP, .family = AF_INET6, .addr = {[15] = 1}};
        struct listeners_socket mapped = {
                .proto = CONTAINER_PROTO_TCP,
                .family = AF_INET6,
                .addr = {[10] = 0xff, [11] = 0xff, [12] = 127, [13] = 0, [14] = 0, [15] = 1},
        };
        struct survey_container c = {.name = (char *) "web"};
        const struct {
                unsigned port;
                enum container_proto proto;
                size_t n;
                const struct listeners_socket *socks[2];
                const char *want;
        } cases[] = {
                {8080,
                 CONTAINER_PROTO_TCP,
                 1,
                 {&v4},
                 "8080/tcp listens on loopback only: reachable only inside the "
                 "container; from the host: docker-nsexec --forward 8080:8080 web"},
                {9000, CONTAINER_PROTO_TCP, 1, {&v6}, "; from the host: docker-nsexec --forward 9000:[::1]:9000 web"},
                {9001, CONTAINER_PROTO_TCP, 1, {&mapped}, "; from the host: docker-nsexec --forward 9001:9001 web"},
                {9002, CONTAINER_PROTO_TCP, 2, {&v6, &v4}, "; from the host: docker-nsexec --forward 9002:9002 web"},
                {53,
                 CONTAINER_PROTO_UDP,
                 1,
                 {&v4b},
                 "53/udp listens on loopback only: reachable only inside the "
                 "container; from the host: docker-nsexec --forward "
                 "53:127.0.0.2:53/udp web"},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct listeners_port p = {
                        .port = cases[i].port,
                        .proto = cases[i].proto,
                        .socks = (const struct listeners_socket **) cases[i].socks,
                        .n_socks = cases[i].n,
                        .verdict = LISTENERS_LOCAL_ONLY,
                };
                char buf[1024];
                size_t lb, lw = strlen(cases[i].want);

                render_explain(&c, &p, buf, sizeof(buf));
                lb = strlen(buf);
                /* The whole line, or its end. */
                if (lb < lw || strcmp(buf + lb - lw, cases[i].want) != 0)
                        fail_msg("'%s' does not end with '%s'", buf, cases[i].want);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_published_ports),
                cmocka_unit_test(test_local_only_forward),
                cmocka_unit_test(test_sanitize),
                cmocka_unit_test(test_hostile_text),
        };
        return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
