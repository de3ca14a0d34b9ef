// SPDX-License-Identifier: MIT
/* The reactor: io_uring ops with slot+generation user_data, signals, keys. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "clock.h"
#include "guard.h"
#include "loop.h"

#define SLOT_BITS	24
#define GEN_BITS	24
#define SLOT_MASK	((1U << SLOT_BITS) - 1)
#define GEN_MASK	((1U << GEN_BITS) - 1)
#define SLOT_IGNORE	0	/* user_data of cancel SQEs: their CQEs are dropped */

struct loop {
	struct io_uring		*ring;
	struct loop_op		**ops;		/* by slot; NULL = free */
	uint32_t		*gens;		/* next generation per slot */
	uint32_t		nr;
	uint32_t		*free;		/* stack of free slots */
	uint32_t		nr_free;
	loop_filter_fn		filter;
	void			*filter_arg;
	loop_hook_fn		after;
	void			*after_arg;
	FILE			*out;
	uint64_t		out_since;	/* a pass left output unwritten (mono ns) */
	bool			in_pass;	/* loop_run() is handling what an enter brought */
	uint64_t		now;		/* then: loop_now(), 0 until read */
	uint64_t		real_off;	/* CLOCK_REALTIME - CLOCK_MONOTONIC, mod 2^64 */
	uint64_t		real_at;	/* when it was read (mono ns); 0: never */
	loop_output_fn		output;
	void			*output_arg;
	loop_hook_fn		flush;		/* writes the command's other output */
	void			*flush_arg;
	bool			flush_due;	/* it has some (loop_flush_due) */
	unsigned int		overflow_seen;	/* cq.koverflow last reported */
	bool			stopped;
	int			status;

	int			sfd;
	struct loop_op		sig_op;
	loop_signal_fn		sig_fn;
	void			*sig_arg;

	struct loop_op		key_op;
	struct loop_op		key_timer;	/* in the background: are we back? */
	bool			keys_seen;	/* key mode has been on */
	unsigned int		key_errs;	/* failed polls in a row */
	loop_key_fn		key_fn;
	void			*key_arg;
};

/* ------------------------------------------------------------------ */
/* Ops                                                                 */
/* ------------------------------------------------------------------ */

static uint64_t op_ud(uint32_t slot, uint32_t gen)
{
	return (LOOP_UD_TAG << 48) | ((uint64_t)(gen & GEN_MASK) << SLOT_BITS) | slot;
}

struct io_uring_sqe *loop_sqe(struct loop *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(l->ring);

	if (!sqe) {
		io_uring_submit(l->ring);
		sqe = io_uring_get_sqe(l->ring);
	}
	return sqe;
}

