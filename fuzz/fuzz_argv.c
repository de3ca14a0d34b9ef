// SPDX-License-Identifier: MIT
/*
 * The argv parsers fuzz_args and fuzz_units do not reach, through argp as
 * the commands run them: DEV QUEUE (dev_queue_arg, dev_name_ok) and the
 * backend's --sim-* values (zcrxctl/backend.c: rate, consumer, copy ratio,
 * seed, kernel, inject-errno and its parse_errno).  The first input byte
 * picks the option; the rest, split at newlines, is its value, DEV and
 * QUEUE.  argp runs with ARGP_NO_EXIT, its errors to a memory stream, so a
 * refusal is text there.  Oracles, from the documented grammar:
 *  - DEV is taken iff it has 1..15 bytes, none of them '/', white space or
 *    a control byte (DEL included), and is not "." or ".."; QUEUE iff it is
 *    a u32 (parse_u32: fuzz_args checks that one);
 *  - --sim-rate takes a u64 up to 100000000; --sim-consumer now, delay:DUR
 *    or hold:N; --sim-kernel 7.3, 7.2, may-2026 or none; --sim-seed a u64;
 *    --sim-inject-errno a number 1..4095 or an errno name in any case, and
 *    parse_errno() gives that number or that name's errno;
 *  - every refusal is one message naming the value it refused.
 */
#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include "../zcrxctl/backend.h"	/* not lib/backend.h, the seam */
#include "fuzz.h"
#include "parse.h"
#include "units.h"

struct in {
	struct backend_opts	b;
	FILE			*err;
	const char		*dev;
	uint32_t		queue;
	int			nr;
};

static FILE *devnull;

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct in *in = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &in->b;
		state->err_stream = in->err;
		state->out_stream = devnull;
		break;
	case ARGP_KEY_ARG:
		dev_queue_arg(state, arg, &in->dev, &in->queue, &in->nr);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = { { &backend_argp, 0, NULL, 0 }, { 0 } };
static const struct argp parent = { NULL, parse_opt, "DEV QUEUE", NULL, children, NULL, NULL };

/* argv through argp: the refusal's text (malloc'd, "" when none). */
static char *parse(char **argv, int argc, struct in *in)
{
	char *buf = NULL;
	size_t len = 0;

	memset(in, 0, sizeof(*in));
	backend_opts_init(&in->b);
	in->err = open_memstream(&buf, &len);
	fz_assert(in->err, "out of memory");
	argp_parse(&parent, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP, NULL, in);
	fclose(in->err);
	return buf;
}

static bool ref_dev(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= ' ' || *c == 0x7f || *c == '/')
			return false;
	return true;
}

static bool ref_errno(const char *s)
{
	uint32_t n;
	int e = parse_errno(s);

	if (!parse_u32(s, &n)) {
		fz_assert(e == (n >= 1 && n < 4096 ? (int)n : -EINVAL), "\"%s\" is errno %d", s, e);
		return e > 0;
	}
	if (e < 0)
		return false;
	fz_assert(e >= 1 && e < 4096 && strerrorname_np(e) && !strcasecmp(strerrorname_np(e), s),
		  "\"%s\" is errno %d (%s)", s, e, strerrorname_np(e) ?: "no name");
	return true;
}

/* Does the grammar take value for option o? -1: no grammar written here. */
static int ref_value(int o, const char *v)
{
	uint64_t u;
	uint32_t n;

	switch (o) {
	case 0:
		return !parse_u64(v, &u) && u <= 100000000;
	case 1:
		return !strcmp(v, "now") ||
		       (!strncmp(v, "delay:", 6) && !parse_duration(v + 6, &u)) ||
		       (!strncmp(v, "hold:", 5) && !parse_u32(v + 5, &n));
	case 3:
		return !parse_u64(v, &u);
	case 4:
		return !strcmp(v, "7.3") || !strcmp(v, "7.2") || !strcmp(v, "may-2026") || !strcmp(v, "none");
	case 5:
		return ref_errno(v);
	}
	return -1;	/* the copy ratio: a strtod() number, checked for its range only */
}

static const char *const opt_name[] = {
	"--sim-rate", "--sim-consumer", "--sim-copy-ratio", "--sim-seed", "--sim-kernel",
	"--sim-inject-errno",
};
#define NR_OPTS	(sizeof(opt_name) / sizeof(opt_name[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *v, *dev = NULL, *queue = NULL, *nl, *msg, opt[64 + 1];
	char *argv[8];
	struct in in;
	int o, argc = 0, want;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
	}
	if (!size)
		return 0;
	o = data[0] % NR_OPTS;
	s = fz_cstr(data + 1, size - 1);
	v = s;
	if ((nl = strchr(v, '\n'))) {
		*nl = '\0';
		dev = nl + 1;
		if ((nl = strchr(dev, '\n'))) {
			*nl = '\0';
			queue = nl + 1;
		}
	}

	/* the option alone: "zcrxctl --sim --OPT VALUE" */
	snprintf(opt, sizeof(opt), "%s", opt_name[o]);
	argv[argc++] = (char *)"zcrxctl";
	argv[argc++] = (char *)"--sim";
	argv[argc++] = opt;
	argv[argc++] = v;
	argv[argc] = NULL;
	msg = parse(argv, argc, &in);
	want = ref_value(o, v);
	if (want >= 0)
		fz_assert(want == !*msg, "%s '%s': the grammar says %s, argp said \"%s\"",
			  opt, v, want ? "take it" : "refuse it", msg);
	if (*msg)
		fz_assert(strstr(msg, opt) && strstr(msg, v), "a refusal naming neither %s nor '%s': %s",
			  opt, v, msg);
	fz_assert(in.b.mode == BACKEND_SIM && in.b.sim_opt && !strcmp(in.b.sim_opt, opt + 2),
		  "mode %d, first option %s", in.b.mode, in.b.sim_opt ?: "none");
	free(msg);

	/* DEV QUEUE after "--", so a DEV may begin with '-' */
	if (dev && queue) {
		argc = 0;
		argv[argc++] = (char *)"zcrxctl";
		argv[argc++] = (char *)"--";
		argv[argc++] = dev;
		argv[argc++] = queue;
		argv[argc] = NULL;
		msg = parse(argv, argc, &in);
		fz_assert(dev_name_ok(dev) == ref_dev(dev), "dev_name_ok(\"%s\") = %d", dev,
			  dev_name_ok(dev));
		want = ref_dev(dev) && !parse_u32(queue, &in.queue);
		fz_assert(want == !*msg, "'%s' '%s': the grammar says %s, argp said \"%s\"", dev, queue,
			  want ? "take them" : "refuse them", msg);
		free(msg);
	}
	free(s);
	return 0;
}
