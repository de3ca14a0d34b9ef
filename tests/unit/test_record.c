// SPDX-License-Identifier: MIT
/*
 * Records on the wire: what a session sends is what `subscribe` parses back,
 * for each backend mode (nic, nodev, sim).  The kernel knows buffers, not
 * packets, so rx-packets is null there and a number only where the backend
 * counts packets (backend_rx_counters()).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"
#include "read_back.h"

static struct record stats(enum backend_mode mode)
{
	bool packets = mode == BACKEND_SIM;
	struct record r = {
		.kind = RECORD_STATS, .has_time = true, .real_ns = 1764600000000000000ULL,
		.queue = 3, .mode = mode, .rx_buffers = 290,
		.has_packets = packets, .rx_packets = packets ? 288 : 0, .rx_bytes = 1119208,
		.recv_stalls = 4, .has_overflows = true, .recv_overflows = 7, .has_stats = true, .copy_count = 61, .copy_bytes = 1119208,
	};

	strcpy(r.dev, "n0");
	return r;
}

static void round_trip(const struct record *in, const char *mode, const char *packets)
{
	struct record out;
	size_t len;
	char *line = proto_record_encode(in, &len);

	if (!strstr(line, mode) || !strstr(line, packets))
		fail_msg("%s lacks %s or %s", line, mode, packets);
	assert_int_equal(proto_record_decode(line, len, &out), 0);
	assert_int_equal(out.mode, in->mode);
	assert_int_equal(out.rx_buffers, in->rx_buffers);
	assert_int_equal(out.has_packets, in->has_packets);
	assert_int_equal(out.rx_packets, in->rx_packets);
	assert_int_equal(out.recv_stalls, in->recv_stalls);
	assert_int_equal(out.has_overflows, in->has_overflows);
	assert_int_equal(out.recv_overflows, in->recv_overflows);
	assert_int_equal(out.copy_bytes, in->copy_bytes);
	free(line);
}

static void test_nodev_stats_round_trip_with_null_packets(void **state)
{
	struct record r = stats(BACKEND_NODEV);

	(void)state;
	round_trip(&r, "\"mode\":\"nodev\"", "\"rx-packets\":null");
}

static void test_nic_stats_round_trip_with_null_packets(void **state)
{
	struct record r = stats(BACKEND_NIC);

	(void)state;
	round_trip(&r, "\"mode\":\"nic\"", "\"rx-packets\":null");
}

static void test_sim_stats_round_trip_with_packets(void **state)
{
	struct record r = stats(BACKEND_SIM);

	(void)state;
	round_trip(&r, "\"mode\":\"sim\"", "\"rx-packets\":288");
}

/* recv-overflows came after 0.1: a stats record without it (or null) still decodes */
static void test_stats_without_recv_overflows(void **state)
{
	struct record r = stats(BACKEND_SIM);

	(void)state;
	r.has_overflows = false;
	r.recv_overflows = 0;
	round_trip(&r, "\"recv-overflows\":null", "\"rx-packets\":288");
}

/* a mode that contradicts "simulated" is not a record of ours */
static void test_mode_must_agree_with_simulated(void **state)
{
	struct record r = stats(BACKEND_NODEV);
	struct record out;
	size_t len;
	char *line = proto_record_encode(&r, &len), *m = strstr(line, "\"simulated\":false");

	(void)state;
	assert_non_null(m);
	memcpy(m, "\"simulated\":true ", 17);
	assert_int_equal(proto_record_decode(line, len, &out), -EINVAL);
	free(line);
}

/* The text "time=" of an event at ns, through record_print(). */
static void event_time(uint64_t ns, enum ts_mode ts, char *out, size_t len)
{
	struct record r = { .kind = RECORD_EVENT, .has_time = true, .real_ns = ns, .mono_ns = ns };
	struct printer pr;
	char *buf = NULL, *t;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	strcpy(r.dev, "n0");
	printer_init(&pr, f, false, false, COLOR_NEVER);
	assert_int_equal(record_print(&pr, &r, ts), 0);
	fclose(f);
	t = strstr(buf, " time=");
	assert_non_null(t);
	snprintf(out, len, "%.*s", (int)strcspn(t + 6, " "), t + 6);
	free(buf);
}

