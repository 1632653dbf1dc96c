#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# -m and -a run the container's own command as docker exec does: as the container's user
# (Config.User, --user) from its own passwd and group, read by docker-nsexec through the
# container's root and never through NSS, with the container's environment (Config.Env, -e)
# and never the caller's. Compared against `docker exec` on the same containers.

load helper

setup_file() {
    export C=nsx-user-$$ IMG=local/nsx-user-$$
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    local ctx=$BATS_FILE_TMPDIR/image
    mkdir -p "$ctx"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
        'app:x:1000:1000:App:/home/app:/bin/sh' >"$ctx/passwd"
    printf '%s\n' 'root:x:0:' 'wheel:x:10:app' 'audio:x:29:app,nobody' 'staff:x:50:' 'app:x:1000:' \
        'nogroup:x:65534:' >"$ctx/group"
    printf '#!/bin/sh\necho hello from the container PATH\n' >"$ctx/nsx-hello"
    # A command only the container's PATH finds, and variables of the image's own.
    cat >"$ctx/Dockerfile" <<'EOF'
FROM local/busybox
COPY passwd group /etc/
COPY nsx-hello /opt/nsx-bin/nsx-hello
ENV PATH=/opt/nsx-bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 FROM_IMAGE=yes
EOF
    chmod 755 "$ctx/nsx-hello"
    dk build -q -t "$IMG" "$ctx" >/dev/null
    dk rm -f $C-plain $C-img $C-uid $C-app >/dev/null 2>&1 || true
    dk run -d --name $C-plain --net none local/busybox sleep 3600 >/dev/null
    dk run -d --name $C-img --net none --hostname nsx-user-host -e RUN_VAR=from-run "$IMG" sleep 3600 >/dev/null
    dk run -d --name $C-uid --net none --user 1000 local/busybox sleep 3600 >/dev/null
    dk run -d --name $C-app --net none --user app "$IMG" sleep 3600 >/dev/null
    nsx_wait_running $C-plain
    nsx_wait_running $C-img
    nsx_wait_running $C-uid
    nsx_wait_running $C-app
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    dk rm -f $C-plain $C-img $C-uid $C-app >/dev/null 2>&1 || true
    dk rmi -f "$IMG" >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
    HOSTILE=
}

teardown() {
    if [ -n "$HOSTILE" ]; then
        dk rm -f "$HOSTILE" >/dev/null 2>&1 || true
    fi
}

IDS='grep -E "^(Uid|Gid|Groups):" /proc/self/status; id'

# ids_match CONTAINER [USER]: the process's Uid, Gid and Groups lines and `id`, from -a (with
# --user USER) and from docker exec (with -u USER), must be equal.
ids_match() {
    local want
    if [ -n "${2:-}" ]; then
        want=$(dk exec -u "$2" "$1" sh -c "$IDS")
        run "$NSX" -a --user "$2" "$1" sh -c "$IDS"
    else
        want=$(dk exec "$1" sh -c "$IDS")
        run "$NSX" -a "$1" sh -c "$IDS"
    fi
    assert_success
    assert_output "$want"
}

# --- the user ------------------------------------------------------------------------------

@test "no user: the ids and the environment are docker exec's" {
    ids_match $C-plain
    run "$NSX" -a $C-plain env
    assert_success
    assert_output "$(dk exec $C-plain env)"
}

@test "docker run --user 1000: -a and -m run as 1000, gid 0, groups 0, as docker exec" {
    ids_match $C-uid
    assert_line --index 0 $'Uid:\t1000\t1000\t1000\t1000'
    # -m alone: not in its PID namespace, so /proc/self is not there; id still is.
    run "$NSX" -m $C-uid id
    assert_success
    assert_output "$(dk exec $C-uid id)"
    # In a PID namespace too, where the child is the one to switch.
    run "$NSX" -m -p $C-uid sh -c "$IDS"
    assert_success
    assert_output "$(dk exec $C-uid sh -c "$IDS")"
}

@test "--user overrides the container's user: 0, a number, a name, name:group, uid:gid" {
    ids_match $C-uid 0
    assert_line --index 0 $'Uid:\t0\t0\t0\t0'
    ids_match $C-plain 4242
    ids_match $C-img nobody
    ids_match $C-img app
    # app's memberships (wheel, audio) follow its primary group, as docker exec shows them.
    assert_line --index 2 $'Groups:\t10 29 1000 '
    ids_match $C-img app:staff
    ids_match $C-img 1000:29
    ids_match $C-img 4242:audio
    ids_match $C-app
    ids_match $C-app root
}

