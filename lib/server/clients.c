// SPDX-License-Identifier: MIT
/*
 * The server's end of protocol v1: clients of the socket, their requests
 * (status, arm, subscribe) and replies, whose lines wire.c writes and
 * reads, and the subscribers each record goes to.  Nothing here blocks:
 * every socket is non-blocking and waits in the server's epoll set, written
 * when it says so, and a subscriber that cannot keep up loses records (then
 * gets a "lost" record) instead of stalling the application.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "server_int.h"

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
#define RETRY_NS		(100 * 1000000ULL)

struct srv_client {
	struct srv_client	*next;
	struct zcrx_server	*srv;
	int			fd;
	uint32_t		ev;		/* the epoll events it waits for */
	uint64_t		idle_at;	/* no request by then: close; 0 = asked */
	char			in[SRV_REQ_MAX + 2];
	size_t			in_len;
	char			*out;
	size_t			out_off;
	size_t			out_len;
	size_t			out_cap;
	uint64_t		lost;
	bool			subscribed;
	bool			eof;		/* the peer sends no more */
	bool			closing;	/* close once the output is out */
	bool			dead;		/* closed; freed after the batch */
};

static void client_flush(struct srv_client *c);

/* ------------------------------------------------------------------ */
/* Output queues, and records to subscribers                           */
/* ------------------------------------------------------------------ */

/* Queue a line, false when out of memory. */
static bool out_append(struct srv_client *c, const char *buf, size_t n)
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

static size_t out_pending(const struct srv_client *c)
{
	return c->out_len - c->out_off;
}

static void lose(struct srv_client *c)
{
	c->lost++;
	c->srv->lost_total++;
}

/* The "lost" record owed to a subscriber, if its queue has room for it now. */
static bool push_lost(struct srv_client *c)
{
	size_t len;
	char *line = srv_record_lost(c->srv, c->lost, &len);
	bool ok = line && out_pending(c) + len <= SRV_SUB_QUEUE_MAX && out_append(c, line, len);

	free(line);
	if (ok)
		c->lost = 0;
	return ok;
}

static bool sub_send(struct srv_client *c, const char *line, size_t len)
{
	if (c->dead)
		return false;
	/*
	 * Batched, a queue half full goes to the socket now (unless the
	 * socket said it is full): the cap is for a subscriber that does not
	 * read, not for a burst between two flushes.
	 */
	if ((c->srv->flags & ZCRX_SERVE_BATCHED) && !(c->ev & EPOLLOUT) &&
	    out_pending(c) + len > SRV_SUB_QUEUE_MAX / 2)
		client_flush(c);
	if (c->dead)
		return false;
	if ((c->lost && !push_lost(c)) || out_pending(c) + len > SRV_SUB_QUEUE_MAX ||
	    !out_append(c, line, len)) {
		lose(c);
		return false;
	}
	if (!(c->srv->flags & ZCRX_SERVE_BATCHED))
		client_flush(c);
	return true;
}

int srv_clients_publish(struct zcrx_server *srv, const char *line, size_t len)
{
	int n = 0;

	for (struct srv_client *c = srv->clients; c; c = c->next) {
		if (!c->subscribed || c->dead)
			continue;
		if (line)
			n += sub_send(c, line, len);
		else
			lose(c);	/* out of memory: the subscriber hears of it as lost */
	}
	return n;
}

void srv_clients_flush(struct zcrx_server *srv)
{
	for (struct srv_client *c = srv->clients; c; c = c->next) {
		/* one that waits for EPOLLOUT is flushed when its socket says so */
		if (c->subscribed && !c->dead && !(c->ev & EPOLLOUT) &&
		    (out_pending(c) || c->lost))
			client_flush(c);
	}
}

/* ------------------------------------------------------------------ */
/* Clients of the socket                                               */
/* ------------------------------------------------------------------ */

