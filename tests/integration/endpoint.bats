#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Finding the engine as the docker CLI does: --context, -H/DOCKER_HOST, DOCKER_CONTEXT,
# config.json's currentContext, the default socket and the search beyond it; loopback tcp://;
# the API version agreed with the engine; -v. Every path ends at the real test daemon.

load helper

PAGE="hello from inside the container"
GET_PAGE=(curl -sS --max-time 5 http://127.0.0.1:8080/)

setup_file() {
    export C=nsx-ep
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    dk rm -f $C-web >/dev/null 2>&1 || true
    # The seed scenario: a service bound to the container's own loopback only.
    dk run -d --name $C-web --net none local/busybox httpd -f -p 127.0.0.1:8080 -h /www >/dev/null
    nsx_wait_running $C-web
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    dk rm -f $C-web >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
    SOCK=${NSX_TEST_DOCKER_HOST#unix://}
    # An endpoint that cannot work: had it been chosen, the test fails with its name.
    NOPE=unix://$BATS_TEST_TMPDIR/nope.sock
    # contrib/test.sh exports DOCKER_HOST for every suite; here each source is set on purpose, in
    # a home of our own (bats runs each test in its own process: this does not leak).
    unset DOCKER_HOST DOCKER_CONTEXT DOCKER_CONFIG XDG_RUNTIME_DIR DOCKER_NSEXEC_DEBUG
    export HOME=$BATS_TEST_TMPDIR/home
    mkdir -p "$HOME"
    CFG=$HOME/.docker
    SLEEP_PID='' TCP_PID='' FOREIGN_PID='' FOREIGN_TOP=''
}

teardown() {
    nsx_fake_engine_stop
    if [ -n "${FOREIGN_PID:-}" ]; then
        kill "$FOREIGN_PID" 2>/dev/null || true
        wait "$FOREIGN_PID" 2>/dev/null || true
    fi
    if [ -n "${FOREIGN_TOP:-}" ]; then
        rm -rf "$FOREIGN_TOP"
    fi
    if [ -n "${TCP_PID:-}" ]; then
        kill "$TCP_PID" 2>/dev/null || true
        wait "$TCP_PID" 2>/dev/null || true
    fi
    if [ -n "${SLEEP_PID:-}" ]; then
        kill "$SLEEP_PID" 2>/dev/null || true
        wait "$SLEEP_PID" 2>/dev/null || true
    fi
}

# ctx_dir CONFIG_DIR NAME: where the docker CLI keeps context NAME (named by its SHA-256).
ctx_dir() {
    printf '%s/contexts/meta/%s' "$1" "$(printf '%s' "$2" | sha256sum | cut -d' ' -f1)"
}

# mkctx CONFIG_DIR NAME HOST: the meta.json `docker context create NAME --docker host=HOST` writes.
mkctx() {
    local d
    d=$(ctx_dir "$1" "$2")
    mkdir -p "$d"
    printf '{"Name":"%s","Metadata":{},"Endpoints":{"docker":{"Host":"%s","SkipTLSVerify":false}}}\n' \
        "$2" "$3" >"$d/meta.json"
}

# current_context CONFIG_DIR NAME: config.json as `docker context use NAME` leaves it.
current_context() {
    mkdir -p "$1"
    printf '{\n\t"auths": {},\n\t"currentContext": "%s"\n}\n' "$2" >"$1/config.json"
}

# The fake engine on a loopback TCP port; sets TCP_PORT, TCP_PID, TCP_LOG.
fake_engine_tcp() {
    local i
    TCP_LOG=$(mktemp "$BATS_TEST_TMPDIR/tcp.XXXXXX")
    python3 "$FAKE_ENGINE" tcp:127.0.0.1:0 "$@" >"$TCP_LOG" 2>&1 3>&- &
    TCP_PID=$!
    for i in $(seq 200); do
        TCP_PORT=$(sed -n 's/^ready \([0-9][0-9]*\)$/\1/p' "$TCP_LOG")
        [ -n "$TCP_PORT" ] && return 0
        sleep 0.05
    done
    echo "tcp fake engine did not start: $(cat "$TCP_LOG")" >&2
    return 1
}

# A process to stand for a container's, with --no-verify; sets SLEEP_PID.
start_sleeper() {
    sleep 1000 >/dev/null 2>&1 3>&- &
    SLEEP_PID=$!
}

# The request lines the fake engine logged (nsx_fake_engine's log).
fake_requests() {
    grep -E '^(GET|HEAD|POST) ' "${FAKE_SOCK%/*}/log" || true
}

FAKE_ID=4f2a6c1e0b9d8a7f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918070

# foreign_engine UID MODE [ARG...]: the fake engine run as another user, UID, on FOREIGN_SOCK in
# FOREIGN_DIR, a directory of UID's own (as a user's $XDG_RUNTIME_DIR is), under a fresh
# world-searchable FOREIGN_TOP in /tmp (bats' own temporary directories are root's alone). Its
# log, with a line per request in mode versioned, is FOREIGN_LOG; its PID FOREIGN_PID.
foreign_engine() {
    local uid=$1 i
    shift
    [ "$(id -u)" = 0 ] || skip "running an engine as another user needs root"
    command -v setpriv >/dev/null || skip "no setpriv"
    FOREIGN_TOP=$(mktemp -d /tmp/nsx-foreign.XXXXXX)
    chmod 755 "$FOREIGN_TOP"
    # A copy the other user can read wherever the source tree is.
    install -m 644 "$FAKE_ENGINE" "$FOREIGN_TOP/fake-engine.py"
    FOREIGN_DIR=$FOREIGN_TOP/xdg
    mkdir -m 700 "$FOREIGN_DIR"
    chown "$uid:$uid" "$FOREIGN_DIR"
    FOREIGN_SOCK=$FOREIGN_DIR/docker.sock
    FOREIGN_LOG=$FOREIGN_TOP/log
    # env, not python3 itself: execvp passes over a PATH entry the user cannot search.
    setpriv --reuid="$uid" --regid="$uid" --clear-groups env python3 "$FOREIGN_TOP/fake-engine.py" \
        "$FOREIGN_SOCK" "$@" >"$FOREIGN_LOG" 2>&1 3>&- &
    FOREIGN_PID=$!
    for i in $(seq 200); do
        grep -qx ready "$FOREIGN_LOG" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "foreign fake engine did not start: $(cat "$FOREIGN_LOG")" >&2
    return 1
}

# The request lines the foreign engine logged.
foreign_requests() {
    grep -E '^(GET|HEAD|POST) ' "$FOREIGN_LOG" || true
}

refute_debug() {
    local line
    for line in "${lines[@]}" "${stderr_lines[@]}"; do
        if [[ $line == *"debug:"* ]]; then
            printf 'unexpected debug line: %s\n' "$line" >&2
            return 1
        fi
    done
}

# --- priority -------------------------------------------------------------------------------

@test "--context NAME wins over DOCKER_HOST, DOCKER_CONTEXT and config.json" {
    mkctx "$CFG" nsx-good "$NSX_TEST_DOCKER_HOST"
    mkctx "$CFG" nsx-bad "$NOPE"
    current_context "$CFG" nsx-bad
    local opt
    for opt in -c --context; do
        DOCKER_HOST=$NOPE DOCKER_CONTEXT=nsx-bad run "$NSX" $opt nsx-good $C-web "${GET_PAGE[@]}"
        assert_success
        assert_output "$PAGE"
    done
}

@test "-H wins over DOCKER_HOST, DOCKER_HOST over DOCKER_CONTEXT and config.json" {
    mkctx "$CFG" nsx-bad "$NOPE"
    current_context "$CFG" nsx-bad
    local opt
    for opt in -H --host; do
        DOCKER_HOST=$NOPE DOCKER_CONTEXT=nsx-bad run "$NSX" $opt "$NSX_TEST_DOCKER_HOST" $C-web "${GET_PAGE[@]}"
        assert_success
        assert_output "$PAGE"
    done
    DOCKER_HOST=$NSX_TEST_DOCKER_HOST DOCKER_CONTEXT=nsx-bad run "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    # Even a DOCKER_CONTEXT that does not exist is not looked at when DOCKER_HOST is set.
    DOCKER_HOST=$NSX_TEST_DOCKER_HOST DOCKER_CONTEXT=nsx-missing run "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

@test "DOCKER_CONTEXT wins over config.json's currentContext" {
    mkctx "$CFG" nsx-good "$NSX_TEST_DOCKER_HOST"
    mkctx "$CFG" nsx-bad "$NOPE"
    current_context "$CFG" nsx-bad
    DOCKER_CONTEXT=nsx-good run "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

@test "config.json's currentContext, in \$DOCKER_CONFIG, else in ~/.docker" {
    local other=$BATS_TEST_TMPDIR/other-config
    # ~/.docker when DOCKER_CONFIG is unset.
    mkctx "$CFG" nsx-good "$NSX_TEST_DOCKER_HOST"
    current_context "$CFG" nsx-good
    run "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"

    # DOCKER_CONFIG replaces ~/.docker entirely: its own config.json and contexts.
    mkctx "$other" nsx-good "$NOPE"
    current_context "$other" nsx-good
    DOCKER_CONFIG=$other run "$NSX" $C-web true
    assert_failure 125
    assert_output --partial "${NOPE#unix://}"

    mkctx "$other" nsx-other "$NSX_TEST_DOCKER_HOST"
    current_context "$other" nsx-other
    DOCKER_CONFIG=$other run "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

@test "nothing set: the default unix:///var/run/docker.sock" {
    run in_private_run "$SOCK=/var/run/docker.sock" -- "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"

    # A config.json without currentContext is no choice either.
    mkdir -p "$CFG"
    printf '{"auths": {}, "detachKeys": "ctrl-x"}\n' >"$CFG/config.json"
    run in_private_run "$SOCK=/var/run/docker.sock" -- "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

@test "the context named 'default' is the default endpoint, from --context, DOCKER_CONTEXT or config.json" {
    # Another context exists and config.json names it: 'default' must still be the default.
    mkctx "$CFG" nsx-bad "$NOPE"
    current_context "$CFG" nsx-bad
    run in_private_run "$SOCK=/var/run/docker.sock" -- "$NSX" --context default $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    run in_private_run "$SOCK=/var/run/docker.sock" -- env DOCKER_CONTEXT=default "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    current_context "$CFG" default
    run in_private_run "$SOCK=/var/run/docker.sock" -- "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

@test "contexts made by the real docker CLI: docker context create and docker context use" {
    export DOCKER_CONFIG=$BATS_TEST_TMPDIR/cli-config
    docker context create --help >/dev/null 2>&1 || skip "this docker CLI has no 'docker context'"
    run docker context create nsx-cli-ctx --description "docker-nsexec test" \
        --docker "host=$NSX_TEST_DOCKER_HOST"
    assert_success
    # Where our tests put contexts is where the CLI does.
    [ -f "$(ctx_dir "$DOCKER_CONFIG" nsx-cli-ctx)/meta.json" ]

    run "$NSX" --context nsx-cli-ctx $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    DOCKER_CONTEXT=nsx-cli-ctx run "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"

    run docker context use nsx-cli-ctx
    assert_success
    grep -q '"currentContext": *"nsx-cli-ctx"' "$DOCKER_CONFIG/config.json"
    run "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"

    # The CLI itself agrees on the container it reaches that way.
    run docker inspect -f '{{.State.Pid}}' $C-web
    assert_success
    assert_output "$(dk inspect -f '{{.State.Pid}}' $C-web)"
}

# --- errors ---------------------------------------------------------------------------------

@test "--context together with -H: usage error, exit 125" {
    mkctx "$CFG" nsx-good "$NSX_TEST_DOCKER_HOST"
    local args
    for args in "-c nsx-good -H $NSX_TEST_DOCKER_HOST" "--context nsx-good --host $NSX_TEST_DOCKER_HOST" \
        "-H $NSX_TEST_DOCKER_HOST --context nsx-good"; do
        # shellcheck disable=SC2086 # the words are the options
        run "$NSX" $args $C-web true
        assert_failure 125
        assert_line --index 0 "docker-nsexec: --context and --host cannot be used together"
        assert_line --index 1 "Try 'docker-nsexec --help' for more information."
        [ "${#lines[@]}" -eq 2 ]
    done
}

@test "an unknown context: 125, named, from --context, DOCKER_CONTEXT or config.json" {
    # No contexts directory at all.
    run "$NSX" --context nsx-missing $C-web true
    assert_failure 125
    assert_output --partial "context 'nsx-missing' not found"

    # Other contexts exist, not this one.
    mkctx "$CFG" nsx-good "$NSX_TEST_DOCKER_HOST"
    run "$NSX" -c nsx-missing $C-web true
    assert_failure 125
    assert_output --partial "context 'nsx-missing' not found"

    DOCKER_CONTEXT=nsx-missing run "$NSX" $C-web true
    assert_failure 125
    assert_output --partial "context 'nsx-missing' not found"

    current_context "$CFG" nsx-missing
    run "$NSX" $C-web true
    assert_failure 125
    assert_output --partial "context 'nsx-missing' not found"
}

@test "a config.json that is not JSON: 125, one line naming it" {
    local bad
    mkdir -p "$CFG"
    for bad in '{"currentContext": ' 'not json at all' '["currentContext"]' '{"currentContext": 42}'; do
        printf '%s\n' "$bad" >"$CFG/config.json"
        run "$NSX" $C-web true
        assert_failure 125
        assert_output --partial "$CFG/config.json"
        [ "${#lines[@]}" -eq 1 ]
    done

    printf '{"currentContext": \n' >"$BATS_TEST_TMPDIR/elsewhere.json"
    mkdir -p "$BATS_TEST_TMPDIR/cfg2"
    cp "$BATS_TEST_TMPDIR/elsewhere.json" "$BATS_TEST_TMPDIR/cfg2/config.json"
    DOCKER_CONFIG=$BATS_TEST_TMPDIR/cfg2 run "$NSX" $C-web true
    assert_failure 125
    assert_output --partial "$BATS_TEST_TMPDIR/cfg2/config.json"
    [ "${#lines[@]}" -eq 1 ]
}

@test "a meta.json that is not JSON: 125, one line naming it" {
    local meta
    mkctx "$CFG" nsx-broken "$NSX_TEST_DOCKER_HOST"
    meta=$(ctx_dir "$CFG" nsx-broken)/meta.json
    printf '{"Name":"nsx-broken","Endpoints":{"docker":{"Host":' >"$meta"

    run "$NSX" --context nsx-broken $C-web true
    assert_failure 125
    assert_output --partial "$meta"
    [ "${#lines[@]}" -eq 1 ]

    DOCKER_CONTEXT=nsx-broken run "$NSX" $C-web true
    assert_failure 125
    assert_output --partial "$meta"
    [ "${#lines[@]}" -eq 1 ]

    current_context "$CFG" nsx-broken
    run "$NSX" $C-web true
    assert_failure 125
    assert_output --partial "$meta"
    [ "${#lines[@]}" -eq 1 ]
}

@test "a broken context does not get in the way of another one" {
    local d
    mkctx "$CFG" nsx-good "$NSX_TEST_DOCKER_HOST"
    # The docker CLI reads only the directory named by the context's hash.
    for d in 0000000000000000000000000000000000000000000000000000000000000000 \
        ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff; do
        mkdir -p "$CFG/contexts/meta/$d"
        printf '{"Name":' >"$CFG/contexts/meta/$d/meta.json"
    done
    run "$NSX" --context nsx-good $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

# --- socket search --------------------------------------------------------------------------

@test "no default socket: \$XDG_RUNTIME_DIR/docker.sock (rootless Docker) is found" {
    local xdg=$BATS_TEST_TMPDIR/xdg
    mkdir -p "$xdg"
    # Bound directly,
    run in_private_run "$SOCK=$xdg/docker.sock" -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    # but never through a symbolic link (it could lead to any socket: the search takes only
    # sockets that are root's or the caller's, judged without following links), and the error
    # says why it was passed over.
    rm -f "$xdg/docker.sock"
    ln -s ../real.sock "$xdg/docker.sock"
    run in_private_run "$SOCK=$BATS_TEST_TMPDIR/real.sock" -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $C-web true
    assert_failure 125
    assert_line --index 0 --partial "$xdg/docker.sock (skipped: a symbolic link)"
}

@test "no default socket: /run/podman/podman.sock, then \$XDG_RUNTIME_DIR/podman/podman.sock" {
    local xdg=$BATS_TEST_TMPDIR/xdg
    mkdir -p "$xdg"
    run in_private_run "$SOCK=/run/podman/podman.sock" -- "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    run in_private_run "$SOCK=/run/podman/podman.sock" -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    run in_private_run "$SOCK=$xdg/podman/podman.sock" -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

@test "the search order: default, \$XDG_RUNTIME_DIR/docker.sock, /run/podman, \$XDG_RUNTIME_DIR/podman" {
    local xdg=$BATS_TEST_TMPDIR/xdg wrong
    mkdir -p "$xdg"
    # Every socket that must not be chosen is an engine that knows no container.
    printf '{"message":"No such container: wrong engine"}' >"$BATS_TEST_TMPDIR/404.json"
    nsx_fake_engine answer 404 "$BATS_TEST_TMPDIR/404.json"
    wrong=$FAKE_SOCK

    run in_private_run "$SOCK=/var/run/docker.sock" "$wrong=$xdg/docker.sock" "$wrong=/run/podman/podman.sock" \
        "$wrong=$xdg/podman/podman.sock" -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"

    run in_private_run "$SOCK=$xdg/docker.sock" "$wrong=/run/podman/podman.sock" \
        "$wrong=$xdg/podman/podman.sock" -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"

    run in_private_run "$SOCK=/run/podman/podman.sock" "$wrong=$xdg/podman/podman.sock" \
        -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"

    # The wrong engine really is wrong: alone, it is chosen, and it knows no such container.
    run in_private_run "$wrong=$xdg/podman/podman.sock" -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $C-web true
    assert_failure 125
    assert_output --partial "no such container"
}

@test "no socket anywhere: 125, and the error lists every path tried" {
    local xdg=$BATS_TEST_TMPDIR/xdg
    mkdir -p "$xdg"
    run in_private_run -- env XDG_RUNTIME_DIR="$xdg" "$NSX" $C-web true
    assert_failure 125
    assert_line --index 0 --partial "/var/run/docker.sock"
    assert_line --index 0 --partial "$xdg/docker.sock"
    assert_line --index 0 --partial "/run/podman/podman.sock"
    assert_line --index 0 --partial "$xdg/podman/podman.sock"

    # Without XDG_RUNTIME_DIR the two rootless places are not tried (nor named).
    run in_private_run -- "$NSX" $C-web true
    assert_failure 125
    assert_line --index 0 --partial "/var/run/docker.sock"
    assert_line --index 0 --partial "/run/podman/podman.sock"
    [ "$(grep -o 'docker\.sock' <<<"${lines[0]}" | wc -l)" -eq 1 ]
    [ "$(grep -o 'podman\.sock' <<<"${lines[0]}" | wc -l)" -eq 1 ]
}

# --- whose engine ---------------------------------------------------------------------------
# A user's engine chooses what root enters and runs: believed only when named. Each engine here
# answers for a host `sleep` (with --no-verify, so that only the engine's owner decides), and
# the command would leave a file behind: had an engine been wrongly believed, it would run.

@test "as root, another user's socket in \$XDG_RUNTIME_DIR is passed over by the search: 125, nothing sent or run" {
    start_sleeper
    foreign_engine 65534 versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    run in_private_run -- env XDG_RUNTIME_DIR="$FOREIGN_DIR" "$NSX" --no-verify web touch "$BATS_TEST_TMPDIR/ran"
    assert_failure 125
    assert_line --index 0 --partial "no engine socket found"
    assert_line --index 0 --partial "$FOREIGN_SOCK (skipped: owned by uid 65534, neither root nor the caller)"
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
    run foreign_requests
    assert_output ""
}

@test "as root, another user's engine behind a root-owned socket, or at the default path, is refused: one line, 125" {
    start_sleeper
    foreign_engine 65534 versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    # The file is root's, so the search takes it: the peer's credentials still say whose it is.
    chown 0:0 "$FOREIGN_SOCK"
    run --separate-stderr in_private_run -- env XDG_RUNTIME_DIR="$FOREIGN_DIR" "$NSX" --no-verify web \
        touch "$BATS_TEST_TMPDIR/ran"
    assert_failure 125
    [ "${#stderr_lines[@]}" -eq 1 ]
    assert_equal "${stderr_lines[0]}" "docker-nsexec: refusing the engine at $FOREIGN_SOCK (default, by socket search): it is run by uid 65534 (pid $FOREIGN_PID), neither root nor the caller, and was not named (name it with -H or --context to trust it)"
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]

    # The default socket is no more named than a found one.
    run --separate-stderr in_private_run "$FOREIGN_SOCK=/var/run/docker.sock" -- "$NSX" --no-verify web \
        touch "$BATS_TEST_TMPDIR/ran"
    assert_failure 125
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ ${stderr_lines[0]} == "docker-nsexec: refusing the engine at /var/run/docker.sock (default): it is run by uid 65534 "* ]]
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]

    # Checked before a byte was sent: the engine never saw a request.
    run foreign_requests
    assert_output ""
}

@test "another user's engine named with -H, DOCKER_HOST or a context is used, and -v says whose it is" {
    start_sleeper
    foreign_engine 65534 versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    local name
    name=$(getent passwd 65534 | cut -d: -f1)

    run --separate-stderr "$NSX" -v -H "unix://$FOREIGN_SOCK" --no-verify web touch "$BATS_TEST_TMPDIR/ran"
    assert_success
    [ -e "$BATS_TEST_TMPDIR/ran" ]
    assert_debug "engine run by uid 65534${name:+ ($name)}, pid $FOREIGN_PID" "another user's engine" --host

    DOCKER_HOST=unix://$FOREIGN_SOCK run --separate-stderr "$NSX" -v --no-verify web true
    assert_success
    assert_debug "uid 65534" DOCKER_HOST

    mkctx "$CFG" nsx-user "unix://$FOREIGN_SOCK"
    run --separate-stderr "$NSX" -v -c nsx-user --no-verify web true
    assert_success
    assert_debug "uid 65534" --context
    current_context "$CFG" nsx-user
    run --separate-stderr "$NSX" -v --no-verify web true
    assert_success
    assert_debug "uid 65534" config.json
}

@test "a context or config.json that another user wrote does not name an engine" {
    start_sleeper
    foreign_engine 65534 versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    # A HOME or DOCKER_CONFIG left from that user: its files are that user's choice, not ours.
    mkctx "$CFG" nsx-user "unix://$FOREIGN_SOCK"
    chown 65534 "$(ctx_dir "$CFG" nsx-user)/meta.json"
    run "$NSX" -c nsx-user --no-verify web touch "$BATS_TEST_TMPDIR/ran"
    assert_failure 125
    assert_line --index 0 --partial "refusing the engine at $FOREIGN_SOCK (--context): it is run by uid 65534"
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]

    chown 0 "$(ctx_dir "$CFG" nsx-user)/meta.json"
    current_context "$CFG" nsx-user
    chown 65534 "$CFG/config.json"
    run "$NSX" --no-verify web touch "$BATS_TEST_TMPDIR/ran"
    assert_failure 125
    assert_line --index 0 --partial "refusing the engine at $FOREIGN_SOCK (config.json): it is run by uid 65534"
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
    run foreign_requests
    assert_output ""
}

@test "a root engine found by the search is used, and -v says it is root's" {
    local xdg=$BATS_TEST_TMPDIR/xdg
    mkdir -p "$xdg"
    start_sleeper
    nsx_fake_engine versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    run --separate-stderr in_private_run "$FAKE_SOCK=$xdg/docker.sock" -- env XDG_RUNTIME_DIR="$xdg" "$NSX" -v \
        --no-verify web touch "$BATS_TEST_TMPDIR/ran"
    assert_success
    [ -e "$BATS_TEST_TMPDIR/ran" ]
    assert_debug "$xdg/docker.sock" "by socket search"
    assert_debug "engine run by uid 0" "(root)"
}

@test "a loopback tcp engine: -v names the user that listens, from the kernel's socket table" {
    start_sleeper
    [ "$(id -u)" = 0 ] || skip "running an engine as another user needs root"
    FOREIGN_TOP=$(mktemp -d /tmp/nsx-foreign.XXXXXX)
    chmod 755 "$FOREIGN_TOP"
    install -m 644 "$FAKE_ENGINE" "$FOREIGN_TOP/fake-engine.py"
    setpriv --reuid=65534 --regid=65534 --clear-groups env python3 "$FOREIGN_TOP/fake-engine.py" tcp:127.0.0.1:0 \
        versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID" >"$FOREIGN_TOP/log" 2>&1 3>&- &
    FOREIGN_PID=$!
    local port="" i
    for i in $(seq 200); do
        port=$(sed -n 's/^ready \([0-9][0-9]*\)$/\1/p' "$FOREIGN_TOP/log")
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ]
    run --separate-stderr "$NSX" -v -H "tcp://127.0.0.1:$port" --no-verify web true
    assert_success
    assert_debug "engine run by uid 65534" "another user's engine" --host

    fake_engine_tcp versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    run --separate-stderr "$NSX" -v -H "tcp://127.0.0.1:$TCP_PORT" --no-verify web true
    assert_success
    assert_debug "engine run by uid 0" "(root)"
}

@test "as an unprivileged caller: its own or root's engine is used, another user's refused unless named" {
    [ "$(id -u)" = 0 ] || skip "needs root to act as two other users"
    setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$NSX" || skip "$NSX is not executable by uid 65534"
    local list
    list=$(mktemp /tmp/nsx-list.XXXXXX)
    printf '[{"Id":"%s","Names":["/web"],"State":"running"}]' "$FAKE_ID" >"$list"
    chmod 644 "$list"
    # An engine of uid 1 (daemon), found by the search of uid 65534: refused.
    foreign_engine 1 answer 200 "$list"
    chmod 755 "$FOREIGN_DIR"
    chown 0:0 "$FOREIGN_SOCK"
    chmod 666 "$FOREIGN_SOCK"
    run setpriv --reuid=65534 --regid=65534 --clear-groups env -u DOCKER_HOST HOME=/nonexistent \
        "$NSX" -H "unix://$FOREIGN_SOCK" --list
    assert_success
    assert_output web
    run in_private_run -- setpriv --reuid=65534 --regid=65534 --clear-groups env -u DOCKER_HOST HOME=/nonexistent \
        XDG_RUNTIME_DIR="$FOREIGN_DIR" "$NSX" --list
    assert_failure 125
    assert_line --index 0 --partial "it is run by uid 1"
    kill "$FOREIGN_PID"
    wait "$FOREIGN_PID" 2>/dev/null || true
    rm -rf "$FOREIGN_TOP"
    # Its own engine, in its own directory: used.
    foreign_engine 65534 answer 200 "$list"
    run in_private_run -- setpriv --reuid=65534 --regid=65534 --clear-groups env -u DOCKER_HOST HOME=/nonexistent \
        XDG_RUNTIME_DIR="$FOREIGN_DIR" "$NSX" --list
    assert_success
    assert_output web
    # Root's engine, found by the search: used.
    nsx_fake_engine answer 200 "$list"
    chmod 666 "$FAKE_SOCK"
    run in_private_run "$FAKE_SOCK=/run/podman/podman.sock" -- setpriv --reuid=65534 --regid=65534 --clear-groups \
        env -u DOCKER_HOST HOME=/nonexistent "$NSX" --list
    rm -f "$list"
    assert_success
    assert_output web
}

# --- TLS ------------------------------------------------------------------------------------
# TLS to the engine is not supported: what was meant to be encrypted is refused, never sent in
# plain HTTP. The engine here logs each request it gets: none may arrive.

@test "DOCKER_TLS_VERIFY, DOCKER_TLS or DOCKER_CERT_PATH set: refused in one line naming it, nothing sent" {
    start_sleeper
    fake_engine_tcp versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    local var
    for var in DOCKER_TLS_VERIFY DOCKER_TLS DOCKER_CERT_PATH; do
        run --separate-stderr env "$var=1" DOCKER_HOST="tcp://127.0.0.1:$TCP_PORT" "$NSX" --no-verify web true
        assert_failure 125
        [ "${#stderr_lines[@]}" -eq 1 ]
        assert_equal "${stderr_lines[0]}" "docker-nsexec: $var is set, but TLS to the engine is not supported: refusing to send in plain HTTP what was meant to be encrypted (unset it; the engine must be local)"
        # The same with -H, a unix socket, the context 'default', and the default endpoint.
        run env "$var=/certs" "$NSX" -H "tcp://127.0.0.1:$TCP_PORT" --no-verify web true
        assert_failure 125
        assert_line --index 0 --partial "$var is set"
        run env "$var=1" "$NSX" -H "unix://$SOCK" $C-web true
        assert_failure 125
        assert_line --index 0 --partial "$var is set"
        run env "$var=1" "$NSX" -c default $C-web true
        assert_failure 125
        assert_line --index 0 --partial "$var is set"
        run env "$var=1" "$NSX" $C-web true
        assert_failure 125
        assert_line --index 0 --partial "$var is set"
    done
    run grep -E '^(GET|HEAD|POST) ' "$TCP_LOG"
    assert_output ""

    # Set but empty is unset, as for the docker CLI.
    DOCKER_TLS_VERIFY='' DOCKER_CERT_PATH='' DOCKER_TLS='' run "$NSX" -H "tcp://127.0.0.1:$TCP_PORT" --no-verify web true
    assert_success
}

@test "a context with TLS material or SkipTLSVerify is refused in one line naming it; its TLS is its own" {
    start_sleeper
    fake_engine_tcp versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    local tls
    # As `docker context create nsx-tls --docker host=...,ca=...,cert=...,key=...` leaves it.
    mkctx "$CFG" nsx-tls "tcp://127.0.0.1:$TCP_PORT"
    tls=$CFG/contexts/tls/$(printf '%s' nsx-tls | sha256sum | cut -d' ' -f1)/docker
    mkdir -p "$tls"
    : >"$tls/ca.pem"
    run --separate-stderr "$NSX" -c nsx-tls --no-verify web true
    assert_failure 125
    [ "${#stderr_lines[@]}" -eq 1 ]
    assert_equal "${stderr_lines[0]}" "docker-nsexec: context 'nsx-tls' uses TLS ($tls/ca.pem), which is not supported: refusing to send in plain HTTP what was meant to be encrypted"
    # Any file there: the docker CLI loads whatever it finds.
    mv "$tls/ca.pem" "$tls/key.pem"
    current_context "$CFG" nsx-tls
    run "$NSX" --no-verify web true
    assert_failure 125
    assert_line --index 0 --partial "context 'nsx-tls' uses TLS"
    rm -f "$CFG/config.json"

    # SkipTLSVerify: TLS without checking the certificate is still TLS.
    local d
    d=$(ctx_dir "$CFG" nsx-skip)
    mkdir -p "$d"
    printf '{"Name":"nsx-skip","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://127.0.0.1:%s","SkipTLSVerify":true}}}\n' \
        "$TCP_PORT" >"$d/meta.json"
    DOCKER_CONTEXT=nsx-skip run --separate-stderr "$NSX" --no-verify web true
    assert_failure 125
    [ "${#stderr_lines[@]}" -eq 1 ]
    assert_equal "${stderr_lines[0]}" "docker-nsexec: context 'nsx-skip' uses TLS (SkipTLSVerify in $d/meta.json), which is not supported: refusing to send in plain HTTP what was meant to be encrypted"
    run grep -E '^(GET|HEAD|POST) ' "$TCP_LOG"
    assert_output ""

    # A context without TLS works, and takes no TLS setting from the environment (the docker
    # CLI reads those for the default context only).
    mkctx "$CFG" nsx-plain "tcp://127.0.0.1:$TCP_PORT"
    DOCKER_TLS_VERIFY=1 run "$NSX" -c nsx-plain --no-verify web true
    assert_success
}

@test "ports are digits only: tcp://127.0.0.1:+PORT and ': PORT' are refused, not reached" {
    start_sleeper
    fake_engine_tcp versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    local uri wrapped
    # 2^64 + PORT: strtoul's unsigned long wraps it round to PORT.
    wrapped=$(python3 -c "print(2**64 + $TCP_PORT)")
    for uri in "tcp://127.0.0.1:+$TCP_PORT" "tcp://127.0.0.1: $TCP_PORT" "tcp://127.0.0.1:0$TCP_PORT " \
        "tcp://127.0.0.1:$wrapped"; do
        run "$NSX" -H "$uri" --no-verify web true
        assert_failure 125
        assert_line --index 0 "docker-nsexec: invalid engine endpoint '$uri' (from --host): expected tcp://127.0.0.1:PORT"
    done
    run grep -E '^(GET|HEAD|POST) ' "$TCP_LOG"
    assert_output ""
}

# --- tcp:// ---------------------------------------------------------------------------------

@test "tcp://127.0.0.1:PORT reaches a loopback engine, from -H, DOCKER_HOST or a context" {
    # A loopback TCP listener relaying to the test daemon's unix socket.
    fake_engine_tcp forward "$SOCK"
    run "$NSX" -H "tcp://127.0.0.1:$TCP_PORT" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"

    DOCKER_HOST=tcp://127.0.0.1:$TCP_PORT run "$NSX" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"

    mkctx "$CFG" nsx-tcp "tcp://127.0.0.1:$TCP_PORT"
    run "$NSX" -c nsx-tcp $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
}

@test "remote endpoints are refused at once as not on this machine: 125" {
    local uri start
    mkctx "$CFG" nsx-remote "tcp://192.0.2.1:2375"
    for uri in tcp://192.0.2.1:2375 tcp://example.com:2375 ssh://host ssh://user@192.0.2.1; do
        start=$SECONDS
        run "$NSX" -H "$uri" $C-web true
        assert_failure 125
        assert_output --partial "not on this machine"
        assert_output --partial "$uri"

        DOCKER_HOST=$uri run "$NSX" $C-web true
        assert_failure 125
        assert_output --partial "not on this machine"
        # No connection was tried (192.0.2.1 would not answer before the 10 s timeout).
        [ $((SECONDS - start)) -le 3 ]
    done
    run "$NSX" --context nsx-remote $C-web true
    assert_failure 125
    assert_output --partial "not on this machine"
}

# --- API version ----------------------------------------------------------------------------

@test "an engine that speaks API 1.41 is asked once, at /v1.41/" {
    start_sleeper
    nsx_fake_engine versioned 1.24 1.45 "$FAKE_ID" "$SLEEP_PID"
    run "$NSX" -H "unix://$FAKE_SOCK" --no-verify web true
    assert_success
    run fake_requests
    assert_output "GET /v1.41/containers/web/json HTTP/1.1"
}

@test "the real daemon is asked once, at /v1.41/" {
    run --separate-stderr "$NSX" -v -H "$NSX_TEST_DOCKER_HOST" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug "/v1.41/containers/$C-web/json" 200
    [ "$(printf '%s\n' "${stderr_lines[@]}" | grep -c '/containers/')" -eq 1 ]
}

@test "'too new, maximum 1.40': asked once more at /v1.40/" {
    start_sleeper
    nsx_fake_engine versioned 1.12 1.40 "$FAKE_ID" "$SLEEP_PID"
    run "$NSX" -H "unix://$FAKE_SOCK" --no-verify web readlink /proc/self/ns/net
    assert_success
    assert_line "$(readlink /proc/$SLEEP_PID/ns/net)"
    run fake_requests
    assert_line --index 0 "GET /v1.41/containers/web/json HTTP/1.1"
    assert_line --index 1 "GET /v1.40/containers/web/json HTTP/1.1"
    [ "${#lines[@]}" -eq 2 ]
}

@test "'too old, minimum 1.44': asked once more at /v1.44/" {
    start_sleeper
    nsx_fake_engine versioned 1.44 1.47 "$FAKE_ID" "$SLEEP_PID"
    run "$NSX" -H "unix://$FAKE_SOCK" --no-verify web true
    assert_success
    run fake_requests
    assert_line --index 0 "GET /v1.41/containers/web/json HTTP/1.1"
    assert_line --index 1 "GET /v1.44/containers/web/json HTTP/1.1"
    [ "${#lines[@]}" -eq 2 ]
}

@test "an engine older than API 1.24 is refused: 125, naming 1.23 and 1.24" {
    start_sleeper
    nsx_fake_engine versioned 1.12 1.23 "$FAKE_ID" "$SLEEP_PID"
    run "$NSX" -H "unix://$FAKE_SOCK" --no-verify web true
    assert_failure 125
    assert_line --regexp '1\.23.*1\.24|1\.24.*1\.23'
    run fake_requests
    refute_output --regexp '/v1\.(1[0-9]|2[0-3])/'
}

@test "the retry happens once: an engine that refuses both versions gets two requests" {
    start_sleeper
    # Maximum 1.40 for 1.41, then minimum 1.42 for 1.40: a loop, were it followed.
    nsx_fake_engine versioned 1.42 1.40 "$FAKE_ID" "$SLEEP_PID"
    run "$NSX" -H "unix://$FAKE_SOCK" --no-verify web true
    assert_failure 125
    run fake_requests
    assert_line --index 0 "GET /v1.41/containers/web/json HTTP/1.1"
    assert_line --index 1 "GET /v1.40/containers/web/json HTTP/1.1"
    [ "${#lines[@]}" -eq 2 ]
}

# --- -v -------------------------------------------------------------------------------------

@test "-v: the endpoint chosen and why, for -H, DOCKER_HOST, --context, DOCKER_CONTEXT, config.json" {
    mkctx "$CFG" nsx-good "$NSX_TEST_DOCKER_HOST"

    run --separate-stderr "$NSX" -v -H "$NSX_TEST_DOCKER_HOST" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug "$SOCK" --host

    DOCKER_HOST=$NSX_TEST_DOCKER_HOST run --separate-stderr "$NSX" --verbose $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug "$SOCK" DOCKER_HOST

    run --separate-stderr "$NSX" -v --context nsx-good $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug "$SOCK" --context

    DOCKER_CONTEXT=nsx-good run --separate-stderr "$NSX" -v $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug "$SOCK" DOCKER_CONTEXT

    current_context "$CFG" nsx-good
    run --separate-stderr "$NSX" -v $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug "$SOCK" config.json
}

@test "-v: the default endpoint, and one found by the search" {
    local xdg=$BATS_TEST_TMPDIR/xdg
    mkdir -p "$xdg"
    run --separate-stderr in_private_run "$SOCK=/var/run/docker.sock" -- "$NSX" -v $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug /var/run/docker.sock default

    run --separate-stderr in_private_run "$SOCK=$xdg/docker.sock" -- env XDG_RUNTIME_DIR="$xdg" "$NSX" -v $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    assert_debug "$xdg/docker.sock"
    # Why: it is the default's stand-in.
    assert_debug "$xdg/docker.sock" default
}

@test "-v: one line per request with its path and status; DOCKER_NSEXEC_DEBUG=1 does the same" {
    start_sleeper
    nsx_fake_engine versioned 1.12 1.40 "$FAKE_ID" "$SLEEP_PID"
    run --separate-stderr "$NSX" -v -H "unix://$FAKE_SOCK" --no-verify web true
    assert_success
    assert_debug "$FAKE_SOCK" --host
    assert_debug /v1.41/containers/web/json 400
    assert_debug /v1.40/containers/web/json 200

    DOCKER_NSEXEC_DEBUG=1 run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify web true
    assert_success
    assert_debug "$FAKE_SOCK" --host
    assert_debug /v1.41/containers/web/json 400
    assert_debug /v1.40/containers/web/json 200
}

@test "without -v, no debug line, on success or failure" {
    start_sleeper
    nsx_fake_engine versioned 1.12 1.40 "$FAKE_ID" "$SLEEP_PID"
    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify web true
    assert_success
    refute_debug

    run --separate-stderr "$NSX" -H "$NSX_TEST_DOCKER_HOST" $C-web "${GET_PAGE[@]}"
    assert_success
    assert_output "$PAGE"
    [ -z "$stderr" ]

    run --separate-stderr "$NSX" -H "$NSX_TEST_DOCKER_HOST" nsx-ep-nope true
    assert_failure 125
    refute_debug

    run --separate-stderr "$NSX" -c nsx-missing $C-web true
    assert_failure 125
    refute_debug
}