@test "an unknown user or group: one line, exit 125, nothing runs" {
    local marker=$BATS_TEST_TMPDIR/ran
    run --separate-stderr "$NSX" -a --user nope $C-img touch "$marker"
    assert_failure 125
    assert_output ""
    # shellcheck disable=SC2154 # stderr and stderr_lines are set by run --separate-stderr
    assert_equal "$stderr" "docker-nsexec: unable to find user nope: no matching entries in passwd file"
    run --separate-stderr "$NSX" -m --user app:nosuchgroup $C-img true
    assert_failure 125
    assert_equal "$stderr" "docker-nsexec: unable to find group nosuchgroup: no matching entries in group file"
    run --separate-stderr "$NSX" -a --user 4294967295 $C-img true
    assert_failure 125
    assert_equal "${#stderr_lines[@]}" 2 # the message and "Try --help"
    [[ ${stderr_lines[0]} == *"0-2147483647"* ]] || fail "$stderr"
    [ ! -e "$marker" ] || fail "the command ran"
}

@test "--user and --env need -m or -a: one line naming the option, exit 125" {
    run --separate-stderr "$NSX" --user 0 $C-plain true
    assert_failure 125
    assert_equal "${stderr_lines[0]}" "docker-nsexec: --user needs -m or -a: it applies to the container's own command"
    run --separate-stderr "$NSX" -n -p -e A=1 $C-plain true
    assert_failure 125
    assert_equal "${stderr_lines[0]}" "docker-nsexec: --env needs -m or -a: it applies to the container's own command"
}

# --- the environment -----------------------------------------------------------------------

@test "the environment is docker exec's: Config.Env, the hostname, HOME; none of the caller's" {
    NSX_CALLER_SECRET=do-not-cross run "$NSX" -a $C-img env
    assert_success
    assert_output "$(dk exec $C-img env)"
    assert_line "HOSTNAME=nsx-user-host"
    assert_line "RUN_VAR=from-run"
    refute_line --partial NSX_CALLER_SECRET
    # A user's HOME is its passwd entry's.
    run "$NSX" -a --user app $C-img env
    assert_success
    assert_output "$(dk exec -u app $C-img env)"
    assert_line "HOME=/home/app"
}

@test "-e KEY=VALUE and -e KEY: as docker exec -e, the caller's value only when named" {
    export NSX_NAMED=from-the-caller NSX_NOT_NAMED=secret
    run "$NSX" -a -e A=1 -e LANG=C -e NSX_NAMED -e FROM_IMAGE -e A=2 -e HOME=/x $C-img env
    assert_success
    assert_output "$(dk exec -e A=1 -e LANG=C -e NSX_NAMED -e FROM_IMAGE -e A=2 -e HOME=/x $C-img env)"
    assert_line "NSX_NAMED=from-the-caller"
    assert_line "A=2"
    # KEY unset in the caller removes it, as docker's daemon does.
    refute_line --partial FROM_IMAGE
    refute_line --partial NSX_NOT_NAMED
}

@test "the command is found in the container's PATH, not the caller's" {
    PATH=/usr/bin:/bin run "$NSX" -a $C-img nsx-hello
    assert_success
    assert_output "hello from the container PATH"
    PATH=/usr/bin:/bin run "$NSX" -m -p $C-img nsx-hello
    assert_success
    assert_output "hello from the container PATH"
}

@test "TERM crosses only with a terminal, where docker exec -t would set one" {
    TERM=nsx-term run "$NSX" -a $C-plain env
    assert_success
    refute_line --partial TERM=
    TERM=nsx-term run script -qec "'$NSX' -a $C-plain env" /dev/null
    assert_success
    assert_line $'TERM=nsx-term\r'
}

# --- hostile images ------------------------------------------------------------------------

