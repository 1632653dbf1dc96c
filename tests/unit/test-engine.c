/* SPDX-License-Identifier: MIT */
/* Unit tests: reading the engine's "use another API version" answers; gRPC calls to a real gRPC
 * server (tests/grpc-echo.py, Debian's python3-grpcio) on a real unix socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

static void hint(const char *body, const char *want) {
        char buf[16] = "x";

        engine_version_hint(body, strlen(body), buf, sizeof(buf));
        assert_string_equal(buf, want);
}

static void test_version_hint(void **state) {
        (void) state;
        hint("{\"message\":\"client version 1.41 is too new. Maximum supported API version is 1.40\"}\n", "1.40");
        hint("{\"message\":\"client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade "
             "your "
             "client to a newer version\"}",
             "1.44");
        hint("{\"message\":\"client version 1.41 is too new. Maximum supported API version is 1.23.\"}", "1.23");
        hint("{\"message\":\"No such container: web\"}", "");
        hint("{\"message\":\"Maximum supported API version is \"}", "");
        hint("{\"message\":\"Maximum supported API version is 1.\"}", "");
        hint("{\"message\":\"Maximum supported API version is 12345678901234567890.1\"}", "");
        hint("", "");
}

static void test_version_cmp(void **state) {
        (void) state;
        assert_true(engine_version_cmp("1.41", "1.41") == 0);
        assert_true(engine_version_cmp("1.9", "1.24") < 0);
        assert_true(engine_version_cmp("1.44", "1.41") > 0);
        assert_true(engine_version_cmp("2.0", "1.99") > 0);
        assert_true(engine_version_cmp("junk", "1.24") < 0);
        /* The engine's text: digits only on each side of one point, as for every number read. */
        static const char *const junk[] = {"+1.41", " 1.41", "1.+41", "1. 41",  "1.41 ",  "1.41.2", "1.",
                                           ".41",   "1.4x",  "1.-1",  "1.0x29", "1000.1", "1.1000"};
        for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
                assert_true(engine_version_cmp(junk[i], "0.0") < 0);
                assert_true(engine_version_cmp("0.0", junk[i]) > 0);
        }
}

/* /proc/net/tcp as this kernel writes it: a loopback engine on 2375 (uid 65534) with one
 * connection from port 41234, and others around it. */
static const char tcp_table[] =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65534        0 1001 1 "
        "0000000000000000 100 0 0 10 0\n"
        "   1: 0100007F:A112 0100007F:0947 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 "
        "0000000000000000 20 4 30 10 -1\n"
        "   2: 0100007F:0947 0100007F:A112 01 00000000:00000000 00:00000000 00000000 65534        0 1003 1 "
        "0000000000000000 20 4 31 10 -1\n"
        "   3: 0100007F:0947 0100007F:B000 06 00000000:00000000 03:00000FA0 00000000     0        0 0 3 "
        "0000000000000000\n";

static void test_tcp_owner(void **state) {
        uid_t uid = 7;
        (void) state;

        /* The engine's end of the connection: local 127.0.0.1:2375, remote our 127.0.0.1:41234. */
        assert_int_equal(engine_tcp_owner(tcp_table, "0100007F:0947", "0100007F:A112", &uid), 0);
        assert_int_equal(uid, 65534);
        /* Our own end is root's; case does not matter. */
        assert_int_equal(engine_tcp_owner(tcp_table, "0100007f:a112", "0100007f:0947", &uid), 0);
        assert_int_equal(uid, 0);
        /* No such connection, or only a half of it, or nothing at all: untouched. */
        uid = 7;
        assert_int_equal(engine_tcp_owner(tcp_table, "0100007F:0947", "0100007F:C000", &uid), -ENOENT);
        assert_int_equal(engine_tcp_owner(tcp_table, "0100007F:0947", "", &uid), -ENOENT);
        assert_int_equal(engine_tcp_owner("", "0100007F:0947", "0100007F:A112", &uid), -ENOENT);
        assert_int_equal(
                engine_tcp_owner("   0: 0100007F:0947 0100007F:A112 01\n", "0100007F:0947", "0100007F:A112", &uid),
                -ENOENT);
        /* A uid field that is not a number. */
        assert_int_equal(engine_tcp_owner("   0: 0100007F:0947 0100007F:A112 01 0:0 00:0 0 +1 0 1\n", "0100007F:0947",
                                          "0100007F:A112", &uid),
                         -ENOENT);
        assert_int_equal(uid, 7);
}

