# SPDX-License-Identifier: MIT
# Sourced by the bench scripts: how a figure is taken, and how a row of
# the table is written.
#
# Instructions: valgrind --tool=callgrind, whose counts repeat (user space
# only).  Time: CPU as the kernel accounts it to the process, taken
# outside it (bench/cputime: wait4's rusage, which leaves out the time the
# hypervisor stole from our vCPU); never a clock read inside a sample.
# Two sides of a ratio, or two run lengths of a per-event figure, run
# paired: A, B, A, B, ...; the figure is the median of the pairs.
# Per-event figures are (cost of 2N) - (cost of N) over N, so start-up
# cancels.  Syscalls: strace -c -f.
#
# Rows go to $BENCH_ROWS (one tab-separated line each: figure, timed,
# instructions, syscalls, goal, mark); run.sh prints them as the table.
# Details go to stderr.  BENCH_QUICK=1: tiny counts, marks are "ran".

set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ZCRXCTL=${ZCRXCTL:-$PWD/zcrxctl/zcrxctl}
QUICK=${BENCH_QUICK:-0}
BENCH_ROWS=${BENCH_ROWS:-}
BENCH_TMP=$(mktemp -d /tmp/zcrxbench.XXXXXX)
export ZCRXCTL_RUNDIR=$BENCH_TMP/run
bench_pids=()
bench_cleanups=()
bench_exit() {
	local c p
	for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null; done
	for c in "${bench_cleanups[@]}"; do eval "$c"; done
	rm -rf "$BENCH_TMP"
}
trap bench_exit EXIT
trap 'exit 130' INT TERM

note() { echo "bench: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"$1\\n\", $2 }"; }

# Each measuring tool runs under the prefix BENCH_PRE (say, ip netns exec NS),
# so the tool and the command run there but the prefix is not measured
BENCH_PRE=()

# cg_ir OUT CMD...: instructions CMD ran (its stdout to OUT.stdout); extra
# valgrind options in the array CG_OPTS
CG_OPTS=()
cg_ir() {
	local out=$1
	shift
	rm -f "$out" "$out.txt"
	"${BENCH_PRE[@]}" valgrind --tool=callgrind --callgrind-out-file="$out" "${CG_OPTS[@]}" "$@" \
		>"$out.stdout" 2>"$out.err"
	[ -s "$out" ] || { note "callgrind of $* wrote nothing:"; tail -n 3 "$out.err" >&2; return 1; }
	awk '$1 == "totals:" || $1 == "summary:" { print $2; exit }' "$out"
}

# cg_incl OUT FN: instructions inside FN and all it called (0 when never)
cg_incl() {
	[ -s "$1.txt" ] || callgrind_annotate --inclusive=yes --threshold=100 "$1" >"$1.txt" 2>/dev/null
	awk -v fn=":$2 " '{ gsub(",", "", $1) } index($0, fn) { print $1; f = 1; exit }
		END { if (!f) print 0 }' "$1.txt"
}

# The simulator stands where the kernel would be: its work, which follows the
# wall clock (packets per second), is left out of the CLI's counts.
SIM_FNS=(zcrx_sim_rx_own_cqe sim_ctrl)
# cg_nosim OUT: instructions of the last cg_ir OUT, the simulator's left out
cg_nosim() {
	local t f
	t=$(awk '$1 == "totals:" || $1 == "summary:" { print $2; exit }' "$1")
	for f in "${SIM_FNS[@]}"; do t=$((t - $(cg_incl "$1" "$f"))); done
	echo "$t"
}

# cg_calls OUT FN: how many times FN was called, collected part only
# (needs CG_OPTS=(--compress-strings=no))
cg_calls() {
	awk -v fn="$2" '$1 == "cfn=" fn || $0 == "cfn=" fn { c = 1; next }
		c && /^calls=/ { split($1, a, "="); n += a[2] } { c = 0 }
		END { print n + 0 }' "$1"
}

