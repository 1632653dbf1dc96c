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
#   6. makes the release tarball with `meson dist` (build-dist/meson-dist/)
#      and builds it outside the repository, with git hidden and no
#      network, runs its unit suite and checks its --version
#   7. builds the Debian package (debian/) in a scratch copy of the tree as
#      user nobody, as a build daemon would, checks it with lintian and runs
#      its autopkgtest (the installed .deb against a private dockerd of its
#      own, /run/nsx-pkgtest), then purges the package again
#   8. stops all three (also on failure or interruption) and prints a
#      summary whose last line is "N passed, N failed, N skipped"
#
# Exit status 0 only if everything built, at least one test ran and nothing
# failed.  It never touches a Docker daemon, Podman or containerd it did not
# start.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: contrib/test.sh [--no-asan] [--no-lean] [--no-static] [--no-fuzz] [--no-dist] [--no-deb] [--] [MESON-TEST-ARGS...]

Build build/, build-asan/, build-lean/ and build-fuzz/ from scratch, start a
private Docker daemon (state in /run/nsx-test, network namespace nsx-test),
a private Podman service (state in /run/nsx-podman) and a private containerd
with CRI (state in /run/nsx-cri, network namespace nsx-cri), run `meson test`
in build/, build-asan/ and build-lean/ against them, the unit suite under
valgrind, and each fuzz target of build-fuzz/ for a bounded time; make the
release tarball and build and unit-test it with no git and no network; build
the Debian package, lint it and run its autopkgtest; stop the daemons and
print a summary. The last line
of output is "N passed, N failed, N skipped" (test cases: the subtests of
TAP tests, else meson tests; a build that fails counts as one failure). Must run as root on Debian 12; installs missing
packages with apt-get.

  --no-asan        skip the sanitizer build (quicker local runs)
  --no-lean        skip the -Dlean_curl=true build (static libcurl from the wrap)
  --no-static      skip the static musl build (build-static/: its integration
                   suite) and the reproducibility check of contrib/release.sh
  --no-fuzz        skip the fuzz build and runs (NSX_FUZZ_SECONDS=N sets
                   each target's run, default 60)
  --no-dist        skip the release tarball (meson dist, then its build and
                   unit suite with no git and no network)
  --no-deb         skip the Debian package: its build, lintian and autopkgtest
  -h, --help       show this help
  MESON-TEST-ARGS  passed to meson test, e.g. a suite or test name

Exit status: 0 if everything built, at least one test ran and none failed.
EOF
}

asan=1
fuzz=1
dist=1
fuzz_seconds=${NSX_FUZZ_SECONDS:-60}
lean=1
deb=1
static=1
meson_args=()
while (($#)); do
    case $1 in
        --no-asan) asan=0 ;;
        --no-fuzz) fuzz=0 ;;
        --no-lean) lean=0 ;;
        --no-dist) dist=0 ;;
        --no-deb) deb=0 ;;
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
deb_dir=""      # the package step's scratch directory while it runs
deb_purge=0     # set while the package step's autopkgtest may have installed it

