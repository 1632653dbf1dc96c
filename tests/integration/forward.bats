#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --forward against a real dockerd: a loopback-only service in a --net none container, reached from
# the host through the forward; TCP (bulk, many connections, half-close, reset, IPv6), UDP, restarts
# and removal of the container, descriptors, and the SPECs it refuses.

load helper

PAGE="hello from inside the container"
PEER=$BATS_TEST_DIRNAME/forward-peer.py

# Host ports are never fixed: other suites use the same machine at the same time. Forwards ask for
# port 0 and read the real one back from the "forwarding" line; the one test of an explicit port
# takes one the kernel just handed out.

setup_file() {
    # Unique per run: other helpers' runs of this file may share the daemon.
    export C=nsx-fwd-$$
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    # The seed: httpd on the container's loopback only, 127.0.0.1:80 and [::1]:80.
    dk run -d --name $C-web --net none --sysctl net.ipv6.conf.all.disable_ipv6=0 local/busybox \
        sh -c 'httpd -p [::1]:80 -h /www; exec httpd -f -p 127.0.0.1:80 -h /www' >/dev/null
    nsx_wait_running $C-web
    export DATA=$BATS_FILE_TMPDIR/data
    head -c 100M /dev/urandom >"$DATA"
    DATA_SHA=$(sha256sum "$DATA" | cut -d' ' -f1)
    export DATA_SHA
    # forward-peer.py's servers, in the container's network namespace (a host program run there).
    "$NSX" $C-web python3 "$PEER" serve "$DATA" >"$BATS_FILE_TMPDIR/peer.log" 2>&1 3>&- &
    export PEER_PID=$!
    wait_for grep -qx ready "$BATS_FILE_TMPDIR/peer.log" || {
        cat "$BATS_FILE_TMPDIR/peer.log" >&2
        return 1
    }
    nsx_wait_listening $C-web tcp 80 && nsx_wait_listening $C-web tcp6 80
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    [ -z "${PEER_PID:-}" ] || kill "$PEER_PID" 2>/dev/null || true
    dk rm -f $C-web >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
    BG_PIDS=()
    CONTAINERS=()
    FWD=
    N_FWD=0
    FWD_WRAP=()
}

teardown() {
    nsx_fake_engine_stop
    fwd_stop
    bg_stop_all
    if [ "${#CONTAINERS[@]}" -gt 0 ]; then
        dk rm -f "${CONTAINERS[@]}" >/dev/null 2>&1 || true
    fi
    # Under ASan+UBSan a report goes to the forwarder's stderr, whatever the test looked at.
    if grep -sE 'Sanitizer|runtime error:' "$BATS_TEST_TMPDIR"/fwd*.err; then
        fail "a sanitizer report from the forwarder"
    fi
}

# fwd ARGS...: starts docker-nsexec ARGS... in the background (stdout in FWD_OUT, stderr in FWD_ERR)
# and waits until it prints one "forwarding" line per --forward. FWD is its PID, PORTS the host
# ports of those lines, in order, and PORT the first. FWD_WRAP: a command that execs docker-nsexec.
fwd() {
    local a n=0 i
    for a; do
        [ "$a" = --forward ] && n=$((n + 1))
    done
    N_FWD=$((N_FWD + 1))
    FWD_OUT=$BATS_TEST_TMPDIR/fwd$N_FWD.out FWD_ERR=$BATS_TEST_TMPDIR/fwd$N_FWD.err
    bg "${FWD_WRAP[@]}" "$NSX" "$@" >"$FWD_OUT" 2>"$FWD_ERR"
    FWD=$BG
    for i in $(seq 200); do
        if [ "$(grep -c '^forwarding ' "$FWD_OUT")" -ge "$n" ]; then
            mapfile -t PORTS < <(sed -n 's/^forwarding .*:\([0-9][0-9]*\) -> .*/\1/p' "$FWD_OUT")
            PORT=${PORTS[0]}
            return 0
        fi
        if ! kill -0 "$FWD" 2>/dev/null; then
            break
        fi
        sleep 0.05
    done
    echo "docker-nsexec $* did not print $n forwarding lines; stdout: $(cat "$FWD_OUT"); stderr: $(cat "$FWD_ERR")" >&2
    return 1
}

# wait_exit PID: waits (up to 10 s) for a process started by bg to end; STATUS is its exit status.
wait_exit() {
    local i
    for i in $(seq 200); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.05
    done
    STATUS=0
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" || STATUS=$?
}

