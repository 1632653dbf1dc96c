#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# contrib/release.sh - build the release binary: one statically linked
# docker-nsexec (musl libc, the lean HTTP-only libcurl with unix sockets and
# HTTP/2 by nghttp2, cJSON; all from subprojects/, their sources fetched by
# contrib/fetch-subprojects.sh from Debian's archive), optimized and stripped,
# its SHA-256 checksum, and the licence notices of all it contains:
#
#   OUTDIR/docker-nsexec-VERSION-ARCH-linux
#   OUTDIR/docker-nsexec-VERSION-ARCH-linux.sha256     (sha256sum -c format)
#   OUTDIR/docker-nsexec-VERSION-ARCH-linux.LICENSES   (ours, curl's, nghttp2's, cJSON's, musl's)
#
# The build is reproducible: the same commit gives the same bytes, whatever
# the directories (see -Dstatic_binary in meson.build). --check proves it:
# a second build from a copy of the tree in another directory must come out
# byte for byte the same, or the script fails.
#
# Debian 12: needs musl-tools, meson, ninja-build, cmake, gcc, g++, file.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: contrib/release.sh [--check] [OUTDIR]

Build the static release binary in build-release/build/ and write it, its
.sha256 file and its .LICENSES (the notices of what it contains) to OUTDIR
(default build-release/dist/).

  --check     also build from a copy of the tree in another directory and
              fail unless both binaries are byte for byte the same
  -h, --help  show this help
EOF
}

die() { printf 'release.sh: %s\n' "$*" >&2; exit 1; }
say() { printf 'release.sh: %s\n' "$*"; }

check=0
outdir=""
while (($#)); do
    case $1 in
        --check) check=1 ;;
        -h | --help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [[ -z $outdir ]] || die "one OUTDIR only"; outdir=$1 ;;
    esac
    shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib/tree.sh
. "$root/contrib/lib/tree.sh"
outdir=${outdir:-$root/build-release/dist}
jobs=${NSX_JOBS:-$(nproc 2>/dev/null || echo 2)}

for tool in musl-gcc meson ninja cmake strip sha256sum file; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install musl-tools meson ninja-build cmake g++ binutils file)"
done

# Nothing of the caller's environment may reach the compiler, and the time
# stamp any tool might record is the commit's.
unset CC CFLAGS CPPFLAGS LDFLAGS CXX CXXFLAGS PKG_CONFIG_PATH
export LC_ALL=C TZ=UTC
umask 022
if [[ -z ${SOURCE_DATE_EPOCH:-} ]] && git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct)
    export SOURCE_DATE_EPOCH
fi

"$root/contrib/fetch-subprojects.sh" || die "could not fetch the subprojects' sources"

# build SRC BUILD OUT: a fresh static build of SRC in BUILD, stripped into OUT.
build() {
    local src=$1 b=$2 out=$3
    rm -rf -- "$b"
    meson setup --native-file "$src/contrib/musl.ini" -Dstatic_binary=true -Dtests=disabled \
        -Dbuildtype=release "$b" "$src" >"$b.setup.log" 2>&1 ||
        { tail -n 30 "$b.setup.log" >&2; die "meson setup $b failed (log: $b.setup.log)"; }
    meson compile -C "$b" -j "$jobs" >"$b.compile.log" 2>&1 ||
        { tail -n 30 "$b.compile.log" >&2; die "meson compile -C $b failed (log: $b.compile.log)"; }
    strip --strip-all -o "$out" "$b/src/docker-nsexec"
    file -b "$out" | grep -q 'statically linked' || die "$out is not statically linked: $(file -b "$out")"
}

mkdir -p "$root/build-release"
say "building in $root/build-release/build"
build "$root" "$root/build-release/build" "$root/build-release/docker-nsexec"
bin=$root/build-release/docker-nsexec
# What the binary says it is (contrib/version.sh at its build: git describe, or a
# tarball's frozen version).
version=$("$bin" --version) || die "$bin --version failed"
version=${version#docker-nsexec }
[[ $version =~ ^[0-9A-Za-z.+~_-]+$ ]] || die "$bin reports no usable version: '$version'"

if ((check)); then
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/nsx-release.XXXXXX")
    trap 'rm -rf -- "$tmp"' EXIT
    # The tree as it is (tracked and new files, not ignored ones: no build
    # directories, no unpacked subprojects), plus the fetched source tarballs.
    copy=$tmp/src-elsewhere
    mkdir -p "$copy"
    nsx_copy_tree "$root" "$copy" || die "could not copy the tree into $copy"
    # The copy has no .git: its version is frozen as a tarball's is, to the first build's.
    printf '%s\n' "$version" >"$copy/.tarball-version"
    mkdir -p "$copy/subprojects/packagecache"
    cp -- "$root"/subprojects/packagecache/* "$copy/subprojects/packagecache/"
    say "building again in $tmp/build, from a copy of the tree in $copy"
    build "$copy" "$tmp/build" "$tmp/docker-nsexec"
    if ! cmp -s "$bin" "$tmp/docker-nsexec"; then
        sha256sum "$bin" "$tmp/docker-nsexec" >&2
        cmp "$bin" "$tmp/docker-nsexec" >&2 || true
        die "NOT REPRODUCIBLE: the two builds differ (compare them with diffoscope)"
    fi
    say "reproducible: both builds are byte for byte the same"
fi

arch=$(uname -m)
name=docker-nsexec-$version-$arch-linux

mkdir -p "$outdir"
cp -- "$bin" "$outdir/$name.tmp" && mv -- "$outdir/$name.tmp" "$outdir/$name"
chmod 0755 "$outdir/$name"
(cd "$outdir" && sha256sum "$name" >"$name.sha256.tmp" && mv -- "$name.sha256.tmp" "$name.sha256")
# The notices of everything linked in, which their licences ask to go with the binary.
{
    notice() { # notice TITLE FILE
        [[ -r $2 ]] || die "no licence text at $2"
        printf '==> %s\n\n' "$1"
        cat -- "$2"
        printf '\n'
    }
    notice "docker-nsexec" "$root/LICENSE"
    notice "curl 7.88.1 (libcurl)" "$root/subprojects/curl-7.88.1/COPYING"
    notice "nghttp2 1.52.0 (libnghttp2)" "$root/subprojects/nghttp2-1.52.0/COPYING"
    notice "cJSON 1.7.15" "$root/subprojects/cJSON-1.7.15/LICENSE"
    notice "musl $(dpkg-query -W -f '${Version}' musl 2>/dev/null || echo '?') (the C library)" /usr/share/doc/musl/copyright
} >"$outdir/$name.LICENSES.tmp"
mv -- "$outdir/$name.LICENSES.tmp" "$outdir/$name.LICENSES"
say "wrote $outdir/$name ($(stat -c %s "$outdir/$name") bytes, $(file -b "$outdir/$name" | cut -d, -f1,4))"
say "sha256 $(cut -d' ' -f1 "$outdir/$name.sha256")  (check: cd $outdir && sha256sum -c $name.sha256)"
