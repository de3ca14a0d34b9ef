#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Malformed invocations and requests.  Each one is asserted twice: in text
# mode (its exit status, exactly one "Error: ..." line on stderr naming the
# culprit, nothing on stdout) and under -j (the same status, one JSON object
# {"error": ...} on stdout with the same words, nothing on stderr).  Then
# garbage on a live session's control socket, a client of another uid and a
# runtime directory that cannot be written.  Everything runs on the simulator
# or fails before touching a NIC.
. "$(dirname "$0")/lib_session.sh"

new_rundir

# bad RC PHRASE ARGS...: zcrxctl ARGS fails with RC and an error containing PHRASE.
bad() {
	local want=$1 phrase=$2
	shift 2
	t_begin "zcrxctl $* -> $want, \"$phrase\""
	run timeout 20 "$ZCRXCTL" "$@"
	if [ "$rc" != "$want" ]; then
		t_fail "exit $rc: $(short "$err$out")"
	elif [ -n "$out" ]; then
		t_fail "stdout: $(short "$out")"
	elif ! one_line "$err" || [[ $err != "Error: "* ]]; then
		t_fail "want one Error: line on stderr: $(short "$err")"
	elif [[ $err != *"$phrase"* ]]; then
		t_fail "no \"$phrase\" in: $err"
	else
		t_pass
	fi

	t_begin "zcrxctl -j $* -> $want, {\"error\": ...}"
	run timeout 20 "$ZCRXCTL" -j "$@"
	if [ "$rc" != "$want" ]; then
		t_fail "exit $rc: $(short "$err$out")"
	elif [ -n "$err" ]; then
		t_fail "stderr under -j: $(short "$err")"
	elif ! jqe --arg p "$phrase" '(keys == ["error"]) and (.error | contains($p))' <<<"$out" ||
	     ! one_line "$out"; then
		t_fail "not one {\"error\"} object with \"$phrase\": $(short "$out")"
	else
		t_pass
	fi
}

