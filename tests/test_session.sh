#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sessions and their socket, against README "Sessions and their protocol":
# bind, status, duplicate and stale sessions, peers of another uid,
# subscribers (same events, a slow one gets "lost"), the line protocol
# spoken raw, bind --check on the simulator and on the real kernel.
. "$(dirname "$0")/lib_session.sh"

t_plan 49

zc() { timeout 10 env --default-signal=INT,PIPE "$ZCRXCTL" "$@"; }
# ino PATH: inode number, to tell a replaced socket from the old one.
ino() { stat -c %i "$1" 2>/dev/null; }
# status_pid DEV QUEUE PID: status -j lists PID for DEV QUEUE.
status_pid() { zc -j status 2>/dev/null | jqe --arg d "$1" --argjson q "$2" --argjson p "$3" \
	'any(.[]; .dev == $d and .queue == $q and .pid == $p)' >/dev/null; }
# req DEV QUEUE JSON: one request, the first reply line in $out, usock's status in $rc.
req() { run timeout 10 "$USOCK" -n 1 -t 5000 "$(sock "$1" "$2")" "$3"; }

# --- bind and status -------------------------------------------------------------
new_rundir
start b1 bind sim0 5 --sim
b1=$pid

t_begin "bind --sim holds a session on RUNDIR/sim0.5.sock"
if has_sock sim0 5 && wait_until 10 status_pid sim0 5 "$b1" && alive "$b1"; then t_pass
else t_fail "alive=$(alive "$b1" && echo y) dir: $(ls -A "$ZCRXCTL_RUNDIR") err=$(short "$(f b1.err)")"; fi

t_begin "the session socket is mode 0600"
m=$(stat -c %a "$(sock sim0 5)" 2>/dev/null)
if [ "$m" = 600 ]; then t_pass; else t_fail "mode '$m'"; fi

t_begin "status lists the session: dev, queue, pid, sim"
run zc status
line=$(grep -E "(^|[^0-9])$b1([^0-9]|$)" <<<"$out")
if [ "$rc" = 0 ] && one_line "$line" && grep -q sim0 <<<"$line" && grep -qE '(^|[^0-9])5([^0-9]|$)' <<<"$line" &&
	grep -qE 'sim=yes|simulated' <<<"$line"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "status -j: one array, the session with pid, dev, queue, simulated, events"
run zc -j status
if [ "$rc" = 0 ] && jqe --argjson p "$b1" 'type == "array" and length == 1 and .[0].pid == $p and
	.[0].dev == "sim0" and .[0].queue == 5 and .[0].simulated == true and
	(.[0].events | index("alloc-fail") != null)' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out")"; fi

t_begin "status DEV QUEUE shows only that session"
start b2 bind sim0 6 --sim
b2=$pid
has_sock sim0 6
run zc -j status sim0 6
all=$(zc -j status 2>/dev/null | jq length 2>/dev/null)
if [ "$rc" = 0 ] && [ "$all" = 2 ] &&
	jqe --argjson p "$b2" 'length == 1 and .[0].queue == 6 and .[0].pid == $p' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc all=$all out=$(short "$out")"; fi

t_begin "a second bind of the same queue is refused: exit 1, one line naming the holder's pid"
i0=$(ino "$(sock sim0 5)")
run zc bind sim0 5 --sim
if [ "$rc" = 1 ] && one_line "$err" && grep -qE "(^|[^0-9])$b1([^0-9]|$)" <<<"$err" && alive "$b1" &&
	[ "$(ino "$(sock sim0 5)")" = "$i0" ]; then t_pass
else t_fail "rc=$rc err=$(short "$err") first alive=$(alive "$b1" && echo y)"; fi

t_begin "a watch of a bound queue is refused too, naming the pid"
run zc watch sim0 5 --sim -c 1 -t 2s
if [ "$rc" = 1 ] && grep -qE "(^|[^0-9])$b1([^0-9]|$)" <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "SIGTERM ends bind: exit 0 and its socket is removed"
kill -TERM "$b1" 2>/dev/null
wait_exit "$b1" 5
if [ "$rc" = 0 ] && [ ! -e "$(sock sim0 5)" ] && [ -S "$(sock sim0 6)" ]; then t_pass
else t_fail "rc=$rc dir: $(ls -A "$ZCRXCTL_RUNDIR")"; fi

