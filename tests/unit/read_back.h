/* SPDX-License-Identifier: MIT */
/*
 * What a test's stream (a tmpfile the code under test printed into) holds,
 * as a string: the printing tests compare whole outputs.  Include after
 * cmocka.h.
 */
#ifndef READ_BACK_H
#define READ_BACK_H

#include <stdio.h>
#include <stdlib.h>

/* f's bytes, malloc'd and NUL-ended; f closed, then its buffer buf freed (or NULL) */
static inline char *read_back(FILE *f, char *buf)
{
	long n;
	char *out;

	fflush(f);
	n = ftell(f);
	out = calloc(1, n + 1);
	assert_non_null(out);
	rewind(f);
	assert_int_equal(fread(out, 1, n, f), n);
	fclose(f);
	free(buf);
	return out;
}

#endif
