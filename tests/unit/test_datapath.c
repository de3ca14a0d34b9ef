// SPDX-License-Identifier: MIT
/*
 * The data path end to end on the simulator, in step mode: every byte a
 * receive delivers is read back intact from the area, buffers go round the
 * refill ring thousands of times without one being lost or given back
 * twice, and a starved queue raises one alloc-fail until it is re-armed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "zcrx.h"
#include "zcrx_diag.h"
#include "zcrx_sim.h"
#include "kabi.h"

#define RECV_UD		42
#define BATCH		32

struct rig {
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	struct zcrx_ifq_info	info;
	uint64_t		seed;
	const uint8_t		*expect;	/* the bytes sent, for a socket stream */
	uint64_t		expect_len;
	uint8_t			*owned;		/* per buffer: delivered, not yet returned */
	struct zcrx_consumer	*hold;		/* when set, it takes the buffers */
	uint64_t		pos;		/* bytes received so far */
	uint64_t		data;		/* data CQEs */
	uint64_t		events[ZCRX_EV_COUNT];
	bool			ended;
	int			end_err;
};

/*
 * The simulator's synthetic payload (lib/sim/sim_rx.c): byte i of a receive is
 * byte i % 8, little-endian, of mix64(seed + i / 8), mix64 being
 * splitmix64's finalizer.  Written out again here as the test's oracle.
 */
static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint8_t expected_byte(const struct rig *r, uint64_t pos)
{
	if (r->expect)
		return pos < r->expect_len ? r->expect[pos] : 0;
	return mix64(r->seed + pos / 8) >> (pos % 8 * 8);
}

static void check_payload(struct rig *r, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if (p[i] != expected_byte(r, r->pos + i))
			fail_msg("stream byte %llu is 0x%02x, sent 0x%02x",
				 (unsigned long long)(r->pos + i), p[i], expected_byte(r, r->pos + i));
	}
	if (r->expect)
		assert_true(r->pos + len <= r->expect_len);
	r->pos += len;
}

static int rig_open(struct rig *r, const struct zcrx_sim_params *sp,
		    const struct zcrx_ifq_opts *o)
{
	struct zcrx_diag d;
	int ret;

	memset(r, 0, sizeof(*r));
	r->seed = sp->seed;
	ret = zcrx_sim_ctx_create(&r->ctx, sp, NULL);
	if (ret)
		return ret;
	ret = zcrx_ifq_open(r->ctx, o, &r->ifq, &d);
	if (ret)
		fail_msg("zcrx_ifq_open: %s", d.msg);
	zcrx_ifq_info(r->ifq, &r->info);
	r->owned = calloc(r->info.nr_bufs, 1);
	assert_non_null(r->owned);
	return 0;
}

static void rig_close(struct rig *r)
{
	zcrx_ctx_destroy(r->ctx);
	free(r->owned);
}

#define RIG_OPEN(r, sp, o)							\
	do {									\
		if (rig_open(r, sp, o)) {					\
			print_message("# SKIP reason: no io_uring ring for the simulator\n"); \
			skip();							\
		}								\
	} while (0)

static uint32_t buf_index(const struct rig *r, uint64_t off)
{
	uint64_t pos = off & ~IORING_ZCRX_AREA_MASK;

	assert_true(pos < r->info.area_size);
	return pos / r->info.rx_buf_len;
}

/*
 * Submit what is prepared (the simulator's CQEs go with the caller's
 * submit), then everything on the CQ: check it, give data buffers back (or
 * to r->hold), one commit.
 */
static void reap(struct rig *r)
{
	struct io_uring *ring = zcrx_ctx_ring(r->ctx);
	struct zcrx_cqe_info ci;
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;
	uint32_t idx;
	int kind;

	assert_true(io_uring_submit_and_get_events(ring) >= 0);
	io_uring_for_each_cqe(ring, head, cqe) {
		n++;
		kind = zcrx_cqe_decode(r->ifq, cqe, &ci);
		switch (kind) {
		case ZCRX_CQE_DATA:
			idx = buf_index(r, ci.off);
			if (r->owned[idx])
				fail_msg("buffer %u delivered again while the application holds it",
					 idx);
			r->owned[idx] = 1;
			check_payload(r, ci.addr, ci.len);
			r->data++;
			if (r->hold) {
				assert_int_equal(zcrx_consumer_take(r->hold, &ci, 0), 0);
				break;
			}
			assert_int_equal(zcrx_buf_return(r->ifq, ci.off, ci.len), 0);
			r->owned[idx] = 0;
			break;
		case ZCRX_CQE_RECV_END:
			assert_false(r->ended);
			r->ended = true;
			r->end_err = ci.err;
			break;
		case ZCRX_CQE_EVENT:
			r->events[ci.event]++;
			break;
		case ZCRX_CQE_INTERNAL:
			break;
		default:
			fail_msg("CQE ud 0x%llx res %d decoded as %d", (unsigned long long)cqe->user_data,
				 cqe->res, kind);
		}
	}
	io_uring_cq_advance(ring, n);
	zcrx_buf_commit(r->ifq);
}

