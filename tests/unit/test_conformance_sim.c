// SPDX-License-Identifier: MIT
/*
 * Conformance, the simulator's NIC queue: synthetic traffic, the page pool
 * and RX ring, alloc-fail, copies at the simulator's share, the CQ budget
 * and the pacing.  A kernel shows none of it without a NIC, so every row
 * says why it stays simulator-only.  The table runner is conformance.h.
 */
#include <time.h>

#include "conformance.h"

#define PKT		1448

/* ------------------------------------------------------------------ */
/* Driving the seam like an application                                */
/* ------------------------------------------------------------------ */

/* Register, then a receive of the simulator's own traffic (fd -1): only its START NOP completes. */
static void synth_recv(struct env *e, int mask, bool stats, uint32_t len)
{
	struct rec r[4];

	reg_good(e, mask, stats);
	recv_start(&e->f, -1, len, RECV_UD);
	assert_int_equal(reap(&e->f, r, 4), 0);
}

static int step(struct env *e, unsigned int n)
{
	return zcrx_sim_rx_step(C(e), e->f.id, n);
}

static struct zcrx_sim_counters counters(struct env *e)
{
	struct zcrx_sim_counters c;

	assert_int_equal(zcrx_sim_rx_counters(C(e), e->f.id, &c), 0);
	return c;
}

/* n packets of synthetic traffic, each a data CQE in r. */
static void packets(struct env *e, struct rec *r, int max, int n)
{
	assert_int_equal(step(e, n), n);
	assert_int_equal(reap(&e->f, r, max), n);
}

/* The documented synthetic stream: byte i = byte i % 8 of mix64(seed + i / 8). */
static uint8_t stream_byte(uint64_t i)
{
	uint64_t z = SEED + i / 8 + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) >> (i % 8 * 8);
}

static void assert_data(struct env *e, const struct rec *r, uint32_t len, uint64_t pos)
{
	uint64_t at = r->off & ~IORING_ZCRX_AREA_MASK;

	assert_data_cqe(e, r, RECV_UD);
	assert_int_equal(r->res, len);
	for (uint32_t i = 0; i < len; i++)
		if (e->f.area_mem[at + i] != stream_byte(pos + i))
			fail_msg("payload byte %llu differs", (unsigned long long)(pos + i));
}

/* ------------------------------------------------------------------ */
/* Simulator flows: synthetic traffic through a simulated NIC queue    */
/* ------------------------------------------------------------------ */

static void f_data_cqe(struct env *e)
{
	struct rec r[8];

	synth_recv(e, -1, false, 0);
	packets(e, r, 8, 3);
	for (int i = 0; i < 3; i++)
		assert_data(e, &r[i], PKT, (uint64_t)i * PKT);
	/* three different buffers: the first ones the RX ring was filled with */
	assert_true(r[0].off != r[1].off && r[1].off != r[2].off && r[0].off != r[2].off);
}

/* 16 buffers, a 4-entry RX ring: the 13th packet leaves the pool empty. */
static int exhaust(struct env *e, struct rec *r, int max)
{
	assert_int_equal(step(e, AREA_PAGES), AREA_PAGES);
	return reap(&e->f, r, max);
}

static void f_alloc_fail_once(struct env *e)
{
	struct rec r[32];
	int n;

	synth_recv(e, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), false, 0);
	n = exhaust(e, r, 32);
	assert_int_equal(n, AREA_PAGES + 1);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
	/* res is the type index, flags 0, and it follows the 13th data CQE */
	assert_event(&r[13], ZCRX_EV_ALLOC_FAIL);
	assert_int_equal(counters(e).alloc_fail, 4);
	/* latched: more failures, no more CQEs */
	assert_int_equal(step(e, 3), 0);
	assert_int_equal(reap(&e->f, r, 32), 0);
	assert_int_equal(counters(e).alloc_fail, 7);
	assert_int_equal(counters(e).rx_dropped, 3);
}

static void f_rearm(struct env *e)
{
	struct rec r[32];
	int n;

	synth_recv(e, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), false, 0);
	n = exhaust(e, r, 32);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), 0);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), -EINVAL);
	give_back_all(e, r, 4);
	/* four come back, the fifth packet fails again: one more CQE */
	assert_int_equal(step(e, 5), 4);
	n = reap(&e->f, r, 32);
	assert_int_equal(n, 5);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
}

static void f_no_target(struct env *e)
{
	struct rec r[32];
	int n;

	/* 7.2: COPY only; May: an empty descriptor; none: no descriptor */
	if (e->gen == ZCRX_GEN_7_2)
		synth_recv(e, ZCRX_EV_MASK(ZCRX_EV_COPY), false, 0);
	else
		synth_recv(e, e->gen == ZCRX_GEN_MAY2026 ? 0 : -1, false, 0);
	n = exhaust(e, r, 32);
	assert_int_equal(n, AREA_PAGES);
	assert_int_equal(count_ud(r, n, EV_UD), 0);
	assert_true(counters(e).alloc_fail > 0);
	assert_int_equal(ctrl(&e->f, e->gen ? ZCRX_CTRL_ARM_EVENT : ZCRX_CTRL_FLUSH_RQ, 0),
			 e->gen ? -EINVAL : 0);
}

