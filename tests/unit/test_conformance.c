// SPDX-License-Identifier: MIT
/*
 * Conformance: the simulator against the kernel ABI, one table of cases.
 * Every row runs against the simulator in each event generation it models
 * (NONE, MAY2026, 7.2), and against this machine's kernel when the kernel can
 * answer it here: checks that come before the netdev lookup answer on lo
 * (whose queue then refuses zcrx with EOPNOTSUPP), the rest need a
 * zcrx-capable NIC and skip with the reason.  Registration and control rows
 * craft the raw structs and go through zcrx_register_raw/zcrx_ctrl_raw;
 * behaviour rows (firing, latch, re-arm, CQE encoding, stats, the refill
 * ring, traffic) drive the seam directly, as an application's ring would.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <cmocka.h>

#include "zcrx.h"
#include "kabi.h"
#include "backend.h"
#include "internal.h"

#define PAGE		((uint64_t)sysconf(_SC_PAGESIZE))
#define AREA_PAGES	16		/* 16 page-sized buffers */
#define REGION_PAGES	132		/* room for a clamped 32768-entry ring */
#define RQ		64
#define RQES_END	(64 + 16 * RQ)	/* rqes at 64 on 7.2 x86-64 */
#define EV_UD		0x7a637278ffff0000ULL
#define RECV_UD		0x1234ULL
#define PKT		1448
#define SEED		7

#define NA		1		/* "row does not apply": never an errno */

enum target { T_NONE, T_MAY, T_72, T_KERNEL, T_COUNT };

static const char *const target_name[T_COUNT] = { "sim NONE", "sim MAY2026", "sim 7.2", "kernel" };

enum row_kind { ROW_REG, ROW_CTRL, ROW_FLOW };

/* How this machine's kernel takes a row. */
enum kmode {
	K_GEN = 0,	/* answers what the sim answers in the kernel's generation */
	K_NIC,		/* needs a zcrx-capable NIC queue */
	K_SIM,		/* simulator-only behaviour, kwhy says why */
	K_ERR,		/* answers kerr */
	K_ONLY,		/* kernel-only row: the flow does the work */
};

enum ring_kind { RING_STD, RING_CLAMP, RING_NO_DEFER, RING_NO_CQE32 };

struct env;

struct row {
	const char		*name;
	enum row_kind		kind;
	void			(*set)(struct env *e);	/* mutate the good structs */
	void			(*check)(struct env *e, int ret);
	void			(*flow)(struct env *e);
	int			exp[3];			/* per simulated generation */
	enum kmode		kmode;
	int			kerr;
	const char		*kwhy;
	int			inject;			/* ENODEV: the kernel gets a bad ifindex */
	enum ring_kind		ring;
	bool			noifq;			/* ctrl rows that need no ifq */
	struct zcrx_sim_params	sim;			/* flows: rx_ring, step, rate, copy */
	uint32_t		sq_entries;
};

struct env {
	const struct row	*row;
	enum target		t;
	enum zcrx_gen		gen;
	struct zcrx_ctx		*ctx;
	struct io_uring		ring;			/* a hand-made ring ... */
	struct zcrx_ctx		bare;			/* ... and a ctx around it */
	bool			has_ring, has_bare;
	struct io_uring_zcrx_ifq_reg	reg;
	struct io_uring_zcrx_area_reg	area;
	struct io_uring_region_desc	rd;
	struct zcrx_event_desc	ed;
	struct zcrx_ctrl	ctrl;
	uint8_t			*area_mem, *region_mem, *none;
	uint32_t		id;
	uint32_t		rq_tail;
	int			fds[4];
};

struct ccase {
	const struct row	*row;
	enum target		t;
	struct env		*e;
};

static struct zcrx_caps kcaps;
static char kver[32];
static unsigned int lo_index;

#define skip_because(...)					\
	do {							\
		print_message("# SKIP reason: " __VA_ARGS__);	\
		print_message("\n");				\
		skip();						\
	} while (0)

static struct zcrx_ctx *C(struct env *e)
{
	return e->has_bare ? &e->bare : e->ctx;
}

static const struct zcrx_backend_ops *OPS(struct env *e)
{
	return C(e)->ops;
}

/* ------------------------------------------------------------------ */
/* Setting up a case                                                   */
/* ------------------------------------------------------------------ */

static void structs_init(struct env *e)
{
	memset(&e->reg, 0, sizeof(e->reg));
	memset(&e->ed, 0, sizeof(e->ed));
	memset(&e->ctrl, 0, sizeof(e->ctrl));
	e->area = (struct io_uring_zcrx_area_reg){
		.addr = (uintptr_t)e->area_mem, .len = AREA_PAGES * PAGE,
	};
	e->rd = (struct io_uring_region_desc){
		.user_addr = (uintptr_t)e->region_mem, .size = PAGE,
		.flags = IORING_MEM_REGION_TYPE_USER,
	};
	e->reg.if_idx = e->row->inject == ENODEV ? 0x7fffff00 : lo_index;
	e->reg.rq_entries = RQ;
	e->reg.area_ptr = (uintptr_t)&e->area;
	e->reg.region_ptr = (uintptr_t)&e->rd;
}

static void with_events(struct env *e, uint32_t mask)
{
	e->ed.user_data = EV_UD;
	e->ed.type_mask = mask;
	e->reg.event_desc = (uintptr_t)&e->ed;
}

static void with_stats(struct env *e, uint64_t off)
{
	e->ed.flags = ZCRX_EVENT_DESC_FLAG_STATS;
	e->ed.stats_offset = off;
	e->reg.event_desc = (uintptr_t)&e->ed;
}

static struct zcrx_stats *stats_of(struct env *e)
{
	return (struct zcrx_stats *)(e->region_mem + e->ed.stats_offset);
}

static int make_ctx(struct env *e)
{
	struct zcrx_sim_params sp = e->row->sim;
	struct zcrx_ctx_opts o = { .sim = &sp, .sq_entries = e->row->sq_entries };
	unsigned int flags = ZCRX_SETUP_SINGLE_ISSUER | ZCRX_SETUP_DEFER_TASKRUN | ZCRX_SETUP_CQE32;
	int ret;

	sp.gen = e->gen;
	sp.seed = SEED;
	sp.inject_reg_err = e->row->inject;
	if (!sp.rx_ring)
		sp.rx_ring = 4;
	o.backend = e->t == T_KERNEL ? ZCRX_BACKEND_KERNEL : ZCRX_BACKEND_SIM;
	if (e->row->ring == RING_STD)
		return zcrx_ctx_create(&e->ctx, &o);

	if (e->row->ring == RING_CLAMP)
		flags |= ZCRX_SETUP_CLAMP;
	else if (e->row->ring == RING_NO_DEFER)
		flags = 0;
	else
		flags &= ~ZCRX_SETUP_CQE32;
	ret = io_uring_queue_init(8, &e->ring, flags);
	if (ret)
		return ret;
	e->has_ring = true;
	if (e->row->ring == RING_CLAMP)
		return zcrx_ctx_adopt(&e->ctx, &e->ring, &o);

	/* zcrx_ctx_adopt() refuses such a ring, so build the ctx the seam sees by hand */
	e->bare.ring = &e->ring;
	e->bare.ring_flags = flags;
	e->bare.ops = e->t == T_KERNEL ? &zcrx_kernel_backend : &zcrx_sim_backend;
	e->bare.sim = sp;
	if (e->bare.ops->init && (ret = e->bare.ops->init(&e->bare)))
		return ret;
	e->has_bare = true;
	return 0;
}

