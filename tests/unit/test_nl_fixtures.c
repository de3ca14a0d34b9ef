// SPDX-License-Identifier: MIT
/*
 * Netlink replies as the kernel sends them (tests/fixtures/nl/README.md):
 * recorded from Linux 7.2's virtio_net under traffic, and a queue bound to
 * an io_uring provider built in 7.2's attribute layout.  Each is decoded by
 * lib/nl.c's parsers, and the bound device is rendered by show's printer,
 * text and JSON, with the values the fixtures carry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <cmocka.h>

#include "nl.h"
#include "zcrx_diag.h"
#include "json_reader.h"
#include "print.h"
#include "show.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures/nl"
#endif

static struct nlmsghdr *load(const char *name)
{
	static char buf[8][4096];
	static int slot;
	char path[512];
	size_t n;
	FILE *f;
	char *b = buf[slot++ % 8];

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "r");
	if (!f) {
		/* from elsewhere: beside this program, tests/unit/../fixtures/nl */
		char exe[256];
		ssize_t r = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		exe[r > 0 ? r : 0] = '\0';
		if (strrchr(exe, '/'))
			*strrchr(exe, '/') = '\0';
		snprintf(path, sizeof(path), "%s/../fixtures/nl/%s", exe, name);
		f = fopen(path, "r");
	}
	if (!f)
		fail_msg("cannot open %s/%s or %s", FIXTURES, name, path);
	n = fread(b, 1, sizeof(buf[0]), f);
	fclose(f);
	assert_true(n >= sizeof(struct nlmsghdr));
	assert_int_equal(((struct nlmsghdr *)b)->nlmsg_len, n);
	return (struct nlmsghdr *)b;
}

/* ------------------------------------------------------------------ */
/* Recorded: Linux 7.2.13, virtio_net, 100 pings                       */
/* ------------------------------------------------------------------ */

static void test_virtio_queues(void **state)
{
	struct zcrx_rxq q;

	(void)state;
	assert_int_equal(zcrx_nl_parse_queue(load("virtio_net-7.2/queue-eth0-0"), 2, &q), 1);
	assert_int_equal(q.id, 0);
	assert_true(q.has_napi);
	assert_int_equal(q.napi_id, 8193);
	assert_int_equal(q.mp, 0);
	assert_int_equal(q.rx_buf_len, 0);
	assert_int_equal(q.lease_ifindex, 0);
	assert_int_equal(zcrx_nl_parse_queue(load("virtio_net-7.2/queue-eth0-1"), 2, &q), 1);
	assert_int_equal(q.napi_id, 8194);
	/* tx queues and other devices are not ours */
	assert_int_equal(zcrx_nl_parse_queue(load("virtio_net-7.2/queue-eth0-2"), 2, &q), 0);
	assert_int_equal(zcrx_nl_parse_queue(load("virtio_net-7.2/queue-eth0-0"), 3, &q), 0);
}

static void test_virtio_qstats(void **state)
{
	struct zcrx_rxq q;

	(void)state;
	assert_int_equal(zcrx_nl_parse_qstats(load("virtio_net-7.2/qstats-eth0-0"), 2, &q), 1);
	assert_int_equal(q.id, 0);
	assert_int_equal(q.qstats[ZCRX_NETDEV_A_QSTATS_RX_PACKETS], 98);
	assert_int_equal(q.qstats[ZCRX_NETDEV_A_QSTATS_RX_BYTES], 127704);
	/* virtio_net reports no rx-alloc-fail: absent, not 0 */
	assert_false(q.qstats_have & (1ULL << ZCRX_NETDEV_A_QSTATS_RX_ALLOC_FAIL));
	assert_int_equal(zcrx_nl_parse_qstats(load("virtio_net-7.2/qstats-eth0-1"), 2, &q), 1);
	assert_int_equal(q.qstats[ZCRX_NETDEV_A_QSTATS_RX_PACKETS], 12);
	assert_int_equal(zcrx_nl_parse_qstats(load("virtio_net-7.2/qstats-eth0-2"), 2, &q), 0);
}

