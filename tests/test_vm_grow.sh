#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Growing a live ifq on the real kernel (ZCRX_CTRL_ADD_AREA, Linux 7.3), run
# by the VM tier (tests/vm/guest.list) with NIC-less (NODEV) sessions fed
# over loopback TCP; tests/unit/test_nodev shows the same through the
# library alone.  A case about what this kernel lacks is not run (t_na).
#
# 1. `features` reports add-area as the kernel's ctrl op count says.
# 2. A session whose consumer keeps every buffer of its 64 KiB area (16
#    buffers, --hold 16) starves on a 400000-byte stream; `zcrxctl grow`
#    adds a 64 KiB area (id 1); the stalled receive goes on into it (status:
#    area-rx-buffers counts data CQEs by the area id the kernel put in each
#    CQE), and the whole stream arrives, which it can only if the buffers
#    of area 1 went back with area 1's token and were received into again
#    (more than its 16 buffers' worth land there).
# 3. --auto-grow on NODEV: each receive the kernel ends for want of buffers
#    adds an area, said in a grow record, until MAX, said once.  --hold 64
#    keeps more buffers than MAX's three 16-buffer areas have, so the receive
#    starves after every grow and the stop always comes (with --hold 40, 8
#    buffers went round and a loaded guest's stream could end before it).
# 4. Before 7.3 (NODEV kernels, 7.1 and 7.2): grow exits 3 naming Linux 7.3,
#    and --auto-grow is refused before binding, exit 3 too.
# Every wait is for a state, never a sleep.
. "$(dirname "$0")/lib_session.sh"

STREAM=400000

send() { timeout 20 bash -c 'head -c "$2" /dev/zero >"/dev/tcp/127.0.0.1/$1"' _ "$1" "$2"; }
bound() { grep -q '"listen"' "$S_TMP/$1.out"; }
settled() { bound "$1" || dead "$2"; }
# listening_on NAME PID: watch NAME said where it receives, or is gone
listening_on() { grep -q '^Receiving TCP connections on ' "$S_TMP/$1.err" || dead "$2"; }
bound_port() { jq -r 'select(.listen) | .listen | sub(".*:"; "")' "$S_TMP/$1.out" | head -n 1; }
# status_of DEV QUEUE FILTER: jq test on the one session `status DEV QUEUE -j` reports
status_of() {
	"$ZCRXCTL" -j status "$1" "$2" |
		jq -e "(if type == \"array\" then .[0] else . end) | $3" >/dev/null 2>&1
}
add_area=no
"$ZCRXCTL" -q features --require add-area >/dev/null 2>&1 && add_area=yes
# needs grow|old: this case applies to this kernel (else t_na) and this machine can run it
needs() {
	if [ "$nodev" != yes ]; then t_na "$nodev"; return 1; fi
	if [ "$1" = grow ] && [ "$add_area" != yes ]; then
		t_na "kernel $(uname -r) has no ZCRX_CTRL_ADD_AREA (Linux 7.3+)"
		return 1
	fi
	if [ "$1" = old ] && [ "$add_area" = yes ]; then
		t_na "kernel $(uname -r) has ZCRX_CTRL_ADD_AREA: nothing to refuse"
		return 1
	fi
	if ! have_root; then t_skip "registering an ifq needs root (CAP_NET_ADMIN)"; return 1; fi
}

kernel_zcrx

t_begin "features reports add-area as the zcrx query's ctrl op count says"
run "$ZCRXCTL" -j features
sup=$(jq -r '.features["add-area"].supported' <<<"$out")
why=$(jq -r '.features["add-area"].reason' <<<"$out")
case $(uname -r) in
7.[3-9]* | [89].*) want=true ;;
*) want=false ;;
esac
if [ "$rc" = 0 ] && [ "$sup" = "$want" ] &&
	{ [ "$want" = true ] || grep -q 'Linux 7.3\|no zcrx query' <<<"$why"; }; then t_pass
else t_fail "add-area=$sup (want $want on $(uname -r)) reason '$why'"; fi

