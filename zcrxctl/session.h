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

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zcrx.h"
#include "backend.h"
#include "loop.h"
#include "record.h"

#define SUB_QUEUE_MAX		(64 * 1024)	/* bytes queued for one subscriber */

/* ------------------------------------------------------------------ */
/* BIND OPTIONS, shared by bind and watch (parsed in bind.c)           */
/* ------------------------------------------------------------------ */

enum {
	OPT_AREA_SIZE = 0x200,
	OPT_RQ_ENTRIES,
	OPT_RX_BUF_LEN,
	OPT_HUGEPAGES,
	OPT_EVENTS,
	OPT_USER_DATA,
	OPT_STATS,
	OPT_LISTEN,
	OPT_CONSUME_DELAY,
	OPT_HOLD,
	OPT_CHECK,
	/* watch */
	OPT_REARM,
	OPT_HOLDOFF,
	OPT_STATS_INTERVAL,
};

#define BIND_OPTIONS_GROUP	10
/* The kernel's IORING_MAX_RQ_ENTRIES (io_uring/zcrx.h), which libzcrx enforces too. */
#define RQ_ENTRIES_MAX		32768
#define RQ_ENTRIES_MAX_STR	"32768"

#define BIND_ARGP_OPTIONS							\
	{ NULL, 0, NULL, 0, "Bind options:", BIND_OPTIONS_GROUP },		\
	{ "area-size", OPT_AREA_SIZE, "SIZE", 0,				\
	  "zcrx area size (default 8M)", BIND_OPTIONS_GROUP },			\
	{ "rq-entries", OPT_RQ_ENTRIES, "N", 0,					\
	  "refill ring entries, 1.." RQ_ENTRIES_MAX_STR " (default 4096)",	\
	  BIND_OPTIONS_GROUP },							\
	{ "rx-buf-len", OPT_RX_BUF_LEN, "SIZE", 0,				\
	  "rx buffer size: a power of two, at least a page (default a page)",	\
	  BIND_OPTIONS_GROUP },							\
	{ "hugepages", OPT_HUGEPAGES, NULL, 0,					\
	  "back the area with 2 MiB huge pages", BIND_OPTIONS_GROUP },		\
	{ "events", OPT_EVENTS, "LIST", 0,					\
	  "events to enable: alloc-fail, copy, all or none (default: all the "	\
	  "kernel has)", BIND_OPTIONS_GROUP },					\
	{ "user-data", OPT_USER_DATA, "N", 0,					\
	  "user_data of event CQEs (default 0x7a637278ffff0000)",		\
	  BIND_OPTIONS_GROUP },							\
	{ "stats", OPT_STATS, NULL, 0,						\
	  "share the kernel's copy-fallback stats (copy-count, copy-bytes)",	\
	  BIND_OPTIONS_GROUP },							\
	{ "listen", OPT_LISTEN, "[ADDR:]PORT", 0,				\
	  "accept TCP connections and receive them zero-copy",			\
	  BIND_OPTIONS_GROUP },							\
	{ "consume-delay", OPT_CONSUME_DELAY, "DUR", 0,			\
	  "--listen: hold each buffer DUR before returning it",		\
	  BIND_OPTIONS_GROUP },							\
	{ "hold", OPT_HOLD, "N", 0,						\
	  "--listen: keep N buffers, return the rest", BIND_OPTIONS_GROUP }

struct bind_opts {
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
	struct backend_opts		be;		/* --nodev, --sim, --sim-* */
	bool				check;
	bool				need_events;	/* watch: refuse a kernel without them */
};

void bind_opts_init(struct bind_opts *o);
/* An argp key of BIND OPTIONS or DEV/QUEUE: 0 when taken, else ARGP_ERR_UNKNOWN. */
error_t bind_opt_parse(int key, char *arg, struct argp_state *state, struct bind_opts *o);
/* At ARGP_KEY_END: DEV and QUEUE given, options that need another one. */
void bind_opts_check(struct argp_state *state, const struct bind_opts *o);

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
 * register the ifq, and (unless check) listen on the session socket.  On
 * failure the error is printed (p_err) and the exit status returned.
 */
int session_open(struct session **out, const struct bind_opts *o);
/* Signals, the session socket, --listen, the backend's traffic: then run. */
int session_start(struct session *s, const struct session_hooks *hooks);
int session_run(struct session *s);
void session_stop(struct session *s, int status);
/* Release everything, the socket file first. */
void session_close(struct session *s);

struct loop *session_loop(struct session *s);
const struct zcrx_ifq_info *session_info(const struct session *s);
const char *session_dev(const struct session *s);
const char *session_sock_path(const struct session *s);	/* NULL under --check */
const struct bind_opts *session_opts(const struct session *s);
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
