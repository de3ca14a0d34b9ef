// SPDX-License-Identifier: MIT
/* Text-or-JSON printing from one call, and error reporting (p_err). */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "print.h"
#include "utf8.h"

/* Where p_err() and p_info() report: set once, by main. */
static struct {
	struct printer	*out;
	bool		quiet;
} diag;

static const char *const color_seq[] = {
	[COLOR_NONE]	= "",
	[COLOR_OK]	= "\033[32m",
	[COLOR_BAD]	= "\033[31m",
	[COLOR_WARN]	= "\033[33m",
	[COLOR_NAME]	= "\033[1m",
};

/*
 * Records print a few bytes per call, thousands of calls per second in an
 * event storm: they go into out's buffer directly while it has room, as
 * putc_unlocked() does, else through stdio.  out_room() is that room,
 * [*w, end), false when there is none to write into (no buffer yet, or not
 * glibc); out_commit() keeps what went in.
 */
static inline bool out_room(const struct printer *p, char **w, char **end)
{
#ifdef __GLIBC__
	*w = p->out->_IO_write_ptr;
	*end = p->out->_IO_write_end;
#else
	*w = *end = NULL;
#endif
	/*
	 * No buffer yet: stdio makes one at the first write.  A line-buffered
	 * or unbuffered stream (a terminal's) keeps its write end at or below
	 * its write pointer, so that every byte goes through stdio's line
	 * logic: no room there either.
	 */
	return *w && *end > *w;
}

static inline void out_commit(struct printer *p, char *w)
{
#ifdef __GLIBC__
	p->out->_IO_write_ptr = w;
#else
	(void)p;
	(void)w;
#endif
}

static inline void out_write(struct printer *p, const void *s, size_t n)
{
	char *w, *end;

	if (out_room(p, &w, &end) && (size_t)(end - w) >= n) {
		memcpy(w, s, n);
		out_commit(p, w + n);
		return;
	}
	fwrite_unlocked(s, 1, n, p->out);
}

/* Plain ASCII: what needs no escaping in text or JSON. */
static const bool plain_byte[256] = {
	[0x20 ... '"' - 1]	= true,
	['"' + 1 ... '\\' - 1]	= true,
	['\\' + 1 ... 0x7e]	= true,
};

static inline bool plain(char c)
{
	return plain_byte[(unsigned char)c];
}

/* The high bit of each byte of v that is not plain, 8 bytes at a time. */
static inline uint64_t not_plain8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\'), d = v ^ (ones * 0x7f);

	/* borrows start only at a byte below 0x20 or a zero one: any-tests exact */
	return (v | ((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b) |
		((d - ones) & ~d)) & (ones * 0x80);
}

/* n bytes of s to w if all are plain */
static inline bool copy_plain(char *w, const char *s, size_t n)
{
	uint64_t v;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&v, s + i, 8);
		if (not_plain8(v))
			return false;
		memcpy(w + i, &v, 8);
	}
	for (; i < n; i++) {
		if (!plain(s[i]))
			return false;
		w[i] = s[i];
	}
	return true;
}

/*
 * Keys, formats and many values are our own literals, printed over and
 * over: what one was found to be (a plain string's length, a format's
 * head before its '%') is kept by address, for strings of our image's
 * read-only part only, whose bytes never change.  A hit writes the 16
 * kept bytes at once where the room allows; its length says how many count.
 */
#define SEEN_MAX	16
#define SEEN_SLOTS	256

struct seen {
	const char	*s;
	size_t		n;
	char		b[SEEN_MAX];
};

static struct seen seen_plain[SEEN_SLOTS], seen_heads[SEEN_SLOTS];

#ifdef __GLIBC__
/* the linker's: headers, text and rodata come before the first writable section */
extern const char __executable_start[] __attribute__((weak));
extern const char __init_array_start[] __attribute__((weak));
#endif

static bool read_only(const char *s)
{
#ifdef __GLIBC__
	return __executable_start && __init_array_start &&
	       (uintptr_t)s >= (uintptr_t)__executable_start &&
	       (uintptr_t)s < (uintptr_t)__init_array_start;
#else
	(void)s;
	return false;
#endif
}

