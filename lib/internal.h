/* SPDX-License-Identifier: MIT */
/* libzcrx internals shared between its source files; not installed. */
#ifndef ZCRX_INTERNAL_H
#define ZCRX_INTERNAL_H

#include "zcrx.h"

#define ZCRX_EXPORT __attribute__((visibility("default")))

/* io_uring_register(2) as a -errno call */
int zcrx_sys_register(int fd, unsigned int op, void *arg, unsigned int nr_args);
/* fill gen / event_types / stats from the raw query results */
void zcrx_caps_derive(struct zcrx_caps *caps);

#endif