# fwd_stop: ends the forwarder, if it still runs, as Ctrl-C would (a sanitizer build then checks for
# leaks at exit); SIGKILL after 10 s.
fwd_stop() {
    if [ -n "${FWD:-}" ] && kill -0 "$FWD" 2>/dev/null; then
        kill -TERM "$FWD"
        wait_exit "$FWD"
    fi
    FWD=
}

# relay_pid: the forwarder's child, the relay (in the container's network namespace).
relay_pid() {
    cat /proc/"$FWD"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .
}

# free_port: a tcp port free on the host (and so, most likely, still free a moment later).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cpu_ticks() { # cpu_ticks PID: user + system time, in clock ticks
    sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

nfds() {
    find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l
}

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

get() { # get PORT: the page through the forward
    curl -sS --max-time 5 "http://127.0.0.1:$1/"
}

page_is() { # page_is PORT: the forward answers with the seed page
    [ "$(curl -s --max-time 2 "http://127.0.0.1:$1/")" = "$PAGE" ]
}

peer() {
    python3 "$PEER" "$@"
}

# web_container NAME: a fresh container like the seed (127.0.0.1:80 only), removed in teardown.
web_container() {
    CONTAINERS+=("$1")
    dk run -d --name "$1" --net none local/busybox httpd -f -p 127.0.0.1:80 -h /www >/dev/null &&
        nsx_wait_running "$1" && nsx_wait_listening "$1" tcp 80
}

@test "a loopback-only httpd in a --net none container answers the host's curl through the forward" {
    run curl -sS --max-time 2 http://127.0.0.1:80/
    refute_output "$PAGE"
    fwd --forward 0:80 $C-web
    assert_equal "$(cat "$FWD_OUT")" "forwarding 127.0.0.1:$PORT -> $C-web 127.0.0.1:80/tcp"
    run get "$PORT"
    assert_success
    assert_output "$PAGE"
    # Again: each connection is its own.
    run get "$PORT"
    assert_output "$PAGE"
    assert_equal "$(cat "$FWD_ERR")" ""
}

@test "host port 0 is a free port, an explicit one is taken as given; one line per forward, in order" {
    local p q
    p=$(free_port) && q=$(free_port)
    while [ "$q" = "$p" ]; do q=$(free_port); done
    # CPORT alone: the same port on both sides; something listens on q in the container.
    bg "$NSX" $C-web python3 "$PEER" greet "$q" >"$BATS_TEST_TMPDIR/greet.log" 2>&1
    nsx_wait_listening $C-web tcp "$q"
    fwd --forward 0:80 --forward "127.0.0.1:$p:[::1]:80" --forward 0:7000/udp --forward "$q" $C-web
    assert_equal "${#PORTS[@]}" 4
    [ "${PORTS[0]}" -gt 0 ] && [ "${PORTS[2]}" -gt 0 ]
    assert_equal "$(cat "$FWD_OUT")" "forwarding 127.0.0.1:${PORTS[0]} -> $C-web 127.0.0.1:80/tcp
forwarding 127.0.0.1:$p -> $C-web [::1]:80/tcp
forwarding 127.0.0.1:${PORTS[2]} -> $C-web 127.0.0.1:7000/udp
forwarding 127.0.0.1:$q -> $C-web 127.0.0.1:$q/tcp"
    # The forwarder holds the listeners; each answers.
    run ss -Hltnp "sport = :$p"
    assert_output --partial "pid=$FWD,"
    run get "${PORTS[0]}"
    assert_output "$PAGE"
    run get "$p"
    assert_output "$PAGE"
    run peer read "$q"
    assert_output "hello $q"
}

@test "100 MB each way, checked by sha256" {
    fwd --forward 0:7001 --forward 0:7003 $C-web
    run peer upload "${PORTS[0]}" "$DATA"
    assert_success
    assert_output "$DATA_SHA 104857600"
    run peer download "${PORTS[1]}"
    assert_success
    assert_output "$DATA_SHA 104857600"
}

@test "500 concurrent connections are all answered" {
    fwd --forward 0:7000 $C-web
    run peer many "$PORT" 500
    assert_success
    assert_output "500 answered"
    run get "${PORT}"
    refute_output "$PAGE" # the echo server, not httpd: the forward goes where it was told
}

@test "half-close: the client's shutdown(SHUT_WR) reaches the server as EOF, and the reply still flows back" {
    fwd --forward 0:7001 $C-web
    run peer halfclose "$PORT"
    assert_success
    assert_output "answered after half-close"
}

@test "a reset from the server reaches the client as a reset" {
    fwd --forward 0:7002 $C-web
    run peer reset "$PORT"
    assert_success
    assert_output "reset"
    # The forwarder goes on serving.
    run peer reset "$PORT"
    assert_output "reset"
    kill -0 "$FWD"
}

@test "an IPv6 target ([::1]) and an IPv6 host address" {
    fwd --forward "0:[::1]:80" --forward "0:[::1]:7004" $C-web
    assert_equal "$(cat "$FWD_OUT")" "forwarding 127.0.0.1:$PORT -> $C-web [::1]:80/tcp
forwarding 127.0.0.1:${PORTS[1]} -> $C-web [::1]:7004/tcp"
    run get "$PORT"
    assert_output "$PAGE"
    # The peer's 7004 listens on ::1 only.
    run peer seq "${PORTS[1]}" 3
    assert_output "3 answered"
    if ! ip -6 addr show dev lo | grep -q '::1/128'; then
        skip "the host has no ::1"
    fi
    fwd_stop
    fwd --forward "[::1]:0:80" $C-web
    assert_equal "$(cat "$FWD_OUT")" "forwarding [::1]:$PORT -> $C-web 127.0.0.1:80/tcp"
    run curl -sSg --max-time 5 "http://[::1]:$PORT/"
    assert_output "$PAGE"
}

@test "UDP: datagrams come back whole; 200 concurrent flows, each with its own socket in the container" {
    fwd --forward 0:7000/udp $C-web
    assert_equal "$(cat "$FWD_OUT")" "forwarding 127.0.0.1:$PORT -> $C-web 127.0.0.1:7000/udp"
    run peer udp "$PORT" 200
    assert_success
    assert_output "200 flows answered"
    kill -0 "$FWD"
}

@test "the forwarder and its relay hold as many descriptors after 1,000 connections as after one" {
    local relay watcher_1 relay_1
    fwd --forward 0:7000 $C-web
    run peer seq "$PORT" 1
    assert_output "1 answered"
    relay=$(relay_pid)
    [ -n "$relay" ]
    sleep 0.2
    watcher_1=$(nfds "$FWD")
    relay_1=$(nfds "$relay")
    run peer seq "$PORT" 1000
    assert_success
    assert_output "1000 answered"
    assert_equal "$(relay_pid)" "$relay"
    # The last connections' descriptors may take a moment to close.
    wait_for test "$(nfds "$relay")" = "$relay_1" ||
        fail "relay: $relay_1 descriptors after one connection, $(nfds "$relay") after 1,000: $(ls -l "/proc/$relay/fd")"
    assert_equal "$(nfds "$FWD")" "$watcher_1"
}

@test "out of descriptors: accept waits without spinning, and resumes when descriptors are free again" {
    local relay t0 t1 holder
    # A hard limit of 64, which the forwarder cannot raise: 100 connections at once need more.
    FWD_WRAP=(prlimit --nofile=64:64)
    fwd --forward 0:7000 $C-web
    relay=$(relay_pid)
    [ -n "$relay" ]
    bg python3 "$PEER" hold "$PORT" 100 3 >"$BATS_TEST_TMPDIR/hold.out"
    holder=$BG
    sleep 1
    t0=$(cpu_ticks "$relay")
    sleep 1
    t1=$(cpu_ticks "$relay")
    [ $((t1 - t0)) -lt 20 ] || fail "the relay used $((t1 - t0)) clock ticks of CPU in 1 s, out of descriptors"
    wait "$holder"
    # Some were served, not all: the limit was reached.
    run cat "$BATS_TEST_TMPDIR/hold.out"
    [ "$output" -gt 0 ] && [ "$output" -lt 100 ] || fail "$output of 100 connections answered"
    # Those connections are closed now: new ones are served again.
    run peer seq "$PORT" 20
    assert_success
    assert_output "20 answered"
    kill -0 "$FWD"
}

@test "a target port where nothing listens: the client's connection ends at once, the forwarder keeps serving" {
    local t0 elapsed
    fwd --forward 0:9 --forward 0:80 $C-web
    t0=$(now_ms)
    run curl -sS --max-time 5 "http://127.0.0.1:$PORT/"
    elapsed=$(($(now_ms) - t0))
    assert_failure
    # Closed or reset (curl 52, 56), not a timeout (28).
    [ "$status" -ne 28 ] || fail "curl timed out: $output"
    [ "$elapsed" -lt 2000 ] || fail "the refused connection took $elapsed ms to end"
    run get "${PORTS[1]}"
    assert_output "$PAGE"
    run curl -sS --max-time 5 "http://127.0.0.1:$PORT/"
    assert_failure
    [ "$status" -ne 28 ]
    run get "${PORTS[1]}"
    assert_output "$PAGE"
    kill -0 "$FWD"
}

@test "the container stops: connections are refused; it starts again: forwarding resumes within 2 s, by ID not by name" {
    local r=$C-rs-$BATS_TEST_NUMBER t0 elapsed
    web_container $r
    fwd --forward 0:80 $r
    run get "$PORT"
    assert_output "$PAGE"

    dk stop -t 0 $r >/dev/null
    wait_for grep -qxF "docker-nsexec: container '$r' exited: refusing connections until it runs again" "$FWD_ERR"
    t0=$(now_ms)
    run curl -sS --max-time 5 "http://127.0.0.1:$PORT/"
    elapsed=$(($(now_ms) - t0))
    assert_failure
    [ "$elapsed" -lt 2000 ] || fail "a connection to the stopped container took $elapsed ms to end"

    # Another container takes the name meanwhile: it is not the one forwarded to.
    dk rename $r $r-old
    CONTAINERS+=($r-old)
    dk run -d --name $r --net none local/busybox \
        sh -c 'mkdir /w; echo impostor >/w/index.html; exec httpd -f -p 127.0.0.1:80 -h /w' >/dev/null
    nsx_wait_running $r
    nsx_wait_listening $r tcp 80
    sleep 1
    run curl -sS --max-time 5 "http://127.0.0.1:$PORT/"
    refute_output --partial impostor
    assert_failure
    run grep -c 'running again' "$FWD_ERR"
    assert_output 0

    # The original starts again (under its new name): forwarding resumes.
    dk start $r-old >/dev/null
    t0=$(now_ms)
    wait_for page_is "$PORT"
    elapsed=$(($(now_ms) - t0))
    [ "$elapsed" -le 2000 ] || fail "forwarding resumed $elapsed ms after docker start returned"
    wait_for grep -qxF "docker-nsexec: container '$r' is running again: forwarding resumed" "$FWD_ERR"

    # docker restart: the same, in one step.
    dk restart -t 0 $r-old >/dev/null
    t0=$(now_ms)
    wait_for page_is "$PORT"
    elapsed=$(($(now_ms) - t0))
    [ "$elapsed" -le 2000 ] || fail "forwarding resumed $elapsed ms after docker restart returned"
    wait_for test "$(grep -c "is running again: forwarding resumed" "$FWD_ERR")" = 2
    kill -0 "$FWD"
}

@test "docker rm -f: the forwarder says the container was removed and exits 125" {
    local r=$C-rm-$BATS_TEST_NUMBER
    web_container $r
    fwd --forward 0:80 $r
    run get "$PORT"
    assert_output "$PAGE"
    dk rm -f $r >/dev/null
    wait_exit "$FWD"
    assert_equal "$STATUS" 125
    assert_equal "$(tail -n 1 "$FWD_ERR")" "docker-nsexec: container '$r' was removed"
    run curl -sS --max-time 2 "http://127.0.0.1:$PORT/"
    assert_failure
}

@test "SIGTERM and SIGINT close everything and exit 0, silently" {
    local sig relay
    for sig in TERM INT; do
        fwd --forward 0:80 --forward 0:7000/udp $C-web
        run get "$PORT"
        assert_output "$PAGE"
        relay=$(relay_pid)
        [ -n "$relay" ]
        kill -s $sig "$FWD"
        wait_exit "$FWD"
        assert_equal "$STATUS" 0
        assert_equal "$(cat "$FWD_ERR")" ""
        # Nothing listens any more, and the relay is gone with it.
        run curl -sS --max-time 2 "http://127.0.0.1:$PORT/"
        assert_failure 7
        wait_for test ! -e "/proc/$relay"
        run ss -Hlun "sport = :${PORTS[1]}"
        assert_output ""
        BG_PIDS=()
    done
}

@test "bad SPECs are each refused with one line and exit 125" {
    local spec
    local -a bad=(
        "" "0" "80/" "/tcp" ":80" "8080:" "8080:0" "0:0" "70000:80" "8080:65536" "-1:80" "+80:80"
        "0x50:80" "8080-8090:80" "8080:80/sctp" "8080:80/tcp/udp" " 8080:80" "8080:80 " "8080:80:90"
        "[::1:80" "::1:8080:80" "[::1]:80" "localhost:8080:80" "8080:localhost:80" "256.0.0.1:8080:80"
        "127.0.0.1:8080:80:" "1.2.3.4:5:6.7.8.9:80:1" "[127.0.0.1]:8080:80" "127.0.0.1:[::1]:80"
        "8080:80/TCP " "8080::80"
    )
    for spec in "${bad[@]}"; do
        run -125 --separate-stderr timeout 10 "$NSX" --forward "$spec" $C-web
        assert_equal "$output" ""
        [ "${#stderr_lines[@]}" -eq 2 ] || fail "--forward '$spec': ${#stderr_lines[@]} lines: $stderr"
        [[ ${stderr_lines[0]} == "docker-nsexec: --forward '$spec': "?* ]] ||
            fail "--forward '$spec': $stderr"
        assert_equal "${stderr_lines[1]}" "Try 'docker-nsexec --help' for more information."
    done
    # A good SPEC with a bad one: refused before anything listens.
    run -125 --separate-stderr timeout 10 "$NSX" --forward 0:80 --forward 8080:0 $C-web
    assert_equal "$output" ""
    [[ ${stderr_lines[0]} == "docker-nsexec: --forward '8080:0': "?* ]] || fail "$stderr"
}

@test "bad combinations with --forward are refused with exit 125" {
    local p=$((20000 + RANDOM % 40000)) i
    local -a many=()
    for i in $(seq 33); do
        many+=(--forward 0:80)
    done
    for args in "--forward 0:80 $C-web true" "--forward 0:80" "--forward $p:80 --forward 127.0.0.1:$p:81 $C-web" \
        "${many[*]} $C-web" "--listeners --forward 0:80 $C-web"; do
        # shellcheck disable=SC2086 # the words of one command line
        run -125 --separate-stderr timeout 10 "$NSX" $args
        assert_equal "$output" ""
        [[ ${stderr_lines[0]} == "docker-nsexec: "?* ]] || fail "$args: $stderr"
        assert_equal "${stderr_lines[-1]}" "Try 'docker-nsexec --help' for more information."
    done
}

@test "a wildcard host address works, with a warning that it listens on every interface" {
    fwd --forward 0.0.0.0:0:80 $C-web
    assert_equal "$(cat "$FWD_OUT")" "forwarding 0.0.0.0:$PORT -> $C-web 127.0.0.1:80/tcp"
    grep -qE '^docker-nsexec: warning: .*every interface' "$FWD_ERR" || fail "no warning: $(cat "$FWD_ERR")"
    run get "$PORT"
    assert_output "$PAGE"
    if ! ip -6 addr show dev lo | grep -q '::1/128'; then
        skip "the host has no IPv6"
    fi
    fwd_stop
    fwd --forward "[::]:0:80" $C-web
    assert_equal "$(cat "$FWD_OUT")" "forwarding [::]:$PORT -> $C-web 127.0.0.1:80/tcp"
    grep -qE '^docker-nsexec: warning: .*every interface' "$FWD_ERR" || fail "no warning: $(cat "$FWD_ERR")"
    run curl -sSg --max-time 5 "http://[::1]:$PORT/"
    assert_output "$PAGE"
}

# --- where its trust is abused --------------------------------------------------------------

status_of() { # status_of PID FIELD: the value of a line of /proc/PID/status
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

@test "the relay runs as nobody with no capabilities and holds nothing of the engine; the watcher keeps what re-entering needs" {
    local relay set
    fwd --forward 0:80 $C-web
    run get "$PORT"
    assert_output "$PAGE"
    relay=$(relay_pid)
    [ -n "$relay" ] || fail "no relay process under $FWD"
    # The relay: uid and gid 65534; nothing inheritable, permitted, effective, ambient or in the
    # bounding set; no_new_privs.
    assert_equal "$(status_of "$relay" Uid)" 65534
    assert_equal "$(status_of "$relay" Gid)" 65534
    for set in CapInh CapPrm CapEff CapAmb CapBnd; do
        assert_equal "$set $(status_of "$relay" $set)" "$set 0000000000000000"
    done
    assert_equal "$(status_of "$relay" NoNewPrivs)" 1
    # ... in the container's network, not ours,
    assert_equal "$(readlink /proc/"$relay"/ns/net)" "$(readlink /proc/"$(dk inspect -f '{{.State.Pid}}' $C-web)"/ns/net)"
    # ... holding no unix socket (the engine's connection and its event stream are unix sockets).
    run ss -xp
    refute_output --partial "pid=$relay,"
    # The watcher: SYS_ADMIN, SYS_PTRACE, DAC_OVERRIDE, DAC_READ_SEARCH, SETUID, SETGID, SETPCAP and
    # KILL only (no NET_BIND_SERVICE, NET_ADMIN, NET_RAW, SYS_MODULE...), and no_new_privs.
    assert_equal "$(status_of "$FWD" CapEff)" 00000000002801e6
    assert_equal "$(status_of "$FWD" CapBnd)" 00000000002801e6
    assert_equal "$(status_of "$FWD" NoNewPrivs)" 1
}

@test "an engine that names a process outside the container is refused before anything listens" {
    local id
    id=$(random_id)
    bg sleep 1000
    nsx_fake_engine inspect "$id" "$BG"
    run "$NSX" -H "unix://$FAKE_SOCK" --forward 127.0.0.1:0:80 $C-lying
    assert_failure 125
    assert_line --index 0 --partial "docker-nsexec: PID $BG is not a process of container '$C-lying'"
    refute_output --partial forwarding
}

@test "without the engine's event stream, a restart is found by asking once a second" {
    local r=$C-poll-$BATS_TEST_NUMBER
    web_container $r
    # A plain relay of the real engine that knows no GET /events.
    nsx_fake_engine rewrite "${NSX_TEST_DOCKER_HOST#unix://}"
    fwd -v -H "unix://$FAKE_SOCK" --forward 0:80 $r
    grep -q 'no event stream from the engine' "$FWD_ERR" || fail "$(cat "$FWD_ERR")"
    dk restart -t 0 $r >/dev/null
    # Up to a second to notice, then one inspect.
    wait_for page_is "$PORT" || { sleep 1 && page_is "$PORT"; } || fail "$(cat "$FWD_ERR")"
    grep -qxF "docker-nsexec: container '$r' is running again: forwarding resumed" "$FWD_ERR"
    dk rm -f $r >/dev/null
    wait_exit "$FWD"
    assert_equal "$STATUS" 125
    grep -qxF "docker-nsexec: container '$r' was removed" "$FWD_ERR"
}

@test "on a kernel without pidfds, the container's exit is seen through its /proc, and its start as ever" {
    local r=$C-nopidfd-$BATS_TEST_NUMBER
    [ -n "${NSX_ENOSYS:-}" ] || fail "no enosys helper (NSX_ENOSYS)"
    web_container $r
    FWD_WRAP=("$NSX_ENOSYS" --pidfd)
    fwd --forward 0:80 $r
    run get "$PORT"
    assert_output "$PAGE"
    dk stop -t 0 $r >/dev/null
    # Looked at once a second.
    wait_for grep -qxF "docker-nsexec: container '$r' exited: refusing connections until it runs again" "$FWD_ERR" ||
        fail "$(cat "$FWD_ERR")"
    dk start $r >/dev/null
    wait_for page_is "$PORT" || fail "$(cat "$FWD_ERR")"
}

@test "a container on the host's network is refused: its ports are the host's already" {
    CONTAINERS+=($C-host)
    dk run -d --name $C-host --net host local/busybox sleep 1000 >/dev/null
    nsx_wait_running $C-host
    # The host's network is the daemon's: its own namespace where contrib/test.sh gives it one.
    if [ -n "${NSX_TEST_NETNS:-}" ]; then
        run nsenter --net="/run/netns/$NSX_TEST_NETNS" "$NSX" --forward 0:80 $C-host
    else
        run "$NSX" --forward 0:80 $C-host
    fi
    assert_failure 125
    assert_output "docker-nsexec: container '$C-host' uses the host's network: its ports are the host's already"
}
