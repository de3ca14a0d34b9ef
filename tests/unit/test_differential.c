// SPDX-License-Identifier: MIT
/*
 * Differential: each scenario runs twice, on the simulator's 7.2 model and
 * on this machine's kernel (7.2 or later), and what the two let an
 * application observe must be the same: registration write-backs, errnos,
 * CQEs (user_data, res, the buffer, whether more follow, and flags where
 * both can carry them), event latching, stats, refill-ring heads.  Both
 * sides register with ZCRX_REG_NODEV and receive from a loopback TCP
 * connection, so no NIC is needed; the simulator reads the same socket the
 * kernel would.  Nothing here says what the answer is: the kernel does.
 * Where a later kernel writes something else on purpose (§12.3), the table
 * of version differences says so.
 */
#include <fcntl.h>
#include <stdio.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include "engine_fixture.h"

#define AREA_PAGES	16
#define BIG_PAGES	256		/* the 8 MiB stream recycles these */
#define REGION_PAGES	132
#define RQ		64
#define EV_UD		0x7a637278ffff0000ULL
#define RECV_UD		0x1234ULL
#define MAX_REC		128
#define MAX_NOTES	384
#define KV(maj, min)	((maj) * 100 + (min))

static struct zcrx_caps kcaps;
static char kver[64];
static unsigned int kmaj, kmin;
static int slow = 1;

/* One backend running a scenario: the simulator or the kernel. */
struct side {
	bool			kernel;
	const char		*name;
	struct zcrx_ctx		*ctx;
	struct io_uring		ring;		/* a hand-made ring for the ring rows */
	struct zcrx_ctx		bare;
	bool			has_ring, has_bare;
	struct io_uring_zcrx_ifq_reg	reg;
	struct io_uring_zcrx_area_reg	area;
	struct io_uring_region_desc	rd;
	struct zcrx_event_desc	ed;
	uint8_t			*area_mem, *region_mem, *none;
	uint32_t		id, rq_tail;
	int			lfd, srv, cli;
	uint64_t		tx, rx;
	bool			stream_ok;
};

struct note {
	char		what[64];
	int64_t		v;
};

/* What one side let the application observe, in order. */
struct notes {
	int		n;
	struct note	at[MAX_NOTES];
};

struct rec {
	uint64_t	ud;
	int		res;
	uint32_t	flags;
	uint64_t	off;
	bool		more;
};

struct scenario {
	const char	*name;
	void		(*run)(struct side *s, struct notes *o);
	unsigned int	area_pages;
	enum ring_kind	{ RING_STD, RING_NO_DEFER, RING_NO_CQE32 } ring;
};

static __attribute__((format(printf, 3, 4)))
void note(struct notes *o, int64_t v, const char *fmt, ...)
{
	va_list ap;

	assert_true(o->n < MAX_NOTES);
	va_start(ap, fmt);
	vsnprintf(o->at[o->n].what, sizeof(o->at[o->n].what), fmt, ap);
	va_end(ap);
	o->at[o->n++].v = v;
}

static int tmo(int ms)
{
	return ms * slow;
}

/* ------------------------------------------------------------------ */
/* A side                                                              */
/* ------------------------------------------------------------------ */

static struct zcrx_ctx *C(struct side *s)
{
	return s->has_bare ? &s->bare : s->ctx;
}

static const struct zcrx_caps *caps_of(struct side *s)
{
	return s->kernel ? &kcaps : &C(s)->caps;
}

/* Where the RQE array ends: the query's header, then rq_entries (rounded up) RQEs. */
static uint64_t rqes_end(struct side *s)
{
	const struct zcrx_caps *c = caps_of(s);
	uint64_t align = c->rq_hdr_alignment ? c->rq_hdr_alignment : 1;
	uint64_t entries = 1;

	while (entries < s->reg.rq_entries)
		entries <<= 1;
	return (c->rq_hdr_size + align - 1) / align * align + 16 * entries;
}

static void structs_init(struct side *s, unsigned int area_pages)
{
	memset(&s->reg, 0, sizeof(s->reg));
	memset(&s->ed, 0, sizeof(s->ed));
	s->area = (struct io_uring_zcrx_area_reg){
		.addr = (uintptr_t)s->area_mem, .len = area_pages * PAGE,
	};
	s->rd = (struct io_uring_region_desc){
		.user_addr = (uintptr_t)s->region_mem, .size = PAGE,
		.flags = IORING_MEM_REGION_TYPE_USER,
	};
	s->reg.flags = ZCRX_REG_NODEV;
	s->reg.rq_entries = RQ;
	s->reg.area_ptr = (uintptr_t)&s->area;
	s->reg.region_ptr = (uintptr_t)&s->rd;
}

/* A ring the engine would refuse, wrapped in a ctx the seam accepts. */
static int bare_ctx(struct side *s, unsigned int flags)
{
	int ret = io_uring_queue_init(8, &s->ring, flags);

	if (ret)
		return ret;
	s->has_ring = true;
	s->bare.ring = &s->ring;
	s->bare.ring_flags = flags;
	s->bare.ops = s->kernel ? &zcrx_kernel_backend : &zcrx_sim_backend;
	s->bare.sim.gen = ZCRX_GEN_7_2;
	if (s->bare.ops->init && (ret = s->bare.ops->init(&s->bare)))
		return ret;
	s->has_bare = true;
	return 0;
}

