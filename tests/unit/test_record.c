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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodev_stats_round_trip_with_null_packets),
		cmocka_unit_test(test_nic_stats_round_trip_with_null_packets),
		cmocka_unit_test(test_sim_stats_round_trip_with_packets),
		cmocka_unit_test(test_stats_without_recv_overflows),
		cmocka_unit_test(test_mode_must_agree_with_simulated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
