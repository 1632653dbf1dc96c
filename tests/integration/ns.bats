#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Entry into any of the container's namespaces (-n -m -u -i -p -U -C -T -a, -w), the pinned and
# proven target (cgroup proof, --no-verify, a process gone before entry), the set-user-ID
# refusal, and a container that keeps dying while we enter it.

load helper

PAGE="hello from inside the container"

setup_file() {
    export C=nsx-ns
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    dk rm -f $C-box $C-shared $C-flap >/dev/null 2>&1 || true
    # Its own namespace of every kind Docker makes (cgroup too: --cgroupns private), a known
    # hostname and a working directory that differs from the root.
    dk run -d --name $C-box --hostname nsx-uts-test --cgroupns private -w /www --net none \
        local/busybox sleep 3600 >/dev/null
    # Shares our PID, IPC and UTS namespaces: --all must leave those alone.
    dk run -d --name $C-shared --pid host --ipc host --uts host --net none \
        local/busybox sleep 3600 >/dev/null
    nsx_wait_running $C-box
    nsx_wait_running $C-shared
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    dk rm -f $C-box $C-shared $C-flap >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
    BOX_PID=$(dk inspect -f '{{.State.Pid}}' $C-box)
    SHARED_PID=$(dk inspect -f '{{.State.Pid}}' $C-shared)
    BG_PIDS=()
    CGROUP_DIRS=()
    SUID_DIR=
}

teardown() {
    local dir
    nsx_fake_engine_stop
    bg_stop_all
    # Innermost first; nsx-fake itself only once it is empty.
    for dir in "${CGROUP_DIRS[@]}"; do
        rmdir "$dir" 2>/dev/null || true
    done
    rmdir /sys/fs/cgroup/pids/nsx-fake /sys/fs/cgroup/pids/nsx-fake.slice 2>/dev/null || true
    if [ -n "$SUID_DIR" ]; then
        rm -rf -- "$SUID_DIR"
    fi
}

# --- helpers -------------------------------------------------------------------------------

# only_child PID: prints the single child of PID; fails if it has none or more than one.
only_child() {
    local -a kids
    # The file has no final newline.
    read -r -a kids <"/proc/$1/task/$1/children" || true
    [ "${#kids[@]}" -eq 1 ] || return 1
    echo "${kids[0]}"
}

has_child_named() { # has_child_named PID COMM
    local kid
    kid=$(only_child "$1") && [ "$(cat "/proc/$kid/comm" 2>/dev/null)" = "$2" ]
}

# cgroup_move PATH PID [PARENT]: creates the v1 pids cgroup PARENT/PATH (below /sys/fs/cgroup/pids;
# PARENT is nsx-fake, or nsx-fake.slice where a systemd scope needs a slice) and moves PID in.
cgroup_move() {
    local base=/sys/fs/cgroup/pids parent=${3:-nsx-fake}
    [ -w "$base/cgroup.procs" ] || skip "no writable cgroup v1 pids hierarchy at $base"
    mkdir -p "$base/$parent/$1"
    CGROUP_DIRS=("$base/$parent/$1" "${CGROUP_DIRS[@]}")
    echo "$2" >"$base/$parent/$1/cgroup.procs"
    grep -q ":pids:/$parent/$1\$" "/proc/$2/cgroup"
}

# --- which namespaces ----------------------------------------------------------------------

@test "no namespace named means -n: only the network namespace is the container's" {
    local n opt
    for opt in "" -n --net; do
        # shellcheck disable=SC2086 # "" is no option at all
        run "$NSX" $opt $C-box sh -c 'for n in net uts ipc mnt pid cgroup; do readlink /proc/self/ns/$n; done; hostname'
        assert_success
        assert_line --index 0 "$(ns $BOX_PID net)"
        local i=1
        for n in uts ipc mnt pid cgroup; do
            if [ $n = mnt ]; then
                # The network view's private mount namespace (view.bats), not the container's.
                refute_line --index $i "$(ns $BOX_PID mnt)"
            else
                assert_line --index $i "$(ns $$ $n)"
            fi
            i=$((i + 1))
        done
        assert_line --index 6 "$(hostname)"
    done
}

