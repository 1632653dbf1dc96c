#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Faults a real daemon cannot be made to show, from the fake engine (tests/fake-engine.py) on a
# real unix socket: each ends in one line naming the cause, exit 125, within the timeout, no crash.
# No daemon needed: the container looked up is a name only, or a host `sleep` for the one
# answer that must work.

load helper

DATA=${NSX_TEST_DATA:?NSX_TEST_DATA must name tests/data}

# Generous: a sanitizer build starts slower, and two cores are shared.
FAST_MS=3000

teardown() {
    nsx_fake_engine_stop
    if [ -n "${SLEEPER:-}" ]; then
        kill "$SLEEPER" 2>/dev/null || true
        wait "$SLEEPER" 2>/dev/null || true
    fi
}

# timed ARGS...: `run docker-nsexec ARGS...`, with the time it took in ELAPSED_MS.
timed() {
    local start
    start=$(date +%s%N)
    run "$NSX" "$@"
    ELAPSED_MS=$((($(date +%s%N) - start) / 1000000))
}

# one_line_error MESSAGE [MAX_MS]: exit 125, MESSAGE as the first line, nothing after it but
# hints, and (by default) done within FAST_MS.
one_line_error() {
    local msg=$1 max=${2:-$FAST_MS} line
    assert_failure 125
    assert_line --index 0 "docker-nsexec: $msg"
    for line in "${lines[@]:1}"; do
        [[ $line == "docker-nsexec: hint: "* ]] || fail "more than one line of error: '$output'"
    done
    [ "$ELAPSED_MS" -le "$max" ] || fail "took ${ELAPSED_MS} ms (at most $max ms expected)"
}

# answer STATUS BODY: a fake engine that answers every request with HTTP STATUS and BODY.
answer() {
    printf '%s' "$2" >"$BATS_TEST_TMPDIR/body"
    nsx_fake_engine answer "$1" "$BATS_TEST_TMPDIR/body"
}

# --- HTTP statuses, with the daemon's {"message": ...} ----------------------------------------

@test "404: no such container, named" {
    answer 404 '{"message":"No such container: web"}'
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "no such container: 'web'"
}

@test "400 for an ambiguous ID prefix: the daemon's own words" {
    answer 400 '{"message":"multiple IDs found with provided prefix: ab"}'
    timed -H "unix://$FAKE_SOCK" ab true
    one_line_error "ambiguous container ID prefix 'ab' (HTTP 400): multiple IDs found with provided prefix: ab"
}

@test "500: the engine failed, with its message" {
    answer 500 '{"message":"error reading container state: input/output error"}'
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine failed on container 'web' (HTTP 500): error reading container state: input/output error"
}

@test "409: the engine refused, with its message" {
    answer 409 '{"message":"Container web is restarting, wait until the container is running"}'
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine refused container 'web' (HTTP 409): Container web is restarting, wait until the container is running"
}

@test "an error status with a body that is not JSON: its first line is shown" {
    answer 502 $'<html><body>Bad Gateway</body></html>\n<p>more</p>'
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine failed on container 'web' (HTTP 502): <html><body>Bad Gateway</body></html>"
}

# --- 200 with a body that is not what an inspect answer is ------------------------------------

@test "200 with a body that is not JSON" {
    nsx_fake_engine answer 200 "$DATA/bad-not-json.json"
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine's answer for container 'web' is malformed: not a JSON object"
}

@test "200 with JSON of the wrong shape: State missing, Pid a string, negative, beyond pid_t; Id not hex" {
    local fixture msg
    while IFS='|' read -r fixture msg; do
        nsx_fake_engine answer 200 "$DATA/$fixture.json"
        timed -H "unix://$FAKE_SOCK" web true
        nsx_fake_engine_stop
        one_line_error "the engine's answer for container 'web' is malformed: $msg"
    done <<'EOF'
bad-state-missing|State is missing
bad-pid-string|State.Pid is missing or not a number
bad-pid-negative|State.Pid is not a valid process ID
bad-pid-huge|State.Pid is not a valid process ID
bad-pid-enormous|State.Pid is not a valid process ID
bad-id-not-hex|Id is not hexadecimal
bad-id-short|Id is not a 64-digit ID
EOF
}

# --- what an engine says never reaches the terminal raw ----------------------------------------

# An OSC sequence (it sets the terminal's title, and worse on some terminals) with a newline.
OWNED=$'\e]0;owned\a\n'

# hostile NAME HOSTIP MODE PID: writes an inspect answer of a running container with a port
# published on HOSTIP, HostConfig.NetworkMode MODE, State.Pid PID, to $BATS_TEST_TMPDIR/inspect,
# and a list of it to $BATS_TEST_TMPDIR/list (JSON escapes the controls, as an engine would).
hostile() {
    python3 - "$BATS_TEST_TMPDIR" "$(random_id)" "$@" <<'EOF'
import json, sys
d, cid, name, ip, mode, pid = sys.argv[1:]
inspect = {"Id": cid, "Name": "/" + name,
           "State": {"Status": "running", "Running": True, "Pid": int(pid)},
           "Config": {"ExposedPorts": {"80/tcp": {}}},
           "HostConfig": {"NetworkMode": mode},
           "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": ip, "HostPort": "8080"}]}}}
