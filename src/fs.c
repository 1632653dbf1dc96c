/* SPDX-License-Identifier: MIT */
/* Small file-system helpers shared by every module: openat2, bounded reads, kernel filesystems. */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

int fs_openat2(int dirfd, const char *path, int flags, uint64_t resolve) {
#ifdef SYS_openat2
        /* struct open_how, version 0: the kernel's ABI, spelled out so that headers without
         * linux/openat2.h build too. */
        struct {
                uint64_t flags;
                uint64_t mode;
                uint64_t resolve;
        } how = {.flags = (uint64_t) (flags | O_CLOEXEC), .resolve = resolve};
        int fd;

        fd = (int) syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        return fd < 0 ? -errno : fd;
#else
        (void) dirfd;
        (void) path;
        (void) flags;
        (void) resolve;
        return -ENOSYS;
#endif
}

int fs_read(int fd, void *buf, size_t size, size_t *ret_len) {
        size_t len = 0;
        ssize_t n;

        while (len < size && (n = read(fd, (char *) buf + len, size - len)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                len += (size_t) n;
        }
        *ret_len = len;
        return len == size ? -EFBIG : 0;
}

int fs_read_at(int dirfd, const char *path, int open_flags, void *buf, size_t size, size_t *ret_len) {
        _cleanup_close_ int fd = -1;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | open_flags);
        if (fd < 0)
                return -errno;
        return fs_read(fd, buf, size, ret_len);
}

int fs_read_all_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (;;) {
                char *nb;
                size_t n;
                int r;

                /* Doubling, up to one byte more than max: a file that fills that is too large. */
                cap = cap ? cap * 2 : 16384;
                if (cap > max + 1)
                        cap = max + 1;
                nb = realloc(buf, cap + 1); /* and the NUL */
                if (!nb)
                        return -ENOMEM;
                buf = nb;
                r = fs_read(fd, buf + len, cap - len, &n);
                if (r < 0 && r != -EFBIG)
                        return r;
                len += n;
                if (r == 0)
                        break;
                if (len > max)
                        return -EFBIG;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* A deny-list, not an allow-list: engines keep their files wherever their data-root or run
 * directory lives (ext4, xfs, btrfs, zfs, overlayfs for Docker in Docker, tmpfs under /run, nfs,
 * fuse for rootless set-ups), and a container's /etc may be on any of them too; an unlisted one
 * would turn a working set-up into exit 125. These, by contrast, are a closed set that no engine
 * writes its files to and whose files, read as host root, are the kernel's: never a passwd file
 * or an engine's resolv.conf, whatever was bind-mounted there. */
#ifndef CONFIGFS_MAGIC
#define CONFIGFS_MAGIC 0x62656570
#endif
#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif
#ifndef FUSECTL_SUPER_MAGIC
#define FUSECTL_SUPER_MAGIC 0x65735543
#endif

static const struct {
        uint32_t magic;
        const char *name;
} kernel_filesystems[] = {
        {PROC_SUPER_MAGIC, "proc"},       {SYSFS_MAGIC, "sysfs"},
        {CGROUP_SUPER_MAGIC, "cgroup"},   {CGROUP2_SUPER_MAGIC, "cgroup2"},
        {DEBUGFS_MAGIC, "debugfs"},       {TRACEFS_MAGIC, "tracefs"},
        {SECURITYFS_MAGIC, "securityfs"}, {BPF_FS_MAGIC, "bpf"},
        {CONFIGFS_MAGIC, "configfs"},     {EFIVARFS_MAGIC, "efivarfs"},
        {PSTOREFS_MAGIC, "pstore"},       {SELINUX_MAGIC, "selinuxfs"},
        {SMACK_MAGIC, "smackfs"},         {BINFMTFS_MAGIC, "binfmt_misc"},
        {DEVPTS_SUPER_MAGIC, "devpts"},   {NSFS_MAGIC, "nsfs"},
        {MQUEUE_MAGIC, "mqueue"},         {HUGETLBFS_MAGIC, "hugetlbfs"},
        {FUSECTL_SUPER_MAGIC, "fusectl"}, {RDTGROUP_SUPER_MAGIC, "resctrl"},
        {XENFS_SUPER_MAGIC, "xenfs"},     {USBDEVICE_SUPER_MAGIC, "usbdevfs"},
};

const char *fs_kernel_filesystem(long f_type) {
        /* As 32 bits: f_type of a magic above 0x7fffffff (selinuxfs) may come sign-extended. */
        for (size_t i = 0; i < ELEMENTSOF(kernel_filesystems); i++)
                if ((uint32_t) f_type == kernel_filesystems[i].magic)
                        return kernel_filesystems[i].name;
        return NULL;
}
