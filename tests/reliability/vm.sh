# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Real-kernel faults: the full run boots the VM tier's 7.2 kernel once
# (tests/vm/run.sh 7.2, tests/vm/README.md) with ZCRX_VM_LIST=
# tests/reliability/vm.list, which runs only the real-kernel fault files,
# each three times, and reads its tagged TAP lines ("ok - [7.2.13] NAME")
# into three rows, one try per run of the cases a row is about.  A case the
# guest skipped is no try; no QEMU, no kernel or --quick makes the rows a
# skip with the reason, never a pass.  ZREL_VM_TAP=FILE reads a saved
# tests/vm/run.sh output instead of booting.  Sourced by run.sh.

VM_SERIES=7.2
VM_LIST=tests/reliability/vm.list
VM_TAP=$S_TMP/vm.tap
VM_WHY= VM_FAIL= VM_DONE=0 VM_VER= VM_SUM=

# vm_boot: once per run, the guest's TAP in $VM_TAP, or $VM_WHY
vm_boot() {
	[ "$VM_DONE" = 1 ] && return
	VM_DONE=1
	: >"$VM_TAP"
	if [ -n "${ZREL_VM_TAP:-}" ]; then
		# a saved run.sh output instead of a boot (to check the reading)
		cp "$ZREL_VM_TAP" "$VM_TAP" || VM_FAIL="cannot read ZREL_VM_TAP=$ZREL_VM_TAP"
	elif [ "$QUICK" = 1 ]; then
		VM_WHY="--quick: only the full run boots the VM tier (Linux $VM_SERIES, 2 to 3 min under TCG)"
		return
	else
		echo "reliability: booting Linux $VM_SERIES in the VM tier ($VM_LIST; minutes under TCG)" >&2
		# the guest runs each list line for up to ZCRX_VM_CMD_TIMEOUT (150 s
		# here); the whole run, boot included, in ZCRX_VM_TIMEOUT (600 s),
		# run.sh's own timeout before this one, so a hung guest is said
		local vt=${ZCRX_VM_TIMEOUT:-600}
		ZCRX_VM_LIST=$VM_LIST ZCRX_VM_TIMEOUT=$vt ZCRX_VM_CMD_TIMEOUT=${ZCRX_VM_CMD_TIMEOUT:-150} \
			timeout -k 10 $((vt + 60)) bash "$TOP/tests/vm/run.sh" "$VM_SERIES" >"$VM_TAP" 2>"$S_TMP/vm.err"
	fi
	local rc=$? l
	l=$(grep -m1 -E "^ok - vm $VM_SERIES # SKIP " "$VM_TAP")
	if [ -n "$l" ]; then
		VM_WHY=${l#*# SKIP }
		return
	fi
	VM_VER=$(grep -m1 -oE '^(not )?ok - \[[^]]+\]' "$VM_TAP" | sed -E 's/.*\[(.*)\]/\1/')
	VM_SUM=$(grep -m1 "^vm $VM_VER: " "$VM_TAP")
	if [ -z "$VM_VER" ]; then
		# no kernel line at all: the tier itself failed (initramfs, QEMU)
		VM_FAIL="tests/vm/run.sh $VM_SERIES exited $rc: $(grep -m1 '^not ok' "$VM_TAP" || tail -n 2 "$S_TMP/vm.err")"
	fi
}

# vm_row FIRST-CASE FILE CASE...: one try per run of the cases (the group
# starts at a case named FIRST-CASE...), held when every case of it passed.
# FILE names the guest command whose own failure (no plan, timed out) is a
# try that did not hold; a guest that did not end, or a kernel log with a
# splat, is one more.
vm_row() {
	local first=$1 file=$2 l name st cur= why= tries=0 skips=0 skipwhy=
	shift 2
	vm_boot
	if [ -n "$VM_WHY" ]; then skip_row "$VM_WHY"; return; fi
	if [ -n "$VM_FAIL" ]; then broke "$VM_FAIL"; return; fi
	# a group ends at its next first case, a case of another group, or the end
	flush() {
		[ -n "$cur" ] || return 0
		if [ "$cur" = skip ]; then skips=$((skips + 1))
		else tries=$((tries + 1)); verdict "$why"; fi
		cur= why=
	}
	while IFS= read -r l; do
		[[ $l =~ ^(not\ )?ok\ -\ \[$VM_VER\]\ (.*)$ ]] || continue
		st=${BASH_REMATCH[1]:-ok} name=${BASH_REMATCH[2]}
		case $name in
		"$file: "*)
			# the guest command as a whole: timed out, no plan, ...
			flush
			[ "$st" = ok ] || { broke "$name"; tries=$((tries + 1)); }
			continue ;;
		"guest ran to the end"* | "kernel log clean"*)
			flush
			[ "$st" = ok ] || { broke "$VM_VER: $name"; tries=$((tries + 1)); }
			continue ;;
		esac
		local c hit=0
		for c in "$first" "$@"; do [[ $name == "$c"* ]] && hit=1; done
		if [ "$hit" = 0 ]; then flush; continue; fi
		[[ $name == "$first"* ]] && flush
		if [[ $name == *"# SKIP "* ]]; then
			[ -z "$cur" ] && cur=skip
			skipwhy=${name#*# SKIP }
		else
			[ "$cur" = skip ] || [ -z "$cur" ] && cur=run
			[ "$st" = ok ] || why+="${why:+; }$name"
		fi
	done <"$VM_TAP"
	flush
	if [ "$tries" = 0 ]; then
		if [ "$skips" -gt 0 ]; then skip_row "the guest skipped it on $VM_VER: $skipwhy"
		else broke "no run of \"$first\" in the guest's output on $VM_VER ($VM_SUM)"; fi
		return
	fi
	local sk=
	[ "$skips" -gt 0 ] && sk=", $skips skipped"
	figure "Linux $VM_VER: $tries runs of $file$sk (ZCRX_VM_LIST=$VM_LIST; ${VM_SUM##*\(}"
}

vm_overflow_row() {
	row "fault" "on Linux 7.2 (VM): CQ overflow: receive posted again and counted"
	vm_row "a receive stopped by a full CQ goes on" tests/test_nodev.sh
}
vm_kill_row() {
	row "fault" "on Linux 7.2 (VM): kill -9 of a session holding a NODEV ifq: nothing left bound, a new session binds at once"
	vm_row "kill -9 of a NODEV session" tests/test_vm_faults.sh \
		"the new session receives" "status lists only the live session" "the new session ends on SIGTERM"
}
vm_subscriber_row() {
	row "fault" "on Linux 7.2 (VM): a subscriber that stops reading: the session and the other subscriber unslowed"
	vm_row "a stopped subscriber" tests/test_vm_faults.sh \
		"the other subscriber received every record" "the stopped subscriber, resumed"
}
