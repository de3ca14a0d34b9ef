// SPDX-License-Identifier: MIT
/* The print layer: text and JSON from the same calls, well-formed on errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "print.h"
#include "read_back.h"

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

/* How one byte alone must come out, by the rules rather than the printer */
static char *escaped_byte(bool json, unsigned char b)
{
	char one[2] = { (char)b, 0 }, out[8];

	if (!json) {
		char *esc = print_escape(one, false);

		return esc ? esc : strdup(one);
	}
	if (b >= 0x80)
		return strdup("\\ufffd");
	if (b == '"' || b == '\\' || b == '\n' || b == '\t' || b == '\r') {
		snprintf(out, sizeof(out), "\\%c", b == '\n' ? 'n' : b == '\t' ? 't' :
			 b == '\r' ? 'r' : b);
		return strdup(out);
	}
	if (b < 0x20 || b == 0x7f) {
		snprintf(out, sizeof(out), "\\u%04x", b);
		return strdup(out);
	}
	return strdup(one);
}

/*
 * Keys and values are checked a word at a time (the last word overlapping
 * the one before; under 8 bytes, two half words or three bytes): every byte
 * escapes as the rules say, in a value or a key, at every place of a string
 * of every length to 24.
 */
static void test_every_byte_escapes_alike_in_long_strings(void **state)
{
	(void)state;
	for (int json = 0; json < 2; json++) {
		for (int b = 1; b < 256; b++) {
			char *want = escaped_byte(json, b);

			for (int n = 1, at = 0; n <= 24; at = at + 1 < n ? at + 1 : (n++, 0)) {
				char s[25], expect[256], *got;

				memset(s, 'a', n);
				s[n] = '\0';
				s[at] = (char)b;
				got = printed(json, s, s);
				if (json)
					snprintf(expect, sizeof(expect), "{\"%.*s%s%s\":\"%.*s%s%s\"}", at,
						 s, want, s + at + 1, at, s, want, s + at + 1);
				else
					snprintf(expect, sizeof(expect), "%.*s%s%s", at, s, want,
						 s + at + 1);
				if (strcmp(got, expect))
					fail_msg("byte 0x%02x at %d of %d (%s): %s, not %s", b, at, n,
						 json ? "json" : "text", got, expect);
				free(got);
			}
			free(want);
		}
	}
}

/* Records as a session prints them: keys, formats and values of every kind */
static void emit_records(struct printer *p)
{
	static char dev[16];

	strcpy(dev, "sim0");
	for (int i = 0; i < 7; i++) {
		open_json_object(p, NULL);
		print_uint(p, PRINT_JSON, "v", NULL, 1);
		print_string(p, PRINT_ANY, "record", "%s", i % 2 ? "armed" : "event");
		print_uint(p, PRINT_ANY, "seq", " seq=%llu", 1000000007ULL * i);
		print_string(p, PRINT_ANY, "time", " time=%s", "2026-12-02T15:22:02.123456Z");
		print_string(p, PRINT_ANY, "dev", " dev=%s", dev);
		print_uint(p, PRINT_ANY, "rq-fill", " rq-fill=%llu", i);
		print_string(p, PRINT_ANY, "a-key-of-seventeen", " a-head-of-seventeen=%s", "x");
		print_bool(p, PRINT_JSON, "latched", NULL, i & 1);
		print_string(p, PRINT_FP, NULL, " state=%s", i & 1 ? "latched" : "armed");
		print_null(p, PRINT_ANY, "copy-count", " copy-count=%s");
		print_string(p, PRINT_ANY, "esc\"aped", " esc\"aped=%s", "a\tb");
		close_json_object(p);
		print_nl(p);
		print_record_end(p);
		dev[3] = '0' + i;
	}
}

