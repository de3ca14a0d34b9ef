// SPDX-License-Identifier: MIT
/* zcrxctl [OPTIONS] COMMAND [ARGS]: global options, command table, argp glue. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zcrx.h"
#include "main.h"
#include "stream.h"

#ifndef ZCRXCTL_VERSION
#define ZCRXCTL_VERSION "0.1"
#endif

static struct {
	bool		json;
	bool		pretty;
	bool		quiet;
	enum color_mode	color;
} g_opts = { .color = COLOR_AUTO };

static const char *prog_name = "zcrxctl";

static const struct cmd cmds[];
static const struct argp_option global_options[];

/*
 * A global option after the command: getopt said "unrecognized option
 * '--json'" or "invalid option -- 'j'" (glibc's words, the C locale).
 * Returns that option as typed ("-j", "--color=always"), if it is global.
 */
static bool misplaced_global(const char *msg, char *opt, size_t size)
{
	static const char inval[] = "invalid option -- '", unrec[] = "unrecognized option '";
	const size_t il = sizeof(inval) - 1, ul = sizeof(unrec) - 1;
	const char *q, *end;
	size_t n;

	if ((q = strstr(msg, inval)) && q[il] && q[il + 1] == '\'') {
		for (const struct argp_option *o = global_options; o->name; o++) {
			if (o->key == q[il]) {
				snprintf(opt, size, "-%c", q[il]);
				return true;
			}
		}
		return false;
	}
	if (!(q = strstr(msg, unrec)) || strncmp(q + ul, "--", 2) || !(end = strchr(q + ul, '\'')))
		return false;
	q += ul;
	n = strcspn(q, "='");
	for (const struct argp_option *o = global_options; o->name; o++) {
		if (strlen(o->name) == n - 2 && !strncmp(o->name, q + 2, n - 2)) {
			snprintf(opt, size, "%.*s", (int)(end - q), q);
			return true;
		}
	}
	return false;
}

/* Set by the --help/--usage handler: argp runs with ARGP_NO_EXIT. */
static bool help_shown;
/* argp's own error messages land here and are reported by p_err(). */
static FILE *argp_errs;

enum {
	OPT_USAGE = 0x100,
	OPT_COLOR,
};

static const struct argp_option help_options[] = {
	{ "help", 'h', NULL, 0, "Give this help list", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 },
	{ 0 }
};

