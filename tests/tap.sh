# SPDX-License-Identifier: MIT
# The verdict on one test's TAP output, shared by tests/run.sh (on the host)
# and tests/vm/init (in each guest), so both read a test the same way.
#
# tap_verdict KIND RC < OUTPUT: KIND is "sh" for a tests/test_*.sh script or
# "prog" for a unit test program; RC its exit status.  Sets
#   tap_p, tap_f, tap_s   results that passed, failed, skipped
#   tap_why               why the test as a whole fails although no result
#                         did, or empty: it becomes one "not ok" of its own
#
# A test passes only when all of these hold:
#  - it printed a plan: a shell test exactly one "1..N", first (before any
#    result) or last (after every result, TAP's trailing plan, which
#    tests/lib.sh's t_done prints as the script's end marker); a program one
#    per cmocka group, and their sum counts;
#  - the plan counts what ran: as many results as the plan says;
#  - it exited 0, or non-zero with a "not ok" of its own; killed by a
#    signal (status 128+N) it fails even when all it printed passed.
tap_verdict() {
	local kind=$1 rc=$2 out plans n=0 first_plan=0 last_res=0 i=0 line
	out=$(cat)
	tap_s=$(grep -cE '^(not )?ok( |$).*# [Ss][Kk][Ii][Pp]' <<<"$out")
	tap_p=$(grep -E '^ok( |$)' <<<"$out" | grep -vc '# [Ss][Kk][Ii][Pp]')
	tap_f=$(grep -E '^not ok( |$)' <<<"$out" | grep -vc '# [Ss][Kk][Ii][Pp]')
	tap_why=
	local res=$((tap_p + tap_f + tap_s))

	plans=$(grep -cE '^1\.\.[0-9]+' <<<"$out")
	while IFS= read -r line; do
		i=$((i + 1))
		case $line in
		1..[0-9]*)
			line=${line#1..}
			n=$((n + 10#${line%%[!0-9]*}))
			[ "$first_plan" = 0 ] && first_plan=$i
			;;
		ok | ok\ * | not\ ok | not\ ok\ *) last_res=$i ;;
		esac
	done < <(grep -E '^(1\.\.[0-9]+|(not )?ok( |$))' <<<"$out")

	if [ "$rc" = 124 ]; then
		tap_why="timed out after $res results"
	elif [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
		tap_why="killed by signal $((rc - 128)) after $res results"
	elif [ "$rc" -ne 0 ] && [ "$tap_f" -eq 0 ]; then
		tap_why="exited $rc after $res results"
	elif [ "$plans" -eq 0 ]; then
		tap_why="no TAP plan (1..N) after $res results: the test did not run to its end"
	elif [ "$kind" = sh ] && [ "$plans" -ne 1 ]; then
		tap_why="$plans TAP plans, a script prints one"
	elif [ "$kind" = sh ] && [ "$first_plan" -gt 1 ] && [ "$last_res" -gt "$first_plan" ]; then
		tap_why="results after the trailing plan"
	elif [ "$n" -ne "$res" ]; then
		tap_why="the plan says $n, but $res results came"
	fi
}