/* Wait for what c needs next: input until EOF, output while some is queued. */
static void client_wait(struct srv_client *c)
{
	uint32_t ev = (!c->eof && !c->closing ? EPOLLIN : 0) | (out_pending(c) ? EPOLLOUT : 0);
	struct epoll_event e = { .events = ev, .data.ptr = c };

	/*
	 * With nothing asked, a half-closed subscriber still hears EPOLLHUP
	 * once its peer goes away entirely: then it is closed.
	 */
	if (c->dead || ev == c->ev)
		return;
	if (!epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &e))
		c->ev = ev;
}

static void client_kill(struct srv_client *c)
{
	struct zcrx_server *srv = c->srv;

	if (c->dead)
		return;
	c->dead = true;
	if (c->closing) {
		/* unread input would turn our close into ECONNRESET before the reply */
		char sink[4096];

		for (int i = 0; i < 16 && recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
			;
	}
	close(c->fd);	/* and out of the epoll set with it */
	c->fd = -1;
	srv->nr_clients--;
	if (c->subscribed)
		srv->nr_subs--;
}

static void client_flush(struct srv_client *c)
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
				client_wait(c);
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
	else
		client_wait(c);
}

/* One protocol line to one client (replies: never dropped). */
static void client_send(struct srv_client *c, char *line, size_t len)
{
	/* a client that asks and never reads the answers is cut off */
	if (!line || out_pending(c) + len > 4 * SRV_SUB_QUEUE_MAX || !out_append(c, line, len))
		c->closing = true;
	free(line);
	client_flush(c);
}

static __attribute__((format(printf, 4, 5)))
void reply_fail(struct srv_client *c, int err, bool close_after, const char *fmt, ...)
{
	char msg[SRV_ERR_MAX], *line;
	size_t len = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (close_after)
		c->closing = true;
	line = srv_reply_fail(err, msg, &len);
	client_send(c, line, len);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

/* The server's own arm: each type asked for that is latched, and its record. */
static int arm_own(struct zcrx_server *srv, int type, char *err, size_t len)
{
	struct zcrx_ifq *ifq = srv->ifq;
	uint32_t want, armed = 0;
	char names[64];
	size_t n;
	char *line;
	int ret;

	if (type < 0 && !ifq->events) {
		snprintf(err, len, "%s queue %u has no events enabled", srv->dev, srv->queue);
		return -EOPNOTSUPP;
	}
	if (type >= 0 && !(ifq->events & ZCRX_EV_MASK(type))) {
		snprintf(err, len, "%s is not enabled on %s queue %u (its events: %s)",
			 zcrx_event_name(type), srv->dev, srv->queue,
			 zcrx_event_list_str(ifq->events, names, sizeof(names)));
		return -EOPNOTSUPP;
	}
	want = type < 0 ? ifq->events : ZCRX_EV_MASK(type);
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		if (!(want & ZCRX_EV_MASK(t)) || !zcrx_event_latched(ifq, t))
			continue;
		ret = zcrx_event_arm(ifq, t);
		if (ret) {
			zcrx_diagnose(ZCRX_OP_ARM, ret, NULL, srv->queue, zcrx_ctx_caps(ifq->ctx),
				      err, len);
			return ret;
		}
		armed |= ZCRX_EV_MASK(t);
		if (!(srv->flags & ZCRX_SERVE_OWN_RECORDS)) {
			line = srv_record_armed(srv, t, "arm", &n);
			srv_clients_publish(srv, line, n);
			free(line);
		}
	}
	if (!armed && type >= 0)
		snprintf(err, len, "%s has not fired since it was last armed",
			 zcrx_event_name(type));
	else if (!armed)
		snprintf(err, len, "no event has fired since it was last armed");
	return armed ? (int)armed : -EINVAL;
	return armed;
}

static void do_status(struct srv_client *c, const struct srv_request *rq)
{
	size_t len = 0;
	char *line;

	(void)rq;
	line = srv_reply_status(c->srv, &len);
	client_send(c, line, len);
}