static void test_virtio_pools(void **state)
{
	struct zcrx_pool p;
	int ifi;

	(void)state;
	assert_int_equal(zcrx_nl_parse_pool(load("virtio_net-7.2/pool-all-0"), &p, &ifi), 1);
	assert_int_equal(ifi, 2);
	assert_int_equal(p.id, 4);
	assert_true(p.has_napi);
	assert_int_equal(p.napi_id, 8194);
	assert_int_equal(p.inflight, 128);
	assert_int_equal(p.inflight_mem, 524288);
	assert_int_equal(p.detach_time, 0);
	assert_false(p.io_uring);
	assert_int_equal(p.rx_buf_len, 0);

	assert_int_equal(zcrx_nl_parse_pool_stats(load("virtio_net-7.2/poolstats-all-0"), &p), 1);
	assert_int_equal(p.id, 4);
	assert_int_equal(p.stats_have, 0x7ff00);	/* 8..18: CONFIG_PAGE_POOL_STATS=y */
	assert_int_equal(p.stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_FAST], 126);
	assert_int_equal(p.stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_SLOW], 2);
	assert_int_equal(p.stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_EMPTY], 2);
	assert_int_equal(p.stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RING], 6);
}

/* virtio_net's PCI device removed while a stopped ping held 5 pages */
static void test_virtio_orphan_pool(void **state)
{
	struct zcrx_pool p;
	int ifi = -1;

	(void)state;
	assert_int_equal(zcrx_nl_parse_pool(load("virtio_net-7.2/orphan-pool-all-0"), &p, &ifi), 1);
	assert_int_equal(ifi, 0);
	assert_int_equal(p.id, 3);
	assert_false(p.has_napi);
	assert_int_equal(p.inflight, 5);
	assert_int_equal(p.inflight_mem, 5 * 4096);
	assert_int_equal(p.detach_time, 8);

	assert_int_equal(zcrx_nl_parse_pool_stats(load("virtio_net-7.2/orphan-poolstats-all-0"), &p),
			 1);
	assert_int_equal(p.id, 3);
	assert_int_equal(p.stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_FAST], 206);
	assert_int_equal(p.stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RING], 200);
}

/* ------------------------------------------------------------------ */
/* Built in 7.2's layout: a queue bound to io_uring (gen_bound.c)      */
/* ------------------------------------------------------------------ */

static void test_bound_queue(void **state)
{
	struct zcrx_rxq q;

	(void)state;
	assert_int_equal(zcrx_nl_parse_queue(load("bound/queue-eth0-1"), 2, &q), 1);
	assert_int_equal(q.id, 1);
	assert_int_equal(q.napi_id, 8194);
	assert_int_equal(q.mp, ZCRX_MP_IO_URING);
	assert_int_equal(q.rx_buf_len, 16384);
	assert_int_equal(q.lease_ifindex, 7);
	assert_int_equal(q.lease_queue, 0);
	assert_true(q.lease_other_netns);
	assert_int_equal(q.lease_netns_id, 0);
	assert_int_equal(zcrx_nl_parse_queue(load("bound/queue-eth0-0"), 2, &q), 1);
	assert_int_equal(q.mp, 0);
	assert_int_equal(q.lease_ifindex, 0);
	assert_false(q.lease_other_netns);
}

static void test_bound_pools(void **state)
{
	struct zcrx_pool p;
	int ifi;

	(void)state;
	assert_int_equal(zcrx_nl_parse_pool(load("bound/pool-9"), &p, &ifi), 1);
	assert_int_equal(ifi, 2);
	assert_true(p.io_uring);
	assert_int_equal(p.rx_buf_len, 16384);
	assert_int_equal(p.napi_id, 8194);
	assert_int_equal(p.inflight, 1024);
	assert_int_equal(zcrx_nl_parse_pool_stats(load("bound/poolstats-9"), &p), 1);
	/* nla_put_uint: 8 bytes past 2^32 */
	assert_int_equal(p.stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_FAST], 5000000000ULL);
	assert_int_equal(p.stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RING_FULL], 7);

	assert_int_equal(zcrx_nl_parse_pool(load("bound/pool-5"), &p, &ifi), 1);
	assert_int_equal(ifi, 2);
	assert_int_equal(p.detach_time, 988);
	assert_false(p.has_napi);
	assert_int_equal(zcrx_nl_parse_pool(load("bound/pool-2"), &p, &ifi), 1);
	assert_int_equal(ifi, 0);
}

