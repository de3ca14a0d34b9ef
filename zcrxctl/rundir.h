/* SPDX-License-Identifier: MIT */
/* Where sessions put their sockets: RUNDIR/DEV.QUEUE.sock (zcrx_server.h). */
#ifndef ZCRXCTL_RUNDIR_H
#define ZCRXCTL_RUNDIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zcrx_server.h"

/*
 * RUNDIR (zcrx_server_rundir()): 0, or -errno with the culprit explained in
 * err.  One that does not exist is no error: a client finds no session there.
 */
int rundir_get(char *buf, size_t len, char *err, size_t errlen);
/* "user NAME (uid N)", or "uid N" when N has no name. */
static inline void rundir_owner(char *buf, size_t len, uid_t uid)
{
	zcrx_server_owner(uid, buf, len);
}

/* RUNDIR/DEV.QUEUE.sock: 0 or -ENAMETOOLONG. */
static inline int session_sock_name(char *buf, size_t len, const char *rundir, const char *dev,
				    uint32_t queue)
{
	return zcrx_server_sock_path(buf, len, rundir, dev, queue);
}

#endif