@test "-m: the command and its paths resolve in the container's files" {
    run "$NSX" -m $C-box cat /www/index.html
    assert_success
    assert_output "$PAGE"

    run "$NSX" --mount $C-box ls /bin/busybox
    assert_success
    assert_output "/bin/busybox"

    # A host-only file is not there.
    echo "host-only file" >"$BATS_TEST_TMPDIR/marker"
    run "$NSX" -m $C-box cat "$BATS_TEST_TMPDIR/marker"
    assert_failure
    refute_output --partial "host-only file"
}

@test "-m joins the mount namespace only, and does not fork" {
    local want_mnt host_net
    want_mnt=$(ns $BOX_PID mnt)
    host_net=$(ns $$ net)
    bg "$NSX" -m $C-box sleep 30
    # No fork: the PID we started becomes the command itself.
    wait_for eval '[ "$(ns $BG mnt)" = "$want_mnt" ]'
    assert_equal "$(ns $BG mnt)" "$want_mnt"
    assert_equal "$(ns $BG net)" "$host_net"
    assert_equal "$(cat /proc/$BG/comm)" "sleep"
    run cat "/proc/$BG/task/$BG/children"
    assert_output ""
}

@test "-m starts in the container's working directory; -w DIR is resolved in its files" {
    run "$NSX" -m $C-box pwd
    assert_success
    assert_output "/www"

    run "$NSX" -m -w /etc $C-box pwd
    assert_success
    assert_output "/etc"

    run "$NSX" -m --wd /www $C-box cat index.html
    assert_success
    assert_output "$PAGE"

    # No /www on the host (checked), so this can only work inside.
    [ ! -e /www ] || skip "the host has a /www"
    run "$NSX" -m -w /www/nope $C-box true
    assert_failure 125
    assert_output --partial "/www/nope"
}

@test "-w without -m is a host directory" {
    run "$NSX" -w "$BATS_TEST_TMPDIR" $C-box pwd
    assert_success
    assert_output "$BATS_TEST_TMPDIR"

    [ ! -e /www ] || skip "the host has a /www"
    run "$NSX" -w /www $C-box true
    assert_failure 125
    assert_output --partial "/www"
}

@test "-u: the container's hostname" {
    run "$NSX" -u $C-box hostname
    assert_success
    assert_output "nsx-uts-test"

    run "$NSX" --uts $C-box sh -c 'readlink /proc/self/ns/uts; readlink /proc/self/ns/net'
    assert_success
    assert_line --index 0 "$(ns $BOX_PID uts)"
    # -u alone: the network stays ours.
    assert_line --index 1 "$(ns $$ net)"
}

@test "-i: the container's IPC namespace" {
    run "$NSX" -i $C-box sh -c 'readlink /proc/self/ns/ipc; readlink /proc/self/ns/net'
    assert_success
    assert_line --index 0 "$(ns $BOX_PID ipc)"
    refute_line --index 0 "$(ns $$ ipc)"
    assert_line --index 1 "$(ns $$ net)"

    run "$NSX" --ipc $C-box readlink /proc/self/ns/ipc
    assert_success
    assert_output "$(ns $BOX_PID ipc)"
}

@test "-C: the container's cgroup namespace" {
    [ "$(ns $BOX_PID cgroup)" != "$(ns $$ cgroup)" ] || skip "the container has no private cgroup namespace"
    run "$NSX" -C $C-box readlink /proc/self/ns/cgroup
    assert_success
    assert_output "$(ns $BOX_PID cgroup)"

    run "$NSX" --cgroup $C-box readlink /proc/self/ns/cgroup
    assert_success
    assert_output "$(ns $BOX_PID cgroup)"
}

