// SPDX-License-Identifier: MIT
/*
 * A session's data path: the traffic the backend brings itself (see
 * backend_traffic()), the TCP connections --listen accepts, each received
 * zero-copy, and the consumers that hold their buffers (the backend's,
 * --consume-delay, --hold) before they go back on the refill ring.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "../print.h"
#include "session_int.h"
#include "zcrx_diag.h"

#define RECV_UD(id)		((RECV_UD_TAG << 48) | (uint64_t)(id))
#define RECV_ID(ud)		((uint32_t)((ud) & 0xffffffffULL))
#define OWN_ID			0	/* the backend's own traffic */

struct conn {
	struct conn		*next;
	int			fd;
	uint32_t		id;
	char			peer[64];
};

static int post_recv(struct session *s, int fd, uint32_t id)
{
	struct io_uring_sqe *sqe = loop_sqe(s->loop);
	int ret;

	if (!sqe)
		return -EBUSY;
	ret = zcrx_prep_recv_zc(s->ifq, sqe, fd, 0, RECV_UD(id));
	if (ret) {
		io_uring_prep_nop(sqe);
		sqe->user_data = LOOP_UD_IGNORE;
	}
	return ret;
}

static struct conn *conn_find(struct session *s, uint32_t id, struct conn ***prev)
{
	struct conn **pp;

	for (pp = &s->conns; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			if (prev)
				*prev = pp;
			return *pp;
		}
	}
	return NULL;
}

static void conn_close(struct session *s, uint32_t id, const char *why)
{
	struct conn **pp, *c = conn_find(s, id, &pp);

	if (!c)
		return;
	p_info("Connection from %s closed%s%s", c->peer, why ? ": " : "", why ? why : "");
	*pp = c->next;
	close(c->fd);
	free(c);
}

void session_data_recv_end(struct session *s, const struct zcrx_cqe_info *info)
{
	uint32_t id = RECV_ID(info->user_data);
	int err = info->err;
	char why[512];

	if (id == OWN_ID) {
		/* the backend's own traffic: start again, after a pause when it failed */
		if (err && err != s->own_err) {
			zcrx_diagnose(ZCRX_OP_RECV, err, NULL, s->o.queue, zcrx_ctx_caps(s->ctx),
				      why, sizeof(why));
			p_info("%s ended (%s): posting it again", s->own_what, why);
		}
		s->own_err = err;
		if (err)
			loop_timer_in(s->loop, &s->own_retry, RETRY_NS);
		else
			post_recv(s, s->own_fd, OWN_ID);
		return;
	}
	if (!conn_find(s, id, NULL))
		return;
	if (!err) {
		conn_close(s, id, NULL);
		return;
	}
	zcrx_diagnose(ZCRX_OP_RECV, err, NULL, s->o.queue, zcrx_ctx_caps(s->ctx), why,
		      sizeof(why));
	conn_close(s, id, why);
}

void session_data_recv_stalled(struct session *s, const struct zcrx_cqe_info *info)
{
	struct conn *c = conn_find(s, RECV_ID(info->user_data), NULL);

	/* the library prepared it again: counted in stats and status, said once */
	if (info->err == -ENOSPC) {
		if (zcrx_recv_overflows(s->ifq) > 1)
			return;
		p_info("The completion queue was full: the session fell behind reading its receives"
		       " (first the one from %s), because it was stopped or starved of CPU; nothing"
		       " was lost (the rest waited in the socket) and they go on.  Said once:"
		       " stats and status count recv-overflows for every receive the kernel ended,"
		       " so one fall-behind can count several times; if it keeps rising, give the"
		       " session CPU or look for what stops it",
		       c ? c->peer : s->own_peer);
		return;
	}
	if (s->o.be.mode == BACKEND_NODEV && session_auto_grow(s, "recv-stalled"))
		return;
	if (zcrx_recv_stalls(s->ifq) > 1)
		return;
	p_info("The receive from %s ran out of zcrx buffers: the session's consumer holds them"
	       " (%s), and it goes on once they come back; nothing is lost.  Said once: stats and"
	       " status count each stall as recv-stalls; if it keeps rising, hold fewer buffers"
	       " for less time, or give the area more with --area-size",
	       c ? c->peer : s->own_peer,
	       c || s->o.be.mode != BACKEND_SIM ? "--hold and --consume-delay decide how many and"
						  " how long" :
						  "--sim-consumer decides how long");
}

static void on_own_retry(struct loop *l, struct loop_op *op, int res)
{
	struct session *s = op->arg;

	(void)l;
	if (res == -ETIME)
		post_recv(s, s->own_fd, OWN_ID);
}

/* A receive that ended with data: keep receiving. */
static __attribute__((noinline)) void recv_more(struct session *s, uint32_t id)
{
	struct conn *conn;

	if (id == OWN_ID)
		post_recv(s, s->own_fd, OWN_ID);
	else if ((conn = conn_find(s, id, NULL)) && post_recv(s, conn->fd, id))
		conn_close(s, id, "could not post the next receive");
}

void session_data_recv(struct session *s, const struct zcrx_cqe_info *info)
{
	uint32_t id = RECV_ID(info->user_data);
	struct zcrx_consumer *c = id == OWN_ID ? s->own_cons : s->net_cons;

	s->rx_buffers++;
	s->rx_bytes += info->len;
	/* the buffers of one pass arrived together: one clock read for them all */
	if (!c || zcrx_consumer_take(c, info, session_now(s))) {
		/* no consumer, or it could not take it: give the buffer back now */
		zcrx_buf_return(s->ifq, info->off, info->len);
		zcrx_buf_commit(s->ifq);
	}
	if (!info->more)
		recv_more(s, id);
}

