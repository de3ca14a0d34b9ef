#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zcrxctl prepare on this host, never on its own NICs: a veth pair inside a
# network namespace of the test's own (4 RX queues, set to 1 so the channels
# step has work).  veth has channels but no ring parameters, no ntuple and
# no RSS table, so a prepare fails at hds after its channels step, which
# shows the rollback; --skip lets the channels step succeed alone, which
# shows the state file and --undo.  Bad input: no such device, a queue
# beyond the device, --undo without (or with a corrupt, foreign or stale)
# state file, no CAP_NET_ADMIN.  The real drivers' behaviour is on the VM
# tier (tests/test_vm_prepare.sh).
. "$(dirname "$0")/lib_session.sh"

t_plan 19
new_rundir
SF=$ZCRXCTL_RUNDIR/va.prepare

setup_ok=
if have_netns && NS=$(t_netns_add prep) &&
	ip -n "$NS" link add va numrxqueues 4 numtxqueues 4 type veth peer name vb \
		numrxqueues 4 numtxqueues 4 && ip netns exec "$NS" ethtool -L va rx 1; then
	setup_ok=1
fi
why_not="needs root and network namespaces (a veth of its own)"
nsx() { ip netns exec "$NS" "$@"; }
zns() { run nsx env ZCRXCTL_RUNDIR="$ZCRXCTL_RUNDIR" "$ZCRXCTL" "$@"; }
rxq() { nsx ethtool -l va | awk '/^Current/ { c = 1 } c && /^RX:/ { print $2 }'; }
snap() { nsx ethtool -l va; nsx ethtool -k va; nsx ethtool -g va 2>&1; nsx ethtool -x va 2>&1; }

# bad1 NAME RC PHRASE ARGS...: one Error: line with PHRASE, exit RC
bad1() {
	local name=$1 want=$2 phrase=$3
	shift 3
	t_begin "$name"
	if [ -z "$setup_ok" ]; then t_skip "$why_not"; return; fi
	zns "$@"
	if [ "$rc" != "$want" ]; then t_fail "exit $rc (want $want): $(short "$err$out")"
	elif ! one_line "$err" || [[ $err != "Error: "*"$phrase"* ]]; then
		t_fail "want one Error: line with \"$phrase\": $(short "$err")"
	else t_pass; fi
}

bad1 "no such device: exit 1, named" 1 "no device nosuch0" prepare nosuch0 1
bad1 "a queue beyond what the device allows: exit 1, how many it allows" 1 \
	"queue 9 needs 10 RX channels; the device allows 0 combined, 4 rx" prepare va 9
bad1 "--undo with no state file: exit 1, nothing to undo" 1 "no state file $SF" prepare --undo va
bad1 "lo has no channel counts: exit 3, the fix names lo, not DEV" 3 "check 'ethtool -l lo'" prepare lo 0

t_begin "a prepare with nothing to change records nothing and says --undo has nothing to restore"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	zns prepare vb 1 --skip channels,hds,ntuple,rss
	if [ "$rc" != 0 ] || [ -e "$ZCRXCTL_RUNDIR/vb.prepare" ]; then
		t_fail "exit $rc, state file: $(ls "$ZCRXCTL_RUNDIR") $(short "$err")"
	elif ! grep -qxF "nothing changed, so nothing was recorded: 'prepare --undo vb' has nothing to restore" <<<"$out"; then
		t_fail "no word of it: $(short "$out")"
	else t_pass; fi
fi

t_begin "-j: a usage error and a runtime error are one {\"error\"} each"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	zns -j prepare nosuch0 1
	a=$out ra=$rc
	zns -j prepare --undo va --port 1
	if [ "$ra" != 1 ] || ! jqe '.error | contains("no device nosuch0")' <<<"$a"; then
		t_fail "no device: $ra $(short "$a")"
	elif [ "$rc" != 64 ] || ! jqe '.error | contains("--undo takes no other option")' <<<"$out"; then
		t_fail "usage: $rc $(short "$out$err")"
	else t_pass; fi
fi