static error_t help_parser(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	switch (key) {
	case ARGP_KEY_INIT:
		state->err_stream = argp_errs;
		return 0;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	help_shown = true;
	state->next = state->argc;	/* nothing else runs after help */
	return 0;
}

static const struct argp help_argp = { help_options, help_parser, NULL, NULL, NULL, NULL, NULL };

/*
 * Run argp with our --help/--usage and without exit(): an error becomes one
 * p_err() line naming the culprit and where to get help, and EXIT_USAGE.
 * Returns -1 to go on, or the exit status.
 */
/*
 * What argp and getopt write while parsing, kept whole: a cookie stream, as
 * open_memstream would be without its calloc'd and cleared 8 KiB per parse.
 */
struct errs {
	char	*buf;
	size_t	len;
};

static ssize_t errs_write(void *cookie, const char *buf, size_t n)
{
	struct errs *e = cookie;
	char *t = realloc(e->buf, e->len + n + 1);

	if (!t)
		return -1;
	memcpy(t + e->len, buf, n);
	e->len += n;
	t[e->len] = '\0';
	e->buf = t;
	return (ssize_t)n;
}

static int parse_with(const struct argp *argp, unsigned int flags, char *name,
		      int argc, char **argv, void *input)
{
	struct argp_child children[4] = { { 0 } };
	struct argp full = *argp;
	cookie_io_functions_t io = { .write = errs_write };
	struct errs errs = { NULL, 0 };
	char *errbuf, *msg, *nl, opt[64];
	size_t nlen = strlen(name), n;
	char *saved0 = argv[0];
	FILE *saved_stderr;
	int ret;

	/* the command's own children (their child_inputs indexes unchanged), then help */
	for (n = 0; argp->children && argp->children[n].argp && n < 2; n++)
		children[n] = argp->children[n];
	children[n] = (struct argp_child){ &help_argp, 0, NULL, -1 };
	full.children = children;
	argp_errs = fopencookie(&errs, "w", io);
	if (!argp_errs) {
		p_err("out of memory");
		return EXIT_ERR;
	}
	help_shown = false;
	argv[0] = name;
	/* getopt reports unknown options on stderr itself: catch those too */
	saved_stderr = stderr;
	stderr = argp_errs;
	ret = argp_parse(&full, argc, argv, flags | ARGP_NO_EXIT | ARGP_NO_HELP, NULL, input);
	stderr = saved_stderr;
	argv[0] = saved0;
	fclose(argp_errs);
	argp_errs = NULL;
	errbuf = errs.buf;
	if (help_shown) {
		free(errbuf);
		return EXIT_OK;
	}
	/* with ARGP_NO_EXIT, argp_error() reports but does not fail the parse */
	if (!ret && !(errbuf && *errbuf)) {
		free(errbuf);
		return -1;
	}
	msg = errbuf;
	if (msg && *msg) {
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		/* argp writes "NAME: message" */
		if (!strncmp(msg, name, nlen) && msg[nlen] == ':' && msg[nlen + 1] == ' ')
			msg += nlen + 2;
	} else {
		msg = strerror(ret ? ret : EINVAL);
	}
	if (name != prog_name && misplaced_global(msg, opt, sizeof(opt))) {
		/* zcrxctl features -j: say where -j goes rather than that it is unknown */
		n = strcspn(opt, "=");
		p_err("%.*s is a global option: put it before the command (%s %s %s)",
		      (int)n, opt, prog_name, opt, saved0);
	} else {
		p_err("%s (try '%s --help')", msg, name);
	}
	free(errbuf);
	return EXIT_USAGE;
}

int cmd_parse(const struct argp *argp, int argc, char **argv, void *input)
{
	char name[64];

	snprintf(name, sizeof(name), "%s %s", prog_name, argv[0]);
	return parse_with(argp, 0, name, argc, argv, input);
}

int cmd_select(const struct cmd *list, struct printer *pr, int argc, char **argv)
{
	const struct cmd *match = NULL;
	size_t len = strlen(argv[0]);

	for (const struct cmd *c = list; c->name; c++) {
		if (!strcmp(c->name, argv[0])) {
			match = c;
			break;
		}
		if (len && !strncmp(c->name, argv[0], len)) {
			if (match) {
				p_err("command '%s' is ambiguous: '%s' or '%s' (try '%s help')",
				      argv[0], match->name, c->name, prog_name);
				return EXIT_USAGE;
			}
			match = c;
		}
	}
	if (!match) {
		p_err("unknown command '%s' (try '%s help')", argv[0], prog_name);
		return EXIT_USAGE;
	}
	argv[0] = (char *)match->name;
	return match->func(pr, argc, argv);
}

/* "  features        what this kernel offers for zcrx" for each command */
static void print_command_list(FILE *f)
{
	for (const struct cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-15s %s\n", strcmp(c->name, "help") ? c->name : "help [COMMAND]",
			c->summary);
}

static void print_commands(FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS] COMMAND [ARGS...]\n\nCommands:\n", prog_name);
	print_command_list(f);
	fprintf(f, "\nRun '%s COMMAND --help' for a command's options, '%s --help' for the "
		"global ones.\n", prog_name, prog_name);
}

static error_t help_cmd_parser(int key, char *arg, struct argp_state *state)
{
	char **cmd = state->input;

	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	if (*cmd)
		argp_error(state, "unexpected argument '%s'", arg);
	*cmd = arg;
	return 0;
}

