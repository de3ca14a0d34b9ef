// SPDX-License-Identifier: MIT
/*
 * RUNDIR and the name of a server's socket in it, for servers (zcrxctl's
 * sessions, applications) and their clients alike.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "server_int.h"

/*
 * No XDG_RUNTIME_DIR (no login session): /tmp/zcrxctl-UID, as tmux does.
 * /tmp is shared, so the directory must be ours, a real directory and
 * private, or someone else could watch or squat our sessions.
 */
static int tmp_rundir(char *buf, size_t len, struct zcrx_diag *d)
{
	struct stat st;

	snprintf(buf, len, "/tmp/zcrxctl-%u", (unsigned int)geteuid());
	if (mkdir(buf, 0700) && errno != EEXIST) {
		int e = errno;

		return srv_fail(d, ZCRX_STAGE_SOCKET, -e, "cannot create the runtime directory %s:"
				" %s: set ZCRXCTL_RUNDIR to a private directory", buf, strerror(e));
	}
	if (lstat(buf, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077))
		return srv_fail(d, ZCRX_STAGE_SOCKET, -EPERM, "refusing the runtime directory %s:"
				" it is not a private directory of yours (mode 0700): remove it or"
				" set ZCRXCTL_RUNDIR", buf);
	return 0;
}

const char *zcrx_server_owner(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name)
		snprintf(buf, len, "user %s (uid %u)", pw->pw_name, (unsigned int)uid);
	else
		snprintf(buf, len, "uid %u", (unsigned int)uid);
	return buf;
}

/*
 * Whoever may write to RUNDIR may put a socket of their own where a session's
 * belongs and answer our arm and status: only we and root may.  A sticky
 * world-writable directory (/tmp) is no better: its files are anyone's to make.
 */
int srv_rundir_check_stat(const char *dir, const struct stat *st, struct zcrx_diag *d)
{
	char who[128];

	zcrx_server_owner(st->st_uid, who, sizeof(who));
	if (!S_ISDIR(st->st_mode))
		return srv_fail(d, ZCRX_STAGE_SOCKET, -ENOTDIR, "refusing the runtime directory"
				" %s: it is not a directory: set ZCRXCTL_RUNDIR to a private"
				" directory", dir);
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return srv_fail(d, ZCRX_STAGE_SOCKET, -EPERM, "refusing the runtime directory %s:"
				" it is owned by %s, not by you (uid %u) or root, who could plant a"
				" session there: set ZCRXCTL_RUNDIR to a private directory of yours",
				dir, who, (unsigned int)geteuid());
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return srv_fail(d, ZCRX_STAGE_SOCKET, -EPERM, "refusing the runtime directory %s,"
				" owned by %s: group or others may write to it (mode %04o), so"
				" anyone could plant a session there: chmod go-w it or set"
				" ZCRXCTL_RUNDIR to a private directory", dir, who,
				(unsigned int)(st->st_mode & 07777));
	return 0;
}

int zcrx_server_rundir_check(const char *dir, struct zcrx_diag *diag)
{
	struct zcrx_diag local;
	struct zcrx_diag *d = diag ? diag : &local;
	struct stat st;

	memset(d, 0, sizeof(*d));
	if (stat(dir, &st)) {
		int e = errno;

		return srv_fail(d, ZCRX_STAGE_SOCKET, -e, "cannot use the runtime directory %s: %s",
				dir, strerror(e));
	}
	return srv_rundir_check_stat(dir, &st, d);
}

int zcrx_server_rundir(char *buf, size_t len, struct zcrx_diag *diag)
{
	const char *env = getenv("ZCRXCTL_RUNDIR"), *xdg = getenv("XDG_RUNTIME_DIR");
	struct zcrx_diag local;
	struct zcrx_diag *d = diag ? diag : &local;
	struct stat st;
	size_t n;
	int w;

	memset(d, 0, sizeof(*d));
	if (env && *env) {
		/* relative, it would name another directory in every other cwd */
		if (env[0] != '/')
			return srv_fail(d, ZCRX_STAGE_ARGS, -EINVAL, "ZCRXCTL_RUNDIR must be an"
					" absolute path, not '%s'", env);
		w = snprintf(buf, len, "%s", env);
	} else if (geteuid() == 0)
		w = snprintf(buf, len, "/run/zcrxctl");
	else if (xdg && *xdg)
		w = snprintf(buf, len, "%s/zcrxctl", xdg);
	else
		return tmp_rundir(buf, len, d);
	if (w < 0 || (size_t)w >= len)
		return srv_fail(d, ZCRX_STAGE_ARGS, -ENAMETOOLONG, "the runtime directory name is"
				" too long: set ZCRXCTL_RUNDIR to a shorter one");
	for (n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = '\0';
	if (stat(buf, &st)) {
		int e = errno;

		if (e == ENOENT)
			return 0;	/* made by the first session, empty to clients */
		return srv_fail(d, ZCRX_STAGE_SOCKET, -e, "cannot use the runtime directory %s: %s:"
				" set ZCRXCTL_RUNDIR to a private directory", buf, strerror(e));
	}
	return srv_rundir_check_stat(buf, &st, d);
}

int zcrx_server_sock_path(char *buf, size_t len, const char *rundir, const char *dev,
			  uint32_t queue)
{
	int w = snprintf(buf, len, "%s/%s.%u.sock", rundir, dev, queue);

	if (w < 0 || (size_t)w >= len || (size_t)w >= SRV_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

const char *zcrx_server_file_kind(mode_t mode)
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
