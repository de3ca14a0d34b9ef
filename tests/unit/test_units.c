// SPDX-License-Identifier: MIT
/* Sizes and durations from the command line, and sizes printed back. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "units.h"

#define NS_S	1000000000ULL

static void test_size_plain_and_suffixes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(parse_size("4096", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(parse_size("4K", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(parse_size("4k", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(parse_size("8M", &v), 0);
	assert_true(v == 8ULL << 20);
	assert_int_equal(parse_size("1G", &v), 0);
	assert_true(v == 1ULL << 30);
	assert_int_equal(parse_size("3g", &v), 0);
	assert_true(v == 3ULL << 30);
	assert_int_equal(parse_size("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void test_size_rejects_junk(void **state)
{
	static const char *const bad[] = {
		"", "-1", "-4K", "+4K", " 4K", "4K ", "4 K", "12Q", "K", "4KB",
		"4B", "4KK", "1.5G", "0x10", "4T", "four", "4\n",
	};
	uint64_t v = 0x5a5a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_size(bad[i], &v) != -EINVAL)
			fail_msg("parse_size(\"%s\") accepted or wrong error", bad[i]);
	}
	assert_true(v == 0x5a5a);	/* untouched on error */
	assert_int_equal(parse_size(NULL, &v), -EINVAL);
}

static void test_size_overflow(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse_size("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_size("99999999999999999999999", &v), -ERANGE);
	/* 2^54 K = 2^64 bytes */
	assert_int_equal(parse_size("18014398509481984K", &v), -ERANGE);
	assert_int_equal(parse_size("18014398509481983K", &v), 0);
	assert_true(v == 18014398509481983ULL << 10);
	assert_int_equal(parse_size("17179869184G", &v), -ERANGE);
	assert_int_equal(parse_size("17179869183G", &v), 0);
	/* junk after an overlong number is still junk */
	assert_int_equal(parse_size("99999999999999999999999Q", &v), -EINVAL);
}

static void test_duration_units(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_duration("5ns", &v), 0);
	assert_true(v == 5);
	assert_int_equal(parse_duration("100us", &v), 0);
	assert_true(v == 100000);
	assert_int_equal(parse_duration("500ms", &v), 0);
	assert_true(v == 500000000);
	assert_int_equal(parse_duration("1s", &v), 0);
	assert_true(v == NS_S);
	assert_int_equal(parse_duration("2m", &v), 0);
	assert_true(v == 120 * NS_S);
	assert_int_equal(parse_duration("1h", &v), 0);
	assert_true(v == 3600 * NS_S);
	assert_int_equal(parse_duration("0", &v), 0);
	assert_true(v == 0);
}

static void test_duration_bare_is_seconds(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_duration("30", &v), 0);
	assert_true(v == 30 * NS_S);
	assert_int_equal(parse_duration("0.25", &v), 0);
	assert_true(v == 250000000);
}

static void test_duration_decimals(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_duration("1.5s", &v), 0);
	assert_true(v == 1500000000);
	assert_int_equal(parse_duration("0.5ms", &v), 0);
	assert_true(v == 500000);
	assert_int_equal(parse_duration("1.25h", &v), 0);
	assert_true(v == 4500 * NS_S);
	assert_int_equal(parse_duration("0.000000001", &v), 0);
	assert_true(v == 1);
	/* below a nanosecond is truncated, and many digits are fine */
	assert_int_equal(parse_duration("1.9ns", &v), 0);
	assert_true(v == 1);
	assert_int_equal(parse_duration("0.1234567891234567891234s", &v), 0);
	assert_true(v == 123456789);
	assert_int_equal(parse_duration("2.99999999999999999999999999999999999999999999999h", &v), 0);
	assert_true(v == 3 * 3600 * NS_S - 1);
}

static void test_duration_rejects_junk(void **state)
{
	static const char *const bad[] = {
		"", "-1s", "+1s", " 1s", "1s ", "1 s", "1x", "s", "ms", "1.s",
		".5s", "1..5s", "1.5.s", "1sec", "1S", "1MS", "1ss", "5d", "1e3",
		"0x10", "1,5s",
	};
	uint64_t v = 0x5a5a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_duration(bad[i], &v) != -EINVAL)
			fail_msg("parse_duration(\"%s\") accepted or wrong error", bad[i]);
	}
	assert_true(v == 0x5a5a);
	assert_int_equal(parse_duration(NULL, &v), -EINVAL);
}

static void test_duration_overflow(void **state)
{
	uint64_t v = 7;

	(void)state;
	/* UINT64_MAX ns is about 584 years */
	assert_int_equal(parse_duration("18446744073709551615ns", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_duration("18446744073709551616ns", &v), -ERANGE);
	assert_int_equal(parse_duration("18446744074s", &v), -ERANGE);
	assert_int_equal(parse_duration("18446744073s", &v), 0);
	assert_int_equal(parse_duration("5124096h", &v), -ERANGE);
	assert_int_equal(parse_duration("18446744073.709551616s", &v), -ERANGE);
	assert_int_equal(parse_duration("18446744073.709551615s", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_duration("99999999999999999999999999h", &v), -ERANGE);
	assert_int_equal(parse_duration("99999999999999999999999999x", &v), -EINVAL);
}

static void test_fmt_size(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(fmt_size(8388608, buf, sizeof(buf)), "8M");
	assert_string_equal(fmt_size(4096, buf, sizeof(buf)), "4K");
	assert_string_equal(fmt_size(1ULL << 30, buf, sizeof(buf)), "1G");
	assert_string_equal(fmt_size(3ULL << 40, buf, sizeof(buf)), "3072G");
	assert_string_equal(fmt_size(1536ULL << 20, buf, sizeof(buf)), "1536M");
	assert_string_equal(fmt_size(4097, buf, sizeof(buf)), "4097");
	assert_string_equal(fmt_size(1000, buf, sizeof(buf)), "1000");
	assert_string_equal(fmt_size(0, buf, sizeof(buf)), "0");
	assert_string_equal(fmt_size(UINT64_MAX, buf, sizeof(buf)), "18446744073709551615");
	/* a short buffer truncates, never overruns */
	memset(buf, 'x', sizeof(buf));
	fmt_size(123456789, buf, 4);
	assert_string_equal(buf, "123");
	assert_int_equal(buf[4], 'x');
}

static void test_round_trip(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 4095, 4096, 65536, 8 << 20, 3ULL << 30,
					  (1ULL << 30) + 4096, 12345678901ULL };
	char buf[32];
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(parse_size(fmt_size(sizes[i], buf, sizeof(buf)), &v), 0);
		assert_true(v == sizes[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_plain_and_suffixes),
		cmocka_unit_test(test_size_rejects_junk),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_duration_bare_is_seconds),
		cmocka_unit_test(test_duration_decimals),
		cmocka_unit_test(test_duration_rejects_junk),
		cmocka_unit_test(test_duration_overflow),
		cmocka_unit_test(test_fmt_size),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
