/* SPDX-License-Identifier: MIT */
/* CRI runtime.v1: a small protobuf wire codec for the few messages used, and target-form resolution.
 *
 * Why by hand, not a protobuf library: docker-nsexec needs five messages and a dozen fields, the
 * binary must link statically, and every byte the engine sends is untrusted. A decoder of ~150
 * lines with strict bounds (a varint is at most 10 bytes, a length never runs past its enclosing
 * message, groups and reserved wire types are refused, the nesting is the fixed one of the
 * messages, never recursive) is easier to audit and to fuzz than a generated one plus its runtime.
 * Field numbers are those of k8s.io/cri-api pkg/apis/runtime/v1/api.proto. */
#include "cri.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

/* ---- The wire format ---- */

enum {
        WIRE_VARINT = 0,
        WIRE_I64 = 1,
        WIRE_LEN = 2,
        WIRE_SGROUP = 3,
        WIRE_EGROUP = 4,
        WIRE_I32 = 5,
};

struct pb_reader {
        const uint8_t *p, *end;
};

struct pb_field {
        uint32_t num;
        unsigned wire;
        uint64_t value;      /* WIRE_VARINT */
        const uint8_t *data; /* WIRE_LEN, WIRE_I64, WIRE_I32 */
        size_t len;
};

/* What was wrong, for the one-line error: "entry 3: Container.id is not ...". */
struct pb_ctx {
        char what[200];
};

__attribute__((format(printf, 2, 3))) static int bad(struct pb_ctx *c, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(c->what, sizeof(c->what), fmt, ap);
        va_end(ap);
        return -EBADMSG;
}

/* A reader over p[0, n): no pointer arithmetic on an empty one (p may be NULL then). */
static struct pb_reader reader_of(const uint8_t *p, size_t n) {
        return (struct pb_reader){p, n ? p + n : p};
}

static int pb_varint(struct pb_ctx *c, struct pb_reader *r, uint64_t *ret) {
        uint64_t v = 0;

        for (unsigned i = 0; i < 10; i++) {
                uint8_t b;

                if (r->p >= r->end)
                        return bad(c, "a varint is truncated");
                b = *r->p++;
                /* The 10th byte holds bit 63 only: anything more is not a 64-bit value. */
                if (i == 9 && b > 1)
                        return bad(c, "a varint is longer than 64 bits");
                v |= (uint64_t) (b & 0x7f) << (7 * i);
                if (!(b & 0x80)) {
                        *ret = v;
                        return 0;
                }
        }
        return bad(c, "a varint is longer than 64 bits"); /* not reached */
}

/* The next field of a message: 1 and *f, 0 at its end, -EBADMSG. Every wire type but the
 * groups is consumed here, so an unknown field is skipped by simply reading the next one. */
static int pb_next(struct pb_ctx *c, struct pb_reader *r, struct pb_field *f) {
        uint64_t tag, len;
        int k;

        if (r->p >= r->end)
                return 0;
        k = pb_varint(c, r, &tag);
        if (k < 0)
                return k;
        if (tag > UINT32_MAX || (tag >> 3) == 0)
                return bad(c, "a field number is out of range");
        *f = (struct pb_field){.num = (uint32_t) (tag >> 3), .wire = (unsigned) (tag & 7)};
        switch (f->wire) {
        case WIRE_VARINT:
                return pb_varint(c, r, &f->value) < 0 ? -EBADMSG : 1;
        case WIRE_I64:
        case WIRE_I32:
                f->len = f->wire == WIRE_I64 ? 8 : 4;
                if ((size_t) (r->end - r->p) < f->len)
                        return bad(c, "a fixed-size field runs past the end");
                break;
        case WIRE_LEN:
                k = pb_varint(c, r, &len);
                if (k < 0)
                        return k;
                if (len > (uint64_t) (r->end - r->p))
                        return bad(c, "a length runs past the end");
                f->len = (size_t) len;
                break;
        case WIRE_SGROUP:
        case WIRE_EGROUP:
                return bad(c, "field %u is a group (a wire type proto3 does not use)", f->num);
        default:
                return bad(c, "field %u has the invalid wire type %u", f->num, f->wire);
        }
        f->data = r->p;
        r->p += f->len;
        return 1;
}

static int want(struct pb_ctx *c, const struct pb_field *f, unsigned wire, const char *field) {
        if (f->wire != wire)
                return bad(c, "%s has wire type %u, not %u", field, f->wire, wire);
        return 0;
}

/* A string field into buf: NUL-free, and it must fit. */
static int copy_string(struct pb_ctx *c, const uint8_t *d, size_t len, char *buf, size_t size, const char *field) {
        if (memchr(d, '\0', len))
                return bad(c, "%s holds a NUL byte", field);
        if (len >= size)
                return bad(c, "%s is too long (%zu bytes)", field, len);
        memcpy(buf, d, len);
        buf[len] = '\0';
        return 0;
}

static int field_string(struct pb_ctx *c, const struct pb_field *f, char *buf, size_t size, const char *field) {
        if (want(c, f, WIRE_LEN, field) < 0)
                return -EBADMSG;
        return copy_string(c, f->data, f->len, buf, size, field);
}

/* A map<string, string> entry: a message of key = 1, value = 2 (either may be absent: ""). */
static int map_entry(struct pb_ctx *c, const struct pb_field *f, const char *map, const uint8_t **key, size_t *key_len,
                     const uint8_t **val, size_t *val_len) {
        struct pb_reader r = reader_of(f->data, f->len);
        struct pb_field e;
        int k;

        if (want(c, f, WIRE_LEN, map) < 0)
                return -EBADMSG;
        *key = *val = (const uint8_t *) "";
        *key_len = *val_len = 0;
        while ((k = pb_next(c, &r, &e)) > 0) {
                if (e.num != 1 && e.num != 2)
                        continue;
                if (want(c, &e, WIRE_LEN, map) < 0)
                        return -EBADMSG;
                *(e.num == 1 ? key : val) = e.data;
                *(e.num == 1 ? key_len : val_len) = e.len;
        }
        return k;
}

static bool key_is(const uint8_t *key, size_t len, const char *s) {
        return len == strlen(s) && memcmp(key, s, len) == 0;
}

/* One entry of a verbose answer's info map (field 2): the value of its "info" key, the runtime's
 * JSON text, into *ret (other keys are left alone). */
