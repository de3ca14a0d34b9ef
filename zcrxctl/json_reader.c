// SPDX-License-Identifier: MIT
/*
 * A strict JSON (RFC 8259) reader for one protocol line.
 *
 * Recursive descent, but only containers recurse and at most JSON_MAX_DEPTH
 * of them nest, so the stack is bounded.  Every value costs at least one
 * input byte and a decoded string is never longer than its source, so what
 * is allocated grows linearly with the input.  Stricter than the RFC where
 * C strings would otherwise lie: "\u0000" is refused (it would cut a key or
 * value short), as are duplicate keys in an object (which one would win?),
 * invalid UTF-8, lone surrogates and numbers too large for a double.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>	/* isfinite */
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "utf8.h"

struct json {
	enum json_type	type;
	union {
		bool	b;
		struct {
			double		d;
			uint64_t	mag;	/* |value| when exact */
			bool		exact;	/* an integer that fits mag */
			bool		neg;
		} num;
		struct {
			char	*s;
		} str;
		struct {
			struct json	*items;
			char		**keys;	/* objects only */
			size_t		n, cap;
		} c;
	} u;
};

struct parser {
	const char	*p, *end;
	int		err;
};

static void node_release(struct json *j)
{
	size_t i;

	switch (j->type) {
	case JSON_STR:
		free(j->u.str.s);
		break;
	case JSON_OBJ:
	case JSON_ARR:
		for (i = 0; i < j->u.c.n; i++) {
			node_release(&j->u.c.items[i]);
			if (j->u.c.keys)
				free(j->u.c.keys[i]);
		}
		free(j->u.c.items);
		free(j->u.c.keys);
		break;
	default:
		break;
	}
}

void json_free(struct json *j)
{
	if (!j)
		return;
	node_release(j);
	free(j);
}

static int fail(struct parser *ps, int err)
{
	if (!ps->err)
		ps->err = err;
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return fail(ps, -EINVAL);
	ps->p += n;
	return 0;
}

/* Four hex digits at *pp (before end) into *out; -1 if not. */
static int hex4(const char **pp, const char *end, unsigned int *out)
{
	const char *p = *pp;
	unsigned int v = 0;
	int i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = *p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return -1;
	}
	*pp = p;
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * A string at ps->p (on its opening quote), decoded into a new C string;
 * ps->p ends past the closing quote.
 */
