// SPDX-License-Identifier: MIT
/*
 * Every live session in RUNDIR, asked for its status at once (status,
 * metrics): the same trust checks as every client, and one deadline for
 * them all, so that a stopped or wedged session is reported, never waited on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ask.h"
#include "client.h"
#include "main.h"

#define ASK_REPLY_MAX	(64 * 1024)

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
static bool ask_send(struct sess_entry *e)
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
static void __attribute__((format(printf, 2, 3))) refuse(struct sess_entry *e, const char *fmt, ...)
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
static bool ask_recv(struct sess_entry *e)
{
	struct proto_reply rp;
	char *p, *nl;
	ssize_t n;

	for (;;) {
		if (e->len + 4096 + 1 > ASK_REPLY_MAX) {
			p_info("Skipping %s queue %u: its answer is longer than %d bytes", e->dev,
			       e->queue, ASK_REPLY_MAX);
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
 * together, ASK_DEADLINE_MS at most; the ones still silent then are
 * left with answered false.
 */
static void ask_all(struct sess_entry *list, size_t n)
{
	struct proto_request rq = { .cmd = PROTO_STATUS };
	struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));
	int64_t end = now_ms() + ASK_DEADLINE_MS, left;
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
			struct sess_entry *e = &list[idx[i]];

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
	const struct sess_entry *a = pa, *b = pb;
	int c = strcmp(a->dev, b->dev);

	return c ? c : (a->queue > b->queue) - (a->queue < b->queue);
}

int ask_sessions(const char *rundir, const char *dev, bool has_queue, uint32_t queue,
		 struct sess_entry **out, size_t *nr, char *refused, size_t refused_len)
{
	char path[PATH_MAX], err[PATH_MAX + 512];
	struct sess_entry *list = NULL, *p;
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
		struct sess_entry e = { .fd = -1, .pid = -1 };

		if (!sock_name_parse(de->d_name, e.dev, &e.queue))
			continue;
		if (dev && strcmp(dev, e.dev))
			continue;
		if (has_queue && queue != e.queue)
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
			if (has_queue) {
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

void ask_sessions_free(struct sess_entry *list, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(list[i].refused);
	free(list);
}

void ask_silent_names(const struct sess_entry *list, size_t nr, char *names, size_t len)
{
	size_t off = 0;

	names[0] = '\0';
	for (size_t i = 0; i < nr && off < len; i++) {
		if (list[i].answered || list[i].refused)
			continue;
		if (list[i].pid >= 0)
			off += snprintf(names + off, len - off, "%s%s queue %u (pid %lld)",
					off ? ", " : "", list[i].dev, list[i].queue,
					(long long)list[i].pid);
		else
			off += snprintf(names + off, len - off,
					"%s%s queue %u (pid unknown, its backlog full)",
					off ? ", " : "", list[i].dev, list[i].queue);
	}
}
