#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libzcrx's ABI is exactly three lists that agree: what the installed headers
# declare, what lib/libzcrx.map and the simulator's lib/sim/libzcrx-sim.map
# list (and in which version node), and what
# the shared library exports (nm -D, with versions).  Any name in one and not
# in another, in either direction, is a failure; so is an internal symbol
# left global in the installed static archive.
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; _t_cleanup' EXIT
MAPS=("$TOP/lib/libzcrx.map" "$TOP/lib/sim/libzcrx-sim.map")
VERSION=$(sed -nE 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$TOP/Makefile")
SO=$TOP/lib/libzcrx.so.$VERSION

# Install what the tree was built with, as tests/test_install.sh does.
SAN=$(grep -oE -- '-fsanitize=[^ ]+' "$TOP/.flags" 2>/dev/null | tr '\n' ' ')
MAKEARGS=(-s --no-print-directory -C "$TOP")
[ -n "$SAN" ] && [[ ${MAKEFLAGS-} != *SANITIZE=* ]] && MAKEARGS+=(SANITIZE=1)

# map_syms: "name node" for every global of every node of the map
map_syms() {
	cat "${MAPS[@]}" | sed 's|/\*.*\*/||; /\/\*/,/\*\//d' | awk '
		/^[A-Za-z0-9_.]+[[:space:]]*\{/ { node = $1; sub(/\{.*/, "", node); scope = ""; next }
		/global:/ { scope = "g"; next }
		/local:/ { scope = "l"; next }
		/^\}/ { node = ""; next }
		scope == "g" && node != "" {
			gsub(/[[:space:];]/, ""); if ($0 != "") print $0, node
		}' | sort
}

# so_syms: "name node" for every defined, versioned symbol the .so exports
so_syms() {
	nm -D --defined-only "$SO" | awk '$2 != "A" { n = $3; v = n; sub(/@.*/, "", n);
		sub(/^[^@]*@@?/, "", v); if (v == $3) v = "-"; print n, v }' | sort
}

# header_syms: "name" for every function the installed headers declare
header_syms() {
	local inc=$1 h
	for h in "$inc"/*.h; do echo "#include <$(basename "$h")>"; done >"$TMP/all.c"
	cc -std=gnu11 -I"$inc" -aux-info "$TMP/aux.txt" -fsyntax-only "$TMP/all.c" >"$TMP/cc.log" 2>&1 ||
		return 1
	# static inline helpers (zcrx_cqe_decode_fast) are the caller's code, not exports
	grep -F "/* $inc/" "$TMP/aux.txt" | grep -vF '*/ static ' |
		sed -nE 's/.*[ *]([A-Za-z_][A-Za-z0-9_]*) \(.*/\1/p' | sort -u
}

t_begin "the map has a node for this release ($VERSION) and every node is LIBZCRX_x.y"
node=LIBZCRX_$(cut -d. -f1,2 <<<"$VERSION")
nodes=$(map_syms | awk '{print $2}' | sort -u)
bad=$(grep -vE '^LIBZCRX_(SIM_)?[0-9]+\.[0-9]+$' <<<"$nodes")
if ! grep -qx "$node" <<<"$nodes"; then t_fail "no node $node in lib/libzcrx.map (nodes: $(echo $nodes))"
elif [ -n "$bad" ]; then t_fail "nodes not named LIBZCRX_x.y or LIBZCRX_SIM_x.y: $(echo $bad)"
else t_pass; fi

t_begin "zcrxctl/ includes, of lib/, only the headers make install installs (zcrx_sim.h in backend.c alone)"
bad=
while IFS= read -r line; do
	f=${line%%:*} h=${line#*\"} h=${h%%\"*}
	[ -e "$(dirname "$f")/$h" ] && continue
	case $h in
	zcrx.h | zcrx_diag.h | zcrx_server.h) ;;
	zcrx_sim.h) [ "$f" = zcrxctl/backend.c ] || bad+="$f: $h (only backend.c picks the backend); " ;;
	*) bad+="$f: $h; " ;;
	esac
done < <(cd "$TOP" && grep -rn --include='*.[ch]' '^#include "' zcrxctl)
if [ -n "$bad" ]; then t_fail "headers of lib/ the CLI may not include there: $bad"; else t_pass; fi

t_begin "the core header and the core map name no simulator (it has lib/sim/ of its own)"
named=$(grep -Hin sim "$TOP/lib/zcrx.h" "$TOP/lib/libzcrx.map" | head -n 3 | tr '\n' ' ')
if [ -n "$named" ]; then t_fail "$named"; else t_pass; fi

