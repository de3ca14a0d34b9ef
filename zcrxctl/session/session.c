// SPDX-License-Identifier: MIT
/*
 * Live sessions: the bound ifq, served at RUNDIR/DEV.QUEUE.sock by libzcrx
 * (zcrx_server.h), its events and records, and the loop that runs it all.
 * The data path is in data.c.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/un.h>

#include "../print.h"
#include "../guard.h"
#include "../preflight.h"
#include "../proto.h"
#include "../rundir.h"
#include "session_int.h"
#include "zcrx_diag.h"

/* ------------------------------------------------------------------ */
/* The ifq                                                             */
/* ------------------------------------------------------------------ */

/*
 * The ring, what it must offer, and the queue: one that still carries a
 * memory provider is said (or waited for) before the session claims its
 * socket, so a session waiting for its queue is not yet one that does not
 * answer.  rundir, where other sessions' sockets are, may be NULL.
 */
static int open_ctx(struct session *s, const char *rundir)
{
	const struct session_opts *o = &s->o;
	bool nodev = o->be.mode == BACKEND_NODEV;
	char msg[256];
	int ret;

	ret = backend_ctx_create(&o->be, &s->ctx);
	if (ret) {
		zcrx_diagnose(ZCRX_OP_RING, ret, NULL, 0, NULL, msg, sizeof(msg));
		p_err("cannot bind %s queue %u: %s", s->dev, o->queue, msg);
		return ret;
	}
	if (nodev && zcrx_caps_feature(zcrx_ctx_caps(s->ctx), ZCRX_FEAT_NODEV, NULL, 0) != ZCRX_YES) {
		p_err("cannot bind %s without a NIC: this kernel has no NIC-less zcrx"
		      " (ZCRX_REG_NODEV, Linux 7.1+): `zcrxctl selftest` says what it has",
		      s->dev);
		return -EOPNOTSUPP;
	}
	if (o->need_events && !o->events_set && !zcrx_ctx_caps(s->ctx)->event_types) {
		p_err("nothing to watch on %s queue %u: %s has no zcrx events (Linux 7.2 reports"
		      " alloc-fail and copy, the May 2026 patch alloc-fail): `zcrxctl bind%s`"
		      " holds %s without them", s->dev, o->queue, backend_kernel_name(&o->be),
		      nodev ? " --nodev ... --listen PORT" : "",
		      nodev ? "a NIC-less ifq and receives" : "a queue");
		return -EOPNOTSUPP;
	}
	if (o->grow_size && zcrx_caps_feature(zcrx_ctx_caps(s->ctx), ZCRX_FEAT_ADD_AREA, msg,
					      sizeof(msg)) != ZCRX_YES) {
		p_err("--auto-grow on %s queue %u: %s cannot add areas to a live ifq (%s):"
		      " drop --auto-grow and give --area-size what the queue needs", s->dev,
		      o->queue, o->be.mode == BACKEND_SIM ? "the simulated kernel (only"
		      " --sim-kernel 7.3 adds areas)" : "this kernel", msg);
		return -EOPNOTSUPP;
	}
	return preflight_queue(s->ctx, o, rundir);
}

static int open_ifq(struct session *s, bool *usage)
{
	const struct session_opts *o = &s->o;
	bool nodev = o->be.mode == BACKEND_NODEV;
	struct zcrx_ifq_opts io = {
		.ifname		= nodev ? NULL : o->dev,
		.queue		= nodev ? 0 : o->queue,
		.nodev		= nodev,
		.area_size	= o->area_size,
		.backing	= o->hugepages ? ZCRX_AREA_HUGE_2M : ZCRX_AREA_ANON,
		.rq_entries	= o->rq_entries,
		.rx_buf_len	= o->rx_buf_len,
		.events_default	= !o->events_set || (nodev && o->events_all),
		.events		= o->events,
		.event_user_data = o->user_data,
		.stats		= o->stats,
	};
	struct zcrx_diag d;
	int ret;

	/* a NODEV ifq copies every byte: its copy stats are the point, so on by default */
	if (nodev && zcrx_ctx_caps(s->ctx)->stats)
		io.stats = true;
	ret = zcrx_ifq_open(s->ctx, &io, &s->ifq, &d);
	if (ret) {
		s->ifq = NULL;
		if (d.msg[0] && !nodev && (ret == -EEXIST || ret == -EBUSY))
			preflight_refused(s->ctx, o, s->rundir[0] ? s->rundir : NULL, ret, d.msg);
		else if (d.msg[0])
			p_err("%s", d.msg);
		else
			p_err("cannot bind %s queue %u: %s", s->dev, o->queue, strerror(-ret));
		if (usage)
			*usage = d.stage == ZCRX_STAGE_ARGS;
		return ret;
	}
	zcrx_ifq_info(s->ifq, &s->info);
	return 0;
}

