/* SPDX-License-Identifier: MIT */
/* Rendering of the listeners report: no I/O beyond the FILE* given, no decisions beyond layout. */
#include "render.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "util.h"

#define COLOR_RED "\033[1;31m"
#define COLOR_GREEN "\033[32m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_RESET "\033[0m"

/* "*" for every address, [v6] in brackets. */
static void format_binding(const struct container_binding *b, char *buf, size_t size) {
        const char *ip = b->host_ip;

        if (!ip[0] || streq(ip, "0.0.0.0") || streq(ip, "::"))
                snprintf(buf, size, "*:%u", b->host_port);
        else if (strchr(ip, ':'))
                snprintf(buf, size, "[%s]:%u", ip, b->host_port);
        else
                snprintf(buf, size, "%s:%u", ip, b->host_port);
}

/* The host side of a port, deduplicated ("*:8080" once for Docker's 0.0.0.0 and :: pair). */
static void format_published(const struct listeners_port *p, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        if (!p->declared || p->declared->n_bindings == 0) {
                snprintf(buf, size, "%s", p->declared && p->declared->exposed ? "exposed" : "-");
                return;
        }
        for (size_t i = 0; i < p->declared->n_bindings; i++) {
                char one[64], earlier[64];
                bool repeat = false;

                /* The same host binding twice (IPv4 and IPv6 both "*") is shown once. */
                format_binding(&p->declared->bindings[i], one, sizeof(one));
                for (size_t j = 0; j < i && !repeat; j++) {
                        format_binding(&p->declared->bindings[j], earlier, sizeof(earlier));
                        repeat = streq(one, earlier);
                }
                if (repeat)
                        continue;
                len += (size_t) snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? "," : "", one);
                if (len >= size)
                        break;
        }
}

static void format_owners(const struct listeners_socket *s, char *buf, size_t size) {
        size_t len = 0;

        if (!s || s->n_owners == 0) {
                snprintf(buf, size, "-");
                return;
        }
        /* Two are enough to recognise a service; prefork servers would fill the line. */
        for (size_t i = 0; i < s->n_owners && i < 2; i++)
                len += (size_t) snprintf(buf + len, len < size ? size - len : 0, "%s%s[%d]", i ? "," : "",
                                         s->owners[i].comm, (int) s->owners[i].pid);
        if (s->n_owners > 2 && len < size)
                snprintf(buf + len, size - len, ",+%zu", s->n_owners - 2);
}

static const char *verdict_text(enum listeners_verdict v) {
        switch (v) {
        case LISTENERS_OK:
                return "ok";
        case LISTENERS_LOOPBACK_ONLY:
                return "UNREACHABLE: loopback only";
        case LISTENERS_NOT_LISTENING:
                return "NOT LISTENING";
        case LISTENERS_NOT_PUBLISHED:
                return "not published";
        case LISTENERS_LOCAL_ONLY:
                return "local only";
        case LISTENERS_EXPOSED_IDLE:
                return "exposed, idle";
        case LISTENERS_HOST_NETWORK:
                return "host network";
        }
        return "?";
}

static const char *verdict_color(enum listeners_verdict v) {
        if (listeners_verdict_is_problem(v))
                return COLOR_RED;
        return v == LISTENERS_OK ? COLOR_GREEN : COLOR_YELLOW;
}

/* The IPv4 address a socket answers on: its own, or a.b.c.d of an IPv6 socket bound to
 * ::ffff:a.b.c.d; NULL for any other IPv6 socket. */
static const unsigned char *socket_ipv4(const struct listeners_socket *s) {
        static const unsigned char v4_mapped[12] = {[10] = 0xff, [11] = 0xff};

        if (s->family == AF_INET)
                return s->addr;
        return memcmp(s->addr, v4_mapped, sizeof(v4_mapped)) == 0 ? s->addr + 12 : NULL;
}

/* The --forward SPEC that reaches a loopback-only port from the host: host_port (the same port,
 * or 0, a free one, where the published port holds it already) to 127.0.0.1 (the default) when
 * something listens there, else to the address that listens ("8080:[::1]:8080",
 * "0:127.0.0.2:8080"); "/udp" for udp. */