static int grow(struct loop *l)
{
	uint32_t n = l->nr ? l->nr * 2 : 64;
	struct loop_op **ops;
	uint32_t *gens, *fr;

	if (n > SLOT_MASK)
		return -ENOSPC;
	ops = realloc(l->ops, n * sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	l->ops = ops;
	gens = realloc(l->gens, n * sizeof(*gens));
	if (!gens)
		return -ENOMEM;
	l->gens = gens;
	fr = realloc(l->free, n * sizeof(*fr));
	if (!fr)
		return -ENOMEM;
	l->free = fr;
	for (uint32_t i = n; i-- > l->nr;) {
		l->ops[i] = NULL;
		l->gens[i] = 1;
		if (i != SLOT_IGNORE)
			l->free[l->nr_free++] = i;
	}
	l->nr = n;
	return 0;
}

int loop_create(struct loop **out, struct io_uring *ring)
{
	struct loop *l = calloc(1, sizeof(*l));
	int ret;

	if (!l)
		return -ENOMEM;
	l->ring = ring;
	l->sfd = -1;
	ret = grow(l);
	if (ret) {
		loop_destroy(l);
		return ret;
	}
	*out = l;
	return 0;
}

void loop_destroy(struct loop *l)
{
	if (!l)
		return;
	if (l->key_op.slot)
		tty_restore();
	if (l->sfd >= 0)
		close(l->sfd);
	free(l->ops);
	free(l->gens);
	free(l->free);
	free(l);
}

void loop_set_filter(struct loop *l, loop_filter_fn fn, void *arg)
{
	l->filter = fn;
	l->filter_arg = arg;
}

void loop_set_after(struct loop *l, loop_hook_fn fn, void *arg)
{
	l->after = fn;
	l->after_arg = arg;
}

void loop_set_output(struct loop *l, FILE *out, loop_output_fn fn, void *arg)
{
	l->out = out;
	l->output = fn;
	l->output_arg = arg;
}

void loop_set_flush(struct loop *l, loop_hook_fn fn, void *arg)
{
	l->flush = fn;
	l->flush_arg = arg;
}

void loop_flush_due(struct loop *l)
{
	l->flush_due = l->flush;
}

int loop_op_init(struct loop *l, struct loop_op *op, loop_cb cb, void *arg)
{
	int ret;

	memset(op, 0, sizeof(*op));
	if (!l->nr_free && (ret = grow(l)))
		return ret;
	op->slot = l->free[--l->nr_free];
	op->cb = cb;
	op->arg = arg;
	l->ops[op->slot] = op;
	return 0;
}

void loop_cancel(struct loop *l, struct loop_op *op)
{
	struct io_uring_sqe *sqe;

	if (!op->slot || !op->pending)
		return;
	sqe = loop_sqe(l);
	if (sqe) {
		io_uring_prep_cancel64(sqe, op_ud(op->slot, op->gen), 0);
		sqe->user_data = op_ud(SLOT_IGNORE, 0);
	}
	op->pending = false;
	/* whatever the cancelled op still posts carries the old generation */
	l->gens[op->slot]++;
}

void loop_op_release(struct loop *l, struct loop_op *op)
{
	if (!op->slot)
		return;
	loop_cancel(l, op);
	l->gens[op->slot]++;
	l->ops[op->slot] = NULL;
	l->free[l->nr_free++] = op->slot;
	op->slot = 0;
}

/* A fresh SQE for op, stamped with a new generation. */
static struct io_uring_sqe *op_sqe(struct loop *l, struct loop_op *op)
{
	struct io_uring_sqe *sqe;

	if (!op->slot)
		return NULL;
	sqe = loop_sqe(l);
	if (!sqe)
		return NULL;
	op->gen = l->gens[op->slot]++ & GEN_MASK;
	op->pending = true;
	return sqe;
}

int loop_poll(struct loop *l, struct loop_op *op, int fd, unsigned int events)
{
	struct io_uring_sqe *sqe;

	if (op->pending)
		return 0;
	sqe = op_sqe(l, op);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, fd, events);
	sqe->user_data = op_ud(op->slot, op->gen);
	return 0;
}

int loop_accept(struct loop *l, struct loop_op *op, int fd)
{
	struct io_uring_sqe *sqe;

	if (op->pending)
		return 0;
	sqe = op_sqe(l, op);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_accept(sqe, fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	sqe->user_data = op_ud(op->slot, op->gen);
	return 0;
}

int loop_timer_at(struct loop *l, struct loop_op *op, uint64_t deadline)
{
	struct io_uring_sqe *sqe;

	if (op->pending) {
		if (op->deadline == deadline)
			return 0;
		loop_cancel(l, op);
	}
	sqe = op_sqe(l, op);
	if (!sqe)
		return -EBUSY;
	op->deadline = deadline;
	/* the kernel reads ts when the SQE is submitted: it lives in op */
	op->ts.tv_sec = deadline / 1000000000ULL;
	op->ts.tv_nsec = deadline % 1000000000ULL;
	io_uring_prep_timeout(sqe, &op->ts, 0, IORING_TIMEOUT_ABS);
	sqe->user_data = op_ud(op->slot, op->gen);
	return 0;
}

int loop_timer_in(struct loop *l, struct loop_op *op, uint64_t ns)
{
	return loop_timer_at(l, op, mono_ns() + ns);
}

/* ------------------------------------------------------------------ */
/* Signals and keys                                                    */
/* ------------------------------------------------------------------ */

static void keys_on(struct loop *l);

static void on_signal(struct loop *l, struct loop_op *op, int res)
{
	struct signalfd_siginfo si[8];
	ssize_t n;

	(void)op;
	if (res < 0)
		return;
	n = read(l->sfd, si, sizeof(si));
	for (ssize_t i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
		int sig = si[i].ssi_signo;

		if (sig == SIGTSTP) {
			/* leave the terminal as we found it while stopped */
			loop_cancel(l, &l->key_op);
			loop_cancel(l, &l->key_timer);
			tty_restore();
			kill(getpid(), SIGSTOP);
			sig = SIGCONT;
		}
		if (sig == SIGCONT) {
			/* back: keys again if in the foreground (fg), not in the background (bg) */
			keys_on(l);
		} else if (l->sig_fn) {
			l->sig_fn(l, sig, l->sig_arg);
		}
	}
	if (!l->stopped)
		loop_poll(l, &l->sig_op, l->sfd, POLLIN);
}

int loop_signals(struct loop *l, const int *sigs, loop_signal_fn fn, void *arg)
{
	sigset_t set;
	int ret;

	sigemptyset(&set);
	for (const int *s = sigs; *s; s++)
		sigaddset(&set, *s);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	l->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sfd < 0)
		return -errno;
	l->sig_fn = fn;
	l->sig_arg = arg;
	ret = loop_op_init(l, &l->sig_op, on_signal, NULL);
	if (!ret)
		ret = loop_poll(l, &l->sig_op, l->sfd, POLLIN);
	return ret;
}

