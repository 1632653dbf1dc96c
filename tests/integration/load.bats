#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Load against the real daemon: many docker-nsexec runs at once against one container.

load helper

RUNS=200

setup_file() {
    export C=nsx-load
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    dk rm -f $C >/dev/null 2>&1 || true
    dk run -d --name $C --net none local/busybox sleep 3600 >/dev/null
    nsx_wait_running $C
}

teardown_file() {
    if [ "${NSX_DAEMON:-}" != up ]; then
        return 0
    fi
    dk rm -f $C >/dev/null 2>&1 || true
}

setup() {
    nsx_require_daemon
}

# The daemon's open descriptors, when its pid file is beside its socket (contrib/lib/dockerd.sh).
daemon_fds() {
    local sock=${NSX_TEST_DOCKER_HOST#unix://} pid
    pid=$(cat "${sock%/*}/docker.pid" 2>/dev/null) || return 0
    ls "/proc/$pid/fd" 2>/dev/null | wc -l
}

@test "load: $RUNS runs at once against one container all succeed; nothing leaks; the daemon stays healthy" {
    local dir=$BATS_TEST_TMPDIR/load mark want pid i f rc out fds_before fds_after ok=0 forked=0 left
    local -a runs=() bad=()
    mkdir "$dir"
    pid=$(dk inspect -f '{{.State.Pid}}' $C)
    want=$(readlink "/proc/$pid/ns/net")
    fds_before=$(daemon_fds)
    # Every process started here carries this mark, so what outlives the runs can be found
    # among the machine's processes, whoever else runs docker-nsexec meanwhile.
    mark=NSX_LOAD_MARK=$$.$RANDOM$RANDOM

    # The descriptors a command inherits here without docker-nsexec in between (bats holds a
    # few): docker-nsexec must add none.
    sh -c 'ls /proc/self/fd' >"$dir/plain" 2>/dev/null 3>&-
    local plain
    plain=$(tr '\n' ' ' <"$dir/plain")

    local start=$SECONDS
    for i in $(seq $RUNS); do
        # Every other run joins every namespace (-a: a fork for the PID namespace, the
        # container's files); the others the network namespace only (no fork).
        local opts=()
        ((i % 2)) && opts=(-a)
        env "$mark" "$NSX" "${opts[@]}" $C sh -c 'readlink /proc/self/ns/net; ls /proc/self/fd' \
            >"$dir/$i.out" 2>"$dir/$i.err" 3>&- &
        runs+=($!)
    done
    for i in $(seq $RUNS); do
        rc=0
        wait "${runs[i - 1]}" || rc=$?
        echo "$rc" >"$dir/$i.rc"
    done
    local took=$((SECONDS - start))

    for i in $(seq $RUNS); do
        rc=$(<"$dir/$i.rc")
        mapfile -t out <"$dir/$i.out"
        if [ "$rc" = 0 ] && [ "${out[0]:-}" = "$want" ] && [ "${out[*]:1} " = "$plain" ] && [ ! -s "$dir/$i.err" ]; then
            ok=$((ok + 1))
        else
            bad+=("run $i: exit $rc, out '${out[*]}', err '$(<"$dir/$i.err")'")
        fi
    done

    # Nothing carrying the mark is left: no process, no zombie (every run was waited for).
    left=$(grep -lz "^$mark\$" /proc/[0-9]*/environ 2>/dev/null | wc -l)
    if ps -o stat= --ppid $$ | grep -q '^Z'; then
        bad+=("zombies left: $(ps -o pid=,stat=,args= --ppid $$)")
    fi

    # The daemon answers and closes what the runs opened (its idle connections go at once
    # here, as docker-nsexec closes its end; a few seconds of grace all the same).
    curl -sf --max-time 5 --unix-socket "${NSX_TEST_DOCKER_HOST#unix://}" http://engine/_ping >/dev/null ||
        bad+=("the daemon does not answer /_ping")
    run "$NSX" $C true
    [ "$status" = 0 ] || bad+=("a run after the load fails: $output")
    fds_after=$(daemon_fds)
    for i in $(seq 50); do
        [ -z "$fds_before" ] || [ "$fds_after" -le $((fds_before + 5)) ] && break
        sleep 0.1
        fds_after=$(daemon_fds)
    done
    if [ -n "$fds_before" ] && [ "$fds_after" -gt $((fds_before + 5)) ]; then
        bad+=("the daemon holds $fds_after descriptors, $fds_before before the load")
    fi

    echo "# load: $RUNS runs at once: $ok succeeded in ${took}s; processes left $left; daemon fds $fds_before -> $fds_after" >&3
    [ "$left" = 0 ] || bad+=("$left processes of the runs are still there")
    if [ "${#bad[@]}" -gt 0 ]; then
        printf '%s\n' "${bad[@]:0:20}" >&2
        fail "${#bad[@]} problems"
    fi
    assert_equal "$ok" "$RUNS"
}
