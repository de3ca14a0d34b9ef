#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The reliability suite (issue 11, "Figures, not adjectives"): hostile inputs
# tried, faults injected, load held, each a row with its repeat count and how
# many tries held.  Its output is the table README.md quotes.
#
#   tests/reliability/run.sh [--quick] [--only REGEX]     (make reliability)
#
#   --quick       small counts and no VM (at most 40 s on an idle 2-core
#                 machine); the full run boots the VM tier's Linux 7.2 once
#                 for the real-kernel rows (vm.sh) and takes up to 8 min
#   --only REGEX  only the rows whose function name (argv_row, stale_row,
#                 load_row_64, ...) or "what was tried" matches REGEX; one
#                 that matches a VM row (vm_*_row) boots the VM tier unless
#                 --quick is given too; a REGEX matching no row is a usage
#                 error (exit 64)
#
# stdout: one Markdown table, category | what was tried | tried | held |
# figure.  stderr: one progress line per row, then every try that did not
# hold.  Exit 0 when every row that ran held all its tries, 1 otherwise.  A
# row that cannot run here says why and counts as neither.
#
# A try holds when zcrxctl exits with a documented status (never a signal or
# a hang), says an error in one line (one {"error"} object under -j), prints
# no sanitizer report, no raw control byte and only valid UTF-8 and JSON,
# and leaves no socket and no process behind; each row adds its own checks
# (lib.sh, hostile.sh, faults.sh, load.sh).  ZCRXCTL picks the binary: a
# `make SANITIZE=1` build makes every try a sanitizer run too.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
QUICK=0
ONLY=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--only)
		[ $# -ge 2 ] && [ -n "$2" ] || { echo "usage: $0 [--quick] [--only REGEX]" >&2; exit 64; }
		ONLY=$2; shift ;;
	-h | --help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [--quick] [--only REGEX]" >&2; exit 64 ;;
	esac
	shift
done

. "$HERE/lib.sh"
. "$HERE/hostile.sh"
. "$HERE/faults.sh"
. "$HERE/load.sh"
. "$HERE/vm.sh"

for b in "$ZCRXCTL" "$USOCK" "$TOP/tests/helpers/oldsession"; do
	if [ ! -x "$b" ]; then
		echo "reliability: $b is not built (make all tests/helpers/usock tests/helpers/oldsession)" >&2
		exit 1
	fi
done
command -v jq >/dev/null || { echo "reliability: needs jq" >&2; exit 1; }

# The rows, in table order: NAME-OF-FUNCTION "what was tried" (the text the
# function gives row must match, for --only before it runs)
ROWS=(argv_row proto_row fuzz_row env_row
	kill_session_row kill_client_row stopped_row full_stdout_row full_rundir_row
	closed_stdout_row stale_row foreign_row backlog_row overflow_sim_row
	vm_overflow_row vm_kill_row vm_subscriber_row
	load_row_1 load_row_8 load_row_64)
load_row_1() { load_row 1; }
load_row_8() { load_row 8; }
load_row_64() { load_row 64; }

# --only: the function's name, or the row's text as its row call gives it
RUN_ROWS=()
for fn in "${ROWS[@]}"; do
	if [ -z "$ONLY" ] ||
	   grep -Eq -- "$ONLY" <<<"$fn $(declare -f "$fn" | grep -m1 -o 'row "[^"]*" "[^"]*"')"; then
		RUN_ROWS+=("$fn")
	fi
done
# a typo must not pass as an empty table that held
if [ ${#RUN_ROWS[@]} = 0 ]; then
	echo "reliability: --only '$ONLY' matches no row (a function name such as stale_row, or a row's \"what was tried\")" >&2
	exit 64
fi

t0=$(now_ms)
cd "$S_TMP" || exit 1
for fn in "${RUN_ROWS[@]}"; do
	"$fn"
	row_end
done
cd "$TOP" || exit 1

print_table
s=$((($(now_ms) - t0) / 1000))
echo "reliability: $( ((QUICK)) && echo quick || echo full) run, ${s} s" >&2
if ! all_held; then
	echo "reliability: tries that did not hold:" >&2
	sed 's/^/  /' "$R_BROKE" | head -n 40 >&2
	n=$(grep -c . "$R_BROKE")
	[ "$n" -gt 40 ] && echo "  (and $((n - 40)) more)" >&2
	exit 1
fi
exit 0