static void format_forward_spec(const struct listeners_port *p, unsigned host_port, char *buf, size_t size) {
        static const unsigned char v4_loopback[4] = {127, 0, 0, 1};
        const char *udp = p->proto == CONTAINER_PROTO_UDP ? "/udp" : "";
        const unsigned char *v4;
        char a[INET6_ADDRSTRLEN];

        for (size_t i = 0; i < p->n_socks; i++) {
                v4 = socket_ipv4(p->socks[i]);
                if (v4 && memcmp(v4, v4_loopback, sizeof(v4_loopback)) == 0)
                        break;
        }
        if (p->n_socks == 0 || (v4 && memcmp(v4, v4_loopback, sizeof(v4_loopback)) == 0)) {
                snprintf(buf, size, "%u:%u%s", host_port, p->port, udp);
                return;
        }
        v4 = socket_ipv4(p->socks[0]);
        if (v4)
                snprintf(buf, size, "%u:%u.%u.%u.%u:%u%s", host_port, v4[0], v4[1], v4[2], v4[3], p->port, udp);
        else {
                listeners_format_address(p->socks[0], a, sizeof(a));
                snprintf(buf, size, "%u:[%s]:%u%s", host_port, a, p->port, udp);
        }
}

void render_explain(const struct survey_container *c, const struct listeners_port *p, char *buf, size_t size) {
        const char *proto = container_proto_name(p->proto);
        char pub[256], addr[INET6_ADDRSTRLEN + 2] = "127.0.0.1";

        format_published(p, pub, sizeof(pub));
        if (p->n_socks > 0) {
                char a[64];

                listeners_format_address(p->socks[0], a, sizeof(a));
                snprintf(addr, sizeof(addr), p->socks[0]->family == AF_INET6 ? "[%s]" : "%s", a);
        }
        switch (p->verdict) {
        case LISTENERS_OK:
                snprintf(buf, size, "%u/%s is published as %s and listens on a reachable address", p->port, proto, pub);
                return;
        case LISTENERS_LOOPBACK_ONLY: {
                char spec[128];

                format_forward_spec(p, 0, spec, sizeof(spec));
                snprintf(buf, size,
                         "%u/%s is published as %s but listens on %s only: unreachable from outside; "
                         "bind 0.0.0.0 (or ::) in the container, or reach it from the host with "
                         "'docker-nsexec --forward %s %s'",
                         p->port, proto, pub, addr, spec, c->name);
                return;
        }
        case LISTENERS_NOT_LISTENING:
                snprintf(buf, size,
                         "%u/%s is published as %s but nothing listens on it in the container: is the service up, "
                         "and on this port?",
                         p->port, proto, pub);
                return;
        case LISTENERS_NOT_PUBLISHED:
                snprintf(buf, size, "%u/%s listens but is not published: reachable only from the container's networks",
                         p->port, proto);
                return;
        case LISTENERS_LOCAL_ONLY: {
                char spec[128];

                format_forward_spec(p, p->port, spec, sizeof(spec));
                snprintf(buf, size,
                         "%u/%s listens on loopback only: reachable only inside the container; from the host: "
                         "docker-nsexec --forward %s %s",
                         p->port, proto, spec, c->name);
                return;
        }
        case LISTENERS_EXPOSED_IDLE:
                snprintf(buf, size, "%u/%s is exposed but nothing listens on it", p->port, proto);
                return;
        case LISTENERS_HOST_NETWORK:
                snprintf(buf, size,
                         "%u/%s listens in the host's network namespace (--net host): reachable at the addresses it "
                         "is bound to, no publishing needed",
                         p->port, proto);
                return;
        }
        snprintf(buf, size, "?");
}

enum { COL_CONTAINER, COL_PROTO, COL_LISTEN, COL_PUBLISHED, COL_PROCESS, COL_VERDICT, N_COLS };

struct row {
        char *cells[N_COLS];
        int verdict; /* -1: no colour */
};

static void rows_free(struct row *rows, size_t n) {
        for (size_t i = 0; i < n && rows; i++)
                for (int j = 0; j < N_COLS; j++)
                        free(rows[i].cells[j]);
        free(rows);
}

static int row_add(struct row **rows, size_t *n, int verdict, const char *const cells[N_COLS]) {
        struct row *nr = reallocarray(*rows, *n + 1, sizeof(**rows));

        if (!nr)
                return -ENOMEM;
        *rows = nr;
        nr[*n] = (struct row){.verdict = verdict};
        for (int j = 0; j < N_COLS; j++) {
                nr[*n].cells[j] = strdup(cells[j]);
                if (!nr[*n].cells[j]) {
                        (*n)++;
                        return -ENOMEM;
                }
                /* The parsers let no control character through; this is the last line of
                 * defence before the terminal, whatever a future field carries. */
                nsx_sanitize(nr[*n].cells[j]);
        }
        (*n)++;
        return 0;
}

