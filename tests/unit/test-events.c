/* SPDX-License-Identifier: MIT */
/* Unit tests: the event stream's lines (real Docker and Podman ones), and the streaming GET
 * against a real HTTP server on a real unix (or loopback tcp) socket, forked from the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "events.h"
#include "test-file.h"

#define ID_D "f18a8391f76d2dea888b0ba6eb9a418eebab6db8c02dd9d6caee473c1ca2caf0"
#define ID_P "b32fa740289017a07d8adc04cf0e7452f6a60f1fd0b5754ac7bc22cd46f0b6e7"

/* ---- events_path ---- */

static void test_path(void **state) {
        char buf[256], tiny[40];

        (void) state;
        assert_int_equal(events_path(ID_D, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "/events?filters=%7B%22container%22%3A%5B%22" ID_D
                                 "%22%5D%2C%22type%22%3A%5B%22container%22%5D%7D");
        assert_int_equal(events_path(ID_D, tiny, sizeof(tiny)), -ENAMETOOLONG);

        /* Only a full, lowercase ID goes into the URL. */
        assert_int_equal(events_path("f18a8391f76d", buf, sizeof(buf)), -EINVAL);
        assert_int_equal(
                events_path("F18A8391F76D2DEA888B0BA6EB9A418EEBAB6DB8C02DD9D6CAEE473C1CA2CAF0", buf, sizeof(buf)),
                -EINVAL);
        assert_int_equal(events_path(ID_D "0", buf, sizeof(buf)), -EINVAL);
        assert_int_equal(
                events_path("f18a8391f76d2dea888b0ba6eb9a418eebab6db8c02dd9d6caee473c1ca2ca%22", buf, sizeof(buf)),
                -EINVAL);
        assert_int_equal(events_path("web", buf, sizeof(buf)), -EINVAL);
        assert_int_equal(events_path("", buf, sizeof(buf)), -EINVAL);
        assert_int_equal(events_path(NULL, buf, sizeof(buf)), -EINVAL);
}

/* ---- events_parse: the engines' own lines ---- */

/* Every line of a fixture: each parses, names id, and the actions come in this order. */
static void parse_fixture(const char *name, const char *id, const char *const *actions, size_t n_actions) {
        char *text = test_read_file("NSX_TEST_DATA", name, NULL), *line = text;
        size_t i = 0;

        for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
                struct engine_event ev = {};

                assert_true(i < n_actions);
                assert_int_equal(events_parse(line, (size_t) (nl - line), &ev), 0);
                assert_string_equal(ev.id, id);
                assert_string_equal(ev.action, actions[i]);
                i++;
        }
        assert_int_equal(i, n_actions);
        assert_string_equal(line, "");
        free(text);
}

static void test_parse_docker(void **state) {
        /* Docker 20.10: run -d, exec true, restart -t 1, pause, unpause, rename, rm -f. */
        static const char *const actions[] = {"create",  "start",  "exec_create", "exec_start", "exec_die", "kill",
                                              "kill",    "die",    "stop",        "start",      "restart",  "pause",
                                              "unpause", "rename", "kill",        "die",        "destroy"};

        (void) state;
        parse_fixture("events-docker.txt", ID_D, actions, sizeof(actions) / sizeof(actions[0]));
}

static void test_parse_podman(void **state) {
        /* Podman 4.3 (compatible API): run -d, exec true, restart -t 1, pause, unpause, kill,
         * start, rm -f. Its "restart" comes first, before the stop; a removal is "remove". */
        static const char *const actions[] = {"create",  "init", "start", "exec",  "exec_died", "restart", "stop",
                                              "die",     "init", "start", "pause", "unpause",   "kill",    "die",
                                              "cleanup", "init", "start", "die",   "remove"};

        (void) state;
        parse_fixture("events-podman.txt", ID_P, actions, sizeof(actions) / sizeof(actions[0]));
}

static int parse(const char *line, struct engine_event *ev) {
        return events_parse(line, strlen(line), ev);
}

