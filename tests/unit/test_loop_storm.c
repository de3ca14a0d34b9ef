// SPDX-License-Identifier: MIT
/*
 * The reactor stays fair under a storm (issue 11 item 1): a source that
 * never lets the CQ run dry must not starve the signalfd, whose completion
 * is DEFER_TASKRUN task work that only runs when the loop enters the
 * kernel for events.  The storm here is a NOP that, on each completion,
 * submits another one: the kernel posts it inline, so the CQ is never
 * empty.  A SIGUSR1 raised mid-storm must stop the loop; the storm's own
 * bound (STORM_MAX CQEs) ends the test if it does not.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <time.h>
#include <string.h>
#include <cmocka.h>
#include <liburing.h>

#include "loop.h"

#define STORM_UD	0x5757ULL	/* no LOOP_UD_TAG: the filter takes it */
#define STORM_DEPTH	8
#define STORM_RAISE	1000		/* CQEs before the signal */
#define STORM_MAX	2000000		/* the signal was starved: give up */

struct storm {
	struct io_uring	*ring;
	unsigned long	seen;
	int		signo;
};

static void storm_nop(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	assert_non_null(sqe);
	io_uring_prep_nop(sqe);
	sqe->user_data = STORM_UD;
}

static bool storm_filter(struct loop *l, struct io_uring_cqe *cqe, void *arg)
{
	struct storm *st = arg;

	if (cqe->user_data != STORM_UD)
		return false;
	st->seen++;
	if (st->seen == STORM_RAISE)
		raise(SIGUSR1);
	if (st->seen >= STORM_MAX) {
		loop_stop(l, 99);
		return true;
	}
	/* posted inline by this submit: the CQ never runs dry */
	storm_nop(st->ring);
	io_uring_submit(st->ring);
	return true;
}

static void storm_signal(struct loop *l, int signo, void *arg)
{
	struct storm *st = arg;

	st->signo = signo;
	loop_stop(l, 0);
}

static void test_signal_served_in_storm(void **state)
{
	static const int sigs[] = { SIGUSR1, 0 };
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	};
	struct io_uring ring;
	struct storm st = { .ring = &ring };
	struct loop *l;
	int ret;

	(void)state;
	ret = io_uring_queue_init_params(64, &ring, &p);
	if (ret == -EINVAL || ret == -ENOSYS) {
		skip();	/* this kernel has no DEFER_TASKRUN: nothing to starve */
		return;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(loop_create(&l, &ring), 0);
	loop_set_filter(l, storm_filter, &st);
	assert_int_equal(loop_signals(l, sigs, storm_signal, &st), 0);
	for (int i = 0; i < STORM_DEPTH; i++)
		storm_nop(&ring);

	ret = loop_run(l);
	/* a starved signal is still pending: take it, so a failed assert reports */
	{
		sigset_t set;
		struct timespec zero = { 0 };

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigtimedwait(&set, NULL, &zero);
	}
	if (ret)
		print_message("storm CQEs seen: %lu, signal %s\n", st.seen,
			      st.signo ? "served" : "starved");
	/* 99: STORM_MAX storm CQEs went by and the signal never came through */
	assert_int_equal(ret, 0);
	assert_int_equal(st.signo, SIGUSR1);
	assert_true(st.seen < STORM_MAX);

	loop_destroy(l);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_served_in_storm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
