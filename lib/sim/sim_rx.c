// SPDX-License-Identifier: MIT
/*
 * The simulator's data path: for each registered ifq it runs a page pool
 * over the area and delivers its completions into the ctx's own io_uring as
 * injected NOPs (IORING_NOP_INJECT_RESULT: res from the SQE's len, and with
 * IORING_NOP_CQE32 the area offset from its off, as io_uring/nop.c has
 * it), so the application waits on its ring exactly as it would on a
 * kernel.
 *
 * Per ifq: the area is cut into rx_buf_len buffers; an RX descriptor ring of
 * params.rx_ring entries is kept full by the page pool, which takes buffers
 * first from the refill ring the application writes and then from its free
 * list.  A fragment received zero-copy consumes a descriptor; a copied one
 * (params.copy_permille) takes buffers straight from the free list, like
 * the kernel's copy fallback: one page of each, a CQE per page, counted
 * once in the stats.  A NODEV ifq has no RX ring: every fragment is copied,
 * and its refill ring moves only on FLUSH_RQ.  Payload comes from a real
 * TCP socket (the "NIC" recv()s its bytes into the buffers) or, with fd -1,
 * is synthetic: byte i of a receive is byte i % 8 (little-endian) of
 * mix64(seed + i / 8).
 *
 * Injected CQEs always have flags 0, so IORING_CQE_F_MORE is answered by
 * cqe_more(); data always starts at offset 0 of its buffer, and an RQE
 * naming an offset inside a buffer returns that buffer, as in the kernel.
 *
 * Sharing the ring: the simulator never submits or enters the caller's
 * ring, and never sets IOSQE_CQE_SKIP_SUCCESS there (io_uring/io_uring.c:
 * io_init_req() then sets drain_disabled, and every later IOSQE_IO_DRAIN
 * of the caller's fails with -EOPNOTSUPP).  It prepares its CQEs there as
 * NOPs (IORING_NOP_INJECT_RESULT, as the kernel's io_uring/nop.c has it)
 * that go with the caller's next submit, at most half of the caller's SQ
 * per round.  Its own machinery (timers, socket polls, cancels) runs on a
 * private ring whose completions signal an eventfd.  The wake-up needs no
 * SQE of the caller's: on the private ring a single-shot POLL_ADD of that
 * eventfd is linked to an IORING_OP_MSG_RING that posts a CQE into the
 * caller's ring (io_uring/msg_ring.c: a DEFER_TASKRUN target gets it as
 * task work that wakes its waiter), under an open ifq's event user_data
 * with res SIM_WAKE_RES.  Decoding it drains the private ring and arms the
 * chain again there, where there is always room.  A multishot poll would
 * not do: io_uring/poll.c makes a multishot poll woken by an io_uring
 * (EPOLL_URING_WAKE) one-shot.  The link is IOSQE_IO_LINK, not HARDLINK:
 * a poll cancelled when the private ring goes away must not post.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include "sim_int.h"

#define NSEC			1000000000ULL
#define SIM_RETRY_NS		(10 * 1000000ULL)	/* "TCP retransmit" after a drop */
#define SIM_BACKOFF_NS		(1000000ULL)		/* the caller's SQ or CQ has no room */
#define SIM_BACKLOG_NS		(100 * 1000000ULL)	/* synthetic credit kept while blocked */
#define SIM_FRAG_PAGES		8			/* NODEV: 32 KiB per socket read */
#define SIM_COPY_BUFS		(65536 / 4096 + 1)	/* pages a copied fragment may take */

enum pkt_ret {
	PKT_DONE,		/* delivered */
	PKT_DROPPED,		/* the RX ring was empty */
	PKT_BLOCKED,		/* no CQ room (synthetic) or SQ room: the sender waits */
	PKT_IDLE,		/* the socket has nothing to read */
	PKT_ENDED,		/* the receive has ended */
};

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* Posting into the ring                                               */
/* ------------------------------------------------------------------ */

/* An SQE on the private ring, submitting what waits there when it is full. */
static struct io_uring_sqe *psqe(struct sim *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->pring);

	if (!sqe) {
		io_uring_submit(&s->pring);
		sqe = io_uring_get_sqe(&s->pring);
	}
	if (sqe)
		s->pqueued = true;
	return sqe;
}

void zcrx_sim_rx_psubmit(struct sim *s)
{
	if (s->pqueued && !s->pdefer)
		io_uring_submit(&s->pring);
	s->pqueued = false;
}

/* SQEs one round of the simulator's own may take at most, whatever the SQ's size */
#define SIM_ROUND_SQES		64
/* and at least, so that an SQ of a few entries still moves a packet at a time */
#define SIM_ROUND_SQES_MIN	3

/*
 * A round prepares at most the free CQ space, less what is already
 * prepared on the SQ (the caller's SQEs and ours: each may complete) and a
 * margin (kept for the caller's own completions, the wake-up and our final
 * and event CQEs).  Of the SQ it takes what leaves half of the SQ free for
 * the caller (sq_room, less two for a final and an event CQE; an SQ under 6
 * entries still gives SIM_ROUND_SQES_MIN), and in a round of its own (not
 * one zcrx_sim_step() asked for) at most SIM_ROUND_SQES.  So the CQ never
 * overflows because of us and the caller always finds room in its SQ; what
 * does not fit waits for a private timer, or the caller's next step.  A
 * socket receive that finds no CQ room for a fragment ends -ENOSPC instead,
 * as on a kernel (sock_overflow()), and so does one whose backlog outgrows
 * the CQ's free room (sock_run_begin()); synthetic traffic waits, keeping
 * its credit.
 */
static void round_begin(struct sim *s, bool own)
{
	struct io_uring *ring = s->ctx->ring;
	unsigned int entries = ring->cq.ring_entries;
	unsigned int margin = entries / 8 < 4 ? 4 : entries / 8 > 64 ? 64 : entries / 8;
	int left = (int)io_uring_sq_space_left(ring);
	int room = left - (int)(*ring->sq.kring_entries / 2);

	s->budget = (int)entries - (int)io_uring_cq_ready(ring) - (int)io_uring_sq_ready(ring) -
		    (int)margin;
	if (io_uring_cq_has_overflow(ring) || s->budget < 0)
		s->budget = 0;
	if (room < SIM_ROUND_SQES_MIN)
		room = left < SIM_ROUND_SQES_MIN ? left : SIM_ROUND_SQES_MIN;
	s->sq_room = own && room > SIM_ROUND_SQES ? SIM_ROUND_SQES : room;
}

