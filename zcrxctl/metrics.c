// SPDX-License-Identifier: MIT
/*
 * zcrxctl metrics [--queues] [--textfile DIR]: every live session of RUNDIR
 * (asked as status asks them), and with --queues the RX queues and page
 * pools top shows, in the Prometheus text exposition format (0.0.4), on
 * stdout or written atomically for node_exporter's textfile collector.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ask.h"
#include "client.h"
#include "main.h"
#include "top.h"

#define TEXTFILE_NAME	"zcrxctl.prom"

enum {
	OPT_QUEUES = 0x600,
	OPT_TEXTFILE,
};

struct metrics_args {
	bool		queues;
	const char	*textfile;
};

static char *do_help(int key, const char *text, void *input)
{
	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return strdup("Print the Prometheus text format (0.0.4) for every live session in "
		      "RUNDIR, asked as status asks them (800 ms in all): zcrx_session_up "
		      "per socket (0: it did not answer or was refused), and for each one "
		      "that answered zcrx_session_info (zcrx_id, pid, mode, prog: \"\" from a "
		      "session too old to say), its uptime, "
		      "events by type (counter) and their latched state (gauge), copies "
		      "and copied bytes, lost records and re-submitted receives (reason "
		      "stall or overflow), and its areas: how many, their bytes and the "
		      "buffers received in each of the first 64.  --queues adds what top shows, as totals: "
		      "qstats rx-packets, rx-bytes and rx-alloc-fail of every RX queue, and "
		      "the counters and pages in flight of the page pools on its NAPI.  "
		      "--textfile writes DIR/" TEXTFILE_NAME " instead (a temporary file in "
		      "DIR, synced, then renamed over it) for node_exporter's textfile "
		      "collector.  Exit 1 when a session did not answer or was refused (its "
		      "zcrx_session_up 0 is still printed or written), or when netlink, or "
		      "DIR, fails: then nothing is printed or written.\n"
		      "\n"
		      "       DIR    := an existing directory this user may write in\n"
		      "       RUNDIR := $ZCRXCTL_RUNDIR, else /run/zcrxctl (root),\n"
		      "                 else $XDG_RUNTIME_DIR/zcrxctl, else /tmp/zcrxctl-UID\n");
}

static const struct argp_option options[] = {
	{ "queues", OPT_QUEUES, NULL, 0, "add the RX queues and page pools top shows", 0 },
	{ "textfile", OPT_TEXTFILE, "DIR", 0,
	  "write DIR/" TEXTFILE_NAME " atomically instead of printing", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct metrics_args *a = state->input;

	switch (key) {
	case OPT_QUEUES:
		a->queues = true;
		break;
	case OPT_TEXTFILE:
		if (!*arg)
			argp_error(state, "--textfile needs a directory, not ''");
		if (a->textfile)
			argp_error(state, "--textfile given twice ('%s' and '%s'): give one DIR",
				   a->textfile, arg);
		a->textfile = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp metrics_argp = {
	options, parse_opt, NULL, "", NULL, do_help, NULL
};

/* ------------------------------------------------------------------ */
/* The exposition format                                               */
/* ------------------------------------------------------------------ */

/*
 * A metric family: its HELP and TYPE lines go out before its first sample,
 * once, and a family without samples prints nothing.
 */
struct family {
	const char	*name;
	const char	*type;
	const char	*help;
	bool		said;
};

/* A label value: backslash, double quote and newline escaped. */
static void put_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/*
 * One sample of fam: labels as NAME, VALUE pairs ending with NULL, each
 * value a string.
 */
static void sample(FILE *f, struct family *fam, uint64_t v, ...)
{
	const char *name, *sep = "{";
	va_list ap;

	if (!fam->said) {
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name,
			fam->type);
		fam->said = true;
	}
	fputs(fam->name, f);
	va_start(ap, v);
	while ((name = va_arg(ap, const char *))) {
		fprintf(f, "%s%s=\"", sep, name);
		put_value(f, va_arg(ap, const char *));
		fputc('"', f);
		sep = ",";
	}
	va_end(ap);
	fprintf(f, "%s %llu\n", *sep == ',' ? "}" : "", (unsigned long long)v);
}

