// SPDX-License-Identifier: MIT
/*
 * A receive stopped by a full CQ, on the simulator (this machine's kernel
 * cannot show it: tests/unit/test_nodev.c does on the VM tier's 7.2+).  As
 * the kernel's io_zcrx_queue_cqe() finds no free CQE, the simulator ends a
 * socket receive -ENOSPC (flags 0, liburing issue #1515) with the rest left
 * in the socket; libzcrx reports ZCRX_CQE_RECV_STALLED with -ENOSPC, counts
 * it in zcrx_recv_overflows() and prepares the receive again, and once the
 * caller drains, every byte arrives, in order.
 */
#include <sys/ioctl.h>
#include <time.h>

#include "flow.h"

#define UD_RECV		0x77
#define TOTAL		(256U << 10)

struct rx {
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	int			tx, rx;
	uint64_t		sent, got;
	uint32_t		overflowed, stalled, ended, data;
	bool			bad;
};

static uint8_t pat(uint64_t i)
{
	return (uint8_t)(i * 37 + (i >> 11));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void send_more(struct rx *r)
{
	uint8_t buf[8192];

	while (r->sent < TOTAL) {
		size_t n = TOTAL - r->sent < sizeof(buf) ? TOTAL - r->sent : sizeof(buf);
		ssize_t w;

		for (size_t i = 0; i < n; i++)
			buf[i] = pat(r->sent + i);
		w = send(r->tx, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w <= 0)
			break;
		r->sent += w;
	}
}

/* Submit, then decode and drain every CQE, returning each buffer; one commit. */
static void drain(struct rx *r)
{
	struct io_uring *ring = zcrx_ctx_ring(r->ctx);
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	assert_true(io_uring_submit_and_get_events(ring) >= 0);
	io_uring_for_each_cqe(ring, head, cqe) {
		struct zcrx_cqe_info info;
		int kind = zcrx_cqe_decode(r->ifq, cqe, &info);

		n++;
		if (kind == ZCRX_CQE_DATA) {
			const uint8_t *p = info.addr;

			for (uint32_t i = 0; i < info.len; i++)
				r->bad |= p[i] != pat(r->got + i);
			r->got += info.len;
			r->data++;
			assert_int_equal(zcrx_buf_return(r->ifq, info.off, info.len), 0);
		} else if (kind == ZCRX_CQE_RECV_STALLED) {
			if (info.err == -ENOSPC)
				r->overflowed++;
			else
				r->stalled++;
		} else if (kind == ZCRX_CQE_RECV_END) {
			r->ended++;
		} else {
			assert_true(kind == ZCRX_CQE_INTERNAL);
		}
	}
	io_uring_cq_advance(ring, n);
	zcrx_buf_commit(r->ifq);
}

static void test_full_cq_ends_sim_receive_enospc_and_it_goes_on(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 9 };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 1 << 20, .rq_entries = 256 };
	struct zcrx_ctx_opts co = { .sq_entries = 8 };	/* a CQ of 32 */
	struct io_uring *ring;
	struct zcrx_diag d;
	uint64_t end;
	struct rx r;
	int l;

	(void)state;
	memset(&r, 0, sizeof(r));
	if (zcrx_sim_ctx_create(&r.ctx, &sp, &co))
		skip_because("no io_uring ring for the simulator");
	ring = zcrx_ctx_ring(r.ctx);
	assert_int_equal(ring->cq.ring_entries, 32);
	if (zcrx_ifq_open(r.ctx, &o, &r.ifq, &d))
		fail_msg("zcrx_ifq_open: %s", d.msg);
	tcp_pair(&l, &r.tx, &r.rx);
	close(l);
	send_more(&r);
	assert_int_equal(zcrx_prep_recv_zc(r.ifq, io_uring_get_sqe(ring), r.rx, 0, UD_RECV), 0);
	assert_true(io_uring_submit(ring) >= 1);

	/* a caller that falls behind: it submits but reads no CQE */
	for (int i = 0; i < 64; i++) {
		zcrx_sim_step(r.ifq, 64);
		io_uring_submit(ring);
	}
	assert_true(io_uring_cq_ready(ring) > 0);
	assert_int_equal(r.got, 0);

	/* it catches up: the receive goes on where it stopped */
	for (end = now_ns() + tmo(5000) * 1000000ULL;
	     r.got < TOTAL && !r.ended && now_ns() < end;) {
		drain(&r);
		send_more(&r);
		zcrx_sim_step(r.ifq, 64);
	}
	if (r.got != TOTAL || r.ended || !r.overflowed)
		fail_msg("%llu of %u bytes arrived; %u overflows (%llu counted), %u stalls, %u ends",
			 (unsigned long long)r.got, TOTAL, r.overflowed,
			 (unsigned long long)zcrx_recv_overflows(r.ifq), r.stalled, r.ended);
	assert_false(r.bad);
	assert_int_equal(zcrx_recv_overflows(r.ifq), r.overflowed);
	assert_int_equal(zcrx_recv_stalls(r.ifq), 0);
	close(r.tx);
	close(r.rx);
	zcrx_ctx_destroy(r.ctx);
}

