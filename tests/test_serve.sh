#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An application's ifq served by libzcrx (zcrx_server.h), in both ways it
# runs (on the ifq's ring; driven by the application): zcrxctl status lists
# it with its program's name and pid, subscribe sees its events, arm re-arms
# it, and it keeps a session's rules (one holder per name, a dead one's
# socket replaced, other uids and unsafe RUNDIRs refused).  The application
# is tests/helpers/serve, on the simulator.
. "$(dirname "$0")/lib_session.sh"

t_plan 19

SERVE=$TOP/tests/helpers/serve
zc() { timeout 10 env --default-signal=INT,PIPE "$ZCRXCTL" "$@"; }
# app NAME ARGS...: the serving application in the background (stdout NAME.out)
app() {
	local name=$1
	shift
	: >"$S_TMP/$name.out"
	"$SERVE" "$@" >"$S_TMP/$name.out" 2>"$S_TMP/$name.err" &
	pid=$!
	_s_pids+=("$pid")
}
serving() { wait_until 5 grep -q '^serving ' "$S_TMP/$1.out"; }

# one_mode MODE DEV PROG: the cases every way of running must pass; DEV and
# PROG as the helper takes them ("-": the ifq's own name, the default name)
one_mode() {
	local mode=$1 dev=$2 prog=$3 sdev=$2 want_prog=$3 a
	[ "$dev" = - ] && sdev=sim0
	[ "$prog" = - ] && want_prog=serve
	new_rundir
	app "$mode" "$mode" "$dev" 7 "$prog"
	a=$pid

	t_begin "$mode: status lists the application as $sdev queue 7 with prog $want_prog and its pid"
	if serving "$mode" && run zc -j status "$sdev" 7 && [ "$rc" = 0 ] &&
		jqe --argjson p "$a" --arg g "$want_prog" --arg d "$sdev" \
			'.[0] | .pid == $p and .prog == $g and .dev == $d and .queue == 7' <<<"$out" &&
		zc status | grep -q "pid=$a prog=$want_prog "; then t_pass
	else t_fail "rc=$rc out=$(short "$out") err=$(short "$err") app: $(short "$(f "$mode.err")")"; fi

	t_begin "$mode: subscribe in another process sees the application's copy event"
	start "$mode-sub" -j subscribe "$sdev" 7 -c 2 -t 8s
	s=$pid
	subscribed "$mode-sub"
	kill -USR1 "$a"
	if wait_until 5 at_least 1 nrec "$S_TMP/$mode-sub.out" &&
		jq -e -s 'map(select(.record == "event"))[0] | .event == "copy" and .count == 1 and
			.latched and ."copy-count" > 0' "$S_TMP/$mode-sub.out" >/dev/null; then t_pass
	else t_fail "records: $(short "$(f "$mode-sub.out")") err: $(short "$(f "$mode-sub.err")")"; fi

	t_begin "$mode: arm re-arms copy through the server: status armed, an armed record, copy fires again"
	run zc arm "$sdev" 7 copy
	arc=$rc
	st=$(zc -j status "$sdev" 7 | jq -r '.[0].types.copy.state')
	kill -USR1 "$a"
	wait_exit "$s" 5
	if [ "$arc" = 0 ] && [ "$st" = armed ] && [ "$rc" = 0 ] &&
		[ "$(nrec "$S_TMP/$mode-sub.out" armed)" = 1 ] &&
		jq -e -s 'map(select(.record == "event")) | length == 2 and .[1].count == 2' \
			"$S_TMP/$mode-sub.out" >/dev/null; then t_pass
	else t_fail "arm rc=$arc ($(short "$err")), state '$st', subscriber rc=$rc: $(short "$(f "$mode-sub.out")")"; fi

	t_begin "$mode: arm of a type that has not fired is refused (exit 4), the server carries on"
	run zc arm "$sdev" 7 alloc-fail
	if [ "$rc" = 4 ] && grep -q 'has not fired' <<<"$err" && zc status "$sdev" 7 >/dev/null; then t_pass
	else t_fail "rc=$rc err=$(short "$err")"; fi

	t_begin "$mode: a second server of $sdev queue 7 is refused, naming the first's pid"
	run timeout 10 "$SERVE" "$mode" "$dev" 7
	if [ "$rc" = 1 ] && grep -q "already bound by pid $a" <<<"$err" && alive "$a" &&
		zc status "$sdev" 7 >/dev/null; then t_pass
	else t_fail "rc=$rc err=$(short "$err") first alive=$(alive "$a" && echo y)"; fi

	t_begin "$mode: a client of another uid is refused by the server itself"
	if ! have_root; then t_skip "needs root to act as another uid"
	elif ! command -v setpriv >/dev/null; then t_skip "no setpriv (util-linux)"
	else
		# open the directory and socket to all: only SO_PEERCRED stands in the way
		chmod 0755 "$ZCRXCTL_RUNDIR"
		chmod 0666 "$(sock "$sdev" 7)"
		run timeout 10 setpriv --reuid 65534 --regid 65534 --clear-groups \
			"$USOCK" -t 3000 "$(sock "$sdev" 7)" '{"v":1,"cmd":"status"}'
		if [ "$rc" = 0 ] && grep -q 'uid 65534 may not use' <<<"$out" &&
			! grep -q '"pid"' <<<"$out"; then t_pass
		else t_fail "usock rc=$rc (0 = closed, 1 = no connect, 2 = left open) reply '$(short "$out")' $(short "$err")"; fi
		chmod 0700 "$ZCRXCTL_RUNDIR"
	fi

	t_begin "$mode: SIGTERM: the application exits 0 and its socket is gone"
	kill -TERM "$a"
	wait_exit "$a" 5
	if [ "$rc" = 0 ] && [ ! -e "$(sock "$sdev" 7)" ]; then t_pass
	else t_fail "rc=$rc, in RUNDIR: $(ls -A "$ZCRXCTL_RUNDIR")"; fi
}

