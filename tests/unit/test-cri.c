/* SPDX-License-Identifier: MIT */
/* Unit tests: the CRI wire codec over protoc-made fixtures and broken bytes, and target resolution. */
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

#include "cri.h"
#include "test-file.h"

/* tests/data/cri-*.bin: protoc --encode of the cri-*.txtpb next to them (cri-fixtures.sh). */
static uint8_t *fixture(const char *name, size_t *ret_len) {
        return (uint8_t *) test_read_file("NSX_TEST_DATA", name, ret_len);
}

/* ---- A tiny encoder to build broken messages by hand ---- */

struct buf {
        uint8_t *p;
        size_t len, cap;
};

static void b_byte(struct buf *b, uint8_t x) {
        if (b->len == b->cap) {
                b->cap = b->cap ? b->cap * 2 : 256;
                b->p = realloc(b->p, b->cap);
                if (!b->p)
                        abort();
        }
        b->p[b->len++] = x;
}

static void b_varint(struct buf *b, uint64_t v) {
        do {
                b_byte(b, (uint8_t) ((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
                v >>= 7;
        } while (v);
}

static void b_raw(struct buf *b, const void *d, size_t n) {
        for (size_t i = 0; i < n; i++)
                b_byte(b, ((const uint8_t *) d)[i]);
}

static void b_bytes(struct buf *b, uint32_t num, const void *d, size_t n) {
        b_varint(b, (uint64_t) num << 3 | 2);
        b_varint(b, n);
        b_raw(b, d, n);
}

static void b_str(struct buf *b, uint32_t num, const char *s) {
        b_bytes(b, num, s, strlen(s));
}

static void b_uint(struct buf *b, uint32_t num, uint64_t v) {
        b_varint(b, (uint64_t) num << 3);
        b_varint(b, v);
}

static void b_msg(struct buf *b, uint32_t num, const struct buf *inner) {
        b_bytes(b, num, inner->p, inner->len);
}

static void b_map(struct buf *b, uint32_t num, const char *key, const char *val) {
        struct buf e = {};

        b_str(&e, 1, key);
        b_str(&e, 2, val);
        b_msg(b, num, &e);
        free(e.p);
}

#define ID_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID_S "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

/* A Container with the given fields ("" or NULL leaves a field out). */
static void b_container(struct buf *b, const char *id, const char *sandbox, const char *name, const char *pod,
                        const char *ns) {
        struct buf c = {}, m = {};

        if (id)
                b_str(&c, 1, id);
        if (sandbox)
                b_str(&c, 2, sandbox);
        if (name) {
                b_str(&m, 1, name);
                b_msg(&c, 3, &m);
        }
        b_uint(&c, 6, 1);
        if (pod)
                b_map(&c, 8, "io.kubernetes.pod.name", pod);
        if (ns)
                b_map(&c, 8, "io.kubernetes.pod.namespace", ns);
        b_msg(b, 1, &c);
        free(c.p);
        free(m.p);
}

static int parse_containers(const struct buf *b, struct nsx_error *err) {
        struct cri_container *v = NULL;
        size_t n = 0;
        int r = cri_parse_list_containers(b->p, b->len, &v, &n, err);

        free(v);
        return r;
}

/* ---- Requests ---- */

/* The expected bytes are protoc's: e.g. `echo 'filter { state { state: CONTAINER_RUNNING } }' |
 * protoc -I tests/cri --encode=runtime.v1.ListContainersRequest tests/cri/api.proto | od -An -tx1`. */
static void test_request_list(void **state) {
        static const uint8_t running[] = {0x0a, 0x04, 0x12, 0x02, 0x08, 0x01};
        static const uint8_t ready[] = {0x0a, 0x02, 0x12, 0x00};
        uint8_t buf[64], small[3];
        size_t len = 99;
        (void) state;

        assert_int_equal(cri_request_list_containers(true, buf, sizeof(buf), &len), 0);
        assert_int_equal(len, sizeof(running));
        assert_memory_equal(buf, running, sizeof(running));
        assert_int_equal(cri_request_list_containers(false, buf, sizeof(buf), &len), 0);
        assert_int_equal(len, 0);
        assert_int_equal(cri_request_list_pod_sandbox(true, buf, sizeof(buf), &len), 0);
        assert_int_equal(len, sizeof(ready));
        assert_memory_equal(buf, ready, sizeof(ready));
        assert_int_equal(cri_request_list_pod_sandbox(false, buf, sizeof(buf), &len), 0);
        assert_int_equal(len, 0);

        len = 99;
        assert_int_equal(cri_request_list_containers(true, small, sizeof(small), &len), -ENOBUFS);
        assert_int_equal(cri_request_list_pod_sandbox(true, small, sizeof(small), &len), -ENOBUFS);
        assert_int_equal(cri_request_list_containers(false, NULL, 0, &len), 0);
        assert_int_equal(len, 0);
}

static void test_request_status(void **state) {
        uint8_t buf[128], expect[68];
        size_t len;
        (void) state;

        expect[0] = 0x0a;
        expect[1] = 0x40;
        memcpy(expect + 2, ID_A, 64);
        expect[66] = 0x10;
        expect[67] = 0x01;
        assert_int_equal(cri_request_container_status(ID_A, true, buf, sizeof(buf), &len), 0);
        assert_int_equal(len, 68);
        assert_memory_equal(buf, expect, 68);
        assert_int_equal(cri_request_container_status(ID_A, false, buf, sizeof(buf), &len), 0);
        assert_int_equal(len, 66);
        assert_memory_equal(buf, expect, 66);

        assert_int_equal(cri_request_container_status(ID_A, true, buf, 67, &len), -ENOBUFS);
        assert_int_equal(cri_request_container_status(ID_A, true, buf, 10, &len), -ENOBUFS);
        assert_int_equal(cri_request_container_status("0123", true, buf, sizeof(buf), &len), -EINVAL);
        assert_int_equal(cri_request_container_status(NULL, true, buf, sizeof(buf), &len), -EINVAL);
        assert_int_equal(
                cri_request_container_status("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", true,
                                             buf, sizeof(buf), &len),
                -EINVAL);
}

static void test_request_pod_status(void **state) {
        uint8_t buf[128], expect[68];
        size_t len;
        (void) state;

        /* protoc: PodSandboxStatusRequest { pod_sandbox_id: ID_A verbose: true } */
        expect[0] = 0x0a;
        expect[1] = 0x40;
        memcpy(expect + 2, ID_A, 64);
        expect[66] = 0x10;
        expect[67] = 0x01;
        assert_int_equal(cri_request_pod_sandbox_status(ID_A, true, buf, sizeof(buf), &len), 0);
        assert_int_equal(len, 68);
        assert_memory_equal(buf, expect, 68);
        assert_int_equal(cri_request_pod_sandbox_status(ID_A, false, buf, sizeof(buf), &len), 0);
        assert_int_equal(len, 66);
        assert_int_equal(cri_request_pod_sandbox_status(ID_A, true, buf, 67, &len), -ENOBUFS);
        assert_int_equal(cri_request_pod_sandbox_status("0123", true, buf, sizeof(buf), &len), -EINVAL);
        assert_int_equal(cri_request_pod_sandbox_status(NULL, true, buf, sizeof(buf), &len), -EINVAL);
}

/* ---- Version ---- */

static void test_parse_version(void **state) {
        char name[32], version[32], api[8], tiny[4];
        struct nsx_error err = {};
        struct buf b = {};
        size_t len;
        uint8_t *bin = fixture("cri-version.bin", &len);
        (void) state;

        assert_int_equal(
                cri_parse_version(bin, len, name, sizeof(name), version, sizeof(version), api, sizeof(api), &err), 0);
        assert_string_equal(name, "containerd");
        assert_string_equal(version, "v1.6.20");
        assert_string_equal(api, "v1");

        /* Too long for its buffer: malformed, not cut. */
        assert_int_equal(
                cri_parse_version(bin, len, tiny, sizeof(tiny), version, sizeof(version), api, sizeof(api), &err),
                -EBADMSG);
        assert_non_null(strstr(err.message, "runtime_name is too long"));
        free(bin);

        /* Empty: every field absent. */
        assert_int_equal(
                cri_parse_version(NULL, 0, name, sizeof(name), version, sizeof(version), api, sizeof(api), &err), 0);
        assert_string_equal(name, "");

        /* Control characters never reach the screen; a NUL is refused. */
        b_str(&b, 2, "evil\033[2J\n");
        assert_int_equal(
                cri_parse_version(b.p, b.len, name, sizeof(name), version, sizeof(version), api, sizeof(api), &err), 0);
        assert_string_equal(name, "evil?[2J?");
        b_bytes(&b, 3, "a\0b", 3);
        assert_int_equal(
                cri_parse_version(b.p, b.len, name, sizeof(name), version, sizeof(version), api, sizeof(api), &err),
                -EBADMSG);
        assert_non_null(strstr(err.message, "NUL"));
        free(b.p);

        /* Wrong wire type for a known field. */
        {
                static const uint8_t wrong[] = {0x10, 0x05};

                assert_int_equal(cri_parse_version(wrong, sizeof(wrong), name, sizeof(name), version, sizeof(version),
                                                   api, sizeof(api), &err),
                                 -EBADMSG);
                assert_non_null(strstr(err.message, "runtime_name has wire type 0"));
        }
}

/* ---- Lists ---- */

static size_t find(const struct cri_container *v, size_t n, const char *label) {
        char buf[1024];

        for (size_t i = 0; i < n; i++) {
                cri_container_label(&v[i], buf, sizeof(buf));
                if (streq(buf, label))
                        return i;
        }
        fail_msg("no container %s in the fixture", label);
        return 0;
}

static void load_world(struct cri_container **v, size_t *n, struct cri_pod **pods, size_t *n_pods) {
        struct nsx_error err = {};
        size_t len;
        uint8_t *bin = fixture("cri-list.bin", &len);

        assert_int_equal(cri_parse_list_containers(bin, len, v, n, &err), 0);
        free(bin);
        bin = fixture("cri-pods.bin", &len);
        assert_int_equal(cri_parse_list_pod_sandbox(bin, len, pods, n_pods, &err), 0);
        free(bin);
}

static void test_parse_list(void **state) {
        struct cri_container *v;
        struct cri_pod *pods;
        size_t n, n_pods, i;
        char label[1024];
        (void) state;

        load_world(&v, &n, &pods, &n_pods);
        assert_int_equal(n, 18);
        assert_string_equal(v[0].id, "d814895928578d2019317c6f04c71ea49b2db41d3dc2ae50bd7aeae3d4b55470");
        assert_string_equal(v[0].sandbox_id, "9f447d269d738d512ac261a92210b711f11a1d3a0bd3d8e718849543981ecccd");
        assert_string_equal(v[0].name, "app");
        assert_string_equal(v[0].pod, "web");
        assert_string_equal(v[0].ns, "default");
        assert_int_equal(v[0].state, CRI_STATE_RUNNING);
        assert_int_equal(v[0].attempt, 0);
        cri_container_label(&v[0], label, sizeof(label));
        assert_string_equal(label, "default/web/app");

        i = find(v, n, "default/stopped/job");
        assert_int_equal(v[i].state, CRI_STATE_EXITED);
        assert_int_equal(v[i].attempt, 2);
        assert_true(starts_with(v[i].id, "dead"));
        assert_int_equal(v[find(v, n, "default/web/init")].state, CRI_STATE_CREATED);

        /* No kubelet labels: just the name, until the sandbox's metadata fills them in. */
        i = find(v, n, "shell");
        assert_string_equal(v[i].pod, "");
        cri_containers_fill_pods(v, n, pods, n_pods);
        cri_container_label(&v[i], label, sizeof(label));
        assert_string_equal(label, "tools/debug-pod/shell");
        /* Those with labels are left alone. */
        cri_container_label(&v[0], label, sizeof(label));
        assert_string_equal(label, "default/web/app");

        /* The other labels. */
        {
                struct cri_container c = {.name = "x", .pod = "p"};

                cri_container_label(&c, label, sizeof(label));
                assert_string_equal(label, "p/x");
                cri_container_label(&c, label, 3);
                assert_string_equal(label, "p/");
        }

        assert_int_equal(n_pods, 11);
        assert_string_equal(pods[0].name, "web");
        assert_string_equal(pods[0].ns, "default");
        assert_string_equal(pods[0].uid, "02134b3f-2d83-4767-8d51-757af575e7e3");
        assert_string_equal(pods[0].default_container, "app");
        assert_true(pods[0].ready);
        assert_string_equal(pods[1].default_container, "");
        assert_string_equal(pods[10].name, "gone");
        assert_false(pods[10].ready);
        free(v);
        free(pods);

        /* An empty answer: no entries. */
        v = NULL;
        assert_int_equal(cri_parse_list_containers(NULL, 0, &v, &n, NULL), 0);
        assert_int_equal(n, 0);
        free(v);
}

/* Every field of every wire type that is not ours is skipped; the known ones keep their meaning. */
static void test_parse_unknown_fields(void **state) {
        struct buf b = {}, c = {}, m = {};
        struct cri_container *v = NULL;
        struct nsx_error err = {};
        static const uint8_t i64[] = {0x79, 1, 2, 3, 4, 5, 6, 7, 8};      /* field 15, fixed64 */
        static const uint8_t i32[] = {0x7d, 1, 2, 3, 4};                  /* field 15, fixed32 */
        static const uint8_t big[] = {0x78, 0xff, 0xff, 0xff, 0xff, 0xff, /* field 15, 10-byte varint */
                                      0xff, 0xff, 0xff, 0xff, 0x01};
        static const uint8_t padded[] = {0xf8, 0x80, 0x80, 0x80, 0x00, 0x00}; /* field 15, tag with zero padding */
        size_t n;
        (void) state;

        b_raw(&c, i64, sizeof(i64));
        b_str(&c, 1, ID_A);
        b_raw(&c, i32, sizeof(i32));
        b_str(&c, 2, ID_S);
        b_raw(&c, big, sizeof(big));
        b_str(&m, 1, "app");
        b_uint(&m, 2, 7);
        b_raw(&m, i64, sizeof(i64));
        b_msg(&c, 3, &m);
        b_raw(&c, padded, sizeof(padded));
        b_uint(&c, 6, 1);
        b_uint(&c, 6, 99); /* the last value wins; undefined is unknown */
        b_map(&c, 8, "io.kubernetes.pod.name", "web");
        b_map(&c, 8, "other", "");
        b_map(&c, 9, "io.kubernetes.pod.name", "NOT-CHECKED annotations");
        b_str(&c, 1000, "unknown");
        b_raw(&b, i32, sizeof(i32));
        b_msg(&b, 1, &c);
        b_raw(&b, big, sizeof(big));
        b_str(&b, 2, "top-level unknown");

        assert_int_equal(cri_parse_list_containers(b.p, b.len, &v, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(v[0].id, ID_A);
        assert_string_equal(v[0].sandbox_id, ID_S);
        assert_string_equal(v[0].name, "app");
        assert_int_equal(v[0].attempt, 7);
        assert_int_equal(v[0].state, CRI_STATE_UNKNOWN);
        assert_string_equal(v[0].pod, "web");
        assert_string_equal(v[0].ns, "");
        free(v);
        free(b.p);
        free(c.p);
        free(m.p);
}

static void test_parse_malformed_wire(void **state) {
        static const struct {
                const char *name;
                size_t len;
                const uint8_t bytes[16];
                const char *says;
        } cases[] = {
                {"truncated tag", 1, {0x80}, "varint is truncated"},
                {"truncated varint", 2, {0x78, 0x80}, "varint is truncated"},
                {"overlong varint",
                 12,
                 {0x78, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0x01},
                 "longer than 64 bits"},
                {"65-bit varint",
                 11,
                 {0x78, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
                 "longer than 64 bits"},
                {"length past the end", 3, {0x0a, 0x05, 0x01}, "length runs past the end"},
                {"huge length",
                 11,
                 {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00},
                 "length runs past the end"},
                {"truncated fixed64", 4, {0x79, 1, 2, 3}, "fixed-size field runs past"},
                {"truncated fixed32", 2, {0x7d, 1}, "fixed-size field runs past"},
                {"start group", 2, {0x7b, 0x7c}, "is a group"},
                {"end group", 1, {0x0c}, "is a group"},
                {"wire type 6", 2, {0x0e, 0x00}, "invalid wire type 6"},
                {"wire type 7", 2, {0x0f, 0x00}, "invalid wire type 7"},
                {"field 0", 2, {0x00, 0x00}, "field number is out of range"},
                {"tag past 32 bits", 7, {0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00}, "field number is out of range"},
                {"entry as varint", 2, {0x08, 0x01}, "an entry has wire type 0"},
                {"entry as fixed32", 5, {0x0d, 1, 2, 3, 4}, "an entry has wire type 5"},
                {"id as varint", 4, {0x0a, 0x02, 0x08, 0x01}, "entry 1: id has wire type 0"},
                {"state as string", 5, {0x0a, 0x03, 0x32, 0x01, 0x31}, "entry 1: state has wire type 2"},
                {"metadata as varint", 4, {0x0a, 0x02, 0x18, 0x01}, "entry 1: metadata has wire type 0"},
                {"label as varint", 4, {0x0a, 0x02, 0x40, 0x01}, "entry 1: labels has wire type 0"},
                {"inner past its message", 6, {0x0a, 0x02, 0x0a, 0x05, 0x61, 0x62}, "length runs past the end"},
                {"empty entry", 2, {0x0a, 0x00}, "entry 1: id is not a 64-digit"},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct cri_container *v = NULL;
                struct cri_pod *p = NULL;
                struct cri_status s = {};
                struct nsx_error err = {};
                char a[16], b[16], c[16];
                size_t n;

                if (cri_parse_list_containers(cases[i].bytes, cases[i].len, &v, &n, &err) != -EBADMSG)
                        fail_msg("%s: accepted", cases[i].name);
                assert_null(v);
                assert_int_equal(err.errnum, EBADMSG);
                assert_true(starts_with(err.message, "the CRI runtime's container list is malformed: "));
                if (!strstr(err.message, cases[i].says))
                        fail_msg("%s: '%s' does not say '%s'", cases[i].name, err.message, cases[i].says);
                /* The other parsers meet the same wire faults (the first 14 are field-agnostic). */
                if (i < 14) {
                        assert_int_equal(cri_parse_list_pod_sandbox(cases[i].bytes, cases[i].len, &p, &n, &err),
                                         -EBADMSG);
                        assert_int_equal(cri_parse_container_status(cases[i].bytes, cases[i].len, &s, &err), -EBADMSG);
                        assert_int_equal(cri_parse_version(cases[i].bytes, cases[i].len, a, sizeof(a), b, sizeof(b), c,
                                                           sizeof(c), &err),
                                         -EBADMSG);
                }
        }
}

static void test_parse_bad_entries(void **state) {
        static const char long_name[] = "a123456789b123456789c123456789d123456789e123456789f123456789abcd";
        static const struct {
                const char *id, *sandbox, *name, *pod, *ns;
                const char *says; /* NULL: accepted */
        } cases[] = {
                {ID_A, ID_S, "app", "web", "default", NULL},
                {ID_A, ID_S, "app", NULL, NULL, NULL},
                {ID_A, ID_S, "app", "", "", NULL},
                {ID_A, ID_S, "a", "web.example-1", "kube-system", NULL},
                {NULL, ID_S, "app", "web", "default", "id is not"},
                {"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", ID_S, "app", NULL, NULL,
                 "id is not"},
                {"0123456789abcdef", ID_S, "app", NULL, NULL, "id is not"},
                {"0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef", ID_S, "app", NULL, NULL,
                 "id is not"},
                {ID_A "0", ID_S, "app", NULL, NULL, "id is too long"},
                {ID_A, NULL, "app", NULL, NULL, "pod_sandbox_id is not"},
                {ID_A, "xyz", "app", NULL, NULL, "pod_sandbox_id is not"},
                {ID_A, ID_S, NULL, NULL, NULL, "not a valid container name"},
                {ID_A, ID_S, "", NULL, NULL, "not a valid container name"},
                {ID_A, ID_S, "App", NULL, NULL, "not a valid container name"},
                {ID_A, ID_S, "a.b", NULL, NULL, "not a valid container name"},
                {ID_A, ID_S, "-a", NULL, NULL, "not a valid container name"},
                {ID_A, ID_S, "a-", NULL, NULL, "not a valid container name"},
                {ID_A, ID_S, "a\033[2J", NULL, NULL, "not a valid container name"},
                {ID_A, ID_S, long_name, NULL, NULL, "not a valid container name"},
                {ID_A, ID_S, "app", "web\n", NULL, "not a valid pod name"},
                {ID_A, ID_S, "app", "web..x", NULL, "not a valid pod name"},
                {ID_A, ID_S, "app", "web.-x", NULL, "not a valid pod name"},
                {ID_A, ID_S, "app", ".web", NULL, "not a valid pod name"},
                {ID_A, ID_S, "app", "web/x", NULL, "not a valid pod name"},
                {ID_A, ID_S, "app", NULL, "-x", "not a valid namespace"},
                {ID_A, ID_S, "app", NULL, "Default", "not a valid namespace"},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct buf b = {};
                struct nsx_error err = {};
                int r;

                b_container(&b, cases[i].id, cases[i].sandbox, cases[i].name, cases[i].pod, cases[i].ns);
                r = parse_containers(&b, &err);
                free(b.p);
                if (!cases[i].says) {
                        assert_int_equal(r, 0);
                        continue;
                }
                assert_int_equal(r, -EBADMSG);
                if (!strstr(err.message, cases[i].says) || strchr(err.message, '\n') || strchr(err.message, '\033'))
                        fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].says);
        }
}

static void test_parse_bad_fields(void **state) {
        struct buf b = {}, c = {}, m = {};
        struct nsx_error err = {};
        (void) state;

        /* attempt beyond uint32 */
        b_str(&c, 1, ID_A);
        b_str(&c, 2, ID_S);
        b_str(&m, 1, "app");
        b_uint(&m, 2, (uint64_t) UINT32_MAX + 1);
        b_msg(&c, 3, &m);
        b_msg(&b, 1, &c);
        assert_int_equal(parse_containers(&b, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "attempt is out of range"));
        b.len = c.len = m.len = 0;

        /* a label value with a NUL, and a label that is a map entry with a wrong wire type */
        b_str(&c, 1, ID_A);
        b_str(&c, 2, ID_S);
        b_str(&m, 1, "app");
        b_msg(&c, 3, &m);
        {
                struct buf e = {};

                b_str(&e, 1, "io.kubernetes.pod.name");
                b_bytes(&e, 2, "we\0b", 4);
                b_msg(&c, 8, &e);
                b_msg(&b, 1, &c);
                assert_int_equal(parse_containers(&b, &err), -EBADMSG);
                assert_non_null(strstr(err.message, "pod name label holds a NUL"));
                b.len = c.len = e.len = 0;
                b_uint(&e, 1, 5);
                b_msg(&c, 8, &e);
                b_msg(&b, 1, &c);
                assert_int_equal(parse_containers(&b, &err), -EBADMSG);
                assert_non_null(strstr(err.message, "labels has wire type 0"));
                free(e.p);
        }
        free(b.p);
        free(c.p);
        free(m.p);
}

/* At most CRI_ENTRIES_MAX entries: a bound on what the engine makes us hold. */
static void test_parse_entries_bound(void **state) {
        struct buf one = {}, b = {};
        struct nsx_error err = {};
        struct cri_container *v = NULL;
        size_t n = 0;
        (void) state;

        b_container(&one, ID_A, ID_S, "a", NULL, NULL);
        for (size_t i = 0; i < CRI_ENTRIES_MAX; i++)
                b_raw(&b, one.p, one.len);
        assert_int_equal(cri_parse_list_containers(b.p, b.len, &v, &n, &err), 0);
        assert_int_equal(n, CRI_ENTRIES_MAX);
        free(v);
        v = NULL;
        b_raw(&b, one.p, one.len);
        assert_int_equal(cri_parse_list_containers(b.p, b.len, &v, &n, &err), -EBADMSG);
        assert_null(v);
        assert_non_null(strstr(err.message, "more than 65536 entries"));
        free(one.p);
        free(b.p);
}

static void test_parse_pods_bad(void **state) {
        static const struct {
                const char *id, *name, *ns, *uid, *def;
                const char *says;     /* NULL: accepted */
                const char *def_kept; /* the default_container kept */
        } cases[] = {
                {ID_A, "web", "default", "02134b3f-2d83-4767-8d51-757af575e7e3", "app", NULL, "app"},
                {ID_A, "web", "", "", NULL, NULL, ""},
                {ID_A, "web", "default", "x", "Not-A-Name", NULL, ""}, /* the user's text: ignored */
                {ID_A, "web", "default", "x", "a.b", NULL, ""},
                {ID_A, "web", "default", "x", "", NULL, ""},
                {"abc", "web", "default", "x", NULL, "id is not", NULL},
                {ID_A, "", "default", "x", NULL, "not a valid pod name", NULL},
                {ID_A, "Web", "default", "x", NULL, "not a valid pod name", NULL},
                {ID_A, "web", "def ault", "x", NULL, "not a valid namespace", NULL},
                {ID_A, "web", "default", "x y", NULL, "not a valid UID", NULL},
                {ID_A, "web", "default", "x\n", NULL, "not a valid UID", NULL},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct buf b = {}, p = {}, m = {};
                struct cri_pod *v = NULL;
                struct nsx_error err = {};
                size_t n;
                int r;

                b_str(&p, 1, cases[i].id);
                b_str(&m, 1, cases[i].name);
                b_str(&m, 2, cases[i].uid);
                b_str(&m, 3, cases[i].ns);
                b_msg(&p, 2, &m);
                b_uint(&p, 3, 1);
                /* The last of two entries for one key wins, as protobuf maps go. */
                if (cases[i].def) {
                        b_map(&p, 6, "kubectl.kubernetes.io/default-container", "first");
                        b_map(&p, 6, "kubectl.kubernetes.io/default-container", cases[i].def);
                }
                b_msg(&b, 1, &p);
                r = cri_parse_list_pod_sandbox(b.p, b.len, &v, &n, &err);
                if (!cases[i].says) {
                        assert_int_equal(r, 0);
                        assert_int_equal(n, 1);
                        assert_false(v[0].ready);
                        assert_string_equal(v[0].default_container, cases[i].def_kept);
                } else {
                        assert_int_equal(r, -EBADMSG);
                        if (!strstr(err.message, cases[i].says) || strchr(err.message, '\n'))
                                fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].says);
                }
                free(v);
                free(b.p);
                free(p.p);
                free(m.p);
        }
}

/* ---- Status ---- */

static void test_parse_status(void **state) {
        struct cri_status s = {};
        struct nsx_error err = {};
        size_t len;
        uint8_t *bin = fixture("cri-status.bin", &len);
        (void) state;

        assert_int_equal(cri_parse_container_status(bin, len, &s, &err), 0);
        assert_string_equal(s.id, "d814895928578d2019317c6f04c71ea49b2db41d3dc2ae50bd7aeae3d4b55470");
        assert_int_equal(s.state, CRI_STATE_RUNNING);
        assert_string_equal(s.name, "app");
        assert_string_equal(s.pod, "web");
        assert_string_equal(s.ns, "default");
        assert_int_equal(s.pid, 4242);
        assert_string_equal(s.sandbox_id, "9f447d269d738d512ac261a92210b711f11a1d3a0bd3d8e718849543981ecccd");
        assert_string_equal(s.resolv_conf_path, "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/"
                                                "9f447d269d738d512ac261a92210b711f11a1d3a0bd3d8e718849543981ecccd/"
                                                "resolv.conf");
        assert_string_equal(s.hosts_path, "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/"
                                          "9f447d269d738d512ac261a92210b711f11a1d3a0bd3d8e718849543981ecccd/hosts");
        /* containerd's spec names root explicitly; no env or hostname in this one. */
        assert_string_equal(s.user, "0:0");
        assert_null(s.env);
        assert_null(s.hostname);
        cri_status_done(&s);
        assert_null(s.hosts_path);
        assert_null(s.user);
        cri_status_done(&s);
        free(bin);

        /* A container running as uid 1000: the spec's user, environment and hostname. */
        bin = fixture("cri-status-user.bin", &len);
        assert_int_equal(cri_parse_container_status(bin, len, &s, &err), 0);
        assert_string_equal(s.name, "worker");
        assert_int_equal(s.pid, 5151);
        assert_string_equal(s.user, "1000:3000"); /* additionalGids: user_resolve's, from /etc/group */
        assert_non_null(s.env);
        assert_string_equal(s.env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        assert_string_equal(s.env[1], "HOSTNAME=web-7d4b9c");
        assert_string_equal(s.env[2], "FOO=bar");
        assert_string_equal(s.env[3], "MULTI=line one\nline two");
        assert_string_equal(s.env[4], "EMPTY=");
        assert_string_equal(s.env[5], "KUBERNETES_SERVICE_HOST=10.96.0.1");
        assert_null(s.env[6]);
        assert_string_equal(s.hostname, "web-7d4b9c");
        assert_null(s.resolv_conf_path);
        cri_status_done(&s);
        assert_null(s.env);
        assert_null(s.hostname);
        free(bin);

        bin = fixture("cri-status-exited.bin", &len);
        assert_int_equal(cri_parse_container_status(bin, len, &s, &err), 0);
        assert_int_equal(s.state, CRI_STATE_EXITED);
        assert_int_equal(s.pid, 0);
        assert_string_equal(s.name, "job");
        cri_status_done(&s);
        free(bin);

        bin = fixture("cri-status-brief.bin", &len);
        assert_int_equal(cri_parse_container_status(bin, len, &s, &err), 0);
        assert_int_equal(s.pid, 0);
        assert_string_equal(s.sandbox_id, "");
        assert_null(s.resolv_conf_path);
        assert_null(s.hosts_path);
        assert_null(s.user);
        assert_null(s.env);
        assert_null(s.hostname);
        cri_status_done(&s);
        free(bin);
}

/* A status message for ID_A named "app" plus, if info is not NULL, info["info"] = info. */
static int parse_status_with(const char *info, struct cri_status *s, struct nsx_error *err) {
        struct buf b = {}, st = {}, m = {};
        int r;

        b_str(&st, 1, ID_A);
        b_str(&m, 1, "app");
        b_msg(&st, 2, &m);
        b_uint(&st, 3, 1);
        b_msg(&b, 1, &st);
        b_map(&b, 2, "other", "not json at all");
        if (info)
                b_map(&b, 2, "info", info);
        *s = (struct cri_status){};
        r = cri_parse_container_status(b.p, b.len, s, err);
        free(b.p);
        free(st.p);
        free(m.p);
        return r;
}

static void test_parse_status_info(void **state) {
        static const struct {
                const char *info;
                const char *says; /* NULL: accepted */
        } cases[] = {
                {"{}", NULL},
                {"{\"pid\":null,\"sandboxID\":null,\"runtimeSpec\":null}", NULL},
                {"{\"runtimeSpec\":{}}", NULL},
                {"{\"runtimeSpec\":{\"mounts\":[{\"destination\":\"/proc\"}]}}", NULL},
                {"{\"runtimeSpec\":{\"mounts\":[{\"destination\":\"/etc/resolv.conf.d\",\"source\":\"rel\"}]}}", NULL},
                {"", "info is not a JSON object"},
                {"not json", "info is not a JSON object"},
                {"[1]", "info is not a JSON object"},
                {"{\"pid\":12", "info is not a JSON object"},
                {"{\"pid\":-1}", "pid is not a valid process ID"},
                {"{\"pid\":1.5}", "pid is not a valid process ID"},
                {"{\"pid\":\"12\"}", "pid is not a valid process ID"},
                {"{\"pid\":1e20}", "pid is not a valid process ID"},
                {"{\"pid\":2147483648}", "pid is not a valid process ID"},
                {"{\"sandboxID\":\"abc\"}", "sandboxID is not"},
                {"{\"sandboxID\":7}", "sandboxID is not"},
                {"{\"runtimeSpec\":[]}", "runtimeSpec is not an object"},
                {"{\"runtimeSpec\":{\"mounts\":{}}}", "mounts is not an array"},
                {"{\"runtimeSpec\":{\"mounts\":[7]}}", "has no destination"},
                {"{\"runtimeSpec\":{\"mounts\":[{\"source\":\"/x\"}]}}", "has no destination"},
                {"{\"runtimeSpec\":{\"mounts\":[{\"destination\":\"/etc/hosts\",\"source\":\"hosts\"}]}}",
                 "on /etc/hosts is not an absolute path"},
                {"{\"runtimeSpec\":{\"mounts\":[{\"destination\":\"/etc/resolv.conf\"}]}}",
                 "on /etc/resolv.conf is not an absolute path"},
                {"{\"runtimeSpec\":{\"mounts\":[{\"destination\":\"/etc/resolv.conf\",\"source\":3}]}}",
                 "on /etc/resolv.conf is not an absolute path"},
        };
        struct cri_status s;
        struct nsx_error err = {};
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int r = parse_status_with(cases[i].info, &s, &err);

                if (!cases[i].says) {
                        if (r != 0)
                                fail_msg("case %zu: %s", i, err.message);
                        assert_int_equal(s.pid, 0);
                        assert_null(s.resolv_conf_path);
                } else {
                        assert_int_equal(r, -EBADMSG);
                        if (!strstr(err.message, cases[i].says))
                                fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].says);
                        assert_null(s.hosts_path);
                }
                cri_status_done(&s);
        }

        /* The later mount on one place wins; runc's cleaned spelling of the destination counts. */
        assert_int_equal(parse_status_with("{\"pid\":2147483647,\"runtimeSpec\":{\"mounts\":["
                                           "{\"destination\":\"/etc/hosts\",\"source\":\"/first\"},"
                                           "{\"destination\":\"//etc//hosts/\",\"source\":\"/second\"},"
                                           "{\"destination\":\"/etc/hosts2\",\"source\":\"/no\"},"
                                           "{\"destination\":\"etc/resolv.conf\",\"source\":\"/no\"}]}}",
                                           &s, &err),
                         0);
        assert_int_equal(s.pid, INT_MAX);
        assert_string_equal(s.hosts_path, "/second");
        assert_null(s.resolv_conf_path);
        cri_status_done(&s);

        /* A path as long as PATH_MAX cannot be one. */
        {
                size_t n = PATH_MAX + 100;
                char *info = malloc(n), *p = info;

                assert_non_null(info);
                p += sprintf(p, "{\"runtimeSpec\":{\"mounts\":[{\"destination\":\"/etc/hosts\",\"source\":\"/");
                memset(p, 'a', PATH_MAX);
                p += PATH_MAX - 1;
                strcpy(p, "\"}]}}");
                assert_int_equal(parse_status_with(info, &s, &err), -EBADMSG);
                assert_non_null(strstr(err.message, "not an absolute path"));
                free(info);
        }

        /* Bounded: info past CRI_INFO_MAX is refused before it is parsed. */
        {
                char *info = malloc(CRI_INFO_MAX + 2);

                assert_non_null(info);
                memset(info, ' ', CRI_INFO_MAX + 1);
                info[0] = '{';
                info[CRI_INFO_MAX] = '}';
                info[CRI_INFO_MAX + 1] = '\0';
                assert_int_equal(parse_status_with(info, &s, &err), -EBADMSG);
                assert_non_null(strstr(err.message, "info is larger than"));
                info[CRI_INFO_MAX - 1] = '}';
                info[CRI_INFO_MAX] = '\0';
                assert_int_equal(parse_status_with(info, &s, &err), 0);
                free(info);
        }
}

