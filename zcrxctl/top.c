// SPDX-License-Identifier: MIT
/*
 * zcrxctl top [DEV [QUEUE]] [--interval DUR] [-c COUNT]: every RX queue of
 * the host (or DEV's, or one), refreshed each interval, as rates: qstats
 * and the page pools on the queue's NAPI (netdev netlink, lib's snapshot).
 * Queues an io_uring provider holds come first, and one that starves (its
 * pool empty or slow, rx-alloc-fail rising) is flagged in words: the view
 * of another program's zcrx queue that events cannot give.
 *
 * A terminal gets a screen redrawn in place (cursor home, each line cleared
 * to its end, the rest of the screen cleared: no flicker), q quits; -j or a
 * pipe gets one NDJSON record per queue per interval, as the monitors of
 * iproute2 print them.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "guard.h"
#include "loop.h"
#include "main.h"
#include "stream.h"
#include "top.h"
#include "units.h"

#define BIT(n)		(1U << (n))
#define NS_PER_MS	1000000ULL
#define TOP_MIN_NS	(100 * NS_PER_MS)

const char *const top_rate_key[TOP_NR_RATES] = {
	"rx-packets", "rx-bytes", "rx-alloc-fail", "alloc-fast", "alloc-slow",
	"alloc-empty", "alloc-refill", "recycle",
};

/* the qstats behind the first three rates */
const unsigned int top_qstat_id[3] = {
	ZCRX_NETDEV_A_QSTATS_RX_PACKETS, ZCRX_NETDEV_A_QSTATS_RX_BYTES,
	ZCRX_NETDEV_A_QSTATS_RX_ALLOC_FAIL,
};

/* the page pool stats behind the others; recycle is the sum of two */
const unsigned int top_pool_ids[TOP_NR_RATES][2] = {
	[TOP_ALLOC_FAST] = { ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_FAST, 0 },
	[TOP_ALLOC_SLOW] = { ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_SLOW, 0 },
	[TOP_ALLOC_EMPTY] = { ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_EMPTY, 0 },
	[TOP_ALLOC_REFILL] = { ZCRX_NETDEV_A_PAGE_POOL_STATS_ALLOC_REFILL, 0 },
	[TOP_RECYCLE] = { ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_CACHED,
			  ZCRX_NETDEV_A_PAGE_POOL_STATS_RECYCLE_RING },
};

/* ------------------------------------------------------------------ */
/* Rates, order and flags (top.h; tests/unit/test_top.c)               */
/* ------------------------------------------------------------------ */

const char *top_fmt_rate(double v, char *buf, size_t len)
{
	static const char sfx[] = "kMGTP";
	int i = -1;

	if (v < 0)
		v = 0;
	if (v < 10 && v != (double)(uint64_t)v)
		snprintf(buf, len, "%.1f", v);
	else if (v < 10000)
		snprintf(buf, len, "%.0f", v);
	else {
		while (v >= 1000 && sfx[i + 1]) {
			v /= 1000;
			i++;
		}
		snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, sfx[i]);
	}
	return buf;
}

