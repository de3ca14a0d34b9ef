#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What sits where a session socket should be (RUNDIR/DEV.QUEUE.sock), and
# what every command says about it (issue 11, item 2): a plain file, a
# directory, a FIFO or a symlink is named as what it is and never followed;
# only a socket nobody listens on is a dead session's; a live session of
# another user is named with that user, and what to do.  status lists each
# such refused entry (answered=no, refused=yes; in -j "refused": why) and says
# why on stderr even under -q, and exits 1 (fe items 1, 9, 10).
. "$(dirname "$0")/lib_session.sh"

t_plan 19

Z=("$ZCRXCTL")
# kinds: the things planted under a socket's name, and the word for each
KINDS=(file dir fifo symlink)
declare -A WORD=([file]="a plain file" [dir]="a directory" [fifo]="a FIFO"
	[symlink]="a symbolic link")
# how to remove each: rm alone fails on a directory
declare -A FIX=([file]="rm" [dir]="rm -r" [fifo]="rm" [symlink]="rm")

# plant_kind KIND PATH: put a KIND at PATH; a symlink points at a live
# session socket of ours ($target), so following it would reach a session.
plant_kind() {
	case $1 in
	file) : >"$2" ;;
	dir) mkdir "$2" ;;
	fifo) mkfifo "$2" ;;
	symlink) ln -s "$target" "$2" ;;
	esac
}

# named KIND: the last command failed with exit 1 and one line naming what
# is at sim0 queue 7's name, the fix, and no dead session.
named() {
	local p
	p=$(sock sim0 7)
	if [ "$rc" != 1 ] || ! one_line "$err"; then
		t_fail "exit $rc (want 1, one line): $(short "$err")"
	elif [[ $err != "Error: "*"$p is ${WORD[$1]}, not a session socket: remove it with \`${FIX[$1]}\`"* ]]; then
		t_fail "not named as ${WORD[$1]}: $(short "$err")"
	elif [[ $err == *died* ]]; then
		t_fail "calls it a dead session's: $(short "$err")"
	else
		t_pass
	fi
}

# One live session of ours on sim0 queue 5: the symlinks point at its socket.
new_rundir
start live bind sim0 5 --sim
live=$pid
has_sock sim0 5
target=$(sock sim0 5)

for k in "${KINDS[@]}"; do
	t_begin "arm, $k at the socket's name: names it ${WORD[$k]}, exit 1, nothing followed"
	rm -rf "$(sock sim0 7)"
	plant_kind "$k" "$(sock sim0 7)"
	run timeout 10 "${Z[@]}" arm sim0 7 alloc-fail
	named "$k"
done

t_begin "status DEV QUEUE, a directory at the socket's name: names it, exit 1"
rm -rf "$(sock sim0 7)"
plant_kind dir "$(sock sim0 7)"
run timeout 10 "${Z[@]}" status sim0 7
named dir

t_begin "subscribe, a FIFO at the socket's name: names it, exit 1 (does not hang)"
rm -rf "$(sock sim0 7)"
plant_kind fifo "$(sock sim0 7)"
run timeout 10 "${Z[@]}" subscribe -t 1s sim0 7
named fifo

t_begin "bind, a directory at the socket's name: names it, exit 1"
rm -rf "$(sock sim0 7)"
plant_kind dir "$(sock sim0 7)"
run timeout 10 "${Z[@]}" bind --sim sim0 7
named dir

t_begin "-q status: each non-socket listed as refused, said on stderr (path once), exit 1; -j: in the array"
rm -rf "$(sock sim0 7)"
for k in "${KINDS[@]}"; do
	case $k in file) q=10 ;; dir) q=11 ;; fifo) q=12 ;; symlink) q=13 ;; esac
	plant_kind "$k" "$(sock sim0 "$q")"
done
run timeout 10 "${Z[@]}" -q status
terr=$err trc=$rc
run timeout 10 "${Z[@]}" -q -j status
why=
[ "$trc" = 1 ] || why+=" text exit $trc;"
for k in "${KINDS[@]}"; do
	case $k in file) q=10 ;; dir) q=11 ;; fifo) q=12 ;; symlink) q=13 ;; esac
	p=$(sock sim0 "$q")
	line=$(grep -F "$p" <<<"$terr")
	[ "$line" = "Error: $p is ${WORD[$k]}, not a session socket: remove it with \`${FIX[$k]}\`" ] ||
		why+=" $k not said once: $(short "$line");"
	jqe --argjson q "$q" --arg w "${WORD[$k]}" 'any(.[]; .dev == "sim0" and .queue == $q and
		.answered == false and .pid == null and (.refused | contains($w)))' <<<"$out" ||
		why+=" $k not listed;"