static const struct argp help_cmd_argp = {
	NULL, help_cmd_parser, "[COMMAND]",
	"List the commands, or show COMMAND's help (as 'zcrxctl COMMAND --help').",
	NULL, NULL, NULL
};

static int do_help(struct printer *pr, int argc, char **argv)
{
	char *cmd = NULL, *cmd_argv[3] = { NULL, (char *)"--help", NULL };
	int ret = cmd_parse(&help_cmd_argp, argc, argv, &cmd);

	if (ret >= 0)
		return ret;
	if (cmd) {
		cmd_argv[0] = cmd;
		return cmd_select(cmds, pr, 2, cmd_argv);
	}
	if (g_opts.json) {
		open_json_object(pr, NULL);
		open_json_array(pr, "commands");
		for (const struct cmd *c = cmds; c->name; c++) {
			open_json_object(pr, NULL);
			print_string(pr, PRINT_JSON, "name", NULL, c->name);
			print_string(pr, PRINT_JSON, "summary", NULL, c->summary);
			close_json_object(pr);
		}
		print_end(pr);
		return EXIT_OK;
	}
	print_commands(stdout);
	return EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "features",	do_features,	"what this kernel offers for zcrx" },
	{ "show",	do_show,	"netdevs, RX queues and their zcrx readiness" },
	{ "selftest",	do_selftest,	"check this kernel's zcrx end to end, no NIC needed" },
	{ "bind",	do_bind,	"bind an ifq on a queue and hold the session" },
	{ "watch",	do_watch,	"bind an ifq and print its events live" },
	{ "arm",	do_arm,		"re-arm a fired event through its session" },
	{ "grow",	do_grow,	"add an area to a session's ifq (Linux 7.3)" },
	{ "subscribe",	do_subscribe,	"print the events of a running session" },
	{ "status",	do_status,	"list the live sessions" },
	{ "prepare",	do_prepare,	"make a NIC queue ready for zcrx (ethtool steps), or undo it" },
	{ "top",	do_top,		"live rates of every RX queue, zcrx-bound first" },
	{ "metrics",	do_metrics,	"the sessions (and queues) in Prometheus text format" },
	{ "help",	do_help,	"list the commands, or show COMMAND's help" },
	{ 0 }
};

static const struct argp_option global_options[] = {
	{ "json", 'j', NULL, 0, "JSON output (one object per line for streams)", 0 },
	{ "pretty", 'p', NULL, 0, "indented JSON (implies --json)", 0 },
	{ "quiet", 'q', NULL, 0, "no informational messages on stderr", 0 },
	{ "color", OPT_COLOR, "WHEN", OPTION_ARG_OPTIONAL,
	  "colour text output: auto (default; off when NO_COLOR is set), always, never", 0 },
	{ "version", 'V', NULL, 0, "print the version and exit", 0 },
	{ 0 }
};

struct global_state {
	int	cmd_index;
	bool	version;
};

static error_t global_parser(int key, char *arg, struct argp_state *state)
{
	struct global_state *gs = state->input;

	switch (key) {
	case 'j':
		g_opts.json = true;
		break;
	case 'p':
		g_opts.json = true;
		g_opts.pretty = true;
		break;
	case 'q':
		g_opts.quiet = true;
		break;
	case OPT_COLOR:
		if (!arg || !strcmp(arg, "always"))
			g_opts.color = COLOR_ALWAYS;
		else if (!strcmp(arg, "auto"))
			g_opts.color = COLOR_AUTO;
		else if (!strcmp(arg, "never"))
			g_opts.color = COLOR_NEVER;
		else
			argp_error(state, "--color takes auto, always or never, not '%s'", arg);
		break;
	case 'V':
		gs->version = true;
		break;
	case ARGP_KEY_ARG:
		/* the command: the rest belongs to it */
		gs->cmd_index = state->next - 1;
		state->next = state->argc;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static char global_doc[] =
	"Inspect and drive io_uring zero-copy receive (zcrx): kernel features, "
	"netdev queues, ifqs and their events.\v"
	"\nExit status: 0 ok, 1 runtime error, 2 timeout, 3 required feature "
	"missing, 4 nothing to re-arm, 64 usage error.";

/* --help after the options: the command table, then the exit statuses. */
static char *global_help(int key, const char *text, void *input)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC || !text)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Commands:\n", f);
	print_command_list(f);
	fputs(text, f);
	if (fclose(f)) {
		free(buf);
		return (char *)text;
	}
	return buf;
}