static void note_add(char *note, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_add(char *note, const char *fmt, ...)
{
	size_t n = strlen(note);
	va_list ap;

	if (n && n + 2 < TOP_NOTE_LEN) {
		memcpy(note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(note + n, TOP_NOTE_LEN - n, fmt, ap);
	va_end(ap);
}

static const struct zcrx_netdev *find_dev(const struct zcrx_netdev_list *l, int ifindex)
{
	for (size_t i = 0; l && i < l->nr; i++)
		if (l->dev[i].ifindex == ifindex)
			return &l->dev[i];
	return NULL;
}

static const struct zcrx_pool *find_pool(const struct zcrx_netdev *dev, uint32_t id)
{
	for (size_t i = 0; dev && i < dev->nr_pools; i++)
		if (dev->pools[i].id == id)
			return &dev->pools[i];
	return NULL;
}

/* An attached page pool on the queue's NAPI (a pool belongs to a queue by napi-id). */
bool top_pool_on(const struct zcrx_pool *p, const struct zcrx_rxq *q)
{
	return q && q->has_napi && p->has_napi && p->napi_id == q->napi_id && !p->detach_time;
}

static void qstat_rates(struct top_row *r, const struct zcrx_rxq *pq, const struct zcrx_rxq *q,
			double secs)
{
	for (unsigned int k = 0; k < 3; k++) {
		unsigned int id = top_qstat_id[k];
		uint64_t have = 1ULL << id;

		if (!(q->qstats_have & have) || !(pq->qstats_have & have))
			continue;
		if (q->qstats[id] < pq->qstats[id]) {
			/* a device reset or a driver that restarted its counters */
			note_add(r->restart, "%s went backwards: counters restarted "
				 "(device reset?), rate from the next interval", top_rate_key[k]);
			continue;
		}
		r->rate[k] = (q->qstats[id] - pq->qstats[id]) / secs;
		r->have |= BIT(k);
	}
}

static void pool_rates(struct top_row *r, const struct zcrx_netdev *pdev,
		       const struct zcrx_rxq *pq, const struct zcrx_netdev *dev,
		       const struct zcrx_rxq *q, double secs)
{
	uint64_t sum[TOP_NR_RATES] = { 0 };
	unsigned int have = 0, lost = 0;
	bool whole = true;

	for (size_t i = 0; i < dev->nr_pools; i++) {
		const struct zcrx_pool *p = &dev->pools[i], *pp;

		if (!top_pool_on(p, q))
			continue;
		pp = find_pool(pdev, p->id);
		if (!pp) {
			note_add(r->restart, "page pool %u is new: its counters start now, "
				 "pool rates from the next interval", p->id);
			whole = false;
			continue;
		}
		for (unsigned int k = TOP_ALLOC_FAST; k < TOP_NR_RATES; k++) {
			uint64_t now = 0, then = 0;
			unsigned int n = 0;

			for (unsigned int j = 0; j < 2 && top_pool_ids[k][j]; j++) {
				unsigned int id = top_pool_ids[k][j];

				if (!(p->stats_have & BIT(id)) || !(pp->stats_have & BIT(id)))
					continue;
				now += p->stats[id];
				then += pp->stats[id];
				n++;
			}
			if (!n)
				continue;
			if (now < then) {
				lost |= BIT(k);
				continue;
			}
			sum[k] += now - then;
			have |= BIT(k);
		}
	}
	/* pools on the queue before that are gone now (replaced, or the queue restarted) */
	for (size_t i = 0; pdev && i < pdev->nr_pools; i++) {
		const struct zcrx_pool *pp = &pdev->pools[i];

		if (top_pool_on(pp, pq) && !find_pool(dev, pp->id)) {
			note_add(r->restart, "page pool %u is gone", pp->id);
			whole = false;
		}
	}
	for (unsigned int k = TOP_ALLOC_FAST; k < TOP_NR_RATES; k++) {
		if (lost & BIT(k)) {
			note_add(r->restart, "page pool %s went backwards: counters restarted, "
				 "rate from the next interval", top_rate_key[k]);
			continue;
		}
		if (!whole || !(have & BIT(k)))
			continue;
		r->rate[k] = sum[k] / secs;
		r->have |= BIT(k);
	}
}

static bool rising(const struct top_row *r, enum top_rate k)
{
	return (r->have & BIT(k)) && r->rate[k] > 0;
}

/* Starvation in words: what the numbers mean for whoever holds the queue. */
static void flag_row(struct top_row *r)
{
	char v[16];

	if (r->mp & ZCRX_MP_IO_URING) {
		if (rising(r, TOP_ALLOC_EMPTY))
			note_add(r->flag, "starving: page pool empty %s/s \u2014 the application "
				 "returns buffers too slowly",
				 top_fmt_rate(r->rate[TOP_ALLOC_EMPTY], v, sizeof(v)));
		else if (rising(r, TOP_ALLOC_SLOW))
			note_add(r->flag, "starving: page pool slow allocations %s/s \u2014 the "
				 "refill ring runs dry: the application returns buffers too slowly",
				 top_fmt_rate(r->rate[TOP_ALLOC_SLOW], v, sizeof(v)));
		if (rising(r, TOP_RX_ALLOC_FAIL))
			note_add(r->flag, "starving: rx-alloc-fail %s/s \u2014 the NIC found no "
				 "buffer and dropped packets: the application returns buffers too "
				 "slowly", top_fmt_rate(r->rate[TOP_RX_ALLOC_FAIL], v, sizeof(v)));
	} else if (rising(r, TOP_RX_ALLOC_FAIL)) {
		note_add(r->flag, "rx-alloc-fail %s/s \u2014 the driver could not allocate RX "
			 "buffers (memory pressure?)",
			 top_fmt_rate(r->rate[TOP_RX_ALLOC_FAIL], v, sizeof(v)));
	}
}

static void fill_row(struct top_row *r, const struct zcrx_netdev_list *prev,
		     const struct zcrx_netdev *dev, const struct zcrx_rxq *q, double secs)
{
	const struct zcrx_netdev *pdev = find_dev(prev, dev->ifindex);
	const struct zcrx_rxq *pq = pdev ? zcrx_netdev_rxq(pdev, q->id) : NULL;

	memset(r, 0, sizeof(*r));
	snprintf(r->dev, sizeof(r->dev), "%s", dev->name);
	r->ifindex = dev->ifindex;
	r->queue = q->id;
	r->has_napi = q->has_napi;
	r->napi_id = q->napi_id;
	r->mp = q->mp;
	for (size_t i = 0; i < dev->nr_pools; i++) {
		const struct zcrx_pool *p = &dev->pools[i];

		if (!top_pool_on(p, q))
			continue;
		r->nr_pools++;
		if (p->has_inflight) {
			r->has_inflight = true;
			r->inflight += p->inflight;
		}
	}
	if (!prev || secs <= 0)
		return;
	if (!pq) {
		snprintf(r->restart, sizeof(r->restart),
			 "new queue: rates from the next interval");
		return;
	}
	qstat_rates(r, pq, q, secs);
	pool_rates(r, pdev, pq, dev, q, secs);
	flag_row(r);
}

static int row_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	bool bx = x->mp & ZCRX_MP_IO_URING, by = y->mp & ZCRX_MP_IO_URING;

	if (bx != by)
		return by - bx;
	if (x->ifindex != y->ifindex)
		return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
	return (x->queue > y->queue) - (x->queue < y->queue);
}

int top_rows(const struct zcrx_netdev_list *prev, const struct zcrx_netdev_list *cur,
	     uint64_t elapsed_ns, int64_t queue, struct top_row **rows)
{
	double secs = elapsed_ns / 1e9;
	struct top_row *out;
	size_t n = 0;

	*rows = NULL;
	for (size_t i = 0; i < cur->nr; i++)
		n += cur->dev[i].nr_rxq;
	if (!n)
		return 0;
	out = calloc(n, sizeof(*out));
	if (!out)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < cur->nr; i++) {
		const struct zcrx_netdev *dev = &cur->dev[i];

		for (size_t j = 0; j < dev->nr_rxq; j++) {
			if (queue >= 0 && dev->rxq[j].id != (uint64_t)queue)
				continue;
			fill_row(&out[n++], prev, dev, &dev->rxq[j], secs);
		}
	}
	if (!n) {
		free(out);
		return 0;
	}
	qsort(out, n, sizeof(*out), row_cmp);
	*rows = out;
	return (int)n;
}

static const char *queues_why(int err)
{
	switch (-err) {
	case ENOENT:
		return "this kernel has no netdev netlink family: top needs Linux 6.8+ "
		       "(queue-get, qstats, page pools)";
	case EOPNOTSUPP:
		return "the kernel does not list RX queues over netlink: top needs Linux 6.8+";
	case EPERM:
	case EACCES:
		return "netlink queue-get was refused: run as a user allowed to query netdev "
		       "netlink (root)";
	default:
		return NULL;
	}
}

int top_usable(const struct zcrx_netdev_list *list, const char *dev, char *buf, size_t len)
{
	int err = 0;

	for (size_t i = 0; i < list->nr; i++) {
		const struct zcrx_netdev *d = &list->dev[i];

		if (!d->queues_err)
			return 0;
		if (d->queues_err == -ENETDOWN) {
			if (dev) {
				snprintf(buf, len, "%s is down and the kernel lists no queues of a "
					 "device that is down: `ip link set %s up`", d->name, d->name);
				return -ENETDOWN;
			}
			continue;
		}
		if (!err)
			err = d->queues_err;
	}
	if (!err)
		return 0;	/* every device is down: an empty view, not an error */
	if (queues_why(err))
		snprintf(buf, len, "cannot list RX queues: %s", queues_why(err));
	else
		snprintf(buf, len, "cannot list RX queues over netdev netlink: %s (is netlink "
			 "usable here? try `zcrxctl show`)", strerror(-err));
	return err;
}

/* ------------------------------------------------------------------ */
/* The command                                                          */
/* ------------------------------------------------------------------ */

enum {
	OPT_INTERVAL = 0x500,
};

struct top_args {
	const char	*dev;
	bool		has_queue;
	uint32_t	queue;
	uint64_t	interval_ns;
	uint64_t	count;
};

struct top {
	const struct top_args	*a;
	struct printer		*pr;
	struct loop		*l;
	struct zcrx_netdev_list	prev;
	uint64_t		prev_ns;
	uint64_t		next;
	uint64_t		intervals;
	struct top_row		*rows;		/* the last frame, for a redraw */
	int			nr_rows;
	uint64_t		elapsed_ns;
	bool			tui;
	bool			keys;
	bool			out_gone;
	unsigned int		cols, lines;
	struct loop_op		tick;
	struct loop_op		out_op;
};

static char *do_help(int key, const char *text, void *input)
{
	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return strdup("A live view of every RX queue of the host (or DEV's, or QUEUE), "
		      "refreshed every --interval: rates per second over the real elapsed "
		      "time of qstats rx-packets, rx-bytes and rx-alloc-fail and of the page "
		      "pools on the queue's NAPI (alloc-fast, -slow, -empty, -refill, recycle), "
		      "and their pages in flight.  Queues bound to an io_uring memory provider "
		      "(zcrx) come first; one that starves is flagged in words.  On a terminal "
		      "the screen is redrawn in place (q quits); with -j, or when stdout is no "
		      "terminal, one line (NDJSON: one object) per queue per interval, the "
		      "first after one interval.  Exit 0 after -c COUNT intervals, on q, "
		      "SIGINT, SIGTERM or SIGHUP, or when stdout's reader goes away.\n"
		      "\n"
		      "       DEV   := network device name, as in 'ip link show'\n"
		      "       QUEUE := RX queue index, 0..N-1\n"
		      "       DUR   := a number with ms, s, m or h: 500ms, 1s (at least 100ms)\n");
}

static const struct argp_option options[] = {
	{ "interval", OPT_INTERVAL, "DUR", 0, "refresh every DUR (default 1s, at least 100ms)",
	  0 },
	{ "count", 'c', "COUNT", 0, "exit 0 after COUNT intervals", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct top_args *a = state->input;

	switch (key) {
	case OPT_INTERVAL:
		if (parse_duration(arg, &a->interval_ns))
			bad_value(state, "--interval", arg, "a DUR such as 500ms or 2s");
		else if (a->interval_ns < TOP_MIN_NS)
			argp_error(state, "--interval %s is below the minimum of 100ms", arg);
		break;
	case 'c':
		if (parse_u64(arg, &a->count) || !a->count)
			bad_value(state, "-c", arg, "a number of intervals above 0");
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0) {
			if (!dev_name_ok(arg))
				argp_error(state, "DEV must be a network device name, not '%s'",
					   arg);
			a->dev = arg;
		} else if (state->arg_num == 1) {
			if (parse_u32(arg, &a->queue))
				argp_error(state, "QUEUE must be an RX queue number, not '%s'", arg);
			a->has_queue = true;
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp top_argp = {
	options, parse_opt, "[DEV [QUEUE]]", "", NULL, do_help, NULL
};

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

const char *top_provider(unsigned int mp)
{
	if (mp & ZCRX_MP_IO_URING)
		return "io-uring";
	if (mp & ZCRX_MP_DMABUF)
		return "dmabuf";
	if (mp & ZCRX_MP_XSK)
		return "xsk";
	return NULL;
}

static void print_json_row(struct top *t, const struct top_row *r, const char *iso)
{
	struct printer *pr = t->pr;
	char key[40];

	open_json_object(pr, NULL);
	print_string(pr, PRINT_JSON, "time", NULL, iso);
	print_uint(pr, PRINT_JSON, "interval-ms", NULL, t->a->interval_ns / NS_PER_MS);
	print_uint(pr, PRINT_JSON, "elapsed-ms", NULL, (t->elapsed_ns + NS_PER_MS / 2) / NS_PER_MS);
	print_string(pr, PRINT_JSON, "dev", NULL, r->dev);
	print_uint(pr, PRINT_JSON, "queue", NULL, r->queue);
	if (r->has_napi)
		print_uint(pr, PRINT_JSON, "napi-id", NULL, r->napi_id);
	else
		print_null(pr, PRINT_JSON, "napi-id", NULL);
	if (top_provider(r->mp))
		print_string(pr, PRINT_JSON, "provider", NULL, top_provider(r->mp));
	else
		print_null(pr, PRINT_JSON, "provider", NULL);
	print_uint(pr, PRINT_JSON, "page-pools", NULL, r->nr_pools);
	for (unsigned int k = 0; k < TOP_NR_RATES; k++) {
		snprintf(key, sizeof(key), "%s-per-s", top_rate_key[k]);
		/* to a thousandth: 3.333, not 3.3333333333333335 */
		if (r->have & BIT(k))
			print_double(pr, PRINT_JSON, key, NULL,
				     (double)(uint64_t)(r->rate[k] * 1000 + 0.5) / 1000);
		else
			print_null(pr, PRINT_JSON, key, NULL);
	}
	if (r->has_inflight)
		print_uint(pr, PRINT_JSON, "inflight", NULL, r->inflight);
	else
		print_null(pr, PRINT_JSON, "inflight", NULL);
	if (r->flag[0])
		print_string(pr, PRINT_JSON, "flag", NULL, r->flag);
	else
		print_null(pr, PRINT_JSON, "flag", NULL);
	if (r->restart[0])
		print_string(pr, PRINT_JSON, "restart", NULL, r->restart);
	else
		print_null(pr, PRINT_JSON, "restart", NULL);
	print_record_end(pr);
}

/* a rate is at most 4 characters (top_fmt_rate): a row fits 80 columns before its note */
static const char head_fmt[] = "%-9s %3s %-8s %5s %5s %5s %5s %5s %5s %5s %5s %6s  %s";

static void fmt_row(const struct top_row *r, bool rates, char *buf, size_t len)
{
	char v[TOP_NR_RATES][16], q[12], infl[24];
	const char *note = r->flag[0] ? r->flag : r->restart;

	for (unsigned int k = 0; k < TOP_NR_RATES; k++) {
		if (rates && (r->have & BIT(k)))
			top_fmt_rate(r->rate[k], v[k], sizeof(v[k]));
		else
			snprintf(v[k], sizeof(v[k]), "-");
	}
	snprintf(q, sizeof(q), "%u", r->queue);
	if (r->has_inflight)
		snprintf(infl, sizeof(infl), "%llu", (unsigned long long)r->inflight);
	else
		snprintf(infl, sizeof(infl), "-");
	snprintf(buf, len, head_fmt, r->dev, q, top_provider(r->mp) ? top_provider(r->mp) : "-",
		 v[TOP_RX_PACKETS], v[TOP_RX_BYTES], v[TOP_RX_ALLOC_FAIL], v[TOP_ALLOC_FAST],
		 v[TOP_ALLOC_SLOW], v[TOP_ALLOC_EMPTY], v[TOP_ALLOC_REFILL], v[TOP_RECYCLE],
		 infl, rates ? note : "");
}

static void fmt_head(char *buf, size_t len)
{
	snprintf(buf, len, head_fmt, "DEV", "Q", "PROVIDER", "PKTS", "BYTES", "AFAIL", "FAST",
		 "SLOW", "EMPTY", "REFIL", "RECYC", "INFLT", "");
}

static void fmt_title(const struct top *t, bool rates, char *buf, size_t len)
{
	char clock[16], iv[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	if (t->a->interval_ns % NSEC_PER_SEC)
		snprintf(iv, sizeof(iv), "%llums",
			 (unsigned long long)(t->a->interval_ns / NS_PER_MS));
	else
		snprintf(iv, sizeof(iv), "%llus",
			 (unsigned long long)(t->a->interval_ns / NSEC_PER_SEC));
	if (rates)
		snprintf(buf, len, "zcrxctl top %s%s  every %s (%.3fs)  %d RX queue%s, rates "
			 "per second", clock, t->keys ? "  q quits" : "", iv,
			 t->elapsed_ns / 1e9, t->nr_rows, t->nr_rows == 1 ? "" : "s");
	else
		snprintf(buf, len, "zcrxctl top %s%s  every %s  %d RX queue%s, rates after one "
			 "interval", clock, t->keys ? "  q quits" : "", iv, t->nr_rows,
			 t->nr_rows == 1 ? "" : "s");
}

/* One screen line: cut to the width (in characters, UTF-8), cleared to its end. */
static void tui_line(struct top *t, const char *s)
{
	FILE *f = t->pr->out;
	unsigned int w = 0;
	const char *p = s;

	while (*p && w < t->cols) {
		p++;
		while ((*p & 0xc0) == 0x80)
			p++;
		w++;
	}
	fwrite(s, 1, p - s, f);
	fputs("\033[K\n", f);
}

static void tui_size(struct top *t)
{
	struct winsize ws;

	t->cols = 80;
	t->lines = 24;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		t->cols = ws.ws_col;
		t->lines = ws.ws_row;
	}
}

static void draw_tui(struct top *t, bool rates)
{
	char line[1024];
	unsigned int room = t->lines > 3 ? t->lines - 3 : 1;
	int shown = t->nr_rows;

	fputs("\033[H", t->pr->out);
	fmt_title(t, rates, line, sizeof(line));
	tui_line(t, line);
	fmt_head(line, sizeof(line));
	tui_line(t, line);
	/* leave the last line empty: writing there would scroll the screen */
	if ((unsigned int)shown > room)
		shown = room - 1;
	for (int i = 0; i < shown; i++) {
		fmt_row(&t->rows[i], rates, line, sizeof(line));
		tui_line(t, line);
	}
	if (shown < t->nr_rows) {
		snprintf(line, sizeof(line), "... %d more queue%s: make the terminal taller, or "
			 "name a DEV", t->nr_rows - shown, t->nr_rows - shown == 1 ? "" : "s");
		tui_line(t, line);
	}
	fputs("\033[J", t->pr->out);
}

static void print_plain(struct top *t)
{
	char line[1024];

	fmt_title(t, true, line, sizeof(line));
	fprintf(t->pr->out, "%s\n", line);
	for (int i = -1; i < t->nr_rows; i++) {
		if (i < 0)
			fmt_head(line, sizeof(line));
		else
			fmt_row(&t->rows[i], true, line, sizeof(line));
		/* no trailing blanks from an empty note column */
		for (size_t n = strlen(line); n && line[n - 1] == ' '; n--)
			line[n - 1] = '\0';
		fprintf(t->pr->out, "%s\n", line);
	}
	fputc('\n', t->pr->out);
}

static void show(struct top *t, bool rates)
{
	char iso[40];
	uint64_t ns;
	time_t sec;
	struct tm tm;
	size_t n;

	if (t->out_gone)
		return;
	if (t->tui) {
		draw_tui(t, rates);
		return;
	}
	if (!rates)
		return;
	if (!print_is_json(t->pr)) {
		print_plain(t);
		return;
	}
	ns = real_ns();
	sec = ns / NSEC_PER_SEC;
	gmtime_r(&sec, &tm);
	n = strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(iso + n, sizeof(iso) - n, ".%06lluZ",
		 (unsigned long long)(ns % NSEC_PER_SEC) / 1000);
	for (int i = 0; i < t->nr_rows; i++)
		print_json_row(t, &t->rows[i], iso);
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

static bool tui_cursor_hidden;

static void tui_cursor_show(void)
{
	if (tui_cursor_hidden) {
		fputs("\033[?25h", stdout);
		fflush(stdout);
		tui_cursor_hidden = false;
	}
}

/* The DEV asked for, its queue, and netlink: 0 or an exit status after p_err(). */
static int check_view(const struct top_args *a, const struct zcrx_netdev_list *l)
{
	char why[256];
	uint32_t nr;

	if (top_usable(l, a->dev, why, sizeof(why))) {
		p_err("%s", why);
		return EXIT_ERR;
	}
	if (!a->has_queue)
		return 0;
	nr = zcrx_netdev_nr_rx(&l->dev[0]);
	if (a->queue < nr)
		return 0;
	if (nr)
		p_err("queue %u out of range: %s has %u RX queue%s (0..%u)", a->queue, a->dev, nr,
		      nr == 1 ? "" : "s", nr - 1);
	else
		p_err("queue %u out of range: %s reports no RX queues", a->queue, a->dev);
	return EXIT_ERR;
}

static int snapshot(const struct top_args *a, struct zcrx_netdev_list *l, bool running)
{
	int ret = zcrx_netdev_dump(a->dev, l);

	if (ret == -ENODEV && a->dev && running) {
		p_err("device '%s' went away while top watched it: see 'ip link show'", a->dev);
		return EXIT_ERR;
	}
	if (ret == -ENODEV && a->dev) {
		p_err("device '%s' not found: see 'ip link show'", a->dev);
		return EXIT_ERR;
	}
	if (ret) {
		p_err("cannot list network devices: %s", strerror(-ret));
		return EXIT_ERR;
	}
	return 0;
}

static void on_tick(struct loop *l, struct loop_op *op, int res)
{
	struct top *t = op->arg;
	struct zcrx_netdev_list cur;
	struct top_row *rows;
	uint64_t now;
	int n, ret;

	if (res != -ETIME)
		return;
	now = mono_ns();
	ret = snapshot(t->a, &cur, true);
	if (ret) {
		loop_stop(l, ret);
		return;
	}
	n = top_rows(&t->prev, &cur, now - t->prev_ns, t->a->has_queue ? (int64_t)t->a->queue : -1,
		     &rows);
	if (n < 0) {
		zcrx_netdev_list_free(&cur);
		p_err("out of memory");
		loop_stop(l, EXIT_ERR);
		return;
	}
	free(t->rows);
	t->rows = rows;
	t->nr_rows = n;
	t->elapsed_ns = now - t->prev_ns;
	zcrx_netdev_list_free(&t->prev);
	t->prev = cur;
	t->prev_ns = now;
	show(t, true);
	if (t->a->count && ++t->intervals >= t->a->count) {
		loop_stop(l, EXIT_OK);
		return;
	}
	/* a late tick (a slow dump, a stopped job) skips the frames it missed */
	do
		t->next += t->a->interval_ns;
	while (t->next <= now);
	loop_timer_at(l, &t->tick, t->next);
}

static void out_failed(struct loop *l, int err, void *arg)
{
	struct top *t = arg;

	if (t->out_gone)
		return;
	t->out_gone = true;
	loop_stop(l, stdout_lost(err) ? EXIT_OK : EXIT_ERR);
}

static void on_stdout(struct loop *l, struct loop_op *op, int res)
{
	if (res >= 0 && stdout_broken())
		out_failed(l, EPIPE, op->arg);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	struct top *t = arg;

	if (signo == SIGWINCH) {
		if (t->tui) {
			tui_size(t);
			draw_tui(t, t->elapsed_ns != 0);
		}
		return;
	}
	loop_stop(l, EXIT_OK);
}

static void on_key(struct loop *l, const char *keys, int n, void *arg)
{
	(void)arg;
	for (int i = 0; i < n; i++)
		if (keys[i] == 'q' || keys[i] == 'Q')
			loop_stop(l, EXIT_OK);
}

static int top_start(struct top *t, struct io_uring *ring)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH, 0 };
	int ret;

	ret = loop_create(&t->l, ring);
	if (ret)
		return ret;
	loop_set_output(t->l, t->pr->out, out_failed, t);
	ret = loop_signals(t->l, sigs, on_signal, t);
	if (!ret)
		ret = loop_op_init(t->l, &t->tick, on_tick, t);
	if (!ret)
		ret = loop_timer_at(t->l, &t->tick, t->next);
	if (!ret && stdout_is_pipe() && !(ret = loop_op_init(t->l, &t->out_op, on_stdout, t)))
		ret = loop_poll(t->l, &t->out_op, STDOUT_FILENO, 0);
	if (!ret && t->tui) {
		ret = loop_keys(t->l, on_key, t);
		t->keys = ret > 0;
		ret = ret < 0 ? ret : 0;
	}
	return ret;
}

int do_top(struct printer *pr, int argc, char **argv)
{
	struct top_args a = { .interval_ns = NSEC_PER_SEC };
	struct top t = { .a = &a, .pr = pr };
	struct io_uring ring;
	bool have_ring = false;
	int ret;

	ret = cmd_parse(&top_argp, argc, argv, &a);
	if (ret >= 0)
		return ret;
	/* the time a snapshot is taken at: before it is asked for, as on_tick() does */
	t.prev_ns = mono_ns();
	ret = snapshot(&a, &t.prev, false);
	if (ret)
		return ret;
	t.next = t.prev_ns + a.interval_ns;
	ret = check_view(&a, &t.prev);
	if (ret)
		goto out;
	t.tui = !print_is_json(pr) && isatty(STDOUT_FILENO);
	/* a frame or an interval's records leave in one write, once per wake-up */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	signal(SIGPIPE, SIG_IGN);
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret) {
		p_err("cannot set up an io_uring to wait on: %s", strerror(-ret));
		ret = EXIT_ERR;
		goto out;
	}
	have_ring = true;
	ret = top_start(&t, &ring);
	if (ret) {
		p_err("cannot start top: %s", strerror(-ret));
		ret = EXIT_ERR;
		goto out;
	}
	if (t.tui) {
		/* the cursor comes back however we leave: return, exit() or a fatal signal's atexit */
		tui_cursor_hidden = true;
		atexit(tui_cursor_show);
		tui_size(&t);
		fputs("\033[?25l\033[H\033[2J", stdout);
		ret = top_rows(NULL, &t.prev, 0, a.has_queue ? (int64_t)a.queue : -1, &t.rows);
		t.nr_rows = ret < 0 ? 0 : ret;
		show(&t, false);
		fflush(stdout);
	}
	ret = loop_run(t.l);
	if (ret < 0) {
		p_err("waiting on the io_uring failed: %s", strerror(-ret));
		ret = EXIT_ERR;
	}
out:
	if (t.l)
		loop_destroy(t.l);	/* the terminal's mode back (tty_restore) */
	tui_cursor_show();
	if (have_ring)
		io_uring_queue_exit(&ring);
	zcrx_netdev_list_free(&t.prev);
	free(t.rows);
	return ret;
}
