/* SPDX-License-Identifier: MIT */
/* Where engines put containers in the cgroup tree, who owns that directory, and joining it. */
#include "cgroup.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "compat.h"
#include "container.h"
#include "fs.h"
#include "target.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define MOUNTINFO_MAX (4 << 20)
/* More components than any engine's layout has; a longer path is refused, not cut. */
#define PATH_COMPONENTS_MAX 64

/* --- where engines put containers (pure) ------------------------------------------------- */

struct comp {
        const char *s;
        size_t n;
};

static bool comp_is(struct comp c, const char *word) {
        return c.n == strlen(word) && memcmp(c.s, word, c.n) == 0;
}

static bool comp_ends(struct comp c, const char *suffix) {
        size_t n = strlen(suffix);
        return c.n > n && memcmp(c.s + c.n - n, suffix, n) == 0;
}

static bool comp_starts(struct comp c, const char *prefix) {
        size_t n = strlen(prefix);
        return c.n > n && memcmp(c.s, prefix, n) == 0;
}

static bool is_hex_id(const char *s, size_t n) {
        if (n != CONTAINER_ID_LEN)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

enum place {
        PLACE_ANY,    /* cgroupfs drivers: any parent (the default one or --cgroup-parent) */
        PLACE_SLICES, /* systemd: a scope sits in slices */
        PLACE_KUBE,   /* the kubelet's trees: /kubepods/… (cgroupfs), /kubepods.slice/… (systemd) */
};

/* The names engines give a container's cgroup. Podman's conmon ("libpod-conmon-ID") and CRI-O's
 * ("crio-conmon-ID") match none: they are not the container. */
static const struct form {
        const char *prefix, *suffix;
        enum place place;
        bool subgroup; /* crun may put the processes in a "container" sub-cgroup of it */
} forms[] = {
        {"", "", PLACE_ANY, false},                       /* Docker, containerd: cgroupfs */
        {"libpod-", "", PLACE_ANY, true},                 /* Podman: cgroupfs */
        {"docker-", ".scope", PLACE_SLICES, false},       /* Docker: systemd */
        {"libpod-", ".scope", PLACE_SLICES, true},        /* Podman: systemd */
        {"cri-containerd-", ".scope", PLACE_KUBE, false}, /* containerd's CRI: systemd */
        {"crio-", ".scope", PLACE_KUBE, false},           /* CRI-O: systemd */
        {"crio-", "", PLACE_KUBE, false},                 /* CRI-O: cgroupfs */
};

/* The form of a component that names the container id (any container when id is NULL). */
static const struct form *component_form(struct comp c, const char *id) {
        for (size_t i = 0; i < ELEMENTSOF(forms); i++) {
                const struct form *f = &forms[i];
                size_t plen = strlen(f->prefix), slen = strlen(f->suffix);

                if (c.n != plen + CONTAINER_ID_LEN + slen || memcmp(c.s, f->prefix, plen) != 0 ||
                    memcmp(c.s + c.n - slen, f->suffix, slen) != 0)
                        continue;
                if (id ? memcmp(c.s + plen, id, CONTAINER_ID_LEN) == 0 : is_hex_id(c.s + plen, CONTAINER_ID_LEN))
                        return f;
        }
        return NULL;
}

/* Splits an absolute path into components; false for a relative path, an empty component
 * ("//"), or too many. "/" has none. */
static bool split_path(const char *path, size_t len, struct comp *v, size_t *ret_n) {
        size_t n = 0;

        if (len == 0 || path[0] != '/')
                return false;
        for (size_t i = 1; i < len;) {
                const char *slash = memchr(path + i, '/', len - i);
                size_t end = slash ? (size_t) (slash - path) : len;

                if (end == i || n == PATH_COMPONENTS_MAX)
                        return false;
                v[n++] = (struct comp){.s = path + i, .n = end - i};
                i = end + 1;
                if (slash && i == len)
                        return false; /* a trailing slash: no cgroup path has one */
        }
        *ret_n = n;
        return true;
}

static bool is_user_manager(struct comp c) {
        return comp_starts(c, "user@") && comp_ends(c, ".service");
}

/* /user.slice/user-UID.slice/user@UID.service/…: a systemd user manager's subtree, delegated to
 * that user, where rootless engines put their containers. */
static bool rootless_prefix(const struct comp *v, size_t n_ancestors, uid_t uid) {
        char slice[48], service[48];

        snprintf(slice, sizeof(slice), "user-%u.slice", (unsigned) uid);
        snprintf(service, sizeof(service), "user@%u.service", (unsigned) uid);
        return n_ancestors >= 3 && comp_is(v[0], "user.slice") && comp_is(v[1], slice) && comp_is(v[2], service);
}

bool cgroup_path_places_id(const char *path, size_t len, const char *id, uid_t engine_uid) {
        struct comp v[PATH_COMPONENTS_MAX];
        const struct form *f;
        size_t n, leaf;
        bool rootless;

        if (!id || !is_hex_id(id, strlen(id)) || !split_path(path, len, v, &n) || n == 0)
                return false;
        leaf = n - 1;
        f = component_form(v[leaf], id);
        if (!f && leaf > 0 && comp_is(v[leaf], "container")) {
                leaf--;
                f = component_form(v[leaf], id);
                if (f && !f->subgroup)
                        f = NULL;
        }
        if (!f)
                return false;

        /* v[0..leaf) are the ancestors. */
        rootless = rootless_prefix(v, leaf, engine_uid);
        for (size_t i = 0; i < leaf; i++) {
                /* Below another container: one with a writable cgroup namespace makes these. */
                if (component_form(v[i], NULL))
                        return false;
                /* A user's delegated subtree: that user names its cgroups as it likes. */
                if (is_user_manager(v[i]) && !(rootless && i == 2))
                        return false;
        }
        switch (f->place) {
        case PLACE_ANY:
                return true;
        case PLACE_KUBE:
                return leaf > 0 && (comp_is(v[0], "kubepods") || comp_is(v[0], "kubepods.slice"));
        case PLACE_SLICES:
                for (size_t i = 0; i < leaf; i++)
                        if (!comp_ends(v[i], ".slice") && !(rootless && i == 2))
                                return false;
                return true;
        }
        return false;
}

bool cgroup_path_names_id(const char *path, size_t len, const char *id) {
        if (!id || !is_hex_id(id, strlen(id)))
                return false;
        for (size_t i = 0; i < len;) {
                const char *slash = memchr(path + i, '/', len - i);
                size_t end = slash ? (size_t) (slash - path) : len;

                if (component_form((struct comp){.s = path + i, .n = end - i}, id))
                        return true;
                i = end + 1;
        }
        return false;
}

bool cgroup_line_next(const char *text, size_t len, size_t *pos, struct cgroup_line *ret) {
        const char *end = text + len;

        while (*pos < len) {
                const char *line = text + *pos;
                const char *eol = memchr(line, '\n', (size_t) (end - line));
                const char *c1, *c2;

                if (!eol)
                        eol = end;
                *pos = (size_t) (eol - text) + (eol < end);
                c1 = memchr(line, ':', (size_t) (eol - line));
                c2 = c1 ? memchr(c1 + 1, ':', (size_t) (eol - c1 - 1)) : NULL;
                if (!c2)
                        continue;
                *ret = (struct cgroup_line){
                        .controllers = c1 + 1,
                        .controllers_len = (size_t) (c2 - c1 - 1),
                        .path = c2 + 1,
                        .path_len = (size_t) (eol - c2 - 1),
                        .unified = c1 - line == 1 && line[0] == '0' && c2 == c1 + 1,
                };
                return true;
        }
        return false;
}

bool cgroup_text_places_id(const char *text, size_t len, const char *id, uid_t engine_uid) {
        struct cgroup_line l;
        size_t pos = 0;

        while (cgroup_line_next(text, len, &pos, &l))
                if (cgroup_path_places_id(l.path, l.path_len, id, engine_uid))
                        return true;
        return false;
}

/* --- our mounts of the hierarchies (pure parsing) ----------------------------------------- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. NULL for an embedded NUL or no
 * memory. */
static char *unescape(const char *s, size_t n) {
        char *out = malloc(n + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *o = (char) ((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                } else
                        *o = s[i];
                if (*o++ == '\0') {
                        free(out);
                        return NULL;
                }
        }
        *o = '\0';
        return out;
}

static void mount_done(struct cgroup_mount *m) {
        free(m->root);
        free(m->point);
        free(m->superopts);
        *m = (struct cgroup_mount){};
}
DEFINE_STRUCT_CLEANUP_FUNC(struct cgroup_mount, mount_done)

void cgroup_mounts_done(struct cgroup_mounts *m) {
        for (size_t i = 0; i < m->n; i++)
                mount_done(&m->v[i]);
        free(m->v);
        *m = (struct cgroup_mounts){};
}

#define MOUNTINFO_FIELDS_MAX 64

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTS".
 * Returns 1 with *ret for a cgroup mount, 0 for any other line, -ENOMEM. */
static int parse_mount_line(const char *line, size_t len, struct cgroup_mount *ret) {
        struct comp f[MOUNTINFO_FIELDS_MAX];
        size_t n = 0, sep = 0;
        bool v2;
        int id = 0;

        for (size_t i = 0; i < len && n < MOUNTINFO_FIELDS_MAX;) {
                const char *sp = memchr(line + i, ' ', len - i);
                size_t e = sp ? (size_t) (sp - line) : len;

                f[n++] = (struct comp){.s = line + i, .n = e - i};
                i = e + 1;
        }
        for (size_t i = 6; i < n && !sep; i++)
                if (comp_is(f[i], "-"))
                        sep = i;
        if (!sep || sep + 3 >= n)
                return 0;
        if (comp_is(f[sep + 1], "cgroup2"))
                v2 = true;
        else if (comp_is(f[sep + 1], "cgroup"))
                v2 = false;
        else
                return 0;
        /* The mount ID: digits only, as the kernel writes it. */
        if (f[0].n == 0 || f[0].n > 9)
                return 0;
        for (size_t i = 0; i < f[0].n; i++) {
                if (f[0].s[i] < '0' || f[0].s[i] > '9')
                        return 0;
                id = id * 10 + (f[0].s[i] - '0');
        }

        *ret = (struct cgroup_mount){.id = id, .unified = v2};
        ret->root = unescape(f[3].s, f[3].n);
        ret->point = unescape(f[4].s, f[4].n);
        ret->superopts = strndup(f[sep + 3].s, f[sep + 3].n);
        if (!ret->root || !ret->point || !ret->superopts) {
                mount_done(ret);
                /* An embedded NUL makes a path no mount can have: skip the line. */
                return errno == ENOMEM ? -ENOMEM : 0;
        }
        if (ret->root[0] != '/' || ret->point[0] != '/') {
                mount_done(ret);
                return 0;
        }
        return 1;
}

int cgroup_mounts_parse(const char *text, size_t len, struct cgroup_mounts *ret) {
        _cleanup_(cgroup_mounts_donep) struct cgroup_mounts m = {};
        const char *end = text + len;

        for (const char *line = text; line < end;) {
                const char *eol = memchr(line, '\n', (size_t) (end - line));
                _cleanup_(mount_donep) struct cgroup_mount one = {};
                int r;

                if (!eol)
                        eol = end;
                errno = 0;
                r = parse_mount_line(line, (size_t) (eol - line), &one);
                if (r < 0)
                        return r;
                if (r > 0) {
                        struct cgroup_mount *v = realloc(m.v, (m.n + 1) * sizeof(*v));

                        if (!v)
                                return -ENOMEM;
                        m.v = v;
                        m.v[m.n++] = TAKE_STRUCT(one, (struct cgroup_mount){});
                }
                line = eol + 1;
        }
        *ret = TAKE_STRUCT(m, (struct cgroup_mounts){});
        return 0;
}

/* Is item one of the comma-separated words of list? */
static bool list_has(const char *list, const char *item, size_t n) {
        for (const char *p = list; *p;) {
                size_t w = strcspn(p, ",");

                if (w == n && memcmp(p, item, n) == 0)
                        return true;
                p += w + (p[w] == ',');
        }
        return false;
}

/* The mount's root covers the path: "/" covers all, "/a" covers "/a" and "/a/…". */
static bool root_covers(const char *root, const char *path, size_t len) {
        size_t rlen = strlen(root);

        if (streq(root, "/"))
                return true;
        return len >= rlen && memcmp(path, root, rlen) == 0 && (len == rlen || path[rlen] == '/');
}

const struct cgroup_mount *cgroup_mounts_find(const struct cgroup_mounts *m, const struct cgroup_line *line) {
        for (size_t i = 0; i < m->n; i++) {
                const struct cgroup_mount *mt = &m->v[i];
                bool all = true;

                if (mt->unified != line->unified || !root_covers(mt->root, line->path, line->path_len))
                        continue;
                if (!line->unified) {
                        /* A v1 hierarchy is named by its controllers (or name=…), each bound to
                         * one hierarchy only: every one of the line's must be in the superblock
                         * options. A line with none names no hierarchy we can find. */
                        if (line->controllers_len == 0)
                                continue;
                        for (size_t j = 0; j < line->controllers_len && all;) {
                                const char *c = line->controllers + j;
                                const char *comma = memchr(c, ',', line->controllers_len - j);
                                size_t w = comma ? (size_t) (comma - c) : line->controllers_len - j;

                                all = w > 0 && list_has(mt->superopts, c, w);
                                j += w + 1;
                        }
                }
                if (all)
                        return mt;
        }
        return NULL;
}

/* --- opening a cgroup safely --------------------------------------------------------------- */

int cgroup_read_text(int procfd, char *buf, size_t size, size_t *ret_len) {
        size_t len;
        int r;

        /* A full buffer is cut below, not refused. */
        r = fs_read_at(procfd, "cgroup", 0, buf, size, &len);
        if (r < 0 && r != -EFBIG)
                return r;
        /* Only whole lines: a line cut at the buffer's end could end in a shorter, different path
         * ("/docker/ID/x" cut to "/docker/ID"). The kernel ends every line with a newline. */
        while (len > 0 && buf[len - 1] != '\n')
                len--;
        *ret_len = len;
        return 0;
}

static int read_mounts(struct cgroup_mounts *ret, struct nsx_error *err) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        buf = malloc(MOUNTINFO_MAX);
        if (!buf)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        r = fs_read_at(AT_FDCWD, "/proc/self/mountinfo", 0, buf, MOUNTINFO_MAX, &len);
        if (r < 0 && r != -EFBIG)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -r, "cannot read /proc/self/mountinfo");
        /* A full buffer is cut, to whole lines only: cut super options ("rw,cpuacct" to "rw,cpu")
         * would name another hierarchy. */
        while (len > 0 && buf[len - 1] != '\n')
                len--;
        r = cgroup_mounts_parse(buf, len, ret);
        if (r < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, -r, "out of memory");
        return 0;
}

