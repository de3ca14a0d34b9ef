/* SPDX-License-Identifier: MIT */
/*
 * A small JSON reader for one line of the session protocol: objects,
 * arrays, strings, numbers, true/false/null, bounded in depth and size.
 */
#ifndef ZCRXCTL_JSON_READER_H
#define ZCRXCTL_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUM,
	JSON_STR,
	JSON_OBJ,
	JSON_ARR,
};

struct json;

#define JSON_MAX_DEPTH	16

/* Parse exactly one value (surrounding whitespace allowed); NULL and *err =
 * -EINVAL (malformed), -E2BIG (too deep) or -ENOMEM. */
struct json *json_parse(const char *buf, size_t len, int *err);
void json_free(struct json *j);

enum json_type json_type(const struct json *j);
/* member of an object, NULL if absent or j is not an object */
const struct json *json_get(const struct json *j, const char *key);
/* element count of an object or array; element i; key of member i */
size_t json_len(const struct json *j);
const struct json *json_at(const struct json *j, size_t i);
const char *json_key_at(const struct json *j, size_t i);

/* typed reads: false when j is NULL or of another type */
const char *json_str(const struct json *j);
bool json_bool(const struct json *j, bool *out);
bool json_num(const struct json *j, double *out);
/* an integral non-negative number that fits */
bool json_u64(const struct json *j, uint64_t *out);
bool json_i64(const struct json *j, int64_t *out);

#endif
