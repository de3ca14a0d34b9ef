// SPDX-License-Identifier: MIT
/*
 * Conformance, loopback TCP: the flows every target runs (a socket's bytes
 * landing intact, the len cap, bad fds, zcrx_ids, FLUSH_RQ's parsing), and
 * NODEV's, where every byte is copied: the layout, the COPY event and its
 * latch, the stats, starvation and the refill ring.  The table runner is
 * conformance.h.
 */
#include "conformance.h"

#define RECV_UD2	0x1235ULL
#define MAX_REC		64

/* a starved receive ends with -ENOMEM from 7.2 on */
#define STARVES		.since = KV(7, 2),						\
			.before = "7.1.13 left a starved receive armed, with no CQE"

/* The next len bytes of the stream, and the CQEs until they came or the receive ended. */
static int tx_reap(struct env *e, struct rec *r, uint32_t len)
{
	tx(&e->f, len);
	return reap_data(&e->f, r, MAX_REC, RECV_UD, len);
}

/* 4 buffers, 6 pages sent: 4 full pages come, then the receive starves with -ENOMEM. */
static void starve(struct env *e, struct rec *r)
{
	int n;

	tcp_recv(e, 4, -1, false, 0);
	n = tx_reap(e, r, 6 * PAGE);
	assert_int_equal(count_data(r, n, RECV_UD), 4);
	rx_all(e, r, n, RECV_UD);
	assert_end(last_of(r, n, RECV_UD), RECV_UD, -ENOMEM);
}

/* A receive submitted again on the starved connection, and what it brings. */
static int resubmit(struct env *e, struct rec *r)
{
	recv_start(&e->f, e->f.srv, 0, RECV_UD2);
	return reap_data(&e->f, r, MAX_REC, RECV_UD2, 2 * PAGE);
}

/* ------------------------------------------------------------------ */
/* Flows every target runs: a loopback TCP connection                  */
/* ------------------------------------------------------------------ */

static void f_tcp(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, -1, false, 0);
	n = tx_reap(e, r, 20000);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(e->f.rx, 20000);
	close(e->f.cli);
	e->f.cli = -1;
	n = reap_wait(&e->f, r, MAX_REC, 1, tmo(2000));
	assert_int_equal(n, 1);
	assert_end(&r[0], RECV_UD, 0);
}

static void f_len_cap_tcp(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, -1, false, 5000);
	n = tx_reap(e, r, 6000);
	assert_int_equal(count_ud(r, n, RECV_UD), n);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(e->f.rx, 5000);
	assert_end(last_of(r, n, RECV_UD), RECV_UD, 0);
}

static void f_ids(struct env *e)
{
	for (uint32_t id = 0; id < 3; id++) {
		e->f.reg.zcrx_id = 0;
		e->f.area.rq_area_token = 0;
		assert_int_equal(zcrx_register_raw(C(e), &e->f.reg), 0);
		assert_int_equal(e->f.reg.zcrx_id, id);
	}
}

static void f_bad_fds(struct env *e)
{
	int errs[3] = { -EPROTONOSUPPORT, -ENOTSOCK, -EBADF }, fds[3];
	struct rec r[8];

	bad_fds(&e->f, fds);
	reg_good(e, -1, false);
	/* refused at issue: a final CQE with the kernel's errno under the receive's user_data */
	for (int i = 0; i < 3; i++) {
		recv_start(&e->f, fds[i], 0, RECV_UD + i);
		assert_int_equal(reap_wait(&e->f, r, 8, 1, tmo(1000)), 1);
		assert_end(&r[0], RECV_UD + i, errs[i]);
	}
}

