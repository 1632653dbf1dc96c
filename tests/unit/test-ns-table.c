/* SPDX-License-Identifier: MIT */
/* Unit tests: the namespace table, and the files built by hand from it (completions, man page). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ns.h"
#include "options.h"
#include "test-file.h"

/* Reads SOURCE_ROOT/PATH (the root comes from NSX_SOURCE_ROOT) into a malloc'd string. */
static char *source_file(const char *path) {
        return test_read_file("NSX_SOURCE_ROOT", path, NULL);
}

/* Fails, naming the file and what it lacks, unless text holds want. */
static void assert_holds(const char *file, const char *text, const char *want) {
        if (!strstr(text, want))
                fail_msg("%s lacks: %s", file, want);
}

static void test_table(void **state) {
        unsigned all = 0;
        (void) state;

        for (size_t i = 0; i < NS_COUNT; i++) {
                const struct ns_kind *ns = &ns_table[i];

                /* One bit each, and every bit of ENTER_NS_ALL once. */
                assert_int_equal(__builtin_popcount(ns->bit), 1);
                assert_int_equal(all & ns->bit, 0);
                all |= ns->bit;
                assert_ptr_equal(ns_by_bit(ns->bit), ns);

                assert_int_not_equal(ns->clone_flag, 0);
                for (size_t j = 0; j < i; j++) {
                        assert_int_not_equal(ns_table[j].clone_flag, ns->clone_flag);
                        assert_string_not_equal(ns_table[j].proc_name, ns->proc_name);
                        assert_string_not_equal(ns_table[j].long_option, ns->long_option);
                        assert_string_not_equal(ns_table[j].short_option, ns->short_option);
                }

                /* "-X" and "--word", as getopt and the completions take them. */
                assert_int_equal(strlen(ns->short_option), 2);
                assert_int_equal(ns->short_option[0], '-');
                assert_true(strncmp(ns->long_option, "--", 2) == 0 && strlen(ns->long_option) > 3);
                assert_ptr_equal(ns_by_option(ns->short_option[1]), ns);

                assert_true(ns->what[0] && ns->help[0] && ns->description[0]);
                /* The --help column is 17 wide after the short option. */
                assert_true(strlen(ns->long_option) < 17);
        }
        assert_int_equal(all, ENTER_NS_ALL);

        /* The join order: bit i is the i-th; user first, mount late. */
        for (unsigned i = 0; i < NS_COUNT; i++)
                assert_non_null(ns_by_bit(1u << i));
        assert_null(ns_by_bit(0));
        assert_null(ns_by_bit(1u << NS_COUNT));
        assert_null(ns_by_bit(ENTER_NS_NET | ENTER_NS_MNT));
        assert_string_equal(ns_by_bit(1u << 0)->proc_name, "user");

        /* Options that are not namespaces. */
        assert_null(ns_by_option('a'));
        assert_null(ns_by_option('w'));
        assert_null(ns_by_option(0));
        assert_null(ns_by_option('?'));
}

/* The /proc name and the clone flag name one namespace: the kernel says which (NS_GET_NSTYPE). */
static void test_proc_names(void **state) {
        (void) state;

        for (size_t i = 0; i < NS_COUNT; i++) {
                char path[64];
                int fd, type;

                snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_table[i].proc_name);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT) {
                        print_message("# this kernel has no %s namespace\n", ns_table[i].what);
                        continue;
                }
                assert_true(fd >= 0);
                type = ioctl(fd, NS_GET_NSTYPE);
                close(fd);
                if (type < 0 && errno == ENOTTY) {
                        print_message("# this kernel lacks NS_GET_NSTYPE (4.11)\n");
                        return;
                }
                assert_int_equal(type, ns_table[i].clone_flag);
        }
}