/*
 * Strings up to 512 bytes apart never share a slot; two that do anyway
 * (from far apart objects) take it and its neighbour.
 */
static inline unsigned int seen_slot(const char *s)
{
	return ((uintptr_t)s >> 1) % SEEN_SLOTS;
}

static inline const struct seen *seen_find(const struct seen *tab, const char *s)
{
	unsigned int i = seen_slot(s);

	if (tab[i].s == s)
		return &tab[i];
	if (tab[i ^ 1].s == s)
		return &tab[i ^ 1];
	return NULL;
}

/* e's bytes at w, which has room for SEEN_MAX: past its length */
static inline char *seen_put(char *w, const struct seen *e)
{
	memcpy(w, e->b, SEEN_MAX);
	return w + e->n;
}

static void seen_keep(struct seen *tab, const char *s, size_t n)
{
	unsigned int i = seen_slot(s);
	struct seen *e = &tab[i];

	if (n > SEEN_MAX || !read_only(s))
		return;
	if (e->s && !tab[i ^ 1].s)
		e = &tab[i ^ 1];
	e->s = s;
	e->n = n;
	memset(e->b, 0, SEEN_MAX);
	memcpy(e->b, s, n);
}

/* s at w, short of end, if it is plain: past it, or NULL */
static inline __attribute__((always_inline))
char *direct_plain(char *w, char *end, const char *s)
{
	const struct seen *e = seen_find(seen_plain, s);
	size_t n;

	if (e && end - w >= SEEN_MAX)
		return seen_put(w, e);
	n = strlen(s);
	if ((size_t)(end - w) < n || !copy_plain(w, s, n))
		return NULL;
	if (!e)
		seen_keep(seen_plain, s, n);
	return w + n;
}

/*
 * The comma and "key": of an object's member, at *w short of end, not yet
 * committed: false when the member is not that simple (pretty, in an
 * array, a key to escape) or the room is short.  The caller commits
 * value and all, then sets need_comma.
 */
static inline __attribute__((always_inline))
bool direct_member(const struct printer *p, const char *key, char **wp, char *end)
{
	char *w = *wp;

	if (!p->flat || !key || end - w < 4)
		return false;
	if (p->need_comma[p->depth])
		*w++ = ',';
	*w++ = '"';
	/* and room for '":' after it */
	w = direct_plain(w, end - 2, key);
	if (!w)
		return false;
	*w++ = '"';
	*w++ = ':';
	*wp = w;
	return true;
}

/* "00" to "99": numbers go two digits at a time */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* val's decimal digits, at least width of them (zeros first), ending at e: their start */
static inline char *digits_back(char *e, uint64_t val, int width)
{
	char *stop = e - width;

	while (val >= 100) {
		e -= 2;
		memcpy(e, &digit_pairs[2 * (val % 100)], 2);
		val /= 100;
	}
	if (val >= 10) {
		e -= 2;
		memcpy(e, &digit_pairs[2 * val], 2);
	} else {
		*--e = '0' + val;
	}
	while (e > stop)
		*--e = '0';
	return e;
}

char *print_digits(char *e, uint64_t val, int width)
{
	return digits_back(e, val, width);
}

/* how many decimal digits val has */
static inline int u64_len(uint64_t val)
{
	int n = 1;

	if (val >= 10000000000000000000ULL)
		return 20;
	for (uint64_t p = 10; val >= p; p *= 10)
		n++;
	return n;
}

/* val's digits at w: past them, or NULL when short of end */
static inline char *direct_u64(char *w, char *end, uint64_t val)
{
	int n = u64_len(val);

	if (end - w < n)
		return NULL;
	digits_back(w + n, val, 1);
	return w + n;
}

/* "s" for a plain s at w: past it, or NULL */
static inline __attribute__((always_inline))
char *direct_str(char *w, char *end, const char *s)
{
	if (end - w < 2)
		return NULL;
	*w++ = '"';
	w = direct_plain(w, end - 1, s);
	if (!w)
		return NULL;
	*w++ = '"';
	return w;
}

