#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# contrib/demo.sh - show docker-nsexec reaching a service that listens on a
# container's own 127.0.0.1, on a fresh Debian 12 machine, as root.
# `contrib/demo.sh --stop` removes what it started.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: contrib/demo.sh [--stop]

Installs what is missing, builds build/src/docker-nsexec, and runs a container
nsx-demo-web (image local/busybox, --net none) whose httpd listens on its own
127.0.0.1:8080. Then it shows that curl from the host cannot reach it and that
docker-nsexec can.

It uses your Docker daemon (DOCKER_HOST if it is a unix socket, else
/var/run/docker.sock) if it answers; otherwise it starts a private one in
network namespace nsx-demo, with its state in /run/nsx-demo.

  --stop       remove the container, and the image and private daemon if this
               script created them
  -h, --help   show this help

Run as root.
EOF
}

stop=0
case ${1:-} in
    "") ;;
    --stop) stop=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "demo.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac
(($# <= 1)) || { echo "demo.sh: too many arguments (try --help)" >&2; exit 2; }

die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '==> %s\n' "$*"; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Paths as the user should type them from where they are.
if [[ $PWD == "$root" ]]; then rel=""; else rel="$root/"; fi
cd "$root"
# shellcheck source=contrib/lib/dockerd.sh
. "$root/contrib/lib/dockerd.sh"

((EUID == 0)) || die "run me as root (I may install packages, start a Docker daemon, and enter namespaces)"

demo_dir=/run/nsx-demo
demo_netns=nsx-demo
state=/run/nsx-demo.state
name=nsx-demo-web
image=local/busybox
tool=build/src/docker-nsexec

# State: which daemon the demo uses, whether it started it, whether it
# created the image there.  Lines key=value; read, never sourced.
st_host="" st_private=0 st_image=0
read_state() {
    local key value
    [[ -f $state ]] || return 1
    while IFS='=' read -r key value; do
        case $key in
            host) st_host=$value ;;
            private) [[ $value == 1 ]] && st_private=1 ;;
            image_created) [[ $value == 1 ]] && st_image=1 ;;
        esac
    done <"$state"
}
write_state() {
    printf 'host=%s\nprivate=%s\nimage_created=%s\n' "$st_host" "$st_private" "$st_image" >"$state.tmp"
    mv -f "$state.tmp" "$state"
}

# --- --stop ------------------------------------------------------------------
if ((stop)); then
    read_state || true
    if [[ -z $st_host && ! -e $demo_dir && ! -e /run/netns/$demo_netns ]]; then
        echo "Nothing to stop."
        exit 0
    fi
    if [[ -n $st_host ]] && nsx_daemon_answers "$st_host"; then
        if docker -H "$st_host" container inspect "$name" >/dev/null 2>&1; then
            docker -H "$st_host" rm -f "$name" >/dev/null || die "could not remove container $name on $st_host"
            say "Removed container $name"
        fi
        if ((st_image && !st_private)); then
            docker -H "$st_host" image rm "$image" >/dev/null 2>&1 &&
                say "Removed image $image"
        fi
    fi
    if ((st_private)) || [[ -e $demo_dir || -e /run/netns/$demo_netns ]]; then
        nsx_dockerd_stop "$demo_dir" "$demo_netns" || die "could not stop the private daemon in $demo_dir cleanly"
        say "Stopped the private Docker daemon and removed netns $demo_netns"
    fi
    rm -f "$state"
    exit 0
fi

# --- packages and build ------------------------------------------------------
nsx_install_packages \
    meson ninja-build pkg-config gcc libcurl4-openssl-dev libcjson-dev \
    docker.io cgroupfs-mount busybox-static curl iproute2 ||
    die "could not install the packages needed"

buildlog=$(mktemp "${TMPDIR:-/tmp}/nsx-demo-build.XXXXXX")
trap 'rm -f "$buildlog"' EXIT
if [[ ! -f build/meson-private/coredata.dat ]]; then
    meson setup build >"$buildlog" 2>&1 || {
        tail -n 30 "$buildlog" >&2
        die "meson setup build failed (output above)"
    }
fi
meson compile -C build >"$buildlog" 2>&1 || {
    tail -n 30 "$buildlog" >&2
    die "build failed (output above)"
}
[[ -x $tool ]] || die "build succeeded but $tool is missing"
say "Built $rel$tool"

