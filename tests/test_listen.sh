#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The traffic sink: watch --listen receives real TCP connections zero-copy
# through the ifq (the simulator's NIC reads the socket into area buffers),
# and --hold / --consume-delay starve the queue on purpose.  Synthetic
# traffic is off (--sim-rate 0), so every byte counted came over TCP.
. "$(dirname "$0")/lib_session.sh"

# send PORT FILE: one TCP connection to 127.0.0.1:PORT carrying FILE
send() { timeout 10 bash -c 'cat "$2" >"/dev/tcp/127.0.0.1/$1"' _ "$1" "$2"; }

# last_stat NAME KEY: KEY of the last stats record a -j session printed
last_stat() { jq -r "select(.record == \"stats\") | .[\"$2\"]" <"$S_TMP/$1.out" | tail -n 1; }
# stats_after NAME: wait for a stats record NAME prints from now on
stats_after() {
	local n
	n=$(nrec "$S_TMP/$1.out" stats)
	wait_until 10 at_least $((n + 1)) nrec "$S_TMP/$1.out" stats
}

head -c 300000 /dev/urandom >"$S_TMP/data"

t_begin "--listen: a TCP stream arrives through the ifq, every byte counted"
new_rundir
start sink -j watch sim0 0 --sim --sim-rate 0 --listen 127.0.0.1:0 --stats-interval 100ms -t 20s
if ! wait_until 5 has_port sink; then
	t_fail "no listening line: $(f sink.err | short)"
else
	send "$(listen_port sink)" "$S_TMP/data"
	wait_until 10 grep -q 'closed' "$S_TMP/sink.err"
	# a stats record taken after the connection closed
	stats_after sink
	got=$(last_stat sink rx-bytes)
	if [ "$got" = 300000 ] && grep -q 'Connection from 127.0.0.1:[0-9]* closed' "$S_TMP/sink.err"
	then t_pass
	else t_fail "rx-bytes=$got of 300000: $(f sink.err | short)"; fi

	t_begin "--listen: without --hold every buffer goes back once the stream ends"
	if [ "$(last_stat sink held)" = 0 ]; then t_pass
	else t_fail "held=$(last_stat sink held) after the connection closed"; fi
fi
stop "$pid"

# No cap on receives per ifq: a library that tracked 8 refused the ninth.
# Each client connects, sends, and holds its connection open until all 12
# are in, so the 12 receives are in flight at once.
t_begin "--listen: 12 connections at once, every one received"
new_rundir
head -c 20000 /dev/urandom >"$S_TMP/small"
start many -j watch sim0 0 --sim --sim-rate 0 --listen 127.0.0.1:0 --stats-interval 100ms -t 20s
if ! wait_until 5 has_port many; then
	t_fail "no listening line: $(f many.err | short)"
else
	port=$(listen_port many)
	: >"$S_TMP/go"
	for i in $(seq 12); do
		timeout 15 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && cat "$2" >&3 &&
			while [ -e "$3" ]; do sleep 0.05; done' _ "$port" "$S_TMP/small" "$S_TMP/go" &
	done
	wait_until 5 at_least 12 grep -c 'Receiving from' "$S_TMP/many.err"
	open=$(grep -c 'Receiving from' "$S_TMP/many.err")
	rm -f "$S_TMP/go"
	wait_until 10 at_least 12 grep -c 'closed' "$S_TMP/many.err"
	stats_after many
	got=$(last_stat many rx-bytes)
	if [ "$open" = 12 ] && [ "$got" = 240000 ] && ! grep -q 'Refused' "$S_TMP/many.err"
	then t_pass
	else t_fail "open=$open rx-bytes=$got of 240000: $(f many.err | short)"; fi
fi
stop "$pid"
wait

# 512K area: 128 buffers, 64 of them posted to the RX ring, 64 free
t_begin "--hold keeps buffers from the queue: alloc-fail fires, held is reported"
new_rundir
start hold -j watch sim0 0 --sim --sim-rate 0 --area-size 512K --listen 127.0.0.1:0 \
	--hold 100 -c 1 -t 20s
if ! wait_until 5 has_port hold; then
	t_fail "no listening line: $(f hold.err | short)"
else
	send "$(listen_port hold)" "$S_TMP/data"
	wait_exit "$pid" 10
	ev=$(jq -c 'select(.record == "event")' <"$S_TMP/hold.out")
	if [ "$rc" = 0 ] && jqe '.event == "alloc-fail" and .held >= 64 and .simulated' <<<"$ev"; then
		t_pass
	else
		t_fail "rc=$rc event=$(short "$ev") $(f hold.err | short)"
	fi
fi
stop "$pid"

t_begin "--consume-delay holds each buffer: a burst starves the queue"
new_rundir
start slow -j watch sim0 0 --sim --sim-rate 0 --area-size 512K --listen 127.0.0.1:0 \
	--consume-delay 5s -c 1 -t 20s
if ! wait_until 5 has_port slow; then
	t_fail "no listening line: $(f slow.err | short)"
else
	send "$(listen_port slow)" "$S_TMP/data"
	wait_exit "$pid" 10
	if [ "$rc" = 0 ] && [ "$(jq -r 'select(.record == "event") | .event' <"$S_TMP/slow.out")" = alloc-fail ]
	then t_pass
	else t_fail "rc=$rc $(f slow.out | short) $(f slow.err | short)"; fi
fi
stop "$pid"

t_done
