// SPDX-License-Identifier: MIT
/*
 * Live sessions: the bound ifq, its data path and events, and the session
 * socket with protocol v1.  Nothing here blocks: clients are non-blocking
 * sockets written when the loop says they are writable, and a subscriber
 * that cannot keep up loses records (then gets a "lost" record) instead of
 * stalling the session.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "main.h"
#include "jsonl.h"
#include "session.h"

#define MAX_CLIENTS		64
#define RECV_UD(id)		((RECV_UD_TAG << 48) | (uint64_t)(id))
#define RECV_ID(ud)		((uint32_t)((ud) & 0xffffffffULL))
#define SYNTH_ID		0	/* the simulator's synthetic traffic */
#define RETRY_NS		(100 * 1000000ULL)
#define LINE_MAX_READ		(1 << 20)

struct client {
	struct client		*next;
	struct session		*s;
	int			fd;
	struct loop_op		rd;
	struct loop_op		wr;
	char			in[PROTO_REQ_MAX + 2];
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

struct conn {
	struct conn		*next;
	int			fd;
	uint32_t		id;
	char			peer[64];
};

struct evstate {
	struct session		*s;
	enum zcrx_event		type;
	uint64_t		count;
	struct loop_op		holdoff;
};

struct session {
	struct bind_opts	o;
	char			dev[DEV_NAME_MAX];
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	struct zcrx_ifq_info	info;
	struct loop		*loop;
	struct session_hooks	hooks;
	uint64_t		start_mono;

	/* the session socket */
	char			rundir[PATH_MAX];
	char			path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool			sock_made;
	int			lfd;
	struct loop_op		lop;
	struct loop_op		lretry;
	struct client		*clients;
	unsigned int		nr_clients;
	unsigned int		nr_subs;

	/* events */
	uint64_t		seq;
	struct evstate		ev[ZCRX_EV_COUNT];
	bool			rearm_auto;
	uint64_t		holdoff_ns;

