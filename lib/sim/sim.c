// SPDX-License-Identifier: MIT
/*
 * The simulator: a user-space model of one NIC RX queue under zcrx for every
 * registered ifq, in the spirit of the kernel's netdevsim.  This is its
 * syscall side: it answers registration and control with the kernel's checks
 * in the kernel's order (io_uring/zcrx.c: io_register_zcrx_ifq() and
 * io_register_zcrx_ctrl(); the rows of tests/unit/test_conformance.c hold
 * every check to what a kernel answers); the queue itself runs in
 * sim_rx.c, on a private io_uring of its own.
 *
 * ZCRX_REG_NODEV is modelled from the 7.2 generation on, as Linux 7.2 has
 * it: no netdev, every byte copied, refill only through ZCRX_CTRL_FLUSH_RQ.
 *
 * Not modelled, by design: CAP_NET_ADMIN (the simulator exists to run
 * unprivileged), ZCRX_REG_IMPORT (not in register_flags), dmabuf areas
 * (area_flags 0: refused with EINVAL where a kernel would import one),
 * kernel-allocated refill regions (only IORING_MEM_REGION_TYPE_USER; a
 * region with flags 0 is refused with EINVAL where a kernel would allocate
 * one), ZCRX_CTRL_EXPORT (EOPNOTSUPP), the netdev and driver checks
 * (params.inject_reg_err answers in their place), the ERANGE check of
 * rx_buf_len against the area's physical contiguity, and memlock accounting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>

#include "internal.h"
#include "sim_int.h"

/* ALIGN(sizeof(head) + sizeof(tail), cache line): the 7.2 layout on x86-64 */
#define SIM_RQ_HDR_SIZE		8U
#define SIM_RQ_HDR_ALIGN	64U
#define SIM_RQ_RQES		64U
/* 7.3: head and tail on cache lines of their own (struct zcrx_rq_hdr) */
#define SIM_RQ_HDR_SIZE_7_3	128U
#define SIM_RQ_TAIL_7_3		64U
#define SIM_RQ_RQES_7_3		128U
#define SIM_MAX_AREAS		1024U	/* ZCRX_MAX_AREAS */
#define SIM_PKT_MAX		65535U
#define SIM_AREA_MAX		(1ULL << 40)	/* io_validate_user_buf_range(): 1 TiB */
#define SIM_RX_RING_DEFAULT	64U
#define SIM_PKT_SIZE_DEFAULT	1448U
#define SIM_PRING_SQ		64U	/* the private ring: timers, polls, cancels */
#define SIM_PRING_CQ		1024U

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */
/* ------------------------------------------------------------------ */

void zcrx_sim_caps(enum zcrx_gen gen, struct zcrx_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	/* the io_uring underneath is this machine's; what zcrx needs of it is there */
	caps->nr_request_opcodes = IORING_OP_RECV_ZC + 7;
	caps->nr_register_opcodes = gen == ZCRX_GEN_7_2 ? 38 : 37;
	caps->feature_flags = (1ULL << 18) - 1;
	caps->ring_setup_flags = (1ULL << 19) - 1;
	caps->enter_flags = (1ULL << 7) - 1;
	caps->sqe_flags = (1ULL << 7) - 1;
	caps->nr_query_opcodes = gen == ZCRX_GEN_7_2 ? 4 : 3;
	/* present: a real kernel answers an unreadable argument with EFAULT */
	caps->zcrx_reg_err = -EFAULT;
	/* the simulator does not ask for CAP_NET_ADMIN */
	caps->cap_net_admin = 1;

	/* NODEV as Linux 7.2 has it; neither IMPORT nor dmabuf areas are modelled */
	caps->register_flags = gen == ZCRX_GEN_7_2 ? ZCRX_REG_NODEV : 0;
	caps->area_flags = 0;
	caps->rq_hdr_size = SIM_RQ_HDR_SIZE;
	caps->rq_hdr_alignment = SIM_RQ_HDR_ALIGN;
	caps->features = ZCRX_FEATURE_RX_PAGE_SIZE;
	caps->nr_ctrl_opcodes = 2;
	caps->event_query_err = -EOPNOTSUPP;
	if (gen == ZCRX_GEN_MAY2026 || gen == ZCRX_GEN_7_2) {
		caps->features |= ZCRX_FEATURE_EVENT;
		caps->nr_ctrl_opcodes = 3;
	}
	if (gen == ZCRX_GEN_7_2) {
		caps->event_query_err = 0;
		caps->event_flags = ZCRX_EV_MASK_ALL;
		caps->stats_size = sizeof(struct zcrx_stats);
		caps->stats_off_alignment = 8;
	}
	zcrx_caps_derive(caps);
}

