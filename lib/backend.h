/* SPDX-License-Identifier: MIT */
/*
 * The seam between libzcrx and "the kernel".  A backend does exactly what a
 * syscall would: register an ifq (validating it as the kernel does and
 * writing back the outputs), zcrx control ops, the consumer side of the
 * refill ring, and posting CQEs into the ctx's io_uring.  Everything above
 * this seam (refill-ring writes at the returned offsets, CQE decode,
 * arming, stats reads, diagnosis) is the same code for every backend.
 *
 * Every op returns 0/value or -errno with the kernel's errnos.
 */
#ifndef ZCRX_BACKEND_H
#define ZCRX_BACKEND_H

#include "zcrx.h"
#include "kabi.h"

struct zcrx_backend_ops {
	const char *name;
	/* set up backend state for a ctx (its ring already exists) */
	int (*init)(struct zcrx_ctx *ctx);
	void (*fini)(struct zcrx_ctx *ctx);
	/* the capabilities this "kernel" reports (query op results) */
	int (*probe)(struct zcrx_ctx *ctx, struct zcrx_caps *caps);
	/* IORING_REGISTER_ZCRX_IFQ: reg and what it points to are user memory */
	int (*register_ifq)(struct zcrx_ctx *ctx, struct io_uring_zcrx_ifq_reg *reg);
	/* IORING_REGISTER_ZCRX_CTRL */
	int (*ctrl)(struct zcrx_ctx *ctx, struct zcrx_ctrl *ctrl);
	/*
	 * Forget an ifq.  The kernel has no such op (a ring's ifqs live until
	 * the ring is closed), so the kernel backend does nothing here.
	 */
	void (*unregister_ifq)(struct zcrx_ctx *ctx, uint32_t zcrx_id);
	/* fill sqe with a multishot zero-copy receive for zcrx_id */
	int (*prep_recv)(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct io_uring_sqe *sqe,
			 int fd, uint32_t len, uint64_t user_data);
	/* a CQE that belongs to the backend itself: handle it, return true */
	bool (*own_cqe)(struct zcrx_ctx *ctx, const struct io_uring_cqe *cqe);
	/*
	 * Does a receive CQE have more to come?  The kernel says so with
	 * IORING_CQE_F_MORE; the simulator cannot set CQE flags (its CQEs are
	 * injected NOPs), so it answers from its own books.
	 */
	bool (*cqe_more)(struct zcrx_ctx *ctx, uint32_t zcrx_id, const struct io_uring_cqe *cqe);
	/* simulator controls; NULL on the kernel backend */
	int (*sim_step)(struct zcrx_ctx *ctx, uint32_t zcrx_id, unsigned int n);
	int (*sim_counters)(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct zcrx_sim_counters *c);
};

extern const struct zcrx_backend_ops zcrx_kernel_backend;
extern const struct zcrx_backend_ops zcrx_sim_backend;

#define ZCRX_MAX_RECV	8	/* receives tracked per ifq for CQE decode */

struct zcrx_ctx {
	struct io_uring			ring_storage;
	uint32_t			nr_opened;	/* ifqs ever opened: default event user_data */
	struct io_uring			*ring;
	bool				owns_ring;
	unsigned int			ring_flags;	/* IORING_SETUP_* of the ring */
	const struct zcrx_backend_ops	*ops;
	void				*backend;	/* backend private state */
	struct zcrx_sim_params		sim;		/* with the sim backend */
	struct zcrx_caps		caps;
	struct zcrx_ifq			*ifqs;		/* open ifqs, linked by next */
};

struct zcrx_ifq {
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*next;
	uint32_t		zcrx_id;
	uint32_t		ifindex;
	uint32_t		queue;
	enum zcrx_gen		gen;

	/* area */
	void			*area;
	uint64_t		area_size;
	size_t			area_map_len;	/* 0 when the caller owns the memory */
	uint64_t		area_token;
	uint32_t		rx_buf_len;
	uint32_t		nr_bufs;

	/* refill ring, at the offsets the backend wrote back */
	void			*region;
	size_t			region_size;
	uint32_t		rq_entries;
	uint32_t		rq_mask;
	uint32_t		*rq_head;
	uint32_t		*rq_tail;
	struct io_uring_zcrx_rqe *rqes;
	uint32_t		rq_local_tail;

	/* events and stats */
	uint32_t		events;
	uint64_t		event_ud;
	uint32_t		latched;	/* types fired and not re-armed */
	struct zcrx_stats	*stats;		/* NULL without stats */

	/* receives prepared on this ifq, to recognise their CQEs */
	struct zcrx_recv {
		uint64_t	ud;
		int		fd;
		uint32_t	len;
		bool		stalled;	/* ended with -ENOMEM: prepare again */
	}			recv[ZCRX_MAX_RECV];
	unsigned int		nr_recv;
	unsigned int		nr_stalled;
	uint64_t		recv_stalls;
	uint32_t		bufs_out;	/* data CQEs not yet taken back by the kernel */
	uint32_t		seen_head;	/* refill head when bufs_out was last settled */

	bool			nodev;
	uint32_t		flush_batch;	/* NODEV: flush once this many wait */
};

#endif
