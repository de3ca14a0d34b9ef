/* SPDX-License-Identifier: MIT */
/*
 * The zcrx, query and netlink kernel ABI that libzcrx speaks, in the final
 * Linux 7.2 names (shared/zcrx-abi.md).  Debian bookworm's liburing 2.3 and
 * linux-libc-dev 6.1 have none of it, so the project carries its own.
 * Every size and offset is pinned with a _Static_assert.
 */
#ifndef ZCRX_KABI_H
#define ZCRX_KABI_H

#include <stddef.h>
#include <linux/types.h>

/* io_uring syscalls and register opcodes (§1.1) */
#define ZCRX_NR_io_uring_setup		425
#define ZCRX_NR_io_uring_enter		426
#define ZCRX_NR_io_uring_register	427

#define IORING_REGISTER_ZCRX_IFQ	32
#define IORING_REGISTER_QUERY		35
#define IORING_REGISTER_ZCRX_CTRL	36

/* ring flags and CQE flags (§1.2) */
#define ZCRX_SETUP_CQE32		(1U << 11)
#define ZCRX_SETUP_SINGLE_ISSUER	(1U << 12)
#define ZCRX_SETUP_DEFER_TASKRUN	(1U << 13)
#define ZCRX_SETUP_CQE_MIXED		(1U << 18)
#define ZCRX_SETUP_CLAMP		(1U << 4)
#define ZCRX_CQE_F_MORE			(1U << 1)
#define ZCRX_CQE_F_32			(1U << 15)
#define ZCRX_RECVSEND_POLL_FIRST	(1U << 0)
#define ZCRX_RECV_MULTISHOT		(1U << 1)

/* SQE (§1.3) */
#define IORING_OP_RECV_ZC		58
#define ZCRX_SQE_IFQ_IDX_OFF		44

/* NOP flags used to post synthetic CQEs (§11) */
#define ZCRX_NOP_INJECT_RESULT		(1U << 0)
#define ZCRX_NOP_CQE32			(1U << 5)

/* area token (§1.6) */
#define IORING_ZCRX_AREA_SHIFT		48
#define IORING_ZCRX_AREA_MASK		(~(((__u64)1 << IORING_ZCRX_AREA_SHIFT) - 1))

/* §2.1 */
struct io_uring_zcrx_rqe {
	__u64	off;
	__u32	len;
	__u32	__pad;
};

/* §2.2 */
struct io_uring_zcrx_cqe {
	__u64	off;
	__u64	__pad;
};

/* §2.3 */
struct io_uring_zcrx_offsets {
	__u32	head;
	__u32	tail;
	__u32	rqes;
	__u32	__resv2;
	__u64	__resv[2];
};

/* §2.4 */
#define IORING_ZCRX_AREA_DMABUF		1

struct io_uring_zcrx_area_reg {
	__u64	addr;
	__u64	len;
	__u64	rq_area_token;
	__u32	flags;
	__u32	dmabuf_fd;
	__u64	__resv2[2];
};

/* §2.5 */
#define IORING_MEM_REGION_TYPE_USER	1

struct io_uring_region_desc {
	__u64	user_addr;
	__u64	size;
	__u32	flags;
	__u32	id;
	__u64	mmap_offset;
	__u64	__resv[4];
};

/* §2.6 */
#define ZCRX_REG_IMPORT			(1U << 0)
#define ZCRX_REG_NODEV			(1U << 1)

#define ZCRX_FEATURE_RX_PAGE_SIZE	(1U << 0)
#define ZCRX_FEATURE_EVENT		(1U << 1)

struct io_uring_zcrx_ifq_reg {
	__u32	if_idx;
	__u32	if_rxq;
	__u32	rq_entries;
	__u32	flags;
	__u64	area_ptr;
	__u64	region_ptr;
	struct io_uring_zcrx_offsets offsets;
	__u32	zcrx_id;
	__u32	rx_buf_len;
	__u64	event_desc;
	__u64	__resv[2];
};