t_begin "--dry-run prints ethtool commands, changes nothing, records nothing"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	before=$(snap)
	zns prepare va 1 --port 9000 --dry-run
	after=$(snap)
	if [ "$rc" != 0 ]; then t_fail "exit $rc: $(short "$err")"
	elif [ "$before" != "$after" ]; then t_fail "the device changed: $(diff <(echo "$before") <(echo "$after") | short)"
	elif [ -e "$SF" ]; then t_fail "a dry run wrote $SF"
	# what veth can do is a command to run; what it cannot, one commented out
	elif ! grep -qx 'ethtool -L va rx 2' <<<"$out" ||
	     ! grep -qxF '# hds: will fail (no ring parameters reported): # ethtool -G va tcp-data-split on' <<<"$out" ||
	     ! grep -qxF '# ntuple: will fail (ntuple-filters off [fixed]): # ethtool -K va ntuple on' <<<"$out" ||
	     ! grep -qxF '# rss: will fail (no indirection table): # ethtool -X va equal 1' <<<"$out" ||
	     ! grep -qx 'ethtool -N va flow-type tcp4 dst-port 9000 action 1' <<<"$out" ||
	     [ "$(grep -c '^ethtool' <<<"$out")" != 2 ]; then
		t_fail "not the two commands and three commented-out ones: $(short "$out")"
	else t_pass; fi
fi

t_begin "-j --dry-run: one JSON document, five steps, each with its state before (and after when needed)"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	zns -j prepare va 1 --port 9000 --flow-type tcp6 --dry-run
	if [ "$rc" != 0 ] || [ "$(jq -s length <<<"$out" 2>/dev/null)" != 1 ]; then
		t_fail "exit $rc, not one document: $(short "$out$err")"
	elif ! jqe '.dev == "va" and .queue == 1 and .["dry-run"] == true and
		([.steps[].step] == ["channels","hds","ntuple","rss","flow"]) and
		(.steps[0] | .result == "would-do" and .before == "rx 1 combined 0" and
		 .after == "rx 2 combined 0" and .ethtool == "ethtool -L va rx 2") and
		(.steps[2].result == "would-fail") and
		(.steps[4].ethtool == "ethtool -N va flow-type tcp6 dst-port 9000 action 1") and
		all(.steps[]; has("before"))' <<<"$out"; then
		t_fail "$(short "$out")"
	else t_pass; fi
fi

t_begin "a prepare that fails at hds (veth has no ring parameters) undoes channels: exit 3, names the step"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	before=$(snap)
	zns prepare va 1 --port 9000
	after=$(snap)
	if [ "$rc" != 3 ]; then t_fail "exit $rc: $(short "$err$out")"
	elif ! one_line "$err" || [[ $err != *"step hds (ethtool -G va tcp-data-split on) failed: Operation not supported"*"the steps before it were undone, va is as it was"* ]]; then
		t_fail "$(short "$err")"
	elif ! grep -q '^    channels undone ' <<<"$out"; then t_fail "channels not said undone: $(short "$out")"
	elif [ "$before" != "$after" ]; then t_fail "not as it was: $(diff <(echo "$before") <(echo "$after") | short)"
	elif [ -e "$SF" ]; then t_fail "$SF left behind"
	else t_pass; fi
fi

t_begin "--skip hds,ntuple,rss: channels done and recorded (RUNDIR/va.prepare, 0600)"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	before=$(snap)
	zns prepare va 1 --skip hds,ntuple,rss
	if [ "$rc" != 0 ]; then t_fail "exit $rc: $(short "$err$out")"
	elif [ "$(rxq)" != 2 ]; then t_fail "rx channels $(rxq), want 2"
	elif [ "$(stat -c %a "$SF" 2>/dev/null)" != 600 ]; then t_fail "state file: $(ls -l "$SF" 2>&1)"
	elif ! grep -qx 'done channels' "$SF" || ! grep -qx 'rx-count 1' "$SF"; then t_fail "$(short "$(cat "$SF")")"
	else t_pass; fi
fi

bad1 "a second prepare while va.prepare exists is refused, naming --undo" 1 \
	"va was prepared already ($SF records it): run 'zcrxctl prepare --undo va' first" prepare va 1

t_begin "--undo restores every setting and removes the state file"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	zns prepare --undo va
	after=$(snap)
	if [ "$rc" != 0 ]; then t_fail "exit $rc: $(short "$err$out")"
	elif [ "$before" != "$after" ]; then t_fail "not restored: $(diff <(echo "$before") <(echo "$after") | short)"
	elif [ -e "$SF" ]; then t_fail "$SF left"
	elif ! grep -q 'channels restored' <<<"$out"; then t_fail "$(short "$out")"
	else t_pass; fi
fi

