// SPDX-License-Identifier: MIT
/*
 * prepare: plan the steps that make a NIC queue ready for zcrx, do them in
 * the kernel selftest's order through a struct zcrx_prep_ops, roll back on a
 * failure, undo from a saved state, and the state's text form.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepare_int.h"

static const char *const step_names[ZCRX_PREP_STEPS] = {
	[ZCRX_PREP_CHANNELS]	= "channels",
	[ZCRX_PREP_HDS]		= "hds",
	[ZCRX_PREP_NTUPLE]	= "ntuple",
	[ZCRX_PREP_RSS]		= "rss",
	[ZCRX_PREP_FLOW]	= "flow",
};

const char *zcrx_prep_step_name(enum zcrx_prep_step step)
{
	return (unsigned int)step < ZCRX_PREP_STEPS ? step_names[step] : "unknown";
}

int zcrx_prep_step_parse(const char *name)
{
	for (int i = 0; i < ZCRX_PREP_STEPS; i++)
		if (name && !strcmp(name, step_names[i]))
			return i;
	return -EINVAL;
}

static void err_init(struct zcrx_prep_error *err)
{
	memset(err, 0, sizeof(*err));
	err->step = err->undo_step = -1;
}

/* ------------------------------------------------------------------ */
/* Plan                                                                */
/* ------------------------------------------------------------------ */

int zcrx_prep_plan(const struct zcrx_prep_settings *cur, const struct zcrx_prep_opts *o,
		   struct zcrx_prep_plan *plan, struct zcrx_prep_error *err)
{
	uint32_t want, total, rings, others, k, n;
	bool in_table = false;

	err_init(err);
	memset(plan, 0, sizeof(*plan));
	if (o->flow_type > ZCRX_PREP_TCP6 || o->port > 65535 || (o->rss_context && !o->port) ||
	    o->skip >> ZCRX_PREP_STEPS || o->queue >= 65536)
		return -EINVAL;
	plan->opts = *o;
	if (!plan->opts.flow_type)
		plan->opts.flow_type = ZCRX_PREP_TCP4;

	/* 1: at least 2 RX channels, and QUEUE one of them */
	want = o->queue + 1 > 2 ? o->queue + 1 : 2;
	total = cur->rx_count + cur->combined_count;
	plan->rx_count = cur->rx_count;
	plan->combined_count = cur->combined_count;
	if (!(cur->have & ZCRX_PREP_HAVE_CHANNELS)) {
		plan->need |= 1U << ZCRX_PREP_CHANNELS;
		plan->step_err[ZCRX_PREP_CHANNELS] = -EOPNOTSUPP;
		total = want;
	} else if (total < want) {
		if ((cur->combined_count || !cur->rx_count) &&
		    cur->combined_count + want - total <= cur->combined_max)
			plan->combined_count = cur->combined_count + want - total;
		else if (cur->rx_count + want - total <= cur->rx_max)
			plan->rx_count = cur->rx_count + want - total;
		else {
			err->step = ZCRX_PREP_CHANNELS;
			err->err = -ERANGE;
			snprintf(err->msg, sizeof(err->msg),
				 "queue %u needs %u RX channels; the device allows %u combined, %u rx",
				 o->queue, want, cur->combined_max, cur->rx_max);
			return -ERANGE;
		}
		plan->need |= 1U << ZCRX_PREP_CHANNELS;
	}
	rings = plan->rx_count + plan->combined_count;
	if (rings < want)
		rings = want;

	/* 2: tcp-data-split on, hds-thresh 0 */
	if (cur->tcp_data_split != 2 ||
	    (cur->have & ZCRX_PREP_HAVE_HDS_THRESH && cur->hds_thresh)) {
		plan->need |= 1U << ZCRX_PREP_HDS;
		plan->set_hds_thresh = cur->have & ZCRX_PREP_HAVE_HDS_THRESH && cur->hds_thresh;
		if (!(cur->have & ZCRX_PREP_HAVE_SPLIT))
			plan->step_err[ZCRX_PREP_HDS] = -EOPNOTSUPP;
	}

