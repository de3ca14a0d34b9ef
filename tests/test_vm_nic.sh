#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# NIC mode on a real kernel: the VM tier gives its guests a throw-away
# virtio_net with two real queues (tests/vm/run.sh, a tap inside `unshare
# --net`).  virtio_net cannot host zcrx: `bind --check` must be refused with
# the diagnosis that says so, and `show` must list the device's page pools
# (7.2 lists them; 6.18 did not).  This machine's own NIC is never touched.
. "$(dirname "$0")/lib.sh"

# Only the VM tier's guests are a target; on the host nothing here is run
# (this machine's NIC is never touched).  A guest without its NIC skips.
if [ -z "${ZCRX_IN_VM:-}" ]; then
	echo "# n/a - every case: only the VM tier's guests have a throw-away NIC"
	t_done
fi
nic=
if [ "${ZCRX_VM_NIC:-0}" != 1 ]; then
	nic="this guest has no NIC: ${ZCRX_VM_NIC_REASON:-ZCRX_VM_NIC is not 1}"
elif ! ip link show eth0 >/dev/null 2>&1; then
	nic="the guest has no eth0"
fi

t_begin "show eth0: a 2-queue virtio_net, each RX queue not ready, with the reason"
if [ -n "$nic" ]; then
	t_skip "$nic"
else
	run "$ZCRXCTL" -j show eth0
	if jq -e '.[0] | .driver == "virtio_net" and (.queues | length) == 2 and
		  all(.queues[]; .ready == false and any(.reasons[]; .reason != null))' \
		  <<<"$out" >/dev/null
	then t_pass; else t_fail "rc=$rc: $out $err"; fi
fi

t_begin "show eth0 lists the device's page pools (Linux 7.2+)"
IFS=.- read -r major minor _ <<<"$(uname -r)"
if [ $((major * 100 + minor)) -lt 702 ]; then
	t_na "kernel $(uname -r) lists no virtio_net page pools (seen from 7.2)"
elif [ -n "$nic" ]; then
	t_skip "$nic"
else
	run "$ZCRXCTL" -j show eth0
	if jq -e '.[0]["page-pools"] | length >= 1' <<<"$out" >/dev/null
	then t_pass; else t_fail "rc=$rc: $(jq -c '.[0]["page-pools"], .[0]["page-pools-error"]' <<<"$out")"; fi
fi

t_begin "bind eth0 1 --check on virtio_net is refused: the driver cannot host zcrx"
if [ -n "$nic" ]; then
	t_skip "$nic"
elif ! have_root; then
	t_skip "binding needs root"
else
	run "$ZCRXCTL" bind eth0 1 --check
	if [ "$rc" = 1 ] && grep -q 'EOPNOTSUPP' <<<"$err" &&
	   grep -q 'virtio_net has no RX queue management API' <<<"$err" &&
	   grep -q 'NIC such as mlx5' <<<"$err"
	then t_pass; else t_fail "rc=$rc: $err"; fi
fi

t_begin "on a kernel with NODEV the refusal says what NODEV can show instead"
if ! "$ZCRXCTL" -q features --require nodev >/dev/null 2>&1; then
	t_na "kernel $(uname -r) has no NODEV (Linux 7.1+)"
elif [ -n "$nic" ]; then
	t_skip "$nic"
else
	run "$ZCRXCTL" bind eth0 1 --check
	if grep -q 'zcrxctl watch --nodev' <<<"$err" && grep -q 'never alloc-fail' <<<"$err"
	then t_pass; else t_fail "$err"; fi
fi

t_begin "the refused bind left no io_uring provider on the queue"
if [ -n "$nic" ]; then
	t_skip "$nic"
else
	run "$ZCRXCTL" -j show eth0
	if jq -e '.[0].queues | all(.[]; (.providers // []) | index("io-uring") | not)' <<<"$out" >/dev/null
	then t_pass; else t_fail "$(jq -c '.[0].queues' <<<"$out")"; fi
fi