/* A lease nest with no ifindex is not what the kernel sends. */
static void test_lease_without_ifindex_is_refused(void **state)
{
	struct nlmsghdr *nlh = load("bound/queue-eth0-1");
	unsigned char *b = (unsigned char *)nlh;
	struct zcrx_rxq q;
	size_t off;

	(void)state;
	/* the LEASE_IFINDEX attribute (type 1, value 7) inside the lease nest */
	for (off = 20; off + 8 <= nlh->nlmsg_len; off += 4)
		if (b[off] == 8 && b[off + 2] == 1 && b[off + 4] == 7)
			break;
	assert_true(off + 8 <= nlh->nlmsg_len);
	b[off + 2] = 0x7f;	/* an attribute we do not know */
	assert_int_equal(zcrx_nl_parse_queue(nlh, 2, &q), -EBADMSG);
}

/* ------------------------------------------------------------------ */
/* show's rendering of the bound device                                */
/* ------------------------------------------------------------------ */

static struct zcrx_netdev_list list;
static struct zcrx_netdev *dev;

static void add_pool(const char *name)
{
	struct zcrx_pool p;
	int ifi;

	assert_int_equal(zcrx_nl_parse_pool(load(name), &p, &ifi), 1);
	assert_int_equal(zcrx_netdev_add_pool(&list, &p, ifi), 0);
}

static void add_stats(const char *name)
{
	struct zcrx_pool s;

	assert_int_equal(zcrx_nl_parse_pool_stats(load(name), &s), 1);
	zcrx_netdev_set_pool_stats(&list, &s);
}

/* what zcrx_netdev_dump() assembles from the fixtures, as it does: an mlx5 port */
static void bound_device(void)
{
	struct zcrx_rxq s;

	zcrx_netdev_list_free(&list);
	memset(&list, 0, sizeof(list));
	list.dev = calloc(2, sizeof(*list.dev));
	assert_non_null(list.dev);
	list.nr = 2;
	dev = &list.dev[0];
	dev->ifindex = 2;
	strcpy(dev->name, "eth0");
	strcpy(dev->driver, "mlx5_core");
	dev->has_parent = true;
	dev->flags = IFF_UP;
	dev->rings_have = 1U << ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT |
			  1U << ZCRX_ETHTOOL_A_RINGS_HDS_THRESH;
	dev->rings[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT] = ZCRX_ETHTOOL_TCP_DATA_SPLIT_ENABLED;
	dev->channels_have = 1U << ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT;
	dev->channels[ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT] = 2;
	dev->rxq = calloc(2, sizeof(*dev->rxq));
	assert_non_null(dev->rxq);
	dev->nr_rxq = 2;
	assert_int_equal(zcrx_nl_parse_queue(load("bound/queue-eth0-0"), 2, &dev->rxq[0]), 1);
	assert_int_equal(zcrx_nl_parse_queue(load("bound/queue-eth0-1"), 2, &dev->rxq[1]), 1);
	for (int i = 0; i < 2; i++) {
		char name[64];

		snprintf(name, sizeof(name), "bound/qstats-eth0-%d", i);
		assert_int_equal(zcrx_nl_parse_qstats(load(name), 2, &s), 1);
		dev->rxq[s.id].qstats_have = s.qstats_have;
		memcpy(dev->rxq[s.id].qstats, s.qstats, sizeof(s.qstats));
	}
	/* a second device the pools are not filed under */
	list.dev[1].ifindex = 3;
	strcpy(list.dev[1].name, "eth1");
	add_pool("bound/pool-3");
	add_pool("bound/pool-9");
	add_pool("bound/pool-5");
	add_pool("bound/pool-2");
	add_stats("bound/poolstats-3");
	add_stats("bound/poolstats-9");
	add_stats("bound/poolstats-5");
	add_stats("bound/poolstats-2");
}

/* The dump's filing: eth0's three pools in the kernel's order, the orphan apart. */
static void test_bound_pools_filed(void **state)
{
	(void)state;
	bound_device();
	assert_int_equal(dev->nr_pools, 3);
	assert_int_equal(dev->pools[0].id, 3);
	assert_int_equal(dev->pools[1].id, 9);
	assert_int_equal(dev->pools[2].id, 5);
	assert_int_equal(list.dev[1].nr_pools, 0);
	assert_int_equal(list.nr_orphan_pools, 1);
	assert_int_equal(list.orphan_pools[0].id, 2);
	assert_int_equal(list.orphan_pools[0].stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_FAST],
			 206);
	assert_int_equal(dev->pools[1].stats[ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RING], 4096);
	zcrx_netdev_list_free(&list);
	assert_null(list.orphan_pools);
	assert_int_equal(list.nr_orphan_pools, 0);
}

