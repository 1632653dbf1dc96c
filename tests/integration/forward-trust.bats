#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --forward where its trust is abused: the privileges its two processes keep, what reaches the
# relay, a name taken by another container while ours is down, an engine that lies about the
# PID, an engine without an event stream, a container on the host's network.

load helper

C=nsx-fwt
PAGE="page of the forwarded container"

setup_file() {
    nsx_probe_daemon || return 0
    dk rm -f $C-web $C-web-old $C-host >/dev/null 2>&1 || true
}

teardown_file() {
    nsx_probe_daemon || return 0
    dk rm -f $C-web $C-web-old $C-host >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
    BG_PIDS=()
}

teardown() {
    bg_stop_all
    nsx_fake_engine_stop
    dk rm -f $C-web $C-web-old $C-host >/dev/null 2>&1 || true
}

# web NAME TEXT: a --net none container whose httpd answers TEXT on its own 127.0.0.1:80 only.
web() {
    dk run -d --name "$1" --net none "$NSX_TEST_IMAGE" \
        sh -c "mkdir -p /srv/fwt && echo '$2' > /srv/fwt/index.html && exec httpd -f -p 127.0.0.1:80 -h /srv/fwt" >/dev/null
    nsx_wait_running "$1"
}

# forward OUT ARGS...: docker-nsexec --forward ... in the background, stdout and stderr in OUT;
# waits for its first "forwarding" line and sets PORT to the host port of the first SPEC.
forward() {
    local out=$1
    shift
    bg sh -c 'out=$1; shift; exec "$@" >"$out" 2>&1' sh "$out" "$NSX" "$@"
    FWD=$BG
    wait_for grep -q '^forwarding ' "$out" || { cat "$out" >&2; return 1; }
    PORT=$(sed -n 's/^forwarding 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$out" | head -n 1)
}

get() {
    curl -sS --max-time 3 "http://127.0.0.1:$PORT/"
}

# status PID FIELD: a line of /proc/PID/status, the value alone.
status() {
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

@test "the relay runs as nobody with no capabilities and holds nothing of the engine; the watcher keeps what re-entering needs" {
    local out=$BATS_TEST_TMPDIR/out relay
    web $C-web "$PAGE"
    forward "$out" --forward 0:80 $C-web
    run get
    assert_output "$PAGE"

    relay=$(pgrep -P "$FWD")
    [ -n "$relay" ] || fail "no relay process under $FWD"
    # The relay: uid and gid 65534, nothing permitted, effective or bounded, no_new_privs.
    assert_equal "$(status "$relay" Uid)" 65534
    assert_equal "$(status "$relay" Gid)" 65534
    assert_equal "$(status "$relay" CapPrm)" 0000000000000000
    assert_equal "$(status "$relay" CapEff)" 0000000000000000
    assert_equal "$(status "$relay" CapBnd)" 0000000000000000
    assert_equal "$(status "$relay" NoNewPrivs)" 1
    # ... in the container's network, not ours.
    [ "$(readlink /proc/"$relay"/ns/net)" = "$(readlink /proc/"$(dk inspect -f '{{.State.Pid}}' $C-web)"/ns/net)" ] ||
        fail "the relay is not in the container's network"
    # ... holding no unix socket at all (the engine's, and its event stream's, are unix sockets).
    run ss -xp
    refute_output --partial "pid=$relay,"
    # The watcher: SYS_ADMIN, SYS_PTRACE, DAC_OVERRIDE, DAC_READ_SEARCH, SETUID, SETGID, SETPCAP,
    # KILL; no NET_BIND_SERVICE, NET_ADMIN, NET_RAW, SYS_MODULE...
    assert_equal "$(status "$FWD" CapEff)" 00000000002801e6
    assert_equal "$(status "$FWD" CapBnd)" 00000000002801e6
    assert_equal "$(status "$FWD" NoNewPrivs)" 1
}

@test "a container that takes the name while ours is stopped is never entered; ours is, when it runs again" {
    local out=$BATS_TEST_TMPDIR/out
    web $C-web "$PAGE"
    forward "$out" --forward 0:80 $C-web
    dk stop -t 0 $C-web >/dev/null
    wait_for grep -q "container '$C-web' exited: refusing connections" "$out"
    dk rename $C-web $C-web-old
    web $C-web "an impostor"
    sleep 1.5 # time for a watcher that looked by name to find it
    run get
    assert_failure
    refute_output --partial impostor
    dk start $C-web-old >/dev/null
    wait_for grep -q "container '$C-web' is running again: forwarding resumed" "$out"
    run get
    assert_output "$PAGE"
}

@test "an engine that names a process outside the container is refused before anything listens" {
    local id marker
    id=$(random_id)
    bg sleep 1000
    nsx_fake_engine inspect "$id" "$BG"
    run "$NSX" -H "unix://$FAKE_SOCK" --forward 127.0.0.1:0:80 $C-lying
    assert_failure 125
    assert_line --index 0 --partial "docker-nsexec: PID $BG is not a process of container '$C-lying'"
    refute_output --partial forwarding
}

@test "without the engine's event stream, forwarding resumes after a restart by asking once a second" {
    local out=$BATS_TEST_TMPDIR/out
    web $C-web "$PAGE"
    # A plain relay of the real engine that knows no GET /events.
    nsx_fake_engine rewrite "${NSX_TEST_DOCKER_HOST#unix://}"
    forward "$out" -v -H "unix://$FAKE_SOCK" --forward 0:80 $C-web
    grep -q 'no event stream from the engine' "$out" || fail "$(cat "$out")"
    dk restart -t 0 $C-web >/dev/null
    # Up to a second to notice, then one inspect.
    wait_for grep -q "container '$C-web' is running again: forwarding resumed" "$out" ||
        { sleep 1; grep -q "forwarding resumed" "$out"; } || fail "$(cat "$out")"
    run get
    assert_output "$PAGE"
    dk rm -f $C-web >/dev/null
    wait_for grep -q "container '$C-web' was removed" "$out" ||
        { sleep 1; grep -q "was removed" "$out"; } || fail "$(cat "$out")"
    local st=0
    wait "$FWD" || st=$?
    assert_equal "$st" 125
}

@test "a container on the host's network is refused: its ports are the host's already" {
    dk run -d --name $C-host --net host "$NSX_TEST_IMAGE" sleep 1000 >/dev/null
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
