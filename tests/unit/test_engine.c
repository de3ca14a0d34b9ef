// SPDX-License-Identifier: MIT
/*
 * The engine above the seam: option checks, generation checks, the structs
 * ifq_open builds, CQE decode, refill ring writes, arming and stats.  Most
 * tests put the fake kernel of engine_fixture.h behind the seam; the last
 * ones ask this machine's real kernel and the simulator.  Diagnosis texts
 * and consumer policies are in test_diag.c.
 */
#include <stdio.h>
#include <net/if.h>
#include <sys/mman.h>

#include "engine_fixture.h"
#include "zcrx_diag.h"

#define NO_SUCH_IF	"zcrxt-none0"

/* A kernel from before the query op (pre-6.18): every query is EINVAL. */
static void caps_pre_query(struct zcrx_caps *c)
{
	caps_618(c);
	c->nr_register_opcodes = 0;
	c->query_err = c->opcodes_err = c->zcrx_query_err = c->event_query_err = -EINVAL;
	zcrx_caps_derive(c);
}

static void expect_refusal(struct fixture *fx, const struct zcrx_ifq_opts *o, int err,
			   enum zcrx_stage stage, const char *phrase)
{
	struct zcrx_ifq *ifq = NULL;
	int before = fx->fake.nr_register;

	assert_int_equal(zcrx_ifq_open(fx->ctx, o, &ifq, &fx->diag), err);
	assert_null(ifq);
	assert_int_equal(fx->diag.err, err);
	assert_int_equal(fx->diag.stage, stage);
	if (!strstr(fx->diag.msg, phrase))
		fail_msg("\"%s\" lacks \"%s\"", fx->diag.msg, phrase);
	if (stage < ZCRX_STAGE_REGISTER)
		assert_int_equal(fx->fake.nr_register, before);
}

static bool mapped(void *addr)
{
	unsigned char vec;

	return !mincore(addr, 1, &vec);
}

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

static void test_open_refuses_bad_options(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o;

	o = opts_eth0();
	o.ifname = NULL;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "ifname or ifindex");

	o = opts_eth0();
	o.area_size = PAGE * 4 + 100;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "multiple of the page size");

	o = opts_eth0();
	o.area_size = PAGE * 2;
	o.rx_buf_len = PAGE * 4;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "at least one");

	o = opts_eth0();
	o.rx_buf_len = PAGE * 3;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "power of two");

	o = opts_eth0();
	o.rx_buf_len = PAGE / 2;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "power of two");

	o = opts_eth0();
	o.rq_entries = 32769;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "32768");

	o = opts_eth0();
	o.events = 0x4;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "outside the known types");

	o = opts_eth0();
	o.backing = ZCRX_AREA_USER;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "page-aligned");
	o.area_addr = (char *)fx + 1;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "page-aligned");

	o = opts_eth0();
	o.backing = 7;
	expect_refusal(fx, &o, -EINVAL, ZCRX_STAGE_ARGS, "backing");
	assert_int_equal(fx->fake.nr_register, 0);
}

static void test_clamp_ring_allows_large_rq(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_ifq_info info;
	struct zcrx_ifq *ifq;

	fx->ctx->ring_flags |= ZCRX_SETUP_CLAMP;
	o.rq_entries = 100000;
	ifq = open_ok(fx, &o);
	assert_int_equal(fx->fake.reg.rq_entries, 32768);
	zcrx_ifq_info(ifq, &info);
	assert_int_equal(info.rq_entries, 32768);
	assert_true(fx->fake.region.size >= 64 + 16 * 32768);
}

/* ------------------------------------------------------------------ */
/* Generations: refused before any syscall                             */
/* ------------------------------------------------------------------ */

static void test_no_event_kernels_refuse_events_before_register(void **state)
{
	struct fixture *fx = fixture(state);
	void (*gens[])(struct zcrx_caps *) = { caps_pre_query, caps_618, caps_71 };
	struct zcrx_ifq_opts o = opts_eth0();

	for (size_t i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
		gens[i](&fx->ctx->caps);
		o = opts_eth0();
		o.events = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
		expect_refusal(fx, &o, -EOPNOTSUPP, ZCRX_STAGE_CAPS,
			       "this kernel has no zcrx events (Linux 7.2 adds them");
		assert_non_null(strstr(fx->diag.msg, "open without events"));
		o = opts_eth0();
		o.stats = true;
		expect_refusal(fx, &o, -EOPNOTSUPP, ZCRX_STAGE_CAPS, "open without stats");
		/* without events it goes ahead, with no event descriptor */
		o = opts_eth0();
		o.events_default = true;
		zcrx_ifq_close(open_ok(fx, &o));
		assert_int_equal(fx->fake.reg.event_desc, 0);
	}
	assert_int_equal(fx->fake.nr_register, 3);
}