/* info with n env entries: accepted up to CONTAINER_ENV_MAX (extra 0), refused past it. */
static void r_env_bound(const char *info, int extra, struct cri_status *s, struct nsx_error *err) {
        int r = parse_status_with(info, s, err);

        if (extra) {
                assert_int_equal(r, -EBADMSG);
                assert_non_null(strstr(err->message, "runtimeSpec.process.env has too many entries"));
        } else {
                assert_int_equal(r, 0);
                assert_string_equal(s->env[CONTAINER_ENV_MAX - 1], "A=1");
                assert_null(s->env[CONTAINER_ENV_MAX]);
        }
        cri_status_done(s);
}

/* runtimeSpec.process.user, .env and runtimeSpec.hostname: what is kept, what is refused. */
static void test_parse_status_process(void **state) {
        static const struct {
                const char *spec;                   /* the runtimeSpec object */
                const char *user, *env0, *hostname; /* expected when accepted */
                const char *says;                   /* NULL: accepted */
        } cases[] = {
                {"{}", NULL, NULL, NULL, NULL},
                {"{\"process\":null,\"hostname\":null}", NULL, NULL, NULL, NULL},
                {"{\"process\":{}}", NULL, NULL, NULL, NULL},
                {"{\"process\":{\"user\":null,\"env\":null},\"hostname\":\"\"}", NULL, NULL, NULL, NULL},
                {"{\"process\":{\"user\":{\"uid\":1000,\"gid\":1000}}}", "1000:1000", NULL, NULL, NULL},
                {"{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[1,2],\"umask\":18}}}", "0:0", NULL,
                 NULL, NULL},
                {"{\"process\":{\"user\":{\"uid\":4294967294,\"gid\":4294967294}}}", "4294967294:4294967294", NULL,
                 NULL, NULL},
                {"{\"process\":{\"user\":{\"uid\":1e3,\"gid\":2}}}", "1000:2", NULL, NULL, NULL},
                {"{\"process\":{\"env\":[\"A=1\",\"B\"]}}", NULL, "A=1", NULL, NULL},
                {"{\"process\":{\"env\":[]},\"hostname\":\"web-1.shop\"}", NULL, NULL, "web-1.shop", NULL},
                {"{\"process\":[]}", NULL, NULL, NULL, "runtimeSpec.process is not an object"},
                {"{\"process\":{\"user\":7}}", NULL, NULL, NULL, "process.user has no valid uid and gid"},
                {"{\"process\":{\"user\":{}}}", NULL, NULL, NULL, "process.user has no valid uid and gid"},
                {"{\"process\":{\"user\":{\"uid\":1000}}}", NULL, NULL, NULL, "process.user has no valid uid"},
                {"{\"process\":{\"user\":{\"gid\":1000}}}", NULL, NULL, NULL, "process.user has no valid uid"},
                {"{\"process\":{\"user\":{\"uid\":-1,\"gid\":0}}}", NULL, NULL, NULL, "has no valid uid"},
                {"{\"process\":{\"user\":{\"uid\":0,\"gid\":4294967295}}}", NULL, NULL, NULL, "has no valid uid"},
                {"{\"process\":{\"user\":{\"uid\":4294967296,\"gid\":0}}}", NULL, NULL, NULL, "has no valid uid"},
                {"{\"process\":{\"user\":{\"uid\":1.5,\"gid\":0}}}", NULL, NULL, NULL, "has no valid uid"},
                {"{\"process\":{\"user\":{\"uid\":\"1000\",\"gid\":0}}}", NULL, NULL, NULL, "has no valid uid"},
                {"{\"process\":{\"user\":{\"uid\":null,\"gid\":0}}}", NULL, NULL, NULL, "has no valid uid"},
                {"{\"process\":{\"env\":{}}}", NULL, NULL, NULL, "runtimeSpec.process.env is not an array"},
                {"{\"process\":{\"env\":[\"=x\"]}}", NULL, NULL, NULL, "process.env has an entry that is not KEY"},
                {"{\"process\":{\"env\":[3]}}", NULL, NULL, NULL, "process.env has an entry that is not KEY"},
                {"{\"process\":{\"env\":[\"A\\nB=1\"]}}", NULL, NULL, NULL, "process.env has an entry"},
                {"{\"hostname\":7}", NULL, NULL, NULL, "runtimeSpec.hostname is not a valid hostname"},
                {"{\"hostname\":\"a b\"}", NULL, NULL, NULL, "runtimeSpec.hostname is not a valid hostname"},
                {"{\"hostname\":\"a\\u001b[0m\"}", NULL, NULL, NULL, "runtimeSpec.hostname is not a valid"},
        };
        struct cri_status s;
        struct nsx_error err = {};
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char info[512];
                int r;

                snprintf(info, sizeof(info), "{\"pid\":7,\"runtimeSpec\":%s}", cases[i].spec);
                r = parse_status_with(info, &s, &err);
                if (!cases[i].says) {
                        if (r != 0)
                                fail_msg("case %zu: %s", i, err.message);
                        if (cases[i].user)
                                assert_string_equal(s.user, cases[i].user);
                        else
                                assert_null(s.user);
                        if (cases[i].env0)
                                assert_string_equal(s.env[0], cases[i].env0);
                        else if (s.env)
                                assert_null(s.env[0]);
                        if (cases[i].hostname)
                                assert_string_equal(s.hostname, cases[i].hostname);
                        else
                                assert_null(s.hostname);
                } else {
                        assert_int_equal(r, -EBADMSG);
                        if (!strstr(err.message, cases[i].says))
                                fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].says);
                        assert_null(s.user);
                        assert_null(s.env);
                        assert_null(s.hostname);
                }
                cri_status_done(&s);
        }

        /* Config.Env's bounds: CONTAINER_ENV_MAX entries pass, one more does not; a hostname of
         * CONTAINER_HOSTNAME_MAX bytes passes, one more does not. */
        for (int extra = 0; extra <= 1; extra++) {
                size_t n = CONTAINER_ENV_MAX + (size_t) extra, size = 64 + n * 6;
                char *info = malloc(size), *p = info;

                assert_non_null(info);
                if (!info) /* unreachable past the assert, but GCC must see p is not NULL */
                        return;
                p += sprintf(p, "{\"runtimeSpec\":{\"process\":{\"env\":[");
                for (size_t i = 0; i < n; i++)
                        p += sprintf(p, "%s\"A=1\"", i ? "," : "");
                strcpy(p, "]}}}");
                r_env_bound(info, extra, &s, &err);
                free(info);
        }
        for (int extra = 0; extra <= 1; extra++) {
                char info[CONTAINER_HOSTNAME_MAX + 64];
                int w = snprintf(info, sizeof(info), "{\"runtimeSpec\":{\"hostname\":\"%0*d\"}}",
                                 CONTAINER_HOSTNAME_MAX + extra, 0);

                assert_true(w > 0 && (size_t) w < sizeof(info));
                assert_int_equal(parse_status_with(info, &s, &err), extra ? -EBADMSG : 0);
                if (!extra)
                        assert_int_equal(strlen(s.hostname), CONTAINER_HOSTNAME_MAX);
                cri_status_done(&s);
        }
}