# cpu_us CMD...: the CPU (user + system, us) CMD used, by bench/cputime
# (wait4's rusage: the guest kernel leaves the hypervisor's steal out, which
# perf's task-clock counts); its wake-ups (voluntary context switches) to
# $BENCH_TMP/cs
BENCH_CLOCK="rusage, steal left out"
cpu_us() {
	# no figure from this run is no figure, never the last run's
	rm -f "$BENCH_TMP/cpu"
	"${BENCH_PRE[@]}" "$PWD/bench/cputime" "$BENCH_TMP/cpu" "$@" >/dev/null 2>&1
	[ -s "$BENCH_TMP/cpu" ] || { note "bench/cputime measured nothing: $*"; return 1; }
	awk '$1 == "cpu_us" { print $2; print $4 > "/dev/stderr" }' "$BENCH_TMP/cpu" 2>"$BENCH_TMP/cs"
}
# pid_cpu_us PID SECONDS: CPU PID (all its threads) spends over the next
# SECONDS, from the scheduler's runtime, steal left out too
pid_cpu_us() {
	local a b
	a=$(cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { print t + 0 }')
	sleep "$2"
	b=$(cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { print t + 0 }')
	echo $(((b - a) / 1000))
}

# paired RUNS A_CMD -- B_CMD: RUNS pairs, A then B each time (1 when a run
# gave no figure); sets PA and PB
# (median CPU us of each) and PR (median of the pairs' B - A); PQ (median of
# A / B); PC (median of the pairs' B - A in context switches)
paired() {
	local runs=$1 i a b ca_n
	shift
	local -a ca=() cb=()
	while [ "$1" != -- ]; do ca+=("$1"); shift; done
	shift
	cb=("$@")
	: >"$BENCH_TMP/pa"; : >"$BENCH_TMP/pb"; : >"$BENCH_TMP/pd"; : >"$BENCH_TMP/pq"
	: >"$BENCH_TMP/pu"
	for ((i = 0; i < runs; i++)); do
		a=$(cpu_us "${ca[@]}") || return 1
		ca_n=$(cat "$BENCH_TMP/cs")
		b=$(cpu_us "${cb[@]}") || return 1
		echo $(($(cat "$BENCH_TMP/cs") - ca_n)) >>"$BENCH_TMP/pu"
		echo "$a" >>"$BENCH_TMP/pa"
		echo "$b" >>"$BENCH_TMP/pb"
		echo $((b - a)) >>"$BENCH_TMP/pd"
		calc %.4f "$b ? $a / $b : 0" >>"$BENCH_TMP/pq"
	done
	PA=$(median <"$BENCH_TMP/pa")
	PB=$(median <"$BENCH_TMP/pb")
	PR=$(median <"$BENCH_TMP/pd")
	PQ=$(median <"$BENCH_TMP/pq")
	PC=$(median <"$BENCH_TMP/pu")
}

# sc_count CMD...: syscalls CMD makes (all threads and children); the
# count of each is left in $BENCH_TMP/strace
sc_count() {
	"${BENCH_PRE[@]}" strace -f -c -o "$BENCH_TMP/strace" "$@" >/dev/null 2>&1
	sc_of total
}
# sc_of NAME: calls of syscall NAME in the last sc_count/strace summary
sc_of() { awk -v n="$1" '$NF == n { print $4; f = 1 } END { if (!f) print 0 }' "$BENCH_TMP/strace"; }

# le X GOAL: X <= GOAL
le() { awk -v x="$1" -v g="$2" 'BEGIN { exit !(x + 0 <= g + 0) }'; }

# row FIGURE TIMED INSTR SYSCALLS GOAL OK: OK is 1 (at or under the goal),
# 0 (over it) or a word (skipped: why)
row() {
	local mark
	case $6 in
	1) mark=pass ;;
	0) mark=FAIL ;;
	*) mark=$6 ;;
	esac
	[ "$QUICK" = 1 ] && [ "$6" = 0 -o "$6" = 1 ] && mark="ran (quick)"
	if [ -n "$BENCH_ROWS" ]; then
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$mark" >>"$BENCH_ROWS"
	else
		printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "$mark"
	fi
}