static void test_may2026_alloc_fail_only(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_ifq_info info;
	struct zcrx_ifq *ifq;

	caps_may(&fx->ctx->caps);
	o.events = ZCRX_EV_MASK_ALL;
	expect_refusal(fx, &o, -EOPNOTSUPP, ZCRX_STAGE_CAPS, "alloc-fail only");
	assert_non_null(strstr(fx->diag.msg, "open without copy"));
	o = opts_eth0();
	o.events = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
	o.stats = true;
	expect_refusal(fx, &o, -EOPNOTSUPP, ZCRX_STAGE_CAPS, "no stats");

	o = opts_eth0();
	o.events_default = true;
	ifq = open_ok(fx, &o);
	zcrx_ifq_info(ifq, &info);
	assert_int_equal(info.events, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL));
	assert_int_equal(info.gen, ZCRX_GEN_MAY2026);
	assert_int_equal(fx->fake.ed.type_mask, 0x1);
	/* the May posting reserves bytes 12..23 of the descriptor */
	assert_int_equal(fx->fake.ed.flags, 0);
	assert_int_equal(fx->fake.ed.stats_offset, 0);
}

static void test_rx_buf_len_needs_feature(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();

	caps_618(&fx->ctx->caps);
	o.rx_buf_len = PAGE * 4;
	expect_refusal(fx, &o, -EOPNOTSUPP, ZCRX_STAGE_CAPS, "ZCRX_FEATURE_RX_PAGE_SIZE");
	/* the page size is what 0 means: never sent to a kernel that lacks the field */
	o.rx_buf_len = PAGE;
	zcrx_ifq_close(open_ok(fx, &o));
	assert_int_equal(fx->fake.reg.rx_buf_len, 0);
}

static void test_kernel_without_zcrx_refused_at_caps(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();

	caps_pre_query(&fx->ctx->caps);
	fx->ctx->caps.zcrx_reg_err = -EINVAL;
	expect_refusal(fx, &o, -EOPNOTSUPP, ZCRX_STAGE_CAPS, "Linux 6.15");
	fx->ctx->caps.zcrx_reg_err = -EOPNOTSUPP;
	expect_refusal(fx, &o, -EOPNOTSUPP, ZCRX_STAGE_CAPS, "CONFIG_IO_URING_ZCRX");
}

/* ------------------------------------------------------------------ */
/* What ifq_open builds                                                */
/* ------------------------------------------------------------------ */

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static void test_registration_structs_72(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct fake *f = &fx->fake;
	struct zcrx_ifq_info info;
	struct zcrx_ifq *ifq;
	uint64_t stats_off = 64 + 16 * 4096;

	o.events_default = true;
	o.stats = true;
	o.rq_entries = 3000;
	ifq = open_ok(fx, &o);
	zcrx_ifq_info(ifq, &info);

	assert_int_equal(f->reg.if_idx, 0);	/* a backend without netdevs */
	assert_int_equal(f->reg.if_rxq, 3);
	assert_int_equal(f->reg.rq_entries, 3000);
	assert_int_equal(f->reg.flags, 0);
	assert_int_equal(f->reg.zcrx_id, 0);
	assert_int_equal(f->reg.rx_buf_len, 0);
	assert_true(all_zero(&f->reg.offsets, sizeof(f->reg.offsets)));
	assert_true(all_zero(f->reg.__resv, sizeof(f->reg.__resv)));

	assert_int_equal(f->area.len, 8 << 20);
	assert_int_equal(f->area.addr, (uintptr_t)info.area);
	assert_int_equal(f->area.addr % PAGE, 0);
	assert_int_equal(f->area.rq_area_token, 0);
	assert_int_equal(f->area.flags, 0);
	assert_int_equal(f->area.dmabuf_fd, 0);
	assert_true(all_zero(f->area.__resv2, sizeof(f->area.__resv2)));

	/* header from the zcrx query (ALIGN(8, 64)), RQEs for 4096, then stats */
	assert_int_equal(f->region.flags, IORING_MEM_REGION_TYPE_USER);
	assert_int_equal(f->region.user_addr % PAGE, 0);
	assert_int_equal(f->region.size, (stats_off + 16 + PAGE - 1) / PAGE * PAGE);
	assert_int_equal(f->region.id, 0);
	assert_int_equal(f->region.mmap_offset, 0);
	assert_true(all_zero(f->region.__resv, sizeof(f->region.__resv)));

	assert_int_not_equal(f->reg.event_desc, 0);
	assert_true(f->ed.user_data == ZCRX_EVENT_UD_DEFAULT);
	assert_int_equal(f->ed.type_mask, 0x3);
	assert_int_equal(f->ed.flags, ZCRX_EVENT_DESC_FLAG_STATS);
	assert_int_equal(f->ed.stats_offset, stats_off);
	assert_true(all_zero(f->ed.__resv2, sizeof(f->ed.__resv2)));

	assert_int_equal(info.rq_entries, 4096);
	assert_int_equal(info.rx_buf_len, PAGE);
	assert_int_equal(info.nr_bufs, (8 << 20) / PAGE);
	assert_int_equal(info.events, 0x3);
	assert_true(info.stats);
}