static int info_entry(struct pb_ctx *c, const struct pb_field *f, const uint8_t **ret, size_t *ret_len) {
        const uint8_t *key, *val;
        size_t key_len, val_len;
        int k;

        k = map_entry(c, f, "info", &key, &key_len, &val, &val_len);
        if (k >= 0 && key_is(key, key_len, "info")) {
                *ret = val;
                *ret_len = val_len;
        }
        return k;
}

static enum cri_state state_from(uint64_t v) {
        /* proto3 enums are open: an undefined value (or a negative int32, sign-extended) is kept
         * by the sender; here it is just not running. */
        return v <= CRI_STATE_UNKNOWN ? (enum cri_state) v : CRI_STATE_UNKNOWN;
}

/* ---- Names ---- */

static bool is_lower_alnum(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool is_lower_hex(char ch) {
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static bool hex_only(const char *s) {
        if (!s[0])
                return false;
        for (; *s; s++)
                if (!is_lower_hex(*s))
                        return false;
        return true;
}

static bool id_valid(const char *s) {
        return strlen(s) == CONTAINER_ID_LEN && hex_only(s);
}

/* DNS-1123: labels [a-z0-9]([-a-z0-9]*[a-z0-9])?, joined by '.' for a subdomain. What the engine
 * sends as a name is printed (errors, --list, completion): nothing else may pass. */
static bool dns1123(const char *s, size_t len, bool subdomain) {
        size_t start = 0;

        if (len == 0 || len > (subdomain ? CRI_NAME_MAX : CRI_LABEL_MAX))
                return false;
        for (size_t i = 0; i <= len; i++) {
                if (i < len && s[i] != '.') {
                        if (!is_lower_alnum(s[i]) && s[i] != '-')
                                return false;
                        continue;
                }
                /* The label s[start, i): a letter or digit at each end. Kubernetes bounds only the
                 * whole subdomain (253), not each of its labels (a pod name may be 100 long). */
                if ((i < len && !subdomain) || i == start || !is_lower_alnum(s[start]) || !is_lower_alnum(s[i - 1]))
                        return false;
                start = i + 1;
        }
        return true;
}

static bool name_ok(const char *s, bool subdomain) {
        return dns1123(s, strlen(s), subdomain);
}

/* ---- Requests ---- */

struct pb_writer {
        uint8_t *buf;
        size_t size, len;
        bool overflow;
};

static void put_varint(struct pb_writer *w, uint64_t v) {
        do {
                uint8_t b = (uint8_t) (v & 0x7f);

                v >>= 7;
                if (v)
                        b |= 0x80;
                if (w->len < w->size)
                        w->buf[w->len++] = b;
                else
                        w->overflow = true;
        } while (v);
}

static void put_tag(struct pb_writer *w, uint32_t num, unsigned wire) {
        put_varint(w, (uint64_t) num << 3 | wire);
}

static void put_bytes(struct pb_writer *w, uint32_t num, const void *d, size_t len) {
        put_tag(w, num, WIRE_LEN);
        put_varint(w, len);
        if (w->size - w->len < len) {
                w->overflow = true;
                return;
        }
        memcpy(w->buf + w->len, d, len);
        w->len += len;
}

static int writer_done(const struct pb_writer *w, size_t *ret_len) {
        if (w->overflow)
                return -ENOBUFS;
        *ret_len = w->len;
        return 0;
}

/* Request { filter = 1 { state = 2 { state = 1: STATE } } }; an empty request when not
 * filtering. The wrapper's presence is the filter: SANDBOX_READY is 0, which proto3 does not
 * encode, so the pod filter is an empty StateValue. */
static int request_state_filter(bool filter, uint64_t state, uint8_t *buf, size_t size, size_t *ret_len) {
        struct pb_writer w = {buf, size, 0, false}, inner;
        uint8_t value[16] = {0}, flt[32] = {0}; /* all-zero: GCC cannot tell an empty value is never read */
        size_t value_len, flt_len;

        if (filter) {
                inner = (struct pb_writer){value, sizeof(value), 0, false};
                if (state != 0) {
                        put_tag(&inner, 1, WIRE_VARINT);
                        put_varint(&inner, state);
                }
                value_len = inner.len;
                inner = (struct pb_writer){flt, sizeof(flt), 0, false};
                put_bytes(&inner, 2, value, value_len);
                flt_len = inner.len;
                put_bytes(&w, 1, flt, flt_len);
        }
        return writer_done(&w, ret_len);
}

int cri_request_list_containers(bool running_only, uint8_t *buf, size_t size, size_t *ret_len) {
        return request_state_filter(running_only, CRI_STATE_RUNNING, buf, size, ret_len);
}

int cri_request_list_pod_sandbox(bool ready_only, uint8_t *buf, size_t size, size_t *ret_len) {
        return request_state_filter(ready_only, 0 /* SANDBOX_READY */, buf, size, ret_len);
}

int cri_request_container_status(const char *id, bool verbose, uint8_t *buf, size_t size, size_t *ret_len) {
        struct pb_writer w = {buf, size, 0, false};

        if (!id || !id_valid(id))
                return -EINVAL;
        put_bytes(&w, 1, id, CONTAINER_ID_LEN); /* container_id */
        if (verbose) {
                put_tag(&w, 2, WIRE_VARINT); /* verbose */
                put_varint(&w, 1);
        }
        return writer_done(&w, ret_len);
}

/* PodSandboxStatusRequest { pod_sandbox_id = 1; verbose = 2 } */
int cri_request_pod_sandbox_status(const char *id, bool verbose, uint8_t *buf, size_t size, size_t *ret_len) {
        /* The same shape as ContainerStatusRequest's. */
        return cri_request_container_status(id, verbose, buf, size, ret_len);
}

/* ---- Responses ---- */

#define LABEL_POD_NAME "io.kubernetes.pod.name"
#define LABEL_POD_NAMESPACE "io.kubernetes.pod.namespace"
#define ANNOTATION_DEFAULT_CONTAINER "kubectl.kubernetes.io/default-container"

/* ContainerMetadata { name = 1; attempt = 2 } */
static int parse_container_metadata(struct pb_ctx *c, const struct pb_field *f, char *name, size_t name_size,
                                    uint32_t *attempt) {
        struct pb_reader r = reader_of(f->data, f->len);
        struct pb_field m;
        int k;

        if (want(c, f, WIRE_LEN, "metadata") < 0)
                return -EBADMSG;
        while ((k = pb_next(c, &r, &m)) > 0) {
                if (m.num == 1 && field_string(c, &m, name, name_size, "metadata.name") < 0)
                        return -EBADMSG;
                if (m.num == 2) {
                        if (want(c, &m, WIRE_VARINT, "metadata.attempt") < 0)
                                return -EBADMSG;
                        if (m.value > UINT32_MAX)
                                return bad(c, "metadata.attempt is out of range");
                        *attempt = (uint32_t) m.value;
                }
        }
        return k;
}

/* The kubelet's pod labels, shared by Container (labels = 8) and ContainerStatus (labels = 12). */
static int pod_label(struct pb_ctx *c, const struct pb_field *f, char *pod, char *ns) {
        const uint8_t *key, *val;
        size_t key_len, val_len;

        if (map_entry(c, f, "labels", &key, &key_len, &val, &val_len) < 0)
                return -EBADMSG;
        if (key_is(key, key_len, LABEL_POD_NAME))
                return copy_string(c, val, val_len, pod, CRI_NAME_MAX + 1, "the pod name label");
        if (key_is(key, key_len, LABEL_POD_NAMESPACE))
                return copy_string(c, val, val_len, ns, CRI_NAME_MAX + 1, "the pod namespace label");
        return 0;
}

static int check_names(struct pb_ctx *c, const char *id, const char *name, const char *pod, const char *ns) {
        if (!id_valid(id))
                return bad(c, "id is not a 64-digit lowercase hex ID");
        if (!name_ok(name, false))
                return bad(c, "metadata.name is not a valid container name");
        if (pod[0] && !name_ok(pod, true))
                return bad(c, "the pod name label is not a valid pod name");
        if (ns[0] && !name_ok(ns, true))
                return bad(c, "the pod namespace label is not a valid namespace");
        return 0;
}

/* Container { id = 1; pod_sandbox_id = 2; metadata = 3; state = 6; labels = 8 } */
static int parse_container(struct pb_ctx *c, const struct pb_field *f, struct cri_container *ret) {
        struct pb_reader r = reader_of(f->data, f->len);
        struct pb_field e;
        int k;

        *ret = (struct cri_container){};
        while ((k = pb_next(c, &r, &e)) > 0) {
                switch (e.num) {
                case 1:
                        k = field_string(c, &e, ret->id, sizeof(ret->id), "id");
                        break;
                case 2:
                        k = field_string(c, &e, ret->sandbox_id, sizeof(ret->sandbox_id), "pod_sandbox_id");
                        break;
                case 3:
                        k = parse_container_metadata(c, &e, ret->name, sizeof(ret->name), &ret->attempt);
                        break;
                case 6:
                        k = want(c, &e, WIRE_VARINT, "state");
                        ret->state = state_from(e.value);
                        break;
                case 8:
                        k = pod_label(c, &e, ret->pod, ret->ns);
                        break;
                default:
                        k = 0;
                }
                if (k < 0)
                        return k;
        }
        if (k < 0)
                return k;
        if (check_names(c, ret->id, ret->name, ret->pod, ret->ns) < 0)
                return -EBADMSG;
        if (!id_valid(ret->sandbox_id))
                return bad(c, "pod_sandbox_id is not a 64-digit lowercase hex ID");
        return 0;
}

/* PodSandboxMetadata { name = 1; uid = 2; namespace = 3; attempt = 4 } */
static int parse_pod_metadata(struct pb_ctx *c, const struct pb_field *f, struct cri_pod *p) {
        struct pb_reader r = reader_of(f->data, f->len);
        struct pb_field m;
        int k;

        if (want(c, f, WIRE_LEN, "metadata") < 0)
                return -EBADMSG;
        while ((k = pb_next(c, &r, &m)) > 0) {
                if (m.num == 1)
                        k = field_string(c, &m, p->name, sizeof(p->name), "metadata.name");
                else if (m.num == 2)
                        k = field_string(c, &m, p->uid, sizeof(p->uid), "metadata.uid");
                else if (m.num == 3)
                        k = field_string(c, &m, p->ns, sizeof(p->ns), "metadata.namespace");
                else if (m.num == 4)
                        k = want(c, &m, WIRE_VARINT, "metadata.attempt");
                if (k < 0)
                        return k;
        }
        return k;
}

/* A pod UID: Kubernetes makes it a UUID; other CRI clients pick any short token. */
static bool uid_ok(const char *s) {
        for (; *s; s++)
                if (!is_lower_alnum(*s) && !(*s >= 'A' && *s <= 'Z') && *s != '-' && *s != '_' && *s != '.')
                        return false;
        return true;
}

/* PodSandbox { id = 1; metadata = 2; state = 3; annotations = 6 } */
static int parse_pod(struct pb_ctx *c, const struct pb_field *f, struct cri_pod *ret) {
        struct pb_reader r = reader_of(f->data, f->len);
        struct pb_field e;
        uint64_t state = 0;
        int k;

        *ret = (struct cri_pod){};
        while ((k = pb_next(c, &r, &e)) > 0) {
                const uint8_t *key, *val;
                size_t key_len, val_len;

                switch (e.num) {
                case 1:
                        k = field_string(c, &e, ret->id, sizeof(ret->id), "id");
                        break;
                case 2:
                        k = parse_pod_metadata(c, &e, ret);
                        break;
                case 3:
                        k = want(c, &e, WIRE_VARINT, "state");
                        state = e.value;
                        break;
                case 6:
                        k = map_entry(c, &e, "annotations", &key, &key_len, &val, &val_len);
                        if (k < 0 || !key_is(key, key_len, ANNOTATION_DEFAULT_CONTAINER))
                                break;
                        /* The user's annotation, not the engine's word: a value that is no
                         * container name is ignored, not an error. */
                        ret->default_container[0] = '\0';
                        if (val_len <= CRI_LABEL_MAX && !memchr(val, '\0', val_len) &&
                            dns1123((const char *) val, val_len, false)) {
                                memcpy(ret->default_container, val, val_len);
                                ret->default_container[val_len] = '\0';
                        }
                        break;
                default:
                        k = 0;
                }
                if (k < 0)
                        return k;
        }
        if (k < 0)
                return k;
        ret->ready = state == 0; /* SANDBOX_READY */
        if (!id_valid(ret->id))
                return bad(c, "id is not a 64-digit lowercase hex ID");
        if (!name_ok(ret->name, true))
                return bad(c, "metadata.name is not a valid pod name");
        if (ret->ns[0] && !name_ok(ret->ns, true))
                return bad(c, "metadata.namespace is not a valid namespace");
        if (!uid_ok(ret->uid))
                return bad(c, "metadata.uid is not a valid UID");
        return 0;
}

typedef int (*entry_parser)(struct pb_ctx *c, const struct pb_field *f, void *entry);

static int parse_container_entry(struct pb_ctx *c, const struct pb_field *f, void *entry) {
        return parse_container(c, f, entry);
}

static int parse_pod_entry(struct pb_ctx *c, const struct pb_field *f, void *entry) {
        return parse_pod(c, f, entry);
}

/* A list response: repeated ENTRY field 1, nothing else of interest. */
static int parse_list(const uint8_t *b, size_t n, size_t entry_size, entry_parser parse, const char *what, void **ret,
                      size_t *ret_n, struct nsx_error *err) {
        struct pb_reader r = reader_of(b, n);
        struct pb_ctx c = {};
        struct pb_field f;
        _cleanup_free_ void *v = NULL;
        size_t count = 0, cap = 0;
        int k;

        while ((k = pb_next(&c, &r, &f)) > 0) {
                if (f.num != 1)
                        continue;
                if (count == CRI_ENTRIES_MAX) {
                        k = bad(&c, "more than %d entries", CRI_ENTRIES_MAX);
                        break;
                }
                if (want(&c, &f, WIRE_LEN, "an entry") < 0) {
                        k = -EBADMSG;
                        break;
                }
                if (count == cap) {
                        size_t ncap = cap ? cap * 2 : 16;
                        void *nv = reallocarray(v, ncap, entry_size);

                        if (!nv)
                                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                        v = nv;
                        cap = ncap;
                }
                k = parse(&c, &f, (char *) v + count * entry_size);
                if (k < 0) {
                        /* Name the entry: "entry 3: id is not ...". */
                        char inner[sizeof(c.what)];

                        snprintf(inner, sizeof(inner), "%s", c.what);
                        bad(&c, "entry %zu: %s", count + 1, inner);
                        break;
                }
                count++;
        }
        if (k < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "the CRI runtime's %s is malformed: %s", what,
                                     c.what);
        *ret = TAKE_PTR(v);
        *ret_n = count;
        return 0;
}

int cri_parse_list_containers(const uint8_t *b, size_t n, struct cri_container **ret, size_t *ret_n,
                              struct nsx_error *err) {
        void *v = NULL;
        int r = parse_list(b, n, sizeof(struct cri_container), parse_container_entry, "container list", &v, ret_n, err);

        if (r >= 0)
                *ret = v;
        return r;
}

int cri_parse_list_pod_sandbox(const uint8_t *b, size_t n, struct cri_pod **ret, size_t *ret_n, struct nsx_error *err) {
        void *v = NULL;
        int r = parse_list(b, n, sizeof(struct cri_pod), parse_pod_entry, "pod list", &v, ret_n, err);

        if (r >= 0)
                *ret = v;
        return r;
}

/* ContainerStatus { id = 1; metadata = 2; state = 3; labels = 12 } */
static int parse_status_message(struct pb_ctx *c, const struct pb_field *f, struct cri_status *s) {
        struct pb_reader r = reader_of(f->data, f->len);
        struct pb_field e;
        uint32_t attempt = 0;
        int k;

        if (want(c, f, WIRE_LEN, "status") < 0)
                return -EBADMSG;
        while ((k = pb_next(c, &r, &e)) > 0) {
                switch (e.num) {
                case 1:
                        k = field_string(c, &e, s->id, sizeof(s->id), "status.id");
                        break;
                case 2:
                        k = parse_container_metadata(c, &e, s->name, sizeof(s->name), &attempt);
                        break;
                case 3:
                        k = want(c, &e, WIRE_VARINT, "status.state");
                        s->state = state_from(e.value);
                        break;
                case 12:
                        k = pod_label(c, &e, s->pod, s->ns);
                        break;
                default:
                        k = 0;
                }
                if (k < 0)
                        return k;
        }
        return k;
}

/* Two spellings of one absolute path: runc cleans a mount destination ("//etc/hosts/" is
 * /etc/hosts), so a lookup must too. */
static bool path_is(const char *a, const char *b) {
        while (*a && *b) {
                if (*a == '/' && *b == '/') {
                        while (*a == '/')
                                a++;
                        while (*b == '/')
                                b++;
                        continue;
                }
                if (*a++ != *b++)
                        return false;
        }
        while (*a == '/')
                a++;
        while (*b == '/')
                b++;
        return !*a && !*b;
}

static int mount_source(struct pb_ctx *c, const cJSON *mount, char **ret, const char *dest) {
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(mount, "source");
        char *s;

        if (!cJSON_IsString(src) || src->valuestring[0] != '/' || strlen(src->valuestring) >= PATH_MAX)
                return bad(c, "info: the source of the mount on %s is not an absolute path", dest);
        s = strdup(src->valuestring);
        if (!s)
                return -ENOMEM;
        free(*ret); /* the later mount on the same place is the one on top */
        *ret = s;
        return 0;
}

/* An OCI user or group ID: an exact integer, not negative, not (uid_t) -1 (no ID at all). */
static bool spec_id(const cJSON *v, uint32_t *ret) {
        double d = cJSON_IsNumber(v) ? v->valuedouble : -1;

        if (!isfinite(d) || d != floor(d) || d < 0 || d >= (double) UINT32_MAX)
                return false;
        *ret = (uint32_t) d;
        return true;
}

/* runtimeSpec.process.user, .env and runtimeSpec.hostname: what crictl exec runs a command with
 * (the runtime starts an exec'd process with the spec's user and environment, in the pod's UTS
 * namespace). Absent or null: none. */
static int parse_process(struct pb_ctx *c, const cJSON *spec, struct cri_status *s) {
        const cJSON *proc = cJSON_GetObjectItemCaseSensitive(spec, "process"), *user = NULL, *env = NULL, *host;
        uint32_t uid, gid;
        int k;

        if (proc && !cJSON_IsNull(proc) && !cJSON_IsObject(proc))
                return bad(c, "info: runtimeSpec.process is not an object");
        if (cJSON_IsObject(proc)) {
                user = cJSON_GetObjectItemCaseSensitive(proc, "user");
                env = cJSON_GetObjectItemCaseSensitive(proc, "env");
        }
        if (user && !cJSON_IsNull(user)) {
                /* The spec requires both IDs: one missing is not root. */
                if (!cJSON_IsObject(user) || !spec_id(cJSON_GetObjectItemCaseSensitive(user, "uid"), &uid) ||
                    !spec_id(cJSON_GetObjectItemCaseSensitive(user, "gid"), &gid))
                        return bad(c, "info: runtimeSpec.process.user has no valid uid and gid");
                if (asprintf(&s->user, "%" PRIu32 ":%" PRIu32, uid, gid) < 0) {
                        s->user = NULL;
                        return -ENOMEM;
                }
        }
        k = container_parse_env(env, "info: runtimeSpec.process.env", &s->env, c->what, sizeof(c->what));
        if (k < 0)
                return k;

        host = cJSON_GetObjectItemCaseSensitive(spec, "hostname");
        if (host && !cJSON_IsNull(host)) {
                const char *h = cJSON_IsString(host) ? host->valuestring : NULL;

                if (!h || !container_hostname_valid(h))
                        return bad(c, "info: runtimeSpec.hostname is not a valid hostname");
                if (h[0] && !(s->hostname = strdup(h)))
                        return -ENOMEM;
        }
        return 0;
}

/* The verbose info's "info" key: containerd's (and CRI-O's) JSON text. */
static int parse_info(struct pb_ctx *c, const uint8_t *d, size_t len, struct cri_status *s) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const cJSON *pid, *sandbox, *spec, *mounts, *m;
        int k;

        if (len > CRI_INFO_MAX)
                return bad(c, "info is larger than %d bytes", CRI_INFO_MAX);
        root = cJSON_ParseWithLength((const char *) d, len);
        if (!cJSON_IsObject(root))
                return bad(c, "info is not a JSON object");

        /* cJSON keeps numbers as doubles: accept only exact integers a pid_t can hold. */
        pid = cJSON_GetObjectItemCaseSensitive(root, "pid");
        if (pid && !cJSON_IsNull(pid)) {
                double p = cJSON_IsNumber(pid) ? pid->valuedouble : -1;

                if (!isfinite(p) || p != floor(p) || p < 0 || p > (double) INT_MAX)
                        return bad(c, "info: pid is not a valid process ID");
                s->pid = (pid_t) p;
        }

        sandbox = cJSON_GetObjectItemCaseSensitive(root, "sandboxID");
        if (sandbox && !cJSON_IsNull(sandbox)) {
                if (!cJSON_IsString(sandbox) || !id_valid(sandbox->valuestring))
                        return bad(c, "info: sandboxID is not a 64-digit lowercase hex ID");
                memcpy(s->sandbox_id, sandbox->valuestring, CONTAINER_ID_LEN + 1);
        }

        spec = cJSON_GetObjectItemCaseSensitive(root, "runtimeSpec");
        if (!spec || cJSON_IsNull(spec))
                return 0;
        if (!cJSON_IsObject(spec))
                return bad(c, "info: runtimeSpec is not an object");
        k = parse_process(c, spec, s);
        if (k < 0)
                return k;
        mounts = cJSON_GetObjectItemCaseSensitive(spec, "mounts");
        if (!mounts || cJSON_IsNull(mounts))
                return 0;
        if (!cJSON_IsArray(mounts))
                return bad(c, "info: runtimeSpec.mounts is not an array");
        cJSON_ArrayForEach(m, mounts) {
                const cJSON *dest = cJSON_GetObjectItemCaseSensitive(m, "destination");

                k = 0;
                if (!cJSON_IsObject(m) || !cJSON_IsString(dest))
                        return bad(c, "info: a mount of runtimeSpec.mounts has no destination");
                if (path_is(dest->valuestring, "/etc/resolv.conf"))
                        k = mount_source(c, m, &s->resolv_conf_path, "/etc/resolv.conf");
                else if (path_is(dest->valuestring, "/etc/hosts"))
                        k = mount_source(c, m, &s->hosts_path, "/etc/hosts");
                if (k < 0)
                        return k;
        }
        return 0;
}

int cri_parse_container_status(const uint8_t *b, size_t n, struct cri_status *ret, struct nsx_error *err) {
        _cleanup_(cri_status_donep) struct cri_status s = {};
        struct pb_reader r = reader_of(b, n);
        struct pb_ctx c = {};
        struct pb_field f;
        const uint8_t *info = NULL;
        size_t info_len = 0;
        bool have_status = false;
        int k;

        while ((k = pb_next(&c, &r, &f)) > 0) {
                if (f.num == 1) {
                        k = parse_status_message(&c, &f, &s);
                        have_status = true;
                } else if (f.num == 2)
                        k = info_entry(&c, &f, &info, &info_len);
                if (k < 0)
                        break;
        }
        if (k >= 0 && !have_status)
                k = bad(&c, "it has no status");
        if (k >= 0)
                k = check_names(&c, s.id, s.name, s.pod, s.ns);
        if (k >= 0 && info)
                k = parse_info(&c, info, info_len, &s);
        if (k == -ENOMEM)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        if (k < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG,
                                     "the CRI runtime's container status is malformed: %s", c.what);
        *ret = TAKE_STRUCT(s, (struct cri_status){});
        return 0;
}

/* A JSON number that is an exact integer in [min, max]; absent or null is 0 (proto3's default,
 * which containerd's JSON leaves out). */
static bool json_uint(const cJSON *v, double min, double max, unsigned *ret) {
        double d;

        if (!v || cJSON_IsNull(v)) {
                *ret = 0;
                return min <= 0;
        }
        if (!cJSON_IsNumber(v))
                return false;
        d = v->valuedouble;
        if (!isfinite(d) || d != floor(d) || d < min || d > max)
                return false;
        *ret = (unsigned) d;
        return true;
}

/* One mapping into list (room for every mapping): merged with its (port, protocol) entry. */
static int add_mapping(struct pb_ctx *c, const cJSON *m, size_t i, struct container_port *list, size_t *n) {
        const cJSON *ip;
        unsigned proto, port, host_port;
        struct container_port *p;
        struct container_binding *nb;

        if (!cJSON_IsObject(m))
                return bad(c, "info: port mapping %zu is not an object", i + 1);
        if (!json_uint(cJSON_GetObjectItemCaseSensitive(m, "protocol"), 0, INT32_MAX, &proto))
                return bad(c, "info: port mapping %zu: protocol is not a Protocol", i + 1);
        if (!json_uint(cJSON_GetObjectItemCaseSensitive(m, "container_port"), 1, 65535, &port))
                return bad(c, "info: port mapping %zu: container_port is not 1..65535", i + 1);
        if (!json_uint(cJSON_GetObjectItemCaseSensitive(m, "host_port"), 0, 65535, &host_port))
                return bad(c, "info: port mapping %zu: host_port is not 0..65535", i + 1);
        ip = cJSON_GetObjectItemCaseSensitive(m, "host_ip");
        if (ip && !cJSON_IsNull(ip) && (!cJSON_IsString(ip) || !container_host_ip_valid(ip->valuestring)))
                return bad(c, "info: port mapping %zu: host_ip is not an IP address", i + 1);
        /* TCP = 0, UDP = 1; SCTP = 2 is not examined (as for Docker's ports), and proto3 enums
         * are open: a value the proto does not define is no protocol to examine either. */
        if (proto > 1)
                return 0;
        p = container_port_entry(list, n, port, (enum container_proto) proto);
        p->exposed = true;
        /* hostPort 0: the port is in the pod's spec, not published. */
        if (host_port == 0)
                return 0;
        nb = reallocarray(p->bindings, p->n_bindings + 1, sizeof(*p->bindings));
        if (!nb)
                return -ENOMEM;
        p->bindings = nb;
        nb[p->n_bindings] = (struct container_binding){.host_port = host_port};
        snprintf(nb[p->n_bindings].host_ip, sizeof(nb->host_ip), "%s", ip && cJSON_IsString(ip) ? ip->valuestring : "");
        p->n_bindings++;
        return 0;
}

/* The verbose info's "info" key of a pod: its "config" (the PodSandboxConfig, as JSON) "port_mappings". */
static int parse_pod_info(struct pb_ctx *c, const uint8_t *d, size_t len, struct container_port **ret, size_t *ret_n) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const cJSON *config, *mappings, *m;
        struct container_port *list;
        size_t n = 0, i = 0;
        int count, k = 0;

        if (len > CRI_INFO_MAX)
                return bad(c, "info is larger than %d bytes", CRI_INFO_MAX);
        root = cJSON_ParseWithLength((const char *) d, len);
        if (!cJSON_IsObject(root))
                return bad(c, "info is not a JSON object");
        config = cJSON_GetObjectItemCaseSensitive(root, "config");
        if (!config || cJSON_IsNull(config))
                return 0;
        if (!cJSON_IsObject(config))
                return bad(c, "info: config is not an object");
        mappings = cJSON_GetObjectItemCaseSensitive(config, "port_mappings");
        if (!mappings || cJSON_IsNull(mappings))
                return 0;
        if (!cJSON_IsArray(mappings))
                return bad(c, "info: config.port_mappings is not an array");
        count = cJSON_GetArraySize(mappings);
        if (count > CRI_ENTRIES_MAX)
                return bad(c, "info: more than %d port mappings", CRI_ENTRIES_MAX);
        if (count == 0)
                return 0;
        list = calloc((size_t) count, sizeof(*list));
        if (!list)
                return -ENOMEM;
        cJSON_ArrayForEach(m, mappings) {
                k = add_mapping(c, m, i++, list, &n);
                if (k < 0)
                        break;
        }
        if (k < 0 || n == 0) {
                container_ports_free(list, n);
                return k;
        }
        container_ports_sort(list, n);
        *ret = list;
        *ret_n = n;
        return 0;
}

