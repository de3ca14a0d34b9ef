// SPDX-License-Identifier: MIT
/*
 * libzcrx on a real kernel without a NIC: NODEV ifqs (Linux 7.1+) fed by
 * loopback TCP.  Each case guards one defect first seen on real 7.2: the
 * refill ring that was never flushed, receives lost to starvation, CQE_MIXED
 * rings, events credited to the wrong ifq, and copy stats.  A case about
 * what this kernel lacks (all but the refusals on this project's 6.18
 * machines) is not run; the VM tier of `make check` runs them on Debian's
 * 6.19-7.3 kernels.  7.3 adds areas to a live ifq (ZCRX_CTRL_ADD_AREA).
 */
#include <stdio.h>
#include <time.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "flow.h"

#define AREA		(64U << 10)	/* 16 buffers */
#define UD_RECV		0x1000

struct rx {
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	int			tx, rx;
	uint64_t		sent, got;
	uint64_t		window;		/* sent - got at most, when not 0 */
	bool			bad;
	uint32_t		data, events, stalled, ended, not_ours;
	uint32_t		overflowed;	/* RECV_STALLED with -ENOSPC */
	struct zcrx_consumer	*cons;
	uint32_t		held;
	uint64_t		hold_off[64];
	uint32_t		hold_len[64];
};

static struct zcrx_caps caps;

