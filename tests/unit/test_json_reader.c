// SPDX-License-Identifier: MIT
/* The session protocol's JSON reader: strict, bounded, exact integers. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_reader.h"

static struct json *parse(const char *s, int *err)
{
	return json_parse(s, strlen(s), err);
}

/* s must be refused with want */
static void refuse(const char *s, size_t len, int want)
{
	int err = 0;
	struct json *j = json_parse(s, len, &err);

	if (j) {
		json_free(j);
		fail_msg("accepted: %.*s", (int)len, s);
	}
	if (err != want)
		fail_msg("%.*s: err %d, want %d", (int)len, s, err, want);
}

static void refuse_str(const char *s)
{
	refuse(s, strlen(s), -EINVAL);
}

static void test_protocol_request(void **state)
{
	const char *line = "{\"v\":1,\"cmd\":\"arm\",\"event\":\"alloc-fail\"}\n";
	uint64_t v;
	struct json *j;
	int err = 1;

	(void)state;
	j = parse(line, &err);
	assert_non_null(j);
	assert_int_equal(err, 0);
	assert_int_equal(json_type(j), JSON_OBJ);
	assert_int_equal(json_len(j), 3);
	assert_true(json_u64(json_get(j, "v"), &v));
	assert_true(v == 1);
	assert_string_equal(json_str(json_get(j, "cmd")), "arm");
	assert_string_equal(json_str(json_get(j, "event")), "alloc-fail");
	assert_null(json_get(j, "missing"));
	assert_null(json_get(j, "Cmd"));
	assert_string_equal(json_key_at(j, 0), "v");
	assert_string_equal(json_key_at(j, 2), "event");
	assert_null(json_key_at(j, 3));
	assert_string_equal(json_str(json_at(j, 1)), "arm");
	assert_null(json_at(j, 3));
	json_free(j);
}

static void test_scalars_at_top(void **state)
{
	struct json *j;
	bool b = false;
	double d;
	int err;

	(void)state;
	j = parse(" true ", &err);
	assert_non_null(j);
	assert_int_equal(json_type(j), JSON_BOOL);
	assert_true(json_bool(j, &b) && b);
	json_free(j);
	j = parse("false", &err);
	assert_true(json_bool(j, &b) && !b);
	json_free(j);
	j = parse("\tnull\r\n", &err);
	assert_non_null(j);
	assert_int_equal(json_type(j), JSON_NULL);
	assert_false(json_bool(j, &b));
	json_free(j);
	j = parse("-12.5e-1", &err);
	assert_true(json_num(j, &d));
	assert_true(d == -1.25);
	json_free(j);
	j = parse("\"x\"", &err);
	assert_string_equal(json_str(j), "x");
	assert_int_equal(json_len(j), 0);
	json_free(j);
}

static void test_typed_reads_check_type(void **state)
{
	struct json *j;
	uint64_t u;
	int64_t i;
	double d;
	bool b;
	int err;

	(void)state;
	j = parse("{\"s\":\"1\",\"n\":1,\"b\":true,\"a\":[],\"o\":{},\"z\":null}", &err);
	assert_non_null(j);
	assert_false(json_u64(json_get(j, "s"), &u));
	assert_false(json_num(json_get(j, "s"), &d));
	assert_null(json_str(json_get(j, "n")));
	assert_false(json_bool(json_get(j, "n"), &b));
	assert_int_equal(json_type(json_get(j, "a")), JSON_ARR);
	assert_int_equal(json_len(json_get(j, "a")), 0);
	assert_int_equal(json_type(json_get(j, "o")), JSON_OBJ);
	assert_int_equal(json_type(json_get(j, "z")), JSON_NULL);
	assert_non_null(json_get(j, "z"));
	/* NULL in, nothing out */
	assert_null(json_get(NULL, "x"));
	assert_null(json_get(json_get(j, "a"), "x"));
	assert_null(json_str(NULL));
	assert_false(json_u64(NULL, &u));
	assert_false(json_i64(NULL, &i));
	assert_int_equal(json_len(NULL), 0);
	assert_null(json_at(json_get(j, "n"), 0));
	assert_null(json_key_at(json_get(j, "a"), 0));
	json_free(j);
	json_free(NULL);
}