# hostile: a busybox container to spoil; sets HOSTILE, and ETC to its /etc as seen from the
# host. Its files are changed from the host: `docker exec` itself (runc) opens the container's
# /etc/passwd as root and would hang on a FIFO there.
hostile() {
    HOSTILE=$C-hostile-$BATS_TEST_NUMBER
    dk run -d --name "$HOSTILE" --net none local/busybox sleep 3600 >/dev/null
    nsx_wait_running "$HOSTILE"
    ETC=/proc/$(dk inspect -f '{{.State.Pid}}' "$HOSTILE")/root/etc
}

@test "a passwd that is a symlink to a host file, absolute or climbing out: the host's file is never read" {
    local host=$BATS_TEST_TMPDIR/host-passwd
    printf 'nsxhost:x:4242:4242::/nsx-host-home:/bin/sh\nroot:x:4343:4343::/host-root:/bin/sh\n' >"$host"
    hostile
    ln -sfn "$host" "$ETC/passwd"
    run --separate-stderr "$NSX" -a --user nsxhost "$HOSTILE" id
    assert_failure 125
    assert_equal "$stderr" "docker-nsexec: unable to find user nsxhost: no matching entries in passwd file"
    # Root with no entry: uid 0, HOME "/", not the host file's 4343 and /host-root.
    run "$NSX" -a "$HOSTILE" sh -c 'id -u; echo $HOME'
    assert_success
    assert_output $'0\n/'

    ln -sfn "../../../../../../..$host" "$ETC/passwd"
    run --separate-stderr "$NSX" -m --user nsxhost "$HOSTILE" id
    assert_failure 125
    assert_equal "$stderr" "docker-nsexec: unable to find user nsxhost: no matching entries in passwd file"

    # The host's /etc/shadow read as a passwd file would make root's "lastchg" its UID.
    ln -sfn ../../../../etc/shadow "$ETC/passwd"
    run "$NSX" -a "$HOSTILE" sh -c 'id -u; echo $HOME'
    assert_success
    assert_output $'0\n/'
    ln -sfn /etc/shadow "$ETC/passwd"
    run --separate-stderr "$NSX" -a --user root "$HOSTILE" id
    assert_failure 125
    assert_equal "$stderr" "docker-nsexec: unable to find user root: no matching entries in passwd file"
}

@test "a passwd that is a FIFO, a device or a huge file: refused at once, nothing runs" {
    local marker=$BATS_TEST_TMPDIR/ran
    hostile
    rm "$ETC/passwd" && mkfifo "$ETC/passwd"
    run --separate-stderr timeout 20 "$NSX" -a "$HOSTILE" touch "$marker"
    assert_failure 125
    assert_equal "$stderr" "docker-nsexec: refusing the container's /etc/passwd: it is not a regular file"

    # A node for a host block device (as the container's CAP_MKNOD can make): never opened.
    rm "$ETC/passwd" && mknod "$ETC/passwd" b 7 0
    run --separate-stderr timeout 20 "$NSX" -a "$HOSTILE" touch "$marker"
    assert_failure 125
    assert_equal "$stderr" "docker-nsexec: refusing the container's /etc/passwd: it is not a regular file"

    rm "$ETC/passwd" && truncate -s 5M "$ETC/passwd"
    run --separate-stderr timeout 20 "$NSX" -a "$HOSTILE" touch "$marker"
    assert_failure 125
    assert_equal "$stderr" "docker-nsexec: refusing the container's /etc/passwd: larger than 4 MiB"

    rm "$ETC/group" "$ETC/passwd" && mkfifo "$ETC/group" && echo "root:x:0:0::/root:" >"$ETC/passwd"
    run --separate-stderr timeout 20 "$NSX" -a "$HOSTILE" touch "$marker"
    assert_failure 125
    assert_equal "$stderr" "docker-nsexec: refusing the container's /etc/group: it is not a regular file"
    [ ! -e "$marker" ] || fail "the command ran"
}

@test "a passwd bound from procfs: a kernel file is not a passwd file" {
    HOSTILE=$C-hostile-$BATS_TEST_NUMBER
    dk run -d --name "$HOSTILE" --net none -v /proc/version:/etc/passwd:ro local/busybox sleep 3600 >/dev/null
    nsx_wait_running "$HOSTILE"
    run --separate-stderr "$NSX" -a "$HOSTILE" true
    assert_failure 125
    assert_equal "$stderr" "docker-nsexec: refusing the container's /etc/passwd: it is on a kernel pseudo filesystem"
}
