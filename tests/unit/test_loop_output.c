// SPDX-License-Identifier: MIT
/*
 * The loop's output (loop_set_output) under a storm and at rest.  A storm
 * (a NOP that submits the next on each completion, so the CQ never runs
 * dry) printing a line per completion leaves in a few writes, not one per
 * pass: the writes are counted through a stdio stream of our own.  And
 * the loop never sleeps on unwritten output: a line printed in the last
 * pass before a wait is written before the timer that ends the wait fires.
 * Output queued elsewhere (loop_set_flush: a session's subscribers) leaves
 * on the same terms, with or without a stdout.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <liburing.h>

#include "loop.h"

#define STORM_UD	0x5757ULL	/* no LOOP_UD_TAG: the filter takes it */
#define STORM_LINES	2000

struct sink {
	struct io_uring	*ring;
	FILE		*out;
	unsigned long	writes, bytes;	/* what reached the stream's write */
	unsigned long	lines, printed;	/* fprintf'd */
	unsigned long	written_at_timer;
	struct loop_op	timer;
	bool		hooked;		/* lines go to the flush hook, not out */
	unsigned long	flushes, flushed;	/* hook calls, lines they took */
	unsigned long	flushed_at_timer;
	unsigned long	passes, passes_at_flush;
};

static void count_pass(struct loop *l, void *arg)
{
	(void)l;
	((struct sink *)arg)->passes++;
}

static void sink_flush(struct loop *l, void *arg)
{
	struct sink *k = arg;

	(void)l;
	k->flushes++;
	k->flushed = k->lines;
	k->passes_at_flush = k->passes;
}

static ssize_t sink_write(void *cookie, const char *buf, size_t size)
{
	struct sink *k = cookie;

	(void)buf;
	k->writes++;
	k->bytes += size;
	return size;
}

static void storm_nop(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	assert_non_null(sqe);
	io_uring_prep_nop(sqe);
	sqe->user_data = STORM_UD;
}

static bool storm_filter(struct loop *l, struct io_uring_cqe *cqe, void *arg)
{
	struct sink *k = arg;

	if (cqe->user_data != STORM_UD)
		return false;
	if (k->hooked) {
		k->lines++;
		loop_flush_due(l);
	} else {
		k->printed += fprintf(k->out, "event seq=%lu a line about as long as a record's\n",
				      ++k->lines);
	}
	if (k->lines == STORM_LINES)
		loop_stop(l, 0);
	else
		storm_nop(k->ring);	/* posted inline by the loop's next enter */
	return true;
}

/* One line, then nothing until the timer: the loop waits with the line written. */
static bool quiet_filter(struct loop *l, struct io_uring_cqe *cqe, void *arg)
{
	struct sink *k = arg;

	if (cqe->user_data != STORM_UD)
		return false;
	if (k->hooked)
		loop_flush_due(l);
	else
		fprintf(k->out, "the last line before a wait\n");
	k->lines++;
	return true;
}

static void on_timer(struct loop *l, struct loop_op *op, int res)
{
	struct sink *k = op->arg;

	(void)res;
	k->written_at_timer = k->bytes;
	k->flushed_at_timer = k->flushed;
	loop_stop(l, 0);
}

static int setup(struct io_uring *ring, struct sink *k)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	};
	cookie_io_functions_t io = { .write = sink_write };
	int ret = io_uring_queue_init_params(64, ring, &p);

	if (ret)
		return ret;
	memset(k, 0, sizeof(*k));
	k->ring = ring;
	k->out = fopencookie(k, "w", io);
	assert_non_null(k->out);
	assert_int_equal(setvbuf(k->out, NULL, _IOFBF, BUFSIZ), 0);
	return 0;
}

/* The ring, the sink and a loop on them; the case is skipped without DEFER_TASKRUN. */
static struct loop *start(struct io_uring *ring, struct sink *k)
{
	struct loop *l;
	int ret = setup(ring, k);

	if (ret == -EINVAL || ret == -ENOSYS)
		skip();
	assert_int_equal(ret, 0);
	assert_int_equal(loop_create(&l, ring), 0);
	return l;
}

static void test_storm_output_leaves_in_few_writes(void **state)
{
	struct io_uring ring;
	struct sink k;
	struct loop *l;

	(void)state;
	l = start(&ring, &k);
	loop_set_filter(l, storm_filter, &k);
	loop_set_output(l, k.out, NULL, NULL);
	storm_nop(&ring);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(k.lines, STORM_LINES);
	/* every line is out once the loop returns */
	assert_int_equal(k.bytes, k.printed);
	/*
	 * One write per pass would be STORM_LINES writes.  A full buffer
	 * takes about 80 lines, and a slow machine (valgrind) adds one write
	 * per millisecond of storm.
	 */
	print_message("%lu lines in %lu writes\n", k.lines, k.writes);
	assert_true(k.writes <= STORM_LINES / 4);
	fclose(k.out);
	loop_destroy(l);
	io_uring_queue_exit(&ring);
}

static void test_output_is_written_before_the_loop_waits(void **state)
{
	struct io_uring ring;
	struct sink k;
	struct loop *l;

	(void)state;
	l = start(&ring, &k);
	loop_set_filter(l, quiet_filter, &k);
	loop_set_output(l, k.out, NULL, NULL);
	assert_int_equal(loop_op_init(l, &k.timer, on_timer, &k), 0);
	assert_int_equal(loop_timer_in(l, &k.timer, 50 * 1000000ULL), 0);
	storm_nop(&ring);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(k.lines, 1);
	assert_int_equal(k.written_at_timer, strlen("the last line before a wait\n"));
	fclose(k.out);
	loop_destroy(l);
	io_uring_queue_exit(&ring);
}