stop_daemon() {
    deb_cleanup
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
# deb_cleanup: undo what the package step left when it was interrupted: the
# package it installed, the autopkgtest's daemon, its scratch directory.
deb_cleanup() {
    if ((deb_purge)); then
        deb_purge=0
        dpkg -P docker-nsexec >/dev/null 2>&1 ||
            echo "test.sh: warning: could not purge the package docker-nsexec" >&2
        if [[ -e /run/nsx-pkgtest ]]; then
            nsx_dockerd_stop /run/nsx-pkgtest nsx-pkgtest ||
                echo "test.sh: warning: the autopkgtest's daemon did not stop cleanly" >&2
        fi
    fi
    if [[ -n $deb_dir ]]; then
        rm -rf -- "$deb_dir"
        deb_dir=""
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
# shellcheck source=contrib/lib/tree.sh
. "$root/contrib/lib/tree.sh"

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
    protobuf-compiler protobuf-compiler-grpc git xz-utils \
    dpkg-dev debhelper lintian autopkgtest man-db \
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

# --- release tarball ---------------------------------------------------------
# `meson dist` packs the commit (git archive) and freezes its version into
# .tarball-version (contrib/version.sh). The tarball must stand alone: unpacked
# outside any repository, built with a git that only records being called and
# in a network namespace of its own (--wrap-mode=nodownload too), it passes
# the unit suite, installs, and reports the frozen version. meson dist packs
# HEAD only, so a checkout with uncommitted changes fails here (commit, or
# --no-dist); test.sh run from an unpacked tarball has no git: skipped.
dist_check() {
    local dp=0 df=0 ds=0 p f s t0 made built top tmp tarball name want got
    local -a lines=() res=()
    dist_fail() {
        df=$((df + 1))
        lines+=("  failed: $*")
        echo "test.sh: dist: $*" >&2
    }
    dist_done() {
        summary+=("dist: $dp passed, $df failed, $ds skipped" "${lines[@]}")
        total_passed=$((total_passed + dp))
        total_failed=$((total_failed + df))
        total_skipped=$((total_skipped + ds))
    }
    if ! command -v git >/dev/null || ! top=$(git -C "$root" rev-parse --show-toplevel 2>/dev/null) ||
        [[ $(cd "$top" && pwd -P) != "$(cd "$root" && pwd -P)" ]]; then
        echo "not a git checkout: no tarball to make (skipped)"
        ds=1 lines+=("  skipped: $root is not a git checkout")
        dist_done
        return
    fi
    git -C "$root" update-index -q --refresh >/dev/null 2>&1 || true
    if ! git -C "$root" diff-index --quiet HEAD --; then
        dist_fail "the checkout has uncommitted changes, and meson dist packs HEAD only: commit them, or --no-dist"
        dist_done
        return
    fi
    t0=$SECONDS
    rm -rf -- "${root:?}/build-dist"
    mkdir build-dist
    if ! { meson setup build-dist && meson dist -C build-dist --no-tests; } >build-dist/dist.log 2>&1 9>&-; then
        tail -n 20 build-dist/dist.log >&2
        dist_fail "meson dist failed (build-dist/dist.log)"
        dist_done
        return
    fi
    tarball=$(find build-dist/meson-dist -maxdepth 1 -name '*.tar.xz' | head -n 1)
    name=$(basename "$tarball" .tar.xz)
    made=$((SECONDS - t0))
    dp=$((dp + 1))
    echo "$tarball: $(du -k "$tarball" | cut -f1) KiB, made in ${made}s"

    # Every tracked file and .tarball-version, nothing else (no subproject sources).
    if diff -u <({ git -C "$root" ls-files; echo .tarball-version; } | sort) \
        <(tar -tJf "$tarball" | sed -n "s|^$name/||p" | grep -v -e '^$' -e '/$' | sort); then
        dp=$((dp + 1))
    else
        dist_fail "the tarball's files differ from git ls-files + .tarball-version (diff above)"
    fi

    want=$(tar -xJOf "$tarball" "$name/.tarball-version") || want="(none)"
    got=$("$root/contrib/version.sh" "$root" "${name#docker-nsexec-}")
    if [[ $want == "$got" ]]; then
        dp=$((dp + 1))
    else
        dist_fail "the tarball's .tarball-version says '$want', the checkout '$got'"
    fi

    t0=$SECONDS
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/nsx-dist.XXXXXX")
    chmod 755 "$tmp" # test-engine runs a server from the source as uid 65534
    mkdir "$tmp/nogit"
    printf '#!/bin/sh\necho "git $*" >>%q\nexit 127\n' "$tmp/git-calls" >"$tmp/nogit/git"
    chmod +x "$tmp/nogit/git"
    rc=0
    # shellcheck disable=SC2016 # expanded by the inner shell
    tar -C "$tmp" -xJf "$tarball" >"$tmp/build.log" 2>&1 &&
        PATH="$tmp/nogit:$PATH" unshare --net -- bash -c 'set -e; ip link set lo up
            meson setup --wrap-mode=nodownload "$1/build" "$1/$2"
            meson compile -C "$1/build"
            meson install -C "$1/build" --destdir "$1/root"' bash "$tmp" "$name" >>"$tmp/build.log" 2>&1 9>&- ||
        rc=$?
    if ((rc == 0)); then
        dp=$((dp + 1))
        for f in usr/local/bin/docker-nsexec usr/local/share/man/man1/docker-nsexec.1 \
            usr/local/share/zsh/site-functions/_docker-nsexec \
            usr/local/share/fish/vendor_completions.d/docker-nsexec.fish; do
            [[ -e $tmp/root/$f ]] || dist_fail "the tarball's build does not install /$f"
        done
        got=$("$tmp/build/src/docker-nsexec" --version 2>&1) || true
        if [[ $got == "docker-nsexec $want" ]]; then
            dp=$((dp + 1))
        else
            dist_fail "the tarball's build says '$got', not 'docker-nsexec $want'"
        fi
        rc=0
        # shellcheck disable=SC2016 # expanded by the inner shell
        PATH="$tmp/nogit:$PATH" unshare --net -- sh -c 'ip link set lo up && exec meson test -C "$1" --suite unit --print-errorlogs' \
            sh "$tmp/build" 9>&- || rc=$?
        mapfile -t res < <(count_results "$tmp/build")
        read -r p f s <<<"${res[0]:-0 0 0}"
        if ((rc != 0 && f == 0)); then
            res+=("  meson test exited with status $rc")
            f=1
        fi
        dp=$((dp + p)) df=$((df + f)) ds=$((ds + s))
        lines+=("${res[@]:1}")
    else
        tail -n 20 "$tmp/build.log" >&2
        dist_fail "the tarball does not build with no git and no network ($tmp/build.log)"
    fi
    if [[ -s $tmp/git-calls ]]; then
        dist_fail "the tarball's build called git: $(head -n 1 "$tmp/git-calls")"
    fi
    built=$((SECONDS - t0))
    lines+=("  $tarball: $(du -k "$tarball" | cut -f1) KiB, version $want; made in ${made}s, unpacked, built and tested in ${built}s")
    if ((df == 0)); then
        rm -rf -- "$tmp"
    else
        lines+=("  kept for a look: $tmp")
    fi
    dist_done
}
if ((dist)); then
    step "Release tarball (meson dist; built with no git and no network)"
    dist_check
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

# --- Debian package ----------------------------------------------------------
# debian/ as a build daemon uses it: dpkg-buildpackage -us -uc -b in a scratch
# copy of the tree (it writes into the parent directory), as user nobody, so
# the unit suite runs unprivileged as on a buildd; lintian (failing on
# warnings); the autopkgtest with the null runner, which installs the .deb on
# this machine and runs debian/tests/seed against a private dockerd of its own
# (/run/nsx-pkgtest, netns nsx-pkgtest); then the package is purged. Three
# test cases: build, lintian, autopkgtest. Logs stay in the scratch directory
# when something fails.
if ((deb)); then
    step "Debian package: build (as nobody), lintian, autopkgtest"
    dp=0 df=0 ds=0
    deb_lines=()
    deb_dir=$(mktemp -d "${TMPDIR:-/tmp}/nsx-deb.XXXXXX")
    deb_keep=0
    mkdir "$deb_dir/docker-nsexec"
    t0=$SECONDS
    rc=0
    if nsx_copy_tree "$root" "$deb_dir/docker-nsexec" && chown -R nobody:nogroup "$deb_dir"; then
        (cd "$deb_dir/docker-nsexec" &&
            exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
                env HOME="$deb_dir" DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b) \
            >"$deb_dir/build.log" 2>&1 9>&- &
        child=$!
        wait "$child" || rc=$?
        child=""
    else
        rc=1
        echo "could not copy the tree into $deb_dir" >"$deb_dir/build.log"
    fi
    debs=("$deb_dir"/docker-nsexec_*.deb)
    changes=("$deb_dir"/docker-nsexec_*.changes)
    if ((rc == 0)) && [[ -f ${debs[0]} && -f ${changes[0]} ]]; then
        dp=$((dp + 1))
        units=$(awk '/^Ok: +[0-9]+/ { print $2 " passed"; exit }' "$deb_dir/build.log")
        deb_lines+=("  build: ${debs[0]##*/}, $(stat -c %s "${debs[0]}") bytes, $((SECONDS - t0))s (unit suite: ${units:-not run})")
    else
        df=$((df + 1))
        deb_keep=1
        deb_lines+=("  build: FAILED (exit $rc): see $deb_dir/build.log")
        tail -n 25 "$deb_dir/build.log" >&2
    fi
    echo "build: exit $rc, $((SECONDS - t0))s"

    if ((dp)); then
        t0=$SECONDS
        rc=0
        setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$deb_dir" \
            lintian --fail-on warning -EIL +pedantic --color never "${changes[0]}" \
            >"$deb_dir/lintian.log" 2>&1 9>&- || rc=$?
        cat "$deb_dir/lintian.log"
        if ((rc == 0)); then
            dp=$((dp + 1))
            deb_lines+=("  lintian --fail-on warning: clean ($(grep -c '^[IPX]:' "$deb_dir/lintian.log" || true) info/pedantic tags), $((SECONDS - t0))s")
        else
            df=$((df + 1))
            deb_keep=1
            deb_lines+=("  lintian: FAILED (exit $rc): see $deb_dir/lintian.log")
        fi
        echo "lintian: exit $rc, $((SECONDS - t0))s"

        t0=$SECONDS
        if dpkg-query -W -f='${db:Status-Abbrev}' docker-nsexec 2>/dev/null | grep -q '^.i'; then
            # Never replace (and then purge) a docker-nsexec someone installed.
            ds=$((ds + 1))
            deb_lines+=("  autopkgtest: skipped: docker-nsexec is installed on this machine")
        else
            rc=0
            deb_purge=1
            autopkgtest --output-dir "$deb_dir/autopkgtest" "${debs[0]}" "$deb_dir/docker-nsexec/" -- null \
                >"$deb_dir/autopkgtest.log" 2>&1 9>&- &
            child=$!
            wait "$child" || rc=$?
            child=""
            grep -E '^(not )?ok [0-9]+|^# ' "$deb_dir/autopkgtest.log" || true
            if dpkg-query -W docker-nsexec >/dev/null 2>&1 && ! dpkg -P docker-nsexec >/dev/null 2>&1; then
                echo "test.sh: warning: could not purge the package docker-nsexec" >&2
            fi
            deb_purge=0
            checks=$(grep -cE '^ok [0-9]+' "$deb_dir/autopkgtest.log" || true)
            case $rc in
                0)
                    dp=$((dp + 1))
                    deb_lines+=("  autopkgtest (null runner): seed PASS, $checks checks, $((SECONDS - t0))s") ;;
                2 | 8)
                    ds=$((ds + 1))
                    deb_lines+=("  autopkgtest: skipped (exit $rc): see $deb_dir/autopkgtest.log") ;;
                *)
                    df=$((df + 1))
                    deb_keep=1
                    deb_lines+=("  autopkgtest: FAILED (exit $rc): see $deb_dir/autopkgtest.log")
                    tail -n 25 "$deb_dir/autopkgtest.log" >&2 ;;
            esac
            echo "autopkgtest: exit $rc, $((SECONDS - t0))s"
        fi
    fi
    summary+=("deb: $dp passed, $df failed, $ds skipped" "${deb_lines[@]}")
    total_passed=$((total_passed + dp))
    total_failed=$((total_failed + df))
    total_skipped=$((total_skipped + ds))
    if ((deb_keep)); then
        deb_dir="" # kept for its logs
    else
        rm -rf -- "$deb_dir"
        deb_dir=""
    fi
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
