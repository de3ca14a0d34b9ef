// SPDX-License-Identifier: MIT
/*
 * The engine above the seam: option checks, generation checks, the structs
 * ifq_open builds, CQE decode, refill ring writes, arming, diagnosis texts
 * and consumer policies.  Most tests put a fake kernel behind the seam (a
 * struct zcrx_backend_ops of our own) so they can see exactly what was built
 * and write back whatever a kernel might; the last ones ask this machine's
 * real kernel and the simulator.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "zcrx.h"
#include "kabi.h"
#include "backend.h"
#include "internal.h"

#define PAGE		((uint64_t)sysconf(_SC_PAGESIZE))
#define NO_SUCH_IF	"zcrxt-none0"

#define skip_because(...)					\
	do {							\
		print_message("# SKIP reason: " __VA_ARGS__);	\
		print_message("\n");				\
		skip();						\
	} while (0)

/* ------------------------------------------------------------------ */
/* A fake kernel behind the seam                                       */
/* ------------------------------------------------------------------ */

struct fake {
	/* what ifq_open handed to the kernel */
	int				nr_register;
	struct io_uring_zcrx_ifq_reg	reg;
	struct io_uring_zcrx_area_reg	area;
	struct io_uring_region_desc	region;
	struct zcrx_event_desc		ed;
	/* what the kernel answers and writes back */
	int				reg_ret;
	uint32_t			wb_rq_entries;	/* 0: round up what was asked */
	struct io_uring_zcrx_offsets	wb_off;
	uint32_t			wb_zcrx_id;
	uint32_t			wb_rx_buf_len;	/* 0: leave as asked */
	uint64_t			wb_token;
	/* control */
	int				nr_ctrl;
	struct zcrx_ctrl		ctrl;
	int				ctrl_ret;
	int				nr_unregister;
};

static int fake_probe(struct zcrx_ctx *ctx, struct zcrx_caps *caps)
{
	(void)ctx;
	(void)caps;
	return 0;
}

static int fake_register(struct zcrx_ctx *ctx, struct io_uring_zcrx_ifq_reg *reg)
{
	struct fake *f = ctx->backend;
	struct io_uring_zcrx_area_reg *area = (void *)(uintptr_t)reg->area_ptr;

	f->nr_register++;
	f->reg = *reg;
	f->area = *area;
	f->region = *(struct io_uring_region_desc *)(uintptr_t)reg->region_ptr;
	if (reg->event_desc)
		f->ed = *(struct zcrx_event_desc *)(uintptr_t)reg->event_desc;
	if (f->reg_ret)
		return f->reg_ret;

	if (f->wb_rq_entries) {
		reg->rq_entries = f->wb_rq_entries;
	} else {
		uint32_t n = 1;

		while (n < reg->rq_entries)
			n <<= 1;
		reg->rq_entries = n;
	}
	reg->offsets = f->wb_off;
	reg->zcrx_id = f->wb_zcrx_id;
	if (f->wb_rx_buf_len)
		reg->rx_buf_len = f->wb_rx_buf_len;
	area->rq_area_token = f->wb_token;
	return 0;
}

static int fake_ctrl(struct zcrx_ctx *ctx, struct zcrx_ctrl *ctrl)
{
	struct fake *f = ctx->backend;

	f->nr_ctrl++;
	f->ctrl = *ctrl;
	return f->ctrl_ret;
}

static void fake_unregister(struct zcrx_ctx *ctx, uint32_t zcrx_id)
{
	struct fake *f = ctx->backend;

	(void)zcrx_id;
	f->nr_unregister++;
}

static int fake_prep_recv(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct io_uring_sqe *sqe,
			  int fd, uint32_t len, uint64_t user_data)
{
	(void)ctx;
	(void)zcrx_id;
	(void)len;
	if (fd < -1)
		return -EBADF;
	memset(sqe, 0, sizeof(*sqe));
	sqe->user_data = user_data;
	return 0;
}

#define FAKE_OWN_UD	0xfeedULL

static bool fake_own_cqe(struct zcrx_ctx *ctx, const struct io_uring_cqe *cqe)
{
	(void)ctx;
	return cqe->user_data == FAKE_OWN_UD;
}

