#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zcrxctl watch on the simulator, against README "Live sessions": event lines
# and NDJSON, the latch and its re-arming (arm, SIGUSR1, --rearm=auto),
# --count, --timeout, timestamps, signals, a closed stdout, copy events with
# shared stats, kernel generations, usage errors.
. "$(dirname "$0")/lib_session.sh"

t_plan 40

# zc ARGS...: zcrxctl in the foreground, bounded, with a shell's signals.
zc() { timeout 10 env --default-signal=INT,PIPE "$ZCRXCTL" "$@"; }

ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'

# --- one event, text ---------------------------------------------------------
new_rundir
run zc watch sim0 5 "${STARVE[@]}" -c 1
rc1=$rc

t_begin "watch -c 1 on a starving queue: exit 0 after exactly one event"
if [ "$rc" = 0 ] && [ "$(grep -c '^event ' <<<"$out")" = 1 ] && [ "$(grep -c . <<<"$out")" = 1 ]; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "watch text event line: fixed token and the key=value fields of README's Output"
re='^event seq=1 time=[^ ]+ dev=sim0 queue=5 zcrx-id=[0-9]+ type=alloc-fail count=1 state=latched held=[0-9]+ rq-fill=[0-9]+ .*sim=yes$'
if grep -qE "$re" <<<"$out"; then t_pass; else t_fail "got '$(short "$out")'"; fi

t_begin "watch readiness line on stderr names dev, queue, zcrx_id and the events"
if head -n 1 <<<"$err" | grep -qE '^Watching sim0 queue 5 \(zcrx_id [0-9]+\): alloc-fail,copy$'; then t_pass
else t_fail "stderr '$(short "$err")'"; fi

t_begin "watch exit at --count: readiness then exactly one summary line on stderr"
if [ "$(grep -c . <<<"$err")" = 2 ]; then t_pass; else t_fail "stderr '$(short "$err")'"; fi

t_begin "watch leaves no socket behind when it ends"
if [ "$rc1" = 0 ] && [ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]; then t_pass
else t_fail "rc=$rc1 left: $(ls -A "$ZCRXCTL_RUNDIR")"; fi

# --- NDJSON ------------------------------------------------------------------
new_rundir
run zc -j watch sim0 5 "${STARVE[@]}" --rearm=auto --holdoff 100ms -c 3
jout=$out

t_begin "watch -j: every line is one JSON object with v=1, a record and simulated=true"
nobj=$(jq -c . <<<"$jout" 2>/dev/null | grep -c .)
if [ "$rc" = 0 ] && [ "$nobj" -ge 3 ] && [ "$nobj" = "$(grep -c . <<<"$jout")" ] &&
	jqe -s 'all(type == "object" and .v == 1 and (.record | type == "string") and .simulated == true)' \
		>/dev/null <<<"$jout"; then t_pass
else t_fail "rc=$rc objects=$nobj out=$(short "$jout")"; fi

t_begin "watch -j event record: README's keys and types, copy stats null without --stats"
if jqe -s --arg iso "$ISO" 'map(select(.record == "event")) | .[0] |
	(.seq | type == "number") and (.time | test($iso)) and .dev == "sim0" and .queue == 5 and
	(.["zcrx-id"] | type == "number") and .event == "alloc-fail" and .count == 1 and
	.latched == true and (.held | type == "number") and (.["rq-fill"] | type == "number") and
	has("copy-count") and .["copy-count"] == null and has("copy-bytes") and .["copy-bytes"] == null' \
	>/dev/null <<<"$jout"; then t_pass
else t_fail "first event: $(jq -c -s 'map(select(.record == "event")) | .[0]' <<<"$jout" 2>&1 | short)"; fi

t_begin "watch -c 3 with --rearm=auto: exactly 3 events, count 1..3, seq rising"
if jqe -s 'map(select(.record == "event")) | length == 3 and (map(.count) == [1, 2, 3]) and
	(.[0].seq < .[1].seq and .[1].seq < .[2].seq)' >/dev/null <<<"$jout"; then t_pass
else t_fail "$(jq -c -s 'map(select(.record == "event") | [.seq, .count])' <<<"$jout" 2>&1)"; fi

