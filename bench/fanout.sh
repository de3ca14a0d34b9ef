#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a session pays to fan its records out, and what a subscriber pays to
# print one.  The session is bench/watch.sh's storm (a `watch` re-armed with
# no holdoff, text, stdout to a file), with K = 0, 1, 2 `subscribe` clients.
#   session per record: callgrind's counters zeroed once the K subscribers
#     have their first record, dumped a while later: the dump's instructions
#     over the records emitted in it (the calls of $EMIT_FN in the same
#     dump, exact).  The first subscriber's cost is (K=1) - (K=0), each
#     further one's (K=2) - (K=1).  Goal: first <= 3k instructions.
#   syscalls per record: strace -c -f attached to the uninstrumented session
#     for a while, sendto and write over the records it printed meanwhile.
#     Goal: a subscriber adds no more syscalls per record than the session's
#     own stdout takes (one write per loop pass).  The simulator's work is
#     left out of the instructions (bench/lib.sh).
#   CPU per record: the uninstrumented session's scheduler runtime
#     (pid_cpu_us) over a window, RUNS windows in turn for each K.
#   subscriber per record: `subscribe -c N` vs `-c 2N` under callgrind (the
#     median of RUNS pairs), and paired CPU, over the records it printed.
#     Goal: <= 5k instructions.
# Knobs: WINDOW (seconds, 2), RUNS (3), EVENTS (N, 1000), EMIT_FN.
. "$(dirname "$0")/lib.sh"

WINDOW=${WINDOW:-$([ "$QUICK" = 1 ] && echo 0.2 || echo 2)}
RUNS=${RUNS:-$([ "$QUICK" = 1 ] && echo 1 || echo 3)}
N=${EVENTS:-$([ "$QUICK" = 1 ] && echo 30 || echo 1000)}
EMIT_FN=${EMIT_FN:-session_emit}
STORM=(watch sim0 0 --sim --area-size 64K --sim-consumer hold:16 --sim-rate 1000000
       --rearm=auto --holdoff 0)

# wait_for FILE: until FILE has a line (10 s)
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	note "nothing came in $1"
	return 1
}

# start_session K [PREFIX...]: the storm session (pid in $SPID) and K
# subscribers, each with a record in hand
start_session() {
	local k=$1 i
	shift
	# se too: a "Watching" line left by the last session is not this one's
	rm -f "$BENCH_TMP"/so "$BENCH_TMP"/se "$BENCH_TMP"/sub.*
	"$@" "$ZCRXCTL" "${STORM[@]}" >"$BENCH_TMP/so" 2>"$BENCH_TMP/se" &
	SPID=$!
	bench_pids+=("$SPID")
	for ((i = 0; i < 200; i++)); do
		grep -qs '^Watching ' "$BENCH_TMP/se" && break
		sleep 0.05
	done
	SUBS=()
	for ((i = 0; i < k; i++)); do start_sub $i; done
	for ((i = 0; i < k; i++)); do sub_ready $i || return 1; done
	wait_for "$BENCH_TMP/so"
}

start_sub() {
	"$ZCRXCTL" subscribe sim0 0 >"$BENCH_TMP/sub.$1" 2>"$BENCH_TMP/sub.$1.err" &
	SUBS[$1]=$!
	bench_pids+=($!)
}

# sub_ready I: subscriber I has a record; one that gave up on a session slowed
# down by callgrind (a client's timeout) is started again, 5 times at most
sub_ready() {
	local t j
	for ((t = 0; t < 5; t++)); do
		for ((j = 0; j < 200; j++)); do
			[ -s "$BENCH_TMP/sub.$1" ] && return 0
			kill -0 "${SUBS[$1]}" 2>/dev/null || break
			sleep 0.05
		done
		note "subscriber $1 has no record: $(tail -n 1 "$BENCH_TMP/sub.$1.err")"
		kill "${SUBS[$1]}" 2>/dev/null
		start_sub "$1"
	done
	return 1
}

stop_session() {
	local p
	for p in "${SUBS[@]}"; do kill -INT "$p" 2>/dev/null; done
	kill -INT "$SPID" 2>/dev/null
	wait "$SPID" "${SUBS[@]}" 2>/dev/null
}

lines() { wc -l <"$BENCH_TMP/so"; }

