#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The simulator behind the seam, seen from the CLI: it owns no user_data, so
# any value works for the events and the receives (the simulator once kept
# every user_data with 0x5a53 in the top 16 bits for itself, and such events
# never arrived), and it shares the ring's SQ and CQ without a cap on
# receives.
. "$(dirname "$0")/lib_session.sh"

# The CLI picks its receives' user_data itself (RECV_UD_TAG); the event
# user_data is the user's (tests/unit/test_datapath.c covers receives).
for ud in 0x5a533f0000000000 0x5a53000000000001 0x5a53ffffffffffff; do
	t_begin "watch --sim --user-data $ud: the events arrive"
	new_rundir
	run timeout 20 "$ZCRXCTL" -j watch sim0 0 --sim --sim-copy-ratio 0.5 --events copy \
		--rearm=auto --holdoff 50ms --user-data "$ud" -c 3 -t 10s
	if [ "$rc" = 0 ] && jqe -s 'map(select(.record == "event")) | length == 3 and
		all(.event == "copy")' <<<"$out"; then t_pass
	else t_fail "rc=$rc $(short "$out") $(short "$err")"; fi
done

# The simulator's wake-ups on the ring carry the event user_data: traffic that
# needs them (rate-paced, not stepped) flows under a 0x5a53 one too.
t_begin "watch --sim --user-data 0x5a533f0000000000: paced traffic keeps arriving"
new_rundir
start b -j watch sim0 0 --sim --user-data 0x5a533f0000000000 --stats-interval 100ms -t 3s
# exit 2: timed out with no event, as asked
wait_exit "$pid" 10
if [ "$rc" = 2 ] && jqe -s 'map(select(.record == "stats")) | length >= 2 and
	(last | .["rx-buffers"] > 0)' <"$S_TMP/b.out"; then t_pass
else t_fail "rc=$rc $(f b.out | short) $(f b.err | short)"; fi

t_done
