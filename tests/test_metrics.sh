#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 13, fleets: `zcrxctl metrics` prints every live session (and with
# --queues the RX queues and page pools top shows) in the Prometheus text
# format, which Debian's `promtool check metrics` accepts without a word
# (its lint included); the figures are the ones `status -j` and `show -j`
# report for the same sessions and queues; a stopped session is reported
# (zcrx_session_up 0), never waited on; --textfile replaces DIR/zcrxctl.prom
# atomically and refuses a bad DIR leaving nothing behind.  Every sample of a
# family carries the same labels: a value the session does not have is "".
. "$(dirname "$0")/lib_session.sh"

t_plan 19

zc() { timeout 10 env --default-signal=INT,PIPE "$ZCRXCTL" "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }

PROMTOOL=$(command -v promtool)
# prom_ok FILE: promtool accepts FILE with no complaint (lint warnings exit 3
# and print a line each); else false with its words in $prom_said
prom_ok() {
	if [ -z "$PROMTOOL" ]; then prom_said="promtool is not installed"; return 1; fi
	prom_said=$("$PROMTOOL" check metrics <"$1" 2>&1) && [ -z "$prom_said" ]
}
# promcase FILE: the verdict of a case that asks promtool about FILE
promcase() {
	if [ -z "$PROMTOOL" ]; then
		t_skip "promtool is not installed (Debian: apt-get install prometheus)"
	elif prom_ok "$1"; then
		t_pass
	else
		t_fail "promtool: $(short "$prom_said") on: $(head -c 400 "$1" | short)"
	fi
}
# mval FILE SERIES: the value of the one sample SERIES (name{labels} as printed)
mval() { awk -v s="$2" '$1 == s { print $2; n++ } END { exit n != 1 }' "$1"; }
# between LO V HI
between() { [ -n "$2" ] && [ "$1" -le "$2" ] && [ "$2" -le "$3" ]; }
# sj FILE DEV Q JQ: JQ on that session's object in a `-j status` array
sj() { jq -r --arg d "$2" --argjson q "$3" ".[] | select(.dev == \$d and .queue == \$q) | $4" "$1"; }
listed() { [ "$(zc -j status 2>/dev/null | jq '[.[] | select(.["zcrx-id"] != null)] | length')" = "$1" ]; }

# --- no sessions ---------------------------------------------------------------------
new_rundir
t_begin "no sessions: exit 0, nothing on stdout (promtool accepts it), 'No live sessions' on stderr"
zc metrics >"$S_TMP/none.prom" 2>"$S_TMP/none.err"
rc=$?
if [ "$rc" = 0 ] && [ ! -s "$S_TMP/none.prom" ] && grep -q '^No live sessions in ' "$S_TMP/none.err" &&
	{ [ -z "$PROMTOOL" ] || prom_ok "$S_TMP/none.prom"; }; then t_pass
else t_fail "rc=$rc out=$(f none.prom | short) err=$(f none.err | short) $prom_said"; fi

# --- live sessions: one that copies, a starving one with an event latched and no
# stats, and a busy one whose subscriber is stopped so that it drops records ------------
start b bind --sim sim0 0 --sim-copy-ratio 0.5 --stats
bpid=$pid
start w -j watch sim1 3 "${STARVE[@]}"
wpid=$pid
start fw -j watch sim2 0 --sim --sim-kernel 7.3 --sim-rate 100000 --area-size 64K --sim-consumer hold:16 \
	--rearm=auto --holdoff 2ms --stats --stats-interval 2ms
fwpid=$pid
ready w
ready fw
start slow -j subscribe sim2 0
slow=$pid
wait_until 20 at_least 1 nlines "$S_TMP/slow.out"
kill -STOP "$slow"
lost_some() { [ "$(zc -j status sim2 0 2>/dev/null | jq '.[0]["lost-records"] // 0')" -gt 0 ]; }
latched() { [ "$(zc -j status sim1 3 2>/dev/null | jq -r '.[0].types["alloc-fail"].state')" = fired ]; }
wait_until 10 listed 3
wait_until 30 lost_some
wait_until 10 latched
# a second area, so that area metrics have two ids to tell apart
zc grow sim2 0 64K >/dev/null 2>&1

zc -j status >"$S_TMP/s1.json" 2>/dev/null
zc metrics >"$S_TMP/m.prom" 2>"$S_TMP/m.err"
mrc=$?
zc -j status >"$S_TMP/s2.json" 2>/dev/null

t_begin "three live sessions: promtool check metrics accepts the output with no complaint"
promcase "$S_TMP/m.prom"

t_begin "exit 0; HELP and TYPE once per family, every name zcrx_-prefixed snake_case, counters _total"
bad=
while read -r name; do
	[ "$(grep -c "^# HELP $name " "$S_TMP/m.prom")" = 1 ] || bad+=" HELP:$name"
	[ "$(grep -c "^# TYPE $name " "$S_TMP/m.prom")" = 1 ] || bad+=" TYPE:$name"
	[[ $name =~ ^zcrx_[a-z0-9_]+$ ]] || bad+=" name:$name"
	if grep -q "^# TYPE $name counter$" "$S_TMP/m.prom"; then
		[[ $name == *_total ]] || bad+=" counter:$name"
	else
		[[ $name != *_total ]] || bad+=" gauge:$name"
	fi
done < <(grep -v '^#' "$S_TMP/m.prom" | sed 's/[{ ].*//' | sort -u)
want="zcrx_session_up zcrx_session_info zcrx_session_uptime_seconds zcrx_session_events_total
zcrx_session_event_latched zcrx_session_copies_total zcrx_session_copy_bytes_total
zcrx_session_lost_records_total zcrx_session_recv_resubmitted_total zcrx_session_areas
zcrx_session_area_bytes zcrx_session_area_rx_buffers_total"
for name in $want; do grep -q "^# TYPE $name " "$S_TMP/m.prom" || bad+=" missing:$name"; done
if [ "$mrc" = 0 ] && [ -z "$bad" ]; then t_pass
else t_fail "rc=$mrc:$bad err=$(f m.err | short)"; fi

t_begin "each session's info and state are those status -j reports: pid, zcrx_id, mode, prog, latched types"
bad=
for s in "sim0 0" "sim1 3" "sim2 0"; do
	set -- $s
	L="dev=\"$1\",queue=\"$2\""
	pid_=$(sj "$S_TMP/s1.json" "$1" "$2" .pid)
	id_=$(sj "$S_TMP/s1.json" "$1" "$2" '.["zcrx-id"]')
	mode_=$(sj "$S_TMP/s1.json" "$1" "$2" .mode)
	prog_=$(sj "$S_TMP/s1.json" "$1" "$2" .prog)
	[ "$prog_" = zcrxctl ] || bad+=" status-prog:$1=$prog_"
	[ "$(mval "$S_TMP/m.prom" "zcrx_session_up{$L}")" = 1 ] || bad+=" up:$1"
	[ "$(mval "$S_TMP/m.prom" "zcrx_session_info{$L,zcrx_id=\"$id_\",pid=\"$pid_\",mode=\"$mode_\",prog=\"$prog_\"}")" = 1 ] ||
		bad+=" info:$1"
	# sim2 re-arms itself: its states may flip between the three asks
	[ "$1" = sim2 ] && continue
	for t in $(sj "$S_TMP/s1.json" "$1" "$2" '.events[]'); do
		st1=$(sj "$S_TMP/s1.json" "$1" "$2" ".types[\"$t\"].state")
		v=$(mval "$S_TMP/m.prom" "zcrx_session_event_latched{$L,type=\"$t\"}")
		[ "$v" = "$([ "$st1" = fired ] && echo 1 || echo 0)" ] || bad+=" latched:$1:$t=$v($st1)"
	done
done
[ "$pid_" = "$fwpid" ] || bad+=" pid:$pid_!=$fwpid"
[ "$(mval "$S_TMP/m.prom" 'zcrx_session_event_latched{dev="sim1",queue="3",type="alloc-fail"}')" = 1 ] ||
	bad+=" sim1-alloc-fail-not-latched"
if [ -z "$bad" ]; then t_pass; else t_fail "$bad"; fi

t_begin "each counter lies between the status -j asked before and after: events, copies, lost, resubmits"
bad=
for s in "sim0 0" "sim1 3" "sim2 0"; do
	set -- $s
	L="dev=\"$1\",queue=\"$2\""
	chk() {	# chk SERIES JQ
		local lo hi v
		lo=$(sj "$S_TMP/s1.json" "$D" "$Q" "$2") hi=$(sj "$S_TMP/s2.json" "$D" "$Q" "$2")
		v=$(mval "$S_TMP/m.prom" "$1")
		between "$lo" "$v" "$hi" || bad+=" $1=$v($lo..$hi)"
	}
	D=$1 Q=$2
	for t in $(sj "$S_TMP/s1.json" "$1" "$2" '.events[]'); do
		chk "zcrx_session_events_total{$L,type=\"$t\"}" ".types[\"$t\"].count"
	done
	chk "zcrx_session_lost_records_total{$L}" '.["lost-records"]'
	chk "zcrx_session_recv_resubmitted_total{$L,reason=\"stall\"}" '.["recv-stalls"]'
	chk "zcrx_session_recv_resubmitted_total{$L,reason=\"overflow\"}" '.["recv-overflows"]'
	chk "zcrx_session_uptime_seconds{$L}" '.["uptime-s"]'
	if [ "$(sj "$S_TMP/s1.json" "$1" "$2" '.["copy-count"]')" = null ]; then
		grep -q "^zcrx_session_copies_total{$L}" "$S_TMP/m.prom" && bad+=" copies-without-stats:$1"
	else
		chk "zcrx_session_copies_total{$L}" '.["copy-count"]'
		chk "zcrx_session_copy_bytes_total{$L}" '.["copy-bytes"]'
	fi
done
[ "$(sj "$S_TMP/s1.json" sim1 3 '.["copy-count"]')" = null ] || bad+=" sim1-has-stats"
[ "$(sj "$S_TMP/s1.json" sim0 0 '.["copy-count"]')" -gt 0 ] || bad+=" sim0-copied-nothing"
if [ -z "$bad" ]; then t_pass; else t_fail "$bad"; fi

t_begin "areas are status -j's: zcrx_session_areas, _area_bytes, and each area id's rx buffers"
bad=
for s in "sim0 0" "sim1 3" "sim2 0"; do
	set -- $s
	L="dev=\"$1\",queue=\"$2\""
	n=$(sj "$S_TMP/s1.json" "$1" "$2" .areas)
	[ "$(mval "$S_TMP/m.prom" "zcrx_session_areas{$L}")" = "$n" ] || bad+=" areas:$1"
	[ "$(mval "$S_TMP/m.prom" "zcrx_session_area_bytes{$L}")" = \
	  "$(sj "$S_TMP/s1.json" "$1" "$2" '.["area-size"]')" ] || bad+=" bytes:$1"
	[ "$(grep -c "^zcrx_session_area_rx_buffers_total{$L," "$S_TMP/m.prom")" = "$n" ] ||
		bad+=" ids:$1"
	for ((a = 0; a < n; a++)); do
		lo=$(sj "$S_TMP/s1.json" "$1" "$2" ".[\"area-rx-buffers\"][$a]")
		hi=$(sj "$S_TMP/s2.json" "$1" "$2" ".[\"area-rx-buffers\"][$a]")
		v=$(mval "$S_TMP/m.prom" "zcrx_session_area_rx_buffers_total{$L,area=\"$a\"}")
		between "$lo" "$v" "$hi" || bad+=" rx:$1:$a=$v($lo..$hi)"
	done
done
[ "$(mval "$S_TMP/m.prom" 'zcrx_session_areas{dev="sim2",queue="0"}')" = 2 ] || bad+=" sim2-not-grown"
if [ -z "$bad" ]; then t_pass; else t_fail "$bad"; fi

t_begin "the stopped subscriber's records are counted: zcrx_session_lost_records_total > 0 for sim2"
v=$(mval "$S_TMP/m.prom" 'zcrx_session_lost_records_total{dev="sim2",queue="0"}')
if [ -n "$v" ] && [ "$v" -gt 0 ]; then t_pass
else t_fail "lost=$v; status said $(sj "$S_TMP/s1.json" sim2 0 '.["lost-records"]')"; fi
kill -CONT "$slow"
stop "$slow"

# --- --queues ----------------------------------------------------------------------
# queues FILE: "DEV IFINDEX QUEUE" of every RX queue netlink lists in a `show -j`
queues() {
	jq -r '.[] | select(.["queues-error"] == null) | . as $d | .queues[] |
		"\($d.ifname) \($d.ifindex) \(.queue)"' "$1"
}
t_begin "--queues: promtool accepts it, and every RX queue show -j lists has its zcrx_queue_info"
zc -j show >"$S_TMP/sh1.json" 2>/dev/null
zc metrics --queues >"$S_TMP/q.prom" 2>"$S_TMP/q.err"
qrc=$?
zc -j show >"$S_TMP/sh2.json" 2>/dev/null
bad=
while read -r dev ifx q; do
	grep -q "^zcrx_queue_info{ifindex=\"$ifx\",dev=\"$dev\",queue=\"$q\"," "$S_TMP/q.prom" ||
		bad+=" $dev/$q"
done < <(queues "$S_TMP/sh1.json")
grep -q '^zcrx_session_up{dev="sim0",queue="0"} 1$' "$S_TMP/q.prom" || bad+=" no-sessions"
if [ "$qrc" != 0 ] || [ -n "$bad" ]; then
	t_fail "rc=$qrc missing:$bad err=$(f q.err | short)"
else
	promcase "$S_TMP/q.prom"
fi

t_begin "--queues: qstats rx-packets and rx-bytes lie between show -j's before and after"
n=0 bad=
while read -r dev ifx q; do
	for k in rx-packets rx-bytes; do
		lo=$(jq -r --arg d "$dev" --argjson q "$q" --arg k "$k" \
			'.[] | select(.ifname == $d) | .queues[] | select(.queue == $q) | .qstats[$k] // empty' "$S_TMP/sh1.json")
		hi=$(jq -r --arg d "$dev" --argjson q "$q" --arg k "$k" \
			'.[] | select(.ifname == $d) | .queues[] | select(.queue == $q) | .qstats[$k] // empty' "$S_TMP/sh2.json")
		[ -z "$lo" ] && continue
		v=$(mval "$S_TMP/q.prom" "zcrx_queue_${k//-/_}_total{ifindex=\"$ifx\",dev=\"$dev\",queue=\"$q\"}")
		between "$lo" "$v" "$hi" || bad+=" $dev/$q/$k=$v($lo..$hi)"
		n=$((n + 1))
	done
done < <(queues "$S_TMP/sh1.json")
if [ "$n" = 0 ]; then t_skip "no device of this machine reports per-queue qstats"
elif [ -z "$bad" ]; then t_pass
else t_fail "$bad"; fi

t_begin "--queues escapes label values: a device named q\"x\\ (quote, backslash), and promtool accepts it"
if ! have_root; then
	t_skip "creating a device in a network namespace of its own needs root"
elif ! unshare -n sh -c 'ip link add name "q\"x\\" type ifb && ip link set "q\"x\\" up &&
	exec "$0" -q metrics --queues' "$ZCRXCTL" >"$S_TMP/esc.prom" 2>"$S_TMP/esc.err"; then
	if grep -q 'Unknown device type\|not supported' "$S_TMP/esc.err"; then
		t_skip "this kernel has no ifb device to name: $(f esc.err | short)"
	else
		t_fail "$(f esc.err | short)"
	fi
elif grep -qF 'zcrx_queue_info{ifindex="2",dev="q\"x\\",queue="0",' "$S_TMP/esc.prom"; then
	promcase "$S_TMP/esc.prom"
else
	t_fail "$(grep -v '^#' "$S_TMP/esc.prom" | short)"
fi

# --- a stopped session ---------------------------------------------------------------
kill -STOP "$bpid"
t_begin "a stopped session: reported with zcrx_session_up 0 within 1 s, the others in full, exit 1"
t0=$(ms)
timeout 20 "$ZCRXCTL" metrics >"$S_TMP/st.prom" 2>"$S_TMP/st.err"
rc=$? dt=$(($(ms) - t0))
if [ "$rc" = 1 ] && ((dt < 1000)) &&
	[ "$(mval "$S_TMP/st.prom" 'zcrx_session_up{dev="sim0",queue="0"}')" = 0 ] &&
	[ "$(mval "$S_TMP/st.prom" 'zcrx_session_up{dev="sim1",queue="3"}')" = 1 ] &&
	! grep -q '^zcrx_session_info{dev="sim0"' "$S_TMP/st.prom" &&
	grep -q '^zcrx_session_info{dev="sim1"' "$S_TMP/st.prom" &&
	grep -q "^Error: 1 session did not answer within 800 ms (zcrx_session_up 0): sim0 queue 0 (pid $bpid)" \
		"$S_TMP/st.err" && [ "$(grep -c . "$S_TMP/st.err")" = 1 ]; then
	promcase "$S_TMP/st.prom"
else
	t_fail "rc=$rc ${dt} ms out=$(grep up "$S_TMP/st.prom" | short) err=$(f st.err | short)"
fi
kill -CONT "$bpid"
wait_until 10 listed 3

# --- --textfile ----------------------------------------------------------------------
TF=$(mktemp -d /tmp/zcrxt-tf.XXXXXX)
_s_dirs+=("$TF")
t_begin "--textfile DIR: DIR/zcrxctl.prom, mode 0644, promtool accepts it, nothing on stdout, no temporary left"
zc metrics --textfile "$TF" >"$S_TMP/tf.out" 2>"$S_TMP/tf.err"
rc=$?
left=$(find "$TF" -mindepth 1 ! -name zcrxctl.prom)
if [ "$rc" = 0 ] && [ -f "$TF/zcrxctl.prom" ] && [ "$(stat -c %a "$TF/zcrxctl.prom")" = 644 ] &&
	[ ! -s "$S_TMP/tf.out" ] && [ -z "$left" ] &&
	grep -q '^zcrx_session_up{dev="sim1",queue="3"} 1$' "$TF/zcrxctl.prom"; then
	promcase "$TF/zcrxctl.prom"
else
	t_fail "rc=$rc left=$left out=$(f tf.out | short) err=$(f tf.err | short)"
fi

t_begin "--textfile replaces the file atomically: a reader never sees it partial, each write a new inode"
# a reader in a loop while 40 runs rewrite it: every read is a whole file
# (every family of a first run, the last line whole) and it is never missing
"$ZCRXCTL" -q metrics --queues --textfile "$TF"
types=$(grep -c '^# TYPE ' "$TF/zcrxctl.prom")
# held open, the old file keeps its inode number from being reused
exec 3<"$TF/zcrxctl.prom"
ino0=$(stat -c %i "$TF/zcrxctl.prom")
(
	for _ in $(seq 40); do "$ZCRXCTL" -q metrics --queues --textfile "$TF" || exit 1; done
) &
writer=$!
_s_pids+=("$writer")
reads=0 torn=0
while alive "$writer"; do
	# the x keeps the last newline that $(...) would strip
	c=$(cat "$TF/zcrxctl.prom" 2>/dev/null && echo x) || { torn=$((torn + 1)); continue; }
	reads=$((reads + 1))
	[[ $c == "# HELP zcrx_session_up "* && $c == *$'\nx' ]] &&
		[ "$(grep -c '^# TYPE ' <<<"$c")" = "$types" ] || torn=$((torn + 1))
done
wait "$writer"
wrc=$?
ino1=$(stat -c %i "$TF/zcrxctl.prom")
exec 3<&-
left=$(find "$TF" -mindepth 1 ! -name zcrxctl.prom)
if [ "$wrc" = 0 ] && [ "$torn" = 0 ] && [ "$reads" -gt 0 ] && [ "$ino0" != "$ino1" ] && [ -z "$left" ]
then t_pass
else t_fail "writer rc=$wrc, $torn of $((reads + torn)) reads partial or missing, inode $ino0 -> $ino1, left: $left"; fi

# bad DIRs: one error line naming it, exit 1, nothing on stdout, nothing left or touched
cp "$TF/zcrxctl.prom" "$S_TMP/before.prom"
badcase() {	# badcase WHAT PATTERN CMD...
	local what=$1 pat=$2
	shift 2
	t_begin "--textfile $what: one line saying so, exit 1, nothing written anywhere"
	"$@" >"$S_TMP/bad.out" 2>"$S_TMP/bad.err"
	rc=$?
	left=$(find "$TF" -mindepth 1 ! -name zcrxctl.prom)
	if [ "$rc" = 1 ] && [ ! -s "$S_TMP/bad.out" ] && [ "$(grep -c . "$S_TMP/bad.err")" = 1 ] &&
		grep -q "^Error: --textfile .*$pat" "$S_TMP/bad.err" && [ -z "$left" ] &&
		cmp -s "$TF/zcrxctl.prom" "$S_TMP/before.prom"; then t_pass
	else t_fail "rc=$rc left=$left out=$(f bad.out | short) err=$(f bad.err | short)"; fi
}
badcase "on a missing directory" "no such directory" zc metrics --textfile "$TF/missing/sub"
badcase "on a file" "is not a directory" zc metrics --textfile "$TF/zcrxctl.prom"
if have_root; then
	chmod 0755 "$TF"
	badcase "on a directory this user may not write in" "Permission denied" \
		timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups env ZCRXCTL_RUNDIR="$ZCRXCTL_RUNDIR" \
		"$ZCRXCTL" metrics --textfile "$TF"
else
	chmod 0555 "$TF"
	badcase "on a directory this user may not write in" "Permission denied" zc metrics --textfile "$TF"
	chmod 0755 "$TF"
fi

t_begin "--textfile on a full filesystem: the write fails in one line, exit 1, its temporary removed"
if ! have_root; then
	t_skip "mounting a full tmpfs needs root"
else
	# a tmpfs of two pages, both filled: the temporary is created, its write fails
	out=$(unshare -m sh -c 'mount -t tmpfs -o size=8k tmpfs "$1" && head -c 8192 /dev/zero >"$1/fill"
		"$2" metrics --textfile "$1" 2>"$3"; echo "rc=$?"; ls -A "$1"' _ "$TF" "$ZCRXCTL" "$S_TMP/full.err")
	if [ "$out" = "rc=1"$'\n'"fill" ] && [ "$(grep -c . "$S_TMP/full.err")" = 1 ] &&
		grep -q '^Error: --textfile .*: cannot write .*zcrxctl.prom: No space left on device' "$S_TMP/full.err"
	then t_pass
	else t_fail "$(short "$out") err=$(f full.err | short)"; fi
fi

stop "$fwpid"
stop "$wpid"
stop "$bpid"

# --- an older session: no recv-overflows, no lost-records -------------------------------
new_rundir
"$TOP/tests/helpers/oldsession" "$(sock old0 3)" 1 10000 &
_s_pids+=("$!")
wait_until 5 test -S "$(sock old0 3)"
t_begin "a 0.1 session: up, prog \"\", no overflow, lost-records or area sample it never sent, promtool accepts it"
zc metrics >"$S_TMP/old.prom" 2>"$S_TMP/old.err"
rc=$?
L='dev="old0",queue="3"'
if [ "$rc" = 0 ] && [ "$(mval "$S_TMP/old.prom" "zcrx_session_up{$L}")" = 1 ] &&
	[ "$(mval "$S_TMP/old.prom" "zcrx_session_recv_resubmitted_total{$L,reason=\"stall\"}")" = 0 ] &&
	[ "$(mval "$S_TMP/old.prom" "zcrx_session_events_total{$L,type=\"alloc-fail\"}")" = 1 ] &&
	grep -q "^zcrx_session_info{$L,.*,prog=\"\"} 1$" "$S_TMP/old.prom" &&
	! grep -q 'reason="overflow"\|^zcrx_session_lost_records_total\|^zcrx_session_area' "$S_TMP/old.prom"; then
	promcase "$S_TMP/old.prom"
else
	t_fail "rc=$rc $(grep -v '^#' "$S_TMP/old.prom" | short) err=$(f old.err | short)"
fi

t_begin "bad usage: an argument, -j, an empty --textfile, --textfile twice: one line each, exit 64, nothing on stdout"
bad=
for a in "metrics extra" "-j metrics" "metrics --textfile=" "metrics --textfile=$TF --textfile=$TF/x"; do
	zc $a >"$S_TMP/u.out" 2>"$S_TMP/u.err"
	rc=$?
	if [ "$a" = "-j metrics" ]; then
		# under -j the error is the one JSON document on stdout
		[ "$rc" = 64 ] && jq -e '.error | test("Prometheus text format only")' "$S_TMP/u.out" \
			>/dev/null && [ ! -s "$S_TMP/u.err" ] || bad+=" [$a] rc=$rc $(f u.out | short)"
	else
		[ "$rc" = 64 ] && [ ! -s "$S_TMP/u.out" ] && [ "$(grep -c . "$S_TMP/u.err")" = 1 ] ||
			bad+=" [$a] rc=$rc $(f u.err | short)"
		[[ $a != *--textfile=/* ]] || grep -q "^Error: --textfile given twice" "$S_TMP/u.err" ||
			bad+=" [$a] $(f u.err | short)"
	fi
done
if [ -z "$bad" ]; then t_pass; else t_fail "$bad"; fi
t_done
