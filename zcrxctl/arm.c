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

#include "main.h"
#include "jsonl.h"
#include "session.h"

struct arm_args {
	const char	*dev;
	uint32_t	queue;
	int		nr_args;
	const char	*event;		/* canonical name, or "all" */
};

static char *do_help(int key, const char *text, void *input)
{
	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return strdup("Re-arm EVENT (default all: every type that fired) on the ifq that a "
		      "bind or watch session holds on DEV queue QUEUE; the kernel lets only the "
		      "ring that registered the ifq do it.  Exit 0 when re-armed, 4 when it had "
		      "not fired since it was last armed, 1 when no session owns the queue.\n"
		      "\n"
		      "       DEV   := network device name (or the --sim or --nodev name)\n"
		      "       QUEUE := RX queue index\n"
		      "       EVENT := alloc-fail (or no-buffers) | copy | all\n");
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

int do_arm(int argc, char **argv)
{
	struct arm_args a = { .event = "all" };
	const struct json *armed;
	struct json *j = NULL;
	char req[128], *line = NULL, err[256];
	const char *msg, *eno;
	bool ok = false, sim = false;
	char mode[8] = "nic";
	int fd, ret, e;

	ret = cmd_parse(&arm_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	fd = session_connect(a.dev, a.queue, &ret);
	if (fd < 0)
		return ret;
	ret = EXIT_ERR;
	/* whether the session is simulated, for the output to say so */
	if (session_request(fd, "{\"v\":1,\"cmd\":\"status\"}", &line, err, sizeof(err))) {
		p_err("%s queue %u: %s", a.dev, a.queue, err);
		goto out;
	}
	j = json_parse(line, strlen(line), &e);
	if (j && !(json_bool(json_get(j, "ok"), &ok) && ok)) {
		msg = json_str(json_get(j, "error"));
		p_err("%s queue %u: the session refused: %s", a.dev, a.queue,
		      msg ? msg : "no reason given");
		goto out;
	}
	if (j) {
		const char *m = json_str(json_get(json_get(j, "session"), "mode"));

		json_bool(json_get(json_get(j, "session"), "simulated"), &sim);
		snprintf(mode, sizeof(mode), "%s", m && !strcmp(m, "nodev") ? m
			 : record_mode(sim, false));
	}
	if (j)
		json_free(j);
	j = NULL;
	free(line);
	line = NULL;

	snprintf(req, sizeof(req), "{\"v\":1,\"cmd\":\"arm\",\"event\":\"%s\"}", a.event);
	if (session_request(fd, req, &line, err, sizeof(err))) {
		p_err("%s queue %u: %s", a.dev, a.queue, err);
		goto out;
	}
	j = json_parse(line, strlen(line), &e);
	if (!j || !json_bool(json_get(j, "ok"), &ok)) {
		p_err("%s queue %u: the session answered something that is not protocol v1: %.80s",
		      a.dev, a.queue, line);
		goto out;
	}
	if (!ok) {
		msg = json_str(json_get(j, "error"));
		eno = json_str(json_get(j, "errno"));
		p_err("%s queue %u: %s", a.dev, a.queue, msg ? msg : "the session refused");
		ret = eno && !strcmp(eno, "EINVAL") ? EXIT_NOT_FIRED : EXIT_ERR;
		goto out;
	}
	armed = json_get(j, "armed");
	open_json_object(NULL);
	print_string(PRINT_JSON, "dev", NULL, a.dev);
	print_uint(PRINT_JSON, "queue", NULL, a.queue);
	open_json_array("armed");
	for (size_t i = 0; i < json_len(armed); i++) {
		const char *name = json_str(json_at(armed, i));

		if (!name)
			continue;
		print_string(PRINT_JSON, NULL, NULL, name);
		print_text("armed type=%s dev=%s queue=%u mode=%s sim=%s\n", name, a.dev,
			   a.queue, mode, sim ? "yes" : "no");
	}
	close_json_array();
	print_string(PRINT_JSON, "mode", NULL, mode);
	print_bool(PRINT_JSON, "simulated", NULL, sim);
	close_json_object();
	print_end();
	ret = EXIT_OK;
out:
	if (j)
		json_free(j);
	free(line);
	close(fd);
	return ret;
}
