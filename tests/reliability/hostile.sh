# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Hostile inputs: argv, protocol lines, the fuzz corpora, the environment.
# Sourced by run.sh.

# Values no option, device or queue should take: empty, signs, overflow,
# overlong, control bytes (a terminal title, a clear screen, a bell), invalid
# UTF-8 (a stray byte, a truncated sequence, an overlong encoding, a
# surrogate), format strings, paths, option look-alikes.
BIGARG=$(head -c 5000 /dev/zero | tr '\0' A)
HUGEARG=$(head -c 100000 /dev/zero | tr '\0' 9)
HOSTILE=(
	"" "-1" "--" "1e9" "99999999999999999999999" "$BIGARG" "$HUGEARG"
	$'\e]0;PWNED\a' $'\e[2J\e[H' $'a\tb\nc' $'\x7f\x01\r'
	$'\xff\xfe' $'\xc3' $'\xc0\xaf' $'\xed\xa0\x80' $'\xc2\x9b31m'
	"%s%n%x%p" "../a/b"
)
# for --quick: a terminal escape and invalid UTF-8 in one value
QUICK_HOSTILE=($'\e]0;PWNED\a\xff\xfe')

# The options that take a value, by command (bind's for watch too).
BIND_VOPTS=(--area-size --rq-entries --rx-buf-len --events --user-data --listen --consume-delay
	--hold --sim-consumer --sim-copy-ratio --sim-inject-errno --sim-kernel --sim-rate --sim-seed)
WATCH_VOPTS=("${BIND_VOPTS[@]}" --count --holdoff --rearm --stats-interval --timestamp --timeout)
SUB_VOPTS=(--count --timeout --timestamp)
# What a try starts from: valid but for the one hostile part, and bounded if
# it were ever taken (a check, one event, a short timeout).
SAFE_BIND=(--sim --area-size 64K --check)
SAFE_WATCH=(--sim --area-size 64K --sim-consumer hold:16 -c 1 -t 2s)

