/* SPDX-License-Identifier: MIT */
/* Test helper: runs a command as on a kernel without openat2 (Linux < 5.6) and mount_setattr (< 5.12);
 * with --pidfd first, without pidfd_open (< 5.3) too. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
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

int main(int argc, char **argv) {
        /* --pidfd: pidfd_open is missing too (the third call; -1 otherwise, which no call has). */
        long third = argc > 1 && strcmp(argv[1], "--pidfd") == 0 ? SYS_pidfd_open : -1;

        if (third >= 0) {
                argc--;
                argv++;
        }
        /* The calls fail with ENOSYS, as where the kernel lacks them; everything else runs. */
        struct sock_filter code[] = {
#ifdef NATIVE_ARCH
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 3, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mount_setattr, 2, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32) third, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        };
        struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};

        if (argc < 2) {
                fprintf(stderr, "usage: enosys [--pidfd] COMMAND [ARG...]\n");
                return 125;
        }
        /* Root may install a filter as it is; anyone else needs no_new_privs first. */
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0 &&
            (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)) {
                perror("enosys: seccomp");
                return 125;
        }
        if (syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) >= 0 || errno != ENOSYS) {
                fprintf(stderr, "enosys: openat2 is still there\n");
                return 125;
        }
        execvp(argv[1], argv + 1);
        perror("enosys: exec");
        return 127;
}