static void test_region_header_is_a_page_without_query(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();

	caps_pre_query(&fx->ctx->caps);
	o.rq_entries = 512;
	zcrx_ifq_close(open_ok(fx, &o));
	assert_int_equal(fx->fake.region.size, (PAGE + 16 * 512 + PAGE - 1) / PAGE * PAGE);
	assert_int_equal(fx->fake.reg.event_desc, 0);
}

static void test_no_event_desc_without_events_or_stats(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_stats_snap snap;
	struct zcrx_ifq *ifq;

	ifq = open_ok(fx, &o);
	assert_int_equal(fx->fake.reg.event_desc, 0);
	assert_int_equal(zcrx_stats_read(ifq, &snap), -EOPNOTSUPP);
	zcrx_ifq_close(ifq);

	/* stats alone: a descriptor with type_mask 0 */
	o.stats = true;
	ifq = open_ok(fx, &o);
	assert_int_not_equal(fx->fake.reg.event_desc, 0);
	assert_int_equal(fx->fake.ed.type_mask, 0);
	assert_int_equal(fx->fake.ed.flags, ZCRX_EVENT_DESC_FLAG_STATS);
}

static void test_writeback_is_what_counts(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_ifq_info info;
	struct zcrx_ifq *ifq;

	o.rq_entries = 100;
	o.rx_buf_len = PAGE * 2;
	fx->fake.wb_rq_entries = 128;
	fx->fake.wb_zcrx_id = 9;
	fx->fake.wb_rx_buf_len = PAGE * 4;	/* a kernel may pick a larger size */
	ifq = open_ok(fx, &o);
	assert_int_equal(fx->fake.reg.rx_buf_len, PAGE * 2);
	zcrx_ifq_info(ifq, &info);
	assert_int_equal(info.zcrx_id, 9);
	assert_int_equal(info.rq_entries, 128);
	assert_int_equal(info.rx_buf_len, PAGE * 4);
	assert_int_equal(info.nr_bufs, (8 << 20) / (PAGE * 4));
}

static void test_bad_writeback_refused_and_unwound(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_ifq *ifq = NULL;

	o.rq_entries = 64;
	fx->fake.wb_off.rqes = 1 << 20;		/* beyond the region */
	assert_int_equal(zcrx_ifq_open(fx->ctx, &o, &ifq, &fx->diag), -EPROTO);
	assert_int_equal(fx->diag.stage, ZCRX_STAGE_REGISTER);
	assert_int_equal(fx->fake.nr_unregister, 1);
	assert_false(mapped((void *)(uintptr_t)fx->fake.area.addr));
	assert_false(mapped((void *)(uintptr_t)fx->fake.region.user_addr));

	fx->fake.wb_off.rqes = 64;
	fx->fake.wb_rq_entries = 48;		/* not a power of two */
	assert_int_equal(zcrx_ifq_open(fx->ctx, &o, &ifq, &fx->diag), -EPROTO);
	assert_null(fx->ctx->ifqs);
}

static void test_register_failure_unwinds(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_ifq *ifq = NULL;
	void *user;

	fx->fake.reg_ret = -EPERM;
	assert_int_equal(zcrx_ifq_open(fx->ctx, &o, &ifq, &fx->diag), -EPERM);
	assert_int_equal(fx->diag.stage, ZCRX_STAGE_REGISTER);
	assert_int_equal(fx->diag.err, -EPERM);
	assert_non_null(strstr(fx->diag.msg, "CAP_NET_ADMIN"));
	assert_non_null(strstr(fx->diag.msg, "EPERM"));
	assert_false(mapped((void *)(uintptr_t)fx->fake.area.addr));
	assert_false(mapped((void *)(uintptr_t)fx->fake.region.user_addr));
	assert_null(fx->ctx->ifqs);

	/* caller memory is the caller's: still mapped after a failure */
	user = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(user != MAP_FAILED);
	o.backing = ZCRX_AREA_USER;
	o.area_addr = user;
	o.area_size = 1 << 20;
	assert_int_equal(zcrx_ifq_open(fx->ctx, &o, &ifq, &fx->diag), -EPERM);
	assert_true(fx->fake.area.addr == (uintptr_t)user);
	assert_true(mapped(user));
	munmap(user, 1 << 20);
}

static void test_huge_area_rounds_to_2m(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_ifq *ifq = NULL;
	int ret;

	o.backing = ZCRX_AREA_HUGE_2M;
	o.area_size = 3 << 20;
	ret = zcrx_ifq_open(fx->ctx, &o, &ifq, &fx->diag);
	if (ret) {
		/* no huge pages reserved here: the failure must say how to get them */
		assert_int_equal(fx->diag.stage, ZCRX_STAGE_MEMORY);
		assert_non_null(strstr(fx->diag.msg, "vm.nr_hugepages=2"));
		assert_int_equal(fx->fake.nr_register, 0);
		return;
	}
	assert_int_equal(fx->fake.area.len, 4 << 20);
	assert_int_equal(fx->fake.area.addr % (2 << 20), 0);
}