/* rel (no ".", "..", or empty component) below dirfd, no symlink followed, on dirfd's mount.
 * openat2(2) does it in one call; before Linux 5.6 the same walk is done one component at a
 * time with O_NOFOLLOW, checking the device at each step. -errno. */
static int open_beneath(int dirfd, const char *rel, int flags) {
        _cleanup_close_ int cur = -1;
        struct stat base, st;
        int fd;

        fd = fs_openat2(dirfd, rel, flags,
                        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS);
        if (fd != -ENOSYS)
                return fd;

        if (fstat(dirfd, &base) < 0)
                return -errno;
        cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return -errno;
        for (const char *c = rel; *c;) {
                size_t w = strcspn(c, "/");
                char name[NAME_MAX + 1];
                bool last = c[w] == '\0';

                if (w > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, c, w);
                name[w] = '\0';
                fd = openat(cur, name, (last ? flags : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                safe_close(cur);
                cur = fd;
                if (fstat(cur, &st) < 0)
                        return -errno;
                if (st.st_dev != base.st_dev)
                        return -EXDEV;
                c += w + !last;
        }
        return TAKE_FD(cur);
}

/* The mount's root: its mount point, opened without following a symlink, must be this mount and
 * not another one mounted over it. */
static int open_mount(const struct cgroup_mount *m, struct nsx_error *err) {
        _cleanup_close_ int fd = -1;
        struct statx stx;
        struct statfs sfs;

        fd = fs_openat2(AT_FDCWD, m->point, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
        if (fd == -ENOSYS) {
                fd = open(m->point, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        fd = -errno;
        }
        if (fd < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -fd, "cannot open the cgroup mount %s", m->point);
        if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_MNT_ID, &stx) == 0 &&
            (stx.stx_mask & STATX_MNT_ID)) {
                if (stx.stx_mnt_id != (uint64_t) m->id)
                        return nsx_error_set(err, NSX_ERR_FAILED, EXDEV,
                                             "the cgroup mount %s is covered by another mount", m->point);
        } else {
                /* Before Linux 5.8: at least the right kind of file system. */
                if (fstatfs(fd, &sfs) < 0)
                        return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot examine the cgroup mount %s",
                                                   m->point);
                if (sfs.f_type != (m->unified ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC))
                        return nsx_error_set(err, NSX_ERR_FAILED, EXDEV,
                                             "the cgroup mount %s is covered by another mount", m->point);
        }
        return TAKE_FD(fd);
}

int cgroup_dir_open(const struct cgroup_mount *mount, const char *path, size_t len, int *ret_fd,
                    struct nsx_error *err) {
        _cleanup_close_ int mfd = -1;
        char rel[PATH_MAX];
        size_t rlen = streq(mount->root, "/") ? 0 : strlen(mount->root);
        int fd;

        if (!root_covers(mount->root, path, len) || len - rlen >= sizeof(rel) || memchr(path, '\0', len))
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "malformed cgroup path %.*s",
                                     (int) (len < 200 ? len : 200), path);
        /* Relative to the mount's root, without the leading slash. */
        path += rlen;
        len -= rlen;
        while (len > 0 && *path == '/')
                path++, len--;
        memcpy(rel, path, len);
        rel[len] = '\0';
        for (const char *c = rel; *c;) {
                size_t w = strcspn(c, "/");

                /* No cgroup is named "." or "..": such a path is no cgroup's. */
                if (w == 0 || (w == 1 && c[0] == '.') || (w == 2 && c[0] == '.' && c[1] == '.'))
                        return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "malformed cgroup path %.200s", rel);
                c += w + (c[w] == '/');
        }

        mfd = open_mount(mount, err);
        if (mfd < 0)
                return mfd;
        fd = rel[0] == '\0' ? TAKE_FD(mfd) : open_beneath(mfd, rel, O_PATH | O_DIRECTORY);
        if (fd < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -fd, "cannot open the cgroup %s under %s", rel,
                                           mount->point);
        *ret_fd = fd;
        return 0;
}

