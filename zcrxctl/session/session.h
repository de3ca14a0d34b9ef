/* SPDX-License-Identifier: MIT */
/*
 * A live session: one ifq bound on DEV's RX queue QUEUE, on the backend
 * bind or watch chose (backend.h), its data path (the backend's own
 * traffic, --listen connections, consumers),
 * its events, and a Unix socket at RUNDIR/DEV.QUEUE.sock speaking protocol
 * v1 (status, arm, subscribe) to `zcrxctl arm|subscribe|status`.
 * bind and watch are sessions; arm, subscribe and status are its clients.
 */
#ifndef ZCRXCTL_SESSION_H
#define ZCRXCTL_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zcrx.h"
#include "../backend.h"
#include "../loop.h"
#include "../record.h"

/* What a session is opened with: bind's and watch's command line (bind.h). */
struct session_opts {
	const char			*dev;
	uint32_t			queue;
	int				nr_args;	/* DEV QUEUE seen */
	uint64_t			area_size;
	uint32_t			rq_entries;
	uint32_t			rx_buf_len;
	bool				hugepages;
	bool				events_set;
	bool				events_all;	/* --events all */
	uint32_t			events;
	uint64_t			user_data;
	bool				stats;
	const char			*listen;
	struct sockaddr_storage		listen_addr;
	socklen_t			listen_len;
	const char			*consume_opt;	/* --consume-delay or --hold seen */
	struct zcrx_consumer_params	consume;
	struct backend_opts		be;		/* the backend options (backend.h) */
	bool				check;
	bool				need_events;	/* watch: refuse a kernel without them */
	const char			*wait_clear;	/* --wait-clear DUR as given, or NULL */
	uint64_t			wait_clear_ns;
};

/* ------------------------------------------------------------------ */
/* Sessions                                                            */
/* ------------------------------------------------------------------ */

struct session;

struct session_hooks {
	/* every record the session produces, before subscribers get it */
	void	(*record)(struct session *s, const struct record *r, void *arg);
	/* SIGINT, SIGTERM, SIGHUP; NULL = stop with status 0 */
	void	(*stop_signal)(struct session *s, int signo, void *arg);
	void	*arg;
};

/*
 * Bind: refuse a queue another live session holds, replace a stale socket,
 * register the ifq, and (unless check) listen on the session socket.  0, or
 * -errno after the failure was said (p_err); *usage (may be NULL) tells
 * whether the options were refused before anything was done.
 */
int session_open(struct session **out, const struct session_opts *o, bool *usage);
/* Signals, the session socket, --listen, the backend's traffic: 0 or -errno (said). */
int session_start(struct session *s, const struct session_hooks *hooks);
/*
 * Run until session_stop(): the status given to it (0 when a signal ended
 * the session without a stop_signal hook), or -errno (said) of the ring.
 */
int session_run(struct session *s);
void session_stop(struct session *s, int status);
/* Release everything, the socket file first. */
void session_close(struct session *s);

struct loop *session_loop(struct session *s);
const struct zcrx_ifq_info *session_info(const struct session *s);
const char *session_dev(const struct session *s);
const char *session_sock_path(const struct session *s);	/* NULL under --check */
const struct session_opts *session_opts(const struct session *s);
uint64_t session_fired(const struct session *s, enum zcrx_event t);
/* "host:port" of the --listen socket, or NULL */
const char *session_listen_addr(const struct session *s);

/* --rearm=auto: re-arm each type holdoff_ns after it fired. */
void session_set_rearm(struct session *s, bool auto_rearm, uint64_t holdoff_ns);

/*
 * Re-arm type (or every fired type with all) and announce it with an armed
 * record by `by`.  Returns the mask re-armed, or -EINVAL when nothing had
 * fired, another -errno on failure; err gets the sentence to show.
 */
int session_arm(struct session *s, enum zcrx_event type, bool all, const char *by,
		char *err, size_t len);

/* Fill the fields every record shares, stamped now. */
void session_record(struct session *s, struct record *r, enum record_kind kind);
/* A stats record: counters now, throughput since the previous one. */
void session_stats(struct session *s, struct record *r);
/* Hand a record to the hook and to every subscriber. */
void session_emit(struct session *s, const struct record *r);

#endif
