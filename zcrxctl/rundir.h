/* SPDX-License-Identifier: MIT */
/* Where sessions put their sockets: RUNDIR/DEV.QUEUE.sock. */
#ifndef ZCRXCTL_RUNDIR_H
#define ZCRXCTL_RUNDIR_H

#include <stddef.h>
#include <stdint.h>

/*
 * RUNDIR: $ZCRXCTL_RUNDIR, /run/zcrxctl (root), $XDG_RUNTIME_DIR/zcrxctl or
 * /tmp/zcrxctl-UID: 0, or -errno with the culprit explained in err.
 */
int rundir_get(char *buf, size_t len, char *err, size_t errlen);
/* RUNDIR/DEV.QUEUE.sock: 0 or -ENAMETOOLONG. */
int session_sock_name(char *buf, size_t len, const char *rundir, const char *dev,
		      uint32_t queue);

#endif
