#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `zcrxctl show` beside the tools an operator already runs, whole commands
# (start-up included), as A/B pairs:
#   `zcrxctl show` vs `ip -j link show` in a network namespace of its own
#   holding lo and 1, 10, 100, 500 veth devices (their peers in a second
#   namespace), both ends up, as the issue measured it; then `zcrxctl -j
#   show` at the most devices.  The host's devices are never touched.
#   `zcrxctl show` vs `ethtool -g DEV` on the host (4 devices here): both
#   only read; DEV is the first device whose driver answers -g.
# Each: CPU ratio (median of RUNS pairs), instructions (callgrind) and
# syscalls (strace -f -c) of each side.  Goal: ratio <= 1.0.
# Knobs: DEVICES ("1 10 100 500"), RUNS (51: a side is 1 to 8 ms, and the
# median of 7 pairs moved by +-0.05 between runs, of 21 by +-0.03), ETHTOOL_DEV.
. "$(dirname "$0")/lib.sh"

DEVICES=${DEVICES:-$([ "$QUICK" = 1 ] && echo 1 10 || echo 1 10 100 500)}
RUNS=${RUNS:-$([ "$QUICK" = 1 ] && echo 1 || echo 51)}

# compare NAME GOAL_NOTE -- A_CMD -- B_CMD: one row
compare() {
	local name=$1 goal=$2 ia ib sa sb ratio iratio ok
	shift 3
	local -a a=() b=()
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	ia=$(cg_ir "$BENCH_TMP/cg.a" "${a[@]}") || return 1
	ib=$(cg_ir "$BENCH_TMP/cg.b" "${b[@]}") || return 1
	sa=$(sc_count "${a[@]}")
	sb=$(sc_count "${b[@]}")
	paired "$RUNS" "${a[@]}" -- "${b[@]}" || return 1
	ratio=$(calc %.2f "$PQ")
	iratio=$(calc %.2f "$ia / $ib")
	note "$name: CPU $PA vs $PB us (median of $RUNS pairs), instructions $ia vs $ib," \
		"syscalls $sa vs $sb"
	ok=0
	le "$ratio" 1.0 && le "$iratio" 1.0 && ok=1
	row "$name" "${ratio}× ($(calc %.2f "$PA / 1000") vs $(calc %.2f "$PB / 1000") ms)" \
		"${iratio}× ($(calc %.1fM "$ia / 1e6") vs $(calc %.1fM "$ib / 1e6"))" \
		"$sa vs $sb" "$goal" $ok
}

NS=zcrxbench$$
SINK=zcrxbsink$$
if ! ip netns add "$NS" 2>/dev/null || ! ip netns add "$SINK" 2>/dev/null; then
	for n in $DEVICES; do
		row "\`show\` vs \`ip -j link show\`, $n veth devices" - - - "≤ 1.0×" \
			"skipped: cannot create a network namespace (needs root)"
	done
else
	bench_cleanups+=("ip netns del $NS 2>/dev/null; ip netns del $SINK 2>/dev/null")
	ip -n "$NS" link set lo up
	have=0
	for n in $DEVICES; do
		for ((i = have; i < n; i++)); do
			echo "link add name zb$i type veth peer name zp$i netns $SINK"
			echo "link set zb$i up"
		done | ip -n "$NS" -batch - || { note "cannot add veth devices"; exit 1; }
		for ((i = have; i < n; i++)); do echo "link set zp$i up"; done | ip -n "$SINK" -batch -
		have=$n
		BENCH_PRE=(ip netns exec "$NS")
		compare "\`show\` vs \`ip -j link show\`, $n veth devices" "≤ 1.0×" -- \
			"$ZCRXCTL" show -- ip -j link show
		BENCH_PRE=()
	done
	BENCH_PRE=(ip netns exec "$NS")
	compare "\`-j show\` vs \`ip -j link show\`, $have veth devices" "≤ 1.0×" -- \
		"$ZCRXCTL" -j show -- ip -j link show
	BENCH_PRE=()
fi

dev=${ETHTOOL_DEV:-}
if [ -z "$dev" ]; then
	for d in $(ls /sys/class/net); do
		ethtool -g "$d" >/dev/null 2>&1 && { dev=$d; break; }
	done
fi
ndev=$(ls /sys/class/net | wc -l)
if [ -z "$dev" ]; then
	row "\`show\` ($ndev devices) vs \`ethtool -g\`" - - - "≤ 1.0×" \
		"skipped: no device here answers ethtool -g"
else
	compare "\`show\` ($ndev devices) vs \`ethtool -g $dev\`" "≤ 1.0×" -- \
		"$ZCRXCTL" show -- ethtool -g "$dev"
fi
