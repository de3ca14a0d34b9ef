// SPDX-License-Identifier: MIT
/*
 * Conformance: the simulator against the kernel ABI, one table of cases.
 * Every row runs on each simulated target it applies to (the NONE, MAY2026
 * and 7.2 generations with a device, and 7.2 with ZCRX_REG_NODEV) and on
 * this machine's kernel.  A registrable ifq comes per target: the
 * simulator takes any device, the kernel takes NODEV where it has it (7.1+)
 * and otherwise answers on lo only what it checks before the netdev.  Flows
 * feed the simulator through its own traffic or a loopback TCP connection,
 * and a kernel through the TCP connection.  A row that needs a NIC stays
 * simulator-only, with the reason; a row a target does not have is not run
 * there; a skip says what this kernel cannot show.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "engine_fixture.h"

#define AREA_PAGES	16		/* 16 page-sized buffers */
#define REGION_PAGES	132		/* room for a clamped 32768-entry ring */
#define RQ		64
#define EV_UD		0x7a637278ffff0000ULL
#define RECV_UD		0x1234ULL
#define RECV_UD2	0x1235ULL
#define PKT		1448
#define SEED		7
#define MAX_REC		64

#define NA		1		/* "row does not apply": never an errno */
#define KV(maj, min)	((maj) * 100 + (min))

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
	const struct row	*row;
	enum target		t;
	enum zcrx_gen		gen;
	bool			nodev;			/* register with ZCRX_REG_NODEV */
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
	uint64_t		tx, rx;			/* TCP stream bytes sent, checked */
	int			fds[4];
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
static int slow = 1;			/* timeouts scale: 20 under TCG in a VM */

static bool has_nodev(void)
{
	return kcaps.register_flags & ZCRX_REG_NODEV;
}

static bool no_nodev(void)
{
	return !has_nodev();
}

static bool has_ctrl(void)
{
	return kcaps.nr_register_opcodes > IORING_REGISTER_ZCRX_CTRL;
}

static bool no_ctrl(void)
{
	return !has_ctrl();
}

static bool nodev_and_ctrl(void)
{
	return has_nodev() && has_ctrl();
}

static int tmo(int ms)
{
	return ms * slow;
}

static void need_registration(void)
{
	if (kcaps.zcrx_reg_err != -EFAULT)
		skip_because("this kernel's zcrx registration cannot be reached (probe got %s)",
			     strerrorname_np(-kcaps.zcrx_reg_err) ?: "?");
}

static struct zcrx_ctx *C(struct env *e)
{
	return e->has_bare ? &e->bare : e->ctx;
}

static const struct zcrx_backend_ops *OPS(struct env *e)
{
	return C(e)->ops;
}

static bool is_kernel(const struct env *e)
{
	return e->t == T_KERNEL;
}

static const struct zcrx_caps *caps_of(struct env *e)
{
	return is_kernel(e) ? &kcaps : &C(e)->caps;
}

/* The refill ring layout each target writes back: 7.3 moved tail and rqes (§12.3). */
static struct io_uring_zcrx_offsets layout(const struct env *e)
{
	if (is_kernel(e) && (kmaj > 7 || (kmaj == 7 && kmin >= 3)))
		return (struct io_uring_zcrx_offsets){ .head = 0, .tail = 64, .rqes = 128 };
	return (struct io_uring_zcrx_offsets){ .head = 0, .tail = 4, .rqes = 64 };
}