@test "several namespaces at once: -n -u -i" {
    run "$NSX" -n -u -i $C-box sh -c 'readlink /proc/self/ns/net; hostname; readlink /proc/self/ns/ipc; readlink /proc/self/ns/mnt'
    assert_success
    assert_line --index 0 "$(ns $BOX_PID net)"
    assert_line --index 1 "nsx-uts-test"
    assert_line --index 2 "$(ns $BOX_PID ipc)"
    refute_line --index 3 "$(ns $BOX_PID mnt)"
}

@test "without -p there is no fork: the command's parent is the shell, whatever else is joined" {
    local opts
    for opts in "-n" "-m" "-u -i" "-n -m -u -i -C"; do
        run bash -c '"$0" $1 "$2" sh -c "echo \$PPID"; echo $$' "$NSX" "$opts" $C-box
        assert_success
        assert_equal "${#lines[@]}" 2
        assert_equal "${lines[0]}" "${lines[1]}"
    done
}

# --- PID namespace: one fork, the status mirrored ------------------------------------------

@test "-p -m: a small PID in the container's PID namespace" {
    run "$NSX" -p -m $C-box sh -c 'echo $$; readlink /proc/self/ns/pid'
    assert_success
    [ "${lines[0]}" -lt 100 ] || fail "PID ${lines[0]} is not the container's"
    assert_line --index 1 "$(ns $BOX_PID pid)"

    # -p alone: /proc is still the host's, the PID is still the container's.
    run "$NSX" --pid $C-box sh -c 'echo $$; readlink /proc/self/ns/pid; readlink /proc/self/ns/net'
    assert_success
    [ "${lines[0]}" -lt 100 ] || fail "PID ${lines[0]} is not the container's"
    assert_line --index 1 "$(ns $BOX_PID pid)"
    assert_line --index 2 "$(ns $$ net)"
}

@test "-p forks once: the command is the only child, in the container's PID namespace" {
    local kid
    bg "$NSX" -p $C-box sleep 30
    wait_for has_child_named "$BG" sleep
    kid=$(only_child "$BG")
    assert_equal "$(ns $kid pid)" "$(ns $BOX_PID pid)"
    # The parent stays where it was; no grandchild.
    assert_equal "$(ns $BG pid)" "$(ns $$ pid)"
    run cat "/proc/$kid/task/$kid/children"
    assert_output ""
}

@test "-p mirrors the command's exit status" {
    run "$NSX" -p $C-box sh -c 'exit 9'
    assert_failure 9
    run "$NSX" -p $C-box true
    assert_success
    run "$NSX" -p -m $C-box sh -c 'exit 3'
    assert_failure 3
}

@test "-p: a command killed by SIGKILL kills docker-nsexec with SIGKILL" {
    run bash -c '"$0" -p "$1" sh -c "kill -KILL \$\$"; s=$?; echo "status=$s"; kill -l $s' "$NSX" $C-box
    assert_line "status=137"
    assert_line "KILL"
    # bash says 137 for exit(137) too: ask the kernel how the process we started ended.
    run python3 -c 'import subprocess, sys; print(subprocess.run(sys.argv[1:]).returncode)' \
        "$NSX" -p $C-box sh -c 'kill -KILL $$'
    assert_success
    assert_output "-9"
}

@test "-p: SIGTERM sent to docker-nsexec reaches the command, and is mirrored" {
    local kid rc=0
    bg "$NSX" -p $C-box sleep 30
    wait_for has_child_named "$BG" sleep
    kid=$(only_child "$BG")
    kill -TERM "$BG"
    wait "$BG" || rc=$?
    assert_equal "$rc" 143
    run test -e "/proc/$kid"
    assert_failure
}

proc_state() { # proc_state PID: the one-letter state, "T" when stopped
    awk '/^State:/ { print $2 }' "/proc/$1/status"
}

@test "-p: when the command stops, docker-nsexec stops too; continued, it continues the command" {
    local kid rc=0
    bg "$NSX" -p $C-box sleep 30
    wait_for has_child_named "$BG" sleep
    kid=$(only_child "$BG")
    kill -STOP "$kid"
    # The shell sees its job stop: the parent stops itself.
    wait_for eval '[ "$(proc_state "$BG")" = T ]'
    kill -CONT "$BG"
    wait_for eval '[ "$(proc_state "$kid")" != T ] && [ "$(proc_state "$BG")" != T ]'
    kill -TERM "$BG"
    wait "$BG" || rc=$?
    assert_equal "$rc" 143
}

