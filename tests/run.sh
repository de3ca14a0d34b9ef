#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every unit test program and shell test (or only the TESTs named), count
# their TAP lines and end with "N passed, N failed, N skipped".  Exit 1 on any
# failure.  A test that printed no plan, printed fewer or more results than
# its plan, or exited non-zero without a "not ok" fails as a whole
# (tests/tap.sh says exactly when).
#
#   tests/run.sh [TEST...]      TEST: tests/unit/test_x or tests/test_y.sh;
#                               naming tests leaves out the VM tier
# ZCRX_TEST_TIMEOUT  seconds per test (default 300)
set -u
cd "$(dirname "$0")/.."
. tests/tap.sh

pass=0 fail=0 skip=0
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

tests=()
if [ $# -gt 0 ]; then
	tests=("$@")
else
	for t in tests/unit/*.c; do [ -e "$t" ] && tests+=("${t%.c}"); done
	for t in tests/test_*.sh; do [ -e "$t" ] && tests+=("$t"); done
fi

for t in "${tests[@]}"; do
	if [[ $t == *.sh ]]; then cmd=(bash "$t") kind=sh; else cmd=("$t") kind=prog; fi
	[[ $kind == prog && $t != */* ]] && cmd=("./$t")
	out=$(timeout "${ZCRX_TEST_TIMEOUT:-300}" "${cmd[@]}" 2>&1)
	rc=$?
	tap_verdict "$kind" "$rc" <<<"$out"
	p=$tap_p f=$tap_f s=$tap_s
	if [ -n "$tap_why" ]; then
		f=$((f + 1))
		out+=$'\n'"not ok - $t: $tap_why"
	fi
	pass=$((pass + p)) skip=$((skip + s)) fail=$((fail + f))
	printf '%-32s %3d passed, %d failed, %d skipped\n' "$t" "$p" "$f" "$s"
	# every failure, and the first skips with their reasons
	grep -E '^not ok' <<<"$out" | grep -v '# [Ss][Kk][Ii][Pp]' | sed 's/^/    /'
	grep -E '# [Ss][Kk][Ii][Pp]' <<<"$out" | head -n 8 | sed 's/^/    /'
	[ "$s" -gt 8 ] && echo "    (+$((s - 8)) more skips)"
	if [ "$f" -gt 0 ]; then
		grep -vE '^(ok|not ok|1\.\.|#)' <<<"$out" | tail -n 20 | sed 's/^/    | /'
	fi
done

if [ $# -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
fi

# The VM tier (tests/vm/README.md): Debian's kernels under QEMU, under a
# timeout of its own; its progress (a "vm: " line as each kernel ends) and
# per-kernel lines are shown as they come.  ZCRX_VM=0 turns it off, and says so.
if [ "${ZCRX_VM:-1}" = 0 ]; then
	out="ok - vm # SKIP disabled by ZCRX_VM=0"
	rc=0
else
	echo "tests/vm/run.sh                  Debian kernels under QEMU"
	out= rc=1
	while IFS= read -r line; do
		case $line in
		"vm-exit "*) rc=${line#vm-exit } ;;
		"vm "* | "vm: "* | "# serial log"*) echo "    $line" ;&
		*) out+=$line$'\n' ;;
		esac
	done < <(timeout "${ZCRX_VM_TIER_TIMEOUT:-3600}" bash tests/vm/run.sh 2>&1; echo "vm-exit $?")
fi
s=$(grep -cE '^(not )?ok .*# [Ss][Kk][Ii][Pp]' <<<"$out")
p=$(grep -E '^ok ' <<<"$out" | grep -vc '# [Ss][Kk][Ii][Pp]')
f=$(grep -E '^not ok' <<<"$out" | grep -vc '# [Ss][Kk][Ii][Pp]')
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	f=$((f + 1))
	out+=$'\n'"not ok - tests/vm/run.sh exited $rc after $((p + s)) results"
fi
pass=$((pass + p)) skip=$((skip + s)) fail=$((fail + f))
printf '%-32s %3d passed, %d failed, %d skipped\n' tests/vm/run.sh "$p" "$f" "$s"
grep -E '^not ok' <<<"$out" | grep -v '# [Ss][Kk][Ii][Pp]' | sed 's/^/    /'
# the series that did not boot, then the guests' first skips
vs=$(grep -cE '^ok - vm .*# SKIP' <<<"$out")
{ grep -E '^ok - vm .*# SKIP' <<<"$out"; grep -E '# [Ss][Kk][Ii][Pp]' <<<"$out" |
	grep -vE '^ok - vm ' | head -n 8; } | sed 's/^/    /'
[ $((s - vs)) -gt 8 ] && echo "    (+$((s - vs - 8)) more skips)"

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