/* ------------------------------------------------------------------ */
/* CQE decode                                                          */
/* ------------------------------------------------------------------ */

/* A 32-byte CQE as the kernel writes it. */
struct cqe32 {
	uint64_t	q[4];
};

static struct io_uring_cqe *mk_cqe(struct cqe32 *c, uint64_t ud, int32_t res, uint32_t flags,
				   uint64_t off)
{
	struct io_uring_cqe *cqe = (struct io_uring_cqe *)c;

	memset(c, 0, sizeof(*c));
	cqe->user_data = ud;
	cqe->res = res;
	cqe->flags = flags;
	cqe->big_cqe[0] = off;
	return cqe;
}

static void test_decode_event_cqe(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_cqe_info ci;
	struct zcrx_ifq *ifq;
	struct cqe32 c;

	o.events = ZCRX_EV_MASK(ZCRX_EV_COPY);
	o.event_user_data = 0x1234;
	ifq = open_ok(fx, &o);
	assert_false(zcrx_event_latched(ifq, ZCRX_EV_COPY));
	/* res is the type index (1 = copy), flags 0 */
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 0x1234, 1, 0, 0), &ci), ZCRX_CQE_EVENT);
	assert_int_equal(ci.kind, ZCRX_CQE_EVENT);
	assert_int_equal(ci.event, ZCRX_EV_COPY);
	assert_true(zcrx_event_latched(ifq, ZCRX_EV_COPY));
	assert_false(zcrx_event_latched(ifq, ZCRX_EV_ALLOC_FAIL));
	/* a type not enabled, or not an index at all, is not ours to believe */
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 0x1234, 0, 0, 0), &ci), -EPROTO);
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 0x1234, 2, 0, 0), &ci), -EPROTO);
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 0x1234, -1, 0, 0), &ci), -EPROTO);
	assert_false(zcrx_event_latched(ifq, ZCRX_EV_ALLOC_FAIL));
}

static void test_decode_data_and_end(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct io_uring_sqe sqe;
	struct zcrx_cqe_info ci;
	struct zcrx_ifq_info info;
	struct zcrx_ifq *ifq;
	struct cqe32 c;
	uint64_t tok = 0;

	ifq = open_ok(fx, &o);
	zcrx_ifq_info(ifq, &info);
	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 77), 0);
	assert_int_equal(sqe.user_data, 77);

	/* area id in bits 63..48, offset below */
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 77, 1000, ZCRX_CQE_F_MORE,
						     tok | (3 * PAGE + 8)), &ci), ZCRX_CQE_DATA);
	assert_ptr_equal(ci.addr, (char *)info.area + 3 * PAGE + 8);
	assert_int_equal(ci.len, 1000);
	assert_true(ci.off == (tok | (3 * PAGE + 8)));
	assert_true(ci.more);
	assert_int_equal(ci.user_data, 77);

	/* an offset outside the area is refused, not turned into a pointer */
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 77, 100, ZCRX_CQE_F_MORE,
						     info.area_size - 50), &ci), -EPROTO);

	/* another ud: the backend's own, else not ours */
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, FAKE_OWN_UD, 0, 0, 0), &ci),
			 ZCRX_CQE_INTERNAL);
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 78, 10, ZCRX_CQE_F_MORE, 0), &ci),
			 ZCRX_CQE_NOT_OURS);
	/* with no events enabled the default event ud is an ordinary ud */
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, ZCRX_EVENT_UD_DEFAULT, 0, 0, 0), &ci),
			 ZCRX_CQE_NOT_OURS);

	/* data without F_MORE is the receive's last: data, then forgotten */
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 77, 10, ZCRX_CQE_F_MORE, 0), &ci),
			 ZCRX_CQE_DATA);
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 77, 10, 0, PAGE), &ci), ZCRX_CQE_DATA);
	assert_false(ci.more);
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 77, 10, ZCRX_CQE_F_MORE, 0), &ci),
			 ZCRX_CQE_NOT_OURS);
	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 77), 0);

	/* the end: res <= 0 without F_MORE; afterwards the ud is forgotten */
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 77, -ECONNRESET, 0, 0), &ci),
			 ZCRX_CQE_RECV_END);
	assert_int_equal(ci.err, -ECONNRESET);
	assert_false(ci.more);
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 77, 10, ZCRX_CQE_F_MORE, 0), &ci),
			 ZCRX_CQE_NOT_OURS);

	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 77), 0);
	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 77, 0, 0, 0), &ci), ZCRX_CQE_RECV_END);
	assert_int_equal(ci.err, 0);
}