static const struct argp global_argp = {
	global_options, global_parser, "COMMAND [ARGS...]", global_doc, NULL, global_help, NULL
};

/*
 * Whatever a command printed must have reached stdout: if not, say so once
 * on stderr (stdout_lost(), as watch does; silent only for a reader that
 * left) and fail with EXIT_ERR, unless the command already failed.
 */
static int stdout_done(const struct printer *out, int ret)
{
	errno = 0;
	if (!fflush(stdout) && !ferror(stdout))
		return ret;
	/* an earlier flush (print_end) may have failed and said why */
	stdout_lost(errno ? errno : print_errno(out) ? print_errno(out) : EIO);
	return ret == EXIT_OK ? EXIT_ERR : ret;
}

int main(int argc, char **argv)
{
	struct global_state gs = { .cmd_index = 0 };
	struct printer out;
	int ret;

	/*
	 * A closed stdin, stdout or stderr would be reused by the next open
	 * (the io_uring) and records written into it: hold them with
	 * /dev/null read-only, so writes fail (EBADF) like on a closed fd.
	 */
	struct pollfd std[3] = { { .fd = 0 }, { .fd = 1 }, { .fd = 2 } };

	/* one poll() tells all three: a closed fd comes back POLLNVAL */
	bool asked = poll(std, 3, 0) >= 0;

	for (int fd = 0; fd <= 2; fd++) {
		if (asked ? (std[fd].revents & POLLNVAL)
			  : fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int nfd = open("/dev/null", O_RDONLY);

			if (nfd >= 0 && nfd != fd) {
				dup2(nfd, fd);
				close(nfd);
			}
		}
	}
	/*
	 * stdout keeps glibc's buffering (by line on a terminal, else by
	 * block): every writer flushes where a reader waits for it, print_end()
	 * per document, the event loop before it sleeps, p_err() before stderr.
	 */
	/* a global usage error is reported in JSON too when -j came first */
	for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--pretty") ||
		    (argv[i][1] != '-' && strpbrk(argv[i], "jp")))
			g_opts.json = true;
	}
	/* usage errors of the global options: before -p and --color are known */
	printer_init(&out, stdout, g_opts.json, false, COLOR_NEVER);
	print_diag_setup(&out, false);
	ret = parse_with(&global_argp, ARGP_IN_ORDER, (char *)prog_name, argc, argv, &gs);
	/* nothing is printed on stdout yet: the final settings replace those */
	printer_init(&out, stdout, g_opts.json, g_opts.pretty, g_opts.color);
	print_diag_setup(&out, g_opts.quiet);
	if (ret >= 0)
		return stdout_done(&out, ret);	/* --help, --usage wrote there */
	if (gs.version) {
		printf("%s %s (libzcrx %d.%d)\n", prog_name, ZCRXCTL_VERSION,
		       ZCRX_VERSION_MAJOR, ZCRX_VERSION_MINOR);
		return stdout_done(&out, EXIT_OK);
	}
	if (!gs.cmd_index) {
		print_commands(stderr);
		return EXIT_USAGE;
	}
	ret = cmd_select(cmds, &out, argc - gs.cmd_index, argv + gs.cmd_index);
	return stdout_done(&out, ret);
}
