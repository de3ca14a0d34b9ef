#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man pages: lint clean, and kept honest by the binary: every option that
# `zcrxctl [CMD] --help` prints is documented where that command is, every
# exit code and environment variable the code uses is in the page, every
# exported function is in libzcrx(3), and its example compiles (and runs on
# the simulator, once there is one).
. "$(dirname "$0")/lib.sh"

MAN8=$TOP/man/zcrxctl.8
MAN3=$TOP/man/libzcrx.3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; _t_cleanup' EXIT

# roff source as plain words: \- is -, font escapes go
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(dq/"/g' -e 's/\\e/\\/g' "$@"; }

# section NAME: the lines of `.SH NAME` (first word of the title) up to the
# next .SH; subsection CMD: `.SS CMD ...` up to the next .SS or .SH
section() { plain "$MAN8" | awk -v s="$1" '/^\.SH /{on = ($2 == s)} on'; }
subsection() {
	plain "$MAN8" | awk -v s="$1" '/^\.S[HS] /{on = ($1 == ".SS" && $2 == s)} on'
}

# help_opts TEXT: the options an argp --help prints, one per line (-x, --long)
help_opts() {
	grep -E '^ {2,8}-' <<<"$1" | sed -E 's/^ +//; s/ {2,}.*//; s/[=[].*//' | tr ',' '\n' |
		sed -E 's/^ +//; s/ .*//' | grep -E '^-' | sort -u
}

# has_opt OPT TEXT: OPT appears as a word (not as part of a longer option)
has_opt() { grep -qE -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" <<<"$2"; }

commands() { "$ZCRXCTL" -j help | jq -r '.commands[].name'; }

for page in "$MAN8" "$MAN3"; do
	t_begin "$(basename "$page") lints clean under mandoc -Tlint"
	if ! command -v mandoc >/dev/null; then
		t_skip "mandoc is not installed (apt-get install mandoc)"
	elif out=$(mandoc -Tlint -Wstyle "$page" 2>&1) && [ -z "$out" ]; then
		t_pass
	else
		t_fail "$(head -n 3 <<<"$out" | tr '\n' ' ')"
	fi

	t_begin "$(basename "$page") formats without warnings under groff"
	if ! command -v groff >/dev/null; then
		t_skip "groff is not installed"
	elif out=$(groff -ww -z -man "$page" 2>&1) && [ -z "$out" ]; then
		t_pass
	else
		t_fail "$(head -n 3 <<<"$out" | tr '\n' ' ')"
	fi
done

t_begin "zcrxctl.8 documents every global option of zcrxctl --help"
run "$ZCRXCTL" --help
opts=$(help_opts "$out")
doc=$(section OPTIONS)
missing=
for o in $opts; do has_opt "$o" "$doc" || missing+=" $o"; done
if [ -z "$opts" ]; then t_fail "no options parsed from zcrxctl --help"
elif [ -z "$missing" ]; then t_pass
else t_fail "not under OPTIONS:$missing"; fi

# Every command's options, in that command's subsection (bind and watch share
# BIND OPTIONS).  --help and --usage are documented once, for every command.
mapfile -t cmds < <(commands)
for c in "${cmds[@]}"; do
	t_begin "zcrxctl.8 documents every option of zcrxctl $c --help"
	run "$ZCRXCTL" "$c" --help
	if [ "$rc" != 0 ]; then t_fail "zcrxctl $c --help exited $rc"; continue; fi
	doc=$(subsection "$c")
	case $c in bind | watch) doc+=$'\n'$(section BIND) ;; esac
	missing=
	for o in $(help_opts "$out"); do
		case $o in -h | --help | --usage) continue ;; esac
		has_opt "$o" "$doc" || missing+=" $o"
	done
	if [ -z "$doc" ]; then t_fail "no '.SS $c' subsection"
	elif [ -z "$missing" ]; then t_pass
	else t_fail "not in the $c subsection:$missing"; fi
done

# The other way round: an option the page gives a command that its --help
# does not print is a stale page.
for c in $(plain "$MAN8" | awk '/^\.SH COMMANDS/{on=1; next} /^\.SH /{on=0} on && /^\.SS /{print $2}'); do
	t_begin "every option zcrxctl.8 gives $c exists in zcrxctl $c --help"
	if ! printf '%s\n' "${cmds[@]}" | grep -qx "$c"; then
		t_fail "the page documents a command zcrxctl help does not list"
		continue
	fi
	run "$ZCRXCTL" "$c" --help
	have=$(help_opts "$out")
	# where options are defined: the .SS title and the tags of .TP items
	doc=$(subsection "$c" | awk '/^\.SS /{print} t{print; t=0} /^\.TP/{t=1}')
	case $c in bind | watch) doc+=$'\n'$(section BIND | awk 't{print; t=0} /^\.TP/{t=1}') ;; esac
	stale=
	for o in $(grep -oE -- '(^|[ "|[])--?[a-z][a-z0-9-]*' <<<"$doc" | grep -oE -- '--?[a-z][a-z0-9-]*' | sort -u); do
		grep -qx -- "$o" <<<"$have" || stale+=" $o"
	done
	if [ -z "$stale" ]; then t_pass; else t_fail "not in $c --help:$stale"; fi