static void side_open(struct side *s, bool kernel, const struct scenario *sc)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .rx_ring = 8, .seed = 7 };
	struct zcrx_ctx_opts o = { .sim = &sp };
	unsigned int flags = ZCRX_SETUP_SINGLE_ISSUER | ZCRX_SETUP_DEFER_TASKRUN;
	size_t area_len = BIG_PAGES * PAGE;
	int ret;

	memset(s, 0, sizeof(*s));
	s->kernel = kernel;
	s->name = kernel ? "kernel" : "sim";
	s->lfd = s->srv = s->cli = -1;
	s->area_mem = mmap(NULL, area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	s->region_mem = mmap(NULL, REGION_PAGES * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(s->area_mem != MAP_FAILED && s->region_mem != MAP_FAILED &&
		    s->none != MAP_FAILED);
	structs_init(s, sc->area_pages ? sc->area_pages : AREA_PAGES);

	o.backend = kernel ? ZCRX_BACKEND_KERNEL : ZCRX_BACKEND_SIM;
	if (sc->ring == RING_STD)
		ret = zcrx_ctx_create(&s->ctx, &o);
	else
		ret = bare_ctx(s, sc->ring == RING_NO_DEFER ? 0 : flags);
	if (ret)
		fail_msg("%s: no ctx: %s", s->name, strerror(-ret));
}

static void side_close(struct side *s)
{
	if (s->ctx)
		zcrx_ctx_destroy(s->ctx);
	if (s->has_bare && s->bare.ops->fini)
		s->bare.ops->fini(&s->bare);
	if (s->has_ring)
		io_uring_queue_exit(&s->ring);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->srv >= 0)
		close(s->srv);
	if (s->cli >= 0)
		close(s->cli);
	munmap(s->area_mem, BIG_PAGES * PAGE);
	munmap(s->region_mem, REGION_PAGES * PAGE);
	munmap(s->none, PAGE);
}

/* ------------------------------------------------------------------ */
/* Driving a side like an application                                  */
/* ------------------------------------------------------------------ */

static struct io_uring *ring_of(struct side *s)
{
	return C(s)->ring;
}

static int do_register(struct side *s)
{
	return C(s)->ops->register_ifq(C(s), &s->reg);
}

static void with_events(struct side *s, uint32_t mask)
{
	s->ed.user_data = EV_UD;
	s->ed.type_mask = mask;
	s->reg.event_desc = (uintptr_t)&s->ed;
}

static void with_stats(struct side *s)
{
	s->ed.flags = ZCRX_EVENT_DESC_FLAG_STATS;
	s->ed.stats_offset = rqes_end(s);
	s->reg.event_desc = (uintptr_t)&s->ed;
}

static struct zcrx_stats *stats_of(struct side *s)
{
	return (struct zcrx_stats *)(s->region_mem + s->ed.stats_offset);
}

static void reg_good(struct side *s, int mask, bool stats)
{
	if (mask >= 0)
		with_events(s, mask);
	if (stats)
		with_stats(s);
	assert_int_equal(do_register(s), 0);
	s->id = s->reg.zcrx_id;
}

static int ctrl(struct side *s, uint32_t op, uint32_t arg)
{
	struct zcrx_ctrl c = { .zcrx_id = s->id, .op = op };

	c.zc_arm_event.event_type = arg;
	return zcrx_ctrl_raw(C(s), &c);
}

static uint32_t rq_head(struct side *s)
{
	return __atomic_load_n((uint32_t *)(s->region_mem + s->reg.offsets.head),
			       __ATOMIC_ACQUIRE);
}

static void give_back(struct side *s, uint64_t off)
{
	struct io_uring_zcrx_rqe *rqes = (void *)(s->region_mem + s->reg.offsets.rqes);
	struct io_uring_zcrx_rqe *rqe = &rqes[s->rq_tail++ & (s->reg.rq_entries - 1)];

	rqe->off = off;
	rqe->len = PAGE;
	rqe->__pad = 0;
	__atomic_store_n((uint32_t *)(s->region_mem + s->reg.offsets.tail), s->rq_tail,
			 __ATOMIC_RELEASE);
}

static int reap(struct side *s, struct rec *out, int max)
{
	const struct zcrx_backend_ops *ops = C(s)->ops;
	struct io_uring_cqe *cqe;
	int n = 0;

	io_uring_submit(ring_of(s));
	while (n < max && !io_uring_peek_cqe(ring_of(s), &cqe)) {
		if (!ops->own_cqe || !ops->own_cqe(C(s), cqe))
			out[n++] = (struct rec){
				.ud = cqe->user_data, .res = cqe->res, .flags = cqe->flags,
				.off = cqe->big_cqe[0], .more = ops->cqe_more(C(s), s->id, cqe),
			};
		io_uring_cqe_seen(ring_of(s), cqe);
	}
	return n;
}

static int reap_wait(struct side *s, struct rec *out, int max, int want, int timeout_ms)
{
	struct __kernel_timespec ts = { .tv_nsec = 10 * 1000000 };
	struct io_uring_cqe *cqe;
	int n = 0;

	for (int waited = 0; n < want && waited < timeout_ms; waited += 10) {
		io_uring_submit_and_wait_timeout(ring_of(s), &cqe, 1, &ts, NULL);
		n += reap(s, out + n, max - n);
	}
	return n;
}

