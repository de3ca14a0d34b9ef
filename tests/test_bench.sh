#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bench does not rot: `bench/run.sh` with tiny counts (BENCH_QUICK=1,
# about 20 s) runs every part and prints every row of issue 14's table with
# a figure in it; a part that cannot run is said, never a silent gap.  The
# figures themselves are `make bench`'s business, never a test's.
. "$(dirname "$0")/lib.sh"

t_plan 5

need=
for tool in valgrind callgrind_annotate callgrind_control strace; do
	command -v $tool >/dev/null || need="$need $tool"
done
[ -x "$TOP/bench/recycle" ] || need="$need bench/recycle (make bench/recycle)"
[ -x "$TOP/bench/cputime" ] || need="$need bench/cputime (make bench/cputime)"
# valgrind cannot run what ASan instruments (make SANITIZE=1): the plain
# build's make check runs the bench
grep -q -- -fsanitize "$TOP/.flags" 2>/dev/null &&
	need=" a build without -fsanitize (valgrind cannot run ASan's; the plain make check runs it)"
if [ -n "$need" ]; then
	for c in "cputime counts CPU, not time" "quick bench exits 0" "every row of the table" \
		"figures are numbers" "a part that cannot run is said"; do
		t_begin "$c"; t_skip "needs:$need"
	done
	t_done
fi

out=$(mktemp)
trap 'rm -f "$out" "$out.err"' EXIT

# the CPU a busy child burns, hardly any for a sleeping one, and the child's status
t_begin "cputime counts CPU, not time"
"$TOP/bench/cputime" "$out" sh -c 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; exit 3'
rc=$?
busy=$(awk '$1 == "cpu_us" { print $2 }' "$out")
"$TOP/bench/cputime" "$out" sleep 0.3
idle=$(awk '$1 == "cpu_us" { print $2 }' "$out")
wakes=$(awk '$1 == "cpu_us" { print $4 }' "$out")
if [ "$rc" = 3 ] && [ "${busy:-0}" -ge 10000 ] && [ -n "$idle" ] && [ "$idle" -lt 100000 ] &&
	[ "${wakes:-0}" -ge 1 ]; then
	t_pass
else
	t_fail "exit $rc, busy ${busy:-?} us, sleep 0.3 s ${idle:-?} us with ${wakes:-?} wake-ups"
fi
BENCH_QUICK=1 timeout 120 bash "$TOP/bench/run.sh" >"$out" 2>"$out.err"
rc=$?

t_begin "quick bench exits 0"
[ $rc = 0 ] && t_pass || t_fail "exit $rc: $(grep -m3 -e 'did not' -e 'bench:' "$out.err" | tr '\n' ' ')"

t_begin "every row of the table"
missing=
for r in 'CPU per event, `watch` text' 'CPU per event, `watch` -j' \
	'vs `ip -j link show`, 1 veth' 'vs `ip -j link show`, 10 veth' '(4 devices) vs `ethtool -g' \
	'session CPU per record, first subscriber' 'subscriber CPU per record' \
	'library cost per received buffer' "CLI's own data path per buffer" \
	'idle `watch --sim` session' 'peak RSS of a watch session'; do
	grep -qF -- "| $r" "$out" || grep -qF -- "$r" "$out" || missing="$missing [$r]"
done
if [ "$(id -u)" != 0 ]; then
	missing=${missing//\[vs \`ip -j link show\`, 1 veth\]/}
	missing=${missing//\[vs \`ip -j link show\`, 10 veth\]/}
fi
missing=$(echo $missing)
[ -z "$missing" ] && t_pass || t_fail "missing rows:$missing"

t_begin "figures are numbers: every row has one, every count column a count or -"
bad=$(awk -F' [|] ' '/^[|] / && !/^[|] figure/ && !/^[|]---/ && $6 !~ /skipped/ &&
	($3 != "-" && $3 !~ /^[+-]?[0-9]/ || $2 !~ /^[+-]?[0-9]/ && $3 !~ /^[+-]?[0-9]/) { print $1 }' "$out")
[ -z "$bad" ] && t_pass || t_fail "no figure in: $bad"

t_begin "a part that cannot run is said"
ZCRXCTL=/nonexistent BENCH_PARTS=watch BENCH_QUICK=1 timeout 60 bash "$TOP/bench/run.sh" \
	>"$out" 2>/dev/null
rc=$?
[ $rc = 2 ] && grep -q 'DID NOT RUN' "$out" && t_pass || t_fail "exit $rc, table: $(tr '\n' ' ' <"$out")"

t_done