static uint64_t rqes_end(const struct env *e)
{
	return layout(e).rqes + 16 * RQ;
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
	if (e->nodev)
		e->reg.flags = ZCRX_REG_NODEV;
	else
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
	o.backend = is_kernel(e) ? ZCRX_BACKEND_KERNEL : ZCRX_BACKEND_SIM;
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
	e->bare.ops = is_kernel(e) ? &zcrx_kernel_backend : &zcrx_sim_backend;
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
	if (cc->t == T_KERNEL)
		e->gen = kcaps.gen;
	else
		e->gen = cc->t == T_72N ? ZCRX_GEN_7_2 : (enum zcrx_gen)cc->t;
	e->nodev = cc->t == T_72N;
	for (int i = 0; i < 4; i++)
		e->fds[i] = -1;
	e->area_mem = mmap(NULL, AREA_PAGES * PAGE * 4, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	e->region_mem = mmap(NULL, REGION_PAGES * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	e->none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->area_mem == MAP_FAILED || e->region_mem == MAP_FAILED || e->none == MAP_FAILED)
		return -1;
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
		with_stats(e, rqes_end(e));
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
		if (!OPS(e)->own_cqe || !OPS(e)->own_cqe(C(e), cqe)) {
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

/* Reap until bytes of ud's data came or its receive ended, then what else is due. */
static int reap_data(struct env *e, struct rec *r, int max, uint64_t ud, uint32_t bytes)
{
	uint32_t got = 0;
	bool ended = false;
	int n = 0, k;

	for (int waited = 0; got < bytes && !ended && waited < tmo(2000); waited += 10) {
		k = reap_wait(e, r + n, max - n, 1, 10);
		for (int i = n; i < n + k; i++) {
			if (r[i].ud != ud)
				continue;
			got += r[i].res > 0 ? r[i].res : 0;
			ended |= !r[i].more;
		}
		n += k;
	}
	return n + reap_wait(e, r + n, max - n, max - n, tmo(20));
}

static void recv_start(struct env *e, int fd, uint32_t len, uint64_t ud)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring_of(e));

	assert_non_null(sqe);
	assert_int_equal(OPS(e)->prep_recv(C(e), e->id, sqe, fd, len, ud), 0);
	io_uring_submit(ring_of(e));
}

/* A receive with nothing to take yet: the simulator's START NOP is all that completes. */
static void recv_start_idle(struct env *e, int fd, uint32_t len, uint64_t ud)
{
	struct rec r[4];

	recv_start(e, fd, len, ud);
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

static uint32_t rq_head(struct env *e)
{
	return __atomic_load_n((uint32_t *)(e->region_mem + e->reg.offsets.head),
			       __ATOMIC_ACQUIRE);
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

static int count_data(const struct rec *r, int n, uint64_t ud)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += r[i].ud == ud && r[i].res > 0;
	return k;
}

/* The last CQE of ud: the one that ended its receive. */
static const struct rec *last_of(const struct rec *r, int n, uint64_t ud)
{
	for (int i = n - 1; i >= 0; i--)
		if (r[i].ud == ud)
			return &r[i];
	fail_msg("no CQE for user_data 0x%llx", (unsigned long long)ud);
	return NULL;
}

/* The documented synthetic stream: byte i = byte i % 8 of mix64(seed + i / 8). */
static uint8_t stream_byte(uint64_t i)
{
	uint64_t z = SEED + i / 8 + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) >> (i % 8 * 8);
}

/* A data CQE as every target posts it; only a kernel can set IORING_CQE_F_MORE. */
static void assert_data_cqe(struct env *e, const struct rec *r, uint64_t ud)
{
	uint64_t at = r->off & ~IORING_ZCRX_AREA_MASK;

	assert_int_equal(r->ud, ud);
	assert_true(r->res > 0);
	assert_int_equal(r->flags, is_kernel(e) ? ZCRX_CQE_F_MORE : 0);
	assert_true(r->more);
	assert_true((r->off >> IORING_ZCRX_AREA_SHIFT) == 0);
	assert_int_equal(at % PAGE, 0);
	assert_true(at + r->res <= e->area.len);
}

static void assert_data(struct env *e, const struct rec *r, uint32_t len, uint64_t pos)
{
	uint64_t at = r->off & ~IORING_ZCRX_AREA_MASK;

	assert_data_cqe(e, r, RECV_UD);
	assert_int_equal(r->res, len);
	for (uint32_t i = 0; i < len; i++)
		if (e->area_mem[at + i] != stream_byte(pos + i))
			fail_msg("payload byte %llu differs", (unsigned long long)(pos + i));
}

/* An event CQE: res is the type index, flags 0 (§4.3) */
static void assert_event(const struct rec *r, enum zcrx_event type)
{
	assert_int_equal(r->ud, EV_UD);
	assert_int_equal(r->res, type);
	assert_int_equal(r->flags, 0);
}

/* The CQE that ends a receive: flags 0 on every target, and no more to come. */
static void assert_end(const struct rec *r, uint64_t ud, int res)
{
	assert_int_equal(r->ud, ud);
	assert_int_equal(r->res, res);
	assert_int_equal(r->flags, 0);
	assert_false(r->more);
}

/* ------------------------------------------------------------------ */
/* A loopback TCP stream                                               */
/* ------------------------------------------------------------------ */

static uint8_t tcp_byte(uint64_t i)
{
	return (i ^ (i >> 8) ^ (i >> 16)) * 31 + 5;
}

static void tcp_pair(struct env *e, int *srv, int *cli)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
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

/* The next len bytes of the stream, in one write. */
static void tx(struct env *e, uint32_t len)
{
	static uint8_t buf[65536];

	assert_true(len <= sizeof(buf));
	for (uint32_t i = 0; i < len; i++)
		buf[i] = tcp_byte(e->tx + i);
	assert_int_equal(write(e->fds[1], buf, len), (ssize_t)len);
	e->tx += len;
}

/* A data CQE of the stream: the next bytes, intact. */
static void rx(struct env *e, const struct rec *r, uint64_t ud)
{
	const uint8_t *at = e->area_mem + (r->off & ~IORING_ZCRX_AREA_MASK);

	assert_data_cqe(e, r, ud);
	for (int i = 0; i < r->res; i++)
		if (at[i] != tcp_byte(e->rx + i))
			fail_msg("stream byte %llu differs", (unsigned long long)(e->rx + i));
	e->rx += r->res;
}

static void rx_all(struct env *e, const struct rec *r, int n, uint64_t ud)
{
	for (int i = 0; i < n; i++)
		if (r[i].ud == ud && r[i].res > 0)
			rx(e, &r[i], ud);
}

/* An ifq of area_pages buffers and a receive on a fresh loopback connection. */
static void tcp_recv(struct env *e, uint32_t area_pages, int mask, bool stats, uint32_t len)
{
	int srv, cli;

	tcp_pair(e, &srv, &cli);
	e->area.len = area_pages * PAGE;
	reg_good(e, mask, stats);
	recv_start(e, srv, len, RECV_UD);
}

/* 4 buffers, 6 pages sent: 4 full pages come, then the receive starves with -ENOMEM. */
static int starve(struct env *e, struct rec *r, int max)
{
	int n;

	tcp_recv(e, 4, -1, false, 0);
	tx(e, 6 * PAGE);
	n = reap_data(e, r, max, RECV_UD, 6 * PAGE);
	assert_int_equal(count_data(r, n, RECV_UD), 4);
	rx_all(e, r, n, RECV_UD);
	assert_end(last_of(r, n, RECV_UD), RECV_UD, -ENOMEM);
	return n;
}

/* ------------------------------------------------------------------ */
/* Registration rows                                                   */
/* ------------------------------------------------------------------ */

static void s_none(struct env *e) { (void)e; }
static void s_null_reg(struct env *e) { (void)e; }
static void s_resv(struct env *e) { e->reg.__resv[1] = 1; }
static void s_zcrx_id(struct env *e) { e->reg.zcrx_id = 1; }
static void s_flag_unknown(struct env *e) { e->reg.flags |= 0x80; }
static void s_flag_import(struct env *e) { e->reg.flags |= ZCRX_REG_IMPORT; }
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

static void c_rq_clamp(struct env *e) { assert_int_equal(e->reg.rq_entries, 32768); }
static void s_rq_round(struct env *e) { e->reg.rq_entries = 100; }
static void c_rq_round(struct env *e) { assert_int_equal(e->reg.rq_entries, 128); }

static void c_good(struct env *e)
{
	struct io_uring_zcrx_offsets o = layout(e);

	assert_int_equal(e->reg.offsets.head, o.head);
	assert_int_equal(e->reg.offsets.tail, o.tail);
	assert_int_equal(e->reg.offsets.rqes, o.rqes);
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

static void c_nothing_written(struct env *e)
{
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
	with_stats(e, rqes_end(e));
	memset(stats_of(e), 0xff, sizeof(struct zcrx_stats));
}

static void c_ev_stats(struct env *e)
{
	assert_true(stats_of(e)->copy_count == 0 && stats_of(e)->copy_bytes == 0);
}

static void s_ev_off_noflag(struct env *e)
{
	s_ev_alloc(e);
	e->ed.stats_offset = rqes_end(e);
}

static void s_ev_resv2(struct env *e)
{
	s_ev_alloc(e);
	e->ed.__resv2[8] = 1;
}

static void s_ev_stats_only(struct env *e) { with_stats(e, rqes_end(e)); }
static void s_st_unaligned(struct env *e) { with_stats(e, rqes_end(e) + 4); }
static void s_st_in_rqes(struct env *e) { with_stats(e, rqes_end(e) - 8); }
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
static void c_buf_page(struct env *e) { assert_int_equal(e->reg.rx_buf_len, PAGE); }
static void c_buf_2p(struct env *e) { assert_int_equal(e->reg.rx_buf_len, 2 * PAGE); }

static void s_ar_dmabuf(struct env *e) { e->area.flags = IORING_ZCRX_AREA_DMABUF; }
static void s_ar_flag4(struct env *e) { e->area.flags = 4; }
static void s_ar_token(struct env *e) { e->area.rq_area_token = 1ULL << IORING_ZCRX_AREA_SHIFT; }
static void s_ar_resv2(struct env *e) { e->area.__resv2[1] = 1; }
static void s_ar_addr_unaligned(struct env *e) { e->area.addr += 64; }
static void s_ar_len_unaligned(struct env *e) { e->area.len -= 64; }
static void s_ar_len0(struct env *e) { e->area.len = 0; }
static void s_ar_len_2t(struct env *e) { e->area.len = 2ULL << 40; }
static void s_ar_addr0(struct env *e) { e->area.addr = 0; }
static void s_ar_dmabuf_fd(struct env *e) { e->area.dmabuf_fd = 3; }
static void s_ar_unmapped(struct env *e) { e->area.addr = (uintptr_t)e->none; e->area.len = PAGE; }

static void s_nd_flag(struct env *e)
{
	e->reg.flags |= ZCRX_REG_NODEV;
	e->reg.if_idx = 0;
}

static void s_nd_ifidx(struct env *e) { e->reg.if_idx = lo_index; }
static void s_nd_rxq(struct env *e) { e->reg.if_rxq = 1; }

/* ------------------------------------------------------------------ */
/* Control rows                                                        */
/* ------------------------------------------------------------------ */

static void k_resv(struct env *e) { e->ctrl.__resv[0] = 1; }
static void k_bad_id(struct env *e) { e->ctrl.zcrx_id = 99; }
static void k_resv_bad_id(struct env *e) { k_resv(e); k_bad_id(e); }
static void k_op_past(struct env *e) { e->ctrl.op = caps_of(e)->nr_ctrl_opcodes; }
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
/* Simulator flows: synthetic traffic through a simulated NIC queue    */
/* ------------------------------------------------------------------ */

static void f_data_cqe(struct env *e)
{
	struct rec r[8];

	reg_good(e, -1, false);
	recv_start_idle(e, -1, 0, RECV_UD);
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
	recv_start_idle(e, -1, 0, RECV_UD);
	n = exhaust(e, r, 32);
	assert_int_equal(n, AREA_PAGES + 1);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
	/* res is the type index, flags 0, and it follows the 13th data CQE */
	assert_event(&r[13], ZCRX_EV_ALLOC_FAIL);
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
	recv_start_idle(e, -1, 0, RECV_UD);
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

static uint32_t gen_mask(enum zcrx_gen g)
{
	return g == ZCRX_GEN_7_2 ? ZCRX_EV_MASK_ALL : ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
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
	recv_start_idle(e, -1, 0, RECV_UD);
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
	recv_start_idle(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 3), 3);
	n = reap(e, r, 8);
	assert_int_equal(n, 4);
	assert_event(&r[1], ZCRX_EV_COPY);
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

/* With rx_buf_len of two pages a copied 6000-byte fragment is two page-sized CQEs, one copy. */
static void f_copy_pages(struct env *e)
{
	struct rec r[8];
	int n;

	e->reg.rx_buf_len = 2 * PAGE;
	reg_good(e, -1, true);
	recv_start_idle(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 1), 1);
	n = reap(e, r, 8);
	assert_int_equal(n, 2);
	assert_data(e, &r[0], PAGE, 0);
	assert_data(e, &r[1], 6000 - PAGE, PAGE);
	assert_int_equal(stats_of(e)->copy_count, 1);
	assert_int_equal(stats_of(e)->copy_bytes, 6000);
}

static void f_stats_without_copy_event(struct env *e)
{
	struct rec r[8];

	reg_good(e, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), true);
	recv_start_idle(e, -1, 0, RECV_UD);
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
	recv_start_idle(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 2), 2);
	assert_int_equal(reap(e, r, 8), 2);
	free_bufs = counters(e).free_bufs;
	give_back(e, r[0].off, r[0].res, 0);
	assert_int_equal(rq_head(e), 0);
	/* the refill after this packet takes the returned buffer, not the free list */
	assert_int_equal(step(e, 1), 1);
	assert_int_equal(rq_head(e), 1);
	assert_int_equal(counters(e).free_bufs, free_bufs);
	assert_int_equal(reap(e, r + 2, 6), 1);
	/* the RX ring is FIFO: it comes round again after the three posted before it */
	assert_int_equal(step(e, 4), 4);
	assert_int_equal(reap(e, r + 3, 5), 4);
	assert_true(r[6].off == r[0].off);
}

