# SPDX-License-Identifier: MIT
# fish completion for docker-nsexec: options with their descriptions, the running containers
# (listed by docker-nsexec itself, from the engine named by -H/--context already typed or by
# DOCKER_HOST, also as VAR=value before the command), then a host command and that command's
# own completion (__fish_complete_subcommand).

# Where the cursor is: "options" (before CONTAINER), "container" (after --, or after a first
# container of --listeners), "value OPTION"
# (the word is an option's value), "command N" (CONTAINER is word N after docker-nsexec) or
# "none" (after the CONTAINER of --forward).
function __docker_nsexec_where
    set -l tokens (commandline -opc)
    while string match -qr '^[A-Za-z_][A-Za-z0-9_]*=' -- $tokens[1]
        set -e tokens[1]
    end
    set -e tokens[1]
    set -l n (count $tokens)
    set -l i 1
    set -l dashdash 0
    set -l listeners 0
    set -l containers 0
    set -l forward 0
    while test $i -le $n
        set -l w $tokens[$i]
        if test $dashdash = 1
            # --forward takes CONTAINER alone, no command after it.
            test $forward = 1; and echo none; or echo command $i
            return
        end
        string match -q -- '--forward*' $w; and set forward 1
        switch $w
            case --
                set dashdash 1
            case --listeners
                set listeners 1
            case -H --host -c --context --runtime-endpoint -w --wd --timeout --index --user -e --env --forward
                if test $i -eq $n
                    echo value $w
                    return
                end
                set i (math $i + 1)
            case '--*'
            case '-?*'
                # Stacked short flags: the first of H, c, w, e takes the rest, or the next word.
                set -l flags (string split '' -- (string sub -s 2 -- $w))
                for j in (seq (count $flags))
                    if contains -- $flags[$j] H c w e
                        if test $j -eq (count $flags)
                            if test $i -eq $n
                                echo value -$flags[$j]
                                return
                            end
                            set i (math $i + 1)
                        end
                        break
                    end
                end
            case '*'
                # --listeners takes containers only, as many as are typed; --forward one, and
                # no command after it.
                if test $forward = 1
                    echo none
                    return
                end
                if test $listeners = 0
                    echo command $i
                    return
                end
                set containers 1
        end
        set i (math $i + 1)
    end
    if test $dashdash = 1 -o $containers = 1
        echo container
    else
        echo options
    end
end

function __docker_nsexec_wants_container
    contains -- (__docker_nsexec_where) options container
end

# docker-nsexec answers in cobra's protocol ("CANDIDATE<TAB>DESCRIPTION" lines, then
# ":DIRECTIVE"), given the words typed before this one: they name the engine. It answers
# within half a second, and with nothing when the engine does not. The candidates for the word
# being typed: containers, or for "--forward=VALUE" the values of --forward (the option is then
# in this word, not among the ones before).
function __docker_nsexec_ask
    set -l tokens (commandline -opc)
    set -l assignments
    while string match -qr '^[A-Za-z_][A-Za-z0-9_]*=' -- $tokens[1]
        set -a assignments $tokens[1]
        set -e tokens[1]
    end
    set -l word (commandline -ct)
    if string match -q -- '--forward=*' $word
        set -a tokens --forward
        set word (string replace -- '--forward=' '' $word)
    end
    set -l out (env $assignments $tokens[1] __complete nsexec $tokens[2..-1] $word 2>/dev/null)
    or return
    string match -qr '^:[0-9]+$' -- $out[-1]; or return
    test (math (string sub -s 2 -- $out[-1]) % 2) -eq 0; or return
    set -e out[-1]
    printf '%s\n' $out
end

# CONTAINER. No name begins with "-": that word is an option, which the entries below complete.
function __docker_nsexec_containers
    string match -q -- "-*" (commandline -ct); and return
    __docker_nsexec_ask
end

