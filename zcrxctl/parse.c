// SPDX-License-Identifier: MIT
/* Numbers, errno names and DEV QUEUE from the command line. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	/* base 0 would read a leading 0 as octal: "010" is ten here */
	v = strtoull(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int ret = parse_u64(s, &v);

	if (ret)
		return ret;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int parse_errno(const char *s)
{
	uint32_t n;

	if (!parse_u32(s, &n))
		return n >= 1 && n < 4096 ? (int)n : -EINVAL;
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);

		if (name && !strcasecmp(name, s))
			return e;
	}
	return -EINVAL;
}

bool dev_name_ok(const char *dev)
{
	size_t n = strlen(dev);

	if (!n || n >= DEV_NAME_MAX || !strcmp(dev, ".") || !strcmp(dev, ".."))
		return false;
	/*
	 * Unsigned, so the rule is the same where char is signed (x86) and
	 * where it is not (arm64): control bytes, space, DEL and '/' are out;
	 * bytes >= 0x80 are in, as the kernel takes them (dev_valid_name), and
	 * text output escapes whatever of them is not valid UTF-8.
	 */
	for (const unsigned char *p = (const unsigned char *)dev; *p; p++)
		if (*p == '/' || *p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

void dev_queue_arg(struct argp_state *state, char *arg, const char **dev, uint32_t *queue,
		   int *nr)
{
	if (*nr == 0) {
		if (!dev_name_ok(arg))
			argp_error(state, "DEV must be a device name of 1 to %d characters other"
				   " than . and .., without '/', white space or control characters,"
				   " not '%s'", DEV_NAME_MAX - 1, arg);
		*dev = arg;
	} else if (*nr == 1) {
		if (parse_u32(arg, queue))
			argp_error(state, "QUEUE must be an RX queue number, not '%s'", arg);
	} else {
		argp_error(state, "unexpected argument '%s'", arg);
	}
	(*nr)++;
}

void dev_queue_end(struct argp_state *state, int nr, const char *dev, const char *hint)
{
	if (nr == 0)
		argp_error(state, "missing DEV and QUEUE%s", hint ? hint : "");
	else if (nr == 1)
		argp_error(state, "missing QUEUE after DEV '%s'", dev);
}
