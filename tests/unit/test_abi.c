// SPDX-License-Identifier: MIT
/*
 * The kernel ABI as we carry it: kabi.h's _Static_asserts pin every size and
 * offset at compile time (this file would not build otherwise); here the
 * places where our structs meet liburing 2.3's, and the generation detection
 * of §3.4 from synthetic query answers for kernels this machine is not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "zcrx.h"
#include "kabi.h"
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
	/* res is an index; type_mask and arm use 1u << index (§2.11 trap) */
	assert_int_equal(ZCRX_EVENT_ALLOC_FAIL, 0);
	assert_int_equal(ZCRX_EVENT_COPY, 1);
	assert_int_equal(ZCRX_EV_MASK(ZCRX_EV_COPY), 0x2);
	assert_int_equal(ZCRX_EV_MASK_ALL, 0x3);
	assert_true(IORING_ZCRX_AREA_MASK == 0xffff000000000000ULL);
}

/* Query answers as each kernel generation gives them (§3.3). */
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
