/* SPDX-License-Identifier: MIT */
/*
 * libzcrx diagnostics: the netdev view of a NIC (netdev and ethtool generic
 * netlink, sysfs), why a queue cannot host zcrx and the command that fixes
 * it, a sentence an operator can act on for an -errno, and the kernel
 * self-test.  Words and views for people; an application's data path needs
 * none of it (zcrx.h alone).  Compiles with liburing's headers alone; libzcrx
 * needs libnl-3 and libnl-genl-3 at link time (pkg-config --static).
 *
 * Same conventions as zcrx.h: 0 or a value, else -errno; nothing prints.
 * Every call here is safe from any thread on its own arguments: it keeps no
 * state between calls (zcrx_selftest opens and closes its own rings).
 */
#ifndef LIBZCRX_DIAG_H
#define LIBZCRX_DIAG_H

#include <net/if.h>

#include "zcrx.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Generic netlink ids: the netdev family (include/uapi/linux/netdev.h, from
 * Documentation/netlink/specs/netdev.yaml) and ethtool
 * (include/uapi/linux/ethtool_netlink_generated.h).  The arrays of struct
 * zcrx_netdev below are indexed by these attribute ids.  Bookworm has no
 * linux/netdev.h and its ethtool_netlink.h stops at ETHTOOL_A_RINGS_TX_PUSH,
 * so they carry a ZCRX_ prefix of their own.
 */
#define ZCRX_GENL_CTRL_ID		0x10

enum {
	ZCRX_NETDEV_CMD_DEV_GET			= 1,
	ZCRX_NETDEV_CMD_PAGE_POOL_GET		= 5,
	ZCRX_NETDEV_CMD_PAGE_POOL_STATS_GET	= 9,
	ZCRX_NETDEV_CMD_QUEUE_GET		= 10,
	ZCRX_NETDEV_CMD_NAPI_GET		= 11,
	ZCRX_NETDEV_CMD_QSTATS_GET		= 12,
};

enum {
	ZCRX_NETDEV_A_QUEUE_ID		= 1,
	ZCRX_NETDEV_A_QUEUE_IFINDEX	= 2,
	ZCRX_NETDEV_A_QUEUE_TYPE	= 3,
	ZCRX_NETDEV_A_QUEUE_NAPI_ID	= 4,
	ZCRX_NETDEV_A_QUEUE_DMABUF	= 5,
	ZCRX_NETDEV_A_QUEUE_IO_URING	= 6,
	ZCRX_NETDEV_A_QUEUE_XSK		= 7,
	ZCRX_NETDEV_A_QUEUE_LEASE	= 8,
	ZCRX_NETDEV_A_QUEUE_MAX		= 8,
};

enum {
	ZCRX_NETDEV_QUEUE_TYPE_RX	= 0,
	ZCRX_NETDEV_QUEUE_TYPE_TX	= 1,
};

enum {
	ZCRX_NETDEV_A_PAGE_POOL_ID		= 1,
	ZCRX_NETDEV_A_PAGE_POOL_IFINDEX		= 2,
	ZCRX_NETDEV_A_PAGE_POOL_NAPI_ID		= 3,
	ZCRX_NETDEV_A_PAGE_POOL_INFLIGHT	= 4,
	ZCRX_NETDEV_A_PAGE_POOL_INFLIGHT_MEM	= 5,
	ZCRX_NETDEV_A_PAGE_POOL_DETACH_TIME	= 6,
	ZCRX_NETDEV_A_PAGE_POOL_DMABUF		= 7,
	ZCRX_NETDEV_A_PAGE_POOL_IO_URING	= 8,
	ZCRX_NETDEV_A_PAGE_POOL_MAX		= 8,
};

/* the io-uring nests of queue and page-pool (io-uring-provider-info) */
enum {
	ZCRX_NETDEV_A_IO_URING_PROVIDER_INFO_RX_BUF_LEN	= 1,
};

/* the lease nest of a queue; its QUEUE nest holds queue ID and TYPE */
enum {
	ZCRX_NETDEV_A_LEASE_IFINDEX	= 1,
	ZCRX_NETDEV_A_LEASE_QUEUE	= 2,
	ZCRX_NETDEV_A_LEASE_NETNS_ID	= 3,
};

