#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zcrxctl top on this host, inside a network namespace of its own (lo and a
# veth pair; this machine's NICs are never looked at): NDJSON records with
# the documented keys, plain text to a pipe, bad input in one line, a reader
# that goes away, and the terminal UI under a pseudo-terminal (util-linux
# script): after q, -c, SIGINT, SIGTERM, SIGHUP or an error the terminal
# has its modes and its cursor back, and frames are redrawn from the cursor
# home, not by clearing the screen.  Rates under real traffic: test_vm_top.sh.
. "$(dirname "$0")/lib.sh"

t_plan 22

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; _t_cleanup' EXIT

ns=
why=
if ! have_root; then
	why="a network namespace needs root"
elif ! ns=$(t_netns_add top) ||
	! ip netns exec "$ns" sh -c 'ip link set lo up &&
		ip link add va type veth peer name vb && ip link set va up && ip link set vb up'
then
	why="cannot make a network namespace with a veth pair here"
	ns=
fi
in_ns() { ip netns exec "$ns" "$@"; }

# the keys every record has (man/zcrxctl.8, OUTPUT, top)
KEYS='["time","interval-ms","elapsed-ms","dev","queue","napi-id","provider","page-pools",
	"rx-packets-per-s","rx-bytes-per-s","rx-alloc-fail-per-s","alloc-fast-per-s",
	"alloc-slow-per-s","alloc-empty-per-s","alloc-refill-per-s","recycle-per-s",
	"inflight","flag","restart"]'

t_begin "-j top -c 2 --interval 200ms: one NDJSON record per queue per interval, documented keys"
if [ -n "$why" ]; then
	t_skip "$why"
else
	t0=$(date +%s%N)
	run in_ns "$ZCRXCTL" -j top -c 2 --interval 200ms
	t1=$(date +%s%N)
	nq=$(in_ns "$ZCRXCTL" -j show | jq '[.[].queues[]] | length')
	if [ "$rc" = 0 ] && [ -z "$err" ] && [ "$(wc -l <<<"$out")" = $((2 * nq)) ] &&
	   jq -e --argjson k "$KEYS" -s 'length > 0 and all(.[]; keys - $k == [] and $k - keys == []
		and .["interval-ms"] == 200 and (.["rx-packets-per-s"] | type) as $t
		| ($t == "number" or $t == "null") and (.flag | type) as $f | ($f == "string" or $f == "null"))' \
		<<<"$out" >/dev/null &&
	   jq -e -s 'map(.dev) | index("va") and index("vb") and index("lo")' <<<"$out" >/dev/null
	then t_pass; else t_fail "rc=$rc nq=$nq err=$err out=$(head -c 600 <<<"$out")"; fi
fi

# The one timed case the brief asks for: two 200 ms intervals cannot end
# sooner than 400 ms; the upper bound is generous (a loaded machine).  Ticks
# are on a fixed schedule, so a late one makes the next shorter: the two
# elapsed-ms add up to the 400 ms, each need not be 200.
t_begin "-j top -c 2 --interval 200ms takes two intervals, measured over the real elapsed time"
if [ -n "$why" ]; then
	t_skip "$why"
else
	ms=$(((t1 - t0) / 1000000))
	if [ "$ms" -ge 400 ] && [ "$ms" -lt 5000 ] &&
	   jq -e -s '[.[] | {k: .time, v: .["elapsed-ms"]}] | unique_by(.k) | map(.v) |
		length == 2 and all(.[]; . > 0) and add >= 395' <<<"$out" >/dev/null
	then t_pass; else t_fail "took ${ms} ms; elapsed-ms $(jq -s -c 'map(.["elapsed-ms"])' <<<"$out")"; fi
fi

t_begin "top DEV QUEUE: that queue's records only"
if [ -n "$why" ]; then
	t_skip "$why"
else
	run in_ns "$ZCRXCTL" -j top va 0 -c 1 --interval 100ms
	if [ "$rc" = 0 ] && jq -e -s 'length == 1 and .[0].dev == "va" and .[0].queue == 0' \
		<<<"$out" >/dev/null
	then t_pass; else t_fail "rc=$rc $out $err"; fi
fi

