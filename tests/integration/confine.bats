#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Confinement of the container's own commands (-m, -a): the same capability sets, no_new_privs
# and seccomp filter as `docker exec` gives, for a default container and for cap-drop,
# no-new-privileges, seccomp=unconfined and --privileged ones; no mount, no /proc/sys; a target
# whose filter cannot be read is refused; --privileged keeps our privileges; host tools stay
# ours; a user-namespaced (Podman --uidmap) container is entered in its user namespace.

load helper

# The lines of /proc/PID/status that say how a process is confined.
CONF_RE='^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):'

# Podman's default limits exceed this machine's (see podman.bats).
PM_LIMITS=(--ulimit nofile=1024:20000 --ulimit nproc=4096:4096)

# The podman CLI against the test service: the docker CLI has no --uidmap.
pm() {
    podman --remote --url "$NSX_TEST_PODMAN_HOST" "$@"
}

# name: the docker run options that make it
declare -gA KINDS=(
    [default]=""
    [capdrop]="--cap-drop ALL --cap-add NET_ADMIN"
    [nnp]="--security-opt no-new-privileges"
    [unconfined]="--security-opt seccomp=unconfined"
    [privileged]="--privileged"
)

setup_file() {
    export C=nsx-confine-$$
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    local k
    for k in "${!KINDS[@]}"; do
        # shellcheck disable=SC2086 # the options are words
        if ! dk run -d --name "$C-$k" --net none ${KINDS[$k]} local/busybox sleep 3600 >/dev/null 2>&1 &&
            [ "$k" = privileged ]; then
            # Where the daemon lacks a capability (this machine: CAP_SYS_RESOURCE), runc cannot
            # give them all and --privileged fails: the next best thing, every other one and no
            # seccomp. The drop of capabilities we hold but the target lacks is then tested too.
            dk rm -f "$C-$k" >/dev/null 2>&1 || true
            dk run -d --name "$C-$k" --net none --cap-add ALL --cap-drop SYS_RESOURCE \
                --security-opt seccomp=unconfined local/busybox sleep 3600 >/dev/null
        fi
    done
    for k in "${!KINDS[@]}"; do
        nsx_wait_running "$C-$k"
    done
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    local k
    for k in "${!KINDS[@]}"; do
        dk rm -f "$C-$k" >/dev/null 2>&1 || true
    done
    dk rm -f "$C-traced" "$C-scratch" >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
    BG_PIDS=()
    PM_NAME=
}

teardown() {
    bg_stop_all
    nsx_fake_engine_stop
    if [ -n "$PM_NAME" ]; then
        pm rm -f -t 0 "$PM_NAME" >/dev/null 2>&1 || true
    fi
}

# --- helpers -------------------------------------------------------------------------------

# conf_of PID: the confinement lines of a process's status, read from the host.
conf_of() {
    grep -E "$CONF_RE" "/proc/$1/status"
}

# is_sleep PID: PID has become `sleep` (the exec is done, the confinement applied).
is_sleep() {
    [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ]
}

# mount_conf NAME [OPTS...]: the confinement lines of `docker-nsexec OPTS -m NAME sleep`, read from
# the host: with -m alone the container's /proc has no entry for the command (another PID
# namespace), and -m does not fork, so the PID started is the command's.
mount_conf() {
    local name=$1
    shift
    bg "$NSX" "$@" -m "$name" sleep 30
    wait_for is_sleep "$BG"
    conf_of "$BG"
    kill -KILL "$BG" 2>/dev/null || true
}

# --- the same as docker exec ---------------------------------------------------------------

@test "-a and -m run the container's command confined exactly as docker exec does" {
    local k want
    for k in "${!KINDS[@]}"; do
        want=$(dk exec "$C-$k" cat /proc/self/status | grep -E "$CONF_RE")
        printf '# %s: %s\n' "$k" "$(tr '\n\t' '  ' <<<"$want")" >&3
        # Make sure the comparison means something: the fields are all there.
        [ "$(grep -cE "$CONF_RE" <<<"$want")" -ge 7 ] || fail "docker exec gave no status lines for $k"

        run --separate-stderr "$NSX" -a "$C-$k" cat /proc/self/status
        assert_success
        assert_equal "$(grep -E "$CONF_RE" <<<"$output")" "$want"
        # shellcheck disable=SC2154 # set by run --separate-stderr
        assert_equal "$stderr" ""

        assert_equal "$(mount_conf "$C-$k")" "$want"

        # -p -m: the fork's child is confined too.
        run --separate-stderr "$NSX" -p -m "$C-$k" cat /proc/self/status
        assert_success
        assert_equal "$(grep -E "$CONF_RE" <<<"$output")" "$want"
    done
}