# --- the command line ------------------------------------------------------
bad 64 "unknown command 'frobnicate'"		frobnicate
bad 64 "unrecognized option '--bogus'"		--bogus features
bad 64 "unrecognized option '--bogus'"		features --bogus
bad 64 "--color takes auto, always or never"	--color=purple features
bad 64 "unknown feature 'nosuch'"		features --require nosuch
bad 64 "--require needs at least one feature"	features --require ''
bad 64 "not '12Q'"				bind sim0 0 --sim --check --area-size 12Q
bad 64 "not '-1'"				bind sim0 0 --sim --check --area-size -1
bad 64 "not '0'"				bind sim0 0 --sim --check --area-size 0
bad 64 "not '1T'"				bind sim0 0 --sim --check --area-size 1T
bad 64 "not '17179869184G'"			bind sim0 0 --sim --check --area-size 17179869184G
bad 64 "multiple of the page size"		bind sim0 0 --sim --check --area-size 5000
bad 1  "ask for a smaller area"		bind sim0 0 --sim --check --area-size 16777216G
bad 64 "from 1 to 32768, not '0'"		bind sim0 0 --sim --check --rq-entries 0
bad 64 "from 1 to 32768, not '1000000000'"	bind sim0 0 --sim --check --rq-entries 1000000000
bad 64 "from 1 to 32768, not '-5'"		bind sim0 0 --sim --check --rq-entries -5
bad 64 "power of two"				bind sim0 0 --sim --check --rx-buf-len 3000
bad 64 "at least the page size"			bind sim0 0 --sim --check --rx-buf-len 1K
bad 64 "not 'bogus'"				bind sim0 0 --sim --check --events bogus
bad 64 "not 'alloc-fail,,copy'"			bind sim0 0 --sim --check --events alloc-fail,,copy
bad 64 "not 'Copy'"				bind sim0 0 --sim --check --events Copy
bad 64 "in a range zcrxctl uses"		bind sim0 0 --sim --check --user-data 0x6c70000000000001
bad 64 "--user-data"				bind sim0 0 --sim --check --user-data -1
bad 64 "not '-1'"				watch sim0 0 --sim -c -1
bad 64 "not '0'"				watch sim0 0 --sim --count 0
bad 64 "not '99999999999999999999'"		watch sim0 0 --sim -c 99999999999999999999
bad 64 "not '-5s'"				watch sim0 0 --sim -t -5s
bad 64 "not '5parsecs'"				watch sim0 0 --sim --timeout 5parsecs
bad 64 "not '0'"				watch sim0 0 --sim --timeout 0
bad 64 "not '1y'"				watch sim0 0 --sim --rearm=auto --holdoff 1y
bad 64 "--stats-interval"			watch sim0 0 --sim --stats-interval 99999999999h
bad 64 "not 'sometimes'"			watch sim0 0 --sim --rearm=sometimes
bad 64 "not 'utc'"				watch sim0 0 --sim --timestamp=utc
bad 64 "applies to --rearm=auto only"		watch sim0 0 --sim --holdoff 1s --rearm=manual
bad 64 "unrecognized option '--check'"		watch sim0 0 --sim --check
bad 64 "unrecognized option '--rearm=auto'"	bind sim0 0 --sim --rearm=auto
bad 64 "--sim-rate needs --sim"			bind sim0 0 --check --sim-rate 5
bad 64 "--consume-delay needs --listen"		bind sim0 0 --sim --check --consume-delay 1s
bad 64 "not '2'"				bind sim0 0 --sim --check --sim-copy-ratio 2
bad 64 "not '9.9'"				bind sim0 0 --sim --check --sim-kernel 9.9
bad 64 "not 'later'"				bind sim0 0 --sim --check --sim-consumer later
bad 64 "not 'EWHAT'"				bind sim0 0 --sim --check --sim-inject-errno EWHAT
bad 64 "not '0'"				bind sim0 0 --sim --check --sim-inject-errno 0
bad 64 "missing QUEUE"				bind sim0 --sim --check
bad 64 "not 'x'"				bind sim0 x --sim --check
bad 64 "not '4294967296'"			show lo 4294967296
bad 64 "not 'a/b'"				bind a/b 0 --sim --check
bad 64 "not 'xxxxxxxxxxxxxxxx'"			bind xxxxxxxxxxxxxxxx 0 --sim --check
bad 64 "unexpected argument 'extra'"		bind sim0 0 extra --sim --check
bad 64 "not 'bogus'"				arm sim0 0 bogus
bad 1  "which know alloc-fail only"		watch sim0 0 --sim --sim-kernel may-2026 --events copy
bad 1  "has no zcrx events"			watch sim0 0 --sim --sim-kernel none --events copy
bad 1  "which have no stats"			bind sim0 0 --sim --check --stats --sim-kernel may-2026
bad 1  "device 'nosuchdev0' not found"		show nosuchdev0
bad 1  "no interface named nosuchdev0"		bind nosuchdev0 0 --check
bad 1  "queue 99 out of range"			show lo 99
bad 1  "no session owns sim0 queue 0"		arm sim0 0 alloc-fail
bad 1  "no session owns sim0 queue 0"		subscribe sim0 0 -c 1

# --- a runtime directory that cannot be written ----------------------------
t_begin "a runtime directory below a file: watch exits 1 naming it and ZCRXCTL_RUNDIR"
ZCRXCTL_RUNDIR=/dev/null/zcrxctl run timeout 20 "$ZCRXCTL" watch sim0 0 --sim -c 1
if [ "$rc" = 1 ] && one_line "$err" && [[ $err == *"/dev/null/zcrxctl"*"ZCRXCTL_RUNDIR"* ]]; then
	t_pass
else
	t_fail "exit $rc: $(short "$err")"
fi

t_begin "a relative ZCRXCTL_RUNDIR: exit 1 naming it, nothing created"
rel=zcrxt-rel-$$
ZCRXCTL_RUNDIR=$rel/dir run timeout 20 "$ZCRXCTL" watch sim0 0 --sim -c 1
if [ "$rc" = 1 ] && one_line "$err" && [[ $err == *"absolute"*"$rel/dir"* ]] && [ ! -e "$rel" ]; then
	t_pass
else
	t_fail "exit $rc: $(short "$err")"
fi
rm -rf "$rel"

t_begin "a runtime directory another user owns: watch as nobody exits 1 with one line"
if ! have_root || ! command -v setpriv >/dev/null; then
	t_skip "needs root and setpriv to run as nobody"