# --- timestamps --------------------------------------------------------------
t_begin "watch --timestamp=mono: time is CLOCK_MONOTONIC nanoseconds"
new_rundir
up=$(cut -d' ' -f1 /proc/uptime)
run zc -j watch sim0 5 "${STARVE[@]}" -c 1 --timestamp=mono
# /proc/uptime is CLOCK_BOOTTIME; on a VM that never suspended it tracks
# CLOCK_MONOTONIC, so allow a generous window.
if [ "$rc" = 0 ] && jqe --argjson up "$up" 'select(.record == "event") | .time | type == "number" and
	. == floor and . > ($up - 60) * 1e9 and . < ($up + 60) * 1e9' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc uptime=$up out=$(short "$out")"; fi

t_begin "watch --timestamp=none: no time key"
new_rundir
run zc -j watch sim0 5 "${STARVE[@]}" -c 1 --timestamp=none
if [ "$rc" = 0 ] && [ -n "$out" ] && jqe -s 'length > 0 and all(has("time") | not)' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out")"; fi

# --- timeout -----------------------------------------------------------------
t_begin "watch -t 1s with no packets (--sim-rate 0): exit 2, no event, about 1 s"
new_rundir
t0=$(date +%s%N)
run zc watch sim0 5 --sim --sim-rate 0 -t 1s
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$rc" = 2 ] && ! grep -q '^event ' <<<"$out" && [ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ]; then t_pass
else t_fail "rc=$rc after ${ms}ms out=$(short "$out")"; fi

t_begin "watch -t 1s after an event: exit 0 (only an empty wait is a timeout)"
new_rundir
run zc watch sim0 5 "${STARVE[@]}" -t 1s
if [ "$rc" = 0 ] && [ "$(grep -c '^event ' <<<"$out")" = 1 ]; then t_pass
else t_fail "rc=$rc out=$(short "$out")"; fi

# --- the latch: manual re-arm ------------------------------------------------
new_rundir
start latch -j watch sim0 5 "${STARVE[@]}"
wpid=$pid
ready latch && wait_until 5 at_least 1 nrec "$S_TMP/latch.out"
sleep 1.5

t_begin "--rearm=manual: a fired type stays latched (one event in 1.5 s)"
n=$(nrec "$S_TMP/latch.out")
if [ "$n" = 1 ] && alive "$wpid"; then t_pass; else t_fail "events=$n err=$(short "$(f latch.err)")"; fi

t_begin "arm from another process re-arms the fired type: exit 0"
run zc arm sim0 5 alloc-fail
if [ "$rc" = 0 ] && [ -z "$err" ]; then t_pass; else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "after arm the type fires again: an armed record by=arm, then event count=2"
if wait_until 5 at_least 2 nrec "$S_TMP/latch.out" &&
	jqe -s '(map(select(.record == "armed" and .by == "arm" and .event == "alloc-fail")) | length == 1) and
		(map(select(.record == "event")) | .[1].count == 2) and
		(map(.record) | index("armed") < rindex("event"))' >/dev/null <"$S_TMP/latch.out"; then t_pass
else t_fail "records: $(jq -c '[.record, .event, .by, .count]' <"$S_TMP/latch.out" 2>&1 | short)"; fi

t_begin "arm on a simulated session: its line says sim=yes, its JSON simulated"
# the second arm needs the type to have fired again since the first
n=$(nrec "$S_TMP/latch.out")
run zc arm sim0 5 alloc-fail
t=$out
wait_until 5 at_least $((n + 1)) nrec "$S_TMP/latch.out"
run zc -j arm sim0 5 alloc-fail
if grep -q 'sim=yes' <<<"$t" && jqe '.simulated == true' <<<"$out"; then t_pass
else t_fail "text '$(short "$t")' json '$(short "$out")'"; fi

t_begin "arm of a type that has not fired: exit 4, one line of its own"
run zc arm sim0 5 copy
if [ "$rc" = 4 ] && one_line "$err" && grep -qiE 'not fired|has not|since' <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi
armed4=$err

t_begin "SIGUSR1 re-arms every fired type"
n=$(nrec "$S_TMP/latch.out")
kill -USR1 "$wpid" 2>/dev/null
if wait_until 5 at_least $((n + 1)) nrec "$S_TMP/latch.out"; then t_pass
else t_fail "events stayed at $n"; fi

