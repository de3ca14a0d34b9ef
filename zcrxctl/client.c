// SPDX-License-Identifier: MIT
/*
 * The client side of a session socket: connecting to the one of DEV.QUEUE,
 * and one request answered by one reply, for arm, status and subscribe.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "client.h"
#include "rundir.h"

#define LINE_MAX_READ		(1 << 20)

/* ------------------------------------------------------------------ */
/* Connecting, and one request                                        */
/* ------------------------------------------------------------------ */

/*
 * Who listens: the same uid, or root.  Anyone else answering here put a
 * socket where a session's belongs, to read our requests or feed us replies.
 */
int client_peer_check(int fd, const char *path, char *err, size_t len)
{
	struct ucred cr;
	socklen_t n = sizeof(cr);
	char who[128], dir[PATH_MAX], *slash;
	bool private_dir;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &n)) {
		int e = errno;

		snprintf(err, len, "cannot tell who listens on %s: %s", path, strerror(e));
		return -e;
	}
	if (cr.uid == geteuid() || cr.uid == 0)
		return 0;
	rundir_owner(who, sizeof(who), cr.uid);
	/*
	 * In a RUNDIR only we and root may write to, another directory is no
	 * fix: the socket got there some other way (made before a chmod, or by
	 * root), and removing it is all there is to do.
	 */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
	private_dir = !zcrx_server_rundir_check(dir, NULL);
	snprintf(err, len, "refusing %s: it is not yours (uid %u) or root's: remove it (pid %d of"
		 " %s serves it)%s", path, (unsigned int)geteuid(), (int)cr.pid, who,
		 private_dir ? "" : " and set ZCRXCTL_RUNDIR to a private directory");
	return -EPERM;
}

int client_sock_addr(const char *path, struct sockaddr_un *sa, int *pfd, struct stat *st,
		     char *err, size_t len)
{
	int fd;

	*pfd = -1;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		snprintf(err, len, "%s is too long for a Unix socket name", path);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st)) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		snprintf(err, len, "connecting to %s got %s", path, strerror(e));
		return -e;
	}
	if (!S_ISSOCK(st->st_mode)) {
		close(fd);
		snprintf(err, len, "%s is %s, not a session socket: remove it with `%s`", path,
			 zcrx_server_file_kind(st->st_mode), S_ISDIR(st->st_mode) ? "rm -r" : "rm");
		return -ENOTSOCK;
	}
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d", fd);
	if (!access(sa->sun_path, F_OK)) {
		*pfd = fd;
		return 0;
	}
	close(fd);
	strcpy(sa->sun_path, path);
	return 0;
}

int client_connect_path(const char *path, char *err, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, pfd, ret;

	ret = client_sock_addr(path, &sa, &pfd, &st, err, len);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;

		if (pfd >= 0)
			close(pfd);
		snprintf(err, len, "cannot create a Unix socket: %s", strerror(e));
		return -e;
	}
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	if (pfd >= 0)
		close(pfd);
	if (ret) {
		close(fd);
		if (ret == -EACCES) {
			char who[128];

			rundir_owner(who, sizeof(who), st.st_uid);
			snprintf(err, len, "%s belongs to %s, not to you (uid %u): run as that"
				 " user or root", path, who, (unsigned int)geteuid());
		} else {
			snprintf(err, len, "connecting to %s got %s", path, strerror(-ret));
		}
		return ret;
	}
	ret = client_peer_check(fd, path, err, len);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int client_connect(const char *dev, uint32_t queue, char *err, size_t len)
{
	char rundir[PATH_MAX], path[PATH_MAX], why[512];
	int fd, ret;

	ret = rundir_get(rundir, sizeof(rundir), err, len);
	if (ret)
		return ret;
	if (session_sock_name(path, sizeof(path), rundir, dev, queue)) {
		snprintf(err, len, "no session owns %s queue %u: its socket name would be too long",
			 dev, queue);
		return -ENAMETOOLONG;
	}
	fd = client_connect_path(path, why, sizeof(why));
	switch (-fd) {
	case ENOENT:
		snprintf(err, len, "no session owns %s queue %u (no %s): start one with `zcrxctl"
			 " bind %s %u` or `zcrxctl watch %s %u`", dev, queue, path, dev, queue,
			 dev, queue);
		break;
	case ENOTSOCK:
		/* a file, directory, FIFO or symlink: no bind replaces it */
		snprintf(err, len, "no session owns %s queue %u: %s", dev, queue, why);
		break;
	case ECONNREFUSED:
		/* a socket nobody listens on: the only case a dead session leaves */
		snprintf(err, len, "no session owns %s queue %u: %s was left by a session that"
			 " died (the next bind replaces it)", dev, queue, path);
		break;
	case EACCES:
		snprintf(err, len, "cannot reach the session of %s queue %u: %s", dev, queue,
			 why);
		break;
	case EPERM:
		snprintf(err, len, "%s", why);	/* a listener we do not trust */
		break;
	default:
		if (fd < 0)
			snprintf(err, len, "cannot reach the session of %s queue %u: %s", dev,
				 queue, why);
	}
	return fd;
}