	/* data path */
	struct zcrx_consumer	*sim_cons;
	struct zcrx_consumer	*net_cons;
	struct loop_op		cons_timer;
	struct loop_op		synth_retry;
	int			synth_err;	/* last end of the synthetic receive */
	int			tfd;		/* --listen */
	struct loop_op		top;
	struct loop_op		tretry;
	char			listen_name[80];
	struct conn		*conns;
	uint32_t		next_conn_id;
	uint64_t		rx_packets;
	uint64_t		rx_bytes;
	uint64_t		last_stats_mono;
	uint64_t		last_stats_bytes;
};

static void client_flush(struct client *c);

/* ------------------------------------------------------------------ */
/* Names and the runtime directory                                     */
/* ------------------------------------------------------------------ */

/*
 * No XDG_RUNTIME_DIR (no login session): /tmp/zcrxctl-UID, as tmux does.
 * /tmp is shared, so the directory must be ours, a real directory and
 * private, or someone else could watch or squat our sessions.
 */
static int tmp_rundir(char *buf, size_t len, char *err, size_t errlen)
{
	struct stat st;

	snprintf(buf, len, "/tmp/zcrxctl-%u", (unsigned int)geteuid());
	if (mkdir(buf, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the runtime directory %s: %s: set "
			 "ZCRXCTL_RUNDIR to a private directory", buf, strerror(errno));
		return -errno;
	}
	if (lstat(buf, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		snprintf(err, errlen, "refusing the runtime directory %s: it is not a private "
			 "directory of yours (mode 0700): remove it or set ZCRXCTL_RUNDIR", buf);
		return -EPERM;
	}
	return 0;
}

int rundir_get(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("ZCRXCTL_RUNDIR"), *xdg = getenv("XDG_RUNTIME_DIR");
	size_t n;
	int w;

	if (env && *env)
		w = snprintf(buf, len, "%s", env);
	else if (geteuid() == 0)
		w = snprintf(buf, len, "/run/zcrxctl");
	else if (xdg && *xdg)
		w = snprintf(buf, len, "%s/zcrxctl", xdg);
	else
		return tmp_rundir(buf, len, err, errlen);
	if (w < 0 || (size_t)w >= len) {
		snprintf(err, errlen, "the runtime directory name is too long: set ZCRXCTL_RUNDIR"
			 " to a shorter one");
		return -ENAMETOOLONG;
	}
	for (n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = '\0';
	return 0;
}

int session_sock_name(char *buf, size_t len, const char *rundir, const char *dev,
		      uint32_t queue)
{
	int w = snprintf(buf, len, "%s/%s.%u.sock", rundir, dev, queue);
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);

	if (w < 0 || (size_t)w >= len || (size_t)w >= max)
		return -ENAMETOOLONG;
	return 0;
}

static int mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Claiming DEV.QUEUE                                                  */
/* ------------------------------------------------------------------ */

/* Is a live session behind path?  0 with its pid, or connect's -errno. */
static int probe_holder(const char *path, pid_t *pid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int fd, ret = 0;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		ret = -errno;
	else if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		*pid = 0;
	else
		*pid = cr.pid;
	close(fd);
	return ret;
}

static int claim_socket(struct session *s, bool check_only)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tmp[sizeof(s->rundir) + DEV_NAME_MAX + 32];
	int dfd, fd = -1, ret, status = EXIT_ERR;
	bool stale = false;
	struct stat st;
	mode_t old;
	pid_t pid = 0;

	if (!check_only && (ret = mkdir_p(s->rundir))) {
		p_err("cannot create the runtime directory %s: %s: set ZCRXCTL_RUNDIR to a"
		      " directory you can write", s->rundir, strerror(-ret));
		return EXIT_ERR;
	}
	dfd = open(s->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (check_only && errno == ENOENT)
			return EXIT_OK;	/* no directory, no session */
		p_err("cannot open the runtime directory %s: %s: set ZCRXCTL_RUNDIR to a"
		      " directory you can write", s->rundir, strerror(errno));
		return EXIT_ERR;
	}
	/* two binds of one queue at once: the second waits, then finds the first */
	flock(dfd, LOCK_EX);
	if (!lstat(s->path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			p_err("%s exists and is not a session socket: remove it", s->path);
			goto out;
		}
		ret = probe_holder(s->path, &pid);
		if (!ret) {
			if (pid)
				p_err("%s queue %u is already bound by pid %d: stop that session"
				      " (kill %d) or use another queue", s->dev, s->o.queue, pid, pid);
			else
				p_err("%s queue %u is already bound by another session (%s)",
				      s->dev, s->o.queue, s->path);
			goto out;
		}
		if (ret == -EAGAIN) {
			p_err("%s queue %u is already bound by a session that accepts no"
			      " connections (%s): stop it or use another queue", s->dev,
			      s->o.queue, s->path);
			goto out;
		}
		if (ret != -ECONNREFUSED) {
			p_err("cannot tell whether a session owns %s queue %u: connecting to %s"
			      " got %s", s->dev, s->o.queue, s->path, strerror(-ret));
			goto out;
		}
		stale = true;
	}
	if (check_only) {
		status = EXIT_OK;
		goto out;
	}

	/*
	 * Made under a temporary name and renamed into place: a stale socket is
	 * replaced atomically, and the new one is never mistaken for it.
	 */
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.%u.%d", s->rundir, s->dev, s->o.queue,
		     getpid()) >= (int)sizeof(sa.sun_path))
		snprintf(tmp, sizeof(tmp), "%s", s->path);
	unlink(tmp);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		p_err("cannot create a Unix socket for the session: %s", strerror(errno));
		goto out;
	}
	strcpy(sa.sun_path, tmp);
	old = umask(0177);	/* born 0600: no window where others may connect */
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret && errno == EADDRINUSE && !strcmp(tmp, s->path) && stale) {
		unlink(s->path);
		old = umask(0177);
		ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
		umask(old);
	}
	if (ret || listen(fd, 64) || chmod(tmp, 0600) ||
	    (strcmp(tmp, s->path) && rename(tmp, s->path))) {
		p_err("cannot listen on the session socket %s: %s", s->path, strerror(errno));
		if (!ret)
			unlink(tmp);
		close(fd);
		goto out;
	}
	if (stale)
		p_info("Replaced %s, a socket left by a session that died", s->path);
	s->lfd = fd;
	s->sock_made = true;
	exit_guard_unlink(s->path);
	status = EXIT_OK;
out:
	close(dfd);	/* and the lock with it */
	return status;
}

/* ------------------------------------------------------------------ */
/* The ifq                                                             */
/* ------------------------------------------------------------------ */

static const char *ring_error(int err)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		return "io_uring is not allowed for this process (see sysctl"
		       " kernel.io_uring_disabled, or a seccomp policy): allow it";
	case ENOSYS:
		return "this kernel has no io_uring: zcrx needs Linux 6.15 or later";
	case EINVAL:
		return "this kernel refused an io_uring with SINGLE_ISSUER|DEFER_TASKRUN|CQE32:"
		       " zcrx needs Linux 6.15 or later";
	case ENOMEM:
		return "out of locked memory for the io_uring: raise `ulimit -l`";
	default:
		return NULL;
	}
}