static void f_flush(struct env *e)
{
	struct rec r[8];

	reg_good(e, -1, false);
	recv_start_idle(e, -1, 0, RECV_UD);
	assert_int_equal(step(e, 3), 3);
	assert_int_equal(reap(e, r, 8), 3);
	for (int i = 0; i < 3; i++)
		give_back(e, r[i].off, r[i].res, 0);
	assert_int_equal(counters(e).free_bufs, AREA_PAGES - 4 - 3);
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(e), 3);
	assert_int_equal(counters(e).free_bufs, AREA_PAGES - 4);
	assert_int_equal(counters(e).rq_invalid, 0);
}

static void f_drops(struct env *e)
{
	struct rec r[32];

	reg_good(e, -1, false);
	recv_start_idle(e, -1, 0, RECV_UD);
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
	recv_start_idle(e, -1, 0, RECV_UD);
	/* 12 buffers on the free list, then the copy fallback finds none */
	assert_int_equal(step(e, 20), AREA_PAGES - 4);
	n = reap(e, r, 32);
	assert_int_equal(n, AREA_PAGES - 4 + 1);
	assert_end(&r[n - 1], RECV_UD, -ENOMEM);
	assert_int_equal(step(e, 1), 0);
}

static void f_len_cap(struct env *e)
{
	struct rec r[8];

	reg_good(e, -1, false);
	recv_start_idle(e, -1, 2 * PKT + 104, RECV_UD);
	assert_int_equal(step(e, 10), 3);
	assert_int_equal(reap(e, r, 8), 4);
	assert_data(e, &r[2], 104, 2 * PKT);
	assert_end(&r[3], RECV_UD, 0);
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
	recv_start_idle(e, -1, 0, RECV_UD);
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

/* 4 buffers for 14 chunks: the RX ring runs dry, TCP "retransmits", nothing is lost */
static void f_tcp_retransmit(struct env *e)
{
	struct timespec t0, t1;
	struct rec r[64];
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tcp_recv(e, 4, -1, false, 0);
	tx(e, 20000);
	while (e->rx < e->tx) {
		n = reap_wait(e, r, 64, 1, tmo(2000));
		assert_true(n > 0);
		rx_all(e, r, n, RECV_UD);
		for (int i = 0; i < n; i++)
			give_back(e, r[i].off, r[i].res, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(counters(e).rx_dropped > 0);
	/* a few 10 ms retries, not a stall */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 <
		    tmo(1000));
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
		int k = reap_wait(e, r, 64, 1, tmo(3000));

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
	assert_int_equal(reap_wait(e, r, 16, 4, tmo(3000)), 4);
	assert_int_equal(r[3].res, 0);
	reap_wait(e, r, 16, 16, 30);
	assert_int_equal(io_uring_wait_cqe_timeout(ring_of(e), &cqe, &ts), -ETIME);
}

static void f_idle_rate0(struct env *e)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000 };

	reg_good(e, -1, false);
	recv_start_idle(e, -1, 0, RECV_UD);
	assert_int_equal(io_uring_wait_cqe_timeout(ring_of(e), &cqe, &ts), -ETIME);
}

/* 70 chunks arrive at once; a 16-entry CQ takes a few at a time, with no poll wakeup left */
static void f_kick(struct env *e)
{
	struct rec r[64];
	int n;

	tcp_recv(e, 4 * AREA_PAGES, -1, false, 0);
	for (int i = 0; i < 2; i++)
		tx(e, 50000);
	while (e->rx < e->tx) {
		n = reap_wait(e, r, 64, 1, tmo(2000));
		assert_true(n > 0);
		assert_int_equal(*ring_of(e)->cq.koverflow, 0);
		rx_all(e, r, n, RECV_UD);
		for (int i = 0; i < n; i++)
			give_back(e, r[i].off, r[i].res, 0);
	}
}

static void f_unregistered(struct env *e)
{
	for (int i = 0; i < 3; i++) {
		e->reg.zcrx_id = 0;
		e->area.rq_area_token = 0;
		assert_int_equal(zcrx_register_raw(C(e), &e->reg), 0);
	}
	e->id = 1;
	OPS(e)->unregister_ifq(C(e), 1);
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), -ENXIO);
	e->id = 2;
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
}

/* ------------------------------------------------------------------ */
/* Flows every target runs: a loopback TCP connection                  */
/* ------------------------------------------------------------------ */

static void f_tcp(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, -1, false, 0);
	tx(e, 20000);
	n = reap_data(e, r, MAX_REC, RECV_UD, 20000);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(e->rx, 20000);
	close(e->fds[1]);
	e->fds[1] = -1;
	n = reap_wait(e, r, MAX_REC, 1, tmo(2000));
	assert_int_equal(n, 1);
	assert_end(&r[0], RECV_UD, 0);
}

