/* SPDX-License-Identifier: MIT */
/*
 * Before an ifq is registered on a NIC queue: does the queue still carry a
 * memory provider (a stale binding, liburing issue #1550)?  The library
 * looks the queue up (zcrx_queue_holder(), queue-get behind the backend
 * seam) and words it; this adds the holder's pid when it is a live zcrxctl
 * session (RUNDIR/DEV.QUEUE.sock), waits with --wait-clear, and says it.
 */
#ifndef ZCRXCTL_PREFLIGHT_H
#define ZCRXCTL_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zcrx_diag.h"
#include "session/session.h"

/*
 * The pid of a live session serving rundir/DEV.QUEUE.sock other than this
 * process, or 0 (none, not ours to reach, or no rundir).
 */
pid_t preflight_session_pid(const char *rundir, const char *dev, uint32_t queue);

/*
 * The whole sentence for a queue h says is bound: the library's words, then
 * the holder's pid (when pid > 0; sock names its socket), then "still bound
 * after WAITED" when waited is not NULL.  snprintf-like.
 */
int preflight_msg(char *buf, size_t len, const char *dev, uint32_t queue,
		  const struct zcrx_queue_holder *h, pid_t pid, const char *sock,
		  const char *waited);

/*
 * Look DEV's QUEUE up on ctx's backend before registering (not for
 * --nodev).  0: go on (free, or the look-up failed: the kernel will
 * answer); -EEXIST: bound, said; -ETIMEDOUT: still bound after
 * --wait-clear, said.  rundir, where other sessions' sockets are, may be
 * NULL.
 */
int preflight_queue(struct zcrx_ctx *ctx, const struct session_opts *o, const char *rundir);

/*
 * The registration was refused with EEXIST or EBUSY and msg is the
 * library's diagnosis: say it, with the holder's pid where a live session
 * holds the queue.
 */
void preflight_refused(struct zcrx_ctx *ctx, const struct session_opts *o, const char *rundir,
		       int err, const char *msg);

#endif
