#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a received buffer costs, by callgrind (only inside the functions
# named, so start-up is never counted):
#   library: bench/recycle's step-mode loop, every CQE decoded and every
#     buffer given back in batches of 32 (one zcrx_buf_commit).  The whole
#     walk over a wait's CQEs is collected (consume_*, and the commit) and
#     the same walk without the library (recycle base: consume_base) taken
#     from it, so what the application runs inline counts too:
#       fast   zcrx_cqe_decode_fast() / zcrx_buf_return_fast(), inline;
#       calls  zcrx_cqe_decode() / zcrx_buf_return(), and beside them the
#              instructions inside those functions alone (decode, return +
#              commit), as before.
#     The row is the inline figure.  Goal: <= 40.  The timed figure is the
#     whole loop (simulator included), BATCHES vs 2 x BATCHES batches in
#     RUNS pairs.
# Knobs: BATCHES (1000), RUNS (3), CLI_SECONDS (2).
. "$(dirname "$0")/lib.sh"

BATCHES=${BATCHES:-$([ "$QUICK" = 1 ] && echo 50 || echo 1000)}
RUNS=${RUNS:-$([ "$QUICK" = 1 ] && echo 1 || echo 3)}
CLI_SECONDS=${CLI_SECONDS:-$([ "$QUICK" = 1 ] && echo 0.3 || echo 2)}
BIN=bench/recycle

[ -x "$BIN" ] || { note "$BIN is not built (make bench)"; exit 1; }

# lib_ir MODE FN...: instructions inside FN... per buffer of `recycle MODE`
lib_ir() {
	local f ir bufs mode=$1
	shift
	CG_OPTS=()
	for f in "$@"; do CG_OPTS+=(--toggle-collect="$f"); done
	ir=$(cg_ir "$BENCH_TMP/cgr" "$BIN" "$mode" "$BATCHES" 1) || return 1
	bufs=$(awk '$1 == "buffers" { print $2 }' "$BENCH_TMP/cgr.stdout")
	[ "${bufs:-0}" -gt 0 ] || { note "recycle received nothing"; return 1; }
	calc %.3f "$ir / $bufs"
	CG_OPTS=()
}
# the compiler may clone the walks (consume_fast.constprop.0): any suffix
base=$(lib_ir base 'consume_base*') || exit 1
fast=$(lib_ir fast 'consume_fast*' zcrx_buf_commit) || exit 1
call=$(lib_ir loop 'consume_call*' zcrx_buf_commit) || exit 1
fast=$(calc %.1f "$fast - $base")
call=$(calc %.1f "$call - $base")
dec=$(lib_ir loop zcrx_cqe_decode) || exit 1
ret=$(lib_ir loop zcrx_buf_return zcrx_buf_commit) || exit 1
dec=$(calc %.1f "$dec") ret=$(calc %.1f "$ret")
paired "$RUNS" "$BIN" fast "$BATCHES" 1 -- "$BIN" fast $((2 * BATCHES)) 1 || exit 1
ns=$(calc %.0f "$PR * 1000 / ($BATCHES * 32)")
note "library per buffer, the walk less the same walk without it: $fast instructions inline," \
	"$call through the calls (inside them: decode $dec, return + commit $ret);" \
	"whole loop $PA / $PB us for $BATCHES / $((2 * BATCHES)) batches of 32"
ok=0
le "$fast" 40 && ok=1
row "library cost per received buffer, decode included" "$ns ns (whole loop, simulator included)" \
	"$fast inline (calls: $call; inside them decode $dec + return/commit $ret)" - \
	"≤ 40 instructions" $ok

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
