// SPDX-License-Identifier: MIT
/*
 * show's printing of a netdev view (struct zcrx_netdev_list), apart from the
 * command so a test can render recorded replies: devices, rings, channels,
 * RX queues with their provider, lease, qstats and page pools, readiness.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "zcrx.h"
#include "zcrx_diag.h"
#include "show.h"

#define BIT(n)	(1U << (n))

/* ------------------------------------------------------------------ */
/* Words                                                               */
/* ------------------------------------------------------------------ */

/* Why a part of the view is missing, from the errno the kernel gave. */
static const char *unavail(int err)
{
	switch (-err) {
	case EOPNOTSUPP:
		return "not supported by driver";
	case ENOENT:
		return "kernel lacks the netlink family";
	case ENETDOWN:
		return "device is down, the kernel lists no queues then";
	case ENODEV:
		return "device went away";
	case EPERM:
	case EACCES:
		return "permission denied";
	default:
		return strerror(-err);
	}
}

static const char *pools_unavail(int err)
{
	if (err == -EOPNOTSUPP)
		return "not available (kernel built without CONFIG_PAGE_POOL?)";
	return unavail(err);
}

static const char *pool_stats_unavail(int err)
{
	if (err == -EOPNOTSUPP)
		return "not available (kernel built without CONFIG_PAGE_POOL_STATS?)";
	return unavail(err);
}

/* JSON names of the reasons, and what each check looks at, by bit index. */
static const char *const reason_key[] = {
	"virtual", "no-queue-api", "no-dma", "hds-off", "hds-thresh",
	"bound", "xsk", "few-channels", "no-queue",
};

static const char *const check_what[] = {
	"bus device", "driver", "driver", "tcp-data-split", "hds-thresh",
	"memory provider", "AF_XDP", "RX channels", "queue count",
};

/* Words of our own, text only: print_text() would run printf and copy them twice. */
static void text(struct printer *pr, const char *words)
{
	print_string(pr, PRINT_FP, NULL, "%s", words);
}

static int bit_index(unsigned int bit)
{
	return __builtin_ctz(bit);
}

/* Why a readiness check could not be made. */
/* s after buf's first n bytes, as much as len (with the NUL) allows: the new n */
static size_t why_put(char *buf, size_t len, size_t n, const char *s)
{
	size_t k = strlen(s);

	if (k > len - 1 - n)
		k = len - 1 - n;
	memcpy(buf + n, s, k);
	return n + k;
}

/* buf = "what: how", or how alone when what is NULL: snprintf's cost, not its work */
static void why_join(char *buf, size_t len, const char *what, const char *how)
{
	size_t n = 0;

	if (what) {
		n = why_put(buf, len, n, what);
		n = why_put(buf, len, n, ": ");
	}
	n = why_put(buf, len, n, how);
	buf[n] = '\0';
}

