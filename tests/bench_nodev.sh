#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench's optional row, run in the VM tier's 7.2 guest by bench/nodev.sh
# (never by `make check`): syscalls per buffer of the real NODEV data path.
# One `watch --nodev --listen` session under tests/helpers/sysc (strace -c
# for a guest without strace) receives N and then 2N bytes of loopback TCP,
# each on a connection of its own; the syscall counts are snapshotted before
# and after each (once the session's stats record shows every byte).  The
# figure is (io_uring_enter of the 2N window - of the N window) over the
# difference of their buffers, so what each window pays once cancels.  It
# prints one TAP line whose name carries the figures.
. "$(dirname "$0")/lib_session.sh"

t_plan 1
BYTES=${BENCH_NODEV_BYTES:-8388608}
SYSC=$TOP/tests/helpers/sysc
NR_ENTER=426	# io_uring_enter, x86_64
kernel_zcrx

t_begin "NODEV data path syscalls per buffer"
if [ "$nodev" != yes ]; then t_skip "$nodev"; t_done; fi
if ! have_root; then t_skip "registering an ifq needs root"; t_done; fi
[ -x "$SYSC" ] || { t_fail "$SYSC is not built"; t_done; }

w=$S_TMP/w
# snap N: the counts so far, sysc's Nth snapshot ($w.sc.N)
snap() {
	local i
	kill -USR2 "$p"
	for ((i = 0; i < 300; i++)); do [ -e "$w.sc.$1.done" ] && return 0; sleep 0.1; done
	return 1
}
# window N BYTES TOTAL: send BYTES, until the stats show TOTAL bytes, snapshot N
window() {
	local i b
	timeout 120 bash -c 'head -c "$2" /dev/zero >"/dev/tcp/127.0.0.1/$1"' _ "$port" "$2"
	for ((i = 0; i < 1200; i++)); do
		b=$(jq -r 'select(.record == "stats") | "\(.["rx-bytes"]) \(.["rx-buffers"])"' "$w.out" \
			2>/dev/null | awk -v n="$3" '$1 >= n { print $2 }' | tail -n 1)
		[ -n "$b" ] && break
		sleep 0.1
	done
	[ -n "$b" ] || { echo "the stats never reached $3 bytes: $(tail -n 2 "$w.err")"; return 1; }
	echo "$b" >"$w.b.$1"
	snap "$1" || { echo "no snapshot $1 from sysc"; return 1; }
}
enters() { awk -v nr=$NR_ENTER '$1 == nr { print $2; f = 1 } END { if (!f) print 0 }' "$w.sc.$1"; }
calls() { awk '{ s += $2 } END { print s + 0 }' "$w.sc.$1"; }

"$SYSC" "$w.sc" env --default-signal=INT,PIPE "$ZCRXCTL" -j watch --nodev n0 0 \
	--listen 127.0.0.1:0 --stats-interval 1s -t 600s >"$w.out" 2>"$w.err" &
p=$!
for ((i = 0; i < 600; i++)); do
	port=$(grep -o 'Receiving TCP connections on 127\.0\.0\.1:[0-9]*' "$w.err" | sed 's/.*://')
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -z "$port" ]; then
	kill -INT $p; wait $p
	t_fail "no listening line: $(tail -n 2 "$w.err")"
	t_done
fi
ok=1
echo 0 >"$w.b.1"
echo "no first snapshot from sysc" >"$S_TMP/why"
snap 1 && window 2 "$BYTES" "$BYTES" >"$S_TMP/why" &&
	window 3 $((2 * BYTES)) $((3 * BYTES)) >"$S_TMP/why" || ok=0
kill -INT $p
wait $p
[ $ok = 1 ] || { t_fail "$(cat "$S_TMP/why")"; t_done; }
e1=$(($(enters 2) - $(enters 1))) e2=$(($(enters 3) - $(enters 2)))
t1=$(($(calls 2) - $(calls 1))) t2=$(($(calls 3) - $(calls 2)))
b1=$(($(cat "$w.b.2") - $(cat "$w.b.1"))) b2=$(($(cat "$w.b.3") - $(cat "$w.b.2")))
if [ "$b2" -le "$b1" ]; then t_fail "no more buffers for more bytes ($b1, $b2)"; t_done; fi
note=$(awk -v e1="$e1" -v e2="$e2" -v t1="$t1" -v t2="$t2" -v b1="$b1" -v b2="$b2" \
	'BEGIN { printf "enter/buffer %.4f syscalls/buffer %.4f (enters %d/%d, syscalls %d/%d, buffers %d/%d)",
		(e2 - e1) / (b2 - b1), (t2 - t1) / (b2 - b1), e1, e2, t1, t2, b1, b2 }')
_t_name="NODEV data path on $(uname -r): $note"
t_pass
t_done
