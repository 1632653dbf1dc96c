#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Shell completion in real shells (bash with bash-completion, zsh through a pseudo-terminal,
# fish) against the real dockerd: running containers from docker-nsexec itself, options,
# then the command's own completion; a dead engine gives nothing, quickly and silently.

load helper

COMPDIR=${NSX_COMPLETION_DIR:?NSX_COMPLETION_DIR must name contrib/completion}
ZSH_HARNESS=${NSX_ZSH_COMPLETE:?NSX_ZSH_COMPLETE must name tests/integration/zsh-complete.zsh}

setup_file() {
    export C=nsxcomp
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    dk rm -f $C-web $C-work $C-stopped $C-exited >/dev/null 2>&1 || true
    dk run -d --name $C-web --net none local/busybox httpd -f -p 127.0.0.1:8080 -h /www >/dev/null
    dk run -d --name $C-work --net none local/busybox sleep 3600 >/dev/null
    dk create --name $C-stopped --net none local/busybox true >/dev/null
    dk run --name $C-exited --net none local/busybox true
    nsx_wait_running $C-web
    nsx_wait_running $C-work
}

teardown_file() {
    [ "${NSX_DAEMON:-}" = up ] || return 0
    dk rm -f $C-web $C-work $C-stopped $C-exited >/dev/null 2>&1 || true
}

setup() {
    for s in bash zsh fish; do
        command -v $s >/dev/null || {
            [ "${DOCKER_NSEXEC_MUST_WORK:-0}" = 1 ] && fail "$s is not installed (DOCKER_NSEXEC_MUST_WORK=1)"
            skip "$s is not installed"
        }
    done
    [ -r /usr/share/bash-completion/bash_completion ] || {
        [ "${DOCKER_NSEXEC_MUST_WORK:-0}" = 1 ] && fail "bash-completion is not installed"
        skip "bash-completion is not installed"
    }
    nsx_require_daemon
    # The scripts run "docker-nsexec" as typed: the binary under test comes first in PATH.
    mkdir -p "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/home"
    ln -sf "$NSX" "$BATS_TEST_TMPDIR/bin/docker-nsexec"
    export PATH="$BATS_TEST_TMPDIR/bin:$PATH" HOME="$BATS_TEST_TMPDIR/home"
    export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share"
    WEB_ID=$(dk inspect -f '{{.Id}}' $C-web)
}

teardown() {
    nsx_fake_engine_stop
    if [ -n "${FWD_N:-}" ]; then
        dk rm -f $FWD_N-exp $FWD_N-pub >/dev/null 2>&1 || true
    fi
}

# bash_complete LINE: COMPREPLY after TAB at the end of LINE (words split on blanks), a line
# each, then "micros: N", the time the completion function took.
bash_complete() {
    bash --norc --noprofile -c '
        source /usr/share/bash-completion/bash_completion
        source "$1"
        COMP_LINE=$2
        COMP_POINT=${#COMP_LINE}
        read -ra COMP_WORDS <<<"$COMP_LINE"
        [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        t0=$EPOCHREALTIME
        _docker_nsexec
        t1=$EPOCHREALTIME
        printf "%s\n" "${COMPREPLY[@]}"
        echo "micros: $(( ${t1/./} - ${t0/./} ))"
    ' bash "$COMPDIR/docker-nsexec.bash" "$1"
}

# zsh_complete LINE: "match: WORD" and "display: TEXT" lines, then "seconds: S".
zsh_complete() {
    zsh -f "$ZSH_HARNESS" "$COMPDIR" "$1"
}

# fish_complete LINE: fish's candidates ("WORD<TAB>DESCRIPTION"), the script found as an
# installed one is (autoloaded from fish_complete_path), then "millis: N".
fish_complete() {
    fish -c 'set -p fish_complete_path $argv[1]
        set t0 (date +%s%N)
        complete -C $argv[2]
        set t1 (date +%s%N)
        echo "millis: "(math --scale=0 "($t1 - $t0) / 1000000")' "$COMPDIR" "$1"
}

# The candidate words alone, whatever the shell: "match: " and descriptions stripped.
words_of() {
    grep -v -e '^display: ' -e '^seconds: ' -e '^micros: ' -e '^millis: ' | sed -e 's/^match: //' -e 's/\t.*//' | sort -u
}

# Each shell's completion of LINE, as sorted candidate words in $output.
complete_in() {
    local shell=$1 line=$2
    run --separate-stderr "${shell}_complete" "$line"
    assert_success
    output=$(printf '%s\n' "$output" | words_of)
    mapfile -t lines <<<"$output"
}

# Seconds the completion took, from the last line of a *_complete run.
elapsed_ok() {
    local last=${lines[-1]}
    case $last in
        micros:*) [ "${last#micros: }" -lt 1000000 ] ;;
        millis:*) [ "${last#millis: }" -lt 1000 ] ;;
        seconds:*) awk -v s="${last#seconds: }" 'BEGIN { exit !(s < 1.0) }' ;;
        *) false ;;
    esac || fail "completion took too long: $last"
}

