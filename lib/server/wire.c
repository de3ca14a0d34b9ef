// SPDX-License-Identifier: MIT
/*
 * Protocol v1 lines, the server's end: requests read, replies and records
 * written, one JSON object per line.  The objects are those zcrxctl's
 * sessions have always sent (zcrxctl/proto.c reads them), so that `zcrxctl
 * status`, `subscribe` and `arm` cannot tell an application from a session.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server_int.h"

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

struct jw {
	char	*buf;
	size_t	len;
	size_t	cap;
	bool	oom;
	bool	comma;
};

static void jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n + 2 > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		char *p;

		while (cap < w->len + n + 2)
			cap *= 2;
		p = realloc(w->buf, cap);
		if (!p) {
			w->oom = true;
			return;
		}
		w->buf = p;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static __attribute__((format(printf, 2, 3))) void jw_fmt(struct jw *w, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	jw_put(w, tmp, n);
}

/* The length of the UTF-8 character at p (at most end), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		   (*p & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t c;

	if (!n || (size_t)(end - p) < n)
		return 0;
	if (n == 1)
		return 1;
	c = *p & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

static void jw_str(struct jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n;

	jw_put(w, "\"", 1);
	while (p < end) {
		if (*p == '"' || *p == '\\') {
			jw_put(w, "\\", 1);
			jw_put(w, (const char *)p++, 1);
		} else if (*p == '\n') {
			jw_put(w, "\\n", 2), p++;
		} else if (*p == '\t') {
			jw_put(w, "\\t", 2), p++;
		} else if (*p == '\r') {
			jw_put(w, "\\r", 2), p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			jw_fmt(w, "\\u%04x", *p++);
		} else if ((n = utf8_len(p, end))) {
			jw_put(w, (const char *)p, n);
			p += n;
		} else {
			jw_put(w, "\\ufffd", 6), p++;
		}
	}
	jw_put(w, "\"", 1);
}

static void jw_key(struct jw *w, const char *key)
{
	if (w->comma)
		jw_put(w, ",", 1);
	w->comma = true;
	if (key) {
		jw_str(w, key);
		jw_put(w, ":", 1);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	jw_put(w, &c, 1);
	w->comma = false;
}

static void jw_close(struct jw *w, char c)
{
	jw_put(w, &c, 1);
	w->comma = true;
}

static void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	char digits[20];
	int i = sizeof(digits);

	jw_key(w, key);
	do
		digits[--i] = '0' + v % 10;
	while (v /= 10);
	jw_put(w, digits + i, sizeof(digits) - i);
}

static void jw_string(struct jw *w, const char *key, const char *v)
{
	jw_key(w, key);
	jw_str(w, v);
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

static void jw_null(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_put(w, "null", 4);
}

/* {"v":1 */
static void jw_head(struct jw *w)
{
	jw_open(w, NULL, '{');
	jw_u64(w, "v", SRV_VERSION);
}

/* }\n: the line, or NULL out of memory */
static char *jw_line(struct jw *w, size_t *len)
{
	jw_close(w, '}');
	jw_put(w, "\n", 1);
	if (w->oom) {
		free(w->buf);
		return NULL;
	}
	w->buf[w->len] = '\0';
	*len = w->len;
	return w->buf;
}

static void jw_mode(struct jw *w, const struct zcrx_server *srv)
{
	jw_string(w, "mode", srv->mode);
	jw_bool(w, "simulated", !strcmp(srv->mode, "sim"));
}

static void jw_events(struct jw *w, const char *key, uint32_t mask)
{
	jw_open(w, key, '[');
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (mask & ZCRX_EV_MASK(t))
			jw_string(w, NULL, zcrx_event_name(t));
	jw_close(w, ']');
}

static void jw_copy_stats(struct jw *w, const struct zcrx_ifq *ifq)
{
	struct zcrx_stats_snap st;

	if (!zcrx_stats_read(ifq, &st)) {
		jw_u64(w, "copy-count", st.copy_count);
		jw_u64(w, "copy-bytes", st.copy_bytes);
	} else {
		jw_null(w, "copy-count");
		jw_null(w, "copy-bytes");
	}
}

/* 2026-11-24T12:30:01.123456Z */
/* "areas", "area-size", "area-rx-buffers" (data CQEs per area, the first SRV_AREA_RX_MAX) */
static void jw_areas(struct jw *w, const struct zcrx_ifq *ifq)
{
	jw_u64(w, "areas", ifq->nr_areas);
	jw_u64(w, "area-size", ifq->area_size);
	jw_open(w, "area-rx-buffers", '[');
	for (uint32_t i = 0; i < ifq->nr_areas && i < SRV_AREA_RX_MAX; i++)
		jw_u64(w, NULL, zcrx_area_rx(ifq, i));
	jw_close(w, ']');
}

