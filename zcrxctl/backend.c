// SPDX-License-Identifier: MIT
/*
 * The place that picks the backend (kernel NIC, kernel NODEV, simulator)
 * from the command line, and everything that differs between them as the
 * CLI sees it: the ring, the traffic, the counters, the labels.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "json_reader.h"
#include "parse.h"
#include "units.h"
#include "zcrx_sim.h"

/*
 * What struct backend_opts keeps in its opaque priv (may_alias: the storage
 * is declared as bytes there, as struct sockaddr_storage is).
 */
struct __attribute__((may_alias)) backend_priv {
	struct zcrx_sim_params		params;
	struct zcrx_consumer_params	consume;
};

_Static_assert(sizeof(struct backend_priv) <= sizeof(((struct backend_opts *)0)->priv),
	       "backend_opts.priv holds struct backend_priv");
_Static_assert(_Alignof(struct backend_priv) <= _Alignof(uint64_t),
	       "backend_opts.priv is aligned for struct backend_priv");

static struct backend_priv *priv(const struct backend_opts *b)
{
	return (struct backend_priv *)b->priv.bytes;
}

static struct zcrx_sim_params *sim_params(const struct backend_opts *b)
{
	return &priv(b)->params;
}

static struct zcrx_consumer_params *sim_consume(const struct backend_opts *b)
{
	return &priv(b)->consume;
}

enum {
	OPT_NODEV = 0x300,
	OPT_SIM,
	OPT_SIM_RATE,
	OPT_SIM_CONSUMER,
	OPT_SIM_COPY_RATIO,
	OPT_SIM_SEED,
	OPT_SIM_KERNEL,
	OPT_SIM_INJECT_ERRNO,
	OPT_SIM_STALE,
};

/* BIND OPTIONS' group: help lists these among the parent's, by name */
#define GROUP	10

static const struct argp_option options[] = {
	{ "nodev", OPT_NODEV, NULL, 0,
	  "no NIC (ZCRX_REG_NODEV, Linux 7.1+): DEV is any name, QUEUE any index; --listen "
	  "feeds it real TCP (watch needs it); copy events, stats on", GROUP },
	{ "sim", OPT_SIM, NULL, 0,
	  "use the built-in simulator: DEV is any name, no NIC is touched", GROUP },
	{ "sim-rate", OPT_SIM_RATE, "PPS", 0,
	  "simulated packets per second (default 1000, 0 = none)", GROUP },
	{ "sim-consumer", OPT_SIM_CONSUMER, "now|delay:DUR|hold:N", 0,
	  "how the simulated traffic's buffers come back (default now)", GROUP },
	{ "sim-copy-ratio", OPT_SIM_COPY_RATIO, "R", 0,
	  "share of fragments copied, 0..1 or a percentage (default 0)", GROUP },
	{ "sim-seed", OPT_SIM_SEED, "N", 0, "seed, for a repeatable run", GROUP },
	{ "sim-kernel", OPT_SIM_KERNEL, "7.3|7.2|may-2026|none", 0,
	  "kernel generation modelled (default 7.2; 7.3 adds areas: grow)", GROUP },
	{ "sim-inject-errno", OPT_SIM_INJECT_ERRNO, "ERRNO", 0,
	  "registration fails with ERRNO (a name such as EOPNOTSUPP, or a number), to see "
	  "its diagnosis", GROUP },
	{ "sim-stale", OPT_SIM_STALE, "DUR", 0,
	  "the simulated queue still carries an io_uring provider of a process that exited, "
	  "for DUR after start (a stale binding: registration gets EEXIST)", GROUP },
	{ 0 }
};

void backend_opts_init(struct backend_opts *b)
{
	memset(b, 0, sizeof(*b));
	b->mode = BACKEND_NIC;
	sim_params(b)->gen = ZCRX_GEN_7_2;
	sim_params(b)->rate_pps = 1000;
	sim_consume(b)->mode = ZCRX_CONSUME_NOW;
}