	/* 3: ntuple filters on */
	if (!(cur->have & ZCRX_PREP_HAVE_NTUPLE) || !cur->ntuple) {
		plan->need |= 1U << ZCRX_PREP_NTUPLE;
		if (!(cur->have & ZCRX_PREP_HAVE_NTUPLE) || cur->ntuple_fixed)
			plan->step_err[ZCRX_PREP_NTUPLE] = -EOPNOTSUPP;
	}

	/* 4: QUEUE out of RSS: the table spread over the other queues */
	for (k = 0; k < cur->indir_size && k < ZCRX_PREP_INDIR_MAX; k++)
		in_table |= cur->indir[k] == o->queue;
	if (!(cur->have & ZCRX_PREP_HAVE_INDIR) || !cur->indir_size) {
		plan->need |= 1U << ZCRX_PREP_RSS;
		plan->step_err[ZCRX_PREP_RSS] = -EOPNOTSUPP;
	} else if (in_table || plan->need & (1U << ZCRX_PREP_CHANNELS)) {
		plan->need |= 1U << ZCRX_PREP_RSS;
		n = cur->indir_size > ZCRX_PREP_INDIR_MAX ? ZCRX_PREP_INDIR_MAX : cur->indir_size;
		plan->indir_size = n;
		others = rings - 1;
		for (k = 0; k < n; k++) {
			uint32_t q = k % others;

			plan->indir[k] = q >= o->queue ? q + 1 : q;
		}
	}

	/* 5: the flow rule, unless one already steers the port to QUEUE */
	if (o->port && !cur->rule_found)
		plan->need |= 1U << ZCRX_PREP_FLOW;

	plan->skipped = plan->need & o->skip;
	plan->need &= ~o->skip;
	return 0;
}

/* ------------------------------------------------------------------ */
/* ethtool(8), for --dry-run                                           */
/* ------------------------------------------------------------------ */

int zcrx_prep_ethtool(const struct zcrx_prep_plan *plan, enum zcrx_prep_step step,
		      const char *dev, char *buf, size_t len)
{
	const char *ft = plan->opts.flow_type == ZCRX_PREP_TCP6 ? "tcp6" : "tcp4";
	uint32_t q = plan->opts.queue, rings = plan->rx_count + plan->combined_count;
	size_t off;
	int w;

	switch (step) {
	case ZCRX_PREP_CHANNELS:
		if (plan->combined_count)
			return snprintf(buf, len, "ethtool -L %s combined %u", dev,
					plan->combined_count);
		return snprintf(buf, len, "ethtool -L %s rx %u", dev, plan->rx_count);
	case ZCRX_PREP_HDS:
		return snprintf(buf, len, "ethtool -G %s tcp-data-split on%s", dev,
				plan->set_hds_thresh ? " hds-thresh 0" : "");
	case ZCRX_PREP_NTUPLE:
		return snprintf(buf, len, "ethtool -K %s ntuple on", dev);
	case ZCRX_PREP_RSS:
		if (q + 1 == rings)
			return snprintf(buf, len, "ethtool -X %s equal %u", dev, q);
		w = snprintf(buf, len, "ethtool -X %s weight", dev);
		for (uint32_t i = 0; i < rings && w >= 0; i++) {
			off = (size_t)w < len ? (size_t)w : len;
			w += snprintf(buf + off, len - off, " %d", i != q);
		}
		return w;
	case ZCRX_PREP_FLOW:
		if (plan->opts.rss_context)
			return snprintf(buf, len,
					"ethtool -X %s context new start %u equal 1; "
					"ethtool -N %s flow-type %s dst-port %u context CTX",
					dev, q, dev, ft, plan->opts.port);
		return snprintf(buf, len, "ethtool -N %s flow-type %s dst-port %u action %u", dev,
				ft, plan->opts.port, q);
	default:
		return -EINVAL;
	}
}

/* ------------------------------------------------------------------ */
/* Apply and undo                                                      */
/* ------------------------------------------------------------------ */

static const char *const cannot[ZCRX_PREP_STEPS] = {
	[ZCRX_PREP_CHANNELS]	= "the device reports no channel counts (ethtool -l)",
	[ZCRX_PREP_HDS]		= "the device reports no ring parameters (ethtool -g)",
	[ZCRX_PREP_NTUPLE]	= "the driver cannot turn ntuple-filters on (ethtool -k: fixed)",
	[ZCRX_PREP_RSS]		= "the device reports no RSS indirection table (ethtool -x)",
};