/* ------------------------------------------------------------------ */
/* Sessions                                                            */
/* ------------------------------------------------------------------ */

enum {
	M_UP, M_INFO, M_UPTIME, M_EVENTS, M_LATCHED, M_COPIES, M_COPY_BYTES, M_LOST,
	M_RESUBMIT, M_AREAS, M_AREA_BYTES, M_AREA_RX, M_NR_SESSION,
};

static const struct family session_families[M_NR_SESSION] = {
	[M_UP] = { "zcrx_session_up", "gauge",
		   "1 when the session answered status within 800 ms, 0 when it did not "
		   "or was refused" },
	[M_INFO] = { "zcrx_session_info", "gauge",
		     "The session's ifq (zcrx_id), process, mode (nic, nodev, sim) and program "
		     "(\"\" when the session does not say); always 1" },
	[M_UPTIME] = { "zcrx_session_uptime_seconds", "gauge",
		       "Seconds since the session started" },
	[M_EVENTS] = { "zcrx_session_events_total", "counter",
		       "zcrx events that fired, by type" },
	[M_LATCHED] = { "zcrx_session_event_latched", "gauge",
			"1 while the event type is latched (fired, not re-armed), 0 while armed" },
	[M_COPIES] = { "zcrx_session_copies_total", "counter",
		       "Receives the kernel copied instead of zero-copy (copy-count)" },
	[M_COPY_BYTES] = { "zcrx_session_copy_bytes_total", "counter",
			   "Bytes the kernel copied instead of zero-copy (copy-bytes)" },
	[M_LOST] = { "zcrx_session_lost_records_total", "counter",
		     "Records dropped for subscribers too slow to read them" },
	[M_RESUBMIT] = { "zcrx_session_recv_resubmitted_total", "counter",
			 "Receives ended early and posted again, nothing lost: stall (out of "
			 "buffers, recv-stalls) or overflow (a full completion queue, "
			 "recv-overflows)" },
	[M_AREAS] = { "zcrx_session_areas", "gauge",
		      "Areas the ifq has: 1, more after grow (areas)" },
	[M_AREA_BYTES] = { "zcrx_session_area_bytes", "gauge",
			   "Bytes of all the ifq's areas together (area-size)" },
	[M_AREA_RX] = { "zcrx_session_area_rx_buffers_total", "counter",
			"Buffers received into the area, by area id, for the first 64 areas "
			"(area-rx-buffers)" },
};

static const char *const mode_label[] = {
	[BACKEND_NIC] = "nic", [BACKEND_NODEV] = "nodev", [BACKEND_SIM] = "sim",
};

#define SESS_LABELS(e, q)	"dev", (e)->dev, "queue", (q)

static void session_family(FILE *f, struct family *fam, int m, const struct sess_entry *e)
{
	const struct proto_session *s = &e->sess;
	char q[16], id[16], pid[24], area[16];

	snprintf(q, sizeof(q), "%u", e->queue);
	if (m == M_UP) {
		sample(f, fam, e->answered && !e->refused, SESS_LABELS(e, q), NULL);
		return;
	}
	if (!e->answered || e->refused)
		return;
	switch (m) {
	case M_INFO:
		snprintf(id, sizeof(id), "%u", s->zcrx_id);
		snprintf(pid, sizeof(pid), "%llu", (unsigned long long)s->pid);
		/* one label set for the family: "" (no label, to Prometheus) for no prog */
		sample(f, fam, 1, SESS_LABELS(e, q), "zcrx_id", id, "pid", pid, "mode",
		       mode_label[s->mode], "prog", s->has_prog ? s->prog : "", NULL);
		break;
	case M_UPTIME:
		sample(f, fam, s->uptime_s, SESS_LABELS(e, q), NULL);
		break;
	case M_EVENTS:
	case M_LATCHED:
		for (int t = 0; t < ZCRX_EV_COUNT; t++) {
			if (!(s->events & ZCRX_EV_MASK(t)))
				continue;
			sample(f, fam, m == M_EVENTS ? s->count[t] : !!(s->fired & ZCRX_EV_MASK(t)),
			       SESS_LABELS(e, q), "type", zcrx_event_name(t), NULL);
		}
		break;
	case M_COPIES:
		if (s->has_stats)
			sample(f, fam, s->copy_count, SESS_LABELS(e, q), NULL);
		break;
	case M_COPY_BYTES:
		if (s->has_stats)
			sample(f, fam, s->copy_bytes, SESS_LABELS(e, q), NULL);
		break;
	case M_LOST:
		if (s->has_lost)
			sample(f, fam, s->lost_records, SESS_LABELS(e, q), NULL);
		break;
	case M_RESUBMIT:
		sample(f, fam, s->recv_stalls, SESS_LABELS(e, q), "reason", "stall", NULL);
		if (s->has_overflows)
			sample(f, fam, s->recv_overflows, SESS_LABELS(e, q), "reason", "overflow",
			       NULL);
		break;
	case M_AREAS:
		if (s->has_areas)
			sample(f, fam, s->nr_areas, SESS_LABELS(e, q), NULL);
		break;
	case M_AREA_BYTES:
		if (s->has_areas)
			sample(f, fam, s->area_size, SESS_LABELS(e, q), NULL);
		break;
	case M_AREA_RX:
		for (uint32_t i = 0; s->has_areas && i < s->nr_area_rx; i++) {
			snprintf(area, sizeof(area), "%u", i);
			sample(f, fam, s->area_rx[i], SESS_LABELS(e, q), "area", area, NULL);
		}
		break;
	}
}