static char *records_through_mode(bool json, size_t room, int mode)
{
	char *b = malloc(room + 32);
	FILE *f = tmpfile();
	struct printer p;
	struct stat st;
	long n;

	assert_non_null(b);
	assert_non_null(f);
	memset(b + room, 0xa5, 32);
	setvbuf(f, b, mode, room);
	printer_init(&p, f, json, false, COLOR_NEVER);
	emit_records(&p);
	/* a line-buffered stream (a terminal's) has written every line it ended */
	if (mode == _IOLBF) {
		assert_int_equal(fstat(fileno(f), &st), 0);
		n = ftell(f);
		if (st.st_size != n && !(st.st_size < n && st.st_size + (long)room >= n))
			fail_msg("%s, line-buffered, %zu bytes of buffer: %ld of %ld bytes written",
				 json ? "json" : "text", room, (long)st.st_size, n);
	}
	fflush(f);
	for (int i = 0; i < 32; i++)
		if ((unsigned char)b[room + i] != 0xa5)
			fail_msg("%s, %zu bytes of buffer: a byte written past it", json ? "json" : "text",
				 room);
	return read_back(f, b);
}

static char *records_through(bool json, size_t room)
{
	return records_through_mode(json, room, _IOFBF);
}

/*
 * Records go straight into stdio's buffer while it has room: whatever
 * room is left, nothing is written past it and the bytes are the same.
 */
static void test_every_room_prints_alike(void **state)
{
	(void)state;
	for (int json = 0; json < 2; json++) {
		char *want = records_through(json, 65536);

		assert_non_null(strstr(want, json ? "{\"v\":1,\"record\":\"event\",\"seq\":0," :
					      "event seq=0 time=2026-12-02T15:22:02.123456Z dev=sim0"));
		for (size_t room = 1; room <= 160; room++) {
			char *got = records_through(json, room);

			if (strcmp(got, want))
				fail_msg("%s, %zu bytes of buffer: %s, not %s", json ? "json" : "text",
					 room, got, want);
			free(got);
		}
		free(want);
	}
}

/*
 * A terminal's stdout is line-buffered (stdio keeps no write room: glibc
 * sends each byte through its line logic) and stderr unbuffered: the
 * printer writes through stdio there, never past the buffer.
 */
static void test_line_buffered_and_unbuffered_streams_print_alike(void **state)
{
	(void)state;
	for (int json = 0; json < 2; json++) {
		char *want = records_through(json, 65536);

		for (size_t room = 1; room <= 1100; room += room < 64 ? 1 : 97) {
			char *lb = records_through_mode(json, room, _IOLBF);
			char *nb = records_through_mode(json, room, _IONBF);

			if (strcmp(lb, want) || strcmp(nb, want))
				fail_msg("%s, %zu bytes of buffer: line-buffered %s, unbuffered %s, not %s",
					 json ? "json" : "text", room, lb, nb, want);
			free(lb);
			free(nb);
		}
		free(want);
	}
}

/*
 * What the printer learnt of a key, format or value it printed is kept
 * for our own literals only: a key in a buffer is checked each time.
 */
static void test_keys_in_buffers_are_checked_every_time(void **state)
{
	static char key[16];

	(void)state;
	for (int json = 0; json < 2; json++) {
		strcpy(key, "plain");
		begin(json, false);
		open_json_object(&pr, NULL);
		for (int i = 0; i < 3; i++) {
			print_string(&pr, PRINT_ANY, key, " %s", key);
			print_string(&pr, PRINT_ANY, "lit\"eral", " lit\"eral=%s", "lit\"eral");
			key[2] = '"';
			key[3] = '\x1b';
		}
		close_json_object(&pr);
		print_end(&pr);
		assert_string_equal(end(), json ?
			"{\"plain\":\"plain\",\"lit\\\"eral\":\"lit\\\"eral\","
			"\"pl\\\"\\u001bn\":\"pl\\\"\\u001bn\",\"lit\\\"eral\":\"lit\\\"eral\","
			"\"pl\\\"\\u001bn\":\"pl\\\"\\u001bn\",\"lit\\\"eral\":\"lit\\\"eral\"}\n" :
			" plain lit\"eral=lit\"eral pl\"\\en lit\"eral=lit\"eral pl\"\\en"
			" lit\"eral=lit\"eral");
		free(buf);
	}
}

/* Members written at once know where they are: no key in an array, after any nesting */
static void test_members_after_nested_objects(void **state)
{
	(void)state;
	begin(true, false);
	open_json_object(&pr, NULL);
	open_json_array(&pr, "a");
	open_json_object(&pr, NULL);
	print_uint(&pr, PRINT_JSON, "x", NULL, 1);
	close_json_object(&pr);
	print_uint(&pr, PRINT_JSON, "no-key", NULL, 2);
	print_string(&pr, PRINT_JSON, "no-key", NULL, "s");
	close_json_array(&pr);
	print_bool(&pr, PRINT_JSON, "b", NULL, true);
	close_json_object(&pr);
	print_end(&pr);
	assert_string_equal(end(), "{\"a\":[{\"x\":1},2,\"s\"],\"b\":true}\n");
	free(buf);
}