/* n bytes of s at w: past them, or NULL */
static inline char *direct_lit(char *w, char *end, const char *s, size_t n)
{
	if ((size_t)(end - w) < n)
		return NULL;
	memcpy(w, s, n);
	return w + n;
}

/* A member done at once: its value at w, committed */
static inline void member_done(struct printer *p, char *w)
{
	p->need_comma[p->depth] = true;
	out_commit(p, w);
}

/*
 * fmt's text before its one conversion, straight into the room at [*w,
 * end), and the conversion at *conv (NULL: fmt has none); false when the
 * room is short.
 */
static inline __attribute__((always_inline))
bool direct_head(char **w, char *end, const char *fmt, const char **conv)
{
	const struct seen *e = seen_find(seen_heads, fmt);
	size_t n;

	if (e && end - *w >= SEEN_MAX) {
		*conv = fmt + e->n;
		*w = seen_put(*w, e);
		return true;
	}
	*conv = strchr(fmt, '%');
	n = *conv ? (size_t)(*conv - fmt) : strlen(fmt);
	if ((size_t)(end - *w) < n)
		return false;
	memcpy(*w, fmt, n);
	*w += n;
	if (*conv && !e)
		seen_keep(seen_heads, fmt, n);
	return true;
}

/* and its tail, after the conversion: false on another one, or no room */
static inline bool direct_tail(char **wp, char *end, const char *tail)
{
	char *w = *wp;

	for (; *tail; tail++) {
		if (*tail == '%' || w == end)
			return false;
		*w++ = *tail;
	}
	*wp = w;
	return true;
}

/*
 * fmt with val for its one %s (none: fmt alone), into the room at once:
 * false, nothing written, when fmt has another conversion, val is not
 * plain or the room is short.  (A '"' is plain in text: no caller needs it.)
 */
static inline __attribute__((always_inline))
bool direct_s(struct printer *p, const char *fmt, const char *val)
{
	const char *conv;
	char *w, *end;

	if (!out_room(p, &w, &end) || !direct_head(&w, end, fmt, &conv))
		return false;
	if (conv) {
		if (conv[1] != 's' || !(w = direct_plain(w, end, val)))
			return false;
		if (!direct_tail(&w, end, conv + 2))
			return false;
	}
	out_commit(p, w);
	return true;
}

/* The same for an unsigned and fmt's one %llu. */
static inline __attribute__((always_inline))
bool direct_llu(struct printer *p, const char *fmt, uint64_t val)
{
	const char *conv;
	char *w, *end;

	if (!out_room(p, &w, &end) || !direct_head(&w, end, fmt, &conv) || !conv ||
	    conv[1] != 'l' || conv[2] != 'l' || conv[3] != 'u' ||
	    !(w = direct_u64(w, end, val)) || !direct_tail(&w, end, conv + 4))
		return false;
	out_commit(p, w);
	return true;
}

static inline void out_puts(struct printer *p, const char *s)
{
	out_write(p, s, strlen(s));
}

static inline void out_putc(struct printer *p, char c)
{
	putc_unlocked(c, p->out);
}

void printer_init(struct printer *p, FILE *out, bool json, bool pretty, enum color_mode cm)
{
	const char *nc = getenv("NO_COLOR");

	memset(p, 0, sizeof(*p));
	p->out = out;
	p->json = json;
	p->pretty = pretty;
	switch (cm) {
	case COLOR_ALWAYS:
		p->color = !json;
		break;
	case COLOR_NEVER:
		p->color = false;
		break;
	default:
		p->color = !json && isatty(fileno(out)) && !(nc && *nc);
		break;
	}
}

bool print_is_json(const struct printer *p)
{
	return p->json;
}

bool print_failed(const struct printer *p)
{
	return ferror_unlocked(p->out);
}

void print_diag_setup(struct printer *out, bool quiet)
{
	diag.out = out;
	diag.quiet = quiet;
}

/*
 * Length of the valid UTF-8 sequence at s that a terminal shows as text, or
 * 0: not the C1 controls (U+0080..U+009F, C2 80..C2 9F), which some
 * terminals obey like ESC.
 */