static void start_recv(struct rig *r, int fd, uint32_t len)
{
	struct io_uring *ring = zcrx_ctx_ring(r->ctx);
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	assert_non_null(sqe);
	assert_int_equal(zcrx_prep_recv_zc(r->ifq, sqe, fd, len, RECV_UD), 0);
	/* the receive, and the simulator's wake-up READ the first time */
	assert_true(io_uring_submit(ring) >= 1);
	reap(r);
}

static struct zcrx_sim_counters counters(const struct rig *r)
{
	struct zcrx_sim_counters c;

	assert_int_equal(zcrx_sim_counters(r->ifq, &c), 0);
	return c;
}

/* With nothing held by the application, every buffer is somewhere. */
static void assert_all_buffers_accounted(const struct rig *r)
{
	struct zcrx_sim_counters c = counters(r);

	assert_int_equal(c.rq_invalid, 0);
	assert_int_equal(c.free_bufs + c.rx_ring_fill + zcrx_rq_fill(r->ifq), r->info.nr_bufs);
	for (uint32_t i = 0; i < r->info.nr_bufs; i++)
		assert_int_equal(r->owned[i], 0);
}

static void run_synthetic(uint32_t pkt_size, uint32_t rx_buf_len, unsigned int batches)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 0x5eed0001,
				      .pkt_size = pkt_size };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 1 << 20, .rq_entries = 256,
				   .rx_buf_len = rx_buf_len };
	uint32_t buf = rx_buf_len ? rx_buf_len : (uint32_t)getpagesize();
	uint32_t frags = (pkt_size + buf - 1) / buf;
	struct zcrx_sim_counters c;
	struct rig r;

	RIG_OPEN(&r, &sp, &o);
	start_recv(&r, -1, 0);
	for (unsigned int i = 0; i < batches; i++) {
		assert_int_equal(zcrx_sim_step(r.ifq, BATCH), BATCH);
		reap(&r);
	}
	c = counters(&r);
	assert_int_equal(c.rx_packets, (uint64_t)batches * BATCH);
	assert_int_equal(c.rx_bytes, (uint64_t)batches * BATCH * pkt_size);
	assert_int_equal(r.pos, c.rx_bytes);
	assert_int_equal(r.data, (uint64_t)batches * BATCH * frags);
	/* every buffer went round many times */
	assert_true(r.data > 20 * r.info.nr_bufs);
	assert_int_equal(c.rx_dropped, 0);
	assert_int_equal(c.alloc_fail, 0);
	assert_false(r.ended);
	assert_all_buffers_accounted(&r);
	rig_close(&r);
}

static void test_synthetic_stream_intact_over_thousands_of_recycles(void **state)
{
	(void)state;
	run_synthetic(1448, 0, 300);
}

static void test_fragmented_packets_intact_with_large_buffers(void **state)
{
	(void)state;
	/* 9000 bytes in 8 KiB buffers: two fragments, the second short */
	run_synthetic(9000, 8192, 100);
}

static void test_tcp_stream_intact(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 7 };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 1 << 20, .rq_entries = 256 };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	size_t total = 3 << 19, sent = 0;
	int lfd, cfd, sfd, guard = 0;
	uint64_t x = 88172645463325252ULL;
	uint8_t *data;
	struct rig r;
	ssize_t n;

	(void)state;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen)) {
		print_message("# SKIP reason: no TCP listener on 127.0.0.1 here (%s)\n",
			      strerrorname_np(errno));
		skip();
	}
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(cfd >= 0);
	assert_true(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EINPROGRESS);
	sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(sfd >= 0);

	/* xorshift64: a stream that has nothing in common with the simulator's */
	data = malloc(total);
	assert_non_null(data);
	for (size_t i = 0; i < total; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[i] = x >> 24;
	}

	RIG_OPEN(&r, &sp, &o);
	r.expect = data;
	r.expect_len = total;
	start_recv(&r, sfd, 0);
	while (!r.ended) {
		if (sent < total) {
			n = send(cfd, data + sent, total - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				sent += n;
			else
				assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
			if (sent == total)
				assert_int_equal(shutdown(cfd, SHUT_WR), 0);
		}
		assert_true(zcrx_sim_step(r.ifq, BATCH) >= 0);
		reap(&r);
		if (++guard > 100000)
			fail_msg("no end after %llu of %zu bytes", (unsigned long long)r.pos, total);
	}
	/* EOF: the receive ends with res 0, after exactly what was sent */
	assert_int_equal(r.end_err, 0);
	assert_int_equal(r.pos, total);
	assert_int_equal(counters(&r).rx_bytes, total);
	assert_all_buffers_accounted(&r);

	rig_close(&r);
	close(sfd);
	close(cfd);
	close(lfd);
	free(data);
}

/* The check the tests above rely on can fail: a second return is seen. */
static void test_double_return_is_counted(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 3 };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 1 << 20, .rq_entries = 256 };
	struct rig r;

	(void)state;
	RIG_OPEN(&r, &sp, &o);
	start_recv(&r, -1, 0);
	assert_int_equal(zcrx_sim_step(r.ifq, 1), 1);
	reap(&r);
	/* buffer 0 went back once in reap; give it back again */
	assert_int_equal(zcrx_buf_return(r.ifq, 0, 1448), 0);
	zcrx_buf_commit(r.ifq);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(zcrx_sim_step(r.ifq, 1), 1);
		reap(&r);
	}
	assert_int_equal(counters(&r).rq_invalid, 1);
	rig_close(&r);
}