t_begin "SIGINT ends bind: exit 0 and its socket is removed"
kill -INT "$b2" 2>/dev/null
wait_exit "$b2" 5
if [ "$rc" = 0 ] && [ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]; then t_pass
else t_fail "rc=$rc dir: $(ls -A "$ZCRXCTL_RUNDIR")"; fi

t_begin "status with no session: exit 0, -j prints []"
run zc -j status
if [ "$rc" = 0 ] && jqe '. == []' >/dev/null <<<"$out"; then t_pass else t_fail "rc=$rc out=$(short "$out")"; fi

t_begin "bind -j prints one report object with zcrx-id, simulated"
new_rundir
start bj -j bind sim0 5 --sim
bj=$pid
# the report is whole once it parses; the session prints nothing after it
has_sock sim0 5 && wait_until 10 jq -e -s 'length >= 1' "$S_TMP/bj.out" >/dev/null 2>&1
stop "$bj"
if jqe -s 'length == 1 and (.[0] | type == "object" and (.["zcrx-id"] | type == "number") and
	.simulated == true)' >/dev/null <"$S_TMP/bj.out"; then t_pass
else t_fail "out=$(short "$(f bj.out)") err=$(short "$(f bj.err)")"; fi

# --- stale socket --------------------------------------------------------------
new_rundir
start k1 bind sim1 0 --sim
k1=$pid
has_sock sim1 0
i0=$(ino "$(sock sim1 0)")
disown "$k1"	# no "Killed" notice from bash
kill -KILL "$k1" 2>/dev/null
wait_until 5 dead "$k1"

t_begin "a session killed with SIGKILL leaves its socket (the precondition)"
if [ -S "$(sock sim1 0)" ]; then t_pass; else t_fail "no socket left: nothing to test"; fi

t_begin "status does not list a dead session's socket"
run zc -j status
if [ "$rc" = 0 ] && jqe '. == []' >/dev/null <<<"$out"; then t_pass else t_fail "rc=$rc out=$(short "$out")"; fi

t_begin "arm on a dead session's socket: exit 1 (no session)"
run zc arm sim1 0
if [ "$rc" = 1 ] && one_line "$err"; then t_pass; else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "a new bind replaces a dead session's socket"
start k2 bind sim1 0 --sim
k2=$pid
if wait_until 10 status_pid sim1 0 "$k2" && [ "$(ino "$(sock sim1 0)")" != "$i0" ] && alive "$k2"; then t_pass
else t_fail "alive=$(alive "$k2" && echo y) err=$(short "$(f k2.err)")"; fi
stop "$k2"

t_begin "arm on a session without events: exit 1, said once, not 'nothing fired'"
start k3 bind sim2 0 --sim --events none
k3=$pid
if ! wait_until 10 status_pid sim2 0 "$k3"; then
	t_fail "the session did not start: $(short "$(f k3.err)")"
else
	run zc arm sim2 0
	a_rc=$rc a_err=$err
	run zc arm sim2 0 copy
	if [ "$a_rc" = 1 ] && [ "$rc" = 1 ] && one_line "$a_err" &&
	   grep -q 'no events enabled' <<<"$a_err" && [ "$(grep -o 'sim2 queue 0' <<<"$a_err" | wc -l)" = 1 ]
	then t_pass
	else t_fail "all: rc=$a_rc $(short "$a_err"); copy: rc=$rc $(short "$err")"; fi
fi
stop "$k3"

