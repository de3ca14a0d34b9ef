// SPDX-License-Identifier: MIT
/*
 * zcrxctl status [DEV [QUEUE]]: the live sessions (bind, watch) in RUNDIR,
 * as each one reports itself over its socket.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ask.h"
#include "client.h"
#include "main.h"
#include "units.h"

struct status_args {
	const char	*dev;
	uint32_t	queue;
	int		nr_args;
};

static char *do_help(int key, const char *text, void *input)
{
	char *doc;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return asprintf(&doc, "List the live sessions (bind, watch) in RUNDIR, or those of DEV, or "
		      "the one of DEV queue QUEUE: device, queue, zcrx_id, pid, program, uptime, events "
		      "and the state and count of each, shared stats, recv-stalls (receives "
		      "that ran out of buffers) and recv-overflows (receives a full completion "
		      "queue stopped; one fall-behind can count several times), both posted "
		      "again with nothing lost.  With -j, one JSON array "
		      "of session objects.  All are asked at once and have 800 ms in all to "
		      "answer; one that does not is listed with answered=no and its pid.  A "
		      "socket served by another user, or anything else at a socket's name, is "
		      "refused: listed with answered=no refused=yes, and why goes to stderr "
		      "(also under -q).  Exit 1 when a session did not answer or was refused, "
		      "or when DEV QUEUE is given and no session owns it.\n"
		      "\n"
		      "       DEV    := network device name %s\n"
		      "       QUEUE  := RX queue index\n"
		      "       RUNDIR := $ZCRXCTL_RUNDIR, /run/zcrxctl (root), "
		      "$XDG_RUNTIME_DIR/zcrxctl\n", backend_text(BT_DEV_A_NAME)) < 0 ? NULL : doc;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct status_args *a = state->input;

	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	dev_queue_arg(state, arg, &a->dev, &a->queue, &a->nr_args);
	return 0;
}

static const struct argp status_argp = {
	NULL, parse_opt, "[DEV [QUEUE]]", "", NULL, do_help, NULL
};

static void print_text_entry(struct printer *pr, const struct proto_session *s)
{
	char names[64], size[32];

	print_text(pr, "session dev=%s queue=%u zcrx-id=%u pid=%llu", s->dev, s->queue, s->zcrx_id,
		   (unsigned long long)s->pid);
	if (s->has_prog)
		print_text(pr, " prog=%s", s->prog);
	print_text(pr, " uptime-s=%llu events=%s", (unsigned long long)s->uptime_s,
		   zcrx_event_list_str(s->events, names, sizeof(names)));
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (s->events & ZCRX_EV_MASK(t))
			print_text(pr, " %s=%s:%llu", zcrx_event_name(t),
				   s->fired & ZCRX_EV_MASK(t) ? "fired" : "armed",
				   (unsigned long long)s->count[t]);
	if (s->has_stats)
		print_text(pr, " copy-count=%llu copy-bytes=%llu",
			   (unsigned long long)s->copy_count, (unsigned long long)s->copy_bytes);
	else
		print_text(pr, " copy-count=n/a copy-bytes=n/a");
	print_text(pr, " recv-stalls=%llu", (unsigned long long)s->recv_stalls);
	if (s->has_overflows)
		print_text(pr, " recv-overflows=%llu", (unsigned long long)s->recv_overflows);
	else
		print_text(pr, " recv-overflows=n/a");
	if (s->has_lost)
		print_text(pr, " lost-records=%llu", (unsigned long long)s->lost_records);
	if (s->has_areas) {
		print_text(pr, " areas=%u area-size=%s area-rx-buffers=", s->nr_areas,
			   fmt_size(s->area_size, size, sizeof(size)));
		for (uint32_t i = 0; i < s->nr_area_rx; i++)
			print_text(pr, "%s%llu", i ? "," : "", (unsigned long long)s->area_rx[i]);
	}
	backend_mode_print(pr, s->mode);
	print_nl(pr);
}

static void print_silent_entry(struct printer *pr, const struct sess_entry *e)
{
	if (print_is_json(pr)) {
		open_json_object(pr, "session");
		print_string(pr, PRINT_JSON, "dev", NULL, e->dev);
		print_uint(pr, PRINT_JSON, "queue", NULL, e->queue);
		if (e->pid >= 0)
			print_uint(pr, PRINT_JSON, "pid", NULL, e->pid);
		else
			print_null(pr, PRINT_JSON, "pid", NULL);
		print_bool(pr, PRINT_JSON, "answered", NULL, false);
		if (e->refused)
			print_string(pr, PRINT_JSON, "refused", NULL, e->refused);
		close_json_object(pr);
		return;
	}
	print_text(pr, "session dev=%s queue=%u", e->dev, e->queue);
	if (e->pid >= 0)
		print_text(pr, " pid=%lld", (long long)e->pid);
	else
		print_text(pr, " pid=unknown");
	print_text(pr, " answered=no");
	if (e->refused)
		print_text(pr, " refused=yes");	/* why: on stderr */
	print_nl(pr);
}

int do_status(struct printer *pr, int argc, char **argv)
{
	struct status_args a = { 0 };
	char rundir[PATH_MAX], err[PATH_MAX + 512];
	struct sess_entry *list = NULL;
	size_t nr = 0, silent = 0, refused = 0;
	int ret, fd;

	ret = cmd_parse(&status_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	if (rundir_get(rundir, sizeof(rundir), err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_ERR;
	}
	err[0] = '\0';
	if (ask_sessions(rundir, a.dev, a.nr_args == 2, a.queue, &list, &nr, err, sizeof(err)))
		return EXIT_ERR;
	if (!nr && a.nr_args == 2 && err[0]) {
		p_err("%s", err);	/* refused the listener it found */
		return EXIT_ERR;
	}
	if (!nr && a.nr_args == 2) {
		/* no session answered for it: say why as arm would */
		fd = client_connect(a.dev, a.queue, err, sizeof(err));
		if (fd >= 0) {
			close(fd);
			snprintf(err, sizeof(err), "the session of %s queue %u ended meanwhile",
				 a.dev, a.queue);
		}
		p_err("%s", err);
		return EXIT_ERR;
	}
	if (!nr)
		p_info("No live sessions%s%s in %s", a.dev ? " on " : "", a.dev ?: "", rundir);

	open_json_array(pr, NULL);
	for (size_t i = 0; i < nr; i++) {
		if (list[i].refused) {
			refused++;
			print_silent_entry(pr, &list[i]);
		} else if (!list[i].answered) {
			silent++;
			print_silent_entry(pr, &list[i]);
		} else if (print_is_json(pr)) {
			proto_session_print(pr, &list[i].sess);
		} else {
			print_text_entry(pr, &list[i].sess);
		}
	}
	close_json_array(pr);
	print_end(pr);
	/*
	 * Each refusal its own line, an error (so also under -q): it names its
	 * culprit and fix.  With -j the array says it ("refused"), as below.
	 */
	for (size_t i = 0; i < nr && !print_is_json(pr); i++)
		if (list[i].refused)
			p_err("%s", list[i].refused);
	/*
	 * With -j the array says it (answered false) and stays the one
	 * document; in text, one line on stderr names them all.
	 */
	if (silent && !print_is_json(pr)) {
		char names[1024];

		ask_silent_names(list, nr, names, sizeof(names));
		p_err("%zu session%s did not answer within %d ms: %s; " CLIENT_STUCK_HINT, silent,
		      silent == 1 ? "" : "s", ASK_DEADLINE_MS, names);
	}
	ask_sessions_free(list, nr);
	return silent || refused ? EXIT_ERR : EXIT_OK;
}
