// SPDX-License-Identifier: MIT
/* What this kernel offers for zcrx: probed through the query op, never guessed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "zcrx.h"
#include "kabi.h"
#include "internal.h"

int zcrx_sys_register(int fd, unsigned int op, void *arg, unsigned int nr_args)
{
	long ret = syscall(ZCRX_NR_io_uring_register, fd, op, arg, nr_args);

	return ret < 0 ? -errno : (int)ret;
}

static int read_io_uring_disabled(void)
{
	char buf[16] = "";
	int fd, n;

	fd = open("/proc/sys/kernel/io_uring_disabled", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	return atoi(buf);
}

static int probe_cap_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	return !!(data[CAP_NET_ADMIN / 32].effective & (1U << (CAP_NET_ADMIN % 32)));
}

/*
 * One chained query of ops 0, 1 and 3 (io_uring/query.c: opcodes, zcrx,
 * zcrx events), safe on every query-capable kernel: a kernel that lacks an
 * op answers it in its hdr.result.
 */
static void probe_query(struct zcrx_caps *caps)
{
	struct io_uring_query_opcode op = { 0 };
	struct io_uring_query_zcrx zq = { 0 };
	struct io_uring_query_zcrx_event eq = { 0 };
	struct io_uring_query_hdr h3 = {
		.query_data = (uintptr_t)&eq, .query_op = IO_URING_QUERY_ZCRX_EVENT,
		.size = sizeof(eq),
	};
	struct io_uring_query_hdr h1 = {
		.next_entry = (uintptr_t)&h3, .query_data = (uintptr_t)&zq,
		.query_op = IO_URING_QUERY_ZCRX, .size = sizeof(zq),
	};
	struct io_uring_query_hdr h0 = {
		.next_entry = (uintptr_t)&h1, .query_data = (uintptr_t)&op,
		.query_op = IO_URING_QUERY_OPCODES, .size = sizeof(op),
	};

	caps->query_err = zcrx_sys_register(-1, IORING_REGISTER_QUERY, &h0, 0);
	if (caps->query_err) {
		caps->opcodes_err = caps->zcrx_query_err = caps->event_query_err = caps->query_err;
		return;
	}
	caps->opcodes_err = h0.result;
	caps->zcrx_query_err = h1.result;
	caps->event_query_err = h3.result;
	if (!h0.result) {
		caps->nr_request_opcodes = op.nr_request_opcodes;
		caps->nr_register_opcodes = op.nr_register_opcodes;
		caps->nr_query_opcodes = op.nr_query_opcodes;
		caps->feature_flags = op.feature_flags;
		caps->ring_setup_flags = op.ring_setup_flags;
		caps->enter_flags = op.enter_flags;
		caps->sqe_flags = op.sqe_flags;
	}
	if (!h1.result) {
		caps->register_flags = zq.register_flags;
		caps->area_flags = zq.area_flags;
		caps->nr_ctrl_opcodes = zq.nr_ctrl_opcodes;
		caps->features = zq.features;
		caps->rq_hdr_size = zq.rq_hdr_size;
		caps->rq_hdr_alignment = zq.rq_hdr_alignment;
	}
	if (!h3.result) {
		caps->event_flags = eq.event_flags;
		caps->stats_size = eq.stats_size;
		caps->stats_off_alignment = eq.stats_off_alignment;
	}
}

/*
 * Is IORING_REGISTER_ZCRX_IFQ there?  Hand it an unreadable argument on a
 * zcrx-shaped ring: the kernel checks the config (EOPNOTSUPP), the opcode
 * (EINVAL), CAP_NET_ADMIN (EPERM) and ring flags before it copies the
 * argument, so EFAULT means "present and would have read it".
 */
static void probe_register(struct zcrx_caps *caps)
{
	struct io_uring_params p = {
		.flags = ZCRX_SETUP_SINGLE_ISSUER | ZCRX_SETUP_DEFER_TASKRUN | ZCRX_SETUP_CQE32,
	};
	void *bad;
	int fd;

	/* only the ring's fd is needed: no liburing rings to map */
	fd = syscall(ZCRX_NR_io_uring_setup, 4, &p);
	caps->ring_err = fd < 0 ? -errno : 0;
	if (fd < 0) {
		caps->zcrx_reg_err = caps->ring_err;
		return;
	}
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bad == MAP_FAILED) {
		caps->zcrx_reg_err = -ENOMEM;
	} else {
		caps->zcrx_reg_err = zcrx_sys_register(fd, IORING_REGISTER_ZCRX_IFQ, bad, 1);
		munmap(bad, 4096);
	}
	close(fd);
}