/* §2.7 */
enum zcrx_event_type {
	ZCRX_EVENT_ALLOC_FAIL	= 0,
	ZCRX_EVENT_COPY		= 1,
	__ZCRX_EVENT_TYPE_LAST,
};

#define ZCRX_EVENT_DESC_FLAG_STATS	(1U << 0)

struct zcrx_event_desc {
	__u64	user_data;
	__u32	type_mask;
	__u32	flags;
	__u64	stats_offset;
	__u64	__resv2[9];
};

/* §2.8 */
struct zcrx_stats {
	__u64	copy_count;
	__u64	copy_bytes;
};

/* §2.9 */
enum zcrx_ctrl_op {
	ZCRX_CTRL_FLUSH_RQ	= 0,
	ZCRX_CTRL_EXPORT	= 1,
	ZCRX_CTRL_ARM_EVENT	= 2,
	ZCRX_CTRL_ADD_AREA	= 3,	/* Linux 7.3 */
	__ZCRX_CTRL_LAST,
};

struct zcrx_ctrl_flush_rq {
	__u64	__resv[6];
};

struct zcrx_ctrl_export {
	__u32	zcrx_fd;
	__u32	__resv1[11];
};

struct zcrx_ctrl_arm_event {
	__u32	event_type;
	__u32	__resv[11];
};

struct zcrx_ctrl {
	__u32	zcrx_id;
	__u32	op;
	__u64	__resv[2];
	union {
		struct zcrx_ctrl_export		zc_export;
		struct zcrx_ctrl_flush_rq	zc_flush;
		struct zcrx_ctrl_arm_event	zc_arm_event;
	};
};

/* §3: query interface */
enum io_uring_query_op {
	IO_URING_QUERY_OPCODES		= 0,
	IO_URING_QUERY_ZCRX		= 1,
	IO_URING_QUERY_SCQ		= 2,
	IO_URING_QUERY_ZCRX_EVENT	= 3,
	__IO_URING_QUERY_MAX,
};

struct io_uring_query_hdr {
	__u64	next_entry;
	__u64	query_data;
	__u32	query_op;
	__u32	size;
	__s32	result;
	__u32	__resv[3];
};

struct io_uring_query_opcode {
	__u32	nr_request_opcodes;
	__u32	nr_register_opcodes;
	__u64	feature_flags;
	__u64	ring_setup_flags;
	__u64	enter_flags;
	__u64	sqe_flags;
	__u32	nr_query_opcodes;
	__u32	__pad;
};

struct io_uring_query_zcrx {
	__u64	register_flags;
	__u64	area_flags;
	__u32	nr_ctrl_opcodes;
	__u32	features;
	__u32	rq_hdr_size;
	__u32	rq_hdr_alignment;
	__u64	__resv2;
};

struct io_uring_query_zcrx_event {
	__u32	event_flags;
	__u32	stats_size;
	__u32	stats_off_alignment;
	__u32	__resv1;
	__u64	__resv2[4];
};

struct io_uring_query_scq {
	__u64	hdr_size;
	__u64	hdr_alignment;
};

/* §8: generic netlink ids.  Bookworm has no linux/netdev.h and its
 * ethtool_netlink.h stops at ETHTOOL_A_RINGS_TX_PUSH. */
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

/* ethtool netlink (§8.2) */
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

/* Pin every size and offset to the ABI sheet. */
#define ZCRX_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), #type " size")
#define ZCRX_ASSERT_OFF(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field " offset")

ZCRX_ASSERT_SIZE(io_uring_zcrx_rqe, 16);
ZCRX_ASSERT_OFF(io_uring_zcrx_rqe, off, 0);
ZCRX_ASSERT_OFF(io_uring_zcrx_rqe, len, 8);
ZCRX_ASSERT_OFF(io_uring_zcrx_rqe, __pad, 12);

