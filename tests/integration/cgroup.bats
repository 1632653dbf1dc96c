#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The cgroup side of a container: the proof that the engine's PID is the container's (the ID where
# the engine puts it, in a directory of the engine's user) against forged cgroups, and the command
# of -m/-a run in the container's cgroups as docker exec's is.

load helper

CG=/sys/fs/cgroup

# Podman's default limits exceed this machine's hard ones (see podman.bats).
PM_LIMITS=(--ulimit nofile=1024:20000 --ulimit nproc=4096:4096)

pm() {
    docker -H "$NSX_TEST_PODMAN_HOST" "$@"
}

setup_file() {
    export C=nsx-cg$$
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    dk rm -f $C-box $C-cgns $C-limit >/dev/null 2>&1 || true
    dk run -d --name $C-box --net none local/busybox sleep 3600 >/dev/null
    dk run -d --name $C-cgns --cgroupns private --net none local/busybox sleep 3600 >/dev/null
    # Four processes at most: the container's sleep, then whatever joins it.
    dk run -d --name $C-limit --pids-limit 4 --net none local/busybox sleep 3600 >/dev/null
    nsx_wait_running $C-box
    nsx_wait_running $C-cgns
    nsx_wait_running $C-limit
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" = up ]; then
        dk rm -f $C-box $C-cgns $C-limit >/dev/null 2>&1 || true
    fi
    if [ "${NSX_PODMAN:-}" = up ]; then
        pm rm -f $C-pm >/dev/null 2>&1 || true
    fi
}

setup() {
    nsx_require_daemon
    BOX_ID=$(dk inspect -f '{{.Id}}' $C-box)
    BG_PIDS=()
    CREATED=()
}

teardown() {
    local dir
    nsx_fake_engine_stop
    bg_stop_all
    # What cg_make created, innermost first; nothing that was there before.
    for dir in "${CREATED[@]}"; do
        rmdir "$dir" 2>/dev/null || echo "# cannot remove $dir" >&3
    done
}

# --- forged cgroups ------------------------------------------------------------------------

# The hierarchies a forgery goes into: those a systemd user manager is delegated (name=systemd,
# the v2 one) and pids. Skips where this host lacks them.
HIERS=(systemd pids unified)

need_hierarchies() {
    local h
    for h in "${HIERS[@]}"; do
        [ -w "$CG/$h/cgroup.procs" ] || skip "no writable cgroup hierarchy at $CG/$h"
    done
}

# cg_make HIER REL OWNER: creates the cgroup REL (and its missing parents) in the hierarchy mounted
# at $CG/HIER; each directory it creates is chowned to OWNER and removed in teardown.
cg_make() {
    local path=$CG/$1 comp
    local -a comps
    IFS=/ read -r -a comps <<<"$2"
    for comp in "${comps[@]}"; do
        [ -n "$comp" ] || continue
        path=$path/$comp
        if [ ! -d "$path" ]; then
            mkdir "$path" || return 1
            CREATED=("$path" "${CREATED[@]}")
            chown "$3" "$path"
        fi
    done
}

# forge REL OWNER PID: the cgroup REL in every hierarchy of HIERS, PID moved into it.
forge() {
    local h
    for h in "${HIERS[@]}"; do
        cg_make "$h" "$1" "$2"
        echo "$3" >"$CG/$h/$1/cgroup.procs"
    done
    grep -q ":pids:$1\$" "/proc/$3/cgroup"
}

@test "a cgroup in a user's delegated subtree named after a real container is refused" {
    local marker=$BATS_TEST_TMPDIR/ran
    local rel=/user.slice/user-1000.slice/user@1000.service/docker-$BOX_ID.scope
    need_hierarchies
    bg sleep 1000
    # What user 1000 can do in the subtree systemd delegates to it: name a cgroup after any ID.
    forge "$rel" 1000 "$BG"
    nsx_fake_engine inspect "$BOX_ID" "$BG"
    run "$NSX" -H "unix://$FAKE_SOCK" $C-forged touch "$marker"
    assert_failure 125
    assert_line --index 0 "docker-nsexec: PID $BG is not a process of container '$C-forged' (its cgroup $rel is not where the engine puts it)"
    [ ! -e "$marker" ] || fail "the command ran"
    # Nor with the container's binaries.
    run "$NSX" -H "unix://$FAKE_SOCK" -a $C-forged touch "$marker"
    assert_failure 125
    [ ! -e "$marker" ] || fail "the command ran"
}

