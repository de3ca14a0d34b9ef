// SPDX-License-Identifier: MIT
/*
 * One zcrx ifq: its area, refill ring, events and stats, and the data path
 * above the seam (CQE decode, buffer returns), the same for every backend.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "backend.h"
#include "internal.h"

#define AREA_SIZE_DEFAULT	(8ULL << 20)
#define RQ_ENTRIES_DEFAULT	4096U
#define HUGE_2M			(2ULL << 20)
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB		(21 << MAP_HUGE_SHIFT)
#endif

/* What ifq_open settles on before it maps or registers anything. */
struct ifq_plan {
	uint32_t	rx_buf_len;	/* for the kernel: 0 = page */
	uint32_t	rq_entries;	/* as asked, clamped */
	uint64_t	stats_off;	/* 0 without stats */
	char		ifname[IF_NAMESIZE];
};

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

int zcrx_diag_fail(struct zcrx_diag *d, enum zcrx_stage stage, int err, const char *fmt, ...)
{
	va_list ap;

	d->stage = stage;
	d->err = err;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* this file's refusals: the sentence in d, err returned */
#define fail zcrx_diag_fail

/*
 * A netdev view that knows only a name (or, without one, an ifindex): what
 * diagnose gets when netlink was not asked.
 */
static void netdev_stub(struct zcrx_netdev *dev, const char *name, uint32_t ifindex)
{
	memset(dev, 0, sizeof(*dev));
	dev->ifindex = ifindex;
	snprintf(dev->name, sizeof(dev->name), "%s", name ? name : "");
	dev->driver_err = dev->queues_err = dev->qstats_err = dev->pools_err = -ENODATA;
	dev->pool_stats_err = dev->rings_err = dev->channels_err = -ENODATA;
}

static int check_args(const struct zcrx_ctx *ctx, const struct zcrx_ifq_opts *o,
		      struct zcrx_ifq *ifq, struct ifq_plan *plan, struct zcrx_diag *d)
{
	uint64_t page = sysconf(_SC_PAGESIZE);
	uint32_t buf = o->rx_buf_len ? o->rx_buf_len : page;

	if (zcrx_resv_check(o->__resv, sizeof(o->__resv)))
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "struct zcrx_ifq_opts has non-zero reserved bytes: initialise it"
			    " with { 0 } or designated initialisers");
	if (o->nodev && (o->ifname || o->ifindex || o->queue))
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "a NODEV ifq has no device or queue: leave ifname, ifindex and queue"
			    " unset, or open without nodev");
	if (!o->nodev && !o->ifname && !o->ifindex)
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "no device given: set ifname or ifindex (or nodev for an ifq"
			    " without a NIC)");
	if (o->rx_buf_len && (!zcrx_is_pow2(o->rx_buf_len) || o->rx_buf_len < page))
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "rx_buf_len %u is not a power of two of at least the page size (%llu):"
			    " use 0 for the page size", o->rx_buf_len, (unsigned long long)page);

	ifq->area_size = o->area_size ? o->area_size : AREA_SIZE_DEFAULT;
	if (o->backing == ZCRX_AREA_HUGE_2M)
		ifq->area_size = round_up(ifq->area_size, HUGE_2M);
	if (ifq->area_size % page || ifq->area_size < buf)
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "area_size %llu must be a multiple of the page size (%llu) and hold at"
			    " least one %u-byte buffer", (unsigned long long)ifq->area_size,
			    (unsigned long long)page, buf);
	switch (o->backing) {
	case ZCRX_AREA_ANON:
	case ZCRX_AREA_HUGE_2M:
		break;
	case ZCRX_AREA_USER:
		if (!o->area_addr || (uintptr_t)o->area_addr % page)
			return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
				    "area_addr %p is not page-aligned: caller memory for the area"
				    " must start on a page", o->area_addr);
		break;
	case ZCRX_AREA_DMABUF:
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "libzcrx opens an ifq on user memory only: use anonymous, huge-page"
			    " or caller memory");
	default:
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL, "unknown area backing %d", o->backing);
	}

	plan->rq_entries = o->rq_entries ? o->rq_entries : RQ_ENTRIES_DEFAULT;
	if (plan->rq_entries > ZCRX_RQ_ENTRIES_MAX) {
		if (!(ctx->ring_flags & ZCRX_SETUP_CLAMP))
			return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
				    "rq_entries %u is above the kernel's limit of %u: use at most %u"
				    " (or a ring set up with IORING_SETUP_CLAMP)",
				    plan->rq_entries, ZCRX_RQ_ENTRIES_MAX, ZCRX_RQ_ENTRIES_MAX);
		plan->rq_entries = ZCRX_RQ_ENTRIES_MAX;
	}
	if (!o->events_default && (o->events & ~ZCRX_EV_MASK_ALL))
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "events 0x%x has bits outside the known types (mask 0x%x)",
			    o->events, ZCRX_EV_MASK_ALL);

	plan->rx_buf_len = buf == page ? 0 : buf;
	ifq->queue = o->queue;
	ifq->nodev = o->nodev;
	/* one ring may carry several ifqs: each default user_data is its own */
	ifq->event_ud = o->event_user_data ? o->event_user_data
					   : ZCRX_EVENT_UD_DEFAULT + ctx->nr_opened;
	for (const struct zcrx_ifq *q = ctx->ifqs; q; q = q->next)
		if (q->events && q->event_ud == ifq->event_ud)
			return fail(d, ZCRX_STAGE_ARGS, -EEXIST,
				    "event user_data 0x%llx is already zcrx_id %u's on this ring:"
				    " give each ifq its own", (unsigned long long)ifq->event_ud,
				    q->zcrx_id);
	return 0;
}

/*
 * Why this kernel has no events at all: no query op (before 6.18), no zcrx
 * query (6.18's io_uring/query.c answers op 1 with EOPNOTSUPP), or a zcrx
 * query without ZCRX_FEATURE_EVENT (before 7.2).
 */
static const char *no_events_why(const struct zcrx_caps *c)
{
	if (c->query_err)
		return "io_uring has no query op, so no zcrx features";
	if (c->zcrx_query_err)
		return "io_uring answers no zcrx query, so no zcrx features";
	return "the zcrx query lacks ZCRX_FEATURE_EVENT";
}

