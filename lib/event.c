// SPDX-License-Identifier: MIT
/* Event type names, in the kernel's words, and list parsing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zcrx.h"
#include "kabi.h"

_Static_assert((int)ZCRX_EV_ALLOC_FAIL == (int)ZCRX_EVENT_ALLOC_FAIL, "alloc-fail index");
_Static_assert((int)ZCRX_EV_COPY == (int)ZCRX_EVENT_COPY, "copy index");
_Static_assert((int)ZCRX_EV_COUNT == (int)__ZCRX_EVENT_TYPE_LAST, "event count");

static const char *const event_names[ZCRX_EV_COUNT] = {
	[ZCRX_EV_ALLOC_FAIL]	= "alloc-fail",
	[ZCRX_EV_COPY]		= "copy",
};

const char *zcrx_event_name(enum zcrx_event t)
{
	return (unsigned int)t < ZCRX_EV_COUNT ? event_names[t] : NULL;
}

int zcrx_event_parse(const char *name)
{
	if (!name)
		return -EINVAL;
	/* the May 2026 seed patch called alloc-fail "no-buffers" */
	if (!strcmp(name, "no-buffers"))
		return ZCRX_EV_ALLOC_FAIL;
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (!strcmp(name, event_names[t]))
			return t;
	return -EINVAL;
}

int zcrx_event_list_parse(const char *list, uint32_t *mask)
{
	uint32_t m = 0;
	const char *p = list, *end;
	char name[32];
	int t;

	if (!list || !*list)
		return -EINVAL;
	if (!strcmp(list, "all")) {
		*mask = ZCRX_EV_MASK_ALL;
		return 0;
	}
	if (!strcmp(list, "none")) {
		*mask = 0;
		return 0;
	}
	for (;;) {
		end = strchrnul(p, ',');
		if (end == p || (size_t)(end - p) >= sizeof(name))
			return -EINVAL;
		memcpy(name, p, end - p);
		name[end - p] = '\0';
		t = zcrx_event_parse(name);
		if (t < 0)
			return -EINVAL;
		m |= ZCRX_EV_MASK(t);
		if (!*end)
			break;
		p = end + 1;
	}
	*mask = m;
	return 0;
}

const char *zcrx_event_list_str(uint32_t mask, char *buf, size_t len)
{
	size_t pos = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (mask & ZCRX_EV_MASK(t))
			pos += snprintf(buf + pos, pos < len ? len - pos : 0, "%s%s",
					pos ? "," : "", event_names[t]);
	if (!(mask & ZCRX_EV_MASK_ALL))
		snprintf(buf, len, "none");
	return buf;
}
