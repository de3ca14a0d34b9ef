#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: issue 14's table, each figure beside its goal with a mark.
# The parts (each runs alone too, printing its rows):
#   bench/watch.sh    CPU per event of `watch`, text and -j
#   bench/show.sh     `show` vs `ip -j link show` (1..500 veth devices in a
#                     namespace) and vs `ethtool -g`
#   bench/fanout.sh   session CPU per record per subscriber, syscalls;
#                     subscriber CPU per record
#   bench/buffers.sh  library and CLI cost per received buffer
#   bench/extra.sh    the goals kept from before: idle CPU, peak RSS
#   bench/nodev.sh    optional: syscalls per buffer of the real NODEV data
#                     path in the VM tier's 7.2 guest (BENCH_VM=0: skipped)
# How each figure is taken: bench/lib.sh.  Details go to stderr, the table
# to stdout.  BENCH_QUICK=1: tiny counts (about 20 s), to see that every
# part runs; its marks say "ran".  BENCH_PARTS: a subset, in order.
# Exit 0 when every figure is at or under its goal (or, quick, every part
# ran), 1 when one is over it, 2 when a part could not run.
set -u
cd "$(dirname "$0")/.."

PARTS=${BENCH_PARTS:-watch show fanout buffers extra nodev}
rows=$(mktemp /tmp/zcrxbench-rows.XXXXXX)
trap 'rm -f "$rows"' EXIT
export BENCH_ROWS=$rows
status=0
start=$SECONDS

for tool in valgrind callgrind_annotate strace; do
	command -v $tool >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done
for p in $PARTS; do
	echo "bench: $p ..." >&2
	if ! bash "bench/$p.sh"; then
		echo "bench: bench/$p.sh did not run to the end" >&2
		printf '%s\t-\t-\t-\t-\tDID NOT RUN\n' "bench/$p.sh" >>"$rows"
		status=2
	fi
done

echo
echo "| figure | timed (CPU) | instructions | syscalls | goal | mark |"
echo "|---|---|---|---|---|---|"
awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$rows"
echo
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs, Linux $(uname -r)," \
	"$((SECONDS - start)) s; per-event figures are (2N - N) / N, ratios medians of A/B pairs"
[ $status = 0 ] && grep -q $'\tFAIL$' "$rows" && status=1
exit $status
