// SPDX-License-Identifier: MIT
/* The real kernel behind the seam: every op is the syscall it names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "internal.h"

static int kernel_probe(struct zcrx_ctx *ctx, struct zcrx_caps *caps)
{
	(void)ctx;
	return zcrx_caps_probe(caps);
}

/* The device by name or index, as IORING_REGISTER_ZCRX_IFQ will look it up. */
static int kernel_resolve_dev(struct zcrx_ctx *ctx, const char *ifname, uint32_t ifindex,
			      char name[IF_NAMESIZE], uint32_t *out_ifindex)
{
	(void)ctx;
	*out_ifindex = 0;
	if (ifname) {
		snprintf(name, IF_NAMESIZE, "%s", ifname);
		*out_ifindex = strlen(ifname) < IF_NAMESIZE ? if_nametoindex(ifname) : 0;
	} else if (if_indextoname(ifindex, name)) {
		*out_ifindex = ifindex;
	}
	return *out_ifindex ? 0 : -ENODEV;
}

static int kernel_netdev_dump(struct zcrx_ctx *ctx, const char *ifname,
			      struct zcrx_netdev_list *out)
{
	(void)ctx;
	return zcrx_netdev_dump(ifname, out);
}

static int kernel_register_ifq(struct zcrx_ctx *ctx, struct io_uring_zcrx_ifq_reg *reg)
{
	return zcrx_sys_register(ctx->ring->ring_fd, IORING_REGISTER_ZCRX_IFQ, reg, 1);
}

static int kernel_ctrl(struct zcrx_ctx *ctx, struct zcrx_ctrl *ctrl)
{
	return zcrx_sys_register(ctx->ring->ring_fd, IORING_REGISTER_ZCRX_CTRL, ctrl, 0);
}

static int kernel_prep_recv(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct io_uring_sqe *sqe,
			    int fd, uint32_t len, uint64_t user_data)
{
	(void)ctx;
	if (fd < 0)
		return -EBADF;
	/* off, addr, addr3 and msg_flags must be 0: the kernel refuses anything else */
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_RECV_ZC;
	sqe->fd = fd;
	sqe->len = len;
	sqe->ioprio = ZCRX_RECV_MULTISHOT;
	/* zcrx_ifq_idx shares SQE bytes 44..47 with liburing 2.3's file_index */
	sqe->file_index = zcrx_id;
	sqe->user_data = user_data;
	return 0;
}

static bool kernel_cqe_more(struct zcrx_ctx *ctx, uint32_t zcrx_id, const struct io_uring_cqe *cqe)
{
	(void)ctx;
	(void)zcrx_id;
	return cqe->flags & ZCRX_CQE_F_MORE;
}

_Static_assert(offsetof(struct io_uring_sqe, file_index) == ZCRX_SQE_IFQ_IDX_OFF,
	       "zcrx_ifq_idx is at SQE byte 44");

/* A kernel ifq cannot be unregistered: it lives until the ring is closed. */
const struct zcrx_backend_ops zcrx_kernel_backend = {
	.name		= "kernel",
	.probe		= kernel_probe,
	.resolve_dev	= kernel_resolve_dev,
	.netdev_dump	= kernel_netdev_dump,
	.queue_get	= zcrx_kernel_queue_get,
	.register_ifq	= kernel_register_ifq,
	.ctrl		= kernel_ctrl,
	.prep_recv	= kernel_prep_recv,
	.cqe_more	= kernel_cqe_more,
};
