// SPDX-License-Identifier: MIT
/*
 * zcrxctl subscribe DEV QUEUE [-c N] [-t DUR] [--timestamp=iso|mono|none]:
 * attach to a running session and print its records exactly as watch does.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>

#include "client.h"
#include "main.h"
#include "loop.h"
#include "stream.h"

#define SUB_LINE_MAX	(1 << 20)

struct sub_args {
	const char	*dev;
	uint32_t	queue;
	int		nr_args;
	struct stream_opts	st;
};

struct sub {
	const struct sub_args	*a;
	struct printer		*pr;
	struct loop		*l;
	int			fd;
	char			*buf;
	size_t			len;
	size_t			cap;
	uint64_t		events;
	uint64_t		fired[ZCRX_EV_COUNT];
	uint64_t		start;
	bool			done;
	bool			timed_out;
	bool			ended;		/* the session went away */
	bool			out_gone;
	bool			told_junk;
	struct loop_op		rd;
	struct loop_op		timeout_op;
	struct loop_op		out_op;
};

static char *do_help(int key, const char *text, void *input)
{
	char *doc;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return asprintf(&doc, "Attach to the session that owns DEV queue QUEUE (started by bind or "
		      "watch) and print its records exactly as watch prints them.  A subscriber "
		      "that cannot keep up is sent a \"lost\" record and never stalls the "
		      "session.  Exit 0 after -c N events, on SIGINT/SIGTERM, or when the "
		      "session ends after at least one event (and before -c N was asked); 2 "
		      "when -t ran out with no event; 1 when no session owns the queue or the "
		      "session ended before any event or before the -c N-th.\n"
		      "\n"
		      "       DEV   := network device name %s\n"
		      "       QUEUE := RX queue index\n"
		      "       DUR   := a number with ns, us, ms, s, m or h: 500ms, 1s, 2m\n",
		      backend_text(BT_DEV_NAME)) < 0 ? NULL : doc;
}