static size_t shown_len(const unsigned char *s, const unsigned char *end)
{
	size_t n = utf8_len(s, end);

	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0 ? 0 : n;
}

/* The escape of the byte at s into out (at least 5 bytes), or 0 if it shows as is. */
static size_t escape_byte(const unsigned char *s, bool keep_nl, char *out)
{
	static const char names[] = "\aa\bb\tt\nn\vv\ff\rr\033e\\\\";
	const char *c;

	if ((*s >= 0x20 && *s < 0x7f && *s != '\\') || (*s == '\n' && keep_nl))
		return 0;
	for (c = names; *c; c += 2) {
		if (*c == (char)*s) {
			out[0] = '\\';
			out[1] = c[1];
			return 2;
		}
	}
	snprintf(out, 5, "\\x%02x", *s);
	return 4;
}

char *print_escape(const char *s, bool keep_nl)
{
	const unsigned char *c = (const unsigned char *)s, *end = c + strlen(s);
	char *buf = NULL, e[5];
	size_t len = 0, n;
	FILE *f;

	for (; *c; c++) {
		if (*c >= 0x80 && (n = shown_len(c, end))) {
			c += n - 1;
			continue;
		}
		if (escape_byte(c, keep_nl, e))
			break;
	}
	if (!*c)
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fwrite_unlocked(s, 1, (const char *)c - s, f);
	for (; *c; c++) {
		if (*c >= 0x80 && (n = shown_len(c, end))) {
			fwrite_unlocked(c, 1, n, f);
			c += n - 1;
		} else if ((n = escape_byte(c, keep_nl, e))) {
			fwrite_unlocked(e, 1, n, f);
		} else {
			fputc_unlocked(*c, f);
		}
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void jw_indent(struct printer *p)
{
	if (!p->pretty)
		return;
	out_putc(p, '\n');
	for (int i = 0; i < p->depth; i++)
		out_write(p, "  ", 2);
}

static void jw_string(struct printer *p, const char *s)
{
	const unsigned char *c = (const unsigned char *)s, *run = c, *end;
	size_t n;

	char *w, *wend;

	if (out_room(p, &w, &wend) && (w = direct_str(w, wend, s))) {
		out_commit(p, w);
		return;
	}
	end = c + strlen(s);
	out_putc(p, '"');
	for (;; c++) {
		/* write runs that need no escaping in one go */
		if (*c >= 0x80 && (n = utf8_len(c, end))) {
			c += n - 1;
			continue;
		}
		if (*c >= 0x20 && *c < 0x80 && *c != '"' && *c != '\\' && *c != 0x7f)
			continue;
		out_write(p, run, c - run);
		run = c + 1;
		/* JSON is UTF-8 (RFC 8259): a byte of no sequence becomes U+FFFD */
		if (*c >= 0x80) {
			out_write(p, "\\ufffd", 6);
			continue;
		}
		switch (*c) {
		case '\0':
			out_putc(p, '"');
			return;
		case '"':
			out_write(p, "\\\"", 2);
			break;
		case '\\':
			out_write(p, "\\\\", 2);
			break;
		case '\n':
			out_write(p, "\\n", 2);
			break;
		case '\t':
			out_write(p, "\\t", 2);
			break;
		case '\r':
			out_write(p, "\\r", 2);
			break;
		default:
			fprintf(p->out, "\\u%04x", *c);
		}
	}
}

/* Comma, indentation and key before a value at the current depth. */
static void jw_member(struct printer *p, const char *key)
{
	if (p->depth == 0) {
		if (p->doc_open)
			out_putc(p, '\n');	/* a second document: NDJSON */
		p->doc_open = true;
		return;
	}
	if (p->need_comma[p->depth])
		out_putc(p, ',');
	p->need_comma[p->depth] = true;
	jw_indent(p);
	if (p->in_array[p->depth])
		return;
	jw_string(p, key ? key : "");
	if (p->pretty)
		out_write(p, ": ", 2);
	else
		out_putc(p, ':');
}

static void jw_open(struct printer *p, const char *key, bool array)
{
	jw_member(p, key);
	/* a caller bug, never input: nothing we print nests past a handful */
	assert(p->depth + 1 < PRINT_MAX_DEPTH);
	out_putc(p, array ? '[' : '{');
	p->depth++;
	p->in_array[p->depth] = array;
	p->need_comma[p->depth] = false;
	p->flat = !p->pretty && !array;
}

static void jw_close(struct printer *p)
{
	bool array, had;

	if (p->depth == 0)
		return;
	array = p->in_array[p->depth];
	had = p->need_comma[p->depth];
	p->depth--;
	p->flat = p->depth && !p->pretty && !p->in_array[p->depth];
	if (had)
		jw_indent(p);
	out_putc(p, array ? ']' : '}');
}

void open_json_object(struct printer *p, const char *key)
{
	if (p->json)
		jw_open(p, key, false);
}

void close_json_object(struct printer *p)
{
	if (p->json)
		jw_close(p);
}

void open_json_array(struct printer *p, const char *key)
{
	if (p->json)
		jw_open(p, key, true);
}

void close_json_array(struct printer *p)
{
	if (p->json)
		jw_close(p);
}

static void text_out_raw(struct printer *p, enum color c, const char *fmt, const char *val)
{
	const char *pct, *conv;
	char spec[16];

	/* the common " key=%s": no printf */
	if ((!p->color || c == COLOR_NONE) && direct_s(p, fmt, val))
		return;
	pct = strchr(fmt, '%');
	conv = pct ? pct + 1 + strspn(pct + 1, "-0123456789") : NULL;
	if (!p->color || c == COLOR_NONE || !conv || *conv != 's' ||
	    (size_t)(conv - pct) + 2 > sizeof(spec)) {
		fprintf(p->out, fmt, val);
		return;
	}
	/* colour only the value (with its padding), not the words around it */
	memcpy(spec, pct, conv - pct + 1);
	spec[conv - pct + 1] = '\0';
	fwrite_unlocked(fmt, 1, pct - fmt, p->out);
	fputs_unlocked(color_seq[c], p->out);
	fprintf(p->out, spec, val);
	fputs_unlocked("\033[0m", p->out);
	fputs_unlocked(conv + 1, p->out);
}

static void text_out(struct printer *p, enum color c, const char *fmt, const char *val)
{
	char *esc;

	if (!fmt)
		return;
	if ((!p->color || c == COLOR_NONE) && direct_s(p, fmt, val))
		return;
	/* a value we did not write (wire, netlink, argv) never drives the terminal */
	esc = print_escape(val, false);
	text_out_raw(p, c, fmt, esc ? esc : val);
	free(esc);
}

static inline __attribute__((always_inline))
void string_out(struct printer *p, enum print_type t, enum color c, const char *key,
		const char *fmt, const char *val)
{
	char *w, *end;

	if (p->json) {
		if (!(t & PRINT_JSON))
			return;
		if (out_room(p, &w, &end) && direct_member(p, key, &w, end) &&
		    (w = val ? direct_str(w, end, val) : direct_lit(w, end, "null", 4))) {
			member_done(p, w);
			return;
		}
		jw_member(p, key);
		if (val)
			jw_string(p, val);
		else
			out_write(p, "null", 4);
	} else if ((t & PRINT_FP) && fmt) {
		if ((!p->color || c == COLOR_NONE) && direct_s(p, fmt, val ? val : "n/a"))
			return;
		text_out(p, c, fmt, val ? val : "n/a");
	}
}

void print_color_string(struct printer *p, enum print_type t, enum color c, const char *key,
			const char *fmt, const char *val)
{
	string_out(p, t, c, key, fmt, val);
}

void print_string(struct printer *p, enum print_type t, const char *key, const char *fmt, const char *val)
{
	string_out(p, t, COLOR_NONE, key, fmt, val);
}

static void put_u64(struct printer *p, uint64_t val)
{
	char buf[20];
	char *e = buf + sizeof(buf), *d = digits_back(e, val, 1);

	out_write(p, d, e - d);
}

void print_uint(struct printer *p, enum print_type t, const char *key, const char *fmt, uint64_t val)
{
	const char *conv;
	char *w, *end;

	if (p->json) {
		if (!(t & PRINT_JSON))
			return;
		if (out_room(p, &w, &end) && direct_member(p, key, &w, end) && (w = direct_u64(w, end, val))) {
			member_done(p, w);
			return;
		}
		jw_member(p, key);
		put_u64(p, val);
	} else if ((t & PRINT_FP) && fmt) {
		/* the common " key=%llu" without printf: event storms print many */
		if (direct_llu(p, fmt, val))
			return;
		conv = strstr(fmt, "%llu");
		if (conv && !strchr(conv + 4, '%') && memchr(fmt, '%', conv - fmt) == NULL) {
			out_write(p, fmt, conv - fmt);
			put_u64(p, val);
			out_puts(p, conv + 4);
		} else {
			fprintf(p->out, fmt, (unsigned long long)val);
		}
	}
}

void print_int(struct printer *p, enum print_type t, const char *key, const char *fmt, int64_t val)
{
	if (p->json) {
		if (t & PRINT_JSON) {
			jw_member(p, key);
			if (val < 0)
				out_putc(p, '-');
			put_u64(p, val < 0 ? -(uint64_t)val : (uint64_t)val);
		}
	} else if ((t & PRINT_FP) && fmt) {
		fprintf(p->out, fmt, (long long)val);
	}
}

void print_double(struct printer *p, enum print_type t, const char *key, const char *fmt, double val)
{
	if (p->json) {
		if (t & PRINT_JSON) {
			jw_member(p, key);
			if (isfinite(val)) {
				char buf[32];
				int prec = 1;

				/* the shortest that reads back the same: 19.763, not 19.763000000000002 */
				do
					snprintf(buf, sizeof(buf), "%.*g", prec, val);
				while (strtod(buf, NULL) != val && ++prec < 17);
				if (prec == 17)
					snprintf(buf, sizeof(buf), "%.17g", val);
				fputs_unlocked(buf, p->out);
			} else
				fputs_unlocked("null", p->out);
		}
	} else if ((t & PRINT_FP) && fmt) {
		fprintf(p->out, fmt, val);
	}
}

void print_hex(struct printer *p, enum print_type t, const char *key, const char *fmt, uint64_t val)
{
	char buf[24];

	if (p->json) {
		if (t & PRINT_JSON) {
			snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)val);
			jw_member(p, key);
			jw_string(p, buf);
		}
	} else if ((t & PRINT_FP) && fmt) {
		fprintf(p->out, fmt, (unsigned long long)val);
	}
}