static uint8_t pat(uint64_t i)
{
	return (uint8_t)(i * 31 + (i >> 12));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* What this kernel must have for a case to apply: main() runs only those. */
static bool has_nodev(void)
{
	return caps.register_flags & ZCRX_REG_NODEV;
}

static bool no_nodev(void)
{
	return !has_nodev();
}

static bool has_copy_events(void)
{
	return has_nodev() && (caps.event_types & ZCRX_EV_MASK(ZCRX_EV_COPY)) && caps.stats;
}

/* 7.1 leaves a NODEV receive that ran dry mid-backlog armed and silent; 7.2
 * ends it with -ENOMEM (see test_starved_receive_is_posted_again_after_returns) */
static bool has_starved_enomem(void)
{
	return has_nodev() && (caps.features & ZCRX_FEATURE_EVENT);
}

static bool has_rx_page_size(void)
{
	return has_nodev() && (caps.features & ZCRX_FEATURE_RX_PAGE_SIZE);
}

/* What this machine must allow for a case that applies. */
static void need_nodev(void)
{
	if (caps.cap_net_admin <= 0)
		skip_because("registering an ifq needs CAP_NET_ADMIN");
}

static void need_copy_events(void)
{
	need_nodev();
}

/* sq_entries 0: the default ring; otherwise a CQ of 4 x sq_entries */
static void rx_open_sq(struct rx *r, uint32_t events, uint64_t area, uint32_t sq_entries)
{
	struct zcrx_ifq_opts o = { .nodev = true, .area_size = area, .rq_entries = 64,
				   .events = events, .stats = events != 0 };
	struct zcrx_ctx_opts co = { .sq_entries = sq_entries };
	struct zcrx_diag d;
	int ret, l;

	memset(r, 0, sizeof(*r));
	assert_int_equal(zcrx_ctx_create(&r->ctx, sq_entries ? &co : NULL), 0);
	ret = zcrx_ifq_open(r->ctx, &o, &r->ifq, &d);
	if (ret)
		fail_msg("NODEV ifq_open: %s: %s", strerrorname_np(-ret), d.msg);
	tcp_pair(&l, &r->tx, &r->rx);
	close(l);
}

static void rx_open(struct rx *r, uint32_t events, uint64_t area)
{
	rx_open_sq(r, events, area, 0);
}

static void rx_close(struct rx *r)
{
	zcrx_consumer_destroy(r->cons);
	close(r->tx);
	close(r->rx);
	zcrx_ctx_destroy(r->ctx);
}

static void post(struct rx *r, struct zcrx_ifq *ifq, uint64_t ud)
{
	assert_int_equal(zcrx_prep_recv_zc(ifq, io_uring_get_sqe(zcrx_ctx_ring(r->ctx)), r->rx,
					   0, ud), 0);
}

static void send_upto(struct rx *r, uint64_t upto)
{
	uint8_t buf[8192];

	while (r->sent < upto) {
		size_t n = upto - r->sent < sizeof(buf) ? upto - r->sent : sizeof(buf);
		ssize_t w;

		if (r->window && r->sent - r->got + n > r->window)
			n = r->got + r->window > r->sent ? r->got + r->window - r->sent : 0;
		if (!n)
			break;

		for (size_t i = 0; i < n; i++)
			buf[i] = pat(r->sent + i);
		w = send(r->tx, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w <= 0)
			break;
		r->sent += w;
	}
}

/*
 * Send up to upto and take CQEs for ifq until all of it arrived, the receive
 * stalled (keep) or ended, or two seconds passed.  keep: hold buffers;
 * otherwise the consumer returns them.
 */
static void pump(struct rx *r, struct zcrx_ifq *ifq, uint64_t upto, bool keep)
{
	struct io_uring *ring = zcrx_ctx_ring(r->ctx);
	struct __kernel_timespec ts = { .tv_nsec = 20000000 };
	uint64_t end = now_ns() + 2000000000ULL;
	struct io_uring_cqe *cqe;
	unsigned int head, n;

	while (now_ns() < end && !(r->got >= upto && r->sent >= upto) && !r->ended) {
		send_upto(r, upto);
		io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
		n = 0;
		io_uring_for_each_cqe(ring, head, cqe) {
			struct zcrx_cqe_info info;
			int kind = zcrx_cqe_decode(ifq, cqe, &info);

			n++;
			if (kind == ZCRX_CQE_DATA) {
				const uint8_t *p = info.addr;

				for (uint32_t i = 0; i < info.len; i++)
					r->bad |= p[i] != pat(r->got + i);
				r->got += info.len;
				r->data++;
				if (keep) {
					assert_true(r->held < 64);
					r->hold_off[r->held] = info.off;
					r->hold_len[r->held++] = info.len;
				} else if (r->cons) {
					assert_int_equal(zcrx_consumer_take(r->cons, &info, 0), 0);
				} else {
					assert_int_equal(zcrx_buf_return(ifq, info.off, info.len), 0);
				}
			} else if (kind == ZCRX_CQE_EVENT) {
				r->events++;
			} else if (kind == ZCRX_CQE_RECV_STALLED && info.err == -ENOSPC) {
				r->overflowed++;
			} else if (kind == ZCRX_CQE_RECV_STALLED) {
				r->stalled++;
			} else if (kind == ZCRX_CQE_RECV_END) {
				r->ended++;
			} else if (kind == ZCRX_CQE_NOT_OURS) {
				r->not_ours++;
			}
		}
		io_uring_cq_advance(ring, n);
		if (keep && r->stalled)
			return;
		if (r->cons)
			zcrx_consumer_run(r->cons, 0, NULL);
		else if (!keep)
			zcrx_buf_commit(ifq);
	}
}

/* A NODEV ifq takes no device: naming one is refused before any syscall. */
static void test_nodev_with_a_device_is_refused(void **state)
{
	struct zcrx_ifq_opts o = { .nodev = true, .ifname = "lo" };
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	struct zcrx_diag d;

	(void)state;
	if (zcrx_ctx_create(&ctx, NULL))
		skip_because("no DEFER_TASKRUN|CQE32 io_uring here");
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EINVAL);
	assert_int_equal(d.stage, ZCRX_STAGE_ARGS);
	assert_non_null(strstr(d.msg, "no device or queue"));
	zcrx_ctx_destroy(ctx);
}

/* Before 7.1 the refusal names the kernel that brings NODEV. */
static void test_nodev_refused_before_7_1_naming_it(void **state)
{
	struct zcrx_ifq_opts o = { .nodev = true };
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	struct zcrx_diag d;

	(void)state;
	if (zcrx_ctx_create(&ctx, NULL))
		skip_because("no DEFER_TASKRUN|CQE32 io_uring here");
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_CAPS);
	assert_non_null(strstr(d.msg, "Linux 7.1"));
	zcrx_ctx_destroy(ctx);
}

/*
 * Four areas' worth through a 16-buffer area, each buffer given back with
 * zcrx_buf_return() and zcrx_buf_commit() as README's example does: only
 * FLUSH_RQ makes them reusable, so without the flush that commit issues the
 * receive starves after one area.  Sent a quarter area ahead at most, so the
 * area never runs dry (see below).
 */
