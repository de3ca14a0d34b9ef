// SPDX-License-Identifier: MIT
/*
 * Conformance, registration and control: each mutation of a good
 * registration or ctrl is answered with the errno the kernel gives, in the
 * order the kernel checks; then what only this machine's kernel can show
 * (its query answers, CAP_NET_ADMIN, a veth queue, kernel regions, EXPORT).
 * The table runner is conformance.h.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#define SIM_SQ	32	/* conformance.h: registration and control hold few CQEs */
#include "conformance.h"
#include "engine_fixture.h"

/* ------------------------------------------------------------------ */
/* Registration rows                                                   */
/* ------------------------------------------------------------------ */

static void s_none(struct env *e) { (void)e; }
static void s_resv(struct env *e) { e->f.reg.__resv[1] = 1; }
static void s_zcrx_id(struct env *e) { e->f.reg.zcrx_id = 1; }
static void s_flag_unknown(struct env *e) { e->f.reg.flags |= 0x80; }
static void s_flag_import(struct env *e) { e->f.reg.flags |= ZCRX_REG_IMPORT; }
static void s_region_null(struct env *e) { e->f.reg.region_ptr = 0; }
static void s_region_unreadable(struct env *e) { e->f.reg.region_ptr = (uintptr_t)e->f.none; }
static void s_rxq_all(struct env *e) { e->f.reg.if_rxq = ~0U; }
static void s_rq_zero(struct env *e) { e->f.reg.rq_entries = 0; }
static void s_rq_big(struct env *e) { e->f.reg.rq_entries = 32769; }
static void s_area_null(struct env *e) { e->f.reg.area_ptr = 0; }
static void s_rq0_area_null(struct env *e) { s_rq_zero(e); s_area_null(e); }
static void s_region_null_rq0(struct env *e) { s_region_null(e); s_rq_zero(e); }
static void s_area_null_region0(struct env *e) { s_area_null(e); e->f.rd.size = 0; }

static void s_rq_clamp(struct env *e)
{
	e->f.reg.rq_entries = 40000;
	e->f.rd.size = 129 * PAGE;
}

static void c_rq_clamp(struct env *e) { assert_int_equal(e->f.reg.rq_entries, 32768); }
static void s_rq_round(struct env *e) { e->f.reg.rq_entries = 100; }
static void c_rq_round(struct env *e) { assert_int_equal(e->f.reg.rq_entries, 128); }

static void c_good(struct env *e)
{
	struct io_uring_zcrx_offsets o = layout(e);

	assert_int_equal(e->f.reg.offsets.head, o.head);
	assert_int_equal(e->f.reg.offsets.tail, o.tail);
	assert_int_equal(e->f.reg.offsets.rqes, o.rqes);
	assert_int_equal(e->f.reg.zcrx_id, 0);
	assert_int_equal(e->f.reg.rq_entries, RQ);
	assert_int_equal(e->f.reg.rx_buf_len, PAGE);
	assert_true(e->f.area.rq_area_token == 0);
	assert_true(e->f.rd.mmap_offset == 0);
}

/* the kernel writes back with copy_to_user at the very end: nothing on failure */
static void s_refused_rq100(struct env *e)
{
	e->f.reg.rq_entries = 100;
	e->f.rd.size = 64;
}

static void c_nothing_written(struct env *e)
{
	assert_int_equal(e->f.reg.rq_entries, 100);
	assert_int_equal(e->f.reg.zcrx_id, 0);
	assert_int_equal(e->f.reg.offsets.rqes, 0);
	assert_int_equal(e->f.reg.rx_buf_len, 0);
}

static void s_ev_alloc(struct env *e) { with_events(&e->f, ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL)); }
static void s_ev_both(struct env *e) { with_events(&e->f, ZCRX_EV_MASK_ALL); }
static void s_ev_bit2(struct env *e) { with_events(&e->f, 1U << 2); }
static void s_ev_empty(struct env *e) { with_events(&e->f, 0); }
static void s_ev_unreadable(struct env *e) { e->f.reg.event_desc = (uintptr_t)e->f.none; }

static void s_ev_flag2(struct env *e)
{
	s_ev_alloc(e);
	e->f.ed.flags = 1U << 1;
}

static void s_ev_stats(struct env *e)
{
	s_ev_both(e);
	with_stats(&e->f, rqes_end(e));
	memset(stats_of(&e->f), 0xff, sizeof(struct zcrx_stats));
}

