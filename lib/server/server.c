// SPDX-License-Identifier: MIT
/*
 * Serving an ifq: the options, the socket claimed (claim.c), the epoll set
 * of the listener, the clients (clients.c) and a timerfd for their
 * deadlines, and the two ways it runs.  One code path does the work
 * (zcrx_server_run); by default a one-shot POLL_ADD on the epoll fd, on
 * the ifq's own ring, says when: zcrx_cqe_decode() hands its CQE here, the
 * server runs and posts the poll again.  One-shot rather than multishot:
 * an epoll fd wakes its pollers only when its ready list gains an entry,
 * so a multishot poll could stay silent while entries are still ready; a
 * poll armed anew checks readiness at once and cannot miss one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "server_int.h"

#define KNOWN_FLAGS	(ZCRX_SERVE_DRIVEN | ZCRX_SERVE_OWN_RECORDS | ZCRX_SERVE_GROW | \
			 ZCRX_SERVE_BATCHED)

uint64_t srv_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* As zcrxctl's records say it: "nic", "nodev" or "sim" (any backend not the kernel). */
static const char *mode_of(const struct zcrx_ifq *ifq)
{
	if (ifq->ctx->ops != &zcrx_kernel_backend)
		return "sim";
	return ifq->nodev ? "nodev" : "nic";
}