static void round_end(struct sim *s)
{
	zcrx_sim_rx_psubmit(s);
}

/* CQ slots one CQE takes: a 32-byte one fills two in a CQE_MIXED ring */
static int cqe_cost(const struct sim *s, bool big)
{
	return big && (s->ctx->ring_flags & ZCRX_SETUP_CQE_MIXED) ? 2 : 1;
}

/*
 * A NOP that completes with res and, as a 32-byte CQE, off in bytes 16..23:
 * byte-identical to what the kernel posts, except that flags are 0.
 */
static bool sim_post(struct sim *s, uint64_t ud, int res, bool big, uint64_t off)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(s->ctx->ring);

	if (!sqe)
		return false;
	io_uring_prep_nop(sqe);
	sqe->rw_flags = ZCRX_NOP_INJECT_RESULT | (big ? ZCRX_NOP_CQE32 : 0);
	sqe->len = (uint32_t)res;
	sqe->off = off;
	sqe->user_data = ud;
	s->budget -= cqe_cost(s, big);
	s->sq_room--;
	return true;
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

/*
 * One CQE per type until re-armed, res the type index, as io_uring/zcrx.c
 * posts them (test_conformance_sim.c's event rows hold a kernel to it).
 * When the CQE cannot be prepared the event is dropped and not latched, as
 * the kernel does when its atomic allocation fails.
 */
static void raise_event(struct sim *s, struct sim_ifq *q, unsigned int type)
{
	uint32_t bit = 1U << type;

	if (!q->target || !(q->type_mask & bit) || (q->latched & bit))
		return;
	if (sim_post(s, q->event_ud, type, false, 0))
		q->latched |= bit;
}

/* ------------------------------------------------------------------ */
/* The page pool, the RX ring and the refill ring                      */
/* ------------------------------------------------------------------ */

static void rx_post(struct sim_ifq *q, uint32_t idx)
{
	q->state[idx] = BUF_POSTED;
	q->rx[(q->rx_head + q->rx_fill) % q->rx_size] = idx;
	q->rx_fill++;
}

static uint32_t rx_take(struct sim_ifq *q)
{
	uint32_t idx = q->rx[q->rx_head];

	q->rx_head = (q->rx_head + 1) % q->rx_size;
	q->rx_fill--;
	return idx;
}

/* RQEs published and not yet consumed; a tail that ran ahead counts as a full ring */
static uint32_t rq_avail(struct sim_ifq *q)
{
	uint32_t n = __atomic_load_n(q->rq_tail, __ATOMIC_ACQUIRE) - q->rq_cached_head;

	return n > q->rq_entries ? q->rq_entries : n;
}

enum rqe_ret {
	RQE_OK,		/* a buffer the application owned comes back */
	RQE_BAD,	/* malformed: foreign area, padding set, offset past the area */
	RQE_UNOWNED,	/* well-formed, but the application does not own it (a double return) */
};

/*
 * Take the next RQE, as io_parse_rqe() and the user reference count do: an
 * offset inside a buffer names that buffer (the kernel shifts it down to
 * the buffer's start).  The caller has done the acquire load of the tail.
 */
static enum rqe_ret rq_next(struct sim_ifq *q, uint32_t *idx)
{
	struct io_uring_zcrx_rqe rqe = q->rqes[q->rq_cached_head++ & (q->rq_entries - 1)];
	uint64_t off = rqe.off & ~IORING_ZCRX_AREA_MASK, area = rqe.off >> IORING_ZCRX_AREA_SHIFT;

	if (rqe.__pad || area >= q->nr_areas || off / q->buf_len >= q->areas[area].nr) {
		q->c.rq_invalid++;
		return RQE_BAD;
	}
	*idx = q->areas[area].first + off / q->buf_len;
	if (q->state[*idx] != BUF_USER && q->state[*idx] != BUF_USER_COPY) {
		q->c.rq_invalid++;
		return RQE_UNOWNED;
	}
	return RQE_OK;
}

static void rq_publish_head(struct sim_ifq *q)
{
	/* release: our reads of the RQEs happen before the application may reuse them */
	__atomic_store_n(q->rq_head, q->rq_cached_head, __ATOMIC_RELEASE);
}

/*
 * The driver refills its RX ring through the page pool: buffers come first
 * from the refill ring, then from the free list.  Running out is a failed
 * allocation, which raises ALLOC_FAIL.  Copy-fallback buffers coming back
 * go to the free list, as in the kernel (they belong to no page pool).  A
 * NODEV ifq has no page pool: its refill ring moves only on FLUSH_RQ.
 */
void zcrx_sim_rx_refill(struct sim *s, struct sim_ifq *q)
{
	uint32_t need = q->rx_size - q->rx_fill, avail, idx;
	bool consumed = false;

	if (!need)
		return;
	avail = rq_avail(q);
	while (need && avail--) {
		consumed = true;
		if (rq_next(q, &idx) != RQE_OK)
			continue;
		if (q->state[idx] == BUF_USER_COPY) {
			buf_free(q, idx);
			continue;
		}
		rx_post(q, idx);
		need--;
	}
	if (consumed)
		rq_publish_head(q);
	while (need && q->nr_free) {
		rx_post(q, q->free[--q->nr_free]);
		need--;
	}
	if (need) {
		q->c.alloc_fail++;
		raise_event(s, q, ZCRX_EVENT_ALLOC_FAIL);
	}
}

/*
 * ZCRX_CTRL_FLUSH_RQ, as zcrx_parse_rq(): published RQEs go back to the free
 * list in order until a malformed one, which is consumed and ends the flush.
 */
