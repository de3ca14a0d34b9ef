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

#include "main.h"
#include "jsonl.h"
#include "session.h"

struct status_args {
	const char	*dev;
	uint32_t	queue;
	int		nr_args;
};

struct entry {
	char		dev[DEV_NAME_MAX];
	uint32_t	queue;
	struct json	*reply;		/* the whole {"ok":true,"session":{...}} */
};

static char *do_help(int key, const char *text, void *input)
{
	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return strdup("List the live sessions (bind, watch) in RUNDIR, or those of DEV, or "
		      "the one of DEV queue QUEUE: device, queue, zcrx_id, pid, uptime, events "
		      "and the state and count of each, shared stats.  With -j, one JSON array "
		      "of session objects.  Exit 1 when DEV QUEUE is given and no session owns "
		      "it.\n"
		      "\n"
		      "       DEV    := network device name (or a --sim or --nodev name)\n"
		      "       QUEUE  := RX queue index\n"
		      "       RUNDIR := $ZCRXCTL_RUNDIR, /run/zcrxctl (root), "
		      "$XDG_RUNTIME_DIR/zcrxctl\n");
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

/* Ask one session; 0 with the reply, or -errno (quietly: the caller decides). */
static int query(int fd, struct json **out, char *err, size_t len)
{
	char *line = NULL;
	struct json *j;
	bool ok = false;
	int ret, e;

	ret = session_request(fd, "{\"v\":1,\"cmd\":\"status\"}", &line, err, len);
	if (ret)
		return ret;
	j = json_parse(line, strlen(line), &e);
	if (j && json_bool(json_get(j, "ok"), &ok) && !ok) {
		/* a refusal, e.g. a session of another uid */
		snprintf(err, len, "the session refused: %s",
			 json_str(json_get(j, "error")) ?: "no reason given");
		json_free(j);
		free(line);
		return -EACCES;
	}
	if (!j || !ok || json_type(json_get(j, "session")) != JSON_OBJ) {
		snprintf(err, len, "the session answered something that is not protocol v1: %.80s",
			 line);
		if (j)
			json_free(j);
		free(line);
		return -EPROTO;
	}
	free(line);
	*out = j;
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

static void print_text_entry(const struct json *sess)
{
	const struct json *evs = json_get(sess, "events"), *types = json_get(sess, "types");
	uint64_t v;
	bool b = false;

	print_text("session dev=%s", json_str(json_get(sess, "dev")) ?: "?");
	json_u64(json_get(sess, "queue"), &v);
	print_text(" queue=%llu", (unsigned long long)v);
	json_u64(json_get(sess, "zcrx-id"), &v);
	print_text(" zcrx-id=%llu", (unsigned long long)v);
	json_u64(json_get(sess, "pid"), &v);
	print_text(" pid=%llu", (unsigned long long)v);
	json_u64(json_get(sess, "uptime-s"), &v);
	print_text(" uptime-s=%llu events=", (unsigned long long)v);
	for (size_t i = 0; i < json_len(evs); i++)
		print_text("%s%s", i ? "," : "", json_str(json_at(evs, i)) ?: "?");
	if (!json_len(evs))
		print_text("none");
	for (size_t i = 0; i < json_len(types); i++) {
		const struct json *t = json_at(types, i);

		v = 0;
		json_u64(json_get(t, "count"), &v);
		print_text(" %s=%s:%llu", json_key_at(types, i),
			   json_str(json_get(t, "state")) ?: "?", (unsigned long long)v);
	}
	if (json_u64(json_get(sess, "copy-count"), &v)) {
		print_text(" copy-count=%llu", (unsigned long long)v);
		json_u64(json_get(sess, "copy-bytes"), &v);
		print_text(" copy-bytes=%llu", (unsigned long long)v);
	} else {
		print_text(" copy-count=n/a copy-bytes=n/a");
	}
	if (json_u64(json_get(sess, "recv-stalls"), &v))
		print_text(" recv-stalls=%llu", (unsigned long long)v);
	if (json_str(json_get(sess, "mode")))
		print_text(" mode=%s", json_str(json_get(sess, "mode")));
	json_bool(json_get(sess, "simulated"), &b);
	print_text(" sim=%s\n", b ? "yes" : "no");
}

static int collect(const struct status_args *a, const char *rundir, struct entry **out,
		   size_t *nr)
{
	char path[PATH_MAX], err[256];
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
		fd = session_connect_path(path, err, sizeof(err));
		if (fd == -ECONNREFUSED || fd == -ENOENT)
			continue;	/* left by a session that died, or gone meanwhile */
		if (fd < 0) {
			p_info("Skipping %s: %s", path, err);
			continue;
		}
		if (query(fd, &e.reply, err, sizeof(err))) {
			p_info("Skipping %s queue %u: %s", e.dev, e.queue, err);
			close(fd);
			continue;
		}
		close(fd);
		p = realloc(list, (n + 1) * sizeof(*list));
		if (!p) {
			json_free(e.reply);
			break;
		}
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

int do_status(int argc, char **argv)
{
	struct status_args a = { 0 };
	char rundir[PATH_MAX], err[256];
	struct entry *list = NULL, one = { 0 };
	size_t nr = 0;
	int ret, fd;

	ret = cmd_parse(&status_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	if (a.nr_args == 2) {
		fd = session_connect(a.dev, a.queue, &ret);
		if (fd < 0)
			return ret;
		ret = query(fd, &one.reply, err, sizeof(err));
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

	open_json_array(NULL);
	for (size_t i = 0; i < nr; i++) {
		const struct json *sess = json_get(list[i].reply, "session");

		if (print_is_json())
			json_reprint(sess, NULL);
		else
			print_text_entry(sess);
	}
	close_json_array();
	print_end();
	for (size_t i = 0; i < nr; i++)
		json_free(list[i].reply);
	if (list != &one)
		free(list);
	return EXIT_OK;
}
