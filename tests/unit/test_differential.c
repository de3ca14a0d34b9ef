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
 * Where a later kernel writes something else on purpose (7.3 moved the
 * refill ring's tail and rqes onto cache lines of their own), the table
 * of version differences says so.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "flow.h"

#define AREA_PAGES	16
#define BIG_PAGES	256		/* the 8 MiB stream recycles these */
#define MAX_REC		128
#define MAX_NOTES	384

static struct zcrx_caps kcaps;
static char kver[64];
static unsigned int kmaj, kmin;

/* One backend running a scenario: the simulator or the kernel. */
struct side {
	struct flow		f;
	bool			kernel;
	const char		*name;
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

/* ------------------------------------------------------------------ */
/* A side                                                              */
/* ------------------------------------------------------------------ */

static struct zcrx_ctx *C(struct side *s)
{
	return flow_ctx(&s->f);
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

	while (entries < s->f.reg.rq_entries)
		entries <<= 1;
	return (c->rq_hdr_size + align - 1) / align * align + 16 * entries;
}

static void side_open(struct side *s, bool kernel, const struct scenario *sc)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .rx_ring = 8, .seed = 7 };
	struct zcrx_ctx_opts o = { 0 };
	unsigned int flags = ZCRX_SETUP_SINGLE_ISSUER | ZCRX_SETUP_DEFER_TASKRUN;
	struct timespec t0 = { 0 };
	unsigned long need;
	int ret;

	memset(s, 0, sizeof(*s));
	s->kernel = kernel;
	s->name = kernel ? "kernel" : "sim";
	assert_int_equal(flow_map(&s->f, BIG_PAGES), 0);
	/* the 8 MiB stream takes CQEs a slice at a time */
	s->f.reap_some = true;
	flow_reg_init(&s->f, sc->area_pages ? sc->area_pages : AREA_PAGES);
	s->f.reg.flags = ZCRX_REG_NODEV;

	/* a ring, and the kernel's area (flow.h: Locked memory) */
	need = (sc->ring == RING_STD ? ring_kib(FLOW_SQ_DEFAULT, 4 * FLOW_SQ_DEFAULT, true)
				     : ring_kib(8, 16, false)) +
	       (kernel ? (1 + (sc->area_pages ? sc->area_pages : AREA_PAGES)) * PAGE / 1024
		       : ring_kib(64, 128, false));
	do {
		flow_unring(&s->f);
		if (sc->ring == RING_STD)
			ret = kernel ? zcrx_ctx_create(&s->f.ctx, &o)
				     : zcrx_sim_ctx_create(&s->f.ctx, &sp, &o);
		else
			ret = flow_bare_ctx(&s->f, sc->ring == RING_NO_DEFER ? 0 : flags, kernel,
					    &(struct zcrx_sim_params){ .gen = ZCRX_GEN_7_2 });
	} while (memlock_again(ret, need, &t0));
	if (ret)
		fail_msg("%s: no ctx: %s", s->name, strerror(-ret));
}

/* ------------------------------------------------------------------ */
/* Driving a side like an application                                  */
/* ------------------------------------------------------------------ */

static int do_register(struct side *s)
{
	return zcrx_register_raw(C(s), &s->f.reg);
}

static void stats_after_rqes(struct side *s)
{
	with_stats(&s->f, rqes_end(s));
}

static void reg_good(struct side *s, int mask, bool stats)
{
	flow_register(&s->f, mask, stats ? rqes_end(s) : 0);
}

static void tcp_recv(struct side *s, int mask, bool stats, uint32_t len)
{
	tcp_pair(&s->f.lfd, &s->f.cli, &s->f.srv);
	s->stream_ok = true;
	reg_good(s, mask, stats);
	recv_start(&s->f, s->f.srv, len, RECV_UD);
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
		s->stream_ok &= stream_differs(&s->f, r[i].off, r[i].res) < 0;
		s->f.rx += r[i].res;
	}
	note(o, s->stream_ok, "the stream arrived intact so far");
}

