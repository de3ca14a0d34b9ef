// SPDX-License-Identifier: MIT
/*
 * zcrx_recv: receive TCP zero-copy with libzcrx, and let operators see it.
 * One call, zcrx_ifq_serve(), publishes the ifq as a zcrxctl session does:
 * `zcrxctl status` lists it, `zcrxctl subscribe` prints its events and
 * `zcrxctl arm` re-arms them.  The server has no thread: it runs from this
 * program's one completion loop, whose CQEs all go to zcrx_cqe_decode().
 *
 *   zcrx_recv --nodev [ADDR:]PORT         no NIC (Linux 7.1+, events 7.2+)
 *   zcrx_recv DEV QUEUE [ADDR:]PORT       a NIC RX queue the flows are steered to
 *   zcrx_recv --sim DEV QUEUE [ADDR:]PORT libzcrx's simulator stands in for DEV
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <liburing.h>
#include <zcrx.h>
#include <zcrx_diag.h>
#include <zcrx_server.h>
#include <zcrx_sim.h>

#define MAX_CONNS	64
/* our own user_data; zcrx_cqe_decode() tells the library's CQEs apart */
#define UD_ACCEPT	1
#define UD_SIGNAL	2
#define UD_RECV		0x100	/* + the connection's slot */

static const char *prog;
static struct io_uring *ring;
static struct zcrx_ifq *ifq;
static int conn_fd[MAX_CONNS];
static unsigned long long conn_bytes[MAX_CONNS];

static int usage(const char *why, const char *what)
{
	if (why)
		fprintf(stderr, "%s: %s%s\n", prog, why, what);
	fprintf(stderr, "Usage: %s --nodev [ADDR:]PORT\n"
		"       %s [--sim] DEV QUEUE [ADDR:]PORT\n", prog, prog);
	return 64;
}

/*
 * [ADDR:]PORT split in place: *addr NULL without one, the brackets of
 * [v6addr] taken off.  PORT is 0 (any free port, said once listening) to
 * 65535, in decimal: 0, or -1 after saying which part is wrong.
 */
static int parse_listen(char *spec, char **addr, char **port)
{
	char *colon = strrchr(spec, ':'), *p;
	size_t n;

	*addr = NULL;
	*port = spec;
	if (colon) {
		*colon = '\0';
		*addr = spec;
		*port = colon + 1;
		n = strlen(spec);
		if (!n)
			*addr = NULL;
		if (n >= 2 && spec[0] == '[' && spec[n - 1] == ']') {
			spec[n - 1] = '\0';
			(*addr)++;
		}
	}
	for (p = *port; *p >= '0' && *p <= '9'; p++)
		;
	if (!**port || *p || p - *port > 5 || atoi(*port) > 65535) {
		fprintf(stderr, "%s: '%s': PORT must be a number from 0 to 65535\n", prog, *port);
		return -1;
	}
	return 0;
}