t_begin "SIGINT ends watch: exit 0, one summary line after the readiness line"
kill -INT "$wpid" 2>/dev/null
wait_exit "$wpid" 5
e=$(f latch.err)
if [ "$rc" = 0 ] && [ "$(grep -c . <<<"$e")" = 2 ] && grep -q '^Watching ' <<<"$e"; then t_pass
else t_fail "rc=$rc stderr '$(short "$e")'"; fi

t_begin "arm with no session: exit 1, one line, not the not-fired message"
run zc arm sim0 5 alloc-fail
if [ "$rc" = 1 ] && one_line "$err" && [ "$err" != "$armed4" ] && grep -q sim0 <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "arm -j with no session: the error is JSON on stdout"
run zc -j arm sim0 5 alloc-fail
if [ "$rc" = 1 ] && [ -z "$err" ] && jqe '.error | type == "string"' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "a key press in a terminal running watch re-arms every fired type"
if ! command -v script >/dev/null; then t_skip "no script(1) to give watch a terminal"
else
	new_rundir
	# script(1) runs watch on a pty (under /bin/sh, whatever the user's shell)
	# and passes it the key once the first event has fired; stdin stays open
	# until the second event, or watch would see the end of its input
	key_events() { grep -c '"record":"event"' "$S_TMP/key.out"; }
	: >"$S_TMP/key.out"
	{ wait_until 20 at_least 1 key_events; printf x; wait_until 20 at_least 2 key_events; } |
		SHELL=/bin/sh timeout 60 script -qfec \
		"$(printf '%q ' "$ZCRXCTL" -j watch sim0 5 "${STARVE[@]}" -c 2 -t 30s)" /dev/null >"$S_TMP/key.out"
	rc=$?
	if [ "$rc" = 0 ] && [ "$(grep -c '"record":"event"' "$S_TMP/key.out")" = 2 ] &&
		grep -q '"record":"armed".*"by":"key"' "$S_TMP/key.out"; then t_pass
	else t_fail "rc=$rc output '$(short "$(tr -d '\r' <"$S_TMP/key.out")")'"; fi
fi

# --- SIGTERM -----------------------------------------------------------------
t_begin "SIGTERM ends watch: exit 0, one summary line, socket removed"
new_rundir
start term watch sim0 5 --sim --sim-rate 0
ready term && has_sock sim0 5
kill -TERM "$pid" 2>/dev/null
wait_exit "$pid" 5
e=$(f term.err)
if [ "$rc" = 0 ] && [ "$(grep -c . <<<"$e")" = 2 ] && [ ! -e "$(sock sim0 5)" ]; then t_pass
else t_fail "rc=$rc stderr '$(short "$e")' dir: $(ls -A "$ZCRXCTL_RUNDIR")"; fi

# --- auto re-arm and holdoff ---------------------------------------------------
# (the holdoff is the test's figure: 4 events, none closer than 450 ms; load
# can only make them later)
t_begin "--rearm=auto --holdoff 500ms: it fires again and again, never closer than 450 ms"
new_rundir
start auto -j watch sim0 5 "${STARVE[@]}" --rearm=auto --holdoff 500ms --timestamp=mono
apid=$pid
ready auto && wait_until 20 at_least 4 nrec "$S_TMP/auto.out"
stop "$apid"
n=$(nrec "$S_TMP/auto.out")
gap=$(jq -s 'map(select(.record == "event") | .time) | [range(1; length) as $i | .[$i] - .[$i - 1]] | min // 0' \
	<"$S_TMP/auto.out" 2>/dev/null)
if [ "$n" -ge 4 ] && awk -v g="$gap" 'BEGIN { exit !(g >= 450e6) }'; then t_pass
else t_fail "events=$n smallest gap=${gap}ns"; fi

# --- closed stdout -----------------------------------------------------------
t_begin "closed stdout (| head -1): exit 0, nothing on stderr but readiness, no socket left"
new_rundir
timeout 10 env --default-signal=INT,PIPE "$ZCRXCTL" watch sim0 5 "${STARVE[@]}" --rearm=auto --holdoff 50ms \
	2>"$S_TMP/head.err" | head -n 1 >"$S_TMP/head.out"
rc=${PIPESTATUS[0]}
e=$(f head.err)
if [ "$rc" = 0 ] && [ "$(grep -vc '^Watching ' <<<"$e")" = 0 ] && [ "$(nlines "$S_TMP/head.out")" = 1 ] &&
	[ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]; then t_pass