/* The CQEs until bytes of data came or the receive ended. */
static void note_data(struct side *s, struct notes *o, uint32_t bytes)
{
	struct rec r[MAX_REC];

	note_cqes(s, o, r, reap_data(&s->f, r, MAX_REC, RECV_UD, bytes));
}

/* The next bytes of the stream, and the CQEs they bring. */
static void tx_noted(struct side *s, struct notes *o, uint32_t bytes)
{
	tx(&s->f, bytes);
	note_data(s, o, bytes);
}

static void note_stats(struct side *s, struct notes *o)
{
	note(o, stats_of(&s->f)->copy_count, "stats copy_count");
	note(o, stats_of(&s->f)->copy_bytes, "stats copy_bytes");
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */
/* ------------------------------------------------------------------ */

static void note_writeback(struct side *s, struct notes *o)
{
	note(o, s->f.reg.zcrx_id, "zcrx_id");
	note(o, s->f.reg.rq_entries, "rq_entries");
	note(o, s->f.reg.offsets.head, "offsets.head");
	note(o, s->f.reg.offsets.tail, "offsets.tail");
	note(o, s->f.reg.offsets.rqes, "offsets.rqes");
	note(o, s->f.reg.rx_buf_len, "rx_buf_len");
	note(o, s->f.area.rq_area_token, "rq_area_token");
	note(o, s->f.rd.mmap_offset, "region mmap_offset");
	note(o, s->f.reg.if_idx, "if_idx");
	note(o, s->f.reg.flags, "flags");
}

static void sc_writeback(struct side *s, struct notes *o)
{
	s->f.reg.rq_entries = 100;
	s->f.rd.size = 2 * PAGE;
	with_events(&s->f, ZCRX_EV_MASK_ALL);
	stats_after_rqes(s);
	memset(stats_of(&s->f), 0xff, sizeof(struct zcrx_stats));
	assert_int_equal(do_register(s), 0);
	note_writeback(s, o);
	note_stats(s, o);
}

static void sc_ids(struct side *s, struct notes *o)
{
	for (int i = 0; i < 3; i++) {
		s->f.reg.zcrx_id = 0;
		s->f.area.rq_area_token = 0;
		note(o, do_register(s), "register %d", i);
		note(o, s->f.reg.zcrx_id, "zcrx_id %d", i);
	}
}

/* The same registration, mutated: both must refuse it (or take it) alike. */
struct bad {
	const char	*name;
	void		(*set)(struct side *s);
};

static void b_resv(struct side *s) { s->f.reg.__resv[0] = 1; }
static void b_zcrx_id(struct side *s) { s->f.reg.zcrx_id = 3; }
static void b_flag(struct side *s) { s->f.reg.flags |= 1U << 5; }
static void b_import(struct side *s) { s->f.reg.flags |= ZCRX_REG_IMPORT; }
static void b_region_null(struct side *s) { s->f.reg.region_ptr = 0; }
static void b_region_none(struct side *s) { s->f.reg.region_ptr = (uintptr_t)s->f.none; }
static void b_rxq_all(struct side *s) { s->f.reg.if_rxq = ~0U; }
static void b_ifidx(struct side *s) { s->f.reg.if_idx = 1; }
static void b_rxq(struct side *s) { s->f.reg.if_rxq = 1; }
static void b_rq0(struct side *s) { s->f.reg.rq_entries = 0; }
static void b_rq_big(struct side *s) { s->f.reg.rq_entries = 32769; }
static void b_area_null(struct side *s) { s->f.reg.area_ptr = 0; }
static void b_ev_none(struct side *s) { s->f.reg.event_desc = (uintptr_t)s->f.none; }
static void b_ev_bit2(struct side *s) { with_events(&s->f, 1U << 2); }
static void b_ev_flag2(struct side *s) { with_events(&s->f, 1); s->f.ed.flags = 2; }
static void b_ev_off(struct side *s) { with_events(&s->f, 1); s->f.ed.stats_offset = 2048; }
static void b_ev_resv(struct side *s) { with_events(&s->f, 1); s->f.ed.__resv2[0] = 1; }
static void b_rd_size0(struct side *s) { s->f.rd.size = 0; }
static void b_rd_small(struct side *s) { s->f.reg.rq_entries = 512; }
static void b_rd_addr(struct side *s) { s->f.rd.user_addr += 64; }
static void b_rd_size(struct side *s) { s->f.rd.size += 64; }
static void b_rd_mmap(struct side *s) { s->f.rd.mmap_offset = PAGE; }
static void b_rd_id(struct side *s) { s->f.rd.id = 1; }
static void b_rd_resv(struct side *s) { s->f.rd.__resv[0] = 1; }
static void b_rd_flag(struct side *s) { s->f.rd.flags |= 4; }
static void b_rd_addr0(struct side *s) { s->f.rd.user_addr = 0; }
static void b_rd_nouser(struct side *s) { s->f.rd.flags = 0; }
static void b_rd_none(struct side *s) { s->f.rd.user_addr = (uintptr_t)s->f.none; }
static void b_rd_ro(struct side *s) { mprotect(s->f.region_mem, PAGE, PROT_READ); }
static void b_st_align(struct side *s) { stats_after_rqes(s); s->f.ed.stats_offset += 4; }
static void b_st_rqes(struct side *s) { stats_after_rqes(s); s->f.ed.stats_offset -= 8; }
static void b_st_last(struct side *s) { stats_after_rqes(s); s->f.ed.stats_offset = PAGE - 16; }
static void b_st_past(struct side *s) { stats_after_rqes(s); s->f.ed.stats_offset = PAGE - 8; }
static void b_st_wrap(struct side *s) { stats_after_rqes(s); s->f.ed.stats_offset = ~7ULL; }
static void b_buf2p(struct side *s) { s->f.reg.rx_buf_len = 2 * PAGE; }
static void b_buf3p(struct side *s) { s->f.reg.rx_buf_len = 3 * PAGE; }
static void b_buf_half(struct side *s) { s->f.reg.rx_buf_len = PAGE / 2; }
static void b_ar_len0(struct side *s) { s->f.area.len = 0; }
static void b_ar_2t(struct side *s) { s->f.area.len = 2ULL << 40; }
static void b_ar_flag(struct side *s) { s->f.area.flags = 4; }
static void b_ar_dmabuf(struct side *s) { s->f.area.flags = IORING_ZCRX_AREA_DMABUF; }
static void b_ar_token(struct side *s) { s->f.area.rq_area_token = 1ULL << 48; }
static void b_ar_resv(struct side *s) { s->f.area.__resv2[0] = 1; }
static void b_ar_addr(struct side *s) { s->f.area.addr += 64; }
static void b_ar_len(struct side *s) { s->f.area.len -= 64; }
static void b_ar_addr0(struct side *s) { s->f.area.addr = 0; }
static void b_ar_fd(struct side *s) { s->f.area.dmabuf_fd = 1; }

static void b_ar_none(struct side *s)
{
	s->f.area.addr = (uintptr_t)s->f.none;
	s->f.area.len = PAGE;
}

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

	s->f.reg.rq_entries = 100;
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
	c.zcrx_id = s->f.id;
	cur_cbad->set(&c);
	note(o, zcrx_ctrl_raw(C(s), &c), "ctrl");
}

