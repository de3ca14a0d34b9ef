#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The CLI frame: command table, prefixes, help, version, usage errors in text and JSON.
. "$(dirname "$0")/lib.sh"

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

t_begin "help lists every command; -j help is JSON"
run "$ZCRXCTL" help
h=$out
run "$ZCRXCTL" -j help
names=$(jq -r '.commands[].name' <<<"$out" 2>/dev/null)
ok=1
for n in features show help; do
	grep -qw "$n" <<<"$h" || ok=0
	grep -qx "$n" <<<"$names" || ok=0
done
[ "$ok" = 1 ] && t_pass || t_fail "help text or JSON lacks a command"

t_begin "--help and --usage on every command exit 0 on stdout"
ok=1
for c in features show help; do
	for o in --help --usage; do
		run "$ZCRXCTL" "$c" "$o"
		if [ "$rc" != 0 ] || ! grep -q "zcrxctl $c" <<<"$out"; then ok=0; echo "# $c $o rc=$rc"; fi
	done
done
[ "$ok" = 1 ] && t_pass || t_fail "a command's --help/--usage failed"

t_begin "-V prints the version"
run "$ZCRXCTL" -V
if [ "$rc" = 0 ] && grep -qE '^zcrxctl [0-9]+\.[0-9]+' <<<"$out"; then t_pass
else t_fail "rc=$rc out=$out"; fi

t_begin "--color with a bad value: exit 64"
run "$ZCRXCTL" --color=blue features
if [ "$rc" = 64 ] && one_line "$err" && grep -q "blue" <<<"$err"; then t_pass
else t_fail "rc=$rc err=$err"; fi

t_begin "a closed stdout is an error, not a crash"
"$ZCRXCTL" features >&- 2>/dev/null
rc=$?
if [ "$rc" = 1 ]; then t_pass; else t_fail "rc=$rc"; fi

exit 0
