// SPDX-License-Identifier: MIT
/*
 * Does this kernel's zcrx work, end to end, without a NIC?  A NODEV ifq
 * (Linux 7.1+) receives a known byte pattern over loopback TCP through the
 * real RECV_ZC, refill ring, FLUSH_RQ, copy events, ARM and shared stats
 * (7.2+), and every observation is checked against what the kernel's own
 * io_uring/zcrx.c promises.  Nothing here prints: each check gets a verdict
 * and a sentence.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "backend.h"
#include "internal.h"

#define ST_AREA		(256U << 10)	/* 64 buffers of 4 KiB */
#define ST_SMALL_AREA	(64U << 10)	/* 16 buffers: starved on purpose */
#define ST_RQ		64
#define ST_UD_RECV	0x73656c6674737401ULL	/* "selftst" 1 */
#define ST_WAIT_NS	(2000ULL * 1000000)	/* per step; real hardware needs ms */

_Static_assert(ZCRX_CHECK_COUNT <= ZCRX_CHECK_SLOTS, "struct zcrx_selftest has no room");

static const char *const check_names[ZCRX_CHECK_COUNT] = {
	[ZCRX_CHECK_REGISTER]	= "register",
	[ZCRX_CHECK_LAYOUT]	= "refill-layout",
	[ZCRX_CHECK_RECEIVE]	= "receive",
	[ZCRX_CHECK_COPY_EVENT]	= "copy-event",
	[ZCRX_CHECK_LATCH]	= "latch",
	[ZCRX_CHECK_ARM]	= "arm",
	[ZCRX_CHECK_ARM_UNFIRED] = "arm-unfired",
	[ZCRX_CHECK_STATS]	= "stats",
	[ZCRX_CHECK_STARVE]	= "starvation",
	[ZCRX_CHECK_RECOVER]	= "recovery",
};

const char *zcrx_check_name(enum zcrx_check_id id)
{
	return (unsigned int)id < ZCRX_CHECK_COUNT ? check_names[id] : NULL;
}

/* One NODEV ifq, one loopback TCP connection, and what came out of them. */
struct st {
	struct zcrx_selftest	*res;
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	int			tx, rx;		/* sender and receiver ends */
	uint64_t		sent, got;	/* stream positions */
	uint64_t		bad_at;		/* first byte off the pattern, +1 */
	uint32_t		data_cqes;
	uint32_t		events[ZCRX_EV_COUNT];
	uint64_t		event_ud;	/* of the last event CQE */
	int			event_res;
	bool			ended;		/* the receive ended (not stalled) */
	int			end_err;
	bool			stalled;
	uint32_t		stalls;
	uint32_t		held;		/* buffers kept, not returned */
	struct { uint64_t off; uint32_t len; } hold[64];
};

static __attribute__((format(printf, 4, 5)))
void verdict(struct st *t, enum zcrx_check_id id, enum zcrx_verdict v, const char *fmt, ...)
{
	struct zcrx_check *c = &t->res->check[id];
	va_list ap;

	c->verdict = v;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 9) * 13 + (i >> 17));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A connected loopback TCP pair: 0 or -errno. */
