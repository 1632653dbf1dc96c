/* SPDX-License-Identifier: MIT */
/* The container's passwd and group, read and parsed by us (never NSS), and docker exec's environment. */
#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fs.h"
#include "util.h"

/* runc's bound (libcontainer/user): IDs fit a signed 32-bit int, so 4294967295 ((uid_t) -1,
 * "no change" to setresuid) can never be asked for. */
#define USER_ID_MAX 2147483647UL

/* The longest USER or GROUP name taken from a spec (useradd's limit is far lower). */
#define USER_NAME_MAX 256

/* --- files ------------------------------------------------------------------------------- */

/* Kernels before 5.6: no symlink is followed at all, in "etc" or the file; a symlinked file
 * is then refused as not regular (O_PATH|O_NOFOLLOW opens the link itself). */
static int open_no_symlinks(int root_fd, const char *dir, const char *file) {
        _cleanup_close_ int dfd = openat(root_fd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int fd;

        if (dfd < 0)
                return -errno;
        fd = openat(dfd, file, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* Reads the container's /etc/NAME. *ret NULL: the file is absent (docker then treats it as
 * empty). Refused: anything that is not a regular file (a FIFO would block, a device node made
 * by the container would be read as host root), a pseudo filesystem, more than USER_FILE_MAX. */
static int read_container_file(int root_fd, const char *name, char **ret, size_t *ret_len, struct nsx_error *err) {
        _cleanup_close_ int pfd = -1, fd = -1;
        _cleanup_free_ char *buf = NULL;
        char path[64], self[64];
        struct statfs sfs;
        struct stat st;
        size_t len;
        int r;

        snprintf(path, sizeof(path), "etc/%s", name);
        /* Every symlink, absolute or "../../..", resolves inside the container's root, as it
         * would for the container's own processes; no /proc magic link jumps out. */
        pfd = fs_openat2(root_fd, path, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (pfd == -ENOSYS)
                pfd = open_no_symlinks(root_fd, "etc", name);
        if (pfd < 0) {
                if (pfd == -ENOENT || pfd == -ENOTDIR) {
                        *ret = NULL;
                        *ret_len = 0;
                        return 0;
                }
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -pfd, "cannot open the container's /etc/%s", name);
        }
        if (fstat(pfd, &st) < 0 || fstatfs(pfd, &sfs) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot examine the container's /etc/%s", name);
        if (!S_ISREG(st.st_mode))
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                     "refusing the container's /etc/%s: it is not a regular file", name);
        if (fs_kernel_filesystem((long) sfs.f_type))
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL,
                                     "refusing the container's /etc/%s: it is on a kernel pseudo filesystem", name);
        if (st.st_size > (off_t) USER_FILE_MAX)
                return nsx_error_set(err, NSX_ERR_FAILED, EFBIG, "refusing the container's /etc/%s: larger than %u MiB",
                                     name, USER_FILE_MAX / (1024 * 1024));

        /* Reopen the very inode checked above (our /proc: nothing is entered yet), not the
         * path again, which the container could swap for a FIFO or a device meanwhile. */
        snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
        fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot read the container's /etc/%s", name);

        buf = malloc(USER_FILE_MAX + 1);
        if (!buf)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        /* The size may grow after the check: read at most one byte more than allowed, and a
         * file that fills that (-EFBIG) is too large. */
        r = fs_read(fd, buf, USER_FILE_MAX + 1, &len);
        if (r < 0 && r != -EFBIG)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -r, "cannot read the container's /etc/%s", name);
        if (r == -EFBIG)
                return nsx_error_set(err, NSX_ERR_FAILED, EFBIG, "refusing the container's /etc/%s: larger than %u MiB",
                                     name, USER_FILE_MAX / (1024 * 1024));
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* --- parsing ----------------------------------------------------------------------------- */

/* A piece of an untrusted buffer: never NUL-terminated, never read past len. */
struct span {
        const char *p;
        size_t len;
};

static bool span_eq_span(struct span a, struct span b) {
        return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* Decimal digits only (no sign, no space), at most USER_ID_MAX. -ERANGE for a number too big,
 * -EINVAL for anything that is not a number. */
static int parse_id(struct span s, unsigned long *ret) {
        unsigned long v = 0;

        if (s.len == 0)
                return -EINVAL;
        for (size_t i = 0; i < s.len; i++)
                if (s.p[i] < '0' || s.p[i] > '9')
                        return -EINVAL;
        for (size_t i = 0; i < s.len; i++) {
                v = v * 10 + (unsigned long) (s.p[i] - '0');
                if (v > USER_ID_MAX)
                        return -ERANGE;
        }
        *ret = v;
        return 0;
}

/* The next line of buf from *pos, trimmed of blanks (runc trims too), and whether there was one. */
static bool next_line(const char *buf, size_t len, size_t *pos, struct span *ret) {
        size_t start = *pos, end;

        if (!buf || start >= len)
                return false;
        end = start;
        while (end < len && buf[end] != '\n')
                end++;
        *pos = end < len ? end + 1 : end;
        while (start < end && (buf[start] == ' ' || buf[start] == '\t' || buf[start] == '\r'))
                start++;
        while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t' || buf[end - 1] == '\r'))
                end--;
        *ret = (struct span){buf + start, end - start};
        return true;
}

/* Splits a line at ':' into at most max fields; returns how many there were (more than max:
 * the last one holds the rest). */
static size_t split_fields(struct span line, struct span *fields, size_t max) {
        size_t n = 0, start = 0;

        for (size_t i = 0; i <= line.len && n < max; i++)
                if (i == line.len || (line.p[i] == ':' && n + 1 < max)) {
                        fields[n++] = (struct span){line.p + start, i - start};
                        start = i + 1;
                }
        return n;
}

/* Lines no lookup may match: blank, comments, NIS compat entries ("+", "+name", "-name":
 * they refer to NIS, which we never ask). */
static bool line_ignored(struct span line) {
        return line.len == 0 || line.p[0] == '#' || line.p[0] == '+' || line.p[0] == '-';
}

struct passwd_entry {
        struct span name;
        unsigned long uid, gid;
        struct span home;
};

/* A passwd line, name:password:UID:GID:GECOS:directory:shell. Lines with fewer than four
 * fields, an empty name or an ID that is not a number in range are skipped: runc would read
 * such an ID as 0, i.e. root. */
static bool parse_passwd_line(struct span line, struct passwd_entry *ret) {
        struct span f[7] = {};
        size_t n;

        if (line_ignored(line))
                return false;
        n = split_fields(line, f, ELEMENTSOF(f));
        if (n < 4 || f[0].len == 0 || parse_id(f[2], &ret->uid) < 0 || parse_id(f[3], &ret->gid) < 0)
                return false;
        ret->name = f[0];
        ret->home = n > 5 ? f[5] : (struct span){"", 0};
        return true;
}

/* A group line, name:password:GID:member,member,... The same rules as passwd lines. */
static bool parse_group_line(struct span line, struct span *ret_name, unsigned long *ret_gid,
                             struct span *ret_members) {
        struct span f[4] = {};
        size_t n;

        if (line_ignored(line))
                return false;
        n = split_fields(line, f, ELEMENTSOF(f));
        if (n < 3 || f[0].len == 0 || parse_id(f[2], ret_gid) < 0)
                return false;
        *ret_name = f[0];
        *ret_members = n > 3 ? f[3] : (struct span){"", 0};
        return true;
}

static bool member_of(struct span members, struct span name) {
        size_t start = 0;

        for (size_t i = 0; i <= members.len; i++)
                if (i == members.len || members.p[i] == ',') {
                        if (i - start == name.len && memcmp(members.p + start, name.p, name.len) == 0)
                                return true;
                        start = i + 1;
                }
        return false;
}

/* --- the spec ---------------------------------------------------------------------------- */

static bool name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-' || c == '@' || c == '$';
}

/* A name as shadow's useradd and Debian's adduser allow it, loosely: letters, digits, "_ . -
 * @ $", not starting with '-'; or a number. */
static bool spec_part_valid(struct span s) {
        if (s.len == 0 || s.len > USER_NAME_MAX || s.p[0] == '-')
                return false;
        for (size_t i = 0; i < s.len; i++)
                if (!name_char(s.p[i]))
                        return false;
        return true;
}

/* The spec, cut short and made safe for a message. */
static void spec_quote(const char *spec, char *buf, size_t size) {
        size_t n = strnlen(spec, size - 1);

        memcpy(buf, spec, n);
        buf[n] = '\0';
        nsx_sanitize(buf);
}

static int bad_spec(const char *spec, const char *why, struct nsx_error *err) {
        char q[96];

        spec_quote(spec, q, sizeof(q));
        return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "invalid user '%s': %s", q, why);
}