/* ------------------------------------------------------------------ */
/* Receiving: NODEV copies over loopback TCP                           */
/* ------------------------------------------------------------------ */

static void sc_copy_cqes(struct side *s, struct notes *o)
{
	tcp_recv(s, -1, false, 0);
	tx_noted(s, o, 20000);
}

static void sc_copy_event(struct side *s, struct notes *o)
{
	tcp_recv(s, ZCRX_EV_MASK_ALL, false, 0);
	tx_noted(s, o, 20000);
}

static void sc_latch(struct side *s, struct notes *o)
{
	tcp_recv(s, ZCRX_EV_MASK_ALL, false, 0);
	tx_noted(s, o, PAGE);
	tx_noted(s, o, PAGE);
	note(o, ctrl(&s->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), "arm copy");
	note(o, ctrl(&s->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), "arm copy again");
	tx_noted(s, o, PAGE);
	note(o, ctrl(&s->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), "arm alloc-fail");
}

static void sc_outside_mask(struct side *s, struct notes *o)
{
	tcp_recv(s, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL), false, 0);
	tx_noted(s, o, 20000);
	note(o, ctrl(&s->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY), "arm copy");
}

static void sc_stats(struct side *s, struct notes *o)
{
	tcp_recv(s, ZCRX_EV_MASK_ALL, true, 0);
	note_stats(s, o);
	tx_noted(s, o, 20000);
	note_stats(s, o);
	tx_noted(s, o, 10000);
	note_stats(s, o);
}