static void test_parse_forms(void **state) {
        struct engine_event ev = {};

        (void) state;
        /* Today's fields alone (Docker 25 dropped id and status), and the old ones alone. */
        assert_int_equal(parse("{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"" ID_D "\"}}", &ev), 0);
        assert_string_equal(ev.id, ID_D);
        assert_string_equal(ev.action, "die");
        assert_int_equal(parse("{\"status\":\"start\",\"id\":\"" ID_P "\"}", &ev), 0);
        assert_string_equal(ev.id, ID_P);
        assert_string_equal(ev.action, "start");
        /* Actor null, id present. */
        assert_int_equal(parse("{\"Action\":\"destroy\",\"Actor\":null,\"id\":\"" ID_D "\"}", &ev), 0);
        assert_string_equal(ev.action, "destroy");

        /* A detail after a colon is dropped: the word before it is the action. */
        assert_int_equal(parse("{\"Action\":\"exec_start: sh -c 'echo \\\"hi\\\"'\",\"id\":\"" ID_D "\"}", &ev), 0);
        assert_string_equal(ev.action, "exec_start");
        assert_int_equal(parse("{\"Action\":\"health_status: healthy\",\"id\":\"" ID_D "\"}", &ev), 0);
        assert_string_equal(ev.action, "health_status");
        assert_int_equal(parse("{\"Action\":\"exec_create:\\u001b[2J\",\"id\":\"" ID_D "\"}", &ev), 0);
        assert_string_equal(ev.action, "exec_create");

        /* Blanks after the object (a "\r\n" line end) are fine; the longest action fits. */
        assert_int_equal(parse("{\"Action\":\"abcdefghijklmnopqrstuvwxyz-_abc\",\"id\":\"" ID_D "\"} \r\n", &ev), 0);
        assert_string_equal(ev.action, "abcdefghijklmnopqrstuvwxyz-_abc");
}

static void test_parse_refused(void **state) {
        static const char *const bad[] = {
                "",
                "\n",
                "null",
                "[]",
                "\"start\"",
                "{}",
                "{\"Action\":\"start\"}",
                "{\"id\":\"" ID_D "\"}",
                /* Not a container's event, or a Type of another kind. */
                "{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"" ID_D "\"}}",
                "{\"Type\":\"image\",\"Action\":\"pull\",\"id\":\"" ID_D "\"}",
                "{\"Type\":7,\"Action\":\"start\",\"id\":\"" ID_D "\"}",
                "{\"Type\":\"Container\",\"Action\":\"start\",\"id\":\"" ID_D "\"}",
                /* IDs: short, uppercase, not hex, of another type, Actor of another type. */
                "{\"Action\":\"start\",\"id\":\"f18a8391f76d\"}",
                "{\"Action\":\"start\",\"id\":\"F18A8391F76D2DEA888B0BA6EB9A418EEBAB6DB8C02DD9D6CAEE473C1CA2CAF0\"}",
                "{\"Action\":\"start\",\"id\":\"g18a8391f76d2dea888b0ba6eb9a418eebab6db8c02dd9d6caee473c1ca2caf0\"}",
                "{\"Action\":\"start\",\"id\":\"" ID_D "0\"}",
                "{\"Action\":\"start\",\"id\":42}",
                "{\"Action\":\"start\",\"Actor\":\"" ID_D "\"}",
                "{\"Action\":\"start\",\"Actor\":{\"ID\":42},\"id\":\"" ID_D "\"}",
                /* Two spellings that disagree. */
                "{\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID_P "\"},\"id\":\"" ID_D "\"}",
                "{\"Action\":\"start\",\"status\":\"die\",\"id\":\"" ID_D "\"}",
                /* Actions: empty, upper case, digits, blanks, control characters, too long, not a
                 * string, only a detail. */
                "{\"Action\":\"\",\"id\":\"" ID_D "\"}",
                "{\"Action\":\"Start\",\"id\":\"" ID_D "\"}",
                "{\"Action\":\"start2\",\"id\":\"" ID_D "\"}",
                "{\"Action\":\"start \",\"id\":\"" ID_D "\"}",
                "{\"Action\":\"st\\nart\",\"id\":\"" ID_D "\"}",
                "{\"Action\":\"abcdefghijklmnopqrstuvwxyz-_abcd\",\"id\":\"" ID_D "\"}",
                "{\"Action\":[\"start\"],\"id\":\"" ID_D "\"}",
                "{\"Action\":\": start\",\"id\":\"" ID_D "\"}",
                /* One object a line, whole. */
                "{\"Action\":\"start\",\"id\":\"" ID_D "\"}{}",
                "{\"Action\":\"start\",\"id\":\"" ID_D "\"} x",
                "{\"Action\":\"start\",\"id\":\"" ID_D "\"",
        };
        struct engine_event ev;

        (void) state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                memset(&ev, 'x', sizeof(ev));
                if (parse(bad[i], &ev) != -EBADMSG)
                        fail_msg("accepted: %s", bad[i]);
        }
        /* The length bounds the parse: the bytes after it are not read. */
        static const char line[] = "{\"Action\":\"start\",\"id\":\"" ID_D "\"}";
        assert_int_equal(events_parse(line, sizeof(line) - 2, &ev), -EBADMSG);
        assert_int_equal(events_parse(line, sizeof(line) - 1, &ev), 0);
}