open(d + "/inspect", "w").write(json.dumps(inspect))
open(d + "/list", "w").write(json.dumps([{"Id": cid, "Names": ["/" + name]}]))
EOF
}

# terminal_safe TEXT: TEXT holds printable ASCII, tabs and line ends only (the engine's strings
# in these tests have no other character a report may keep).
terminal_safe() {
    printf '%s' "$1" | python3 -c '
import sys
d = sys.stdin.buffer.read()
bad = sorted({b for b in d if not (32 <= b < 127 or b in (9, 10))})
sys.exit("control bytes reached the terminal: %s in %r" % (bad, d) if bad else 0)'
}

@test "--listeners: a HostIp with an escape sequence or a newline is refused; nothing of it is printed" {
    local ip how
    # A real process, unproven: without the check, the report would be printed.
    sleep 1000 3>&- &
    SLEEPER=$!
    for ip in "$OWNED" $'127.0.0.1\n' 'localhost'; do
        hostile web "$ip" default "$SLEEPER"
        # Named (one inspect), and listed (the list, then an inspect by ID); table and JSON.
        nsx_fake_engine survey "$BATS_TEST_TMPDIR/list" "$BATS_TEST_TMPDIR/inspect"
        for how in "web" "--json web" "" "--json"; do
            # shellcheck disable=SC2086
            run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify --listeners $how
            assert_failure 125
            assert_output ""
            assert_equal "$stderr" "docker-nsexec: the engine's answer for container 'web' is malformed: a HostIp in NetworkSettings.Ports is not an IP address"
            terminal_safe "$stderr"
        done
        nsx_fake_engine_stop
    done
}

@test "a container name with an escape sequence or a newline: refused, nothing of it printed" {
    local how
    hostile "web$OWNED" 127.0.0.1 default 1
    nsx_fake_engine survey "$BATS_TEST_TMPDIR/list" "$BATS_TEST_TMPDIR/inspect"
    for how in "--listeners" "--listeners --json" "--list"; do
        # shellcheck disable=SC2086
        run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" $how
        assert_failure 125
        assert_output ""
        assert_equal "$stderr" "docker-nsexec: the engine's container list is malformed: an entry has no valid name"
        terminal_safe "$stderr"
    done
    for how in "--listeners web" "web true"; do
        # shellcheck disable=SC2086
        run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" $how
        assert_failure 125
        assert_output ""
        assert_equal "$stderr" "docker-nsexec: the engine's answer for container 'web' is malformed: Name is not a valid container name"
        terminal_safe "$stderr"
    done
}

@test "--listeners --json: the engine's free text (NetworkMode) is escaped, C1 controls too, and reads back as sent" {
    # An ESC sequence, a newline, DEL and U+009B (a C1 CSI, which some terminals obey).
    local mode=$'bridge\e]0;owned\a\n\x7f\u009b[2J'
    sleep 1000 3>&- &
    SLEEPER=$!
    hostile web 127.0.0.1 "$mode" "$SLEEPER"
    nsx_fake_engine survey "$BATS_TEST_TMPDIR/list" "$BATS_TEST_TMPDIR/inspect"
    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify --listeners --json web
    assert_success
    terminal_safe "$output"
    terminal_safe "$stderr"
    python3 -c '
import json, sys
got = json.loads(sys.argv[1])["containers"][0]["network_mode"]
sys.exit(0 if got == sys.argv[2] else "network_mode %r, sent %r" % (got, sys.argv[2]))' "$output" "$mode"
    # The table does not show it; what it shows is as safe.
    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify --listeners web
    assert_success
    terminal_safe "$output"
    terminal_safe "$stderr"
}

# --- bodies cut, too large, chunked ----------------------------------------------------------

@test "a body cut mid-way (Content-Length larger than what was sent, then close)" {
    nsx_fake_engine fault cut
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine at $FAKE_SOCK cut its answer short"
}

@test "a 100 MiB body announced by Content-Length: refused at the cap, at once" {
    nsx_fake_engine fault huge
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine at $FAKE_SOCK sent a response larger than 8 MiB; refused"
}

@test "a 100 MiB body in chunks, no length announced: refused at the cap" {
    nsx_fake_engine fault huge-chunked
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine at $FAKE_SOCK sent a response larger than 8 MiB; refused"
}

@test "a correct chunked answer works" {
    sleep 1000 3>&- &
    SLEEPER=$!
    nsx_fake_engine fault chunked "$(printf 'c%.0s' $(seq 64))" "$SLEEPER"
    timed -H "unix://$FAKE_SOCK" --no-verify web echo entered
    assert_success
    assert_line "entered"
}

@test "a broken chunked answer: a chunk size that is not hexadecimal" {
    nsx_fake_engine fault chunked-bad
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine at $FAKE_SOCK sent a malformed answer: Illegal or missing hexadecimal sequence in chunked-encoding"
}

@test "a chunked answer closed before its last chunk" {
    nsx_fake_engine fault chunked-cut
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine at $FAKE_SOCK cut its answer short"
}

