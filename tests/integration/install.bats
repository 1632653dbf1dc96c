#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# `meson install --destdir` puts every file where it is documented, and each shell, man and
# the docker CLI find what was installed.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

SRC=${NSX_SOURCE_ROOT:?NSX_SOURCE_ROOT must name the source tree}

setup_file() {
    # One build with prefix /usr and the plugin link, shared by the tests below.
    export B=$BATS_FILE_TMPDIR/build ROOT=$BATS_FILE_TMPDIR/root
    meson setup "$B" "$SRC" --prefix=/usr -Ddocker_cli_plugin=true -Dtests=disabled >/dev/null 3>&- &&
        meson install -C "$B" --destdir "$ROOT" >/dev/null 3>&- ||
        echo "meson setup/install failed" >"$BATS_FILE_TMPDIR/failed"
}

setup() {
    [ ! -e "$BATS_FILE_TMPDIR/failed" ] || fail "$(cat "$BATS_FILE_TMPDIR/failed")"
}

@test "every file is installed where stated" {
    local bashdir
    if pkg-config --exists bash-completion; then
        bashdir=$(pkg-config --define-variable=datadir=/usr/share --variable=completionsdir bash-completion)
    else
        bashdir=/usr/share/bash-completion/completions
    fi
    [ -x "$ROOT/usr/bin/docker-nsexec" ]
    [ -f "$ROOT/usr/share/man/man1/docker-nsexec.1" ]
    [ -f "$ROOT$bashdir/docker-nsexec" ]
    [ -f "$ROOT/usr/share/zsh/site-functions/_docker-nsexec" ]
    [ -f "$ROOT/usr/share/fish/vendor_completions.d/docker-nsexec.fish" ]
    [ -L "$ROOT/usr/lib/docker/cli-plugins/docker-nsexec" ]
    assert_equal "$(readlink "$ROOT/usr/lib/docker/cli-plugins/docker-nsexec")" ../../../bin/docker-nsexec
    # Nothing else.
    run bash -c "cd '$ROOT' && find . ! -type d | sort"
    assert_output "$(printf '%s\n' ./usr/bin/docker-nsexec ./usr/lib/docker/cli-plugins/docker-nsexec \
        ".$bashdir/docker-nsexec" ./usr/share/fish/vendor_completions.d/docker-nsexec.fish \
        ./usr/share/man/man1/docker-nsexec.1 ./usr/share/zsh/site-functions/_docker-nsexec | sort)"
}

@test "the plugin link leads to the binary; without -Ddocker_cli_plugin there is none" {
    run "$ROOT/usr/lib/docker/cli-plugins/docker-nsexec" docker-cli-plugin-metadata
    assert_success
    assert_output --partial '"SchemaVersion":"0.1.0"'
    meson configure "$B" -Ddocker_cli_plugin=false >/dev/null
    meson install -C "$B" --destdir "$BATS_TEST_TMPDIR/root" >/dev/null 3>&-
    [ -x "$BATS_TEST_TMPDIR/root/usr/bin/docker-nsexec" ]
    [ ! -e "$BATS_TEST_TMPDIR/root/usr/lib/docker" ]
    meson configure "$B" -Ddocker_cli_plugin=true >/dev/null
}

@test "each shell loads the installed completion from where it looks" {
    # bash-completion's on-demand loader searches XDG_DATA_DIRS.
    run bash --norc --noprofile -c "source /usr/share/bash-completion/bash_completion
        XDG_DATA_DIRS='$ROOT/usr/share' __load_completion docker-nsexec && complete -p docker-nsexec"
    assert_success
    assert_output "complete -F _docker_nsexec docker-nsexec"
    run zsh -f -c "fpath=('$ROOT/usr/share/zsh/site-functions' \$fpath); autoload -Uz compinit; compinit -u -D
        print -r -- \$_comps[docker-nsexec]"
    assert_success
    assert_output "_docker-nsexec"
    # fish completes only commands it can find.
    run env HOME="$BATS_TEST_TMPDIR" PATH="$ROOT/usr/bin:$PATH" fish -c "set -p fish_complete_path '$ROOT/usr/share/fish/vendor_completions.d'
        complete -C 'docker-nsexec --no-v'"
    assert_success
    assert_output "$(printf -- "--no-verify\tdo not prove the PID is the container's")"
}

@test "the installed man page renders" {
    run --separate-stderr env MANWIDTH=80 man -l "$ROOT/usr/share/man/man1/docker-nsexec.1"
    assert_success
    assert_line --regexp '^NAME'
    assert_line --regexp '^ +docker-nsexec +- +run a host command' 
    assert_equal "$stderr" ""
}

@test "the man page is lint-clean and documents every option of --help" {
    local man=$SRC/contrib/docker-nsexec.1 opt
    command -v mandoc >/dev/null || skip "mandoc is not installed"
    run mandoc -T lint "$man"
    assert_success
    assert_output ""
    run --separate-stderr groff -man -ww -z "$man"
    assert_success
    assert_equal "$stderr" ""
    run "$B/src/docker-nsexec" --help
    assert_success
    for opt in $(grep -oE -- '--[a-z][a-z-]+' <<<"$output" | sort -u); do
        grep -qF -- "${opt//-/\\-}" "$man" || fail "the man page does not document $opt"
    done
}
