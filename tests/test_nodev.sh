#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# NODEV sessions on the real kernel: `watch --nodev` receives real TCP through
# a NIC-less ifq (Linux 7.1+), prints the kernel's copy event (7.2+), `arm`
# from another process re-arms it, and the stats equal the bytes sent.  A
# case about what this kernel lacks is not run (t_na: a kernel without NODEV,
# as this project's 6.18 machines, runs only the refusals); the VM tier of
# `make check` runs this on Debian's kernels.
. "$(dirname "$0")/lib_session.sh"

# send PORT N: one TCP connection to 127.0.0.1:PORT carrying N zero bytes
send() { timeout 10 bash -c 'head -c "$2" /dev/zero >"/dev/tcp/127.0.0.1/$1"' _ "$1" "$2"; }
events() { jq -c 'select(.record == "event")' <"$S_TMP/$1.out" 2>/dev/null | wc -l; }
has_events() { [ "$(events "$1")" -ge "$2" ]; }
# needs nodev|events: true when this case can run here; else it is not
# counted (t_na) on a kernel it does not apply to, a skip without root, and
# false
needs() {
	local why=$nodev
	[ "$1" = events ] && why=$events
	if [ "$why" != yes ]; then t_na "$why"; return 1; fi
	if ! have_root; then t_skip "registering an ifq needs root (CAP_NET_ADMIN)"; return 1; fi
}
# watching: the cases after the first watch need it, and it still running
watching() {
	needs events || return 1
	if ! alive "${pid:-0}"; then t_fail "the watch above is gone: $(f w.err | short)"; return 1; fi
}
# session KEY-FILTER: jq test on the one session `status n0 0 -j` reports
session() { "$ZCRXCTL" -j status n0 0 | jq -e "(if type == \"array\" then .[0] else . end) | $1" >/dev/null; }

kernel_zcrx

t_begin "watch --nodev without --listen is refused: nothing could feed the ifq"
run "$ZCRXCTL" watch --nodev n0 0
if [ "$rc" = 64 ] && grep -q 'needs --listen' <<<"$err"; then t_pass
else t_fail "rc=$rc: $err"; fi

t_begin "--nodev --events alloc-fail is refused: a NODEV ifq never raises it"
run "$ZCRXCTL" watch --nodev n0 0 --listen 0 --events alloc-fail,copy
if [ "$rc" = 64 ] && grep -q 'never fires' <<<"$err"; then t_pass
else t_fail "rc=$rc: $err"; fi

t_begin "--nodev and --sim together are refused"
run "$ZCRXCTL" bind --nodev --sim n0 0 --check
if [ "$rc" = 64 ] && grep -q 'cannot be combined' <<<"$err"; then t_pass
else t_fail "rc=$rc: $err"; fi

t_begin "bind --nodev on a kernel without NODEV is refused, naming Linux 7.1"
if [ "$nodev" = yes ]; then
	t_na "kernel $(uname -r) has NODEV: nothing to refuse"
elif ! have_root; then
	t_skip "registering an ifq needs root (CAP_NET_ADMIN)"
else
	run "$ZCRXCTL" bind --nodev n0 0 --check
	if [ "$rc" = 1 ] && grep -q 'Linux 7.1' <<<"$err"; then t_pass
	else t_fail "rc=$rc: $err"; fi
fi

t_begin "bind --nodev --check: a NIC-less ifq binds and is released"
if needs nodev; then
	run "$ZCRXCTL" -j bind --nodev n0 3 --check
	if [ "$rc" = 0 ] && jq -e '.released and .mode == "nodev" and .queue == 3' <<<"$out" >/dev/null
	then t_pass; else t_fail "rc=$rc: $out $err"; fi
fi

t_begin "watch --nodev: data over TCP fires the kernel's copy event, said as nodev, with its stats"
if needs events; then
	new_rundir
	start w -j watch --nodev n0 0 --listen 127.0.0.1:0 -t 60s
	if ! wait_until 10 has_port w; then
		t_fail "no listening line: $(f w.err | short)"
	else
		port=$(listen_port w)
		send "$port" 20000
		if grep -q 'Watching n0 queue 0 (zcrx_id [0-9]*): copy$' "$S_TMP/w.err" &&
		   wait_until 10 has_events w 1 &&
		   jq -e 'select(.record == "event") | .event == "copy" and .mode == "nodev" and
			  .simulated == false and .latched and .["copy-bytes"] > 0' \
			  "$S_TMP/w.out" >/dev/null
		then t_pass
		else t_fail "$(f w.out | short) $(f w.err | short)"; fi
	fi
fi

t_begin "latched: more data, no second copy event before arm"
if watching; then
	send "$port" 30000
	wait_until 10 session '.["copy-bytes"] == 50000'
	if [ "$(events w)" = 1 ]; then t_pass; else t_fail "$(events w) events"; fi
fi

t_begin "arm n0 0 alloc-fail exits 4: NODEV never raises alloc-fail"
if watching; then
	run "$ZCRXCTL" arm n0 0 alloc-fail
	if [ "$rc" = 4 ] && grep -q 'no page pool' <<<"$err"; then t_pass
	else t_fail "rc=$rc: $err"; fi
fi

t_begin "arm n0 0 copy from another process re-arms, and the next data fires again"
if watching; then
	run "$ZCRXCTL" arm n0 0 copy
	arm_rc=$rc arm_out=$out
	send "$port" 4096
	if [ "$arm_rc" = 0 ] && grep -q 'armed type=copy dev=n0 queue=0 mode=nodev' <<<"$arm_out" &&
	   wait_until 10 has_events w 2
	then t_pass
	else t_fail "arm rc=$arm_rc ($arm_out), $(events w) events"; fi
