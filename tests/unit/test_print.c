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

static void begin(bool json, bool pretty)
{
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	print_setup(mem, json, pretty, COLOR_NEVER);
}

static const char *end(void)
{
	fclose(mem);
	return buf;
}

static void emit_sample(void)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "ifname", "dev %s", "eth0");
	print_uint(PRINT_ANY, "queue", " queue %llu", 5);
	print_int(PRINT_ANY, "delta", " delta %lld", -3);
	print_bool(PRINT_ANY, "ready", " ready %s", false);
	print_hex(PRINT_ANY, "flags", " flags 0x%llx", 0x2a);
	print_null(PRINT_ANY, "driver", " driver %s");
	open_json_array("events");
	print_string(PRINT_JSON, NULL, NULL, "alloc-fail");
	print_string(PRINT_JSON, NULL, NULL, "copy");
	close_json_array();
	print_nl();
	close_json_object();
	print_end();
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
	open_json_object(NULL);
	print_string(PRINT_ANY, "s", NULL, "a\"b\\c\nd\x01");
	print_end();
	assert_string_equal(end(), "{\"s\":\"a\\\"b\\\\c\\nd\\u0001\"}\n");
	free(buf);
}

static void test_pretty_nests(void **state)
{
	(void)state;
	begin(true, true);
	open_json_object(NULL);
	open_json_object("a");
	print_uint(PRINT_JSON, "b", NULL, 1);
	close_json_object();
	open_json_array("c");
	close_json_array();
	print_end();
	assert_string_equal(end(), "{\n  \"a\": {\n    \"b\": 1\n  },\n  \"c\": []\n}\n");
	free(buf);
}

/* An error in the middle of a document closes it and stays valid JSON. */
static void test_error_mid_document(void **state)
{
	FILE *saved = stdout;

	(void)state;
	begin(true, false);
	open_json_object(NULL);
	open_json_array("devices");
	open_json_object(NULL);
	print_string(PRINT_JSON, "ifname", NULL, "lo");
	close_json_object();
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
		open_json_object(NULL);
		print_uint(PRINT_ANY, "seq", NULL, i);
		close_json_object();
		print_record_end();
	}
	assert_string_equal(end(), "{\"seq\":0}\n{\"seq\":1}\n{\"seq\":2}\n");
	free(buf);
}

static void test_text_only_and_json_only(void **state)
{
	(void)state;
	begin(false, false);
	print_uint(PRINT_JSON, "hidden", "%llu", 7);
	print_uint(PRINT_FP, "shown", "%llu", 8);
	print_text("|%d", 9);
	print_end();
	assert_string_equal(end(), "8|9");
	free(buf);
}

static void test_color_always_wraps_value(void **state)
{
	(void)state;
	mem = open_memstream(&buf, &len);
	print_setup(mem, false, false, COLOR_ALWAYS);
	print_color_string(PRINT_ANY, COLOR_OK, "state", "state %s.", "ready");
	print_end();
	assert_string_equal(end(), "state \033[32mready\033[0m.");
	free(buf);
}

static void test_color_auto_off_for_pipes(void **state)
{
	(void)state;
	mem = open_memstream(&buf, &len);
	print_setup(mem, false, false, COLOR_AUTO);	/* not a tty */
	print_color_string(PRINT_ANY, COLOR_BAD, "state", "%s", "not ready");
	print_end();
	assert_string_equal(end(), "not ready");
	free(buf);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
