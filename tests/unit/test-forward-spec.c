/* SPDX-License-Identifier: MIT */
/* Unit tests: the --forward SPEC grammar, every accepted form and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "forward_spec.h"

/* Parses spec and checks "HOST -> TARGET/PROTO" as forward_addr_format writes them. */
static void accepts(const char *spec, const char *host, const char *target, const char *proto, bool wildcard) {
        struct forward_spec f;
        struct nsx_error err = {};
        char h[FORWARD_ADDR_MAX], t[FORWARD_ADDR_MAX];

        if (forward_spec_parse(spec, &f, &err) < 0)
                fail_msg("'%s' refused: %s", spec, err.message);
        forward_addr_format((const struct sockaddr *) &f.host, h, sizeof(h));
        forward_addr_format((const struct sockaddr *) &f.target, t, sizeof(t));
        assert_string_equal(h, host);
        assert_string_equal(t, target);
        assert_string_equal(forward_proto_name(f.proto), proto);
        assert_int_equal(f.host_wildcard, wildcard);
        assert_int_equal(f.host_len,
                         f.host.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
        assert_int_equal(f.target_len,
                         f.target.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
}

static void refuses(const char *spec, const char *message) {
        struct forward_spec f = {.proto = FORWARD_UDP};
        struct nsx_error err = {};

        if (forward_spec_parse(spec, &f, &err) >= 0)
                fail_msg("'%s' accepted", spec);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_string_equal(err.message, message);
        /* *ret is untouched on failure. */
        assert_int_equal(f.proto, FORWARD_UDP);
}

static void test_accepted(void **state) {
        (void) state;

        accepts("80", "127.0.0.1:80", "127.0.0.1:80", "tcp", false);
        accepts("53/udp", "127.0.0.1:53", "127.0.0.1:53", "udp", false);
        accepts("8080:80", "127.0.0.1:8080", "127.0.0.1:80", "tcp", false);
        accepts("8080:80/tcp", "127.0.0.1:8080", "127.0.0.1:80", "tcp", false);
        accepts("5353:53/udp", "127.0.0.1:5353", "127.0.0.1:53", "udp", false);
        accepts("0:80", "127.0.0.1:0", "127.0.0.1:80", "tcp", false);
        accepts("65535:65535", "127.0.0.1:65535", "127.0.0.1:65535", "tcp", false);
        accepts("127.0.0.1:8080:80", "127.0.0.1:8080", "127.0.0.1:80", "tcp", false);
        accepts("192.168.1.5:8080:80/udp", "192.168.1.5:8080", "127.0.0.1:80", "udp", false);
        accepts("0.0.0.0:8080:80", "0.0.0.0:8080", "127.0.0.1:80", "tcp", true);
        accepts("[::]:8080:80", "[::]:8080", "127.0.0.1:80", "tcp", true);
        accepts("[::1]:8080:80", "[::1]:8080", "127.0.0.1:80", "tcp", false);
        accepts("8080:[::1]:80", "127.0.0.1:8080", "[::1]:80", "tcp", false);
        accepts("8080:10.0.0.2:80", "127.0.0.1:8080", "10.0.0.2:80", "tcp", false);
        accepts("[::1]:0:[fd00::2]:80/udp", "[::1]:0", "[fd00::2]:80", "udp", false);
        accepts("127.0.0.2:8080:[::1]:80", "127.0.0.2:8080", "[::1]:80", "tcp", false);
        accepts("[::ffff:127.0.0.1]:8080:80", "[::ffff:127.0.0.1]:8080", "127.0.0.1:80", "tcp", false);
        /* Leading zeros are still decimal digits. */
        accepts("08080:080", "127.0.0.1:8080", "127.0.0.1:80", "tcp", false);
}

static void test_refused(void **state) {
        (void) state;

        refuses("", "--forward '': empty (expected [HOSTADDR:]HOSTPORT:[CADDR:]CPORT[/PROTO])");
        refuses("8080:80/sctp", "--forward '8080:80/sctp': unknown protocol 'sctp' (tcp or udp)");
        refuses("8080:80/", "--forward '8080:80/': unknown protocol '' (tcp or udp)");
        refuses("8080:80/TCP", "--forward '8080:80/TCP': unknown protocol 'TCP' (tcp or udp)");
        refuses("8080:80/tcp/udp", "--forward '8080:80/tcp/udp': unknown protocol 'tcp/udp' (tcp or udp)");
        refuses("8080:80/tcp ", "--forward '8080:80/tcp ': unknown protocol 'tcp ' (tcp or udp)");
        refuses("0", "--forward '0': container port '0' is out of range (1 to 65535)");
        refuses("8080:0", "--forward '8080:0': container port '0' is out of range (1 to 65535)");
        refuses("65536:80", "--forward '65536:80': host port '65536' is out of range (0 to 65535)");
        refuses("80:99999999999999999999999", "--forward '80:99999999999999999999999': container port "
                                              "'99999999999999999999999' is out of range (1 to 65535)");
        refuses("8080-8090:80", "--forward '8080-8090:80': port ranges are not supported ('8080-8090')");
        refuses("8080:80-90", "--forward '8080:80-90': port ranges are not supported ('80-90')");
        refuses("-1:80", "--forward '-1:80': port ranges are not supported ('-1')");
        refuses("+80:80", "--forward '+80:80': '+80' is not a host port (decimal digits)");
        refuses(" 80", "--forward ' 80': ' 80' is not a container port (decimal digits)");
        refuses("0x50:80", "--forward '0x50:80': '0x50' is not a host port (decimal digits)");
        refuses("http", "--forward 'http': 'http' is not a container port (decimal digits)");
        refuses("localhost:8080:80",
                "--forward 'localhost:8080:80': 'localhost' is not a numeric IPv4 address or a bracketed IPv6 one "
                "(no host names)");
        refuses("8080:db:80",
                "--forward '8080:db:80': 'db' is not a numeric IPv4 address or a bracketed IPv6 one (no host names)");
        refuses("127.1:8080:80",
                "--forward '127.1:8080:80': '127.1' is not a numeric IPv4 address or a bracketed IPv6 one "
                "(no host names)");
        refuses("127.0.0.01:8080:80", "--forward '127.0.0.01:8080:80': '127.0.0.01' is not a numeric IPv4 address "
                                      "or a bracketed IPv6 one (no host names)");
        refuses("::1:8080:80", "--forward '::1:8080:80': too many ':' (IPv6 addresses go in brackets, e.g. [::1])");
        refuses("::1:80", "--forward '::1:80': IPv6 addresses go in brackets, e.g. [::1]");
        refuses("8080::80", "--forward '8080::80': IPv6 addresses go in brackets, e.g. [::1]");
        refuses(":80", "--forward ':80': an empty field");
        refuses("8080:", "--forward '8080:': an empty field");
        refuses("1:2:3:4:5", "--forward '1:2:3:4:5': too many ':' (IPv6 addresses go in brackets, e.g. [::1])");
        refuses("8080:80:90",
                "--forward '8080:80:90': '80' is not a numeric IPv4 address or a bracketed IPv6 one (no host names)");
        refuses("1.2.3.4:5.6.7.8:80", "--forward '1.2.3.4:5.6.7.8:80': '5.6.7.8' is not a host port (decimal digits)");
        refuses("[fe80::1%eth0]:8080:80", "--forward '[fe80::1%eth0]:8080:80': zone ids are not supported "
                                          "('[fe80::1%eth0]')");
        refuses("fe80::1%eth0:80", "--forward 'fe80::1%eth0:80': IPv6 addresses go in brackets, e.g. [::1]");
        refuses("[127.0.0.1]:8080:80", "--forward '[127.0.0.1]:8080:80': brackets are for IPv6 addresses only "
                                       "('[127.0.0.1]')");
        refuses("[::1:8080:80", "--forward '[::1:8080:80': '[::1:8080:80' has no closing ']'");
        refuses("[::1]8080:80", "--forward '[::1]8080:80': ']' must be followed by ':' in '[::1]8080:80'");
        refuses("8080:[::1]", "--forward '8080:[::1]': '[::1]' is not a container port (decimal digits)");
        refuses("[]:8080:80", "--forward '[]:8080:80': '[]' is not a numeric IPv6 address");
        refuses("[localhost]:8080:80", "--forward '[localhost]:8080:80': '[localhost]' is not a numeric IPv6 address");
        refuses("1]:8080:80", "--forward '1]:8080:80': misplaced bracket in '1]:8080:80'");
        refuses("8080:0.0.0.0:80", "--forward '8080:0.0.0.0:80': the container address '0.0.0.0' is no address to "
                                   "connect to");
        refuses("8080:[::]:80", "--forward '8080:[::]:80': the container address '[::]' is no address to connect to");
        /* The user's text reaches the terminal sanitized. */
        refuses("80\n/x\033[2J", "--forward '80?/x?[2J': unknown protocol 'x?[2J' (tcp or udp)");
}

static void test_long_spec(void **state) {
        char spec[300];
        struct forward_spec f;
        struct nsx_error err = {};
        (void) state;

        /* The longest valid SPEC still fits. */
        accepts("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535:[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:"
                "65535/udp",
                "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
                "udp", false);
        memset(spec, '1', sizeof(spec) - 1);
        spec[sizeof(spec) - 1] = '\0';
        assert_true(forward_spec_parse(spec, &f, &err) < 0);
        assert_int_equal(err.kind, NSX_ERR_USAGE);
        assert_non_null(strstr(err.message, "longer than any SPEC can be"));
        assert_true(strlen(err.message) < 200);
}

static void test_format(void **state) {
        struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(443)};
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(1)};
        struct sockaddr sa = {.sa_family = AF_UNIX};
        char buf[FORWARD_ADDR_MAX], small[6];
        (void) state;

        inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
        forward_addr_format((const struct sockaddr *) &sin6, buf, sizeof(buf));
        assert_string_equal(buf, "[2001:db8::1]:443");
        forward_addr_format((const struct sockaddr *) &sin, buf, sizeof(buf));
        assert_string_equal(buf, "0.0.0.0:1");
        forward_addr_format(&sa, buf, sizeof(buf));
        assert_string_equal(buf, "?");
        forward_addr_format((const struct sockaddr *) &sin6, small, sizeof(small));
        assert_string_equal(small, "[2001");
        assert_string_equal(forward_proto_name(FORWARD_TCP), "tcp");
        assert_string_equal(forward_proto_name(FORWARD_UDP), "udp");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accepted),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_long_spec),
                cmocka_unit_test(test_format),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
