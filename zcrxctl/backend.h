/* SPDX-License-Identifier: MIT */
/*
 * The place that picks the backend: a kernel ifq on a NIC's queue, a
 * kernel ifq without a NIC (--nodev), or libzcrx's simulator (--sim).
 * bind and watch choose it from the command line (backend_argp, a child
 * of their argp); the session creates its ring through it, asks it for
 * the traffic it brings and the counters only it keeps, and labels every
 * record and report with its mode.  Nothing else in zcrxctl/ knows which
 * backend runs.
 */
#ifndef ZCRXCTL_BACKEND_H
#define ZCRXCTL_BACKEND_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "zcrx.h"
#include "print.h"

struct json;

enum backend_mode {
	BACKEND_NIC,		/* a kernel ifq on DEV's RX queue */
	BACKEND_NODEV,		/* a kernel ifq without a NIC */
	BACKEND_SIM,		/* libzcrx's simulator */
};

struct backend_opts {
	enum backend_mode		mode;
	bool				nodev;		/* --nodev seen */
	bool				sim;		/* --sim seen */
	const char			*sim_opt;	/* first --sim-* seen, without "--" */
	/*
	 * The simulator's parameters, opaque outside backend.c (which alone
	 * includes zcrx_sim.h): storage it checks is large enough.
	 */
	union {
		uint64_t		align;
		unsigned char		bytes[192];
	}				priv;
};

/*
 * --nodev, --sim and --sim-*, in BIND OPTIONS.  The parent argp lists it
 * as its first child and hands it its struct backend_opts at ARGP_KEY_INIT
 * (state->child_inputs[0]).
 */
extern const struct argp backend_argp;
void backend_opts_init(struct backend_opts *b);
/*
 * At the parent's ARGP_KEY_END, after DEV and QUEUE: options that need
 * another one.  True when it reported one (argp_error()).
 */
bool backend_opts_check(struct argp_state *state, const struct backend_opts *b);

/* Phrases of help texts and messages that name the backends. */
enum backend_text {
	BT_DEV_ANY,		/* "any name with ..." (bind, watch: DEV) */
	BT_DEV_NAME,		/* "(or the ... name)" (arm, subscribe: DEV) */
	BT_DEV_A_NAME,		/* "(or a ... name)" (status: DEV) */
	BT_MISSING_DEV,		/* hint after "missing DEV and QUEUE" */
	BT_CONSUMER,		/* hint after "--hold needs --listen" */
};
const char *backend_text(enum backend_text t);

/* The ring the session runs on, for b's backend: zcrx_ctx_create()'s 0 or -errno. */
int backend_ctx_create(const struct backend_opts *b, struct zcrx_ctx **ctx);
/* "the simulated kernel (...)" or "this kernel": who lacks a feature. */
const char *backend_kernel_name(const struct backend_opts *b);
/*
 * Traffic the backend brings itself, with no socket: 1 with the fd to post
 * the receive on, its consumer (NULL: buffers go back at once) and the
 * names to tell of it; 0 when there is none; -errno.
 */
int backend_traffic(const struct backend_opts *b, struct zcrx_ifq *ifq, int *fd,
		    struct zcrx_consumer **cons, const char **peer, const char **what);
/* rx packets and bytes where the backend counts packets: 0, or -EOPNOTSUPP. */
int backend_rx_counters(const struct backend_opts *b, const struct zcrx_ifq *ifq,
			uint64_t *packets, uint64_t *bytes);

/* ", simulated", ", NODEV" or "": the end of a summary line */
const char *backend_mode_note(enum backend_mode m);
/* The mode's label in a record or report: "mode" and "simulated", " mode=... sim=...". */
void backend_mode_print(struct printer *pr, enum backend_mode m);
/* That label read back from object o: true, or false when absent or inconsistent. */
bool backend_mode_decode(const struct json *o, enum backend_mode *m);
/*
 * The rule both decoders apply: "mode" (name, len bytes; NULL when the
 * record has none) must agree with "simulated" (sim); *m is what they say.
 */
bool backend_mode_check(bool sim, const char *name, size_t len, enum backend_mode *m);

#endif