static int container_rows(const struct survey_container *c, struct row **rows, size_t *n) {
        int r;

        if (c->n_judged == 0)
                return row_add(rows, n, -1,
                               (const char *const[N_COLS]){c->name, "-", "-", "-", "-", "nothing listens"});
        for (size_t i = 0; i < c->n_judged; i++) {
                const struct listeners_port *p = &c->judged[i];
                char pub[256], listen[80], owners[128], proto[8];

                format_published(p, pub, sizeof(pub));
                for (size_t k = 0; k < (p->n_socks ? p->n_socks : 1); k++) {
                        const struct listeners_socket *s = p->n_socks ? p->socks[k] : NULL;

                        if (s) {
                                listeners_format_endpoint(s, listen, sizeof(listen));
                                snprintf(proto, sizeof(proto), "%s%s", container_proto_name(p->proto),
                                         s->family == AF_INET6 ? "6" : "");
                        } else {
                                snprintf(listen, sizeof(listen), "-:%u", p->port);
                                snprintf(proto, sizeof(proto), "%s", container_proto_name(p->proto));
                        }
                        format_owners(s, owners, sizeof(owners));
                        r = row_add(rows, n, (int) p->verdict,
                                    (const char *const[N_COLS]){c->name, proto, listen, pub, owners,
                                                                verdict_text(p->verdict)});
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int render_table(FILE *f, const struct survey *s, bool color) {
        static const char *const header[N_COLS] = {"CONTAINER", "PROTO",   "LISTENING",
                                                   "PUBLISHED", "PROCESS", "VERDICT"};
        struct row *rows = NULL;
        size_t n = 0, width[N_COLS] = {};
        int r = 0;

        if (s->n == 0) {
                fprintf(f, "no running containers\n");
                return ferror(f) ? -EIO : 0;
        }
        r = row_add(&rows, &n, -1, header);
        for (size_t i = 0; r >= 0 && i < s->n; i++)
                r = container_rows(&s->v[i], &rows, &n);
        if (r < 0) {
                rows_free(rows, n);
                return r;
        }
        for (size_t i = 0; i < n; i++)
                for (int j = 0; j < N_COLS; j++)
                        if (strlen(rows[i].cells[j]) > width[j])
                                width[j] = strlen(rows[i].cells[j]);
        for (size_t i = 0; i < n; i++) {
                for (int j = 0; j < N_COLS - 1; j++)
                        fprintf(f, "%-*s  ", (int) width[j], rows[i].cells[j]);
                /* Padding is computed on the plain text: escapes wrap the last column only. */
                if (color && rows[i].verdict >= 0)
                        fprintf(f, "%s%s%s\n", verdict_color((enum listeners_verdict) rows[i].verdict),
                                rows[i].cells[N_COLS - 1], COLOR_RESET);
                else
                        fprintf(f, "%s\n", rows[i].cells[N_COLS - 1]);
        }
        rows_free(rows, n);

        /* The fixes, one line each, after the table where they do not stretch its columns. */
        for (size_t i = 0; i < s->n; i++)
                for (size_t k = 0; k < s->v[i].n_judged; k++) {
                        const struct listeners_port *p = &s->v[i].judged[k];
                        char line[1024], name[256];

                        if (!listeners_verdict_is_problem(p->verdict))
                                continue;
                        /* The name leads the line: "NAME: MESSAGE", both sanitized as the cells. */
                        snprintf(name, sizeof(name), "%s", s->v[i].name);
                        nsx_sanitize(name);
                        render_explain(&s->v[i], p, line, sizeof(line));
                        nsx_sanitize(line);
                        fprintf(f, "%s%s:%s %s\n", color ? COLOR_RED : "", name, color ? COLOR_RESET : "", line);
                }
        return ferror(f) ? -EIO : 0;
}

static cJSON *json_socket(const struct listeners_socket *s) {
        _cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
        cJSON *procs;
        char a[64];

        if (!o)
                return NULL;
        listeners_format_address(s, a, sizeof(a));
        cJSON_AddStringToObject(o, "family", s->family == AF_INET6 ? "ipv6" : "ipv4");
        cJSON_AddStringToObject(o, "address", a);
        cJSON_AddNumberToObject(o, "port", s->port);
        cJSON_AddBoolToObject(o, "loopback", listeners_socket_loopback(s));
        cJSON_AddNumberToObject(o, "inode", (double) s->inode);
        procs = cJSON_AddArrayToObject(o, "processes");
        for (size_t i = 0; procs && i < s->n_owners; i++) {
                cJSON *p = cJSON_CreateObject();

                if (!json_array_take(procs, p))
                        return NULL;
                cJSON_AddNumberToObject(p, "pid", s->owners[i].pid);
                cJSON_AddStringToObject(p, "comm", s->owners[i].comm);
        }
        return TAKE_PTR(o);
}

static cJSON *json_port(const struct survey_container *c, const struct listeners_port *p) {
        cJSON *o = cJSON_CreateObject(), *pub, *ls;
        char msg[1024];

        if (!o)
                return NULL;
        cJSON_AddNumberToObject(o, "port", p->port);
        cJSON_AddStringToObject(o, "protocol", container_proto_name(p->proto));
        cJSON_AddBoolToObject(o, "exposed", p->declared && p->declared->exposed);
        pub = cJSON_AddArrayToObject(o, "published");
        for (size_t i = 0; pub && p->declared && i < p->declared->n_bindings; i++) {
                cJSON *b = cJSON_CreateObject();

                if (!json_array_take(pub, b))
                        break;
                cJSON_AddStringToObject(b, "host_ip", p->declared->bindings[i].host_ip);
                cJSON_AddNumberToObject(b, "host_port", p->declared->bindings[i].host_port);
        }
        ls = cJSON_AddArrayToObject(o, "listeners");
        for (size_t i = 0; ls && i < p->n_socks; i++) {
                cJSON *s = json_socket(p->socks[i]);

                if (!json_array_take(ls, s))
                        break;
        }
        render_explain(c, p, msg, sizeof(msg));
        cJSON_AddStringToObject(o, "verdict", listeners_verdict_name(p->verdict));
        cJSON_AddBoolToObject(o, "problem", listeners_verdict_is_problem(p->verdict));
        cJSON_AddStringToObject(o, "message", msg);
        return o;
}

/* Writes cJSON's text with what cJSON leaves raw escaped: it escapes C0 controls, but passes
 * DEL, C1 controls (U+0080-U+009F, which some terminals obey) and bytes that are not UTF-8
 * straight through. Outside its strings cJSON writes ASCII only, so any such byte is inside a
 * string, where \uXXXX is its proper JSON form: DEL and C1 keep their value, a malformed byte
 * becomes U+FFFD, and the output is valid JSON (RFC 8259 wants UTF-8) that is safe to print. */
static void json_write(FILE *f, const char *text) {
        while (*text) {
                unsigned cp = 0;
                size_t n = nsx_utf8_char(text, &cp);

                if (n == 0) {
                        fputs("\\ufffd", f);
                        text++;
                } else if (cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
                        fprintf(f, "\\u%04x", cp);
                        text += n;
                } else {
                        fwrite(text, 1, n, f);
                        text += n;
                }
        }
}

int render_json(FILE *f, const struct survey *s) {
        _cleanup_(cJSON_Deletep) cJSON *root = cJSON_CreateObject();
        _cleanup_free_ char *text = NULL;
        cJSON *list;

        list = root ? cJSON_AddArrayToObject(root, "containers") : NULL;
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < s->n; i++) {
                const struct survey_container *c = &s->v[i];
                cJSON *o = cJSON_CreateObject(), *ports;

                if (!json_array_take(list, o))
                        return -ENOMEM;
                cJSON_AddStringToObject(o, "name", c->name);
                cJSON_AddStringToObject(o, "id", c->id);
                cJSON_AddNumberToObject(o, "pid", c->pid);
                cJSON_AddStringToObject(o, "network_mode", c->network_mode);
                ports = cJSON_AddArrayToObject(o, "ports");
                if (!ports)
                        return -ENOMEM;
                for (size_t k = 0; k < c->n_judged; k++) {
                        cJSON *p = json_port(c, &c->judged[k]);

                        if (!json_array_take(ports, p))
                                return -ENOMEM;
                }
        }
        text = cJSON_Print(root);
        if (!text)
                return -ENOMEM;
        json_write(f, text);
        fputc('\n', f);
        return ferror(f) ? -EIO : 0;
}
