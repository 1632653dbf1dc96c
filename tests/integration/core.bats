#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The core path against a real dockerd: find the container, enter its network namespace, exec.

load helper

PAGE="hello from inside the container"

setup_file() {
    export C=nsx-core
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    dk rm -f $C-web $C-exited $C-paused $C-created >/dev/null 2>&1 || true
    # The seed scenario: a service bound to the container's own loopback only.
    dk run -d --name $C-web --net none local/busybox httpd -f -p 127.0.0.1:8080 -h /www >/dev/null
    dk run -d --name $C-paused --net none local/busybox sleep 3600 >/dev/null
    dk run --name $C-exited --net none local/busybox true
    dk create --name $C-created --net none local/busybox true >/dev/null
    nsx_wait_running $C-web
    nsx_wait_running $C-paused
    dk pause $C-paused >/dev/null
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    dk rm -f $C-web $C-exited $C-paused $C-created >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
    WEB_ID=$(dk inspect -f '{{.Id}}' $C-web)
    WEB_PID=$(dk inspect -f '{{.State.Pid}}' $C-web)
}

teardown() {
    nsx_fake_engine_stop
}

@test "seed: the host cannot reach the container's 127.0.0.1:8080, docker-nsexec can" {
    run curl -sS --max-time 2 http://127.0.0.1:8080/
    refute_output --partial "$PAGE"
    run "$NSX" $C-web curl -sS --max-time 5 http://127.0.0.1:8080/
    assert_success
    assert_output "$PAGE"
}

@test "the container is found by name, /name, full ID and ID prefix" {
    local ref
    for ref in $C-web /$C-web "$WEB_ID" "${WEB_ID:0:12}" "${WEB_ID:0:5}"; do
        run "$NSX" "$ref" curl -sS --max-time 5 http://127.0.0.1:8080/
        assert_success
        assert_output "$PAGE"
    done
}

@test "the network namespace is the container's; files stay the host's, in a private mount namespace" {
    local host_net host_mnt
    host_net=$(readlink /proc/self/ns/net)
    host_mnt=$(readlink /proc/self/ns/mnt)
    echo "host-only file" >"$BATS_TEST_TMPDIR/marker"

    run "$NSX" $C-web readlink /proc/self/ns/net
    assert_success
    assert_output "$(readlink /proc/$WEB_PID/ns/net)"
    refute_output "$host_net"

    run "$NSX" $C-web sh -c "readlink /proc/self/ns/mnt; cat '$BATS_TEST_TMPDIR/marker'; pwd"
    assert_success
    # The network view's own (view.bats): neither ours nor the container's.
    refute_line --index 0 "$host_mnt"
    refute_line --index 0 "$(readlink /proc/$WEB_PID/ns/mnt)"
    assert_line --index 1 "host-only file"
    assert_line --index 2 "$PWD"
}

@test "the environment is passed to the command unchanged" {
    NSX_PROBE="a b=c" run "$NSX" $C-web sh -c 'echo "$NSX_PROBE"'
    assert_success
    assert_output "a b=c"
}

@test "the command's exit status is returned" {
    run "$NSX" $C-web sh -c 'exit 42'
    assert_failure 42
    run "$NSX" $C-web true
    assert_success
}

@test "a signal that kills the command kills docker-nsexec's process: no fork in between" {
    # bash reports 128+SIGTERM only when the process it started died of the signal itself.
    run bash -c '"$0" "$1" sh -c "kill -TERM \$\$"; echo "status=$?"' "$NSX" $C-web
    assert_line "status=143"
    # The command's parent is the shell that started docker-nsexec: it replaced itself.
    run bash -c '"$0" "$1" sh -c "echo \$PPID"; echo $$' "$NSX" $C-web
    assert_success
    assert_equal "${lines[0]}" "${lines[1]}"
}

@test "127 for a command that does not exist, 126 for one that cannot run" {
    run -127 "$NSX" $C-web nsx-no-such-command
    assert_failure 127
    assert_output "docker-nsexec: nsx-no-such-command: command not found"

    printf 'not a program\n' >"$BATS_TEST_TMPDIR/plain"
    chmod 0644 "$BATS_TEST_TMPDIR/plain"
    run "$NSX" $C-web "$BATS_TEST_TMPDIR/plain"
    assert_failure 126
    assert_output "docker-nsexec: cannot run $BATS_TEST_TMPDIR/plain: Permission denied"

    run -127 "$NSX" $C-web /nonexistent/prog
    assert_failure 127
}

@test "a \"--\" right after CONTAINER ends our arguments, as in kubectl exec; only that one" {
    run "$NSX" $C-web -- curl -sS --max-time 5 http://127.0.0.1:8080/
    assert_success
    assert_output "$PAGE"
    # A second one is the command's name, as kubectl runs it.
    run -127 "$NSX" $C-web -- -- true
    assert_failure 127
    assert_output "docker-nsexec: --: command not found"
    # Further on, the command's argument, untouched.
    run "$NSX" $C-web -- echo -- a
    assert_success
    assert_output "-- a"
}

@test "stdin passes through to the command" {
    run bash -c 'printf "line one\nline two\n" | "$0" "$1" cat' "$NSX" $C-web
    assert_success
    assert_output $'line one\nline two'
}

