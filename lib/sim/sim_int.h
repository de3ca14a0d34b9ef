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
};

/*
 * The wake-up on the caller's ring: an 8-byte READ of the eventfd the
 * private ring signals, tagged with the ifq's event user_data.  It
 * completes with res 8 (or -errno when cancelled), which no event CQE has
 * (their res is a type index).
 */
#define SIM_WAKE_RES		8

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
};

struct sim_ifq {
	struct sim_ifq		*next;
	uint32_t		id;
	bool			nodev;		/* ZCRX_REG_NODEV: no RX ring, every byte copied */

	uint8_t			*area;
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
	bool			wake_armed;	/* its READ is prepared or pending */
	uint64_t		wake_ud;
	struct io_uring_sqe	*wake_sqe;	/* where the READ was prepared */
	uint32_t		wake_pos;	/* and its place in the SQ (sqe_tail) */
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
	struct zcrx_caps	caps;
	uint32_t		page;		/* the copy fallback fills one page per buffer */
	uint32_t		next_id;
	struct sim_ifq		*ifqs;
	int			budget;		/* caller CQ slots this round may fill */
	int			sq_room;	/* and the caller's SQEs */
	struct io_uring		pring;		/* private: timers, polls, cancels */
	bool			pqueued;	/* SQEs prepared on pring, not yet submitted */
	int			efd;		/* pring signals it; the caller's ring reads it */
	uintptr_t		ctrl_page;	/* page a ctrl struct was last read from */
};

static inline struct sim_ifq *find_ifq(struct sim *s, uint32_t id)
{
	struct sim_ifq *q;

	for (q = s->ifqs; q; q = q->next)
		if (q->id == id)
			return q;
	return NULL;
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
