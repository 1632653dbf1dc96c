#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# contrib/bench.sh - docker-nsexec against its peers, side by side, with
# hyperfine, on a private dockerd.  Not a test: it measures and reports.
#
#   1. builds build-bench/ (default options, the system libcurl) and
#      build-bench-lean/ (-Dlean_curl=true) unless NSX_BENCH_BIN /
#      NSX_BENCH_LEAN_BIN name binaries to measure instead
#   2. starts its own dockerd (state in $NSX_BENCH_DIR, network namespace
#      $NSX_BENCH_NETNS) and the seed container `web` (--net none, httpd on
#      its own 127.0.0.1:8080)
#   3. one hyperfine run per comparison, every command of a comparison in it:
#        lookup:    docker-nsexec web true (default and lean build),
#                   nsenter -t "$(docker inspect …)" -n true, docker exec,
#                   nsenter -t PID -n true (PID known: the floor),
#                   curl --unix-socket … /containers/web/json (one request)
#        listeners: docker-nsexec --listeners [--json] over
#                   $NSX_BENCH_LISTENER_CONTAINERS containers with a listener,
#                   against a docker inspect + nsenter ss loop
#        list:      docker-nsexec --list vs docker ps --format '{{.Names}}'
#                   with $NSX_BENCH_CONTAINERS running containers
#      (a section whose option the binary lacks is skipped, and says so)
#   4. peak RSS (/usr/bin/time -f %M) of every command
#   5. stops everything it started (also on failure or interruption), writes
#      markdown tables into $NSX_BENCH_OUT and prints a summary ready to paste
#
# Root, Debian 12.  Installs hyperfine, time and what the daemon needs.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: contrib/bench.sh [-h|--help]

Benchmarks docker-nsexec (default and lean build) against docker inspect +
nsenter, docker exec, nsenter with a known PID and a single curl request, on
a private Docker daemon it starts and stops itself. Prints a markdown summary
(medians, ratios, targets, peak RSS) and leaves the hyperfine tables in
$NSX_BENCH_OUT.

Environment:
  NSX_BENCH_CONTAINERS            running containers for the --list comparison (1000;
                                  each has a containerd shim of ~10 MB: 1000 need ~10 GB)
  NSX_BENCH_LISTENER_CONTAINERS   containers with a listener for --listeners (100)
  NSX_BENCH_RUNS                  hyperfine runs of the lookup comparison (200)
  NSX_BENCH_SLOW_RUNS             runs of the list and listeners comparisons (20)
  NSX_BENCH_PARALLEL              docker run clients at once when filling (8)
  NSX_BENCH_DIR, NSX_BENCH_NETNS  the private daemon (/run/nsx-bench, nsx-bench)
  NSX_BENCH_OUT                   result directory (build-bench/results)
  NSX_BENCH_BIN, NSX_BENCH_LEAN_BIN  binaries to measure instead of building
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

n_containers=${NSX_BENCH_CONTAINERS:-1000}
n_listeners=${NSX_BENCH_LISTENER_CONTAINERS:-100}
runs=${NSX_BENCH_RUNS:-200}
slow_runs=${NSX_BENCH_SLOW_RUNS:-20}
parallel=${NSX_BENCH_PARALLEL:-8}
dir=${NSX_BENCH_DIR:-/run/nsx-bench}
netns=${NSX_BENCH_NETNS:-nsx-bench}
out=${NSX_BENCH_OUT:-$root/build-bench/results}
list_args=${NSX_BENCH_LIST_ARGS:---list}
listeners_args=${NSX_BENCH_LISTENERS_ARGS:---listeners}
listeners_json_args=${NSX_BENCH_LISTENERS_JSON_ARGS:-$listeners_args --json}
# Debian's docker CLI (docker.io), whatever else PATH holds.
docker_cli=/usr/bin/docker
export NSX_DOCKER=$docker_cli

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench.sh: %s\n' "$*" >&2; exit 1; }

for v in n_containers n_listeners runs slow_runs parallel; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done
((n_listeners >= 1 && runs >= 2 && slow_runs >= 2 && parallel >= 1)) ||
    die "NSX_BENCH_LISTENER_CONTAINERS >= 1, NSX_BENCH_RUNS and NSX_BENCH_SLOW_RUNS >= 2, NSX_BENCH_PARALLEL >= 1"
((EUID == 0)) || die "must run as root (it starts a Docker daemon and enters namespaces)"

