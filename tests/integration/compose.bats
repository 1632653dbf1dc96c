#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Compose services as CONTAINER: the real Compose v1 (Debian's docker-compose 1.29, names
# PROJECT_SERVICE_N) against the private dockerd, and v2's names (PROJECT-SERVICE-N) made with
# docker run and the labels Compose v2 sets.

load helper

PAGE="hello from inside the container"

# Compose v1, with the test daemon (DOCKER_HOST is exported by nsx_probe_daemon).
dc() {
    docker-compose --no-ansi "$@"
}

setup_file() {
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    unset COMPOSE_PROJECT_NAME
    N=$RANDOM
    # The project directory: its name normalized (lowercase, '.' dropped) is project 1.
    export DIR=$BATS_FILE_TMPDIR/NSX.cmp-$N P1=nsxcmp-$N P2=nsxcmq-$N V2=nsxcmv-$N REAL=nsxcmr-$N
    export HAVE_DC=0
    mkdir -p "$DIR/sub/deeper"
    cat >"$DIR/docker-compose.yml" <<'EOF'
version: "2.4"
services:
  cweb:
    image: local/busybox
    command: ["httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/www"]
    network_mode: none
  cworker:
    image: local/busybox
    command: ["sleep", "3600"]
    network_mode: none
  cidle:
    image: local/busybox
    command: ["sleep", "3600"]
    network_mode: none
EOF
    if command -v docker-compose >/dev/null; then
        HAVE_DC=1
        # Project 1 from the directory, project 2 from -p; no image is pulled (local/busybox is there).
        (cd "$DIR" && dc up -d --scale cworker=2) >/dev/null 2>&1
        (cd "$DIR" && dc stop -t 0 cidle) >/dev/null 2>&1
        (cd "$DIR" && dc -p "$P2" up -d cweb) >/dev/null 2>&1
    fi
    # v2's names, and the labels v2 sets: two replicas of capi, and a service named as a container.
    local i
    for i in 1 2; do
        dk run -d --name "$V2-capi-$i" --net none --label com.docker.compose.project="$V2" \
            --label com.docker.compose.service=capi --label com.docker.compose.container-number=$i \
            local/busybox sleep 3600 >/dev/null
    done
    dk run -d --name "$V2-$REAL-1" --net none --label com.docker.compose.project="$V2" \
        --label com.docker.compose.service="$REAL" --label com.docker.compose.container-number=1 \
        local/busybox sleep 3600 >/dev/null
    dk run -d --name "$REAL" --net none local/busybox sleep 3600 >/dev/null
}

teardown_file() {
    [ "${NSX_DAEMON:-}" = up ] || return 0
    if [ "${HAVE_DC:-0}" = 1 ]; then
        (cd "$DIR" && dc down -t 0) >/dev/null 2>&1 || true
        (cd "$DIR" && dc -p "$P2" down -t 0) >/dev/null 2>&1 || true
    fi
    dk rm -f "$V2-capi-1" "$V2-capi-2" "$V2-$REAL-1" "$REAL" >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
    unset COMPOSE_PROJECT_NAME
}

require_compose_v1() {
    if [ "$HAVE_DC" != 1 ]; then
        [ "${DOCKER_NSEXEC_MUST_WORK:-0}" = 1 ] && fail "docker-compose is not installed (DOCKER_NSEXEC_MUST_WORK=1)"
        skip "docker-compose (Compose v1) is not installed"
    fi
    nsx_wait_running "${P1}_cweb_1"
}

@test "a Compose service of the directory's project is entered, and -v says so" {
    require_compose_v1
    local pid
    pid=$(dk inspect -f '{{.State.Pid}}' "${P1}_cweb_1")
    cd "$DIR"
    run "$NSX" -v cweb curl -sS --max-time 5 http://127.0.0.1:8080/
    assert_success
    assert_line --partial "debug: 'cweb' is Compose service cweb of project $P1: container ${P1}_cweb_1"
    assert_line --partial "$PAGE"
    # The inspect (404), the label-filtered list, the inspect by full ID.
    assert_line --regexp "debug: GET /v[0-9.]+/containers/cweb/json -> HTTP 404"
    assert_line --regexp "debug: GET /v[0-9.]+/containers/json\?filters=.*com.docker.compose.project%3D$P1%22.*com.docker.compose.service%3Dcweb.* -> HTTP 200"
    assert_line --regexp "debug: GET /v[0-9.]+/containers/[0-9a-f]{64}/json -> HTTP 200"
    # Its network namespace, from a subdirectory too (Compose finds its file upwards).
    cd "$DIR/sub/deeper"
    run "$NSX" cweb readlink /proc/self/ns/net
    assert_success
    assert_output "$(ns "$pid" net)"
}

@test "a service with several running replicas is an error listing them" {
    require_compose_v1
    cd "$DIR"
    run "$NSX" cworker true
    assert_failure 125
    assert_line "docker-nsexec: 'cworker' is Compose service cworker of project $P1 with 2 running replicas: ${P1}_cworker_1, ${P1}_cworker_2"
    assert_line --partial "hint: name one: its container, cworker-N or --index N"
}