static int case_setup(void **state)
{
	struct ccase *cc = *state;
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	e->row = cc->row;
	e->t = cc->t;
	e->gen = cc->t == T_KERNEL ? kcaps.gen : (enum zcrx_gen)cc->t;
	for (int i = 0; i < 4; i++)
		e->fds[i] = -1;
	e->area_mem = mmap(NULL, AREA_PAGES * PAGE * 4, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	e->region_mem = mmap(NULL, REGION_PAGES * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	e->none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->area_mem == MAP_FAILED || e->region_mem == MAP_FAILED || e->none == MAP_FAILED)
		return -1;
	structs_init(e);
	cc->e = e;
	return 0;
}

static int case_teardown(void **state)
{
	struct ccase *cc = *state;
	struct env *e = cc->e;

	if (!e)
		return 0;
	/* the ifqs go first: they still point into the memory below */
	if (e->ctx)
		zcrx_ctx_destroy(e->ctx);
	if (e->has_bare && e->bare.ops->fini)
		e->bare.ops->fini(&e->bare);
	if (e->has_ring)
		io_uring_queue_exit(&e->ring);
	for (int i = 0; i < 4; i++)
		if (e->fds[i] >= 0)
			close(e->fds[i]);
	munmap(e->area_mem, AREA_PAGES * PAGE * 4);
	munmap(e->region_mem, REGION_PAGES * PAGE);
	munmap(e->none, PAGE);
	free(e);
	cc->e = NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Driving the seam like an application                                */
/* ------------------------------------------------------------------ */

struct rec {
	uint64_t	ud;
	int		res;
	uint32_t	flags;
	uint64_t	off;
	bool		more;
};

static void reg_good(struct env *e, int mask, bool stats)
{
	if (mask >= 0)
		with_events(e, mask);
	if (stats)
		with_stats(e, RQES_END);
	assert_int_equal(zcrx_register_raw(C(e), &e->reg), 0);
	e->id = e->reg.zcrx_id;
}

static struct io_uring *ring_of(struct env *e)
{
	return C(e)->ring;
}

/* Reap what is there: the backend's own CQEs go to it, the rest are recorded. */
static int reap(struct env *e, struct rec *out, int max)
{
	struct io_uring_cqe *cqe;
	int n = 0;

	io_uring_submit(ring_of(e));
	while (!io_uring_peek_cqe(ring_of(e), &cqe)) {
		if (!OPS(e)->own_cqe(C(e), cqe)) {
			assert_true(n < max);
			out[n++] = (struct rec){
				.ud = cqe->user_data, .res = cqe->res, .flags = cqe->flags,
				.off = cqe->big_cqe[0],
				.more = OPS(e)->cqe_more(C(e), e->id, cqe),
			};
		}
		io_uring_cqe_seen(ring_of(e), cqe);
	}
	return n;
}

/* Wait on the ring only, as an application does, until want CQEs or timeout. */
static int reap_wait(struct env *e, struct rec *out, int max, int want, int timeout_ms)
{
	struct __kernel_timespec ts = { .tv_nsec = 10 * 1000000 };
	struct io_uring_cqe *cqe;
	int n = 0;

	for (int waited = 0; n < want && waited < timeout_ms; waited += 10) {
		io_uring_submit_and_wait_timeout(ring_of(e), &cqe, 1, &ts, NULL);
		n += reap(e, out + n, max - n);
	}
	return n;
}

static void recv_start(struct env *e, int fd, uint32_t len, uint64_t ud)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring_of(e));
	struct rec r[4];

	assert_non_null(sqe);
	assert_int_equal(OPS(e)->prep_recv(C(e), e->id, sqe, fd, len, ud), 0);
	/* the START NOP is the backend's own */
	assert_int_equal(reap(e, r, 4), 0);
}

static int step(struct env *e, unsigned int n)
{
	return OPS(e)->sim_step(C(e), e->id, n);
}

static struct zcrx_sim_counters counters(struct env *e)
{
	struct zcrx_sim_counters c;

	assert_int_equal(OPS(e)->sim_counters(C(e), e->id, &c), 0);
	return c;
}

static uint32_t *rq_head(struct env *e)
{
	return (uint32_t *)(e->region_mem + e->reg.offsets.head);
}

static void give_back(struct env *e, uint64_t off, uint32_t len, uint32_t pad)
{
	struct io_uring_zcrx_rqe *rqes = (void *)(e->region_mem + e->reg.offsets.rqes);
	struct io_uring_zcrx_rqe *rqe = &rqes[e->rq_tail++ & (e->reg.rq_entries - 1)];

	rqe->off = off;
	rqe->len = len;
	rqe->__pad = pad;
	__atomic_store_n((uint32_t *)(e->region_mem + e->reg.offsets.tail), e->rq_tail,
			 __ATOMIC_RELEASE);
}

static int ctrl(struct env *e, uint32_t op, uint32_t arg)
{
	struct zcrx_ctrl c = { .zcrx_id = e->id, .op = op };

	c.zc_arm_event.event_type = arg;
	return zcrx_ctrl_raw(C(e), &c);
}

static int count_ud(const struct rec *r, int n, uint64_t ud)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += r[i].ud == ud;
	return k;
}

/* The documented synthetic stream: byte i = byte i % 8 of mix64(seed + i / 8). */
static uint8_t stream_byte(uint64_t i)
{
	uint64_t z = SEED + i / 8 + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) >> (i % 8 * 8);
}

static void assert_data(struct env *e, const struct rec *r, uint32_t len, uint64_t pos)
{
	uint64_t at = r->off & ~IORING_ZCRX_AREA_MASK;

	assert_int_equal(r->ud, RECV_UD);
	assert_int_equal(r->res, len);
	/* the kernel's data CQE has F_MORE; an injected one has flags 0 and the seam says "more" */
	assert_int_equal(r->flags, 0);
	assert_true(r->more);
	assert_true((r->off >> IORING_ZCRX_AREA_SHIFT) == 0);
	assert_int_equal(at % PAGE, 0);
	assert_true(at + len <= AREA_PAGES * PAGE);
	for (uint32_t i = 0; i < len; i++)
		if (e->area_mem[at + i] != stream_byte(pos + i))
			fail_msg("payload byte %llu differs", (unsigned long long)(pos + i));
}

/* ------------------------------------------------------------------ */
/* Registration rows                                                   */
/* ------------------------------------------------------------------ */

static void s_none(struct env *e) { (void)e; }
static void s_null_reg(struct env *e) { (void)e; }
static void s_resv(struct env *e) { e->reg.__resv[1] = 1; }
static void s_zcrx_id(struct env *e) { e->reg.zcrx_id = 1; }
static void s_flag_unknown(struct env *e) { e->reg.flags = 0x80; }
static void s_flag_import(struct env *e) { e->reg.flags = ZCRX_REG_IMPORT; }
static void s_region_null(struct env *e) { e->reg.region_ptr = 0; }
static void s_region_unreadable(struct env *e) { e->reg.region_ptr = (uintptr_t)e->none; }
static void s_rxq_all(struct env *e) { e->reg.if_rxq = ~0U; }
static void s_rq_zero(struct env *e) { e->reg.rq_entries = 0; }
static void s_rq_big(struct env *e) { e->reg.rq_entries = 32769; }
static void s_area_null(struct env *e) { e->reg.area_ptr = 0; }
static void s_rq0_area_null(struct env *e) { s_rq_zero(e); s_area_null(e); }
static void s_region_null_rq0(struct env *e) { s_region_null(e); s_rq_zero(e); }
static void s_area_null_region0(struct env *e) { s_area_null(e); e->rd.size = 0; }

static void s_rq_clamp(struct env *e)
{
	e->reg.rq_entries = 40000;
	e->rd.size = 129 * PAGE;
}

static void c_rq_clamp(struct env *e, int ret)
{
	if (!ret)
		assert_int_equal(e->reg.rq_entries, 32768);
}

static void s_rq_round(struct env *e) { e->reg.rq_entries = 100; }

static void c_rq_round(struct env *e, int ret)
{
	if (!ret)
		assert_int_equal(e->reg.rq_entries, 128);
}

static void c_good(struct env *e, int ret)
{
	if (ret)
		return;
	assert_int_equal(e->reg.offsets.head, 0);
	assert_int_equal(e->reg.offsets.tail, 4);
	assert_int_equal(e->reg.offsets.rqes, 64);
	assert_int_equal(e->reg.zcrx_id, 0);
	assert_int_equal(e->reg.rq_entries, RQ);
	assert_int_equal(e->reg.rx_buf_len, PAGE);
	assert_true(e->area.rq_area_token == 0);
	assert_true(e->rd.mmap_offset == 0);
}

/* the kernel writes back with copy_to_user at the very end: nothing on failure */
static void s_refused_rq100(struct env *e)
{
	e->reg.rq_entries = 100;
	e->rd.size = 64;
}

static void c_nothing_written(struct env *e, int ret)
{
	assert_int_not_equal(ret, 0);
	assert_int_equal(e->reg.rq_entries, 100);
	assert_int_equal(e->reg.zcrx_id, 0);
	assert_int_equal(e->reg.offsets.rqes, 0);
	assert_int_equal(e->reg.rx_buf_len, 0);
}

