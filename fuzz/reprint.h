/* SPDX-License-Identifier: MIT */
#ifndef ZCRX_FUZZ_REPRINT_H
#define ZCRX_FUZZ_REPRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "json_reader.h"
#include "print.h"

/*
 * Any parsed JSON value back through a printer, as `status` once printed a
 * session's status (status now decodes it, zcrxctl/proto.c): the oracle of
 * fuzz_jsonl, and of its regressions in tests/unit/test_regress.c, that the
 * printer's depth and number handling carry every value the reader takes.
 */
static inline void json_reprint(struct printer *pr, const struct json *j, const char *key)
{
	double d;
	int64_t i;
	uint64_t u;
	bool b;

	switch (json_type(j)) {
	case JSON_NULL:
		print_null(pr, PRINT_JSON, key, NULL);
		break;
	case JSON_BOOL:
		json_bool(j, &b);
		print_bool(pr, PRINT_JSON, key, NULL, b);
		break;
	case JSON_NUM:
		if (json_u64(j, &u))
			print_uint(pr, PRINT_JSON, key, NULL, u);
		else if (json_i64(j, &i))
			print_int(pr, PRINT_JSON, key, NULL, i);
		else if (json_num(j, &d))	/* beyond 64-bit integers: as it came */
			print_double(pr, PRINT_JSON, key, NULL, d);
		break;
	case JSON_STR:
		print_string(pr, PRINT_JSON, key, NULL, json_str(j));
		break;
	case JSON_OBJ:
		open_json_object(pr, key);
		for (size_t n = 0; n < json_len(j); n++)
			json_reprint(pr, json_at(j, n), json_key_at(j, n));
		close_json_object(pr);
		break;
	case JSON_ARR:
		open_json_array(pr, key);
		for (size_t n = 0; n < json_len(j); n++)
			json_reprint(pr, json_at(j, n), NULL);
		close_json_array(pr);
		break;
	}
}

#endif
