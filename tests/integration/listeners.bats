#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --listeners against a real dockerd with bridge networking: what listens in each container,
# its owner, and whether its published ports really work.

load helper

PAGE="hello from inside the container"

# The daemon's network namespace, where its published ports are (contrib/test.sh puts it in
# NSX_TEST_NETNS); without one, the daemon publishes on this namespace.
in_daemon_net() {
    if [ -n "${NSX_TEST_NETNS:-}" ]; then
        nsenter --net="/run/netns/$NSX_TEST_NETNS" "$@"
    else
        "$@"
    fi
}

# Host ports are never fixed: other suites and other users of the daemon take theirs at the
# same time. Docker picks a free one for "-p PORT" (host_port reads it back); where the test
# needs a particular shape of number, free_port finds one free in the daemon's namespace and
# the run is retried if it is taken meanwhile.

# host_port NAME PORT/PROTO: the host port the daemon published NAME's PORT/PROTO on.
host_port() {
    local p
    p=$(dk port "$1" "$2" | head -n 1)
    [ -n "$p" ] || return 1
    echo "${p##*:}"
}

# port_free PORT: nothing listens on tcp PORT in the daemon's network namespace.
port_free() {
    ! in_daemon_net ss -Hltn "sport = :$1" | grep -q .
}

# free_port: a five-digit tcp port that is free, and whose first four digits are a free port too.
free_port() {
    local p i
    for i in $(seq 200); do
        p=$((20000 + RANDOM % 40000))
        port_free "$p" && port_free "$((p / 10))" && echo "$p" && return 0
    done
    return 1
}

# run_published NAME ARGS...: dk run -d --name NAME ARGS..., again (ARGS re-evaluated by the
# caller's loop) when a host port was taken between the probe and the run.
run_published() {
    local name=$1
    shift
    dk rm -f "$name" >/dev/null 2>&1 || true
    dk run -d --name "$name" "$@" >/dev/null
}

setup_file() {
    export C=nsx-lst
    local i
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    dk rm -f $C-lo $C-any $C-idle $C-v6 $C-udp $C-priv >/dev/null 2>&1 || true
    # Published, but the service binds the container's loopback only.
    dk run -d --name $C-lo -p 8080 local/busybox httpd -f -p 127.0.0.1:8080 -h /www >/dev/null
    # Published and bound to every address: fine.
    dk run -d --name $C-any -p 8080 local/busybox httpd -f -p 0.0.0.0:8080 -h /www >/dev/null
    # Published, nothing listens.
    # Two host ports, one a prefix of the other (IDLE_PORT and its first four digits,
    # IDLE_PREFIX): both are shown.
    for i in $(seq 10); do
        IDLE_PORT=$(free_port) && IDLE_PREFIX=$((IDLE_PORT / 10)) &&
            run_published $C-idle -p "$IDLE_PORT:8080" -p "$IDLE_PREFIX:8080" local/busybox sleep 3600 && break
    done
    export IDLE_PORT IDLE_PREFIX
    # IPv6 (off by default in containers here): a dual-stack [::] listener published, plus ::1
    # and an IPv4-mapped loopback listener that are not.
    dk run -d --name $C-v6 --sysctl net.ipv6.conf.all.disable_ipv6=0 -p 8080 local/busybox sh -c \
        'httpd -p [::1]:9000 -h /www; httpd -p [::ffff:127.0.0.1]:9001 -h /www; exec httpd -f -p [::]:8080 -h /www' \
        >/dev/null
    # UDP: busybox's DHCP server binds 0.0.0.0:67.
    dk run -d --name $C-udp -p 67/udp local/busybox sh -c \
        'printf "start 10.9.9.100\nend 10.9.9.200\ninterface eth0\nlease_file /tmp/l\npidfile /tmp/p\n" >/tmp/u.conf;
         touch /tmp/l; exec udhcpd -f /tmp/u.conf' >/dev/null
    # Listening on every address, nothing published.
    dk run -d --name $C-priv local/busybox httpd -f -p 0.0.0.0:7070 -h /www >/dev/null
    for c in lo any idle v6 udp priv; do nsx_wait_running $C-$c; done
    PORT_LO=$(host_port $C-lo 8080/tcp) && PORT_ANY=$(host_port $C-any 8080/tcp) &&
        PORT_V6=$(host_port $C-v6 8080/tcp) && PORT_UDP=$(host_port $C-udp 67/udp) || return 1
    export PORT_LO PORT_ANY PORT_V6 PORT_UDP
    # The servers bind right after start: wait until each shows up in its namespace.
    nsx_wait_listening $C-lo tcp 8080 && nsx_wait_listening $C-any tcp 8080 &&
        nsx_wait_listening $C-v6 tcp6 8080 && nsx_wait_listening $C-v6 tcp6 9001 &&
        nsx_wait_listening $C-udp udp 67 && nsx_wait_listening $C-priv tcp 7070
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    dk rm -f $C-lo $C-any $C-idle $C-v6 $C-udp $C-priv >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
}