enum {
	ZCRX_NETDEV_A_PAGE_POOL_STATS_INFO			= 1,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_FAST		= 8,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_SLOW		= 9,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_SLOW_HIGH_ORDER	= 10,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_EMPTY		= 11,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_REFILL		= 12,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_WAIVE		= 13,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_CACHED		= 14,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_CACHE_FULL	= 15,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RING		= 16,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RING_FULL		= 17,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RELEASED_REFCNT	= 18,
	ZCRX_NETDEV_A_PAGE_POOL_STATS_MAX			= 18,
};

enum {
	ZCRX_NETDEV_A_QSTATS_IFINDEX		= 1,
	ZCRX_NETDEV_A_QSTATS_QUEUE_TYPE		= 2,
	ZCRX_NETDEV_A_QSTATS_QUEUE_ID		= 3,
	ZCRX_NETDEV_A_QSTATS_SCOPE		= 4,
	ZCRX_NETDEV_A_QSTATS_RX_PACKETS		= 8,
	ZCRX_NETDEV_A_QSTATS_RX_BYTES		= 9,
	ZCRX_NETDEV_A_QSTATS_RX_ALLOC_FAIL	= 12,
	ZCRX_NETDEV_A_QSTATS_RX_HW_DROPS	= 13,
	ZCRX_NETDEV_A_QSTATS_RX_HW_DROP_OVERRUNS = 14,
	ZCRX_NETDEV_A_QSTATS_MAX		= 34,
};

#define ZCRX_NETDEV_QSTATS_SCOPE_QUEUE	1

/* ethtool netlink */
enum {
	ZCRX_ETHTOOL_MSG_RINGS_GET		= 15,
	ZCRX_ETHTOOL_MSG_CHANNELS_GET		= 17,
	ZCRX_ETHTOOL_MSG_RINGS_GET_REPLY	= 16,
	ZCRX_ETHTOOL_MSG_CHANNELS_GET_REPLY	= 18,
};

enum {
	ZCRX_ETHTOOL_A_HEADER_DEV_INDEX	= 1,
	ZCRX_ETHTOOL_A_HEADER_DEV_NAME	= 2,
	ZCRX_ETHTOOL_A_HEADER_FLAGS	= 3,
};

enum {
	ZCRX_ETHTOOL_A_RINGS_HEADER		= 1,
	ZCRX_ETHTOOL_A_RINGS_RX_MAX		= 2,
	ZCRX_ETHTOOL_A_RINGS_TX_MAX		= 5,
	ZCRX_ETHTOOL_A_RINGS_RX			= 6,
	ZCRX_ETHTOOL_A_RINGS_TX			= 9,
	ZCRX_ETHTOOL_A_RINGS_RX_BUF_LEN		= 10,
	ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT	= 11,
	ZCRX_ETHTOOL_A_RINGS_CQE_SIZE		= 12,
	ZCRX_ETHTOOL_A_RINGS_HDS_THRESH		= 17,
	ZCRX_ETHTOOL_A_RINGS_HDS_THRESH_MAX	= 18,
	ZCRX_ETHTOOL_A_RINGS_MAX		= 19,
};

enum {
	ZCRX_ETHTOOL_A_CHANNELS_HEADER		= 1,
	ZCRX_ETHTOOL_A_CHANNELS_RX_MAX		= 2,
	ZCRX_ETHTOOL_A_CHANNELS_TX_MAX		= 3,
	ZCRX_ETHTOOL_A_CHANNELS_OTHER_MAX	= 4,
	ZCRX_ETHTOOL_A_CHANNELS_COMBINED_MAX	= 5,
	ZCRX_ETHTOOL_A_CHANNELS_RX_COUNT	= 6,
	ZCRX_ETHTOOL_A_CHANNELS_TX_COUNT	= 7,
	ZCRX_ETHTOOL_A_CHANNELS_OTHER_COUNT	= 8,
	ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT	= 9,
	ZCRX_ETHTOOL_A_CHANNELS_MAX		= 9,
};

enum {
	ZCRX_ETHTOOL_TCP_DATA_SPLIT_UNKNOWN	= 0,
	ZCRX_ETHTOOL_TCP_DATA_SPLIT_DISABLED	= 1,
	ZCRX_ETHTOOL_TCP_DATA_SPLIT_ENABLED	= 2,
};