@test "bash, zsh, fish: running containers are offered by name, stopped ones are not" {
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec $C-"
        assert_line "$C-web"
        assert_line "$C-work"
        refute_line "$C-stopped"
        refute_line "$C-exited"
        complete_in $shell "docker-nsexec -n $C-we"
        assert_output "$C-web"
    done
}

@test "bash, zsh, fish: a hex prefix also offers IDs; a name-like word does not" {
    local prefix=${WEB_ID:0:4}
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec $prefix"
        assert_line "${WEB_ID:0:12}"
        complete_in $shell "docker-nsexec $C-w"
        refute_line --partial "${WEB_ID:0:12}"
    done
}

@test "bash, zsh, fish: options complete before CONTAINER, with descriptions in zsh and fish" {
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec --ho"
        assert_output "$(printf -- '--host\n--host-dns')"
        complete_in $shell "docker-nsexec -n --no-v"
        assert_output "--no-verify"
    done
    run zsh_complete "docker-nsexec --ho"
    assert_line --regexp '^display: --host +-- engine endpoint'
    run fish_complete "docker-nsexec --ho"
    assert_line "$(printf -- '--host\tengine endpoint (unix:///path or tcp://127.0.0.1:PORT)')"
}

@test "bash, zsh, fish: every option of --help is offered, and no other" {
    local expected
    expected=$("$NSX" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec --"
        assert_output "$expected"
    done
}

@test "bash, zsh, fish: after CONTAINER, a host command, then that command's own completion" {
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec $C-web cur"
        assert_line curl
        refute_line "$C-web"
        # ls's own options: its completion (bash-completion, zsh's _ls, fish's ls.fish) answers.
        complete_in $shell "docker-nsexec -n $C-web ls --colo"
        assert_line --regexp '^--color'
        # Not ours: no container and no docker-nsexec option after CONTAINER.
        complete_in $shell "docker-nsexec -- $C-web ls --no-v"
        refute_line "--no-verify"
        # A "--" right after CONTAINER is ours: the command follows it.
        complete_in $shell "docker-nsexec $C-web -- cur"
        assert_line curl
        complete_in $shell "docker-nsexec -n $C-web -- ls --colo"
        assert_line --regexp '^--color'
    done
}

@test "bash, zsh, fish: --listeners takes containers only, any number of them" {
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec --listeners $C-"
        assert_line "$C-web"
        assert_line "$C-work"
        refute_line "$C-exited"
        # After a first container: more containers, not a command.
        complete_in $shell "docker-nsexec --listeners $C-web $C-wo"
        assert_output "$C-work"
        complete_in $shell "docker-nsexec --json --listeners $C-web cur"
        refute_line curl
    done
}

@test "bash, zsh, fish: -w completes directories; -H and --timeout offer no container" {
    mkdir -p "$BATS_TEST_TMPDIR/wdir-one"
    : >"$BATS_TEST_TMPDIR/wfile"
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec -w $BATS_TEST_TMPDIR/w"
        # zsh's matches leave out the directory typed (its prefix): wdir-one alone.
        assert_line --regexp "^($BATS_TEST_TMPDIR/)?wdir-one/?\$"
        refute_line --partial wfile
        complete_in $shell "docker-nsexec -H "
        refute_line "$C-web"
        complete_in $shell "docker-nsexec --timeout "
        refute_line "$C-web"
    done
}

@test "bash, zsh, fish: -H and --context typed on the line choose the engine" {
    local cfg=$BATS_TEST_TMPDIR/docker-config d
    d=$cfg/contexts/meta/$(printf nsxcomp-ctx | sha256sum | cut -d' ' -f1)
    mkdir -p "$d"
    printf '{"Name":"nsxcomp-ctx","Metadata":{},"Endpoints":{"docker":{"Host":"%s"}}}\n' \
        "$NSX_TEST_DOCKER_HOST" >"$d/meta.json"
    # DOCKER_HOST names nothing: only what is typed can find the daemon.
    export DOCKER_HOST=unix://$BATS_TEST_TMPDIR/none.sock DOCKER_CONFIG=$cfg
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec $C-w"
        refute_line "$C-web"
        complete_in $shell "docker-nsexec -H $NSX_TEST_DOCKER_HOST $C-w"
        assert_line "$C-web"
        complete_in $shell "docker-nsexec --host=$NSX_TEST_DOCKER_HOST $C-w"
        assert_line "$C-web"
        complete_in $shell "docker-nsexec --context nsxcomp-ctx -n $C-w"
        assert_line "$C-web"
    done
    # DOCKER_HOST=... typed before the command: zsh and fish see it (bash leaves such
    # assignments out of COMP_WORDS and COMP_LINE).
    for shell in zsh fish; do
        complete_in $shell "DOCKER_HOST=$NSX_TEST_DOCKER_HOST docker-nsexec $C-w"
        assert_line "$C-web"
    done
    # And DOCKER_HOST itself, when it names the daemon.
    export DOCKER_HOST=$NSX_TEST_DOCKER_HOST
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec $C-w"
        assert_line "$C-web"
    done
}

@test "bash, zsh, fish: an engine that does not answer gives nothing within a second, silently" {
    nsx_fake_engine hang
    for host in "unix://$FAKE_SOCK" "unix://$BATS_TEST_TMPDIR/missing.sock"; do
        export DOCKER_HOST=$host
        for shell in bash zsh fish; do
            run --separate-stderr "${shell}_complete" "docker-nsexec $C-"
            assert_success
            [ -z "$stderr" ] || fail "$shell printed on stderr: $stderr"
            elapsed_ok
            output=$(printf '%s\n' "$output" | words_of)
            assert_output ""
        done
    done
}

@test "bash, zsh, fish: --forward's value offers the running containers' exposed and published ports" {
    # Ports of our own, unlikely to be another test's: the candidates come from every container.
    local p1=$((20000 + RANDOM % 20000)) p2 n
    p2=$((p1 + 1))
    FWD_N=nsxcompfwd$RANDOM$BATS_TEST_NUMBER
    n=$FWD_N
    # On a bridge: the list leaves a --net none container's exposed ports out.
    dk run -d --name $n-exp --expose $p1 local/busybox sleep 600 >/dev/null
    dk run -d --name $n-pub -p 127.0.0.1::$p2/udp local/busybox sleep 600 >/dev/null
    nsx_wait_running $n-exp
    nsx_wait_running $n-pub
    for shell in bash zsh fish; do
        complete_in $shell "docker-nsexec --forward $p1"
        assert_line "$p1:$p1"
        complete_in $shell "docker-nsexec -n --forward $p2"
        assert_line "$p2:$p2/udp"
        refute_line "$p2:$p2"
        # After a --forward: CONTAINER, then nothing (it takes no command).
        complete_in $shell "docker-nsexec --forward $p1 $n-"
        assert_line "$n-exp"
        assert_line "$n-pub"
        complete_in $shell "docker-nsexec --forward $p1 $n-exp cur"
        refute_line curl
    done
    # --forward=VALUE, where the shell splits it (bash and zsh; fish completes the value alone).
    for shell in bash zsh; do
        complete_in $shell "docker-nsexec --forward=$p1"
        assert_line --regexp "^(--forward=)?$p1:$p1\$"
    done
    # Described by the containers that have the port.
    run zsh_complete "docker-nsexec --forward $p1"
    assert_line --regexp "^display: $p1:$p1 +-- $n-exp $p1/tcp\$"
    run fish_complete "docker-nsexec --forward $p2"
    assert_line "$(printf '%s\t%s' "$p2:$p2/udp" "$n-pub $p2/udp")"
    # In cobra's protocol; a host port typed keeps its place.
    run --separate-stderr "$NSX" __complete nsexec --forward "$p1"
    assert_success
    assert_output "$(printf '%s\t%s\n:4' "$p1:$p1" "$n-exp $p1/tcp")"
    run "$NSX" __completeNoDesc nsexec --forward "8081:$p2"
    assert_output "$(printf '%s\n:4' "8081:$p2/udp")"
    # The engine typed before --forward is the one asked.
    run "$NSX" __complete nsexec -H "unix://$BATS_TEST_TMPDIR/missing.sock" --forward "$p1"
    assert_output ":1"
    DOCKER_HOST=unix://$BATS_TEST_TMPDIR/missing.sock run "$NSX" __complete nsexec -H "$NSX_TEST_DOCKER_HOST" \
        --forward "$p1"
    assert_line --index 0 --partial "$p1:$p1"
}

@test "__complete answers in cobra's protocol: candidates, then the directive" {
    run --separate-stderr "$NSX" __complete nsexec "$C-w"
    assert_success
    assert_line --index 0 "$C-work"
    assert_line --index 1 "$C-web"
    assert_line --index 2 ":4"
    [ "${#lines[@]}" -eq 3 ]
    run "$NSX" __complete nsexec "${WEB_ID:0:5}"
    assert_output "$(printf '%s\t%s\n:4' "${WEB_ID:0:12}" "$C-web")"
    run "$NSX" __completeNoDesc nsexec "${WEB_ID:0:5}"
    assert_output "$(printf '%s\n:4' "${WEB_ID:0:12}")"
    # After CONTAINER the shell's default (files); -w a directory; -H nothing.
    run "$NSX" __complete nsexec "$C-web" ""
    assert_output ":0"
    run "$NSX" __complete nsexec -w ""
    assert_output ":16"
    run "$NSX" __complete nsexec -H ""
    assert_output ":4"
    run "$NSX" __complete nsexec --no-
    assert_output "$(printf -- '--no-verify\tdo not prove the PID is the container'"'"'s\n:4')"
    # An engine that cannot be reached: the error directive alone, nothing on stderr.
    run --separate-stderr "$NSX" __complete nsexec -H "unix://$BATS_TEST_TMPDIR/missing.sock" ""
    assert_success
    assert_output ":1"
    assert_equal "$stderr" ""
    # Nor debug output, whatever the environment asks for.
    DOCKER_NSEXEC_DEBUG=1 run --separate-stderr "$NSX" __complete nsexec -v "$C-w"
    assert_success
    assert_line "$C-web"
    assert_equal "$stderr" ""
}

@test "--list prints the names of running containers, one a line" {
    run --separate-stderr "$NSX" --list
    assert_success
    assert_line "$C-web"
    assert_line "$C-work"
    refute_line "$C-stopped"
    refute_line "$C-exited"
    assert_equal "$stderr" ""
    # The same set as the engine's own view of running containers.
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort)" "$(dk ps --format '{{.Names}}' | sort)"
    run "$NSX" -H "unix://$BATS_TEST_TMPDIR/missing.sock" --list
    assert_failure 125
    assert_output --partial "cannot connect to the engine"
    run "$NSX" --list $C-web
    assert_failure 125
    assert_line --index 0 "docker-nsexec: --list takes no CONTAINER or command, got '$C-web'"
}
