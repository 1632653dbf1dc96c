/* SPDX-License-Identifier: MIT */
/* Shell completion candidates, filtered by the word typed so far: the shell shows them as they are. */
#include "complete.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A growing NULL-terminated array of lines. */
struct lines {
        char **v;
        size_t n, cap;
};

static int lines_add(struct lines *l, const char *candidate, const char *description) {
        char *s;

        if (l->n + 1 >= l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                char **v = realloc(l->v, cap * sizeof(*v));

                if (!v)
                        return -ENOMEM;
                l->v = v;
                l->cap = cap;
        }
        if (asprintf(&s, "%s%s%s", candidate, description ? "\t" : "", description ? description : "") < 0)
                return -ENOMEM;
        l->v[l->n++] = s;
        l->v[l->n] = NULL;
        return 0;
}

/* Hands the array out; an empty one is still an array, so callers need not test for NULL. */
static int lines_finish(struct lines *l, int r, char ***ret) {
        if (r >= 0 && !l->v) {
                l->v = calloc(1, sizeof(*l->v));
                if (!l->v)
                        r = -ENOMEM;
        }
        if (r < 0) {
                complete_free(l->v);
                return r;
        }
        *ret = l->v;
        return 0;
}

bool complete_is_hex_prefix(const char *word) {
        return word[0] && strspn(word, "0123456789abcdef") == strlen(word);
}

int complete_containers(const struct container_summary *list, size_t n, const char *word, bool descriptions,
                        char ***ret) {
        struct lines l = {};
        int r = 0;

        for (size_t i = 0; i < n && r >= 0; i++)
                if (starts_with(list[i].name, word))
                        r = lines_add(&l, list[i].name, NULL);

        /* IDs only for a word that can begin one: a TAB after nothing, or after "we", offers names. */
        if (complete_is_hex_prefix(word))
                for (size_t i = 0; i < n && r >= 0; i++) {
                        char id[CONTAINER_ID_LEN + 1];
                        int digits = strlen(word) > COMPLETE_SHORT_ID_LEN ? CONTAINER_ID_LEN : COMPLETE_SHORT_ID_LEN;

                        if (!starts_with(list[i].id, word))
                                continue;
                        snprintf(id, sizeof(id), "%.*s", digits, list[i].id);
                        r = lines_add(&l, id, descriptions ? list[i].name : NULL);
                }
        return lines_finish(&l, r, ret);
}

int complete_options(const struct options_doc *docs, const char *word, bool descriptions, char ***ret) {
        struct lines l = {};
        int r = 0;

        for (const struct options_doc *d = docs; d->long_name && r >= 0; d++) {
                if (starts_with(d->long_name, word))
                        r = lines_add(&l, d->long_name, descriptions ? d->description : NULL);
                if (r >= 0 && d->short_name && starts_with(d->short_name, word))
                        r = lines_add(&l, d->short_name, descriptions ? d->description : NULL);
        }
        return lines_finish(&l, r, ret);
}

/* The containers named in a --forward candidate's description: more would not fit a line. */
#define COMPLETE_FORWARD_NAMES 3

/* The description of (port, proto): "web 80/tcp", "web, api 80/tcp", "a, b, c +2 80/tcp". */
static void forward_description(const struct container_summary *list, size_t n, unsigned port,
                                enum container_proto proto, char *buf, size_t size) {
        size_t len = 0, named = 0, more = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                bool has = false;

                for (size_t k = 0; k < list[i].n_ports && !has; k++)
                        has = list[i].ports[k].port == port && list[i].ports[k].proto == proto;
                if (!has)
                        continue;
                if (named == COMPLETE_FORWARD_NAMES) {
                        more++;
                        continue;
                }
                len += (size_t) snprintf(buf + len, len < size ? size - len : 0, "%s%s", named ? ", " : "",
                                         list[i].name);
                named++;
        }
        if (more && len < size)
                len += (size_t) snprintf(buf + len, size - len, " +%zu", more);
        if (len < size)
                snprintf(buf + len, size - len, " %u/%s", port, container_proto_name(proto));
}

int complete_forwards(const struct container_summary *list, size_t n, const char *word, bool descriptions,
                      char ***ret) {
        const char *colon = strrchr(word, ':');
        size_t prefix_len = colon ? (size_t) (colon - word) + 1 : 0;
        struct lines l = {};
        int r = 0;

        /* Every (port, proto) once, in order: the smallest one above the last offered, each time
         * (a few containers of at most CONTAINER_SUMMARY_PORTS_MAX ports: no need to sort). */
        for (struct container_summary_port last = {0, CONTAINER_PROTO_TCP}; r >= 0;) {
                struct container_summary_port next = {};
                bool found = false;
                char candidate[256], description[256];

                for (size_t i = 0; i < n; i++)
                        for (size_t k = 0; k < list[i].n_ports; k++) {
                                const struct container_summary_port *p = &list[i].ports[k];
                                bool after = p->proto != last.proto ? p->proto > last.proto : p->port > last.port;
                                bool before = !found ||
                                              (p->proto != next.proto ? p->proto < next.proto : p->port < next.port);

                                if (after && before) {
                                        next = *p;
                                        found = true;
                                }
                        }
                if (!found)
                        break;
                last = next;
                /* "PORT:PORT", or after what was typed up to its last ':', "TYPED:PORT". */
                if (colon)
                        snprintf(candidate, sizeof(candidate), "%.*s%u%s", (int) prefix_len, word, next.port,
                                 next.proto == CONTAINER_PROTO_UDP ? "/udp" : "");
                else
                        snprintf(candidate, sizeof(candidate), "%u:%u%s", next.port, next.port,
                                 next.proto == CONTAINER_PROTO_UDP ? "/udp" : "");
                if (!starts_with(candidate, word))
                        continue;
                if (descriptions)
                        forward_description(list, n, next.port, next.proto, description, sizeof(description));
                r = lines_add(&l, candidate, descriptions ? description : NULL);
        }
        return lines_finish(&l, r, ret);
}

void complete_free(char **lines) {
        for (size_t i = 0; lines && lines[i]; i++)
                free(lines[i]);
        free(lines);
}