void zcrx_caps_derive(struct zcrx_caps *caps)
{
	caps->gen = ZCRX_GEN_NONE;
	caps->event_types = 0;
	caps->stats = false;
	if (caps->zcrx_query_err || !(caps->features & ZCRX_FEATURE_EVENT))
		return;
	if (caps->event_query_err) {
		/* events advertised but no event query: the May 2026 seed patch */
		caps->gen = ZCRX_GEN_MAY2026;
		caps->event_types = ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL);
		return;
	}
	caps->gen = ZCRX_GEN_7_2;
	caps->event_types = caps->event_flags & ZCRX_EV_MASK_ALL;
	caps->stats = caps->stats_size >= sizeof(struct zcrx_stats);
}

int zcrx_caps_probe(struct zcrx_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->io_uring_disabled = read_io_uring_disabled();
	caps->cap_net_admin = probe_cap_net_admin();
	probe_query(caps);
	probe_register(caps);
	zcrx_caps_derive(caps);
	return 0;
}

static const char *const feature_names[ZCRX_FEAT_COUNT] = {
	[ZCRX_FEAT_IO_URING]		= "io-uring",
	[ZCRX_FEAT_QUERY]		= "query",
	[ZCRX_FEAT_ZCRX]		= "zcrx",
	[ZCRX_FEAT_ZCRX_QUERY]		= "zcrx-query",
	[ZCRX_FEAT_IMPORT]		= "import",
	[ZCRX_FEAT_NODEV]		= "nodev",
	[ZCRX_FEAT_DMABUF]		= "dmabuf",
	[ZCRX_FEAT_RX_PAGE_SIZE]	= "rx-buf-len",
	[ZCRX_FEAT_CTRL]		= "ctrl",
	[ZCRX_FEAT_EVENTS]		= "events",
	[ZCRX_FEAT_ALLOC_FAIL]		= "alloc-fail",
	[ZCRX_FEAT_COPY]		= "copy",
	[ZCRX_FEAT_STATS]		= "stats",
	[ZCRX_FEAT_CAP_NET_ADMIN]	= "cap-net-admin",
	[ZCRX_FEAT_ADD_AREA]		= "add-area",
};

const char *zcrx_feature_name(enum zcrx_feature f)
{
	return (unsigned int)f < ZCRX_FEAT_COUNT ? feature_names[f] : NULL;
}

int zcrx_feature_parse(const char *name)
{
	if (!strcmp(name, "no-buffers"))
		return ZCRX_FEAT_ALLOC_FAIL;
	for (int f = 0; f < ZCRX_FEAT_COUNT; f++)
		if (!strcmp(name, feature_names[f]))
			return f;
	return -EINVAL;
}

#define WHY(...) snprintf(why, len, __VA_ARGS__)

static enum zcrx_tri feat_io_uring(const struct zcrx_caps *c, char *why, size_t len)
{
	if (!c->ring_err) {
		WHY("a ring with SINGLE_ISSUER|DEFER_TASKRUN|CQE32 was set up"
		    " (kernel.io_uring_disabled = %d)", c->io_uring_disabled);
		return ZCRX_YES;
	}
	if (c->ring_err == -ENOSYS) {
		WHY("io_uring_setup() is not implemented: kernel built without CONFIG_IO_URING");
		return ZCRX_NO;
	}
	if (c->ring_err == -EPERM && c->io_uring_disabled > 0) {
		WHY("kernel.io_uring_disabled = %d: %s", c->io_uring_disabled,
		    c->io_uring_disabled == 2 ? "io_uring is off for everyone"
		    : "only members of kernel.io_uring_group may use it");
		return ZCRX_NO;
	}
	if (c->ring_err == -EINVAL) {
		WHY("the kernel refused DEFER_TASKRUN|SINGLE_ISSUER|CQE32 rings (needs 6.1+)");
		return ZCRX_NO;
	}
	WHY("setting up a ring failed: %s", strerror(-c->ring_err));
	return ZCRX_UNKNOWN;
}

static enum zcrx_tri feat_query(const struct zcrx_caps *c, char *why, size_t len)
{
	if (!c->query_err && !c->opcodes_err) {
		WHY("IORING_REGISTER_QUERY answers: %u request, %u register, %u query opcodes",
		    c->nr_request_opcodes, c->nr_register_opcodes, c->nr_query_opcodes);
		return ZCRX_YES;
	}
	if (c->query_err == -EINVAL || c->query_err == -EBADF) {
		WHY("io_uring_register(QUERY) answered %s: the kernel predates the query op (6.18)",
		    strerrorname_np(-c->query_err));
		return ZCRX_NO;
	}
	WHY("io_uring_register(QUERY) failed: %s", strerror(-(c->query_err ? c->query_err
							       : c->opcodes_err)));
	return ZCRX_UNKNOWN;
}

