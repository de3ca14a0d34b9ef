#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The goals the bench held before issue 14, kept beside its table:
#   idle session   CPU of `watch --sim --sim-rate 0` over IDLE_SECONDS after
#                  its readiness line, from /proc/PID/schedstat: <= 1 ms per 10 s
#   idle library   CPU of bench/recycle holding an idle ifq (rusage, in the
#                  process: a wait, not a sample): <= 1 ms per 10 s
#   peak RSS       VmHWM of `-j watch --sim --area-size 8M` under a storm for
#                  RSS_SECONDS, less the area mapping's resident part: <= 4 MiB
# Knobs: IDLE_SECONDS (10), RSS_SECONDS (3).
. "$(dirname "$0")/lib.sh"

IDLE_SECONDS=${IDLE_SECONDS:-$([ "$QUICK" = 1 ] && echo 1 || echo 10)}
RSS_SECONDS=${RSS_SECONDS:-$([ "$QUICK" = 1 ] && echo 1 || echo 3)}

# ready PID ERRFILE: until the session said "Watching" (5 s)
ready() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q '^Watching ' "$2" && return 0
		sleep 0.05
	done
	note "the watch did not start: $(tail -n 2 "$2")"
	return 1
}

"$ZCRXCTL" watch sim0 0 --sim --sim-rate 0 >/dev/null 2>"$BENCH_TMP/idle.err" &
pid=$!
bench_pids+=($pid)
ready $pid "$BENCH_TMP/idle.err" || exit 1
sleep 0.2
t0=$(awk '{ print $1 }' "/proc/$pid/schedstat")
sleep "$IDLE_SECONDS"
t1=$(awk '{ print $1 }' "/proc/$pid/schedstat")
kill -INT $pid
wait $pid
ms=$(calc %.3f "($t1 - $t0) / 1e6 * 10 / $IDLE_SECONDS")
ok=0
le "$ms" 1 && ok=1
row "idle \`watch --sim\` session, CPU per 10 s" "$ms ms" - - "≤ 1 ms" $ok

us=$(bench/recycle idle "$IDLE_SECONDS" | awk '$1 == "idle_cpu_us" { print $2 }')
[ -n "$us" ] || { note "recycle idle failed"; exit 1; }
ms=$(calc %.3f "$us / 1000 * 10 / $IDLE_SECONDS")
ok=0
le "$ms" 1 && ok=1
row "idle ifq held by the library, CPU per 10 s" "$ms ms" - - "≤ 1 ms" $ok

"$ZCRXCTL" -j watch sim0 0 --sim --area-size 8M --sim-rate 20000 --sim-consumer hold:64 \
	--rearm=auto --holdoff 0 >/dev/null 2>"$BENCH_TMP/rss.err" &
pid=$!
bench_pids+=($pid)
ready $pid "$BENCH_TMP/rss.err" || exit 1
sleep "$RSS_SECONDS"
hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status")
area=$(awk -v sz=8192 '
	/^[0-9a-f]+-[0-9a-f]+ / { n = split($0, f, " "); anon = (n < 6) }
	$1 == "Size:" { size = $2 }
	$1 == "Rss:" && anon && size == sz { sum += $2 }
	END { print sum + 0 }' "/proc/$pid/smaps")
kill -INT $pid
wait $pid 2>/dev/null
[ -n "$hwm" ] || { note "no VmHWM for the watch session"; exit 1; }
mib=$(calc %.2f "($hwm - $area) / 1024")
ok=0
le "$mib" 4 && ok=1
row "peak RSS of a watch session, area excluded" "$mib MiB" - - "≤ 4 MiB" $ok
