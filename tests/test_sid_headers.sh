#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libzcrx against newer headers than bookworm's: Debian sid's liburing-dev
# (2.15, which declares the zcrx structs kabi.h carries) and linux-libc-dev
# (7.x, which liburing 2.15's headers need).  The packages are fetched with
# apt-get download and a private apt configuration, as tests/vm/kernels.sh
# does (the system's apt state is never touched, nothing is installed), and
# unpacked side by side with dpkg-deb -x into a cache later runs reuse:
# ${ZCRX_HDR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcrxctl-headers}.  The
# index is re-read at most once a day.  The mirror is the system's own Debian
# mirror (apt-get indextargets), or $ZCRX_VM_MIRROR.  Without the packages
# every case skips and says why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/debian_apt.sh"
export LC_ALL=C

CACHE=${ZCRX_HDR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcrxctl-headers}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
PKGS=(liburing-dev linux-libc-dev)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; _t_cleanup' EXIT

apt_private "$CACHE"


# fetch: set ROOT to an unpacked tree of sid's PKGS, or WHY to the reason
# there is none.  A tree already in the cache serves when the index cannot be
# read (offline) or was read within the day.
ROOT= WHY=
fetch() {
	local m out vers v p have
	have=$(ls -d "$CACHE"/root-* 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$have" ] && [ -n "$(find "$CACHE/apt/updated" -mmin -1440 2>/dev/null)" ]; then
		ROOT=$have
		return
	fi
	command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
		{ WHY="apt-get and dpkg-deb are needed to fetch sid's headers"; ROOT=$have; return; }
	mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial" ||
		{ WHY="cannot create the cache $CACHE"; return; }
	m=$(debian_mirror)
	if [ -z "$m" ]; then
		WHY="no Debian mirror in this system's apt configuration (set ZCRX_VM_MIRROR)"
	elif [ ! -r "$KEYRING" ]; then
		WHY="$KEYRING missing (apt-get install debian-archive-keyring)"
	else
		echo "deb [signed-by=$KEYRING] $m sid main" >"$CACHE/apt/sources.list"
		if ! out=$(timeout 120 apt-get "${APT[@]}" update 2>&1) || grep -q '^[EW]:' <<<"$out"; then
			WHY="apt-get update from $m sid failed: $(grep -m1 '^[EW]:' <<<"$out")"
		else
			touch "$CACHE/apt/updated"
		fi
	fi
	if [ -z "$WHY" ]; then
		vers=
		for p in "${PKGS[@]}"; do
			v=$(apt-cache "${APT[@]}" show "$p" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
			[ -n "$v" ] || { WHY="sid's index has no $p"; break; }
			vers+=${vers:+_}$p-$v
		done
	fi
	if [ -z "$WHY" ] && [ ! -d "$CACHE/root-$vers" ]; then
		rm -rf "$CACHE"/tmp.*
		local tmp
		tmp=$(mktemp -d "$CACHE/tmp.XXXXXX")
		if ! out=$(cd "$tmp" && timeout 300 apt-get "${APT[@]}" download "${PKGS[@]}" 2>&1); then
			WHY="apt-get download ${PKGS[*]} from sid failed: $(grep -m1 '^E:' <<<"$out")"
		else
			for p in "$tmp"/*.deb; do dpkg-deb -x "$p" "$tmp/root" || WHY="dpkg-deb -x $p failed"; done
			[ -z "$WHY" ] && mv "$tmp/root" "$CACHE/root-$vers"
		fi
		rm -rf "$tmp"
	fi
	if [ -z "$WHY" ]; then
		ROOT=$CACHE/root-$vers
	elif [ -n "$have" ]; then
		ROOT=$have WHY=
	fi
}

if mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ]; then
	exec 9>"$CACHE/lock" && flock 9
	fetch
else
	WHY="cannot create the cache $CACHE"
fi
INC=$ROOT/usr/include
LIBURING_A=$(ls "$ROOT"/usr/lib/*/liburing.a 2>/dev/null | head -n 1)
[ -z "$ROOT" ] && [ -z "$WHY" ] && WHY="no unpacked headers in $CACHE"
echo "# sid headers: ${ROOT:-none} ${WHY:+($WHY)}"

# The tree's own flags, with the unpacked headers searched before the
# system's.  -isystem, not -I: sid's linux/fs.h redefines the RWF_* macros
# bookworm's glibc defines, a clash between those two that is not ours and
# that -Werror would otherwise turn into a failure of this test.
NLFLAGS=$(pkg-config --cflags libnl-3.0 libnl-genl-3.0)
NLLIBS=$(pkg-config --libs libnl-3.0 libnl-genl-3.0)
CFLAGS=(-std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC -O2 -isystem "$INC"
	-I"$TOP/lib" $NLFLAGS)

t_begin "sid's liburing headers declare the zcrx structs kabi.h carries too"
if [ -n "$WHY" ]; then t_skip "$WHY"
elif grep -rqs 'struct io_uring_zcrx_rqe {' "$INC/liburing" "$INC/linux"; then t_pass
else t_fail "no struct io_uring_zcrx_rqe in $INC: this test would prove nothing"; fi

t_begin "every lib/*.c, lib/sim/*.c and lib/server/*.c compiles with -Werror against liburing 2.15 and linux-libc-dev 7.x"
objs=() errs=
if [ -n "$WHY" ]; then
	t_skip "$WHY"
else
	for c in "$TOP"/lib/*.c "$TOP"/lib/sim/*.c "$TOP"/lib/server/*.c; do
		o=$TMP/$(basename "${c%.c}").o
		if out=$(cc "${CFLAGS[@]}" -fvisibility=hidden -c -o "$o" "$c" 2>&1); then
			objs+=("$o")
		else
			errs+="$(basename "$c"): $(grep -m1 'error' <<<"$out") "
		fi
	done
	if [ -n "$errs" ]; then t_fail "$errs"; else t_pass; fi
fi

t_begin "the shared library links from them with the maps"
if [ -n "$WHY" ]; then
	t_skip "$WHY"
elif [ -n "$errs" ]; then
	t_fail "the library did not compile"
elif [ -z "$LIBURING_A" ]; then
	t_fail "no liburing.a in sid's liburing-dev"
elif out=$(cc -shared -Wl,--version-script="$TOP/lib/libzcrx.map" \
	-Wl,--version-script="$TOP/lib/sim/libzcrx-sim.map" -Wl,--no-undefined \
	-o "$TMP/libzcrx.so" "${objs[@]}" "$LIBURING_A" $NLLIBS 2>&1); then
	t_pass
else
	t_fail "$(head -n 3 <<<"$out" | tr '\n' ' ')"
fi

t_begin "an application with liburing 2.15's zcrx structs, zcrx.h and zcrx_diag.h builds and runs"
cat >"$TMP/app.c" <<'EOF'
#include <stdio.h>
#include <liburing.h>
#include <zcrx.h>
#include <zcrx_diag.h>

int main(void)
{
	struct io_uring_zcrx_rqe rqe = { .off = 1 };	/* liburing's own */
	struct zcrx_caps caps;
	int ret = zcrx_caps_probe(&caps);

	printf("rqe %zu probe %d version %d.%d %s\n", sizeof(rqe), ret, zcrx_major_version(),
	       zcrx_minor_version(), zcrx_unready_str(ZCRX_UNREADY_HDS_OFF));
	return ret < 0 || sizeof(rqe) != 16 || zcrx_check_version(0, 2);
}
EOF
if [ -n "$WHY" ]; then
	t_skip "$WHY"
elif [ -n "$errs" ]; then
	t_fail "the library did not compile"
elif ! out=$(cc "${CFLAGS[@]}" -o "$TMP/app" "$TMP/app.c" "${objs[@]}" "$LIBURING_A" $NLLIBS 2>&1); then
	t_fail "cc: $(head -n 3 <<<"$out" | tr '\n' ' ')"
else
	run "$TMP/app"
	if [ "$rc" = 0 ] && grep -q '^rqe 16 probe 0 version ' <<<"$out"; then t_pass
	else t_fail "rc=$rc out=$out err=$err"; fi
fi

t_done