@test "-p: any signal sent to docker-nsexec reaches the command, not only the four (SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM)" {
    local sig rc=0 f=$BATS_TEST_TMPDIR/caught
    # The host's sh (no -m): its traps write to a host file. SIGUSR1's and SIGALRM's default
    # would kill docker-nsexec; SIGWINCH's would drop it.
    bg "$NSX" -p $C-box sh -c 'for s in USR1 USR2 WINCH ALRM; do trap "echo $s >>$0" $s; done
        echo ready >>"$0"; while :; do sleep 0.1; done' "$f"
    wait_for grep -qx ready "$f"
    for sig in USR1 USR2 WINCH ALRM; do
        kill -"$sig" "$BG"
        wait_for grep -qx "$sig" "$f"
        # docker-nsexec is still there, watching its child.
        [ "$(proc_state "$BG")" != Z ] && kill -0 "$BG" || fail "SIG$sig ended docker-nsexec"
    done
    kill -TERM "$BG"
    wait "$BG" || rc=$?
    assert_equal "$rc" 143
}

# pidns_commands NS: the command line of each live process in the PID namespace NS ("pid:[...]").
pidns_commands() {
    local d
    for d in /proc/[0-9]*; do
        [ "$(readlink "$d/ns/pid" 2>/dev/null)" = "$1" ] || continue
        [ "$(awk '/^State:/ { print $2 }' "$d/status" 2>/dev/null)" = Z ] && continue
        tr '\0' ' ' <"$d/cmdline" 2>/dev/null | sed 's/ $//'
        echo
    done
}

# dead PID: the process is gone, or a zombie (the container's init, sleep, reaps no one).
dead() {
    [ ! -e "/proc/$1" ] || [ "$(proc_state "$1")" = Z ]
}

@test "-p: docker-nsexec killed by SIGKILL takes the command with it: no orphan left in the container" {
    local kid
    bg "$NSX" -p $C-box sleep 61
    wait_for has_child_named "$BG" sleep
    kid=$(only_child "$BG")
    # (docker top shows the container's cgroup only, which -p alone does not join.)
    run pidns_commands "$(ns $BOX_PID pid)"
    assert_line "sleep 61"
    kill -KILL "$BG"
    wait "$BG" || true
    wait_for dead "$kid"
    run pidns_commands "$(ns $BOX_PID pid)"
    refute_line "sleep 61"
}

@test "-p -m --user: the confined command, another user now, still dies with docker-nsexec" {
    # A change of uid clears the death signal (commit_creds): the child sets it again after
    # the switch, confined or --privileged.
    local kid opts
    for opts in "" "--privileged"; do
        # shellcheck disable=SC2086 # opts is zero or one word
        bg "$NSX" -p -m --user 1000 $opts $C-box sleep 62
        wait_for has_child_named "$BG" sleep
        kid=$(only_child "$BG")
        [ "$(awk '/^Uid:/ { print $2 }' "/proc/$kid/status")" = 1000 ] || fail "the command is not uid 1000"
        kill -KILL "$BG"
        wait "$BG" || true
        wait_for dead "$kid"
        run pidns_commands "$(ns $BOX_PID pid)"
        refute_line "sleep 62"
    done
}

# --- user and time namespaces (targets made with unshare, behind the fake engine) ----------

@test "-U: the target's user namespace, as its root" {
    local id
    id=$(random_id)
    bg unshare --user sleep 1000
    wait_for eval '[ "$(ns $BG user)" != "$(ns $$ user)" ]'
    # Its root is host uid 100000: if we did not become it, id would say 65534 (unmapped).
    echo '0 100000 65536' >"/proc/$BG/uid_map"
    echo '0 100000 65536' >"/proc/$BG/gid_map"
    nsx_fake_engine inspect "$id" "$BG"
    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify -U $C-userns \
        sh -c 'id -u; id -g; readlink /proc/self/ns/user; readlink /proc/self/ns/net'
    assert_success
    assert_line --index 0 "0"
    assert_line --index 1 "0"
    assert_line --index 2 "$(ns $BG user)"
    assert_line --index 3 "$(ns $$ net)"
}

