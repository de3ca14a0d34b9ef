/* SPDX-License-Identifier: MIT */
/* zcrxctl show: printing a netdev view, apart from asking the kernel for it. */
#ifndef ZCRXCTL_SHOW_H
#define ZCRXCTL_SHOW_H

#include <stdbool.h>
#include <stdint.h>

#include "zcrx_diag.h"
#include "print.h"

struct show_args {
	const char	*dev;
	bool		has_queue;
	uint32_t	queue;
	uint64_t	now;	/* s of CLOCK_BOOTTIME, for "detached N s ago"; 0 = unknown */
};

/*
 * Print list (from zcrx_netdev_dump(a->dev, ...)) as show does, text or
 * JSON; a->has_queue limits each device to a->queue (the caller checked it).
 */
void show_print(struct printer *pr, const struct zcrx_netdev_list *list,
		const struct show_args *a);

#endif
