# SPDX-License-Identifier: MIT
# bash completion for docker-nsexec (needs bash-completion): options, the running containers
# (listed by docker-nsexec itself, from the engine named by -H/--context already typed or by
# DOCKER_HOST), then a host command and that command's own completion.

# Quotes the shell would remove from a word typed as 'unix:///x' or "unix:///x".
__docker_nsexec_dequote() {
    local w=$1
    if [[ $w == \'*\' || $w == \"*\" ]]; then
        w=${w:1:${#w}-2}
    fi
    printf '%s' "$w"
}

_docker_nsexec() {
    local cur prev words cword split
    # -n : keeps unix:///path one word; -s splits --opt=value.
    _init_completion -s -n : || return

    local i j w c container_at=0 dashdash=0 listeners=0 forward=0
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        [[ $w == --listeners ]] && ((!dashdash)) && listeners=1
        [[ $w == --forward || $w == --forward=* ]] && ((!dashdash)) && forward=1
        if ((dashdash)); then
            container_at=$i
            break
        fi
        case $w in
            --) dashdash=1 ;;
            -H | --host | -c | --context | --runtime-endpoint | -w | --wd | --timeout | --index | --user | -e | --env | --forward) ((i++)) ;;
            --*) ;;
            -?*)
                # Stacked short flags: the first of H, c, w, e takes the rest, or the next word.
                for ((j = 1; j < ${#w}; j++)); do
                    c=${w:j:1}
                    if [[ $c == [Hcwe] ]]; then
                        ((j == ${#w} - 1)) && ((i++))
                        break
                    fi
                done
                ;;
            *)
                container_at=$i
                break
                ;;
        esac
    done

    # --listeners takes containers only, as many as are typed.
    if ((container_at && listeners)); then
        [[ $cur == -* ]] && return
    # --forward takes CONTAINER alone, no command after it.
    elif ((container_at && forward)); then
        return
    # After CONTAINER: a command of the host, then whatever completes that command. A "--"
    # right after CONTAINER is ours (kubectl exec's habit), not the command.
    elif ((container_at)); then
        i=$((container_at + 1))
        ((i < cword)) && [[ ${words[i]} == -- ]] && ((i++))
        _command_offset $i
        return
    fi

    # The value of --forward: asked of docker-nsexec too (the containers' ports), as the
    # option's value, also when typed as --forward=VALUE.
    local -a extra=()
    if ((!dashdash)); then
        case $prev in
            -w | --wd | -[!-]*w)
                _filedir -d
                return
                ;;
            -H | --host | -c | --context | --runtime-endpoint | --timeout | --index | --user | -e | --env | -[!-]*[Hce])
                return
                ;;
            --forward)
                [[ $split == true ]] && extra=(--forward)
                split=false
                ;;
        esac
        [[ $split == true ]] && return
        if [[ $cur == -* && $prev != --forward ]]; then
            mapfile -t COMPREPLY < <(compgen -W '--net -n --mount -m --uts -u --ipc -i --pid -p
                --userns -U --cgroup -C --time -T --all -a --wd -w --user --env -e --host -H --context -c
                --runtime-endpoint --timeout --index --no-verify --host-dns --privileged --list --listeners --json --forward --verbose -v --help -h --version -V' -- "$cur")
            return
        fi
    fi

    # CONTAINER or --forward's value: ask docker-nsexec, with the options typed so far (its
    # engine), in cobra's protocol. It answers within half a second, and says nothing when the
    # engine does not.
    local bin=${words[0]} out
    bin=$(__docker_nsexec_dequote "$bin")
    [[ $bin == \~/* ]] && bin=$HOME/${bin#\~/}
    local -a args=()
    for ((i = 1; i < cword; i++)); do
        args+=("$(__docker_nsexec_dequote "${words[i]}")")
    done
    out=$("$bin" __completeNoDesc nsexec "${args[@]}" "${extra[@]}" "$cur" 2>/dev/null) || return
    local -a lines
    mapfile -t lines <<<"$out"
    local directive=${lines[${#lines[@]} - 1]}
    [[ $directive == :* ]] || return
    unset 'lines[${#lines[@]}-1]'
    (((${directive#:} & 1) == 0)) || return
    COMPREPLY=("${lines[@]}")
    __ltrim_colon_completions "$cur"
} &&
    complete -F _docker_nsexec docker-nsexec
