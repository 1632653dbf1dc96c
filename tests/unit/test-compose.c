/* SPDX-License-Identifier: MIT */
/* Unit tests: Compose's project name, the label-filtered list path, the labels parsed, the pick. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose.h"
#include "container.h"
#include "test-file.h"
#include "util.h"

static char *fixture(const char *name) {
        return test_read_file("NSX_TEST_DATA", name, NULL);
}

static void test_normalize(void **state) {
        char buf[64];

        (void) state;
        /* Lowercase, then all but [a-z0-9_-] dropped: v1's rule and v2's. */
        assert_int_equal(compose_project_normalize("My App.v2", false, buf, sizeof(buf)), 7);
        assert_string_equal(buf, "myappv2");
        assert_int_equal(compose_project_normalize("web_1-x", false, buf, sizeof(buf)), 7);
        assert_string_equal(buf, "web_1-x");
        /* Non-ASCII bytes go too (Compose lowercases them to letters outside [a-z]). */
        assert_int_equal(compose_project_normalize("caf\xc3\xa9", false, buf, sizeof(buf)), 3);
        assert_string_equal(buf, "caf");
        /* Where v1 and v2 differ: v2 trims leading '-' and '_'. */
        assert_int_equal(compose_project_normalize("_-.app", false, buf, sizeof(buf)), 5);
        assert_string_equal(buf, "_-app");
        assert_int_equal(compose_project_normalize("_-.app", true, buf, sizeof(buf)), 3);
        assert_string_equal(buf, "app");
        assert_int_equal(compose_project_normalize("...", true, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        assert_int_equal(compose_project_normalize("abcdef", false, buf, 4), -ENAMETOOLONG);
}

static void test_pick_project(void **state) {
        char buf[64];

        (void) state;
        /* COMPOSE_PROJECT_NAME first, normalized as v1 does (v2 refuses one that is not). */
        assert_int_equal(compose_project_pick("Shop", "/srv/other", buf, sizeof(buf)), 4);
        assert_string_equal(buf, "shop");
        assert_int_equal(compose_project_pick("_x", "/srv/other", buf, sizeof(buf)), 2);
        assert_string_equal(buf, "_x");
        /* Empty: as unset. */
        assert_int_equal(compose_project_pick("", "/home/me/My.Shop/", buf, sizeof(buf)), 6);
        assert_string_equal(buf, "myshop");
        /* The directory's name, v2's rule. */
        assert_int_equal(compose_project_pick(NULL, "/home/me/-shop", buf, sizeof(buf)), 4);
        assert_string_equal(buf, "shop");
        assert_int_equal(compose_project_pick(NULL, "shop", buf, sizeof(buf)), 4);
        assert_string_equal(buf, "shop");
        /* "/" has no name: no project. */
        assert_int_equal(compose_project_pick(NULL, "/", buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        assert_int_equal(compose_project_pick(NULL, NULL, buf, sizeof(buf)), 0);
}

static void touch(const char *dir, const char *name) {
        char path[512];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
}

static void test_project_dir(void **state) {
        char root[] = "/tmp/nsx-compose-XXXXXX", sub[128], deep[160], buf[256], proj[256];

        (void) state;
        assert_non_null(mkdtemp(root));
        snprintf(sub, sizeof(sub), "%s/Shop", root);
        snprintf(deep, sizeof(deep), "%s/src/app", sub);
        assert_int_equal(mkdir(sub, 0755), 0);
        snprintf(buf, sizeof(buf), "%s/src", sub);
        assert_int_equal(mkdir(buf, 0755), 0);
        assert_int_equal(mkdir(deep, 0755), 0);

        /* No Compose file anywhere up: the directory itself. */
        assert_int_equal(compose_project_dir(deep, buf, sizeof(buf)), 0);
        assert_string_equal(buf, deep);
        /* The nearest directory up that holds one, as Compose searches for its file. */
        touch(sub, "docker-compose.yml");
        assert_int_equal(compose_project_dir(deep, buf, sizeof(buf)), 0);
        assert_string_equal(buf, sub);
        compose_project_pick(NULL, buf, proj, sizeof(proj));
        assert_string_equal(proj, "shop");
        /* A trailing slash changes nothing. */
        snprintf(proj, sizeof(proj), "%s/", deep);
        assert_int_equal(compose_project_dir(proj, buf, sizeof(buf)), 0);
        assert_string_equal(buf, sub);
        /* compose.yaml, nearer, wins. */
        snprintf(buf, sizeof(buf), "%s/src", sub);
        touch(buf, "compose.yaml");
        assert_int_equal(compose_project_dir(deep, proj, sizeof(proj)), 0);
        assert_string_equal(proj, buf);
        /* Relative: refused. */
        assert_int_equal(compose_project_dir("src/app", buf, sizeof(buf)), -EINVAL);

        /* The whole inference, from the working directory ($PWD naming it) and from the
         * variable. */
        assert_int_equal(chdir(deep), 0);
        setenv("PWD", deep, 1);
        unsetenv("COMPOSE_PROJECT_NAME");
        compose_project_infer(proj, sizeof(proj));
        assert_string_equal(proj, "src");
        setenv("COMPOSE_PROJECT_NAME", "Other", 1);
        compose_project_infer(proj, sizeof(proj));
        assert_string_equal(proj, "other");
        unsetenv("COMPOSE_PROJECT_NAME");
        assert_int_equal(chdir("/"), 0);

        snprintf(buf, sizeof(buf), "%s/src/compose.yaml", sub);
        unlink(buf);
        snprintf(buf, sizeof(buf), "%s/docker-compose.yml", sub);
        unlink(buf);
        rmdir(deep);
        snprintf(buf, sizeof(buf), "%s/src", sub);
        rmdir(buf);
        rmdir(sub);
        rmdir(root);
}

static void test_list_path(void **state) {
        struct nsx_error err = {};
        char buf[512];

        (void) state;
        /* {"label":["com.docker.compose.project=p","com.docker.compose.service=web"],"status":["running"]} */
        assert_int_equal(compose_list_path("p", "web", buf, sizeof(buf), &err), 0);
        assert_string_equal(buf, "/containers/json?filters="
                                 "%7B%22label%22%3A%5B%22com.docker.compose.project%3Dp%22%2C%22"
                                 "com.docker.compose.service%3Dweb%22%5D%2C%22status%22%3A%5B%22running%22%5D%7D");
        /* The whole project, for SERVICE-N. */
        assert_int_equal(compose_list_path("my_app-1", NULL, buf, sizeof(buf), &err), 0);
        assert_string_equal(buf, "/containers/json?filters="
                                 "%7B%22label%22%3A%5B%22com.docker.compose.project%3Dmy_app-1%22%5D%2C%22"
                                 "status%22%3A%5B%22running%22%5D%7D");
        /* Nothing that could leave the JSON string or the query. */
        assert_int_equal(compose_list_path("p", "web\"]}", buf, sizeof(buf), &err), -EINVAL);
        assert_int_equal(compose_list_path("", "web", buf, sizeof(buf), &err), -EINVAL);
        assert_int_equal(compose_list_path("p&all=1", "web", buf, sizeof(buf), &err), -EINVAL);
        assert_int_equal(compose_list_path("p", "web", buf, 40, &err), -ENAMETOOLONG);
        /* Bounded whatever the buffer: the engine module records the path it asks. */
        {
                char big[160];

                memset(big, 'a', sizeof(big) - 1);
                big[sizeof(big) - 1] = '\0';
                assert_int_equal(compose_list_path("p", big, buf, sizeof(buf), &err), -ENAMETOOLONG);
                big[100] = '\0';
                assert_int_equal(compose_list_path("p", big, buf, sizeof(buf), &err), 0);
                assert_true(strlen(buf) <= COMPOSE_LIST_PATH_MAX);
        }
}

static void test_split(void **state) {
        char service[32];
        unsigned n = 0;

        (void) state;
        assert_true(compose_split_replica("web-2", service, sizeof(service), &n));
        assert_string_equal(service, "web");
        assert_int_equal(n, 2);
        assert_true(compose_split_replica("my-web-12", service, sizeof(service), &n));
        assert_string_equal(service, "my-web");
        assert_int_equal(n, 12);
        assert_false(compose_split_replica("web", service, sizeof(service), &n));
        assert_false(compose_split_replica("web-0", service, sizeof(service), &n));
        assert_false(compose_split_replica("web-02", service, sizeof(service), &n));
        assert_false(compose_split_replica("web-", service, sizeof(service), &n));
        assert_false(compose_split_replica("-2", service, sizeof(service), &n));
        assert_false(compose_split_replica("web_2", service, sizeof(service), &n));
        assert_false(compose_split_replica("web-1234567", service, sizeof(service), &n));
}

static void test_labels(void **state) {
        struct container_summary *list = NULL;
        struct nsx_error err = {};
        char *body = fixture("compose-list.json");
        size_t n = 0;

        (void) state;
        assert_int_equal(container_parse_list(body, strlen(body), &list, &n, &err), 0);
        assert_int_equal(n, 5);
        assert_string_equal(list[0].compose_project, "proj");
        assert_string_equal(list[0].compose_service, "api");
        assert_int_equal(list[0].compose_number, 1);
        assert_int_equal(list[1].compose_number, 2);
        /* A label that is no name (an escape sequence) or a number with a leading zero: absent. */
        assert_null(list[4].compose_project);
        assert_string_equal(list[4].compose_service, "api");
        assert_int_equal(list[4].compose_number, 0);
        container_summaries_free(list, n);
        free(body);

        /* Labels absent or null: none. */
        body = "[{\"Id\":\"439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1\",\"Names\":[\"/a\"],"
               "\"Labels\":null}]";
        assert_int_equal(container_parse_list(body, strlen(body), &list, &n, &err), 0);
        assert_null(list[0].compose_project);
        container_summaries_free(list, n);
        /* Not an object of strings: the engine's answer is malformed. */
        body = "[{\"Id\":\"439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1\",\"Names\":[\"/a\"],"
               "\"Labels\":{\"com.docker.compose.project\":5}}]";
        assert_int_equal(container_parse_list(body, strlen(body), &list, &n, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "Labels"));
        body = "[{\"Id\":\"439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1\",\"Names\":[\"/a\"],"
               "\"Labels\":[\"x\"]}]";
        assert_int_equal(container_parse_list(body, strlen(body), &list, &n, &err), -EBADMSG);
}

static void test_pick(void **state) {
        const struct container_summary *found = NULL;
        struct container_summary *list = NULL;
        struct nsx_error err = {};
        char *body = fixture("compose-list.json");
        unsigned number = 7;
        size_t n = 0;

        (void) state;
        assert_int_equal(container_parse_list(body, strlen(body), &list, &n, &err), 0);

        /* One running replica: it, whatever other projects have. */
        assert_int_equal(compose_pick(list, n, "proj", "api", 0, &found, &number, &err), 1);
        assert_string_equal(found->name, "proj-api-1");
        assert_int_equal(number, 0);
        assert_int_equal(compose_pick(list, n, "other", "api", 0, &found, &number, &err), 1);
        assert_string_equal(found->name, "other-api-1");
        /* Several: an error naming them, in replica order. */
        err = (struct nsx_error){};
        assert_int_equal(compose_pick(list, n, "proj", "worker", 0, &found, &number, &err), -EEXIST);
        assert_string_equal(err.message, "'worker' is Compose service worker of project proj with 2 running replicas: "
                                         "proj_worker_1, proj_worker_2");
        assert_non_null(strstr(err.hint, "--index"));
        /* SERVICE-N and --index N. */
        assert_int_equal(compose_pick(list, n, "proj", "worker-2", 0, &found, &number, &err), 1);
        assert_string_equal(found->name, "proj_worker_2");
        assert_int_equal(number, 2);
        assert_int_equal(compose_pick(list, n, "proj", "worker", 1, &found, &number, &err), 1);
        assert_string_equal(found->name, "proj_worker_1");
        assert_int_equal(number, 1);
        err = (struct nsx_error){};
        assert_int_equal(compose_pick(list, n, "proj", "worker", 3, &found, &number, &err), -ENOENT);
        assert_string_equal(err.message, "worker --index: Compose service worker of project proj has no running "
                                         "replica 3 (running: proj_worker_1, proj_worker_2)");
        assert_int_equal(compose_pick(list, n, "proj", "worker-3", 0, &found, &number, &err), -ENOENT);
        /* Not in the project, or no such service: nothing (the caller's "no such container"). */
        assert_int_equal(compose_pick(list, n, "nope", "api", 0, &found, &number, &err), 0);
        assert_int_equal(compose_pick(list, n, "proj", "db", 0, &found, &number, &err), 0);
        assert_int_equal(compose_pick(list, n, "proj", "db-1", 0, &found, &number, &err), 0);
        assert_int_equal(compose_pick(list, n, "proj", "db", 1, &found, &number, &err), 0);
        container_summaries_free(list, n);
        free(body);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normalize),   cmocka_unit_test(test_pick_project),
                cmocka_unit_test(test_project_dir), cmocka_unit_test(test_list_path),
                cmocka_unit_test(test_split),       cmocka_unit_test(test_labels),
                cmocka_unit_test(test_pick),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
