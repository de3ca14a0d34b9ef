#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The CLI frame: command table, prefixes, help, version, usage errors in text and JSON.
. "$(dirname "$0")/lib.sh"

t_plan 13

one_line() { [ "$(grep -c . <<<"$1")" = 1 ]; }

t_begin "unknown command: exit 64, one line naming it"
run "$ZCRXCTL" frobnicate
if [ "$rc" = 64 ] && [ -z "$out" ] && one_line "$err" && grep -q "'frobnicate'" <<<"$err"; then t_pass
else t_fail "rc=$rc err=$err"; fi

t_begin "unknown command under -j: JSON error on stdout"
run "$ZCRXCTL" -j frobnicate
if [ "$rc" = 64 ] && [ -z "$err" ] && jq -e '.error | test("frobnicate")' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc out=$out err=$err"; fi

t_begin "unknown global option: exit 64, one line naming it"
run "$ZCRXCTL" --frob features
if [ "$rc" = 64 ] && one_line "$err" && grep -q -- "--frob" <<<"$err"; then t_pass
else t_fail "rc=$rc err=$err"; fi

t_begin "unknown command option under -j: JSON error naming it"
run "$ZCRXCTL" -j features --frob
if [ "$rc" = 64 ] && [ -z "$err" ] && jq -e '.error | test("--frob")' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc out=$out err=$err"; fi

t_begin "stray argument to features: exit 64"
run "$ZCRXCTL" features extra
if [ "$rc" = 64 ] && one_line "$err" && grep -q "'extra'" <<<"$err"; then t_pass
else t_fail "rc=$rc err=$err"; fi

t_begin "unique prefix selects the command"
run "$ZCRXCTL" -j feat
if [ "$rc" = 0 ] && jq -e '.features' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc"; fi

t_begin "no command: usage on stderr, exit 64"
run "$ZCRXCTL"
if [ "$rc" = 64 ] && [ -z "$out" ] && grep -q "Usage:" <<<"$err"; then t_pass
else t_fail "rc=$rc"; fi

# The binary's own command list: -j help, the same table dispatch uses
mapfile -t cmds < <("$ZCRXCTL" -j help 2>/dev/null | jq -r '.commands[].name' 2>/dev/null)

t_begin "help in text lists the same commands, in the same order, as -j help"
run "$ZCRXCTL" help
text=$(awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {exit}' <<<"$out")
if [ ${#cmds[@]} -lt 2 ]; then t_fail "-j help lists ${#cmds[@]} commands"
elif [ "$text" = "$(printf '%s\n' "${cmds[@]}")" ]; then t_pass
else t_fail "text: $(echo $text); JSON: ${cmds[*]}"; fi

t_begin "--help and --usage on every command of -j help exit 0 on stdout"
bad=
for c in "${cmds[@]}"; do
	for o in --help --usage; do
		run "$ZCRXCTL" "$c" "$o"
		if [ "$rc" != 0 ] || ! grep -q "zcrxctl $c" <<<"$out"; then bad+=" $c $o (rc=$rc);"; fi
	done
done
if [ ${#cmds[@]} = 0 ]; then t_fail "-j help lists no command"
elif [ -z "$bad" ]; then t_pass
else t_fail "$bad"; fi

t_begin "-V prints the version"
run "$ZCRXCTL" -V
if [ "$rc" = 0 ] && grep -qE '^zcrxctl [0-9]+\.[0-9]+' <<<"$out"; then t_pass
else t_fail "rc=$rc out=$out"; fi

t_begin "--color with a bad value: exit 64"
run "$ZCRXCTL" --color=blue features
if [ "$rc" = 64 ] && one_line "$err" && grep -q "blue" <<<"$err"; then t_pass
else t_fail "rc=$rc err=$err"; fi

t_begin "an unknown option of 1,100 characters is named whole"
long=$(printf 'x%.0s' $(seq 1100))
run "$ZCRXCTL" features "--$long"
if [ "$rc" = 64 ] && one_line "$err" && grep -q -- "--$long'" <<<"$err"; then t_pass
else t_fail "rc=$rc err=${err:0:80}... (${#err} characters)"; fi

t_begin "a closed stdout is an error, not a crash"
"$ZCRXCTL" features >&- 2>/dev/null
rc=$?
if [ "$rc" = 1 ]; then t_pass; else t_fail "rc=$rc"; fi

t_done
