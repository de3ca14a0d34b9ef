/* SPDX-License-Identifier: MIT */
/* Shared bits of the libFuzzer targets (fuzz/fuzz_*.c). */
#ifndef ZCRX_FUZZ_H
#define ZCRX_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What libFuzzer calls in each target; declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An oracle that does not hold is a crash: libFuzzer saves the input.  The
 * message names the property, so a crash file tells what it broke.
 */
#define fz_assert(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz oracle failed: %s (%s:%d): ",	\
				#cond, __FILE__, __LINE__);			\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

/* The input as a NUL-terminated string (a copy of exactly size + 1 bytes). */
static inline char *fz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
