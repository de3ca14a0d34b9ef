// SPDX-License-Identifier: MIT
/* RUNDIR and the name of a session's socket in it, for sessions and clients alike. */
#include <errno.h>
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
