#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# contrib/test.sh - build docker-nsexec and run the whole test suite against
# a private Docker daemon, a private Podman service and a private containerd
# with its CRI plugin.  This is what CI runs (.ci/run).  Debian 12, root.
#
#   1. installs the packages that are missing
#   2. builds build/ (-Dwerror=true), build-asan/ (ASan + UBSan) and
#      build-lean/ (-Dlean_curl=true: a static HTTP-only libcurl built from
#      the curl wrap, its source fetched by contrib/fetch-subprojects.sh from
#      Debian's source package), from scratch: the directories are deleted first;
#      and build-static/ (-Dstatic_binary=true with musl: the release binary,
#      one statically linked file)
#   3. starts a private dockerd in network namespace nsx-test, state under
#      /run/nsx-test, and a private Podman API service, state under
#      /run/nsx-podman, and imports the image local/busybox into each; and a
#      private containerd with CRI in network namespace nsx-cri, state under
#      /run/nsx-cri, with the images localhost/nsx/pause:1 and
#      localhost/nsx/busybox:1
#   4. runs `meson test` in each build directory with
#        NSX_TEST_DOCKER_HOST=unix:///run/nsx-test/docker.sock
#        NSX_TEST_PODMAN_HOST=unix:///run/nsx-podman/podman.sock
#        NSX_TEST_CRI_ENDPOINT=unix:///run/nsx-cri/containerd.sock
#        NSX_TEST_CRI_NETNS=nsx-cri
#        NSX_TEST_NETNS=nsx-test  NSX_TEST_IMAGE=local/busybox
#        DOCKER_NSEXEC_MUST_WORK=1  DOCKER_HOST=$NSX_TEST_DOCKER_HOST
#   4b. checks that the static release binary is reproducible
#      (contrib/release.sh --check: two builds in two directories, byte for byte)
#   5. runs the unit suite of build/ under valgrind (memcheck, full leak
#      check, any error fails), and builds build-fuzz/ (clang, libFuzzer,
#      ASan + UBSan) and fuzzes each parser for NSX_FUZZ_SECONDS (default
#      60), two at a time, printing the executions of each
#   6. stops all three (also on failure or interruption) and prints a
#      summary whose last line is "N passed, N failed, N skipped"
#
# Exit status 0 only if everything built, at least one test ran and nothing
# failed.  It never touches a Docker daemon, Podman or containerd it did not
# start.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: contrib/test.sh [--no-asan] [--no-lean] [--no-static] [--no-fuzz] [--] [MESON-TEST-ARGS...]

Build build/, build-asan/, build-lean/ and build-fuzz/ from scratch, start a
private Docker daemon (state in /run/nsx-test, network namespace nsx-test),
a private Podman service (state in /run/nsx-podman) and a private containerd
with CRI (state in /run/nsx-cri, network namespace nsx-cri), run `meson test`
in build/, build-asan/ and build-lean/ against them, the unit suite under
valgrind, and each fuzz target of build-fuzz/ for a bounded time; stop the
daemons and print a summary. The last line
of output is "N passed, N failed, N skipped" (test cases: the subtests of
TAP tests, else meson tests; a build that fails counts as one failure). Must run as root on Debian 12; installs missing
packages with apt-get.

  --no-asan        skip the sanitizer build (quicker local runs)
  --no-lean        skip the -Dlean_curl=true build (static libcurl from the wrap)
  --no-static      skip the static musl build (build-static/: its integration
                   suite) and the reproducibility check of contrib/release.sh
  --no-fuzz        skip the fuzz build and runs (NSX_FUZZ_SECONDS=N sets
                   each target's run, default 60)
  -h, --help       show this help
  MESON-TEST-ARGS  passed to meson test, e.g. a suite or test name

Exit status: 0 if everything built, at least one test ran and none failed.
EOF
}

asan=1
fuzz=1
fuzz_seconds=${NSX_FUZZ_SECONDS:-60}
lean=1
static=1
meson_args=()
while (($#)); do
    case $1 in
        --no-asan) asan=0 ;;
        --no-fuzz) fuzz=0 ;;
        --no-lean) lean=0 ;;
        --no-static) static=0 ;;
        -h | --help) usage; exit 0 ;;
        --) shift; meson_args+=("$@"); break ;;
        *) meson_args+=("$1") ;;
    esac
    shift