static void test_grpc_unframe(void **state) {
        const uint8_t one[] = {0, 0, 0, 0, 3, 'a', 'b', 'c'}, empty[] = {0, 0, 0, 0, 0},
                      compressed[] = {1, 0, 0, 0, 1, 'a'}, flag[] = {2, 0, 0, 0, 1, 'a'},
                      longer[] = {0, 0, 0, 0, 4, 'a', 'b', 'c'}, two[] = {0, 0, 0, 0, 1, 'a', 0, 0, 0, 0, 0},
                      huge[] = {0, 0xff, 0xff, 0xff, 0xff, 'a'}, cut[] = {0, 0, 0, 0};
        size_t off = 9, len = 9;
        const char *why = NULL;
        (void) state;

        assert_int_equal(engine_grpc_unframe(one, sizeof(one), &off, &len, &why), 0);
        assert_int_equal(off, 5);
        assert_int_equal(len, 3);
        assert_int_equal(engine_grpc_unframe(empty, sizeof(empty), &off, &len, &why), 0);
        assert_int_equal(len, 0);
        assert_int_equal(engine_grpc_unframe(compressed, sizeof(compressed), &off, &len, &why), -EPROTO);
        assert_non_null(strstr(why, "compressed"));
        assert_int_equal(engine_grpc_unframe(flag, sizeof(flag), &off, &len, &why), -EPROTO);
        assert_int_equal(engine_grpc_unframe(longer, sizeof(longer), &off, &len, &why), -EPROTO);
        assert_non_null(strstr(why, "shorter"));
        assert_int_equal(engine_grpc_unframe(two, sizeof(two), &off, &len, &why), -EPROTO);
        assert_non_null(strstr(why, "more than one"));
        assert_int_equal(engine_grpc_unframe(huge, sizeof(huge), &off, &len, &why), -EPROTO);
        assert_int_equal(engine_grpc_unframe(cut, sizeof(cut), &off, &len, &why), -EPROTO);
        assert_int_equal(engine_grpc_unframe(cut, 0, &off, &len, &why), -EPROTO);
        assert_string_equal(why, "no message");
}

static void decode(const char *value, size_t size, const char *want) {
        char buf[64] = "x";

        assert_true(size <= sizeof(buf));
        engine_grpc_message_decode(value, strlen(value), buf, size);
        assert_string_equal(buf, want);
}

static void test_grpc_message_decode(void **state) {
        (void) state;
        decode("container not found", 64, "container not found");
        decode("100%25 gone%0A%1B[31m", 64, "100% gone??[31m");
        /* UTF-8 is two bytes outside ASCII: two '?'. */
        decode("%C3%BC", 64, "??");
        /* A '%' that starts no escape stays as it is. */
        decode("50% off %4", 64, "50% off %4");
        decode("%zz%", 64, "%zz%");
        /* Raw control bytes, which gRPC would have encoded, are replaced all the same. */
        decode("a\tb\x7f", 64, "a?b?");
        decode("abcdef", 4, "abc");
        decode("%41%42%43%44", 3, "AB");
        decode("", 64, "");
}

/* A tests/grpc-echo.py server: its process, and its socket in a directory of its own. */
struct server {
        pid_t pid;
        char dir[64];
        char sock[128];
};

/* Starts grpc-echo.py (mode: NULL for gRPC, "http1"), as uid when not 0, and waits for its
 * "ready". The python child is never our code: valgrind runs on this binary only (it does not
 * follow exec without --trace-children). */
