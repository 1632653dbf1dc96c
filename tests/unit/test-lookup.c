/* SPDX-License-Identifier: MIT */
/* Unit tests: the lookup against a small engine on a real unix socket (a forked server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lookup.h"
#include "test-file.h"
#include "util.h"

#define WEB_ID "439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1"

struct engine_fake {
        char dir[64];
        char uri[128];
        pid_t pid;
};

static char *fixture(const char *name) {
        return test_read_file("NSX_TEST_DATA", name, NULL);
}

/* One connection: answers each GET in turn, kept alive, until the client closes it. The list
 * names web (inspected by full ID) and client (gone by the time it is inspected: 404). */
static void serve(int fd, const char *list, const char *web, const char *compose) {
        char req[4096];
        size_t len = 0;

        for (;;) {
                char *end = len ? memmem(req, len, "\r\n\r\n", 4) : NULL;
                const char *body = "{\"message\":\"No such container\"}";
                char head[256];
                ssize_t n;
                int status = 404;

                if (!end) {
                        n = read(fd, req + len, sizeof(req) - len);
                        if (n <= 0)
                                return;
                        len += (size_t) n;
                        continue;
                }
                req[end - req] = '\0';
                /* Any Compose filter: the whole compose list; the lookup must check the labels. */
                if (strstr(req, "com.docker.compose"))
                        body = compose, status = 200;
                else if (strstr(req, "/containers/json?"))
                        body = list, status = 200;
                else if (strstr(req, "/containers/web/json ") || strstr(req, "/containers/" WEB_ID "/json "))
                        body = web, status = 200;
                snprintf(head, sizeof(head),
                         "HTTP/1.1 %d X\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\n\r\n",
                         status, strlen(body));
                if (write(fd, head, strlen(head)) < 0 || write(fd, body, strlen(body)) < 0)
                        return;
                len -= (size_t) (end + 4 - req);
                memmove(req, end + 4, len);
        }
}

static int fake_setup(void **state) {
        struct engine_fake *f = calloc(1, sizeof(*f));
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        char *list = fixture("good-list.json"), *web = fixture("good-running.json"),
             *compose = fixture("compose-list.json");
        int fd;

        snprintf(f->dir, sizeof(f->dir), "/tmp/nsx-lookup-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/e.sock", f->dir);
        snprintf(f->uri, sizeof(f->uri), "unix://%s", sa.sun_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 8) < 0)
                return -1;
        f->pid = fork();
        if (f->pid == 0) {
                for (;;) {
                        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

                        if (c >= 0) {
                                serve(c, list, web, compose);
                                close(c);
                        }
                }
        }
        close(fd);
        free(list);
        free(web);
        free(compose);
        *state = f;
        return f->pid > 0 ? 0 : -1;
}

static int fake_teardown(void **state) {
        struct engine_fake *f = *state;
        char path[128];

        kill(f->pid, SIGKILL);
        waitpid(f->pid, NULL, 0);
        snprintf(path, sizeof(path), "%s/e.sock", f->dir);
        unlink(path);
        rmdir(f->dir);
        free(f);
        return 0;
}

static void endpoint_of(const struct engine_fake *f, struct endpoint *ret) {
        struct nsx_error err = {};

        assert_int_equal(lookup_endpoint(&(struct lookup_where){.host = f->uri}, ret, &err), 0);
}

static void test_endpoint(void **state) {
        struct nsx_error err = {};
        struct endpoint ep;

        (void) state;
        /* The command line first, then the environment, as the docker CLI. */
        setenv("DOCKER_HOST", "unix:///run/nsx-lookup-env.sock", 1);
        assert_int_equal(lookup_endpoint(&(struct lookup_where){.host = "unix:///run/nsx-lookup-flag.sock"}, &ep, &err),
                         0);
        assert_int_equal(ep.source, ENDPOINT_FROM_FLAG);
        assert_string_equal(ep.socket_path, "/run/nsx-lookup-flag.sock");
        assert_int_equal(lookup_endpoint(&(struct lookup_where){}, &ep, &err), 0);
        assert_int_equal(ep.source, ENDPOINT_FROM_ENV);
        assert_string_equal(ep.socket_path, "/run/nsx-lookup-env.sock");
        unsetenv("DOCKER_HOST");
}

