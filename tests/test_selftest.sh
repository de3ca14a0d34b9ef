#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `zcrxctl selftest` against what each kernel release is known to bring,
# read from uname, not from the probe selftest itself uses: 7.2+ passes every
# check (exit 0); 7.1 passes the NODEV data path and lacks events (exit 3);
# older kernels lack NODEV (exit 3).  A failed check is exit 1 and names it.
. "$(dirname "$0")/lib.sh"

t_plan 5

release=$(uname -r)
IFS=.- read -r major minor _ <<<"$release"
ver=$((major * 100 + minor))
data="register refill-layout receive starvation recovery"
events="copy-event latch arm arm-unfired stats"

# verdicts CHECKS: the verdicts of those checks in $out, space-separated
verdicts() {
	local c v=()
	for c in $1; do v+=("$(jq -r --arg c "$c" '.checks[] | select(.check == $c) | .verdict' <<<"$out")"); done
	echo "${v[*]}"
}
# all_are VERDICT CHECKS
all_are() { [ "$(verdicts "$2" | tr ' ' '\n' | sort -u)" = "$1" ]; }

run "$ZCRXCTL" -j selftest
failed=$(jq -r '[.checks[] | select(.verdict == "fail") | .check + ": " + .detail] | join("; ")' \
	<<<"$out" 2>/dev/null)

t_begin "selftest: one JSON document with a verdict and a detail for each of 10 checks"
if jq -e '(.checks | length) == 10 and all(.checks[]; (.detail | length) > 0) and
	  .passed + .failed + .["not-supported"] == 10' <<<"$out" >/dev/null
then t_pass; else t_fail "rc=$rc: $out $err"; fi

# group NAME CHECKS VER BRINGS: CHECKS pass from kernel VER (major*100+minor)
# on; before it each is "not supported", and the sentence names BRINGS
group() {
	if [ "$ver" -ge "$3" ]; then
		t_begin "selftest: $1 pass"
	else
		t_begin "selftest: $1 are not supported before $(($3 / 100)).$(($3 % 100)), naming it"
	fi
	if ! have_root; then
		t_skip "registering an ifq needs root (CAP_NET_ADMIN)"
	elif [ "$ver" -ge "$3" ]; then
		if all_are pass "$2"; then t_pass; else t_fail "$(verdicts "$2") on $release: $failed"; fi
	elif all_are not-supported "$2" && grep -q "$4" <<<"$out"; then
		t_pass
	else
		t_fail "$(verdicts "$2") on $release, or no '$4': $out"
	fi
}
group "the NODEV data path (register, refill layout, receive, starvation, recovery)" \
	"$data" 701 'Linux 7.1'
group "the copy event, latch, ARM, ARM refused, stats" "$events" 702 'Linux 7.[12] brings'

t_begin "selftest: exit 0 when all pass, 3 when the kernel lacks a check's need, 1 on a failure"
want=3
[ "$ver" -ge 702 ] && have_root && want=0
[ -n "$failed" ] && want=1
if [ "$rc" = "$want" ] && [ -z "$failed" ]; then t_pass
else t_fail "exit $rc (want $want on $release)${failed:+: $failed}"; fi

t_begin "selftest: text output is a table with the same verdicts"
run "$ZCRXCTL" --color=never selftest
if grep -qE '^register +(pass|not supported|fail) ' <<<"$out" &&
   grep -qE '^[0-9]+ passed, [0-9]+ failed, [0-9]+ not supported \(' <<<"$out"
then t_pass; else t_fail "$out"; fi

t_done