static void sc_stats_mask0(struct side *s, struct notes *o)
{
	tcp_recv(s, 0, true, 0);
	tx_noted(s, o, 20000);
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
		if (s->f.rq_tail - rq_head(&s->f) == s->f.reg.rq_entries)
			assert_int_equal(ctrl(&s->f, ZCRX_CTRL_FLUSH_RQ, 0), 0);
		give_back(&s->f, r[i].off, PAGE, 0);
	}
	assert_int_equal(ctrl(&s->f, ZCRX_CTRL_FLUSH_RQ, 0), 0);
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
	assert_int_equal(fcntl(s->f.cli, F_SETFL, O_NONBLOCK), 0);
	for (int guard = 0; s->f.rx < total && guard < 200000; guard++) {
		for (uint32_t i = 0; sent < total && i < sizeof(chunk); i++)
			chunk[i] = tcp_byte(sent + i);
		k = sent < total ? send(s->f.cli, chunk, sizeof(chunk) < total - sent ?
					sizeof(chunk) : total - sent, MSG_DONTWAIT) : 0;
		sent += k > 0 ? k : 0;
		n = reap_wait(&s->f, r, MAX_REC, 1, 10);
		for (int i = 0; i < n; i++) {
			if (r[i].ud != RECV_UD || r[i].res <= 0)
				continue;
			cqes++;
			s->stream_ok &= stream_differs(&s->f, r[i].off, r[i].res) < 0;
			s->f.rx += r[i].res;
		}
		recycle(s, r, n, &ended);
		if (ended) {
			stalls++;
			ended = false;
			recv_start(&s->f, s->f.srv, 0, RECV_UD);
		}
	}
	note(o, s->f.rx, "bytes received");
	note(o, s->stream_ok, "the stream arrived intact");
	note(o, stats_of(&s->f)->copy_bytes, "stats copy_bytes");
	note(o, stats_of(&s->f)->copy_count > 0, "copy_count > 0");
	note(o, stats_of(&s->f)->copy_count < cqes, "copy_count counts fragments: fewer than CQEs");
	note(o, cqes >= total / PAGE, "a CQE holds a page at most");
	print_message("# %s: %llu CQEs, copy_count %llu, %llu receives ended with -ENOMEM\n",
		      s->name, (unsigned long long)cqes,
		      (unsigned long long)stats_of(&s->f)->copy_count, (unsigned long long)stalls);
}

/* 4 buffers, 6 pages sent: the receive takes 4, then ends starved. */
static void starve(struct side *s, struct notes *o, int mask)
{
	tcp_recv(s, mask, false, 0);
	tx_noted(s, o, 6 * PAGE);
}

static uint64_t buf_off(uint32_t idx)
{
	return (uint64_t)idx * PAGE;
}

static void sc_starve(struct side *s, struct notes *o)
{
	starve(s, o, ZCRX_EV_MASK_ALL);
	note(o, ctrl(&s->f, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL), "arm alloc-fail");
}

static void resubmit(struct side *s, struct notes *o)
{
	recv_start(&s->f, s->f.srv, 0, RECV_UD);
	note_data(s, o, 2 * PAGE);
}

static void sc_no_flush(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	for (uint32_t i = 0; i < 4; i++)
		give_back(&s->f, buf_off(i), PAGE, 0);
	resubmit(s, o);
	note(o, rq_head(&s->f), "refill head");
}

static void sc_flush_resume(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	for (uint32_t i = 0; i < 4; i++)
		give_back(&s->f, buf_off(i), PAGE, 0);
	note(o, ctrl(&s->f, ZCRX_CTRL_FLUSH_RQ, 0), "flush");
	note(o, rq_head(&s->f), "refill head");
	resubmit(s, o);
}