# pyj EXPR: evaluates a Python expression over the JSON document on stdin (d), printing the result
# (lists one item a line); python3 is a test dependency already, jq is not.
pyj() {
    python3 -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print("\n".join(map(str, r)) if isinstance(r, list) else r)' "$1"
}

# The table row of container $1 whose LISTENING column is $2.
row() {
    awk -v c="$1" -v l="$2" '$1 == c && $3 == l' <<<"$output"
}

@test "a published port bound to 127.0.0.1 inside is flagged unreachable, with the fix, and is unreachable" {
    local pid
    run "$NSX" --listeners $C-lo
    assert_success
    pid=$(dk inspect -f '{{.State.Pid}}' $C-lo)
    assert_line --index 0 --regexp '^CONTAINER +PROTO +LISTENING +PUBLISHED +PROCESS +VERDICT$'
    assert_equal "$(row $C-lo 127.0.0.1:8080 | awk '{print $2, $4, $5}')" "tcp *:$PORT_LO httpd[$pid]"
    row $C-lo 127.0.0.1:8080 | grep -q 'UNREACHABLE: loopback only'
    assert_line "$C-lo: 8080/tcp is published as *:$PORT_LO but listens on 127.0.0.1 only: unreachable from outside; bind 0.0.0.0 (or ::) in the container, or reach it from the host with 'docker-nsexec --forward 0:8080 $C-lo'"

    # Really: the published port answers with a reset; the fix reaches it.
    run in_daemon_net curl -sS --max-time 5 "http://127.0.0.1:$PORT_LO/"
    assert_failure
    refute_output --partial "$PAGE"
    run "$NSX" $C-lo curl -sS --max-time 5 http://127.0.0.1:8080/
    assert_output "$PAGE"

    # The fix the line names reaches it from the host.
    local out=$BATS_TEST_TMPDIR/forward port
    BG_PIDS=()
    bg sh -c 'exec "$0" --forward 0:8080 "$1" >"$2" 2>&1' "$NSX" $C-lo "$out"
    wait_for grep -q '^forwarding ' "$out" || { bg_stop_all; fail "$(cat "$out")"; }
    port=$(sed -n 's/^forwarding 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$out")
    run curl -sS --max-time 5 "http://127.0.0.1:$port/"
    bg_stop_all
    assert_output "$PAGE"
}

@test "a published port bound to 0.0.0.0 is fine, and reachable" {
    run "$NSX" --listeners $C-any
    assert_success
    row $C-any 0.0.0.0:8080 | grep -Eq "^nsx-lst-any +tcp +0\\.0\\.0\\.0:8080 +\\*:$PORT_ANY +httpd\\[[0-9]+\\] +ok\$"
    refute_output --partial "unreachable"
    run in_daemon_net curl -sS --max-time 5 "http://127.0.0.1:$PORT_ANY/"
    assert_success
    assert_output "$PAGE"
}

@test "a published port nobody listens on is flagged" {
    run "$NSX" --listeners $C-idle
    assert_success
    local p=$IDLE_PORT q=$IDLE_PREFIX
    row $C-idle -:8080 | grep -Eq "^nsx-lst-idle +tcp +-:8080 +\\*:($p,\\*:$q|$q,\\*:$p) +- +NOT LISTENING\$"
    assert_line --regexp "^$C-idle: 8080/tcp is published as \\*:($p,\\*:$q|$q,\\*:$p) but nothing listens on it in the container: is the service up, and on this port\\?\$"
    run in_daemon_net curl -sS --max-time 5 "http://127.0.0.1:$p/"
    assert_failure
}

@test "IPv6 listeners: [::] published is fine, ::1 and ::ffff:127.0.0.1 are local only" {
    run "$NSX" --listeners $C-v6
    assert_success
    row $C-v6 '[::]:8080' | grep -Eq " tcp6 +\\[::\\]:8080 +\\*:$PORT_V6 +httpd\\[[0-9]+\\] +ok\$"
    row $C-v6 '[::1]:9000' | grep -Eq ' tcp6 +\[::1\]:9000 +- +httpd\[[0-9]+\] +local only$'
    row $C-v6 '[::ffff:127.0.0.1]:9001' | grep -Eq ' tcp6 .* +httpd\[[0-9]+\] +local only$'
    # The advice names the --forward that reaches each from the host (a note, not a problem line).
    run "$NSX" --listeners --json $C-v6
    assert_success
    assert_equal "$(pyj '"\n".join(p["message"] for p in d["containers"][0]["ports"] if p["verdict"] == "local-only")' <<<"$output")" \
        "$(printf '%s\n%s' \
            "9000/tcp listens on loopback only: reachable only inside the container; from the host: docker-nsexec --forward 9000:[::1]:9000 $C-v6" \
            "9001/tcp listens on loopback only: reachable only inside the container; from the host: docker-nsexec --forward 9001:9001 $C-v6")"
    # A dual-stack listener takes the published IPv4 traffic too.
    run in_daemon_net curl -sS --max-time 5 "http://127.0.0.1:$PORT_V6/"
    assert_output "$PAGE"
}

@test "UDP: an unconnected socket is a listener, with its owner" {
    run "$NSX" --listeners $C-udp
    assert_success
    row $C-udp 0.0.0.0:67 | grep -Eq "^nsx-lst-udp +udp +0\\.0\\.0\\.0:67 +\\*:$PORT_UDP +udhcpd\\[[0-9]+\\] +ok\$"
}

@test "a listener on a port that is not published: reachable only from the container's networks" {
    run "$NSX" --listeners $C-priv
    assert_success
    row $C-priv 0.0.0.0:7070 | grep -Eq '^nsx-lst-priv +tcp +0\.0\.0\.0:7070 +- +httpd\[[0-9]+\] +not published$'
    run "$NSX" --listeners --json $C-priv
    assert_success
    assert_equal "$(pyj 'd["containers"][0]["ports"][0]["message"]' <<<"$output")" \
        "7070/tcp listens but is not published: reachable only from the container's networks"
}

@test "--json is valid JSON with verdicts, addresses and owners" {
    local pid
    pid=$(dk inspect -f '{{.State.Pid}}' $C-lo)
    run "$NSX" --listeners --json $C-lo $C-idle $C-v6
    assert_success
    python3 -m json.tool <<<"$output" >/dev/null
    assert_equal "$(pyj '" ".join(c["name"] for c in d["containers"])' <<<"$output")" "$C-lo $C-idle $C-v6"
    assert_equal "$(pyj '[" ".join(map(str, [p["protocol"], p["verdict"], p["problem"], p["published"][0]["host_port"],
        p["listeners"][0]["address"], p["listeners"][0]["family"], p["listeners"][0]["loopback"],
        p["listeners"][0]["processes"][0]["comm"], p["listeners"][0]["processes"][0]["pid"]]))
        for p in d["containers"][0]["ports"] if p["port"] == 8080]' <<<"$output")" \
        "tcp loopback-only True $PORT_LO 127.0.0.1 ipv4 True httpd $pid"
    assert_equal "$(pyj 'd["containers"][1]["ports"][0]["verdict"] + " " + str(len(d["containers"][1]["ports"][0]["listeners"]))' <<<"$output")" \
        "not-listening 0"
    assert_equal "$(pyj '" ".join("%d:%s:%s" % (p["port"], p["verdict"], p["listeners"][0]["address"])
        for p in d["containers"][2]["ports"])' <<<"$output")" "8080:ok::: 9000:local-only:::1 9001:local-only:::ffff:127.0.0.1"
    assert_equal "$(pyj 'd["containers"][0]["id"]' <<<"$output")" "$(dk inspect -f '{{.Id}}' $C-lo)"
    assert_equal "$(pyj 'd["containers"][0]["network_mode"]' <<<"$output")" default
}

