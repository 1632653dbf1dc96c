# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# contrib/lib/containerd.sh - a private containerd with its CRI plugin for
# contrib/test.sh: the CRI engine (Kubernetes' runtime.v1 over gRPC) that the
# cri integration suite talks to, as kubelet would.
#
# Source it (it sources contrib/lib/dockerd.sh beside it, for the shared
# helpers); sourcing has no side effects.  Same conventions as dockerd.sh:
# every function returns non-zero on failure with a one-line reason on
# stderr, none calls exit, with or without `set -e`.  Needs root, bash >= 4.4
# and Debian 12's containerd (1.6), runc and containernetworking-plugins.
#
#   nsx_containerd_start DIR NETNS   containerd with CRI, all state under DIR,
#                                    socket DIR/containerd.sock, in network
#                                    namespace /run/netns/NETNS, where a CNI
#                                    bridge gives each pod an address
#   nsx_containerd_stop DIR NETNS    stop it, its shims and every container
#                                    process, unmount, remove the pods' cgroups
#                                    (runc leaves kubelet's pod parents), the
#                                    shims' sockets, DIR and the netns
#   nsx_containerd_endpoint DIR      prints unix://DIR/containerd.sock
#   nsx_cri_images_build OUTDIR      OUTDIR/pause.tar and OUTDIR/busybox.tar
#                                    (contrib/lib/cri-images.py: the pod
#                                    sandbox image and the tests' image)
#   nsx_cri_images_import DIR OUTDIR imports both into the CRI's image store
#                                    (containerd namespace k8s.io) of the
#                                    containerd at DIR
#
# The images are localhost/nsx/pause:1 (the configured sandbox image: no
# pull ever happens) and localhost/nsx/busybox:1.  Settings:
#   NSX_START_TIMEOUT   seconds nsx_containerd_start waits (30)
#   NSX_STOP_TIMEOUT    seconds nsx_containerd_stop waits after SIGTERM (15)
#   NSX_BUSYBOX         static busybox binary (default /bin/busybox)
# nsx_containerd_start sets NSX_CONTAINERD_START_SECONDS (e.g. "0.3").
#
# Nothing here touches a containerd that is not at DIR: processes are only
# signalled if their command line references DIR/ (containerd and its shims,
# whose -address is DIR/containerd.sock), if they live in the netns NETNS, if
# their cgroup names a container or pod sandbox of DIR's state, or if they
# descend from one of those.  Cgroups are only removed where a task of DIR's
# state said its container's cgroup was, and only when empty.
#
# Keep DIR short (at most 72 bytes): containerd's sockets are under it and a
# unix socket path holds 107 bytes.  A pod's shim socket is not: containerd
# 1.6 puts it in /run/containerd/s/ (named by a hash of the containerd
# address, so a private containerd never collides with the machine's); a
# shim that is killed leaves it there, and nsx_containerd_stop removes ours.

# shellcheck source=contrib/lib/dockerd.sh
[[ $(type -t nsx__say) == function ]] || . "${BASH_SOURCE[0]%/*}/dockerd.sh"

nsx_containerd_endpoint() { printf 'unix://%s/containerd.sock\n' "$1"; }

# nsx__check_containerd_dir DIR: nsx__check_dir, and none of containerd's
# own places.
nsx__check_containerd_dir() {
    nsx__check_dir "$1" || return 1
    case $1 in
        /var/lib/containerd* | /run/containerd* | /var/run/containerd* \
        | /run/k3s* | /run/crio* | /var/lib/kubelet* | /etc/containerd* | /etc/cni*)
            nsx__say "nsx: refusing to use '$1' as a daemon directory"
            return 1 ;;
    esac
}

# nsx__containerd_config DIR RUNC: the configuration (version 2) for the
# containerd at DIR, on stdout.
nsx__containerd_config() {
    local dir=$1 runc=$2
    cat <<EOF
# Written by nsx_containerd_start (contrib/lib/containerd.sh); deleted with $dir.
version = 2
root = "$dir/root"
state = "$dir/state"
# The CRI plugin clamps containers' OOM score adjustments to this one (below).
oom_score = 0

[grpc]
  address = "$dir/containerd.sock"

[ttrpc]
  address = "$dir/containerd.sock.ttrpc"

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$dir/opt"

  [plugins."io.containerd.grpc.v1.cri"]
    # Imported by nsx_cri_images_import: with the image present nothing is
    # pulled (no registry is reachable on a test machine).
    sandbox_image = "localhost/nsx/pause:1"
    # exec/attach/port-forward URLs: on the private netns's loopback only.
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    enable_selinux = false
    disable_apparmor = true
    # Without CAP_SYS_RESOURCE (containers, some VMs) the pause container's
    # oomScoreAdj -998 makes runc fail ("can't get final child's PID from
    # pipe: EOF"): clamp it to containerd's own score.
    restrict_oom_score_adj = true
    # Pod network namespaces bound under DIR/state, not /var/run/netns.
    netns_mounts_under_state_dir = true

    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      discard_unpacked_layers = false

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          # cgroupfs, as kubelet's cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>
          SystemdCgroup = false
          BinaryName = "$runc"
          # runc's state under DIR, not in the machine's /run/containerd/runc
          Root = "$dir/runc"

    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$dir/net.d"
      max_conf_num = 1

    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = ""
EOF
}

