/* SPDX-License-Identifier: MIT */
/*
 * A live session: one ifq bound on DEV's RX queue QUEUE (or a simulated
 * one), its data path (synthetic traffic, --listen connections, consumers),
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
#include "zcrx_sim.h"
#include "loop.h"
#include "record.h"

#define PROTO_REQ_MAX		4096	/* request bytes, the newline excluded */
#define SUB_QUEUE_MAX		(64 * 1024)	/* bytes queued for one subscriber */
#define CLIENT_TIMEOUT_MS	5000	/* arm/status wait this long for an answer */

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
	OPT_SIM,
	OPT_NODEV,
	OPT_SIM_RATE,
	OPT_SIM_CONSUMER,
	OPT_SIM_COPY_RATIO,
	OPT_SIM_SEED,
	OPT_SIM_KERNEL,
	OPT_SIM_INJECT_ERRNO,
	OPT_CHECK,
	/* watch, subscribe */
	OPT_REARM,
	OPT_HOLDOFF,
	OPT_TIMESTAMP,
	OPT_STATS_INTERVAL,
};

#define BIND_OPTIONS_GROUP	10

#define BIND_ARGP_OPTIONS							\
	{ NULL, 0, NULL, 0, "Bind options:", BIND_OPTIONS_GROUP },		\
	{ "area-size", OPT_AREA_SIZE, "SIZE", 0,				\
	  "zcrx area size (default 8M)", BIND_OPTIONS_GROUP },			\
	{ "rq-entries", OPT_RQ_ENTRIES, "N", 0,					\
	  "refill ring entries, 1..32768 (default 4096)", BIND_OPTIONS_GROUP },	\
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
	  "--listen: keep N buffers, return the rest", BIND_OPTIONS_GROUP },	\
	{ "nodev", OPT_NODEV, NULL, 0,						\
	  "no NIC (ZCRX_REG_NODEV, Linux 7.1+): DEV is any name, QUEUE any "	\
	  "index; --listen feeds it real TCP (watch needs it); copy events, "	\
	  "stats on", BIND_OPTIONS_GROUP },					\
	{ "sim", OPT_SIM, NULL, 0,						\
	  "use the built-in simulator: DEV is any name, no NIC is touched",	\
	  BIND_OPTIONS_GROUP },							\
	{ "sim-rate", OPT_SIM_RATE, "PPS", 0,					\
	  "simulated packets per second (default 1000, 0 = none)",		\
	  BIND_OPTIONS_GROUP },							\
	{ "sim-consumer", OPT_SIM_CONSUMER, "now|delay:DUR|hold:N", 0,		\
	  "how the simulated traffic's buffers come back (default now)",	\
	  BIND_OPTIONS_GROUP },							\
	{ "sim-copy-ratio", OPT_SIM_COPY_RATIO, "R", 0,			\
	  "share of fragments copied, 0..1 or a percentage (default 0)",	\
	  BIND_OPTIONS_GROUP },							\
	{ "sim-seed", OPT_SIM_SEED, "N", 0,					\
	  "seed, for a repeatable run", BIND_OPTIONS_GROUP },			\
	{ "sim-kernel", OPT_SIM_KERNEL, "7.2|may-2026|none", 0,			\
	  "kernel generation modelled (default 7.2)", BIND_OPTIONS_GROUP },	\
	{ "sim-inject-errno", OPT_SIM_INJECT_ERRNO, "ERRNO", 0,			\
	  "registration fails with ERRNO (a name such as EOPNOTSUPP, or a "	\
	  "number), to see its diagnosis", BIND_OPTIONS_GROUP }

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
	bool				nodev;
	bool				sim;
	const char			*sim_opt;	/* first --sim-* seen */
	struct zcrx_sim_params		simp;
	struct zcrx_consumer_params	sim_consume;
	bool				check;
	bool				need_events;	/* watch: refuse a kernel without them */
};

void bind_opts_init(struct bind_opts *o);
/* An argp key of BIND OPTIONS or DEV/QUEUE: 0 when taken, else ARGP_ERR_UNKNOWN. */
error_t bind_opt_parse(int key, char *arg, struct argp_state *state, struct bind_opts *o);
/* At ARGP_KEY_END: DEV and QUEUE given, options that need another one. */
void bind_opts_check(struct argp_state *state, const struct bind_opts *o);

/* -c, -t and --timestamp: how watch and subscribe stream records */
struct stream_opts {
	uint64_t	count;		/* exit 0 after this many events; 0 = no limit */
	uint64_t	timeout_ns;	/* stop after this long; 0 = never */
	enum ts_mode	ts;
};

#define STREAM_ARGP_OPTIONS							\
	{ "count", 'c', "N", 0, "exit 0 after N events", 0 },			\
	{ "timeout", 't', "DUR", 0, "stop after DUR; exit 2 if no event came", 0 },	\
	{ "timestamp", OPT_TIMESTAMP, "iso|mono|none", 0,			\
	  "time of each record: ISO 8601 UTC (default), CLOCK_MONOTONIC ns, or none", 0 }

/* An argp key of STREAM_ARGP_OPTIONS: 0 when taken, else ARGP_ERR_UNKNOWN. */
error_t stream_opt_parse(int key, char *arg, struct argp_state *state, struct stream_opts *o);

/* DEV: 1..15 characters, none of them '/' or white space, not "." or "..". */
bool dev_name_ok(const char *dev);
/* Positional DEV [QUEUE] of every session command; argp_error()s on bad ones. */
void dev_queue_arg(struct argp_state *state, char *arg, const char **dev, uint32_t *queue,
		   int *nr);
/* At ARGP_KEY_END: argp_error()s unless DEV and QUEUE were both given. */
void dev_queue_end(struct argp_state *state, int nr, const char *dev, const char *hint);

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
/* Signals, the session socket, --listen, synthetic traffic: then run. */
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

/* ------------------------------------------------------------------ */
/* Clients                                                             */
/* ------------------------------------------------------------------ */

/* RUNDIR: 0, or -errno with the culprit explained in err. */
int rundir_get(char *buf, size_t len, char *err, size_t errlen);
/* RUNDIR/DEV.QUEUE.sock */
int session_sock_name(char *buf, size_t len, const char *rundir, const char *dev,
		      uint32_t queue);

/*
 * Connect to the session of dev/queue: an fd, or -1 after p_err() with the
 * exit status in *status (1: no session owns it).
 */
int session_connect(const char *dev, uint32_t queue, int *status);
int session_connect_path(const char *path, char *err, size_t len);
/* Send one request line and read one reply line (NUL-terminated, malloc'd). */
int session_request(int fd, const char *req, char **reply, char *err, size_t len);

#endif
