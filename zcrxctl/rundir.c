// SPDX-License-Identifier: MIT
/* RUNDIR and the name of a session's socket in it, for sessions and clients alike. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "rundir.h"

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
		int e = errno;

		snprintf(err, errlen, "cannot create the runtime directory %s: %s: set "
			 "ZCRXCTL_RUNDIR to a private directory", buf, strerror(e));
		return -e;
	}
	if (lstat(buf, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		snprintf(err, errlen, "refusing the runtime directory %s: it is not a private "
			 "directory of yours (mode 0700): remove it or set ZCRXCTL_RUNDIR", buf);
		return -EPERM;
	}
	return 0;
}

void rundir_owner(char *buf, size_t len, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name)
		snprintf(buf, len, "user %s (uid %u)", pw->pw_name, (unsigned int)uid);
	else
		snprintf(buf, len, "uid %u", (unsigned int)uid);
}

/*
 * Whoever may write to RUNDIR may put a socket of their own where a session's
 * belongs and answer our arm and status: only we and root may.  A sticky
 * world-writable directory (/tmp) is no better: its files are anyone's to make.
 */
int rundir_check_stat(const char *dir, const struct stat *st, char *err, size_t errlen)
{
	char who[128];

	rundir_owner(who, sizeof(who), st->st_uid);
	if (!S_ISDIR(st->st_mode)) {
		snprintf(err, errlen, "refusing the runtime directory %s: it is not a directory:"
			 " set ZCRXCTL_RUNDIR to a private directory", dir);
		return -ENOTDIR;
	}
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		snprintf(err, errlen, "refusing the runtime directory %s: it is owned by %s, not"
			 " by you (uid %u) or root, who could plant a session there: set"
			 " ZCRXCTL_RUNDIR to a private directory of yours", dir, who,
			 (unsigned int)geteuid());
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "refusing the runtime directory %s, owned by %s: group or"
			 " others may write to it (mode %04o), so anyone could plant a session"
			 " there: chmod go-w it or set ZCRXCTL_RUNDIR to a private directory", dir,
			 who, (unsigned int)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int rundir_get(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("ZCRXCTL_RUNDIR"), *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
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
	if (stat(buf, &st)) {
		int e = errno;

		if (e == ENOENT)
			return 0;	/* made by the first session, empty to clients */
		snprintf(err, errlen, "cannot use the runtime directory %s: %s: set ZCRXCTL_RUNDIR"
			 " to a private directory", buf, strerror(e));
		return -e;
	}
	return rundir_check_stat(buf, &st, err, errlen);
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

const char *rundir_file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:	return "a plain file";
	case S_IFDIR:	return "a directory";
	case S_IFIFO:	return "a FIFO";
	case S_IFLNK:	return "a symbolic link";
	case S_IFCHR:	return "a character device";
	case S_IFBLK:	return "a block device";
	case S_IFSOCK:	return "a socket";
	default:	return "not a file of a known type";
	}
}