static void f_len_cap_tcp(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, -1, false, 5000);
	tx(e, 6000);
	n = reap_data(e, r, MAX_REC, RECV_UD, 6000);
	assert_int_equal(count_ud(r, n, RECV_UD), n);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(e->rx, 5000);
	assert_end(last_of(r, n, RECV_UD), RECV_UD, 0);
}

static void f_ids(struct env *e)
{
	for (uint32_t id = 0; id < 3; id++) {
		e->reg.zcrx_id = 0;
		e->area.rq_area_token = 0;
		assert_int_equal(zcrx_register_raw(C(e), &e->reg), 0);
		assert_int_equal(e->reg.zcrx_id, id);
	}
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
		recv_start(e, fds[i], 0, RECV_UD + i);
		assert_int_equal(reap_wait(e, r, 8, 1, tmo(1000)), 1);
		assert_end(&r[0], RECV_UD + i, errs[i]);
	}
}

/* FLUSH_RQ parses RQEs until a malformed one, which it consumes (zcrx_parse_rq). */
static void f_flush_stops_at_bad(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, -1, false, 0);
	tx(e, 3 * PAGE);
	n = reap_data(e, r, MAX_REC, RECV_UD, 3 * PAGE);
	assert_true(count_data(r, n, RECV_UD) >= 3);
	give_back(e, r[0].off, r[0].res, 0);
	give_back(e, r[1].off | 1ULL << IORING_ZCRX_AREA_SHIFT, r[1].res, 0);
	give_back(e, r[1].off, r[1].res, 0);
	give_back(e, r[2].off, r[2].res, 0);
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(e), 2);
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(e), 4);
}

/* ------------------------------------------------------------------ */
/* NODEV flows: every byte copied, on the simulator and the kernel     */
/* ------------------------------------------------------------------ */

static void f_nd_copy_layout(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, -1, false, 0);
	tx(e, 20000);
	n = reap_data(e, r, MAX_REC, RECV_UD, 20000);
	assert_int_equal(n, 5);
	rx_all(e, r, n, RECV_UD);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(r[i].res, i < 4 ? (int)PAGE : 20000 - 4 * (int)PAGE);
		assert_true(r[i].off == (AREA_PAGES - 1 - i) * PAGE);
	}
}

static void f_nd_copy_event(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, ZCRX_EV_MASK_ALL, false, 0);
	tx(e, 20000);
	n = reap_data(e, r, MAX_REC, RECV_UD, 20000);
	assert_int_equal(n, 6);
	assert_int_equal(count_data(r, 5, RECV_UD), 5);
	rx_all(e, r, 5, RECV_UD);
	assert_event(&r[5], ZCRX_EV_COPY);
	/* latched: the next copy posts its data only */
	tx(e, PAGE);
	n = reap_data(e, r, MAX_REC, RECV_UD, PAGE);
	assert_int_equal(n, 1);
	rx(e, &r[0], RECV_UD);
}

static void f_nd_rearm(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, ZCRX_EV_MASK_ALL, false, 0);
	tx(e, PAGE);
	n = reap_data(e, r, MAX_REC, RECV_UD, PAGE);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
	assert_int_equal(ctrl(e, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), 0);
	assert_int_equal(ctrl(e, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), -EINVAL);
	tx(e, PAGE);
	n = reap_data(e, r, MAX_REC, RECV_UD, PAGE);
	assert_int_equal(n, 2);
	rx(e, &r[0], RECV_UD);
	assert_event(&r[1], ZCRX_EV_COPY);
}

static void f_nd_no_target(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), false, 0);
	tx(e, 20000);
	n = reap_data(e, r, MAX_REC, RECV_UD, 20000);
	assert_int_equal(n, 5);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(count_ud(r, n, EV_UD), 0);
	assert_int_equal(ctrl(e, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), -EINVAL);
}

static void f_nd_mask0_stats(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, 0, true, 0);
	tx(e, 20000);
	n = reap_data(e, r, MAX_REC, RECV_UD, 20000);
	rx_all(e, r, n, RECV_UD);
	assert_int_equal(e->rx, 20000);
	assert_int_equal(count_ud(r, n, EV_UD), 0);
	assert_int_equal(stats_of(e)->copy_count, 1);
	assert_int_equal(stats_of(e)->copy_bytes, 20000);
}

static void f_nd_stats(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, AREA_PAGES, ZCRX_EV_MASK_ALL, true, 0);
	tx(e, 20000);
	n = reap_data(e, r, MAX_REC, RECV_UD, 20000);
	assert_int_equal(count_data(r, n, RECV_UD), 5);
	assert_int_equal(stats_of(e)->copy_count, 1);
	assert_int_equal(stats_of(e)->copy_bytes, 20000);
	tx(e, 10000);
	n = reap_data(e, r, MAX_REC, RECV_UD, 10000);
	assert_int_equal(count_data(r, n, RECV_UD), 3);
	assert_int_equal(stats_of(e)->copy_count, 2);
	assert_int_equal(stats_of(e)->copy_bytes, 30000);
}

static void f_nd_alloc_fail(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	tcp_recv(e, 4, ZCRX_EV_MASK_ALL, false, 0);
	tx(e, 6 * PAGE);
	n = reap_data(e, r, MAX_REC, RECV_UD, 6 * PAGE);
	assert_end(last_of(r, n, RECV_UD), RECV_UD, -ENOMEM);
	assert_int_equal(count_ud(r, n, EV_UD), 1);
	assert_event(last_of(r, n, EV_UD), ZCRX_EV_COPY);
	assert_int_equal(ctrl(e, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), -EINVAL);
}

static void f_nd_starve(struct env *e)
{
	struct rec r[MAX_REC];

	starve(e, r, MAX_REC);
	for (int i = 0; i < 4; i++)
		assert_int_equal(r[i].res, PAGE);
}

static void f_nd_no_flush(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	starve(e, r, MAX_REC);
	for (int i = 0; i < 4; i++)
		give_back(e, r[i].off, r[i].res, 0);
	recv_start(e, e->fds[2], 0, RECV_UD2);
	n = reap_data(e, r, MAX_REC, RECV_UD2, 2 * PAGE);
	assert_int_equal(n, 1);
	assert_end(&r[0], RECV_UD2, -ENOMEM);
	assert_int_equal(rq_head(e), 0);
}

static void f_nd_resume(struct env *e)
{
	struct rec r[MAX_REC];
	int n;

	starve(e, r, MAX_REC);
	for (int i = 0; i < 4; i++)
		give_back(e, r[i].off, r[i].res, 0);
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(e), 4);
	recv_start(e, e->fds[2], 0, RECV_UD2);
	n = reap_data(e, r, MAX_REC, RECV_UD2, 2 * PAGE);
	rx_all(e, r, n, RECV_UD2);
	assert_int_equal(e->rx, e->tx);
}

/* After the flush exactly one buffer is free: the next page lands in it, then starves. */
static void one_back(struct env *e, uint64_t first, uint64_t second, uint64_t lands)
{
	struct rec r[MAX_REC];
	int n;

	give_back(e, first, PAGE, 0);
	if (second != ~0ULL)
		give_back(e, second, PAGE, 0);
	assert_int_equal(ctrl(e, ZCRX_CTRL_FLUSH_RQ, 0), 0);
	assert_int_equal(rq_head(e), second != ~0ULL ? 2 : 1);
	recv_start(e, e->fds[2], 0, RECV_UD2);
	n = reap_data(e, r, MAX_REC, RECV_UD2, 2 * PAGE);
	assert_int_equal(n, 2);
	rx(e, &r[0], RECV_UD2);
	assert_true(r[0].off == lands);
	assert_end(&r[1], RECV_UD2, -ENOMEM);
}

