/* SPDX-License-Identifier: MIT */
/*
 * Conformance: the simulator against the kernel ABI, in tables of cases.
 * Every row runs on each simulated target it applies to (the NONE, MAY2026
 * and 7.2 generations with a device, and 7.2 with ZCRX_REG_NODEV) and on
 * this machine's kernel.  A registrable ifq comes per target: the
 * simulator takes any device, the kernel takes NODEV where it has it (7.1+)
 * and otherwise answers on lo only what it checks before the netdev.  Flows
 * feed the simulator through its own traffic or a loopback TCP connection,
 * and a kernel through the TCP connection.  A row that needs a NIC stays
 * simulator-only, with the reason; a row a target does not have is not run
 * there; a skip says what this kernel cannot show.
 *
 * This is the table runner and what the rows share; the rows are in
 * test_conformance.c (registration, control, this kernel only),
 * test_conformance_sim.c (the simulator's NIC queue) and
 * test_conformance_tcp.c (loopback TCP on every target, NODEV copies).
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <stdio.h>
#include <sys/utsname.h>

#include "flow.h"

#define AREA_PAGES	16		/* 16 page-sized buffers */
/* The simulated targets' ring where a row sets none: the library's default
 * (256 SQEs, 1024 CQEs), or SIM_SQ when a table defines it first.  The
 * registration and control rows of test_conformance.c hold a few CQEs at
 * most and take 32: with the simulator's own ring that charges 16 KiB of
 * locked memory, not 88 KiB (flow.h: Locked memory), so its several hundred
 * rings in teardown leave room in the user's budget for others.  The flows
 * of test_conformance_sim.c fill the CQ and keep the default; the kernel
 * always does. */
#ifndef SIM_SQ
#define SIM_SQ		0
#endif
#define SEED		7

#define NA		1		/* "row does not apply": never an errno */

enum target { T_NONE, T_MAY, T_72, T_72N, T_KERNEL, T_COUNT };

#define T_SIMS		T_KERNEL

static const char *const target_name[T_COUNT] = {
	"sim NONE", "sim MAY2026", "sim 7.2", "sim 7.2 NODEV", "kernel",
};

enum row_kind { ROW_REG, ROW_CTRL, ROW_FLOW };

/* How the kernel takes a row. */
enum kpol {
	K_AUTO = 0,	/* an ifq through NODEV where the kernel has it, else lo */
	K_DEV,		/* the device path: a bad ifindex (ENODEV) or lo (no DMA device) */
	K_SIM,		/* simulator-only: kwhy says why */
	K_SELF,		/* the flow drives the kernel itself */
};

enum ring_kind { RING_STD, RING_CLAMP, RING_NO_DEFER, RING_NO_CQE32 };

struct env;

struct row {
	const char		*name;
	enum row_kind		kind;
	void			(*set)(struct env *e);	/* mutate the good structs */
	bool			null_arg;		/* register NULL, not the structs */
	void			(*check)(struct env *e);	/* after a success */
	void			(*refused)(struct env *e);	/* after a refusal */
	void			(*flow)(struct env *e);
	int			exp[T_SIMS];		/* per simulated target */
	enum kpol		kpol;
	const char		*kwhy;
	bool			(*kwhen)(void);		/* the row applies to this kernel */
	bool			late;			/* answered at the area, after the netdev */
	bool			events;			/* needs the 7.2 events */
	unsigned int		since;			/* KV(): the kernel answers so from */
	const char		*before;		/* what kernels before it do instead */
	int			inject;			/* ENODEV: the kernel gets a bad ifindex */
	enum ring_kind		ring;
	bool			noifq;			/* ctrl rows that need no ifq */
	struct zcrx_sim_params	sim;			/* flows: rx_ring, step, rate, copy */
	uint32_t		sq_entries;
};

struct env {
	struct flow		f;
	const struct row	*row;
	enum target		t;
	enum zcrx_gen		gen;
	bool			nodev;			/* register with ZCRX_REG_NODEV */
	struct zcrx_ctrl	ctrl;
	int			export_fd;
};

struct ccase {
	const struct row	*row;
	enum target		t;
	struct env		*e;
};

static struct zcrx_caps kcaps;
static char kver[32];
static unsigned int kmaj, kmin;
static unsigned int lo_index;

static inline bool has_nodev(void)
{
	return kcaps.register_flags & ZCRX_REG_NODEV;
}

static inline bool no_nodev(void)
{
	return !has_nodev();
}

