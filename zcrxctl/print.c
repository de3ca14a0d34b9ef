// SPDX-License-Identifier: MIT
/* Text-or-JSON printing from one call, and error reporting (p_err). */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "print.h"

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
	return ferror(p->out);
}

void print_diag_setup(struct printer *out, bool quiet)
{
	diag.out = out;
	diag.quiet = quiet;
}

static void jw_indent(struct printer *p)
{
	if (!p->pretty)
		return;
	fputc_unlocked('\n', p->out);
	for (int i = 0; i < p->depth; i++)
		fputs_unlocked("  ", p->out);
}

static void jw_string(struct printer *p, const char *s)
{
	const unsigned char *c = (const unsigned char *)s, *run = c;

	fputc_unlocked('"', p->out);
	for (;; c++) {
		/* write runs that need no escaping in one go */
		if (*c >= 0x20 && *c != '"' && *c != '\\' && *c != 0x7f)
			continue;
		fwrite_unlocked(run, 1, c - run, p->out);
		run = c + 1;
		switch (*c) {
		case '\0':
			fputc_unlocked('"', p->out);
			return;
		case '"':
			fputs_unlocked("\\\"", p->out);
			break;
		case '\\':
			fputs_unlocked("\\\\", p->out);
			break;
		case '\n':
			fputs_unlocked("\\n", p->out);
			break;
		case '\t':
			fputs_unlocked("\\t", p->out);
			break;
		case '\r':
			fputs_unlocked("\\r", p->out);
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
			fputc_unlocked('\n', p->out);	/* a second document: NDJSON */
		p->doc_open = true;
		return;
	}
	if (p->need_comma[p->depth])
		fputc_unlocked(',', p->out);
	p->need_comma[p->depth] = true;
	jw_indent(p);
	if (!p->in_array[p->depth]) {
		jw_string(p, key ? key : "");
		fputs_unlocked(p->pretty ? ": " : ":", p->out);
	}
}

static void jw_open(struct printer *p, const char *key, bool array)
{
	jw_member(p, key);
	/* a caller bug, never input: nothing we print nests past a handful */
	assert(p->depth + 1 < PRINT_MAX_DEPTH);
	fputc_unlocked(array ? '[' : '{', p->out);
	p->depth++;
	p->in_array[p->depth] = array;
	p->need_comma[p->depth] = false;
}

static void jw_close(struct printer *p)
{
	bool array, had;

	if (p->depth == 0)
		return;
	array = p->in_array[p->depth];
	had = p->need_comma[p->depth];
	p->depth--;
	if (had)
		jw_indent(p);
	fputc_unlocked(array ? ']' : '}', p->out);
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

static void text_out(struct printer *p, enum color c, const char *fmt, const char *val)
{
	const char *pct, *conv;
	char spec[16];

	if (!fmt)
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

void print_color_string(struct printer *p, enum print_type t, enum color c, const char *key,
			const char *fmt, const char *val)
{
	if (p->json) {
		if (t & PRINT_JSON) {
			jw_member(p, key);
			if (val)
				jw_string(p, val);
			else
				fputs_unlocked("null", p->out);
		}
	} else if (t & PRINT_FP) {
		text_out(p, c, fmt, val ? val : "n/a");
	}
}

void print_string(struct printer *p, enum print_type t, const char *key, const char *fmt, const char *val)
{
	print_color_string(p, t, COLOR_NONE, key, fmt, val);
}

static void put_u64(struct printer *p, uint64_t val)
{
	char buf[20];
	int i = sizeof(buf);

	do
		buf[--i] = '0' + val % 10;
	while (val /= 10);
	fwrite_unlocked(buf + i, 1, sizeof(buf) - i, p->out);
}

void print_uint(struct printer *p, enum print_type t, const char *key, const char *fmt, uint64_t val)
{
	const char *conv;

	if (p->json) {
		if (t & PRINT_JSON) {
			jw_member(p, key);
			put_u64(p, val);
		}
	} else if ((t & PRINT_FP) && fmt) {
		/* the common " key=%llu" without printf: event storms print many */
		conv = strstr(fmt, "%llu");
		if (conv && !strchr(conv + 4, '%') && memchr(fmt, '%', conv - fmt) == NULL) {
			fwrite_unlocked(fmt, 1, conv - fmt, p->out);
			put_u64(p, val);
			fputs_unlocked(conv + 4, p->out);
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
			fprintf(p->out, "%lld", (long long)val);
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
			if (isfinite(val))
				fprintf(p->out, "%.17g", val);
			else
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
	if (p->json) {
		if (t & PRINT_JSON) {
			jw_member(p, key);
			fputs_unlocked(val ? "true" : "false", p->out);
		}
	} else if ((t & PRINT_FP) && fmt) {
		fprintf(p->out, fmt, val ? "yes" : "no");
	}
}

void print_null(struct printer *p, enum print_type t, const char *key, const char *fmt)
{
	print_string(p, t, key, fmt, NULL);
}

void print_text(struct printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
}

void print_nl(struct printer *p)
{
	if (!p->json)
		fputc_unlocked('\n', p->out);
}

void print_end(struct printer *p)
{
	if (!p->json) {
		fflush(p->out);
		return;
	}
	while (p->depth > 0)
		jw_close(p);
	if (p->doc_open)
		fputc_unlocked('\n', p->out);
	p->doc_open = false;
	fflush(p->out);
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
		if (p)
			fflush(p->out);
		fprintf(stderr, "Error: %s\n", msg ? msg : fmt);
	}
	free(msg);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (diag.quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc_unlocked('\n', stderr);
}