static int on_arm_request(struct zcrx_server *srv, int type, char *err, size_t len, void *arg)
{
	(void)srv;
	return session_arm(arg, type < 0 ? 0 : type, type < 0, "arm", err, len);
}

/*
 * The session socket, RUNDIR/DEV.QUEUE.sock: libzcrx serves the ifq there,
 * on the session's ring, and the session publishes its own records.
 */
static int serve(struct session *s)
{
	struct zcrx_serve_opts so = {
		.rundir	= s->rundir,
		.dev	= s->dev,
		.queue	= s->o.queue,
		.flags	= ZCRX_SERVE_OWN_RECORDS | ZCRX_SERVE_BATCHED,
		.arm	= on_arm_request,
		.grow	= session_grow_request,
		.arg	= s,
	};
	struct zcrx_server_info si;
	struct zcrx_diag d;
	int ret;

	ret = zcrx_ifq_serve(s->ifq, &so, &s->srv, &d);
	if (ret) {
		s->srv = NULL;
		p_err("%s", d.msg);
		return ret;
	}
	zcrx_server_info(s->srv, &si);
	snprintf(s->path, sizeof(s->path), "%s", si.path);
	if (si.replaced)
		p_info("Replaced %s, a socket left by a session that died", s->path);
	exit_guard_unlink(s->path);
	return 0;
}

int session_open(struct session **out, const struct session_opts *o, bool *usage)
{
	struct session *s = calloc(1, sizeof(*s));
	char err[256];
	int ret;

	if (usage)
		*usage = false;
	if (!s) {
		p_err("out of memory");
		return -ENOMEM;
	}
	s->o = *o;
	s->tfd = -1;
	snprintf(s->dev, sizeof(s->dev), "%s", o->dev);
	s->start_mono = s->last_stats_mono = mono_ns();
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		s->ev[t].s = s;
		s->ev[t].type = t;
	}

	ret = rundir_get(s->rundir, sizeof(s->rundir), err, sizeof(err));
	/* --check holds no session: no directory just means no one to clash with */
	if (ret && !o->check) {
		p_err("%s", err);
		goto fail;
	}
	if (ret)
		s->rundir[0] = '\0';
	ret = open_ctx(s, s->rundir[0] ? s->rundir : NULL);
	if (ret)
		goto fail;
	ret = open_ifq(s, usage);
	if (ret)
		goto fail;
	/*
	 * --check binds and releases at once and makes no socket: what is at
	 * the socket's name (junk, a dead or live session) is not its answer,
	 * nor is how long that name would be.
	 */
	if (!o->check && (ret = serve(s)))
		goto fail;
	*out = s;
	return 0;
fail:
	session_close(s);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

uint64_t session_now(struct session *s)
{
	return s->loop ? loop_now(s->loop) : mono_ns();
}

void session_record(struct session *s, struct record *r, enum record_kind kind)
{
	struct zcrx_stats_snap st;

	/* error, the long tail, only when stopped: a storm makes two a CQE */
	memset(r, 0, offsetof(struct record, error) + 1);
	r->kind = kind;
	strcpy(r->dev, s->dev);
	r->queue = s->o.queue;
	r->zcrx_id = s->info.zcrx_id;
	r->mode = s->o.be.mode;
	/* what was armed, by whom, where: an armed record says nothing more */
	if (kind == RECORD_ARMED)
		return;
	r->has_time = true;
	r->mono_ns = session_now(s);
	r->real_ns = s->loop ? loop_real(s->loop) : real_ns();
	r->held = session_data_held(s);
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
	uint64_t bytes = s->rx_bytes, dt;

	session_record(s, r, RECORD_STATS);
	r->has_packets = !backend_rx_counters(&s->o.be, s->ifq, &r->rx_packets, &bytes);
	r->rx_buffers = s->rx_buffers;
	r->recv_stalls = zcrx_recv_stalls(s->ifq);
	r->has_overflows = true;
	r->recv_overflows = zcrx_recv_overflows(s->ifq);
	r->rx_bytes = bytes;
	dt = r->mono_ns - s->last_stats_mono;
	if (dt)
		r->rx_bps = (unsigned __int128)(bytes - s->last_stats_bytes) * 8 * 1000000000ULL / dt;
	s->last_stats_mono = r->mono_ns;
	s->last_stats_bytes = bytes;
}

/*
 * Hand a record to the hook, and to the subscribers through libzcrx's
 * server: built only when someone listens, sent at the end of the pass.
 */
