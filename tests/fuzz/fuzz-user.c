/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a user spec and a container's passwd and group files, as untrusted bytes. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: SPEC '\n' PASSWD '\0' GROUP. The spec is a C string (it comes from argv or the
 * engine's JSON); the files are bytes, with no terminating NUL of their own. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *nl = memchr(data, '\n', size), *sep;
        const char *passwd, *group = NULL;
        size_t passwd_len, group_len = 0;
        struct nsx_error err = {};
        struct exec_user u = {};
        char spec[600];
        char **envp = NULL;

        if (!nl || (size_t) (nl - data) >= sizeof(spec))
                return 0;
        memcpy(spec, data, (size_t) (nl - data));
        spec[nl - data] = '\0';
        passwd = (const char *) nl + 1;
        passwd_len = size - (size_t) (nl - data) - 1;
        sep = memchr(passwd, '\0', passwd_len);
        if (sep) {
                group = (const char *) sep + 1;
                group_len = passwd_len - (size_t) ((const char *) sep - passwd) - 1;
                passwd_len = (size_t) ((const char *) sep - passwd);
        }

        (void) user_spec_check(spec, &err);
        if (user_resolve_from(spec, passwd, passwd_len, group, group_len, &u, &err) == 0) {
                /* What user_apply and the environment rely on after a success. */
                if (u.n_groups < 1 || u.n_groups > (size_t) NGROUPS_MAX || u.groups[0] != u.gid || !u.home ||
                    u.uid > 2147483647u || u.gid > 2147483647u || strchr(u.home, '\n') || strchr(u.home, ':'))
                        __builtin_trap();
                if (exec_env_build(NULL, "h", NULL, &u, NULL, &envp, &err) == 0)
                        exec_env_free(envp);
                exec_user_done(&u);
        } else if (strlen(err.message) >= sizeof(err.message) || strchr(err.message, '\n')) {
                __builtin_trap();
        }
        return 0;
}