# nsx__containerd_cni DIR: the CNI configuration: a bridge with host-local
# addresses, in the private netns only (so its name and subnet never meet
# the machine's), its lease files under DIR.
nsx__containerd_cni() {
    cat <<EOF
{
  "cniVersion": "0.4.0",
  "name": "nsx-cri",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "nsxcri0",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "10.88.77.0/24" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$1/cni-ipam"
      }
    }
  ]
}
EOF
}

# nsx__containerd_tasks DIR: one line per task (container or pod sandbox)
# that DIR's state knows: "ID CGROUPSPATH SHIMSOCKET INITPID", from each
# task's bundle (config.json, address, init.pid).  A field it cannot find is
# "-".
nsx__containerd_tasks() {
    local b id cg addr init
    for b in "$1"/state/io.containerd.runtime.v2.task/*/*/; do
        [[ -d $b ]] || continue
        b=${b%/}
        id=${b##*/}
        [[ $id =~ ^[0-9a-f]{64}$ ]] || continue
        cg=-
        if [[ -f $b/config.json ]]; then
            cg=$(grep -o '"cgroupsPath": *"[^"]*"' "$b/config.json" 2>/dev/null | head -n 1)
            cg=${cg%\"}
            cg=${cg##*\"}
            [[ $cg == /* && $cg != *..* ]] || cg=-
        fi
        addr=-
        if [[ -f $b/address ]]; then
            read -r addr <"$b/address" || true
            addr=${addr#unix://}
            [[ $addr == /run/containerd/s/* && $addr != *..* ]] || addr=-
        fi
        init=-
        if [[ -f $b/init.pid ]]; then
            read -r init <"$b/init.pid" || true
            [[ $init =~ ^[0-9]+$ ]] || init=-
        fi
        printf '%s %s %s %s\n' "$id" "$cg" "$addr" "$init"
    done
}

# nsx__rmdir_cgroup PATH: rmdir PATH (a cgroup path, "/kubepods/...") in
# every mounted hierarchy, then its ancestors while they are empty.  rmdir
# never removes a cgroup that has processes or children.
nsx__rmdir_cgroup() {
    local rel=${1#/} mnt d
    [[ -n $rel ]] || return 0
    while read -r _ mnt fstype _; do
        [[ $fstype == cgroup || $fstype == cgroup2 ]] || continue
        d=$mnt/$rel
        while [[ $d != "$mnt" && -d $d ]]; do
            rmdir "$d" 2>/dev/null || break
            d=${d%/*}
        done
    done </proc/self/mounts
}

# nsx__containerd_teardown DIR NETNS GRACE: SIGTERM containerd, its shims
# and containers (SIGKILL after GRACE seconds), unmount, remove the
# containers' cgroups and the shims' sockets, delete the netns and DIR.
nsx__containerd_teardown() {
    local dir=$1 netns=$2 grace=$3 pid rc=0 id cg addr init ids="" pcg
    local -a cgroups=() sockets=() inits=()

    # Read before anything stops: a shim that exits cleanly deletes its bundle.
    while read -r id cg addr init; do
        ids+="$id "
        [[ $cg != - ]] && cgroups+=("$cg")
        [[ $addr != - ]] && sockets+=("$addr")
        # A container's first process, if its cgroup still names the
        # container (the pid file may be stale): the PID 1 of its namespace,
        # which ignores SIGTERM; SIGKILL ends it and all its namespace.
        if [[ $init != - ]]; then
            pcg=""
            read -r -d '' pcg 2>/dev/null <"/proc/$init/cgroup"
            [[ $pcg == *"$id"* ]] && inits+=("$init")
        fi
    done < <(nsx__containerd_tasks "$dir")
    if ((${#inits[@]})); then
        kill -KILL "${inits[@]}" 2>/dev/null || true
    fi

    # containerd first, gracefully; it leaves its shims (and their
    # containers) running, as it is meant to.
    if [[ -s $dir/containerd.pid ]]; then
        pid=$(<"$dir/containerd.pid")
        if [[ $pid =~ ^[0-9]+$ ]] && nsx__alive "$pid" &&
            [[ $(nsx__cmdline "$pid") == *"$dir/"* ]]; then
            kill -TERM "$pid" 2>/dev/null || true
            if ! nsx__wait_gone "$grace" "$pid"; then
                nsx__say "nsx: containerd $pid did not stop in ${grace}s, killing it"
            fi
        fi
    fi
    # Shims (-address DIR/containerd.sock), their containers (descendants, or
    # by cgroup once reparented), anything in the netns.
    nsx__kill_leftovers "$dir" "$netns" "$ids" || rc=1

    # runc deletes a container's cgroup only when its shim asks it to; the pod
    # parent (/kubepods/besteffort/pod<uid>) is kubelet's to remove.
    for cg in "${cgroups[@]}"; do
        nsx__rmdir_cgroup "$cg"
    done
    for addr in "${sockets[@]}"; do
        [[ -S $addr ]] && { rm -f -- "$addr" 2>/dev/null || true; }
    done

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

# nsx_containerd_start DIR NETNS: start a private containerd with its CRI
# plugin in netns NETNS, all its state under DIR (wiping what an earlier run
# left there), and wait until it answers.  The log is DIR/containerd.log,
# the pid in DIR/containerd.pid.
nsx_containerd_start() {
    if (($# != 2)); then nsx__say "usage: nsx_containerd_start DIR NETNS"; return 2; fi
    local dir=${1%/} netns=$2 pid timeout=${NSX_START_TIMEOUT:-30} started p
    nsx__check_containerd_dir "$dir" && nsx__check_netns "$netns" || return 2

    for p in containerd ctr runc nsenter ip; do
        if ! command -v "$p" >/dev/null; then
            nsx__say "nsx: need containerd, ctr, runc, nsenter and ip (packages containerd runc util-linux iproute2)"
            return 1
        fi
    done
    for p in bridge host-local loopback; do
        if [[ ! -x /usr/lib/cni/$p ]]; then
            nsx__say "nsx: need the CNI plugin /usr/lib/cni/$p (package containernetworking-plugins)"
            return 1
        fi
    done
    nsx__need_cgroups containerd || return 1

    # Leftovers of an earlier run with the same DIR/NETNS (a killed script).
    nsx__containerd_teardown "$dir" "$netns" 5 || return 1

    mkdir -p "$dir/net.d" || return 1
    chmod 0711 "$dir" || return 1
    nsx__containerd_config "$dir" "$(command -v runc)" >"$dir/containerd.toml" || return 1
    nsx__containerd_cni "$dir" >"$dir/net.d/10-nsx-cri.conflist" || return 1
    ip netns add "$netns" || { nsx__say "nsx: ip netns add $netns failed"; return 1; }
    ip -n "$netns" link set lo up || { nsx__say "nsx: cannot bring lo up in $netns"; return 1; }

    started=${EPOCHREALTIME/,/.}
    # Only the network namespace: the mount namespace stays the machine's, so
    # clients see the socket, /proc/PID and the pods' bind mounts.
    nsx__spawn "$dir/containerd.log" nsenter --net="/run/netns/$netns" \
        containerd --config "$dir/containerd.toml"
    pid=$NSX__SPAWNED
    printf '%s\n' "$pid" >"$dir/containerd.pid"

    if ! nsx__await_start containerd "$pid" "$dir/containerd.log" "$dir/containerd.sock" "$timeout" \
        nsx__containerd_answers "$dir/containerd.sock"; then
        nsx__containerd_teardown "$dir" "$netns" 5 >/dev/null 2>&1 || true
        return 1
    fi
    # shellcheck disable=SC2034 # for callers: start-up time, "0.3"
    NSX_CONTAINERD_START_SECONDS=$(nsx__seconds_since "$started")
}

# nsx__containerd_answers SOCKET: `ctr version` answers there, which it does once
# the gRPC server is up (the CRI plugin is registered before it serves).
nsx__containerd_answers() {
    [[ -S $1 ]] && timeout 2 ctr --address "$1" version >/dev/null 2>&1
}

# nsx_containerd_stop DIR NETNS: undo nsx_containerd_start.  Safe to call
# when nothing runs; returns non-zero only if something could not be cleaned.
nsx_containerd_stop() {
    if (($# != 2)); then nsx__say "usage: nsx_containerd_stop DIR NETNS"; return 2; fi
    local dir=${1%/} netns=$2
    nsx__check_containerd_dir "$dir" && nsx__check_netns "$netns" || return 2
    nsx__containerd_teardown "$dir" "$netns" "${NSX_STOP_TIMEOUT:-15}"
}

# nsx_cri_images_build OUTDIR: the two image archives, from $NSX_BUSYBOX.
nsx_cri_images_build() {
    if (($# != 1)); then nsx__say "usage: nsx_cri_images_build OUTDIR"; return 2; fi
    local bb=${NSX_BUSYBOX:-/bin/busybox}
    if [[ ! -x $bb ]]; then
        nsx__say "nsx: $bb not found (apt-get install busybox-static)"
        return 1
    fi
    python3 "${BASH_SOURCE[0]%/*}/cri-images.py" "$1" "$bb" || {
        nsx__say "nsx: could not build the CRI images in $1"
        return 1
    }
}

# nsx_cri_images_import DIR OUTDIR: import OUTDIR's archives into the
# containerd at DIR, in namespace k8s.io (the CRI plugin's): ctr unpacks them
# for the default snapshotter, the CRI's, and the CRI sees them at once.
nsx_cri_images_import() {
    if (($# != 2)); then nsx__say "usage: nsx_cri_images_import DIR OUTDIR"; return 2; fi
    local dir=${1%/} out=$2 t
    for t in pause busybox; do
        if ! ctr --address "$dir/containerd.sock" --namespace k8s.io images import \
            "$out/$t.tar" >/dev/null 2>&1; then
            nsx__say "nsx: ctr images import $out/$t.tar into the containerd at $dir failed"
            return 1
        fi
    done
}
