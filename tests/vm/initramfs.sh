#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the VM tier's initramfs, one for all kernels:
#
#   tests/vm/initramfs.sh OUT.cpio
#
# busybox-static with its applets; bash, jq, ethtool, ip, coreutils' timeout
# and a few more GNU tools; the repository's built programs and test scripts
# at the same absolute paths as on this machine (so $TOP means the same in
# the guest); each dynamic program with the libraries ldd names.  tests/vm/init is /init.
# The kernel-specific part (modules, /zcrx-vm/env) is a second archive that
# tests/vm/run.sh appends.
set -u

out=${1:?usage: initramfs.sh OUT.cpio}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=(bash jq ethtool ip timeout)
# GNU tools that win over busybox's applets where the host has them: the
# tests use their options (env --default-signal, setpriv --reuid, ...).
EXTRA=(env setpriv unshare flock setsid stat date sort mktemp seq join comm
       grep sed awk find xargs ss)
# Debian's promtool (package prometheus, 46 MB) checks metrics' output in
# test_vm_metrics.sh; without it that case skips and says so.
EXTRA+=(promtool)

die() { echo "initramfs: $*" >&2; exit 1; }

for t in busybox cpio "${TOOLS[@]}"; do
	command -v "$t" >/dev/null || die "$t not found (see .ci/packages)"
done
busybox --list-full >/dev/null 2>&1 || die "$(command -v busybox) is not a busybox binary"
ldd "$(command -v busybox)" >/dev/null 2>&1 && die "busybox is not static (apt-get install busybox-static)"
[ -x "$TOP/zcrxctl/zcrxctl" ] || die "$TOP/zcrxctl/zcrxctl is not built (make all)"

root=$(mktemp -d) || exit 1
trap 'rm -rf "$root"' EXIT

# Merged /usr, as Debian has it: /lib64/ld-linux-x86-64.so.2 and /bin/sh
# resolve whichever spelling a program or script uses.
mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{dev,proc,sys,tmp,run,root,etc,mnt}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done

# put PATH: copy PATH to the same path in the image, following symlinks (each
# link kept as a link) and replacing whatever was there.
put() {
	local p=$1 d=$root$1
	if [ -L "$p" ]; then
		local t
		t=$(readlink "$p")
		[ "$(readlink "$d" 2>/dev/null)" = "$t" ] && return 0
		mkdir -p "$(dirname "$d")" && rm -f "$d" && ln -s "$t" "$d" || return 1
		[[ $t == /* ]] || t=$(dirname "$p")/$t
		put "$t"
	elif [ -f "$p" ]; then
		[ -f "$d" ] && [ ! -L "$d" ] && return 0
		mkdir -p "$(dirname "$d")" && rm -f "$d" && cp -p "$p" "$d" || return 1
		[ "$(head -c 4 "$p")" = $'\x7fELF' ] || return 0
		local lib
		for lib in $(ldd "$p" 2>/dev/null |
			awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			put "$lib" || return 1
		done
	else
		die "$p: not found"
	fi
}

bb=$(command -v busybox)
cp "$bb" "$root/usr/bin/busybox"
for a in $(busybox --list-full); do
	[ -e "$root/$a" ] || ln -s /usr/bin/busybox "$root/$a"
done
for t in "${TOOLS[@]}" "${EXTRA[@]}"; do
	p=$(command -v "$t") || continue
	put "$p"
	# the busybox applet of the same name must not shadow it
	for d in /usr/bin /usr/sbin; do
		[ "$(readlink "$root$d/$t")" = /usr/bin/busybox ] && rm "$root$d/$t" &&
			ln -s "$(readlink -f "$p")" "$root$d/$t"
	done
done

shopt -s nullglob
for f in "$TOP"/zcrxctl/zcrxctl "$TOP"/lib/libzcrx.so* "$TOP"/tests/unit/test_* \
	 "$TOP"/tests/helpers/* "$TOP"/tests/*.sh "$TOP"/tests/vm/* "$TOP"/examples/*; do
	[ -f "$f" ] || continue
	case $f in
	*/tests/unit/* | */tests/helpers/* | */examples/*) [[ $f == *.c || ! -x $f ]] && continue ;;
	esac
	put "$f"
done
cp "$TOP/tests/vm/init" "$root/init" && chmod 755 "$root/init"

echo 'root:x:0:0:root:/root:/bin/bash' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost\n' >"$root/etc/hosts"

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out" ||
	die "cpio failed"
