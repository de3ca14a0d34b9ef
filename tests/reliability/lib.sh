# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The reliability suite's bookkeeping and its one oracle, on top of
# tests/lib_session.sh (sessions in the background, bounded waits, cleanup).
#
#   row CATEGORY WHAT     start a row of the table
#   held / broke WHY      one try's verdict; broke keeps WHY for the report
#   figure TEXT           the row's figure column
#   skip_row WHY          the row could not run here (tried 0), and why
#   xfail_row WHY         the row failed as a known product bug WHY does (a
#                         strict XFAIL: shown with its counts, it does not
#                         fail the run; the row holding instead does)
#   zc_try [-j] ARGS...   run zcrxctl ARGS as a hostile try and judge it
#
# "Held" (zc_try): a documented exit status (0 1 2 3 4 64; never a signal
# or a hang), no sanitizer or crash report, an error is one clear line
# ("Error: ..." on stderr, or one {"error": ...} object on stdout under -j,
# the other stream empty), output without raw control bytes and valid UTF-8,
# JSON that parses under -j, and no socket left in RUNDIR.  Processes left
# behind are looked for once a row ends (every try carries ZREL_TAG).
. "$(dirname "${BASH_SOURCE[0]}")/../lib_session.sh"

ENV_AS= ENV_RC= TRY_SGR=0
R_CAT=() R_WHAT=() R_TRIED=() R_HELD=() R_FIG=() R_SKIP=() R_XFAIL=() R_XEXP=()
R_BROKE=$S_TMP/broke
: >"$R_BROKE"
_r=-1
export ZREL_TAG=zrel-$$

row() {
	row_end
	_r=${#R_CAT[@]}
	R_CAT[_r]=$1 R_WHAT[_r]=$2 R_TRIED[_r]=0 R_HELD[_r]=0 R_FIG[_r]= R_SKIP[_r]= R_XFAIL[_r]= R_XEXP[_r]=
	_r_t0=$(date +%s%N)
	_r_pids=${#_s_pids[@]}
}
held() { R_TRIED[_r]=$((R_TRIED[_r] + 1)); R_HELD[_r]=$((R_HELD[_r] + 1)); }
broke() {
	R_TRIED[_r]=$((R_TRIED[_r] + 1))
	printf '%s: %s\n' "${R_WHAT[_r]}" "$(printf '%s' "$*" | cat -v | tr '\n' '|' | cut -c1-400)" \
		>>"$R_BROKE"
}
# verdict WHY: held when WHY is empty
verdict() { if [ -z "$1" ]; then held; else broke "$1"; fi; }
figure() { R_FIG[_r]=$*; }
skip_row() { R_SKIP[_r]=$*; }
xfail_row() { R_XFAIL[_r]=$*; }
# xfail_expected: this row is marked as a known bug; it holding is an XPASS
xfail_expected() { R_XEXP[_r]=1; }

# tagged: pids of processes that carry this run's ZREL_TAG, other than the
# sessions this script started and still holds
tagged() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
		grep -qz "^ZREL_TAG=$ZREL_TAG\$" "/proc/$p/environ" 2>/dev/null || continue
		ours "$p" && continue
		# a subshell of this script is no leftover
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink /proc/$$/exe)" ] && continue
		echo "$p"
	done
}

row_end() {
	[ "$_r" -ge 0 ] || return 0
	local p left
	left=$(tagged)
	for p in $left; do
		# one more try that did not hold: whichever left it
		broke "left running: pid $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		kill -KILL "$p" 2>/dev/null
	done
	R_MS[_r]=$((($(date +%s%N) - _r_t0) / 1000000))
	if [ -n "${R_XEXP[_r]}" ] && [ -z "${R_XFAIL[_r]}" ] && [ -z "${R_SKIP[_r]}" ] &&
	   [ "${R_TRIED[_r]}" -gt 0 ] && [ "${R_HELD[_r]}" = "${R_TRIED[_r]}" ]; then
		echo "${R_WHAT[_r]}: held, yet marked a known bug (xfail): the bug is fixed, drop the xfail" >>"$R_BROKE"
	fi
	# the whole "what was tried", as README's table has it: never cut
	printf 'reliability: %-12s %-60s %5d/%-5d %6d ms%s\n' "${R_CAT[_r]}" "${R_WHAT[_r]}" \
		"${R_HELD[_r]}" "${R_TRIED[_r]}" "${R_MS[_r]}" \
		"${R_SKIP[_r]:+ (skipped: ${R_SKIP[_r]})}${R_XFAIL[_r]:+ (known bug, xfail)}" >&2
	_r=-1
}