void print_bool(struct printer *p, enum print_type t, const char *key, const char *fmt, bool val)
{
	char *w, *end;

	if (p->json) {
		if (!(t & PRINT_JSON))
			return;
		if (out_room(p, &w, &end) && direct_member(p, key, &w, end) &&
		    (w = val ? direct_lit(w, end, "true", 4) : direct_lit(w, end, "false", 5))) {
			member_done(p, w);
			return;
		}
		jw_member(p, key);
		out_puts(p, val ? "true" : "false");
	} else if ((t & PRINT_FP) && fmt && !direct_s(p, fmt, val ? "yes" : "no")) {
		text_out_raw(p, COLOR_NONE, fmt, val ? "yes" : "no");
	}
}

void print_null(struct printer *p, enum print_type t, const char *key, const char *fmt)
{
	string_out(p, t, COLOR_NONE, key, fmt, NULL);
}

/*
 * Render fmt and its arguments, then escape what a terminal would obey; a
 * newline survives only when fmt itself has one (our own line breaks).
 */
static char *render_escaped(const char *fmt, va_list ap)
{
	char *msg = NULL, *esc;

	if (vasprintf(&msg, fmt, ap) < 0)
		return NULL;
	esc = print_escape(msg, strchr(fmt, '\n') != NULL);
	if (esc) {
		free(msg);
		return esc;
	}
	return msg;
}