# --- 2. grow through the session -------------------------------------------------
t_begin "grow adds area 1 to a NODEV session starved on area 0: exit 0, areas 2"
g_ok=no
if needs grow; then
	new_rundir
	start g -j bind --nodev n0 0 --area-size 64K --hold 16 --listen 127.0.0.1:0
	g=$pid
	until_s 30 settled g "$g"
	port=$(bound_port g)
	if [ -z "$port" ]; then
		t_fail "the session did not bind: $(f g.out | short) $(f g.err | short)"
	else
		send "$port" "$STREAM" &
		sender=$!
		# area 0 all kept: the receive ran dry, and stays so
		if ! until_s 30 status_of n0 0 '.["area-rx-buffers"] == [16] and .["recv-stalls"] >= 1'
		then
			t_fail "no starvation on area 0: $("$ZCRXCTL" -j status n0 0 2>&1 | short)"
		else
			run "$ZCRXCTL" grow n0 0 64K
			if [ "$rc" = 0 ] && grep -q 'area-id=1 size=65536 areas=2 area-size=131072 mode=' <<<"$out"; then
				g_ok=yes
				t_pass
			else
				t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"
			fi
		fi
	fi
fi

t_begin "the stream goes on into area 1 (its id in the CQEs), whose buffers go back and are received into again"
if needs grow; then
	if [ "$g_ok" != yes ]; then
		t_fail "no grown session (the case above)"
	elif until_s 60 status_of n0 0 ".[\"copy-bytes\"] == $STREAM and .[\"area-rx-buffers\"][1] > 16"
	then
		t_pass
	else
		t_fail "$("$ZCRXCTL" status n0 0 2>&1 | short)"
	fi
	wait "$sender" 2>/dev/null
	stop "$g"
fi

# --- 3. --auto-grow --------------------------------------------------------------
t_begin "watch --nodev --auto-grow adds an area on each starved receive, a grow record each, then stops at MAX once"
if needs grow; then
	new_rundir
	start a -j watch --nodev n1 0 --area-size 64K --hold 64 --listen 127.0.0.1:0 \
		--auto-grow 64K,192K
	a=$pid
	until_s 30 listening_on a "$a"
	port=$(sed -n 's/^Receiving TCP connections on .*:\([0-9]*\)$/\1/p' "$S_TMP/a.err" | head -n 1)
	if [ -z "$port" ]; then
		t_fail "the session did not bind: $(f a.out | short) $(f a.err | short)"
	else
		send "$port" "$STREAM"
		stopped() { jq -se 'any(.[]; .record == "grow" and .stopped)' "$S_TMP/a.out" >/dev/null 2>&1; }
		until_s 60 stopped
		ids=$(jq -c 'select(.record == "grow" and .stopped == false) | [.["area-id"], .by]' \
			"$S_TMP/a.out" 2>/dev/null | tr '\n' ' ')
		nstop=$(jq -c 'select(.record == "grow" and .stopped)' "$S_TMP/a.out" 2>/dev/null | grep -c .)
		if [ "$ids" = '[1,"recv-stalled"] [2,"recv-stalled"] ' ] && [ "$nstop" = 1 ] &&
			status_of n1 0 '.areas == 3 and .["area-size"] == 196608'; then t_pass
		else t_fail "grown: '$ids' stopped records: $nstop $("$ZCRXCTL" status n1 0 2>&1 | short)"; fi
	fi
	stop "$a"
fi

# --- 4. before 7.3 ----------------------------------------------------------------
t_begin "before 7.3, grow on a NODEV session exits 3 naming Linux 7.3"
if needs old; then
	new_rundir
	start o bind --nodev n2 0 --area-size 64K --listen 127.0.0.1:0
	o=$pid
	if ! until_s 30 test -S "$(sock n2 0)"; then
		t_fail "the session did not bind: $(f o.err | short)"
	else
		run "$ZCRXCTL" grow n2 0 64K
		if [ "$rc" = 3 ] && one_line "$err" && grep -q 'needs Linux 7.3.*restart the session with a larger --area-size' <<<"$err"; then t_pass
		else t_fail "rc=$rc out=$(short "$out") err=$(short "$err")"; fi
	fi
	stop "$o"
fi

t_begin "before 7.3, --auto-grow is refused before binding: exit 3 as grow, one line, no socket"
if needs old; then
	new_rundir
	run timeout 30 "$ZCRXCTL" bind --nodev n3 0 --listen 0 --auto-grow 64K
	if [ "$rc" = 3 ] && one_line "$err" && grep -q -- '--auto-grow on n3 queue 0: this kernel cannot add areas' <<<"$err" &&
		[ -z "$(ls -A "$ZCRXCTL_RUNDIR")" ]; then t_pass
	else t_fail "rc=$rc err=$(short "$err") rundir: $(ls -A "$ZCRXCTL_RUNDIR")"; fi
fi

t_done