static void sc_flush_bad(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	give_back(&s->f, buf_off(2), PAGE, 0);
	give_back(&s->f, buf_off(1) | 1ULL << IORING_ZCRX_AREA_SHIFT, PAGE, 0);
	give_back(&s->f, buf_off(1), PAGE, 0);
	give_back(&s->f, buf_off(99), PAGE, 0);
	give_back(&s->f, buf_off(0), PAGE, 0);
	for (int i = 0; i < 3; i++) {
		note(o, ctrl(&s->f, ZCRX_CTRL_FLUSH_RQ, 0), "flush %d", i);
		note(o, rq_head(&s->f), "refill head after flush %d", i);
	}
	resubmit(s, o);
}

static void sc_duplicate(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	give_back(&s->f, buf_off(3), PAGE, 0);
	give_back(&s->f, buf_off(3), PAGE, 0);
	give_back(&s->f, buf_off(7), PAGE, 0);
	note(o, ctrl(&s->f, ZCRX_CTRL_FLUSH_RQ, 0), "flush");
	note(o, rq_head(&s->f), "refill head");
	resubmit(s, o);
}

static void sc_inside_buffer(struct side *s, struct notes *o)
{
	starve(s, o, -1);
	give_back(&s->f, buf_off(1) + 100, PAGE, 0);
	give_back(&s->f, buf_off(2) + PAGE - 1, PAGE, 0);
	note(o, ctrl(&s->f, ZCRX_CTRL_FLUSH_RQ, 0), "flush");
	resubmit(s, o);
}

static void sc_len_cap(struct side *s, struct notes *o)
{
	tcp_recv(s, -1, false, 5000);
	tx_noted(s, o, 6000);
}

static void sc_eof(struct side *s, struct notes *o)
{
	tcp_recv(s, -1, false, 0);
	tx_noted(s, o, 3000);
	assert_int_equal(shutdown(s->f.cli, SHUT_WR), 0);
	note_data(s, o, 1);
}

static void sc_bad_fds(struct side *s, struct notes *o)
{
	struct rec r[8];
	int fds[3];

	reg_good(s, -1, false);
	bad_fds(&s->f, fds);
	for (int i = 0; i < 3; i++) {
		recv_start(&s->f, fds[i], 0, RECV_UD);
		note_cqes(s, o, r, reap_wait(&s->f, r, 8, 1, tmo(1000)));
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
	/* 7.3: head and tail on cache lines of their own */
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

/* What this kernel lacks of the 7.2 the simulator models, or NULL: then no
 * comparison applies, and main() runs none. */
static const char *kernel_lacks(void)
{
	if (kcaps.gen != ZCRX_GEN_7_2)
		return kcaps.register_flags & ZCRX_REG_NODEV ? "has no zcrx events (7.2+)" :
		       "has neither zcrx events (7.2+) nor ZCRX_REG_NODEV (7.1+)";
	if (!(kcaps.register_flags & ZCRX_REG_NODEV))
		return "has no ZCRX_REG_NODEV";
	return NULL;
}

static void run_scenario(const struct scenario *sc)
{
	static struct notes on_sim, on_kernel;
	static struct side s;

	if (kcaps.zcrx_reg_err != -EFAULT)
		skip_because("Linux %s refuses zcrx registration here (no CAP_NET_ADMIN?)", kver);
	memset(&on_sim, 0, sizeof(on_sim));
	memset(&on_kernel, 0, sizeof(on_kernel));
	side_open(&s, false, sc);
	sc->run(&s, &on_sim);
	flow_close(&s.f);
	side_open(&s, true, sc);
	sc->run(&s, &on_kernel);
	flow_close(&s.f);
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
	/* a kernel other than the 7.2 the simulator models: nothing to compare */
	if (kernel_lacks()) {
		printf("# n/a - every comparison: Linux %s %s; the simulator models Linux 7.2\n",
		       kver, kernel_lacks());
		nsc = nb = nc = 0;
	}
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