static void test_returned_buffers_come_back_through_flush_rq(void **state)
{
	struct zcrx_ifq_info info;
	struct rx r;

	(void)state;
	need_nodev();
	rx_open(&r, 0, AREA);
	zcrx_ifq_info(r.ifq, &info);
	assert_true(info.nodev);
	assert_int_equal(info.nr_bufs, AREA / 4096);
	post(&r, r.ifq, UD_RECV);
	r.window = AREA / 4;
	pump(&r, r.ifq, 4 * AREA, false);
	assert_false(r.bad);
	assert_int_equal(r.ended, 0);
	if (r.got != 4 * AREA) {
		int inq = -1;

		ioctl(r.rx, SIOCINQ, &inq);
		fail_msg("%llu of %u bytes arrived in %u CQEs; %u stalls; %u SQEs waiting;"
			 " refill fill %u; %d bytes wait in the socket", (unsigned long long)r.got,
			 4 * AREA, r.data, r.stalled, io_uring_sq_ready(zcrx_ctx_ring(r.ctx)),
			 zcrx_rq_fill(r.ifq), inq);
	}
	assert_int_equal(zcrx_recv_stalls(r.ifq), 0);
	rx_close(&r);
}

/*
 * A starved receive ends -ENOMEM; nothing is lost; it goes again once buffers
 * are back.  Linux 7.1 instead leaves a receive that runs dry in the middle
 * of the socket's backlog armed and silent (no -ENOMEM, and no wake-up for
 * the bytes already queued: 70 KB were seen waiting); 7.2 requeues it and
 * ends it with -ENOMEM (io_zcrx_tcp_recvmsg's stopped_early).
 */
static void test_starved_receive_is_posted_again_after_returns(void **state)
{
	struct io_uring *ring;
	struct rx r;
	int moved;

	(void)state;
	need_nodev();
	rx_open(&r, 0, AREA);
	ring = zcrx_ctx_ring(r.ctx);
	post(&r, r.ifq, UD_RECV);
	pump(&r, r.ifq, 2 * AREA, true);
	assert_int_equal(r.stalled, 1);
	assert_int_equal(zcrx_recv_stalls(r.ifq), 1);
	assert_int_equal(r.got, AREA);
	/* nothing returned: a flush brings nothing back, so nothing is posted */
	assert_int_equal(zcrx_rq_flush(r.ifq), 0);
	assert_int_equal(io_uring_sq_ready(ring), 0);

	for (uint32_t i = 0; i < r.held; i++)
		assert_int_equal(zcrx_buf_return(r.ifq, r.hold_off[i], r.hold_len[i]), 0);
	moved = zcrx_rq_flush(r.ifq);
	assert_int_equal(moved, (int)r.held);
	assert_int_equal(io_uring_sq_ready(ring), 1);	/* the receive, prepared again */

	r.held = 0;
	r.stalled = 0;
	assert_int_equal(zcrx_consumer_create(r.ifq, &(struct zcrx_consumer_params){ 0 }, &r.cons),
			 0);
	pump(&r, r.ifq, 2 * AREA, false);
	assert_int_equal(r.got, 2 * AREA);
	assert_false(r.bad);
	rx_close(&r);
}

/*
 * A full CQ stops the receive: io_zcrx_queue_cqe() finds no slot, the
 * fragment stays in the socket and the multishot receive ends -ENOSPC with
 * flags 0 (liburing issue #1515).  The library reports it as RECV_STALLED
 * with -ENOSPC, counts it and prepares the receive again: once the caller has
 * drained, every byte arrives, in order.  An 8-entry CQ (2 SQ entries) and a
 * backlog of at least 16 pages queued before the receive first runs: its
 * first issue alone has more fragments than the CQ has slots.
 */
static void test_full_cq_ends_receive_enospc_and_it_goes_on(void **state)
{
	struct zcrx_consumer_params now = { .mode = ZCRX_CONSUME_NOW };
	const uint64_t total = 512U << 10, backlog = 16 * 4096;
	uint64_t backlog_sent;
	struct rx r;

	(void)state;
	need_nodev();
	rx_open_sq(&r, 0, 1U << 20, 2);
	assert_int_equal(zcrx_ctx_ring(r.ctx)->cq.ring_entries, 8);
	assert_int_equal(zcrx_consumer_create(r.ifq, &now, &r.cons), 0);
	send_upto(&r, total);
	if (r.sent < backlog)
		fail_msg("only %llu bytes could be queued before the receive: %llu needed to"
			 " overflow an 8-entry CQ", (unsigned long long)r.sent,
			 (unsigned long long)backlog);
	backlog_sent = r.sent;
	post(&r, r.ifq, UD_RECV);
	for (uint64_t end = now_ns() + tmo(2000) * 1000000ULL;
	     r.got < total && !r.ended && now_ns() < end;)
		pump(&r, r.ifq, total, false);
	if (r.got != total || r.ended || !r.overflowed)
		fail_msg("%llu of %llu bytes arrived; %u overflows (%llu counted), %u stalls, %u"
			 " ends", (unsigned long long)r.got, (unsigned long long)total,
			 r.overflowed, (unsigned long long)zcrx_recv_overflows(r.ifq), r.stalled,
			 r.ended);
	assert_false(r.bad);
	assert_int_equal(zcrx_recv_overflows(r.ifq), r.overflowed);
	print_message("# %llu bytes queued first; %u overflows, %u stalls\n",
		      (unsigned long long)backlog_sent, r.overflowed, r.stalled);
	rx_close(&r);
}

