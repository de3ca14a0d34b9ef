// SPDX-License-Identifier: MIT
/*
 * The flat record reader (record_scan.c) that `subscribe` uses on every
 * line: it takes a session's lines without a tree, leaves everything else
 * to the JSON reader, and either way proto_record_decode() answers as
 * proto_record_decode_tree() does, refusals included.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "proto.h"
#include "record_scan.h"

#define EVENT	"{\"v\":1,\"record\":\"event\",\"seq\":7,\"time\":\"2026-12-02T14:40:41.940083Z\"," \
		"\"dev\":\"sim0\",\"queue\":0,\"zcrx-id\":0,\"event\":\"alloc-fail\",\"count\":1," \
		"\"latched\":true,\"held\":1,\"rq-fill\":0,\"copy-count\":null,\"copy-bytes\":null," \
		"\"mode\":\"sim\",\"simulated\":true}"
#define ARMED	"{\"v\":1,\"record\":\"armed\",\"event\":\"alloc-fail\",\"by\":\"auto\"," \
		"\"dev\":\"sim0\",\"queue\":0,\"mode\":\"sim\",\"simulated\":true}"

/* Both readers on line: the same answer, the same record; that answer */
static int both(const char *line)
{
	struct record a, b;
	int ra = proto_record_decode(line, strlen(line), &a);
	int rb = proto_record_decode_tree(line, strlen(line), &b);

	if (ra != rb)
		fail_msg("scanner %d, tree %d: %s", ra, rb, line);
	if (!ra) {
		assert_int_equal(a.has_time, b.has_time);
		if (a.has_time && a.real_ns != b.real_ns && a.mono_ns != b.mono_ns)
			fail_msg("times differ: %s", line);
		a.real_ns = b.real_ns = a.mono_ns = b.mono_ns = 0;
		if (memcmp(&a, &b, sizeof(a)))
			fail_msg("records differ: %s", line);
	}
	return ra;
}

/* line with the first from replaced by to */
static char *edit(const char *line, const char *from, const char *to)
{
	const char *at = strstr(line, from);
	char *out;

	assert_non_null(at);
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - line), line, to,
			     at + strlen(from)) > 0);
	return out;
}

static void test_session_lines_scan_flat(void **state)
{
	struct rfields f;
	struct record r;

	(void)state;
	assert_int_equal(record_scan(EVENT, strlen(EVENT), &f), 0);
	assert_int_equal(rf_get(&f, RK_SEQ)->u, 7);
	assert_null(rf_get(&f, RK_BY));
	assert_int_equal(record_scan(ARMED, strlen(ARMED), &f), 0);
	assert_int_equal(both(EVENT), 0);
	assert_int_equal(both(ARMED), 0);
	assert_int_equal(proto_record_decode(EVENT, strlen(EVENT), &r), 0);
	assert_int_equal(r.seq, 7);
	assert_int_equal(r.real_ns, 1796222441940083000ULL);
	assert_string_equal(r.dev, "sim0");
	assert_int_equal(r.mode, BACKEND_SIM);
}

