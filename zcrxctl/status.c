// SPDX-License-Identifier: MIT
/*
 * zcrxctl status [DEV [QUEUE]]: the live sessions (bind, watch) in RUNDIR,
 * as each one reports itself over its socket.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "main.h"

struct status_args {
	const char	*dev;
	uint32_t	queue;
	int		nr_args;
};

struct entry {
	char			dev[DEV_NAME_MAX];
	uint32_t		queue;
	struct proto_session	sess;
};

static char *do_help(int key, const char *text, void *input)
{
	char *doc;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return asprintf(&doc, "List the live sessions (bind, watch) in RUNDIR, or those of DEV, or "
		      "the one of DEV queue QUEUE: device, queue, zcrx_id, pid, uptime, events "
		      "and the state and count of each, shared stats.  With -j, one JSON array "
		      "of session objects.  Exit 1 when DEV QUEUE is given and no session owns "
		      "it.\n"
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

/* Ask one session; 0 with its status, or -errno (quietly: the caller decides). */
static int query(int fd, struct proto_session *sess, char *err, size_t len)
{
	struct proto_request rq = { .cmd = PROTO_STATUS };
	struct proto_reply rp;
	int ret;

	ret = client_call(fd, &rq, PROTO_BODY_SESSION, &rp, err, len);
	if (ret)
		return ret;
	if (!rp.ok) {
		/* a refusal, e.g. a session of another uid */
		snprintf(err, len, "the session refused: %s", rp.error);
		return -EACCES;
	}
	*sess = rp.session;
	return 0;
}

/* "DEV.QUEUE.sock" */
static bool sock_name_parse(const char *name, char *dev, uint32_t *queue)
{
	const char *sfx = strrchr(name, '.'), *dot;
	char num[16];
	size_t n;

	if (!sfx || strcmp(sfx, ".sock"))
		return false;
	for (dot = sfx - 1; dot > name && *dot != '.'; dot--)
		;
	if (dot <= name || (size_t)(sfx - dot - 1) >= sizeof(num))
		return false;
	memcpy(num, dot + 1, sfx - dot - 1);
	num[sfx - dot - 1] = '\0';
	n = dot - name;
	if (n >= DEV_NAME_MAX || parse_u32(num, queue))
		return false;
	memcpy(dev, name, n);
	dev[n] = '\0';
	return dev_name_ok(dev);
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = strcmp(a->dev, b->dev);

	return c ? c : (a->queue > b->queue) - (a->queue < b->queue);
}

static void print_text_entry(struct printer *pr, const struct proto_session *s)
{
	char names[64];

	print_text(pr, "session dev=%s queue=%u zcrx-id=%u pid=%llu uptime-s=%llu events=%s",
		   s->dev, s->queue, s->zcrx_id, (unsigned long long)s->pid,
		   (unsigned long long)s->uptime_s,
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
	backend_mode_print(pr, s->mode);
	print_nl(pr);
}

static int collect(const struct status_args *a, const char *rundir, struct entry **out,
		   size_t *nr)
{
	char path[PATH_MAX], err[1024];
	struct entry *list = NULL, *p;
	struct dirent *de;
	size_t n = 0;
	DIR *d;
	int fd;

	d = opendir(rundir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		p_err("cannot read the runtime directory %s: %s", rundir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct entry e = { 0 };

		if (!sock_name_parse(de->d_name, e.dev, &e.queue))
			continue;
		if (a->dev && strcmp(a->dev, e.dev))
			continue;
		if (session_sock_name(path, sizeof(path), rundir, e.dev, e.queue))
			continue;
		fd = client_connect_path(path, err, sizeof(err));
		if (fd == -ECONNREFUSED || fd == -ENOENT)
			continue;	/* left by a session that died, or gone meanwhile */
		if (fd < 0) {
			p_info("Skipping %s: %s", path, err);
			continue;
		}
		if (query(fd, &e.sess, err, sizeof(err))) {
			p_info("Skipping %s queue %u: %s", e.dev, e.queue, err);
			close(fd);
			continue;
		}
		close(fd);
		p = realloc(list, (n + 1) * sizeof(*list));
		if (!p)
			break;
		list = p;
		list[n++] = e;
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof(*list), entry_cmp);
	*out = list;
	*nr = n;
	return 0;
}

int do_status(struct printer *pr, int argc, char **argv)
{
	struct status_args a = { 0 };
	char rundir[PATH_MAX], err[1024];
	struct entry *list = NULL, one = { 0 };
	size_t nr = 0;
	int ret, fd;

	ret = cmd_parse(&status_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	if (a.nr_args == 2) {
		fd = client_connect(a.dev, a.queue, err, sizeof(err));
		if (fd < 0) {
			p_err("%s", err);
			return EXIT_ERR;
		}
		ret = query(fd, &one.sess, err, sizeof(err));
		close(fd);
		if (ret) {
			p_err("%s queue %u: %s", a.dev, a.queue, err);
			return EXIT_ERR;
		}
		list = &one;
		nr = 1;
	} else {
		if (rundir_get(rundir, sizeof(rundir), err, sizeof(err))) {
			p_err("%s", err);
			return EXIT_ERR;
		}
		if (collect(&a, rundir, &list, &nr))
			return EXIT_ERR;
		if (!nr)
			p_info("No live sessions%s%s in %s", a.dev ? " on " : "", a.dev ?: "", rundir);
	}

	open_json_array(pr, NULL);
	for (size_t i = 0; i < nr; i++) {
		if (print_is_json(pr))
			proto_session_print(pr, &list[i].sess);
		else
			print_text_entry(pr, &list[i].sess);
	}
	close_json_array(pr);
	print_end(pr);
	if (list != &one)
		free(list);
	return EXIT_OK;
}
