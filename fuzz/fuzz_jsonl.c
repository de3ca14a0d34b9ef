// SPDX-License-Identifier: MIT
/*
 * The session protocol's JSON reader (zcrxctl/json_reader.c) on any bytes, as a
 * request line arrives on the control socket.  Oracles:
 *  - json_parse() either gives a value or NULL with -EINVAL/-E2BIG/-ENOMEM;
 *  - every accessor agrees with every other (json_get finds each key at its
 *    own index, typed reads answer only for their type, u64/i64 agree);
 *  - a value printed back through the print layer (json_reprint, as `status`
 *    does with a session object) parses again to the same value.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>

#include "fuzz.h"
#include "json_reader.h"
#include "proto.h"
#include "reprint.h"
#include "record.h"

static void check_node(const struct json *j, int depth)
{
	enum json_type t = json_type(j);
	double d;
	uint64_t u;
	int64_t i;
	bool b;

	fz_assert(depth <= JSON_MAX_DEPTH, "depth %d", depth);
	fz_assert((json_str(j) != NULL) == (t == JSON_STR), "json_str on type %d", t);
	fz_assert(json_bool(j, &b) == (t == JSON_BOOL), "json_bool on type %d", t);
	fz_assert(json_num(j, &d) == (t == JSON_NUM), "json_num on type %d", t);
	if (t == JSON_NUM) {
		fz_assert(isfinite(d), "a number that is not finite");
		if (json_u64(j, &u) && json_i64(j, &i) && i >= 0)
			fz_assert((uint64_t)i == u, "u64 %llu vs i64 %lld",
				  (unsigned long long)u, (long long)i);
		if (json_i64(j, &i) && i < 0)
			fz_assert(!json_u64(j, &u), "negative %lld read as u64", (long long)i);
	} else {
		fz_assert(!json_u64(j, &u) && !json_i64(j, &i), "integer read of type %d", t);
	}
	if (t != JSON_OBJ && t != JSON_ARR) {
		fz_assert(json_len(j) == 0 && !json_at(j, 0), "len of a scalar");
		return;
	}
	for (size_t n = 0; n < json_len(j); n++) {
		const struct json *v = json_at(j, n);
		const char *k = json_key_at(j, n);

		fz_assert(v, "no element %zu of %zu", n, json_len(j));
		if (t == JSON_OBJ) {
			fz_assert(k, "no key %zu", n);
			fz_assert(json_get(j, k) == v, "key \"%s\" not found at its index", k);
		} else {
			fz_assert(!k, "a key in an array");
		}
		check_node(v, depth + 1);
	}
	fz_assert(!json_at(j, json_len(j)), "an element past the end");
}

/* The same value, as far as the protocol tells (it sends no fractions). */
static bool same(const struct json *a, const struct json *b)
{
	uint64_t ua, ub;
	int64_t ia, ib;
	bool ba, bb;

	if (json_type(a) != json_type(b))
		return false;
	switch (json_type(a)) {
	case JSON_NULL:
		return true;
	case JSON_BOOL:
		return json_bool(a, &ba) && json_bool(b, &bb) && ba == bb;
	case JSON_NUM:
		if (json_u64(a, &ua))
			return json_u64(b, &ub) && ua == ub;
		if (json_i64(a, &ia))
			return json_i64(b, &ib) && ia == ib;
		return true;	/* a fraction: printed as an integer, by design */
	case JSON_STR:
		return !strcmp(json_str(a), json_str(b));
	case JSON_OBJ:
	case JSON_ARR:
		if (json_len(a) != json_len(b))
			return false;
		for (size_t n = 0; n < json_len(a); n++) {
			const char *ka = json_key_at(a, n), *kb = json_key_at(b, n);

			if ((ka || kb) && (!ka || !kb || strcmp(ka, kb)))
				return false;
			if (!same(json_at(a, n), json_at(b, n)))
				return false;
		}
		return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *j, *back;
	struct proto_line l;
	size_t len;
	char *line;
	int err;

	j = json_parse((const char *)data, size, &err);
	if (!j) {
		fz_assert(err == -EINVAL || err == -E2BIG || err == -ENOMEM, "err %d", err);
		return 0;
	}
	fz_assert(err == 0, "a value and err %d", err);
	check_node(j, 0);

	fz_assert(!proto_line_open(&l), "out of memory");
	json_reprint(&l.pr, j, NULL);
	line = proto_line_close(&l, &len);
	fz_assert(line, "out of memory");
	back = json_parse(line, len, &err);
	fz_assert(back, "reprinted value does not parse (err %d): %.*s", err, (int)len, line);
	fz_assert(same(j, back), "reprinted value differs: %.*s", (int)len, line);
	json_free(back);
	free(line);
	json_free(j);
	return 0;
}
