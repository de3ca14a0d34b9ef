#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What reaches the terminal and what happens when stdout cannot be written
# (issue 11, items 3, 6 and 10):
#  - text output escapes the control bytes and invalid UTF-8 of strings
#    zcrxctl did not write (arguments echoed in errors, session replies),
#    as C would (\e, \a, \xNN); valid UTF-8 shows as is;
#  - every command writing to a full device says "writing to stdout failed"
#    once on stderr and exits 1;
#  - a global option after the command says where it goes; help CMD works.
. "$(dirname "$0")/lib_session.sh"
OLD=$TOP/tests/helpers/oldsession
ESC=$'\e'
BEL=$'\a'

t_plan 24

# raw WHAT: fail the case if $out or $err holds an ESC or BEL byte.
raw() {
	local n
	n=$(printf '%s%s' "$out" "$err" | grep -c "[$ESC$BEL]")
	[ "$n" = 0 ] && return 1
	t_fail "$1: $n line(s) with a raw ESC/BEL: $(printf '%s' "$out$err" | cat -v | head -c 300)"
}

new_rundir

t_begin "watch --sim with ESC and BEL in DEV: the error shows them escaped"
run "$ZCRXCTL" watch --sim $'\e]0;pwned\a' 0
if raw watch; then :
elif [ "$rc" != 64 ]; then t_fail "exit $rc: $(short "$err")"
elif [[ $err != *"'\\e]0;pwned\\a'"* ]]; then t_fail "no escaped name: $(short "$err")"
else t_pass; fi

for c in bind arm status subscribe; do
	t_begin "$c with a control sequence in DEV: the error shows it escaped"
	run "$ZCRXCTL" $c $'x\e[2J\a' 0
	if raw "$c"; then :
	elif [ "$rc" != 64 ]; then t_fail "exit $rc: $(short "$err")"
	elif [[ $err != *"'x\\e[2J\\a'"* ]]; then t_fail "no escaped name: $(short "$err")"
	else t_pass; fi
done

# hostile REPLY: a fake session on old0.3 answering one status request with REPLY
hostile() {
	OLDSESSION_STATUS_REPLY=$1 "$OLD" "$(sock old0 3)" 1 10000 &
	old=$!
	wait_until 10 listening "$(sock old0 3)"
	run "$ZCRXCTL" status old0 3
	wait "$old"
}

t_begin "a session reply's dev with a terminal title sequence is printed escaped"
hostile '{"v":1,"ok":true,"session":{"dev":"x\u001b]0;PWNED\u0007\u001b[2J","queue":3,"zcrx-id":0,"pid":1,"uptime-s":5,"mode":"sim","simulated":true,"events":["alloc-fail"],"types":{"alloc-fail":{"state":"armed","count":1}},"copy-count":0,"copy-bytes":0,"recv-stalls":0}}'
if raw "status record"; then :
elif [[ $out != *'dev=x\e]0;PWNED\a\e[2J '* ]]; then t_fail "exit $rc, no escaped dev: $(short "$out$err")"
else t_pass; fi

t_begin "a session's error reply with control bytes is printed escaped"
hostile '{"v":1,"ok":false,"error":"x\u001b]0;PWNED\u0007\u009b2J"}'
if raw "error reply"; then :
elif [ "$rc" = 0 ]; then t_fail "exit 0: $(short "$out$err")"
elif [[ $err != *'x\e]0;PWNED\a\xc2\x9b2J'* ]]; then t_fail "no escaped error: $(short "$err")"
else t_pass; fi

# nul CMD...: a fake session on old0.3 answering with a valid reply, a NUL,
# then junk: the client reads the whole line, so it is not protocol v1
nul() {
	printf '%s\0junk\n' "$1" >"$S_TMP/nul.reply"
	shift
	OLDSESSION_REPLY_FILE=$S_TMP/nul.reply "$OLD" "$(sock old0 3)" 1 5000 &
	old=$!
	wait_until 10 listening "$(sock old0 3)"
	run "$ZCRXCTL" "$@"
	wait "$old"
}
for c in arm status; do
	t_begin "$c: a session reply with a NUL inside is refused, not cut at the NUL"
	if [ $c = arm ]; then nul '{"v":1,"ok":true,"armed":["alloc-fail"]}' arm old0 3 alloc-fail
	else nul '{"v":1,"ok":true,"session":{"dev":"old0","queue":3,"zcrx-id":0,"pid":1,"uptime-s":5,"mode":"sim","simulated":true,"events":["alloc-fail"],"types":{"alloc-fail":{"state":"armed","count":1}},"copy-count":0,"copy-bytes":0,"recv-stalls":0}}' status old0 3
	fi
	if [ "$rc" = 1 ] && [[ $err == *"not protocol v1"* ]]; then t_pass
	else t_fail "exit $rc: $(short "$out$err")"; fi
