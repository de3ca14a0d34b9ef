// SPDX-License-Identifier: MIT
/*
 * A re-armed event under a high packet rate comes back at the caller's next
 * submit, as a kernel's does (its task work posts it in the next
 * io_uring_enter), not at the next tick of the simulator's timer: a starved
 * queue at 10^9 packets a second raises ALLOC_FAIL once per re-arm, K times
 * in a row, in a loop that never waits.  Paced to one event per tick, the
 * loop would see none of them.  In step mode arming prepares nothing: the
 * next zcrx_sim_step() raises it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "zcrx.h"
#include "zcrx_sim.h"

#define REARMS		200

struct app {
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	struct io_uring		*ring;
	uint64_t		data, events;
};

static void app_open(struct app *a, const struct zcrx_sim_params *sp)
{
	/* 16 buffers of 4 KiB, never given back: the page pool starves at once */
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 64 << 10, .rq_entries = 64,
				   .events = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL) };
	struct io_uring_sqe *sqe;
	struct zcrx_diag d;

	memset(a, 0, sizeof(*a));
	assert_int_equal(zcrx_sim_ctx_create(&a->ctx, sp, NULL), 0);
	if (zcrx_ifq_open(a->ctx, &o, &a->ifq, &d))
		fail_msg("zcrx_ifq_open: %s", d.msg);
	a->ring = zcrx_ctx_ring(a->ctx);
	sqe = io_uring_get_sqe(a->ring);
	assert_non_null(sqe);
	assert_int_equal(zcrx_prep_recv_zc(a->ifq, sqe, ZCRX_SIM_SYNTH_FD, 0, 1), 0);
}

/* Decode what the CQ holds, keeping every buffer. */
static void drain(struct app *a)
{
	struct io_uring_cqe *cqe;
	struct zcrx_cqe_info ci;

	while (!io_uring_peek_cqe(a->ring, &cqe)) {
		switch (zcrx_cqe_decode(a->ifq, cqe, &ci)) {
		case ZCRX_CQE_DATA:
			a->data++;
			break;
		case ZCRX_CQE_EVENT:
			assert_int_equal(ci.event, ZCRX_EV_ALLOC_FAIL);
			a->events++;
			break;
		case ZCRX_CQE_INTERNAL:
			break;
		default:
			fail_msg("CQE ud 0x%llx res %d: not an expected kind",
				 (unsigned long long)cqe->user_data, cqe->res);
		}
		io_uring_cqe_seen(a->ring, cqe);
	}
}

static void test_rearm_at_a_high_rate_fires_at_the_next_submit(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .rate_pps = 1000000000, .seed = 3 };
	struct __kernel_timespec ts = { .tv_nsec = 100 * 1000000 };
	struct zcrx_sim_counters c;
	struct io_uring_cqe *cqe;
	struct app a;
	int waits = 0;

	(void)state;
	app_open(&a, &sp);
	/* the first packet's refill already fails: the RX ring is larger than the area */
	for (int i = 0; i < 50 && !a.events; i++) {
		io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL);
		drain(&a);
	}
	assert_int_equal(a.events, 1);

	for (int i = 0; i < REARMS; i++) {
		assert_int_equal(zcrx_event_arm(a.ifq, ZCRX_EV_ALLOC_FAIL), 0);
		/* prepared by the re-arm itself, for the caller's next submit */
		assert_true(io_uring_sq_ready(a.ring) >= 1);
		assert_true(io_uring_submit_and_get_events(a.ring) >= 1);
		drain(&a);
		assert_int_equal(a.events, i + 2);
		assert_true(zcrx_event_latched(a.ifq, ZCRX_EV_ALLOC_FAIL));
	}
	assert_int_equal(a.data, 16);

	/*
	 * Latched, the packets of a timer round are all drops, counted at
	 * once: each one's refill still fails (and so did registration's).
	 */
	do {
		io_uring_submit_and_wait_timeout(a.ring, &cqe, 1, &ts, NULL);
		drain(&a);
		assert_int_equal(zcrx_sim_counters(a.ifq, &c), 0);
	} while (c.rx_dropped < 1000 && ++waits < 50);
	assert_true(c.rx_dropped >= 1000);
	assert_int_equal(a.events, REARMS + 1);
	assert_int_equal(c.rx_packets, 16);
	assert_int_equal(c.alloc_fail, 1 + c.rx_packets + c.rx_dropped);
	zcrx_ctx_destroy(a.ctx);
}

static void test_rearm_in_step_mode_waits_for_the_next_step(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 3 };
	struct app a;

	(void)state;
	app_open(&a, &sp);
	assert_true(io_uring_submit_and_get_events(a.ring) >= 1);
	drain(&a);
	/* 16 packets take every buffer; the 17th finds none and is dropped */
	assert_int_equal(zcrx_sim_step(a.ifq, 17), 16);
	assert_true(io_uring_submit_and_get_events(a.ring) >= 17);
	drain(&a);
	assert_int_equal(a.events, 1);

	assert_int_equal(zcrx_event_arm(a.ifq, ZCRX_EV_ALLOC_FAIL), 0);
	assert_int_equal(io_uring_sq_ready(a.ring), 0);
	assert_int_equal(zcrx_sim_step(a.ifq, 1), 0);
	assert_true(io_uring_submit_and_get_events(a.ring) >= 1);
	drain(&a);
	assert_int_equal(a.events, 2);
	zcrx_ctx_destroy(a.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rearm_at_a_high_rate_fires_at_the_next_submit),
		cmocka_unit_test(test_rearm_in_step_mode_waits_for_the_next_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
