/* SPDX-License-Identifier: MIT */
/*
 * A fake kernel behind the seam (a struct zcrx_backend_ops of our own), so a
 * test can see exactly what ifq_open built and write back whatever a kernel
 * might; with the query answers of each kernel generation, as measured on
 * Debian's kernels booted by the VM tier (tests/vm).  Shared by test_engine.c and
 * test_diag.c; test_conformance.c checks the answers against the kernel it
 * runs on, so the fakes cannot drift from what a kernel says.
 */
#ifndef ENGINE_FIXTURE_H
#define ENGINE_FIXTURE_H

#include "flow.h"		/* the seam, cmocka, PAGE and skip_because() */

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

static inline int fake_probe(struct zcrx_ctx *ctx, struct zcrx_caps *caps)
{
	(void)ctx;
	(void)caps;
	return 0;
}

/* No netdev behind the fake: any name or index will do, as ifq_open hands it on. */
static inline int fake_resolve_dev(struct zcrx_ctx *ctx, const char *ifname, uint32_t ifindex,
				   char name[IF_NAMESIZE], uint32_t *out_ifindex)
{
	(void)ctx;
	*out_ifindex = ifname ? 0 : ifindex;
	snprintf(name, IF_NAMESIZE, "%s", ifname ? ifname : "");
	return 0;
}

static inline int fake_register(struct zcrx_ctx *ctx, struct io_uring_zcrx_ifq_reg *reg)
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

static inline int fake_ctrl(struct zcrx_ctx *ctx, struct zcrx_ctrl *ctrl)
{
	struct fake *f = ctx->backend;

	f->nr_ctrl++;
	f->ctrl = *ctrl;
	return f->ctrl_ret;
}

static inline void fake_unregister(struct zcrx_ctx *ctx, uint32_t zcrx_id)
{
	struct fake *f = ctx->backend;

	(void)zcrx_id;
	f->nr_unregister++;
}

static inline int fake_prep_recv(struct zcrx_ctx *ctx, uint32_t zcrx_id,
				 struct io_uring_sqe *sqe, int fd, uint32_t len, uint64_t user_data)
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

static inline bool fake_own_cqe(struct zcrx_ctx *ctx, const struct io_uring_cqe *cqe)
{
	(void)ctx;
	return cqe->user_data == FAKE_OWN_UD;
}

static inline bool fake_cqe_more(struct zcrx_ctx *ctx, uint32_t zcrx_id,
				 const struct io_uring_cqe *cqe)
{
	(void)ctx;
	(void)zcrx_id;
	return cqe->flags & ZCRX_CQE_F_MORE;
}

static const struct zcrx_backend_ops fake_ops = {
	.name		= "fake",
	.probe		= fake_probe,
	.resolve_dev	= fake_resolve_dev,
	.register_ifq	= fake_register,
	.ctrl		= fake_ctrl,
	.unregister_ifq	= fake_unregister,
	.prep_recv	= fake_prep_recv,
	.own_cqe	= fake_own_cqe,
	.cqe_more	= fake_cqe_more,
};

/* Query answers as each kernel gives them (measured in the VM tier, tests/vm). */
static inline void caps_618(struct zcrx_caps *c)
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

static inline void caps_619(struct zcrx_caps *c)
{
	caps_618(c);
	c->nr_register_opcodes = 37;
	c->nr_query_opcodes = 3;
	c->zcrx_query_err = 0;
	c->register_flags = ZCRX_REG_IMPORT;
	c->area_flags = IORING_ZCRX_AREA_DMABUF;
	c->nr_ctrl_opcodes = 2;
	c->rq_hdr_size = 8;
	c->rq_hdr_alignment = 64;
	zcrx_caps_derive(c);
}

static inline void caps_70(struct zcrx_caps *c)
{
	caps_619(c);
	c->nr_register_opcodes = 38;
	c->features = ZCRX_FEATURE_RX_PAGE_SIZE;
	zcrx_caps_derive(c);
}

static inline void caps_71(struct zcrx_caps *c)
{
	caps_70(c);
	c->register_flags = ZCRX_REG_IMPORT | ZCRX_REG_NODEV;
	zcrx_caps_derive(c);
}

static inline void caps_may(struct zcrx_caps *c)
{
	caps_71(c);
	c->nr_ctrl_opcodes = 3;
	c->features |= ZCRX_FEATURE_EVENT;
	zcrx_caps_derive(c);
}

static inline void caps_72(struct zcrx_caps *c)
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

/*
 * 7.3: ZCRX_CTRL_ADD_AREA, and head and tail on cache lines of their own
 * (conformance.h's layout() and test_differential.c's vdiffs hold 7.3 to it)
 */
static inline void caps_73(struct zcrx_caps *c)
{
	caps_72(c);
	c->nr_ctrl_opcodes = 4;
	c->rq_hdr_size = 128;
	zcrx_caps_derive(c);
}

/* A real ring (so CQEs and SQEs are real) with the fake kernel behind it. */
static inline int fake_setup(void **state)
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

static inline int fake_teardown(void **state)
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

static inline struct fixture *fixture(void **state)
{
	struct fixture *fx = *state;

	if (!fx->ctx)
		skip_because("no io_uring ring with SINGLE_ISSUER|DEFER_TASKRUN|CQE32 here");
	return fx;
}

static inline struct zcrx_ifq_opts opts_eth0(void)
{
	return (struct zcrx_ifq_opts){ .ifname = "eth0", .queue = 3 };
}

static inline struct zcrx_ifq *open_ok(struct fixture *fx, const struct zcrx_ifq_opts *o)
{
	struct zcrx_ifq *ifq = NULL;
	int ret = zcrx_ifq_open(fx->ctx, o, &ifq, &fx->diag);

	if (ret)
		print_message("# ifq_open: %d stage %d: %s\n", ret, fx->diag.stage, fx->diag.msg);
	assert_int_equal(ret, 0);
	assert_non_null(ifq);
	return ifq;
}

#endif