static void c_ev_stats(struct env *e)
{
	assert_true(stats_of(&e->f)->copy_count == 0 && stats_of(&e->f)->copy_bytes == 0);
}

static void s_ev_off_noflag(struct env *e)
{
	s_ev_alloc(e);
	e->f.ed.stats_offset = rqes_end(e);
}

static void s_ev_resv2(struct env *e)
{
	s_ev_alloc(e);
	e->f.ed.__resv2[8] = 1;
}

static void s_ev_stats_only(struct env *e) { with_stats(&e->f, rqes_end(e)); }
static void s_st_unaligned(struct env *e) { with_stats(&e->f, rqes_end(e) + 4); }
static void s_st_in_rqes(struct env *e) { with_stats(&e->f, rqes_end(e) - 8); }
static void s_st_past_end(struct env *e) { with_stats(&e->f, PAGE - 8); }
static void s_st_overflow(struct env *e) { with_stats(&e->f, ~7ULL); }

static void s_rd_size0(struct env *e) { e->f.rd.size = 0; }
static void s_rd_small(struct env *e) { e->f.reg.rq_entries = 512; }
static void s_rd_addr_unaligned(struct env *e) { e->f.rd.user_addr += 64; }
static void s_rd_size_unaligned(struct env *e) { e->f.rd.size = PAGE + 64; }
static void s_rd_mmap_off(struct env *e) { e->f.rd.mmap_offset = PAGE; }
static void s_rd_id(struct env *e) { e->f.rd.id = 1; }
static void s_rd_resv(struct env *e) { e->f.rd.__resv[3] = 1; }
static void s_rd_flag2(struct env *e) { e->f.rd.flags |= 2; }
static void s_rd_user_addr0(struct env *e) { e->f.rd.user_addr = 0; }
static void s_rd_flags0_addr(struct env *e) { e->f.rd.flags = 0; }
static void s_rd_unmapped(struct env *e) { e->f.rd.user_addr = (uintptr_t)e->f.none; }

static void s_rd_kernel(struct env *e)
{
	e->f.rd.flags = 0;
	e->f.rd.user_addr = 0;
}

static void s_rd_readonly(struct env *e)
{
	mprotect(e->f.region_mem, PAGE, PROT_READ);
}

static void s_nodev_after_region(struct env *e) { s_rd_small(e); }
static void s_nodma_before_area(struct env *e) { e->f.area.addr = 0; }
static void s_nodev_after_stats(struct env *e) { s_st_unaligned(e); }

static void s_buf0(struct env *e) { e->f.reg.rx_buf_len = 0; }
static void s_buf3p(struct env *e) { e->f.reg.rx_buf_len = 3 * PAGE; }
static void s_buf_half(struct env *e) { e->f.reg.rx_buf_len = PAGE / 2; }
static void s_buf2p(struct env *e) { e->f.reg.rx_buf_len = 2 * PAGE; }
static void s_buf_big(struct env *e) { e->f.reg.rx_buf_len = 2 * AREA_PAGES * PAGE; }
static void c_buf_page(struct env *e) { assert_int_equal(e->f.reg.rx_buf_len, PAGE); }
static void c_buf_2p(struct env *e) { assert_int_equal(e->f.reg.rx_buf_len, 2 * PAGE); }

static void s_ar_dmabuf(struct env *e) { e->f.area.flags = IORING_ZCRX_AREA_DMABUF; }
static void s_ar_flag4(struct env *e) { e->f.area.flags = 4; }
static void s_ar_token(struct env *e) { e->f.area.rq_area_token = 1ULL << IORING_ZCRX_AREA_SHIFT; }
static void s_ar_resv2(struct env *e) { e->f.area.__resv2[1] = 1; }
static void s_ar_addr_unaligned(struct env *e) { e->f.area.addr += 64; }
static void s_ar_len_unaligned(struct env *e) { e->f.area.len -= 64; }
static void s_ar_len0(struct env *e) { e->f.area.len = 0; }
static void s_ar_len_2t(struct env *e) { e->f.area.len = 2ULL << 40; }
static void s_ar_addr0(struct env *e) { e->f.area.addr = 0; }
static void s_ar_dmabuf_fd(struct env *e) { e->f.area.dmabuf_fd = 3; }

