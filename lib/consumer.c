// SPDX-License-Identifier: MIT
/*
 * Consumers: when an application gives its buffers back.  Every buffer taken
 * waits in a FIFO until the policy lets it go; then it is returned to the
 * refill ring and the tail is published once per batch.  A full refill ring
 * is not an error: the buffer stays queued and goes on the next run.
 */
#include <errno.h>
#include <stdlib.h>

#include "zcrx.h"
#include "internal.h"

#define BATCH_DEFAULT	32
#define QUEUE_MIN	64

struct held_buf {
	uint64_t	off;
	uint32_t	len;
	uint64_t	due_ns;
};

struct zcrx_consumer {
	struct zcrx_ifq			*ifq;
	struct zcrx_consumer_params	p;
	struct held_buf			*q;	/* FIFO of cap (a power of two) slots */
	uint32_t			cap;
	uint32_t			head;
	uint32_t			count;
	uint32_t			pending;	/* returned, tail not yet published */
};

static void flush(struct zcrx_consumer *c)
{
	if (c->pending) {
		zcrx_buf_commit(c->ifq);
		c->pending = 0;
	}
}

static bool due(const struct zcrx_consumer *c, const struct held_buf *b, uint64_t now_ns)
{
	if (c->p.mode == ZCRX_CONSUME_HOLD)
		return c->count > c->p.hold;
	return b->due_ns <= now_ns;
}

/* Return what the policy releases (everything with all): the number returned. */
static int drain(struct zcrx_consumer *c, uint64_t now_ns, bool all)
{
	int n = 0;

	while (c->count) {
		struct held_buf *b = &c->q[c->head];

		if (!all && !due(c, b, now_ns))
			break;
		if (zcrx_buf_return(c->ifq, b->off, b->len)) {
			/* refill ring full: publish it all, so the kernel can make room */
			flush(c);
			break;
		}
		c->head = (c->head + 1) & (c->cap - 1);
		c->count--;
		n++;
		if (++c->pending >= c->p.batch)
			flush(c);
	}
	return n;
}

static int grow(struct zcrx_consumer *c)
{
	struct held_buf *q;
	uint32_t i;

	if (c->cap > UINT32_MAX / 2)
		return -ENOMEM;
	q = malloc(2 * (size_t)c->cap * sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (i = 0; i < c->count; i++)
		q[i] = c->q[(c->head + i) & (c->cap - 1)];
	free(c->q);
	c->q = q;
	c->head = 0;
	c->cap *= 2;
	return 0;
}

int zcrx_consumer_create(struct zcrx_ifq *ifq, const struct zcrx_consumer_params *p,
			 struct zcrx_consumer **out)
{
	struct zcrx_consumer_params def = { .mode = ZCRX_CONSUME_NOW };
	struct zcrx_ifq_info info;
	struct zcrx_consumer *c;

	if (!ifq)
		return -EINVAL;
	if (!p)
		p = &def;
	if ((unsigned int)p->mode > ZCRX_CONSUME_HOLD ||
	    zcrx_resv_check(p->__resv, sizeof(p->__resv)))
		return -EINVAL;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ifq = ifq;
	c->p = *p;
	if (!c->p.batch)
		c->p.batch = BATCH_DEFAULT;
	/* at most every buffer of the area is out at once: start there */
	zcrx_ifq_info(ifq, &info);
	for (c->cap = QUEUE_MIN; c->cap < info.nr_bufs && c->cap <= UINT32_MAX / 2; c->cap *= 2)
		;
	c->q = malloc(c->cap * sizeof(*c->q));
	if (!c->q) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

/* Queue a buffer, then return what the policy lets go. */
static __attribute__((noinline)) int take_queued(struct zcrx_consumer *c,
						  const struct zcrx_cqe_info *info, uint64_t now_ns)
{
	struct held_buf *b;
	int ret;

	if (c->count == c->cap) {
		ret = grow(c);
		if (ret)
			return ret;
	}
	b = &c->q[(c->head + c->count) & (c->cap - 1)];
	b->off = info->off;
	b->len = info->len;
	b->due_ns = c->p.mode == ZCRX_CONSUME_DELAY ? now_ns + c->p.delay_ns : now_ns;
	c->count++;
	drain(c, now_ns, false);
	return 0;
}

int zcrx_consumer_take(struct zcrx_consumer *c, const struct zcrx_cqe_info *info,
		       uint64_t now_ns)
{
	if (info->kind != ZCRX_CQE_DATA)
		return -EINVAL;
	/* nothing waits before it and the policy lets it go at once: no FIFO */
	if (c->p.mode == ZCRX_CONSUME_NOW && !c->count &&
	    !zcrx_buf_return(c->ifq, info->off, info->len)) {
		if (++c->pending >= c->p.batch)
			flush(c);
		return 0;
	}
	return take_queued(c, info, now_ns);
}

int zcrx_consumer_run(struct zcrx_consumer *c, uint64_t now_ns, uint64_t *next_ns)
{
	int n = drain(c, now_ns, false);

	/* even with nothing new: a stalled receive may wait for an earlier return */
	zcrx_buf_commit(c->ifq);
	c->pending = 0;
	if (next_ns) {
		*next_ns = 0;
		if (c->p.mode == ZCRX_CONSUME_DELAY && c->count && c->q[c->head].due_ns > now_ns)
			*next_ns = c->q[c->head].due_ns;
	}
	return n;
}

uint32_t zcrx_consumer_held(const struct zcrx_consumer *c)
{
	return c->count;
}

void zcrx_consumer_destroy(struct zcrx_consumer *c)
{
	if (!c)
		return;
	drain(c, 0, true);
	flush(c);
	free(c->q);
	free(c);
}