static enum zcrx_tri feat_zcrx(const struct zcrx_caps *c, char *why, size_t len)
{
	switch (c->zcrx_reg_err) {
	case -EFAULT:
		WHY("IORING_REGISTER_ZCRX_IFQ is present (a probe with an unreadable argument "
		    "got EFAULT)");
		return ZCRX_YES;
	case -EPERM:
		WHY("IORING_REGISTER_ZCRX_IFQ is present, but this process lacks CAP_NET_ADMIN");
		return ZCRX_YES;
	case -EOPNOTSUPP:
		WHY("kernel built without CONFIG_IO_URING_ZCRX");
		return ZCRX_NO;
	case -EINVAL:
		WHY("the kernel does not know IORING_REGISTER_ZCRX_IFQ (needs 6.15+)");
		return ZCRX_NO;
	}
	if (c->ring_err) {
		WHY("no io_uring to probe with");
		return ZCRX_UNKNOWN;
	}
	WHY("the registration probe got %s", strerror(-c->zcrx_reg_err));
	return ZCRX_UNKNOWN;
}

static enum zcrx_tri feat_zcrx_query(const struct zcrx_caps *c, char *why, size_t len)
{
	if (!c->zcrx_query_err) {
		WHY("IO_URING_QUERY_ZCRX answers: features 0x%x, register flags 0x%llx, "
		    "%u ctrl opcodes", c->features, (unsigned long long)c->register_flags,
		    c->nr_ctrl_opcodes);
		return ZCRX_YES;
	}
	if (feat_query(c, why, len) != ZCRX_YES) {
		WHY("no query op: the kernel predates the zcrx query (6.19+)");
		return ZCRX_NO;
	}
	if (c->zcrx_query_err == -EOPNOTSUPP) {
		WHY("query op IO_URING_QUERY_ZCRX answered EOPNOTSUPP: zcrx core only "
		    "(as in Linux 6.18), no features, events or ctrl");
		return ZCRX_NO;
	}
	WHY("IO_URING_QUERY_ZCRX failed: %s", strerror(-c->zcrx_query_err));
	return ZCRX_UNKNOWN;
}

/* A bit in the zcrx query: yes/no from the query, or why we cannot tell. */
static enum zcrx_tri zq_bit(const struct zcrx_caps *c, bool set, const char *what,
			    char *why, size_t len)
{
	enum zcrx_tri q = feat_zcrx_query(c, why, len);

	if (q == ZCRX_NO)
		WHY("no zcrx query op (see zcrx-query), so no %s", what);
	if (q != ZCRX_YES)
		return q;
	WHY("%s %s", what, set ? "advertised by IO_URING_QUERY_ZCRX"
	    : "not advertised by IO_URING_QUERY_ZCRX");
	return set ? ZCRX_YES : ZCRX_NO;
}

static enum zcrx_tri feat_events(const struct zcrx_caps *c, char *why, size_t len)
{
	enum zcrx_tri q = feat_zcrx_query(c, why, len);

	if (q == ZCRX_NO)
		WHY("no zcrx query op (see zcrx-query): zcrx events need Linux 7.2");
	if (q != ZCRX_YES)
		return q;
	if (!(c->features & ZCRX_FEATURE_EVENT)) {
		WHY("zcrx features 0x%x lack ZCRX_FEATURE_EVENT: the kernel has no zcrx events "
		    "(Linux 7.2+)", c->features);
		return ZCRX_NO;
	}
	if (c->gen == ZCRX_GEN_MAY2026)
		WHY("ZCRX_FEATURE_EVENT set, no event query: May 2026 seed patch generation");
	else
		WHY("ZCRX_FEATURE_EVENT set; event types 0x%x", c->event_flags);
	return ZCRX_YES;
}

static enum zcrx_tri feat_type(const struct zcrx_caps *c, enum zcrx_event t,
			       char *why, size_t len)
{
	enum zcrx_tri e = feat_events(c, why, len);

	if (e != ZCRX_YES)
		return e;
	if (c->event_types & ZCRX_EV_MASK(t)) {
		WHY("event type %u is in the kernel's accepted type_mask 0x%x", t,
		    c->gen == ZCRX_GEN_MAY2026 ? 1 : c->event_flags);
		return ZCRX_YES;
	}
	if (c->gen == ZCRX_GEN_MAY2026)
		WHY("the May 2026 generation has alloc-fail only");
	else
		WHY("event type %u is not in the kernel's accepted type_mask 0x%x", t,
		    c->event_flags);
	return ZCRX_NO;
}