/* Refuse what this kernel generation lacks, before any syscall. */
static int check_caps(const struct zcrx_ctx *ctx, const struct zcrx_ifq_opts *o,
		      struct zcrx_ifq *ifq, struct ifq_plan *plan, struct zcrx_diag *d)
{
	const struct zcrx_caps *c = &ctx->caps;
	uint32_t want = o->events_default ? c->event_types : o->events;
	/* without a page pool alloc-fail never fires: the default leaves it out */
	if (o->events_default && o->nodev)
		want &= ~ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
	uint64_t page = sysconf(_SC_PAGESIZE), hdr = page;
	char names[32];

	if (c->zcrx_reg_err == -EOPNOTSUPP || c->zcrx_reg_err == -EINVAL)
		return fail(d, ZCRX_STAGE_CAPS, -EOPNOTSUPP,
			    "this kernel has no io_uring zcrx (registration probe answered %s: %s):"
			    " use Linux 6.15+ built with CONFIG_IO_URING_ZCRX",
			    strerrorname_np(-c->zcrx_reg_err),
			    c->zcrx_reg_err == -EINVAL ? "unknown register opcode"
			    : "kernel built without CONFIG_IO_URING_ZCRX");
	if (o->nodev && !(c->register_flags & ZCRX_REG_NODEV))
		return fail(d, ZCRX_STAGE_CAPS, -EOPNOTSUPP,
			    "this kernel has no NIC-less zcrx (ZCRX_REG_NODEV%s): it needs Linux"
			    " 7.1 or later; bind a NIC queue instead",
			    c->zcrx_query_err ? ", and no zcrx query to offer it" :
			    " not in the zcrx query's register flags");
	if ((want || o->stats) && c->gen == ZCRX_GEN_NONE)
		return fail(d, ZCRX_STAGE_CAPS, -EOPNOTSUPP,
			    "asked for %s, but this kernel has no zcrx %s (Linux 7.2 adds them;"
			    " %s): open without %s", want ? zcrx_event_list_str(want, names, sizeof(names))
			    : "stats", want ? "events" : "stats", no_events_why(c),
			    want ? "events" : "stats");
	if (want & ~c->event_types) {
		zcrx_event_list_str(want & ~c->event_types, names, sizeof(names));
		if (c->gen == ZCRX_GEN_MAY2026)
			return fail(d, ZCRX_STAGE_CAPS, -EOPNOTSUPP,
				    "this kernel has the May 2026 zcrx events, which know alloc-fail"
				    " only: open without %s", names);
		return fail(d, ZCRX_STAGE_CAPS, -EOPNOTSUPP,
			    "this kernel does not offer the %s event (its accepted types are 0x%x):"
			    " open without %s", names, c->event_types, names);
	}
	if (o->stats && !c->stats)
		return fail(d, ZCRX_STAGE_CAPS, -EOPNOTSUPP, "this kernel has %s: open without stats",
			    c->gen == ZCRX_GEN_MAY2026 ? "the May 2026 zcrx events, which have no stats"
			    : "no zcrx stats block (no IO_URING_QUERY_ZCRX_EVENT)");
	if (plan->rx_buf_len && !(c->features & ZCRX_FEATURE_RX_PAGE_SIZE))
		return fail(d, ZCRX_STAGE_CAPS, -EOPNOTSUPP,
			    "rx_buf_len %u needs ZCRX_FEATURE_RX_PAGE_SIZE, which this kernel lacks:"
			    " open with rx_buf_len 0 (the page size)", plan->rx_buf_len);

	ifq->events = want;
	ifq->gen = c->gen;

	/*
	 * Offsets are known only after registration: size the region from the
	 * query's header, or a page without it, as liburing's examples/zcrx.c does.
	 */
	if (!c->zcrx_query_err && c->rq_hdr_size)
		hdr = round_up(c->rq_hdr_size, c->rq_hdr_alignment ? c->rq_hdr_alignment : 1);
	ifq->region_size = hdr + sizeof(struct io_uring_zcrx_rqe) *
			   (uint64_t)zcrx_roundup_pow2(plan->rq_entries);
	if (o->stats) {
		plan->stats_off = round_up(ifq->region_size,
					   c->stats_off_alignment ? c->stats_off_alignment : 8);
		ifq->region_size = plan->stats_off + sizeof(struct zcrx_stats);
	}
	ifq->region_size = round_up(ifq->region_size, page);
	return 0;
}

static int resolve_dev(struct zcrx_ctx *ctx, const struct zcrx_ifq_opts *o,
		       struct zcrx_ifq *ifq, struct ifq_plan *plan, struct zcrx_diag *d)
{
	struct zcrx_netdev stub;
	int ret;

	/* NODEV has no device */
	if (o->nodev)
		return 0;
	ret = ctx->ops->resolve_dev(ctx, o->ifname, o->ifindex, plan->ifname, &ifq->ifindex);
	if (!ret)
		return 0;

	netdev_stub(&stub, o->ifname, o->ifname ? 0 : o->ifindex);
	d->stage = ZCRX_STAGE_DEVICE;
	d->err = ret;
	zcrx_diagnose(ZCRX_OP_REGISTER, ret, &stub, o->queue, &ctx->caps, d->msg, sizeof(d->msg));
	return ret;
}

/* The memory of one area into a (size already set): the caller's, or mapped here. */
static int map_area(enum zcrx_area_backing backing, void *addr, struct zcrx_area_slot *a,
		    struct zcrx_diag *d)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	if (backing == ZCRX_AREA_USER) {
		a->addr = addr;
		return 0;
	}
	if (backing == ZCRX_AREA_HUGE_2M)
		flags |= MAP_HUGETLB | MAP_HUGE_2MB;
	p = mmap(NULL, a->size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		if (backing == ZCRX_AREA_HUGE_2M)
			return fail(d, ZCRX_STAGE_MEMORY, err,
				    "mapping a %llu-byte area of 2 MiB huge pages got %s:"
				    " reserve them (sysctl vm.nr_hugepages=%llu) or use normal"
				    " pages", (unsigned long long)a->size,
				    strerrorname_np(-err), (unsigned long long)(a->size / HUGE_2M));
		return fail(d, ZCRX_STAGE_MEMORY, err,
			    "mapping a %llu-byte area got %s: ask for a smaller area",
			    (unsigned long long)a->size, strerrorname_np(-err));
	}
	a->addr = p;
	a->map_len = a->size;
	return 0;
}