done

t_begin "bytes that are not UTF-8 show as \\xNN, valid UTF-8 as is"
run "$ZCRXCTL" status $'\xff\xc3\xa9' 3
if [ "$rc" = 0 ] || [ "$rc" = 64 ]; then t_fail "exit $rc: $(short "$err")"
elif [[ $err != *$'\\xff\xc3\xa9'* ]] || [[ $err == *$'\xff'* ]]; then
	t_fail "not escaped as \\xff then é: $(printf '%s' "$err" | cat -v | head -c 300)"
else t_pass; fi

t_begin "a DEV with bytes >= 0x80 is a device name (the kernel's rule), on any char signedness"
run "$ZCRXCTL" status $'\xc3\xa9th0' 3
if [ "$rc" = 64 ] || [[ $err == *"DEV must be"* ]]; then t_fail "refused: $(short "$err")"
else t_pass; fi

# full ARGS...: zcrxctl ARGS > /dev/full must exit 1 and say so once.
full() {
	local ef n
	t_begin "zcrxctl $* > /dev/full: exit 1, 'writing to stdout failed: No space left on device' once"
	ef=$(mktemp)
	"$ZCRXCTL" "$@" >/dev/full 2>"$ef"
	rc=$?
	n=$(grep -c "writing to stdout failed: No space left on device" "$ef")
	if [ "$rc" != 1 ] || [ "$n" != 1 ]; then
		t_fail "exit $rc, $n report(s): $(short "$(cat "$ef")")"
	else
		t_pass
	fi
	rm -f "$ef"
}

if [ -w /dev/full ]; then
	for c in features show help "-j status" --version --help; do
		# shellcheck disable=SC2086  # the words are the command line
		full $c
	done
else
	for c in features show help "-j status" --version --help; do
		t_begin "zcrxctl $c > /dev/full: exit 1, 'writing to stdout failed: No space left on device' once"
		t_skip "no writable /dev/full"
	done
fi

t_begin "features -j: -j is a global option, before the command"
run "$ZCRXCTL" features -j
if [ "$rc" = 64 ] &&
   [[ $err == *"-j is a global option: put it before the command (zcrxctl -j features)"* ]]; then
	t_pass
else t_fail "exit $rc: $(short "$err")"; fi

t_begin "status --color=never: --color is a global option, before the command"
run "$ZCRXCTL" status --color=never
if [ "$rc" = 64 ] &&
   [[ $err == *"--color is a global option: put it before the command (zcrxctl --color=never status)"* ]]; then
	t_pass
else t_fail "exit $rc: $(short "$err")"; fi

t_begin "help watch prints what watch --help prints"
run "$ZCRXCTL" watch --help
want=$out
run "$ZCRXCTL" help watch
if [ "$rc" = 0 ] && [ -n "$out" ] && [ "$out" = "$want" ]; then t_pass
else t_fail "exit $rc: $(short "$out$err")"; fi

t_begin "help of an unknown command is a usage error naming it"
run "$ZCRXCTL" help nosuch
if [ "$rc" = 64 ] && [[ $err == *"'nosuch'"* ]]; then t_pass
else t_fail "exit $rc: $(short "$err")"; fi

t_begin "bash completion: help offers every command of zcrxctl help"
want=$("$ZCRXCTL" -j help | jq -r '.commands[].name' | sort | tr '\n' ' ')
got=$(bash -c '. "$1"; COMP_WORDS=(zcrxctl help ""); COMP_CWORD=2; _zcrxctl
	printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP/completions/bash/zcrxctl" | sort | tr '\n' ' ')
if [ -n "$want" ] && [ "$got" = "$want" ]; then t_pass
else t_fail "offered '$got', zcrxctl help lists '$want'"; fi


t_begin "zcrxctl --help and zcrxctl help list 'help [COMMAND]'"
run "$ZCRXCTL" --help
a=$out
run "$ZCRXCTL" help
if grep -qE '^  help \[COMMAND\] ' <<<"$a" && grep -qE '^  help \[COMMAND\] ' <<<"$out"; then t_pass
else t_fail "$(grep -E '^  help' <<<"$a$out" | short)"; fi

t_begin "status --help names recv-stalls and recv-overflows"
run "$ZCRXCTL" status --help
if [ "$rc" = 0 ] && grep -q 'recv-stalls' <<<"$out" && grep -q 'recv-overflows' <<<"$out"; then t_pass
else t_fail "exit $rc: $(short "$out")"; fi

t_done
