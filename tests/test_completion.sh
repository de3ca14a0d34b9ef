#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Shell completions: the bash function driven through COMP_WORDS/COMP_CWORD,
# the zsh one through a real completion in a zpty.  What they offer is checked
# against the binary (`help`, every `--help`), /sys/class/net and RUNDIR.
. "$(dirname "$0")/lib.sh"

BASHCOMP=$TOP/completions/bash/zcrxctl
ZSHDIR=$TOP/completions/zsh
TMP=$(mktemp -d)
_pids=()
cleanup() {
	local p
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
	_t_cleanup
}
trap cleanup EXIT

# comp WORD...: the bash candidates for completing the last WORD, one per line
comp() {
	bash -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_zcrxctl zcrxctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASHCOMP" "$@" 2>&1 | grep . | sort -u
}
# same SET...: the candidates (stdin) are exactly SET
same() { diff <(printf '%s\n' "$@" | grep . | sort -u) - >/dev/null; }
# offers WORD... : each WORD is among the candidates in $got
lacks() {
	local w m=
	for w; do grep -qxF -- "$w" <<<"$got" || m+=" $w"; done
	echo "$m"
}

help_opts() {
	grep -E '^ {2,8}-' <<<"$1" | sed -E 's/^ +//; s/ {2,}.*//; s/[=[].*//' | tr ',' '\n' |
		sed -E 's/^ +//; s/ .*//' | grep -E '^-' | sort -u
}

mapfile -t cmds < <("$ZCRXCTL" -j help | jq -r '.commands[].name')

t_begin "bash: the completion file loads and binds _zcrxctl to zcrxctl"
out=$(bash -c '. "$1" && complete -p zcrxctl' _ "$BASHCOMP" 2>&1)
if grep -q -- '-F _zcrxctl zcrxctl' <<<"$out"; then t_pass; else t_fail "$out"; fi