static void print_sessions(FILE *f, const struct sess_entry *list, size_t nr)
{
	struct family fams[M_NR_SESSION];

	memcpy(fams, session_families, sizeof(fams));
	for (int m = 0; m < M_NR_SESSION; m++)
		for (size_t i = 0; i < nr; i++)
			session_family(f, &fams[m], m, &list[i]);
}

/* ------------------------------------------------------------------ */
/* Queues and page pools (--queues): top's figures, as totals           */
/* ------------------------------------------------------------------ */

/*
 * Named after top's keys: zcrx_queue_<rx-packets...>_total for qstats,
 * zcrx_page_pool_<alloc-fast...>_total for the pools on a queue's NAPI.
 */
#define Q_INFO		TOP_NR_RATES
#define Q_INFLIGHT	(TOP_NR_RATES + 1)
#define Q_NR		(TOP_NR_RATES + 2)

static const char *const rate_help[TOP_NR_RATES] = {
	[TOP_RX_PACKETS] = "Packets the RX queue received (qstats rx-packets)",
	[TOP_RX_BYTES] = "Bytes the RX queue received (qstats rx-bytes)",
	[TOP_RX_ALLOC_FAIL] = "RX buffer allocations that failed (qstats rx-alloc-fail)",
	[TOP_ALLOC_FAST] = "Page pool allocations served from its cache (alloc-fast)",
	[TOP_ALLOC_SLOW] = "Page pool allocations that went to the provider (alloc-slow)",
	[TOP_ALLOC_EMPTY] = "Page pool allocations that found the ring empty (alloc-empty)",
	[TOP_ALLOC_REFILL] = "Page pool cache refills from its ring (alloc-refill)",
	[TOP_RECYCLE] = "Pages the page pool recycled (recycle-cached plus recycle-ring)",
};

struct qlabels {
	char	ifindex[16], queue[16];
	const char *dev;
};

#define Q_LABELS(l)	"ifindex", (l)->ifindex, "dev", (l)->dev, "queue", (l)->queue