static void test_container(void **state) {
        _cleanup_(container_donep) struct container c = {};
        struct nsx_error err = {};
        struct engine_exchange x;
        struct endpoint ep;

        endpoint_of(*state, &ep);
        assert_int_equal(lookup_container(&ep, "web", "/web", NULL, 5000, &c, &x, NULL, &err), 0);
        assert_string_equal(c.id, WEB_ID);
        assert_int_equal(c.pid, 3548);
        /* Whose engine answered reaches the cgroup proof: ours, here. */
        assert_int_equal(c.engine_uid, geteuid());
        /* What -v prints: one request, its answer, the engine's API. */
        assert_int_equal(x.n_attempts, 1);
        assert_string_equal(x.attempts[0].path, "/v1.41/containers/web/json");
        assert_int_equal(x.attempts[0].status, 200);
        assert_string_equal(x.server_api, "1.41");
        assert_int_equal(x.peer_uid, geteuid());
}

static void test_container_unknown(void **state) {
        struct container c = {};
        struct nsx_error err = {};
        struct engine_exchange x;
        struct endpoint ep;

        endpoint_of(*state, &ep);
        assert_true(lookup_container(&ep, "nope", "nope", NULL, 5000, &c, &x, NULL, &err) < 0);
        assert_int_equal(err.kind, NSX_ERR_FAILED);
        assert_int_equal(err.errnum, ENOENT);
        assert_string_equal(err.message, "no such container: 'nope'");
        /* The answer is still there for -v, printed before the error. */
        assert_int_equal(x.n_attempts, 1);
        assert_int_equal(x.attempts[0].status, 404);
        assert_null(c.name);
}

/* A path longer than the engine module records is refused, not sent cut short (it would name
 * another container). */
