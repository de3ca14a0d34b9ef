#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 11, items 5, 8 and 10 (completion): status asks every session at once
# and names the ones that do not answer; subscribe's exit status when the
# session ends before any event; the --events completion offers only lists
# the parser takes.
. "$(dirname "$0")/lib_session.sh"

t_plan 10

zc() { timeout 10 env --default-signal=INT,PIPE "$ZCRXCTL" "$@"; }
# all_listed N: status -j lists N sessions that answered.
all_listed() { [ "$(zc -j status 2>/dev/null | jq '[.[] | select(.["zcrx-id"] != null)] | length' 2>/dev/null)" = "$1" ]; }
ms() { echo $(($(date +%s%N) / 1000000)); }

# --- item 5: three stopped sessions ---------------------------------------------
new_rundir
pids=()
for i in 1 2 3; do
	start "b$i" bind --sim "sim$i" 0
	pids+=("$pid")
done
for i in 1 2 3; do has_sock "sim$i" 0; done
wait_until 10 all_listed 3
for p in "${pids[@]}"; do kill -STOP "$p"; done

# The issue's figure is 1 s for the whole command: status's own deadline is
# 800 ms, which leaves 200 ms for starting the process and reading RUNDIR.
# The worst wall time of three runs must stay under 1000 ms (the unfixed
# client took 15 s, 5 s per stopped session; a 1 s deadline took 1.002 s).
t_begin "status with three stopped sessions returns within 1 s (worst of 3 < 1000 ms wall)"
worst=0
for try in 1 2 3; do
	t0=$(ms)
	timeout 20 "$ZCRXCTL" status >"$S_TMP/st.out" 2>"$S_TMP/st.err"
	rc=$?
	dt=$(($(ms) - t0))
	((dt > worst)) && worst=$dt
done
if ((worst < 1000)); then t_pass; else t_fail "worst ${worst} ms"; fi

t_begin "status names all three as not answering, with their pids, and exits 1"
m=
for i in 1 2 3; do
	grep -qx "session dev=sim$i queue=0 pid=${pids[i - 1]} answered=no" "$S_TMP/st.out" ||
		m+=" sim$i"
	grep -q "sim$i queue 0 (pid ${pids[i - 1]})" "$S_TMP/st.err" || m+=" err:sim$i"
done
grep -q '^Error: 3 sessions did not answer within 800 ms: ' "$S_TMP/st.err" || m+=" error-line"
[ "$(grep -c . "$S_TMP/st.err")" = 1 ] || m+=" one-line"
if [ "$rc" = 1 ] && [ -z "$m" ]; then t_pass
else t_fail "rc=$rc missing:$m out=$(short "$(f st.out)") err=$(short "$(f st.err)")"; fi

t_begin "status -j: one JSON array naming the three with pid and answered false, exit 1"
timeout 20 "$ZCRXCTL" -j status >"$S_TMP/sj.out" 2>"$S_TMP/sj.err"
rc=$?
ok=1
for i in 1 2 3; do
	jqe --arg d "sim$i" --argjson p "${pids[i - 1]}" \
		'any(.[]; .dev == $d and .queue == 0 and .pid == $p and .answered == false)' \
		<"$S_TMP/sj.out" || ok=0
done
# one document: jq -s sees exactly one value, an array of 3
if [ "$rc" = 1 ] && [ "$ok" = 1 ] &&
	[ "$(jq -c -s 'map(length)' <"$S_TMP/sj.out" 2>/dev/null)" = "[3]" ]; then
	t_pass
else t_fail "rc=$rc out=$(short "$(f sj.out)") err=$(short "$(f sj.err)")"; fi

t_begin "one stopped session among answering ones: the others are listed in full"
kill -CONT "${pids[0]}" "${pids[1]}"
wait_until 10 all_listed 2
run zc -j status
if [ "$rc" = 1 ] && jqe 'length == 3 and ([.[] | select(.answered == false)] | length) == 1 and
	([.[] | select(.["zcrx-id"] != null)] | length) == 2' <<<"$out" &&
	grep -q "^Error: 1 session did not answer within 800 ms: sim3 queue 0 (pid ${pids[2]})" \
		< <(zc status 2>&1 >/dev/null); then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi

t_begin "once all answer again, status exits 0 and lists them in full"
kill -CONT "${pids[2]}"
wait_until 10 all_listed 3
run zc status
if [ "$rc" = 0 ] && [ "$(grep -c '^session .* zcrx-id=' <<<"$out")" = 3 ] &&
	! grep -q 'answered=no' <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi
for p in "${pids[@]}"; do stop "$p"; done

