// SPDX-License-Identifier: MIT
/*
 * What the library costs an application, on the simulator:
 *
 *   recycle loop|fast|base BATCHES [SEED]
 *	Deliver BATCHES x 32 packets in step mode and give every buffer back
 *	in batches of 32: each CQE decoded, each buffer returned, one
 *	zcrx_buf_commit() a batch.  Prints "buffers N".  Under callgrind,
 *	collect only inside the walk over a wait's CQEs (and the commit):
 *	  loop  consume_call(): zcrx_cqe_decode() and zcrx_buf_return();
 *	  fast  consume_fast(): zcrx_cqe_decode_fast() and
 *		zcrx_buf_return_fast(), inline here;
 *	  base  consume_base(): the same walk without the library, whose
 *		work (the same calls) is done after it, in settle().
 *	A mode's instructions less base's, over the buffers, are what the
 *	library costs per buffer, inline code included.
 *
 *   recycle idle SECONDS
 *	Open a simulated ifq with no traffic and wait on the ring with
 *	io_uring_wait_cqe_timeout() for SECONDS.  Prints "idle_cpu_us N
 *	wall_ms M": the CPU time (user + system, every thread) spent waiting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "zcrx.h"
#include "zcrx_sim.h"

#define BATCH		32
#define RECV_UD		1

static int die(const char *what, int err)
{
	fprintf(stderr, "recycle: %s: %s\n", what, strerror(-err));
	return 1;
}

static int open_sim(struct zcrx_ctx **ctx, struct zcrx_ifq **ifq, bool step, uint64_t seed)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = step, .seed = seed };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .area_size = 4 << 20, .rq_entries = 4096 };
	struct zcrx_diag d;
	int ret;

	ret = zcrx_sim_ctx_create(ctx, &sp, NULL);
	if (ret)
		return die("zcrx_sim_ctx_create", ret);
	ret = zcrx_ifq_open(*ctx, &o, ifq, &d);
	if (ret) {
		fprintf(stderr, "recycle: zcrx_ifq_open: %s\n", d.msg);
		return 1;
	}
	return 0;
}

static int start_recv(struct zcrx_ctx *ctx, struct zcrx_ifq *ifq)
{
	struct io_uring *ring = zcrx_ctx_ring(ctx);
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	int ret;

	if (!sqe)
		return -EBUSY;
	/* fd -1: the simulator's own synthetic stream */
	ret = zcrx_prep_recv_zc(ifq, sqe, -1, 0, RECV_UD);
	if (ret)
		return ret;
	ret = io_uring_submit(ring);
	return ret < 0 ? ret : 0;
}

enum mode { M_CALL, M_FAST, M_BASE };

/*
 * A wait's CQEs as an application walks them: decode each, return each
 * data buffer (the library's calls, or its inline helpers).  The data
 * buffers into *got, the CQEs walked into *seen (the caller advances).
 */
/*
 * What an application does with a buffer's address and length (reads the
 * payload): one xor each, so the compiler cannot drop the library's work
 * of computing them; base xors the CQE's own fields, the same cost.
 */
static uintptr_t sink;

static inline __attribute__((always_inline)) int walk(struct io_uring *ring,
						      struct zcrx_ifq *ifq,
						      struct zcrx_fast *f, bool fast,
						      unsigned int *seen, unsigned int *got)
{
	unsigned int head, n = 0, data = 0;
	struct zcrx_cqe_info info;
	struct io_uring_cqe *cqe;
	int ret = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		n++;
		ret = fast ? zcrx_cqe_decode_fast(f, cqe, &info) : zcrx_cqe_decode(ifq, cqe, &info);
		if (ret < 0)
			break;
		if (ret == ZCRX_CQE_RECV_END) {
			ret = info.err ? info.err : -EPIPE;
			break;
		}
		if (ret != ZCRX_CQE_DATA)
			continue;
		sink ^= (uintptr_t)info.addr ^ info.len;
		ret = fast ? zcrx_buf_return_fast(f, info.off, info.len)
			   : zcrx_buf_return(ifq, info.off, info.len);
		if (ret)
			break;
		data++;
	}
	*seen += n;
	*got += data;
	return ret < 0 ? ret : 0;
}

static __attribute__((noinline)) int consume_call(struct io_uring *ring, struct zcrx_ifq *ifq,
						  unsigned int *seen, unsigned int *got)
{
	return walk(ring, ifq, NULL, false, seen, got);
}