static void s_ev_alloc(struct env *e) { with_events(e, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL)); }
static void s_ev_both(struct env *e) { with_events(e, ZCRX_EV_MASK_ALL); }
static void s_ev_bit2(struct env *e) { with_events(e, 1U << 2); }
static void s_ev_empty(struct env *e) { with_events(e, 0); }
static void s_ev_unreadable(struct env *e) { e->reg.event_desc = (uintptr_t)e->none; }

static void s_ev_flag2(struct env *e)
{
	s_ev_alloc(e);
	e->ed.flags = 1U << 1;
}

static void s_ev_stats(struct env *e)
{
	s_ev_both(e);
	with_stats(e, RQES_END);
	memset(stats_of(e), 0xff, sizeof(struct zcrx_stats));
}

static void c_ev_stats(struct env *e, int ret)
{
	if (!ret)
		assert_true(stats_of(e)->copy_count == 0 && stats_of(e)->copy_bytes == 0);
}

static void s_ev_off_noflag(struct env *e)
{
	s_ev_alloc(e);
	e->ed.stats_offset = RQES_END;
}

static void s_ev_resv2(struct env *e)
{
	s_ev_alloc(e);
	e->ed.__resv2[8] = 1;
}

static void s_ev_stats_only(struct env *e) { with_stats(e, RQES_END); }
static void s_st_unaligned(struct env *e) { with_stats(e, RQES_END + 4); }
static void s_st_in_rqes(struct env *e) { with_stats(e, RQES_END - 8); }
static void s_st_past_end(struct env *e) { with_stats(e, PAGE - 8); }
static void s_st_overflow(struct env *e) { with_stats(e, ~7ULL); }

static void s_rd_size0(struct env *e) { e->rd.size = 0; }
static void s_rd_small(struct env *e) { e->reg.rq_entries = 512; }
static void s_rd_addr_unaligned(struct env *e) { e->rd.user_addr += 64; }
static void s_rd_size_unaligned(struct env *e) { e->rd.size = PAGE + 64; }
static void s_rd_mmap_off(struct env *e) { e->rd.mmap_offset = PAGE; }
static void s_rd_id(struct env *e) { e->rd.id = 1; }
static void s_rd_resv(struct env *e) { e->rd.__resv[3] = 1; }
static void s_rd_flag2(struct env *e) { e->rd.flags |= 2; }
static void s_rd_user_addr0(struct env *e) { e->rd.user_addr = 0; }
static void s_rd_flags0_addr(struct env *e) { e->rd.flags = 0; }
static void s_rd_unmapped(struct env *e) { e->rd.user_addr = (uintptr_t)e->none; }

static void s_rd_kernel(struct env *e)
{
	e->rd.flags = 0;
	e->rd.user_addr = 0;
}

static void s_rd_readonly(struct env *e)
{
	mprotect(e->region_mem, PAGE, PROT_READ);
}

static void s_nodev_after_region(struct env *e) { s_rd_small(e); }
static void s_nodma_before_area(struct env *e) { e->area.addr = 0; }
static void s_nodev_after_stats(struct env *e) { s_st_unaligned(e); }

static void s_buf0(struct env *e) { e->reg.rx_buf_len = 0; }
static void s_buf3p(struct env *e) { e->reg.rx_buf_len = 3 * PAGE; }
static void s_buf_half(struct env *e) { e->reg.rx_buf_len = PAGE / 2; }
static void s_buf2p(struct env *e) { e->reg.rx_buf_len = 2 * PAGE; }
static void s_buf_big(struct env *e) { e->reg.rx_buf_len = 2 * AREA_PAGES * PAGE; }

static void c_buf(struct env *e, int ret)
{
	if (!ret)
		assert_int_equal(e->reg.rx_buf_len, e->row->set == s_buf2p ? 2 * PAGE : PAGE);
}

static void s_ar_dmabuf(struct env *e) { e->area.flags = IORING_ZCRX_AREA_DMABUF; }
static void s_ar_flag4(struct env *e) { e->area.flags = 4; }
static void s_ar_token(struct env *e) { e->area.rq_area_token = 1ULL << IORING_ZCRX_AREA_SHIFT; }
static void s_ar_resv2(struct env *e) { e->area.__resv2[1] = 1; }
static void s_ar_addr_unaligned(struct env *e) { e->area.addr += 64; }
static void s_ar_len_unaligned(struct env *e) { e->area.len -= 64; }
static void s_ar_len0(struct env *e) { e->area.len = 0; }
static void s_ar_addr0(struct env *e) { e->area.addr = 0; }
static void s_ar_dmabuf_fd(struct env *e) { e->area.dmabuf_fd = 3; }
static void s_ar_unmapped(struct env *e) { e->area.addr = (uintptr_t)e->none; e->area.len = PAGE; }

/* ------------------------------------------------------------------ */
/* Control rows                                                        */
/* ------------------------------------------------------------------ */

static void k_resv(struct env *e) { e->ctrl.__resv[0] = 1; }
static void k_bad_id(struct env *e) { e->ctrl.zcrx_id = 99; }
static void k_resv_bad_id(struct env *e) { k_resv(e); k_bad_id(e); }
static void k_op3(struct env *e) { e->ctrl.op = 3; }
static void k_op_arm(struct env *e) { e->ctrl.op = ZCRX_CTRL_ARM_EVENT; }
static void k_bad_id_op99(struct env *e) { k_bad_id(e); e->ctrl.op = 99; }
static void k_flush(struct env *e) { e->ctrl.op = ZCRX_CTRL_FLUSH_RQ; }
static void k_flush_payload(struct env *e) { k_flush(e); e->ctrl.zc_flush.__resv[5] = 1; }
static void k_export(struct env *e) { e->ctrl.op = ZCRX_CTRL_EXPORT; }
static void k_export_payload(struct env *e) { k_export(e); e->ctrl.zc_export.zcrx_fd = 5; }
static void k_arm_type2(struct env *e) { k_op_arm(e); e->ctrl.zc_arm_event.event_type = 2; }
static void k_arm_copy(struct env *e) { k_op_arm(e); e->ctrl.zc_arm_event.event_type = 1; }
static void k_arm_resv(struct env *e) { k_op_arm(e); e->ctrl.zc_arm_event.__resv[10] = 1; }

/* ------------------------------------------------------------------ */
/* Behaviour rows                                                      */
/* ------------------------------------------------------------------ */

static uint32_t gen_mask(enum zcrx_gen g)
{
	return g == ZCRX_GEN_7_2 ? ZCRX_EV_MASK_ALL : ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
}

static void f_data_cqe(struct env *e)
{
	struct rec r[8];

	reg_good(e, -1, false);
	recv_start(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 3), 3);
	assert_int_equal(reap(e, r, 8), 3);
	for (int i = 0; i < 3; i++)
		assert_data(e, &r[i], PKT, (uint64_t)i * PKT);
	/* three different buffers: the first ones the RX ring was filled with */
	assert_true(r[0].off != r[1].off && r[1].off != r[2].off && r[0].off != r[2].off);
}

/* 16 buffers, a 4-entry RX ring: the 13th packet leaves the pool empty. */
static int exhaust(struct env *e, struct rec *r, int max)
{
	assert_int_equal(step(e, AREA_PAGES), AREA_PAGES);
	return reap(e, r, max);
}

static void f_alloc_fail_once(struct env *e)
{
	struct rec r[32];
	int n;

	reg_good(e, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), false);
	recv_start(e, -1, 0, RECV_UD);
	n = exhaust(e, r, 32);
	assert_int_equal(n, AREA_PAGES + 1);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
	for (int i = 0; i < n; i++) {
		if (r[i].ud != EV_UD)
			continue;
		/* res is the type index, flags 0, and it follows the 13th data CQE */
		assert_int_equal(r[i].res, ZCRX_EVENT_ALLOC_FAIL);
		assert_int_equal(r[i].flags, 0);
		assert_int_equal(i, 13);
	}
	assert_int_equal(counters(e).alloc_fail, 4);
	/* latched: more failures, no more CQEs */
	assert_int_equal(step(e, 3), 0);
	assert_int_equal(reap(e, r, 32), 0);
	assert_int_equal(counters(e).alloc_fail, 7);
	assert_int_equal(counters(e).rx_dropped, 3);
}

static void f_rearm(struct env *e)
{
	struct rec r[32];
	int n;

	reg_good(e, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), false);
	recv_start(e, -1, 0, RECV_UD);
	n = exhaust(e, r, 32);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
	assert_int_equal(ctrl(e, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), 0);
	assert_int_equal(ctrl(e, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), -EINVAL);
	for (int i = 0; i < 4; i++)
		give_back(e, r[i].off, r[i].res, 0);
	/* four come back, the fifth packet fails again: one more CQE */
	assert_int_equal(step(e, 5), 4);
	n = reap(e, r, 32);
	assert_int_equal(n, 5);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
}

