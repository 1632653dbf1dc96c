/* SPDX-License-Identifier: MIT */
/* System call wrappers that glibc (2.34, 2.36) has and musl 1.2.3, the C library of the static
 * build, lacks: there, the same calls through syscall(2), with the kernel's own structures and
 * flags. meson's checks say which are missing (config.h); with glibc this header adds nothing. */
#pragma once

#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"

#if !HAVE_CLOSE_RANGE
static inline int close_range(unsigned first, unsigned last, int flags) {
        return (int) syscall(SYS_close_range, first, last, flags);
}
#endif

#if !HAVE_STATX
#include <linux/stat.h>
static inline int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf) {
        return (int) syscall(SYS_statx, dirfd, path, flags, mask, buf);
}
#endif

#if !HAVE_MOUNT_SETATTR
#include <linux/mount.h>
static inline int open_tree(int dirfd, const char *path, unsigned flags) {
        return (int) syscall(SYS_open_tree, dirfd, path, flags);
}
static inline int move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned flags) {
        return (int) syscall(SYS_move_mount, from_dirfd, from, to_dirfd, to, flags);
}
static inline int mount_setattr(int dirfd, const char *path, unsigned flags, struct mount_attr *attr, size_t size) {
        return (int) syscall(SYS_mount_setattr, dirfd, path, flags, attr, size);
}
#endif
