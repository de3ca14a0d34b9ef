#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch the newest Debian cloud-flavour kernel of each series the VM tier
# boots, with apt-get and a private apt configuration (the system's apt state
# is never touched), and keep vmlinuz plus virtio_net and its dependencies in
# a cache that later runs reuse.
#
#   tests/vm/kernels.sh [SERIES...]     default: $ZCRX_VM_SERIES or all
#
# One line per series on stdout:  SERIES VERSION DIR   or   SERIES - REASON.
# DIR holds vmlinuz, modules/*.ko and modules.load (insmod order), or, when
# the archive has no linux-modules package for that release any more, a file
# no-modules saying so.
# Progress and apt's complaints go to stderr.
#
# Cache: ${ZCRX_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcrxctl-vm}.  The
# package index is re-read at most once a day, or when a series has no kernel
# in the cache.  The mirror is the system's own Debian mirror
# (apt-get indextargets), or $ZCRX_VM_MIRROR.
set -u
export LC_ALL=C
. "$(dirname "$0")/../debian_apt.sh"

series=("$@")
[ ${#series[@]} -gt 0 ] || read -ra series <<<"${ZCRX_VM_SERIES:-6.19 7.0 7.1 7.2 7.3}"
CACHE=${ZCRX_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcrxctl-vm}
FLAVOUR=cloud-amd64
SUITES=(sid trixie-backports)
MODULES=(virtio_net veth)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

say() { echo "vm: $*" >&2; }

mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial" "$CACHE/kernels" ||
	exit 1
apt_private "$CACHE"

# One run at a time per cache; a second one waits here.
exec 9>"$CACHE/lock"
flock 9

# update: read the package index once in this run; the stamp only when it
# all came.  Whatever index is left from before is still used.
updated=0 update_err=
update() {
	[ "$updated" = 1 ] && return
	updated=1
	local m s out
	m=$(debian_mirror)
	if [ -z "$m" ]; then
		update_err="no Debian mirror in this system's apt configuration (set ZCRX_VM_MIRROR)"
		return
	fi
	if [ ! -r "$KEYRING" ]; then
		update_err="$KEYRING missing (apt-get install debian-archive-keyring)"
		return
	fi
	for s in "${SUITES[@]}"; do
		echo "deb [signed-by=$KEYRING] $m $s main"
	done >"$CACHE/apt/sources.list"
	say "reading the kernel index of ${SUITES[*]} from $m"
	if ! out=$(apt-get "${APT[@]}" update 2>&1) || grep -q '^[EW]:' <<<"$out"; then
		update_err="apt-get update from $m failed: $(grep -m1 '^[EW]:' <<<"$out")"
		say "$update_err"
	else
		touch "$CACHE/apt/updated"
	fi
}

# cached SERIES: the newest complete kernel of SERIES in the cache, unpacked
# for this MODULES list (ok holds the list it was unpacked for).
cached() {
	local d
	for d in "$CACHE"/kernels/"$1".*-"$FLAVOUR"; do
		[ "$(cat "$d/ok" 2>/dev/null)" = "${MODULES[*]}" ] && echo "${d##*/}"
	done | sort -V | tail -n 1
}

# indexed SERIES: release names (7.2.13+deb14-cloud-amd64), newest first.
indexed() {
	local re="^linux-binary-${1//./\\.}\.[0-9]+\+deb[0-9]+-$FLAVOUR\$"
	apt-cache "${APT[@]}" pkgnames "linux-binary-$1." 2>/dev/null | grep -E "$re" |
		sed 's/^linux-binary-//' | sort -rV
}

# want DIR DST MODULE: unpack MODULE from DIR into DST/modules, after its
# dependencies (.modinfo "depends="), and add it to $order; built-in
# modules are not in DIR and need nothing.
want() {
	local f dep
	[[ " ${order[*]} " == *" $3 "* ]] && return 0
	f=$(find "$1" -name "$3.ko" -o -name "$3.ko.xz" -o -name "$3.ko.zst" | head -n 1)
	[ -n "$f" ] || return 0
	case $f in
	*.xz) xz -dc "$f" ;;
	*.zst) zstd -qdc "$f" ;;
	*) cat "$f" ;;
	esac >"$2/modules/$3.ko" || return 1
	for dep in $(tr '\0' '\n' <"$2/modules/$3.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
		want "$1" "$2" "${dep//-/_}" || return 1
	done
	order+=("$3")
}