static void f_no_target(struct env *e)
{
	struct rec r[32];
	int n;

	/* 7.2: COPY only; May: an empty descriptor; none: no descriptor */
	if (e->gen == ZCRX_GEN_7_2)
		reg_good(e, ZCRX_EV_MASK(ZCRX_EV_COPY), false);
	else
		reg_good(e, e->gen == ZCRX_GEN_MAY2026 ? 0 : -1, false);
	recv_start(e, -1, 0, RECV_UD);
	n = exhaust(e, r, 32);
	assert_int_equal(n, AREA_PAGES);
	assert_int_equal(count_ud(r, n, EV_UD), 0);
	assert_true(counters(e).alloc_fail > 0);
	assert_int_equal(ctrl(e, e->gen ? ZCRX_CTRL_ARM_EVENT : ZCRX_CTRL_FLUSH_RQ, 0),
			 e->gen ? -EINVAL : 0);
}

static void f_copy_event_stats(struct env *e)
{
	struct rec r[8];
	struct zcrx_sim_counters c;
	int n;

	reg_good(e, ZCRX_EV_MASK_ALL, true);
	recv_start(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 3), 3);
	n = reap(e, r, 8);
	assert_int_equal(n, 4);
	assert_int_equal(r[1].ud, EV_UD);
	assert_int_equal(r[1].res, ZCRX_EVENT_COPY);
	assert_int_equal(r[1].flags, 0);
	assert_data(e, &r[0], PKT, 0);
	assert_int_equal(stats_of(e)->copy_count, 3);
	assert_int_equal(stats_of(e)->copy_bytes, 3 * PKT);
	c = counters(e);
	assert_int_equal(c.copied, 3);
	/* copies come from the free list; the RX ring is untouched */
	assert_int_equal(c.rx_ring_fill, 4);
	assert_int_equal(c.free_bufs, AREA_PAGES - 4 - 3);
	/* a copied buffer returned through the refill ring goes back to the free list */
	give_back(e, r[0].off, PKT, 0);
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(counters(e).free_bufs, AREA_PAGES - 4 - 2);
}

static void f_stats_without_copy_event(struct env *e)
{
	struct rec r[8];

	reg_good(e, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), true);
	recv_start(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 2), 2);
	assert_int_equal(reap(e, r, 8), 2);
	assert_int_equal(count_ud(r, 2, EV_UD), 0);
	assert_int_equal(stats_of(e)->copy_count, 2);
	assert_int_equal(stats_of(e)->copy_bytes, 2 * PKT);
}

static void f_refill_first(struct env *e)
{
	struct rec r[8];
	uint32_t free_bufs;

	reg_good(e, -1, false);
	recv_start(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 2), 2);
	assert_int_equal(reap(e, r, 8), 2);
	free_bufs = counters(e).free_bufs;
	give_back(e, r[0].off, r[0].res, 0);
	assert_int_equal(*rq_head(e), 0);
	/* the refill after this packet takes the returned buffer, not the free list */
	assert_int_equal(step(e, 1), 1);
	assert_int_equal(__atomic_load_n(rq_head(e), __ATOMIC_ACQUIRE), 1);
	assert_int_equal(counters(e).free_bufs, free_bufs);
	assert_int_equal(reap(e, r + 2, 6), 1);
	/* the RX ring is FIFO: it comes round again after the three posted before it */
	assert_int_equal(step(e, 4), 4);
	assert_int_equal(reap(e, r + 3, 5), 4);
	assert_true(r[6].off == r[0].off);
}

static void f_rq_invalid(struct env *e)
{
	struct rec r[8];
	uint32_t free_bufs;

	reg_good(e, -1, false);
	recv_start(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 2), 2);
	assert_int_equal(reap(e, r, 8), 2);
	free_bufs = counters(e).free_bufs;
	give_back(e, r[0].off | (1ULL << IORING_ZCRX_AREA_SHIFT), PKT, 0);	/* area 1 */
	give_back(e, AREA_PAGES * PAGE, PKT, 0);				/* past the area */
	give_back(e, r[0].off + 8, PKT, 0);					/* not a buffer start */
	give_back(e, r[0].off, PKT, 1);						/* __pad set */
	give_back(e, r[1].off, PKT, 0);						/* good */
	give_back(e, r[1].off, PKT, 0);						/* double return */
	give_back(e, 2 * PAGE * AREA_PAGES, PKT, 0);				/* never delivered */
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(*rq_head(e), 7);
	assert_int_equal(counters(e).rq_invalid, 6);
	assert_int_equal(counters(e).free_bufs, free_bufs + 1);
}

static void f_flush(struct env *e)
{
	struct rec r[8];

	reg_good(e, -1, false);
	recv_start(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 3), 3);
	assert_int_equal(reap(e, r, 8), 3);
	for (int i = 0; i < 3; i++)
		give_back(e, r[i].off, r[i].res, 0);
	assert_int_equal(counters(e).free_bufs, AREA_PAGES - 4 - 3);
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(*rq_head(e), 3);
	assert_int_equal(counters(e).free_bufs, AREA_PAGES - 4);
	assert_int_equal(counters(e).rq_invalid, 0);
}

static void f_drops(struct env *e)
{
	struct rec r[32];

	reg_good(e, -1, false);
	recv_start(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, AREA_PAGES + 4), AREA_PAGES);
	assert_int_equal(reap(e, r, 32), AREA_PAGES);
	assert_int_equal(counters(e).rx_dropped, 4);
	assert_int_equal(counters(e).rx_packets, AREA_PAGES);
	assert_int_equal(counters(e).rx_bytes, AREA_PAGES * PKT);
}

static void f_copy_enomem(struct env *e)
{
	struct rec r[32];
	int n;

	reg_good(e, -1, false);
	recv_start(e, -1, 0, RECV_UD);
	/* 12 buffers on the free list, then the copy fallback finds none */
	assert_int_equal(step(e, 20), AREA_PAGES - 4);
	n = reap(e, r, 32);
	assert_int_equal(n, AREA_PAGES - 4 + 1);
	assert_int_equal(r[n - 1].ud, RECV_UD);
	assert_int_equal(r[n - 1].res, -ENOMEM);
	assert_false(r[n - 1].more);
	assert_int_equal(step(e, 1), 0);
}

static void f_len_cap(struct env *e)
{
	struct rec r[8];

	reg_good(e, -1, false);
	recv_start(e, -1, 2 * PKT + 104, RECV_UD);
	assert_int_equal(step(e, 10), 3);
	assert_int_equal(reap(e, r, 8), 4);
	assert_data(e, &r[2], 104, 2 * PKT);
	assert_int_equal(r[3].res, 0);
	assert_false(r[3].more);
	assert_int_equal(step(e, 1), 0);
}

static void f_cq_room(struct env *e)
{
	struct io_uring *ring;
	struct rec r[64];
	int a, b;

	/* more buffers than the CQ has room for: the CQ is the limit, not the pool */
	e->area.len = 4 * AREA_PAGES * PAGE;
	reg_good(e, -1, false);
	ring = ring_of(e);
	recv_start(e, -1, 0, RECV_UD);
	a = step(e, 1000);
	assert_true(a > 0 && a < 1000);
	assert_true(io_uring_cq_ready(ring) < ring->cq.ring_entries);
	assert_false(io_uring_cq_has_overflow(ring));
	assert_int_equal(reap(e, r, 64), a);
	for (int i = 0; i < a; i++)
		give_back(e, r[i].off, r[i].res, 0);
	/* the sender was blocked, not dropped: it goes on once the CQ drains */
	b = step(e, 1000);
	assert_int_equal(b, a);
	assert_int_equal(counters(e).rx_dropped, 0);
}