# Real RX traffic: eth0 gets 192.0.2.2/24 and pings the tap's end, which
# answers (tests/vm/README.md).  The counters must move between two shows.
t_begin "show eth0 lists each RX queue's page pools, with stats, under traffic (Linux 7.2+)"
IFS=.- read -r major minor _ <<<"$(uname -r)"
traffic=
if [ $((major * 100 + minor)) -lt 702 ]; then
	t_na "kernel $(uname -r) lists no virtio_net page pools (seen from 7.2)"
elif [ -n "$nic" ]; then
	t_skip "$nic"
elif [ -z "${ZCRX_VM_PEER:-}" ] || ! ip addr replace 192.0.2.2/24 dev eth0 2>/dev/null; then
	t_skip "no peer to send traffic to (ZCRX_VM_PEER '${ZCRX_VM_PEER:-}', or ip addr failed)"
else
	run "$ZCRXCTL" -j show eth0
	before=$out
	ping -c 100 -i 0.01 -W 2 "$ZCRX_VM_PEER" >/dev/null 2>&1
	run "$ZCRXCTL" -j show eth0
	after=$out traffic=1
	# every RX queue shows the pool on its napi; stats null says the kernel lacks them
	if jq -e '.[0].queues | length == 2 and
		  all(.[]; (.["page-pools"] | length >= 1) and
			   all(.["page-pools"][]; .["napi-id"] != null and .inflight != null))' \
		  <<<"$after" >/dev/null
	then t_pass; else t_fail "rc=$rc: $(jq -c '[.[0].queues[] | {queue, "page-pools"}]' <<<"$after") $err"; fi
fi

t_begin "page-pool stats and rx-packets rise between two shows around 100 pings"
if [ -z "$traffic" ]; then
	t_skip "no traffic was sent (see the case above)"
elif jq -e '.[0] | has("page-pool-stats-error")' <<<"$after" >/dev/null; then
	# the kernel said so (EOPNOTSUPP: built without CONFIG_PAGE_POOL_STATS)
	t_skip "kernel $(uname -r) gives no page-pool stats: $(jq -r '.[0]["page-pool-stats-error"]' <<<"$after")"
else
	# alloc-fast + every recycle-* over eth0's pools, and rx-packets over its queues
	pp='[.[0]["page-pools"][].stats | to_entries[] |
	     select(.key == "alloc-fast" or (.key | startswith("recycle-"))) | .value] | add'
	rx='[.[0].queues[].qstats["rx-packets"] // 0] | add'
	p0=$(jq "$pp" <<<"$before") p1=$(jq "$pp" <<<"$after")
	r0=$(jq "$rx" <<<"$before") r1=$(jq "$rx" <<<"$after")
	if [[ $p0 =~ ^[0-9]+$ && $p1 =~ ^[0-9]+$ && $r0 =~ ^[0-9]+$ && $r1 =~ ^[0-9]+$ ]] &&
	   [ "$p1" -gt "$p0" ] && [ "$r1" -ge $((r0 + 50)) ]
	then t_pass; else t_fail "page-pool alloc-fast+recycle $p0 -> $p1, rx-packets $r0 -> $r1"; fi
fi

t_begin "text: each queue line is followed by its page pools and their alloc/recycle stats"
if [ -z "$traffic" ]; then
	t_skip "no traffic was sent (see the case above)"
else
	run "$ZCRXCTL" show eth0
	# pool lines inside the queue blocks (not the device's "page pools of no queue")
	n=$(awk '/^    queue [0-9]+:/ { q = 1; next } /^    [^ ]/ { q = 0 }
		 q && /^        page pool [0-9]+: napi [0-9]+ [0-9]+ pages? in flight/ { c++ }
		 END { print c + 0 }' <<<"$out")
	a=$(grep -cE '^            alloc fast [0-9]+ slow [0-9]+' <<<"$out")
	if [ "$rc" = 0 ] && [ "$n" -ge 2 ] &&
	   { [ "$a" = "$n" ] || grep -q 'page-pool stats:' <<<"$out"; }
	then t_pass; else t_fail "rc=$rc, $n pool lines, $a alloc lines: $out"; fi
fi

t_done