/*
 * The seconds formatted once per second (an event storm has thousands in
 * one), in the server's own cache: the library keeps no global state.
 */
static void jw_time(struct jw *w, struct zcrx_server *srv)
{
	typeof(srv->clock) *c = &srv->clock;
	struct timespec ts;
	unsigned long us;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (!c->n || ts.tv_sec != c->sec) {
		gmtime_r(&ts.tv_sec, &tm);
		c->n = strftime(c->buf, sizeof(c->buf), "%Y-%m-%dT%H:%M:%S", &tm);
		c->sec = ts.tv_sec;
	}
	us = ts.tv_nsec / 1000;
	c->buf[c->n] = '.';
	for (int i = 6; i > 0; i--, us /= 10)
		c->buf[c->n + i] = '0' + us % 10;
	c->buf[c->n + 7] = 'Z';
	c->buf[c->n + 8] = '\0';
	jw_string(w, "time", c->buf);
}

static void jw_where(struct jw *w, const struct zcrx_server *srv)
{
	jw_string(w, "dev", srv->dev);
	jw_u64(w, "queue", srv->queue);
}

char *srv_reply_fail(int err, const char *msg, size_t *len)
{
	struct jw w = { 0 };

	jw_head(&w);
	jw_bool(&w, "ok", false);
	if (err && strerrorname_np(err))
		jw_string(&w, "errno", strerrorname_np(err));
	jw_string(&w, "error", msg);
	return jw_line(&w, len);
}

char *srv_reply_ok(size_t *len)
{
	struct jw w = { 0 };

	jw_head(&w);
	jw_bool(&w, "ok", true);
	return jw_line(&w, len);
}

char *srv_reply_status(const struct zcrx_server *srv, size_t *len)
{
	const struct zcrx_ifq *ifq = srv->ifq;
	struct jw w = { 0 };

	jw_head(&w);
	jw_bool(&w, "ok", true);
	jw_open(&w, "session", '{');
	jw_where(&w, srv);
	jw_u64(&w, "zcrx-id", ifq->zcrx_id);
	jw_u64(&w, "pid", getpid());
	jw_string(&w, "prog", srv->prog);
	jw_u64(&w, "uptime-s", (srv_mono_ns() - srv->start_ns) / 1000000000ULL);
	jw_mode(&w, srv);
	jw_events(&w, "events", ifq->events);
	jw_open(&w, "types", '{');
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		if (!(ifq->events & ZCRX_EV_MASK(t)))
			continue;
		jw_open(&w, zcrx_event_name(t), '{');
		jw_string(&w, "state", zcrx_event_latched(ifq, t) ? "fired" : "armed");
		jw_u64(&w, "count", srv->count[t]);
		jw_close(&w, '}');
	}
	jw_close(&w, '}');
	jw_copy_stats(&w, ifq);
	jw_u64(&w, "recv-stalls", zcrx_recv_stalls(ifq));
	jw_u64(&w, "recv-overflows", zcrx_recv_overflows(ifq));
	jw_u64(&w, "lost-records", srv->lost_total);
	jw_areas(&w, ifq);
	jw_close(&w, '}');
	return jw_line(&w, len);
}

char *srv_reply_grown(const struct zcrx_server *srv, uint32_t area_id, size_t *len)
{
	struct jw w = { 0 };

	jw_head(&w);
	jw_bool(&w, "ok", true);
	jw_u64(&w, "area-id", area_id);
	jw_u64(&w, "areas", srv->ifq->nr_areas);
	jw_u64(&w, "area-size", srv->ifq->area_size);
	jw_mode(&w, srv);
	return jw_line(&w, len);
}

char *srv_reply_armed(const struct zcrx_server *srv, uint32_t armed, size_t *len)
{
	struct jw w = { 0 };

	jw_head(&w);
	jw_bool(&w, "ok", true);
	jw_events(&w, "armed", armed);
	jw_mode(&w, srv);
	return jw_line(&w, len);
}

char *srv_record_event(struct zcrx_server *srv, enum zcrx_event t, size_t *len)
{
	struct jw w = { 0 };

	jw_head(&w);
	jw_string(&w, "record", "event");
	jw_u64(&w, "seq", srv->seq);
	jw_time(&w, srv);
	jw_where(&w, srv);
	jw_u64(&w, "zcrx-id", srv->ifq->zcrx_id);
	jw_string(&w, "event", zcrx_event_name(t));
	jw_u64(&w, "count", srv->count[t]);
	jw_bool(&w, "latched", zcrx_event_latched(srv->ifq, t));
	jw_u64(&w, "held", zcrx_ifq_held(srv->ifq));
	jw_u64(&w, "rq-fill", zcrx_rq_fill(srv->ifq));
	jw_copy_stats(&w, srv->ifq);
	jw_mode(&w, srv);
	return jw_line(&w, len);
}