/* 32-byte CQEs take two slots of a CQE_MIXED ring: such a ring is refused. */
static void test_cqe_mixed_ring_is_refused(void **state)
{
	struct io_uring_params p = { .flags = ZCRX_SETUP_SINGLE_ISSUER |
					      ZCRX_SETUP_DEFER_TASKRUN | ZCRX_SETUP_CQE_MIXED };
	struct io_uring ring;
	struct zcrx_ctx *ctx;
	int ret;

	(void)state;
	ret = io_uring_queue_init_params(8, &ring, &p);
	if (ret)
		skip_because("this kernel refuses IORING_SETUP_CQE_MIXED (%s): nothing to adopt",
			     strerrorname_np(-ret));
	assert_int_equal(zcrx_ctx_adopt(&ctx, &ring, NULL), -EINVAL);
	io_uring_queue_exit(&ring);
}

/* Two ifqs on one ring: each has its own event user_data, and its own events. */
static void test_two_ifqs_on_one_ring_keep_their_events(void **state)
{
	struct zcrx_ifq_opts o = { .nodev = true, .area_size = AREA, .rq_entries = 64,
				   .events = ZCRX_EV_MASK(ZCRX_EV_COPY), .stats = true };
	struct zcrx_consumer_params now = { .mode = ZCRX_CONSUME_NOW };
	struct zcrx_ifq_info ia, ib;
	struct zcrx_ifq *b, *c;
	struct zcrx_stats_snap sa, sb;
	struct zcrx_diag d;
	struct rx r;

	(void)state;
	need_copy_events();
	rx_open(&r, ZCRX_EV_MASK(ZCRX_EV_COPY), AREA);
	assert_int_equal(zcrx_ifq_open(r.ctx, &o, &b, &d), 0);
	zcrx_ifq_info(r.ifq, &ia);
	zcrx_ifq_info(b, &ib);
	assert_int_not_equal(ia.event_user_data, ib.event_user_data);
	assert_int_not_equal(ia.zcrx_id, ib.zcrx_id);
	/* one explicit user_data twice on a ring is refused */
	o.event_user_data = ib.event_user_data;
	assert_int_equal(zcrx_ifq_open(r.ctx, &o, &c, &d), -EEXIST);

	/* traffic through b only: a decodes b's event as not its own */
	assert_int_equal(zcrx_consumer_create(b, &now, &r.cons), 0);
	post(&r, b, UD_RECV);
	pump(&r, b, 20000, false);
	assert_int_equal(r.got, 20000);
	assert_int_equal(r.events, 1);
	assert_true(zcrx_event_latched(b, ZCRX_EV_COPY));
	assert_false(zcrx_event_latched(r.ifq, ZCRX_EV_COPY));
	zcrx_stats_read(r.ifq, &sa);
	zcrx_stats_read(b, &sb);
	assert_int_equal(sa.copy_bytes, 0);
	assert_int_equal(sb.copy_bytes, 20000);
	rx_close(&r);
}

