/* SPDX-License-Identifier: MIT */
/*
 * libzcrx: an ifq served to operators (since 0.4).
 *
 * zcrx_ifq_serve() publishes an application's ifq exactly as a zcrxctl
 * session publishes its own: a Unix socket at RUNDIR/DEV.QUEUE.sock that
 * speaks zcrxctl's protocol v1, so that `zcrxctl status` lists it (with the
 * program's name and pid), `zcrxctl subscribe` prints its events live and
 * `zcrxctl arm` re-arms it.  Same RUNDIR, same checks (RUNDIR owned by us or
 * root, not group- or world-writable; clients of our uid or root only, by
 * SO_PEERCRED), same limits (64 subscribers and 16 more request slots, a
 * connection that asks nothing for 1 s is closed, 64 KiB queued per
 * subscriber then "lost" records), same stale-socket handling (a dead
 * owner's socket is replaced; a live owner's refuses the serve).
 *
 * The server has no thread of its own and never blocks.  It runs in one of
 * two ways:
 *  - by default on the ifq's ctx ring: it prepares its own SQEs there
 *    (a poll on its descriptor, which goes with the caller's next submit;
 *    with the SQ full, at the next CQE zcrx_cqe_decode() sees on the ifq),
 *    and zcrx_cqe_decode() on the served ifq handles their CQEs as
 *    ZCRX_CQE_INTERNAL.  An application that offers every CQE to
 *    zcrx_cqe_decode() and submits after each batch needs nothing more.
 *  - with ZCRX_SERVE_DRIVEN, the application drives it: it waits for
 *    zcrx_server_fd() to be readable (poll, epoll, its own event loop) and
 *    calls zcrx_server_run(); nothing goes on the ring.
 * Either way, each event CQE zcrx_cqe_decode() decodes on the served ifq
 * goes to subscribers as an "event" record, and an arm request re-arms
 * through zcrx_event_arm() on that ifq.
 *
 * A grow request (`zcrxctl grow`: add an area to the ifq) is refused unless
 * the application opts in, with a grow hook or with ZCRX_SERVE_GROW (and a
 * cap, grow_max).  A grow maps and registers the new area from inside
 * zcrx_server_run() or zcrx_cqe_decode(): the only time the server may block
 * (on the kernel's mmap and registration), and the memory stays until the
 * ifq closes.
 *
 * The same rules as zcrx.h: 0 or a value, or -errno; nothing prints; errno
 * is no result (its value after a call is unspecified); one thread at a
 * time per ctx (the server is part of its ifq's ctx).  SIGPIPE is never
 * raised (sends use MSG_NOSIGNAL).
 */
#ifndef LIBZCRX_SERVER_H
#define LIBZCRX_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zcrx.h"

