/* SPDX-License-Identifier: MIT */
/*
 * The zcrx and query kernel ABI that libzcrx speaks, in the final Linux 7.2
 * names: include/uapi/linux/io_uring.h, include/uapi/linux/io_uring/zcrx.h
 * and include/uapi/linux/io_uring/query.h of Linux 7.2.  Debian bookworm's
 * liburing 2.3 and linux-libc-dev 6.1 have none of it, liburing 2.15 has an
 * older part of it (no events), so the project carries its own.  Not
 * installed: no public function takes one of these structs.
 *
 * Built next to any of those headers: the system's own are included first,
 * then every struct tag here is renamed to a private zcrx_kabi_* tag and
 * every constant is a macro (which shadows an enumerator of the same name and
 * value), so nothing is declared twice whichever liburing and kernel headers
 * the build finds (tests/test_sid_headers.sh builds against Debian sid's).
 * Include other io_uring headers before this one, never after.
 * Every size and offset is pinned with a _Static_assert.
 */
#ifndef ZCRX_KABI_H
#define ZCRX_KABI_H

#include <stddef.h>
#include <linux/types.h>
#include <liburing.h>

#define io_uring_zcrx_rqe		zcrx_kabi_rqe
#define io_uring_zcrx_cqe		zcrx_kabi_cqe
#define io_uring_zcrx_offsets		zcrx_kabi_offsets
#define io_uring_zcrx_area_reg		zcrx_kabi_area_reg
#define io_uring_region_desc		zcrx_kabi_region_desc
#define io_uring_zcrx_ifq_reg		zcrx_kabi_ifq_reg
#define zcrx_event_desc			zcrx_kabi_event_desc
#define zcrx_stats			zcrx_kabi_stats
#define zcrx_ctrl_flush_rq		zcrx_kabi_ctrl_flush_rq
#define zcrx_ctrl_export		zcrx_kabi_ctrl_export
#define zcrx_ctrl_arm_event		zcrx_kabi_ctrl_arm_event
#define zcrx_ctrl_add_area		zcrx_kabi_ctrl_add_area
#define zcrx_ctrl			zcrx_kabi_ctrl
#define io_uring_query_hdr		zcrx_kabi_query_hdr
#define io_uring_query_opcode		zcrx_kabi_query_opcode
#define io_uring_query_zcrx		zcrx_kabi_query_zcrx
#define io_uring_query_zcrx_event	zcrx_kabi_query_zcrx_event
#define io_uring_query_scq		zcrx_kabi_query_scq

/*
 * io_uring syscalls (include/uapi/asm-generic/unistd.h, the same numbers in
 * arch/x86/entry/syscalls/syscall_64.tbl) and register opcodes
 * (include/uapi/linux/io_uring.h: enum io_uring_register_op)
 */
#define ZCRX_NR_io_uring_setup		425
#define ZCRX_NR_io_uring_enter		426
#define ZCRX_NR_io_uring_register	427

#define IORING_REGISTER_ZCRX_IFQ	32
#define IORING_REGISTER_QUERY		35
#define IORING_REGISTER_ZCRX_CTRL	36

/* ring flags and CQE flags (include/uapi/linux/io_uring.h: IORING_SETUP_*,
 * IORING_CQE_F_*, IORING_RECV_MULTISHOT) */
#define ZCRX_SETUP_CQE32		(1U << 11)
#define ZCRX_SETUP_SINGLE_ISSUER	(1U << 12)
#define ZCRX_SETUP_DEFER_TASKRUN	(1U << 13)
#define ZCRX_SETUP_CQE_MIXED		(1U << 18)
#define ZCRX_SETUP_CLAMP		(1U << 4)
#define ZCRX_CQE_F_MORE			(1U << 1)
#define ZCRX_CQE_F_32			(1U << 15)
#define ZCRX_RECVSEND_POLL_FIRST	(1U << 0)
#define ZCRX_RECV_MULTISHOT		(1U << 1)

/* SQE: zcrx_ifq_idx shares byte 44 with file_index (struct io_uring_sqe),
 * read by io_uring/net.c: io_recvzc_prep() */
#define IORING_OP_RECV_ZC		58
#define ZCRX_SQE_IFQ_IDX_OFF		44

