// SPDX-License-Identifier: MIT
/*
 * zcrx_cqe_decode() on CQEs of any bytes, on a simulated ifq with events and
 * one receive in flight, as a buggy or hostile "kernel" could post them.
 *
 * An input is a sequence of 33-byte records, decoded in order on one fresh
 * ifq (so latching and receive state carry from one CQE to the next): a
 * selector byte, then the 32-byte CQE.  The selector's low bits may replace
 * the user_data with one the ifq knows (0 raw, 1 the event user_data, 2 the
 * receive's, 3 the simulator's own tag with the rest of the bytes kept), so
 * the interesting paths are one mutation away.  Oracles:
 *  - the kind is one of enum zcrx_cqe_kind, or -EPROTO;
 *  - a stalled receive ended with -ENOMEM and is counted once;
 *  - an event is a type the ifq enabled, and it is latched afterwards;
 *  - data lies inside the area (every byte of it is read, for ASan), and
 *    giving it back (zcrx_buf_return + commit) is safe.
 */
#include <errno.h>

#include "fuzz.h"
#include "zcrx.h"
#include "zcrx_sim.h"

#define REC		(1 + sizeof(struct io_uring_cqe) + 16)
#define MAX_CQES	64
#define RECV_UD		0x1234ULL

static struct zcrx_ifq *open_ifq(struct zcrx_ctx **ctx)
{
	static const struct zcrx_sim_params sim = { .gen = ZCRX_GEN_7_2, .step = true };
	struct zcrx_ifq_opts iopts = {
		.ifname = "sim0", .area_size = 64 * 1024, .rq_entries = 64,
		.events_default = true, .stats = true,
	};
	struct zcrx_diag diag;
	struct zcrx_ifq *ifq;

	if (zcrx_sim_ctx_create(ctx, &sim, NULL) < 0)
		abort();
	if (zcrx_ifq_open(*ctx, &iopts, &ifq, &diag) < 0) {
		fprintf(stderr, "fuzz_cqe: %s\n", diag.msg);
		abort();
	}
	if (zcrx_prep_recv_zc(ifq, io_uring_get_sqe(zcrx_ctx_ring(*ctx)), -1, 0, RECV_UD))
		abort();
	return ifq;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zcrx_ifq_info ii;
	struct zcrx_cqe_info info;
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	unsigned int n = 0;
	uint64_t stalls, overflows;

	if (size < REC)
		return 0;
	ifq = open_ifq(&ctx);
	zcrx_ifq_info(ifq, &ii);

	for (; size >= REC && n < MAX_CQES; data += REC, size -= REC, n++) {
		/* room for a CQE32 */
		uint64_t raw[(sizeof(struct io_uring_cqe) + 16) / 8];
		struct io_uring_cqe *cqe = (struct io_uring_cqe *)raw;
		volatile uint8_t sink = 0;
		int kind;

		memcpy(raw, data + 1, sizeof(raw));
		switch (data[0] & 3) {
		case 1:
			cqe->user_data = ii.event_user_data;
			break;
		case 2:
			cqe->user_data = RECV_UD;
			break;
		case 3:
			/* the simulator's wake-up: the event user_data, res 8 */
			cqe->user_data = ii.event_user_data;
			cqe->res = 8;
			break;
		}
		stalls = zcrx_recv_stalls(ifq);
		overflows = zcrx_recv_overflows(ifq);
		kind = zcrx_cqe_decode(ifq, cqe, &info);
		fz_assert(kind == -EPROTO ||
			  (kind >= ZCRX_CQE_NOT_OURS && kind <= ZCRX_CQE_RECV_STALLED),
			  "kind %d", kind);
		fz_assert(zcrx_recv_stalls(ifq) + zcrx_recv_overflows(ifq) ==
			  stalls + overflows + (kind == ZCRX_CQE_RECV_STALLED),
			  "kind %d, stalls %llu -> %llu", kind, (unsigned long long)stalls,
			  (unsigned long long)zcrx_recv_stalls(ifq));
		if (kind == ZCRX_CQE_RECV_STALLED) {
			fz_assert(info.err == -ENOMEM || info.err == -ENOSPC, "stalled with %d",
				  info.err);
			fz_assert(zcrx_recv_overflows(ifq) == overflows + (info.err == -ENOSPC),
				  "-ENOSPC not counted as an overflow");
			/* buffers back: the receive is prepared again */
			zcrx_buf_commit(ifq);
		}
		if (kind == ZCRX_CQE_EVENT) {
			fz_assert((unsigned int)info.event < ZCRX_EV_COUNT &&
				  (ii.events & ZCRX_EV_MASK(info.event)), "event %d", info.event);
			fz_assert(zcrx_event_latched(ifq, info.event), "event %d not latched",
				  info.event);
		} else if (kind == ZCRX_CQE_DATA) {
			const uint8_t *a = info.addr, *area = ii.area;

			fz_assert(info.len > 0 && a >= area && a + info.len <= area + ii.area_size,
				  "data %p+%u outside the area %p+%llu", (void *)a, info.len,
				  (void *)area, (unsigned long long)ii.area_size);
			for (uint32_t i = 0; i < info.len; i += 512)
				sink ^= a[i];
			sink ^= a[info.len - 1];
			(void)sink;
			zcrx_buf_return(ifq, info.off, info.len);
			zcrx_buf_commit(ifq);
		}
	}
	zcrx_ctx_destroy(ctx);
	return 0;
}
