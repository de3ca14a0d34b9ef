/* SPDX-License-Identifier: MIT */
/*
 * What watch and subscribe share as streams of records on stdout: -c, -t
 * and --timestamp, a stdout whose reader went away, and the summary line.
 */
#ifndef ZCRXCTL_STREAM_H
#define ZCRXCTL_STREAM_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "zcrx.h"
#include "backend.h"
#include "record.h"

enum {
	OPT_TIMESTAMP = 0x400,
};

/* -c, -t and --timestamp: how watch and subscribe stream records */
struct stream_opts {
	uint64_t	count;		/* exit 0 after this many events; 0 = no limit */
	uint64_t	timeout_ns;	/* stop after this long; 0 = never */
	enum ts_mode	ts;
};

#define STREAM_ARGP_OPTIONS							\
	{ "count", 'c', "N", 0, "exit 0 after N events", 0 },			\
	{ "timeout", 't', "DUR", 0, "stop after DUR; exit 2 if no event came", 0 },	\
	{ "timestamp", OPT_TIMESTAMP, "iso|mono|none", 0,			\
	  "time of each record: ISO 8601 UTC (default), CLOCK_MONOTONIC ns, or none", 0 }

/* An argp key of STREAM_ARGP_OPTIONS: 0 when taken, else ARGP_ERR_UNKNOWN. */
error_t stream_opt_parse(int key, char *arg, struct argp_state *state, struct stream_opts *o);

/* Is stdout a pipe or socket? (Its reader going away then shows as POLLERR.) */
bool stdout_is_pipe(void);
/* Is stdout a pipe or socket whose reader has gone? */
bool stdout_broken(void);
/*
 * Writing to stdout failed with err: drop what stdio still holds and send
 * the rest to /dev/null.  True when its reader went away (`| head -1`: it
 * has what it wanted, a quiet end); false after saying on stderr that the
 * output was lost (a failure).
 */
bool stdout_lost(int err);

/* "Watched DEV queue Q for 1.2s: N events (...)" on stderr, unless -q. */
void stream_summary(const char *dev, uint32_t queue, uint64_t ns, uint64_t events,
		    const uint64_t *fired, bool timed_out, enum backend_mode mode);
/* The same, with ", recv-stalls N, recv-overflows N" when either is non-zero. */
void stream_summary_recv(const char *dev, uint32_t queue, uint64_t ns, uint64_t events,
			 const uint64_t *fired, uint64_t stalls, uint64_t overflows,
			 bool timed_out, enum backend_mode mode);

#endif
