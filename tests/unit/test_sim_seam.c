// SPDX-License-Identifier: MIT
/*
 * The simulator as an application meets it through zcrx.h and zcrx_sim.h:
 * it never submits what the caller has prepared on its ring, it owns no
 * user_data the caller could pick, an ifq takes any number of receives,
 * and its completions wake a caller blocked in io_uring_submit_and_wait()
 * on the DEFER_TASKRUN ring, with no room needed in the caller's SQ.  It
 * leaves the caller's drains and SQE flags alone, half of the SQ to the
 * caller, and a closed ifq's event user_data to no receive until its last
 * CQE of the simulator's is decoded.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "zcrx.h"
#include "zcrx_sim.h"

#define CALLER_UD	0xc0ffeeULL
#define NR_CONN		12

struct app {
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	struct io_uring		*ring;
	uint64_t		data, bytes, internal, events[ZCRX_EV_COUNT], caller;
	uint64_t		ends;
	uint64_t		last_ud;
};

static void app_open(struct app *a, const struct zcrx_sim_params *sp, struct zcrx_ifq_opts *o)
{
	struct zcrx_diag d;

	memset(a, 0, sizeof(*a));
	assert_int_equal(zcrx_sim_ctx_create(&a->ctx, sp, NULL), 0);
	if (!o->ifname)
		o->ifname = "sim0";
	if (zcrx_ifq_open(a->ctx, o, &a->ifq, &d))
		fail_msg("zcrx_ifq_open: %s", d.msg);
	a->ring = zcrx_ctx_ring(a->ctx);
}

static void recv_on(struct app *a, int fd, uint64_t ud)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(a->ring);

	assert_non_null(sqe);
	assert_int_equal(zcrx_prep_recv_zc(a->ifq, sqe, fd, 0, ud), 0);
}

/* Decode one CQE as an application does; data goes straight back. */
static void take(struct app *a, struct io_uring_cqe *cqe)
{
	struct zcrx_cqe_info ci;

	if (cqe->user_data == CALLER_UD) {
		a->caller++;
		return;
	}
	switch (zcrx_cqe_decode(a->ifq, cqe, &ci)) {
	case ZCRX_CQE_DATA:
		a->data++;
		a->bytes += ci.len;
		a->last_ud = ci.user_data;
		assert_int_equal(zcrx_buf_return(a->ifq, ci.off, ci.len), 0);
		break;
	case ZCRX_CQE_EVENT:
		a->events[ci.event]++;
		break;
	case ZCRX_CQE_INTERNAL:
		a->internal++;
		break;
	case ZCRX_CQE_RECV_END:
		a->ends++;
		break;
	default:
		fail_msg("CQE ud 0x%llx res %d: not an expected kind",
			 (unsigned long long)cqe->user_data, cqe->res);
	}
}

/* Everything the CQ holds now, without entering the ring. */
static void drain(struct app *a)
{
	struct io_uring_cqe *cqe;

	while (!io_uring_peek_cqe(a->ring, &cqe)) {
		take(a, cqe);
		io_uring_cqe_seen(a->ring, cqe);
	}
	zcrx_buf_commit(a->ifq);
}

static void caller_nop(struct app *a)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(a->ring);

	assert_non_null(sqe);
	io_uring_prep_nop(sqe);
	sqe->user_data = CALLER_UD;
}