void print_text(struct printer *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->json)
		return;
	va_start(ap, fmt);
	msg = render_escaped(fmt, ap);
	va_end(ap);
	fputs_unlocked(msg ? msg : fmt, p->out);
	free(msg);
}

void print_nl(struct printer *p)
{
	if (!p->json)
		out_putc(p, '\n');
}

/* The state the next call's bytes depend on: the same in a and b */
static bool same_state(const struct printer *a, const struct printer *b)
{
	if (a->json != b->json || a->pretty != b->pretty || a->color != b->color ||
	    a->flat != b->flat || a->depth != b->depth || a->doc_open != b->doc_open)
		return false;
	/* a level below the current one is set when it opens */
	for (int i = 0; i <= a->depth; i++)
		if (a->need_comma[i] != b->need_comma[i] || a->in_array[i] != b->in_array[i])
			return false;
	return true;
}

/* p's state set to s, p's stream and error kept */
static void set_state(struct printer *p, const struct printer *s)
{
	FILE *out = p->out;
	int err = p->err;

	*p = *s;
	p->out = out;
	p->err = err;
}

bool print_span_again(struct printer *p, const struct print_span *s)
{
	char *w, *end;

	/* into the buffer only: elsewhere (a terminal's stream) the calls are made */
	if (!s->kept || !out_room(p, &w, &end) || (size_t)(end - w) < s->n ||
	    !same_state(p, &s->before))
		return false;
	memcpy(w, s->b, s->n);
	out_commit(p, w + s->n);
	set_state(p, &s->after);
	return true;
}

