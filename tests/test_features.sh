#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zcrxctl features against facts gathered independently (tests/helpers/query_probe
# asks the kernel with raw syscalls), plus --require and bad input.
. "$(dirname "$0")/lib.sh"

PROBE=$TOP/tests/helpers/query_probe
declare -A fact
while IFS='=' read -r k v; do fact[$k]=$v; done < <("$PROBE")

run "$ZCRXCTL" -j features
json=$out

t_begin "features -j is one valid JSON document"
if [ "$rc" = 0 ] && jq -e . >/dev/null <<<"$json" && [ "$(jq -s length <<<"$json")" = 1 ]; then
	t_pass
else
	t_fail "rc=$rc out=${json:0:200}"
fi

jqv() { jq -r "$1" <<<"$json"; }

t_begin "query op reported as the kernel answers it"
want=false
[ "${fact[query_ret]}" = 0 ] && [ "${fact[op0_result]}" = 0 ] && want=true
if [ "$(jqv '.features.query.supported')" = "$want" ]; then t_pass
else t_fail "supported=$(jqv '.features.query.supported'), kernel says $want"; fi

t_begin "query opcode counts match the kernel's"
if [ "${fact[query_ret]}" != 0 ]; then
	t_na "this kernel has no query op"
elif [ "$(jqv '.query["nr-request-opcodes"]')" = "${fact[nr_request_opcodes]}" ] &&
     [ "$(jqv '.query["nr-register-opcodes"]')" = "${fact[nr_register_opcodes]}" ] &&
     [ "$(jqv '.query["nr-query-opcodes"]')" = "${fact[nr_query_opcodes]}" ]; then
	t_pass
else
	t_fail "$(jqv -c .query) vs ${fact[nr_request_opcodes]}/${fact[nr_register_opcodes]}/${fact[nr_query_opcodes]}"
fi

t_begin "zcrx query op reported as the kernel answers it"
want=false
[ "${fact[op1_result]:-x}" = 0 ] && want=true
if [ "$(jqv '.features["zcrx-query"].supported')" = "$want" ]; then t_pass
else t_fail "zcrx-query=$(jqv '.features["zcrx-query"].supported'), op1 result ${fact[op1_result]}"; fi

t_begin "events reported as the kernel's zcrx features say"
want=false
if [ "${fact[op1_result]:-x}" = 0 ] && (( ${fact[zcrx_features]} & 2 )); then want=true; fi
got=$(jqv '.features.events.supported')
if [ "$got" = "$want" ] && { [ "$want" = true ] || [ "$(jqv '.features.copy.supported')" = false ]; }; then
	t_pass
else
	t_fail "events=$got, kernel features ${fact[zcrx_features]:-none}"
fi

t_begin "zcrx registration op reported as the kernel answers it"
want=false
case ${fact[zcrx_reg]:-x} in -14|-1) want=true ;; esac
if [ "$(jqv '.features.zcrx.supported')" = "$want" ]; then t_pass
else t_fail "zcrx=$(jqv '.features.zcrx.supported'), probe gave ${fact[zcrx_reg]}"; fi

t_begin "ctrl op reported as the zcrx query's ctrl op count and op 36 say"
want=false
if [ "${fact[op1_result]:-x}" = 0 ] && [ "${fact[zcrx_nr_ctrl]:-0}" -gt 0 ] &&
   [ "${fact[zcrx_ctrl]:-x}" != -22 ]; then want=true; fi
if [ "$(jqv '.features.ctrl.supported')" = "$want" ]; then t_pass
else t_fail "ctrl=$(jqv '.features.ctrl.supported'), ctrl ops ${fact[zcrx_nr_ctrl]:-none}, op 36 gave ${fact[zcrx_ctrl]}"; fi

t_begin "kernel.io_uring_disabled matches /proc"
if [ ! -r /proc/sys/kernel/io_uring_disabled ]; then
	t_na "no kernel.io_uring_disabled on this kernel"
elif [ "$(jqv '.["io-uring-disabled"]')" = "$(cat /proc/sys/kernel/io_uring_disabled)" ]; then t_pass
else t_fail "got $(jqv '.["io-uring-disabled"]')"; fi

t_begin "CAP_NET_ADMIN matches CapEff in /proc"
capeff=$(awk '/^CapEff/ {print $2}' /proc/self/status)
want=false
(( 0x$capeff & (1 << 12) )) && want=true
if [ "$(jqv '.features["cap-net-admin"].supported')" = "$want" ]; then t_pass
else t_fail "got $(jqv '.features["cap-net-admin"].supported'), CapEff $capeff"; fi