static void test_prep_recv_bookkeeping(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct io_uring_sqe sqe;
	struct zcrx_ifq *ifq;
	unsigned int i;

	o.events = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
	ifq = open_ok(fx, &o);
	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, ZCRX_EVENT_UD_DEFAULT), -EINVAL);
	/* a refused prep leaves nothing behind */
	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, -5, 0, 1), -EBADF);
	/* no cap on receives per ifq: the books grow, and each is still decoded */
	for (i = 0; i < 100; i++)
		assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 1 + i), 0);
	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 1), -EEXIST);
	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 100), -EEXIST);
	for (i = 0; i < 100; i++) {
		struct zcrx_cqe_info ci;
		struct cqe32 c;

		assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, 1 + i, 0, 0, 0), &ci),
				 ZCRX_CQE_RECV_END);
	}
	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 100), 0);
}

static void test_kernel_prep_recv_sqe(void **state)
{
	struct io_uring_sqe sqe;
	unsigned char *b = (unsigned char *)&sqe;

	(void)state;
	memset(&sqe, 0xff, sizeof(sqe));
	assert_int_equal(zcrx_kernel_backend.prep_recv(NULL, 0x01020304, &sqe, 7, 4096, 99), 0);
	assert_int_equal(sqe.opcode, IORING_OP_RECV_ZC);
	assert_int_equal(sqe.fd, 7);
	assert_int_equal(sqe.len, 4096);
	assert_int_equal(sqe.ioprio, ZCRX_RECV_MULTISHOT);
	assert_int_equal(sqe.user_data, 99);
	assert_int_equal(b[44] | b[45] << 8 | b[46] << 16 | (uint32_t)b[47] << 24, 0x01020304);
	assert_int_equal(sqe.flags, 0);
	assert_int_equal(sqe.off, 0);
	assert_int_equal(sqe.addr, 0);
	assert_int_equal(sqe.rw_flags, 0);	/* msg_flags */
	assert_true(all_zero(b + 48, 16));
	assert_int_equal(zcrx_kernel_backend.prep_recv(NULL, 0, &sqe, -1, 0, 0), -EBADF);
}

/* ------------------------------------------------------------------ */
/* Refill ring                                                         */
/* ------------------------------------------------------------------ */

/* the library's call, or its inline helper (zcrx.h): the same answers */
static bool inline_return;

static int buf_return(struct zcrx_ifq *ifq, uint64_t off, uint32_t len)
{
	if (inline_return)
		return zcrx_buf_return_fast(zcrx_ifq_fast(ifq), off, len);
	return zcrx_buf_return(ifq, off, len);
}

static int fake_setup_inline(void **state)
{
	inline_return = true;
	return fake_setup(state);
}

static int fake_teardown_inline(void **state)
{
	inline_return = false;
	return fake_teardown(state);
}

static void test_refill_ring_at_written_back_offsets(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct io_uring_zcrx_rqe *rqes;
	uint32_t *head, *tail;
	struct zcrx_ifq *ifq;
	char *region;

	/* 6.15 put rqes at 8; here something no kernel uses, to be sure */
	fx->fake.wb_off = (struct io_uring_zcrx_offsets){ .head = 128, .tail = 192, .rqes = 256 };
	fx->fake.wb_token = 5ULL << IORING_ZCRX_AREA_SHIFT;
	o.rq_entries = 64;
	ifq = open_ok(fx, &o);
	region = (char *)(uintptr_t)fx->fake.region.user_addr;
	head = (uint32_t *)(region + 128);
	tail = (uint32_t *)(region + 192);
	rqes = (struct io_uring_zcrx_rqe *)(region + 256);

	/* the CQE's area id (0) picks the area, whose written-back token goes in */
	memset(rqes, 0xaa, 64 * sizeof(*rqes));
	assert_int_equal(buf_return(ifq, (7ULL << 48) | 8192, 1448), -EINVAL);
	assert_int_equal(buf_return(ifq, 8192, 1448), 0);
	assert_true(rqes[0].off == ((5ULL << 48) | 8192));
	assert_int_equal(rqes[0].len, 1448);
	assert_int_equal(rqes[0].__pad, 0);
	assert_true(all_zero(region, 128));	/* nothing written outside the offsets */

	/* invisible until the commit, then exactly the number returned */
	for (int i = 1; i < 32; i++)
		assert_int_equal(buf_return(ifq, i * PAGE, 100), 0);
	assert_int_equal(*tail, 0);
	assert_int_equal(zcrx_rq_fill(ifq), 32);
	zcrx_buf_commit(ifq);
	assert_int_equal(*tail, 32);
	assert_int_equal(*head, 0);
	assert_true(rqes[31].off == ((5ULL << 48) | (31 * PAGE)));
	zcrx_buf_commit(ifq);
	assert_int_equal(*tail, 32);
}

