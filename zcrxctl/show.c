// SPDX-License-Identifier: MIT
/* zcrxctl show [DEV [QUEUE]]: netdevs, their RX queues and zcrx readiness (show_print.c prints). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zcrx.h"
#include "zcrx_diag.h"
#include "main.h"
#include "show.h"

/* The grammar: argp prints "Usage: zcrxctl show [OPTION...] [DEV [QUEUE]]", then this. */
static char *do_help(int key, const char *text, void *input)
{
	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return strdup("Show every netdev (or DEV): driver, rings (tcp-data-split, "
		      "hds-thresh), channels, RX queues with their NAPI, memory providers "
		      "and queue stats (rx-alloc-fail named when not zero), the io-uring "
		      "provider's rx-buf-len and a lease where the kernel reports them, each "
		      "queue's page pools with their stats, pools detached with pages still in "
		      "flight, pools whose device is gone, and whether each RX queue (or QUEUE) "
		      "can host zcrx, with the command that fixes each reason it cannot.\n"
		      "\n"
		      "       DEV   := network device name, as in 'ip link show'\n"
		      "       QUEUE := RX queue index, 0..N-1\n");
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct show_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		if (state->arg_num == 0) {
			a->dev = arg;
		} else if (state->arg_num == 1) {
			if (parse_u32(arg, &a->queue))
				argp_error(state, "QUEUE must be an RX queue number, not '%s'", arg);
			a->has_queue = true;
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp show_argp = {
	NULL, parse_opt, "[DEV [QUEUE]]", "", NULL, do_help, NULL
};

static uint64_t boottime_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts))
		return 0;
	return (uint64_t)ts.tv_sec;
}

static bool list_has_pools(const struct zcrx_netdev_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++)
		if (list->dev[i].nr_pools)
			return true;
	return list->nr_orphan_pools;
}

int do_show(struct printer *pr, int argc, char **argv)
{
	struct show_args args = { 0 };
	struct zcrx_netdev_list list;
	int ret;

	ret = cmd_parse(&show_argp, argc, argv, &args);
	if (ret >= 0)
		return ret;

	ret = zcrx_netdev_dump(args.dev, &list);
	if (ret == -ENODEV && args.dev) {
		p_err("device '%s' not found: see 'ip link show'", args.dev);
		return EXIT_ERR;
	}
	if (ret) {
		p_err("cannot list network devices: %s", strerror(-ret));
		return EXIT_ERR;
	}

	if (args.has_queue) {
		uint32_t nr = zcrx_netdev_nr_rx(&list.dev[0]);

		if (args.queue >= nr) {
			if (nr)
				p_err("queue %u out of range: %s has %u RX queue%s (0..%u)",
				      args.queue, args.dev, nr, nr == 1 ? "" : "s", nr - 1);
			else
				p_err("queue %u out of range: %s reports no RX queues",
				      args.queue, args.dev);
			zcrx_netdev_list_free(&list);
			return EXIT_ERR;
		}
	}

	/* the clock only dates detached pools */
	if (list_has_pools(&list))
		args.now = boottime_s();
	show_print(pr, &list, &args);
	zcrx_netdev_list_free(&list);
	return EXIT_OK;
}