# --- silence, stalls, resets -----------------------------------------------------------------

@test "--timeout bounds a daemon that accepts and never answers" {
    nsx_fake_engine hang
    timed -H "unix://$FAKE_SOCK" --timeout 1 web true
    one_line_error "the engine at $FAKE_SOCK did not answer within 1 s (--timeout)" 4000
    [ "$ELAPSED_MS" -ge 900 ] || fail "gave up after $ELAPSED_MS ms, before the 1 s timeout"
}

@test "--timeout bounds a daemon that sends the headers, then stalls" {
    nsx_fake_engine fault stall
    timed -H "unix://$FAKE_SOCK" --timeout 1 web true
    one_line_error "the engine at $FAKE_SOCK did not answer within 1 s (--timeout)" 4000
    [ "$ELAPSED_MS" -ge 900 ] || fail "gave up after $ELAPSED_MS ms, before the 1 s timeout"
}

@test "--timeout bounds the whole answer, not the gap between bytes: one byte every 0.2 s" {
    nsx_fake_engine fault drip
    timed -H "unix://$FAKE_SOCK" --timeout 1 web true
    one_line_error "the engine at $FAKE_SOCK did not answer within 1 s (--timeout)" 4000
}

@test "a connection reset before any answer" {
    nsx_fake_engine fault reset
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "lost the connection to the engine at $FAKE_SOCK: Connection reset by peer"
}

@test "a connection reset in the middle of the body" {
    nsx_fake_engine fault reset-mid
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "lost the connection to the engine at $FAKE_SOCK: Connection reset by peer"
}

@test "a TCP reset (SO_LINGER 0) from a loopback engine" {
    local i log=$BATS_TEST_TMPDIR/tcp.log port=""
    python3 "$FAKE_ENGINE" tcp:127.0.0.1:0 fault reset >"$log" 2>&1 3>&- &
    FAKE_PID=$!
    for i in $(seq 200); do
        port=$(sed -n 's/^ready \([0-9][0-9]*\)$/\1/p' "$log")
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || fail "the tcp fake engine did not start: $(cat "$log")"
    timed -H "tcp://127.0.0.1:$port" web true
    one_line_error "lost the connection to the engine at http://127.0.0.1:$port: Connection reset by peer"
}

@test "a connection closed without a byte of answer" {
    nsx_fake_engine fault close
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine at $FAKE_SOCK closed the connection without answering"
}

@test "an answer that is not HTTP" {
    nsx_fake_engine fault garbage
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "the engine at $FAKE_SOCK did not answer in HTTP"
}

# --- the socket path --------------------------------------------------------------------------

@test "the socket path does not exist; nothing listens on it" {
    timed -H unix:///nonexistent/engine.sock web true
    one_line_error "cannot connect to the engine: /nonexistent/engine.sock does not exist"
    assert_line --index 1 --partial "is the Docker daemon running?"

    nsx_fake_engine unbound
    timed -H "unix://$FAKE_SOCK" web true
    one_line_error "cannot connect to the engine: nothing listens on $FAKE_SOCK"
}

@test "the socket path is a regular file" {
    : >"$BATS_TEST_TMPDIR/plain"
    timed -H "unix://$BATS_TEST_TMPDIR/plain" web true
    one_line_error "cannot connect to the engine: $BATS_TEST_TMPDIR/plain is not a socket"
}

@test "the socket path is a directory" {
    timed -H "unix://$BATS_TEST_TMPDIR" web true
    one_line_error "cannot connect to the engine: $BATS_TEST_TMPDIR is not a socket"
}

@test "the socket path is longer than a unix socket address holds (107 bytes)" {
    local long
    long=/tmp/$(printf 'a%.0s' $(seq 103)) # 108 bytes
    timed -H "unix://$long" web true
    one_line_error "engine socket path from --host too long (108 bytes, a unix socket holds at most 107): $long"
    long=${long%a} # 107 bytes: allowed, and absent
    timed -H "unix://$long" web true
    one_line_error "cannot connect to the engine: $long does not exist"
}

@test "the socket is not permitted: an unprivileged user, named, with what is needed" {
    # root passes any permission check, so the run is as nobody, through a 0700 directory.
    local dir=$BATS_TEST_TMPDIR/private
    mkdir -m 0700 "$dir"
    nsx_fake_engine hang
    ln "$FAKE_SOCK" "$dir/engine.sock" 2>/dev/null || skip "cannot link the socket"
    cp "$NSX" "$BATS_TEST_TMPDIR/nsx" && chmod 0755 "$BATS_TEST_TMPDIR/nsx" "$BATS_TEST_TMPDIR"
    local start
    start=$(date +%s%N)
    run setpriv --reuid=65534 --regid=65534 --clear-groups "$BATS_TEST_TMPDIR/nsx" -H "unix://$dir/engine.sock" web true
    ELAPSED_MS=$((($(date +%s%N) - start) / 1000000))
    one_line_error "cannot connect to the engine: permission denied on $dir/engine.sock"
    assert_line --index 1 --partial "needs root"
}
