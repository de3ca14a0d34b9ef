// SPDX-License-Identifier: MIT
/*
 * prepare: every ethtool netlink request checked against the kernel's
 * attribute policy for its command, the state file's round trip and its
 * refusals, the plan for given settings, and the rollback order when each
 * step fails, on fake device ops (struct zcrx_prep_ops, lib/prepare_int.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "nl.h"
#include "prepare_int.h"

/* ------------------------------------------------------------------ */
/* The kernel's policies (7.2), as data                                */
/* ------------------------------------------------------------------ */

enum ptype { P_NONE, P_U8, P_U32, P_UINT, P_FLAG, P_NUL_STRING, P_BINARY, P_NESTED };

struct pol {
	enum ptype		type;
	uint64_t		min, max;	/* max 0: none */
	size_t			len;		/* NUL_STRING: at most len bytes; BINARY: min len */
	const struct pol	*nested;
	int			nested_max;
};

#define ALTIFNAMSIZ	128
#define POL_MAX		18

/* net/ethtool/netlink.c ethnl_header_policy: flags masked to COMPACT|OMIT_REPLY */
static const struct pol header_pol[POL_MAX] = {
	[1] = { P_U32 },
	[2] = { P_NUL_STRING, .len = ALTIFNAMSIZ - 1 },
	[3] = { P_U32, .max = 3 },	/* NLA_POLICY_MASK(NLA_U32, 0x3): checked as a mask below */
};
#define HDR	{ P_NESTED, .nested = header_pol, .nested_max = 3 }

/* net/ethtool/channels.c ethnl_channels_set_policy */
static const struct pol channels_set_pol[POL_MAX] = {
	[1] = HDR, [6] = { P_U32 }, [7] = { P_U32 }, [8] = { P_U32 }, [9] = { P_U32 },
};

/* net/ethtool/rings.c ethnl_rings_set_policy */
static const struct pol rings_set_pol[POL_MAX] = {
	[1] = HDR,
	[6] = { P_U32 }, [7] = { P_U32 }, [8] = { P_U32 }, [9] = { P_U32 },
	[10] = { P_U32, .min = 1 },			/* RX_BUF_LEN */
	[11] = { P_U8, .max = 2 },			/* TCP_DATA_SPLIT <= ENABLED */
	[12] = { P_U32, .min = 1 },			/* CQE_SIZE */
	[13] = { P_U8, .max = 1 }, [14] = { P_U8, .max = 1 },
	[15] = { P_U32 },
	[17] = { P_U32 },				/* HDS_THRESH */
};

/* net/ethtool/bitset.c bit_policy, the BITS nest, bitset_policy */
static const struct pol bit_pol[POL_MAX] = {
	[1] = { P_U32 }, [2] = { P_NUL_STRING }, [3] = { P_FLAG },
};
static const struct pol bits_pol[POL_MAX] = {
	[1] = { P_NESTED, .nested = bit_pol, .nested_max = 3 },
};
static const struct pol bitset_pol[POL_MAX] = {
	[1] = { P_FLAG }, [2] = { P_U32 },
	[3] = { P_NESTED, .nested = bits_pol, .nested_max = 1 },
	[4] = { P_BINARY }, [5] = { P_BINARY },
};

/* net/ethtool/features.c ethnl_features_set_policy */
static const struct pol features_set_pol[POL_MAX] = {
	[1] = HDR, [3] = { P_NESTED, .nested = bitset_pol, .nested_max = 5 },
};

/* net/ethtool/rss.c ethnl_rss_set_policy (FLOW_HASH nest left out: we never send it) */
static const struct pol rss_set_pol[POL_MAX] = {
	[1] = HDR, [2] = { P_U32 }, [3] = { P_U32, .min = 1, .max = 255 },
	[4] = { P_BINARY }, [5] = { P_BINARY, .len = 1 }, [6] = { P_U32, .max = 3 },
};

/* net/ethtool/rss.c ethnl_rss_create_policy */
static const struct pol rss_create_pol[POL_MAX] = {
	[1] = HDR, [2] = { P_U32, .min = 1 }, [3] = { P_U32, .min = 1, .max = 255 },
	[4] = { P_BINARY, .len = 1 }, [5] = { P_BINARY, .len = 1 }, [6] = { P_U32, .max = 3 },
};

/* net/ethtool/rss.c ethnl_rss_delete_policy */
static const struct pol rss_delete_pol[POL_MAX] = {
	[1] = HDR, [2] = { P_U32, .min = 1 },
};

