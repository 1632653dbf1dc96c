# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# contrib/lib/tree.sh - a copy of the source tree as it is, for a build
# elsewhere (sourced by contrib/test.sh's package step and contrib/release.sh
# --check).

# nsx_copy_tree SRC DEST: the files of the tree at SRC, uncommitted changes
# included, into the directory DEST: in a git checkout, the tracked files that
# still exist and the untracked ones git does not ignore; elsewhere everything
# but .git, the build directories and the subprojects' fetched or unpacked
# sources.
nsx_copy_tree() {
    local src=$1 dest=$2
    if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$src" ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do
                [[ -e $src/$f || -L $src/$f ]] && printf '%s\0' "$f"
            done | tar -C "$src" --null -T - -cf - | tar -C "$dest" -xf -
    else
        tar -C "$src" --exclude=./.git --exclude='./build*' --exclude=./subprojects/packagecache \
            --exclude='./subprojects/*-*' -cf - . | tar -C "$dest" -xf -
    fi
}
