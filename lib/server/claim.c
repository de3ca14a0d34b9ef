// SPDX-License-Identifier: MIT
/*
 * Claiming RUNDIR/DEV.QUEUE.sock: the directory made and checked, a live
 * holder refused in words, a dead one's socket replaced, ours bound and
 * listening, born private.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "server_int.h"

/*
 * RUNDIR itself, and nothing above it: a typo in ZCRXCTL_RUNDIR must not
 * grow a tree.
 */
static int make_rundir(const char *dir, struct zcrx_diag *d)
{
	char parent[PATH_MAX], *slash;
	int e;

	if (!mkdir(dir, 0700) || errno == EEXIST)
		return 0;
	e = errno;
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash)
		*(slash == parent ? slash + 1 : slash) = '\0';
	if (e == ENOENT)
		return srv_fail(d, ZCRX_STAGE_SOCKET, -e, "cannot create the runtime directory %s:"
				" its parent %s does not exist (only the last component is"
				" created): create it or set ZCRXCTL_RUNDIR to a directory under an"
				" existing one", dir, parent);
	return srv_fail(d, ZCRX_STAGE_SOCKET, -e, "cannot create the runtime directory %s: %s:"
			" set ZCRXCTL_RUNDIR to a directory you can write", dir, strerror(e));
}

/* Is a live server behind path?  0 with its pid and uid, or connect's -errno. */
static int probe_holder(const char *path, pid_t *pid, uid_t *uid)
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
		*pid = cr.pid, *uid = cr.uid;
	close(fd);
	return ret;
}

/*
 * Is pid a live process?  A server killed with -9 leaves its listening
 * socket accepting for a few milliseconds while the kernel tears its ring
 * down, so connect() alone would name a dead holder.  Zombies count as dead.
 */
static bool pid_alive(pid_t pid)
{
	char path[32], buf[256], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? false : !(kill(pid, 0) && errno == ESRCH);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' */
	paren = strrchr(buf, ')');
	return !paren || (paren[1] && paren[2] != 'Z' && paren[2] != 'X');
}

/* What is at srv->path already: 0 when it is free or stale (*stale), else refused in d. */
static int check_holder(struct zcrx_server *srv, bool *stale, struct zcrx_diag *d)
{
	uid_t uid = geteuid();
	pid_t pid = 0;
	struct stat st;
	char who[128];
	int ret;

	if (lstat(srv->path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return srv_fail(d, ZCRX_STAGE_SOCKET, -EEXIST, "%s is %s, not a session socket:"
				" remove it with `%s`", srv->path, zcrx_server_file_kind(st.st_mode),
				S_ISDIR(st.st_mode) ? "rm -r" : "rm");
	ret = probe_holder(srv->path, &pid, &uid);
	if (!ret && pid && !pid_alive(pid))
		ret = -ECONNREFUSED;	/* its holder is gone: stale */
	if (!ret) {
		/*
		 * Another user's: only that user or root may stop it, and only
		 * that user use it (it refuses other uids; root's clients refuse
		 * a listener of another uid).
		 */
		zcrx_server_owner(uid, who, sizeof(who));
		if (pid && uid != geteuid())
			return srv_fail(d, ZCRX_STAGE_SOCKET, -EEXIST, "%s queue %u is already bound"
					" by pid %d of %s, a session only that user can use%s: stop"
					" it as %s (kill %d) or use another queue", srv->dev,
					srv->queue, pid, who,
					geteuid() ? "" : " (root's clients refuse it)",
					geteuid() ? "that user or root" : "root or that user", pid);
		if (pid)
			return srv_fail(d, ZCRX_STAGE_SOCKET, -EEXIST, "%s queue %u is already bound"
					" by pid %d: stop that session (kill %d) or use another"
					" queue", srv->dev, srv->queue, pid, pid);
		return srv_fail(d, ZCRX_STAGE_SOCKET, -EEXIST, "%s queue %u is already bound by"
				" another session (%s)", srv->dev, srv->queue, srv->path);
	}
	if (ret == -EAGAIN)
		return srv_fail(d, ZCRX_STAGE_SOCKET, -EEXIST, "%s queue %u is already bound by a"
				" session that accepts no connections (%s): stop it or use another"
				" queue", srv->dev, srv->queue, srv->path);
	if (ret == -EACCES) {
		zcrx_server_owner(st.st_uid, who, sizeof(who));
		return srv_fail(d, ZCRX_STAGE_SOCKET, ret, "%s queue %u has a socket of %s that you"
				" (uid %u) may not connect to (%s), so a session of that user may"
				" hold it: run as that user or root, or use another queue", srv->dev,
				srv->queue, who, (unsigned int)geteuid(), srv->path);
	}
	if (ret != -ECONNREFUSED)
		return srv_fail(d, ZCRX_STAGE_SOCKET, ret, "cannot tell whether a session owns %s"
				" queue %u: connecting to %s got %s", srv->dev, srv->queue, srv->path,
				strerror(-ret));
	*stale = true;
	return 0;
}

/* bind() born 0600: no window where others may connect. */
static int bind_private(int fd, const struct sockaddr_un *sa)
{
	mode_t old = umask(0177);
	int ret = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));

	umask(old);
	return ret;
}

