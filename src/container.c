/* SPDX-License-Identifier: MIT */
/* Engine JSON → struct container. No sockets, no files: tests and fuzzers drive it with bytes. */
#include "container.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "compose.h"
#include "json.h"
#include "util.h"

static const char *const status_names[] = {
        [CONTAINER_STATUS_UNKNOWN] = "unknown",       [CONTAINER_STATUS_CREATED] = "created",
        [CONTAINER_STATUS_RUNNING] = "running",       [CONTAINER_STATUS_PAUSED] = "paused",
        [CONTAINER_STATUS_RESTARTING] = "restarting", [CONTAINER_STATUS_REMOVING] = "removing",
        [CONTAINER_STATUS_EXITED] = "exited",         [CONTAINER_STATUS_DEAD] = "dead",
};

const char *container_status_name(enum container_status status) {
        if ((size_t) status < ELEMENTSOF(status_names))
                return status_names[status];
        return "unknown";
}

static enum container_status status_from_name(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(status_names); i++)
                if (streq(s, status_names[i]))
                        return (enum container_status) i;
        return CONTAINER_STATUS_UNKNOWN;
}

static void free_strv(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Docker's name grammar, [a-zA-Z0-9][a-zA-Z0-9_.-]*: what the engine sends as a name is printed
 * (tables, lists, completion), so nothing else may pass, no escape sequence or newline. */
static bool name_valid(const char *s) {
        if (!is_alnum(s[0]))
                return false;
        for (const char *p = s + 1; *p; p++)
                if (!is_alnum(*p) && *p != '_' && *p != '.' && *p != '-')
                        return false;
        return true;
}

int container_ref_check(const char *typed, const char **ret_ref, struct nsx_error *err) {
        const char *ref = typed[0] == '/' ? typed + 1 : typed;

        if (ref[0] == '\0')
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "invalid container name or ID '%s'", typed);
        if (!is_alnum(ref[0]))
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                     "invalid container name or ID '%s': it must start with a letter or digit", typed);
        for (const char *p = ref; *p; p++)
                if (!is_alnum(*p) && *p != '_' && *p != '.' && *p != '-')
                        return nsx_error_set(
                                err, NSX_ERR_FAILED, EINVAL,
                                "invalid container name or ID '%s': only letters, digits, '_', '.' and '-' are allowed",
                                typed);
        *ret_ref = ref;
        return 0;
}

int container_inspect_path(const char *ref, const char *typed, char *buf, size_t size, struct nsx_error *err) {
        /* A checked reference holds only URL-unreserved characters, so it needs no escaping. */
        int n = snprintf(buf, size, "/containers/%s/json", ref);

        if (n < 0 || (size_t) n >= size)
                return nsx_error_set(err, NSX_ERR_FAILED, ENAMETOOLONG, "container name too long: '%s'", typed);
        return 0;
}

void container_engine_message(const char *body, size_t len, char *buf, size_t size) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const cJSON *msg;
        size_t n = 0;

        if (size == 0)
                return;
        buf[0] = '\0';
        if (!body || len == 0)
                return;

        root = cJSON_ParseWithLength(body, len);
        msg = cJSON_GetObjectItemCaseSensitive(root, "message");
        if (cJSON_IsString(msg)) {
                snprintf(buf, size, "%s", msg->valuestring);
                return;
        }

        /* Not the engine's JSON error shape: show the first line of what came, bounded. */
        while (n < len && n + 1 < size && body[n] != '\n' && body[n] != '\r' && body[n] != '\0') {
                buf[n] = body[n];
                n++;
        }
        buf[n] = '\0';
}

/* The engine's fields are untrusted bytes: each read checks the type it expects. */
static int bad_answer(const char *ref, const char *what, struct nsx_error *err) {
        return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "the engine's answer for container '%s' is malformed: %s",
                             ref, what);
}