static char *render(bool json, bool has_queue, uint32_t queue)
{
	struct show_args a = { .dev = "eth0", .has_queue = has_queue, .queue = queue,
			       .now = 1000 };
	struct printer pr;
	size_t len;
	char *buf;
	FILE *mem;

	bound_device();
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	printer_init(&pr, mem, json, false, COLOR_NEVER);
	show_print(&pr, &list, &a);
	fclose(mem);
	zcrx_netdev_list_free(&list);
	return buf;
}

#define assert_has(hay, needle) do {						\
	if (!strstr((hay), (needle)))						\
		fail_msg("missing \"%s\" in:\n%s", (needle), (hay));		\
} while (0)

static void test_render_text(void **state)
{
	char *out = render(false, false, 0);

	(void)state;
	assert_has(out, "    queue 1: napi 8194 providers io-uring rx-buf-len 16384 "
			"lease ifindex 7 queue 0 netns-id 0 rx-packets 1200000 "
			"rx-bytes 1600000000 rx-alloc-fail 37 not ready:\n");
	assert_has(out, "        an io_uring or dmabuf memory provider is already bound");
	assert_has(out, "        rx-alloc-fail 37: RX buffer allocation failed 37 times "
			"(io-uring: the zcrx area ran dry, the application returns buffers "
			"too slowly)\n");
	/* queue 1's pool under queue 1, with its stats */
	assert_has(out, "too slowly)\n"
			"        page pool 9: napi 8194 1024 pages in flight (4194304 bytes) "
			"io-uring rx-buf-len 16384\n"
			"            alloc fast 5000000000 slow 812 slow-high-order 0 empty 811 "
			"refill 64 waive 0\n"
			"            recycle cached 0 cache-full 0 ring 4096 ring-full 7 "
			"released-refcnt 0\n");
	assert_has(out, "        page pool 3: napi 8193 192 pages in flight");
	/* queue 0 has no alloc-fail: not said */
	assert_null(strstr(out, "rx-alloc-fail 0:"));
	/* detached from eth0's driver, and one whose device is gone */
	assert_has(out, "    page pools of no queue:\n"
			"        page pool 5: detached 12 s ago, 40 pages in flight (163840 bytes)\n");
	assert_has(out, "\npage pools whose device is gone:\n"
			"    page pool 2: detached 992 s ago, 5 pages in flight (20480 bytes)\n"
			"        alloc fast 206 ");
	free(out);

	/* one queue: its pools, none of the others, no orphans */
	out = render(false, true, 0);
	assert_has(out, "        page pool 3: napi 8193");
	assert_null(strstr(out, "page pool 9"));
	assert_has(out, "page pool 5: detached");
	assert_null(strstr(out, "device is gone"));
	free(out);
}

static const struct json *get(const struct json *j, const char *key)
{
	const struct json *v = json_get(j, key);

	if (!v)
		fail_msg("no key \"%s\"", key);
	return v;
}

static uint64_t u64(const struct json *j, const char *key)
{
	uint64_t v;

	if (!json_u64(get(j, key), &v))
		fail_msg("\"%s\" is not a number", key);
	return v;
}

static const struct json *pool_by_id(const struct json *arr, uint64_t id)
{
	for (size_t i = 0; i < json_len(arr); i++)
		if (u64(json_at(arr, i), "id") == id)
			return json_at(arr, i);
	fail_msg("no page pool %llu", (unsigned long long)id);
	return NULL;
}

