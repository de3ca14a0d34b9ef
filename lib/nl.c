// SPDX-License-Identifier: MIT
/* Generic netlink plumbing (libnl-genl) and the netdev/ethtool reply parsers. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kabi.h"
#include "nl.h"

#define ZCRX_GENL_VERSION	1

static int nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_OVERFLOW:
		return -EMSGSIZE;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	default:
		return -EIO;
	}
}

int zcrx_nl_open(struct zcrx_nl *nl, const char *family)
{
	int ret;

	nl->family = -1;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;

	/* We ask for acks only where we wait for them (not on dumps). */
	nl_socket_disable_auto_ack(nl->sk);
	nl_socket_enable_msg_peek(nl->sk);

	ret = genl_connect(nl->sk);
	if (ret < 0)
		goto err_free;

	ret = genl_ctrl_resolve(nl->sk, family);
	if (ret < 0)
		goto err_free;
	nl->family = ret;
	return 0;

err_free:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return nl_errno(ret);
}

void zcrx_nl_close(struct zcrx_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *zcrx_nl_msg(const struct zcrx_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc();
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags, cmd,
			 ZCRX_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_req {
	bool			running;
	int			err;		/* from the kernel */
	int			parse_err;	/* from fn */
	zcrx_nl_parse_fn	fn;
	void			*arg;
};

static int nl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct nl_req *req = arg;
	int ret;

	ret = req->fn(nlmsg_hdr(msg), req->arg);
	if (ret < 0 && !req->parse_err)
		req->parse_err = ret;
	/* keep reading: the socket must be drained up to the ack/done */
	return NL_OK;
}

static int nl_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl_req *req = arg;

	(void)nla;
	req->err = e->error;
	req->running = false;
	return NL_STOP;
}

static int nl_ack_cb(struct nl_msg *msg, void *arg)
{
	struct nl_req *req = arg;

	(void)msg;
	req->running = false;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; its payload is the error the dump stopped on. */
static int nl_finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_req *req = arg;
	int err;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0)
			req->err = err;
	}
	req->running = false;
	return NL_STOP;
}

int zcrx_nl_request(struct zcrx_nl *nl, struct nl_msg *msg, zcrx_nl_parse_fn fn,
		    void *arg)
{
	struct nl_req req = { .running = true, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nl_valid_cb, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, nl_ack_cb, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, nl_finish_cb, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, nl_err_cb, &req);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		req.err = nl_errno(ret);
		goto out;
	}

	while (req.running) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0) {
			if (!req.err)
				req.err = nl_errno(ret);
			break;
		}
	}
out:
	nl_cb_put(cb);
	return req.err ? req.err : req.parse_err;
}

/* ------------------------------------------------------------------ */
/* Reply parsers                                                       */
/* ------------------------------------------------------------------ */

/* An integer attribute of any width: netlink "uint" is 4 or 8 bytes. */
static int attr_uint(const struct nlattr *a, uint64_t *val)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	switch (nla_len(a)) {
	case 1:
		memcpy(&u8, nla_data(a), 1);
		*val = u8;
		return 0;
	case 2:
		memcpy(&u16, nla_data(a), 2);
		*val = u16;
		return 0;
	case 4:
		memcpy(&u32, nla_data(a), 4);
		*val = u32;
		return 0;
	case 8:
		memcpy(val, nla_data(a), 8);
		return 0;
	default:
		return -EBADMSG;
	}
}

static int attr_u32(const struct nlattr *a, uint32_t *val)
{
	uint64_t v;

	if (attr_uint(a, &v) || v > UINT32_MAX)
		return -EBADMSG;
	*val = v;
	return 0;
}

