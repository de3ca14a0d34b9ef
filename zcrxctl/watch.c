// SPDX-License-Identifier: MIT
/*
 * zcrxctl watch DEV QUEUE [BIND OPTIONS] [--rearm=auto|manual] [--holdoff DUR]
 *               [-c N] [-t DUR] [--timestamp=iso|mono|none] [--stats-interval DUR]
 * Bind like bind, then print each event live, one line (or NDJSON object)
 * each, as iproute2's dpll monitor does, flushed before the loop sleeps;
 * exit like inotifywait: 0 after -c N events, 2 when -t ran out with none.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bind.h"
#include "guard.h"
#include "main.h"
#include "stream.h"
#include "units.h"

struct watch_args {
	struct session_opts	b;
	bool			rearm_auto;
	const char		*holdoff_arg;
	uint64_t		holdoff_ns;
	struct stream_opts	st;
	uint64_t		stats_ns;
};

struct watch {
	const struct watch_args	*a;
	struct printer		*pr;
	struct session		*s;
	uint64_t		start;
	uint64_t		events;
	bool			done;		/* print nothing more */
	bool			timed_out;
	bool			out_gone;	/* stdout closed under us: end quietly */
	bool			keys;		/* a terminal: key presses re-arm */
	struct loop_op		timeout_op;
	struct loop_op		stats_op;
	uint64_t		next_stats;
	struct loop_op		out_op;
};

static char *do_help(int key, const char *text, void *input)
{
	char *doc;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return asprintf(&doc, "Bind an ifq on DEV's RX queue QUEUE like bind, subscribe to its events "
		      "and print each one live, one line each (one JSON object per line with "
		      "-j), written out before zcrxctl waits for the next.  Once events are subscribed, \"Watching DEV queue "
		      "Q (zcrx_id N): EVENTS\" goes to stderr; at the end a summary does.  A "
		      "fired type stays latched until re-armed: by `zcrxctl arm`, a key press "
		      "(in a terminal), SIGUSR1, or --rearm=auto after --holdoff.  Exit 0 after "
		      "-c N events, on SIGINT/SIGTERM, or when stdout is closed; 2 when -t ran "
		      "out with no event.\n"
		      "\n"
		      "       DEV   := network device name, or %s\n"
		      "       QUEUE := RX queue index\n"
		      "       SIZE  := bytes with an optional K, M, G suffix: 4K, 8M, 1G\n"
		      "       DUR   := a number with ns, us, ms, s, m or h: 500ms, 1s, 2m\n"
		      "       LIST  := alloc-fail (or no-buffers), copy, comma-separated, or all\n",
		      backend_text(BT_DEV_ANY)) < 0 ? NULL : doc;
}

static const struct argp_option options[] = {
	{ "rearm", OPT_REARM, "auto|manual", 0,
	  "manual (default): a fired type stays latched until re-armed; auto: re-arm"
	  " it --holdoff later", 0 },
	{ "holdoff", OPT_HOLDOFF, "DUR", 0, "--rearm=auto: wait DUR before re-arming"
	  " (default 1s)", 0 },
	STREAM_ARGP_OPTIONS,
	{ "stats-interval", OPT_STATS_INTERVAL, "DUR", 0, "print a stats line every DUR", 0 },
	BIND_ARGP_OPTIONS,
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct watch_args *a = state->input;

	switch (key) {
	case OPT_REARM:
		if (!strcmp(arg, "auto"))
			a->rearm_auto = true;
		else if (!strcmp(arg, "manual"))
			a->rearm_auto = false;
		else
			argp_error(state, "--rearm takes auto or manual, not '%s'", arg);
		break;
	case OPT_HOLDOFF:
		a->holdoff_arg = arg;
		if (parse_duration(arg, &a->holdoff_ns))
			argp_error(state, "--holdoff takes a DUR such as 0, 500ms or 1s, not '%s'",
				   arg);
		break;
	case 'c':
	case 't':
	case OPT_TIMESTAMP:
		return stream_opt_parse(key, arg, state, &a->st);
	case OPT_STATS_INTERVAL:
		if (parse_duration(arg, &a->stats_ns) || !a->stats_ns)
			argp_error(state, "--stats-interval takes a DUR above 0 such as 1s, not '%s'",
				   arg);
		break;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->b.be;
		break;
	case ARGP_KEY_END:
		bind_opts_check(state, &a->b);
		if (a->holdoff_arg && !a->rearm_auto)
			argp_error(state, "--holdoff %s applies to --rearm=auto only", a->holdoff_arg);
		break;
	default:
		return bind_opt_parse(key, arg, state, &a->b);
	}
	return 0;
}

static const struct argp_child children[] = {
	{ &backend_argp, 0, NULL, 0 },
	{ 0 }
};

static const struct argp watch_argp = {
	options, parse_opt, "DEV QUEUE", "", children, do_help, NULL
};

/* ------------------------------------------------------------------ */
/* stdout                                                              */
/* ------------------------------------------------------------------ */

static void stdout_failed(struct watch *w, int err)
{
	w->done = w->out_gone = true;
	session_stop(w->s, stdout_lost(err) ? EXIT_OK : EXIT_ERR);
}