static bool fake_cqe_more(struct zcrx_ctx *ctx, uint32_t zcrx_id, const struct io_uring_cqe *cqe)
{
	(void)ctx;
	(void)zcrx_id;
	return cqe->flags & ZCRX_CQE_F_MORE;
}

static const struct zcrx_backend_ops fake_ops = {
	.name		= "fake",
	.probe		= fake_probe,
	.register_ifq	= fake_register,
	.ctrl		= fake_ctrl,
	.unregister_ifq	= fake_unregister,
	.prep_recv	= fake_prep_recv,
	.own_cqe	= fake_own_cqe,
	.cqe_more	= fake_cqe_more,
};

/* Query answers as each kernel generation gives them (§3.3). */
static void caps_618(struct zcrx_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->nr_register_opcodes = 36;
	c->nr_query_opcodes = 1;
	c->zcrx_query_err = -EOPNOTSUPP;
	c->event_query_err = -EOPNOTSUPP;
	c->zcrx_reg_err = -EFAULT;
	c->cap_net_admin = 1;
	zcrx_caps_derive(c);
}

static void caps_pre_query(struct zcrx_caps *c)
{
	caps_618(c);
	c->nr_register_opcodes = 0;
	c->query_err = c->opcodes_err = c->zcrx_query_err = c->event_query_err = -EINVAL;
	zcrx_caps_derive(c);
}

static void caps_71(struct zcrx_caps *c)
{
	caps_618(c);
	c->nr_register_opcodes = 37;
	c->nr_query_opcodes = 3;
	c->zcrx_query_err = 0;
	c->register_flags = ZCRX_REG_IMPORT | ZCRX_REG_NODEV;
	c->nr_ctrl_opcodes = 2;
	c->features = ZCRX_FEATURE_RX_PAGE_SIZE;
	c->rq_hdr_size = 8;
	c->rq_hdr_alignment = 64;
	zcrx_caps_derive(c);
}

static void caps_may(struct zcrx_caps *c)
{
	caps_71(c);
	c->nr_ctrl_opcodes = 3;
	c->features |= ZCRX_FEATURE_EVENT;
	zcrx_caps_derive(c);
}

static void caps_72(struct zcrx_caps *c)
{
	caps_may(c);
	c->nr_register_opcodes = 38;
	c->nr_query_opcodes = 4;
	c->event_query_err = 0;
	c->event_flags = 0x3;
	c->stats_size = 16;
	c->stats_off_alignment = 8;
	zcrx_caps_derive(c);
}

struct fixture {
	struct zcrx_ctx		*ctx;
	struct fake		fake;
	struct zcrx_diag	diag;
};

/* A real ring (so CQEs and SQEs are real) with the fake kernel behind it. */
static int fake_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	if (zcrx_ctx_create(&fx->ctx, NULL)) {
		fx->ctx = NULL;
	} else {
		fx->ctx->ops = &fake_ops;
		fx->ctx->backend = &fx->fake;
		caps_72(&fx->ctx->caps);
	}
	fx->fake.wb_off = (struct io_uring_zcrx_offsets){ .head = 0, .tail = 4, .rqes = 64 };
	*state = fx;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx->ctx) {
		/* let the library forget the ifqs while the fake still answers */
		while (fx->ctx->ifqs)
			zcrx_ifq_close(fx->ctx->ifqs);
		fx->ctx->ops = &zcrx_kernel_backend;
		fx->ctx->backend = NULL;
		zcrx_ctx_destroy(fx->ctx);
	}
	free(fx);
	return 0;
}

static struct fixture *fixture(void **state)
{
	struct fixture *fx = *state;

	if (!fx->ctx)
		skip_because("no io_uring ring with SINGLE_ISSUER|DEFER_TASKRUN|CQE32 here");
	return fx;
}

static struct zcrx_ifq_opts opts_eth0(void)
{
	return (struct zcrx_ifq_opts){ .ifname = "eth0", .queue = 3 };
}

