/* SPDX-License-Identifier: MIT */
/*
 * One printing layer for text and JSON: every print_*() call names the
 * JSON key and the text format together, so the two outputs never drift
 * apart (iproute2's json_print idea).  PRINT_FP prints only in text mode,
 * PRINT_JSON only in JSON mode, PRINT_ANY in both.
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

void print_setup(FILE *out, bool json, bool pretty, enum color_mode cm);
bool print_is_json(void);
FILE *print_stream(void);

/* JSON structure; in text mode these print nothing. key is NULL inside arrays. */
void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

void print_string(enum print_type t, const char *key, const char *fmt, const char *val);
void print_color_string(enum print_type t, enum color c, const char *key,
			const char *fmt, const char *val);
void print_uint(enum print_type t, const char *key, const char *fmt, uint64_t val);
void print_int(enum print_type t, const char *key, const char *fmt, int64_t val);
void print_hex(enum print_type t, const char *key, const char *fmt, uint64_t val);
/* JSON: %.17g, or null when not finite */
void print_double(enum print_type t, const char *key, const char *fmt, double val);
void print_bool(enum print_type t, const char *key, const char *fmt, bool val);
/* JSON null; text prints fmt with "n/a" as its %s */
void print_null(enum print_type t, const char *key, const char *fmt);
/* text only */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_nl(void);

/* Close whatever JSON is open and end the document (newline in JSON mode). */
void print_end(void);
/*
 * NDJSON: end one top-level object, for streams.  It does not flush: a
 * stream's event loop flushes once per wake-up, before it sleeps, so no
 * line waits and an event storm costs one write(2) per batch, not per line.
 */
void print_record_end(void);

/*
 * Errors (bpftool's p_err): "Error: ..." on stderr in text mode; in JSON
 * mode an "error" member on stdout, closing any open document so it stays
 * well-formed.  p_info goes to stderr unless -q.
 */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_set_quiet(bool quiet);

#endif