static void f_nd_duplicate(struct env *e)
{
	struct rec r[MAX_REC];

	starve(e, r, MAX_REC);
	one_back(e, r[0].off, r[0].off, r[0].off);
}

static void f_nd_inside_buffer(struct env *e)
{
	struct rec r[MAX_REC];

	starve(e, r, MAX_REC);
	one_back(e, r[3].off + 8, ~0ULL, r[3].off);
}

/* ------------------------------------------------------------------ */
/* This machine's kernel only                                          */
/* ------------------------------------------------------------------ */

typedef void (*caps_fn)(struct zcrx_caps *c);

/* engine_fixture.h's answers for the kernel versions they were measured on */
static caps_fn measured_caps(void)
{
	static const struct { unsigned int maj, min; caps_fn fn; } known[] = {
		{ 6, 18, caps_618 }, { 6, 19, caps_619 }, { 7, 0, caps_70 },
		{ 7, 1, caps_71 }, { 7, 2, caps_72 }, { 7, 3, caps_73 },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].maj == kmaj && known[i].min == kmin)
			return known[i].fn;
	return NULL;
}

static void assert_same_answers(const struct zcrx_caps *c, const struct zcrx_caps *want)
{
	assert_int_equal(c->nr_register_opcodes, want->nr_register_opcodes);
	assert_int_equal(c->nr_query_opcodes, want->nr_query_opcodes);
	assert_int_equal(c->zcrx_query_err, want->zcrx_query_err);
	assert_true(c->register_flags == want->register_flags);
	assert_true(c->area_flags == want->area_flags);
	assert_int_equal(c->nr_ctrl_opcodes, want->nr_ctrl_opcodes);
	assert_int_equal(c->features, want->features);
	assert_int_equal(c->rq_hdr_size, want->rq_hdr_size);
	assert_int_equal(c->rq_hdr_alignment, want->rq_hdr_alignment);
	assert_int_equal(c->event_query_err, want->event_query_err);
	assert_int_equal(c->event_flags, want->event_flags);
	assert_int_equal(c->stats_size, want->stats_size);
	assert_int_equal(c->stats_off_alignment, want->stats_off_alignment);
	assert_int_equal(c->gen, want->gen);
	assert_int_equal(c->event_types, want->event_types);
	assert_int_equal(c->stats, want->stats);
}

static void probe_kernel(void)
{
	caps_fn fn = measured_caps();
	struct zcrx_caps want;

	if (!fn)
		skip_because("the query answers were measured on Linux 6.18 to 7.3; this is %s",
			     kver);
	fn(&want);
	assert_int_equal(kcaps.query_err, 0);
	assert_int_equal(kcaps.opcodes_err, 0);
	assert_int_equal(kcaps.zcrx_reg_err, -EFAULT);
	assert_false(kcaps.simulated);
	assert_same_answers(&kcaps, &want);
}

/* what each generation's query answers: the simulator reports it, a kernel was measured */
static void f_probe(struct env *e)
{
	struct zcrx_caps c, want;

	if (is_kernel(e))
		return probe_kernel();
	zcrx_sim_caps(e->gen, &c);
	assert_true(c.simulated);
	assert_int_equal(c.gen, e->gen);
	assert_int_equal(c.zcrx_query_err, 0);
	assert_int_equal(c.zcrx_reg_err, -EFAULT);
	assert_true(c.register_flags == (e->gen == ZCRX_GEN_7_2 ? ZCRX_REG_NODEV : 0));
	assert_true(c.area_flags == 0);
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
		/* Linux 7.2's answers, less what the simulator leaves out: IMPORT, dmabuf */
		caps_72(&want);
		want.register_flags &= ~ZCRX_REG_IMPORT;
		want.area_flags = 0;
		assert_same_answers(&c, &want);
		break;
	}
	/* and the ctx reports the same */
	zcrx_sim_caps(e->gen, &c);
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
	return register_on(e, e->nodev ? 0 : lo_index);
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

	if (kcaps.cap_net_admin != 1)
		skip_because("a throwaway netns and a veth pair need root");
	e->reg.flags = 0;
	ret = in_child(e, child_veth);
	if (ret == SKIP_CODE)
		skip_because("could not make a veth pair in a throwaway netns"
			     " (unshare or ip failed)");
	assert_int_equal(ret, -EOPNOTSUPP);
}

static void f_ctrl_absent(struct env *e)
{
	struct zcrx_ctrl c = { 0 };

	assert_int_equal(zcrx_ctrl_raw(e->ctx, &c), -EINVAL);
}

/* A region with flags 0: the kernel allocates it and says where to map it. */
static void f_kernel_region(struct env *e)
{
	struct io_uring_zcrx_offsets o = layout(e);
	uint8_t *p;

	need_registration();
	s_rd_kernel(e);
	reg_good(e, -1, false);
	assert_true(e->rd.mmap_offset != 0);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 ring_of(e)->ring_fd, e->rd.mmap_offset);
	assert_true(p != MAP_FAILED);
	assert_int_equal(*(uint32_t *)(p + o.head), 0);
	assert_int_equal(*(uint32_t *)(p + o.tail), 0);
	munmap(p, PAGE);
}