done
if [ "$rc" != 1 ]; then t_fail "exit $rc, want 1: $(short "$err")"
elif ! jqe 'length == 5 and any(.[]; .queue == 5 and .pid != null and (has("refused") | not))' <<<"$out"; then
	t_fail "listed $(short "$out")"
elif [ -n "$why" ]; then t_fail "$why $(short "$out")"
elif [[ $terr == *"No live sessions"* ]]; then t_fail "says no live sessions: $(short "$terr")"
else t_pass; fi
rm -rf "$ZCRXCTL_RUNDIR"/sim0.1[0-3].sock

t_begin "bind --check, a directory at the socket's name: --check makes no socket, exit 0"
rm -rf "$(sock sim0 7)"
plant_kind dir "$(sock sim0 7)"
run timeout 10 "${Z[@]}" bind --sim sim0 7 --check
if [ "$rc" = 0 ] && [ -d "$(sock sim0 7)" ]; then t_pass
else t_fail "exit $rc: $(short "$err")"; fi
rm -rf "$(sock sim0 7)"

t_begin "a socket nobody listens on (a session killed -9) is still the dead session's"
start dead bind sim0 8 --sim
dp=$pid
has_sock sim0 8
{ kill -KILL "$dp"; wait "$dp"; } 2>/dev/null
# its listener accepts for a few ms more while the kernel tears the ring down
# shellcheck disable=SC2317  # called through wait_until
refused() { "$USOCK" -t 500 "$(sock sim0 8)" '{"v":1,"cmd":"status"}' >/dev/null 2>&1; [ $? = 1 ]; }
wait_until 5 refused
run timeout 10 "${Z[@]}" arm sim0 8 alloc-fail
if [ "$rc" = 1 ] && one_line "$err" && [[ $err == *"$(sock sim0 8) was left by a session that died"* ]]; then
	t_pass
else t_fail "exit $rc: $(short "$err")"; fi
stop "$live"

# --- a session of another user ---------------------------------------------------------
U=zcrxstale$$
made_user=
# shellcheck disable=SC2317  # the EXIT trap's
stale_cleanup() {
	_s_cleanup
	[ -n "$made_user" ] && userdel "$U" 2>/dev/null
}
trap stale_cleanup EXIT

as_u() { setpriv --reuid="$U" --regid="$U" --clear-groups "$@"; }	# foreground only

why_not=
if ! have_root; then why_not="needs root to make a user"
elif ! command -v setpriv >/dev/null || ! command -v useradd >/dev/null; then
	why_not="no setpriv or useradd"
elif ! useradd -r -M -s /usr/sbin/nologin "$U" 2>/dev/null; then why_not="useradd $U failed"
else
	made_user=1
	uid=$(id -u "$U")
	as_u test -x "$ZCRXCTL" || why_not="user $U cannot run $ZCRXCTL"
fi

# U's session on sim0 queue 0, in a RUNDIR root trusts (root's, 0755): U
# binds while the directory is U's, then it is given back to root.
if [ -z "$why_not" ]; then
	new_rundir
	chown "$U:$U" "$ZCRXCTL_RUNDIR"
	: >"$S_TMP/u.err"
	# setpriv itself, not a function: $! is then the session (setpriv execs it)
	setpriv --reuid="$U" --regid="$U" --clear-groups "$ZCRXCTL" bind sim0 0 --sim \
		>/dev/null 2>"$S_TMP/u.err" &
	upid=$!
	_s_pids+=("$upid")
	has_sock sim0 0
	chown 0:0 "$ZCRXCTL_RUNDIR"
	chmod 0755 "$ZCRXCTL_RUNDIR"
fi

# another_user: the last bind/watch as root was refused, naming U, its pid,
# and what to do, in one line, exit 1.
another_user() {
	if [ ! -S "$(sock sim0 0)" ]; then t_fail "$U's session did not start: $(short "$(f u.err)")"
	elif [ "$rc" != 1 ] || ! one_line "$err"; then t_fail "exit $rc (want 1, one line): $(short "$err")"
	elif [[ $err != "Error: sim0 queue 0 is already bound by pid $upid of user $U (uid $uid)"* ]]; then
		t_fail "user not named: $(short "$err")"
	elif [[ $err != *"kill $upid"* || $err != *"root's clients refuse it"* ]]; then
		t_fail "no fix given: $(short "$err")"
	else t_pass; fi
}

t_begin "bind as root on a queue another user's session holds: names that user and uid, exit 1"
if [ -n "$why_not" ]; then t_skip "$why_not"
else
	run timeout 10 "${Z[@]}" bind --sim sim0 0
	another_user
fi

t_begin "watch as root on a queue another user's session holds: names that user and uid, exit 1"
if [ -n "$why_not" ]; then t_skip "$why_not"
else
	run timeout 10 "${Z[@]}" watch --sim sim0 0 -t 1s
	another_user
