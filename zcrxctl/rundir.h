/* SPDX-License-Identifier: MIT */
/* Where sessions put their sockets: RUNDIR/DEV.QUEUE.sock. */
#ifndef ZCRXCTL_RUNDIR_H
#define ZCRXCTL_RUNDIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * RUNDIR: $ZCRXCTL_RUNDIR, /run/zcrxctl (root), $XDG_RUNTIME_DIR/zcrxctl or
 * /tmp/zcrxctl-UID: 0, or -errno with the culprit explained in err.  One
 * that exists has passed rundir_check_stat(); one that does not is no error
 * (the session creates it; a client finds no session there).
 */
int rundir_get(char *buf, size_t len, char *err, size_t errlen);
/*
 * Is the directory dir, of status st, safe to hold session sockets: a
 * directory owned by us or root that neither group nor others may write?
 * 0, or -EPERM (-ENOTDIR) with the sentence, naming the owner, in err.
 */
int rundir_check_stat(const char *dir, const struct stat *st, char *err, size_t errlen);
/* "user NAME (uid N)", or "uid N" when N has no name. */
void rundir_owner(char *buf, size_t len, uid_t uid);
/* RUNDIR/DEV.QUEUE.sock: 0 or -ENAMETOOLONG. */
int session_sock_name(char *buf, size_t len, const char *rundir, const char *dev,
		      uint32_t queue);

/* What a file of this mode is, for a sentence: "a directory", "a FIFO"... */
const char *rundir_file_kind(mode_t mode);

#endif
