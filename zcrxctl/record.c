// SPDX-License-Identifier: MIT
/* event / armed / stats / lost records, through a printer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "record.h"

static const char *const kind_name[] = {
	[RECORD_EVENT]	= "event",
	[RECORD_ARMED]	= "armed",
	[RECORD_STATS]	= "stats",
	[RECORD_LOST]	= "lost",
	[RECORD_GROW]	= "grow",
};

int ts_mode_parse(const char *s, enum ts_mode *m)
{
	if (!strcmp(s, "iso"))
		*m = TS_ISO;
	else if (!strcmp(s, "mono"))
		*m = TS_MONO;
	else if (!strcmp(s, "none"))
		*m = TS_NONE;
	else
		return -EINVAL;
	return 0;
}

/*
 * 2026-11-24T12:30:01.123456Z: the seconds formatted once per second (a
 * storm prints thousands of records in one), the fraction appended.
 */
static void fmt_iso(uint64_t ns, char *buf, size_t len)
{
	static struct {
		time_t	sec;
		size_t	n;
		char	head[32];	/* 2026-11-24T12:30:01 */
	} cache = { .sec = -1 };
	time_t sec = ns / 1000000000ULL;
	uint32_t us = ns % 1000000000ULL / 1000;
	struct tm tm;

	if (sec != cache.sec) {
		gmtime_r(&sec, &tm);
		cache.n = strftime(cache.head, sizeof(cache.head), "%Y-%m-%dT%H:%M:%S", &tm);
		cache.sec = sec;
	}
	if (cache.n + 9 > len) {
		snprintf(buf, len, "%s.%06uZ", cache.head, us);
		return;
	}
	memcpy(buf, cache.head, cache.n);
	buf += cache.n;
	*buf = '.';
	print_digits(buf + 7, us, 6);
	buf[7] = 'Z';
	buf[8] = '\0';
}

static void print_time(struct printer *pr, const struct record *r, enum ts_mode ts)
{
	char iso[48];

	if (!r->has_time || ts == TS_NONE)
		return;
	if (ts == TS_MONO) {
		print_uint(pr, PRINT_ANY, "time", " time=%llu", r->mono_ns);
		return;
	}
	fmt_iso(r->real_ns, iso, sizeof(iso));
	print_string(pr, PRINT_ANY, "time", " time=%s", iso);
}

static void print_copy_stats(struct printer *pr, const struct record *r)
{
	if (r->has_stats) {
		print_uint(pr, PRINT_ANY, "copy-count", " copy-count=%llu", r->copy_count);
		print_uint(pr, PRINT_ANY, "copy-bytes", " copy-bytes=%llu", r->copy_bytes);
	} else {
		print_null(pr, PRINT_ANY, "copy-count", " copy-count=%s");
		print_null(pr, PRINT_ANY, "copy-bytes", " copy-bytes=%s");
	}
}

/*
 * What repeats from record to record is printed once and copied after
 * (print_span): a record's head (its kind), where it is, and its mode
 * with the object's end; an armed record whole, which a storm prints
 * after every event.  Every span is part of an event or armed record,
 * which test_record keeps under half of PRINT_SPAN_MAX at its longest
 * (escaped device names, the largest numbers, pretty JSON).  Each span is
 * kept with the fields it printed; one set for text printers and one for
 * JSON (the subscribers' wire is JSON, and JSON bytes do not depend on the
 * stream they go to).
 */
enum span_keys {
	K_KIND	= 1,	/* the record's kind */
	K_WHERE	= 2,	/* dev, queue */
	K_ID	= 4,	/* zcrx id */
	K_MODE	= 8,
	K_EVENT	= 16,	/* the event's type */
	K_BY	= 32,
	K_NULLS	= 64,	/* and two nulls for copy stats: no field, the keys say it */
};

struct memo {
	struct print_span	span;
	unsigned int		keys;	/* which of the fields below it was kept for */
	enum record_kind	kind;
	enum zcrx_event		event;
	enum backend_mode	mode;
	uint32_t		queue;
	uint32_t		zcrx_id;
	char			dev[DEV_NAME_MAX];
	char			by[sizeof(((struct record *)0)->by)];
};

