/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a CRI runtime's protobuf answers as untrusted bytes, and resolution over them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool printable_name(const char *s, size_t max) {
        size_t len = strlen(s);

        if (len > max)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
                        return false;
        return true;
}

static bool id_ok(const char *s) {
        if (strlen(s) != CONTAINER_ID_LEN)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

/* Resolves typed; a success names a running container, an error is one clean line. */
static void check_resolve(const char *typed, const struct cri_container *v, size_t n, const struct cri_pod *pods,
                          size_t n_pods) {
        struct nsx_error err = {};
        size_t idx = SIZE_MAX;
        int r = cri_resolve(typed, v, n, pods, n_pods, &idx, &err);

        if (r == 0 && (idx >= n || v[idx].state != CRI_STATE_RUNNING))
                __builtin_trap();
        if (r < 0 && (idx != SIZE_MAX || err.errnum != -r || !err.message[0] || strchr(err.message, '\n')))
                __builtin_trap();
}

/* The runtime spec's user is "UID:GID", both decimal below 2^32-1, nothing else. */
static bool user_ok(const char *s) {
        size_t uid_len = strspn(s, "0123456789"), gid_len;

        if (uid_len == 0 || s[uid_len] != ':')
                return false;
        gid_len = strspn(s + uid_len + 1, "0123456789");
        return gid_len > 0 && !s[uid_len + 1 + gid_len] && strtoull(s, NULL, 10) < UINT32_MAX &&
               strtoull(s + uid_len + 1, NULL, 10) < UINT32_MAX;
}

/* Each entry has a key before its '=' without a control character: what execve gets. */
static bool env_ok(char *const *env) {
        size_t n = 0;

        for (; env && env[n]; n++) {
                size_t key = strcspn(env[n], "=");

                if (key == 0 || n >= CONTAINER_ENV_MAX)
                        return false;
                for (size_t i = 0; i < key; i++)
                        if ((unsigned char) env[n][i] < 0x20 || env[n][i] == 0x7f)
                                return false;
        }
        return true;
}

/* The first byte picks the parser: 0 containers (then resolution), 1 pods, 2 status, 3 version,
 * 4 pod status (its ports); the seeds are the tests/data/cri-*.bin fixtures behind that byte. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct nsx_error err = {};
        size_t n = 0;

        if (size < 1)
                return 0;
        switch (data[0] % 5) {
        case 0: {
                struct cri_container *v = NULL;
                static const char *const fixed[] = {"web", "web/app", "default/web/app", "a", "0", "d", "ab"};
                char label[1024], typed[80];

                if (cri_parse_list_containers(data + 1, size - 1, &v, &n, &err) < 0)
                        return 0;
                for (size_t i = 0; i < n; i++)
                        if (!id_ok(v[i].id) || !id_ok(v[i].sandbox_id) || !printable_name(v[i].name, 63) ||
                            strchr(v[i].name, '.') || !printable_name(v[i].pod, 253) || !printable_name(v[i].ns, 253) ||
                            v[i].state > CRI_STATE_UNKNOWN)
                                __builtin_trap();
                for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
                        check_resolve(fixed[i], v, n, NULL, 0);
                for (size_t i = 0; i < n && i < 8; i++) {
                        cri_container_label(&v[i], label, sizeof(label));
                        check_resolve(label, v, n, NULL, 0);
                        check_resolve(v[i].id, v, n, NULL, 0);
                        snprintf(typed, sizeof(typed), "%.3s", v[i].id);
                        check_resolve(typed, v, n, NULL, 0);
                        if (v[i].pod[0])
                                check_resolve(v[i].pod, v, n, NULL, 0);
                }
                free(v);
                break;
        }
        case 1: {
                struct cri_pod *p = NULL;

                if (cri_parse_list_pod_sandbox(data + 1, size - 1, &p, &n, &err) < 0)
                        return 0;
                for (size_t i = 0; i < n; i++)
                        if (!id_ok(p[i].id) || !p[i].name[0] || !printable_name(p[i].name, 253) ||
                            !printable_name(p[i].ns, 253) || !printable_name(p[i].default_container, 63))
                                __builtin_trap();
                free(p);
                break;
        }
        case 2: {
                struct cri_status s = {};

                if (cri_parse_container_status(data + 1, size - 1, &s, &err) < 0)
                        return 0;
                if (!id_ok(s.id) || s.pid < 0 || (s.sandbox_id[0] && !id_ok(s.sandbox_id)) ||
                    (s.resolv_conf_path && s.resolv_conf_path[0] != '/') || (s.hosts_path && s.hosts_path[0] != '/') ||
                    (s.user && !user_ok(s.user)) || !env_ok(s.env) ||
                    (s.hostname && (!s.hostname[0] || !container_hostname_valid(s.hostname))))
                        __builtin_trap();
                cri_status_done(&s);
                break;
        }
        case 4: {
                struct container_port *p = NULL;

                if (cri_parse_pod_sandbox_status(data + 1, size - 1, &p, &n, &err) < 0) {
                        if (p || n)
                                __builtin_trap();
                        return 0;
                }
                if ((n == 0) != (p == NULL))
                        __builtin_trap();
                /* Sorted, one entry per (protocol, port), sane ports and printable addresses. */
                for (size_t i = 0; i < n; i++) {
                        if (p[i].port < 1 || p[i].port > 65535 || p[i].proto > CONTAINER_PROTO_UDP || !p[i].exposed ||
                            (p[i].n_bindings == 0) != (p[i].bindings == NULL))
                                __builtin_trap();
                        if (i > 0 && (p[i].proto < p[i - 1].proto ||
                                      (p[i].proto == p[i - 1].proto && p[i].port <= p[i - 1].port)))
                                __builtin_trap();
                        for (size_t j = 0; j < p[i].n_bindings; j++) {
                                const char *ip = p[i].bindings[j].host_ip;

                                if (p[i].bindings[j].host_port < 1 || p[i].bindings[j].host_port > 65535 ||
                                    strspn(ip, "0123456789abcdefABCDEF.:") != strlen(ip))
                                        __builtin_trap();
                        }
                }
                container_ports_free(p, n);
                break;
        }
        default: {
                char a[64], b[64], c[64];

                if (cri_parse_version(data + 1, size - 1, a, sizeof(a), b, sizeof(b), c, sizeof(c), &err) < 0)
                        return 0;
                break;
        }
        }
        return 0;
}