static void queue_family(FILE *f, struct family *fam, int m, const struct zcrx_netdev *dev,
			 const struct zcrx_rxq *q)
{
	struct qlabels l = { .dev = dev->name };
	char napi[16], pool[16];
	uint64_t v;

	snprintf(l.ifindex, sizeof(l.ifindex), "%d", dev->ifindex);
	snprintf(l.queue, sizeof(l.queue), "%u", q->id);
	if (m == Q_INFO) {
		snprintf(napi, sizeof(napi), "%u", q->napi_id);
		sample(f, fam, 1, Q_LABELS(&l), "napi_id", q->has_napi ? napi : "",
		       "provider", top_provider(q->mp) ?: "", NULL);
		return;
	}
	if (m < TOP_ALLOC_FAST) {
		if (q->qstats_have & (1ULL << top_qstat_id[m]))
			sample(f, fam, q->qstats[top_qstat_id[m]], Q_LABELS(&l), NULL);
		return;
	}
	for (size_t i = 0; i < dev->nr_pools; i++) {
		const struct zcrx_pool *p = &dev->pools[i];
		unsigned int n = 0;

		if (!top_pool_on(p, q))
			continue;
		snprintf(pool, sizeof(pool), "%u", p->id);
		if (m == Q_INFLIGHT) {
			if (p->has_inflight)
				sample(f, fam, p->inflight, Q_LABELS(&l), "pool", pool, NULL);
			continue;
		}
		v = 0;
		for (unsigned int j = 0; j < 2 && top_pool_ids[m][j]; j++) {
			if (!(p->stats_have & (1U << top_pool_ids[m][j])))
				continue;
			v += p->stats[top_pool_ids[m][j]];
			n++;
		}
		if (n)
			sample(f, fam, v, Q_LABELS(&l), "pool", pool, NULL);
	}
}

/* fam's samples for every RX queue of every device netlink lists them for */
static void queue_samples(FILE *f, struct family *fam, int m, const struct zcrx_netdev_list *nl)
{
	for (size_t i = 0; i < nl->nr; i++) {
		const struct zcrx_netdev *dev = &nl->dev[i];

		for (size_t j = 0; !dev->queues_err && j < dev->nr_rxq; j++)
			queue_family(f, fam, m, dev, &dev->rxq[j]);
	}
}

static void print_queues(FILE *f, const struct zcrx_netdev_list *nl)
{
	struct family fams[Q_NR] = {
		[Q_INFO] = { "zcrx_queue_info", "gauge",
			     "An RX queue, its NAPI and the memory provider bound to it "
			     "(io-uring for zcrx); always 1" },
		[Q_INFLIGHT] = { "zcrx_page_pool_inflight_pages", "gauge",
				 "Pages of the page pool in flight (handed out, not returned)" },
	};
	char names[TOP_NR_RATES][64];

	for (int k = 0; k < TOP_NR_RATES; k++) {
		char *c;

		snprintf(names[k], sizeof(names[k]), "zcrx_%s_%s_total",
			 k < TOP_ALLOC_FAST ? "queue" : "page_pool", top_rate_key[k]);
		for (c = names[k]; *c; c++)
			if (*c == '-')
				*c = '_';
		fams[k] = (struct family){ names[k], "counter", rate_help[k], false };
	}
	/* the info first, as for sessions */
	queue_samples(f, &fams[Q_INFO], Q_INFO, nl);
	for (int m = 0; m < Q_NR; m++)
		if (m != Q_INFO)
			queue_samples(f, &fams[m], m, nl);
}

/* ------------------------------------------------------------------ */
/* --textfile DIR                                                      */
/* ------------------------------------------------------------------ */

/*
 * DIR/.zcrxctl.prom.XXXXXX, created before anything is asked so a bad DIR
 * fails first: the fd, or -1 after p_err().  The name does not end in .prom,
 * so the collector never reads it half-written.
 */
static int textfile_open(const char *dir, char *tmp, size_t len)
{
	struct stat st;
	int fd, e;

	if (stat(dir, &st)) {
		e = errno;
		if (e == ENOENT)
			p_err("--textfile %s: no such directory: create it, or give node_exporter's "
			      "--collector.textfile.directory", dir);
		else
			p_err("--textfile %s: %s", dir, strerror(e));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		p_err("--textfile %s is not a directory: give the directory node_exporter's "
		      "--collector.textfile.directory names", dir);
		return -1;
	}
	if ((size_t)snprintf(tmp, len, "%s/." TEXTFILE_NAME ".XXXXXX", dir) >= len) {
		p_err("--textfile %s: the path is too long", dir);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		p_err("--textfile %s: cannot create a file in it: %s%s", dir, strerror(e),
		      e == EACCES || e == EPERM || e == EROFS ?
		      ": run as a user who may write there" : "");
		return -1;
	}
	/* node_exporter reads it as another user: the collector's file is public */
	if (fchmod(fd, 0644)) {
		e = errno;
		p_err("--textfile %s: cannot make %s readable: %s", dir, tmp, strerror(e));
		unlink(tmp);
		close(fd);
		return -1;
	}
	return fd;
}