@test "-T: the target's time namespace (forks: it applies to children)" {
    local id kid up
    id=$(random_id)
    bg unshare --time --fork --boottime 1000000 sleep 1000
    wait_for has_child_named "$BG" sleep
    kid=$(only_child "$BG")
    BG_PIDS+=("$kid")
    [ "$(ns $kid time)" != "$(ns $$ time)" ] || skip "unshare made no time namespace"
    nsx_fake_engine inspect "$id" "$kid"
    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify -T $C-timens \
        sh -c 'cut -d" " -f1 /proc/uptime; readlink /proc/self/ns/time'
    assert_success
    up=${lines[0]%%.*}
    [ "$up" -ge 1000000 ] || fail "uptime $up: the boot-time offset of the target is not seen"
    assert_line --index 1 "$(ns $kid time)"

    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify --time $C-timens sh -c 'exit 7'
    assert_failure 7
}

# --- not dumpable once inside (runc's CVE-2016-9962) ----------------------------------------

# "${PEER[@]}" CMD...: CMD as root without CAP_SYS_PTRACE (an array, not a function: bg must
# start the process itself, not a subshell). Two such processes have the same credentials, so
# each may read the other's memory and /proc files (readlink /proc/PID/exe, ptrace) while the
# other is dumpable, and not once it is not: the position of a container's root towards a
# docker-nsexec that holds no more than the container's capabilities.
PEER=(setpriv --bounding-set -sys_ptrace)

# exe_of_peer PID: PID's executable as a peer sees it ("Permission denied" for a non-dumpable one).
exe_of_peer() {
    "${PEER[@]}" readlink -v "/proc/$1/exe"
}

@test "-p, -T -m: docker-nsexec in the container's PID or mount namespace is not dumpable: a peer cannot read it" {
    local args id kid
    # The probe itself: a dumpable peer is readable.
    bg "${PEER[@]}" sleep 1000
    wait_for eval '[ "$(cat /proc/$BG/comm)" = sleep ]'
    run exe_of_peer "$BG"
    assert_success
    assert_output "$(readlink -f "$(command -v sleep)")"

    # The PID namespace (and the mount namespace with it): the parent waits, unreadable.
    for args in "-p" "-p -m"; do
        # shellcheck disable=SC2086
        bg "${PEER[@]}" "$NSX" $args $C-box sleep 1000
        wait_for has_child_named "$BG" sleep
        run exe_of_peer "$BG"
        assert_failure
        assert_output --partial "Permission denied"
    done

    # The mount namespace without the PID namespace: a time namespace makes the parent wait.
    # (The target is a peer too: without CAP_SYS_PTRACE, docker-nsexec may enter no process
    # that holds capabilities it lacks.)
    id=$(random_id)
    bg "${PEER[@]}" unshare --mount --time --fork sleep 1000
    wait_for has_child_named "$BG" sleep
    kid=$(only_child "$BG")
    BG_PIDS+=("$kid")
    [ "$(ns $kid time)" != "$(ns $$ time)" ] || skip "unshare made no time namespace"
    nsx_fake_engine inspect "$id" "$kid"
    bg "${PEER[@]}" "$NSX" -H "unix://$FAKE_SOCK" --no-verify -T -m $C-timens sleep 1000
    wait_for has_child_named "$BG" sleep
    assert_equal "$(ns "$(only_child "$BG")" mnt)" "$(ns $kid mnt)"
    run exe_of_peer "$BG"
    assert_failure
    assert_output --partial "Permission denied"
}

# --- all -----------------------------------------------------------------------------------