static void tcp_pair(struct env *e, int *srv, int *cli)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);

	e->fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	e->fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(e->fds[0] >= 0 && e->fds[1] >= 0);
	assert_int_equal(bind(e->fds[0], (void *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(e->fds[0], 1), 0);
	assert_int_equal(getsockname(e->fds[0], (void *)&sa, &sl), 0);
	assert_int_equal(connect(e->fds[1], (void *)&sa, sizeof(sa)), 0);
	e->fds[2] = accept4(e->fds[0], NULL, NULL, SOCK_CLOEXEC);
	assert_true(e->fds[2] >= 0);
	*srv = e->fds[2];
	*cli = e->fds[1];
}

static void f_tcp(struct env *e)
{
	static uint8_t sent[20000];
	struct rec r[64];
	uint32_t got = 0;
	int srv, cli, n;

	tcp_pair(e, &srv, &cli);
	for (size_t i = 0; i < sizeof(sent); i++)
		sent[i] = i * 31 + 5;
	reg_good(e, -1, false);
	recv_start(e, srv, 0, RECV_UD);
	assert_int_equal(write(cli, sent, sizeof(sent)), (ssize_t)sizeof(sent));
	while (got < sizeof(sent)) {
		n = reap_wait(e, r, 64, 1, 2000);
		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			assert_int_equal(r[i].ud, RECV_UD);
			assert_true(r[i].res > 0 && r[i].more);
			assert_memory_equal(e->area_mem + r[i].off, sent + got, r[i].res);
			got += r[i].res;
			give_back(e, r[i].off, r[i].res, 0);
		}
	}
	assert_int_equal(got, sizeof(sent));
	close(cli);
	e->fds[1] = -1;
	n = reap_wait(e, r, 64, 1, 2000);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].res, 0);
	assert_false(r[0].more);
}

/* 4 buffers for 14 chunks: the RX ring runs dry, TCP "retransmits", nothing is lost */
static void f_tcp_retransmit(struct env *e)
{
	static uint8_t sent[20000];
	struct timespec t0, t1;
	struct rec r[64];
	uint32_t got = 0;
	int srv, cli, n;

	tcp_pair(e, &srv, &cli);
	for (size_t i = 0; i < sizeof(sent); i++)
		sent[i] = i * 13 + 1;
	e->area.len = 4 * PAGE;
	reg_good(e, -1, false);
	recv_start(e, srv, 0, RECV_UD);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(write(cli, sent, sizeof(sent)), (ssize_t)sizeof(sent));
	while (got < sizeof(sent)) {
		n = reap_wait(e, r, 64, 1, 2000);
		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			assert_memory_equal(e->area_mem + r[i].off, sent + got, r[i].res);
			got += r[i].res;
			give_back(e, r[i].off, r[i].res, 0);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(counters(e).rx_dropped > 0);
	/* a few 10 ms retries, not a stall */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
}

static void f_rate(struct env *e)
{
	struct rec r[64];
	uint64_t t0, ms;
	struct timespec ts;
	int n = 0;

	reg_good(e, -1, false);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
	recv_start(e, -1, 0, RECV_UD);
	while (n < 20) {
		int k = reap_wait(e, r, 64, 1, 3000);

		assert_true(k > 0);
		for (int i = 0; i < k; i++)
			give_back(e, r[i].off, r[i].res, 0);
		n += k;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000 - t0;
	/* 1000 pps: 20 packets take about 20 ms, not nothing */
	assert_true(ms >= 10);
}

static void f_idle(struct env *e)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000 };
	struct rec r[16];

	reg_good(e, -1, false);
	/* rate 1000 but no receive: nothing is armed */
	assert_int_equal(io_uring_wait_cqe_timeout(ring_of(e), &cqe, &ts), -ETIME);
	/* a receive with a len cap: three packets, the end, then nothing again */
	recv_start(e, -1, 3 * PKT, RECV_UD);
	assert_int_equal(reap_wait(e, r, 16, 4, 3000), 4);
	assert_int_equal(r[3].res, 0);
	reap_wait(e, r, 16, 16, 30);
	assert_int_equal(io_uring_wait_cqe_timeout(ring_of(e), &cqe, &ts), -ETIME);
}

static void f_idle_rate0(struct env *e)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000 };

	reg_good(e, -1, false);
	recv_start(e, -1, 0, RECV_UD);
	assert_int_equal(io_uring_wait_cqe_timeout(ring_of(e), &cqe, &ts), -ETIME);
}

/* 70 chunks arrive at once; a 16-entry CQ takes a few at a time, with no poll wakeup left */
static void f_kick(struct env *e)
{
	static uint8_t sent[100000];
	struct rec r[64];
	uint32_t got = 0;
	int srv, cli, n;

	tcp_pair(e, &srv, &cli);
	memset(sent, 0x5a, sizeof(sent));
	e->area.len = 4 * AREA_PAGES * PAGE;
	reg_good(e, -1, false);
	recv_start(e, srv, 0, RECV_UD);
	assert_int_equal(write(cli, sent, sizeof(sent)), (ssize_t)sizeof(sent));
	while (got < sizeof(sent)) {
		n = reap_wait(e, r, 64, 1, 2000);
		assert_true(n > 0);
		assert_int_equal(*ring_of(e)->cq.koverflow, 0);
		for (int i = 0; i < n; i++) {
			assert_int_equal(r[i].ud, RECV_UD);
			got += r[i].res;
			give_back(e, r[i].off, r[i].res, 0);
		}
	}
}

static void f_ids(struct env *e)
{
	for (uint32_t id = 0; id < 3; id++) {
		e->reg.zcrx_id = 0;
		e->area.rq_area_token = 0;
		assert_int_equal(zcrx_register_raw(C(e), &e->reg), 0);
		assert_int_equal(e->reg.zcrx_id, id);
	}
	e->id = 1;
	OPS(e)->unregister_ifq(C(e), 1);
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), -ENXIO);
	e->id = 2;
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
}

static void f_bad_fds(struct env *e)
{
	int errs[3] = { -EPROTONOSUPPORT, -ENOTSOCK, -EBADF }, fds[3], p[2];
	struct rec r[8];

	e->fds[0] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(e->fds[0] >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	e->fds[1] = p[0];
	e->fds[2] = p[1];
	fds[0] = e->fds[0];
	fds[1] = p[0];
	fds[2] = 999;
	reg_good(e, -1, false);
	/* refused at issue: a final CQE with the kernel's errno under the receive's user_data */
	for (int i = 0; i < 3; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring_of(e));

		assert_int_equal(OPS(e)->prep_recv(C(e), e->id, sqe, fds[i], 0, RECV_UD + i), 0);
		assert_int_equal(reap(e, r, 8), 1);
		assert_int_equal(r[0].ud, RECV_UD + i);
		assert_int_equal(r[0].res, errs[i]);
		assert_false(r[0].more);
	}
}

/* what each generation's query answers: the simulator reports it; 6.18 is observed */
static void f_probe(struct env *e)
{
	struct zcrx_caps c;

	if (e->t == T_KERNEL) {
		if (strncmp(kver, "6.18", 4) || (kver[4] && kver[4] != '.' && kver[4] != '-'))
			skip_because("these answers were observed on Linux 6.18; this is %s", kver);
		assert_int_equal(kcaps.query_err, 0);
		assert_int_equal(kcaps.opcodes_err, 0);
		assert_int_equal(kcaps.nr_query_opcodes, 1);
		assert_int_equal(kcaps.nr_register_opcodes, 36);
		assert_int_equal(kcaps.zcrx_query_err, -EOPNOTSUPP);
		assert_int_equal(kcaps.event_query_err, -EOPNOTSUPP);
		assert_int_equal(kcaps.gen, ZCRX_GEN_NONE);
		assert_false(kcaps.simulated);
		return;
	}
	zcrx_sim_caps(e->gen, &c);
	assert_true(c.simulated);
	assert_int_equal(c.gen, e->gen);
	assert_int_equal(c.zcrx_query_err, 0);
	assert_int_equal(c.zcrx_reg_err, -EFAULT);
	assert_true(c.register_flags == 0 && c.area_flags == 0);
	assert_int_equal(c.rq_hdr_size, 8);
	assert_int_equal(c.rq_hdr_alignment, 64);
	assert_true(c.nr_request_opcodes > IORING_OP_RECV_ZC);
	assert_true(c.ring_setup_flags & ZCRX_SETUP_CQE_MIXED);
	switch (e->gen) {
	case ZCRX_GEN_NONE:
		assert_int_equal(c.features, ZCRX_FEATURE_RX_PAGE_SIZE);
		assert_int_equal(c.nr_ctrl_opcodes, 2);
		assert_int_equal(c.event_query_err, -EOPNOTSUPP);
		assert_int_equal(c.event_types, 0);
		break;
	case ZCRX_GEN_MAY2026:
		assert_int_equal(c.features, ZCRX_FEATURE_RX_PAGE_SIZE | ZCRX_FEATURE_EVENT);
		assert_int_equal(c.nr_ctrl_opcodes, 3);
		assert_int_equal(c.nr_query_opcodes, 3);
		assert_int_equal(c.event_query_err, -EOPNOTSUPP);
		assert_int_equal(c.event_types, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL));
		assert_false(c.stats);
		break;
	case ZCRX_GEN_7_2:
		assert_int_equal(c.features, ZCRX_FEATURE_RX_PAGE_SIZE | ZCRX_FEATURE_EVENT);
		assert_int_equal(c.nr_ctrl_opcodes, 3);
		assert_int_equal(c.nr_query_opcodes, 4);
		assert_int_equal(c.event_query_err, 0);
		assert_int_equal(c.event_flags, 0x3);
		assert_int_equal(c.stats_size, 16);
		assert_int_equal(c.stats_off_alignment, 8);
		assert_true(c.stats);
		break;
	}
	/* and the ctx reports the same */
	assert_true(zcrx_ctx_caps(e->ctx)->simulated);
	assert_int_equal(zcrx_ctx_caps(e->ctx)->gen, c.gen);
	assert_int_equal(zcrx_ctx_caps(e->ctx)->features, c.features);
	assert_int_equal(zcrx_ctx_caps(e->ctx)->event_types, c.event_types);
}