static int tcp_pair(int *tx, int *rx)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l, ret = 0, one = 1;

	*tx = *rx = -1;
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -errno;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		goto err;
	*tx = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (*tx < 0)
		goto err;
	if (connect(*tx, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS)
		goto err;
	*rx = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (*rx < 0)
		goto err;
	setsockopt(*tx, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	close(l);
	return 0;
err:
	ret = -errno;
	if (*tx >= 0)
		close(*tx);
	*tx = -1;
	close(l);
	return ret;
}

/*
 * Write the pattern up to stream position upto, as far as the socket takes
 * it, and at most window bytes ahead of what arrived (0: no limit).  Linux
 * 7.1 leaves a receive that runs dry in the middle of the socket's backlog
 * armed and silent, so the receive checks never let the area run dry.
 */
static int send_some(struct st *t, uint64_t upto, uint64_t window)
{
	uint8_t buf[16384];

	while (t->sent < upto) {
		size_t n = upto - t->sent < sizeof(buf) ? upto - t->sent : sizeof(buf);
		ssize_t w;

		if (window && t->sent + n > t->got + window)
			n = t->got + window > t->sent ? t->got + window - t->sent : 0;
		if (!n)
			return 0;

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(t->sent + i);
		w = send(t->tx, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN ? 0 : -errno;
		t->sent += w;
	}
	return 0;
}

static int post_recv(struct st *t)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(zcrx_ctx_ring(t->ctx));

	if (!sqe)
		return -EBUSY;
	return zcrx_prep_recv_zc(t->ifq, sqe, t->rx, 0, ST_UD_RECV);
}

static void on_data(struct st *t, const struct zcrx_cqe_info *info, bool keep)
{
	const uint8_t *p = info->addr;

	for (uint32_t i = 0; i < info->len && !t->bad_at; i++)
		if (p[i] != pattern(t->got + i))
			t->bad_at = t->got + i + 1;
	t->got += info->len;
	t->data_cqes++;
	if (keep && t->held < sizeof(t->hold) / sizeof(t->hold[0])) {
		t->hold[t->held].off = info->off;
		t->hold[t->held++].len = info->len;
		return;
	}
	zcrx_buf_return(t->ifq, info->off, info->len);
}

/*
 * Send up to stream position upto and take CQEs until everything sent has
 * arrived, the receive stalls or ends, or the step's time runs out.
 * keep: hold the buffers instead of returning them.  0 or -errno.
 */
static int pump(struct st *t, uint64_t upto, bool keep)
{
	struct io_uring *ring = zcrx_ctx_ring(t->ctx);
	struct __kernel_timespec ts = { .tv_nsec = 20 * 1000000 };
	uint64_t deadline = now_ns() + ST_WAIT_NS;
	struct io_uring_cqe *cqe;
	unsigned int head, n;
	int ret;

	while (now_ns() < deadline) {
		ret = send_some(t, upto, keep ? 0 : t->ifq->nr_bufs / 4 * t->ifq->rx_buf_len);
		if (ret)
			return ret;
		ret = io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
		if (ret < 0 && ret != -ETIME && ret != -EINTR)
			return ret;
		n = 0;
		io_uring_for_each_cqe(ring, head, cqe) {
			struct zcrx_cqe_info info;

			n++;
			switch (zcrx_cqe_decode(t->ifq, cqe, &info)) {
			case ZCRX_CQE_DATA:
				on_data(t, &info, keep);
				break;
			case ZCRX_CQE_EVENT:
				t->events[info.event]++;
				t->event_ud = cqe->user_data;
				t->event_res = cqe->res;
				break;
			case ZCRX_CQE_RECV_STALLED:
				/* a full CQ (-ENOSPC): already prepared again, nothing to wait for */
				if (info.err == -ENOSPC)
					break;
				t->stalled = true;
				t->stalls++;
				break;
			case ZCRX_CQE_RECV_END:
				t->ended = true;
				t->end_err = info.err;
				break;
			default:
				break;
			}
		}
		io_uring_cq_advance(ring, n);
		/* the commit also flushes, and posts a stalled receive again */
		if (!keep) {
			zcrx_buf_commit(t->ifq);
			t->stalled = false;
		}
		if (t->ended || t->stalled || (t->got >= upto && t->sent >= upto))
			return 0;
	}
	return -ETIMEDOUT;
}

static void setup_fail(struct st *t, int err, const char *what, enum zcrx_check_id upto)
{
	for (int id = ZCRX_CHECK_REGISTER; id <= (int)upto; id++)
		if (t->res->check[id].verdict == ZCRX_VERDICT_NOT_RUN)
			verdict(t, id, ZCRX_VERDICT_FAIL, "%s (%s)", what, strerrorname_np(-err));
}

/* Open the NODEV ifq and its connection: 0, or a verdict already given. */
static int open_nodev(struct st *t, uint64_t area, bool events, struct zcrx_diag *d)
{
	struct zcrx_ifq_opts o = {
		.nodev		= true,
		.area_size	= area,
		.rq_entries	= ST_RQ,
		.events		= events ? ZCRX_EV_MASK(ZCRX_EV_COPY) : 0,
		.stats		= events,
	};
	int ret;

	ret = zcrx_ifq_open(t->ctx, &o, &t->ifq, d);
	if (ret)
		return ret;
	ret = tcp_pair(&t->tx, &t->rx);
	if (!ret)
		ret = post_recv(t);
	return ret;
}

static void close_nodev(struct st *t)
{
	if (t->tx >= 0)
		close(t->tx);
	if (t->rx >= 0)
		close(t->rx);
	t->tx = t->rx = -1;
	if (t->ifq)
		zcrx_ifq_close(t->ifq);
	t->ifq = NULL;
}

static void check_layout(struct st *t)
{
	const struct zcrx_ifq *q = t->ifq;
	const struct zcrx_caps *c = zcrx_ctx_caps(t->ctx);
	uintptr_t base = (uintptr_t)q->region;
	uint32_t head = (uintptr_t)q->rq_head - base, tail = (uintptr_t)q->rq_tail - base;
	uint32_t rqes = (uintptr_t)q->rqes - base;
	uint32_t hdr = c->rq_hdr_size ? c->rq_hdr_size : 0;

	/* setup_rings() already refused offsets outside the region */
	if (head == tail || head + 4 > rqes || tail + 4 > rqes || (hdr && rqes < hdr))
		verdict(t, ZCRX_CHECK_LAYOUT, ZCRX_VERDICT_FAIL,
			"head %u, tail %u and rqes %u overlap or sit inside the %u-byte header"
			" the query announced", head, tail, rqes, hdr);
	else
		verdict(t, ZCRX_CHECK_LAYOUT, ZCRX_VERDICT_PASS,
			"head %u, tail %u, rqes %u, %u entries (%s); query rq_hdr_size %u",
			head, tail, rqes, q->rq_entries,
			tail - head >= 64 ? "head and tail on separate cache lines, as 7.3"
			: "head and tail share a cache line, as 7.2", hdr);
}

/* register, layout, receive, copy-event, latch, arm, arm-unfired, stats */
static void run_main(struct st *t, bool events)
{
	struct zcrx_diag d;
	struct zcrx_stats_snap snap;
	uint64_t first, total;
	int ret;

	ret = open_nodev(t, ST_AREA, events, &d);
	if (ret) {
		if (t->ifq)
			setup_fail(t, ret, "setting up a loopback TCP receive", ZCRX_CHECK_STATS);
		else
			setup_fail(t, ret, d.msg[0] ? d.msg : "registering a NODEV ifq",
				   ZCRX_CHECK_STATS);
		return;
	}
	verdict(t, ZCRX_CHECK_REGISTER, ZCRX_VERDICT_PASS,
		"zcrx_id %u, %u refill entries, %u buffers of %u bytes%s", t->ifq->zcrx_id,
		t->ifq->rq_entries, t->ifq->nr_bufs, t->ifq->rx_buf_len,
		events ? ", copy event and stats" : "");
	check_layout(t);

	/* 4x the area: buffers must come back through FLUSH_RQ to get it all */
	first = 4 * ST_AREA + 1000;
	ret = pump(t, first, false);
	if (ret || t->bad_at || t->got != first || t->ended)
		verdict(t, ZCRX_CHECK_RECEIVE, ZCRX_VERDICT_FAIL,
			"sent %llu bytes, %llu arrived in %u CQEs (%u stalls for buffers)%s%s%s",
			(unsigned long long)t->sent, (unsigned long long)t->got, t->data_cqes,
			t->stalls, ret ? ", then nothing for 2 s" : "",
			t->bad_at ? ", with a byte off the pattern" : "",
			t->ended ? ", and the receive ended" : "");
	else
		verdict(t, ZCRX_CHECK_RECEIVE, ZCRX_VERDICT_PASS,
			"%llu bytes (4 areas' worth) arrived intact in %u CQEs, buffers reused"
			" through FLUSH_RQ", (unsigned long long)t->got, t->data_cqes);
	if (!events)
		return;

	if (t->events[ZCRX_EV_COPY] != 1 || t->event_ud != t->ifq->event_ud ||
	    t->event_res != ZCRX_EV_COPY)
		verdict(t, ZCRX_CHECK_COPY_EVENT, ZCRX_VERDICT_FAIL,
			"%u copy event CQEs (1 expected), last user_data 0x%llx res %d (0x%llx and"
			" %d expected)", t->events[ZCRX_EV_COPY],
			(unsigned long long)t->event_ud, t->event_res,
			(unsigned long long)t->ifq->event_ud, ZCRX_EV_COPY);
	else
		verdict(t, ZCRX_CHECK_COPY_EVENT, ZCRX_VERDICT_PASS,
			"one CQE: user_data 0x%llx, res %d (copy)",
			(unsigned long long)t->event_ud, t->event_res);

	/* latched: more copied data, no second event */
	total = first + 64 * 1024;
	ret = pump(t, total, false);
	if (ret || t->events[ZCRX_EV_COPY] != 1)
		verdict(t, ZCRX_CHECK_LATCH, ZCRX_VERDICT_FAIL,
			"%s; %u copy events after %llu more bytes (1 expected: latched)",
			ret ? "the data did not arrive" : "the data arrived",
			t->events[ZCRX_EV_COPY], (unsigned long long)(total - first));
	else
		verdict(t, ZCRX_CHECK_LATCH, ZCRX_VERDICT_PASS,
			"%llu more bytes copied, no second event until re-armed",
			(unsigned long long)(total - first));

	ret = zcrx_event_arm(t->ifq, ZCRX_EV_COPY);
	if (!ret) {
		ret = pump(t, total + 4096, false);
		if (!ret && t->events[ZCRX_EV_COPY] != 2)
			ret = -ENOMSG;
	}
	if (ret)
		verdict(t, ZCRX_CHECK_ARM, ZCRX_VERDICT_FAIL, "ARM_EVENT copy, then 4096 bytes: %s"
			" (%u copy events, 2 expected)", strerrorname_np(-ret),
			t->events[ZCRX_EV_COPY]);
	else
		verdict(t, ZCRX_CHECK_ARM, ZCRX_VERDICT_PASS,
			"ARM_EVENT copy answered 0 and the next 4096 bytes fired it again");
	total += 4096;

	/* the ifq enables copy only: arm what never fired through the raw ctrl */
	{
		struct zcrx_ctrl ctrl = { .zcrx_id = t->ifq->zcrx_id, .op = ZCRX_CTRL_ARM_EVENT };
		int r1, r2;

		ctrl.zc_arm_event.event_type = ZCRX_EV_ALLOC_FAIL;
		r1 = zcrx_ctrl_raw(t->ctx, &ctrl);
		r2 = zcrx_event_arm(t->ifq, ZCRX_EV_COPY);	/* fired, so latched ... */
		if (!r2)
			r2 = zcrx_event_arm(t->ifq, ZCRX_EV_COPY);	/* ... and now armed */
		if (r1 != -EINVAL || r2 != -EINVAL)
			verdict(t, ZCRX_CHECK_ARM_UNFIRED, ZCRX_VERDICT_FAIL,
				"ARM of alloc-fail (never fired) got %s, ARM of copy while armed"
				" got %s (EINVAL expected for both)",
				r1 ? strerrorname_np(-r1) : "0", r2 ? strerrorname_np(-r2) : "0");
		else
			verdict(t, ZCRX_CHECK_ARM_UNFIRED, ZCRX_VERDICT_PASS,
				"EINVAL for alloc-fail (never fired) and for copy while armed");
	}

	zcrx_stats_read(t->ifq, &snap);
	total = t->got;
	if (snap.copy_bytes != total || !snap.copy_count || snap.copy_count > t->data_cqes)
		verdict(t, ZCRX_CHECK_STATS, ZCRX_VERDICT_FAIL,
			"copy-bytes %llu, copy-count %llu after %llu bytes in %u CQEs (copy-bytes"
			" must equal the bytes received, 0 < copy-count <= CQEs)",
			(unsigned long long)snap.copy_bytes, (unsigned long long)snap.copy_count,
			(unsigned long long)total, t->data_cqes);
	else
		verdict(t, ZCRX_CHECK_STATS, ZCRX_VERDICT_PASS,
			"copy-bytes %llu = bytes received; copy-count %llu fragments for %u CQEs",
			(unsigned long long)snap.copy_bytes, (unsigned long long)snap.copy_count,
			t->data_cqes);
}

/* starvation, recovery: a 16-buffer area, nothing returned, then everything */
static void run_starve(struct st *t)
{
	struct zcrx_diag d;
	uint64_t want = 2 * ST_SMALL_AREA;
	uint32_t bufs, head0;
	int ret, moved;

	memset(&t->sent, 0, sizeof(*t) - offsetof(struct st, sent));
	ret = open_nodev(t, ST_SMALL_AREA, false, &d);
	if (ret) {
		setup_fail(t, ret, t->ifq ? "setting up a loopback TCP receive"
			   : "registering a NODEV ifq", ZCRX_CHECK_RECOVER);
		return;
	}
	bufs = t->ifq->nr_bufs;
	ret = pump(t, want, true);
	if (!t->stalled || t->got > ST_SMALL_AREA || t->bad_at)
		verdict(t, ZCRX_CHECK_STARVE, ZCRX_VERDICT_FAIL,
			"holding all %u buffers, %llu of %llu bytes arrived and the receive %s"
			" (it should end with -ENOMEM once the area is empty)", bufs,
			(unsigned long long)t->got, (unsigned long long)want,
			t->ended ? "ended" : ret ? "went silent" : "kept going");
	else
		verdict(t, ZCRX_CHECK_STARVE, ZCRX_VERDICT_PASS,
			"holding all %u buffers, the receive ended with ENOMEM after %llu bytes",
			bufs, (unsigned long long)t->got);
	if (!t->stalled) {
		verdict(t, ZCRX_CHECK_RECOVER, ZCRX_VERDICT_FAIL, "no starvation to recover from");
		return;
	}

	for (uint32_t i = 0; i < t->held; i++)
		zcrx_buf_return(t->ifq, t->hold[i].off, t->hold[i].len);
	head0 = __atomic_load_n(t->ifq->rq_head, __ATOMIC_ACQUIRE);
	moved = zcrx_rq_flush(t->ifq);
	t->stalled = false;
	if (moved < 0 || (uint32_t)moved != t->held) {
		verdict(t, ZCRX_CHECK_RECOVER, ZCRX_VERDICT_FAIL,
			"FLUSH_RQ after returning %u buffers %s (refill head %u -> %u)", t->held,
			moved < 0 ? strerrorname_np(-moved) : "did not take them all", head0,
			__atomic_load_n(t->ifq->rq_head, __ATOMIC_ACQUIRE));
		return;
	}
	t->held = 0;
	ret = pump(t, want, false);
	if (ret || t->got != want || t->bad_at || t->ended)
		verdict(t, ZCRX_CHECK_RECOVER, ZCRX_VERDICT_FAIL,
			"after FLUSH_RQ and a new receive, %llu of %llu bytes arrived%s%s",
			(unsigned long long)t->got, (unsigned long long)want,
			t->bad_at ? ", with a byte off the pattern" : "",
			t->stalled ? ", and it starved again" : "");
	else
		verdict(t, ZCRX_CHECK_RECOVER, ZCRX_VERDICT_PASS,
			"FLUSH_RQ took the %d returned entries; the receive, posted again, got the"
			" other %llu bytes intact", moved, (unsigned long long)(want - ST_SMALL_AREA));
}

/* Mark what this kernel cannot run, naming the kernel that brings it. */
static bool gate(struct st *t, const struct zcrx_caps *c, bool *events)
{
	const char *why = NULL;

	if (c->zcrx_reg_err != -EFAULT && c->zcrx_reg_err != -EPERM)
		why = "no io_uring zcrx here (Linux 6.15+ with CONFIG_IO_URING_ZCRX)";
	else if (!(c->register_flags & ZCRX_REG_NODEV))
		why = "no NIC-less zcrx (ZCRX_REG_NODEV): Linux 7.1 brings it";
	else if (c->zcrx_reg_err == -EPERM)
		why = "registering an ifq needs CAP_NET_ADMIN: run as root";
	if (why) {
		for (int id = 0; id < ZCRX_CHECK_COUNT; id++)
			verdict(t, id, ZCRX_VERDICT_MISSING, "%s", why);
		return false;
	}
	*events = (c->event_types & ZCRX_EV_MASK(ZCRX_EV_COPY)) && c->stats;
	if (!*events)
		for (int id = ZCRX_CHECK_COPY_EVENT; id <= ZCRX_CHECK_STATS; id++)
			verdict(t, id, ZCRX_VERDICT_MISSING, "no zcrx copy event or shared stats"
				" (%s): Linux 7.2 brings them", c->gen == ZCRX_GEN_NONE ?
				"no ZCRX_FEATURE_EVENT" : "the May 2026 generation");
	return true;
}

/* Why no ring could be had, when it is this machine's doing and not a fault. */
/* the errnos of a ring the kernel or this process cannot give: not a misbehaviour */
static bool ring_missing(int err)
{
	return err == -EPERM || err == -EACCES || err == -ENOSYS || err == -EINVAL ||
	       err == -ENOMEM;
}

int zcrx_selftest(struct zcrx_selftest *res)
{
	struct zcrx_ctx_opts co = { 0 };
	struct st t = { .res = res, .tx = -1, .rx = -1 };
	bool events = false;
	uint64_t start = now_ns();
	int ret;

	memset(res, 0, sizeof(*res));
	for (int id = 0; id < ZCRX_CHECK_COUNT; id++)
		res->check[id].name = check_names[id];
	ret = zcrx_ctx_create(&t.ctx, &co);
	if (ret) {
		char why[256];

		zcrx_diagnose(ZCRX_OP_RING, ret, NULL, 0, NULL, why, sizeof(why));
		for (int id = 0; id < ZCRX_CHECK_COUNT; id++)
			verdict(&t, id, ring_missing(ret) ? ZCRX_VERDICT_MISSING : ZCRX_VERDICT_FAIL,
				"%s", why);
		goto out;
	}
	res->caps = *zcrx_ctx_caps(t.ctx);
	if (gate(&t, &res->caps, &events)) {
		run_main(&t, events);
		close_nodev(&t);
		/* the starved ifq gets a ring of its own: the first one's ifq stays until close */
		zcrx_ctx_destroy(t.ctx);
		t.ctx = NULL;
		ret = zcrx_ctx_create(&t.ctx, &co);
		if (ret)
			setup_fail(&t, ret, "setting up a second io_uring", ZCRX_CHECK_RECOVER);
		else
			run_starve(&t);
		close_nodev(&t);
	}
	zcrx_ctx_destroy(t.ctx);
out:
	res->elapsed_ns = now_ns() - start;
	for (int id = 0; id < ZCRX_CHECK_COUNT; id++) {
		switch (res->check[id].verdict) {
		case ZCRX_VERDICT_PASS:
			res->passed++;
			break;
		case ZCRX_VERDICT_FAIL:
		case ZCRX_VERDICT_NOT_RUN:
			res->failed++;
			break;
		case ZCRX_VERDICT_MISSING:
			res->missing++;
			break;
		}
	}
	return 0;
}