@test "a cgroup where the engine puts containers, but owned by another user, is refused" {
    local id marker=$BATS_TEST_TMPDIR/ran
    id=$(random_id)
    need_hierarchies
    bg sleep 1000
    forge "/docker/$id" 1000 "$BG"
    nsx_fake_engine inspect "$id" "$BG"
    run "$NSX" -H "unix://$FAKE_SOCK" $C-forged touch "$marker"
    assert_failure 125
    assert_line --index 0 "docker-nsexec: PID $BG is not a process of container '$C-forged' (its cgroup /docker/$id belongs to uid 1000, not to the engine's uid 0)"
    [ ! -e "$marker" ] || fail "the command ran"
    # Owned by root, as the engine's are, the same cgroups prove it: ownership was the refusal.
    chown 0 "$CG/systemd/docker/$id" "$CG/pids/docker/$id" "$CG/unified/docker/$id"
    run "$NSX" -H "unix://$FAKE_SOCK" $C-forged sh -c "touch '$marker'; echo ran"
    assert_success
    assert_output "ran"
}

@test "a cgroup nested below a container's (a writable cgroup namespace) is refused" {
    local id marker=$BATS_TEST_TMPDIR/ran
    id=$(random_id)
    need_hierarchies
    bg sleep 1000
    # Root-owned, as a container's root without a user namespace would make it.
    forge "/docker/$BOX_ID/docker/$id" 0 "$BG"
    nsx_fake_engine inspect "$id" "$BG"
    run "$NSX" -H "unix://$FAKE_SOCK" $C-forged touch "$marker"
    assert_failure 125
    assert_line --index 0 "docker-nsexec: PID $BG is not a process of container '$C-forged' (its cgroup /docker/$BOX_ID/docker/$id is not where the engine puts it)"
    [ ! -e "$marker" ] || fail "the command ran"
}

@test "the ID as a middle component is refused" {
    local id marker=$BATS_TEST_TMPDIR/ran
    id=$(random_id)
    need_hierarchies
    bg sleep 1000
    forge "/docker/$id/sub" 0 "$BG"
    nsx_fake_engine inspect "$id" "$BG"
    run "$NSX" -H "unix://$FAKE_SOCK" $C-forged touch "$marker"
    assert_failure 125
    assert_line --index 0 "docker-nsexec: PID $BG is not a process of container '$C-forged' (its cgroup /docker/$id/sub is not where the engine puts it)"
    [ ! -e "$marker" ] || fail "the command ran"
}

# --- joining the container's cgroups (-m, -a) -------------------------------------------------

@test "-a runs the command in the container's cgroups, as docker exec does" {
    local c want
    for c in $C-box $C-cgns; do
        want=$(dk exec $c cat /proc/self/cgroup)
        run "$NSX" -a $c cat /proc/self/cgroup
        assert_success
        assert_output "$want"
    done
    # Every hierarchy's path is the container's own (seen from the host: the container has our
    # cgroup namespace).
    run "$NSX" -a $C-box cat /proc/self/cgroup
    assert_output "$(cat "/proc/$(dk inspect -f '{{.State.Pid}}' $C-box)/cgroup")"
}

@test "-m with -p runs the command in the container's cgroups" {
    local want
    want=$(dk exec $C-box cat /proc/self/cgroup)
    run "$NSX" -m -p $C-box cat /proc/self/cgroup
    assert_success
    assert_output "$want"
}

@test "host-tool modes (no -m) leave the command in the caller's cgroups" {
    local opt
    for opt in -n "-n -u -i -p"; do
        # shellcheck disable=SC2086 # two words: two options
        run "$NSX" $opt $C-box cat /proc/self/cgroup
        assert_success
        assert_output "$(cat /proc/self/cgroup)"
    done
}

@test "the container's pids limit applies to the command of -a" {
    # The container's sleep, our process and the command's shell: one more fits, not eight.
    run "$NSX" -a $C-limit sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait'
    assert_failure
    assert_output --partial "can't fork"
    # The host-tool mode is not the container's: no limit.
    run "$NSX" $C-limit sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 0.1 & done; wait'
    assert_success
}

@test "podman: -a runs the command in the container's cgroups, as podman exec does" {
    local want
    nsx_require_engine NSX_TEST_PODMAN_HOST NSX_PODMAN
    pm rm -f $C-pm >/dev/null 2>&1 || true
    pm run -d --name $C-pm --net none "${PM_LIMITS[@]}" local/busybox sleep 3600 >/dev/null
    want=$(pm exec $C-pm cat /proc/self/cgroup)
    [[ $want == *"/libpod_parent/libpod-"* || $want == *"/libpod-"*".scope"* ]] || fail "not a Podman cgroup: $want"
    run "$NSX" -H "$NSX_TEST_PODMAN_HOST" -a $C-pm cat /proc/self/cgroup
    assert_success
    assert_output "$want"
    pm rm -f $C-pm >/dev/null
}