t_begin "--undo from the state a prepare killed in its hds step leaves (done channels, pending hds)"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	before=$(snap)
	zns prepare va 1 --skip hds,ntuple,rss
	sed -i 's/^pending -$/pending hds/; s/^skip hds,ntuple,rss$/skip ntuple,rss/' "$SF"
	zns prepare --undo va
	after=$(snap)
	if [ "$rc" != 0 ]; then t_fail "exit $rc: $(short "$err$out")"
	elif [ "$before" != "$after" ] || [ -e "$SF" ]; then t_fail "not restored, or $SF left"
	else t_pass; fi
fi

t_begin "a corrupt state file: --undo refuses it, says so, keeps it"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	printf 'zcrxctl-prepare 1\ndev va\nifindex 1\n' >"$SF"
	chmod 600 "$SF"
	zns prepare --undo va
	if [ "$rc" != 1 ] || [[ $err != *"is not a state file of zcrxctl prepare for va (it does not parse)"* ]]; then
		t_fail "exit $rc: $(short "$err")"
	elif [ ! -e "$SF" ]; then t_fail "removed it"
	else t_pass; fi
	rm -f "$SF"
fi

t_begin "a foreign state file (another device's) and a stale one (the device re-created) are refused"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	zns prepare va 1 --skip hds,ntuple,rss
	zns prepare --undo va		# back to rx 1
	nsx ethtool -L vb rx 1
	zns prepare vb 1 --skip hds,ntuple,rss
	mv "$ZCRXCTL_RUNDIR/vb.prepare" "$SF"
	zns prepare --undo va
	r1=$rc e1=$err
	rm -f "$SF"
	zns prepare va 1 --skip hds,ntuple,rss
	sed -i 's/^ifindex [0-9]*$/ifindex 999/' "$SF"
	zns prepare --undo va
	if [ "$r1" != 1 ] || [[ $e1 != *"(it names another device)"* ]]; then t_fail "foreign: $r1 $(short "$e1")"
	elif [ "$rc" != 1 ] || [[ $err != *"recorded va as ifindex 999, but it is another now"* ]]; then
		t_fail "stale: $rc $(short "$err")"
	else t_pass; fi
	rm -f "$SF" "$ZCRXCTL_RUNDIR/vb.prepare"
	nsx ethtool -L va rx 1; nsx ethtool -L vb rx 4
fi

t_begin "a state file that is a symlink is not followed"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
else
	ln -s /etc/passwd "$SF"
	zns prepare --undo va
	if [ "$rc" != 1 ] || [[ $err != *"cannot read $SF"* ]]; then t_fail "exit $rc: $(short "$err")"
	else t_pass; fi
	rm -f "$SF"
fi

t_begin "without CAP_NET_ADMIN: exit 3, one line, nothing changed"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
elif ! command -v setpriv >/dev/null; then t_skip "no setpriv"
else
	before=$(snap)
	run nsx env ZCRXCTL_RUNDIR="$ZCRXCTL_RUNDIR" setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
		"$ZCRXCTL" prepare va 1 --skip hds,ntuple,rss
	after=$(snap)
	if [ "$rc" != 3 ] || ! one_line "$err" || [[ $err != *"prepare va needs CAP_NET_ADMIN: run it as root (or try --dry-run)"* ]]; then
		t_fail "exit $rc: $(short "$err$out")"
	elif [ "$before" != "$after" ] || [ -e "$SF" ]; then t_fail "changed something"
	else t_pass; fi
fi

t_begin "--dry-run without CAP_NET_ADMIN reads the device: exit 0"
if [ -z "$setup_ok" ]; then t_skip "$why_not"
elif ! command -v setpriv >/dev/null; then t_skip "no setpriv"
else
	run nsx env ZCRXCTL_RUNDIR="$ZCRXCTL_RUNDIR" setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
		"$ZCRXCTL" prepare va 1 --dry-run
	if [ "$rc" != 0 ] || ! grep -qx 'ethtool -L va rx 2' <<<"$out"; then t_fail "exit $rc: $(short "$err$out")"
	else t_pass; fi
fi

t_begin "usage: --rss-context without --port, --skip of an unknown step, --undo with QUEUE: exit 64"
r=
for args in "prepare va 1 --rss-context" "prepare va 1 --skip hds,nope" "prepare --undo va 1" \
	    "prepare va 1 --port 0" "prepare va"; do
	run "$ZCRXCTL" $args
	[ "$rc" = 64 ] && one_line "$err" || r+="$args: $rc $(short "$err"); "
done
if [ -n "$r" ]; then t_fail "$r"; else t_pass; fi

t_done
