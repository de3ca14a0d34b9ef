#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# show's two ways to ask the kernel agree: the whole host (one dump per
# object type, joined by ifindex, a device the dump skips inferred) and one
# device (filtered dumps and gets, each answer its own).  A device up, one
# down (its qstats asked alone), lo; text and JSON.  And the RX queue count
# the link dump gives agrees with sysfs.
. "$(dirname "$0")/lib.sh"

if ! have_root; then
	t_begin "show paths in a network namespace"; t_skip "needs root to create a network namespace"
	t_done
fi
if ! have_netns; then
	t_begin "show paths in a network namespace"; t_skip "network namespaces unavailable (ip netns add failed)"
	t_done
fi

NS=$(t_netns_add showp) || { t_begin "show paths in a network namespace"; t_fail "ip netns add failed"; t_done; }
if ! ip -n "$NS" link add zv0 type veth peer name zv1 2>/dev/null; then
	t_begin "show paths in a network namespace"; t_skip "cannot create a veth pair (no veth driver?)"
	t_done
fi
ip -n "$NS" link set lo up
ip -n "$NS" link set zv0 up
ip netns exec "$NS" ethtool -L zv0 rx 2 >/dev/null 2>&1
# down, 4 RX queues allocated and 2 real: the link dump's num_rx_queues is not the
# count; its peer down with 1, which is
ip -n "$NS" link add zw0 numtxqueues 4 numrxqueues 4 type veth peer name zw1 numrxqueues 1 2>/dev/null &&
	ip netns exec "$NS" ethtool -L zw0 rx 2 >/dev/null 2>&1

t_plan 4
nsx() { ip netns exec "$NS" "$@"; }
devs=$(ip -n "$NS" -j link show | jq -r '.[].ifname')

run nsx "$ZCRXCTL" -j show
all_json=$out
run nsx "$ZCRXCTL" show
all_text=$out

t_begin "-j show: each device as -j show DEV has it"
bad=
for d in $devs; do
	run nsx "$ZCRXCTL" -j show "$d"
	one=$(jq -c '.[0]' <<<"$out")
	whole=$(jq -c --arg d "$d" '.[] | select(.ifname == $d)' <<<"$all_json")
	[ "$rc" = 0 ] && [ -n "$one" ] && [ "$one" = "$whole" ] || bad+="$d: ${one:0:80} vs ${whole:0:80}; "
done
if [ -z "$bad" ] && [ -n "$devs" ]; then t_pass; else t_fail "$bad"; fi

t_begin "show: each device's lines as show DEV prints them"
bad=
for d in $devs; do
	run nsx "$ZCRXCTL" show "$d"
	whole=$(awk -v d="$d:" '$1 == d { p = 1 } p && !NF { exit } p' <<<"$all_text")
	[ "$rc" = 0 ] && [ -n "$out" ] && [ "$out" = "$whole" ] || bad+="$d: ${out:0:80} vs ${whole:0:80}; "
done
if [ -z "$bad" ] && [ -n "$devs" ]; then t_pass; else t_fail "$bad"; fi

t_begin "what the whole-host dumps leave out (a down device's queues) is said for that device, in words"
q0=$(jq -c '.[] | select(.ifname == "zv0") | [."queues-error", (.queues | length)]' <<<"$all_json")
q1=$(jq -c '.[] | select(.ifname == "zv1") | [."queues-error", (.queues | length)]' <<<"$all_json")
if jq -e '.[0] == null and .[1] > 0' <<<"$q0" >/dev/null 2>&1 &&
	jq -e '.[0] | test("device is down")' <<<"$q1" >/dev/null 2>&1; then t_pass
else t_fail "zv0 (up) $q0 zv1 (down) $q1"; fi

t_begin "a down device's RX queue count is the real one, as sysfs lists it"
want=$(for d in $devs; do
	echo "$d $(ip netns exec "$NS" ls "/sys/class/net/$d/queues" | grep -c '^rx-')"; done)
got=$(jq -r '.[] | "\(.ifname) \(."rx-queues")"' <<<"$all_json")
text=$(awk '/ifindex/ { sub(":", "", $1); for (i = 1; i < NF; i++) if ($i == "rx-queues") print $1, $(i + 1) }' <<<"$all_text")
if ! grep -q '^zw0 2$' <<<"$want"; then t_skip "cannot give a veth 4 RX queues and use 2 (ethtool -L)"
elif [ "$got" = "$want" ] && [ "$text" = "$want" ]; then t_pass
else t_fail "sysfs: $(tr '\n' ' ' <<<"$want") json: $(tr '\n' ' ' <<<"$got") text: $(tr '\n' ' ' <<<"$text")"; fi

t_done
