#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The runner cannot be fooled: tests/run.sh on small scripts written here
# that die midway, lie about their plan or exit status, or leave a case
# without a verdict must fail; a well-formed one must pass, its n/a rows
# uncounted.  tests/vm/init reads guests' TAP with the same tests/tap.sh.
. "$(dirname "$0")/lib.sh"

t_plan 13

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; _t_cleanup' EXIT

# script NAME BODY: a test script NAME.sh that uses tests/lib.sh
script() {
	printf '#!/usr/bin/env bash\n. %q\n%s\n' "$TOP/tests/lib.sh" "$2" >"$TMP/$1.sh"
}
# verdict NAME [ENV...]: tests/run.sh on it; its exit status in $rc, output in $out
verdict() {
	local f=$TMP/$1
	shift
	[ -e "$f.sh" ] && f=$f.sh
	run env -u ZCRX_TEST_KILL "$@" bash "$TOP/tests/run.sh" "$f"
}
# fails_with WHY: run.sh failed, naming WHY
fails_with() {
	if [ "$rc" = 1 ] && grep -qF -- "$1" <<<"$out"; then t_pass
	else t_fail "rc=$rc, no '$1' in: $(tr '\n' '|' <<<"$out")"; fi
}

EIGHT='t_plan 8
for i in 1 2 3 4 5 6 7 8; do
	t_begin "case $i"; t_pass
	if [ "$i" = 4 ]; then
		[ "${DIE:-}" = kill ] && kill -KILL $$
		[ "${DIE:-}" = exit ] && exit 0
	fi
done
t_done'

t_begin "a script with a plan of 8, killed after case 4, fails the run"
script eight "$EIGHT"
verdict eight DIE=kill
fails_with "killed by signal 9 after 4 results"

t_begin "a script with a trailing plan that exits 0 after case 4 fails the run"
script trailing "${EIGHT/t_plan 8/}"
verdict trailing DIE=exit
fails_with "no TAP plan (1..N) after 4 results"

t_begin "the same script run to its end passes: 8 passed"
verdict trailing
if [ "$rc" = 0 ] && grep -q '^8 passed, 0 failed, 0 skipped$' <<<"$out"; then t_pass
else t_fail "rc=$rc: $(tr '\n' '|' <<<"$out")"; fi

t_begin "lib.sh's fault hook ZCRX_TEST_KILL=eight.sh:4 kills it after case 4, and the run fails"
verdict eight ZCRX_TEST_KILL=eight.sh:4
fails_with "killed by signal 9 after 4 results"

t_begin "a plan of 3 with 2 results, exit 0, fails the run"
script short 't_plan 3
t_begin one; t_pass
t_begin two; t_pass
exit 0'
verdict short
fails_with "the plan says 3, but 2 results came"

t_begin "results with no plan at all, exit 0, fail the run"
script noplan 'echo "ok 1 - one"; echo "ok 2 - two"; exit 0'
verdict noplan
fails_with "no TAP plan (1..N) after 2 results"

t_begin "all cases passing but exit 3 fails the run"
script exit3 't_begin one; t_pass
echo "1..1"
exit 3'
verdict exit3
fails_with "exited 3 after 1 results"

t_begin "a result after a trailing plan fails the run"
script after 't_begin one; t_pass
echo "1..1"
echo "ok 2 - late"'
verdict after
fails_with "results after the trailing plan"

t_begin "a case left without a verdict is a failure of its own"
script noverdict 't_begin one
t_begin two; t_pass
t_done'
verdict noverdict
fails_with "one: the case ended without a verdict"

t_begin "a skip without a reason is a failure"
script bareskip 't_begin one; t_skip
t_done'
verdict bareskip
fails_with "one: a skip without a reason"

t_begin "a pass, a skip with its reason and an n/a row: 1 passed, 1 skipped, the n/a not counted"
script mixed 't_begin one; t_pass
t_begin two; t_skip "this machine has no frobnicator"
t_begin three; t_na "this kernel lacks what it is about"
t_done'
verdict mixed
if [ "$rc" = 0 ] && grep -q '^1 passed, 0 failed, 1 skipped$' <<<"$out"; then t_pass
else t_fail "rc=$rc: $(tr '\n' '|' <<<"$out")"; fi

t_begin "a unit test program killed after 2 of its 3 results fails the run"
printf '#!/bin/sh\necho 1..3\necho "ok 1 - a"\necho "ok 2 - b"\nkill -KILL $$\necho "ok 3 - c"\n' \
	>"$TMP/prog_killed"
chmod +x "$TMP/prog_killed"
verdict prog_killed
fails_with "killed by signal 9 after 2 results"

t_begin "a unit test program that exits 1 with every result ok fails the run"
printf '#!/bin/sh\necho 1..1\necho "ok 1 - a"\nexit 1\n' >"$TMP/prog_exit"
chmod +x "$TMP/prog_exit"
verdict prog_exit
fails_with "exited 1 after 1 results"

t_done