static void f_export(struct env *e)
{
	struct zcrx_ctrl c = { .op = ZCRX_CTRL_EXPORT };
	char path[64], link[64] = "";

	need_registration();
	reg_good(e, -1, false);
	c.zcrx_id = e->id;
	assert_int_equal(zcrx_ctrl_raw(C(e), &c), 0);
	e->fds[3] = c.zc_export.zcrx_fd;
	assert_true(e->fds[3] >= 0);
	assert_true(fcntl(e->fds[3], F_GETFD) & FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", e->fds[3]);
	assert_true(readlink(path, link, sizeof(link) - 1) > 0);
	assert_string_equal(link, "anon_inode:[zcrx]");
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
/* a starved receive ends with -ENOMEM from 7.2 on */
#define STARVES		.since = KV(7, 2),						\
			.before = "7.1.13 left a starved receive armed, with no CQE"
#define STEP		{ .step = true }
#define TCP		{ .rx_ring = 8 }
#define REG(n, s, ...)	{ .name = n, .kind = ROW_REG, .set = s, __VA_ARGS__ }
#define CTRL(n, s, ...)	{ .name = n, .kind = ROW_CTRL, .set = s, __VA_ARGS__ }
#define FLOW(n, f, ...)	{ .name = n, .kind = ROW_FLOW, .flow = f, __VA_ARGS__ }

#define WHY_NIC		"needs a zcrx-capable NIC queue (mlx5, bnxt, fbnic, gve)"
#define WHY_POOL	"needs a NIC queue's page pool and RX ring; NODEV has neither"
#define WHY_SYNTH	"synthetic traffic (fd -1) is the simulator's own; the TCP rows show" \
			" a kernel's data CQEs"
#define WHY_BUDGET	"the simulator's own CQ budget; a kernel posts into the CQ itself"
#define WHY_COPY	"the copy share of a NIC queue is the simulator's knob; the NODEV" \
			" rows show a kernel's copies"

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
	REG("ZCRX_REG_IMPORT with a full registration is EINVAL", s_flag_import,
	    .exp = ALL(EINVAL)),
	REG("ZCRX_REG_NODEV is EINVAL where NODEV does not exist", s_nd_flag,
	    .exp = { E(EINVAL), E(EINVAL), NA, NA }, .kpol = K_DEV, .kwhen = no_nodev),
	REG("a NULL region_ptr is EFAULT", s_region_null, .exp = ALL(EFAULT)),
	REG("an unreadable region descriptor is EFAULT", s_region_unreadable, .exp = ALL(EFAULT)),
	REG("if_rxq ~0 is EINVAL", s_rxq_all, .exp = ALL(EINVAL)),
	REG("NODEV with an if_idx is EINVAL", s_nd_ifidx, .exp = NODEV(E(EINVAL))),
	REG("NODEV with an if_rxq is EINVAL", s_nd_rxq, .exp = NODEV(E(EINVAL))),
	REG("rq_entries 0 is EINVAL", s_rq_zero, .exp = ALL(EINVAL)),
	REG("rq_entries above 32768 without IORING_SETUP_CLAMP is EINVAL", s_rq_big,
	    .exp = ALL(EINVAL)),
	REG("IORING_SETUP_CLAMP clamps rq_entries 40000 to 32768", s_rq_clamp, .exp = OK4,
	    .check = c_rq_clamp, .ring = RING_CLAMP),
	REG("rq_entries 100 is rounded up to 128 and written back", s_rq_round, .exp = OK4,
	    .check = c_rq_round),
	REG("a NULL area_ptr is EFAULT", s_area_null, .exp = ALL(EFAULT)),
	REG("rq_entries is checked before the area is read", s_rq0_area_null, .exp = ALL(EINVAL)),
	REG("the region is read before rq_entries is checked", s_region_null_rq0,
	    .exp = ALL(EFAULT)),
	REG("the area is read before the region is checked", s_area_null_region0,
	    .exp = ALL(EFAULT)),
	REG("a good registration writes back its ring layout, zcrx_id 0 and area token 0",
	    s_none, .exp = OK4, .check = c_good),
	REG("a refused registration writes nothing back", s_refused_rq100, .exp = ALL(EINVAL),
	    .refused = c_nothing_written),
	/* the event descriptor (§4.1, §2.11) */
	REG("an event descriptor is EINVAL where events are reserved", s_ev_alloc,
	    .exp = G(E(EINVAL), 0, 0)),
	REG("an empty event descriptor (type_mask 0) is accepted", s_ev_empty,
	    .exp = G(E(EINVAL), 0, 0)),
	REG("an unreadable event descriptor is EFAULT", s_ev_unreadable,
	    .exp = G(E(EINVAL), E(EFAULT), E(EFAULT))),
	REG("type_mask alloc-fail|copy: copy exists from 7.2", s_ev_both,
	    .exp = G(NA, E(EINVAL), 0)),
	REG("type_mask bit 2 is EINVAL", s_ev_bit2, .exp = G(NA, E(EINVAL), E(EINVAL))),
	REG("descriptor flags bit 1 is EINVAL", s_ev_flag2, .exp = G(NA, E(EINVAL), E(EINVAL))),
	REG("stats_offset without FLAG_STATS is EINVAL", s_ev_off_noflag,
	    .exp = G(NA, E(EINVAL), E(EINVAL))),
	REG("reserved descriptor bytes set are EINVAL", s_ev_resv2,
	    .exp = G(NA, E(EINVAL), E(EINVAL))),
	REG("FLAG_STATS with a good offset is accepted and zeroes the block", s_ev_stats,
	    .exp = G(NA, E(EINVAL), 0), .check = c_ev_stats),
	REG("stats with type_mask 0 are accepted", s_ev_stats_only, .exp = G(NA, E(EINVAL), 0)),
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
	REG("a kernel-allocated region is EINVAL: the simulator maps user regions only",
	    s_rd_kernel, .exp = ALL(EINVAL),
	    SIM("a kernel allocates the region: the kernel-only row shows it")),
	/* the stats block, once the region exists (7.2) */
	REG("a stats_offset off 8 bytes is EINVAL", s_st_unaligned, .exp = G(NA, NA, E(EINVAL))),
	REG("a stats block inside the RQE array is ERANGE", s_st_in_rqes,
	    .exp = G(NA, NA, E(ERANGE))),
	REG("a stats block past the region is ERANGE", s_st_past_end, .exp = G(NA, NA, E(ERANGE))),
	REG("a stats_offset that overflows is ERANGE", s_st_overflow, .exp = G(NA, NA, E(ERANGE))),
	/* the netdev: lo stands for "no DMA device", a bad ifindex for "none" */
	REG("the netdev is looked up after the region checks", s_nodev_after_region,
	    .exp = DEV(EINVAL), .inject = ENODEV, .kpol = K_DEV),
	REG("the netdev is looked up after the stats checks", s_nodev_after_stats,
	    .exp = DEV72(E(EINVAL)), .inject = ENODEV, .kpol = K_DEV),
	REG("a missing netdev is ENODEV", s_none, .exp = DEV(ENODEV), .inject = ENODEV,
	    .kpol = K_DEV),
	REG("a queue without a DMA device is EOPNOTSUPP before the area is looked at",
	    s_nodma_before_area, .exp = DEV(EOPNOTSUPP), .inject = EOPNOTSUPP, .kpol = K_DEV),
	/* rx_buf_len and the area: after the netdev, or for NODEV after the stats */
	REG("rx_buf_len 0 means the page size, written back", s_buf0, .exp = OK4,
	    .check = c_buf_page, .late = true),
	REG("rx_buf_len of two pages is accepted and written back", s_buf2p,
	    .exp = { 0, 0, 0, NA }, .check = c_buf_2p, SIM(WHY_NIC)),
	REG("NODEV keeps buffers at a page: rx_buf_len of two pages is EOPNOTSUPP", s_buf2p,
	    .exp = NODEV(E(EOPNOTSUPP)), .late = true),
	REG("rx_buf_len not a power of two is EINVAL", s_buf3p, .exp = ALL(EINVAL), .late = true),
	REG("rx_buf_len below the page size is EINVAL", s_buf_half, .exp = ALL(EINVAL),
	    .late = true),
	REG("an area smaller than one buffer is EINVAL", s_buf_big, .exp = DEV(EINVAL),
	    SIM(WHY_NIC)),
	REG("a dmabuf area is EINVAL: NODEV has no device, the simulator models none",
	    s_ar_dmabuf, .exp = ALL(EINVAL), .late = true),
	REG("an unknown area flag is EINVAL", s_ar_flag4, .exp = ALL(EINVAL), .late = true),
	REG("rq_area_token set on input is EINVAL", s_ar_token, .exp = ALL(EINVAL), .late = true),
	REG("reserved area bytes set are EINVAL", s_ar_resv2, .exp = ALL(EINVAL), .late = true),
	REG("an area address off a page is EINVAL", s_ar_addr_unaligned, .exp = ALL(EINVAL),
	    .late = true),
	REG("an area length off a page multiple is EINVAL", s_ar_len_unaligned,
	    .exp = ALL(EINVAL), .late = true),
	REG("an area of length 0 is EFAULT", s_ar_len0, .exp = ALL(EFAULT), .late = true),
	REG("an area over 1 TiB is EINVAL", s_ar_len_2t, .exp = ALL(EINVAL), .late = true,
	    .since = KV(7, 2), .before = "7.1.13 answered EFAULT"),
	REG("an area at address 0 is EFAULT", s_ar_addr0, .exp = ALL(EFAULT), .late = true),
	REG("a dmabuf_fd with user memory is EINVAL", s_ar_dmabuf_fd, .exp = ALL(EINVAL),
	    .late = true),
	REG("an unmapped area cannot be pinned: EFAULT", s_ar_unmapped, .exp = ALL(EFAULT),
	    .late = true),

	/* IORING_REGISTER_ZCRX_CTRL (§5.2, §4.4) */
	CTRL("ctrl with reserved bytes set is EFAULT, not EINVAL", k_resv, .exp = ALL(EFAULT),
	     .noifq = true),
	CTRL("ctrl on an unknown zcrx_id is ENXIO", k_bad_id, .exp = ALL(ENXIO), .noifq = true),
	CTRL("ctrl reserved bytes are checked before the zcrx_id", k_resv_bad_id,
	     .exp = ALL(EFAULT), .noifq = true),
	CTRL("the zcrx_id is looked up before the op", k_bad_id_op99, .exp = ALL(ENXIO),
	     .noifq = true),
	CTRL("a ctrl op past nr_ctrl_opcodes is EOPNOTSUPP", k_op_past, .exp = ALL(EOPNOTSUPP)),
	CTRL("ARM_EVENT without events is an unknown op: EOPNOTSUPP", k_op_arm,
	     .exp = G(E(EOPNOTSUPP), NA, NA)),
	CTRL("FLUSH_RQ on an empty refill ring is 0", k_flush, .exp = OK4),
	CTRL("FLUSH_RQ with a payload set is EINVAL", k_flush_payload, .exp = ALL(EINVAL)),
	CTRL("EXPORT with a payload set is EINVAL", k_export_payload, .exp = ALL(EINVAL)),
	CTRL("EXPORT is not modelled: EOPNOTSUPP", k_export, .exp = ALL(EOPNOTSUPP),
	     SIM("a kernel exports an fd: the kernel-only row shows it")),
	CTRL("ARM_EVENT of type 2 is EINVAL", k_arm_type2, .exp = G(NA, E(EINVAL), E(EINVAL))),
	CTRL("ARM_EVENT of COPY before any copy is EINVAL", k_arm_copy,
	     .exp = G(NA, E(EINVAL), E(EINVAL))),
	CTRL("ARM_EVENT with reserved bytes set is EINVAL", k_arm_resv,
	     .exp = G(NA, E(EINVAL), E(EINVAL))),
	CTRL("ARM_EVENT of a type that has not fired is EINVAL", k_op_arm,
	     .exp = G(NA, E(EINVAL), E(EINVAL))),

	/* the simulator's NIC queue */
	FLOW("a data CQE: res = length, the receive's user_data, area token | offset,"
	     " seeded payload", f_data_cqe, .exp = DEV(0), .sim = STEP, SIM(WHY_SYNTH)),
	FLOW("ALLOC_FAIL fires once when the pool runs dry: res = index 0, flags 0",
	     f_alloc_fail_once, .exp = { NA, 0, 0, NA }, .sim = STEP, SIM(WHY_POOL)),
	FLOW("ARM_EVENT re-arms: the next failure fires again, a second arm is EINVAL",
	     f_rearm, .exp = { NA, 0, 0, NA }, .sim = STEP, SIM(WHY_POOL)),
	FLOW("a type outside type_mask, or no target, never posts", f_no_target, .exp = DEV(0),
	     .sim = STEP, SIM(WHY_POOL)),
	FLOW("COPY fires once with res 1; stats count every copied fragment",
	     f_copy_event_stats, .exp = DEV72(0), .sim = { .step = true, .copy_permille = 1000 },
	     SIM(WHY_COPY)),
	FLOW("a copied fragment is a CQE per page and one copy in the stats", f_copy_pages,
	     .exp = DEV72(0), .sim = { .step = true, .copy_permille = 1000, .pkt_size = 6000 },
	     SIM(WHY_COPY)),
	FLOW("stats count copies with COPY not in type_mask", f_stats_without_copy_event,
	     .exp = DEV72(0), .sim = { .step = true, .copy_permille = 1000 }, SIM(WHY_COPY)),
	FLOW("the pool takes returned buffers from the refill ring first and publishes head",
	     f_refill_first, .exp = DEV(0), .sim = STEP, SIM(WHY_POOL)),
	FLOW("FLUSH_RQ returns every published RQE to the free list", f_flush, .exp = DEV(0),
	     .sim = STEP, SIM("counts the simulator's free list; the NODEV rows show a kernel's")),
	FLOW("packets that find the RX ring empty are dropped and counted", f_drops,
	     .exp = DEV(0), .sim = STEP, SIM(WHY_POOL)),
	FLOW("a copy with no free buffer ends the receive with -ENOMEM", f_copy_enomem,
	     .exp = DEV(0), .sim = { .step = true, .copy_permille = 1000 }, SIM(WHY_SYNTH)),
	FLOW("the len cap ends the receive with res 0 after exactly len bytes", f_len_cap,
	     .exp = DEV(0), .sim = STEP, SIM(WHY_SYNTH)),
	FLOW("the CQ never overflows: the sender waits for room", f_cq_room, .exp = DEV(0),
	     .sim = { .step = true, .rx_ring = 64 }, .sq_entries = 8, SIM(WHY_BUDGET)),
	FLOW("a blocked sender resumes as the application drains the CQ", f_kick, .exp = DEV(0),
	     .sim = { .rx_ring = 8 }, .sq_entries = 4, SIM(WHY_BUDGET)),
	FLOW("a TCP segment that finds the RX ring empty is dropped and comes again",
	     f_tcp_retransmit, .exp = DEV(0), .sim = { .rx_ring = 4 }, SIM(WHY_POOL)),
	FLOW("synthetic traffic at rate_pps arrives through the ring's own waits", f_rate,
	     .exp = DEV(0), .sim = { .rate_pps = 1000 }, SIM(WHY_SYNTH)),
	FLOW("an idle queue arms nothing: no receive, or the receive has ended", f_idle,
	     .exp = DEV(0), .sim = { .rate_pps = 1000 }, SIM(WHY_SYNTH)),
	FLOW("rate 0 arms nothing", f_idle_rate0, .exp = DEV(0), SIM(WHY_SYNTH)),
	FLOW("an unregistered zcrx_id is ENXIO", f_unregistered, .exp = DEV(0), .sim = STEP,
	     SIM("a kernel ifq lives until its ring is closed: nothing unregisters it")),

	/* every target: a loopback TCP connection */
	FLOW("a TCP socket's bytes land in the area intact; EOF ends with res 0", f_tcp,
	     .exp = OK4, .sim = TCP),
	FLOW("a TCP receive's len cap ends it with res 0 after exactly len bytes", f_len_cap_tcp,
	     .exp = OK4, .sim = TCP),
	FLOW("a receive on a non-TCP or bad fd ends at issue with the kernel's errno", f_bad_fds,
	     .exp = OK4, .sim = TCP),
	FLOW("zcrx_id counts 0, 1, 2 per ring", f_ids, .exp = OK4, .sim = STEP),
	FLOW("FLUSH_RQ stops at a malformed RQE, consuming it; the next flush goes on",
	     f_flush_stops_at_bad, .exp = OK4, .sim = TCP),

	/* NODEV: every byte copied */
	FLOW("NODEV copies 20,000 B into 4 full pages and 3,616 B, the last buffer first",
	     f_nd_copy_layout, .exp = NODEV(0)),
	FLOW("COPY fires once after the fragment's data, res 1, flags 0, then stays latched",
	     f_nd_copy_event, .exp = NODEV(0), .events = true),
	FLOW("ARM_EVENT of COPY re-arms: the next copy fires again, a second arm is EINVAL",
	     f_nd_rearm, .exp = NODEV(0), .events = true),
	FLOW("a type outside type_mask never posts: no COPY event with alloc-fail alone",
	     f_nd_no_target, .exp = NODEV(0), .events = true),
	FLOW("stats with type_mask 0: no event CQEs, the copies still count", f_nd_mask0_stats,
	     .exp = NODEV(0), .events = true),
	FLOW("stats count copied fragments, not CQEs: 20,000 B are 5 CQEs and one copy",
	     f_nd_stats, .exp = NODEV(0), .events = true),
	FLOW("ALLOC_FAIL never fires without a NIC, so arming it is EINVAL", f_nd_alloc_fail,
	     .exp = NODEV(0), .events = true),
	FLOW("a starved receive ends with -ENOMEM, flags 0, after the pages it could fill",
	     f_nd_starve, .exp = NODEV(0), STARVES),
	FLOW("returned buffers wait for FLUSH_RQ: the head stays, a new receive starves",
	     f_nd_no_flush, .exp = NODEV(0), STARVES),
	FLOW("after FLUSH_RQ a receive submitted again gets the rest: nothing was lost",
	     f_nd_resume, .exp = NODEV(0), STARVES),
	FLOW("a duplicate RQE is consumed and ignored: one buffer comes back",
	     f_nd_duplicate, .exp = NODEV(0), STARVES),
	FLOW("an RQE offset inside a buffer returns that buffer", f_nd_inside_buffer,
	     .exp = NODEV(0), STARVES),

	FLOW("the query answers for the generation", f_probe, .exp = { 0, 0, 0, NA },
	     .kpol = K_SELF),

	/* this machine's kernel only */
	FLOW("without CAP_NET_ADMIN registration is EPERM", f_eperm, .exp = { NA, NA, NA, NA },
	     .kpol = K_SELF),
	FLOW("a veth queue in a throwaway netns refuses zcrx with EOPNOTSUPP", f_veth,
	     .exp = { NA, NA, NA, NA }, .kpol = K_SELF),
	FLOW("IORING_REGISTER_ZCRX_CTRL absent (Linux 6.18) is EINVAL", f_ctrl_absent,
	     .exp = { NA, NA, NA, NA }, .kpol = K_SELF, .kwhen = no_ctrl),
	FLOW("a kernel-allocated region is mapped at the mmap_offset written back",
	     f_kernel_region, .exp = { NA, NA, NA, NA }, .kpol = K_SELF, .kwhen = has_nodev),
	FLOW("EXPORT gives a close-on-exec anon_inode:[zcrx] fd", f_export,
	     .exp = { NA, NA, NA, NA }, .kpol = K_SELF, .kwhen = nodev_and_ctrl),
};

/* ------------------------------------------------------------------ */
/* The runner                                                          */
/* ------------------------------------------------------------------ */

static bool nodev_only(const struct row *r)
{
	return r->exp[T_72] == NA && r->exp[T_72N] != NA;
}

/* The simulated target whose answer this kernel must give, and whether it uses NODEV. */
static enum target kernel_target(const struct row *r, bool *nodev)
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

static bool applies(const struct row *r, enum target t)
{
	bool nodev;

	if (t != T_KERNEL)
		return r->exp[t] != NA;
	if (r->kpol == K_SIM || (r->kwhen && !r->kwhen()))
		return false;
	if (r->kpol == K_SELF)
		return true;
	/* a 7.2 kernel has what a row about lacking something needs not show */
	return kcaps.gen != ZCRX_GEN_7_2 || r->exp[kernel_target(r, &nodev)] != NA;
}

static void skip_no_nodev(const char *before)
{
	skip_because("Linux %s has no ZCRX_REG_NODEV (7.1+), and lo refuses zcrx before %s",
		     kver, before);
}

/* Skip here or return what the kernel must answer; sets e->nodev. */
static int kernel_expected(struct env *e)
{
	const struct row *r = e->row;
	enum target t = kernel_target(r, &e->nodev);
	bool dev = e->nodev || r->kpol == K_DEV;
	int x = r->exp[t];

	if (r->kind != ROW_CTRL || e->nodev || !r->noifq)
		need_registration();
	if (r->kind == ROW_CTRL && !has_ctrl())
		skip_because("Linux %s has no IORING_REGISTER_ZCRX_CTRL (op 36): row needs 6.19+",
			     kver);
	if (!dev && (nodev_only(r) || r->kind == ROW_FLOW))
		skip_no_nodev("a receive can start");
	if (!dev && r->kind == ROW_CTRL && !r->noifq)
		skip_no_nodev("an ifq exists to control");
	if (x == NA || (r->events && kcaps.gen != ZCRX_GEN_7_2))
		skip_because("Linux %s has no zcrx events: row needs 7.2+", kver);
	if (!dev && (!x || r->late))
		skip_no_nodev(r->late ? "the area is checked" : "a registration can succeed");
	if (KV(kmaj, kmin) < r->since)
		skip_because("the row shows Linux %u.%u+; Linux %s differs: %s", r->since / 100,
			     r->since % 100, kver, r->before);
	return x;
}

static void run_reg(struct env *e, int want)
{
	const struct row *r = e->row;
	int ret;

	r->set(e);
	/* a hand-made ctx (a ring the engine refuses) goes straight to the seam */
	if (r->set == s_null_reg)
		ret = OPS(e)->register_ifq(C(e), NULL);
	else if (e->has_bare)
		ret = OPS(e)->register_ifq(C(e), &e->reg);
	else
		ret = zcrx_register_raw(e->ctx, &e->reg);
	assert_int_equal(ret, want);
	if (!ret && r->check)
		r->check(e);
	if (ret && r->refused)
		r->refused(e);
}

static void run_ctrl(struct env *e, int want)
{
	if (!is_kernel(e) || e->nodev)
		reg_good(e, e->gen == ZCRX_GEN_NONE ? -1 : (int)gen_mask(e->gen), false);
	e->ctrl.zcrx_id = e->id;
	e->row->set(e);
	assert_int_equal(zcrx_ctrl_raw(C(e), &e->ctrl), want);
}

static void run_case(void **state)
{
	struct ccase *cc = *state;
	struct env *e = cc->e;
	const struct row *r = e->row;
	int want = 0, ret;

	if (!is_kernel(e))
		want = r->exp[e->t];
	else if (r->kpol == K_SELF)
		e->nodev = has_nodev();
	else
		want = kernel_expected(e);
	structs_init(e);
	ret = make_ctx(e);
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

static void kernel_facts(void)
{
	struct utsname u;
	const char *vm = getenv("ZCRX_VM_KERNEL");

	zcrx_caps_probe(&kcaps);
	lo_index = if_nametoindex("lo");
	if (!uname(&u))
		sscanf(u.release, "%u.%u", &kmaj, &kmin);
	snprintf(kver, sizeof(kver), "%u.%u", kmaj, kmin);
	if (getenv("ZCRX_IN_VM"))
		slow = 20;
	if (vm && *vm && strncmp(u.release, vm, strlen(vm)))
		fprintf(stderr, "# ZCRX_VM_KERNEL=%s but this kernel is %s\n", vm, u.release);
}

int main(void)
{
	size_t nrows = sizeof(rows) / sizeof(rows[0]), n = 0;
	struct CMUnitTest *tests = calloc(nrows * T_COUNT, sizeof(*tests));
	struct ccase *cases = calloc(nrows * T_COUNT, sizeof(*cases));
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
	ret = _cmocka_run_group_tests("conformance", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free((char *)tests[i].name);
	free(tests);
	free(cases);
	return ret;
}