/* What a later release of a generation adds to its caps */
static void sim_caps_release(const struct zcrx_sim_params *p, struct zcrx_caps *caps)
{
	zcrx_sim_caps(p->gen, caps);
	if (p->release == ZCRX_SIM_LINUX_7_3) {
		caps->nr_ctrl_opcodes = ZCRX_CTRL_ADD_AREA + 1;
		caps->rq_hdr_size = SIM_RQ_HDR_SIZE_7_3;
		zcrx_caps_derive(caps);
	}
}

static int sim_probe(struct zcrx_ctx *ctx, struct zcrx_caps *caps)
{
	struct sim *s = ctx->backend;

	sim_caps_release(&s->p, caps);
	return 0;
}

/* The simulator has no netdev: any name or index stands for its one queue. */
static int sim_resolve_dev(struct zcrx_ctx *ctx, const char *ifname, uint32_t ifindex,
			   char name[IF_NAMESIZE], uint32_t *out_ifindex)
{
	(void)ctx;
	*out_ifindex = ifname ? 0 : ifindex;
	snprintf(name, IF_NAMESIZE, "%s", ifname ? ifname : "");
	return 0;
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Does the stale provider of params.stale_ns still sit on the queue? */
static bool stale(const struct sim *s)
{
	return s->stale_until && mono_now() < s->stale_until;
}

/*
 * netdev queue-get for the simulated queue: any name and index stand for it
 * (as in sim_resolve_dev()), and it carries a provider only while stale.
 * The simulator's own ifqs are each a queue of their own, never reported.
 */
static int sim_queue_get(struct zcrx_ctx *ctx, const char *ifname, uint32_t queue,
			 struct zcrx_queue_holder *h)
{
	(void)ifname;
	(void)queue;
	h->mp = stale(ctx->backend) ? ZCRX_MP_IO_URING : 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

/*
 * copy_from_user / copy_to_user: an unreadable or unwritable pointer gives
 * EFAULT instead of a crash.  process_vm_* on ourselves does the checking;
 * where a seccomp policy forbids it, only NULL-page pointers are caught.
 */
static int copy_in(void *dst, uint64_t src, size_t len)
{
	struct iovec l = { dst, len }, r = { (void *)(uintptr_t)src, len };
	ssize_t n;

	if (src < 4096)
		return -EFAULT;
	n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
		memcpy(dst, (const void *)(uintptr_t)src, len);
		return 0;
	}
	return -EFAULT;
}

static int copy_out(uint64_t dst, const void *src, size_t len)
{
	struct iovec l = { (void *)src, len }, r = { (void *)(uintptr_t)dst, len };
	ssize_t n;

	if (dst < 4096)
		return -EFAULT;
	n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
		memcpy((void *)(uintptr_t)dst, src, len);
		return 0;
	}
	return -EFAULT;
}

/*
 * The kernel pins the area and the refill region for writing; memory it
 * cannot pin gives EFAULT.  Ours is the same check against our own mappings.
 */