enum zcrx_tri zcrx_caps_feature(const struct zcrx_caps *c, enum zcrx_feature f,
				char *why, size_t len)
{
	enum zcrx_tri t;

	switch (f) {
	case ZCRX_FEAT_IO_URING:
		return feat_io_uring(c, why, len);
	case ZCRX_FEAT_QUERY:
		return feat_query(c, why, len);
	case ZCRX_FEAT_ZCRX:
		return feat_zcrx(c, why, len);
	case ZCRX_FEAT_ZCRX_QUERY:
		return feat_zcrx_query(c, why, len);
	case ZCRX_FEAT_IMPORT:
		return zq_bit(c, c->register_flags & ZCRX_REG_IMPORT, "ZCRX_REG_IMPORT", why, len);
	case ZCRX_FEAT_NODEV:
		return zq_bit(c, c->register_flags & ZCRX_REG_NODEV, "ZCRX_REG_NODEV", why, len);
	case ZCRX_FEAT_DMABUF:
		return zq_bit(c, c->area_flags & IORING_ZCRX_AREA_DMABUF,
			      "IORING_ZCRX_AREA_DMABUF", why, len);
	case ZCRX_FEAT_RX_PAGE_SIZE:
		return zq_bit(c, c->features & ZCRX_FEATURE_RX_PAGE_SIZE,
			      "ZCRX_FEATURE_RX_PAGE_SIZE", why, len);
	case ZCRX_FEAT_CTRL:
		t = zq_bit(c, true, "IORING_REGISTER_ZCRX_CTRL", why, len);
		if (t != ZCRX_YES)
			return t;
		if (c->nr_ctrl_opcodes && c->nr_register_opcodes > IORING_REGISTER_ZCRX_CTRL) {
			WHY("IORING_REGISTER_ZCRX_CTRL with %u ops", c->nr_ctrl_opcodes);
			return ZCRX_YES;
		}
		WHY("IORING_REGISTER_ZCRX_CTRL not offered (%u register opcodes, %u ctrl ops)",
		    c->nr_register_opcodes, c->nr_ctrl_opcodes);
		return ZCRX_NO;
	case ZCRX_FEAT_ADD_AREA:
		t = zq_bit(c, c->nr_ctrl_opcodes > ZCRX_CTRL_ADD_AREA, "ZCRX_CTRL_ADD_AREA", why, len);
		if (t == ZCRX_YES)
			WHY("ZCRX_CTRL_ADD_AREA is ctrl op %u of %u: a live ifq can take more areas",
			    ZCRX_CTRL_ADD_AREA, c->nr_ctrl_opcodes);
		else if (t == ZCRX_NO && !c->zcrx_query_err)
			WHY("the zcrx query offers %u ctrl ops; ZCRX_CTRL_ADD_AREA (op %u) needs"
			    " Linux 7.3", c->nr_ctrl_opcodes, ZCRX_CTRL_ADD_AREA);
		return t;
	case ZCRX_FEAT_EVENTS:
		return feat_events(c, why, len);
	case ZCRX_FEAT_ALLOC_FAIL:
		return feat_type(c, ZCRX_EV_ALLOC_FAIL, why, len);
	case ZCRX_FEAT_COPY:
		return feat_type(c, ZCRX_EV_COPY, why, len);
	case ZCRX_FEAT_STATS:
		t = feat_events(c, why, len);
		if (t != ZCRX_YES)
			return t;
		if (c->stats) {
			WHY("shared stats of %u bytes, offset alignment %u", c->stats_size,
			    c->stats_off_alignment);
			return ZCRX_YES;
		}
		WHY("no IO_URING_QUERY_ZCRX_EVENT: %s", c->gen == ZCRX_GEN_MAY2026 ?
		    "the May 2026 generation has no shared stats" : "no stats block offered");
		return ZCRX_NO;
	case ZCRX_FEAT_CAP_NET_ADMIN:
		if (c->cap_net_admin > 0) {
			WHY("this process has CAP_NET_ADMIN");
			return ZCRX_YES;
		}
		if (!c->cap_net_admin) {
			WHY("this process lacks CAP_NET_ADMIN, which binding an ifq needs: "
			    "run as root");
			return ZCRX_NO;
		}
		WHY("capget() failed: %s", strerror(-c->cap_net_admin));
		return ZCRX_UNKNOWN;
	default:
		break;
	}
	WHY("unknown feature");
	return ZCRX_UNKNOWN;
}
