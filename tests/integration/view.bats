#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The container's network view for host tools (net-only entry): Docker's embedded DNS and the
# container's /etc/hosts through host getent and busybox, a sysfs of its network, the host's
# files and mount table untouched (nothing mounted in the view reaches the host), --host-dns, -U,
# where the view does not apply (-m, -a), and the engine's paths refused when they are not plain
# files on an ordinary filesystem.

load helper

setup_file() {
    export C=nsx-view
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    dk rm -f $C-a $C-b $C-none >/dev/null 2>&1 || true
    dk network rm $C-net >/dev/null 2>&1 || true
    # A user-defined network: Docker's embedded DNS (127.0.0.11 in each container) answers for
    # the containers on it, by name.
    dk network create $C-net >/dev/null
    dk run -d --name $C-a --net $C-net local/busybox sleep 3600 >/dev/null
    dk run -d --name $C-b --net $C-net local/busybox httpd -f -p 8080 -h /www >/dev/null
    dk run -d --name $C-none --net none local/busybox sleep 3600 >/dev/null
    nsx_wait_running $C-a
    nsx_wait_running $C-b
    nsx_wait_running $C-none
    # A container in its own user namespace (Podman's --uidmap; the docker CLI has no such
    # option) for a -U test, which alone skips where Podman and its CLI are not here (and fails
    # under DOCKER_NSEXEC_MUST_WORK=1).
    export PM_USERNS=
    nsx_probe_engine NSX_TEST_PODMAN_HOST NSX_PODMAN || true
    if [ "$NSX_PODMAN" = up ] && command -v podman >/dev/null; then
        pmu rm -f $C-pm-userns >/dev/null 2>&1 || true
        pmu run -d --name $C-pm-userns --uidmap 0:100000:65536 --gidmap 0:100000:65536 \
            --ulimit nofile=1024:20000 --ulimit nproc=4096:4096 local/busybox sleep 3600 >/dev/null
        PM_USERNS=$C-pm-userns
    fi
}

# Podman's own CLI against the test service (for --uidmap).
pmu() {
    podman --url "$NSX_TEST_PODMAN_HOST" "$@"
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    dk rm -f $C-a $C-b $C-none $(seq -f "$C-t%g" 9) >/dev/null 2>&1 || true
    dk network rm $C-net >/dev/null 2>&1 || true
    if [ -n "${PM_USERNS:-}" ]; then
        pmu rm -f "$PM_USERNS" >/dev/null 2>&1 || true
    fi
}

setup() {
    nsx_require_daemon
    A_PID=$(dk inspect -f '{{.State.Pid}}' $C-a)
    B_IP=$(dk inspect -f "{{(index .NetworkSettings.Networks \"$C-net\").IPAddress}}" $C-b)
    [ -n "$B_IP" ]
    BG_PIDS=()
}

teardown() {
    nsx_fake_engine_stop
    bg_stop_all
    if [ -n "${LEAK_DIR:-}" ]; then
        rm -rf -- "$LEAK_DIR"
    fi
}

# --- helpers -------------------------------------------------------------------------------

# A file's identity, following symlinks as the tools do: "DEV:INODE".
ident() {
    stat -L -c '%d:%i' "$1"
}

# The mounts the view could leak: on /etc and /sys, and below them (other engines on this machine
# add and remove mounts elsewhere all the time).
view_mounts() {
    awk '$5 ~ /^\/(etc|sys)(\/|$)/' /proc/self/mountinfo
}

# links PID: the interface names of PID's network namespace as netlink (ip) gives them, sorted.
# Ground truth for /sys/class/net: a kernel with ipip or sit loaded adds tunl0 or sit0 to every
# network namespace, so no fixed list would do.
links() {
    nsenter -t "$1" -n ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | LC_ALL=C sort
}

# fresh NAME: a running container on the test network, for the tests that tamper with its files.
fresh() {
    dk rm -f "$1" >/dev/null 2>&1 || true
    dk run -d --name "$1" --net $C-net local/busybox sleep 3600 >/dev/null
    nsx_wait_running "$1"
}

# wait_for_ns PID NAME: until PID is in a NAME namespace other than ours (unshare has run).
wait_for_ns() {
    local i
    for i in $(seq 100); do
        [ "$(ns "$1" "$2")" != "$(ns $$ "$2")" ] && return 0
        sleep 0.05
    done
    echo "PID $1 never left our $2 namespace" >&2
    return 1
}

