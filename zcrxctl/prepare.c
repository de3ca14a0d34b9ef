// SPDX-License-Identifier: MIT
/*
 * zcrxctl prepare DEV QUEUE [--port P [--flow-type tcp4|tcp6]] [--rss-context]
 *         [--skip LIST] [--dry-run]
 * zcrxctl prepare --undo DEV
 *
 * Make QUEUE ready for zcrx in the kernel selftest's order, recording what it
 * changes in RUNDIR/DEV.prepare (written before the first change and after
 * each step) so that --undo restores it, and rolling back on a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zcrx_diag.h"
#include "main.h"
#include "rundir.h"

struct prep_args {
	const char		*dev;
	uint32_t		queue;
	int			nr_args;
	struct zcrx_prep_opts	opts;
	bool			flow_type_set;
	bool			dry_run;
	bool			undo;
};

enum { OPT_PORT = 0x100, OPT_FLOW_TYPE, OPT_RSS_CONTEXT, OPT_SKIP, OPT_DRY_RUN, OPT_UNDO };

static const struct argp_option options[] = {
	{ "port", OPT_PORT, "P", 0, "add a flow rule steering TCP port P to QUEUE", 0 },
	{ "flow-type", OPT_FLOW_TYPE, "TYPE", 0, "tcp4 (default) or tcp6, with --port", 0 },
	{ "rss-context", OPT_RSS_CONTEXT, NULL, 0,
	  "steer --port to a new RSS context holding QUEUE instead of to QUEUE", 0 },
	{ "skip", OPT_SKIP, "LIST", 0,
	  "steps not to do: channels,hds,ntuple,rss,flow (comma separated)", 0 },
	{ "dry-run", OPT_DRY_RUN, NULL, 0,
	  "print the steps as ethtool commands; read the device, change nothing", 0 },
	{ "undo", OPT_UNDO, NULL, 0, "restore what a prepare of DEV recorded", 0 },
	{ 0 }
};

static const char doc[] =
	"Make RX queue QUEUE of DEV ready for zcrx, in the kernel selftest's order: "
	"enough RX channels (at least 2, QUEUE among them), tcp-data-split on with "
	"hds-thresh 0, ntuple-filters on, QUEUE out of the RSS indirection table "
	"(spread over the other queues) and, with --port, a flow rule steering that "
	"TCP port to QUEUE.  A step already satisfied is not done.  What the steps "
	"change is recorded in RUNDIR/DEV.prepare before the first change; "
	"'prepare --undo DEV' restores it in reverse order and removes the rule.  If "
	"a step fails, the steps done before it are undone before prepare exits.  "
	"A second prepare of DEV is refused while DEV.prepare exists.  Needs "
	"CAP_NET_ADMIN (but for --dry-run).\v"
	"Exit status: 0 done (or nothing to do); 1 an error (no such device, QUEUE "
	"beyond what the device allows, a kernel refusal, a state file in the way or "
	"missing); 3 the driver cannot do a step, or this process lacks "
	"CAP_NET_ADMIN; 64 usage.";

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct prep_args *a = state->input;
	char *list, *tok, *save;
	uint32_t v;
	int s;

	switch (key) {
	case OPT_PORT:
		if (parse_u32(arg, &v) || !v || v > 65535)
			bad_value(state, "--port", arg, "a TCP port 1..65535");
		a->opts.port = v;
		break;
	case OPT_FLOW_TYPE:
		if (!strcmp(arg, "tcp4"))
			a->opts.flow_type = ZCRX_PREP_TCP4;
		else if (!strcmp(arg, "tcp6"))
			a->opts.flow_type = ZCRX_PREP_TCP6;
		else
			bad_value(state, "--flow-type", arg, "tcp4 or tcp6");
		a->flow_type_set = true;
		break;
	case OPT_RSS_CONTEXT:
		a->opts.rss_context = 1;
		break;
	case OPT_SKIP:
		list = strdup(arg);
		if (!list)
			argp_failure(state, EXIT_ERR, ENOMEM, "--skip");
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			s = zcrx_prep_step_parse(tok);
			if (s < 0) {
				bad_value(state, "--skip", arg,
					  "a list of channels, hds, ntuple, rss, flow");
				break;
			}
			a->opts.skip |= 1U << s;
		}
		free(list);
		break;
	case OPT_DRY_RUN:
		a->dry_run = true;
		break;
	case OPT_UNDO:
		a->undo = true;
		break;
	case ARGP_KEY_ARG:
		if (a->undo && a->nr_args == 1)
			argp_error(state, "--undo takes DEV alone, not '%s'", arg);
		dev_queue_arg(state, arg, &a->dev, &a->queue, &a->nr_args);
		break;
	case ARGP_KEY_END:
		if (a->undo) {
			if (!a->nr_args)
				argp_error(state, "missing DEV after --undo");
			if (a->opts.port || a->flow_type_set || a->opts.rss_context || a->opts.skip ||
			    a->dry_run)
				argp_error(state, "--undo takes no other option: it restores what"
					   " the state file recorded");
			break;
		}
		dev_queue_end(state, a->nr_args, a->dev, NULL);
		if ((a->flow_type_set || a->opts.rss_context) && !a->opts.port)
			argp_error(state, "%s needs --port",
				   a->opts.rss_context ? "--rss-context" : "--flow-type");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp prepare_argp = {
	options, parse_opt, "DEV QUEUE\n--undo DEV", doc, NULL, NULL, NULL
};

/* ------------------------------------------------------------------ */
/* The state file: RUNDIR/DEV.prepare, 0600, replaced atomically        */
/* ------------------------------------------------------------------ */