/* Until bytes of data came or the receive ended; then what else is due. */
static int reap_data(struct side *s, struct rec *r, int max, uint32_t bytes)
{
	uint32_t got = 0;
	bool ended = false;
	int n = 0, k;

	for (int waited = 0; got < bytes && !ended && waited < tmo(2000); waited += 10) {
		k = reap_wait(s, r + n, max - n, 1, 10);
		for (int i = n; i < n + k; i++) {
			if (r[i].ud != RECV_UD)
				continue;
			got += r[i].res > 0 ? r[i].res : 0;
			ended |= !r[i].more;
		}
		n += k;
	}
	return n + reap_wait(s, r + n, max - n, max - n, tmo(20));
}

static uint8_t tcp_byte(uint64_t i)
{
	return (i ^ (i >> 8) ^ (i >> 16)) * 31 + 5;
}

static void tcp_pair(struct side *s)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t sl = sizeof(sa);

	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	s->cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0 && s->cli >= 0);
	assert_int_equal(bind(s->lfd, (void *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->lfd, 1), 0);
	assert_int_equal(getsockname(s->lfd, (void *)&sa, &sl), 0);
	assert_int_equal(connect(s->cli, (void *)&sa, sizeof(sa)), 0);
	s->srv = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(s->srv >= 0);
	s->stream_ok = true;
}

/* The next len bytes of the stream, in one write. */
static void tx(struct side *s, uint32_t len)
{
	static uint8_t buf[65536];

	assert_true(len <= sizeof(buf));
	for (uint32_t i = 0; i < len; i++)
		buf[i] = tcp_byte(s->tx + i);
	assert_int_equal(write(s->cli, buf, len), (ssize_t)len);
	s->tx += len;
}

static void recv_start(struct side *s, uint32_t len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring_of(s));

	assert_non_null(sqe);
	assert_int_equal(C(s)->ops->prep_recv(C(s), s->id, sqe, s->srv, len, RECV_UD), 0);
	io_uring_submit(ring_of(s));
}

static void tcp_recv(struct side *s, int mask, bool stats, uint32_t len)
{
	tcp_pair(s);
	reg_good(s, mask, stats);
	recv_start(s, len);
}

/* Do len bytes at the CQE offset off continue the stream? */
static bool stream_at(struct side *s, uint64_t off, int len)
{
	const uint8_t *p = s->area_mem + (off & ~IORING_ZCRX_AREA_MASK);

	for (int k = 0; k < len; k++)
		if (p[k] != tcp_byte(s->rx + k))
			return false;
	return true;
}

/* Each CQE as an application sees it; data is checked against the stream. */
static void note_cqes(struct side *s, struct notes *o, const struct rec *r, int n)
{
	note(o, n, "CQEs");
	for (int i = 0; i < n; i++) {
		note(o, r[i].ud, "CQE %d: user_data", i);
		note(o, r[i].res, "CQE %d: res", i);
		if (r[i].ud == EV_UD) {
			/* an event's bytes 16..31 are stale on 7.2: never read them */
			note(o, r[i].flags, "CQE %d: event flags", i);
			continue;
		}
		note(o, r[i].more, "CQE %d: more to come", i);
		if (r[i].res <= 0) {
			note(o, r[i].flags, "CQE %d: final flags", i);
			continue;
		}
		note(o, (int64_t)(r[i].off / PAGE), "CQE %d: buffer", i);
		note(o, r[i].off % PAGE, "CQE %d: offset in the buffer", i);
		s->stream_ok &= stream_at(s, r[i].off, r[i].res);
		s->rx += r[i].res;
	}
	note(o, s->stream_ok, "the stream arrived intact so far");
}

