// SPDX-License-Identifier: MIT
/*
 * Built by tests/test_install.sh against an installed libzcrx with nothing but
 * `pkg-config --cflags --libs libzcrx`: a simulated queue "sim0" delivers a
 * few packets, each must arrive as a DATA CQE inside the area, and each
 * buffer goes back through the refill ring.  Exit 0 ok, 1 failed (why on
 * stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zcrx.h>
#include <zcrx_sim.h>

#define RECV_UD		0x1234

static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(-err));
	return 1;
}

int main(void)
{
	struct zcrx_sim_params sim = { .gen = ZCRX_GEN_7_2, .step = true, .seed = 42 };
	struct zcrx_ifq_opts iopts = { .ifname = "sim0", .queue = 0, .events_default = true };
	struct zcrx_ifq_info ii;
	struct zcrx_cqe_info info;
	struct io_uring_cqe *cqe;
	struct zcrx_diag diag = { 0 };
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	struct io_uring *ring;
	struct io_uring_sqe *sqe;
	unsigned int ndata = 0, nret = 0;
	int ret, kind;

	ret = zcrx_sim_ctx_create(&ctx, &sim, NULL);
	if (ret < 0)
		return fail("zcrx_sim_ctx_create", ret);
	ret = zcrx_ifq_open(ctx, &iopts, &ifq, &diag);
	if (ret < 0) {
		fprintf(stderr, "zcrx_ifq_open sim0 queue 0: %s\n", diag.msg);
		goto err;
	}
	ret = zcrx_ifq_info(ifq, &ii);
	if (ret < 0) {
		fail("zcrx_ifq_info", ret);
		goto err;
	}
	ring = zcrx_ctx_ring(ctx);
	sqe = io_uring_get_sqe(ring);
	ret = sqe ? zcrx_prep_recv_zc(ifq, sqe, ZCRX_SIM_SYNTH_FD, 0, RECV_UD) : -EBUSY;
	if (ret < 0) {
		fail("zcrx_prep_recv_zc", ret);
		goto err;
	}
	ret = io_uring_submit(ring);
	if (ret < 0) {
		fail("io_uring_submit", ret);
		goto err;
	}

	for (int round = 0; round < 10 && ndata < 4; round++) {
		if (round) {
			ret = zcrx_sim_step(ifq, 4);
			if (ret < 0) {
				fail("zcrx_sim_step", ret);
				goto err;
			}
		}
		/* the simulator's CQEs go with the next submit */
		io_uring_submit_and_get_events(ring);
		while (io_uring_peek_cqe(ring, &cqe) == 0) {
			kind = zcrx_cqe_decode(ifq, cqe, &info);
			if (kind < 0) {
				fail("zcrx_cqe_decode", kind);
				goto err;
			}
			if (kind == ZCRX_CQE_DATA) {
				if (info.user_data != RECV_UD || !info.len ||
				    (char *)info.addr < (char *)ii.area ||
				    (char *)info.addr + info.len > (char *)ii.area + ii.area_size) {
					fprintf(stderr, "a DATA CQE outside the area or not ours\n");
					goto err;
				}
				ndata++;
				ret = zcrx_buf_return(ifq, info.off, info.len);
				if (ret < 0) {
					fail("zcrx_buf_return", ret);
					goto err;
				}
				nret++;
			} else if (kind == ZCRX_CQE_RECV_END) {
				fprintf(stderr, "the receive ended: %s\n", strerror(-info.err));
				goto err;
			}
			io_uring_cqe_seen(ring, cqe);
		}
		zcrx_buf_commit(ifq);
	}
	if (!ndata) {
		fprintf(stderr, "no DATA CQE after stepping the simulator\n");
		goto err;
	}
	printf("data-cqes %u returned %u zcrx-id %u rq-entries %u\n", ndata, nret, ii.zcrx_id,
	       ii.rq_entries);
	zcrx_ctx_destroy(ctx);
	return 0;
err:
	zcrx_ctx_destroy(ctx);
	return 1;
}
