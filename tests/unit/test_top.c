// SPDX-License-Identifier: MIT
/*
 * zcrxctl top's arithmetic on constructed netdev snapshots: rates over the
 * elapsed time, counters that go backwards, queues and pools that come and
 * go, the order (io_uring-bound first) and the starvation flag.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "main.h"
#include "top.h"

/* top.o holds do_top() too, whose argv goes through main.c: not linked here */
int cmd_parse(const struct argp *argp, int argc, char **argv, void *input)
{
	(void)argp;
	(void)argc;
	(void)argv;
	(void)input;
	return EXIT_USAGE;
}

#define NS_S		1000000000ULL
#define Q_PKTS		ZCRX_NETDEV_A_QSTATS_RX_PACKETS
#define Q_BYTES		ZCRX_NETDEV_A_QSTATS_RX_BYTES
#define Q_AFAIL		ZCRX_NETDEV_A_QSTATS_RX_ALLOC_FAIL
#define P_FAST		ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_FAST
#define P_SLOW		ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_SLOW
#define P_EMPTY		ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_EMPTY
#define P_REFILL	ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_REFILL
#define P_CACHED	ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_CACHED
#define P_RING		ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RING

/* One device "eth0" (ifindex 2) with nq queues (napi 100 + q), a pool per queue (id 10 + q). */
struct snap {
	struct zcrx_netdev_list	list;
	struct zcrx_netdev	dev[2];
	struct zcrx_rxq		rxq[2][4];
	struct zcrx_pool	pool[2][4];
};

static void snap_dev(struct snap *s, unsigned int d, int ifindex, const char *name,
		     unsigned int nq)
{
	struct zcrx_netdev *dev = &s->dev[d];

	dev->ifindex = ifindex;
	strcpy(dev->name, name);
	dev->nr_rxq = nq;
	dev->rxq = s->rxq[d];
	dev->nr_pools = nq;
	dev->pools = s->pool[d];
	for (unsigned int q = 0; q < nq; q++) {
		struct zcrx_rxq *r = &s->rxq[d][q];
		struct zcrx_pool *p = &s->pool[d][q];

		r->id = q;
		r->has_napi = true;
		r->napi_id = 100 * (d + 1) + q;
		r->qstats_have = 1ULL << Q_PKTS | 1ULL << Q_BYTES | 1ULL << Q_AFAIL;
		p->id = 10 * (d + 1) + q;
		p->has_napi = true;
		p->napi_id = r->napi_id;
		p->has_inflight = true;
		p->stats_have = 1U << P_FAST | 1U << P_SLOW | 1U << P_EMPTY | 1U << P_REFILL |
				1U << P_CACHED | 1U << P_RING;
	}
	if (d + 1 > s->list.nr)
		s->list.nr = d + 1;
	s->list.dev = s->dev;
}

static void snap_init(struct snap *s, unsigned int nq)
{
	memset(s, 0, sizeof(*s));
	snap_dev(s, 0, 2, "eth0", nq);
}

static const struct top_row *row_of(const struct top_row *rows, int n, const char *dev,
				    uint32_t q)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(rows[i].dev, dev) && rows[i].queue == q)
			return &rows[i];
	fail_msg("no row for %s queue %u", dev, q);
	return NULL;
}

static bool has(const struct top_row *r, enum top_rate k)
{
	return r->have & (1U << k);
}

