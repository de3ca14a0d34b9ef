// SPDX-License-Identifier: MIT
/*
 * Growing a live ifq (ZCRX_CTRL_ADD_AREA, Linux 7.3) on the simulator's 7.3
 * release: the new area gets id 1 and token 1 << 48, data lands in it once
 * area 0 is in use, CQEs carry its id, decode points into it, and buffers go
 * back with its token.  What the kernel would refuse is refused before the
 * call, in words; a 7.2 kernel has no ADD_AREA at all.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "zcrx.h"
#include "zcrx_sim.h"
#include "kabi.h"
#include "backend.h"

#define RECV_UD		42
#define PAGE		4096U
#define AREA0		(4 * PAGE)

struct rig {
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	uint64_t		held[64];	/* data CQE offs not yet returned */
	uint32_t		nr_held;
	uint32_t		per_area[4];	/* data CQEs by area id */
};

/* the library's calls, or its inline helpers (zcrx.h): the same answers */
static bool inline_path;

static int set_inline(void **state)
{
	(void)state;
	inline_path = true;
	return 0;
}

static int set_calls(void **state)
{
	(void)state;
	inline_path = false;
	return 0;
}

static int decode(struct zcrx_ifq *ifq, const struct io_uring_cqe *cqe, struct zcrx_cqe_info *ci)
{
	if (inline_path)
		return zcrx_cqe_decode_fast(zcrx_ifq_fast(ifq), cqe, ci);
	return zcrx_cqe_decode(ifq, cqe, ci);
}

static int buf_return(struct zcrx_ifq *ifq, uint64_t off, uint32_t len)
{
	if (inline_path)
		return zcrx_buf_return_fast(zcrx_ifq_fast(ifq), off, len);
	return zcrx_buf_return(ifq, off, len);
}

static void rig_open(struct rig *r, uint32_t release, bool nodev)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .pkt_size = PAGE,
				      .seed = 7, .release = release };
	struct zcrx_ifq_opts o = { .ifname = nodev ? NULL : "sim0", .nodev = nodev,
				   .area_size = AREA0, .rq_entries = 64 };
	struct zcrx_diag d;

	memset(r, 0, sizeof(*r));
	if (zcrx_sim_ctx_create(&r->ctx, &sp, NULL)) {
		print_message("# SKIP reason: no io_uring ring for the simulator\n");
		skip();
	}
	if (zcrx_ifq_open(r->ctx, &o, &r->ifq, &d))
		fail_msg("zcrx_ifq_open: %s", d.msg);
}

/* Submit, decode everything; data is held (hold) or returned at once. */
static void reap(struct rig *r, bool hold)
{
	struct io_uring *ring = zcrx_ctx_ring(r->ctx);
	struct zcrx_area_info ai;
	struct zcrx_cqe_info ci;
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;
	uint32_t id;

	assert_true(io_uring_submit_and_get_events(ring) >= 0);
	io_uring_for_each_cqe(ring, head, cqe) {
		n++;
		if (decode(r->ifq, cqe, &ci) != ZCRX_CQE_DATA)
			continue;
		id = ci.off >> IORING_ZCRX_AREA_SHIFT;
		assert_int_equal(zcrx_ifq_area(r->ifq, id, &ai), 0);
		/* the address is inside the CQE's own area */
		assert_true((char *)ci.addr >= (char *)ai.addr);
		assert_true((char *)ci.addr + ci.len <= (char *)ai.addr + ai.size);
		assert_ptr_equal(ci.addr, (char *)ai.addr + (ci.off & ~IORING_ZCRX_AREA_MASK));
		r->per_area[id < 4 ? id : 3]++;
		if (hold)
			r->held[r->nr_held++] = ci.off;
		else
			assert_int_equal(buf_return(r->ifq, ci.off, ci.len), 0);
	}
	io_uring_cq_advance(ring, n);
	zcrx_buf_commit(r->ifq);
}

static void start_recv(struct rig *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(zcrx_ctx_ring(r->ctx));

	assert_non_null(sqe);
	assert_int_equal(zcrx_prep_recv_zc(r->ifq, sqe, ZCRX_SIM_SYNTH_FD, 0, RECV_UD), 0);
	reap(r, true);
}

static void packets(struct rig *r, unsigned int n, bool hold)
{
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(zcrx_sim_step(r->ifq, 1), 1);
		reap(r, hold);
	}
}

