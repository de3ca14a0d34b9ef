#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Growing a live ifq (ZCRX_CTRL_ADD_AREA, Linux 7.3) on the simulator's 7.3
# kernel (--sim-kernel 7.3): `zcrxctl grow` through the session, the new
# area taking data (status: area-rx-buffers), watch --auto-grow on alloc-fail
# up to MAX with grow records (to subscribers too), and the refusals: a 7.2
# kernel (grow and --auto-grow: exit 3), bad SIZE, no session; a manual grow
# is a grow record (by=grow) on the watch's output and to subscribers.
# The real kernel's side is tests/test_vm_grow.sh (VM tier, 7.3).
. "$(dirname "$0")/lib_session.sh"

t_plan 14

zc() { timeout 10 env --default-signal=INT,PIPE "$ZCRXCTL" "$@"; }
# rx_in_area N: the sim0 0 session has had data in area N
rx_in_area() { zc -j status sim0 0 2>/dev/null | jqe --argjson n "$1" '.[0]["area-rx-buffers"][$n] > 0'; }

# --- zcrxctl grow ----------------------------------------------------------------
new_rundir
# 16 buffers, all kept by the consumer: the queue starves until it grows
start g1 bind sim0 0 "${STARVE[@]}" --sim-kernel 7.3
has_sock sim0 0

t_begin "grow adds an area through the session: exit 0, one line naming area 1 and the new total"
run zc grow sim0 0 64K
if [ "$rc" = 0 ] && one_line "$out" &&
	grep -q 'area-id=1 size=65536 areas=2 area-size=131072 mode=sim sim=yes$' <<<"$out"
then t_pass; else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "grow -j: area-id 2, size, areas 3 and area-size the sum of all three"
run zc -j grow sim0 0 4K
if [ "$rc" = 0 ] && jqe '.["area-id"] == 2 and .size == 4096 and .areas == 3 and
	.["area-size"] == 135168 and .dev == "sim0" and .queue == 0 and .mode == "sim" and
	.simulated' <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "the starved queue's data lands in the new area: status counts buffers of area 1"
if wait_until 5 rx_in_area 1 &&
	zc status sim0 0 | grep -qE 'areas=3 area-size=132K area-rx-buffers=[0-9]+,[1-9]'; then t_pass
else t_fail "$(zc status sim0 0 2>&1 | short)"; fi
stop "$pid"

t_begin "grow on a 7.2 kernel is refused: exit 3, one line naming Linux 7.3 and --area-size"
new_rundir
start g2 bind sim0 0 --sim
has_sock sim0 0
run zc grow sim0 0 64K
if [ "$rc" = 3 ] && one_line "$err" && grep -q 'cannot add an area.*needs Linux 7.3' <<<"$err" &&
	grep -q 'restart the session with a larger --area-size$' <<<"$err" && ! grep -q area_size <<<"$err" &&
	[ -z "$out" ]; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi
stop "$pid"

t_begin "grow SIZE that is not a multiple of the page, or no SIZE: exit 64 naming SIZE"
run zc grow sim0 0 5000
r1=$rc e1=$err
run zc grow sim0 0
if [ "$r1" = 64 ] && grep -q "SIZE must be a multiple of the page size.*'5000'" <<<"$e1" &&
	[ "$rc" = 64 ] && grep -q 'missing SIZE' <<<"$err"; then t_pass
else t_fail "5000: rc=$r1 $(short "$e1"); none: rc=$rc $(short "$err")"; fi

t_begin "grow SIZE with a suffix other than K, M or G: exit 64 naming the suffixes, not the page"
run zc grow sim0 0 1T
if [ "$rc" = 64 ] && grep -q "SIZE must be a number of bytes, or of K, M or G.*'1T'" <<<"$err" &&
	! grep -q 'page size' <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "grow with no session on the queue: exit 1, one line saying how to start one"
run zc grow sim0 7 64K
if [ "$rc" = 1 ] && one_line "$err" && grep -q 'no session owns sim0 queue 7' <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "a manual grow is a grow record by=grow on the watch's output and to a subscriber"
new_rundir
start w0 -j watch sim0 0 --sim --sim-kernel 7.3
ready w0
w0=$pid
start w0-sub subscribe sim0 0 -t 30s
subscribed w0-sub
run zc grow sim0 0 64K
gr=$rc
if [ "$gr" = 0 ] && wait_until 5 grep -q '^grow .* by=grow stopped=no area-id=1 size=65536 areas=2 ' "$S_TMP/w0-sub.out" &&
	wait_until 5 at_least 1 nrec "$S_TMP/w0.out" grow &&
	jq -e -s 'map(select(.record == "grow"))[0] | .by == "grow" and .["area-id"] == 1 and
		.size == 65536 and .areas == 2' "$S_TMP/w0.out" >/dev/null; then t_pass