/* spec → user and group parts (group.p NULL when there is none). */
static int spec_split(const char *spec, struct span *ret_user, struct span *ret_group, struct nsx_error *err) {
        const char *colon = strchr(spec, ':');
        struct span user, group = {};
        unsigned long id;

        if (strlen(spec) > 2 * USER_NAME_MAX + 1)
                return bad_spec(spec, "too long", err);
        user = (struct span){spec, colon ? (size_t) (colon - spec) : strlen(spec)};
        if (colon) {
                if (strchr(colon + 1, ':'))
                        return bad_spec(spec, "expected USER[:GROUP]", err);
                group = (struct span){colon + 1, strlen(colon + 1)};
        }
        if (!spec_part_valid(user) || (colon && !spec_part_valid(group)))
                return bad_spec(spec,
                                "expected USER[:GROUP], each a name (letters, digits, '_', '.', '-', '@', '$') or a "
                                "numeric ID",
                                err);
        if (parse_id(user, &id) == -ERANGE || (colon && parse_id(group, &id) == -ERANGE))
                return bad_spec(spec, "user and group IDs must be in the range 0-2147483647", err);
        *ret_user = user;
        *ret_group = group;
        return 0;
}

int user_spec_check(const char *spec, struct nsx_error *err) {
        struct span u, g;
        int r;

        r = spec[0] ? spec_split(spec, &u, &g, err) : bad_spec(spec, "empty", err);
        /* From the command line: a usage error. From the engine (Config.User): not. */
        if (r < 0 && err)
                err->kind = NSX_ERR_USAGE;
        return r;
}

