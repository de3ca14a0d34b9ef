#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What `zcrxctl watch` costs, on the simulator:
#   idle   CPU time of a watch with no traffic (--sim-rate 0) over IDLE_SECONDS,
#          from /proc/PID/schedstat after the readiness line: target <= 1 ms.
#          The session waits only in io_uring_enter, so this is ~0.
#   storm  CPU per printed event when every event is re-armed at once
#          (--rearm=auto --holdoff 0) on a starving queue, stdout to /dev/null,
#          text and -j: (CPU of -c N) - (CPU of -c 1), over N - 1 events.
#          Packets arrive at STORM_PPS (1M/s): every refill fails, and the
#          simulator yields after each event so the session re-arms at once.
#          Each event prints two records (the event and its "armed" line),
#          and the figure includes the simulator's own work: target <= 2 us.
#          CPU from perf's task-clock when perf works, else the shell's
#          tick-sampled user + system time.
# Knobs: ZCRXCTL (binary), IDLE_RUNS (3), IDLE_SECONDS (10), STORM_RUNS (3),
# STORM_EVENTS (20000), STORM_PPS (1000000).  Exit 1 when a median misses its target.
set -u
cd "$(dirname "$0")/.."

ZCRXCTL=${ZCRXCTL:-./zcrxctl/zcrxctl}
IDLE_RUNS=${IDLE_RUNS:-3}
IDLE_SECONDS=${IDLE_SECONDS:-10}
STORM_RUNS=${STORM_RUNS:-3}
STORM_EVENTS=${STORM_EVENTS:-20000}
STORM_TARGET_US=2
IDLE_TARGET_US=1000
STARVE=(--sim --area-size 64K --sim-consumer hold:16 --sim-rate ${STORM_PPS:-1000000})

[ -x "$ZCRXCTL" ] || { echo "bench: $ZCRXCTL is not built (make)" >&2; exit 1; }
[ -r /proc/self/schedstat ] || { echo "bench: no /proc/PID/schedstat (CONFIG_SCHED_INFO)" >&2; exit 1; }
tmp=$(mktemp -d)
export ZCRXCTL_RUNDIR=$tmp/run
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
status=0

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# oncpu PID: nanoseconds PID has run, all threads
oncpu() { awk '{ print $1 }' "/proc/$1/schedstat"; }
# cpu_us CMD...: CPU time of CMD in microseconds (stdout to /dev/null): perf's
# task-clock where perf works, else the shell's (tick-sampled) user + system
if perf stat -x, -e task-clock true >/dev/null 2>&1; then
	cpu_us() {
		perf stat -x, -e task-clock -o "$tmp/perf" "$@" >/dev/null 2>&1
		awk -F, '$3 == "task-clock" { printf "%d", $1 * 1000 }' "$tmp/perf"
	}
else
	cpu_us() {
		local t
		t=$( { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1; } 2>&1 | tail -n 1)
		awk -v u="${t% *}" -v s="${t#* }" 'BEGIN { printf "%d", (u + s) * 1e6 }'
	}
fi

for run in $(seq "$IDLE_RUNS"); do
	"$ZCRXCTL" watch sim0 0 --sim --sim-rate 0 >/dev/null 2>"$tmp/idle.err" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do grep -q '^Watching ' "$tmp/idle.err" && break; sleep 0.05; done
	grep -q '^Watching ' "$tmp/idle.err" || { echo "idle     run $run: watch did not start" >&2; cat "$tmp/idle.err" >&2; exit 1; }
	sleep 0.2
	t0=$(oncpu "$pid")
	sleep "$IDLE_SECONDS"
	t1=$(oncpu "$pid")
	kill -INT "$pid"
	wait "$pid"
	us=$(( (t1 - t0) / 1000 ))
	echo "$us" >>"$tmp/idle"
	echo "idle     run: $us us CPU in ${IDLE_SECONDS} s"
done
[ "$IDLE_RUNS" -gt 0 ] && idle=$(median <"$tmp/idle") || idle=0
if [ "$idle" -le "$IDLE_TARGET_US" ]; then
	echo "idle     median $idle us CPU per ${IDLE_SECONDS} s (target <= $IDLE_TARGET_US): ok"
else
	echo "idle     median $idle us CPU per ${IDLE_SECONDS} s (target <= $IDLE_TARGET_US): MISSED"
	status=1
fi

for mode in text json; do
	j=()
	[ "$mode" = json ] && j=(-j)
	for run in $(seq "$STORM_RUNS"); do
		base=$(cpu_us "$ZCRXCTL" "${j[@]}" watch sim0 0 "${STARVE[@]}" --rearm=auto --holdoff 0 -c 1)
		t0=$(date +%s%N)
		all=$(cpu_us "$ZCRXCTL" "${j[@]}" watch sim0 0 "${STARVE[@]}" --rearm=auto --holdoff 0 -c "$STORM_EVENTS")
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		per=$(awk -v a="$all" -v b="$base" -v n="$STORM_EVENTS" 'BEGIN { printf "%.2f", (a - b) / (n - 1) }')
		rate=$(awk -v n="$STORM_EVENTS" -v ms="$ms" 'BEGIN { printf "%d", n * 1000 / (ms ? ms : 1) }')
		echo "$per" >>"$tmp/storm.$mode"
		echo "storm    $mode run: $per us CPU per event ($STORM_EVENTS events in $ms ms, ~$rate/s; $all us, start-up $base us)"
	done
	med=$(median <"$tmp/storm.$mode")
	if awk -v m="$med" -v t="$STORM_TARGET_US" 'BEGIN { exit !(m <= t) }'; then
		echo "storm    $mode median $med us CPU per printed event (target <= $STORM_TARGET_US): ok"
	else
		echo "storm    $mode median $med us CPU per printed event (target <= $STORM_TARGET_US): MISSED"
		status=1
	fi
done
exit $status