/*
 * Key mode on, if the terminal is ours now.  A job sent to the background
 * (bg) and brought back (fg) gets no signal for it: once key mode has been
 * on, look again every second while in the background.
 */
static void keys_on(struct loop *l)
{
	int ret = 0;

	if (!l->key_op.slot || l->stopped)
		return;
	if (!tty_raw())
		ret = tty_raw_on();
	if (ret == -EPERM && l->keys_seen)
		loop_timer_in(l, &l->key_timer, 1000000000ULL);
	if (ret)
		return;
	l->keys_seen = true;
	l->key_errs = 0;
	loop_poll(l, &l->key_op, STDIN_FILENO, POLLIN);
}

static void on_key_timer(struct loop *l, struct loop_op *op, int res)
{
	(void)op;
	if (res == -ETIME)
		keys_on(l);
}

static void on_key(struct loop *l, struct loop_op *op, int res)
{
	char buf[64];
	ssize_t n;

	(void)op;
	/* sent to the background (bg): the keys are the shell's until fg */
	if (tcgetpgrp(STDIN_FILENO) != getpgrp()) {
		tty_restore();
		keys_on(l);
		return;
	}
	if (res < 0) {
		/*
		 * A poll on a terminal that was handed to the shell and back
		 * (Ctrl-Z, fg) can end in an error: poll again, unless it
		 * keeps failing.
		 */
		if (++l->key_errs < 3 && !l->stopped)
			loop_poll(l, &l->key_op, STDIN_FILENO, POLLIN);
		return;
	}
	l->key_errs = 0;
	/* readable: one read does not block (VMIN 1), and stdin stays blocking */
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			return;	/* the terminal went away: no more keys */
	} else if (l->key_fn) {
		l->key_fn(l, buf, n, l->key_arg);
	}
	if (!l->stopped)
		loop_poll(l, &l->key_op, STDIN_FILENO, POLLIN);
}

