// SPDX-License-Identifier: MIT
/*
 * Protocol record lines (event, armed, stats, lost) as `subscribe` reads
 * them from a session: proto_record_decode() on any bytes.  Oracles:
 *  - it answers 0, -EINVAL or -ENOENT, and leaves a record that prints (text
 *    and NDJSON) without a sanitizer report;
 *  - a parsed record serialised (proto_record_encode) parses again, and the second
 *    serialisation is the first one byte for byte.
 */
#include <errno.h>

#include "fuzz.h"
#include "proto.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct printer pr;
	struct record r, r2;
	char *w1, *w2;
	size_t l1, l2;
	int ret;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
	}
	ret = proto_record_decode((const char *)data, size, &r);
	fz_assert(ret == 0 || ret == -EINVAL || ret == -ENOENT, "ret %d", ret);
	if (ret)
		return 0;
	fz_assert((unsigned int)r.kind <= RECORD_LOST, "kind %d", r.kind);
	fz_assert(memchr(r.dev, 0, sizeof(r.dev)) && memchr(r.by, 0, sizeof(r.by)),
		  "an unterminated string field");

	for (int json = 0; json < 2; json++) {
		for (enum ts_mode ts = TS_ISO; ts <= TS_NONE; ts++) {
			printer_init(&pr, devnull, json, false, COLOR_NEVER);
			record_print(&pr, &r, ts);
		}
	}

	w1 = proto_record_encode(&r, &l1);
	ret = proto_record_decode(w1, l1, &r2);
	fz_assert(ret == 0, "own line does not parse back (%d): %.*s", ret, (int)l1, w1);
	fz_assert(r2.kind == r.kind, "kind %d became %d", r.kind, r2.kind);
	w2 = proto_record_encode(&r2, &l2);
	fz_assert(l1 == l2 && !memcmp(w1, w2, l1), "not stable:\n%.*s%.*s", (int)l1, w1,
		  (int)l2, w2);
	free(w1);
	free(w2);
	return 0;
}