static inline bool has_ctrl(void)
{
	return kcaps.nr_register_opcodes > IORING_REGISTER_ZCRX_CTRL;
}

static inline bool no_ctrl(void)
{
	return !has_ctrl();
}

static inline bool nodev_and_ctrl(void)
{
	return has_nodev() && has_ctrl();
}

static inline void need_registration(void)
{
	if (kcaps.zcrx_reg_err != -EFAULT)
		skip_because("this kernel's zcrx registration cannot be reached (probe got %s)",
			     strerrorname_np(-kcaps.zcrx_reg_err) ?: "?");
}

static inline struct zcrx_ctx *C(struct env *e)
{
	return flow_ctx(&e->f);
}

static inline const struct zcrx_backend_ops *OPS(struct env *e)
{
	return C(e)->ops;
}

static inline bool is_kernel(const struct env *e)
{
	return e->t == T_KERNEL;
}

static inline const struct zcrx_caps *caps_of(struct env *e)
{
	return is_kernel(e) ? &kcaps : &C(e)->caps;
}

/* The refill ring layout each target writes back: 7.3 moved tail and rqes. */
static inline struct io_uring_zcrx_offsets layout(const struct env *e)
{
	if (is_kernel(e) && (kmaj > 7 || (kmaj == 7 && kmin >= 3)))
		return (struct io_uring_zcrx_offsets){ .head = 0, .tail = 64, .rqes = 128 };
	return (struct io_uring_zcrx_offsets){ .head = 0, .tail = 4, .rqes = 64 };
}

static inline uint64_t rqes_end(const struct env *e)
{
	return layout(e).rqes + 16 * RQ;
}

/* ------------------------------------------------------------------ */
/* Setting up a case                                                   */
/* ------------------------------------------------------------------ */

static inline void structs_init(struct env *e)
{
	flow_reg_init(&e->f, AREA_PAGES);
	memset(&e->ctrl, 0, sizeof(e->ctrl));
	if (e->nodev)
		e->f.reg.flags = ZCRX_REG_NODEV;
	else
		e->f.reg.if_idx = e->row->inject == ENODEV ? 0x7fffff00 : lo_index;
}

static inline int make_ctx(struct env *e)
{
	struct zcrx_sim_params sp = e->row->sim;
	struct zcrx_ctx_opts o = {
		.sq_entries = e->row->sq_entries ?: is_kernel(e) ? 0 : SIM_SQ,
	};
	unsigned int flags = ZCRX_SETUP_SINGLE_ISSUER | ZCRX_SETUP_DEFER_TASKRUN | ZCRX_SETUP_CQE32;
	int ret;

	sp.gen = e->gen;
	sp.seed = SEED;
	sp.inject_reg_err = e->row->inject;
	if (!sp.rx_ring)
		sp.rx_ring = 4;
	if (e->row->ring == RING_STD)
		return is_kernel(e) ? zcrx_ctx_create(&e->f.ctx, &o)
				    : zcrx_sim_ctx_create(&e->f.ctx, &sp, &o);

	if (e->row->ring == RING_CLAMP) {
		ret = flow_ring_init(&e->f, flags | ZCRX_SETUP_CLAMP);
		if (ret)
			return ret;
		return is_kernel(e) ? zcrx_ctx_adopt(&e->f.ctx, &e->f.ring, &o)
				    : zcrx_sim_ctx_adopt(&e->f.ctx, &e->f.ring, &sp, &o);
	}
	if (e->row->ring == RING_NO_DEFER)
		flags = 0;
	else
		flags &= ~ZCRX_SETUP_CQE32;
	/* zcrx_ctx_adopt() refuses such a ring, so build the ctx the seam sees by hand */
	return flow_bare_ctx(&e->f, flags, is_kernel(e), &sp);
}

/* About the locked memory a case holds at once (flow.h: Locked memory): its
 * ring, the simulator's private ring, or the kernel's refill region and area. */
static inline unsigned long case_kib(const struct env *e)
{
	unsigned int sq = e->row->sq_entries ?: is_kernel(e) ? FLOW_SQ_DEFAULT : SIM_SQ ?: FLOW_SQ_DEFAULT;
	unsigned long kib = e->row->ring == RING_STD ? ring_kib(sq, 4 * sq, true)
						     : ring_kib(8, 16, true);

	if (is_kernel(e))
		return kib + (1 + AREA_PAGES) * PAGE / 1024;
	return kib + ring_kib(64, 128, false);
}

