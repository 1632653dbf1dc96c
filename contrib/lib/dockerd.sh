# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# contrib/lib/dockerd.sh - helpers for contrib/demo.sh and contrib/test.sh:
# install Debian packages, run a private Docker daemon in its own network
# namespace, build the local/busybox test image.
#
# Source it; sourcing has no side effects.  Every function returns non-zero
# on failure and prints a one-line reason on stderr; none of them calls exit,
# and they work with or without `set -e`.  Needs root and bash >= 4.4.
#
#   nsx_install_packages PKG...   apt-get install -y the ones not installed
#   nsx_dockerd_start DIR NETNS   private dockerd: socket DIR/docker.sock,
#                                 network namespace /run/netns/NETNS
#   nsx_dockerd_stop DIR NETNS    remove its containers, stop it (and its
#                                 containerd and shims), unmount, delete DIR
#                                 and the netns
#   nsx_dockerd_host DIR          prints unix://DIR/docker.sock
#   nsx_image_build HOST          builds image local/busybox on HOST if missing
#   nsx_daemon_answers HOST       0 if GET /_ping on HOST says OK within 2 s
#
# Podman (4.3, Debian's podman package), the same way:
#   nsx_podman_start DIR          private `podman system service` with every
#                                 piece of state under DIR: socket
#                                 DIR/podman.sock, Docker-compatible API
#   nsx_podman_stop DIR           remove its containers, stop it and every
#                                 process it spawned (conmon, containers),
#                                 unmount, delete DIR
#   nsx_podman_host DIR           prints unix://DIR/podman.sock
#   nsx_podman DIR ARG...         runs podman with the service's global flags
#                                 and configuration: it sees the same containers
#   nsx_podman_image_build HOST   local/busybox on the Podman service at HOST
#
# HOST is a Docker endpoint URI: unix:///path (or tcp://host:port, no TLS).
# Settings (environment variables, read when a function runs):
#   NSX_DOCKER          docker client to use (default: docker from PATH)
#   NSX_IMAGE           image name nsx_image_build creates (default
#                       local/busybox)
#   NSX_BUSYBOX         static busybox binary (default /bin/busybox, from
#                       Debian's busybox-static)
#   NSX_START_TIMEOUT   seconds nsx_dockerd_start waits for /_ping (30)
#   NSX_STOP_TIMEOUT    seconds nsx_dockerd_stop waits after SIGTERM (15)
#   NSX_PODMAN_STORAGE_DRIVER  storage driver nsx_podman_start gives the
#                       Podman service (default overlay; vfs where DIR cannot
#                       hold overlay); kept in DIR/storage-driver
# nsx_dockerd_start sets NSX_DOCKERD_START_SECONDS (e.g. "0.6") on success;
# nsx_podman_start sets NSX_PODMAN_START_SECONDS, NSX_PODMAN_API_VERSION and
# NSX_PODMAN_LIBPOD_API_VERSION (the Api-Version and Libpod-Api-Version
# headers of its /_ping) and prints them in one line on stdout.
#
# Nothing here ever touches a daemon that is not at DIR: processes are only
# signalled if their command line references DIR/ (dockerd, its containerd
# and shims; the Podman service, conmon and `podman container cleanup`), if
# they are the pid in DIR/docker.pid (and reference DIR/), if they live in
# the netns NETNS, if their cgroup names a container listed in
# DIR/root/containers/ (Podman: DIR/root/DRIVER-containers/), or if they
# descend from one of those.  Never the calling shell or its ancestors.

nsx__say() { printf '%s\n' "$*" >&2; }

