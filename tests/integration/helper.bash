# SPDX-License-Identifier: MIT
# Shared set-up for the bats suites: the binary under test, the private test daemon, fakes.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

NSX=${NSX_BIN:?NSX_BIN must name the docker-nsexec binary under test}
FAKE_ENGINE=${NSX_FAKE_ENGINE:?NSX_FAKE_ENGINE must name tests/fake-engine.py}

# The daemon that contrib/test.sh started. Absent: every test skips, unless
# DOCKER_NSEXEC_MUST_WORK=1 (CI), where a missing daemon is a failure rather than a quiet pass.
# Call nsx_probe_daemon from setup_file (bats cannot skip there) and nsx_require_daemon from setup.
nsx_probe_daemon() {
    local sock=${NSX_TEST_DOCKER_HOST:-}
    sock=${sock#unix://}
    if [ -n "$sock" ] && curl -sf --max-time 3 --unix-socket "$sock" http://engine/_ping >/dev/null 2>&1; then
        export NSX_DAEMON=up DOCKER_HOST=$NSX_TEST_DOCKER_HOST
        return 0
    fi
    export NSX_DAEMON=down
    if [ "${DOCKER_NSEXEC_MUST_WORK:-0}" = 1 ]; then
        echo "no test daemon at '${NSX_TEST_DOCKER_HOST:-}' (DOCKER_NSEXEC_MUST_WORK=1)" >&2
        return 1
    fi
    return 0
}

nsx_require_daemon() {
    [ "${NSX_DAEMON:-}" = up ] || nsx_probe_daemon || return 1
    [ "$NSX_DAEMON" = up ] ||
        skip "no test daemon: NSX_TEST_DOCKER_HOST is unset or does not answer (contrib/test.sh sets it)"
}

# The same for another engine (Podman: contrib/test.sh sets NSX_TEST_PODMAN_HOST): nsx_probe_engine VAR STATE
# pings the engine named by $VAR and exports STATE=up or down (it never touches DOCKER_HOST); it fails
# only when the engine is down and DOCKER_NSEXEC_MUST_WORK=1. Call it from setup_file, and
# nsx_require_engine VAR STATE from setup.
nsx_probe_engine() {
    local var=$1 state=$2 sock=${!1:-}
    sock=${sock#unix://}
    if [ -n "$sock" ] && curl -sf --max-time 3 --unix-socket "$sock" http://engine/_ping >/dev/null 2>&1; then
        export "$state=up"
        return 0
    fi
    export "$state=down"
    if [ "${DOCKER_NSEXEC_MUST_WORK:-0}" = 1 ]; then
        echo "no test engine at '${!var:-}' ($var; DOCKER_NSEXEC_MUST_WORK=1)" >&2
        return 1
    fi
    return 0
}

nsx_require_engine() {
    [ "${!2:-}" = up ] || nsx_probe_engine "$1" "$2" || return 1
    [ "${!2}" = up ] ||
        skip "no test engine: $1 is unset or does not answer (contrib/test.sh sets it)"
}

dk() {
    docker -H "$NSX_TEST_DOCKER_HOST" "$@"
}

# Waits until a container's state is what we asked for (docker run -d returns before it is up).
nsx_wait_running() {
    local name=$1 i
    for i in $(seq 100); do
        [ "$(dk inspect -f '{{.State.Running}} {{.State.Pid}}' "$name" 2>/dev/null | cut -d' ' -f1)" = true ] && return 0
        sleep 0.05
    done
    echo "container $name did not start" >&2
    return 1
}

# nsx_wait_listening NAME FILE PORT: until /proc/PID/net/FILE (tcp, tcp6, udp, udp6) of container
# NAME shows a socket on PORT.
nsx_wait_listening() {
    local pid hex i
    pid=$(dk inspect -f '{{.State.Pid}}' "$1")
    hex=$(printf ':%04X ' "$3")
    for i in $(seq 100); do
        grep -q "$hex" "/proc/$pid/net/$2" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "$1: nothing on $2 port $3" >&2
    return 1
}

# Starts the fake engine on a fresh socket in a private temp dir; sets FAKE_SOCK and FAKE_PID.
# fd 3 is closed for it: bats waits for every holder of fd 3 before it finishes.
nsx_fake_engine() {
    local dir i
    dir=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/fe.XXXXXX")
    FAKE_SOCK=$dir/engine.sock
    python3 "$FAKE_ENGINE" "$FAKE_SOCK" "$@" >"$dir/log" 2>&1 3>&- &
    FAKE_PID=$!
    for i in $(seq 200); do
        grep -qx ready "$dir/log" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "fake engine did not start: $(cat "$dir/log")" >&2
    return 1
}

nsx_fake_engine_stop() {
    if [ -n "${FAKE_PID:-}" ]; then
        kill "$FAKE_PID" 2>/dev/null || true
        wait "$FAKE_PID" 2>/dev/null || true
    fi
    FAKE_PID=
}

# nsx_shared_prefix CLI NAME: creates containers NAME-1..NAME-17 with CLI (a docker wrapper such as
# dk) and prints a one-digit ID prefix two of them share: among 17 IDs in sixteen hex digits, two
# must share their first digit. The caller removes them: CLI rm -f $(seq -f "NAME-%g" 17).
nsx_shared_prefix() {
    local cli=$1 name=$2 id i shared=""
    local -A seen=()
    for i in $(seq 17); do
        id=$("$cli" create --name "$name-$i" --net none local/busybox true) || return 1
        [ -z "$shared" ] && [ -n "${seen[${id:0:1}]:-}" ] && shared=${id:0:1}
        seen[${id:0:1}]=1
    done
    [ -n "$shared" ] && echo "$shared"
}

ns() { # ns PID NAME: the namespace link, "net:[4026531993]"
    readlink "/proc/$1/ns/$2"
}

random_id() { # a fresh 64-hex container ID
    od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

# wait_for CMD...: polls CMD (up to 5 s) until it succeeds.
wait_for() {
    local i
    for i in $(seq 100); do
        "$@" && return 0
        sleep 0.05
    done
    echo "timed out waiting for: $*" >&2
    return 1
}

# bg CMD...: starts CMD in the background with fd 3 closed; BG is its PID. Call BG_PIDS=() in
# setup and bg_stop_all in teardown.
bg() {
    "$@" 3>&- &
    BG=$!
    BG_PIDS+=("$BG")
}

# bg_stop_all: kills what bg started, and the child of each first (unshare --fork's child would
# outlive its parent).
bg_stop_all() {
    local pid kids
    for pid in "${BG_PIDS[@]}"; do
        kids=()
        read -r -a kids 2>/dev/null <"/proc/$pid/task/$pid/children" || true
        if [ "${#kids[@]}" -gt 0 ]; then
            kill -KILL "${kids[@]}" 2>/dev/null || true
        fi
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    BG_PIDS=()
}

# in_private_run [SRC=DST]... -- CMD...: runs CMD in a private mount namespace where /run (and
# /var/run when it is not a link to /run, as it is on Debian) is an empty tmpfs: no
# /var/run/docker.sock, no /run/podman. Each socket SRC is then bind-mounted at DST. The test
# daemon's socket lives under /run, so each SRC is first bound onto a staging file outside /run,
# which the tmpfs does not hide. Nothing of this is visible outside the namespace.
in_private_run() {
    local stage=$BATS_TEST_TMPDIR/stage pairs=()
    mkdir -p "$stage"
    while [ "$1" != -- ]; do
        pairs+=("$1")
        shift
    done
    shift
    unshare --mount --propagation private bash -euc '
        stage=$1 n=$2
        shift 2
        pairs=("${@:1:n}")
        shift "$n"
        i=0
        for p in ${pairs[@]+"${pairs[@]}"}; do
            : >"$stage/$i"
            mount --bind "${p%%=*}" "$stage/$i"
            i=$((i + 1))
        done
        mount -t tmpfs nsx-run /run
        [ -L /var/run ] || mount -t tmpfs nsx-var-run /var/run
        i=0
        for p in ${pairs[@]+"${pairs[@]}"}; do
            dst=${p#*=}
            mkdir -p "${dst%/*}"
            : >"$dst"
            mount --bind "$stage/$i" "$dst"
            i=$((i + 1))
        done
        exec "$@"' nsx-private-run "$stage" "${#pairs[@]}" ${pairs[@]+"${pairs[@]}"} "$@"
}

# assert_debug SUBSTRING...: some stderr line is a debug line that contains every SUBSTRING.
# For `run --separate-stderr`.
assert_debug() {
    local line s ok
    for line in "${stderr_lines[@]}"; do
        [[ $line == "docker-nsexec: debug: "* ]] || continue
        ok=1
        for s in "$@"; do
            [[ $line == *"$s"* ]] || ok=
        done
        [ -n "$ok" ] && return 0
    done
    printf 'no debug line with all of:%s\nstderr:\n%s\n' "$(printf " '%s'" "$@")" "$stderr" >&2
    return 1
}