static int do_step(struct zcrx_prep_state *st, const struct zcrx_prep_plan *plan, int step,
		   const struct zcrx_prep_ops *ops, void *oarg, zcrx_prep_save_fn save,
		   void *arg, char *msg, size_t len)
{
	uint32_t ctx = 0, loc;
	int ret, r2;
	char m2[8];

	if (plan->step_err[step]) {
		snprintf(msg, len, "%s", cannot[step] ? cannot[step] : "");
		return plan->step_err[step];
	}
	switch (step) {
	case ZCRX_PREP_CHANNELS:
		return ops->channels(oarg, st, plan->rx_count, plan->combined_count, msg, len);
	case ZCRX_PREP_HDS:
		return ops->rings(oarg, st, 2, plan->set_hds_thresh, 0, msg, len);
	case ZCRX_PREP_NTUPLE:
		return ops->ntuple(oarg, st, true, msg, len);
	case ZCRX_PREP_RSS:
		return ops->indir(oarg, st, plan->indir, plan->indir_size, msg, len);
	case ZCRX_PREP_FLOW:
		if (plan->opts.rss_context) {
			ret = ops->ctx_add(oarg, st, plan->opts.queue, &ctx, msg, len);
			if (ret)
				return ret;
			st->rss_ctx = ctx;
			ret = save ? save(st, arg) : 0;
			if (ret)
				goto err_ctx;
		}
		ret = ops->rule_add(oarg, st, ctx, &loc, msg, len);
		if (ret)
			goto err_ctx;
		st->has_rule = 1;
		st->rule_loc = loc;
		return 0;
	}
	return -EINVAL;

err_ctx:
	if (ctx) {
		r2 = ops->ctx_del(oarg, st, ctx, m2, sizeof(m2));
		if (!r2)
			st->rss_ctx = 0;
	}
	return ret;
}

static bool indir_default(const struct zcrx_prep_settings *b)
{
	uint32_t n = b->rx_count + b->combined_count;

	if (!n)
		return false;
	for (uint32_t i = 0; i < b->indir_size; i++)
		if (b->indir[i] != i % n)
			return false;
	return true;
}

static int undo_step(struct zcrx_prep_state *st, int step, const struct zcrx_prep_ops *ops,
		     void *oarg, char *msg, size_t len)
{
	const struct zcrx_prep_settings *b = &st->before;
	int ret;

	switch (step) {
	case ZCRX_PREP_CHANNELS:
		return ops->channels(oarg, st, b->rx_count, b->combined_count, msg, len);
	case ZCRX_PREP_HDS:
		return ops->rings(oarg, st, b->tcp_data_split,
				  b->have & ZCRX_PREP_HAVE_HDS_THRESH, b->hds_thresh, msg, len);
	case ZCRX_PREP_NTUPLE:
		return ops->ntuple(oarg, st, b->ntuple, msg, len);
	case ZCRX_PREP_RSS:
		/* the driver's own spread goes back to being the driver's */
		if (indir_default(b))
			return ops->indir(oarg, st, NULL, 0, msg, len);
		return ops->indir(oarg, st, b->indir, b->indir_size, msg, len);
	case ZCRX_PREP_FLOW:
		if (st->has_rule) {
			ret = ops->rule_del(oarg, st, st->rule_loc, msg, len);
			if (ret)
				return ret;
			st->has_rule = 0;
			st->rule_loc = 0;
		}
		if (st->rss_ctx) {
			ret = ops->ctx_del(oarg, st, st->rss_ctx, msg, len);
			if (ret)
				return ret;
			st->rss_ctx = 0;
		}
		return 0;
	}
	return -EINVAL;
}

