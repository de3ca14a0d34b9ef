// SPDX-License-Identifier: MIT
/*
 * Protocol v1 (zcrxctl/proto.c, and libzcrx's server end): every request and
 * reply a client or the session writes is read back as it was written, and a reply that is not
 * protocol v1 is told apart from a refusal.
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
#include "server/server_int.h"

/* The server's end of a request is libzcrx's now (lib/server/wire.c). */
static int proto_request_decode(const char *line, size_t len, struct proto_request *rq,
				char *err, size_t errlen)
{
	struct srv_request s;
	int ret = srv_request_decode(line, len, &s, err, errlen);

	rq->cmd = (enum proto_cmd)s.cmd;
	rq->all = s.all;
	rq->event = s.event;
	return ret;
}

static void request_round_trip(const struct proto_request *in, const char *want)
{
	struct proto_request out;
	char err[256];
	size_t len;
	char *line = proto_request_encode(in, &len);

	assert_non_null(line);
	assert_string_equal(line, want);
	assert_int_equal(proto_request_decode(line, len - 1, &out, err, sizeof(err)), 0);
	assert_int_equal(out.cmd, in->cmd);
	assert_int_equal(out.all, in->all);
	if (!in->all)
		assert_int_equal(out.event, in->event);
	free(line);
}

static void test_requests_round_trip(void **state)
{
	struct proto_request st = { .cmd = PROTO_STATUS };
	struct proto_request sub = { .cmd = PROTO_SUBSCRIBE };
	struct proto_request all = { .cmd = PROTO_ARM, .all = true };
	struct proto_request copy = { .cmd = PROTO_ARM, .event = ZCRX_EV_COPY };

	(void)state;
	request_round_trip(&st, "{\"v\":1,\"cmd\":\"status\"}\n");
	request_round_trip(&sub, "{\"v\":1,\"cmd\":\"subscribe\"}\n");
	request_round_trip(&all, "{\"v\":1,\"cmd\":\"arm\",\"event\":\"all\"}\n");
	request_round_trip(&copy, "{\"v\":1,\"cmd\":\"arm\",\"event\":\"copy\"}\n");
}

/* An arm without "event" is "all", as the man page says. */
static void test_arm_without_event_is_all(void **state)
{
	const char *line = "{\"v\":1,\"cmd\":\"arm\"}";
	struct proto_request rq;
	char err[256];

	(void)state;
	assert_int_equal(proto_request_decode(line, strlen(line), &rq, err, sizeof(err)), 0);
	assert_int_equal(rq.cmd, PROTO_ARM);
	assert_true(rq.all);
}

static void bad_request(const char *line, const char *phrase)
{
	struct proto_request rq;
	char err[256] = "";

	if (proto_request_decode(line, strlen(line), &rq, err, sizeof(err)) != -EINVAL ||
	    !strstr(err, phrase))
		fail_msg("%s: got '%s', wanted '%s'", line, err, phrase);
}

static void test_malformed_requests_say_why(void **state)
{
	(void)state;
	bad_request("hello", "not one JSON value");
	bad_request("{\"v\":1,\"cmd\":\"status\"} x", "not one JSON value");
	bad_request("[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]", "nested too deeply");
	bad_request("[1,2]", "not a JSON object");
	bad_request("{\"cmd\":\"status\"}", "protocol version 1");
	bad_request("{\"v\":2,\"cmd\":\"status\"}", "protocol version 1");
	bad_request("{\"v\":1}", "no \"cmd\"");
	bad_request("{\"v\":1,\"cmd\":\"reboot\"}", "unknown cmd \"reboot\"");
	bad_request("{\"v\":1,\"cmd\":\"arm\",\"event\":7}", "must be a string");
	bad_request("{\"v\":1,\"cmd\":\"arm\",\"event\":\"bogus\"}", "unknown event \"bogus\"");
}

