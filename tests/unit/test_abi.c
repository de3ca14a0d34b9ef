// SPDX-License-Identifier: MIT
/*
 * The kernel ABI as we carry it: kabi.h's _Static_asserts pin every size and
 * offset at compile time (this file would not build otherwise); here the
 * places where our structs meet liburing 2.3's, and the generation detection
 * of lib/caps.c: zcrx_caps_derive() from synthetic query answers for kernels
 * this machine is not.  Then libzcrx's own ABI: the size of every struct a
 * caller allocates, reserved tails refused when non-zero and zeroed on
 * output, and the version calls.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "zcrx.h"
#include "zcrx_diag.h"
#include "zcrx_server.h"
#include "zcrx_sim.h"
#include "internal.h"

static void test_sqe_zcrx_id_lands_at_byte_44(void **state)
{
	struct io_uring_sqe sqe;

	(void)state;
	memset(&sqe, 0, sizeof(sqe));
	sqe.file_index = 0x11223344;
	assert_int_equal(offsetof(struct io_uring_sqe, file_index), ZCRX_SQE_IFQ_IDX_OFF);
	assert_int_equal(((unsigned char *)&sqe)[44], 0x44);
}

static void test_nop_flags_and_cqe_halves(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct io_uring_sqe, rw_flags), 28);
	assert_int_equal(offsetof(struct io_uring_cqe, big_cqe), 16);
	assert_int_equal(sizeof(struct io_uring_cqe) + sizeof(struct io_uring_zcrx_cqe), 32);
}

static void test_event_indices_and_masks(void **state)
{
	(void)state;
	/* res is an index; type_mask and arm use 1u << index (io_uring/zcrx.c
	 * posts the index; tests/unit/test_conformance.c registers with masks) */
	assert_int_equal(ZCRX_EVENT_ALLOC_FAIL, 0);
	assert_int_equal(ZCRX_EVENT_COPY, 1);
	assert_int_equal(ZCRX_EV_MASK(ZCRX_EV_COPY), 0x2);
	assert_int_equal(ZCRX_EV_MASK_ALL, 0x3);
	assert_true(IORING_ZCRX_AREA_MASK == 0xffff000000000000ULL);
}

/* Query answers as each kernel generation gives them (io_uring/query.c). */
static void caps_618(struct zcrx_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->nr_register_opcodes = 36;
	c->nr_query_opcodes = 1;
	c->zcrx_query_err = -EOPNOTSUPP;
	c->event_query_err = -EOPNOTSUPP;
	c->zcrx_reg_err = -EFAULT;
	c->cap_net_admin = 1;
}

static void caps_71(struct zcrx_caps *c)
{
	caps_618(c);
	c->nr_register_opcodes = 37;
	c->nr_query_opcodes = 3;
	c->zcrx_query_err = 0;
	c->register_flags = ZCRX_REG_IMPORT | ZCRX_REG_NODEV;
	c->area_flags = IORING_ZCRX_AREA_DMABUF;
	c->nr_ctrl_opcodes = 2;
	c->features = ZCRX_FEATURE_RX_PAGE_SIZE;
}

static void caps_may(struct zcrx_caps *c)
{
	caps_71(c);
	c->nr_ctrl_opcodes = 3;
	c->features |= ZCRX_FEATURE_EVENT;
}

static void caps_72(struct zcrx_caps *c)
{
	caps_may(c);
	c->nr_query_opcodes = 4;
	c->event_query_err = 0;
	c->event_flags = 0x3;
	c->stats_size = 16;
	c->stats_off_alignment = 8;
}

static enum zcrx_tri feat(const struct zcrx_caps *c, enum zcrx_feature f)
{
	char why[256];

	return zcrx_caps_feature(c, f, why, sizeof(why));
}

static void test_generation_618(void **state)
{
	struct zcrx_caps c;
	char why[256];

	(void)state;
	caps_618(&c);
	zcrx_caps_derive(&c);
	assert_int_equal(c.gen, ZCRX_GEN_NONE);
	assert_int_equal(c.event_types, 0);
	assert_int_equal(feat(&c, ZCRX_FEAT_QUERY), ZCRX_YES);
	assert_int_equal(feat(&c, ZCRX_FEAT_ZCRX), ZCRX_YES);
	assert_int_equal(zcrx_caps_feature(&c, ZCRX_FEAT_ZCRX_QUERY, why, sizeof(why)), ZCRX_NO);
	assert_non_null(strstr(why, "EOPNOTSUPP"));
	assert_int_equal(feat(&c, ZCRX_FEAT_EVENTS), ZCRX_NO);
	assert_int_equal(feat(&c, ZCRX_FEAT_CTRL), ZCRX_NO);
	assert_int_equal(feat(&c, ZCRX_FEAT_STATS), ZCRX_NO);
}