static struct memos {
	struct memo	head, where, tail, armed;
} memos[2];

/*
 * m's bytes again if they were printed for r's fields that keys names,
 * with the printer as it is (true: done); else the calls are to be made,
 * then print_span_end(), and m is kept for r where pr's buffer lets it be
 * (a printer that cannot keep it leaves it to one that can).
 */
static inline __attribute__((always_inline))
bool memo_again(struct printer *pr, struct memo *m, const struct record *r, unsigned int keys)
{
	if (m->keys == keys &&
	    (!(keys & K_KIND) || m->kind == r->kind) &&
	    (!(keys & K_MODE) || m->mode == r->mode) &&
	    (!(keys & K_ID) || m->zcrx_id == r->zcrx_id) &&
	    (!(keys & K_EVENT) || m->event == r->event) &&
	    /* all the bytes: equal ones are equal strings (unequal ones after the NUL only miss) */
	    (!(keys & K_BY) || !memcmp(m->by, r->by, sizeof(m->by))) &&
	    (!(keys & K_WHERE) || (m->queue == r->queue && !memcmp(m->dev, r->dev, sizeof(m->dev)))) &&
	    print_span_again(pr, &m->span))
		return true;
	if (!print_span_begin(pr, &m->span))
		return false;
	m->keys = keys;
	m->kind = r->kind;
	m->event = r->event;
	m->mode = r->mode;
	m->queue = r->queue;
	m->zcrx_id = r->zcrx_id;
	memcpy(m->dev, r->dev, sizeof(m->dev));
	memcpy(m->by, r->by, sizeof(m->by));
	return false;
}

static void print_head(struct printer *pr, struct memo *m, const struct record *r)
{
	if (memo_again(pr, m, r, K_KIND))
		return;
	open_json_object(pr, NULL);
	print_uint(pr, PRINT_JSON, "v", NULL, PROTO_VERSION);
	print_string(pr, PRINT_ANY, "record", "%s", kind_name[r->kind]);
	print_span_end(pr, &m->span);
}

/* dev and queue, and for an event its zcrx id and type after them */
static void print_where(struct printer *pr, struct memo *m, const struct record *r)
{
	bool event = r->kind == RECORD_EVENT;

	if (memo_again(pr, m, r, event ? K_WHERE | K_ID | K_EVENT : K_WHERE))
		return;
	print_string(pr, PRINT_ANY, "dev", " dev=%s", r->dev);
	print_uint(pr, PRINT_ANY, "queue", " queue=%llu", r->queue);
	if (event) {
		print_uint(pr, PRINT_ANY, "zcrx-id", " zcrx-id=%llu", r->zcrx_id);
		print_string(pr, PRINT_ANY, "event", " type=%s", zcrx_event_name(r->event));
	}
	print_span_end(pr, &m->span);
}

/* the mode and the object's end, after an event's copy stats when it has none */
static void print_tail(struct printer *pr, struct memo *m, const struct record *r)
{
	bool nulls = r->kind == RECORD_EVENT && !r->has_stats;

	if (memo_again(pr, m, r, nulls ? K_MODE | K_NULLS : K_MODE))
		return;
	if (nulls)
		print_copy_stats(pr, r);
	backend_mode_print(pr, r->mode);
	close_json_object(pr);
	print_span_end(pr, &m->span);
}

static void print_armed(struct printer *pr, struct memos *ms, const struct record *r)
{
	if (memo_again(pr, &ms->armed, r, K_KIND | K_WHERE | K_MODE | K_EVENT | K_BY))
		return;
	/* spans nest: the inner ones keep their own bytes, this one all of them */
	print_head(pr, &ms->head, r);
	print_string(pr, PRINT_ANY, "event", " type=%s", zcrx_event_name(r->event));
	print_string(pr, PRINT_ANY, "by", " by=%s", r->by);
	print_where(pr, &ms->where, r);
	print_tail(pr, &ms->tail, r);
	print_span_end(pr, &ms->armed.span);
}

