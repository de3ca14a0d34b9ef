// SPDX-License-Identifier: MIT
/*
 * The stale-binding preflight of bind and watch (preflight.h): a queue
 * that still carries a memory provider is said in words before the kernel
 * refuses it, --wait-clear polls until it is free, and a refusal with
 * EEXIST gets the same words.  A look-up that fails says nothing: the
 * registration goes ahead and the kernel answers.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "client.h"
#include "clock.h"
#include "preflight.h"
#include "print.h"
#include "rundir.h"

#define SOCK_NAME_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)

pid_t preflight_session_pid(const char *rundir, const char *dev, uint32_t queue)
{
	char path[PATH_MAX], err[256];
	struct ucred cr;
	socklen_t n = sizeof(cr);
	pid_t pid = 0;
	int fd;

	if (!rundir || !rundir[0] || session_sock_name(path, sizeof(path), rundir, dev, queue))
		return 0;
	fd = client_connect_path(path, err, sizeof(err));
	if (fd < 0)
		return 0;
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &n) && cr.pid > 0)
		pid = cr.pid;
	close(fd);
	/* a session killed with -9 may accept for a moment while its ring goes */
	if (pid == getpid() || (pid > 0 && kill(pid, 0) && errno == ESRCH))
		pid = 0;
	return pid;
}

/* "; it is held by the zcrxctl session pid N (SOCK): ..." at buf + n: snprintf-like. */
static int put_pid(char *buf, size_t len, int n, pid_t pid, const char *sock)
{
	int m = snprintf((size_t)n < len ? buf + n : NULL, (size_t)n < len ? len - n : 0,
			 "; it is held by the zcrxctl session pid %d (%s): `kill %d` releases it",
			 (int)pid, sock ? sock : "its socket", (int)pid);

	return n + (m > 0 ? m : 0);
}

int preflight_msg(char *buf, size_t len, const char *dev, uint32_t queue,
		  const struct zcrx_queue_holder *h, pid_t pid, const char *sock,
		  const char *waited)
{
	int n, m;

	n = zcrx_queue_holder_str(dev, queue, h, buf, len);
	if (n < 0)
		return n;
	if (pid > 0)
		n = put_pid(buf, len, n, pid, sock);
	if (waited) {
		m = snprintf((size_t)n < len ? buf + n : NULL, (size_t)n < len ? len - n : 0,
			     "; still bound after %s", waited);
		n += m > 0 ? m : 0;
	}
	return n;
}

static const char *kind(unsigned int mp)
{
	return mp & ZCRX_MP_IO_URING ? "an io_uring zcrx memory provider" :
	       mp & ZCRX_MP_DMABUF ? "a devmem dmabuf" : "an AF_XDP socket";
}

/* The pid of the live session at RUNDIR/DEV.QUEUE.sock, and its socket's name. */
static pid_t holder_pid(const char *rundir, const struct session_opts *o, char *sock,
			size_t len)
{
	pid_t pid = preflight_session_pid(rundir, o->dev, o->queue);

	if (!pid || session_sock_name(sock, len, rundir, o->dev, o->queue))
		return 0;
	return pid;
}

static void say_bound(const struct session_opts *o, const char *rundir,
		      const struct zcrx_queue_holder *h, const char *waited)
{
	char msg[1024], sock[SOCK_NAME_MAX];
	pid_t pid = 0;

	/* a zcrxctl session holds only io_uring providers */
	if (h->mp & ZCRX_MP_IO_URING)
		pid = holder_pid(rundir, o, sock, sizeof(sock));
	preflight_msg(msg, sizeof(msg), o->dev, o->queue, h, pid, sock, waited);
	p_err("%s", msg);
}

int preflight_queue(struct zcrx_ctx *ctx, const struct session_opts *o, const char *rundir)
{
	struct zcrx_queue_holder h;
	uint64_t t0;
	int ret;

	if (o->be.mode == BACKEND_NODEV)
		return 0;
	ret = zcrx_queue_holder(ctx, o->dev, o->queue, &h);
	if (ret) {
		if (o->wait_clear)
			p_info("Cannot look %s queue %u up (%s): binding without waiting, the kernel"
			       " will say whether it is free", o->dev, o->queue, strerror(-ret));
		return 0;
	}
	if (!h.mp)
		return 0;
	if (!o->wait_clear) {
		say_bound(o, rundir, &h, NULL);
		return -EEXIST;
	}
	p_info("%s queue %u still carries %s: waiting up to %s for it to clear", o->dev,
	       o->queue, kind(h.mp), o->wait_clear);
	t0 = mono_ns();
	ret = zcrx_queue_wait_clear(ctx, o->dev, o->queue, o->wait_clear_ns, &h);
	if (ret == -ETIMEDOUT) {
		say_bound(o, rundir, &h, o->wait_clear);
		return -ETIMEDOUT;
	}
	if (!ret)
		p_info("%s queue %u is free after %.1fs", o->dev, o->queue,
		       (mono_ns() - t0) / 1e9);
	return 0;
}

void preflight_refused(struct zcrx_ctx *ctx, const struct session_opts *o, const char *rundir,
		       int err, const char *msg)
{
	struct zcrx_queue_holder h;
	char sock[SOCK_NAME_MAX], line[1024];
	pid_t pid = 0;
	int ret, n;

	/* the provider kind is in msg already; a zcrxctl session holds io_uring ones */
	ret = zcrx_queue_holder(ctx, o->dev, o->queue, &h);
	if (err == -EEXIST && (ret || (h.mp & ZCRX_MP_IO_URING)))
		pid = holder_pid(rundir, o, sock, sizeof(sock));
	n = snprintf(line, sizeof(line), "%s", msg);
	if (pid > 0)
		put_pid(line, sizeof(line), n, pid, sock);
	p_err("%s", line);
}
