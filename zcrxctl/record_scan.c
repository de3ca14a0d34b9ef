// SPDX-License-Identifier: MIT
/*
 * A record line's members into a table by name.  The scanner takes only
 * what it can vouch for as the JSON reader would (known keys once each,
 * strings without escapes, plain unsigned integers, true/false/null) and
 * hands everything else back, so the reader's rules hold unchanged: bad
 * UTF-8, a control character, a duplicate key, a number too large.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "record_scan.h"
#include "utf8.h"

#define HASH_SLOTS	128

static const char *const rkey_name[RK_FIRED] = {
	[RK_V]			= "v",
	[RK_RECORD]		= "record",
	[RK_SEQ]		= "seq",
	[RK_TIME]		= "time",
	[RK_DEV]		= "dev",
	[RK_QUEUE]		= "queue",
	[RK_ZCRX_ID]		= "zcrx-id",
	[RK_EVENT]		= "event",
	[RK_COUNT]		= "count",
	[RK_LATCHED]		= "latched",
	[RK_HELD]		= "held",
	[RK_RQ_FILL]		= "rq-fill",
	[RK_COPY_COUNT]		= "copy-count",
	[RK_COPY_BYTES]		= "copy-bytes",
	[RK_BY]			= "by",
	[RK_RX_BUFFERS]		= "rx-buffers",
	[RK_RX_PACKETS]		= "rx-packets",
	[RK_RX_BYTES]		= "rx-bytes",
	[RK_RX_BPS]		= "rx-bps",
	[RK_RECV_STALLS]	= "recv-stalls",
	[RK_RECV_OVERFLOWS]	= "recv-overflows",
	[RK_AREA_ID]		= "area-id",
	[RK_SIZE]		= "size",
	[RK_AREAS]		= "areas",
	[RK_AREA_SIZE]		= "area-size",
	[RK_STOPPED]		= "stopped",
	[RK_ERROR]		= "error",
	[RK_SIMULATED]		= "simulated",
	[RK_MODE]		= "mode",
};

/* key hash -> enum rkey + 1, 0 for none; names and lengths; built on first use */
static unsigned char key_slot[HASH_SLOTS];
static const char *key_name[RK_NR];
static size_t key_len[RK_NR];
/* name and closing quote (16 bytes at most) as two words, and which bytes count */
static uint64_t key_word[RK_NR][2], key_mask[RK_NR][2];

/* what ends a plain run in a string: the quote, an escape, a control or non-ASCII byte */
static const bool str_stop[256] = {
	[0 ... 0x1f] = true, ['"'] = true, ['\\'] = true, [0x80 ... 0xff] = true,
};

_Static_assert(RK_NR <= 64, "struct rfields: have is a u64");

static uint32_t hash_step(uint32_t h, unsigned char c)
{
	return (h * 33) ^ c;
}

static unsigned int slot_of(uint32_t h)
{
	return (h ^ (h >> 7)) & (HASH_SLOTS - 1);
}

static void build_slots(void)
{
	static bool built;

	if (built)
		return;
	built = true;
	for (int k = 0; k < RK_NR; k++) {
		const char *s = k < RK_FIRED ? rkey_name[k] : zcrx_event_name(k - RK_FIRED);
		unsigned char w[16] = { 0 }, m[16] = { 0 };
		uint32_t h = 5381;
		unsigned int i;

		key_name[k] = s;
		key_len[k] = strlen(s);
		if (key_len[k] < sizeof(w)) {
			memcpy(w, s, key_len[k]);
			w[key_len[k]] = '"';
			memset(m, 0xff, key_len[k] + 1);
			memcpy(key_word[k], w, sizeof(w));
			memcpy(key_mask[k], m, sizeof(m));
		}
		while (*s)
			h = hash_step(h, (unsigned char)*s++);
		for (i = slot_of(h); key_slot[i]; i = (i + 1) & (HASH_SLOTS - 1))
			;
		key_slot[i] = k + 1;
	}
}

/* The key's enum rkey, -1 when no record has it */
static int key_lookup(const char *s, size_t len, uint32_t h)
{
	unsigned int i;
	int k;

	for (i = slot_of(h); key_slot[i]; i = (i + 1) & (HASH_SLOTS - 1)) {
		k = key_slot[i] - 1;
		if (key_len[k] == len && !memcmp(key_name[k], s, len))
			return k;
	}
	return -1;
}