done

step() { printf '\n==> %s\n' "$*"; }

total_passed=0 total_failed=0 total_skipped=0
daemon_started=0
podman_started=0
cri_started=0
child=""
daemon_dir=/run/nsx-test
daemon_netns=nsx-test
podman_dir=/run/nsx-podman
cri_dir=/run/nsx-cri
cri_netns=nsx-cri

stop_daemon() {
    if ((daemon_started)); then
        daemon_started=0
        nsx_dockerd_stop "$daemon_dir" "$daemon_netns" ||
            echo "test.sh: warning: the test daemon did not stop cleanly" >&2
    fi
    if ((podman_started)); then
        podman_started=0
        nsx_podman_stop "$podman_dir" ||
            echo "test.sh: warning: the test Podman service did not stop cleanly" >&2
    fi
    if ((cri_started)); then
        cri_started=0
        nsx_containerd_stop "$cri_dir" "$cri_netns" ||
            echo "test.sh: warning: the test containerd did not stop cleanly" >&2
    fi
}
# die REASON: one line on stderr, stop the daemon, then the summary line
# (counting this as a failure) so CI always finds one.
die() {
    printf 'test.sh: %s\n' "$*" >&2
    stop_daemon
    echo "$total_passed passed, $((total_failed + 1)) failed, $total_skipped skipped"
    exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=contrib/lib/dockerd.sh
. "$root/contrib/lib/dockerd.sh"
# shellcheck source=contrib/lib/containerd.sh
. "$root/contrib/lib/containerd.sh"

((EUID == 0)) || die "must run as root (it starts a Docker daemon and may install packages)"

daemon_host=$(nsx_dockerd_host "$daemon_dir")
podman_host=$(nsx_podman_host "$podman_dir")
cri_endpoint=$(nsx_containerd_endpoint "$cri_dir")

# Two runs at once would share /run/nsx-test, /run/nsx-podman and /run/nsx-cri:
# the second would wipe the first one's daemons.  Commands that may outlive a killed
# test.sh (meson, the tests) run with fd 9 closed, so the lock dies with this
# script.
exec 9>"$daemon_dir.lock"
flock -n 9 || die "another contrib/test.sh is running (lock $daemon_dir.lock)"

step "Packages"
nsx_install_packages \
    meson ninja-build pkg-config gcc libcurl4-openssl-dev libcjson-dev \
    docker.io cgroupfs-mount busybox-static curl iproute2 podman \
    libcmocka-dev bats bats-assert bats-support python3 clang cmake \
    libclang-rt-14-dev clang-format valgrind zsh fish bash-completion mandoc groff docker-compose \
    containerd runc containernetworking-plugins python3-grpcio python3-protobuf \
    protobuf-compiler protobuf-compiler-grpc \
    musl-tools g++ file binutils ||
    die "could not install the needed packages"
echo "ok"

# --- build -------------------------------------------------------------------
builds=(build)
((asan)) && builds+=(build-asan)
((lean)) && builds+=(build-lean)
((static)) && builds+=(build-static)
((fuzz)) && builds+=(build-fuzz)
built=()
build_failed=()

setup_args() {
    case $1 in
        build) echo "-Dwerror=true" ;;
        build-asan) echo "-Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true" ;;
        build-fuzz) echo "-Dfuzz=true -Dtests=disabled -Db_lundef=false -Dwerror=true" ;;
        build-lean) echo "-Dlean_curl=true -Dwerror=true" ;;
        # The release binary's configuration (contrib/release.sh), but for its buildtype; cmocka
        # is a glibc library: no unit tests, the integration suite runs against it.
        build-static) echo "--native-file contrib/musl.ini -Dstatic_binary=true -Dtests=disabled -Dwerror=true" ;;
    esac
}
setup_env() {
    [[ $1 == build-fuzz ]] && echo "CC=clang"
    return 0
}

