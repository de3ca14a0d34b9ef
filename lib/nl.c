// SPDX-License-Identifier: MIT
/*
 * Netlink on plain sockets and the uapi headers, as iproute2's libnetlink:
 * requests, the exchange, and the netdev/ethtool/rtnl reply parsers.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>

#include "kabi.h"
#include "nl.h"

#define ZCRX_GENL_VERSION	1
/*
 * The kernel builds a dump skb of at most the larger of a page and 32 KiB
 * (net/netlink/af_netlink.c: netlink_dump, max_recvmsg_len): one read of
 * this size takes any of them whole.
 */
#define ZCRX_NL_BUF		65536
/* prepare's largest request: an indirection table of ZCRX_PREP_INDIR_MAX */
#define ZCRX_NL_MSG_MAX		8192

/* No bind(): the first sendto() binds the socket to a port of its own. */
int zcrx_nl_socket(struct zcrx_nl *nl, int proto)
{
	nl->family = -1;
	nl->seq = 0;
	nl->buf = NULL;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (nl->fd < 0)
		return -errno;
	nl->buf = malloc(ZCRX_NL_BUF);
	if (!nl->buf) {
		zcrx_nl_close(nl);
		return -ENOMEM;
	}
	return 0;
}

void zcrx_nl_close(struct zcrx_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
	free(nl->buf);
	nl->buf = NULL;
}

static void msg_init(struct zcrx_nl_msg *m, uint16_t type, uint16_t flags, const void *hdr,
		     size_t hlen)
{
	*m->nlh = (struct nlmsghdr){
		.nlmsg_len	= NLMSG_LENGTH(NLMSG_ALIGN(hlen)),
		.nlmsg_type	= type,
		.nlmsg_flags	= flags | NLM_F_REQUEST,
	};
	memcpy(NLMSG_DATA(m->nlh), hdr, hlen);
	memset((char *)NLMSG_DATA(m->nlh) + hlen, 0, NLMSG_ALIGN(hlen) - hlen);
}

void zcrx_nl_req_init(struct zcrx_nl_req *r, uint16_t type, uint16_t flags, const void *hdr,
		      size_t hlen)
{
	r->m.nlh = &r->u.nlh;
	r->m.cap = sizeof(r->u);
	msg_init(&r->m, type, flags, hdr, hlen);
}

void zcrx_nl_req_genl(struct zcrx_nl_req *r, int family, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr g = { .cmd = cmd, .version = ZCRX_GENL_VERSION };

	zcrx_nl_req_init(r, (uint16_t)family, flags, &g, sizeof(g));
}

struct zcrx_nl_msg *zcrx_nl_msg(const struct zcrx_nl *nl, uint8_t cmd, int flags)
{
	struct genlmsghdr g = { .cmd = cmd, .version = ZCRX_GENL_VERSION };
	struct zcrx_nl_msg *m;

	m = malloc(sizeof(*m) + ZCRX_NL_MSG_MAX);
	if (!m)
		return NULL;
	m->nlh = (struct nlmsghdr *)(m + 1);
	m->cap = ZCRX_NL_MSG_MAX;
	msg_init(m, (uint16_t)nl->family, (uint16_t)flags, &g, sizeof(g));
	return m;
}

void zcrx_nl_msg_free(struct zcrx_nl_msg *m)
{
	free(m);
}

static struct nlattr *msg_put(struct zcrx_nl_msg *m, uint16_t type, const void *val,
			      size_t len)
{
	size_t off = NLMSG_ALIGN(m->nlh->nlmsg_len), total;
	struct nlattr *a;

	if (len > UINT16_MAX - NLA_HDRLEN)
		return NULL;
	total = off + NLA_ALIGN(NLA_HDRLEN + len);
	if (total > m->cap)
		return NULL;
	a = (struct nlattr *)((char *)m->nlh + off);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy(zcrx_nla_data(a), val, len);
	memset((char *)zcrx_nla_data(a) + len, 0, NLA_ALIGN(len) - len);
	m->nlh->nlmsg_len = (uint32_t)total;
	return a;
}

int zcrx_nl_put(struct zcrx_nl_msg *m, uint16_t type, const void *val, size_t len)
{
	return msg_put(m, type, val, len) ? 0 : -EMSGSIZE;
}

