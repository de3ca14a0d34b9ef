#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The example application (examples/zcrx_recv) on the host: it builds against
# the tree's shared libzcrx, refuses bad arguments by name, says in words
# why a kernel without NODEV cannot serve --nodev, and, on libzcrx's
# simulator, goes the whole path an operator sees (tests/lib_example.sh):
# status lists it, subscribe prints its copy event, arm re-arms it.  The
# same path on a real NODEV ifq is tests/test_vm_example.sh, in the VM tier.
. "$(dirname "$0")/lib_example.sh"

kernel_zcrx

t_begin "make examples built zcrx_recv against the tree's shared libzcrx"
dyn=$(readelf -d "$EXAMPLE" 2>&1)
if grep -q 'NEEDED.*\[libzcrx\.so\.1\]' <<<"$dyn" && grep -q 'R.*PATH.*\$ORIGIN/\.\./lib' <<<"$dyn"
then t_pass; else t_fail "$(short "$dyn")"; fi

t_begin "no arguments: the usage on stderr, exit 64"
run "$EXAMPLE"
if [ "$rc" = 64 ] && grep -q '^Usage: .*--nodev \[ADDR:\]PORT' <<<"$err" && [ -z "$out" ]
then t_pass; else t_fail "rc=$rc: $(short "$out$err")"; fi

t_begin "bad arguments are refused by name, exit 64, before anything is served"
bad=
new_rundir
while IFS='|' read -r args want; do
	# shellcheck disable=SC2086
	# a port taken modulo 65536 would listen: the timeout ends it
	run timeout -s INT 5 "$EXAMPLE" $args
	[ "$rc" = 64 ] && grep -q -- "$want" <<<"$err" && [ -z "$out" ] &&
		[ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ] || bad+="[$args: rc=$rc $(short "$out$err")] "
done <<'CASES'
--bogus 1|unknown option --bogus
--nodev --sim s0 0 1|--nodev and --sim exclude each other
eth0 x 1|x: QUEUE is an RX queue number
--sim s0 -1 1|-1: QUEUE is an RX queue number
--sim s0 4294967296 1|4294967296: QUEUE is an RX queue number
--nodev eth0 0 1|^Usage
--sim s0 0 127.0.0.1:99999|'99999': PORT must be a number from 0 to 65535
--sim s0 0 127.0.0.1:65536|'65536': PORT must be a number from 0 to 65535
--nodev 127.0.0.1:http|'http': PORT must be a number from 0 to 65535
--nodev 127.0.0.1:|'': PORT must be a number from 0 to 65535
--nodev -5|'-5': PORT must be a number from 0 to 65535
CASES
if [ -z "$bad" ]; then t_pass; else t_fail "$bad"; fi

t_begin "--nodev on a kernel without NODEV is refused in words naming Linux 7.1, nothing served"
if [ "$nodev" = yes ]; then
	t_na "kernel $(uname -r) has NODEV: nothing to refuse"
else
	new_rundir
	run "$EXAMPLE" --nodev 127.0.0.1:0
	if [ "$rc" = 1 ] && grep -q 'cannot open a NODEV ifq.*Linux 7\.1' <<<"$err" &&
	   [ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]
	then t_pass; else t_fail "rc=$rc: $(short "$err")"; fi
fi

t_begin "an address it cannot listen on is refused by name, and the served socket goes"
new_rundir
run "$EXAMPLE" --sim s0 0 256.0.0.1:80
if [ "$rc" = 1 ] && grep -q '256.0.0.1:80: not an \[ADDR:\]PORT' <<<"$err" &&
   [ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]
then t_pass; else t_fail "rc=$rc, RUNDIR: $(ls -A "$ZCRXCTL_RUNDIR"): $(short "$err")"; fi

t_begin "an ifq the device refuses: one line naming DEV and QUEUE once, exit 1, nothing served"
new_rundir
run "$EXAMPLE" nosuch0 0 127.0.0.1:0
if [ "$rc" = 1 ] && [ "$(grep -c . <<<"$err")" = 1 ] &&
   [ "$(grep -o 'nosuch0 queue 0' <<<"$err" | grep -c .)" = 1 ] &&
   grep -q '^.*zcrx_recv: cannot open an ifq: .*no interface named nosuch0' <<<"$err" &&
   [ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]
then t_pass; else t_fail "rc=$rc: $(short "$err")"; fi

example_path simulated --sim s0 0

t_done