static void server_start(struct server *s, const char *mode, uid_t uid) {
        const char *root = getenv("NSX_SOURCE_ROOT");
        char script[512], line[16] = "";
        struct pollfd pfd;
        int p[2];
        ssize_t n;

        assert_non_null(root);
        snprintf(script, sizeof(script), "%s/tests/grpc-echo.py", root);
        snprintf(s->dir, sizeof(s->dir), "/tmp/nsx-grpc.XXXXXX");
        assert_non_null(mkdtemp(s->dir));
        /* Another user's server needs to create its socket here. */
        if (uid)
                assert_int_equal(chmod(s->dir, 0777), 0);
        snprintf(s->sock, sizeof(s->sock), "%s/grpc.sock", s->dir);
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        s->pid = fork();
        assert_true(s->pid >= 0);
        if (s->pid == 0) {
                if (dup2(p[1], STDOUT_FILENO) < 0)
                        _exit(127);
                if (uid && (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0))
                        _exit(127);
                execl("/usr/bin/python3", "python3", script, s->sock, mode, (char *) NULL);
                _exit(127);
        }
        close(p[1]);
        pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
        /* Importing grpc takes a second or so; under valgrind this process is slow, not python. */
        for (size_t got = 0; got < sizeof(line) - 1 && !strchr(line, '\n');) {
                if (poll(&pfd, 1, 60000) != 1 || (n = read(p[0], line + got, sizeof(line) - 1 - got)) <= 0)
                        break;
                got += (size_t) n;
                line[got] = '\0';
        }
        close(p[0]);
        if (strcmp(line, "ready\n") != 0)
                fail_msg("%s did not start (is Debian's python3-grpcio installed? apt-get install python3-grpcio)",
                         script);
}

static void server_stop(struct server *s) {
        char cmd[128];

        if (s->pid > 0) {
                kill(s->pid, SIGKILL);
                waitpid(s->pid, NULL, 0);
                s->pid = 0;
        }
        if (s->dir[0]) {
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
                (void) !system(cmd);
                s->dir[0] = '\0';
        }
}

/* Whether this build's libcurl speaks HTTP/2, as engine_grpc_call finds out: it says so before
 * it connects anywhere (the test does not include libcurl's headers: the lean build keeps them
 * in its subproject). */
static bool have_http2(void) {
        struct engine_grpc_response r = {};
        struct nsx_error err = {};
        struct endpoint ep;

        assert_int_equal(endpoint_parse("unix:///nonexistent/nsx-test/cri.sock", ENDPOINT_FROM_FLAG, &ep, &err), 0);
        return engine_grpc_call(&ep, "/nsx.test.Echo/Echo", NULL, 0, 1000, &r, &err) != -EPROTONOSUPPORT;
}

static int grpc_setup(void **state) {
        static struct server s;

        s = (struct server){};
        /* The lean build's libcurl has no HTTP/2: there only the refusal is tested. */
        if (have_http2())
                server_start(&s, NULL, 0);
        *state = &s;
        return 0;
}

static int grpc_teardown(void **state) {
        if (*state)
                server_stop(*state);
        return 0;
}

static void endpoint_of(const struct server *s, struct endpoint *ep) {
        char uri[160];
        struct nsx_error err = {};

        snprintf(uri, sizeof(uri), "unix://%s", s->sock);
        assert_int_equal(endpoint_parse(uri, ENDPOINT_FROM_FLAG, ep, &err), 0);
}

#define CALL_TIMEOUT_MS 30000L

static void test_grpc_no_http2(void **state) {
        struct engine_grpc_response r = {};
        struct nsx_error err = {};
        struct endpoint ep;
        (void) state;

        assert_int_equal(endpoint_parse("unix:///nonexistent/nsx-test/cri.sock", ENDPOINT_FROM_FLAG, &ep, &err), 0);
        if (have_http2()) {
                /* The default build: the call goes out, and finds nothing there. */
                assert_int_equal(engine_grpc_call(&ep, "/nsx.test.Echo/Echo", NULL, 0, CALL_TIMEOUT_MS, &r, &err),
                                 -ENOENT);
                assert_string_equal(err.message,
                                    "cannot connect to the engine: /nonexistent/nsx-test/cri.sock does not exist");
                return;
        }
        assert_int_equal(engine_grpc_call(&ep, "/nsx.test.Echo/Echo", NULL, 0, CALL_TIMEOUT_MS, &r, &err),
                         -EPROTONOSUPPORT);
        assert_string_equal(err.message, "this build's libcurl has no HTTP/2: CRI engines "
                                         "(unix:///nonexistent/nsx-test/cri.sock) need the default build (not "
                                         "-Dlean_curl=true)");
}