t_begin "top to a pipe: plain lines per interval, no terminal escapes"
if [ -n "$why" ]; then
	t_skip "$why"
else
	run in_ns sh -c "'$ZCRXCTL' top -c 2 --interval 100ms | cat"
	if [ "$rc" = 0 ] && ! grep -q $'\033' <<<"$out" &&
	   [ "$(grep -c '^DEV  *Q PROVIDER' <<<"$out")" = 2 ] && grep -q '^va  ' <<<"$out"
	then t_pass; else t_fail "rc=$rc $(cat -v <<<"$out" | head -5)"; fi
fi

# bad input: one line naming the culprit and the fix, the documented status
bad() {	# NAME STATUS REGEX ARGS...
	local name=$1 want=$2 re=$3
	shift 3
	t_begin "$name"
	if [ -n "$why" ]; then
		t_skip "$why"
		return
	fi
	run in_ns timeout 10 "$ZCRXCTL" "$@"
	if [ "$rc" = "$want" ] && [ -z "$out" ] && [ "$(wc -l <<<"$err")" = 1 ] &&
	   grep -qE "^Error: $re" <<<"$err"
	then t_pass; else t_fail "rc=$rc (want $want): $err"; fi
}
bad "top on a device that does not exist: exit 1, names it" 1 \
	"device 'nosuch0' not found: see 'ip link show'" top nosuch0
bad "top on a queue out of range: exit 1, says the range" 1 \
	"queue 7 out of range: va has 1 RX queue \(0..0\)" top va 7
bad "--interval below 100ms is refused in one line" 64 \
	"--interval 50ms is below the minimum of 100ms" top --interval 50ms
bad "--interval that is no duration is refused" 64 \
	"--interval takes a DUR such as 500ms or 2s, not 'soon'" top --interval soon
bad "-c 0 is refused" 64 "-c takes a number of intervals above 0, not '0'" top -c 0
bad "a third argument is refused" 64 "unexpected argument 'x'" top va 0 x

# A kernel without the netdev family (before 6.8): a preloaded shim answers
# the CTRL_CMD_GETFAMILY for "netdev" with ENOENT, as such a kernel does.
t_begin "a kernel whose netlink has no netdev family: exit 1, one line naming it and the kernel needed"
cat >"$TMP/nonetdev.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