t_begin "the shared library exports exactly the map, each symbol in its node"
if [ ! -e "$SO" ]; then
	t_fail "$SO is not built"
else
	map_syms >"$TMP/map"
	so_syms >"$TMP/so"
	extra=$(comm -13 "$TMP/map" "$TMP/so" | tr '\n' ' ')
	missing=$(comm -23 "$TMP/map" "$TMP/so" | tr '\n' ' ')
	if [ -n "$extra$missing" ]; then
		t_fail "exported but not in the map: ${extra:-none}; in the map but not exported: ${missing:-none}"
	elif [ ! -s "$TMP/so" ]; then
		t_fail "nm -D found no symbol in $SO"
	else
		t_pass
	fi
fi

t_begin "the installed headers declare exactly the exported functions"
D=$TMP/root
if ! out=$(make "${MAKEARGS[@]}" install DESTDIR="$D" PREFIX=/usr 2>&1); then
	t_fail "make install: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
elif ! header_syms "$D/usr/include" >"$TMP/hdr"; then
	t_fail "the installed headers do not compile on their own: $(head -n 3 "$TMP/cc.log" | tr '\n' ' ')"
else
	awk '{print $1}' "$TMP/so" | sort -u >"$TMP/so.names"
	undeclared=$(comm -13 "$TMP/hdr" "$TMP/so.names" | tr '\n' ' ')
	unexported=$(comm -23 "$TMP/hdr" "$TMP/so.names" | tr '\n' ' ')
	if [ -n "$undeclared$unexported" ]; then
		t_fail "exported but declared in no installed header: ${undeclared:-none};" \
			"declared but not exported: ${unexported:-none}"
	elif [ ! -s "$TMP/hdr" ]; then
		t_fail "no declaration found in $(ls "$D/usr/include" | tr '\n' ' ')"
	else
		t_pass
	fi
fi

t_begin "every declared function is marked ZCRX_API"
unmarked=
for h in "$D"/usr/include/*.h; do
	# a declaration starts at column 0 with a type and names zcrx_...(
	unmarked+=$(grep -nE '^(const |unsigned |enum |struct |void|int|bool|uint[0-9]+_t|char)[^;(]*\bzcrx_[a-z0-9_]+\(' "$h" |
		sed "s|^|$(basename "$h"):|" | tr '\n' ' ')
done
if [ -n "$unmarked" ]; then t_fail "without ZCRX_API: $unmarked"; else t_pass; fi

t_begin "the installed libzcrx.a defines the exported functions and no other global"
if [ ! -e "$TOP/lib/libzcrx.a" ]; then
	t_fail "lib/libzcrx.a is not built"
else
	nm --defined-only "$TOP/lib/libzcrx.a" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[A-Z]$/ && $2 != "U" {print $3}' |
		sort -u >"$TMP/a"
	extra=$(comm -13 "$TMP/so.names" "$TMP/a" | tr '\n' ' ')
	missing=$(comm -23 "$TMP/so.names" "$TMP/a" | tr '\n' ' ')
	if [ -n "$extra$missing" ]; then
		t_fail "global in libzcrx.a but not exported: ${extra:-none}; exported but not in libzcrx.a: ${missing:-none}"
	else
		t_pass
	fi
fi

t_begin "an application using only zcrx.h builds with liburing's flags alone (no libnl)"
cat >"$TMP/app.c" <<'EOF'
#include <zcrx.h>
int main(void)
{
	struct zcrx_caps caps;

	return zcrx_caps_probe(&caps) < 0 || zcrx_check_version(0, 2);
}
EOF
if ! out=$(cc -std=gnu11 -Wall -Wextra -Werror $SAN -I"$D/usr/include" $(pkg-config --cflags liburing) \
	-o "$TMP/app" "$TMP/app.c" -L"$TOP/lib" -lzcrx $(pkg-config --libs liburing) 2>&1); then
	t_fail "cc: $(head -n 3 <<<"$out" | tr '\n' ' ')"
elif grep -q 'nl' <<<"$(grep -h '#include' "$D/usr/include/zcrx.h")"; then
	t_fail "zcrx.h includes a netlink header"
else
	run env LD_LIBRARY_PATH="$TOP/lib" "$TMP/app"
	if [ "$rc" = 0 ]; then t_pass; else t_fail "rc=$rc err=$err"; fi
fi

t_done
