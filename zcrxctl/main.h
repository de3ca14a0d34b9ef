/* SPDX-License-Identifier: MIT */
/*
 * What every command (one file each, do_<name>()) shares with main.c: exit
 * statuses, global options, the command table and argp glue.  Only commands
 * and main.c include it.
 */
#ifndef ZCRXCTL_MAIN_H
#define ZCRXCTL_MAIN_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "parse.h"
#include "print.h"

/* Exit status, documented in README and the man page. */
#define EXIT_OK		0
#define EXIT_ERR	1	/* runtime error */
#define EXIT_TIMEOUT	2	/* timed out with no event */
#define EXIT_MISSING	3	/* a required feature is missing */
#define EXIT_NOT_FIRED	4	/* arm: the event had not fired (nothing to re-arm) */
#define EXIT_USAGE	64	/* bad command line (EX_USAGE) */

struct cmd {
	const char	*name;
	int		(*func)(struct printer *pr, int argc, char **argv);
	const char	*summary;
};

/* bpftool's cmd_select(): unique-prefix match of argv[0] against cmds. */
int cmd_select(const struct cmd *cmds, struct printer *pr, int argc, char **argv);

/*
 * Parse a command's arguments with its argp (argv[0] is the command name).
 * Adds --help/--usage; usage errors become one p_err() line.
 * Returns -1 to continue, or an exit status (0 after --help, EXIT_USAGE).
 */
int cmd_parse(const struct argp *argp, int argc, char **argv, void *input);

/* commands */
int do_features(struct printer *pr, int argc, char **argv);
int do_selftest(struct printer *pr, int argc, char **argv);
int do_show(struct printer *pr, int argc, char **argv);
int do_bind(struct printer *pr, int argc, char **argv);
int do_watch(struct printer *pr, int argc, char **argv);
int do_arm(struct printer *pr, int argc, char **argv);
int do_subscribe(struct printer *pr, int argc, char **argv);
int do_status(struct printer *pr, int argc, char **argv);
int do_prepare(struct printer *pr, int argc, char **argv);
int do_top(struct printer *pr, int argc, char **argv);
int do_metrics(struct printer *pr, int argc, char **argv);
int do_grow(struct printer *pr, int argc, char **argv);

#endif