command_line=""
for v in NSX_BENCH_CONTAINERS NSX_BENCH_LISTENER_CONTAINERS NSX_BENCH_RUNS NSX_BENCH_SLOW_RUNS \
    NSX_BENCH_BIN NSX_BENCH_LEAN_BIN NSX_BENCH_LIST_ARGS NSX_BENCH_LISTENERS_ARGS NSX_BENCH_LISTENERS_JSON_ARGS; do
    [[ -n ${!v:-} ]] && command_line+="$v=$(printf '%q' "${!v}") "
done
command_line+="contrib/bench.sh"

# One benchmark at a time per daemon directory.
exec 8>"$dir.lock"
flock -n 8 || die "another contrib/bench.sh uses $dir (lock $dir.lock)"

say "Packages"
nsx_install_packages meson ninja-build pkg-config gcc cmake libcurl4-openssl-dev libcjson-dev \
    docker.io cgroupfs-mount busybox-static curl iproute2 util-linux hyperfine time python3 ||
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
if [[ -z $lean_bin ]]; then
    say "Build build-bench-lean (-Dlean_curl=true)"
    "$root/contrib/fetch-subprojects.sh" >&2 8>&- || die "contrib/fetch-subprojects.sh failed"
    build "$root/build-bench-lean" -Dlean_curl=true || die "build-bench-lean did not build"
    lean_bin=$root/build-bench-lean/src/docker-nsexec
fi
[[ -x $bin && -x $lean_bin ]] || die "no binary at $bin or $lean_bin"
if ldd "$lean_bin" | grep -q libcurl; then
    die "$lean_bin loads a shared libcurl: not a lean build"
fi

