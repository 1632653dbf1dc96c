#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The core path against a real Podman (4.3) through its Docker-compatible service: libpod-ID cgroups,
# Podman's own answers for unknown and ambiguous references.

load helper

PAGE="hello from inside the container"

# Podman's default limits exceed this machine's hard ones (nofile 20000): without these, runc cannot
# start the container ("error setting rlimit type 7: operation not permitted").
PM_LIMITS=(--ulimit nofile=1024:20000 --ulimit nproc=4096:4096)

# The docker CLI against the Podman service (it passes --ulimit through the compatible API).
pm() {
    docker -H "$NSX_TEST_PODMAN_HOST" "$@"
}

pm_wait_running() {
    local i
    for i in $(seq 100); do
        [ "$(pm inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] && return 0
        sleep 0.05
    done
    echo "container $1 did not start" >&2
    return 1
}

pm_rm_all() {
    pm rm -f $C-web $C-exited $(seq -f "$C-amb-%g" 17) >/dev/null 2>&1 || true
}

setup_file() {
    export C=nsx-pm
    nsx_probe_engine NSX_TEST_PODMAN_HOST NSX_PODMAN
    [ "$NSX_PODMAN" = up ] || return 0
    pm_rm_all
    # The seed scenario: a service bound to the container's own loopback only.
    pm run -d --name $C-web --net none "${PM_LIMITS[@]}" local/busybox httpd -f -p 127.0.0.1:8080 -h /www >/dev/null
    pm run --name $C-exited --net none "${PM_LIMITS[@]}" local/busybox true
    pm_wait_running $C-web
}

teardown_file() {
    if [ "${NSX_PODMAN:-}" != up ]; then
        return 0
    fi
    pm_rm_all
}

setup() {
    nsx_require_engine NSX_TEST_PODMAN_HOST NSX_PODMAN
    WEB_ID=$(pm inspect -f '{{.Id}}' $C-web)
    WEB_PID=$(pm inspect -f '{{.State.Pid}}' $C-web)
}

@test "podman seed: the host cannot reach the container's 127.0.0.1:8080, docker-nsexec can" {
    run curl -sS --max-time 2 http://127.0.0.1:8080/
    refute_output --partial "$PAGE"
    run "$NSX" -H "$NSX_TEST_PODMAN_HOST" $C-web curl -sS --max-time 5 http://127.0.0.1:8080/
    assert_success
    assert_output "$PAGE"
}

@test "podman: the container is found by name, /name, full ID and a 12-digit ID prefix" {
    local ref
    for ref in $C-web /$C-web "$WEB_ID" "${WEB_ID:0:12}"; do
        run "$NSX" -H "$NSX_TEST_PODMAN_HOST" "$ref" curl -sS --max-time 5 http://127.0.0.1:8080/
        assert_success
        assert_output "$PAGE"
    done
}

@test "podman: DOCKER_HOST naming the service is enough" {
    DOCKER_HOST=$NSX_TEST_PODMAN_HOST run "$NSX" $C-web curl -sS --max-time 5 http://127.0.0.1:8080/
    assert_success
    assert_output "$PAGE"
}

@test "podman: the network namespace is the container's" {
    run "$NSX" -H "$NSX_TEST_PODMAN_HOST" $C-web readlink /proc/self/ns/net
    assert_success
    assert_output "$(readlink /proc/$WEB_PID/ns/net)"
    refute_output "$(readlink /proc/self/ns/net)"
}

@test "podman: the cgroup proof passes without --no-verify (libpod-ID in /proc/PID/cgroup)" {
    local cg
    cg=$(cat /proc/$WEB_PID/cgroup)
    # For the record, in the TAP output. Here (cgroup v1, cgroupfs): N:ctrl:/libpod_parent/libpod-ID
    # on every line; with the systemd manager it would be .../libpod-ID.scope.
    printf '# /proc/%s/cgroup of %s:\n' "$WEB_PID" $C-web >&3
    printf '#   %s\n' $cg >&3
    grep -Eq "/libpod-$WEB_ID(\.scope)?\$" <<<"$cg"

    # No warning, no --no-verify needed: the proof found the ID.
    run --separate-stderr "$NSX" -H "$NSX_TEST_PODMAN_HOST" $C-web readlink /proc/self/ns/net
    assert_success
    assert_output "$(readlink /proc/$WEB_PID/ns/net)"
    [ -z "$stderr" ]
}

@test "podman: -m reads the container's files, -a joins every namespace it has" {
    run "$NSX" -H "$NSX_TEST_PODMAN_HOST" -m $C-web cat /www/index.html
    assert_success
    assert_output "$PAGE"

    run "$NSX" -H "$NSX_TEST_PODMAN_HOST" -a $C-web sh -c \
        'cat /www/index.html; for n in net uts ipc mnt pid; do readlink /proc/self/ns/$n; done'
    assert_success
    assert_line --index 0 "$PAGE"
    assert_line --index 1 "$(readlink /proc/$WEB_PID/ns/net)"
    assert_line --index 2 "$(readlink /proc/$WEB_PID/ns/uts)"
    assert_line --index 3 "$(readlink /proc/$WEB_PID/ns/ipc)"
    assert_line --index 4 "$(readlink /proc/$WEB_PID/ns/mnt)"
    assert_line --index 5 "$(readlink /proc/$WEB_PID/ns/pid)"
}

@test "podman: a container that does not exist: one line naming it, exit 125" {
    # Podman's answer: 404 {"cause":"no such container","message":"no container with name or ID
    # \"nsx-pm-nope\" found: no such container"}
    run "$NSX" -H "$NSX_TEST_PODMAN_HOST" $C-nope true
    assert_failure 125
    assert_output "docker-nsexec: no such container: '$C-nope'"
}

@test "podman: an exited container is refused as not running" {
    run "$NSX" -H "$NSX_TEST_PODMAN_HOST" $C-exited true
    assert_failure 125
    assert_line --index 0 "docker-nsexec: container '$C-exited' is not running (exited)"
}

@test "podman: an ambiguous ID prefix (Podman answers 404) is refused in one line naming it" {
    local first
    first=$(nsx_shared_prefix pm "$C-amb")
    # What Podman 4.3 itself answers (Docker says 400, or 500 for 20.10): a 404 whose cause is
    # "container already exists".
    run curl -sS --max-time 5 -w '\n%{http_code}' --unix-socket "${NSX_TEST_PODMAN_HOST#unix://}" \
        "http://podman/v1.41/containers/$first/json"
    printf "# Podman's answer for '%s': HTTP %s %s\n" "$first" "${lines[1]:-}" "${lines[0]:-}" >&3
    assert_line --index 1 404
    assert_line --index 0 --partial "more than one result for container ID $first"

    run "$NSX" -H "$NSX_TEST_PODMAN_HOST" "$first" true
    pm rm -f $(seq -f "$C-amb-%g" 17) >/dev/null
    assert_failure 125
    [ "${#lines[@]}" -eq 1 ]
    assert_output --regexp "^docker-nsexec: ambiguous container ID prefix '$first' \(HTTP 404\): more than one result for container ID $first"
}

@test "podman: -v names Podman, and the request is one, at /v1.41/" {
    run "$NSX" -v -H "$NSX_TEST_PODMAN_HOST" $C-web true
    assert_success
    assert_line "docker-nsexec: debug: GET /v1.41/containers/$C-web/json -> HTTP 200"
    assert_equal "$(grep -c ' -> HTTP ' <<<"$output")" 1
    assert_line --regexp '^docker-nsexec: debug: engine API 1\.[0-9]+, Podman \(libpod API [0-9.]+\)$'
}