int zcrx_nl_put_u32(struct zcrx_nl_msg *m, uint16_t type, uint32_t val)
{
	return zcrx_nl_put(m, type, &val, sizeof(val));
}

int zcrx_nl_put_u8(struct zcrx_nl_msg *m, uint16_t type, uint8_t val)
{
	return zcrx_nl_put(m, type, &val, sizeof(val));
}

int zcrx_nl_put_string(struct zcrx_nl_msg *m, uint16_t type, const char *str)
{
	return zcrx_nl_put(m, type, str, strlen(str) + 1);
}

struct nlattr *zcrx_nl_nest(struct zcrx_nl_msg *m, uint16_t type)
{
	return msg_put(m, type | NLA_F_NESTED, NULL, 0);
}

void zcrx_nl_nest_end(struct zcrx_nl_msg *m, struct nlattr *nest)
{
	nest->nla_len = (uint16_t)((char *)m->nlh + m->nlh->nlmsg_len - (char *)nest);
}

int zcrx_nl_attrs(struct nlmsghdr *nlh, size_t hlen, struct nlattr **head, int *len)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(hlen))
		return -EBADMSG;
	*head = (struct nlattr *)((char *)NLMSG_DATA(nlh) + NLMSG_ALIGN(hlen));
	*len = (int)(nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(hlen));
	return 0;
}

/* One pass over a read: 1 while more is to come, 0 at the end, or -errno. */
static int talk_one(struct zcrx_nl *nl, struct nlmsghdr *nlh, int *err, bool *intr,
		    zcrx_nl_parse_fn fn, zcrx_nl_parse_fn err_fn, void *arg)
{
	struct nlmsgerr e;
	int ret;

	if (nlh->nlmsg_seq != nl->seq)
		return 1;	/* a reply to no request of ours */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		*intr = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
		return 1;
	case NLMSG_OVERRUN:
		return -EMSGSIZE;
	case NLMSG_ERROR:
		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
			return -EMSGSIZE;
		memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
		if (e.error > 0 || e.error < -4095)
			return -EBADMSG;
		if (e.error && err_fn)
			err_fn(nlh, arg);
		return e.error;
	case NLMSG_DONE:
		/* its payload is the error the dump stopped on */
		if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
			memcpy(&ret, NLMSG_DATA(nlh), sizeof(ret));
			if (ret < 0 && ret >= -4095)
				return ret;
		}
		return 0;
	}
	if (fn) {
		ret = fn(nlh, arg);
		if (ret < 0 && !*err)
			*err = ret;
	}
	/* a get is answered by one message and the ack we asked for */
	return 1;
}