# fetch REL: download linux-binary-REL and linux-modules-REL into the cache.
fetch() {
	local rel=$1 tmp dst m
	tmp=$(mktemp -d "$CACHE/tmp.XXXXXX") || return 1
	dst="$CACHE/kernels/$rel"
	say "downloading $rel"
	if ! (cd "$tmp" && apt-get "${APT[@]}" download "linux-binary-$rel") >"$tmp/log" 2>&1; then
		fetch_err="apt-get download linux-binary-$rel failed: $(grep -m1 '^E:' "$tmp/log")"
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$dst"
	mkdir -p "$dst/modules" "$tmp/x"
	if ! dpkg-deb --fsys-tarfile "$tmp"/linux-binary-*.deb |
		tar -xO --wildcards '*vmlinuz*' >"$dst/vmlinuz" || [ ! -s "$dst/vmlinuz" ]; then
		fetch_err="unpacking linux-binary-$rel failed"
		rm -rf "$tmp" "$dst"
		return 1
	fi
	# Without the modules the kernel still boots, with no NIC.
	if ! (cd "$tmp" && apt-get "${APT[@]}" download "linux-modules-$rel") >"$tmp/log" 2>&1; then
		echo "linux-modules-$rel is not in ${SUITES[*]} any more" >"$dst/no-modules"
	elif ! dpkg-deb --fsys-tarfile "$tmp"/linux-modules-*.deb |
		tar -x -C "$tmp/x" --wildcards '*/kernel/drivers/*' '*/kernel/net/*'; then
		fetch_err="unpacking linux-modules-$rel failed"
		rm -rf "$tmp" "$dst"
		return 1
	fi
	local -a order=()
	for m in "${MODULES[@]}"; do
		if ! want "$tmp/x" "$dst" "$m"; then
			fetch_err="unpacking $m.ko of $rel failed"
			rm -rf "$tmp" "$dst"
			return 1
		fi
	done
	for m in "${order[@]}"; do echo "$m"; done >"$dst/modules.load"
	echo "${MODULES[*]}" >"$dst/ok"
	rm -rf "$tmp"
}

rm -rf "$CACHE"/tmp.*
fresh=$(find "$CACHE/apt/updated" -mmin -1440 2>/dev/null)
for s in "${series[@]}"; do
	have=$(cached "$s")
	[ -n "$fresh" ] && [ -n "$have" ] || update
	rel= fetch_err= tries=0
	# the index is consulted only when it was read in this run
	for r in $([ "$updated" = 1 ] && indexed "$s"); do
		if [ -n "$have" ] && [ "$(printf '%s\n' "$r" "$have" | sort -V | tail -n 1)" = "$have" ]; then
			break
		fi
		tries=$((tries + 1))
		if fetch "$r"; then rel=$r; break; fi
		say "$fetch_err"
		[ $tries -ge 2 ] && break
	done
	[ -n "$rel" ] || rel=$have
	if [ -z "$rel" ]; then
		why=${fetch_err:-${update_err:-no linux-binary-$s.*-$FLAVOUR in ${SUITES[*]}}}
		echo "$s - Debian kernel $s not available: $why"
		continue
	fi
	# older point releases of this series are not needed any more
	for d in "$CACHE"/kernels/"$s".*-"$FLAVOUR"; do
		[ -d "$d" ] && [ "${d##*/}" != "$rel" ] && rm -rf "$d"
	done
	echo "$s ${rel%%+*} $CACHE/kernels/$rel"
done
exit 0
