#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Stale bindings before the kernel refuses them (issue 12; liburing #1550):
# a NIC queue that still carries a memory provider (the kernel tears one
# down asynchronously after its holder exits) is said in words before the
# registration, by bind, bind --check and watch; --wait-clear DUR polls
# until it is free, or says "still bound after DUR" and exits 2; the holder's
# pid is named when a live zcrxctl session serves the queue's socket.  No VM
# NIC can host zcrx, so the provider is the simulator's (--sim-stale); the
# real kernel's queue-get is asked on lo, whose queue carries none, and in
# the VM tier on virtio_net's eth0 (tests/vm/guest.list).
# (tests/test_stale.sh is about stale session sockets, not this.)
. "$(dirname "$0")/lib_session.sh"

# 13 simulator cases (not in the VM tier) and 2 on the running kernel
if [ -z "${ZCRX_IN_VM:-}" ]; then t_plan 15; else t_plan 2; fi

Z=("$ZCRXCTL")
# the words every stale-binding message carries
KIND="queue 0 of sim0 already has an io_uring zcrx memory provider bound"
ASYNC="the kernel tears a provider down asynchronously after its process exits"
FIX="--wait-clear DUR"

# stale_said: $err is one line with the kind, the asynchrony and the fix
stale_said() {
	one_line "$err" && [[ $err == "Error: $KIND"* && $err == *"$ASYNC"* && $err == *"$FIX"* ]]
}

# The simulator's cases: the same on every kernel, so the VM tier (whose
# guests spawn a process in ~130 ms) runs only the kernel-facing ones below.
sim_cases() {
	new_rundir

	t_begin "bind --check on a queue that still carries a provider: said before registering, exit 1"
	run timeout 20 "${Z[@]}" bind --sim sim0 0 --check --sim-stale 60s
	if [ "$rc" != 1 ] || [ -n "$out" ]; then
		t_fail "exit $rc (want 1), stdout '$(short "$out")': $(short "$err")"
	elif ! stale_said; then
		t_fail "not the stale-binding words: $(short "$err")"
	elif [[ $err == *"got EEXIST"* ]]; then
		t_fail "the kernel's refusal, not the preflight: $(short "$err")"
	else
		t_pass
	fi

	t_begin "bind (holding) refuses it the same way, and leaves no socket behind"
	run timeout 20 "${Z[@]}" bind --sim sim0 0 --sim-stale 60s
	if [ "$rc" != 1 ] || ! stale_said; then
		t_fail "exit $rc (want 1): $(short "$err")"
	elif [ -e "$(sock sim0 0)" ]; then
		t_fail "left $(sock sim0 0)"
	else
		t_pass
	fi

	t_begin "watch refuses it the same way"
	run timeout 20 "${Z[@]}" watch --sim sim0 0 --sim-stale 60s -c 1
	if [ "$rc" != 1 ] || ! stale_said; then
		t_fail "exit $rc (want 1): $(short "$err")"
	else
		t_pass
	fi

	t_begin "bind --wait-clear binds once the stale provider is gone"
	run timeout 30 "${Z[@]}" bind --sim sim0 0 --check --sim-stale 500ms --wait-clear 20s
	if [ "$rc" != 0 ]; then
		t_fail "exit $rc (want 0): $(short "$err")"
	elif [[ $out != "bound dev=sim0 queue=0 "*"released=yes"* ]]; then
		t_fail "no binding report: $(short "$out")"
	elif [[ $err != *"sim0 queue 0 still carries an io_uring zcrx memory provider: waiting up to 20s"* ||
		$err != *"sim0 queue 0 is free after"* ]]; then
		t_fail "did not say it waited: $(short "$err")"
	else
		t_pass
	fi

	t_begin "bind --wait-clear that runs out: the same words, still bound after DUR, exit 2"
	run timeout 30 "${Z[@]}" bind --sim sim0 0 --check --sim-stale 60s --wait-clear 300ms
	last=$(grep '^Error: ' <<<"$err")
	if [ "$rc" != 2 ] || [ -n "$out" ]; then
		t_fail "exit $rc (want 2), stdout '$(short "$out")': $(short "$err")"
	elif ! err=$last stale_said || [[ $last != *"; still bound after 300ms" ]]; then
		t_fail "not the words plus 'still bound after 300ms': $(short "$err")"
	else
		t_pass
	fi

	t_begin "watch --wait-clear that runs out exits 2 as well"
	run timeout 30 "${Z[@]}" watch --sim sim0 0 --sim-stale 60s --wait-clear 200ms -c 1
	if [ "$rc" != 2 ] || [[ $err != *"still bound after 200ms"* ]]; then
		t_fail "exit $rc (want 2): $(short "$err")"
	else
		t_pass
	fi

	t_begin "-j: the refusal is one JSON error on stdout"
	run timeout 20 "${Z[@]}" -j bind --sim sim0 0 --check --sim-stale 60s
	if [ "$rc" != 1 ] || ! jqe --arg k "$KIND" '.error | startswith($k)' <<<"$out"; then
		t_fail "exit $rc, stdout: $(short "$out")"
	else
		t_pass
	fi

	# A live session of ours on sim0 0: the simulator's queue of another process
	# cannot see its ifq, so --sim-stale stands for what queue-get would say.
	new_rundir
	start holder bind sim0 0 --sim --sim-rate 0
	holder=$pid
	has_sock sim0 0

	t_begin "a provider held by a live zcrxctl session names its pid and socket"
	run timeout 20 "${Z[@]}" bind --sim sim0 0 --check --sim-stale 60s
	if [ "$rc" != 1 ] || ! stale_said; then
		t_fail "exit $rc (want 1): $(short "$err")"
	elif [[ $err != *"; it is held by the zcrxctl session pid $holder ($(sock sim0 0)): \`kill $holder\` releases it" ]]; then
		t_fail "pid $holder not named: $(short "$err")"
	else
		t_pass
	fi

	# this process's simulator sees no provider: the holder's socket refuses it
	t_begin "a second holding bind of that queue is refused by its socket, naming the pid"
	run timeout 20 "${Z[@]}" bind --sim sim0 0
	if [ "$rc" != 1 ] || [[ $err != *"already bound by pid $holder"*"kill $holder"* ]]; then
		t_fail "exit $rc (want 1): $(short "$err")"
	else
		t_pass
	fi
	stop "$holder"

	# A bind that waits for its queue is no session yet: it claims no socket,
	# so status says no session owns the queue, not that one does not answer.
	new_rundir
	start waiter bind sim0 0 --sim --sim-rate 0 --sim-stale 60s --wait-clear 60s
	waiter=$pid
	t_begin "while --wait-clear waits, no session socket: status says no session owns it"
	if ! wait_until 10 grep -q 'waiting up to 60s' "$S_TMP/waiter.err"; then
		t_fail "no waiting line: $(f waiter.err | short)"
	else
		run timeout 20 "${Z[@]}" status sim0 0
		if [ "$rc" != 1 ] || [[ $err != *"no session owns sim0 queue 0"* ]]; then
			t_fail "status exit $rc: $(short "$err$out")"
		elif [ -e "$(sock sim0 0)" ]; then
			t_fail "$(sock sim0 0) exists while the bind waits"
		else
			t_pass
		fi
	fi
	stop "$waiter"

	t_begin "--wait-clear with --nodev is a usage error"
	run "${Z[@]}" bind --nodev n0 0 --listen 0 --wait-clear 1s
	if [ "$rc" != 64 ] || [[ $err != *"--wait-clear with --nodev"* ]]; then
		t_fail "exit $rc (want 64): $(short "$err")"
	else
		t_pass
	fi

	t_begin "--sim-stale without --sim is a usage error"
	run "${Z[@]}" bind sim0 0 --sim-stale 1s
	if [ "$rc" != 64 ] || [[ $err != *"--sim-stale needs --sim"* ]]; then
		t_fail "exit $rc (want 64): $(short "$err")"
	else
		t_pass
	fi

	t_begin "no provider on the simulated queue: no preflight words, --wait-clear does not wait"
	run timeout 20 "${Z[@]}" bind --sim sim0 0 --check --wait-clear 30s
	if [ "$rc" != 0 ] || [ -n "$err" ]; then
		t_fail "exit $rc (want 0, stderr empty): $(short "$err")"
	else
		t_pass
	fi
}

