// SPDX-License-Identifier: MIT
/*
 * zcrxctl status [DEV [QUEUE]]: the live sessions (bind, watch) in RUNDIR,
 * as each one reports itself over its socket.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "client.h"
#include "main.h"

struct status_args {
	const char	*dev;
	uint32_t	queue;
	int		nr_args;
};

/*
 * Every session is asked at once and all of them together get this long to
 * answer: a stopped or wedged session cannot hold status up (man page, status).
 */
#define STATUS_DEADLINE_MS	800	/* the whole command, start-up included, under 1 s */
#define STATUS_REPLY_MAX	(64 * 1024)

struct entry {
	char			dev[DEV_NAME_MAX];
	uint32_t		queue;
	struct proto_session	sess;
	bool			answered;	/* sess is valid; else it did not answer */
	int64_t			pid;		/* the listener's (SO_PEERCRED), -1 unknown */
	/* while asking */
	int			fd;
	bool			gone;		/* vanished: not listed */
	char			*refused;	/* why it was refused: listed, said, exit 1 */
	char			*req;
	size_t			req_len, req_off;
	char			*buf;
	size_t			len;
};

static char *do_help(int key, const char *text, void *input)
{
	char *doc;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return asprintf(&doc, "List the live sessions (bind, watch) in RUNDIR, or those of DEV, or "
		      "the one of DEV queue QUEUE: device, queue, zcrx_id, pid, program, uptime, events "
		      "and the state and count of each, shared stats, recv-stalls (receives "
		      "that ran out of buffers) and recv-overflows (receives a full completion "
		      "queue stopped; one fall-behind can count several times), both posted "
		      "again with nothing lost.  With -j, one JSON array "
		      "of session objects.  All are asked at once and have 800 ms in all to "
		      "answer; one that does not is listed with answered=no and its pid.  A "
		      "socket served by another user, or anything else at a socket's name, is "
		      "refused: listed with answered=no refused=yes, and why goes to stderr "
		      "(also under -q).  Exit 1 when a session did not answer or was refused, "
		      "or when DEV QUEUE is given and no session owns it.\n"
		      "\n"
		      "       DEV    := network device name %s\n"
		      "       QUEUE  := RX queue index\n"
		      "       RUNDIR := $ZCRXCTL_RUNDIR, /run/zcrxctl (root), "
		      "$XDG_RUNTIME_DIR/zcrxctl\n", backend_text(BT_DEV_A_NAME)) < 0 ? NULL : doc;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct status_args *a = state->input;

	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	dev_queue_arg(state, arg, &a->dev, &a->queue, &a->nr_args);
	return 0;
}

static const struct argp status_argp = {
	NULL, parse_opt, "[DEV [QUEUE]]", "", NULL, do_help, NULL
};

/* Milliseconds on the monotonic clock. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Connect to path without ever blocking: a session that is stopped still
 * completes a connect (the kernel queues it) until its backlog is full,
 * which answers -EAGAIN here instead of waiting.  The listener's pid comes
 * from SO_PEERCRED.  An fd, or -errno with the sentence in err.
 */
static int connect_nb(const char *path, int64_t *pid, char *err, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct stat st;
	int fd, pfd, e;

	*pid = -1;
	/* never through a symlink, and not into a file, directory or FIFO */
	e = client_sock_addr(path, &sa, &pfd, &st, err, len);
	if (e)
		return e;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		e = errno;
		if (pfd >= 0)
			close(pfd);
		snprintf(err, len, "cannot create a Unix socket: %s", strerror(e));
		return -e;
	}
	e = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS ? errno : 0;
	if (pfd >= 0)
		close(pfd);
	if (e) {
		close(fd);
		snprintf(err, len, "connecting to %s got %s", path, strerror(e));
		return -e;
	}
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) && cred.pid > 0)
		*pid = cred.pid;
	/* the one policy of every client: this uid or root listens */
	e = client_peer_check(fd, path, err, len);
	if (e) {
		close(fd);
		return e;
	}
	return fd;
}