static struct proto_session session(void)
{
	struct proto_session s = {
		.queue = 5, .zcrx_id = 2, .pid = 4242, .uptime_s = 12, .mode = BACKEND_NODEV,
		.events = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL) | ZCRX_EV_MASK(ZCRX_EV_COPY),
		.fired = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), .count = { 3, 0 },
		.has_stats = true, .copy_count = 61, .copy_bytes = 1119208, .recv_stalls = 4,
		.has_overflows = true, .recv_overflows = 2,
	};

	strcpy(s.dev, "n0");
	return s;
}

static void test_status_reply_round_trip(void **state)
{
	struct proto_reply in = { .ok = true, .body = PROTO_BODY_SESSION, .session = session() };
	struct proto_reply out;
	size_t len, len2;
	char *again;
	char *line = proto_reply_encode(&in, &len);

	(void)state;
	assert_non_null(line);
	assert_string_equal(line, "{\"v\":1,\"ok\":true,\"session\":{\"dev\":\"n0\",\"queue\":5,"
			    "\"zcrx-id\":2,\"pid\":4242,\"uptime-s\":12,\"mode\":\"nodev\","
			    "\"simulated\":false,\"events\":[\"alloc-fail\",\"copy\"],\"types\":"
			    "{\"alloc-fail\":{\"state\":\"fired\",\"count\":3},\"copy\":{\"state\":"
			    "\"armed\",\"count\":0}},\"copy-count\":61,\"copy-bytes\":1119208,"
			    "\"recv-stalls\":4,\"recv-overflows\":2}}\n");
	assert_int_equal(proto_reply_decode(line, len, PROTO_BODY_SESSION, &out), 0);
	assert_true(out.ok);
	assert_true(out.session.has_overflows);
	assert_int_equal(out.session.recv_overflows, 2);
	assert_int_equal(out.session.fired, in.session.fired);
	assert_int_equal(out.session.count[ZCRX_EV_ALLOC_FAIL], 3);
	assert_int_equal(out.session.mode, BACKEND_NODEV);
	/* what was read writes the same line again */
	again = proto_reply_encode(&out, &len2);
	assert_string_equal(again, line);
	free(again);
	free(line);
}

/* A session before recv-overflows (0.1) still answers status: the count is unknown. */
static void test_status_reply_without_recv_overflows(void **state)
{
	static const char old[] = "{\"v\":1,\"ok\":true,\"session\":{\"dev\":\"old0\","
		"\"queue\":3,\"zcrx-id\":0,\"pid\":1,\"uptime-s\":5,\"mode\":\"sim\","
		"\"simulated\":true,\"events\":[\"copy\"],\"types\":{\"copy\":{\"state\":"
		"\"armed\",\"count\":0}},\"copy-count\":0,\"copy-bytes\":0,"
		"\"recv-stalls\":1}}\n";
	struct proto_reply out;
	size_t len;
	char *line;

	(void)state;
	assert_int_equal(proto_reply_decode(old, strlen(old), PROTO_BODY_SESSION, &out), 0);
	assert_false(out.session.has_overflows);
	assert_int_equal(out.session.recv_stalls, 1);
	line = proto_reply_encode(&out, &len);
	assert_non_null(strstr(line, "\"recv-overflows\":null"));
	free(line);
}

static void test_armed_reply_carries_the_mode(void **state)
{
	struct proto_reply in = { .ok = true, .body = PROTO_BODY_ARMED, .mode = BACKEND_SIM,
				  .armed = ZCRX_EV_MASK(ZCRX_EV_COPY) };
	struct proto_reply out;
	size_t len;
	char *line = proto_reply_encode(&in, &len);

	(void)state;
	assert_string_equal(line, "{\"v\":1,\"ok\":true,\"armed\":[\"copy\"],\"mode\":\"sim\","
			    "\"simulated\":true}\n");
	assert_int_equal(proto_reply_decode(line, len, PROTO_BODY_ARMED, &out), 0);
	assert_int_equal(out.armed, in.armed);
	assert_int_equal(out.mode, BACKEND_SIM);
	assert_true(out.has_mode);
	free(line);
}

