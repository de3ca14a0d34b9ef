// SPDX-License-Identifier: MIT
/*
 * ethtool SET for prepare: netlink where the kernel offers it (CHANNELS_SET,
 * RINGS_SET, FEATURES_SET, RSS_SET, RSS_CREATE_ACT, RSS_DELETE_ACT), the
 * ioctl where it does not (flow rules: ETHTOOL_SRXCLSRLINS/DEL), and the
 * reads prepare records before it changes anything.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>


#include "kabi.h"
#include "nl.h"
#include "prepare_int.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED	0x100
#endif

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

static struct zcrx_nl_msg *msg_start(const struct zcrx_nl *nl, uint8_t cmd, uint32_t ifindex,
				uint32_t flags)
{
	struct nlattr *hdr;
	struct zcrx_nl_msg *msg;

	msg = zcrx_nl_msg(nl, cmd, NLM_F_ACK);
	if (!msg)
		return NULL;
	/* every ethtool request's header nest is attribute 1 */
	hdr = zcrx_nl_nest(msg, 1 | NLA_F_NESTED);
	if (!hdr || zcrx_nl_put_u32(msg, ZCRX_ETHTOOL_A_HEADER_DEV_INDEX, ifindex) ||
	    (flags && zcrx_nl_put_u32(msg, ZCRX_ETHTOOL_A_HEADER_FLAGS, flags))) {
		zcrx_nl_msg_free(msg);
		return NULL;
	}
	zcrx_nl_nest_end(msg, hdr);
	return msg;
}

struct zcrx_nl_msg *zcrx_eth_msg_get(const struct zcrx_nl *nl, uint8_t cmd, uint32_t ifindex)
{
	return msg_start(nl, cmd, ifindex, 0);
}

struct zcrx_nl_msg *zcrx_eth_msg_channels(const struct zcrx_nl *nl, uint32_t ifindex, uint32_t rx,
				     uint32_t combined)
{
	struct zcrx_nl_msg *msg = msg_start(nl, ZCRX_ETHTOOL_MSG_CHANNELS_SET, ifindex, 0);

	if (msg && (zcrx_nl_put_u32(msg, ZCRX_ETHTOOL_A_CHANNELS_RX_COUNT, rx) ||
		    zcrx_nl_put_u32(msg, ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT, combined))) {
		zcrx_nl_msg_free(msg);
		return NULL;
	}
	return msg;
}

struct zcrx_nl_msg *zcrx_eth_msg_rings(const struct zcrx_nl *nl, uint32_t ifindex, uint32_t split,
				  bool set_thresh, uint32_t thresh)
{
	struct zcrx_nl_msg *msg = msg_start(nl, ZCRX_ETHTOOL_MSG_RINGS_SET, ifindex, 0);

	if (msg && (zcrx_nl_put_u8(msg, ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT, (uint8_t)split) ||
		    (set_thresh && zcrx_nl_put_u32(msg, ZCRX_ETHTOOL_A_RINGS_HDS_THRESH, thresh)))) {
		zcrx_nl_msg_free(msg);
		return NULL;
	}
	return msg;
}

/* WANTED as a verbose bitset with a mask: only the bit listed changes. */
struct zcrx_nl_msg *zcrx_eth_msg_ntuple(const struct zcrx_nl *nl, uint32_t ifindex, bool on)
{
	struct zcrx_nl_msg *msg = msg_start(nl, ZCRX_ETHTOOL_MSG_FEATURES_SET, ifindex,
				       ZCRX_ETHTOOL_FLAG_OMIT_REPLY);
	struct nlattr *set, *bits, *bit;

	if (!msg)
		return NULL;
	if (!(set = zcrx_nl_nest(msg, ZCRX_ETHTOOL_A_FEATURES_WANTED | NLA_F_NESTED)) ||
	    !(bits = zcrx_nl_nest(msg, ZCRX_ETHTOOL_A_BITSET_BITS | NLA_F_NESTED)) ||
	    !(bit = zcrx_nl_nest(msg, ZCRX_ETHTOOL_A_BITSET_BITS_BIT | NLA_F_NESTED)) ||
	    zcrx_nl_put_string(msg, ZCRX_ETHTOOL_A_BITSET_BIT_NAME, ZCRX_NTUPLE_FEATURE) ||
	    (on && zcrx_nl_put(msg, ZCRX_ETHTOOL_A_BITSET_BIT_VALUE, NULL, 0))) {
		zcrx_nl_msg_free(msg);
		return NULL;
	}
	zcrx_nl_nest_end(msg, bit);
	zcrx_nl_nest_end(msg, bits);
	zcrx_nl_nest_end(msg, set);
	return msg;
}

