/* SPDX-License-Identifier: MIT */
/*
 * The records a live session produces (event, armed, stats, lost): built
 * from the session's state, printed through the print layer as a text line
 * or one NDJSON object, serialised to a protocol line, and parsed back from
 * one, so that `subscribe` prints exactly what `watch` prints.
 */
#ifndef ZCRXCTL_RECORD_H
#define ZCRXCTL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zcrx.h"

#define PROTO_VERSION	1
#define DEV_NAME_MAX	16	/* IF_NAMESIZE, the NUL included */

enum record_kind {
	RECORD_EVENT,
	RECORD_ARMED,
	RECORD_STATS,
	RECORD_LOST,
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
	bool			simulated;
	bool			nodev;		/* a kernel ifq without a NIC */
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
	bool			has_packets;	/* rx_packets known (the simulator); null otherwise */
	uint64_t		rx_packets;
	uint64_t		recv_stalls;	/* receives that ran out of buffers, resubmitted */
	uint64_t		rx_bytes;
	uint64_t		rx_bps;		/* over the last interval */
	uint64_t		fired[ZCRX_EV_COUNT];
	/* lost */
	uint64_t		lost;
};

/* Print one record on stdout (text line or NDJSON object) and flush it. */
void record_print(const struct record *r, enum ts_mode ts);
/* The protocol line for r (as `watch -j` prints it), '\n'-terminated; malloc'd. */
char *record_wire(const struct record *r, size_t *len);
/* Parse a protocol record line: 0, -EINVAL (malformed), -ENOENT (other record kind). */
int record_parse(const char *line, size_t len, struct record *r);

/* "nic", "nodev" or "sim": what kind of ifq a session holds */
const char *record_mode(bool simulated, bool nodev);

/* "iso", "mono", "none": 0 or -EINVAL */
int ts_mode_parse(const char *s, enum ts_mode *m);

/*
 * Build one protocol line with the print layer: between wire_begin() and
 * wire_end() every print_*() call writes compact JSON to memory.
 */
void wire_begin(void);
char *wire_end(size_t *len);

struct json;
/* Print a parsed JSON value through the print layer (JSON mode), under key. */
void json_reprint(const struct json *j, const char *key);

#endif