/* PodSandboxStatusResponse { status = 1 { id = 1 }; info = 2 } */
int cri_parse_pod_sandbox_status(const uint8_t *b, size_t n, struct container_port **ret, size_t *ret_n,
                                 struct nsx_error *err) {
        struct pb_reader r = reader_of(b, n);
        struct pb_ctx c = {};
        struct pb_field f;
        const uint8_t *info = NULL;
        size_t info_len = 0;
        char id[CONTAINER_ID_LEN + 1] = "";
        bool have_status = false;
        int k;

        *ret = NULL;
        *ret_n = 0;
        while ((k = pb_next(&c, &r, &f)) > 0) {
                if (f.num == 1) {
                        struct pb_reader sr = reader_of(f.data, f.len);
                        struct pb_field e;

                        have_status = true;
                        if (want(&c, &f, WIRE_LEN, "status") < 0) {
                                k = -EBADMSG;
                                break;
                        }
                        while ((k = pb_next(&c, &sr, &e)) > 0)
                                if (e.num == 1 && (k = field_string(&c, &e, id, sizeof(id), "status.id")) < 0)
                                        break;
                } else if (f.num == 2)
                        k = info_entry(&c, &f, &info, &info_len);
                if (k < 0)
                        break;
        }
        if (k >= 0 && !have_status)
                k = bad(&c, "it has no status");
        if (k >= 0 && !id_valid(id))
                k = bad(&c, "status.id is not a 64-digit lowercase hex ID");
        if (k >= 0 && info)
                k = parse_pod_info(&c, info, info_len, ret, ret_n);
        if (k == -ENOMEM)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        if (k < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "the CRI runtime's pod status is malformed: %s",
                                     c.what);
        return 0;
}

