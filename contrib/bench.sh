#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# contrib/bench.sh - docker-nsexec against its peers, side by side, with
# hyperfine, on a private dockerd.  Not a test: it measures and reports.
#
#   1. builds build-bench/ (default options, the system libcurl),
#      build-bench-lean/ (-Dlean_curl=true) and build-bench-static/ (the
#      static musl binary, -Dstatic_binary=true) unless NSX_BENCH_BIN /
#      NSX_BENCH_LEAN_BIN / NSX_BENCH_STATIC_BIN name binaries to measure instead
#   2. starts its own dockerd (state in $NSX_BENCH_DIR, network namespace
#      $NSX_BENCH_NETNS) and the seed container `web` (--net none, httpd on
#      its own 127.0.0.1:8080)
#   3. one hyperfine run per comparison, every command of a comparison in it:
#        lookup:    docker-nsexec web true (default, lean and static build),
#                   nsenter -t "$(docker inspect …)" -n true, docker exec,
#                   nsenter -t PID -n true (PID known: the floor),
#                   curl --unix-socket … /containers/web/json (one request)
#        cri:       on its own containerd with CRI ($NSX_BENCH_CRI_DIR, netns
#                   $NSX_BENCH_CRI_NETNS) and one pod `bench` with a container
#                   `web` (httpd on the pod's 127.0.0.1:80):
#                   docker-nsexec --runtime-endpoint … bench/web true,
#                   a Python CRI client (tests/cri-client.py) finding the
#                   container and printing its pid, then nsenter -n true,
#                   nsenter -t PID -n true (the floor), and the Docker path
#                   (docker-nsexec web true, the lookup section's figure);
#                   docker-nsexec -v's gRPC calls counted
#        listeners: docker-nsexec --listeners [--json] at 100 and 300
#                   ($NSX_BENCH_LISTENER_CONTAINERS) containers with a listener,
#                   against the same binary reading /proc (tests/enosys.c
#                   --sockdiag) and a docker inspect + nsenter ss loop; each
#                   also with 10,000 ($NSX_BENCH_ESTABLISHED) established
#                   loopback connections open on the host
#        list:      docker-nsexec --list vs docker ps --format '{{.Names}}'
#                   with $NSX_BENCH_CONTAINERS running containers
#        forwarding: docker-nsexec --forward against docker-proxy, socat
#                   run in the namespace, and a direct connection inside it:
#                   iperf3 throughput, wrk requests/s and latency with and
#                   without keep-alive, and the forwarders' memory with
#                   $NSX_BENCH_FWD_OPEN connections open
#      (a section whose option the binary lacks is skipped, and says so;
#      NSX_BENCH_SECTIONS picks sections)
#   4. peak RSS (/usr/bin/time -f %M) of every command
#   5. stops everything it started (also on failure or interruption), writes
#      markdown tables into $NSX_BENCH_OUT and prints a summary ready to paste
#
# Root, Debian 12.  Installs hyperfine, time, iperf3, wrk, socat, nginx-light
# and what the daemons need (containerd, runc, CNI plugins, python3-grpcio and
# protoc for the CRI section).
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: contrib/bench.sh [-h|--help]

Benchmarks docker-nsexec (default and lean build) against docker inspect +
nsenter, docker exec, nsenter with a known PID and a single curl request, and
docker-nsexec --forward against docker-proxy and socat, on a private Docker
daemon it starts and stops itself; and docker-nsexec over CRI against a Python
CRI client + nsenter, on a private containerd it starts and stops itself. Prints a markdown summary
(medians, ratios, targets, peak RSS) and leaves the hyperfine tables in
$NSX_BENCH_OUT.

Environment:
  NSX_BENCH_CONTAINERS            running containers for the --list comparison (1000;
                                  each has a containerd shim of ~10 MB: 1000 need ~10 GB)
  NSX_BENCH_LISTENER_CONTAINERS   counts of containers with a listener for --listeners,
                                  ascending ("100 300")
  NSX_BENCH_ESTABLISHED           established loopback connections held open on the host
                                  for the second --listeners run at each count (10000)
  NSX_BENCH_RUNS                  hyperfine runs of the lookup comparison (200)
  NSX_BENCH_SLOW_RUNS             runs of the list and listeners comparisons (20)
  NSX_BENCH_PARALLEL              docker run clients at once when filling (8)
  NSX_BENCH_SECTIONS              the sections to run, of: lookup cri forward listeners list
                                  (all five)
  NSX_BENCH_FWD_SECONDS           seconds of each iperf3 and wrk run (5)
  NSX_BENCH_FWD_ROUNDS            rounds over every forwarding path; medians (3)
  NSX_BENCH_FWD_CONNECTIONS       wrk's connections (50)
  NSX_BENCH_FWD_THREADS           wrk's threads (1)
  NSX_BENCH_FWD_OPEN              connections held open for the memory figures (1000)
  NSX_BENCH_FWD_SOCAT_LISTEN      socat's TCP-LISTEN options (fork,reuseaddr,backlog=4096;
                                  its default backlog, 5, drops connections under load)
  NSX_BENCH_DIR, NSX_BENCH_NETNS  the private daemon (/run/nsx-bench, nsx-bench)
  NSX_BENCH_CRI_DIR, NSX_BENCH_CRI_NETNS  the private containerd of the cri section
                                  (/run/nsx-bench-cri, nsx-bench-cri)
  NSX_BENCH_OUT                   result directory (build-bench/results)
  NSX_BENCH_BIN, NSX_BENCH_LEAN_BIN  binaries to measure instead of building
  NSX_BENCH_STATIC_BIN            ... and the static one (contrib/release.sh's, say)
  NSX_BENCH_LIST_ARGS             arguments of the listing (--list)
  NSX_BENCH_LISTENERS_ARGS        arguments of the listeners report (--listeners)
  NSX_BENCH_LISTENERS_JSON_ARGS   ... and of its JSON form (--listeners --json)
EOF
}
case ${1:-} in
    -h | --help) usage; exit 0 ;;
    "") ;;
    *) usage >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=contrib/lib/dockerd.sh
. "$root/contrib/lib/dockerd.sh"
# shellcheck source=contrib/lib/containerd.sh
. "$root/contrib/lib/containerd.sh"