/* NOP flags used to post synthetic CQEs (include/uapi/linux/io_uring.h:
 * IORING_NOP_INJECT_RESULT, IORING_NOP_CQE32; io_uring/nop.c: io_nop()) */
#define ZCRX_NOP_INJECT_RESULT		(1U << 0)
#define ZCRX_NOP_CQE32			(1U << 5)

/* area token in a CQE offset (include/uapi/linux/io_uring/zcrx.h) */
#ifndef IORING_ZCRX_AREA_SHIFT
#define IORING_ZCRX_AREA_SHIFT		48
#endif
#ifndef IORING_ZCRX_AREA_MASK
#define IORING_ZCRX_AREA_MASK		(~(((__u64)1 << IORING_ZCRX_AREA_SHIFT) - 1))
#endif

/* The structs of include/uapi/linux/io_uring/zcrx.h, Linux 7.2 */
struct io_uring_zcrx_rqe {
	__u64	off;
	__u32	len;
	__u32	__pad;
};

struct io_uring_zcrx_cqe {
	__u64	off;
	__u64	__pad;
};

struct io_uring_zcrx_offsets {
	__u32	head;
	__u32	tail;
	__u32	rqes;
	__u32	__resv2;
	__u64	__resv[2];
};

#define IORING_ZCRX_AREA_DMABUF		1

struct io_uring_zcrx_area_reg {
	__u64	addr;
	__u64	len;
	__u64	rq_area_token;
	__u32	flags;
	__u32	dmabuf_fd;
	__u64	__resv2[2];
};

/* include/uapi/linux/io_uring.h: the refill region */
#define IORING_MEM_REGION_TYPE_USER	1

struct io_uring_region_desc {
	__u64	user_addr;
	__u64	size;
	__u32	flags;
	__u32	id;
	__u64	mmap_offset;
	__u64	__resv[4];
};

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

/* event types: an index in a CQE's res, 1 << index in type_mask and arm */
#define ZCRX_EVENT_ALLOC_FAIL		0
#define ZCRX_EVENT_COPY			1
#define __ZCRX_EVENT_TYPE_LAST		2

#define ZCRX_EVENT_DESC_FLAG_STATS	(1U << 0)

struct zcrx_event_desc {
	__u64	user_data;
	__u32	type_mask;
	__u32	flags;
	__u64	stats_offset;
	__u64	__resv2[9];
};

struct zcrx_stats {
	__u64	copy_count;
	__u64	copy_bytes;
};

/* IORING_REGISTER_ZCRX_CTRL ops (io_uring/zcrx.c: io_register_zcrx_ctrl()) */
#define ZCRX_CTRL_FLUSH_RQ		0
#define ZCRX_CTRL_EXPORT		1
#define ZCRX_CTRL_ARM_EVENT		2
#define ZCRX_CTRL_ADD_AREA		3	/* Linux 7.3 */
#define __ZCRX_CTRL_LAST		4

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

/* Linux 7.3: area_ptr points to a struct io_uring_zcrx_area_reg */
struct zcrx_ctrl_add_area {
	__u64	area_ptr;
	__u64	__resv[5];
};

struct zcrx_ctrl {
	__u32	zcrx_id;
	__u32	op;
	__u64	__resv[2];
	union {
		struct zcrx_ctrl_export		zc_export;
		struct zcrx_ctrl_flush_rq	zc_flush;
		struct zcrx_ctrl_arm_event	zc_arm_event;
		struct zcrx_ctrl_add_area	zc_area;
	};
};

/* The query interface: include/uapi/linux/io_uring/query.h, io_uring/query.c */
#define IO_URING_QUERY_OPCODES		0
#define IO_URING_QUERY_ZCRX		1
#define IO_URING_QUERY_SCQ		2
#define IO_URING_QUERY_ZCRX_EVENT	3
#define __IO_URING_QUERY_MAX		4

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

/* Pin every size and offset to the Linux 7.2 uapi. */
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
ZCRX_ASSERT_SIZE(zcrx_ctrl_add_area, 48);
ZCRX_ASSERT_OFF(zcrx_ctrl, zc_area.area_ptr, 24);
ZCRX_ASSERT_OFF(zcrx_ctrl, zc_area.__resv, 32);

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