struct state_file {
	char	dir[256];
	char	path[300];
	char	tmp[310];
	int	err;		/* the last save's -errno */
};

static int state_save(const struct zcrx_prep_state *st, void *arg)
{
	struct state_file *f = arg;
	char *buf;
	int fd, len, ret = 0;

	len = zcrx_prep_state_format(st, NULL, 0);
	if (len < 0)
		return f->err = len;
	buf = malloc((size_t)len + 1);
	if (!buf)
		return f->err = -ENOMEM;
	zcrx_prep_state_format(st, buf, (size_t)len + 1);
	if (mkdir(f->dir, 0700) && errno != EEXIST) {
		ret = -errno;
		goto out;
	}
	unlink(f->tmp);
	fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (write(fd, buf, (size_t)len) != len || fsync(fd))
		ret = errno ? -errno : -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(f->tmp, f->path))
		ret = -errno;
	if (ret)
		unlink(f->tmp);
out:
	free(buf);
	return f->err = ret;
}

/* 0 with the file in buf (malloc'd), -ENOENT, or -errno with why in err. */
static int state_read(const struct state_file *f, char **buf, size_t *len, char *err,
		      size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd, e;

	fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		return e == ELOOP ? -EINVAL : -e;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > 65536 ||
	    (st.st_uid != geteuid() && st.st_uid != 0) || st.st_mode & 0077) {
		snprintf(err, errlen, "not a private regular file of this user or root");
		close(fd);
		return -EINVAL;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *buf, (size_t)st.st_size + 1);
	e = errno;
	close(fd);
	if (n < 0 || n > st.st_size) {
		free(*buf);
		snprintf(err, errlen, "%s", n < 0 ? strerror(e) : "it grew while read");
		return -EIO;
	}
	*len = (size_t)n;
	return 0;
}

static bool have_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_NET_ADMIN / 32].effective & (1U << (CAP_NET_ADMIN % 32));
}

/* ------------------------------------------------------------------ */
/* Words                                                               */
/* ------------------------------------------------------------------ */

static const char *split_name(uint32_t v)
{
	return v == 2 ? "on" : v == 1 ? "off" : "auto";
}