ZCRX_ASSERT_SIZE(io_uring_zcrx_cqe, 16);
ZCRX_ASSERT_OFF(io_uring_zcrx_cqe, off, 0);
ZCRX_ASSERT_OFF(io_uring_zcrx_cqe, __pad, 8);

ZCRX_ASSERT_SIZE(io_uring_zcrx_offsets, 32);
ZCRX_ASSERT_OFF(io_uring_zcrx_offsets, head, 0);
ZCRX_ASSERT_OFF(io_uring_zcrx_offsets, tail, 4);
ZCRX_ASSERT_OFF(io_uring_zcrx_offsets, rqes, 8);
ZCRX_ASSERT_OFF(io_uring_zcrx_offsets, __resv2, 12);
ZCRX_ASSERT_OFF(io_uring_zcrx_offsets, __resv, 16);

ZCRX_ASSERT_SIZE(io_uring_zcrx_area_reg, 48);
ZCRX_ASSERT_OFF(io_uring_zcrx_area_reg, addr, 0);
ZCRX_ASSERT_OFF(io_uring_zcrx_area_reg, len, 8);
ZCRX_ASSERT_OFF(io_uring_zcrx_area_reg, rq_area_token, 16);
ZCRX_ASSERT_OFF(io_uring_zcrx_area_reg, flags, 24);
ZCRX_ASSERT_OFF(io_uring_zcrx_area_reg, dmabuf_fd, 28);
ZCRX_ASSERT_OFF(io_uring_zcrx_area_reg, __resv2, 32);

ZCRX_ASSERT_SIZE(io_uring_region_desc, 64);
ZCRX_ASSERT_OFF(io_uring_region_desc, user_addr, 0);
ZCRX_ASSERT_OFF(io_uring_region_desc, size, 8);
ZCRX_ASSERT_OFF(io_uring_region_desc, flags, 16);
ZCRX_ASSERT_OFF(io_uring_region_desc, id, 20);
ZCRX_ASSERT_OFF(io_uring_region_desc, mmap_offset, 24);
ZCRX_ASSERT_OFF(io_uring_region_desc, __resv, 32);

ZCRX_ASSERT_SIZE(io_uring_zcrx_ifq_reg, 96);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, if_idx, 0);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, if_rxq, 4);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, rq_entries, 8);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, flags, 12);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, area_ptr, 16);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, region_ptr, 24);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, offsets, 32);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, zcrx_id, 64);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, rx_buf_len, 68);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, event_desc, 72);
ZCRX_ASSERT_OFF(io_uring_zcrx_ifq_reg, __resv, 80);

ZCRX_ASSERT_SIZE(zcrx_event_desc, 96);
ZCRX_ASSERT_OFF(zcrx_event_desc, user_data, 0);
ZCRX_ASSERT_OFF(zcrx_event_desc, type_mask, 8);
ZCRX_ASSERT_OFF(zcrx_event_desc, flags, 12);
ZCRX_ASSERT_OFF(zcrx_event_desc, stats_offset, 16);
ZCRX_ASSERT_OFF(zcrx_event_desc, __resv2, 24);

ZCRX_ASSERT_SIZE(zcrx_stats, 16);
ZCRX_ASSERT_OFF(zcrx_stats, copy_count, 0);
ZCRX_ASSERT_OFF(zcrx_stats, copy_bytes, 8);