static void test_refill_ring_full_is_enospc(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct io_uring_zcrx_rqe *rqes;
	uint32_t *head, *tail;
	struct zcrx_ifq *ifq;
	char *region;
	uint32_t i;

	o.rq_entries = 8;
	ifq = open_ok(fx, &o);
	region = (char *)(uintptr_t)fx->fake.region.user_addr;
	head = (uint32_t *)region;
	tail = (uint32_t *)(region + 4);
	rqes = (struct io_uring_zcrx_rqe *)(region + 64);

	for (i = 0; i < 8; i++)
		assert_int_equal(buf_return(ifq, i * PAGE, 1), 0);
	assert_int_equal(buf_return(ifq, 8 * PAGE, 1), -ENOSPC);
	zcrx_buf_commit(ifq);
	assert_int_equal(*tail, 8);

	/* the kernel consumes three: three more fit, wrapping round the ring */
	__atomic_store_n(head, 3, __ATOMIC_RELEASE);
	for (i = 8; i < 11; i++)
		assert_int_equal(buf_return(ifq, i * PAGE, 1), 0);
	assert_int_equal(buf_return(ifq, 11 * PAGE, 1), -ENOSPC);
	assert_true(rqes[2].off == 10 * PAGE);
	zcrx_buf_commit(ifq);
	assert_int_equal(*tail, 11);
	assert_int_equal(zcrx_rq_fill(ifq), 8);

	/*
	 * free-running counters wrap through 2^32 (the tail moved by hand: a
	 * cached head that says full has the next return read the kernel's)
	 */
	__atomic_store_n(head, 11, __ATOMIC_RELEASE);
	ifq->fast.rq_tail = 11;
	assert_int_equal(zcrx_rq_fill(ifq), 0);
	__atomic_store_n(head, UINT32_MAX - 1, __ATOMIC_RELEASE);
	ifq->fast.rq_tail = ifq->fast.rq_limit = UINT32_MAX - 1;
	for (i = 0; i < 8; i++)
		assert_int_equal(buf_return(ifq, PAGE, 1), 0);
	assert_int_equal(buf_return(ifq, PAGE, 1), -ENOSPC);
	assert_int_equal(zcrx_rq_fill(ifq), 8);
}

/* ------------------------------------------------------------------ */
/* Events: arm, stats                                                  */
/* ------------------------------------------------------------------ */

static void test_arm_builds_a_zeroed_ctrl(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_ctrl want;
	struct zcrx_cqe_info ci;
	struct zcrx_ifq *ifq;
	struct cqe32 c;

	o.events = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
	fx->fake.wb_zcrx_id = 4;
	ifq = open_ok(fx, &o);

	/* a type not enabled never reaches the kernel */
	assert_int_equal(zcrx_event_arm(ifq, ZCRX_EV_COPY), -EINVAL);
	assert_int_equal(zcrx_event_arm(ifq, 5), -EINVAL);
	assert_int_equal(fx->fake.nr_ctrl, 0);

	assert_int_equal(zcrx_cqe_decode(ifq, mk_cqe(&c, ZCRX_EVENT_UD_DEFAULT, 0, 0, 0), &ci),
			 ZCRX_CQE_EVENT);
	assert_true(zcrx_event_latched(ifq, ZCRX_EV_ALLOC_FAIL));

	/* the kernel's EINVAL (not fired since armed) passes through; still latched */
	fx->fake.ctrl_ret = -EINVAL;
	assert_int_equal(zcrx_event_arm(ifq, ZCRX_EV_ALLOC_FAIL), -EINVAL);
	assert_true(zcrx_event_latched(ifq, ZCRX_EV_ALLOC_FAIL));

	fx->fake.ctrl_ret = 0;
	assert_int_equal(zcrx_event_arm(ifq, ZCRX_EV_ALLOC_FAIL), 0);
	assert_false(zcrx_event_latched(ifq, ZCRX_EV_ALLOC_FAIL));
	memset(&want, 0, sizeof(want));
	want.zcrx_id = 4;
	want.op = ZCRX_CTRL_ARM_EVENT;
	want.zc_arm_event.event_type = ZCRX_EV_ALLOC_FAIL;
	assert_memory_equal(&fx->fake.ctrl, &want, sizeof(want));
	assert_int_equal(fx->fake.nr_ctrl, 2);
}

static void test_stats_read_from_region(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_stats_snap snap;
	struct zcrx_stats *st;
	struct zcrx_ifq *ifq;

	o.stats = true;
	ifq = open_ok(fx, &o);
	st = (struct zcrx_stats *)(uintptr_t)(fx->fake.region.user_addr + fx->fake.ed.stats_offset);
	st->copy_count = 3;
	st->copy_bytes = 4344;
	assert_int_equal(zcrx_stats_read(ifq, &snap), 0);
	assert_int_equal(snap.copy_count, 3);
	assert_int_equal(snap.copy_bytes, 4344);
}

/* ------------------------------------------------------------------ */
/* The simulator's generations                                         */
/* ------------------------------------------------------------------ */

static int sim_ctx(struct zcrx_ctx **ctx, enum zcrx_gen gen, int inject)
{
	struct zcrx_sim_params sp = { .gen = gen, .step = true, .inject_reg_err = inject };
	return zcrx_sim_ctx_create(ctx, &sp, NULL);
}

