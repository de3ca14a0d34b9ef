/* SPDX-License-Identifier: MIT */
/*
 * Private generic netlink helpers for libzcrx, and the parsers of the netdev
 * and ethtool replies.  Each parser takes one reply as the kernel sent it and
 * trusts nothing in it but nlmsg_len: the caller guarantees that many bytes
 * (and at least a struct nlmsghdr) are readable, the rest may be anything.
 */
#ifndef ZCRX_NL_H
#define ZCRX_NL_H

#include <stdint.h>
#include <linux/netlink.h>

#include "zcrx.h"
#include "zcrx_diag.h"

struct nl_sock;
struct nl_msg;

struct zcrx_nl {
	struct nl_sock	*sk;
	int		family;
};

/* Connect and resolve a genl family: 0, -ENOENT if the kernel lacks it. */
int zcrx_nl_open(struct zcrx_nl *nl, const char *family);
void zcrx_nl_close(struct zcrx_nl *nl);

/* A request for cmd with genl header (version 1); NULL on ENOMEM. */
struct nl_msg *zcrx_nl_msg(const struct zcrx_nl *nl, uint8_t cmd, int flags);

/*
 * Called for every reply: return 0, or -errno to make the request fail with
 * that error once the replies are drained.
 */
typedef int (*zcrx_nl_parse_fn)(struct nlmsghdr *nlh, void *arg);

/*
 * Send msg (always consumed), feed the replies to fn and wait for the ack or
 * the end of the dump.  Returns 0 or the -errno the kernel answered.
 */
int zcrx_nl_request(struct zcrx_nl *nl, struct nl_msg *msg, zcrx_nl_parse_fn fn,
		    void *arg);

/* netdev queue-get reply: 1 for an RX queue of ifindex, 0 to skip, -EBADMSG. */
int zcrx_nl_parse_queue(struct nlmsghdr *nlh, int ifindex, struct zcrx_rxq *q);
/* netdev qstats-get reply (scope queue): 1 for an RX queue of ifindex (id, stats). */
int zcrx_nl_parse_qstats(struct nlmsghdr *nlh, int ifindex, struct zcrx_rxq *q);
/* netdev page-pool-get reply: 1 and *ifindex (0 when absent), or -EBADMSG. */
int zcrx_nl_parse_pool(struct nlmsghdr *nlh, struct zcrx_pool *p, int *ifindex);
/* netdev page-pool-stats-get reply: 1 with p->id and stats, 0 without a pool id. */
int zcrx_nl_parse_pool_stats(struct nlmsghdr *nlh, struct zcrx_pool *p);
/*
 * What zcrx_netdev_dump() does with each parsed pool (netdev.c): file it
 * under the device of ifindex in list (dropped when not listed), or with the
 * list's orphans when ifindex is 0 (its device is gone).  0 or -ENOMEM.
 */
int zcrx_netdev_add_pool(struct zcrx_netdev_list *list, const struct zcrx_pool *p, int ifindex);
/* ... and with parsed pool stats: copied to the pool of that id, wherever it is. */
void zcrx_netdev_set_pool_stats(struct zcrx_netdev_list *list, const struct zcrx_pool *stats);
/* ethtool rings-get / channels-get reply: integer attributes 2..max by id. */
int zcrx_nl_parse_ethtool(struct nlmsghdr *nlh, unsigned int max, uint32_t *have,
			  uint32_t *vals);

#endif