#ifdef __cplusplus
extern "C" {
#endif

struct zcrx_server;

enum zcrx_serve_flags {
	/* the application drives the server: zcrx_server_fd(), zcrx_server_run() */
	ZCRX_SERVE_DRIVEN	= 1U << 0,
	/*
	 * The server sends no record of its own ("event" on each decoded event
	 * CQE, "armed" after an arm request): the caller publishes its records
	 * with zcrx_server_publish() (zcrxctl's sessions do).
	 */
	ZCRX_SERVE_OWN_RECORDS	= 1U << 1,
	/*
	 * Operators may grow the ifq: the server answers a grow request with
	 * zcrx_ifq_add_area() while all areas together stay within grow_max
	 * bytes (0: no cap but the kernel's), and sends a "grow" record with
	 * by "grow" (unless ZCRX_SERVE_OWN_RECORDS).  A grow hook overrides it.
	 */
	ZCRX_SERVE_GROW		= 1U << 2,
	/*
	 * Records wait: zcrx_server_publish() and the server's own records
	 * only queue, and the application sends what is queued with one
	 * zcrx_server_flush() per batch of CQEs (one write per subscriber, not
	 * one per record).  zcrx_server_run() and a server CQE flush too.
	 */
	ZCRX_SERVE_BATCHED	= 1U << 3,
};

/*
 * An arm request, when the caller answers it itself: re-arm type (-1: every
 * type that fired), announce it as it likes, and return the mask of types
 * re-armed (ZCRX_EV_MASK()), or -errno with the sentence for the client in
 * err.  Without it the server calls zcrx_event_arm() on each type latched.
 */
typedef int (*zcrx_server_arm_fn)(struct zcrx_server *srv, int type, char *err, size_t len,
				  void *arg);

/*
 * A grow request, when the caller answers it itself: add an area of size
 * bytes (zcrx_ifq_add_area()), announce it as it likes, and return 0 with
 * the new area's id in *area_id, or -errno with the sentence for the client
 * in err.  With it set, ZCRX_SERVE_GROW and grow_max are not used.
 */
typedef int (*zcrx_server_grow_fn)(struct zcrx_server *srv, uint64_t size, uint32_t *area_id,
				   char *err, size_t len, void *arg);

struct zcrx_serve_opts {
	/* NULL = zcrx_server_rundir()'s choice, created (mode 0700) if missing */
	const char		*rundir;
	/*
	 * The socket's DEV and QUEUE, as status shows them.  NULL = the ifq's
	 * own netdev name and queue (queue must then be 0); a NODEV ifq has no
	 * netdev, so its caller names it (-EINVAL otherwise).
	 */
	const char		*dev;
	uint32_t		queue;
	/* status's "prog"; NULL = program_invocation_short_name */
	const char		*prog;
	uint32_t		flags;		/* enum zcrx_serve_flags */
	zcrx_server_arm_fn	arm;		/* NULL = the server's own */
	void			*arg;		/* for arm and grow */
	union {
		zcrx_server_grow_fn grow;	/* NULL = refused, or ZCRX_SERVE_GROW */
		uint64_t	__grow_slot;
	};
	uint64_t		grow_max;	/* ZCRX_SERVE_GROW: all areas' bytes, 0 = no cap */
	uint64_t		__resv[6];	/* must be zero */
};

/*
 * Serve ifq at RUNDIR/DEV.QUEUE.sock (one server per ifq: -EBUSY for a
 * second).  Returns 0, or -errno with the sentence (and ZCRX_STAGE_ARGS or
 * ZCRX_STAGE_SOCKET) in diag (may be NULL):
 *   -EEXIST  a live process serves that name (diag names its pid);
 *   -EPERM, -ENOTDIR  RUNDIR is not a private directory of ours or root's;
 *   -EACCES  the socket there is another user's;
 *   -ENAMETOOLONG  the socket's name is too long for a Unix socket;
 *   -EINVAL  bad options (reserved bytes, a NODEV ifq without dev).
 * *out is NULL after any failure (zcrx_server_close(NULL) does nothing).
 * Close the server before the ifq.
 */
ZCRX_API int zcrx_ifq_serve(struct zcrx_ifq *ifq, const struct zcrx_serve_opts *opts,
			    struct zcrx_server **out, struct zcrx_diag *diag);
/*
 * Unlink the socket, give each subscriber what it is owed for up to 50 ms,
 * close every client.  A CQE of the server still in flight on the ring is
 * ZCRX_CQE_INTERNAL to zcrx_cqe_decode() until the ifq closes.
 */
ZCRX_API void zcrx_server_close(struct zcrx_server *srv);

/* ZCRX_SERVE_DRIVEN: the descriptor to wait on for readability (never -1). */
ZCRX_API int zcrx_server_fd(const struct zcrx_server *srv);
/*
 * Do what is due without blocking (but for a grow request the server lets
 * through: see above): accept, read requests, reply, flush queued output,
 * close idle clients.  Returns 0 or -errno of the server's
 * own descriptor (clients' failures only close them).  Safe in either mode.
 */
ZCRX_API int zcrx_server_run(struct zcrx_server *srv);

/*
 * Send one protocol v1 record to every subscriber: one JSON object,
 * "\n"-terminated, no other newline ({"v":1,"record":...}).  A subscriber
 * whose queue is full loses it and later gets a "lost" record.  Returns the
 * number of subscribers it was queued for, or -EINVAL for a line that is
 * not one line.
 */
ZCRX_API int zcrx_server_publish(struct zcrx_server *srv, const char *line, size_t len);

/*
 * ZCRX_SERVE_BATCHED: send each subscriber what is queued for it, one write
 * each (one that cannot take it now gets it when its socket says so).
 * Returns 0.  Safe in any mode.
 */
ZCRX_API int zcrx_server_flush(struct zcrx_server *srv);
/* Subscribers connected now: 0 means a record need not be built at all. */
ZCRX_API unsigned int zcrx_server_subscribers(const struct zcrx_server *srv);

struct zcrx_server_info {
	char		path[108];	/* the socket: RUNDIR/DEV.QUEUE.sock */
	bool		replaced;	/* a dead owner's socket was there and replaced */
	uint64_t	user_data;	/* of the server's CQEs on the ring (default mode) */
	uint32_t	clients;	/* connected now */
	uint32_t	subscribers;	/* of those */
	uint64_t	lost_records;	/* records subscribers lost, since serve */
	uint64_t	events[ZCRX_EV_COUNT];	/* event CQEs decoded, by type */
	uint64_t	__resv[8];	/* zeroed */
};

ZCRX_API int zcrx_server_info(const struct zcrx_server *srv, struct zcrx_server_info *info);

/*
 * RUNDIR, where servers put their sockets and clients look for them:
 * $ZCRXCTL_RUNDIR (absolute), /run/zcrxctl for root, $XDG_RUNTIME_DIR/zcrxctl,
 * or /tmp/zcrxctl-UID (created, and refused unless a private directory of
 * ours).  0 (a missing directory is no error), or -errno with the sentence
 * in diag (may be NULL).
 */
ZCRX_API int zcrx_server_rundir(char *buf, size_t len, struct zcrx_diag *diag);
/*
 * Is dir safe to hold servers' sockets: a directory owned by us or root that
 * neither group nor others may write?  0, or -errno with the sentence in diag.
 */
ZCRX_API int zcrx_server_rundir_check(const char *dir, struct zcrx_diag *diag);
/* RUNDIR/DEV.QUEUE.sock into buf: 0 or -ENAMETOOLONG (too long for a Unix socket). */
ZCRX_API int zcrx_server_sock_path(char *buf, size_t len, const char *rundir, const char *dev,
				   uint32_t queue);

/* Words for sentences about sockets and RUNDIR, as the server says them: */
/* "user NAME (uid N)", or "uid N" when N has no name, into buf; returns buf. */
ZCRX_API const char *zcrx_server_owner(uid_t uid, char *buf, size_t len);
/* What a file of this mode is: "a directory", "a FIFO", "a plain file"... */
ZCRX_API const char *zcrx_server_file_kind(mode_t mode);

#ifdef __cplusplus
}
#endif

#endif