@test "-a: every namespace of the command is the container's" {
    local n want=() script=""
    for n in net uts ipc pid mnt cgroup user time; do
        [ -e /proc/$BOX_PID/ns/$n ] || continue
        want+=("$n $(ns $BOX_PID $n)")
        script+="echo $n \$(readlink /proc/self/ns/$n); "
    done
    # The mount namespace is the container's, so is /proc: /proc/self is the command.
    run "$NSX" -a $C-box sh -c "$script"
    assert_success
    assert_equal "${#lines[@]}" "${#want[@]}"
    for n in "${want[@]}"; do
        assert_line "$n"
    done

    run "$NSX" --all $C-box sh -c 'echo $$; hostname; pwd; cat /www/index.html'
    assert_success
    [ "${lines[0]}" -lt 100 ] || fail "PID ${lines[0]} is not the container's"
    assert_line --index 1 "nsx-uts-test"
    assert_line --index 2 "/www"
    assert_line --index 3 "$PAGE"
}

@test "-a leaves out the namespaces the container shares with us: no fork for a shared PID namespace" {
    assert_equal "$(ns $SHARED_PID pid)" "$(ns $$ pid)"
    run bash -c '"$0" -a "$1" sh -c "echo \$PPID; hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/mnt"; echo $$' \
        "$NSX" $C-shared
    assert_success
    assert_equal "${lines[0]}" "${lines[4]}"
    assert_line --index 1 "$(hostname)"
    assert_line --index 2 "$(ns $SHARED_PID net)"
    assert_line --index 3 "$(ns $SHARED_PID mnt)"
}

# --- the pinned, proven target -------------------------------------------------------------

@test "a PID that is not the container's is refused; the command never runs" {
    local id ref marker=$BATS_TEST_TMPDIR/ran
    id=$(random_id)
    bg sleep 1000
    nsx_fake_engine inspect "$id" "$BG"
    for ref in $C-fake /$C-fake "${id:0:10}"; do
        run "$NSX" -H "unix://$FAKE_SOCK" "$ref" touch "$marker"
        assert_failure 125
        assert_line --index 0 "docker-nsexec: PID $BG is not a process of container '$ref' (its cgroups do not name ${id:0:12})"
        [ ! -e "$marker" ] || fail "the command ran"
    done
    # Not with other namespaces either.
    run "$NSX" -H "unix://$FAKE_SOCK" -a $C-fake touch "$marker"
    assert_failure 125
    [ ! -e "$marker" ] || fail "the command ran"
}

@test "--no-verify skips the cgroup proof and says so" {
    local id marker=$BATS_TEST_TMPDIR/ran
    id=$(random_id)
    bg sleep 1000
    nsx_fake_engine inspect "$id" "$BG"
    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify $C-fake sh -c "touch '$marker'; echo ran"
    assert_success
    assert_output "ran"
    [ -e "$marker" ] || fail "the command did not run"
    # shellcheck disable=SC2154 # stderr and stderr_lines are set by run --separate-stderr
    [[ ${stderr_lines[0]} == "docker-nsexec: warning: --no-verify:"* ]] ||
        fail "no --no-verify warning on stderr: '$stderr'"
}

@test "a process whose cgroup path names the full ID as a component is accepted" {
    local id marker=$BATS_TEST_TMPDIR/ran
    id=$(random_id)
    bg sleep 1000
    cgroup_move "$id" "$BG"
    nsx_fake_engine inspect "$id" "$BG"
    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" $C-fake sh -c "touch '$marker'; echo ran"
    assert_success
    assert_output "ran"
    assert_equal "$stderr" ""
    [ -e "$marker" ] || fail "the command did not run"
}

@test "the systemd and Podman spellings are accepted: docker-ID.scope, libpod-ID" {
    local id comp
    id=$(random_id)
    bg sleep 1000
    nsx_fake_engine inspect "$id" "$BG"
    # A systemd scope is in a slice (--cgroup-parent=nsx-fake.slice); cgroupfs names anywhere.
    for comp in "docker-$id.scope" "libpod-$id"; do
        cgroup_move "$comp" "$BG" "$([[ $comp == *.scope ]] && echo nsx-fake.slice || echo nsx-fake)"
        run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" $C-fake echo ran
        assert_success
        assert_output "ran"
    done
}