static void note_stats(struct side *s, struct notes *o)
{
	note(o, stats_of(s)->copy_count, "stats copy_count");
	note(o, stats_of(s)->copy_bytes, "stats copy_bytes");
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */
/* ------------------------------------------------------------------ */

static void note_writeback(struct side *s, struct notes *o)
{
	note(o, s->reg.zcrx_id, "zcrx_id");
	note(o, s->reg.rq_entries, "rq_entries");
	note(o, s->reg.offsets.head, "offsets.head");
	note(o, s->reg.offsets.tail, "offsets.tail");
	note(o, s->reg.offsets.rqes, "offsets.rqes");
	note(o, s->reg.rx_buf_len, "rx_buf_len");
	note(o, s->area.rq_area_token, "rq_area_token");
	note(o, s->rd.mmap_offset, "region mmap_offset");
	note(o, s->reg.if_idx, "if_idx");
	note(o, s->reg.flags, "flags");
}

static void sc_writeback(struct side *s, struct notes *o)
{
	s->reg.rq_entries = 100;
	s->rd.size = 2 * PAGE;
	with_events(s, ZCRX_EV_MASK_ALL);
	with_stats(s);
	memset(stats_of(s), 0xff, sizeof(struct zcrx_stats));
	assert_int_equal(do_register(s), 0);
	note_writeback(s, o);
	note_stats(s, o);
}

static void sc_ids(struct side *s, struct notes *o)
{
	for (int i = 0; i < 3; i++) {
		s->reg.zcrx_id = 0;
		s->area.rq_area_token = 0;
		note(o, do_register(s), "register %d", i);
		note(o, s->reg.zcrx_id, "zcrx_id %d", i);
	}
}

/* The same registration, mutated: both must refuse it (or take it) alike. */
struct bad {
	const char	*name;
	void		(*set)(struct side *s);
};

static void b_resv(struct side *s) { s->reg.__resv[0] = 1; }
static void b_zcrx_id(struct side *s) { s->reg.zcrx_id = 3; }
static void b_flag(struct side *s) { s->reg.flags |= 1U << 5; }
static void b_import(struct side *s) { s->reg.flags |= ZCRX_REG_IMPORT; }
static void b_region_null(struct side *s) { s->reg.region_ptr = 0; }
static void b_region_none(struct side *s) { s->reg.region_ptr = (uintptr_t)s->none; }
static void b_rxq_all(struct side *s) { s->reg.if_rxq = ~0U; }
static void b_ifidx(struct side *s) { s->reg.if_idx = 1; }
static void b_rxq(struct side *s) { s->reg.if_rxq = 1; }
static void b_rq0(struct side *s) { s->reg.rq_entries = 0; }
static void b_rq_big(struct side *s) { s->reg.rq_entries = 32769; }
static void b_area_null(struct side *s) { s->reg.area_ptr = 0; }
static void b_ev_none(struct side *s) { s->reg.event_desc = (uintptr_t)s->none; }
static void b_ev_bit2(struct side *s) { with_events(s, 1U << 2); }
static void b_ev_flag2(struct side *s) { with_events(s, 1); s->ed.flags = 2; }
static void b_ev_off(struct side *s) { with_events(s, 1); s->ed.stats_offset = 2048; }
static void b_ev_resv(struct side *s) { with_events(s, 1); s->ed.__resv2[0] = 1; }
static void b_rd_size0(struct side *s) { s->rd.size = 0; }
static void b_rd_small(struct side *s) { s->reg.rq_entries = 512; }
static void b_rd_addr(struct side *s) { s->rd.user_addr += 64; }
static void b_rd_size(struct side *s) { s->rd.size += 64; }
static void b_rd_mmap(struct side *s) { s->rd.mmap_offset = PAGE; }
static void b_rd_id(struct side *s) { s->rd.id = 1; }
static void b_rd_resv(struct side *s) { s->rd.__resv[0] = 1; }
static void b_rd_flag(struct side *s) { s->rd.flags |= 4; }
static void b_rd_addr0(struct side *s) { s->rd.user_addr = 0; }
static void b_rd_nouser(struct side *s) { s->rd.flags = 0; }
static void b_rd_none(struct side *s) { s->rd.user_addr = (uintptr_t)s->none; }
static void b_rd_ro(struct side *s) { mprotect(s->region_mem, PAGE, PROT_READ); }
static void b_st_align(struct side *s) { with_stats(s); s->ed.stats_offset += 4; }
static void b_st_rqes(struct side *s) { with_stats(s); s->ed.stats_offset -= 8; }
static void b_st_last(struct side *s) { with_stats(s); s->ed.stats_offset = PAGE - 16; }
static void b_st_past(struct side *s) { with_stats(s); s->ed.stats_offset = PAGE - 8; }
static void b_st_wrap(struct side *s) { with_stats(s); s->ed.stats_offset = ~7ULL; }
static void b_buf2p(struct side *s) { s->reg.rx_buf_len = 2 * PAGE; }
static void b_buf3p(struct side *s) { s->reg.rx_buf_len = 3 * PAGE; }
static void b_buf_half(struct side *s) { s->reg.rx_buf_len = PAGE / 2; }
static void b_ar_len0(struct side *s) { s->area.len = 0; }
static void b_ar_2t(struct side *s) { s->area.len = 2ULL << 40; }
static void b_ar_flag(struct side *s) { s->area.flags = 4; }
static void b_ar_dmabuf(struct side *s) { s->area.flags = IORING_ZCRX_AREA_DMABUF; }
static void b_ar_token(struct side *s) { s->area.rq_area_token = 1ULL << 48; }
static void b_ar_resv(struct side *s) { s->area.__resv2[0] = 1; }
static void b_ar_addr(struct side *s) { s->area.addr += 64; }
static void b_ar_len(struct side *s) { s->area.len -= 64; }
static void b_ar_addr0(struct side *s) { s->area.addr = 0; }
static void b_ar_fd(struct side *s) { s->area.dmabuf_fd = 1; }
static void b_ar_none(struct side *s) { s->area.addr = (uintptr_t)s->none; s->area.len = PAGE; }

static const struct bad bads[] = {
	{ "reserved ifq_reg bytes", b_resv },
	{ "zcrx_id set on input", b_zcrx_id },
	{ "an unknown registration flag", b_flag },
	{ "IMPORT with a full registration", b_import },
	{ "a NULL region_ptr", b_region_null },
	{ "an unreadable region descriptor", b_region_none },
	{ "if_rxq ~0", b_rxq_all },
	{ "NODEV with an if_idx", b_ifidx },
	{ "NODEV with an if_rxq", b_rxq },
	{ "rq_entries 0", b_rq0 },
	{ "rq_entries 32769 without CLAMP", b_rq_big },
	{ "a NULL area_ptr", b_area_null },
	{ "an unreadable event descriptor", b_ev_none },
	{ "type_mask bit 2", b_ev_bit2 },
	{ "event descriptor flags bit 1", b_ev_flag2 },
	{ "stats_offset without FLAG_STATS", b_ev_off },
	{ "reserved event descriptor bytes", b_ev_resv },
	{ "a region of size 0", b_rd_size0 },
	{ "a region too small for the RQEs", b_rd_small },
	{ "a region address off a page", b_rd_addr },
	{ "a region size off a page multiple", b_rd_size },
	{ "a region mmap_offset on input", b_rd_mmap },
	{ "a region id", b_rd_id },
	{ "reserved region bytes", b_rd_resv },
	{ "an unknown region flag", b_rd_flag },
	{ "a user region at address 0", b_rd_addr0 },
	{ "a user_addr without the USER flag", b_rd_nouser },
	{ "an unmapped region", b_rd_none },
	{ "a read-only region", b_rd_ro },
	{ "a stats_offset off 8 bytes", b_st_align },
	{ "a stats block inside the RQEs", b_st_rqes },
	{ "a stats block in the region's last 16 bytes", b_st_last },
	{ "a stats block past the region", b_st_past },
	{ "a stats_offset that wraps", b_st_wrap },
	{ "rx_buf_len of two pages", b_buf2p },
	{ "rx_buf_len of three pages", b_buf3p },
	{ "rx_buf_len of half a page", b_buf_half },
	{ "an area of length 0", b_ar_len0 },
	{ "an area of 2 TiB", b_ar_2t },
	{ "an unknown area flag", b_ar_flag },
	{ "a dmabuf area", b_ar_dmabuf },
	{ "rq_area_token on input", b_ar_token },
	{ "reserved area bytes", b_ar_resv },
	{ "an area address off a page", b_ar_addr },
	{ "an area length off a page multiple", b_ar_len },
	{ "an area at address 0", b_ar_addr0 },
	{ "a dmabuf_fd with user memory", b_ar_fd },
	{ "an unmapped area", b_ar_none },
};

static const struct bad *cur_bad;

static void sc_bad(struct side *s, struct notes *o)
{
	int ret;

	s->reg.rq_entries = 100;
	cur_bad->set(s);
	ret = do_register(s);
	note(o, ret, "register");
	/* copy_to_user comes last: a refusal writes nothing back */
	if (ret)
		note_writeback(s, o);
}

static void sc_ring_no_defer(struct side *s, struct notes *o)
{
	note(o, do_register(s), "register on a ring without DEFER_TASKRUN");
}

static void sc_ring_no_cqe32(struct side *s, struct notes *o)
{
	note(o, do_register(s), "register on a ring without CQE32 or CQE_MIXED");
}

/* ------------------------------------------------------------------ */
/* Control                                                             */
/* ------------------------------------------------------------------ */

struct cbad {
	const char	*name;
	void		(*set)(struct zcrx_ctrl *c);
};

static void c_flush(struct zcrx_ctrl *c) { c->op = ZCRX_CTRL_FLUSH_RQ; }
static void c_resv(struct zcrx_ctrl *c) { c->__resv[1] = 1; }
static void c_bad_id(struct zcrx_ctrl *c) { c->zcrx_id = 77; }
static void c_resv_bad_id(struct zcrx_ctrl *c) { c_resv(c); c_bad_id(c); }
static void c_op99(struct zcrx_ctrl *c) { c->op = 99; }
static void c_bad_id_op99(struct zcrx_ctrl *c) { c_bad_id(c); c_op99(c); }
static void c_flush_payload(struct zcrx_ctrl *c) { c->zc_flush.__resv[0] = 1; }
static void c_arm(struct zcrx_ctrl *c) { c->op = ZCRX_CTRL_ARM_EVENT; }
static void c_arm2(struct zcrx_ctrl *c) { c_arm(c); c->zc_arm_event.event_type = 2; }
static void c_arm_resv(struct zcrx_ctrl *c) { c_arm(c); c->zc_arm_event.__resv[0] = 1; }
static void c_arm_copy(struct zcrx_ctrl *c) { c_arm(c); c->zc_arm_event.event_type = 1; }

static void c_export_payload(struct zcrx_ctrl *c)
{
	c->op = ZCRX_CTRL_EXPORT;
	c->zc_export.zcrx_fd = 1;
}

static const struct cbad cbads[] = {
	{ "FLUSH_RQ on an empty refill ring", c_flush },
	{ "reserved ctrl bytes", c_resv },
	{ "an unknown zcrx_id", c_bad_id },
	{ "reserved bytes and an unknown zcrx_id", c_resv_bad_id },
	{ "op 99", c_op99 },
	{ "op 99 on an unknown zcrx_id", c_bad_id_op99 },
	{ "FLUSH_RQ with a payload", c_flush_payload },
	{ "EXPORT with a payload", c_export_payload },
	{ "ARM_EVENT of type 2", c_arm2 },
	{ "ARM_EVENT with reserved bytes", c_arm_resv },
	{ "ARM_EVENT of COPY before any copy", c_arm_copy },
	{ "ARM_EVENT of ALLOC_FAIL before any failure", c_arm },
};

static const struct cbad *cur_cbad;

static void sc_ctrl(struct side *s, struct notes *o)
{
	struct zcrx_ctrl c = { 0 };

	reg_good(s, ZCRX_EV_MASK_ALL, false);
	c.zcrx_id = s->id;
	cur_cbad->set(&c);
	note(o, zcrx_ctrl_raw(C(s), &c), "ctrl");
}

/* ------------------------------------------------------------------ */
/* Receiving: NODEV copies over loopback TCP                           */
/* ------------------------------------------------------------------ */

static void sc_copy_cqes(struct side *s, struct notes *o)
{
	struct rec r[MAX_REC];

	tcp_recv(s, -1, false, 0);
	tx(s, 20000);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 20000));
}