static void test_integers_exact(void **state)
{
	struct json *j;
	uint64_t u;
	int64_t i;
	int err;

	(void)state;
	j = parse("[18446744073709551615, 18446744073709551616, -1, 0, -0,"
		  " 9223372036854775807, -9223372036854775808, -9223372036854775809,"
		  " 1.5, 1e3, 10.0, 1e20, 9007199254740993]", &err);
	assert_non_null(j);
	assert_int_equal(json_len(j), 13);
	assert_true(json_u64(json_at(j, 0), &u));
	assert_true(u == UINT64_MAX);
	assert_false(json_u64(json_at(j, 1), &u));	/* 2^64 */
	assert_false(json_u64(json_at(j, 2), &u));	/* negative */
	assert_true(json_i64(json_at(j, 2), &i) && i == -1);
	assert_true(json_u64(json_at(j, 3), &u) && u == 0);
	assert_true(json_u64(json_at(j, 4), &u) && u == 0);
	assert_true(json_i64(json_at(j, 5), &i) && i == INT64_MAX);
	assert_false(json_u64(json_at(j, 6), &u));
	assert_true(json_i64(json_at(j, 6), &i) && i == INT64_MIN);
	assert_false(json_i64(json_at(j, 7), &i));
	assert_false(json_i64(json_at(j, 0), &i));	/* > INT64_MAX */
	assert_false(json_u64(json_at(j, 8), &u));	/* 1.5 */
	assert_false(json_i64(json_at(j, 8), &i));
	assert_true(json_u64(json_at(j, 9), &u) && u == 1000);
	assert_true(json_u64(json_at(j, 10), &u) && u == 10);
	assert_false(json_u64(json_at(j, 11), &u));	/* 1e20 > 2^64 */
	/* 2^53 + 1 is not a double, but is exact as an integer */
	assert_true(json_u64(json_at(j, 12), &u) && u == 9007199254740993ULL);
	json_free(j);
}

static void test_number_grammar(void **state)
{
	static const char *const bad[] = {
		"01", "-", "+1", "1.", ".5", "1e", "1e+", "-.5", "0x10", "1.5e",
		"NaN", "Infinity", "-Infinity", "1e999", "-1e999", "--1", "1 2",
		"00", "1E+-2",
	};
	static const char *const good[] = {
		"0", "-0", "0.5", "1e5", "1E+5", "1e-5", "-0.0e0", "123456789012345678901234567890",
		"1e-400",
	};
	struct json *j;
	int err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuse_str(bad[i]);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		j = parse(good[i], &err);
		if (!j)
			fail_msg("refused %s (%d)", good[i], err);
		assert_int_equal(json_type(j), JSON_NUM);
		json_free(j);
	}
}

