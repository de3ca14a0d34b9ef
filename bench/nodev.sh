#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The optional row: syscalls per buffer of the real NODEV data path (how
# many io_uring_enter a received buffer costs: one per batch is the aim),
# measured in the VM tier's 7.2 guest by tests/bench_nodev.sh.  Skipped,
# with the reason, where there is no QEMU or no cached 7.2 kernel, with
# BENCH_VM=0, and in BENCH_QUICK=1 runs unless BENCH_VM=1.  About a minute
# of TCG when it runs; the figure moves by some 20% from run to run, with
# how many CQEs each wake-up finds there.
. "$(dirname "$0")/lib.sh"

NAME="NODEV data path on Linux 7.2 (VM), syscalls per buffer"
GOAL="(no goal: one io_uring_enter per batch)"
cache=${ZCRX_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcrxctl-vm}
why=
if [ "${BENCH_VM:-1}" = 0 ]; then
	why="skipped: BENCH_VM=0"
elif [ "$QUICK" = 1 ] && [ "${BENCH_VM:-}" != 1 ]; then
	why="skipped: BENCH_QUICK=1 boots no VM (BENCH_VM=1 does)"
elif ! have qemu-system-x86_64; then
	why="skipped: no qemu-system-x86_64 here"
elif ! ls -d "$cache"/kernels/7.2.* >/dev/null 2>&1; then
	why="skipped: no 7.2 kernel in $cache (make check-vm fetches it)"
elif [ ! -x tests/helpers/sysc ]; then
	why="skipped: tests/helpers/sysc is not built (make bench builds it)"
fi
if [ -n "$why" ]; then
	row "$NAME" - - - "$GOAL" "$why"
	exit 0
fi

echo tests/bench_nodev.sh >"$BENCH_TMP/vm.list"
# run.sh's own timeout first, so a hung guest is said, not cut short
vm_timeout=${ZCRX_VM_TIMEOUT:-600}
ZCRX_VM_SERIES=7.2 ZCRX_VM_LIST=$BENCH_TMP/vm.list ZCRX_VM_CMD_TIMEOUT=${ZCRX_VM_CMD_TIMEOUT:-300} \
	ZCRX_VM_TIMEOUT=$vm_timeout timeout $((vm_timeout + 60)) bash tests/vm/run.sh >"$BENCH_TMP/vm.out" 2>&1
line=$(grep -m1 'NODEV data path' "$BENCH_TMP/vm.out")
case $line in
ok*"enter/buffer"*)
	enter=$(sed 's/.*enter\/buffer \([0-9.]*\).*/\1/' <<<"$line")
	all=$(sed 's/.*syscalls\/buffer \([0-9.]*\).*/\1/' <<<"$line")
	note "${line#*- }"
	row "$NAME" - - "$enter io_uring_enter, $all syscalls in all (${line##*(}" "$GOAL" -
	;;
*"# SKIP"*)
	row "$NAME" - - - "$GOAL" "skipped: ${line##*# SKIP }"
	;;
*)
	note "the VM gave no figure:"
	grep -E 'not ok|vm [0-9]|SKIP' "$BENCH_TMP/vm.out" | head -n 5 >&2
	exit 1
	;;
esac