static void sc_copy_event(struct side *s, struct notes *o)
{
	struct rec r[MAX_REC];

	tcp_recv(s, ZCRX_EV_MASK_ALL, false, 0);
	tx(s, 20000);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 20000));
}

static void sc_latch(struct side *s, struct notes *o)
{
	struct rec r[MAX_REC];

	tcp_recv(s, ZCRX_EV_MASK_ALL, false, 0);
	tx(s, PAGE);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, PAGE));
	tx(s, PAGE);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, PAGE));
	note(o, ctrl(s, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), "arm copy");
	note(o, ctrl(s, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), "arm copy again");
	tx(s, PAGE);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, PAGE));
	note(o, ctrl(s, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), "arm alloc-fail");
}

static void sc_outside_mask(struct side *s, struct notes *o)
{
	struct rec r[MAX_REC];

	tcp_recv(s, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), false, 0);
	tx(s, 20000);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 20000));
	note(o, ctrl(s, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), "arm copy");
}

static void sc_stats(struct side *s, struct notes *o)
{
	struct rec r[MAX_REC];

	tcp_recv(s, ZCRX_EV_MASK_ALL, true, 0);
	note_stats(s, o);
	tx(s, 20000);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 20000));
	note_stats(s, o);
	tx(s, 10000);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 10000));
	note_stats(s, o);
}