static void f_copy_event_stats(struct env *e)
{
	struct rec r[8];
	struct zcrx_sim_counters c;
	int n;

	synth_recv(e, ZCRX_EV_MASK_ALL, true, 0);
	assert_int_equal(step(e, 3), 3);
	n = reap(&e->f, r, 8);
	assert_int_equal(n, 4);
	assert_event(&r[1], ZCRX_EV_COPY);
	assert_data(e, &r[0], PKT, 0);
	assert_copies(e, 3, 3 * PKT);
	c = counters(e);
	assert_int_equal(c.copied, 3);
	/* copies come from the free list; the RX ring is untouched */
	assert_int_equal(c.rx_ring_fill, 4);
	assert_int_equal(c.free_bufs, AREA_PAGES - 4 - 3);
	/* a copied buffer returned through the refill ring goes back to the free list */
	give_back(&e->f, r[0].off, PKT, 0);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(counters(e).free_bufs, AREA_PAGES - 4 - 2);
}

/* With rx_buf_len of two pages a copied 6000-byte fragment is two page-sized CQEs, one copy. */
static void f_copy_pages(struct env *e)
{
	struct rec r[8];
	int n;

	e->f.reg.rx_buf_len = 2 * PAGE;
	synth_recv(e, -1, true, 0);
	assert_int_equal(step(e, 1), 1);
	n = reap(&e->f, r, 8);
	assert_int_equal(n, 2);
	assert_data(e, &r[0], PAGE, 0);
	assert_data(e, &r[1], 6000 - PAGE, PAGE);
	assert_copies(e, 1, 6000);
}

static void f_stats_without_copy_event(struct env *e)
{
	struct rec r[8];

	synth_recv(e, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), true, 0);
	packets(e, r, 8, 2);
	assert_int_equal(count_ud(r, 2, EV_UD), 0);
	assert_copies(e, 2, 2 * PKT);
}

static void f_refill_first(struct env *e)
{
	struct rec r[8];
	uint32_t free_bufs;

	synth_recv(e, -1, false, 0);
	packets(e, r, 8, 2);
	free_bufs = counters(e).free_bufs;
	give_back(&e->f, r[0].off, r[0].res, 0);
	assert_int_equal(rq_head(&e->f), 0);
	/* the refill after this packet takes the returned buffer, not the free list */
	assert_int_equal(step(e, 1), 1);
	assert_int_equal(rq_head(&e->f), 1);
	assert_int_equal(counters(e).free_bufs, free_bufs);
	assert_int_equal(reap(&e->f, r + 2, 6), 1);
	/* the RX ring is FIFO: it comes round again after the three posted before it */
	assert_int_equal(step(e, 4), 4);
	assert_int_equal(reap(&e->f, r + 3, 5), 4);
	assert_true(r[6].off == r[0].off);
}

static void f_flush(struct env *e)
{
	struct rec r[8];

	synth_recv(e, -1, false, 0);
	packets(e, r, 8, 3);
	give_back_all(e, r, 3);
	assert_int_equal(counters(e).free_bufs, AREA_PAGES - 4 - 3);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(&e->f), 3);
	assert_int_equal(counters(e).free_bufs, AREA_PAGES - 4);
	assert_int_equal(counters(e).rq_invalid, 0);
}

static void f_drops(struct env *e)
{
	struct rec r[32];

	synth_recv(e, -1, false, 0);
	assert_int_equal(step(e, AREA_PAGES + 4), AREA_PAGES);
	assert_int_equal(reap(&e->f, r, 32), AREA_PAGES);
	assert_int_equal(counters(e).rx_dropped, 4);
	assert_int_equal(counters(e).rx_packets, AREA_PAGES);
	assert_int_equal(counters(e).rx_bytes, AREA_PAGES * PKT);
}

static void f_copy_enomem(struct env *e)
{
	struct rec r[32];
	int n;

	synth_recv(e, -1, false, 0);
	/* 12 buffers on the free list, then the copy fallback finds none */
	assert_int_equal(step(e, 20), AREA_PAGES - 4);
	n = reap(&e->f, r, 32);
	assert_int_equal(n, AREA_PAGES - 4 + 1);
	assert_end(&r[n - 1], RECV_UD, -ENOMEM);
	assert_int_equal(step(e, 1), 0);
}

