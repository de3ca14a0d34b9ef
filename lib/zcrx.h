/* SPDX-License-Identifier: MIT */
/*
 * libzcrx: io_uring zero-copy receive (zcrx) for applications and tools.
 *
 * This header is the data path: kernel capabilities, a context on an
 * io_uring, ifqs, receives, the refill ring, events and stats, consumers.
 * It needs liburing's headers and nothing else; diagnostics for people
 * (netdev view, readiness, sentences, the self-test) are in zcrx_diag.h.
 *
 * Conventions (liburing's): every call returns 0 or a value on success and
 * -errno on failure; nothing prints; errno is no result (its value after a
 * call is unspecified).  Names follow the kernel ABI (zcrx_id, rq_entries,
 * rx_buf_len, event_desc, alloc-fail).
 *
 * Growth.  Every struct the caller allocates and passes in or gets back ends
 * in reserved space (__resv), so later versions add fields there without
 * changing its size.  On input it must be zero (designated or { 0 }
 * initialisers do that): a call given non-zero reserved bytes returns -EINVAL.
 * On output the library zeroes it.
 *
 * Ownership.  A consumer works on one ifq and an ifq on one ctx; they are
 * released leaves first: destroy every consumer of an ifq before closing the
 * ifq (zcrx_consumer_destroy returns its buffers through the ifq), and close
 * every ifq before its ctx, or let zcrx_ctx_destroy close the ifqs still
 * open.  Nothing frees a consumer for the caller: one left past its ifq is a
 * leak, and destroying it then is a use after free.  A ring passed to
 * zcrx_ctx_adopt stays the caller's: the ctx never exits it, so the caller
 * calls io_uring_queue_exit() after zcrx_ctx_destroy(); a ring from
 * zcrx_ctx_create is the ctx's own.
 *
 * The ring's SQ.  zcrx_cqe_decode(), zcrx_buf_commit() and zcrx_rq_flush()
 * may prepare SQEs on the ctx's ring (a receive that ran out of buffers or
 * found the CQ full, prepared again: ZCRX_CQE_RECV_STALLED), and a
 * ctx of another backend may do so in more calls (its header says which);
 * they go with the caller's next submit, so a loop that only waits for
 * CQEs must still submit after each batch.  Do not call libzcrx between the
 * io_uring_get_sqe() calls of a chain linked with IOSQE_IO_LINK: such an SQE
 * would fall inside the chain.
 *
 * Threads.  A ctx and everything on it (its ring, ifqs, consumers) belong to
 * one thread at a time, like the IORING_SETUP_SINGLE_ISSUER ring under it:
 * the caller serialises every call taking one of them.  Different ctxs may be
 * used from different threads at once; the library holds no global state.
 * zcrx_caps_probe, the name and parse helpers and the version calls are safe
 * from any thread.
 */
#ifndef LIBZCRX_H
#define LIBZCRX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <liburing.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks libzcrx's entry points: the library builds with -fvisibility=hidden. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define ZCRX_API __attribute__((visibility("default")))
#else
#define ZCRX_API
#endif

/* ------------------------------------------------------------------ */
/* Version                                                             */
/* ------------------------------------------------------------------ */

/* The version these headers describe. */
#define ZCRX_VERSION_MAJOR	0
#define ZCRX_VERSION_MINOR	4

/*
 * As liburing's IO_URING_CHECK_VERSION: true when these headers are OLDER
 * than major.minor (what that version brought is missing), false otherwise.
 */
#define ZCRX_CHECK_VERSION(major, minor) \
	((major) > ZCRX_VERSION_MAJOR || \
	 ((major) == ZCRX_VERSION_MAJOR && (minor) > ZCRX_VERSION_MINOR))

/* The version of the library loaded at run time (since 0.2). */
ZCRX_API int zcrx_major_version(void);
ZCRX_API int zcrx_minor_version(void);
/* As io_uring_check_version(): true when the loaded library is older than major.minor. */
ZCRX_API bool zcrx_check_version(int major, int minor);

