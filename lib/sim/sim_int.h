/* SPDX-License-Identifier: MIT */
/*
 * The simulator's private state, shared by its syscall side (sim.c:
 * registration, control, life cycle) and its data path (sim_rx.c).
 */
#ifndef ZCRX_SIM_INT_H
#define ZCRX_SIM_INT_H

#include "backend.h"
#include "zcrx_sim.h"

/*
 * user_data of the SQEs on the simulator's private ring (a namespace of its
 * own, which no caller sees): the kind, the receive slot and its
 * generation, and the zcrx_id.
 */
#define SIM_UD(kind, slot, gen, id)					\
	(((uint64_t)(kind) << 60) | ((uint64_t)(slot) << 40) |		\
	 ((uint64_t)(gen) << 24) | ((id) & 0xffffffULL))
#define SIM_UD_KIND(ud)		((unsigned int)((ud) >> 60))
#define SIM_UD_SLOT(ud)		((uint32_t)(((ud) >> 40) & 0xfffff))
#define SIM_UD_GEN(ud)		((uint16_t)((ud) >> 24))
#define SIM_UD_ID(ud)		((uint32_t)((ud) & 0xffffff))
#define SIM_ID_MAX		0xffffffU
#define SIM_NO_SLOT		0xfffffU	/* also the receive slots' limit */

enum sim_kind {
	SIM_POLL	= 1,	/* multishot POLL_ADD on a receive's socket */
	SIM_TIMER	= 2,	/* synthetic traffic pacing, retries and backoff */
	SIM_CANCEL	= 3,	/* POLL_REMOVE / TIMEOUT_REMOVE */
	SIM_WAKE_POLL	= 4,	/* the wake chain: POLL_ADD on the eventfd, linked to */
	SIM_WAKE_MSG	= 5,	/* its MSG_RING into the caller's ring */
};

/*
 * The CQEs the simulator has the caller's ring post, under an ifq's event
 * user_data (which no receive may use): res is never an event's type
 * index (those are below ZCRX_EV_COUNT).
 *  - SIM_WAKE_RES: the wake-up, posted by the private ring's MSG_RING.
 *  - SIM_RECV_RES: the NOP a receive's SQE becomes, a 32-byte CQE whose
 *    bytes 24..31 (big_cqe[1], the __pad of struct io_uring_zcrx_cqe, which
 *    io_uring/zcrx.c: io_zcrx_queue_cqe() zeroes) hold SIM_CQE_MARK.
 */
#define SIM_WAKE_RES		8
#define SIM_RECV_RES		9
#define SIM_CQE_MARK		0x7a6373696d000001ULL	/* "zcsim" */

/*
 * Completions the caller's ring still owes under one user_data: receive
 * NOPs prepared and not yet decoded.  Kept after the ifq closes, so no
 * receive takes that user_data before they are seen.
 */
struct sim_owed {
	uint64_t	ud;
	uint32_t	n;
};

extern const struct zcrx_backend_ops zcrx_sim_backend;

enum buf_state {
	BUF_FREE,		/* on the free list */
	BUF_POSTED,		/* on the RX descriptor ring */
	BUF_USER,		/* in a CQE, owned by the application */
	BUF_USER_COPY,		/* the same, from the copy fallback */
};

struct sim_recv {
	bool		active;
	bool		poll_armed;
	bool		ending;		/* its final CQE found no room: end_res waits */
	int		end_res;
	int		fd;		/* our dup of the socket, -1 = synthetic */
	uint64_t	user_data;
	bool		capped;
	uint32_t	left;		/* bytes to the len cap */
	uint64_t	pos;		/* bytes delivered: the payload position */
	uint16_t	gen;
	bool		run;		/* a kernel's one read of the backlog would fill the CQ: */
	int		run_left;	/* CQ slots it may still fill, then it ends -ENOSPC */
};

/* An area: buffers first .. first + nr - 1 of the ifq's, at base; its id is its index */
struct sim_area {
	uint8_t		*base;
	uint32_t	first;
	uint32_t	nr;
};

struct sim_ifq {
	struct sim_ifq		*next;
	uint32_t		id;
	bool			nodev;		/* ZCRX_REG_NODEV: no RX ring, every byte copied */

	struct sim_area		*areas;		/* area 0 from registration, then ADD_AREA's */
	uint32_t		nr_areas;
	uint32_t		buf_len;
	uint32_t		nr_bufs;
	uint8_t			*state;		/* enum buf_state per buffer */
	uint32_t		*free;		/* free list, a stack */
	uint32_t		nr_free;
	uint32_t		*rx;		/* RX descriptor ring, FIFO */
	uint32_t		rx_size;
	uint32_t		rx_head;
	uint32_t		rx_fill;

	uint32_t		*rq_head;
	uint32_t		*rq_tail;
	struct io_uring_zcrx_rqe *rqes;
	uint32_t		rq_entries;
	uint32_t		rq_cached_head;

