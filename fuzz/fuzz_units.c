// SPDX-License-Identifier: MIT
/*
 * SIZE and DUR arguments (zcrxctl/units.c) on any string.  Oracles:
 *  - parse_size() agrees with a reference written from its grammar (digits,
 *    then one of K M G in either case, powers of 1024, nothing else), on the
 *    value and on -EINVAL versus -ERANGE;
 *  - fmt_size() of a parsed size parses back to the same size;
 *  - parse_duration() answers 0, -EINVAL or -ERANGE, and the same string
 *    with its unit spelled in ns (when it had no fraction) gives the same
 *    nanoseconds.
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "units.h"

static int ref_size(const char *s, uint64_t *out)
{
	unsigned __int128 v = 0, mult = 1;
	bool big = false;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > UINT64_MAX)
			big = true, v = (unsigned __int128)UINT64_MAX + 1;
	}
	if (*p) {
		switch (*p) {
		case 'k': case 'K': mult = 1ULL << 10; break;
		case 'm': case 'M': mult = 1ULL << 20; break;
		case 'g': case 'G': mult = 1ULL << 30; break;
		default: return -EINVAL;
		}
		if (p[1])
			return -EINVAL;
	}
	if (big || v * mult > UINT64_MAX)
		return -ERANGE;
	*out = (uint64_t)(v * mult);
	return 0;
}

static void check_size(const char *s)
{
	uint64_t got = 0, want = 0, back = 0;
	char buf[32];
	int r1, r2;

	r1 = parse_size(s, &got);
	r2 = ref_size(s, &want);
	fz_assert(r1 == r2, "parse_size(\"%s\") = %d, the grammar says %d", s, r1, r2);
	if (r1)
		return;
	fz_assert(got == want, "parse_size(\"%s\") = %llu, the grammar says %llu", s,
		  (unsigned long long)got, (unsigned long long)want);
	fmt_size(got, buf, sizeof(buf));
	fz_assert(!parse_size(buf, &back) && back == got, "fmt_size(%llu) = \"%s\"",
		  (unsigned long long)got, buf);
}

static void check_duration(const char *s)
{
	static const struct { const char *u; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000ULL },
		{ "m", 60000000000ULL }, { "h", 3600000000000ULL },
	};
	uint64_t ns = 0, alt = 0;
	size_t digits = strspn(s, "0123456789");
	const char *unit = s + digits;
	char buf[64];
	int ret;

	ret = parse_duration(s, &ns);
	fz_assert(ret == 0 || ret == -EINVAL || ret == -ERANGE, "ret %d for \"%s\"", ret, s);
	if (ret || digits == 0 || digits > 20)
		return;
	/* "N" + unit with no fraction: N * unit exactly, as nanoseconds */
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		unsigned __int128 v;

		if (strcmp(unit, units[i].u) && !(i == 3 && !*unit))
			continue;
		v = (unsigned __int128)strtoull(s, NULL, 10) * units[i].ns;
		fz_assert(v == ns, "\"%s\" = %llu ns", s, (unsigned long long)ns);
		snprintf(buf, sizeof(buf), "%lluns", (unsigned long long)ns);
		fz_assert(!parse_duration(buf, &alt) && alt == ns, "\"%s\" vs \"%s\"", s, buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_cstr(data, size);

	check_size(s);
	check_duration(s);
	free(s);
	return 0;
}