/* net/ethtool/{rings,channels,features,rss}.c: the GET policies take the header only */
static const struct pol get_pol[POL_MAX] = { [1] = HDR, [2] = { P_U32 }, [7] = { P_U32 } };

/*
 * What nla_parse_nested with NL_VALIDATE_STRICT does with each attribute:
 * unknown types refused, exact lengths for integers, NLA_F_NESTED on nests,
 * the policy's range.  Returns the number of attributes seen, or fails.
 */
static int check_attrs(const struct nlattr *head, int len, const struct pol *pol, int max)
{
	const struct nlattr *a;
	int rem, n = 0;

	for (a = head, rem = len; nla_ok(a, rem); a = nla_next(a, &rem)) {
		int t = nla_type(a);
		const struct pol *p;
		uint64_t v = 0;

		assert_true(t > 0 && t <= max);
		p = &pol[t];
		assert_int_not_equal(p->type, P_NONE);
		switch (p->type) {
		case P_U8:
			assert_int_equal(nla_len(a), 1);
			v = nla_get_u8((struct nlattr *)a);
			break;
		case P_U32:
			assert_int_equal(nla_len(a), 4);
			v = nla_get_u32((struct nlattr *)a);
			break;
		case P_UINT:
			assert_true(nla_len(a) == 4 || nla_len(a) == 8);
			break;
		case P_FLAG:
			assert_int_equal(nla_len(a), 0);
			break;
		case P_NUL_STRING:
			assert_true(nla_len(a) >= 1);
			assert_int_equal(((const char *)nla_data(a))[nla_len(a) - 1], '\0');
			if (p->len)
				assert_true(strlen(nla_data(a)) <= p->len);
			break;
		case P_BINARY:
			assert_true((size_t)nla_len(a) >= p->len);
			break;
		case P_NESTED:
			assert_true(a->nla_type & NLA_F_NESTED);
			check_attrs(nla_data(a), nla_len(a), p->nested, p->nested_max);
			break;
		case P_NONE:
			break;
		}
		if (p->type == P_U8 || p->type == P_U32) {
			assert_true(v >= p->min);
			if (p->max)
				assert_true(v <= p->max);
		}
		n++;
	}
	assert_int_equal(rem, 0);
	return n;
}

static const struct zcrx_nl fake_nl = { .fd = -1, .family = 0x1d };

/* The genl header and the top-level attributes of msg against pol; frees msg. */
static void check_msg(struct zcrx_nl_msg *msg, uint8_t cmd, const struct pol *pol, int expect)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	assert_non_null(msg);
	nlh = msg->nlh;
	assert_int_equal(nlh->nlmsg_type, fake_nl.family);
	/* NLM_F_REQUEST: nl_send_auto() adds it */
	assert_true(nlh->nlmsg_flags & NLM_F_ACK);
	g = nlmsg_data(nlh);
	assert_int_equal(g->cmd, cmd);
	assert_int_equal(g->version, 1);
	assert_int_equal(check_attrs(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), pol, POL_MAX - 1),
			 expect);
	zcrx_nl_msg_free(msg);
}

static void test_messages_meet_the_kernel_policy(void **state)
{
	uint32_t indir[8] = { 0, 2, 3, 0, 2, 3, 0, 2 };

	(void)state;
	check_msg(zcrx_eth_msg_channels(&fake_nl, 7, 0, 2), ZCRX_ETHTOOL_MSG_CHANNELS_SET,
		  channels_set_pol, 3);
	check_msg(zcrx_eth_msg_rings(&fake_nl, 7, 2, true, 0), ZCRX_ETHTOOL_MSG_RINGS_SET,
		  rings_set_pol, 3);
	check_msg(zcrx_eth_msg_rings(&fake_nl, 7, 0, false, 0), ZCRX_ETHTOOL_MSG_RINGS_SET,
		  rings_set_pol, 2);
	check_msg(zcrx_eth_msg_ntuple(&fake_nl, 7, true), ZCRX_ETHTOOL_MSG_FEATURES_SET,
		  features_set_pol, 2);
	check_msg(zcrx_eth_msg_ntuple(&fake_nl, 7, false), ZCRX_ETHTOOL_MSG_FEATURES_SET,
		  features_set_pol, 2);
	check_msg(zcrx_eth_msg_rss_set(&fake_nl, 7, indir, 8), ZCRX_ETHTOOL_MSG_RSS_SET,
		  rss_set_pol, 2);
	check_msg(zcrx_eth_msg_rss_set(&fake_nl, 7, NULL, 0), ZCRX_ETHTOOL_MSG_RSS_SET,
		  rss_set_pol, 2);
	check_msg(zcrx_eth_msg_rss_create(&fake_nl, 7, 3), ZCRX_ETHTOOL_MSG_RSS_CREATE_ACT,
		  rss_create_pol, 2);
	check_msg(zcrx_eth_msg_rss_delete(&fake_nl, 7, 1), ZCRX_ETHTOOL_MSG_RSS_DELETE_ACT,
		  rss_delete_pol, 2);
	for (uint8_t cmd = 0; cmd < 4; cmd++) {
		static const uint8_t gets[] = { ZCRX_ETHTOOL_MSG_CHANNELS_GET,
						ZCRX_ETHTOOL_MSG_RINGS_GET,
						ZCRX_ETHTOOL_MSG_FEATURES_GET,
						ZCRX_ETHTOOL_MSG_RSS_GET };

		check_msg(zcrx_eth_msg_get(&fake_nl, gets[cmd], 7), gets[cmd], get_pol, 1);
	}
}

