#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zcrxctl show in a fresh network namespace (lo and a veth pair), checked
# against what ip, ethtool and sysfs say inside that namespace.
. "$(dirname "$0")/lib.sh"

if ! have_root; then
	t_begin "show in a network namespace"; t_skip "needs root to create a network namespace"
	t_done
fi
if ! have_netns; then
	t_begin "show in a network namespace"; t_skip "network namespaces unavailable (ip netns add failed)"
	t_done
fi

NS=$(t_netns_add show) || { t_begin "show in a network namespace"; t_fail "ip netns add failed"; t_done; }
if ! ip -n "$NS" link add zv0 type veth peer name zv1 2>/dev/null; then
	t_begin "show in a network namespace"; t_skip "cannot create a veth pair (no veth driver?)"
	t_done
fi
# zv0 up with two RX queues when veth allows it; zv1 and lo stay down
ip -n "$NS" link set zv0 up
ip netns exec "$NS" ethtool -L zv0 rx 2 >/dev/null 2>&1

nsx() { ip netns exec "$NS" "$@"; }
one_line() { [ "$(grep -c . <<<"$1")" = 1 ]; }
sysfs_rx() { nsx sh -c "ls -d /sys/class/net/$1/queues/rx-* 2>/dev/null | wc -l"; }

# Facts, gathered without zcrxctl
devs=$(ip -n "$NS" -j link show | jq -r '.[] | "\(.ifname) \(.ifindex)"' | sort)
declare -A nrx up
while read -r name idx; do
	nrx[$name]=$(sysfs_rx "$name")
	up[$name]=false
	ip -n "$NS" -j link show "$name" | jq -e '.[0].flags | index("UP")' >/dev/null && up[$name]=true
done <<<"$devs"

run nsx "$ZCRXCTL" -j show
json=$out jrc=$rc jerr=$err
jqv() { jq -r "$@" <<<"$json"; }

t_begin "-j show is one JSON array, nothing on stderr"
if [ "$jrc" = 0 ] && [ -z "$jerr" ] && [ "$(jq -s length <<<"$json" 2>/dev/null)" = 1 ] &&
   [ "$(jqv type)" = array ]; then t_pass
else t_fail "rc=$jrc err=$jerr out=${json:0:200}"; fi

t_begin "-j show lists exactly the namespace's devices, with their ifindex"
got=$(jqv '.[] | "\(.ifname) \(.ifindex)"' | sort)
if [ -n "$devs" ] && [ "$got" = "$devs" ]; then t_pass
else t_fail "zcrxctl: $(tr '\n' ' ' <<<"$got") ip: $(tr '\n' ' ' <<<"$devs")"; fi

t_begin "RX queue count and indices of each device match sysfs"
bad=
while read -r name idx; do
	want=$(seq -s ' ' 0 $((nrx[$name] - 1)))
	got=$(jqv --arg d "$name" '.[] | select(.ifname == $d) | [.queues[].queue] | join(" ")')
	n=$(jqv --arg d "$name" '.[] | select(.ifname == $d) | ."rx-queues"')
	[ "${nrx[$name]}" -ge 1 ] && [ "$got" = "$want" ] && [ "$n" = "${nrx[$name]}" ] ||
		bad+="$name: queues [$got] rx-queues $n, sysfs ${nrx[$name]}; "
done <<<"$devs"
[ -z "$bad" ] && t_pass || t_fail "$bad"

t_begin "state follows the IFF_UP flag ip reports"
bad=
while read -r name idx; do
	want=down; [ "${up[$name]}" = true ] && want=up
	got=$(jqv --arg d "$name" '.[] | select(.ifname == $d) | .state')
	[ "$got" = "$want" ] || bad+="$name: $got, ip says $want; "
done <<<"$devs"
[ -z "$bad" ] && t_pass || t_fail "$bad"