static int read_bool(const cJSON *obj, const char *key, bool *ret) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

        if (!v) {
                *ret = false;
                return 0;
        }
        if (!cJSON_IsBool(v))
                return -EBADMSG;
        *ret = cJSON_IsTrue(v);
        return 0;
}

static bool id_valid(const cJSON *id) {
        if (!cJSON_IsString(id) || strlen(id->valuestring) != CONTAINER_ID_LEN)
                return false;
        for (size_t i = 0; i < CONTAINER_ID_LEN; i++)
                if (!is_lower_hex(id->valuestring[i]))
                        return false;
        return true;
}

/* An optional host path: absent, null or "" give NULL; anything else must be absolute. */
static int read_path(const cJSON *obj, const char *key, char **ret) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

        *ret = NULL;
        if (!v || cJSON_IsNull(v))
                return 0;
        if (!cJSON_IsString(v) || (v->valuestring[0] && v->valuestring[0] != '/'))
                return -EBADMSG;
        if (!v->valuestring[0])
                return 0;
        *ret = strdup(v->valuestring);
        return *ret ? 0 : -ENOMEM;
}

static bool has_control(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f)
                        return true;
        return false;
}

int container_parse_env(const cJSON *env, const char *field, char ***ret, char *what, size_t what_size) {
        const cJSON *item;
        char **v;
        size_t n = 0;
        int count;

        *ret = NULL;
        if (!env || cJSON_IsNull(env))
                return 0;
        if (!cJSON_IsArray(env)) {
                snprintf(what, what_size, "%s is not an array", field);
                return -EBADMSG;
        }
        count = cJSON_GetArraySize(env);
        if (count > CONTAINER_ENV_MAX) {
                snprintf(what, what_size, "%s has too many entries", field);
                return -EBADMSG;
        }
        v = calloc((size_t) count + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        cJSON_ArrayForEach(item, env) {
                const char *s = cJSON_IsString(item) ? item->valuestring : NULL;
                size_t key_len = s ? strcspn(s, "=") : 0;

                if (!s || key_len == 0 || strlen(s) > CONTAINER_ENV_ENTRY_MAX || has_control(s, key_len)) {
                        snprintf(what, what_size, "%s has an entry that is not KEY=VALUE", field);
                        free_strv(v);
                        return -EBADMSG;
                }
                v[n] = strdup(s);
                if (!v[n++]) {
                        free_strv(v);
                        return -ENOMEM;
                }
        }
        *ret = v;
        return 0;
}

bool container_hostname_valid(const char *h) {
        bool ok = strlen(h) <= CONTAINER_HOSTNAME_MAX;

        /* It becomes $HOSTNAME: printable, no blank. */
        for (const char *p = h; ok && *p; p++)
                ok = *p > 0x20 && *p < 0x7f;
        return ok;
}

/* Config.User, Config.Env and Config.Hostname; all may be absent (an engine that sends no
 * Config: root, no variables, the short ID as hostname). */
static int read_config(const cJSON *root, struct container *c, char *what, size_t what_size) {
        const cJSON *config = cJSON_GetObjectItemCaseSensitive(root, "Config"), *user = NULL, *host = NULL;

        if (config && !cJSON_IsNull(config) && !cJSON_IsObject(config)) {
                snprintf(what, what_size, "Config is not an object");
                return -EBADMSG;
        }
        if (cJSON_IsObject(config)) {
                user = cJSON_GetObjectItemCaseSensitive(config, "User");
                host = cJSON_GetObjectItemCaseSensitive(config, "Hostname");
        }
        if (user && !cJSON_IsNull(user) &&
            (!cJSON_IsString(user) || strlen(user->valuestring) > CONTAINER_USER_MAX ||
             has_control(user->valuestring, strlen(user->valuestring)))) {
                snprintf(what, what_size, "Config.User is not a valid user");
                return -EBADMSG;
        }
        if (host && !cJSON_IsNull(host)) {
                const char *h = cJSON_IsString(host) ? host->valuestring : NULL;

                if (!h || !container_hostname_valid(h)) {
                        snprintf(what, what_size, "Config.Hostname is not a valid hostname");
                        return -EBADMSG;
                }
                if (h[0] && !(c->hostname = strdup(h)))
                        return -ENOMEM;
        }
        c->user = strdup(cJSON_IsString(user) ? user->valuestring : "");
        if (!c->user)
                return -ENOMEM;
        if (!cJSON_IsObject(config))
                return 0;
        return container_parse_env(cJSON_GetObjectItemCaseSensitive(config, "Env"), "Config.Env", &c->env, what,
                                   what_size);
}

int container_parse_inspect(const char *ref, const char *body, size_t len, struct container *ret,
                            struct nsx_error *err) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const cJSON *id, *name, *state, *status, *pid;
        _cleanup_(container_donep) struct container c = {};
        double p;
        int r;

        root = cJSON_ParseWithLength(body, len);
        if (!cJSON_IsObject(root))
                return bad_answer(ref, "not a JSON object", err);

        id = cJSON_GetObjectItemCaseSensitive(root, "Id");
        if (!cJSON_IsString(id) || strlen(id->valuestring) != CONTAINER_ID_LEN)
                return bad_answer(ref, "Id is not a 64-digit ID", err);
        if (!id_valid(id))
                return bad_answer(ref, "Id is not hexadecimal", err);
        memcpy(c.id, id->valuestring, CONTAINER_ID_LEN + 1);

        name = cJSON_GetObjectItemCaseSensitive(root, "Name");
        if (name && !cJSON_IsString(name))
                return bad_answer(ref, "Name is not a string", err);
        if (name && !name_valid(name->valuestring + (name->valuestring[0] == '/')))
                return bad_answer(ref, "Name is not a valid container name", err);

        state = cJSON_GetObjectItemCaseSensitive(root, "State");
        if (!cJSON_IsObject(state))
                return bad_answer(ref, "State is missing", err);

        status = cJSON_GetObjectItemCaseSensitive(state, "Status");
        if (status && !cJSON_IsString(status))
                return bad_answer(ref, "State.Status is not a string", err);
        c.status = status ? status_from_name(status->valuestring) : CONTAINER_STATUS_UNKNOWN;

        if (read_bool(state, "Running", &c.running) < 0 || read_bool(state, "Paused", &c.paused) < 0 ||
            read_bool(state, "Restarting", &c.restarting) < 0 || read_bool(state, "Dead", &c.dead) < 0)
                return bad_answer(ref, "a State flag is not a boolean", err);

        /* cJSON keeps numbers as doubles: accept only exact integers a pid_t can hold. */
        pid = cJSON_GetObjectItemCaseSensitive(state, "Pid");
        if (!cJSON_IsNumber(pid))
                return bad_answer(ref, "State.Pid is missing or not a number", err);
        p = pid->valuedouble;
        if (!isfinite(p) || p != floor(p) || p < 0 || p > (double) INT_MAX)
                return bad_answer(ref, "State.Pid is not a valid process ID", err);
        c.pid = (pid_t) p;

        r = read_path(root, "ResolvConfPath", &c.resolv_conf_path);
        if (r == -EBADMSG)
                return bad_answer(ref, "ResolvConfPath is not an absolute path", err);
        if (r >= 0) {
                r = read_path(root, "HostsPath", &c.hosts_path);
                if (r == -EBADMSG)
                        return bad_answer(ref, "HostsPath is not an absolute path", err);
        }
        if (r >= 0) {
                c.name = strdup(name ? name->valuestring + (name->valuestring[0] == '/') : "");
                r = c.name ? 0 : -ENOMEM;
        }
        if (r >= 0) {
                char what[100];

                r = read_config(root, &c, what, sizeof(what));
                if (r == -EBADMSG)
                        return bad_answer(ref, what, err);
        }
        if (r < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");

        *ret = TAKE_STRUCT(c, (struct container){});
        return 0;
}

bool container_answer_ambiguous(const char *body, size_t len) {
        char msg[256];

        /* Docker answers 400 (500 in 20.10) "multiple IDs found with provided prefix", Podman a
         * 404 "more than one result for container ID". */
        container_engine_message(body, len, msg, sizeof(msg));
        return strcasestr(msg, "multiple IDs found") || strcasestr(msg, "more than one result");
}

int container_from_response(const char *ref, long status, const char *body, size_t len, struct container *ret,
                            struct nsx_error *err) {
        char msg[256];
        int r;

        if (status == 200)
                return container_parse_inspect(ref, body, len, ret, err);

        container_engine_message(body, len, msg, sizeof(msg));
        if (container_answer_ambiguous(body, len))
                r = nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "ambiguous container ID prefix '%s' (HTTP %ld): %s", ref,
                                  status, msg);
        else if (status == 404)
                r = nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "no such container: '%s'", ref);
        else
                /* 4xx: the engine turned the request down; 5xx: it failed itself. */
                r = nsx_error_set(err, NSX_ERR_FAILED, EPROTO, "the engine %s container '%s' (HTTP %ld)%s%s",
                                  status >= 500 ? "failed on" : "refused", ref, status, msg[0] ? ": " : "", msg);
        if (err)
                err->http_status = status;
        return r;
}