/* --- resolution -------------------------------------------------------------------------- */

static int span_error(const char *what, struct span s, const char *file, struct nsx_error *err) {
        char name[USER_NAME_MAX + 1];

        snprintf(name, sizeof(name), "%.*s", (int) s.len, s.p);
        nsx_sanitize(name);
        /* runc's wording, which docker exec prints. */
        return nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "unable to find %s %s: no matching entries in %s file", what,
                             name, file);
}

static int add_group(gid_t **groups, size_t *n, size_t *room, unsigned long gid, struct nsx_error *err) {
        if (*n >= (size_t) NGROUPS_MAX)
                return nsx_error_set(err, NSX_ERR_FAILED, E2BIG, "the user is in more than %d groups", NGROUPS_MAX);
        if (*n == *room) {
                size_t r = *room ? *room * 2 : 8;
                gid_t *g = reallocarray(*groups, r, sizeof(**groups));

                if (!g)
                        return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                *groups = g;
                *room = r;
        }
        (*groups)[(*n)++] = (gid_t) gid;
        return 0;
}

int user_resolve_from(const char *spec, const char *passwd, size_t passwd_len, const char *group, size_t group_len,
                      struct exec_user *ret, struct nsx_error *err) {
        _cleanup_free_ gid_t *groups = NULL;
        struct span user_arg = {}, group_arg = {}, line, matched = {}, home = {"/", 1};
        unsigned long uid = 0, gid = 0, uid_arg = 0, gid_arg = 0;
        bool uid_numeric = false, gid_numeric = false, found = false;
        size_t pos = 0, n_groups = 0, room = 0;
        char *home_copy;
        int r;

        if (spec[0]) {
                r = spec_split(spec, &user_arg, &group_arg, err);
                if (r < 0)
                        return r;
                uid_numeric = parse_id(user_arg, &uid_arg) == 0;
                gid_numeric = group_arg.p && parse_id(group_arg, &gid_arg) == 0;
        }

        /* The user: by name, by UID, or (spec "") root's entry; the first match wins. */
        while (next_line(passwd, passwd_len, &pos, &line)) {
                struct passwd_entry e;

                bool match;

                if (!parse_passwd_line(line, &e))
                        continue;
                if (!user_arg.len)
                        match = e.uid == 0;
                else if (uid_numeric)
                        match = e.uid == uid_arg; /* a number is always a UID, never a name */
                else
                        match = span_eq_span(e.name, user_arg);
                if (match) {
                        found = true;
                        matched = e.name;
                        uid = e.uid;
                        gid = e.gid;
                        if (e.home.len)
                                home = e.home;
                        break;
                }
        }
        if (!found && user_arg.len) {
                if (!uid_numeric)
                        return span_error("user", user_arg, "passwd", err);
                uid = uid_arg; /* a numeric UID needs no entry: gid 0, home "/" */
        }

        /* The group: an explicit one replaces the primary GID; otherwise a matched name's
         * memberships are its supplementary groups. */
        r = add_group(&groups, &n_groups, &room, 0, err); /* the primary GID's slot, filled below */
        if (r < 0)
                return r;
        if (group_arg.p || found) {
                bool group_found = false;

                pos = 0;
                while (next_line(group, group_len, &pos, &line)) {
                        struct span name, members;
                        unsigned long g;

                        if (!parse_group_line(line, &name, &g, &members))
                                continue;
                        if (!group_arg.p) {
                                if (member_of(members, matched) &&
                                    (r = add_group(&groups, &n_groups, &room, g, err)) < 0)
                                        return r;
                                continue;
                        }
                        if (gid_numeric ? g == gid_arg : span_eq_span(name, group_arg)) {
                                group_found = true;
                                gid = g;
                                break;
                        }
                }
                if (group_arg.p && !group_found) {
                        if (!gid_numeric)
                                return span_error("group", group_arg, "group", err);
                        gid = gid_arg;
                }
        }
        /* docker's AdditionalGids: the primary GID first, then the supplementary ones. */
        groups[0] = (gid_t) gid;

        home_copy = strndup(home.p, home.len);
        if (!home_copy)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        *ret = (struct exec_user){
                .uid = (uid_t) uid,
                .gid = (gid_t) gid,
                .groups = TAKE_PTR(groups),
                .n_groups = n_groups,
                .home = home_copy,
        };
        return 0;
}