static const char *skip_ws(const char *p, const char *end)
{
	/* every byte JSON allows here but white space is above ' ' */
	if (p == end || (unsigned char)*p > ' ')
		return p;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A string's bytes from p (past its quote): its closing quote, NULL when not
 * plain well-formed UTF-8 (an escape, a control character, a bad sequence) */
static const char *scan_str(const char *p, const char *end)
{
	const unsigned char *q = (const unsigned char *)p, *e = (const unsigned char *)end;
	size_t n;

	for (;;) {
		while (q < e && !str_stop[*q])
			q++;
		if (q == e || *q < 0x80)
			return q < e && *q == '"' ? (const char *)q : NULL;
		n = utf8_len(q, e);
		if (!n)
			return NULL;
		q += n;
	}
}

/* A key: scan_str(), and its hash for key_lookup(); a key is ASCII */
static const char *scan_key(const char *p, const char *end, uint32_t *hash)
{
	const unsigned char *q = (const unsigned char *)p, *e = (const unsigned char *)end;
	uint32_t h = 5381;

	while (q < e && !str_stop[*q])
		h = hash_step(h, *q++);
	if (q == e || *q != '"')
		return NULL;
	*hash = h;
	return (const char *)q;
}

/*
 * The key at p (on its quote), and p past it: a session writes each kind's
 * keys in the same order every time, so the key that followed prev in the
 * last line of this kind (ctx: the "record" value's first byte) is tried
 * first.  -1 for a key no record has, or one with an escape.
 */
static int scan_key_at(const char **pp, const char *end, int prev, unsigned int ctx)
{
	static unsigned char next_key[8][RK_NR + 1];	/* enum rkey + 1, 0 none */
	unsigned char *guess = &next_key[ctx & 7][prev + 1];
	const char *p = *pp + 1, *q;
	int k = *guess - 1;
	uint64_t w[2];
	size_t n;
	uint32_t h;

	if (k >= 0 && key_len[k] < sizeof(w) && end - p >= (ptrdiff_t)sizeof(w)) {
		memcpy(w, p, sizeof(w));
		if (!(((w[0] ^ key_word[k][0]) & key_mask[k][0]) |
		      ((w[1] ^ key_word[k][1]) & key_mask[k][1]))) {
			*pp = p + key_len[k] + 1;
			return k;
		}
	} else if (k >= 0) {
		n = key_len[k];
		if ((size_t)(end - p) > n && p[n] == '"' && !memcmp(p, key_name[k], n)) {
			*pp = p + n + 1;
			return k;
		}
	}
	q = scan_key(p, end, &h);
	if (!q)
		return -1;
	k = key_lookup(p, q - p, h);
	if (k >= 0)
		*guess = k + 1;
	*pp = q + 1;
	return k;
}

/* An unsigned integer without sign, fraction or exponent that fits a u64 */
static const char *scan_uint(const char *p, const char *end, uint64_t *v)
{
	const char *stop = end - p > 19 ? p + 19 : end;
	uint64_t x = 0;
	unsigned int d;

	if (*p == '0') {
		p++;
	} else {
		/* 19 digits cannot overflow; a 20th may */
		for (; p < stop && (d = (unsigned char)*p - '0') <= 9; p++)
			x = x * 10 + d;
		if (p == stop && p < end && (d = (unsigned char)*p - '0') <= 9) {
			if (x > (UINT64_MAX - d) / 10)
				return NULL;
			x = x * 10 + d;
			p++;
		}
	}
	if (p < end && ((unsigned int)(*p - '0') <= 9 || *p == '.' || *p == 'e' || *p == 'E'))
		return NULL;
	*v = x;
	return p;
}

static const char *scan_word(const char *p, const char *end, const char *w, size_t n)
{
	return (size_t)(end - p) >= n && !memcmp(p, w, n) ? p + n : NULL;
}

static const char *scan_value(const char *p, const char *end, struct rval *v)
{
	v->cstr = false;
	switch (*p) {
	case '"':
		v->type = JSON_STR;
		v->s = p + 1;
		p = scan_str(p + 1, end);
		if (p)
			v->len = p++ - v->s;
		return p;
	case 't':
		v->type = JSON_BOOL;
		v->b = true;
		return scan_word(p, end, "true", 4);
	case 'f':
		v->type = JSON_BOOL;
		v->b = false;
		return scan_word(p, end, "false", 5);
	case 'n':
		v->type = JSON_NULL;
		return scan_word(p, end, "null", 4);
	default:
		if ((unsigned int)(*p - '0') > 9)
			return NULL;
		v->type = JSON_NUM;
		v->u64_ok = true;
		return scan_uint(p, end, &v->u);
	}
}

int record_scan(const char *line, size_t len, struct rfields *f)
{
	const char *p = line, *end = line + len;
	unsigned int ctx = 0;
	int k = -1;

	build_slots();
	f->have = 0;
	p = skip_ws(p, end);
	if (p == end || *p++ != '{')
		return -EAGAIN;
	p = skip_ws(p, end);
	if (p < end && *p == '}') {
		p++;
		goto tail;
	}
	for (;;) {
		if (p == end || *p != '"')
			return -EAGAIN;
		k = scan_key_at(&p, end, k, ctx);
		if (k < 0 || f->have & (1ULL << k))
			return -EAGAIN;
		p = skip_ws(p, end);
		if (p == end || *p++ != ':')
			return -EAGAIN;
		p = skip_ws(p, end);
		if (p == end || !(p = scan_value(p, end, &f->v[k])))
			return -EAGAIN;
		f->have |= 1ULL << k;
		if (k == RK_RECORD && f->v[k].type == JSON_STR && f->v[k].len)
			ctx = (unsigned char)f->v[k].s[0];
		p = skip_ws(p, end);
		if (p == end)
			return -EAGAIN;
		if (*p == '}') {
			p++;
			break;
		}
		if (*p++ != ',')
			return -EAGAIN;
		p = skip_ws(p, end);
	}
tail:
	return skip_ws(p, end) == end ? 0 : -EAGAIN;
}

int record_fields(const struct json *o, struct rfields *f)
{
	const struct json *j;
	const char *key;
	struct rval *v;
	uint32_t h;
	int k;

	build_slots();
	f->have = 0;
	if (json_type(o) != JSON_OBJ)
		return -EINVAL;
	for (size_t i = 0; i < json_len(o); i++) {
		key = json_key_at(o, i);
		h = 5381;
		for (const char *c = key; *c; c++)
			h = hash_step(h, (unsigned char)*c);
		k = key_lookup(key, strlen(key), h);
		if (k < 0)
			continue;
		j = json_at(o, i);
		v = &f->v[k];
		v->type = json_type(j);
		v->b = false;
		json_bool(j, &v->b);
		v->u64_ok = json_u64(j, &v->u);
		v->s = json_str(j);
		v->len = v->s ? strlen(v->s) : 0;
		v->cstr = true;
		f->have |= 1ULL << k;
	}
	return 0;
}
