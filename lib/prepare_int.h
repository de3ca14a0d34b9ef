/* SPDX-License-Identifier: MIT */
/*
 * prepare's inside, not installed: the device operations prepare.c runs
 * through (the kernel's in ethtool.c; unit tests put in their own to fail a
 * step), and the ethtool netlink messages and reply parsers of ethtool.c.
 */
#ifndef ZCRX_PREPARE_INT_H
#define ZCRX_PREPARE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "zcrx_diag.h"

struct zcrx_nl_msg;
struct zcrx_nl;

/* Each op: 0 or -errno, with the kernel's extack message in msg (or ""). */
struct zcrx_prep_ops {
	int (*channels)(void *arg, const struct zcrx_prep_state *st, uint32_t rx,
			uint32_t combined, char *msg, size_t len);
	int (*rings)(void *arg, const struct zcrx_prep_state *st, uint32_t split,
		     bool set_thresh, uint32_t thresh, char *msg, size_t len);
	int (*ntuple)(void *arg, const struct zcrx_prep_state *st, bool on, char *msg,
		      size_t len);
	/* n 0: back to the driver's default table */
	int (*indir)(void *arg, const struct zcrx_prep_state *st, const uint32_t *indir,
		     uint32_t n, char *msg, size_t len);
	int (*ctx_add)(void *arg, const struct zcrx_prep_state *st, uint32_t queue,
		       uint32_t *ctx, char *msg, size_t len);
	int (*ctx_del)(void *arg, const struct zcrx_prep_state *st, uint32_t ctx, char *msg,
		       size_t len);
	int (*rule_add)(void *arg, const struct zcrx_prep_state *st, uint32_t ctx,
			uint32_t *loc, char *msg, size_t len);
	int (*rule_del)(void *arg, const struct zcrx_prep_state *st, uint32_t loc, char *msg,
			size_t len);
};

extern const struct zcrx_prep_ops zcrx_prep_kernel_ops;

int zcrx_prep_apply_ops(struct zcrx_prep_state *st, const struct zcrx_prep_plan *plan,
			const struct zcrx_prep_ops *ops, void *oarg, zcrx_prep_save_fn save,
			void *arg, struct zcrx_prep_error *err);
int zcrx_prep_undo_ops(struct zcrx_prep_state *st, const struct zcrx_prep_ops *ops,
		       void *oarg, zcrx_prep_save_fn save, void *arg,
		       struct zcrx_prep_error *err);

/* ethtool genl ids this file adds to zcrx_diag.h's (ethtool_netlink_generated.h, 7.2) */
#define ZCRX_ETHTOOL_MSG_RINGS_SET		16
#define ZCRX_ETHTOOL_MSG_CHANNELS_SET		18
#define ZCRX_ETHTOOL_MSG_FEATURES_GET		11
#define ZCRX_ETHTOOL_MSG_FEATURES_SET		12
#define ZCRX_ETHTOOL_MSG_RSS_GET		38
#define ZCRX_ETHTOOL_MSG_RSS_SET		48
#define ZCRX_ETHTOOL_MSG_RSS_CREATE_ACT		49
#define ZCRX_ETHTOOL_MSG_RSS_DELETE_ACT		50
#define ZCRX_ETHTOOL_A_HEADER_FLAGS		3
#define ZCRX_ETHTOOL_A_FEATURES_HEADER		1
#define ZCRX_ETHTOOL_A_FEATURES_HW		2
#define ZCRX_ETHTOOL_A_FEATURES_WANTED		3
#define ZCRX_ETHTOOL_A_FEATURES_ACTIVE		4
#define ZCRX_ETHTOOL_A_BITSET_NOMASK		1
#define ZCRX_ETHTOOL_A_BITSET_BITS		3
#define ZCRX_ETHTOOL_A_BITSET_BITS_BIT		1
#define ZCRX_ETHTOOL_A_BITSET_BIT_INDEX		1
#define ZCRX_ETHTOOL_A_BITSET_BIT_NAME		2
#define ZCRX_ETHTOOL_A_BITSET_BIT_VALUE		3
#define ZCRX_ETHTOOL_A_RSS_HEADER		1
#define ZCRX_ETHTOOL_A_RSS_CONTEXT		2
#define ZCRX_ETHTOOL_A_RSS_INDIR		4
#define ZCRX_ETHTOOL_FLAG_OMIT_REPLY		(1U << 1)
/* net/ethtool/common.c netdev_features_strings[NETIF_F_NTUPLE_BIT] */
#define ZCRX_NTUPLE_FEATURE			"rx-ntuple-filter"

/* Requests, NULL on ENOMEM.  Every one carries the header nest with DEV_INDEX. */
struct zcrx_nl_msg *zcrx_eth_msg_get(const struct zcrx_nl *nl, uint8_t cmd, uint32_t ifindex);
struct zcrx_nl_msg *zcrx_eth_msg_channels(const struct zcrx_nl *nl, uint32_t ifindex, uint32_t rx,
				     uint32_t combined);
struct zcrx_nl_msg *zcrx_eth_msg_rings(const struct zcrx_nl *nl, uint32_t ifindex, uint32_t split,
				  bool set_thresh, uint32_t thresh);
struct zcrx_nl_msg *zcrx_eth_msg_ntuple(const struct zcrx_nl *nl, uint32_t ifindex, bool on);
struct zcrx_nl_msg *zcrx_eth_msg_rss_set(const struct zcrx_nl *nl, uint32_t ifindex,
				    const uint32_t *indir, uint32_t n);
struct zcrx_nl_msg *zcrx_eth_msg_rss_create(const struct zcrx_nl *nl, uint32_t ifindex,
				       uint32_t queue);
struct zcrx_nl_msg *zcrx_eth_msg_rss_delete(const struct zcrx_nl *nl, uint32_t ifindex,
				       uint32_t ctx);

/*
 * Reply parsers, trusting only nlmsg_len (as nl.h's): 1 parsed, or -EBADMSG
 * (-E2BIG: an indirection table larger than ZCRX_PREP_INDIR_MAX).
 */
int zcrx_eth_parse_features(struct nlmsghdr *nlh, uint32_t *ntuple, uint32_t *fixed);
int zcrx_eth_parse_rss(struct nlmsghdr *nlh, uint32_t *indir, uint32_t *n);
int zcrx_eth_parse_rss_ctx(struct nlmsghdr *nlh, uint32_t *ctx);
/* The extack message of an NLMSG_ERROR reply into msg ("" if none): 0 or -EBADMSG. */
int zcrx_eth_parse_extack(const struct nlmsghdr *nlh, char *msg, size_t len);

#endif
