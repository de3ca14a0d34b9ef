// SPDX-License-Identifier: MIT
/*
 * Protocol v1, both ends: requests, replies and records, to a line and back.
 * Lines are built through a printer of their own on a memory stream, so the
 * wire and `watch -j` / `status -j` print the same objects the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "json_reader.h"
#include "parse.h"
#include "proto.h"
#include "record_scan.h"
#include "utf8.h"

static const char *const cmd_name[] = {
	[PROTO_STATUS]		= "status",
	[PROTO_ARM]		= "arm",
	[PROTO_SUBSCRIBE]	= "subscribe",
	[PROTO_GROW]		= "grow",
};

/* ------------------------------------------------------------------ */
/* Lines in memory                                                     */
/* ------------------------------------------------------------------ */

int proto_line_open(struct proto_line *l)
{
	l->buf = NULL;
	l->len = 0;
	l->f = open_memstream(&l->buf, &l->len);
	if (!l->f)
		return -ENOMEM;
	printer_init(&l->pr, l->f, true, false, COLOR_NEVER);
	return 0;
}

char *proto_line_close(struct proto_line *l, size_t *len)
{
	bool failed;

	print_end(&l->pr);
	failed = print_failed(&l->pr);
	if (fclose(l->f) || failed) {
		free(l->buf);
		return NULL;
	}
	*len = l->len;
	return l->buf;
}

static void line_head(struct proto_line *l)
{
	open_json_object(&l->pr, NULL);
	print_uint(&l->pr, PRINT_JSON, "v", NULL, PROTO_VERSION);
}

/* ------------------------------------------------------------------ */
/* Encoders                                                            */
/* ------------------------------------------------------------------ */

char *proto_request_encode(const struct proto_request *rq, size_t *len)
{
	struct proto_line l;

	if (proto_line_open(&l))
		return NULL;
	line_head(&l);
	print_string(&l.pr, PRINT_JSON, "cmd", NULL, cmd_name[rq->cmd]);
	if (rq->cmd == PROTO_ARM)
		print_string(&l.pr, PRINT_JSON, "event", NULL,
			     rq->all ? "all" : zcrx_event_name(rq->event));
	if (rq->cmd == PROTO_GROW)
		print_uint(&l.pr, PRINT_JSON, "size", NULL, rq->size);
	return proto_line_close(&l, len);
}

static void print_events(struct printer *pr, const char *key, uint32_t mask)
{
	open_json_array(pr, key);
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (mask & ZCRX_EV_MASK(t))
			print_string(pr, PRINT_JSON, NULL, NULL, zcrx_event_name(t));
	close_json_array(pr);
}

void proto_session_print(struct printer *pr, const struct proto_session *s)
{
	open_json_object(pr, "session");
	print_string(pr, PRINT_JSON, "dev", NULL, s->dev);
	print_uint(pr, PRINT_JSON, "queue", NULL, s->queue);
	print_uint(pr, PRINT_JSON, "zcrx-id", NULL, s->zcrx_id);
	print_uint(pr, PRINT_JSON, "pid", NULL, s->pid);
	if (s->has_prog)
		print_string(pr, PRINT_JSON, "prog", NULL, s->prog);
	print_uint(pr, PRINT_JSON, "uptime-s", NULL, s->uptime_s);
	backend_mode_print(pr, s->mode);
	print_events(pr, "events", s->events);
	open_json_object(pr, "types");
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		if (!(s->events & ZCRX_EV_MASK(t)))
			continue;
		open_json_object(pr, zcrx_event_name(t));
		print_string(pr, PRINT_JSON, "state", NULL,
			     s->fired & ZCRX_EV_MASK(t) ? "fired" : "armed");
		print_uint(pr, PRINT_JSON, "count", NULL, s->count[t]);
		close_json_object(pr);
	}
	close_json_object(pr);
	if (s->has_stats) {
		print_uint(pr, PRINT_JSON, "copy-count", NULL, s->copy_count);
		print_uint(pr, PRINT_JSON, "copy-bytes", NULL, s->copy_bytes);
	} else {
		print_null(pr, PRINT_JSON, "copy-count", NULL);
		print_null(pr, PRINT_JSON, "copy-bytes", NULL);
	}
	print_uint(pr, PRINT_JSON, "recv-stalls", NULL, s->recv_stalls);
	if (s->has_overflows)
		print_uint(pr, PRINT_JSON, "recv-overflows", NULL, s->recv_overflows);
	else
		print_null(pr, PRINT_JSON, "recv-overflows", NULL);
	if (s->has_lost)
		print_uint(pr, PRINT_JSON, "lost-records", NULL, s->lost_records);
	if (s->has_areas) {
		print_uint(pr, PRINT_JSON, "areas", NULL, s->nr_areas);
		print_uint(pr, PRINT_JSON, "area-size", NULL, s->area_size);
		open_json_array(pr, "area-rx-buffers");
		for (uint32_t i = 0; i < s->nr_area_rx; i++)
			print_uint(pr, PRINT_JSON, NULL, NULL, s->area_rx[i]);
		close_json_array(pr);
	}
	close_json_object(pr);
}