# argv_tries: every hostile invocation, one a line, arguments NUL-separated
# and the line ended by a lone \x01 (values may hold newlines)
argv_gen() {
	local v o c
	local -a vals=("${HOSTILE[@]}")
	[ "$QUICK" = 1 ] && vals=("${QUICK_HOSTILE[@]}")
	emit() { [ $# = 0 ] || printf '%s\0' "$@"; printf '\x01\0'; }
	for v in "${vals[@]}"; do
		# a value of every option that takes one
		for o in "${BIND_VOPTS[@]}"; do emit bind sim0 0 "${SAFE_BIND[@]}" "$o" "$v"; done
		for o in "${WATCH_VOPTS[@]}"; do emit watch sim0 0 "${SAFE_WATCH[@]}" "$o" "$v"; done
		for o in "${SUB_VOPTS[@]}"; do emit subscribe sim0 0 "$o" "$v"; done
		emit features --require "$v"
		emit --color="$v" features
		# as DEV and as QUEUE of every command that takes them
		emit show "$v"
		emit show lo "$v"
		emit bind "$v" 0 "${SAFE_BIND[@]}"
		emit bind sim0 "$v" "${SAFE_BIND[@]}"
		emit watch "$v" 0 "${SAFE_WATCH[@]}"
		emit watch sim0 "$v" "${SAFE_WATCH[@]}"
		emit arm "$v" 0
		emit arm sim0 "$v"
		emit arm sim0 0 "$v"
		emit subscribe "$v" 0 -c 1 -t 1s
		emit subscribe sim0 "$v" -c 1 -t 1s
		emit status "$v"
		emit status sim0 "$v"
		emit help "$v"
		# as a command, an unknown option, an extra argument
		emit "$v"
		for c in features show selftest bind watch arm subscribe status help; do
			emit "$c" "--$v"
		done
		emit selftest "$v"
		emit bind sim0 0 "$v" "${SAFE_BIND[@]}"
		emit status sim0 0 "$v"
	done
	# unknown options and misplaced global ones, on every command
	for c in features show selftest bind watch arm subscribe status help; do
		emit "$c" --bogus
		emit "$c" -Z
		emit "$c" -j
		emit "$c" --color=never
		emit "$c" --json=1
		emit "$c" "--$BIGARG"
	done
	emit
	emit --
	emit -j
	emit -jpqV --bogus
}

# argv_row: run every generated invocation in text and under -j
argv_row() {
	row "hostile input" "argv: every command × bad values, unknown options, overlong, control bytes, invalid UTF-8 (text and -j)"
	new_rundir
	RC_SEEN=()
	local -a a=()
	local x
	while IFS= read -r -d '' x; do
		if [ "$x" = $'\x01' ]; then
			zc_try "${a[@]}"
			zc_try -j "${a[@]}"
			a=()
		else
			a+=("$x")
		fi
	done < <(argv_gen)
	figure "$(rc_figure)"
}

# --- the control socket ---------------------------------------------------------
# proto_lines: the raw requests, NUL-separated: every prefix of a good request
# (a torn line), garbage, wrong types, unknown ops and fields, deep nesting,
# overlong, control bytes and invalid UTF-8 inside strings
proto_gen() {
	local good='{"v":1,"cmd":"arm","event":"alloc-fail"}' i v
	local step=1
	local -a vals=("${HOSTILE[@]}")
	[ "$QUICK" = 1 ] && step=8 && vals=("${QUICK_HOSTILE[@]}")
	for ((i = 1; i < ${#good}; i += step)); do printf '%s\0' "${good:0:i}"; done
	for v in "${vals[@]}"; do
		printf '%s\0' "$v" "{\"v\":1,\"cmd\":\"$v\"}" "{\"v\":1,\"cmd\":\"arm\",\"event\":\"$v\"}" \
			"{\"v\":\"$v\",\"cmd\":\"status\"}" "{\"v\":1,\"cmd\":\"status\",\"$v\":1}"
	done
	printf '%s\0' '{}' '[]' 'null' 'true' '1' '"status"' '{"v":1}' '{"v":1,"cmd":null}' \
		'{"v":1,"cmd":1}' '{"v":1,"cmd":["status"]}' '{"v":1,"cmd":{"x":1}}' '{"v":1.5,"cmd":"status"}' \
		'{"v":-1,"cmd":"status"}' '{"v":18446744073709551617,"cmd":"status"}' '{"v":1e999,"cmd":"status"}' \
		'{"v":1,"cmd":"status"}{"v":1,"cmd":"status"}' '{"v":1,"cmd":"status","cmd":"arm"}' \
		'{"v":1,"cmd":"reboot"}' '{"v":1,"cmd":"shutdown"}' '{"v":1,"cmd":"subscribe","x":[1,2,{}]}' \
		'{"v":1,"cmd":"arm","event":"all","extra":"x"}' '{"v":1,"cmd":"arm","event":["copy"]}' \
		'{"v":1,"cmd":"st\u0000atus"}' '{"v":1,"cmd":"\ud800"}' '{"v":1,"cmd":"\u001b]0;x\u0007"}' \
		'{"v":1,"cmd":"status"' '{"v":1,,"cmd":"status"}' "{'v':1,'cmd':'status'}" \
		"$(printf '[%.0s' {1..64})" "$(printf '{"a":%.0s' {1..64})" \
		"{\"v\":1,\"cmd\":\"status\",\"x\":\"$BIGARG\"}" "$(head -c 4095 /dev/zero | tr '\0' ' ')" \
		"$(head -c 4097 /dev/zero | tr '\0' ' ')" "$(head -c 100000 /dev/zero | tr '\0' '{')"
	# binary: seeded, so every run sends the same bytes
	LC_ALL=C awk -v n="$(scale 30 6)" 'BEGIN { srand(11)
		for (k = 0; k < n; k++) {
			len = int(rand() * 3000) + 1
			for (i = 0; i < len; i++) printf "%c", int(rand() * 255) + 1
			printf "%c", 0
		} }'
}

proto_row() {
	row "hostile input" "protocol lines on a live session's socket: torn, malformed JSON, unknown ops, overlong, binary, then closed"
	new_rundir
	start psess -j watch sim0 0 --sim --area-size 64K --sim-rate 1000 --sim-consumer hold:16 \
		--rearm=auto --holdoff 10ms
	local sp=$pid s l rc k=0 base
	if ! ready psess; then
		broke "the session did not start: $(f psess.err | short)"
		stop "$sp"
		return
	fi
	s=$(sock sim0 0)
	base=$(n_fds "$sp")
	while IFS= read -r -d '' l; do
		k=$((k + 1))
		why=
		# alternately: the line ended by a newline (a reply then close is
		# wanted), and the bytes alone then closed by us (a torn request)
		if ((k % 2)); then
			timeout 10 "$USOCK" -n 1 -t 3000 -- "$s" "$l" >"$S_TMP/try.out" 2>"$S_TMP/try.err"
			rc=$?
			if [ "$rc" != 0 ]; then
				why="usock exit $rc (no reply line)"
			elif [ -z "$l" ]; then
				# a blank line is skipped; the idle limit (1 s) closes it
				[ -s "$S_TMP/try.out" ] && why="a reply to a blank line: $(f try.out | short)"
			elif ! jqe '.v == 1 and (.ok | type == "boolean")' <"$S_TMP/try.out"; then
				why="reply not one {\"v\":1,\"ok\":...} line: $(head -c 200 "$S_TMP/try.out")"
			fi
		else
			timeout 10 "$USOCK" -r -t 20 -- "$s" "$l" >/dev/null 2>&1
		fi
		if [ -z "$why" ] && ! alive "$sp"; then why="the session died"; fi
		[ -z "$why" ] || why="request $(printf '%q' "$l" | cut -c1-120): $why"
		verdict "$why"
	done < <(proto_gen)
	# the session answers, its output is whole, and every connection is gone
	# (one that sent nothing, or a torn line, is closed within 1 s)
	why=
	fds_back() { [ "$(n_fds "$sp")" -le "$base" ]; }
	if ! timeout 5 "$ZCRXCTL" -j status sim0 0 2>/dev/null | jqe --argjson p "$sp" '.[0].pid == $p'; then
		why="status not answered after the protocol tries"
	elif ! wait_until 5 fds_back; then
		why="descriptors: $base before, $(n_fds "$sp") after (connections left open)"
	fi
	stop "$sp"
	[ -z "$why" ] && ! jq -e . "$S_TMP/psess.out" >/dev/null 2>&1 && why="the session's -j output is not whole JSON lines"
	[ -z "$why" ] && [ -e "$s" ] && why="the session left its socket"
	# this check is one more try: the session, judged after all the others
	verdict "$why"
	figure "session alive after all; descriptors back to $base"
}

# --- the fuzz corpora ------------------------------------------------------------
fuzz_row() {
	row "hostile input" "netlink replies, CQEs, protocol lines, records, args: each fuzz target over its committed corpus"
	if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
		skip_row "no clang (apt-get install clang libclang-rt-14-dev) to build the fuzz targets"
		return
	fi
	if ! make -C "$TOP" -s fuzz-build >"$S_TMP/fuzzbuild.log" 2>&1; then
		broke "make fuzz-build failed: $(tail -n 3 "$S_TMP/fuzzbuild.log")"
		return
	fi
	local d t n inputs per=
	for d in "$TOP"/fuzz/corpus/*/; do
		t=$(basename "$d")
		[ -x "$TOP/fuzz/build/$t" ] || { broke "no fuzz/build/$t for fuzz/corpus/$t"; continue; }
		inputs=("$d"*)
		n=${#inputs[@]}
		# each input once; a crash names the input (libFuzzer stops there)
		if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
			timeout 120 "$TOP/fuzz/build/$t" -timeout=10 -rss_limit_mb=2048 \
			"${inputs[@]}" >"$S_TMP/fuzz.$t.log" 2>&1; then
			for ((i = 0; i < n; i++)); do held; done
		else
			local bad
			bad=$(grep -E 'ERROR|SUMMARY|oracle failed|Running:' "$S_TMP/fuzz.$t.log" | tail -n 2)
			ran=$(grep -c '^Running: ' "$S_TMP/fuzz.$t.log")
			for ((i = 1; i < ran; i++)); do held; done
			broke "$t: $bad"
			for ((i = ran; i < n; i++)); do broke "$t: not run after the crash"; done
		fi
		per+="${per:+, }${t#fuzz_} $n"
	done
	figure "inputs: $per"
}

# --- the environment -------------------------------------------------------------
# env_try ENV... -- ARGS...: one invocation under a hostile environment (run
# through $ENV_AS when set, e.g. setpriv as nobody); $ENV_RC: the statuses
# allowed (default: any documented one)
env_try() {
	local -a ev=()
	while [ "$1" != -- ]; do ev+=("$1"); shift; done
	shift
	local json=0 rc
	[ "$1" = -j ] && json=1
	TRY_CMD=$1
	# shellcheck disable=SC2086
	timeout -k 2 "$TRY_TIMEOUT" $ENV_AS env "${ev[@]}" "$ZCRXCTL" "$@" </dev/null \
		>"$S_TMP/try.out" 2>"$S_TMP/try.err"
	rc=$?
	RC_SEEN[$rc]=$((${RC_SEEN[$rc]:-0} + 1))
	TRY_SGR=0
	[ "$1" = --color=always ] && TRY_SGR=1
	judge_out "$json" "$rc" "${ENV_RC:-$ALLOWED_RC}"
	TRY_SGR=0
	# nothing made where nothing may be made
	[ -z "$why" ] && [ -e "$etmp/missing" ] && why="created $etmp/missing" && rm -rf "$etmp/missing"
	[ -z "$why" ] && [ -e relative ] && why="created ./relative" && rm -rf relative
	[ -z "$why" ] && compgen -G "$etmp/open/*" >/dev/null && why="used $etmp/open" && rm -rf "$etmp/open"/*
	[ -z "$why" ] && compgen -G "$etmp/*/*.sock" >/dev/null && why="left $(echo "$etmp"/*/*.sock)" &&
		rm -f "$etmp"/*/*.sock
	[ -z "$why" ] || why="$(printf '%q ' "${ev[@]}" | cut -c1-120)zcrxctl $*: $why"
	verdict "$why"
}

env_row() {
	row "hostile input" "environment: ZCRXCTL_RUNDIR, XDG_RUNTIME_DIR, TERM, COLUMNS, LANG/LC_ALL, NO_COLOR"
	local v e c
	etmp=$(mktemp -d /tmp/zrel-env.XXXXXX)
	_s_dirs+=("$etmp")
	chmod 0755 "$etmp"
	: >"$etmp/afile"
	mkdir -m 0777 "$etmp/open"
	# RUNDIR values a session must refuse (exit 1), then ones it may use
	local -a refuse=("relative/dir" "$etmp/afile" "$etmp/afile/x" "$etmp/missing/x/y" "$etmp/open"
		"$etmp/ok/../open" "/proc/self" "$etmp/$BIGARG" "$etmp/$(head -c 200 /dev/zero | tr '\0' d)")
	local -a usable=("$etmp/"$'\e]0;PWNED\a' "$etmp/"$'\xff\xfe' "$etmp/a\nb" "$etmp/ok")
	mkdir -m 0700 "$etmp/ok"
	[ "$QUICK" = 1 ] && refuse=("relative/dir" "$etmp/afile/x" "$etmp/open" "$etmp/$BIGARG") &&
		usable=("$etmp/"$'\e]0;PWNED\a')
	local -a clients=("status" "-j status" "status sim0 0" "arm sim0 0" "subscribe sim0 0 -c 1 -t 1s")
	local W="watch --sim sim0 0 --area-size 64K --sim-consumer hold:16 -c 1 -t 3s"
	[ "$QUICK" = 1 ] && clients=("status" "-j status")
	RC_SEEN=()
	new_rundir
	for v in "${refuse[@]}" "${usable[@]}"; do
		for c in "${clients[@]}"; do
			# shellcheck disable=SC2086
			env_try ZCRXCTL_RUNDIR="$v" -- $c
		done
		ENV_RC=0
		[[ " ${refuse[*]} " == *" $v "* ]] && ENV_RC=1
		# shellcheck disable=SC2086
		env_try ZCRXCTL_RUNDIR="$v" -- $W
		# shellcheck disable=SC2086
		env_try ZCRXCTL_RUNDIR="$v" -- -j $W
		ENV_RC=
	done
	# XDG_RUNTIME_DIR matters to users other than root: as nobody
	if have_root && command -v setpriv >/dev/null; then
		local had=0
		[ -e /tmp/zcrxctl-65534 ] && had=1
		ENV_AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
		local -a xdg=("" "relative" "$etmp/afile" "$etmp/open" "$etmp/missing/x" $'/tmp/\e]0;PWNED\a')
		local -a xc=("status" "-j status" "arm sim0 0")
		[ "$QUICK" = 1 ] && xdg=("relative" "$etmp/open") && xc=("status")
		for v in "${xdg[@]}"; do
			for c in "${xc[@]}"; do
				# shellcheck disable=SC2086
				env_try -u ZCRXCTL_RUNDIR XDG_RUNTIME_DIR="$v" -- $c
			done
		done
		ENV_AS=
		[ "$had" = 0 ] && rm -rf /tmp/zcrxctl-65534
	fi
	# the terminal and the locale, on a session's records and on errors
	local -a envs=("TERM=" "TERM=dumb" "TERM=$BIGARG" "TERM="$'\e[2J' "COLUMNS=0" "COLUMNS=-1"
		"COLUMNS=99999999999999999999" "COLUMNS=abc" "LINES=-5" "LANG=C" "LC_ALL=POSIX"
		"LC_ALL=tr_TR.UTF-8" "LC_ALL=xx_YY.bogus" "LANG="$'\xff' "LC_ALL=$BIGARG" "NO_COLOR="
		"NO_COLOR=1" "NO_COLOR="$'\e' "HOME=" "TZ=Nowhere/Else" "TZ=$BIGARG")
	[ "$QUICK" = 1 ] && envs=("TERM="$'\e[2J' "LC_ALL=xx_YY.bogus" "TZ=$BIGARG")
	for e in "${envs[@]}"; do
		# shellcheck disable=SC2086
		env_try "$e" -- $W
		# shellcheck disable=SC2086
		env_try "$e" -- -j $W
		env_try "$e" -- --color=always features
		env_try "$e" -- show lo
		env_try "$e" -- bind sim0 $'\e]0;PWNED\a' --sim --area-size 64K --check
		env_try "$e" -- help
	done
	figure "$(rc_figure)"
}