static void unmap_area(struct zcrx_area_slot *a)
{
	if (a->map_len)
		munmap(a->addr, a->map_len);
}

static int map_memory(const struct zcrx_ifq_opts *o, struct zcrx_ifq *ifq, struct zcrx_diag *d)
{
	void *p;
	int ret;

	ifq->areas[0].size = ifq->area_size;
	ret = map_area(o->backing, o->area_addr, &ifq->areas[0], d);
	if (ret)
		return ret;
	p = mmap(NULL, ifq->region_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		unmap_area(&ifq->areas[0]);
		return fail(d, ZCRX_STAGE_MEMORY, err,
			    "mapping a %zu-byte refill region got %s: use fewer rq_entries",
			    ifq->region_size, strerrorname_np(-err));
	}
	ifq->region = p;
	return 0;
}

static void unmap_memory(struct zcrx_ifq *ifq)
{
	munmap(ifq->region, ifq->region_size);
	for (uint32_t i = 0; i < (ifq->nr_areas ? ifq->nr_areas : 1); i++)
		unmap_area(&ifq->areas[i]);
}

/* A refused NODEV registration: no NIC to blame. */
static void diag_nodev(const struct ifq_plan *plan, int err, struct zcrx_diag *d)
{
	const char *why;

	switch (-err) {
	case EOPNOTSUPP:
		why = plan->rx_buf_len ? "a NODEV ifq takes page-size buffers only: use rx_buf_len"
					 " 0 (zcrxctl: drop --rx-buf-len)"
				       : "this kernel refused a NIC-less ifq: `zcrxctl selftest` shows"
					 " what works here";
		break;
	case EPERM:
		why = "registering an ifq needs CAP_NET_ADMIN: run as root";
		break;
	case ENOMEM:
		why = "the area and refill region are pinned, and the locked-memory limit refused"
		      " them: raise `ulimit -l` or use a smaller area";
		break;
	default:
		why = "this kernel refused it as asked: `zcrxctl selftest` shows what works here";
		break;
	}
	fail(d, ZCRX_STAGE_REGISTER, err, "registering a NODEV ifq got %s (%s): %s",
	     strerrorname_np(-err), strerror(-err), why);
}

/* The diagnosis of a refused registration, with what netlink says about the device. */
static void diag_register(struct zcrx_ctx *ctx, const struct zcrx_ifq *ifq,
			  const struct ifq_plan *plan, int err, struct zcrx_diag *d)
{
	struct zcrx_netdev_list list = { 0 };
	struct zcrx_queue_holder holder = { 0 };
	struct zcrx_netdev stub;
	const struct zcrx_netdev *dev = &stub;
	struct zcrx_rxq rxq;
	bool dumped;

	if (ifq->nodev) {
		diag_nodev(plan, err, d);
		return;
	}
	dumped = ctx->ops->netdev_dump && !ctx->ops->netdev_dump(ctx, plan->ifname, &list);
	if (dumped && list.nr)
		dev = &list.dev[0];
	else
		netdev_stub(&stub, plan->ifname, 0);
	/* no netdev view: the backend's queue look-up may still name the holder */
	if (dev == &stub && (err == -EEXIST || err == -EBUSY) && ctx->ops->queue_get &&
	    !ctx->ops->queue_get(ctx, plan->ifname, ifq->queue, &holder)) {
		rxq = (struct zcrx_rxq){ .id = ifq->queue, .mp = holder.mp, .dmabuf = holder.dmabuf };
		stub.rxq = &rxq;
		stub.nr_rxq = 1;
	}
	d->stage = ZCRX_STAGE_REGISTER;
	d->err = err;
	zcrx_diagnose(ZCRX_OP_REGISTER, err, dev, ifq->queue, &ctx->caps, d->msg, sizeof(d->msg));
	if (dumped)
		zcrx_netdev_list_free(&list);
}

/* a flush is a syscall: one for every eighth of what can be in flight */
static void set_flush_batch(struct zcrx_ifq *ifq)
{
	ifq->flush_batch = (ifq->nr_bufs < ifq->rq_entries ? ifq->nr_bufs : ifq->rq_entries) / 8;
	if (!ifq->flush_batch)
		ifq->flush_batch = 1;
}

/*
 * The fast path while it has no receive to expect: hot_more 0 sends every
 * CQE to decode_full() before it reads past the first 16 bytes (a CQE under
 * hot_ud may be a 16-byte one), and no offset is inside a size of 0.
 */
static void hot_reset(struct zcrx_ifq *ifq)
{
	if (ifq->hot_id != UINT32_MAX)
		ifq->areas[ifq->hot_id].rx_buffers += ifq->fast.hot_count;
	ifq->hot_id = UINT32_MAX;
	ifq->fast.hot_count = 0;
	ifq->fast.hot_ud = 0;
	ifq->fast.hot_more = 0;
	ifq->fast.hot_base = 0;
	ifq->fast.hot_size = 0;
	ifq->fast.hot_end = 0;
	ifq->fast.hot_delta = 0;
}

uint64_t zcrx_area_rx(const struct zcrx_ifq *ifq, uint32_t id)
{
	return ifq->areas[id].rx_buffers + (id == ifq->hot_id ? ifq->fast.hot_count : 0);
}

