// SPDX-License-Identifier: MIT
/*
 * The session's end of protocol v1: clients of the session socket, their
 * requests (status, arm, subscribe) and replies, whose lines proto.c
 * encodes and decodes, and the subscribers each record goes to.  Nothing
 * here blocks: clients are non-blocking sockets written when the loop says
 * they are writable, and a subscriber that cannot keep up loses records
 * (then gets a "lost" record) instead of stalling the session.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "../print.h"
#include "../proto.h"
#include "session_int.h"

/*
 * Limits (man/zcrxctl.8, "Session limits"): at most MAX_SUBS subscribers,
 * and a table with room for REQ_SLOTS more, so that subscribers alone never
 * fill it.  A connection that has sent no request IDLE_NS after it was
 * accepted is closed; when the table is full all the same, a new
 * connection takes the place of the oldest non-subscriber (one that never
 * asked anything first), so an arm or status request always finds room.
 */
#define MAX_SUBS		64
#define REQ_SLOTS		16
#define MAX_CLIENTS		(MAX_SUBS + REQ_SLOTS)
#define IDLE_NS			(1000 * 1000000ULL)

struct client {
	struct client		*next;
	struct session		*s;
	int			fd;
	struct loop_op		rd;
	struct loop_op		wr;
	struct loop_op		idle;		/* no request IDLE_NS after accept: close */
	char			in[PROTO_REQ_MAX + 2];
	size_t			in_len;
	char			*out;
	size_t			out_off;
	size_t			out_len;
	size_t			out_cap;
	uint64_t		lost;
	bool			subscribed;
	bool			asked;		/* has sent a request */
	bool			eof;		/* the peer sends no more */
	bool			closing;	/* close once the output is out */
	bool			dead;		/* closed; freed after the batch */
};

static void client_flush(struct client *c);

/* ------------------------------------------------------------------ */
/* Output queues, and records to subscribers                           */
/* ------------------------------------------------------------------ */

/* Queue a subscriber's line, or count it lost when its queue is full. */
static bool out_append(struct client *c, const char *buf, size_t n)
{
	size_t cap;
	char *p;

	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n > c->out_cap && c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + n > c->out_cap) {
		for (cap = c->out_cap ? c->out_cap : 4096; cap < c->out_len + n; cap *= 2)
			;
		p = realloc(c->out, cap);
		if (!p)
			return false;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, n);
	c->out_len += n;
	return true;
}

static size_t out_pending(const struct client *c)
{
	return c->out_len - c->out_off;
}

/* The "lost" record owed to a subscriber, if its queue has room for it now. */
static bool push_lost(struct client *c)
{
	struct record r = {
		.kind = RECORD_LOST,
		.lost = c->lost,
		.mode = c->s->o.be.mode,
	};
	size_t len;
	char *line = proto_record_encode(&r, &len);
	bool ok = line && out_pending(c) + len <= SUB_QUEUE_MAX && out_append(c, line, len);

	free(line);
	if (ok)
		c->lost = 0;
	return ok;
}

/* A record c does not get: owed to it as lost, and in the session's books. */
static void sub_lose(struct client *c)
{
	c->lost++;
	c->s->lost_records++;
}

static void sub_send(struct client *c, const char *line, size_t len)
{
	if (c->dead)
		return;
	if ((c->lost && !push_lost(c)) || out_pending(c) + len > SUB_QUEUE_MAX ||
	    !out_append(c, line, len)) {
		sub_lose(c);
		return;
	}
	client_flush(c);
}

void session_emit(struct session *s, const struct record *r)
{
	size_t len;
	char *line;

	if (s->hooks.record)
		s->hooks.record(s, r, s->hooks.arg);
	if (!s->nr_subs)
		return;
	line = proto_record_encode(r, &len);
	for (struct client *c = s->clients; c; c = c->next) {
		if (!c->subscribed)
			continue;
		if (line)
			sub_send(c, line, len);
		else
			sub_lose(c);	/* out of memory: the subscriber hears of it as lost */
	}
	free(line);
}

/* ------------------------------------------------------------------ */
/* Clients of the session socket                                       */
/* ------------------------------------------------------------------ */