char *proto_reply_encode(const struct proto_reply *rp, size_t *len)
{
	struct proto_line l;

	if (proto_line_open(&l))
		return NULL;
	line_head(&l);
	print_bool(&l.pr, PRINT_JSON, "ok", NULL, rp->ok);
	if (!rp->ok) {
		if (rp->err && strerrorname_np(rp->err))
			print_string(&l.pr, PRINT_JSON, "errno", NULL, strerrorname_np(rp->err));
		print_string(&l.pr, PRINT_JSON, "error", NULL, rp->error);
	} else if (rp->body == PROTO_BODY_SESSION) {
		proto_session_print(&l.pr, &rp->session);
	} else if (rp->body == PROTO_BODY_ARMED) {
		print_events(&l.pr, "armed", rp->armed);
		backend_mode_print(&l.pr, rp->mode);
	} else if (rp->body == PROTO_BODY_GROWN) {
		print_uint(&l.pr, PRINT_JSON, "area-id", NULL, rp->area_id);
		print_uint(&l.pr, PRINT_JSON, "areas", NULL, rp->nr_areas);
		print_uint(&l.pr, PRINT_JSON, "area-size", NULL, rp->area_size);
		if (rp->has_mode)
			backend_mode_print(&l.pr, rp->mode);
	}
	return proto_line_close(&l, len);
}

const char *proto_record_line(const struct record *r, size_t *len)
{
	/* one memory stream for the process, rewound for each line */
	static struct proto_line l;

	if (l.f)
		rewind(l.f);
	else if (proto_line_open(&l))
		return NULL;
	record_print_object(&l.pr, r, TS_ISO);
	print_end(&l.pr);
	if (print_failed(&l.pr)) {
		fclose(l.f);
		free(l.buf);
		l.f = NULL;
		return NULL;
	}
	*len = l.len;
	return l.buf;
}

char *proto_record_encode(const struct record *r, size_t *len)
{
	const char *line = proto_record_line(r, len);
	char *copy = line ? malloc(*len + 1) : NULL;

	/* the rewound stream may hold a longer line's bytes past len: no NUL there */
	if (copy) {
		memcpy(copy, line, *len);
		copy[*len] = '\0';
	}
	return copy;
}

/* ------------------------------------------------------------------ */
/* Decoders                                                            */
/* ------------------------------------------------------------------ */

/*
 * A sentence snprintf() cut to its buffer may end inside a character: drop
 * that part, so what a session writes and a client prints stays UTF-8 (the
 * JSON reader refuses anything else).  s was UTF-8 up to the cut.
 */
static void utf8_cut(char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n;

	while (p < end && (n = utf8_len(p, end)))
		p += n;
	*(char *)p = '\0';
}

/* A JSON array of event names as a mask: false on anything else. */
static bool get_events(const struct json *a, uint32_t *mask)
{
	int t;

	if (json_type(a) != JSON_ARR)
		return false;
	*mask = 0;
	for (size_t i = 0; i < json_len(a); i++) {
		t = zcrx_event_parse(json_str(json_at(a, i)));
		if (t < 0)
			return false;
		*mask |= ZCRX_EV_MASK(t);
	}
	return true;
}

