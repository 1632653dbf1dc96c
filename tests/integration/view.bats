#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The container's network view for host tools (net-only entry): Docker's embedded DNS and the
# container's /etc/hosts through host getent and busybox, a sysfs of its network, the host's
# files and mount table untouched, --host-dns, -U, and where the view does not apply (-m, -a).

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
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    dk rm -f $C-a $C-b $C-none $(seq -f "$C-t%g" 9) >/dev/null 2>&1 || true
    dk network rm $C-net >/dev/null 2>&1 || true
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
