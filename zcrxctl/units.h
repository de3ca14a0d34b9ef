/* SPDX-License-Identifier: MIT */
/* Sizes and durations from the command line. */
#ifndef ZCRXCTL_UNITS_H
#define ZCRXCTL_UNITS_H

#include <stdint.h>

/* "4096", "4K", "8M", "1G" (powers of 1024): 0, -EINVAL or -ERANGE. */
#define SIZE_UNITS	"a number of bytes, or of K, M or G (no other suffix)"

int parse_size(const char *s, uint64_t *bytes);
/* "500ms", "1s", "2m", "1h", "100us", "5ns"; a bare number is seconds. */
int parse_duration(const char *s, uint64_t *ns);
/* 8388608 -> "8M" when exact, else the byte count. */
const char *fmt_size(uint64_t bytes, char *buf, int len);

#endif
