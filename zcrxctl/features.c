// SPDX-License-Identifier: MIT
/* zcrxctl features [--require LIST]: what this kernel offers for zcrx. */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "zcrx.h"
#include "main.h"

struct features_args {
	uint32_t	require;	/* 1u << enum zcrx_feature */
};

static const char *const state_name[] = {
	[ZCRX_NO]	= "not supported",
	[ZCRX_YES]	= "supported",
	[ZCRX_UNKNOWN]	= "unknown",
};

static const enum color state_color[] = {
	[ZCRX_NO]	= COLOR_BAD,
	[ZCRX_YES]	= COLOR_OK,
	[ZCRX_UNKNOWN]	= COLOR_WARN,
};

static const char doc[] =
	"Report what this kernel offers for io_uring zero-copy receive: io_uring, "
	"the query op, zcrx registration, the zcrx query (flags, ctrl ops, "
	"features), events (alloc-fail, copy), shared stats and CAP_NET_ADMIN.  "
	"Each line says supported, not supported or unknown, and why.\v"
	"FEATURES for --require: io-uring, query, zcrx, zcrx-query, import, nodev, "
	"dmabuf, rx-buf-len, ctrl, events, alloc-fail (or no-buffers), copy, stats, "
	"cap-net-admin, add-area.  Exit status 3 when a required feature is not "
	"supported.";

static const struct argp_option options[] = {
	{ "require", 'r', "LIST", 0,
	  "exit 3 unless every feature in the comma-separated LIST is supported", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct features_args *a = state->input;
	char *tok, *save = NULL, *list;
	int f;

	switch (key) {
	case 'r':
		list = strdupa(arg);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			f = zcrx_feature_parse(tok);
			if (f < 0)
				argp_error(state, "unknown feature '%s' in --require", tok);
			else
				a->require |= 1U << f;
		}
		if (!a->require)
			argp_error(state, "--require needs at least one feature");
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp features_argp = { options, parse_opt, "", doc, NULL, NULL, NULL };

static void print_query(struct printer *pr, const struct zcrx_caps *c)
{
	if (c->query_err || c->opcodes_err) {
		print_null(pr, PRINT_JSON, "query", NULL);
		return;
	}
	open_json_object(pr, "query");
	print_uint(pr, PRINT_JSON, "nr-request-opcodes", NULL, c->nr_request_opcodes);
	print_uint(pr, PRINT_JSON, "nr-register-opcodes", NULL, c->nr_register_opcodes);
	print_uint(pr, PRINT_JSON, "nr-query-opcodes", NULL, c->nr_query_opcodes);
	print_hex(pr, PRINT_JSON, "feature-flags", NULL, c->feature_flags);
	print_hex(pr, PRINT_JSON, "ring-setup-flags", NULL, c->ring_setup_flags);
	close_json_object(pr);
}

static void print_zcrx_query(struct printer *pr, const struct zcrx_caps *c)
{
	if (c->zcrx_query_err) {
		print_null(pr, PRINT_JSON, "zcrx-query", NULL);
		return;
	}
	open_json_object(pr, "zcrx-query");
	print_hex(pr, PRINT_JSON, "register-flags", NULL, c->register_flags);
	print_hex(pr, PRINT_JSON, "area-flags", NULL, c->area_flags);
	print_uint(pr, PRINT_JSON, "nr-ctrl-opcodes", NULL, c->nr_ctrl_opcodes);
	print_hex(pr, PRINT_JSON, "features", NULL, c->features);
	print_uint(pr, PRINT_JSON, "rq-hdr-size", NULL, c->rq_hdr_size);
	print_uint(pr, PRINT_JSON, "rq-hdr-alignment", NULL, c->rq_hdr_alignment);
	close_json_object(pr);
}

static void print_event_query(struct printer *pr, const struct zcrx_caps *c)
{
	if (c->gen != ZCRX_GEN_7_2) {
		print_null(pr, PRINT_JSON, "event-query", NULL);
		return;
	}
	open_json_object(pr, "event-query");
	print_hex(pr, PRINT_JSON, "event-flags", NULL, c->event_flags);
	print_uint(pr, PRINT_JSON, "stats-size", NULL, c->stats_size);
	print_uint(pr, PRINT_JSON, "stats-off-alignment", NULL, c->stats_off_alignment);
	close_json_object(pr);
}

static const char *const gen_name[] = {
	[ZCRX_GEN_NONE]		= "none",
	[ZCRX_GEN_MAY2026]	= "may-2026",
	[ZCRX_GEN_7_2]		= "7.2",
};

int do_features(struct printer *pr, int argc, char **argv)
{
	struct features_args args = { 0 };
	struct zcrx_caps caps;
	struct utsname uts;
	enum zcrx_tri state[ZCRX_FEAT_COUNT];
	char why[ZCRX_FEAT_COUNT][256];
	char missing[512] = "";
	int ret;

	ret = cmd_parse(&features_argp, argc, argv, &args);
	if (ret >= 0)
		return ret;

	zcrx_caps_probe(&caps);
	for (int f = 0; f < ZCRX_FEAT_COUNT; f++)
		state[f] = zcrx_caps_feature(&caps, f, why[f], sizeof(why[f]));
	if (uname(&uts))
		strcpy(uts.release, "unknown");

	open_json_object(pr, NULL);
	print_string(pr, PRINT_ANY, "kernel", "kernel %s", uts.release);
	if (caps.io_uring_disabled >= 0)
		print_int(pr, PRINT_ANY, "io-uring-disabled", ", kernel.io_uring_disabled %lld",
			  caps.io_uring_disabled);
	else
		print_null(pr, PRINT_ANY, "io-uring-disabled", ", kernel.io_uring_disabled %s");
	print_string(pr, PRINT_ANY, "event-generation", ", event ABI %s\n", gen_name[caps.gen]);
	open_json_object(pr, "features");
	for (int f = 0; f < ZCRX_FEAT_COUNT; f++) {
		open_json_object(pr, zcrx_feature_name(f));
		print_string(pr, PRINT_FP, NULL, "%-14s ", zcrx_feature_name(f));
		print_bool(pr, PRINT_JSON, "supported", NULL, state[f] == ZCRX_YES);
		print_color_string(pr, PRINT_ANY, state_color[state[f]], "state", "%-14s",
				   state_name[state[f]]);
		print_string(pr, PRINT_ANY, "reason", " %s\n", why[f]);
		close_json_object(pr);
	}
	close_json_object(pr);
	print_query(pr, &caps);
	print_zcrx_query(pr, &caps);
	print_event_query(pr, &caps);

	ret = EXIT_OK;
	if (args.require) {
		open_json_array(pr, "missing");
		for (int f = 0; f < ZCRX_FEAT_COUNT; f++) {
			if (!(args.require & (1U << f)) || state[f] == ZCRX_YES)
				continue;
			print_string(pr, PRINT_JSON, NULL, NULL, zcrx_feature_name(f));
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 "%s%s", *missing ? ", " : "", zcrx_feature_name(f));
		}
		close_json_array(pr);
		if (*missing)
			ret = EXIT_MISSING;
	}
	print_end(pr);
	if (ret == EXIT_MISSING && !print_is_json(pr))
		fprintf(stderr, "Error: required feature%s not supported: %s\n",
			strchr(missing, ',') ? "s" : "", missing);
	return ret;
}