static void f_len_cap(struct env *e)
{
	struct rec r[8];

	synth_recv(e, -1, false, 2 * PKT + 104);
	assert_int_equal(step(e, 10), 3);
	assert_int_equal(reap(&e->f, r, 8), 4);
	assert_data(e, &r[2], 104, 2 * PKT);
	assert_end(&r[3], RECV_UD, 0);
	assert_int_equal(step(e, 1), 0);
}

static void f_cq_room(struct env *e)
{
	struct io_uring *ring;
	struct rec r[64];
	int a, b;

	/* more buffers than the CQ has room for: the CQ is the limit, not the pool */
	e->f.area.len = 4 * AREA_PAGES * PAGE;
	synth_recv(e, -1, false, 0);
	ring = ring_of(&e->f);
	a = step(e, 1000);
	assert_true(a > 0 && a < 1000);
	assert_true(io_uring_cq_ready(ring) < ring->cq.ring_entries);
	assert_false(io_uring_cq_has_overflow(ring));
	assert_int_equal(reap(&e->f, r, 64), a);
	give_back_all(e, r, a);
	/* the sender was blocked, not dropped: it goes on once the CQ drains */
	b = step(e, 1000);
	assert_int_equal(b, a);
	assert_int_equal(counters(e).rx_dropped, 0);
}

/* 4 buffers for 14 chunks: the RX ring runs dry, TCP "retransmits", nothing is lost */
static void f_tcp_retransmit(struct env *e)
{
	struct timespec t0, t1;
	struct rec r[64];
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tcp_recv(e, 4, -1, false, 0);
	tx(&e->f, 20000);
	while (e->f.rx < e->f.tx) {
		n = reap_wait(&e->f, r, 64, 1, tmo(2000));
		assert_true(n > 0);
		rx_all(e, r, n, RECV_UD);
		give_back_all(e, r, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(counters(e).rx_dropped > 0);
	/* a few 10 ms retries, not a stall */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 <
		    tmo(1000));
}

static void f_rate(struct env *e)
{
	struct rec r[64];
	uint64_t t0, ms;
	struct timespec ts;
	int n = 0;

	reg_good(e, -1, false);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
	recv_start(&e->f, -1, 0, RECV_UD);
	while (n < 20) {
		int k = reap_wait(&e->f, r, 64, 1, tmo(3000));

		assert_true(k > 0);
		give_back_all(e, r, k);
		n += k;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000 - t0;
	/* 1000 pps: 20 packets take about 20 ms, not nothing */
	assert_true(ms >= 10);
}

static void f_idle(struct env *e)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000 };
	struct rec r[16];

	reg_good(e, -1, false);
	/* rate 1000 but no receive: nothing is armed */
	assert_int_equal(io_uring_wait_cqe_timeout(ring_of(&e->f), &cqe, &ts), -ETIME);
	/* a receive with a len cap: three packets, the end, then nothing again */
	recv_start(&e->f, -1, 3 * PKT, RECV_UD);
	assert_int_equal(reap_wait(&e->f, r, 16, 4, tmo(3000)), 4);
	assert_int_equal(r[3].res, 0);
	reap_wait(&e->f, r, 16, 16, 30);
	assert_int_equal(io_uring_wait_cqe_timeout(ring_of(&e->f), &cqe, &ts), -ETIME);
}

static void f_idle_rate0(struct env *e)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000 };

	synth_recv(e, -1, false, 0);
	assert_int_equal(io_uring_wait_cqe_timeout(ring_of(&e->f), &cqe, &ts), -ETIME);
}

/* 70 chunks arrive at once; a 16-entry CQ takes a few at a time, with no poll wakeup left */
static void f_kick(struct env *e)
{
	struct rec r[64];
	int n;

	tcp_recv(e, 4 * AREA_PAGES, -1, false, 0);
	for (int i = 0; i < 2; i++)
		tx(&e->f, 50000);
	while (e->f.rx < e->f.tx) {
		n = reap_wait(&e->f, r, 64, 1, tmo(2000));
		assert_true(n > 0);
		assert_int_equal(*ring_of(&e->f)->cq.koverflow, 0);
		rx_all(e, r, n, RECV_UD);
		/* more queued than the CQ takes: -ENOSPC as on a kernel; prepared again, it goes on */
		if (!r[n - 1].more) {
			assert_end(&r[n - 1], RECV_UD, -ENOSPC);
			recv_start(&e->f, e->f.srv, 0, RECV_UD);
			n--;
		}
		give_back_all(e, r, n);
	}
}

static void f_unregistered(struct env *e)
{
	for (int i = 0; i < 3; i++) {
		e->f.reg.zcrx_id = 0;
		e->f.area.rq_area_token = 0;
		assert_int_equal(zcrx_register_raw(C(e), &e->f.reg), 0);
	}
	e->f.id = 1;
	OPS(e)->unregister_ifq(C(e), 1);
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_FLUSH_RQ, 0), -ENXIO);
	e->f.id = 2;
	assert_int_equal(ctrl(&e->f, ZCRX_CTRL_FLUSH_RQ, 0), 0);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