static int parse_iso(const char *s, uint64_t *ns)
{
	struct tm tm = { 0 };
	uint64_t frac = 0, scale = 1000000000ULL;
	const char *p;
	time_t sec;

	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	if (strcmp(p, "Z"))
		return -EINVAL;
	sec = timegm(&tm);
	/* nanoseconds in a u64 run out in 2554: later times are refused */
	if (sec < 0 || (uint64_t)sec >= UINT64_MAX / 1000000000ULL)
		return -EINVAL;
	*ns = (uint64_t)sec * 1000000000ULL + frac;
	return 0;
}

static unsigned int digits2(const char *s)
{
	unsigned int a = (unsigned char)s[0] - '0', b = (unsigned char)s[1] - '0';

	return a <= 9 && b <= 9 ? a * 10 + b : 100;
}

/*
 * parse_iso() without strptime() and timegm(), for what a session writes:
 * "YYYY-MM-DDTHH:MM:SS[.digits]Z" with every field in its range, 1970 to
 * 2500.  -EAGAIN for anything else, which parse_iso() judges.
 */
static int parse_iso_fast(const char *s, size_t n, uint64_t *ns)
{
	static const unsigned char mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	uint64_t frac = 0, scale = 1000000000ULL, days;
	unsigned int y, mo, d, h, mi, sec, era, yoe, doy;
	size_t p = 19;
	bool leap;

	if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[n - 1] != 'Z')
		return -EAGAIN;
	y = digits2(s) * 100 + digits2(s + 2);
	mo = digits2(s + 5);
	d = digits2(s + 8);
	h = digits2(s + 11);
	mi = digits2(s + 14);
	sec = digits2(s + 17);
	if (y < 1970 || y > 2500 || mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59)
		return -EAGAIN;
	leap = !(y % 4) && (y % 100 || !(y % 400));
	if (d < 1 || d > mdays[mo - 1] + (unsigned int)(mo == 2 && leap))
		return -EAGAIN;
	if (s[p] == '.') {
		for (p++; p < n && (unsigned int)(s[p] - '0') <= 9; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (s[p] - '0') * scale;
			}
		}
	}
	if (p != n - 1)
		return -EAGAIN;
	/* days from 1970-01-01 (H. Hinnant's days_from_civil) */
	y -= mo <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	days = (uint64_t)era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
	*ns = ((days * 24 + h) * 60 + mi) * 60 + sec;
	*ns = *ns * 1000000000ULL + frac;
	return 0;
}

static bool get_u64(const struct json *o, const char *key, uint64_t *v)
{
	return json_u64(json_get(o, key), v);
}

static bool get_u32(const struct json *o, const char *key, uint32_t *v)
{
	uint64_t x;

	if (!get_u64(o, key, &x) || x > UINT32_MAX)
		return false;
	*v = x;
	return true;
}

/* A number added after 0.1: absent (an older session) or null leaves *has false. */
static bool get_opt_u64(const struct json *o, const char *key, bool *has, uint64_t *v)
{
	const struct json *p = json_get(o, key);

	if (!p || json_type(p) == JSON_NULL)
		return true;
	*has = true;
	return get_u64(o, key, v);
}

/*
 * A record from its members (record_scan.h), whichever reader found them.
 * defer: the flat scanner's string needs the full parser (a time only
 * strptime() can judge); the caller asks the JSON reader instead.
 */
struct fill {
	const struct rfields	*f;
	struct record		*r;
	bool			defer;
};

static const struct rval *rv(const struct fill *fl, enum rkey k)
{
	return rf_get(fl->f, k);
}

static bool rv_u64(const struct fill *fl, enum rkey k, uint64_t *out)
{
	const struct rval *v = rv(fl, k);

	if (!v || v->type != JSON_NUM || !v->u64_ok)
		return false;
	*out = v->u;
	return true;
}

static bool rv_u32(const struct fill *fl, enum rkey k, uint32_t *out)
{
	uint64_t x;

	if (!rv_u64(fl, k, &x) || x > UINT32_MAX)
		return false;
	*out = x;
	return true;
}

static bool rv_bool(const struct fill *fl, enum rkey k, bool *out)
{
	const struct rval *v = rv(fl, k);

	if (!v || v->type != JSON_BOOL)
		return false;
	*out = v->b;
	return true;
}

static const struct rval *rv_str(const struct fill *fl, enum rkey k)
{
	const struct rval *v = rv(fl, k);

	return v && v->type == JSON_STR ? v : NULL;
}

static bool rv_is(const struct rval *v, const char *s)
{
	return strlen(s) == v->len && !memcmp(v->s, s, v->len);
}