static void s_ar_unmapped(struct env *e)
{
	e->f.area.addr = (uintptr_t)e->f.none;
	e->f.area.len = PAGE;
}

static void s_nd_flag(struct env *e)
{
	e->f.reg.flags |= ZCRX_REG_NODEV;
	e->f.reg.if_idx = 0;
}

static void s_nd_ifidx(struct env *e) { e->f.reg.if_idx = lo_index; }
static void s_nd_rxq(struct env *e) { e->f.reg.if_rxq = 1; }

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
	/* without CAP_NET_ADMIN the registration probe stops at EPERM (f_eperm) */
	if (kcaps.zcrx_reg_err != -EPERM)
		assert_int_equal(kcaps.zcrx_reg_err, -EFAULT);
	assert_same_answers(&kcaps, &want);
}

/* what each generation's query answers: the simulator reports it, a kernel was measured */
static void f_probe(struct env *e)
{
	struct zcrx_caps c, want;

	if (is_kernel(e))
		return probe_kernel();
	zcrx_sim_caps(e->gen, &c);
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
	assert_ptr_equal(C(e)->ops, &zcrx_sim_backend);
	assert_int_equal(zcrx_ctx_caps(e->f.ctx)->gen, c.gen);
	assert_int_equal(zcrx_ctx_caps(e->f.ctx)->features, c.features);
	assert_int_equal(zcrx_ctx_caps(e->f.ctx)->event_types, c.event_types);
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

/* The kernel charges the ring and the refill region it allocates before it
 * looks at the device: ENOMEM waits for the budget (flow.h: Locked memory). */
static int register_on(struct env *e, unsigned int ifindex)
{
	struct timespec t0 = { 0 };
	struct io_uring ring;
	int ret;

	do {
		ret = io_uring_queue_init(4, &ring, ZCRX_SETUP_SINGLE_ISSUER |
					  ZCRX_SETUP_DEFER_TASKRUN | ZCRX_SETUP_CQE32);
		if (ret)
			continue;
		e->f.reg.if_idx = ifindex;
		ret = zcrx_sys_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, &e->f.reg, 1);
		io_uring_queue_exit(&ring);
		if (ret != -ENOMEM)
			return ret;
	} while (memlock_again(ret, 0, &t0));
	return ret == -ENOMEM ? ret : SKIP_CODE;
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
	e->f.reg.flags = 0;
	ret = in_child(e, child_veth);
	if (ret == SKIP_CODE)
		skip_because("could not make a veth pair in a throwaway netns"
			     " (unshare or ip failed)");
	assert_int_equal(ret, -EOPNOTSUPP);
}

static void f_ctrl_absent(struct env *e)
{
	struct zcrx_ctrl c = { 0 };

	assert_int_equal(zcrx_ctrl_raw(e->f.ctx, &c), -EINVAL);
}

/* A region with flags 0: the kernel allocates it and says where to map it. */
static void f_kernel_region(struct env *e)
{
	struct io_uring_zcrx_offsets o = layout(e);
	uint8_t *p;

	need_registration();
	s_rd_kernel(e);
	reg_good(e, -1, false);
	assert_true(e->f.rd.mmap_offset != 0);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 ring_of(&e->f)->ring_fd, e->f.rd.mmap_offset);
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
	c.zcrx_id = e->f.id;
	assert_int_equal(zcrx_ctrl_raw(C(e), &c), 0);
	e->export_fd = c.zc_export.zcrx_fd;
	assert_true(e->export_fd >= 0);
	assert_true(fcntl(e->export_fd, F_GETFD) & FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", e->export_fd);
	assert_true(readlink(path, link, sizeof(link) - 1) > 0);
	assert_string_equal(link, "anon_inode:[zcrx]");
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

#define WHY_NIC		"needs a zcrx-capable NIC queue (mlx5, bnxt, fbnic, gve)"

static const struct row rows[] = {
	/* io_uring_register() and the ring */
	REG("a NULL registration argument is EINVAL", s_none, .null_arg = true,
	    .exp = ALL(EINVAL)),
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
	/* the event descriptor: what each generation accepts (io_uring/zcrx.c) */
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

	/* IORING_REGISTER_ZCRX_CTRL: io_register_zcrx_ctrl() and ZCRX_CTRL_ARM_EVENT */
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

int main(void)
{
	return conformance_main("conformance", rows, sizeof(rows) / sizeof(rows[0]));
}