int loop_keys(struct loop *l, loop_key_fn fn, void *arg)
{
	int ret;

	if (!isatty(STDIN_FILENO))
		return 0;
	l->key_fn = fn;
	l->key_arg = arg;
	ret = loop_op_init(l, &l->key_op, on_key, NULL);
	if (!ret)
		ret = loop_op_init(l, &l->key_timer, on_key_timer, NULL);
	if (ret)
		return ret;
	/* started in the background: key mode waits for a SIGCONT in the foreground */
	ret = tty_raw_on();
	if (ret == -EPERM)
		return 0;
	if (ret)
		return ret;
	l->keys_seen = true;
	ret = loop_poll(l, &l->key_op, STDIN_FILENO, POLLIN);
	if (ret) {
		tty_restore();
		return ret;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

static void dispatch(struct loop *l, struct io_uring_cqe *cqe)
{
	uint64_t ud = cqe->user_data;
	uint32_t slot, gen;
	struct loop_op *op;

	if (l->filter && l->filter(l, cqe, l->filter_arg))
		return;
	if (UD_TAG(ud) != LOOP_UD_TAG)
		return;
	slot = ud & SLOT_MASK;
	gen = (ud >> SLOT_BITS) & GEN_MASK;
	if (slot == SLOT_IGNORE || slot >= l->nr)
		return;
	op = l->ops[slot];
	if (!op || !op->pending || op->gen != gen)
		return;	/* stale: cancelled, re-armed or released */
	op->pending = false;
	op->cb(l, op, cqe->res);
}

/*
 * With IORING_FEAT_NODROP a full CQ holds completions back, it does not
 * lose them; the kernel counts in cq.koverflow those it had to drop all
 * the same.  An event among them would be lost for good: say so.
 */
static void check_overflow(struct loop *l)
{
	unsigned int ov = __atomic_load_n(l->ring->cq.koverflow, __ATOMIC_RELAXED);

	if (ov == l->overflow_seen)
		return;
	fprintf(stderr, "Warning: the completion queue overflowed: the kernel dropped %u "
		"completions, and any event among them is lost\n", ov - l->overflow_seen);
	l->overflow_seen = ov;
}

/*
 * CQEs handled per pass.  Between passes the loop always enters the kernel
 * for events: with DEFER_TASKRUN the completions of signalfd, accept and
 * timers are task work that runs only in such an enter, so a source that
 * keeps the CQ from running dry (a simulator or a NIC flooding events)
 * must not keep the loop in user space.  One enter per batch, not per CQE.
 */
#define LOOP_BATCH	256
/* Output a busy loop (one that finds completions at every enter) holds at most this long */
#define LOOP_OUT_NS	1000000ULL

/* Output is waiting: in out, or for the flush hook. */
static bool out_pending(const struct loop *l)
{
	return l->flush_due || (l->out && __fpending(l->out));
}

/*
 * Write out what out holds, then what the flush hook has; fn hears of a
 * failed write to out, now or since the last flush.
 */
static void flush_out(struct loop *l)
{
	l->out_since = 0;
	if (l->flush_due) {
		l->flush_due = false;
		l->flush(l, l->flush_arg);
	}
	if (!l->out)
		return;
	errno = 0;
	if ((fflush(l->out) || ferror(l->out)) && l->output)
		l->output(l, errno ? errno : EIO, l->output_arg);
}

/*
 * Output that the passes since out_since left: written once it is
 * LOOP_OUT_NS old (or at once when a write has failed).  A loop that finds
 * no completion writes it before it waits (loop_run).
 */
static void out_due(struct loop *l)
{
	bool failed = l->out && ferror(l->out);
	uint64_t now;

	if (!out_pending(l)) {
		l->out_since = 0;
		if (failed)
			flush_out(l);
		return;
	}
	now = loop_now(l);
	if (!l->out_since)
		l->out_since = now;
	else if (now - l->out_since >= LOOP_OUT_NS || failed)
		flush_out(l);
}

/* Submit and reap without sleeping; the ring's -errno when it fails for good. */
static int enter(struct loop *l, bool wait)
{
	struct io_uring_cqe *cqe;
	int ret;

	if (wait)
		ret = io_uring_submit_and_wait_timeout(l->ring, &cqe, 1, NULL, NULL);
	else
		ret = io_uring_submit_and_get_events(l->ring);
	/* EBUSY: completions backed up past the CQ; draining it helps */
	if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -ETIME && ret != -EBUSY)
		return ret;
	return 0;
}

int loop_run(struct loop *l)
{
	struct io_uring_cqe *cqe;
	unsigned int n;
	int ret;

	while (!l->stopped) {
		/*
		 * Wait for a CQE only when there is none; otherwise enter all
		 * the same (submit and GETEVENTS, no wait), so the task work
		 * queued behind the CQEs we have runs and posts too.  Never
		 * sleep on unwritten output: with output waiting, look first,
		 * and write it only when the loop is about to wait, so that a
		 * storm's records leave in a few writes, not one per pass.
		 */
		if (io_uring_cq_ready(l->ring) || out_pending(l))
			ret = enter(l, false);
		else
			ret = enter(l, true);
		if (!ret && !io_uring_cq_ready(l->ring) && out_pending(l)) {
			flush_out(l);
			ret = enter(l, true);
		}
		if (ret)
			return ret;
		l->in_pass = true;
		l->now = 0;
		/*
		 * One CQE at a time, each marked seen at once: a backend that
		 * posts completions while we dispatch them sees the CQ room.
		 * At most LOOP_BATCH of them, then the kernel again.
		 */
		n = 0;
		while (!l->stopped && n < LOOP_BATCH && !io_uring_peek_cqe(l->ring, &cqe)) {
			dispatch(l, cqe);
			io_uring_cqe_seen(l->ring, cqe);
			n++;
		}
		if (l->after)
			l->after(l, l->after_arg);
		check_overflow(l);
		out_due(l);
		l->in_pass = false;
	}
	if (out_pending(l) || (l->out && ferror(l->out)))
		flush_out(l);
	/* hand queued SQEs (cancels) to the kernel before the ring goes */
	io_uring_submit(l->ring);
	return l->status;
}

uint64_t loop_now(struct loop *l)
{
	if (!l->in_pass)
		return mono_ns();
	if (!l->now)
		l->now = mono_ns();
	return l->now;
}

uint64_t loop_real(struct loop *l)
{
	uint64_t now, mono;

	if (!l->in_pass)
		return real_ns();
	now = loop_now(l);
	if (!l->real_at || now - l->real_at >= NSEC_PER_SEC) {
		/* both clocks now, not now against the pass's start */
		mono = mono_ns();
		l->real_off = real_ns() - mono;
		/* the pass's time, not mono: later in this pass, now - real_at stays >= 0 */
		l->real_at = now;
	}
	return now + l->real_off;
}

void loop_stop(struct loop *l, int status)
{
	/* the first reason wins, but an error found later still fails the run */
	if (!l->stopped || (!l->status && status)) {
		l->stopped = true;
		l->status = status;
	}
}

bool loop_stopped(const struct loop *l)
{
	return l->stopped;
}