char *srv_record_armed(const struct zcrx_server *srv, enum zcrx_event t, const char *by,
		       size_t *len)
{
	struct jw w = { 0 };

	jw_head(&w);
	jw_string(&w, "record", "armed");
	jw_string(&w, "event", zcrx_event_name(t));
	jw_string(&w, "by", by);
	jw_where(&w, srv);
	jw_mode(&w, srv);
	return jw_line(&w, len);
}

/* As zcrxctl's sessions say it (zcrxctl/record.c): an area added */
char *srv_record_grow(struct zcrx_server *srv, const char *by, uint32_t area_id,
		      uint64_t size, size_t *len)
{
	struct jw w = { 0 };

	jw_head(&w);
	jw_string(&w, "record", "grow");
	jw_time(&w, srv);
	jw_where(&w, srv);
	jw_string(&w, "by", by);
	jw_bool(&w, "stopped", false);
	jw_u64(&w, "area-id", area_id);
	jw_u64(&w, "size", size);
	jw_u64(&w, "areas", srv->ifq->nr_areas);
	jw_u64(&w, "area-size", srv->ifq->area_size);
	jw_mode(&w, srv);
	return jw_line(&w, len);
}

char *srv_record_lost(const struct zcrx_server *srv, uint64_t lost, size_t *len)
{
	struct jw w = { 0 };

	jw_head(&w);
	jw_string(&w, "record", "lost");
	jw_u64(&w, "count", lost);
	jw_mode(&w, srv);
	return jw_line(&w, len);
}

/* ------------------------------------------------------------------ */
/* Reading a request                                                   */
/* ------------------------------------------------------------------ */

#define JR_MAX_DEPTH	16	/* as deep as zcrxctl's own reader goes */

enum jv_type { JV_NONE, JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_OBJ, JV_ARR };

/* A member of the request object, as far as a request needs it; or a key. */
struct jv {
	enum jv_type	type;
	double		num;
	char		*str;		/* decoded, cut to fit cap */
	size_t		cap;
	bool		cut;
};

struct jr {
	const char	*p;
	const char	*end;
	int		depth;
	int		err;		/* -EINVAL malformed, -E2BIG too deep */
};

static bool jr_fail(struct jr *r, int err)
{
	if (!r->err)
		r->err = err;
	return false;
}

