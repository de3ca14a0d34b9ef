// SPDX-License-Identifier: MIT
/*
 * What must be undone however the process ends (exit, or a fatal signal):
 * the terminal's mode while keys are read, and the session socket's name.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "guard.h"

static struct {
	bool		tty_raw;
	struct termios	tty_orig;
	char		unlink_path[PATH_MAX];
	bool		installed;
	struct sigaction old[NSIG];
} guard;

static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGQUIT, 0 };

/* async-signal-safe: tcsetattr and unlink are */
static void guard_undo(void)
{
	if (guard.tty_raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &guard.tty_orig);
		guard.tty_raw = false;
	}
	if (guard.unlink_path[0]) {
		unlink(guard.unlink_path);
		guard.unlink_path[0] = '\0';
	}
}

static void guard_fatal(int sig)
{
	guard_undo();
	/* hand over to whoever was there before (the default, or a sanitizer) */
	sigaction(sig, &guard.old[sig], NULL);
	if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE)
		raise(sig);
	/* a fault re-executes the instruction and reaches the old handler */
}

static void guard_install(void)
{
	struct sigaction sa = { .sa_handler = guard_fatal };

	if (guard.installed)
		return;
	guard.installed = true;
	atexit(guard_undo);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	for (const int *s = fatal_sigs; *s; s++)
		sigaction(*s, &sa, &guard.old[*s]);
}

void exit_guard_unlink(const char *path)
{
	guard_install();
	if (!path) {
		guard.unlink_path[0] = '\0';
		return;
	}
	if (strlen(path) < sizeof(guard.unlink_path))
		strcpy(guard.unlink_path, path);
}

void tty_restore(void)
{
	if (guard.tty_raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &guard.tty_orig);
		guard.tty_raw = false;
	}
}

int tty_raw_on(void)
{
	struct termios t;

	if (tcgetpgrp(STDIN_FILENO) != getpgrp())
		return -EPERM;	/* a background job may not touch the terminal */
	if (tcgetattr(STDIN_FILENO, &guard.tty_orig))
		return -errno;
	t = guard.tty_orig;
	t.c_lflag &= ~(ICANON | ECHO);	/* ISIG stays: Ctrl-C is still SIGINT */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	guard_install();
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return -errno;
	guard.tty_raw = true;
	return 0;
}

bool tty_raw(void)
{
	return guard.tty_raw;
}
