#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zcrxctl metrics on a real kernel: a NODEV session (Linux 7.1+) that has
# received real TCP and fired the kernel's copy event (7.2+) is scraped, and
# its figures are exactly status -j's (the session is idle by then); with
# --queues, virtio_net's RX queues and their page pools (7.2+) are there;
# promtool check metrics accepts both.  On the host nothing here runs.
. "$(dirname "$0")/lib_session.sh"

if [ -z "${ZCRX_IN_VM:-}" ]; then
	echo "# n/a - every case: only the VM tier's guests have a throw-away kernel and NIC"
	t_done
fi

send() { timeout 10 bash -c 'head -c "$2" /dev/zero >"/dev/tcp/127.0.0.1/$1"' _ "$1" "$2"; }
session() { "$ZCRXCTL" -j status n0 0 | jq -e ".[0] | $1" >/dev/null; }
PROMTOOL=$(command -v promtool)
# promcase FILE: promtool accepts FILE without a word (lint included)
promcase() {
	local said
	if [ -z "$PROMTOOL" ]; then
		t_skip "promtool is not in this guest (the initramfs carries it when the host has it: apt-get install prometheus)"
	elif said=$("$PROMTOOL" check metrics <"$1" 2>&1) && [ -z "$said" ]; then
		t_pass
	else
		t_fail "promtool: $(short "$said")"
	fi
}
mval() { awk -v s="$2" '$1 == s { print $2; n++ } END { exit n != 1 }' "$1"; }

kernel_zcrx
IFS=.- read -r major minor _ <<<"$(uname -r)"

t_begin "a NODEV session that copied real TCP: metrics equals status -j (mode nodev, copy event, bytes)"
L='dev="n0",queue="0"'
if [ "$events" != yes ]; then
	t_na "$events"
else
	new_rundir
	start w -j watch --nodev n0 0 --listen 127.0.0.1:0 -t 120s
	wpid=$pid
	if ! wait_until 20 has_port w; then
		t_fail "no listening line: $(f w.err | short)"
	else
		send "$(listen_port w)" 20000
		wait_until 20 session '.["copy-bytes"] == 20000'
		"$ZCRXCTL" -j status n0 0 >"$S_TMP/s.json"
		"$ZCRXCTL" metrics >"$S_TMP/m.prom" 2>"$S_TMP/m.err"
		mrc=$?
		bad=
		[ "$mrc" = 0 ] || bad+=" rc=$mrc"
		[ "$(jq '.[0]["copy-bytes"]' "$S_TMP/s.json")" = 20000 ] || bad+=" status:$(short "$(cat "$S_TMP/s.json")")"
		[ "$(mval "$S_TMP/m.prom" "zcrx_session_info{$L,zcrx_id=\"$(jq '.[0]["zcrx-id"]' "$S_TMP/s.json")\",pid=\"$wpid\",mode=\"nodev\",prog=\"zcrxctl\"}")" = 1 ] ||
			bad+=" info"
		for k in "copies_total copy-count" "copy_bytes_total copy-bytes" \
			"lost_records_total lost-records" "areas areas" "area_bytes area-size"; do
			set -- $k
			[ "$(mval "$S_TMP/m.prom" "zcrx_session_$1{$L}")" = "$(jq ".[0][\"$2\"]" "$S_TMP/s.json")" ] ||
				bad+=" $1"
		done
		[ "$(mval "$S_TMP/m.prom" "zcrx_session_events_total{$L,type=\"copy\"}")" = 1 ] || bad+=" events"
		[ "$(mval "$S_TMP/m.prom" "zcrx_session_event_latched{$L,type=\"copy\"}")" = 1 ] || bad+=" latched"
		if [ -z "$bad" ]; then t_pass
		else t_fail "$bad: $(short "$(cat "$S_TMP/m.prom")") $(f m.err | short)"; fi
	fi
fi

t_begin "promtool check metrics accepts the NODEV session's metrics"
if [ "$events" != yes ]; then
	t_na "$events"
elif [ ! -s "$S_TMP/m.prom" ]; then
	t_fail "no metrics to check: $(f m.err | short)"
else
	promcase "$S_TMP/m.prom"
fi

vm_nic

t_begin "--queues: eth0's two RX queues with qstats and their virtio_net page pools (7.2+), promtool accepts it"
if [ $((major * 100 + minor)) -lt 702 ]; then
	t_na "kernel $(uname -r) lists no virtio_net page pools (seen from 7.2)"
elif [ -n "$nic" ]; then
	t_skip "$nic"
else
	ip addr add 192.0.2.2/24 dev eth0 2>/dev/null
	timeout 5 ping -c 3 -i 0.2 "$ZCRX_VM_PEER" >/dev/null 2>&1
	"$ZCRXCTL" metrics --queues >"$S_TMP/q.prom" 2>"$S_TMP/q.err"
	qrc=$?
	bad=
	ifx=$(cat /sys/class/net/eth0/ifindex)
	for q in 0 1; do
		E="ifindex=\"$ifx\",dev=\"eth0\",queue=\"$q\""
		grep -q "^zcrx_queue_info{$E," "$S_TMP/q.prom" || bad+=" info:$q"
		grep -q "^zcrx_page_pool_alloc_fast_total{$E,pool=\"[0-9]*\"} [0-9]*$" "$S_TMP/q.prom" ||
			bad+=" pool:$q"
		grep -q "^zcrx_page_pool_inflight_pages{$E,pool=\"[0-9]*\"} [0-9]*$" "$S_TMP/q.prom" ||
			bad+=" inflight:$q"
	done
	if [ "$qrc" != 0 ] || [ -n "$bad" ]; then
		t_fail "rc=$qrc missing:$bad err=$(f q.err | short) out=$(grep eth0 "$S_TMP/q.prom" | short)"
	else
		promcase "$S_TMP/q.prom"
	fi
fi

[ -n "${wpid:-}" ] && stop "$wpid"
t_done