static void do_arm(struct srv_client *c, const struct srv_request *rq)
{
	struct zcrx_server *srv = c->srv;
	int type = rq->all ? -1 : (int)rq->event;
	char err[SRV_ERR_MAX] = "", *line;
	size_t len = 0;
	int ret;

	ret = srv->arm ? srv->arm(srv, type, err, sizeof(err), srv->arg)
		       : arm_own(srv, type, err, sizeof(err));
	if (ret < 0) {
		reply_fail(c, -ret, false, "%s", err[0] ? err : strerror(-ret));
		return;
	}
	line = srv_reply_armed(srv, ret, &len);
	client_send(c, line, len);
}

static void do_subscribe(struct srv_client *c, const struct srv_request *rq)
{
	struct zcrx_server *srv = c->srv;
	size_t len = 0;
	char *line;

	(void)rq;
	if (!c->subscribed && srv->nr_subs >= MAX_SUBS) {
		reply_fail(c, 0, true, "this session already serves %d subscribers: "
			   "end one (or subscribe to another session)", MAX_SUBS);
		return;
	}
	if (!c->subscribed) {
		c->subscribed = true;
		srv->nr_subs++;
	}
	line = srv_reply_ok(&len);
	client_send(c, line, len);
}

/*
 * grow: add an area of rq->size bytes to the served ifq (ZCRX_CTRL_ADD_AREA),
 * through the caller's hook, or ourselves under ZCRX_SERVE_GROW and its cap
 */
static int grow_own(struct zcrx_server *srv, uint64_t size, uint32_t *id, char *err,
		    size_t len)
{
	struct zcrx_area_opts ao = { .area_size = size };
	struct zcrx_diag d;
	size_t rlen = 0;
	char *line;
	int ret;

	if (!(srv->flags & ZCRX_SERVE_GROW)) {
		snprintf(err, len, "%s does not let operators grow its ifq: it serves it without"
			 " a grow hook or ZCRX_SERVE_GROW", srv->prog);
		return -EPERM;
	}
	if (srv->grow_max && (size > srv->grow_max ||
			      srv->ifq->area_size > srv->grow_max - size)) {
		snprintf(err, len, "another %llu-byte area would pass the %llu bytes %s lets its"
			 " areas take (%llu now): no more areas", (unsigned long long)size,
			 (unsigned long long)srv->grow_max, srv->prog,
			 (unsigned long long)srv->ifq->area_size);
		return -ENOSPC;
	}
	ret = zcrx_ifq_add_area(srv->ifq, &ao, id, &d);
	if (ret) {
		snprintf(err, len, "%s", d.msg);
		return ret;
	}
	if (!(srv->flags & ZCRX_SERVE_OWN_RECORDS)) {
		line = srv_record_grow(srv, "grow", *id, size, &rlen);
		if (line)
			srv_clients_publish(srv, line, rlen);
		free(line);
	}
	return 0;
}

static void do_grow(struct srv_client *c, const struct srv_request *rq)
{
	struct zcrx_server *srv = c->srv;
	char err[SRV_ERR_MAX] = "", *line;
	uint32_t id = 0;
	size_t len = 0;
	int ret;

	ret = srv->grow ? srv->grow(srv, rq->size, &id, err, sizeof(err), srv->arg)
			: grow_own(srv, rq->size, &id, err, sizeof(err));
	if (ret < 0) {
		reply_fail(c, -ret, false, "%s", err[0] ? err : strerror(-ret));
		return;
	}
	line = srv_reply_grown(srv, id, &len);
	client_send(c, line, len);
}

static void (*const handlers[])(struct srv_client *c, const struct srv_request *rq) = {
	[SRV_STATUS]	= do_status,
	[SRV_ARM]	= do_arm,
	[SRV_SUBSCRIBE]	= do_subscribe,
	[SRV_GROW]	= do_grow,
};

