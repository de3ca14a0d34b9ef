#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A session that always answers (issue 11 items 1 and 4).
#
# Storm: the issue's storm command (a simulated queue starving at
# --sim-rate 1000000, re-armed with no holdoff) must answer `status` and end
# on SIGTERM or SIGINT within 100 ms.  Timing is the issue's own bound, but a
# loaded machine (the suite runs beside other work) can stall any process for
# a while: each figure is measured 5 times, and a case passes when the
# median is <= 100 ms and the worst <= 500 ms.  A session that does not
# answer at all is cut off by timeouts (2 s for status, 3 s for an exit,
# then SIGKILL), so a starved session fails the case instead of hanging it.
# The simulator now paces its wake-ups (lib/sim/sim_rx.c), and on the
# machine this was written on the storm command ran at about 1000 events/s
# and 2% CPU, so these three cases passed before the reactor fix too: they
# hold the issue's figures, while tests/unit/test_loop_storm shows the
# reactor's fairness itself, deterministically, under a CQ that never runs
# dry (the old loop failed it).
#
# Limits: a connection that sends no request is closed after 1 s, and idle
# connections or 64 subscribers never lock out arm and status.
. "$(dirname "$0")/lib_session.sh"

t_plan 7

TRIES=5
STORM=(watch --sim sim0 0 --sim-rate 1000000 --area-size 64K --sim-consumer hold:16
	--rearm=auto --holdoff 0)