/* The string into dst when it fits with its NUL */
static bool rv_copy(const struct fill *fl, enum rkey k, char *dst, size_t size)
{
	const struct rval *v = rv_str(fl, k);

	if (!v || v->len >= size)
		return false;
	memcpy(dst, v->s, v->len);
	dst[v->len] = '\0';
	return true;
}

static bool get_event(const struct fill *fl, enum zcrx_event *ev)
{
	char name[16];
	int t;

	/* longer than any name: zcrx_event_parse() would refuse it too */
	if (!rv_copy(fl, RK_EVENT, name, sizeof(name)) || (t = zcrx_event_parse(name)) < 0)
		return false;
	*ev = t;
	return true;
}

/* backend_mode_decode() on the members */
static bool get_mode(const struct fill *fl, enum backend_mode *m)
{
	const struct rval *j = rv(fl, RK_MODE);
	bool sim;

	if (!rv_bool(fl, RK_SIMULATED, &sim) || (j && j->type != JSON_STR))
		return false;
	return backend_mode_check(sim, j ? j->s : NULL, j ? j->len : 0, m);
}

static bool get_time(struct fill *fl)
{
	const struct rval *t = rv(fl, RK_TIME);
	struct record *r = fl->r;
	int64_t off;
	int ret;

	if (!t)
		return true;
	off = (int64_t)(real_ns() - mono_ns());
	if (t->type == JSON_STR) {
		ret = parse_iso_fast(t->s, t->len, &r->real_ns);
		if (ret == -EAGAIN && !t->cstr) {
			fl->defer = true;
			return false;
		}
		if (ret && parse_iso(t->s, &r->real_ns))
			return false;
		r->mono_ns = r->real_ns - off;
	} else if (rv_u64(fl, RK_TIME, &r->mono_ns)) {
		r->real_ns = r->mono_ns + off;
	} else {
		return false;
	}
	r->has_time = true;
	return true;
}

static bool get_copy_stats(const struct fill *fl)
{
	const struct rval *c = rv(fl, RK_COPY_COUNT);

	if (!c || c->type == JSON_NULL)
		return true;
	fl->r->has_stats = true;
	return rv_u64(fl, RK_COPY_COUNT, &fl->r->copy_count) &&
	       rv_u64(fl, RK_COPY_BYTES, &fl->r->copy_bytes);
}

/* "rx-packets": a number, or null where the backend counts no packets */
static bool get_packets(const struct fill *fl)
{
	const struct rval *p = rv(fl, RK_RX_PACKETS);

	if (p && p->type == JSON_NULL)
		return true;
	fl->r->has_packets = true;
	return rv_u64(fl, RK_RX_PACKETS, &fl->r->rx_packets);
}

static bool get_overflows(const struct fill *fl)
{
	const struct rval *p = rv(fl, RK_RECV_OVERFLOWS);

	if (!p || p->type == JSON_NULL)
		return true;
	fl->r->has_overflows = true;
	return rv_u64(fl, RK_RECV_OVERFLOWS, &fl->r->recv_overflows);
}

static bool get_common(const struct fill *fl)
{
	return rv_copy(fl, RK_DEV, fl->r->dev, sizeof(fl->r->dev)) &&
	       rv_u32(fl, RK_QUEUE, &fl->r->queue) && get_mode(fl, &fl->r->mode);
}

static bool get_grow(const struct fill *fl)
{
	const struct rval *e = rv_str(fl, RK_ERROR);
	struct record *r = fl->r;
	size_t n;

	if (!rv_copy(fl, RK_BY, r->by, sizeof(r->by)) || !get_common(fl) ||
	    !rv_bool(fl, RK_STOPPED, &r->stopped) || !rv_u32(fl, RK_AREAS, &r->nr_areas) ||
	    !rv_u64(fl, RK_AREA_SIZE, &r->area_size))
		return false;
	if (r->stopped) {
		n = e ? e->len : 0;
		if (n >= sizeof(r->error))
			n = sizeof(r->error) - 1;
		if (n)
			memcpy(r->error, e->s, n);
		r->error[n] = '\0';
		utf8_cut(r->error);
		return e;
	}
	return rv_u32(fl, RK_AREA_ID, &r->area_id) && rv_u64(fl, RK_SIZE, &r->size);
}

