#!/usr/bin/zsh -f
# SPDX-License-Identifier: MIT
# Completes a command line in a real interactive zsh, driven through a pseudo-terminal (zpty)
# as a user pressing TAB: zsh-complete.zsh COMPLETION_DIR 'COMMAND LINE'
# Prints every match completion offered ("match: WORD"), every display string given with
# them ("display: TEXT", where descriptions show), then "seconds: S", the time the completion
# widget took. Exits 1 if the widget did not finish within 20 s.
emulate -L zsh
zmodload zsh/zpty zsh/datetime

local compdir=$1 line=$2 out junk i
out=$(mktemp) || exit 1
trap 'rm -f -- $out' EXIT

zpty nsx zsh -f -i
# -u: the test's directories need not pass compaudit; -D: no dump file.
zpty -w nsx "fpath=(${(q)compdir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w nsx "setopt no_auto_list no_list_beep; zmodload zsh/datetime"
# Every candidate reaches compadd: record the ones that match the word typed (-O does the
# matching without adding), and the display strings, then add them as usual.
zpty -w nsx "compadd() {
  if (( \${@[(I)-[OAD]]} )); then builtin compadd \"\$@\"; return; fi
  local -a __m; local __d
  builtin compadd -O __m \"\$@\"
  (( \$#__m )) && print -rl -- \"match: \"\${^__m} >>${(q)out}
  if (( \${@[(I)-d]} )); then __d=\${@[\${@[(i)-d]}+1]}; print -rl -- \"display: \"\${^\${(P)__d}} >>${(q)out}; fi
  builtin compadd \"\$@\"
}"
zpty -w nsx "nsx-tab() { local t0=\$EPOCHREALTIME; zle complete-word; print -r -- \"seconds: \$(( EPOCHREALTIME - t0 ))\" >>${(q)out}; }"
zpty -w nsx 'zle -N nsx-tab; bindkey "^I" nsx-tab'
zpty -w -n nsx "$line"$'\t'

for i in {1..400}; do
  zpty -rt nsx junk 2>/dev/null
  if grep -q '^seconds: ' $out 2>/dev/null; then
    cat $out
    zpty -d nsx
    exit 0
  fi
  sleep 0.05
done
cat $out
zpty -d nsx
print -u2 "zsh-complete: the completion of '$line' did not finish"
exit 1