static void test_parse_status_bad(void **state) {
        struct cri_status s = {};
        struct nsx_error err = {};
        struct buf b = {}, st = {}, m = {};
        (void) state;

        /* No status at all (only info). */
        b_map(&b, 2, "info", "{\"pid\":3}");
        assert_int_equal(cri_parse_container_status(b.p, b.len, &s, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "it has no status"));
        b.len = 0;

        /* A status with a bad id, then with a bad name, then a bad namespace label. */
        b_str(&st, 1, "short");
        b_msg(&b, 1, &st);
        assert_int_equal(cri_parse_container_status(b.p, b.len, &s, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "id is not"));
        b.len = st.len = 0;
        b_str(&st, 1, ID_A);
        b_str(&m, 1, "a_b");
        b_msg(&st, 2, &m);
        b_msg(&b, 1, &st);
        assert_int_equal(cri_parse_container_status(b.p, b.len, &s, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "not a valid container name"));
        b.len = st.len = m.len = 0;
        b_str(&st, 1, ID_A);
        b_str(&m, 1, "app");
        b_msg(&st, 2, &m);
        b_map(&st, 12, "io.kubernetes.pod.namespace", "a/b");
        b_msg(&b, 1, &st);
        assert_int_equal(cri_parse_container_status(b.p, b.len, &s, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "not a valid namespace"));
        /* The status as a varint; info as a fixed32. */
        {
                static const uint8_t st_varint[] = {0x08, 0x01}, info_i32[] = {0x15, 1, 2, 3, 4};

                assert_int_equal(cri_parse_container_status(st_varint, sizeof(st_varint), &s, &err), -EBADMSG);
                assert_non_null(strstr(err.message, "status has wire type 0"));
                assert_int_equal(cri_parse_container_status(info_i32, sizeof(info_i32), &s, &err), -EBADMSG);
                assert_non_null(strstr(err.message, "info has wire type 5"));
        }
        free(b.p);
        free(st.p);
        free(m.p);
}