static void sc_stats_mask0(struct side *s, struct notes *o)
{
	struct rec r[MAX_REC];

	tcp_recv(s, 0, true, 0);
	tx(s, 20000);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 20000));
	note_stats(s, o);
}

/* Give every data CQE back, flushing whenever the refill ring is full, then once more. */
static void recycle(struct side *s, const struct rec *r, int n, bool *ended)
{
	for (int i = 0; i < n; i++) {
		if (r[i].ud != RECV_UD)
			continue;
		if (r[i].res <= 0) {
			*ended = true;
			continue;
		}
		if (s->rq_tail - rq_head(s) == s->reg.rq_entries)
			assert_int_equal(ctrl(s, ZCRX_CTRL_FLUSH_RQ, 0), 0);
		give_back(s, r[i].off);
	}
	assert_int_equal(ctrl(s, ZCRX_CTRL_FLUSH_RQ, 0), 0);
}

/*
 * 8 MiB through 256 buffers: the counts differ with how the kernel's sender
 * cut its fragments, so what is compared is what holds on both sides.
 */
static void sc_stream_8m(struct side *s, struct notes *o)
{
	static uint8_t chunk[65536];
	const uint64_t total = 8 << 20;
	uint64_t sent = 0, cqes = 0, stalls = 0;
	struct rec r[MAX_REC];
	bool ended = false;
	ssize_t k;
	int n;

	tcp_recv(s, ZCRX_EV_MASK_ALL, true, 0);
	assert_int_equal(fcntl(s->cli, F_SETFL, O_NONBLOCK), 0);
	for (int guard = 0; s->rx < total && guard < 200000; guard++) {
		for (uint32_t i = 0; sent < total && i < sizeof(chunk); i++)
			chunk[i] = tcp_byte(sent + i);
		k = sent < total ? send(s->cli, chunk, sizeof(chunk) < total - sent ?
					sizeof(chunk) : total - sent, MSG_DONTWAIT) : 0;
		sent += k > 0 ? k : 0;
		n = reap_wait(s, r, MAX_REC, 1, 10);
		for (int i = 0; i < n; i++) {
			if (r[i].ud != RECV_UD || r[i].res <= 0)
				continue;
			cqes++;
			s->stream_ok &= stream_at(s, r[i].off, r[i].res);
			s->rx += r[i].res;
		}
		recycle(s, r, n, &ended);
		if (ended) {
			stalls++;
			ended = false;
			recv_start(s, 0);
		}
	}
	note(o, s->rx, "bytes received");
	note(o, s->stream_ok, "the stream arrived intact");
	note(o, stats_of(s)->copy_bytes, "stats copy_bytes");
	note(o, stats_of(s)->copy_count > 0, "copy_count > 0");
	note(o, stats_of(s)->copy_count < cqes, "copy_count counts fragments: fewer than CQEs");
	note(o, cqes >= total / PAGE, "a CQE holds a page at most");
	print_message("# %s: %llu CQEs, copy_count %llu, %llu receives ended with -ENOMEM\n",
		      s->name, (unsigned long long)cqes,
		      (unsigned long long)stats_of(s)->copy_count, (unsigned long long)stalls);
}

/* 4 buffers, 6 pages sent: the receive takes 4, then ends starved. */
static void starve(struct side *s, struct notes *o, int mask)
{
	struct rec r[MAX_REC];

	tcp_recv(s, mask, false, 0);
	tx(s, 6 * PAGE);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 6 * PAGE));
}

static uint64_t buf_off(uint32_t idx)
{
	return (uint64_t)idx * PAGE;
}

static void sc_starve(struct side *s, struct notes *o)
{
	starve(s, o, ZCRX_EV_MASK_ALL);
	note(o, ctrl(s, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), "arm alloc-fail");
}

static void resubmit(struct side *s, struct notes *o)
{
	struct rec r[MAX_REC];

	recv_start(s, 0);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 2 * PAGE));
}

static void sc_no_flush(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	for (uint32_t i = 0; i < 4; i++)
		give_back(s, buf_off(i));
	resubmit(s, o);
	note(o, rq_head(s), "refill head");
}

static void sc_flush_resume(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	for (uint32_t i = 0; i < 4; i++)
		give_back(s, buf_off(i));
	note(o, ctrl(s, ZCRX_CTRL_FLUSH_RQ, 0), "flush");
	note(o, rq_head(s), "refill head");
	resubmit(s, o);
}