# The table: category | what was tried | tried | held | figure
print_table() {
	local i fig
	echo "| category | what was tried | tried | held | figure |"
	echo "|---|---|---|---|---|"
	for ((i = 0; i < ${#R_CAT[@]}; i++)); do
		fig=${R_FIG[i]}
		if [ -n "${R_SKIP[i]}" ]; then
			echo "| ${R_CAT[i]} | ${R_WHAT[i]} | 0 | — | not run here: ${R_SKIP[i]} |"
		elif [ -n "${R_XFAIL[i]}" ]; then
			echo "| ${R_CAT[i]} | ${R_WHAT[i]} | ${R_TRIED[i]} | ${R_HELD[i]} | KNOWN BUG (xfail): ${R_XFAIL[i]}; $fig |"
		else
			echo "| ${R_CAT[i]} | ${R_WHAT[i]} | ${R_TRIED[i]} | ${R_HELD[i]} | $fig |"
		fi
	done
}
# all_held: every row that ran held every try (a row that ran must try something)
all_held() {
	local i
	for ((i = 0; i < ${#R_CAT[@]}; i++)); do
		[ -n "${R_SKIP[i]}" ] && continue
		[ -n "${R_XFAIL[i]}" ] && continue
		[ "${R_TRIED[i]}" -gt 0 ] && [ "${R_HELD[i]}" = "${R_TRIED[i]}" ] || return 1
		# a known bug that held: drop its xfail (an unexpected pass fails)
		[ -z "${R_XEXP[i]}" ] || return 1
	done
}

SAN_RE='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|Segmentation fault|core dumped|stack smashing|double free|malloc\(\)'
CTRL_RE=$'[\x01-\x08\x0b-\x1f\x7f]'

# text_ok FILE...: no raw control byte (tab and newline aside), valid UTF-8;
# else $why says what
text_ok() {
	local f bad
	# --color=always: SGR sequences (ESC [ digits m) are ours to write
	if [ "${TRY_SGR:-0}" = 1 ]; then
		for f in "$@"; do LC_ALL=C sed 's/\x1b\[[0-9;]*m//g' "$f" >"$f.nosgr"; done
		set -- "${@/%/.nosgr}"
	fi
	if bad=$(LC_ALL=C grep -m1 "$CTRL_RE" "$@"); then
		why="raw control bytes: $bad"
		return 1
	fi
	if bad=$(LC_ALL=C.UTF-8 grep -laxv '.*' "$@"); then
		why="invalid UTF-8 in $(basename "$bad")"
		return 1
	fi
}

# judge_out JSON RC ALLOWED: judge $S_TMP/try.out and try.err of one run
# whose status was RC; ALLOWED is a list of statuses; $why is empty when
# held
judge_out() {
	local json=$1 rc=$2 allowed=" $3 " o=$S_TMP/try.out e=$S_TMP/try.err l nerr=0
	local -a el ol
	why=
	if [ "$rc" = 124 ]; then why="hung (killed after ${TRY_TIMEOUT}s)"; return; fi
	if [ "$rc" -ge 128 ]; then why="killed by signal $((rc - 128))"; return; fi
	if [[ $allowed != *" $rc "* ]]; then why="exit $rc, want one of$allowed"; return; fi
	if l=$(grep -Eh -m1 "$SAN_RE" "$e" "$o"); then why="crash report: $l"; return; fi
	text_ok "$o" "$e" || return
	mapfile -t el <"$e"
	mapfile -t ol <"$o"
	for l in "${el[@]}"; do [[ $l == "Error: "* ]] && nerr=$((nerr + 1)); done
	if [ "$json" = 1 ]; then
		if [ -z "$TRY_CMD" ] && [ "$rc" = 64 ] && [[ ${el[0]:-} == "Usage: zcrxctl "* ]]; then
			: # no command at all: the usage on stderr, as bpftool and ip do
		elif [ "$rc" = 1 ] || [ "$rc" = 64 ]; then
			if [ ${#el[@]} != 0 ]; then why="stderr under -j: ${el[0]:0:200}"; return; fi
			# zcrxctl writes compact JSON: exactly {"error":"..."} with a
			# well-formed, non-empty string (control bytes and UTF-8 are
			# checked above); a regex, as jq would cost a process a try
			if [ ${#ol[@]} != 1 ] || ! [[ ${ol[0]} =~ $ERROR_RE ]]; then
				why="not one {\"error\"} line: ${ol[*]:0:3}"; return
			fi
		elif [ -s "$o" ] && ! jq -s -e 'length > 0' "$o" >/dev/null 2>&1; then
			why="-j output does not parse: ${ol[0]:0:200}"; return
		fi
	else
		if [ "$rc" = 0 ] && [ "$nerr" != 0 ]; then why="exit 0 with an error: ${el[0]:0:200}"; return; fi
		if [ -z "$TRY_CMD" ] && [ "$rc" = 64 ] && [[ ${el[0]:-} == "Usage: zcrxctl "* ]]; then
			[ ${#ol[@]} = 0 ] || { why="stdout beside the usage: ${ol[0]:0:200}"; return; }
		elif [ "$rc" = 1 ] || [ "$rc" = 64 ]; then
			if [ "$nerr" != 1 ] || [ ${#el[@]} != 1 ]; then
				why="want one Error: line on stderr: $(printf '%s|' "${el[@]}" | cut -c1-300)"; return
			fi
			# an invocation that failed prints nothing else: status lists
			# what it found before an error, and is the one exception
			if [ ${#ol[@]} != 0 ] && [ "$TRY_CMD" != status ]; then
				why="stdout beside an error: ${ol[0]:0:200}"; return
			fi
		fi
	fi
	if compgen -G "$ZCRXCTL_RUNDIR/*" >/dev/null; then
		why="left in RUNDIR: $(ls -A "$ZCRXCTL_RUNDIR" | tr '\n' ' ')"
		rm -f "$ZCRXCTL_RUNDIR"/*
	fi
}

ERROR_RE='^\{"error":"([^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})+"\}$'
TRY_TIMEOUT=10
ALLOWED_RC="0 1 2 3 4 64"
declare -A RC_SEEN=()
# zc_try [-j] ARGS...: one hostile invocation, judged; counts its status
zc_try() {
	local json=0 rc a
	# JSON output: -j, -p or --json/--pretty among the global options
	TRY_CMD=
	for a in "$@"; do
		if [[ $a == --json || $a == --pretty || $a =~ ^-[a-zA-Z]*[jp] ]]; then json=1
		elif [[ $a != -* ]]; then TRY_CMD=$a; break
		fi
	done
	timeout -k 2 "$TRY_TIMEOUT" env --default-signal=INT,PIPE "$ZCRXCTL" "$@" \
		</dev/null >"$S_TMP/try.out" 2>"$S_TMP/try.err"
	rc=$?
	RC_SEEN[$rc]=$((${RC_SEEN[$rc]:-0} + 1))
	judge_out "$json" "$rc" "$ALLOWED_RC"
	[ -z "$why" ] || why="zcrxctl $(printf '%q ' "$@" | cut -c1-160): $why"
	verdict "$why"
}
# rc_figure: "exit 64 ×N, 1 ×M" of the tries since RC_SEEN was cleared
rc_figure() {
	local k s=
	for k in $(printf '%s\n' "${!RC_SEEN[@]}" | sort -n); do s+="${s:+, }$k ×${RC_SEEN[$k]}"; done
	echo "exit $s"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# n_fds PID: open descriptors of PID
n_fds() { ls "/proc/$1/fd" 2>/dev/null | grep -c .; }
# scale FULL QUICK: the repeat count for this mode
scale() { if [ "$QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }
