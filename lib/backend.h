/* SPDX-License-Identifier: MIT */
/*
 * The seam between libzcrx and "the kernel".  A backend does exactly what a
 * syscall would: probe what it offers, resolve a device, register an ifq
 * (validating it as the kernel does and writing back the outputs), zcrx
 * control ops, the consumer side of the refill ring, and posting CQEs into
 * the ctx's io_uring.  Everything above this seam (refill-ring writes at
 * the returned offsets, CQE decode, arming, stats reads, diagnosis) is the
 * same code for every backend.  The kernel's is backend_kernel.c; the
 * simulator's (lib/sim/) is reached only through zcrx_sim.h.
 *
 * Every op returns 0/value or -errno with the kernel's errnos.
 */
#ifndef ZCRX_BACKEND_H
#define ZCRX_BACKEND_H

#include "zcrx.h"
#include "zcrx_diag.h"
#include "zcrx_server.h"
#include "kabi.h"

struct zcrx_backend_ops {
	const char *name;
	/*
	 * Set up backend state for a ctx (its ring already exists) from the
	 * backend's own params (NULL = its defaults): -EINVAL when they are
	 * out of range.
	 */
	int (*init)(struct zcrx_ctx *ctx, const void *params);
	void (*fini)(struct zcrx_ctx *ctx);
	/* the capabilities this "kernel" reports (query op results) */
	int (*probe)(struct zcrx_ctx *ctx, struct zcrx_caps *caps);
	/*
	 * The device an ifq names, by ifname (when not NULL) or ifindex: its
	 * name into name and its ifindex into *ifindex, or -ENODEV when this
	 * "kernel" has no such device.  NODEV ifqs never ask.
	 */
	int (*resolve_dev)(struct zcrx_ctx *ctx, const char *ifname, uint32_t ifindex,
			   char name[IF_NAMESIZE], uint32_t *out_ifindex);
	/* what netlink says about a device, to diagnose a refusal; NULL: no netdev view */
	int (*netdev_dump)(struct zcrx_ctx *ctx, const char *ifname, struct zcrx_netdev_list *out);
	/*
	 * netdev queue-get for one RX queue: the providers it carries
	 * (zcrx_queue_holder()).  NULL: no queue view (-EOPNOTSUPP).
	 */
	int (*queue_get)(struct zcrx_ctx *ctx, const char *ifname, uint32_t queue,
			 struct zcrx_queue_holder *h);
	/* IORING_REGISTER_ZCRX_IFQ: reg and what it points to are user memory */
	int (*register_ifq)(struct zcrx_ctx *ctx, struct io_uring_zcrx_ifq_reg *reg);
	/*
	 * The library's ifq for zcrx_id is set up and keeps event_ud (a value
	 * the caller gave, which no receive may use): the backend may tag its
	 * CQEs on the ring with it.  NULL when a backend has no use for it.
	 */
	void (*ifq_ready)(struct zcrx_ctx *ctx, uint32_t zcrx_id, uint64_t event_ud);
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
	 * IORING_CQE_F_MORE; a backend that posts its CQEs as injected NOPs
	 * cannot set CQE flags, so it answers from its own books.
	 */
	bool (*cqe_more)(struct zcrx_ctx *ctx, uint32_t zcrx_id, const struct io_uring_cqe *cqe);
	/*
	 * cqe_more() is true for every CQE with res > 0: zcrx_cqe_decode()'s
	 * fast path then knows a data CQE has more without the call.
	 */
	bool data_more;
};

extern const struct zcrx_backend_ops zcrx_kernel_backend;
/* The kernel's queue_get: netdev queue-get (lib/queue.c); ctx is unused. */
int zcrx_kernel_queue_get(struct zcrx_ctx *ctx, const char *ifname, uint32_t queue,
			  struct zcrx_queue_holder *h);

/*
 * A ctx on ops with the backend's params: on ring (adopted: the caller's
 * flags are checked) or, ring NULL, on a new ring of its own.
 */