@test "the ID must be a whole path component: a longer name, a short ID, conmon are refused" {
    local id comp
    id=$(random_id)
    bg sleep 1000
    nsx_fake_engine inspect "$id" "$BG"
    for comp in "${id}0" "x$id" "${id:0:12}" "libpod-conmon-$id" "$id.scope.d"; do
        cgroup_move "$comp" "$BG"
        run "$NSX" -H "unix://$FAKE_SOCK" $C-fake echo ran
        assert_failure 125
        assert_line --index 0 "docker-nsexec: PID $BG is not a process of container '$C-fake' (its cgroups do not name ${id:0:12})"
    done
}

@test "a container whose process is gone before we pin it: refused as exited" {
    local marker=$BATS_TEST_TMPDIR/ran child
    nsx_fake_engine inspect-vanishing "$(random_id)"
    child=$(sed -n 's/^child \([0-9][0-9]*\)$/\1/p' "$(dirname "$FAKE_SOCK")/log")
    [ -n "$child" ] || fail "the fake engine did not say its child's PID"
    run "$NSX" -H "unix://$FAKE_SOCK" $C-vanished touch "$marker"
    assert_failure 125
    assert_line --index 0 "docker-nsexec: container '$C-vanished' exited before it could be entered (PID $child is gone)"
    [ ! -e "$marker" ] || fail "the command ran"

    # --no-verify does not change that: there is nothing to enter.
    run "$NSX" -H "unix://$FAKE_SOCK" --no-verify $C-vanished touch "$marker"
    assert_failure 125
    assert_line "docker-nsexec: container '$C-vanished' exited before it could be entered (PID $child is gone)"
    [ ! -e "$marker" ] || fail "the command ran"
}

# --- privilege -----------------------------------------------------------------------------

@test "a set-user-ID, set-group-ID or file-capability copy refuses to run" {
    local id copy marker mode
    id=$(random_id)
    bg sleep 1000
    nsx_fake_engine inspect "$id" "$BG"
    # A directory nobody can reach (BATS_TEST_TMPDIR's parents are private).
    SUID_DIR=$(mktemp -d /tmp/nsx-suid.XXXXXX)
    chmod 0755 "$SUID_DIR"
    mkdir -m 0777 "$SUID_DIR/out"
    copy=$SUID_DIR/nsx
    marker=$SUID_DIR/out/ran
    cp "$NSX" "$copy"
    chown root:root "$copy"

    # The control: unprivileged, run by root, this copy does run the command.
    chmod 0755 "$copy"
    run "$copy" -H "unix://$FAKE_SOCK" --no-verify $C-fake touch "$marker"
    assert_success
    [ -e "$marker" ] || fail "the control did not run the command"
    rm -f "$marker"

    for mode in 4755 2755; do
        chmod "$mode" "$copy"
        run setpriv --reuid=65534 --regid=65534 --clear-groups "$copy" -H "unix://$FAKE_SOCK" --no-verify $C-fake touch "$marker"
        assert_failure 125
        assert_output --partial "refusing to run set-user-ID"
        [ ! -e "$marker" ] || fail "the command ran (mode $mode)"
    done

    chmod 0755 "$copy"
    if setcap cap_dac_override+ep "$copy" 2>/dev/null; then
        run setpriv --reuid=65534 --regid=65534 --clear-groups "$copy" -H "unix://$FAKE_SOCK" --no-verify $C-fake touch "$marker"
        assert_failure 125
        assert_output --partial "refusing to run set-user-ID"
        [ ! -e "$marker" ] || fail "the command ran (file capabilities)"
    fi
}

# --- a container that keeps dying ----------------------------------------------------------

