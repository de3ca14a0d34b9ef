// SPDX-License-Identifier: MIT
/*
 * --auto-grow SIZE[,MAX]: when the ifq runs out of buffers (an alloc-fail
 * event; on NODEV, a receive ended -ENOMEM) add an area of SIZE, until all
 * areas would pass MAX or the kernel refuses; each step is a grow record,
 * and so is the stop, once.
 */
#include <stdio.h>

#include "session_int.h"

#define GROW_DEFAULT_AREAS	8	/* MAX default: this many areas of SIZE beyond the first */

bool session_auto_grow(struct session *s, const char *by)
{
	const struct session_opts *o = &s->o;
	struct zcrx_area_opts ao = { .area_size = o->grow_size };
	struct zcrx_ifq_info info;
	struct zcrx_diag d;
	struct record r;
	uint64_t max;
	int ret;

	if (!o->grow_size || s->grow_stopped || loop_stopped(s->loop))
		return false;
	zcrx_ifq_info(s->ifq, &info);
	max = o->grow_max ? o->grow_max : s->info.area_size + GROW_DEFAULT_AREAS * o->grow_size;
	ret = info.area_size + o->grow_size > max ? -ENOSPC :
	      zcrx_ifq_add_area(s->ifq, &ao, NULL, &d);
	session_record(s, &r, RECORD_GROW);
	snprintf(r.by, sizeof(r.by), "%s", by);
	if (ret == -ENOSPC)
		snprintf(r.error, sizeof(r.error), "another %llu-byte area would pass --auto-grow"
			 " MAX (%llu bytes): no more areas", (unsigned long long)o->grow_size,
			 (unsigned long long)max);
	else if (ret)
		snprintf(r.error, sizeof(r.error), "%s", d.msg);
	r.stopped = ret != 0;
	s->grow_stopped = r.stopped;
	zcrx_ifq_info(s->ifq, &info);
	r.area_id = info.nr_areas - 1;
	r.size = o->grow_size;
	r.nr_areas = info.nr_areas;
	r.area_size = info.area_size;
	session_emit(s, &r);
	return !ret;
}