int zcrx_ctx_new(struct zcrx_ctx **out, const struct zcrx_backend_ops *ops, const void *params,
		 struct io_uring *ring, const struct zcrx_ctx_opts *opts);

struct zcrx_ctx {
	struct io_uring			ring_storage;
	uint32_t			nr_opened;	/* ifqs ever opened: default event user_data */
	struct io_uring			*ring;
	bool				owns_ring;
	unsigned int			ring_flags;	/* IORING_SETUP_* of the ring */
	const struct zcrx_backend_ops	*ops;
	void				*backend;	/* backend private state */
	struct zcrx_caps		caps;
	struct zcrx_ifq			*ifqs;		/* open ifqs, linked by next */
};

struct zcrx_ifq {
	/* the fast path, in the library and inline (zcrx.h): the last data CQE's receive and area */
	struct zcrx_fast	fast;
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*next;
	uint32_t		zcrx_id;
	uint32_t		ifindex;
	uint32_t		queue;
	enum zcrx_gen		gen;

	/* areas, by area id: 0 from ifq_open, then zcrx_ifq_add_area()'s */
	struct zcrx_area_slot {
		void		*addr;
		uint64_t	size;
		size_t		map_len;	/* 0 when the caller owns the memory */
		uint64_t	token;		/* rq_area_token as written back */
		uint64_t	rx_buffers;	/* data CQEs decoded in it */
	}			*areas;
	uint32_t		nr_areas;
	uint64_t		area_size;	/* all areas */
	uint32_t		rx_buf_len;
	uint32_t		nr_bufs;	/* all areas */

	/* refill ring, at the offsets the backend wrote back */
	void			*region;
	size_t			region_size;
	uint32_t		rq_entries;
	uint32_t		rq_mask;
	uint32_t		*rq_head;
	uint32_t		*rq_tail;
	struct io_uring_zcrx_rqe *rqes;
	uint32_t		rq_tail0;	/* fast.rq_tail at setup: returns = tail - this */

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
		bool		stalled;	/* ended -ENOMEM: again once buffers are back */
		bool		overflowed;	/* ended -ENOSPC: again at the first SQE */
	}			*recv;		/* grows as receives are prepared */
	unsigned int		nr_recv;
	uint32_t		nr_ids;		/* areas 0.. whose token is id << IORING_ZCRX_AREA_SHIFT */
	uint32_t		hot_id;		/* fast.hot_count's area; UINT32_MAX: none */
	unsigned int		recv_cap;
	unsigned int		nr_stalled;
	unsigned int		nr_overflowed;
	uint64_t		recv_stalls;
	uint64_t		recv_overflows;

	bool			nodev;
	uint32_t		flush_batch;	/* NODEV: flush once this many wait */

	/* served to operators (lib/server/): its CQEs come under &server */
	char			ifname[IF_NAMESIZE];	/* "" for NODEV */
	struct zcrx_server	*server;
	bool			served;		/* a server posted under &server, ever */
	bool			server_posted;	/* its poll is on the ring */
	bool			server_repost;	/* the SQ was full when it wanted to post */
};

/* The user_data of the server's CQEs on an ifq's ring: never an application's. */
static inline uint64_t zcrx_server_ud(const struct zcrx_ifq *ifq)
{
	return (uintptr_t)&ifq->server;
}

/* Data CQEs decoded and not yet given back by zcrx_buf_return(): counted when read. */
uint32_t zcrx_ifq_held(const struct zcrx_ifq *ifq);
/* Data CQEs decoded in area id (zcrx_area_info.rx_buffers). */
uint64_t zcrx_area_rx(const struct zcrx_ifq *ifq, uint32_t id);

/* lib/server/: a server's CQE, an event decoded, the ifq going away */
void zcrx_server_cqe(struct zcrx_server *srv, const struct io_uring_cqe *cqe);
void zcrx_server_event(struct zcrx_server *srv, enum zcrx_event type);
/* The SQ was full when the server last wanted to post: try again. */
void zcrx_server_post(struct zcrx_server *srv);

#endif