# --- subscribers -----------------------------------------------------------------
new_rundir
start w -j watch sim0 5 "${STARVE[@]}"
w=$pid
ready w && wait_until 5 at_least 1 nrec "$S_TMP/w.out"
start sa -j subscribe sim0 5 -c 2
sa=$pid
start sb -j subscribe sim0 5 -c 2
sb=$pid
# let both attach (README promises subscribe no readiness line: wait for
# one, or give up after 2 s)
wait_until 2 grep -qs '^Watching ' "$S_TMP/sa.err"
wait_until 2 grep -qs '^Watching ' "$S_TMP/sb.err"
zc arm sim0 5 all >/dev/null 2>&1
wait_until 5 at_least 2 nrec "$S_TMP/w.out"
zc arm sim0 5 all >/dev/null 2>&1
wait_until 5 at_least 3 nrec "$S_TMP/w.out"
wait_exit "$sa" 5
rca=$rc
wait_exit "$sb" 5
rcb=$rc
evs() { jq -cS 'select(.record == "event")' <"$S_TMP/$1.out" 2>/dev/null; }

t_begin "subscribe -c 2: both subscribers exit 0 after two events"
if [ "$rca" = 0 ] && [ "$rcb" = 0 ] && [ "$(evs sa | grep -c .)" = 2 ] && [ "$(evs sb | grep -c .)" = 2 ]; then t_pass
else t_fail "rc=$rca/$rcb events=$(evs sa | grep -c .)/$(evs sb | grep -c .) err=$(short "$(f sa.err)")"; fi

t_begin "two subscribers receive the same events"
if [ -n "$(evs sa)" ] && [ "$(evs sa)" = "$(evs sb)" ]; then t_pass
else t_fail "a=$(evs sa | short) b=$(evs sb | short)"; fi

t_begin "subscribe -j prints the events exactly as watch -j does"
if [ -n "$(evs sa)" ] && [ "$(evs sa)" = "$(evs w | sed -n 2,3p)" ]; then t_pass
else t_fail "subscriber=$(evs sa | short) watch=$(evs w | short)"; fi

t_begin "subscribe's summary line on a simulated session says so"
if grep -q . "$S_TMP/sa.err" && tail -n 1 "$S_TMP/sa.err" | grep -qiE 'simulated|sim=yes'; then t_pass
else t_fail "stderr '$(short "$(f sa.err)")'"; fi
stop "$w"

t_begin "subscribe into a closed stdout (| head -1): exit 0, nothing on stderr but readiness"
new_rundir
start hw watch sim0 5 "${STARVE[@]}" --rearm=auto --holdoff 50ms
ready hw
timeout 10 env --default-signal=INT,PIPE "$ZCRXCTL" subscribe sim0 5 2>"$S_TMP/sh.err" | head -n 1 >"$S_TMP/sh.out"
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ] && [ "$(nlines "$S_TMP/sh.out")" = 1 ] && [ "$(grep -vc '^Watching ' "$S_TMP/sh.err")" = 0 ] &&
	alive "$pid"; then t_pass
else t_fail "rc=$rc stderr '$(short "$(f sh.err)")' session alive=$(alive "$pid" && echo y)"; fi
stop "$pid"

t_begin "subscribe -t 1s on a session with no events: exit 2"
new_rundir
start q watch sim0 5 --sim --sim-rate 0
ready q
run zc subscribe sim0 5 -t 1s
if [ "$rc" = 2 ] && [ -z "$out" ]; then t_pass; else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi
stop "$pid"

t_begin "subscribe with no session: exit 1, one line"
run zc subscribe sim0 5 -c 1
if [ "$rc" = 1 ] && one_line "$err"; then t_pass; else t_fail "rc=$rc err=$(short "$err")"; fi

# --- a slow subscriber --------------------------------------------------------------
new_rundir
start fw -j watch sim1 0 --sim --sim-rate 100000 --area-size 64K --sim-consumer hold:16 \
	--rearm=auto --holdoff 2ms --stats --stats-interval 2ms
fw=$pid
ready fw
start fast -j subscribe sim1 0
fast=$pid
start slow -j subscribe sim1 0
slow=$pid
timeout 15 "$USOCK" -b 4096 -s 3000 -t 2000 "$(sock sim1 0)" '{"v":1,"cmd":"subscribe"}' \
	>"$S_TMP/raw.out" 2>"$S_TMP/raw.err" &