# A stopped session whose connection queue (64) is full: connect() cannot even
# queue, so no pid; it is still listed, and status does not hang on it.
new_rundir
start bq bind --sim sim0 0
bq=$pid
has_sock sim0 0
wait_until 10 all_listed 1
kill -STOP "$bq"
t_begin "a stopped session with a full connection queue: listed, pid unknown, exit 1"
# 70 raw clients that give up at once: the first ones fill the queue (a
# closed client's connection stays queued until accepted), the rest block in
# connect.  Wait until the listener's queue is full (ss: Recv-Q, the queued
# connections, past Send-Q, the backlog), not for a time: 70 starting
# programs take seconds on a loaded or sanitized build.
# (the listener shows under the name it was bound to, .sim0.0.PID in RUNDIR)
full_queue() {
	ss -xl | awk -v d="$(dirname "$(sock sim0 0)")/" \
		'index($5, d) == 1 && $3 > 0 && $3 > $4 { f = 1 } END { exit !f }'
}
qp=()
for i in $(seq 70); do
	timeout 30 "$USOCK" -t 100 "$(sock sim0 0)" >/dev/null 2>&1 &
	qp+=("$!")
done
wait_until 20 full_queue
run timeout 20 "$ZCRXCTL" -j status
kill "${qp[@]}" 2>/dev/null
wait "${qp[@]}" 2>/dev/null
if [ "$rc" = 1 ] && jqe 'length == 1 and .[0].dev == "sim0" and .[0].pid == null and
	.[0].answered == false' <<<"$out"; then t_pass
else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi
stop "$bq"

# --- item 8: subscribe when the session ends before any event -------------------
new_rundir
start s1 bind --sim sim0 0
s1=$pid
has_sock sim0 0
start sub subscribe sim0 0 -t 5s
sub=$pid
t_begin "subscribe -t: the session ends before any event: exit 1, one line saying so"
if ! wait_until 5 grep -q '^Watching ' "$S_TMP/sub.err"; then
	t_fail "subscribe never got going: $(short "$(f sub.err)")"
else
	kill -TERM "$s1"
	wait_exit "$sub" 10
	n=$(grep -c '^Error: the session on sim0 queue 0 ended before any event' "$S_TMP/sub.err")
	if [ "$rc" = 1 ] && [ "$n" = 1 ] && [ "$(grep -c '^Error' "$S_TMP/sub.err")" = 1 ]; then
		t_pass
	else t_fail "rc=$rc err=$(short "$(f sub.err)")"; fi
fi
stop "$s1"
stop "$sub"

# --- item 10: the --events completion ---------------------------------------------
# comp WORD...: the bash candidates for completing the last WORD
comp() {
	bash -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_zcrxctl zcrxctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP/completions/bash/zcrxctl" "$@" 2>&1 |
		grep . | sort -u
}
# Every word offered after --events (empty, after one type and a comma, after
# two) is a list bind --check takes, with and without --nodev.
t_begin "bash: every --events list offered is one bind --check accepts"
bad= n=0
for pre in '' alloc-fail, copy, alloc-fail,copy,; do
	for w in $(comp zcrxctl bind sim0 0 --sim --events "$pre"); do
		n=$((n + 1))
		zc bind --sim sim0 0 --events "$w" --check >/dev/null 2>&1 || bad+=" $w"
	done
	for w in $(comp zcrxctl bind --nodev --listen 1 eth0 0 --events "$pre"); do
		n=$((n + 1))
		zc bind --sim sim0 0 --events "$w" --check >/dev/null 2>&1 || bad+=" $w"
	done
done
if ((n < 6)); then t_fail "only $n words offered"
elif [ -z "$bad" ]; then t_pass; else t_fail "offered but refused:$bad"; fi

t_begin "bash: after a comma, --events offers neither all nor none"
got=$(comp zcrxctl watch sim0 0 --events alloc-fail,)
if [ "$got" = alloc-fail,copy ]; then t_pass; else t_fail "got: $(echo $got)"; fi

# zsh: a real completion in a zsh on a pseudo-terminal (as test_completion.sh)
t_begin "zsh: after a comma, --events offers only the types not yet named"
if ! command -v zsh >/dev/null; then
	t_skip "zsh is not installed (CI installs it)"
elif ! zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
	t_skip "this zsh has no zsh/zpty module to complete on a pseudo-terminal"
else
	sed -n '/^cat >"\$TMP\/capture.zsh" <<.EOF.$/,/^EOF$/p' "$TOP/tests/test_completion.sh" |
		sed '1d;$d' >"$S_TMP/capture.zsh"
	zc1=$(timeout 20 zsh -f "$S_TMP/capture.zsh" "$TOP/completions/zsh" \
		'zcrxctl watch sim0 0 --events alloc-fail,' 2>/dev/null | sort -u | tr '\n' ' ')
	zc0=$(timeout 20 zsh -f "$S_TMP/capture.zsh" "$TOP/completions/zsh" \
		'zcrxctl watch sim0 0 --events ' 2>/dev/null | sort -u | tr '\n' ' ')
	if [ "$zc1" = "copy " ] && [ "$zc0" = "all alloc-fail copy none " ]; then t_pass
	else t_fail "after 'alloc-fail,': '$zc1'; first: '$zc0'"; fi
fi

t_done