static void describe(const struct zcrx_prep_settings *s, const struct zcrx_prep_plan *p,
		     int step, bool after, uint32_t queue, char *buf, size_t len)
{
	uint32_t in = 0;

	switch (step) {
	case ZCRX_PREP_CHANNELS:
		if (!(s->have & ZCRX_PREP_HAVE_CHANNELS))
			snprintf(buf, len, "not reported");
		else
			snprintf(buf, len, "rx %u combined %u", after ? p->rx_count : s->rx_count,
				 after ? p->combined_count : s->combined_count);
		break;
	case ZCRX_PREP_HDS:
		if (!after && !(s->have & ZCRX_PREP_HAVE_SPLIT))
			snprintf(buf, len, "no ring parameters reported");
		else if (after)
			snprintf(buf, len, "tcp-data-split on hds-thresh 0");
		else if (s->have & ZCRX_PREP_HAVE_HDS_THRESH)
			snprintf(buf, len, "tcp-data-split %s hds-thresh %u",
				 split_name(s->tcp_data_split), s->hds_thresh);
		else
			snprintf(buf, len, "tcp-data-split %s", split_name(s->tcp_data_split));
		break;
	case ZCRX_PREP_NTUPLE:
		if (!after && !(s->have & ZCRX_PREP_HAVE_NTUPLE))
			snprintf(buf, len, "not reported");
		else
			snprintf(buf, len, "ntuple-filters %s%s", after || s->ntuple ? "on" : "off",
				 !after && s->ntuple_fixed ? " [fixed]" : "");
		break;
	case ZCRX_PREP_RSS:
		for (uint32_t i = 0; i < s->indir_size; i++)
			in += s->indir[i] == queue;
		if (!after && !s->indir_size)
			snprintf(buf, len, "no indirection table");
		else if (after && !p->indir_size)
			snprintf(buf, len, "queue %u out of the table", queue);
		else if (after)
			snprintf(buf, len, "queue %u in 0 of %u entries", queue, p->indir_size);
		else if (!in && p->need & (1U << ZCRX_PREP_CHANNELS))
			/* the driver may spread its table over the new channels */
			snprintf(buf, len, "queue %u in 0 of %u entries, until the channels grow",
				 queue, s->indir_size);
		else
			snprintf(buf, len, "queue %u in %u of %u entries", queue, in, s->indir_size);
		break;
	case ZCRX_PREP_FLOW:
		if (!after && s->rule_found)
			snprintf(buf, len, "a rule at location %u steers it already",
				 s->rule_found_loc);
		else if (after)
			snprintf(buf, len, "%s dst-port %u to %s %u",
				 p->opts.flow_type == ZCRX_PREP_TCP6 ? "tcp6" : "tcp4", p->opts.port,
				 p->opts.rss_context ? "a new RSS context over queue" : "queue",
				 queue);
		else
			snprintf(buf, len, "no rule of ours");
		break;
	}
}

/* what to do when a step failed; %s is the device */
static const char *const fix[ZCRX_PREP_STEPS] = {
	[ZCRX_PREP_CHANNELS] = "check 'ethtool -l %s'",
	[ZCRX_PREP_HDS] = "zcrx needs a driver with header split (mlx5, bnxt, fbnic, gve)",
	[ZCRX_PREP_NTUPLE] = "zcrx steering needs a driver with ntuple filters",
	[ZCRX_PREP_RSS] = "check 'ethtool -x %s'",
	[ZCRX_PREP_FLOW] = "check 'ethtool -n %s' for a rule already on that port",
};

/* "Operation not supported (kernel: "...")" */
static void kernel_answer(int err, const char *msg, char *buf, size_t len)
{
	if (msg && *msg)
		snprintf(buf, len, "%s (kernel: \"%s\")", strerror(-err), msg);
	else
		snprintf(buf, len, "%s", strerror(-err));
}

/* ------------------------------------------------------------------ */
/* --undo                                                              */
/* ------------------------------------------------------------------ */

