#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The reliability suite (tests/reliability/run.sh) in its quick mode: every
# row holds every try (a row that cannot run here is a skip with its
# reason; a row that fails only as its recorded known bug is said so),
# README.md's Reliability table lists exactly the rows the suite prints, and
# the suite itself fails a zcrxctl that breaks a promise (a session that
# leaves its socket, a client that lets a control byte through) and a VM
# guest case that failed.
. "$(dirname "$0")/lib_session.sh"

RUN=$TOP/tests/reliability/run.sh
T=$S_TMP

# names FILE: "category | what was tried" of each row of the first table in FILE
names() { grep -E '^\| [a-z]' "$1" | grep -v '^| category |' | awk -F' \\| ' '{ print $1 " | " $2 }' | sed 's/^| //'; }

bash "$RUN" --quick >"$T/table.md" 2>"$T/run.err"
rc=$?
t_begin "reliability --quick exits 0 and prints one table"
nrows=$(names "$T/table.md" | grep -c .)
if [ "$rc" != 0 ]; then
	t_fail "exit $rc: $(grep -A8 'did not hold' "$T/run.err" | short)"
elif [ "$nrows" -lt 15 ] || [ "$(grep -c '^| category |' "$T/table.md")" != 1 ]; then
	t_fail "not one table of its rows: $(short <"$T/table.md")"
else
	t_pass
fi
echo "# $(grep '^reliability: quick run' "$T/run.err")"

