/* SPDX-License-Identifier: MIT */
/*
 * The client side of a session socket, for arm, status and subscribe:
 * connecting, and one request answered by one reply.  The lines themselves
 * are proto.c's, the socket's name rundir.c's.
 */
#ifndef ZCRXCTL_CLIENT_H
#define ZCRXCTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"
#include "rundir.h"

#define CLIENT_TIMEOUT_MS	5000	/* arm and subscribe wait this long for an answer */
/*
 * What a session that does not answer may be, and how to tell: every client
 * (arm, status, subscribe) says it after naming the pid.
 */
#define CLIENT_STUCK_HINT	"stopped or stuck (`ps -o stat= -p PID` shows T for stopped; " \
				"SIGCONT resumes one)"


/*
 * Connect to the session of dev/queue: an fd, or -errno with the sentence
 * for the person in err (-ENOENT, -ECONNREFUSED: no session owns it;
 * -ENOTSOCK: something else is at the socket's name, and err says what).
 */
int client_connect(const char *dev, uint32_t queue, char *err, size_t len);
/*
 * Connect to the socket at path, never following a symlink there: an fd, or
 * -errno with the sentence in err (-ENOTSOCK: not a socket, named as what it
 * is; -EACCES: naming the socket's owner).
 */
int client_connect_path(const char *path, char *err, size_t len);
/*
 * Where to connect for the socket at path, without following a symlink: the
 * name is opened O_PATH | O_NOFOLLOW, checked to be a socket, and reached
 * through /proc/self/fd, so what connect() reaches is what was checked.
 * Without /proc, the name itself (checked just before).  0 with *pfd the
 * O_PATH fd to close after connect() (-1 when none) and *st the socket's,
 * or -errno with the sentence in err: -ENOTSOCK names what is there instead.
 */
struct sockaddr_un;
struct stat;
int client_sock_addr(const char *path, struct sockaddr_un *sa, int *pfd, struct stat *st,
		     char *err, size_t len);
/*
 * Who listens on a connected fd: 0 for this uid or root, else -EPERM with
 * the sentence naming the owner in err (every client applies it).
 */
int client_peer_check(int fd, const char *path, char *err, size_t len);
/*
 * Send rq and read its reply, expecting body: 0 (a refusal is rp->ok
 * false), or -errno with the sentence in err (-EPROTO: not protocol v1).
 */
int client_call(int fd, const struct proto_request *rq, enum proto_reply_body body,
		struct proto_reply *rp, char *err, size_t len);
/*
 * One request to DEV QUEUE's session: connect, client_call(), close.  0
 * with *rp (a refusal is rp->ok false), or -errno with the sentence in err
 * (naming DEV and QUEUE when the session was reached).
 */
int client_ask(const char *dev, uint32_t queue, const struct proto_request *rq,
	       enum proto_reply_body body, struct proto_reply *rp, char *err, size_t len);
/*
 * client_call() waiting timeout_ms (> 0) at most for the answer: -ETIMEDOUT
 * names the listener's pid and CLIENT_STUCK_HINT in err.
 */
int client_call_ms(int fd, const struct proto_request *rq, enum proto_reply_body body,
		   struct proto_reply *rp, int timeout_ms, char *err, size_t len);

#endif
