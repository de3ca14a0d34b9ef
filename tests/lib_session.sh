# SPDX-License-Identifier: MIT
# Helpers for the live-session tests (test_watch.sh, test_session.sh), on top
# of lib.sh: sessions run in the background, every wait is bounded, and
# whatever a test started is stopped and removed on exit.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

USOCK=$TOP/tests/helpers/usock
S_TMP=$(mktemp -d /tmp/zcrxt-out.XXXXXX)
_s_pids=()
_s_dirs=()

# A starving simulated queue: 16 buffers of 4K and a consumer that keeps 16.
STARVE=(--sim --area-size 64K --sim-consumer hold:16)

# new_rundir: a fresh, exported ZCRXCTL_RUNDIR for one case.
new_rundir() {
	ZCRXCTL_RUNDIR=$(mktemp -d /tmp/zcrxt-run.XXXXXX)
	export ZCRXCTL_RUNDIR
	_s_dirs+=("$ZCRXCTL_RUNDIR")
}

# sock DEV QUEUE: the session socket's path in this case's RUNDIR.
sock() { echo "$ZCRXCTL_RUNDIR/$1.$2.sock"; }

# start NAME ARGS...: zcrxctl ARGS in the background, stdout in $S_TMP/NAME.out,
# stderr in NAME.err; sets $pid.  SIGINT and SIGPIPE are set to default, as
# for a foreground command in a terminal (bash ignores SIGINT in background
# jobs of a script).
start() {
	local name=$1
	shift
	: >"$S_TMP/$name.out"
	: >"$S_TMP/$name.err"
	env --default-signal=INT,PIPE "$ZCRXCTL" "$@" >"$S_TMP/$name.out" 2>"$S_TMP/$name.err" &
	pid=$!
	_s_pids+=("$pid")
}

alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }
dead() { ! alive "$1"; }

# wait_until SECS CMD...: poll CMD every 50 ms; false if still false after SECS.
wait_until() {
	local i n=$(($1 * 20))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# until_s SECS CMD...: poll CMD every 0.5 s, SECS at most by the clock (the
# guest under TCG spends ~0.1 s per process: wait_until's count would be
# several times longer)
until_s() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.5
	done
}

# wait_exit PID SECS: wait for a background process to end and set $rc;
# rc=124 when it did not end in time (it is then killed).
wait_exit() {
	if wait_until "$2" dead "$1"; then
		{ wait "$1"; } 2>/dev/null
		rc=$?
	else
		kill -KILL "$1" 2>/dev/null
		{ wait "$1"; } 2>/dev/null
		rc=124
	fi
}

# stop PID: end a session we started (SIGTERM, then SIGKILL) and reap it.
stop() {
	ours "$1" || return 0
	kill -CONT "$1" 2>/dev/null
	kill -TERM "$1" 2>/dev/null
	wait_until 3 dead "$1" || kill -KILL "$1" 2>/dev/null
	{ wait "$1"; } 2>/dev/null
	return 0
}

# ours PID: a live process this script started and not yet reaped.
ours() {
	local p
	alive "$1" || return 1
	for p in "${_s_pids[@]}"; do [ "$p" = "$1" ] && return 0; done
	return 1
}

# ready NAME: the watch started as NAME printed its readiness line.
ready() { wait_until 5 grep -q '^Watching ' "$S_TMP/$1.err"; }
# subscribed NAME: a `zcrxctl subscribe` started as NAME has its ok (it says
# "Watching" only after the session accepted the subscription)
subscribed() { wait_until 10 grep -q '^Watching ' "$S_TMP/$1.err"; }
# listening PATH: a Unix socket bound at PATH listens (the kernel's flag
# __SO_ACCEPTCON in /proc/net/unix): a socket file alone may be between
# bind() and listen(), and refuse a connect.  zcrxctl's sessions bind a
# temporary name and rename it once listening, so for them has_sock is enough.
listening() { awk -v p="$1" '$NF == p && $4 == "00010000" { f = 1 } END { exit !f }' /proc/net/unix; }
# has_sock DEV QUEUE: the session socket exists.
has_sock() { wait_until 5 test -S "$(sock "$1" "$2")"; }

