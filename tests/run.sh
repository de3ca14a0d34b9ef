#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every unit test program and shell test; count their TAP lines and end
# with "N passed, N failed, N skipped".  Exit 1 on any failure.
set -u
cd "$(dirname "$0")/.."

pass=0 fail=0 skip=0
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

tests=()
for t in tests/unit/*.c; do [ -e "$t" ] && tests+=("${t%.c}"); done
for t in tests/test_*.sh; do [ -e "$t" ] && tests+=("$t"); done

for t in "${tests[@]}"; do
	if [[ $t == *.sh ]]; then cmd=(bash "$t"); else cmd=("./$t"); fi
	out=$(timeout 300 "${cmd[@]}" 2>&1)
	rc=$?
	# cmocka 1.1.5 prints a skip as "not ok N # SKIP": a skip either way
	s=$(grep -cE '^(not )?ok .*# [Ss][Kk][Ii][Pp]' <<<"$out")
	p=$(grep -E '^ok ' <<<"$out" | grep -vc '# [Ss][Kk][Ii][Pp]')
	f=$(grep -E '^not ok' <<<"$out" | grep -vc '# [Ss][Kk][Ii][Pp]')
	# a program that died, or ran nothing, is a failure of its own
	if [[ $t != *.sh && $rc -ne 0 && $f -eq 0 ]] || [ $((p + s + f)) -eq 0 ]; then
		f=$((f + 1))
		out+=$'\n'"not ok - $t exited $rc after $((p + s)) results"
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

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
