/* SPDX-License-Identifier: MIT */
/*
 * One printing layer for text and JSON: every print_*() call names the
 * JSON key and the text format together, so the two outputs never drift
 * apart (iproute2's json_print idea).  PRINT_FP prints only in text mode,
 * PRINT_JSON only in JSON mode, PRINT_ANY in both.
 *
 * Each call writes through a struct printer that its caller passes in
 * (bpftool's json_writer shape): main.c owns the one on stdout, the
 * protocol code one per line it builds in memory.  No call exits: a failed
 * write shows in print_error().
 */
#ifndef ZCRXCTL_PRINT_H
#define ZCRXCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum print_type {
	PRINT_FP	= 1,
	PRINT_JSON	= 2,
	PRINT_ANY	= 3,
};

enum color {
	COLOR_NONE,
	COLOR_OK,	/* green: supported, ready */
	COLOR_BAD,	/* red: not supported, not ready */
	COLOR_WARN,	/* yellow: unknown */
	COLOR_NAME,	/* bold: device and command names */
};

enum color_mode {
	COLOR_AUTO,
	COLOR_ALWAYS,
	COLOR_NEVER,
};

/*
 * Deeper than anything we print (records and replies nest a few levels);
 * opening more is a caller bug, caught by an assert.
 */
#define PRINT_MAX_DEPTH	32

struct printer {
	FILE	*out;
	bool	json;
	bool	pretty;
	bool	color;
	int	depth;
	bool	in_array[PRINT_MAX_DEPTH];
	bool	need_comma[PRINT_MAX_DEPTH];
	bool	doc_open;
	bool	flat;		/* in a compact object: members go straight out */
	int	err;		/* errno of the first failed flush, or 0 */
};

/* Text or JSON on out; colour as cm says (auto: a terminal without NO_COLOR). */
void printer_init(struct printer *p, FILE *out, bool json, bool pretty, enum color_mode cm);
bool print_is_json(const struct printer *p);
/* Whether a write to p's stream has failed (its error flag, as ferror()). */
bool print_failed(const struct printer *p);
/* The errno of the first flush that failed (ENOSPC, EPIPE...), or 0. */
int print_errno(const struct printer *p);

/* JSON structure; in text mode these print nothing. key is NULL inside arrays. */
void open_json_object(struct printer *p, const char *key);
void close_json_object(struct printer *p);
void open_json_array(struct printer *p, const char *key);
void close_json_array(struct printer *p);

void print_string(struct printer *p, enum print_type t, const char *key, const char *fmt,
		  const char *val);
void print_color_string(struct printer *p, enum print_type t, enum color c,
			const char *key, const char *fmt, const char *val);
void print_uint(struct printer *p, enum print_type t, const char *key, const char *fmt,
		uint64_t val);
void print_int(struct printer *p, enum print_type t, const char *key, const char *fmt,
	       int64_t val);
void print_hex(struct printer *p, enum print_type t, const char *key, const char *fmt,
	       uint64_t val);
/* JSON: the shortest %g that reads back the same (%.17g at most), or null when not finite */
void print_double(struct printer *p, enum print_type t, const char *key, const char *fmt,
		  double val);
void print_bool(struct printer *p, enum print_type t, const char *key, const char *fmt,
		bool val);
/* JSON null; text prints fmt with "n/a" as its %s */
void print_null(struct printer *p, enum print_type t, const char *key, const char *fmt);
/*
 * Text output escapes every string it did not write itself, as C would:
 * \e \a \b \t \n \v \f \r \\ and \xNN for the other control bytes, DEL,
 * the C1 controls and bytes that are not valid UTF-8 (valid UTF-8 shows as
 * is).  print_escape() returns that form of s, malloc'd, or NULL when s
 * needs none (or memory ran out); a newline is kept if keep_nl.
 */
char *print_escape(const char *s, bool keep_nl);
/* val's decimal digits, at least width of them (zeros first), ending at e: where they start */
char *print_digits(char *e, uint64_t val, int width);
/* text only; the rendered text is escaped (newlines kept if fmt has one) */
void print_text(struct printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void print_nl(struct printer *p);

/*
 * Spans: the bytes a run of print calls wrote, kept to be written again
 * when the same calls come with the printer in the same state (every
 * record of a session repeats its device, queue and mode; a storm prints
 * the same "armed" record after every event).  The caller knows the
 * calls' arguments are the same as when it kept them; the span checks the
 * printer's state (format, nesting, commas) and sets it as the calls
 * would.  The calls between begin and end must write at most
 * PRINT_SPAN_MAX bytes: a span is kept only when its bytes went into the
 * stream's buffer at once, which print_span_begin() makes sure has room
 * (more would make stdio flush in between, unseen).  A whole event or
 * armed record, at its longest, is under half of it (test_record).
 */
#define PRINT_SPAN_MAX	1024

struct print_span {
	bool		kept;
	char		*start;		/* where the calls began to write */
	struct printer	before, after;	/* their out and err unused */
	size_t		n;
	char		b[PRINT_SPAN_MAX];
};

/*
 * s's bytes written again (true: do not make the calls), or false; only
 * into the stream's buffer, so an unbuffered or line-buffered stream (a
 * terminal's) always has the calls made.
 */
bool print_span_again(struct printer *p, const struct print_span *s);
/*
 * Around the calls, after print_span_again() said false: s is kept anew if
 * begin says true (the stream's buffer has the room); with false, s is
 * left as it was (another printer's, perhaps) and end does nothing.
 */
bool print_span_begin(struct printer *p, struct print_span *s);
void print_span_end(struct printer *p, struct print_span *s);

/* Close whatever JSON is open and end the document (newline in JSON mode). */
void print_end(struct printer *p);
/*
 * NDJSON: end one top-level object, for streams.  It does not flush: a
 * stream's event loop flushes once per wake-up, before it sleeps, so no
 * line waits and an event storm costs one write(2) per batch, not per line.
 */
void print_record_end(struct printer *p);

/*
 * Errors (bpftool's p_err): "Error: ..." on stderr in text mode; in JSON
 * mode an "error" member on the printer given to print_diag_setup() (main's
 * stdout), closing any open document so it stays well-formed.  p_info goes
 * to stderr unless -q.
 */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Where p_err() reports in JSON mode (NULL: stderr only), and -q. */
void print_diag_setup(struct printer *out, bool quiet);

#endif