static void sc_flush_bad(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	give_back(s, buf_off(2));
	give_back(s, buf_off(1) | 1ULL << IORING_ZCRX_AREA_SHIFT);
	give_back(s, buf_off(1));
	give_back(s, buf_off(99));
	give_back(s, buf_off(0));
	for (int i = 0; i < 3; i++) {
		note(o, ctrl(s, ZCRX_CTRL_FLUSH_RQ, 0), "flush %d", i);
		note(o, rq_head(s), "refill head after flush %d", i);
	}
	resubmit(s, o);
}

static void sc_duplicate(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	give_back(s, buf_off(3));
	give_back(s, buf_off(3));
	give_back(s, buf_off(7));
	note(o, ctrl(s, ZCRX_CTRL_FLUSH_RQ, 0), "flush");
	note(o, rq_head(s), "refill head");
	resubmit(s, o);
}

static void sc_inside_buffer(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	give_back(s, buf_off(1) + 100);
	give_back(s, buf_off(2) + PAGE - 1);
	note(o, ctrl(s, ZCRX_CTRL_FLUSH_RQ, 0), "flush");
	resubmit(s, o);
}

static void sc_len_cap(struct side *s, struct notes *o)
{
	struct rec r[MAX_REC];

	tcp_recv(s, -1, false, 5000);
	tx(s, 6000);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 6000));
}

static void sc_eof(struct side *s, struct notes *o)
{
	struct rec r[MAX_REC];

	tcp_recv(s, -1, false, 0);
	tx(s, 3000);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 3000));
	assert_int_equal(shutdown(s->cli, SHUT_WR), 0);
	note_cqes(s, o, r, reap_data(s, r, MAX_REC, 1));
}

static void sc_bad_fds(struct side *s, struct notes *o)
{
	int p[2], fds[3];
	struct rec r[8];

	reg_good(s, -1, false);
	s->lfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	s->srv = p[0];
	s->cli = p[1];
	fds[0] = s->lfd;
	fds[1] = p[0];
	fds[2] = 999;
	for (int i = 0; i < 3; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring_of(s));

		assert_int_equal(C(s)->ops->prep_recv(C(s), s->id, sqe, fds[i], 0, RECV_UD), 0);
		note_cqes(s, o, r, reap_wait(s, r, 8, 1, tmo(1000)));
	}
}

/* ------------------------------------------------------------------ */
/* Comparing                                                           */
/* ------------------------------------------------------------------ */

/* What a kernel newer than the simulator's 7.2 writes differently, on purpose. */
static const struct vdiff {
	const char	*what;
	unsigned int	since;
	int64_t		v72, v;
} vdiffs[] = {
	/* §12.3: head and tail on cache lines of their own */
	{ "offsets.tail", KV(7, 3), 4, 64 },
	{ "offsets.rqes", KV(7, 3), 64, 128 },
};

static int64_t kernel_should(const struct note *sim)
{
	for (size_t i = 0; i < sizeof(vdiffs) / sizeof(vdiffs[0]); i++) {
		const struct vdiff *d = &vdiffs[i];

		if (!strcmp(sim->what, d->what) && sim->v == d->v72 && KV(kmaj, kmin) >= d->since)
			return d->v;
	}
	return sim->v;
}

static void dump(const char *who, const struct notes *o)
{
	for (int i = 0; i < o->n; i++)
		print_message("#   %s: %s = %lld\n", who, o->at[i].what, (long long)o->at[i].v);
}

static void compare(const struct notes *sim, const struct notes *krn)
{
	int n = sim->n < krn->n ? sim->n : krn->n;

	for (int i = 0; i < n; i++) {
		const struct note *a = &sim->at[i], *b = &krn->at[i];

		if (strcmp(a->what, b->what) || kernel_should(a) != b->v) {
			dump("sim", sim);
			dump("kernel", krn);
			fail_msg("first difference: sim %s = %lld, kernel %s = %lld", a->what,
				 (long long)a->v, b->what, (long long)b->v);
		}
	}
	if (sim->n != krn->n) {
		dump("sim", sim);
		dump("kernel", krn);
		fail_msg("sim noted %d things, the kernel %d", sim->n, krn->n);
	}
}

static const char *kernel_lacks(void)
{
	if (kcaps.gen != ZCRX_GEN_7_2)
		return kcaps.register_flags & ZCRX_REG_NODEV ? "has no zcrx events (7.2+)" :
		       "has neither zcrx events (7.2+) nor ZCRX_REG_NODEV (7.1+)";
	if (!(kcaps.register_flags & ZCRX_REG_NODEV))
		return "has no ZCRX_REG_NODEV";
	if (kcaps.zcrx_reg_err != -EFAULT)
		return "refuses zcrx registration here (no CAP_NET_ADMIN?)";
	return NULL;
}

static void run_scenario(const struct scenario *sc)
{
	static struct notes on_sim, on_kernel;
	static struct side s;
	const char *lacks = kernel_lacks();

	if (lacks)
		skip_because("Linux %s %s: the simulator models Linux 7.2", kver, lacks);
	memset(&on_sim, 0, sizeof(on_sim));
	memset(&on_kernel, 0, sizeof(on_kernel));
	side_open(&s, false, sc);
	sc->run(&s, &on_sim);
	side_close(&s);
	side_open(&s, true, sc);
	sc->run(&s, &on_kernel);
	side_close(&s);
	compare(&on_sim, &on_kernel);
}

/* ------------------------------------------------------------------ */
/* The list                                                            */
/* ------------------------------------------------------------------ */

#define SC(n, fn, ...)	{ .name = n, .run = fn, __VA_ARGS__ }