static void test_generation_71(void **state)
{
	struct zcrx_caps c;
	char why[256];

	(void)state;
	caps_71(&c);
	zcrx_caps_derive(&c);
	assert_int_equal(c.gen, ZCRX_GEN_NONE);
	assert_int_equal(feat(&c, ZCRX_FEAT_NODEV), ZCRX_YES);
	assert_int_equal(feat(&c, ZCRX_FEAT_IMPORT), ZCRX_YES);
	assert_int_equal(feat(&c, ZCRX_FEAT_CTRL), ZCRX_YES);
	assert_int_equal(zcrx_caps_feature(&c, ZCRX_FEAT_EVENTS, why, sizeof(why)), ZCRX_NO);
	assert_non_null(strstr(why, "ZCRX_FEATURE_EVENT"));
}

static void test_generation_may2026(void **state)
{
	struct zcrx_caps c;
	char why[256];

	(void)state;
	caps_may(&c);
	zcrx_caps_derive(&c);
	assert_int_equal(c.gen, ZCRX_GEN_MAY2026);
	assert_int_equal(c.event_types, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL));
	assert_false(c.stats);
	assert_int_equal(feat(&c, ZCRX_FEAT_ALLOC_FAIL), ZCRX_YES);
	assert_int_equal(zcrx_caps_feature(&c, ZCRX_FEAT_COPY, why, sizeof(why)), ZCRX_NO);
	assert_non_null(strstr(why, "May 2026"));
	assert_int_equal(feat(&c, ZCRX_FEAT_STATS), ZCRX_NO);
}

static void test_generation_72(void **state)
{
	struct zcrx_caps c;

	(void)state;
	caps_72(&c);
	zcrx_caps_derive(&c);
	assert_int_equal(c.gen, ZCRX_GEN_7_2);
	assert_int_equal(c.event_types, 0x3);
	assert_true(c.stats);
	for (int f = ZCRX_FEAT_EVENTS; f <= ZCRX_FEAT_STATS; f++)
		assert_int_equal(feat(&c, f), ZCRX_YES);
}

static void test_pre_query_kernel(void **state)
{
	struct zcrx_caps c;
	char why[256];

	(void)state;
	memset(&c, 0, sizeof(c));
	c.query_err = c.opcodes_err = c.zcrx_query_err = c.event_query_err = -EINVAL;
	c.zcrx_reg_err = -EINVAL;
	zcrx_caps_derive(&c);
	assert_int_equal(c.gen, ZCRX_GEN_NONE);
	assert_int_equal(zcrx_caps_feature(&c, ZCRX_FEAT_QUERY, why, sizeof(why)), ZCRX_NO);
	assert_non_null(strstr(why, "predates"));
	assert_int_equal(feat(&c, ZCRX_FEAT_ZCRX), ZCRX_NO);
	assert_int_equal(feat(&c, ZCRX_FEAT_EVENTS), ZCRX_NO);
}

static void test_zcrx_probe_answers(void **state)
{
	struct zcrx_caps c;
	char why[256];

	(void)state;
	caps_618(&c);
	c.zcrx_reg_err = -EOPNOTSUPP;
	assert_int_equal(zcrx_caps_feature(&c, ZCRX_FEAT_ZCRX, why, sizeof(why)), ZCRX_NO);
	assert_non_null(strstr(why, "CONFIG_IO_URING_ZCRX"));
	c.zcrx_reg_err = -EPERM;
	assert_int_equal(feat(&c, ZCRX_FEAT_ZCRX), ZCRX_YES);
	c.ring_err = -ENOMEM;
	c.zcrx_reg_err = -ENOMEM;
	assert_int_equal(feat(&c, ZCRX_FEAT_ZCRX), ZCRX_UNKNOWN);
	c.cap_net_admin = 0;
	assert_int_equal(feat(&c, ZCRX_FEAT_CAP_NET_ADMIN), ZCRX_NO);
}

/*
 * A caller's struct keeps its size from release to release: new fields take
 * reserved space.  A change here is an ABI break (new SONAME), never a
 * silent one.  Sizes of x86-64.
 */
