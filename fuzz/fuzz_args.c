// SPDX-License-Identifier: MIT
/*
 * The other argument parsers: parse_u32/parse_u64 (zcrxctl/parse.c, "decimal
 * or 0x hex, no sign, no junk"), event lists (zcrx_event_list_parse, as
 * --events and arm take them), --require feature names and --timestamp.
 * Oracles: the documented grammar, written out here independently.
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "main.h"
#include "record.h"
#include "zcrx.h"

/*
 * Decimal, or 0x/0X and hex digits; -EINVAL or -ERANGE otherwise.  Digits
 * that overflow before junk may answer either (*both set).
 */
static int ref_u64(const char *s, uint64_t *out, bool *both)
{
	unsigned __int128 v = 0;
	unsigned int base = 10, d;
	bool big = false;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return *both = big, -EINVAL;
		v = v * base + d;
		if (v > UINT64_MAX)
			big = true, v = 0;
	}
	if (big)
		return -ERANGE;
	*out = (uint64_t)v;
	return 0;
}

static void check_numbers(const char *s)
{
	uint64_t got = 0, want = 0;
	uint32_t got32 = 0;
	bool both = false;
	int r1, r2, r3;

	r1 = parse_u64(s, &got);
	r2 = ref_u64(s, &want, &both);
	fz_assert(r1 == r2 || (both && r1 == -ERANGE),
		  "parse_u64(\"%s\") = %d, the grammar says %d", s, r1, r2);
	fz_assert(r1 || got == want, "parse_u64(\"%s\") = %llu, the grammar says %llu", s,
		  (unsigned long long)got, (unsigned long long)want);
	r3 = parse_u32(s, &got32);
	if (r1)
		fz_assert(r3 == r1, "parse_u32(\"%s\") = %d, parse_u64 %d", s, r3, r1);
	else if (want > UINT32_MAX)
		fz_assert(r3 == -ERANGE, "parse_u32(\"%s\") = %d", s, r3);
	else
		fz_assert(!r3 && got32 == want, "parse_u32(\"%s\") = %d, %u", s, r3, got32);
}

/* "all", "none", or names joined by single commas */
static int ref_events(const char *s, uint32_t *mask)
{
	uint32_t m = 0;
	const char *p = s;

	if (!strcmp(s, "all"))
		return *mask = ZCRX_EV_MASK_ALL, 0;
	if (!strcmp(s, "none"))
		return *mask = 0, 0;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 10 && !strncmp(p, "alloc-fail", n))
			m |= ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
		else if (n == 10 && !strncmp(p, "no-buffers", n))
			m |= ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
		else if (n == 4 && !strncmp(p, "copy", n))
			m |= ZCRX_EV_MASK(ZCRX_EV_COPY);
		else
			return -EINVAL;
		if (!p[n])
			break;
		p += n + 1;
	}
	*mask = m;
	return 0;
}

static void check_names(const char *s)
{
	uint32_t got = 0xdead, want = 0xbeef;
	enum ts_mode ts;
	int r1, r2, f;

	r1 = zcrx_event_list_parse(s, &got);
	r2 = ref_events(s, &want);
	fz_assert(r1 == r2, "zcrx_event_list_parse(\"%s\") = %d, the grammar says %d", s, r1, r2);
	fz_assert(r1 || got == want, "\"%s\": mask %#x, the grammar says %#x", s, got, want);

	f = zcrx_feature_parse(s);
	fz_assert(f == -EINVAL || (f >= 0 && f < ZCRX_FEAT_COUNT), "feature %d", f);
	if (f >= 0 && strcmp(s, "no-buffers"))
		fz_assert(!strcmp(zcrx_feature_name(f), s), "\"%s\" is feature %s", s,
			  zcrx_feature_name(f));
	if (!ts_mode_parse(s, &ts))
		fz_assert(!strcmp(s, "iso") || !strcmp(s, "mono") || !strcmp(s, "none"),
			  "timestamp \"%s\"", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_cstr(data, size);

	check_numbers(s);
	check_names(s);
	free(s);
	return 0;
}