/* A TCP listener on ADDR (any without) and PORT; says where, for a port 0 */
static int tcp_listen(const char *addr, const char *port, const char *spec)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM }, *ai;
	char name[NI_MAXHOST], serv[NI_MAXSERV];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd, one = 1, ret;

	ret = getaddrinfo(addr, port, &hints, &ai);
	if (ret) {
		fprintf(stderr, "%s: %s: not an [ADDR:]PORT to listen on: %s\n", prog, spec,
			gai_strerror(ret));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
		fprintf(stderr, "%s: cannot listen on %s: %s\n", prog, spec, strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	getnameinfo((struct sockaddr *)&ss, len, name, sizeof(name), serv, sizeof(serv),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	printf(strchr(name, ':') ? "listening on [%s]:%s\n" : "listening on %s:%s\n", name, serv);
	return fd;
}

/* An SQE, after one submit if the queue is full; NULL if it still is. */
static struct io_uring_sqe *sqe_for(uint64_t user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	if (sqe)
		io_uring_sqe_set_data64(sqe, user_data);
	return sqe;
}

static void no_sqe(const char *what)
{
	fprintf(stderr, "%s: the submission queue stays full after a submit: cannot post %s\n",
		prog, what);
}

/* A multishot accept on lfd, or poll on sfd: 0, or -1 after saying so. */
static int post(uint64_t user_data, int fd)
{
	struct io_uring_sqe *sqe = sqe_for(user_data);

	if (!sqe) {
		no_sqe(user_data == UD_ACCEPT ? "the accept" : "the signal poll");
		return -1;
	}
	if (user_data == UD_ACCEPT)
		io_uring_prep_multishot_accept(sqe, fd, NULL, NULL, SOCK_CLOEXEC);
	else
		io_uring_prep_poll_add(sqe, fd, POLLIN);
	return 0;
}

/* A multishot zero-copy receive on the connection in slot: 0, -errno, or 1 once said. */
static int recv_post(int slot)
{
	struct io_uring_sqe *sqe = sqe_for(0);

	if (!sqe) {
		no_sqe("a receive");
		return 1;
	}
	return zcrx_prep_recv_zc(ifq, sqe, conn_fd[slot], 0, UD_RECV + slot);
}

/* err: the receive's -errno, said here, or 0 (ended, or said already) */
static void conn_close(int slot, int err)
{
	char why[256] = "";

	if (err < 0)
		zcrx_diagnose(ZCRX_OP_RECV, err, NULL, 0, NULL, why, sizeof(why));
	printf("connection closed%s%s: %llu bytes\n", err < 0 ? ": " : "", why,
	       conn_bytes[slot]);
	close(conn_fd[slot]);
	conn_fd[slot] = -1;
}

static void conn_open(int fd)
{
	int slot = 0, ret;

	while (slot < MAX_CONNS && conn_fd[slot] >= 0)
		slot++;
	if (slot == MAX_CONNS) {
		fprintf(stderr, "%s: %d connections already: refusing one more\n", prog, MAX_CONNS);
		close(fd);
		return;
	}
	conn_fd[slot] = fd;
	conn_bytes[slot] = 0;
	ret = recv_post(slot);
	if (ret)
		conn_close(slot, ret);
}

int main(int argc, char **argv)
{
	struct zcrx_ifq_opts io = { .events_default = true };
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .copy_permille = 1000 };
	/* a NODEV ifq has no netdev to be named after: it takes ours */
	struct zcrx_serve_opts so = { .dev = "zcrx_recv" };
	unsigned long long total = 0, bufs = 0;
	struct zcrx_server *server = NULL;
	struct zcrx_ctx *ctx = NULL;
	struct zcrx_diag d = { 0 };
	bool nodev = false, sim = false, stop = false, failed = false;
	int lfd = -1, sfd, ret, status = 1;
	char why[256], spec[256], *addr, *port;
	sigset_t sigs;

	prog = argv[0];
	for (; argc > 1 && !strncmp(argv[1], "--", 2); argc--, argv++) {
		if (!strcmp(argv[1], "--nodev"))
			nodev = true;
		else if (!strcmp(argv[1], "--sim"))
			sim = true;
		else
			return usage("unknown option ", argv[1]);
	}
	if (nodev && sim)
		return usage("--nodev and --sim exclude each other", "");
	if (argc != (nodev ? 2 : 4))
		return usage(NULL, NULL);
	if (!nodev) {
		char *end;
		unsigned long q;

		io.ifname = argv[1];
		errno = 0;
		q = strtoul(argv[2], &end, 10);
		if (errno || *end || *argv[2] < '0' || *argv[2] > '9' || q > UINT32_MAX)
			return usage(argv[2], ": QUEUE is an RX queue number");
		io.queue = q;
		so.dev = NULL;	/* served as DEV QUEUE */
	}
	/* a copy: the error lines name the argument as given */
	snprintf(spec, sizeof(spec), "%s", argv[argc - 1]);
	if (parse_listen(spec, &addr, &port))
		return usage(NULL, NULL);
	io.nodev = nodev;
	for (int i = 0; i < MAX_CONNS; i++)
		conn_fd[i] = -1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* SIGINT and SIGTERM come as a completion like any other */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "%s: signalfd: %s\n", prog, strerror(errno));
		return 1;
	}

	ret = sim ? zcrx_sim_ctx_create(&ctx, &sp, NULL) : zcrx_ctx_create(&ctx, NULL);
	if (ret) {
		zcrx_diagnose(ZCRX_OP_RING, ret, NULL, 0, NULL, why, sizeof(why));
		fprintf(stderr, "%s: cannot set up an io_uring for zcrx: %s\n", prog, why);
		goto out;
	}
	ring = zcrx_ctx_ring(ctx);
	io.stats = zcrx_ctx_caps(ctx)->stats;
	ret = zcrx_ifq_open(ctx, &io, &ifq, &d);
	if (ret) {
		/* the device's or the kernel's refusal names DEV and QUEUE already */
		if (nodev || d.stage == ZCRX_STAGE_DEVICE || d.stage == ZCRX_STAGE_REGISTER)
			fprintf(stderr, "%s: cannot open %s ifq: %s\n", prog, nodev ? "a NODEV" : "an",
				d.msg);
		else
			fprintf(stderr, "%s: cannot open an ifq on %s queue %s: %s\n", prog,
				argv[1], argv[2], d.msg);
		goto out;
	}
	/* the one call: operators now see this ifq as a zcrxctl session */
	ret = zcrx_ifq_serve(ifq, &so, &server, &d);
	if (ret) {
		fprintf(stderr, "%s: cannot serve the ifq to zcrxctl: %s\n", prog, d.msg);
		goto out;
	}
	lfd = tcp_listen(addr, port, argv[argc - 1]);
	if (lfd < 0 || post(UD_ACCEPT, lfd) || post(UD_SIGNAL, sfd))
		goto out;

	while (!stop) {
		struct io_uring_cqe *cqe;
		struct zcrx_cqe_info info;
		unsigned int head, n = 0;
		int slot;

		/* the server's SQEs and a stalled receive go with this submit too */
		ret = io_uring_submit_and_wait(ring, 1);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "%s: waiting for completions: %s\n", prog, strerror(-ret));
			goto out;
		}
		io_uring_for_each_cqe(ring, head, cqe) {
			n++;
			ret = zcrx_cqe_decode(ifq, cqe, &info);
			slot = info.user_data - UD_RECV;
			switch (ret) {
			case ZCRX_CQE_DATA:
				/* info.len bytes at info.addr: use them, then give the buffer back */
				conn_bytes[slot] += info.len;
				total += info.len;
				bufs++;
				zcrx_buf_return(ifq, info.off, info.len);
				if (!info.more && (ret = recv_post(slot)))
					conn_close(slot, ret);
				break;
			case ZCRX_CQE_RECV_END:
				conn_close(slot, info.err);
				break;
			case ZCRX_CQE_EVENT:	/* subscribers got it too */
				printf("event %s: latched until re-armed (zcrxctl arm)\n",
				       zcrx_event_name(info.event));
				break;
			case ZCRX_CQE_RECV_STALLED:	/* out of buffers: the commit resumes it */
			case ZCRX_CQE_INTERNAL:		/* the server's own, or the backend's */
				break;
			case ZCRX_CQE_NOT_OURS:
				if (cqe->user_data == UD_SIGNAL) {
					stop = true;
				} else if (cqe->user_data == UD_ACCEPT) {
					if (cqe->res >= 0)
						conn_open(cqe->res);
					else
						fprintf(stderr, "%s: accept: %s\n", prog,
							strerror(-cqe->res));
					if (!(cqe->flags & IORING_CQE_F_MORE) &&
					    post(UD_ACCEPT, lfd))
						stop = failed = true;
				}
				break;
			default:
				fprintf(stderr, "%s: a CQE that does not fit the ifq: %s\n", prog,
					strerror(-ret));
			}
		}
		io_uring_cq_advance(ring, n);
		/* publish the returned buffers (and, on NODEV, have the kernel take them) */
		zcrx_buf_commit(ifq);
	}
	printf("received %llu bytes in %llu buffers\n", total, bufs);
	status = failed;
out:
	/* the server first: its socket goes before the ifq it speaks for */
	if (server)
		zcrx_server_close(server);
	for (int i = 0; i < MAX_CONNS; i++)
		if (conn_fd[i] >= 0)
			close(conn_fd[i]);
	if (lfd >= 0)
		close(lfd);
	zcrx_ifq_close(ifq);
	zcrx_ctx_destroy(ctx);
	close(sfd);
	return status;
}
