/* SPDX-License-Identifier: MIT */
/*
 * The records a live session produces (event, armed, stats, lost), and how
 * one prints through a printer: a text line, or one NDJSON object.  The
 * protocol (proto.c) sends the same object on the wire and reads it back,
 * so that `subscribe` prints exactly what `watch` prints.
 */
#ifndef ZCRXCTL_RECORD_H
#define ZCRXCTL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zcrx.h"
#include "backend.h"
#include "parse.h"
#include "print.h"

/* Protocol v1: the schema version ("v") of every record and protocol line */
#define PROTO_VERSION	1

enum record_kind {
	RECORD_EVENT,
	RECORD_ARMED,
	RECORD_STATS,
	RECORD_LOST,
	RECORD_GROW,
};

enum ts_mode {
	TS_ISO,		/* "time": "2026-11-24T12:30:01.123456Z" */
	TS_MONO,	/* "time": CLOCK_MONOTONIC ns */
	TS_NONE,	/* no "time" */
};

struct record {
	enum record_kind	kind;
	bool			has_time;
	uint64_t		real_ns;	/* CLOCK_REALTIME */
	uint64_t		mono_ns;	/* CLOCK_MONOTONIC */
	char			dev[DEV_NAME_MAX];
	uint32_t		queue;
	uint32_t		zcrx_id;
	enum backend_mode	mode;		/* of the session's ifq */
	/* event */
	uint64_t		seq;
	enum zcrx_event		event;		/* event, armed */
	uint64_t		count;
	bool			latched;
	uint32_t		held;		/* event, stats */
	uint32_t		rq_fill;	/* event, stats */
	bool			has_stats;	/* copy_* valid; null otherwise */
	uint64_t		copy_count;
	uint64_t		copy_bytes;
	/* armed: who re-armed ("arm", "auto", "key", "signal") */
	char			by[16];
	/* stats */
	uint64_t		rx_buffers;	/* data CQEs: one buffer each */
	bool			has_packets;	/* rx_packets known (backend_rx_counters); null otherwise */
	uint64_t		rx_packets;
	uint64_t		recv_stalls;	/* receives that ran out of buffers, resubmitted */
	bool			has_overflows;	/* recv_overflows valid: a 0.1 session has none */
	uint64_t		recv_overflows;	/* receives stopped by a full CQ, resubmitted */
	uint64_t		rx_bytes;
	uint64_t		rx_bps;		/* over the last interval */
	uint64_t		fired[ZCRX_EV_COUNT];
	/* lost */
	uint64_t		lost;
	/* grow: an area added (by: "alloc-fail", "recv-stalled"), or growing stopped */
	uint32_t		area_id;
	uint64_t		size;		/* the new area's bytes */
	uint32_t		nr_areas;	/* grow, after it */
	uint64_t		area_size;	/* all areas' bytes */
	bool			stopped;	/* no more: MAX reached or the kernel refused */
	char			error[512];	/* stopped: why, in words */
};

/*
 * Print one record (text line or NDJSON object); streams flush once per
 * loop wake-up.  0, or -errno (-EIO when unknown) when the write failed.
 */
int record_print(struct printer *pr, const struct record *r, enum ts_mode ts);
/* The record's object alone, as it goes on the wire (JSON, ts TS_ISO). */
void record_print_object(struct printer *pr, const struct record *r, enum ts_mode ts);

/* "iso", "mono", "none": 0 or -EINVAL */
int ts_mode_parse(const char *s, enum ts_mode *m);

#endif