static struct zcrx_ifq *open_ok(struct fixture *fx, const struct zcrx_ifq_opts *o)
{
	struct zcrx_ifq *ifq = NULL;
	int ret = zcrx_ifq_open(fx->ctx, o, &ifq, &fx->diag);

	if (ret)
		print_message("# ifq_open: %d stage %d: %s\n", ret, fx->diag.stage, fx->diag.msg);
	assert_int_equal(ret, 0);
	assert_non_null(ifq);
	return ifq;
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
	for (i = 0; i < ZCRX_MAX_RECV; i++)
		assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 1 + i), 0);
	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 1), -EEXIST);
	assert_int_equal(zcrx_prep_recv_zc(ifq, &sqe, 5, 0, 100), -EBUSY);
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

	/* the CQE's area bits are replaced by the token */
	memset(rqes, 0xaa, 64 * sizeof(*rqes));
	assert_int_equal(zcrx_buf_return(ifq, (7ULL << 48) | 8192, 1448), 0);
	assert_true(rqes[0].off == ((5ULL << 48) | 8192));
	assert_int_equal(rqes[0].len, 1448);
	assert_int_equal(rqes[0].__pad, 0);
	assert_true(all_zero(region, 128));	/* nothing written outside the offsets */

	/* invisible until the commit, then exactly the number returned */
	for (int i = 1; i < 32; i++)
		assert_int_equal(zcrx_buf_return(ifq, i * PAGE, 100), 0);
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
		assert_int_equal(zcrx_buf_return(ifq, i * PAGE, 1), 0);
	assert_int_equal(zcrx_buf_return(ifq, 8 * PAGE, 1), -ENOSPC);
	zcrx_buf_commit(ifq);
	assert_int_equal(*tail, 8);

	/* the kernel consumes three: three more fit, wrapping round the ring */
	__atomic_store_n(head, 3, __ATOMIC_RELEASE);
	for (i = 8; i < 11; i++)
		assert_int_equal(zcrx_buf_return(ifq, i * PAGE, 1), 0);
	assert_int_equal(zcrx_buf_return(ifq, 11 * PAGE, 1), -ENOSPC);
	assert_true(rqes[2].off == 10 * PAGE);
	zcrx_buf_commit(ifq);
	assert_int_equal(*tail, 11);
	assert_int_equal(zcrx_rq_fill(ifq), 8);

	/* free-running counters wrap through 2^32 */
	__atomic_store_n(head, 11, __ATOMIC_RELEASE);
	ifq->rq_local_tail = 11;
	assert_int_equal(zcrx_rq_fill(ifq), 0);
	__atomic_store_n(head, UINT32_MAX - 1, __ATOMIC_RELEASE);
	ifq->rq_local_tail = UINT32_MAX - 1;
	for (i = 0; i < 8; i++)
		assert_int_equal(zcrx_buf_return(ifq, PAGE, 1), 0);
	assert_int_equal(zcrx_buf_return(ifq, PAGE, 1), -ENOSPC);
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
/* Diagnosis                                                           */
/* ------------------------------------------------------------------ */

static struct zcrx_rxq test_rxq[4];

/* A healthy mlx5 port: 4 combined channels, split on, threshold 0. */
static void nic(struct zcrx_netdev *d, const char *name, const char *driver, bool parent)
{
	memset(d, 0, sizeof(*d));
	memset(test_rxq, 0, sizeof(test_rxq));
	d->ifindex = 5;
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->driver, sizeof(d->driver), "%s", driver);
	d->has_parent = parent;
	d->flags = IFF_UP;
	d->rings_have = 1U << ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT |
			1U << ZCRX_ETHTOOL_A_RINGS_HDS_THRESH;
	d->rings[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT] = ZCRX_ETHTOOL_TCP_DATA_SPLIT_ENABLED;
	d->channels_have = 1U << ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT |
			   1U << ZCRX_ETHTOOL_A_CHANNELS_COMBINED_MAX;
	d->channels[ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT] = 4;
	d->channels[ZCRX_ETHTOOL_A_CHANNELS_COMBINED_MAX] = 16;
	for (uint32_t i = 0; i < 4; i++)
		test_rxq[i].id = i;
	d->rxq = test_rxq;
	d->nr_rxq = 4;
	d->nr_rx_sysfs = 4;
}