int srv_claim(struct zcrx_server *srv, struct zcrx_diag *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tmp[PATH_MAX + SRV_DEV_MAX + 32];
	int dfd, fd, ret;
	bool stale = false;
	struct stat st;

	if ((ret = make_rundir(srv->rundir, d)))
		return ret;
	dfd = open(srv->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		return srv_fail(d, ZCRX_STAGE_SOCKET, ret, "cannot open the runtime directory %s:"
				" %s: set ZCRXCTL_RUNDIR to a directory you can write", srv->rundir,
				strerror(-ret));
	}
	/* the directory opened, not the name checked before: it may have changed */
	if (fstat(dfd, &st)) {
		ret = -errno;
		srv_fail(d, ZCRX_STAGE_SOCKET, ret, "cannot stat the runtime directory %s: %s",
			 srv->rundir, strerror(-ret));
		goto out;
	}
	if ((ret = srv_rundir_check_stat(srv->rundir, &st, d)))
		goto out;
	/* two servers of one name at once: the second waits, then finds the first */
	flock(dfd, LOCK_EX);
	if ((ret = check_holder(srv, &stale, d)))
		goto out;

	/*
	 * Made under a temporary name and renamed into place: a stale socket is
	 * replaced atomically, and the new one is never mistaken for it.
	 */
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.%u.%d", srv->rundir, srv->dev, srv->queue,
		     getpid()) >= (int)sizeof(sa.sun_path))
		snprintf(tmp, sizeof(tmp), "%s", srv->path);
	unlink(tmp);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		srv_fail(d, ZCRX_STAGE_SOCKET, ret, "cannot create a Unix socket for the session:"
			 " %s", strerror(-ret));
		goto out;
	}
	strcpy(sa.sun_path, tmp);
	ret = bind_private(fd, &sa);
	if (ret && errno == EADDRINUSE && !strcmp(tmp, srv->path) && stale) {
		unlink(srv->path);
		ret = bind_private(fd, &sa);
	}
	if (ret || listen(fd, 64) || chmod(tmp, 0600) ||
	    (strcmp(tmp, srv->path) && rename(tmp, srv->path))) {
		int e = errno;

		srv_fail(d, ZCRX_STAGE_SOCKET, -e, "cannot listen on the session socket %s: %s",
			 srv->path, strerror(e));
		if (!ret)
			unlink(tmp);
		close(fd);
		ret = -e;
		goto out;
	}
	srv->replaced = stale;
	srv->lfd = fd;
	ret = 0;
out:
	close(dfd);	/* and the lock with it */
	return ret;
}
