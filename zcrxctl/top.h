/* SPDX-License-Identifier: MIT */
/*
 * zcrxctl top's arithmetic, apart from its screen: one row per RX queue
 * from two netdev snapshots (zcrx_netdev_dump), rates over the real elapsed
 * time, the queues bound to io_uring first, and the words that flag a
 * starving zcrx queue or counters that restarted.
 */
#ifndef ZCRXCTL_TOP_H
#define ZCRXCTL_TOP_H

#include <stdbool.h>
#include <stdint.h>

#include "zcrx_diag.h"

/* What a row carries a rate of; JSON "<key>-per-s". */
enum top_rate {
	TOP_RX_PACKETS,		/* qstats rx-packets */
	TOP_RX_BYTES,		/* qstats rx-bytes */
	TOP_RX_ALLOC_FAIL,	/* qstats rx-alloc-fail */
	TOP_ALLOC_FAST,		/* the queue's page pools: alloc-fast */
	TOP_ALLOC_SLOW,		/* alloc-slow */
	TOP_ALLOC_EMPTY,	/* alloc-empty */
	TOP_ALLOC_REFILL,	/* alloc-refill */
	TOP_RECYCLE,		/* recycle-cached + recycle-ring */
	TOP_NR_RATES,
};

extern const char *const top_rate_key[TOP_NR_RATES];
/* the qstats (ZCRX_NETDEV_A_QSTATS_*) behind TOP_RX_PACKETS..TOP_RX_ALLOC_FAIL */
extern const unsigned int top_qstat_id[3];
/* the page pool stats behind TOP_ALLOC_FAST.. (0-ended; recycle sums two) */
extern const unsigned int top_pool_ids[TOP_NR_RATES][2];

/* An attached page pool on q's NAPI (a pool belongs to a queue by napi-id). */
bool top_pool_on(const struct zcrx_pool *p, const struct zcrx_rxq *q);
/* "io-uring", "dmabuf", "xsk": the memory provider bound (ZCRX_MP_*), or NULL */
const char *top_provider(unsigned int mp);

#define TOP_NOTE_LEN	256

struct top_row {
	char		dev[IF_NAMESIZE];
	int		ifindex;
	uint32_t	queue;
	bool		has_napi;
	uint32_t	napi_id;
	unsigned int	mp;		/* ZCRX_MP_* */
	unsigned int	nr_pools;	/* attached page pools on the queue's NAPI */
	bool		has_inflight;
	uint64_t	inflight;	/* pages, summed over those pools: a level */
	unsigned int	have;		/* bit per enum top_rate that has a rate */
	double		rate[TOP_NR_RATES];
	char		flag[TOP_NOTE_LEN];	/* starvation, in words; "" = none */
	char		restart[TOP_NOTE_LEN];	/* counters that restarted; "" = none */
};

/*
 * Rows for the RX queues of cur (only queue when queue >= 0), rates against
 * prev over elapsed_ns (prev NULL or elapsed_ns 0: no rates yet), sorted:
 * io_uring-bound queues first, then by ifindex and queue.  *rows is
 * malloc'd (NULL when there are none).  Returns the number of rows or -ENOMEM.
 */
int top_rows(const struct zcrx_netdev_list *prev, const struct zcrx_netdev_list *cur,
	     uint64_t elapsed_ns, int64_t queue, struct top_row **rows);

/* 0, 12, 3.4k, 120M: at most 6 characters */
const char *top_fmt_rate(double v, char *buf, size_t len);

/*
 * Whether top can show anything: 0, or -errno with why (one sentence naming
 * the fix) in buf, when netlink lists no device's RX queues.  dev: the DEV
 * asked for, or NULL.
 */
int top_usable(const struct zcrx_netdev_list *list, const char *dev, char *buf, size_t len);

#endif
