// SPDX-License-Identifier: MIT
/* The print layer: text and JSON from the same calls, well-formed on errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "print.h"

static char *buf;
static size_t len;
static FILE *mem;
static struct printer pr;

static void begin(bool json, bool pretty)
{
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	printer_init(&pr, mem, json, pretty, COLOR_NEVER);
	print_diag_setup(&pr, false);
}

static const char *end(void)
{
	fclose(mem);
	return buf;
}

static void emit_sample(void)
{
	open_json_object(&pr, NULL);
	print_string(&pr, PRINT_ANY, "ifname", "dev %s", "eth0");
	print_uint(&pr, PRINT_ANY, "queue", " queue %llu", 5);
	print_int(&pr, PRINT_ANY, "delta", " delta %lld", -3);
	print_bool(&pr, PRINT_ANY, "ready", " ready %s", false);
	print_hex(&pr, PRINT_ANY, "flags", " flags 0x%llx", 0x2a);
	print_null(&pr, PRINT_ANY, "driver", " driver %s");
	open_json_array(&pr, "events");
	print_string(&pr, PRINT_JSON, NULL, NULL, "alloc-fail");
	print_string(&pr, PRINT_JSON, NULL, NULL, "copy");
	close_json_array(&pr);
	print_nl(&pr);
	close_json_object(&pr);
	print_end(&pr);
}

static void test_same_calls_text(void **state)
{
	(void)state;
	begin(false, false);
	emit_sample();
	assert_string_equal(end(), "dev eth0 queue 5 delta -3 ready no flags 0x2a driver n/a\n");
	free(buf);
}

static void test_same_calls_json(void **state)
{
	(void)state;
	begin(true, false);
	emit_sample();
	assert_string_equal(end(), "{\"ifname\":\"eth0\",\"queue\":5,\"delta\":-3,\"ready\":false,"
			    "\"flags\":\"0x2a\",\"driver\":null,\"events\":[\"alloc-fail\",\"copy\"]}\n");
	free(buf);
}

static void test_json_escapes(void **state)
{
	(void)state;
	begin(true, false);
	open_json_object(&pr, NULL);
	print_string(&pr, PRINT_ANY, "s", NULL, "a\"b\\c\nd\x01");
	print_end(&pr);
	assert_string_equal(end(), "{\"s\":\"a\\\"b\\\\c\\nd\\u0001\"}\n");
	free(buf);
}

static void test_pretty_nests(void **state)
{
	(void)state;
	begin(true, true);
	open_json_object(&pr, NULL);
	open_json_object(&pr, "a");
	print_uint(&pr, PRINT_JSON, "b", NULL, 1);
	close_json_object(&pr);
	open_json_array(&pr, "c");
	close_json_array(&pr);
	print_end(&pr);
	assert_string_equal(end(), "{\n  \"a\": {\n    \"b\": 1\n  },\n  \"c\": []\n}\n");
	free(buf);
}

/* An error in the middle of a document closes it and stays valid JSON. */
static void test_error_mid_document(void **state)
{
	FILE *saved = stdout;

	(void)state;
	begin(true, false);
	open_json_object(&pr, NULL);
	open_json_array(&pr, "devices");
	open_json_object(&pr, NULL);
	print_string(&pr, PRINT_JSON, "ifname", NULL, "lo");
	close_json_object(&pr);
	p_err("device '%s' vanished", "eth9");
	(void)saved;
	assert_string_equal(end(), "{\"devices\":[{\"ifname\":\"lo\"}],"
			    "\"error\":\"device 'eth9' vanished\"}\n");
	free(buf);
}

static void test_error_alone(void **state)
{
	(void)state;
	begin(true, false);
	p_err("unknown command '%s'", "frob");
	assert_string_equal(end(), "{\"error\":\"unknown command 'frob'\"}\n");
	free(buf);
}

/* Streams: one object per line, each flushed. */
static void test_ndjson_records(void **state)
{
	(void)state;
	begin(true, false);
	for (int i = 0; i < 3; i++) {
		open_json_object(&pr, NULL);
		print_uint(&pr, PRINT_ANY, "seq", NULL, i);
		close_json_object(&pr);
		print_record_end(&pr);
	}
	assert_string_equal(end(), "{\"seq\":0}\n{\"seq\":1}\n{\"seq\":2}\n");
	free(buf);
}

static void test_text_only_and_json_only(void **state)
{
	(void)state;
	begin(false, false);
	print_uint(&pr, PRINT_JSON, "hidden", "%llu", 7);
	print_uint(&pr, PRINT_FP, "shown", "%llu", 8);
	print_text(&pr, "|%d", 9);
	print_end(&pr);
	assert_string_equal(end(), "8|9");
	free(buf);
}

static void test_color_always_wraps_value(void **state)
{
	(void)state;
	mem = open_memstream(&buf, &len);
	printer_init(&pr, mem, false, false, COLOR_ALWAYS);
	print_color_string(&pr, PRINT_ANY, COLOR_OK, "state", "state %s.", "ready");
	print_end(&pr);
	assert_string_equal(end(), "state \033[32mready\033[0m.");
	free(buf);
}

static void test_color_auto_off_for_pipes(void **state)
{
	(void)state;
	mem = open_memstream(&buf, &len);
	printer_init(&pr, mem, false, false, COLOR_AUTO);	/* not a tty */
	print_color_string(&pr, PRINT_ANY, COLOR_BAD, "state", "%s", "not ready");
	print_end(&pr);
	assert_string_equal(end(), "not ready");
	free(buf);
}