/* Take the refill ring layout the kernel wrote back, refusing one that does not fit. */
static int setup_rings(struct zcrx_ifq *ifq, const struct io_uring_zcrx_ifq_reg *reg,
		       const struct io_uring_zcrx_area_reg *area, const struct ifq_plan *plan)
{
	const struct io_uring_zcrx_offsets *off = &reg->offsets;
	uint64_t rqes_end = off->rqes + sizeof(struct io_uring_zcrx_rqe) * (uint64_t)reg->rq_entries;

	if (!zcrx_is_pow2(reg->rq_entries) || rqes_end > ifq->region_size ||
	    off->head + 4ULL > ifq->region_size || off->tail + 4ULL > ifq->region_size ||
	    (off->head | off->tail) % 4 || off->rqes % 8 ||
	    (plan->stats_off && plan->stats_off < rqes_end))
		return -EPROTO;

	ifq->zcrx_id = reg->zcrx_id;
	ifq->rq_entries = reg->rq_entries;
	ifq->rq_mask = reg->rq_entries - 1;
	ifq->rq_head = (uint32_t *)((char *)ifq->region + off->head);
	ifq->rq_tail = (uint32_t *)((char *)ifq->region + off->tail);
	ifq->rqes = (struct io_uring_zcrx_rqe *)((char *)ifq->region + off->rqes);
	ifq->fast.rqes = (void *)ifq->rqes;
	ifq->fast.rq_mask = ifq->rq_mask;
	ifq->fast.rq_tail = __atomic_load_n(ifq->rq_tail, __ATOMIC_RELAXED);
	ifq->rq_tail0 = ifq->fast.rq_tail;
	ifq->fast.rq_limit = __atomic_load_n(ifq->rq_head, __ATOMIC_ACQUIRE) + ifq->rq_entries;
	ifq->rx_buf_len = reg->rx_buf_len ? reg->rx_buf_len : sysconf(_SC_PAGESIZE);
	ifq->nr_bufs = ifq->area_size / ifq->rx_buf_len;
	ifq->areas[0].token = area->rq_area_token;
	ifq->nr_areas = 1;
	ifq->nr_ids = !area->rq_area_token;
	ifq->fast.ids_end = (uint64_t)ifq->nr_ids << IORING_ZCRX_AREA_SHIFT;
	hot_reset(ifq);
	ifq->fast.more_or = ifq->ctx->ops->data_more ? ZCRX_CQE_F_MORE : 0;
	set_flush_batch(ifq);
	if (plan->stats_off)
		ifq->stats = (struct zcrx_stats *)((char *)ifq->region + plan->stats_off);
	return 0;
}

int zcrx_ifq_open(struct zcrx_ctx *ctx, const struct zcrx_ifq_opts *opts,
		  struct zcrx_ifq **out, struct zcrx_diag *diag)
{
	struct io_uring_zcrx_area_reg area = { 0 };
	struct io_uring_region_desc region = { 0 };
	struct zcrx_event_desc ed = { 0 };
	struct io_uring_zcrx_ifq_reg reg = { 0 };
	struct ifq_plan plan = { 0 };
	struct zcrx_diag local;
	struct zcrx_diag *d = diag ? diag : &local;
	struct zcrx_ifq *ifq;
	int ret;

	memset(d, 0, sizeof(*d));
	if (!opts)
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL, "no options given");
	ifq = calloc(1, sizeof(*ifq));
	if (!ifq)
		return fail(d, ZCRX_STAGE_MEMORY, -ENOMEM, "allocating an ifq got ENOMEM");
	ifq->ctx = ctx;
	ifq->fast.ifq = ifq;
	ifq->hot_id = UINT32_MAX;
	ifq->areas = calloc(1, sizeof(*ifq->areas));
	if (!ifq->areas) {
		free(ifq);
		return fail(d, ZCRX_STAGE_MEMORY, -ENOMEM, "allocating an ifq got ENOMEM");
	}

	ret = check_args(ctx, opts, ifq, &plan, d);
	if (!ret)
		ret = check_caps(ctx, opts, ifq, &plan, d);
	if (!ret)
		ret = resolve_dev(ctx, opts, ifq, &plan, d);
	if (!ret)
		ret = map_memory(opts, ifq, d);
	if (ret)
		goto err_free;

	area.addr = (uintptr_t)ifq->areas[0].addr;
	area.len = ifq->area_size;
	region.user_addr = (uintptr_t)ifq->region;
	region.size = ifq->region_size;
	region.flags = IORING_MEM_REGION_TYPE_USER;
	reg.if_idx = ifq->ifindex;
	reg.if_rxq = ifq->queue;
	if (opts->nodev)
		reg.flags = ZCRX_REG_NODEV;
	reg.rq_entries = plan.rq_entries;
	reg.area_ptr = (uintptr_t)&area;
	reg.region_ptr = (uintptr_t)&region;
	reg.rx_buf_len = plan.rx_buf_len;
	/* no descriptor at all without events or stats: older kernels refuse one */
	if (ifq->events || plan.stats_off) {
		ed.user_data = ifq->event_ud;
		ed.type_mask = ifq->events;
		if (plan.stats_off) {
			ed.flags = ZCRX_EVENT_DESC_FLAG_STATS;
			ed.stats_offset = plan.stats_off;
		}
		reg.event_desc = (uintptr_t)&ed;
	}

	ret = ctx->ops->register_ifq(ctx, &reg);
	if (ret) {
		diag_register(ctx, ifq, &plan, ret, d);
		goto err_unmap;
	}
	ret = setup_rings(ifq, &reg, &area, &plan);
	if (ret) {
		fail(d, ZCRX_STAGE_REGISTER, ret,
		     "the %s backend registered zcrx_id %u but wrote back a refill ring that does"
		     " not fit the %zu-byte region (rq_entries %u, head %u, tail %u, rqes %u):"
		     " this is a libzcrx or kernel bug", ctx->ops->name, reg.zcrx_id,
		     ifq->region_size, reg.rq_entries, reg.offsets.head, reg.offsets.tail,
		     reg.offsets.rqes);
		goto err_unregister;
	}

	if (ctx->ops->ifq_ready)
		ctx->ops->ifq_ready(ctx, ifq->zcrx_id, ifq->event_ud);
	if (!opts->nodev)
		memcpy(ifq->ifname, plan.ifname, sizeof(ifq->ifname));
	ifq->next = ctx->ifqs;
	ctx->ifqs = ifq;
	ctx->nr_opened++;
	*out = ifq;
	return 0;

