// SPDX-License-Identifier: MIT
/*
 * Who holds an RX queue: netdev queue-get for one queue (the kernel's
 * backend), the same question through any backend, and the poll until the
 * queue is free that the kernel's own selftests do after a zcrx test
 * (tools/testing/selftests/drivers/net/hw/iou-zcrx.py: mp_clear_wait(),
 * every 100 ms).  The sentences are diag.c's.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "internal.h"
#include "nl.h"

#define POLL_NS		100000000ULL	/* iou-zcrx.py's time.sleep(0.1) */

struct queue_reply {
	int			ifindex;
	bool			found;
	struct zcrx_rxq		q;
};

static int queue_reply_cb(struct nlmsghdr *nlh, void *arg)
{
	struct queue_reply *r = arg;
	struct zcrx_rxq q;
	int ret;

	ret = zcrx_nl_parse_queue(nlh, r->ifindex, &q);
	if (ret <= 0)
		return ret;
	r->q = q;
	r->found = true;
	return 0;
}

/*
 * net/core/netdev-genl.c: netdev_nl_queue_get_doit() wants ifindex, type
 * and id, and answers -ENODEV (no device), -ENOENT (device down) or
 * -EINVAL (id beyond real_num_rx_queues).
 */
int zcrx_kernel_queue_get(struct zcrx_ctx *ctx, const char *ifname, uint32_t queue,
			  struct zcrx_queue_holder *h)
{
	struct queue_reply r = { 0 };
	struct zcrx_nl_msg *msg;
	struct zcrx_nl nl;
	int ret;

	(void)ctx;
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return -ENODEV;
	r.ifindex = if_nametoindex(ifname);
	if (!r.ifindex)
		return errno == ENOMEM ? -ENOMEM : -ENODEV;
	ret = zcrx_nl_open(&nl, "netdev");
	if (ret)
		return ret;
	msg = zcrx_nl_msg(&nl, ZCRX_NETDEV_CMD_QUEUE_GET, NLM_F_ACK);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	if (zcrx_nl_put_u32(msg, ZCRX_NETDEV_A_QUEUE_IFINDEX, r.ifindex) ||
	    zcrx_nl_put_u32(msg, ZCRX_NETDEV_A_QUEUE_TYPE, ZCRX_NETDEV_QUEUE_TYPE_RX) ||
	    zcrx_nl_put_u32(msg, ZCRX_NETDEV_A_QUEUE_ID, queue)) {
		zcrx_nl_msg_free(msg);
		ret = -ENOMEM;
		goto out;
	}
	ret = zcrx_nl_request(&nl, msg, queue_reply_cb, &r);
	if (!ret && (!r.found || r.q.id != queue))
		ret = -EBADMSG;
	if (!ret) {
		h->mp = r.q.mp;
		h->dmabuf = r.q.dmabuf;
		h->ifindex = r.ifindex;
	}
out:
	zcrx_nl_close(&nl);
	return ret;
}

int zcrx_queue_holder(struct zcrx_ctx *ctx, const char *ifname, uint32_t queue,
		      struct zcrx_queue_holder *h)
{
	int saved_errno = errno, ret;

	if (!h)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	if (!ctx)
		ret = zcrx_kernel_queue_get(NULL, ifname, queue, h);
	else if (ctx->ops->queue_get)
		ret = ctx->ops->queue_get(ctx, ifname, queue, h);
	else
		ret = -EOPNOTSUPP;
	if (ret)
		memset(h, 0, sizeof(*h));
	errno = saved_errno;
	return ret;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int zcrx_queue_wait_clear(struct zcrx_ctx *ctx, const char *ifname, uint32_t queue,
			  uint64_t timeout_ns, struct zcrx_queue_holder *h)
{
	uint64_t start = now_ns(), now, left, nap;
	int saved_errno = errno, ret;
	struct timespec ts;

	for (;;) {
		ret = zcrx_queue_holder(ctx, ifname, queue, h);
		if (ret || !h->mp)
			break;
		now = now_ns();
		if (now - start >= timeout_ns) {
			ret = -ETIMEDOUT;
			break;
		}
		left = timeout_ns - (now - start);
		nap = left < POLL_NS ? left : POLL_NS;
		ts.tv_sec = nap / 1000000000ULL;
		ts.tv_nsec = nap % 1000000000ULL;
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	errno = saved_errno;
	return ret;
}