# nsx__check_dir DIR: refuse paths where rm -rf or pkill-by-path would hurt.
nsx__check_dir() {
    local dir=$1
    case $dir in
        /*) ;;
        *) nsx__say "nsx: DIR must be an absolute path: '$dir'"; return 1 ;;
    esac
    case $dir/ in
        *//* | */./* | */../*)
            nsx__say "nsx: DIR must be a normalized path (no //, ., ..): '$dir'"
            return 1 ;;
    esac
    case $dir in
        /bin | /boot | /dev | /etc | /home | /lib | /lib32 | /lib64 | /libx32 \
        | /media | /mnt | /opt | /proc | /root | /run | /sbin | /srv | /sys \
        | /tmp | /usr | /usr/* | /var | /var/lib | /var/tmp | /var/run \
        | /var/lib/docker* | /var/run/docker* | /run/docker* \
        | /var/lib/containerd* | /run/containerd* | /run/netns*)
            nsx__say "nsx: refusing to use '$dir' as a daemon directory"
            return 1 ;;
    esac
    if [[ $dir =~ [[:space:]] ]]; then
        nsx__say "nsx: DIR must not contain white space: '$dir'"
        return 1
    fi
    # dockerd's socket is DIR/docker.sock; containerd's is
    # DIR/x/containerd/containerd.sock.ttrpc.  sun_path holds 107 bytes.
    if ((${#dir} + 35 > 107)); then
        nsx__say "nsx: DIR is too long for unix socket paths (max 72 bytes): '$dir'"
        return 1
    fi
}

nsx__check_netns() {
    if [[ ! $1 =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
        nsx__say "nsx: bad network namespace name: '$1'"
        return 1
    fi
}

nsx_dockerd_host() { printf 'unix://%s/docker.sock\n' "$1"; }

nsx__docker() { "${NSX_DOCKER:-docker}" "$@"; }

# nsx__alive PID: the process exists and is not a zombie.
nsx__alive() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != [ZX] ]]
}

# nsx__ancestors: this shell and all its ancestors, one pid per line.
nsx__ancestors() {
    local pid=$BASHPID stat
    while [[ $pid =~ ^[0-9]+$ ]] && ((pid > 1)); do
        printf '%s\n' "$pid"
        read -r stat 2>/dev/null <"/proc/$pid/stat" || break
        stat=${stat##*) }
        stat=${stat#* }
        pid=${stat%% *}
    done
}

# nsx__cmdline PID: the process's command line, arguments joined by spaces.
nsx__cmdline() {
    local -a args=()
    mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
    printf '%s' "${args[*]}"
}

# nsx__container_ids DIR: IDs of the containers the daemon at DIR knows
# (from its data root), space separated.
nsx__container_ids() {
    local d ids=""
    for d in "$1"/root/containers/*/; do
        d=${d%/}
        d=${d##*/}
        [[ $d =~ ^[0-9a-f]{64}$ ]] && ids+="$d "
    done
    printf '%s' "$ids"
}

# nsx__daemon_pids DIR NETNS [IDS]: pids (one per line, sorted) of live
# processes that belong to the daemon at DIR: the pidfile's dockerd, every
# process whose command line references DIR/ (dockerd, containerd, shims),
# every process in the netns NETNS (none if NETNS is empty), every process
# in the cgroup of one of the container IDS, and all their descendants.
# Never this shell or its ancestors.
nsx__daemon_pids() {
    local dir=$1 netns=$2 ids=${3:-} pid cmdline stat ppid nsfile="" cg id
    local -A mine=() skip=() children=()
    local -a queue=()

    while read -r pid; do skip[$pid]=1; done < <(nsx__ancestors)
    [[ -n $netns && -e /run/netns/$netns ]] && nsfile=/run/netns/$netns

    if [[ -s $dir/docker.pid ]]; then
        read -r pid <"$dir/docker.pid" || pid=""
        if [[ $pid =~ ^[0-9]+$ ]]; then
            cmdline=$(nsx__cmdline "$pid") || cmdline=""
            [[ $cmdline == *"$dir/"* ]] && mine[$pid]=1
        fi
    fi
    for stat in /proc/[0-9]*; do
        pid=${stat#/proc/}
        [[ -n ${skip[$pid]:-} ]] && continue
        read -r stat 2>/dev/null <"/proc/$pid/stat" || continue
        stat=${stat##*) }
        stat=${stat#* }
        ppid=${stat%% *}
        children[$ppid]+=" $pid"
        cmdline=""
        mapfile -d '' -t queue 2>/dev/null <"/proc/$pid/cmdline" && cmdline="${queue[*]}"
        if [[ $cmdline == *"$dir/"* ]]; then
            mine[$pid]=1
        elif [[ -n $nsfile && /proc/$pid/ns/net -ef $nsfile ]]; then
            mine[$pid]=1
        elif [[ -n $ids ]]; then
            # A container process whose shim is gone has been reparented;
            # its cgroup path still names the container.
            cg=""
            read -r -d '' cg 2>/dev/null <"/proc/$pid/cgroup"
            for id in $ids; do
                if [[ $cg == *"$id"* ]]; then mine[$pid]=1; break; fi
            done
        fi
    done
    queue=("${!mine[@]}")
    while ((${#queue[@]})); do
        pid=${queue[0]}
        queue=("${queue[@]:1}")
        for ppid in ${children[$pid]:-}; do
            if [[ -z ${mine[$ppid]:-} && -z ${skip[$ppid]:-} ]]; then
                mine[$ppid]=1
                queue+=("$ppid")
            fi
        done
    done
    for pid in "${!mine[@]}"; do
        [[ -n ${skip[$pid]:-} ]] && continue
        nsx__alive "$pid" && printf '%s\n' "$pid"
    done | sort -n
}

# nsx__wait_gone SECONDS PID...: wait until none of the pids is alive.
nsx__wait_gone() {
    local secs=$1 pid i any
    shift
    for ((i = 0; i <= secs * 10; i++)); do
        any=""
        for pid in "$@"; do
            if nsx__alive "$pid"; then any=1; break; fi
        done
        [[ -z $any ]] && return 0
        sleep 0.1
    done
    return 1
}

# nsx__umount_under DIR: unmount everything mounted at or below DIR,
# innermost (most recently mounted) first.
nsx__umount_under() {
    local dir=$1 mp round i
    local -a mps
    for round in 1 2 3; do
        mps=()
        while read -r _ _ _ _ mp _; do
            # mountinfo escapes space, tab, newline and backslash in octal
            mp=${mp//\\040/ }
            mp=${mp//\\011/$'\t'}
            mp=${mp//\\012/$'\n'}
            mp=${mp//\\134/\\}
            [[ $mp == "$dir" || $mp == "$dir/"* ]] && mps+=("$mp")
        done </proc/self/mountinfo
        ((${#mps[@]})) || return 0
        for ((i = ${#mps[@]} - 1; i >= 0; i--)); do
            umount "${mps[i]}" 2>/dev/null || umount -l "${mps[i]}" 2>/dev/null || true
        done
    done
    nsx__say "nsx: could not unmount everything under $dir"
    return 1
}

# nsx__kill_leftovers DIR NETNS IDS: SIGTERM, then SIGKILL, every process
# nsx__daemon_pids finds for DIR, NETNS and the container IDS, until none is
# left.  Every pid once found is remembered: a container's init ignores
# SIGTERM and is reparented when its shim (conmon) dies.  Non-zero if some
# survived SIGKILL.
nsx__kill_leftovers() {
    local dir=$1 netns=$2 ids=$3 pid round
    local -a pids
    local -A seen=()
    for round in 1 2 3 4 5; do
        while read -r pid; do seen[$pid]=1; done \
            < <(nsx__daemon_pids "$dir" "$netns" "$ids")
        pids=()
        for pid in "${!seen[@]}"; do nsx__alive "$pid" && pids+=("$pid"); done
        ((${#pids[@]})) || break
        if ((round == 1)); then
            kill -TERM "${pids[@]}" 2>/dev/null || true
            nsx__wait_gone 3 "${pids[@]}" || true
        else
            kill -KILL "${pids[@]}" 2>/dev/null || true
            nsx__wait_gone 5 "${pids[@]}" || true
        fi
    done
    pids=()
    for pid in "${!seen[@]}"; do nsx__alive "$pid" && pids+=("$pid"); done
    if ((${#pids[@]})); then
        nsx__say "nsx: processes of the daemon at $dir survived SIGKILL: ${pids[*]}"
        return 1
    fi
}

# nsx__need_cgroups NAME: 0 if a cgroup file system is mounted (mounting one
# with Debian's cgroupfs-mount if there is none); NAME needs it.
nsx__need_cgroups() {
    # systemd mounts them; a machine without it (a container, a minimal VM)
    # may need Debian's cgroupfs-mount.
    if ! grep -qE '^[^ ]+ [^ ]+ cgroup2? ' /proc/self/mounts; then
        if command -v cgroupfs-mount >/dev/null; then
            cgroupfs-mount || true
        fi
        if ! grep -qE '^[^ ]+ [^ ]+ cgroup2? ' /proc/self/mounts; then
            nsx__say "nsx: no cgroup file system is mounted; $1 needs one (try: apt-get install cgroupfs-mount && cgroupfs-mount)"
            return 1
        fi
    fi
}

# nsx__dockerd_teardown DIR NETNS GRACE: remove containers (if the daemon
# answers), SIGTERM dockerd and wait GRACE seconds, SIGKILL whatever is left
# of it, unmount, delete the netns and DIR.
nsx__dockerd_teardown() {
    local dir=$1 netns=$2 grace=$3 host ids pid rc=0
    host=$(nsx_dockerd_host "$dir")

    if [[ -S $dir/docker.sock ]] && nsx_daemon_answers "$host"; then
        ids=$(timeout 20 "${NSX_DOCKER:-docker}" -H "$host" ps -aq 2>/dev/null) || ids=""
        if [[ -n $ids ]]; then
            # shellcheck disable=SC2086 # one id per word
            timeout 60 "${NSX_DOCKER:-docker}" -H "$host" rm -f $ids >/dev/null 2>&1 || true
        fi
    fi
    ids=$(nsx__container_ids "$dir")

    # dockerd first, gracefully: it stops its containerd itself.
    if [[ -s $dir/docker.pid ]]; then
        pid=$(<"$dir/docker.pid")
        if [[ $pid =~ ^[0-9]+$ ]] && nsx__alive "$pid" &&
            [[ $(nsx__cmdline "$pid") == *"$dir/"* ]]; then
            kill -TERM "$pid" 2>/dev/null || true
            if ! nsx__wait_gone "$grace" "$pid"; then
                nsx__say "nsx: dockerd $pid did not stop in ${grace}s, killing it"
            fi
        fi
    fi
    # Then everything left: containerd, shims, container processes, anything
    # in the netns.
    nsx__kill_leftovers "$dir" "$netns" "$ids" || rc=1

    nsx__umount_under "$dir" || rc=1
    if [[ -e /run/netns/$netns ]]; then
        ip netns del "$netns" 2>/dev/null || {
            nsx__say "nsx: could not delete network namespace $netns"
            rc=1
        }
    fi
    if [[ -e $dir ]]; then
        rm -rf --one-file-system -- "$dir" 2>/dev/null || {
            nsx__say "nsx: could not remove $dir"
            rc=1
        }
    fi
    return "$rc"
}

# nsx__spawn LOG CMD...: starts CMD as a daemon of ours; NSX__SPAWNED is its pid.
# Without job control the background subshell stays in our process group, so
# setsid(1) calls setsid() in place instead of forking and the pid stays the
# daemon's (matters only if the caller has `set -m`). The subshell closes
# inherited descriptors above 2 (a caller's pipes, bats' fd 3) so the daemon
# never holds them open; setsid detaches it from our terminal.
nsx__spawn() {
    local log=$1
    shift
    local -
    set +m
    (
        for fd in "/proc/$BASHPID/fd/"*; do
            fd=${fd##*/}
            ((fd > 2 && fd != 255)) && eval "exec $fd>&-"
        done
        exec setsid "$@" >"$log" 2>&1 </dev/null
    ) &
    NSX__SPAWNED=$!
    disown "$NSX__SPAWNED" 2>/dev/null || true
}

# nsx__seconds_since EPOCHREALTIME: the time since then, "0.6".
nsx__seconds_since() {
    awk -v a="$1" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }'
}

# nsx__await_start WHAT PID LOG WHERE TIMEOUT PROBE...: run PROBE every 0.1 s
# until it succeeds (0), or until PID exits or TIMEOUT seconds pass (1, after
# the end of LOG on stderr).  WHAT and WHERE name the daemon and its socket.
nsx__await_start() {
    local what=$1 pid=$2 log=$3 where=$4 timeout=$5 i
    shift 5
    for ((i = 0; i < timeout * 10; i++)); do
        "$@" && return 0
        if ! nsx__alive "$pid"; then
            nsx__say "nsx: $what exited during start-up; end of $log:"
            tail -n 25 "$log" >&2 2>/dev/null || true
            return 1
        fi
        sleep 0.1
    done
    nsx__say "nsx: $what did not answer on $where within ${timeout}s; end of $log:"
    tail -n 25 "$log" >&2 2>/dev/null || true
    return 1
}

# nsx_dockerd_start DIR NETNS: start a private dockerd in netns NETNS with all
# its state under DIR (wiping what an earlier run left there) and wait until
# it answers.  The socket is DIR/docker.sock, the log DIR/dockerd.log.
nsx_dockerd_start() {
    if (($# != 2)); then nsx__say "usage: nsx_dockerd_start DIR NETNS"; return 2; fi
    local dir=${1%/} netns=$2 host pid timeout=${NSX_START_TIMEOUT:-30} started
    nsx__check_dir "$dir" && nsx__check_netns "$netns" || return 2
    host=$(nsx_dockerd_host "$dir")

    if ! command -v dockerd >/dev/null || ! command -v nsenter >/dev/null \
        || ! command -v ip >/dev/null || ! command -v curl >/dev/null; then
        nsx__say "nsx: need dockerd, nsenter, ip and curl (packages docker.io util-linux iproute2 curl)"
        return 1
    fi

    nsx__need_cgroups dockerd || return 1

    # Leftovers of an earlier run with the same DIR/NETNS (a killed script).
    nsx__dockerd_teardown "$dir" "$netns" 5 || return 1

    mkdir -p "$dir" || return 1
    chmod 0711 "$dir" || return 1
    ip netns add "$netns" || { nsx__say "nsx: ip netns add $netns failed"; return 1; }
    ip -n "$netns" link set lo up || { nsx__say "nsx: cannot bring lo up in $netns"; return 1; }

    started=${EPOCHREALTIME/,/.}
    # `ip netns exec` would remount /sys and dockerd then dies ("Devices
    # cgroup isn't mounted"): enter only the network namespace.
    nsx__spawn "$dir/dockerd.log" nsenter --net="/run/netns/$netns" \
        dockerd --data-root "$dir/root" --exec-root "$dir/x" \
        -H "unix://$dir/docker.sock" --pidfile "$dir/docker.pid"
    pid=$NSX__SPAWNED

    if ! nsx__await_start dockerd "$pid" "$dir/dockerd.log" "$host" "$timeout" nsx_daemon_answers "$host"; then
        nsx__dockerd_teardown "$dir" "$netns" 5 >/dev/null 2>&1 || true
        return 1
    fi
    # shellcheck disable=SC2034 # for callers: start-up time, "0.6"
    NSX_DOCKERD_START_SECONDS=$(nsx__seconds_since "$started")
}

# nsx_dockerd_stop DIR NETNS: undo nsx_dockerd_start.  Safe to call when
# nothing runs; returns non-zero only if something could not be cleaned.
nsx_dockerd_stop() {
    if (($# != 2)); then nsx__say "usage: nsx_dockerd_stop DIR NETNS"; return 2; fi
    local dir=${1%/} netns=$2
    nsx__check_dir "$dir" && nsx__check_netns "$netns" || return 2
    nsx__dockerd_teardown "$dir" "$netns" "${NSX_STOP_TIMEOUT:-15}"
}

# nsx_daemon_answers HOST: GET /_ping answers OK within 2 seconds.
nsx_daemon_answers() {
    local host=${1:-} out
    case $host in
        unix://*)
            [[ -S ${host#unix://} ]] || return 1
            out=$(curl -s --max-time 2 --unix-socket "${host#unix://}" http://docker/_ping 2>/dev/null) ;;
        tcp://*)
            out=$(curl -s --max-time 2 "http://${host#tcp://}/_ping" 2>/dev/null) ;;
        *) return 1 ;;
    esac
    [[ $out == OK ]]
}

# nsx_image_build HOST: create image $NSX_IMAGE (local/busybox) on HOST from
# a static busybox if it is not there yet.  The image has /bin/busybox, a
# symlink per applet, /tmp, and /www/index.html ("hello from inside the
# container").  No registry needed.
nsx_image_build() {
    if (($# != 1)); then nsx__say "usage: nsx_image_build HOST"; return 2; fi
    local host=$1 image=${NSX_IMAGE:-local/busybox} bb=${NSX_BUSYBOX:-/bin/busybox}
    local rootfs applet rc
    local -a st

    if nsx__docker -H "$host" image inspect "$image" >/dev/null 2>&1; then
        return 0
    fi
    if [[ ! -x $bb ]]; then
        nsx__say "nsx: $bb not found (apt-get install busybox-static)"
        return 1
    fi
    # A dynamically linked busybox would not run in an empty rootfs.
    if command -v readelf >/dev/null &&
        LC_ALL=C readelf -l "$bb" 2>/dev/null | grep -q 'INTERP'; then
        nsx__say "nsx: $bb is dynamically linked; install busybox-static"
        return 1
    fi

    rootfs=$(mktemp -d "${TMPDIR:-/tmp}/nsx-rootfs.XXXXXX") || return 1
    (
        set -e
        mkdir -p "$rootfs/bin" "$rootfs/www" "$rootfs/tmp" "$rootfs/etc"
        chmod 1777 "$rootfs/tmp"
        chmod 0755 "$rootfs" "$rootfs/bin" "$rootfs/www" "$rootfs/etc"
        cp "$bb" "$rootfs/bin/busybox"
        chmod 0755 "$rootfs/bin/busybox"
        "$bb" --list | while read -r applet; do
            # Linking the applet called busybox would replace the binary
            # with a symlink to itself.
            [[ -z $applet || $applet == busybox || $applet == */* ]] && continue
            ln -sf busybox "$rootfs/bin/$applet"
        done
        printf 'hello from inside the container\n' >"$rootfs/www/index.html"
        chmod 0644 "$rootfs/www/index.html"
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
    ) || {
        nsx__say "nsx: could not assemble the rootfs in $rootfs"
        rm -rf -- "$rootfs"
        return 1
    }
    tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . |
        nsx__docker -H "$host" import --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
    st=("${PIPESTATUS[@]}")
    rm -rf -- "$rootfs"
    rc=0
    ((st[0] == 0 && st[1] == 0)) || rc=1
    if ((rc)); then
        nsx__say "nsx: importing $image into $host failed"
        return 1
    fi
    nsx__docker -H "$host" image inspect "$image" >/dev/null 2>&1
}

# --- Podman ------------------------------------------------------------------
# A private `podman system service` shares nothing with the machine's Podman:
# storage (--root, --runroot, --storage-driver), libpod's own state and its
# alive/reboot marker (--tmpdir), volumes (--volumepath), network
# definitions (--network-config-dir), events (--events-backend file, in
# --tmpdir), and a containers.conf of its own (CONTAINERS_CONF, which Podman
# also hands to conmon and so to `podman container cleanup`) whose only
# setting puts the container locks in files under --tmpdir: by default every
# Podman on the machine allocates lock numbers in one shared memory segment,
# /dev/shm/libpod_lock, where a service deleted with its DIR would leave its
# numbers allocated until the next reboot.  TMPDIR keeps image uploads (/var/tmp/api_load.tar*, which 4.3
# leaves behind) under DIR too.  Containers are meant to run with --net
# none: no CNI or netavark set-up is needed, and the service starts without
# any network configuration.  --cgroup-manager cgroupfs: no systemd here
# (containers land in /libpod_parent/libpod-ID); containers' runc state
# stays in /run/runc/ID, deleted with them.

nsx_podman_host() { printf 'unix://%s/podman.sock\n' "$1"; }

# nsx__check_podman_dir DIR: nsx__check_dir, and none of Podman's own.
nsx__check_podman_dir() {
    nsx__check_dir "$1" || return 1
    case $1 in
        /var/lib/containers* | /run/containers* | /var/run/containers* \
        | /run/libpod* | /run/podman* | /var/run/podman* | /run/runc* \
        | /run/crun* | /var/cache/containers* | /etc/containers*)
            nsx__say "nsx: refusing to use '$1' as a daemon directory"
            return 1 ;;
    esac
}

# nsx__podman_flags DIR: the global flags, one per line.  The storage
# driver is the one the service at DIR was started with (DIR/storage-driver):
# another one would not open its storage.
nsx__podman_flags() {
    local dir=$1 driver=${NSX_PODMAN_STORAGE_DRIVER:-overlay}
    [[ -s $dir/storage-driver ]] && read -r driver <"$dir/storage-driver"
    printf '%s\n' --root "$dir/root" --runroot "$dir/run" --tmpdir "$dir/tmp" \
        --volumepath "$dir/volumes" --network-config-dir "$dir/net" \
        --storage-driver "$driver" --cgroup-manager cgroupfs --events-backend file
}

# nsx_podman DIR ARG...: podman ARG... as the service at DIR sees things
# (same flags, same configuration).  For what the Docker API cannot do.
nsx_podman() {
    if (($# < 1)); then nsx__say "usage: nsx_podman DIR ARG..."; return 2; fi
    local dir=${1%/}
    local -a flags
    shift
    mapfile -t flags < <(nsx__podman_flags "$dir")
    CONTAINERS_CONF=$dir/containers.conf TMPDIR=$dir/tmp podman "${flags[@]}" "$@"
}

# nsx__podman_container_ids DIR: IDs of the containers in the storage of
# the Podman at DIR (any driver), space separated.
nsx__podman_container_ids() {
    local d ids=""
    for d in "$1"/root/*-containers/*/; do
        d=${d%/}
        d=${d##*/}
        [[ $d =~ ^[0-9a-f]{64}$ ]] && ids+="$d "
    done
    printf '%s' "$ids"
}

# nsx__podman_ping SOCK: if GET /_ping answers OK within 2 s, prints its
# Api-Version and Libpod-Api-Version headers ("1.41 4.3.1"; "?" if absent).
# nsx__podman_answers SOCKET: nsx__podman_ping, its versions kept in
# NSX__PODMAN_VERSIONS (a probe of nsx__await_start, which runs it in this shell).
nsx__podman_answers() { NSX__PODMAN_VERSIONS=$(nsx__podman_ping "$1"); }

nsx__podman_ping() {
    local out line api="?" libpod="?"
    [[ -S $1 ]] || return 1
    out=$(curl -s -i --max-time 2 --unix-socket "$1" http://podman/_ping 2>/dev/null) || return 1
    [[ ${out##*$'\n'} == OK ]] || return 1
    while IFS= read -r line; do
        line=${line%$'\r'}
        [[ -z $line ]] && break
        case ${line,,} in
            api-version:*) api=${line#*:} ;;
            libpod-api-version:*) libpod=${line#*:} ;;
        esac
    done <<<"$out"
    api=${api//[[:space:]]/}
    libpod=${libpod//[[:space:]]/}
    printf '%s %s\n' "${api:-?}" "${libpod:-?}"
}

# nsx__podman_teardown DIR GRACE: remove its containers (with podman
# itself: it works whether or not the service runs), SIGTERM the service and
# wait GRACE seconds, SIGKILL whatever is left of it, remove the containers'
# leftover cgroups and runc state, unmount, delete DIR.
nsx__podman_teardown() {
    local dir=$1 grace=$2 ids id pid rc=0 d
    local -a flags
    # Before and after the removal: a container that podman failed to remove
    # keeps its ID in storage, but one removed half-way may not.
    ids=$(nsx__podman_container_ids "$dir")
    if [[ -d $dir/root/libpod ]] && command -v podman >/dev/null; then
        mapfile -t flags < <(nsx__podman_flags "$dir")
        CONTAINERS_CONF=$dir/containers.conf TMPDIR=$dir/tmp timeout 60 \
            podman "${flags[@]}" rm --all --force --time 0 >/dev/null 2>&1 || true
    fi
    ids+=" $(nsx__podman_container_ids "$dir")"
    # A paused container's processes are frozen: no signal reaches them
    # until their cgroup thaws (cgroup v1 freezer, v2 cgroup.freeze).
    for id in $ids; do
        d=/sys/fs/cgroup/freezer/libpod_parent/libpod-$id/freezer.state
        [[ -f $d ]] && { echo THAWED >"$d" 2>/dev/null || true; }
        d=/sys/fs/cgroup/libpod_parent/libpod-$id/cgroup.freeze
        [[ -f $d ]] && { echo 0 >"$d" 2>/dev/null || true; }
    done

    # The service does not stop containers when it exits; they are gone
    # already, or handled below.
    if [[ -s $dir/podman.pid ]]; then
        pid=$(<"$dir/podman.pid")
        if [[ $pid =~ ^[0-9]+$ ]] && nsx__alive "$pid" &&
            [[ $(nsx__cmdline "$pid") == *"$dir/"* ]]; then
            kill -TERM "$pid" 2>/dev/null || true
            if ! nsx__wait_gone "$grace" "$pid"; then
                nsx__say "nsx: podman service $pid did not stop in ${grace}s, killing it"
            fi
        fi
    fi
    # Everything left: a service without a pidfile, conmon, cleanup
    # processes (all name DIR/), container processes (by cgroup).
    nsx__kill_leftovers "$dir" "" "$ids" || rc=1

    # What `podman container cleanup` does not get to do when conmon was
    # killed: the container's cgroups (empty now) and its runc state.
    for id in $ids; do
        for d in /sys/fs/cgroup/libpod_parent/libpod-"$id" \
            /sys/fs/cgroup/*/libpod_parent/libpod-"$id"; do
            [[ -d $d ]] && { rmdir "$d" 2>/dev/null || true; }
        done
        [[ -d /run/runc/$id ]] && { rm -rf -- "/run/runc/$id" 2>/dev/null || true; }
    done

    nsx__umount_under "$dir" || rc=1
    if [[ -e $dir ]]; then
        rm -rf --one-file-system -- "$dir" 2>/dev/null || {
            nsx__say "nsx: could not remove $dir"
            rc=1
        }
    fi
    return "$rc"
}

# nsx_podman_start DIR: start a private Podman API service with all its state
# under DIR (wiping what an earlier run left there) and wait until it
# answers.  The socket is DIR/podman.sock, the log DIR/podman.log, the pid
# in DIR/podman.pid.  Prints the API versions it announces.
nsx_podman_start() {
    if (($# != 1)); then nsx__say "usage: nsx_podman_start DIR"; return 2; fi
    local dir=${1%/} host pid timeout=${NSX_START_TIMEOUT:-30} started
    local -a flags
    nsx__check_podman_dir "$dir" || return 2
    host=$(nsx_podman_host "$dir")

    if ! command -v podman >/dev/null || ! command -v curl >/dev/null; then
        nsx__say "nsx: need podman and curl (packages podman curl)"
        return 1
    fi
    nsx__need_cgroups podman || return 1

    # Leftovers of an earlier run with the same DIR (a killed script).
    nsx__podman_teardown "$dir" 5 || return 1

    mkdir -p "$dir/tmp" || return 1
    chmod 0711 "$dir" || return 1
    printf '%s\n' '# nsx_podman_start: the only configuration of this service' \
        '[engine]' \
        '# Locks in files under --tmpdir, not in the host-wide /dev/shm/libpod_lock.' \
        'lock_type = "file"' >"$dir/containers.conf" || return 1
    printf '%s\n' "${NSX_PODMAN_STORAGE_DRIVER:-overlay}" >"$dir/storage-driver" || return 1
    mapfile -t flags < <(nsx__podman_flags "$dir")

    started=${EPOCHREALTIME/,/.}
    nsx__spawn "$dir/podman.log" env CONTAINERS_CONF="$dir/containers.conf" TMPDIR="$dir/tmp" \
        podman "${flags[@]}" system service --time=0 "unix://$dir/podman.sock"
    pid=$NSX__SPAWNED
    printf '%s\n' "$pid" >"$dir/podman.pid"

    if ! nsx__await_start "the podman service" "$pid" "$dir/podman.log" "$host" "$timeout" \
        nsx__podman_answers "$dir/podman.sock"; then
        nsx__podman_teardown "$dir" 5 >/dev/null 2>&1 || true
        return 1
    fi
    # shellcheck disable=SC2034 # for callers
    NSX_PODMAN_START_SECONDS=$(nsx__seconds_since "$started")
    NSX_PODMAN_API_VERSION=${NSX__PODMAN_VERSIONS%% *}
    # shellcheck disable=SC2034 # for callers
    NSX_PODMAN_LIBPOD_API_VERSION=${NSX__PODMAN_VERSIONS#* }
    printf 'Api-Version: %s, Libpod-Api-Version: %s\n' \
        "$NSX_PODMAN_API_VERSION" "$NSX_PODMAN_LIBPOD_API_VERSION"
}

# nsx_podman_stop DIR: undo nsx_podman_start.  Safe to call when nothing
# runs; returns non-zero only if something could not be cleaned.
nsx_podman_stop() {
    if (($# != 1)); then nsx__say "usage: nsx_podman_stop DIR"; return 2; fi
    local dir=${1%/}
    nsx__check_podman_dir "$dir" || return 2
    nsx__podman_teardown "$dir" "${NSX_STOP_TIMEOUT:-15}"
}

# nsx_podman_image_build HOST: image $NSX_IMAGE (local/busybox) on the
# Podman service at HOST.  Podman's Docker-compatible API takes the docker
# CLI's `import` as dockerd does (it stores docker.io/local/busybox and
# answers to local/busybox), so this is nsx_image_build, named for the
# reader.
nsx_podman_image_build() {
    if (($# != 1)); then nsx__say "usage: nsx_podman_image_build HOST"; return 2; fi
    nsx_image_build "$1"
}

# nsx_install_packages PKG...: install the Debian packages that are not
# installed yet (apt-get update once, first).  Quiet unless something fails.
nsx_install_packages() {
    local p status
    local -a missing=()
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) || status=""
        [[ $status == ii* ]] || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    if ! command -v apt-get >/dev/null; then
        nsx__say "nsx: missing packages ${missing[*]} and no apt-get to install them"
        return 1
    fi
    if ((EUID != 0)); then
        nsx__say "nsx: missing packages ${missing[*]}; run as root to install them"
        return 1
    fi
    nsx__say "Installing: ${missing[*]}"
    # Output is kept and shown only on failure (debconf and needrestart are
    # chatty on stderr even when all is well).
    local log
    log=$(mktemp "${TMPDIR:-/tmp}/nsx-apt.XXXXXX") || return 1
    if [[ -z ${NSX__APT_UPDATED:-} ]]; then
        if ! DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1; then
            tail -n 20 "$log" >&2
            rm -f -- "$log"
            nsx__say "nsx: apt-get update failed"
            return 1
        fi
        NSX__APT_UPDATED=1
    fi
    if ! DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 \
        apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 \
        "${missing[@]}" >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        rm -f -- "$log"
        nsx__say "nsx: apt-get install ${missing[*]} failed"
        return 1
    fi
    rm -f -- "$log"
}