#define WHY_POOL	"needs a NIC queue's page pool and RX ring; NODEV has neither"
#define WHY_SYNTH	"synthetic traffic (fd -1) is the simulator's own; the TCP rows show" \
			" a kernel's data CQEs"
#define WHY_BUDGET	"the simulator's own CQ budget; a kernel posts into the CQ itself"
#define WHY_COPY	"the copy share of a NIC queue is the simulator's knob; the NODEV" \
			" rows show a kernel's copies"

static const struct row rows[] = {
	/* the simulator's NIC queue */
	FLOW("a data CQE: res = length, the receive's user_data, area token | offset,"
	     " seeded payload", f_data_cqe, .exp = DEV(0), .sim = STEP, SIM(WHY_SYNTH)),
	FLOW("ALLOC_FAIL fires once when the pool runs dry: res = index 0, flags 0",
	     f_alloc_fail_once, .exp = { NA, 0, 0, NA }, .sim = STEP, SIM(WHY_POOL)),
	FLOW("ARM_EVENT re-arms: the next failure fires again, a second arm is EINVAL",
	     f_rearm, .exp = { NA, 0, 0, NA }, .sim = STEP, SIM(WHY_POOL)),
	FLOW("a type outside type_mask, or no target, never posts", f_no_target, .exp = DEV(0),
	     .sim = STEP, SIM(WHY_POOL)),
	FLOW("COPY fires once with res 1; stats count every copied fragment",
	     f_copy_event_stats, .exp = DEV72(0), .sim = { .step = true, .copy_permille = 1000 },
	     SIM(WHY_COPY)),
	FLOW("a copied fragment is a CQE per page and one copy in the stats", f_copy_pages,
	     .exp = DEV72(0), .sim = { .step = true, .copy_permille = 1000, .pkt_size = 6000 },
	     SIM(WHY_COPY)),
	FLOW("stats count copies with COPY not in type_mask", f_stats_without_copy_event,
	     .exp = DEV72(0), .sim = { .step = true, .copy_permille = 1000 }, SIM(WHY_COPY)),
	FLOW("the pool takes returned buffers from the refill ring first and publishes head",
	     f_refill_first, .exp = DEV(0), .sim = STEP, SIM(WHY_POOL)),
	FLOW("FLUSH_RQ returns every published RQE to the free list", f_flush, .exp = DEV(0),
	     .sim = STEP, SIM("counts the simulator's free list; the NODEV rows show a kernel's")),
	FLOW("packets that find the RX ring empty are dropped and counted", f_drops,
	     .exp = DEV(0), .sim = STEP, SIM(WHY_POOL)),
	FLOW("a copy with no free buffer ends the receive with -ENOMEM", f_copy_enomem,
	     .exp = DEV(0), .sim = { .step = true, .copy_permille = 1000 }, SIM(WHY_SYNTH)),
	FLOW("the len cap ends the receive with res 0 after exactly len bytes", f_len_cap,
	     .exp = DEV(0), .sim = STEP, SIM(WHY_SYNTH)),
	FLOW("the CQ never overflows: the sender waits for room", f_cq_room, .exp = DEV(0),
	     .sim = { .step = true, .rx_ring = 64 }, .sq_entries = 8, SIM(WHY_BUDGET)),
	FLOW("a blocked sender resumes as the application drains the CQ", f_kick, .exp = DEV(0),
	     .sim = { .rx_ring = 8 }, .sq_entries = 4, SIM(WHY_BUDGET)),
	FLOW("a TCP segment that finds the RX ring empty is dropped and comes again",
	     f_tcp_retransmit, .exp = DEV(0), .sim = { .rx_ring = 4 }, SIM(WHY_POOL)),
	FLOW("synthetic traffic at rate_pps arrives through the ring's own waits", f_rate,
	     .exp = DEV(0), .sim = { .rate_pps = 1000 }, SIM(WHY_SYNTH)),
	FLOW("an idle queue arms nothing: no receive, or the receive has ended", f_idle,
	     .exp = DEV(0), .sim = { .rate_pps = 1000 }, SIM(WHY_SYNTH)),
	FLOW("rate 0 arms nothing", f_idle_rate0, .exp = DEV(0), SIM(WHY_SYNTH)),
	FLOW("an unregistered zcrx_id is ENXIO", f_unregistered, .exp = DEV(0), .sim = STEP,
	     SIM("a kernel ifq lives until its ring is closed: nothing unregisters it")),
};

int main(void)
{
	return conformance_main("conformance: the simulator's NIC queue", rows,
				sizeof(rows) / sizeof(rows[0]));
}
