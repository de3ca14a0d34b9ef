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

t_done