@test "stress: a restarting container is entered or refused, never the wrong namespace" {
    local dir=$BATS_TEST_TMPDIR/flap host_ino daemon_ino="" probe w i f rc out ino
    local entered=0 refused=0 bad=0 key lines_err workers=()
    local -A reasons=()
    host_ino=$(stat -L -c %i /proc/self/ns/net)
    if [ -n "${NSX_TEST_NETNS:-}" ] && [ -e "/run/netns/$NSX_TEST_NETNS" ]; then
        daemon_ino=$(stat -L -c %i "/run/netns/$NSX_TEST_NETNS")
    fi
    # The daemon's namespace as its --net host containers see it, whatever NSX_TEST_NETNS says.
    probe=$(dk run --rm --net host local/busybox readlink /proc/self/ns/net)
    probe=${probe#net:[}
    probe=${probe%]}
    [[ $probe =~ ^[0-9]+$ ]] || fail "cannot read the daemon's network namespace: '$probe'"

    dk rm -f $C-flap >/dev/null 2>&1 || true
    dk run -d --name $C-flap --restart always --net none local/busybox sh -c 'sleep 0.2; exit 1' >/dev/null
    mkdir "$dir"
    # 4 workers x 25 runs, a little apart, so they span several short lives and restarts.
    for w in 1 2 3 4; do
        (
            for i in $(seq 25); do
                rc=0 # bats runs with errexit: a failing run must not end the worker
                timeout 10 "$NSX" $C-flap readlink /proc/self/ns/net >"$dir/$w.$i.out" 2>"$dir/$w.$i.err" || rc=$?
                echo "$rc" >"$dir/$w.$i.rc"
                sleep "0.0$((RANDOM % 10))"
            done
        ) 3>&- &
        workers+=($!)
    done
    # Only the workers: a bare `wait` would also wait for any other child of this shell.
    wait "${workers[@]}"
    dk rm -f $C-flap >/dev/null 2>&1 || true

    for f in "$dir"/*.rc; do
        f=${f%.rc}
        rc=$(<"$f.rc")
        if [ "$rc" = 0 ]; then
            out=$(<"$f.out")
            ino=${out#net:[}
            ino=${ino%]}
            if [[ ! $out =~ ^net:\[[0-9]+\]$ ]] || [ "$ino" = "$host_ino" ] || [ "$ino" = "$probe" ] ||
                [ "$ino" = "$daemon_ino" ] || [ -s "$f.err" ]; then
                echo "run ${f##*/}: entered a wrong namespace or said too much: '$out' / '$(<"$f.err")'" >&2
                bad=$((bad + 1))
            else
                entered=$((entered + 1))
            fi
        elif [ "$rc" = 125 ]; then
            mapfile -t lines_err <"$f.err"
            if [ -s "$f.out" ] || [ "${#lines_err[@]}" -lt 1 ] ||
                [[ ${lines_err[0]} != "docker-nsexec: "* || ${lines_err[0]} == "docker-nsexec: hint:"* ]] ||
                { [ "${#lines_err[@]}" -gt 1 ] && printf '%s\n' "${lines_err[@]:1}" | grep -qv '^docker-nsexec: hint: '; }; then
                echo "run ${f##*/}: 125 without a one-line reason: '$(<"$f.out")' / '$(<"$f.err")'" >&2
                bad=$((bad + 1))
            else
                refused=$((refused + 1))
                key=$(sed -E 's/[0-9]+/N/g' <<<"${lines_err[0]}")
                reasons[$key]=$((${reasons[$key]:-0} + 1))
            fi
        else
            echo "run ${f##*/}: exit $rc: '$(<"$f.out")' / '$(<"$f.err")'" >&2
            bad=$((bad + 1))
        fi
    done
    echo "# entered=$entered refused=$refused bad=$bad" >&3
    for f in "${!reasons[@]}"; do
        echo "#   ${reasons[$f]} x $f" >&3
    done
    assert_equal "$((entered + refused + bad))" 100
    assert_equal "$bad" 0
    # A stress run that never got in proved nothing.
    [ "$entered" -ge 1 ] || fail "no run entered the container"
}
