/* SPDX-License-Identifier: MIT */
/* The namespace table, and its two look-ups. */
#include "ns.h"

#include <sched.h>
#include <stddef.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The "-n, --net  network" lines of --help, and the order the completions offer them in. -U
 * is --userns, not nsenter's --user: that is docker exec's --user USER (the run's user). */
const struct ns_kind ns_table[NS_COUNT] = {
        {
                .bit = ENTER_NS_NET,
                .clone_flag = CLONE_NEWNET,
                .proc_name = "net",
                .short_option = "-n",
                .long_option = "--net",
                .what = "network",
                .help = "network",
                .description = "join the network namespace (the default)",
        },
        {
                .bit = ENTER_NS_MNT,
                .clone_flag = CLONE_NEWNS,
                .proc_name = "mnt",
                .short_option = "-m",
                .long_option = "--mount",
                .what = "mount",
                .help = "mount: CMD and paths resolve in the container's files",
                .description = "join the mount namespace",
        },
        {
                .bit = ENTER_NS_UTS,
                .clone_flag = CLONE_NEWUTS,
                .proc_name = "uts",
                .short_option = "-u",
                .long_option = "--uts",
                .what = "UTS",
                .help = "hostname",
                .description = "join the UTS namespace (hostname)",
        },
        {
                .bit = ENTER_NS_IPC,
                .clone_flag = CLONE_NEWIPC,
                .proc_name = "ipc",
                .short_option = "-i",
                .long_option = "--ipc",
                .what = "IPC",
                .help = "IPC",
                .description = "join the IPC namespace",
        },
        {
                .bit = ENTER_NS_PID,
                .clone_flag = CLONE_NEWPID,
                .proc_name = "pid",
                .short_option = "-p",
                .long_option = "--pid",
                .what = "PID",
                .help = "PID (forks once; the exit status is mirrored)",
                .description = "join the PID namespace",
        },
        {
                .bit = ENTER_NS_USER,
                .clone_flag = CLONE_NEWUSER,
                .proc_name = "user",
                .short_option = "-U",
                .long_option = "--userns",
                .what = "user",
                .help = "user (CMD runs as the namespace's root)",
                .description = "join the user namespace",
        },
        {
                .bit = ENTER_NS_CGROUP,
                .clone_flag = CLONE_NEWCGROUP,
                .proc_name = "cgroup",
                .short_option = "-C",
                .long_option = "--cgroup",
                .what = "cgroup",
                .help = "cgroup",
                .description = "join the cgroup namespace",
        },
        {
                .bit = ENTER_NS_TIME,
                .clone_flag = CLONE_NEWTIME,
                .proc_name = "time",
                .short_option = "-T",
                .long_option = "--time",
                .what = "time",
                .help = "time",
                .description = "join the time namespace",
        },
};

_Static_assert(ENTER_NS_ALL == (1 << NS_COUNT) - 1, "one bit per namespace of the table");

const struct ns_kind *ns_by_bit(unsigned bit) {
        for (size_t i = 0; i < NS_COUNT; i++)
                if (ns_table[i].bit == bit)
                        return &ns_table[i];
        return NULL;
}

const struct ns_kind *ns_by_option(int c) {
        for (size_t i = 0; i < NS_COUNT; i++)
                if (ns_table[i].short_option[1] == c)
                        return &ns_table[i];
        return NULL;
}