/* "did not answer within T (pid N): stopped or stuck (...)" */
static void no_answer(int fd, int timeout_ms, char *err, size_t len)
{
	struct ucred cr;
	socklen_t n = sizeof(cr);
	char pid[32] = "pid unknown";

	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &n) && cr.pid > 0)
		snprintf(pid, sizeof(pid), "pid %d", (int)cr.pid);
	if (timeout_ms % 1000)
		snprintf(err, len, "the session did not answer within %d ms (%s): "
			 CLIENT_STUCK_HINT, timeout_ms, pid);
	else
		snprintf(err, len, "the session did not answer within %d s (%s): "
			 CLIENT_STUCK_HINT, timeout_ms / 1000, pid);
}

/*
 * Read one line without taking a byte past its newline (records may follow):
 * *out is malloc'd and NUL-terminated, *outlen its length without the newline
 * (a NUL inside is the session's, and the decoder sees it).
 */
static int read_line(int fd, int timeout_ms, char **out, size_t *outlen, char *err,
		     size_t errlen)
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
				no_answer(fd, timeout_ms, err, errlen);
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
			*outlen = len - 1;
			return 0;
		}
	}
}

/* Send one request line and read one reply line (NUL-terminated, malloc'd). */
static int request(int fd, const char *req, size_t n, int timeout_ms, char **reply,
		   size_t *rlen, char *err, size_t len)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = timeout_ms % 1000 * 1000 };
	size_t off = 0;
	ssize_t w;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* the request with its newline */
	while (off < n) {
		w = send(fd, req + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EPIPE;

			/* a session that refuses us answers, then closes: read that */
			if (e == EPIPE || e == ECONNRESET)
				break;
			snprintf(err, len, "sending the request failed: %s", strerror(e));
			return -e;
		}
		off += w;
	}
	return read_line(fd, timeout_ms, reply, rlen, err, len);
}

int client_call(int fd, const struct proto_request *rq, enum proto_reply_body body,
		struct proto_reply *rp, char *err, size_t len)
{
	return client_call_ms(fd, rq, body, rp, CLIENT_TIMEOUT_MS, err, len);
}

int client_call_ms(int fd, const struct proto_request *rq, enum proto_reply_body body,
		   struct proto_reply *rp, int timeout_ms, char *err, size_t len)
{
	char *req, *line = NULL;
	size_t n, linelen = 0;
	int ret;

	req = proto_request_encode(rq, &n);
	if (!req) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	ret = request(fd, req, n, timeout_ms, &line, &linelen, err, len);
	free(req);
	if (ret)
		return ret;
	/* the whole line: a NUL in it is no end of it (status reads it the same way) */
	ret = proto_reply_decode(line, linelen, body, rp);
	if (ret)
		snprintf(err, len, "the session answered something that is not protocol v1: %.80s",
			 line);
	free(line);
	return ret;
}