enum tweak {
	T_NONE, T_LO, T_TDS_OFF, T_TDS_AND_HDS, T_HDS, T_MP_IO_URING, T_MP_DMABUF, T_XSK,
	T_NAME_ONLY, T_NO_DEV, T_CAPS_618, T_CAPS_NOZCRX, T_CAPS_MAY,
};

struct diag_case {
	enum zcrx_op	op;
	int		err;
	const char	*driver;	/* NULL: no parent device either */
	enum tweak	tweak;
	uint32_t	queue;
	const char	*phrases[3];
};

static const struct diag_case diag_cases[] = {
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "veth", T_NONE, 0,
	  { "veth has no RX queue management API or DMA device", "mlx5, bnxt, fbnic or gve",
	    "on eth0 queue 0" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "+virtio_net", T_NONE, 0,
	  { "virtio_net has no RX queue management API", "NIC such as mlx5" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "", T_LO, 0, { "lo is the loopback device", "mlx5" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "+netdevsim", T_NONE, 0, { "no DMA device" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "+mlx5_core", T_NONE, 1,
	  { "mlx5_core driver could not restart queue 1", "ethtool -g eth0" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "+mlx5_core", T_CAPS_NOZCRX, 1,
	  { "CONFIG_IO_URING_ZCRX" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, NULL, T_NO_DEV, 0, { "lo, veth, virtio_net", "mlx5" } },
	{ ZCRX_OP_REGISTER, -EINVAL, "+mlx5_core", T_TDS_OFF, 2,
	  { "tcp-data-split is off on eth0", "run `ethtool -G eth0 tcp-data-split on`" } },
	{ ZCRX_OP_REGISTER, -EINVAL, "+mlx5_core", T_TDS_AND_HDS, 2,
	  { "tcp-data-split on`", "hds-thresh is 256", "`ethtool -G eth0 hds-thresh 0`" } },
	{ ZCRX_OP_REGISTER, -EINVAL, "+bnxt_en", T_HDS, 2,
	  { "hds-thresh is 256 on eth0", "run `ethtool -G eth0 hds-thresh 0`" } },
	{ ZCRX_OP_REGISTER, -EINVAL, "+bnxt_en", T_NONE, 2, { "rx_buf_len 0" } },
	{ ZCRX_OP_REGISTER, -EEXIST, "+mlx5_core", T_MP_IO_URING, 1,
	  { "queue 1 of eth0 already has an io_uring zcrx" } },
	{ ZCRX_OP_REGISTER, -EEXIST, "+mlx5_core", T_MP_DMABUF, 1, { "devmem dmabuf (id 9)" } },
	{ ZCRX_OP_REGISTER, -EEXIST, "+mlx5_core", T_NONE, 1,
	  { "XDP", "ip link set dev eth0 xdp off" } },
	{ ZCRX_OP_REGISTER, -EBUSY, "+mlx5_core", T_XSK, 1, { "AF_XDP socket uses queue 1" } },
	{ ZCRX_OP_REGISTER, -ERANGE, "+mlx5_core", T_NONE, 9,
	  { "queue 9 does not exist: eth0 has 4 RX queues", "ethtool -L eth0 combined 10" } },
	{ ZCRX_OP_REGISTER, -ERANGE, "+mlx5_core", T_NONE, 1, { "huge pages" } },
	{ ZCRX_OP_REGISTER, -EPERM, "+mlx5_core", T_NONE, 1, { "CAP_NET_ADMIN", "run as root" } },
	{ ZCRX_OP_REGISTER, -ENOMEM, "+mlx5_core", T_NONE, 1, { "ulimit -l" } },
	{ ZCRX_OP_REGISTER, -ENODEV, NULL, T_NAME_ONLY, 0,
	  { "no interface named eth0 in this network namespace", "ip link" } },
	{ ZCRX_OP_REGISTER, -ENODATA, "+gve", T_NONE, 0, { "attached no zcrx buffers" } },
	{ ZCRX_OP_ARM, -EINVAL, NULL, T_NO_DEV, 0,
	  { "re-arming a zcrx event", "has not fired since it was last armed (nothing to re-arm)" } },
	{ ZCRX_OP_ARM, -EINVAL, NULL, T_CAPS_MAY, 0, { "nothing to re-arm", "alloc-fail only" } },
	{ ZCRX_OP_ARM, -EINVAL, NULL, T_CAPS_618, 0, { "no zcrx control op" } },
	{ ZCRX_OP_ARM, -ENXIO, NULL, T_NO_DEV, 0, { "unknown zcrx_id" } },
	{ ZCRX_OP_CTRL, -ENXIO, NULL, T_NO_DEV, 0, { "unknown zcrx_id" } },
	{ ZCRX_OP_CTRL, -EFAULT, NULL, T_NO_DEV, 0, { "reserved fields", "zero" } },
	{ ZCRX_OP_CTRL, -EOPNOTSUPP, NULL, T_NO_DEV, 0, { "does not know that control op" } },
	{ ZCRX_OP_RECV, -EPROTONOSUPPORT, NULL, T_NO_DEV, 0, { "not TCP" } },
	{ ZCRX_OP_RECV, 0, NULL, T_NO_DEV, 0, { "ended", "closed the connection" } },
};

static void test_diagnosis_table(void **state)
{
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++) {
		const struct diag_case *dc = &diag_cases[i];
		const struct zcrx_netdev *devp;
		struct zcrx_netdev dev;
		struct zcrx_caps caps;
		const char *name;
		int n;

		caps_72(&caps);
		if (dc->driver) {
			bool parent = dc->driver[0] == '+';

			nic(&dev, "eth0", dc->driver + parent, parent);
		} else {
			nic(&dev, "eth0", "", false);
		}
		devp = &dev;
		switch (dc->tweak) {
		case T_LO:
			snprintf(dev.name, sizeof(dev.name), "lo");
			dev.flags |= IFF_LOOPBACK;
			dev.driver_err = -EOPNOTSUPP;
			dev.rings_err = dev.channels_err = -EOPNOTSUPP;
			break;
		case T_TDS_OFF:
			dev.rings[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT] = 1;
			break;
		case T_TDS_AND_HDS:
			dev.rings[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT] = 1;
			/* fall through */
		case T_HDS:
			dev.rings[ZCRX_ETHTOOL_A_RINGS_HDS_THRESH] = 256;
			break;
		case T_MP_IO_URING:
			test_rxq[1].mp = ZCRX_MP_IO_URING;
			break;
		case T_MP_DMABUF:
			test_rxq[1].mp = ZCRX_MP_DMABUF;
			test_rxq[1].dmabuf = 9;
			break;
		case T_XSK:
			test_rxq[1].mp = ZCRX_MP_XSK;
			break;
		case T_NAME_ONLY:
			memset(&dev, 0, sizeof(dev));
			snprintf(dev.name, sizeof(dev.name), "eth0");
			break;
		case T_NO_DEV:
			devp = NULL;
			break;
		case T_CAPS_618:
			caps_618(&caps);
			devp = NULL;
			break;
		case T_CAPS_NOZCRX:
			caps.zcrx_reg_err = -EOPNOTSUPP;
			break;
		case T_CAPS_MAY:
			caps_may(&caps);
			devp = NULL;
			break;
		case T_NONE:
			break;
		}

		n = zcrx_diagnose(dc->op, dc->err, devp, dc->queue, &caps, buf, sizeof(buf));
		assert_int_equal(n, strlen(buf));
		assert_true(n < (int)sizeof(buf) - 1);
		/* what the kernel answered, by name */
		name = dc->err ? strerrorname_np(-dc->err) : "ended";
		if (!strstr(buf, name))
			fail_msg("case %zu: \"%s\" does not name %s", i, buf, name);
		for (int p = 0; p < 3 && dc->phrases[p]; p++)
			if (!strstr(buf, dc->phrases[p]))
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i, buf, dc->phrases[p]);
		/* and what to do next, after the reason */
		assert_non_null(strchr(strchr(buf, ':') + 1, ':'));
	}
}

static void test_diagnosis_truncates_like_snprintf(void **state)
{
	char full[512], small[16];
	int n, m;

	(void)state;
	n = zcrx_diagnose(ZCRX_OP_REGISTER, -EPERM, NULL, 0, NULL, full, sizeof(full));
	m = zcrx_diagnose(ZCRX_OP_REGISTER, -EPERM, NULL, 0, NULL, small, sizeof(small));
	assert_int_equal(n, m);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
	assert_int_equal(zcrx_diagnose(ZCRX_OP_REGISTER, -EPERM, NULL, 0, NULL, NULL, 0), n);
	assert_int_equal(zcrx_diagnose(42, -EPERM, NULL, 0, NULL, full, sizeof(full)), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* Consumers                                                           */
/* ------------------------------------------------------------------ */

static struct zcrx_ifq *consumer_ifq(struct fixture *fx, uint32_t rq_entries, uint32_t **tail,
				     uint32_t **head)
{
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_ifq *ifq;

	o.rq_entries = rq_entries;
	o.area_size = 16 * PAGE;
	ifq = open_ok(fx, &o);
	*head = (uint32_t *)(uintptr_t)fx->fake.region.user_addr;
	*tail = *head + 1;
	return ifq;
}

static struct zcrx_cqe_info data_info(uint32_t i)
{
	return (struct zcrx_cqe_info){ .kind = ZCRX_CQE_DATA, .off = i * PAGE, .len = 100 + i };
}

static void test_consumer_now_batches(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_consumer_params p = { .mode = ZCRX_CONSUME_NOW };
	struct zcrx_cqe_info ev = { .kind = ZCRX_CQE_EVENT };
	struct zcrx_consumer *c;
	struct zcrx_cqe_info ci;
	uint32_t *tail, *head;
	struct zcrx_ifq *ifq;
	uint64_t next = 1;

	ifq = consumer_ifq(fx, 256, &tail, &head);
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), 0);
	assert_int_equal(zcrx_consumer_take(c, &ev, 0), -EINVAL);
	for (uint32_t i = 0; i < 40; i++) {
		ci = data_info(i);
		assert_int_equal(zcrx_consumer_take(c, &ci, 0), 0);
	}
	/* one tail store per 32 (the default batch); the rest on run */
	assert_int_equal(*tail, 32);
	assert_int_equal(zcrx_consumer_held(c), 0);
	assert_int_equal(zcrx_consumer_run(c, 0, &next), 0);
	assert_int_equal(next, 0);
	assert_int_equal(*tail, 40);
	assert_int_equal(ifq->rqes[39].len, 139);
	zcrx_consumer_destroy(c);
}

static void test_consumer_delay(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_consumer_params p = { .mode = ZCRX_CONSUME_DELAY, .delay_ns = 1000 };
	struct zcrx_consumer *c;
	struct zcrx_cqe_info ci;
	uint32_t *tail, *head;
	struct zcrx_ifq *ifq;
	uint64_t next;

	ifq = consumer_ifq(fx, 256, &tail, &head);
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), 0);
	for (uint32_t i = 0; i < 10; i++) {
		ci = data_info(i);
		assert_int_equal(zcrx_consumer_take(c, &ci, i * 100), 0);
	}
	assert_int_equal(zcrx_consumer_held(c), 10);
	assert_int_equal(zcrx_consumer_run(c, 999, &next), 0);
	assert_int_equal(next, 1000);
	assert_int_equal(*tail, 0);
	/* exactly those that arrived at least delay_ns ago */
	assert_int_equal(zcrx_consumer_run(c, 1450, &next), 5);
	assert_int_equal(next, 1500);
	assert_int_equal(*tail, 5);
	assert_int_equal(zcrx_consumer_run(c, 5000, &next), 5);
	assert_int_equal(next, 0);
	assert_int_equal(*tail, 10);
	zcrx_consumer_destroy(c);
}

static void test_consumer_hold_and_destroy_returns_all(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_consumer_params p = { .mode = ZCRX_CONSUME_HOLD, .hold = 5, .batch = 2 };
	struct zcrx_consumer *c;
	struct zcrx_cqe_info ci;
	uint32_t *tail, *head;
	struct zcrx_ifq *ifq;

	ifq = consumer_ifq(fx, 256, &tail, &head);
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), 0);
	for (uint32_t i = 0; i < 8; i++) {
		ci = data_info(i);
		assert_int_equal(zcrx_consumer_take(c, &ci, 0), 0);
	}
	assert_int_equal(zcrx_consumer_held(c), 5);
	/* oldest first, published every 2 (batch) */
	assert_int_equal(*tail, 2);
	assert_true(ifq->rqes[0].off == 0 && ifq->rqes[2].off == 2 * PAGE);
	assert_int_equal(zcrx_consumer_run(c, 0, NULL), 0);
	assert_int_equal(*tail, 3);
	zcrx_consumer_destroy(c);
	assert_int_equal(*tail, 8);
	assert_true(ifq->rqes[7].off == 7 * PAGE);
}