raw=$!
_s_pids+=("$raw")
# both subscribers receiving before one is stopped (slow to start under valgrind)
wait_until 20 at_least 1 nlines "$S_TMP/slow.out"
wait_until 20 at_least 1 nlines "$S_TMP/fast.out"
kill -STOP "$slow" 2>/dev/null
n0=$(nlines "$S_TMP/fast.out")
w0=$(nlines "$S_TMP/fw.out")
# stalled until the others got 1 MB more: far past its 64 KiB queue and
# its socket buffer, however fast the session runs (valgrind included)
b0=$(stat -c %s "$S_TMP/fast.out")
grown() { [ "$(stat -c %s "$S_TMP/fast.out")" -gt $((b0 + 1048576)) ]; }
wait_until 30 grown
n1=$(nlines "$S_TMP/fast.out")
w1=$(nlines "$S_TMP/fw.out")

t_begin "a stalled subscriber does not stall the session or the other subscriber"
if [ "$n1" -gt $((n0 + 100)) ] && [ "$w1" -gt $((w0 + 100)) ]; then t_pass
else t_fail "fast subscriber $n0 -> $n1 lines, watch $w0 -> $w1 lines while it was stopped"; fi

kill -CONT "$slow" 2>/dev/null
t_begin "a stalled subscriber gets a lost record with its count, then records again"
# a lost record with a count, and a record after the last one (grep: the
# files are large)
lost_then_more() {
	local first last
	first=$(grep -m 1 '"record":"lost"' "$S_TMP/slow.out") || return 1
	jqe '.count > 0 and .v == 1' <<<"$first" || return 1
	last=$(grep -n '"record":"lost"' "$S_TMP/slow.out" | tail -n 1 | cut -d: -f1)
	[ "$(grep -c . "$S_TMP/slow.out")" -gt "$last" ]
}
if wait_until 15 lost_then_more; then t_pass
else t_fail "slow subscriber: $(nlines "$S_TMP/slow.out") lines, lost: $(grep -m 3 '"record":"lost"' "$S_TMP/slow.out" | short)"; fi

t_begin "a raw client that does not read gets a lost record"
wait_exit "$raw" 10
if jqe -s 'map(select(.record == "lost")) | length >= 1 and (.[0].count > 0)' >/dev/null <"$S_TMP/raw.out" 2>/dev/null; then t_pass
else t_fail "usock rc=$rc, $(nlines "$S_TMP/raw.out") lines, first: $(head -c 200 "$S_TMP/raw.out")"; fi
stop "$slow"
stop "$fast"
stop "$fw"

# --- the protocol, raw --------------------------------------------------------------
new_rundir
start p -j watch sim0 5 "${STARVE[@]}"
ppid_=$pid
ready p && wait_until 5 at_least 1 nrec "$S_TMP/p.out"

t_begin "protocol status: ok, and the session with pid, simulated and per-type state"
req sim0 5 '{"v":1,"cmd":"status"}'
if jqe --argjson p "$ppid_" '.v == 1 and .ok == true and .session.pid == $p and .session.dev == "sim0" and
	.session.queue == 5 and .session.simulated == true and
	.session.types["alloc-fail"].state == "fired" and .session.types["alloc-fail"].count == 1 and
	.session.types.copy.state == "armed"' >/dev/null <<<"$out"; then t_pass
else t_fail "reply '$(short "$out")'"; fi

t_begin "protocol arm of a type that has not fired: ok false, errno EINVAL"
req sim0 5 '{"v":1,"cmd":"arm","event":"copy"}'
if jqe '.v == 1 and .ok == false and .errno == "EINVAL" and (.error | type == "string")' >/dev/null <<<"$out"; then t_pass
else t_fail "reply '$(short "$out")'"; fi

t_begin "protocol arm all re-arms every fired type: armed [alloc-fail]"
req sim0 5 '{"v":1,"cmd":"arm","event":"all"}'
if jqe '.v == 1 and .ok == true and .armed == ["alloc-fail"]' >/dev/null <<<"$out"; then t_pass
else t_fail "reply '$(short "$out")'"; fi