static void test_string_escapes(void **state)
{
	struct json *j;
	int err;

	(void)state;
	j = parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\"", &err);
	assert_non_null(j);
	assert_string_equal(json_str(j), "a\"b\\c/d\b\f\n\r\te");
	json_free(j);
	/* \u to UTF-8: 1, 2, 3 bytes and a surrogate pair to 4 */
	j = parse("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"", &err);
	assert_non_null(j);
	assert_string_equal(json_str(j), "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(j);
	/* raw UTF-8 passes through */
	j = parse("\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", &err);
	assert_non_null(j);
	assert_string_equal(json_str(j), "caf\xc3\xa9 \xf0\x9f\x98\x80");
	json_free(j);
	j = parse("\"\"", &err);
	assert_string_equal(json_str(j), "");
	json_free(j);
}

static void test_string_refusals(void **state)
{
	static const char *const bad[] = {
		"\"abc", "\"abc\\\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
		"\"\\ud83d\"", "\"\\ud83dx\"", "\"\\ud83d\\u0041\"", "\"\\ude00\"",
		"\"\\u0000\"", "\"tab\there\"", "\"nl\nhere\"", "'single'",
		"\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
		"\"\xff\"", "\"\x80\"", "\"\xe0\x80\xaf\"", "\"\xf0\x80\x80\xaf\"", "\"\xe2\x82\"", "\"\\",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuse_str(bad[i]);
	/* a NUL byte inside a string, and one after a value */
	refuse("\"a\0b\"", 5, -EINVAL);
	refuse("{}\0", 3, -EINVAL);
}

static void test_structure_refusals(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "[", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}",
		"{\"a\":1,}", "{,}", "{a:1}", "{1:1}", "{\"a\" 1}", "{\"a\":1 \"b\":2}",
		"[1]]", "{}{}", "{} x", "tru", "truex", "nul", "True", "[true false]",
		"{\"a\":1,\"a\":2}", "{\"b\":1,\"a\":2,\"b\":3}", "\xef\xbb\xbf{}",
		"[\"a\"\"b\"]", "[1,,2]", "\f1", "\v1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuse_str(bad[i]);
	refuse(NULL, 0, -EINVAL);
}

static void test_nesting_and_order(void **state)
{
	const struct json *inner;
	struct json *j;
	uint64_t u;
	int err;

	(void)state;
	j = parse(" { \"types\" : { \"alloc-fail\" : { \"state\" : \"fired\" , \"count\" : 3 } ,"
		  " \"copy\" : { \"state\" : \"armed\", \"count\" : 0 } } , \"e\" : [ 1 , [ 2 ] , { } ] } ",
		  &err);
	assert_non_null(j);
	inner = json_get(json_get(j, "types"), "alloc-fail");
	assert_string_equal(json_str(json_get(inner, "state")), "fired");
	assert_true(json_u64(json_get(inner, "count"), &u) && u == 3);
	assert_string_equal(json_key_at(json_get(j, "types"), 1), "copy");
	assert_int_equal(json_len(json_get(j, "e")), 3);
	assert_true(json_u64(json_at(json_at(json_get(j, "e"), 1), 0), &u) && u == 2);
	json_free(j);
}

static char *nested(int depth, char open, char close)
{
	char *s = malloc((size_t)depth * 2 + 1);

	assert_non_null(s);
	memset(s, open, (size_t)depth);
	memset(s + depth, close, (size_t)depth);
	s[depth * 2] = '\0';
	return s;
}

static void test_depth_limit(void **state)
{
	struct json *j;
	char *s;
	int err;

	(void)state;
	s = nested(JSON_MAX_DEPTH, '[', ']');
	j = parse(s, &err);
	assert_non_null(j);
	json_free(j);
	free(s);
	s = nested(JSON_MAX_DEPTH + 1, '[', ']');
	refuse(s, strlen(s), -E2BIG);
	free(s);
	/* deep enough to smash a stack if it recursed: still a clean refusal */
	s = nested(200000, '[', ']');
	refuse(s, strlen(s), -E2BIG);
	free(s);
	/* objects count too */
	s = malloc(JSON_MAX_DEPTH * 6 + 16);
	assert_non_null(s);
	s[0] = '\0';
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		strcat(s, "{\"a\":");
	strcat(s, "1");
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		strcat(s, "}");
	refuse(s, strlen(s), -E2BIG);
	free(s);
}

static void test_length_not_nul(void **state)
{
	const char buf[] = "{\"v\":1}garbage";
	struct json *j;
	int err;

	(void)state;
	/* the length bounds the read, not a NUL */
	j = json_parse(buf, 7, &err);
	assert_non_null(j);
	assert_int_equal(json_len(j), 1);
	json_free(j);
	refuse(buf, sizeof(buf) - 1, -EINVAL);
	/* a number running to the very end of the buffer */
	j = json_parse("12345", 3, &err);
	assert_non_null(j);
	{
		uint64_t u;

		assert_true(json_u64(j, &u) && u == 123);
	}
	json_free(j);
	/* err may be NULL */
	assert_null(json_parse("[", 1, NULL));
}

static void test_wide_and_long(void **state)
{
	size_t n = 50000, i, len = 0;
	char *s = malloc(n * 20 + 32);
	struct json *j;
	uint64_t u;
	int err;

	(void)state;
	assert_non_null(s);
	s[len++] = '{';
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	s[len++] = '}';
	j = json_parse(s, len, &err);
	assert_non_null(j);
	assert_int_equal(json_len(j), n);
	assert_true(json_u64(json_get(j, "k49999"), &u) && u == 49999);
	assert_string_equal(json_key_at(j, 12345), "k12345");
	json_free(j);
	/* one duplicate among many is found */
	len -= 1;
	len += (size_t)sprintf(s + len, ",\"k777\":0}");
	refuse(s, len, -EINVAL);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol_request),
		cmocka_unit_test(test_scalars_at_top),
		cmocka_unit_test(test_typed_reads_check_type),
		cmocka_unit_test(test_integers_exact),
		cmocka_unit_test(test_number_grammar),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_string_refusals),
		cmocka_unit_test(test_structure_refusals),
		cmocka_unit_test(test_nesting_and_order),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_length_not_nul),
		cmocka_unit_test(test_wide_and_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