/* The ntuple request names the kernel's feature string and sets (or clears) only it. */
static void test_ntuple_request_names_one_bit(void **state)
{
	struct nlattr *set, *bits, *bit, *a;
	struct zcrx_nl_msg *msg;
	bool value;
	int rem;

	(void)state;
	for (int on = 0; on < 2; on++) {
		msg = zcrx_eth_msg_ntuple(&fake_nl, 7, on);
		set = nlmsg_find_attr(msg->nlh, GENL_HDRLEN, ZCRX_ETHTOOL_A_FEATURES_WANTED);
		assert_non_null(set);
		assert_null(nla_find(nla_data(set), nla_len(set), ZCRX_ETHTOOL_A_BITSET_NOMASK));
		bits = nla_find(nla_data(set), nla_len(set), ZCRX_ETHTOOL_A_BITSET_BITS);
		bit = nla_find(nla_data(bits), nla_len(bits), ZCRX_ETHTOOL_A_BITSET_BITS_BIT);
		value = false;
		nla_for_each_nested(a, bit, rem) {
			if (nla_type(a) == ZCRX_ETHTOOL_A_BITSET_BIT_NAME)
				assert_string_equal(nla_data(a), "rx-ntuple-filter");
			value |= nla_type(a) == ZCRX_ETHTOOL_A_BITSET_BIT_VALUE;
		}
		assert_int_equal(value, on);
		zcrx_nl_msg_free(msg);
	}
}

/* ------------------------------------------------------------------ */
/* The state file                                                      */
/* ------------------------------------------------------------------ */

static void sample_state(struct zcrx_prep_state *st)
{
	memset(st, 0, sizeof(*st));
	strcpy(st->dev, "eth0");
	st->ifindex = 4;
	st->opts.queue = 3;
	st->opts.port = 9000;
	st->opts.flow_type = ZCRX_PREP_TCP6;
	st->opts.rss_context = 1;
	st->opts.skip = 1U << ZCRX_PREP_HDS;
	st->done = 1U << ZCRX_PREP_CHANNELS | 1U << ZCRX_PREP_RSS;
	st->pending = 1U << ZCRX_PREP_FLOW;
	st->has_rule = 1;
	st->rule_loc = 1023;
	st->rss_ctx = 2;
	st->before.have = ZCRX_PREP_HAVE_CHANNELS | ZCRX_PREP_HAVE_SPLIT |
			  ZCRX_PREP_HAVE_HDS_THRESH | ZCRX_PREP_HAVE_NTUPLE | ZCRX_PREP_HAVE_INDIR;
	st->before.combined_count = 2;
	st->before.combined_max = 8;
	st->before.tcp_data_split = 1;
	st->before.hds_thresh = 256;
	st->before.hds_thresh_max = 1024;
	st->before.indir_size = 128;
	for (int i = 0; i < 128; i++)
		st->before.indir[i] = i % 2;
}

static char *formatted(const struct zcrx_prep_state *st, int *len)
{
	char *buf;

	*len = zcrx_prep_state_format(st, NULL, 0);
	assert_true(*len > 0);
	buf = malloc(*len + 1);
	assert_int_equal(zcrx_prep_state_format(st, buf, *len + 1), *len);
	assert_int_equal(strlen(buf), *len);
	return buf;
}