t_begin "driver as ethtool -i names it; lo has none"
veth_drv=$(nsx ethtool -i zv0 2>/dev/null | sed -n 's/^driver: //p')
lo_drv=$(nsx ethtool -i lo 2>/dev/null | sed -n 's/^driver: //p')
got_v=$(jqv '.[] | select(.ifname == "zv0") | .driver')
got_lo=$(jqv '.[] | select(.ifname == "lo") | .driver')
if [ -n "$veth_drv" ] && [ "$got_v" = "$veth_drv" ] && [ -z "$lo_drv" ] && [ "$got_lo" = null ]; then
	t_pass
else
	t_fail "zv0 driver '$got_v' (ethtool: '$veth_drv'), lo '$got_lo' (ethtool: '$lo_drv')"
fi

t_begin "lo and veth queues: not ready, virtual, no queue API"
bad=
for d in lo zv0 zv1; do
	r=$(jqv --arg d "$d" '[.[] | select(.ifname == $d) | .queues[] |
		(.ready == false) and
		([.reasons[].reason] | index("virtual") != null and index("no-queue-api") != null)] |
		(length > 0) and all')
	[ "$r" = true ] || bad+="$d "
done
[ -z "$bad" ] && t_pass || t_fail "wrong verdict on: $bad"

t_begin "a queue the kernel lists has providers [] and no netlink error; a down device's has null"
p0=$(jqv '[.[] | select(.ifname == "zv0") | .queues[].providers == []] | (length > 0) and all')
e0=$(jqv '.[] | select(.ifname == "zv0") | has("queues-error")')
p1=$(jqv '[.[] | select(.ifname == "zv1") | .queues[].providers == null] | (length > 0) and all')
e1=$(jqv '.[] | select(.ifname == "zv1") | ."queues-error" | test("down")')
if [ "$p0/$e0/$p1/$e1" = "true/false/true/true" ]; then t_pass
else t_fail "zv0 providers-empty=$p0 has-error=$e0, zv1 providers-null=$p1 down-error=$e1"; fi

t_begin "text: one header per device, one queue line per sysfs RX queue, veth named as driver"
run nsx "$ZCRXCTL" show
bad=
[ "$rc" = 0 ] && [ -z "$err" ] || bad+="rc=$rc err=$err; "
while read -r name idx; do
	grep -q "^$name: ifindex $idx " <<<"$out" || bad+="no header for $name; "
	block=$(awk -v d="$name:" '$1 == d {p = 1; next} /^[^ ]/ {p = 0} p' <<<"$out")
	n=$(grep -cE '^    queue [0-9]+:.* not ready:$' <<<"$block")
	[ "$n" = "${nrx[$name]}" ] || bad+="$name: $n not-ready queue lines, sysfs ${nrx[$name]}; "
done <<<"$devs"
grep -q "(driver $veth_drv)" <<<"$out" || bad+="driver not named; "
[ -z "$bad" ] && t_pass || t_fail "$bad"

t_begin "show DEV QUEUE shows only that device and queue"
q=$((nrx[zv0] - 1))
run nsx "$ZCRXCTL" -j show zv0 "$q"
if [ "$rc" = 0 ] && [ "$(jq -c '[.[] | .ifname]' <<<"$out")" = '["zv0"]' ] &&
   [ "$(jq -c '[.[0].queues[].queue]' <<<"$out")" = "[$q]" ]; then t_pass
else t_fail "rc=$rc out=${out:0:200}"; fi

t_begin "show DEV QUEUE in text: a single queue line"
run nsx "$ZCRXCTL" show zv0 "$q"
if [ "$rc" = 0 ] && [ "$(grep -cE '^    queue [0-9]+:' <<<"$out")" = 1 ] &&
   grep -qE "^    queue $q:" <<<"$out" && [ "$(grep -c '^[^ ]' <<<"$out")" = 1 ]; then t_pass
else t_fail "rc=$rc out=$out"; fi

t_begin "unknown device: exit 1, one line naming it"
run nsx "$ZCRXCTL" show zcrxnosuch
if [ "$rc" = 1 ] && [ -z "$out" ] && one_line "$err" && grep -q "'zcrxnosuch'" <<<"$err"; then t_pass
else t_fail "rc=$rc out=$out err=$err"; fi

