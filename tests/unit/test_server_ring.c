// SPDX-License-Identifier: MIT
/*
 * libzcrx's server on the ifq's own ring (the default way it runs): its poll
 * goes on the ring, zcrx_cqe_decode() hands its CQEs back as
 * ZCRX_CQE_INTERNAL and receives may not take its user_data; with the SQ
 * full it posts at the next CQE decoded, and answers all the same.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "backend.h"
#include "zcrx_server.h"
#include "zcrx_sim.h"

struct fix {
	char			dir[64];
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	struct zcrx_server	*srv;
};

static int setup(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true };
	struct zcrx_ctx_opts co = { .sq_entries = 4 };
	struct zcrx_ifq_opts io = { .ifname = "sim0", .queue = 1, .events_default = true };
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/zcrx-srv-ring.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(zcrx_sim_ctx_create(&f->ctx, &sp, &co), 0);
	assert_int_equal(zcrx_ifq_open(f->ctx, &io, &f->ifq, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char path[128];

	zcrx_server_close(f->srv);
	zcrx_ifq_close(f->ifq);
	zcrx_ctx_destroy(f->ctx);
	snprintf(path, sizeof(path), "%s/sim0.1.sock", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void serve(struct fix *f)
{
	struct zcrx_serve_opts so = { .rundir = f->dir, .prog = "ringtest" };
	struct zcrx_diag d;

	assert_int_equal(zcrx_ifq_serve(f->ifq, &so, &f->srv, &d), 0);
}

/* Ask status, and run the ring (decoding every CQE) until the reply is there. */
static void status_answered(struct fix *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct __kernel_timespec ts = { .tv_nsec = 20 * 1000000 };
	struct io_uring *ring = zcrx_ctx_ring(f->ctx);
	static const char rq[] = "{\"v\":1,\"cmd\":\"status\"}\n";
	struct zcrx_cqe_info ci;
	struct io_uring_cqe *cqe;
	char buf[2048] = "";
	int fd, i, internal = 0;
	struct pollfd p;
	ssize_t n = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sim0.1.sock", f->dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, rq, sizeof(rq) - 1), (ssize_t)sizeof(rq) - 1);
	for (i = 0; i < 100; i++) {
		io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
		while (!io_uring_peek_cqe(ring, &cqe)) {
			internal += zcrx_cqe_decode(f->ifq, cqe, &ci) == ZCRX_CQE_INTERNAL;
			io_uring_cqe_seen(ring, cqe);
		}
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 0) == 1) {
			n = read(fd, buf, sizeof(buf) - 1);
			break;
		}
	}
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"ok\":true"));
	assert_non_null(strstr(buf, "\"prog\":\"ringtest\""));
	assert_true(internal > 0);
}

static void test_answers_from_the_ring(void **state)
{
	struct fix *f = *state;
	struct zcrx_server_info si;

	serve(f);
	assert_true(f->ifq->server_posted);
	status_answered(f);
	/* its user_data is no receive's */
	zcrx_server_info(f->srv, &si);
	assert_int_equal(zcrx_prep_recv_zc(f->ifq, io_uring_get_sqe(zcrx_ctx_ring(f->ctx)), 5, 0,
					   si.user_data), -EINVAL);
}

static void test_full_sq_posts_at_the_next_decode(void **state)
{
	struct fix *f = *state;
	struct io_uring *ring = zcrx_ctx_ring(f->ctx);
	struct io_uring_cqe nop = { .user_data = 0x1234 };
	struct zcrx_cqe_info ci;
	struct io_uring_sqe *sqe;

	while ((sqe = io_uring_get_sqe(ring)))
		io_uring_prep_nop(sqe);
	serve(f);
	assert_false(f->ifq->server_posted);
	assert_true(f->ifq->server_repost);
	io_uring_submit(ring);
	assert_int_equal(zcrx_cqe_decode(f->ifq, &nop, &ci), ZCRX_CQE_NOT_OURS);
	assert_true(f->ifq->server_posted);
	status_answered(f);
}

/*
 * A receive whose data CQE (user_data 77, raw) took decode's fast path,
 * then a server that found the SQ full; the SQ submitted again.
 */
static void serve_past_a_hot_receive(struct fix *f, uint64_t raw[4], bool inline_decode)
{
	struct io_uring *ring = zcrx_ctx_ring(f->ctx);
	struct io_uring_cqe *data = (struct io_uring_cqe *)raw;
	struct zcrx_cqe_info ci;
	struct io_uring_sqe *sqe;

	assert_int_equal(zcrx_prep_recv_zc(f->ifq, io_uring_get_sqe(ring), ZCRX_SIM_SYNTH_FD, 0,
					   77), 0);
	io_uring_submit(ring);
	raw[0] = 77;
	data->res = 100;
	assert_int_equal(inline_decode ? zcrx_cqe_decode_fast(zcrx_ifq_fast(f->ifq), data, &ci)
				       : zcrx_cqe_decode(f->ifq, data, &ci), ZCRX_CQE_DATA);
	while ((sqe = io_uring_get_sqe(ring)))
		io_uring_prep_nop(sqe);
	serve(f);
	assert_true(f->ifq->server_repost);
	io_uring_submit(ring);
}

/* The same when that CQE is a receive's data on decode's fast path. */
static void test_full_sq_posts_at_the_next_data_cqe(void **state)
{
	struct fix *f = *state;
	uint64_t raw[4] = { 0 };
	struct zcrx_cqe_info ci;

	serve_past_a_hot_receive(f, raw, false);
	assert_int_equal(zcrx_cqe_decode(f->ifq, (struct io_uring_cqe *)raw, &ci), ZCRX_CQE_DATA);
	assert_true(f->ifq->server_posted);
	status_answered(f);
}

/* Inline, the data CQE passes the server by: the commit after the batch posts it. */
static void test_full_sq_posts_at_the_commit_past_inline_decode(void **state)
{
	struct fix *f = *state;
	struct zcrx_fast *fast = zcrx_ifq_fast(f->ifq);
	uint64_t raw[4] = { 0 };
	struct zcrx_cqe_info ci;

	serve_past_a_hot_receive(f, raw, true);
	assert_int_equal(zcrx_cqe_decode_fast(fast, (struct io_uring_cqe *)raw, &ci), ZCRX_CQE_DATA);
	assert_false(f->ifq->server_posted);
	assert_int_equal(zcrx_buf_return_fast(fast, ci.off, ci.len), 0);
	zcrx_buf_commit(f->ifq);
	assert_true(f->ifq->server_posted);
	status_answered(f);
}

static void test_a_second_server_of_one_ifq_is_busy(void **state)
{
	struct fix *f = *state;
	struct zcrx_serve_opts so = { .rundir = f->dir, .dev = "other0" };
	struct zcrx_server *two;
	struct zcrx_diag d;

	serve(f);
	assert_int_equal(zcrx_ifq_serve(f->ifq, &so, &two, &d), -EBUSY);
	assert_non_null(strstr(d.msg, "one server per ifq"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answers_from_the_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_sq_posts_at_the_commit_past_inline_decode,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_sq_posts_at_the_next_decode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_sq_posts_at_the_next_data_cqe, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_second_server_of_one_ifq_is_busy, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
