#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A session that does not answer (SIGSTOPped): arm and subscribe wait their
# handshake timeout (5 s; subscribe's -t when shorter), then name the
# session's pid and say what it may be, in status's words (fe item 3).
. "$(dirname "$0")/lib_session.sh"

t_plan 4

ms() { echo $(($(date +%s%N) / 1000000)); }
HINT='stopped or stuck (`ps -o stat= -p PID` shows T for stopped; SIGCONT resumes one)'

new_rundir
start b bind --sim sim0 0 --area-size 64K
bp=$pid
has_sock sim0 0
# shellcheck disable=SC2317  # called through wait_until
answers() { timeout 5 "$ZCRXCTL" status sim0 0 >/dev/null 2>&1; }
wait_until 10 answers

t_begin "subscribe -t 1s, a session that answers: no event, exit 2 (the handshake is not cut short)"
run timeout 20 "$ZCRXCTL" subscribe sim0 0 -t 1s
if [ "$rc" = 2 ]; then t_pass; else t_fail "exit $rc: $(short "$err")"; fi

kill -STOP "$bp"

# -t 1s gives up after about 1 s: the unfixed client waited its 5 s whatever
# -t said, so the bound is generous (4 s wall, for a loaded machine).
t_begin "subscribe -t 1s, a stopped session: gives up within -t (< 4000 ms wall), exit 1, pid named"
t0=$(ms)
run timeout 20 "$ZCRXCTL" subscribe sim0 0 -t 1s
dt=$(($(ms) - t0))
if [ "$rc" != 1 ] || ! one_line "$err"; then t_fail "exit $rc after $dt ms: $(short "$err")"
elif ((dt >= 4000)); then t_fail "took $dt ms"
elif [[ $err != "Error: sim0 queue 0: the session did not answer within 1 s (pid $bp): $HINT" ]]; then
	t_fail "not named: $(short "$err")"
else t_pass; fi

t_begin "arm, a stopped session: exit 1 after 5 s, naming its pid and status's hint"
run timeout 20 "$ZCRXCTL" arm sim0 0
if [ "$rc" != 1 ] || ! one_line "$err"; then t_fail "exit $rc: $(short "$err")"
elif [[ $err != "Error: sim0 queue 0: the session did not answer within 5 s (pid $bp): $HINT" ]]; then
	t_fail "not named: $(short "$err")"
else t_pass; fi

t_begin "status says the same hint for the same session (one wording)"
run timeout 20 "$ZCRXCTL" status
if [ "$rc" = 1 ] && [[ $err == *"(pid $bp); $HINT" ]]; then t_pass
else t_fail "exit $rc: $(short "$err")"; fi

kill -CONT "$bp"
stop "$bp"
t_done
