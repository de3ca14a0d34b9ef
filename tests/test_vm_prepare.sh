#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zcrxctl prepare on a real driver: the VM tier's throw-away 2-queue
# virtio_net (tests/vm/run.sh).  virtio_net has channels but neither
# tcp-data-split nor ntuple filters (nor, without QEMU's rss=on, an RSS
# table), so from 1 channel `prepare eth0 1 --port 9000` must grow the
# channels, fail at hds with the kernel's own words, undo the channels and
# leave every setting (ethtool -l, -g, -k, -x) exactly as it was;
# --dry-run must change nothing; a partial success (--skip) must be undone
# by --undo, also from the state a prepare killed in its hds step leaves.
# The guest's channel count is put back at the end.  The outputs go to the
# log as TAP comments (README's walkthrough quotes them).
. "$(dirname "$0")/lib.sh"

if [ -z "${ZCRX_IN_VM:-}" ]; then
	echo "# n/a - every case: only the VM tier's guests have a throw-away NIC"
	t_done
fi
t_plan 7
nic=
if [ "${ZCRX_VM_NIC:-0}" != 1 ]; then
	nic="this guest has no NIC: ${ZCRX_VM_NIC_REASON:-ZCRX_VM_NIC is not 1}"
elif ! ip link show eth0 >/dev/null 2>&1; then
	nic="the guest has no eth0"
elif ! have_root; then
	nic="prepare needs root"
fi
ZCRXCTL_RUNDIR=$(mktemp -d)
export ZCRXCTL_RUNDIR
SF=$ZCRXCTL_RUNDIR/eth0.prepare
orig=
if [ -z "$nic" ]; then
	orig=$(ethtool -l eth0 | awk '/^Current/ { c = 1 } c && /^Combined:/ { print $2 }')
	ethtool -L eth0 combined 1 || nic="ethtool -L eth0 combined 1 failed"
fi
trap '[ -n "$orig" ] && ethtool -L eth0 combined "$orig"; rm -rf "$ZCRXCTL_RUNDIR"; _t_cleanup' EXIT
snap() { ethtool -l eth0; ethtool -g eth0 2>&1; ethtool -k eth0; ethtool -x eth0 2>&1; }
comb() { ethtool -l eth0 | awk '/^Current/ { c = 1 } c && /^Combined:/ { print $2 }'; }
one_line() { [ "$(grep -c . <<<"$1")" = 1 ]; }
log() { sed 's/^/#   /' <<<"$1"; }

t_begin "prepare eth0 1 --port 9000 fails at hds, names it and the kernel's words, and leaves eth0 as it was"
if [ -n "$nic" ]; then t_skip "$nic"
else
	before=$(snap)
	run "$ZCRXCTL" prepare eth0 1 --port 9000
	after=$(snap)
	echo "# \$ zcrxctl prepare eth0 1 --port 9000   (exit $rc)"; log "$out"; log "$err"
	if [ "$rc" != 3 ]; then t_fail "exit $rc: $err"
	elif ! one_line "$err" ||
	     [[ $err != *"step hds (ethtool -G eth0 tcp-data-split on) failed: Operation not supported (kernel: \"setting TCP data split is not supported\")"* ]]; then
		t_fail "$err"
	elif ! grep -q '^    channels undone  *rx 0 combined 1 -> rx 0 combined 2' <<<"$out"; then
		t_fail "channels not tried then undone: $out"
	elif [ "$before" != "$after" ]; then t_fail "changed: $(diff <(echo "$before") <(echo "$after") | tr '\n' '|')"
	elif [ -e "$SF" ]; then t_fail "$SF left"
	else t_pass; fi
fi

t_begin "-j: the same failure is one JSON document, the steps and the error"
if [ -n "$nic" ]; then t_skip "$nic"
else
	before=$(snap)
	run "$ZCRXCTL" -j prepare eth0 1 --port 9000
	after=$(snap)
	if [ "$rc" != 3 ] || [ -n "$err" ] || [ "$(jq -s length <<<"$out" 2>/dev/null)" != 1 ]; then
		t_fail "exit $rc: $out $err"
	elif ! jq -e '([.steps[] | .result] == ["undone","failed","not-tried","not-tried","not-tried"]) and
		(.error | contains("step hds"))' <<<"$out" >/dev/null; then t_fail "$out"
	elif [ "$before" != "$after" ]; then t_fail "changed"
	else t_pass; fi
fi