static char *parse_string(struct parser *ps)
{
	const char *p = ps->p + 1, *end = p;
	char *out, *o;

	/* the decoded string is never longer than the source: find its end */
	while (end < ps->end && *end != '"') {
		if (*end == '\\' && ps->end - end >= 2)
			end++;
		end++;
	}
	if (end >= ps->end) {
		fail(ps, -EINVAL);
		return NULL;
	}
	out = malloc((size_t)(end - p) + 1);
	if (!out) {
		fail(ps, -ENOMEM);
		return NULL;
	}
	o = out;
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		unsigned int cp, lo;
		size_t n;

		if (c < 0x20)
			goto err;
		if (c != '\\') {
			n = utf8_len((const unsigned char *)p, (const unsigned char *)end);
			if (!n)
				goto err;
			memcpy(o, p, n);
			o += n;
			p += n;
			continue;
		}
		if (++p >= end)
			goto err;
		switch (*p++) {
		case '"':  *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/':  *o++ = '/'; break;
		case 'b':  *o++ = '\b'; break;
		case 'f':  *o++ = '\f'; break;
		case 'n':  *o++ = '\n'; break;
		case 'r':  *o++ = '\r'; break;
		case 't':  *o++ = '\t'; break;
		case 'u':
			if (hex4(&p, end, &cp))
				goto err;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				goto err;	/* a low surrogate first */
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
					goto err;
				p += 2;
				if (hex4(&p, end, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto err;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (!cp)
				goto err;
			o += put_utf8(o, cp);
			break;
		default:
			goto err;
		}
	}
	*o = '\0';
	ps->p = end + 1;
	return out;
err:
	fail(ps, -EINVAL);
	free(out);
	return NULL;
}

static locale_t c_numeric(void)
{
	static locale_t loc;

	/* strtod() follows LC_NUMERIC; JSON's decimal point does not */
	if (!loc)
		loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return loc;
}

static int parse_number(struct parser *ps, struct json *j)
{
	const char *start = ps->p, *p = ps->p;
	bool integer = true;
	uint64_t mag = 0;
	bool exact = true;
	char *tmp, *endp;
	locale_t loc;
	double d;
	size_t n;

	if (p < ps->end && *p == '-')
		p++;
	if (p >= ps->end || *p < '0' || *p > '9')
		return fail(ps, -EINVAL);
	if (*p == '0') {
		p++;
	} else {
		for (; p < ps->end && *p >= '0' && *p <= '9'; p++) {
			unsigned int dg = (unsigned int)(*p - '0');

			if (mag > (UINT64_MAX - dg) / 10)
				exact = false;
			else
				mag = mag * 10 + dg;
		}
	}
	if (p < ps->end && *p == '.') {
		integer = false;
		p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return fail(ps, -EINVAL);
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		integer = false;
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return fail(ps, -EINVAL);
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	n = (size_t)(p - start);
	loc = c_numeric();
	tmp = malloc(n + 1);
	if (!tmp || !loc) {
		free(tmp);
		return fail(ps, -ENOMEM);
	}
	memcpy(tmp, start, n);
	tmp[n] = '\0';
	errno = 0;
	d = strtod_l(tmp, &endp, loc);
	free(tmp);
	if (!isfinite(d))
		return fail(ps, -EINVAL);	/* 1e999: no double holds it */
	j->type = JSON_NUM;
	j->u.num.d = d;
	j->u.num.exact = integer && exact;
	j->u.num.mag = mag;
	j->u.num.neg = *start == '-';
	ps->p = p;
	return 0;
}

static int parse_value(struct parser *ps, struct json *j, int depth);

static int grow(struct parser *ps, struct json *c)
{
	size_t cap = c->u.c.cap ? c->u.c.cap * 2 : 4;
	struct json *items;
	char **keys;

	if (c->u.c.n < c->u.c.cap)
		return 0;
	if (cap > SIZE_MAX / sizeof(*items))
		return fail(ps, -ENOMEM);
	items = realloc(c->u.c.items, cap * sizeof(*items));
	if (!items)
		return fail(ps, -ENOMEM);
	c->u.c.items = items;
	if (c->type == JSON_OBJ) {
		keys = realloc(c->u.c.keys, cap * sizeof(*keys));
		if (!keys)
			return fail(ps, -ENOMEM);
		c->u.c.keys = keys;
	}
	c->u.c.cap = cap;
	return 0;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check_unique(struct parser *ps, struct json *obj)
{
	size_t n = obj->u.c.n, i;
	char **sorted;
	int ret = 0;

	if (n < 2)
		return 0;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return fail(ps, -ENOMEM);
	memcpy(sorted, obj->u.c.keys, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_keys);
	for (i = 1; i < n; i++) {
		if (!strcmp(sorted[i - 1], sorted[i])) {
			ret = fail(ps, -EINVAL);
			break;
		}
	}
	free(sorted);
	return ret;
}

/* An array or object at ps->p (on its opening bracket). */
static int parse_container(struct parser *ps, struct json *c, int depth)
{
	bool obj = *ps->p == '{';
	char close = obj ? '}' : ']';

	if (depth >= JSON_MAX_DEPTH)
		return fail(ps, -E2BIG);
	c->type = obj ? JSON_OBJ : JSON_ARR;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct json v = { .type = JSON_NULL };

		skip_ws(ps);
		if (obj) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, -EINVAL);
			key = parse_string(ps);
			if (!key)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return fail(ps, -EINVAL);
			}
			ps->p++;
		}
		if (parse_value(ps, &v, depth + 1) || grow(ps, c)) {
			node_release(&v);
			free(key);
			return -1;
		}
		if (obj)
			c->u.c.keys[c->u.c.n] = key;
		c->u.c.items[c->u.c.n++] = v;
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, -EINVAL);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p != close)
			return fail(ps, -EINVAL);
		ps->p++;
		return obj ? check_unique(ps, c) : 0;
	}
}