/* Run fn in a child and hand back its int; SKIP_CODE when the child could not try. */
#define SKIP_CODE	0x7fff

static int in_child(struct env *e, int (*fn)(struct env *e))
{
	int p[2], st, val = SKIP_CODE;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		val = fn(e);
		if (write(p[1], &val, sizeof(val)) != sizeof(val))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &val, sizeof(val)) != sizeof(val))
		val = SKIP_CODE;
	close(p[0]);
	waitpid(pid, &st, 0);
	return val;
}

static int register_on(struct env *e, unsigned int ifindex)
{
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(4, &ring, ZCRX_SETUP_SINGLE_ISSUER | ZCRX_SETUP_DEFER_TASKRUN |
				  ZCRX_SETUP_CQE32);
	if (ret)
		return SKIP_CODE;
	e->reg.if_idx = ifindex;
	ret = zcrx_sys_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, &e->reg, 1);
	io_uring_queue_exit(&ring);
	return ret;
}

static int child_no_net_admin(struct env *e)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return SKIP_CODE;
	data[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
	data[CAP_NET_ADMIN / 32].permitted &= ~(1U << (CAP_NET_ADMIN % 32));
	if (syscall(SYS_capset, &hdr, data))
		return SKIP_CODE;
	return register_on(e, lo_index);
}

static void f_eperm(struct env *e)
{
	int ret = in_child(e, child_no_net_admin);

	if (ret == SKIP_CODE)
		skip_because("could not drop CAP_NET_ADMIN in a child (capset refused)");
	assert_int_equal(ret, -EPERM);
}

static int child_veth(struct env *e)
{
	unsigned int idx;

	if (unshare(CLONE_NEWNET))
		return SKIP_CODE;
	if (system("ip link add zcrxt0 type veth peer name zcrxt1 >/dev/null 2>&1 &&"
		   " ip link set zcrxt0 up >/dev/null 2>&1"))
		return SKIP_CODE;
	idx = if_nametoindex("zcrxt0");
	return idx ? register_on(e, idx) : SKIP_CODE;
}

static void f_veth(struct env *e)
{
	int ret;

	if (!kcaps.cap_net_admin)
		skip_because("a throwaway netns and a veth pair need root");
	ret = in_child(e, child_veth);
	if (ret == SKIP_CODE)
		skip_because("could not make a veth pair in a throwaway netns (unshare or ip failed)");
	assert_int_equal(ret, -EOPNOTSUPP);
}