static uint32_t sq_khead(const struct app *a)
{
	return __atomic_load_n(a->ring->sq.khead, __ATOMIC_ACQUIRE);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * A NOP the caller prepared and did not submit stays unsubmitted while the
 * simulator delivers: through zcrx_sim_step(), and in the rounds it runs
 * when a wake-up is decoded.  It goes, once, with the caller's own submit.
 */
static void test_never_submits_the_callers_sqes(void **state)
{
	struct zcrx_sim_params step = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 1 };
	struct zcrx_sim_params paced = { .gen = ZCRX_GEN_7_2, .rate_pps = 2000, .seed = 1 };
	struct zcrx_ifq_opts o = { .area_size = 1 << 20, .rq_entries = 256 };
	struct io_uring_cqe *cqe;
	struct app a;
	uint32_t head;
	int rounds = 0, busy = 0, nops = 0;

	(void)state;
	app_open(&a, &step, &o);
	recv_on(&a, ZCRX_SIM_SYNTH_FD, 1);
	assert_true(io_uring_submit_and_get_events(a.ring) >= 1);
	drain(&a);

	caller_nop(&a);
	head = sq_khead(&a);
	assert_int_equal(zcrx_sim_step(a.ifq, 4), 4);
	assert_int_equal(sq_khead(&a), head);
	assert_int_equal(io_uring_cq_ready(a.ring), 0);
	/* the caller's submit takes its NOP and the simulator's CQEs along */
	assert_true(io_uring_submit_and_get_events(a.ring) >= 5);
	drain(&a);
	assert_int_equal(a.caller, 1);
	assert_int_equal(a.data, 4);
	zcrx_ctx_destroy(a.ctx);

	/* paced: the simulator runs its rounds inside zcrx_cqe_decode() of a wake-up */
	app_open(&a, &paced, &o);
	recv_on(&a, ZCRX_SIM_SYNTH_FD, 1);
	for (uint64_t t0 = now_ms(); rounds < 5 && now_ms() - t0 < 5000;) {
		struct __kernel_timespec ts = { .tv_nsec = 100 * 1000000 };
		struct zcrx_cqe_info ci;
		unsigned int ready;

		io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL);
		caller_nop(&a);
		nops++;
		head = sq_khead(&a);
		while (!io_uring_peek_cqe(a.ring, &cqe)) {
			ready = io_uring_sq_ready(a.ring);
			if (cqe->user_data == CALLER_UD) {
				a.caller++;
			} else if (zcrx_cqe_decode(a.ifq, cqe, &ci) == ZCRX_CQE_INTERNAL) {
				rounds++;
				busy += io_uring_sq_ready(a.ring) > ready;
			} else if (ci.kind == ZCRX_CQE_DATA) {
				zcrx_buf_return(a.ifq, ci.off, ci.len);
				a.data++;
			}
			/* nothing went in, so the NOP cannot have completed either */
			assert_int_equal(sq_khead(&a), head);
			io_uring_cqe_seen(a.ring, cqe);
		}
		zcrx_buf_commit(a.ifq);
	}
	assert_true(rounds >= 5);
	/* some of those rounds prepared data on the SQ, and none submitted it */
	assert_true(busy > 0);
	assert_true(a.data > 0);
	/* every NOP went with a submit of the caller's, and completed once */
	io_uring_submit_and_get_events(a.ring);
	drain(&a);
	assert_int_equal(a.caller, nops);
	zcrx_ctx_destroy(a.ctx);
}

/*
 * user_data is the caller's, all 64 bits: values with 0x5a53 in the top 16
 * bits (once the simulator's tag, so such CQEs vanished) work for a
 * receive and for the events.
 */
static void test_any_user_data_is_the_callers(void **state)
{
	static const uint64_t uds[] = { 0x5a53000000000001ULL, 0x5a533f0000000000ULL,
					0x5a53ffffffffffffULL };
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 2,
				      .copy_permille = 1000 };
	struct app a;

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		struct zcrx_ifq_opts o = {
			.area_size = 1 << 20, .rq_entries = 256,
			.events = ZCRX_EV_MASK(ZCRX_EV_COPY),
			.event_user_data = uds[(i + 1) % 3],
		};

		app_open(&a, &sp, &o);
		recv_on(&a, ZCRX_SIM_SYNTH_FD, uds[i]);
		assert_true(io_uring_submit_and_get_events(a.ring) >= 1);
		drain(&a);
		assert_int_equal(zcrx_sim_step(a.ifq, 4), 4);
		assert_true(io_uring_submit_and_get_events(a.ring) >= 0);
		drain(&a);
		assert_int_equal(a.data, 4);
		assert_true(a.last_ud == uds[i]);
		assert_int_equal(a.events[ZCRX_EV_COPY], 1);
		assert_true(zcrx_event_latched(a.ifq, ZCRX_EV_COPY));
		zcrx_ctx_destroy(a.ctx);
	}
}

static int tcp_listener(struct sockaddr_in *sa)
{
	socklen_t sl = sizeof(*sa);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (void *)sa, sizeof(*sa)), 0);
	assert_int_equal(listen(lfd, NR_CONN), 0);
	assert_int_equal(getsockname(lfd, (void *)sa, &sl), 0);
	return lfd;
}