/* The ifq that does not own an event CQE leaves it to the caller. */
static void test_event_of_another_ifq_is_not_ours(void **state)
{
	struct zcrx_ifq_opts o = { .nodev = true, .area_size = AREA, .rq_entries = 64,
				   .events = ZCRX_EV_MASK(ZCRX_EV_COPY) };
	struct zcrx_consumer_params now = { .mode = ZCRX_CONSUME_NOW };
	struct zcrx_ifq *b;
	struct zcrx_diag d;
	struct rx r;

	(void)state;
	need_copy_events();
	rx_open(&r, ZCRX_EV_MASK(ZCRX_EV_COPY), AREA);
	assert_int_equal(zcrx_ifq_open(r.ctx, &o, &b, &d), 0);
	assert_int_equal(zcrx_consumer_create(b, &now, &r.cons), 0);
	post(&r, b, UD_RECV);
	/* decode everything with the first ifq: b's data and event are not its own */
	send_upto(&r, 8192);
	for (uint64_t end = now_ns() + 2000000000ULL; r.not_ours < 3 && now_ns() < end;) {
		struct __kernel_timespec ts = { .tv_nsec = 20000000 };
		struct io_uring *ring = zcrx_ctx_ring(r.ctx);
		struct io_uring_cqe *cqe;
		struct zcrx_cqe_info info;

		io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
		while (!io_uring_peek_cqe(ring, &cqe)) {
			int kind = zcrx_cqe_decode(r.ifq, cqe, &info);

			r.not_ours += kind == ZCRX_CQE_NOT_OURS;
			r.events += kind == ZCRX_CQE_EVENT;
			r.data += kind == ZCRX_CQE_DATA;
			io_uring_cqe_seen(ring, cqe);
		}
	}
	assert_int_equal(r.events, 0);
	assert_int_equal(r.data, 0);
	assert_true(r.not_ours >= 3);	/* two data CQEs and the copy event */
	assert_false(zcrx_event_latched(r.ifq, ZCRX_EV_COPY));
	rx_close(&r);
}

/* copy_count counts copied fragments, copy_bytes every byte: measured on 7.2. */
static void test_copy_stats_count_fragments_and_every_byte(void **state)
{
	struct zcrx_consumer_params now = { .mode = ZCRX_CONSUME_NOW };
	struct zcrx_stats_snap s;
	struct rx r;

	(void)state;
	need_copy_events();
	rx_open(&r, ZCRX_EV_MASK(ZCRX_EV_COPY), 8U << 20);
	assert_int_equal(zcrx_consumer_create(r.ifq, &now, &r.cons), 0);
	post(&r, r.ifq, UD_RECV);
	pump(&r, r.ifq, 20000, false);
	assert_int_equal(r.got, 20000);
	assert_int_equal(zcrx_stats_read(r.ifq, &s), 0);
	assert_int_equal(s.copy_bytes, 20000);
	assert_true(s.copy_count >= 1);
	assert_true(s.copy_count < r.data);	/* a fragment spans several 4 KiB CQEs */
	assert_int_equal(r.events, 1);
	rx_close(&r);
}

/* What a NODEV ifq enables by default: every type but alloc-fail, which cannot fire. */
static void test_nodev_default_events_leave_out_alloc_fail(void **state)
{
	struct zcrx_ifq_opts o = { .nodev = true, .area_size = AREA, .events_default = true };
	struct zcrx_ifq_info info;
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	struct zcrx_diag d;

	(void)state;
	need_copy_events();
	assert_int_equal(zcrx_ctx_create(&ctx, NULL), 0);
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), 0);
	zcrx_ifq_info(ifq, &info);
	assert_int_equal(info.events, caps.event_types & ~ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL));
	assert_true(info.events & ZCRX_EV_MASK(ZCRX_EV_COPY));
	zcrx_ctx_destroy(ctx);
}

/* A kernel ifq's event user_data is its own, events on or not. */
static void test_event_user_data_is_reserved_without_events(void **state)
{
	struct zcrx_ifq_info info;
	struct rx r;

	(void)state;
	need_nodev();
	rx_open(&r, 0, AREA);
	assert_int_equal(zcrx_ifq_info(r.ifq, &info), 0);
	assert_int_equal(info.events, 0);
	assert_int_equal(zcrx_prep_recv_zc(r.ifq, io_uring_get_sqe(zcrx_ctx_ring(r.ctx)), r.rx,
					   0, info.event_user_data), -EINVAL);
	rx_close(&r);
}

/* A refused NODEV registration blames no NIC: page-size buffers only. */
static void test_nodev_refusal_names_no_nic(void **state)
{
	struct zcrx_ifq_opts o = { .nodev = true, .area_size = AREA, .rx_buf_len = 8192 };
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	struct zcrx_diag d;

	(void)state;
	need_nodev();
	assert_int_equal(zcrx_ctx_create(&ctx, NULL), 0);
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_REGISTER);
	if (!strstr(d.msg, "page-size buffers only") || strstr(d.msg, "NIC"))
		fail_msg("\"%s\"", d.msg);
	zcrx_ctx_destroy(ctx);
}