if [ -z "${ZCRX_IN_VM:-}" ]; then
	sim_cases
fi

# The running kernel: lo's queue 0 carries no provider, so the preflight is
# silent and the kernel's own answer (lo cannot host zcrx) is what is said.
t_begin "the kernel's queue-get on lo: no stale-binding words, the kernel's diagnosis"
if [ ! -d /sys/class/net/lo ]; then
	t_skip "no lo in this network namespace"
else
	run timeout 20 "${Z[@]}" bind lo 0 --check --wait-clear 30s
	if [ "$rc" = 0 ]; then
		t_fail "lo bound zcrx: $(short "$out")"
	elif [[ $err == *"memory provider bound"* || $err == *"waiting up to"* ]]; then
		t_fail "a stale binding where queue-get says none: $(short "$err")"
	elif [[ $err != "Error: "* ]]; then
		t_fail "no diagnosis: $(short "$err")"
	else
		t_pass
	fi
fi

# The VM tier's 2-queue virtio_net (tests/vm/README.md): queue-get answers
# for a real NIC queue on the guest's kernel, says it is free, and the bind
# goes on to the kernel's own refusal (virtio_net cannot host zcrx).  With
# --wait-clear a look-up that failed would say so: it must not.
t_begin "bind eth0 1 --check on virtio_net: queue-get says free, no stale-binding words"
if [ "${ZCRX_VM_NIC:-0}" != 1 ]; then
	t_skip "no VM NIC here: ${ZCRX_VM_NIC_REASON:-ZCRX_VM_NIC is not 1 (the VM tier sets it)}"
elif ! have_root; then
	t_skip "binding needs root"
else
	run timeout 60 "${Z[@]}" bind eth0 1 --check --wait-clear 30s
	if [ "$rc" != 1 ] || ! one_line "$err"; then
		t_fail "exit $rc (want 1, one line): $(short "$err")"
	elif [[ $err == *"memory provider bound"* || $err == *"waiting up to"* ||
		$err == *"Cannot look"* ]]; then
		t_fail "the preflight spoke where queue-get says free: $(short "$err")"
	elif [[ $err != "Error: registering a zcrx ifq on eth0 queue 1 got EOPNOTSUPP"* ]]; then
		t_fail "not the kernel's refusal: $(short "$err")"
	else
		t_pass
	fi
fi

t_done
