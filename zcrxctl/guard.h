/* SPDX-License-Identifier: MIT */
/*
 * What must be undone however the process ends: at exit and on a fatal
 * signal, the terminal goes back to the mode it had and the path given to
 * exit_guard_unlink() is removed.
 */
#ifndef ZCRXCTL_GUARD_H
#define ZCRXCTL_GUARD_H

#include <stdbool.h>

/* A path unlinked at exit and on a fatal signal (one at a time); NULL forgets it. */
void exit_guard_unlink(const char *path);

/*
 * stdin, a terminal of our foreground process group, in non-canonical
 * no-echo mode (ISIG stays): 0, -EPERM in the background, or -errno.
 */
int tty_raw_on(void);
/* The terminal as it was, if tty_raw_on() changed it. */
void tty_restore(void);
bool tty_raw(void);

#endif