/* what the scanner hands back; the JSON reader decides the same */
static void test_what_the_scanner_leaves_to_the_reader(void **state)
{
	static const char *const odd[][2] = {
		{ "\"dev\":\"sim0\"", "\"d\\u0065v\":\"sim0\"" },	/* escaped key */
		{ "\"dev\":\"sim0\"", "\"dev\":\"s\\u0069m0\"" },	/* escaped value */
		{ "\"queue\":0", "\"queue\":0,\"extra\":[1,{\"a\":2}]" },	/* unknown, nested */
		{ "\"queue\":0", "\"queue\":0.0" },			/* a fraction */
		{ "\"queue\":0", "\"queue\":0e0" },
		{ "\"seq\":7", "\"seq\":-0" },
		{ "\"seq\":7", "\"seq\":18446744073709551615" },	/* 2^64-1: 20 digits */
		{ "\"seq\":7", "\"seq\":18446744073709551616" },	/* 2^64 */
		{ "\"seq\":7", "\"seq\":184467440737095516150" },
		{ "\"seq\":7", "\"seq\":07" },
		{ "\"v\":1,", " \t{\"v\" : 1 ,\r\n" },			/* white space */
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2024-02-30T23:59:60.Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2026-12-02T14:40:41Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2026-2-02T14:40:41Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"1969-12-31T23:59:59Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2554-07-21T23:34:33Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2554-07-21T23:34:34Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2500-12-31T23:59:59.1Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2000-02-29T00:00:00Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2100-02-29T00:00:00Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":12345" },
		{ "\"event\":\"alloc-fail\"", "\"event\":\"no-buffers\"" },
		{ "\"event\":\"alloc-fail\"", "\"event\":\"alloc-failure-of-a-longer-name\"" },
		{ "\"mode\":\"sim\",\"simulated\":true", "\"mode\":\"nic\",\"simulated\":true" },
		{ "\"mode\":\"sim\",\"simulated\":true", "\"mode\":\"nodev\",\"simulated\":false" },
		{ "\"mode\":\"sim\",\"simulated\":true", "\"simulated\":true" },
		{ "\"record\":\"event\"", "\"record\":\"hello\"" },
		{ "\"dev\":\"sim0\"", "\"dev\":\"0123456789abcdef\"" },		/* IFNAMSIZ */
		{ "\"dev\":\"sim0\"", "\"dev\":\"\xc3\xa9t\xc3\xa9\"" },
		{ "\"queue\":0", "\"queue\":4294967296" },
	};
	struct rfields f;

	(void)state;
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		char *line = edit(EVENT, odd[i][0], odd[i][1]);

		record_scan(line, strlen(line), &f);
		both(line);
		free(line);
	}
}

/* the JSON reader's refusals hold on the path without a tree */
static void test_refusals_stay(void **state)
{
	static const char *const bad[][2] = {
		{ "\"count\":1", "\"count\":1,\"count\":2" },		/* duplicate */
		{ "\"held\":1", "\"held\":1,\"v\":1" },
		{ "\"dev\":\"sim0\"", "\"dev\":\"s\xc3\x28\"" },		/* bad UTF-8 */
		{ "\"dev\":\"sim0\"", "\"dev\":\"s\xed\xa0\x80\"" },	/* a surrogate */
		{ "\"dev\":\"sim0\"", "\"dev\":\"s\xc0\xaf\"" },		/* overlong */
		{ "\"dev\":\"sim0\"", "\"dev\":\"s\x01\"" },		/* control */
		{ "\"dev\":\"sim0\"", "\"dev\":\"sim0" },			/* cut */
		{ "\"dev\":\"sim0\"", "\"dev\":7" },			/* type */
		{ "\"latched\":true", "\"latched\":1" },
		{ "\"latched\":true", "\"latched\":tru" },
		{ "\"count\":1", "\"count\":\"1\"" },
		{ "\"queue\":0", "\"queue\":-1" },
		{ "\"seq\":7", "\"seq\":1e999" },
		{ "\"v\":1", "\"v\":2" },
		{ "\"dev\":\"sim0\"", "\"dev\":\"0123456789abcdefg\"" },	/* too long */
		{ "\"simulated\":true}", "\"simulated\":true}x" },		/* trailing */
		{ "\"simulated\":true}", "\"simulated\":true,}" },
		{ "\"mode\":\"sim\"", "\"mode\":\"nic\"" },			/* disagrees */
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2026-13-02T14:40:41Z\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":\"2026-12-02T14:40:41.9X\"" },
		{ "\"time\":\"2026-12-02T14:40:41.940083Z\"", "\"time\":true" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *line = edit(EVENT, bad[i][0], bad[i][1]);

		if (both(line) != -EINVAL)
			fail_msg("accepted: %s", line);
		free(line);
	}
}

/*
 * Keys are guessed from the line before of the same kind: a guess that
 * does not match (another kind, a key that starts like it) is no match.
 */