/* FLUSH_RQ parses RQEs until a malformed one, which it consumes (zcrx_parse_rq). */
static void f_flush_stops_at_bad(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, -1, false, 0);
	n = tx_reap(e, r, 3 * PAGE);
	assert_true(count_data(r, n, RECV_UD) >= 3);
	give_back(&e->f, r[0].off, r[0].res, 0);
	give_back(&e->f, r[1].off | 1ULL << IORING_ZCRX_AREA_SHIFT, r[1].res, 0);
	give_back(&e->f, r[1].off, r[1].res, 0);
	give_back(&e->f, r[2].off, r[2].res, 0);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(&e->f), 2);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(&e->f), 4);
}

/* ------------------------------------------------------------------ */
/* NODEV flows: every byte copied, on the simulator and the kernel     */
/* ------------------------------------------------------------------ */

static void f_nd_copy_layout(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, -1, false, 0);
	n = tx_reap(e, r, 20000);
	assert_int_equal(n, 5);
	rx_all(e, r, n, RECV_UD);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(r[i].res, i < 4 ? (int)PAGE : 20000 - 4 * (int)PAGE);
		assert_true(r[i].off == (AREA_PAGES - 1 - i) * PAGE);
	}
}

static void f_nd_copy_event(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, ZCRX_EV_MASK_ALL, false, 0);
	n = tx_reap(e, r, 20000);
	assert_int_equal(n, 6);
	assert_int_equal(count_data(r, 5, RECV_UD), 5);
	rx_all(e, r, 5, RECV_UD);
	assert_event(&r[5], ZCRX_EV_COPY);
	/* latched: the next copy posts its data only */
	n = tx_reap(e, r, PAGE);
	assert_int_equal(n, 1);
	rx(e, &r[0], RECV_UD);
}

static void f_nd_rearm(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, ZCRX_EV_MASK_ALL, false, 0);
	n = tx_reap(e, r, PAGE);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), 0);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), -EINVAL);
	n = tx_reap(e, r, PAGE);
	assert_int_equal(n, 2);
	rx(e, &r[0], RECV_UD);
	assert_event(&r[1], ZCRX_EV_COPY);
}

static void f_nd_no_target(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), false, 0);
	n = tx_reap(e, r, 20000);
	assert_int_equal(n, 5);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(count_ud(r, n, EV_UD), 0);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), -EINVAL);
}

static void f_nd_mask0_stats(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, 0, true, 0);
	n = tx_reap(e, r, 20000);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(e->f.rx, 20000);
	assert_int_equal(count_ud(r, n, EV_UD), 0);
	assert_copies(e, 1, 20000);
}

static void f_nd_stats(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, ZCRX_EV_MASK_ALL, true, 0);
	n = tx_reap(e, r, 20000);
	assert_int_equal(count_data(r, n, RECV_UD), 5);
	assert_copies(e, 1, 20000);
	n = tx_reap(e, r, 10000);
	assert_int_equal(count_data(r, n, RECV_UD), 3);
	assert_copies(e, 2, 30000);
}

static void f_nd_alloc_fail(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, 4, ZCRX_EV_MASK_ALL, false, 0);
	n = tx_reap(e, r, 6 * PAGE);
	assert_end(last_of(r, n, RECV_UD), RECV_UD, -ENOMEM);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
	assert_event(last_of(r, n, EV_UD), ZCRX_EV_COPY);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), -EINVAL);
}

static void f_nd_starve(struct env *e)
{
	struct rec r[MAX_REC];

	starve(e, r);
	for (int i = 0; i < 4; i++)
		assert_int_equal(r[i].res, PAGE);
}

static void f_nd_no_flush(struct env *e)
{
	struct rec r[MAX_REC];

	starve(e, r);
	give_back_all(e, r, 4);
	assert_int_equal(resubmit(e, r), 1);
	assert_end(&r[0], RECV_UD2, -ENOMEM);
	assert_int_equal(rq_head(&e->f), 0);
}

static void f_nd_resume(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	starve(e, r);
	give_back_all(e, r, 4);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(&e->f), 4);
	n = resubmit(e, r);
	rx_all(e, r, n, RECV_UD2);
	assert_int_equal(e->f.rx, e->f.tx);
}