static void client_request(struct srv_client *c, const char *line, size_t len)
{
	struct srv_request rq;
	char err[SRV_ERR_MAX];

	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return;
	c->idle_at = 0;
	if (srv_request_decode(line, len, &rq, err, sizeof(err))) {
		reply_fail(c, 0, true, "%s", err);
		return;
	}
	handlers[rq.cmd](c, &rq);
}

static void client_lines(struct srv_client *c)
{
	char *nl;
	size_t n;

	while (!c->dead && !c->closing && (nl = memchr(c->in, '\n', c->in_len))) {
		n = nl - c->in;
		client_request(c, c->in, n);
		memmove(c->in, nl + 1, c->in_len - n - 1);
		c->in_len -= n + 1;
	}
	if (!c->dead && !c->closing && c->in_len > SRV_REQ_MAX) {
		c->in_len = 0;
		reply_fail(c, 0, true, "request longer than %d bytes", SRV_REQ_MAX);
	}
}

static void client_read(struct srv_client *c)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->in + c->in_len, SRV_REQ_MAX + 1 - c->in_len, MSG_DONTWAIT);
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
	if (c->eof && !c->subscribed) {
		c->closing = true;
		client_flush(c);
	} else {
		client_wait(c);
	}
}

static void client_event(struct srv_client *c, uint32_t ev)
{
	if (c->dead)
		return;
	if (ev & EPOLLIN)
		client_read(c);
	if (!c->dead && (ev & EPOLLOUT))
		client_flush(c);
	/* gone entirely (a half-closed subscriber's peer too): nothing more to say */
	if (!c->dead && (ev & (EPOLLHUP | EPOLLERR)) && !(ev & EPOLLIN))
		client_kill(c);
}

/*
 * The table is full: close the oldest non-subscriber, preferring one that
 * never sent a request.  Subscribers are at most MAX_SUBS, so there is one.
 */
static bool evict_one(struct zcrx_server *srv)
{
	struct srv_client *idle = NULL, *any = NULL;

	/* new clients go to the head: the last match is the oldest */
	for (struct srv_client *c = srv->clients; c; c = c->next) {
		if (c->dead || c->subscribed)
			continue;
		any = c;
		if (c->idle_at)
			idle = c;
	}
	if (!idle)
		idle = any;
	if (!idle)
		return false;
	client_kill(idle);
	return true;
}

/* One refusal to a client we do not take, then close it. */
static __attribute__((format(printf, 3, 4)))
void refuse(const struct zcrx_server *srv, int fd, const char *fmt, ...)
{
	char msg[SRV_ERR_MAX], *line;
	va_list ap;
	size_t len;

	(void)srv;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = srv_reply_fail(0, msg, &len);
	if (line)
		send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	free(line);
	close(fd);
}

static void take(struct zcrx_server *srv, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct srv_client *c;
	struct epoll_event e = { .events = EPOLLIN };

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
		close(fd);
	} else if (cr.uid != geteuid() && cr.uid != 0) {
		refuse(srv, fd, "uid %u may not use this session: it belongs to uid %u",
		       (unsigned int)cr.uid, (unsigned int)geteuid());
	} else if (srv->nr_clients >= MAX_CLIENTS && !evict_one(srv)) {
		refuse(srv, fd, "this session already serves %d clients", MAX_CLIENTS);
	} else if (!(c = calloc(1, sizeof(*c)))) {
		close(fd);
	} else {
		c->srv = srv;
		c->fd = fd;
		c->ev = EPOLLIN;
		c->idle_at = srv_mono_ns() + IDLE_NS;
		e.data.ptr = c;
		if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &e)) {
			close(fd);
			free(c);
			return;
		}
		c->next = srv->clients;
		srv->clients = c;
		srv->nr_clients++;
	}
}

