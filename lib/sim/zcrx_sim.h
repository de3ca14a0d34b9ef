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
 *   and never submits or enters the caller's ring itself, nor sets
 *   IOSQE_CQE_SKIP_SUCCESS there (the kernel would then refuse the ring's
 *   IOSQE_IO_DRAIN for good).  Like any prepared SQE they take SQ room,
 *   but a round leaves at least half of the SQ to the caller (at most 64
 *   SQEs in a round the simulator runs on its own); when the SQ or the CQ
 *   has no room, the simulator waits and tries again, and it never
 *   overflows the CQ.
 * - Calls that may prepare SQEs on the caller's ring, here:
 *   zcrx_cqe_decode() and zcrx_sim_step(); zcrx_event_arm() (the re-armed
 *   event, when the synthetic traffic due by now raises it again, as the
 *   next packet would on a kernel); and, as on a kernel, zcrx_buf_commit()
 *   and zcrx_rq_flush() (a stalled receive goes again);
 *   zcrx_prep_recv_zc() fills only the SQE it is given.  Call none of them
 *   between the io_uring_get_sqe() calls of a linked chain.
 * - Its own machinery (timers, socket polls) runs on a private io_uring,
 *   and the wake-up of a caller waiting in io_uring_submit_and_wait*()
 *   takes no SQE of the caller's: the private ring posts it into the ctx's
 *   ring with IORING_OP_MSG_RING (so that ring's fd, ring->ring_fd, must
 *   stay open), a CQE under the event user_data of one of the ctx's ifqs
 *   (whether or not it has events) with res 8, which no event has.  The
 *   SQE a receive is prepared in becomes a NOP whose 32-byte CQE comes
 *   under its ifq's event user_data with res 9.  zcrx_cqe_decode() calls
 *   both ZCRX_CQE_INTERNAL.  So, on a simulated ctx, a receive may not use
 *   any ifq's event user_data (-EINVAL).
 * - After zcrx_ifq_close() such a CQE may still be due under that ifq's
 *   event user_data: the ctx keeps the value, and refuses it to receives
 *   (-EINVAL), until zcrx_cqe_decode(), with any of the ctx's ifqs, has
 *   seen the CQE.  After zcrx_ctx_destroy() a wake-up already posted may
 *   still arrive on an adopted ring (res 8 under a former event
 *   user_data): it is no one's, so leave it be.
 * - ZCRX_SIM_SYNTH_FD is the one negative fd a receive takes; any other
 *   is -EBADF.
 *
 * Not modelled: CAP_NET_ADMIN, ZCRX_REG_IMPORT, dmabuf areas (areas added
 * with ZCRX_CTRL_ADD_AREA are, on ZCRX_SIM_LINUX_7_3), kernel-
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
	/*
	 * A stale binding: for stale_ns after the ctx is created, the simulated
	 * NIC queue still carries an io_uring provider left by a process that
	 * exited (the kernel tears it down asynchronously).  Until then a NIC
	 * registration answers -EEXIST and zcrx_queue_holder() reports it.
	 */
	uint64_t	stale_ns;
	/*
	 * The kernel release modelled within gen: 0 for the generation's
	 * first, or ZCRX_SIM_LINUX_7_3 (gen ZCRX_GEN_7_2 only): Linux 7.3,
	 * with ZCRX_CTRL_ADD_AREA (zcrx_ifq_add_area()) and its refill
	 * header (head and tail on cache lines of their own).  Since 0.4.
	 */
	uint32_t	release;
	uint32_t	__resv32;	/* must be zero (-EINVAL) */
	uint64_t	__resv[2];	/* must be zero (-EINVAL): room to grow */
};

#define ZCRX_SIM_LINUX_7_3	0x0703

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