# --- a Docker daemon ---------------------------------------------------------
read_state || true
host=""
private=0
image_created=$st_image
if ((st_private)) && nsx_daemon_answers "$st_host"; then
    host=$st_host private=1 # our private daemon from an earlier run
    say "Docker daemon: private one from an earlier run, $host"
else
    if ((st_private)) || [[ -e $demo_dir || -e /run/netns/$demo_netns ]]; then
        nsx_dockerd_stop "$demo_dir" "$demo_netns" >/dev/null 2>&1 || true
        image_created=0
    fi
    user_host=${DOCKER_HOST:-unix:///var/run/docker.sock}
    if [[ $user_host != unix://* ]]; then
        say "DOCKER_HOST=$user_host is not a unix socket, which docker-nsexec needs; ignoring it"
    elif nsx_daemon_answers "$user_host"; then
        host=$user_host
        say "Docker daemon: yours, $host"
        [[ $st_host == "$host" ]] || image_created=0
    fi
    if [[ -z $host ]]; then
        say "No usable Docker daemon; starting a private one (netns $demo_netns)"
        nsx_dockerd_start "$demo_dir" "$demo_netns" || {
            nsx_dockerd_stop "$demo_dir" "$demo_netns" >/dev/null 2>&1 || true
            die "could not start a private Docker daemon"
        }
        host=$(nsx_dockerd_host "$demo_dir")
        private=1
        image_created=0
        say "Docker daemon: private, $host (up in ${NSX_DOCKERD_START_SECONDS:-?}s)"
    fi
fi
st_host=$host st_private=$private st_image=$image_created
write_state

# --- image and container -----------------------------------------------------
if ! docker -H "$host" image inspect "$image" >/dev/null 2>&1; then
    NSX_IMAGE=$image nsx_image_build "$host" || die "could not build image $image"
    st_image=1
    write_state
    say "Imported image $image (static busybox, /www/index.html)"
fi

docker -H "$host" rm -f "$name" >/dev/null 2>&1 || true
docker -H "$host" run -d --name "$name" --net none "$image" \
    httpd -f -p 127.0.0.1:8080 -h /www >/dev/null || die "docker run failed"
pid=$(docker -H "$host" inspect -f '{{.State.Pid}}' "$name") || die "cannot inspect $name"
[[ $pid =~ ^[1-9][0-9]*$ ]] || die "container $name is not running: $(docker -H "$host" logs "$name" 2>&1 | tail -n 1)"
# Wait (independently of the tool under demonstration) until httpd listens.
for ((i = 0; i < 50; i++)); do
    nsenter -t "$pid" -n curl -s --max-time 1 -o /dev/null http://127.0.0.1:8080/ && break
    sleep 0.1
done
say "Started container $name: --net none, httpd on its own 127.0.0.1:8080"

# --- the demonstration -------------------------------------------------------
prefix=""
((private)) && prefix="DOCKER_HOST=$host "

echo
echo "From the host, the service is out of reach:"
echo "\$ curl -sS --max-time 2 http://127.0.0.1:8080/"
if curl -sS --max-time 2 http://127.0.0.1:8080/; then
    echo "(something on the host itself listens on 127.0.0.1:8080, so this answer is not the container's)"
else
    echo "(fails, as expected: the container's 127.0.0.1 is not the host's)"
fi

echo
echo "With docker-nsexec, the host's curl runs in the container's network namespace:"
echo "\$ $prefix$rel$tool $name curl -sS http://127.0.0.1:8080/"
if ((private)); then
    DOCKER_HOST=$host "$tool" "$name" curl -sS http://127.0.0.1:8080/ || die "docker-nsexec failed (see above)"
else
    "$tool" "$name" curl -sS http://127.0.0.1:8080/ || die "docker-nsexec failed (see above)"
fi

echo
echo "Try next:"
echo "  $prefix$rel$tool $name ip addr"
echo "  $prefix$rel$tool $name ss -ltn"
echo "  $prefix$rel$tool --listeners      # what listens where, and whether published ports work"
echo "Stop the demo:"
echo "  ${rel}contrib/demo.sh --stop"