/* Two printers at once: one does not re-target the other (as a wire line inside a stream). */
static void test_two_printers_are_independent(void **state)
{
	struct printer other;
	char *obuf = NULL;
	size_t olen = 0;
	FILE *omem = open_memstream(&obuf, &olen);

	(void)state;
	assert_non_null(omem);
	begin(false, false);
	printer_init(&other, omem, true, false, COLOR_NEVER);
	print_text(&pr, "text ");
	open_json_object(&other, NULL);
	print_uint(&other, PRINT_ANY, "n", " n=%llu", 1);
	print_uint(&pr, PRINT_ANY, "n", "n=%llu", 2);
	print_end(&other);
	print_end(&pr);
	fclose(omem);
	assert_string_equal(obuf, "{\"n\":1}\n");
	assert_string_equal(end(), "text n=2");
	free(obuf);
	free(buf);
}

/* A write that fails is reported by print_failed(), and nothing exits. */
static void test_failed_write_is_reported(void **state)
{
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	printer_init(&pr, full, true, false, COLOR_NEVER);
	assert_false(print_failed(&pr));
	open_json_object(&pr, NULL);
	print_uint(&pr, PRINT_JSON, "n", NULL, 1);
	print_end(&pr);
	assert_true(print_failed(&pr));
	fclose(full);
}

/* print_escape: C escapes for what a terminal obeys, valid UTF-8 as is. */
static void test_escape_rules(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "eth0", NULL },				/* nothing to do */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", NULL },	/* valid UTF-8 */
		{ "\033]0;x\a", "\\e]0;x\\a" },
		{ "a\tb\nc\rd\b\f\v\\", "a\\tb\\nc\\rd\\b\\f\\v\\\\" },
		{ "\x01\x7f", "\\x01\\x7f" },
		{ "\xff\xfe", "\\xff\\xfe" },			/* not UTF-8 */
		{ "\xc2\x9b" "2J", "\\xc2\\x9b2J" },		/* C1 CSI */
		{ "\xc0\xaf", "\\xc0\\xaf" },			/* overlong '/' */
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },		/* a surrogate */
		{ "\xe2\x82", "\\xe2\\x82" },			/* cut short */
	};
	char *e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = print_escape(cases[i].in, false);
		if (cases[i].out)
			assert_string_equal(e, cases[i].out);
		else
			assert_null(e);
		free(e);
	}
	e = print_escape("a\nb\033", true);
	assert_string_equal(e, "a\nb\\e");
	free(e);
}

/* Text values and print_text escape; JSON keeps its own escapes. */
static void test_text_output_escapes(void **state)
{
	(void)state;
	begin(false, false);
	print_string(&pr, PRINT_ANY, "dev", "dev=%s", "x\033[2J");
	print_text(&pr, " mode=%s\n", "\a");
	print_text(&pr, " %s", "no\nline");
	assert_string_equal(end(), "dev=x\\e[2J mode=\\a\n no\\nline");
	free(buf);
	begin(true, false);
	open_json_object(&pr, NULL);
	print_string(&pr, PRINT_ANY, "dev", "dev=%s", "x\033");
	print_end(&pr);
	assert_string_equal(end(), "{\"dev\":\"x\\u001b\"}\n");
	free(buf);
}

/* One string, printed alone, in text or JSON: malloc'd. */
static char *printed(bool json, const char *key, const char *val)
{
	char *out;

	begin(json, false);
	open_json_object(&pr, NULL);
	print_string(&pr, PRINT_ANY, key, "%s", val);
	close_json_object(&pr);
	out = strdup(end());
	free(buf);
	return out;
}

/*
 * Long strings are checked 8 bytes at a time, short ones byte by byte:
 * every byte escapes the same either way, in a value or a key, wherever it
 * falls in the word.
 */
static void test_every_byte_escapes_alike_in_long_strings(void **state)
{
	(void)state;
	for (int json = 0; json < 2; json++) {
		for (int b = 1; b < 256; b++) {
			char one[2] = { (char)b, 0 }, *alone = printed(json, one, one), *want;
			size_t n = strlen(alone);

			/* alone: {"X":"X"} or X, X its escaped form */
			if (json)
				want = strndup(alone + 2, (n - 7) / 2);
			else
				want = strdup(alone);
			for (int at = 0; at < 16; at++) {
				char s[17], expect[256], *got;

				memset(s, 'a', 16);
				s[16] = '\0';
				s[at] = (char)b;
				got = printed(json, s, s);
				if (json)
					snprintf(expect, sizeof(expect), "{\"%.*s%s%s\":\"%.*s%s%s\"}", at,
						 s, want, s + at + 1, at, s, want, s + at + 1);
				else
					snprintf(expect, sizeof(expect), "%.*s%s%s", at, s, want,
						 s + at + 1);
				if (strcmp(got, expect))
					fail_msg("byte 0x%02x at %d (%s): %s, not %s", b, at,
						 json ? "json" : "text", got, expect);
				free(got);
			}
			free(want);
			free(alone);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_calls_text),
		cmocka_unit_test(test_same_calls_json),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_pretty_nests),
		cmocka_unit_test(test_error_mid_document),
		cmocka_unit_test(test_error_alone),
		cmocka_unit_test(test_ndjson_records),
		cmocka_unit_test(test_text_only_and_json_only),
		cmocka_unit_test(test_color_always_wraps_value),
		cmocka_unit_test(test_color_auto_off_for_pipes),
		cmocka_unit_test(test_two_printers_are_independent),
		cmocka_unit_test(test_failed_write_is_reported),
		cmocka_unit_test(test_escape_rules),
		cmocka_unit_test(test_every_byte_escapes_alike_in_long_strings),
		cmocka_unit_test(test_text_output_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