int cri_parse_version(const uint8_t *b, size_t n, char *name, size_t name_size, char *version, size_t version_size,
                      char *api, size_t api_size, struct nsx_error *err) {
        struct pb_reader r = reader_of(b, n);
        struct pb_ctx c = {};
        struct pb_field f;
        int k;

        if (name_size == 0 || version_size == 0 || api_size == 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOBUFS, "no room for the CRI runtime's version");
        name[0] = version[0] = api[0] = '\0';
        while ((k = pb_next(&c, &r, &f)) > 0) {
                if (f.num == 2)
                        k = field_string(&c, &f, name, name_size, "runtime_name");
                else if (f.num == 3)
                        k = field_string(&c, &f, version, version_size, "runtime_version");
                else if (f.num == 4)
                        k = field_string(&c, &f, api, api_size, "runtime_api_version");
                if (k < 0)
                        break;
        }
        if (k < 0) {
                name[0] = version[0] = api[0] = '\0';
                return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "the CRI runtime's version is malformed: %s",
                                     c.what);
        }
        /* Shown by -v as they are: no escape sequence, no second line. */
        nsx_sanitize(name);
        nsx_sanitize(version);
        nsx_sanitize(api);
        return 0;
}

void cri_status_done(struct cri_status *s) {
        free(s->resolv_conf_path);
        free(s->hosts_path);
        s->resolv_conf_path = s->hosts_path = NULL;
        free(s->user);
        s->user = NULL;
        for (size_t i = 0; s->env && s->env[i]; i++)
                free(s->env[i]);
        free(s->env);
        s->env = NULL;
        free(s->hostname);
        s->hostname = NULL;
}