void zcrx_sim_rx_flush_rq(struct sim_ifq *q)
{
	uint32_t avail = rq_avail(q), idx;
	enum rqe_ret ret = RQE_OK;

	if (!avail)
		return;
	while (avail-- && ret != RQE_BAD) {
		ret = rq_next(q, &idx);
		if (ret == RQE_OK)
			buf_free(q, idx);
	}
	rq_publish_head(q);
}

/* ------------------------------------------------------------------ */
/* Receives and traffic                                                */
/* ------------------------------------------------------------------ */

static void payload(uint64_t seed, uint64_t pos, uint8_t *dst, uint32_t len)
{
	uint32_t i = 0;
	uint64_t v;

	while (i < len && pos % 8) {
		dst[i++] = mix64(seed + pos / 8) >> (pos % 8 * 8);
		pos++;
	}
	for (; i + 8 <= len; i += 8, pos += 8) {
		v = htole64(mix64(seed + pos / 8));
		memcpy(dst + i, &v, 8);
	}
	for (; i < len; i++, pos++)
		dst[i] = mix64(seed + pos / 8) >> (pos % 8 * 8);
}

/* NODEV: every byte is copied */
static bool roll_copy(struct sim *s, struct sim_ifq *q)
{
	if (q->nodev)
		return true;
	return s->p.copy_permille && mix64(q->rng++) % 1000 < s->p.copy_permille;
}

static uint32_t pages(const struct sim *s, uint32_t len)
{
	return (len + s->page - 1) / s->page;
}

/*
 * Per copied fragment, however many CQEs it took: plain stores to the shared
 * stats, whatever type_mask says.
 */
static void count_copy(struct sim_ifq *q, uint32_t len)
{
	q->c.copied++;
	if (q->stats) {
		q->stats->copy_count = q->stats->copy_count + 1;
		q->stats->copy_bytes = q->stats->copy_bytes + len;
	}
}

static uint64_t recv_ud(const struct sim_ifq *q, const struct sim_recv *r, enum sim_kind kind)
{
	return SIM_UD(kind, (uint32_t)(r - q->recv), r->gen, q->id);
}

static void recv_free(struct sim_recv *r)
{
	uint16_t gen = r->gen;

	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->gen = gen;
}

/*
 * The final CQE (res <= 0, no F_MORE) and the end of the receive's books.
 * With no room for it the receive stops here and the CQE waits (ending).
 */
static void recv_end(struct sim *s, struct sim_ifq *q, struct sim_recv *r, int res)
{
	struct io_uring_sqe *sqe;

	if (r->poll_armed && (sqe = psqe(s))) {
		io_uring_prep_poll_remove(sqe, recv_ud(q, r, SIM_POLL));
		sqe->user_data = recv_ud(q, r, SIM_CANCEL);
		r->poll_armed = false;
	}
	if (!sim_post(s, r->user_data, res, false, 0)) {
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		r->active = false;
		r->ending = true;
		r->end_res = res;
		return;
	}
	recv_free(r);
}

static void post_data(struct sim *s, struct sim_ifq *q, struct sim_recv *r, uint32_t idx,
		      uint32_t len)
{
	sim_post(s, r->user_data, len, true, sim_buf_off(q, idx));
	r->pos += len;
}

/* A receive that reached its len cap ends with res 0. */
static void recv_consumed(struct sim *s, struct sim_ifq *q, struct sim_recv *r, uint32_t len)
{
	if (!r->capped)
		return;
	r->left -= len;
	if (!r->left)
		recv_end(s, q, r, 0);
}

/*
 * The copy fallback, as io_zcrx_copy_chunk(): up to len bytes go into the
 * first page of free buffers, the top of the free list first.  Fills idx
 * with the buffers a copy of len bytes would take, and returns how many
 * there are (fewer than it needs when the free list runs short).
 */
static uint32_t copy_bufs(const struct sim *s, const struct sim_ifq *q, uint32_t len,
			  uint32_t *idx)
{
	uint32_t n = pages(s, len);

	if (n > q->nr_free)
		n = q->nr_free;
	for (uint32_t i = 0; i < n; i++)
		idx[i] = q->free[q->nr_free - 1 - i];
	return n;
}

/* Deliver a copied fragment of len bytes laid out by copy_bufs(): a CQE per buffer. */
static void copy_post(struct sim *s, struct sim_ifq *q, struct sim_recv *r, const uint32_t *idx,
		      uint32_t len)
{
	for (uint32_t i = 0, off = 0, n; off < len; i++, off += n) {
		n = len - off < s->page ? len - off : s->page;
		q->nr_free--;
		q->state[idx[i]] = BUF_USER_COPY;
		post_data(s, q, r, idx[i], n);
	}
	count_copy(q, len);
	/* the kernel posts events through task work: after the data CQEs */
	raise_event(s, q, ZCRX_EVENT_COPY);
}

/* A copied synthetic fragment; false when the free list ran short (the receive then ends). */
static bool synth_copy(struct sim *s, struct sim_ifq *q, struct sim_recv *r, uint32_t len)
{
	uint32_t idx[SIM_COPY_BUFS], n = copy_bufs(s, q, len, idx);
	uint64_t pos = r->pos;
	bool whole = n * s->page >= len;

	if (!whole)
		len = n * s->page;
	for (uint32_t i = 0, off = 0, k; off < len; i++, off += k, pos += k) {
		k = len - off < s->page ? len - off : s->page;
		payload(s->p.seed, pos, sim_buf_addr(q, idx[i]), k);
	}
	if (len)
		copy_post(s, q, r, idx, len);
	return whole;
}

/* One synthetic packet of pkt_size bytes, in rx_buf_len fragments. */
static enum pkt_ret synth_packet(struct sim *s, struct sim_ifq *q, struct sim_recv *r)
{
	uint32_t size = s->p.pkt_size, nfrag, zc = 0, len, idx;
	uint64_t copy = 0;