static void on_output_error(struct loop *l, int err, void *arg)
{
	struct watch *w = arg;

	(void)l;
	if (!w->out_gone)
		stdout_failed(w, err);
}

static void on_stdout(struct loop *l, struct loop_op *op, int res)
{
	struct watch *w = op->arg;

	(void)l;
	if (res >= 0 && stdout_broken())
		stdout_failed(w, EPIPE);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static void on_record(struct session *s, const struct record *r, void *arg)
{
	struct watch *w = arg;

	if (w->done)
		return;
	int ret = record_print(w->pr, r, w->a->st.ts);

	if (ret) {
		stdout_failed(w, -ret);
		return;
	}
	if (r->kind != RECORD_EVENT)
		return;
	w->events++;
	if (w->a->st.count && w->events >= w->a->st.count) {
		w->done = true;
		session_stop(s, EXIT_OK);
	}
}

static void on_timeout(struct loop *l, struct loop_op *op, int res)
{
	struct watch *w = op->arg;

	(void)l;
	if (res != -ETIME)
		return;
	w->timed_out = true;
	w->done = true;
	session_stop(w->s, w->events ? EXIT_OK : EXIT_TIMEOUT);
}

static void on_stats(struct loop *l, struct loop_op *op, int res)
{
	struct watch *w = op->arg;
	struct record r;
	uint64_t now = mono_ns();

	if (res != -ETIME || w->done)
		return;
	session_stats(w->s, &r);
	session_emit(w->s, &r);
	do
		w->next_stats += w->a->stats_ns;
	while (w->next_stats <= now);
	loop_timer_at(l, &w->stats_op, w->next_stats);
}

static void on_key(struct loop *l, const char *keys, int n, void *arg)
{
	struct watch *w = arg;
	char err[256];

	(void)l;
	(void)keys;
	(void)n;
	if (session_arm(w->s, 0, true, "key", err, sizeof(err)) < 0)
		p_info("Nothing re-armed: %s", err);
}

static int watch_setup(struct watch *w)
{
	struct loop *l = session_loop(w->s);
	int ret = 0;

	loop_op_init(l, &w->timeout_op, on_timeout, w);
	loop_op_init(l, &w->stats_op, on_stats, w);
	loop_op_init(l, &w->out_op, on_stdout, w);
	loop_set_output(l, w->pr->out, on_output_error, w);
	if (w->a->st.timeout_ns)
		ret = loop_timer_in(l, &w->timeout_op, w->a->st.timeout_ns);
	if (!ret && w->a->stats_ns) {
		w->next_stats = w->start + w->a->stats_ns;
		ret = loop_timer_at(l, &w->stats_op, w->next_stats);
	}
	/* a pipe's reader going away shows as POLLERR: end then, not at the next event */
	if (!ret && stdout_is_pipe())
		ret = loop_poll(l, &w->out_op, STDOUT_FILENO, 0);
	if (ret)
		return ret;
	ret = loop_keys(l, on_key, w);
	w->keys = ret > 0;
	return ret < 0 ? ret : 0;
}

int do_watch(struct printer *pr, int argc, char **argv)
{
	struct watch_args a = { .holdoff_ns = NSEC_PER_SEC, .st.ts = TS_ISO };
	struct session_hooks hooks = { .record = on_record };
	struct watch w = { .a = &a, .pr = pr };
	const struct zcrx_ifq_info *info;
	uint64_t fired[ZCRX_EV_COUNT];
	char names[64];
	bool usage;
	int ret;

	bind_opts_init(&a.b);
	a.b.need_events = true;
	ret = cmd_parse(&watch_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	/* records leave once per loop wake-up (loop_run), not once per line */
	setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
	ret = session_open(&w.s, &a.b, &usage);
	if (ret)
		return usage ? EXIT_USAGE : bind_open_status(&a.b, ret);
	session_set_rearm(w.s, a.rearm_auto, a.holdoff_ns);
	hooks.arg = &w;
	w.start = mono_ns();
	ret = session_start(w.s, &hooks);
	if (!ret && (ret = watch_setup(&w)))
		p_err("cannot start watching: %s", strerror(-ret));
	if (ret) {
		ret = EXIT_ERR;
		goto out;
	}

	info = session_info(w.s);
	zcrx_event_list_str(info->events, names, sizeof(names));
	p_info("Watching %s queue %u (zcrx_id %u): %s", a.b.dev, a.b.queue, info->zcrx_id, names);
	if (session_listen_addr(w.s))
		p_info("Receiving TCP connections on %s", session_listen_addr(w.s));
	if (w.keys)
		p_info("Press a key to re-arm the events that fired; Ctrl-C to stop");
	/* the status on_record(), on_timeout() or stdout_failed() stopped it with */
	ret = session_run(w.s);
	if (ret < 0)
		ret = EXIT_ERR;
	tty_restore();
	if (ret != EXIT_ERR && !w.out_gone) {
		struct record r = { 0 };

		for (int t = 0; t < ZCRX_EV_COUNT; t++)
			fired[t] = session_fired(w.s, t);
		session_stats(w.s, &r);
		stream_summary_recv(a.b.dev, a.b.queue, mono_ns() - w.start, w.events, fired,
				    r.recv_stalls, r.recv_overflows, w.timed_out, a.b.be.mode);
	}
out:
	session_close(w.s);
	return ret;
}