const char *cri_state_name(enum cri_state state) {
        switch (state) {
        case CRI_STATE_CREATED:
                return "created";
        case CRI_STATE_RUNNING:
                return "running";
        case CRI_STATE_EXITED:
                return "exited";
        default:
                return "unknown";
        }
}

static const struct cri_pod *pod_of(const struct cri_container *c, const struct cri_pod *pods, size_t n_pods) {
        for (size_t i = 0; pods && i < n_pods; i++)
                if (streq(pods[i].id, c->sandbox_id))
                        return &pods[i];
        return NULL;
}

void cri_containers_fill_pods(struct cri_container *v, size_t n, const struct cri_pod *pods, size_t n_pods) {
        for (size_t i = 0; i < n; i++) {
                const struct cri_pod *p = pod_of(&v[i], pods, n_pods);

                if (!p)
                        continue;
                /* Both from one place or neither: a pod label with another pod's namespace
                 * would name a container that does not exist. */
                if (!v[i].pod[0] && !v[i].ns[0]) {
                        memcpy(v[i].pod, p->name, sizeof(v[i].pod));
                        memcpy(v[i].ns, p->ns, sizeof(v[i].ns));
                }
        }
}

/* ---- Target forms ---- */

void cri_container_label(const struct cri_container *c, char *buf, size_t size) {
        if (c->pod[0] && c->ns[0])
                snprintf(buf, size, "%s/%s/%s", c->ns, c->pod, c->name);
        else if (c->pod[0])
                snprintf(buf, size, "%s/%s", c->pod, c->name);
        else
                snprintf(buf, size, "%s", c->name);
}