else t_fail "rc=$rc stderr '$(short "$e")' dir: $(ls -A "$ZCRXCTL_RUNDIR")"; fi

# --- copy events and shared stats ------------------------------------------------
new_rundir
run zc -j watch sim0 5 --sim --sim-copy-ratio 0.5 --stats --events copy --rearm=auto --holdoff 200ms -c 3

t_begin "--events copy: readiness line lists copy only"
if grep -qE '^Watching sim0 queue 5 \(zcrx_id [0-9]+\): copy$' <<<"$err"; then t_pass
else t_fail "rc=$rc stderr '$(short "$err")'"; fi

t_begin "--sim-copy-ratio with --stats: copy events with copy-count and copy-bytes growing"
if [ "$rc" = 0 ] && jqe -s 'map(select(.record == "event")) | length == 3 and all(.event == "copy") and
	(map(.["copy-count"]) | all(type == "number") and .[0] > 0 and .[0] < .[1] and .[1] < .[2]) and
	(map(.["copy-bytes"]) | all(type == "number") and .[0] > 0 and .[0] < .[1] and .[1] < .[2])' \
	>/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc $(jq -c -s 'map(select(.record == "event") | [.event, .["copy-count"], .["copy-bytes"]])' <<<"$out" 2>&1)"; fi

t_begin "--stats-interval: stats records with rx-packets rising"
new_rundir
start st -j watch sim0 5 --sim --stats --stats-interval 200ms
spid=$pid
ready st && wait_until 20 at_least 3 nrec "$S_TMP/st.out" stats
stop "$spid"
if jqe -s 'map(select(.record == "stats")) | length >= 3 and
	(map(.["rx-packets"]) | all(type == "number") and .[0] < .[-1]) and all(.simulated == true)' \
	>/dev/null <"$S_TMP/st.out"; then t_pass
else t_fail "$(jq -c -s 'map(select(.record == "stats") | .["rx-packets"])' <"$S_TMP/st.out" 2>&1 | short)"; fi

# --- kernel generations -----------------------------------------------------
t_begin "--sim-kernel may-2026 --events copy: refused, one line naming the generation"
new_rundir
run zc watch sim0 5 --sim --sim-kernel may-2026 --events copy -c 1 -t 2s
if [ "$rc" = 1 ] && [ -z "$out" ] && one_line "$err" && grep -qiE 'may[- ]2026' <<<"$err" &&
	grep -q copy <<<"$err"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "--sim-kernel may-2026: alloc-fail is still watched, and only it"
new_rundir
run zc watch sim0 5 "${STARVE[@]}" --sim-kernel may-2026 -c 1
if [ "$rc" = 0 ] && grep -qE '^event .* type=alloc-fail ' <<<"$out" &&
	grep -qE '^Watching sim0 queue 5 \(zcrx_id [0-9]+\): alloc-fail$' <<<"$err"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "watch on a kernel without zcrx events (--sim-kernel none): refused at once, exit 1"
new_rundir
t0=$(date +%s%N)
run zc watch sim0 5 --sim --sim-kernel none -c 1 -t 3s
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$rc" = 1 ] && one_line "$err" && [ "$ms" -lt 2000 ]; then t_pass
else t_fail "rc=$rc after ${ms}ms err=$(short "$err")"; fi

# --- usage errors --------------------------------------------------------------
t_begin "watch --holdoff 5x: exit 64, one line naming the bad duration"
run zc watch sim0 5 --sim --holdoff 5x
if [ "$rc" = 64 ] && one_line "$err" && grep -q '5x' <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "watch --area-size 12Q: exit 64, one line naming the bad size"
run zc watch sim0 5 --sim --area-size 12Q
if [ "$rc" = 64 ] && one_line "$err" && grep -q '12Q' <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "watch --rearm=sometimes: exit 64 naming it"
run zc watch sim0 5 --sim --rearm=sometimes
if [ "$rc" = 64 ] && one_line "$err" && grep -q 'sometimes' <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "watch --events bogus: exit 64 naming it"
run zc watch sim0 5 --sim --events alloc-fail,bogus
if [ "$rc" = 64 ] && one_line "$err" && grep -q 'bogus' <<<"$err"; then t_pass
else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "watch ../x: a DEV that would leave RUNDIR is refused (exit 64), nothing created"
new_rundir
mkdir "$ZCRXCTL_RUNDIR/run"
ZCRXCTL_RUNDIR=$ZCRXCTL_RUNDIR/run run zc watch ../x 0 --sim -c 1 -t 1s
if [ "$rc" = 64 ] && one_line "$err" && [ -z "$(ls -A "$ZCRXCTL_RUNDIR/run")" ] &&
	[ ! -e "$ZCRXCTL_RUNDIR/x.0.sock" ]; then t_pass