static __attribute__((noinline)) int consume_fast(struct io_uring *ring, struct zcrx_fast *f,
						  unsigned int *seen, unsigned int *got)
{
	return walk(ring, NULL, f, true, seen, got);
}

/* base: the walk alone */
static __attribute__((noinline)) int consume_base(struct io_uring *ring, unsigned int *seen)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		n++;
		sink ^= (uintptr_t)cqe->big_cqe[0] ^ (uint32_t)cqe->res;
	}
	*seen += n;
	return 0;
}

/* base: the library's work, not collected */
static __attribute__((noinline)) int settle(struct io_uring *ring, struct zcrx_ifq *ifq,
					    unsigned int *got)
{
	unsigned int seen = 0;

	return walk(ring, ifq, NULL, false, &seen, got);
}

/* Reap what the step posted; return every data buffer; one commit. */
static int recycle_batch(struct zcrx_ctx *ctx, struct zcrx_ifq *ifq, enum mode m, uint64_t *bufs)
{
	struct io_uring *ring = zcrx_ctx_ring(ctx);
	struct zcrx_fast *f = zcrx_ifq_fast(ifq);
	unsigned int seen, got = 0;
	int ret, tries;

	for (tries = 0; got < BATCH && tries < 4; tries++) {
		/* the simulator's CQEs go with our submit */
		ret = io_uring_submit_and_get_events(ring);
		if (ret < 0)
			return ret;
		seen = 0;
		if (m == M_CALL)
			ret = consume_call(ring, ifq, &seen, &got);
		else if (m == M_FAST)
			ret = consume_fast(ring, f, &seen, &got);
		else if (!(ret = consume_base(ring, &seen)))
			ret = settle(ring, ifq, &got);
		if (ret)
			return ret;
		io_uring_cq_advance(ring, seen);
	}
	zcrx_buf_commit(ifq);
	*bufs += got;
	return got ? 0 : -ENODATA;
}

static int do_loop(enum mode m, unsigned long batches, uint64_t seed)
{
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	uint64_t bufs = 0;
	int ret;

	if (open_sim(&ctx, &ifq, true, seed))
		return 1;
	ret = start_recv(ctx, ifq);
	if (ret)
		return die("starting the receive", ret);
	for (unsigned long i = 0; i < batches; i++) {
		ret = zcrx_sim_step(ifq, BATCH);
		if (ret < 0)
			return die("zcrx_sim_step", ret);
		ret = recycle_batch(ctx, ifq, m, &bufs);
		if (ret)
			return die("recycling a batch", ret);
	}
	printf("buffers %llu\n", (unsigned long long)bufs);
	zcrx_ctx_destroy(ctx);
	return 0;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int do_idle(unsigned long seconds)
{
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct zcrx_cqe_info info;
	struct io_uring_cqe *cqe;
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	uint64_t t0, cpu0, end;
	int ret;

	if (open_sim(&ctx, &ifq, false, 1))
		return 1;
	ret = start_recv(ctx, ifq);
	if (ret)
		return die("starting the receive", ret);

	cpu0 = cpu_us();
	t0 = now_ms();
	end = t0 + seconds * 1000;
	while (now_ms() < end) {
		ret = io_uring_wait_cqe_timeout(zcrx_ctx_ring(ctx), &cqe, &ts);
		if (ret == -ETIME || ret == -EINTR)
			continue;
		if (ret < 0)
			return die("io_uring_wait_cqe_timeout", ret);
		/* an application decodes everything: the backend's own CQEs drive it */
		zcrx_cqe_decode(ifq, cqe, &info);
		io_uring_cqe_seen(zcrx_ctx_ring(ctx), cqe);
	}
	printf("idle_cpu_us %llu wall_ms %llu\n", (unsigned long long)(cpu_us() - cpu0),
	       (unsigned long long)(now_ms() - t0));
	zcrx_ctx_destroy(ctx);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { [M_CALL] = "loop", [M_FAST] = "fast",
					     [M_BASE] = "base" };

	for (enum mode m = M_CALL; argc >= 3 && m <= M_BASE; m++)
		if (!strcmp(argv[1], modes[m]))
			return do_loop(m, strtoul(argv[2], NULL, 0),
				       argc > 3 ? strtoull(argv[3], NULL, 0) : 1);
	if (argc == 3 && !strcmp(argv[1], "idle"))
		return do_idle(strtoul(argv[2], NULL, 0));
	fprintf(stderr, "usage: recycle loop|fast|base BATCHES [SEED] | recycle idle SECONDS\n");
	return 64;
}