#define REF_MAX (CRI_NAME_MAX * 2 + CRI_LABEL_MAX + 2)

int cri_ref_check(const char *typed, struct nsx_error *err) {
        const char *parts[3], *p = typed;
        size_t lens[3], n = 0;

        if (strlen(typed) > REF_MAX)
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "invalid target '%.64s...': too long", typed);
        for (;;) {
                const char *slash = strchr(p, '/');
                size_t len = slash ? (size_t) (slash - p) : strlen(p);

                if (n == 3)
                        return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                             "invalid target '%s': at most NAMESPACE/POD/CONTAINER", typed);
                parts[n] = p;
                lens[n++] = len;
                if (!slash)
                        break;
                p = slash + 1;
        }
        for (size_t i = 0; i < n; i++) {
                /* The last of several parts is a container (a label), the others pods and
                 * namespaces (subdomains); a lone part is a pod name or an ID (hex, a label). */
                bool container = n > 1 && i == n - 1;

                if (!dns1123(parts[i], lens[i], !container))
                        return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                             "invalid target '%s': expected POD, POD/CONTAINER, "
                                             "NAMESPACE/POD/CONTAINER (lowercase Kubernetes names) or a container ID",
                                             typed);
        }
        return 0;
}

enum query_form {
        QUERY_ID,     /* the full ID */
        QUERY_NAMES,  /* [NAMESPACE/]POD/CONTAINER */
        QUERY_POD,    /* POD */
        QUERY_PREFIX, /* an ID prefix */
};