@test "no command runs \$SHELL, else the passwd shell, inside the network namespace" {
    local want pw_shell
    want=$(readlink /proc/$WEB_PID/ns/net)

    run bash -c 'echo "readlink /proc/self/ns/net; readlink /proc/\$\$/exe" | SHELL=/bin/sh "$0" "$1"' "$NSX" $C-web
    assert_success
    assert_line --index 0 "$want"
    assert_line --index 1 "$(readlink -f /bin/sh)"

    pw_shell=$(getent passwd "$(id -u)" | cut -d: -f7)
    run bash -c 'echo "readlink /proc/\$\$/exe" | env -u SHELL "$0" "$1"' "$NSX" $C-web
    assert_success
    assert_output "$(readlink -f "$pw_shell")"
}

@test "no descriptor of docker-nsexec survives into the command" {
    local plain
    # Compare with the same command run directly: only what the caller passed may be open.
    plain=$(sh -c 'ls /proc/$$/fd' | sort -n | tr '\n' ' ')
    run bash -c '"$0" "$1" sh -c "ls /proc/\$\$/fd" | sort -n | tr "\n" " "' "$NSX" $C-web
    assert_success
    assert_output "$plain"
    run "$NSX" $C-web sh -c 'ls -l /proc/$$/fd'
    refute_output --partial "socket:"
    refute_output --partial "/proc/"
}

@test "a container that does not exist: one line naming it, exit 125" {
    run "$NSX" nsx-core-nope true
    assert_failure 125
    assert_output "docker-nsexec: no such container: 'nsx-core-nope'"
}

@test "an ambiguous ID prefix carries the daemon's own message" {
    local first
    first=$(nsx_shared_prefix dk "$C-amb")
    run "$NSX" "$first" true
    dk rm -f $(seq -f "$C-amb-%g" 17) >/dev/null
    assert_failure 125
    # dockerd 20.10 answers 500 here, later ones 400: the point is the daemon's own words.
    assert_output --regexp "^docker-nsexec: ambiguous container ID prefix '$first' \(HTTP [45][0-9][0-9]\): [Mm]ultiple IDs found with provided prefix: $first\$"
}

@test "stopped, paused and never-started containers each get their own message" {
    run "$NSX" $C-exited true
    assert_failure 125
    assert_line --index 0 "docker-nsexec: container '$C-exited' is not running (exited)"

    run "$NSX" $C-paused true
    assert_failure 125
    assert_line --index 0 "docker-nsexec: container '$C-paused' is paused"

    run "$NSX" $C-created true
    assert_failure 125
    assert_line --index 0 "docker-nsexec: container '$C-created' was created but never started"
}

@test "a restarting container (Running, Pid 0) is refused as restarting" {
    dk rm -f $C-restart >/dev/null 2>&1 || true
    dk run -d --name $C-restart --restart always --net none local/busybox sh -c 'sleep 0.3; exit 1' >/dev/null
    local i state
    for i in $(seq 100); do
        state=$(dk inspect -f '{{.State.Restarting}}' $C-restart)
        [ "$state" = true ] && break
        sleep 0.05
    done
    # The restart back-off grows, so the container stays "restarting" long enough to ask.
    run "$NSX" $C-restart true
    dk rm -f $C-restart >/dev/null
    [ "$state" = true ] || skip "the container never showed as restarting"
    assert_failure 125
    assert_line --index 0 "docker-nsexec: container '$C-restart' is restarting"
}

@test "names that could steer the request are refused before any connection" {
    local bad
    # A socket that does not exist: had a request been tried, the error would say so.
    for bad in 'web/json?' 'web?x=1' '../containers' 'web#x' 'a b' '-H' '.web'; do
        run "$NSX" -H unix:///nonexistent/engine.sock -- "$bad" true
        assert_failure 125
        assert_output --partial "invalid container name or ID '$bad'"
        refute_output --partial "nonexistent"
    done
}

@test "usage errors: no arguments, unknown option; --help and --version" {
    run "$NSX"
    assert_failure 125
    assert_line --index 0 "docker-nsexec: missing CONTAINER"
    assert_line --index 1 "Try 'docker-nsexec --help' for more information."

    run "$NSX" --frobnicate web
    assert_failure 125
    assert_line --index 0 "docker-nsexec: unknown option '--frobnicate'"

    run "$NSX" --help
    assert_success
    assert_line --index 0 --partial "Usage: docker-nsexec [OPTIONS] CONTAINER [CMD [ARG...]]"

    run "$NSX" --version
    assert_success
    # X.Y.Z on a release; git describe's -N-gHASH, -gHASH and -dirty between them (contrib/version.sh).
    assert_output --regexp '^docker-nsexec [0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.+~_]+)*$'
}

@test "-H wins over DOCKER_HOST; a bad DOCKER_HOST is named" {
    DOCKER_HOST=unix:///nonexistent/engine.sock run "$NSX" -H "$NSX_TEST_DOCKER_HOST" $C-web true
    assert_success

    DOCKER_HOST=tcp://192.0.2.1:2375 run "$NSX" $C-web true
    assert_failure 125
    assert_output "docker-nsexec: engine endpoint 'tcp://192.0.2.1:2375' (from DOCKER_HOST) is not on this machine: entering namespaces needs the container's processes here"
}

# Faults of the engine and its socket (absent, dead, not a socket, not permitted, silent):
# faults.bats.