/* zcrxctl 0.1's sessions, still running after an upgrade, answer without a mode. */
static void test_armed_reply_of_a_0_1_session(void **state)
{
	static const char line[] = "{\"v\":1,\"ok\":true,\"armed\":[\"alloc-fail\"]}";
	struct proto_reply out;

	(void)state;
	assert_int_equal(proto_reply_decode(line, strlen(line), PROTO_BODY_ARMED, &out), 0);
	assert_int_equal(out.armed, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL));
	assert_false(out.has_mode);
}

static void test_refusal_round_trip_with_errno(void **state)
{
	struct proto_reply in = { .ok = false, .err = EINVAL };
	struct proto_reply out;
	size_t len;
	char *line;

	(void)state;
	snprintf(in.error, sizeof(in.error), "copy has not fired \"yet\"");
	line = proto_reply_encode(&in, &len);
	assert_string_equal(line, "{\"v\":1,\"ok\":false,\"errno\":\"EINVAL\",\"error\":"
			    "\"copy has not fired \\\"yet\\\"\"}\n");
	/* a refusal decodes whatever body was expected */
	assert_int_equal(proto_reply_decode(line, len, PROTO_BODY_ARMED, &out), 0);
	assert_false(out.ok);
	assert_int_equal(out.err, EINVAL);
	assert_string_equal(out.error, in.error);
	free(line);
}

static void test_subscribe_reply(void **state)
{
	const char *line = "{\"v\":1,\"ok\":true}";
	struct proto_reply out;

	(void)state;
	assert_int_equal(proto_reply_decode(line, strlen(line), PROTO_BODY_NONE, &out), 0);
	assert_true(out.ok);
}

static void test_malformed_replies_are_not_protocol(void **state)
{
	static const char *const bad[] = {
		"",
		"ok",
		"[true]",
		"{\"ok\":true}",					/* no version */
		"{\"v\":2,\"ok\":true}",				/* another version */
		"{\"v\":1}",						/* no ok */
		"{\"v\":1,\"ok\":\"yes\"}",
		"{\"v\":1,\"ok\":true}",				/* status without session */
		"{\"v\":1,\"ok\":true,\"session\":[]}",
		"{\"v\":1,\"ok\":true,\"session\":{\"dev\":\"n0\"}}",	/* half a session */
	};
	static const char *const bad_armed[] = {
		"{\"v\":1,\"ok\":true,\"armed\":[\"bogus\"],\"simulated\":false}",
		"{\"v\":1,\"ok\":true,\"armed\":\"copy\",\"simulated\":false}",
		"{\"v\":1,\"ok\":true,\"armed\":[],\"mode\":\"sim\",\"simulated\":false}",
	};
	struct proto_reply rp;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (proto_reply_decode(bad[i], strlen(bad[i]), PROTO_BODY_SESSION, &rp) != -EPROTO)
			fail_msg("accepted as a status reply: %s", bad[i]);
	for (size_t i = 0; i < sizeof(bad_armed) / sizeof(bad_armed[0]); i++)
		if (proto_reply_decode(bad_armed[i], strlen(bad_armed[i]), PROTO_BODY_ARMED,
				       &rp) != -EPROTO)
			fail_msg("accepted as an arm reply: %s", bad_armed[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests_round_trip),
		cmocka_unit_test(test_arm_without_event_is_all),
		cmocka_unit_test(test_malformed_requests_say_why),
		cmocka_unit_test(test_status_reply_round_trip),
		cmocka_unit_test(test_status_reply_without_recv_overflows),
		cmocka_unit_test(test_armed_reply_carries_the_mode),
		cmocka_unit_test(test_armed_reply_of_a_0_1_session),
		cmocka_unit_test(test_refusal_round_trip_with_errno),
		cmocka_unit_test(test_subscribe_reply),
		cmocka_unit_test(test_malformed_replies_are_not_protocol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