static int open_ifq(struct session *s)
{
	const struct bind_opts *o = &s->o;
	struct zcrx_ctx_opts co = {
		.backend	= o->sim ? ZCRX_BACKEND_SIM : ZCRX_BACKEND_KERNEL,
		.sim		= o->sim ? &o->simp : NULL,
	};
	struct zcrx_ifq_opts io = {
		.ifname		= o->dev,
		.queue		= o->queue,
		.area_size	= o->area_size,
		.backing	= o->hugepages ? ZCRX_AREA_HUGE_2M : ZCRX_AREA_ANON,
		.rq_entries	= o->rq_entries,
		.rx_buf_len	= o->rx_buf_len,
		.events_default	= !o->events_set,
		.events		= o->events,
		.event_user_data = o->user_data,
		.stats		= o->stats,
	};
	struct zcrx_diag d;
	const char *why;
	int ret;

	ret = zcrx_ctx_create(&s->ctx, &co);
	if (ret) {
		why = ring_error(ret);
		if (why)
			p_err("cannot bind %s queue %u: %s", s->dev, o->queue, why);
		else
			p_err("cannot bind %s queue %u: setting up its io_uring failed: %s",
			      s->dev, o->queue, strerror(-ret));
		return EXIT_ERR;
	}
	if (o->need_events && !o->events_set && !zcrx_ctx_caps(s->ctx)->event_types) {
		p_err("nothing to watch on %s queue %u: %s has no zcrx events (Linux 7.2 reports"
		      " alloc-fail and copy, the May 2026 patch alloc-fail): `zcrxctl bind` holds"
		      " a queue without them", s->dev, o->queue, o->sim ?
		      "the simulated kernel (--sim-kernel none)" : "this kernel");
		return EXIT_ERR;
	}
	ret = zcrx_ifq_open(s->ctx, &io, &s->ifq, &d);
	if (ret) {
		s->ifq = NULL;
		if (d.msg[0])
			p_err("%s", d.msg);
		else
			p_err("cannot bind %s queue %u: %s", s->dev, o->queue, strerror(-ret));
		return d.stage == ZCRX_STAGE_ARGS ? EXIT_USAGE : EXIT_ERR;
	}
	zcrx_ifq_info(s->ifq, &s->info);
	return EXIT_OK;
}

int session_open(struct session **out, const struct bind_opts *o)
{
	struct session *s = calloc(1, sizeof(*s));
	char err[256];
	int status = EXIT_ERR;

	if (!s) {
		p_err("out of memory");
		return EXIT_ERR;
	}
	s->o = *o;
	s->lfd = s->tfd = -1;
	snprintf(s->dev, sizeof(s->dev), "%s", o->dev);
	s->start_mono = s->last_stats_mono = mono_ns();
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		s->ev[t].s = s;
		s->ev[t].type = t;
	}

	if (rundir_get(s->rundir, sizeof(s->rundir), err, sizeof(err))) {
		/* --check holds no session: no directory just means no one to clash with */
		if (!o->check) {
			p_err("%s", err);
			goto fail;
		}
	} else if (session_sock_name(s->path, sizeof(s->path), s->rundir, s->dev, o->queue)) {
		p_err("the session socket %s/%s.%u.sock is longer than a Unix socket name may be"
		      " (%zu bytes): set ZCRXCTL_RUNDIR to a shorter directory", s->rundir,
		      s->dev, o->queue, sizeof(s->path) - 1);
		goto fail;
	} else if ((status = claim_socket(s, o->check))) {
		goto fail;
	}
	status = open_ifq(s);
	if (status)
		goto fail;
	*out = s;
	return EXIT_OK;
fail:
	session_close(s);
	return status ? status : EXIT_ERR;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

static uint32_t held(const struct session *s)
{
	return (s->sim_cons ? zcrx_consumer_held(s->sim_cons) : 0) +
	       (s->net_cons ? zcrx_consumer_held(s->net_cons) : 0);
}

void session_record(struct session *s, struct record *r, enum record_kind kind)
{
	struct zcrx_stats_snap st;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->has_time = true;
	r->real_ns = real_ns();
	r->mono_ns = mono_ns();
	strcpy(r->dev, s->dev);
	r->queue = s->o.queue;
	r->zcrx_id = s->info.zcrx_id;
	r->simulated = s->info.simulated;
	r->held = held(s);
	r->rq_fill = zcrx_rq_fill(s->ifq);
	if (!zcrx_stats_read(s->ifq, &st)) {
		r->has_stats = true;
		r->copy_count = st.copy_count;
		r->copy_bytes = st.copy_bytes;
	}
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		r->fired[t] = s->ev[t].count;
}

void session_stats(struct session *s, struct record *r)
{
	struct zcrx_sim_counters c;
	uint64_t pkts = s->rx_packets, bytes = s->rx_bytes, dt;

	session_record(s, r, RECORD_STATS);
	if (s->o.sim && !zcrx_sim_counters(s->ifq, &c)) {
		pkts = c.rx_packets;
		bytes = c.rx_bytes;
	}
	r->rx_packets = pkts;
	r->rx_bytes = bytes;
	dt = r->mono_ns - s->last_stats_mono;
	if (dt)
		r->rx_bps = (unsigned __int128)(bytes - s->last_stats_bytes) * 8 * 1000000000ULL / dt;
	s->last_stats_mono = r->mono_ns;
	s->last_stats_bytes = bytes;
}