/* ---- the stream: a real server, forked ---- */

struct server {
        pid_t pid;
        int ctl;      /* the parent's end of a pipe: a byte lets the server's next wait_ctl go */
        char dir[64]; /* holds the socket */
        struct endpoint ep;
};

typedef void (*script_fn)(int conn, int ctl, const char *request);

static void send_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);

                if (k <= 0)
                        _exit(1);
                p += k;
                n -= (size_t) k;
        }
}

static void send_str(int fd, const char *s) {
        send_all(fd, s, strlen(s));
}

static void send_chunk(int fd, const char *p, size_t n) {
        char head[32];

        snprintf(head, sizeof(head), "%zx\r\n", n);
        send_str(fd, head);
        send_all(fd, p, n);
        send_str(fd, "\r\n");
}

static void pause_ms(int ms) {
        struct timespec t = {ms / 1000, (long) (ms % 1000) * 1000000L};

        nanosleep(&t, NULL);
}

static void wait_ctl(int ctl) {
        char c;

        if (read(ctl, &c, 1) != 1)
                _exit(0);
}

/* One request's head, into buf (its first line, NUL-terminated); false at EOF. */
static bool read_request(int conn, char *buf, size_t size) {
        char head[8192];
        size_t n = 0;

        while (n < sizeof(head) - 1) {
                ssize_t k = read(conn, head + n, 1);

                if (k <= 0)
                        return false;
                n++;
                head[n] = '\0';
                if (n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0)
                        break;
        }
        snprintf(buf, size, "%.*s", (int) strcspn(head, "\r\n"), head);
        return true;
}

static const char stream_head[] = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n";

/* Forks a server that listens on a unix socket in a new directory (or on loopback tcp) and
 * runs script on the first request. as_uid: the listener's owner when not (uid_t) -1. */
static void server_start(struct server *s, bool tcp, uid_t as_uid, script_fn script) {
        struct nsx_error err = {};
        int ctl[2], ready[2];
        unsigned port = 0;
        char uri[160];

        snprintf(s->dir, sizeof(s->dir), "/tmp/nsx-test-events.XXXXXX");
        assert_non_null(mkdtemp(s->dir));
        if (as_uid != (uid_t) -1)
                assert_int_equal(chmod(s->dir, 0777), 0);
        assert_int_equal(pipe2(ctl, O_CLOEXEC), 0);
        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);

        s->pid = fork();
        assert_true(s->pid >= 0);
        if (s->pid == 0) {
                char request[1024];
                int lfd, conn;

                close(ctl[1]);
                close(ready[0]);
                /* Whose engine the kernel says it is: SO_PEERCRED gives the listener's
                 * credentials at listen(), the tcp table the owner of the socket when made. */
                if (as_uid != (uid_t) -1 && setresuid(as_uid, as_uid, as_uid) < 0)
                        _exit(1);
                if (tcp) {
                        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
                        socklen_t len = sizeof(a);

                        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                        if (lfd < 0 || bind(lfd, (struct sockaddr *) &a, sizeof(a)) < 0 ||
                            getsockname(lfd, (struct sockaddr *) &a, &len) < 0)
                                _exit(1);
                        port = ntohs(a.sin_port);
                } else {
                        struct sockaddr_un a = {.sun_family = AF_UNIX};

                        snprintf(a.sun_path, sizeof(a.sun_path), "%s/engine.sock", s->dir);
                        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                        if (lfd < 0 || bind(lfd, (struct sockaddr *) &a, sizeof(a)) < 0)
                                _exit(1);
                }
                if (listen(lfd, 4) < 0 || write(ready[1], &port, sizeof(port)) != sizeof(port))
                        _exit(1);
                close(ready[1]);
                conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                if (conn < 0 || !read_request(conn, request, sizeof(request)))
                        _exit(1);
                script(conn, ctl[0], request);
                _exit(0);
        }
        close(ctl[0]);
        close(ready[1]);
        s->ctl = ctl[1];
        assert_int_equal(read(ready[0], &port, sizeof(port)), sizeof(port));
        close(ready[0]);
        if (tcp)
                snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%u", port);
        else
                snprintf(uri, sizeof(uri), "unix://%s/engine.sock", s->dir);
        assert_int_equal(endpoint_parse(uri, ENDPOINT_FROM_FLAG, &s->ep, &err), 0);
}

