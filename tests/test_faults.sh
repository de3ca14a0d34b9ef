#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault injection, through the simulator (no NIC, no root needed):
#  - every errno the kernel's registration can return (io_uring/zcrx.c:
#    io_register_zcrx_ifq() and what it calls) gives its diagnosis;
#  - process faults: a session killed with SIGKILL, a subscriber killed
#    mid-stream, stdout closed, and a completion queue under pressure.
. "$(dirname "$0")/lib_session.sh"

# ---------------------------------------------------------------------------
# errno -> the key phrase of its diagnosis: every errno lib/diag.c
# diag_register() words, which are those io_register_zcrx_ifq() returns.
REG_ERRNOS=(
	"EOPNOTSUPP|zcrx needs a NIC such as mlx5"
	"EINVAL|refused the registration arguments"
	"EPERM|needs CAP_NET_ADMIN"
	"EFAULT|could not read an argument or pin the area"
	"EBADF|not an exported zcrx"
	"ENOMEM|ulimit -l"
	"E2BIG|refill region is too large"
	"EOVERFLOW|address range overflows"
	"ENODEV|no interface named sim0"
	"ERANGE|physically contiguous"
	"EEXIST|memory provider is already bound"
	"EBUSY|used by AF_XDP"
	"ENODATA|attached no zcrx buffers"
)
# two cases per errno, then ten
t_plan $((2 * ${#REG_ERRNOS[@]} + 10))

new_rundir
for row in "${REG_ERRNOS[@]}"; do
	e=${row%%|*} phrase=${row#*|}
	t_begin "bind --check with registration failing $e diagnoses it ($phrase)"
	run "$ZCRXCTL" bind sim0 0 --sim --check --sim-inject-errno "$e"
	if [ "$rc" != 1 ]; then
		t_fail "exit $rc, want 1: $(short "$err")"
	elif ! one_line "$err" || [ -n "$out" ]; then
		t_fail "want one line on stderr and nothing on stdout: $(short "$err$out")"
	elif [[ $err != "Error: "*"got $e "*"$phrase"* ]]; then
		t_fail "no \"got $e\" and \"$phrase\" in: $err"
	else
		t_pass
	fi

	t_begin "-j bind --check with registration failing $e is one JSON error"
	run "$ZCRXCTL" -j bind sim0 0 --sim --check --sim-inject-errno "$e"
	if [ "$rc" != 1 ]; then
		t_fail "exit $rc, want 1"
	elif ! jqe --arg e "$e" --arg p "$phrase" \
		'(.error | contains("got " + $e) and contains($p)) and (keys == ["error"])' <<<"$out"; then
		t_fail "not {\"error\": ...} with $e and the phrase: $(short "$out")"
	elif [ -n "$err" ]; then
		t_fail "stderr under -j: $(short "$err")"
	else
		t_pass
	fi
done

t_begin "an errno given as a number (1) is diagnosed as EPERM"
run "$ZCRXCTL" bind sim0 0 --sim --check --sim-inject-errno 1
if [ "$rc" = 1 ] && [[ $err == *"got EPERM"*"needs CAP_NET_ADMIN"* ]]; then t_pass; else t_fail "exit $rc: $(short "$err")"; fi

t_begin "watch with registration failing ENOMEM diagnoses it and starts no session"
run timeout 10 "$ZCRXCTL" watch sim0 1 --sim --sim-inject-errno ENOMEM
if [ "$rc" = 1 ] && [[ $err == *"got ENOMEM"*"ulimit -l"* ]] && one_line "$err" &&
   [ ! -e "$(sock sim0 1)" ]; then
	t_pass
else
	t_fail "exit $rc, socket $(ls "$ZCRXCTL_RUNDIR"): $(short "$err")"
fi

# ---------------------------------------------------------------------------
# Process faults

status_names() { "$ZCRXCTL" -j status sim0 3 2>/dev/null | jqe --argjson p "$1" '.[0].pid == $p'; }

t_begin "after kill -9 of a session, the next bind of that queue works"
new_rundir
start killed bind sim0 3 --sim
if ! has_sock sim0 3; then
	t_fail "the session never listened: $(f killed.err | short)"
elif ! wait_until 10 status_names "$pid"; then
	t_fail "the session never answered status: $(f killed.err | short)"
else
	# it has served a request, so its next accept is in flight
	kill -KILL "$pid"
	{ wait "$pid"; } 2>/dev/null
	# at once: the dead ring's listening socket may linger while io_uring
	# tears it down, and its dead holder must not be named
	run "$ZCRXCTL" bind sim0 3 --sim --check
	if [ "$rc" = 0 ]; then t_pass; else t_fail "exit $rc: $(short "$err")"; fi
fi

t_begin "after kill -9 of a session, a new session replaces its socket and serves status"
start second bind sim0 3 --sim
if has_sock sim0 3 && wait_until 10 status_names "$pid"; then
	t_pass
else
	t_fail "$(f second.err | short)"
fi
stop "$pid"

t_begin "a subscriber killed mid-stream leaves the session running and serving"
new_rundir
start storm -j watch sim0 0 "${STARVE[@]}" --rearm=auto --holdoff 0
wpid=$pid
if ! ready storm; then
	t_fail "watch did not start: $(f storm.err | short)"
else
	start sub1 -j subscribe sim0 0
	spid=$pid
	if ! wait_until 5 at_least 3 nrec "$S_TMP/sub1.out"; then
		t_fail "the subscriber got no events: $(f sub1.err | short)"
	else
		kill -KILL "$spid"
		{ wait "$spid"; } 2>/dev/null
		n0=$(nrec "$S_TMP/storm.out")
		run timeout 10 "$ZCRXCTL" -j subscribe sim0 0 -c 3
		if ! alive "$wpid"; then
			t_fail "the session died: $(f storm.err | short)"
		elif [ "$rc" != 0 ] || [ "$(nrec <(echo "$out"))" != 3 ]; then
			t_fail "a new subscriber got exit $rc: $(short "$err$out")"
		elif ! wait_until 5 at_least $((n0 + 3)) nrec "$S_TMP/storm.out"; then
			t_fail "the session's own output stopped at $n0 events"
		else
			t_pass
		fi
	fi
fi
stop "$wpid"

t_begin "stdout closed by the reader (| head -1): watch ends quietly with status 0"
new_rundir
out=$(timeout 20 "$ZCRXCTL" watch sim0 0 "${STARVE[@]}" --rearm=auto --holdoff 0 2>"$S_TMP/pipe.err" | head -n 1)
st=("${PIPESTATUS[@]}")
if [ "${st[0]}" != 0 ]; then
	t_fail "watch exited ${st[0]}: $(f pipe.err | short)"
elif [[ $out != "event seq=1 "* ]]; then
	t_fail "first line: $out"
elif grep -q '^Error' "$S_TMP/pipe.err"; then
	t_fail "an error for a closed pipe: $(f pipe.err | short)"
else
	t_pass
fi

t_begin "stdout closed by the reader: -j subscribe ends quietly, the session carries on"
start pipesrc watch sim0 0 "${STARVE[@]}" --rearm=auto --holdoff 0
wpid=$pid
if ready pipesrc; then
	timeout 20 "$ZCRXCTL" -j subscribe sim0 0 2>"$S_TMP/pipesub.err" | head -n 1 >/dev/null
	st=("${PIPESTATUS[@]}")
	if [ "${st[0]}" != 0 ]; then
		t_fail "subscribe exited ${st[0]}: $(f pipesub.err | short)"
	elif ! alive "$wpid"; then
		t_fail "the session died: $(f pipesrc.err | short)"
	else
		t_pass
	fi
else
	t_fail "watch did not start: $(f pipesrc.err | short)"
fi
stop "$wpid"

for j in "" "-j"; do
	t_begin "stdout not open at all (>&-): ${j:+$j }watch exits 1, no hang"
	timeout 20 "$ZCRXCTL" $j watch sim0 0 "${STARVE[@]}" --rearm=auto --holdoff 0 -c 3 \
		>&- 2>"$S_TMP/closed.err"
	rc=$?
	# (under valgrind fd 1 stays closed and the loss may go unworded; plain,
	# the next fd zcrxctl opens takes number 1 and the write fails there)
	if [ "$rc" = 124 ]; then
		t_fail "still running after 20 s"
	elif [ "$rc" != 1 ]; then
		t_fail "exit $rc, want 1 (output lost): $(f closed.err | short)"
	elif [ "$(grep -c '^Error' "$S_TMP/closed.err")" -gt 1 ] ||
	     { grep -q '^Error' "$S_TMP/closed.err" &&
	       ! grep -q '^Error: .*output lost' "$S_TMP/closed.err"; }; then
		t_fail "want at most one \"Error: ... output lost\" line: $(f closed.err | short)"
	else
		t_pass
	fi
done

# The simulator posts into the session's CQ at most the free space less a
# margin, and holds the rest back (lib/sim/sim_rx.c round_begin): a CQ overflow
# cannot be forced through it.  What can be checked is the promise behind
# "no event silently lost": a storm at a high packet rate through a session
# stopped for a second, so a backlog is delivered at once when it resumes,
# still numbers its events 1..N and counts each type without a gap.
t_begin "a CQ under a backlog (SIGSTOP 1 s at 100k pps): no event lost, seq and counts contiguous"
new_rundir
start burst -j watch sim0 0 --sim --area-size 64K --sim-consumer hold:16 --sim-rate 100000 \
	--rearm=auto --holdoff 0 -c 2000
bpid=$pid
if ! ready burst; then
	t_fail "watch did not start: $(f burst.err | short)"
else
	kill -STOP "$bpid"
	sleep 1
	kill -CONT "$bpid"
	wait_exit "$bpid" 30
	if [ "$rc" != 0 ]; then
		t_fail "exit $rc: $(f burst.err | short)"
	elif ! jq -s -e '[.[] | select(.record == "event")] as $e |
		($e | length) == 2000 and
		([$e[].seq] == [range(1; 2001)]) and
		(all(["alloc-fail", "copy"][]; . as $t | [$e[] | select(.event == $t) | .count] as $c |
			$c == [range(1; ($c | length) + 1)]))' "$S_TMP/burst.out" >/dev/null; then
		t_fail "a gap: $(jq -c 'select(.record == "event") | [.seq, .event, .count]' \
			"$S_TMP/burst.out" | head -n 2000 | tr -d '\n' | cut -c1-300)"
	elif grep -q '"record":"lost"' "$S_TMP/burst.out"; then
		t_fail "watch itself reported lost records"
	else
		t_pass
	fi
fi

t_done