static void test_state_round_trips(void **state)
{
	struct zcrx_prep_state a, *b = malloc(sizeof(*b));
	char *buf;
	int len;

	(void)state;
	sample_state(&a);
	buf = formatted(&a, &len);
	assert_int_equal(zcrx_prep_state_parse(buf, len, b), 0);
	assert_memory_equal(&a, b, sizeof(a));
	free(buf);

	/* the smallest: nothing reported, nothing done */
	memset(&a, 0, sizeof(a));
	strcpy(a.dev, "x");
	a.ifindex = 1;
	a.opts.flow_type = ZCRX_PREP_TCP4;
	buf = formatted(&a, &len);
	assert_int_equal(zcrx_prep_state_parse(buf, len, b), 0);
	assert_memory_equal(&a, b, sizeof(a));
	free(buf);
	free(b);
}

/* Replace the first occurrence of from by to in s, into out. */
static bool edit(const char *s, const char *from, const char *to, char *out, size_t len)
{
	const char *p = strstr(s, from);

	if (!p)
		return false;
	snprintf(out, len, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return true;
}

static void test_state_parse_refuses_what_format_never_writes(void **state)
{
	static const char *const edits[][2] = {
		{ "zcrxctl-prepare 1\n", "zcrxctl-prepare 2\n" },
		{ "dev eth0\n", "dev eth/0\n" },
		{ "dev eth0\n", "dev ..\n" },
		{ "dev eth0\n", "dev \n" },
		{ "dev eth0\n", "dev eth0eth0eth0eth0\n" },
		{ "dev eth0\n", "dev e\x01th0\n" },
		{ "ifindex 4\n", "ifindex 04\n" },
		{ "ifindex 4\n", "ifindex 0\n" },
		{ "ifindex 4\n", "ifindex -4\n" },
		{ "ifindex 4\n", "ifindex +4\n" },
		{ "ifindex 4\n", "ifindex 4 \n" },
		{ "ifindex 4\n", "ifindex  4\n" },
		{ "ifindex 4\n", "ifindex 4\r\n" },
		{ "ifindex 4\n", "ifindex 99999999999\n" },
		{ "queue 3\n", "queue 65536\n" },
		{ "port 9000\n", "port 65536\n" },
		{ "flow-type tcp6\n", "flow-type udp4\n" },
		{ "rss-context 1\n", "rss-context 2\n" },
		{ "skip hds\n", "skip hds,hds\n" },
		{ "skip hds\n", "skip hds,\n" },
		{ "skip hds\n", "skip\n" },
		{ "done channels,rss\n", "done rss,channels\n" },
		{ "done channels,rss\n", "done channels,rss,flow\n" },	/* flow also pending */
		{ "pending flow\n", "pending ntuple,flow\n" },
		{ "pending flow\n", "pending -\n" },			/* a rule with no flow step */
		{ "rule 1023\n", "rule 4294967295\n" },
		{ "rule 1023\n", "rule\n" },
		{ "rss-ctx 2\n", "rss-ctx x\n" },
		{ "have channels,split,hds-thresh,ntuple,indir\n", "have channels,split\n" },
		{ "tcp-data-split 1\n", "tcp-data-split 3\n" },
		{ "ntuple 0\n", "ntuple 2\n" },
		{ "indir-size 128\n", "indir-size 127\n" },
		{ "indir-size 128\n", "indir-size 129\n" },
		{ "indir-size 128\n", "indir-size 1025\n" },
		{ "indir 0 1", "indir  0 1" },
		{ "indir 0 1", "indir 0 01" },
		{ "indir 0 1", "indir 0 65536" },
		{ "end\n", "end\nend\n" },
		{ "end\n", "end" },
		{ "end\n", "end\n\n" },
		{ "queue 3\nport", "port 9000\nqueue 3\nport" },
		{ "rss-ctx 2\n", "rss-ctx 2\nextra 1\n" },
	};
	struct zcrx_prep_state a, *b = malloc(sizeof(*b));
	char *buf, *bad;
	int len;

	(void)state;
	sample_state(&a);
	buf = formatted(&a, &len);
	bad = malloc(len + 64);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		assert_true(edit(buf, edits[i][0], edits[i][1], bad, len + 64));
		if (zcrx_prep_state_parse(bad, strlen(bad), b) != -EINVAL)
			fail_msg("accepted: %s -> %s", edits[i][0], edits[i][1]);
	}
	/* every proper prefix, and a NUL inside */
	for (int n = 0; n < len; n++)
		assert_int_equal(zcrx_prep_state_parse(buf, n, b), -EINVAL);
	memcpy(bad, buf, len);
	bad[10] = '\0';
	assert_int_equal(zcrx_prep_state_parse(bad, len, b), -EINVAL);
	assert_int_equal(zcrx_prep_state_parse(buf, len, b), 0);
	free(bad);
	free(buf);
	free(b);
}