t_begin "bash: the first word offers every command of zcrxctl help"
got=$(comp zcrxctl '')
m=$(lacks "${cmds[@]}")
if [ ${#cmds[@]} = 0 ]; then t_fail "zcrxctl -j help listed no commands"
elif [ -z "$m" ]; then t_pass; else t_fail "not offered:$m"; fi

t_begin "bash: no command is offered that zcrxctl does not have"
extra=$(comm -23 <(comp zcrxctl '') <(printf '%s\n' "${cmds[@]}" | sort -u) | tr '\n' ' ')
if [ -z "$extra" ]; then t_pass
else t_fail "offered, but not in zcrxctl help: $extra"; fi

t_begin "bash: every global option of zcrxctl --help is offered"
run "$ZCRXCTL" --help
got=$(comp zcrxctl -)
m=$(lacks $(help_opts "$out"))
if [ -z "$m" ]; then t_pass; else t_fail "not offered:$m"; fi

for c in "${cmds[@]}"; do
	t_begin "bash: every option of zcrxctl $c --help is offered"
	run "$ZCRXCTL" "$c" --help
	opts=$(help_opts "$out")
	got=$(comp zcrxctl "$c" -)
	m=$(lacks $opts)
	if [ -z "$opts" ]; then t_fail "no options parsed from zcrxctl $c --help"
	elif [ -z "$m" ]; then t_pass; else t_fail "not offered:$m"; fi
done

t_begin "bash: a unique prefix of a command completes its options"
got=$(comp zcrxctl -j feat --re)
if same --require <<<"$got"; then t_pass; else t_fail "got: $(echo $got)"; fi

t_begin "bash: show, bind and watch offer the devices of /sys/class/net"
devs=$(ls /sys/class/net)
ok=1
for c in show bind watch; do comp zcrxctl "$c" '' | same $devs || { ok=0; echo "# $c"; }; done
if [ "$ok" = 1 ]; then t_pass; else t_fail "show/bind/watch DEV differs from: $(echo $devs)"; fi

t_begin "bash: show, watch and bind offer each device's queues/rx-*"
ok=1
for d in $devs; do
	want=$(ls "/sys/class/net/$d/queues" 2>/dev/null | sed -n 's/^rx-//p')
	for c in show watch; do
		comp zcrxctl "$c" "$d" '' | same $want || { ok=0; echo "# $c $d"; }
	done
	comp zcrxctl bind --area-size 8M "$d" '' | same $want || { ok=0; echo "# bind $d"; }
done
if [ "$ok" = 1 ]; then t_pass; else t_fail "queues differ from sysfs"; fi

t_begin "bash: --sim adds the simulated device sim0"
got=$(comp zcrxctl watch --sim '')
if [ -z "$(lacks sim0 $devs)" ]; then t_pass; else t_fail "got: $(echo $got)"; fi

t_begin "bash: event names after --events, and a comma list continues"
a=$(comp zcrxctl watch eth0 0 --events '')
b=$(comp zcrxctl watch eth0 0 --events alloc-fail,c)
c=$(comp zcrxctl watch eth0 0 --events=al)
if same alloc-fail copy all none <<<"$a" && same alloc-fail,copy <<<"$b" &&
	same --events=alloc-fail --events=all <<<"$c"; then t_pass
else t_fail "got: $(echo $a) / $(echo $b) / $(echo $c)"; fi

t_begin "bash: --require offers every feature that features --help names"
run "$ZCRXCTL" features --help
feats=$(tr '\n' ' ' <<<"$out" | grep -oE 'FEATURES for --require:[^.]*' | sed 's/.*://; s/([^)]*)//g' |
	tr ',' '\n' | tr -d ' ' | grep .)
got=$(comp zcrxctl features --require '')
m=$(lacks $feats)
if [ -z "$feats" ]; then t_fail "no feature list in features --help"
elif [ -z "$m" ]; then t_pass; else t_fail "not offered:$m"; fi

t_begin "bash: option values for --rearm, --timestamp, --sim-kernel, --color"
ok=1
comp zcrxctl watch sim0 0 --rearm '' | same auto manual || ok=0
comp zcrxctl watch sim0 0 --rearm = m | same manual || ok=0
comp zcrxctl subscribe sim0 0 --timestamp '' | same iso mono none || ok=0
comp zcrxctl watch sim0 0 --sim-kernel '' | same 7.3 7.2 may-2026 none || ok=0
comp zcrxctl --color = '' | same auto always never || ok=0
if [ "$ok" = 1 ]; then t_pass; else t_fail "a value list is wrong"; fi

t_begin "bash: an option's argument does not count as DEV"
got=$(comp zcrxctl watch --area-size 8M --sim-seed 7 lo '')
want=$(ls /sys/class/net/lo/queues | sed -n 's/^rx-//p')
if same $want <<<"$got"; then t_pass; else t_fail "got: $(echo $got)"; fi

# Sessions: real ones, started with this zcrxctl
RUNDIR=$TMP/run
mkdir -p "$RUNDIR"
export ZCRXCTL_RUNDIR=$RUNDIR
for s in "simA 3" "simA 7" "br.lan 1"; do
	set -- $s
	"$ZCRXCTL" -q watch "$1" "$2" --sim --sim-rate 10 >/dev/null 2>"$TMP/$1.$2.err" &
	_pids+=($!)
done
for i in $(seq 100); do
	[ -S "$RUNDIR/simA.3.sock" ] && [ -S "$RUNDIR/simA.7.sock" ] &&
		[ -S "$RUNDIR/br.lan.1.sock" ] && break
	sleep 0.1
done
nosess=
[ -S "$RUNDIR/simA.3.sock" ] && [ -S "$RUNDIR/simA.7.sock" ] && [ -S "$RUNDIR/br.lan.1.sock" ] ||
	nosess="zcrxctl watch --sim did not start three sessions: $(cat "$TMP"/*.err | tr '\n' ' ')"
touch "$RUNDIR/ghost.0.sock" "$RUNDIR/notes.txt"	# not sockets: never offered

t_begin "bash: arm/subscribe/status offer the devices with a session in RUNDIR"
if [ -n "$nosess" ]; then
	t_fail "$nosess"
else
	ok=1
	for c in arm subscribe status; do
		comp zcrxctl "$c" '' | same simA br.lan || { ok=0; echo "# $c"; }
	done
	if [ "$ok" = 1 ]; then t_pass; else t_fail "$(comp zcrxctl arm '' | tr '\n' ' ')"; fi
fi

t_begin "bash: ... and the queues of that device's sessions, then event names"
if [ -n "$nosess" ]; then
	t_fail "$nosess"
elif comp zcrxctl arm simA '' | same 3 7 && comp zcrxctl status br.lan '' | same 1 &&
	comp zcrxctl subscribe simA '' | same 3 7 && comp zcrxctl arm simA 3 '' | same alloc-fail copy all; then
	t_pass
else
	t_fail "$(comp zcrxctl arm simA '' | tr '\n' ' ')"
fi
unset ZCRXCTL_RUNDIR

# zsh: a real completion, in a zsh on a pseudo-terminal, with compadd
# wrapped to print the candidates between two markers.
cat >"$TMP/capture.zsh" <<'EOF'
zmodload zsh/zpty || exit 3
fdir=$1 cmdline=$2
zpty z zsh -f -i
zpty -w z 'PROMPT= RPROMPT= PS2='
zpty -w z "fpath=($fdir \$fpath); autoload -Uz compinit && compinit -u -D"
zpty -w z 'zstyle ":completion:*" insert-tab false; zstyle ":completion:*" list-grouped false'
zpty -w z '__m() { print -r -- "@@MARK@@"; }; comppostfuncs=(__m)'
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a __h; builtin compadd -A __h "$@"; local h; for h in $__h; do print -r -- "@@C:$h"; done; builtin compadd "$@"; }'
zpty -w z 'print @@READY@@'
local line
while zpty -r z line; do [[ ${line%%$'\r'*} == @@READY@@ ]] && break; done
zpty -w -n z "$cmdline"$'\t'
# every candidate passes through compadd; the post-completion hook ends it
while zpty -r z line; do
  line=${${line%$'\n'}%$'\r'}
  line=${line##*$'\r'}
  [[ $line == *@@MARK@@* ]] && break
  [[ $line == *@@C:* ]] && print -r -- "${line##*@@C:}"
done
zpty -d z
EOF
zcomp() { timeout 20 zsh -f "$TMP/capture.zsh" "$ZSHDIR" "$*" 2>/dev/null | sort -u; }

t_begin "zsh: _zcrxctl parses and compinit binds it to zcrxctl"
if ! command -v zsh >/dev/null; then
	t_skip "zsh is not installed (CI installs it)"
elif ! out=$(zsh -n "$ZSHDIR/_zcrxctl" 2>&1); then
	t_fail "zsh -n: $out"
else
	out=$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit && compinit -u -D;
		print -r -- "$_comps[zcrxctl]"; autoload +X _zcrxctl && print defined' _ "$ZSHDIR" 2>&1)
	if [ "$(printf '%s\n' "$out" | tail -n 2 | tr '\n' ' ')" = "_zcrxctl defined " ]; then t_pass
	else t_fail "$out"; fi
fi

t_begin "zsh: a real completion offers commands, options, devices and queues"
if ! command -v zsh >/dev/null; then
	t_skip "zsh is not installed (CI installs it)"
elif ! zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
	t_skip "this zsh has no zsh/zpty module to complete on a pseudo-terminal"
elif [ -z "$(zcomp 'zcrxctl ')" ]; then
	t_fail "no completion came back from zsh for 'zcrxctl '"
else
	ok=1
	got=$(zcomp 'zcrxctl ')
	[ -z "$(lacks "${cmds[@]}")" ] || { ok=0; echo "# commands: $(echo $got)"; }
	run "$ZCRXCTL" --help
	got=$(zcomp 'zcrxctl -')
	m=$(lacks $(help_opts "$out"))
	[ -z "$m" ] || { ok=0; echo "# global options lack:$m"; }
	for c in "${cmds[@]}"; do
		run "$ZCRXCTL" "$c" --help
		got=$(zcomp "zcrxctl $c -")
		m=$(lacks $(help_opts "$out"))
		[ -z "$m" ] || { ok=0; echo "# $c lacks:$m"; }
	done
	zcomp 'zcrxctl show ' | same $devs || { ok=0; echo "# devices: $(zcomp 'zcrxctl show ' | tr '\n' ' ')"; }
	zcomp 'zcrxctl watch lo ' | same $(ls /sys/class/net/lo/queues | sed -n 's/^rx-//p') ||
		{ ok=0; echo "# lo queues"; }
	zcomp 'zcrxctl watch sim0 0 --rearm=' | same auto manual || { ok=0; echo "# --rearm="; }
	if [ "$ok" = 1 ]; then t_pass; else t_fail "see the lines above"; fi
fi

t_begin "zsh: arm offers the sessions in RUNDIR, then event names"
if ! command -v zsh >/dev/null; then
	t_skip "zsh is not installed (CI installs it)"
elif [ -n "$nosess" ]; then
	t_fail "$nosess"
else
	export ZCRXCTL_RUNDIR=$RUNDIR
	if zcomp 'zcrxctl arm ' | same simA br.lan && zcomp 'zcrxctl arm simA ' | same 3 7 &&
		zcomp 'zcrxctl arm simA 3 ' | same alloc-fail copy all; then t_pass
	else t_fail "got: $(zcomp 'zcrxctl arm ' | tr '\n' ' ')/ $(zcomp 'zcrxctl arm simA ' | tr '\n' ' ')"; fi
	unset ZCRXCTL_RUNDIR
fi

t_done