int zcrx_prep_undo_ops(struct zcrx_prep_state *st, const struct zcrx_prep_ops *ops, void *oarg,
		       zcrx_prep_save_fn save, void *arg, struct zcrx_prep_error *err)
{
	char msg[sizeof(err->msg)];
	int first = 0, ret;

	for (int step = ZCRX_PREP_STEPS - 1; step >= 0; step--) {
		uint32_t bit = 1U << step;

		if (!((st->done | st->pending) & bit))
			continue;
		ret = undo_step(st, step, ops, oarg, msg, sizeof(msg));
		/* a step under way that the device cannot do never changed anything */
		if (ret == -EOPNOTSUPP && !(st->done & bit) && step != ZCRX_PREP_FLOW)
			ret = 0;
		if (ret) {
			/* keep going: restore what can be, keep this one recorded */
			if (!first) {
				first = ret;
				err->undo_step = step;
				err->undo_err = ret;
				snprintf(err->msg, sizeof(err->msg), "%s", msg);
			}
			continue;
		}
		st->done &= ~bit;
		st->pending &= ~bit;
		if (save && (ret = save(st, arg)) && !first) {
			first = ret;
			err->undo_step = step;
			err->undo_err = ret;
		}
	}
	return first;
}

int zcrx_prep_apply_ops(struct zcrx_prep_state *st, const struct zcrx_prep_plan *plan,
			const struct zcrx_prep_ops *ops, void *oarg, zcrx_prep_save_fn save,
			void *arg, struct zcrx_prep_error *err)
{
	struct zcrx_prep_error uerr;
	int ret;

	err_init(err);
	for (int step = 0; step < ZCRX_PREP_STEPS; step++) {
		uint32_t bit = 1U << step;

		if (!(plan->need & bit))
			continue;
		/* recorded as under way first: a kill during it leaves undo its restore */
		st->pending = bit;
		ret = save ? save(st, arg) : 0;
		if (!ret)
			ret = do_step(st, plan, step, ops, oarg, save, arg, err->msg,
				      sizeof(err->msg));
		st->pending = 0;
		if (!ret) {
			st->done |= bit;
			ret = save ? save(st, arg) : 0;
			if (!ret)
				continue;
			/* not recorded as done: undo it with the rest */
		}
		err->step = step;
		err->err = ret;
		if (st->done & bit || st->has_rule || st->rss_ctx)
			st->done |= bit;
		err_init(&uerr);
		if (zcrx_prep_undo_ops(st, ops, oarg, save, arg, &uerr)) {
			err->undo_step = uerr.undo_step;
			err->undo_err = uerr.undo_err;
		}
		return ret;
	}
	return 0;
}

int zcrx_prep_apply(struct zcrx_prep_state *st, const struct zcrx_prep_plan *plan,
		    zcrx_prep_save_fn save, void *arg, struct zcrx_prep_error *err)
{
	return zcrx_prep_apply_ops(st, plan, &zcrx_prep_kernel_ops, NULL, save, arg, err);
}

int zcrx_prep_undo(struct zcrx_prep_state *st, zcrx_prep_save_fn save, void *arg,
		   struct zcrx_prep_error *err)
{
	err_init(err);
	return zcrx_prep_undo_ops(st, &zcrx_prep_kernel_ops, NULL, save, arg, err);
}

/* ------------------------------------------------------------------ */
/* The state file                                                      */
/* ------------------------------------------------------------------ */

#define STATE_MAGIC	"zcrxctl-prepare 1"
#define STATE_MAX	(64 * 1024)

static const char *const have_names[] = { "channels", "split", "hds-thresh", "ntuple", "indir" };
#define HAVE_BITS	5

struct out {
	char	*buf;
	size_t	len, off;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->off < o->len ? o->len - o->off : 0;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(room ? o->buf + o->off : NULL, room, fmt, ap);
	va_end(ap);
	if (w > 0)
		o->off += (size_t)w;
}

static void put_bits(struct out *o, const char *key, uint32_t bits, const char *const *names,
		     int nr)
{
	bool any = false;

	put(o, "%s ", key);
	for (int i = 0; i < nr; i++)
		if (bits & (1U << i)) {
			put(o, "%s%s", any ? "," : "", names[i]);
			any = true;
		}
	put(o, "%s\n", any ? "" : "-");
}