/* ------------------------------------------------------------------ */
/* Kernel capabilities                                                 */
/* ------------------------------------------------------------------ */

/* Which generation of the zcrx event ABI a kernel speaks. */
enum zcrx_gen {
	ZCRX_GEN_NONE		= 0,	/* no zcrx events */
	ZCRX_GEN_MAY2026	= 1,	/* seed patch: alloc-fail only, no stats */
	ZCRX_GEN_7_2		= 2,	/* Linux 7.2: alloc-fail, copy, stats */
};

/* Raw probe results.  Each *_err is 0 or the -errno the kernel gave. */
struct zcrx_caps {
	int		io_uring_disabled;	/* kernel.io_uring_disabled, or -errno */
	int		ring_err;		/* setting up a zcrx-shaped ring */
	int		query_err;		/* IORING_REGISTER_QUERY syscall */
	int		opcodes_err;		/* query op 0 hdr.result */
	uint32_t	nr_request_opcodes;
	uint32_t	nr_register_opcodes;
	uint32_t	nr_query_opcodes;
	uint64_t	feature_flags;
	uint64_t	ring_setup_flags;
	uint64_t	enter_flags;
	uint64_t	sqe_flags;
	int		zcrx_reg_err;		/* op 32 with an unreadable arg: -EFAULT = present */
	int		zcrx_query_err;		/* query op 1 hdr.result */
	uint64_t	register_flags;
	uint64_t	area_flags;
	uint32_t	nr_ctrl_opcodes;
	uint32_t	features;
	uint32_t	rq_hdr_size;
	uint32_t	rq_hdr_alignment;
	int		event_query_err;	/* query op 3 hdr.result */
	uint32_t	event_flags;
	uint32_t	stats_size;
	uint32_t	stats_off_alignment;
	int		cap_net_admin;		/* 1, 0, or -errno */
	/* derived by the probe */
	enum zcrx_gen	gen;
	uint32_t	event_types;		/* mask of 1u << ZCRX_EV_* */
	bool		stats;
	uint64_t	__resv[8];		/* zeroed */
};

/* Probe this kernel.  Never fails as a whole: each part records its error. */
ZCRX_API int zcrx_caps_probe(struct zcrx_caps *caps);

enum zcrx_feature {
	ZCRX_FEAT_IO_URING,		/* "io-uring" */
	ZCRX_FEAT_QUERY,		/* "query" */
	ZCRX_FEAT_ZCRX,			/* "zcrx" */
	ZCRX_FEAT_ZCRX_QUERY,		/* "zcrx-query" */
	ZCRX_FEAT_IMPORT,		/* "import" */
	ZCRX_FEAT_NODEV,		/* "nodev" */
	ZCRX_FEAT_DMABUF,		/* "dmabuf" */
	ZCRX_FEAT_RX_PAGE_SIZE,		/* "rx-buf-len" */
	ZCRX_FEAT_CTRL,			/* "ctrl" */
	ZCRX_FEAT_EVENTS,		/* "events" */
	ZCRX_FEAT_ALLOC_FAIL,		/* "alloc-fail" */
	ZCRX_FEAT_COPY,			/* "copy" */
	ZCRX_FEAT_STATS,		/* "stats" */
	ZCRX_FEAT_CAP_NET_ADMIN,	/* "cap-net-admin" */
	ZCRX_FEAT_ADD_AREA,		/* "add-area": ZCRX_CTRL_ADD_AREA, Linux 7.3 */
	ZCRX_FEAT_COUNT,
};

enum zcrx_tri {
	ZCRX_NO		= 0,
	ZCRX_YES	= 1,
	ZCRX_UNKNOWN	= 2,
};

ZCRX_API const char *zcrx_feature_name(enum zcrx_feature f);
/* Name (or "no-buffers" for alloc-fail) to feature; -EINVAL if unknown. */
ZCRX_API int zcrx_feature_parse(const char *name);
/* ZCRX_YES / ZCRX_NO / ZCRX_UNKNOWN, and a one-line reason in buf. */
ZCRX_API enum zcrx_tri zcrx_caps_feature(const struct zcrx_caps *caps, enum zcrx_feature f,
					 char *why, size_t len);

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