/* The parser, options_docs: both from the table. */
static void test_options(void **state) {
        struct options_doc buf[OPTIONS_DOCS_MAX];
        const struct options_doc *docs = options_docs(buf);
        (void) state;

        for (size_t i = 0; i < NS_COUNT; i++) {
                const struct ns_kind *ns = &ns_table[i];
                const char *names[] = {ns->short_option, ns->long_option};

                for (size_t j = 0; j < 2; j++) {
                        struct options o;
                        struct nsx_error err = {};

                        assert_int_equal(
                                options_parse(3, (char *[]){"docker-nsexec", (char *) names[j], "web", NULL}, &o, &err),
                                0);
                        assert_int_equal(o.namespaces, ns->bit);
                }
                assert_string_equal(docs[i].long_name, ns->long_option);
                assert_string_equal(docs[i].short_name, ns->short_option);
                assert_string_equal(docs[i].description, ns->description);
        }
        assert_string_equal(docs[NS_COUNT].long_name, "--all");
}

/* bash offers the names only: each is a word of its compgen -W list. */
static void test_bash_completion(void **state) {
        const char *file = "contrib/completion/docker-nsexec.bash";
        char *text = source_file(file);
        char *list, *end;
        (void) state;

        list = strstr(text, "compgen -W '");
        assert_non_null(list);
        list += strlen("compgen -W '");
        end = strchr(list, '\'');
        assert_non_null(end);
        *end = '\0';
        for (size_t i = 0; i < NS_COUNT; i++) {
                const char *names[] = {ns_table[i].short_option, ns_table[i].long_option};

                for (size_t j = 0; j < 2; j++) {
                        bool found = false;
                        char *copy = strdup(list), *save = NULL;

                        assert_non_null(copy);
                        for (char *w = strtok_r(copy, " \t\n", &save); w && !found; w = strtok_r(NULL, " \t\n", &save))
                                found = strcmp(w, names[j]) == 0;
                        free(copy);
                        if (!found)
                                fail_msg("%s does not offer %s", file, names[j]);
                }
        }
        free(text);
}

/* zsh and fish carry the description too. */
static void test_zsh_completion(void **state) {
        const char *file = "contrib/completion/_docker-nsexec";
        char *text = source_file(file);
        (void) state;

        for (size_t i = 0; i < NS_COUNT; i++) {
                const struct ns_kind *ns = &ns_table[i];
                char want[512];

                /* '(-n --net)'{-n,--net}'[join the network namespace (the default)]' */
                snprintf(want, sizeof(want), "'(%s %s)'{%s,%s}'[%s]'", ns->short_option, ns->long_option,
                         ns->short_option, ns->long_option, ns->description);
                assert_holds(file, text, want);
        }
        free(text);
}

static void test_fish_completion(void **state) {
        const char *file = "contrib/completion/docker-nsexec.fish";
        char *text = source_file(file);
        (void) state;

        for (size_t i = 0; i < NS_COUNT; i++) {
                const struct ns_kind *ns = &ns_table[i];
                char want[512];

                snprintf(want, sizeof(want), "complete -c docker-nsexec -n $before -s %c -l %s -d '%s'\n",
                         ns->short_option[1], ns->long_option + 2, ns->description);
                assert_holds(file, text, want);
        }
        free(text);
}

/* Appends s to buf, each "-" as roff's "\-". */
static void roff_append(char *buf, size_t size, const char *s) {
        size_t n = strlen(buf);

        for (; *s; s++) {
                assert_true(n + 3 < size);
                if (*s == '-')
                        buf[n++] = '\\';
                buf[n++] = *s;
        }
        buf[n] = '\0';
}

/* The man page describes each in its own words, under the option names. */
static void test_man_page(void **state) {
        const char *file = "contrib/docker-nsexec.1";
        char *text = source_file(file);
        (void) state;

        for (size_t i = 0; i < NS_COUNT; i++) {
                const struct ns_kind *ns = &ns_table[i];
                char want[128] = ".TP\n.BR ";

                /* .TP\n.BR \-n ", " \-\-net\n: roff escapes each hyphen. */
                roff_append(want, sizeof(want), ns->short_option);
                roff_append(want, sizeof(want), " \", \" ");
                roff_append(want, sizeof(want), ns->long_option);
                roff_append(want, sizeof(want), "\n");
                assert_holds(file, text, want);
        }
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),          cmocka_unit_test(test_proc_names),
                cmocka_unit_test(test_options),        cmocka_unit_test(test_bash_completion),
                cmocka_unit_test(test_zsh_completion), cmocka_unit_test(test_fish_completion),
                cmocka_unit_test(test_man_page),
        };
        return cmocka_run_group_tests_name("ns-table", tests, NULL, NULL);
}