t_begin "unknown device under -j: exit 1, JSON error on stdout"
run nsx "$ZCRXCTL" -j show zcrxnosuch
if [ "$rc" = 1 ] && [ -z "$err" ] && jq -e '.error | test("zcrxnosuch")' >/dev/null <<<"$out"; then
	t_pass
else
	t_fail "rc=$rc out=$out err=$err"
fi

t_begin "queue out of range: exit 1, naming the sysfs queue count"
n=${nrx[zv0]}
run nsx "$ZCRXCTL" show zv0 "$n"
if [ "$rc" = 1 ] && [ -z "$out" ] && one_line "$err" &&
   grep -q "queue $n out of range: zv0 has $n RX queue" <<<"$err"; then t_pass
else t_fail "rc=$rc err=$err (sysfs: $n)"; fi

t_begin "non-numeric queue: usage error, exit 64"
run nsx "$ZCRXCTL" show zv0 first
run2_rc=$rc run2_err=$err
run nsx "$ZCRXCTL" -j show zv0 first
if [ "$run2_rc" = 64 ] && one_line "$run2_err" && grep -q "'first'" <<<"$run2_err" &&
   [ "$rc" = 64 ] && jq -e '.error | test("first")' >/dev/null <<<"$out"; then t_pass
else t_fail "text rc=$run2_rc err=$run2_err; json rc=$rc out=$out"; fi

# The fix command for too few channels, run for real, must clear the reason.
t_begin "few-channels fix command works on veth"
cur=$(nsx ethtool -l zv1 2>/dev/null | awk '/^Current/ {c = 1} c && /^RX:/ {print $2}')
max=$(nsx ethtool -l zv1 2>/dev/null | awk '/^Pre-set/ {c = 1} /^Current/ {c = 0} c && /^RX:/ {print $2}')
fix=$(jqv '.[] | select(.ifname == "zv1") | .queues[0].reasons[] |
	select(.reason == "few-channels") | .fix')
if ! [[ $cur =~ ^[0-9]+$ && $max =~ ^[0-9]+$ ]]; then
	t_skip "ethtool -l zv1 reports no RX channel counts"
elif [ "$cur" -ge 2 ] || [ "$max" -lt 2 ]; then
	t_skip "zv1 has $cur of at most $max RX channels: nothing to fix"
elif [ "$fix" != "ethtool -L zv1 rx 2" ]; then
	t_fail "fix is '$fix' for $cur of $max RX channels"
else
	# shellcheck disable=SC2086
	nsx $fix >/dev/null 2>&1
	run nsx "$ZCRXCTL" -j show zv1
	left=$(jq -r '[.[0].queues[].reasons[].reason] | index("few-channels")' <<<"$out")
	if [ "$left" = null ] && [ "$(jq '.[0]."rx-queues"' <<<"$out")" = "$(sysfs_rx zv1)" ] &&
	   [ "$(sysfs_rx zv1)" = 2 ]; then t_pass
	else t_fail "after '$fix': few-channels at $left, sysfs $(sysfs_rx zv1) queues"; fi
fi

t_begin "-j: every queue has rx-buf-len, lease and page-pools; null where nothing is reported"
# veth has no io-uring provider, no lease (6.18 has no lease attribute at all):
# null, never a made-up 0
bad=$(jqv '[.[] | select(.ifname == "zv0") | .queues[] |
	select((has("rx-buf-len") and has("lease") and has("page-pools")) | not) | .queue] +
	[.[] | select(.ifname == "zv0") | .queues[] |
	 select(.["rx-buf-len"] != null or .lease != null) | .queue] | map(tostring) | join(" ")')
if [ -z "$bad" ] && [ "$(jqv '[.[] | select(.ifname == "zv0") | .queues[]] | length')" -ge 1 ]; then
	t_pass
else
	t_fail "queues of zv0 with missing or invented keys: '$bad' $(jqv -c '.[] | select(.ifname == "zv0") | .queues[0]')"
fi

t_done