/* ---- Pod status: the pod's ports ---- */

static void test_parse_pod_status(void **state) {
        struct container_port *p = NULL;
        struct nsx_error err = {};
        size_t len, n = 99;
        uint8_t *bin = fixture("cri-pod-status.bin", &len);
        (void) state;

        assert_int_equal(cri_parse_pod_sandbox_status(bin, len, &p, &n, &err), 0);
        /* tcp 80 (published on every address), tcp 8080 (twice: 127.0.0.1 and ::1), udp 53
         * (exposed only); sctp 9999 left out. */
        assert_int_equal(n, 3);
        assert_int_equal(p[0].port, 80);
        assert_int_equal(p[0].proto, CONTAINER_PROTO_TCP);
        assert_true(p[0].exposed);
        assert_int_equal(p[0].n_bindings, 1);
        assert_string_equal(p[0].bindings[0].host_ip, "");
        assert_int_equal(p[0].bindings[0].host_port, 18081);
        assert_int_equal(p[1].port, 8080);
        assert_int_equal(p[1].proto, CONTAINER_PROTO_TCP);
        assert_int_equal(p[1].n_bindings, 2);
        assert_string_equal(p[1].bindings[0].host_ip, "127.0.0.1");
        assert_int_equal(p[1].bindings[0].host_port, 30080);
        assert_string_equal(p[1].bindings[1].host_ip, "::1");
        assert_int_equal(p[1].bindings[1].host_port, 30443);
        assert_int_equal(p[2].port, 53);
        assert_int_equal(p[2].proto, CONTAINER_PROTO_UDP);
        assert_true(p[2].exposed);
        assert_int_equal(p[2].n_bindings, 0);
        assert_null(p[2].bindings);
        container_ports_free(p, n);
        free(bin);
}

