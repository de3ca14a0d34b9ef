#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 11 items 2 and 7: every command refuses a RUNDIR that someone else
# could write to (another owner, group/other write, a sticky /tmp-like one),
# the clients refuse a session socket served by another uid (SO_PEERCRED)
# and print nothing it sent, and a session creates only RUNDIR's last
# component, under a parent that exists.
. "$(dirname "$0")/lib_session.sh"
OLD=$TOP/tests/helpers/oldsession
# a dev with a terminal title and clear-screen escape, as a fake session sends it
FAKE_DEV='x\u001b]0;PWNED\u0007\u001b[2J'

# the commands that look in RUNDIR: clients, and sessions looking for an
# existing one before they make theirs
CMDS=("arm sim0 0 alloc-fail" "status sim0 0" "status" "subscribe sim0 0 -c 1 -t 2s"
      "bind --sim sim0 0" "watch --sim sim0 0 --area-size 64K -c 1 -t 2s")
PEER_CMDS=("arm sim0 0 alloc-fail" "status sim0 0" "status" "subscribe sim0 0 -c 1 -t 2s")

t_plan $((${#CMDS[@]} * 2 + 2 + ${#PEER_CMDS[@]} + 2))

need_root() {
	if ! have_root; then t_skip "needs root to make directories and sockets of another uid"
	elif ! command -v setpriv >/dev/null; then t_skip "no setpriv (util-linux) to run as nobody"
	else return 1; fi
	return 0
}

# refused CMD PHRASE...: CMD (word-split) exits 1 with one Error line that
# holds every PHRASE, leaves stdout empty and no socket in RUNDIR
refused() {
	local cmd=$1 p
	shift
	# shellcheck disable=SC2086
	run timeout 10 "$ZCRXCTL" $cmd
	if [ "$rc" != 1 ] || ! one_line "$err" || [[ $err != "Error: "* ]]; then
		t_fail "exit $rc (want 1, one Error line): $(short "$err")"; return
	fi
	for p in "$@"; do
		if [[ $err != *"$p"* ]]; then t_fail "no '$p' in: $(short "$err")"; return; fi
	done
	if [ -n "$out" ]; then t_fail "stdout: $(short "$out")"; return; fi
	if compgen -G "$ZCRXCTL_RUNDIR/*.sock" >/dev/null; then
		t_fail "a socket was made: $(ls -A "$ZCRXCTL_RUNDIR")"; return
	fi
	t_pass
}

# --- the directory ----------------------------------------------------------------
for c in "${CMDS[@]}"; do
	t_begin "RUNDIR owned by nobody: '$c' refuses it, naming the owner"
	if ! need_root; then
		new_rundir
		chown 65534:65534 "$ZCRXCTL_RUNDIR"
		refused "$c" "$ZCRXCTL_RUNDIR" "nobody (uid 65534)" ZCRXCTL_RUNDIR
	fi
done
for c in "${CMDS[@]}"; do
	t_begin "RUNDIR of mode 0777: '$c' refuses it, naming the mode and owner"
	if ! need_root; then
		new_rundir
		chmod 0777 "$ZCRXCTL_RUNDIR"
		refused "$c" "$ZCRXCTL_RUNDIR" "0777" "root (uid 0)" ZCRXCTL_RUNDIR
	fi
done
for c in "status sim0 0" "bind --sim sim0 0"; do
	t_begin "a sticky world-writable RUNDIR (mode 1777, as /tmp): '$c' refuses it"
	if ! need_root; then
		new_rundir
		chmod 1777 "$ZCRXCTL_RUNDIR"
		refused "$c" "$ZCRXCTL_RUNDIR" "1777" ZCRXCTL_RUNDIR
	fi
done

# --- the listener -----------------------------------------------------------------
# plant S: a fake session of uid 65534 on S, in a RUNDIR that then passes its
# check (root's, 0755): only SO_PEERCRED tells it from a real one.  Sets $fake.
# It keeps listening, as a planted listener would: 'status DEV QUEUE' closes
# its first connection unanswered and connects again to say why, and a fake
# gone by then (SIGPIPE on its reply to the closed connection, or its one
# connection served) made that 'left by a session that died', one run in
# two or three.
plant() {
	chown 65534:65534 "$ZCRXCTL_RUNDIR"
	OLDSESSION_DEV=$FAKE_DEV setpriv --reuid=65534 --regid=65534 --clear-groups \
		env --ignore-signal=PIPE "$OLD" "$1" 8 10000 >/dev/null 2>&1 &
	fake=$!
	wait_until 10 listening "$1"
	chown 0:0 "$ZCRXCTL_RUNDIR"
	chmod 0755 "$ZCRXCTL_RUNDIR"
}
unplant() {
	kill "$fake" 2>/dev/null
	{ wait "$fake"; } 2>/dev/null
	rm -f "$(sock sim0 0)"
}

for c in "${PEER_CMDS[@]}"; do
	t_begin "a socket served by nobody: '$c' refuses it naming the owner, prints none of its reply"
	if ! need_root; then
		new_rundir
		plant "$(sock sim0 0)"
		if [ ! -S "$(sock sim0 0)" ]; then
			t_fail "the fake session did not start"
		else
			# shellcheck disable=SC2086
			run timeout 10 "$ZCRXCTL" $c
			if [[ $out == *PWNED* || $out == *$'\e'* || $out == *alloc-fail* ]]; then
				t_fail "the fake reply reached stdout: $(short "$(cat -v <<<"$out")")"
			elif [[ $err == *PWNED* || $err == *$'\e'* ]]; then
				t_fail "the fake reply reached stderr: $(short "$(cat -v <<<"$err")")"
			elif [[ $err != *"$(sock sim0 0)"*"nobody (uid 65534)"* ]]; then
				t_fail "exit $rc, no socket and owner named: $(short "$err")"
			elif [ "$c" != status ] && { [ "$rc" != 1 ] || ! one_line "$err"; }; then
				t_fail "exit $rc (want 1, one line): $(short "$err")"
			else
				t_pass
			fi
		fi
		unplant
	fi
done

# --- creating RUNDIR --------------------------------------------------------------
t_begin "ZCRXCTL_RUNDIR under a missing parent: bind exits 1 naming it and creates nothing"
tmp=$(mktemp -d /tmp/zcrxt-mk.XXXXXX)
_s_dirs+=("$tmp")
ZCRXCTL_RUNDIR=$tmp/nonexistent/x/y run timeout 10 "$ZCRXCTL" bind --sim sim0 0
if [ "$rc" = 1 ] && one_line "$err" && [[ $err == *"$tmp/nonexistent/x"*"does not exist"* ]] &&
	[ ! -e "$tmp/nonexistent" ]; then
	t_pass
else
	t_fail "exit $rc, $(ls -A "$tmp" | short): $(short "$err")"
fi

t_begin "ZCRXCTL_RUNDIR under an existing parent: its last component is made, mode 0700"
ZCRXCTL_RUNDIR=$tmp/run run timeout 10 "$ZCRXCTL" watch --sim sim0 0 --area-size 64K -c 1 -t 5s
mode=$(stat -c %a "$tmp/run" 2>/dev/null)
if [ "$rc" = 0 ] && [ "$mode" = 700 ]; then t_pass
else t_fail "exit $rc, mode '$mode': $(short "$err")"; fi

t_done