/* ------------------------------------------------------------------ */
/* Netdev view (netdev + ethtool generic netlink)                      */
/* ------------------------------------------------------------------ */

/* memory providers bound to a queue */
#define ZCRX_MP_IO_URING	(1U << 0)
#define ZCRX_MP_DMABUF		(1U << 1)
#define ZCRX_MP_XSK		(1U << 2)

/*
 * Values are indexed by the kernel's attribute id; have has bit (1 << id).
 * The arrays are part of the ABI: an id above these (a newer kernel's) is
 * left out, and a later release that wants it adds a field in __resv.
 */
#define ZCRX_QSTATS_MAX		34
#define ZCRX_POOL_STATS_MAX	18
#define ZCRX_RINGS_MAX		19
#define ZCRX_CHANNELS_MAX	9

struct zcrx_rxq {
	uint32_t	id;
	bool		has_napi;
	uint32_t	napi_id;
	unsigned int	mp;		/* ZCRX_MP_* */
	uint32_t	dmabuf;
	uint64_t	qstats_have;
	uint64_t	qstats[ZCRX_QSTATS_MAX + 1];
	/* since 0.3, 0 where the kernel does not report them */
	uint64_t	rx_buf_len;	/* io-uring provider's buffer size, bytes (7.2+) */
	uint32_t	lease_ifindex;	/* leased: the other device's ifindex (7.2+) */
	uint32_t	lease_queue;	/* and its RX queue */
	int32_t		lease_netns_id;	/* valid when lease_other_netns */
	bool		lease_other_netns; /* that device is in another netns */
	uint64_t	__resv[1];	/* zeroed */
};

struct zcrx_pool {
	uint32_t	id;
	bool		has_napi;
	uint32_t	napi_id;
	bool		has_inflight;
	uint64_t	inflight;
	uint64_t	inflight_mem;
	uint64_t	detach_time;	/* s of CLOCK_BOOTTIME when detached; 0 = attached */
	uint32_t	dmabuf;
	bool		io_uring;
	uint32_t	stats_have;
	uint64_t	stats[ZCRX_POOL_STATS_MAX + 1];
	/* since 0.3 */
	uint64_t	rx_buf_len;	/* io-uring provider's buffer size, bytes; 0 = not reported */
	uint64_t	__resv[3];	/* zeroed */
};

struct zcrx_netdev {
	int		ifindex;
	char		name[IF_NAMESIZE];
	unsigned int	flags;		/* IFF_* */
	bool		has_parent;	/* backed by a bus device (has a DMA device) */
	int		driver_err;	/* ethtool driver info */
	char		driver[32];
	uint32_t	nr_rx_sysfs;	/* rx-N directories in sysfs */

	int		queues_err;	/* netdev family queue-get; -ENETDOWN when down */
	size_t		nr_rxq;
	struct zcrx_rxq	*rxq;
	int		qstats_err;
	int		pools_err;
	size_t		nr_pools;
	struct zcrx_pool *pools;
	int		pool_stats_err;

	int		rings_err;	/* ethtool rings-get */
	uint32_t	rings_have;
	uint32_t	rings[ZCRX_RINGS_MAX + 1];
	int		channels_err;	/* ethtool channels-get */
	uint32_t	channels_have;
	uint32_t	channels[ZCRX_CHANNELS_MAX + 1];
	uint64_t	__resv[8];	/* zeroed */
};

struct zcrx_netdev_list {
	size_t			nr;
	struct zcrx_netdev	*dev;
	/*
	 * since 0.3: page pools whose device is gone (the kernel lists them
	 * with no ifindex while pages are still in flight): a leak to see
	 */
	struct zcrx_pool	*orphan_pools;
	size_t			nr_orphan_pools;
#if UINTPTR_MAX == 0xffffffffu
	uint32_t		__resv32[2];	/* zeroed: the size of 0.2 */
#endif
};

/* All devices (ifname NULL) or one: -ENODEV when ifname does not exist. */
ZCRX_API int zcrx_netdev_dump(const char *ifname, struct zcrx_netdev_list *out);
ZCRX_API void zcrx_netdev_list_free(struct zcrx_netdev_list *list);
ZCRX_API const struct zcrx_rxq *zcrx_netdev_rxq(const struct zcrx_netdev *dev, uint32_t queue);
/* number of RX queues the device has (netlink, else sysfs) */
ZCRX_API uint32_t zcrx_netdev_nr_rx(const struct zcrx_netdev *dev);