for b in "${builds[@]}"; do
    step "Build $b"
    rm -rf -- "${root:?}/$b"
    # The lean build's curl source comes from Debian's source package, never
    # from the network at build time (meson would try curl.se).
    if [[ $b == build-lean || $b == build-static ]] && ! "$root/contrib/fetch-subprojects.sh" 9>&-; then
        build_failed+=("$b")
        echo "test.sh: BUILD FAILED: $b (contrib/fetch-subprojects.sh)" >&2
        continue
    fi
    # shellcheck disable=SC2046 # the options are single words
    if env $(setup_env "$b") meson setup "$b" $(setup_args "$b") 9>&- && meson compile -C "$b" 9>&-; then
        built+=("$b")
    else
        build_failed+=("$b")
        echo "test.sh: BUILD FAILED: $b" >&2
    fi
done

# --- daemon ------------------------------------------------------------------
# shellcheck disable=SC2317 # invoked by trap
on_signal() {
    trap - INT TERM HUP
    if [[ -n $child ]]; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    echo "test.sh: interrupted" >&2
    exit "$1"
}
trap stop_daemon EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

if ((${#built[@]})); then
    step "Private Docker daemon ($daemon_host, netns $daemon_netns)"
    daemon_started=1 # also set if start fails half-way: the trap cleans up
    nsx_dockerd_start "$daemon_dir" "$daemon_netns" || die "could not start the test daemon"
    echo "answers after ${NSX_DOCKERD_START_SECONDS:-?}s"
    nsx_image_build "$daemon_host" || die "could not build the test image"
    echo "image local/busybox ready"

    step "Private Podman service ($podman_host)"
    podman_started=1 # as for dockerd: the trap cleans up a half-started one
    nsx_podman_start "$podman_dir" || die "could not start the test Podman service"
    echo "answers after ${NSX_PODMAN_START_SECONDS:-?}s"
    nsx_podman_image_build "$podman_host" || die "could not build the test image in Podman"
    echo "image local/busybox ready"

    step "Private containerd with CRI ($cri_endpoint, netns $cri_netns)"
    cri_started=1 # as for dockerd: the trap cleans up a half-started one
    nsx_containerd_start "$cri_dir" "$cri_netns" || die "could not start the test containerd"
    echo "answers after ${NSX_CONTAINERD_START_SECONDS:-?}s"
    nsx_cri_images_build "$cri_dir/images" || die "could not build the CRI test images"
    nsx_cri_images_import "$cri_dir" "$cri_dir/images" || die "could not import the CRI test images"
    echo "images localhost/nsx/pause:1 and localhost/nsx/busybox:1 ready"
fi

export NSX_TEST_DOCKER_HOST=$daemon_host
export NSX_TEST_PODMAN_HOST=$podman_host
export NSX_TEST_CRI_ENDPOINT=$cri_endpoint
export NSX_TEST_CRI_NETNS=$cri_netns
export NSX_TEST_NETNS=$daemon_netns
export NSX_TEST_IMAGE=local/busybox
export DOCKER_NSEXEC_MUST_WORK=1
# A test that forgets -H talks to the test daemon, never to the user's.
export DOCKER_HOST=$daemon_host
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
# The same for CRI: only the suites that mean to name an endpoint do.
unset CONTAINER_RUNTIME_ENDPOINT

# --- tests -------------------------------------------------------------------
# count_results DIR [LOGBASE]: first line "PASSED FAILED SKIPPED", then human
# lines, from DIR/meson-logs/LOGBASE.{json,junit.xml} (default testlog).
# A TAP test (bats, cmocka) counts by its subtests; any other test counts as one.
# A TAP test that failed as a whole (a crash, a bad plan) with no failing
# subtest still counts one failure.
count_results() {
    python3 - "$1" "${2:-testlog}" <<'EOF'
import json, os, sys
import xml.etree.ElementTree as ET

logs = os.path.join(sys.argv[1], "meson-logs")
base = sys.argv[2]

# meson's JUnit log has one <testsuite> per TAP test, named PROJECT.TEST,
# with a <testcase> per subtest.
subtests = {}
try:
    for suite in ET.parse(os.path.join(logs, base + ".junit.xml")).getroot().iter("testsuite"):
        name = (suite.get("name") or "").split(".", 1)[-1]
        c = subtests.setdefault(name, {"ok": 0, "failed": 0, "skipped": 0})
        for case in suite.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                c["failed"] += 1
            elif case.find("skipped") is not None:
                c["skipped"] += 1
            else:
                c["ok"] += 1
except (FileNotFoundError, ET.ParseError):
    pass

passed = failed = skipped = 0
bad = []
try:
    with open(os.path.join(logs, base + ".json"), encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            name, r = t.get("name", "?"), t.get("result")
            ok = r in ("OK", "EXPECTEDFAIL")
            sub = subtests.get(name)
            if sub and sum(sub.values()):
                passed += sub["ok"]
                failed += sub["failed"]
                skipped += sub["skipped"]
                if not ok and r != "SKIP" and sub["failed"] == 0:
                    failed += 1
            elif ok:
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
            if not ok and r != "SKIP":
                bad.append("%s (%s)" % (name, r))
except FileNotFoundError:
    pass
print(passed, failed, skipped)
for b in bad:
    print("  failed: " + b)
EOF
}

total_failed=${#build_failed[@]}
summary=()

# add_results LABEL DIR [LOGBASE]: counts a meson test run (exit status in rc)
# into the totals and the summary.
add_results() {
    local label=$1 p f s
    local -a res
    mapfile -t res < <(count_results "$2" "${3:-}")
    read -r p f s <<<"${res[0]:-0 0 0}"
    if ((rc != 0 && f == 0)); then
        res+=("  meson test exited with status $rc")
        f=1
    fi
    summary+=("$label: $p passed, $f failed, $s skipped" "${res[@]:1}")
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    total_skipped=$((total_skipped + s))
}

for b in "${built[@]}"; do
    [[ $b == build-fuzz ]] && continue # fuzzed below, not tested against the daemons
    step "Test $b"
    rm -f -- "$b/meson-logs/testlog.json" "$b/meson-logs/testlog.junit.xml"
    env_args=()
    if [[ $b == build-asan ]]; then
        env_args=(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
    fi
    test_args=("${meson_args[@]}")
    # The static binary: its integration suite (and the faults one, and its static-binary check).
    if [[ $b == build-static ]] && ((${#meson_args[@]} == 0)); then
        test_args=(--suite static --suite integration --suite faults)
    fi
    rc=0
    env "${env_args[@]}" meson test -C "$b" --print-errorlogs "${test_args[@]}" 9>&- &
    child=$!
    wait "$child" || rc=$?
    child=""

    add_results "$b" "$b"
    # The stress tallies (bats '# ' lines), where a CI reader sees them.
    if [[ -f $b/meson-logs/testlog.txt ]]; then
        mapfile -t tallies < <(grep -E '^# +(entered=|load: |[0-9]+ x )' "$b/meson-logs/testlog.txt" || true)
        ((${#tallies[@]})) && summary+=("  $b tallies:" "${tallies[@]/#/    }")
    fi
done

# --- reproducible release binary ---------------------------------------------
# contrib/release.sh --check builds the static release binary twice, the second time from a copy
# of the tree in another directory, and fails unless both are byte for byte the same. One test.
if ((static)); then
    step "Reproducible release binary (contrib/release.sh --check)"
    started=$SECONDS
    rc=0
    "$root/contrib/release.sh" --check 9>&- &
    child=$!
    wait "$child" || rc=$?
    child=""
    if ((rc == 0)); then
        summary+=("release.sh --check: 1 passed, 0 failed, 0 skipped (two builds identical, $((SECONDS - started))s)")
        total_passed=$((total_passed + 1))
    else
        summary+=("release.sh --check: 0 passed, 1 failed, 0 skipped" "  failed: contrib/release.sh --check (exit $rc)")
        total_failed=$((total_failed + 1))
    fi
fi

# --- valgrind ----------------------------------------------------------------
if [[ " ${built[*]} " == *" build "* ]]; then
    step "Unit suite of build under valgrind"
    rm -f -- build/meson-logs/valgrind*
    rc=0
    meson test -C build --suite unit --print-errorlogs --logbase valgrind \
        --wrap='valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect -q' \
        9>&- &
    child=$!
    wait "$child" || rc=$?
    child=""
    # With --wrap, meson names its logs LOGBASE-WRAPPER.
    vlog=$(find build/meson-logs -maxdepth 1 -name 'valgrind*.json' -printf '%f\n' | head -n 1)
    add_results "build (valgrind)" build "${vlog%.json}"
fi

# --- fuzzing -----------------------------------------------------------------
# Each target fuzzes a scratch copy of its seed corpus (the repository keeps only
# the seeds) for fuzz_seconds, two at a time on two cores; a crash, a leak or a
# sanitizer report fails it and leaves the input in build-fuzz/fuzz/NAME/.
if [[ " ${built[*]} " == *" build-fuzz "* ]]; then
    step "Fuzz each parser for ${fuzz_seconds}s"
    fuzz_run() {
        local name=$1 dir=build-fuzz/fuzz/$1 dict=()
        rm -rf -- "$dir" && mkdir -p "$dir/corpus" "$dir/artifacts"
        cp -- tests/fuzz/corpus/"$name"/* "$dir/corpus/"
        [[ -f tests/fuzz/$name.dict ]] && dict=(-dict="tests/fuzz/$name.dict")
        "build-fuzz/tests/fuzz/fuzz-$name" -max_total_time="$fuzz_seconds" -print_final_stats=1 \
            "${dict[@]}" -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1
    }
    mapfile -t fuzz_targets < <(find build-fuzz/tests/fuzz -maxdepth 1 -type f -name 'fuzz-*' -perm -u+x \
        -printf '%f\n' | sed 's/^fuzz-//' | sort)
    declare -A fuzz_rc=()
    for ((i = 0; i < ${#fuzz_targets[@]}; i += 2)); do
        pids=()
        for name in "${fuzz_targets[@]:i:2}"; do
            fuzz_run "$name" 9>&- &
            pids+=("$!:$name")
        done
        for pn in "${pids[@]}"; do
            child=${pn%%:*}
            rc=0
            wait "$child" || rc=$?
            fuzz_rc[${pn#*:}]=$rc
        done
        child=""
    done
    fp=0 ff=0
    fuzz_lines=()
    for name in "${fuzz_targets[@]}"; do
        log=build-fuzz/fuzz/$name/log
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
        if [[ ${fuzz_rc[$name]} == 0 ]]; then
            fp=$((fp + 1))
            fuzz_lines+=("  fuzz-$name: ${execs:-?} executions in ${fuzz_seconds}s, ${cov:-no stats}, no crash")
        else
            ff=$((ff + 1))
            fuzz_lines+=("  fuzz-$name: FAILED (exit ${fuzz_rc[$name]}) after ${execs:-?} executions: see $log"
                "    $(grep -m1 -E '^==[0-9]+==ERROR|SUMMARY|deadly signal|runtime error' "$log" || true)")
        fi
        echo "fuzz-$name: exit ${fuzz_rc[$name]}, ${execs:-?} executions"
    done
    summary+=("build-fuzz: $fp passed, $ff failed, 0 skipped" "${fuzz_lines[@]}")
    total_passed=$((total_passed + fp))
    total_failed=$((total_failed + ff))
fi

if ((daemon_started || podman_started || cri_started)); then
    step "Stop the daemons"
    stop_daemon
    echo "stopped"
fi

step "Summary"
for b in "${build_failed[@]}"; do
    summary+=("$b: BUILD FAILED (counted as 1 failure)")
done
if ((${#summary[@]})); then
    printf '%s\n' "${summary[@]}"
fi
status=0
if ((${#build_failed[@]} || total_failed)); then
    status=1
fi
if ((total_passed + total_failed - ${#build_failed[@]} == 0)) && ((${#built[@]})); then
    echo "no tests ran (skipped ones do not count): that is a failure"
    status=1
fi
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$status"