static void test_caller_struct_sizes_are_pinned(void **state)
{
	(void)state;
#if defined(__x86_64__)
	assert_int_equal(sizeof(struct zcrx_caps), 200);
	assert_int_equal(sizeof(struct zcrx_ctx_opts), 40);
	assert_int_equal(sizeof(struct zcrx_ifq_opts), 144);
	assert_int_equal(sizeof(struct zcrx_diag), 552);
	assert_int_equal(sizeof(struct zcrx_ifq_info), 136);
	assert_int_equal(sizeof(struct zcrx_cqe_info), 64);
	assert_int_equal(sizeof(struct zcrx_stats_snap), 64);
	assert_int_equal(sizeof(struct zcrx_consumer_params), 56);
	assert_int_equal(sizeof(struct zcrx_rxq), 344);
	assert_int_equal(sizeof(struct zcrx_pool), 240);
	assert_int_equal(sizeof(struct zcrx_netdev), 320);
	assert_int_equal(sizeof(struct zcrx_netdev_list), 32);
	assert_int_equal(sizeof(struct zcrx_check), 288);
	assert_int_equal(sizeof(struct zcrx_selftest), 4896);
	assert_int_equal(sizeof(struct zcrx_sim_params), 72);
	assert_int_equal(sizeof(struct zcrx_sim_counters), 88);
	/* the grow hook and its cap took reserved words */
	assert_int_equal(sizeof(struct zcrx_serve_opts), 120);
	assert_int_equal(offsetof(struct zcrx_serve_opts, grow), 56);
	assert_int_equal(offsetof(struct zcrx_serve_opts, grow_max), 64);
	assert_int_equal(offsetof(struct zcrx_serve_opts, __resv), 72);
#else
	skip();
#endif
}

/*
 * 0.3's netdev view took reserved words, never new ones: rx-buf-len, the
 * lease and the orphaned pools sit where __resv was, the rest stays put.
 */
static void test_netdev_view_grew_into_reserved_space(void **state)
{
	(void)state;
#if defined(__x86_64__)
	assert_int_equal(offsetof(struct zcrx_rxq, qstats), 32);
	assert_int_equal(offsetof(struct zcrx_rxq, rx_buf_len), 312);
	assert_int_equal(offsetof(struct zcrx_rxq, lease_ifindex), 320);
	assert_int_equal(offsetof(struct zcrx_rxq, lease_queue), 324);
	assert_int_equal(offsetof(struct zcrx_rxq, lease_netns_id), 328);
	assert_int_equal(offsetof(struct zcrx_rxq, lease_other_netns), 332);
	assert_int_equal(offsetof(struct zcrx_rxq, __resv), 336);
	assert_int_equal(offsetof(struct zcrx_pool, stats), 56);
	assert_int_equal(offsetof(struct zcrx_pool, rx_buf_len), 208);
	assert_int_equal(offsetof(struct zcrx_pool, __resv), 216);
	assert_int_equal(offsetof(struct zcrx_netdev_list, dev), 8);
	assert_int_equal(offsetof(struct zcrx_netdev_list, orphan_pools), 16);
	assert_int_equal(offsetof(struct zcrx_netdev_list, nr_orphan_pools), 24);
#else
	skip();
#endif
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_ctx_opts_reserved_must_be_zero(void **state)
{
	struct zcrx_ctx_opts o = { .sq_entries = 8 };
	struct zcrx_ctx *ctx = NULL;

	(void)state;
	o.__resv[3] = 1;
	assert_int_equal(zcrx_ctx_create(&ctx, &o), -EINVAL);
	assert_null(ctx);
}

/* A simulated ctx: reserved checks come before anything the kernel could refuse. */
static struct zcrx_ctx *sim_ctx(void)
{
	struct zcrx_sim_params sim = { .gen = ZCRX_GEN_7_2, .step = true };
	struct zcrx_ctx *ctx;

	assert_int_equal(zcrx_sim_ctx_create(&ctx, &sim, NULL), 0);
	return ctx;
}

static void test_ifq_opts_reserved_must_be_zero(void **state)
{
	struct zcrx_ifq_opts o = { .ifname = "sim0", .queue = 0 };
	struct zcrx_diag d;
	struct zcrx_ifq *ifq = NULL;
	struct zcrx_ctx *ctx = sim_ctx();

	(void)state;
	o.__resv[7] = 1;
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EINVAL);
	assert_int_equal(d.stage, ZCRX_STAGE_ARGS);
	assert_non_null(strstr(d.msg, "reserved"));
	assert_true(all_zero(d.__resv, sizeof(d.__resv)));
	o.__resv[7] = 0;
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), 0);
	zcrx_ifq_close(ifq);
	zcrx_ctx_destroy(ctx);
}

static void test_consumer_params_reserved_must_be_zero(void **state)
{
	struct zcrx_ifq_opts o = { .ifname = "sim0", .queue = 0 };
	struct zcrx_consumer_params p = { .mode = ZCRX_CONSUME_NOW };
	struct zcrx_consumer *c = NULL;
	struct zcrx_ifq *ifq;
	struct zcrx_ctx *ctx = sim_ctx();

	(void)state;
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, NULL), 0);
	p.__resv[0] = 1;
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), -EINVAL);
	assert_null(c);
	p.__resv[0] = 0;
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), 0);
	zcrx_consumer_destroy(c);
	zcrx_ifq_close(ifq);
	zcrx_ctx_destroy(ctx);
}