t_begin "protocol: a malformed request gets ok false and the connection is closed"
run timeout 10 "$USOCK" -t 5000 "$(sock sim0 5)" '{"v":1,"cmd":'
if [ "$rc" = 0 ] && one_line "$out" && jqe '.v == 1 and .ok == false and (.error | type == "string")' \
	>/dev/null <<<"$out"; then t_pass
else t_fail "usock rc=$rc (0 = closed, 2 = left open) reply '$(short "$out")'"; fi

t_begin "protocol: a request over 4096 bytes gets ok false and the connection is closed"
big=$(printf '{"v":1,"cmd":"status","pad":"%05000d"}' 0)
run timeout 10 "$USOCK" -t 5000 "$(sock sim0 5)" "$big"
if [ "$rc" = 0 ] && one_line "$out" && jqe '.ok == false and (.error | type == "string")' >/dev/null <<<"$out"; then t_pass
else t_fail "usock rc=$rc reply '$(short "$out")'"; fi

t_begin "protocol: a request of exactly 4096 bytes (and its newline) is served"
pad=$(head -c 4065 /dev/zero | tr '\0' x)
r4096="{\"v\":1,\"cmd\":\"status\",\"pad\":\"$pad\"}"
req sim0 5 "$r4096"
if [ "${#r4096}" = 4096 ] && jqe '.ok == true' <<<"$out"; then t_pass
else t_fail "length ${#r4096}, reply '$(short "$out")'"; fi

t_begin "protocol: an unknown command gets ok false"
req sim0 5 '{"v":1,"cmd":"frobnicate"}'
if jqe '.v == 1 and .ok == false and (.error | type == "string")' >/dev/null <<<"$out"; then t_pass
else t_fail "reply '$(short "$out")'"; fi

t_begin "protocol: the session carries on after bad requests"
req sim0 5 '{"v":1,"cmd":"status"}'
if alive "$ppid_" && jqe '.ok == true' >/dev/null <<<"$out"; then t_pass
else t_fail "alive=$(alive "$ppid_" && echo y) reply '$(short "$out")'"; fi

# --- peers of another uid ---------------------------------------------------------
# "arm all" above re-armed alloc-fail; on a starving queue it fires again
wait_until 5 at_least 2 nrec "$S_TMP/p.out"
t_begin "a peer of another uid is refused by the session itself"
if ! have_root; then t_skip "needs root to act as another uid"
elif ! command -v setpriv >/dev/null; then t_skip "no setpriv (util-linux)"
elif ! setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$ZCRXCTL"; then t_skip "uid 65534 cannot run $ZCRXCTL"
else
	# open the directory and socket to all, so only the session's own
	# SO_PEERCRED check stands between uid 65534 and it
	chmod 0755 "$ZCRXCTL_RUNDIR"
	chmod 0666 "$(sock sim0 5)" 2>/dev/null
	run timeout 10 setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$USOCK" -t 3000 "$(sock sim0 5)" '{"v":1,"cmd":"status"}'
	if [ "$rc" = 0 ] && ! grep -q '"ok" *: *true' <<<"$out" && ! grep -q '"pid"' <<<"$out"; then t_pass
	else t_fail "usock rc=$rc (0 = closed, 1 = no connect, 2 = left open) reply '$(short "$out")' $(short "$err")"; fi
fi

t_begin "arm as another uid fails with exit 1 and arms nothing"
if ! have_root || ! command -v setpriv >/dev/null; then t_skip "needs root and setpriv"
else
	a0=$(nrec "$S_TMP/p.out" armed)
	run timeout 10 setpriv --reuid 65534 --regid 65534 --clear-groups "$ZCRXCTL" arm sim0 5 alloc-fail
	rc1=$rc err1=$err
	# a request after it: once answered, the refused arm has been handled
	"$ZCRXCTL" status sim0 5 >/dev/null 2>&1
	a1=$(nrec "$S_TMP/p.out" armed)
	if [ "$rc1" = 1 ] && one_line "$err1" && [ "$a1" = "$a0" ]; then t_pass
	else t_fail "as 65534: rc=$rc1 err=$(short "$err1"); armed records $a0 -> $a1"; fi