err_unregister:
	if (ctx->ops->unregister_ifq)
		ctx->ops->unregister_ifq(ctx, reg.zcrx_id);
err_unmap:
	unmap_memory(ifq);
err_free:
	free(ifq->areas);
	free(ifq);
	return ret;
}

/*
 * On the kernel backend the kernel's ifq stays registered, with the area and
 * refill region pinned, until the ring is closed: io_uring has no way to
 * unregister one.  Unmapping our view of that memory is still safe.
 */
void zcrx_ifq_close(struct zcrx_ifq *ifq)
{
	struct zcrx_ctx *ctx;
	struct zcrx_ifq **pp;

	if (!ifq)
		return;
	zcrx_server_close(ifq->server);
	ctx = ifq->ctx;
	for (pp = &ctx->ifqs; *pp; pp = &(*pp)->next) {
		if (*pp == ifq) {
			*pp = ifq->next;
			break;
		}
	}
	if (ctx->ops->unregister_ifq)
		ctx->ops->unregister_ifq(ctx, ifq->zcrx_id);
	unmap_memory(ifq);
	free(ifq->areas);
	free(ifq->recv);
	free(ifq);
}

int zcrx_ifq_info(const struct zcrx_ifq *ifq, struct zcrx_ifq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->zcrx_id = ifq->zcrx_id;
	info->ifindex = ifq->ifindex;
	info->queue = ifq->queue;
	info->rq_entries = ifq->rq_entries;
	info->rx_buf_len = ifq->rx_buf_len;
	info->area_size = ifq->area_size;
	info->nr_bufs = ifq->nr_bufs;
	info->area = ifq->areas[0].addr;
	info->nr_areas = ifq->nr_areas;
	info->events = ifq->events;
	info->event_user_data = ifq->event_ud;
	info->stats = ifq->stats != NULL;
	info->nodev = ifq->nodev;
	info->gen = ifq->gen;
	return 0;
}

int zcrx_ifq_area(const struct zcrx_ifq *ifq, uint32_t id, struct zcrx_area_info *info)
{
	memset(info, 0, sizeof(*info));
	if (id >= ifq->nr_areas)
		return -ENOENT;
	info->id = id;
	info->token = ifq->areas[id].token;
	info->addr = ifq->areas[id].addr;
	info->size = ifq->areas[id].size;
	info->rx_buffers = zcrx_area_rx(ifq, id);
	info->nr_bufs = ifq->areas[id].size / ifq->rx_buf_len;
	return 0;
}

static void recv_forget(struct zcrx_ifq *ifq, unsigned int i)
{
	ifq->recv[i] = ifq->recv[--ifq->nr_recv];
	hot_reset(ifq);
}

/* Prepare a receive that ended stalled or overflowed again: false while no SQE is free. */
static bool recv_again(struct zcrx_ifq *ifq, struct zcrx_recv *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ifq->ctx->ring);

	if (!sqe)
		return false;
	if (ifq->ctx->ops->prep_recv(ifq->ctx, ifq->zcrx_id, sqe, r->fd, r->len, r->ud)) {
		io_uring_prep_nop(sqe);
		return false;
	}
	if (r->stalled)
		ifq->nr_stalled--;
	if (r->overflowed)
		ifq->nr_overflowed--;
	r->stalled = r->overflowed = false;
	return true;
}

/* Everything but the fast path: each check in its order. */
static __attribute__((noinline)) int decode_full(struct zcrx_ifq *ifq,
						  const struct io_uring_cqe *cqe,
						  struct zcrx_cqe_info *info)
{
	struct zcrx_ctx *ctx = ifq->ctx;
	unsigned int i;
	uint64_t pos, id;

	if (ifq->server_repost)
		zcrx_server_post(ifq->server);
	memset(info, 0, sizeof(*info));
	info->user_data = cqe->user_data;

	if (ifq->served && cqe->user_data == zcrx_server_ud(ifq)) {
		if (ifq->server)
			zcrx_server_cqe(ifq->server, cqe);
		info->kind = ZCRX_CQE_INTERNAL;
		return info->kind;
	}

	/*
	 * A backend may tag CQEs of its own with the event user_data (the
	 * simulator's wake-ups, whose res no event has); no receive has it.
	 */
	if (cqe->user_data == ifq->event_ud && ctx->ops->own_cqe && ctx->ops->own_cqe(ctx, cqe)) {
		info->kind = ZCRX_CQE_INTERNAL;
		return info->kind;
	}
	/*
	 * An event CQE: res is the type index, not a mask (io_uring/zcrx.c posts
	 * the type; test_differential.c's COPY event row checks it on a kernel).
	 */
	if (ifq->events && cqe->user_data == ifq->event_ud) {
		if ((unsigned int)cqe->res >= ZCRX_EV_COUNT ||
		    !(ifq->events & ZCRX_EV_MASK(cqe->res)))
			return -EPROTO;
		info->kind = ZCRX_CQE_EVENT;
		info->event = cqe->res;
		ifq->latched |= ZCRX_EV_MASK(cqe->res);
		if (ifq->server)
			zcrx_server_event(ifq->server, info->event);
		return info->kind;
	}

	for (i = 0; i < ifq->nr_recv; i++)
		if (ifq->recv[i].ud == cqe->user_data && !ifq->recv[i].stalled &&
		    !ifq->recv[i].overflowed)
			break;
	if (i == ifq->nr_recv) {
		if (ctx->ops->own_cqe && ctx->ops->own_cqe(ctx, cqe))
			info->kind = ZCRX_CQE_INTERNAL;
		else
			info->kind = ZCRX_CQE_NOT_OURS;
		return info->kind;
	}