/* Send what is left of e's request; false when the session cannot take it. */
static bool ask_send(struct entry *e)
{
	ssize_t w;

	while (e->req_off < e->req_len) {
		w = send(e->fd, e->req + e->req_off, e->req_len - e->req_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;	/* later, if it wakes up */
		if (w < 0)
			return false;	/* a refusal may still be there to read */
		e->req_off += w;
	}
	return true;
}

/*
 * e is listed as refused, with why (one sentence, its culprit named): an
 * error, so said even under -q, and status exits 1.
 */
static void __attribute__((format(printf, 2, 3))) refuse(struct entry *e, const char *fmt, ...)
{
	va_list ap;

	free(e->refused);
	va_start(ap, fmt);
	if (vasprintf(&e->refused, fmt, ap) < 0)
		e->refused = NULL;
	va_end(ap);
	if (!e->refused)
		e->refused = strdup("refused");
}

/*
 * Read what e has sent; true once e is settled (answered, refused or gone).
 * A reply that is not protocol v1 is refused; a session's own refusal of
 * our uid, or our running out of memory, skips it through p_info.
 */
static bool ask_recv(struct entry *e)
{
	struct proto_reply rp;
	char *p, *nl;
	ssize_t n;

	for (;;) {
		if (e->len + 4096 + 1 > STATUS_REPLY_MAX) {
			p_info("Skipping %s queue %u: its answer is longer than %d bytes", e->dev,
			       e->queue, STATUS_REPLY_MAX);
			e->gone = true;
			return true;
		}
		p = realloc(e->buf, e->len + 4096 + 1);
		if (!p) {
			p_info("Skipping %s queue %u: out of memory", e->dev, e->queue);
			e->gone = true;
			return true;
		}
		e->buf = p;
		n = recv(e->fd, e->buf + e->len, 4096, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (n <= 0) {
			/* closed without a whole answer: it ended meanwhile */
			e->gone = true;
			return true;
		}
		e->len += n;
		e->buf[e->len] = '\0';
		nl = memchr(e->buf, '\n', e->len);
		if (!nl)
			continue;
		*nl = '\0';
		if (proto_reply_decode(e->buf, nl - e->buf, PROTO_BODY_SESSION, &rp)) {
			refuse(e, "%s queue %u: the session answered something that is not "
			       "protocol v1", e->dev, e->queue);
		} else if (!rp.ok) {
			/*
			 * The session refused us (a root session asked by another
			 * uid): it is trusted, just not ours to use, so skipped.
			 */
			p_info("Skipping %s queue %u: the session refused: %s", e->dev, e->queue,
			       rp.error);
			e->gone = true;
		} else {
			e->sess = rp.session;
			e->answered = true;
		}
		return true;
	}
}

/*
 * Ask every entry at once (their fds connected) and wait for all of them
 * together, STATUS_DEADLINE_MS at most; the ones still silent then are
 * left with answered false.
 */
static void ask_all(struct entry *list, size_t n)
{
	struct proto_request rq = { .cmd = PROTO_STATUS };
	struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));
	int64_t end = now_ms() + STATUS_DEADLINE_MS, left;
	size_t np, i;

	for (i = 0; i < n; i++) {
		if (list[i].fd < 0)
			continue;	/* refused, or its backlog was full: not answering */
		list[i].req = proto_request_encode(&rq, &list[i].req_len);
		if (!list[i].req) {
			p_info("Skipping %s queue %u: out of memory", list[i].dev, list[i].queue);
			list[i].gone = true;
		} else if (!ask_send(&list[i]) && !ask_recv(&list[i])) {
			/* a session that refuses answers, then closes: that was read */
			list[i].gone = true;
		}
	}
	while (pfd && idx) {
		np = 0;
		for (i = 0; i < n; i++) {
			if (list[i].answered || list[i].gone || list[i].refused || list[i].fd < 0)
				continue;
			pfd[np].fd = list[i].fd;
			pfd[np].events = POLLIN |
				(list[i].req_off < list[i].req_len ? POLLOUT : 0);
			pfd[np].revents = 0;
			idx[np++] = i;
		}
		left = end - now_ms();
		if (!np || left <= 0)
			break;
		if (poll(pfd, np, (int)left) < 0 && errno != EINTR)
			break;
		for (i = 0; i < np; i++) {
			struct entry *e = &list[idx[i]];

			if (pfd[i].revents & POLLOUT)
				ask_send(e);
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				ask_recv(e);
		}
	}
	free(pfd);
	free(idx);
}