	if (r->capped && size > r->left)
		size = r->left;
	nfrag = (size + q->buf_len - 1) / q->buf_len;
	/* all copied, it takes a CQE per page */
	if (s->budget < (int)pages(s, size) * cqe_cost(s, true) + 3 ||
	    s->sq_room < (int)pages(s, size) + 2)
		return PKT_BLOCKED;
	for (uint32_t i = 0; i < nfrag; i++) {
		if (roll_copy(s, q))
			copy |= 1ULL << i;
		else
			zc++;
	}
	if (q->rx_fill < zc)
		zcrx_sim_rx_refill(s, q);
	if (q->rx_fill < zc) {
		q->c.rx_dropped++;
		return PKT_DROPPED;
	}
	for (uint32_t i = 0, off = 0; i < nfrag; i++, off += len) {
		len = size - off < q->buf_len ? size - off : q->buf_len;
		if (copy & (1ULL << i)) {
			if (!synth_copy(s, q, r, len)) {
				recv_end(s, q, r, -ENOMEM);
				return PKT_ENDED;
			}
			continue;
		}
		idx = rx_take(q);
		q->state[idx] = BUF_USER;
		payload(s->p.seed, r->pos, sim_buf_addr(q, idx), len);
		post_data(s, q, r, idx, len);
	}
	q->c.rx_packets++;
	q->c.rx_bytes += size;
	recv_consumed(s, q, r, size);
	zcrx_sim_rx_refill(s, q);
	return PKT_DONE;
}