static const struct argp_option options[] = {
	STREAM_ARGP_OPTIONS,
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct sub_args *a = state->input;

	switch (key) {
	case 'c':
	case 't':
	case OPT_TIMESTAMP:
		return stream_opt_parse(key, arg, state, &a->st);
	case ARGP_KEY_ARG:
		dev_queue_arg(state, arg, &a->dev, &a->queue, &a->nr_args);
		break;
	case ARGP_KEY_END:
		dev_queue_end(state, a->nr_args, a->dev, NULL);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp sub_argp = {
	options, parse_opt, "DEV QUEUE", "", NULL, do_help, NULL
};

static void out_failed(struct loop *l, int err, void *arg)
{
	struct sub *s = arg;

	if (s->out_gone)
		return;
	s->out_gone = s->done = true;
	loop_stop(l, stdout_lost(err) ? EXIT_OK : EXIT_ERR);
}

static void on_line(struct sub *s, const char *line, size_t len)
{
	struct record r;
	int ret = proto_record_decode(line, len, &r);

	if (ret) {
		if (ret == -EINVAL && !s->told_junk) {
			s->told_junk = true;
			p_info("Ignoring a line from the session that is not a record: %.80s", line);
		}
		return;
	}
	ret = record_print(s->pr, &r, s->a->st.ts);
	if (ret) {
		out_failed(s->l, -ret, s);
		return;
	}
	if (r.kind != RECORD_EVENT)
		return;
	s->fired[r.event]++;
	if (++s->events == s->a->st.count) {
		s->done = true;
		loop_stop(s->l, EXIT_OK);
	}
}

static void on_readable(struct loop *l, struct loop_op *op, int res)
{
	struct sub *s = op->arg;
	char *nl, *p, *line, *from, *end;
	ssize_t n;

	if (res < 0)
		return;
	for (;;) {
		if (s->cap - s->len < 4096) {
			if (s->cap >= SUB_LINE_MAX) {
				p_err("the session sent a line longer than %d bytes", SUB_LINE_MAX);
				loop_stop(l, EXIT_ERR);
				return;
			}
			p = realloc(s->buf, s->cap ? s->cap * 2 : 16384);
			if (!p) {
				p_err("out of memory");
				loop_stop(l, EXIT_ERR);
				return;
			}
			s->buf = p;
			s->cap = s->cap ? s->cap * 2 : 16384;
		}
		n = recv(s->fd, s->buf + s->len, s->cap - s->len, MSG_DONTWAIT);
		if (n > 0) {
			/* every whole line, then what is left of the last one moves once */
			line = s->buf;
			from = s->buf + s->len;
			s->len += n;
			end = s->buf + s->len;
			while (!s->done && (nl = memchr(from, '\n', end - from))) {
				*nl = '\0';
				on_line(s, line, nl - line);
				line = from = nl + 1;
			}
			if (s->done)
				return;
			s->len = end - line;
			if (line != s->buf)
				memmove(s->buf, line, s->len);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* EOF or a reset: the session is gone */
		s->ended = true;
		s->done = true;
		loop_stop(l, EXIT_OK);
		return;
	}
	loop_poll(l, &s->rd, s->fd, POLLIN);
}

static void on_timeout(struct loop *l, struct loop_op *op, int res)
{
	struct sub *s = op->arg;

	if (res != -ETIME)
		return;
	s->timed_out = s->done = true;
	loop_stop(l, s->events ? EXIT_OK : EXIT_TIMEOUT);
}

static void on_stdout(struct loop *l, struct loop_op *op, int res)
{
	if (res >= 0 && stdout_broken())
		out_failed(l, EPIPE, op->arg);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	loop_stop(l, EXIT_OK);
}

/*
 * One request answered ok by end_ns (mono_ns()): 0, or -1 after p_err().
 * The handshake waits CLIENT_TIMEOUT_MS in all, or -t if that is shorter.
 */
static int ask(int fd, enum proto_cmd cmd, enum proto_reply_body body, struct proto_reply *rp,
	       const struct sub_args *a, uint64_t end_ns)
{
	struct proto_request rq = { .cmd = cmd };
	uint64_t now = mono_ns();
	int ms = now < end_ns ? (int)((end_ns - now + 999999) / 1000000) : 1;
	char err[1024];

	if (client_call_ms(fd, &rq, body, rp, ms, err, sizeof(err))) {
		p_err("%s queue %u: %s", a->dev, a->queue, err);
		return -1;
	}
	if (!rp->ok) {
		p_err("%s queue %u: the session refused: %s", a->dev, a->queue, rp->error);
		return -1;
	}
	return 0;
}

int do_subscribe(struct printer *pr, int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, 0 };
	struct sub_args a = { .st.ts = TS_ISO };
	struct sub s = { .a = &a, .pr = pr, .fd = -1 };
	struct proto_reply st, ok;
	struct io_uring ring;
	bool have_ring = false;
	char names[64], err[512];
	uint64_t hs_end;
	int ret, hs_ms;

	ret = cmd_parse(&sub_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	/* records leave once per loop wake-up (loop_run), not once per line */
	setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
	signal(SIGPIPE, SIG_IGN);
	s.fd = client_connect(a.dev, a.queue, err, sizeof(err));
	if (s.fd < 0) {
		p_err("%s", err);
		return EXIT_ERR;
	}
	ret = EXIT_ERR;
	hs_ms = CLIENT_TIMEOUT_MS;
	if (a.st.timeout_ns && a.st.timeout_ns < (uint64_t)hs_ms * 1000000)
		hs_ms = (int)((a.st.timeout_ns + 999999) / 1000000);
	hs_end = mono_ns() + (uint64_t)hs_ms * 1000000;
	if (ask(s.fd, PROTO_STATUS, PROTO_BODY_SESSION, &st, &a, hs_end) ||
	    ask(s.fd, PROTO_SUBSCRIBE, PROTO_BODY_NONE, &ok, &a, hs_end))
		goto out;

	ret = io_uring_queue_init(16, &ring, 0);
	if (ret) {
		p_err("cannot set up an io_uring to wait on: %s", strerror(-ret));
		ret = EXIT_ERR;
		goto out;
	}
	have_ring = true;
	fcntl(s.fd, F_SETFL, fcntl(s.fd, F_GETFL) | O_NONBLOCK);
	ret = loop_create(&s.l, &ring);
	if (!ret)
		loop_set_output(s.l, pr->out, out_failed, &s);
	if (!ret)
		ret = loop_signals(s.l, sigs, on_signal, &s);
	if (!ret)
		ret = loop_op_init(s.l, &s.rd, on_readable, &s);
	if (!ret)
		ret = loop_poll(s.l, &s.rd, s.fd, POLLIN);
	if (!ret && a.st.timeout_ns && !(ret = loop_op_init(s.l, &s.timeout_op, on_timeout, &s)))
		ret = loop_timer_in(s.l, &s.timeout_op, a.st.timeout_ns);
	if (!ret && stdout_is_pipe() &&
	    !(ret = loop_op_init(s.l, &s.out_op, on_stdout, &s)))
		ret = loop_poll(s.l, &s.out_op, STDOUT_FILENO, 0);
	if (ret) {
		p_err("cannot start the subscription: %s", strerror(-ret));
		ret = EXIT_ERR;
		goto out;
	}
	p_info("Watching %s queue %u (zcrx_id %u): %s", a.dev, a.queue, st.session.zcrx_id,
	       zcrx_event_list_str(st.session.events, names, sizeof(names)));
	s.start = mono_ns();
	ret = loop_run(s.l);
	if (ret < 0) {
		p_err("waiting for completions on the io_uring failed: %s", strerror(-ret));
		ret = EXIT_ERR;
	}
	if (s.ended && a.st.count && s.events < a.st.count) {
		p_err("the session on %s queue %u ended after %llu of %llu events", a.dev, a.queue,
		      (unsigned long long)s.events, (unsigned long long)a.st.count);
		ret = EXIT_ERR;
	} else if (s.ended && !s.events) {
		/* not 0: a script would take it for an event */
		/* in the mode its status reply gave: a NIC's bind fails for a --sim name */
		p_err("the session on %s queue %u ended before any event (start it again with"
		      " `zcrxctl bind %s%s %u`)", a.dev, a.queue,
		      st.session.mode == BACKEND_SIM ? "--sim " :
		      st.session.mode == BACKEND_NODEV ? "--nodev " : "", a.dev, a.queue);
		ret = EXIT_ERR;
	} else if (s.ended) {
		p_info("The session on %s queue %u ended", a.dev, a.queue);
	}
	if (ret != EXIT_ERR && !s.out_gone)
		stream_summary(a.dev, a.queue, mono_ns() - s.start, s.events, s.fired, s.timed_out,
			       st.session.mode);
out:
	loop_destroy(s.l);
	if (have_ring)
		io_uring_queue_exit(&ring);
	if (s.fd >= 0)
		close(s.fd);
	free(s.buf);
	return ret;
}
