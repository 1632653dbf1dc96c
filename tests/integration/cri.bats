#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# CRI engines: pods and containers made through a real containerd's CRI (runtime.v1) as kubelet makes
# them (tests/cri-client.py), entered by the names Kubernetes people use; a lying CRI server
# (tests/fake-cri.py) for the cgroup proof; the socket search's CRI places.

load helper

PAGE="hello from inside the container"
GET_PAGE=(curl -sS --max-time 5 http://127.0.0.1:80/)
FAKE_ID=c0ffee00d15ea5e0c0ffee00d15ea5e0c0ffee00d15ea5e0c0ffee00d15ea5e0

# The CRI client against the test containerd (contrib/test.sh sets NSX_TEST_CRI_ENDPOINT). Debian's
# grpcio is /usr/bin/python3's: another python3 first on PATH may not have it.
cri() {
    /usr/bin/python3 "$NSX_CRI_CLIENT" --endpoint "$NSX_TEST_CRI_ENDPOINT" "$@"
}

# As nsx_probe_daemon, for the CRI endpoint: exports NSX_CRI=up or down; fails only when it is down
# and DOCKER_NSEXEC_MUST_WORK=1. From setup_file; nsx_require_cri from setup.
nsx_probe_cri() {
    local sock=${NSX_TEST_CRI_ENDPOINT:-}
    sock=${sock#unix://}
    if [ -n "$sock" ] && [ -S "$sock" ] && timeout 20 /usr/bin/python3 "$NSX_CRI_CLIENT" \
        --endpoint "$NSX_TEST_CRI_ENDPOINT" version >/dev/null 2>&1; then
        export NSX_CRI=up
        return 0
    fi
    export NSX_CRI=down
    if [ "${DOCKER_NSEXEC_MUST_WORK:-0}" = 1 ]; then
        echo "no CRI engine at '${NSX_TEST_CRI_ENDPOINT:-}' (NSX_TEST_CRI_ENDPOINT; DOCKER_NSEXEC_MUST_WORK=1)" >&2
        return 1
    fi
    return 0
}

nsx_require_cri() {
    [ "${NSX_CRI:-}" = up ] || nsx_probe_cri || return 1
    [ "$NSX_CRI" = up ] ||
        skip "no CRI engine: NSX_TEST_CRI_ENDPOINT is unset or does not answer (contrib/test.sh sets it)"
}

# jget FILE EXPR: EXPR (Python, over the JSON object d) of the `cri up` answer in FILE.
jget() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

cri_down_all() {
    cri down --ns default $P-web $P-two $P-dflt $P-stop $P-fwd $P-user $P-ports >/dev/null 2>&1 || true
    cri down $P-dup >/dev/null 2>&1 || true
}

setup_file() {
    export P=nsx-cri
    export NSX_CRI_GEN_DIR=$BATS_FILE_TMPDIR/cri-gen
    nsx_probe_cri
    [ "$NSX_CRI" = up ] || return 0
    local d=$BATS_FILE_TMPDIR i
    cri_down_all
    # The seed scenario: a service bound to the pod's own loopback only.
    cri up $P-web --container web httpd -f -p 127.0.0.1:80 -h /www >"$d/web.json"
    # Two containers and nothing to choose between them.
    cri up $P-two --container app --container side >"$d/two.json"
    # The same, with kubectl's default-container annotation.
    cri up $P-dflt --annotation kubectl.kubernetes.io/default-container=side \
        --container app --container side >"$d/dflt.json"
    # One pod name in two namespaces.
    cri up $P-dup --ns nsx-a --container c >"$d/dup-a.json"
    cri up $P-dup --ns nsx-b --container c >"$d/dup-b.json"
    # A container that has stopped.
    cri up $P-stop --container gone >"$d/stop.json"
    cri stop-container "$(jget "$d/stop.json" 'd["containers"]["gone"]')"

    WEB_ID=$(jget "$d/web.json" 'd["containers"]["web"]') && WEB_PID=$(jget "$d/web.json" 'd["pids"]["web"]') &&
        WEB_UID=$(jget "$d/web.json" 'd["uid"]') &&
        DFLT_APP_PID=$(jget "$d/dflt.json" 'd["pids"]["app"]') &&
        DFLT_SIDE_PID=$(jget "$d/dflt.json" 'd["pids"]["side"]') &&
        DUP_A_PID=$(jget "$d/dup-a.json" 'd["pids"]["c"]') && DUP_B_PID=$(jget "$d/dup-b.json" 'd["pids"]["c"]') &&
        STOP_ID=$(jget "$d/stop.json" 'd["containers"]["gone"]') || return 1
    export WEB_ID WEB_PID WEB_UID DFLT_APP_PID DFLT_SIDE_PID DUP_A_PID DUP_B_PID STOP_ID
    # httpd binds right after start: wait until its socket shows up (port 80 is :0050).
    for i in $(seq 100); do
        grep -q ':0050 ' "/proc/$WEB_PID/net/tcp" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "$P-web: nothing listens on port 80" >&2
    return 1
}

teardown_file() {
    if [ "${NSX_CRI:-}" != up ]; then
        return 0
    fi
    cri_down_all
}

setup() {
    nsx_require_cri
    EP=$NSX_TEST_CRI_ENDPOINT
    CRI_SOCK=${EP#unix://}
    # contrib/test.sh exports DOCKER_HOST (its dockerd) to every suite: here the CRI endpoint is
    # named on purpose each time, in a home of our own (bats runs each test in its own process).
    unset DOCKER_HOST DOCKER_CONTEXT DOCKER_CONFIG CONTAINER_RUNTIME_ENDPOINT DOCKER_NSEXEC_DEBUG
    export HOME=$BATS_TEST_TMPDIR/home
    mkdir -p "$HOME"
    BG_PIDS=()
    FAKE_CRI_PID=
}

teardown() {
    if [ -n "${FAKE_CRI_PID:-}" ]; then
        kill "$FAKE_CRI_PID" 2>/dev/null || true
        wait "$FAKE_CRI_PID" 2>/dev/null || true
    fi
    bg_stop_all
}

# fake_cri ID PID NAMESPACE/POD/CONTAINER: tests/fake-cri.py on a fresh socket, FAKE_CRI_SOCK; its
# log FAKE_CRI_LOG, a line per call; FAKE_CRI_PID.
fake_cri() {
    local dir i
    dir=$(mktemp -d "$BATS_TEST_TMPDIR/fc.XXXXXX")
    FAKE_CRI_SOCK=$dir/cri.sock
    FAKE_CRI_LOG=$dir/log
    /usr/bin/python3 "$NSX_FAKE_CRI" "$FAKE_CRI_SOCK" lying "$@" >"$FAKE_CRI_LOG" 2>&1 3>&- &
    FAKE_CRI_PID=$!
    for i in $(seq 200); do
        grep -qx ready "$FAKE_CRI_LOG" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "fake CRI server did not start: $(cat "$FAKE_CRI_LOG")" >&2
    return 1
}

# assert_candidates LINE NAME...: LINE is a refusal for ambiguity that names every NAME.
assert_candidates() {
    local line=$1 n
    shift
    if ! grep -qiE 'ambiguous|more than one|several' <<<"$line"; then
        printf 'not an ambiguity error: %s\n' "$line" >&2
        return 1
    fi
    for n in "$@"; do
        if [[ $line != *"$n"* ]]; then
            printf 'candidate %s not named in: %s\n' "$n" "$line" >&2
            return 1
        fi
    done
}

# --- the test engine is what kubelet would have made -----------------------------------------

@test "cri harness: containers sit in kubelet's cgroup layout, /kubepods/besteffort/pod<uid>/<id>" {
    run cat "/proc/$WEB_PID/cgroup"
    assert_output --partial "/kubepods/besteffort/pod$WEB_UID/$WEB_ID"
    run cri ls
    assert_success
    assert_line --regexp "^$WEB_ID default/$P-web/web CONTAINER_RUNNING $WEB_PID\$"
    assert_line --regexp "^$STOP_ID default/$P-stop/gone CONTAINER_EXITED 0\$"
}

# --- the seed scenario and the target forms ---------------------------------------------------

@test "cri seed: the host cannot reach the pod's 127.0.0.1:80, docker-nsexec --runtime-endpoint can" {
    run curl -sS --max-time 2 http://127.0.0.1:80/
    refute_output --partial "$PAGE"
    run "$NSX" --runtime-endpoint "$EP" $P-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

@test "cri: CONTAINER_RUNTIME_ENDPOINT names the engine as well" {
    CONTAINER_RUNTIME_ENDPOINT=$EP run "$NSX" $P-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

@test "cri: POD, POD/CONTAINER, NAMESPACE/POD/CONTAINER, the full ID and a unique prefix: the container's netns" {
    local t want
    want=$(ns "$WEB_PID" net)
    [ "$want" != "$(ns $$ net)" ]
    for t in $P-web $P-web/web default/$P-web/web "$WEB_ID" "${WEB_ID:0:12}"; do
        run "$NSX" --runtime-endpoint "$EP" "$t" readlink /proc/self/ns/net
        assert_success
        assert_output "$want"
    done
}

@test "cri: NAMESPACE/POD/CONTAINER tells apart one pod name in two namespaces" {
    run "$NSX" --runtime-endpoint "$EP" nsx-a/$P-dup/c readlink /proc/self/ns/net
    assert_success
    assert_output "$(ns "$DUP_A_PID" net)"
    run "$NSX" --runtime-endpoint "$EP" nsx-b/$P-dup/c readlink /proc/self/ns/net
    assert_success
    assert_output "$(ns "$DUP_B_PID" net)"
    [ "$(ns "$DUP_A_PID" net)" != "$(ns "$DUP_B_PID" net)" ]
}

@test "cri: POD with kubectl.kubernetes.io/default-container enters that container" {
    # The pod's containers share its network namespace; their PID namespaces are their own.
    [ "$(ns "$DFLT_APP_PID" pid)" != "$(ns "$DFLT_SIDE_PID" pid)" ]
    run "$NSX" --runtime-endpoint "$EP" -p $P-dflt readlink /proc/self/ns/pid
    assert_success
    assert_output "$(ns "$DFLT_SIDE_PID" pid)"
    run "$NSX" --runtime-endpoint "$EP" -p $P-dflt/app readlink /proc/self/ns/pid
    assert_success
    assert_output "$(ns "$DFLT_APP_PID" pid)"
}

# --- refusals ---------------------------------------------------------------------------------

@test "cri: POD with two containers and no annotation is ambiguous: 125, one line with the candidates, and how to choose" {
    run --separate-stderr "$NSX" --runtime-endpoint "$EP" $P-two touch "$BATS_TEST_TMPDIR/ran"
    assert_failure 125
    [ "${#stderr_lines[@]}" -eq 2 ]
    assert_candidates "${stderr_lines[0]}" default/$P-two/app default/$P-two/side
    assert_equal "${stderr_lines[1]}" "docker-nsexec: hint: write POD/CONTAINER, or set the pod's default-container annotation"
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "cri: a pod name in two namespaces is ambiguous, as POD and as POD/CONTAINER" {
    local t
    for t in $P-dup $P-dup/c; do
        run --separate-stderr "$NSX" --runtime-endpoint "$EP" "$t" touch "$BATS_TEST_TMPDIR/ran"
        assert_failure 125
        [ "${#stderr_lines[@]}" -le 2 ]
        assert_candidates "${stderr_lines[0]}" nsx-a/$P-dup/c nsx-b/$P-dup/c
        [ "${#stderr_lines[@]}" -eq 1 ] || [[ ${stderr_lines[1]} == "docker-nsexec: hint: "* ]]
    done
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "cri: a stopped container is refused as not running: 125, nothing run" {
    local t
    for t in $P-stop/gone default/$P-stop/gone "$STOP_ID"; do
        run "$NSX" --runtime-endpoint "$EP" "$t" touch "$BATS_TEST_TMPDIR/ran"
        assert_failure 125
        assert_line --index 0 --partial "not running"
    done
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "cri: a pod that does not exist: one line naming it, 125" {
    run "$NSX" --runtime-endpoint "$EP" $P-nope true
    assert_failure 125
    [ "${#lines[@]}" -eq 1 ]
    assert_line --index 0 --partial "$P-nope"
}

# --- --list, completion, --listeners ----------------------------------------------------------

@test "cri: --list prints NAMESPACE/POD/CONTAINER of every running container, one a line" {
    run --separate-stderr "$NSX" --runtime-endpoint "$EP" --list
    assert_success
    assert_equal "$stderr" ""
    assert_line default/$P-web/web
    assert_line default/$P-two/app
    assert_line default/$P-two/side
    assert_line nsx-a/$P-dup/c
    assert_line nsx-b/$P-dup/c
    refute_line default/$P-stop/gone
    # The same set as the engine's own view of running containers.
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort)" \
        "$(cri ls | awk '$3 == "CONTAINER_RUNNING" { print $2 }' | sort)"
    CONTAINER_RUNTIME_ENDPOINT=$EP run "$NSX" --list
    assert_success
    assert_line default/$P-web/web
}

@test "cri: completion offers NAMESPACE/POD/CONTAINER of running containers" {
    CONTAINER_RUNTIME_ENDPOINT=$EP run --separate-stderr "$NSX" __complete nsexec ""
    assert_success
    assert_equal "$stderr" ""
    assert_line --regexp "^default/$P-web/web([[:space:]].*)?\$"
    assert_line --regexp "^nsx-a/$P-dup/c([[:space:]].*)?\$"
    refute_line --regexp "^default/$P-stop/gone"
    [[ ${lines[-1]} =~ ^:[0-9]+$ ]]
    # The endpoint typed on the line is the one asked; a typed prefix narrows the offer.
    run --separate-stderr "$NSX" __complete nsexec --runtime-endpoint "$EP" "default/$P-we"
    assert_success
    assert_line --regexp "^default/$P-web/web([[:space:]].*)?\$"
    refute_line --regexp "^default/$P-two/"
}

@test "cri: --listeners reports the pod's container by NAMESPACE/POD/CONTAINER, with its loopback httpd" {
    run "$NSX" --runtime-endpoint "$EP" --listeners default/$P-web/web
    assert_success
    assert_line --regexp "^default/$P-web/web +tcp +127\.0\.0\.1:80( |\$)"
    # With no target: every running container, this one among them.
    run "$NSX" --runtime-endpoint "$EP" --listeners
    assert_success
    assert_line --regexp "^default/$P-web/web +tcp +127\.0\.0\.1:80( |\$)"
}

# --- the proof against a lying engine ---------------------------------------------------------

@test "cri: a CRI engine that lies about the PID is caught by the cgroup proof: 125, nothing run" {
    bg sleep 1000
    local sleeper=$BG t
    fake_cri "$FAKE_ID" "$sleeper" default/liar/app
    for t in default/liar/app liar "$FAKE_ID"; do
        run "$NSX" --runtime-endpoint "unix://$FAKE_CRI_SOCK" "$t" touch "$BATS_TEST_TMPDIR/ran"
        assert_failure 125
        assert_line --index 0 --partial "docker-nsexec: PID $sleeper is not a process of container"
        [ ! -e "$BATS_TEST_TMPDIR/ran" ]
    done
    grep -q '^call ContainerStatus$' "$FAKE_CRI_LOG"
    # The lie is otherwise convincing: without the proof, the command runs.
    run "$NSX" --runtime-endpoint "unix://$FAKE_CRI_SOCK" --no-verify default/liar/app touch "$BATS_TEST_TMPDIR/ran"
    assert_success
    [ -e "$BATS_TEST_TMPDIR/ran" ]
}

# --- the socket search, -v --------------------------------------------------------------------

@test "cri: no engine socket anywhere: 125, and the error lists the CRI sockets tried too" {
    local xdg=$BATS_TEST_TMPDIR/xdg
    mkdir -p "$xdg"
    run in_private_run -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $P-web touch "$BATS_TEST_TMPDIR/ran"
    assert_failure 125
    assert_line --index 0 --partial "/var/run/docker.sock"
    assert_line --index 0 --partial "/run/containerd/containerd.sock"
    assert_line --index 0 --partial "/run/k3s/containerd/containerd.sock"
    assert_line --index 0 --partial "/var/snap/microk8s/common/run/containerd.sock"
    assert_line --index 0 --partial "/run/crio/crio.sock"
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "cri: with no Docker or Podman socket, containerd's socket is found by the search" {
    local xdg=$BATS_TEST_TMPDIR/xdg dst
    mkdir -p "$xdg"
    for dst in /run/containerd/containerd.sock /run/k3s/containerd/containerd.sock; do
        # --host-dns: the pod's resolv.conf lives under /run, which the private /run hides.
        run --separate-stderr in_private_run "$CRI_SOCK=$dst" -- env XDG_RUNTIME_DIR="$xdg" \
            "$NSX" -v --host-dns $P-web readlink /proc/self/ns/net
        assert_success
        assert_output "$(ns "$WEB_PID" net)"
        assert_debug "$dst"
    done
}

@test "cri: -v names the CRI engine, and where the endpoint came from" {
    run --separate-stderr "$NSX" -v --runtime-endpoint "$EP" $P-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug CRI
    assert_debug "$CRI_SOCK" --runtime-endpoint

    CONTAINER_RUNTIME_ENDPOINT=$EP run --separate-stderr "$NSX" -v $P-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug CRI
    assert_debug "$CRI_SOCK" CONTAINER_RUNTIME_ENDPOINT
}

@test "cri: --forward reaches the pod's loopback-only httpd; the container stops: refused; removed: exit 125" {
    local out=$BATS_TEST_TMPDIR/fwd d=$BATS_TEST_TMPDIR port fwd i st=0 id
    cri down $P-fwd >/dev/null 2>&1 || true
    cri up $P-fwd --container web httpd -f -p 127.0.0.1:80 -h /www >"$d/fwd.json"
    id=$(jget "$d/fwd.json" 'd["containers"]["web"]')
    "$NSX" --runtime-endpoint "$EP" --forward 0:80 $P-fwd >"$out" 2>&1 3>&- &
    fwd=$!
    wait_for grep -q '^forwarding ' "$out" || { kill "$fwd"; fail "$(cat "$out")"; }
    port=$(sed -n 's/^forwarding 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$out")
    run curl -sS --max-time 5 "http://127.0.0.1:$port/"
    assert_output "$PAGE"
    cri stop-container "$id" >/dev/null
    wait_for grep -qxF "docker-nsexec: container '$P-fwd' exited: refusing connections until it runs again" "$out" ||
        { kill "$fwd"; fail "$(cat "$out")"; }
    run curl -sS --max-time 5 "http://127.0.0.1:$port/"
    assert_failure
    cri down $P-fwd >/dev/null
    # Asked once a second while down (a CRI engine has no event stream here).
    for i in $(seq 60); do
        kill -0 "$fwd" 2>/dev/null || break
        sleep 0.1
    done
    kill "$fwd" 2>/dev/null || true
    wait "$fwd" || st=$?
    assert_equal "$st" 125
    grep -qxF "docker-nsexec: container '$P-fwd' was removed" "$out" || fail "$(cat "$out")"
}

@test "cri: calls per entry: one for a full ID, two for a name, three for a POD that needs its annotation" {
    local id
    id=$(jget "$BATS_FILE_TMPDIR/web.json" 'd["containers"]["web"]')
    calls() { "$NSX" -v --runtime-endpoint "$EP" "$1" true 2>&1 | grep -c '^docker-nsexec: debug: gRPC '; }
    assert_equal "$(calls "$id")" 1
    assert_equal "$(calls default/$P-web/web)" 2
    assert_equal "$(calls $P-web/web)" 2
    assert_equal "$(calls $P-web)" 2
    assert_equal "$(calls $P-dflt)" 3
}

@test "cri: -m/-a run as the container's user, with its environment and hostname; -n stays the caller's" {
    local d=$BATS_TEST_TMPDIR
    cri down $P-user >/dev/null 2>&1 || true
    cri up $P-user --container app --user 1000 --env FOO=bar >"$d/user.json"

    # What crictl exec would run with: the runtime spec's uid, env and (the pod's) hostname.
    run --separate-stderr "$NSX" --runtime-endpoint "$EP" -a $P-user id -u
    assert_success
    assert_output 1000
    run --separate-stderr "$NSX" --runtime-endpoint "$EP" -a $P-user sh -c 'echo "$FOO $HOSTNAME"'
    assert_success
    assert_output "bar $P-user"
    run --separate-stderr "$NSX" --runtime-endpoint "$EP" -m $P-user/app id -u
    assert_success
    assert_output 1000
    # --user and -e still win.
    run --separate-stderr "$NSX" --runtime-endpoint "$EP" -a --user 0 -e FOO=baz $P-user sh -c 'id -u; echo $FOO'
    assert_success
    assert_output "0
baz"
    # A host tool (-n, the default) runs as the caller, not the container's user.
    run --separate-stderr "$NSX" --runtime-endpoint "$EP" $P-user id -u
    assert_success
    assert_output "$(id -u)"
    assert_output 0
    cri down $P-user >/dev/null
}

@test "cri: --listeners takes a pod's ports from its spec: a hostPort to a loopback-only httpd is published and UNREACHABLE; one pod status per pod" {
    local d=$BATS_TEST_TMPDIR port pid i row
    # A host port nothing holds now (the pod's own; the test CNI has no portmap plugin, so the
    # mapping is the spec's word, which is what --listeners reports).
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cri down $P-ports >/dev/null 2>&1 || true
    cri up $P-ports --port "80:$port" --container web httpd -f -p 127.0.0.1:80 -h /www --container side >"$d/ports.json"
    pid=$(jget "$d/ports.json" 'd["pids"]["web"]')
    for i in $(seq 100); do
        grep -q ':0050 ' "/proc/$pid/net/tcp" 2>/dev/null && break
        sleep 0.05
    done

    run "$NSX" --runtime-endpoint "$EP" --listeners default/$P-ports/web
    assert_success
    assert_line --index 0 --regexp '^CONTAINER +PROTO +LISTENING +PUBLISHED +PROCESS +VERDICT$'
    row=$(awk -v c="default/$P-ports/web" '$1 == c && $3 == "127.0.0.1:80"' <<<"$output")
    assert_equal "$(awk '{print $2, $4, $5}' <<<"$row")" "tcp *:$port httpd[$pid]"
    grep -q 'UNREACHABLE: loopback only' <<<"$row"
    assert_line "default/$P-ports/web: 80/tcp is published as *:$port but listens on 127.0.0.1 only: unreachable from outside; bind 0.0.0.0 (or ::) in the container, or reach it from the host with 'docker-nsexec --forward 0:80 default/$P-ports/web'"

    # --json carries the published port, for each container of the pod (they share its network).
    run "$NSX" --runtime-endpoint "$EP" --listeners --json $P-ports/web $P-ports/side
    assert_success
    assert_equal "$(python3 -c '
import json, sys
d = json.load(sys.stdin)
for c in d["containers"]:
    p = [p for p in c["ports"] if p["port"] == 80][0]
    print(c["name"], c["network_mode"], p["protocol"], p["exposed"], p["published"][0]["host_ip"] or "*",
          p["published"][0]["host_port"], p["verdict"], p["problem"])' <<<"$output")" \
        "default/$P-ports/web pod tcp True * $port loopback-only True
default/$P-ports/side pod tcp True * $port loopback-only True"

    # The calls: the list, each container's status, and the pod's status once for both.
    run "$NSX" -v --runtime-endpoint "$EP" --listeners $P-ports/web $P-ports/side
    assert_success
    assert_line "docker-nsexec: debug: 4 requests to the engine over one connection"

    # A pod without ports: no published column, as before.
    run "$NSX" --runtime-endpoint "$EP" --listeners default/$P-web/web
    assert_success
    refute_output --partial "published as"
    cri down $P-ports
}