static void jr_ws(struct jr *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int jr_hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void jv_add(struct jv *v, size_t *n, const char *s, size_t len)
{
	if (!v)
		return;
	if (*n + len >= v->cap) {
		v->cut = true;
		return;
	}
	memcpy(v->str + *n, s, len);
	*n += len;
	v->str[*n] = '\0';
}

static bool jr_string(struct jr *r, struct jv *v)
{
	const unsigned char *end = (const unsigned char *)r->end;
	size_t n = 0;
	char u[4];
	int c, lo;

	if (v) {
		v->type = JV_STR;
		v->str[0] = '\0';
		v->cut = false;
	}
	r->p++;		/* '"' */
	while (r->p < r->end && *r->p != '"') {
		const unsigned char *q = (const unsigned char *)r->p;
		size_t k;

		if (*q < 0x20)
			return jr_fail(r, -EINVAL);
		if (*q != '\\') {
			if (!(k = utf8_len(q, end)))
				return jr_fail(r, -EINVAL);
			jv_add(v, &n, r->p, k);
			r->p += k;
			continue;
		}
		if (r->end - r->p < 2)
			return jr_fail(r, -EINVAL);
		switch (r->p[1]) {
		case '"': case '\\': case '/':
			jv_add(v, &n, r->p + 1, 1);
			break;
		case 'b': jv_add(v, &n, "\b", 1); break;
		case 'f': jv_add(v, &n, "\f", 1); break;
		case 'n': jv_add(v, &n, "\n", 1); break;
		case 'r': jv_add(v, &n, "\r", 1); break;
		case 't': jv_add(v, &n, "\t", 1); break;
		case 'u':
			if (r->end - r->p < 6 || (c = jr_hex4(r->p + 2)) < 0)
				return jr_fail(r, -EINVAL);
			if (c >= 0xdc00 && c <= 0xdfff)
				return jr_fail(r, -EINVAL);
			if (c >= 0xd800 && c <= 0xdbff) {
				if (r->end - r->p < 12 || r->p[6] != '\\' || r->p[7] != 'u' ||
				    (lo = jr_hex4(r->p + 8)) < 0xdc00 || lo > 0xdfff)
					return jr_fail(r, -EINVAL);
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				r->p += 6;
			}
			if (c < 0x80) {
				u[0] = c, k = 1;
			} else if (c < 0x800) {
				u[0] = 0xc0 | c >> 6, u[1] = 0x80 | (c & 0x3f), k = 2;
			} else if (c < 0x10000) {
				u[0] = 0xe0 | c >> 12, u[1] = 0x80 | ((c >> 6) & 0x3f);
				u[2] = 0x80 | (c & 0x3f), k = 3;
			} else {
				u[0] = 0xf0 | c >> 18, u[1] = 0x80 | ((c >> 12) & 0x3f);
				u[2] = 0x80 | ((c >> 6) & 0x3f), u[3] = 0x80 | (c & 0x3f), k = 4;
			}
			if (!c)
				return jr_fail(r, -EINVAL);	/* no NUL inside a C string */
			jv_add(v, &n, u, k);
			r->p += 4;
			break;
		default:
			return jr_fail(r, -EINVAL);
		}
		r->p += 2;
	}
	if (r->p >= r->end)
		return jr_fail(r, -EINVAL);
	r->p++;
	return true;
}

static bool jr_number(struct jr *r, struct jv *v)
{
	const char *s = r->p;
	char buf[64];

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return jr_fail(r, -EINVAL);
	if (*r->p == '0')
		r->p++;
	else
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	if (r->p < r->end && *r->p == '.') {
		if (++r->p >= r->end || *r->p < '0' || *r->p > '9')
			return jr_fail(r, -EINVAL);
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		if (++r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return jr_fail(r, -EINVAL);
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	/* numbers too large for a double are refused, as zcrxctl's reader does */
	snprintf(buf, sizeof(buf), "%.*s", (int)(r->p - s), s);
	if (r->p - s >= (int)sizeof(buf) || !isfinite(strtod(buf, NULL)))
		return jr_fail(r, -EINVAL);
	if (v) {
		v->type = JV_NUM;
		v->num = strtod(buf, NULL);
	}
	return true;
}

static bool jr_value(struct jr *r, struct jv *v);

/* A key seen before in this object: refused, since which one would win? */
static bool key_dup(char ***keys, size_t *n, const char *key)
{
	char **k;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*keys)[i], key))
			return true;
	k = realloc(*keys, (*n + 1) * sizeof(*k));
	if (k)
		*keys = k;
	if (!k || !(k[*n] = strdup(key)))
		return true;	/* out of memory: refused all the same */
	(*n)++;
	return false;
}

static bool jr_members(struct jr *r, bool obj, const char *const *want, struct jv *got,
		       struct jv *key, char ***keys, size_t *nkeys)
{
	char close = obj ? '}' : ']';

	r->p++;
	jr_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return true;
	}
	for (;;) {
		struct jv *slot = NULL;

		jr_ws(r);
		if (obj) {
			if (r->p >= r->end || *r->p != '"' || !jr_string(r, key) ||
			    key_dup(keys, nkeys, key->str))
				return jr_fail(r, -EINVAL);
			for (int i = 0; want && want[i]; i++)
				if (!strcmp(key->str, want[i]))
					slot = &got[i];
			jr_ws(r);
			if (r->p >= r->end || *r->p != ':')
				return jr_fail(r, -EINVAL);
			r->p++;
		}
		if (!jr_value(r, slot))
			return false;
		jr_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return true;
		}
		return jr_fail(r, -EINVAL);
	}
}

/* An object or array; of the top-level object, the members in want[] into got[]. */
static bool jr_container(struct jr *r, const char *const *want, struct jv *got)
{
	bool obj = *r->p == '{', ok;
	struct jv key = { .cap = r->end - r->p + 1 };
	char **keys = NULL;
	size_t nkeys = 0;

	if (++r->depth > JR_MAX_DEPTH)
		return jr_fail(r, -E2BIG);
	/* a key is never longer than what is left of the line */
	if (obj && !(key.str = malloc(key.cap)))
		return jr_fail(r, -EINVAL);
	ok = jr_members(r, obj, want, got, &key, &keys, &nkeys);
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(key.str);
	r->depth--;
	return ok;
}

static bool jr_lit(struct jr *r, const char *lit, struct jv *v, enum jv_type t)
{
	size_t n = strlen(lit);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n))
		return jr_fail(r, -EINVAL);
	r->p += n;
	if (v)
		v->type = t;
	return true;
}

