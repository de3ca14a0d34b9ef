/* SPDX-License-Identifier: MIT */
/*
 * Inside a zcrx server: struct zcrx_server, shared by server.c (serving,
 * running, the ring), claim.c (RUNDIR and the socket), clients.c (protocol
 * v1, the server's end) and wire.c (its lines).  Not installed.
 */
#ifndef ZCRX_SERVER_INT_H
#define ZCRX_SERVER_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "backend.h"
#include "internal.h"

#define SRV_VERSION		1		/* protocol v1: "v" of every line */
#define SRV_AREA_RX_MAX		64		/* status: data CQEs of the first 64 areas (PROTO_AREA_RX_MAX) */
#define SRV_REQ_MAX		4096		/* request bytes, the newline excluded */
#define SRV_SUB_QUEUE_MAX	(64 * 1024)	/* bytes queued for one subscriber */
#define SRV_DEV_MAX		16		/* IF_NAMESIZE, the NUL included */
#define SRV_PATH_MAX		108		/* sizeof(sockaddr_un.sun_path) */
#define SRV_ERR_MAX		512

struct srv_client;

struct zcrx_server {
	struct zcrx_ifq		*ifq;
	uint32_t		flags;
	zcrx_server_arm_fn	arm;
	zcrx_server_grow_fn	grow;
	uint64_t		grow_max;
	void			*arg;
	char			dev[SRV_DEV_MAX];
	uint32_t		queue;
	char			prog[64];
	const char		*mode;		/* "nic", "nodev", "sim" */
	uint64_t		start_ns;	/* CLOCK_MONOTONIC */

	char			rundir[PATH_MAX];
	char			path[SRV_PATH_MAX];
	bool			replaced;
	int			lfd;		/* the listening socket */
	int			epfd;		/* lfd, the clients, tfd */
	int			tfd;		/* timerfd: the next idle deadline */
	uint64_t		tfd_at;		/* what it is set to, 0 = disarmed */
	int			ring_err;	/* the ring refused our poll: -errno */
	uint64_t		accept_at;	/* accept paused until then, 0 = not */

	struct srv_client	*clients;
	unsigned int		nr_clients;
	unsigned int		nr_subs;

	uint64_t		seq;
	uint64_t		count[ZCRX_EV_COUNT];
	uint64_t		lost_total;

	/* records' time: the seconds formatted once per second (wire.c) */
	struct {
		time_t		sec;
		size_t		n;
		char		buf[48];
	} clock;
};

uint64_t srv_mono_ns(void);

/* claim.c: RUNDIR, the socket made and bound at srv->path.  0 or -errno, said in d. */
int srv_claim(struct zcrx_server *srv, struct zcrx_diag *d);
#define srv_fail zcrx_diag_fail

/* rundir.c */
int srv_rundir_check_stat(const char *dir, const struct stat *st, struct zcrx_diag *d);

/* clients.c */
/* Accept, read, reply, flush, expire: what is due now. */
int srv_clients_run(struct zcrx_server *srv);
/* Queue a line for every subscriber: how many took it. */
int srv_clients_publish(struct zcrx_server *srv, const char *line, size_t len);
/* Send what waits for each subscriber (ZCRX_SERVE_BATCHED). */
void srv_clients_flush(struct zcrx_server *srv);
void srv_clients_close(struct zcrx_server *srv);

/* wire.c: lines, '\n'-terminated and malloc'd (NULL: out of memory) */
enum srv_cmd {
	SRV_STATUS,
	SRV_ARM,
	SRV_SUBSCRIBE,
	SRV_GROW,
};

struct srv_request {
	enum srv_cmd		cmd;
	bool			all;		/* arm: every type that fired */
	enum zcrx_event		event;		/* arm, unless all */
	uint64_t		size;		/* grow: the new area's bytes */
};

/* 0, or -EINVAL with the sentence for the refusal in err. */
int srv_request_decode(const char *line, size_t len, struct srv_request *rq, char *err,
		       size_t errlen);
char *srv_reply_fail(int err, const char *msg, size_t *len);
char *srv_reply_ok(size_t *len);
char *srv_reply_status(const struct zcrx_server *srv, size_t *len);
char *srv_reply_armed(const struct zcrx_server *srv, uint32_t armed, size_t *len);
char *srv_reply_grown(const struct zcrx_server *srv, uint32_t area_id, size_t *len);
char *srv_record_event(struct zcrx_server *srv, enum zcrx_event t, size_t *len);
char *srv_record_armed(const struct zcrx_server *srv, enum zcrx_event t, const char *by,
		       size_t *len);
char *srv_record_grow(struct zcrx_server *srv, const char *by, uint32_t area_id,
		      uint64_t size, size_t *len);
char *srv_record_lost(const struct zcrx_server *srv, uint64_t lost, size_t *len);

#endif
