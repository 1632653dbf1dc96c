/* SPDX-License-Identifier: MIT */
/* The namespace table: every fact about the namespaces docker-nsexec joins, written once. */
#pragma once

/* The namespaces, as bits. Bit i is the i-th in the order enter joins them (nsenter's: see
 * enter.c for why the user namespace comes first and the mount namespace late). */
enum enter_ns {
        ENTER_NS_USER = 1 << 0,
        ENTER_NS_CGROUP = 1 << 1,
        ENTER_NS_IPC = 1 << 2,
        ENTER_NS_UTS = 1 << 3,
        ENTER_NS_NET = 1 << 4,
        ENTER_NS_PID = 1 << 5,
        ENTER_NS_MNT = 1 << 6,
        ENTER_NS_TIME = 1 << 7,
        ENTER_NS_ALL = (1 << 8) - 1,
};

#define NS_COUNT 8

/* One namespace. The options parser, --help, the completion candidates (options_docs) and
 * enter all read this; the shell completions and the man page are checked against it
 * (tests/unit/test-ns-table.c). */
struct ns_kind {
        unsigned bit;             /* enum enter_ns */
        int clone_flag;           /* CLONE_NEW*, setns(2)'s nstype */
        const char *proc_name;    /* the link under /proc/PID/ns */
        const char *short_option; /* "-n", as nsenter spells it */
        const char *long_option;  /* "--net" */
        const char *what;         /* for messages: "the network namespace" */
        const char *help;         /* --help's words after the option */
        const char *description;  /* the completions' one line */
};

/* In --help order (nsenter's options); ns_by_bit for the join order. */
extern const struct ns_kind ns_table[NS_COUNT];

/* The entry for one bit of enum enter_ns, or NULL. */
const struct ns_kind *ns_by_bit(unsigned bit);

/* The entry whose short option is -C (C as getopt returns it), or NULL. */
const struct ns_kind *ns_by_option(int c);