static void test_rates_over_elapsed_time(void **state)
{
	struct snap a, b;
	struct top_row *rows;
	const struct top_row *r;
	int n;

	(void)state;
	snap_init(&a, 1);
	snap_init(&b, 1);
	a.rxq[0][0].qstats[Q_PKTS] = 1000;
	b.rxq[0][0].qstats[Q_PKTS] = 1600;
	a.rxq[0][0].qstats[Q_BYTES] = 0;
	b.rxq[0][0].qstats[Q_BYTES] = 900000;
	a.pool[0][0].stats[P_FAST] = 50;
	b.pool[0][0].stats[P_FAST] = 350;
	a.pool[0][0].stats[P_CACHED] = 10;
	b.pool[0][0].stats[P_CACHED] = 40;
	a.pool[0][0].stats[P_RING] = 5;
	b.pool[0][0].stats[P_RING] = 35;
	b.pool[0][0].inflight = 77;

	/* 1.5 s really elapsed, whatever the interval asked */
	n = top_rows(&a.list, &b.list, 1500000000ULL, -1, &rows);
	assert_int_equal(n, 1);
	r = &rows[0];
	assert_true(has(r, TOP_RX_PACKETS) && has(r, TOP_RX_BYTES) && has(r, TOP_ALLOC_FAST));
	assert_true(r->rate[TOP_RX_PACKETS] == 400.0);
	assert_true(r->rate[TOP_RX_BYTES] == 600000.0);
	assert_true(r->rate[TOP_ALLOC_FAST] == 200.0);
	assert_true(r->rate[TOP_RECYCLE] == 40.0);	/* cached + ring */
	assert_true(r->rate[TOP_RX_ALLOC_FAIL] == 0.0);
	/* inflight is a level: the current value, not a delta */
	assert_true(r->has_inflight && r->inflight == 77);
	assert_int_equal(r->nr_pools, 1);
	assert_string_equal(r->restart, "");
	assert_string_equal(r->flag, "");
	free(rows);

	/* the first snapshot has no rates yet */
	n = top_rows(NULL, &b.list, 0, -1, &rows);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].have, 0);
	free(rows);
}

static void test_counter_backwards_is_a_restart(void **state)
{
	struct snap a, b;
	struct top_row *rows;
	int n;

	(void)state;
	snap_init(&a, 1);
	snap_init(&b, 1);
	a.rxq[0][0].qstats[Q_PKTS] = 5000000;
	b.rxq[0][0].qstats[Q_PKTS] = 12;		/* device reset */
	a.rxq[0][0].qstats[Q_BYTES] = 100;
	b.rxq[0][0].qstats[Q_BYTES] = 300;
	a.pool[0][0].stats[P_EMPTY] = 90;
	b.pool[0][0].stats[P_EMPTY] = 3;
	n = top_rows(&a.list, &b.list, NS_S, -1, &rows);
	assert_int_equal(n, 1);
	/* no huge (wrapped) rate: none at all, and the row says why */
	assert_false(has(&rows[0], TOP_RX_PACKETS));
	assert_false(has(&rows[0], TOP_ALLOC_EMPTY));
	assert_true(has(&rows[0], TOP_RX_BYTES));
	assert_true(rows[0].rate[TOP_RX_BYTES] == 200.0);
	assert_non_null(strstr(rows[0].restart, "rx-packets went backwards"));
	assert_non_null(strstr(rows[0].restart, "alloc-empty went backwards"));
	free(rows);
}