fi

t_begin "arm refused for another uid: the error gives the session's reason (the uid)"
if ! have_root || ! command -v setpriv >/dev/null; then t_skip "needs root and setpriv"
else
	if grep -q '65534' <<<"$err1" && ! grep -qi 'broken pipe' <<<"$err1"; then t_pass
	else t_fail "err=$(short "$err1")"; fi
fi

t_begin "status as another uid: a refusing session is not called a protocol error"
if ! have_root || ! command -v setpriv >/dev/null; then t_skip "needs root and setpriv"
else
	run timeout 10 setpriv --reuid 65534 --regid 65534 --clear-groups "$ZCRXCTL" -j status
	if [ "$rc" = 0 ] && jqe '. == []' <<<"$out" && ! grep -qiE 'protocol|broken pipe' <<<"$err"; then t_pass
	else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi
fi
stop "$ppid_"

t_begin "root refuses a session of another uid, naming it (only ours or root's are trusted)"
if ! have_root || ! command -v setpriv >/dev/null; then t_skip "needs root and setpriv"
else
	new_rundir
	chown 65534 "$ZCRXCTL_RUNDIR"
	: >"$S_TMP/nb.out"
	setpriv --reuid 65534 --regid 65534 --clear-groups "$ZCRXCTL" bind sim0 5 --sim \
		>"$S_TMP/nb.out" 2>"$S_TMP/nb.err" &
	nb=$!
	_s_pids+=("$nb")
	has_sock sim0 5
	# a directory root trusts, so only the listener's uid is left to refuse
	chown 0 "$ZCRXCTL_RUNDIR"
	chmod 0755 "$ZCRXCTL_RUNDIR"
	run zc status sim0 5
	if [ "$(stat -c %u "$(sock sim0 5)" 2>/dev/null)" = 65534 ] && [ "$rc" = 1 ] &&
		[ -z "$out" ] && [[ $err == *"uid 65534"* ]]; then t_pass
	else t_fail "socket owner $(stat -c %u "$(sock sim0 5)" 2>&1), rc=$rc out='$(short "$out")' err=$(short "$err")"; fi
	stop "$nb"
fi

t_begin "without ZCRXCTL_RUNDIR a non-root session lives in \$XDG_RUNTIME_DIR/zcrxctl"
if ! have_root || ! command -v setpriv >/dev/null; then t_skip "needs root and setpriv"
else
	new_rundir
	chown 65534 "$ZCRXCTL_RUNDIR"
	xdg=$ZCRXCTL_RUNDIR
	env -u ZCRXCTL_RUNDIR XDG_RUNTIME_DIR="$xdg" setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$ZCRXCTL" bind sim0 5 --sim >"$S_TMP/xdg.out" 2>"$S_TMP/xdg.err" &
	xp=$!
	_s_pids+=("$xp")
	if wait_until 5 test -S "$xdg/zcrxctl/sim0.5.sock"; then t_pass
	else t_fail "nothing in $xdg/zcrxctl: $(ls -AR "$xdg" | short) err=$(short "$(f xdg.err)")"; fi
	stop "$xp"
fi

# --- bind --check ---------------------------------------------------------------------
t_begin "bind --check --sim: exit 0, and no session is left"
new_rundir
run zc bind --check sim0 5 --sim
if [ "$rc" = 0 ] && [ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]; then t_pass
else t_fail "rc=$rc err=$(short "$err") dir: $(ls -A "$ZCRXCTL_RUNDIR")"; fi