/*
 * No cap on receives per ifq (the library once refused a ninth with
 * -EBUSY): 12 TCP connections received at once on one simulated ifq, every
 * byte and every end, through the simulator's socket polls and wake-ups.
 */
static void test_many_receives_on_one_ifq(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .seed = 3 };
	struct zcrx_ifq_opts o = { .area_size = 1 << 20, .rq_entries = 256 };
	int cli[NR_CONN], srv[NR_CONN], lfd;
	static char buf[5000];
	struct sockaddr_in sa;
	struct app a;

	(void)state;
	lfd = tcp_listener(&sa);
	app_open(&a, &sp, &o);
	for (int i = 0; i < NR_CONN; i++) {
		cli[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_int_equal(connect(cli[i], (void *)&sa, sizeof(sa)), 0);
		srv[i] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		assert_true(srv[i] >= 0);
		recv_on(&a, srv[i], 100 + i);
	}
	memset(buf, 0x5a, sizeof(buf));
	for (int i = 0; i < NR_CONN; i++) {
		assert_int_equal(write(cli[i], buf, sizeof(buf)), (ssize_t)sizeof(buf));
		close(cli[i]);
	}
	for (uint64_t t0 = now_ms(); a.ends < NR_CONN && now_ms() - t0 < 5000;) {
		struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000 };
		struct io_uring_cqe *cqe;

		io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL);
		drain(&a);
	}
	assert_int_equal(a.bytes, NR_CONN * sizeof(buf));
	assert_int_equal(a.ends, NR_CONN);
	zcrx_ctx_destroy(a.ctx);
	for (int i = 0; i < NR_CONN; i++)
		close(srv[i]);
	close(lfd);
}

/*
 * The simulator's timers run on its private ring; its wake-up must reach a
 * caller blocked in io_uring_submit_and_wait() (no timeout) on the ctx's
 * SINGLE_ISSUER | DEFER_TASKRUN ring.  A lost wake-up hangs here: the
 * alarm then ends the test as a failure.
 */
static void test_wakes_a_caller_blocked_in_submit_and_wait(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .rate_pps = 500, .seed = 4 };
	struct zcrx_ifq_opts o = { .area_size = 1 << 20, .rq_entries = 256 };
	uint64_t t0;
	struct app a;

	(void)state;
	app_open(&a, &sp, &o);
	recv_on(&a, ZCRX_SIM_SYNTH_FD, 1);
	alarm(20);
	t0 = now_ms();
	while (a.data < 50) {
		assert_true(io_uring_submit_and_wait(a.ring, 1) >= 0);
		drain(&a);
	}
	alarm(0);
	/* 50 packets at 500 pps: about 100 ms, a wake-up at a time */
	assert_true(now_ms() - t0 < 5000);
	assert_true(a.internal > 0);
	zcrx_ctx_destroy(a.ctx);
}

/*
 * A simulated ctx destroyed on the caller's adopted ring before the caller
 * submitted: it must leave nothing there that touches the caller's files
 * (a wake-up READ once named the simulator's eventfd, whose number the
 * caller's next open gets).  Opening an ifq prepares nothing on the
 * caller's ring at all: the wake-up lives on the simulator's own ring.
 */
static void test_destroy_leaves_nothing_on_the_callers_files(void **state)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_CQE32,
	};
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .events_default = true };
	struct zcrx_ifq_info info;
	struct io_uring_cqe *cqe;
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	struct io_uring ring;
	char buf[16];
	int pfd[2];

	(void)state;
	assert_int_equal(io_uring_queue_init_params(64, &ring, &p), 0);
	assert_int_equal(zcrx_sim_ctx_adopt(&ctx, &ring, &sp, NULL), 0);
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, NULL), 0);
	assert_int_equal(zcrx_ifq_info(ifq, &info), 0);
	assert_int_equal(io_uring_sq_ready(&ring), 0);
	zcrx_ctx_destroy(ctx);

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], "SECRET!!", 8), 8);
	io_uring_submit(&ring);
	while (!io_uring_peek_cqe(&ring, &cqe)) {
		if (cqe->user_data == info.event_user_data && cqe->res > 0)
			fail_msg("a READ took %d bytes of the caller's pipe", cqe->res);
		io_uring_cqe_seen(&ring, cqe);
	}
	assert_int_equal(read(pfd[0], buf, sizeof(buf)), 8);
	close(pfd[0]);
	close(pfd[1]);
	io_uring_queue_exit(&ring);
}