static int do_undo(struct printer *pr, const struct prep_args *a, struct state_file *f)
{
	struct zcrx_prep_state *st;
	struct zcrx_prep_error err;
	char why[256], ans[256];
	uint32_t ifindex;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = state_read(f, &buf, &len, why, sizeof(why));
	if (ret == -ENOENT) {
		p_err("no state file %s: %s was not prepared by zcrxctl (or was undone already);"
		      " nothing to undo", f->path, a->dev);
		return EXIT_ERR;
	}
	if (ret) {
		p_err("cannot read %s: %s: remove it if no prepare of %s is to be undone",
		      f->path, why, a->dev);
		return EXIT_ERR;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		free(buf);
		p_err("out of memory");
		return EXIT_ERR;
	}
	ret = zcrx_prep_state_parse(buf, len, st);
	free(buf);
	if (ret || strcmp(st->dev, a->dev)) {
		p_err("%s is not a state file of zcrxctl prepare for %s (%s): restore %s by hand"
		      " (ethtool) and remove it", f->path, a->dev,
		      ret ? "it does not parse" : "it names another device", a->dev);
		free(st);
		return EXIT_ERR;
	}
	ifindex = if_nametoindex(a->dev);
	if (ifindex != st->ifindex) {
		p_err("%s recorded %s as ifindex %u, but it is %s now: the device was re-created"
		      " since, so there is nothing of ours to undo; remove %s", f->path, a->dev,
		      st->ifindex, ifindex ? "another" : "gone", f->path);
		free(st);
		return EXIT_ERR;
	}
	if (!have_net_admin()) {
		p_err("prepare --undo %s needs CAP_NET_ADMIN: run it as root", a->dev);
		free(st);
		return EXIT_MISSING;
	}

	open_json_object(pr, NULL);
	print_string(pr, PRINT_ANY, "dev", "%s: undo", a->dev);
	print_string(pr, PRINT_ANY, "state-file", " (%s)\n", f->path);
	open_json_array(pr, "undone");
	uint32_t before = st->done | st->pending;

	ret = zcrx_prep_undo(st, state_save, f, &err);
	for (int s = ZCRX_PREP_STEPS - 1; s >= 0; s--) {
		if (!(before & (1U << s)) || (st->done | st->pending) & (1U << s))
			continue;
		print_string(pr, PRINT_ANY, NULL, "    %s restored\n", zcrx_prep_step_name(s));
	}
	close_json_array(pr);
	if (ret) {
		kernel_answer(err.undo_err, err.msg, ans, sizeof(ans));
		p_err("undo %s: step %s: %s: the rest was restored; %s keeps what is left: fix"
		      " it and run 'zcrxctl prepare --undo %s' again", a->dev,
		      zcrx_prep_step_name(err.undo_step), ans, f->path, a->dev);
		free(st);
		return EXIT_ERR;
	}
	free(st);
	unlink(f->path);
	print_string(pr, PRINT_FP, NULL, "%s restored as recorded\n", a->dev);
	close_json_object(pr);
	print_end(pr);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* prepare                                                             */
/* ------------------------------------------------------------------ */

static void print_step(struct printer *pr, const struct zcrx_prep_settings *s,
		       const struct zcrx_prep_plan *p, int step, const char *dev,
		       const char *result)
{
	char before[96], after[96], cmd[512];
	uint32_t bit = 1U << step;

	describe(s, p, step, false, p->opts.queue, before, sizeof(before));
	describe(s, p, step, true, p->opts.queue, after, sizeof(after));
	open_json_object(pr, NULL);
	print_string(pr, PRINT_JSON, "step", NULL, zcrx_prep_step_name(step));
	print_string(pr, PRINT_JSON, "result", NULL, result);
	print_string(pr, PRINT_JSON, "before", NULL, before);
	if (p->need & bit) {
		zcrx_prep_ethtool(p, step, dev, cmd, sizeof(cmd));
		print_string(pr, PRINT_JSON, "after", NULL, after);
		print_string(pr, PRINT_JSON, "ethtool", NULL, cmd);
	}
	if (!print_is_json(pr)) {
		if (p->need & bit)
			print_text(pr, "    %-8s %-10s %s -> %s (%s)\n", zcrx_prep_step_name(step),
				   result, before, after, cmd);
		else
			print_text(pr, "    %-8s %-10s %s\n", zcrx_prep_step_name(step), result,
				   before);
	}
	close_json_object(pr);
}

static void print_dry(struct printer *pr, const struct zcrx_prep_settings *s,
		      const struct zcrx_prep_plan *p, const char *dev)
{
	char before[96], cmd[512];

	print_text(pr, "# %s queue %u: the device was read, nothing was changed\n", dev,
		   p->opts.queue);
	for (int step = 0; step < ZCRX_PREP_STEPS; step++) {
		uint32_t bit = 1U << step;
		const char *res = p->need & bit ? (p->step_err[step] ? "would-fail" : "would-do") :
				  p->skipped & bit ? "skipped" :
				  step == ZCRX_PREP_FLOW && !p->opts.port ? "not-asked" : "not-needed";

		if (print_is_json(pr)) {
			print_step(pr, s, p, step, dev, res);
			continue;
		}
		describe(s, p, step, false, p->opts.queue, before, sizeof(before));
		if (p->need & bit) {
			zcrx_prep_ethtool(p, step, dev, cmd, sizeof(cmd));
			/* a step the device cannot do: its command, commented out */
			if (p->step_err[step])
				print_text(pr, "# %s: will fail (%s): # %s\n",
					   zcrx_prep_step_name(step), before, cmd);
			else
				print_text(pr, "%s\n", cmd);
		} else {
			print_text(pr, "# %s: %s (%s)\n", zcrx_prep_step_name(step), res, before);
		}
	}
}

int do_prepare(struct printer *pr, int argc, char **argv)
{
	struct prep_args a = { 0 };
	struct zcrx_prep_settings *s = NULL;
	struct zcrx_prep_plan *plan = NULL;
	struct zcrx_prep_state *st = NULL;
	struct zcrx_prep_error err;
	struct state_file f = { 0 };
	char why[256], ans[300], cmd[512];
	uint32_t ifindex;
	struct stat sb;
	int ret, rc = EXIT_ERR;

	ret = cmd_parse(&prepare_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	ret = rundir_get(f.dir, sizeof(f.dir), why, sizeof(why));
	if (ret) {
		p_err("%s", why);
		return EXIT_ERR;
	}
	snprintf(f.path, sizeof(f.path), "%s/%s.prepare", f.dir, a.dev);
	snprintf(f.tmp, sizeof(f.tmp), "%s/.%s.prepare.tmp", f.dir, a.dev);
	if (a.undo)
		return do_undo(pr, &a, &f);

	if (!a.dry_run && !lstat(f.path, &sb)) {
		p_err("%s was prepared already (%s records it): run 'zcrxctl prepare --undo %s'"
		      " first", a.dev, f.path, a.dev);
		return EXIT_ERR;
	}
	if (!a.dry_run && !have_net_admin()) {
		p_err("prepare %s needs CAP_NET_ADMIN: run it as root (or try --dry-run)", a.dev);
		return EXIT_MISSING;
	}
	s = calloc(1, sizeof(*s));
	plan = calloc(1, sizeof(*plan));
	st = calloc(1, sizeof(*st));
	if (!s || !plan || !st) {
		p_err("out of memory");
		goto out;
	}
	a.opts.queue = a.queue;
	ret = zcrx_prep_read(a.dev, &a.opts, &ifindex, s, &err);
	if (ret == -ENODEV) {
		p_err("no device %s: see 'ip link' for the names", a.dev);
		goto out;
	}
	if (ret) {
		kernel_answer(ret, err.msg, ans, sizeof(ans));
		p_err("reading %s's settings%s%s failed: %s", a.dev, err.step >= 0 ? " for step " : "",
		      err.step >= 0 ? zcrx_prep_step_name(err.step) : "", ans);
		rc = ret == -EOPNOTSUPP ? EXIT_MISSING : EXIT_ERR;
		goto out;
	}
	a.opts.queue = a.queue;
	ret = zcrx_prep_plan(s, &a.opts, plan, &err);
	if (ret) {
		p_err("%s queue %u: %s", a.dev, a.queue,
		      ret == -ERANGE ? err.msg : "cannot plan these options");
		goto out;
	}

	open_json_object(pr, NULL);
	print_string(pr, PRINT_JSON, "dev", NULL, a.dev);
	print_uint(pr, PRINT_JSON, "queue", NULL, a.queue);
	print_bool(pr, PRINT_JSON, "dry-run", NULL, a.dry_run);
	if (a.dry_run) {
		open_json_array(pr, "steps");
		print_dry(pr, s, plan, a.dev);
		close_json_array(pr);
		close_json_object(pr);
		print_end(pr);
		rc = EXIT_OK;
		goto out;
	}

	memcpy(st->dev, a.dev, strlen(a.dev));
	st->ifindex = ifindex;
	st->opts = plan->opts;
	st->before = *s;
	st->before.rule_found = st->before.rule_found_loc = 0;	/* found, not ours to undo */
	print_string(pr, PRINT_JSON, "state-file", NULL, f.path);
	print_text(pr, "%s queue %u: prepare\n", a.dev, a.queue);
	ret = zcrx_prep_apply(st, plan, state_save, &f, &err);
	open_json_array(pr, "steps");
	for (int step = 0; step < ZCRX_PREP_STEPS; step++) {
		uint32_t bit = 1U << step;
		const char *res;

		if (!(plan->need & bit))
			res = plan->skipped & bit ? "skipped" :
			      step == ZCRX_PREP_FLOW && !plan->opts.port ? "not-asked" : "not-needed";
		else if (ret && step == err.step)
			res = "failed";
		else if (ret && step < err.step)
			res = st->done & bit ? "kept" : "undone";
		else if (ret)
			res = "not-tried";
		else
			res = "done";
		print_step(pr, s, plan, step, a.dev, res);
	}
	close_json_array(pr);
	if (!ret && st->has_rule)
		print_uint(pr, PRINT_ANY, "rule-location", "flow rule at location %u\n",
			   st->rule_loc);
	if (!ret && st->rss_ctx)
		print_uint(pr, PRINT_ANY, "rss-context", "RSS context %u\n", st->rss_ctx);

	if (!ret) {
		if (!st->done) {
			unlink(f.path);	/* nothing changed, nothing to undo */
			print_string(pr, PRINT_FP, NULL, "nothing changed, so nothing was"
				     " recorded: 'prepare --undo %s' has nothing to restore\n",
				     a.dev);
		} else
			print_string(pr, PRINT_FP, NULL, "recorded in %s: undo with"
				     " 'zcrxctl prepare --undo ", f.path);
		if (st->done)
			print_string(pr, PRINT_FP, NULL, "%s'\n", a.dev);
		print_bool(pr, PRINT_JSON, "recorded", NULL, st->done != 0);
		close_json_object(pr);
		print_end(pr);
		rc = EXIT_OK;
		goto out;
	}

	zcrx_prep_ethtool(plan, err.step, a.dev, cmd, sizeof(cmd));
	if (plan->step_err[err.step])	/* known from the read, not the kernel's words */
		snprintf(ans, sizeof(ans), "%s: %s", strerror(-err.err), err.msg);
	else
		kernel_answer(err.err, err.msg, ans, sizeof(ans));
	if (err.undo_step >= 0) {
		char uans[300];

		kernel_answer(err.undo_err, "", uans, sizeof(uans));
		p_err("prepare %s queue %u: step %s (%s) failed: %s; undoing step %s failed too"
		      " (%s): %s keeps what is left: run 'zcrxctl prepare --undo %s'", a.dev,
		      a.queue, zcrx_prep_step_name(err.step), cmd, ans,
		      zcrx_prep_step_name(err.undo_step), uans, f.path, a.dev);
		goto out;
	}
	if (!(st->done | st->pending) && !st->has_rule && !st->rss_ctx)
		unlink(f.path);
	if (f.err && !st->done)
		p_err("prepare %s queue %u: cannot record the settings in %s: %s: nothing was"
		      " changed; set ZCRXCTL_RUNDIR to a writable private directory", a.dev,
		      a.queue, f.path, strerror(-f.err));
	else {
		char todo[128];

		snprintf(todo, sizeof(todo), fix[err.step], a.dev);
		p_err("prepare %s queue %u: step %s (%s) failed: %s: %s; the steps before it"
		      " were undone, %s is as it was", a.dev, a.queue,
		      zcrx_prep_step_name(err.step), cmd, ans, todo, a.dev);
	}
	rc = err.err == -EOPNOTSUPP ? EXIT_MISSING : EXIT_ERR;
out:
	free(s);
	free(plan);
	free(st);
	return rc;
}