static void test_consumer_keeps_buffers_when_ring_full(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_consumer_params p = { .mode = ZCRX_CONSUME_NOW, .batch = 4 };
	struct zcrx_consumer *c;
	struct zcrx_cqe_info ci;
	uint32_t *tail, *head;
	struct zcrx_ifq *ifq;

	ifq = consumer_ifq(fx, 8, &tail, &head);
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), 0);
	/* more than the queue's first size, too: it must grow, not drop */
	for (uint32_t i = 0; i < 300; i++) {
		ci = data_info(i);
		assert_int_equal(zcrx_consumer_take(c, &ci, 0), 0);
	}
	assert_int_equal(*tail, 8);
	assert_int_equal(zcrx_consumer_held(c), 292);
	for (uint32_t done = 8; done < 300; done += 8) {
		__atomic_store_n(head, done, __ATOMIC_RELEASE);	/* the kernel consumes */
		assert_int_equal(zcrx_consumer_run(c, 0, NULL), 300 - done < 8 ? 300 - done : 8);
		assert_int_equal(*tail, done + (300 - done < 8 ? 300 - done : 8));
		/* in order: buffer i went into slot i */
		assert_true(ifq->rqes[(done) & 7].off == done * PAGE);
	}
	assert_int_equal(zcrx_consumer_held(c), 0);
	zcrx_consumer_destroy(c);
}

