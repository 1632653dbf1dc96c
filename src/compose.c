/* SPDX-License-Identifier: MIT */
/* Compose services as targets: the project name Compose would use, the label-filtered list request, the pick. */
#include "compose.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int compose_project_normalize(const char *name, bool trim_leading, char *buf, size_t size) {
        size_t n = 0;

        if (size == 0)
                return -ENAMETOOLONG;
        for (const char *p = name; *p; p++) {
                char c = *p >= 'A' && *p <= 'Z' ? (char) (*p - 'A' + 'a') : *p;

                /* Bytes of non-ASCII characters are dropped: Compose lowercases them first, and
                 * what that gives is outside [a-z0-9_-] too. */
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                        continue;
                if (trim_leading && n == 0 && (c == '_' || c == '-'))
                        continue;
                if (n + 1 >= size)
                        return -ENAMETOOLONG;
                buf[n++] = c;
        }
        buf[n] = '\0';
        return (int) n;
}

int compose_project_pick(const char *env, const char *dir, char *buf, size_t size) {
        const char *base;
        char last[NAME_MAX + 1];
        size_t len;

        if (env && env[0])
                return compose_project_normalize(env, false, buf, size);
        if (size > 0)
                buf[0] = '\0';
        if (!dir)
                return 0;
        /* The last component, trailing slashes aside: "/" has none (v1 says "default", v2
         * refuses an empty name; there is no project to look for either way). */
        len = strlen(dir);
        while (len > 0 && dir[len - 1] == '/')
                len--;
        base = memrchr(dir, '/', len);
        base = base ? base + 1 : dir;
        len -= (size_t) (base - dir);
        if (len == 0 || len >= sizeof(last))
                return 0;
        memcpy(last, base, len);
        last[len] = '\0';
        return compose_project_normalize(last, true, buf, size);
}

static const char *const compose_files[] = {
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
};

int compose_project_dir(const char *cwd, char *buf, size_t size) {
        char path[PATH_MAX];
        size_t len;

        if (cwd[0] != '/')
                return -EINVAL;
        len = strlen(cwd);
        if (len >= size || len >= sizeof(path))
                return -ENAMETOOLONG;
        memcpy(path, cwd, len + 1);
        for (;;) {
                while (len > 1 && path[len - 1] == '/')
                        path[--len] = '\0';
                for (size_t i = 0; i < ELEMENTSOF(compose_files); i++) {
                        char file[PATH_MAX + 32];
                        struct stat st;

                        snprintf(file, sizeof(file), "%s/%s", len == 1 ? "" : path, compose_files[i]);
                        if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
                                memcpy(buf, path, len + 1);
                                return 0;
                        }
                }
                if (len == 1)
                        break;
                /* Up one: "/a/b" -> "/a", "/a" -> "/". */
                while (len > 1 && path[len - 1] != '/')
                        len--;
                path[len] = '\0';
        }
        memcpy(buf, cwd, strlen(cwd) + 1);
        return 0;
}

void compose_project_infer(char *buf, size_t size) {
        const char *env = getenv("COMPOSE_PROJECT_NAME"), *pwd = getenv("PWD");
        char cwd[PATH_MAX], dir[PATH_MAX];
        struct stat a, b;
        const char *wd = NULL;

        if (size == 0)
                return;
        buf[0] = '\0';
        if (env && env[0]) {
                if (compose_project_normalize(env, false, buf, size) < 0)
                        buf[0] = '\0';
                return;
        }
        if (pwd && pwd[0] == '/' && strlen(pwd) < sizeof(cwd) && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
            a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                wd = pwd;
        else if (getcwd(cwd, sizeof(cwd)))
                wd = cwd;
        if (!wd || compose_project_dir(wd, dir, sizeof(dir)) < 0)
                return;
        if (compose_project_pick(NULL, dir, buf, size) < 0)
                buf[0] = '\0';
}

/* Percent-encodes s onto buf at *n: all but RFC 3986's unreserved characters. */
static bool url_append(char *buf, size_t size, size_t *n, const char *s) {
        static const char hex[] = "0123456789ABCDEF";

        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                             *p == '-' || *p == '.' || *p == '_' || *p == '~';

                if (*n + (plain ? 1 : 3) >= size)
                        return false;
                if (plain)
                        buf[(*n)++] = (char) *p;
                else {
                        buf[(*n)++] = '%';
                        buf[(*n)++] = hex[*p >> 4];
                        buf[(*n)++] = hex[*p & 15];
                }
        }
        buf[*n] = '\0';
        return true;
}

/* A name that may go into the filter's JSON unescaped: what container_ref_check lets through,
 * or a normalized project name (which may start with '-' or '_'). */
static bool filter_name_valid(const char *s) {
        if (!s[0] || strlen(s) > COMPOSE_NAME_MAX)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                      *p == '.' || *p == '-'))
                        return false;
        return true;
}