/* Accept what waits; on a failure other than a client's own, pause RETRY_NS. */
static void accept_all(struct zcrx_server *srv)
{
	struct epoll_event e = { .events = 0, .data.ptr = &srv->lfd };
	int fd;

	for (;;) {
		fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			take(srv, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		/* EMFILE and the like: the listener stays readable, so stop hearing it */
		srv->accept_at = srv_mono_ns() + RETRY_NS;
		epoll_ctl(srv->epfd, EPOLL_CTL_MOD, srv->lfd, &e);
		return;
	}
}

/* Idle clients closed, a paused accept resumed; the timer set for what is next. */
static void deadlines(struct zcrx_server *srv)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &srv->lfd };
	struct itimerspec its = { 0 };
	uint64_t now = srv_mono_ns(), next = 0;

	if (srv->accept_at && now >= srv->accept_at) {
		srv->accept_at = 0;
		epoll_ctl(srv->epfd, EPOLL_CTL_MOD, srv->lfd, &e);
		accept_all(srv);
	}
	for (struct srv_client *c = srv->clients; c; c = c->next) {
		if (c->dead || !c->idle_at || c->subscribed)
			continue;
		if (now >= c->idle_at)
			client_kill(c);
		else if (!next || c->idle_at < next)
			next = c->idle_at;
	}
	if (srv->accept_at && (!next || srv->accept_at < next))
		next = srv->accept_at;
	if (next == srv->tfd_at)
		return;
	its.it_value.tv_sec = next / 1000000000ULL;
	its.it_value.tv_nsec = next % 1000000000ULL;
	if (!timerfd_settime(srv->tfd, TFD_TIMER_ABSTIME, &its, NULL))
		srv->tfd_at = next;
}

static void reap(struct zcrx_server *srv)
{
	struct srv_client **pp = &srv->clients, *c;

	while ((c = *pp)) {
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		free(c->out);
		free(c);
	}
}

int srv_clients_run(struct zcrx_server *srv)
{
	struct epoll_event evs[32];
	uint64_t ticks;
	int n;

	do {
		n = epoll_wait(srv->epfd, evs, 32, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &srv->lfd)
				accept_all(srv);
			else if (p == &srv->tfd)
				(void)!read(srv->tfd, &ticks, sizeof(ticks));
			else
				client_event(p, evs[i].events);
		}
		/* a batch may name a client closed earlier in it: freed only now */
		reap(srv);
	} while (n == 32);
	deadlines(srv);
	srv_clients_flush(srv);
	reap(srv);
	return 0;
}

/*
 * The server closes: what each subscriber is owed (queued records, then its
 * "lost" record) goes out if it reads within DRAIN_MS, so that an ending
 * server drops nothing uncounted for a subscriber that keeps up.
 */
#define DRAIN_MS		50

static void drain_subscribers(struct zcrx_server *srv)
{
	struct pollfd pfd[MAX_CLIENTS];
	struct srv_client *by[MAX_CLIENTS];
	long long deadline, left;
	struct srv_client *c;
	int n, i;
	ssize_t w;

	deadline = srv_mono_ns() / 1000000 + DRAIN_MS;
	for (;;) {
		n = 0;
		for (c = srv->clients; c && n < MAX_CLIENTS; c = c->next) {
			if (c->dead || !c->subscribed)
				continue;
			if (!out_pending(c) && c->lost)
				push_lost(c);
			if (!out_pending(c))
				continue;
			pfd[n] = (struct pollfd){ .fd = c->fd, .events = POLLOUT };
			by[n++] = c;
		}
		left = deadline - (long long)(srv_mono_ns() / 1000000);
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

void srv_clients_close(struct zcrx_server *srv)
{
	struct srv_client *c;

	drain_subscribers(srv);
	while ((c = srv->clients)) {
		srv->clients = c->next;
		if (c->fd >= 0)
			close(c->fd);
		free(c->out);
		free(c);
	}
	srv->nr_clients = srv->nr_subs = 0;
}
