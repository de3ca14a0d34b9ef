/* SPDX-License-Identifier: MIT */
/*
 * libzcrx's simulator: a user-space model of a NIC RX queue under zcrx, so
 * an application can run its zcrx data path (zcrx.h) without the hardware
 * or the privileges.  A ctx made here answers every call of zcrx.h as the
 * chosen kernel generation would; only the calls below are its own.
 *
 * How it shares the caller's ring:
 * - Its completions (receive data and ends, events) appear on the ctx's
 *   ring after the caller's next io_uring_submit*(): the simulator only
 *   prepares SQEs there (NOPs that complete with the result a kernel would
 *   post, carrying the receive's user_data or the ifq's event user_data),
 *   and never submits or enters the caller's ring itself.  Like any
 *   prepared SQE they take SQ room; when the SQ or the CQ has none, the
 *   simulator waits and tries again, and it never overflows the CQ.
 * - Calls that may prepare SQEs on the caller's ring, here: zcrx_ifq_open(),
 *   zcrx_prep_recv_zc(), zcrx_cqe_decode(), zcrx_buf_commit(),
 *   zcrx_rq_flush(), zcrx_sim_step(), zcrx_ifq_close() and
 *   zcrx_ctx_destroy(): none of them between the io_uring_get_sqe() calls of
 *   a linked chain.
 * - Its own machinery (timers, socket polls) runs on a private io_uring.
 *   A READ of the eventfd that ring signals, prepared on the caller's ring
 *   under the ifq's event user_data (whether or not the ifq has events),
 *   wakes a caller that waits in io_uring_submit_and_wait*(); it takes one
 *   SQE from zcrx_ifq_open() on, and again after each wake-up, whose CQE
 *   (res 8, never an event's) zcrx_cqe_decode() calls ZCRX_CQE_INTERNAL.
 *   So, on a simulated ctx, a receive may not use any ifq's event
 *   user_data (-EINVAL).  The SQE a receive is prepared in becomes a NOP
 *   that posts no CQE (IOSQE_CQE_SKIP_SUCCESS).
 * - After zcrx_ifq_close() or zcrx_ctx_destroy() a stray CQE with that
 *   ifq's event user_data may still arrive: every ifq's zcrx_cqe_decode()
 *   says ZCRX_CQE_NOT_OURS.  A wake-up READ still unsubmitted then is made
 *   a NOP that posts nothing (its eventfd is closed).
 *
 * Not modelled: CAP_NET_ADMIN, ZCRX_REG_IMPORT, dmabuf areas, kernel-
 * allocated refill regions, ZCRX_CTRL_EXPORT and memlock accounting.
 */
#ifndef LIBZCRX_SIM_H
#define LIBZCRX_SIM_H

#include "zcrx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The traffic model and the kernel personality. */
struct zcrx_sim_params {
	enum zcrx_gen	gen;		/* kernel generation to model: set it (0 is
					 * ZCRX_GEN_NONE, a kernel without events;
					 * NULL params model ZCRX_GEN_7_2) */
	uint32_t	rx_ring;	/* RX descriptor ring size; 0 = 64 */
	uint64_t	rate_pps;	/* packets per second; 0 = no synthetic traffic */
	uint32_t	pkt_size;	/* bytes per packet; 0 = 1448, at most 65535 */
	uint32_t	copy_permille;	/* share of fragments copied, 0..1000 */
	uint64_t	seed;		/* determinism */
	bool		step;		/* no timers: traffic only via zcrx_sim_step() */
	int		inject_reg_err;	/* registration answers -inject_reg_err (0 = none) */
	uint64_t	__resv[4];	/* must be zero (-EINVAL): room to grow */
};

/*
 * zcrx_prep_recv_zc() with this fd receives synthetic traffic (rate_pps
 * packets a second, or zcrx_sim_step()): byte i of such a receive is byte
 * i % 8 (little-endian) of a 64-bit mix of seed + i / 8.  Any other fd
 * must be a TCP socket, whose bytes the simulated NIC receives.
 */
#define ZCRX_SIM_SYNTH_FD	(-1)

/*
 * A ctx on the simulator (p NULL = ZCRX_GEN_7_2 and defaults): a new ring
 * as zcrx_ctx_create() makes, or, with _adopt, the caller's ring with the
 * flags zcrx_ctx_adopt() asks for.  -EINVAL for params out of range.
 * Destroy it with zcrx_ctx_destroy().
 */
ZCRX_API int zcrx_sim_ctx_create(struct zcrx_ctx **out, const struct zcrx_sim_params *p,
				 const struct zcrx_ctx_opts *opts);
ZCRX_API int zcrx_sim_ctx_adopt(struct zcrx_ctx **out, struct io_uring *ring,
				const struct zcrx_sim_params *p,
				const struct zcrx_ctx_opts *opts);

struct zcrx_sim_counters {
	uint64_t	rx_packets;
	uint64_t	rx_bytes;
	uint64_t	rx_dropped;	/* packets that found the RX ring empty */
	uint64_t	copied;
	uint64_t	alloc_fail;	/* page-pool refills that found nothing */
	uint32_t	free_bufs;	/* buffers on the pool's free list */
	uint32_t	rx_ring_fill;	/* posted RX descriptors */
	uint64_t	rq_invalid;	/* RQEs ignored: bad area/offset/padding, not owned (double return) */
	uint64_t	__resv[4];	/* zeroed */
};

/*
 * n packets arrive now (step mode or not): the number delivered.  Their
 * CQEs appear after the caller's next submit.  -EOPNOTSUPP on an ifq that
 * is not simulated.
 */
ZCRX_API int zcrx_sim_step(struct zcrx_ifq *ifq, unsigned int n);
/* -EOPNOTSUPP on an ifq that is not simulated. */
ZCRX_API int zcrx_sim_counters(const struct zcrx_ifq *ifq, struct zcrx_sim_counters *c);

/*
 * The capabilities the simulator reports when it models generation gen (an
 * unknown gen: ZCRX_GEN_NONE's).  Safe from any thread.
 */
ZCRX_API void zcrx_sim_caps(enum zcrx_gen gen, struct zcrx_caps *caps);

#ifdef __cplusplus
}
#endif

#endif