ZCRX_ASSERT_SIZE(zcrx_ctrl_flush_rq, 48);
ZCRX_ASSERT_SIZE(zcrx_ctrl_export, 48);
ZCRX_ASSERT_SIZE(zcrx_ctrl_arm_event, 48);
_Static_assert(_Alignof(struct zcrx_ctrl_export) == 4, "zcrx_ctrl_export align");
_Static_assert(_Alignof(struct zcrx_ctrl_arm_event) == 4, "zcrx_ctrl_arm_event align");
ZCRX_ASSERT_SIZE(zcrx_ctrl, 72);
ZCRX_ASSERT_OFF(zcrx_ctrl, zcrx_id, 0);
ZCRX_ASSERT_OFF(zcrx_ctrl, op, 4);
ZCRX_ASSERT_OFF(zcrx_ctrl, __resv, 8);
ZCRX_ASSERT_OFF(zcrx_ctrl, zc_flush.__resv, 24);
ZCRX_ASSERT_OFF(zcrx_ctrl, zc_export.zcrx_fd, 24);
ZCRX_ASSERT_OFF(zcrx_ctrl, zc_export.__resv1, 28);
ZCRX_ASSERT_OFF(zcrx_ctrl, zc_arm_event.event_type, 24);
ZCRX_ASSERT_OFF(zcrx_ctrl, zc_arm_event.__resv, 28);

ZCRX_ASSERT_SIZE(io_uring_query_hdr, 40);
ZCRX_ASSERT_OFF(io_uring_query_hdr, next_entry, 0);
ZCRX_ASSERT_OFF(io_uring_query_hdr, query_data, 8);
ZCRX_ASSERT_OFF(io_uring_query_hdr, query_op, 16);
ZCRX_ASSERT_OFF(io_uring_query_hdr, size, 20);
ZCRX_ASSERT_OFF(io_uring_query_hdr, result, 24);
ZCRX_ASSERT_OFF(io_uring_query_hdr, __resv, 28);

ZCRX_ASSERT_SIZE(io_uring_query_opcode, 48);
ZCRX_ASSERT_OFF(io_uring_query_opcode, nr_request_opcodes, 0);
ZCRX_ASSERT_OFF(io_uring_query_opcode, nr_register_opcodes, 4);
ZCRX_ASSERT_OFF(io_uring_query_opcode, feature_flags, 8);
ZCRX_ASSERT_OFF(io_uring_query_opcode, ring_setup_flags, 16);
ZCRX_ASSERT_OFF(io_uring_query_opcode, enter_flags, 24);
ZCRX_ASSERT_OFF(io_uring_query_opcode, sqe_flags, 32);
ZCRX_ASSERT_OFF(io_uring_query_opcode, nr_query_opcodes, 40);
ZCRX_ASSERT_OFF(io_uring_query_opcode, __pad, 44);

ZCRX_ASSERT_SIZE(io_uring_query_zcrx, 40);
ZCRX_ASSERT_OFF(io_uring_query_zcrx, register_flags, 0);
ZCRX_ASSERT_OFF(io_uring_query_zcrx, area_flags, 8);
ZCRX_ASSERT_OFF(io_uring_query_zcrx, nr_ctrl_opcodes, 16);
ZCRX_ASSERT_OFF(io_uring_query_zcrx, features, 20);
ZCRX_ASSERT_OFF(io_uring_query_zcrx, rq_hdr_size, 24);
ZCRX_ASSERT_OFF(io_uring_query_zcrx, rq_hdr_alignment, 28);
ZCRX_ASSERT_OFF(io_uring_query_zcrx, __resv2, 32);

ZCRX_ASSERT_SIZE(io_uring_query_zcrx_event, 48);
ZCRX_ASSERT_OFF(io_uring_query_zcrx_event, event_flags, 0);
ZCRX_ASSERT_OFF(io_uring_query_zcrx_event, stats_size, 4);
ZCRX_ASSERT_OFF(io_uring_query_zcrx_event, stats_off_alignment, 8);
ZCRX_ASSERT_OFF(io_uring_query_zcrx_event, __resv1, 12);
ZCRX_ASSERT_OFF(io_uring_query_zcrx_event, __resv2, 16);

ZCRX_ASSERT_SIZE(io_uring_query_scq, 16);
ZCRX_ASSERT_OFF(io_uring_query_scq, hdr_size, 0);
ZCRX_ASSERT_OFF(io_uring_query_scq, hdr_alignment, 8);

#endif
