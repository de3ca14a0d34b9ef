// SPDX-License-Identifier: MIT
/* A context: one io_uring, the backend behind it, and what that "kernel" offers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "internal.h"

#define ZCRX_SQ_ENTRIES_DEFAULT	256
/* room for completions of several SQEs each (a multishot receive posts many) */
#define ZCRX_CQ_PER_SQ		4

/*
 * CQE_MIXED rings are refused: there a 32-byte receive CQE fills two slots,
 * and liburing 2.3's peek and advance would hand the second half to the
 * caller as a CQE of its own (user_data = the area offset).
 */
static bool ring_flags_ok(unsigned int flags)
{
	return (flags & ZCRX_SETUP_DEFER_TASKRUN) && (flags & ZCRX_SETUP_SINGLE_ISSUER) &&
	       (flags & ZCRX_SETUP_CQE32) && !(flags & ZCRX_SETUP_CQE_MIXED);
}

/* The part of create and adopt after the ring exists. */
static int ctx_start(struct zcrx_ctx *ctx, const void *params)
{
	int ret;

	ctx->ring_flags = ctx->ring->flags;
	if (ctx->ops->init) {
		ret = ctx->ops->init(ctx, params);
		if (ret)
			return ret;
	}
	ret = ctx->ops->probe(ctx, &ctx->caps);
	if (ret && ctx->ops->fini)
		ctx->ops->fini(ctx);
	return ret;
}

int zcrx_ctx_new(struct zcrx_ctx **out, const struct zcrx_backend_ops *ops, const void *params,
		 struct io_uring *ring, const struct zcrx_ctx_opts *opts)
{
	struct io_uring_params p = { 0 };
	unsigned int sq = opts && opts->sq_entries ? opts->sq_entries : ZCRX_SQ_ENTRIES_DEFAULT;
	struct zcrx_ctx *ctx;
	int ret;

	if (ring && !ring_flags_ok(ring->flags))
		return -EINVAL;
	if (opts && zcrx_resv_check(opts->__resv, sizeof(opts->__resv)))
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->ops = ops;
	if (ring) {
		ctx->ring = ring;
	} else {
		p.flags = ZCRX_SETUP_SINGLE_ISSUER | ZCRX_SETUP_DEFER_TASKRUN | ZCRX_SETUP_CQE32 |
			  IORING_SETUP_CQSIZE;
		p.cq_entries = sq * ZCRX_CQ_PER_SQ;
		ret = io_uring_queue_init_params(sq, &ctx->ring_storage, &p);
		if (ret)
			goto err_free;
		ctx->ring = &ctx->ring_storage;
		ctx->owns_ring = true;
		/*
		 * Enter by the ring's registered index: the kernel then takes no
		 * file reference per call (an event storm enters once an event).
		 * SINGLE_ISSUER and DEFER_TASKRUN already keep the ring to this
		 * thread, as the index is.  A kernel without it (before 5.18), or
		 * a full table, just leaves the fd in use.
		 */
		io_uring_register_ring_fd(ctx->ring);
	}

	ret = ctx_start(ctx, params);
	if (ret)
		goto err_ring;
	*out = ctx;
	return 0;

err_ring:
	if (ctx->owns_ring)
		io_uring_queue_exit(ctx->ring);
err_free:
	free(ctx);
	return ret;
}

int zcrx_ctx_create(struct zcrx_ctx **out, const struct zcrx_ctx_opts *opts)
{
	return zcrx_ctx_new(out, &zcrx_kernel_backend, NULL, NULL, opts);
}

int zcrx_ctx_adopt(struct zcrx_ctx **out, struct io_uring *ring, const struct zcrx_ctx_opts *opts)
{
	if (!ring)
		return -EINVAL;
	return zcrx_ctx_new(out, &zcrx_kernel_backend, NULL, ring, opts);
}

struct io_uring *zcrx_ctx_ring(struct zcrx_ctx *ctx)
{
	return ctx->ring;
}

const struct zcrx_caps *zcrx_ctx_caps(const struct zcrx_ctx *ctx)
{
	return &ctx->caps;
}

void zcrx_ctx_destroy(struct zcrx_ctx *ctx)
{
	if (!ctx)
		return;
	while (ctx->ifqs)
		zcrx_ifq_close(ctx->ifqs);
	if (ctx->ops->fini)
		ctx->ops->fini(ctx);
	/* closing the ring is what releases kernel ifqs and their pinned memory */
	if (ctx->owns_ring)
		io_uring_queue_exit(ctx->ring);
	free(ctx);
}

int zcrx_register_raw(struct zcrx_ctx *ctx, struct io_uring_zcrx_ifq_reg *reg)
{
	return ctx->ops->register_ifq(ctx, reg);
}

int zcrx_ctrl_raw(struct zcrx_ctx *ctx, struct zcrx_ctrl *ctrl)
{
	return ctx->ops->ctrl(ctx, ctrl);
}
