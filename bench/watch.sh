#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CPU per event of `zcrxctl watch`, text and -j: the issue's storm, a
# simulated queue that starves at once (--sim-rate 1000000 --area-size 64K
# --sim-consumer hold:16) re-armed with no holdoff, stdout to /dev/null.
# Each event also prints its "armed" record.  The figure is (cost of -c 2N)
# - (cost of -c N) over N events: instructions by callgrind, CPU time by
# bench/cputime (the kernel's account, steal left out), in RUNS pairs (N,
# 2N, N, 2N, ...).  Goal: <= 1.5 us and <= 6000 instructions per event,
# both formats.  Syscalls per event (strace -c, N and 2N, medians of RUNS
# pairs: a traced run is slow, and the simulator's timer rounds it meets
# count too) go beside.
# Knobs: EVENTS (N, 50000: a storm event is ~1.3 us, and 20,000 of them,
# 26 ms, moved the median by +-0.15 us between runs, 50,000 by +-0.05),
# CG_EVENTS (N for callgrind, 1000), SC_EVENTS (N for strace, 2000), RUNS
# (11: a pair is ~0.2 s, and the median of 3 moved by +-0.5 us between
# runs on a shared VM).
. "$(dirname "$0")/lib.sh"

N=${EVENTS:-$([ "$QUICK" = 1 ] && echo 50 || echo 50000)}
SC_N=${SC_EVENTS:-$([ "$QUICK" = 1 ] && echo 50 || echo 2000)}
CG_N=${CG_EVENTS:-$([ "$QUICK" = 1 ] && echo 50 || echo 1000)}
RUNS=${RUNS:-$([ "$QUICK" = 1 ] && echo 1 || echo 11)}
STORM=(--sim --area-size 64K --sim-consumer hold:16 --sim-rate 1000000 --rearm=auto --holdoff 0)

for mode in text json; do
	j=()
	[ $mode = json ] && j=(-j)
	cmd=("$ZCRXCTL" "${j[@]}" watch sim0 0 "${STORM[@]}")
	cg_ir "$BENCH_TMP/cg.1" "${cmd[@]}" -c "$CG_N" >/dev/null || exit 1
	cg_ir "$BENCH_TMP/cg.2" "${cmd[@]}" -c $((2 * CG_N)) >/dev/null || exit 1
	i1=$(cg_nosim "$BENCH_TMP/cg.1")
	i2=$(cg_nosim "$BENCH_TMP/cg.2")
	ipe=$(calc %.0f "($i2 - $i1) / $CG_N")
	paired "$RUNS" "${cmd[@]}" -c "$N" -- "${cmd[@]}" -c $((2 * N)) || exit 1
	us=$(calc %.2f "$PR / $N")
	: >"$BENCH_TMP/sc"
	for ((r = 0; r < RUNS; r++)); do
		s1=$(sc_count "${cmd[@]}" -c "$SC_N")
		e1=$(sc_of io_uring_enter) w1=$(sc_of write)
		s2=$(sc_count "${cmd[@]}" -c $((2 * SC_N)))
		e2=$(sc_of io_uring_enter) w2=$(sc_of write)
		echo "$(((s2 - s1))) $(((e2 - e1))) $(((w2 - w1)))" >>"$BENCH_TMP/sc"
	done
	sc_med() { awk -v c="$1" '{ print $c }' "$BENCH_TMP/sc" | median; }
	spe="$(calc %.2f "$(sc_med 1) / $SC_N") (enter $(calc %.2f "$(sc_med 2) / $SC_N"),"
	spe="$spe write $(calc %.2f "$(sc_med 3) / $SC_N"))"
	note "watch $mode: $i1 / $i2 instructions for $CG_N / $((2 * CG_N)) events" \
		"(the simulator's $(cg_incl "$BENCH_TMP/cg.2" zcrx_sim_rx_own_cqe) left out);" \
		"CPU $PA / $PB us (medians of $RUNS pairs, $BENCH_CLOCK)"
	ok=0
	le "$us" 1.5 && le "$ipe" 6000 && ok=1
	row "CPU per event, \`watch\` $([ $mode = json ] && echo -j || echo text)" \
		"$us µs ($(calc %.2f "$PC / $N") wake-ups)" \
		"$ipe" "$spe" "≤ 1.5 µs and ≤ 6k instructions" $ok
done