int container_check_running(const char *ref, const struct container *c, struct nsx_error *err) {
        /* Docker reports a paused or restarting container as Running too: test those first. */
        if (c->paused || c->status == CONTAINER_STATUS_PAUSED) {
                nsx_error_set(err, NSX_ERR_FAILED, EAGAIN, "container '%s' is paused", ref);
                nsx_error_hint(err, "its processes are frozen; 'docker unpause %s' first", ref);
                return -EAGAIN;
        }
        if (c->restarting || c->status == CONTAINER_STATUS_RESTARTING) {
                nsx_error_set(err, NSX_ERR_FAILED, EAGAIN, "container '%s' is restarting", ref);
                nsx_error_hint(err, "it has no process right now; try again once it is up");
                return -EAGAIN;
        }
        if (c->dead || c->status == CONTAINER_STATUS_DEAD)
                return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "container '%s' is dead", ref);
        if (c->status == CONTAINER_STATUS_REMOVING)
                return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "container '%s' is being removed", ref);
        if (!c->running) {
                if (c->status == CONTAINER_STATUS_CREATED) {
                        nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "container '%s' was created but never started", ref);
                        nsx_error_hint(err, "start it with 'docker start %s'", ref);
                        return -ESRCH;
                }
                nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "container '%s' is not running (%s)", ref,
                              container_status_name(c->status));
                nsx_error_hint(err, "start it with 'docker start %s'", ref);
                return -ESRCH;
        }
        if (c->pid <= 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ESRCH,
                                     "container '%s' is running but the engine reports no process (PID 0)", ref);
        return 0;
}