/* A PodSandboxStatusResponse for ID_S plus, if info is not NULL, info["info"] = info. */
static int parse_pod_status_with(const char *info, struct container_port **p, size_t *n, struct nsx_error *err) {
        struct buf b = {}, st = {};
        int r;

        b_str(&st, 1, ID_S);
        b_msg(&b, 1, &st);
        b_map(&b, 2, "other", "not json");
        if (info)
                b_map(&b, 2, "info", info);
        r = cri_parse_pod_sandbox_status(b.p, b.len, p, n, err);
        free(b.p);
        free(st.p);
        return r;
}

#define MAP(x) "{\"config\":{\"port_mappings\":[" x "]}}"

static void test_parse_pod_status_info(void **state) {
        static const struct {
                const char *info;
                size_t n;         /* entries when accepted */
                const char *says; /* NULL: accepted */
        } cases[] = {
                {NULL, 0, NULL},
                {"{}", 0, NULL},
                {"{\"config\":null}", 0, NULL},
                {"{\"config\":{}}", 0, NULL},
                {"{\"config\":{\"port_mappings\":null}}", 0, NULL},
                {MAP(""), 0, NULL},
                {MAP("{\"protocol\":2,\"container_port\":1}"), 0, NULL}, /* sctp */
                {MAP("{\"protocol\":7,\"container_port\":1}"), 0, NULL}, /* undefined */
                {MAP("{\"container_port\":65535,\"host_port\":65535,\"host_ip\":null}"), 1, NULL},
                {MAP("{\"container_port\":1,\"host_ip\":\"::ffff:10.0.0.1\"}"), 1, NULL},
                {MAP("{\"container_port\":1},{\"container_port\":1},{\"container_port\":1,\"protocol\":1}"), 2, NULL},
                {"[]", 0, "info is not a JSON object"},
                {"{\"config\":[]}", 0, "config is not an object"},
                {"{\"config\":{\"port_mappings\":{}}}", 0, "port_mappings is not an array"},
                {MAP("7"), 0, "port mapping 1 is not an object"},
                {MAP("{}"), 0, "container_port is not 1..65535"},
                {MAP("{\"container_port\":0}"), 0, "container_port is not 1..65535"},
                {MAP("{\"container_port\":65536}"), 0, "container_port is not 1..65535"},
                {MAP("{\"container_port\":-80}"), 0, "container_port is not 1..65535"},
                {MAP("{\"container_port\":80.5}"), 0, "container_port is not 1..65535"},
                {MAP("{\"container_port\":\"80\"}"), 0, "container_port is not 1..65535"},
                {MAP("{\"container_port\":80},{\"container_port\":80,\"host_port\":70000}"), 0,
                 "port mapping 2: host_port is not 0..65535"},
                {MAP("{\"container_port\":80,\"host_port\":-1}"), 0, "host_port is not 0..65535"},
                {MAP("{\"container_port\":80,\"protocol\":-1}"), 0, "protocol is not a Protocol"},
                {MAP("{\"container_port\":80,\"protocol\":\"TCP\"}"), 0, "protocol is not a Protocol"},
                {MAP("{\"container_port\":80,\"host_port\":1,\"host_ip\":\"localhost\"}"), 0,
                 "host_ip is not an IP address"},
                {MAP("{\"container_port\":80,\"host_port\":1,\"host_ip\":\"1.2.3.4\\u001b[31m\"}"), 0,
                 "host_ip is not an IP address"},
                {MAP("{\"container_port\":80,\"host_ip\":\"fe80::1%eth0\"}"), 0, "host_ip is not an IP address"},
                {MAP("{\"container_port\":80,\"host_ip\":4}"), 0, "host_ip is not an IP address"},
        };
        struct nsx_error err = {};
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct container_port *p = (void *) 1;
                size_t n = 99;
                int r = parse_pod_status_with(cases[i].info, &p, &n, &err);

                if (!cases[i].says) {
                        if (r != 0)
                                fail_msg("case %zu: %s", i, err.message);
                        assert_int_equal(n, cases[i].n);
                        if (n == 0)
                                assert_null(p);
                        container_ports_free(p, n);
                } else {
                        assert_int_equal(r, -EBADMSG);
                        if (!strstr(err.message, cases[i].says))
                                fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].says);
                        assert_null(p);
                        assert_int_equal(n, 0);
                }
        }
}