@test "with no CONTAINER, every running container is reported, once" {
    local c names
    run "$NSX" --listeners --json
    assert_success
    names=$(pyj '[c["name"] for c in d["containers"]]' <<<"$output" | sort)
    assert_equal "$names" "$(dk ps --format '{{.Names}}' | sort)"
    for c in lo any idle v6 udp priv; do
        grep -qx "$C-$c" <<<"$names"
    done
    run "$NSX" --listeners
    assert_success
    assert_line --regexp "^$C-udp +udp +0\.0\.0\.0:67 "
}

@test "an unknown container: one line, exit 125, no report" {
    run --separate-stderr "$NSX" --listeners $C-lo $C-nope
    assert_failure 125
    assert_output ""
    assert_equal "$stderr" "docker-nsexec: no such container: '$C-nope'"
    run --separate-stderr "$NSX" --listeners 'bad/name'
    assert_failure 125
    assert_equal "$(wc -l <<<"$stderr")" 1
}

@test "colour only on a terminal, and never with NO_COLOR" {
    local esc=$'\033['
    run "$NSX" --listeners $C-lo
    [[ $output != *"$esc"* ]]
    # On a terminal (script(1) gives one): coloured, unless NO_COLOR is set.
    run script -qec "'$NSX' --listeners $C-lo" /dev/null
    assert_success
    [[ $output == *"$esc"* ]]
    run env NO_COLOR=1 script -qec "'$NSX' --listeners $C-lo" /dev/null
    assert_success
    assert_output --partial "UNREACHABLE"
    [[ $output != *"$esc"* ]]
}

