// SPDX-License-Identifier: MIT
/*
 * An application that serves its ifq (zcrx_server.h), for tests/test_serve.sh:
 *
 *   serve ring|driven DEV|- QUEUE [PROG|- [GROW_MAX]]
 *
 * opens a simulated ifq on sim0 queue QUEUE (all its events, a copy on every
 * packet), serves it as DEV QUEUE (- : the ifq's own name and queue) with
 * PROG as its name (- : the default), and runs: on the ring (ring: it only
 * decodes every CQE and submits) or driving the server itself (driven: it
 * polls zcrx_server_fd() and calls zcrx_server_run()).  It prints
 * "serving PATH" once the socket is there; SIGUSR1 makes 4 packets arrive
 * (a copy event, once armed); SIGTERM or SIGINT end it with status 0.  A
 * refused serve prints its sentence on stderr and exits 1.  With GROW_MAX
 * the ifq is on a simulated Linux 7.3: "off" serves it without
 * ZCRX_SERVE_GROW (a grow request is refused), bytes with it and that cap.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zcrx.h"
#include "zcrx_server.h"
#include "zcrx_sim.h"

#define RECV_UD	0x5e57ULL

static volatile sig_atomic_t stop, step;

static void on_signal(int signo)
{
	if (signo == SIGUSR1)
		step = 1;
	else
		stop = 1;
}

static int die(const char *what, int err)
{
	fprintf(stderr, "serve: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true, .copy_permille = 1000 };
	struct zcrx_ifq_opts io = { .ifname = "sim0", .events_default = true, .stats = true };
	struct zcrx_serve_opts so = { 0 };
	struct __kernel_timespec ts = { .tv_nsec = 20 * 1000000 };
	struct zcrx_server_info si;
	struct zcrx_server *srv;
	struct zcrx_cqe_info ci;
	struct io_uring_cqe *cqe;
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	struct zcrx_diag d;
	struct io_uring *ring;
	bool driven;
	int ret;

	if (argc < 4 || (strcmp(argv[1], "ring") && strcmp(argv[1], "driven"))) {
		fprintf(stderr, "usage: serve ring|driven DEV|- QUEUE [PROG|- [GROW_MAX]]\n");
		return 2;
	}
	driven = !strcmp(argv[1], "driven");
	io.queue = strtoul(argv[3], NULL, 0);
	if (strcmp(argv[2], "-"))
		so.dev = argv[2], so.queue = io.queue;
	if (argc > 4 && strcmp(argv[4], "-"))
		so.prog = argv[4];
	so.flags = driven ? ZCRX_SERVE_DRIVEN : 0;
	if (argc > 5) {
		sp.release = ZCRX_SIM_LINUX_7_3;
		if (strcmp(argv[5], "off")) {
			so.flags |= ZCRX_SERVE_GROW;
			so.grow_max = strtoull(argv[5], NULL, 0);
		}
	}

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	ret = zcrx_sim_ctx_create(&ctx, &sp, NULL);
	if (ret)
		return die("zcrx_sim_ctx_create", ret);
	ring = zcrx_ctx_ring(ctx);
	ret = zcrx_ifq_open(ctx, &io, &ifq, &d);
	if (ret)
		return die(d.msg, ret);
	ret = zcrx_prep_recv_zc(ifq, io_uring_get_sqe(ring), ZCRX_SIM_SYNTH_FD, 0, RECV_UD);
	if (ret)
		return die("zcrx_prep_recv_zc", ret);
	srv = (struct zcrx_server *)&so;	/* zcrx_ifq_serve() must NULL it on failure */
	ret = zcrx_ifq_serve(ifq, &so, &srv, &d);
	if (ret && srv) {
		fprintf(stderr, "serve: zcrx_ifq_serve failed but left *out set\n");
		return 3;
	}
	if (ret) {
		fprintf(stderr, "%s\n", d.msg);
		zcrx_ctx_destroy(ctx);
		return 1;
	}
	zcrx_server_info(srv, &si);
	printf("serving %s%s\n", si.path, si.replaced ? " (replaced a dead one's)" : "");
	fflush(stdout);

	while (!stop) {
		if (step) {
			step = 0;
			zcrx_sim_step(ifq, 4);
		}
		if (driven) {
			struct pollfd p = { .fd = zcrx_server_fd(srv), .events = POLLIN };

			if (poll(&p, 1, 20) > 0 && (ret = zcrx_server_run(srv)))
				return die("zcrx_server_run", ret);
			ts.tv_nsec = 0;
		}
		ret = io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
		if (ret < 0 && ret != -ETIME && ret != -EINTR)
			return die("io_uring_submit_and_wait_timeout", ret);
		while (!io_uring_peek_cqe(ring, &cqe)) {
			if (zcrx_cqe_decode(ifq, cqe, &ci) == ZCRX_CQE_DATA)
				zcrx_buf_return(ifq, ci.off, ci.len);
			io_uring_cqe_seen(ring, cqe);
		}
		zcrx_buf_commit(ifq);
	}
	zcrx_server_close(srv);
	zcrx_ifq_close(ifq);
	zcrx_ctx_destroy(ctx);
	return 0;
}