/* The server's exit status, once it is done. */
static int server_wait(struct server *s) {
        char path[128];
        int status;

        close(s->ctl);
        assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
        snprintf(path, sizeof(path), "%s/engine.sock", s->dir);
        unlink(path);
        rmdir(s->dir);
        return status;
}

static void server_stop(struct server *s) {
        kill(s->pid, SIGTERM);
        server_wait(s);
}

static void go(struct server *s) {
        assert_int_equal(write(s->ctl, "g", 1), 1);
}

/* The next line, which must be want. */
static void expect_line(struct engine_stream *st, const char *want) {
        struct nsx_error err = {};
        const char *line;
        size_t len = 0;

        for (int i = 0; !(line = engine_stream_line(st, &len)); i++) {
                assert_true(i < 100);
                assert_true(engine_stream_wait(st, NULL, 0, 5000, &err) >= 0);
        }
        assert_string_equal(line, want);
        assert_int_equal(len, strlen(want));
}

/* The stream's end, with errno want and words containing what. */
static void expect_end(struct engine_stream *st, int want, const char *what) {
        struct nsx_error err = {};
        int r;

        for (int i = 0; (r = engine_stream_wait(st, NULL, 0, 5000, &err)) >= 0; i++) {
                assert_null(engine_stream_line(st, NULL));
                assert_true(i < 100);
        }
        assert_int_equal(r, -want);
        if (!strstr(err.message, what))
                fail_msg("\"%s\" does not say \"%s\"", err.message, what);
        /* Once ended, it stays so. */
        memset(&err, 0, sizeof(err));
        assert_int_equal(engine_stream_wait(st, NULL, 0, 0, &err), -want);
        assert_non_null(strstr(err.message, what));
        assert_null(engine_stream_line(st, NULL));
}

/* The request line first, as the first line of the body; then lines cut anywhere. */
static void script_lines(int conn, int ctl, const char *request) {
        static const char *const pieces[] = {"{\"a\":1}\n{\"b\"", ":2}\n{\"c\":", "3}", "\n", "", "\n",
                                             "x\ny\nz",           "z\n"};
        char echo[1100];

        (void) ctl;
        send_str(conn, stream_head);
        snprintf(echo, sizeof(echo), "%s\n", request);
        send_chunk(conn, echo, strlen(echo));
        for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
                pause_ms(10);
                if (pieces[i][0])
                        send_chunk(conn, pieces[i], strlen(pieces[i]));
                else /* a chunk boundary and a segment boundary in the same place */
                        pause_ms(10);
        }
        /* A line that ends inside a chunk whose size line is cut in two segments. */
        send_str(conn, "1");
        pause_ms(10);
        send_str(conn, "0\r\n0123456789abcde\n\r\n");
        pause_ms(10);
        send_str(conn, "0\r\n\r\n"); /* the chunked body's end: the engine closed the stream */
        pause_ms(50);
}

static void check_lines(bool tcp) {
        _cleanup_(engine_stream_closep) struct engine_stream *st = NULL;
        struct nsx_error err = {};
        struct server s = {};

        server_start(&s, tcp, (uid_t) -1, script_lines);
        assert_int_equal(engine_stream_open(&s.ep, "/events?x=%7B", 5000, &st, &err), 0);
        expect_line(st, "GET /v" ENGINE_API_MIN "/events?x=%7B HTTP/1.1");
        expect_line(st, "{\"a\":1}");
        expect_line(st, "{\"b\":2}");
        expect_line(st, "{\"c\":3}");
        expect_line(st, "");
        expect_line(st, "x");
        expect_line(st, "y");
        expect_line(st, "zz");
        expect_line(st, "0123456789abcde");
        expect_end(st, ECONNRESET, "ended the event stream");
        server_stop(&s);
}