static inline int case_setup(void **state)
{
	struct ccase *cc = *state;
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	e->row = cc->row;
	e->t = cc->t;
	if (cc->t == T_KERNEL)
		e->gen = kcaps.gen;
	else
		e->gen = cc->t == T_72N ? ZCRX_GEN_7_2 : (enum zcrx_gen)cc->t;
	e->nodev = cc->t == T_72N;
	e->export_fd = -1;
	if (flow_map(&e->f, 4 * AREA_PAGES))
		return -1;
	cc->e = e;
	return 0;
}

static inline int case_teardown(void **state)
{
	struct ccase *cc = *state;
	struct env *e = cc->e;

	if (!e)
		return 0;
	if (e->export_fd >= 0)
		close(e->export_fd);
	flow_close(&e->f);
	free(e);
	cc->e = NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Driving the seam like an application                                */
/* ------------------------------------------------------------------ */

static inline void reg_good(struct env *e, int mask, bool stats)
{
	flow_register(&e->f, mask, stats ? rqes_end(e) : 0);
}

static inline int count_ud(const struct rec *r, int n, uint64_t ud)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += r[i].ud == ud;
	return k;
}

static inline int count_data(const struct rec *r, int n, uint64_t ud)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += r[i].ud == ud && r[i].res > 0;
	return k;
}

/* The last CQE of ud: the one that ended its receive. */
static inline const struct rec *last_of(const struct rec *r, int n, uint64_t ud)
{
	for (int i = n - 1; i >= 0; i--)
		if (r[i].ud == ud)
			return &r[i];
	fail_msg("no CQE for user_data 0x%llx", (unsigned long long)ud);
	return NULL;
}

/* A data CQE as every target posts it; only a kernel can set IORING_CQE_F_MORE. */
static inline void assert_data_cqe(struct env *e, const struct rec *r, uint64_t ud)
{
	uint64_t at = r->off & ~IORING_ZCRX_AREA_MASK;

	assert_int_equal(r->ud, ud);
	assert_true(r->res > 0);
	assert_int_equal(r->flags, is_kernel(e) ? ZCRX_CQE_F_MORE : 0);
	assert_true(r->more);
	assert_true((r->off >> IORING_ZCRX_AREA_SHIFT) == 0);
	assert_int_equal(at % PAGE, 0);
	assert_true(at + r->res <= e->f.area.len);
}

/* An event CQE: res is the type index, flags 0, as io_uring/zcrx.c posts it */
static inline void assert_event(const struct rec *r, enum zcrx_event type)
{
	assert_int_equal(r->ud, EV_UD);
	assert_int_equal(r->res, type);
	assert_int_equal(r->flags, 0);
}

/* The CQE that ends a receive: flags 0 on every target, and no more to come. */
static inline void assert_end(const struct rec *r, uint64_t ud, int res)
{
	assert_int_equal(r->ud, ud);
	assert_int_equal(r->res, res);
	assert_int_equal(r->flags, 0);
	assert_false(r->more);
}

/* Each CQE's buffer back through the refill ring, as it came. */
static inline void give_back_all(struct env *e, const struct rec *r, int n)
{
	for (int i = 0; i < n; i++)
		give_back(&e->f, r[i].off, r[i].res, 0);
}

/* Copies the stats counted: fragments and bytes. */
static inline void assert_copies(struct env *e, uint64_t count, uint64_t bytes)
{
	assert_int_equal(stats_of(&e->f)->copy_count, count);
	assert_int_equal(stats_of(&e->f)->copy_bytes, bytes);
}

/* ------------------------------------------------------------------ */
/* A loopback TCP stream                                               */
/* ------------------------------------------------------------------ */

/* A data CQE of the stream: the next bytes, intact. */
static inline void rx(struct env *e, const struct rec *r, uint64_t ud)
{
	int k;

	assert_data_cqe(e, r, ud);
	k = stream_differs(&e->f, r->off, r->res);
	if (k >= 0)
		fail_msg("stream byte %llu differs", (unsigned long long)(e->f.rx + k));
	e->f.rx += r->res;
}

static inline void rx_all(struct env *e, const struct rec *r, int n, uint64_t ud)
{
	for (int i = 0; i < n; i++)
		if (r[i].ud == ud && r[i].res > 0)
			rx(e, &r[i], ud);
}