@test "--net host: listeners are the host network's, not 'not published'" {
    local p i
    # A port free in the daemon's namespace; another taken meanwhile makes httpd exit: again.
    for i in $(seq 10); do
        p=$(free_port) || continue
        run_published $C-host --net host local/busybox httpd -f -p "127.0.0.1:$p" -h /www &&
            nsx_wait_running $C-host && nsx_wait_listening $C-host tcp "$p" && break
    done
    run "$NSX" --listeners $C-host
    dk rm -f $C-host >/dev/null 2>&1 || true
    assert_success
    row $C-host "127.0.0.1:$p" | grep -Eq " tcp +127\\.0\\.0\\.1:$p +- +httpd\\[[0-9]+\\] +host network\$"
    refute_output --partial "not published"
    refute_output --partial "local only"
}

@test "the /proc reader, where sock_diag is missing or a namespace cannot be entered, gives the same report" {
    local all=($C-lo $C-any $C-idle $C-v6 $C-udp $C-priv) table json
    run -0 "$NSX" --listeners -v "${all[@]}"
    assert_output --partial "listening sockets read from sock_diag for 6 containers, from /proc for 0"
    run -0 "$NSX" --listeners "${all[@]}"
    table=$output
    run -0 "$NSX" --listeners --json "${all[@]}"
    json=$output
    # A kernel without sock_diag: every namespace from /proc.
    run -0 "$NSX_ENOSYS" --sockdiag "$NSX" --listeners -v "${all[@]}"
    assert_output --partial "listening sockets read from sock_diag for 0 containers, from /proc for 6"
    run -0 "$NSX_ENOSYS" --sockdiag "$NSX" --listeners "${all[@]}"
    assert_equal "$output" "$table"
    run -0 "$NSX_ENOSYS" --sockdiag "$NSX" --listeners --json "${all[@]}"
    assert_equal "$output" "$json"
    # Namespaces that cannot be entered (setns: EPERM): each from /proc.
    run -0 "$NSX_ENOSYS" --setns "$NSX" --listeners -v "${all[@]}"
    assert_output --partial "listening sockets read from sock_diag for 0 containers, from /proc for 6"
    run -0 "$NSX_ENOSYS" --setns "$NSX" --listeners "${all[@]}"
    assert_equal "$output" "$table"
}