static int pin_check(uint64_t addr, uint64_t len)
{
	unsigned long lo, hi, pos = addr, end = addr + len;
	char perms[8];
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return 0;
	while (pos < end && fscanf(f, "%lx-%lx %7s%*[^\n]", &lo, &hi, perms) == 3) {
		if (hi <= pos)
			continue;
		if (lo > pos || perms[0] != 'r' || perms[1] != 'w')
			break;
		pos = hi;
	}
	fclose(f);
	return pos >= end ? 0 : -EFAULT;
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */
/* ------------------------------------------------------------------ */

/*
 * What each generation accepts in the event descriptor: io_uring/zcrx.c's
 * event registration (the seed patch reserved bytes 12 on); the event_desc
 * rows of tests/unit/test_conformance.c show a kernel's answers.
 */
static int check_event_desc(const struct sim *s, const struct io_uring_zcrx_ifq_reg *reg,
			    struct zcrx_event_desc *ed)
{
	memset(ed, 0, sizeof(*ed));
	if (!reg->event_desc)
		return 0;
	if (copy_in(ed, reg->event_desc, sizeof(*ed)))
		return -EFAULT;
	if (s->p.gen == ZCRX_GEN_MAY2026) {
		/* the seed patch: alloc-fail only, bytes 12.. reserved */
		if (ed->type_mask & ~ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL))
			return -EINVAL;
		if (!zcrx_all_zero(&ed->flags, sizeof(*ed) - offsetof(struct zcrx_event_desc, flags)))
			return -EINVAL;
		return 0;
	}
	if (ed->type_mask & ~s->caps.event_flags)
		return -EINVAL;
	if (ed->flags & ~ZCRX_EVENT_DESC_FLAG_STATS)
		return -EINVAL;
	if (ed->stats_offset && !(ed->flags & ZCRX_EVENT_DESC_FLAG_STATS))
		return -EINVAL;
	if (!zcrx_all_zero(ed->__resv2, sizeof(ed->__resv2)))
		return -EINVAL;
	return 0;
}

/* io_allocate_rbuf_ring() and io_create_region(), in their order */
static int check_region(const struct sim *s, const struct io_uring_zcrx_ifq_reg *reg,
			const struct io_uring_region_desc *rd, uint64_t page)
{
	uint64_t need = s->rq_rqes_off + sizeof(struct io_uring_zcrx_rqe) * (uint64_t)reg->rq_entries;
	uint64_t end;
	int ret;

	if (need > rd->size)
		return -EINVAL;
	if (!zcrx_all_zero(rd->__resv, sizeof(rd->__resv)))
		return -EINVAL;
	if (rd->flags & ~IORING_MEM_REGION_TYPE_USER)
		return -EINVAL;
	/* user_addr is set if and only if the region is user memory */
	if (!!(rd->flags & IORING_MEM_REGION_TYPE_USER) != !!rd->user_addr)
		return -EFAULT;
	if (!rd->size || rd->mmap_offset || rd->id)
		return -EINVAL;
	if (rd->size / page > 0x7fffffff)
		return -E2BIG;
	if ((rd->user_addr | rd->size) & (page - 1))
		return -EINVAL;
	if (__builtin_add_overflow(rd->user_addr, rd->size, &end))
		return -EOVERFLOW;
	/* a kernel would allocate the region here: the simulator cannot map it for you */
	if (!(rd->flags & IORING_MEM_REGION_TYPE_USER))
		return -EINVAL;
	ret = pin_check(rd->user_addr, rd->size);
	if (ret)
		return ret;
	return 0;
}

/* The stats block, checked once the region exists; a good block is then zeroed. */
static int check_stats(const struct sim *s, const struct io_uring_zcrx_ifq_reg *reg,
		       const struct io_uring_region_desc *rd, const struct zcrx_event_desc *ed)
{
	static const struct zcrx_stats zero;
	uint64_t rqes_end = s->rq_rqes_off + sizeof(struct io_uring_zcrx_rqe) *
			    (uint64_t)reg->rq_entries;
	uint64_t end;

	if (!(ed->flags & ZCRX_EVENT_DESC_FLAG_STATS))
		return 0;
	if (ed->stats_offset % 8)
		return -EINVAL;
	if (ed->stats_offset < rqes_end)
		return -ERANGE;
	if (__builtin_add_overflow(ed->stats_offset, sizeof(struct zcrx_stats), &end) ||
	    end > rd->size)
		return -ERANGE;
	return copy_out(rd->user_addr + ed->stats_offset, &zero, sizeof(zero));
}

