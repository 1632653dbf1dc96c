/* SPDX-License-Identifier: MIT */
/* --forward SPEC → struct forward_spec: a strict reading of user text, every refusal one line. */
#include "forward_spec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Longer than any valid SPEC ("[" 45 "]:65535:[" 45 "]:65535/udp" is 114): a longer one is
 * refused before it is looked at, and quoted no further than this in the message. */
#define SPEC_MAX 128
/* HOSTADDR, HOSTPORT, CADDR, CPORT. */
#define FIELDS_MAX 4

/* One field of the SPEC between ':' separators (brackets included), not NUL-terminated. */
struct field {
        const char *s;
        size_t len;
};

/* "--forward 'SPEC': WHY": SPEC and the parts quoted in WHY are the user's text, which
 * nsx_error_set sanitizes. */
__attribute__((format(printf, 3, 4))) static int refuse(struct nsx_error *err, const char *spec, const char *fmt, ...) {
        char why[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        return nsx_error_set(err, NSX_ERR_USAGE, EINVAL, "--forward '%.*s': %s", SPEC_MAX, spec, why);
}

/* With three fields, which of the first two is an address: one that cannot be a port (or a
 * port range, refused as such), i.e. a bracket, a dot, anything but digits and '-'. */
static bool is_addr_field(const struct field *f) {
        return f->len == 0 || strspn(f->s, "0123456789-") < f->len;
}

/* A port field: digits only, at most 65535; at least 1 for the container's (target) port. */
static int parse_port(const char *spec, const struct field *f, bool target, unsigned *ret, struct nsx_error *err) {
        unsigned long v;
        int r;

        if (memchr(f->s, '-', f->len))
                return refuse(err, spec, "port ranges are not supported ('%.*s')", (int) f->len, f->s);
        r = nsx_parse_decimal(f->s, f->len, 65535, &v);
        if (r == -EINVAL)
                return refuse(err, spec, "'%.*s' is not a %s port (decimal digits)", (int) f->len, f->s,
                              target ? "container" : "host");
        if (r < 0 || (target && v == 0))
                return refuse(err, spec, "%s port '%.*s' is out of range (%d to 65535)", target ? "container" : "host",
                              (int) f->len, f->s, target ? 1 : 0);
        *ret = (unsigned) v;
        return 0;
}

/* A numeric address: dotted IPv4, or IPv6 in brackets; no names, no zone. */
static int parse_addr(const char *spec, const struct field *f, struct sockaddr_storage *ret, socklen_t *ret_len,
                      struct nsx_error *err) {
        char text[INET6_ADDRSTRLEN + 1];

        if (f->len == 0)
                return refuse(err, spec, "an empty address");
        if (f->s[0] == '[') {
                struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ret;
                size_t inner = f->len - 2;

                /* The caller split at the bracket's end: f ends with ']'. */
                if (memchr(f->s, '%', f->len))
                        return refuse(err, spec, "zone ids are not supported ('%.*s')", (int) f->len, f->s);
                if (inner == 0 || inner >= sizeof(text))
                        return refuse(err, spec, "'%.*s' is not a numeric IPv6 address", (int) f->len, f->s);
                memcpy(text, f->s + 1, inner);
                text[inner] = '\0';
                *sin6 = (struct sockaddr_in6){.sin6_family = AF_INET6};
                if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1) {
                        struct in_addr a4;

                        if (inet_pton(AF_INET, text, &a4) == 1)
                                return refuse(err, spec, "brackets are for IPv6 addresses only ('%.*s')", (int) f->len,
                                              f->s);
                        return refuse(err, spec, "'%.*s' is not a numeric IPv6 address", (int) f->len, f->s);
                }
                *ret_len = sizeof(*sin6);
                return 0;
        }
        if (f->len < sizeof(text)) {
                struct sockaddr_in *sin = (struct sockaddr_in *) ret;

                memcpy(text, f->s, f->len);
                text[f->len] = '\0';
                *sin = (struct sockaddr_in){.sin_family = AF_INET};
                if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
                        *ret_len = sizeof(*sin);
                        return 0;
                }
        }
        if (memchr(f->s, '%', f->len))
                return refuse(err, spec, "zone ids are not supported ('%.*s')", (int) f->len, f->s);
        return refuse(err, spec, "'%.*s' is not a numeric IPv4 address or a bracketed IPv6 one (no host names)",
                      (int) f->len, f->s);
}

/* The default of either side: 127.0.0.1. */
static void loopback(struct sockaddr_storage *ret, socklen_t *ret_len) {
        struct sockaddr_in *sin = (struct sockaddr_in *) ret;

        *sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        *ret_len = sizeof(*sin);
}

static void set_port(struct sockaddr_storage *ss, unsigned port) {
        if (ss->ss_family == AF_INET)
                ((struct sockaddr_in *) ss)->sin_port = htons((uint16_t) port);
        else
                ((struct sockaddr_in6 *) ss)->sin6_port = htons((uint16_t) port);
}

static bool addr_unspecified(const struct sockaddr_storage *ss) {
        if (ss->ss_family == AF_INET)
                return ((const struct sockaddr_in *) ss)->sin_addr.s_addr == htonl(INADDR_ANY);
        return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *) ss)->sin6_addr);
}