static void f_ctrl_absent(struct env *e)
{
	struct zcrx_ctrl c = { 0 };

	if (kcaps.nr_register_opcodes > IORING_REGISTER_ZCRX_CTRL)
		skip_because("this kernel has IORING_REGISTER_ZCRX_CTRL (%u register opcodes)",
			     kcaps.nr_register_opcodes);
	assert_int_equal(zcrx_ctrl_raw(e->ctx, &c), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

#define E(x)		(-(x))
#define ALL(x)		{ E(x), E(x), E(x) }
#define OK3		{ 0, 0, 0 }
#define STEP		{ .step = true }
#define NIC		.kmode = K_NIC
#define REG(n, s, ...)	{ .name = n, .kind = ROW_REG, .set = s, __VA_ARGS__ }
#define CTRL(n, s, ...)	{ .name = n, .kind = ROW_CTRL, .set = s, __VA_ARGS__ }
#define FLOW(n, f, ...)	{ .name = n, .kind = ROW_FLOW, .flow = f, __VA_ARGS__ }

static const struct row rows[] = {
	/* io_uring_register() and the ring */
	REG("a NULL registration argument is EINVAL", s_null_reg, .exp = ALL(EINVAL)),
	REG("a ring without DEFER_TASKRUN is EINVAL", s_none, .exp = ALL(EINVAL),
	    .ring = RING_NO_DEFER),
	REG("a ring with neither CQE32 nor CQE_MIXED is EINVAL", s_none, .exp = ALL(EINVAL),
	    .ring = RING_NO_CQE32),
	/* the ifq_reg itself */
	REG("reserved ifq_reg bytes set are EINVAL", s_resv, .exp = ALL(EINVAL)),
	REG("zcrx_id set on input is EINVAL", s_zcrx_id, .exp = ALL(EINVAL)),
	REG("an unknown registration flag is EINVAL", s_flag_unknown, .exp = ALL(EINVAL)),
	REG("ZCRX_REG_IMPORT with a full registration is EINVAL", s_flag_import, .exp = ALL(EINVAL)),
	REG("a NULL region_ptr is EFAULT", s_region_null, .exp = ALL(EFAULT)),
	REG("an unreadable region descriptor is EFAULT", s_region_unreadable, .exp = ALL(EFAULT)),
	REG("if_rxq ~0 is EINVAL", s_rxq_all, .exp = ALL(EINVAL)),
	REG("rq_entries 0 is EINVAL", s_rq_zero, .exp = ALL(EINVAL)),
	REG("rq_entries above 32768 without IORING_SETUP_CLAMP is EINVAL", s_rq_big,
	    .exp = ALL(EINVAL)),
	REG("IORING_SETUP_CLAMP clamps rq_entries 40000 to 32768", s_rq_clamp, .exp = OK3,
	    .check = c_rq_clamp, .ring = RING_CLAMP),
	REG("rq_entries 100 is rounded up to 128 and written back", s_rq_round, .exp = OK3,
	    .check = c_rq_round),
	REG("a NULL area_ptr is EFAULT", s_area_null, .exp = ALL(EFAULT)),
	REG("rq_entries is checked before the area is read", s_rq0_area_null, .exp = ALL(EINVAL)),
	REG("the region is read before rq_entries is checked", s_region_null_rq0,
	    .exp = ALL(EFAULT)),
	REG("the area is read before the region is checked", s_area_null_region0,
	    .exp = ALL(EFAULT)),
	REG("a good registration writes back offsets 0/4/64, zcrx_id 0 and area token 0",
	    s_none, .exp = OK3, .check = c_good),
	REG("a refused registration writes nothing back", s_refused_rq100, .exp = ALL(EINVAL),
	    .check = c_nothing_written),
	/* the event descriptor (§4.1, §2.11) */
	REG("an event descriptor is EINVAL where events are reserved", s_ev_alloc,
	    .exp = { E(EINVAL), 0, 0 }),
	REG("an empty event descriptor (type_mask 0) is accepted", s_ev_empty,
	    .exp = { E(EINVAL), 0, 0 }),
	REG("an unreadable event descriptor is EFAULT", s_ev_unreadable,
	    .exp = { E(EINVAL), E(EFAULT), E(EFAULT) }),
	REG("type_mask alloc-fail|copy: copy exists from 7.2", s_ev_both,
	    .exp = { NA, E(EINVAL), 0 }),
	REG("type_mask bit 2 is EINVAL", s_ev_bit2, .exp = { NA, E(EINVAL), E(EINVAL) }),
	REG("descriptor flags bit 1 is EINVAL", s_ev_flag2, .exp = { NA, E(EINVAL), E(EINVAL) }),
	REG("stats_offset without FLAG_STATS is EINVAL", s_ev_off_noflag,
	    .exp = { NA, E(EINVAL), E(EINVAL) }),
	REG("reserved descriptor bytes set are EINVAL", s_ev_resv2,
	    .exp = { NA, E(EINVAL), E(EINVAL) }),
	REG("FLAG_STATS with a good offset is accepted and zeroes the block", s_ev_stats,
	    .exp = { NA, E(EINVAL), 0 }, .check = c_ev_stats),
	REG("stats with type_mask 0 are accepted", s_ev_stats_only, .exp = { NA, E(EINVAL), 0 }),
	/* the refill region */
	REG("a region of size 0 is EINVAL", s_rd_size0, .exp = ALL(EINVAL)),
	REG("a region too small for the RQEs is EINVAL", s_rd_small, .exp = ALL(EINVAL)),
	REG("a region address off a page is EINVAL", s_rd_addr_unaligned, .exp = ALL(EINVAL)),
	REG("a region size off a page multiple is EINVAL", s_rd_size_unaligned,
	    .exp = ALL(EINVAL)),
	REG("a region mmap_offset set on input is EINVAL", s_rd_mmap_off, .exp = ALL(EINVAL)),
	REG("a region id set is EINVAL", s_rd_id, .exp = ALL(EINVAL)),
	REG("reserved region bytes set are EINVAL", s_rd_resv, .exp = ALL(EINVAL)),
	REG("an unknown region flag is EINVAL", s_rd_flag2, .exp = ALL(EINVAL)),
	REG("a user region at address 0 is EFAULT", s_rd_user_addr0, .exp = ALL(EFAULT)),
	REG("a user_addr without the USER flag is EFAULT", s_rd_flags0_addr, .exp = ALL(EFAULT)),
	REG("an unmapped region cannot be pinned: EFAULT", s_rd_unmapped, .exp = ALL(EFAULT)),
	REG("a read-only region cannot be pinned for writing: EFAULT", s_rd_readonly,
	    .exp = ALL(EFAULT)),
	REG("a kernel-allocated region: EINVAL in the simulator, which maps user regions only",
	    s_rd_kernel, .exp = ALL(EINVAL), .kmode = K_ERR, .kerr = E(EOPNOTSUPP)),
	/* the stats block, once the region exists (7.2) */
	REG("a stats_offset off 8 bytes is EINVAL", s_st_unaligned, .exp = { NA, NA, E(EINVAL) }),
	REG("a stats block inside the RQE array is ERANGE", s_st_in_rqes,
	    .exp = { NA, NA, E(ERANGE) }),
	REG("a stats block past the region is ERANGE", s_st_past_end, .exp = { NA, NA, E(ERANGE) }),
	REG("a stats_offset that overflows is ERANGE", s_st_overflow, .exp = { NA, NA, E(ERANGE) }),
	/* the netdev: lo stands for "no DMA device", a bad ifindex for "none" */
	REG("the netdev is looked up after the region checks", s_nodev_after_region,
	    .exp = ALL(EINVAL), .inject = ENODEV),
	REG("the netdev is looked up after the stats checks", s_nodev_after_stats,
	    .exp = { NA, NA, E(EINVAL) }, .inject = ENODEV),
	REG("a missing netdev is ENODEV", s_none, .exp = ALL(ENODEV), .inject = ENODEV),
	REG("a queue without a DMA device is EOPNOTSUPP before the area is looked at",
	    s_nodma_before_area, .exp = ALL(EOPNOTSUPP), .inject = EOPNOTSUPP),
	/* rx_buf_len and the area: after the netdev */
	REG("rx_buf_len 0 means the page size, written back", s_buf0, .exp = OK3, .check = c_buf,
	    NIC),
	REG("rx_buf_len of two pages is accepted and written back", s_buf2p, .exp = OK3,
	    .check = c_buf, NIC),
	REG("rx_buf_len not a power of two is EINVAL", s_buf3p, .exp = ALL(EINVAL), NIC),
	REG("rx_buf_len below the page size is EINVAL", s_buf_half, .exp = ALL(EINVAL), NIC),
	REG("an area smaller than one buffer is EINVAL", s_buf_big, .exp = ALL(EINVAL), NIC),
	REG("a dmabuf area is EINVAL: not modelled", s_ar_dmabuf, .exp = ALL(EINVAL), NIC),
	REG("an unknown area flag is EINVAL", s_ar_flag4, .exp = ALL(EINVAL), NIC),
	REG("rq_area_token set on input is EINVAL", s_ar_token, .exp = ALL(EINVAL), NIC),
	REG("reserved area bytes set are EINVAL", s_ar_resv2, .exp = ALL(EINVAL), NIC),
	REG("an area address off a page is EINVAL", s_ar_addr_unaligned, .exp = ALL(EINVAL), NIC),
	REG("an area length off a page multiple is EINVAL", s_ar_len_unaligned,
	    .exp = ALL(EINVAL), NIC),
	REG("an area of length 0 is EFAULT", s_ar_len0, .exp = ALL(EFAULT), NIC),
	REG("an area at address 0 is EFAULT", s_ar_addr0, .exp = ALL(EFAULT), NIC),
	REG("a dmabuf_fd with user memory is EINVAL", s_ar_dmabuf_fd, .exp = ALL(EINVAL), NIC),
	REG("an unmapped area cannot be pinned: EFAULT", s_ar_unmapped, .exp = ALL(EFAULT), NIC),

	/* IORING_REGISTER_ZCRX_CTRL (§5.2, §4.4) */
	CTRL("ctrl with reserved bytes set is EFAULT, not EINVAL", k_resv, .exp = ALL(EFAULT),
	     .noifq = true),
	CTRL("ctrl on an unknown zcrx_id is ENXIO", k_bad_id, .exp = ALL(ENXIO), .noifq = true),
	CTRL("ctrl reserved bytes are checked before the zcrx_id", k_resv_bad_id,
	     .exp = ALL(EFAULT), .noifq = true),
	CTRL("the zcrx_id is looked up before the op", k_bad_id_op99, .exp = ALL(ENXIO),
	     .noifq = true),
	CTRL("ctrl op 3 is EOPNOTSUPP", k_op3, .exp = ALL(EOPNOTSUPP)),
	CTRL("ARM_EVENT without events is an unknown op: EOPNOTSUPP", k_op_arm,
	     .exp = { E(EOPNOTSUPP), NA, NA }),
	CTRL("FLUSH_RQ on an empty refill ring is 0", k_flush, .exp = OK3),
	CTRL("FLUSH_RQ with a payload set is EINVAL", k_flush_payload, .exp = ALL(EINVAL)),
	CTRL("EXPORT with a payload set is EINVAL", k_export_payload, .exp = ALL(EINVAL)),
	CTRL("EXPORT is not modelled: EOPNOTSUPP", k_export, .exp = ALL(EOPNOTSUPP),
	     .kmode = K_SIM, .kwhy = "a kernel exports an fd; the simulator does not model EXPORT"),
	CTRL("ARM_EVENT of type 2 is EINVAL", k_arm_type2, .exp = { NA, E(EINVAL), E(EINVAL) }),
	CTRL("ARM_EVENT of COPY before any copy is EINVAL", k_arm_copy,
	     .exp = { NA, E(EINVAL), E(EINVAL) }),
	CTRL("ARM_EVENT with reserved bytes set is EINVAL", k_arm_resv,
	     .exp = { NA, E(EINVAL), E(EINVAL) }),
	CTRL("ARM_EVENT of a type that has not fired is EINVAL", k_op_arm,
	     .exp = { NA, E(EINVAL), E(EINVAL) }),

	/* behaviour */
	FLOW("a data CQE: res = length, the receive's user_data, area token | offset, seeded payload",
	     f_data_cqe, .exp = OK3, .sim = STEP),
	FLOW("ALLOC_FAIL fires once when the pool runs dry: res = index 0, flags 0",
	     f_alloc_fail_once, .exp = { NA, 0, 0 }, .sim = STEP),
	FLOW("ARM_EVENT re-arms: the next failure fires again, a second arm is EINVAL",
	     f_rearm, .exp = { NA, 0, 0 }, .sim = STEP),
	FLOW("a type outside type_mask, or no target, never posts", f_no_target, .exp = OK3,
	     .sim = STEP),
	FLOW("COPY fires once with res 1; stats count every copied fragment",
	     f_copy_event_stats, .exp = { NA, NA, 0 },
	     .sim = { .step = true, .copy_permille = 1000 }),
	FLOW("stats count copies with COPY not in type_mask", f_stats_without_copy_event,
	     .exp = { NA, NA, 0 }, .sim = { .step = true, .copy_permille = 1000 }),
	FLOW("the pool takes returned buffers from the refill ring first and publishes head",
	     f_refill_first, .exp = OK3, .sim = STEP),
	FLOW("bad RQEs (foreign area, range, alignment, padding, double return) are ignored",
	     f_rq_invalid, .exp = OK3, .sim = STEP),
	FLOW("FLUSH_RQ returns every published RQE to the free list", f_flush, .exp = OK3,
	     .sim = STEP),
	FLOW("packets that find the RX ring empty are dropped and counted", f_drops, .exp = OK3,
	     .sim = STEP),
	FLOW("a copy with no free buffer ends the receive with -ENOMEM", f_copy_enomem,
	     .exp = OK3, .sim = { .step = true, .copy_permille = 1000 }),
	FLOW("the len cap ends the receive with res 0 after exactly len bytes", f_len_cap,
	     .exp = OK3, .sim = STEP),
	FLOW("the CQ never overflows: the sender waits for room", f_cq_room, .exp = OK3,
	     .sim = { .step = true, .rx_ring = 64 }, .sq_entries = 8),
	FLOW("a blocked sender resumes as the application drains the CQ", f_kick, .exp = OK3,
	     .sim = { .rx_ring = 8 }, .sq_entries = 4),
	FLOW("a TCP socket's bytes land in the area intact; EOF ends with res 0", f_tcp,
	     .exp = OK3, .sim = { .rx_ring = 8 }),
	FLOW("a TCP segment that finds the RX ring empty is dropped and comes again", f_tcp_retransmit,
	     .exp = OK3, .sim = { .rx_ring = 4 }),
	FLOW("synthetic traffic at rate_pps arrives through the ring's own waits", f_rate,
	     .exp = OK3, .sim = { .rate_pps = 1000 }),
	FLOW("an idle queue arms nothing: no receive, or the receive has ended", f_idle,
	     .exp = OK3, .sim = { .rate_pps = 1000 }),
	FLOW("rate 0 arms nothing", f_idle_rate0, .exp = OK3),
	FLOW("zcrx_id counts 0, 1, 2 per ctx; an unregistered id is ENXIO", f_ids, .exp = OK3,
	     .sim = STEP),
	FLOW("a receive on a non-TCP or bad fd ends at issue with the kernel's errno", f_bad_fds,
	     .exp = OK3, .sim = STEP),
	FLOW("the query answers for the generation", f_probe, .exp = OK3, .kmode = K_ONLY),

	/* this machine's kernel only */
	FLOW("without CAP_NET_ADMIN registration is EPERM", f_eperm, .exp = { NA, NA, NA },
	     .kmode = K_ONLY,
	     .kwhy = "the simulator does not model CAP_NET_ADMIN: it is meant to run unprivileged"),
	FLOW("a veth queue in a throwaway netns refuses zcrx with EOPNOTSUPP", f_veth,
	     .exp = { NA, NA, NA }, .kmode = K_ONLY,
	     .kwhy = "the simulator has no netdevs: inject_reg_err answers for them"),
	FLOW("IORING_REGISTER_ZCRX_CTRL absent (Linux 6.18) is EINVAL", f_ctrl_absent,
	     .exp = { NA, NA, NA }, .kmode = K_ONLY,
	     .kwhy = "every simulated generation has IORING_REGISTER_ZCRX_CTRL"),
};

/* ------------------------------------------------------------------ */
/* The runner                                                          */
/* ------------------------------------------------------------------ */

static const char *needs(const struct row *r)
{
	if (r->exp[ZCRX_GEN_MAY2026] != NA)
		return "zcrx events (the May 2026 patch or 7.2)";
	if (r->exp[ZCRX_GEN_7_2] != NA)
		return "7.2";
	return "a kernel";
}

/* Skip here or return what this target must answer. */
static int expected(struct env *e)
{
	const struct row *r = e->row;
	int x;

	if (e->t != T_KERNEL) {
		if (r->exp[e->gen] == NA)
			skip_because("the %s generation lacks this: row needs %s",
				     target_name[e->t], needs(r));
		return r->exp[e->gen];
	}
	if (r->kmode == K_SIM)
		skip_because("%s", r->kwhy);
	if (r->kind == ROW_REG && kcaps.zcrx_reg_err != -EFAULT)
		skip_because("this kernel's zcrx registration cannot be reached (probe got %s)",
			     strerrorname_np(-kcaps.zcrx_reg_err) ?: "?");
	if (r->kind == ROW_CTRL && kcaps.nr_register_opcodes <= IORING_REGISTER_ZCRX_CTRL)
		skip_because("Linux %s has no IORING_REGISTER_ZCRX_CTRL (op 36): row needs 6.19+",
			     kver);
	if (r->kmode == K_NIC || (r->kind == ROW_CTRL && !r->noifq))
		skip_because("needs a zcrx-capable NIC queue; this machine's (lo, veth, virtio_net)"
			     " refuse zcrx with EOPNOTSUPP before this point");
	if (r->kmode == K_ERR)
		return r->kerr;
	x = r->exp[e->gen];
	if (x == NA)
		skip_because("Linux %s has no zcrx events; row needs %s", kver, needs(r));
	if (x)
		return x;
	print_message("# the kernel passes every check this row makes, then lo (no DMA device)"
		      " refuses zcrx with EOPNOTSUPP\n");
	return -EOPNOTSUPP;
}

static void run_case(void **state)
{
	struct ccase *cc = *state;
	struct env *e = cc->e;
	const struct row *r = e->row;
	int want = 0, ret;

	if (r->kind == ROW_FLOW) {
		if (e->t == T_KERNEL && r->kmode != K_ONLY)
			skip_because("needs a zcrx-capable NIC queue to receive on; lo, veth and"
				     " virtio_net refuse zcrx here");
		if (e->t != T_KERNEL && r->exp[e->gen] == NA && r->kwhy)
			skip_because("%s", r->kwhy);
		if (e->t != T_KERNEL && r->exp[e->gen] == NA)
			skip_because("the %s generation lacks this: row needs %s",
				     target_name[e->t], needs(r));
	} else {
		want = expected(e);
	}
	ret = make_ctx(e);
	if (ret)
		fail_msg("setting up the %s ctx failed: %s", target_name[e->t], strerror(-ret));

	switch (r->kind) {
	case ROW_REG:
		r->set(e);
		/* a hand-made ctx (a ring the engine refuses) goes straight to the seam */
		if (r->set == s_null_reg)
			ret = OPS(e)->register_ifq(C(e), NULL);
		else if (e->has_bare)
			ret = OPS(e)->register_ifq(C(e), &e->reg);
		else
			ret = zcrx_register_raw(e->ctx, &e->reg);
		assert_int_equal(ret, want);
		if (r->check)
			r->check(e, ret);
		break;
	case ROW_CTRL:
		if (e->t != T_KERNEL)
			reg_good(e, e->gen == ZCRX_GEN_NONE ? -1 : (int)gen_mask(e->gen), false);
		e->ctrl.zcrx_id = e->id;
		r->set(e);
		assert_int_equal(zcrx_ctrl_raw(C(e), &e->ctrl), want);
		break;
	case ROW_FLOW:
		r->flow(e);
		break;
	}
}

static void kernel_facts(void)
{
	struct utsname u;
	unsigned int maj = 0, min = 0;

	zcrx_caps_probe(&kcaps);
	lo_index = if_nametoindex("lo");
	if (!uname(&u))
		sscanf(u.release, "%u.%u", &maj, &min);
	snprintf(kver, sizeof(kver), "%u.%u", maj, min);
}

int main(void)
{
	size_t n = sizeof(rows) / sizeof(rows[0]) * T_COUNT, k = 0;
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	struct ccase *cases = calloc(n, sizeof(*cases));
	int ret;

	if (!tests || !cases)
		return 1;
	kernel_facts();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (int t = 0; t < T_COUNT; t++, k++) {
			char *name;

			if (asprintf(&name, "%s [%s]", rows[i].name, target_name[t]) < 0)
				return 1;
			cases[k] = (struct ccase){ .row = &rows[i], .t = t };
			tests[k] = (struct CMUnitTest){
				.name = name, .test_func = run_case, .setup_func = case_setup,
				.teardown_func = case_teardown, .initial_state = &cases[k],
			};
		}
	}
	ret = _cmocka_run_group_tests("conformance", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free((char *)tests[i].name);
	free(tests);
	free(cases);
	return ret;
}