static void test_parse_pod_status_bad(void **state) {
        struct container_port *p = NULL;
        struct nsx_error err = {};
        struct buf b = {}, st = {};
        size_t n = 0;
        static const uint8_t st_varint[] = {0x08, 0x01};
        (void) state;

        /* No status at all (only info); a status whose id is not an ID. */
        b_map(&b, 2, "info", "{}");
        assert_int_equal(cri_parse_pod_sandbox_status(b.p, b.len, &p, &n, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "pod status is malformed: it has no status"));
        b.len = 0;
        b_str(&st, 1, "abc");
        b_msg(&b, 1, &st);
        assert_int_equal(cri_parse_pod_sandbox_status(b.p, b.len, &p, &n, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "status.id is not"));
        b.len = 0;
        b_msg(&b, 1, &(struct buf){});
        assert_int_equal(cri_parse_pod_sandbox_status(b.p, b.len, &p, &n, &err), -EBADMSG);
        assert_int_equal(cri_parse_pod_sandbox_status(st_varint, sizeof(st_varint), &p, &n, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "status has wire type 0"));
        assert_null(p);

        /* Bounded: at most CRI_ENTRIES_MAX mappings. */
        {
                static const char one[] = "{\"container_port\":1},";
                size_t cap = 64 + (CRI_ENTRIES_MAX + 1) * (sizeof(one) - 1);
                char *info = malloc(cap), *q = info;

                assert_non_null(info);
                q += sprintf(q, "{\"config\":{\"port_mappings\":[");
                for (size_t i = 0; i <= CRI_ENTRIES_MAX; i++)
                        q += sprintf(q, "%s", one);
                strcpy(q - 1, "]}}");
                assert_int_equal(parse_pod_status_with(info, &p, &n, &err), -EBADMSG);
                assert_non_null(strstr(err.message, "more than"));
                free(info);
        }
        free(b.p);
        free(st.p);
}