t_begin "bind --check --sim-inject-errno EOPNOTSUPP: exit 1 with a diagnosis"
run zc bind --check sim0 5 --sim --sim-inject-errno EOPNOTSUPP
if [ "$rc" = 1 ] && grep -qiE 'EOPNOTSUPP|not supported' <<<"$err"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "bind -j --check failure: the error is JSON on stdout"
run zc -j bind --check sim0 5 --sim --sim-inject-errno EOPNOTSUPP
if [ "$rc" = 1 ] && [ -z "$err" ] && jqe -s 'length == 1 and (.[0].error | type == "string")' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "bind --check -j: the report's user-data defaults to 0x7a637278ffff0000"
run zc -j bind --check sim0 5 --sim
if [ "$rc" = 0 ] && jqe '.["user-data"] == "0x7a637278ffff0000" or .["user-data"] == 8819108636660793344' <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out")"; fi

t_begin "bind --check -j --area-size 64K --user-data 7: 16 buffers of rx-buf-len 4096, user-data 7"
run zc -j bind --check sim0 5 --sim --area-size 64K --user-data 7
if [ "$rc" = 0 ] && jqe '.["area-size"] == 65536 and .buffers == 16 and .["rx-buf-len"] == 4096 and
	(.["user-data"] == 7 or .["user-data"] == "0x7")' <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out")"; fi

t_begin "bind --check on a real device that does not exist: exit 1 naming it"
run zc bind --check zcrxnodev0 0
if [ "$rc" = 1 ] && one_line "$err" && grep -q zcrxnodev0 <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "bind --check on a veth (real kernel): exit 1, a diagnosis naming the driver"
if ! have_root; then t_skip "needs root for a network namespace"
elif ! have_netns; then t_skip "cannot create a network namespace here"
elif ! ns=$(t_netns_add veth) || ! ip -n "$ns" link add zv0 type veth peer name zv1 ||
	! ip -n "$ns" link set zv0 up || ! ip -n "$ns" link set zv1 up; then t_skip "cannot create a veth pair"
else
	run timeout 10 ip netns exec "$ns" "$ZCRXCTL" bind --check zv0 0
	if [ "$rc" = 1 ] && one_line "$err" && grep -qw veth <<<"$err"; then t_pass
	else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi
fi

# /tmp/zcrxctl-65534 is one path for every copy of this suite on the machine:
# a lock (on /tmp itself, so nothing is left behind) keeps a second copy from
# using it, or removing it, meanwhile.
tdir=/tmp/zcrxctl-65534
exec {tlock}</tmp
flock -w 120 "$tlock"

t_begin "without XDG_RUNTIME_DIR a user's sessions live in a private /tmp/zcrxctl-UID"
if ! have_root; then t_skip "needs root to act as another uid"
elif [ -e "$tdir" ]; then t_skip "$tdir exists already: not touching it"
else
	run timeout 10 env -u XDG_RUNTIME_DIR -u ZCRXCTL_RUNDIR setpriv --reuid 65534 --regid 65534 \
		--clear-groups "$ZCRXCTL" watch --sim sim0 0 --area-size 64K -c 1 -t 5s
	mode=$(stat -c '%a %u' "$tdir" 2>/dev/null)
	if [ "$rc" = 0 ] && [ "$mode" = "700 65534" ] && [ -z "$(ls -A "$tdir")" ]; then t_pass
	else t_fail "rc=$rc mode='$mode' err=$(short "$err")"; fi
	rm -rf "$tdir"
fi

t_begin "a /tmp/zcrxctl-UID that is not private is refused, naming it"
if ! have_root; then t_skip "needs root to act as another uid"
elif [ -e "$tdir" ]; then t_skip "$tdir exists already: not touching it"
else
	mkdir -m 0777 "$tdir" && chown 65534 "$tdir"
	run timeout 10 env -u XDG_RUNTIME_DIR -u ZCRXCTL_RUNDIR setpriv --reuid 65534 --regid 65534 \
		--clear-groups "$ZCRXCTL" watch --sim sim0 0 -c 1 -t 5s
	if [ "$rc" = 1 ] && one_line "$err" && grep -q "$tdir" <<<"$err"; then t_pass
	else t_fail "rc=$rc err=$(short "$err")"; fi
	rm -rf "$tdir"
fi
exec {tlock}>&-

t_done