/* NODEV never raises alloc-fail: arming it is the kernel's EINVAL. */
static void test_alloc_fail_never_fires_on_nodev(void **state)
{
	struct rx r;

	(void)state;
	need_copy_events();
	rx_open(&r, ZCRX_EV_MASK_ALL, AREA);
	post(&r, r.ifq, UD_RECV);
	pump(&r, r.ifq, 2 * AREA, true);	/* starved: alloc-fail would fire on a NIC */
	assert_int_equal(r.stalled, 1);
	assert_int_equal(r.events, 1);		/* copy only */
	assert_false(zcrx_event_latched(r.ifq, ZCRX_EV_ALLOC_FAIL));
	assert_int_equal(zcrx_event_arm(r.ifq, ZCRX_EV_ALLOC_FAIL), -EINVAL);
	assert_int_equal(zcrx_event_arm(r.ifq, ZCRX_EV_COPY), 0);
	rx_close(&r);
}

static bool has_add_area(void)
{
	return has_starved_enomem() && caps.nr_ctrl_opcodes > ZCRX_CTRL_ADD_AREA;
}

static bool nodev_without_add_area(void)
{
	return has_nodev() && !has_add_area();
}

/*
 * Linux 7.3 grows a live ifq (ZCRX_CTRL_ADD_AREA): a receive starved on a
 * 16-buffer area goes again once a second area is added, its data lands in
 * that area (id 1 in the CQE, its token 1 << 48), every buffer of both
 * areas goes back with its own token, and the stream goes on intact.
 */
static void test_added_area_takes_data_and_goes_back_with_its_token(void **state)
{
	struct zcrx_area_info ai;
	struct zcrx_ifq_info info;
	struct zcrx_diag d;
	uint32_t id = 99;
	struct rx r;

	(void)state;
	need_nodev();
	rx_open(&r, 0, AREA);
	post(&r, r.ifq, UD_RECV);
	pump(&r, r.ifq, 6 * AREA, true);
	assert_int_equal(r.stalled, 1);
	assert_int_equal(r.got, AREA);
	for (uint32_t i = 0; i < r.held; i++)
		assert_int_equal(r.hold_off[i] >> IORING_ZCRX_AREA_SHIFT, 0);

	if (zcrx_ifq_add_area(r.ifq, &(struct zcrx_area_opts){ .area_size = AREA }, &id, &d))
		fail_msg("zcrx_ifq_add_area: %s", d.msg);
	assert_int_equal(id, 1);
	assert_int_equal(zcrx_ifq_area(r.ifq, 1, &ai), 0);
	assert_true(ai.token == 1ULL << IORING_ZCRX_AREA_SHIFT);
	zcrx_ifq_info(r.ifq, &info);
	assert_int_equal(info.nr_areas, 2);
	assert_int_equal(info.nr_bufs, 2 * AREA / 4096);
	/* the starved receive was prepared again: area 0 is all held, so area 1 fills */
	assert_int_equal(io_uring_sq_ready(zcrx_ctx_ring(r.ctx)), 1);
	r.stalled = 0;
	pump(&r, r.ifq, 6 * AREA, true);
	/* every buffer of both areas held (a copy may fill one partly) */
	assert_int_equal(r.held, 2 * AREA / 4096);
	assert_true(r.got > AREA);
	assert_false(r.bad);
	for (uint32_t i = AREA / 4096; i < r.held; i++)
		if (r.hold_off[i] >> IORING_ZCRX_AREA_SHIFT != 1)
			fail_msg("buffer %u came from area %llu, not the new area 1", i,
				 (unsigned long long)(r.hold_off[i] >> IORING_ZCRX_AREA_SHIFT));

	/*
	 * All of both areas back, each with its token, and received into again:
	 * every buffer is held once more, area 1's too (returned with area 0's
	 * token, they would name area 0's buffers and never come back)
	 */
	for (int round = 0; round < 2; round++) {
		uint32_t in_1 = 0;

		for (uint32_t i = 0; i < r.held; i++)
			assert_int_equal(zcrx_buf_return(r.ifq, r.hold_off[i], r.hold_len[i]), 0);
		assert_int_equal(zcrx_rq_flush(r.ifq), (int)r.held);
		if (round)
			break;
		r.held = 0;
		r.stalled = 0;
		pump(&r, r.ifq, 6 * AREA, true);
		for (uint32_t i = 0; i < r.held; i++)
			in_1 += ZCRX_AREA_ID(r.hold_off[i]) == 1;
		assert_int_equal(r.held, 2 * AREA / 4096);
		assert_int_equal(in_1, AREA / 4096);
	}
	r.held = 0;
	r.stalled = 0;
	assert_int_equal(zcrx_consumer_create(r.ifq, &(struct zcrx_consumer_params){ 0 }, &r.cons),
			 0);
	pump(&r, r.ifq, 6 * AREA, false);
	assert_int_equal(r.got, 6 * AREA);
	assert_false(r.bad);
	rx_close(&r);
}