int compose_list_path(const char *project, const char *service, char *buf, size_t size, struct nsx_error *err) {
        char filters[2 * COMPOSE_NAME_MAX + 160];
        size_t n = 0;
        int k;

        if (!filter_name_valid(project) || (service && !filter_name_valid(service)))
                return nsx_error_set(err, NSX_ERR_FAILED, EINVAL, "invalid Compose project or service name");
        if (service)
                k = snprintf(filters, sizeof(filters),
                             "{\"label\":[\"" COMPOSE_LABEL_PROJECT "=%s\",\"" COMPOSE_LABEL_SERVICE
                             "=%s\"],\"status\":[\"running\"]}",
                             project, service);
        else
                k = snprintf(filters, sizeof(filters),
                             "{\"label\":[\"" COMPOSE_LABEL_PROJECT "=%s\"],\"status\":[\"running\"]}", project);
        if (k < 0 || (size_t) k >= sizeof(filters))
                return nsx_error_set(err, NSX_ERR_FAILED, ENAMETOOLONG, "Compose project or service name too long");
        k = snprintf(buf, size, "/containers/json?filters=");
        if (k < 0 || (size_t) k >= size)
                return nsx_error_set(err, NSX_ERR_FAILED, ENAMETOOLONG, "Compose project or service name too long");
        n = (size_t) k;
        if (!url_append(buf, size < COMPOSE_LIST_PATH_MAX + 1 ? size : COMPOSE_LIST_PATH_MAX + 1, &n, filters))
                return nsx_error_set(err, NSX_ERR_FAILED, ENAMETOOLONG, "Compose project or service name too long");
        return 0;
}

bool compose_split_replica(const char *ref, char *service, size_t size, unsigned *ret_n) {
        const char *dash = strrchr(ref, '-');
        unsigned long v;

        if (!dash || dash == ref || dash[1] == '0' ||
            nsx_parse_decimal(dash + 1, strlen(dash + 1), COMPOSE_INDEX_MAX, &v) < 0 || v == 0)
                return false;
        if ((size_t) (dash - ref) >= size)
                return false;
        memcpy(service, ref, (size_t) (dash - ref));
        service[dash - ref] = '\0';
        *ret_n = (unsigned) v;
        return true;
}

static bool of_service(const struct container_summary *s, const char *project, const char *service) {
        return s->compose_project && s->compose_service && streq(s->compose_project, project) &&
               streq(s->compose_service, service);
}

static int by_number(const void *a, const void *b) {
        const struct container_summary *x = *(const struct container_summary *const *) a,
                                       *y = *(const struct container_summary *const *) b;

        if (x->compose_number != y->compose_number)
                return x->compose_number < y->compose_number ? -1 : 1;
        return strcmp(x->name, y->name);
}

/* "p-web-1, p-web-2", bounded: what does not fit ends in "...". */
static void names_of(const struct container_summary **v, size_t n, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                int k = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", v[i]->name);

                if (k < 0 || (size_t) k >= size - len) {
                        snprintf(buf + (len < size - 6 ? len : size - 6), 6, ", ...");
                        return;
                }
                len += (size_t) k;
        }
}

/* The running replicas of service, sorted by number; 1 when *ret holds replica number (or the
 * only one, number 0), 0 when the service has none running, or an error. */
static int pick_in(const struct container_summary *list, size_t n, const char *project, const char *service,
                   const char *ref, unsigned number, bool by_index, const struct container_summary **ret,
                   struct nsx_error *err) {
        _cleanup_free_ const struct container_summary **v = NULL;
        char names[320];
        size_t m = 0;

        v = calloc(n + 1, sizeof(*v));
        if (!v)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                if (of_service(&list[i], project, service))
                        v[m++] = &list[i];
        if (m == 0)
                return 0;
        qsort(v, m, sizeof(*v), by_number);
        names_of(v, m, names, sizeof(names));
        if (number == 0) {
                if (m == 1) {
                        *ret = v[0];
                        return 1;
                }
                nsx_error_set(err, NSX_ERR_FAILED, EEXIST,
                              "'%s' is Compose service %s of project %s with %zu running replicas: %s", ref, service,
                              project, m, names);
                nsx_error_hint(err, "name one: its container, %s-N or --index N", service);
                return -EEXIST;
        }
        for (size_t i = 0; i < m; i++)
                if (v[i]->compose_number == number) {
                        *ret = v[i];
                        return 1;
                }
        return nsx_error_set(err, NSX_ERR_FAILED, ENOENT,
                             "%s%s: Compose service %s of project %s has no running replica %u (running: %s)", ref,
                             by_index ? " --index" : "", service, project, number, names);
}

int compose_pick(const struct container_summary *list, size_t n, const char *project, const char *ref, unsigned index,
                 const struct container_summary **ret, unsigned *ret_number, struct nsx_error *err) {
        char service[COMPOSE_NAME_MAX + 1];
        unsigned number;
        int r;

        if (index > 0) {
                r = pick_in(list, n, project, ref, ref, index, true, ret, err);
                if (r > 0)
                        *ret_number = index;
                return r;
        }
        r = pick_in(list, n, project, ref, ref, 0, false, ret, err);
        if (r != 0) {
                if (r > 0)
                        *ret_number = 0;
                return r;
        }
        /* A service named as its v2 container is, less the project: web-2. */
        if (!compose_split_replica(ref, service, sizeof(service), &number))
                return 0;
        r = pick_in(list, n, project, service, ref, number, false, ret, err);
        if (r > 0)
                *ret_number = number;
        return r;
}