int user_resolve(int root_fd, const char *spec, struct exec_user *ret, struct nsx_error *err) {
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        size_t passwd_len = 0, group_len = 0;
        int r;

        /* A malformed spec is refused before any file of the container is opened. */
        if (spec[0]) {
                struct span u, g;

                r = spec_split(spec, &u, &g, err);
                if (r < 0)
                        return r;
        }
        r = read_container_file(root_fd, "passwd", &passwd, &passwd_len, err);
        if (r < 0)
                return r;
        r = read_container_file(root_fd, "group", &group, &group_len, err);
        if (r < 0)
                return r;
        return user_resolve_from(spec, passwd, passwd_len, group, group_len, ret, err);
}

void exec_user_check_setgroups(struct exec_user *u, int procfd) {
        char buf[16] = {};
        size_t len = 0;
        int r;

        /* "allow\n" or "deny\n": the first bytes are all we need, a longer text is cut. */
        r = fs_read_at(procfd, "setgroups", 0, buf, sizeof(buf) - 1, &len);
        u->setgroups_denied = (r == 0 || r == -EFBIG) && len > 0 && strncmp(buf, "deny", 4) == 0;
}

int user_apply(const struct exec_user *u, struct nsx_error *err) {
        /* Groups first, while we may still change them; then the GID; the UID last, since it
         * gives up the right to change the others. Each must succeed: a half-switched process
         * never runs the container's command. */
        if (setgroups(u->n_groups, u->groups) < 0 && !(errno == EPERM && u->setgroups_denied))
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot set the supplementary groups");
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot change to group ID %u",
                                           (unsigned) u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot change to user ID %u",
                                           (unsigned) u->uid);
        return 0;
}