/* The attributes of a genl message, or -EBADMSG when the header is short. */
static int genl_attrs(struct nlmsghdr *nlh, struct nlattr **head, int *len)
{
	struct genlmsghdr *gnlh;

	if (nlh->nlmsg_len < NLMSG_HDRLEN || !genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	gnlh = nlmsg_data(nlh);
	*head = genlmsg_attrdata(gnlh, 0);
	*len = genlmsg_attrlen(gnlh, 0);
	return 0;
}

/* io-uring-provider-info: rx-buf-len (7.2); an empty nest before it. */
static int parse_io_uring_nest(const struct nlattr *nest, uint64_t *rx_buf_len)
{
	struct nlattr *i;
	int rem;

	nla_for_each_nested(i, nest, rem) {
		if (nla_type(i) != ZCRX_NETDEV_A_IO_URING_PROVIDER_INFO_RX_BUF_LEN)
			continue;
		if (attr_uint(i, rx_buf_len))
			return -EBADMSG;
	}
	return 0;
}

/*
 * The lease nest (7.2): ifindex, a queue nest (id, type) and, when the other
 * device is in another netns, its netns id.  netdev-genl.c puts it on the
 * physical device's queue, naming the virtual device's queue leased from it.
 */
static int parse_lease_nest(const struct nlattr *nest, struct zcrx_rxq *q)
{
	struct nlattr *i, *j;
	int rem, jrem;
	uint32_t v;

	nla_for_each_nested(i, nest, rem) {
		switch (nla_type(i)) {
		case ZCRX_NETDEV_A_LEASE_IFINDEX:
			if (attr_u32(i, &q->lease_ifindex))
				return -EBADMSG;
			break;
		case ZCRX_NETDEV_A_LEASE_QUEUE:
			nla_for_each_nested(j, i, jrem) {
				if (nla_type(j) != ZCRX_NETDEV_A_QUEUE_ID)
					continue;
				if (attr_u32(j, &q->lease_queue))
					return -EBADMSG;
			}
			break;
		case ZCRX_NETDEV_A_LEASE_NETNS_ID:
			if (nla_len(i) != 4)
				return -EBADMSG;
			memcpy(&v, nla_data(i), 4);
			q->lease_netns_id = (int32_t)v;
			q->lease_other_netns = true;
			break;
		}
	}
	/* a lease names a device: the spec's ifindex is at least 1 */
	return q->lease_ifindex ? 0 : -EBADMSG;
}

int zcrx_nl_parse_queue(struct nlmsghdr *nlh, int ifindex, struct zcrx_rxq *q)
{
	uint32_t type = UINT32_MAX, ifi = 0;
	bool have_id = false;
	struct nlattr *head, *a;
	int len, rem;

	memset(q, 0, sizeof(*q));
	if (genl_attrs(nlh, &head, &len))
		return -EBADMSG;

	nla_for_each_attr(a, head, len, rem) {
		switch (nla_type(a)) {
		case ZCRX_NETDEV_A_QUEUE_ID:
			if (attr_u32(a, &q->id))
				return -EBADMSG;
			have_id = true;
			break;
		case ZCRX_NETDEV_A_QUEUE_IFINDEX:
			if (attr_u32(a, &ifi))
				return -EBADMSG;
			break;
		case ZCRX_NETDEV_A_QUEUE_TYPE:
			if (attr_u32(a, &type))
				return -EBADMSG;
			break;
		case ZCRX_NETDEV_A_QUEUE_NAPI_ID:
			if (attr_u32(a, &q->napi_id))
				return -EBADMSG;
			q->has_napi = true;
			break;
		case ZCRX_NETDEV_A_QUEUE_DMABUF:
			if (attr_u32(a, &q->dmabuf))
				return -EBADMSG;
			q->mp |= ZCRX_MP_DMABUF;
			break;
		case ZCRX_NETDEV_A_QUEUE_IO_URING:
			if (parse_io_uring_nest(a, &q->rx_buf_len))
				return -EBADMSG;
			q->mp |= ZCRX_MP_IO_URING;
			break;
		case ZCRX_NETDEV_A_QUEUE_XSK:
			q->mp |= ZCRX_MP_XSK;
			break;
		case ZCRX_NETDEV_A_QUEUE_LEASE:
			if (parse_lease_nest(a, q))
				return -EBADMSG;
			break;
		}
	}
	if (!have_id || type == UINT32_MAX || !ifi)
		return -EBADMSG;
	if (type != ZCRX_NETDEV_QUEUE_TYPE_RX || (int)ifi != ifindex)
		return 0;
	return 1;
}

int zcrx_nl_parse_qstats(struct nlmsghdr *nlh, int ifindex, struct zcrx_rxq *q)
{
	uint32_t type = UINT32_MAX, ifi = 0;
	bool have_id = false;
	struct nlattr *head, *a;
	int len, rem, id;
	uint64_t v;

	memset(q, 0, sizeof(*q));
	if (genl_attrs(nlh, &head, &len))
		return -EBADMSG;

	nla_for_each_attr(a, head, len, rem) {
		id = nla_type(a);
		switch (id) {
		case ZCRX_NETDEV_A_QSTATS_IFINDEX:
			if (attr_u32(a, &ifi))
				return -EBADMSG;
			break;
		case ZCRX_NETDEV_A_QSTATS_QUEUE_TYPE:
			if (attr_u32(a, &type))
				return -EBADMSG;
			break;
		case ZCRX_NETDEV_A_QSTATS_QUEUE_ID:
			if (attr_u32(a, &q->id))
				return -EBADMSG;
			have_id = true;
			break;
		case ZCRX_NETDEV_A_QSTATS_SCOPE:
			break;
		default:
			/* counters newer than us are skipped */
			if (id < ZCRX_NETDEV_A_QSTATS_RX_PACKETS || id > ZCRX_QSTATS_MAX)
				break;
			if (attr_uint(a, &v))
				return -EBADMSG;
			q->qstats[id] = v;
			q->qstats_have |= 1ULL << id;
			break;
		}
	}
	if (!ifi)
		return -EBADMSG;
	if (!have_id || type != ZCRX_NETDEV_QUEUE_TYPE_RX || (int)ifi != ifindex)
		return 0;
	return 1;
}

int zcrx_nl_parse_pool(struct nlmsghdr *nlh, struct zcrx_pool *p, int *ifindex)
{
	struct nlattr *head, *a;
	bool have_id = false;
	uint32_t ifi = 0;
	int len, rem;
	uint64_t v;

	memset(p, 0, sizeof(*p));
	*ifindex = 0;
	if (genl_attrs(nlh, &head, &len))
		return -EBADMSG;

	nla_for_each_attr(a, head, len, rem) {
		switch (nla_type(a)) {
		case ZCRX_NETDEV_A_PAGE_POOL_ID:
			if (attr_u32(a, &p->id))
				return -EBADMSG;
			have_id = true;
			break;
		case ZCRX_NETDEV_A_PAGE_POOL_IFINDEX:
			if (attr_u32(a, &ifi))
				return -EBADMSG;
			break;
		case ZCRX_NETDEV_A_PAGE_POOL_NAPI_ID:
			if (attr_u32(a, &p->napi_id))
				return -EBADMSG;
			p->has_napi = true;
			break;
		case ZCRX_NETDEV_A_PAGE_POOL_INFLIGHT:
			if (attr_uint(a, &p->inflight))
				return -EBADMSG;
			p->has_inflight = true;
			break;
		case ZCRX_NETDEV_A_PAGE_POOL_INFLIGHT_MEM:
			if (attr_uint(a, &p->inflight_mem))
				return -EBADMSG;
			break;
		case ZCRX_NETDEV_A_PAGE_POOL_DETACH_TIME:
			if (attr_uint(a, &v))
				return -EBADMSG;
			p->detach_time = v;
			break;
		case ZCRX_NETDEV_A_PAGE_POOL_DMABUF:
			if (attr_u32(a, &p->dmabuf))
				return -EBADMSG;
			break;
		case ZCRX_NETDEV_A_PAGE_POOL_IO_URING:
			if (parse_io_uring_nest(a, &p->rx_buf_len))
				return -EBADMSG;
			p->io_uring = true;
			break;
		}
	}
	if (!have_id)
		return -EBADMSG;
	*ifindex = ifi;
	return 1;
}

int zcrx_nl_parse_pool_stats(struct nlmsghdr *nlh, struct zcrx_pool *p)
{
	struct nlattr *head, *a, *i;
	bool have_id = false;
	int len, rem, irem, id;
	uint64_t v;

	memset(p, 0, sizeof(*p));
	if (genl_attrs(nlh, &head, &len))
		return -EBADMSG;

	nla_for_each_attr(a, head, len, rem) {
		id = nla_type(a);
		if (id == ZCRX_NETDEV_A_PAGE_POOL_STATS_INFO) {
			nla_for_each_nested(i, a, irem) {
				if (nla_type(i) != ZCRX_NETDEV_A_PAGE_POOL_ID)
					continue;
				if (attr_u32(i, &p->id))
					return -EBADMSG;
				have_id = true;
			}
			continue;
		}
		if (id < ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_FAST || id > ZCRX_POOL_STATS_MAX)
			continue;
		if (attr_uint(a, &v))
			return -EBADMSG;
		p->stats[id] = v;
		p->stats_have |= 1U << id;
	}
	return have_id ? 1 : 0;
}

int zcrx_nl_parse_ethtool(struct nlmsghdr *nlh, unsigned int max, uint32_t *have,
			  uint32_t *vals)
{
	struct nlattr *head, *a;
	unsigned int id;
	uint32_t h = 0;
	int len, rem;

	*have = 0;
	if (max > 31 || genl_attrs(nlh, &head, &len))
		return -EBADMSG;

	nla_for_each_attr(a, head, len, rem) {
		id = nla_type(a);
		/* 1 is the header nest; ids past max are newer than us */
		if (id < 2 || id > max)
			continue;
		if (attr_u32(a, &vals[id]))
			return -EBADMSG;
		h |= 1U << id;
	}
	*have = h;
	return 1;
}