static void test_key_guesses_are_checked(void **state)
{
	static const char *const seq[] = {
		EVENT, ARMED, EVENT,
		"{\"v\":1,\"record\":\"stats\",\"time\":5,\"dev\":\"a\",\"queue\":1,\"rx-buffers\":1,"
		"\"rx-packets\":null,\"rx-bytes\":2,\"rx-bps\":3,\"held\":4,\"rq-fill\":5,"
		"\"alloc-fail\":6,\"copy\":7,\"copy-count\":8,\"copy-bytes\":9,\"recv-stalls\":1,"
		"\"recv-overflows\":null,\"mode\":\"nic\",\"simulated\":false}",
		/* "copy-count" guessed after "copy": must not take "copy" */
		"{\"v\":1,\"record\":\"stats\",\"time\":5,\"dev\":\"a\",\"queue\":1,\"rx-buffers\":1,"
		"\"rx-packets\":null,\"rx-bytes\":2,\"rx-bps\":3,\"held\":4,\"rq-fill\":5,"
		"\"alloc-fail\":6,\"copy\":7,\"copy\":8,\"copy-bytes\":9,\"recv-stalls\":1,"
		"\"mode\":\"nic\",\"simulated\":false}",
		"{\"v\":1,\"record\":\"stats\",\"time\":5,\"dev\":\"a\",\"queue\":1,\"rx-buffers\":1,"
		"\"rx-packets\":null,\"rx-bytes\":2,\"rx-bps\":3,\"held\":4,\"rq-fill\":5,"
		"\"alloc-fail\":6,\"copy\":7,\"copy-countx\":8,\"copy-bytes\":9,\"recv-stalls\":1,"
		"\"mode\":\"nic\",\"simulated\":false}",
		"{\"v\":1,\"record\":\"grow\",\"time\":\"2026-12-02T14:40:41.9Z\",\"dev\":\"sim0\","
		"\"queue\":0,\"by\":\"alloc-fail\",\"stopped\":false,\"area-id\":1,\"size\":65536,"
		"\"areas\":2,\"area-size\":131072,\"mode\":\"sim\",\"simulated\":true}",
		"{\"v\":1,\"record\":\"grow\",\"time\":\"2026-12-02T14:40:41.9Z\",\"dev\":\"sim0\","
		"\"queue\":0,\"by\":\"alloc-fail\",\"stopped\":true,\"error\":\"no \xc3\xa9\","
		"\"areas\":2,\"area\":131072,\"mode\":\"sim\",\"simulated\":true}",
		"{\"v\":1,\"record\":\"lost\",\"count\":3,\"mode\":\"sim\",\"simulated\":true}",
		"{\"v\":1,\"record\":\"lost\",\"count\":3,\"mod\":\"sim\",\"simulated\":true}",
		"{\"v\":1,\"record\":\"lost\",\"count\":3,\"simulated\":true,\"mode\":\"sim\"}",
	};
	static const int want[] = { 0, 0, 0, 0, -EINVAL, 0, 0, -EINVAL, 0, 0, 0 };

	(void)state;
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
			if (both(seq[i]) != want[i])
				fail_msg("line %zu: not %d: %s", i, want[i], seq[i]);
}

/* the session's time format without strptime(): timegm()'s answer */
static void test_times_as_timegm_reads_them(void **state)
{
	static const char *const when[] = {
		"1970-01-01T00:00:00Z", "1999-12-31T23:59:59.5Z", "2000-02-29T12:00:00Z",
		"2024-02-29T23:59:59.999999999Z", "2026-12-02T14:40:41.940083Z",
		"2100-03-01T00:00:00Z", "2400-02-29T01:02:03Z", "2500-12-31T23:59:59Z",
	};
	struct record r;

	(void)state;
	for (size_t i = 0; i < sizeof(when) / sizeof(when[0]); i++) {
		struct tm tm = { 0 };
		char *line;
		char *at = strptime(when[i], "%Y-%m-%dT%H:%M:%S", &tm);
		uint64_t frac = 0, scale = 1000000000ULL;

		assert_non_null(at);
		if (*at == '.')
			for (at++; *at >= '0' && *at <= '9' && scale > 1; at++)
				frac += (uint64_t)(*at - '0') * (scale /= 10);
		assert_true(asprintf(&line, "{\"v\":1,\"record\":\"grow\",\"time\":\"%s\","
				     "\"dev\":\"a\",\"queue\":0,\"by\":\"x\",\"stopped\":true,"
				     "\"error\":\"\",\"areas\":1,\"area-size\":1,\"simulated\":false}",
				     when[i]) > 0);
		assert_int_equal(both(line), 0);
		assert_int_equal(proto_record_decode(line, strlen(line), &r), 0);
		assert_int_equal(r.real_ns, (uint64_t)timegm(&tm) * 1000000000ULL + frac);
		free(line);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_lines_scan_flat),
		cmocka_unit_test(test_what_the_scanner_leaves_to_the_reader),
		cmocka_unit_test(test_refusals_stay),
		cmocka_unit_test(test_key_guesses_are_checked),
		cmocka_unit_test(test_times_as_timegm_reads_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