static void test_grpc_ok(void **state) {
        struct server *s = *state;
        _cleanup_(engine_grpc_response_donep) struct engine_grpc_response r = {};
        struct nsx_error err = {};
        struct endpoint ep;
        const uint8_t req[] = {'h', 'e', 'l', 'l', 'o', 0, 0xff, 'w'};

        if (!have_http2())
                return;
        endpoint_of(s, &ep);
        assert_int_equal(engine_grpc_call(&ep, "/nsx.test.Echo/Echo", req, sizeof(req), CALL_TIMEOUT_MS, &r, &err), 0);
        assert_int_equal(r.grpc_status, 0);
        assert_string_equal(r.grpc_message, "");
        assert_int_equal(r.len, sizeof(req));
        assert_memory_equal(r.msg, req, sizeof(req));
        assert_int_equal(r.exchange.n_attempts, 1);
        assert_string_equal(r.exchange.attempts[0].path, "/nsx.test.Echo/Echo");
        assert_int_equal(r.exchange.attempts[0].status, 200);
        /* The peer check ran: whose server, and which process listens. */
        assert_int_equal(r.exchange.peer_uid, geteuid());
        assert_int_equal(r.exchange.peer_pid, s->pid);
        engine_grpc_response_done(&r);

        /* A second call: a connection of its own (libcurl 7.88 cannot reuse one). */
        assert_int_equal(engine_grpc_call(&ep, "/nsx.test.Echo/Echo", NULL, 0, CALL_TIMEOUT_MS, &r, &err), 0);
        assert_int_equal(r.grpc_status, 0);
        assert_int_equal(r.len, 0);
        engine_grpc_response_done(&r);

        /* An empty message is a message: non-NULL, no bytes. */
        assert_int_equal(engine_grpc_call(&ep, "/nsx.test.Echo/Empty", req, sizeof(req), CALL_TIMEOUT_MS, &r, &err), 0);
        assert_int_equal(r.grpc_status, 0);
        assert_non_null(r.msg);
        assert_int_equal(r.len, 0);
        engine_grpc_response_done(&r);

        /* 1 MiB: many HTTP/2 DATA frames, one gRPC message. */
        assert_int_equal(engine_grpc_call(&ep, "/nsx.test.Echo/Big", NULL, 0, CALL_TIMEOUT_MS, &r, &err), 0);
        assert_int_equal(r.len, (size_t) 1 << 20);
        assert_int_equal(r.msg[0], 'y');
        assert_int_equal(r.msg[r.len - 1], 'y');
}

static void test_grpc_status(void **state) {
        struct server *s = *state;
        _cleanup_(engine_grpc_response_donep) struct engine_grpc_response r = {};
        struct nsx_error err = {};
        struct endpoint ep;
        int ret;

        if (!have_http2())
                return;
        endpoint_of(s, &ep);
        /* An error status is an answer (trailers-only: grpc-status in the headers), its message
         * percent-decoded and made printable. */
        assert_int_equal(engine_grpc_call(&ep, "/nsx.test.Echo/Fail", NULL, 0, CALL_TIMEOUT_MS, &r, &err), 0);
        assert_int_equal(r.grpc_status, 5);
        assert_string_equal(r.grpc_message, "container \"web\" 100% gone:????[31m");
        assert_null(r.msg);
        assert_int_equal(r.len, 0);
        assert_int_equal(r.exchange.attempts[0].status, 200);
        engine_grpc_response_done(&r);

        /* An unknown method is UNIMPLEMENTED, answered before the request is read, and the
         * stream then reset: libcurl 7.88 loses the answer when the reset comes in the same read
         * (seen under valgrind), and then the reset is all that can be said. */
        ret = engine_grpc_call(&ep, "/nsx.test.Echo/Nope", NULL, 0, CALL_TIMEOUT_MS, &r, &err);
        if (ret == 0)
                assert_int_equal(r.grpc_status, 12); /* UNIMPLEMENTED */
        else {
                assert_int_equal(ret, -EPROTO);
                assert_non_null(strstr(err.message, "reset the call to /nsx.test.Echo/Nope without an answer"));
        }
}

