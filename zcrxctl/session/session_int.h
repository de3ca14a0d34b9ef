/* SPDX-License-Identifier: MIT */
/*
 * Inside a session: struct session, shared by session.c (lifecycle,
 * events, records, the socket libzcrx serves) and data.c (the data path).
 * Its users see session.h only.
 */
#ifndef ZCRXCTL_SESSION_INT_H
#define ZCRXCTL_SESSION_INT_H

#include <limits.h>
#include <sys/un.h>

#include "../proto.h"
#include "session.h"
#include "zcrx_server.h"

#define RETRY_NS		(100 * 1000000ULL)

struct conn;

struct evstate {
	struct session		*s;
	enum zcrx_event		type;
	uint64_t		count;
	struct loop_op		holdoff;
};

struct session {
	struct session_opts	o;
	char			dev[DEV_NAME_MAX];
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	struct zcrx_ifq_info	info;
	struct loop		*loop;
	struct session_hooks	hooks;
	uint64_t		start_mono;

	/* the session socket: libzcrx's server of the ifq (zcrx_server.h) */
	char			rundir[PATH_MAX];	/* "" when there is none to use */
	struct zcrx_server	*srv;
	char			path[sizeof(((struct sockaddr_un *)0)->sun_path)];

	/* events */
	uint64_t		seq;
	struct evstate		ev[ZCRX_EV_COUNT];
	bool			rearm_auto;
	uint64_t		holdoff_ns;

	/* data path */
	int			own_fd;		/* the backend's own traffic (backend_traffic) */
	const char		*own_peer;
	const char		*own_what;
	struct zcrx_consumer	*own_cons;
	struct loop_op		own_retry;
	int			own_err;	/* last end of its receive */
	struct zcrx_consumer	*net_cons;
	struct loop_op		cons_timer;
	int			tfd;		/* --listen */
	struct loop_op		top;
	struct loop_op		tretry;
	char			listen_name[80];
	struct conn		*conns;
	uint32_t		next_conn_id;
	uint64_t		rx_buffers;	/* data CQEs */
	uint64_t		rx_bytes;
	bool			grow_stopped;	/* --auto-grow reached MAX or was refused */
	uint64_t		last_stats_mono;
	uint64_t		last_stats_bytes;
};

/* data.c: the backend's traffic, --listen connections, their consumers */
/* CLOCK_MONOTONIC ns, the same for all a loop pass handles (loop_now()) */
uint64_t session_now(struct session *s);

void session_data_init(struct session *s);
/* Post the backend's receive, listen on --listen: 0, or -errno after p_err(). */
int session_data_start(struct session *s);
/* A receive's data, and its end: CQEs the loop's filter decoded. */
void session_data_recv(struct session *s, const struct zcrx_cqe_info *info);
void session_data_recv_end(struct session *s, const struct zcrx_cqe_info *info);
/* A receive ran out of buffers: libzcrx posts it again once they are back. */
void session_data_recv_stalled(struct session *s, const struct zcrx_cqe_info *info);
/* After each batch: run the consumers, and wake up when they are next due. */
void session_data_consume(struct session *s);
uint32_t session_data_held(const struct session *s);
void session_data_close(struct session *s);

/*
 * autogrow.c: --auto-grow, on an alloc-fail event or a NODEV receive that ran
 * out of buffers (by names which): true when an area was added.
 */
bool session_auto_grow(struct session *s, const char *by);
/*
 * An operator's grow request (`zcrxctl grow`): add an area of size bytes and
 * say so in a grow record by "grow"; 0 with its id, or -errno said in err.
 */
int session_grow_request(struct zcrx_server *srv, uint64_t size, uint32_t *area_id, char *err,
			 size_t len, void *arg);

#endif