void container_done(struct container *c) {
        free(c->name);
        free(c->resolv_conf_path);
        free(c->hosts_path);
        free(c->user);
        free(c->hostname);
        free_strv(c->env);
        c->name = c->resolv_conf_path = c->hosts_path = c->user = c->hostname = NULL;
        c->env = NULL;
}

/* A list entry's "Names" holds "/name" plus one "/other/alias" per legacy link to it: the
 * container's own name is the one with no further "/" (and, as every name, in Docker's grammar).
 * Podman may omit the leading "/". */
static const char *own_name(const cJSON *names) {
        const cJSON *n;

        cJSON_ArrayForEach(n, names) {
                const char *s;

                if (!cJSON_IsString(n))
                        return NULL;
                s = n->valuestring + (n->valuestring[0] == '/');
                if (name_valid(s))
                        return s;
        }
        return NULL;
}

static int bad_list(const char *what, struct nsx_error *err) {
        return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG, "the engine's container list is malformed: %s", what);
}

static int summary_port_cmp(const void *a, const void *b) {
        const struct container_summary_port *x = a, *y = b;

        if (x->proto != y->proto)
                return x->proto < y->proto ? -1 : 1;
        return x->port < y->port ? -1 : x->port > y->port;
}

/* A list entry's "Ports": [{"PrivatePort":80,"Type":"tcp",...}], absent or null for none.
 * -EBADMSG for anything malformed, -ENOMEM. Duplicates (one per host address) are merged; past
 * CONTAINER_SUMMARY_PORTS_MAX, a port replaces the highest kept if it is lower, so the same
 * lowest ones are kept whatever the engine's order. */