static int consumer_parse(const char *s, struct zcrx_consumer_params *p)
{
	memset(p, 0, sizeof(*p));
	if (!strcmp(s, "now")) {
		p->mode = ZCRX_CONSUME_NOW;
		return 0;
	}
	if (!strncmp(s, "delay:", 6) && !parse_duration(s + 6, &p->delay_ns)) {
		p->mode = ZCRX_CONSUME_DELAY;
		return 0;
	}
	if (!strncmp(s, "hold:", 5) && !parse_u32(s + 5, &p->hold)) {
		p->mode = ZCRX_CONSUME_HOLD;
		return 0;
	}
	return -EINVAL;
}

static int ratio_parse(const char *s, uint32_t *permille)
{
	char *end;
	double r;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	r = strtod(s, &end);
	if (end == s)
		return -EINVAL;
	if (*end == '%' && !end[1])
		r /= 100;
	else if (*end)
		return -EINVAL;
	if (!(r >= 0 && r <= 1))
		return -ERANGE;
	*permille = (uint32_t)(r * 1000 + 0.5);
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct backend_opts *b = state->input;
	int e;

	/* the first of them names itself in "--sim-... needs --sim" */
	for (const struct argp_option *o = options; o->name && !b->sim_opt; o++)
		if (o->key == key && key >= OPT_SIM_RATE)
			b->sim_opt = o->name;
	switch (key) {
	case OPT_NODEV:
		b->nodev = true;
		break;
	case OPT_SIM:
		b->sim = true;
		break;
	case OPT_SIM_RATE:
		if (parse_u64(arg, &sim_params(b)->rate_pps) || sim_params(b)->rate_pps > 100000000)
			bad_value(state, "--sim-rate", arg, "packets per second, 0 to 100000000");
		break;
	case OPT_SIM_CONSUMER:
		if (consumer_parse(arg, sim_consume(b)))
			bad_value(state, "--sim-consumer", arg, "now, delay:DUR (such as delay:10ms)"
				  " or hold:N (such as hold:60)");
		break;
	case OPT_SIM_COPY_RATIO:
		if (ratio_parse(arg, &sim_params(b)->copy_permille))
			bad_value(state, "--sim-copy-ratio", arg, "a share from 0 to 1 (such as"
				  " 0.25) or a percentage (such as 25%)");
		break;
	case OPT_SIM_SEED:
		if (parse_u64(arg, &sim_params(b)->seed))
			bad_value(state, "--sim-seed", arg, "a number");
		break;
	case OPT_SIM_KERNEL:
		sim_params(b)->release = 0;
		if (!strcmp(arg, "7.3")) {
			sim_params(b)->gen = ZCRX_GEN_7_2;
			sim_params(b)->release = ZCRX_SIM_LINUX_7_3;
		} else if (!strcmp(arg, "7.2"))
			sim_params(b)->gen = ZCRX_GEN_7_2;
		else if (!strcmp(arg, "may-2026"))
			sim_params(b)->gen = ZCRX_GEN_MAY2026;
		else if (!strcmp(arg, "none"))
			sim_params(b)->gen = ZCRX_GEN_NONE;
		else
			bad_value(state, "--sim-kernel", arg, "7.3, 7.2, may-2026 or none");
		break;
	case OPT_SIM_INJECT_ERRNO:
		e = parse_errno(arg);
		if (e < 0)
			bad_value(state, "--sim-inject-errno", arg, "an errno name such as"
				  " EOPNOTSUPP or a number from 1 to 4095");
		sim_params(b)->inject_reg_err = e;
		break;
	case OPT_SIM_STALE:
		if (parse_duration(arg, &sim_params(b)->stale_ns) || !sim_params(b)->stale_ns)
			bad_value(state, "--sim-stale", arg, "a DUR such as 500ms or 2s");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	b->mode = b->sim ? BACKEND_SIM : b->nodev ? BACKEND_NODEV : BACKEND_NIC;
	return 0;
}

const struct argp backend_argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };

bool backend_opts_check(struct argp_state *state, const struct backend_opts *b)
{
	if (b->sim_opt && !b->sim)
		argp_error(state, "--%s needs --sim", b->sim_opt);
	else if (b->nodev && b->sim)
		argp_error(state, "--nodev and --sim cannot be combined: --nodev is a real kernel"
			   " ifq without a NIC, --sim a simulated one");
	else
		return false;
	return true;
}

