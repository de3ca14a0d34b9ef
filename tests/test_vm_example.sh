#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The example application on a real kernel (the VM tier, tests/vm/guest.list):
# examples/zcrx_recv receives real TCP over loopback on a NODEV ifq (Linux
# 7.1+; its copy event 7.2+) with the session server on, and an operator
# sees it: `zcrxctl status` lists it with its program name and pid, `zcrxctl
# subscribe` in another process prints its copy event, `zcrxctl arm` re-arms
# it (more data: a second copy), its byte count equals what was sent, and
# SIGTERM ends it with nothing left in RUNDIR (tests/lib_example.sh); a NIC
# queue that cannot host zcrx (virtio_net) is refused in words.  On a
# kernel without NODEV events (this project's 6.18 machines) nothing runs.
. "$(dirname "$0")/lib_example.sh"

kernel_zcrx
if [ "$events" != yes ]; then
	echo "# n/a - every case: $events"
	t_done
fi
if ! have_root; then
	t_begin "the example on a NODEV ifq"
	t_skip "registering an ifq needs root (CAP_NET_ADMIN)"
	t_done
fi

example_path NODEV --nodev

t_begin "a NIC queue that cannot host zcrx is refused in words, and nothing is served"
if [ "${ZCRX_VM_NIC:-0}" != 1 ]; then
	t_skip "this guest has no NIC: ${ZCRX_VM_NIC_REASON:-ZCRX_VM_NIC is not 1}"
else
	new_rundir
	run timeout 60 "$EXAMPLE" eth0 1 127.0.0.1:0
	if [ "$rc" = 1 ] && grep -q '^.*zcrx_recv: cannot open an ifq.* eth0 queue 1[: ].*virtio_net' <<<"$err" &&
	   [ -z "$out" ] && [ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]
	then t_pass; else t_fail "rc=$rc: $(short "$out$err")"; fi
fi

t_done
