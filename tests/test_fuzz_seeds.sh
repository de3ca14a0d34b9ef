#!/bin/bash
# SPDX-License-Identifier: MIT
# The fuzz targets (fuzz/fuzz_*.c) still build, and each replays its
# committed corpus (fuzz/corpus/TARGET) once without a crash or an oracle
# failure; the protocol targets' seeds, real replies and requests, still
# decode.  So `make check` notices a target that stops building or seeds
# that stop decoding long before `make fuzz` runs in CI.  Then the bugs the
# protocol targets found, end to end.
. "$(dirname "$0")/lib_session.sh"

cd "$TOP" || exit 1
OLD=$TOP/tests/helpers/oldsession
FUZZ_CC=${FUZZ_CC:-clang}
targets=()
for f in fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done

# Can this machine build libFuzzer targets at all?
fuzz_cc_why() {
	local d
	command -v "$FUZZ_CC" >/dev/null || { echo "no $FUZZ_CC (the fuzzers build with clang)"; return; }
	d=$(mktemp -d)
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return !d + (int)n; }' \
		>"$d/t.c"
	"$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$d/t" "$d/t.c" >/dev/null 2>&1 ||
		echo "$FUZZ_CC cannot link -fsanitize=fuzzer,address (libclang-rt-dev missing?)"
	rm -rf "$d"
}
why=$(fuzz_cc_why)

t_begin "the ${#targets[@]} fuzz targets build (make fuzz-build)"
if [ -n "$why" ]; then t_skip "$why"
elif ! out=$(make -s fuzz-build FUZZ_CC="$FUZZ_CC" 2>&1); then
	t_fail "make fuzz-build: $(short "$(tail -n 5 <<<"$out")")"
else t_pass; fi

# replay TARGET [FILES...]: run the target once over FILES (default: its corpus);
# a crash input goes to $S_TMP, not the tree
replay() {
	local t=$1
	shift
	[ $# -gt 0 ] || set -- "fuzz/corpus/$t"
	run "fuzz/build/$t" -runs=0 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$S_TMP/$t-" "$@"
}
# why the replay failed, in a few words
crash_why() {
	printf '%s' "$err" | grep -aE 'oracle failed|ERROR:|SUMMARY' | head -n 2 | cut -c1-240 | cat -v |
		tr '\n' '|'
}

for t in "${targets[@]}"; do
	t_begin "$t replays its committed seeds with no crash"
	if [ -n "$why" ]; then t_skip "$why"; continue; fi
	if [ ! -x "fuzz/build/$t" ]; then t_fail "fuzz/build/$t was not built"; continue; fi
	if [ ! -d "fuzz/corpus/$t" ] || [ -z "$(ls -A "fuzz/corpus/$t")" ]; then
		t_fail "no seeds in fuzz/corpus/$t"; continue
	fi
	replay "$t"
	if [ "$rc" != 0 ]; then t_fail "exit $rc: $(crash_why)"
	else t_pass; fi
done

# The protocol targets' seeds that are not refusals (bad-*) must decode, so
# a format change that leaves them behind fails here, not silently in CI.
for t in fuzz_reply fuzz_request; do
	t_begin "every $t seed but bad-* still decodes (ZCRX_FUZZ_SEEDS_DECODE)"
	if [ -n "$why" ]; then t_skip "$why"; continue; fi
	if [ ! -x "fuzz/build/$t" ]; then t_fail "fuzz/build/$t was not built"; continue; fi
	seeds=()
	for f in "fuzz/corpus/$t"/*; do [[ $(basename "$f") == bad-* ]] || seeds+=("$f"); done
	ZCRX_FUZZ_SEEDS_DECODE=1 replay "$t" "${seeds[@]}"
	if [ "$rc" != 0 ]; then t_fail "exit $rc: $(crash_why)"
	else t_pass; fi
done

# What fuzz_request and fuzz_reply found: a refusal cut to its 512-byte buffer
# inside a character.  A name of 1 + 300 two-byte characters cuts any of them.
long=$(printf 'x%0300d' 0 | sed 's/0/\xc3\xa9/g')
utf8() { iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; }

new_rundir
t_begin "a session's refusal of a long multibyte cmd is still UTF-8, as its client needs"
start w watch --sim sim0 0 --area-size 64K -t 60s
if ! has_sock sim0 0; then t_fail "no session: $(f w.err | short)"
else
	line=$("$USOCK" -n 1 "$(sock sim0 0)" "{\"v\":1,\"cmd\":\"$long\"}")
	if [[ $line != *'"ok":false'*'unknown cmd'* ]]; then t_fail "no refusal: $(short "$line")"
	elif ! utf8 <<<"$line"; then t_fail "not UTF-8: $(printf '%s' "$line" | tail -c 40 | od -An -c | short)"
	else t_pass; fi
fi
stop "$pid"

t_begin "a client shows a session's 600-byte error cut between characters"
OLDSESSION_STATUS_REPLY="{\"v\":1,\"ok\":false,\"error\":\"${long#x}\"}" \
	"$OLD" "$(sock old0 3)" 1 5000 &
old=$!
_s_pids+=("$old")
for _ in $(seq 50); do [ -S "$(sock old0 3)" ] && break; sleep 0.1; done
run "$ZCRXCTL" status old0 3
wait "$old"
if [[ $err != *'the session refused'* ]]; then t_fail "exit $rc: $(short "$err")"
elif [[ $err == *'\x'* ]] || ! utf8 <<<"$err"; then
	t_fail "a broken character: $(printf '%s' "$err" | tail -c 40 | cat -v)"
else t_pass; fi

t_done