fi

t_begin "the session's copy-bytes equal the bytes sent (20000 + 30000 + 4096)"
if watching; then
	if wait_until 10 session '.["copy-bytes"] == 54096 and .mode == "nodev" and .["copy-count"] > 0'
	then t_pass; else t_fail "$("$ZCRXCTL" -j status n0 0)"; fi
fi

t_begin "a NODEV session ends on SIGTERM with its summary, and leaves no socket"
if watching; then
	kill -TERM "$pid"
	wait_exit "$pid" 10
	if [ "$rc" = 0 ] && grep -q 'Watched n0 queue 0 .*copy 2.*NODEV' "$S_TMP/w.err" &&
	   [ ! -e "$(sock n0 0)" ]
	then t_pass
	else t_fail "rc=$rc: $(f w.err | short)"; fi
fi

t_begin "a refused NODEV bind blames no NIC: 8K buffers are refused as such"
if needs nodev; then
	run "$ZCRXCTL" bind --nodev n0 0 --check --rx-buf-len 8K
	if [ "$rc" = 1 ] && grep -q 'page-size buffers only' <<<"$err" && ! grep -q 'NIC' <<<"$err"
	then t_pass; else t_fail "rc=$rc: $err"; fi
fi

# 7.1 leaves a receive that ran dry mid-backlog armed and silent
# (tests/unit/test_nodev.c: test_starved_receive_is_posted_again_after_returns)
t_begin "a starved NODEV receive is posted again and counted (recv-stalls)"
if needs events; then
	new_rundir
	# 16 buffers, each held 100 ms: the receive runs dry, ends -ENOMEM, and
	# must go on once the consumer returns them
	start s -j bind --nodev n1 0 --area-size 64K --listen 127.0.0.1:0 --consume-delay 100ms
	if ! wait_until 10 grep -q '"listen"' "$S_TMP/s.out"; then
		t_fail "no binding report: $(f s.err | short)"
	else
		send "$(jq -r '.listen | sub(".*:"; "")' "$S_TMP/s.out")" 300000
		wait_until 10 grep -q 'closed' "$S_TMP/s.err"
		run "$ZCRXCTL" -j status n1 0
		if jq -e '(if type == "array" then .[0] else . end) | .["recv-stalls"] >= 1' \
			<<<"$out" >/dev/null &&
		   grep -q 'ran out of zcrx buffers' "$S_TMP/s.err"
		then t_pass
		else t_fail "$out $(f s.err | short)"; fi
	fi
	stop "$pid"
fi

n2_has() { "$ZCRXCTL" -j status n2 0 | jq -e "(if type == \"array\" then .[0] else . end) | $1" >/dev/null; }
stats_with() { jq -c "select(.record == \"stats\" and ($2))" <"$S_TMP/$1.out" 2>/dev/null | grep -q .; }
# A session that falls behind (lib_session.sh's backlog_start): more than
# 4 MiB must wait in the socket when the receive first runs to fill its
# 1024-entry CQ; 8 MiB are sent (measured: all of them wait).
t_begin "a receive stopped by a full CQ goes on: recv-overflows counted, connection kept, every byte"
if ! needs events; then
	:
elif ! command -v nsenter >/dev/null; then
	t_skip "no nsenter here to send from the session's network namespace"
else
	new_rundir
	backlog_start o -j watch --nodev n2 0 --area-size 16M --listen 127.0.0.1:0 \
		--stats-interval 200ms -t 120s
	big=$((8 << 20))
	if ! wait_until 10 has_port o; then
		t_fail "no listening line: $(f o.err | short)"
	else
		port=$(listen_port o)
		backlog_feed "$pid" "$port" "$big"
		# by the clock: under TCG each status and jq takes a while
		end=$((SECONDS + 30))
		until n2_has ".[\"copy-bytes\"] == $big" || grep -q 'closed' "$S_TMP/o.err" ||
		      [ "$SECONDS" -ge "$end" ]; do
			sleep 0.2
		done
		run "$ZCRXCTL" -j status n2 0
		if [ "$queued" -le $((4 << 20)) ]; then
			t_fail "only $queued bytes waited in the socket: not enough to fill a 1024-entry CQ"
		elif ! jqe "(if type == \"array\" then .[0] else . end) |
			    .[\"recv-overflows\"] >= 1 and .[\"copy-bytes\"] == $big" <<<"$out"; then
			t_fail "status after $queued queued bytes: $out $(f o.err | short)"
		elif ! wait_until 2 stats_with o ".[\"recv-overflows\"] >= 1 and .[\"rx-bytes\"] == $big"
		then
			t_fail "no stats record with recv-overflows >= 1 and rx-bytes $big:" \
				"$(jq -c 'select(.record == "stats")' <"$S_TMP/o.out" | tail -n 1)"
		elif grep -q 'closed' "$S_TMP/o.err"; then
			t_fail "the connection was closed: $(f o.err | short)"
		elif [ "$(grep -c 'completion queue was full' "$S_TMP/o.err")" != 1 ]; then
			t_fail "not said once: $(f o.err | short)"
		else
			echo "# $queued bytes waited; recv-overflows=$(jq '(if type == "array" then .[0] else . end) | .["recv-overflows"]' <<<"$out")"
			t_pass
		fi
		kill "$sender" 2>/dev/null
		wait "$sender" 2>/dev/null
	fi
	stop "$pid"
fi

t_done
