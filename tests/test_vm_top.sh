#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zcrxctl top on a real kernel under real traffic: the VM tier's guests have
# eth0, a 2-queue virtio_net whose tap end answers at $ZCRX_VM_PEER.  With
# pings coming back, `-j top eth0 -c 3 --interval 500ms` prints a rate
# record per queue per interval, and the packets its rates add up to are
# the ones the kernel's qstats counted meanwhile (not an echo of a total).
# On the host nothing here runs: this machine's NIC is never touched.
. "$(dirname "$0")/lib.sh"

if [ -z "${ZCRX_IN_VM:-}" ]; then
	echo "# n/a - every case: only the VM tier's guests have a throw-away NIC"
	t_done
fi
vm_nic

TMP=$(mktemp -d)
pinger=
trap '[ -n "$pinger" ] && kill "$pinger" 2>/dev/null; rm -rf "$TMP"; _t_cleanup' EXIT

# the sum of eth0's qstats rx-packets over its queues, or "null"
rx_packets() { "$ZCRXCTL" -j show eth0 | jq '[.[0].queues[].qstats["rx-packets"] // empty] | if length == 0 then null else add end'; }

if [ -z "$nic" ]; then
	ip addr add 192.0.2.2/24 dev eth0 2>/dev/null
	# 20 pings a second (busybox ping takes a fraction of a second as root)
	ping -i 0.05 "$ZCRX_VM_PEER" >"$TMP/ping" 2>&1 &
	pinger=$!
	for _ in $(seq 50); do grep -q 'bytes from' "$TMP/ping" && break; sleep 0.1; done
	before=$(rx_packets)
	run "$ZCRXCTL" -j top eth0 -c 3 --interval 500ms
	after=$(rx_packets)
	kill "$pinger" 2>/dev/null
	wait "$pinger" 2>/dev/null
	pinger=
fi

t_begin "-j top eth0 -c 3 --interval 500ms under traffic: exit 0, a record per queue per interval"
if [ -n "$nic" ]; then
	t_skip "$nic"
else
	if [ "$rc" = 0 ] && [ "$(wc -l <<<"$out")" = 6 ] &&
	   jq -e -s 'all(.[]; .dev == "eth0" and .["interval-ms"] == 500 and .provider == null)
		and (map(.queue) | unique) == [0, 1]' <<<"$out" >/dev/null
	then t_pass; else t_fail "rc=$rc err=$err out=$(head -c 800 <<<"$out")"; fi
fi

t_begin "the rates are the kernel's: rx-packets-per-s > 0, and no more than qstats counted"
if [ -n "$nic" ]; then
	t_skip "$nic"
elif ! grep -q 'bytes from' "$TMP/ping"; then
	t_fail "no ping reply from $ZCRX_VM_PEER: $(head -c 300 "$TMP/ping")"
elif [ "$before" = null ]; then
	t_na "kernel $(uname -r): virtio_net reports no per-queue qstats"
else
	# packets the rates stand for: rate x elapsed, summed over queues and intervals
	seen=$(jq -s 'map((.["rx-packets-per-s"] // 0) * .["elapsed-ms"] / 1000) | add | round' <<<"$out")
	if jq -e -s 'any(.[]; .["rx-packets-per-s"] > 0)' <<<"$out" >/dev/null &&
	   [ "$seen" -gt 0 ] && [ "$seen" -le $((after - before)) ]
	then t_pass; else t_fail "rates add up to $seen packets; qstats counted $((after - before)) ($before -> $after)"; fi
fi

t_begin "the queues' page pools have rates too (virtio_net's pools, Linux 7.2+)"
IFS=.- read -r major minor _ <<<"$(uname -r)"
if [ $((major * 100 + minor)) -lt 702 ]; then
	t_na "kernel $(uname -r) lists no virtio_net page pools (seen from 7.2)"
elif [ -n "$nic" ]; then
	t_skip "$nic"
elif jq -e -s 'any(.[]; .["page-pools"] >= 1 and (.["alloc-fast-per-s"] | type) == "number"
		and (.inflight | type) == "number") and all(.[]; .flag == null)' <<<"$out" >/dev/null
then
	t_pass
else
	t_fail "$(jq -s -c 'map({queue, "page-pools", "alloc-fast-per-s", inflight, flag, restart})' <<<"$out")"
fi

t_done
