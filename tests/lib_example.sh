# SPDX-License-Identifier: MIT
# The example application (examples/zcrx_recv) seen by an operator, on top of
# lib_session.sh: test_example.sh runs it on the simulator, test_vm_example.sh
# on a NODEV ifq of the VM tier's kernels.  Every wait is for a state, by the
# clock (until_s, lib_session.sh).
. "$(dirname "${BASH_SOURCE[0]}")/lib_session.sh"

EXAMPLE=$TOP/examples/zcrx_recv

# ex_start ARGS...: the example in the background, stdout in ex.out, stderr in
# ex.err; expid is its pid
ex_start() {
	: >"$S_TMP/ex.out"
	: >"$S_TMP/ex.err"
	env --default-signal=INT,PIPE "$EXAMPLE" "$@" >"$S_TMP/ex.out" 2>"$S_TMP/ex.err" &
	expid=$!
	_s_pids+=("$expid")
}
ex_port() { sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$S_TMP/ex.out"; }
ex_listening() { [ -n "$(ex_port)" ] || dead "$expid"; }
# ex_closed N: the example said N connections closed
ex_closed() { [ "$(grep -c '^connection closed' "$S_TMP/ex.out")" -ge "$1" ]; }
# send N: one connection to the example carrying N zero bytes
send() { timeout 20 bash -c 'head -c "$2" /dev/zero >"/dev/tcp/127.0.0.1/$1"' _ "$(ex_port)" "$1"; }
# ex_session [FILTER]: the session status lists for the example's pid, as
# JSON (FILTER a jq test on it, default true); false if there is none
ex_session() {
	"$ZCRXCTL" -j status 2>/dev/null |
		jq -ce --argjson p "$expid" ".[] | select(.pid == \$p) | select(${1:-true})" 2>/dev/null
}
# sub_events N: the subscriber printed N copy events
sub_events() { [ "$(jq -c 'select(.record == "event" and .event == "copy")' \
			  "$S_TMP/sub.out" 2>/dev/null | grep -c .)" -ge "$1" ]; }

# example_path WHAT ARGS...: the whole path, six cases, with the example run
# as `zcrx_recv ARGS... 127.0.0.1:0` (an ifq whose every byte is copied);
# WHAT names that ifq in the case names
example_path() {
	local what=$1 ok=no dev queue s
	shift

	t_begin "the example ($what) serves its ifq: status lists a session of its pid"
	new_rundir
	ex_start "$@" 127.0.0.1:0
	until_s 20 ex_listening
	if [ ! -x "$EXAMPLE" ]; then
		t_fail "$EXAMPLE is not built: make examples (make check builds it)"
	elif s=$(until_s 10 ex_session); then
		dev=$(jq -r .dev <<<"$s") queue=$(jq -r .queue <<<"$s") ok=yes
		t_pass
	else
		t_fail "no session of pid $expid: $(f ex.out | short) $(f ex.err | short)"
	fi

	t_begin "status names the example's program"
	if [ "$ok" = no ]; then
		t_fail "no session"
	elif "$ZCRXCTL" status "$dev" "$queue" | grep -q " prog=zcrx_recv\b" &&
	     ex_session '.prog == "zcrx_recv"' >/dev/null
	then t_pass; else t_fail "$("$ZCRXCTL" status "$dev" "$queue") $(ex_session | short)"; fi

	t_begin "subscribe in another process prints the example's copy event on its first data"
	if [ "$ok" = yes ]; then
		start sub -j subscribe "$dev" "$queue" -t 120s
		until_s 20 grep -q '^Watching ' "$S_TMP/sub.err"
		send 20000
		if until_s 20 sub_events 1 && grep -q '^event copy' "$S_TMP/ex.out"; then
			t_pass
		else
			ok=no
			t_fail "sub: $(f sub.out | short) $(f sub.err | short) ex: $(f ex.out | short)"
		fi
	else
		t_fail "no session to subscribe to"
	fi

	t_begin "arm from another process re-arms the example: the next data fires copy again"
	if [ "$ok" = yes ]; then
		run "$ZCRXCTL" arm "$dev" "$queue" copy
		send 30000
		if [ "$rc" = 0 ] && until_s 20 sub_events 2 &&
		   [ "$(grep -c '^event copy' "$S_TMP/ex.out")" = 2 ]
		then t_pass; else t_fail "arm rc=$rc ($out $err), sub: $(f sub.out | short)"; fi
	else
		t_fail "no copy event to re-arm"
	fi

	t_begin "the example counted every byte sent (20000 + 30000), and so did the session"
	if [ "$ok" = yes ] && until_s 20 ex_closed 2 &&
	   grep -q '^connection closed: 20000 bytes$' "$S_TMP/ex.out" &&
	   grep -q '^connection closed: 30000 bytes$' "$S_TMP/ex.out" &&
	   until_s 10 ex_session '.["copy-bytes"] == 50000' >/dev/null
	then t_pass; else t_fail "$(f ex.out | short) $(ex_session | short)"; fi

	t_begin "SIGTERM ends the example: status 0, its total said, its socket gone"
	if alive "$expid"; then
		kill -TERM "$expid"
		wait_exit "$expid" 20
		if [ "$rc" = 0 ] && grep -q '^received 50000 bytes' "$S_TMP/ex.out" &&
		   [ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ] && ! ex_session >/dev/null
		then t_pass
		else t_fail "rc=$rc, RUNDIR: $(ls -A "$ZCRXCTL_RUNDIR"), $(f ex.out | short) $(f ex.err | short)"; fi
	else
		t_fail "the example is gone: $(f ex.err | short)"
	fi
	stop "$pid"
}