/* ------------------------------------------------------------------ */
/* The plan                                                            */
/* ------------------------------------------------------------------ */

#define B(s)	(1U << ZCRX_PREP_##s)

/* A NIC with 4 combined channels (16 max), split off, ntuple off, a 16-entry table. */
static void nic(struct zcrx_prep_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->have = ZCRX_PREP_HAVE_CHANNELS | ZCRX_PREP_HAVE_SPLIT | ZCRX_PREP_HAVE_HDS_THRESH |
		  ZCRX_PREP_HAVE_NTUPLE | ZCRX_PREP_HAVE_INDIR;
	s->combined_count = 4;
	s->combined_max = 16;
	s->tcp_data_split = 0;
	s->hds_thresh = 256;
	s->indir_size = 16;
	for (int i = 0; i < 16; i++)
		s->indir[i] = i % 4;
}

static void test_plan_for_settings(void **state)
{
	struct zcrx_prep_opts o = { .queue = 3, .port = 9000 };
	struct zcrx_prep_plan *p = malloc(sizeof(*p));
	struct zcrx_prep_settings s;
	struct zcrx_prep_error e;
	char cmd[256];

	(void)state;
	/* everything to do */
	nic(&s);
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	assert_int_equal(p->need, B(HDS) | B(NTUPLE) | B(RSS) | B(FLOW));
	assert_int_equal(p->set_hds_thresh, 1);
	assert_int_equal(p->indir_size, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(p->indir[i], i % 3);	/* 0 1 2, never 3 */
	zcrx_prep_ethtool(p, ZCRX_PREP_RSS, "eth0", cmd, sizeof(cmd));
	assert_string_equal(cmd, "ethtool -X eth0 equal 3");
	zcrx_prep_ethtool(p, ZCRX_PREP_HDS, "eth0", cmd, sizeof(cmd));
	assert_string_equal(cmd, "ethtool -G eth0 tcp-data-split on hds-thresh 0");
	zcrx_prep_ethtool(p, ZCRX_PREP_FLOW, "eth0", cmd, sizeof(cmd));
	assert_string_equal(cmd, "ethtool -N eth0 flow-type tcp4 dst-port 9000 action 3");

	/* a queue in the middle: a weight list leaving it out */
	o.queue = 1;
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	for (int i = 0; i < 16; i++)
		assert_int_not_equal(p->indir[i], 1);
	zcrx_prep_ethtool(p, ZCRX_PREP_RSS, "eth0", cmd, sizeof(cmd));
	assert_string_equal(cmd, "ethtool -X eth0 weight 1 0 1 1");

	/* all satisfied already: nothing */
	s.tcp_data_split = 2;
	s.hds_thresh = 0;
	s.ntuple = 1;
	for (int i = 0; i < 16; i++)
		s.indir[i] = (i % 3) >= 1 ? (i % 3) + 1 : 0;
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	assert_int_equal(p->need, B(FLOW));
	/* a rule that already steers the port to QUEUE: flow satisfied too */
	s.rule_found = 1;
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	assert_int_equal(p->need, 0);
	s.rule_found = 0;
	o.port = 0;
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	assert_int_equal(p->need, 0);

	/* one channel: grow to 2, and the table follows */
	nic(&s);
	s.combined_count = 1;
	o.queue = 1;
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	assert_true(p->need & B(CHANNELS) && p->need & B(RSS));
	assert_int_equal(p->combined_count, 2);
	zcrx_prep_ethtool(p, ZCRX_PREP_CHANNELS, "eth0", cmd, sizeof(cmd));
	assert_string_equal(cmd, "ethtool -L eth0 combined 2");
	for (int i = 0; i < 16; i++)
		assert_int_equal(p->indir[i], 0);

	/* queue 0 still needs 2 channels */
	o.queue = 0;
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	assert_int_equal(p->combined_count, 2);
	for (int i = 0; i < 16; i++)
		assert_int_equal(p->indir[i], 1);

	/* rx channels (veth) grow rx */
	nic(&s);
	s.combined_count = s.combined_max = 0;
	s.rx_count = 1;
	s.rx_max = 4;
	o.queue = 2;
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	assert_int_equal(p->rx_count, 3);

	/* beyond the device: -ERANGE before anything */
	o.queue = 4;
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), -ERANGE);
	assert_int_equal(e.step, ZCRX_PREP_CHANNELS);
	assert_non_null(strstr(e.msg, "queue 4 needs 5 RX channels"));

	/* what the device cannot: marked, not refused (apply fails there, in order) */
	nic(&s);
	s.have &= ~(ZCRX_PREP_HAVE_SPLIT | ZCRX_PREP_HAVE_INDIR);
	s.ntuple_fixed = 1;
	o.queue = 3;
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	assert_int_equal(p->step_err[ZCRX_PREP_HDS], -EOPNOTSUPP);
	assert_int_equal(p->step_err[ZCRX_PREP_NTUPLE], -EOPNOTSUPP);
	assert_int_equal(p->step_err[ZCRX_PREP_RSS], -EOPNOTSUPP);
	assert_int_equal(p->step_err[ZCRX_PREP_CHANNELS], 0);

	/* --skip */
	o.skip = B(HDS) | B(NTUPLE);
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), 0);
	assert_int_equal(p->skipped, B(HDS) | B(NTUPLE));
	assert_int_equal(p->need & (B(HDS) | B(NTUPLE)), 0);

	/* --rss-context needs a port */
	o = (struct zcrx_prep_opts){ .queue = 1, .rss_context = 1 };
	assert_int_equal(zcrx_prep_plan(&s, &o, p, &e), -EINVAL);
	free(p);
}

