#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The VM tier: boot Debian's kernels (tests/vm/kernels.sh) under QEMU with
# one initramfs (tests/vm/initramfs.sh), run tests/vm/guest.list (or
# $ZCRX_VM_LIST) inside each
# (tests/vm/init) and print the guest's TAP lines tagged with the kernel,
# "ok - [7.2.13] NAME", then "vm 7.2.13: N passed, N failed, N skipped ...".
#
#   tests/vm/run.sh [SERIES...]
#
# ZCRX_VM_SERIES     series to boot (default 6.19 7.0 7.1 7.2 7.3)
# ZCRX_VM_CACHE      kernels, the KVM verdict and serial logs
# ZCRX_VM_ACCEL      kvm or tcg (default: kvm if it boots a kernel here)
# ZCRX_VM_JOBS       VMs at a time (default: one per CPU, each with
#                    nproc/JOBS CPUs, at most 2)
# ZCRX_VM_TIMEOUT    seconds per kernel, boot included (default 900)
# ZCRX_VM_CMD_TIMEOUT  seconds per guest.list command (default 300)
# ZCRX_VM_LIST       the guest's command list (default tests/vm/guest.list;
#                    a relative path is from the top of the tree)
set -u
export LC_ALL=C

VM=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM/../.." && pwd)
series=("$@")
[ ${#series[@]} -gt 0 ] || read -ra series <<<"${ZCRX_VM_SERIES:-6.19 7.0 7.1 7.2 7.3}"
CACHE=${ZCRX_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcrxctl-vm}
# Both are backstops for a guest or a command that hangs, never a pace to
# keep: under TCG guests run at the host's mercy, and under ASan on a loaded
# CI host the 7.2 guest was cut off at 420 s in its last command (its
# slowest took 91 s).
TIMEOUT=${ZCRX_VM_TIMEOUT:-900}
CMD_TIMEOUT=${ZCRX_VM_CMD_TIMEOUT:-300}
JOBS=${ZCRX_VM_JOBS:-}
LIST=${ZCRX_VM_LIST:-tests/vm/guest.list}
[[ $LIST == /* ]] || LIST=$TOP/$LIST
QEMU=qemu-system-x86_64
SPLAT='WARNING:|BUG:|Oops|KASAN|lockdep|Call Trace|general protection|Kernel panic|blocked for more than|self-detected stall|detected stalls'

skip_all() {
	local s
	for s in "${series[@]}"; do echo "ok - vm $s # SKIP $*"; done
	exit 0
}

command -v "$QEMU" >/dev/null || skip_all "$QEMU not found (apt-get install qemu-system-x86)"
for t in busybox cpio; do
	command -v "$t" >/dev/null || skip_all "$t not found (apt-get install ${t/busybox/busybox-static})"
done
if [ ! -r "$LIST" ]; then
	for s in "${series[@]}"; do echo "not ok - vm $s: no guest list $LIST (ZCRX_VM_LIST)"; done
	exit 1
fi
mkdir -p "$CACHE/logs" || exit 1
work=$(mktemp -d) || exit 1
cleanup() {
	local p
	kill $(jobs -p) 2>/dev/null
	for p in "$work"/*.pid; do [ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
	wait
	rm -rf "$work"
}
trap cleanup EXIT
trap stop INT TERM HUP

# in_cmd LOG: the guest.list command a guest's serial log was in: the last
# one started ("# CMD: started", tests/vm/init) with no exit line after it
in_cmd() {
	tr -d '\r' 2>/dev/null <"$1" | awk '
		/^# .*: started$/ { c = substr($0, 3, length($0) - 11); next }
		c != "" && index($0, "# " c ": exit ") == 1 { c = "" }
		END { print c }'
}

# serial logs of this run, and of the four before it
logs=$(mktemp -d "$CACHE/logs/$(date +%Y%m%d-%H%M%S).XXXX") || exit 1
ls -d "$CACHE"/logs/*/ | sort | head -n -5 | xargs -r rm -rf

if ! bash "$VM/initramfs.sh" "$work/base.cpio" 2>"$work/initramfs.err"; then
	for s in "${series[@]}"; do
		echo "not ok - vm $s: building the initramfs failed: $(tail -n 1 "$work/initramfs.err")"
	done
	exit 1
fi

mapfile -t kernels < <(bash "$VM/kernels.sh" "${series[@]}")

# kvm_works VMLINUZ: boot a kernel with KVM and no root; it panics at once
# where KVM works.  On nested hosts whose KVM cannot emulate the kernel's
# decompressor, QEMU stops with "KVM internal error" after ~6 s instead.
kvm_works() {
	local log=$work/kvm.log pid
	"$QEMU" -nodefaults -display none -no-reboot -accel kvm -cpu host -m 256 \
		-kernel "$1" -append "console=ttyS0 panic=-1" -serial "file:$log" \
		>"$log.qemu" 2>&1 &
	pid=$!
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		grep -qa 'KVM internal error' "$log.qemu" && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -qa 'Kernel panic' "$log"
}

# accel VMLINUZ: kvm or tcg; the verdict is kept per host kernel, QEMU and CPU.
accel() {
	local key verdict f=$CACHE/kvm-verdict
	case ${ZCRX_VM_ACCEL:-} in kvm | tcg) echo "$ZCRX_VM_ACCEL"; return ;; esac
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo tcg; return; }
	key="$(uname -r); $("$QEMU" --version | head -n 1); $(grep -m1 '^model name' /proc/cpuinfo)"
	verdict=$(grep -F "$key" "$f" 2>/dev/null | tail -n 1 | cut -d' ' -f1)
	if [ -z "$verdict" ]; then
		if kvm_works "$1"; then verdict=kvm; else verdict=tcg; fi
		echo "$verdict $key" >>"$f"
	fi
	echo "$verdict"
}

# The NIC needs a tap device in a network namespace of our own.
nic_why=
if [ "$(id -u)" != 0 ]; then
	nic_why="not root: no tap device for a NIC"
elif [ ! -c /dev/net/tun ]; then
	nic_why="no /dev/net/tun: no tap device for a NIC"
elif ! unshare --net true 2>/dev/null; then
	nic_why="unshare --net failed: no tap device for a NIC"
fi

# Under TCG two 1-CPU guests side by side beat one 2-CPU guest at a time.
ncpu=$(nproc)
nk=0
for k in "${kernels[@]}"; do
	read -r _ v _ <<<"$k"
	[ "$v" = - ] || nk=$((nk + 1))
done
[ -n "$JOBS" ] || JOBS=$((ncpu < nk ? ncpu : nk))
[ "$JOBS" -ge 1 ] || JOBS=1
smp=$((ncpu / JOBS))
[ "$smp" -le 2 ] || smp=2
[ "$smp" -ge 1 ] || smp=1

# boot VERSION DIR ACCEL: one kernel; its TAP lines in $work/VERSION.tap,
# then its summary in $work/VERSION.sum
boot() {
	local ver=$1 dir=$2 acc=$3 d=$work/$1 log=$logs/$1.log
	local mark="zcrx-vm-$RANDOM$RANDOM" nic=1 why=$nic_why start=$EPOCHREALTIME rc cpu err
	mkdir -p "$d/zcrx-vm/modules"
	if [ -e "$dir/no-modules" ]; then why="no virtio_net: $(cat "$dir/no-modules")"; fi
	[ -n "$why" ] && nic=0
	cp "$dir"/modules/*.ko "$d/zcrx-vm/modules/" 2>/dev/null
	cp "$dir/modules.load" "$d/zcrx-vm/"
	cp "$LIST" "$d/zcrx-vm/guest.list"
	{
		printf 'ZCRX_TOP=%q\nZCRX_VM_KERNEL=%q\nZCRX_VM_MARK=%q\n' "$TOP" "$ver" "$mark"
		printf 'ZCRX_VM_NIC=%q\nZCRX_VM_NIC_REASON=%q\nZCRX_VM_CMD_TIMEOUT=%q\n' \
			"$nic" "$why" "$CMD_TIMEOUT"
		printf 'ZCRX_VM_LIST=%q\n' "${LIST#"$TOP"/}"
		# the tap's end (above), when the guest has its NIC
		if [ "$nic" = 1 ]; then printf 'ZCRX_VM_PEER=192.0.2.1\n'; fi
		printf 'ASAN_OPTIONS=%q\nUBSAN_OPTIONS=%q\n' "${ASAN_OPTIONS:-}" "${UBSAN_OPTIONS:-}"
	} >"$d/zcrx-vm/env"
	(cd "$d" && find zcrx-vm | cpio -o -H newc -R 0:0 --quiet) | cat "$work/base.cpio" - >"$d.cpio"

	if [ "$acc" = kvm ]; then cpu=host; else cpu=max; fi
	local -a q=("$QEMU" -nodefaults -display none -no-reboot -accel "$acc" -cpu "$cpu"
		-m 1024 -smp "$smp" -kernel "$dir/vmlinuz" -initrd "$d.cpio"
		-append "console=ttyS0 quiet loglevel=5 panic=-1" -serial "file:$log")
	if [ "$nic" = 1 ]; then
		# the tap lives and dies with a network namespace of its own; its
		# end has 192.0.2.1/24 (TEST-NET-1), a peer that answers the
		# guest (ping, TCP resets): RX traffic on the guest's eth0
		q=(unshare --net -- sh -c
		   'ip tuntap add dev zcrx0 mode tap multi_queue && ip addr add 192.0.2.1/24 dev zcrx0 &&
		    ip link set zcrx0 up && exec "$@"'
		   sh "${q[@]}"
		   -netdev tap,id=n0,ifname=zcrx0,script=no,downscript=no,queues=2,vhost=off
		   -device virtio-net-pci,netdev=n0,mq=on,vectors=6)
	fi
	# timeout runs QEMU in a process group of its own: cleanup() stops it
	timeout -k 5 "$TIMEOUT" "${q[@]}" >"$d.qemu" 2>&1 &
	echo $! >"$d.pid"
	wait $!
	rc=$?
	rm -f "$d.pid" "$d.cpio"
	local secs
	secs=$(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }")

	tr -d '\r' <"$log" >"$d.log"
	sed -n "/^$mark begin/,/^$mark end\$/p" "$d.log" | grep -aE '^(not )?ok( |$)' |
		sed -E "s/^(not )?ok( [0-9]+)?( -)? ?/\\1ok - [$ver] /" >"$d.tap"
	if grep -q "^$mark end\$" "$d.log"; then
		echo "ok - [$ver] guest ran to the end" >>"$d.tap"
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		local cur
		cur=$(in_cmd "$d.log")
		echo "not ok - [$ver] guest ran to the end: timed out after ${TIMEOUT}s${cur:+, in $cur}" >>"$d.tap"
	elif grep -q "^$mark begin" "$d.log"; then
		echo "not ok - [$ver] guest ran to the end: the guest died (qemu exited $rc)" >>"$d.tap"
	else
		err=$(grep -am1 -iE 'error|fail|panic' "$d.qemu" "$d.log" | cut -d: -f2-)
		echo "not ok - [$ver] guest ran to the end: no guest output (qemu exited $rc${err:+: $err})" >>"$d.tap"
	fi
	local splat
	splat=$(grep -aE "\[ *[0-9]+\.[0-9]+\] .*($SPLAT)" "$d.log" | head -n 1)
	if [ -n "$splat" ]; then
		echo "not ok - [$ver] kernel log clean: ${splat#*] }" >>"$d.tap"
	else
		echo "ok - [$ver] kernel log clean" >>"$d.tap"
	fi

	local p f s
	s=$(grep -cE '^(not )?ok .*# [Ss][Kk][Ii][Pp]' "$d.tap")
	p=$(grep -E '^ok ' "$d.tap" | grep -vc '# [Ss][Kk][Ii][Pp]')
	f=$(grep -E '^not ok' "$d.tap" | grep -vc '# [Ss][Kk][Ii][Pp]')
	{
		echo "vm $ver: $p passed, $f failed, $s skipped (boot+run ${secs}s, $acc${why:+; $why})"
		[ "$f" -gt 0 ] && echo "# serial log of $ver: $log"
	} >"$d.sum.new"
	mv "$d.sum.new" "$d.sum"
	# progress now: the results wait for the series asked before this one
	echo "vm: $ver: $p passed, $f failed, $s skipped in ${secs}s" >&2
}

declare -A line
for k in "${kernels[@]}"; do line[${k%% *}]=$k; done

# flush [stopped]: print, in the order asked, each series whose answer is
# ready; stopped: every series left, one not yet answered as stopped
shown=0 fail=0
flush() {
	local s k ver why cur
	while [ "$shown" -lt ${#series[@]} ]; do
		s=${series[$shown]} k=${line[${series[$shown]}]:-}
		read -r _ ver why <<<"$k"
		if [ -z "$k" ]; then
			echo "not ok - vm $s: tests/vm/kernels.sh said nothing about it"
			fail=1
		elif [ "$ver" = - ]; then
			echo "ok - vm $s # SKIP $why"
		elif [ -e "$work/$ver.sum" ]; then
			cat "$work/$ver.tap" "$work/$ver.sum"
			grep '^not ok' "$work/$ver.tap" | grep -vq '# [Ss][Kk][Ii][Pp]' && fail=1
		elif [ -n "${1:-}" ]; then
			cur=$(in_cmd "$logs/$ver.log")
			echo "not ok - vm $s: stopped by a signal before it finished${cur:+, in $cur}"
			fail=1
		else
			return
		fi
		shown=$((shown + 1))
	done
}

# stop: a signal (tests/run.sh's tier timeout): what is done, and a "not ok"
# for each series that is not, naming the command its guest was in
stop() {
	shown=${shown:-0} fail=${fail:-0}
	flush stopped
	exit 130
}

# Newest first: a kernel runs more of the list the newer it is (NODEV from
# 7.1, copy events from 7.2), so the long guests start at once and the short
# ones fill the other lane; results are still printed in the order asked.
# A kernel asked for twice boots once.
acc=
declare -A booted
mapfile -t order < <(printf '%s\n' "${series[@]}" | sort -rV)
for s in "${order[@]}"; do
	read -r _ ver dir <<<"${line[$s]:-}"
	[ -n "${ver:-}" ] && [ "$ver" != - ] && [ -z "${booted[$ver]:-}" ] || continue
	booted[$ver]=1
	[ -n "$acc" ] || acc=$(accel "$dir/vmlinuz")
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; flush; done
	boot "$ver" "$dir" "$acc" &
done
while [ -n "$(jobs -rp)" ]; do wait -n; flush; done
flush
[ "$fail" = 0 ]