bool print_span_begin(struct printer *p, struct print_span *s)
{
	char *w, *end;

	s->start = NULL;
	/*
	 * Room for all the calls can write: stdio writes a fully buffered
	 * stream out only when its buffer is full, so their bytes are the
	 * ones between s->start and the write pointer at the end.
	 */
	if (!out_room(p, &w, &end) || end - w < PRINT_SPAN_MAX || ferror_unlocked(p->out))
		return false;
	s->kept = false;
	s->start = w;
	s->before = *p;
	return true;
}

void print_span_end(struct printer *p, struct print_span *s)
{
	char *w, *end;

	if (!s->start)
		return;
	if (out_room(p, &w, &end) && w >= s->start && w - s->start <= PRINT_SPAN_MAX &&
	    !ferror_unlocked(p->out)) {
		s->n = w - s->start;
		memcpy(s->b, s->start, s->n);
		s->after = *p;
		s->kept = true;
	}
	s->start = NULL;
}

/* Flush, keeping the first failure's errno for print_errno(). */
static void flush(struct printer *p)
{
	int saved = errno;

	errno = 0;
	if (!fflush(p->out))
		errno = saved;
	else if (!p->err)
		p->err = errno ? errno : EIO;
}

int print_errno(const struct printer *p)
{
	return p->err;
}

void print_end(struct printer *p)
{
	if (!p->json) {
		flush(p);
		return;
	}
	while (p->depth > 0)
		jw_close(p);
	if (p->doc_open)
		fputc_unlocked('\n', p->out);
	p->doc_open = false;
	flush(p);
}

void print_record_end(struct printer *p)
{
	/* streams are flushed by their event loop before it sleeps */
	if (!p->json)
		return;
	while (p->depth > 0)
		jw_close(p);
	if (p->doc_open)
		fputc_unlocked('\n', p->out);
	p->doc_open = false;
}

void p_err(const char *fmt, ...)
{
	struct printer *p = diag.out;
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);

	if (p && p->json) {
		/* inside a document: close arrays up to an object, add the error */
		while (p->depth > 0 && p->in_array[p->depth])
			jw_close(p);
		if (p->depth == 0)
			jw_open(p, NULL, false);
		jw_member(p, "error");
		jw_string(p, msg ? msg : fmt);
		print_end(p);
	} else {
		char *esc = msg ? print_escape(msg, strchr(fmt, '\n') != NULL) : NULL;

		if (p)
			flush(p);
		fprintf(stderr, "Error: %s\n", esc ? esc : msg ? msg : fmt);
		free(esc);
	}
	free(msg);
}

void p_info(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (diag.quiet)
		return;
	va_start(ap, fmt);
	msg = render_escaped(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", msg ? msg : fmt);
	free(msg);
}
