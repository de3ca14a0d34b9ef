#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# This zcrxctl against a session of zcrxctl 0.1 (still running after an
# upgrade, say under zcrxctl-watch@): both speak protocol v1, but 0.1's arm
# reply says no mode.  tests/helpers/oldsession answers as 0.1 did.
. "$(dirname "$0")/lib_session.sh"
OLD=$TOP/tests/helpers/oldsession

t_plan 3

for j in "" -j; do
	t_begin "${j:+$j }arm against a 0.1 session re-arms and names its mode from its status"
	new_rundir
	"$OLD" "$(sock old0 3)" 2 10000 &
	old=$!
	wait_until 10 listening "$(sock old0 3)"
	run "$ZCRXCTL" $j arm old0 3 alloc-fail
	wait "$old"; orc=$?
	if [ "$rc" != 0 ] || [ "$orc" != 0 ]; then
		t_fail "arm exit $rc, the old session's $orc: $(short "$err$out")"
	elif [ -z "$j" ] && [[ $out != "armed type=alloc-fail dev=old0 queue=3 mode=sim sim=yes" ]]; then
		t_fail "text: $out"
	elif [ -n "$j" ] && ! jqe '.armed == ["alloc-fail"] and .mode == "sim" and .simulated' <<<"$out"; then
		t_fail "JSON: $out"
	else
		t_pass
	fi
done

t_begin "status of a 0.1 session lists it"
new_rundir
"$OLD" "$(sock old0 3)" 1 10000 &
old=$!
wait_until 10 listening "$(sock old0 3)"
run "$ZCRXCTL" -j status old0 3
wait "$old"
if [ "$rc" = 0 ] && jqe '.[0].dev == "old0" and .[0].simulated' <<<"$out"; then t_pass
else t_fail "exit $rc: $(short "$err$out")"; fi

t_done