/* Splits body (the SPEC without "/PROTO") at the ':' outside brackets. */
static int split_fields(const char *spec, const char *body, size_t len, struct field f[FIELDS_MAX], size_t *ret_n,
                        struct nsx_error *err) {
        size_t n = 0, i = 0;

        for (;;) {
                size_t start = i;

                if (n == FIELDS_MAX)
                        return refuse(err, spec, "too many ':' (IPv6 addresses go in brackets, e.g. [::1])");
                if (i < len && body[i] == '[') {
                        const char *close = memchr(body + i, ']', len - i);

                        if (!close)
                                return refuse(err, spec, "'%.*s' has no closing ']'", (int) (len - i), body + i);
                        i = (size_t) (close - body) + 1;
                        if (i < len && body[i] != ':')
                                return refuse(err, spec, "']' must be followed by ':' in '%.*s'", (int) (len - start),
                                              body + start);
                } else
                        for (; i < len && body[i] != ':'; i++)
                                if (body[i] == '[' || body[i] == ']')
                                        return refuse(err, spec, "misplaced bracket in '%.*s'", (int) (len - start),
                                                      body + start);
                f[n++] = (struct field){body + start, i - start};
                if (i == len)
                        break;
                i++; /* the ':' */
        }
        for (size_t k = 0; k < n; k++)
                if (f[k].len == 0) {
                        /* "::1:80", an IPv6 address without brackets, also ends here. */
                        if (memmem(body, len, "::", 2) && body[0] != '[')
                                return refuse(err, spec, "IPv6 addresses go in brackets, e.g. [::1]");
                        return refuse(err, spec, "an empty field");
                }
        *ret_n = n;
        return 0;
}

int forward_spec_parse(const char *s, struct forward_spec *ret, struct nsx_error *err) {
        struct forward_spec spec = {.proto = FORWARD_TCP};
        unsigned host_port = 0, target_port = 0;
        const struct field *haddr = NULL, *hport = NULL, *caddr = NULL, *cport = NULL;
        struct field f[FIELDS_MAX];
        const char *slash;
        size_t len, n = 0;
        int r;

        len = strlen(s);
        if (len == 0)
                return nsx_error_set(err, NSX_ERR_USAGE, EINVAL,
                                     "--forward '': empty (expected [HOSTADDR:]HOSTPORT:[CADDR:]CPORT[/PROTO])");
        if (len > SPEC_MAX)
                return refuse(err, s, "longer than any SPEC can be");

        slash = strchr(s, '/');
        if (slash) {
                if (streq(slash + 1, "tcp"))
                        spec.proto = FORWARD_TCP;
                else if (streq(slash + 1, "udp"))
                        spec.proto = FORWARD_UDP;
                else
                        return refuse(err, s, "unknown protocol '%.*s' (tcp or udp)", SPEC_MAX, slash + 1);
                len = (size_t) (slash - s);
        }

        r = split_fields(s, s, len, f, &n, err);
        if (r < 0)
                return r;
        switch (n) {
        case 1:
                cport = &f[0];
                break;
        case 2:
                hport = &f[0];
                cport = &f[1];
                break;
        case 3:
                /* An address first is the host's (docker's -p), second the container's (ssh's -L). */
                if (is_addr_field(&f[0])) {
                        haddr = &f[0];
                        hport = &f[1];
                } else {
                        hport = &f[0];
                        caddr = &f[1];
                }
                cport = &f[2];
                break;
        default:
                haddr = &f[0];
                hport = &f[1];
                caddr = &f[2];
                cport = &f[3];
                break;
        }
        /* Left to right, so that the message names the first thing wrong. */
        if (haddr) {
                r = parse_addr(s, haddr, &spec.host, &spec.host_len, err);
                if (r < 0)
                        return r;
        } else
                loopback(&spec.host, &spec.host_len);
        if (hport) {
                r = parse_port(s, hport, false, &host_port, err);
                if (r < 0)
                        return r;
        }
        if (caddr) {
                r = parse_addr(s, caddr, &spec.target, &spec.target_len, err);
                if (r < 0)
                        return r;
                /* connect() to 0.0.0.0 or :: reaches the local host by an accident of the
                 * kernel, not by anyone's intent: the container side is a real address. */
                if (addr_unspecified(&spec.target))
                        return refuse(err, s, "the container address '%.*s' is no address to connect to",
                                      (int) caddr->len, caddr->s);
        } else
                loopback(&spec.target, &spec.target_len);
        r = parse_port(s, cport, true, &target_port, err);
        if (r < 0)
                return r;
        if (!hport)
                host_port = target_port;

        set_port(&spec.host, host_port);
        set_port(&spec.target, target_port);
        spec.host_wildcard = addr_unspecified(&spec.host);
        *ret = spec;
        return 0;
}

void forward_addr_format(const struct sockaddr *sa, char *buf, size_t size) {
        char a[INET6_ADDRSTRLEN];

        if (size == 0)
                return;
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;

                if (inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)))
                        snprintf(buf, size, "%s:%u", a, ntohs(sin->sin_port));
                else
                        snprintf(buf, size, "?");
        } else if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) sa;

                if (inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a)))
                        snprintf(buf, size, "[%s]:%u", a, ntohs(sin6->sin6_port));
                else
                        snprintf(buf, size, "?");
        } else
                snprintf(buf, size, "?");
}

const char *forward_proto_name(enum forward_proto proto) {
        return proto == FORWARD_UDP ? "udp" : "tcp";
}
