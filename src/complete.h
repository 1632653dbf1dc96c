/* SPDX-License-Identifier: MIT */
/* Shell completion candidates: pure functions from what the engine listed and what was typed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "options.h"

/* An ID is offered with as many digits as docker ps shows, unless more were typed. */
#define COMPLETE_SHORT_ID_LEN 12

/* cobra's ShellCompDirective bits: the ":N" last line of a __complete answer. */
enum complete_directive {
        COMPLETE_DIRECTIVE_DEFAULT = 0,      /* the shell may fall back to file names */
        COMPLETE_DIRECTIVE_ERROR = 1,        /* something failed: offer nothing */
        COMPLETE_DIRECTIVE_NO_FILE = 4,      /* the candidates given or nothing, never file names */
        COMPLETE_DIRECTIVE_FILTER_DIRS = 16, /* directory names */
};

/* True when word could begin a container ID: one or more lowercase hexadecimal digits. */
bool complete_is_hex_prefix(const char *word);

/* The containers whose name starts with word and, when word is a hex prefix, those whose ID does
 * (COMPLETE_SHORT_ID_LEN digits, or all 64 once more are typed; described by the name when
 * descriptions is set, as "ID\tNAME"). *ret is a NULL-terminated array of owned lines. */
int complete_containers(const struct container_summary *list, size_t n, const char *word, bool descriptions,
                        char ***ret);

/* The option names (long and short) that start with word, "NAME\tDESCRIPTION" with descriptions. */
int complete_options(const struct options_doc *docs, const char *word, bool descriptions, char ***ret);

/* The value of --forward: each port and protocol the containers expose or publish, as "PORT:PORT"
 * ("PORT:PORT/udp"), described by the containers that have it ("web 80/tcp"). Once word has a
 * ':', what precedes its last one is kept ("8081:" offers "8081:80"). Only the candidates that
 * start with word; sorted by protocol then port. */
int complete_forwards(const struct container_summary *list, size_t n, const char *word, bool descriptions, char ***ret);

void complete_free(char **lines);