else t_fail "grow rc=$gr watch: $(short "$(f w0.out)") sub: $(short "$(f w0-sub.out)")"; fi

t_begin "a manual grow the session cannot map (1P) is refused saying SIZE, not the library's area_size"
run zc grow sim0 0 1048576G
if [ "$rc" = 1 ] && one_line "$err" && grep -q 'got ENOMEM: give a smaller SIZE$' <<<"$err" &&
	! grep -q area_size <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi
stop "$w0"

# --- watch --auto-grow -------------------------------------------------------------
new_rundir
start w1 -j watch sim0 0 "${STARVE[@]}" --sim-kernel 7.3 --sim-rate 200 --auto-grow 8K,96K -t 4

t_begin "watch --auto-grow adds an area of SIZE on each alloc-fail: grow records, area ids 1, 2, ..."
wait_exit "$pid" 10
ids=$(jq -c 'select(.record == "grow" and .stopped == false) | .["area-id"]' "$S_TMP/w1.out" 2>/dev/null | tr '\n' ' ')
if [ "$ids" = "1 2 3 4 " ] && jq -se 'any(.[]; .record == "grow" and .["area-id"] == 4 and
	.by == "alloc-fail" and .size == 8192 and .areas == 5 and .["area-size"] == 98304)' \
	"$S_TMP/w1.out" >/dev/null 2>&1; then t_pass
else t_fail "area ids '$ids' rc=$rc $(f w1.err | short)"; fi

t_begin "at MAX it says so once in a stopped grow record and grows no more"
if [ "$(nrec "$S_TMP/w1.out" grow)" = 5 ] && jq -se 'any(.[]; .record == "grow" and .stopped and
	(.error | test("would pass --auto-grow MAX \\(98304 bytes\\)")) and .areas == 5)' \
	"$S_TMP/w1.out" >/dev/null 2>&1 && [ "$(jq -c 'select(.stopped)' "$S_TMP/w1.out" | grep -c .)" = 1 ]
then t_pass
else t_fail "$(jq -c 'select(.record == "grow")' "$S_TMP/w1.out" 2>&1 | short)"; fi

t_begin "a subscriber gets the grow records too, in text"
new_rundir
start w2 bind sim0 0 --sim --area-size 64K --sim-consumer hold:100 --sim-kernel 7.3 --sim-rate 10 \
	--auto-grow 8K,96K
has_sock sim0 0
run zc subscribe sim0 0 -t 4
if grep -qE '^grow .*dev=sim0 queue=0 by=alloc-fail stopped=no area-id=[1-4] size=8192 areas=[2-5]' <<<"$out" &&
	grep -qE '^grow .*stopped=yes error=".*MAX' <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi
stop "$pid"

t_begin "--auto-grow on a 7.2 kernel is refused before binding: exit 3 as grow's, one line, no socket left"
new_rundir
run zc watch sim0 0 --sim --auto-grow 8K -t 1
if [ "$rc" = 3 ] && one_line "$err" && grep -q -- '--auto-grow on sim0 queue 0: .*cannot add areas.*drop --auto-grow' <<<"$err" &&
	[ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]; then t_pass
else t_fail "rc=$rc err=$(short "$err") rundir: $(ls -A "$ZCRXCTL_RUNDIR")"; fi

t_begin "--auto-grow with a bad SIZE or a MAX with no room: exit 64 naming it"
run zc watch sim0 0 --sim --sim-kernel 7.3 --auto-grow 5000
r1=$rc e1=$err
run zc watch sim0 0 --sim --sim-kernel 7.3 --area-size 64K --auto-grow 64K,100K
if [ "$r1" = 64 ] && grep -q -- "--auto-grow.*5000" <<<"$e1" && [ "$rc" = 64 ] &&
	grep -q 'MAX leaves no room' <<<"$err"; then t_pass
else t_fail "5000: rc=$r1 $(short "$e1"); 64K,100K: rc=$rc $(short "$err")"; fi

t_done