/*
 * A session that reaps every CQE at once still overflows when it resumes
 * with more queued in its socket than its CQ can take: the kernel reads the
 * whole backlog in one task-work run (tcp_read_sock), fills the CQ and ends
 * the receive -ENOSPC; so must the simulator, however it splits its rounds.
 */
static void test_backlog_over_cq_ends_enospc_though_caller_reaps(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .seed = 9 };	/* rate 0 */
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 1 << 20, .rq_entries = 256 };
	struct zcrx_ctx_opts co = { .sq_entries = 8 };	/* a CQ of 32 */
	struct __kernel_timespec ts = { .tv_nsec = 10 * 1000000 };
	struct io_uring_cqe *cqe;
	struct io_uring *ring;
	struct zcrx_diag d;
	uint64_t end;
	struct rx r;
	int l, q = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	if (zcrx_sim_ctx_create(&r.ctx, &sp, &co))
		skip_because("no io_uring ring for the simulator");
	ring = zcrx_ctx_ring(r.ctx);
	if (zcrx_ifq_open(r.ctx, &o, &r.ifq, &d))
		fail_msg("zcrx_ifq_open: %s", d.msg);
	tcp_pair(&l, &r.tx, &r.rx);
	close(l);
	/* the backlog of a stopped session: more than the 32 CQEs the CQ can take */
	send_more(&r);
	assert_true(ioctl(r.rx, FIONREAD, &q) == 0);
	print_message("# %d bytes queued\n", q);
	assert_true(q > 48 * 1448);	/* 1448-byte packets (the default pkt_size) */
	assert_int_equal(zcrx_prep_recv_zc(r.ifq, io_uring_get_sqe(ring), r.rx, 0, UD_RECV), 0);

	/* it resumes and reaps every CQE as soon as it comes */
	for (end = now_ns() + tmo(5000) * 1000000ULL;
	     r.got < TOTAL && !r.ended && now_ns() < end;) {
		io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
		drain(&r);
		send_more(&r);
	}
	if (r.got != TOTAL || r.ended || !r.overflowed)
		fail_msg("%llu of %u bytes arrived; %u overflows (%llu counted), %u stalls, %u ends",
			 (unsigned long long)r.got, TOTAL, r.overflowed,
			 (unsigned long long)zcrx_recv_overflows(r.ifq), r.stalled, r.ended);
	assert_false(r.bad);
	assert_int_equal(zcrx_recv_overflows(r.ifq), r.overflowed);
	assert_int_equal(zcrx_recv_stalls(r.ifq), 0);
	assert_false(io_uring_cq_has_overflow(ring));
	close(r.tx);
	close(r.rx);
	zcrx_ctx_destroy(r.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_cq_ends_sim_receive_enospc_and_it_goes_on),
		cmocka_unit_test(test_backlog_over_cq_ends_enospc_though_caller_reaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