static int parse_value(struct parser *ps, struct json *j, int depth)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, -EINVAL);
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps, j, depth);
	case '"':
		j->u.str.s = parse_string(ps);
		if (!j->u.str.s)
			return -1;
		j->type = JSON_STR;
		return 0;
	case 't':
		j->type = JSON_BOOL;
		j->u.b = true;
		return literal(ps, "true");
	case 'f':
		j->type = JSON_BOOL;
		j->u.b = false;
		return literal(ps, "false");
	case 'n':
		j->type = JSON_NULL;
		return literal(ps, "null");
	default:
		return parse_number(ps, j);
	}
}

struct json *json_parse(const char *buf, size_t len, int *err)
{
	struct parser ps = { .p = buf, .end = buf + len };
	struct json *j;
	int dummy;

	if (!err)
		err = &dummy;
	if (!buf) {
		*err = -EINVAL;
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		*err = -ENOMEM;
		return NULL;
	}
	j->type = JSON_NULL;
	if (!parse_value(&ps, j, 0)) {
		skip_ws(&ps);
		if (ps.p == ps.end) {
			*err = 0;
			return j;
		}
		fail(&ps, -EINVAL);	/* trailing garbage */
	}
	json_free(j);
	*err = ps.err ? ps.err : -EINVAL;
	return NULL;
}

enum json_type json_type(const struct json *j)
{
	return j ? j->type : JSON_NULL;
}

const struct json *json_get(const struct json *j, const char *key)
{
	size_t i;

	if (!j || j->type != JSON_OBJ || !key)
		return NULL;
	for (i = 0; i < j->u.c.n; i++)
		if (!strcmp(j->u.c.keys[i], key))
			return &j->u.c.items[i];
	return NULL;
}

size_t json_len(const struct json *j)
{
	if (!j || (j->type != JSON_OBJ && j->type != JSON_ARR))
		return 0;
	return j->u.c.n;
}

const struct json *json_at(const struct json *j, size_t i)
{
	if (i >= json_len(j))
		return NULL;
	return &j->u.c.items[i];
}

const char *json_key_at(const struct json *j, size_t i)
{
	if (!j || j->type != JSON_OBJ || i >= j->u.c.n)
		return NULL;
	return j->u.c.keys[i];
}

const char *json_str(const struct json *j)
{
	return j && j->type == JSON_STR ? j->u.str.s : NULL;
}

bool json_bool(const struct json *j, bool *out)
{
	if (!j || j->type != JSON_BOOL)
		return false;
	*out = j->u.b;
	return true;
}

bool json_num(const struct json *j, double *out)
{
	if (!j || j->type != JSON_NUM)
		return false;
	*out = j->u.num.d;
	return true;
}

bool json_u64(const struct json *j, uint64_t *out)
{
	double d;

	if (!j || j->type != JSON_NUM)
		return false;
	if (j->u.num.exact) {
		if (j->u.num.neg && j->u.num.mag)
			return false;
		*out = j->u.num.mag;
		return true;
	}
	/* 1e3, 10.0: integral, if not written as an integer; 2^64 is out */
	d = j->u.num.d;
	if (!(d >= 0 && d < 18446744073709551616.0) || (double)(uint64_t)d != d)
		return false;
	*out = (uint64_t)d;
	return true;
}

bool json_i64(const struct json *j, int64_t *out)
{
	double d;

	if (!j || j->type != JSON_NUM)
		return false;
	if (j->u.num.exact) {
		if (j->u.num.neg) {
			if (j->u.num.mag > (uint64_t)INT64_MAX + 1)
				return false;
			*out = j->u.num.mag == (uint64_t)INT64_MAX + 1 ?
				INT64_MIN : -(int64_t)j->u.num.mag;
		} else {
			if (j->u.num.mag > (uint64_t)INT64_MAX)
				return false;
			*out = (int64_t)j->u.num.mag;
		}
		return true;
	}
	d = j->u.num.d;
	if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) ||
	    (double)(int64_t)d != d)
		return false;
	*out = (int64_t)d;
	return true;
}