/* Every prefix of every fixture: an answer or EBADMSG, never a crash or a leak (valgrind). */
static void test_parse_truncated(void **state) {
        static const char *const names[] = {"cri-list.bin",    "cri-pods.bin",        "cri-status.bin",
                                            "cri-version.bin", "cri-status-user.bin", "cri-pod-status.bin"};
        (void) state;

        for (size_t f = 0; f < sizeof(names) / sizeof(names[0]); f++) {
                size_t len;
                uint8_t *bin = fixture(names[f], &len);

                for (size_t k = 0; k <= len; k++) {
                        struct cri_container *v = NULL;
                        struct cri_pod *p = NULL;
                        struct cri_status s = {};
                        struct container_port *ports = NULL;
                        struct nsx_error err = {};
                        char a[64], b[64], c[64];
                        size_t n;
                        int r;

                        /* A heap copy of exactly k bytes, so a read past it is caught. */
                        uint8_t *cut = malloc(k ? k : 1);

                        assert_non_null(cut);
                        memcpy(cut, bin, k);
                        if (f == 0)
                                r = cri_parse_list_containers(cut, k, &v, &n, &err);
                        else if (f == 1)
                                r = cri_parse_list_pod_sandbox(cut, k, &p, &n, &err);
                        else if (f == 2 || f == 4)
                                r = cri_parse_container_status(cut, k, &s, &err);
                        else if (f == 5)
                                r = cri_parse_pod_sandbox_status(cut, k, &ports, &n, &err);
                        else
                                r = cri_parse_version(cut, k, a, sizeof(a), b, sizeof(b), c, sizeof(c), &err);
                        assert_true(r == 0 || r == -EBADMSG);
                        if (k == len)
                                assert_int_equal(r, 0);
                        free(v);
                        free(p);
                        cri_status_done(&s);
                        if (ports)
                                container_ports_free(ports, n);
                        free(cut);
                }
                free(bin);
        }
}

/* ---- Target forms ---- */

static void test_ref_check(void **state) {
        static const char *const good[] = {
                "web",
                "default/web/app",
                "web/app",
                "a",
                "0",
                "abc123",
                ID_A,
                "web.example.com/app",
                "kube-system/coredns-5d78c9869d-x2x4q/coredns",
        };
        static const char *const bad[] = {
                "",         "/",        "web/",   "/web",      "a//b",   "a/b/c/d",   "Web",
                "web/App",  "web/a.b",  "-web",   "web-",      "web..a", "web/app\n", "we b",
                "web\033[", "ns/p/a_b", "web:80", "w\xc3\xa9", "..",     "ns/./app",
        };
        char longer[600];
        struct nsx_error err;
        (void) state;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                assert_int_equal(cri_ref_check(good[i], NULL), 0);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err = (struct nsx_error){};
                if (cri_ref_check(bad[i], &err) != -EINVAL)
                        fail_msg("'%s' passed", bad[i]);
                assert_non_null(strstr(err.message, "invalid target"));
                assert_null(strchr(err.message, '\n'));
                assert_null(strchr(err.message, '\033'));
        }
        memset(longer, 'a', sizeof(longer) - 1);
        longer[sizeof(longer) - 1] = '\0';
        assert_int_equal(cri_ref_check(longer, &err), -EINVAL);
        assert_non_null(strstr(err.message, "too long"));
        /* A pod name may be 253 long (no label limit of 63 inside it), a container name 63. */
        memset(longer, 'a', 253);
        strcpy(longer + 253, "/");
        memset(longer + 254, 'b', 63);
        longer[317] = '\0';
        assert_int_equal(cri_ref_check(longer, &err), 0);
        strcpy(longer + 317, "b");
        assert_int_equal(cri_ref_check(longer, &err), -EINVAL);
}

struct world {
        struct cri_container *v;
        struct cri_pod *pods;
        size_t n, n_pods;
};

static int world_setup(void **state) {
        struct world *w = calloc(1, sizeof(*w));

        if (!w)
                return -1;
        load_world(&w->v, &w->n, &w->pods, &w->n_pods);
        cri_containers_fill_pods(w->v, w->n, w->pods, w->n_pods);
        *state = w;
        return 0;
}

static int world_teardown(void **state) {
        struct world *w = *state;

        free(w->v);
        free(w->pods);
        free(w);
        return 0;
}

/* Resolves typed and returns the label it found ("" on error, *ret_r the result). */
static const char *resolve(const struct world *w, const char *typed, int *ret_r, struct nsx_error *err) {
        static char label[1024];
        size_t idx = SIZE_MAX;

        *err = (struct nsx_error){};
        *ret_r = cri_resolve(typed, w->v, w->n, w->pods, w->n_pods, &idx, err);
        label[0] = '\0';
        if (*ret_r == 0) {
                assert_true(idx < w->n);
                assert_int_equal(w->v[idx].state, CRI_STATE_RUNNING);
                cri_container_label(&w->v[idx], label, sizeof(label));
        } else {
                assert_int_equal(idx, SIZE_MAX);
                assert_int_equal(err->errnum, -*ret_r);
                assert_null(strchr(err->message, '\n'));
        }
        return label;
}

static void test_resolve_found(void **state) {
        const struct world *w = *state;
        struct nsx_error err;
        char typed[80];
        size_t i;
        int r;

        /* Every running container by its full ID, its names, and a 12-digit prefix. */
        for (i = 0; i < w->n; i++) {
                char label[1024];

                if (w->v[i].state != CRI_STATE_RUNNING)
                        continue;
                cri_container_label(&w->v[i], label, sizeof(label));
                assert_string_equal(resolve(w, w->v[i].id, &r, &err), label);
                assert_string_equal(resolve(w, label, &r, &err), label);
                snprintf(typed, sizeof(typed), "%.12s", w->v[i].id);
                assert_string_equal(resolve(w, typed, &r, &err), label);
        }

        /* POD/CONTAINER in any namespace when unique. */
        assert_string_equal(resolve(w, "web/sidecar", &r, &err), "default/web/sidecar");
        assert_string_equal(resolve(w, "debug-pod/shell", &r, &err), "tools/debug-pod/shell");
        /* The running attempt, not the exited one. */
        assert_string_equal(resolve(w, "default/solo/main", &r, &err), "default/solo/main");
        /* POD: its only running container. */
        assert_string_equal(resolve(w, "cafe", &r, &err), "default/cafe/srv");
        assert_string_equal(resolve(w, "debug-pod", &r, &err), "tools/debug-pod/shell");
        /* POD with several: the default-container annotation. */
        assert_string_equal(resolve(w, "web", &r, &err), "default/web/app");
        /* Shortest unique prefix: one digit is enough when unique. */
        i = find(w->v, w->n, "default/solo/helper");
        assert_true(starts_with(w->v[i].id, "cafe"));
        snprintf(typed, sizeof(typed), "%.5s", w->v[i].id);
        assert_string_equal(resolve(w, typed, &r, &err), "default/solo/helper");
}