static unsigned int seq;
static int armed;

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t) =
		(ssize_t (*)(int, const void *, size_t, int, const struct sockaddr *, socklen_t))
		dlsym(RTLD_NEXT, "sendto");
	const struct nlmsghdr *h;
	char rest[4096];
	size_t left = len, n = 0;

	/* one send may carry several requests: the others go on to the kernel */
	for (h = buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (h->nlmsg_type == GENL_ID_CTRL && memmem(h, h->nlmsg_len, "netdev", 7)) {
			seq = h->nlmsg_seq;
			armed = 1;
		} else if (n + NLMSG_ALIGN(h->nlmsg_len) <= sizeof(rest)) {
			memcpy(rest + n, h, h->nlmsg_len);
			n += NLMSG_ALIGN(h->nlmsg_len);
		}
	}
	if (!armed || n == len)
		return real(fd, buf, len, flags, to, tolen);
	if (n && real(fd, rest, n, flags, to, tolen) < 0)
		return -1;
	return (ssize_t)len;
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	ssize_t (*real)(int, struct msghdr *, int) =
		(ssize_t (*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
	struct { struct nlmsghdr h; struct nlmsgerr e; } r;

	if (!armed)
		return real(fd, m, flags);
	armed = 0;
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = sizeof(r);
	r.h.nlmsg_type = NLMSG_ERROR;
	r.h.nlmsg_seq = seq;
	r.e.error = -ENOENT;
	if (m->msg_name)
		memset(m->msg_name, 0, m->msg_namelen);
	memcpy(m->msg_iov[0].iov_base, &r, sizeof(r));
	m->msg_flags = 0;
	return sizeof(r);
}
EOF
if [ -n "$why" ]; then
	t_skip "$why"
elif ! command -v cc >/dev/null; then
	t_skip "no C compiler for the netlink shim"
elif ! cc -shared -fPIC -o "$TMP/nonetdev.so" "$TMP/nonetdev.c" -ldl; then
	t_fail "the netlink shim did not build"
else
	# an ASan build (make SANITIZE=1) wants its runtime first: the shim after it is fine
	run in_ns env LD_PRELOAD="$TMP/nonetdev.so" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		timeout 10 "$ZCRXCTL" top -c 1 --interval 100ms
	if [ "$rc" = 1 ] && [ -z "$out" ] && [ "$(wc -l <<<"$err")" = 1 ] &&
	   grep -q '^Error: cannot list RX queues: this kernel has no netdev netlink family: top needs Linux 6.8+' <<<"$err"
	then t_pass; else t_fail "rc=$rc: $err"; fi
fi

t_begin "-j top on a missing device: the error is a JSON object on stdout"
if [ -n "$why" ]; then
	t_skip "$why"
else
	run in_ns "$ZCRXCTL" -j top nosuch0
	if [ "$rc" = 1 ] && jq -e '.error | test("nosuch0")' <<<"$out" >/dev/null
	then t_pass; else t_fail "rc=$rc $out $err"; fi
fi

t_begin "-j top | head -1: the reader leaves, top ends quietly with 0"
if [ -n "$why" ]; then
	t_skip "$why"
else
	run in_ns timeout 20 bash -c "'$ZCRXCTL' -j top --interval 100ms | head -1; exit \${PIPESTATUS[0]}"
	if [ "$rc" = 0 ] && [ -z "$err" ] && jq -e '.dev' <<<"$out" >/dev/null
	then t_pass; else t_fail "rc=$rc err=$err"; fi
fi

# ---------------------------------------------------------------------------
# The terminal UI under a pseudo-terminal.  Inside it: stty -g before, top in
# the foreground (its pid written first), its status, stty -g after.  Keys
# go in through a FIFO held open; signals from here, to top's pid.
have_script() { command -v script >/dev/null && script --version 2>&1 | grep -q util-linux; }

pty_top() {	# DIR HOW TOP-ARGS...: HOW is q, count, err or a signal name
	local d=$1 how=$2 sp i
	shift 2
	mkdir -p "$d"
	mkfifo "$d/in"
	exec 7<>"$d/in"
	in_ns timeout 30 script -qfec "stty -g >$d/before; sh -c 'echo \$\$ >$d/pid; exec $ZCRXCTL top $*'; echo \$? >$d/rc; stty -g >$d/after" /dev/null <&7 >"$d/ts" 2>&1 &
	sp=$!
	# top is up once it hid the cursor and drew; then let a few frames go by
	for i in $(seq 150); do
		[ -s "$d/pid" ] && grep -qa $'\033\\[?25l' "$d/ts" && break
		sleep 0.1
	done
	sleep 0.6
	case $how in
	q) printf q >&7 ;;
	count) ;;
	winch)
		# the window shrinks to 40 columns: the kernel sends top SIGWINCH
		stty -F "$(readlink "/proc/$(cat "$d/pid")/fd/1")" cols 40 rows 20
		sleep 0.5
		printf q >&7
		;;
	err) in_ns ip link del va ;;
	*) kill -s "$how" "$(cat "$d/pid")" 2>/dev/null ;;
	esac
	wait "$sp"
	exec 7>&-
}

# restored DIR STATUS: the modes as before, the cursor shown last, top's status
restored() {
	local d=$1 last
	last=$(grep -ao $'\033\\[?25[hl]' "$d/ts" | tail -n 1)
	if [ ! -s "$d/before" ] || ! cmp -s "$d/before" "$d/after"; then
		echo "terminal modes differ: before $(cat "$d/before" 2>/dev/null) after $(cat "$d/after" 2>/dev/null)"
	elif [ "$last" != $'\033[?25h' ]; then
		echo "the cursor was left hidden"
	elif [ "$(cat "$d/rc" 2>/dev/null)" != "$2" ]; then
		echo "top exited $(cat "$d/rc" 2>/dev/null), not $2: $(tail -c 300 "$d/ts" | cat -v)"
	fi
}