/* Why an RX queue cannot host zcrx, as bits. */
enum zcrx_unready {
	ZCRX_UNREADY_VIRTUAL		= 1U << 0,	/* no parent bus device */
	ZCRX_UNREADY_NO_QUEUE_API	= 1U << 1,	/* driver not known to have the queue API */
	ZCRX_UNREADY_NO_DMA		= 1U << 2,	/* driver has the queue API but no DMA (netdevsim) */
	ZCRX_UNREADY_HDS_OFF		= 1U << 3,	/* tcp-data-split not enabled */
	ZCRX_UNREADY_HDS_THRESH		= 1U << 4,	/* hds-thresh not 0 */
	ZCRX_UNREADY_BOUND		= 1U << 5,	/* io_uring or dmabuf provider bound */
	ZCRX_UNREADY_XSK		= 1U << 6,	/* AF_XDP socket on the queue */
	ZCRX_UNREADY_FEW_CHANNELS	= 1U << 7,	/* fewer than 2 RX channels */
	ZCRX_UNREADY_NO_QUEUE		= 1U << 8,	/* queue index does not exist */
	ZCRX_UNREADY_LAST		= 1U << 8,
};

/*
 * Readiness of queue on dev: returns the ZCRX_UNREADY_* bits that hold.
 * *unknown gets the bits that could not be checked (e.g. rings unavailable).
 */
ZCRX_API unsigned int zcrx_rxq_readiness(const struct zcrx_netdev *dev, uint32_t queue,
					 unsigned int *unknown);
/* One line describing a reason bit, for an operator. */
ZCRX_API const char *zcrx_unready_str(unsigned int bit);
/* The command that fixes a reason, written to buf; 0 if none exists, else length. */
ZCRX_API int zcrx_unready_fix(unsigned int bit, const struct zcrx_netdev *dev, uint32_t queue,
			      char *buf, size_t len);

/* Names for kernel attribute ids, in the spec's kebab-case ("rx-alloc-fail"). */
ZCRX_API const char *zcrx_qstat_name(unsigned int id);
ZCRX_API const char *zcrx_pool_stat_name(unsigned int id);

/* ------------------------------------------------------------------ */
/* Self-test: does this kernel's zcrx work, end to end, without a NIC? */
/* ------------------------------------------------------------------ */

enum zcrx_check_id {
	ZCRX_CHECK_REGISTER,	/* "register": a NODEV ifq with copy events and stats */
	ZCRX_CHECK_LAYOUT,	/* "refill-layout": the offsets the kernel wrote back */
	ZCRX_CHECK_RECEIVE,	/* "receive": a byte pattern over loopback TCP, intact */
	ZCRX_CHECK_COPY_EVENT,	/* "copy-event": one CQE, our user_data, res copy */
	ZCRX_CHECK_LATCH,	/* "latch": no second event until re-armed */
	ZCRX_CHECK_ARM,		/* "arm": ARM_EVENT, and the next copy fires again */
	ZCRX_CHECK_ARM_UNFIRED,	/* "arm-unfired": EINVAL for what has not fired */
	ZCRX_CHECK_STATS,	/* "stats": copy-bytes equal the bytes sent */
	ZCRX_CHECK_STARVE,	/* "starvation": no buffers back, the receive ends ENOMEM */
	ZCRX_CHECK_RECOVER,	/* "recovery": return, FLUSH_RQ, receive again */
	ZCRX_CHECK_COUNT,
};

/* Room in struct zcrx_selftest: a later check takes a slot, not a new size. */
#define ZCRX_CHECK_SLOTS	16

enum zcrx_verdict {
	ZCRX_VERDICT_NOT_RUN	= 0,
	ZCRX_VERDICT_PASS	= 1,
	ZCRX_VERDICT_FAIL	= 2,	/* the kernel misbehaved: detail says how */
	ZCRX_VERDICT_MISSING	= 3,	/* the kernel, or this process, lacks what it needs */
};

struct zcrx_check {
	const char		*name;
	enum zcrx_verdict	verdict;
	char			detail[256];
	uint64_t		__resv[2];	/* zeroed */
};

