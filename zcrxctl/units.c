// SPDX-License-Identifier: MIT
/*
 * Sizes and durations from the command line.
 *
 * SIZE: decimal digits with an optional K, M or G (either case, powers of
 * 1024).  No sign, no spaces, no fraction, no "B": "4K" is the whole grammar.
 * DUR: decimal digits with an optional fraction ("1.5s"), then ns, us, ms,
 * s, m or h; a bare number is seconds.  Digits beyond nanosecond precision
 * are truncated ("1.5ns" is 1ns).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Leading decimal digits of s into *v; the count of digits, or -ERANGE. */
static int scan_u64(const char *s, uint64_t *v)
{
	uint64_t acc = 0;
	int n = 0;

	for (; is_digit(s[n]); n++) {
		unsigned int d = (unsigned int)(s[n] - '0');

		if (acc > (UINT64_MAX - d) / 10)
			return -ERANGE;
		acc = acc * 10 + d;
	}
	*v = acc;
	return n;
}

int parse_size(const char *s, uint64_t *bytes)
{
	uint64_t v, mult = 1;
	int n;

	if (!s || !is_digit(*s))
		return -EINVAL;
	n = scan_u64(s, &v);
	if (n < 0) {
		/* still junk if what follows is not a size */
		while (is_digit(*s))
			s++;
		if (*s && !(strchr("kKmMgG", *s) && !s[1]))
			return -EINVAL;
		return -ERANGE;
	}
	s += n;
	switch (*s) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1ULL << 10;
		s++;
		break;
	case 'm': case 'M':
		mult = 1ULL << 20;
		s++;
		break;
	case 'g': case 'G':
		mult = 1ULL << 30;
		s++;
		break;
	default:
		return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*bytes = v * mult;
	return 0;
}

static const struct {
	const char	*name;
	uint64_t	ns;
} dur_units[] = {
	{ "ns",	1ULL },
	{ "us",	1000ULL },
	{ "ms",	1000000ULL },
	{ "s",	1000000000ULL },
	{ "m",	60ULL * 1000000000ULL },
	{ "h",	3600ULL * 1000000000ULL },
	{ "",	1000000000ULL },
};

int parse_duration(const char *s, uint64_t *ns)
{
	uint64_t ipart, unit = 0;
	unsigned __int128 frac = 0, scale = 1, total;
	size_t i;
	int n, range = 0;

	if (!s || !is_digit(*s))
		return -EINVAL;
	n = scan_u64(s, &ipart);
	if (n < 0) {
		range = 1;
		while (is_digit(*s))
			s++;
	} else {
		s += n;
	}
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return -EINVAL;
		for (; is_digit(*s); s++) {
			/* 10^19 still fits the scale; later digits are below 1ns */
			if (scale < 10000000000000000000ULL) {
				frac = frac * 10 + (unsigned int)(*s - '0');
				scale *= 10;
			}
		}
	}
	for (i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++) {
		if (!strcmp(s, dur_units[i].name)) {
			unit = dur_units[i].ns;
			break;
		}
	}
	if (!unit)
		return -EINVAL;
	if (range)
		return -ERANGE;
	total = (unsigned __int128)ipart * unit + frac * unit / scale;
	if (total > UINT64_MAX)
		return -ERANGE;
	*ns = (uint64_t)total;
	return 0;
}

const char *fmt_size(uint64_t bytes, char *buf, int len)
{
	static const char suffix[] = "GMK";
	int shift = 30;

	if (!buf || len <= 0)
		return buf;
	for (int i = 0; i < 3; i++, shift -= 10) {
		uint64_t unit = 1ULL << shift;

		if (bytes && !(bytes % unit)) {
			snprintf(buf, (size_t)len, "%llu%c",
				 (unsigned long long)(bytes >> shift), suffix[i]);
			return buf;
		}
	}
	snprintf(buf, (size_t)len, "%llu", (unsigned long long)bytes);
	return buf;
}