# --- daemon ------------------------------------------------------------------
host=$(nsx_dockerd_host "$dir")
sock=${host#unix://}
dk() { "$docker_cli" -H "$host" "$@"; }
started=0
cleanup() {
    local ids
    trap - EXIT INT TERM HUP
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
nsx_dockerd_start "$dir" "$netns" 8>&- || die "could not start the daemon"
nsx_image_build "$host" || die "could not build the image"
dk run -d --name web --net none local/busybox httpd -f -p 127.0.0.1:8080 -h /www >/dev/null ||
    die "could not start the seed container"
pid=$(dk inspect -f '{{.State.Pid}}' web)
[[ $pid =~ ^[1-9][0-9]*$ ]] || die "the seed container has no PID"
# Check, once, that each way really lands in the container's network namespace.
want=$(readlink "/proc/$pid/ns/net")
for b in "$bin" "$lean_bin"; do
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
declare -a target_rows=()
# target LABEL A B LIMIT: the ratio of A's median to B's, against LIMIT.
target() {
    local label=$1 a=$2 b=$3 limit=$4 ratio ok
    ratio=$(awk -v a="${med[$a]}" -v b="${med[$b]}" 'BEGIN { printf "%.3f", a / b }')
    ok=$(awk -v r="$ratio" -v l="$limit" 'BEGIN { print (r <= l) ? "met" : "MISSED" }')
    target_rows+=("| $label | ${med[$a]} ms / ${med[$b]} ms | $ratio | ≤ $limit | $ok |")
}
declare -a info_rows=()
ratio_info() { # ratio_info A B
    info_rows+=("| \`$1\` / \`$2\` | $(awk -v a="${med[$1]}" -v b="${med[$2]}" 'BEGIN { printf "%.2f", a / b }') |")
}

supports() { # supports OPTION: --help of the default build mentions it
    "$bin" --help 2>/dev/null | grep -qE -- "(^|[ ,])$1([ =,]|\$)"
}

# --- 1. lookup and entry -----------------------------------------------------
say "Lookup and entry: $runs runs each"
nsx="docker-nsexec web true"
nsx_lean="docker-nsexec (lean) web true"
pipeline="nsenter -t \$(docker inspect …) -n true"
dexec="docker exec web true"
floor="nsenter -t PID -n true"
curl1="curl --unix-socket … /containers/web/json"
hf lookup "$runs" 20 \
    "$nsx=$bin -H $host web true" \
    "$nsx_lean=$lean_bin -H $host web true" \
    "$pipeline=sh -c 'nsenter -t \"\$($docker_cli -H $host inspect -f \"{{.State.Pid}}\" web)\" -n true'" \
    "$dexec=$docker_cli -H $host exec web true" \
    "$floor=nsenter -t $pid -n true" \
    "$curl1=curl -sf --unix-socket $sock http://localhost/v1.41/containers/web/json"
read_medians lookup
target "default ≤ 1/4 of inspect + nsenter" "$nsx" "$pipeline" 0.25
target "default ≤ 1/10 of docker exec" "$nsx" "$dexec" 0.10
target "default within 1.3× of one curl request" "$nsx" "$curl1" 1.3
target "lean within 1.6× of nsenter with the PID known" "$nsx_lean" "$floor" 1.6
ratio_info "$nsx_lean" "$nsx"
ratio_info "$nsx_lean" "$curl1"
ratio_info "$nsx" "$floor"

say "Peak RSS"
rss "$nsx" "$bin" -H "$host" web true
rss "$nsx_lean" "$lean_bin" -H "$host" web true
rss "$pipeline" sh -c "nsenter -t \"\$($docker_cli -H $host inspect -f '{{.State.Pid}}' web)\" -n true"
rss "$dexec" "$docker_cli" -H "$host" exec web true
rss "$floor" nsenter -t "$pid" -n true
rss "$curl1" curl -sf -o /dev/null --unix-socket "$sock" http://localhost/v1.41/containers/web/json

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

# --- 2. listeners report -----------------------------------------------------
declare -a skipped=()
if supports "${listeners_args%% *}"; then
    # The seed container listens too: it is one of the n_listeners.
    fill nsxl 2 "$n_listeners" httpd -f -p 127.0.0.1:8080 -h /www
    say "Listeners report over $(running) containers: $slow_runs runs each"
    l_table="docker-nsexec $listeners_args"
    l_json="docker-nsexec $listeners_json_args"
    l_peer="docker inspect + nsenter ss loop"
    # shellcheck disable=SC2086 # the arguments are words
    "$bin" -H "$host" $listeners_args >/dev/null || die "docker-nsexec $listeners_args failed"
    hf listeners "$slow_runs" 2 \
        "$l_table=$bin -H $host $listeners_args" \
        "$l_json=$bin -H $host $listeners_json_args" \
        "$l_peer=sh -c 'for p in \$($docker_cli -H $host inspect -f \"{{.State.Pid}}\" \$($docker_cli -H $host ps -q)); do nsenter -t \$p -n ss -Hltun; done'"
    read_medians listeners
    ratio_info "$l_table" "$l_peer"
    ratio_info "$l_json" "$l_peer"
    # shellcheck disable=SC2086
    rss "$l_table" "$bin" -H "$host" $listeners_args
    # shellcheck disable=SC2086
    rss "$l_json" "$bin" -H "$host" $listeners_json_args
else
    skipped+=("listeners report: $bin has no ${listeners_args%% *} option")
    n_listeners=1
fi

# --- 3. completion listing ---------------------------------------------------
if supports "${list_args%% *}"; then
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
{
    echo "## Benchmark figures"
    echo
    echo "Made by \`$command_line\` on $(date -u '+%Y-%m-%d %H:%M UTC'):"
    echo "$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), Linux $(uname -r),"
    echo "dockerd $(dk version -f '{{.Server.Version}}' 2>/dev/null), $("$docker_cli" --version | sed 's/,.*//'),"
    echo "$(hyperfine --version), $(curl --version | head -n 1 | cut -d' ' -f1-2), docker-nsexec $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
    echo "(default: $(ldd "$bin" | grep -c '=>') shared libraries; lean: $(ldd "$lean_bin" | grep -c '=>')), load average $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Medians; \`docker-nsexec\` and the peers talk to the same private dockerd with \`-H\`;"
    echo "every command runs directly (hyperfine -N) except the shell loops and \`nsenter -t \$(docker inspect …)\`,"
    echo "which run in \`sh -c\` (dash) as typed at a prompt."
    echo
    echo "### Lookup and entry: \`docker-nsexec web true\` and its peers"
    echo
    table lookup
    echo
    echo "| target | medians | ratio | limit | |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${target_rows[@]}"
    echo
    echo "Targets met: $(printf '%s\n' "${target_rows[@]}" | grep -c '| met |') of ${#target_rows[@]}."
    if [[ -f $out/listeners.md ]]; then
        echo
        echo "### Listeners report over $n_listeners containers"
        echo
        table listeners
    fi
    if [[ -f $out/list.md ]]; then
        echo
        echo "### Completion listing with $total running containers"
        echo
        table list
    fi
    echo
    echo "### Other ratios (medians)"
    echo
    echo "| ratio | |"
    echo "|---|---|"
    printf '%s\n' "${info_rows[@]}"
    echo
    echo "### Peak RSS (\`/usr/bin/time -f %M\`, median of 5; of \`docker\` commands, the client's only)"
    echo
    echo "| command | KiB |"
    echo "|---|---|"
    printf '%s\n' "${rss_rows[@]}"
    if ((${#skipped[@]})); then
        echo
        printf -- '- skipped: %s\n' "${skipped[@]}"
    fi
} >"$out/summary.md"
echo
cat "$out/summary.md"
say "Tables in $out/"
