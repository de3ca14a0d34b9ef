/* SPDX-License-Identifier: MIT */
/*
 * Protocol v1 on a session socket, for both ends: one JSON object per line.
 * A client sends requests (status, arm, subscribe); the session answers each
 * with one reply ({"v":1,"ok":true,...} or {"v":1,"ok":false,"error":...}),
 * and sends a subscriber records (event, armed, stats, lost).  Every line
 * either end writes is encoded here, and every line it reads decoded here,
 * but the requests a server reads: libzcrx serves sessions (zcrx_server.h);
 * nothing here touches a socket.
 */
#ifndef ZCRXCTL_PROTO_H
#define ZCRXCTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zcrx.h"
#include "backend.h"
#include "print.h"
#include "record.h"

#define PROTO_REQ_MAX	4096	/* request bytes, the newline excluded */
#define PROTO_AREA_RX_MAX	64	/* status: data CQEs of the first 64 areas */

enum proto_cmd {
	PROTO_STATUS,
	PROTO_ARM,
	PROTO_SUBSCRIBE,
	PROTO_GROW,		/* ZCRX_CTRL_ADD_AREA, Linux 7.3 */
};

struct proto_request {
	enum proto_cmd		cmd;
	bool			all;		/* arm: every type that fired */
	enum zcrx_event		event;		/* arm, unless all */
	uint64_t		size;		/* grow: the new area's bytes */
};

/* A session as it reports itself (the "session" of a status reply). */
struct proto_session {
	char			dev[DEV_NAME_MAX];
	uint32_t		queue;
	uint32_t		zcrx_id;
	uint64_t		pid;
	bool			has_prog;	/* prog valid: sessions before 0.4 send none */
	char			prog[64];	/* the serving program's name */
	uint64_t		uptime_s;
	enum backend_mode	mode;
	uint32_t		events;		/* enabled types */
	uint32_t		fired;		/* of those, the ones latched */
	uint64_t		count[ZCRX_EV_COUNT];
	bool			has_stats;	/* copy_* valid; null otherwise */
	uint64_t		copy_count;
	uint64_t		copy_bytes;
	uint64_t		recv_stalls;
	bool			has_overflows;	/* recv_overflows valid: a 0.1 session has none */
	uint64_t		recv_overflows;
	bool			has_lost;	/* lost_records valid: older sessions have none */
	uint64_t		lost_records;	/* dropped for slow subscribers, since start */
	bool			has_areas;	/* the rest valid: a 0.3 session has none */
	uint32_t		nr_areas;
	uint64_t		area_size;	/* all areas */
	uint32_t		nr_area_rx;	/* min(nr_areas, PROTO_AREA_RX_MAX) */
	uint64_t		area_rx[PROTO_AREA_RX_MAX];	/* data CQEs per area id */
};

enum proto_reply_body {
	PROTO_BODY_NONE,	/* subscribe, and every refusal */
	PROTO_BODY_SESSION,	/* status */
	PROTO_BODY_ARMED,	/* arm */
	PROTO_BODY_GROWN,	/* grow */
};

struct proto_reply {
	bool			ok;
	int			err;		/* refusal: an errno it names, or 0 */
	char			error[512];	/* refusal: the sentence */
	enum proto_reply_body	body;
	struct proto_session	session;	/* PROTO_BODY_SESSION */
	uint32_t		armed;		/* PROTO_BODY_ARMED: types re-armed */
	bool			has_mode;	/* ARMED, GROWN: a 0.1/0.4.0 session sends none */
	enum backend_mode	mode;		/* ARMED, GROWN: the session's */
	uint32_t		area_id;	/* PROTO_BODY_GROWN: the new area's */
	uint32_t		nr_areas;	/* PROTO_BODY_GROWN: the session's, after it */
	uint64_t		area_size;	/* PROTO_BODY_GROWN: all its areas' bytes */
};

/*
 * One line built in memory through a printer of its own (compact JSON):
 * proto_line_open(), any print_*() on l->pr, proto_line_close().
 */
struct proto_line {
	struct printer		pr;
	FILE			*f;
	char			*buf;
	size_t			len;
};

/* 0 or -ENOMEM. */
int proto_line_open(struct proto_line *l);
/* The line, '\n'-terminated and malloc'd, its length in *len; NULL if out of memory. */
char *proto_line_close(struct proto_line *l, size_t *len);

/* Encoders: a malloc'd '\n'-terminated line and its length, or NULL (no memory). */
char *proto_request_encode(const struct proto_request *rq, size_t *len);
char *proto_reply_encode(const struct proto_reply *rp, size_t *len);
char *proto_record_encode(const struct record *r, size_t *len);
/*
 * The same line in a buffer of proto.c's own, which the next call reuses:
 * a session builds one per record, thousands a second in a storm.  Only
 * its len bytes are the line: no NUL is promised after them.
 */
const char *proto_record_line(const struct record *r, size_t *len);

/*
 * A reply line as a client reads it, expecting body when ok: 0 (a refusal
 * is rp->ok false), or -EPROTO when it is not protocol v1.
 */
int proto_reply_decode(const char *line, size_t len, enum proto_reply_body body,
		       struct proto_reply *rp);
/* A record line: 0, -EINVAL (malformed), -ENOENT (another kind of record). */
int proto_record_decode(const char *line, size_t len, struct record *r);
/* The same through the JSON reader's tree alone, which the first must agree with. */
int proto_record_decode_tree(const char *line, size_t len, struct record *r);

/* A session's status object, on the wire and for `status -j` alike. */
void proto_session_print(struct printer *pr, const struct proto_session *s);

#endif
