/* SPDX-License-Identifier: MIT */
/* The run: a looked-up container -> everything the entry needs, read on the host before any
 * setns. No I/O of its own on the terminal, and nothing read from our environment: what main
 * read (the -e values, TERM) comes in as plain values, and what it should say (warnings, -v
 * lines) comes back as notes, in the order they arose. */
#pragma once

#include <stdbool.h>

#include "confine.h"
#include "container.h"
#include "error.h"
#include "options.h"
#include "target.h"
#include "user.h"
#include "util.h"
#include "view.h"

/* What main has read for the run: the options it needs and the values of our environment. */
struct run_inputs {
        bool verify;            /* prove the pinned PID is the container's (not --no-verify) */
        bool verbose;           /* -v: notes of kind RUN_NOTE_DEBUG too */
        bool view;              /* a net-only entry: prepare the container's network view */
        bool own_command;       /* -m, -a: the command comes from the container's files */
        bool confine;           /* ... and runs confined as the container's processes do */
        const char *exec_user;  /* --user, NULL: the container's own */
        const char *const *env; /* -e KEY=VALUE or KEY, n_env of them, in order */
        int n_env;
        /* Our value of each KEY-alone entry of env (NULL: none, or KEY=VALUE), at the same index. */
        const char *env_values[OPTIONS_ENV_MAX];
        const char *term; /* TERM, when a standard stream is a terminal; else NULL */
};

enum run_note_kind {
        RUN_NOTE_WARNING, /* printed as "warning: TEXT" */
        RUN_NOTE_DEBUG,   /* printed as "debug: TEXT" (only recorded with verbose) */
};

/* One line for main to print; text has no control characters of the engine's. */
struct run_note {
        enum run_note_kind kind;
        char text[512];
};

#define RUN_NOTES_MAX 8

/* What a run prepares on the host, before any setns, and owns until the exec. */
struct run {
        struct target t;
        struct view view;                     /* a net-only entry's network view */
        struct confinement conf;              /* confined runs: what confines the container's processes */
        struct exec_user user;                /* the container's own command: its user ... */
        char **envp;                          /* ... and its environment, which becomes environ */
        struct run_note notes[RUN_NOTES_MAX]; /* what to say, in order, also when prepare fails */
        int n_notes;
};

#define RUN_NULL ((struct run){.t = TARGET_NULL, .view = VIEW_NULL, .conf = CONFINEMENT_NULL})

void run_done(struct run *run);
DEFINE_STRUCT_CLEANUP_FUNC(struct run, run_done)

/* The -e list as docker's CLI passes it on: KEY alone takes in->env_values[i] when there is
 * one, and otherwise stays KEY (the daemon's "remove it"). NULL-terminated, exec_env_free. */
int run_env_overrides(const struct run_inputs *in, char ***ret, struct nsx_error *err);

/* Looked-up container c -> pinned, verified target -> confinement, network view, the command's
 * user and environment, and the cgroups joined: all read while we are wholly on the host.
 * label names the container. run starts at RUN_NULL; its notes are filled whatever the
 * result, to be said before any error. */
int run_prepare(const struct run_inputs *in, const struct container *c, const char *label, struct run *run,
                struct nsx_error *err);