/* A name that makes one file in RUNDIR, as a netdev name would. */
static bool dev_ok(const char *dev)
{
	if (!dev[0] || dev[0] == '.' || strlen(dev) >= SRV_DEV_MAX)
		return false;
	for (const char *p = dev; *p; p++)
		if (*p == '/' || (unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static int check_opts(struct zcrx_server *srv, const struct zcrx_serve_opts *o,
		      struct zcrx_diag *d)
{
	const struct zcrx_ifq *ifq = srv->ifq;
	const char *dev = o->dev ? o->dev : ifq->ifname;
	int ret;

	if (zcrx_resv_check(o->__resv, sizeof(o->__resv)))
		return srv_fail(d, ZCRX_STAGE_ARGS, -EINVAL, "struct zcrx_serve_opts has non-zero"
				" reserved bytes: initialise it with { 0 } or designated"
				" initialisers");
	if (o->flags & ~KNOWN_FLAGS)
		return srv_fail(d, ZCRX_STAGE_ARGS, -EINVAL, "unknown zcrx_serve_opts flags 0x%x",
				o->flags & ~KNOWN_FLAGS);
	if (ifq->server)
		return srv_fail(d, ZCRX_STAGE_ARGS, -EBUSY, "this ifq (zcrx_id %u) is already"
				" served at %s: one server per ifq", ifq->zcrx_id,
				ifq->server->path);
	if (!o->dev && !dev[0])
		return srv_fail(d, ZCRX_STAGE_ARGS, -EINVAL, "a NODEV ifq has no netdev to name"
				" its socket: give zcrx_serve_opts a dev (and queue)");
	if (!o->dev && o->queue)
		return srv_fail(d, ZCRX_STAGE_ARGS, -EINVAL, "queue %u without dev: the socket"
				" takes the ifq's own queue unless dev names another", o->queue);
	if (!dev_ok(dev))
		return srv_fail(d, ZCRX_STAGE_ARGS, -EINVAL, "'%s' cannot name a socket: give a"
				" dev of 1 to %d characters, no '/', space or leading '.'", dev,
				SRV_DEV_MAX - 1);
	snprintf(srv->dev, sizeof(srv->dev), "%s", dev);
	srv->queue = o->dev ? o->queue : ifq->queue;
	snprintf(srv->prog, sizeof(srv->prog), "%s",
		 o->prog ? o->prog : program_invocation_short_name);
	if (o->rundir && o->rundir[0] != '/')
		return srv_fail(d, ZCRX_STAGE_ARGS, -EINVAL, "the runtime directory must be an"
				" absolute path, not '%s'", o->rundir);
	if (o->rundir) {
		if (snprintf(srv->rundir, sizeof(srv->rundir), "%s", o->rundir) >=
		    (int)sizeof(srv->rundir))
			return srv_fail(d, ZCRX_STAGE_ARGS, -ENAMETOOLONG, "the runtime directory"
					" name is too long");
	} else if ((ret = zcrx_server_rundir(srv->rundir, sizeof(srv->rundir), d))) {
		return ret;
	}
	if (zcrx_server_sock_path(srv->path, sizeof(srv->path), srv->rundir, srv->dev,
				  srv->queue))
		return srv_fail(d, ZCRX_STAGE_ARGS, -ENAMETOOLONG, "the session socket"
				" %s/%s.%u.sock is longer than a Unix socket name may be (%d"
				" bytes): set ZCRXCTL_RUNDIR to a shorter directory", srv->rundir,
				srv->dev, srv->queue, SRV_PATH_MAX - 1);
	srv->flags = o->flags;
	srv->arm = o->arm;
	srv->grow = o->grow;
	srv->grow_max = o->grow_max;
	srv->arg = o->arg;
	return 0;
}

static int watch_fd(struct zcrx_server *srv, int fd, void *tag)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

void zcrx_server_post(struct zcrx_server *srv)
{
	struct zcrx_ifq *ifq = srv->ifq;
	struct io_uring_sqe *sqe;

	if (srv->flags & ZCRX_SERVE_DRIVEN || ifq->server_posted)
		return;
	/* the SQ is full: the next CQE decoded on this ifq tries again */
	sqe = io_uring_get_sqe(zcrx_ctx_ring(ifq->ctx));
	ifq->server_repost = !sqe;
	if (!sqe)
		return;
	io_uring_prep_poll_add(sqe, srv->epfd, POLLIN);
	io_uring_sqe_set_data64(sqe, zcrx_server_ud(ifq));
	ifq->server_posted = ifq->served = true;
}

void zcrx_server_cqe(struct zcrx_server *srv, const struct io_uring_cqe *cqe)
{
	srv->ifq->server_posted = false;
	if (cqe->res < 0 && cqe->res != -EINTR && cqe->res != -EAGAIN) {
		/* the ring cannot poll our descriptor: the application must drive us */
		srv->ring_err = cqe->res;
		return;
	}
	srv_clients_run(srv);
	zcrx_server_post(srv);
}

void zcrx_server_event(struct zcrx_server *srv, enum zcrx_event type)
{
	size_t len;
	char *line;

	srv->count[type]++;
	srv->seq++;
	/* no one to send it to: no line to build */
	if (srv->flags & ZCRX_SERVE_OWN_RECORDS || !srv->nr_subs)
		return;
	line = srv_record_event(srv, type, &len);
	srv_clients_publish(srv, line, len);
	free(line);
}

int zcrx_ifq_serve(struct zcrx_ifq *ifq, const struct zcrx_serve_opts *opts,
		   struct zcrx_server **out, struct zcrx_diag *diag)
{
	static const struct zcrx_serve_opts none;
	struct zcrx_diag local;
	struct zcrx_diag *d = diag ? diag : &local;
	struct zcrx_server *srv;
	int ret;

	memset(d, 0, sizeof(*d));
	if (out)
		*out = NULL;
	if (!ifq || !out)
		return srv_fail(d, ZCRX_STAGE_ARGS, -EINVAL, "no ifq or no place for the server");
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return srv_fail(d, ZCRX_STAGE_MEMORY, -ENOMEM, "allocating a server got ENOMEM");
	srv->ifq = ifq;
	srv->lfd = srv->epfd = srv->tfd = -1;
	srv->mode = mode_of(ifq);
	srv->start_ns = srv_mono_ns();
	ret = check_opts(srv, opts ? opts : &none, d);
	if (ret)
		goto err;
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	srv->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (srv->epfd < 0 || srv->tfd < 0 || (ret = watch_fd(srv, srv->tfd, &srv->tfd))) {
		ret = ret ? ret : -errno;
		srv_fail(d, ZCRX_STAGE_SOCKET, ret, "cannot set up the server's epoll and timer"
			 " descriptors: %s", strerror(-ret));
		goto err;
	}
	ret = srv_claim(srv, d);
	if (ret)
		goto err;
	ret = watch_fd(srv, srv->lfd, &srv->lfd);
	if (ret) {
		srv_fail(d, ZCRX_STAGE_SOCKET, ret, "cannot watch the session socket %s: %s",
			 srv->path, strerror(-ret));
		goto err;
	}
	ifq->server = srv;
	zcrx_server_post(srv);
	*out = srv;
	return 0;
err:
	zcrx_server_close(srv);
	return ret;
}

void zcrx_server_close(struct zcrx_server *srv)
{
	struct zcrx_ifq *ifq;
	struct io_uring_sqe *sqe;

	if (!srv)
		return;
	ifq = srv->ifq;
	/* the name goes first: from now on this server is not there */
	if (srv->lfd >= 0) {
		unlink(srv->path);
		close(srv->lfd);
	}
	srv_clients_close(srv);
	if (ifq->server == srv) {
		ifq->server = NULL;
		/* its CQE, and the removal's, stay ZCRX_CQE_INTERNAL (ifq->served) */
		if (ifq->server_posted && (sqe = io_uring_get_sqe(zcrx_ctx_ring(ifq->ctx)))) {
			io_uring_prep_poll_remove(sqe, zcrx_server_ud(ifq));
			io_uring_sqe_set_data64(sqe, zcrx_server_ud(ifq));
		}
		ifq->server_posted = ifq->server_repost = false;
	}
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->tfd >= 0)
		close(srv->tfd);
	free(srv);
}

int zcrx_server_fd(const struct zcrx_server *srv)
{
	return srv->epfd;
}

int zcrx_server_run(struct zcrx_server *srv)
{
	int ret = srv_clients_run(srv);

	return ret ? ret : srv->ring_err;
}

int zcrx_server_publish(struct zcrx_server *srv, const char *line, size_t len)
{
	if (!len || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
		return -EINVAL;
	return srv_clients_publish(srv, line, len);
}

int zcrx_server_flush(struct zcrx_server *srv)
{
	srv_clients_flush(srv);
	return 0;
}

unsigned int zcrx_server_subscribers(const struct zcrx_server *srv)
{
	return srv->nr_subs;
}

int zcrx_server_info(const struct zcrx_server *srv, struct zcrx_server_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->path, sizeof(info->path), "%s", srv->path);
	info->replaced = srv->replaced;
	info->user_data = zcrx_server_ud(srv->ifq);
	info->clients = srv->nr_clients;
	info->subscribers = srv->nr_subs;
	info->lost_records = srv->lost_total;
	memcpy(info->events, srv->count, sizeof(info->events));
	return 0;
}
