#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zcrxctl beside the tools an operator already runs, in one run on one
# machine: medians over repeated runs, and the ratio where there is a peer.
#   start-up  `zcrxctl features` vs `ethtool -g lo`, `zcrxctl -j show` vs
#             `ip -j link show`: wall time of a whole run (ratio <= 1.0)
#   idle      CPU of a `watch --sim` session with no traffic over 10 s (<= 1 ms)
#   storm     CPU per printed event, text and -j (<= 2 us): bench/watch.sh's
#             measure (--rearm=auto --holdoff 0 on a starving queue, stdout
#             to /dev/null), run here and read back
#   rss       peak RSS of a watch session under a storm, the area excluded
#             (VmHWM less the area mapping's resident pages) (<= 4 MiB)
# Knobs: ZCRXCTL, RUNS (start-up runs, 21), RSS_SECONDS (3), and bench/watch.sh's
# (IDLE_RUNS, IDLE_SECONDS, STORM_RUNS, STORM_EVENTS).  Exit 1 when a goal is
# missed.
set -u
cd "$(dirname "$0")/.."

ZCRXCTL=${ZCRXCTL:-./zcrxctl/zcrxctl}
RUNS=${RUNS:-21}
RSS_SECONDS=${RSS_SECONDS:-3}
AREA=8M
AREA_KB=8192

[ -x "$ZCRXCTL" ] || { echo "bench: $ZCRXCTL is not built (make)" >&2; exit 1; }
tmp=$(mktemp -d)
export ZCRXCTL_RUNDIR=$tmp/run
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
status=0

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# wall_us CMD...: median wall time of RUNS runs in microseconds (output discarded;
# a peer that answers "not supported" on this machine still did its start-up)
wall_us() {
	local i t0 t1
	"$@" >/dev/null 2>&1	# warm the page cache
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | median
}

# row NAME VALUE UNIT PEER PEER_VALUE GOAL_OP GOAL: one line of the table and
# its verdict; with a peer the goal is on the ratio.
printf '%-28s %12s   %-22s %12s %7s   %s\n' metric zcrxctl peer "peer value" ratio goal
row() {
	local name=$1 v=$2 unit=$3 peer=$4 pv=$5 goal=$6 ratio=- x verdict
	if [ "$peer" != - ]; then
		ratio=$(awk -v a="$v" -v b="$pv" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
		x=$ratio
	else
		x=$v
	fi
	if awk -v x="$x" -v g="$goal" 'BEGIN { exit !(x <= g) }'; then
		verdict=ok
	else
		verdict=MISSED
		status=1
	fi
	printf '%-28s %12s   %-22s %12s %7s   <= %s%s: %s\n' "$name" "$v $unit" "$peer" \
		"$([ "$peer" != - ] && echo "$pv $unit" || echo -)" "$ratio" "$goal" \
		"$([ "$peer" != - ] && echo " (ratio)" || echo " $unit")" "$verdict"
}

# --- start-up --------------------------------------------------------------
feat=$(wall_us "$ZCRXCTL" features)
eth=$(wall_us ethtool -g lo)
row "start-up: features" "$(awk -v v="$feat" 'BEGIN { printf "%.2f", v / 1000 }')" ms \
	"ethtool -g lo" "$(awk -v v="$eth" 'BEGIN { printf "%.2f", v / 1000 }')" 1.0
show=$(wall_us "$ZCRXCTL" -j show)
iplink=$(wall_us ip -j link show)
row "start-up: -j show" "$(awk -v v="$show" 'BEGIN { printf "%.2f", v / 1000 }')" ms \
	"ip -j link show" "$(awk -v v="$iplink" 'BEGIN { printf "%.2f", v / 1000 }')" 1.0

# --- idle and storm: bench/watch.sh ----------------------------------------
if ZCRXCTL=$ZCRXCTL bash bench/watch.sh >"$tmp/watch" 2>&1; then :; fi
idle=$(awk '$1 == "idle" && $2 == "median" { print $3 }' "$tmp/watch")
storm_text=$(awk '$1 == "storm" && $2 == "text" && $3 == "median" { print $4 }' "$tmp/watch")
storm_json=$(awk '$1 == "storm" && $2 == "json" && $3 == "median" { print $4 }' "$tmp/watch")
if [ -z "$idle" ] || [ -z "$storm_text" ] || [ -z "$storm_json" ]; then
	echo "bench: bench/watch.sh gave no medians:" >&2
	tail -n 5 "$tmp/watch" >&2
	exit 1
fi
row "idle watch CPU over ${IDLE_SECONDS:-10} s" "$(awk -v v="$idle" 'BEGIN { printf "%.3f", v / 1000 }')" \
	ms - - 1
row "storm CPU per event, text" "$storm_text" us - - 2
row "storm CPU per event, -j" "$storm_json" us - - 2

# --- peak RSS, the area excluded ---------------------------------------------
"$ZCRXCTL" -j watch sim0 0 --sim --area-size "$AREA" --sim-rate 20000 \
	--sim-consumer hold:64 --rearm=auto --holdoff 0 >/dev/null 2>"$tmp/rss.err" &
pid=$!
pids+=("$pid")
for _ in $(seq 100); do grep -q '^Watching ' "$tmp/rss.err" && break; sleep 0.05; done
sleep "$RSS_SECONDS"
hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status")
# the area: an anonymous mapping of exactly its size; its resident part
area_rss=$(awk -v sz="$AREA_KB" '
	/^[0-9a-f]+-[0-9a-f]+ / { n = split($0, f, " "); anon = (n < 6) }
	$1 == "Size:" { size = $2 }
	$1 == "Rss:" && anon && size == sz { sum += $2 }
	END { print sum + 0 }' "/proc/$pid/smaps")
kill -INT "$pid"
wait "$pid" 2>/dev/null
if [ -z "$hwm" ]; then
	echo "bench: no VmHWM for the watch session" >&2
	exit 1
fi
row "peak RSS of watch, no area" "$(awk -v h="$hwm" -v a="$area_rss" 'BEGIN { printf "%.2f", (h - a) / 1024 }')" \
	MiB - - 4
echo "(VmHWM $hwm kB, area $AREA resident $area_rss kB; start-up medians of $RUNS runs;" \
	"idle and storm from bench/watch.sh)"
exit $status
