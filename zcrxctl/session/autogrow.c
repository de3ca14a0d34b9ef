// SPDX-License-Identifier: MIT
/*
 * --auto-grow SIZE[,MAX]: when the ifq runs out of buffers (an alloc-fail
 * event; on NODEV, a receive ended -ENOMEM) add an area of SIZE, until all
 * areas would pass MAX or the kernel refuses; each step is a grow record,
 * and so is the stop, once.  A grow request (`zcrxctl grow`) is a record too.
 */
#include <stdio.h>
#include <string.h>

#include "session_int.h"

#define GROW_DEFAULT_AREAS	8	/* MAX default: this many areas of SIZE beyond the first */

/* The lib's sentence, in the words of a session's operator. */
static void grow_error(struct session *s, int ret, const struct zcrx_diag *d, char *err,
		       size_t len)
{
	char why[256];

	if (ret == -EOPNOTSUPP && d->stage == ZCRX_STAGE_CAPS) {
		zcrx_caps_feature(zcrx_ctx_caps(s->ctx), ZCRX_FEAT_ADD_AREA, why, sizeof(why));
		snprintf(err, len, "this kernel cannot add an area to a live ifq (%s): restart"
			 " the session with a larger --area-size", why);
	} else if (d->stage == ZCRX_STAGE_MEMORY) {
		snprintf(err, len, "mapping the new area got %s: give a smaller SIZE",
			 strerrorname_np(-ret) ? strerrorname_np(-ret) : "an error");
	} else if (ret == -EINVAL && d->stage == ZCRX_STAGE_ARGS && strstr(d->msg, "area_size")) {
		snprintf(err, len, "SIZE must be a multiple of the page size and hold at least one"
			 " %u-byte buffer", s->info.rx_buf_len);
	} else {
		snprintf(err, len, "%s", d->msg);
	}
}

static void emit_grow(struct session *s, const char *by, uint32_t id, uint64_t size,
		      int ret, const char *err)
{
	struct zcrx_ifq_info info;
	struct record r;

	zcrx_ifq_info(s->ifq, &info);
	session_record(s, &r, RECORD_GROW);
	snprintf(r.by, sizeof(r.by), "%s", by);
	snprintf(r.error, sizeof(r.error), "%s", ret ? err : "");
	r.stopped = ret != 0;
	r.area_id = id;
	r.size = size;
	r.nr_areas = info.nr_areas;
	r.area_size = info.area_size;
	session_emit(s, &r);
}

int session_grow_request(struct zcrx_server *srv, uint64_t size, uint32_t *area_id, char *err,
			 size_t len, void *arg)
{
	struct zcrx_area_opts ao = { .area_size = size };
	struct session *s = arg;
	struct zcrx_diag d;
	int ret;

	(void)srv;
	ret = zcrx_ifq_add_area(s->ifq, &ao, area_id, &d);
	if (ret) {
		grow_error(s, ret, &d, err, len);
		return ret;
	}
	emit_grow(s, "grow", *area_id, size, 0, NULL);
	return 0;
}

bool session_auto_grow(struct session *s, const char *by)
{
	const struct session_opts *o = &s->o;
	struct zcrx_area_opts ao = { .area_size = o->grow_size };
	struct zcrx_ifq_info info;
	struct zcrx_diag d;
	char err[256];
	uint64_t max;
	int ret;

	if (!o->grow_size || s->grow_stopped || loop_stopped(s->loop))
		return false;
	zcrx_ifq_info(s->ifq, &info);
	max = o->grow_max ? o->grow_max : s->info.area_size + GROW_DEFAULT_AREAS * o->grow_size;
	ret = info.area_size + o->grow_size > max ? -ENOSPC :
	      zcrx_ifq_add_area(s->ifq, &ao, NULL, &d);
	if (ret == -ENOSPC)
		snprintf(err, sizeof(err), "another %llu-byte area would pass --auto-grow"
			 " MAX (%llu bytes): no more areas", (unsigned long long)o->grow_size,
			 (unsigned long long)max);
	else if (ret)
		grow_error(s, ret, &d, err, sizeof(err));
	s->grow_stopped = ret != 0;
	zcrx_ifq_info(s->ifq, &info);
	emit_grow(s, by, info.nr_areas - 1, o->grow_size, ret, err);
	return !ret;
}