t_begin "--dry-run prints the ethtool commands and changes nothing"
if [ -n "$nic" ]; then t_skip "$nic"
else
	before=$(snap)
	run "$ZCRXCTL" prepare eth0 1 --port 9000 --dry-run
	after=$(snap)
	echo "# \$ zcrxctl prepare eth0 1 --port 9000 --dry-run   (exit $rc)"; log "$out"
	if [ "$rc" != 0 ]; then t_fail "exit $rc: $err"
	elif ! grep -qx 'ethtool -L eth0 combined 2' <<<"$out" ||
	     ! grep -qx 'ethtool -G eth0 tcp-data-split on' <<<"$out" ||
	     ! grep -qx 'ethtool -N eth0 flow-type tcp4 dst-port 9000 action 1' <<<"$out"; then
		t_fail "$out"
	elif [ "$before" != "$after" ] || [ -e "$SF" ]; then t_fail "changed something"
	else t_pass; fi
fi

t_begin "a partial success (--skip hds,ntuple,rss) is recorded, and --undo restores everything"
if [ -n "$nic" ]; then t_skip "$nic"
else
	before=$(snap)
	run "$ZCRXCTL" prepare eth0 1 --skip hds,ntuple,rss
	echo "# \$ zcrxctl prepare eth0 1 --skip hds,ntuple,rss   (exit $rc)"; log "$out"
	r1=$rc c1=$(comb)
	run "$ZCRXCTL" prepare --undo eth0
	echo "# \$ zcrxctl prepare --undo eth0   (exit $rc)"; log "$out"
	after=$(snap)
	if [ "$r1" != 0 ] || [ "$c1" != 2 ]; then t_fail "prepare: exit $r1, combined $c1"
	elif [ "$rc" != 0 ]; then t_fail "undo: exit $rc: $err"
	elif [ "$before" != "$after" ]; then t_fail "not restored: $(diff <(echo "$before") <(echo "$after") | tr '\n' '|')"
	elif [ -e "$SF" ]; then t_fail "$SF left"
	else t_pass; fi
fi

t_begin "--undo from the state a prepare killed in its hds step leaves: channels back, hds not needed"
if [ -n "$nic" ]; then t_skip "$nic"
else
	before=$(snap)
	run "$ZCRXCTL" prepare eth0 1 --skip hds,ntuple,rss
	sed -i 's/^pending -$/pending hds/; s/^skip hds,ntuple,rss$/skip ntuple,rss/' "$SF"
	run "$ZCRXCTL" prepare --undo eth0
	after=$(snap)
	if [ "$rc" != 0 ]; then t_fail "exit $rc: $err"
	elif [ "$before" != "$after" ] || [ -e "$SF" ]; then t_fail "not restored, or $SF left"
	else t_pass; fi
fi

t_begin "with QEMU's rss=on: channels and rss done (queue 1 out of the table), --undo restores the table"
if [ -n "$nic" ]; then t_skip "$nic"
elif ! ethtool -x eth0 2>/dev/null | grep -qE '^ +[0-9]+:'; then
	# (ethtool -x exits 0 on virtio_net without RSS: its table rows tell)
	# tests/vm/run.sh leaves rss=on off: with it, QEMU's software RSS under
	# TCG lost RX (100 pings: 0 answered, then 68), which show and top need
	t_skip "eth0 has no RSS indirection table: the VM tier's virtio-net has no rss=on (it lost RX traffic under TCG)"
else
	before=$(snap)
	run "$ZCRXCTL" prepare eth0 1 --skip hds,ntuple
	echo "# \$ zcrxctl prepare eth0 1 --skip hds,ntuple   (exit $rc)"; log "$out"; log "$err"
	r1=$rc mid=$(ethtool -x eth0)
	echo "# \$ ethtool -x eth0"; log "$mid"
	run "$ZCRXCTL" prepare --undo eth0
	echo "# \$ zcrxctl prepare --undo eth0   (exit $rc)"; log "$out"
	after=$(snap)
	# the table's rows: "    0:      0     0 ..." ; queue 1 must be in none of them
	if [ "$r1" != 0 ]; then t_fail "prepare: exit $r1: $err"
	elif grep -E '^ +[0-9]+:' <<<"$mid" | sed 's/^ *[0-9]*://' | grep -qw 1; then
		t_fail "queue 1 still in the table: $(tr '\n' '|' <<<"$mid")"
	elif [ "$rc" != 0 ]; then t_fail "undo: exit $rc: $err"
	elif [ "$before" != "$after" ]; then t_fail "not restored: $(diff <(echo "$before") <(echo "$after") | tr '\n' '|')"
	else t_pass; fi
fi

t_begin "eth0's channels go back to what the guest had ($orig)"
if [ -n "$nic" ]; then t_skip "$nic"
else
	ethtool -L eth0 combined "$orig"
	if [ "$(comb)" = "$orig" ]; then t_pass; else t_fail "combined $(comb)"; fi
	orig=
fi
t_done