/*
 * The wake-up takes no SQE of the caller's: a caller whose SQ is full each
 * time it decodes a batch (here it fills it with NOPs first) still hears of
 * new traffic while it waits.  Once, the wake-up was a READ re-armed on the
 * caller's SQ as it was decoded; with no room it was lost, and the caller
 * waited for ever.
 */
static void test_wake_needs_no_room_in_the_callers_sq(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .rate_pps = 1000, .seed = 5 };
	struct zcrx_ifq_opts o = { .area_size = 1 << 20, .rq_entries = 256 };
	struct zcrx_ctx_opts co = { .sq_entries = 8 };
	struct __kernel_timespec ts = { .tv_nsec = 200 * 1000000 };
	struct zcrx_diag d;
	struct io_uring_cqe *cqe;
	uint64_t before, t0;
	struct app a;
	int full = 0;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(zcrx_sim_ctx_create(&a.ctx, &sp, &co), 0);
	o.ifname = "sim0";
	if (zcrx_ifq_open(a.ctx, &o, &a.ifq, &d))
		fail_msg("zcrx_ifq_open: %s", d.msg);
	a.ring = zcrx_ctx_ring(a.ctx);
	recv_on(&a, ZCRX_SIM_SYNTH_FD, 1);
	/* a few batches decoded with the SQ full */
	for (t0 = now_ms(); full < 4 && now_ms() - t0 < 5000;) {
		io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL);
		if (!io_uring_cq_ready(a.ring))
			continue;
		while (io_uring_sq_space_left(a.ring))
			caller_nop(&a);
		drain(&a);
		full++;
	}
	assert_int_equal(full, 4);
	/* and the traffic goes on reaching a caller that only waits */
	before = a.data;
	for (t0 = now_ms(); a.data < before + 20 && now_ms() - t0 < 3000;) {
		io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL);
		drain(&a);
	}
	assert_true(a.data >= before + 20);
	zcrx_ctx_destroy(a.ctx);
}

/*
 * The caller's ring stays the caller's: after a receive (and an ifq open)
 * an IOSQE_IO_DRAIN SQE of the caller's completes with 0 (once the
 * simulator's IOSQE_CQE_SKIP_SUCCESS made the kernel refuse every later
 * drain with -EOPNOTSUPP, and a READ in flight held drains back), and flags
 * the caller sets on the receive's SQE after zcrx_prep_recv_zc() do not
 * end that receive (clearing CQE_SKIP_SUCCESS once posted a false EOF).
 */
static void test_callers_drain_and_sqe_flags_still_work(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 6 };
	struct zcrx_ifq_opts o = { .area_size = 1 << 20, .rq_entries = 256,
				   .events_default = true };
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct app a;

	(void)state;
	app_open(&a, &sp, &o);
	sqe = io_uring_get_sqe(a.ring);
	assert_non_null(sqe);
	assert_int_equal(zcrx_prep_recv_zc(a.ifq, sqe, ZCRX_SIM_SYNTH_FD, 0, 1), 0);
	io_uring_sqe_set_flags(sqe, 0);
	assert_true(io_uring_submit(a.ring) >= 1);
	drain(&a);
	assert_int_equal(zcrx_sim_step(a.ifq, 3), 3);
	assert_true(io_uring_submit(a.ring) >= 0);
	drain(&a);
	assert_int_equal(a.data, 3);
	assert_int_equal(a.ends, 0);

	for (int i = 0; i < 2; i++) {
		sqe = io_uring_get_sqe(a.ring);
		assert_non_null(sqe);
		io_uring_prep_nop(sqe);
		sqe->flags |= IOSQE_IO_DRAIN;
		sqe->user_data = CALLER_UD;
		assert_int_equal(io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL), 1);
		assert_int_equal(io_uring_peek_cqe(a.ring, &cqe), 0);
		assert_true(cqe->user_data == CALLER_UD);
		assert_int_equal(cqe->res, 0);
		io_uring_cqe_seen(a.ring, cqe);
	}
	zcrx_ctx_destroy(a.ctx);
}