one_mode ring app0 myapp
one_mode driven - -

t_begin "a dead application's socket is replaced by the next server"
new_rundir
app d1 ring - 2
d1=$pid
serving d1
kill -KILL "$d1"
wait_exit "$d1" 5
app d2 ring - 2
d2=$pid
if serving d2 && grep -q 'replaced' "$S_TMP/d2.out" && run zc -j status sim0 2 &&
	jqe --argjson p "$d2" '.[0].pid == $p' <<<"$out"; then t_pass
else t_fail "out=$(short "$(f d2.out)") err=$(short "$(f d2.err)") status=$(short "$out")"; fi
stop "$d2"

t_begin "a RUNDIR others may write to is refused in words, and nothing is left there"
new_rundir
chmod 0777 "$ZCRXCTL_RUNDIR"
run timeout 10 "$SERVE" ring - 2
if [ "$rc" = 1 ] && grep -q 'group or others may write to it' <<<"$err" &&
	[ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]; then t_pass
else t_fail "rc=$rc err=$(short "$err") left: $(ls -A "$ZCRXCTL_RUNDIR")"; fi

# --- grow: refused unless the application opts in -----------------------------------
t_begin "an application serving without a grow hook or ZCRX_SERVE_GROW refuses grow in words: exit 1"
new_rundir
app g0 ring app0 3 myapp off	# on a 7.3 kernel, which could add it
g0=$pid
run zc grow app0 3 64K
if serving g0 && [ "$rc" = 1 ] && one_line "$err" &&
	grep -q 'myapp does not let operators grow its ifq' <<<"$err" &&
	zc status app0 3 | grep -q 'areas=1 '; then t_pass
else t_fail "rc=$rc err=$(short "$err") $(zc status app0 3 2>&1 | short)"; fi
stop "$g0"

t_begin "with ZCRX_SERVE_GROW and grow_max: a grow within the cap is added and a subscriber sees its grow record"
new_rundir
# the first area is 8M (the library's default): room for one 64K area, not two
app g1 driven app1 3 myapp $((8 * 1024 * 1024 + 65536))
g1=$pid
serving g1
start g1-sub -j subscribe app1 3 -t 30s
subscribed g1-sub
run zc grow app1 3 64K
r1=$rc o1=$out
if [ "$r1" = 0 ] && grep -q 'area-id=1 size=65536 areas=2 ' <<<"$o1" &&
	wait_until 5 at_least 1 nrec "$S_TMP/g1-sub.out" grow &&
	jq -e -s 'map(select(.record == "grow"))[0] | .by == "grow" and .["area-id"] == 1 and
		.size == 65536 and .areas == 2 and (.stopped | not)' "$S_TMP/g1-sub.out" >/dev/null
then t_pass
else t_fail "rc=$r1 out=$(short "$o1") err=$(short "$err") sub: $(short "$(f g1-sub.out)")"; fi

t_begin "with ZCRX_SERVE_GROW: a grow past grow_max is refused in words (exit 1), areas unchanged"
run zc grow app1 3 64K
if [ "$rc" = 1 ] && one_line "$err" && grep -q 'would pass the 8454144 bytes myapp lets its areas take' <<<"$err" &&
	zc status app1 3 | grep -q 'areas=2 '; then t_pass
else t_fail "rc=$rc err=$(short "$err") $(zc status app1 3 2>&1 | short)"; fi
stop "$g1"

t_done
