#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make install / make uninstall into a DESTDIR, like a distribution package
# build: every file lands under its directory variable, a program finds the
# installed library with pkg-config alone and runs on the simulator, the
# systemd unit is valid, and uninstall leaves nothing behind.
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; _t_cleanup' EXIT
VERSION=$(sed -nE 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$TOP/Makefile")
SOVERSION=$(sed -nE 's/^SOVERSION[[:space:]]*:=[[:space:]]*//p' "$TOP/Makefile")
UNIT=zcrxctl-watch@.service

# Install what the tree was built with, without rebuilding it: under `make
# check` MAKEFLAGS carries its command-line variables (SANITIZE=1, CFLAGS=...);
# run by hand, .flags says whether the tree is sanitized.
SAN=$(grep -oE -- '-fsanitize=[^ ]+' "$TOP/.flags" 2>/dev/null | tr '\n' ' ')
MAKEARGS=(-s --no-print-directory -C "$TOP")
[ -n "$SAN" ] && [[ ${MAKEFLAGS-} != *SANITIZE=* ]] && MAKEARGS+=(SANITIZE=1)

mk() { make "${MAKEARGS[@]}" "$@" 2>&1; }

# ---------------------------------------------------------------------------
D=$TMP/root
P=/usr/local
t_begin "make install DESTDIR=... PREFIX=$P installs every file where it belongs"
want=(
	"$P/sbin/zcrxctl"
	"$P/lib/libzcrx.so.$VERSION" "$P/lib/libzcrx.so.$SOVERSION" "$P/lib/libzcrx.so" "$P/lib/libzcrx.a"
	"$P/lib/pkgconfig/libzcrx.pc" "$P/include/zcrx.h" "$P/include/zcrx_diag.h"
	"$P/include/zcrx_sim.h" "$P/include/zcrx_server.h"
	"$P/share/man/man8/zcrxctl.8" "$P/share/man/man3/libzcrx.3"
	"$P/share/bash-completion/completions/zcrxctl" "$P/share/zsh/vendor-completions/_zcrxctl"
	"$P/lib/systemd/system/$UNIT"
	"$P/lib/systemd/system/zcrxctl-metrics.service" "$P/lib/systemd/system/zcrxctl-metrics.timer"
)
if ! out=$(mk install DESTDIR="$D" PREFIX=$P); then
	t_fail "make install: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
else
	missing= stray=
	for f in "${want[@]}"; do [ -e "$D$f" ] || missing+=" $f"; done
	while read -r f; do
		printf '%s\n' "${want[@]}" | grep -qxF "${f#"$D"}" || stray+=" ${f#"$D"}"
	done < <(find "$D" \( -type f -o -type l \))
	if [ -n "$missing" ]; then t_fail "not installed:$missing"
	elif [ -n "$stray" ]; then t_fail "installed but not expected:$stray"
	else t_pass; fi
fi

t_begin "the shared library has its SONAME links and modes"
L=$D$P/lib
if [ "$(readlink "$L/libzcrx.so.$SOVERSION")" = "libzcrx.so.$VERSION" ] &&
	[ "$(readlink "$L/libzcrx.so")" = "libzcrx.so.$SOVERSION" ] &&
	objdump -p "$L/libzcrx.so.$VERSION" 2>/dev/null | grep -qE "SONAME +libzcrx\.so\.$SOVERSION\$" &&
	[ "$(stat -c %a "$D$P/sbin/zcrxctl")" = 755 ] && [ "$(stat -c %a "$D$P/include/zcrx.h")" = 644 ]; then
	t_pass
else
	t_fail "links: $(readlink "$L/libzcrx.so.$SOVERSION") $(readlink "$L/libzcrx.so")"
fi

t_begin "the installed zcrxctl runs and finds its man page"
run "$D$P/sbin/zcrxctl" --version
if [ "$rc" = 0 ] && grep -q "zcrxctl $VERSION" <<<"$out" &&
	MANPATH=$D$P/share/man man -w zcrxctl 2>/dev/null | grep -q "^$D"; then
	t_pass
elif [ "$rc" = 0 ] && grep -q "zcrxctl $VERSION" <<<"$out" && ! command -v man >/dev/null; then
	t_pass
else
	t_fail "rc=$rc out=$out"
fi

# pkg-config, pointed at the DESTDIR copy: its search path and a prefix override
PC() {
	PKG_CONFIG_PATH=$D$P/lib/pkgconfig pkg-config --define-variable=prefix="$D$P" "$@"
}

t_begin "libzcrx.pc: version, Requires liburing, and no libnl even for static links (lib/nl.c speaks netlink)"
if ! v=$(PC --modversion libzcrx 2>&1); then
	t_fail "pkg-config: $v"
elif [ "$v" != "$VERSION" ]; then
	t_fail "version $v, Makefile says $VERSION"
elif ! PC --print-requires libzcrx | grep -q '^liburing' ||
	PC --static --libs libzcrx | grep -q -- '-lnl' ||
	PC --libs libzcrx | grep -q -- '-lnl' || PC --cflags libzcrx | grep -q nl3 ||
	PC --print-requires-private libzcrx | grep -q libnl; then
	t_fail "libs: $(PC --libs libzcrx) / static: $(PC --static --libs libzcrx) /" \
		"cflags: $(PC --cflags libzcrx) / private: $(PC --print-requires-private libzcrx)"
elif [ "$(PC --variable=libdir libzcrx)" != "$D$P/lib" ] ||
	[ "$(PC --variable=includedir libzcrx)" != "$D$P/include" ]; then
	t_fail "libdir/includedir do not follow prefix: $(PC --variable=libdir libzcrx)"
else
	t_pass
fi

# A program that uses only the installed header and library.
cat >"$TMP/probe.c" <<'EOF'
#include <stdio.h>
#include <zcrx.h>
int main(void)
{
	struct zcrx_caps caps;
	char why[256];
	enum zcrx_tri t;

	if (zcrx_caps_probe(&caps) < 0)
		return 1;
	t = zcrx_caps_feature(&caps, ZCRX_FEAT_IO_URING, why, sizeof(why));
	printf("%s %d %s\n", zcrx_feature_name(ZCRX_FEAT_IO_URING), t, why);
	return zcrx_feature_parse("no-buffers") == ZCRX_FEAT_ALLOC_FAIL ? 0 : 1;
}
EOF
# the installed library, not the tree's, at run time
RUNENV=(env LD_LIBRARY_PATH="$D$P/lib")

t_begin "a program builds against the installed library with pkg-config alone and runs"
if ! flags=$(PC --cflags --libs libzcrx 2>&1); then
	t_fail "pkg-config: $flags"
elif ! out=$(cc -std=gnu11 -Wall -Werror $SAN -o "$TMP/probe" "$TMP/probe.c" $flags 2>&1); then
	t_fail "cc: $(head -n 3 <<<"$out" | tr '\n' ' ')"
else
	lib=$("${RUNENV[@]}" ldd "$TMP/probe" | awk '/libzcrx/ {print $3}')
	run "${RUNENV[@]}" "$TMP/probe"
	if [ "$rc" != 0 ]; then t_fail "rc=$rc out=$out err=$err"
	elif [ "$lib" != "$D$P/lib/libzcrx.so.$SOVERSION" ]; then t_fail "loaded $lib, not the installed copy"
	else t_pass; fi
fi

t_begin "a static build with pkg-config --static links the installed libzcrx.a"
flags=$(PC --cflags libzcrx)
libs=$(PC --static --libs libzcrx | sed 's/-lzcrx//')
if ! out=$(cc -std=gnu11 -Wall -Werror $SAN -o "$TMP/probe-static" "$TMP/probe.c" $flags \
	"$D$P/lib/libzcrx.a" $libs 2>&1); then
	t_fail "cc: $(head -n 3 <<<"$out" | tr '\n' ' ')"
elif "${RUNENV[@]}" ldd "$TMP/probe-static" | grep -q libzcrx; then
	t_fail "linked libzcrx.so, not the archive"
else
	run "$TMP/probe-static"
	if [ "$rc" = 0 ]; then t_pass; else t_fail "rc=$rc err=$err"; fi
fi

t_begin "a program built with pkg-config receives from the simulator and returns the buffers"
flags=$(PC --cflags --libs libzcrx)
if ! out=$(cc -std=gnu11 -Wall -Wextra -Werror $SAN -o "$TMP/pc_example" \
	"$TOP/tests/install/pc_example.c" $flags 2>&1); then
	undef=$(grep -oE "undefined reference to .zcrx_[a-z_]+" <<<"$out" | sed 's/.* .//' | sort -u)
	if [ -n "$undef" ]; then t_fail "the installed libzcrx does not define: $(echo $undef)"
	else t_fail "cc: $(head -n 3 <<<"$out" | tr '\n' ' ')"; fi
else
	run "${RUNENV[@]}" "$TMP/pc_example"
	if [ "$rc" = 0 ] && grep -q '^data-cqes [1-9]' <<<"$out"; then t_pass
	else t_fail "rc=$rc out=$out err=$err"; fi
fi

t_begin "README's five-minute library example builds with pkg-config and runs"
awk '/^## Library in five minutes/{on=1} on && /^```c$/{c=1; next} c && /^```$/{exit} c' \
	"$TOP/README.md" >"$TMP/rx.c"
if [ ! -s "$TMP/rx.c" ]; then
	t_fail "no C block under '## Library in five minutes' in README.md"
elif ! out=$(cc -std=gnu11 -Wall -Wextra -Werror $SAN -c -o "$TMP/rx.o" "$TMP/rx.c" \
	$(PC --cflags libzcrx) 2>&1); then
	t_fail "cc: $(head -n 3 <<<"$out" | tr '\n' ' ')"
elif ! out=$(cc $SAN -o "$TMP/rx" "$TMP/rx.o" $(PC --libs libzcrx) 2>&1); then
	undef=$(grep -oE "undefined reference to .zcrx_[a-z_]+" <<<"$out" | sed 's/.* .//' | sort -u)
	if [ -n "$undef" ]; then t_fail "compiles; the installed libzcrx does not define: $(echo $undef)"
	else t_fail "link: $(head -n 3 <<<"$out" | tr '\n' ' ')"; fi
else
	run "${RUNENV[@]}" "$TMP/rx"
	if [ "$rc" = 0 ] && grep -qE '^[1-9][0-9]* bytes at 0x' <<<"$out"; then t_pass
	else t_fail "rc=$rc out=$out err=$err"; fi
fi

# ---------------------------------------------------------------------------
# the systemd unit

U=$D$P/lib/systemd/system/$UNIT
t_begin "the installed unit runs the installed zcrxctl: -j watch DEV QUEUE --rearm=auto"
if grep -qE "^ExecStart=.*'exec $P/sbin/zcrxctl -j watch .*--rearm=auto'" "$U"; then t_pass
else t_fail "$(grep ExecStart= "$U")"; fi

# Expand ExecStart as systemd does ($$ and %% are literal, %I the instance),
# with a stand-in zcrxctl that prints its arguments.
split_instance() {
	local line
	line=$(sed -n 's/^ExecStart=//p' "$U")
	line=${line//"$P/sbin/zcrxctl"/"$TMP/fake-zcrxctl"}
	line=${line//'$$'/'$'}
	line=${line//'%I'/$1}
	line=${line//'%%'/'%'}
	eval "$line"
}
printf '#!/bin/sh\nprintf "%%s|" "$@"\n' >"$TMP/fake-zcrxctl"
chmod +x "$TMP/fake-zcrxctl"

t_begin "the unit splits its instance DEV:QUEUE at the last colon"
a=$(split_instance eth0:5)
b=$(split_instance 'br-lan:1:7')
if [ "$a" = "-j|watch|eth0|5|--rearm=auto|" ] && [ "$b" = "-j|watch|br-lan:1|7|--rearm=auto|" ]; then
	t_pass
else
	t_fail "eth0:5 -> $a; br-lan:1:7 -> $b"
fi

t_begin "the unit restarts on failure, keeps /run/zcrxctl, and is hardened to what zcrx needs"
miss=
for l in 'Restart=always' 'RuntimeDirectory=zcrxctl' 'RuntimeDirectoryPreserve=yes' \
	'CapabilityBoundingSet=CAP_NET_ADMIN CAP_IPC_LOCK' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
	'ProtectHome=yes' 'Documentation=man:zcrxctl(8)'; do
	grep -qxF "$l" "$U" || miss+=" '$l'"
done
grep -qE '^(PrivateNetwork|DynamicUser)=yes' "$U" && miss+=" (PrivateNetwork/DynamicUser would break it)"
if [ -z "$miss" ]; then t_pass; else t_fail "missing:$miss"; fi

t_begin "systemd-analyze verify accepts the unit"
# verify reads NAME:ALIAS for a name with a colon, so the instance is written
# escaped (eth0\x3a5, which %I unescapes to eth0:5)
V=$TMP/units
mkdir -p "$V"
sed "s|$P/sbin/zcrxctl|/bin/true|" "$U" >"$V/$UNIT"
printf '[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n' >"$V/zcrxt-probe.service"
if ! command -v systemd-analyze >/dev/null; then
	t_skip "systemd-analyze is not installed"
elif ! (cd "$V" && systemd-analyze verify --man=no ./zcrxt-probe.service) >/dev/null 2>&1; then
	t_skip "systemd-analyze verify cannot run here (a trivial unit fails too)"
elif out=$(cd "$V" && systemd-analyze verify --man=no "./zcrxctl-watch@eth0\\x3a5.service" 2>&1) &&
	[ -z "$out" ]; then
	t_pass
else
	t_fail "$(head -n 3 <<<"$out" | tr '\n' ' ')"
fi

t_begin "the metrics service runs the installed zcrxctl once into the textfile directory, its timer every 15 s"
MS=$D$P/lib/systemd/system/zcrxctl-metrics.service
MT=$D$P/lib/systemd/system/zcrxctl-metrics.timer
miss=
grep -qxF "ExecStart=$P/sbin/zcrxctl -q metrics --queues --textfile /var/lib/prometheus/node-exporter" "$MS" ||
	miss+=" ExecStart"
for l in 'Type=oneshot' 'ReadWritePaths=-/var/lib/prometheus/node-exporter' 'ProtectSystem=strict'; do
	grep -qxF "$l" "$MS" || miss+=" '$l'"
done
for l in 'OnUnitActiveSec=15s' 'WantedBy=timers.target'; do
	grep -qxF "$l" "$MT" || miss+=" '$l'"
done
sed "s|$P/sbin/zcrxctl|/bin/true|" "$MS" >"$V/zcrxctl-metrics.service"
cp "$MT" "$V/"
if [ -n "$miss" ]; then
	t_fail "missing:$miss"
elif ! command -v systemd-analyze >/dev/null ||
	! (cd "$V" && systemd-analyze verify --man=no ./zcrxt-probe.service) >/dev/null 2>&1; then
	t_pass	# the lines are there; verify cannot run here (the case above says why)
elif out=$(cd "$V" && systemd-analyze verify --man=no ./zcrxctl-metrics.service \
	./zcrxctl-metrics.timer 2>&1) && [ -z "$out" ]; then
	t_pass
else
	t_fail "$(head -n 3 <<<"$out" | tr '\n' ' ')"
fi

# ---------------------------------------------------------------------------
t_begin "make uninstall DESTDIR=... leaves no file behind"
if ! out=$(mk uninstall DESTDIR="$D" PREFIX=$P); then
	t_fail "make uninstall: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
else
	left=$(find "$D" \( -type f -o -type l \) | sed "s|^$D||")
	if [ -z "$left" ]; then t_pass; else t_fail "left behind: $(echo $left)"; fi
fi

# ---------------------------------------------------------------------------
D2=$TMP/root2
t_begin "PREFIX, SBINDIR, LIBDIR, INCLUDEDIR, MANDIR are honoured, also in .pc and the unit"
MA=(DESTDIR="$D2" PREFIX=/usr SBINDIR=/usr/sbin LIBDIR=/usr/lib/x86_64-linux-gnu
	INCLUDEDIR=/usr/include MANDIR=/usr/share/man)
if ! out=$(mk install "${MA[@]}"); then
	t_fail "make install: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
else
	bad=
	for f in /usr/sbin/zcrxctl /usr/lib/x86_64-linux-gnu/libzcrx.so.$SOVERSION \
		/usr/lib/x86_64-linux-gnu/pkgconfig/libzcrx.pc /usr/include/zcrx.h \
		/usr/share/man/man8/zcrxctl.8 /usr/share/bash-completion/completions/zcrxctl \
		/usr/share/zsh/vendor-completions/_zcrxctl /usr/lib/systemd/system/$UNIT; do
		[ -e "$D2$f" ] || bad+=" $f"
	done
	pc=$D2/usr/lib/x86_64-linux-gnu/pkgconfig/libzcrx.pc
	grep -qx 'prefix=/usr' "$pc" || bad+=" pc:prefix"
	grep -qx 'libdir=${prefix}/lib/x86_64-linux-gnu' "$pc" || bad+=" pc:libdir"
	grep -q "'exec /usr/sbin/zcrxctl " "$D2/usr/lib/systemd/system/$UNIT" || bad+=" unit:ExecStart"
	find "$D2" -type f | grep -v "^$D2/usr/" | grep -q . && bad+=" files-outside-PREFIX"
	mk uninstall "${MA[@]}" >/dev/null
	left=$(find "$D2" \( -type f -o -type l \))
	[ -z "$left" ] || bad+=" uninstall-left:$(echo $left)"
	if [ -z "$bad" ]; then t_pass; else t_fail "$bad"; fi
fi
# the tree's own .pc goes back to the default prefix
mk lib/libzcrx.pc >/dev/null

t_done
