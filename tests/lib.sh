# SPDX-License-Identifier: MIT
# Shared helpers for the shell tests, which speak TAP:
#   t_plan N            "1..N" first, when the count is known before any case
#   t_begin NAME        start a case; it ends with exactly one of
#   t_pass              "ok N - NAME"
#   t_fail WHY          "not ok N - NAME: WHY"
#   t_skip WHY          "ok N - NAME # SKIP WHY": this machine cannot show it
#                       (no root, no zsh, ...); WHY is required
#   t_na WHY            the case does not apply to this target (a kernel
#                       without the feature it is about): not run, not
#                       counted, only a "# n/a" comment
#   t_done              last line of every script: the trailing plan "1..N"
#                       when t_plan was not used (the script's end marker),
#                       then exit 0, or 1 if a case failed
# tests/run.sh (through tests/tap.sh) fails a script that printed no plan,
# whose plan differs from its results, or that exited non-zero without a
# "not ok": a script killed after case 4 fails the run.  A skip never stands
# for "not implemented yet": a missing command, option, symbol or man page
# entry of ours is a t_fail.
#
# ZCRX_TEST_KILL=SCRIPT:N (SCRIPT a basename, e.g. test_cli.sh:4) makes that
# script SIGKILL itself after its Nth result: the fault hook that shows the
# runner catches a test dying midway.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ZCRXCTL=${ZCRXCTL:-$TOP/zcrxctl/zcrxctl}
export LD_LIBRARY_PATH=$TOP/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

_t_name=
_t_open=0
_t_n=0
_t_plan=
_t_failed=0
# A command the script names that does not exist (a helper defined in another
# script, a typo) fails the script at t_done: bash would print a line and go on.
# The handler runs in a subshell, so it leaves its mark in a file.
_t_cnf=/tmp/zcrx-cnf.$$
command_not_found_handle() {
	printf '%s: line %s: %s: command not found\n' "$0" "${BASH_LINENO[0]}" "$1" >&2
	echo "$1" >>"$_t_cnf"
	return 127
}

t_plan() {
	_t_plan=$1
	echo "1..$1"
}
t_begin() {
	[ "$_t_open" = 1 ] && _t_result "not ok" ": the case ended without a verdict" && _t_failed=1
	_t_name=$1
	_t_open=1
}
_t_result() {
	_t_n=$((_t_n + 1))
	_t_open=0
	echo "$1 $_t_n - $_t_name$2"
	if [ "${ZCRX_TEST_KILL:-}" = "$(basename "$0"):$_t_n" ]; then kill -KILL $$; fi
	return 0
}
t_pass() { _t_result ok ""; }
t_fail() { _t_failed=1; _t_result "not ok" ": $*"; }
t_skip() {
	if [ -z "$*" ]; then t_fail "a skip without a reason"; return 0; fi
	_t_result ok " # SKIP $*"
}
t_na() {
	_t_open=0
	echo "# n/a - $_t_name: $*"
}
t_done() {
	[ "$_t_open" = 1 ] && t_fail "the case ended without a verdict"
	if [ -e "$_t_cnf" ]; then
		_t_name="the script itself"
		t_fail "it ran a command that does not exist: $(sort -u "$_t_cnf" | tr '\n' ' ')"
	fi
	[ -n "$_t_plan" ] || echo "1..$_t_n"
	exit "$_t_failed"
}

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
	rm -f "$_t_nsfile" "$_t_cnf"
}
trap _t_cleanup EXIT

have_root() { [ "$(id -u)" = 0 ]; }
have_netns() { have_root && ip netns add "zcrxt-probe-$$" 2>/dev/null && ip netns del "zcrxt-probe-$$"; }

# vm_nic: in a VM-tier guest, set nic to why eth0 (its 2-queue virtio_net
# with a peer at $ZCRX_VM_PEER) cannot be used, or to "" when it can
vm_nic() {
	nic=
	if [ "${ZCRX_VM_NIC:-0}" != 1 ]; then
		nic="this guest has no NIC: ${ZCRX_VM_NIC_REASON:-ZCRX_VM_NIC is not 1}"
	elif ! ip link show eth0 >/dev/null 2>&1; then
		nic="the guest has no eth0"
	elif [ -z "${ZCRX_VM_PEER:-}" ]; then
		nic="no peer answers on eth0 (ZCRX_VM_PEER is not set)"
	fi
}