/* After the flush exactly one buffer is free: the next page lands in it, then starves. */
static void one_back(struct env *e, uint64_t first, uint64_t second, uint64_t lands)
{
	struct rec r[MAX_REC];
	int n;

	give_back(&e->f, first, PAGE, 0);
	if (second != ~0ULL)
		give_back(&e->f, second, PAGE, 0);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(&e->f), second != ~0ULL ? 2 : 1);
	n = resubmit(e, r);
	assert_int_equal(n, 2);
	rx(e, &r[0], RECV_UD2);
	assert_true(r[0].off == lands);
	assert_end(&r[1], RECV_UD2, -ENOMEM);
}

static void f_nd_duplicate(struct env *e)
{
	struct rec r[MAX_REC];

	starve(e, r);
	one_back(e, r[0].off, r[0].off, r[0].off);
}

static void f_nd_inside_buffer(struct env *e)
{
	struct rec r[MAX_REC];

	starve(e, r);
	one_back(e, r[3].off + 8, ~0ULL, r[3].off);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

static const struct row rows[] = {
	/* every target: a loopback TCP connection */
	FLOW("a TCP socket's bytes land in the area intact; EOF ends with res 0", f_tcp,
	     .exp = OK4, .sim = TCP),
	FLOW("a TCP receive's len cap ends it with res 0 after exactly len bytes", f_len_cap_tcp,
	     .exp = OK4, .sim = TCP),
	FLOW("a receive on a non-TCP or bad fd ends at issue with the kernel's errno", f_bad_fds,
	     .exp = OK4, .sim = TCP),
	FLOW("zcrx_id counts 0, 1, 2 per ring", f_ids, .exp = OK4, .sim = STEP),
	FLOW("FLUSH_RQ stops at a malformed RQE, consuming it; the next flush goes on",
	     f_flush_stops_at_bad, .exp = OK4, .sim = TCP),

	/* NODEV: every byte copied */
	FLOW("NODEV copies 20,000 B into 4 full pages and 3,616 B, the last buffer first",
	     f_nd_copy_layout, .exp = NODEV(0)),
	FLOW("COPY fires once after the fragment's data, res 1, flags 0, then stays latched",
	     f_nd_copy_event, .exp = NODEV(0), .events = true),
	FLOW("ARM_EVENT of COPY re-arms: the next copy fires again, a second arm is EINVAL",
	     f_nd_rearm, .exp = NODEV(0), .events = true),
	FLOW("a type outside type_mask never posts: no COPY event with alloc-fail alone",
	     f_nd_no_target, .exp = NODEV(0), .events = true),
	FLOW("stats with type_mask 0: no event CQEs, the copies still count", f_nd_mask0_stats,
	     .exp = NODEV(0), .events = true),
	FLOW("stats count copied fragments, not CQEs: 20,000 B are 5 CQEs and one copy",
	     f_nd_stats, .exp = NODEV(0), .events = true),
	FLOW("ALLOC_FAIL never fires without a NIC, so arming it is EINVAL", f_nd_alloc_fail,
	     .exp = NODEV(0), .events = true),
	FLOW("a starved receive ends with -ENOMEM, flags 0, after the pages it could fill",
	     f_nd_starve, .exp = NODEV(0), STARVES),
	FLOW("returned buffers wait for FLUSH_RQ: the head stays, a new receive starves",
	     f_nd_no_flush, .exp = NODEV(0), STARVES),
	FLOW("after FLUSH_RQ a receive submitted again gets the rest: nothing was lost",
	     f_nd_resume, .exp = NODEV(0), STARVES),
	FLOW("a duplicate RQE is consumed and ignored: one buffer comes back",
	     f_nd_duplicate, .exp = NODEV(0), STARVES),
	FLOW("an RQE offset inside a buffer returns that buffer", f_nd_inside_buffer,
	     .exp = NODEV(0), STARVES),
};

int main(void)
{
	return conformance_main("conformance: loopback TCP", rows, sizeof(rows) / sizeof(rows[0]));
}