/* "DEV.QUEUE.sock" */
static bool sock_name_parse(const char *name, char *dev, uint32_t *queue)
{
	const char *sfx = strrchr(name, '.'), *dot;
	char num[16];
	size_t n;

	if (!sfx || strcmp(sfx, ".sock"))
		return false;
	for (dot = sfx - 1; dot > name && *dot != '.'; dot--)
		;
	if (dot <= name || (size_t)(sfx - dot - 1) >= sizeof(num))
		return false;
	memcpy(num, dot + 1, sfx - dot - 1);
	num[sfx - dot - 1] = '\0';
	n = dot - name;
	if (n >= DEV_NAME_MAX || parse_u32(num, queue))
		return false;
	memcpy(dev, name, n);
	dev[n] = '\0';
	return dev_name_ok(dev);
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = strcmp(a->dev, b->dev);

	return c ? c : (a->queue > b->queue) - (a->queue < b->queue);
}

static void print_text_entry(struct printer *pr, const struct proto_session *s)
{
	char names[64];

	print_text(pr, "session dev=%s queue=%u zcrx-id=%u pid=%llu", s->dev, s->queue, s->zcrx_id,
		   (unsigned long long)s->pid);
	if (s->has_prog)
		print_text(pr, " prog=%s", s->prog);
	print_text(pr, " uptime-s=%llu events=%s", (unsigned long long)s->uptime_s,
		   zcrx_event_list_str(s->events, names, sizeof(names)));
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (s->events & ZCRX_EV_MASK(t))
			print_text(pr, " %s=%s:%llu", zcrx_event_name(t),
				   s->fired & ZCRX_EV_MASK(t) ? "fired" : "armed",
				   (unsigned long long)s->count[t]);
	if (s->has_stats)
		print_text(pr, " copy-count=%llu copy-bytes=%llu",
			   (unsigned long long)s->copy_count, (unsigned long long)s->copy_bytes);
	else
		print_text(pr, " copy-count=n/a copy-bytes=n/a");
	print_text(pr, " recv-stalls=%llu", (unsigned long long)s->recv_stalls);
	if (s->has_overflows)
		print_text(pr, " recv-overflows=%llu", (unsigned long long)s->recv_overflows);
	else
		print_text(pr, " recv-overflows=n/a");
	backend_mode_print(pr, s->mode);
	print_nl(pr);
}