struct query {
        enum query_form form;
        const char *typed;
        char ns[CRI_NAME_MAX + 1], pod[CRI_NAME_MAX + 1], name[CRI_NAME_MAX + 1]; /* ns "": any */
};

static bool query_match(const struct query *q, const struct cri_container *c) {
        switch (q->form) {
        case QUERY_ID:
                return streq(c->id, q->typed);
        case QUERY_NAMES:
                return streq(c->name, q->name) && streq(c->pod, q->pod) && (!q->ns[0] || streq(c->ns, q->ns));
        case QUERY_POD:
                return streq(c->pod, q->typed);
        case QUERY_PREFIX:
                return starts_with(c->id, q->typed);
        }
        return false;
}

/* How many entries match, running or not; *ret_first the first (or, not running, the latest
 * attempt: the one whose state says most). */
static size_t query_count(const struct query *q, const struct cri_container *v, size_t n, bool running,
                          size_t *ret_first) {
        size_t count = 0;

        for (size_t i = 0; i < n; i++) {
                if (!query_match(q, &v[i]) || (v[i].state == CRI_STATE_RUNNING) != running)
                        continue;
                if (count++ == 0 || (!running && v[i].attempt > v[*ret_first].attempt))
                        *ret_first = i;
        }
        return count;
}

#define CANDIDATES_MAX 10

/* At most CANDIDATES_MAX candidates, "LABEL" or "SHORTID (LABEL)", then "and N more". */
static void list_candidates(const struct query *q, const struct cri_container *v, size_t n, bool running, bool with_id,
                            char *buf, size_t size) {
        size_t shown = 0, total = 0, len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                char label[CRI_NAME_MAX * 3 + 3];
                int w;

                if (!query_match(q, &v[i]) || (v[i].state == CRI_STATE_RUNNING) != running)
                        continue;
                if (total++ >= CANDIDATES_MAX)
                        continue;
                cri_container_label(&v[i], label, sizeof(label));
                if (with_id)
                        w = snprintf(buf + len, size - len, "%s%.12s (%s)", shown ? ", " : "", v[i].id, label);
                else
                        w = snprintf(buf + len, size - len, "%s%s", shown ? ", " : "", label);
                shown++;
                if (w < 0 || (size_t) w >= size - len) {
                        len = size - 1;
                        continue;
                }
                len += (size_t) w;
        }
        if (total > shown && len + 1 < size)
                snprintf(buf + len, size - len, " and %zu more", total - shown);
}