struct zcrx_nl_msg *zcrx_eth_msg_rss_set(const struct zcrx_nl *nl, uint32_t ifindex,
				    const uint32_t *indir, uint32_t n)
{
	struct zcrx_nl_msg *msg = msg_start(nl, ZCRX_ETHTOOL_MSG_RSS_SET, ifindex, 0);

	/* an empty INDIR resets the table to the driver's default */
	if (msg && zcrx_nl_put(msg, ZCRX_ETHTOOL_A_RSS_INDIR, indir, n * sizeof(*indir))) {
		zcrx_nl_msg_free(msg);
		return NULL;
	}
	return msg;
}

struct zcrx_nl_msg *zcrx_eth_msg_rss_create(const struct zcrx_nl *nl, uint32_t ifindex,
				       uint32_t queue)
{
	struct zcrx_nl_msg *msg = msg_start(nl, ZCRX_ETHTOOL_MSG_RSS_CREATE_ACT, ifindex, 0);

	/* "context new start Q equal 1": a table of one entry, Q */
	if (msg && zcrx_nl_put(msg, ZCRX_ETHTOOL_A_RSS_INDIR, &queue, sizeof(queue))) {
		zcrx_nl_msg_free(msg);
		return NULL;
	}
	return msg;
}

struct zcrx_nl_msg *zcrx_eth_msg_rss_delete(const struct zcrx_nl *nl, uint32_t ifindex,
				       uint32_t ctx)
{
	struct zcrx_nl_msg *msg = msg_start(nl, ZCRX_ETHTOOL_MSG_RSS_DELETE_ACT, ifindex, 0);

	if (msg && zcrx_nl_put_u32(msg, ZCRX_ETHTOOL_A_RSS_CONTEXT, ctx)) {
		zcrx_nl_msg_free(msg);
		return NULL;
	}
	return msg;
}

/* ------------------------------------------------------------------ */
/* Reply parsers                                                       */
/* ------------------------------------------------------------------ */

static int genl_head(struct nlmsghdr *nlh, struct nlattr **head, int *len)
{
	return zcrx_nl_attrs(nlh, GENL_HDRLEN, head, len);
}

static bool attr_is_string(const struct nlattr *a, const char *s)
{
	size_t n = strlen(s);

	return zcrx_nla_len(a) >= (int)n + 1 && !memcmp(zcrx_nla_data(a), s, n) &&
	       ((const char *)zcrx_nla_data(a))[n] == '\0';
}

/* Is bit name set in a verbose bitset (listed, and with VALUE unless NOMASK)? */
static int bitset_has(struct nlattr *set, const char *name, bool *on)
{
	struct nlattr *a, *b, *c;
	int rem, brem, crem;
	bool nomask = false, named, value;

	*on = false;
	zcrx_nla_for_each_nested(a, set, rem)
		if (zcrx_nla_type(a) == ZCRX_ETHTOOL_A_BITSET_NOMASK)
			nomask = true;
	zcrx_nla_for_each_nested(a, set, rem) {
		if (zcrx_nla_type(a) != ZCRX_ETHTOOL_A_BITSET_BITS)
			continue;
		zcrx_nla_for_each_nested(b, a, brem) {
			if (zcrx_nla_type(b) != ZCRX_ETHTOOL_A_BITSET_BITS_BIT)
				return -EBADMSG;
			named = value = false;
			zcrx_nla_for_each_nested(c, b, crem) {
				if (zcrx_nla_type(c) == ZCRX_ETHTOOL_A_BITSET_BIT_NAME)
					named = attr_is_string(c, name);
				else if (zcrx_nla_type(c) == ZCRX_ETHTOOL_A_BITSET_BIT_VALUE)
					value = true;
			}
			if (named)
				*on = nomask || value;
		}
	}
	return 0;
}