static int collect(const struct status_args *a, const char *rundir, struct entry **out,
		   size_t *nr, char *refused, size_t refused_len)
{
	char path[PATH_MAX], err[PATH_MAX + 512];
	struct entry *list = NULL, *p;
	struct dirent *de;
	size_t n = 0, i, kept;
	DIR *d;

	d = opendir(rundir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		p_err("cannot read the runtime directory %s: %s", rundir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct entry e = { .fd = -1, .pid = -1 };

		if (!sock_name_parse(de->d_name, e.dev, &e.queue))
			continue;
		if (a->dev && strcmp(a->dev, e.dev))
			continue;
		if (a->nr_args == 2 && a->queue != e.queue)
			continue;
		if (session_sock_name(path, sizeof(path), rundir, e.dev, e.queue))
			continue;
		/*
		 * A file, directory, FIFO or symlink under a socket's name is no
		 * session, and unlike a dead one's socket no bind replaces it;
		 * nor is a listener of another user one of ours.  Either is
		 * listed as refused, and said (connect_nb's sentence names it).
		 */
		e.fd = connect_nb(path, &e.pid, err, sizeof(err));
		if (e.fd == -ECONNREFUSED || e.fd == -ENOENT)
			continue;	/* left by a session that died, or gone meanwhile */
		if (e.fd < 0 && e.fd != -EAGAIN) {
			/*
			 * One named session: the caller says why, in one error line,
			 * and an untrusted listener in the words it was refused with
			 * (it may be gone by a second connect, as a fake one of one
			 * connection is).
			 */
			if (a->nr_args == 2) {
				if (e.fd == -EPERM)
					snprintf(refused, refused_len, "%s", err);
				continue;
			}
			refuse(&e, "%s", err);
			e.fd = -1;
		}
		/* -EAGAIN: its backlog is full; it is listed as not answering */
		p = realloc(list, (n + 1) * sizeof(*list));
		if (!p) {
			if (e.fd >= 0)
				close(e.fd);
			break;
		}
		list = p;
		list[n++] = e;
	}
	closedir(d);
	ask_all(list, n);
	for (i = kept = 0; i < n; i++) {
		if (list[i].fd >= 0)
			close(list[i].fd);
		free(list[i].req);
		free(list[i].buf);
		list[i].req = list[i].buf = NULL;
		if (!list[i].gone)
			list[kept++] = list[i];
		else
			free(list[i].refused);
	}
	n = kept;
	if (n)
		qsort(list, n, sizeof(*list), entry_cmp);
	*out = list;
	*nr = n;
	return 0;
}

static void print_silent_entry(struct printer *pr, const struct entry *e)
{
	if (print_is_json(pr)) {
		open_json_object(pr, "session");
		print_string(pr, PRINT_JSON, "dev", NULL, e->dev);
		print_uint(pr, PRINT_JSON, "queue", NULL, e->queue);
		if (e->pid >= 0)
			print_uint(pr, PRINT_JSON, "pid", NULL, e->pid);
		else
			print_null(pr, PRINT_JSON, "pid", NULL);
		print_bool(pr, PRINT_JSON, "answered", NULL, false);
		if (e->refused)
			print_string(pr, PRINT_JSON, "refused", NULL, e->refused);
		close_json_object(pr);
		return;
	}
	print_text(pr, "session dev=%s queue=%u", e->dev, e->queue);
	if (e->pid >= 0)
		print_text(pr, " pid=%lld", (long long)e->pid);
	else
		print_text(pr, " pid=unknown");
	print_text(pr, " answered=no");
	if (e->refused)
		print_text(pr, " refused=yes");	/* why: on stderr */
	print_nl(pr);
}

int do_status(struct printer *pr, int argc, char **argv)
{
	struct status_args a = { 0 };
	char rundir[PATH_MAX], err[PATH_MAX + 512];
	struct entry *list = NULL;
	size_t nr = 0, silent = 0, refused = 0;
	int ret, fd;

	ret = cmd_parse(&status_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	if (rundir_get(rundir, sizeof(rundir), err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_ERR;
	}
	err[0] = '\0';
	if (collect(&a, rundir, &list, &nr, err, sizeof(err)))
		return EXIT_ERR;
	if (!nr && a.nr_args == 2 && err[0]) {
		p_err("%s", err);	/* refused the listener it found */
		return EXIT_ERR;
	}
	if (!nr && a.nr_args == 2) {
		/* no session answered for it: say why as arm would */
		fd = client_connect(a.dev, a.queue, err, sizeof(err));
		if (fd >= 0) {
			close(fd);
			snprintf(err, sizeof(err), "the session of %s queue %u ended meanwhile",
				 a.dev, a.queue);
		}
		p_err("%s", err);
		return EXIT_ERR;
	}
	if (!nr)
		p_info("No live sessions%s%s in %s", a.dev ? " on " : "", a.dev ?: "", rundir);

	open_json_array(pr, NULL);
	for (size_t i = 0; i < nr; i++) {
		if (list[i].refused) {
			refused++;
			print_silent_entry(pr, &list[i]);
		} else if (!list[i].answered) {
			silent++;
			print_silent_entry(pr, &list[i]);
		} else if (print_is_json(pr)) {
			proto_session_print(pr, &list[i].sess);
		} else {
			print_text_entry(pr, &list[i].sess);
		}
	}
	close_json_array(pr);
	print_end(pr);
	/*
	 * Each refusal its own line, an error (so also under -q): it names its
	 * culprit and fix.  With -j the array says it ("refused"), as below.
	 */
	for (size_t i = 0; i < nr && !print_is_json(pr); i++)
		if (list[i].refused)
			p_err("%s", list[i].refused);
	/*
	 * With -j the array says it (answered false) and stays the one
	 * document; in text, one line on stderr names them all.
	 */
	if (silent && !print_is_json(pr)) {
		char names[1024];
		size_t off = 0;

		names[0] = '\0';
		for (size_t i = 0; i < nr && off < sizeof(names); i++) {
			if (list[i].answered || list[i].refused)
				continue;
			if (list[i].pid >= 0)
				off += snprintf(names + off, sizeof(names) - off, "%s%s queue %u (pid %lld)",
						off ? ", " : "", list[i].dev, list[i].queue,
						(long long)list[i].pid);
			else
				off += snprintf(names + off, sizeof(names) - off,
						"%s%s queue %u (pid unknown, its backlog full)",
						off ? ", " : "", list[i].dev, list[i].queue);
		}
		p_err("%zu session%s did not answer within %d ms: %s; " CLIENT_STUCK_HINT, silent,
		      silent == 1 ? "" : "s", STATUS_DEADLINE_MS, names);
	}
	for (size_t i = 0; i < nr; i++)
		free(list[i].refused);
	free(list);
	return silent || refused ? EXIT_ERR : EXIT_OK;
}