static int read_summary_ports(const cJSON *ports, struct container_summary *ret) {
        struct container_summary_port *v = NULL;
        const cJSON *p;
        size_t n = 0;

        if (!ports || cJSON_IsNull(ports))
                return 0;
        if (!cJSON_IsArray(ports))
                return -EBADMSG;
        cJSON_ArrayForEach(p, ports) {
                const cJSON *priv = cJSON_GetObjectItemCaseSensitive(p, "PrivatePort");
                const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "Type");
                struct container_summary_port sp;
                bool seen = false;

                if (!cJSON_IsObject(p) || !cJSON_IsNumber(priv) || !cJSON_IsString(type))
                        goto bad;
                /* Compared as a double: an integer 1..65535, nothing cast from out of range. */
                if (!(priv->valuedouble >= 1 && priv->valuedouble <= 65535) ||
                    priv->valuedouble != floor(priv->valuedouble))
                        goto bad;
                sp.port = (unsigned) priv->valuedouble;
                if (streq(type->valuestring, "tcp"))
                        sp.proto = CONTAINER_PROTO_TCP;
                else if (streq(type->valuestring, "udp"))
                        sp.proto = CONTAINER_PROTO_UDP;
                else if (streq(type->valuestring, "sctp"))
                        continue;
                else
                        goto bad;
                for (size_t i = 0; i < n && !seen; i++)
                        seen = v[i].port == sp.port && v[i].proto == sp.proto;
                if (seen)
                        continue;
                if (!v) {
                        v = calloc(CONTAINER_SUMMARY_PORTS_MAX, sizeof(*v));
                        if (!v)
                                return -ENOMEM;
                }
                if (n < CONTAINER_SUMMARY_PORTS_MAX)
                        v[n++] = sp;
                else {
                        size_t hi = 0;

                        for (size_t i = 1; i < n; i++)
                                if (summary_port_cmp(&v[i], &v[hi]) > 0)
                                        hi = i;
                        if (summary_port_cmp(&sp, &v[hi]) < 0)
                                v[hi] = sp;
                }
        }
        if (n > 0)
                qsort(v, n, sizeof(*v), summary_port_cmp);
        ret->ports = v;
        ret->n_ports = n;
        return 0;
bad:
        free(v);
        return -EBADMSG;
}

static bool label_name_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > CONTAINER_LABEL_NAME_MAX)
                return false;
        for (const char *p = s; *p; p++)
                if (!is_alnum(*p) && *p != '_' && *p != '.' && *p != '-')
                        return false;
        return true;
}

/* A Compose label's value: NULL when absent or not a name; -EBADMSG when not a string. */
static int read_label(const cJSON *labels, const char *key, char **ret) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, key);

        *ret = NULL;
        if (!v)
                return 0;
        if (!cJSON_IsString(v))
                return -EBADMSG;
        if (!label_name_valid(v->valuestring))
                return 0;
        *ret = strdup(v->valuestring);
        return *ret ? 0 : -ENOMEM;
}