/* io_zcrx_create_area(): rx_buf_len, which a NODEV ifq (no device) keeps at a page */
static int check_buf_len(const struct sim *s, struct io_uring_zcrx_ifq_reg *reg, uint64_t page)
{
	if (!reg->rx_buf_len)
		reg->rx_buf_len = page;
	if (!zcrx_is_pow2(reg->rx_buf_len) || reg->rx_buf_len < page)
		return -EINVAL;
	if (reg->rx_buf_len > page && !(s->caps.features & ZCRX_FEATURE_RX_PAGE_SIZE))
		return -EINVAL;
	if (reg->rx_buf_len != page && (reg->flags & ZCRX_REG_NODEV))
		return -EOPNOTSUPP;
	return 0;
}

/* io_import_area(), io_validate_user_buf_range() and io_import_umem(), in their order */
static int check_area(const struct io_uring_zcrx_ifq_reg *reg,
		      const struct io_uring_zcrx_area_reg *area, uint64_t page)
{
	uint64_t end;
	int ret;

	if (area->flags & ~IORING_ZCRX_AREA_DMABUF)
		return -EINVAL;
	if (area->rq_area_token)
		return -EINVAL;
	if (!zcrx_all_zero(area->__resv2, sizeof(area->__resv2)))
		return -EINVAL;
	if (!area->len)
		return -EFAULT;
	if (area->len > SIM_AREA_MAX)
		return -EINVAL;
	if (__builtin_add_overflow(area->addr, (area->len + page - 1) & ~(page - 1), &end))
		return -EOVERFLOW;
	if ((area->addr | area->len) & (page - 1))
		return -EINVAL;
	/* NODEV has no device to attach a dmabuf to; the simulator models none */
	if (area->flags & IORING_ZCRX_AREA_DMABUF)
		return -EINVAL;
	if (area->dmabuf_fd)
		return -EINVAL;
	if (!area->addr)
		return -EFAULT;
	ret = pin_check(area->addr, area->len);
	if (ret)
		return ret;
	if (area->len < reg->rx_buf_len)
		return -EINVAL;
	return 0;
}

static void ifq_free(struct sim_ifq *q)
{
	if (!q)
		return;
	free(q->areas);
	free(q->state);
	free(q->free);
	free(q->rx);
	free(q->recv);
	free(q);
}

static struct sim_ifq *ifq_alloc(struct sim *s, const struct io_uring_zcrx_ifq_reg *reg,
				 const struct io_uring_region_desc *rd,
				 const struct io_uring_zcrx_area_reg *area,
				 const struct zcrx_event_desc *ed)
{
	struct sim_ifq *q = calloc(1, sizeof(*q));
	uint8_t *region = (uint8_t *)(uintptr_t)rd->user_addr;

	if (!q)
		return NULL;
	q->nodev = reg->flags & ZCRX_REG_NODEV;
	q->buf_len = reg->rx_buf_len;
	q->nr_bufs = area->len / reg->rx_buf_len;
	q->areas = calloc(1, sizeof(*q->areas));
	if (!q->areas) {
		free(q);
		return NULL;
	}
	q->areas[0] = (struct sim_area){ .base = (uint8_t *)(uintptr_t)area->addr, .nr = q->nr_bufs };
	q->nr_areas = 1;
	/* NODEV: no NIC, so no RX descriptor ring either */
	q->rx_size = q->nodev ? 0 : s->p.rx_ring;
	q->state = calloc(q->nr_bufs, 1);
	q->free = calloc(q->nr_bufs, sizeof(*q->free));
	q->rx = calloc(q->rx_size ? q->rx_size : 1, sizeof(*q->rx));
	if (!q->state || !q->free || !q->rx) {
		ifq_free(q);
		return NULL;
	}
	/*
	 * The kernel's free list holds 0, 1, 2... and pops from the end, so a
	 * NODEV copy lands in the last buffer of the area first.  A NIC queue
	 * takes its buffers through the page pool in batches; there the first
	 * buffers posted are the first in the area.
	 */
	for (uint32_t i = 0; i < q->nr_bufs; i++)
		buf_free(q, q->nodev ? i : q->nr_bufs - 1 - i);

	q->rq_entries = reg->rq_entries;
	q->rq_head = (uint32_t *)region;
	q->rq_tail = (uint32_t *)(region + s->rq_tail_off);
	q->rqes = (struct io_uring_zcrx_rqe *)(region + s->rq_rqes_off);
	/* like the kernel's, our head starts at 0 whatever the memory holds */
	q->rq_cached_head = 0;

	q->type_mask = ed->type_mask;
	q->event_ud = ed->user_data;
	if (ed->flags & ZCRX_EVENT_DESC_FLAG_STATS)
		q->stats = (struct zcrx_stats *)(region + ed->stats_offset);
	return q;
}

