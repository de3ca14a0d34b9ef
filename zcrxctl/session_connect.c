// SPDX-License-Identifier: MIT
/*
 * Finding and reaching a session: RUNDIR, the socket name of DEV.QUEUE,
 * connecting to it, and one request answered by one line, for arm, status
 * and subscribe.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "main.h"
#include "session.h"

#define LINE_MAX_READ		(1 << 20)

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

	if (env && *env) {
		/* relative, it would name another directory in every other cwd */
		if (env[0] != '/') {
			snprintf(err, errlen, "ZCRXCTL_RUNDIR must be an absolute path, not '%s'",
				 env);
			return -EINVAL;
		}
		w = snprintf(buf, len, "%s", env);
	} else if (geteuid() == 0)
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

/* ------------------------------------------------------------------ */
/* Connecting, and one request                                        */
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