	info->more = ctx->ops->cqe_more(ctx, ifq->zcrx_id, cqe);
	if (!info->more && cqe->res == -ENOMEM) {
		/* out of buffers: nothing is lost, it goes again once some are back */
		ifq->recv[i].stalled = true;
		hot_reset(ifq);
		ifq->nr_stalled++;
		ifq->recv_stalls++;
		info->kind = ZCRX_CQE_RECV_STALLED;
		info->err = cqe->res;
		return info->kind;
	}
	if (!info->more && cqe->res == -ENOSPC) {
		/*
		 * The CQ was full: the kernel stopped before the fragment it had
		 * no CQE for, which waits in the socket.  Nothing is lost; the
		 * receive goes again now (with no SQE free, at the next commit or
		 * flush): this CQE came out of the overflow list, so the CQ has
		 * room again, and a caller that never commits would otherwise
		 * never receive again.  It cannot spin: it issues only with the
		 * caller's next submit, and a CQ still full ends it -ENOSPC again,
		 * counted again.
		 */
		ifq->recv[i].overflowed = true;
		hot_reset(ifq);
		ifq->nr_overflowed++;
		ifq->recv_overflows++;
		recv_again(ifq, &ifq->recv[i]);
		info->kind = ZCRX_CQE_RECV_STALLED;
		info->err = cqe->res;
		return info->kind;
	}
	if (!info->more)
		recv_forget(ifq, i);
	if (cqe->res <= 0) {
		info->kind = ZCRX_CQE_RECV_END;
		info->err = cqe->res;
		return info->kind;
	}
	/* the offset is in the CQE's second half: struct io_uring_zcrx_cqe */
	info->off = cqe->big_cqe[0];
	pos = info->off & ~IORING_ZCRX_AREA_MASK;
	id = info->off >> IORING_ZCRX_AREA_SHIFT;
	if (id >= ifq->nr_areas || pos + (uint32_t)cqe->res > ifq->areas[id].size)
		return -EPROTO;
	info->kind = ZCRX_CQE_DATA;
	/* its next CQE takes the fast path; the server's user_data never does */
	if (info->more && cqe->user_data != zcrx_server_ud(ifq)) {
		hot_reset(ifq);
		ifq->hot_id = id;
		ifq->fast.hot_ud = cqe->user_data;
		ifq->fast.hot_more = ZCRX_CQE_F_MORE;
		ifq->fast.hot_base = id << IORING_ZCRX_AREA_SHIFT;
		ifq->fast.hot_size = ifq->areas[id].size;
		ifq->fast.hot_end = ifq->fast.hot_base + ifq->fast.hot_size;
		ifq->fast.hot_delta = (uintptr_t)ifq->areas[id].addr - ifq->fast.hot_base;
	}
	ifq->areas[id].rx_buffers++;
	info->addr = (char *)ifq->areas[id].addr + pos;
	info->len = cqe->res;
	return info->kind;
}

/*
 * The fast path (zcrx.h's __zcrx_fast_decode()): a data CQE, with more to
 * come, of the receive the last one came from (fast.hot_ud: a receive in
 * flight, neither stalled nor overflowed, whose user_data is no ifq's event
 * or server user_data), in the area the last one came from.  Anything else,
 * or anything that fails a check there, goes to decode_full(), which checks
 * it again and says what it is.  A server's held-back poll goes first.
 */
int zcrx_cqe_decode(struct zcrx_ifq *ifq, const struct io_uring_cqe *cqe,
		    struct zcrx_cqe_info *info)
{
	if (__builtin_expect(!ifq->server_repost, 1) && __zcrx_fast_decode(&ifq->fast, cqe, info))
		return ZCRX_CQE_DATA;
	return decode_full(ifq, cqe, info);
}

struct zcrx_fast *zcrx_ifq_fast(struct zcrx_ifq *ifq)
{
	return &ifq->fast;
}

int zcrx_event_arm(struct zcrx_ifq *ifq, enum zcrx_event type)
{
	struct zcrx_ctrl ctrl;
	int ret;

	if ((unsigned int)type >= ZCRX_EV_COUNT || !(ifq->events & ZCRX_EV_MASK(type)))
		return -EINVAL;
	/* every reserved byte zero: the kernel answers EFAULT otherwise */
	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = ifq->zcrx_id;
	ctrl.op = ZCRX_CTRL_ARM_EVENT;
	ctrl.zc_arm_event.event_type = type;
	ret = ifq->ctx->ops->ctrl(ifq->ctx, &ctrl);
	if (!ret)
		ifq->latched &= ~ZCRX_EV_MASK(type);
	return ret;
}

bool zcrx_event_latched(const struct zcrx_ifq *ifq, enum zcrx_event type)
{
	return (unsigned int)type < ZCRX_EV_COUNT && (ifq->latched & ZCRX_EV_MASK(type));
}

int zcrx_stats_read(const struct zcrx_ifq *ifq, struct zcrx_stats_snap *snap)
{
	memset(snap, 0, sizeof(*snap));
	if (!ifq->stats)
		return -EOPNOTSUPP;
	/* the kernel stores these with plain 64-bit writes; relaxed loads never tear */
	snap->copy_count = __atomic_load_n(&ifq->stats->copy_count, __ATOMIC_RELAXED);
	snap->copy_bytes = __atomic_load_n(&ifq->stats->copy_bytes, __ATOMIC_RELAXED);
	return 0;
}

int zcrx_prep_recv_zc(struct zcrx_ifq *ifq, struct io_uring_sqe *sqe, int fd,
		      uint32_t len, uint64_t user_data)
{
	struct zcrx_ctx *ctx = ifq->ctx;
	int ret;

	/* an ifq's event user_data is its own, events or not, on every backend */
	for (const struct zcrx_ifq *q = ctx->ifqs; q; q = q->next)
		if (user_data == q->event_ud || (q->served && user_data == zcrx_server_ud(q)))
			return -EINVAL;
	for (unsigned int i = 0; i < ifq->nr_recv; i++)
		if (ifq->recv[i].ud == user_data)
			return -EEXIST;
	if (ifq->nr_recv == ifq->recv_cap) {
		unsigned int cap = ifq->recv_cap ? 2 * ifq->recv_cap : 8;
		struct zcrx_recv *r = reallocarray(ifq->recv, cap, sizeof(*r));

		if (!r)
			return -ENOMEM;
		ifq->recv = r;
		ifq->recv_cap = cap;
		hot_reset(ifq);
	}

	ret = ctx->ops->prep_recv(ctx, ifq->zcrx_id, sqe, fd, len, user_data);
	if (!ret)
		ifq->recv[ifq->nr_recv++] = (struct zcrx_recv){ .ud = user_data, .fd = fd,
								.len = len };
	return ret;
}