host_busybox() {
    if command -v busybox >/dev/null; then
        return 0
    fi
    [ "${DOCKER_NSEXEC_MUST_WORK:-0}" != 1 ] || fail "no busybox on the host (busybox-static)"
    skip "no busybox on the host (busybox-static)"
}

# --- names resolve as in the container -----------------------------------------------------

@test "a host getent resolves another container by name (Docker's embedded DNS)" {
    # The host itself knows no such name.
    run getent hosts $C-b
    assert_failure

    run "$NSX" $C-a getent hosts $C-b
    assert_success
    assert_output --regexp "^$B_IP +$C-b\$"

    # The same by ID prefix and with -n spelled out.
    run "$NSX" -n "$(dk inspect -f '{{.Id}}' $C-a | cut -c1-12)" getent hosts $C-b
    assert_success
    assert_output --regexp "^$B_IP +$C-b\$"
}

@test "a host busybox nslookup asks 127.0.0.11 and finds the other container" {
    host_busybox
    run "$NSX" $C-a busybox nslookup $C-b
    assert_success
    assert_line --index 0 --regexp "^Server:[[:space:]]+127\.0\.0\.11$"
    assert_line "Name:	$C-b"
    assert_line "Address: $B_IP"
}

@test "a host curl reaches the other container by name" {
    run "$NSX" $C-a curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{remote_ip}' http://$C-b:8080/
    assert_success
    assert_output "200 $B_IP"
}

@test "/etc/resolv.conf and /etc/hosts are the container's very files" {
    local hosts resolv
    hosts=$(dk inspect -f '{{.HostsPath}}' $C-a)
    resolv=$(dk inspect -f '{{.ResolvConfPath}}' $C-a)

    run "$NSX" $C-a sh -c "stat -L -c '%d:%i' /etc/hosts /etc/resolv.conf"
    assert_success
    assert_line --index 0 "$(ident "$hosts")"
    assert_line --index 1 "$(ident "$resolv")"

    run "$NSX" $C-a cat /etc/hosts
    assert_success
    assert_output "$(cat "$hosts")"
    # Its own name and address are in it, as the container sees them.
    assert_output --partial "$(dk inspect -f '{{.Config.Hostname}}' $C-a)"

    run "$NSX" $C-a cat /etc/resolv.conf
    assert_success
    assert_output "$(cat "$resolv")"
    assert_line "nameserver 127.0.0.11"
}

# --- sysfs ---------------------------------------------------------------------------------

@test "/sys/class/net lists the container's interfaces, not the host's" {
    local mac host_list
    host_list=$(ls /sys/class/net | LC_ALL=C sort)
    mac=$(dk inspect -f "{{(index .NetworkSettings.Networks \"$C-net\").MacAddress}}" $C-a)

    run "$NSX" $C-a sh -c 'ls /sys/class/net | LC_ALL=C sort'
    assert_success
    assert_output "$(links "$A_PID")"
    assert_line "eth0"
    assert_line "lo"
    [ "$output" != "$host_list" ] || fail "the host has the same interfaces: the test proves nothing"

    run "$NSX" $C-a cat /sys/class/net/eth0/address
    assert_success
    assert_output "$mac"
}

@test "the host's mounts below /sys are still there on the new sysfs" {
    local want
    want=$(findmnt -rn -o TARGET,FSTYPE -R /sys | tail -n +2)
    [ -n "$want" ] || skip "nothing is mounted below the host's /sys"
    run "$NSX" $C-a findmnt -rn -o TARGET,FSTYPE -R /sys
    assert_success
    assert_line --index 0 "/sys sysfs"
    assert_equal "$(printf '%s\n' "${lines[@]:1}")" "$want"
}

@test "--net none: only lo, and the container's hosts file" {
    run "$NSX" $C-none sh -c 'stat -L -c %d:%i /etc/hosts; ls /sys/class/net | LC_ALL=C sort'
    assert_success
    assert_line --index 0 "$(ident "$(dk inspect -f '{{.HostsPath}}' $C-none)")"
    assert_equal "$(printf '%s\n' "${lines[@]:1}")" "$(links "$(dk inspect -f '{{.State.Pid}}' $C-none)")"
    assert_line --index 1 "lo"
    refute_line "eth0"
}

# --- everything else stays the host's, and the host is untouched --------------------------