declare -A IPR UPR SENDTO WRITE
have_cgc=0
have callgrind_control && have_cgc=1
for k in 0 1 2; do
	# uninstrumented: CPU and syscalls per record
	start_session $k || exit 1
	: >"$BENCH_TMP/us"
	for ((r = 0; r < RUNS; r++)); do
		l0=$(lines)
		us=$(pid_cpu_us "$SPID" "$WINDOW")
		l1=$(lines)
		calc %.3f "$us / ($l1 - $l0)" >>"$BENCH_TMP/us"
	done
	UPR[$k]=$(median <"$BENCH_TMP/us")
	strace -f -c -o "$BENCH_TMP/strace" -p "$SPID" 2>"$BENCH_TMP/strace.err" &
	st=$!
	for ((i = 0; i < 100; i++)); do
		grep -q attached "$BENCH_TMP/strace.err" && break
		sleep 0.05
	done
	l0=$(lines)
	sleep "$WINDOW"
	l1=$(lines)
	kill -INT $st
	wait $st
	SENDTO[$k]=$(calc %.3f "$(sc_of sendto) / ($l1 - $l0)")
	WRITE[$k]=$(calc %.3f "($(sc_of write) + $(sc_of writev)) / ($l1 - $l0)")
	stop_session
	note "session, $k subscribers: ${UPR[$k]} us CPU per record ($RUNS windows of $WINDOW s);" \
		"per record ${SENDTO[$k]} sendto, ${WRITE[$k]} write (strace over $((l1 - l0)) records)"

	# instrumented: instructions per record
	[ $have_cgc = 1 ] || continue
	start_session $k valgrind --tool=callgrind --compress-strings=no \
		--callgrind-out-file="$BENCH_TMP/cgs" --log-file="$BENCH_TMP/cgs.log" || exit 1
	rm -f "$BENCH_TMP"/cgs.[0-9]*
	callgrind_control -z "$SPID" >/dev/null 2>&1
	l0=$(lines)
	sleep "$WINDOW"
	callgrind_control -d "$SPID" >/dev/null 2>&1
	l1=$(lines)
	stop_session
	dump=$(ls "$BENCH_TMP"/cgs.[0-9]* 2>/dev/null | head -n 1)
	[ -n "$dump" ] || { note "callgrind_control -d wrote no dump"; exit 1; }
	ir=$(cg_nosim "$dump")
	recs=$(cg_calls "$dump" "$EMIT_FN")
	[ "$recs" -gt 0 ] || { recs=$((l1 - l0)); note "no calls of $EMIT_FN: counting lines"; }
	IPR[$k]=$(calc %.0f "$ir / $recs")
	note "session, $k subscribers: $ir instructions in $recs records: ${IPR[$k]} per record"
done

if [ $have_cgc = 1 ]; then
	first=$(calc %.0f "${IPR[1]} - ${IPR[0]}")
	further=$(calc %.0f "${IPR[2]} - ${IPR[1]}")
	ifig="+$first / +$further"
else
	first=0 ifig="- (no callgrind_control)"
fi
ok=0
# one write per subscriber per loop pass: the session's own stdout is written
# once a pass, so a subscriber may send as often, no more.  Both figures
# from the same strace window: the passes per record move from one session
# to the next (0.51 in one, 0.52 in another).
per_sub=$(calc %.3f "(${SENDTO[2]} - ${SENDTO[0]}) / 2")
passes=${WRITE[2]}
le "$first" 3000 && le "$per_sub" "$passes" && ok=1
row "session CPU per record, first subscriber / each further one" \
	"+$(calc %.2f "${UPR[1]} - ${UPR[0]}") / +$(calc %.2f "${UPR[2]} - ${UPR[1]}") µs" \
	"$ifig" \
	"sendto/record ${SENDTO[0]}, ${SENDTO[1]}, ${SENDTO[2]}; write/record ${WRITE[0]}, ${WRITE[1]}, ${WRITE[2]} (0, 1, 2 subscribers)" \
	"first ≤ 3k; a subscriber adds no syscall per record beyond one write per loop pass" $ok

# subscriber: -c N vs -c 2N against an uninstrumented session
start_session 0 || exit 1
# its count moves with how many records each read brings (it shifts its
# buffer after every line): the median of RUNS pairs
: >"$BENCH_TMP/ipr"
for ((r = 0; r < RUNS; r++)); do
	i1=$(cg_ir "$BENCH_TMP/cgu.1" "$ZCRXCTL" subscribe sim0 0 -c "$N") || exit 1
	i2=$(cg_ir "$BENCH_TMP/cgu.2" "$ZCRXCTL" subscribe sim0 0 -c $((2 * N))) || exit 1
	r1=$(wc -l <"$BENCH_TMP/cgu.1.stdout")
	r2=$(wc -l <"$BENCH_TMP/cgu.2.stdout")
	calc %.0f "($i2 - $i1) / ($r2 - $r1)" >>"$BENCH_TMP/ipr"
done
paired "$RUNS" "$ZCRXCTL" subscribe sim0 0 -c "$N" -- "$ZCRXCTL" subscribe sim0 0 -c $((2 * N)) || exit 1
stop_session
ipr=$(median <"$BENCH_TMP/ipr")
note "subscriber: $(sort -n "$BENCH_TMP/ipr" | tr '\n' ' ')instructions per record ($r1 / $r2" \
	"records); CPU $PA / $PB us"
ok=0
le "$ipr" 5000 && ok=1
row "subscriber CPU per record" "$(calc %.2f "$PR / ($r2 - $r1)") µs" "$ipr" - "≤ 5k instructions" $ok