fi

t_begin "arm as root on another user's session: refused naming that user (the peer check)"
if [ -n "$why_not" ]; then t_skip "$why_not"
else
	run timeout 10 "${Z[@]}" arm sim0 0 alloc-fail
	if [ "$rc" = 1 ] && one_line "$err" && [[ $err == *"user $U (uid $uid)"* ]]; then t_pass
	else t_fail "exit $rc: $(short "$err")"; fi
fi

# refused_said: the last status said the refusal of U's socket on stderr
# (under -q too), naming U, never "No live sessions", and exited 1.
refused_said() {
	if [ "$rc" != 1 ]; then t_fail "exit $rc, want 1: $(short "$err") $(short "$out")"
	elif [[ $err != *"Error: refusing $(sock sim0 0): "*"pid $upid of user $U (uid $uid)"* ]]; then
		t_fail "refusal not said: $(short "$err")"
	elif [[ $err == *"No live sessions"* ]]; then t_fail "says no live sessions: $(short "$err")"
	elif [[ $out != "session dev=sim0 queue=0 pid=$upid answered=no refused=yes" ]]; then
		t_fail "not listed: $(short "$out")"
	else t_pass; fi
}

t_begin "-q status with another user's socket: refused even under -q, listed, exit 1"
if [ -n "$why_not" ]; then t_skip "$why_not"
else
	run timeout 10 "${Z[@]}" -q status
	refused_said
fi

t_begin "-q status DEV with another user's socket: refused even under -q, listed, exit 1"
if [ -n "$why_not" ]; then t_skip "$why_not"
else
	run timeout 10 "${Z[@]}" -q status sim0
	refused_said
fi

t_begin "-q -j status with another user's socket: in the array with pid, answered false, refused"
if [ -n "$why_not" ]; then t_skip "$why_not"
else
	run timeout 10 "${Z[@]}" -q -j status
	if [ "$rc" != 1 ]; then t_fail "exit $rc, want 1: $(short "$err")"
	elif ! jqe --argjson p "$upid" --arg u "user $U" 'length == 1 and .[0].dev == "sim0" and
		.[0].queue == 0 and .[0].pid == $p and .[0].answered == false and
		(.[0].refused | contains($u))' <<<"$out"; then t_fail "array: $(short "$out")"
	else t_pass; fi
fi

# The RUNDIR is root's and 0755, as private as zcrxctl asks: pointing at
# another directory is no fix, removing the socket is.
t_begin "arm, another user's socket in a private RUNDIR: remove it (pid N of U serves it), no RUNDIR advice"
if [ -n "$why_not" ]; then t_skip "$why_not"
else
	run timeout 10 "${Z[@]}" arm sim0 0 alloc-fail
	if [ "$rc" != 1 ] || ! one_line "$err"; then t_fail "exit $rc: $(short "$err")"
	elif [[ $err != *"remove it (pid $upid of user $U (uid $uid) serves it)" ]]; then
		t_fail "fix not given: $(short "$err")"
	elif [[ $err == *ZCRXCTL_RUNDIR* ]]; then t_fail "RUNDIR advice in a private RUNDIR: $(short "$err")"
	else t_pass; fi
fi
[ -n "$why_not" ] || stop "$upid"

# root's session on sim0 queue 1 (socket 0600): U may not even connect.
t_begin "bind as another user on root's session: names root as the socket's owner, exit 1"
if [ -n "$why_not" ]; then t_skip "$why_not"
else
	new_rundir
	chmod 0755 "$ZCRXCTL_RUNDIR"
	start rootsess bind sim0 1 --sim
	rp=$pid
	has_sock sim0 1
	run timeout 10 setpriv --reuid="$U" --regid="$U" --clear-groups "$ZCRXCTL" bind --sim sim0 1
	if [ "$rc" != 1 ] || ! one_line "$err"; then t_fail "exit $rc (want 1, one line): $(short "$err")"
	elif [[ $err != "Error: sim0 queue 1 has a socket of user root (uid 0) that you (uid $uid)"* ||
		$err != *"run as that user or root"* ]]; then t_fail "owner not named: $(short "$err")"
	else t_pass; fi
fi

t_begin "arm as another user on root's session: names root as the socket's owner, exit 1"
if [ -n "$why_not" ]; then t_skip "$why_not"
else
	run timeout 10 setpriv --reuid="$U" --regid="$U" --clear-groups "$ZCRXCTL" arm sim0 1 alloc-fail
	if [ "$rc" = 1 ] && one_line "$err" &&
		[[ $err == *"$(sock sim0 1) belongs to user root (uid 0), not to you (uid $uid): run as that user or root"* ]]; then
		t_pass
	else t_fail "exit $rc: $(short "$err")"; fi
	stop "$rp"
fi
t_done