enum zcrx_event {
	ZCRX_EV_ALLOC_FAIL	= 0,	/* == ZCRX_EVENT_ALLOC_FAIL */
	ZCRX_EV_COPY		= 1,	/* == ZCRX_EVENT_COPY */
	ZCRX_EV_COUNT		= 2,
};

#define ZCRX_EV_MASK(t)		(1U << (t))
#define ZCRX_EV_MASK_ALL	((1U << ZCRX_EV_COUNT) - 1)

ZCRX_API const char *zcrx_event_name(enum zcrx_event t);	/* "alloc-fail", "copy" */
/* "alloc-fail" (or the seed patch's "no-buffers"), "copy": type or -EINVAL. */
ZCRX_API int zcrx_event_parse(const char *name);
/* "all" or a comma list of names into a mask; -EINVAL names nothing valid. */
ZCRX_API int zcrx_event_list_parse(const char *list, uint32_t *mask);
/* The inverse: "alloc-fail,copy", or "none" for an empty mask.  Returns buf. */
ZCRX_API const char *zcrx_event_list_str(uint32_t mask, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Context, ifq, receive, events (the engine)                          */
/* ------------------------------------------------------------------ */

struct zcrx_ctx;
struct zcrx_ifq;

struct zcrx_ctx_opts {
	uint32_t		sq_entries;	/* 0 = 256 */
	uint64_t		__resv[4];	/* must be zero */
};

/* A context owning a new ring (SINGLE_ISSUER | DEFER_TASKRUN | CQE32). */
ZCRX_API int zcrx_ctx_create(struct zcrx_ctx **out, const struct zcrx_ctx_opts *opts);
/*
 * Adopt a caller's ring: -EINVAL unless it has those three flags.  A ring
 * set up with IORING_SETUP_CQE_MIXED is refused (-EINVAL) too: its 32-byte
 * receive CQEs take two slots, which liburing 2.3's CQE walk cannot skip.
 */
ZCRX_API int zcrx_ctx_adopt(struct zcrx_ctx **out, struct io_uring *ring,
			    const struct zcrx_ctx_opts *opts);
ZCRX_API struct io_uring *zcrx_ctx_ring(struct zcrx_ctx *ctx);
ZCRX_API const struct zcrx_caps *zcrx_ctx_caps(const struct zcrx_ctx *ctx);
/* Closes every ifq and, if owned, the ring (which releases kernel ifqs). */
ZCRX_API void zcrx_ctx_destroy(struct zcrx_ctx *ctx);

enum zcrx_area_backing {
	ZCRX_AREA_ANON		= 0,	/* anonymous memory */
	ZCRX_AREA_HUGE_2M	= 1,	/* 2 MiB huge pages */
	ZCRX_AREA_USER		= 2,	/* caller memory at area_addr */
	/*
	 * A dmabuf (since 0.4, zcrx_area_opts only): the kernel takes none
	 * beside user-memory areas, and libzcrx opens ifqs on user memory
	 * only, so zcrx_ifq_add_area() refuses it (-EINVAL) before the call.
	 */
	ZCRX_AREA_DMABUF	= 3,
};

/*
 * The kernel's limit on refill ring entries (IO_RQ_MAX_ENTRIES in
 * io_uring/zcrx.c): like the kernel, ifq_open refuses a larger rq_entries
 * (-EINVAL), or clamps it on a ring set up with IORING_SETUP_CLAMP.
 */
#define ZCRX_RQ_ENTRIES_MAX	32768

struct zcrx_ifq_opts {
	const char		*ifname;	/* or ifindex */
	unsigned int		ifindex;
	uint32_t		queue;
	/*
	 * No NIC (ZCRX_REG_NODEV, Linux 7.1+): ifname, ifindex and queue stay
	 * unset; receives on any TCP socket copy every byte into the area, so
	 * copy events and stats work, alloc-fail never fires (events_default
	 * leaves it out), and returned buffers come back only through
	 * ZCRX_CTRL_FLUSH_RQ, which zcrx_buf_commit() issues when due.
	 */
	bool			nodev;
	uint64_t		area_size;	/* 0 = 8 MiB */
	enum zcrx_area_backing	backing;
	void			*area_addr;	/* ZCRX_AREA_USER */
	uint32_t		rq_entries;	/* 0 = 4096; at most ZCRX_RQ_ENTRIES_MAX */
	uint32_t		rx_buf_len;	/* 0 = page size */
	bool			events_default;	/* every type the kernel supports */
	uint32_t		events;		/* else this ZCRX_EV_MASK() set */
	uint64_t		event_user_data;/* 0 = ZCRX_EVENT_UD_DEFAULT + n, n the
						 * ctx's n-th ifq: unique per ring */
	bool			stats;
	uint64_t		__resv[8];	/* must be zero */
};

#define ZCRX_EVENT_UD_DEFAULT	0x7a637278ffff0000ULL	/* "zcrx" */

/* Where an ifq_open failed, and why, in words. */
enum zcrx_stage {
	ZCRX_STAGE_ARGS,	/* options refused before anything was done */
	ZCRX_STAGE_CAPS,	/* the kernel lacks what was asked (no syscall made) */
	ZCRX_STAGE_DEVICE,	/* the device or queue does not exist */
	ZCRX_STAGE_MEMORY,	/* area or refill region allocation */
	ZCRX_STAGE_REGISTER,	/* IORING_REGISTER_ZCRX_IFQ refused */
	ZCRX_STAGE_SOCKET,	/* zcrx_ifq_serve(): RUNDIR or the socket (zcrx_server.h) */
};

struct zcrx_diag {
	int		err;
	enum zcrx_stage	stage;
	char		msg[512];
	uint64_t	__resv[4];	/* zeroed */
};

ZCRX_API int zcrx_ifq_open(struct zcrx_ctx *ctx, const struct zcrx_ifq_opts *opts,
			   struct zcrx_ifq **out, struct zcrx_diag *diag);
/*
 * Forget an ifq and unmap what ifq_open mapped.  The kernel cannot unregister
 * an ifq: it stays bound, with the area and refill region pinned, until the
 * ring is closed (zcrx_ctx_destroy on an owned ring).
 */
ZCRX_API void zcrx_ifq_close(struct zcrx_ifq *ifq);

struct zcrx_ifq_info {
	uint32_t	zcrx_id;
	uint32_t	ifindex;
	uint32_t	queue;
	uint32_t	rq_entries;	/* as the kernel wrote it back */
	uint32_t	rx_buf_len;	/* as the kernel wrote it back */
	uint64_t	area_size;	/* of all its areas (zcrx_ifq_area() for one) */
	uint32_t	nr_bufs;	/* of all its areas */
	void		*area;		/* area 0 */
	uint32_t	events;		/* enabled mask */
	uint64_t	event_user_data;
	bool		stats;
	bool		nodev;
	enum zcrx_gen	gen;
	uint32_t	nr_areas;	/* since 0.4: 1 + the areas zcrx_ifq_add_area() added */
	uint32_t	__resv32;	/* zeroed */
	uint64_t	__resv[7];	/* zeroed */
};

ZCRX_API int zcrx_ifq_info(const struct zcrx_ifq *ifq, struct zcrx_ifq_info *info);

/*
 * Growing a live ifq (ZCRX_CTRL_ADD_AREA, Linux 7.3; since 0.4).  Each area
 * has an id, 0 for ifq_open's, then 1, 2... in the order they were added;
 * a data CQE carries its area's id in off bits 48 and up (its token), and
 * zcrx_cqe_decode() gives info.addr inside that area.  The kernel fills
 * area 0 first, then the next, so a new area sees data once the earlier
 * ones are in use.  The kernel keeps at most ZCRX_AREAS_MAX areas per ifq
 * and cannot remove one: each stays pinned until the ring closes.
 */
#define ZCRX_AREAS_MAX		1024	/* ZCRX_MAX_AREAS in io_uring/zcrx.c */
/* The area id in a data CQE's off (info.off): bits 48 and up (IORING_ZCRX_AREA_SHIFT) */
#define ZCRX_AREA_ID(off)	((uint32_t)((uint64_t)(off) >> 48))

struct zcrx_area_opts {
	uint64_t		area_size;	/* 0 = the size of the ifq's area 0 */
	enum zcrx_area_backing	backing;
	void			*area_addr;	/* ZCRX_AREA_USER */
	/* 0 = the ifq's; every area has its buffer size, another is -EINVAL */
	uint32_t		rx_buf_len;
	uint64_t		__resv[6];	/* must be zero */
};

/*
 * Add an area to a live ifq: the library maps it as ifq_open does (or takes
 * the caller's, ZCRX_AREA_USER) and *area_id (may be NULL) gets its id.
 * Refused before any syscall, with diag's stage and words (diag may be
 * NULL), what the kernel would refuse: -EOPNOTSUPP (ZCRX_STAGE_CAPS) on a
 * kernel without ZCRX_CTRL_ADD_AREA; -EINVAL (ZCRX_STAGE_ARGS) for a
 * dmabuf, another rx_buf_len than the ifq's, a size that is not a multiple
 * of the page size or holds no buffer, a misaligned area_addr, or an ifq
 * that has ZCRX_AREAS_MAX areas already.  Then the kernel's -errno
 * (ZCRX_STAGE_REGISTER); ZCRX_STAGE_MEMORY when mapping failed.  A receive
 * stalled for want of buffers is prepared again on the ctx ring's SQ.
 */
ZCRX_API int zcrx_ifq_add_area(struct zcrx_ifq *ifq, const struct zcrx_area_opts *opts,
			       uint32_t *area_id, struct zcrx_diag *diag);

struct zcrx_area_info {
	uint32_t	id;
	uint32_t	nr_bufs;
	uint64_t	token;		/* rq_area_token: id << 48 */
	void		*addr;
	uint64_t	size;
	uint64_t	rx_buffers;	/* data CQEs zcrx_cqe_decode() has seen land in it */
	uint64_t	__resv[3];	/* zeroed */
};

/* One area of an ifq, by id (0 .. info.nr_areas - 1): -ENOENT past the last.  Since 0.4. */
ZCRX_API int zcrx_ifq_area(const struct zcrx_ifq *ifq, uint32_t id, struct zcrx_area_info *info);

enum zcrx_cqe_kind {
	ZCRX_CQE_NOT_OURS	= 0,	/* leave it to the caller */
	ZCRX_CQE_EVENT		= 1,	/* info.event fired and is now latched */
	ZCRX_CQE_DATA		= 2,	/* info.len bytes at info.addr; return it */
	ZCRX_CQE_RECV_END	= 3,	/* the receive ended: info.err (0 = EOF) */
	ZCRX_CQE_INTERNAL	= 4,	/* the backend's own; already handled */
	/*
	 * The receive stopped, and the library keeps it; info.err says why.
	 * Nothing was lost: what was not received waits in the socket.
	 *   -ENOMEM  it ran out of buffers (a starved NODEV ifq or copy
	 *            fallback): prepared again on the ctx ring's SQ once a
	 *            commit or flush brings buffers back (zcrx_recv_stalls());
	 *   -ENOSPC  the CQ had no free entry for its next completion (the
	 *            caller fell behind): prepared again at once, in this
	 *            decode (zcrx_recv_overflows()).
	 * Either goes with the caller's next submit; with the SQ full, at a
	 * later commit or flush.  What the caller does: nothing for the CQE
	 * itself (no new zcrx_prep_recv_zc: the same user_data gives -EEXIST
	 * while the library keeps it), but it must submit after handling the
	 * batch (io_uring_submit() or io_uring_submit_and_wait()), or the
	 * receive never resumes: a loop that only waits for CQEs never sends
	 * it.  For -ENOMEM it must also return buffers and commit, which is
	 * what prepares it.  The library keeps the socket's fd number, not the
	 * socket: keep the socket open until ZCRX_CQE_RECV_END or
	 * zcrx_ifq_close(), or a reused fd gets the receive.  zcrx_recv_stalls()
	 * counts only the -ENOMEM ends, zcrx_recv_overflows() only the -ENOSPC.
	 */
	ZCRX_CQE_RECV_STALLED	= 5,
};

struct zcrx_cqe_info {
	enum zcrx_cqe_kind	kind;
	enum zcrx_event		event;
	uint64_t		user_data;
	void			*addr;
	uint32_t		len;
	uint64_t		off;	/* the CQE's area token | offset in that area */
	int			err;
	bool			more;
	uint64_t		__resv[2];	/* zeroed */
};

/*
 * Decode a CQE seen on the ctx's ring.  Returns the kind (>= 0) or -EPROTO for
 * a CQE that claims to be this ifq's but cannot be (an event type not enabled,
 * data outside the area).  Another ifq's CQE is ZCRX_CQE_NOT_OURS: with
 * several ifqs on a ring, offer each CQE to each until one takes it.  Offer
 * every CQE the caller did not post itself, those under an event user_data
 * included even with events off: a backend may post its own there.
 */
ZCRX_API int zcrx_cqe_decode(struct zcrx_ifq *ifq, const struct io_uring_cqe *cqe,
			     struct zcrx_cqe_info *info);

/*
 * ZCRX_CTRL_FLUSH_RQ: publish the queued returns and have the kernel take
 * the refill ring now.  A NODEV ifq reuses returned buffers only after it
 * (the consumer calls it for NODEV ifqs).  When the kernel took entries,
 * stalled receives are prepared again on the ring's SQ (overflowed ones
 * whatever it took).  Returns the number
 * of entries the kernel took, or -errno.
 */
ZCRX_API int zcrx_rq_flush(struct zcrx_ifq *ifq);
/* Receives that ended with -ENOMEM and were (or will be) prepared again. */
ZCRX_API uint64_t zcrx_recv_stalls(const struct zcrx_ifq *ifq);
/*
 * Receives that ended with -ENOSPC (a full CQ) and were (or will be)
 * prepared again.  One prepared again while the CQ is still full ends
 * -ENOSPC at its issue, and counts again, until the caller drains the CQ.
 */
ZCRX_API uint64_t zcrx_recv_overflows(const struct zcrx_ifq *ifq);

/* Re-arm one event type: -EINVAL when it has not fired since the last arm. */
ZCRX_API int zcrx_event_arm(struct zcrx_ifq *ifq, enum zcrx_event type);
/* Whether a type is latched (fired, not yet re-armed), from our own books. */
ZCRX_API bool zcrx_event_latched(const struct zcrx_ifq *ifq, enum zcrx_event type);

struct zcrx_stats_snap {
	uint64_t	copy_count;
	uint64_t	copy_bytes;
	uint64_t	__resv[6];	/* zeroed */
};

/* -EOPNOTSUPP when the ifq was opened without stats. */
ZCRX_API int zcrx_stats_read(const struct zcrx_ifq *ifq, struct zcrx_stats_snap *snap);

/*
 * Prepare a multishot RECV_ZC on a TCP socket.  user_data identifies its
 * CQEs.  Any number of receives may be in flight.  Returns 0, or -errno
 * with the SQE left as it was:
 *   -EEXIST  a receive with user_data is in flight on this ifq;
 *   -EINVAL  user_data is the event user_data of an ifq on this ring
 *            (events on or not), or of an ifq closed while a completion
 *            of the ctx's own may still come under it (until
 *            zcrx_cqe_decode() has seen it);
 *   -EBADF   fd is negative;
 *   -EMFILE, -ENFILE  no file descriptor left (a ctx that keeps its own
 *            reference to the socket needs one);
 *   -ENOMEM  the books cannot grow.
 * What the kernel refuses when it issues the receive (not a socket, not
 * TCP) ends it: its final CQE carries the -errno.
 */
ZCRX_API int zcrx_prep_recv_zc(struct zcrx_ifq *ifq, struct io_uring_sqe *sqe, int fd,
			       uint32_t len, uint64_t user_data);

/*
 * Queue one buffer for return (no kernel-visible effect until commit); off is
 * info.off, whose area token goes with it.  -ENOSPC when full, -EINVAL for
 * an area id the ifq does not have.
 */
ZCRX_API int zcrx_buf_return(struct zcrx_ifq *ifq, uint64_t off, uint32_t len);
/*
 * Publish the queued returns with one store-release of the refill tail.  On
 * a NODEV ifq, or while a receive is stalled, it also calls zcrx_rq_flush()
 * (a syscall) once an eighth of the buffers in flight wait, or at once for a
 * stalled receive: the kernel reuses NODEV buffers only after a flush.  An
 * overflowed receive that found no SQE in zcrx_cqe_decode() is prepared here.
 */
ZCRX_API void zcrx_buf_commit(struct zcrx_ifq *ifq);
/* Entries written but not yet consumed by the kernel (refill-ring fill). */
ZCRX_API uint32_t zcrx_rq_fill(const struct zcrx_ifq *ifq);

/*
 * The data path inline (since 0.4), as liburing's CQE and SQE helpers are:
 * zcrx_cqe_decode_fast() and zcrx_buf_return_fast() take the common case
 * (a data CQE of the receive and area the last one came from; a return to
 * an area whose token is its id, with room in the refill ring) in the
 * caller, and hand anything else to zcrx_cqe_decode() and zcrx_buf_return(),
 * so they return what those would, with the same refusals.  Held back by a
 * full SQ, a zcrx_ifq_serve() server's poll goes at the next
 * zcrx_cqe_decode() or zcrx_buf_commit() call.  The struct is the library's:
 * read and written only by these helpers and the library, never by the
 * caller; zcrx_ifq_fast() gives the ifq's, valid until zcrx_ifq_close().
 */
struct zcrx_fast {
	struct zcrx_ifq		*ifq;
	/* decode: data CQEs of one receive, in one area */
	uint64_t		hot_ud;		/* that receive's user_data */
	uint32_t		hot_more;	/* IORING_CQE_F_MORE; 0: no CQE passes */
	uint32_t		more_or;	/* IORING_CQE_F_MORE where CQEs carry no flags */
	uint64_t		hot_base;	/* the area's id << 48 */
	uint64_t		hot_size;	/* 0: no offset passes */
	uint64_t		hot_end;	/* hot_base + hot_size */
	uint64_t		hot_delta;	/* the area's address less hot_base */
	uint64_t		hot_count;	/* its data CQEs since (zcrx_ifq_area() adds them) */
	/* returns: the refill ring */
	uint64_t		ids_end;	/* off below it: an area whose token is its id */
	struct {				/* struct io_uring_zcrx_rqe */
		uint64_t	off;
		uint64_t	len_pad;	/* len, then a zero __pad */
	}			*rqes;
	uint32_t		rq_mask;
	uint32_t		rq_tail;	/* zcrx_buf_commit() publishes it */
	uint32_t		rq_limit;	/* a head seen + rq_entries: full at this tail */
	uint32_t		__resv32;
	uint64_t		__resv[5];
};

ZCRX_API struct zcrx_fast *zcrx_ifq_fast(struct zcrx_ifq *ifq);

/* The common case of zcrx_cqe_decode(): true when it decoded a data CQE. */
static inline bool __zcrx_fast_decode(struct zcrx_fast *f, const struct io_uring_cqe *cqe,
				      struct zcrx_cqe_info *info)
{
	uint64_t off, pos;

	if (__builtin_expect(cqe->user_data != f->hot_ud ||
			     !((cqe->flags | f->more_or) & f->hot_more), 0))
		return false;
	/* the CQE's second half is struct io_uring_zcrx_cqe: off first */
	off = cqe->big_cqe[0];
	/*
	 * Another area's id puts pos past the size (below it, pos wraps);
	 * res - 1 in 64 bits is past any room for res <= 0.
	 */
	pos = off - f->hot_base;
	if (__builtin_expect(pos >= f->hot_size, 0))
		return false;
	if (__builtin_expect((uint64_t)((int64_t)cqe->res - 1) >= f->hot_end - off, 0))
		return false;
	f->hot_count++;
	info->kind = ZCRX_CQE_DATA;
	info->event = (enum zcrx_event)0;
	info->user_data = cqe->user_data;
	info->addr = (void *)(uintptr_t)(f->hot_delta + off);
	info->len = cqe->res;
	info->off = off;
	info->err = 0;
	info->more = true;
	info->__resv[0] = info->__resv[1] = 0;
	return true;
}

/* One RQE at the tail: off with its area's token, len, a zero __pad. */
static inline void __zcrx_rqe_put(struct zcrx_fast *f, uint64_t off, uint32_t len)
{
	uint32_t i = f->rq_tail & f->rq_mask;

	f->rqes[i].off = off;
	f->rqes[i].len_pad = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? (uint64_t)len << 32 : len;
	f->rq_tail++;
}

/* The common case of zcrx_buf_return(): true when it queued the buffer. */
static inline bool __zcrx_fast_return(struct zcrx_fast *f, uint64_t off, uint32_t len)
{
	if (__builtin_expect(off >= f->ids_end || f->rq_tail == f->rq_limit, 0))
		return false;
	__zcrx_rqe_put(f, off, len);
	return true;
}

/* zcrx_cqe_decode() of f->ifq, its common case inline. */
static inline int zcrx_cqe_decode_fast(struct zcrx_fast *f, const struct io_uring_cqe *cqe,
				       struct zcrx_cqe_info *info)
{
	struct zcrx_cqe_info slow;
	int ret;

	if (__zcrx_fast_decode(f, cqe, info))
		return ZCRX_CQE_DATA;
	/* through a copy: the caller's info stays its own, and unread fields cost nothing */
	ret = zcrx_cqe_decode(f->ifq, cqe, &slow);
	*info = slow;
	return ret;
}

/* zcrx_buf_return() to f->ifq, its common case inline. */
static inline int zcrx_buf_return_fast(struct zcrx_fast *f, uint64_t off, uint32_t len)
{
	if (__zcrx_fast_return(f, off, len))
		return 0;
	return zcrx_buf_return(f->ifq, off, len);
}

/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* Consumers: how an application gives buffers back                    */
/* ------------------------------------------------------------------ */

enum zcrx_consume {
	ZCRX_CONSUME_NOW	= 0,	/* return each buffer at once (batched) */
	ZCRX_CONSUME_DELAY	= 1,	/* return each buffer delay_ns after it arrived */
	ZCRX_CONSUME_HOLD	= 2,	/* keep `hold` buffers, return the rest at once */
};

struct zcrx_consumer_params {
	enum zcrx_consume	mode;
	uint64_t		delay_ns;
	uint32_t		hold;
	uint32_t		batch;	/* returns per tail store; 0 = 32 */
	uint64_t		__resv[4];	/* must be zero */
};

struct zcrx_consumer;

ZCRX_API int zcrx_consumer_create(struct zcrx_ifq *ifq, const struct zcrx_consumer_params *p,
				  struct zcrx_consumer **out);
/*
 * Take the buffer of a ZCRX_CQE_DATA CQE, per the policy.  now_ns: CLOCK_MONOTONIC.
 * A buffer the refill ring has no room for stays held until a later run.
 */
ZCRX_API int zcrx_consumer_take(struct zcrx_consumer *c, const struct zcrx_cqe_info *info,
				uint64_t now_ns);
/*
 * Return what is due and commit: the number returned.  *next_ns (may be NULL)
 * = the next future deadline, 0 if none.  Call it after each batch of CQEs.
 */
ZCRX_API int zcrx_consumer_run(struct zcrx_consumer *c, uint64_t now_ns, uint64_t *next_ns);
/* Buffers the consumer holds right now. */
ZCRX_API uint32_t zcrx_consumer_held(const struct zcrx_consumer *c);
/* Return everything still held, commit, free. */
ZCRX_API void zcrx_consumer_destroy(struct zcrx_consumer *c);

#ifdef __cplusplus
}
#endif

#endif