static void client_kill(struct client *c);

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
	struct record r = { .kind = RECORD_LOST, .lost = c->lost };
	size_t len;
	char *line = record_wire(&r, &len);
	bool ok = out_pending(c) + len <= SUB_QUEUE_MAX && out_append(c, line, len);

	free(line);
	if (ok)
		c->lost = 0;
	return ok;
}

static void sub_send(struct client *c, const char *line, size_t len)
{
	if (c->dead)
		return;
	if ((c->lost && !push_lost(c)) || out_pending(c) + len > SUB_QUEUE_MAX ||
	    !out_append(c, line, len)) {
		c->lost++;
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
	line = record_wire(r, &len);
	for (struct client *c = s->clients; c; c = c->next)
		if (c->subscribed)
			sub_send(c, line, len);
	free(line);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static void emit_armed(struct session *s, enum zcrx_event t, const char *by)
{
	struct record r;

	session_record(s, &r, RECORD_ARMED);
	r.event = t;
	snprintf(r.by, sizeof(r.by), "%s", by);
	session_emit(s, &r);
}

static const char *event_list(uint32_t mask, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (mask & ZCRX_EV_MASK(t))
			pos += snprintf(buf + pos, pos < len ? len - pos : 0, "%s%s",
					pos ? "," : "", zcrx_event_name(t));
	if (!mask)
		snprintf(buf, len, "none");
	return buf;
}

int session_arm(struct session *s, enum zcrx_event type, bool all, const char *by,
		char *err, size_t len)
{
	uint32_t enabled = s->info.events, want, armed = 0;
	char names[64];
	int ret;

	if (!all && !(enabled & ZCRX_EV_MASK(type))) {
		snprintf(err, len, "%s is not enabled on %s queue %u (its events: %s): bind with"
			 " --events %s", zcrx_event_name(type), s->dev, s->o.queue,
			 event_list(enabled, names, sizeof(names)), zcrx_event_name(type));
		return -EOPNOTSUPP;
	}
	want = all ? enabled : ZCRX_EV_MASK(type);
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		if (!(want & ZCRX_EV_MASK(t)))
			continue;
		/*
		 * Our books, not the kernel, decide what has fired: a CQE the
		 * kernel posted but we have not read yet is not ours to re-arm.
		 */
		if (!zcrx_event_latched(s->ifq, t)) {
			if (all)
				continue;
			snprintf(err, len, "%s has not fired since it was last armed",
				 zcrx_event_name(t));
			return -EINVAL;
		}
		ret = zcrx_event_arm(s->ifq, t);
		if (ret) {
			zcrx_diagnose(ZCRX_OP_ARM, ret, NULL, s->o.queue, zcrx_ctx_caps(s->ctx),
				      err, len);
			return ret;
		}
		armed |= ZCRX_EV_MASK(t);
		loop_cancel(s->loop, &s->ev[t].holdoff);
		emit_armed(s, t, by);
	}
	if (!armed) {
		if (!enabled)
			snprintf(err, len, "%s queue %u has no events enabled", s->dev, s->o.queue);
		else
			snprintf(err, len, "no event has fired since it was last armed");
		return -EINVAL;
	}
	return armed;
}

static void on_holdoff(struct loop *l, struct loop_op *op, int res)
{
	struct evstate *ev = op->arg;
	char err[256];
	int ret;

	(void)l;
	if (res != -ETIME || !zcrx_event_latched(ev->s->ifq, ev->type))
		return;
	ret = session_arm(ev->s, ev->type, false, "auto", err, sizeof(err));
	if (ret < 0)
		p_info("re-arming %s failed: %s", zcrx_event_name(ev->type), err);
}

static void on_event(struct session *s, enum zcrx_event t)
{
	struct evstate *ev = &s->ev[t];
	struct record r;

	ev->count++;
	session_record(s, &r, RECORD_EVENT);
	r.seq = ++s->seq;
	r.event = t;
	r.count = ev->count;
	r.latched = zcrx_event_latched(s->ifq, t);
	session_emit(s, &r);
	if (!s->rearm_auto || loop_stopped(s->loop))
		return;
	if (s->holdoff_ns)
		loop_timer_in(s->loop, &ev->holdoff, s->holdoff_ns);
	else
		on_holdoff(s->loop, &ev->holdoff, -ETIME);
}

void session_set_rearm(struct session *s, bool auto_rearm, uint64_t holdoff_ns)
{
	s->rearm_auto = auto_rearm;
	s->holdoff_ns = holdoff_ns;
}

/* ------------------------------------------------------------------ */
/* The data path                                                       */
/* ------------------------------------------------------------------ */

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

static void recv_ended(struct session *s, uint32_t id, int err)
{
	char why[512];

	if (id == SYNTH_ID) {
		/* synthetic traffic: start again, after a pause when it failed */
		if (err && err != s->synth_err) {
			zcrx_diagnose(ZCRX_OP_RECV, err, NULL, s->o.queue, zcrx_ctx_caps(s->ctx),
				      why, sizeof(why));
			p_info("The simulated receive ended (%s): posting it again", why);
		}
		s->synth_err = err;
		if (err)
			loop_timer_in(s->loop, &s->synth_retry, RETRY_NS);
		else
			post_recv(s, -1, SYNTH_ID);
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

static void on_synth_retry(struct loop *l, struct loop_op *op, int res)
{
	struct session *s = op->arg;

	(void)l;
	if (res == -ETIME)
		post_recv(s, -1, SYNTH_ID);
}

static void on_data(struct session *s, const struct zcrx_cqe_info *info)
{
	uint32_t id = RECV_ID(info->user_data);
	struct zcrx_consumer *c = id == SYNTH_ID && s->o.sim ? s->sim_cons : s->net_cons;
	struct conn *conn;

	s->rx_packets++;
	s->rx_bytes += info->len;
	if (!c || zcrx_consumer_take(c, info, mono_ns())) {
		/* no consumer, or it could not take it: give the buffer back now */
		zcrx_buf_return(s->ifq, info->off, info->len);
		zcrx_buf_commit(s->ifq);
	}
	if (info->more)
		return;
	/* the receive ended with this data: keep receiving */
	if (id == SYNTH_ID)
		post_recv(s, -1, SYNTH_ID);
	else if ((conn = conn_find(s, id, NULL)) && post_recv(s, conn->fd, id))
		conn_close(s, id, "could not post the next receive");
}

static bool on_cqe(struct loop *l, struct io_uring_cqe *cqe, void *arg)
{
	struct session *s = arg;
	struct zcrx_cqe_info info;
	int kind;

	(void)l;
	kind = zcrx_cqe_decode(s->ifq, cqe, &info);
	if (kind < 0) {
		/* a CQE of ours that does not fit the ifq: say so, once */
		static bool told;

		if (!told && UD_TAG(cqe->user_data) != LOOP_UD_TAG) {
			told = true;
			p_info("ignoring a CQE that does not fit the ifq (user_data 0x%llx res %d):"
			       " %s", (unsigned long long)cqe->user_data, cqe->res,
			       strerror(-kind));
		}
		return UD_TAG(cqe->user_data) != LOOP_UD_TAG;
	}
	switch (kind) {
	case ZCRX_CQE_EVENT:
		on_event(s, info.event);
		return true;
	case ZCRX_CQE_DATA:
		on_data(s, &info);
		return true;
	case ZCRX_CQE_RECV_END:
		recv_ended(s, RECV_ID(info.user_data), info.err);
		return true;
	case ZCRX_CQE_INTERNAL:
		return true;
	default:
		return false;
	}
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
			       "the ifq already receives on as many sockets as it can track" :
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
		p_err("--listen %s: cannot create a TCP socket: %s", s->o.listen, strerror(errno));
		return EXIT_ERR;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		p_err("--listen %s: cannot listen there: %s%s", s->o.listen, strerror(errno),
		      errno == EADDRINUSE ? ": pick another port" :
		      errno == EADDRNOTAVAIL ? ": no local interface has that address" :
		      errno == EACCES ? ": ports below 1024 need root" : "");
		close(fd);
		return EXIT_ERR;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	format_peer(&ss, s->listen_name, sizeof(s->listen_name));
	s->tfd = fd;
	return EXIT_OK;
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

/* The protocol line built since wire_begin(), to c. */
static void client_send_wire(struct client *c)
{
	size_t len;
	char *line = wire_end(&len);

	client_send(c, line, len);
}

static __attribute__((format(printf, 4, 5)))
void reply_fail(struct client *c, const char *errno_name, bool close_after, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	size_t len;
	char *line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	wire_begin();
	open_json_object(NULL);
	print_uint(PRINT_JSON, "v", NULL, PROTO_VERSION);
	print_bool(PRINT_JSON, "ok", NULL, false);
	if (errno_name)
		print_string(PRINT_JSON, "errno", NULL, errno_name);
	print_string(PRINT_JSON, "error", NULL, msg);
	close_json_object();
	line = wire_end(&len);
	if (close_after)
		c->closing = true;
	client_send(c, line, len);
}

static void reply_status(struct client *c)
{
	struct session *s = c->s;
	struct zcrx_stats_snap st;

	wire_begin();
	open_json_object(NULL);
	print_uint(PRINT_JSON, "v", NULL, PROTO_VERSION);
	print_bool(PRINT_JSON, "ok", NULL, true);
	open_json_object("session");
	print_string(PRINT_JSON, "dev", NULL, s->dev);
	print_uint(PRINT_JSON, "queue", NULL, s->o.queue);
	print_uint(PRINT_JSON, "zcrx-id", NULL, s->info.zcrx_id);
	print_uint(PRINT_JSON, "pid", NULL, getpid());
	print_uint(PRINT_JSON, "uptime-s", NULL, (mono_ns() - s->start_mono) / 1000000000ULL);
	print_bool(PRINT_JSON, "simulated", NULL, s->info.simulated);
	open_json_array("events");
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (s->info.events & ZCRX_EV_MASK(t))
			print_string(PRINT_JSON, NULL, NULL, zcrx_event_name(t));
	close_json_array();
	open_json_object("types");
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		if (!(s->info.events & ZCRX_EV_MASK(t)))
			continue;
		open_json_object(zcrx_event_name(t));
		print_string(PRINT_JSON, "state", NULL,
			     zcrx_event_latched(s->ifq, t) ? "fired" : "armed");
		print_uint(PRINT_JSON, "count", NULL, s->ev[t].count);
		close_json_object();
	}
	close_json_object();
	if (!zcrx_stats_read(s->ifq, &st)) {
		print_uint(PRINT_JSON, "copy-count", NULL, st.copy_count);
		print_uint(PRINT_JSON, "copy-bytes", NULL, st.copy_bytes);
	} else {
		print_null(PRINT_JSON, "copy-count", NULL);
		print_null(PRINT_JSON, "copy-bytes", NULL);
	}
	close_json_object();
	close_json_object();
	client_send_wire(c);
}

static void reply_armed(struct client *c, uint32_t mask)
{
	wire_begin();
	open_json_object(NULL);
	print_uint(PRINT_JSON, "v", NULL, PROTO_VERSION);
	print_bool(PRINT_JSON, "ok", NULL, true);
	open_json_array("armed");
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (mask & ZCRX_EV_MASK(t))
			print_string(PRINT_JSON, NULL, NULL, zcrx_event_name(t));
	close_json_array();
	close_json_object();
	client_send_wire(c);
}

static void reply_ok(struct client *c)
{
	wire_begin();
	open_json_object(NULL);
	print_uint(PRINT_JSON, "v", NULL, PROTO_VERSION);
	print_bool(PRINT_JSON, "ok", NULL, true);
	close_json_object();
	client_send_wire(c);
}

static void request_arm(struct client *c, const struct json *req)
{
	const struct json *ev = json_get(req, "event");
	const char *name = ev ? json_str(ev) : "all";
	char err[512];
	bool all;
	int t = 0, ret;

	if (!name) {
		reply_fail(c, NULL, true, "malformed arm request: \"event\" must be a string");
		return;
	}
	all = !strcmp(name, "all");
	if (!all && (t = zcrx_event_parse(name)) < 0) {
		reply_fail(c, NULL, true, "unknown event \"%s\": alloc-fail, copy or all", name);
		return;
	}
	ret = session_arm(c->s, t, all, "arm", err, sizeof(err));
	if (ret < 0)
		reply_fail(c, strerrorname_np(-ret), false, "%s", err);
	else
		reply_armed(c, ret);
}

static void client_request(struct client *c, const char *line, size_t len)
{
	struct json *req;
	const char *cmd;
	uint64_t v;
	int err;

	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return;
	req = json_parse(line, len, &err);
	if (!req) {
		reply_fail(c, NULL, true, "malformed request: %s", err == -E2BIG ?
			   "nested too deeply" : "not one JSON value");
		return;
	}
	cmd = json_str(json_get(req, "cmd"));
	if (json_type(req) != JSON_OBJ)
		reply_fail(c, NULL, true, "malformed request: not a JSON object");
	else if (!json_u64(json_get(req, "v"), &v) || v != PROTO_VERSION)
		reply_fail(c, NULL, true, "unsupported request: this session speaks protocol"
			   " version 1 (\"v\":1)");
	else if (!cmd)
		reply_fail(c, NULL, true, "malformed request: no \"cmd\" (status, arm or"
			   " subscribe)");
	else if (!strcmp(cmd, "status"))
		reply_status(c);
	else if (!strcmp(cmd, "arm"))
		request_arm(c, req);
	else if (!strcmp(cmd, "subscribe")) {
		if (!c->subscribed) {
			c->subscribed = true;
			c->s->nr_subs++;
		}
		reply_ok(c);
	} else
		reply_fail(c, NULL, true, "unknown cmd \"%s\": status, arm or subscribe", cmd);
	json_free(req);
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
		reply_fail(c, NULL, true, "request longer than %d bytes", PROTO_REQ_MAX);
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

static void reap_clients(struct session *s);

static void refuse(int fd, const char *fmt, ...)
{
	char msg[256], line[400];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "{\"v\":1,\"ok\":false,\"error\":\"%s\"}\n", msg);
	if (n > 0 && n < (int)sizeof(line))
		send(fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT);
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
			   (sweep_half_closed(s), reap_clients(s), s->nr_clients >= MAX_CLIENTS)) {
			refuse(res, "this session already serves %d clients", MAX_CLIENTS);
		} else if (!(c = calloc(1, sizeof(*c)))) {
			close(res);
		} else {
			c->s = s;
			c->fd = res;
			loop_op_init(l, &c->rd, on_client_rd, c);
			loop_op_init(l, &c->wr, on_client_wr, c);
			loop_poll(l, &c->rd, c->fd, POLLIN);
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

static void reap_clients(struct session *s)
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

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

static void after_batch(struct loop *l, void *arg)
{
	struct session *s = arg;
	struct zcrx_consumer *cons[2] = { s->sim_cons, s->net_cons };
	uint64_t now = mono_ns(), next = 0, n;

	for (int i = 0; i < 2; i++) {
		if (!cons[i])
			continue;
		zcrx_consumer_run(cons[i], now, &n);
		if (n && (!next || n < next))
			next = n;
	}
	/* a timer that fires early is harmless: the next batch moves it on */
	if (next && (!s->cons_timer.pending || next < s->cons_timer.deadline))
		loop_timer_at(l, &s->cons_timer, next);
	reap_clients(s);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	struct session *s = arg;
	char err[256];

	(void)l;
	if (signo == SIGUSR1) {
		if (session_arm(s, 0, true, "signal", err, sizeof(err)) < 0)
			p_info("SIGUSR1: nothing re-armed: %s", err);
		return;
	}
	if (s->hooks.stop_signal)
		s->hooks.stop_signal(s, signo, s->hooks.arg);
	else
		session_stop(s, EXIT_OK);
}

int session_start(struct session *s, const struct session_hooks *hooks)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, 0 };
	struct zcrx_consumer_params now = { .mode = ZCRX_CONSUME_NOW };
	int ret;

	if (hooks)
		s->hooks = *hooks;
	signal(SIGPIPE, SIG_IGN);
	ret = loop_create(&s->loop, zcrx_ctx_ring(s->ctx));
	if (ret)
		goto err;
	loop_set_filter(s->loop, on_cqe, s);
	loop_set_after(s->loop, after_batch, s);
	ret = loop_signals(s->loop, sigs, on_signal, s);
	if (ret)
		goto err;
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		loop_op_init(s->loop, &s->ev[t].holdoff, on_holdoff, &s->ev[t]);
	loop_op_init(s->loop, &s->cons_timer, on_nothing, s);
	loop_op_init(s->loop, &s->synth_retry, on_synth_retry, s);
	loop_op_init(s->loop, &s->lretry, on_client_retry, s);
	loop_op_init(s->loop, &s->tretry, on_tcp_retry, s);
	if (s->lfd >= 0) {
		loop_op_init(s->loop, &s->lop, on_client_accept, s);
		loop_accept(s->loop, &s->lop, s->lfd);
	}
	if (s->o.sim) {
		ret = zcrx_consumer_create(s->ifq, &s->o.sim_consume, &s->sim_cons);
		if (!ret)
			ret = post_recv(s, -1, SYNTH_ID);
		if (ret)
			goto err;
	}
	if (s->o.listen) {
		if (tcp_listen(s))
			return EXIT_ERR;
		ret = zcrx_consumer_create(s->ifq, s->o.consume_opt ? &s->o.consume : &now,
					   &s->net_cons);
		if (ret)
			goto err;
		loop_op_init(s->loop, &s->top, on_tcp_accept, s);
		loop_accept(s->loop, &s->top, s->tfd);
	}
	return EXIT_OK;
err:
	p_err("cannot start the session on %s queue %u: %s", s->dev, s->o.queue, strerror(-ret));
	return EXIT_ERR;
}

int session_run(struct session *s)
{
	int ret = loop_run(s->loop);

	if (ret < 0) {
		p_err("waiting for completions on the io_uring failed: %s", strerror(-ret));
		return EXIT_ERR;
	}
	return ret;
}

void session_stop(struct session *s, int status)
{
	loop_stop(s->loop, status);
}

void session_close(struct session *s)
{
	struct client *c;
	struct conn *cn;

	if (!s)
		return;
	/* the name goes first: from now on this session is not there */
	if (s->sock_made) {
		unlink(s->path);
		exit_guard_unlink(NULL);
	}
	if (s->lfd >= 0)
		close(s->lfd);
	while ((c = s->clients)) {
		s->clients = c->next;
		if (c->fd >= 0)
			close(c->fd);
		free(c->out);
		free(c);
	}
	while ((cn = s->conns)) {
		s->conns = cn->next;
		close(cn->fd);
		free(cn);
	}
	if (s->tfd >= 0)
		close(s->tfd);
	/* held buffers go back before the ifq does */
	zcrx_consumer_destroy(s->sim_cons);
	zcrx_consumer_destroy(s->net_cons);
	loop_destroy(s->loop);
	if (s->ifq)
		zcrx_ifq_close(s->ifq);
	if (s->ctx)
		zcrx_ctx_destroy(s->ctx);
	free(s);
}

struct loop *session_loop(struct session *s)
{
	return s->loop;
}

const struct zcrx_ifq_info *session_info(const struct session *s)
{
	return &s->info;
}

const char *session_dev(const struct session *s)
{
	return s->dev;
}

const char *session_sock_path(const struct session *s)
{
	return s->sock_made ? s->path : NULL;
}

const struct bind_opts *session_opts(const struct session *s)
{
	return &s->o;
}

uint64_t session_fired(const struct session *s, enum zcrx_event t)
{
	return s->ev[t].count;
}

const char *session_listen_addr(const struct session *s)
{
	return s->tfd >= 0 ? s->listen_name : NULL;
}

/* ------------------------------------------------------------------ */
/* The client side                                                     */
/* ------------------------------------------------------------------ */

int session_connect_path(const char *path, char *err, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, len, "%s is too long for a Unix socket name", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, len, "cannot create a Unix socket: %s", strerror(errno));
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		snprintf(err, len, "connecting to %s got %s", path, strerror(e));
		return -e;
	}
	return fd;
}