static void data_lands_in_the_new_area_and_goes_back_with_its_token(void **state)
{
	struct zcrx_area_opts ao = { .area_size = 2 * PAGE };
	struct zcrx_sim_counters c;
	struct zcrx_ifq_info info;
	struct zcrx_area_info ai;
	struct zcrx_diag d;
	struct rig r;
	uint32_t id = 99;

	(void)state;
	rig_open(&r, ZCRX_SIM_LINUX_7_3, false);
	start_recv(&r);
	/* area 0's four buffers, held: the queue is starved */
	packets(&r, 4, true);
	assert_int_equal(r.per_area[0], 4);
	assert_int_equal(zcrx_ifq_add_area(r.ifq, &ao, &id, &d), 0);
	assert_int_equal(id, 1);
	assert_int_equal(zcrx_ifq_area(r.ifq, 1, &ai), 0);
	assert_int_equal(ai.token, 1ULL << IORING_ZCRX_AREA_SHIFT);
	assert_int_equal(ai.size, 2 * PAGE);
	assert_int_equal(ai.nr_bufs, 2);
	assert_int_equal(zcrx_ifq_area(r.ifq, 2, &ai), -ENOENT);
	zcrx_ifq_info(r.ifq, &info);
	assert_int_equal(info.nr_areas, 2);
	assert_int_equal(info.area_size, AREA0 + 2 * PAGE);
	assert_int_equal(info.nr_bufs, 6);

	/* the next two packets can only land in area 1 */
	packets(&r, 2, true);
	assert_int_equal(r.per_area[1], 2);
	/* every buffer back, area 1's with its token: none is refused */
	for (uint32_t i = 0; i < r.nr_held; i++)
		assert_int_equal(buf_return(r.ifq, r.held[i], 1), 0);
	r.nr_held = 0;
	zcrx_buf_commit(r.ifq);
	/* and round again, returned at once */
	packets(&r, 20, false);
	assert_int_equal(zcrx_sim_counters(r.ifq, &c), 0);
	assert_int_equal(c.rq_invalid, 0);
	assert_int_equal(c.rx_packets, 26);
	assert_int_equal(r.per_area[0] + r.per_area[1], 26);
	/* each area's count, what the fast path counted included */
	assert_int_equal(zcrx_ifq_area(r.ifq, 0, &ai), 0);
	assert_int_equal(ai.rx_buffers, r.per_area[0]);
	assert_int_equal(zcrx_ifq_area(r.ifq, 1, &ai), 0);
	assert_int_equal(ai.rx_buffers, r.per_area[1]);
	zcrx_ctx_destroy(r.ctx);
}

static void nodev_stall_resumes_on_the_new_area(void **state)
{
	struct zcrx_area_opts ao = { 0 };
	struct zcrx_diag d;
	struct rig r;

	(void)state;
	rig_open(&r, ZCRX_SIM_LINUX_7_3, true);
	start_recv(&r);
	/* every byte of a NODEV ifq is copied: four pages fill area 0 */
	packets(&r, 4, true);
	assert_int_equal(r.per_area[0], 4);
	assert_int_equal(zcrx_sim_step(r.ifq, 1), 0);
	reap(&r, true);
	assert_int_equal(zcrx_recv_stalls(r.ifq), 1);
	/* area_size 0: as large as area 0; the stalled receive goes again */
	assert_int_equal(zcrx_ifq_add_area(r.ifq, &ao, NULL, &d), 0);
	packets(&r, 4, true);
	assert_int_equal(r.per_area[1], 4);
	zcrx_ctx_destroy(r.ctx);
}

