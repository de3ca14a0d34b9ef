// SPDX-License-Identifier: MIT
/*
 * The netdev, ethtool and rtnl link reply parsers (lib/nl.c) on any message.  The seeds
 * are real replies recorded from a kernel (fuzz/nlrecord.c); every parser
 * gets every input, since a reply of one kind is a mutated reply of another.
 *
 * The parsers' contract (lib/nl.h): nlmsg_len bytes are readable, the rest
 * may be anything.  The input is copied to a buffer of exactly its size, and
 * nlmsg_len is cut down to it when larger, so any read past what the kernel
 * would have delivered is an ASan report.  Oracles: the documented results
 * and no field outside its bounds.
 */
#include <errno.h>

#include "fuzz.h"
#include "nl.h"

static void check_rxq(const struct zcrx_rxq *q)
{
	fz_assert(!(q->qstats_have & ~((2ULL << ZCRX_QSTATS_MAX) - 1)), "qstats_have %#llx",
		  (unsigned long long)q->qstats_have);
	fz_assert(!(q->mp & ~(ZCRX_MP_IO_URING | ZCRX_MP_DMABUF | ZCRX_MP_XSK)), "mp %#x", q->mp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t have, vals[32];
	struct nlmsghdr *nlh;
	struct zcrx_netdev dev;
	char kind[16];
	struct zcrx_pool pool;
	struct zcrx_rxq q;
	int ret, ifi;

	if (size < sizeof(*nlh))
		return 0;
	nlh = malloc(size);
	if (!nlh)
		abort();
	memcpy(nlh, data, size);
	if (nlh->nlmsg_len > size)
		nlh->nlmsg_len = (uint32_t)size;
	/* the ifindex the caller asks about: from the message, so it can match */
	ifi = size >= 24 ? (int)data[size - 1] : 1;

	ret = zcrx_nl_parse_queue(nlh, ifi, &q);
	fz_assert(ret == 1 || ret == 0 || ret == -EBADMSG, "queue: %d", ret);
	check_rxq(&q);

	ret = zcrx_nl_parse_qstats(nlh, ifi, &q);
	fz_assert(ret == 1 || ret == 0 || ret == -EBADMSG, "qstats: %d", ret);
	check_rxq(&q);

	ret = zcrx_nl_parse_queue_any(nlh, &ifi, &q);
	fz_assert(ret == 1 || ret == 0 || ret == -EBADMSG, "queue any: %d", ret);
	fz_assert(ret < 0 || ifi > 0, "queue any: ifindex %d", ifi);
	check_rxq(&q);

	ret = zcrx_nl_parse_qstats_any(nlh, &ifi, &q);
	fz_assert(ret == 1 || ret == 0 || ret == -EBADMSG, "qstats any: %d", ret);
	fz_assert(ret < 0 || ifi > 0, "qstats any: ifindex %d", ifi);
	check_rxq(&q);

	ret = zcrx_nl_parse_ethtool_dev(nlh, &ifi);
	fz_assert((ret == 1 && ifi > 0) || (ret == -EBADMSG && !ifi), "ethtool dev: %d %d",
		  ret, ifi);

	memset(&dev, 0, sizeof(dev));
	ret = zcrx_nl_parse_link(nlh, &dev, kind, sizeof(kind));
	fz_assert(ret != 1 || strnlen(kind, sizeof(kind)) < sizeof(kind), "link: kind");
	fz_assert(ret == 1 || ret == 0 || ret == -EBADMSG, "link: %d", ret);
	fz_assert(ret != 1 || dev.nr_rx_sysfs <= 1, "link: nr_rx_sysfs %u", dev.nr_rx_sysfs);
	fz_assert(ret != 1 || (dev.ifindex > 0 && dev.name[0] &&
			       strnlen(dev.name, IF_NAMESIZE) < IF_NAMESIZE),
		  "link: ifindex %d", dev.ifindex);

	ret = zcrx_nl_parse_pool(nlh, &pool, &ifi);
	fz_assert(ret == 1 || ret == -EBADMSG, "pool: %d", ret);
	fz_assert(ret == 1 || ifi == 0, "pool: ifindex %d with %d", ifi, ret);

	ret = zcrx_nl_parse_pool_stats(nlh, &pool);
	fz_assert(ret == 1 || ret == 0 || ret == -EBADMSG, "pool stats: %d", ret);
	fz_assert(!(pool.stats_have & ~((2U << ZCRX_POOL_STATS_MAX) - 1)), "stats_have %#x",
		  pool.stats_have);

	for (unsigned int max = ZCRX_CHANNELS_MAX; ; max = ZCRX_RINGS_MAX) {
		vals[max + 1] = 0xfeedface;
		ret = zcrx_nl_parse_ethtool(nlh, max, &have, vals);
		fz_assert(ret == 1 || ret == -EBADMSG, "ethtool: %d", ret);
		fz_assert(!(have & ~((2U << max) - 1)) && !(have & 3), "ethtool have %#x", have);
		fz_assert(vals[max + 1] == 0xfeedface, "ethtool wrote past max %u", max);
		if (max == ZCRX_RINGS_MAX)
			break;
	}
	free(nlh);
	return 0;
}