static void client_kill(struct client *c)
{
	struct session *s = c->s;

	if (c->dead)
		return;
	c->dead = true;
	loop_op_release(s->loop, &c->rd);
	loop_op_release(s->loop, &c->wr);
	loop_op_release(s->loop, &c->idle);
	if (c->closing) {
		/* unread input would turn our close into ECONNRESET before the reply */
		char sink[4096];

		for (int i = 0; i < 16 && recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
			;
	}
	close(c->fd);
	c->fd = -1;
	if (c->subscribed)
		s->nr_subs--;
}

static void client_flush(struct client *c)
{
	ssize_t n;

	while (!c->dead) {
		while (out_pending(c)) {
			n = send(c->fd, c->out + c->out_off, out_pending(c),
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0) {
				c->out_off += n;
			} else if (n < 0 && errno == EINTR) {
				continue;
			} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				loop_poll(c->s->loop, &c->wr, c->fd, POLLOUT);
				return;
			} else {
				client_kill(c);
				return;
			}
		}
		/* drained: what was lost is owed now */
		if (!c->lost || !push_lost(c))
			break;
	}
	if (!c->dead && c->closing)
		client_kill(c);
}

static void on_client_wr(struct loop *l, struct loop_op *op, int res)
{
	struct client *c = op->arg;

	(void)l;
	if (res < 0 || (res & (POLLERR | POLLHUP)))
		client_kill(c);
	else
		client_flush(c);
}

/* One protocol line to one client (replies: never dropped). */
static void client_send(struct client *c, char *line, size_t len)
{
	/* a client that asks and never reads the answers is cut off */
	if (!line || out_pending(c) + len > 4 * SUB_QUEUE_MAX || !out_append(c, line, len))
		c->closing = true;
	free(line);
	client_flush(c);
}

/* A reply to c; after a refusal that closes, the connection goes. */
static void reply(struct client *c, const struct proto_reply *rp, bool close_after)
{
	size_t len = 0;
	char *line = proto_reply_encode(rp, &len);

	if (close_after)
		c->closing = true;
	client_send(c, line, len);
}

static __attribute__((format(printf, 4, 5)))
void reply_fail(struct client *c, int err, bool close_after, const char *fmt, ...)
{
	struct proto_reply rp = { .ok = false, .err = err };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rp.error, sizeof(rp.error), fmt, ap);
	va_end(ap);
	reply(c, &rp, close_after);
}

static void reply_status(struct client *c)
{
	struct proto_reply rp = { .ok = true, .body = PROTO_BODY_SESSION };
	struct proto_session *ps = &rp.session;
	struct session *s = c->s;
	struct zcrx_ifq_info info;
	struct zcrx_stats_snap st;

	snprintf(ps->dev, sizeof(ps->dev), "%s", s->dev);
	ps->queue = s->o.queue;
	ps->zcrx_id = s->info.zcrx_id;
	ps->pid = getpid();
	ps->uptime_s = (mono_ns() - s->start_mono) / NSEC_PER_SEC;
	ps->mode = s->o.be.mode;
	ps->events = s->info.events;
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		ps->count[t] = s->ev[t].count;
		if (zcrx_event_latched(s->ifq, t))
			ps->fired |= ZCRX_EV_MASK(t);
	}
	if (!zcrx_stats_read(s->ifq, &st)) {
		ps->has_stats = true;
		ps->copy_count = st.copy_count;
		ps->copy_bytes = st.copy_bytes;
	}
	ps->recv_stalls = zcrx_recv_stalls(s->ifq);
	ps->has_overflows = true;
	ps->recv_overflows = zcrx_recv_overflows(s->ifq);
	ps->has_lost = true;
	ps->lost_records = s->lost_records;
	zcrx_ifq_info(s->ifq, &info);
	ps->has_areas = true;
	ps->nr_areas = info.nr_areas;
	ps->area_size = info.area_size;
	ps->nr_area_rx = info.nr_areas < PROTO_AREA_RX_MAX ? info.nr_areas : PROTO_AREA_RX_MAX;
	memcpy(ps->area_rx, s->area_rx, ps->nr_area_rx * sizeof(ps->area_rx[0]));
	reply(c, &rp, false);
}

/* grow: add an area of rq->size bytes to the session's ifq (ZCRX_CTRL_ADD_AREA) */
static void client_grow(struct client *c, const struct proto_request *rq)
{
	struct zcrx_area_opts ao = { .area_size = rq->size };
	struct proto_reply rp = { .ok = true, .body = PROTO_BODY_GROWN };
	struct zcrx_ifq_info info;
	struct zcrx_diag d;
	int ret;

	ret = zcrx_ifq_add_area(c->s->ifq, &ao, &rp.area_id, &d);
	if (ret) {
		reply_fail(c, -ret, false, "%s", d.msg);
		return;
	}
	zcrx_ifq_info(c->s->ifq, &info);
	rp.nr_areas = info.nr_areas;
	rp.area_size = info.area_size;
	reply(c, &rp, false);
}