int session_connect(const char *dev, uint32_t queue, int *status)
{
	char rundir[PATH_MAX], path[PATH_MAX], err[512];
	int fd;

	*status = EXIT_ERR;
	if (rundir_get(rundir, sizeof(rundir), err, sizeof(err))) {
		p_err("%s", err);
		return -1;
	}
	if (session_sock_name(path, sizeof(path), rundir, dev, queue)) {
		p_err("no session owns %s queue %u: its socket name would be too long", dev, queue);
		return -1;
	}
	fd = session_connect_path(path, err, sizeof(err));
	if (fd >= 0)
		return fd;
	switch (-fd) {
	case ENOENT:
		p_err("no session owns %s queue %u (no %s): start one with `zcrxctl bind %s %u`"
		      " or `zcrxctl watch %s %u`", dev, queue, path, dev, queue, dev, queue);
		break;
	case ECONNREFUSED:
		p_err("no session owns %s queue %u: %s was left by a session that died (the next"
		      " bind replaces it)", dev, queue, path);
		break;
	case EACCES:
		p_err("cannot reach the session of %s queue %u: %s is not yours (run as its"
		      " owner or root)", dev, queue, path);
		break;
	default:
		p_err("cannot reach the session of %s queue %u: %s", dev, queue, err);
	}
	return -1;
}