struct zcrx_selftest {
	struct zcrx_check	check[ZCRX_CHECK_SLOTS];	/* [0, ZCRX_CHECK_COUNT) used */
	unsigned int		passed, failed, missing;
	uint64_t		elapsed_ns;
	struct zcrx_caps	caps;
	uint64_t		__resv[8];	/* zeroed */
};

/*
 * Run every check on this kernel (needs CAP_NET_ADMIN and Linux 7.1+ for
 * NODEV, 7.2+ for events and stats; what is missing is a MISSING verdict
 * naming the kernel that brings it).  Opens and closes its own rings and a
 * loopback TCP connection.  Returns 0; the verdicts are in res.
 */
ZCRX_API int zcrx_selftest(struct zcrx_selftest *res);
ZCRX_API const char *zcrx_check_name(enum zcrx_check_id id);

/* ------------------------------------------------------------------ */
/* Diagnosis                                                           */
/* ------------------------------------------------------------------ */

enum zcrx_op {
	ZCRX_OP_REGISTER,	/* binding an ifq */
	ZCRX_OP_ARM,		/* re-arming an event */
	ZCRX_OP_CTRL,		/* other zcrx control */
	ZCRX_OP_RECV,		/* a RECV_ZC completion */
	ZCRX_OP_RING,		/* setting up a ctx's io_uring (zcrx_ctx_create) */
};

/*
 * A sentence an operator can act on for (op, -errno), using what netlink
 * says about dev/queue and the probed caps (may be NULL).  dev may be NULL,
 * or carry only a name (ifindex 0) or only an ifindex (empty name) when
 * netlink was not asked.  For ZCRX_OP_RECV, err 0 is the end of the stream.
 * Returns the length it needed (snprintf-like), or -EINVAL for an unknown op.
 */