/* Does the socket hold a byte?  1 yes, 0 nothing yet, or the receive's end (EOF/-errno). */
static int sock_pending(struct sim_recv *r, int *end)
{
	char b;
	ssize_t n = recv(r->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n > 0)
		return 1;
	if (n == 0) {
		*end = 0;
		return -1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	*end = -errno;
	return -1;
}

/*
 * What one read from the socket may take: a NIC packet of up to
 * min(pkt_size, rx_buf_len) bytes, or, NODEV, a fragment of up to 32 KiB
 * (the page frag a loopback sender fills).  A copy takes a CQE per page:
 * never more than the CQ has room for.  0 with *cq_full when the CQ has
 * room for no data CQE at all.
 */
static uint32_t sock_len(const struct sim *s, const struct sim_ifq *q, const struct sim_recv *r,
			 bool *cq_full)
{
	uint32_t len = q->nodev ? SIM_FRAG_PAGES * s->page :
		       s->p.pkt_size < q->buf_len ? s->p.pkt_size : q->buf_len;
	int room = (s->budget - 3) / cqe_cost(s, true);

	*cq_full = room <= 0;
	if (room > s->sq_room - 2)
		room = s->sq_room - 2;

	if (r->capped && len > r->left)
		len = r->left;
	if (room <= 0)
		return 0;
	if (pages(s, len) > (uint32_t)room)
		len = room * s->page;
	return len;
}

/* Nothing to read into: the receive ends (EOF, error, or -ENOMEM for a copy), waits, or drops. */
static enum pkt_ret sock_starved(struct sim *s, struct sim_ifq *q, struct sim_recv *r, bool copy)
{
	int pend, end = 0;

	pend = sock_pending(r, &end);
	if (pend < 0) {
		recv_end(s, q, r, end);
		return PKT_ENDED;
	}
	if (!pend)
		return PKT_IDLE;
	if (copy) {
		recv_end(s, q, r, -ENOMEM);
		return PKT_ENDED;
	}
	q->c.rx_dropped++;
	return PKT_DROPPED;
}

/*
 * No CQ room for the next fragment: as io_zcrx_queue_cqe() finds no free
 * CQE, the receive ends -ENOSPC (flags 0, liburing issue #1515) and the
 * fragment stays in the socket.  With nothing to read it just waits.
 */
static enum pkt_ret sock_overflow(struct sim *s, struct sim_ifq *q, struct sim_recv *r)
{
	int pend, end = 0;

	pend = sock_pending(r, &end);
	if (!pend)
		return PKT_IDLE;
	recv_end(s, q, r, pend < 0 ? end : -ENOSPC);
	return PKT_ENDED;
}

/*
 * A round starts with the socket's backlog: io_zcrx_recv() reads all of it
 * in one task-work run (tcp_read_sock), so when it needs more CQEs than the
 * CQ has free (one per page copied, one per buffer zero-copy, as many slots
 * each as cqe_cost()), the kernel posts what fits and ends the receive
 * -ENOSPC with the rest left in the socket.  That run is modelled across
 * our rounds, whatever the caller reaps meanwhile: the receive may still
 * fill run_left slots, then sock_packet() ends it through sock_overflow().
 */
static void sock_run_begin(struct sim *s, const struct sim_ifq *q, struct sim_recv *r)
{
	struct io_uring *ring = s->ctx->ring;
	uint32_t chunk = q->nodev ? SIM_FRAG_PAGES * s->page :
			 s->p.pkt_size < q->buf_len ? s->p.pkt_size : q->buf_len;
	uint64_t zc, cp, need;
	int avail = 0, room;

	if (r->run || r->fd < 0 || ioctl(r->fd, FIONREAD, &avail) < 0 || avail <= 0)
		return;
	if (r->capped && (uint32_t)avail > r->left)
		avail = (int)r->left;
	room = (int)ring->cq.ring_entries - (int)io_uring_cq_ready(ring) -
	       (int)io_uring_sq_ready(ring);
	if (io_uring_cq_has_overflow(ring) || room < 0)
		room = 0;
	/* a copy of a chunk takes a CQE per page, zero-copy one: weighted by the copy ratio */
	cp = pages(s, (uint32_t)avail);
	zc = ((uint64_t)avail + chunk - 1) / chunk;
	if (q->nodev)
		need = cp;
	else
		need = (zc * (1000 - s->p.copy_permille) + cp * s->p.copy_permille) / 1000;
	if (need * (uint64_t)cqe_cost(s, true) > (uint64_t)room) {
		r->run = true;
		r->run_left = room;
	}
}

/* One fragment read from the socket, zero-copy into an RX descriptor or copied. */
static enum pkt_ret sock_packet(struct sim *s, struct sim_ifq *q, struct sim_recv *r)
{
	uint32_t idx[SIM_COPY_BUFS], nb, len;
	struct iovec iov[SIM_COPY_BUFS];
	struct msghdr msg = { .msg_iov = iov };
	enum pkt_ret ret;
	bool copy, cq_full;
	int budget;
	ssize_t n;

	len = sock_len(s, q, r, &cq_full);
	if (!len && cq_full && s->sq_room > 0)
		return sock_overflow(s, q, r);
	if (!len)
		return PKT_BLOCKED;
	copy = roll_copy(s, q);
	if (r->run) {
		/* the kernel's read of the backlog found the CQ full: a copy posts the pages that fit */
		int c = cqe_cost(s, true), fit = r->run_left / c;

		if (copy && fit > 0 && pages(s, len) > (uint32_t)fit)
			len = (uint32_t)fit * s->page;
		if (fit <= 0 && s->sq_room > 0) {
			ret = sock_overflow(s, q, r);
			r->run = false;
			return ret;
		}
	}
	budget = s->budget;
	if (!copy && !q->rx_fill)
		zcrx_sim_rx_refill(s, q);
	if (copy) {
		nb = copy_bufs(s, q, len, idx);
	} else {
		nb = q->rx_fill ? 1 : 0;
		idx[0] = q->rx[q->rx_head];
	}
	if (!nb)
		return sock_starved(s, q, r, copy);
	for (uint32_t i = 0; i < nb; i++) {
		iov[i].iov_base = sim_buf_addr(q, idx[i]);
		iov[i].iov_len = copy && len - i * s->page > s->page ? s->page : len - i * s->page;
	}
	msg.msg_iovlen = nb;
	n = recvmsg(r->fd, &msg, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		r->run = false;		/* the backlog is read: that run is over */
		return PKT_IDLE;
	}
	if (n <= 0) {
		recv_end(s, q, r, n ? -errno : 0);
		return PKT_ENDED;
	}
	if (copy) {
		copy_post(s, q, r, idx, n);
	} else {
		rx_take(q);
		q->state[idx[0]] = BUF_USER;
		post_data(s, q, r, idx[0], n);
	}
	if (r->run)
		r->run_left -= budget - s->budget;
	q->c.rx_packets++;
	q->c.rx_bytes += n;
	recv_consumed(s, q, r, n);
	zcrx_sim_rx_refill(s, q);
	return PKT_DONE;
}

static void arm_timer(struct sim *s, struct sim_ifq *q, uint64_t ns)
{
	struct io_uring_sqe *sqe;

	if (q->timer_armed)
		return;
	sqe = psqe(s);
	if (!sqe)
		return;
	q->ts.tv_sec = ns / NSEC;
	q->ts.tv_nsec = ns % NSEC;
	io_uring_prep_timeout(sqe, &q->ts, 0, 0);
	sqe->user_data = SIM_UD(SIM_TIMER, SIM_NO_SLOT, 0, q->id);
	q->timer_armed = true;
}

static void arm_poll(struct sim *s, struct sim_ifq *q, struct sim_recv *r)
{
	struct io_uring_sqe *sqe = psqe(s);

	if (!sqe)
		return;
	io_uring_prep_poll_multishot(sqe, r->fd, POLLIN | POLLRDHUP);
	sqe->user_data = recv_ud(q, r, SIM_POLL);
	r->poll_armed = true;
}

static struct sim_recv *synth_recv(struct sim_ifq *q)
{
	for (uint32_t i = 0; i < q->nr_slots; i++)
		if (q->recv[i].active && q->recv[i].fd < 0)
			return &q->recv[i];
	return NULL;
}

/* Final CQEs that found no room before; false while some still wait. */
static bool post_ends(struct sim *s, struct sim_ifq *q)
{
	bool done = true;

	for (uint32_t i = 0; i < q->nr_slots; i++) {
		struct sim_recv *r = &q->recv[i];

		if (!r->ending)
			continue;
		if (s->sq_room > 0 && sim_post(s, r->user_data, r->end_res, false, 0))
			recv_free(r);
		else
			done = false;
	}
	return done;
}

/*
 * Is every further synthetic packet a drop whose refill fails, and nothing
 * else?  Nothing is copied (no roll), the RX ring has room the page pool
 * cannot fill, and ALLOC_FAIL cannot be raised.
 */
static bool starved(const struct sim *s, struct sim_ifq *q)
{
	uint32_t bit = 1U << ZCRX_EVENT_ALLOC_FAIL;

	return !s->p.copy_permille && !q->nodev && q->rx_fill < q->rx_size && !q->nr_free && !rq_avail(q) &&
	       (!q->target || !(q->type_mask & bit) || (q->latched & bit));
}

/*
 * Send the synthetic packets the time since the last run allows at
 * rate_pps.  An event going out ends the run (*yielded): its owner sees it,
 * and may re-arm, before the rest of the credit is spent, as it could
 * while a real NIC keeps receiving.  *blocked: the caller's SQ or CQ is full.
 */
static void synth_run(struct sim *s, struct sim_ifq *q, bool *blocked, bool *yielded)
{
	uint64_t rate = s->p.rate_pps, now, n, sent = 0;
	uint32_t latched = q->latched;
	struct sim_recv *r;
	enum pkt_ret ret;

	now = now_ns();
	q->credit_ns += now - q->last_ns;
	q->last_ns = now;
	if (q->credit_ns > SIM_BACKLOG_NS)
		q->credit_ns = SIM_BACKLOG_NS;
	n = (unsigned __int128)q->credit_ns * rate / NSEC;
	while (sent < n && (r = synth_recv(q))) {
		ret = synth_packet(s, q, r);
		if (ret == PKT_BLOCKED) {
			*blocked = true;
			break;
		}
		if (ret != PKT_ENDED)
			sent++;
		if (q->latched != latched) {
			*yielded = true;
			break;
		}
		if (ret == PKT_DROPPED && starved(s, q)) {
			/* each packet left is the same drop and failed refill: count them at once */
			q->c.rx_dropped += n - sent;
			q->c.alloc_fail += n - sent;
			sent = n;
		}
	}
	q->credit_ns -= (unsigned __int128)sent * NSEC / rate;
}

/*
 * Run the queue now: read what the sockets hold, send the synthetic packets
 * the elapsed time allows at rate_pps, then arm exactly what is still
 * needed.  Without a receive, with rate 0 or in step mode nothing is armed.
 */
static void service(struct sim *s, struct sim_ifq *q)
{
	bool blocked = false, retry = false, yielded = false;
	uint64_t rate = s->p.rate_pps;
	struct sim_recv *r;
	enum pkt_ret ret;

	round_begin(s, true);
	blocked = !post_ends(s, q);
	if (s->p.step) {
		round_end(s);
		return;
	}
	for (uint32_t i = 0; i < q->nr_slots; i++) {
		r = &q->recv[i];
		if (!r->active || r->fd < 0)
			continue;
		sock_run_begin(s, q, r);
		/* a packet that reached the len cap has ended the receive */
		do
			ret = sock_packet(s, q, r);
		while (ret == PKT_DONE && r->active);
		blocked |= ret == PKT_BLOCKED;
		retry |= ret == PKT_DROPPED;
		if (r->active && !r->poll_armed)
			arm_poll(s, q, r);
	}
	if (rate && synth_recv(q))
		synth_run(s, q, &blocked, &yielded);

	/* the caller's SQ or CQ is full, or an event waits for its owner: try again soon */
	if (yielded || blocked)
		arm_timer(s, q, SIM_BACKOFF_NS);
	if (synth_recv(q) && rate)
		arm_timer(s, q, NSEC / rate > SIM_BACKOFF_NS ? NSEC / rate : SIM_BACKOFF_NS);
	else if (retry)
		arm_timer(s, q, SIM_RETRY_NS);
	round_end(s);
}

/*
 * ZCRX_CTRL_ARM_EVENT cleared a latch.  A kernel raises the event again at
 * the next page-pool refill or copy that calls for it, which under
 * synthetic traffic is the next packet: send what the time since the last
 * run allows now, so that at a high rate a re-armed event is prepared for
 * the caller's next submit (where a kernel's task work would post it in
 * the next io_uring_enter), not at the next tick of our timer.  At a low
 * rate the credit holds no packet yet and the timer goes on as before.
 * Socket receives are left to their polls.
 */
void zcrx_sim_rx_rearmed(struct sim *s, struct sim_ifq *q)
{
	bool blocked = false, yielded = false;

	if (s->p.step || !s->p.rate_pps || !synth_recv(q))
		return;
	round_begin(s, true);
	synth_run(s, q, &blocked, &yielded);
	if (yielded || blocked)
		arm_timer(s, q, SIM_BACKOFF_NS);
	round_end(s);
}

/*
 * Stop what is armed for an ifq on the private ring (the cancellations'
 * CQEs are ours).  Nothing of the simulator's is on the caller's ring to
 * take back: a wake-up or receive NOP still due under the ifq's event
 * user_data stays in s->chain_ud or s->owed until decoded (zcrx_sim.h).
 */
void zcrx_sim_rx_disarm(struct sim *s, struct sim_ifq *q)
{
	struct io_uring_sqe *sqe;
	struct sim_recv *r;

	for (uint32_t i = 0; i < q->nr_slots; i++) {
		r = &q->recv[i];
		if (r->active && r->poll_armed && (sqe = psqe(s))) {
			io_uring_prep_poll_remove(sqe, recv_ud(q, r, SIM_POLL));
			sqe->user_data = recv_ud(q, r, SIM_CANCEL);
		}
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		r->active = false;
		r->ending = false;
	}
	if (q->timer_armed && (sqe = psqe(s))) {
		io_uring_prep_timeout_remove(sqe, SIM_UD(SIM_TIMER, SIM_NO_SLOT, 0, q->id), 0);
		sqe->user_data = SIM_UD(SIM_CANCEL, SIM_NO_SLOT, 0, q->id);
	}
	round_end(s);
}

/* ------------------------------------------------------------------ */
/* The wake chain and the user_data the caller's ring owes us           */
/* ------------------------------------------------------------------ */

static struct sim_owed *owed_find(struct sim *s, uint64_t ud)
{
	for (uint32_t i = 0; i < s->nr_owed; i++)
		if (s->owed[i].ud == ud)
			return &s->owed[i];
	return NULL;
}

/* One more CQE due under ud; -ENOMEM when the books cannot grow. */
static int owed_add(struct sim *s, uint64_t ud)
{
	struct sim_owed *o = owed_find(s, ud);
	uint32_t cap;

	if (o) {
		o->n++;
		return 0;
	}
	if (s->nr_owed == s->owed_cap) {
		cap = s->owed_cap ? 2 * s->owed_cap : 4;
		o = reallocarray(s->owed, cap, sizeof(*o));
		if (!o)
			return -ENOMEM;
		s->owed = o;
		s->owed_cap = cap;
	}
	s->owed[s->nr_owed++] = (struct sim_owed){ .ud = ud, .n = 1 };
	return 0;
}

static void owed_seen(struct sim *s, struct sim_owed *o)
{
	if (--o->n == 0)
		*o = s->owed[--s->nr_owed];
}

/*
 * A user_data the caller's ring may still complete a CQE of ours under: an
 * open ifq's event user_data, the pending wake-up's, or one a receive NOP
 * not yet decoded carries (those two outlive zcrx_ifq_close()).
 */
static bool ud_reserved(struct sim *s, uint64_t ud)
{
	for (struct sim_ifq *q = s->ifqs; q; q = q->next)
		if (q->has_wake && q->wake_ud == ud)
			return true;
	return (s->chain_armed && s->chain_ud == ud) || owed_find(s, ud);
}

/*
 * Arm the wake chain on the private ring, under the event user_data of an
 * open ifq: a single-shot POLL_ADD of the eventfd, linked to a MSG_RING
 * that posts (ud, SIM_WAKE_RES) into the caller's ring.  Both SQEs go in
 * one submit (a link cut at the end of a submit would run the poll alone).
 * Nothing to do while a wake-up is due, or with no ifq open (ifq_ready
 * arms it then).
 */
static void arm_chain(struct sim *s)
{
	struct io_uring_sqe *sqe;
	struct sim_ifq *q;

	if (s->chain_armed)
		return;
	for (q = s->ifqs; q && !q->has_wake; q = q->next)
		;
	if (!q)
		return;
	if (io_uring_sq_space_left(&s->pring) < 2)
		io_uring_submit(&s->pring);
	if (io_uring_sq_space_left(&s->pring) < 2)
		return;
	sqe = psqe(s);
	s->chain_gen++;
	io_uring_prep_poll_add(sqe, s->efd, POLLIN);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = SIM_UD(SIM_WAKE_POLL, SIM_NO_SLOT, s->chain_gen, 0);
	sqe = psqe(s);
	io_uring_prep_msg_ring(sqe, s->ctx->ring->ring_fd, SIM_WAKE_RES, q->wake_ud, 0);
	sqe->user_data = SIM_UD(SIM_WAKE_MSG, SIM_NO_SLOT, s->chain_gen, 0);
	s->chain_armed = true;
	s->chain_msg = true;
	s->chain_ud = q->wake_ud;
	zcrx_sim_rx_psubmit(s);
}

/*
 * At the end (sim_fini), before the private ring goes: cancel the chain and
 * wait until its MSG_RING has completed there, so it cannot post into the
 * caller's ring afterwards.  If it already had, that wake-up is in the
 * caller's CQ: the stray CQE zcrx_sim.h warns of.
 */
void zcrx_sim_rx_wake_stop(struct sim *s)
{
	struct __kernel_timespec ts = { .tv_nsec = 100 * 1000000 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;

	if (!s->chain_msg)
		return;
	sqe = psqe(s);
	if (sqe) {
		io_uring_prep_poll_remove(sqe, SIM_UD(SIM_WAKE_POLL, SIM_NO_SLOT, s->chain_gen, 0));
		sqe->user_data = SIM_UD(SIM_CANCEL, SIM_NO_SLOT, 0, 0);
	}
	zcrx_sim_rx_psubmit(s);
	for (int i = 0; i < 20 && s->chain_msg; i++) {
		if (io_uring_wait_cqe_timeout(&s->pring, &cqe, &ts))
			continue;
		if (SIM_UD_KIND(cqe->user_data) == SIM_WAKE_MSG)
			s->chain_msg = false;
		io_uring_cqe_seen(&s->pring, cqe);
	}
}

/* ------------------------------------------------------------------ */
/* The backend ops                                                     */
/* ------------------------------------------------------------------ */

/* What the kernel would answer at issue for this fd: 0, or the CQE's -errno. */
static int recv_fd_check(int fd)
{
	int proto, type;
	socklen_t len = sizeof(proto);

	if (fd == ZCRX_SIM_SYNTH_FD)
		return 0;
	if (fd < 0)
		return -EBADF;
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len))
		return -errno;
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return -errno;
	if (type != SOCK_STREAM || proto != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	return 0;
}

/* A free receive slot, the books grown when all are taken; NULL: no memory. */
static struct sim_recv *recv_slot(struct sim_ifq *q)
{
	uint32_t n;
	struct sim_recv *r;

	for (uint32_t i = 0; i < q->nr_slots; i++)
		if (!q->recv[i].active && !q->recv[i].ending)
			return &q->recv[i];
	if (q->nr_slots >= SIM_NO_SLOT)
		return NULL;
	n = q->nr_slots ? 2 * q->nr_slots : 8;
	if (n > SIM_NO_SLOT)
		n = SIM_NO_SLOT;
	r = reallocarray(q->recv, n, sizeof(*r));
	if (!r)
		return NULL;
	memset(r + q->nr_slots, 0, (n - q->nr_slots) * sizeof(*r));
	for (uint32_t i = q->nr_slots; i < n; i++)
		r[i].fd = -1;
	q->recv = r;
	r = &q->recv[q->nr_slots];
	q->nr_slots = n;
	return r;
}

/*
 * The receive is on the books at once, as the kernel's is from its issue
 * (so zcrx_sim_step() can feed it), and what drives it is armed on the
 * private ring.  sqe becomes a NOP whose 32-byte CQE (res SIM_RECV_RES,
 * SIM_CQE_MARK in big_cqe[1]) carries the ifq's event user_data, so
 * zcrx_cqe_decode() hands it to own_cqe(), whatever flags the caller sets
 * on the SQE afterwards.  A receive the kernel would refuse becomes a NOP
 * completing under its user_data with the kernel's -errno.  Refused with
 * -EINVAL: a user_data the caller's ring may still complete a CQE of ours
 * under (ud_reserved()); -EBADF: a negative fd but ZCRX_SIM_SYNTH_FD;
 * -EMFILE/-ENFILE: no fd left to keep the socket by; -ENOMEM.
 */
int zcrx_sim_rx_prep_recv(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct io_uring_sqe *sqe,
			  int fd, uint32_t len, uint64_t user_data)
{
	struct sim *s = ctx->backend;
	struct sim_ifq *q = find_ifq(s, zcrx_id);
	struct sim_recv *r = NULL;
	int err = q ? recv_fd_check(fd) : -EINVAL;
	int dup_fd = -1;
	uint16_t gen;

	if (ud_reserved(s, user_data))
		return -EINVAL;
	/* as the kernel backend: a negative fd other than ours is refused at once */
	if (fd < 0 && fd != ZCRX_SIM_SYNTH_FD)
		return -EBADF;
	if (!err && !q->has_wake)
		err = -EINVAL;
	if (!err && fd >= 0) {
		dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (dup_fd < 0)
			return -errno;
	}
	if (!err) {
		r = recv_slot(q);
		if (!r || owed_add(s, q->wake_ud)) {
			if (dup_fd >= 0)
				close(dup_fd);
			return -ENOMEM;
		}
	}

	io_uring_prep_nop(sqe);
	if (err) {
		sqe->user_data = user_data;
		sqe->rw_flags = ZCRX_NOP_INJECT_RESULT;
		sqe->len = (uint32_t)err;
		return 0;
	}
	sqe->user_data = q->wake_ud;
	sqe->rw_flags = ZCRX_NOP_INJECT_RESULT | ZCRX_NOP_CQE32;
	sqe->len = SIM_RECV_RES;
	sqe->addr = SIM_CQE_MARK;
	/* synthetic traffic starts now, not when the last synthetic receive ended */
	if (fd < 0 && !synth_recv(q)) {
		q->last_ns = now_ns();
		q->credit_ns = 0;
	}
	gen = r->gen + 1;
	*r = (struct sim_recv){
		.active		= true,
		.fd		= dup_fd,
		.user_data	= user_data,
		.capped		= len != 0,
		.left		= len,
		.gen		= gen,
	};
	if (!s->p.step) {
		if (r->fd >= 0)
			arm_poll(s, q, r);
		else if (s->p.rate_pps)
			arm_timer(s, q, 0);
		zcrx_sim_rx_psubmit(s);
	}
	return 0;
}

bool zcrx_sim_rx_cqe_more(struct zcrx_ctx *ctx, uint32_t zcrx_id, const struct io_uring_cqe *cqe)
{
	(void)ctx;
	(void)zcrx_id;
	/* every data CQE has more to come; the one ending a receive has res <= 0 */
	return cqe->res > 0;
}

void zcrx_sim_rx_ifq_ready(struct zcrx_ctx *ctx, uint32_t zcrx_id, uint64_t event_ud)
{
	struct sim *s = ctx->backend;
	struct sim_ifq *q = find_ifq(s, zcrx_id);

	if (!q)
		return;
	q->wake_ud = event_ud;
	q->has_wake = true;
	arm_chain(s);
}

/* One completion of the private ring. */
static void private_cqe(struct sim *s, const struct io_uring_cqe *cqe)
{
	uint64_t ud = cqe->user_data;
	struct sim_recv *r = NULL;
	struct sim_ifq *q;
	uint32_t slot;

	/*
	 * The chain's MSG_RING is done.  Failed (the caller's ring fd gone,
	 * no memory), its wake-up never comes: arm the chain anew.
	 */
	if (SIM_UD_KIND(ud) == SIM_WAKE_MSG && SIM_UD_GEN(ud) == s->chain_gen) {
		s->chain_msg = false;
		if (cqe->res < 0)
			s->chain_armed = false;
		return;
	}
	/* an ifq unregistered since, or a receive ended since: nothing to do */
	q = find_ifq(s, SIM_UD_ID(ud));
	if (!q)
		return;
	slot = SIM_UD_SLOT(ud);
	if (slot < q->nr_slots && q->recv[slot].active && q->recv[slot].gen == SIM_UD_GEN(ud))
		r = &q->recv[slot];

	switch (SIM_UD_KIND(ud)) {
	case SIM_POLL:
		if (!r)
			break;
		if (!(cqe->flags & ZCRX_CQE_F_MORE))
			r->poll_armed = false;
		service(s, q);
		break;
	case SIM_TIMER:
		q->timer_armed = false;
		service(s, q);
		break;
	default:
		break;
	}
}

/*
 * A CQE of ours on the caller's ring: under a user_data we hold
 * (ud_reserved()), with a res no event has.  The wake-up (SIM_WAKE_RES)
 * resets the eventfd, runs what the private ring has completed and arms
 * the chain again; a receive's NOP (SIM_RECV_RES with SIM_CQE_MARK, or
 * -errno when a link of the caller's cancelled it) is only counted off.
 * Stray wake-ups (from a ctx destroyed before on this ring) are taken too.
 */
bool zcrx_sim_rx_own_cqe(struct zcrx_ctx *ctx, const struct io_uring_cqe *cqe)
{
	struct sim *s = ctx->backend;
	struct sim_owed *o = owed_find(s, cqe->user_data);
	bool wake = cqe->res == SIM_WAKE_RES;
	struct io_uring_cqe *pc;
	uint64_t v;
	ssize_t n;

	if (!wake && cqe->res >= 0 &&
	    (cqe->res != SIM_RECV_RES || cqe->big_cqe[1] != SIM_CQE_MARK))
		return false;
	if (!ud_reserved(s, cqe->user_data))
		return false;
	if (wake && s->chain_armed && cqe->user_data == s->chain_ud) {
		s->chain_armed = false;
		/* reset first: a completion from here on signals the next poll (EAGAIN: none) */
		n = read(s->efd, &v, sizeof(v));
		(void)n;
	} else if (!wake && o) {
		owed_seen(s, o);
	}
	/* what the rounds arm goes in one submit with the chain's two SQEs */
	s->pdefer = true;
	while (!io_uring_peek_cqe(&s->pring, &pc)) {
		struct io_uring_cqe c = *pc;

		io_uring_cqe_seen(&s->pring, pc);
		private_cqe(s, &c);
	}
	s->pdefer = false;
	arm_chain(s);
	zcrx_sim_rx_psubmit(s);
	return true;
}

/*
 * n packets arrive now, whatever the mode: each is delivered, or dropped
 * when the RX ring is empty, until the CQ has no room (the sender waits) or
 * the sockets have nothing more.  Returns the number delivered.
 */
int zcrx_sim_rx_step(struct zcrx_ctx *ctx, uint32_t zcrx_id, unsigned int n)
{
	struct sim *s = ctx->backend;
	struct sim_ifq *q = find_ifq(s, zcrx_id);
	unsigned int arrived = 0;
	enum pkt_ret ret = PKT_DONE;
	struct sim_recv *r;
	int delivered = 0;

	if (!q)
		return -ENXIO;
	round_begin(s, false);
	post_ends(s, q);
	for (uint32_t i = 0; i < q->nr_slots && ret != PKT_BLOCKED; i++) {
		r = &q->recv[i];
		if (r->active)
			sock_run_begin(s, q, r);
		while (arrived < n && r->active) {
			ret = r->fd < 0 ? synth_packet(s, q, r) : sock_packet(s, q, r);
			if (ret == PKT_BLOCKED || ret == PKT_IDLE ||
			    (ret == PKT_DROPPED && r->fd >= 0))
				break;
			if (ret != PKT_ENDED)
				arrived++;
			delivered += ret == PKT_DONE;
		}
	}
	round_end(s);
	return delivered;
}

int zcrx_sim_rx_counters(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct zcrx_sim_counters *c)
{
	struct sim_ifq *q = find_ifq(ctx->backend, zcrx_id);

	if (!q)
		return -ENXIO;
	*c = q->c;
	memset(c->__resv, 0, sizeof(c->__resv));
	c->free_bufs = q->nr_free;
	c->rx_ring_fill = q->rx_fill;
	return 0;
}
