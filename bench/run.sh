#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Library cost benchmarks on the simulator (bench/recycle.c), with targets:
#   recycle  instructions per recycled buffer inside zcrx_buf_return +
#            zcrx_buf_commit (inclusive), batches of 32, by callgrind: <= 30
#   idle     CPU time of a process holding an idle ifq for 10 s: <= 1 ms
# Knobs: RUNS (callgrind runs, 5), BATCHES (per run, 1000), IDLE_RUNS (3),
# IDLE_SECONDS (10).  Exit 1 when a median misses its target.
set -u
cd "$(dirname "$0")/.."

BIN=bench/recycle
RUNS=${RUNS:-5}
BATCHES=${BATCHES:-1000}
IDLE_RUNS=${IDLE_RUNS:-3}
IDLE_SECONDS=${IDLE_SECONDS:-10}
RECYCLE_TARGET=30
IDLE_TARGET_US=1000

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

[ -x "$BIN" ] || { echo "bench: $BIN is not built (make bench)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# verdict NAME MEDIAN TARGET UNIT
verdict() {
	if awk -v m="$2" -v t="$3" 'BEGIN { exit !(m <= t) }'; then
		printf '%-8s median %s %s (target <= %s): ok\n' "$1" "$2" "$4" "$3"
	else
		printf '%-8s median %s %s (target <= %s): MISSED\n' "$1" "$2" "$4" "$3"
		status=1
	fi
}

if ! command -v valgrind >/dev/null; then
	echo "recycle  skipped: valgrind is not installed (apt-get install valgrind)"
else
	for run in $(seq "$RUNS"); do
		out=$tmp/callgrind.$run
		if ! bufs=$(valgrind --tool=callgrind --callgrind-out-file="$out" \
				--toggle-collect=zcrx_buf_return --toggle-collect=zcrx_buf_commit \
				"$BIN" loop "$BATCHES" "$run" 2>"$tmp/err" | awk '$1 == "buffers" { print $2 }') ||
		   [ -z "$bufs" ] || [ "$bufs" -eq 0 ]; then
			echo "recycle  run $run failed:" >&2
			tail -n 5 "$tmp/err" >&2
			exit 1
		fi
		ir=$(awk '$1 == "summary:" || $1 == "totals:" { print $2; exit }' "$out")
		per=$(awk -v ir="$ir" -v b="$bufs" 'BEGIN { printf "%.2f", ir / b }')
		echo "$per" >>"$tmp/recycle"
		echo "recycle  run: $per instructions per buffer ($ir in $bufs buffers)"
	done
	verdict recycle "$(median <"$tmp/recycle")" "$RECYCLE_TARGET" "instructions per buffer"
fi

for run in $(seq "$IDLE_RUNS"); do
	us=$("$BIN" idle "$IDLE_SECONDS" | awk '$1 == "idle_cpu_us" { print $2 }')
	[ -n "$us" ] || { echo "idle     run $run failed" >&2; exit 1; }
	echo "$us" >>"$tmp/idle"
	echo "idle     run: $us us CPU in ${IDLE_SECONDS} s"
done
verdict idle "$(median <"$tmp/idle")" "$IDLE_TARGET_US" "us CPU per ${IDLE_SECONDS} s"
exit $status