/* The seconds are formatted once per second: each record still has its own. */
static void test_iso_time_across_second_boundaries(void **state)
{
	static const struct {
		uint64_t	ns;
		const char	*iso;
	} at[] = {
		{ 1764600000999999999ULL, "2025-12-01T14:40:00.999999Z" },
		{ 1764600001000000000ULL, "2025-12-01T14:40:01.000000Z" },
		{ 1764600001000999000ULL, "2025-12-01T14:40:01.000999Z" },
		{ 1764600000500000000ULL, "2025-12-01T14:40:00.500000Z" },	/* back */
		{ 1767225599999999000ULL, "2025-12-31T23:59:59.999999Z" },
		{ 1767225600000001000ULL, "2026-01-01T00:00:00.000001Z" },	/* a year on */
		{ 1767225600000001000ULL, "2026-01-01T00:00:00.000001Z" },
		{ 0, "1970-01-01T00:00:00.000000Z" },
	};
	char iso[64];

	(void)state;
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		event_time(at[i].ns, TS_ISO, iso, sizeof(iso));
		assert_string_equal(iso, at[i].iso);
	}
	event_time(1764600001000000000ULL, TS_MONO, iso, sizeof(iso));
	assert_string_equal(iso, "1764600001000000000");
}

/* An encoded line ends where its length says, after a longer one too (one stream, rewound) */
static void test_a_short_line_after_a_long_one_ends_at_its_length(void **state)
{
	struct record r = stats(BACKEND_SIM);
	size_t len1, len2;
	char *l1, *l2;

	(void)state;
	l1 = proto_record_encode(&r, &len1);
	r.kind = RECORD_ARMED;
	l2 = proto_record_encode(&r, &len2);
	assert_non_null(l1);
	assert_non_null(l2);
	assert_true(len2 < len1);
	assert_int_equal(strlen(l2), len2);
	assert_int_equal(l2[len2 - 1], '\n');
	free(l1);
	free(l2);
}

/*
 * What repeats from record to record is printed once and copied after:
 * each record still says its own device, queue, zcrx id, mode, event and
 * by.  An unbuffered stream keeps nothing (no room to keep it from), so
 * it prints every field each time: the two must agree, record by record,
 * in any order, with the wire's JSON lines built in between.
 */
static void test_repeated_fields_print_as_each_record_says(void **state)
{
	static const char *const devs[] = { "sim0", "sim1", "eth0" };
	static const char *const bys[] = { "auto", "arm" };
	static const enum record_kind kinds[] = {
		RECORD_EVENT, RECORD_ARMED, RECORD_STATS, RECORD_GROW, RECORD_LOST,
	};
	uint32_t seed = 1;

	(void)state;
	for (int json = 0; json < 2; json++) {
		FILE *kept = tmpfile(), *plain = tmpfile(), *wire = tmpfile(), *wplain = tmpfile();
		struct printer pk, pp, pw;
		char *a, *b;

		assert_non_null(kept);
		assert_non_null(plain);
		assert_non_null(wire);
		assert_non_null(wplain);
		setvbuf(plain, NULL, _IONBF, 0);
		setvbuf(wplain, NULL, _IONBF, 0);
		printer_init(&pk, kept, json, false, COLOR_NEVER);
		printer_init(&pp, plain, json, false, COLOR_NEVER);
		printer_init(&pw, wplain, true, false, COLOR_NEVER);
		for (int i = 0; i < 3000; i++) {
			struct record r = stats(BACKEND_SIM);
			size_t len;
			char *line;

			seed = seed * 1103515245 + 12345;
			r.kind = kinds[(seed >> 8) % 5];
			strcpy(r.dev, devs[(seed >> 11) % 3]);
			r.queue = (seed >> 13) % 2;
			r.zcrx_id = (seed >> 14) % 2;
			r.mode = (enum backend_mode)((seed >> 15) % 3);
			r.event = (enum zcrx_event)((seed >> 17) % ZCRX_EV_COUNT);
			strcpy(r.by, bys[(seed >> 18) % 2]);
			r.seq = i;
			r.latched = seed >> 19 & 1;
			r.has_stats = seed >> 20 & 1;
			r.stopped = seed >> 21 & 1;
			strcpy(r.error, "refused");
			assert_int_equal(record_print(&pk, &r, TS_ISO), 0);
			assert_int_equal(record_print(&pp, &r, TS_ISO), 0);
			/* the wire's printer shares the JSON printers' kept bytes */
			line = proto_record_encode(&r, &len);
			assert_non_null(line);
			assert_int_equal(fwrite(line, 1, len, wire), len);
			free(line);
			record_print_object(&pw, &r, TS_ISO);
			print_record_end(&pw);
		}
		print_end(&pk);
		print_end(&pp);
		a = read_back(kept, NULL);
		b = read_back(plain, NULL);
		if (strcmp(a, b))
			fail_msg("%s: kept bytes printed\n%.300s\nnot\n%.300s", json ? "json" : "text",
				 a + strspn(a, b), b + strspn(a, b));
		free(a);
		free(b);
		/* the encoded lines, and the same records printed plainly as JSON */
		print_end(&pw);
		a = read_back(wire, NULL);
		b = read_back(wplain, NULL);
		if (strcmp(a, b))
			fail_msg("wire lines\n%.300s\nnot\n%.300s", a + strspn(a, b), b + strspn(a, b));
		free(b);
		free(a);
	}
}

