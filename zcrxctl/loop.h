/* SPDX-License-Identifier: MIT */
/*
 * A tiny reactor on an io_uring: one-shot POLL_ADD, ACCEPT and absolute
 * TIMEOUT ops, a signalfd, and stdin key presses on a terminal.  The process
 * waits only in io_uring_submit_and_wait_timeout(): an idle loop uses no CPU.
 *
 * Each CQE goes first to the filter (the session's zcrx_cqe_decode()), then
 * to the op encoded in its user_data.  An op's user_data carries a slot and
 * a generation, so the CQE of a cancelled or re-armed op is recognised as
 * stale and dropped, and an op can be freed as soon as it is released.
 */
#ifndef ZCRXCTL_LOOP_H
#define ZCRXCTL_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <liburing.h>

#include "clock.h"

/* Top 16 bits of the user_data zcrxctl itself uses ("lp" loop ops, "rc" receives). */
#define LOOP_UD_TAG	0x6c70ULL
#define RECV_UD_TAG	0x7263ULL
#define UD_TAG(ud)	((uint64_t)(ud) >> 48)
/* user_data of an SQE whose CQE nobody wants (slot 0) */
#define LOOP_UD_IGNORE	(LOOP_UD_TAG << 48)

/* Whether a user_data value is one zcrxctl uses for its own ops. */
static inline bool loop_ud_reserved(uint64_t ud)
{
	return UD_TAG(ud) == LOOP_UD_TAG || UD_TAG(ud) == RECV_UD_TAG;
}

struct loop;
struct loop_op;

/* res: poll mask, accepted fd, -ETIME for a timer that fired, or -errno. */
typedef void (*loop_cb)(struct loop *l, struct loop_op *op, int res);

struct loop_op {
	loop_cb			cb;
	void			*arg;
	uint32_t		slot;		/* 0: not registered */
	uint32_t		gen;		/* of the submission in flight */
	bool			pending;
	uint64_t		deadline;	/* timers: CLOCK_MONOTONIC ns */
	struct __kernel_timespec ts;
};

/* A CQE the filter takes returns true; the loop then leaves it alone. */
typedef bool (*loop_filter_fn)(struct loop *l, struct io_uring_cqe *cqe, void *arg);
typedef void (*loop_hook_fn)(struct loop *l, void *arg);
typedef void (*loop_signal_fn)(struct loop *l, int signo, void *arg);
typedef void (*loop_key_fn)(struct loop *l, const char *keys, int n, void *arg);

int loop_create(struct loop **out, struct io_uring *ring);
void loop_destroy(struct loop *l);

void loop_set_filter(struct loop *l, loop_filter_fn fn, void *arg);
/* Called after every batch of CQEs, before the loop waits again. */
void loop_set_after(struct loop *l, loop_hook_fn fn, void *arg);
/*
 * out (a command's stdout) is flushed before the loop waits, and within
 * about a millisecond while completions keep it from waiting; fn hears of
 * a failed flush (err = errno) so the command can say its output was lost.
 */
typedef void (*loop_output_fn)(struct loop *l, int err, void *arg);
void loop_set_output(struct loop *l, FILE *out, loop_output_fn fn, void *arg);
/*
 * Output the command queues elsewhere (a session's subscribers) leaves at
 * the same times as out: fn runs before the loop waits, and within about a
 * millisecond while completions keep it busy, once loop_flush_due() said
 * there is some.
 */
void loop_set_flush(struct loop *l, loop_hook_fn fn, void *arg);
void loop_flush_due(struct loop *l);

/* Register op (a slot for its user_data); release cancels what is in flight. */
int loop_op_init(struct loop *l, struct loop_op *op, loop_cb cb, void *arg);
void loop_op_release(struct loop *l, struct loop_op *op);

/* One-shot ops: a pending op is left as it is (poll, accept) or moved (timer). */
int loop_poll(struct loop *l, struct loop_op *op, int fd, unsigned int events);
int loop_accept(struct loop *l, struct loop_op *op, int fd);
int loop_timer_at(struct loop *l, struct loop_op *op, uint64_t deadline_ns);
int loop_timer_in(struct loop *l, struct loop_op *op, uint64_t ns);
void loop_cancel(struct loop *l, struct loop_op *op);

/* A free SQE, submitting what is queued when the ring is full; NULL on failure. */
struct io_uring_sqe *loop_sqe(struct loop *l);

/*
 * Block sigs (0-terminated) and deliver them through a signalfd polled in the
 * loop.  SIGTSTP and SIGCONT are handled here when a terminal is in key mode.
 */
int loop_signals(struct loop *l, const int *sigs, loop_signal_fn fn, void *arg);
/*
 * If stdin is a terminal we own (foreground), put it in non-canonical
 * no-echo mode and report key presses.  Restored by loop_destroy(), by
 * tty_restore(), at exit and on a fatal signal (guard.h).  Returns 1 when key mode is on, 0 when stdin is no
 * terminal, or -errno.
 */
int loop_keys(struct loop *l, loop_key_fn fn, void *arg);

/* Run until loop_stop(); returns the status given to it, or -errno of the ring. */
int loop_run(struct loop *l);
/*
 * CLOCK_MONOTONIC ns: in a pass (what one enter brought, handled), the
 * same for all of it, read once when first asked (what arrived together
 * is stamped together: an event storm pays one clock read per pass, not
 * one per record); outside one, now.
 */
uint64_t loop_now(struct loop *l);
/*
 * CLOCK_REALTIME ns for the same instant: loop_now() plus the two clocks'
 * distance, read again each second (the monotonic clock follows NTP's
 * slewing too; a step of the wall clock shows within that second).
 */
uint64_t loop_real(struct loop *l);
void loop_stop(struct loop *l, int status);
bool loop_stopped(const struct loop *l);

#endif
