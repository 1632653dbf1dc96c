#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# docker-nsexec as a plugin of the real docker CLI (Debian's docker.io client, /usr/bin/docker):
# `docker nsexec`, docker's -H/--context/--config honoured, the command's exit status, completion.

load helper

# Debian's client, by its absolute path: another docker on PATH may be another version.
DOCKER_CLI=${NSX_TEST_DOCKER_CLI:-/usr/bin/docker}
PAGE="hello from inside the container"

setup_file() {
    export C=nsxplug
    nsx_probe_daemon
    [ "$NSX_DAEMON" = up ] || return 0
    dk rm -f $C-web $C-stopped >/dev/null 2>&1 || true
    dk run -d --name $C-web --net none local/busybox httpd -f -p 127.0.0.1:8080 -h /www >/dev/null
    dk create --name $C-stopped --net none local/busybox true >/dev/null
    nsx_wait_running $C-web
}

teardown_file() {
    [ "${NSX_DAEMON:-}" = up ] || return 0
    dk rm -f $C-web $C-stopped >/dev/null 2>&1 || true
}

setup() {
    if [ ! -x "$DOCKER_CLI" ]; then
        [ "${DOCKER_NSEXEC_MUST_WORK:-0}" = 1 ] && fail "no docker CLI at $DOCKER_CLI (DOCKER_NSEXEC_MUST_WORK=1)"
        skip "no docker CLI at $DOCKER_CLI (Debian: apt-get install docker.io)"
    fi
    nsx_require_daemon
    # The plugin where a user installs one: ~/.docker/cli-plugins, as the link meson installs.
    export HOME=$BATS_TEST_TMPDIR/home
    mkdir -p "$HOME/.docker/cli-plugins"
    ln -s "$NSX" "$HOME/.docker/cli-plugins/docker-nsexec"
    unset DOCKER_CONFIG DOCKER_CONTEXT
}

@test "docker --help lists nsexec with its description" {
    run "$DOCKER_CLI" --help
    assert_success
    assert_line --regexp "^  nsexec\*? +Run a host command in a running container's namespaces"
    # docker help nsexec, docker nsexec --help: ours.
    run "$DOCKER_CLI" help nsexec
    assert_success
    assert_line --index 0 --partial "Usage: docker-nsexec [OPTIONS] CONTAINER"
    run "$DOCKER_CLI" nsexec --help
    assert_success
    assert_line --index 0 --partial "Usage: docker-nsexec [OPTIONS] CONTAINER"
    run "$NSX" docker-cli-plugin-metadata
    assert_success
    python3 -c 'import json, sys; m = json.load(sys.stdin); assert m["SchemaVersion"] == "0.1.0" and m["Vendor"] and m["Version"] and m["ShortDescription"], m' <<<"$output"
}

@test "docker nsexec CONTAINER CMD reaches the service on the container's loopback" {
    run curl -sS --max-time 2 http://127.0.0.1:8080/
    refute_output --partial "$PAGE"
    run "$DOCKER_CLI" nsexec $C-web curl -sS --max-time 5 http://127.0.0.1:8080/
    assert_success
    assert_output "$PAGE"
    # Our own options after the plugin name.
    run "$DOCKER_CLI" nsexec -u --timeout 5 $C-web hostname
    assert_success
    assert_output "$(dk inspect -f '{{.Config.Hostname}}' $C-web)"
}

@test "docker nsexec: the exit status is the command's, or 125/127 as docker run's" {
    run "$DOCKER_CLI" nsexec $C-web sh -c 'exit 7'
    assert_failure 7
    run "$DOCKER_CLI" nsexec $C-web true
    assert_success
    run "$DOCKER_CLI" nsexec nsxplug-nope true
    assert_failure 125
    assert_output "docker-nsexec: no such container: 'nsxplug-nope'"
    run "$DOCKER_CLI" nsexec $C-stopped true
    assert_failure 125
    assert_line --index 0 "docker-nsexec: container '$C-stopped' was created but never started"
    run -127 "$DOCKER_CLI" nsexec $C-web /nonexistent/cmd
    assert_failure 127
}

