// SPDX-License-Identifier: MIT
/* Parsers: numbers, event names and lists, feature names. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "zcrx.h"
#include "parse.h"

static void test_u32(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(parse_u32("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u32("4294967295", &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(parse_u32("0x10", &v), 0);
	assert_int_equal(v, 16);
	/* decimal, not octal, whatever the leading zeros */
	assert_int_equal(parse_u32("010", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(parse_u32("08", &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(parse_u32("0x", &v), -EINVAL);
	assert_int_equal(parse_u32("0xg", &v), -EINVAL);
	assert_int_equal(parse_u32("4294967296", &v), -ERANGE);
	assert_int_equal(parse_u32("-1", &v), -EINVAL);
	assert_int_equal(parse_u32("+1", &v), -EINVAL);
	assert_int_equal(parse_u32(" 1", &v), -EINVAL);
	assert_int_equal(parse_u32("1x", &v), -EINVAL);
	assert_int_equal(parse_u32("", &v), -EINVAL);
	assert_int_equal(parse_u32(NULL, &v), -EINVAL);
}

static void test_u64(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("12Q", &v), -EINVAL);
}

static void test_event_names(void **state)
{
	(void)state;
	assert_string_equal(zcrx_event_name(ZCRX_EV_ALLOC_FAIL), "alloc-fail");
	assert_string_equal(zcrx_event_name(ZCRX_EV_COPY), "copy");
	assert_null(zcrx_event_name(ZCRX_EV_COUNT));
	assert_int_equal(zcrx_event_parse("alloc-fail"), ZCRX_EV_ALLOC_FAIL);
	/* the May 2026 seed patch's name */
	assert_int_equal(zcrx_event_parse("no-buffers"), ZCRX_EV_ALLOC_FAIL);
	assert_int_equal(zcrx_event_parse("copy"), ZCRX_EV_COPY);
	assert_int_equal(zcrx_event_parse("Copy"), -EINVAL);
	assert_int_equal(zcrx_event_parse(""), -EINVAL);
	assert_int_equal(zcrx_event_parse(NULL), -EINVAL);
}

static void test_event_lists(void **state)
{
	uint32_t m = 0xdead;

	(void)state;
	assert_int_equal(zcrx_event_list_parse("all", &m), 0);
	assert_int_equal(m, 0x3);
	assert_int_equal(zcrx_event_list_parse("copy", &m), 0);
	assert_int_equal(m, 0x2);
	assert_int_equal(zcrx_event_list_parse("no-buffers,copy", &m), 0);
	assert_int_equal(m, 0x3);
	assert_int_equal(zcrx_event_list_parse("none", &m), 0);
	assert_int_equal(m, 0);
	m = 0x77;
	assert_int_equal(zcrx_event_list_parse("copy,", &m), -EINVAL);
	assert_int_equal(zcrx_event_list_parse(",copy", &m), -EINVAL);
	assert_int_equal(zcrx_event_list_parse("copy,,alloc-fail", &m), -EINVAL);
	assert_int_equal(zcrx_event_list_parse("copy,bogus", &m), -EINVAL);
	assert_int_equal(zcrx_event_list_parse("", &m), -EINVAL);
	assert_int_equal(m, 0x77);	/* untouched on error */
}

static void test_event_list_str_round_trips(void **state)
{
	char buf[32];
	uint32_t m;

	(void)state;
	for (uint32_t mask = 0; mask <= ZCRX_EV_MASK_ALL; mask++) {
		zcrx_event_list_str(mask, buf, sizeof(buf));
		assert_int_equal(zcrx_event_list_parse(buf, &m), 0);
		assert_int_equal(m, mask);
	}
	assert_string_equal(zcrx_event_list_str(0x3, buf, sizeof(buf)), "alloc-fail,copy");
	assert_string_equal(zcrx_event_list_str(0, buf, sizeof(buf)), "none");
	/* truncated, never overrun */
	assert_string_equal(zcrx_event_list_str(0x3, buf, 6), "alloc");
}

static void test_feature_names_round_trip(void **state)
{
	(void)state;
	for (int f = 0; f < ZCRX_FEAT_COUNT; f++) {
		const char *n = zcrx_feature_name(f);

		assert_non_null(n);
		assert_int_equal(zcrx_feature_parse(n), f);
	}
	assert_int_equal(zcrx_feature_parse("no-buffers"), ZCRX_FEAT_ALLOC_FAIL);
	assert_int_equal(zcrx_feature_parse("event"), -EINVAL);
	assert_null(zcrx_feature_name(ZCRX_FEAT_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_event_lists),
		cmocka_unit_test(test_event_list_str_round_trips),
		cmocka_unit_test(test_feature_names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
