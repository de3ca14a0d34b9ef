// SPDX-License-Identifier: MIT
/*
 * libzcrx's server writes protocol v1 (lib/server/wire.c) without zcrxctl's
 * printer: every line it writes must read back through zcrxctl's own
 * decoders (zcrxctl/proto.c) as what the server meant, hostile names
 * included, so that `zcrxctl status|subscribe|arm` cannot tell an
 * application's server from a session.
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
#include "zcrx_sim.h"

struct fix {
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	struct zcrx_server	srv;
};

static int setup(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .copy_permille = 1000 };
	struct zcrx_ifq_opts io = { .ifname = "sim0", .queue = 3, .events_default = true,
				    .stats = true };
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(zcrx_sim_ctx_create(&f->ctx, &sp, NULL), 0);
	assert_int_equal(zcrx_ifq_open(f->ctx, &io, &f->ifq, NULL), 0);
	f->srv.ifq = f->ifq;
	f->srv.mode = "sim";
	f->srv.queue = 3;
	strcpy(f->srv.dev, "sim0");
	strcpy(f->srv.prog, "app");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	zcrx_ifq_close(f->ifq);
	zcrx_ctx_destroy(f->ctx);
	free(f);
	return 0;
}

static void test_status_reads_back(void **state)
{
	struct fix *f = *state;
	struct proto_reply rp;
	size_t len;
	char *line;

	f->srv.count[ZCRX_EV_COPY] = 2;
	line = srv_reply_status(&f->srv, &len);
	assert_non_null(line);
	assert_int_equal(proto_reply_decode(line, len, PROTO_BODY_SESSION, &rp), 0);
	assert_true(rp.ok);
	assert_string_equal(rp.session.dev, "sim0");
	assert_int_equal(rp.session.queue, 3);
	assert_int_equal(rp.session.pid, getpid());
	assert_true(rp.session.has_prog);
	assert_string_equal(rp.session.prog, "app");
	assert_int_equal(rp.session.mode, BACKEND_SIM);
	assert_int_equal(rp.session.events, ZCRX_EV_MASK_ALL);
	assert_int_equal(rp.session.fired, 0);
	assert_int_equal(rp.session.count[ZCRX_EV_COPY], 2);
	assert_true(rp.session.has_stats);
	assert_true(rp.session.has_overflows);
	free(line);
}

static void test_records_read_back(void **state)
{
	struct fix *f = *state;
	struct record r;
	size_t len;
	char *line;

	f->srv.seq = 7;
	f->srv.count[ZCRX_EV_COPY] = 1;
	line = srv_record_event(&f->srv, ZCRX_EV_COPY, &len);
	assert_int_equal(proto_record_decode(line, len, &r), 0);
	assert_int_equal(r.kind, RECORD_EVENT);
	assert_int_equal(r.seq, 7);
	assert_true(r.has_time);
	assert_string_equal(r.dev, "sim0");
	assert_int_equal(r.event, ZCRX_EV_COPY);
	assert_int_equal(r.count, 1);
	assert_true(r.has_stats);
	assert_int_equal(r.mode, BACKEND_SIM);
	free(line);

	line = srv_record_armed(&f->srv, ZCRX_EV_ALLOC_FAIL, "arm", &len);
	assert_int_equal(proto_record_decode(line, len, &r), 0);
	assert_int_equal(r.kind, RECORD_ARMED);
	assert_int_equal(r.event, ZCRX_EV_ALLOC_FAIL);
	assert_string_equal(r.by, "arm");
	free(line);

	/* the library's grow record reads back as zcrxctl's sessions write it */
	line = srv_record_grow(&f->srv, "grow", 1, 65536, &len);
	assert_int_equal(proto_record_decode(line, len, &r), 0);
	assert_int_equal(r.kind, RECORD_GROW);
	assert_true(r.has_time);
	assert_string_equal(r.by, "grow");
	assert_string_equal(r.dev, "sim0");
	assert_false(r.stopped);
	assert_int_equal(r.area_id, 1);
	assert_int_equal(r.size, 65536);
	assert_int_equal(r.nr_areas, f->srv.ifq->nr_areas);
	assert_int_equal(r.area_size, f->srv.ifq->area_size);
	assert_int_equal(r.mode, BACKEND_SIM);
	free(line);

	line = srv_record_lost(&f->srv, 12, &len);
	assert_int_equal(proto_record_decode(line, len, &r), 0);
	assert_int_equal(r.kind, RECORD_LOST);
	assert_int_equal(r.lost, 12);
	free(line);
}

static void test_replies_read_back(void **state)
{
	struct fix *f = *state;
	struct proto_reply rp;
	size_t len;
	char *line;

	line = srv_reply_armed(&f->srv, ZCRX_EV_MASK(ZCRX_EV_COPY), &len);
	assert_int_equal(proto_reply_decode(line, len, PROTO_BODY_ARMED, &rp), 0);
	assert_true(rp.ok && rp.has_mode);
	assert_int_equal(rp.armed, ZCRX_EV_MASK(ZCRX_EV_COPY));
	free(line);

	line = srv_reply_grown(&f->srv, 1, &len);
	assert_int_equal(proto_reply_decode(line, len, PROTO_BODY_GROWN, &rp), 0);
	assert_true(rp.ok && rp.has_mode);
	assert_int_equal(rp.area_id, 1);
	assert_int_equal(rp.mode, BACKEND_SIM);
	free(line);

	line = srv_reply_fail(EINVAL, "copy has not fired", &len);
	assert_int_equal(proto_reply_decode(line, len, PROTO_BODY_NONE, &rp), 0);
	assert_false(rp.ok);
	assert_int_equal(rp.err, EINVAL);
	assert_string_equal(rp.error, "copy has not fired");
	free(line);

	line = srv_reply_ok(&len);
	assert_string_equal(line, "{\"v\":1,\"ok\":true}\n");
	free(line);
}

/* A program may call itself anything: quotes, controls, bytes that are no UTF-8. */
static void test_hostile_names_stay_one_json_line(void **state)
{
	struct fix *f = *state;
	struct proto_reply rp;
	size_t len;
	char *line;

	strcpy(f->srv.prog, "a\"b\\c\n\x1b]0;x\x07\xff\xc3");
	line = srv_reply_status(&f->srv, &len);
	assert_non_null(line);
	assert_null(memchr(line, '\n', len - 1));
	assert_int_equal(proto_reply_decode(line, len, PROTO_BODY_SESSION, &rp), 0);
	assert_string_equal(rp.session.prog, "a\"b\\c\n\x1b]0;x\x07\xef\xbf\xbd\xef\xbf\xbd");
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_reads_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replies_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names_stay_one_json_line, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