static bool jr_value(struct jr *r, struct jv *v)
{
	jr_ws(r);
	if (r->p >= r->end)
		return jr_fail(r, -EINVAL);
	switch (*r->p) {
	case '{':
		if (v)
			v->type = JV_OBJ;
		return jr_container(r, NULL, NULL);
	case '[':
		if (v)
			v->type = JV_ARR;
		return jr_container(r, NULL, NULL);
	case '"':
		return jr_string(r, v);
	case 't':
		return jr_lit(r, "true", v, JV_BOOL);
	case 'f':
		return jr_lit(r, "false", v, JV_BOOL);
	case 'n':
		return jr_lit(r, "null", v, JV_NULL);
	default:
		return jr_number(r, v);
	}
}

/*
 * A sentence cut to its buffer may end inside a character: drop that part,
 * so that what the server writes stays UTF-8.
 */
static void utf8_cut(char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n;

	while (p < end && (n = utf8_len(p, end)))
		p += n;
	*(char *)p = '\0';
}

int srv_request_decode(const char *line, size_t len, struct srv_request *rq, char *err,
		       size_t errlen)
{
	static const char *const want[] = { "v", "cmd", "event", "size", NULL };
	char bufs[4][128];
	struct jv got[4] = {
		{ .str = bufs[0], .cap = sizeof(bufs[0]) },
		{ .str = bufs[1], .cap = sizeof(bufs[1]) },
		{ .str = bufs[2], .cap = sizeof(bufs[2]) },
		{ .str = bufs[3], .cap = sizeof(bufs[3]) },
	};
	struct jr r = { .p = line, .end = line + len };
	const struct jv *v = &got[0], *cmd = &got[1], *ev = &got[2], *sz = &got[3];
	bool obj, ok;
	int e, ret = -EINVAL;

	memset(rq, 0, sizeof(*rq));
	jr_ws(&r);
	obj = r.p < r.end && *r.p == '{';
	ok = obj ? jr_container(&r, want, got) : jr_value(&r, NULL);
	if (ok) {
		jr_ws(&r);
		if (r.p != r.end)
			ok = jr_fail(&r, -EINVAL);
	}
	if (!ok) {
		snprintf(err, errlen, "malformed request: %s", r.err == -E2BIG ?
			 "nested too deeply" : "not one JSON value");
		return -EINVAL;
	}
	if (!obj) {
		snprintf(err, errlen, "malformed request: not a JSON object");
	} else if (v->type != JV_NUM || v->num != SRV_VERSION) {
		snprintf(err, errlen, "unsupported request: this session speaks protocol"
			 " version 1 (\"v\":1)");
	} else if (cmd->type != JV_STR) {
		snprintf(err, errlen, "malformed request: no \"cmd\" (status, arm, subscribe or grow)");
	} else if (!cmd->cut && !strcmp(cmd->str, "status")) {
		rq->cmd = SRV_STATUS;
		ret = 0;
	} else if (!cmd->cut && !strcmp(cmd->str, "subscribe")) {
		rq->cmd = SRV_SUBSCRIBE;
		ret = 0;
	} else if (!cmd->cut && !strcmp(cmd->str, "grow")) {
		rq->cmd = SRV_GROW;
		/* a double holds every integer up to 2^53: far past any area */
		if (sz->type != JV_NUM || !(sz->num >= 1) || sz->num > 0x1p53 ||
		    sz->num != (double)(uint64_t)sz->num)
			snprintf(err, errlen, "malformed grow request: \"size\" must be the new"
				 " area's bytes, a number above 0");
		else
			rq->size = (uint64_t)sz->num, ret = 0;
	} else if (!cmd->cut && !strcmp(cmd->str, "arm")) {
		rq->cmd = SRV_ARM;
		if (ev->type == JV_NONE) {
			rq->all = true;
			ret = 0;
		} else if (ev->type != JV_STR) {
			snprintf(err, errlen, "malformed arm request: \"event\" must be a string");
		} else if (!strcmp(ev->str, "all")) {
			rq->all = true;
			ret = 0;
		} else if (ev->cut || (e = zcrx_event_parse(ev->str)) < 0) {
			snprintf(err, errlen, "unknown event \"%s\": alloc-fail, copy or all", ev->str);
		} else {
			rq->event = e;
			ret = 0;
		}
	} else {
		snprintf(err, errlen, "unknown cmd \"%s\": status, arm, subscribe or grow", cmd->str);
	}
	if (ret && errlen)
		utf8_cut(err);
	return ret;
}