# After CONTAINER: the command and its arguments, completed as if typed alone.
function __docker_nsexec_command
    set -l where (string split ' ' -- (__docker_nsexec_where))
    set -l tokens (commandline -opc)
    while string match -qr '^[A-Za-z_][A-Za-z0-9_]*=' -- $tokens[1]
        set -e tokens[1]
    end
    set -l first (math $where[2] + 2)
    # A "--" right after CONTAINER is ours (kubectl exec's habit), not the command.
    if test "$tokens[$first]" = --
        set first (math $first + 1)
    end
    __fish_complete_subcommand --commandline $tokens[$first..-1] (commandline -ct)
end

complete -c docker-nsexec -f
complete -c docker-nsexec -n __docker_nsexec_wants_container -a '(__docker_nsexec_containers)'
complete -c docker-nsexec -n 'string match -q "command *" -- (__docker_nsexec_where)' -a '(__docker_nsexec_command)'

set -l before 'test (__docker_nsexec_where) = options'
complete -c docker-nsexec -n $before -s n -l net -d 'join the network namespace (the default)'
complete -c docker-nsexec -n $before -s m -l mount -d 'join the mount namespace'
complete -c docker-nsexec -n $before -s u -l uts -d 'join the UTS namespace (hostname)'
complete -c docker-nsexec -n $before -s i -l ipc -d 'join the IPC namespace'
complete -c docker-nsexec -n $before -s p -l pid -d 'join the PID namespace'
complete -c docker-nsexec -n $before -s U -l userns -d 'join the user namespace'
complete -c docker-nsexec -n $before -s C -l cgroup -d 'join the cgroup namespace'
complete -c docker-nsexec -n $before -s T -l time -d 'join the time namespace'
complete -c docker-nsexec -n $before -s a -l all -d 'join every namespace that differs from ours'
complete -c docker-nsexec -n $before -s w -l wd -x -a '(__fish_complete_directories)' -d 'working directory of the command'
complete -c docker-nsexec -n 'contains -- (__docker_nsexec_where) "value -w" "value --wd"' -a '(__fish_complete_directories)'
complete -c docker-nsexec -n $before -l user -x -d 'with -m or -a: run as USER[:GROUP] of the container (default: its own)'
complete -c docker-nsexec -n $before -s e -l env -x -d "with -m or -a: set KEY=VALUE (KEY: the caller's value) in the environment"
complete -c docker-nsexec -n $before -s H -l host -x -d 'engine endpoint (unix:///path or tcp://127.0.0.1:PORT)'
complete -c docker-nsexec -n $before -s c -l context -x -d "use this docker context's endpoint"
complete -c docker-nsexec -n $before -l runtime-endpoint -x -d "CRI engine endpoint, as crictl's (unix:///path: containerd, CRI-O)"
complete -c docker-nsexec -n $before -l timeout -x -d 'limit for the engine exchange, in seconds'
complete -c docker-nsexec -n $before -l index -x -d 'when CONTAINER is a Compose service: its replica N'
complete -c docker-nsexec -n $before -l no-verify -d "do not prove the PID is the container's"
complete -c docker-nsexec -n $before -l host-dns -d "keep the host's /etc/resolv.conf and /etc/hosts"
complete -c docker-nsexec -n $before -l privileged -d "with -m or -a: do not confine the command as the container's processes"
complete -c docker-nsexec -n $before -l list -d 'print the names of running containers'
complete -c docker-nsexec -n $before -l listeners -d 'report what listens in containers and whether published ports work'
complete -c docker-nsexec -n $before -l json -d 'with --listeners: the report as JSON'
complete -c docker-nsexec -n $before -l forward -x -a '(__docker_nsexec_ask)' -d 'relay [HOSTADDR:]HOSTPORT on the host to [CADDR:]CPORT[/PROTO] in the container'
complete -c docker-nsexec -n 'contains -- (__docker_nsexec_where) "value --forward"' -a '(__docker_nsexec_ask)'
complete -c docker-nsexec -n $before -s v -l verbose -d 'say which engine was chosen and the requests'
complete -c docker-nsexec -n $before -s h -l help -d 'show the help'
complete -c docker-nsexec -n $before -s V -l version -d 'show the version'
