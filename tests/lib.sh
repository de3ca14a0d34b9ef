# SPDX-License-Identifier: MIT
# Shared helpers for the shell tests.  Each test case prints one TAP line:
#   ok - NAME            passed
#   not ok - NAME: WHY   failed
#   ok - NAME # SKIP WHY could not run on this machine
# tests/run.sh counts those lines; a script's exit status is not a verdict.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ZCRXCTL=${ZCRXCTL:-$TOP/zcrxctl/zcrxctl}
export LD_LIBRARY_PATH=$TOP/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

_t_name=
_t_failed=0

# t_begin NAME: start a case; a case ends with t_pass, t_fail or t_skip.
t_begin() { _t_name=$1; }
t_pass() { echo "ok - $_t_name"; }
t_fail() { echo "not ok - $_t_name: $*"; _t_failed=1; }
t_skip() { echo "ok - $_t_name # SKIP $*"; }

# t_check NAME CMD...: a case that passes when CMD succeeds.
t_check() {
	local name=$1; shift
	t_begin "$name"
	local out
	if out=$("$@" 2>&1); then t_pass; else t_fail "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"; fi
}

# run CMD...: capture stdout in $out, stderr in $err, status in $rc.
run() {
	local ef
	ef=$(mktemp)
	out=$("$@" 2>"$ef")
	rc=$?
	err=$(cat "$ef")
	rm -f "$ef"
	return 0
}

# Network namespaces made by a test, removed on exit whatever happens.  The
# names go to a file, so NS=$(t_netns_add x) from a subshell is cleaned too.
_t_nsfile=$(mktemp)
t_netns_add() {
	local ns="zcrxt-$$-$1"
	ip netns add "$ns" || return 1
	echo "$ns" >>"$_t_nsfile"
	echo "$ns"
}
_t_cleanup() {
	local ns
	while read -r ns; do ip netns del "$ns" 2>/dev/null; done <"$_t_nsfile"
	rm -f "$_t_nsfile"
}
trap _t_cleanup EXIT

have_root() { [ "$(id -u)" = 0 ]; }
have_netns() { have_root && ip netns add "zcrxt-probe-$$" 2>/dev/null && ip netns del "zcrxt-probe-$$"; }