static void test_sim_generations(void **state)
{
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 1 << 20, .rq_entries = 64 };
	struct zcrx_ifq_info info;
	struct zcrx_diag d;
	struct zcrx_ifq *ifq;
	struct zcrx_ctx *ctx;

	(void)state;
	if (sim_ctx(&ctx, ZCRX_GEN_NONE, EIO))
		skip_because("no io_uring ring for the simulator");
	assert_int_equal(zcrx_ctx_caps(ctx)->gen, ZCRX_GEN_NONE);
	/* the injected EIO proves the refusal came before registration */
	o.events = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_CAPS);
	assert_non_null(strstr(d.msg, "no zcrx events"));
	o.events = 0;
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EIO);
	assert_int_equal(d.stage, ZCRX_STAGE_REGISTER);
	zcrx_ctx_destroy(ctx);

	assert_int_equal(sim_ctx(&ctx, ZCRX_GEN_MAY2026, EIO), 0);
	o.events = ZCRX_EV_MASK(ZCRX_EV_COPY);
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_CAPS);
	o.events = 0;
	o.stats = true;
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_CAPS);
	zcrx_ctx_destroy(ctx);

	assert_int_equal(sim_ctx(&ctx, ZCRX_GEN_7_2, 0), 0);
	o.events_default = true;
	o.stats = true;
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), 0);
	zcrx_ifq_info(ifq, &info);
	assert_int_equal(info.events, ZCRX_EV_MASK_ALL);
	assert_true(info.stats);
	assert_int_equal(info.gen, ZCRX_GEN_7_2);
	assert_int_equal(info.rq_entries, 64);
	zcrx_ctx_destroy(ctx);
}

static void test_sim_injected_error_diagnosed_as_kernel(void **state)
{
	struct zcrx_ifq_opts o = { .ifname = "eth0", .queue = 2 };
	char want[512];
	struct zcrx_diag d;
	struct zcrx_ifq *ifq;
	struct zcrx_ctx *ctx;

	(void)state;
	if (sim_ctx(&ctx, ZCRX_GEN_7_2, EPERM))
		skip_because("no io_uring ring for the simulator");
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EPERM);
	assert_int_equal(d.stage, ZCRX_STAGE_REGISTER);
	/* the same words a kernel's EPERM gets */
	zcrx_diagnose(ZCRX_OP_REGISTER, -EPERM, &(struct zcrx_netdev){ .name = "eth0" }, 2,
		      zcrx_ctx_caps(ctx), want, sizeof(want));
	assert_string_equal(d.msg, want);
	zcrx_ctx_destroy(ctx);
}

/* ------------------------------------------------------------------ */
/* This machine's kernel                                               */
/* ------------------------------------------------------------------ */

static struct zcrx_ctx *kernel_ctx(void)
{
	struct zcrx_ctx *ctx;
	int ret = zcrx_ctx_create(&ctx, NULL);

	if (ret) {
		print_message("# SKIP reason: no zcrx-shaped io_uring here (%s)\n",
			      strerrorname_np(-ret));
		skip();
	}
	return ctx;
}

static void test_kernel_lo_refused_with_driver_diagnosis(void **state)
{
	struct zcrx_ifq_opts o = { .ifname = "lo", .queue = 0, .area_size = 1 << 20 };
	struct zcrx_ctx *ctx = kernel_ctx();
	const struct zcrx_caps *caps = zcrx_ctx_caps(ctx);
	struct zcrx_ifq *ifq = NULL;
	struct zcrx_diag d;
	int ret;

	(void)state;
	if (caps->zcrx_reg_err != -EFAULT) {
		zcrx_ctx_destroy(ctx);
		skip_because("zcrx registration is not usable here (probe answered %s)",
			     strerrorname_np(-caps->zcrx_reg_err));
	}
	ret = zcrx_ifq_open(ctx, &o, &ifq, &d);
	assert_int_equal(ret, -EOPNOTSUPP);
	assert_int_equal(d.err, -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_REGISTER);
	assert_null(ifq);
	assert_non_null(strstr(d.msg, "registering a zcrx ifq on lo queue 0 got EOPNOTSUPP"));
	assert_non_null(strstr(d.msg, "lo is the loopback device"));
	assert_non_null(strstr(d.msg, "mlx5"));
	zcrx_ctx_destroy(ctx);
}

static void test_kernel_events_refused_without_syscall(void **state)
{
	struct zcrx_ifq_opts o = { .ifname = NO_SUCH_IF, .events_default = false,
				   .events = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL) };
	struct zcrx_ctx *ctx = kernel_ctx();
	struct zcrx_ifq *ifq = NULL;
	struct zcrx_diag d;

	(void)state;
	/* CAPS, not DEVICE: refused before the name was even looked up */
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_CAPS);
	assert_non_null(strstr(d.msg, "this kernel has no zcrx events (Linux 7.2 adds them"));
	assert_non_null(strstr(d.msg, "open without events"));
	o.ifname = "lo";
	o.events = 0;
	o.stats = true;
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EOPNOTSUPP);
	assert_int_equal(d.stage, ZCRX_STAGE_CAPS);
	zcrx_ctx_destroy(ctx);
}