/* Read one line without taking a byte past its newline (records may follow). */
static int read_line(int fd, char **out, char *err, size_t errlen)
{
	char buf[4096], *line = NULL, *p;
	size_t len = 0;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_PEEK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n ? errno : ECONNRESET;

			free(line);
			if (e == EAGAIN || e == EWOULDBLOCK) {
				snprintf(err, errlen, "the session did not answer within %d s",
					 CLIENT_TIMEOUT_MS / 1000);
				return -ETIMEDOUT;
			}
			snprintf(err, errlen, "the session closed the connection without an"
				 " answer");
			return -e;
		}
		p = memchr(buf, '\n', n);
		if (p)
			n = p - buf + 1;
		n = recv(fd, buf, n, 0);
		if (n <= 0)
			continue;
		if (len + n > LINE_MAX_READ) {
			free(line);
			snprintf(err, errlen, "the session's answer is longer than %d bytes",
				 LINE_MAX_READ);
			return -E2BIG;
		}
		p = realloc(line, len + n + 1);
		if (!p) {
			free(line);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		line = p;
		memcpy(line + len, buf, n);
		len += n;
		line[len] = '\0';
		if (line[len - 1] == '\n') {
			line[len - 1] = '\0';
			*out = line;
			return 0;
		}
	}
}

int session_request(int fd, const char *req, char **reply, char *err, size_t len)
{
	struct timeval tv = { .tv_sec = CLIENT_TIMEOUT_MS / 1000,
			      .tv_usec = CLIENT_TIMEOUT_MS % 1000 * 1000 };
	size_t off = 0, n = strlen(req);
	ssize_t w;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (off < n + 1) {
		/* the request, then its newline */
		if (off < n)
			w = send(fd, req + off, n - off, MSG_NOSIGNAL);
		else
			w = send(fd, "\n", 1, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* a session that refuses us answers, then closes: read that */
			if (errno == EPIPE || errno == ECONNRESET)
				break;
			snprintf(err, len, "sending the request failed: %s", strerror(errno));
			return -errno;
		}
		off += w;
	}
	return read_line(fd, reply, err, len);
}
