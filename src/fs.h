/* SPDX-License-Identifier: MIT */
/* Small file-system helpers shared by every module: openat2, bounded reads, kernel filesystems. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The RESOLVE_* flags of openat2(2), for headers older than Linux 5.6. */
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif
#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#endif
#ifndef RESOLVE_NO_MAGICLINKS
#define RESOLVE_NO_MAGICLINKS 0x02
#endif
#ifndef RESOLVE_NO_SYMLINKS
#define RESOLVE_NO_SYMLINKS 0x04
#endif
#ifndef RESOLVE_BENEATH
#define RESOLVE_BENEATH 0x08
#endif
#ifndef RESOLVE_IN_ROOT
#define RESOLVE_IN_ROOT 0x10
#endif

/* openat2(2) (glibc 2.36 has no wrapper), always with O_CLOEXEC. The fd, or -errno: -ENOSYS
 * where the kernel (before 5.6) or the headers lack the call, for the caller's fallback. */
int fs_openat2(int dirfd, const char *path, int flags, uint64_t resolve);

/* Reads fd until end of file or until size bytes are in buf, retrying on EINTR. 0 and
 * *ret_len; -EFBIG, with *ret_len = size, when buf is filled to the brim (there may be more:
 * a caller that can use a cut text takes it, one that needs the whole text refuses it); else
 * -errno, *ret_len untouched. */
int fs_read(int fd, void *buf, size_t size, size_t *ret_len);

/* fs_read of path opened at dirfd (O_RDONLY, O_CLOEXEC and open_flags); -errno if it cannot
 * be opened. */
int fs_read_at(int dirfd, const char *path, int open_flags, void *buf, size_t size, size_t *ret_len);

/* A whole file of unknown size (a /proc table), into a NUL-terminated buffer grown as needed:
 * *ret to free. -EFBIG when it has more than max bytes, else -errno. */
int fs_read_all_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);

/* The name of f_type (statfs) when it is one of the kernel's interface filesystems, whose
 * "regular files" are views of kernel state (procfs, sysfs, cgroup control files...); NULL for
 * any other filesystem. */
const char *fs_kernel_filesystem(long f_type);