/*
 * IORING_REGISTER_ZCRX_IFQ, check by check in io_register_zcrx_ifq()'s order,
 * each with the kernel's errno.  The user's structs are written back only
 * on success, as copy_to_user at the end of the kernel's registration.
 */
static int sim_register_ifq(struct zcrx_ctx *ctx, struct io_uring_zcrx_ifq_reg *ureg)
{
	struct sim *s = ctx->backend;
	uint64_t page = sysconf(_SC_PAGESIZE);
	struct io_uring_zcrx_area_reg area;
	struct io_uring_region_desc rd;
	struct io_uring_zcrx_ifq_reg reg;
	struct zcrx_event_desc ed;
	struct sim_ifq *q;
	int ret;

	/* io_uring_register(): IORING_REGISTER_ZCRX_IFQ takes one non-NULL arg */
	if (!ureg)
		return -EINVAL;
	/* CAP_NET_ADMIN would be checked here: not modelled */
	if (!(ctx->ring_flags & ZCRX_SETUP_DEFER_TASKRUN))
		return -EINVAL;
	if (!(ctx->ring_flags & (ZCRX_SETUP_CQE32 | ZCRX_SETUP_CQE_MIXED)))
		return -EINVAL;
	if (copy_in(&reg, (uintptr_t)ureg, sizeof(reg)))
		return -EFAULT;
	if (reg.__resv[0] || reg.__resv[1] || reg.zcrx_id)
		return -EINVAL;
	/* before the May 2026 patch event_desc was reserved, and rx_buf_len before RX_PAGE_SIZE */
	if (reg.event_desc && !(s->caps.features & ZCRX_FEATURE_EVENT))
		return -EINVAL;
	if (reg.rx_buf_len && !(s->caps.features & ZCRX_FEATURE_RX_PAGE_SIZE))
		return -EINVAL;
	if (reg.flags & ~s->caps.register_flags)
		return -EINVAL;
	if (copy_in(&rd, reg.region_ptr, sizeof(rd)))
		return -EFAULT;
	if (reg.if_rxq == ~0U || !reg.rq_entries)
		return -EINVAL;
	if ((reg.if_rxq || reg.if_idx) && (reg.flags & ZCRX_REG_NODEV))
		return -EINVAL;
	if (reg.rq_entries > ZCRX_RQ_ENTRIES_MAX) {
		if (!(ctx->ring_flags & ZCRX_SETUP_CLAMP))
			return -EINVAL;
		reg.rq_entries = ZCRX_RQ_ENTRIES_MAX;
	}
	reg.rq_entries = zcrx_roundup_pow2(reg.rq_entries);
	if (copy_in(&area, reg.area_ptr, sizeof(area)))
		return -EFAULT;
	ret = check_event_desc(s, &reg, &ed);
	if (ret)
		return ret;
	if (s->next_id > SIM_ID_MAX)
		return -ENOSPC;
	ret = check_region(s, &reg, &rd, page);
	if (ret)
		return ret;
	ret = check_stats(s, &reg, &rd, &ed);
	if (ret)
		return ret;
	/* netdev_get_by_index() and the driver's checks: the simulator's one knob */
	if (s->p.inject_reg_err && !(reg.flags & ZCRX_REG_NODEV))
		return -abs(s->p.inject_reg_err);
	/* net_mp_open_rxq(): the queue still carries a provider (--sim-stale) */
	if (stale(s) && !(reg.flags & ZCRX_REG_NODEV))
		return -EEXIST;
	ret = check_buf_len(s, &reg, page);
	if (!ret)
		ret = check_area(&reg, &area, page);
	if (ret)
		return ret;

	q = ifq_alloc(s, &reg, &rd, &area, &ed);
	if (!q)
		return -ENOMEM;
	q->id = s->next_id;
	q->rng = s->p.seed ^ ((uint64_t)q->id << 32);
	reg.zcrx_id = q->id;
	reg.offsets.head = 0;
	reg.offsets.tail = s->rq_tail_off;
	reg.offsets.rqes = s->rq_rqes_off;
	area.rq_area_token = 0ULL << IORING_ZCRX_AREA_SHIFT;
	if (copy_out((uintptr_t)ureg, &reg, sizeof(reg)) ||
	    copy_out(reg.region_ptr, &rd, sizeof(rd)) ||
	    copy_out(reg.area_ptr, &area, sizeof(area))) {
		ifq_free(q);
		return -EFAULT;
	}
	/* a NIC queue restarts with its ring full; events have no target yet */
	zcrx_sim_rx_refill(s, q);
	q->target = ed.type_mask != 0;
	s->next_id++;
	q->next = s->ifqs;
	s->ifqs = q;
	return 0;
}