/* 0, -EINVAL, -ENOENT; -EAGAIN when fl->defer */
static int record_fill(struct fill *fl)
{
	const struct rval *kind = rv_str(fl, RK_RECORD);
	struct record *r = fl->r;
	uint64_t v;
	bool ok;

	memset(r, 0, sizeof(*r));
	if (!rv_u64(fl, RK_V, &v) || v != PROTO_VERSION || !kind)
		return -EINVAL;
	if (rv_is(kind, "event")) {
		r->kind = RECORD_EVENT;
		ok = rv_u64(fl, RK_SEQ, &r->seq) && get_time(fl) && get_common(fl) &&
		     rv_u32(fl, RK_ZCRX_ID, &r->zcrx_id) && get_event(fl, &r->event) &&
		     rv_u64(fl, RK_COUNT, &r->count) && rv_bool(fl, RK_LATCHED, &r->latched) &&
		     rv_u32(fl, RK_HELD, &r->held) && rv_u32(fl, RK_RQ_FILL, &r->rq_fill) &&
		     get_copy_stats(fl);
	} else if (rv_is(kind, "armed")) {
		r->kind = RECORD_ARMED;
		ok = get_event(fl, &r->event) && rv_copy(fl, RK_BY, r->by, sizeof(r->by)) &&
		     get_common(fl);
	} else if (rv_is(kind, "stats")) {
		r->kind = RECORD_STATS;
		ok = get_time(fl) && get_common(fl) &&
		     rv_u64(fl, RK_RX_BUFFERS, &r->rx_buffers) && get_packets(fl) &&
		     rv_u64(fl, RK_RX_BYTES, &r->rx_bytes) && rv_u64(fl, RK_RX_BPS, &r->rx_bps) &&
		     rv_u32(fl, RK_HELD, &r->held) && rv_u32(fl, RK_RQ_FILL, &r->rq_fill) &&
		     get_copy_stats(fl) && rv_u64(fl, RK_RECV_STALLS, &r->recv_stalls) &&
		     get_overflows(fl);
		for (int t = 0; ok && t < ZCRX_EV_COUNT; t++)
			ok = rv_u64(fl, RK_FIRED + t, &r->fired[t]);
	} else if (rv_is(kind, "grow")) {
		r->kind = RECORD_GROW;
		ok = get_time(fl) && get_grow(fl);
	} else if (rv_is(kind, "lost")) {
		r->kind = RECORD_LOST;
		ok = rv_u64(fl, RK_COUNT, &r->lost) && get_mode(fl, &r->mode);
	} else {
		return -ENOENT;
	}
	if (ok)
		return 0;
	return fl->defer ? -EAGAIN : -EINVAL;
}

int proto_record_decode_tree(const char *line, size_t len, struct record *r)
{
	struct rfields f;
	struct fill fl = { .f = &f, .r = r };
	struct json *j;
	int err, ret;

	memset(r, 0, sizeof(*r));
	j = json_parse(line, len, &err);
	if (!j)
		return -EINVAL;
	ret = record_fields(j, &f);
	if (!ret)
		ret = record_fill(&fl);
	json_free(j);
	return ret;
}

int proto_record_decode(const char *line, size_t len, struct record *r)
{
	struct rfields f;
	struct fill fl = { .f = &f, .r = r };
	int ret;

	/* the lines a session writes, without a tree; the JSON reader judges the rest */
	if (!record_scan(line, len, &f)) {
		ret = record_fill(&fl);
		if (ret != -EAGAIN)
			return ret;
	}
	return proto_record_decode_tree(line, len, r);
}

/* "areas", "area-size", "area-rx-buffers": absent from a 0.3 session */
static bool get_areas(const struct json *o, struct proto_session *s)
{
	const struct json *rx = json_get(o, "area-rx-buffers");

	if (!json_get(o, "areas"))
		return true;
	s->has_areas = true;
	if (!get_u32(o, "areas", &s->nr_areas) || !get_u64(o, "area-size", &s->area_size) ||
	    json_type(rx) != JSON_ARR)
		return false;
	if (json_len(rx) > PROTO_AREA_RX_MAX)
		return false;
	for (s->nr_area_rx = 0; s->nr_area_rx < json_len(rx); s->nr_area_rx++)
		if (!json_u64(json_at(rx, s->nr_area_rx), &s->area_rx[s->nr_area_rx]))
			return false;
	return true;
}