# nrec FILE [RECORD]: how many NDJSON records (of type RECORD, default event).
nrec() { jq -c "select(.record == \"${2:-event}\")" <"$1" 2>/dev/null | grep -c .; }
# nlines FILE: non-empty lines.
nlines() { grep -c . "$1" 2>/dev/null; }
# at_least N CMD...: CMD prints a number >= N.
at_least() { local n=$1; shift; [ "$("$@")" -ge "$n" ]; }
# jqe ARGS...: jq -e on stdin, and false on empty input (jq 1.6 answers
# true to no input at all).
jqe() { local in; in=$(cat); [ -n "$in" ] && jq -e "$@" >/dev/null 2>&1 <<<"$in"; }
one_line() { [ "$(grep -c . <<<"$1")" = 1 ]; }
# f NAME: the contents of an output file.
f() { cat "$S_TMP/$1" 2>/dev/null; }
# short [TEXT]: TEXT (or stdin) on one line, shortened, for a failure message.
short() { if [ $# -gt 0 ]; then printf '%s' "$1"; else cat; fi | tr '\n' '|' | cut -c1-300; }

_s_cleanup() {
	local p
	for p in "${_s_pids[@]}"; do ours "$p" && { kill -CONT "$p"; kill -TERM "$p"; } 2>/dev/null; done
	for p in "${_s_pids[@]}"; do
		ours "$p" || continue
		wait_until 2 dead "$p" || kill -KILL "$p" 2>/dev/null
	done
	rm -rf "${_s_dirs[@]}" "$S_TMP"
	_t_cleanup
}
trap _s_cleanup EXIT

# listen_port NAME: the port a session started as NAME says it listens on
listen_port() {
	grep -o 'Receiving TCP connections on 127\.0\.0\.1:[0-9]*' "$S_TMP/$1.err" | head -n 1 |
		sed 's/.*://'
}

# has_port NAME: the session started as NAME has said where it listens
has_port() { [ -n "$(listen_port "$1")" ]; }

# --- a session that falls behind: a socket backlog bigger than its CQ --------
# A kernel ends a zero-copy receive -ENOSPC when the CQ has no free entry for
# its next fragment (io_zcrx_queue_cqe; liburing #1515), the rest left in the
# socket; the simulator does the same.  A session's CQ has 1024 entries (a
# page each): to make one fall behind, it runs in a network namespace of its
# own whose tcp_rmem lets one connection queue 32 MiB, and is stopped while
# the bytes arrive (test_nodev.sh, test_watch.sh, the reliability suite).

# backlog_start NAME ARGS...: zcrxctl ARGS (a --listen session) in such a
# namespace, its output in NAME.out and NAME.err; pid is its pid
backlog_start() {
	local name=$1
	shift
	: >"$S_TMP/$name.out"
	env --default-signal=INT,PIPE unshare --net sh -c 'ip link set lo up &&
		sysctl -qw net.ipv4.tcp_rmem="4096 33554432 33554432" && exec "$0" "$@"' \
		"$ZCRXCTL" "$@" >"$S_TMP/$name.out" 2>"$S_TMP/$name.err" &
	pid=$!
	_s_pids+=("$pid")
}
# recvq PID PORT: the bytes waiting in the receive queue of the connection to
# PORT, in PID's network namespace
recvq() {
	nsenter -t "$1" -n ss -tnH state established "( sport = :$2 )" 2>/dev/null |
		awk '{ n += $1 } END { print n + 0 }'
}
# backlog_feed PID PORT BYTES: stop PID, send BYTES to PORT in its namespace
# over one connection kept open (the sender becomes a sleep: sender is its
# pid; nothing holds our output), wait up to 30 s by the clock (under TCG a
# poll is slow) for them to queue, set queued, and continue PID
backlog_feed() {
	local end=$((SECONDS + 30))

	kill -STOP "$1"
	nsenter -t "$1" -n timeout 60 bash -c 'exec 3>"/dev/tcp/127.0.0.1/$1" &&
		head -c "$2" /dev/zero >&3 && exec sleep 60' _ "$2" "$3" \
		</dev/null >/dev/null 2>&1 &
	sender=$!
	_s_pids+=("$sender")
	until [ "$(recvq "$1" "$2")" -ge "$3" ] || [ "$SECONDS" -ge "$end" ]; do sleep 0.2; done
	queued=$(recvq "$1" "$2")
	kill -CONT "$1"
}

# kernel_zcrx: what this kernel has, from features (tests/test_features.sh
# checks it against the kernel's own answers): nodev and events are "yes" or
# the reason a case about them does not apply here
kernel_zcrx() {
	nodev=yes events=yes
	if ! "$ZCRXCTL" -q features --require nodev >/dev/null 2>&1; then
		nodev="kernel $(uname -r) has no ZCRX_REG_NODEV (Linux 7.1+)"
		events=$nodev
	elif ! "$ZCRXCTL" -q features --require copy,stats >/dev/null 2>&1; then
		events="kernel $(uname -r) has no zcrx copy event or stats (Linux 7.2+)"
	fi
}
