# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Load held: one simulated session at its top event rate (a starving queue
# re-armed with no holdoff, the storm of issue 11), with 1, 8 and 64
# `zcrxctl -j subscribe` clients.  Each subscriber must account for every
# record the session emitted from its first one to the session's end: what
# it received, in the session's order, plus what its "lost" records count.
# Sourced by run.sh.

# keys FILE...: per file, one key a record: e<seq> for an event, a for an
# armed record, L<count> for a lost one ("FILE<TAB>KEY" lines)
keys() {
	jq -r '[input_filename, (if .record == "event" then "e\(.seq)" elif .record == "lost" then
		"L\(.count)" else .record[0:1] end)] | @tsv' "$@" 2>/dev/null
}

# account SESSION-KEYS SUB-KEYS: the subscriber's records are the session's,
# in order, from where they start to its end, with gaps exactly as its lost
# records count.  Prints "ok RECEIVED LOST" or what is wrong.
account() {
	awk -F'\t' '
	NR == FNR { k[++m] = $2; if ($2 ~ /^e/) at[$2] = m; next }
	{ s[++n] = $2 }
	END {
		# the first event anchors the subscriber in the session stream
		for (i = 1; i <= n && s[i] !~ /^e/; i++) ;
		if (i > n) { print "no event received"; exit }
		if (!(s[i] in at)) { print "event " s[i] " is not the session'\''s"; exit }
		p = at[s[i]]
		for (j = i - 1; j >= 1; j--) p -= (s[j] ~ /^L/) ? substr(s[j], 2) : 1
		if (p < 1) { print "more records before its first event than the session had"; exit }
		got = 0; lost = 0
		for (j = 1; j <= n; j++) {
			if (s[j] ~ /^L/) { c = substr(s[j], 2); p += c; lost += c; continue }
			if (k[p] != s[j]) { print "record " j ": " s[j] " where the session had " k[p] " (record " p ")"; exit }
			p++; got++
		}
		if (p != m + 1) { print "stopped at the session'\''s record " p - 1 " of " m ", " m + 1 - p " unaccounted"; exit }
		print "ok", got, lost
	}' "$1" "$2"
}

load_row() {
	local N=$1 E E2 n0 runs r i sp t ms rate rates= lost=0 got=0 tot_ms=0
	row "load" "$N subscriber$([ "$N" = 1 ] || echo s) on one session at its top event rate: received + lost == emitted"
	E=$(scale 3000 100)
	runs=$(scale 2 1)
	for ((r = 0; r < runs; r++)); do
		new_rundir
		start "ld$r" -j watch sim0 0 --sim --area-size 64K --sim-consumer hold:16 --sim-rate 1000000 \
			--rearm=auto --holdoff 0 --timestamp=mono
		sp=$pid
		if ! ready "ld$r"; then broke "the session did not start: $(f "ld$r.err" | short)"; stop "$sp"; continue; fi
		local -a subs=()
		for ((i = 0; i < N; i++)); do
			start "ld$r.s$i" -j subscribe sim0 0 --timestamp=mono
			subs+=("$pid")
		done
		# every subscriber has its first record; then E more events; then
		# the session is ended (SIGTERM) and must hand each what it owes
		attached() { for ((i = 0; i < N; i++)); do [ -s "$S_TMP/ld$r.s$i.out" ] || return 1; done; }
		wait_until 30 attached || broke "not every subscriber got a record within 30 s"
		n0=$(grep -c '"record":"event"' "$S_TMP/ld$r.out")
		more() { [ "$(grep -c '"record":"event"' "$S_TMP/ld$r.out")" -ge $((n0 + E)) ]; }
		wait_until 120 more || broke "the session did not emit $E more events in 120 s"
		kill -TERM "$sp"
		wait_exit "$sp" 10
		[ "$rc" = 0 ] || broke "the session exited $rc on SIGTERM: $(f "ld$r.err" | short)"
		local -a src=()
		for ((i = 0; i < N; i++)); do
			wait_exit "${subs[i]}" 10
			src[i]=$rc
		done
		E2=$(grep -c '"record":"event"' "$S_TMP/ld$r.out")
		# the session's own stream: seq 1..E2, nothing lost
		if ! jq -s -e --argjson n "$E2" '[.[] | select(.record == "event")] as $e |
			($e | length) == $n and ([$e[].seq] == [range(1; $n + 1)]) and
			([.[] | select(.record == "lost")] | length) == 0' "$S_TMP/ld$r.out" >/dev/null 2>&1; then
			broke "the session's own events are not 1..$E2"
			continue
		fi
		keys "$S_TMP/ld$r.out" >"$S_TMP/ld.keys"
		keys "$S_TMP"/ld$r.s*.out >"$S_TMP/ld.subkeys"
		for ((i = 0; i < N; i++)); do
			if [ "${src[i]}" != 0 ]; then
				broke "subscriber $i of $N exited ${src[i]}: $(f "ld$r.s$i.err" | short)"
				continue
			fi
			grep "/ld$r.s$i.out	" "$S_TMP/ld.subkeys" >"$S_TMP/ld.sub"
			v=$(account "$S_TMP/ld.keys" "$S_TMP/ld.sub")
			if [[ $v == "ok "* ]]; then
				held
				v=${v#ok }
				got=$((got + ${v% *})) lost=$((lost + ${v#* }))
			else
				broke "subscriber $i of $N: $v"
			fi
		done
		# events per second: the session's first to last event (mono ns)
		t=$(jq -s -r '[.[] | select(.record == "event") | .time] | "\(.[0]) \(.[-1])"' "$S_TMP/ld$r.out")
		ms=$(((${t#* } - ${t% *}) / 1000000))
		((ms > 0)) && rate=$(((E2 - 1) * 1000 / ms)) && rates+="${rates:+, }$rate"
		tot_ms=$((tot_ms + ms))
		rm -f "$S_TMP"/ld$r.*
	done
	((tot_ms > 0)) || tot_ms=1
	figure "$rates events/s (≥ $E events with all attached); $got records received, $lost counted lost"
}
