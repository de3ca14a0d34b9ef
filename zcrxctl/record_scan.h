/* SPDX-License-Identifier: MIT */
/*
 * A record line's members by name, read without a tree: record_scan() takes
 * the flat objects a session writes in one pass and allocates nothing;
 * anything else (an unknown or escaped key, a nested value, an escape in a
 * string, a number that is not a plain unsigned integer, any syntax error)
 * it leaves to the JSON reader, whose tree record_fields() reads into the
 * same table.  Either way proto_record_decode() judges the one table.
 */
#ifndef ZCRXCTL_RECORD_SCAN_H
#define ZCRXCTL_RECORD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_reader.h"
#include "zcrx.h"

/* The members a record may carry, every kind's */
enum rkey {
	RK_V, RK_RECORD, RK_SEQ, RK_TIME, RK_DEV, RK_QUEUE, RK_ZCRX_ID, RK_EVENT,
	RK_COUNT, RK_LATCHED, RK_HELD, RK_RQ_FILL, RK_COPY_COUNT, RK_COPY_BYTES, RK_BY,
	RK_RX_BUFFERS, RK_RX_PACKETS, RK_RX_BYTES, RK_RX_BPS, RK_RECV_STALLS,
	RK_RECV_OVERFLOWS, RK_AREA_ID, RK_SIZE, RK_AREAS, RK_AREA_SIZE, RK_STOPPED,
	RK_ERROR, RK_SIMULATED, RK_MODE,
	RK_FIRED,			/* stats: one per event type, by its name */
	RK_NR = RK_FIRED + ZCRX_EV_COUNT,
};

/* One member's value, as the JSON reader's typed reads would see it */
struct rval {
	enum json_type	type;
	bool		b;		/* JSON_BOOL */
	bool		u64_ok;		/* JSON_NUM: json_u64() holds */
	uint64_t	u;
	const char	*s;		/* JSON_STR: UTF-8, no NUL among its len bytes */
	size_t		len;
	bool		cstr;		/* s[len] is a NUL */
};

struct rfields {
	uint64_t	have;		/* 1 << enum rkey */
	struct rval	v[RK_NR];
};

/* The member, NULL when absent */
static inline const struct rval *rf_get(const struct rfields *f, enum rkey k)
{
	return f->have & (1ULL << k) ? &f->v[k] : NULL;
}

/* 0, or -EAGAIN: not a line this reads (the JSON reader decides it). */
int record_scan(const char *line, size_t len, struct rfields *f);
/* The members of a parsed object: 0, or -EINVAL when o is not an object. */
int record_fields(const struct json *o, struct rfields *f);

#endif