/*
 * Spans: calls kept as bytes and written again.  The emitter makes the
 * same calls with spans and without; a span comes back only where the
 * printer is as it was (first member or not, depth, array, format).
 */
static struct print_span sp_where, sp_whole;
static int span_hits;

static void where(struct printer *p, bool spans, const char *dev, unsigned int queue)
{
	if (spans && print_span_again(p, &sp_where)) {
		span_hits++;
		return;
	}
	if (spans)
		(void)print_span_begin(p, &sp_where);
	print_string(p, PRINT_ANY, "dev", " dev=%s", dev);
	print_uint(p, PRINT_ANY, "queue", " queue=%llu", queue);
	if (spans)
		print_span_end(p, &sp_where);
}

/* a whole object, with the where span inside it */
static void whole(struct printer *p, bool spans)
{
	if (spans && print_span_again(p, &sp_whole)) {
		span_hits++;
		return;
	}
	if (spans)
		(void)print_span_begin(p, &sp_whole);
	open_json_object(p, NULL);
	print_string(p, PRINT_ANY, "record", "%s", "armed");
	where(p, spans, "sim0", 3);
	close_json_object(p);
	if (spans)
		print_span_end(p, &sp_whole);
}

static void emit_spanned(struct printer *p, bool spans)
{
	memset(&sp_where, 0, sizeof(sp_where));
	memset(&sp_whole, 0, sizeof(sp_whole));
	for (int i = 0; i < 6; i++) {
		/*
		 * first in an object or after a member (at the same depth), then
		 * first in a nested object, then in an array's object
		 */
		open_json_object(p, NULL);
		if (i % 3)
			print_uint(p, PRINT_ANY, "seq", "seq=%llu", i);
		where(p, spans, "sim0", 3);
		open_json_object(p, "inner");
		where(p, spans, "sim0", 3);
		close_json_object(p);
		open_json_array(p, "list");
		open_json_object(p, NULL);
		where(p, spans, "sim0", 3);
		close_json_object(p);
		close_json_array(p);
		close_json_object(p);
		print_nl(p);
		/* a whole record, first of its document or after one */
		if (i & 1)
			print_record_end(p);
		whole(p, spans);
		print_nl(p);
		print_record_end(p);
	}
	print_end(p);
}

static char *spanned_through(bool json, bool pretty, bool spans, size_t room, int mode)
{
	FILE *f = tmpfile();
	char *b = malloc(room);
	struct printer p;

	assert_non_null(f);
	assert_non_null(b);
	setvbuf(f, b, mode, room);
	printer_init(&p, f, json, pretty, COLOR_NEVER);
	emit_spanned(&p, spans);
	return read_back(f, b);
}

static void test_spans_print_what_their_calls_print(void **state)
{
	static const int modes[] = { _IOFBF, _IOLBF, _IONBF };

	(void)state;
	for (int json = 0; json < 2; json++) {
		for (int pretty = 0; pretty < 2; pretty++) {
			char *want = spanned_through(json, pretty, false, 65536, _IOFBF);

			span_hits = 0;
			for (int m = 0; m < 3; m++) {
				for (size_t room = 1; room <= 2100; room += room < 64 ? 1 : 31) {
					char *got = spanned_through(json, pretty, true, room, modes[m]);

					if (strcmp(got, want))
						fail_msg("%s%s, mode %d, %zu bytes of buffer:\n%s\nnot\n%s",
							 json ? "json" : "text", pretty ? " pretty" : "",
							 modes[m], room, got, want);
					free(got);
				}
			}
			/* and they were written again, not only made as calls */
			assert_true(span_hits > 100);
			free(want);
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
		cmocka_unit_test(test_every_room_prints_alike),
		cmocka_unit_test(test_line_buffered_and_unbuffered_streams_print_alike),
		cmocka_unit_test(test_keys_in_buffers_are_checked_every_time),
		cmocka_unit_test(test_members_after_nested_objects),
		cmocka_unit_test(test_spans_print_what_their_calls_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