int zcrx_prep_state_format(const struct zcrx_prep_state *st, char *buf, size_t len)
{
	const struct zcrx_prep_settings *b = &st->before;
	struct out o = { buf, len, 0 };
	uint32_t n = b->indir_size > ZCRX_PREP_INDIR_MAX ? ZCRX_PREP_INDIR_MAX : b->indir_size;

	if (len)
		buf[0] = '\0';
	put(&o, STATE_MAGIC "\n");
	put(&o, "dev %.*s\n", IF_NAMESIZE - 1, st->dev);
	put(&o, "ifindex %u\n", st->ifindex);
	put(&o, "queue %u\n", st->opts.queue);
	put(&o, "port %u\n", st->opts.port);
	put(&o, "flow-type %s\n", st->opts.flow_type == ZCRX_PREP_TCP6 ? "tcp6" : "tcp4");
	put(&o, "rss-context %u\n", st->opts.rss_context);
	put_bits(&o, "skip", st->opts.skip, step_names, ZCRX_PREP_STEPS);
	put_bits(&o, "done", st->done, step_names, ZCRX_PREP_STEPS);
	put_bits(&o, "pending", st->pending, step_names, ZCRX_PREP_STEPS);
	if (st->has_rule)
		put(&o, "rule %u\n", st->rule_loc);
	else
		put(&o, "rule -\n");
	put(&o, "rss-ctx %u\n", st->rss_ctx);
	put_bits(&o, "have", b->have, have_names, HAVE_BITS);
	put(&o, "rx-count %u\ncombined-count %u\nrx-max %u\ncombined-max %u\n", b->rx_count,
	    b->combined_count, b->rx_max, b->combined_max);
	put(&o, "tcp-data-split %u\nhds-thresh %u\nhds-thresh-max %u\n", b->tcp_data_split,
	    b->hds_thresh, b->hds_thresh_max);
	put(&o, "ntuple %u\nntuple-fixed %u\n", b->ntuple, b->ntuple_fixed);
	put(&o, "indir-size %u\nindir", n);
	for (uint32_t i = 0; i < n; i++)
		put(&o, " %u", b->indir[i]);
	put(&o, "\nend\n");
	return o.off > (size_t)INT32_MAX ? -EOVERFLOW : (int)o.off;
}

struct in {
	const char	*p, *end;
	bool		bad;
};

/* The value of the next line, which must be "key value\n" ("key\n" if empty_ok). */
static const char *take(struct in *in, const char *key, size_t *vlen)
{
	size_t k = strlen(key);
	const char *nl;

	if (in->bad)
		return NULL;
	nl = memchr(in->p, '\n', in->end - in->p);
	if (!nl || (size_t)(nl - in->p) < k || memcmp(in->p, key, k) ||
	    (in->p + k < nl && in->p[k] != ' ')) {
		in->bad = true;
		return NULL;
	}
	const char *v = in->p + k + (in->p + k < nl);

	*vlen = nl - v;
	in->p = nl + 1;
	return v;
}