@test "--user with confinement: the same capability sets, ids and filter as docker exec -u" {
    # The user switch sits between the bounding-set drop and the final capset: a non-root user
    # keeps no permitted or effective capability across execve, root on a non-root target gets
    # the bounding set, as under docker exec. Both kinds of target, both directions.
    local re='^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters|Uid|Gid|Groups):'
    local k u want
    dk run -d --name "$C-scratch" --net none --user 1000 local/busybox sleep 3600 >/dev/null
    nsx_wait_running "$C-scratch"
    for k in default scratch; do
        for u in 1000 0 65534:65534; do
            want=$(dk exec -u "$u" "$C-$k" cat /proc/self/status | grep -E "$re")
            [ "$(grep -cE "$re" <<<"$want")" -ge 10 ] || fail "docker exec -u $u gave no status lines for $k"
            run --separate-stderr "$NSX" -a --user "$u" "$C-$k" cat /proc/self/status
            assert_success
            assert_equal "$(grep -E "$re" <<<"$output")" "$want"
        done
    done
}

@test "a default container: the command cannot mount or reach the host's kernel settings" {
    # Each write puts back the value there already (busybox test -w says yes to root whatever
    # the mount): on today's code they succeed, and change nothing.
    local script='mount -t proc proc /mnt 2>/dev/null && echo MOUNTED
                  v=$(cat /proc/sys/kernel/core_pattern)
                  echo "$v" 2>/dev/null >/mnt/sys/kernel/core_pattern && echo WROTE-NEW-PROC
                  echo "$v" 2>/dev/null >/proc/sys/kernel/core_pattern && echo WROTE
                  mount -o remount,rw /proc/sys 2>/dev/null && echo REMOUNTED
                  echo "$v" 2>/dev/null >/proc/sys/kernel/core_pattern && echo WROTE-REMOUNTED
                  echo done'
    dk rm -f "$C-scratch" >/dev/null 2>&1 || true
    dk run -d --name "$C-scratch" --net none local/busybox sleep 3600 >/dev/null
    nsx_wait_running "$C-scratch"
    for opt in -a -m "-p -m"; do
        # shellcheck disable=SC2086
        run "$NSX" $opt "$C-scratch" sh -c "$script"
        assert_success
        assert_output "done"
    done
    dk rm -f "$C-scratch" >/dev/null
}

# --- --privileged --------------------------------------------------------------------------

@test "--privileged keeps our own privileges for -a and -m, and says so" {
    local ours
    ours=$(conf_of $$)
    run --separate-stderr "$NSX" --privileged -a "$C-default" cat /proc/self/status
    assert_success
    assert_equal "$(grep -E "$CONF_RE" <<<"$output")" "$ours"
    assert_equal "$stderr" "docker-nsexec: warning: --privileged: the container's command runs unconfined, with our own privileges"

    assert_equal "$(mount_conf "$C-default" --privileged)" "$ours"
}

@test "--privileged without -m or -a is a usage error; nothing runs" {
    local marker=$BATS_TEST_TMPDIR/ran
    for opts in "" "-n" "-u -i -p -U -C"; do
        # shellcheck disable=SC2086
        run "$NSX" --privileged $opts "$C-default" touch "$marker"
        assert_failure 125
        assert_line --index 0 "docker-nsexec: --privileged goes with -m or -a: without them the command is the host's, and runs unconfined anyway"
        [ ! -e "$marker" ] || fail "the command ran"
    done
}

@test "host tools (no -m) still run as we are: our capabilities, no seccomp" {
    local ours opts
    ours=$(conf_of $$)
    for opts in "-n" "-n -u -i" "-p" "-C"; do
        # shellcheck disable=SC2086
        run --separate-stderr "$NSX" $opts "$C-default" cat /proc/self/status
        assert_success
        assert_equal "$(grep -E "$CONF_RE" <<<"$output")" "$ours"
        assert_equal "$stderr" ""
    done
}

# --- refusals ------------------------------------------------------------------------------

