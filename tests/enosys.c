/* SPDX-License-Identifier: MIT */
/* Test helper: runs a command as on a kernel without openat2 (Linux < 5.6) and mount_setattr (< 5.12);
 * with --pidfd first, without pidfd_open (< 5.3) too. With --sockdiag instead, only a
 * NETLINK_SOCK_DIAG socket is refused (EPROTONOSUPPORT), as on a kernel without sock_diag; with
 * --setns, only setns (EPERM), as for namespaces owned beyond our user namespace's reach. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Each filter's start: a call of another architecture (a 32-bit one's numbers differ) runs. */
#ifdef NATIVE_ARCH
#define ONLY_NATIVE_ARCH                                                                                               \
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),                                       \
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#else
#define ONLY_NATIVE_ARCH
#endif

/* The low 32 bits of argument i (little-endian: first). */
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(__u64))

int main(int argc, char **argv) {
        const char *mode = argc > 1 && strncmp(argv[1], "--", 2) == 0 ? argv[1] : "";
        /* The calls fail with ENOSYS, as where the kernel lacks them; everything else runs. --pidfd:
         * pidfd_open is missing too (the third call; -1 otherwise, which no call has). */
        long third = strcmp(mode, "--pidfd") == 0 ? SYS_pidfd_open : -1;
        struct sock_filter missing[] = {
                ONLY_NATIVE_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 3, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mount_setattr, 2, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32) third, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        };
        struct sock_filter sockdiag[] = {
                ONLY_NATIVE_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 5),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 3),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NETLINK_SOCK_DIAG, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPROTONOSUPPORT),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_filter setns[] = {
                ONLY_NATIVE_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_setns, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {.len = sizeof(missing) / sizeof(missing[0]), .filter = missing};

        if (strcmp(mode, "--sockdiag") == 0)
                prog = (struct sock_fprog){.len = sizeof(sockdiag) / sizeof(sockdiag[0]), .filter = sockdiag};
        else if (strcmp(mode, "--setns") == 0)
                prog = (struct sock_fprog){.len = sizeof(setns) / sizeof(setns[0]), .filter = setns};
        else if (mode[0] && third < 0)
                argc = 0; /* an unknown mode */
        if (mode[0]) {
                argc--;
                argv++;
        }
        if (argc < 2) {
                fprintf(stderr, "usage: enosys [--pidfd|--sockdiag|--setns] COMMAND [ARG...]\n");
                return 125;
        }
        /* Root may install a filter as it is; anyone else needs no_new_privs first. */
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0 &&
            (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)) {
                perror("enosys: seccomp");
                return 125;
        }
        if (prog.filter == missing && (syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) >= 0 || errno != ENOSYS)) {
                fprintf(stderr, "enosys: openat2 is still there\n");
                return 125;
        }
        if (prog.filter == sockdiag &&
            (socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG) >= 0 || errno != EPROTONOSUPPORT)) {
                fprintf(stderr, "enosys: sock_diag is still there\n");
                return 125;
        }
        execvp(argv[1], argv + 1);
        perror("enosys: exec");
        return 127;
}