int zcrx_eth_parse_features(struct nlmsghdr *nlh, uint32_t *ntuple, uint32_t *fixed)
{
	bool have_hw = false, have_active = false, on;
	struct nlattr *head, *a;
	int len, rem;

	*ntuple = 0;
	*fixed = 1;
	if (genl_head(nlh, &head, &len))
		return -EBADMSG;
	zcrx_nla_for_each(a, head, len, rem) {
		if (zcrx_nla_type(a) == ZCRX_ETHTOOL_A_FEATURES_HW) {
			if (bitset_has(a, ZCRX_NTUPLE_FEATURE, &on))
				return -EBADMSG;
			*fixed = !on;
			have_hw = true;
		} else if (zcrx_nla_type(a) == ZCRX_ETHTOOL_A_FEATURES_ACTIVE) {
			if (bitset_has(a, ZCRX_NTUPLE_FEATURE, &on))
				return -EBADMSG;
			*ntuple = on;
			have_active = true;
		}
	}
	return have_hw && have_active ? 1 : -EBADMSG;
}

int zcrx_eth_parse_rss(struct nlmsghdr *nlh, uint32_t *indir, uint32_t *n)
{
	struct nlattr *head, *a;
	int len, rem;

	*n = 0;
	if (genl_head(nlh, &head, &len))
		return -EBADMSG;
	zcrx_nla_for_each(a, head, len, rem) {
		if (zcrx_nla_type(a) != ZCRX_ETHTOOL_A_RSS_INDIR)
			continue;
		if (zcrx_nla_len(a) % 4)
			return -EBADMSG;
		if (zcrx_nla_len(a) / 4 > ZCRX_PREP_INDIR_MAX)
			return -E2BIG;
		*n = zcrx_nla_len(a) / 4;
		memcpy(indir, zcrx_nla_data(a), zcrx_nla_len(a));
	}
	return 1;
}

int zcrx_eth_parse_rss_ctx(struct nlmsghdr *nlh, uint32_t *ctx)
{
	struct nlattr *head, *a;
	int len, rem, ret = -EBADMSG;

	*ctx = 0;
	if (genl_head(nlh, &head, &len))
		return -EBADMSG;
	zcrx_nla_for_each(a, head, len, rem) {
		if (zcrx_nla_type(a) != ZCRX_ETHTOOL_A_RSS_CONTEXT)
			continue;
		if (zcrx_nla_len(a) != 4)
			return -EBADMSG;
		memcpy(ctx, zcrx_nla_data(a), 4);
		ret = *ctx ? 1 : -EBADMSG;
	}
	return ret;
}

