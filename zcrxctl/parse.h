/* SPDX-License-Identifier: MIT */
/* Numbers, names and DEV QUEUE from the command line, for every command's parser. */
#ifndef ZCRXCTL_PARSE_H
#define ZCRXCTL_PARSE_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

/* Decimal or 0x hex, no sign, no junk: 0, -EINVAL or -ERANGE. */
int parse_u32(const char *s, uint32_t *out);
int parse_u64(const char *s, uint64_t *out);
/* An errno name (any case, such as EOPNOTSUPP) or number 1..4095: it, or -EINVAL. */
int parse_errno(const char *s);

#define DEV_NAME_MAX	16	/* IF_NAMESIZE, the NUL included */

/* DEV: 1..15 characters, none of them '/' or white space, not "." or "..". */
bool dev_name_ok(const char *dev);
/* Positional DEV [QUEUE] of every session command; argp_error()s on bad ones. */
void dev_queue_arg(struct argp_state *state, char *arg, const char **dev, uint32_t *queue,
		   int *nr);
/* At ARGP_KEY_END: argp_error()s unless DEV and QUEUE were both given. */
void dev_queue_end(struct argp_state *state, int nr, const char *dev, const char *hint);

/* One line for one bad value: the option, the value, what it takes. */
#define bad_value(state, opt, arg, what) \
	argp_error(state, "%s takes %s, not '%s'", opt, what, arg)

#endif