n_containers=${NSX_BENCH_CONTAINERS:-1000}
listener_counts=${NSX_BENCH_LISTENER_CONTAINERS:-100 300}
n_listeners=${listener_counts##* }
n_established=${NSX_BENCH_ESTABLISHED:-10000}
runs=${NSX_BENCH_RUNS:-200}
slow_runs=${NSX_BENCH_SLOW_RUNS:-20}
parallel=${NSX_BENCH_PARALLEL:-8}
dir=${NSX_BENCH_DIR:-/run/nsx-bench}
netns=${NSX_BENCH_NETNS:-nsx-bench}
cri_dir=${NSX_BENCH_CRI_DIR:-/run/nsx-bench-cri}
cri_netns=${NSX_BENCH_CRI_NETNS:-nsx-bench-cri}
out=${NSX_BENCH_OUT:-$root/build-bench/results}
list_args=${NSX_BENCH_LIST_ARGS:---list}
listeners_args=${NSX_BENCH_LISTENERS_ARGS:---listeners}
listeners_json_args=${NSX_BENCH_LISTENERS_JSON_ARGS:-$listeners_args --json}
sections=${NSX_BENCH_SECTIONS:-lookup cri forward listeners list}
fwd_seconds=${NSX_BENCH_FWD_SECONDS:-5}
fwd_rounds=${NSX_BENCH_FWD_ROUNDS:-3}
fwd_conns=${NSX_BENCH_FWD_CONNECTIONS:-50}
fwd_threads=${NSX_BENCH_FWD_THREADS:-1}
fwd_open=${NSX_BENCH_FWD_OPEN:-1000}
socat_listen=${NSX_BENCH_FWD_SOCAT_LISTEN:-fork,reuseaddr,backlog=4096}
# Debian's docker CLI (docker.io), whatever else PATH holds.
docker_cli=/usr/bin/docker
export NSX_DOCKER=$docker_cli

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench.sh: %s\n' "$*" >&2; exit 1; }

for v in n_containers n_established runs slow_runs parallel fwd_seconds fwd_rounds fwd_conns fwd_threads fwd_open; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done
prev=0
for c in $listener_counts; do
    if ! [[ $c =~ ^[1-9][0-9]*$ ]] || ((c <= prev)); then
        die "NSX_BENCH_LISTENER_CONTAINERS must be ascending counts, not '$listener_counts'"
    fi
    prev=$c
done
((n_listeners >= 1 && runs >= 2 && slow_runs >= 2 && parallel >= 1)) ||
    die "NSX_BENCH_LISTENER_CONTAINERS >= 1, NSX_BENCH_RUNS and NSX_BENCH_SLOW_RUNS >= 2, NSX_BENCH_PARALLEL >= 1"
((fwd_seconds >= 1 && fwd_rounds >= 1 && fwd_conns >= 1 && fwd_threads >= 1 && fwd_threads <= fwd_conns)) ||
    die "NSX_BENCH_FWD_SECONDS, _ROUNDS, _CONNECTIONS and _THREADS >= 1, and no more threads than connections"
for s in $sections; do
    [[ $s =~ ^(lookup|cri|forward|listeners|list)$ ]] || die "NSX_BENCH_SECTIONS: no section '$s' (lookup cri forward listeners list)"
done
section_on() { [[ " $sections " == *" $1 "* ]]; }
((EUID == 0)) || die "must run as root (it starts a Docker daemon and enters namespaces)"

command_line=""
for v in NSX_BENCH_CONTAINERS NSX_BENCH_LISTENER_CONTAINERS NSX_BENCH_RUNS NSX_BENCH_SLOW_RUNS \
    NSX_BENCH_ESTABLISHED NSX_BENCH_SECTIONS NSX_BENCH_CRI_DIR NSX_BENCH_CRI_NETNS NSX_BENCH_FWD_SECONDS NSX_BENCH_FWD_ROUNDS NSX_BENCH_FWD_CONNECTIONS \
    NSX_BENCH_FWD_THREADS NSX_BENCH_FWD_OPEN NSX_BENCH_FWD_SOCAT_LISTEN NSX_BENCH_BIN NSX_BENCH_LEAN_BIN NSX_BENCH_STATIC_BIN NSX_BENCH_LIST_ARGS NSX_BENCH_LISTENERS_ARGS NSX_BENCH_LISTENERS_JSON_ARGS; do
    [[ -n ${!v:-} ]] && command_line+="$v=$(printf '%q' "${!v}") "
done
command_line+="contrib/bench.sh"

# One benchmark at a time per daemon directory.
exec 8>"$dir.lock"
flock -n 8 || die "another contrib/bench.sh uses $dir (lock $dir.lock)"
if section_on cri; then
    exec 7>"$cri_dir.lock"
    flock -n 7 || die "another contrib/bench.sh uses $cri_dir (lock $cri_dir.lock)"
fi

say "Packages"
nsx_install_packages meson ninja-build pkg-config gcc cmake libcurl4-openssl-dev libcjson-dev \
    docker.io cgroupfs-mount busybox-static curl iproute2 util-linux hyperfine time python3 \
    iperf3 wrk socat nginx-light \
    containerd runc containernetworking-plugins python3-grpcio python3-protobuf protobuf-compiler \
    protobuf-compiler-grpc musl-tools g++ file ||
    die "could not install the needed packages"

# --- build -------------------------------------------------------------------
build() { # build DIR MESON-OPTION...: configure once, then compile what changed
    local b=$1
    shift
    if [[ ! -f $b/build.ninja ]]; then
        rm -rf -- "$b"
        meson setup "$b" "$@" >&2 8>&- || return 1
    fi
    meson compile -C "$b" src/docker-nsexec >&2 8>&-
}
bin=${NSX_BENCH_BIN:-}
lean_bin=${NSX_BENCH_LEAN_BIN:-}
if [[ -z $bin ]]; then
    say "Build build-bench (default options)"
    build "$root/build-bench" || die "build-bench did not build"
    bin=$root/build-bench/src/docker-nsexec
fi
# Only the lookup section measures the lean build.
section_on lookup || lean_bin=${lean_bin:-$bin}
if [[ -z $lean_bin ]]; then
    say "Build build-bench-lean (-Dlean_curl=true)"
    "$root/contrib/fetch-subprojects.sh" >&2 8>&- || die "contrib/fetch-subprojects.sh failed"
    build "$root/build-bench-lean" -Dlean_curl=true || die "build-bench-lean did not build"
    lean_bin=$root/build-bench-lean/src/docker-nsexec
fi
[[ -x $bin && -x $lean_bin ]] || die "no binary at $bin or $lean_bin"
if section_on lookup && ldd "$lean_bin" | grep -q libcurl; then
    die "$lean_bin loads a shared libcurl: not a lean build"
fi
# The static binary, in the lookup section only: the same default buildtype as the other two.
static_bin=${NSX_BENCH_STATIC_BIN:-}
if section_on lookup && [[ -z $static_bin ]]; then
    say "Build build-bench-static (-Dstatic_binary=true, musl)"
    "$root/contrib/fetch-subprojects.sh" >&2 8>&- || die "contrib/fetch-subprojects.sh failed"
    build "$root/build-bench-static" --native-file "$root/contrib/musl.ini" -Dstatic_binary=true \
        -Dtests=disabled || die "build-bench-static did not build"
    static_bin=$root/build-bench-static/src/docker-nsexec
fi
if section_on lookup; then
    [[ -x $static_bin ]] || die "no binary at $static_bin"
    file -b "$static_bin" | grep -q 'statically linked' || die "$static_bin is not statically linked"
fi

# --- daemon ------------------------------------------------------------------
host=$(nsx_dockerd_host "$dir")
sock=${host#unix://}
dk() { "$docker_cli" -H "$host" "$@"; }
started=0
cri_started=0 # the cri section's containerd
cri_ep=$(nsx_containerd_endpoint "$cri_dir")
cri_client=(/usr/bin/python3 "$root/tests/cri-client.py" --endpoint "$cri_ep")
cri_stop() {
    ((cri_started)) || return 0
    say "Stop the private containerd"
    timeout 60 "${cri_client[@]}" down bench >/dev/null 2>&1 7>&- 8>&- || true
    nsx_containerd_stop "$cri_dir" "$cri_netns" 7>&- 8>&- ||
        echo "bench.sh: warning: the containerd did not stop cleanly" >&2
    cri_started=0
}
declare -a fwd_pids=() # what the forwarding section started, outside the daemon's containers
fwd_stop() {
    local p
    for p in "${fwd_pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${fwd_pids[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    fwd_pids=()
}
cleanup() {
    local ids
    trap - EXIT INT TERM HUP
    fwd_stop
    est_stop
    cri_stop
    if ((started)); then
        say "Stop the private daemon"
        # Hundreds of containers go faster removed in parallel batches than
        # by the teardown's single docker rm.
        ids=$(timeout 60 "$docker_cli" -H "$host" ps -aq 2>/dev/null) || ids=""
        if [[ -n $ids ]]; then
            xargs -P "$parallel" -n 50 timeout 300 "$docker_cli" -H "$host" rm -f <<<"$ids" >/dev/null 2>&1 || true
        fi
        nsx_dockerd_stop "$dir" "$netns" 8>&- || echo "bench.sh: warning: the daemon did not stop cleanly" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say "Private Docker daemon ($host, netns $netns)"
started=1
nsx_dockerd_start "$dir" "$netns" 7>&- 8>&- || die "could not start the daemon"
nsx_image_build "$host" || die "could not build the image"
dk run -d --name web --net none local/busybox httpd -f -p 127.0.0.1:8080 -h /www >/dev/null ||
    die "could not start the seed container"
pid=$(dk inspect -f '{{.State.Pid}}' web)
[[ $pid =~ ^[1-9][0-9]*$ ]] || die "the seed container has no PID"
# Check, once, that each way really lands in the container's network namespace.
want=$(readlink "/proc/$pid/ns/net")
for b in "$bin" "$lean_bin" ${static_bin:+"$static_bin"}; do
    got=$("$b" -H "$host" web readlink /proc/self/ns/net) || die "$b web failed"
    [[ $got == "$want" ]] || die "$b web entered $got, not $want"
done

mkdir -p "$out"
rm -f -- "$out"/*.md "$out"/*.json

# hf NAME [NAME=COMMAND]...: one hyperfine run, tables in $out/NAME.{md,json}.
hf() {
    local name=$1 runs=$2 warmup=$3
    shift 3
    local args=(-N --warmup "$warmup" --runs "$runs" --time-unit millisecond
        --export-markdown "$out/$name.md" --export-json "$out/$name.json")
    local c
    for c in "$@"; do
        args+=(-n "${c%%=*}" "${c#*=}")
    done
    hyperfine "${args[@]}" >&2 8>&-
}

# rss NAME COMMAND...: peak RSS in KiB, the median of 5 runs (the largest of the
# process and the children it waited for, across exec).
declare -a rss_rows=()
rss() {
    local name=$1 kib=()
    shift
    for _ in 1 2 3 4 5; do
        kib+=("$(/usr/bin/time -f %M -o "$out/.rss" "$@" >/dev/null 2>&1 8>&- && cat "$out/.rss")") ||
            die "'$*' failed under /usr/bin/time"
    done
    rss_rows+=("| \`$name\` | $(printf '%s\n' "${kib[@]}" | sort -n | sed -n 3p) |")
    rm -f -- "$out/.rss"
}

# python3 reads hyperfine's JSON: medians and ratios.
table() { # table NAME: markdown, medians first, relative to the fastest median
    python3 - "$out/$1.json" <<'EOF'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
best = min(r["median"] for r in rs)
def ms(x):
    return "%.1f" % (x * 1000) if x >= 0.01 else "%.2f" % (x * 1000)
print("| command | median [ms] | mean ± σ [ms] | min [ms] | max [ms] | user [ms] | system [ms] | relative (median) |")
print("|:---|---:|---:|---:|---:|---:|---:|---:|")
for r in rs:
    print("| `%s` | %s | %s ± %s | %s | %s | %s | %s | %.2f |" % (
        r["command"], ms(r["median"]), ms(r["mean"]), ms(r["stddev"]), ms(r["min"]), ms(r["max"]),
        ms(r["user"]), ms(r["system"]), r["median"] / best))
EOF
}
medians() { # medians NAME: "command<TAB>median ms" per line
    python3 - "$out/$1.json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%s\t%.3f" % (r["command"], r["median"] * 1000))
EOF
}
declare -A med=()
read_medians() {
    local c m
    while IFS=$'\t' read -r c m; do med[$c]=$m; done < <(medians "$1")
}
# The targets of the lookup and of the listeners sections, each printed with its tables.
declare -a target_rows=() listener_rows=()
# target_row ROWS LABEL MEDIANS VALUE LIMIT [UNIT]: a row in the array named ROWS: VALUE
# (from MEDIANS, as shown) against LIMIT.
target_row() {
    local -n rows=$1
    local ok
    ok=$(awk -v r="$4" -v l="$5" 'BEGIN { print (r <= l) ? "met" : "MISSED" }')
    rows+=("| $2 | $3 | $4${6:+ $6} | ≤ $5${6:+ $6} | $ok |")
}
# target ROWS LABEL A B LIMIT: the ratio of A's median to B's, against LIMIT.
target() {
    local ratio
    ratio=$(awk -v a="${med[$3]}" -v b="${med[$4]}" 'BEGIN { printf "%.3f", a / b }')
    target_row "$1" "$2" "${med[$3]} ms / ${med[$4]} ms" "$ratio" "$5"
}
# targets_table ROW...: the rows under their header, and how many targets were met.
targets_table() {
    echo "| target | medians | ratio | limit | |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "$@"
    echo
    echo "Targets met: $(printf '%s\n' "$@" | grep -c '| met |') of $#."
}
declare -a info_rows=()
ratio_info() { # ratio_info A B
    info_rows+=("| \`$1\` / \`$2\` | $(awk -v a="${med[$1]}" -v b="${med[$2]}" 'BEGIN { printf "%.2f", a / b }') |")
}

supports() { # supports OPTION: --help of the default build mentions it
    local help
    # Read whole: grep -q in a pipe may quit before the binary has written it
    # all, and pipefail then takes its SIGPIPE for a "no".
    help=$("$bin" --help 2>/dev/null) || return 1
    grep -qE -- "(^|[ ,])$1([ =,]|\$)" <<<"$help"
}

declare -a skipped=()
# --- 1. lookup and entry -----------------------------------------------------
if section_on lookup; then
    say "Lookup and entry: $runs runs each"
    nsx="docker-nsexec web true"
    nsx_lean="docker-nsexec (lean) web true"
    nsx_static="docker-nsexec (static) web true"
    pipeline="nsenter -t \$(docker inspect …) -n true"
    dexec="docker exec web true"
    floor="nsenter -t PID -n true"
    curl1="curl --unix-socket … /containers/web/json"
    hf lookup "$runs" 20 \
        "$nsx=$bin -H $host web true" \
        "$nsx_lean=$lean_bin -H $host web true" \
        "$nsx_static=$static_bin -H $host web true" \
        "$pipeline=sh -c 'nsenter -t \"\$($docker_cli -H $host inspect -f \"{{.State.Pid}}\" web)\" -n true'" \
        "$dexec=$docker_cli -H $host exec web true" \
        "$floor=nsenter -t $pid -n true" \
        "$curl1=curl -sf --unix-socket $sock http://localhost/v1.41/containers/web/json"
    read_medians lookup
    target target_rows "default ≤ 1/4 of inspect + nsenter" "$nsx" "$pipeline" 0.25
    target target_rows "default ≤ 1/10 of docker exec" "$nsx" "$dexec" 0.10
    target target_rows "default within 1.3× of one curl request" "$nsx" "$curl1" 1.3
    target target_rows "lean within 1.6× of nsenter with the PID known" "$nsx_lean" "$floor" 1.6
    ratio_info "$nsx_lean" "$nsx"
    ratio_info "$nsx_static" "$nsx"
    ratio_info "$nsx_static" "$nsx_lean"
    ratio_info "$nsx_lean" "$curl1"
    ratio_info "$nsx" "$floor"

    say "Peak RSS"
    rss "$nsx" "$bin" -H "$host" web true
    rss "$nsx_lean" "$lean_bin" -H "$host" web true
    rss "$nsx_static" "$static_bin" -H "$host" web true
    rss "$pipeline" sh -c "nsenter -t \"\$($docker_cli -H $host inspect -f '{{.State.Pid}}' web)\" -n true"
    rss "$dexec" "$docker_cli" -H "$host" exec web true
    rss "$floor" nsenter -t "$pid" -n true
    rss "$curl1" curl -sf -o /dev/null --unix-socket "$sock" http://localhost/v1.41/containers/web/json
fi

# --- 2. lookup and entry over a CRI engine ------------------------------------
# A private containerd with its CRI plugin, one pod `bench` (namespace default)
# with one container `web` (httpd on the pod's own 127.0.0.1:80), made through
# CRI as kubelet makes them (tests/cri-client.py). The Python recipe is that
# same client: `ls` (ListPodSandbox, ListContainers, ContainerStatus of each
# running container) to find default/bench/web and its pid, then nsenter; its
# `pid ID` (one ContainerStatus) with the container ID known is measured too.
# The client's generated stubs are byte-compiled beforehand, as an installed
# client's would be.
d_nsx="docker-nsexec web true" # the Docker path: the lookup section's name for it
if section_on cri && ! supports --runtime-endpoint; then
    skipped+=("CRI engine: $bin has no --runtime-endpoint option")
elif section_on cri; then
    say "Private containerd with CRI ($cri_ep, netns $cri_netns)"
    cri_started=1
    nsx_containerd_start "$cri_dir" "$cri_netns" 7>&- 8>&- || die "could not start containerd"
    nsx_cri_images_build "$cri_dir/images" 7>&- 8>&- || die "could not build the CRI images"
    nsx_cri_images_import "$cri_dir" "$cri_dir/images" 7>&- 8>&- || die "could not import the CRI images"
    export NSX_CRI_GEN_DIR=$out/cri-gen
    "${cri_client[@]}" version >/dev/null 8>&- 7>&- || die "the CRI client cannot talk to $cri_ep"
    /usr/bin/python3 -m compileall -q "$NSX_CRI_GEN_DIR" >/dev/null || die "could not byte-compile $NSX_CRI_GEN_DIR"
    up=$("${cri_client[@]}" up bench --container web httpd -f -p 127.0.0.1:80 -h /www 8>&- 7>&-) ||
        die "could not start the pod bench"
    read -r cri_cid cri_pid < <(python3 -c 'import json, sys; u = json.loads(sys.argv[1]); print(u["containers"]["web"], u["pids"]["web"])' "$up")
    [[ $cri_pid =~ ^[1-9][0-9]*$ && $cri_cid =~ ^[0-9a-f]{64}$ ]] || die "the pod's container has no PID: $up"

    c_nsx="docker-nsexec --runtime-endpoint … bench/web true"
    c_py="nsenter -t \$(cri-client.py ls … bench/web) -n true" # no '|': the name goes into markdown tables
    c_pyid="nsenter -t \$(cri-client.py pid ID) -n true"
    c_floor="nsenter -t PID -n true (the pod's)"
    c_py_sh="nsenter -t \"\$(${cri_client[*]} ls | grep -F \" default/bench/web \" | cut -d\" \" -f4)\" -n"
    c_pyid_sh="nsenter -t \"\$(${cri_client[*]} pid $cri_cid)\" -n"
    # Each way lands in the container's network namespace, once, before anything is measured.
    want=$(readlink "/proc/$cri_pid/ns/net")
    for way in "$c_nsx" "$c_py" "$c_pyid"; do
        case $way in
            "$c_nsx") got=$("$bin" --runtime-endpoint "$cri_ep" bench/web readlink /proc/self/ns/net 8>&- 7>&-) ;;
            "$c_py") got=$(sh -c "$c_py_sh readlink /proc/self/ns/net" 8>&- 7>&-) ;;
            *) got=$(sh -c "$c_pyid_sh readlink /proc/self/ns/net" 8>&- 7>&-) ;;
        esac || die "'$way' failed"
        [[ $got == "$want" ]] || die "'$way' entered $got, not $want"
    done
    # The CRI calls of one entry, as -v names them.
    cri_calls=$("$bin" -v --runtime-endpoint "$cri_ep" bench/web true 2>&1 >/dev/null 8>&- 7>&- |
        sed -n 's/.*debug: gRPC \([^ ]*\) .*/\1/p') || die "docker-nsexec -v --runtime-endpoint failed"
    cri_n_calls=$(grep -c . <<<"$cri_calls" || true)
    cri_call_names=$(awk -F/ '{ printf "%s%s", (NR > 1 ? ", " : ""), $NF }' <<<"$cri_calls")

    say "Lookup and entry over CRI: $runs runs each"
    cri_cmds=("$c_nsx=$bin --runtime-endpoint $cri_ep bench/web true"
        "$c_py=sh -c '$c_py_sh true'"
        "$c_pyid=sh -c '$c_pyid_sh true'"
        "$c_floor=nsenter -t $cri_pid -n true")
    # The Docker path: the lookup section's figure when it ran, else measured here.
    section_on lookup || cri_cmds+=("$d_nsx=$bin -H $host web true")
    hf cri "$runs" 10 "${cri_cmds[@]}"
    read_medians cri
    declare -a cri_rows=()
    cri_ratio() { # cri_ratio A B: a row of the CRI section's ratio table
        cri_rows+=("| \`$1\` / \`$2\` | ${med[$1]} ms / ${med[$2]} ms | $(awk -v a="${med[$1]}" -v b="${med[$2]}" 'BEGIN { printf "%.3f", a / b }') |")
    }
    cri_ratio "$c_nsx" "$c_py"
    cri_ratio "$c_nsx" "$c_pyid"
    cri_ratio "$c_nsx" "$d_nsx"
    cri_ratio "$c_nsx" "$c_floor"

    say "Peak RSS (CRI)"
    rss "$c_nsx" "$bin" --runtime-endpoint "$cri_ep" bench/web true
    rss "$c_py" sh -c "$c_py_sh true"
    rss "$c_pyid" sh -c "$c_pyid_sh true"
    rss "$c_floor" nsenter -t "$cri_pid" -n true
    cri_versions="$(containerd --version | awk '{ print $1, $3 }'), $(runc --version | head -n 1),
python3-grpcio $(dpkg-query -W -f '${Version}' python3-grpcio), $(/usr/bin/python3 --version),
$(curl --version | head -n 1 | grep -o 'libcurl/[^ ]*\|nghttp2/[^ ]*' | paste -sd' ' -)"
    "${cri_client[@]}" down bench 8>&- 7>&- || die "could not remove the pod bench"
    cri_stop
fi

# fill PREFIX FROM TO CMD...: containers PREFIX-FROM..PREFIX-TO, --net none,
# PARALLEL docker run clients at once, each starting a batch in turn.
fill() {
    local prefix=$1 from=$2 to=$3
    shift 3
    ((from <= to)) || return 0
    say "Starting containers $prefix-$from..$prefix-$to ($parallel at a time)"
    # shellcheck disable=SC2016 # the inner script expands its own arguments
    seq "$from" "$to" | xargs -P "$parallel" -n 10 sh -c '
        cli=$1 host=$2 prefix=$3; shift 3
        # the rest: "--" CMD... then the numbers; split them
        cmd=""; while [ "$1" != "--" ]; do cmd="$cmd $1"; shift; done; shift
        for i; do
            $cli -H "$host" run -d --net none --name "$prefix-$i" local/busybox $cmd >/dev/null || exit 255
        done' sh "$docker_cli" "$host" "$prefix" "$@" -- 8>&- ||
        die "could not start containers $prefix-$from..$prefix-$to"
}
running() { dk ps -q | wc -l; }

# --- 3. forwarding -----------------------------------------------------------
# One container on the daemon's bridge; in its network namespace a host nginx
# (a fixed 6-byte answer, on every address, port 8080) and an iperf3 server
# (port 5201). The same two ports are reached four ways:
#   docker-nsexec --forward   run in the daemon's network namespace, listening
#                             on its 127.0.0.1 (one forwarder for both ports)
#   docker-proxy              docker's userland proxy, as dockerd runs it for a
#                             published port: in the daemon's namespace, on its
#                             127.0.0.1, to the container's bridge address
#   socat in the namespace    socat TCP-LISTEN:P,fork,reuseaddr,backlog=4096
#                             TCP:127.0.0.1:N run in the container's namespace
#                             (a sidecar's way), reached at the container's
#                             bridge address; the backlog is the others' (the
#                             kernel's somaxconn): socat's own, 5, drops SYNs
#                             under 50 connections (p99 over a second) and
#                             takes minutes to open 1000 connections
#   direct                    the client itself in the container's namespace,
#                             to 127.0.0.1: no forwarder at all (the ceiling)
# Every client but the direct one runs in the daemon's network namespace. The
# paths take turns, round after round; each figure is the median of the rounds.
declare -a fwd_keys=(nsx proxy socat direct)
declare -A fwd_label=([nsx]="docker-nsexec --forward" [proxy]="docker-proxy"
    [socat]="socat in the namespace" [direct]="direct, inside the namespace")
declare -A fwd_http=() fwd_iperf=() fwd_pid=()

# nsenter execs: a command started with it keeps nsenter's PID.
in_daemon_net=(nsenter "--net=/run/netns/$netns")
in_fwd_net=() # nsenter -t PID -n, once the container runs
fwd_client() { # fwd_client KEY CMD...: CMD where KEY's clients run
    local key=$1
    shift
    if [[ $key == direct ]]; then "${in_fwd_net[@]}" "$@"; else "${in_daemon_net[@]}" "$@"; fi
}
fwd_bg() { # fwd_bg LOG CMD...: CMD (an executable, not a function) in the background, stopped by cleanup; BG is its PID
    local log=$1
    shift
    "$@" >"$log" 2>&1 </dev/null 8>&- &
    BG=$!
    fwd_pids+=("$BG")
}
fwd_wait_listen() { # fwd_wait_listen PORT CMD-PREFIX...: until something listens on tcp PORT there
    local port=$1 i
    shift
    for i in $(seq 200); do
        "$@" ss -Hltn "sport = :$port" | grep -q . && return 0
        sleep 0.05
    done
    return 1
}
tree_pids() { # tree_pids PID: PID and its descendants
    local p c kids
    echo "$1"
    for p in /proc/"$1"/task/*/children; do
        kids=()
        # One line, without a newline at its end: read fails at EOF but fills kids.
        read -r -a kids 2>/dev/null <"$p" || true
        for c in "${kids[@]}"; do tree_pids "$c"; done
    done
}
tree_mem() { # tree_mem PID: "RSS PSS PROCESSES" in KiB, summed over PID and its descendants
    local p rss=0 pss=0 n=0 r s
    for p in $(tree_pids "$1"); do
        r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
        s=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null) || continue
        [[ -n $r && -n $s ]] || continue
        rss=$((rss + r)) pss=$((pss + s)) n=$((n + 1))
    done
    echo "$rss $pss $n"
}

if section_on forward && ! supports --forward; then
    skipped+=("forwarding: $bin has no --forward option")
elif section_on forward; then
    say "Forwarding: nginx and iperf3 in a bridge container's namespace"
    dk run -d --name fwd local/busybox sleep 1d >/dev/null || die "could not start the forwarding container"
    fpid=$(dk inspect -f '{{.State.Pid}}' fwd)
    fip=$(dk inspect -f '{{.NetworkSettings.IPAddress}}' fwd)
    [[ $fpid =~ ^[1-9][0-9]*$ && -n $fip ]] || die "the forwarding container has no PID or no bridge address"
    in_fwd_net=(nsenter -t "$fpid" -n)
    fdir=$out/forward
    rm -rf -- "$fdir"
    mkdir -p "$fdir/www" "$fdir/tmp"
    cat >"$fdir/nginx.conf" <<EOF
# contrib/bench.sh's server: one worker, every connection kept for long.
daemon off;
worker_processes 1;
worker_rlimit_nofile 8192;
pid $fdir/nginx.pid;
error_log $fdir/nginx.error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_timeout 600s;
    keepalive_requests 100000000;
    client_body_temp_path $fdir/tmp/body;
    proxy_temp_path $fdir/tmp/proxy;
    fastcgi_temp_path $fdir/tmp/fastcgi;
    uwsgi_temp_path $fdir/tmp/uwsgi;
    scgi_temp_path $fdir/tmp/scgi;
    server {
        listen 8080 backlog=4096;
        location / { return 200 "hello\n"; }
    }
}
EOF
    # wrk prints its figures through this: requests, duration [us], p50 and p99 [us], errors.
    cat >"$fdir/wrk.lua" <<'EOF'
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("wrk %d %d %d %d %d\n", summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(99),
        e.connect + e.read + e.write + e.status + e.timeout))
end
EOF
    # hold.py HOST PORT N: N connections, one request answered on each, then "open"; holds
    # them until stdin closes.
    cat >"$fdir/hold.py" <<'EOF'
import resource, socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
conns = [socket.create_connection((host, port), timeout=60) for _ in range(n)]
for s in conns:
    s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
for s in conns:
    got = b""
    while not got.endswith(b"hello\n"):
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("hold.py: a connection closed early")
        got += chunk
print("open", flush=True)
sys.stdin.read()
EOF
    fwd_bg "$fdir/nginx.log" "${in_fwd_net[@]}" nginx -c "$fdir/nginx.conf"
    fwd_bg "$fdir/iperf3.log" "${in_fwd_net[@]}" iperf3 -s -p 5201
    { fwd_wait_listen 8080 "${in_fwd_net[@]}" && fwd_wait_listen 5201 "${in_fwd_net[@]}"; } ||
        die "nginx or iperf3 did not start in the container's namespace ($fdir/*.log)"
    fwd_http[direct]=127.0.0.1:8080 fwd_iperf[direct]="127.0.0.1 5201"

    # docker-nsexec: one forwarder, both ports.
    fwd_bg "$fdir/nsx.log" "${in_daemon_net[@]}" "$bin" -H "$host" --forward 0:8080 --forward 0:5201 fwd
    fwd_pid[nsx]=$BG
    for _ in $(seq 200); do
        (($(grep -c '^forwarding ' "$fdir/nsx.log") >= 2)) && break
        sleep 0.05
    done
    mapfile -t ports < <(sed -n 's/^forwarding 127\.0\.0\.1:\([0-9]*\) -> .*/\1/p' "$fdir/nsx.log")
    ((${#ports[@]} == 2)) || die "docker-nsexec --forward did not start: $(cat "$fdir/nsx.log")"
    fwd_http[nsx]=127.0.0.1:${ports[0]} fwd_iperf[nsx]="127.0.0.1 ${ports[1]}"

    # docker-proxy, one per port as dockerd runs it; fd 3 is its readiness pipe.
    fwd_bg "$fdir/proxy.log" "${in_daemon_net[@]}" /usr/sbin/docker-proxy -proto tcp -host-ip 127.0.0.1 \
        -host-port 18080 -container-ip "$fip" -container-port 8080 3>/dev/null
    fwd_pid[proxy]=$BG
    fwd_bg "$fdir/proxy-iperf.log" "${in_daemon_net[@]}" /usr/sbin/docker-proxy -proto tcp -host-ip 127.0.0.1 \
        -host-port 15201 -container-ip "$fip" -container-port 5201 3>/dev/null
    fwd_http[proxy]=127.0.0.1:18080 fwd_iperf[proxy]="127.0.0.1 15201"

    # socat, in the container's namespace, on every address of it.
    fwd_bg "$fdir/socat.log" "${in_fwd_net[@]}" socat "TCP-LISTEN:18080,$socat_listen" TCP:127.0.0.1:8080
    fwd_pid[socat]=$BG
    fwd_bg "$fdir/socat-iperf.log" "${in_fwd_net[@]}" socat "TCP-LISTEN:15201,$socat_listen" TCP:127.0.0.1:5201
    fwd_http[socat]=$fip:18080 fwd_iperf[socat]="$fip 15201"
    { fwd_wait_listen 18080 "${in_daemon_net[@]}" && fwd_wait_listen 15201 "${in_daemon_net[@]}" &&
        fwd_wait_listen 18080 "${in_fwd_net[@]}" && fwd_wait_listen 15201 "${in_fwd_net[@]}"; } ||
        die "docker-proxy or socat did not start ($fdir/*.log)"

    # Each path answers, before anything is measured.
    for k in "${fwd_keys[@]}"; do
        [[ $(fwd_client "$k" curl -sS --max-time 5 "http://${fwd_http[$k]}/") == hello ]] ||
            die "no answer through ${fwd_label[$k]} (http://${fwd_http[$k]}/)"
    done

    fwd_results=$fdir/results.tsv # KEY METRIC VALUE, one line per run
    : >"$fwd_results"
    fwd_wrk() { # fwd_wrk KEY MODE SECONDS [WRK-ARG...]: one wrk run, its figures into the results
        local k=$1 mode=$2 secs=$3 line req dur p50 p99 err
        shift 3
        line=$(fwd_client "$k" wrk -t "$fwd_threads" -c "$fwd_conns" -d "${secs}s" --timeout 10s \
            -s "$fdir/wrk.lua" "$@" "http://${fwd_http[$k]}/" 8>&- | grep '^wrk ') ||
            die "wrk through ${fwd_label[$k]} failed"
        read -r _ req dur p50 p99 err <<<"$line"
        printf '%s\t%s_rps\t%s\n%s\t%s_p50\t%s\n%s\t%s_p99\t%s\n%s\t%s_errors\t%s\n' \
            "$k" "$mode" "$(awk -v r="$req" -v d="$dur" 'BEGIN { printf "%.0f", r / (d / 1e6) }')" \
            "$k" "$mode" "$(awk -v v="$p50" 'BEGIN { printf "%.3f", v / 1000 }')" \
            "$k" "$mode" "$(awk -v v="$p99" 'BEGIN { printf "%.3f", v / 1000 }')" \
            "$k" "$mode" "$err" >>"$fwd_results"
    }
    fwd_iperf3() { # fwd_iperf3 KEY: one iperf3 run (after a second left out), Gbit/s into the results
        local k=$1 gbps
        # shellcheck disable=SC2086 # HOST PORT
        set -- ${fwd_iperf[$k]}
        gbps=$(fwd_client "$k" iperf3 -c "$1" -p "$2" -t "$fwd_seconds" -O 1 -J 8>&- |
            python3 -c 'import json, sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))') ||
            die "iperf3 through ${fwd_label[$k]} failed"
        printf '%s\tgbps\t%s\n' "$k" "$gbps" >>"$fwd_results"
    }
    say "Forwarding: warm-up"
    for k in "${fwd_keys[@]}"; do
        fwd_wrk "$k" warm 1 >/dev/null
    done
    : >"$fwd_results"
    for r in $(seq "$fwd_rounds"); do
        for k in "${fwd_keys[@]}"; do
            say "Forwarding round $r/$fwd_rounds: ${fwd_label[$k]} (iperf3, wrk with and without keep-alive, ${fwd_seconds} s each)"
            fwd_iperf3 "$k"
            fwd_wrk "$k" keepalive "$fwd_seconds"
            fwd_wrk "$k" close "$fwd_seconds" -H "Connection: close"
        done
    done

    # Memory of each forwarder (all its processes) with fwd_open connections open through it;
    # and of the lean build's forwarder, when there is one (the lookup section builds it).
    mem_keys=(nsx proxy socat)
    if [[ $lean_bin != "$bin" ]]; then
        fwd_bg "$fdir/nsx-lean.log" "${in_daemon_net[@]}" "$lean_bin" -H "$host" --forward 0:8080 fwd
        fwd_pid[nsx_lean]=$BG
        for _ in $(seq 200); do
            grep -q '^forwarding ' "$fdir/nsx-lean.log" && break
            sleep 0.05
        done
        port=$(sed -n 's/^forwarding 127\.0\.0\.1:\([0-9]*\) -> .*/\1/p' "$fdir/nsx-lean.log")
        [[ -n $port ]] || die "the lean docker-nsexec --forward did not start: $(cat "$fdir/nsx-lean.log")"
        fwd_http[nsx_lean]=127.0.0.1:$port fwd_label[nsx_lean]="docker-nsexec --forward (lean)"
        mem_keys+=(nsx_lean)
    fi
    for k in "${mem_keys[@]}"; do
        say "Forwarding: memory of ${fwd_label[$k]} with $fwd_open connections open"
        coproc HOLD { fwd_client "$k" python3 "$fdir/hold.py" "${fwd_http[$k]%:*}" "${fwd_http[$k]##*:}" "$fwd_open" 8>&- 2>&1; }
        read -r -t 120 line <&"${HOLD[0]}" || line=""
        [[ $line == open ]] || die "could not hold $fwd_open connections through ${fwd_label[$k]}: $line"
        sleep 1
        read -r rss pss nproc < <(tree_mem "${fwd_pid[$k]}")
        printf '%s\trss\t%s\n%s\tpss\t%s\n%s\tprocs\t%s\n' "$k" "$rss" "$k" "$pss" "$k" "$nproc" >>"$fwd_results"
        if [[ $k == nsx* ]]; then # each of its processes: the watcher, then its child, the relay
            role=watcher
            for p in $(tree_pids "${fwd_pid[$k]}"); do
                printf '%s\trss_%s\t%s\n' "$k" "$role" "$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status")" >>"$fwd_results"
                role=relay
            done
        fi
        eval "exec ${HOLD[1]}>&-"
        wait "$HOLD_PID" 2>/dev/null || true
    done
    kill -0 "${fwd_pid[nsx]}" 2>/dev/null || die "docker-nsexec --forward died: $(cat "$fdir/nsx.log")"
    fwd_stop

    # The section's summary: medians, ratios, targets.
    python3 - "$fwd_results" "$fwd_rounds" "$fwd_seconds" "$fwd_conns" "$fwd_threads" "$fwd_open" >"$out/forward.md" <<'EOF'
import statistics, sys
from collections import defaultdict
path, rounds, secs, conns, threads, n_open = sys.argv[1:]
runs = defaultdict(list)
for line in open(path):
    k, m, v = line.split("\t")
    runs[k, m].append(float(v))
def med(k, m):
    return statistics.median(runs[k, m]) if runs[k, m] else None
label = {"nsx": "docker-nsexec --forward", "proxy": "docker-proxy", "socat": "socat in the namespace",
         "direct": "direct, inside the namespace", "nsx_lean": "docker-nsexec --forward (lean build)"}
def f(v, fmt):
    return "–" if v is None else fmt % v
print("Medians of %s round%s; iperf3 -t %s (one stream, the first second left out); wrk -t %s -c %s -d %ss, "
      "with keep-alive and with `Connection: close` (a new connection per request); memory summed over "
      "every process of the forwarder with %s connections open through it." % (
      rounds, "" if rounds == "1" else "s", secs, threads, conns, secs, n_open))
print()
print("| path | throughput [Gbit/s] | requests/s, keep-alive | p50 / p99 [ms], keep-alive "
      "| new connections/s | p50 / p99 [ms], new connections | RSS [KiB] | PSS [KiB] | processes |")
print("|:---|---:|---:|---:|---:|---:|---:|---:|---:|")
for k in ("nsx", "proxy", "socat", "direct", "nsx_lean"):
    if not any(kk == k for kk, _ in runs):
        continue
    errors = sum(runs[k, "keepalive_errors"]) + sum(runs[k, "close_errors"])
    print("| %s%s | %s | %s | %s / %s | %s | %s / %s | %s | %s | %s |" % (
        label[k], " (%d socket errors)" % errors if errors else "",
        f(med(k, "gbps"), "%.2f"), f(med(k, "keepalive_rps"), "%.0f"),
        f(med(k, "keepalive_p50"), "%.2f"), f(med(k, "keepalive_p99"), "%.2f"),
        f(med(k, "close_rps"), "%.0f"), f(med(k, "close_p50"), "%.2f"), f(med(k, "close_p99"), "%.2f"),
        f(med(k, "rss"), "%.0f"), f(med(k, "pss"), "%.0f"), f(med(k, "procs"), "%.0f")))
for k in ("nsx", "nsx_lean"):
    each = ["%s %.0f KiB" % (m[4:], v[0]) for (kk, m), v in runs.items() if kk == k and m.startswith("rss_")]
    if each:
        print()
        print("%s's processes with %s connections open: %s." % (label[k], n_open, ", ".join(each)))
print()
targets = [
    ("throughput ≥ 1.2× docker-proxy", "gbps", "proxy", ">=", 1.2),
    ("throughput ≥ 3× socat", "gbps", "socat", ">=", 3),
    ("new connections/s ≥ 1.5× docker-proxy", "close_rps", "proxy", ">=", 1.5),
    ("p99 latency with keep-alive ≤ 0.8× docker-proxy", "keepalive_p99", "proxy", "<=", 0.8),
    ("RSS with %s connections ≤ ¼ of docker-proxy" % n_open, "rss", "proxy", "<=", 0.25),
]
print("| target | docker-nsexec / peer | ratio | limit | |")
print("|---|---|---|---|---|")
met = 0
for text, m, peer, op, limit in targets:
    a, b = med("nsx", m), med(peer, m)
    ratio = a / b
    ok = ratio >= limit if op == ">=" else ratio <= limit
    met += ok
    print("| %s | %g / %g | %.3f | %s %g | %s |" % (text, a, b, ratio, "≥" if op == ">=" else "≤", limit,
                                                      "met" if ok else "MISSED"))
print()
print("Targets met: %d of %d." % (met, len(targets)))
print()
print("| docker-nsexec --forward against | throughput | requests/s, keep-alive | p99, keep-alive "
      "| new connections/s | p99, new connections | RSS |")
print("|---|---|---|---|---|---|---|")
for peer in ("proxy", "socat", "direct"):
    cells = []
    for m in ("gbps", "keepalive_rps", "keepalive_p99", "close_rps", "close_p99", "rss"):
        a, b = med("nsx", m), med(peer, m)
        cells.append("–" if a is None or b is None else "%.2f×" % (a / b))
    print("| %s | %s |" % (label[peer], " | ".join(cells)))
if med("nsx_lean", "rss") is not None:
    print()
    print("The lean build's forwarder: RSS %.2f× docker-proxy's (%s), PSS %.2f×." % (
        med("nsx_lean", "rss") / med("proxy", "rss"), "within ¼" if med("nsx_lean", "rss") <= med("proxy", "rss") / 4
        else "above ¼", med("nsx_lean", "pss") / med("proxy", "pss")))
EOF
    say "Forwarding figures in $out/forward.md"
fi

# --- 4. listeners report -----------------------------------------------------
# At each count of $listener_counts running containers, each with a listener:
# the report (sock_diag), its JSON form, the same binary made to read /proc
# (tests/enosys.c --sockdiag: as on a kernel without sock_diag), and the docker
# inspect + nsenter ss loop; then all four again with $n_established
# established loopback connections open on the host, which /proc's walk of the
# established hash pays for and a LISTEN-only dump does not.
est_pid=""
est_stop() {
    [[ -n $est_pid ]] || return 0
    kill "$est_pid" 2>/dev/null || true
    wait "$est_pid" 2>/dev/null || true
    est_pid=""
}
# est_start N: N established loopback connections (2N sockets) held open on the
# host by two python3 processes until est_stop.
est_start() {
    local n=$1
    rm -f -- "$out/.est"
    /usr/bin/python3 - "$n" "$out/.est" 8>&- <<'EOF' &
import os, resource, socket, sys, time
n, ready = int(sys.argv[1]), sys.argv[2]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if hard != resource.RLIM_INFINITY and hard < n + 16:
    sys.exit("bench.sh: RLIMIT_NOFILE's hard limit %d holds no %d sockets" % (hard, n))
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4096)
parent = os.getpid()
if os.fork() == 0:
    # The accepting ends in a process of their own: each half holds n descriptors,
    # within a hard limit that root without CAP_SYS_RESOURCE cannot raise.
    held = [srv.accept()[0] for _ in range(n)]
    while os.getppid() == parent:
        time.sleep(0.5)
    sys.exit(0)
addr = srv.getsockname()
srv.close()
held = [socket.create_connection(addr) for _ in range(n)]
open(ready, "w").write("%d\n" % n)
while True:
    time.sleep(3600)
EOF
    est_pid=$!
    for _ in $(seq 600); do
        [[ -s $out/.est ]] && break
        kill -0 "$est_pid" 2>/dev/null || die "could not open $n established connections"
        sleep 0.1
    done
    [[ -s $out/.est ]] || die "$n established connections took over a minute"
    say "$(ss -Htn state established | wc -l) established TCP connections on the host"
}
if ! section_on listeners; then
    n_listeners=1
elif supports "${listeners_args%% *}"; then
    # The /proc reader: the same binary, on a kernel without sock_diag.
    enosys=$out/enosys
    cc -O2 -o "$enosys" "$root/tests/enosys.c" 8>&- || die "could not build tests/enosys.c"
    l_peer_cmd="sh -c 'for p in \$($docker_cli -H $host inspect -f \"{{.State.Pid}}\" \$($docker_cli -H $host ps -q)); do nsenter -t \$p -n ss -Hltun; done'"
    l_at() { echo "docker-nsexec $listeners_args ($1 containers${2:+, $2 established})"; }
    for count in $listener_counts; do
        # The seed container listens too: it is one of them.
        fill nsxl "$(($(running) + 1))" "$count" httpd -f -p 127.0.0.1:8080 -h /www
        [[ $(running) == "$count" ]] || die "$(running) containers run, not $count"
        # shellcheck disable=SC2086 # the arguments are words
        [[ $("$bin" -H "$host" $listeners_args) == "$("$enosys" --sockdiag "$bin" -H "$host" $listeners_args)" ]] ||
            die "the /proc reader's report differs from sock_diag's"
        for est in 0 "$n_established"; do
            ((est == 0)) || est_start "$est"
            tag="$count containers"
            ((est == 0)) || tag+=", $est established"
            say "Listeners report, $tag: $slow_runs runs each"
            # shellcheck disable=SC2086
            "$bin" -H "$host" -v $listeners_args 2>&1 >/dev/null | grep -q "from sock_diag for $count containers" ||
                die "docker-nsexec $listeners_args did not read $count containers from sock_diag"
            hf "listeners-$count-$est" "$slow_runs" 2 \
                "$(l_at "$count" "${est#0}")=$bin -H $host $listeners_args" \
                "docker-nsexec $listeners_json_args ($tag)=$bin -H $host $listeners_json_args" \
                "/proc reader ($tag)=$enosys --sockdiag $bin -H $host $listeners_args" \
                "docker inspect + nsenter ss loop ($tag)=$l_peer_cmd"
            read_medians "listeners-$count-$est"
            ((est == 0)) || est_stop
        done
        # shellcheck disable=SC2086
        rss "$(l_at "$count")" "$bin" -H "$host" $listeners_args
    done
    first=${listener_counts%% *} last=${listener_counts##* }
    per=$(awk -v m="${med[$(l_at "$last")]}" -v n="$last" 'BEGIN { printf "%.3f", m / n }')
    target_row listener_rows "\`$listeners_args\` per container at $last" "${med[$(l_at "$last")]} ms / $last" \
        "$per" 1 ms
    # Linear: N times the containers cost at most 1.1 N times as much.
    ((last == first)) || target listener_rows "\`$listeners_args\` at $last / at $first containers" \
        "$(l_at "$last")" "$(l_at "$first")" "$(awk -v a="$last" -v b="$first" 'BEGIN { printf "%.2f", 1.1 * a / b }')"
    for count in $listener_counts; do
        target listener_rows "\`$listeners_args\` at $count, with / without $n_established established" \
            "$(l_at "$count" "$n_established")" "$(l_at "$count")" 1.2
    done
    for count in $listener_counts; do
        ratio_info "$(l_at "$count")" "/proc reader ($count containers)"
        ratio_info "$(l_at "$count" "$n_established")" "/proc reader ($count containers, $n_established established)"
        ratio_info "$(l_at "$count")" "docker inspect + nsenter ss loop ($count containers)"
    done
    n_listeners=$last
else
    skipped+=("listeners report: $bin has no ${listeners_args%% *} option")
    n_listeners=1
fi

# --- 5. completion listing ---------------------------------------------------
if ! section_on list; then
    :
elif supports "${list_args%% *}"; then
    fill nsxs $((n_listeners + 1)) "$n_containers" sleep 1d
    total=$(running)
    say "Listing with $total running containers: $slow_runs runs each"
    li_nsx="docker-nsexec $list_args"
    li_ps="docker ps --format '{{.Names}}'"
    # shellcheck disable=SC2086
    got=$("$bin" -H "$host" $list_args | wc -l) || die "docker-nsexec $list_args failed"
    say "docker-nsexec $list_args printed $got lines; docker ps shows $total containers"
    hf list "$slow_runs" 3 \
        "$li_nsx=$bin -H $host $list_args" \
        "$li_ps=$docker_cli -H $host ps --format {{.Names}}"
    read_medians list
    ratio_info "$li_nsx" "$li_ps"
    # shellcheck disable=SC2086
    rss "$li_nsx" "$bin" -H "$host" $list_args
    rss "$li_ps" "$docker_cli" -H "$host" ps --format '{{.Names}}'
else
    skipped+=("completion listing: $bin has no ${list_args%% *} option")
fi

# --- summary -----------------------------------------------------------------
sizes() { # sizes BIN: "N KiB (M KiB)", as built and stripped
    local stripped
    stripped=$(mktemp)
    strip -o "$stripped" "$1"
    echo "$(($(stat -c %s "$1") / 1024)) KiB ($(($(stat -c %s "$stripped") / 1024)) KiB)"
    rm -f -- "$stripped"
}
{
    echo "## Benchmark figures"
    echo
    echo "Made by \`$command_line\` on $(date -u '+%Y-%m-%d %H:%M UTC'):"
    echo "$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), Linux $(uname -r),"
    echo "dockerd $(dk version -f '{{.Server.Version}}' 2>/dev/null), $("$docker_cli" --version | sed 's/,.*//'),"
    echo "$(hyperfine --version), $(curl --version | head -n 1 | cut -d' ' -f1-2), docker-nsexec $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
    if section_on lookup; then
        echo "(default: $(ldd "$bin" | grep -c '=>') shared libraries; lean: $(ldd "$lean_bin" | grep -c '=>'); static: none), load average $(cut -d' ' -f1-3 /proc/loadavg)."
        echo "Sizes, as built (stripped): default $(sizes "$bin"), lean $(sizes "$lean_bin"), static $(sizes "$static_bin")."
    else
        echo "($(ldd "$bin" | grep -c '=>') shared libraries), load average $(cut -d' ' -f1-3 /proc/loadavg)."
    fi
    echo "Medians; \`docker-nsexec\` and the peers talk to the same private dockerd with \`-H\`;"
    echo "every command runs directly (hyperfine -N) except the shell loops and \`nsenter -t \$(docker inspect …)\`,"
    echo "which run in \`sh -c\` (dash) as typed at a prompt."
    if [[ -f $out/lookup.md ]]; then
        echo
        echo "### Lookup and entry: \`docker-nsexec web true\` and its peers"
        echo
        table lookup
        echo
        targets_table "${target_rows[@]}"
    fi
    if [[ -f $out/cri.md ]]; then
        echo
        echo "### Lookup and entry over CRI: \`docker-nsexec --runtime-endpoint … bench/web true\` and its peers"
        echo
        echo "A private containerd with its CRI plugin, one pod \`bench\` with one container \`web\` made"
        echo "through CRI by \`tests/cri-client.py\`; the Python recipe is that client (\`ls\`: ListPodSandbox,"
        echo "ListContainers, ContainerStatus, then \`grep\` and \`cut\`; \`pid ID\`: ContainerStatus) and"
        echo "\`nsenter\`, in \`sh -c\`. $cri_versions."
        echo
        table cri
        if section_on lookup; then
            echo
            echo "The Docker path, \`$d_nsx\` on the private dockerd: ${med[$d_nsx]} ms (the lookup table above)."
        fi
        echo
        echo "| ratio of medians | medians | ratio |"
        echo "|---|---|---|"
        printf '%s\n' "${cri_rows[@]}"
        echo
        echo "CRI calls per entry (\`docker-nsexec -v\`'s \`debug: gRPC\` lines): $cri_n_calls ($cri_call_names)."
    fi
    if [[ -f $out/forward.md ]]; then
        echo
        echo "### Forwarding: \`docker-nsexec --forward\`, docker-proxy, socat, and a direct connection"
        echo
        echo "$(iperf3 --version | head -n 1 | cut -d' ' -f1-2), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2),"
        echo "$(socat -V | sed -n 's/^socat version \([^ ]*\).*/socat \1/p'), $(nginx -v 2>&1 | sed 's/.*: //'),"
        echo "docker-proxy of docker.io $(dpkg-query -W -f '${Version}' docker.io 2>/dev/null)."
        echo
        cat "$out/forward.md"
    fi
    for f in "$out"/listeners-*.json; do
        [[ -f $f ]] || continue
        f=${f##*/listeners-} f=${f%.json}
        echo
        if [[ ${f#*-} == 0 ]]; then
            echo "### Listeners report over ${f%-*} containers"
        else
            echo "### Listeners report over ${f%-*} containers, ${f#*-} established connections on the host"
        fi
        echo
        table "listeners-$f"
    done
    if ((${#listener_rows[@]})); then
        echo
        targets_table "${listener_rows[@]}"
    fi
    if [[ -f $out/list.md ]]; then
        echo
        echo "### Completion listing with $total running containers"
        echo
        table list
    fi
    if ((${#info_rows[@]})); then
        echo
        echo "### Other ratios (medians)"
        echo
        echo "| ratio | |"
        echo "|---|---|"
        printf '%s\n' "${info_rows[@]}"
    fi
    if ((${#rss_rows[@]})); then
        echo
        echo "### Peak RSS (\`/usr/bin/time -f %M\`, median of 5; of \`docker\` commands, the client's only)"
        echo
        echo "| command | KiB |"
        echo "|---|---|"
        printf '%s\n' "${rss_rows[@]}"
    fi
    if ((${#skipped[@]})); then
        echo
        printf -- '- skipped: %s\n' "${skipped[@]}"
    fi
} >"$out/summary.md"
echo
cat "$out/summary.md"
say "Tables in $out/"