	bool			target;		/* events go to this ctx's ring */
	uint32_t		type_mask;
	uint64_t		event_ud;
	uint32_t		latched;
	struct zcrx_stats	*stats;

	struct sim_recv		*recv;		/* grows as receives are prepared */
	uint32_t		nr_slots;
	bool			has_wake;	/* the library gave us wake_ud */
	uint64_t		wake_ud;	/* the event user_data, ours on the ring */
	uint64_t		rng;
	uint64_t		credit_ns;	/* elapsed time not yet sent as packets */
	uint64_t		last_ns;
	bool			timer_armed;
	struct __kernel_timespec ts;
	struct zcrx_sim_counters c;
};

struct sim {
	struct zcrx_ctx		*ctx;
	struct zcrx_sim_params	p;
	uint64_t		stale_until;	/* CLOCK_MONOTONIC ns: a stale provider until then */
	struct zcrx_caps	caps;
	uint32_t		page;		/* the copy fallback fills one page per buffer */
	uint32_t		next_id;
	struct sim_ifq		*ifqs;
	int			budget;		/* caller CQ slots this round may fill */
	int			sq_room;	/* and the caller's SQEs */
	struct io_uring		pring;		/* private: timers, polls, cancels, the wake chain */
	bool			pqueued;	/* SQEs prepared on pring, not yet submitted */
	bool			pdefer;		/* and they wait for the end of own_cqe() */
	int			efd;		/* pring signals it; the wake chain polls it */
	bool			chain_armed;	/* a wake-up under chain_ud is due on the caller's ring */
	bool			chain_msg;	/* its MSG_RING has not completed on pring */
	uint64_t		chain_ud;
	uint16_t		chain_gen;
	struct sim_owed		*owed;
	uint32_t		nr_owed;
	uint32_t		owed_cap;
	uintptr_t		ctrl_page;	/* page a ctrl struct was last read from */
	uint32_t		rq_tail_off;	/* the refill header of the release modelled */
	uint32_t		rq_rqes_off;
};

static inline struct sim_ifq *find_ifq(struct sim *s, uint32_t id)
{
	struct sim_ifq *q;

	for (q = s->ifqs; q; q = q->next)
		if (q->id == id)
			return q;
	return NULL;
}

/* The area holding buffer idx (areas are few, and the newest hold the highest) */
static inline const struct sim_area *sim_buf_area(const struct sim_ifq *q, uint32_t idx, uint32_t *id)
{
	uint32_t a = q->nr_areas - 1;

	while (a && idx < q->areas[a].first)
		a--;
	*id = a;
	return &q->areas[a];
}

static inline uint8_t *sim_buf_addr(const struct sim_ifq *q, uint32_t idx)
{
	uint32_t id;
	const struct sim_area *a = sim_buf_area(q, idx, &id);

	return a->base + (uint64_t)(idx - a->first) * q->buf_len;
}

/* What a CQE carries for buffer idx: its area's token | the offset in that area */
static inline uint64_t sim_buf_off(const struct sim_ifq *q, uint32_t idx)
{
	uint32_t id;
	const struct sim_area *a = sim_buf_area(q, idx, &id);

	return ((uint64_t)id << IORING_ZCRX_AREA_SHIFT) | (uint64_t)(idx - a->first) * q->buf_len;
}

static inline void buf_free(struct sim_ifq *q, uint32_t idx)
{
	q->state[idx] = BUF_FREE;
	q->free[q->nr_free++] = idx;
}

/* sim_rx.c: the page pool and the receives, for registration and control */
void zcrx_sim_rx_refill(struct sim *s, struct sim_ifq *q);
void zcrx_sim_rx_flush_rq(struct sim_ifq *q);
void zcrx_sim_rx_disarm(struct sim *s, struct sim_ifq *q);
void zcrx_sim_rx_rearmed(struct sim *s, struct sim_ifq *q);
void zcrx_sim_rx_wake_stop(struct sim *s);

/* sim_rx.c: the backend ops of the data path */
int zcrx_sim_rx_prep_recv(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct io_uring_sqe *sqe,
			  int fd, uint32_t len, uint64_t user_data);
bool zcrx_sim_rx_own_cqe(struct zcrx_ctx *ctx, const struct io_uring_cqe *cqe);
bool zcrx_sim_rx_cqe_more(struct zcrx_ctx *ctx, uint32_t zcrx_id, const struct io_uring_cqe *cqe);
void zcrx_sim_rx_ifq_ready(struct zcrx_ctx *ctx, uint32_t zcrx_id, uint64_t event_ud);
int zcrx_sim_rx_step(struct zcrx_ctx *ctx, uint32_t zcrx_id, unsigned int n);
int zcrx_sim_rx_counters(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct zcrx_sim_counters *c);
void zcrx_sim_rx_psubmit(struct sim *s);

#endif
