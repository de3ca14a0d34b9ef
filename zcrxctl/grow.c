// SPDX-License-Identifier: MIT
/*
 * zcrxctl grow DEV QUEUE SIZE: add an area of SIZE bytes to the ifq a bind
 * or watch session holds (ZCRX_CTRL_ADD_AREA, Linux 7.3; only the ring that
 * registered the ifq may).  Exit 0 added, 3 when the kernel has no
 * ADD_AREA, 1 when no session owns the queue or the kernel refused.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "main.h"
#include "units.h"

struct grow_args {
	const char	*dev;
	uint32_t	queue;
	int		nr_args;
	uint64_t	size;
};

static char *do_help(int key, const char *text, void *input)
{
	char *doc;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return asprintf(&doc, "Add an area of SIZE bytes to the ifq that a bind or watch session "
		      "holds on DEV queue QUEUE (ZCRX_CTRL_ADD_AREA, Linux 7.3): the kernel "
		      "fills it once the earlier areas are in use, and its buffers carry its "
		      "area id.  An ifq keeps at most 1024 areas, all with its buffer size, "
		      "until the session ends.  Exit 0 when added, 3 when the kernel has no "
		      "ADD_AREA, 1 when no session owns the queue or the kernel refused.\n"
		      "\n"
		      "       DEV   := network device name %s\n"
		      "       QUEUE := RX queue index\n"
		      "       SIZE  := bytes, a multiple of the page size (4K), such as 256K or 8M\n",
		      backend_text(BT_DEV_NAME)) < 0 ? NULL : doc;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct grow_args *a = state->input;
	uint64_t page = sysconf(_SC_PAGESIZE);

	switch (key) {
	case ARGP_KEY_ARG:
		if (a->nr_args < 2) {
			dev_queue_arg(state, arg, &a->dev, &a->queue, &a->nr_args);
		} else if (a->nr_args == 2) {
			if (parse_size(arg, &a->size))
				argp_error(state, "SIZE must be " SIZE_UNITS ", such as 256K or"
					   " 8M, not '%s'", arg);
			if (!a->size || a->size % page)
				argp_error(state, "SIZE must be a multiple of the page size (4K),"
					   " such as 256K or 8M, not '%s'", arg);
			a->nr_args++;
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		break;
	case ARGP_KEY_END:
		dev_queue_end(state, a->nr_args, a->dev, NULL);
		if (a->nr_args < 3)
			argp_error(state, "missing SIZE: the new area's bytes, such as 8M");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp grow_argp = {
	NULL, parse_opt, "DEV QUEUE SIZE", "", NULL, do_help, NULL
};

int do_grow(struct printer *pr, int argc, char **argv)
{
	struct grow_args a = { 0 };
	struct proto_request rq = { .cmd = PROTO_GROW };
	struct proto_reply rp;
	char err[600];
	int ret;

	ret = cmd_parse(&grow_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	rq.size = a.size;
	signal(SIGPIPE, SIG_IGN);
	if (client_ask(a.dev, a.queue, &rq, PROTO_BODY_GROWN, &rp, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_ERR;
	}
	if (!rp.ok) {
		p_err("%s queue %u: %s", a.dev, a.queue, rp.error);
		return rp.err == EOPNOTSUPP ? EXIT_MISSING : EXIT_ERR;
	}
	open_json_object(pr, NULL);
	print_string(pr, PRINT_ANY, "dev", "grown dev=%s", a.dev);
	print_uint(pr, PRINT_ANY, "queue", " queue=%u", a.queue);
	print_uint(pr, PRINT_ANY, "area-id", " area-id=%u", rp.area_id);
	print_uint(pr, PRINT_ANY, "size", " size=%llu", a.size);
	print_uint(pr, PRINT_ANY, "areas", " areas=%u", rp.nr_areas);
	print_uint(pr, PRINT_ANY, "area-size", " area-size=%llu", rp.area_size);
	if (rp.has_mode)
		backend_mode_print(pr, rp.mode);
	print_nl(pr);
	close_json_object(pr);
	print_end(pr);
	return EXIT_OK;
}