@test "SERVICE-N and --index N pick a replica" {
    require_compose_v1
    cd "$DIR"
    run "$NSX" -v cworker-2 readlink /proc/self/ns/net
    assert_success
    assert_line --partial "debug: 'cworker-2' is Compose service cworker (replica 2) of project $P1: container ${P1}_cworker_2"
    assert_line "$(ns "$(dk inspect -f '{{.State.Pid}}' "${P1}_cworker_2")" net)"
    run "$NSX" -v --index 1 cworker true
    assert_success
    assert_line --partial "debug: 'cworker' --index is Compose service cworker (replica 1) of project $P1: container ${P1}_cworker_1"
    run "$NSX" --index 3 cworker true
    assert_failure 125
    assert_output --partial "Compose service cworker of project $P1 has no running replica 3 (running: ${P1}_cworker_1, ${P1}_cworker_2)"
    run "$NSX" --index 0 cworker true
    assert_failure 125
    assert_output --partial "invalid --index '0'"
}

@test "the project from COMPOSE_PROJECT_NAME (docker-compose -p)" {
    require_compose_v1
    nsx_wait_running "${P2}_cweb_1"
    cd "$DIR"
    COMPOSE_PROJECT_NAME=$P2 run "$NSX" -v cweb true
    assert_success
    assert_line --partial "debug: 'cweb' is Compose service cweb of project $P2: container ${P2}_cweb_1"
    # Normalized as Compose does: case folded.
    COMPOSE_PROJECT_NAME=${P2^^} run "$NSX" -v cweb true
    assert_success
    assert_line --partial "container ${P2}_cweb_1"
}

@test "outside the project: the usual 'no such container'" {
    require_compose_v1
    cd "$DIR"
    COMPOSE_PROJECT_NAME=nsx-nope-$RANDOM run "$NSX" cweb true
    assert_failure 125
    assert_output "docker-nsexec: no such container: 'cweb'"
    # Nor from another directory with no Compose file up to /.
    cd "$BATS_TEST_TMPDIR"
    run "$NSX" cweb true
    assert_failure 125
    assert_output "docker-nsexec: no such container: 'cweb'"
}

@test "a stopped service is not entered" {
    require_compose_v1
    cd "$DIR"
    [ "$(dk inspect -f '{{.State.Running}}' "${P1}_cidle_1")" = false ]
    run "$NSX" cidle true
    assert_failure 125
    assert_output "docker-nsexec: no such container: 'cidle'"
}

@test "--listeners takes a Compose service too" {
    require_compose_v1
    cd "$DIR"
    run "$NSX" --listeners cweb
    assert_success
    assert_output --partial "8080"
    assert_output --partial "${P1}_cweb_1"
}

@test "v2's names: SERVICE-N, several replicas, and a real container's name wins" {
    export COMPOSE_PROJECT_NAME=$V2
    nsx_wait_running "$V2-capi-2"
    run "$NSX" -v capi-2 readlink /proc/self/ns/net
    assert_success
    assert_line --partial "debug: 'capi-2' is Compose service capi (replica 2) of project $V2: container $V2-capi-2"
    assert_line "$(ns "$(dk inspect -f '{{.State.Pid}}' "$V2-capi-2")" net)"
    run "$NSX" capi true
    assert_failure 125
    assert_line "docker-nsexec: 'capi' is Compose service capi of project $V2 with 2 running replicas: $V2-capi-1, $V2-capi-2"
    run "$NSX" --index 2 capi true
    assert_success
    # $REAL is both a container and a service of the project: the container, in one request.
    run "$NSX" -v "$REAL" readlink /proc/self/ns/net
    assert_success
    assert_line "$(ns "$(dk inspect -f '{{.State.Pid}}' "$REAL")" net)"
    refute_line --partial "Compose service"
    [ "$(grep -c 'debug: GET ' <<<"$output")" -eq 1 ]
    # --index applies to the Compose fallback only: a container's own name ignores it.
    run "$NSX" --index 2 "$REAL" true
    assert_success
}

@test "Podman: the labels read the same way" {
    nsx_require_engine NSX_TEST_PODMAN_HOST NSX_PODMAN
    local p=nsxcmp-pm-$RANDOM
    docker -H "$NSX_TEST_PODMAN_HOST" run -d --name "$p-papi-1" --net none \
        --ulimit nofile=1024:20000 --ulimit nproc=4096:4096 \
        --label com.docker.compose.project="$p" --label com.docker.compose.service=papi \
        --label com.docker.compose.container-number=1 local/busybox sleep 3600 >/dev/null
    COMPOSE_PROJECT_NAME=$p run "$NSX" -H "$NSX_TEST_PODMAN_HOST" -v papi true
    docker -H "$NSX_TEST_PODMAN_HOST" rm -f "$p-papi-1" >/dev/null
    assert_success
    assert_line --partial "debug: 'papi' is Compose service papi of project $p: container $p-papi-1"
}