static bool get_session(const struct json *o, struct proto_session *s)
{
	const struct json *types = json_get(o, "types"), *c;
	const char *dev = json_str(json_get(o, "dev")), *st, *prog;

	if (json_type(o) != JSON_OBJ || !dev || strlen(dev) >= sizeof(s->dev) ||
	    json_type(types) != JSON_OBJ)
		return false;
	strcpy(s->dev, dev);
	if (!get_u32(o, "queue", &s->queue) || !get_u32(o, "zcrx-id", &s->zcrx_id) ||
	    !get_u64(o, "pid", &s->pid) || !get_u64(o, "uptime-s", &s->uptime_s) ||
	    !backend_mode_decode(o, &s->mode) || !get_events(json_get(o, "events"), &s->events) ||
	    !get_u64(o, "recv-stalls", &s->recv_stalls) ||
	    !get_opt_u64(o, "recv-overflows", &s->has_overflows, &s->recv_overflows) ||
	    !get_opt_u64(o, "lost-records", &s->has_lost, &s->lost_records) ||
	    !get_areas(o, s))
		return false;
	/* "prog" came with 0.4 (libzcrx's server): optional, a string when there */
	c = json_get(o, "prog");
	if (c) {
		prog = json_str(c);
		if (!prog || strlen(prog) >= sizeof(s->prog))
			return false;
		strcpy(s->prog, prog);
		s->has_prog = true;
	}
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		if (!(s->events & ZCRX_EV_MASK(t)))
			continue;
		c = json_get(types, zcrx_event_name(t));
		st = json_str(json_get(c, "state"));
		if (!st || (strcmp(st, "fired") && strcmp(st, "armed")) ||
		    !get_u64(c, "count", &s->count[t]))
			return false;
		if (!strcmp(st, "fired"))
			s->fired |= ZCRX_EV_MASK(t);
	}
	c = json_get(o, "copy-count");
	if (!c || json_type(c) == JSON_NULL)
		return true;
	s->has_stats = true;
	return get_u64(o, "copy-count", &s->copy_count) &&
	       get_u64(o, "copy-bytes", &s->copy_bytes);
}

int proto_reply_decode(const char *line, size_t len, enum proto_reply_body body,
		       struct proto_reply *rp)
{
	const char *msg, *eno;
	struct json *j;
	uint64_t v;
	bool ok = false;
	int e;

	memset(rp, 0, sizeof(*rp));
	j = json_parse(line, len, &e);
	if (!j)
		return -EPROTO;
	if (json_type(j) != JSON_OBJ || !json_u64(json_get(j, "v"), &v) || v != PROTO_VERSION ||
	    !json_bool(json_get(j, "ok"), &rp->ok))
		goto out;
	if (!rp->ok) {
		msg = json_str(json_get(j, "error"));
		eno = json_str(json_get(j, "errno"));
		snprintf(rp->error, sizeof(rp->error), "%s", msg ? msg : "no reason given");
		utf8_cut(rp->error);
		e = eno ? parse_errno(eno) : 0;
		rp->err = e > 0 ? e : 0;
		ok = true;
		goto out;
	}
	rp->body = body;
	switch (body) {
	case PROTO_BODY_NONE:
		ok = true;
		break;
	case PROTO_BODY_SESSION:
		ok = get_session(json_get(j, "session"), &rp->session);
		break;
	case PROTO_BODY_ARMED:
		/* zcrxctl 0.1's sessions answered without the mode */
		rp->has_mode = json_get(j, "simulated") || json_get(j, "mode");
		ok = get_events(json_get(j, "armed"), &rp->armed) &&
		     (!rp->has_mode || backend_mode_decode(j, &rp->mode));
		break;
	case PROTO_BODY_GROWN:
		rp->has_mode = json_get(j, "simulated") || json_get(j, "mode");
		ok = get_u32(j, "area-id", &rp->area_id) && get_u32(j, "areas", &rp->nr_areas) &&
		     get_u64(j, "area-size", &rp->area_size) &&
		     (!rp->has_mode || backend_mode_decode(j, &rp->mode));
		break;
	}
out:
	json_free(j);
	return ok ? 0 : -EPROTO;
}