@test "a target already traced (its filter cannot be read) is refused, unless --privileged" {
    local pid marker=$BATS_TEST_TMPDIR/ran
    dk rm -f "$C-traced" >/dev/null 2>&1 || true
    dk run -d --name "$C-traced" --net none local/busybox sleep 3600 >/dev/null
    nsx_wait_running "$C-traced"
    pid=$(dk inspect -f '{{.State.Pid}}' "$C-traced")
    # Anything the container's own processes could do: here a tracer from the host seizes it.
    bg python3 -c '
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
r = libc.ptrace(0x4206, int(sys.argv[1]), ctypes.c_void_p(0), ctypes.c_void_p(0))  # PTRACE_SEIZE
print("seized" if r == 0 else "errno %d" % ctypes.get_errno(), flush=True)
time.sleep(1000)' "$pid" >"$BATS_TEST_TMPDIR/tracer"
    wait_for grep -q . "$BATS_TEST_TMPDIR/tracer"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/tracer")" seized

    for opt in -a -m; do
        run "$NSX" $opt "$C-traced" touch /ran
        assert_failure 125
        assert_line --index 0 --partial "docker-nsexec: cannot confine the command as container '$C-traced' (PID $pid) is: its seccomp filter cannot be read while it is traced by PID"
        assert_line --index 1 "docker-nsexec: hint: --privileged runs it unconfined, with our own privileges"
        run dk exec "$C-traced" test -e /ran
        assert_failure
    done

    run "$NSX" --privileged -a "$C-traced" sh -c 'touch /ran; echo ran'
    assert_success
    assert_line "ran"
    # The tracer first: a traced process killed stays a zombie until its tracer waits for it.
    bg_stop_all
    dk rm -f "$C-traced" >/dev/null
}

@test "a target in strict seccomp mode is refused: nothing could run as confined as it is" {
    local id marker=$BATS_TEST_TMPDIR/ran
    id=$(random_id)
    # A process in strict mode, blocked in read(2) (one of the four calls strict mode allows).
    bg python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r, w = os.pipe()
buf = ctypes.create_string_buffer(1)
print("strict", flush=True)
libc.prctl(22, 1, 0, 0, 0)  # PR_SET_SECCOMP, SECCOMP_MODE_STRICT
libc.read(r, buf, 1)' >"$BATS_TEST_TMPDIR/strict"
    wait_for eval '[ "$(awk "/^Seccomp:/ { print \$2 }" /proc/$BG/status)" = 1 ]'
    nsx_fake_engine inspect "$id" "$BG"
    run "$NSX" -H "unix://$FAKE_SOCK" --no-verify -m $C-strict touch "$marker"
    assert_failure 125
    assert_line --partial "cannot confine the command as container '$C-strict' (PID $BG) is: it runs in strict seccomp mode"
    [ ! -e "$marker" ] || fail "the command ran"

    run "$NSX" -H "unix://$FAKE_SOCK" --no-verify --privileged -m $C-strict touch "$marker"
    assert_success
    [ -e "$marker" ] || fail "--privileged did not run the command"
}

# --- user namespaces -----------------------------------------------------------------------

@test "podman --uidmap: -m enters the container's user namespace, as its root, confined as podman exec" {
    nsx_require_engine NSX_TEST_PODMAN_HOST NSX_PODMAN
    local pid want
    PM_NAME=$C-userns
    command -v podman >/dev/null || skip "no podman CLI"
    pm rm -f -t 0 "$PM_NAME" >/dev/null 2>&1 || true
    pm run -d --name "$PM_NAME" --net none "${PM_LIMITS[@]}" --uidmap 0:100000:65536 --gidmap 0:100000:65536 \
        local/busybox sleep 3600 >/dev/null
    wait_for eval '[ "$(pm inspect -f "{{.State.Running}}" "$PM_NAME" 2>/dev/null)" = true ]'
    pid=$(pm inspect -f '{{.State.Pid}}' "$PM_NAME")
    [ "$(ns "$pid" user)" != "$(ns $$ user)" ] || fail "podman made no user namespace"

    # Inside (-p, so that the container's /proc has an entry for us): its uid map, its root.
    run --separate-stderr "$NSX" -H "$NSX_TEST_PODMAN_HOST" -p -m "$PM_NAME" sh -c 'cat /proc/self/uid_map; id -u'
    assert_success
    assert_equal "$(tr -s ' ' <<<"${lines[0]}")" " 0 100000 65536"
    assert_line --index 1 "0"

    # From the host: uid 100000, not 0, and the capability sets podman exec gives.
    bg "$NSX" -H "$NSX_TEST_PODMAN_HOST" -m "$PM_NAME" sleep 30
    wait_for is_sleep "$BG"
    assert_equal "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$BG/status")" "100000 100000 100000 100000"
    assert_equal "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$BG/status")" "100000 100000 100000 100000"
    assert_equal "$(ns "$BG" user)" "$(ns "$pid" user)"
    want=$(pm exec "$PM_NAME" cat /proc/self/status | grep -E "$CONF_RE")
    assert_equal "$(conf_of "$BG")" "$want"

    # --privileged: as before, our user namespace and uid 0.
    bg "$NSX" -H "$NSX_TEST_PODMAN_HOST" --privileged -m "$PM_NAME" sleep 30
    wait_for is_sleep "$BG"
    assert_equal "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$BG/status")" "0 0 0 0"
    assert_equal "$(ns "$BG" user)" "$(ns $$ user)"
}