ZCRX_API int zcrx_diagnose(enum zcrx_op op, int err, const struct zcrx_netdev *dev,
			   uint32_t queue, const struct zcrx_caps *caps, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Prepare a NIC queue for zcrx, and undo it (LIBZCRX_0.3)             */
/* ------------------------------------------------------------------ */

/*
 * The steps, in the kernel selftest's order (drivers/net/hw/iou-zcrx.py):
 * enough RX channels, tcp-data-split on with hds-thresh 0 (ethtool netlink
 * RINGS_SET), ntuple filters on (FEATURES_SET), QUEUE out of the RSS
 * indirection table (RSS_SET), and a flow rule steering a TCP port to QUEUE
 * (the ETHTOOL_SRXCLSRLINS ioctl; with an RSS context, RSS_CREATE_ACT first).
 */
enum zcrx_prep_step {
	ZCRX_PREP_CHANNELS,	/* "channels" */
	ZCRX_PREP_HDS,		/* "hds": tcp-data-split on, hds-thresh 0 */
	ZCRX_PREP_NTUPLE,	/* "ntuple" */
	ZCRX_PREP_RSS,		/* "rss": QUEUE out of the indirection table */
	ZCRX_PREP_FLOW,		/* "flow": the rule (and its RSS context) */
	ZCRX_PREP_STEPS
};

#define ZCRX_PREP_INDIR_MAX	1024	/* entries of an indirection table we record */

/* Which fields of struct zcrx_prep_settings the device reported. */
#define ZCRX_PREP_HAVE_CHANNELS		(1U << 0)
#define ZCRX_PREP_HAVE_SPLIT		(1U << 1)	/* tcp-data-split */
#define ZCRX_PREP_HAVE_HDS_THRESH	(1U << 2)
#define ZCRX_PREP_HAVE_NTUPLE		(1U << 3)
#define ZCRX_PREP_HAVE_INDIR		(1U << 4)

/* What a step may change on a device, as the kernel reported it. */
struct zcrx_prep_settings {
	uint32_t	have;			/* ZCRX_PREP_HAVE_* */
	uint32_t	rx_count, combined_count;
	uint32_t	rx_max, combined_max;
	uint32_t	tcp_data_split;		/* 0 unknown (auto), 1 off, 2 on */
	uint32_t	hds_thresh, hds_thresh_max;
	uint32_t	ntuple;			/* 1 on */
	uint32_t	ntuple_fixed;		/* 1: the driver cannot change it */
	uint32_t	indir_size;		/* 0: no table (or not reported) */
	uint32_t	indir[ZCRX_PREP_INDIR_MAX];
	/* read with opts: a rule already steering opts->port to opts->queue (not saved) */
	uint32_t	rule_found, rule_found_loc;
	uint64_t	__resv[3];		/* zeroed */
};

#define ZCRX_PREP_TCP4	1
#define ZCRX_PREP_TCP6	2

struct zcrx_prep_opts {
	uint32_t	queue;
	uint32_t	port;		/* 0: no flow rule */
	uint32_t	flow_type;	/* ZCRX_PREP_TCP4 (default) or ZCRX_PREP_TCP6 */
	uint32_t	rss_context;	/* 1: steer to a new RSS context holding QUEUE */
	uint32_t	skip;		/* 1U << step for each step not to do */
	uint64_t	__resv[2];	/* zeroed */
};

/* What prepare will do: per step, needed or not, and the values it sets. */
struct zcrx_prep_plan {
	struct zcrx_prep_opts	opts;
	uint32_t		need;		/* 1U << step */
	uint32_t		skipped;	/* needed but skipped (opts.skip) */
	uint32_t		rx_count, combined_count;	/* CHANNELS */
	uint32_t		set_hds_thresh;			/* HDS: also send hds-thresh 0 */
	uint32_t		indir_size;			/* RSS */
	uint32_t		indir[ZCRX_PREP_INDIR_MAX];
	/* -EOPNOTSUPP: what the device reported shows it cannot do the step */
	int32_t			step_err[ZCRX_PREP_STEPS];
	uint64_t		__resv[4];
};

/*
 * What a prepare did, so that undo can restore it: the settings before the
 * first change, the steps done and the one under way, the rule and RSS
 * context it added.  Save it (zcrx_prep_state_format) before every change.
 */
struct zcrx_prep_state {
	char				dev[IF_NAMESIZE];
	uint32_t			ifindex;
	struct zcrx_prep_opts		opts;
	uint32_t			done;		/* 1U << step, changed and kept */
	uint32_t			pending;	/* 1U << step under way (at most one) */
	uint32_t			has_rule, rule_loc;
	uint32_t			rss_ctx;	/* 0: none created */
	struct zcrx_prep_settings	before;
	uint64_t			__resv[4];
};

/* Why a step failed: the kernel's errno and netlink's extack message. */
struct zcrx_prep_error {
	int		step;		/* enum zcrx_prep_step, -1 before any */
	int		err;		/* -errno */
	char		msg[160];	/* the kernel's extack message, or "" */
	int		undo_step;	/* a rollback step that failed too, or -1 */
	int		undo_err;
	uint64_t	__resv[2];
};

/*
 * Called before and after each change, to keep st where a crash cannot lose
 * it (the CLI writes it to a file, then renames).  Return 0, or a -errno:
 * apply then stops (undoing what it did) and returns that value as is.
 */
typedef int (*zcrx_prep_save_fn)(const struct zcrx_prep_state *st, void *arg);

ZCRX_API const char *zcrx_prep_step_name(enum zcrx_prep_step step);
/* A step by name: its id, or -EINVAL. */
ZCRX_API int zcrx_prep_step_parse(const char *name);

/*
 * Read what the steps may change on dev and, with opts (may be NULL), whether
 * a flow rule already steers opts->port to opts->queue: 0, -ENODEV, -errno
 * (err says where).
 */
ZCRX_API int zcrx_prep_read(const char *dev, const struct zcrx_prep_opts *opts,
			    uint32_t *ifindex, struct zcrx_prep_settings *s,
			    struct zcrx_prep_error *err);
/*
 * Which steps cur needs for opts, and their values.  0, or -ERANGE (QUEUE
 * beyond the channels the device allows; err->msg says how many), -EINVAL.
 * A needed step that cur shows the device cannot do gets its step_err, and
 * fails when apply reaches it (so the first step that cannot be done is the
 * one named, after the steps before it were tried).
 */
ZCRX_API int zcrx_prep_plan(const struct zcrx_prep_settings *cur,
			    const struct zcrx_prep_opts *opts, struct zcrx_prep_plan *plan,
			    struct zcrx_prep_error *err);
/* The ethtool(8) command doing step of plan on dev (snprintf-like). */
ZCRX_API int zcrx_prep_ethtool(const struct zcrx_prep_plan *plan, enum zcrx_prep_step step,
			       const char *dev, char *buf, size_t len);
/*
 * Do plan's steps in order on st->dev, saving st before and after each.  On
 * a failure, the steps done are undone in reverse order (st saved after
 * each) and the step's -errno is returned with err filled.  The caller
 * fills st first: zeroed, then dev, ifindex and before from zcrx_prep_read,
 * opts as given to zcrx_prep_plan.  struct zcrx_prep_state and
 * zcrx_prep_plan hold whole indirection tables (over 8 KiB each): allocate
 * them rather than put them on a small stack.  apply and undo change the
 * device and need CAP_NET_ADMIN (-EPERM without); read, plan and ethtool
 * only read.
 */
ZCRX_API int zcrx_prep_apply(struct zcrx_prep_state *st, const struct zcrx_prep_plan *plan,
			     zcrx_prep_save_fn save, void *arg, struct zcrx_prep_error *err);
/*
 * Undo st's done and pending steps in reverse order, saving st after each.
 * A step that cannot be restored stays in st->done and the others are
 * still tried: 0 when all were restored, else the first -errno (err says
 * which step).  A pending step the device answers EOPNOTSUPP was never
 * applied and counts as restored.
 */
ZCRX_API int zcrx_prep_undo(struct zcrx_prep_state *st, zcrx_prep_save_fn save, void *arg,
			    struct zcrx_prep_error *err);
/*
 * The state as text (one "key value" a line), NUL-terminated: the length it
 * needed, snprintf-like.  Parse takes only what format writes: 0 or -EINVAL.
 */
ZCRX_API int zcrx_prep_state_format(const struct zcrx_prep_state *st, char *buf, size_t len);
ZCRX_API int zcrx_prep_state_parse(const char *buf, size_t len, struct zcrx_prep_state *st);

/* ------------------------------------------------------------------ */
/* Who holds a queue: stale bindings before the kernel refuses them    */
/* ------------------------------------------------------------------ */

/*
 * The memory providers an RX queue carries, as netdev queue-get reports
 * them: an io_uring (zcrx) or dmabuf (devmem) provider makes a registration
 * fail with EEXIST, an AF_XDP socket with EBUSY.  A provider outlives its
 * process for a moment: the kernel tears it down asynchronously after the
 * holder's ring (or socket) is closed, so a rerun can find it still there.
 */
struct zcrx_queue_holder {
	unsigned int	mp;		/* ZCRX_MP_* bound; 0: the queue is free */
	uint32_t	dmabuf;		/* the dmabuf id, with ZCRX_MP_DMABUF */
	uint32_t	ifindex;	/* 0 when the backend has no ifindex (simulator) */
	uint64_t	__resv[4];	/* zeroed */
};

/*
 * Look RX queue queue of ifname up: 0 with *h filled, or -errno (nothing in
 * *h but zeroes).  ctx NULL asks the running kernel (netdev queue-get, no
 * ring needed); a ctx asks its backend, so a simulated one answers for its
 * own queue.  -ENODEV: no such device; -EINVAL: no such RX queue; -ENOENT:
 * the device is down or the kernel has no netdev family; -EOPNOTSUPP: the
 * backend has no queue view.  A failed look-up says nothing about the queue:
 * register anyway, and let the kernel answer.
 */
ZCRX_API int zcrx_queue_holder(struct zcrx_ctx *ctx, const char *ifname, uint32_t queue,
			       struct zcrx_queue_holder *h);
/*
 * zcrx_queue_holder() every 100 ms (as the kernel's selftests poll) until the
 * queue carries no provider, at most timeout_ns: 0 once it is free, -ETIMEDOUT
 * when it is still bound (*h says by what), or the look-up's -errno.  Sleeps
 * in the calling thread.
 */
ZCRX_API int zcrx_queue_wait_clear(struct zcrx_ctx *ctx, const char *ifname, uint32_t queue,
				   uint64_t timeout_ns, struct zcrx_queue_holder *h);
/*
 * The sentence for a queue that carries a provider: which kind, that
 * teardown after a process exits is asynchronous, and the fix.  The same
 * words zcrx_diagnose() gives a registration refused with EEXIST or EBUSY.
 * Returns the length it needed (snprintf-like), or -EINVAL when h->mp is 0.
 */
ZCRX_API int zcrx_queue_holder_str(const char *ifname, uint32_t queue,
				   const struct zcrx_queue_holder *h, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