void exec_user_done(struct exec_user *u) {
        free(u->groups);
        free(u->home);
        u->groups = NULL;
        u->home = NULL;
        u->n_groups = 0;
}

/* --- environment ------------------------------------------------------------------------- */

struct env_list {
        char **v;
        size_t n, room;
};

static size_t env_key_len(const char *entry) {
        const char *eq = strchr(entry, '=');

        return eq ? (size_t) (eq - entry) : strlen(entry);
}

static ssize_t env_find(const struct env_list *l, const char *key, size_t key_len) {
        for (size_t i = 0; i < l->n; i++)
                if (env_key_len(l->v[i]) == key_len && strncmp(l->v[i], key, key_len) == 0)
                        return (ssize_t) i;
        return -1;
}

/* moby's ReplaceOrAppendEnvValues, one entry: KEY=VALUE replaces KEY in place or appends;
 * KEY alone removes it. */
static int env_apply(struct env_list *l, const char *entry) {
        size_t key_len = env_key_len(entry);
        ssize_t i = env_find(l, entry, key_len);
        char *copy;

        if (!strchr(entry, '=')) {
                if (i >= 0) {
                        free(l->v[i]);
                        memmove(&l->v[i], &l->v[i + 1], (l->n - (size_t) i) * sizeof(*l->v)); /* with the NULL */
                        l->n--;
                }
                return 0;
        }
        copy = strdup(entry);
        if (!copy)
                return -ENOMEM;
        if (i >= 0) {
                free(l->v[i]);
                l->v[i] = copy;
                return 0;
        }
        if (l->n + 1 >= l->room) {
                size_t r = l->room ? l->room * 2 : 16;
                char **v = reallocarray(l->v, r, sizeof(*v));

                if (!v) {
                        free(copy);
                        return -ENOMEM;
                }
                l->v = v;
                l->room = r;
        }
        l->v[l->n++] = copy;
        l->v[l->n] = NULL;
        return 0;
}

static int env_apply_fmt(struct env_list *l, const char *key, const char *value) {
        _cleanup_free_ char *entry = NULL;

        if (asprintf(&entry, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return env_apply(l, entry);
}

int exec_env_build(char *const *config_env, const char *hostname, const char *term, const struct exec_user *u,
                   char *const *overrides, char ***ret_envp, struct nsx_error *err) {
        struct env_list l = {};
        int r;

        /* docker's CreateDaemonEnvironment: the defaults, which Config.Env may replace. */
        r = env_apply_fmt(&l, "PATH", EXEC_DEFAULT_PATH);
        if (r >= 0 && hostname && hostname[0])
                r = env_apply_fmt(&l, "HOSTNAME", hostname);
        if (r >= 0 && term)
                r = env_apply_fmt(&l, "TERM", term);
        for (size_t i = 0; r >= 0 && config_env && config_env[i]; i++)
                r = env_apply(&l, config_env[i]);
        for (size_t i = 0; r >= 0 && overrides && overrides[i]; i++)
                r = env_apply(&l, overrides[i]);
        /* runc's rule: HOME from the user's passwd entry unless the environment has one. */
        if (r >= 0 && env_find(&l, "HOME", 4) < 0)
                r = env_apply_fmt(&l, "HOME", u && u->home ? u->home : "/");
        if (r < 0) {
                exec_env_free(l.v);
                return nsx_error_set(err, NSX_ERR_FAILED, -r, "out of memory");
        }
        *ret_envp = l.v;
        return 0;
}

void exec_env_free(char **envp) {
        for (size_t i = 0; envp && envp[i]; i++)
                free(envp[i]);
        free(envp);
}