# one case a row: held every try, or not run here with its reason
while IFS= read -r line; do
	IFS='|' read -r _ cat what tried held fig _ <<<"$line"
	what=${what# } what=${what% } tried=${tried// /} held=${held// /} fig=${fig# }
	cat=${cat# } cat=${cat% }
	if [[ $fig == "KNOWN BUG (xfail): "* ]]; then
		# it failed on every try exactly as the known bug does (lib.sh's
		# xfail_row); any other failure, or it holding, fails the run
		t_begin "$cat: ${what}: fails only as its known bug (xfail)"
		if [ "$held" != "$tried" ] && [ "$rc" = 0 ]; then t_pass
		else t_fail "held $held of $tried, run exit $rc"; fi
		echo "# known bug: ${fig#KNOWN BUG (xfail): }"
		continue
	fi
	t_begin "$cat: ${what}"
	if [ "$held" = "—" ] && [[ $fig == *"--quick: only the full run boots the VM tier"* ]]; then
		# not a gap: make check's own VM tier runs these very cases
		# (tests/test_nodev.sh, tests/test_vm_faults.sh); `make reliability` counts them
		t_na "the VM tier of make check runs this row's cases; make reliability counts them"
	elif [ "$held" = "—" ]; then
		t_skip "${fig% }"
	elif [ "$tried" -gt 0 ] 2>/dev/null && [ "$held" = "$tried" ]; then
		t_pass
	else
		t_fail "held $held of $tried: $(grep -F "$what: " "$T/run.err" | head -n 3 | short)"
	fi
done < <(grep -E '^\| [a-z]' "$T/table.md" | grep -v '^| category |')

t_begin "README.md's Reliability table lists exactly the rows the suite prints"
sed -n '/^## Reliability/,/^## /p' "$TOP/README.md" >"$T/readme.md"
if ! grep -q '^| category |' "$T/readme.md"; then
	t_fail "no Reliability section with a table in README.md"
elif ! diff <(names "$T/table.md") <(names "$T/readme.md") >"$T/names.diff"; then
	t_fail "README drifted (< suite, > README): $(short <"$T/names.diff")"
else
	t_pass
fi

t_begin "README.md's table held every try it quotes, and says how to reproduce it"
bad=$(grep -E '^\| [a-z]' "$T/readme.md" | grep -v '^| category |' |
	awk -F' \\| ' '$4 != "—" && $3 != $4 && $5 !~ /^KNOWN BUG \(xfail\): / { print $2 }')
if [ -n "$bad" ]; then t_fail "rows that did not hold: $(short "$bad")"
elif ! grep -q 'make reliability' "$T/readme.md"; then t_fail "no 'make reliability' in the section"
else t_pass; fi

# --- the suite catches what it is there to catch ----------------------------------
# A zcrxctl whose watch leaves a socket behind when it ends (as a session
# that skipped its unlink would): a dead listener's socket, planted after.
cat >"$T/leaves-socket" <<EOF
#!/usr/bin/env bash
[ "\$1" = watch ] || exec "$ZCRXCTL" "\$@"
"$ZCRXCTL" "\$@"
rc=\$?
"$TOP/tests/helpers/oldsession" "\$ZCRXCTL_RUNDIR/\$2.\$3.sock" 1 1
exit \$rc
EOF
# A zcrxctl whose arm lets a terminal escape through to stderr.
cat >"$T/no-escape" <<EOF
#!/usr/bin/env bash
[ "\$1" = arm ] || exec "$ZCRXCTL" "\$@"
"$ZCRXCTL" "\$@"
rc=\$?
printf 'x\e]0;PWNED\a\n' >&2
exit \$rc
EOF
chmod +x "$T/leaves-socket" "$T/no-escape"

t_begin "the suite fails a session that leaves its socket, and says so"
ZCRXCTL=$T/leaves-socket bash "$RUN" --quick --only kill_session_row >"$T/b1.md" 2>"$T/b1.err"
rc=$?
if [ "$rc" = 1 ] && grep -q 'a socket is left after the watch ended' "$T/b1.err" &&
   grep -Eq '^\| fault \| kill -9 of a session.* \| 3 \| 0 \|' "$T/b1.md"; then
	t_pass
else
	t_fail "exit $rc: $(short <"$T/b1.err") $(short <"$T/b1.md")"
fi

t_begin "the suite fails a client that lets a terminal escape through, and says so"
ZCRXCTL=$T/no-escape bash "$RUN" --quick --only foreign_row >"$T/b2.md" 2>"$T/b2.err"
rc=$?
if ! have_root; then
	t_skip "needs root to serve a foreign socket (the row that shows it)"
elif [ "$rc" = 1 ] && grep -q 'zcrxctl arm sim0 0: its reply reached the terminal' "$T/b2.err"; then
	t_pass
else
	t_fail "exit $rc: $(short <"$T/b2.err")"
fi

t_begin "the suite fails a real-kernel row whose guest case failed, and says so"
# a saved VM tier output (ZREL_VM_TAP) in which the second run of
# test_vm_faults.sh's kill -9 cases failed once
{
	for k in 1 2 3; do
		echo "ok - [7.2.13] kill -9 of a NODEV session: a new one on the same dev and queue binds at once"
		if [ "$k" = 2 ]; then
			echo "not ok - [7.2.13] the new session receives: its copy event fires: no copy event"
		else
			echo "ok - [7.2.13] the new session receives: its copy event fires"
		fi
		echo "ok - [7.2.13] status lists only the live session, and the RUNDIR holds only its socket"
		echo "ok - [7.2.13] the new session ends on SIGTERM and leaves the RUNDIR empty"
	done
	echo "ok - [7.2.13] guest ran to the end"
	echo "ok - [7.2.13] kernel log clean"
	echo "vm 7.2.13: 13 passed, 1 failed, 0 skipped (boot+run 1.0s, tcg)"
} >"$T/vm.tap"
ZREL_VM_TAP=$T/vm.tap bash "$RUN" --only vm_kill_row >"$T/b3.md" 2>"$T/b3.err"
rc=$?
if [ "$rc" = 1 ] && grep -q 'the new session receives: its copy event fires: no copy event' "$T/b3.err" &&
   grep -Eq '^\| fault \| on Linux 7.2 \(VM\): kill -9 .* \| 3 \| 2 \|' "$T/b3.md"; then
	t_pass
else
	t_fail "exit $rc: $(short <"$T/b3.err") $(short <"$T/b3.md")"
fi


# --- --only and the progress lines (fresh-eyes review items 2 and 11) -------------
t_begin "--only with a regex that matches no row: exit 64, one line naming the regex"
bash "$RUN" --quick --only 'nomatch_xyz' >"$T/o.md" 2>"$T/o.err"
rc=$?
if [ "$rc" = 64 ] && [ ! -s "$T/o.md" ] && [ "$(grep -c . "$T/o.err")" = 1 ] &&
   grep -q "'nomatch_xyz'" "$T/o.err"; then t_pass
else t_fail "exit $rc: $(short <"$T/o.err") $(short <"$T/o.md")"; fi

t_begin "README's --only example cannot boot the VM tier (it gives --quick)"
ex=$(grep -E 'run\.sh .*--only' "$T/readme.md")
if [ -z "$ex" ]; then t_fail "no --only example in README's Reliability section"
elif grep -q -- '--quick' <<<"$ex"; then t_pass
else t_fail "without --quick: $ex"; fi

t_begin "each progress line carries its row's whole \"what was tried\", as the table does"
cut=
while IFS= read -r what; do
	grep -qF -- " $what " "$T/run.err" || cut+="$what; "
done < <(names "$T/table.md" | sed 's/^[^|]*| //')
if [ -z "$cut" ] && [ -n "$(names "$T/table.md")" ]; then t_pass
else t_fail "cut or missing on stderr: $(short "$cut")"; fi

t_done
