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

void complete_free(char **lines) {
        for (size_t i = 0; lines && lines[i]; i++)
                free(lines[i]);
        free(lines);
}
