#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The lean build (-Dlean_curl=true) carries a libcurl without HTTP/2: a CRI engine is refused with
# one line that says so and names the default build, before anything is sent, whichever way the
# engine is named. (The default build runs cri.bats instead.)

load helper

setup() {
    [ -n "${NSX_TEST_CRI_ENDPOINT:-}" ] || {
        [ "${DOCKER_NSEXEC_MUST_WORK:-}" != 1 ] || fail "no CRI engine: NSX_TEST_CRI_ENDPOINT is unset"
        skip "no CRI engine (NSX_TEST_CRI_ENDPOINT)"
    }
    unset DOCKER_HOST DOCKER_CONTEXT CONTAINER_RUNTIME_ENDPOINT
}

@test "cri-lean: --runtime-endpoint is refused: this build's libcurl has no HTTP/2" {
    run --separate-stderr "$NSX" --runtime-endpoint "$NSX_TEST_CRI_ENDPOINT" any-pod touch "$BATS_TEST_TMPDIR/ran"
    assert_failure 125
    assert_equal "${#stderr_lines[@]}" 1
    [[ ${stderr_lines[0]} == "docker-nsexec: this build's libcurl has no HTTP/2: CRI engines"*"need the default build"* ]] ||
        fail "${stderr_lines[0]}"
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "cri-lean: CONTAINER_RUNTIME_ENDPOINT too, and --list" {
    CONTAINER_RUNTIME_ENDPOINT=$NSX_TEST_CRI_ENDPOINT run --separate-stderr "$NSX" --list
    assert_failure 125
    [[ ${stderr_lines[0]} == *"has no HTTP/2"* ]] || fail "${stderr_lines[0]}"
}