static void test_grpc_bounds(void **state) {
        struct server *s = *state;
        struct engine_grpc_response r = {};
        struct nsx_error err = {};
        struct endpoint ep;
        struct timespec a, b;
        long ms;

        if (!have_http2())
                return;
        endpoint_of(s, &ep);
        assert_int_equal(engine_grpc_call(&ep, "/nsx.test.Echo/Huge", NULL, 0, CALL_TIMEOUT_MS, &r, &err), -EMSGSIZE);
        assert_non_null(strstr(err.message, "larger than 8 MiB"));
        assert_null(r.msg);

        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_equal(engine_grpc_call(&ep, "/nsx.test.Echo/Hang", NULL, 0, 500, &r, &err), -ETIMEDOUT);
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms = (b.tv_sec - a.tv_sec) * 1000L + (b.tv_nsec - a.tv_nsec) / 1000000L;
        assert_true(ms >= 450 && ms < 10000);
        assert_non_null(strstr(err.message, "did not answer within 0.5 s"));

        assert_int_equal(engine_grpc_call(&ep, "no-slash", NULL, 0, CALL_TIMEOUT_MS, &r, &err), -EINVAL);
}

/* An HTTP/1.1 server (Docker's socket, say) is not a CRI engine: one clear error. */
static void test_grpc_not_http2(void **state) {
        struct server s = {};
        struct engine_grpc_response r = {};
        struct nsx_error err = {};
        struct endpoint ep;
        int ret;
        (void) state;

        if (!have_http2())
                return;
        server_start(&s, "http1", 0);
        endpoint_of(&s, &ep);
        ret = engine_grpc_call(&ep, "/nsx.test.Echo/Echo", NULL, 0, CALL_TIMEOUT_MS, &r, &err);
        server_stop(&s);
        assert_int_equal(ret, -EPROTO);
        assert_non_null(strstr(err.message, "did not answer in HTTP/2"));
        assert_null(r.msg);
}

/* engine_open's peer check holds for gRPC calls: another user's server is refused before a byte
 * is sent, unless the caller named it. */
static void test_grpc_peer(void **state) {
        struct server s = {};
        _cleanup_(engine_grpc_response_donep) struct engine_grpc_response r = {};
        struct nsx_error err = {};
        struct endpoint ep;
        int ret, ret_named;
        uid_t peer = 0;
        (void) state;

        if (!have_http2() || geteuid() != 0)
                return; /* running another user's server needs root; the test suites run as root */
        server_start(&s, NULL, 65534);
        endpoint_of(&s, &ep);
        ret = engine_grpc_call(&ep, "/nsx.test.Echo/Echo", NULL, 0, CALL_TIMEOUT_MS, &r, &err);
        ep.named = true;
        ret_named = engine_grpc_call(&ep, "/nsx.test.Echo/Echo", NULL, 0, CALL_TIMEOUT_MS, &r, &err);
        peer = r.exchange.peer_uid;
        server_stop(&s);
        assert_int_equal(ret, -EPERM);
        assert_int_equal(ret_named, 0);
        assert_int_equal(peer, 65534);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version_hint),
                cmocka_unit_test(test_version_cmp),
                cmocka_unit_test(test_tcp_owner),
                cmocka_unit_test(test_grpc_unframe),
                cmocka_unit_test(test_grpc_message_decode),
                cmocka_unit_test(test_grpc_no_http2),
                cmocka_unit_test(test_grpc_ok),
                cmocka_unit_test(test_grpc_status),
                cmocka_unit_test(test_grpc_bounds),
                cmocka_unit_test(test_grpc_not_http2),
                cmocka_unit_test(test_grpc_peer),
        };
        return cmocka_run_group_tests_name("engine", tests, grpc_setup, grpc_teardown);
}
