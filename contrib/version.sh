#!/bin/sh
# SPDX-License-Identifier: MIT
#
# contrib/version.sh - the version docker-nsexec reports.
#
#   contrib/version.sh SOURCE_ROOT PROJECT_VERSION   print it (meson's vcs_tag runs this at
#                                                    every build, to fill in src/version.c)
#   contrib/version.sh --dist PROJECT_VERSION        as a `meson dist` script: freeze it into
#                                                    $MESON_DIST_ROOT/.tarball-version
#
# The first that applies:
#   1. SOURCE_ROOT/.tarball-version: a tarball made by `meson dist` (it has no .git)
#   2. a git checkout whose top is SOURCE_ROOT, with a tag vX.Y.Z among the commit's ancestors:
#      `git describe --tags --match 'v[0-9]*' --abbrev=12 --dirty` less the v, so "1.2.0" on
#      the tag v1.2.0, "1.2.0-3-g0123456789ab" three commits after it
#   3. a git checkout with no such tag (none yet; a shallow clone): PROJECT_VERSION-gHASH, the
#      commit's 12-digit abbreviation: "0.1.0-g0123456789ab"
#   4. neither (an export with no .git and no .tarball-version): PROJECT_VERSION
# In a checkout, "-dirty" follows when tracked files differ from the commit; a tarball has
# exactly the commit's files, so --dist never adds it. Only the commit and the tree's state
# go in (no date, no host name): a given commit always gives the same version.
#
# POSIX sh, not bash: it runs in every build, also on build machines without bash.
set -eu

usage() {
    echo "usage: contrib/version.sh SOURCE_ROOT PROJECT_VERSION | --dist PROJECT_VERSION" >&2
    exit 2
}

# valid VERSION: only characters a C string literal and a file name take as they are.
valid() {
    case $1 in
        '' | *[!0-9A-Za-z.+~_-]*) return 1 ;;
    esac
    return 0
}

# from_git ROOT BASE [--dirty]: the version from git, or failure when ROOT is not the top of
# a git checkout (a tarball unpacked inside another repository must not take its commit).
from_git() {
    top=$(git -C "$1" rev-parse --show-toplevel 2>/dev/null) || return 1
    [ "$(cd "$top" && pwd -P)" = "$(cd "$1" && pwd -P)" ] || return 1
    # --always: with no matching tag, the abbreviated hash alone (hex, so never "v...").
    d=$(git -C "$1" describe --tags --match 'v[0-9]*' --abbrev=12 --always ${3:+"$3"} 2>/dev/null) || return 1
    case $d in
        v[0-9]*) v=${d#v} ;;
        *) v=$2-g$d ;;
    esac
    valid "$v" || return 1
    printf '%s\n' "$v"
}

if [ "${1:-}" = --dist ]; then
    [ $# -eq 2 ] || usage
    base=$2
    : "${MESON_DIST_ROOT:?not set: run as a meson dist script}" "${MESON_SOURCE_ROOT:?not set}"
    v=$(from_git "$MESON_SOURCE_ROOT" "$base") || {
        echo "version.sh: no version from git in $MESON_SOURCE_ROOT" >&2
        exit 1
    }
    # A release tag and meson.build must agree, or the tarball's name (from meson.build) and
    # the version inside it would differ.
    if tag=$(git -C "$MESON_SOURCE_ROOT" describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
        t=${tag#v}
        if [ "${t%%-*}" != "$base" ]; then
            echo "version.sh: HEAD is tagged $tag but meson.build says version $base" >&2
            exit 1
        fi
    fi
    printf '%s\n' "$v" >"$MESON_DIST_ROOT/.tarball-version"
    echo "version.sh: .tarball-version: $v"
    exit 0
fi

[ $# -eq 2 ] || usage
root=$1 base=$2
if [ -f "$root/.tarball-version" ]; then
    v=$(sed -n 1p "$root/.tarball-version")
    if valid "$v"; then
        printf '%s\n' "$v"
        exit 0
    fi
    echo "version.sh: $root/.tarball-version holds no valid version" >&2
    exit 1
fi
if command -v git >/dev/null 2>&1 && from_git "$root" "$base" --dirty; then
    exit 0
fi
valid "$base" || exit 1
printf '%s\n' "$base"