static void test_kernel_unknown_ifname_is_enodev(void **state)
{
	struct zcrx_ifq_opts o = { .ifname = NO_SUCH_IF };
	struct zcrx_ctx *ctx = kernel_ctx();
	struct zcrx_ifq *ifq = NULL;
	struct zcrx_diag d;

	(void)state;
	if (if_nametoindex(NO_SUCH_IF)) {
		zcrx_ctx_destroy(ctx);
		skip_because("an interface named " NO_SUCH_IF " exists here");
	}
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -ENODEV);
	assert_int_equal(d.stage, ZCRX_STAGE_DEVICE);
	assert_non_null(strstr(d.msg, "no interface named " NO_SUCH_IF));
	o.ifname = NULL;
	o.ifindex = 999999;
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -ENODEV);
	assert_non_null(strstr(d.msg, "no interface with index 999999"));
	zcrx_ctx_destroy(ctx);
}

static void test_kernel_adopt_checks_ring_flags(void **state)
{
	unsigned int bad[] = {
		0,
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32,
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	};
	struct io_uring ring;
	struct zcrx_ctx *ctx;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (io_uring_queue_init(8, &ring, bad[i]))
			skip_because("io_uring_queue_init(0x%x) failed here", bad[i]);
		assert_int_equal(zcrx_ctx_adopt(&ctx, &ring, NULL), -EINVAL);
		io_uring_queue_exit(&ring);
	}
	assert_int_equal(io_uring_queue_init(8, &ring, IORING_SETUP_SINGLE_ISSUER |
					     IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQE32), 0);
	assert_int_equal(zcrx_ctx_adopt(&ctx, &ring, NULL), 0);
	assert_ptr_equal(zcrx_ctx_ring(ctx), &ring);
	zcrx_ctx_destroy(ctx);
	/* the ring is still the caller's */
	assert_non_null(io_uring_get_sqe(&ring));
	io_uring_queue_exit(&ring);
	assert_int_equal(zcrx_ctx_adopt(&ctx, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define FAKE(t) cmocka_unit_test_setup_teardown(t, fake_setup, fake_teardown)
		FAKE(test_open_refuses_bad_options),
		FAKE(test_clamp_ring_allows_large_rq),
		FAKE(test_no_event_kernels_refuse_events_before_register),
		FAKE(test_may2026_alloc_fail_only),
		FAKE(test_rx_buf_len_needs_feature),
		FAKE(test_kernel_without_zcrx_refused_at_caps),
		FAKE(test_registration_structs_72),
		FAKE(test_region_header_is_a_page_without_query),
		FAKE(test_no_event_desc_without_events_or_stats),
		FAKE(test_writeback_is_what_counts),
		FAKE(test_bad_writeback_refused_and_unwound),
		FAKE(test_register_failure_unwinds),
		FAKE(test_huge_area_rounds_to_2m),
		FAKE(test_decode_event_cqe),
		FAKE(test_decode_data_and_end),
		FAKE(test_prep_recv_bookkeeping),
		cmocka_unit_test(test_kernel_prep_recv_sqe),
		FAKE(test_refill_ring_at_written_back_offsets),
		FAKE(test_refill_ring_full_is_enospc),
		cmocka_unit_test_setup_teardown(test_refill_ring_at_written_back_offsets,
						fake_setup_inline, fake_teardown_inline),
		cmocka_unit_test_setup_teardown(test_refill_ring_full_is_enospc,
						fake_setup_inline, fake_teardown_inline),
		FAKE(test_arm_builds_a_zeroed_ctrl),
		FAKE(test_stats_read_from_region),
		cmocka_unit_test(test_sim_generations),
		cmocka_unit_test(test_sim_injected_error_diagnosed_as_kernel),
		cmocka_unit_test(test_kernel_lo_refused_with_driver_diagnosis),
		cmocka_unit_test(test_kernel_events_refused_without_syscall),
		cmocka_unit_test(test_kernel_unknown_ifname_is_enodev),
		cmocka_unit_test(test_kernel_adopt_checks_ring_flags),
#undef FAKE
	};
	struct CMUnitTest run[sizeof(tests) / sizeof(tests[0])];
	struct zcrx_caps caps;
	size_t n = 0;

	/* a kernel with zcrx events has no refusal of them to show: not run */
	zcrx_caps_probe(&caps);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (tests[i].test_func == test_kernel_events_refused_without_syscall &&
		    caps.gen != ZCRX_GEN_NONE)
			printf("# n/a - %s: this kernel has zcrx events\n", tests[i].name);
		else
			run[n++] = tests[i];
	}
	return _cmocka_run_group_tests("tests", run, n, NULL, NULL);
}