static const struct scenario scenarios[] = {
	SC("a good registration writes back the same zcrx_id, rq_entries, offsets and"
	   " rx_buf_len, and zeroes the stats", sc_writeback),
	SC("registrations on one ring get zcrx_id 0, 1, 2", sc_ids),
	SC("a ring without DEFER_TASKRUN is refused alike", sc_ring_no_defer,
	   .ring = RING_NO_DEFER),
	SC("a ring without CQE32 or CQE_MIXED is refused alike", sc_ring_no_cqe32,
	   .ring = RING_NO_CQE32),
	SC("20,000 B arrive as the same CQEs in the same buffers", sc_copy_cqes),
	SC("the COPY event comes after the fragment's data, res 1, flags 0", sc_copy_event),
	SC("COPY is latched until ARM_EVENT; arming twice or an unfired type is EINVAL",
	   sc_latch),
	SC("a type outside type_mask posts nothing, and arming it is EINVAL", sc_outside_mask),
	SC("stats: copy_bytes is what was sent, copy_count one per fragment", sc_stats),
	SC("stats count with type_mask 0, and no event CQE comes", sc_stats_mask0),
	SC("8 MiB: the bytes all arrive and count, copy_count stays below the CQEs",
	   sc_stream_8m, .area_pages = BIG_PAGES),
	SC("a starved receive ends with -ENOMEM, flags 0; arming alloc-fail is EINVAL",
	   sc_starve, .area_pages = 4),
	SC("returned buffers wait for FLUSH_RQ: a new receive starves, the head stays",
	   sc_no_flush, .area_pages = 4),
	SC("after FLUSH_RQ a receive submitted again takes the rest, in the same buffers",
	   sc_flush_resume, .area_pages = 4),
	SC("FLUSH_RQ stops at a malformed RQE and consumes it; later flushes go on",
	   sc_flush_bad, .area_pages = 4),
	SC("a duplicate RQE is ignored", sc_duplicate, .area_pages = 4),
	SC("an RQE offset inside a buffer returns that buffer", sc_inside_buffer,
	   .area_pages = 4),
	SC("the len cap ends the receive with res 0 after exactly len bytes", sc_len_cap),
	SC("the peer's SHUT_WR ends the receive with res 0, flags 0", sc_eof),
	SC("UDP, a pipe and a bad fd end the receive with the same errnos", sc_bad_fds),
};

static void test_scenario(void **state)
{
	run_scenario(*state);
}

static void test_vm_kernel(void **state)
{
	const char *want = getenv("ZCRX_VM_KERNEL");
	struct utsname u;

	(void)state;
	assert_int_equal(uname(&u), 0);
	if (strncmp(u.release, want, strlen(want)))
		fail_msg("the VM tier asked for Linux %s, but this is %s", want, u.release);
}

static struct scenario bad_sc[sizeof(bads) / sizeof(bads[0])];
static struct scenario ctrl_sc[sizeof(cbads) / sizeof(cbads[0])];

static void test_bad(void **state)
{
	cur_bad = *state;
	run_scenario(&bad_sc[cur_bad - bads]);
}

static void test_ctrl(void **state)
{
	cur_cbad = *state;
	run_scenario(&ctrl_sc[cur_cbad - cbads]);
}

static void kernel_facts(void)
{
	struct utsname u;

	zcrx_caps_probe(&kcaps);
	if (!uname(&u)) {
		sscanf(u.release, "%u.%u", &kmaj, &kmin);
		snprintf(kver, sizeof(kver), "%u.%u", kmaj, kmin);
	}
	if (getenv("ZCRX_IN_VM"))
		slow = 20;
}

int main(void)
{
	size_t nsc = sizeof(scenarios) / sizeof(scenarios[0]);
	size_t nb = sizeof(bads) / sizeof(bads[0]), nc = sizeof(cbads) / sizeof(cbads[0]);
	struct CMUnitTest *tests = calloc(1 + nsc + nb + nc, sizeof(*tests));
	const char *vm = getenv("ZCRX_VM_KERNEL");
	size_t n = 0;
	int ret;

	if (!tests)
		return 1;
	kernel_facts();
	/* only where the VM tier says which kernel it booted */
	if (vm && *vm)
		tests[n++] = (struct CMUnitTest){ .name = "this is the kernel the VM tier booted",
						  .test_func = test_vm_kernel };
	for (size_t i = 0; i < nsc; i++)
		tests[n++] = (struct CMUnitTest){ .name = scenarios[i].name,
						  .test_func = test_scenario,
						  .initial_state = (void *)&scenarios[i] };
	for (size_t i = 0; i < nb; i++) {
		bad_sc[i] = (struct scenario)SC(bads[i].name, sc_bad);
		if (asprintf((char **)&tests[n].name, "%s is answered alike", bads[i].name) < 0)
			return 1;
		tests[n].test_func = test_bad;
		tests[n++].initial_state = (void *)&bads[i];
	}
	for (size_t i = 0; i < nc; i++) {
		ctrl_sc[i] = (struct scenario)SC(cbads[i].name, sc_ctrl);
		if (asprintf((char **)&tests[n].name, "ctrl: %s is answered alike",
			     cbads[i].name) < 0)
			return 1;
		tests[n].test_func = test_ctrl;
		tests[n++].initial_state = (void *)&cbads[i];
	}
	ret = _cmocka_run_group_tests("differential", tests, n, NULL, NULL);
	for (size_t i = n - nb - nc; i < n; i++)
		free((char *)tests[i].name);
	free(tests);
	return ret;
}