static void test_container_long_name(void **state) {
        struct container c = {};
        struct nsx_error err = {};
        struct engine_exchange x;
        struct endpoint ep;
        char name[400];

        endpoint_of(*state, &ep);
        memset(name, 'w', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        assert_true(lookup_container(&ep, name, name, NULL, 5000, &c, &x, NULL, &err) < 0);
        assert_int_equal(err.errnum, ENAMETOOLONG);
        assert_int_equal(x.n_attempts, 0);
        /* With the Compose fallback too: the name is too long to be asked for at all. */
        err = (struct nsx_error){};
        assert_true(lookup_container(&ep, name, name, &(struct compose_query){.project = "proj"}, 5000, &c, &x, NULL,
                                     &err) < 0);
        assert_int_equal(err.errnum, ENAMETOOLONG);
}

static void test_container_no_engine(void **state) {
        struct container c = {};
        struct nsx_error err = {};
        struct engine_exchange x = {.n_attempts = 7};
        struct endpoint ep;

        (void) state;
        assert_int_equal(lookup_endpoint(&(struct lookup_where){.host = "unix:///run/nsx-lookup-none.sock"}, &ep, &err),
                         0);
        assert_true(lookup_container(&ep, "web", "web", NULL, 5000, &c, &x, NULL, &err) < 0);
        /* No answer: nothing for -v to say of one. */
        assert_int_equal(x.n_attempts, 0);
}

static void test_running(void **state) {
        struct container_summary *list = NULL;
        struct nsx_error err = {};
        struct engine_exchange x;
        struct endpoint ep;
        size_t n = 0;

        endpoint_of(*state, &ep);
        assert_int_equal(lookup_running(&ep, 5000, &list, &n, &x, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(list[0].name, "web");
        assert_string_equal(list[1].name, "client");
        assert_int_equal(x.n_attempts, 1);
        assert_int_equal(x.attempts[0].status, 200);
        container_summaries_free(list, n);
}

static void test_containers_listed(void **state) {
        _cleanup_(lookup_set_donep) struct lookup_set s = {};
        struct nsx_error err = {};
        struct endpoint ep;

        endpoint_of(*state, &ep);
        assert_int_equal(lookup_containers(&ep, 5000, NULL, 0, NULL, &s, &err), 0);
        /* client is gone by its inspect: left out, not an error. */
        assert_int_equal(s.n, 1);
        assert_string_equal(s.v[0].c.name, "web");
        assert_int_equal(s.v[0].c.engine_uid, geteuid());
        assert_int_equal(s.engine_uid, geteuid());
        /* The list and two inspects, over the one connection. */
        assert_int_equal(s.requests, 3);
}

static void test_containers_named(void **state) {
        _cleanup_(lookup_set_donep) struct lookup_set s = {};
        struct nsx_error err = {};
        struct endpoint ep;
        char *refs[] = {"web", "nope"}, *bad[] = {"web", "web/json?"};

        endpoint_of(*state, &ep);
        assert_int_equal(lookup_containers(&ep, 5000, refs, 1, NULL, &s, &err), 0);
        assert_int_equal(s.n, 1);
        assert_int_equal(s.requests, 1);
        lookup_set_done(&s);
        /* A named container that is not there is an error, not left out. */
        assert_true(lookup_containers(&ep, 5000, refs, 2, NULL, &s, &err) < 0);
        assert_int_equal(err.kind, NSX_ERR_FAILED);
        assert_int_equal(err.errnum, ENOENT);
        assert_int_equal(s.n, 0);
        /* A reference that could steer a request path is refused before any request. */
        err = (struct nsx_error){};
        assert_true(lookup_containers(&ep, 5000, bad, 2, NULL, &s, &err) < 0);
        assert_int_equal(err.http_status, 0);
        assert_non_null(strstr(err.message, "web/json?"));
}

/* A name no container has, read as a Compose service: the list with label filters, then the
 * inspect by full ID, on the same connection. */
static void test_compose(void **state) {
        _cleanup_(container_donep) struct container c = {};
        struct compose_query q = {.project = "proj"};
        struct nsx_error err = {};
        struct engine_exchange x;
        struct lookup_fallback fb;
        struct endpoint ep;

        endpoint_of(*state, &ep);
        assert_int_equal(lookup_container(&ep, "api", "api", &q, 5000, &c, &x, &fb, &err), 0);
        assert_string_equal(c.id, WEB_ID);
        assert_int_equal(c.engine_uid, geteuid());
        assert_int_equal(x.n_attempts, 1);
        assert_int_equal(x.attempts[0].status, 404);
        assert_int_equal(fb.list.n_attempts, 1);
        assert_string_equal(fb.list.attempts[0].path,
                            "/v1.41/containers/json?filters=%7B%22label%22%3A%5B%22com.docker.compose.project%3Dproj"
                            "%22%2C%22com.docker.compose.service%3Dapi%22%5D%2C%22status%22%3A%5B%22running%22%5D%7D");
        assert_int_equal(fb.inspect.n_attempts, 1);
        assert_string_equal(fb.inspect.attempts[0].path, "/v1.41/containers/" WEB_ID "/json");
        assert_string_equal(fb.note, "'api' is Compose service api of project proj: container proj-api-1");
        container_done(&c);

        /* SERVICE-N asks for the whole project. */
        assert_int_equal(lookup_container(&ep, "api-1", "api-1", &q, 5000, &c, &x, &fb, &err), 0);
        assert_non_null(strstr(fb.list.attempts[0].path, "project%3Dproj%22%5D"));
        assert_string_equal(fb.note,
                            "'api-1' is Compose service api (replica 1) of project proj: container proj-api-1");
        container_done(&c);

        /* A real container's name: one request, no fallback. */
        assert_int_equal(lookup_container(&ep, "web", "web", &q, 5000, &c, &x, &fb, &err), 0);
        assert_int_equal(x.n_attempts, 1);
        assert_int_equal(fb.list.n_attempts, 0);
        assert_string_equal(fb.note, "");
        container_done(&c);

        /* Several replicas: the error lists them. */
        assert_true(lookup_container(&ep, "worker", "worker", &q, 5000, &c, &x, &fb, &err) < 0);
        assert_int_equal(err.errnum, EEXIST);
        assert_non_null(strstr(err.message, "proj_worker_1, proj_worker_2"));

        /* Not a service of this project: the usual error, one line. */
        q.project = "elsewhere";
        err = (struct nsx_error){};
        assert_true(lookup_container(&ep, "api", "api", &q, 5000, &c, &x, &fb, &err) < 0);
        assert_int_equal(err.errnum, ENOENT);
        assert_string_equal(err.message, "no such container: 'api'");
        assert_string_equal(err.hint, "");
        assert_int_equal(fb.list.n_attempts, 1);

        /* --listeners' named containers too. */
        q.project = "proj";
        {
                _cleanup_(lookup_set_donep) struct lookup_set s = {};
                char *refs[] = {"api"};

                assert_int_equal(lookup_containers(&ep, 5000, refs, 1, &q, &s, &err), 0);
                assert_int_equal(s.n, 1);
                assert_string_equal(s.v[0].c.id, WEB_ID);
                assert_int_equal(s.requests, 3);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_endpoint),
                cmocka_unit_test_setup_teardown(test_container, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_container_unknown, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_container_long_name, fake_setup, fake_teardown),
                cmocka_unit_test(test_container_no_engine),
                cmocka_unit_test_setup_teardown(test_running, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_containers_listed, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_containers_named, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_compose, fake_setup, fake_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
