// SPDX-License-Identifier: MIT
/*
 * Crash regressions: every input with which `make fuzz` (fuzz/fuzz_*.c) broke
 * an oracle or got a sanitizer report, as a case that runs in `make check`.
 * The inputs also stay in fuzz/corpus, so `make fuzz` starts from them.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_reader.h"
#include "parse.h"
#include "proto.h"
#include "../../fuzz/reprint.h"

static void regression(const char *file, const char *what)
{
	fail_msg("regression in %s: %s", file, what);
}

/* j through a protocol line's printer, parsed back; NULL if it does not parse */
static struct json *reprint(const struct json *j, char **line)
{
	struct proto_line l;
	size_t len;
	int err;

	assert_int_equal(proto_line_open(&l), 0);
	json_reprint(&l.pr, j, NULL);
	*line = proto_line_close(&l, &len);
	assert_non_null(*line);
	return json_parse(*line, len, &err);
}

/*
 * fuzz_jsonl: a value nested JSON_MAX_DEPTH (16) deep is accepted by the
 * reader, but the print layer's writer stops counting at 15 levels
 * (zcrxctl/print.c MAX_DEPTH), so one closing bracket goes missing and
 * `status` would print a line that does not parse.
 */
static void test_reprint_deepest_value_parses_back(void **state)
{
	const char *in = "[[[[[[[[{\"a\":[[[[[[[1]]]]]]]}]]]]]]]]";
	struct json *j, *back;
	char *line;
	int err;

	(void)state;
	j = json_parse(in, strlen(in), &err);
	assert_non_null(j);
	back = reprint(j, &line);
	json_free(j);
	if (!back) {
		print_message("reprinted as %s\n", line);
		free(line);
		regression("zcrxctl/print.c", "16 levels of JSON reprint with a bracket missing");
		return;
	}
	json_free(back);
	free(line);
}

/*
 * fuzz_jsonl: a number that is neither a u64 nor an i64 (1e300, or
 * 84467440737095516150.5) went through (int64_t)d in json_reprint
 * (zcrxctl/record.c): undefined behaviour (UBSan: float-cast-overflow), and
 * on x86-64 the integer INT64_MIN, a different value from the one received.
 */
static void test_reprint_huge_number_keeps_its_value(void **state)
{
	static const char *const in[] = { "[1e300]", "[-1e300]", "[84467440737095516150.5]" };

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct json *j, *back;
		double d, e;
		char *line;
		int err;

		j = json_parse(in[i], strlen(in[i]), &err);
		assert_non_null(j);
		assert_true(json_num(json_at(j, 0), &d));
		back = reprint(j, &line);
		json_free(j);
		assert_non_null(back);
		/* whatever it prints, it must not be another number */
		if (json_type(json_at(back, 0)) == JSON_NUM && json_num(json_at(back, 0), &e) &&
		    fabs(e - d) > fabs(d) * 1e-9) {
			print_message("%s reprinted as %s", in[i], line);
			json_free(back);
			free(line);
			regression("zcrxctl/record.c", "json_reprint casts an out-of-range double to int64_t");
			return;
		}
		json_free(back);
		free(line);
	}
}

/*
 * fuzz_args: parse_u64 is documented as "decimal or 0x hex" (zcrxctl/parse.c),
 * but strtoull base 0 reads a leading 0 as octal: `--rq-entries 010` was 8,
 * and `--queue 08` "not a number".
 */
static void test_leading_zero_is_decimal(void **state)
{
	uint64_t v = 0;
	uint32_t q = 0;
	int r64, r32;

	(void)state;
	r64 = parse_u64("010", &v);
	r32 = parse_u32("08", &q);
	if ((r64 == 0 && v == 8) || r32 == -EINVAL) {
		print_message("parse_u64(\"010\") = %d, %llu; parse_u32(\"08\") = %d\n", r64,
			      (unsigned long long)v, r32);
		regression("zcrxctl/parse.c", "a leading 0 makes parse_u64/parse_u32 read octal");
		return;
	}
	/* decimal, or refused as ambiguous: both keep to the documented grammar */
	assert_true((r64 == 0 && v == 10) || r64 == -EINVAL);
	assert_true((r32 == 0 && q == 8) || r32 == -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reprint_deepest_value_parses_back),
		cmocka_unit_test(test_reprint_huge_number_keeps_its_value),
		cmocka_unit_test(test_leading_zero_is_decimal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
