// SPDX-License-Identifier: MIT
/*
 * proto_record_decode() against proto_record_decode_tree(): the flat
 * scanner (record_scan.c) that reads a session's lines without a tree must
 * answer as the JSON reader does on any bytes, and leave the same record.
 * The clock offset that turns one time into the other is read anew by
 * each, so only the time the line carried is compared.
 */
#include <errno.h>

#include "fuzz.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record a, b;
	int ra, rb;

	ra = proto_record_decode((const char *)data, size, &a);
	rb = proto_record_decode_tree((const char *)data, size, &b);
	fz_assert(ra == rb, "scanner %d, tree %d: %.*s", ra, rb, (int)size, (const char *)data);
	if (ra)
		return 0;
	fz_assert(a.has_time == b.has_time, "has_time");
	if (a.has_time) {
		fz_assert(a.real_ns == b.real_ns || a.mono_ns == b.mono_ns, "time");
		a.real_ns = b.real_ns = a.mono_ns = b.mono_ns = 0;
	}
	fz_assert(!memcmp(&a, &b, sizeof(a)), "records differ: %.*s", (int)size,
		  (const char *)data);
	return 0;
}