/* buf into fd, synced, then renamed over DIR/zcrxctl.prom: 0 or -1 after p_err(). */
static int textfile_commit(int fd, const char *tmp, const char *dir, const char *buf,
			   size_t len)
{
	char path[PATH_MAX];
	size_t off = 0;
	ssize_t w;
	int dfd, e = 0;

	while (!e && off < len) {
		w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			e = errno;
		else
			off += w;
	}
	if (!e && fsync(fd))
		e = errno;
	if (close(fd) && !e)
		e = errno;
	snprintf(path, sizeof(path), "%s/" TEXTFILE_NAME, dir);
	if (!e && rename(tmp, path))
		e = errno;
	if (e) {
		unlink(tmp);
		p_err("--textfile %s: cannot write %s: %s", dir, path, strerror(e));
		return -1;
	}
	/* the rename itself, durable */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The command                                                          */
/* ------------------------------------------------------------------ */

static int netdev_snapshot(struct zcrx_netdev_list *nl)
{
	char why[256];
	int ret = zcrx_netdev_dump(NULL, nl);

	if (ret) {
		p_err("cannot list network devices for --queues: %s", strerror(-ret));
		return -1;
	}
	if (top_usable(nl, NULL, why, sizeof(why))) {
		p_err("--queues: %s", why);
		zcrx_netdev_list_free(nl);
		return -1;
	}
	return 0;
}

int do_metrics(struct printer *pr, int argc, char **argv)
{
	struct metrics_args a = { 0 };
	char rundir[PATH_MAX], err[PATH_MAX + 512], tmp[PATH_MAX];
	struct zcrx_netdev_list nl = { 0 };
	struct sess_entry *list = NULL;
	size_t nr = 0, len = 0, silent = 0;
	char *buf = NULL;
	int ret, fd = -1;
	FILE *f;

	ret = cmd_parse(&metrics_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	if (print_is_json(pr)) {
		p_err("metrics prints the Prometheus text format only: drop -j");
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if (rundir_get(rundir, sizeof(rundir), err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_ERR;
	}
	if (a.textfile) {
		fd = textfile_open(a.textfile, tmp, sizeof(tmp));
		if (fd < 0)
			return EXIT_ERR;
	}
	ret = EXIT_ERR;
	if (a.queues && netdev_snapshot(&nl))
		goto out;
	if (ask_sessions(rundir, NULL, false, 0, &list, &nr, err, sizeof(err)))
		goto out;
	if (!nr)
		p_info("No live sessions in %s", rundir);
	f = open_memstream(&buf, &len);
	if (!f) {
		p_err("out of memory");
		goto out;
	}
	print_sessions(f, list, nr);
	if (a.queues)
		print_queues(f, &nl);
	if (fclose(f)) {
		p_err("out of memory");
		goto out;
	}
	if (a.textfile) {
		ret = textfile_commit(fd, tmp, a.textfile, buf, len);
		fd = -1;
		if (ret) {
			ret = EXIT_ERR;
			goto out;
		}
	} else {
		/* a failed write is said once by main (stdout_done) */
		fwrite(buf, 1, len, stdout);
	}
	/* as status: each refusal its own line, and one line for the silent */
	ret = EXIT_OK;
	for (size_t i = 0; i < nr; i++) {
		if (list[i].refused)
			p_err("%s", list[i].refused);
		else if (!list[i].answered)
			silent++;
		if (list[i].refused || !list[i].answered)
			ret = EXIT_ERR;
	}
	if (silent) {
		ask_silent_names(list, nr, err, sizeof(err));
		p_err("%zu session%s did not answer within %d ms (zcrx_session_up 0): %s; "
		      CLIENT_STUCK_HINT, silent, silent == 1 ? "" : "s", ASK_DEADLINE_MS, err);
	}
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(buf);
	ask_sessions_free(list, nr);
	zcrx_netdev_list_free(&nl);
	return ret;
}