else t_fail "rc=$rc err=$(short "$err") created: $(ls -AR "$ZCRXCTL_RUNDIR" | short)"; fi

t_begin "watch without QUEUE: exit 64, one line saying so"
run zc watch sim0 --sim
if [ "$rc" = 64 ] && one_line "$err" && grep -qi queue <<<"$err"; then t_pass; else t_fail "rc=$rc err=$(short "$err")"; fi

t_begin "watch -j usage error: JSON error on stdout, nothing on stderr"
run zc -j watch sim0 5 --sim --holdoff 5x
if [ "$rc" = 64 ] && [ -z "$err" ] && jqe '.error | test("5x")' >/dev/null <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi


# A CQ overflow on the simulator: a session that falls behind with 8 MiB in
# one --listen connection (lib_session.sh's backlog_start); the receive ends
# -ENOSPC for the full CQ, perhaps several times (test_nodev.sh has the same
# on a NODEV ifq).
t_begin "a session that fell behind: said once with why and what to do, and the summary counts recv-overflows"
if ! command -v nsenter >/dev/null || ! unshare --net true 2>/dev/null; then
	t_skip "no nsenter or no network namespaces here"
else
	new_rundir
	backlog_start ov watch --sim sim0 0 --sim-rate 0 --listen 127.0.0.1:0 -t 120s
	big=$((8 << 20))
	if ! wait_until 10 has_port ov; then
		t_fail "no listening line: $(f ov.err | short)"
	else
		port=$(listen_port ov)
		backlog_feed "$pid" "$port" "$big"
		wait_until 30 grep -q 'completion queue was full' "$S_TMP/ov.err"
		# the receive queue drained: every overflow is counted by now
		end=$((SECONDS + 30))
		until [ "$(recvq "$pid" "$port")" = 0 ] || [ "$SECONDS" -ge "$end" ]; do sleep 0.2; done
		kill "$sender" 2>/dev/null
		wait "$sender" 2>/dev/null
		stop "$pid"
		msg=$(grep 'completion queue was full' "$S_TMP/ov.err")
		if [ "$(grep -c . <<<"$msg")" != 1 ]; then
			t_fail "said $(grep -c . <<<"$msg") times: $(f ov.err | short)"
		elif ! grep -q 'stopped or starved of CPU' <<<"$msg" ||
		     ! grep -q 'several times' <<<"$msg" || ! grep -q 'give the session CPU' <<<"$msg"
		then
			t_fail "not actionable: $msg"
		elif ! grep -qE '^Watched sim0 queue 0 for [0-9.]+s: 0 events \(alloc-fail 0, copy 0\), recv-overflows [1-9][0-9]*, simulated$' "$S_TMP/ov.err"; then
			t_fail "summary: $(grep '^Watched' "$S_TMP/ov.err")"
		else
			t_pass
		fi
	fi
fi


# fe item 8: the hint keeps the session's mode (status reply), or it fails
t_begin "subscribe: a simulated session that ends before any event: the hint is 'zcrxctl bind --sim DEV Q'"
new_rundir
start s9 bind --sim s9 0
s9=$pid
has_sock s9 0
start sub9 subscribe s9 0 -t 20s
sub9=$pid
if ! wait_until 5 grep -q '^Watching ' "$S_TMP/sub9.err"; then
	t_fail "subscribe never got going: $(f sub9.err | short)"
else
	kill -TERM "$s9"
	wait_exit "$sub9" 10
	if [ "$rc" = 1 ] && grep -qF 'ended before any event (start it again with `zcrxctl bind --sim s9 0`)' "$S_TMP/sub9.err"
	then t_pass
	else t_fail "rc=$rc err=$(f sub9.err | short)"; fi
fi
stop "$s9"
stop "$sub9"

t_done