/*
 * Queue one RQE: off already carries its area's token.  The cached head
 * says full: read the kernel's again (as liburing caches the SQ head), and
 * -ENOSPC when the ring is full indeed.  Acquire: the kernel has finished
 * reading the RQEs it consumed, up to the new limit.
 */
static int rqe_put(struct zcrx_ifq *ifq, uint64_t off, uint32_t len)
{
	struct zcrx_fast *f = &ifq->fast;

	if (f->rq_tail == f->rq_limit) {
		f->rq_limit = __atomic_load_n(ifq->rq_head, __ATOMIC_ACQUIRE) + ifq->rq_entries;
		if (f->rq_tail == f->rq_limit)
			return -ENOSPC;
	}
	__zcrx_rqe_put(f, off, len);
	return 0;
}

/* The fast path (zcrx.h's __zcrx_fast_return()), then a full ring or another token. */
int zcrx_buf_return(struct zcrx_ifq *ifq, uint64_t off, uint32_t len)
{
	uint64_t id = off >> IORING_ZCRX_AREA_SHIFT;

	if (__builtin_expect(__zcrx_fast_return(&ifq->fast, off, len), 1))
		return 0;
	if (id >= ifq->nr_areas)
		return -EINVAL;
	/* below nr_ids a token is the area's id: off goes back as it came */
	if (__builtin_expect(id >= ifq->nr_ids, 0))
		off = (off & ~IORING_ZCRX_AREA_MASK) | ifq->areas[id].token;
	return rqe_put(ifq, off, len);
}

static void publish_tail(struct zcrx_ifq *ifq)
{
	/* release: the RQE writes above are visible before the kernel sees the tail */
	__atomic_store_n(ifq->rq_tail, ifq->fast.rq_tail, __ATOMIC_RELEASE);
}

static void flush_due(struct zcrx_ifq *ifq);

static __attribute__((noinline)) void commit_slow(struct zcrx_ifq *ifq)
{
	if (ifq->server_repost)
		zcrx_server_post(ifq->server);
	if (ifq->nodev || ifq->nr_stalled || ifq->nr_overflowed)
		flush_due(ifq);
}

void zcrx_buf_commit(struct zcrx_ifq *ifq)
{
	publish_tail(ifq);
	/*
	 * A NODEV ifq takes returns only through FLUSH_RQ; a stalled receive
	 * waits for them; an overflowed one waits only for an SQE; a server's
	 * poll held back by a full SQ, past zcrx_cqe_decode_fast(), too.
	 */
	if (__builtin_expect(ifq->nodev || ifq->nr_stalled || ifq->nr_overflowed ||
			     ifq->server_repost, 0))
		commit_slow(ifq);
}

uint32_t zcrx_ifq_held(const struct zcrx_ifq *ifq)
{
	uint64_t rx = 0;
	int32_t held;

	for (uint32_t i = 0; i < ifq->nr_areas; i++)
		rx += zcrx_area_rx(ifq, i);
	/* every return moved the tail: what was decoded and has not, saturating at 0 */
	held = (uint32_t)rx - (ifq->fast.rq_tail - ifq->rq_tail0);
	return held > 0 ? held : 0;
}

uint32_t zcrx_rq_fill(const struct zcrx_ifq *ifq)
{
	return ifq->fast.rq_tail - __atomic_load_n(ifq->rq_head, __ATOMIC_ACQUIRE);
}

/*
 * Prepare the waiting receives again: the overflowed ones always, the
 * stalled ones if buffers are back.  How many went.
 */
static int recv_resume(struct zcrx_ifq *ifq)
{
	/* the kernel has buffers unless the caller holds them or they wait in the refill ring */
	bool bufs = (uint64_t)zcrx_ifq_held(ifq) + zcrx_rq_fill(ifq) < ifq->nr_bufs;
	int n = 0;

	for (unsigned int i = 0; i < ifq->nr_recv && (ifq->nr_stalled || ifq->nr_overflowed); i++) {
		struct zcrx_recv *r = &ifq->recv[i];

		if (!r->overflowed && !(r->stalled && bufs))
			continue;
		n += recv_again(ifq, r);
	}
	return n;
}

int zcrx_rq_flush(struct zcrx_ifq *ifq)
{
	uint32_t before = __atomic_load_n(ifq->rq_head, __ATOMIC_ACQUIRE);
	struct zcrx_ctrl ctrl;
	int ret;

	publish_tail(ifq);
	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = ifq->zcrx_id;
	ctrl.op = ZCRX_CTRL_FLUSH_RQ;
	ret = ifq->ctx->ops->ctrl(ifq->ctx, &ctrl);
	if (ret)
		return ret;
	ret = __atomic_load_n(ifq->rq_head, __ATOMIC_ACQUIRE) - before;
	if (ifq->nr_stalled || ifq->nr_overflowed)
		recv_resume(ifq);
	return ret;
}

/*
 * Flush when enough returns wait (NODEV) or a stalled receive waits for any;
 * an overflowed receive needs no flush, only an SQE.
 */
static void flush_due(struct zcrx_ifq *ifq)
{
	uint32_t fill = zcrx_rq_fill(ifq);

	if (fill && (ifq->nr_stalled || (ifq->nodev && fill >= ifq->flush_batch)))
		zcrx_rq_flush(ifq);
	else if (ifq->nr_stalled || ifq->nr_overflowed)
		recv_resume(ifq);
}

uint64_t zcrx_recv_stalls(const struct zcrx_ifq *ifq)
{
	return ifq->recv_stalls;
}

uint64_t zcrx_recv_overflows(const struct zcrx_ifq *ifq)
{
	return ifq->recv_overflows;
}