else
	rd=$(mktemp -d /tmp/zcrxt-ro.XXXXXX)
	_s_dirs+=("$rd")
	chmod 755 "$rd"
	ZCRXCTL_RUNDIR=$rd run timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$ZCRXCTL" watch sim0 0 --sim -c 1
	if [ "$rc" = 1 ] && one_line "$err" && [[ $err == "Error: "*"$rd"* ]]; then
		t_pass
	else
		t_fail "exit $rc: $(short "$err")"
	fi
fi

# --- the control socket ----------------------------------------------------
# req NAME LINE PHRASE: LINE on the socket gets {"v":1,"ok":false,...PHRASE...}
# and the connection is closed (usock exits 0 at EOF, 2 on a timeout).
req() {
	local name=$1 line=$2 phrase=$3
	t_begin "control socket: $name -> ok:false, \"$phrase\", closed"
	run "$USOCK" -t 3000 "$(sock sim0 0)" "$line"
	if [ "$rc" != 0 ]; then
		t_fail "usock exit $rc (connection not closed?): $(short "$out$err")"
	elif ! one_line "$out" ||
	     ! jqe --arg p "$phrase" '.v == 1 and .ok == false and (.error | contains($p))' <<<"$out"; then
		t_fail "$(short "$out")"
	else
		t_pass
	fi
}

new_rundir
start sess watch sim0 0 --sim --sim-rate 0
spid=$pid
if ! ready sess; then
	t_fail "the session did not start: $(f sess.err | short)"
else
	big=$(head -c 5000 /dev/zero | tr '\0' a)
	req "garbage"			'hello'					"not one JSON value"
	req "binary bytes"		"$(printf '\x01\x02\xff\xfe')"		"not one JSON value"
	req "trailing garbage"		'{"v":1,"cmd":"status"} x'		"not one JSON value"
	req "duplicate keys"		'{"v":1,"cmd":"status","cmd":"arm"}'	"not one JSON value"
	req "an array"			'[1,2]'					"not a JSON object"
	req "no version"		'{"cmd":"status"}'			"protocol version 1"
	req "version 2"			'{"v":2,"cmd":"status"}'		"protocol version 1"
	req "no cmd"			'{"v":1}'				"no \"cmd\""
	req "unknown cmd"		'{"v":1,"cmd":"reboot"}'		"unknown cmd"
	req "nested too deeply"		"$(printf '[%.0s' {1..40})"		"nested too deeply"
	req "a line over 4096 bytes"	"{\"v\":1,\"cmd\":\"status\",\"x\":\"$big\"}" "longer than 4096"
	req "100 KB without a newline"	"$(head -c 100000 /dev/zero | tr '\0' a)" "longer than 4096"

	t_begin "control socket: arm of an unknown event -> ok:false naming it"
	run "$USOCK" -t 3000 -n 1 "$(sock sim0 0)" '{"v":1,"cmd":"arm","event":"bogus"}'
	if jqe '.ok == false and (.error | contains("bogus"))' <<<"$out"; then t_pass; else t_fail "$(short "$out")"; fi

	t_begin "control socket: a client of another uid is refused with one JSON line"
	if ! have_root || ! command -v setpriv >/dev/null; then
		t_skip "needs root and setpriv to connect as nobody"
	else
		chmod 755 "$ZCRXCTL_RUNDIR"
		chmod 666 "$(sock sim0 0)"
		run setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$USOCK" -t 3000 "$(sock sim0 0)" '{"v":1,"cmd":"status"}'
		if jqe '.ok == false and (.error | contains("uid 65534 may not use this session"))' \
			<<<"$out" && one_line "$out"; then
			t_pass
		else
			t_fail "exit $rc: $(short "$out$err")"
		fi
	fi

	t_begin "after all that, the session is alive and answers status"
	run "$ZCRXCTL" -j status sim0 0
	if alive "$spid" && [ "$rc" = 0 ] && jqe --argjson p "$spid" '.[0].pid == $p' <<<"$out"; then
		t_pass
	else
		t_fail "exit $rc, alive $(alive "$spid" && echo yes || echo no): $(short "$out$err")"
	fi
fi
stop "$spid"

t_done
