/* SPDX-License-Identifier: MIT */
/*
 * Asking every live session in RUNDIR for its status at once, as status and
 * metrics do: each socket is connected without blocking and trusted as every
 * client trusts one, and all of them together get ASK_DEADLINE_MS.
 */
#ifndef ZCRXCTL_ASK_H
#define ZCRXCTL_ASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define ASK_DEADLINE_MS		800	/* the whole command, start-up included, under 1 s */

struct sess_entry {
	char			dev[DEV_NAME_MAX];
	uint32_t		queue;
	struct proto_session	sess;
	bool			answered;	/* sess is valid; else it did not answer */
	int64_t			pid;		/* the listener's (SO_PEERCRED), -1 unknown */
	/* while asking */
	int			fd;
	bool			gone;		/* vanished: not listed */
	char			*refused;	/* why it was refused: listed, said, exit 1 */
	char			*req;
	size_t			req_len, req_off;
	char			*buf;
	size_t			len;
};

/*
 * The sessions of RUNDIR (only DEV's when dev, only its queue when
 * has_queue), asked and sorted by device and queue: *out is malloc'd, *nr
 * entries.  A listener refused when one queue was named is not listed: its
 * sentence goes to refused.  0, or -1 after p_err() (RUNDIR unreadable).
 */
int ask_sessions(const char *rundir, const char *dev, bool has_queue, uint32_t queue,
		 struct sess_entry **out, size_t *nr, char *refused, size_t refused_len);
/* "DEV queue Q (pid P), ...": the entries that did not answer, for one error line. */
void ask_silent_names(const struct sess_entry *list, size_t nr, char *names, size_t len);
void ask_sessions_free(struct sess_entry *list, size_t nr);

#endif