static void client_request(struct client *c, const char *line, size_t len)
{
	struct proto_reply rp = { .ok = true };
	struct proto_request rq;
	char err[512];
	int ret;

	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return;
	if (!c->asked) {
		c->asked = true;
		loop_cancel(c->s->loop, &c->idle);
	}
	if (proto_request_decode(line, len, &rq, err, sizeof(err))) {
		reply_fail(c, 0, true, "%s", err);
		return;
	}
	switch (rq.cmd) {
	case PROTO_STATUS:
		reply_status(c);
		break;
	case PROTO_ARM:
		ret = session_arm(c->s, rq.event, rq.all, "arm", err, sizeof(err));
		if (ret < 0) {
			reply_fail(c, -ret, false, "%s", err);
			break;
		}
		rp.body = PROTO_BODY_ARMED;
		rp.armed = ret;
		rp.mode = c->s->o.be.mode;
		reply(c, &rp, false);
		break;
	case PROTO_SUBSCRIBE:
		if (!c->subscribed && c->s->nr_subs >= MAX_SUBS) {
			reply_fail(c, 0, true, "this session already serves %d subscribers: "
				   "end one (or subscribe to another session)", MAX_SUBS);
			break;
		}
		if (!c->subscribed) {
			c->subscribed = true;
			c->s->nr_subs++;
		}
		reply(c, &rp, false);
		break;
	case PROTO_GROW:
		client_grow(c, &rq);
		break;
	}
}

static void client_lines(struct client *c)
{
	char *nl;
	size_t n;

	while (!c->dead && !c->closing && (nl = memchr(c->in, '\n', c->in_len))) {
		n = nl - c->in;
		client_request(c, c->in, n);
		memmove(c->in, nl + 1, c->in_len - n - 1);
		c->in_len -= n + 1;
	}
	if (!c->dead && !c->closing && c->in_len > PROTO_REQ_MAX) {
		c->in_len = 0;
		reply_fail(c, 0, true, "request longer than %d bytes", PROTO_REQ_MAX);
	}
}