static void test_sim_params_reserved_must_be_zero(void **state)
{
	struct zcrx_sim_params p = { .gen = ZCRX_GEN_7_2, .step = true };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .queue = 0 };
	struct zcrx_sim_counters c;
	struct zcrx_ctx *ctx = NULL;
	struct zcrx_ifq *ifq;

	(void)state;
	p.__resv[1] = 1;
	assert_int_equal(zcrx_sim_ctx_create(&ctx, &p, NULL), -EINVAL);
	assert_null(ctx);
	p.__resv[1] = 0;
	assert_int_equal(zcrx_sim_ctx_create(&ctx, &p, NULL), 0);
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, NULL), 0);
	memset(&c, 0xa5, sizeof(c));
	assert_int_equal(zcrx_sim_counters(ifq, &c), 0);
	assert_true(all_zero(c.__resv, sizeof(c.__resv)));
	zcrx_ifq_close(ifq);
	zcrx_ctx_destroy(ctx);
}

/* Output structs come back with their reserved tails zeroed, whatever was there. */
static void test_output_reserved_is_zeroed(void **state)
{
	struct zcrx_ifq_opts o = { .ifname = "sim0", .queue = 0, .stats = true };
	struct zcrx_caps caps;
	struct zcrx_ifq_info info;
	struct zcrx_stats_snap snap;
	struct zcrx_ifq *ifq;
	struct zcrx_ctx *ctx = sim_ctx();

	(void)state;
	memset(&caps, 0xa5, sizeof(caps));
	zcrx_caps_probe(&caps);
	assert_true(all_zero(caps.__resv, sizeof(caps.__resv)));

	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, NULL), 0);
	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(zcrx_ifq_info(ifq, &info), 0);
	assert_true(all_zero(info.__resv, sizeof(info.__resv)));
	memset(&snap, 0xa5, sizeof(snap));
	assert_int_equal(zcrx_stats_read(ifq, &snap), 0);
	assert_true(all_zero(snap.__resv, sizeof(snap.__resv)));
	zcrx_ifq_close(ifq);
	zcrx_ctx_destroy(ctx);
}

/* The library's version is the headers' and the Makefile's; the check is liburing's shape. */
static void test_version_calls(void **state)
{
	(void)state;
	assert_int_equal(zcrx_major_version(), ZCRX_VERSION_MAJOR);
	assert_int_equal(zcrx_minor_version(), ZCRX_VERSION_MINOR);
#ifdef ZCRXCTL_VERSION
	{
		char want[32];

		snprintf(want, sizeof(want), "%d.%d.", ZCRX_VERSION_MAJOR, ZCRX_VERSION_MINOR);
		assert_int_equal(strncmp(ZCRXCTL_VERSION, want, strlen(want)), 0);
	}
#endif
	assert_false(zcrx_check_version(ZCRX_VERSION_MAJOR, ZCRX_VERSION_MINOR));
	assert_false(zcrx_check_version(0, 1));
	assert_true(zcrx_check_version(ZCRX_VERSION_MAJOR, ZCRX_VERSION_MINOR + 1));
	assert_true(zcrx_check_version(ZCRX_VERSION_MAJOR + 1, 0));
	assert_false(ZCRX_CHECK_VERSION(0, 2));
	assert_true(ZCRX_CHECK_VERSION(1, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqe_zcrx_id_lands_at_byte_44),
		cmocka_unit_test(test_nop_flags_and_cqe_halves),
		cmocka_unit_test(test_event_indices_and_masks),
		cmocka_unit_test(test_generation_618),
		cmocka_unit_test(test_generation_71),
		cmocka_unit_test(test_generation_may2026),
		cmocka_unit_test(test_generation_72),
		cmocka_unit_test(test_pre_query_kernel),
		cmocka_unit_test(test_zcrx_probe_answers),
		cmocka_unit_test(test_caller_struct_sizes_are_pinned),
		cmocka_unit_test(test_netdev_view_grew_into_reserved_space),
		cmocka_unit_test(test_ctx_opts_reserved_must_be_zero),
		cmocka_unit_test(test_ifq_opts_reserved_must_be_zero),
		cmocka_unit_test(test_consumer_params_reserved_must_be_zero),
		cmocka_unit_test(test_sim_params_reserved_must_be_zero),
		cmocka_unit_test(test_output_reserved_is_zeroed),
		cmocka_unit_test(test_version_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