@test "the rest of the filesystem is the host's, in a private mount namespace" {
    echo "host-only file" >"$BATS_TEST_TMPDIR/marker"
    run "$NSX" $C-a sh -c "readlink /proc/self/ns/mnt; cat '$BATS_TEST_TMPDIR/marker'; pwd"
    assert_success
    refute_line --index 0 "$(ns $$ mnt)"
    refute_line --index 0 "$(ns "$A_PID" mnt)"
    assert_line --index 1 "host-only file"
    assert_line --index 2 "$PWD"
}

@test "the host's /etc files and mount table are untouched, even where / is a shared mount" {
    local before
    cp /etc/resolv.conf "$BATS_TEST_TMPDIR/resolv.conf"
    cp /etc/hosts "$BATS_TEST_TMPDIR/hosts"
    before=$(view_mounts)

    run "$NSX" $C-a getent hosts $C-b
    assert_success
    cmp /etc/resolv.conf "$BATS_TEST_TMPDIR/resolv.conf"
    cmp /etc/hosts "$BATS_TEST_TMPDIR/hosts"
    assert_equal "$(view_mounts)" "$before"
    run getent hosts $C-b
    assert_failure

    # systemd makes / shared: a private copy of it would pass the view's mounts back. Here, in a
    # mount namespace whose / is shared as on such a host, the mount table must not move.
    run unshare --mount --propagation shared bash -c '
        view_mounts() { awk "\$5 ~ /^\\/(etc|sys)(\\/|\$)/" /proc/self/mountinfo; }
        before=$(view_mounts)
        [ -n "$before" ] || { echo "no mounts to compare"; exit 1; }
        "$0" "$1" sh -c "ls /sys/class/net >/dev/null" || exit 1
        [ "$(view_mounts)" = "$before" ] || { echo "the mount table changed"; view_mounts; exit 1; }
        [ "$(ls /sys/class/net)" = "$2" ] || { echo "/sys is not the host'"'"'s"; exit 1; }
        ' "$NSX" $C-a "$(ls /sys/class/net)"
    assert_success
    assert_output ""
}

@test "-n -p: the PID namespace child has the view too" {
    run "$NSX" -n -p $C-a sh -c 'getent hosts '$C-b'; readlink /proc/self/ns/pid; ls /sys/class/net | LC_ALL=C sort'
    assert_success
    assert_line --index 0 --regexp "^$B_IP +$C-b\$"
    assert_line --index 1 "$(ns "$A_PID" pid)"
    assert_equal "$(printf '%s\n' "${lines[@]:2}")" "$(links "$A_PID")"
}

# --- nothing mounted in the view reaches the host --------------------------------------------

# host_mounts DIR: the host's mounts on /etc and /sys, below them, and below DIR (the directory of
# the container's files in the engine's data-root), as "MOUNTPOINT ROOT", sorted: where a mount
# made in the view would show up if it propagated.
host_mounts() {
    awk -v d="$1" '$5 ~ /^\/(etc|sys)(\/|$)/ || index($5, d) == 1 { print $5, $4 }' /proc/self/mountinfo |
        LC_ALL=C sort
}

# escape_attempts FILES CONTAINER-HOSTS NSX-ARGS...: runs NSX-ARGS... sh -c ATTACK for each
# attack below, as the view's root: a mount over and below /etc/hosts, /etc/resolv.conf and /sys
# (and the host mounts carried onto the new /sys), each checked to have taken effect inside. After
# each, the host's mountinfo must name none of it, its mounts on /etc, /sys and FILES (the
# directory of the files the engine named) must be as before, and so must those files and the
# container's own /etc/hosts (CONTAINER-HOSTS: a command that prints it). Extra attacks for the
# host's root (who can traverse the engine's data-root) come from ROOT_ATTACKS.
escape_attempts() {
    local files=$1 own=$2 attack before own_before mark sub1 sub2
    shift 2
    LEAK_DIR=$(mktemp -d /tmp/nsx-view-leak.XXXXXX)
    # Readable by a user namespace's root, who is nobody on the host.
    chmod 755 "$LEAK_DIR"
    echo evil >"$LEAK_DIR/evil"
    chmod 644 "$LEAK_DIR/evil"
    mark=nsx-leak-$RANDOM$RANDOM
    cp "$files/hosts" "$LEAK_DIR/hosts.before"
    cp "$files/resolv.conf" "$LEAK_DIR/resolv.before"
    own_before=$(eval "$own")
    [ -n "$own_before" ]
    # Two levels of the host's mounts below /sys, carried onto the view's new sysfs.
    sub1=$(findmnt -rn -o TARGET -R /sys | sed -n 2p)
    sub2=$(findmnt -rn -o TARGET -R /sys | sed -n 3p)

    local -a attacks=(
        # over each file, and over the directory that holds it
        "mount --bind $LEAK_DIR/evil /etc/hosts && grep -qx evil /etc/hosts"
        "mount --bind $LEAK_DIR/evil /etc/resolv.conf && grep -qx evil /etc/resolv.conf"
        "mount -t tmpfs $mark /etc && ! test -e /etc/passwd"
        # a mount on the file, made shared first: its own peer group, still not the host's
        "mount --make-shared /etc/hosts && mount --bind $LEAK_DIR/evil /etc/hosts && grep -qx evil /etc/hosts"
        # over /sys, and below it: a tmpfs on a directory, a bind on a file
        "mount -t tmpfs $mark /sys && ! test -e /sys/class"
        "mount -t tmpfs $mark /sys/kernel && ! test -e /sys/kernel/uevent_seqnum"
        "mount --bind $LEAK_DIR/evil /sys/kernel/uevent_seqnum && grep -qx evil /sys/kernel/uevent_seqnum"
        "${ROOT_ATTACKS[@]}"
    )
    if [ -n "$sub1" ]; then
        attacks+=("mount -t tmpfs $mark $sub1 && findmnt -rn -o SOURCE $sub1 | grep -qx $mark")
    fi
    if [ -n "$sub2" ]; then
        attacks+=("mount -t tmpfs $mark $sub2 && findmnt -rn -o SOURCE $sub2 | grep -qx $mark")
    fi

    for attack in "${attacks[@]}"; do
        [ -n "$attack" ] || continue
        attack=${attack//@MARK@/$mark}
        before=$(host_mounts "$files")
        run "$NSX" "$@" sh -c "$attack"
        [ "$status" -eq 0 ] || fail "the attack did not take effect in the view ($status): $attack: $output"
        ! grep -F -e "$mark" -e "$LEAK_DIR" /proc/self/mountinfo ||
            fail "the host's mountinfo shows the view's mount: $attack"
        [ "$(host_mounts "$files")" = "$before" ] || fail "the host's mounts changed: $attack"
        cmp "$files/hosts" "$LEAK_DIR/hosts.before" || fail "the host sees another hosts file: $attack"
        cmp "$files/resolv.conf" "$LEAK_DIR/resolv.before" || fail "the host sees another resolv.conf: $attack"
        [ "$(eval "$own")" = "$own_before" ] || fail "the container sees another /etc/hosts: $attack"
    done
}

@test "mounts made in the view, over and below /etc/hosts, /etc/resolv.conf and /sys, never reach the host" {
    local files
    fresh $C-t4
    files=$(dirname "$(dk inspect -f '{{.HostsPath}}' $C-t4)")
    # The engine's data-root is a shared mount (dockerd makes it one): the case that leaked.
    findmnt -n -o PROPAGATION -T "$files" | grep -q shared || fail "$files is not on a shared mount: proves nothing"
    # The host's root can also reach the files' directory in the data-root.
    ROOT_ATTACKS=("mount -t tmpfs @MARK@ $files && ! test -e $files/hosts")
    escape_attempts "$files" "dk exec $C-t4 cat /etc/hosts" $C-t4
}

@test "-U: mounts made in the view by a user namespace's root never reach the host either" {
    local files id
    if [ -z "${PM_USERNS:-}" ]; then
        [ "${DOCKER_NSEXEC_MUST_WORK:-0}" != 1 ] || fail "no Podman service and CLI for a container with --uidmap"
        skip "no Podman service and CLI for a container with --uidmap"
    fi
    # A real container in its own user namespace (the proof passes), whose engine names files on
    # a shared mount, as dockerd's data-root is: Podman's own are on this machine's private /.
    fresh $C-t5
    files=$(dirname "$(dk inspect -f '{{.HostsPath}}' $C-t5)")
    [ "$(ns "$(pmu inspect -f '{{.State.Pid}}' "$PM_USERNS")" user)" != "$(ns $$ user)" ]
    nsx_fake_engine rewrite "${NSX_TEST_PODMAN_HOST#unix://}" "ResolvConfPath=$files/resolv.conf" "HostsPath=$files/hosts"
    run "$NSX" -H "unix://$FAKE_SOCK" -U -n "$PM_USERNS" sh -c 'id -u; stat -L -c %d:%i /etc/hosts'
    assert_success
    assert_line --index 0 0
    assert_line --index 1 "$(ident "$files/hosts")"
    ROOT_ATTACKS=()
    escape_attempts "$files" "dk exec $C-t5 cat /etc/hosts" -H "unix://$FAKE_SOCK" -U -n "$PM_USERNS"
}

# --- --host-dns ----------------------------------------------------------------------------

@test "--host-dns keeps the host's resolv.conf and hosts; /sys is still the container's" {
    run "$NSX" --host-dns $C-a sh -c "stat -L -c '%d:%i' /etc/resolv.conf /etc/hosts; ls /sys/class/net | LC_ALL=C sort"
    assert_success
    assert_line --index 0 "$(ident /etc/resolv.conf)"
    assert_line --index 1 "$(ident /etc/hosts)"
    assert_equal "$(printf '%s\n' "${lines[@]:2}")" "$(links "$A_PID")"
}

# --- where the view does not apply ---------------------------------------------------------

@test "-m and -a: the container's own mount namespace, no view made" {
    local opts
    # -p too: /proc is the container's with -m, and /proc/self exists only in its PID namespace.
    for opts in "-p -m" "-n -p -m" "-a"; do
        # shellcheck disable=SC2086 # word splitting wanted
        run "$NSX" $opts $C-a sh -c 'readlink /proc/self/ns/mnt; ls /sys/class/net; cat /etc/resolv.conf'
        assert_success
        assert_line --index 0 "$(ns "$A_PID" mnt)"
        assert_line "eth0"
        assert_line "nameserver 127.0.0.11"
    done
}

@test "a target in our own network namespace: nothing entered, no view" {
    bg sleep 1000
    nsx_fake_engine inspect "$(random_id)" "$BG"
    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify $C-fake sh -c 'readlink /proc/self/ns/mnt; stat -L -c %d:%i /etc/hosts'
    assert_success
    assert_line --index 0 "$(ns $$ mnt)"
    assert_line --index 1 "$(ident /etc/hosts)"
}

@test "-U joining a user namespace: its root gets the view, made in a mount namespace it owns" {
    local id
    bg unshare --user --net sleep 1000
    wait_for_ns "$BG" net
    echo "0 100000 65536" >"/proc/$BG/uid_map"
    echo "0 100000 65536" >"/proc/$BG/gid_map"
    # An engine that names the target's files, as one with userns-remap would.
    id=$(random_id)
    echo "nameserver 192.0.2.53" >"$BATS_TEST_TMPDIR/resolv.conf"
    echo "192.0.2.7 nsx-view-peer" >"$BATS_TEST_TMPDIR/hosts"
    printf '{"Id": "%s", "Name": "/%s", "State": {"Status": "running", "Running": true, "Paused": false, "Restarting": false, "Dead": false, "Pid": %d}, "ResolvConfPath": "%s", "HostsPath": "%s"}\n' \
        "$id" $C-userns "$BG" "$BATS_TEST_TMPDIR/resolv.conf" "$BATS_TEST_TMPDIR/hosts" >"$BATS_TEST_TMPDIR/inspect.json"
    nsx_fake_engine answer 200 "$BATS_TEST_TMPDIR/inspect.json"
    run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" --no-verify -U -n $C-userns \
        sh -c 'id -u; readlink /proc/self/ns/user; readlink /proc/self/ns/mnt; getent hosts nsx-view-peer; cat /etc/resolv.conf; ls /sys/class/net | LC_ALL=C sort'
    assert_success
    assert_line --index 0 "0"
    assert_line --index 1 "$(ns "$BG" user)"
    refute_line --index 2 "$(ns $$ mnt)"
    assert_line --index 3 --regexp "^192\.0\.2\.7 +nsx-view-peer$"
    assert_line --index 4 "nameserver 192.0.2.53"
    assert_equal "$(printf '%s\n' "${lines[@]:5}")" "$(links "$BG")"
    refute_line "eth0"
}

# --- the engine's paths are untrusted ------------------------------------------------------

@test "a container whose hosts file is gone: the host's file, the command runs; -v says so" {
    local path
    fresh $C-t1
    path=$(dk inspect -f '{{.HostsPath}}' $C-t1)
    rm -- "$path"
    run --separate-stderr "$NSX" $C-t1 sh -c "stat -L -c '%d:%i' /etc/hosts /etc/resolv.conf; ls /sys/class/net"
    assert_success
    assert_line --index 0 "$(ident /etc/hosts)"
    assert_line --index 1 "$(ident "$(dk inspect -f '{{.ResolvConfPath}}' $C-t1)")"
    assert_line "eth0"
    [ -z "$stderr" ] || fail "stderr: $stderr"

    run --separate-stderr "$NSX" -v $C-t1 true
    assert_success
    grep -qxF "docker-nsexec: debug: no hosts file at '$path': /etc/hosts stays the host's" <<<"$stderr" ||
        fail "stderr: $stderr"
}

@test "a resolv.conf swapped for a symlink or a directory is refused: 125, nothing run" {
    local path marker=$BATS_TEST_TMPDIR/ran
    fresh $C-t2
    path=$(dk inspect -f '{{.ResolvConfPath}}' $C-t2)
    echo "nameserver 192.0.2.66" >"$BATS_TEST_TMPDIR/evil"
    rm -- "$path"
    ln -s "$BATS_TEST_TMPDIR/evil" "$path"
    run --separate-stderr "$NSX" $C-t2 touch "$marker"
    assert_failure 125
    [ "$stderr" = "docker-nsexec: refusing the /etc/resolv.conf of container '$C-t2': '$path' is a symlink" ] ||
        fail "stderr: $stderr"
    [ ! -e "$marker" ] || fail "the command ran"

    rm -- "$path"
    mkdir -- "$path"
    run --separate-stderr "$NSX" $C-t2 touch "$marker"
    assert_failure 125
    [ "$stderr" = "docker-nsexec: refusing the /etc/resolv.conf of container '$C-t2': '$path' is not a regular file" ] ||
        fail "stderr: $stderr"
    [ ! -e "$marker" ] || fail "the command ran"

    # --host-dns does not look at the files at all; -m and -a do not need them, nor does an
    # entry without the network namespace (-u): there is no network to view.
    run "$NSX" --host-dns $C-t2 touch "$marker"
    assert_success
    [ -e "$marker" ]
    run "$NSX" -m $C-t2 true
    assert_success
    run "$NSX" -a $C-t2 true
    assert_success
    run "$NSX" -u $C-t2 true
    assert_success
}

@test "an engine path through a symlink, on a kernel filesystem, a directory or a FIFO is refused: 125, nothing run" {
    local t=$BATS_TEST_TMPDIR marker=$BATS_TEST_TMPDIR/ran cg cgfs key path why case
    mkdir "$t/real" "$t/dir"
    echo "nameserver 192.0.2.66" >"$t/real/resolv.conf"
    ln -s real "$t/mid"       # a symlink in a middle component
    ln -s /etc "$t/etc"       # the review's /tmp/l/shadow, with /tmp/l -> /etc
    ln -s real/resolv.conf "$t/final"
    mkfifo "$t/fifo"
    read -r cg cgfs < <(findmnt -rn -o TARGET,FSTYPE -t cgroup,cgroup2 | head -n 1)
    local -a cases=(
        "ResolvConfPath|$t/mid/resolv.conf|goes through a symlink"
        "ResolvConfPath|$t/etc/shadow|goes through a symlink"
        "HostsPath|$t/etc/hosts|goes through a symlink"
        "ResolvConfPath|$t/final|is a symlink"
        "ResolvConfPath|/proc/version|is on proc, a kernel filesystem"
        "HostsPath|/proc/self/status|goes through a symlink"
        "HostsPath|/proc/1/status|is on proc, a kernel filesystem"
        "ResolvConfPath|/sys/kernel/uevent_seqnum|is on sysfs, a kernel filesystem"
        "HostsPath|$t/dir|is not a regular file"
        "ResolvConfPath|$t/fifo|is not a regular file"
    )
    if [ -n "$cg" ]; then
        cases+=("ResolvConfPath|$cg/cgroup.procs|is on $cgfs, a kernel filesystem")
    fi
    for case in "${cases[@]}"; do
        IFS='|' read -r key path why <<<"$case"
        nsx_fake_engine_stop
        nsx_fake_engine rewrite "${NSX_TEST_DOCKER_HOST#unix://}" "$key=$path"
        run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" $C-a touch "$marker"
        [ "$status" -eq 125 ] || fail "$key=$path: exit $status, stderr: $stderr"
        if [ "$key" = ResolvConfPath ]; then
            [ "$stderr" = "docker-nsexec: refusing the /etc/resolv.conf of container '$C-a': '$path' $why" ] ||
                fail "stderr: $stderr"
        else
            [ "$stderr" = "docker-nsexec: refusing the /etc/hosts of container '$C-a': '$path' $why" ] ||
                fail "stderr: $stderr"
        fi
        [ ! -e "$marker" ] || fail "the command ran with $key=$path"
    done

    # The same file by its real path is taken: only the way to it was refused.
    nsx_fake_engine_stop
    nsx_fake_engine rewrite "${NSX_TEST_DOCKER_HOST#unix://}" "ResolvConfPath=$t/real/resolv.conf"
    run "$NSX" -H "unix://$FAKE_SOCK" $C-a cat /etc/resolv.conf
    assert_success
    assert_output "nameserver 192.0.2.66"
}

@test "the container's files are bound read-only: writes fail, its own files are unchanged" {
    local hosts resolv own
    fresh $C-t6
    hosts=$(dk inspect -f '{{.HostsPath}}' $C-t6)
    resolv=$(dk inspect -f '{{.ResolvConfPath}}' $C-t6)
    cp "$hosts" "$BATS_TEST_TMPDIR/hosts"
    cp "$resolv" "$BATS_TEST_TMPDIR/resolv.conf"
    own=$(dk exec $C-t6 cat /etc/hosts)

    run "$NSX" $C-t6 sh -c 'echo "192.0.2.9 evil" >>/etc/hosts'
    assert_failure
    assert_output --partial "Read-only file system"
    run "$NSX" $C-t6 sh -c 'echo "nameserver 192.0.2.9" >/etc/resolv.conf'
    assert_failure
    assert_output --partial "Read-only file system"
    run "$NSX" $C-t6 sh -c 'findmnt -n -o OPTIONS /etc/hosts; findmnt -n -o OPTIONS /etc/resolv.conf'
    assert_success
    assert_line --index 0 --regexp '^ro,'
    assert_line --index 1 --regexp '^ro,'

    cmp "$hosts" "$BATS_TEST_TMPDIR/hosts"
    cmp "$resolv" "$BATS_TEST_TMPDIR/resolv.conf"
    assert_equal "$(dk exec $C-t6 cat /etc/hosts)" "$own"
    # The container itself still writes its own (Docker binds them read-write).
    run dk exec $C-t6 sh -c 'echo "192.0.2.10 added-inside" >>/etc/hosts'
    assert_success
}

@test "a dangling /etc/resolv.conf symlink on the host: it stays, the command runs, -v says so" {
    local hosts
    hosts=$(dk inspect -f '{{.HostsPath}}' $C-a)
    # A host whose /etc/resolv.conf points at systemd-resolved's stub while it is not running:
    # an /etc of this test's own mount namespace only.
    run --separate-stderr unshare --mount --propagation private sh -c '
        mount -t tmpfs nsx-dangling-etc /etc &&
        ln -s /run/nsx-no-such-dir/stub-resolv.conf /etc/resolv.conf &&
        echo "192.0.2.1 host-only" >/etc/hosts &&
        "$0" -v "$1" sh -c "readlink /etc/resolv.conf; test -e /etc/resolv.conf || echo dangling; stat -L -c %d:%i /etc/hosts"' \
        "$NSX" $C-a
    assert_success
    assert_line --index 0 /run/nsx-no-such-dir/stub-resolv.conf
    assert_line --index 1 dangling
    assert_line --index 2 "$(ident "$hosts")"
    grep -qxF "docker-nsexec: debug: /etc/resolv.conf is a dangling symlink on the host: it stays the host's" <<<"$stderr" ||
        fail "stderr: $stderr"

    # Without -v, nothing on stderr.
    run --separate-stderr unshare --mount --propagation private sh -c '
        mount -t tmpfs nsx-dangling-etc /etc &&
        ln -s /run/nsx-no-such-dir/stub-resolv.conf /etc/resolv.conf &&
        echo "192.0.2.1 host-only" >/etc/hosts &&
        "$0" "$1" true' "$NSX" $C-a
    assert_success
    [ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "without openat2 and mount_setattr (Linux < 5.6, < 5.12): the same refusals, private read-only binds" {
    local t=$BATS_TEST_TMPDIR marker=$BATS_TEST_TMPDIR/ran files path
    [ -n "${NSX_ENOSYS:-}" ] || skip "no enosys helper (NSX_ENOSYS)"
    # docker-nsexec as on an older kernel: both calls fail with ENOSYS, so the path is walked
    # component by component and each bind made private and read-only by path once in place.
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$NSX_ENOSYS" "$NSX" >"$t/nsx-old-kernel"
    chmod +x "$t/nsx-old-kernel"
    NSX=$t/nsx-old-kernel

    mkdir "$t/real"
    echo "nameserver 192.0.2.66" >"$t/real/resolv.conf"
    ln -s real "$t/mid"
    ln -s real/resolv.conf "$t/final"
    for path in "$t/mid/resolv.conf|goes through a symlink" "$t/final|is a symlink" \
        "/proc/self/status|goes through a symlink" "/proc/version|is on proc, a kernel filesystem"; do
        nsx_fake_engine_stop
        nsx_fake_engine rewrite "${NSX_TEST_DOCKER_HOST#unix://}" "ResolvConfPath=${path%%|*}"
        run --separate-stderr "$NSX" -H "unix://$FAKE_SOCK" $C-a touch "$marker"
        [ "$status" -eq 125 ] || fail "${path%%|*}: exit $status, stderr: $stderr"
        [ "$stderr" = "docker-nsexec: refusing the /etc/resolv.conf of container '$C-a': '${path%%|*}' ${path#*|}" ] ||
            fail "stderr: $stderr"
        [ ! -e "$marker" ] || fail "the command ran with ${path%%|*}"
    done
    nsx_fake_engine_stop
    nsx_fake_engine rewrite "${NSX_TEST_DOCKER_HOST#unix://}" "ResolvConfPath=$t/real/resolv.conf"
    run "$NSX" -H "unix://$FAKE_SOCK" $C-a cat /etc/resolv.conf
    assert_success
    assert_output "nameserver 192.0.2.66"

    fresh $C-t7
    files=$(dirname "$(dk inspect -f '{{.HostsPath}}' $C-t7)")
    run "$NSX" $C-t7 sh -c 'echo "192.0.2.9 evil" >>/etc/hosts'
    assert_failure
    assert_output --partial "Read-only file system"
    run "$NSX" $C-t7 sh -c 'echo "nameserver 192.0.2.9" >/etc/resolv.conf'
    assert_failure
    assert_output --partial "Read-only file system"
    ROOT_ATTACKS=()
    escape_attempts "$files" "dk exec $C-t7 cat /etc/hosts" $C-t7
}

@test "a bind that fails: one line naming it, a hint, 125, nothing run" {
    local marker=$BATS_TEST_TMPDIR/ran
    # A host without /etc/resolv.conf: an empty /etc, in a mount namespace of this test only.
    run --separate-stderr unshare --mount --propagation private sh -c \
        'mount -t tmpfs nsx-empty-etc /etc && "$0" "$1" touch "$2"' "$NSX" $C-a "$marker"
    assert_failure 125
    [ "$stderr" = "docker-nsexec: cannot set up the container's network view: bind over /etc/resolv.conf: No such file or directory
docker-nsexec: hint: --host-dns keeps the host's /etc/resolv.conf and /etc/hosts" ] || fail "stderr: $stderr"
    [ ! -e "$marker" ] || fail "the command ran"

    run unshare --mount --propagation private sh -c \
        'mount -t tmpfs nsx-empty-etc /etc && "$0" --host-dns "$1" touch "$2"' "$NSX" $C-a "$marker"
    assert_success
    [ -e "$marker" ]
}

@test "-v names a missing file the engine gave without passing its control characters on" {
    bg unshare --net sleep 1000
    wait_for_ns "$BG" net
    printf '{"Id": "%s", "Name": "/%s", "State": {"Status": "running", "Running": true, "Paused": false, "Restarting": false, "Dead": false, "Pid": %d}, "ResolvConfPath": "/nonexistent/\\u001b[31mred\\nline", "HostsPath": ""}\n' \
        "$(random_id)" $C-ctl "$BG" >"$BATS_TEST_TMPDIR/inspect.json"
    nsx_fake_engine answer 200 "$BATS_TEST_TMPDIR/inspect.json"
    run --separate-stderr "$NSX" -v -H "unix://$FAKE_SOCK" --no-verify $C-ctl sh -c 'stat -L -c %d:%i /etc/resolv.conf /etc/hosts; ls /sys/class/net | LC_ALL=C sort'
    assert_success
    assert_line --index 0 "$(ident /etc/resolv.conf)"
    assert_line --index 1 "$(ident /etc/hosts)"
    assert_equal "$(printf '%s\n' "${lines[@]:2}")" "$(links "$BG")"
    grep -qxF "docker-nsexec: debug: no resolv.conf at '/nonexistent/?[31mred?line': /etc/resolv.conf stays the host's" <<<"$stderr" ||
        fail "stderr: $stderr"
}