t_begin "nodev reported as the zcrx query's register flags say (ZCRX_REG_NODEV, bit 1)"
want=false
if [ "${fact[op1_result]:-x}" = 0 ] && (( ${fact[zcrx_register_flags]} & 2 )); then want=true; fi
if [ "$(jqv '.features.nodev.supported')" = "$want" ]; then t_pass
else t_fail "nodev=$(jqv '.features.nodev.supported'), register flags ${fact[zcrx_register_flags]:-none}"; fi

t_begin "add-area reported as the zcrx query's ctrl op count says (op 3, Linux 7.3)"
want=false
if [ "${fact[op1_result]:-x}" = 0 ] && [ "${fact[zcrx_nr_ctrl]}" -gt 3 ]; then want=true; fi
if [ "$(jqv '.features["add-area"].supported')" = "$want" ]; then t_pass
else t_fail "add-area=$(jqv '.features["add-area"].supported'), ctrl ops ${fact[zcrx_nr_ctrl]:-none}"; fi

t_begin "every feature has a state and a reason, and text has one line each"
run "$ZCRXCTL" features
n=$(grep -cE '^[a-z-]+ +(supported|not supported|unknown) +[^ ]' <<<"$out")
bad=$(jqv '[.features[] | select((.state|IN("supported","not supported","unknown"))|not) or (.reason|length) < 10] | length')
if [ "$rc" = 0 ] && [ "$n" = "$(jqv '.features|length')" ] && [ "$n" -ge 14 ] && [ "$bad" = 0 ]; then t_pass
else t_fail "rc=$rc lines=$n bad=$bad"; fi

t_begin "--require of supported features exits 0"
run "$ZCRXCTL" features --require io-uring,query
[ "$rc" = 0 ] && t_pass || t_fail "rc=$rc $err"

# the features this kernel lacks, as the report says (checked above)
mapfile -t lacks < <(jqv '.features | to_entries[] | select(.value.supported == false) | .key')

t_begin "--require of a missing feature exits 3 naming it"
if [ ${#lacks[@]} = 0 ]; then
	t_na "this kernel lacks no feature"
else
	run "$ZCRXCTL" features --require "query,${lacks[0]}"
	if [ "$rc" = 3 ] && [ "$(grep -c . <<<"$err")" = 1 ] && grep -q -- "${lacks[0]}" <<<"$err"; then t_pass
	else t_fail "--require query,${lacks[0]}: rc=$rc err=$err"; fi
fi

t_begin "-j --require lists what is missing"
if [ ${#lacks[@]} = 0 ]; then
	t_na "this kernel lacks no feature"
else
	want=$(printf '%s\n' "${lacks[@]}" | tail -n 2 | jq -R . | jq -sc .)
	ask=$(jq -r 'join(",")' <<<"$want")
	run "$ZCRXCTL" -j features --require "io-uring,$ask"
	if [ "$rc" = 3 ] && [ "$(jq -c .missing <<<"$out")" = "$want" ]; then t_pass
	else t_fail "--require io-uring,$ask: rc=$rc missing=$(jq -c .missing <<<"$out" 2>&1)"; fi
fi

t_begin "--require takes the old name no-buffers for alloc-fail"
run "$ZCRXCTL" -j features --require no-buffers
a=$(jqv '.features["alloc-fail"].supported')
if [ "$a" = true ] && [ "$rc" = 0 ]; then t_pass
elif [ "$a" = false ] && [ "$rc" = 3 ] && [ "$(jq -c .missing <<<"$out")" = '["alloc-fail"]' ]; then t_pass
else t_fail "alloc-fail=$a rc=$rc out=$out"; fi

t_begin "--require with an unknown feature is a usage error"
run "$ZCRXCTL" features --require events,bogus
if [ "$rc" = 64 ] && [ -z "$out" ] && [ "$(grep -c . <<<"$err")" = 1 ] && grep -q "'bogus'" <<<"$err"; then t_pass
else t_fail "rc=$rc err=$err"; fi

t_begin "without CAP_NET_ADMIN the report says so"
if ! command -v setpriv >/dev/null || [ "$(id -u)" != 0 ]; then
	t_skip "needs root and setpriv to drop privileges"
else
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$ZCRXCTL" -j features
	if [ "$rc" = 0 ] && [ "$(jq -r '.features["cap-net-admin"].supported' <<<"$out")" = false ] &&
	   jq -r '.features["cap-net-admin"].reason' <<<"$out" | grep -q "root"; then t_pass
	else t_fail "rc=$rc $(jq -c '.features["cap-net-admin"]' <<<"$out" 2>&1) $err"; fi
fi

t_begin "--color=always colours the states, NO_COLOR keeps auto plain"
run "$ZCRXCTL" --color=always features
a=$out
out=$(NO_COLOR=1 "$ZCRXCTL" features)
if grep -q $'\033\[3[12]m' <<<"$a" && ! grep -q $'\033' <<<"$out"; then t_pass
else t_fail "colour escapes wrong"; fi

t_done
