/* SPDX-License-Identifier: MIT */
/* The listeners report, written to a FILE*: an aligned table for people, JSON for scripts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "survey.h"

/* One line saying what a port's verdict means, with the fix for a problem. */
void render_explain(const struct survey_container *c, const struct listeners_port *p, char *buf, size_t size);

/* A row per listening socket (or per published/exposed port nothing listens on), then one line
 * per problem with its fix. color: ANSI colours for the verdicts. Returns 0 or -errno. */
int render_table(FILE *f, const struct survey *s, bool color);

/* {"containers":[{"name","id","pid","ports":[{"port","protocol","exposed","published":[...],
 * "listeners":[...],"verdict","problem","message"}]}]}: the shape docs/listeners.md documents. */
int render_json(FILE *f, const struct survey *s);
