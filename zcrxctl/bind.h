/* SPDX-License-Identifier: MIT */
/*
 * BIND OPTIONS: the command line of bind, which watch shares (parsed in
 * bind.c, with backend_argp as a child for the backend options).
 */
#ifndef ZCRXCTL_BIND_H
#define ZCRXCTL_BIND_H

#include <argp.h>

#include "session/session.h"

enum {
	OPT_AREA_SIZE = 0x200,
	OPT_RQ_ENTRIES,
	OPT_RX_BUF_LEN,
	OPT_HUGEPAGES,
	OPT_EVENTS,
	OPT_USER_DATA,
	OPT_STATS,
	OPT_LISTEN,
	OPT_CONSUME_DELAY,
	OPT_HOLD,
	OPT_CHECK,
	/* watch */
	OPT_REARM,
	OPT_HOLDOFF,
	OPT_STATS_INTERVAL,
	OPT_WAIT_CLEAR,
	OPT_AUTO_GROW,
};

#define BIND_OPTIONS_GROUP	10
#define BIND_STR_(x)		#x
#define BIND_STR(x)		BIND_STR_(x)
#define RQ_ENTRIES_MAX_STR	BIND_STR(ZCRX_RQ_ENTRIES_MAX)

#define BIND_ARGP_OPTIONS							\
	{ NULL, 0, NULL, 0, "Bind options:", BIND_OPTIONS_GROUP },		\
	{ "area-size", OPT_AREA_SIZE, "SIZE", 0,				\
	  "zcrx area size (default 8M)", BIND_OPTIONS_GROUP },			\
	{ "rq-entries", OPT_RQ_ENTRIES, "N", 0,					\
	  "refill ring entries, 1.." RQ_ENTRIES_MAX_STR " (default 4096)",	\
	  BIND_OPTIONS_GROUP },							\
	{ "rx-buf-len", OPT_RX_BUF_LEN, "SIZE", 0,				\
	  "rx buffer size: a power of two, at least a page (default a page)",	\
	  BIND_OPTIONS_GROUP },							\
	{ "hugepages", OPT_HUGEPAGES, NULL, 0,					\
	  "back the area with 2 MiB huge pages", BIND_OPTIONS_GROUP },		\
	{ "events", OPT_EVENTS, "LIST", 0,					\
	  "events to enable: alloc-fail, copy, all or none (default: all the "	\
	  "kernel has)", BIND_OPTIONS_GROUP },					\
	{ "user-data", OPT_USER_DATA, "N", 0,					\
	  "user_data of event CQEs (default 0x7a637278ffff0000)",		\
	  BIND_OPTIONS_GROUP },							\
	{ "stats", OPT_STATS, NULL, 0,						\
	  "share the kernel's copy-fallback stats (copy-count, copy-bytes)",	\
	  BIND_OPTIONS_GROUP },							\
	{ "listen", OPT_LISTEN, "[ADDR:]PORT", 0,				\
	  "accept TCP connections and receive them zero-copy",			\
	  BIND_OPTIONS_GROUP },							\
	{ "consume-delay", OPT_CONSUME_DELAY, "DUR", 0,			\
	  "--listen: hold each buffer DUR before returning it",		\
	  BIND_OPTIONS_GROUP },							\
	{ "hold", OPT_HOLD, "N", 0,						\
	  "--listen: keep N buffers, return the rest", BIND_OPTIONS_GROUP },	\
	{ "wait-clear", OPT_WAIT_CLEAR, "DUR", 0,				\
	  "a queue that still carries a memory provider: wait up to DUR for "	\
	  "it to clear (else exit 2)", BIND_OPTIONS_GROUP },			\
	{ "auto-grow", OPT_AUTO_GROW, "SIZE[,MAX]", 0,				\
	  "add an area of SIZE on each alloc-fail (--nodev: each receive that "	\
	  "ran out of buffers) until all areas hold MAX (default: 8 areas of "	\
	  "SIZE beyond --area-size); Linux 7.3", BIND_OPTIONS_GROUP }

void bind_opts_init(struct session_opts *o);
/* An argp key of BIND OPTIONS or DEV/QUEUE: 0 when taken, else ARGP_ERR_UNKNOWN. */
error_t bind_opt_parse(int key, char *arg, struct argp_state *state, struct session_opts *o);
/* The exit status for session_open()'s -errno: EXIT_TIMEOUT after --wait-clear, else EXIT_ERR. */
int bind_open_status(const struct session_opts *o, int err);
/* At ARGP_KEY_END: DEV and QUEUE given, options that need another one. */
void bind_opts_check(struct argp_state *state, const struct session_opts *o);

#endif