static void test_stream_lines(void **state) {
        (void) state;
        check_lines(false);
}

static void test_stream_lines_tcp(void **state) {
        (void) state;
        check_lines(true);
}

/* Headers, then silence until the parent says; then one line, and silence again. */
static void script_quiet(int conn, int ctl, const char *request) {
        (void) request;
        send_str(conn, stream_head);
        wait_ctl(ctl);
        send_chunk(conn, "{\"late\":1}\n", 11);
        wait_ctl(ctl);
}

static long now_ms(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void test_stream_wait(void **state) {
        _cleanup_(engine_stream_closep) struct engine_stream *st = NULL;
        struct nsx_error err = {};
        struct server s = {};
        int data[2], hup[2];
        long t0;

        (void) state;
        server_start(&s, false, (uid_t) -1, script_quiet);
        assert_int_equal(engine_stream_open(&s.ep, "/events", 5000, &st, &err), 0);

        /* Nothing moves: a timeout is 0, after about the time asked. */
        t0 = now_ms();
        assert_int_equal(engine_stream_wait(st, NULL, 0, 200, &err), 0);
        assert_true(now_ms() - t0 >= 190);
        assert_null(engine_stream_line(st, NULL));

        /* Extra fds: one readable, one hung up (POLLHUP alone, which libcurl does not pass
         * on), one quiet and one ignored (-1). */
        assert_int_equal(pipe2(data, O_CLOEXEC), 0);
        assert_int_equal(pipe2(hup, O_CLOEXEC), 0);
        struct pollfd fds[4] = {
                {.fd = data[0], .events = POLLIN},
                {.fd = hup[0], .events = POLLIN},
                {.fd = data[1], .events = 0},
                {.fd = -1, .events = POLLIN},
        };
        assert_int_equal(engine_stream_wait(st, fds, 2, 100, &err), 0);
        assert_int_equal(fds[0].revents, 0);
        assert_int_equal(write(data[1], "x", 1), 1);
        close(hup[1]);
        fds[0].revents = fds[1].revents = 77;
        assert_int_equal(engine_stream_wait(st, fds, 4, 5000, &err), 2);
        assert_int_equal(fds[0].revents, POLLIN);
        assert_int_equal(fds[1].revents, POLLHUP);
        assert_int_equal(fds[2].revents, 0);
        assert_int_equal(fds[3].revents, 0);
        assert_null(engine_stream_line(st, NULL));

        /* The stream moves while the extra fds wait: -1 waits for it, without a limit. */
        char c;
        assert_int_equal(read(data[0], &c, 1), 1);
        fds[1].fd = -1;
        go(&s);
        t0 = now_ms();
        assert_int_equal(engine_stream_wait(st, fds, 4, -1, &err), 0);
        assert_true(now_ms() - t0 < 4000);
        assert_int_equal(fds[0].revents, 0);
        expect_line(st, "{\"late\":1}");
        assert_null(engine_stream_line(st, NULL));
        assert_int_equal(engine_stream_wait(st, fds, 4, 50, &err), 0);

        close(data[0]);
        close(data[1]);
        close(hup[0]);
        engine_stream_close(TAKE_PTR(st));
        server_stop(&s);
}

/* A line of exactly the bound, then one a byte longer, in pieces. */
static void script_long(int conn, int ctl, const char *request) {
        char *big = malloc(ENGINE_STREAM_LINE_MAX + 2);

        (void) ctl;
        (void) request;
        if (!big)
                _exit(1);
        memset(big, 'a', ENGINE_STREAM_LINE_MAX + 1);
        send_str(conn, stream_head);
        send_chunk(conn, "first\n", 6);
        /* The bound's worth, then a pause (so that it waits, whole but unended), then its end. */
        send_chunk(conn, big, 1000);
        send_chunk(conn, big + 1000, ENGINE_STREAM_LINE_MAX - 1000);
        pause_ms(50);
        send_chunk(conn, "\n", 1);
        for (size_t off = 0; off < ENGINE_STREAM_LINE_MAX + 1; off += 4096)
                send_chunk(conn, big,
                           off + 4096 <= ENGINE_STREAM_LINE_MAX + 1 ? 4096 : ENGINE_STREAM_LINE_MAX + 1 - off);
        send_chunk(conn, "\nnever\n", 7);
        free(big);
        wait_ctl(ctl);
}

static void test_stream_too_long(void **state) {
        _cleanup_(engine_stream_closep) struct engine_stream *st = NULL;
        struct nsx_error err = {};
        struct server s = {};
        const char *line;
        size_t len = 0;

        (void) state;
        server_start(&s, false, (uid_t) -1, script_long);
        assert_int_equal(engine_stream_open(&s.ep, "/events", 5000, &st, &err), 0);
        expect_line(st, "first");
        for (int i = 0; !(line = engine_stream_line(st, &len)); i++) {
                assert_true(i < 100);
                assert_true(engine_stream_wait(st, NULL, 0, 5000, &err) >= 0);
        }
        assert_int_equal(len, ENGINE_STREAM_LINE_MAX);
        assert_int_equal(strspn(line, "a"), ENGINE_STREAM_LINE_MAX);
        expect_end(st, EMSGSIZE, "longer than 64 KiB");
        engine_stream_close(TAKE_PTR(st));
        server_stop(&s);
}

/* One line, then the connection dropped in the middle of the next. */
static void script_cut(int conn, int ctl, const char *request) {
        (void) ctl;
        (void) request;
        send_str(conn, stream_head);
        send_chunk(conn, "{\"one\":1}\n{\"tw", 14);
        pause_ms(20);
        send_str(conn, "10\r\nhalf");
        shutdown(conn, SHUT_RDWR);
}

static void test_stream_cut(void **state) {
        _cleanup_(engine_stream_closep) struct engine_stream *st = NULL;
        struct nsx_error err = {};
        struct server s = {};

        (void) state;
        server_start(&s, false, (uid_t) -1, script_cut);
        assert_int_equal(engine_stream_open(&s.ep, "/events", 5000, &st, &err), 0);
        expect_line(st, "{\"one\":1}");
        expect_end(st, ECONNRESET, "ended the event stream");
        engine_stream_close(TAKE_PTR(st));
        server_stop(&s);
}

static void script_404(int conn, int ctl, const char *request) {
        static const char body[] = "{\"message\":\"page not found\"}\n";
        char head[256];

        (void) ctl;
        (void) request;
        snprintf(head, sizeof(head),
                 "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                 sizeof(body) - 1);
        send_str(conn, head);
        send_str(conn, body);
        wait_ctl(ctl);
}

static void script_500_chunked(int conn, int ctl, const char *request) {
        (void) ctl;
        (void) request;
        send_str(conn, "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n");
        send_chunk(conn, "{\"message\":", 11);
        send_chunk(conn, "\"it broke\\u001b[31m\"}", 21);
        send_str(conn, "0\r\n\r\n");
        wait_ctl(ctl);
}

static void test_stream_refused(void **state) {
        struct engine_stream *st = NULL;
        struct nsx_error err = {};
        struct server s = {};

        (void) state;
        server_start(&s, false, (uid_t) -1, script_404);
        assert_int_equal(engine_stream_open(&s.ep, "/events", 5000, &st, &err), -ENOENT);
        assert_null(st);
        assert_int_equal(err.http_status, 404);
        assert_non_null(strstr(err.message, "refused the event stream (HTTP 404): page not found"));
        server_stop(&s);

        memset(&err, 0, sizeof(err));
        server_start(&s, false, (uid_t) -1, script_500_chunked);
        assert_int_equal(engine_stream_open(&s.ep, "/events", 5000, &st, &err), -EPROTO);
        assert_int_equal(err.http_status, 500);
        /* The engine's words, with no escape sequence left in them. */
        assert_non_null(strstr(err.message, "failed on the event stream (HTTP 500): it broke?[31m"));
        server_stop(&s);
}

/* A Docker too new for API 1.24: it names the version it wants, on the same connection. */
static void script_version(int conn, int ctl, const char *request) {
        static const char body[] = "{\"message\":\"client version 1.24 is too old. Minimum supported API version "
                                   "is 1.44, please upgrade your client to a newer version\"}\n";
        char head[256], again[1024], echo[1100];

        (void) ctl;
        (void) request;
        snprintf(head, sizeof(head), "HTTP/1.1 400 Bad Request\r\nContent-Length: %zu\r\n\r\n", sizeof(body) - 1);
        send_str(conn, head);
        send_str(conn, body);
        if (!read_request(conn, again, sizeof(again)))
                _exit(1);
        send_str(conn, stream_head);
        snprintf(echo, sizeof(echo), "%s\n", again);
        send_chunk(conn, echo, strlen(echo));
        wait_ctl(ctl);
}

static void test_stream_version(void **state) {
        _cleanup_(engine_stream_closep) struct engine_stream *st = NULL;
        struct nsx_error err = {};
        struct server s = {};

        (void) state;
        server_start(&s, false, (uid_t) -1, script_version);
        assert_int_equal(engine_stream_open(&s.ep, "/events", 5000, &st, &err), 0);
        expect_line(st, "GET /v1.44/events HTTP/1.1");
        engine_stream_close(TAKE_PTR(st));
        server_stop(&s);
}

static void script_silent(int conn, int ctl, const char *request) {
        (void) conn;
        (void) request;
        wait_ctl(ctl);
}

static void script_headers_only(int conn, int ctl, const char *request) {
        (void) request;
        send_str(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
        wait_ctl(ctl);
}

static void test_stream_open_timeout(void **state) {
        struct engine_stream *st = NULL;
        struct nsx_error err = {};
        struct server s = {};
        long t0;

        (void) state;
        server_start(&s, false, (uid_t) -1, script_silent);
        t0 = now_ms();
        assert_int_equal(engine_stream_open(&s.ep, "/events", 300, &st, &err), -ETIMEDOUT);
        assert_true(now_ms() - t0 >= 290);
        assert_true(now_ms() - t0 < 3000);
        assert_non_null(strstr(err.message, "did not answer within 0.3 s"));
        server_stop(&s);

        /* The status line came, the header block did not end. */
        server_start(&s, false, (uid_t) -1, script_headers_only);
        assert_int_equal(engine_stream_open(&s.ep, "/events", 300, &st, &err), -ETIMEDOUT);
        assert_null(st);
        server_stop(&s);
}

/* The engine is another user's, and not named: nothing is sent, the stream refused. */
static void script_must_not_run(int conn, int ctl, const char *request) {
        (void) conn;
        (void) ctl;
        (void) request;
        _exit(3);
}

static void test_stream_peer(void **state) {
        struct engine_stream *st = NULL;
        struct nsx_error err = {};
        struct server s = {};

        (void) state;
        if (geteuid() != 0)
                return; /* needs to run a listener as another user */
        server_start(&s, false, 65534, script_must_not_run);
        s.ep.named = false;
        assert_int_equal(engine_stream_open(&s.ep, "/events", 5000, &st, &err), -EPERM);
        assert_null(st);
        assert_non_null(strstr(err.message, "it is run by uid 65534"));
        /* The server saw a connection, and no request on it. */
        assert_int_equal(server_wait(&s), 1 << 8);

        /* The same over loopback tcp: the kernel's socket table names the listener's owner. */
        memset(&err, 0, sizeof(err));
        server_start(&s, true, 65534, script_must_not_run);
        s.ep.named = false;
        assert_int_equal(engine_stream_open(&s.ep, "/events", 5000, &st, &err), -EPERM);
        assert_non_null(strstr(err.message, "it is run by uid 65534"));
        assert_int_equal(server_wait(&s), 1 << 8);
}

static void test_stream_no_engine(void **state) {
        struct engine_stream *st = NULL;
        struct nsx_error err = {};
        struct endpoint ep;

        (void) state;
        assert_int_equal(endpoint_parse("unix:///nonexistent/nsx-test/engine.sock", ENDPOINT_FROM_FLAG, &ep, &err), 0);
        assert_int_equal(engine_stream_open(&ep, "/events", 2000, &st, &err), -ENOENT);
        assert_null(st);
        assert_non_null(strstr(err.message, "does not exist"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path),
                cmocka_unit_test(test_parse_docker),
                cmocka_unit_test(test_parse_podman),
                cmocka_unit_test(test_parse_forms),
                cmocka_unit_test(test_parse_refused),
                cmocka_unit_test(test_stream_lines),
                cmocka_unit_test(test_stream_lines_tcp),
                cmocka_unit_test(test_stream_wait),
                cmocka_unit_test(test_stream_too_long),
                cmocka_unit_test(test_stream_cut),
                cmocka_unit_test(test_stream_refused),
                cmocka_unit_test(test_stream_version),
                cmocka_unit_test(test_stream_open_timeout),
                cmocka_unit_test(test_stream_peer),
                cmocka_unit_test(test_stream_no_engine),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