/* A session with no stdout (bind): its subscribers' records, storm and rest alike. */
static void test_flush_hook_leaves_like_out_without_out(void **state)
{
	struct io_uring ring;
	struct sink k;
	struct loop *l;

	(void)state;
	l = start(&ring, &k);
	k.hooked = true;
	loop_set_filter(l, storm_filter, &k);
	loop_set_flush(l, sink_flush, &k);
	storm_nop(&ring);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(k.lines, STORM_LINES);
	print_message("%lu lines in %lu flushes\n", k.lines, k.flushes);
	/* the last line went out when the loop ended; not a flush per pass */
	assert_int_equal(k.flushed, STORM_LINES);
	assert_true(k.flushes >= 1 && k.flushes <= STORM_LINES / 4);

	/* at rest: one line, then a wait, which it does not sleep through */
	k.lines = k.flushes = k.flushed = 0;
	loop_destroy(l);
	assert_int_equal(loop_create(&l, &ring), 0);
	loop_set_filter(l, quiet_filter, &k);
	loop_set_flush(l, sink_flush, &k);
	loop_set_after(l, count_pass, &k);
	assert_int_equal(loop_op_init(l, &k.timer, on_timer, &k), 0);
	assert_int_equal(loop_timer_in(l, &k.timer, 50 * 1000000ULL), 0);
	storm_nop(&ring);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(k.flushed_at_timer, 1);
	/* written as soon as a look found nothing, not after a millisecond's spin */
	print_message("flushed after %lu passes\n", k.passes_at_flush);
	assert_true(k.passes_at_flush <= 2);
	/* nothing due, nothing flushed: the timer's pass and the end call no hook */
	assert_int_equal(k.flushes, 1);
	fclose(k.out);
	loop_destroy(l);
	io_uring_queue_exit(&ring);
}

/*
 * One clock read per pass: what a pass handles (its CQEs, the after hook)
 * is stamped with one time, read afresh in each pass; loop_real() is the
 * wall clock at that time.  Outside a pass the time is now.
 */
struct clk {
	struct io_uring	*ring;
	struct loop_op	timer;
	bool		seen;		/* this pass has stamped something */
	uint64_t	cur, first, at_timer;
	int		cqes, passes;
	bool		mismatch;
	int64_t		real_off_max;	/* |loop_real - real_ns| at most */
};

static bool clk_filter(struct loop *l, struct io_uring_cqe *cqe, void *arg)
{
	struct clk *c = arg;
	uint64_t now = loop_now(l), real = loop_real(l);
	int64_t off = (int64_t)(real - real_ns());

	if (cqe->user_data != STORM_UD)
		return false;
	/* the wall clock of the pass is one value too, however often asked */
	if ((c->seen && now != c->cur) || loop_real(l) != real)
		c->mismatch = true;
	c->seen = true;
	c->cur = now;
	if (!c->first)
		c->first = now;
	if (off < 0)
		off = -off;
	if (off > c->real_off_max)
		c->real_off_max = off;
	/* the first CQE brings two more, handled in one pass */
	if (c->cqes++ == 0) {
		storm_nop(c->ring);
		storm_nop(c->ring);
	}
	return true;
}

static void clk_after(struct loop *l, void *arg)
{
	struct clk *c = arg;

	if (c->seen && loop_now(l) != c->cur)
		c->mismatch = true;
	c->seen = false;
	c->passes++;
}

static void clk_timer(struct loop *l, struct loop_op *op, int res)
{
	struct clk *c = op->arg;

	(void)res;
	c->at_timer = loop_now(l);
	loop_stop(l, 0);
}

static void test_a_pass_reads_the_clock_once(void **state)
{
	struct io_uring ring;
	struct sink k;
	struct clk c = { .ring = &ring };
	struct loop *l;
	uint64_t a, b;

	(void)state;
	l = start(&ring, &k);
	/* outside a pass: now, each time */
	a = loop_now(l);
	usleep(2000);
	b = loop_now(l);
	assert_true(b - a >= 2000000);
	assert_true(loop_real(l) - real_ns() + 50000000 < 100000000);

	loop_set_filter(l, clk_filter, &c);
	loop_set_after(l, clk_after, &c);
	assert_int_equal(loop_op_init(l, &c.timer, clk_timer, &c), 0);
	assert_int_equal(loop_timer_in(l, &c.timer, 5 * 1000000ULL), 0);
	storm_nop(&ring);
	assert_int_equal(loop_run(l), 0);
	print_message("%d CQEs in %d passes; wall clock off by %lld ns at most\n", c.cqes,
		      c.passes, (long long)c.real_off_max);
	assert_int_equal(c.cqes, 3);
	assert_false(c.mismatch);
	/* the timer's pass read the clock again, 5 ms on */
	assert_true(c.at_timer - c.first >= 4 * 1000000ULL);
	assert_true(c.real_off_max < 50 * 1000000LL);
	fclose(k.out);
	loop_destroy(l);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm_output_leaves_in_few_writes),
		cmocka_unit_test(test_output_is_written_before_the_loop_waits),
		cmocka_unit_test(test_flush_hook_leaves_like_out_without_out),
		cmocka_unit_test(test_a_pass_reads_the_clock_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