int zcrx_eth_parse_extack(const struct nlmsghdr *nlh, char *msg, size_t len)
{
	const struct nlattr *a;
	struct nlmsgerr e;
	size_t off, n;
	int rem;

	if (len)
		msg[0] = '\0';
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(e) || nlh->nlmsg_type != NLMSG_ERROR)
		return -EBADMSG;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	off = NLMSG_HDRLEN + sizeof(e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e.msg.nlmsg_len < NLMSG_HDRLEN)
			return -EBADMSG;
		off += e.msg.nlmsg_len - NLMSG_HDRLEN;
	}
	off = NLMSG_ALIGN(off);
	if (off > nlh->nlmsg_len)
		return -EBADMSG;
	a = (const struct nlattr *)((const char *)nlh + off);
	rem = (int)(nlh->nlmsg_len - off);
	for (; zcrx_nla_ok(a, rem); a = zcrx_nla_next(a, &rem)) {
		if (zcrx_nla_type(a) != NLMSGERR_ATTR_MSG || !len)
			continue;
		n = strnlen(zcrx_nla_data(a), zcrx_nla_len(a));
		if (n >= len)
			n = len - 1;
		memcpy(msg, zcrx_nla_data(a), n);
		msg[n] = '\0';
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* One request with its extack                                         */
/* ------------------------------------------------------------------ */

struct eth_req {
	int		(*fn)(struct nlmsghdr *nlh, void *arg);
	void		*arg;
	char		*msg;
	size_t		len;
};

static int eth_valid_cb(struct nlmsghdr *nlh, void *arg)
{
	struct eth_req *r = arg;

	return r->fn ? r->fn(nlh, r->arg) : 0;
}

static int eth_err_cb(struct nlmsghdr *nlh, void *arg)
{
	struct eth_req *r = arg;

	if (r->msg)
		zcrx_eth_parse_extack(nlh, r->msg, r->len);
	return 0;
}

static int eth_open(struct zcrx_nl *nl)
{
	int one = 1, ret;

	ret = zcrx_nl_open(nl, "ethtool");
	if (ret)
		return ret == -ENOENT ? -EOPNOTSUPP : ret;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return 0;
}

static int eth_request(struct zcrx_nl *nl, struct zcrx_nl_msg *m,
		       int (*fn)(struct nlmsghdr *, void *), void *arg, char *msg, size_t len)
{
	struct eth_req r = { .fn = fn, .arg = arg, .msg = msg, .len = len };
	int ret;

	if (msg && len)
		msg[0] = '\0';
	if (!m)
		return -ENOMEM;
	ret = zcrx_nl_talk(nl, m->nlh, eth_valid_cb, eth_err_cb, &r);
	zcrx_nl_msg_free(m);
	return ret;
}

/* Open, send one message, close. */
static int eth_once(const struct zcrx_prep_state *st,
		    struct zcrx_nl_msg *(*build)(struct zcrx_nl *nl, const struct zcrx_prep_state *st,
					    const void *a),
		    const void *a, int (*fn)(struct nlmsghdr *, void *), void *arg, char *msg,
		    size_t len)
{
	struct zcrx_nl nl;
	int ret;

	if (msg && len)
		msg[0] = '\0';
	ret = eth_open(&nl);
	if (ret)
		return ret;
	ret = eth_request(&nl, build(&nl, st, a), fn, arg, msg, len);
	zcrx_nl_close(&nl);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Reads                                                               */
/* ------------------------------------------------------------------ */

struct get_ints {
	unsigned int	max;
	uint32_t	have;
	uint32_t	vals[32];
};

static int ints_cb(struct nlmsghdr *nlh, void *arg)
{
	struct get_ints *g = arg;
	int ret = zcrx_nl_parse_ethtool(nlh, g->max, &g->have, g->vals);

	return ret < 0 ? ret : 0;
}

static int features_cb(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_prep_settings *s = arg;
	int ret = zcrx_eth_parse_features(nlh, &s->ntuple, &s->ntuple_fixed);

	if (ret == 1)
		s->have |= ZCRX_PREP_HAVE_NTUPLE;
	return ret < 0 ? ret : 0;
}

static int rss_cb(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_prep_settings *s = arg;
	int ret = zcrx_eth_parse_rss(nlh, s->indir, &s->indir_size);

	if (ret == 1 && s->indir_size)
		s->have |= ZCRX_PREP_HAVE_INDIR;
	return ret < 0 ? ret : 0;
}

static void err_set(struct zcrx_prep_error *err, int step, int e, const char *msg)
{
	if (!err)
		return;
	err->step = step;
	err->err = e;
	snprintf(err->msg, sizeof(err->msg), "%s", msg ? msg : "");
}

static int rxnfc_dev(const char *dev, struct ethtool_rxnfc *nfc);

/* Is there a rule for exactly this: TCP dst-port P (nothing else matched) to QUEUE? */
static bool rule_is(const struct ethtool_rx_flow_spec *fs, const struct zcrx_prep_opts *o)
{
	uint32_t type = fs->flow_type & ~(FLOW_EXT | FLOW_MAC_EXT | FLOW_RSS);
	static const uint8_t zero[sizeof(fs->m_u)];
	union ethtool_flow_union m = fs->m_u;

	if (fs->flow_type & (FLOW_RSS | FLOW_EXT | FLOW_MAC_EXT) || fs->ring_cookie != o->queue)
		return false;
	if (o->flow_type == ZCRX_PREP_TCP6) {
		if (type != TCP_V6_FLOW || fs->h_u.tcp_ip6_spec.pdst != htons((uint16_t)o->port) ||
		    m.tcp_ip6_spec.pdst != 0xffff)
			return false;
		m.tcp_ip6_spec.pdst = 0;
	} else {
		if (type != TCP_V4_FLOW || fs->h_u.tcp_ip4_spec.pdst != htons((uint16_t)o->port) ||
		    m.tcp_ip4_spec.pdst != 0xffff)
			return false;
		m.tcp_ip4_spec.pdst = 0;
	}
	return !memcmp(&m, zero, sizeof(m));
}

/* A rule of the device's own list (ETHTOOL_GRXCLSRL*) already doing opts' steering. */
static void rule_find(const char *dev, const struct zcrx_prep_opts *o,
		      struct zcrx_prep_settings *s)
{
	struct ethtool_rxnfc cnt = { .cmd = ETHTOOL_GRXCLSRLCNT }, *all;
	struct ethtool_rxnfc one;
	uint32_t n;

	if (!o->port || o->rss_context || rxnfc_dev(dev, &cnt) || !cnt.rule_cnt)
		return;
	n = cnt.rule_cnt > 4096 ? 4096 : cnt.rule_cnt;
	all = calloc(1, sizeof(*all) + n * sizeof(uint32_t));
	if (!all)
		return;
	all->cmd = ETHTOOL_GRXCLSRLALL;
	all->rule_cnt = n;
	if (!rxnfc_dev(dev, all)) {
		for (uint32_t i = 0; i < all->rule_cnt && i < n; i++) {
			memset(&one, 0, sizeof(one));
			one.cmd = ETHTOOL_GRXCLSRULE;
			one.fs.location = all->rule_locs[i];
			if (!rxnfc_dev(dev, &one) && rule_is(&one.fs, o)) {
				s->rule_found = 1;
				s->rule_found_loc = all->rule_locs[i];
				break;
			}
		}
	}
	free(all);
}

int zcrx_prep_read(const char *dev, const struct zcrx_prep_opts *opts, uint32_t *ifindex,
		   struct zcrx_prep_settings *s, struct zcrx_prep_error *err)
{
	struct get_ints g;
	struct zcrx_nl nl;
	char msg[160];
	int ret;

	memset(s, 0, sizeof(*s));
	if (err) {
		memset(err, 0, sizeof(*err));
		err->step = err->undo_step = -1;
	}
	if (!dev || !*dev || strlen(dev) >= IF_NAMESIZE)
		return -EINVAL;
	*ifindex = if_nametoindex(dev);
	if (!*ifindex)
		return -ENODEV;
	ret = eth_open(&nl);
	if (ret) {
		err_set(err, -1, ret, NULL);
		return ret;
	}

	g = (struct get_ints){ .max = ZCRX_CHANNELS_MAX };
	ret = eth_request(&nl, zcrx_eth_msg_get(&nl, ZCRX_ETHTOOL_MSG_CHANNELS_GET, *ifindex),
			  ints_cb, &g, msg, sizeof(msg));
	if (!ret) {
		s->have |= ZCRX_PREP_HAVE_CHANNELS;
		s->rx_count = g.vals[ZCRX_ETHTOOL_A_CHANNELS_RX_COUNT];
		s->combined_count = g.vals[ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT];
		s->rx_max = g.vals[ZCRX_ETHTOOL_A_CHANNELS_RX_MAX];
		s->combined_max = g.vals[ZCRX_ETHTOOL_A_CHANNELS_COMBINED_MAX];
	} else if (ret != -EOPNOTSUPP) {
		err_set(err, ZCRX_PREP_CHANNELS, ret, msg);
		goto out;
	}

	g = (struct get_ints){ .max = ZCRX_RINGS_MAX };
	ret = eth_request(&nl, zcrx_eth_msg_get(&nl, ZCRX_ETHTOOL_MSG_RINGS_GET, *ifindex),
			  ints_cb, &g, msg, sizeof(msg));
	if (!ret) {
		/* 7.2 leaves TCP_DATA_SPLIT out when it is 0 (unknown) */
		s->have |= ZCRX_PREP_HAVE_SPLIT;
		s->tcp_data_split = g.vals[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT];
		if (g.have & (1U << ZCRX_ETHTOOL_A_RINGS_HDS_THRESH)) {
			s->have |= ZCRX_PREP_HAVE_HDS_THRESH;
			s->hds_thresh = g.vals[ZCRX_ETHTOOL_A_RINGS_HDS_THRESH];
			s->hds_thresh_max = g.vals[ZCRX_ETHTOOL_A_RINGS_HDS_THRESH_MAX];
		}
	} else if (ret != -EOPNOTSUPP) {
		err_set(err, ZCRX_PREP_HDS, ret, msg);
		goto out;
	}

	ret = eth_request(&nl, zcrx_eth_msg_get(&nl, ZCRX_ETHTOOL_MSG_FEATURES_GET, *ifindex),
			  features_cb, s, msg, sizeof(msg));
	if (ret && ret != -EOPNOTSUPP) {
		err_set(err, ZCRX_PREP_NTUPLE, ret, msg);
		goto out;
	}

	ret = eth_request(&nl, zcrx_eth_msg_get(&nl, ZCRX_ETHTOOL_MSG_RSS_GET, *ifindex),
			  rss_cb, s, msg, sizeof(msg));
	if (ret && ret != -EOPNOTSUPP) {
		err_set(err, ZCRX_PREP_RSS, ret, msg);
		goto out;
	}
	if (opts)
		rule_find(dev, opts, s);
	ret = 0;
out:
	zcrx_nl_close(&nl);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The kernel's ops                                                    */
/* ------------------------------------------------------------------ */

struct chan_args { uint32_t rx, combined; };
struct ring_args { uint32_t split, thresh; bool set_thresh; };
struct indir_args { const uint32_t *indir; uint32_t n; };

static struct zcrx_nl_msg *b_channels(struct zcrx_nl *nl, const struct zcrx_prep_state *st,
				 const void *a)
{
	const struct chan_args *c = a;

	return zcrx_eth_msg_channels(nl, st->ifindex, c->rx, c->combined);
}

static struct zcrx_nl_msg *b_rings(struct zcrx_nl *nl, const struct zcrx_prep_state *st,
			      const void *a)
{
	const struct ring_args *r = a;

	return zcrx_eth_msg_rings(nl, st->ifindex, r->split, r->set_thresh, r->thresh);
}

static struct zcrx_nl_msg *b_ntuple(struct zcrx_nl *nl, const struct zcrx_prep_state *st,
			       const void *a)
{
	return zcrx_eth_msg_ntuple(nl, st->ifindex, *(const bool *)a);
}

static struct zcrx_nl_msg *b_indir(struct zcrx_nl *nl, const struct zcrx_prep_state *st,
			      const void *a)
{
	const struct indir_args *i = a;

	return zcrx_eth_msg_rss_set(nl, st->ifindex, i->indir, i->n);
}

static struct zcrx_nl_msg *b_ctx_add(struct zcrx_nl *nl, const struct zcrx_prep_state *st,
				const void *a)
{
	return zcrx_eth_msg_rss_create(nl, st->ifindex, *(const uint32_t *)a);
}

static struct zcrx_nl_msg *b_ctx_del(struct zcrx_nl *nl, const struct zcrx_prep_state *st,
				const void *a)
{
	return zcrx_eth_msg_rss_delete(nl, st->ifindex, *(const uint32_t *)a);
}

static int k_channels(void *arg, const struct zcrx_prep_state *st, uint32_t rx,
		      uint32_t combined, char *msg, size_t len)
{
	struct chan_args c = { rx, combined };

	(void)arg;
	return eth_once(st, b_channels, &c, NULL, NULL, msg, len);
}

static int k_rings(void *arg, const struct zcrx_prep_state *st, uint32_t split,
		   bool set_thresh, uint32_t thresh, char *msg, size_t len)
{
	struct ring_args r = { split, thresh, set_thresh };

	(void)arg;
	return eth_once(st, b_rings, &r, NULL, NULL, msg, len);
}

static int k_ntuple(void *arg, const struct zcrx_prep_state *st, bool on, char *msg,
		    size_t len)
{
	struct zcrx_prep_settings *now;
	struct zcrx_nl nl;
	int ret;

	(void)arg;
	ret = eth_once(st, b_ntuple, &on, NULL, NULL, msg, len);
	if (ret)
		return ret;
	/* FEATURES_SET takes a bit the driver cannot change and leaves it: look */
	now = calloc(1, sizeof(*now));
	if (!now)
		return -ENOMEM;
	ret = eth_open(&nl);
	if (!ret) {
		ret = eth_request(&nl, zcrx_eth_msg_get(&nl, ZCRX_ETHTOOL_MSG_FEATURES_GET,
							st->ifindex),
				  features_cb, now, msg, len);
		zcrx_nl_close(&nl);
	}
	if (!ret && now->ntuple != (uint32_t)on) {
		snprintf(msg, len, "the driver kept ntuple-filters %s", now->ntuple ? "on" : "off");
		ret = -EOPNOTSUPP;
	}
	free(now);
	return ret;
}

static int k_indir(void *arg, const struct zcrx_prep_state *st, const uint32_t *indir,
		   uint32_t n, char *msg, size_t len)
{
	struct indir_args i = { indir, n };

	(void)arg;
	return eth_once(st, b_indir, &i, NULL, NULL, msg, len);
}

static int ctx_cb(struct nlmsghdr *nlh, void *arg)
{
	int ret = zcrx_eth_parse_rss_ctx(nlh, arg);

	return ret < 0 ? ret : 0;
}

static int k_ctx_add(void *arg, const struct zcrx_prep_state *st, uint32_t queue,
		     uint32_t *ctx, char *msg, size_t len)
{
	(void)arg;
	*ctx = 0;
	int ret = eth_once(st, b_ctx_add, &queue, ctx_cb, ctx, msg, len);

	return !ret && !*ctx ? -EBADMSG : ret;
}

static int k_ctx_del(void *arg, const struct zcrx_prep_state *st, uint32_t ctx, char *msg,
		     size_t len)
{
	(void)arg;
	return eth_once(st, b_ctx_del, &ctx, NULL, NULL, msg, len);
}

static int rxnfc_dev(const char *dev, struct ethtool_rxnfc *nfc)
{
	struct ifreq ifr;
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, dev, sizeof(ifr.ifr_name) - 1);
	ifr.ifr_data = (void *)nfc;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		ret = -errno;
	close(fd);
	return ret;
}

static int rxnfc(const struct zcrx_prep_state *st, struct ethtool_rxnfc *nfc)
{
	return rxnfc_dev(st->dev, nfc);
}

static int k_rule_add(void *arg, const struct zcrx_prep_state *st, uint32_t ctx,
		      uint32_t *loc, char *msg, size_t len)
{
	struct ethtool_rxnfc nfc;
	int ret;

	(void)arg;
	if (len)
		msg[0] = '\0';
	memset(&nfc, 0, sizeof(nfc));
	nfc.cmd = ETHTOOL_SRXCLSRLINS;
	if (st->opts.flow_type == ZCRX_PREP_TCP6) {
		nfc.fs.flow_type = TCP_V6_FLOW;
		nfc.fs.h_u.tcp_ip6_spec.pdst = htons((uint16_t)st->opts.port);
		nfc.fs.m_u.tcp_ip6_spec.pdst = 0xffff;
	} else {
		nfc.fs.flow_type = TCP_V4_FLOW;
		nfc.fs.h_u.tcp_ip4_spec.pdst = htons((uint16_t)st->opts.port);
		nfc.fs.m_u.tcp_ip4_spec.pdst = 0xffff;
	}
	if (ctx) {
		nfc.fs.flow_type |= FLOW_RSS;
		nfc.rss_context = ctx;
		nfc.fs.ring_cookie = 0;
	} else {
		nfc.fs.ring_cookie = st->opts.queue;
	}
	nfc.fs.location = RX_CLS_LOC_ANY;
	ret = rxnfc(st, &nfc);
	if (!ret)
		*loc = nfc.fs.location;
	return ret;
}

static int k_rule_del(void *arg, const struct zcrx_prep_state *st, uint32_t loc, char *msg,
		      size_t len)
{
	struct ethtool_rxnfc nfc;

	(void)arg;
	if (len)
		msg[0] = '\0';
	memset(&nfc, 0, sizeof(nfc));
	nfc.cmd = ETHTOOL_SRXCLSRLDEL;
	nfc.fs.location = loc;
	return rxnfc(st, &nfc);
}

const struct zcrx_prep_ops zcrx_prep_kernel_ops = {
	.channels	= k_channels,
	.rings		= k_rings,
	.ntuple		= k_ntuple,
	.indir		= k_indir,
	.ctx_add	= k_ctx_add,
	.ctx_del	= k_ctx_del,
	.rule_add	= k_rule_add,
	.rule_del	= k_rule_del,
};
