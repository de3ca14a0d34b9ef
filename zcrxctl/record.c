// SPDX-License-Identifier: MIT
/* event / armed / stats / lost records: print, serialise, parse back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "main.h"
#include "jsonl.h"
#include "loop.h"
#include "record.h"

static const char *const kind_name[] = {
	[RECORD_EVENT]	= "event",
	[RECORD_ARMED]	= "armed",
	[RECORD_STATS]	= "stats",
	[RECORD_LOST]	= "lost",
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

/* 2026-11-24T12:30:01.123456Z */
static void fmt_iso(uint64_t ns, char *buf, size_t len)
{
	time_t sec = ns / 1000000000ULL;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06lluZ", (unsigned long long)(ns % 1000000000ULL) / 1000);
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

static void print_time(const struct record *r, enum ts_mode ts)
{
	char iso[40];

	if (!r->has_time || ts == TS_NONE)
		return;
	if (ts == TS_MONO) {
		print_uint(PRINT_ANY, "time", " time=%llu", r->mono_ns);
		return;
	}
	fmt_iso(r->real_ns, iso, sizeof(iso));
	print_string(PRINT_ANY, "time", " time=%s", iso);
}

static void print_where(const struct record *r)
{
	print_string(PRINT_ANY, "dev", " dev=%s", r->dev);
	print_uint(PRINT_ANY, "queue", " queue=%llu", r->queue);
}

static void print_copy_stats(const struct record *r)
{
	if (r->has_stats) {
		print_uint(PRINT_ANY, "copy-count", " copy-count=%llu", r->copy_count);
		print_uint(PRINT_ANY, "copy-bytes", " copy-bytes=%llu", r->copy_bytes);
	} else {
		print_null(PRINT_ANY, "copy-count", " copy-count=%s");
		print_null(PRINT_ANY, "copy-bytes", " copy-bytes=%s");
	}
}

const char *record_mode(bool simulated, bool nodev)
{
	return simulated ? "sim" : nodev ? "nodev" : "nic";
}

static void print_sim(const struct record *r)
{
	print_string(PRINT_ANY, "mode", " mode=%s", record_mode(r->simulated, r->nodev));
	print_bool(PRINT_JSON, "simulated", NULL, r->simulated);
	print_bool(PRINT_FP, NULL, " sim=%s", r->simulated);
}

static void print_body(const struct record *r, enum ts_mode ts)
{

	open_json_object(NULL);
	print_uint(PRINT_JSON, "v", NULL, PROTO_VERSION);
	print_string(PRINT_ANY, "record", "%s", kind_name[r->kind]);
	switch (r->kind) {
	case RECORD_EVENT:
		print_uint(PRINT_ANY, "seq", " seq=%llu", r->seq);
		print_time(r, ts);
		print_where(r);
		print_uint(PRINT_ANY, "zcrx-id", " zcrx-id=%llu", r->zcrx_id);
		print_string(PRINT_ANY, "event", " type=%s", zcrx_event_name(r->event));
		print_uint(PRINT_ANY, "count", " count=%llu", r->count);
		print_bool(PRINT_JSON, "latched", NULL, r->latched);
		print_string(PRINT_FP, NULL, " state=%s", r->latched ? "latched" : "armed");
		print_uint(PRINT_ANY, "held", " held=%llu", r->held);
		print_uint(PRINT_ANY, "rq-fill", " rq-fill=%llu", r->rq_fill);
		print_copy_stats(r);
		break;
	case RECORD_ARMED:
		print_string(PRINT_ANY, "event", " type=%s", zcrx_event_name(r->event));
		print_string(PRINT_ANY, "by", " by=%s", r->by);
		print_where(r);
		break;
	case RECORD_STATS:
		print_time(r, ts);
		print_where(r);
		print_uint(PRINT_ANY, "rx-buffers", " rx-buffers=%llu", r->rx_buffers);
		if (r->has_packets)
			print_uint(PRINT_ANY, "rx-packets", " rx-packets=%llu", r->rx_packets);
		else
			print_null(PRINT_ANY, "rx-packets", " rx-packets=%s");
		print_uint(PRINT_ANY, "rx-bytes", " rx-bytes=%llu", r->rx_bytes);
		print_uint(PRINT_ANY, "rx-bps", " rx-bps=%llu", r->rx_bps);
		print_uint(PRINT_ANY, "held", " held=%llu", r->held);
		print_uint(PRINT_ANY, "rq-fill", " rq-fill=%llu", r->rq_fill);
		for (int t = 0; t < ZCRX_EV_COUNT; t++) {
			char fmt[32];

			snprintf(fmt, sizeof(fmt), " %s=%%llu", zcrx_event_name(t));
			print_uint(PRINT_ANY, zcrx_event_name(t), fmt, r->fired[t]);
		}
		print_copy_stats(r);
		print_uint(PRINT_ANY, "recv-stalls", " recv-stalls=%llu", r->recv_stalls);
		break;
	case RECORD_LOST:
		print_uint(PRINT_ANY, "count", " count=%llu", r->lost);
		break;
	}
	print_sim(r);
	close_json_object();
}

void record_print(const struct record *r, enum ts_mode ts)
{
	print_body(r, ts);
	print_nl();
	print_record_end();
}

/* ------------------------------------------------------------------ */
/* Protocol lines                                                      */
/* ------------------------------------------------------------------ */

static char *wire_buf;
static size_t wire_len;
static FILE *wire_fp;

void wire_begin(void)
{
	wire_buf = NULL;
	wire_len = 0;
	wire_fp = open_memstream(&wire_buf, &wire_len);
	if (!wire_fp) {
		p_err("out of memory building a protocol line");
		exit(EXIT_ERR);	/* the exit guards still restore the tty and unlink */
	}
	print_setup(wire_fp, true, false, COLOR_NEVER);
}

char *wire_end(size_t *len)
{
	print_end();
	fclose(wire_fp);
	wire_fp = NULL;
	print_setup(stdout, g_opts.json, g_opts.pretty, g_opts.color);
	*len = wire_len;
	return wire_buf;
}

char *record_wire(const struct record *r, size_t *len)
{
	wire_begin();
	print_body(r, TS_ISO);
	return wire_end(len);
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

static bool get_event(const struct json *o, enum zcrx_event *ev)
{
	int t = zcrx_event_parse(json_str(json_get(o, "event")));

	if (t < 0)
		return false;
	*ev = t;
	return true;
}

static bool get_time(const struct json *o, struct record *r)
{
	const struct json *t = json_get(o, "time");
	int64_t off = (int64_t)(real_ns() - mono_ns());

	if (!t)
		return true;
	if (json_type(t) == JSON_STR) {
		if (parse_iso(json_str(t), &r->real_ns))
			return false;
		r->mono_ns = r->real_ns - off;
	} else if (json_u64(t, &r->mono_ns)) {
		r->real_ns = r->mono_ns + off;
	} else {
		return false;
	}
	r->has_time = true;
	return true;
}

static bool get_copy_stats(const struct json *o, struct record *r)
{
	const struct json *c = json_get(o, "copy-count");

	if (!c || json_type(c) == JSON_NULL)
		return true;
	r->has_stats = true;
	return get_u64(o, "copy-count", &r->copy_count) &&
	       get_u64(o, "copy-bytes", &r->copy_bytes);
}

/* "simulated", and "mode" where the session sent one (it says nodev) */
static bool get_mode(const struct json *o, struct record *r)
{
	const struct json *m = json_get(o, "mode");
	const char *s = json_str(m);

	if (!json_bool(json_get(o, "simulated"), &r->simulated))
		return false;
	if (!m)
		return true;
	if (!s || strcmp(s, record_mode(r->simulated, !strcmp(s, "nodev"))))
		return false;
	r->nodev = !strcmp(s, "nodev");
	return true;
}

/* "rx-packets": a number, or null where only the simulator knows it */
static bool get_packets(const struct json *o, struct record *r)
{
	const struct json *p = json_get(o, "rx-packets");

	if (p && json_type(p) == JSON_NULL)
		return true;
	r->has_packets = true;
	return get_u64(o, "rx-packets", &r->rx_packets);
}

static bool get_common(const struct json *o, struct record *r)
{
	const char *dev = json_str(json_get(o, "dev"));

	if (!dev || strlen(dev) >= sizeof(r->dev))
		return false;
	strcpy(r->dev, dev);
	return get_u32(o, "queue", &r->queue) && get_mode(o, r);
}

int record_parse(const char *line, size_t len, struct record *r)
{
	const struct json *o;
	struct json *j;
	const char *kind, *by;
	uint64_t v;
	bool ok = false;
	int err, ret = -EINVAL;

	memset(r, 0, sizeof(*r));
	j = json_parse(line, len, &err);
	if (!j)
		return -EINVAL;
	o = j;
	kind = json_str(json_get(o, "record"));
	if (json_type(o) != JSON_OBJ || !get_u64(o, "v", &v) || v != PROTO_VERSION || !kind)
		goto out;
	if (!strcmp(kind, "event")) {
		r->kind = RECORD_EVENT;
		ok = get_u64(o, "seq", &r->seq) && get_time(o, r) && get_common(o, r) &&
		     get_u32(o, "zcrx-id", &r->zcrx_id) && get_event(o, &r->event) &&
		     get_u64(o, "count", &r->count) &&
		     json_bool(json_get(o, "latched"), &r->latched) &&
		     get_u32(o, "held", &r->held) && get_u32(o, "rq-fill", &r->rq_fill) &&
		     get_copy_stats(o, r);
	} else if (!strcmp(kind, "armed")) {
		r->kind = RECORD_ARMED;
		by = json_str(json_get(o, "by"));
		ok = get_event(o, &r->event) && by && strlen(by) < sizeof(r->by) &&
		     get_common(o, r);
		if (ok)
			strcpy(r->by, by);
	} else if (!strcmp(kind, "stats")) {
		r->kind = RECORD_STATS;
		ok = get_time(o, r) && get_common(o, r) &&
		     get_u64(o, "rx-buffers", &r->rx_buffers) && get_packets(o, r) &&
		     get_u64(o, "rx-bytes", &r->rx_bytes) && get_u64(o, "rx-bps", &r->rx_bps) &&
		     get_u32(o, "held", &r->held) && get_u32(o, "rq-fill", &r->rq_fill) &&
		     get_copy_stats(o, r) && get_u64(o, "recv-stalls", &r->recv_stalls);
		for (int t = 0; ok && t < ZCRX_EV_COUNT; t++)
			ok = get_u64(o, zcrx_event_name(t), &r->fired[t]);
	} else if (!strcmp(kind, "lost")) {
		r->kind = RECORD_LOST;
		ok = get_u64(o, "count", &r->lost) && get_mode(o, r);
	} else {
		ret = -ENOENT;
	}
	if (ok)
		ret = 0;
out:
	json_free(j);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Any JSON value, back through the print layer                        */
/* ------------------------------------------------------------------ */

void json_reprint(const struct json *j, const char *key)
{
	double d;
	int64_t i;
	uint64_t u;
	bool b;

	switch (json_type(j)) {
	case JSON_NULL:
		print_null(PRINT_JSON, key, NULL);
		break;
	case JSON_BOOL:
		json_bool(j, &b);
		print_bool(PRINT_JSON, key, NULL, b);
		break;
	case JSON_NUM:
		if (json_u64(j, &u))
			print_uint(PRINT_JSON, key, NULL, u);
		else if (json_i64(j, &i))
			print_int(PRINT_JSON, key, NULL, i);
		else if (json_num(j, &d))	/* beyond 64-bit integers: as it came */
			print_double(PRINT_JSON, key, NULL, d);
		break;
	case JSON_STR:
		print_string(PRINT_JSON, key, NULL, json_str(j));
		break;
	case JSON_OBJ:
		open_json_object(key);
		for (size_t n = 0; n < json_len(j); n++)
			json_reprint(json_at(j, n), json_key_at(j, n));
		close_json_object();
		break;
	case JSON_ARR:
		open_json_array(key);
		for (size_t n = 0; n < json_len(j); n++)
			json_reprint(json_at(j, n), NULL);
		close_json_array();
		break;
	}
}