done

t_begin "zcrxctl.8 has a subsection for every command in zcrxctl help"
missing=
for c in "${cmds[@]}"; do [ -n "$(subsection "$c")" ] || missing+=" $c"; done
if [ -z "$missing" ]; then t_pass; else t_fail "no .SS for:$missing"; fi

t_begin "EXIT STATUS lists every exit code the CLI's headers define"
codes=$(grep -rhE --include='*.h' '^#define EXIT_[A-Z_]+[[:space:]]+[0-9]+' "$TOP/zcrxctl" |
	sed -E 's/^#define EXIT_[A-Z_]+[[:space:]]+([0-9]+).*/\1/' | sort -u)
doc=$(section EXIT)
missing=
for n in $codes; do grep -qx "\.B $n" <<<"$doc" || missing+=" $n"; done
if [ -z "$codes" ]; then t_fail "no EXIT_* codes found under zcrxctl/"
elif [ -z "$missing" ]; then t_pass
else t_fail "codes not in EXIT STATUS:$missing"; fi

t_begin "ENVIRONMENT names every variable zcrxctl and libzcrx read"
vars=$(grep -rhoE --include='*.c' 'getenv\("[A-Z_]+"\)' "$TOP/zcrxctl" "$TOP/lib" |
	sed -E 's/getenv\("(.*)"\)/\1/' | sort -u)
doc=$(section ENVIRONMENT)
missing=
for v in NO_COLOR ZCRXCTL_RUNDIR $vars; do grep -qx "\.B $v" <<<"$doc" || missing+=" $v"; done
if [ -z "$missing" ]; then t_pass; else t_fail "not under ENVIRONMENT:$missing"; fi

t_begin "zcrxctl.8 has every section an operator looks for"
missing=
for s in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS OUTPUT PREFLIGHT EXIT ENVIRONMENT \
	FILES EXAMPLES SEE; do
	grep -q "^\.SH \"\?$s" "$MAN8" || missing+=" $s"
done
for w in tcp-data-split hds-thresh flow-type 'schema version' jq zcrxctl-watch@; do
	plain "$MAN8" | grep -qF -- "$w" || missing+=" '$w'"
done
if [ -z "$missing" ]; then t_pass; else t_fail "missing:$missing"; fi

t_begin "libzcrx.3 names every function libzcrx exports"
syms=$(awk '/global:/{on=1; next} /local:|^}/{on=0} on' "$TOP/lib/libzcrx.map" | tr -d ' \t;' | grep .)
missing=
for s in $syms; do plain "$MAN3" | grep -qE "(^|[^a-z_])$s([^a-z_]|\$)" || missing+=" $s"; done
if [ -z "$syms" ]; then t_fail "no symbols in lib/libzcrx.map"
elif [ -z "$missing" ]; then t_pass
else t_fail "not in libzcrx.3:$missing"; fi

# The example: the .EX block of EXAMPLES, as C.
awk '/^\.SH EXAMPLES/{e=1} e && /^\.EE/{exit} e && f{print} e && /^\.EX/{f=1}' "$MAN3" |
	sed -e 's/\\e/\\/g' -e 's/\\-/-/g' >"$TMP/example.c"
SAN=$(grep -oE -- '-fsanitize=[^ ]+' "$TOP/.flags" 2>/dev/null | tr '\n' ' ')

t_begin "libzcrx.3 example compiles against lib/zcrx.h with -Wall -Wextra -Werror"
if [ ! -s "$TMP/example.c" ]; then
	t_fail "no .EX block under EXAMPLES"
elif out=$(cc -std=gnu11 -Wall -Wextra -Werror $SAN -I"$TOP/lib" -I"$TOP/lib/sim" $(pkg-config --cflags liburing) \
	-c -o "$TMP/example.o" "$TMP/example.c" 2>&1); then
	t_pass
else
	t_fail "$(head -n 3 <<<"$out" | tr '\n' ' ')"
fi

t_begin "libzcrx.3 example links and receives from the simulator"
undef=
if [ -e "$TMP/example.o" ] && ! out=$(cc $SAN -o "$TMP/example" "$TMP/example.o" \
	"$TOP/lib/libzcrx.a" $(pkg-config --libs liburing libnl-3.0 libnl-genl-3.0) 2>&1); then
	undef=$(grep -oE "undefined reference to .zcrx_[a-z_]+" <<<"$out" | sed 's/.* .//' | sort -u)
fi
if [ -n "$undef" ]; then
	t_fail "libzcrx does not define what the page's example calls: $(echo $undef)"
elif [ ! -e "$TMP/example" ]; then
	t_fail "compile or link: $(grep -m 3 -E 'error' <<<"$out" | tr '\n' ' ')"
else
	run "$TMP/example"
	if [ "$rc" = 0 ] && grep -qE '^[1-9][0-9]* bytes received zero-copy$' <<<"$out"; then t_pass
	else t_fail "rc=$rc out=$out err=$err"; fi
fi

t_done