static void on_nothing(struct loop *l, struct loop_op *op, int res)
{
	(void)l;
	(void)op;
	(void)res;	/* the after-batch hook does the work */
}

static void format_peer(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else {
		snprintf(buf, len, "?");
	}
}

static void on_tcp_accept(struct loop *l, struct loop_op *op, int res)
{
	struct session *s = op->arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct conn *c;
	int ret;

	if (res < 0) {
		if (res != -EAGAIN && res != -EINTR && res != -ECONNABORTED) {
			p_info("accepting on %s failed: %s: trying again", s->listen_name,
			       strerror(-res));
			loop_timer_in(l, &s->tretry, RETRY_NS);
			return;
		}
	} else if (!(c = calloc(1, sizeof(*c)))) {
		close(res);
	} else {
		c->fd = res;
		c->id = ++s->next_conn_id ? s->next_conn_id : ++s->next_conn_id;
		if (getpeername(res, (struct sockaddr *)&ss, &sl))
			snprintf(c->peer, sizeof(c->peer), "?");
		else
			format_peer(&ss, c->peer, sizeof(c->peer));
		ret = post_recv(s, res, c->id);
		if (ret) {
			p_info("Refused a connection from %s: %s", c->peer, ret == -EBUSY ?
			       "no room in the submission queue for its receive" :
			       strerror(-ret));
			close(res);
			free(c);
		} else {
			p_info("Receiving from %s", c->peer);
			c->next = s->conns;
			s->conns = c;
		}
	}
	loop_accept(l, &s->top, s->tfd);
}

static void on_tcp_retry(struct loop *l, struct loop_op *op, int res)
{
	struct session *s = op->arg;

	if (res == -ETIME)
		loop_accept(l, &s->top, s->tfd);
}

static int tcp_listen(struct session *s)
{
	struct sockaddr_storage ss = s->o.listen_addr;
	socklen_t len = s->o.listen_len;
	int fd, one = 1, zero = 0;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && ss.ss_family == AF_INET6 && errno == EAFNOSUPPORT &&
	    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
		/* no IPv6 here: any IPv4 address will do for "PORT" */
		struct sockaddr_in in = { .sin_family = AF_INET,
					  .sin_port = ((struct sockaddr_in6 *)&ss)->sin6_port };

		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, &in, sizeof(in));
		len = sizeof(in);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		int e = errno;

		p_err("--listen %s: cannot create a TCP socket: %s", s->o.listen, strerror(e));
		return -e;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		int e = errno;

		p_err("--listen %s: cannot listen there: %s%s", s->o.listen, strerror(errno),
		      errno == EADDRINUSE ? ": pick another port" :
		      errno == EADDRNOTAVAIL ? ": no local interface has that address" :
		      errno == EACCES ? ": ports below 1024 need root" : "");
		close(fd);
		return -e;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	format_peer(&ss, s->listen_name, sizeof(s->listen_name));
	s->tfd = fd;
	return 0;
}

void session_data_init(struct session *s)
{
	loop_op_init(s->loop, &s->cons_timer, on_nothing, s);
	loop_op_init(s->loop, &s->own_retry, on_own_retry, s);
	loop_op_init(s->loop, &s->tretry, on_tcp_retry, s);
}

int session_data_start(struct session *s)
{
	struct zcrx_consumer_params now = { .mode = ZCRX_CONSUME_NOW };
	int ret;

	ret = backend_traffic(&s->o.be, s->ifq, &s->own_fd, &s->own_cons, &s->own_peer,
			      &s->own_what);
	if (ret > 0)
		ret = post_recv(s, s->own_fd, OWN_ID);
	if (ret)
		goto err;
	if (s->o.listen) {
		ret = tcp_listen(s);
		if (ret)
			return ret;
		ret = zcrx_consumer_create(s->ifq, s->o.consume_opt ? &s->o.consume : &now,
					   &s->net_cons);
		if (ret)
			goto err;
		loop_op_init(s->loop, &s->top, on_tcp_accept, s);
		loop_accept(s->loop, &s->top, s->tfd);
	}
	return 0;
err:
	p_err("cannot start the session on %s queue %u: %s", s->dev, s->o.queue, strerror(-ret));
	return ret;
}

/*
 * The consumers run after each pass, at the pass's time (session_now()): a
 * delay buffer that falls due while a long pass is handled goes at the
 * next pass, which the timer below brings at once.
 */
void session_data_consume(struct session *s)
{
	struct zcrx_consumer *cons[2] = { s->own_cons, s->net_cons };
	uint64_t now = session_now(s), next = 0, n;

	for (int i = 0; i < 2; i++) {
		if (!cons[i])
			continue;
		zcrx_consumer_run(cons[i], now, &n);
		if (n && (!next || n < next))
			next = n;
	}
	/* a timer that fires early is harmless: the next batch moves it on */
	if (next && (!s->cons_timer.pending || next < s->cons_timer.deadline))
		loop_timer_at(s->loop, &s->cons_timer, next);
}

uint32_t session_data_held(const struct session *s)
{
	return (s->own_cons ? zcrx_consumer_held(s->own_cons) : 0) +
	       (s->net_cons ? zcrx_consumer_held(s->net_cons) : 0);
}

void session_data_close(struct session *s)
{
	struct conn *cn;

	while ((cn = s->conns)) {
		s->conns = cn->next;
		close(cn->fd);
		free(cn);
	}
	if (s->tfd >= 0)
		close(s->tfd);
	zcrx_consumer_destroy(s->own_cons);
	zcrx_consumer_destroy(s->net_cons);
}