for how in q count INT TERM HUP err; do
	case $how in
	q) name="q quits top and the terminal is as it was, cursor shown" ;;
	count) name="-c 3 ends top and the terminal is as it was, cursor shown" ;;
	err) name="an error (the device went away) ends top with 1, the terminal as it was" ;;
	*) name="SIG$how ends top with 0 and the terminal is as it was, cursor shown" ;;
	esac
	t_begin "$name"
	if [ -n "$why" ]; then
		t_skip "$why"
		continue
	elif ! have_script; then
		t_skip "no util-linux script(1) to make a pseudo-terminal"
		continue
	fi
	args="--interval 100ms"
	want=0
	case $how in
	count) args+=" -c 3" ;;
	err) args="va $args" want=1 ;;
	esac
	pty_top "$TMP/$how" "$how" $args
	msg=$(restored "$TMP/$how" "$want")
	if [ -n "$msg" ]; then
		t_fail "$msg"
	elif [ "$how" = err ] && ! grep -qa "device 'va' went away while top watched it" "$TMP/$how/ts"; then
		t_fail "no word of the device going away: $(tail -c 300 "$TMP/$how/ts" | cat -v)"
	else
		t_pass
	fi
	[ "$how" = err ] && in_ns ip link add va type veth peer name vb 2>/dev/null &&
		in_ns ip link set va up && in_ns ip link set vb up
done

t_begin "the terminal UI redraws each frame from the cursor home, never clearing the screen again"
if [ -n "$why" ]; then
	t_skip "$why"
elif ! have_script; then
	t_skip "no util-linux script(1) to make a pseudo-terminal"
else
	ts=$TMP/count/ts
	homes=$(grep -ao $'\033\\[H' "$ts" | wc -l)
	clears=$(grep -ao $'\033\\[2J' "$ts" | wc -l)
	# every line ends with erase-to-end-of-line, every frame with erase-below
	lines=$(grep -ao $'\033\\[K' "$ts" | wc -l)
	below=$(grep -ao $'\033\\[J' "$ts" | wc -l)
	if [ "$homes" -ge 4 ] && [ "$clears" = 1 ] && [ "$below" -ge 4 ] &&
	   [ "$lines" -ge $((3 * below)) ] && grep -qaE 'zcrxctl top [0-9:]+  q quits  every 100ms' "$ts"
	then t_pass; else t_fail "home $homes, full clears $clears, \\e[K $lines, \\e[J $below"; fi
fi

t_begin "the terminal UI cuts its lines to the terminal's width"
if [ -n "$why" ]; then
	t_skip "$why"
elif ! have_script; then
	t_skip "no util-linux script(1) to make a pseudo-terminal"
else
	d=$TMP/narrow
	mkdir -p "$d"
	in_ns timeout 30 script -qfec "stty cols 40 rows 10; $ZCRXCTL top -c 2 --interval 100ms" /dev/null \
		</dev/null >"$d/ts" 2>&1
	# the text between escapes, per line: none longer than 40 characters
	long=$(sed -e $'s/\033\\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' "$d/ts" | awk 'length > 40' | head -n 1)
	if grep -qa 'DEV' "$d/ts" && [ -z "$long" ]; then t_pass; else t_fail "a line over 40: $long"; fi
fi

t_begin "the terminal UI redraws at the new width when the window changes size (SIGWINCH)"
if [ -n "$why" ]; then
	t_skip "$why"
elif ! have_script; then
	t_skip "no util-linux script(1) to make a pseudo-terminal"
else
	d=$TMP/winch
	# 80 columns (a pty of no size), then 40 once top drew its first frames
	pty_top "$d" winch --interval 100ms
	# the text of each frame, a frame starting at each cursor home
	sed -e $'s/\033\\[H/\\n@@FRAME\\n/g' "$d/ts" | sed -e $'s/\033\\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' |
		awk '/^@@FRAME$/ { n++; next } { if (length > max[n]) max[n] = length }
		     END { printf "%d %d %d\n", n, max[2], max[n] }' >"$d/widths"
	read -r frames first last <"$d/widths"
	if [ "$frames" -ge 4 ] && [ "$first" -gt 40 ] && [ "$last" -le 40 ] && [ "$last" -gt 0 ]
	then t_pass; else t_fail "frames $frames, widest line first $first, last $last"; fi
fi

t_done