zc() { timeout 10 env --default-signal=INT,PIPE "$ZCRXCTL" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# gone PID: ended (or a zombie), read without forking
gone() {
	local st
	{ read -r st </proc/"$1"/stat; } 2>/dev/null || return 0
	[[ $st == *") Z "* ]]
}
# judge NAME MS...: median <= 100 and worst <= 500; $why says the figures
judge() {
	local name=$1 sorted
	shift
	sorted=($(printf '%s\n' "$@" | sort -n))
	why="$name ms: $* (median ${sorted[$(($# / 2))]}, worst ${sorted[$(($# - 1))]})"
	[ "${sorted[$(($# / 2))]}" -le 100 ] && [ "${sorted[$(($# - 1))]}" -le 500 ]
}
# fired N: the storm session's status counts at least N alloc-fail events
fired() {
	local n
	n=$(timeout 2 "$ZCRXCTL" -j status sim0 0 2>/dev/null |
		jq -r '.[0].types["alloc-fail"].count // 0' 2>/dev/null)
	[ "${n:-0}" -ge "$1" ] 2>/dev/null
}
# storm NAME: start the storm command as NAME, wait until it is up and firing
storm() {
	start "$1" "${STORM[@]}"
	ready "$1" && has_sock sim0 0 && { wait_until 3 fired 50 || true; }
}
# exit_ms SIG PID: send SIG; $ms: the ms until PID ended (9999: it did not
# within 3 s, and was killed), $rc its status
exit_ms() {
	local t0 t
	t0=$(now_ms)
	kill -"$1" "$2"
	while ! gone "$2"; do
		t=$(now_ms)
		if [ $((t - t0)) -gt 3000 ]; then
			kill -KILL "$2" 2>/dev/null
			{ wait "$2"; } 2>/dev/null
			rc=124 ms=9999
			return
		fi
		sleep 0.002
	done
	t=$(now_ms)
	{ wait "$2"; } 2>/dev/null
	rc=$? ms=$((t - t0))
}

# --- item 1: the storm --------------------------------------------------------
new_rundir
t_begin "storm: status answers within 100 ms ($TRIES tries)"
if ! storm st0; then
	t_fail "the storm session did not come up: $(short "$(f st0.err)")"
else
	ms=() bad=
	for ((i = 0; i < TRIES; i++)); do
		t0=$(now_ms)
		out=$(timeout 2 "$ZCRXCTL" status sim0 0 2>&1) || bad="status failed: $(short "$out")"
		ms+=($(($(now_ms) - t0)))
	done
	if [ -z "$bad" ] && judge status "${ms[@]}"; then t_pass; else t_fail "$bad $why"; fi
	echo "# $why"
fi
stop "$pid"

for sig in TERM INT; do
	t_begin "storm: SIG$sig ends the session within 100 ms, status 0 ($TRIES tries)"
	all=() bad=
	for ((i = 0; i < TRIES; i++)); do
		new_rundir
		if ! storm "s$sig$i"; then
			bad="the storm session did not come up: $(short "$(f "s$sig$i.err")")"
			stop "$pid"
			break
		fi
		exit_ms "$sig" "$pid"
		all+=("$ms")
		[ "$rc" = 0 ] || bad="$bad exit $rc;"
	done
	if [ -z "$bad" ] && judge "SIG$sig" "${all[@]}"; then t_pass; else t_fail "$bad $why"; fi
	echo "# $why"
done

# --- item 4: the client table ---------------------------------------------------
new_rundir
start lim watch sim0 7 "${STARVE[@]}" --rearm=manual
lim=$pid
S7=$(sock sim0 7)
# conns: connections the session holds on its socket (ss lists its end by path)
conns() { ss -xHn state connected 2>/dev/null | awk -v p="$S7" '$4 == p' | grep -c .; }
# usock_bg NAME ARGS...: a raw client in the background, output in $S_TMP/NAME.out
usock_bg() {
	local name=$1
	shift
	"$USOCK" "$@" >"$S_TMP/$name.out" 2>&1 &
	_s_pids+=($!)
	echo $!
}

t_begin "a connection that sends no request is closed after 1 s"
if ! ready lim; then
	t_fail "the session did not come up: $(short "$(f lim.err)")"
else
	t0=$(now_ms)
	timeout 10 "$USOCK" -t 5000 "$S7" >/dev/null 2>&1
	rc=$? el=$(($(now_ms) - t0))
	# 0: the session closed it (EOF); 2: still open at usock's 5 s timeout
	if [ "$rc" = 0 ] && [ "$el" -ge 900 ] && [ "$el" -lt 4000 ]; then t_pass
	else t_fail "usock exit $rc after $el ms (0 after ~1000 ms wanted)"; fi
fi

t_begin "70 idle connections: status and arm still find room"
idle=()
for ((i = 0; i < 70; i++)); do idle+=($(usock_bg "idle$i" -t 8000 "$S7")); done
wait_until 3 at_least 64 conns
st=$(zc status sim0 7 2>&1); st_rc=$?
ar=$(zc arm sim0 7 2>&1); ar_rc=$?
# arm: 0 re-armed, 4 nothing fired yet; either way it was served
if [ "$st_rc" = 0 ] && { [ "$ar_rc" = 0 ] || [ "$ar_rc" = 4 ]; } && ! grep -q "already serves" <<<"$st$ar"
then t_pass
else t_fail "status $st_rc: $(short "$st"); arm $ar_rc: $(short "$ar")"; fi
for p in "${idle[@]}"; do kill "$p" 2>/dev/null; { wait "$p"; } 2>/dev/null; done

t_begin "64 subscribers: status and arm still find room"
subs=()
for ((i = 0; i < 64; i++)); do
	subs+=($(usock_bg "sub$i" -t 20000 "$S7" '{"v":1,"cmd":"subscribe"}'))
done
# each subscriber has its ok line
subscribed() {
	local i
	for ((i = 0; i < 64; i++)); do grep -q '"ok":true' "$S_TMP/sub$i.out" || return 1; done
}
if ! wait_until 10 subscribed; then
	t_fail "the 64 subscribers did not all get their ok: $(short "$(cat "$S_TMP"/sub*.out | sort | uniq -c)")"
else
	st=$(zc status sim0 7 2>&1); st_rc=$?
	ar=$(zc arm sim0 7 2>&1); ar_rc=$?
	if [ "$st_rc" = 0 ] && { [ "$ar_rc" = 0 ] || [ "$ar_rc" = 4 ]; } && ! grep -q "already serves" <<<"$st$ar"
	then t_pass
	else t_fail "status $st_rc: $(short "$st"); arm $ar_rc: $(short "$ar")"; fi
fi

t_begin "a 65th subscriber is refused, naming the limit"
out=$(timeout 10 "$USOCK" -n 1 -t 5000 "$S7" '{"v":1,"cmd":"subscribe"}' 2>&1)
if grep -q '"ok":false' <<<"$out" && grep -q "already serves 64 subscribers" <<<"$out"; then t_pass
else t_fail "reply: $(short "$out")"; fi
for p in "${subs[@]}"; do kill "$p" 2>/dev/null; { wait "$p"; } 2>/dev/null; done
stop "$lim"

t_done