/* What an ADD_AREA refusal means (zcrx_ctrl_add_area() and __zcrx_create_area()) */
static int diag_add_area(int err, uint64_t size, struct zcrx_diag *d)
{
	const char *why;

	switch (-err) {
	case ENOMEM:
		why = "areas are pinned, and the locked-memory limit refused this one: raise"
		      " `ulimit -l` or add a smaller area";
		break;
	case EFAULT:
		why = "the kernel could not pin the memory, or the ifq's device is gone";
		break;
	case ERANGE:
		why = "the memory is not contiguous enough for the ifq's rx_buf_len: use huge pages";
		break;
	default:
		why = "this kernel refused the area as asked: `zcrxctl selftest` shows what works"
		      " here";
		break;
	}
	return fail(d, ZCRX_STAGE_REGISTER, err, "adding a %llu-byte area got %s (%s): %s",
		    (unsigned long long)size, strerrorname_np(-err), strerror(-err), why);
}

/* Refuse before the call what the kernel would refuse, in words. */
static int check_area_opts(const struct zcrx_ifq *ifq, const struct zcrx_area_opts *o,
			   struct zcrx_area_slot *a, struct zcrx_diag *d)
{
	const struct zcrx_caps *c = &ifq->ctx->caps;
	uint64_t page = sysconf(_SC_PAGESIZE);
	char why[256];

	if (zcrx_resv_check(o->__resv, sizeof(o->__resv)))
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "struct zcrx_area_opts has non-zero reserved bytes: initialise it"
			    " with { 0 } or designated initialisers");
	if (zcrx_caps_feature(c, ZCRX_FEAT_ADD_AREA, why, sizeof(why)) != ZCRX_YES)
		return fail(d, ZCRX_STAGE_CAPS, -EOPNOTSUPP,
			    "this kernel cannot add an area to a live ifq (%s): open the ifq"
			    " with a larger area instead", why);
	if (o->backing == ZCRX_AREA_DMABUF)
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "zcrx_id %u's areas are user memory, and the kernel takes no dmabuf"
			    " area beside them: add anonymous, huge-page or caller memory",
			    ifq->zcrx_id);
	if ((unsigned int)o->backing > ZCRX_AREA_USER)
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL, "unknown area backing %d", o->backing);
	if (o->rx_buf_len && o->rx_buf_len != ifq->rx_buf_len)
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "rx_buf_len %u is not zcrx_id %u's (%u): every area of an ifq has its"
			    " buffer size; use 0 for it", o->rx_buf_len, ifq->zcrx_id,
			    ifq->rx_buf_len);
	if (ifq->nr_areas >= ZCRX_AREAS_MAX)
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "zcrx_id %u has %u areas, the kernel's limit (ZCRX_MAX_AREAS): it"
			    " takes no more", ifq->zcrx_id, ifq->nr_areas);
	a->size = o->area_size ? o->area_size : ifq->areas[0].size;
	if (o->backing == ZCRX_AREA_HUGE_2M)
		a->size = round_up(a->size, HUGE_2M);
	if (a->size % page || a->size < ifq->rx_buf_len)
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "area_size %llu must be a multiple of the page size (%llu) and hold at"
			    " least one %u-byte buffer", (unsigned long long)a->size,
			    (unsigned long long)page, ifq->rx_buf_len);
	if (o->backing == ZCRX_AREA_USER && (!o->area_addr || (uintptr_t)o->area_addr % page))
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL,
			    "area_addr %p is not page-aligned: caller memory for the area"
			    " must start on a page", o->area_addr);
	return 0;
}

int zcrx_ifq_add_area(struct zcrx_ifq *ifq, const struct zcrx_area_opts *opts,
		      uint32_t *area_id, struct zcrx_diag *diag)
{
	struct io_uring_zcrx_area_reg reg = { 0 };
	struct zcrx_area_slot a = { 0 }, *areas;
	struct zcrx_diag local;
	struct zcrx_diag *d = diag ? diag : &local;
	struct zcrx_ctrl ctrl;
	uint64_t id;
	int ret;

	memset(d, 0, sizeof(*d));
	if (!opts)
		return fail(d, ZCRX_STAGE_ARGS, -EINVAL, "no options given");
	ret = check_area_opts(ifq, opts, &a, d);
	if (!ret)
		ret = map_area(opts->backing, opts->area_addr, &a, d);
	if (ret)
		return ret;
	/* the fast path's count goes into its area before the table moves */
	hot_reset(ifq);
	areas = reallocarray(ifq->areas, ifq->nr_areas + 1, sizeof(*areas));
	if (!areas) {
		unmap_area(&a);
		return fail(d, ZCRX_STAGE_MEMORY, -ENOMEM, "growing the area table got ENOMEM");
	}
	ifq->areas = areas;

	reg.addr = (uintptr_t)a.addr;
	reg.len = a.size;
	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = ifq->zcrx_id;
	ctrl.op = ZCRX_CTRL_ADD_AREA;
	ctrl.zc_area.area_ptr = (uintptr_t)&reg;
	ret = ifq->ctx->ops->ctrl(ifq->ctx, &ctrl);
	if (ret) {
		unmap_area(&a);
		return diag_add_area(ret, a.size, d);
	}
	/* the kernel numbers areas as we do; anything else and our tokens would lie */
	id = reg.rq_area_token >> IORING_ZCRX_AREA_SHIFT;
	if (id != ifq->nr_areas || reg.rq_area_token & ~IORING_ZCRX_AREA_MASK)
		return fail(d, ZCRX_STAGE_REGISTER, -EPROTO,
			    "the %s backend added an area with token 0x%llx, not area %u's:"
			    " this is a libzcrx or kernel bug", ifq->ctx->ops->name,
			    (unsigned long long)reg.rq_area_token, ifq->nr_areas);
	a.token = reg.rq_area_token;
	ifq->areas[ifq->nr_areas++] = a;
	if (ifq->nr_ids + 1 == ifq->nr_areas)
		ifq->fast.ids_end = (uint64_t)++ifq->nr_ids << IORING_ZCRX_AREA_SHIFT;
	ifq->area_size += a.size;
	ifq->nr_bufs += a.size / ifq->rx_buf_len;
	set_flush_batch(ifq);
	if (area_id)
		*area_id = id;
	/* a receive that starved can go again: there are buffers now */
	if (ifq->nr_stalled)
		recv_resume(ifq);
	return 0;
}