/*
 * Spans keep bytes that went into the stream's buffer at once, so the
 * calls of one must write at most PRINT_SPAN_MAX bytes (print.h).  Every
 * span is part of an event or an armed record (or shares its calls with
 * one): each, at its longest, stays under half of that in every format,
 * so that a field added to a span is caught here long before it matters.
 */
static void test_the_longest_records_fit_a_span(void **state)
{
	struct record r = stats(BACKEND_NODEV);
	size_t longest = 0;
	static const struct {
		bool		json, pretty;
		enum color_mode	color;
	} fmt[] = {
		{ false, false, COLOR_NEVER }, { false, false, COLOR_ALWAYS },
		{ true, false, COLOR_NEVER }, { true, true, COLOR_NEVER },
	};

	(void)state;
	/* every byte escaped: \u0001 in JSON, \x01 in text */
	memset(r.dev, 1, sizeof(r.dev) - 1);
	r.dev[sizeof(r.dev) - 1] = '\0';
	memset(r.by, 1, sizeof(r.by) - 1);
	r.by[sizeof(r.by) - 1] = '\0';
	r.queue = r.zcrx_id = UINT32_MAX;
	r.seq = r.count = r.copy_count = r.copy_bytes = UINT64_MAX;
	r.held = r.rq_fill = UINT32_MAX;
	r.real_ns = r.mono_ns = UINT64_MAX;
	for (size_t f = 0; f < sizeof(fmt) / sizeof(fmt[0]); f++) {
		for (int k = 0; k < 2; k++) {
			for (int e = 0; e < ZCRX_EV_COUNT; e++) {
				for (int ts = TS_ISO; ts <= TS_NONE; ts++) {
					FILE *out = tmpfile();
					struct printer p;
					char *line;

					assert_non_null(out);
					printer_init(&p, out, fmt[f].json, fmt[f].pretty, fmt[f].color);
					r.kind = k ? RECORD_ARMED : RECORD_EVENT;
					r.event = (enum zcrx_event)e;
					assert_int_equal(record_print(&p, &r, (enum ts_mode)ts), 0);
					print_end(&p);
					line = read_back(out, NULL);
					if (strlen(line) > longest)
						longest = strlen(line);
					if (strlen(line) >= PRINT_SPAN_MAX / 2)
						fail_msg("%zu bytes, more than half what a span holds: %s",
							 strlen(line), line);
					free(line);
				}
			}
		}
	}
	print_message("the longest: %zu bytes of %d\n", longest, PRINT_SPAN_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_short_line_after_a_long_one_ends_at_its_length),
		cmocka_unit_test(test_nodev_stats_round_trip_with_null_packets),
		cmocka_unit_test(test_nic_stats_round_trip_with_null_packets),
		cmocka_unit_test(test_sim_stats_round_trip_with_packets),
		cmocka_unit_test(test_stats_without_recv_overflows),
		cmocka_unit_test(test_mode_must_agree_with_simulated),
		cmocka_unit_test(test_iso_time_across_second_boundaries),
		cmocka_unit_test(test_repeated_fields_print_as_each_record_says),
		cmocka_unit_test(test_the_longest_records_fit_a_span),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