void record_print_object(struct printer *pr, const struct record *r, enum ts_mode ts)
{
	struct memos *ms = &memos[print_is_json(pr)];

	if (r->kind == RECORD_ARMED) {
		print_armed(pr, ms, r);
		return;
	}
	print_head(pr, &ms->head, r);
	switch (r->kind) {
	case RECORD_EVENT:
		print_uint(pr, PRINT_ANY, "seq", " seq=%llu", r->seq);
		print_time(pr, r, ts);
		print_where(pr, &ms->where, r);
		print_uint(pr, PRINT_ANY, "count", " count=%llu", r->count);
		print_bool(pr, PRINT_JSON, "latched", NULL, r->latched);
		print_string(pr, PRINT_FP, NULL, " state=%s", r->latched ? "latched" : "armed");
		print_uint(pr, PRINT_ANY, "held", " held=%llu", r->held);
		print_uint(pr, PRINT_ANY, "rq-fill", " rq-fill=%llu", r->rq_fill);
		/* without stats, the two nulls come with the tail */
		if (r->has_stats)
			print_copy_stats(pr, r);
		break;
	case RECORD_ARMED:	/* printed whole, above */
		break;
	case RECORD_STATS:
		print_time(pr, r, ts);
		print_where(pr, &ms->where, r);
		print_uint(pr, PRINT_ANY, "rx-buffers", " rx-buffers=%llu", r->rx_buffers);
		if (r->has_packets)
			print_uint(pr, PRINT_ANY, "rx-packets", " rx-packets=%llu", r->rx_packets);
		else
			print_null(pr, PRINT_ANY, "rx-packets", " rx-packets=%s");
		print_uint(pr, PRINT_ANY, "rx-bytes", " rx-bytes=%llu", r->rx_bytes);
		print_uint(pr, PRINT_ANY, "rx-bps", " rx-bps=%llu", r->rx_bps);
		print_uint(pr, PRINT_ANY, "held", " held=%llu", r->held);
		print_uint(pr, PRINT_ANY, "rq-fill", " rq-fill=%llu", r->rq_fill);
		for (int t = 0; t < ZCRX_EV_COUNT; t++) {
			char fmt[32];

			snprintf(fmt, sizeof(fmt), " %s=%%llu", zcrx_event_name(t));
			print_uint(pr, PRINT_ANY, zcrx_event_name(t), fmt, r->fired[t]);
		}
		print_copy_stats(pr, r);
		print_uint(pr, PRINT_ANY, "recv-stalls", " recv-stalls=%llu", r->recv_stalls);
		if (r->has_overflows)
			print_uint(pr, PRINT_ANY, "recv-overflows", " recv-overflows=%llu",
				   r->recv_overflows);
		else
			print_null(pr, PRINT_ANY, "recv-overflows", " recv-overflows=%s");
		break;
	case RECORD_LOST:
		print_uint(pr, PRINT_ANY, "count", " count=%llu", r->lost);
		break;
	case RECORD_GROW:
		print_time(pr, r, ts);
		print_where(pr, &ms->where, r);
		print_string(pr, PRINT_ANY, "by", " by=%s", r->by);
		print_bool(pr, PRINT_ANY, "stopped", " stopped=%s", r->stopped);
		if (r->stopped) {
			print_string(pr, PRINT_ANY, "error", " error=\"%s\"", r->error);
		} else {
			print_uint(pr, PRINT_ANY, "area-id", " area-id=%llu", r->area_id);
			print_uint(pr, PRINT_ANY, "size", " size=%llu", r->size);
		}
		print_uint(pr, PRINT_ANY, "areas", " areas=%llu", r->nr_areas);
		print_uint(pr, PRINT_ANY, "area-size", " area-size=%llu", r->area_size);
		break;
	}
	print_tail(pr, &ms->tail, r);
}

int record_print(struct printer *pr, const struct record *r, enum ts_mode ts)
{
	errno = 0;
	record_print_object(pr, r, ts);
	print_nl(pr);
	print_record_end(pr);
	return print_failed(pr) ? (errno ? -errno : -EIO) : 0;
}