static int nl_send(struct zcrx_nl *nl, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	do
		n = sendto(nl->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* One read from the kernel into nl->buf: its length or -errno. */
static ssize_t nl_recv(struct zcrx_nl *nl)
{
	struct sockaddr_nl from;
	struct iovec iov = { nl->buf, ZCRX_NL_BUF };
	struct msghdr mh = { .msg_name = &from, .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	for (;;) {
		mh.msg_namelen = sizeof(from);
		n = recvmsg(nl->fd, &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (!n)
			return -EIO;
		if (!from.nl_pid)
			return n;
		/* not from the kernel */
	}
}

int zcrx_nl_talk(struct zcrx_nl *nl, struct nlmsghdr *req, zcrx_nl_parse_fn fn,
		 zcrx_nl_parse_fn err_fn, void *arg)
{
	struct nlmsghdr *nlh;
	int parse_err = 0, ret = 1;
	bool intr = false, ours = false;
	ssize_t n;
	size_t len;

	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = 0;
	req->nlmsg_flags |= NLM_F_REQUEST;
	ret = nl_send(nl, req, req->nlmsg_len);
	if (ret)
		return ret;

	ret = 1;
	while (ret > 0) {
		n = nl_recv(nl);
		if (n < 0)
			return (int)n;
		len = (size_t)n;
		for (nlh = (struct nlmsghdr *)nl->buf; ret > 0 && NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			ours |= nlh->nlmsg_seq == nl->seq;
			ret = talk_one(nl, nlh, &parse_err, &intr, fn, err_fn, arg);
		}
		/* a get without NLM_F_ACK ends with its one reply, not a stale one */
		if (ret > 0 && ours && !(req->nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP)))
			ret = 0;
	}
	if (ret < 0)
		return ret;
	if (intr)
		return -EINTR;
	return parse_err;
}

int zcrx_nl_request(struct zcrx_nl *nl, struct zcrx_nl_msg *msg, zcrx_nl_parse_fn fn,
		    void *arg)
{
	int ret = zcrx_nl_talk(nl, msg->nlh, fn, NULL, arg);

	zcrx_nl_msg_free(msg);
	return ret;
}

static int family_cb(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *head, *a;
	int *id = arg, len, rem;
	uint16_t v;

	if (zcrx_nl_attrs(nlh, GENL_HDRLEN, &head, &len))
		return -EBADMSG;
	zcrx_nla_for_each(a, head, len, rem) {
		if (zcrx_nla_type(a) != CTRL_ATTR_FAMILY_ID)
			continue;
		if (zcrx_nla_len(a) != 2)
			return -EBADMSG;
		memcpy(&v, zcrx_nla_data(a), 2);
		*id = v;
	}
	return 0;
}

/*
 * The ids of n families (n <= ZCRX_NL_RESOLVE_MAX), asked in one send: each
 * get without NLM_F_ACK is answered by one message, its family or an error.
 * ids[i] is the id or -errno; the return is 0 or the exchange's -errno.
 */
int zcrx_nl_resolve_n(struct zcrx_nl *nl, const char *const *names, int *ids, int n)
{
	struct genlmsghdr g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 };
	char out[ZCRX_NL_RESOLVE_MAX * NLMSG_ALIGN(sizeof(struct zcrx_nl_req))];
	uint32_t first = nl->seq + 1;
	struct nlmsghdr *nlh;
	struct zcrx_nl_req r;
	size_t off = 0, len, k;
	int i, left = n, ret;
	ssize_t got;

	if (n < 1 || n > ZCRX_NL_RESOLVE_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		k = strlen(names[i]) + 1;
		zcrx_nl_req_init(&r, GENL_ID_CTRL, 0, &g, sizeof(g));
		if (k > 32 || zcrx_nl_put(&r.m, CTRL_ATTR_FAMILY_NAME, names[i], k))
			return -EINVAL;
		r.m.nlh->nlmsg_seq = ++nl->seq;
		memcpy(out + off, r.m.nlh, r.m.nlh->nlmsg_len);
		off += NLMSG_ALIGN(r.m.nlh->nlmsg_len);
		ids[i] = 0;
	}
	ret = nl_send(nl, out, off);
	if (ret)
		return ret;

	while (left) {
		got = nl_recv(nl);
		if (got < 0)
			return (int)got;
		len = (size_t)got;
		for (nlh = (struct nlmsghdr *)nl->buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq - first >= (uint32_t)n)
				continue;	/* a reply to no request of ours */
			i = (int)(nlh->nlmsg_seq - first);
			if (ids[i])
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr e;

				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
					return -EMSGSIZE;
				memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
				ids[i] = e.error < 0 && e.error >= -4095 ? e.error : -EBADMSG;
			} else {
				ret = family_cb(nlh, &ids[i]);
				if (ret || ids[i] <= 0)
					ids[i] = -EBADMSG;
			}
			left--;
		}
	}
	return 0;
}

int zcrx_nl_resolve(struct zcrx_nl *nl, const char *family)
{
	int id, ret;

	ret = zcrx_nl_resolve_n(nl, &family, &id, 1);
	return ret ? ret : id;
}

