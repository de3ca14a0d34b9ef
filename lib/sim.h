/* SPDX-License-Identifier: MIT */
/*
 * The simulator's private state, shared by its syscall side (sim.c:
 * registration, control, life cycle) and its data path (sim_rx.c).
 */
#ifndef ZCRX_SIM_H
#define ZCRX_SIM_H

#include "backend.h"

/*
 * user_data of the simulator's own SQEs: "ZS" in the top 16 bits, then the
 * kind, the receive slot and its generation, and the zcrx_id.
 */
#define SIM_UD_MAGIC		0x5a53ULL
#define SIM_UD(kind, slot, gen, id)					\
	((SIM_UD_MAGIC << 48) | ((uint64_t)(kind) << 44) |		\
	 ((uint64_t)(slot) << 40) | ((uint64_t)(gen) << 24) | ((id) & 0xffffffULL))
#define SIM_UD_KIND(ud)		(((ud) >> 44) & 0xf)
#define SIM_UD_SLOT(ud)		(((ud) >> 40) & 0xf)
#define SIM_UD_GEN(ud)		((uint16_t)((ud) >> 24))
#define SIM_UD_ID(ud)		((uint32_t)((ud) & 0xffffff))
#define SIM_ID_MAX		0xffffffU
#define SIM_NO_SLOT		0xf

enum sim_kind {
	SIM_START	= 1,	/* the SQE prep_recv handed out: the receive was issued */
	SIM_POLL	= 2,	/* multishot POLL_ADD on a receive's socket */
	SIM_TIMER	= 3,	/* synthetic traffic pacing and retries */
	SIM_KICK	= 4,	/* a NOP behind our CQEs: the CQ may have room again */
	SIM_CANCEL	= 5,	/* POLL_REMOVE / TIMEOUT_REMOVE */
};

enum buf_state {
	BUF_FREE,		/* on the free list */
	BUF_POSTED,		/* on the RX descriptor ring */
	BUF_USER,		/* in a CQE, owned by the application */
	BUF_USER_COPY,		/* the same, from the copy fallback */
};

struct sim_recv {
	bool		active;
	bool		started;	/* its START CQE was seen */
	bool		poll_armed;
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

	struct sim_recv		recv[ZCRX_MAX_RECV];
	uint64_t		rng;
	uint64_t		credit_ns;	/* elapsed time not yet sent as packets */
	uint64_t		last_ns;
	bool			timer_armed;
	bool			kick_armed;
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
	int			budget;		/* CQ slots this round may still fill */
	bool			queued;		/* SQEs prepared and not yet submitted */
	uintptr_t		ctrl_page;	/* page a ctrl struct was last read from */
};

_Static_assert(ZCRX_MAX_RECV < SIM_NO_SLOT, "receive slots fit the user_data");

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
int zcrx_sim_rx_step(struct zcrx_ctx *ctx, uint32_t zcrx_id, unsigned int n);
int zcrx_sim_rx_counters(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct zcrx_sim_counters *c);

#endif