@test "docker -H/--host before nsexec chooses the engine" {
    export DOCKER_HOST=unix://$BATS_TEST_TMPDIR/none.sock
    run "$DOCKER_CLI" -H "$NSX_TEST_DOCKER_HOST" nsexec $C-web curl -sS --max-time 5 http://127.0.0.1:8080/
    assert_success
    assert_output "$PAGE"
    run "$DOCKER_CLI" --host="$NSX_TEST_DOCKER_HOST" --log-level error nsexec $C-web true
    assert_success
    # Without it, DOCKER_HOST names nothing: docker's -H was what made it work.
    run "$DOCKER_CLI" nsexec $C-web true
    assert_failure 125
    assert_output --partial "none.sock"
}

@test "docker --context and --config before nsexec choose the engine" {
    local cfg=$BATS_TEST_TMPDIR/other-config d
    export DOCKER_HOST=unix://$BATS_TEST_TMPDIR/none.sock
    # A context in a config directory that is not ~/.docker: only --config leads there; docker
    # also looks for plugins in it.
    d=$cfg/contexts/meta/$(printf nsxplug-ctx | sha256sum | cut -d' ' -f1)
    mkdir -p "$d" "$cfg/cli-plugins"
    ln -s "$NSX" "$cfg/cli-plugins/docker-nsexec"
    printf '{"Name":"nsxplug-ctx","Metadata":{},"Endpoints":{"docker":{"Host":"%s"}}}\n' \
        "$NSX_TEST_DOCKER_HOST" >"$d/meta.json"
    run "$DOCKER_CLI" --config "$cfg" -c nsxplug-ctx nsexec $C-web curl -sS --max-time 5 http://127.0.0.1:8080/
    assert_success
    assert_output "$PAGE"
    run "$DOCKER_CLI" --config "$cfg" --context nsxplug-ctx -D nsexec $C-web true
    assert_success
    assert_output --partial "docker-nsexec: debug: engine $NSX_TEST_DOCKER_HOST (from --context"
}

@test "docker nsexec: docker's plugin variables do not reach the command; --list works" {
    run "$DOCKER_CLI" nsexec $C-web env
    assert_success
    refute_output --partial DOCKER_CLI_PLUGIN
    # The same command run directly is not taken for a plugin run by a leftover variable.
    run "$DOCKER_CLI" nsexec $C-web "$NSX" $C-web true
    assert_success
    run "$DOCKER_CLI" nsexec --list
    assert_success
    assert_line "$C-web"
    refute_line "$C-stopped"
    run "$DOCKER_CLI" --tlsverify nsexec $C-web true
    assert_failure
}

@test "docker's own bash completion completes docker nsexec with container names" {
    [ -r /usr/share/bash-completion/completions/docker ] || skip "docker.io's bash completion is not installed"
    [ -r /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
    mkdir -p "$BATS_TEST_TMPDIR/bin"
    ln -s "$DOCKER_CLI" "$BATS_TEST_TMPDIR/bin/docker"
    run bash --norc --noprofile -c '
        PATH=$1:$PATH
        source /usr/share/bash-completion/bash_completion
        source /usr/share/bash-completion/completions/docker
        COMP_WORDS=(docker nsexec "$2")
        COMP_CWORD=2 COMP_LINE="docker nsexec $2" COMP_POINT=${#COMP_LINE}
        _docker
        printf "%s\n" "${COMPREPLY[@]}"
    ' bash "$BATS_TEST_TMPDIR/bin" "$C-"
    assert_success
    assert_line "$C-web"
    refute_line "$C-stopped"
}

# The docker CLI hands completion to plugins from version 23 on (20.10 answers ":0" itself).
@test "docker __complete nsexec WORD completes container names (docker CLI 23 or later)" {
    local cli version
    for cli in "$DOCKER_CLI" /usr/bin/docker /usr/local/bin/docker; do
        [ -x "$cli" ] || continue
        version=$("$cli" version --format '{{.Client.Version}}' 2>/dev/null) || true
        [ "${version%%.*}" -ge 23 ] 2>/dev/null && break
        cli=
    done
    [ -n "$cli" ] || skip "no docker CLI 23 or later here: older ones do not ask plugins to complete"
    run --separate-stderr "$cli" __complete nsexec "$C-"
    assert_success
    assert_line "$C-web"
    refute_line "$C-stopped"
    assert_line ":4"
    run --separate-stderr "$cli" __complete nsexec --no-v
    assert_line --regexp "^--no-verify"
}