/* --- the proof ------------------------------------------------------------------------------ */

static void note(struct cgroup_proof *p, enum cgroup_verdict v, const struct cgroup_line *l, uid_t owner) {
        /* The most telling verdict wins: a foreign owner says more than a missing mount, which says
         * more than a misplaced name. */
        static const int rank[] = {
                [CGROUP_PROVEN] = 4,    [CGROUP_FOREIGN] = 3,   [CGROUP_NOT_MOUNTED] = 2,
                [CGROUP_MISPLACED] = 1, [CGROUP_NOT_NAMED] = 0,
        };
        size_t n;

        if (rank[v] <= rank[p->verdict])
                return;
        n = l->path_len < sizeof(p->path) - 1 ? l->path_len : sizeof(p->path) - 1;
        p->verdict = v;
        memcpy(p->path, l->path, n);
        p->path[n] = '\0';
        nsx_sanitize(p->path);
        p->owner = owner;
}

int cgroup_prove(const char *text, size_t len, const char *id, uid_t engine_uid, struct cgroup_mounts *mounts,
                 struct cgroup_proof *ret, struct nsx_error *err) {
        struct cgroup_proof p = {.verdict = CGROUP_NOT_NAMED};
        struct cgroup_line l;
        size_t pos = 0;
        int r;

        while (cgroup_line_next(text, len, &pos, &l)) {
                const struct cgroup_mount *m;
                _cleanup_close_ int fd = -1;
                struct stat st;

                if (!cgroup_path_places_id(l.path, l.path_len, id, engine_uid)) {
                        if (cgroup_path_names_id(l.path, l.path_len, id))
                                note(&p, CGROUP_MISPLACED, &l, 0);
                        continue;
                }
                if (!mounts->loaded) {
                        r = read_mounts(mounts, err);
                        if (r < 0)
                                return r;
                        mounts->loaded = true;
                }
                m = cgroup_mounts_find(mounts, &l);
                if (!m) {
                        note(&p, CGROUP_NOT_MOUNTED, &l, 0);
                        continue;
                }
                r = cgroup_dir_open(m, l.path, l.path_len, &fd, err);
                if (r == -ENOENT) {
                        /* Removed since it was read: the process left it, or exited. */
                        note(&p, CGROUP_NOT_MOUNTED, &l, 0);
                        continue;
                }
                if (r < 0)
                        return r;
                if (fstat(fd, &st) < 0)
                        return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot examine the cgroup %.*s",
                                                   (int) (l.path_len < 200 ? l.path_len : 200), l.path);
                note(&p, st.st_uid == engine_uid ? CGROUP_PROVEN : CGROUP_FOREIGN, &l, st.st_uid);
                if (p.verdict == CGROUP_PROVEN)
                        break;
        }
        if (err)
                *err = (struct nsx_error){};
        *ret = p;
        return 0;
}