/* An ifq of area_pages buffers and a receive on a fresh loopback connection. */
static inline void tcp_recv(struct env *e, uint32_t area_pages, int mask, bool stats, uint32_t len)
{
	tcp_pair(&e->f.lfd, &e->f.cli, &e->f.srv);
	e->f.area.len = area_pages * PAGE;
	reg_good(e, mask, stats);
	recv_start(&e->f, e->f.srv, len, RECV_UD);
}

static inline uint32_t gen_mask(enum zcrx_gen g)
{
	return g == ZCRX_GEN_7_2 ? ZCRX_EV_MASK_ALL : ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

#define E(x)		(-(x))
/* per simulated generation; NODEV answers as 7.2 does with a device */
#define G(n, m, s)	{ n, m, s, s }
#define ALL(x)		G(E(x), E(x), E(x))
#define OK4		G(0, 0, 0)
/* with a device only, or with NODEV only */
#define DEV(x)		{ E(x), E(x), E(x), NA }
#define DEV72(x)	{ NA, NA, x, NA }
#define NODEV(x)	{ NA, NA, NA, x }
#define SIM(why)	.kpol = K_SIM, .kwhy = why
#define STEP		{ .step = true }
#define TCP		{ .rx_ring = 8 }
#define REG(n, s, ...)	{ .name = n, .kind = ROW_REG, .set = s, __VA_ARGS__ }
#define CTRL(n, s, ...)	{ .name = n, .kind = ROW_CTRL, .set = s, __VA_ARGS__ }
#define FLOW(n, f, ...)	{ .name = n, .kind = ROW_FLOW, .flow = f, __VA_ARGS__ }

/* ------------------------------------------------------------------ */
/* The runner                                                          */
/* ------------------------------------------------------------------ */

static inline bool nodev_only(const struct row *r)
{
	return r->exp[T_72] == NA && r->exp[T_72N] != NA;
}

/* The simulated target whose answer this kernel must give, and whether it uses NODEV. */
static inline enum target kernel_target(const struct row *r, bool *nodev)
{
	enum target g = kcaps.gen == ZCRX_GEN_7_2 ? T_72 : (enum target)kcaps.gen;

	*nodev = false;
	if (r->kpol == K_DEV || !has_nodev())
		return g;
	*nodev = true;
	/* events are decided before a device or NODEV matters */
	if (g == T_72 || nodev_only(r) || r->exp[g] == r->exp[T_72])
		return T_72N;
	return g;
}

/*
 * Why this kernel cannot be asked row r, or NULL: the row is about what this
 * kernel lacks (no ctrl op, no NODEV to reach past lo, no events, an older
 * answer than the row shows).  Such a row is not run on the kernel and not
 * counted, only named in a "# n/a" line; a skip is left for what stops this
 * machine from showing what the kernel would answer.
 */
static inline const char *kernel_na(const struct row *r)
{
	static char why[192];
	bool nodev;
	enum target t = kernel_target(r, &nodev);
	bool dev = nodev || r->kpol == K_DEV;
	int x = r->exp[t];

	if (r->kind == ROW_CTRL && !has_ctrl())
		return "no IORING_REGISTER_ZCRX_CTRL (op 36) before 6.19";
	if (!dev && (nodev_only(r) || r->kind == ROW_FLOW))
		return "no ZCRX_REG_NODEV (7.1+), and lo refuses zcrx before a receive can start";
	if (!dev && r->kind == ROW_CTRL && !r->noifq)
		return "no ZCRX_REG_NODEV (7.1+), and lo refuses zcrx before an ifq exists to control";
	if (x == NA || (r->events && kcaps.gen != ZCRX_GEN_7_2))
		return "no zcrx events before 7.2";
	if (!dev && (!x || r->late))
		return "no ZCRX_REG_NODEV (7.1+), and lo refuses zcrx before this is checked";
	if (KV(kmaj, kmin) < r->since) {
		snprintf(why, sizeof(why), "the row shows Linux %u.%u+; before it %s",
			 r->since / 100, r->since % 100, r->before);
		return why;
	}
	return NULL;
}

static inline bool applies(const struct row *r, enum target t)
{
	const char *na;

	if (t != T_KERNEL)
		return r->exp[t] != NA;
	if (r->kpol == K_SIM || (r->kwhen && !r->kwhen()))
		return false;
	if (r->kpol == K_SELF)
		return true;
	na = kernel_na(r);
	if (na)
		printf("# n/a - %s [kernel]: Linux %s: %s\n", r->name, kver, na);
	return !na;
}

/* Skip here if this machine cannot reach the kernel's registration, or
 * return what the kernel must answer; sets e->nodev. */
static inline int kernel_expected(struct env *e)
{
	const struct row *r = e->row;
	enum target t = kernel_target(r, &e->nodev);

	if (r->kind != ROW_CTRL || e->nodev || !r->noifq)
		need_registration();
	return r->exp[t];
}

static inline void run_reg(struct env *e, int want)
{
	const struct row *r = e->row;
	struct timespec t0 = { 0 };
	int ret;

	r->set(e);
	/* a hand-made ctx (a ring the engine refuses) goes straight to the seam */
	if (r->null_arg)
		ret = OPS(e)->register_ifq(C(e), NULL);
	else if (e->f.has_bare)
		ret = OPS(e)->register_ifq(C(e), &e->f.reg);
	else
		ret = zcrx_register_raw(e->f.ctx, &e->f.reg);
	/* the kernel charges the refill region and the area too */
	while (!r->null_arg && !e->f.has_bare && is_kernel(e) && want != -ENOMEM &&
	       memlock_again(ret, case_kib(e), &t0))
		ret = zcrx_register_raw(e->f.ctx, &e->f.reg);
	assert_int_equal(ret, want);
	if (!ret && r->check)
		r->check(e);
	if (ret && r->refused)
		r->refused(e);
}

static inline void run_ctrl(struct env *e, int want)
{
	if (!is_kernel(e) || e->nodev)
		reg_good(e, e->gen == ZCRX_GEN_NONE ? -1 : (int)gen_mask(e->gen), false);
	e->ctrl.zcrx_id = e->f.id;
	e->row->set(e);
	assert_int_equal(zcrx_ctrl_raw(C(e), &e->ctrl), want);
}

static inline void run_case(void **state)
{
	struct ccase *cc = *state;
	struct env *e = cc->e;
	const struct row *r = e->row;
	struct timespec t0 = { 0 };
	int want = 0, ret;

	if (!is_kernel(e))
		want = r->exp[e->t];
	else if (r->kpol == K_SELF)
		e->nodev = has_nodev();
	else
		want = kernel_expected(e);
	structs_init(e);
	while ((ret = make_ctx(e)) && memlock_again(ret, case_kib(e), &t0))
		flow_unring(&e->f);
	if (ret)
		fail_msg("setting up the %s ctx failed: %s", target_name[e->t], strerror(-ret));

	switch (r->kind) {
	case ROW_REG:
		run_reg(e, want);
		break;
	case ROW_CTRL:
		run_ctrl(e, want);
		break;
	case ROW_FLOW:
		r->flow(e);
		break;
	}
}

static inline void kernel_facts(void)
{
	struct utsname u;
	const char *vm = getenv("ZCRX_VM_KERNEL");

	zcrx_caps_probe(&kcaps);
	lo_index = if_nametoindex("lo");
	if (!uname(&u))
		sscanf(u.release, "%u.%u", &kmaj, &kmin);
	snprintf(kver, sizeof(kver), "%u.%u", kmaj, kmin);
	if (vm && *vm && strncmp(u.release, vm, strlen(vm)))
		fprintf(stderr, "# ZCRX_VM_KERNEL=%s but this kernel is %s\n", vm, u.release);
}

/* Run rows on every target each applies to, as the cmocka group named group. */
static inline int conformance_main(const char *group, const struct row *rows, size_t nrows)
{
	struct CMUnitTest *tests = calloc(nrows * T_COUNT, sizeof(*tests));
	struct ccase *cases = calloc(nrows * T_COUNT, sizeof(*cases));
	size_t n = 0;
	int ret;

	if (!tests || !cases)
		return 1;
	kernel_facts();
	for (size_t i = 0; i < nrows; i++) {
		for (int t = 0; t < T_COUNT; t++) {
			char *name;

			if (!applies(&rows[i], t))
				continue;
			if (asprintf(&name, "%s [%s]", rows[i].name, target_name[t]) < 0)
				return 1;
			cases[n] = (struct ccase){ .row = &rows[i], .t = t };
			tests[n] = (struct CMUnitTest){
				.name = name, .test_func = run_case, .setup_func = case_setup,
				.teardown_func = case_teardown, .initial_state = &cases[n],
			};
			n++;
		}
	}
	ret = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free((char *)tests[i].name);
	free(tests);
	free(cases);
	return ret;
}

#endif