/* ------------------------------------------------------------------ */
/* The simulator's generations                                         */
/* ------------------------------------------------------------------ */

static int sim_ctx(struct zcrx_ctx **ctx, enum zcrx_gen gen, int inject)
{
	struct zcrx_sim_params sp = { .gen = gen, .step = true, .inject_reg_err = inject };
	struct zcrx_ctx_opts co = { .backend = ZCRX_BACKEND_SIM, .sim = &sp };

	return zcrx_ctx_create(ctx, &co);
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
	assert_true(zcrx_ctx_caps(ctx)->simulated);
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
	assert_true(info.simulated);
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
	if (zcrx_ctx_caps(ctx)->gen != ZCRX_GEN_NONE) {
		zcrx_ctx_destroy(ctx);
		skip_because("this kernel has zcrx events");
	}
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
		FAKE(test_arm_builds_a_zeroed_ctrl),
		FAKE(test_stats_read_from_region),
		cmocka_unit_test(test_diagnosis_table),
		cmocka_unit_test(test_diagnosis_truncates_like_snprintf),
		FAKE(test_consumer_now_batches),
		FAKE(test_consumer_delay),
		FAKE(test_consumer_hold_and_destroy_returns_all),
		FAKE(test_consumer_keeps_buffers_when_ring_full),
		cmocka_unit_test(test_sim_generations),
		cmocka_unit_test(test_sim_injected_error_diagnosed_as_kernel),
		cmocka_unit_test(test_kernel_lo_refused_with_driver_diagnosis),
		cmocka_unit_test(test_kernel_events_refused_without_syscall),
		cmocka_unit_test(test_kernel_unknown_ifname_is_enodev),
		cmocka_unit_test(test_kernel_adopt_checks_ring_flags),
#undef FAKE
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