static void test_starvation_raises_one_alloc_fail_until_rearmed(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 11,
				      .rx_ring = 16 };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 32 * getpagesize(),
				   .rq_entries = 64, .events = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL) };
	struct zcrx_consumer_params hold_all = { .mode = ZCRX_CONSUME_HOLD, .hold = UINT32_MAX };
	struct zcrx_sim_counters c;
	char why[512];
	struct rig r;
	int i;

	(void)state;
	RIG_OPEN(&r, &sp, &o);
	assert_int_equal(zcrx_consumer_create(r.ifq, &hold_all, &r.hold), 0);
	start_recv(&r, -1, 0);

	/* the application keeps every buffer: the page pool runs dry, again and again */
	for (i = 0; i < 4; i++) {
		zcrx_sim_step(r.ifq, BATCH);
		reap(&r);
	}
	c = counters(&r);
	assert_int_equal(zcrx_consumer_held(r.hold), r.info.nr_bufs);
	assert_true(c.alloc_fail > 1);
	assert_true(c.rx_dropped > 0);
	assert_int_equal(r.events[ZCRX_EV_ALLOC_FAIL], 1);
	assert_true(zcrx_event_latched(r.ifq, ZCRX_EV_ALLOC_FAIL));

	/* re-armed while still starved: exactly one more */
	assert_int_equal(zcrx_event_arm(r.ifq, ZCRX_EV_ALLOC_FAIL), 0);
	assert_false(zcrx_event_latched(r.ifq, ZCRX_EV_ALLOC_FAIL));
	assert_int_equal(zcrx_event_arm(r.ifq, ZCRX_EV_ALLOC_FAIL), -EINVAL);
	zcrx_diagnose(ZCRX_OP_ARM, -EINVAL, NULL, 0, zcrx_ctx_caps(r.ctx), why, sizeof(why));
	assert_non_null(strstr(why, "nothing to re-arm"));
	for (i = 0; i < 4; i++) {
		zcrx_sim_step(r.ifq, BATCH);
		reap(&r);
	}
	assert_int_equal(r.events[ZCRX_EV_ALLOC_FAIL], 2);

	/* every buffer back: traffic flows, and nothing fires while it does */
	zcrx_consumer_destroy(r.hold);
	r.hold = NULL;
	memset(r.owned, 0, r.info.nr_bufs);
	assert_int_equal(zcrx_event_arm(r.ifq, ZCRX_EV_ALLOC_FAIL), 0);
	c = counters(&r);
	for (i = 0; i < 50; i++) {
		assert_int_equal(zcrx_sim_step(r.ifq, 8), 8);
		reap(&r);
	}
	assert_int_equal(r.events[ZCRX_EV_ALLOC_FAIL], 2);
	assert_int_equal(counters(&r).alloc_fail, c.alloc_fail);
	assert_all_buffers_accounted(&r);
	rig_close(&r);
}

static void test_copy_fallback_events_and_stats(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 5,
				      .copy_permille = 1000 };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 1 << 20, .rq_entries = 256,
				   .events = ZCRX_EV_MASK_ALL, .stats = true };
	struct zcrx_stats_snap snap;
	struct zcrx_sim_counters c;
	struct rig r;

	(void)state;
	RIG_OPEN(&r, &sp, &o);
	start_recv(&r, -1, 0);
	/*
	 * Copies come from the free list, and come back only when the page pool
	 * next takes from the refill ring: stay below the free list's size.
	 */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(zcrx_sim_step(r.ifq, BATCH), BATCH);
		reap(&r);
	}
	c = counters(&r);
	assert_int_equal(c.copied, 4 * BATCH);
	assert_int_equal(r.events[ZCRX_EV_COPY], 1);
	assert_int_equal(r.events[ZCRX_EV_ALLOC_FAIL], 0);
	assert_int_equal(zcrx_stats_read(r.ifq, &snap), 0);
	assert_int_equal(snap.copy_count, c.copied);
	assert_int_equal(snap.copy_bytes, c.rx_bytes);

	assert_int_equal(zcrx_event_arm(r.ifq, ZCRX_EV_COPY), 0);
	assert_int_equal(zcrx_sim_step(r.ifq, BATCH), BATCH);
	reap(&r);
	assert_int_equal(r.events[ZCRX_EV_COPY], 2);
	assert_all_buffers_accounted(&r);
	rig_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_stream_intact_over_thousands_of_recycles),
		cmocka_unit_test(test_fragmented_packets_intact_with_large_buffers),
		cmocka_unit_test(test_tcp_stream_intact),
		cmocka_unit_test(test_double_return_is_counted),
		cmocka_unit_test(test_starvation_raises_one_alloc_fail_until_rearmed),
		cmocka_unit_test(test_copy_fallback_events_and_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