/* Decimal, no sign, no leading zero, at most max. */
static bool num(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!n || n > 10 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

static void take_num(struct in *in, const char *key, uint32_t max, uint32_t *out)
{
	size_t n;
	const char *v = take(in, key, &n);

	if (v && !num(v, n, max, out))
		in->bad = true;
}

static void take_bits(struct in *in, const char *key, const char *const *names, int nr,
		      uint32_t *out)
{
	size_t n, w;
	const char *v = take(in, key, &n), *e;
	int i;

	*out = 0;
	if (!v || (n == 1 && v[0] == '-'))
		return;
	while (!in->bad) {
		e = memchr(v, ',', n);
		w = e ? (size_t)(e - v) : n;
		for (i = 0; i < nr; i++)
			if (strlen(names[i]) == w && !memcmp(names[i], v, w))
				break;
		if (i == nr || *out & (1U << i)) {
			in->bad = true;
			return;
		}
		*out |= 1U << i;
		if (!e)
			return;
		n -= w + 1;
		v = e + 1;
	}
}

static bool dev_ok(const char *s, size_t n)
{
	if (!n || n >= IF_NAMESIZE || (n == 1 && s[0] == '.') || (n == 2 && !memcmp(s, "..", 2)))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || (unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

int zcrx_prep_state_parse(const char *buf, size_t len, struct zcrx_prep_state *st)
{
	struct zcrx_prep_settings *b = &st->before;
	struct in in = { buf, buf + len, false };
	const char *v, *p, *e;
	uint32_t rule = 0;
	char *again;
	size_t n;
	int w;

	memset(st, 0, sizeof(*st));
	if (!buf || len > STATE_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	v = take(&in, STATE_MAGIC, &n);
	if (v && n)
		return -EINVAL;
	v = take(&in, "dev", &n);
	if (v) {
		if (!dev_ok(v, n))
			return -EINVAL;
		memcpy(st->dev, v, n);
	}
	take_num(&in, "ifindex", INT32_MAX, &st->ifindex);
	take_num(&in, "queue", 65535, &st->opts.queue);
	take_num(&in, "port", 65535, &st->opts.port);
	v = take(&in, "flow-type", &n);
	if (v && n == 4 && !memcmp(v, "tcp4", 4))
		st->opts.flow_type = ZCRX_PREP_TCP4;
	else if (v && n == 4 && !memcmp(v, "tcp6", 4))
		st->opts.flow_type = ZCRX_PREP_TCP6;
	else
		return -EINVAL;
	take_num(&in, "rss-context", 1, &st->opts.rss_context);
	take_bits(&in, "skip", step_names, ZCRX_PREP_STEPS, &st->opts.skip);
	take_bits(&in, "done", step_names, ZCRX_PREP_STEPS, &st->done);
	take_bits(&in, "pending", step_names, ZCRX_PREP_STEPS, &st->pending);
	v = take(&in, "rule", &n);
	if (v && !(n == 1 && v[0] == '-')) {
		if (!num(v, n, UINT32_MAX - 1, &rule))
			return -EINVAL;
		st->has_rule = 1;
		st->rule_loc = rule;
	}
	take_num(&in, "rss-ctx", UINT32_MAX, &st->rss_ctx);
	take_bits(&in, "have", have_names, HAVE_BITS, &b->have);
	take_num(&in, "rx-count", 65535, &b->rx_count);
	take_num(&in, "combined-count", 65535, &b->combined_count);
	take_num(&in, "rx-max", 65535, &b->rx_max);
	take_num(&in, "combined-max", 65535, &b->combined_max);
	take_num(&in, "tcp-data-split", 2, &b->tcp_data_split);
	take_num(&in, "hds-thresh", UINT32_MAX, &b->hds_thresh);
	take_num(&in, "hds-thresh-max", UINT32_MAX, &b->hds_thresh_max);
	take_num(&in, "ntuple", 1, &b->ntuple);
	take_num(&in, "ntuple-fixed", 1, &b->ntuple_fixed);
	take_num(&in, "indir-size", ZCRX_PREP_INDIR_MAX, &b->indir_size);
	v = take(&in, "indir", &n);
	if (in.bad)
		return -EINVAL;
	/* the entries, one space apart, each a queue below 65536 */
	p = v;
	e = v + n;
	for (uint32_t i = 0; i < b->indir_size; i++) {
		const char *q;

		if (i && (p >= e || *p++ != ' '))
			return -EINVAL;
		q = p;
		while (p < e && *p != ' ')
			p++;
		if (!num(q, p - q, 65535, &b->indir[i]))
			return -EINVAL;
	}
	if (p != e)
		return -EINVAL;
	v = take(&in, "end", &n);
	if (!v || n || in.p != in.end)
		return -EINVAL;

	/* what format never writes */
	if (!st->ifindex || st->pending & (st->pending - 1) || st->pending & st->done ||
	    (st->opts.rss_context && !st->opts.port) || (st->rss_ctx && !st->opts.rss_context) ||
	    ((st->has_rule || st->rss_ctx) && !((st->done | st->pending) &
						(1U << ZCRX_PREP_FLOW))) ||
	    ((b->indir_size != 0) != !!(b->have & ZCRX_PREP_HAVE_INDIR)))
		return -EINVAL;

	/* and nothing but the one way format writes it */
	w = zcrx_prep_state_format(st, NULL, 0);
	if (w < 0 || (size_t)w != len)
		return -EINVAL;
	again = malloc((size_t)w + 1);
	if (!again)
		return -ENOMEM;
	zcrx_prep_state_format(st, again, (size_t)w + 1);
	w = memcmp(again, buf, len);
	free(again);
	return w ? -EINVAL : 0;
}