/*
 * At most half of the caller's SQ goes to the simulator: at a million
 * packets a second, every batch decoded leaves the caller at least half of
 * its SQ (once a round took 253 of 256 SQEs).
 */
static void test_leaves_half_the_sq_to_the_caller(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .rate_pps = 1000000, .seed = 7 };
	struct zcrx_ifq_opts o = { .area_size = 4 << 20, .rq_entries = 1024 };
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000 };
	struct io_uring_cqe *cqe;
	unsigned int entries, least = ~0U;
	struct app a;

	(void)state;
	app_open(&a, &sp, &o);
	entries = *a.ring->sq.kring_entries;
	recv_on(&a, ZCRX_SIM_SYNTH_FD, 1);
	for (int round = 0; round < 20; round++) {
		io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL);
		drain(&a);
		if (io_uring_sq_space_left(a.ring) < least)
			least = io_uring_sq_space_left(a.ring);
	}
	assert_true(a.data > 100);
	assert_true(least >= entries / 2);
	zcrx_ctx_destroy(a.ctx);
}

/*
 * A wake-up already due under an ifq's event user_data when that ifq is
 * closed keeps the value: no receive may take it (-EINVAL) until the
 * wake-up has been decoded (ZCRX_CQE_INTERNAL), and after that a receive
 * with it gets its data and no false end (once the stray CQE ended it).
 */
static void test_closed_ifqs_user_data_waits_for_its_last_cqe(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .rate_pps = 1000, .seed = 8 };
	struct zcrx_ifq_opts oa = { .ifname = "sim0", .area_size = 1 << 20, .rq_entries = 256,
				    .event_user_data = 1 };
	struct zcrx_ifq_opts ob = { .ifname = "sim0", .area_size = 1 << 20, .rq_entries = 256,
				    .event_user_data = 2 };
	struct __kernel_timespec ts = { .tv_nsec = 100 * 1000000 };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct zcrx_ifq *old;
	struct app a;
	uint64_t t0;
	int ret;

	(void)state;
	app_open(&a, &sp, &oa);
	old = a.ifq;
	assert_int_equal(zcrx_ifq_open(a.ctx, &ob, &a.ifq, NULL), 0);
	zcrx_ifq_close(old);
	sqe = io_uring_get_sqe(a.ring);
	assert_non_null(sqe);
	assert_int_equal(zcrx_prep_recv_zc(a.ifq, sqe, ZCRX_SIM_SYNTH_FD, 0, 1), -EINVAL);
	/* traffic under another user_data (a few packets) brings the wake-up due under 1 */
	assert_int_equal(zcrx_prep_recv_zc(a.ifq, sqe, ZCRX_SIM_SYNTH_FD, 4096, 3), 0);
	ret = -EINVAL;
	for (t0 = now_ms(); ret && now_ms() - t0 < 3000;) {
		io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL);
		drain(&a);
		sqe = io_uring_get_sqe(a.ring);
		assert_non_null(sqe);
		ret = zcrx_prep_recv_zc(a.ifq, sqe, ZCRX_SIM_SYNTH_FD, 0, 1);
		if (ret)
			io_uring_prep_nop(sqe);
		else
			assert_true(a.internal > 0);
	}
	assert_int_equal(ret, 0);
	/* the capped receive 3 ends; receive 1 takes the traffic after it and does not end */
	for (t0 = now_ms(); a.last_ud != 1 && now_ms() - t0 < 3000;) {
		io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL);
		drain(&a);
	}
	assert_true(a.last_ud == 1);
	assert_true(a.ends <= 1);
	zcrx_ctx_destroy(a.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_submits_the_callers_sqes),
		cmocka_unit_test(test_any_user_data_is_the_callers),
		cmocka_unit_test(test_many_receives_on_one_ifq),
		cmocka_unit_test(test_wakes_a_caller_blocked_in_submit_and_wait),
		cmocka_unit_test(test_destroy_leaves_nothing_on_the_callers_files),
		cmocka_unit_test(test_wake_needs_no_room_in_the_callers_sq),
		cmocka_unit_test(test_callers_drain_and_sqe_flags_still_work),
		cmocka_unit_test(test_leaves_half_the_sq_to_the_caller),
		cmocka_unit_test(test_closed_ifqs_user_data_waits_for_its_last_cqe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