/* --- joining ------------------------------------------------------------------------------- */

int cgroup_join(const struct target *t, struct nsx_error *err) {
        _cleanup_(cgroup_mounts_donep) struct cgroup_mounts mounts = {};
        char text[CGROUP_TEXT_MAX], pid[24];
        struct cgroup_line l;
        size_t len, pos = 0;
        int r, n;

        r = cgroup_read_text(t->procfd, text, sizeof(text), &len);
        if (r == -ENOENT || r == -ESRCH)
                return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "PID %d exited before it could be entered",
                                     (int) t->pid);
        if (r < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -r, "cannot read the cgroups of PID %d", (int) t->pid);
        r = read_mounts(&mounts, err);
        if (r < 0)
                return r;
        n = snprintf(pid, sizeof(pid), "%d\n", (int) getpid());

        while (cgroup_line_next(text, len, &pos, &l)) {
                const struct cgroup_mount *m = cgroup_mounts_find(&mounts, &l);
                _cleanup_close_ int dfd = -1, fd = -1;
                int cut = (int) (l.path_len < 200 ? l.path_len : 200);
                ssize_t w;

                /* A hierarchy that is not mounted here (one the engine mounted only in its own
                 * mount namespace) cannot be written without mounting it: nothing on this host
                 * manages limits through it either. runc's exec, too, joins only the
                 * hierarchies it finds mounted. */
                if (!m)
                        continue;
                r = cgroup_dir_open(m, l.path, l.path_len, &dfd, err);
                if (r == -ENOENT)
                        return nsx_error_set(err, NSX_ERR_FAILED, ESRCH,
                                             "PID %d exited before it could be entered (its cgroup %.*s is gone)",
                                             (int) t->pid, cut, l.path);
                if (r < 0)
                        return r;
                fd = openat(dfd, "cgroup.procs", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return nsx_error_set_errno(err, NSX_ERR_FAILED, errno,
                                                   "cannot join the container's cgroup %.*s (under %s)", cut, l.path,
                                                   m->point);
                w = write(fd, pid, (size_t) n);
                if (w != n) {
                        int e = w < 0 ? errno : EIO;

                        return nsx_error_set_errno(err, NSX_ERR_FAILED, e,
                                                   "cannot join the container's cgroup %.*s (under %s)", cut, l.path,
                                                   m->point);
                }
        }
        return 0;
}