const char *backend_text(enum backend_text t)
{
	switch (t) {
	case BT_DEV_ANY:
		return "any name with --sim or --nodev";
	case BT_DEV_NAME:
		return "(or the --sim or --nodev name)";
	case BT_DEV_A_NAME:
		return "(or a --sim or --nodev name)";
	case BT_MISSING_DEV:
		return " (for a simulated queue: --sim sim0 0)";
	case BT_CONSUMER:
		return " (the simulator's consumer is --sim-consumer)";
	}
	return "";
}

/* ------------------------------------------------------------------ */
/* The ring, the traffic, the counters                                 */
/* ------------------------------------------------------------------ */

int backend_ctx_create(const struct backend_opts *b, struct zcrx_ctx **ctx)
{
	if (b->mode == BACKEND_SIM)
		return zcrx_sim_ctx_create(ctx, sim_params(b), NULL);
	return zcrx_ctx_create(ctx, NULL);
}

const char *backend_kernel_name(const struct backend_opts *b)
{
	return b->mode == BACKEND_SIM ? "the simulated kernel (--sim-kernel none)" :
	       "this kernel";
}

int backend_traffic(const struct backend_opts *b, struct zcrx_ifq *ifq, int *fd,
		    struct zcrx_consumer **cons, const char **peer, const char **what)
{
	int ret;

	if (b->mode != BACKEND_SIM)
		return 0;
	ret = zcrx_consumer_create(ifq, sim_consume(b), cons);
	if (ret)
		return ret;
	*fd = ZCRX_SIM_SYNTH_FD;
	*peer = "the simulator";
	*what = "The simulated receive";
	return 1;
}

int backend_rx_counters(const struct backend_opts *b, const struct zcrx_ifq *ifq,
			uint64_t *packets, uint64_t *bytes)
{
	struct zcrx_sim_counters c;

	/* only the simulator counts packets; a kernel ifq knows its CQEs */
	if (b->mode != BACKEND_SIM || zcrx_sim_counters(ifq, &c))
		return -EOPNOTSUPP;
	*packets = c.rx_packets;
	*bytes = c.rx_bytes;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Labels                                                              */
/* ------------------------------------------------------------------ */

static const char *const mode_name[] = {
	[BACKEND_NIC]	= "nic",
	[BACKEND_NODEV]	= "nodev",
	[BACKEND_SIM]	= "sim",
};

const char *backend_mode_note(enum backend_mode m)
{
	return m == BACKEND_SIM ? ", simulated" : m == BACKEND_NODEV ? ", NODEV" : "";
}

void backend_mode_print(struct printer *pr, enum backend_mode m)
{
	print_string(pr, PRINT_ANY, "mode", " mode=%s", mode_name[m]);
	print_bool(pr, PRINT_JSON, "simulated", NULL, m == BACKEND_SIM);
	print_bool(pr, PRINT_FP, NULL, " sim=%s", m == BACKEND_SIM);
}

/* "simulated", and "mode" where the session sent one (it says nodev) */
bool backend_mode_check(bool sim, const char *name, size_t len, enum backend_mode *m)
{
	enum backend_mode want = sim ? BACKEND_SIM : BACKEND_NIC;

	if (name && !sim && len == strlen(mode_name[BACKEND_NODEV]) &&
	    !memcmp(name, mode_name[BACKEND_NODEV], len))
		want = BACKEND_NODEV;
	if (name && (len != strlen(mode_name[want]) || memcmp(name, mode_name[want], len)))
		return false;
	*m = want;
	return true;
}

bool backend_mode_decode(const struct json *o, enum backend_mode *m)
{
	const struct json *j = json_get(o, "mode");
	const char *s = json_str(j);
	bool sim;

	if (!json_bool(json_get(o, "simulated"), &sim) || (j && !s))
		return false;
	return backend_mode_check(sim, s, s ? strlen(s) : 0, m);
}
