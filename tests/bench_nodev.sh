#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench's optional row, run in the VM tier's 7.2 guest by bench/nodev.sh
# (never by `make check`): syscalls per buffer of the real NODEV data path.
# A `watch --nodev --listen` session receives N and then 2N bytes of
# loopback TCP, each under tests/helpers/sysc (strace -c for a guest
# without strace); the figure is (io_uring_enter of 2N - of N) over (buffers
# of 2N - of N), the buffers from the session's last stats record.  It
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

# one BYTES: sets E (io_uring_enter), T (all syscalls), B (buffers)
one() {
	local n=$1 out=$S_TMP/w$1 p port i
	"$SYSC" "$out.sc" env --default-signal=INT,PIPE "$ZCRXCTL" -j watch --nodev n$n 0 --listen 127.0.0.1:0 \
		--stats-interval 500ms -t 300s >"$out.out" 2>"$out.err" &
	p=$!
	for ((i = 0; i < 600; i++)); do
		port=$(grep -o 'Receiving TCP connections on 127\.0\.0\.1:[0-9]*' "$out.err" | sed 's/.*://')
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { kill -INT $p; wait $p; echo "no listening line: $(tail -n 2 "$out.err")"; return 1; }
	timeout 120 bash -c 'head -c "$2" /dev/zero >"/dev/tcp/127.0.0.1/$1"' _ "$port" "$n"
	for ((i = 0; i < 1200; i++)); do
		B=$(jq -r 'select(.record == "stats") | "\(.["rx-bytes"]) \(.["rx-buffers"])"' "$out.out" 2>/dev/null |
			awk -v n="$n" '$1 >= n { print $2 }' | tail -n 1)
		[ -n "$B" ] && break
		sleep 0.1
	done
	kill -INT $p
	wait $p
	[ -n "$B" ] || { echo "the stats never reached $n bytes: $(tail -n 2 "$out.err")"; return 1; }
	E=$(awk -v nr=$NR_ENTER '$1 == nr { print $2 }' "$out.sc")
	T=$(awk '{ s += $2 } END { print s + 0 }' "$out.sc")
}

one "$BYTES" >"$S_TMP/why" || { t_fail "$(cat "$S_TMP/why")"; t_done; }
e1=$E t1=$T b1=$B
one $((2 * BYTES)) >"$S_TMP/why" || { t_fail "$(cat "$S_TMP/why")"; t_done; }
e2=$E t2=$T b2=$B
if [ "$b2" -le "$b1" ]; then t_fail "no more buffers for more bytes ($b1, $b2)"; t_done; fi
t_pass_note=$(awk -v e1="$e1" -v e2="$e2" -v t1="$t1" -v t2="$t2" -v b1="$b1" -v b2="$b2" \
	'BEGIN { printf "enter/buffer %.4f syscalls/buffer %.4f (enters %d/%d, syscalls %d/%d, buffers %d/%d)",
		(e2 - e1) / (b2 - b1), (t2 - t1) / (b2 - b1), e1, e2, t1, t2, b1, b2 }')
_t_name="NODEV data path on $(uname -r): $t_pass_note"
t_pass
t_done