void session_emit(struct session *s, const struct record *r)
{
	const char *line;
	size_t len;

	if (s->hooks.record)
		s->hooks.record(s, r, s->hooks.arg);
	if (!s->srv || !zcrx_server_subscribers(s->srv))
		return;
	line = proto_record_line(r, &len);
	if (line && zcrx_server_publish(s->srv, line, len) > 0)
		loop_flush_due(s->loop);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static void emit_armed(struct session *s, enum zcrx_event t, const char *by)
{
	struct record r;

	session_record(s, &r, RECORD_ARMED);
	r.event = t;
	/* by is ours ("arm", "auto"...); r.by is zeroed, its last byte stays so */
	memcpy(r.by, by, strnlen(by, sizeof(r.by) - 1));
	session_emit(s, &r);
}

int session_arm(struct session *s, enum zcrx_event type, bool all, const char *by,
		char *err, size_t len)
{
	uint32_t enabled = s->info.events, want, armed = 0;
	char names[64];
	int ret;

	if (all && !enabled) {
		snprintf(err, len, "the session has no events enabled (bind with --events)");
		return -EOPNOTSUPP;
	}
	if (!all && !(enabled & ZCRX_EV_MASK(type)) && s->o.be.mode == BACKEND_NODEV &&
	    type == ZCRX_EV_ALLOC_FAIL) {
		snprintf(err, len, "alloc-fail has not fired: a NODEV ifq has no page pool, so it"
			 " never does (nothing to re-arm)");
		return -EINVAL;
	}
	if (!all && !(enabled & ZCRX_EV_MASK(type))) {
		snprintf(err, len, "%s is not enabled on %s queue %u (its events: %s): bind with"
			 " --events %s", zcrx_event_name(type), s->dev, s->o.queue,
			 zcrx_event_list_str(enabled, names, sizeof(names)), zcrx_event_name(type));
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
	char err[256];

	ev->count++;
	session_record(s, &r, RECORD_EVENT);
	r.seq = ++s->seq;
	r.event = t;
	r.count = ev->count;
	r.latched = zcrx_event_latched(s->ifq, t);
	session_emit(s, &r);
	if (t == ZCRX_EV_ALLOC_FAIL && session_auto_grow(s, "alloc-fail") && !s->rearm_auto &&
	    !loop_stopped(s->loop))
		session_arm(s, t, false, "grow", err, sizeof(err));
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
/* Running                                                             */
/* ------------------------------------------------------------------ */

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
		session_data_recv(s, &info);
		return true;
	case ZCRX_CQE_RECV_END:
		session_data_recv_end(s, &info);
		return true;
	case ZCRX_CQE_RECV_STALLED:
		session_data_recv_stalled(s, &info);
		return true;
	case ZCRX_CQE_INTERNAL:
		return true;
	default:
		return false;
	}
}

static void after_batch(struct loop *l, void *arg)
{
	struct session *s = arg;

	(void)l;
	session_data_consume(s);
}

/* The records queued for subscribers leave with stdout's: one write each. */
static void flush_subscribers(struct loop *l, void *arg)
{
	struct session *s = arg;

	(void)l;
	if (s->srv)
		zcrx_server_flush(s->srv);
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
		session_stop(s, 0);
}

int session_start(struct session *s, const struct session_hooks *hooks)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, 0 };
	int ret;

	if (hooks)
		s->hooks = *hooks;
	signal(SIGPIPE, SIG_IGN);
	ret = loop_create(&s->loop, zcrx_ctx_ring(s->ctx));
	if (ret)
		goto err;
	loop_set_filter(s->loop, on_cqe, s);
	loop_set_after(s->loop, after_batch, s);
	loop_set_flush(s->loop, flush_subscribers, s);
	ret = loop_signals(s->loop, sigs, on_signal, s);
	if (ret)
		goto err;
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		loop_op_init(s->loop, &s->ev[t].holdoff, on_holdoff, &s->ev[t]);
	session_data_init(s);
	return session_data_start(s);
err:
	p_err("cannot start the session on %s queue %u: %s", s->dev, s->o.queue, strerror(-ret));
	return ret;
}

int session_run(struct session *s)
{
	int ret = loop_run(s->loop);

	if (ret < 0)
		p_err("waiting for completions on the io_uring failed: %s", strerror(-ret));
	return ret;
}

void session_stop(struct session *s, int status)
{
	loop_stop(s->loop, status);
}

void session_close(struct session *s)
{
	if (!s)
		return;
	/* the name goes first: from now on this session is not there */
	if (s->srv) {
		zcrx_server_close(s->srv);
		exit_guard_unlink(NULL);
	}
	/* held buffers go back before the ifq does */
	session_data_close(s);
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
	return s->srv ? s->path : NULL;
}

const struct session_opts *session_opts(const struct session *s)
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
