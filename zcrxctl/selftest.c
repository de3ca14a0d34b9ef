// SPDX-License-Identifier: MIT
/* zcrxctl selftest: does this kernel's zcrx work, end to end, without a NIC? */
#include <string.h>
#include <sys/utsname.h>

#include "zcrx.h"
#include "zcrx_diag.h"
#include "main.h"

static const char doc[] =
	"Check this kernel's zero-copy receive end to end without a NIC: a NODEV "
	"ifq (Linux 7.1+) receives a known byte pattern over loopback TCP, and "
	"the copy event, its latch, ARM, the shared stats (Linux 7.2+), "
	"starvation and recovery through FLUSH_RQ, and the refill layout the "
	"kernel wrote back are each checked.  Needs CAP_NET_ADMIN.\v"
	"Exit status: 0 every check passed; 1 the kernel misbehaved (the check "
	"says what it saw); 3 the kernel, or this process, lacks what a check "
	"needs (the check says which: the kernel that brings it, root, the "
	"io_uring sysctl or the locked-memory limit).";

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	argp_error(state, "unexpected argument '%s'", arg);
	return 0;
}

/* no options: NULL, since glibc's help leaks a table of none (argp-help.c make_hol) */
static const struct argp selftest_argp = { NULL, parse_opt, "", doc, NULL, NULL, NULL };

static const char *const verdict_name[] = {
	[ZCRX_VERDICT_NOT_RUN]	= "not run",
	[ZCRX_VERDICT_PASS]	= "pass",
	[ZCRX_VERDICT_FAIL]	= "fail",
	[ZCRX_VERDICT_MISSING]	= "not supported",
};

/* the same, as JSON values */
static const char *const verdict_key[] = {
	[ZCRX_VERDICT_NOT_RUN]	= "not-run",
	[ZCRX_VERDICT_PASS]	= "pass",
	[ZCRX_VERDICT_FAIL]	= "fail",
	[ZCRX_VERDICT_MISSING]	= "not-supported",
};

static const enum color verdict_color[] = {
	[ZCRX_VERDICT_NOT_RUN]	= COLOR_BAD,
	[ZCRX_VERDICT_PASS]	= COLOR_OK,
	[ZCRX_VERDICT_FAIL]	= COLOR_BAD,
	[ZCRX_VERDICT_MISSING]	= COLOR_WARN,
};

int do_selftest(struct printer *pr, int argc, char **argv)
{
	struct zcrx_selftest st;
	struct utsname uts;
	char secs[32];
	int ret;

	ret = cmd_parse(&selftest_argp, argc, argv, NULL);
	if (ret >= 0)
		return ret;
	if (uname(&uts))
		strcpy(uts.release, "unknown");
	zcrx_selftest(&st);

	open_json_object(pr, NULL);
	print_string(pr, PRINT_ANY, "kernel", "kernel %s: zcrx selftest, NODEV over loopback TCP\n",
		     uts.release);
	open_json_array(pr, "checks");
	for (int id = 0; id < ZCRX_CHECK_COUNT; id++) {
		const struct zcrx_check *c = &st.check[id];

		open_json_object(pr, NULL);
		print_string(pr, PRINT_ANY, "check", "%-14s ", c->name);
		print_string(pr, PRINT_JSON, "verdict", NULL, verdict_key[c->verdict]);
		print_color_string(pr, PRINT_FP, verdict_color[c->verdict], NULL, "%-14s",
				   verdict_name[c->verdict]);
		print_string(pr, PRINT_ANY, "detail", " %s\n", c->detail);
		close_json_object(pr);
	}
	close_json_array(pr);
	print_uint(pr, PRINT_ANY, "passed", "%llu passed", st.passed);
	print_uint(pr, PRINT_ANY, "failed", ", %llu failed", st.failed);
	print_uint(pr, PRINT_ANY, "not-supported", ", %llu not supported", st.missing);
	print_uint(pr, PRINT_JSON, "elapsed-ms", NULL, st.elapsed_ns / 1000000);
	snprintf(secs, sizeof(secs), "%.2f s", st.elapsed_ns / 1e9);
	print_string(pr, PRINT_FP, NULL, " (%s)\n", secs);
	close_json_object(pr);
	print_end(pr);
	return st.failed ? EXIT_ERR : st.missing ? EXIT_MISSING : EXIT_OK;
}