static void test_queue_and_pool_come_and_go(void **state)
{
	struct snap a, b;
	struct top_row *rows;
	const struct top_row *r;
	int n;

	(void)state;
	snap_init(&a, 1);
	snap_init(&b, 2);		/* queue 1 appeared */
	b.pool[0][0].id = 99;		/* queue 0's pool was replaced */
	b.rxq[0][0].qstats[Q_PKTS] = 10;
	n = top_rows(&a.list, &b.list, NS_S, -1, &rows);
	assert_int_equal(n, 2);
	r = row_of(rows, n, "eth0", 1);
	assert_int_equal(r->have, 0);
	assert_non_null(strstr(r->restart, "new queue"));
	r = row_of(rows, n, "eth0", 0);
	assert_true(has(r, TOP_RX_PACKETS) && r->rate[TOP_RX_PACKETS] == 10.0);
	assert_false(has(r, TOP_ALLOC_FAST));
	assert_non_null(strstr(r->restart, "page pool 99 is new"));
	assert_non_null(strstr(r->restart, "page pool 10 is gone"));
	free(rows);

	/* a second pool joined queue 0's NAPI: its counts since it began are no rate */
	snap_init(&a, 1);
	snap_init(&b, 2);
	b.dev[0].nr_rxq = 1;
	b.pool[0][1].id = 55;
	b.pool[0][1].napi_id = b.rxq[0][0].napi_id;
	b.pool[0][1].stats[P_FAST] = 1000000;
	b.pool[0][0].stats[P_FAST] = 20;
	n = top_rows(&a.list, &b.list, NS_S, -1, &rows);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].nr_pools, 2);
	assert_false(has(&rows[0], TOP_ALLOC_FAST));
	assert_non_null(strstr(rows[0].restart, "page pool 55 is new"));
	assert_null(strstr(rows[0].restart, "gone"));
	free(rows);
	snap_init(&a, 1);
	snap_init(&b, 2);
	b.pool[0][0].id = 99;

	/* queue 1 vanished: no row for it, and queue 0 goes on */
	n = top_rows(&b.list, &a.list, NS_S, -1, &rows);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].queue, 0);
	free(rows);

	/* a device that vanished: no rows from it; one that appeared: new queues */
	snap_dev(&b, 1, 5, "eth1", 1);
	n = top_rows(&b.list, &a.list, NS_S, -1, &rows);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].dev, "eth0");
	free(rows);
	n = top_rows(&a.list, &b.list, NS_S, -1, &rows);
	assert_int_equal(n, 3);
	assert_non_null(strstr(row_of(rows, n, "eth1", 0)->restart, "new queue"));
	free(rows);

	/* a detached pool (its device gone) is nobody's queue's */
	snap_init(&a, 1);
	snap_init(&b, 1);
	b.pool[0][0].detach_time = 1234;
	b.pool[0][0].inflight = 5;
	n = top_rows(&a.list, &b.list, NS_S, -1, &rows);
	assert_int_equal(rows[0].nr_pools, 0);
	assert_false(rows[0].has_inflight);
	free(rows);
}

static void test_bound_queues_first(void **state)
{
	struct snap a;
	struct top_row *rows;
	int n;

	(void)state;
	memset(&a, 0, sizeof(a));
	snap_dev(&a, 0, 2, "eth0", 3);
	snap_dev(&a, 1, 3, "eth1", 2);
	a.rxq[1][1].mp = ZCRX_MP_IO_URING;
	a.rxq[0][2].mp = ZCRX_MP_IO_URING;
	a.rxq[0][0].mp = ZCRX_MP_DMABUF;
	n = top_rows(NULL, &a.list, 0, -1, &rows);
	assert_int_equal(n, 5);
	assert_string_equal(rows[0].dev, "eth0");
	assert_int_equal(rows[0].queue, 2);
	assert_string_equal(rows[1].dev, "eth1");
	assert_int_equal(rows[1].queue, 1);
	assert_string_equal(rows[2].dev, "eth0");
	assert_int_equal(rows[2].queue, 0);
	assert_int_equal(rows[3].queue, 1);
	assert_string_equal(rows[4].dev, "eth1");
	assert_int_equal(rows[4].queue, 0);
	free(rows);

	/* one queue asked for */
	n = top_rows(NULL, &a.list, 0, 1, &rows);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].queue, 1);
	assert_int_equal(rows[1].queue, 1);
	free(rows);
}