/* Before 7.3 there is no ADD_AREA: refused before the call, naming the kernel. */
static void test_add_area_refused_before_7_3_naming_it(void **state)
{
	struct zcrx_diag d;
	struct rx r;

	(void)state;
	need_nodev();
	rx_open(&r, 0, AREA);
	assert_int_equal(zcrx_ifq_add_area(r.ifq, &(struct zcrx_area_opts){ 0 }, NULL, &d),
			 -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_CAPS);
	assert_non_null(strstr(d.msg, "Linux 7.3"));
	rx_close(&r);
}

#define KCASE(f, when, why)	{ cmocka_unit_test(f), when, why }

int main(void)
{
	/* each case, and what a kernel must have for it to apply */
	const struct {
		struct CMUnitTest	t;
		bool			(*when)(void);
		const char		*why;
	} cases[] = {
		KCASE(test_nodev_with_a_device_is_refused, NULL, NULL),
		KCASE(test_nodev_refused_before_7_1_naming_it, no_nodev,
		      "has ZCRX_REG_NODEV: nothing to refuse"),
		KCASE(test_returned_buffers_come_back_through_flush_rq, has_nodev,
		      "has no ZCRX_REG_NODEV (Linux 7.1+)"),
		KCASE(test_starved_receive_is_posted_again_after_returns, has_starved_enomem,
		      "has no NODEV, or leaves a NODEV receive that ran dry armed and silent (7.1)"),
		KCASE(test_full_cq_ends_receive_enospc_and_it_goes_on, has_starved_enomem,
		      "has no NODEV, or no stopped_early requeue that ends a stopped receive (7.1)"),
		KCASE(test_cqe_mixed_ring_is_refused, NULL, NULL),
		KCASE(test_two_ifqs_on_one_ring_keep_their_events, has_copy_events,
		      "has no NODEV zcrx copy event or stats (Linux 7.2+)"),
		KCASE(test_event_of_another_ifq_is_not_ours, has_copy_events,
		      "has no NODEV zcrx copy event or stats (Linux 7.2+)"),
		KCASE(test_copy_stats_count_fragments_and_every_byte, has_copy_events,
		      "has no NODEV zcrx copy event or stats (Linux 7.2+)"),
		KCASE(test_alloc_fail_never_fires_on_nodev, has_copy_events,
		      "has no NODEV zcrx copy event or stats (Linux 7.2+)"),
		KCASE(test_nodev_default_events_leave_out_alloc_fail, has_copy_events,
		      "has no NODEV zcrx copy event or stats (Linux 7.2+)"),
		KCASE(test_event_user_data_is_reserved_without_events, has_nodev,
		      "has no ZCRX_REG_NODEV (Linux 7.1+)"),
		KCASE(test_nodev_refusal_names_no_nic, has_rx_page_size,
		      "has no NODEV ZCRX_FEATURE_RX_PAGE_SIZE to ask for 8K buffers"),
		KCASE(test_added_area_takes_data_and_goes_back_with_its_token, has_add_area,
		      "has no NODEV ZCRX_CTRL_ADD_AREA (Linux 7.3+)"),
		KCASE(test_add_area_refused_before_7_3_naming_it, nodev_without_add_area,
		      "has no NODEV, or has ZCRX_CTRL_ADD_AREA: nothing to refuse"),
	};
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];
	size_t n = 0;

	zcrx_caps_probe(&caps);
	/* a case about what this kernel lacks is not run and not counted */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!cases[i].when || cases[i].when())
			tests[n++] = cases[i].t;
		else
			printf("# n/a - %s: this kernel %s\n", cases[i].t.name, cases[i].why);
	}
	return _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
}