/* ------------------------------------------------------------------ */
/* Apply, rollback and undo on fake ops                                */
/* ------------------------------------------------------------------ */

struct fake {
	char	log[1024];
	int	fail_op;	/* fail the n-th op call (1-based), 0: none */
	int	calls;
	int	saves;
};

static int fake_call(struct fake *f, const char *what)
{
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s%s", n ? " " : "", what);
	if (++f->calls == f->fail_op) {
		n = strlen(f->log);
		snprintf(f->log + n, sizeof(f->log) - n, "!");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int f_channels(void *arg, const struct zcrx_prep_state *st, uint32_t rx, uint32_t c,
		      char *msg, size_t len)
{
	char w[32];

	(void)st;
	snprintf(msg, len, "ch");
	snprintf(w, sizeof(w), "ch=%u/%u", rx, c);
	return fake_call(arg, w);
}

static int f_rings(void *arg, const struct zcrx_prep_state *st, uint32_t split, bool set_t,
		   uint32_t t, char *msg, size_t len)
{
	char w[32];

	(void)st;
	snprintf(msg, len, "setting TCP data split not supported");
	snprintf(w, sizeof(w), "rings=%u/%d/%u", split, set_t, t);
	return fake_call(arg, w);
}

static int f_ntuple(void *arg, const struct zcrx_prep_state *st, bool on, char *msg, size_t len)
{
	(void)st;
	(void)msg;
	(void)len;
	return fake_call(arg, on ? "ntuple=on" : "ntuple=off");
}

static int f_indir(void *arg, const struct zcrx_prep_state *st, const uint32_t *indir,
		   uint32_t n, char *msg, size_t len)
{
	char w[32];

	(void)st;
	(void)msg;
	(void)len;
	snprintf(w, sizeof(w), "indir=%u:%u", n, n ? indir[0] : 0);
	return fake_call(arg, w);
}

static int f_ctx_add(void *arg, const struct zcrx_prep_state *st, uint32_t q, uint32_t *ctx,
		     char *msg, size_t len)
{
	(void)st;
	(void)q;
	(void)msg;
	(void)len;
	*ctx = 5;
	return fake_call(arg, "ctx+");
}

static int f_ctx_del(void *arg, const struct zcrx_prep_state *st, uint32_t ctx, char *msg,
		     size_t len)
{
	(void)st;
	(void)msg;
	(void)len;
	assert_int_equal(ctx, 5);
	return fake_call(arg, "ctx-");
}

static int f_rule_add(void *arg, const struct zcrx_prep_state *st, uint32_t ctx, uint32_t *loc,
		      char *msg, size_t len)
{
	(void)st;
	(void)msg;
	(void)len;
	*loc = 42;
	return fake_call(arg, ctx ? "rule+ctx" : "rule+");
}

static int f_rule_del(void *arg, const struct zcrx_prep_state *st, uint32_t loc, char *msg,
		      size_t len)
{
	(void)st;
	(void)msg;
	(void)len;
	assert_int_equal(loc, 42);
	return fake_call(arg, "rule-");
}

static const struct zcrx_prep_ops fake_ops = {
	f_channels, f_rings, f_ntuple, f_indir, f_ctx_add, f_ctx_del, f_rule_add, f_rule_del,
};

/* Every save must be a state the parser takes back, as the file would. */
static int fake_save(const struct zcrx_prep_state *st, void *arg)
{
	struct zcrx_prep_state *back = malloc(sizeof(*back));
	struct fake *f = arg;
	char buf[16384];
	int len;

	len = zcrx_prep_state_format(st, buf, sizeof(buf));
	assert_true(len > 0 && len < (int)sizeof(buf));
	assert_int_equal(zcrx_prep_state_parse(buf, len, back), 0);
	free(back);
	f->saves++;
	return 0;
}

static void start(struct zcrx_prep_state *st, struct zcrx_prep_plan *p, bool ctx)
{
	struct zcrx_prep_opts o = { .queue = 1, .port = 9000, .rss_context = ctx };
	struct zcrx_prep_error e;

	memset(st, 0, sizeof(*st));
	nic(&st->before);
	st->before.combined_count = 1;		/* every step needed */
	/* the driver's spread over one queue: undo hands it back (indir=0:0) */
	for (int i = 0; i < 16; i++)
		st->before.indir[i] = 0;
	strcpy(st->dev, "eth0");
	st->ifindex = 4;
	assert_int_equal(zcrx_prep_plan(&st->before, &o, p, &e), 0);
	st->opts = p->opts;
	assert_int_equal(p->need, B(CHANNELS) | B(HDS) | B(NTUPLE) | B(RSS) | B(FLOW));
}

static void test_rollback_order_at_each_step(void **state)
{
	/* the calls of a full prepare, then a failure at each call in turn */
	static const char *const expect[] = {
		[0] = "ch=0/2 rings=2/1/0 ntuple=on indir=16:0 rule+",
		[1] = "ch=0/2!",
		[2] = "ch=0/2 rings=2/1/0! ch=0/1",
		[3] = "ch=0/2 rings=2/1/0 ntuple=on! rings=0/1/256 ch=0/1",
		[4] = "ch=0/2 rings=2/1/0 ntuple=on indir=16:0! ntuple=off rings=0/1/256 ch=0/1",
		[5] = "ch=0/2 rings=2/1/0 ntuple=on indir=16:0 rule+! indir=0:0 ntuple=off "
		      "rings=0/1/256 ch=0/1",
	};
	static const int failed_step[] = { -1, ZCRX_PREP_CHANNELS, ZCRX_PREP_HDS,
					   ZCRX_PREP_NTUPLE, ZCRX_PREP_RSS, ZCRX_PREP_FLOW };
	struct zcrx_prep_state *st = malloc(sizeof(*st));
	struct zcrx_prep_plan *p = malloc(sizeof(*p));
	struct zcrx_prep_error e;
	struct fake f;
	int ret;

	(void)state;
	for (int k = 0; k < 6; k++) {
		start(st, p, false);
		memset(&f, 0, sizeof(f));
		f.fail_op = k;
		ret = zcrx_prep_apply_ops(st, p, &fake_ops, &f, fake_save, &f, &e);
		if (strcmp(f.log, expect[k]))
			fail_msg("failing call %d: got \"%s\", want \"%s\"", k, f.log, expect[k]);
		if (!k) {
			assert_int_equal(ret, 0);
			assert_int_equal(st->done, p->need);
			assert_int_equal(st->has_rule, 1);
			assert_int_equal(st->rule_loc, 42);
			assert_int_equal(f.saves, 10);	/* before and after each step */
			continue;
		}
		assert_int_equal(ret, -EOPNOTSUPP);
		assert_int_equal(e.step, failed_step[k]);
		assert_int_equal(e.undo_step, -1);
		assert_int_equal(st->done | st->pending, 0);
		assert_int_equal(st->has_rule, 0);
		if (k == 2)
			assert_string_equal(e.msg, "setting TCP data split not supported");
	}
	free(st);
	free(p);
}

static void test_undo_reverses_and_takes_the_rss_context_away(void **state)
{
	struct zcrx_prep_state *st = malloc(sizeof(*st));
	struct zcrx_prep_plan *p = malloc(sizeof(*p));
	struct zcrx_prep_error e;
	struct fake f = { 0 };

	(void)state;
	start(st, p, true);
	assert_int_equal(zcrx_prep_apply_ops(st, p, &fake_ops, &f, fake_save, &f, &e), 0);
	assert_string_equal(f.log, "ch=0/2 rings=2/1/0 ntuple=on indir=16:0 ctx+ rule+ctx");
	assert_int_equal(st->rss_ctx, 5);

	memset(&f, 0, sizeof(f));
	assert_int_equal(zcrx_prep_undo_ops(st, &fake_ops, &f, fake_save, &f, &e), 0);
	assert_string_equal(f.log, "rule- ctx- indir=0:0 ntuple=off rings=0/1/256 ch=0/1");
	assert_int_equal(st->done | st->pending | st->has_rule | st->rss_ctx, 0);

	/* a rule that fails after its context: the context goes with it */
	start(st, p, true);
	memset(&f, 0, sizeof(f));
	f.fail_op = 6;
	assert_int_equal(zcrx_prep_apply_ops(st, p, &fake_ops, &f, fake_save, &f, &e), -EOPNOTSUPP);
	assert_string_equal(f.log, "ch=0/2 rings=2/1/0 ntuple=on indir=16:0 ctx+ rule+ctx! ctx- "
			    "indir=0:0 ntuple=off rings=0/1/256 ch=0/1");
	assert_int_equal(st->rss_ctx, 0);
	free(st);
	free(p);
}

/* A prepare stopped in a step (its state says pending): undo restores that step too. */
static void test_undo_of_a_killed_prepare(void **state)
{
	struct zcrx_prep_state *st = malloc(sizeof(*st));
	struct zcrx_prep_plan *p = malloc(sizeof(*p));
	struct zcrx_prep_error e;
	struct fake f = { 0 };

	(void)state;
	start(st, p, false);
	st->done = B(CHANNELS);
	st->pending = B(HDS);
	assert_int_equal(zcrx_prep_undo_ops(st, &fake_ops, &f, fake_save, &f, &e), 0);
	assert_string_equal(f.log, "rings=0/1/256 ch=0/1");

	/* killed in a step the device cannot do: nothing of it to restore */
	start(st, p, false);
	st->done = B(CHANNELS);
	st->pending = B(HDS);
	memset(&f, 0, sizeof(f));
	f.fail_op = 1;
	assert_int_equal(zcrx_prep_undo_ops(st, &fake_ops, &f, fake_save, &f, &e), 0);
	assert_string_equal(f.log, "rings=0/1/256! ch=0/1");
	assert_int_equal(st->done | st->pending, 0);

	/* an undo step that fails stays recorded, the others are done */
	start(st, p, false);
	st->done = B(CHANNELS) | B(HDS) | B(NTUPLE);
	memset(&f, 0, sizeof(f));
	f.fail_op = 2;
	assert_int_equal(zcrx_prep_undo_ops(st, &fake_ops, &f, fake_save, &f, &e), -EOPNOTSUPP);
	assert_string_equal(f.log, "ntuple=off rings=0/1/256! ch=0/1");
	assert_int_equal(e.undo_step, ZCRX_PREP_HDS);
	assert_int_equal(st->done, B(HDS));
	free(st);
	free(p);
}

/* The driver's own spread goes back as "default" (empty INDIR), a user's table as it was. */
static void test_undo_restores_the_table_as_it_was(void **state)
{
	struct zcrx_prep_state *st = malloc(sizeof(*st));
	struct zcrx_prep_error e;
	struct fake f = { 0 };

	(void)state;
	memset(st, 0, sizeof(*st));
	nic(&st->before);	/* i % 4 over 4 channels: the default */
	strcpy(st->dev, "eth0");
	st->ifindex = 4;
	st->done = B(RSS);
	assert_int_equal(zcrx_prep_undo_ops(st, &fake_ops, &f, NULL, NULL, &e), 0);
	assert_string_equal(f.log, "indir=0:0");

	st->done = B(RSS);
	st->before.indir[0] = 3;
	memset(&f, 0, sizeof(f));
	assert_int_equal(zcrx_prep_undo_ops(st, &fake_ops, &f, NULL, NULL, &e), 0);
	assert_string_equal(f.log, "indir=16:3");
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages_meet_the_kernel_policy),
		cmocka_unit_test(test_ntuple_request_names_one_bit),
		cmocka_unit_test(test_state_round_trips),
		cmocka_unit_test(test_state_parse_refuses_what_format_never_writes),
		cmocka_unit_test(test_plan_for_settings),
		cmocka_unit_test(test_rollback_order_at_each_step),
		cmocka_unit_test(test_undo_reverses_and_takes_the_rss_context_away),
		cmocka_unit_test(test_undo_of_a_killed_prepare),
		cmocka_unit_test(test_undo_restores_the_table_as_it_was),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