static void test_resolve_errors(void **state) {
        const struct world *w = *state;
        struct nsx_error err;
        size_t i;
        int r;

        /* The syntax first. */
        resolve(w, "Web", &r, &err);
        assert_int_equal(r, -EINVAL);

        /* Nothing at all. */
        resolve(w, "nothere", &r, &err);
        assert_int_equal(r, -ENOENT);
        assert_string_equal(err.message, "no such container or pod: 'nothere'");
        resolve(w, "nothere/app", &r, &err);
        assert_int_equal(r, -ENOENT);
        assert_string_equal(err.message, "no such container: 'nothere/app'");
        resolve(w, "staging/web/app", &r, &err);
        assert_int_equal(r, -ENOENT);
        resolve(w, "0000000", &r, &err);
        assert_int_equal(r, -ENOENT);
        resolve(w, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", &r, &err);
        assert_int_equal(r, -ENOENT);

        /* A pod name in two namespaces. */
        resolve(w, "db", &r, &err);
        assert_int_equal(r, -ENOENT);
        assert_string_equal(err.message, "pod 'db' is in several namespaces: default/db/postgres, staging/db/postgres");
        assert_non_null(strstr(err.hint, "NAMESPACE/POD/CONTAINER"));
        resolve(w, "db/postgres", &r, &err);
        assert_int_equal(r, -ENOENT);
        assert_true(starts_with(err.message, "container 'db/postgres' is ambiguous: "));
        assert_non_null(strstr(err.message, " (default/db/postgres), "));
        assert_non_null(strstr(err.message, " (staging/db/postgres)"));
        assert_string_equal(resolve(w, "staging/db/postgres", &r, &err), "staging/db/postgres");

        /* A pod with several running containers and no annotation. */
        resolve(w, "multi", &r, &err);
        assert_int_equal(r, -ENOENT);
        assert_string_equal(err.message, "pod 'multi' has several running containers, name one: "
                                         "default/multi/a, default/multi/b");
        assert_non_null(strstr(err.hint, "default-container annotation"));
        /* An annotation naming no container. */
        resolve(w, "broken-default", &r, &err);
        assert_int_equal(r, -ENOENT);
        assert_non_null(strstr(err.message, "default/broken-default/x, default/broken-default/y"));
        /* An annotation naming a stopped container: not another one in its place. */
        resolve(w, "def-stopped", &r, &err);
        assert_int_equal(r, -ESRCH);
        assert_string_equal(err.message, "container 'default/def-stopped/main' is not running (exited)");

        /* Ambiguous ID prefix: short IDs and names. */
        resolve(w, "ab", &r, &err);
        assert_int_equal(r, -ENOENT);
        assert_true(starts_with(err.message, "container ID prefix 'ab' is ambiguous: ab"));
        assert_non_null(strstr(err.message, " (default/multi/a), ab"));
        assert_non_null(strstr(err.message, " (default/multi/b)"));

        /* Not running: by pod, by names, by ID, by prefix. */
        resolve(w, "stopped", &r, &err);
        assert_int_equal(r, -ESRCH);
        assert_string_equal(err.message, "container 'default/stopped/job' is not running (exited)");
        resolve(w, "stopped/job", &r, &err);
        assert_int_equal(r, -ESRCH);
        resolve(w, "default/web/init", &r, &err);
        assert_int_equal(r, -ESRCH);
        assert_string_equal(err.message, "container 'default/web/init' is not running (created)");
        i = find(w->v, w->n, "default/stopped/job");
        resolve(w, w->v[i].id, &r, &err);
        assert_int_equal(r, -ESRCH);
        resolve(w, "dead", &r, &err);
        assert_int_equal(r, -ESRCH);
        /* "d": a running container's prefix as well as the dead one's: the running one. */
        i = find(w->v, w->n, "default/web/app");
        assert_true(starts_with(w->v[i].id, "d8"));
        assert_string_equal(resolve(w, "d", &r, &err), "default/web/app");
}

/* Candidate lists stop at ten: "and N more"; the not-running list too. */
static void test_resolve_many(void **state) {
        struct cri_container v[25] = {};
        size_t idx;
        struct nsx_error err;
        (void) state;

        for (size_t i = 0; i < 25; i++) {
                snprintf(v[i].id, sizeof(v[i].id), "%02zu%062d", i, 0);
                memset(v[i].sandbox_id, 'a', CONTAINER_ID_LEN);
                snprintf(v[i].name, sizeof(v[i].name), "c%zu", i);
                snprintf(v[i].pod, sizeof(v[i].pod), "%s", "big");
                snprintf(v[i].ns, sizeof(v[i].ns), "ns%zu", i % 2);
                v[i].state = i < 20 ? CRI_STATE_RUNNING : CRI_STATE_EXITED;
        }
        assert_int_equal(cri_resolve("big", v, 25, NULL, 0, &idx, &err), -ENOENT);
        assert_non_null(strstr(err.message, "in several namespaces"));
        assert_non_null(strstr(err.message, "ns1/big/c9 and 10 more"));
        for (size_t i = 0; i < 25; i++)
                snprintf(v[i].ns, sizeof(v[i].ns), "%s", "ns");
        assert_int_equal(cri_resolve("big", v, 25, NULL, 0, &idx, &err), -ENOENT);
        assert_non_null(strstr(err.message, "ns/big/c9 and 10 more"));
        assert_int_equal(cri_resolve("0", v, 25, NULL, 0, &idx, &err), -ENOENT);
        assert_non_null(strstr(err.message, "ambiguous"));
        assert_null(strstr(err.message, "more"));                               /* exactly ten: 00.. to 09.. */
        assert_int_equal(cri_resolve("2", v, 25, NULL, 0, &idx, &err), -ESRCH); /* 20.. to 24.. have exited */
        assert_non_null(strstr(err.message, "'2' is not running: only stopped containers match: 200000000000 (ns"));
        for (size_t i = 0; i < 25; i++)
                v[i].state = CRI_STATE_EXITED;
        assert_int_equal(cri_resolve("big", v, 25, NULL, 0, &idx, &err), -ESRCH);
        assert_non_null(strstr(err.message, "only stopped containers match"));
        assert_non_null(strstr(err.message, "and 15 more"));
        assert_int_equal(cri_resolve("big/c3", v, 25, NULL, 0, &idx, &err), -ESRCH);
        assert_string_equal(err.message, "container 'ns/big/c3' is not running (exited)");
        /* No containers at all. */
        assert_int_equal(cri_resolve("big", NULL, 0, NULL, 0, &idx, &err), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_request_list),
                cmocka_unit_test(test_request_status),
                cmocka_unit_test(test_request_pod_status),
                cmocka_unit_test(test_parse_version),
                cmocka_unit_test(test_parse_list),
                cmocka_unit_test(test_parse_unknown_fields),
                cmocka_unit_test(test_parse_malformed_wire),
                cmocka_unit_test(test_parse_bad_entries),
                cmocka_unit_test(test_parse_bad_fields),
                cmocka_unit_test(test_parse_entries_bound),
                cmocka_unit_test(test_parse_pods_bad),
                cmocka_unit_test(test_parse_status),
                cmocka_unit_test(test_parse_status_info),
                cmocka_unit_test(test_parse_status_process),
                cmocka_unit_test(test_parse_status_bad),
                cmocka_unit_test(test_parse_pod_status),
                cmocka_unit_test(test_parse_pod_status_info),
                cmocka_unit_test(test_parse_pod_status_bad),
                cmocka_unit_test(test_parse_truncated),
                cmocka_unit_test(test_ref_check),
                cmocka_unit_test_setup_teardown(test_resolve_found, world_setup, world_teardown),
                cmocka_unit_test_setup_teardown(test_resolve_errors, world_setup, world_teardown),
                cmocka_unit_test(test_resolve_many),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