static void on_client_rd(struct loop *l, struct loop_op *op, int res)
{
	struct client *c = op->arg;
	ssize_t n;

	if (res < 0) {
		client_kill(c);
		return;
	}
	for (;;) {
		n = recv(c->fd, c->in + c->in_len, PROTO_REQ_MAX + 1 - c->in_len, MSG_DONTWAIT);
		if (n > 0) {
			c->in_len += n;
			client_lines(c);
			if (c->dead || c->closing)
				return;
			continue;
		}
		if (n == 0) {
			c->eof = true;
			/* a last request without its newline still counts */
			if (c->in_len) {
				client_request(c, c->in, c->in_len);
				c->in_len = 0;
			}
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		client_kill(c);
		return;
	}
	if (c->dead || c->closing)
		return;
	if (!c->eof) {
		loop_poll(l, &c->rd, c->fd, POLLIN);
	} else if (!c->subscribed) {
		c->closing = true;
		client_flush(c);
	}
	/*
	 * A half-closed subscriber still gets its records: a poll would fire
	 * at once (io_uring always reports RDHUP), so its going away shows as
	 * a failed send, or in sweep_half_closed().
	 */
}

/* Subscribers that half-closed and then went away entirely: close them. */
static void sweep_half_closed(struct session *s)
{
	struct pollfd p;

	for (struct client *c = s->clients; c; c = c->next) {
		if (c->dead || !c->eof)
			continue;
		p = (struct pollfd){ .fd = c->fd };
		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
			client_kill(c);
	}
}

/* A connection that sent no request in time: it holds a slot for nothing. */
static void on_client_idle(struct loop *l, struct loop_op *op, int res)
{
	struct client *c = op->arg;

	(void)l;
	if (res == -ETIME && !c->asked && !c->subscribed)
		client_kill(c);
}

/*
 * The table is full: close the oldest non-subscriber, preferring one that
 * never sent a request.  Subscribers are at most MAX_SUBS, so there is one.
 */
static bool evict_one(struct session *s)
{
	struct client *idle = NULL, *any = NULL;

	/* new clients go to the head: the last match is the oldest */
	for (struct client *c = s->clients; c; c = c->next) {
		if (c->dead || c->subscribed)
			continue;
		any = c;
		if (!c->asked)
			idle = c;
	}
	if (!idle)
		idle = any;
	if (!idle)
		return false;
	client_kill(idle);
	session_clients_reap(s);
	return true;
}

/* One refusal to a client we do not take, then close it. */
static __attribute__((format(printf, 2, 3)))
void refuse(int fd, const char *fmt, ...)
{
	struct proto_reply rp = { .ok = false };
	va_list ap;
	size_t len;
	char *line;

	va_start(ap, fmt);
	vsnprintf(rp.error, sizeof(rp.error), fmt, ap);
	va_end(ap);
	line = proto_reply_encode(&rp, &len);
	if (line)
		send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	free(line);
	close(fd);
}

static void on_client_accept(struct loop *l, struct loop_op *op, int res)
{
	struct session *s = op->arg;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct client *c;

	if (res >= 0) {
		if (getsockopt(res, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
			close(res);
		} else if (cr.uid != geteuid() && cr.uid != 0) {
			refuse(res, "uid %u may not use this session: it belongs to uid %u",
			       (unsigned int)cr.uid, (unsigned int)geteuid());
		} else if (s->nr_clients >= MAX_CLIENTS &&
			   (sweep_half_closed(s), session_clients_reap(s),
			    s->nr_clients >= MAX_CLIENTS && !evict_one(s))) {
			refuse(res, "this session already serves %d clients", MAX_CLIENTS);
		} else if (!(c = calloc(1, sizeof(*c)))) {
			close(res);
		} else {
			c->s = s;
			c->fd = res;
			loop_op_init(l, &c->rd, on_client_rd, c);
			loop_op_init(l, &c->wr, on_client_wr, c);
			loop_op_init(l, &c->idle, on_client_idle, c);
			loop_poll(l, &c->rd, c->fd, POLLIN);
			loop_timer_in(l, &c->idle, IDLE_NS);
			c->next = s->clients;
			s->clients = c;
			s->nr_clients++;
		}
	} else if (res != -EAGAIN && res != -EINTR && res != -ECONNABORTED) {
		p_info("accepting on %s failed: %s: trying again", s->path, strerror(-res));
		loop_timer_in(l, &s->lretry, RETRY_NS);
		return;
	}
	loop_accept(l, &s->lop, s->lfd);
}

static void on_client_retry(struct loop *l, struct loop_op *op, int res)
{
	struct session *s = op->arg;

	if (res == -ETIME)
		loop_accept(l, &s->lop, s->lfd);
}

void session_clients_reap(struct session *s)
{
	struct client **pp = &s->clients, *c;

	while ((c = *pp)) {
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		s->nr_clients--;
		free(c->out);
		free(c);
	}
}

void session_clients_start(struct session *s)
{
	loop_op_init(s->loop, &s->lretry, on_client_retry, s);
	if (s->lfd >= 0) {
		loop_op_init(s->loop, &s->lop, on_client_accept, s);
		loop_accept(s->loop, &s->lop, s->lfd);
	}
}

/*
 * The session ends: what each subscriber is owed (queued records, then its
 * "lost" record) goes out if it reads within DRAIN_MS, so that an ending
 * session drops nothing uncounted for a subscriber that keeps up.
 */
#define DRAIN_MS		50

static void drain_subscribers(struct session *s)
{
	struct pollfd pfd[MAX_CLIENTS];
	struct client *by[MAX_CLIENTS];
	struct timespec ts;
	long long deadline, left;
	struct client *c;
	int n, i;
	ssize_t w;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 + DRAIN_MS;
	for (;;) {
		n = 0;
		for (c = s->clients; c && n < MAX_CLIENTS; c = c->next) {
			if (c->dead || !c->subscribed)
				continue;
			if (!out_pending(c) && c->lost)
				push_lost(c);
			if (!out_pending(c))
				continue;
			pfd[n] = (struct pollfd){ .fd = c->fd, .events = POLLOUT };
			by[n++] = c;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		left = deadline - (ts.tv_sec * 1000LL + ts.tv_nsec / 1000000);
		if (!n || left <= 0 || poll(pfd, n, (int)left) < 0)
			return;
		for (i = 0; i < n; i++) {
			c = by[i];
			if (!pfd[i].revents)
				continue;
			w = -1;
			if (pfd[i].revents & POLLOUT)
				w = send(c->fd, c->out + c->out_off, out_pending(c),
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0) {
				c->out_off += w;
			} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
				/* gone: nothing more for it */
				c->out_off = c->out_len;
				c->lost = 0;
			}
		}
	}
}

void session_clients_close(struct session *s)
{
	struct client *c;

	drain_subscribers(s);
	while ((c = s->clients)) {
		s->clients = c->next;
		if (c->fd >= 0)
			close(c->fd);
		free(c->out);
		free(c);
	}
}