static void test_render_json(void **state)
{
	const struct json *d, *q0, *q1, *p, *st, *l, *o;
	struct json *j;
	bool b;
	int err;
	char *out = render(true, false, 0);

	(void)state;
	j = json_parse(out, strlen(out), &err);
	if (!j)
		fail_msg("not JSON (%d): %s", err, out);
	assert_int_equal(json_type(j), JSON_ARR);
	assert_int_equal(json_len(j), 3);	/* eth0, eth1, the orphans */
	d = json_at(j, 0);
	assert_string_equal(json_str(get(d, "ifname")), "eth0");
	q0 = json_at(get(d, "queues"), 0);
	q1 = json_at(get(d, "queues"), 1);

	assert_string_equal(json_str(json_at(get(q1, "providers"), 0)), "io-uring");
	assert_int_equal(u64(q1, "rx-buf-len"), 16384);
	l = get(q1, "lease");
	assert_int_equal(u64(l, "ifindex"), 7);
	assert_int_equal(u64(l, "queue"), 0);
	assert_int_equal(u64(l, "netns-id"), 0);
	assert_int_equal(u64(get(q1, "qstats"), "rx-alloc-fail"), 37);
	assert_int_equal(json_len(get(q1, "page-pools")), 1);
	p = json_at(get(q1, "page-pools"), 0);
	assert_int_equal(u64(p, "id"), 9);
	assert_true(json_bool(get(p, "io-uring"), &b) && b);
	assert_int_equal(u64(p, "rx-buf-len"), 16384);
	assert_int_equal(u64(p, "inflight"), 1024);
	assert_int_equal(u64(p, "inflight-mem"), 4194304);
	st = get(p, "stats");
	assert_int_equal(u64(st, "alloc-fast"), 5000000000ULL);
	assert_int_equal(u64(st, "alloc-slow"), 812);
	assert_int_equal(u64(st, "alloc-slow-high-order"), 0);
	assert_int_equal(u64(st, "alloc-empty"), 811);
	assert_int_equal(u64(st, "alloc-refill"), 64);
	assert_int_equal(u64(st, "alloc-waive"), 0);
	assert_int_equal(u64(st, "recycle-cached"), 0);
	assert_int_equal(u64(st, "recycle-cache-full"), 0);
	assert_int_equal(u64(st, "recycle-ring"), 4096);
	assert_int_equal(u64(st, "recycle-ring-full"), 7);
	assert_int_equal(u64(st, "recycle-released-refcnt"), 0);

	/* queue 0: no provider, no lease, rx-buf-len null */
	assert_int_equal(json_type(get(q0, "rx-buf-len")), JSON_NULL);
	assert_int_equal(json_type(get(q0, "lease")), JSON_NULL);
	assert_int_equal(u64(get(q0, "qstats"), "rx-alloc-fail"), 0);
	assert_int_equal(u64(json_at(get(q0, "page-pools"), 0), "id"), 3);

	/* the device's list keeps every pool; the detached one says so */
	assert_int_equal(json_len(get(d, "page-pools")), 3);
	p = pool_by_id(get(d, "page-pools"), 5);
	assert_true(json_bool(get(p, "detached"), &b) && b);
	assert_int_equal(u64(p, "detach-time"), 988);
	assert_int_equal(u64(p, "detached-for"), 12);
	assert_int_equal(u64(p, "inflight"), 40);
	p = pool_by_id(get(d, "page-pools"), 9);
	assert_true(json_bool(get(p, "detached"), &b) && !b);

	/* the pools whose device is gone: a last entry with ifname null */
	o = json_at(j, 2);
	assert_int_equal(json_type(get(o, "ifname")), JSON_NULL);
	assert_true(json_bool(get(o, "device-gone"), &b) && b);
	assert_int_equal(json_len(get(o, "queues")), 0);
	p = pool_by_id(get(o, "page-pools"), 2);
	assert_int_equal(u64(p, "detached-for"), 992);
	assert_int_equal(u64(p, "inflight"), 5);
	assert_int_equal(u64(get(p, "stats"), "alloc-fast"), 206);
	json_free(j);
	free(out);
}

/* Before 7.2 the io-uring nest is empty: rx-buf-len "not reported", never 0. */
static void test_render_old_kernel(void **state)
{
	struct show_args a = { .dev = "eth0", .now = 1000 };
	struct printer pr;
	size_t len;
	char *buf;
	FILE *mem;

	(void)state;
	bound_device();
	dev->rxq[1].rx_buf_len = 0;
	dev->rxq[1].lease_ifindex = 0;
	dev->pools[1].rx_buf_len = 0;
	mem = open_memstream(&buf, &len);
	printer_init(&pr, mem, false, false, COLOR_NEVER);
	show_print(&pr, &list, &a);
	fclose(mem);
	zcrx_netdev_list_free(&list);
	assert_has(buf, "providers io-uring rx-buf-len n/a rx-packets");
	assert_has(buf, "io-uring rx-buf-len n/a\n");
	assert_null(strstr(buf, "rx-buf-len 0"));
	assert_null(strstr(buf, "lease ifindex"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_queues),
		cmocka_unit_test(test_virtio_qstats),
		cmocka_unit_test(test_virtio_pools),
		cmocka_unit_test(test_virtio_orphan_pool),
		cmocka_unit_test(test_bound_queue),
		cmocka_unit_test(test_bound_pools),
		cmocka_unit_test(test_lease_without_ifindex_is_refused),
		cmocka_unit_test(test_bound_pools_filed),
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_render_json),
		cmocka_unit_test(test_render_old_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