static void sim_unregister_ifq(struct zcrx_ctx *ctx, uint32_t zcrx_id)
{
	struct sim *s = ctx->backend;
	struct sim_ifq **pp, *q;

	for (pp = &s->ifqs; (q = *pp); pp = &q->next) {
		if (q->id == zcrx_id) {
			*pp = q->next;
			zcrx_sim_rx_disarm(s, q);
			ifq_free(q);
			return;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Control                                                             */
/* ------------------------------------------------------------------ */

/* ZCRX_CTRL_ARM_EVENT: only a latched type re-arms (EINVAL otherwise). */
static int arm_event(struct sim *s, struct sim_ifq *q, const struct zcrx_ctrl_arm_event *a)
{
	uint32_t last = s->p.gen == ZCRX_GEN_MAY2026 ? 1 : __ZCRX_EVENT_TYPE_LAST;

	if (a->event_type >= last)
		return -EINVAL;
	if (!zcrx_all_zero(a->__resv, sizeof(a->__resv)))
		return -EINVAL;
	if (!(q->latched & (1U << a->event_type)))
		return -EINVAL;
	q->latched &= ~(1U << a->event_type);
	zcrx_sim_rx_rearmed(s, q);
	return 0;
}

/*
 * ZCRX_CTRL_ADD_AREA (7.3), in zcrx_ctrl_add_area()'s order: the token is
 * written back before the area is imported, which may still fail.  The new
 * buffers go under the free list, so area 0's are taken first, as the
 * kernel's allocation walks the areas from 0.
 */
static int add_area(struct sim *s, struct sim_ifq *q, const struct zcrx_ctrl_add_area *ca)
{
	struct io_uring_zcrx_area_reg area;
	struct io_uring_zcrx_ifq_reg reg = { .rx_buf_len = q->buf_len };
	uint64_t page = s->page;
	struct sim_area *areas;
	uint32_t nr, *fl;
	uint8_t *st;
	int ret;

	if (copy_in(&area, ca->area_ptr, sizeof(area)))
		return -EFAULT;
	if (!zcrx_all_zero(ca->__resv, sizeof(ca->__resv)) || area.rq_area_token)
		return -EINVAL;
	area.rq_area_token = (uint64_t)q->nr_areas << IORING_ZCRX_AREA_SHIFT;
	if (copy_out(ca->area_ptr, &area, sizeof(area)))
		return -EFAULT;
	area.rq_area_token = 0;
	ret = check_area(&reg, &area, page);
	if (ret)
		return ret;
	if (q->nr_areas + 1 > SIM_MAX_AREAS)
		return -EINVAL;

	nr = area.len / q->buf_len;
	areas = reallocarray(q->areas, q->nr_areas + 1, sizeof(*areas));
	if (!areas)
		return -ENOMEM;
	q->areas = areas;
	st = realloc(q->state, q->nr_bufs + nr);
	if (!st)
		return -ENOMEM;
	q->state = st;
	fl = reallocarray(q->free, q->nr_bufs + nr, sizeof(*fl));
	if (!fl)
		return -ENOMEM;
	q->free = fl;
	memmove(q->free + nr, q->free, q->nr_free * sizeof(*q->free));
	for (uint32_t i = 0; i < nr; i++) {
		q->free[i] = q->nr_bufs + nr - 1 - i;
		q->state[q->nr_bufs + i] = BUF_FREE;
	}
	q->nr_free += nr;
	areas[q->nr_areas++] = (struct sim_area){ .base = (uint8_t *)(uintptr_t)area.addr,
						  .first = q->nr_bufs, .nr = nr };
	q->nr_bufs += nr;
	/* a NIC queue's page pool refills from the new area at once */
	zcrx_sim_rx_refill(s, q);
	return 0;
}

/* IORING_REGISTER_ZCRX_CTRL in io_register_zcrx_ctrl()'s order */
static int sim_ctrl(struct zcrx_ctx *ctx, struct zcrx_ctrl *uctrl)
{
	struct sim *s = ctx->backend;
	struct zcrx_ctrl c;
	struct sim_ifq *q;

	/*
	 * The kernel copies the ctrl struct in (EFAULT when unreadable).  It
	 * comes from the same stack page call after call, so once that page
	 * was read through copy_in a plain copy stands for it: re-arming in an
	 * event storm then costs no process_vm_readv.
	 */
	if (s->ctrl_page && ((uintptr_t)uctrl & ~4095UL) == s->ctrl_page &&
	    (((uintptr_t)uctrl + sizeof(c) - 1) & ~4095UL) == s->ctrl_page) {
		memcpy(&c, uctrl, sizeof(c));
	} else {
		if (copy_in(&c, (uintptr_t)uctrl, sizeof(c)))
			return -EFAULT;
		s->ctrl_page = (uintptr_t)uctrl & ~4095UL;
	}
	if (c.__resv[0] || c.__resv[1])
		return -EFAULT;
	q = find_ifq(s, c.zcrx_id);
	if (!q)
		return -ENXIO;
	if (c.op >= s->caps.nr_ctrl_opcodes)
		return -EOPNOTSUPP;
	switch (c.op) {
	case ZCRX_CTRL_FLUSH_RQ:
		if (!zcrx_all_zero(&c.zc_flush, sizeof(c.zc_flush)))
			return -EINVAL;
		zcrx_sim_rx_flush_rq(q);
		return 0;
	case ZCRX_CTRL_EXPORT:
		if (!zcrx_all_zero(&c.zc_export, sizeof(c.zc_export)))
			return -EINVAL;
		/* sharing a zcrx with another ring is not modelled */
		return -EOPNOTSUPP;
	case ZCRX_CTRL_ARM_EVENT:
		return arm_event(s, q, &c.zc_arm_event);
	case ZCRX_CTRL_ADD_AREA:
		return add_area(s, q, &c.zc_area);
	}
	return -EOPNOTSUPP;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

static int sim_init(struct zcrx_ctx *ctx, const void *params)
{
	static const struct zcrx_sim_params defaults = { .gen = ZCRX_GEN_7_2 };
	const struct zcrx_sim_params *p = params ? params : &defaults;
	struct io_uring_params rp = { .flags = IORING_SETUP_CQSIZE, .cq_entries = SIM_PRING_CQ };
	struct sim *s;
	int ret;

	if ((unsigned int)p->gen > ZCRX_GEN_7_2 || p->copy_permille > 1000 ||
	    p->pkt_size > SIM_PKT_MAX || zcrx_resv_check(p->__resv, sizeof(p->__resv)) ||
	    p->__resv32 || (p->release && (p->release != ZCRX_SIM_LINUX_7_3 ||
					   p->gen != ZCRX_GEN_7_2)))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ctx = ctx;
	s->p = *p;
	s->page = sysconf(_SC_PAGESIZE);
	if (!s->p.rx_ring)
		s->p.rx_ring = SIM_RX_RING_DEFAULT;
	if (!s->p.pkt_size)
		s->p.pkt_size = SIM_PKT_SIZE_DEFAULT;
	if (s->p.stale_ns) {
		uint64_t now = mono_now();

		s->stale_until = s->p.stale_ns < UINT64_MAX - now ? now + s->p.stale_ns : UINT64_MAX;
	}
	sim_caps_release(&s->p, &s->caps);
	s->rq_tail_off = s->p.release ? SIM_RQ_TAIL_7_3 : 4;
	s->rq_rqes_off = s->p.release ? SIM_RQ_RQES_7_3 : SIM_RQ_RQES;

	/* the wake chain polls it; own_cqe() resets it without blocking */
	s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->efd < 0) {
		ret = -errno;
		free(s);
		return ret;
	}
	ret = io_uring_queue_init_params(SIM_PRING_SQ, &s->pring, &rp);
	if (!ret) {
		ret = io_uring_register_eventfd(&s->pring, s->efd);
		if (ret)
			io_uring_queue_exit(&s->pring);
	}
	if (ret) {
		close(s->efd);
		free(s);
		return ret;
	}
	ctx->backend = s;
	return 0;
}

static void sim_fini(struct zcrx_ctx *ctx)
{
	struct sim *s = ctx->backend;
	struct sim_ifq *q;

	if (!s)
		return;
	while ((q = s->ifqs)) {
		s->ifqs = q->next;
		zcrx_sim_rx_disarm(s, q);
		ifq_free(q);
	}
	/* the wake chain's MSG_RING must not outlive us (a cancelled link posts nothing) */
	zcrx_sim_rx_wake_stop(s);
	io_uring_queue_exit(&s->pring);
	close(s->efd);
	free(s->owed);
	free(s);
	ctx->backend = NULL;
}

const struct zcrx_backend_ops zcrx_sim_backend = {
	.name		= "sim",
	.init		= sim_init,
	.fini		= sim_fini,
	.probe		= sim_probe,
	.resolve_dev	= sim_resolve_dev,
	.queue_get	= sim_queue_get,
	.register_ifq	= sim_register_ifq,
	.ifq_ready	= zcrx_sim_rx_ifq_ready,
	.ctrl		= sim_ctrl,
	.unregister_ifq	= sim_unregister_ifq,
	.prep_recv	= zcrx_sim_rx_prep_recv,
	.own_cqe	= zcrx_sim_rx_own_cqe,
	.cqe_more	= zcrx_sim_rx_cqe_more,
	.data_more	= true,
};

/* ------------------------------------------------------------------ */
/* The simulator's public calls (zcrx_sim.h)                           */
/* ------------------------------------------------------------------ */

int zcrx_sim_ctx_create(struct zcrx_ctx **out, const struct zcrx_sim_params *p,
			const struct zcrx_ctx_opts *opts)
{
	return zcrx_ctx_new(out, &zcrx_sim_backend, p, NULL, opts);
}

int zcrx_sim_ctx_adopt(struct zcrx_ctx **out, struct io_uring *ring,
		       const struct zcrx_sim_params *p, const struct zcrx_ctx_opts *opts)
{
	if (!ring)
		return -EINVAL;
	return zcrx_ctx_new(out, &zcrx_sim_backend, p, ring, opts);
}

int zcrx_sim_step(struct zcrx_ifq *ifq, unsigned int n)
{
	struct zcrx_ctx *ctx = ifq->ctx;

	if (ctx->ops != &zcrx_sim_backend)
		return -EOPNOTSUPP;
	return zcrx_sim_rx_step(ctx, ifq->zcrx_id, n);
}

int zcrx_sim_counters(const struct zcrx_ifq *ifq, struct zcrx_sim_counters *c)
{
	struct zcrx_ctx *ctx = ifq->ctx;

	if (ctx->ops != &zcrx_sim_backend)
		return -EOPNOTSUPP;
	return zcrx_sim_rx_counters(ctx, ifq->zcrx_id, c);
}