static void test_starving_bound_queue_is_flagged(void **state)
{
	struct snap a, b;
	struct top_row *rows;
	const struct top_row *r;
	int n;

	(void)state;
	snap_init(&a, 2);
	snap_init(&b, 2);
	for (unsigned int q = 0; q < 2; q++) {
		a.pool[0][q].stats[P_EMPTY] = 1000;
		b.pool[0][q].stats[P_EMPTY] = 1240;	/* 120/s over 2 s */
	}
	a.rxq[0][1].mp = b.rxq[0][1].mp = ZCRX_MP_IO_URING;
	n = top_rows(&a.list, &b.list, 2 * NS_S, -1, &rows);
	assert_int_equal(n, 2);
	r = row_of(rows, n, "eth0", 1);
	assert_ptr_equal(r, &rows[0]);
	assert_non_null(strstr(r->flag, "starving: page pool empty 120/s"));
	assert_non_null(strstr(r->flag, "returns buffers too slowly"));
	/* the same pool numbers on a queue without a provider: no flag */
	r = row_of(rows, n, "eth0", 0);
	assert_string_equal(r->flag, "");
	free(rows);

	/* slow allocations, and rx-alloc-fail rising, flag it too */
	snap_init(&a, 1);
	snap_init(&b, 1);
	a.rxq[0][0].mp = b.rxq[0][0].mp = ZCRX_MP_IO_URING;
	b.pool[0][0].stats[P_SLOW] = 30;
	b.rxq[0][0].qstats[Q_AFAIL] = 7;
	n = top_rows(&a.list, &b.list, NS_S, -1, &rows);
	assert_non_null(strstr(rows[0].flag, "page pool slow allocations 30/s"));
	assert_non_null(strstr(rows[0].flag, "rx-alloc-fail 7/s"));
	free(rows);

	/* a bound queue with nothing rising: no flag */
	n = top_rows(&a.list, &a.list, NS_S, -1, &rows);
	assert_string_equal(rows[0].flag, "");
	free(rows);
}

static void test_netlink_unusable(void **state)
{
	struct snap a;
	char why[256];

	(void)state;
	snap_init(&a, 1);
	assert_int_equal(top_usable(&a.list, NULL, why, sizeof(why)), 0);
	a.dev[0].nr_rxq = 0;
	a.dev[0].queues_err = -ENOENT;
	assert_int_equal(top_usable(&a.list, NULL, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "no netdev netlink family"));
	a.dev[0].queues_err = -ENETDOWN;
	assert_int_equal(top_usable(&a.list, "eth0", why, sizeof(why)), -ENETDOWN);
	assert_non_null(strstr(why, "ip link set eth0 up"));
	/* every device down is an empty view, not an error */
	assert_int_equal(top_usable(&a.list, NULL, why, sizeof(why)), 0);
}

static void test_fmt_rate(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(top_fmt_rate(0, b, sizeof(b)), "0");
	assert_string_equal(top_fmt_rate(2.5, b, sizeof(b)), "2.5");
	assert_string_equal(top_fmt_rate(120, b, sizeof(b)), "120");
	assert_string_equal(top_fmt_rate(9999, b, sizeof(b)), "9999");
	assert_string_equal(top_fmt_rate(12345, b, sizeof(b)), "12k");
	assert_string_equal(top_fmt_rate(3.4e6, b, sizeof(b)), "3.4M");
	assert_string_equal(top_fmt_rate(1.25e9, b, sizeof(b)), "1.2G");
}

/* a rate in a record: the shortest number that reads back the same */
static void test_rate_in_json(void **state)
{
	struct printer pr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	printer_init(&pr, f, true, false, COLOR_NEVER);
	open_json_object(&pr, NULL);
	print_double(&pr, PRINT_JSON, "a", NULL, 19763 / 1000.0);
	print_double(&pr, PRINT_JSON, "b", NULL, 0);
	print_double(&pr, PRINT_JSON, "c", NULL, 1.0 / 3);
	print_double(&pr, PRINT_JSON, "d", NULL, 1234567.5);
	print_record_end(&pr);
	fclose(f);
	assert_string_equal(buf, "{\"a\":19.763,\"b\":0,\"c\":0.3333333333333333,"
			    "\"d\":1234567.5}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_over_elapsed_time),
		cmocka_unit_test(test_counter_backwards_is_a_restart),
		cmocka_unit_test(test_queue_and_pool_come_and_go),
		cmocka_unit_test(test_bound_queues_first),
		cmocka_unit_test(test_starving_bound_queue_is_flagged),
		cmocka_unit_test(test_netlink_unusable),
		cmocka_unit_test(test_fmt_rate),
		cmocka_unit_test(test_rate_in_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
