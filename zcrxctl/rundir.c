// SPDX-License-Identifier: MIT
/* RUNDIR for zcrxctl's clients, in libzcrx's words, and the owners they name. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rundir.h"
#include "zcrx_server.h"

int rundir_get(char *buf, size_t len, char *err, size_t errlen)
{
	struct zcrx_diag d;
	int ret = zcrx_server_rundir(buf, len, &d);

	if (ret)
		snprintf(err, errlen, "%s", d.msg);
	return ret;
}

void rundir_owner(char *buf, size_t len, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name)
		snprintf(buf, len, "user %s (uid %u)", pw->pw_name, (unsigned int)uid);
	else
		snprintf(buf, len, "uid %u", (unsigned int)uid);
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
