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


/*
 * A netlink socket of our own (no libnl on the read path): one receive
 * buffer large enough for any dump skb, so a read is never peeked first.
 */
struct zcrx_nl {
	int		fd;
	int		family;		/* genl family id, or -1 */
	uint32_t	seq;
	char		*buf;
};

/* A socket of protocol proto (NETLINK_GENERIC, NETLINK_ROUTE): 0 or -errno. */
int zcrx_nl_socket(struct zcrx_nl *nl, int proto);
/* The id of a genl family on a NETLINK_GENERIC socket, -ENOENT if the kernel lacks it. */
int zcrx_nl_resolve(struct zcrx_nl *nl, const char *family);
#define ZCRX_NL_RESOLVE_MAX	4
int zcrx_nl_resolve_n(struct zcrx_nl *nl, const char *const *names, int *ids, int n);
/* Connect and resolve a genl family: 0, -ENOENT if the kernel lacks it. */
int zcrx_nl_open(struct zcrx_nl *nl, const char *family);
void zcrx_nl_close(struct zcrx_nl *nl);

/* A request being built: the message and the room it has. */
struct zcrx_nl_msg {
	struct nlmsghdr	*nlh;
	size_t		cap;
};

/* A small request on the stack: a genl or rtnl header and a few attributes. */
struct zcrx_nl_req {
	struct zcrx_nl_msg	m;
	union {
		struct nlmsghdr	nlh;
		char		buf[160];
	} u;
};

/* A request for cmd with genl header (version 1), on the heap; NULL on ENOMEM. */
struct zcrx_nl_msg *zcrx_nl_msg(const struct zcrx_nl *nl, uint8_t cmd, int flags);
void zcrx_nl_msg_free(struct zcrx_nl_msg *m);

/* The same on the stack: header type/flags, then hlen bytes of hdr (the family header). */
void zcrx_nl_req_init(struct zcrx_nl_req *r, uint16_t type, uint16_t flags, const void *hdr,
		      size_t hlen);
void zcrx_nl_req_genl(struct zcrx_nl_req *r, int family, uint8_t cmd, uint16_t flags);

/* Attributes: 0, or -EMSGSIZE when the message has no room left. */
int zcrx_nl_put(struct zcrx_nl_msg *m, uint16_t type, const void *val, size_t len);
int zcrx_nl_put_u32(struct zcrx_nl_msg *m, uint16_t type, uint32_t val);
int zcrx_nl_put_u8(struct zcrx_nl_msg *m, uint16_t type, uint8_t val);
int zcrx_nl_put_string(struct zcrx_nl_msg *m, uint16_t type, const char *s);
/* NULL when there is no room */
struct nlattr *zcrx_nl_nest(struct zcrx_nl_msg *m, uint16_t type);
void zcrx_nl_nest_end(struct zcrx_nl_msg *m, struct nlattr *nest);

/*
 * Called for every reply: return 0, or -errno to make the request fail with
 * that error once the replies are drained.
 */
typedef int (*zcrx_nl_parse_fn)(struct nlmsghdr *nlh, void *arg);

/*
 * Send msg (always consumed), feed the replies to fn and wait for the ack or
 * the end of the dump.  Returns 0 or the -errno the kernel answered.
 */
int zcrx_nl_request(struct zcrx_nl *nl, struct zcrx_nl_msg *msg, zcrx_nl_parse_fn fn,
		    void *arg);
/*
 * The same for a request built anywhere (its seq and port are set here);
 * err_fn, when not NULL, sees the NLMSG_ERROR of a failed request (extack).
 */
int zcrx_nl_talk(struct zcrx_nl *nl, struct nlmsghdr *req, zcrx_nl_parse_fn fn,
		 zcrx_nl_parse_fn err_fn, void *arg);

/* Attribute walking without trusting the lengths (libnl's nla_ok rules). */
static inline int zcrx_nla_ok(const struct nlattr *a, int rem)
{
	return rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= rem;
}

static inline struct nlattr *zcrx_nla_next(const struct nlattr *a, int *rem)
{
	int len = NLA_ALIGN(a->nla_len);

	*rem -= len;
	return (struct nlattr *)((char *)a + len);
}

static inline int zcrx_nla_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline int zcrx_nla_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline void *zcrx_nla_data(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

#define zcrx_nla_for_each(a, head, len, rem) \
	for (a = (head), rem = (len); zcrx_nla_ok(a, rem); a = zcrx_nla_next(a, &(rem)))
#define zcrx_nla_for_each_nested(a, nest, rem) \
	zcrx_nla_for_each(a, (struct nlattr *)zcrx_nla_data(nest), zcrx_nla_len(nest), rem)

/* The attributes after a family header of hlen bytes, or -EBADMSG when short. */
int zcrx_nl_attrs(struct nlmsghdr *nlh, size_t hlen, struct nlattr **head, int *len);

/* netdev queue-get reply: 1 for an RX queue of ifindex, 0 to skip, -EBADMSG. */
int zcrx_nl_parse_queue(struct nlmsghdr *nlh, int ifindex, struct zcrx_rxq *q);
/* ... of any device: 1 for an RX queue, 0 for another, with *ifindex; -EBADMSG. */
int zcrx_nl_parse_queue_any(struct nlmsghdr *nlh, int *ifindex, struct zcrx_rxq *q);
/* netdev qstats-get reply (scope queue): 1 for an RX queue of ifindex (id, stats). */
int zcrx_nl_parse_qstats(struct nlmsghdr *nlh, int ifindex, struct zcrx_rxq *q);
/* ... of any device: 1 for an RX queue, 0 for another, with *ifindex; -EBADMSG. */
int zcrx_nl_parse_qstats_any(struct nlmsghdr *nlh, int *ifindex, struct zcrx_rxq *q);
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

/* The device an ethtool reply is about (its header nest): 1 and *ifindex, -EBADMSG. */
int zcrx_nl_parse_ethtool_dev(struct nlmsghdr *nlh, int *ifindex);
/*
 * rtnl RTM_NEWLINK: 1 with dev's ifindex, name, flags, has_parent and nr_rx_sysfs
 * (1 when IFLA_NUM_RX_QUEUES is 1, else 0: ask sysfs) set and
 * its IFLA_INFO_KIND in kind ("" when none or not shorter than klen), 0 for
 * another message type, -EBADMSG.
 */
int zcrx_nl_parse_link(struct nlmsghdr *nlh, struct zcrx_netdev *dev, char *kind, size_t klen);

#endif