/* A list entry's "Labels": an object of strings, absent or null for none. Only Compose's are
 * kept. -EBADMSG, -ENOMEM. */
static int read_summary_labels(const cJSON *labels, struct container_summary *ret) {
        const cJSON *item, *num;
        unsigned long v;
        int r;

        if (!labels || cJSON_IsNull(labels))
                return 0;
        if (!cJSON_IsObject(labels))
                return -EBADMSG;
        cJSON_ArrayForEach(item, labels) if (!cJSON_IsString(item)) return -EBADMSG;
        r = read_label(labels, COMPOSE_LABEL_PROJECT, &ret->compose_project);
        if (r >= 0)
                r = read_label(labels, COMPOSE_LABEL_SERVICE, &ret->compose_service);
        if (r < 0)
                return r;
        num = cJSON_GetObjectItemCaseSensitive(labels, COMPOSE_LABEL_NUMBER);
        if (num && num->valuestring[0] != '0' &&
            nsx_parse_decimal(num->valuestring, strlen(num->valuestring), COMPOSE_INDEX_MAX, &v) == 0)
                ret->compose_number = (unsigned) v;
        return 0;
}

int container_parse_list(const char *body, size_t len, struct container_summary **ret, size_t *ret_n,
                         struct nsx_error *err) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        struct container_summary *list;
        const cJSON *entry;
        size_t n = 0;
        int count, r;

        root = cJSON_ParseWithLength(body, len);
        if (!cJSON_IsArray(root))
                return bad_list("not a JSON array", err);
        count = cJSON_GetArraySize(root);
        list = calloc((size_t) count + 1, sizeof(*list));
        if (!list)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");

        cJSON_ArrayForEach(entry, root) {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(entry, "Id");
                const char *name = own_name(cJSON_GetObjectItemCaseSensitive(entry, "Names"));

                if (!id_valid(id)) {
                        container_summaries_free(list, n);
                        return bad_list("an Id is not a 64-digit hexadecimal ID", err);
                }
                if (!name) {
                        container_summaries_free(list, n);
                        return bad_list("an entry has no valid name", err);
                }
                memcpy(list[n].id, id->valuestring, CONTAINER_ID_LEN + 1);
                list[n].name = strdup(name);
                if (!list[n].name) {
                        container_summaries_free(list, n);
                        return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                }
                r = read_summary_ports(cJSON_GetObjectItemCaseSensitive(entry, "Ports"), &list[n]);
                if (r >= 0) {
                        r = read_summary_labels(cJSON_GetObjectItemCaseSensitive(entry, "Labels"), &list[n]);
                        if (r == -EBADMSG) {
                                container_summaries_free(list, n + 1);
                                return bad_list("an entry's Labels is not an object of strings", err);
                        }
                }
                n++;
                if (r < 0) {
                        container_summaries_free(list, n);
                        if (r == -ENOMEM)
                                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                        return bad_list("an entry's Ports is malformed", err);
                }
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

int container_list_from_response(long status, const char *body, size_t len, struct container_summary **ret,
                                 size_t *ret_n, struct nsx_error *err) {
        char msg[256];
        int r;

        if (status == 200)
                return container_parse_list(body, len, ret, ret_n, err);
        container_engine_message(body, len, msg, sizeof(msg));
        r = nsx_error_set(err, NSX_ERR_FAILED, EPROTO, "the engine refused to list containers (HTTP %ld)%s%s", status,
                          msg[0] ? ": " : "", msg);
        if (err)
                err->http_status = status;
        return r;
}

void container_summaries_free(struct container_summary *s, size_t n) {
        for (size_t i = 0; i < n && s; i++) {
                free(s[i].name);
                free(s[i].ports);
                free(s[i].compose_project);
                free(s[i].compose_service);
        }
        free(s);
}

const char *container_proto_name(enum container_proto proto) {
        return proto == CONTAINER_PROTO_UDP ? "udp" : "tcp";
}

/* "8080/tcp" or "8080": 1 with *port and *proto set, 0 for a protocol not examined (sctp),
 * -EBADMSG for anything else. Ranges never appear here: the engine expands them. */
static int parse_port_key(const char *key, unsigned *ret_port, enum container_proto *ret_proto) {
        const char *slash = strchr(key, '/');
        unsigned long v = 0;
        const char *p;

        for (p = key; p != slash && *p; p++) {
                if (*p < '0' || *p > '9' || p - key >= 5)
                        return -EBADMSG;
                v = v * 10 + (unsigned long) (*p - '0');
        }
        if (p == key || v == 0 || v > 65535)
                return -EBADMSG;
        if (!slash || streq(slash + 1, "tcp"))
                *ret_proto = CONTAINER_PROTO_TCP;
        else if (streq(slash + 1, "udp"))
                *ret_proto = CONTAINER_PROTO_UDP;
        else if (streq(slash + 1, "sctp"))
                return 0;
        else
                return -EBADMSG;
        *ret_port = (unsigned) v;
        return 1;
}

struct container_port *container_port_entry(struct container_port *list, size_t *n, unsigned port,
                                            enum container_proto proto) {
        for (size_t i = 0; i < *n; i++)
                if (list[i].port == port && list[i].proto == proto)
                        return &list[i];
        list[*n] = (struct container_port){.port = port, .proto = proto};
        return &list[(*n)++];
}

bool container_host_ip_valid(const char *s) {
        unsigned char addr[sizeof(struct in6_addr)];

        if (!s[0])
                return true;
        if (strlen(s) >= INET6_ADDRSTRLEN)
                return false;
        return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

/* -EBADMSG for a malformed binding, -EADDRNOTAVAIL for a HostIp that is not an address. */
static int read_bindings(const cJSON *arr, struct container_port *p) {
        const cJSON *b;
        int count;

        if (cJSON_IsNull(arr))
                return 0;
        if (!cJSON_IsArray(arr))
                return -EBADMSG;
        count = cJSON_GetArraySize(arr);
        if (count == 0)
                return 0;
        p->bindings = calloc((size_t) count, sizeof(*p->bindings));
        if (!p->bindings)
                return -ENOMEM;
        cJSON_ArrayForEach(b, arr) {
                const cJSON *ip = cJSON_GetObjectItemCaseSensitive(b, "HostIp");
                const cJSON *hp = cJSON_GetObjectItemCaseSensitive(b, "HostPort");
                struct container_binding *cb = &p->bindings[p->n_bindings];
                unsigned long v = 0;

                if (!cJSON_IsObject(b) || (ip && !cJSON_IsString(ip)) || (hp && !cJSON_IsString(hp)))
                        return -EBADMSG;
                if (ip && !container_host_ip_valid(ip->valuestring))
                        return -EADDRNOTAVAIL;
                snprintf(cb->host_ip, sizeof(cb->host_ip), "%s", ip ? ip->valuestring : "");
                /* A string of digits; "" when the engine has not assigned one yet. */
                for (const char *s = hp ? hp->valuestring : ""; *s; s++) {
                        if (*s < '0' || *s > '9' || v > 65535)
                                return -EBADMSG;
                        v = v * 10 + (unsigned long) (*s - '0');
                }
                if (v > 65535)
                        return -EBADMSG;
                cb->host_port = (unsigned) v;
                p->n_bindings++;
        }
        return 0;
}

static int port_cmp(const void *a, const void *b) {
        const struct container_port *x = a, *y = b;

        if (x->proto != y->proto)
                return x->proto < y->proto ? -1 : 1;
        return x->port < y->port ? -1 : x->port > y->port;
}

void container_ports_sort(struct container_port *list, size_t n) {
        if (n > 1)
                qsort(list, n, sizeof(*list), port_cmp);
}

int container_parse_ports(const char *ref, const char *body, size_t len, struct container_port **ret, size_t *ret_n,
                          struct nsx_error *err) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const cJSON *config, *settings, *exposed = NULL, *ports = NULL, *item;
        struct container_port *list;
        size_t n = 0, room;
        int r = 0;

        root = cJSON_ParseWithLength(body, len);
        if (!cJSON_IsObject(root))
                return bad_answer(ref, "not a JSON object", err);

        /* Both may be absent or null: a container with no ports (or --net none, --net host). */
        config = cJSON_GetObjectItemCaseSensitive(root, "Config");
        if (cJSON_IsObject(config))
                exposed = cJSON_GetObjectItemCaseSensitive(config, "ExposedPorts");
        settings = cJSON_GetObjectItemCaseSensitive(root, "NetworkSettings");
        if (cJSON_IsObject(settings))
                ports = cJSON_GetObjectItemCaseSensitive(settings, "Ports");
        if ((exposed && !cJSON_IsNull(exposed) && !cJSON_IsObject(exposed)) ||
            (ports && !cJSON_IsNull(ports) && !cJSON_IsObject(ports)))
                return bad_answer(ref, "ExposedPorts or NetworkSettings.Ports is not an object", err);

        room = (size_t) cJSON_GetArraySize(exposed) + (size_t) cJSON_GetArraySize(ports);
        list = calloc(room + 1, sizeof(*list));
        if (!list)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");

        cJSON_ArrayForEach(item, exposed) {
                enum container_proto proto;
                unsigned port;

                r = parse_port_key(item->string, &port, &proto);
                if (r < 0)
                        break;
                if (r > 0)
                        container_port_entry(list, &n, port, proto)->exposed = true;
        }
        if (r >= 0)
                cJSON_ArrayForEach(item, ports) {
                        enum container_proto proto;
                        struct container_port *p;
                        unsigned port;

                        r = parse_port_key(item->string, &port, &proto);
                        if (r < 0)
                                break;
                        if (r == 0)
                                continue;
                        p = container_port_entry(list, &n, port, proto);
                        /* A key of Ports is an exposed port, published or not. */
                        p->exposed = true;
                        if (p->bindings) {
                                r = -EBADMSG; /* the same key twice */
                                break;
                        }
                        r = read_bindings(item, p);
                        if (r < 0)
                                break;
                }
        if (r < 0) {
                container_ports_free(list, n);
                if (r == -ENOMEM)
                        return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                if (r == -EADDRNOTAVAIL)
                        return bad_answer(ref, "a HostIp in NetworkSettings.Ports is not an IP address", err);
                return bad_answer(ref, "a port in ExposedPorts or NetworkSettings.Ports is malformed", err);
        }
        container_ports_sort(list, n);
        *ret = list;
        *ret_n = n;
        return 0;
}

void container_ports_free(struct container_port *p, size_t n) {
        for (size_t i = 0; i < n && p; i++)
                free(p[i].bindings);
        free(p);
}

int container_parse_network_mode(const char *ref, const char *body, size_t len, char *buf, size_t size,
                                 struct nsx_error *err) {
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const cJSON *hc, *mode;

        if (size == 0)
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "no room for the network mode of container '%s'",
                                     ref);
        buf[0] = '\0';
        root = cJSON_ParseWithLength(body, len);
        if (!cJSON_IsObject(root))
                return bad_answer(ref, "not a JSON object", err);
        hc = cJSON_GetObjectItemCaseSensitive(root, "HostConfig");
        mode = cJSON_IsObject(hc) ? cJSON_GetObjectItemCaseSensitive(hc, "NetworkMode") : NULL;
        if (!mode || cJSON_IsNull(mode))
                return 0;
        if (!cJSON_IsString(mode))
                return bad_answer(ref, "HostConfig.NetworkMode", err);
        snprintf(buf, size, "%s", mode->valuestring);
        return 0;
}