int zcrx_nl_open(struct zcrx_nl *nl, const char *family)
{
	int ret;

	ret = zcrx_nl_socket(nl, NETLINK_GENERIC);
	if (ret)
		return ret;
	ret = zcrx_nl_resolve(nl, family);
	if (ret < 0) {
		zcrx_nl_close(nl);
		return ret;
	}
	nl->family = ret;
	return 0;
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

	switch (zcrx_nla_len(a)) {
	case 1:
		memcpy(&u8, zcrx_nla_data(a), 1);
		*val = u8;
		return 0;
	case 2:
		memcpy(&u16, zcrx_nla_data(a), 2);
		*val = u16;
		return 0;
	case 4:
		memcpy(&u32, zcrx_nla_data(a), 4);
		*val = u32;
		return 0;
	case 8:
		memcpy(val, zcrx_nla_data(a), 8);
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
	return zcrx_nl_attrs(nlh, GENL_HDRLEN, head, len);
}

/* io-uring-provider-info: rx-buf-len (7.2); an empty nest before it. */
static int parse_io_uring_nest(const struct nlattr *nest, uint64_t *rx_buf_len)
{
	struct nlattr *i;
	int rem;

	zcrx_nla_for_each_nested(i, nest, rem) {
		if (zcrx_nla_type(i) != ZCRX_NETDEV_A_IO_URING_PROVIDER_INFO_RX_BUF_LEN)
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

	zcrx_nla_for_each_nested(i, nest, rem) {
		switch (zcrx_nla_type(i)) {
		case ZCRX_NETDEV_A_LEASE_IFINDEX:
			if (attr_u32(i, &q->lease_ifindex))
				return -EBADMSG;
			break;
		case ZCRX_NETDEV_A_LEASE_QUEUE:
			zcrx_nla_for_each_nested(j, i, jrem) {
				if (zcrx_nla_type(j) != ZCRX_NETDEV_A_QUEUE_ID)
					continue;
				if (attr_u32(j, &q->lease_queue))
					return -EBADMSG;
			}
			break;
		case ZCRX_NETDEV_A_LEASE_NETNS_ID:
			if (zcrx_nla_len(i) != 4)
				return -EBADMSG;
			memcpy(&v, zcrx_nla_data(i), 4);
			q->lease_netns_id = (int32_t)v;
			q->lease_other_netns = true;
			break;
		}
	}
	/* a lease names a device: the spec's ifindex is at least 1 */
	return q->lease_ifindex ? 0 : -EBADMSG;
}

int zcrx_nl_parse_queue_any(struct nlmsghdr *nlh, int *ifindex, struct zcrx_rxq *q)
{
	uint32_t type = UINT32_MAX, ifi = 0;
	bool have_id = false;
	struct nlattr *head, *a;
	int len, rem;

	memset(q, 0, sizeof(*q));
	if (genl_attrs(nlh, &head, &len))
		return -EBADMSG;

	zcrx_nla_for_each(a, head, len, rem) {
		switch (zcrx_nla_type(a)) {
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
	if (!have_id || type == UINT32_MAX || !ifi || ifi > INT32_MAX)
		return -EBADMSG;
	*ifindex = (int)ifi;
	return type == ZCRX_NETDEV_QUEUE_TYPE_RX;
}

int zcrx_nl_parse_queue(struct nlmsghdr *nlh, int ifindex, struct zcrx_rxq *q)
{
	int ifi, ret;

	ret = zcrx_nl_parse_queue_any(nlh, &ifi, q);
	return ret == 1 && ifi != ifindex ? 0 : ret;
}

int zcrx_nl_parse_qstats_any(struct nlmsghdr *nlh, int *ifindex, struct zcrx_rxq *q)
{
	uint32_t type = UINT32_MAX, ifi = 0;
	bool have_id = false;
	struct nlattr *head, *a;
	int len, rem, id;
	uint64_t v;

	memset(q, 0, sizeof(*q));
	if (genl_attrs(nlh, &head, &len))
		return -EBADMSG;

	zcrx_nla_for_each(a, head, len, rem) {
		id = zcrx_nla_type(a);
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
	if (!ifi || ifi > INT32_MAX)
		return -EBADMSG;
	*ifindex = (int)ifi;
	return have_id && type == ZCRX_NETDEV_QUEUE_TYPE_RX;
}

int zcrx_nl_parse_qstats(struct nlmsghdr *nlh, int ifindex, struct zcrx_rxq *q)
{
	int ifi, ret;

	ret = zcrx_nl_parse_qstats_any(nlh, &ifi, q);
	return ret == 1 && ifi != ifindex ? 0 : ret;
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

	zcrx_nla_for_each(a, head, len, rem) {
		switch (zcrx_nla_type(a)) {
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

	zcrx_nla_for_each(a, head, len, rem) {
		id = zcrx_nla_type(a);
		if (id == ZCRX_NETDEV_A_PAGE_POOL_STATS_INFO) {
			zcrx_nla_for_each_nested(i, a, irem) {
				if (zcrx_nla_type(i) != ZCRX_NETDEV_A_PAGE_POOL_ID)
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

	zcrx_nla_for_each(a, head, len, rem) {
		id = zcrx_nla_type(a);
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

int zcrx_nl_parse_ethtool_dev(struct nlmsghdr *nlh, int *ifindex)
{
	struct nlattr *head, *a, *i;
	int len, rem, irem;
	uint32_t v = 0;

	*ifindex = 0;
	if (genl_attrs(nlh, &head, &len))
		return -EBADMSG;
	zcrx_nla_for_each(a, head, len, rem) {
		/* the header nest is attribute 1 in every ethtool reply */
		if (zcrx_nla_type(a) != 1)
			continue;
		zcrx_nla_for_each_nested(i, a, irem) {
			if (zcrx_nla_type(i) != ZCRX_ETHTOOL_A_HEADER_DEV_INDEX)
				continue;
			if (attr_u32(i, &v))
				return -EBADMSG;
		}
	}
	if (!v || v > INT32_MAX)
		return -EBADMSG;
	*ifindex = (int)v;
	return 1;
}

/* IFLA_INFO_KIND of an IFLA_LINKINFO nest into kind, "" when absent or too long. */
static void link_kind(const struct nlattr *info, char *kind, size_t len)
{
	struct nlattr *a;
	int rem, n;

	zcrx_nla_for_each_nested(a, info, rem) {
		if (zcrx_nla_type(a) != IFLA_INFO_KIND)
			continue;
		n = (int)strnlen(zcrx_nla_data(a), zcrx_nla_len(a));
		if (n < zcrx_nla_len(a) && (size_t)n < len)
			memcpy(kind, zcrx_nla_data(a), n + 1);
	}
}

int zcrx_nl_parse_link(struct nlmsghdr *nlh, struct zcrx_netdev *dev, char *kind, size_t klen)
{
	static const uint32_t one = 1;
	struct nlattr *head, *a;
	struct ifinfomsg ifi;
	bool named = false;
	int len, rem, n;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(ifi)) ||
	    zcrx_nl_attrs(nlh, sizeof(ifi), &head, &len))
		return -EBADMSG;
	memcpy(&ifi, NLMSG_DATA(nlh), sizeof(ifi));
	if (ifi.ifi_index <= 0)
		return -EBADMSG;
	dev->ifindex = ifi.ifi_index;
	/* what SIOCGIFFLAGS gives: dev_get_flags() in a short */
	dev->flags = (unsigned short)ifi.ifi_flags;
	dev->has_parent = false;
	dev->nr_rx_sysfs = 0;
	if (klen)
		kind[0] = '\0';
	zcrx_nla_for_each(a, head, len, rem) {
		switch (zcrx_nla_type(a)) {
		case IFLA_IFNAME:
			n = (int)strnlen(zcrx_nla_data(a), zcrx_nla_len(a));
			if (!n || n >= zcrx_nla_len(a) || n >= IF_NAMESIZE)
				return -EBADMSG;
			memcpy(dev->name, zcrx_nla_data(a), n + 1);
			named = true;
			break;
		case IFLA_LINKINFO:
			link_kind(a, kind, klen);
			break;
		case IFLA_PARENT_DEV_NAME:
			/* what /sys/class/net/DEV/device stands for: a parent */
			dev->has_parent = true;
			break;
		case IFLA_NUM_RX_QUEUES:
			/*
			 * num_rx_queues, the most real_num_rx_queues (the rx-N
			 * in sysfs) may be: when it is 1, so is the other.
			 */
			if (zcrx_nla_len(a) == 4 && !memcmp(zcrx_nla_data(a), &one, 4))
				dev->nr_rx_sysfs = 1;
			break;
		}
	}
	return named ? 1 : -EBADMSG;
}
