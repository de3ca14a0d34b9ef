#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a received buffer costs, by callgrind (only inside the functions
# named, so start-up is never counted):
#   library: bench/recycle's step-mode loop, every CQE decoded
#     (zcrx_cqe_decode) and every buffer given back in batches of 32
#     (zcrx_buf_return, one zcrx_buf_commit): instructions in those three
#     over the buffers.  Goal: <= 40.  The timed figure is the whole loop
#     (simulator included), BATCHES vs 2 x BATCHES batches in RUNS pairs.
#   CLI: a `watch --sim` session's data path, its CQE handler (on_cqe) and
#     after-batch hook (after_batch), less the simulator's work inside them
#     (zcrx_sim_rx_own_cqe, zcrx_sim_rx_refill), over the buffers it
#     received (calls of session_data_recv); session_data_recv alone beside.
# Knobs: BATCHES (1000), RUNS (3), CLI_SECONDS (2).
. "$(dirname "$0")/lib.sh"

BATCHES=${BATCHES:-$([ "$QUICK" = 1 ] && echo 50 || echo 1000)}
RUNS=${RUNS:-$([ "$QUICK" = 1 ] && echo 1 || echo 3)}
CLI_SECONDS=${CLI_SECONDS:-$([ "$QUICK" = 1 ] && echo 0.3 || echo 2)}
BIN=bench/recycle

[ -x "$BIN" ] || { note "$BIN is not built (make bench)"; exit 1; }

# lib_ir FN...: instructions inside FN... per buffer
lib_ir() {
	local f ir bufs
	CG_OPTS=()
	for f in "$@"; do CG_OPTS+=(--toggle-collect="$f"); done
	ir=$(cg_ir "$BENCH_TMP/cgr" "$BIN" loop "$BATCHES" 1) || return 1
	bufs=$(awk '$1 == "buffers" { print $2 }' "$BENCH_TMP/cgr.stdout")
	[ "${bufs:-0}" -gt 0 ] || { note "recycle received nothing"; return 1; }
	calc %.1f "$ir / $bufs"
	CG_OPTS=()
}
all=$(lib_ir zcrx_cqe_decode zcrx_buf_return zcrx_buf_commit) || exit 1
dec=$(lib_ir zcrx_cqe_decode) || exit 1
ret=$(lib_ir zcrx_buf_return zcrx_buf_commit) || exit 1
paired "$RUNS" "$BIN" loop "$BATCHES" 1 -- "$BIN" loop $((2 * BATCHES)) 1
ns=$(calc %.0f "$PR * 1000 / ($BATCHES * 32)")
note "library per buffer: $all instructions (decode $dec, return + commit $ret);" \
	"whole loop $PA / $PB us for $BATCHES / $((2 * BATCHES)) batches of 32"
ok=0
le "$all" 40 && ok=1
row "library cost per received buffer, decode included" "$ns ns (whole loop, simulator included)" \
	"$all (decode $dec + return/commit $ret)" - "≤ 40 instructions" $ok

# the CLI's own data path
CG_OPTS=(--compress-strings=no --toggle-collect=on_cqe --toggle-collect=after_batch)
timeout -s INT 60 "${BENCH_PRE[@]}" valgrind --tool=callgrind --callgrind-out-file="$BENCH_TMP/cgc" \
	"${CG_OPTS[@]}" "$ZCRXCTL" watch sim0 0 --sim --sim-rate 1000000 -t "${CLI_SECONDS}s" \
	>/dev/null 2>"$BENCH_TMP/cgc.err"
CG_OPTS=()
[ -s "$BENCH_TMP/cgc" ] || { note "callgrind of watch wrote nothing"; exit 1; }
rm -f "$BENCH_TMP/cgc.txt"
incl() { cg_incl "$BENCH_TMP/cgc" "$1"; }
total=$(awk '$1 == "totals:" || $1 == "summary:" { print $2; exit }' "$BENCH_TMP/cgc")
own=$(incl zcrx_sim_rx_own_cqe)
refill=$(incl zcrx_sim_rx_refill)
recv=$(incl session_data_recv)
bufs=$(cg_calls "$BENCH_TMP/cgc" session_data_recv)
[ "${bufs:-0}" -gt 0 ] || { note "the watch received nothing"; exit 1; }
cli=$(calc %.0f "($total - ${own:-0} - ${refill:-0}) / $bufs")
note "CLI data path: $total instructions in on_cqe + after_batch, simulator ${own:-0} + ${refill:-0}," \
	"session_data_recv ${recv:-0}, over $bufs buffers"
row "CLI's own data path per buffer (decode, dispatch, consumer, return)" - \
	"$cli (session_data_recv $(calc %.0f "${recv:-0} / $bufs"))" - "(no goal; issue: 176 today)" "-"