static void refused_before_the_call_in_words(void **state)
{
	struct zcrx_area_opts ao = { 0 };
	struct zcrx_diag d;
	struct rig r;
	uint8_t *mem;
	int ret;

	(void)state;
	rig_open(&r, ZCRX_SIM_LINUX_7_3, false);
	ao.rx_buf_len = 2 * PAGE;
	assert_int_equal(zcrx_ifq_add_area(r.ifq, &ao, NULL, &d), -EINVAL);
	assert_int_equal(d.stage, ZCRX_STAGE_ARGS);
	assert_non_null(strstr(d.msg, "rx_buf_len 8192 is not zcrx_id"));

	ao = (struct zcrx_area_opts){ .backing = ZCRX_AREA_DMABUF };
	assert_int_equal(zcrx_ifq_add_area(r.ifq, &ao, NULL, &d), -EINVAL);
	assert_int_equal(d.stage, ZCRX_STAGE_ARGS);
	assert_non_null(strstr(d.msg, "no dmabuf area beside them"));

	ao = (struct zcrx_area_opts){ .area_size = PAGE + 1 };
	assert_int_equal(zcrx_ifq_add_area(r.ifq, &ao, NULL, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "multiple of the page size"));

	ao = (struct zcrx_area_opts){ .__resv[5] = 1 };
	assert_int_equal(zcrx_ifq_add_area(r.ifq, &ao, NULL, &d), -EINVAL);

	/* the kernel's limit: 1024 areas, then no more (one page each, caller memory) */
	mem = mmap(NULL, (size_t)ZCRX_AREAS_MAX * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	for (uint32_t i = 1; i < ZCRX_AREAS_MAX; i++) {
		ao = (struct zcrx_area_opts){ .area_size = PAGE, .backing = ZCRX_AREA_USER,
					      .area_addr = mem + (size_t)i * PAGE };
		ret = zcrx_ifq_add_area(r.ifq, &ao, NULL, &d);
		if (ret)
			fail_msg("area %u: %s", i, d.msg);
	}
	ret = zcrx_ifq_add_area(r.ifq, &ao, NULL, &d);
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(d.stage, ZCRX_STAGE_ARGS);
	assert_non_null(strstr(d.msg, "1024 areas, the kernel's limit"));
	/* an area id the ifq does not have goes back nowhere */
	assert_int_equal(zcrx_buf_return(r.ifq, (uint64_t)ZCRX_AREAS_MAX << 48, 1), -EINVAL);
	zcrx_ctx_destroy(r.ctx);
	munmap(mem, (size_t)ZCRX_AREAS_MAX * PAGE);
}

static void a_7_2_kernel_has_no_add_area(void **state)
{
	struct zcrx_area_opts ao = { 0 };
	struct zcrx_diag d;
	struct rig r;

	(void)state;
	rig_open(&r, 0, false);
	assert_int_equal(zcrx_ifq_add_area(r.ifq, &ao, NULL, &d), -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_CAPS);
	assert_non_null(strstr(d.msg, "needs Linux 7.3"));
	zcrx_ctx_destroy(r.ctx);
}

/* A CQE naming an area the ifq does not have is not ours to trust. */
static void decode_refuses_an_unknown_area_id(void **state)
{
	struct io_uring_sqe *sqe;
	struct zcrx_cqe_info ci;
	uint64_t raw[4] = { RECV_UD, 0, 1ULL << IORING_ZCRX_AREA_SHIFT, 0 };
	struct io_uring_cqe *cqe = (struct io_uring_cqe *)raw;
	struct rig r;

	(void)state;
	rig_open(&r, ZCRX_SIM_LINUX_7_3, false);
	sqe = io_uring_get_sqe(zcrx_ctx_ring(r.ctx));
	assert_int_equal(zcrx_prep_recv_zc(r.ifq, sqe, ZCRX_SIM_SYNTH_FD, 0, RECV_UD), 0);
	cqe->res = 100;
	cqe->flags = IORING_CQE_F_MORE;
	assert_int_equal(zcrx_cqe_decode(r.ifq, cqe, &ci), -EPROTO);
	/* area 0 at the same offset is fine */
	raw[2] = 0;
	assert_int_equal(zcrx_cqe_decode(r.ifq, cqe, &ci), ZCRX_CQE_DATA);
	zcrx_ctx_destroy(r.ctx);
}

/*
 * Decode's fast path (the receive and area of the last data CQE) refuses
 * and recognises exactly what the full path does: each CQE below follows
 * a good data CQE of RECV_UD in area 1, so it meets the fast path first.
 */
static void decode_after_a_data_cqe_checks_area_and_receive(void **state)
{
	uint64_t raw[4] = { RECV_UD, 0, 0, 0 };
	struct io_uring_cqe *cqe = (struct io_uring_cqe *)raw;
	uint64_t a1 = 1ULL << IORING_ZCRX_AREA_SHIFT;
	struct zcrx_area_opts ao = { 0 };
	struct zcrx_area_info ai0, ai1;
	struct io_uring_sqe *sqe;
	struct zcrx_cqe_info ci;
	struct rig r;
	int n, ret;

	/* a 16-byte CQE (malloc'ed, so a read past it is caught) under user_data 0 */
	struct io_uring_cqe *small = calloc(1, sizeof(*small));

	(void)state;
	assert_non_null(small);
	small->res = 100;
	small->flags = IORING_CQE_F_MORE;
	rig_open(&r, ZCRX_SIM_LINUX_7_3, false);
	assert_int_equal(decode(r.ifq, small, &ci), ZCRX_CQE_NOT_OURS);
	assert_int_equal(zcrx_ifq_add_area(r.ifq, &ao, NULL, NULL), 0);
	assert_int_equal(zcrx_ifq_area(r.ifq, 0, &ai0), 0);
	assert_int_equal(zcrx_ifq_area(r.ifq, 1, &ai1), 0);
	sqe = io_uring_get_sqe(zcrx_ctx_ring(r.ctx));
	assert_int_equal(zcrx_prep_recv_zc(r.ifq, sqe, ZCRX_SIM_SYNTH_FD, 0, RECV_UD), 0);
	sqe = io_uring_get_sqe(zcrx_ctx_ring(r.ctx));
	assert_int_equal(zcrx_prep_recv_zc(r.ifq, sqe, ZCRX_SIM_SYNTH_FD, 0, RECV_UD + 1), 0);
	cqe->res = 100;
#define DECODE(off, ud) (raw[2] = (off), raw[0] = (ud), decode(r.ifq, cqe, &ci))
	assert_int_equal(DECODE(a1 | PAGE, RECV_UD), ZCRX_CQE_DATA);
	assert_ptr_equal(ci.addr, (char *)ai1.addr + PAGE);
	/* past the end of area 1, an area the ifq does not have, a wrap below area 1 */
	assert_int_equal(DECODE(a1 | (ai1.size - 50), RECV_UD), -EPROTO);
	assert_int_equal(DECODE(a1 | ai1.size, RECV_UD), -EPROTO);
	assert_int_equal(DECODE(2 * a1, RECV_UD), -EPROTO);
	assert_int_equal(DECODE(a1 - 50, RECV_UD), -EPROTO);
	/* area 0 is still area 0, at its own address */
	assert_int_equal(DECODE(PAGE, RECV_UD), ZCRX_CQE_DATA);
	assert_ptr_equal(ci.addr, (char *)ai0.addr + PAGE);
	assert_int_equal(DECODE(AREA0 - 50, RECV_UD), -EPROTO);
	/* another receive's CQE is that receive's; an unknown user_data is not ours */
	assert_int_equal(DECODE(2 * PAGE, RECV_UD + 1), ZCRX_CQE_DATA);
	assert_int_equal(ci.user_data, RECV_UD + 1);
	assert_int_equal(DECODE(2 * PAGE, RECV_UD + 2), ZCRX_CQE_NOT_OURS);
	/* the receive that ended is forgotten, fast path or not */
	assert_int_equal(DECODE(PAGE, RECV_UD), ZCRX_CQE_DATA);
	cqe->res = 0;
	assert_int_equal(DECODE(0, RECV_UD), ZCRX_CQE_RECV_END);
	cqe->res = 100;
	assert_int_equal(DECODE(PAGE, RECV_UD), ZCRX_CQE_NOT_OURS);
	assert_int_equal(decode(r.ifq, small, &ci), ZCRX_CQE_NOT_OURS);
	free(small);
#undef DECODE
	assert_int_equal(ai1.rx_buffers, 0);
	assert_int_equal(zcrx_ifq_area(r.ifq, 0, &ai0), 0);
	assert_int_equal(zcrx_ifq_area(r.ifq, 1, &ai1), 0);
	assert_int_equal(ai0.rx_buffers, 3);
	assert_int_equal(ai1.rx_buffers, 1);
	/* the server's "held": decoded in any area, less what went back, never below 0 */
	assert_int_equal(zcrx_ifq_held(r.ifq), 4);
	assert_int_equal(buf_return(r.ifq, a1 | PAGE, PAGE), 0);
	assert_int_equal(zcrx_ifq_held(r.ifq), 3);
	for (int i = 0; i < 5; i++)
		assert_int_equal(buf_return(r.ifq, PAGE, PAGE), 0);
	assert_int_equal(zcrx_ifq_held(r.ifq), 0);
	/* an area the ifq does not have; then the ring (64 entries) fills */
	assert_int_equal(buf_return(r.ifq, 2 * a1, PAGE), -EINVAL);
	for (n = 0; n < 1000 && (ret = buf_return(r.ifq, a1 | PAGE, PAGE)) == 0; n++)
		;
	assert_int_equal(ret, -ENOSPC);
	assert_int_equal(n, 64 - 6);
	zcrx_ctx_destroy(r.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(data_lands_in_the_new_area_and_goes_back_with_its_token),
		cmocka_unit_test_setup_teardown(data_lands_in_the_new_area_and_goes_back_with_its_token,
						set_inline, set_calls),
		cmocka_unit_test(nodev_stall_resumes_on_the_new_area),
		cmocka_unit_test(refused_before_the_call_in_words),
		cmocka_unit_test(a_7_2_kernel_has_no_add_area),
		cmocka_unit_test(decode_refuses_an_unknown_area_id),
		cmocka_unit_test(decode_after_a_data_cqe_checks_area_and_receive),
		cmocka_unit_test_setup_teardown(decode_after_a_data_cqe_checks_area_and_receive,
						set_inline, set_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