static void unchecked_why(unsigned int bit, const struct zcrx_netdev *dev, char *buf,
			  size_t len)
{
	switch (bit) {
	case ZCRX_UNREADY_NO_QUEUE_API:
		why_join(buf, len, "driver name", strerror(-dev->driver_err));
		break;
	case ZCRX_UNREADY_HDS_OFF:
		if (dev->rings_err)
			why_join(buf, len, "rings", unavail(dev->rings_err));
		else
			why_join(buf, len, NULL, "not reported by driver");
		break;
	case ZCRX_UNREADY_HDS_THRESH:
		if (dev->rings_err)
			why_join(buf, len, "rings", unavail(dev->rings_err));
		else
			why_join(buf, len, NULL,
				 "driver reports neither tcp-data-split nor hds-thresh");
		break;
	case ZCRX_UNREADY_FEW_CHANNELS:
		if (dev->channels_err)
			why_join(buf, len, "channels", unavail(dev->channels_err));
		else
			why_join(buf, len, NULL, "channel counts not reported by driver");
		break;
	case ZCRX_UNREADY_BOUND:
	case ZCRX_UNREADY_XSK:
		if (dev->queues_err)
			why_join(buf, len, "queues", unavail(dev->queues_err));
		else
			why_join(buf, len, NULL, "queue not listed by the kernel");
		break;
	default:
		why_join(buf, len, NULL, "RX queue count unknown");
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

static const char *const rings_key[ZCRX_RINGS_MAX + 1] = {
	[2] = "rx-max", [3] = "rx-mini-max", [4] = "rx-jumbo-max", [5] = "tx-max",
	[6] = "rx", [7] = "rx-mini", [8] = "rx-jumbo", [9] = "tx", [10] = "rx-buf-len",
	[11] = "tcp-data-split", [12] = "cqe-size", [13] = "tx-push", [14] = "rx-push",
	[15] = "tx-push-buf-len", [16] = "tx-push-buf-len-max", [17] = "hds-thresh",
	[18] = "hds-thresh-max", [19] = "rx-buf-len-max",
};

static const char *const channels_key[ZCRX_CHANNELS_MAX + 1] = {
	[2] = "rx-max", [3] = "tx-max", [4] = "other-max", [5] = "combined-max",
	[6] = "rx-count", [7] = "tx-count", [8] = "other-count", [9] = "combined-count",
};

static void print_rings(struct printer *pr, const struct zcrx_netdev *dev)
{
	static const char *const tds_spec[] = { "unknown", "disabled", "enabled" };
	static const char *const tds_text[] = { "auto", "off", "on" };
	const uint32_t *r = dev->rings;
	uint32_t have = dev->rings_have;
	uint32_t tds;
	unsigned int id;

	text(pr, "    rings: ");
	if (dev->rings_err) {
		print_null(pr, PRINT_JSON, "rings", NULL);
		print_string(pr, PRINT_ANY, "rings-error", "%s\n", unavail(dev->rings_err));
		return;
	}
	open_json_object(pr, "rings");
	for (id = 2; id <= ZCRX_RINGS_MAX; id++) {
		if (!(have & BIT(id)) || id == ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT)
			continue;
		print_uint(pr, PRINT_JSON, rings_key[id], NULL, r[id]);
	}
	if (have & BIT(ZCRX_ETHTOOL_A_RINGS_RX))
		print_uint(pr, PRINT_FP, NULL, "rx %llu", r[ZCRX_ETHTOOL_A_RINGS_RX]);
	if (have & BIT(ZCRX_ETHTOOL_A_RINGS_RX_MAX))
		print_uint(pr, PRINT_FP, NULL, "/%llu", r[ZCRX_ETHTOOL_A_RINGS_RX_MAX]);

	if (have & BIT(ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT)) {
		tds = r[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT];
		if (tds <= ZCRX_ETHTOOL_TCP_DATA_SPLIT_ENABLED) {
			print_string(pr, PRINT_JSON, "tcp-data-split", NULL, tds_spec[tds]);
			print_string(pr, PRINT_FP, NULL, " tcp-data-split %s", tds_text[tds]);
		} else {
			print_uint(pr, PRINT_ANY, "tcp-data-split", " tcp-data-split %llu", tds);
		}
	} else {
		print_null(pr, PRINT_JSON, "tcp-data-split", NULL);
		text(pr, " tcp-data-split not reported");
	}

	if (have & BIT(ZCRX_ETHTOOL_A_RINGS_HDS_THRESH)) {
		print_uint(pr, PRINT_FP, NULL, " hds-thresh %llu", r[ZCRX_ETHTOOL_A_RINGS_HDS_THRESH]);
		if (have & BIT(ZCRX_ETHTOOL_A_RINGS_HDS_THRESH_MAX))
			print_uint(pr, PRINT_FP, NULL, " (max %llu)",
				   r[ZCRX_ETHTOOL_A_RINGS_HDS_THRESH_MAX]);
	} else {
		print_null(pr, PRINT_JSON, "hds-thresh", NULL);
		text(pr, " hds-thresh not reported");
	}
	print_nl(pr);
	close_json_object(pr);
}

static void print_channels(struct printer *pr, const struct zcrx_netdev *dev)
{
	static const char *const kind[] = { "rx", "tx", "other", "combined" };
	const uint32_t *c = dev->channels;
	uint32_t have = dev->channels_have;
	unsigned int id, k, n = 0;

	text(pr, "    channels: ");
	if (dev->channels_err) {
		print_null(pr, PRINT_JSON, "channels", NULL);
		print_string(pr, PRINT_ANY, "channels-error", "%s\n", unavail(dev->channels_err));
		return;
	}
	open_json_object(pr, "channels");
	for (id = 2; id <= ZCRX_CHANNELS_MAX; id++)
		if (have & BIT(id))
			print_uint(pr, PRINT_JSON, channels_key[id], NULL, c[id]);
	/* text: "rx 1/2 combined 4/8", count/max of each kind reported */
	for (k = 0; k < 4; k++) {
		unsigned int max_id = ZCRX_ETHTOOL_A_CHANNELS_RX_MAX + k;
		unsigned int cnt_id = ZCRX_ETHTOOL_A_CHANNELS_RX_COUNT + k;

		if (!(have & (BIT(max_id) | BIT(cnt_id))))
			continue;
		print_string(pr, PRINT_FP, NULL, n++ ? " %s " : "%s ", kind[k]);
		if (have & BIT(cnt_id))
			print_uint(pr, PRINT_FP, NULL, "%llu", c[cnt_id]);
		else
			text(pr, "n/a");
		if (have & BIT(max_id))
			print_uint(pr, PRINT_FP, NULL, "/%llu", c[max_id]);
	}
	if (!n)
		text(pr, "none reported");
	print_nl(pr);
	close_json_object(pr);
}

static void print_providers(struct printer *pr, const struct zcrx_rxq *q)
{
	static const struct { unsigned int mp; const char *name; } mps[] = {
		{ ZCRX_MP_IO_URING, "io-uring" },
		{ ZCRX_MP_DMABUF, "dmabuf" },
		{ ZCRX_MP_XSK, "xsk" },
	};
	unsigned int i, n = 0;

	text(pr, " providers ");
	open_json_array(pr, "providers");
	for (i = 0; i < sizeof(mps) / sizeof(mps[0]); i++) {
		if (!(q->mp & mps[i].mp))
			continue;
		print_string(pr, PRINT_ANY, NULL, n++ ? ",%s" : "%s", mps[i].name);
	}
	close_json_array(pr);
	if (!n)
		text(pr, "none");
	if (q->mp & ZCRX_MP_DMABUF)
		print_uint(pr, PRINT_ANY, "dmabuf", " dmabuf %llu", q->dmabuf);
	/* 7.2's io-uring nest carries rx-buf-len; earlier ones are empty */
	if (q->rx_buf_len)
		print_uint(pr, PRINT_ANY, "rx-buf-len", " rx-buf-len %llu", q->rx_buf_len);
	else if (q->mp & ZCRX_MP_IO_URING)
		print_null(pr, PRINT_ANY, "rx-buf-len", " rx-buf-len %s");
	else
		print_null(pr, PRINT_JSON, "rx-buf-len", NULL);
}

/* 7.2's lease: the other device's queue this one is leased to or from */
static void print_lease(struct printer *pr, const struct zcrx_rxq *q)
{
	if (!q->lease_ifindex) {
		print_null(pr, PRINT_JSON, "lease", NULL);
		return;
	}
	open_json_object(pr, "lease");
	print_uint(pr, PRINT_ANY, "ifindex", " lease ifindex %llu", q->lease_ifindex);
	print_uint(pr, PRINT_ANY, "queue", " queue %llu", q->lease_queue);
	if (q->lease_other_netns)
		print_int(pr, PRINT_ANY, "netns-id", " netns-id %lld", q->lease_netns_id);
	close_json_object(pr);
}

static void print_qstats(struct printer *pr, const struct zcrx_netdev *dev, const struct zcrx_rxq *q)
{
	char fmt[64];
	unsigned int id;
	const char *name;

	if (dev->qstats_err || !q) {
		print_null(pr, PRINT_JSON, "qstats", NULL);
		return;
	}
	open_json_object(pr, "qstats");
	for (id = 0; id <= ZCRX_QSTATS_MAX; id++) {
		name = zcrx_qstat_name(id);
		if (!(q->qstats_have & (1ULL << id)) || !name)
			continue;
		snprintf(fmt, sizeof(fmt), " %s %%llu", name);
		print_uint(pr, PRINT_ANY, name, fmt, q->qstats[id]);
	}
	close_json_object(pr);
}

static void print_reasons(struct printer *pr, const struct zcrx_netdev *dev, uint32_t queue, unsigned int bits,
			  unsigned int unk)
{
	char fix[256], why[256];
	unsigned int bit;
	int n;

	open_json_array(pr, "reasons");
	for (bit = 1; bit && bit <= ZCRX_UNREADY_LAST; bit <<= 1) {
		if (!(bits & bit))
			continue;
		open_json_object(pr, NULL);
		print_string(pr, PRINT_JSON, "reason", NULL, reason_key[bit_index(bit)]);
		print_string(pr, PRINT_ANY, "message", "        %s", zcrx_unready_str(bit));
		if (bit == ZCRX_UNREADY_NO_QUEUE_API || bit == ZCRX_UNREADY_NO_DMA) {
			if (dev->driver_err == -EOPNOTSUPP)
				text(pr, " (the device has no driver)");
			else if (dev->driver_err)
				print_string(pr, PRINT_FP, NULL, " (no driver name: %s)",
					     strerror(-dev->driver_err));
			else
				print_string(pr, PRINT_FP, NULL, " (driver %s)", dev->driver);
		}
		n = zcrx_unready_fix(bit, dev, queue, fix, sizeof(fix));
		if (n > 0)
			print_string(pr, PRINT_ANY, "fix", "; fix: %s", fix);
		else
			print_null(pr, PRINT_JSON, "fix", NULL);
		print_nl(pr);
		close_json_object(pr);
	}
	close_json_array(pr);

	open_json_array(pr, "unchecked");
	for (bit = 1; bit && bit <= ZCRX_UNREADY_LAST; bit <<= 1) {
		if (!(unk & bit))
			continue;
		unchecked_why(bit, dev, why, sizeof(why));
		open_json_object(pr, NULL);
		print_string(pr, PRINT_JSON, "reason", NULL, reason_key[bit_index(bit)]);
		print_color_string(pr, PRINT_FP, COLOR_WARN, NULL, "        unchecked: %s",
				   check_what[bit_index(bit)]);
		print_string(pr, PRINT_ANY, "why", " (%s)\n", why);
		close_json_object(pr);
	}
	close_json_array(pr);
}

/* A page pool serves the queue whose NAPI it names (iou-zcrx.py's test). */
static bool pool_of_queue(const struct zcrx_pool *p, const struct zcrx_rxq *q)
{
	return q && q->has_napi && p->has_napi && p->napi_id == q->napi_id;
}

static bool pool_of_any_queue(const struct zcrx_netdev *dev, const struct zcrx_pool *p)
{
	size_t i;

	for (i = 0; i < dev->nr_rxq; i++)
		if (pool_of_queue(p, &dev->rxq[i]))
			return true;
	return false;
}

static void print_pool_stats(struct printer *pr, const struct zcrx_pool *p, const char *indent)
{
	/* text: one line of alloc-*, one of recycle-*, with the prefix said once */
	static const struct { unsigned int from, to; const char *word; } groups[] = {
		{ ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_FAST,
		  ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_WAIVE, "alloc" },
		{ ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_CACHED,
		  ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RELEASED_REFCNT, "recycle" },
	};
	char fmt[64];
	unsigned int g, id;
	const char *name;

	if (!p->stats_have) {
		print_null(pr, PRINT_JSON, "stats", NULL);
		return;
	}
	open_json_object(pr, "stats");
	for (g = 0; g < 2; g++) {
		unsigned int n = 0;

		for (id = groups[g].from; id <= groups[g].to; id++) {
			name = zcrx_pool_stat_name(id);
			if (!(p->stats_have & BIT(id)) || !name)
				continue;
			if (!n++)
				print_text(pr, "%s%s", indent, groups[g].word);
			/* "alloc-fast" in JSON, "fast" after "alloc" in text */
			snprintf(fmt, sizeof(fmt), " %s %%llu", name + strlen(groups[g].word) + 1);
			print_uint(pr, PRINT_ANY, name, fmt, p->stats[id]);
		}
		if (n)
			print_nl(pr);
	}
	close_json_object(pr);
}

static void print_pool(struct printer *pr, const struct zcrx_pool *p, const char *indent,
		       uint64_t now)
{
	char sub[32];

	open_json_object(pr, NULL);
	text(pr, indent);
	print_uint(pr, PRINT_ANY, "id", "page pool %llu:", p->id);
	if (p->has_napi)
		print_uint(pr, PRINT_ANY, "napi-id", " napi %llu", p->napi_id);
	if (p->detach_time) {
		/* the driver let it go; it lives on until its pages come back */
		print_uint(pr, PRINT_JSON, "detach-time", NULL, p->detach_time);
		print_bool(pr, PRINT_JSON, "detached", NULL, true);
		if (now >= p->detach_time) {
			print_uint(pr, PRINT_ANY, "detached-for", " detached %llu s ago",
				   now - p->detach_time);
		} else {
			print_null(pr, PRINT_JSON, "detached-for", NULL);
			print_uint(pr, PRINT_FP, NULL, " detached at %llu s of boot time",
				   p->detach_time);
		}
	} else {
		print_bool(pr, PRINT_JSON, "detached", NULL, false);
	}
	if (p->has_inflight) {
		if (p->detach_time && p->inflight)
			print_color_string(pr, PRINT_FP, COLOR_BAD, NULL, "%s", ",");
		print_uint(pr, PRINT_ANY, "inflight", p->inflight == 1 ? " %llu page in flight" :
			   " %llu pages in flight", p->inflight);
		print_uint(pr, PRINT_ANY, "inflight-mem", " (%llu bytes)", p->inflight_mem);
	}
	if (p->dmabuf)
		print_uint(pr, PRINT_ANY, "dmabuf", " dmabuf %llu", p->dmabuf);
	print_bool(pr, PRINT_JSON, "io-uring", NULL, p->io_uring);
	if (p->io_uring)
		text(pr, " io-uring");
	if (p->rx_buf_len)
		print_uint(pr, PRINT_ANY, "rx-buf-len", " rx-buf-len %llu", p->rx_buf_len);
	else if (p->io_uring)
		print_null(pr, PRINT_ANY, "rx-buf-len", " rx-buf-len %s");
	print_nl(pr);
	snprintf(sub, sizeof(sub), "%s    ", indent);
	print_pool_stats(pr, p, sub);
	close_json_object(pr);
}

/* rx-alloc-fail is the queue's own starvation count: said in words when not 0 */
static void print_alloc_fail(struct printer *pr, const struct zcrx_rxq *q)
{
	uint64_t n;

	if (!q || !(q->qstats_have & (1ULL << ZCRX_NETDEV_A_QSTATS_RX_ALLOC_FAIL)))
		return;
	n = q->qstats[ZCRX_NETDEV_A_QSTATS_RX_ALLOC_FAIL];
	if (!n)
		return;
	print_color_string(pr, PRINT_FP, COLOR_BAD, NULL, "        %s", "rx-alloc-fail");
	print_text(pr, " %llu: RX buffer allocation failed %llu time%s%s\n",
		   (unsigned long long)n, (unsigned long long)n, n == 1 ? "" : "s",
		   q->mp & ZCRX_MP_IO_URING ?
		   " (io-uring: the zcrx area ran dry, the application returns buffers"
		   " too slowly)" : "");
}

static void print_queue(struct printer *pr, const struct zcrx_netdev *dev, uint32_t queue,
			uint64_t now)
{
	const struct zcrx_rxq *q = zcrx_netdev_rxq(dev, queue);
	unsigned int bits, unk;
	size_t i;

	bits = zcrx_rxq_readiness(dev, queue, &unk);

	open_json_object(pr, NULL);
	print_uint(pr, PRINT_ANY, "queue", "    queue %llu:", queue);
	if (q && q->has_napi)
		print_uint(pr, PRINT_ANY, "napi-id", " napi %llu", q->napi_id);
	else
		print_null(pr, PRINT_ANY, "napi-id", " napi %s");
	if (q) {
		print_providers(pr, q);
		print_lease(pr, q);
	} else {
		print_null(pr, PRINT_JSON, "providers", NULL);
		print_null(pr, PRINT_JSON, "rx-buf-len", NULL);
		print_null(pr, PRINT_JSON, "lease", NULL);
	}
	print_qstats(pr, dev, q);

	if (bits) {
		print_bool(pr, PRINT_JSON, "ready", NULL, false);
		print_color_string(pr, PRINT_FP, COLOR_BAD, NULL, " %s:\n", "not ready");
	} else if (unk) {
		/* nothing known stands in the way, but not everything was checked */
		print_null(pr, PRINT_JSON, "ready", NULL);
		print_color_string(pr, PRINT_FP, COLOR_WARN, NULL, " %s:\n", "maybe ready");
	} else {
		print_bool(pr, PRINT_JSON, "ready", NULL, true);
		print_color_string(pr, PRINT_FP, COLOR_OK, NULL, " %s\n", "ready");
	}
	print_reasons(pr, dev, queue, bits, unk);
	print_alloc_fail(pr, q);

	if (dev->pools_err) {
		print_null(pr, PRINT_JSON, "page-pools", NULL);
	} else {
		open_json_array(pr, "page-pools");
		for (i = 0; i < dev->nr_pools; i++)
			if (pool_of_queue(&dev->pools[i], q))
				print_pool(pr, &dev->pools[i], "        ", now);
		close_json_array(pr);
	}
	close_json_object(pr);
}

static void print_pools(struct printer *pr, const struct zcrx_netdev *dev, uint64_t now)
{
	bool json = print_is_json(pr);
	size_t i, n = 0;

	if (dev->pools_err) {
		print_null(pr, PRINT_JSON, "page-pools", NULL);
		print_string(pr, PRINT_ANY, "page-pools-error", "    page pools: %s\n",
			     pools_unavail(dev->pools_err));
		return;
	}
	/* JSON: every pool of the device; text: those no queue line showed */
	open_json_array(pr, "page-pools");
	for (i = 0; i < dev->nr_pools; i++) {
		if (!json && pool_of_any_queue(dev, &dev->pools[i]))
			continue;
		if (!json && !n++)
			print_string(pr, PRINT_FP, NULL, "%s\n", "    page pools of no queue:");
		print_pool(pr, &dev->pools[i], "        ", now);
	}
	close_json_array(pr);
	if (!dev->nr_pools)
		print_string(pr, PRINT_FP, NULL, "%s\n", "    page pools: none");
	/* with no pool there are no stats to miss: say so only in JSON */
	if (dev->pool_stats_err)
		print_string(pr, dev->nr_pools ? PRINT_ANY : PRINT_JSON, "page-pool-stats-error",
			     "    page-pool stats: %s\n", pool_stats_unavail(dev->pool_stats_err));
}

static void print_device(struct printer *pr, const struct zcrx_netdev *dev,
			 const struct show_args *a)
{
	uint32_t nr = zcrx_netdev_nr_rx(dev), q;

	open_json_object(pr, NULL);
	print_color_string(pr, PRINT_ANY, COLOR_NAME, "ifname", "%s:", dev->name);
	print_uint(pr, PRINT_ANY, "ifindex", " ifindex %llu", dev->ifindex);
	if (dev->driver_err)
		print_null(pr, PRINT_ANY, "driver", " driver %s");
	else
		print_string(pr, PRINT_ANY, "driver", " driver %s", dev->driver);
	print_string(pr, PRINT_ANY, "state", " state %s", dev->flags & IFF_UP ? "up" : "down");
	print_bool(pr, PRINT_JSON, "has-parent", NULL, dev->has_parent);
	if (!dev->has_parent)
		text(pr, " virtual");
	print_uint(pr, PRINT_ANY, "rx-queues", " rx-queues %llu", nr);
	print_nl(pr);

	print_rings(pr, dev);
	print_channels(pr, dev);
	if (dev->queues_err)
		print_string(pr, PRINT_ANY, "queues-error", "    queues: %s\n",
			     unavail(dev->queues_err));
	if (dev->qstats_err)
		print_string(pr, PRINT_ANY, "qstats-error", "    qstats: %s\n",
			     unavail(dev->qstats_err));

	open_json_array(pr, "queues");
	if (a->has_queue) {
		print_queue(pr, dev, a->queue, a->now);
	} else {
		for (q = 0; q < nr; q++)
			print_queue(pr, dev, q, a->now);
	}
	close_json_array(pr);

	print_pools(pr, dev, a->now);
	close_json_object(pr);
}

/*
 * Pools whose device is gone (page_pool_user.c moves them to lo and lists
 * them without ifindex): no device to show them under, so a last entry of
 * their own, "ifname" null, in JSON as in text.
 */
static void print_orphans(struct printer *pr, const struct zcrx_netdev_list *list,
			  uint64_t now)
{
	size_t i;

	open_json_object(pr, NULL);
	print_null(pr, PRINT_JSON, "ifname", NULL);
	print_null(pr, PRINT_JSON, "ifindex", NULL);
	print_bool(pr, PRINT_JSON, "device-gone", NULL, true);
	open_json_array(pr, "queues");
	close_json_array(pr);
	print_color_string(pr, PRINT_FP, COLOR_BAD, NULL, "%s\n",
			   "page pools whose device is gone:");
	open_json_array(pr, "page-pools");
	for (i = 0; i < list->nr_orphan_pools; i++)
		print_pool(pr, &list->orphan_pools[i], "    ", now);
	close_json_array(pr);
	close_json_object(pr);
}

void show_print(struct printer *pr, const struct zcrx_netdev_list *list,
		const struct show_args *a)
{
	size_t i;

	open_json_array(pr, NULL);
	for (i = 0; i < list->nr; i++) {
		if (i)
			print_nl(pr);
		print_device(pr, &list->dev[i], a);
	}
	/* a leak on the host is worth seeing from any device, not from a queue */
	if (list->nr_orphan_pools && !a->has_queue) {
		if (list->nr)
			print_nl(pr);
		print_orphans(pr, list, a->now);
	}
	close_json_array(pr);
	print_end(pr);
}

