// SPDX-License-Identifier: MIT
/*
 * zcrxctl arm DEV QUEUE [EVENT|all]: re-arm through the session that owns
 * the ifq (only the ring that registered it may).  Exit 0 re-armed, 4 when
 * the event had not fired since it was last armed, 1 when no session owns it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "main.h"

struct arm_args {
	const char	*dev;
	uint32_t	queue;
	int		nr_args;
	const char	*event;		/* canonical name, or "all" */
};

static char *do_help(int key, const char *text, void *input)
{
	char *doc;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return asprintf(&doc, "Re-arm EVENT (default all: every type that fired) on the ifq that a "
		      "bind or watch session holds on DEV queue QUEUE; the kernel lets only the "
		      "ring that registered the ifq do it.  Exit 0 when re-armed, 4 when it had "
		      "not fired since it was last armed, 1 when no session owns the queue.\n"
		      "\n"
		      "       DEV   := network device name %s\n"
		      "       QUEUE := RX queue index\n"
		      "       EVENT := alloc-fail (or no-buffers) | copy | all\n",
		      backend_text(BT_DEV_NAME)) < 0 ? NULL : doc;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct arm_args *a = state->input;
	int t;

	switch (key) {
	case ARGP_KEY_ARG:
		if (a->nr_args < 2) {
			dev_queue_arg(state, arg, &a->dev, &a->queue, &a->nr_args);
		} else if (a->nr_args == 2) {
			if (!strcmp(arg, "all"))
				a->event = "all";
			else if ((t = zcrx_event_parse(arg)) >= 0)
				a->event = zcrx_event_name(t);
			else
				argp_error(state, "EVENT must be alloc-fail (or no-buffers), copy or all,"
					   " not '%s'", arg);
			a->nr_args++;
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		break;
	case ARGP_KEY_END:
		dev_queue_end(state, a->nr_args, a->dev, NULL);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp arm_argp = {
	NULL, parse_opt, "DEV QUEUE [EVENT|all]", "", NULL, do_help, NULL
};

/*
 * A session of zcrxctl 0.1 says no mode in its arm reply: ask its status,
 * as 0.1's arm did.  The re-arm is done either way; without an answer the
 * output names no mode.
 */
static void session_mode(const struct arm_args *a, struct proto_reply *rp)
{
	struct proto_request rq = { .cmd = PROTO_STATUS };
	struct proto_reply st;
	char err[512];
	int fd;

	fd = client_connect(a->dev, a->queue, err, sizeof(err));
	if (fd < 0)
		return;
	if (!client_call(fd, &rq, PROTO_BODY_SESSION, &st, err, sizeof(err)) && st.ok) {
		rp->mode = st.session.mode;
		rp->has_mode = true;
	}
	close(fd);
}

int do_arm(struct printer *pr, int argc, char **argv)
{
	struct arm_args a = { .event = "all" };
	struct proto_request rq = { .cmd = PROTO_ARM, .all = true };
	struct proto_reply rp;
	char err[600];
	int ret;

	ret = cmd_parse(&arm_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	if (strcmp(a.event, "all")) {
		rq.all = false;
		rq.event = zcrx_event_parse(a.event);
	}
	signal(SIGPIPE, SIG_IGN);
	if (client_ask(a.dev, a.queue, &rq, PROTO_BODY_ARMED, &rp, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_ERR;
	}
	if (!rp.ok) {
		p_err("%s queue %u: %s", a.dev, a.queue, rp.error);
		return rp.err == EINVAL ? EXIT_NOT_FIRED : EXIT_ERR;
	}
	if (!rp.has_mode)
		session_mode(&a, &rp);
	open_json_object(pr, NULL);
	print_string(pr, PRINT_JSON, "dev", NULL, a.dev);
	print_uint(pr, PRINT_JSON, "queue", NULL, a.queue);
	open_json_array(pr, "armed");
	for (int t = 0; t < ZCRX_EV_COUNT; t++) {
		if (!(rp.armed & ZCRX_EV_MASK(t)))
			continue;
		print_string(pr, PRINT_JSON, NULL, NULL, zcrx_event_name(t));
		if (print_is_json(pr))
			continue;
		print_text(pr, "armed type=%s dev=%s queue=%u", zcrx_event_name(t), a.dev, a.queue);
		if (rp.has_mode)
			backend_mode_print(pr, rp.mode);
		print_nl(pr);
	}
	close_json_array(pr);
	if (print_is_json(pr) && rp.has_mode)
		backend_mode_print(pr, rp.mode);	/* text said it on each line */
	close_json_object(pr);
	print_end(pr);
	return EXIT_OK;
}