static int not_running(const struct query *q, const struct cri_container *v, size_t n, struct nsx_error *err) {
        char label[CRI_NAME_MAX * 3 + 3], list[400];
        size_t first = 0, count = query_count(q, v, n, false, &first);

        /* One container (several attempts of one name: the latest), or a list of them. */
        if (count == 1 || q->form == QUERY_ID || q->form == QUERY_NAMES) {
                cri_container_label(&v[first], label, sizeof(label));
                return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "container '%s' is not running (%s)", label,
                                     cri_state_name(v[first].state));
        }
        list_candidates(q, v, n, false, q->form == QUERY_PREFIX, list, sizeof(list));
        return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "'%s' is not running: only stopped containers match: %s",
                             q->typed, list);
}

static int ambiguous(const struct query *q, const struct cri_container *v, size_t n, const char *what,
                     struct nsx_error *err) {
        char list[400];

        list_candidates(q, v, n, true, q->form == QUERY_PREFIX || q->form == QUERY_NAMES, list, sizeof(list));
        return nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "%s '%s' is ambiguous: %s", what, q->typed, list);
}

/* POD with several running containers, all in one namespace: the one the pod's
 * kubectl.kubernetes.io/default-container annotation names, as kubectl exec picks. */
static int pod_default(const struct query *q, const struct cri_container *v, size_t n, const struct cri_pod *pods,
                       size_t n_pods, size_t first, size_t *ret_index, struct nsx_error *err) {
        const char *def = NULL;
        struct query d = {.form = QUERY_NAMES, .typed = q->typed};
        char list[400];
        size_t count, idx = 0;

        for (size_t i = 0; i < n && !def; i++)
                if (query_match(q, &v[i]) && v[i].state == CRI_STATE_RUNNING) {
                        const struct cri_pod *p = pod_of(&v[i], pods, n_pods);

                        if (p && p->default_container[0])
                                def = p->default_container;
                }
        if (def) {
                snprintf(d.ns, sizeof(d.ns), "%s", v[first].ns);
                snprintf(d.pod, sizeof(d.pod), "%s", v[first].pod);
                snprintf(d.name, sizeof(d.name), "%s", def);
                count = query_count(&d, v, n, true, &idx);
                if (count == 1) {
                        *ret_index = idx;
                        return 0;
                }
                if (count == 0 && query_count(&d, v, n, false, &first) > 0)
                        return not_running(&d, v, n, err);
        }
        list_candidates(q, v, n, true, false, list, sizeof(list));
        nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "pod '%s' has several running containers, name one: %s", q->typed,
                      list);
        nsx_error_hint(err, "write POD/CONTAINER%s", def ? "" : ", or set the pod's default-container annotation");
        return -ENOENT;
}

int cri_resolve(const char *typed, const struct cri_container *v, size_t n, const struct cri_pod *pods, size_t n_pods,
                size_t *ret_index, struct nsx_error *err) {
        struct query q = {.typed = typed};
        size_t first = 0, idx = 0, count;
        const char *slash;
        int r;

        r = cri_ref_check(typed, err);
        if (r < 0)
                return r;

        /* 1. A full ID names one container whatever else matches. */
        if (id_valid(typed)) {
                q.form = QUERY_ID;
                if (query_count(&q, v, n, true, &idx) > 0) {
                        *ret_index = idx;
                        return 0;
                }
                if (query_count(&q, v, n, false, &first) > 0)
                        return not_running(&q, v, n, err);
        }

        /* 2. NAMESPACE/POD/CONTAINER, POD/CONTAINER: names only (an ID has no '/'). */
        slash = strchr(typed, '/');
        if (slash) {
                const char *second = strchr(slash + 1, '/');

                q.form = QUERY_NAMES;
                if (second)
                        snprintf(q.ns, sizeof(q.ns), "%.*s", (int) (slash - typed), typed);
                snprintf(q.pod, sizeof(q.pod), "%.*s", (int) ((second ? second : slash) - (second ? slash + 1 : typed)),
                         second ? slash + 1 : typed);
                snprintf(q.name, sizeof(q.name), "%s", (second ? second : slash) + 1);
                count = query_count(&q, v, n, true, &idx);
                if (count == 1) {
                        *ret_index = idx;
                        return 0;
                }
                if (count > 1)
                        return ambiguous(&q, v, n, "container", err);
                if (query_count(&q, v, n, false, &first) > 0)
                        return not_running(&q, v, n, err);
                return nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "no such container: '%s'", typed);
        }

        /* 3. POD, before an ID prefix: a running pod's name wins over a hex prefix that happens
         * to spell it ("cafe", "abc"); the ID or a longer prefix still reaches the container. */
        q.form = QUERY_POD;
        count = query_count(&q, v, n, true, &first);
        if (count > 0) {
                for (size_t i = 0; i < n; i++)
                        if (query_match(&q, &v[i]) && v[i].state == CRI_STATE_RUNNING && !streq(v[i].ns, v[first].ns)) {
                                char list[400];

                                list_candidates(&q, v, n, true, false, list, sizeof(list));
                                nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "pod '%s' is in several namespaces: %s",
                                              typed, list);
                                nsx_error_hint(err, "write NAMESPACE/POD/CONTAINER");
                                return -ENOENT;
                        }
                if (count == 1) {
                        *ret_index = first;
                        return 0;
                }
                return pod_default(&q, v, n, pods, n_pods, first, ret_index, err);
        }

        /* 4. A unique prefix of a running container's ID. */
        if (hex_only(typed)) {
                q.form = QUERY_PREFIX;
                count = query_count(&q, v, n, true, &idx);
                if (count == 1) {
                        *ret_index = idx;
                        return 0;
                }
                if (count > 1)
                        return ambiguous(&q, v, n, "container ID prefix", err);
        }

        /* Nothing running: say "not running" when a stopped one matches, by pod name first. */
        q.form = QUERY_POD;
        if (query_count(&q, v, n, false, &first) > 0)
                return not_running(&q, v, n, err);
        if (hex_only(typed)) {
                q.form = QUERY_PREFIX;
                if (query_count(&q, v, n, false, &first) > 0)
                        return not_running(&q, v, n, err);
        }
        return nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "no such container or pod: '%s'", typed);
}
