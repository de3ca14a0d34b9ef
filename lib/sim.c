// SPDX-License-Identifier: MIT
/*
 * The simulator: a user-space model of one NIC RX queue under zcrx for every
 * registered ifq, in the spirit of the kernel's netdevsim.  It answers
 * registration and control with the kernel's checks in the kernel's order
 * (shared/zcrx-abi.md §5), runs a page pool over the area, and delivers its
 * completions into the ctx's own io_uring as injected NOPs (§11), so the
 * application waits on its ring exactly as it would on a kernel.
 *
 * Per ifq: the area is cut into rx_buf_len buffers; an RX descriptor ring of
 * params.rx_ring entries is kept full by the page pool, which takes buffers
 * first from the refill ring the application writes and then from its free
 * list.  A fragment received zero-copy consumes a descriptor; a copied one
 * (params.copy_permille) takes a buffer straight from the free list, like
 * the kernel's copy fallback.  Payload comes from a real TCP socket (the
 * "NIC" recv()s its bytes into the buffer) or, with fd -1, is synthetic:
 * byte i of a receive is byte i % 8 (little-endian) of mix64(seed + i / 8).
 *
 * Not modelled, by design: CAP_NET_ADMIN (the simulator exists to run
 * unprivileged), ZCRX_REG_IMPORT/NODEV (register_flags 0), dmabuf areas
 * (area_flags 0), kernel-allocated refill regions (only
 * IORING_MEM_REGION_TYPE_USER; a region with flags 0 is refused with EINVAL
 * where a kernel would allocate one), ZCRX_CTRL_EXPORT (EOPNOTSUPP), the
 * netdev and driver checks (params.inject_reg_err answers in their place),
 * the ERANGE check of rx_buf_len against the area's physical contiguity,
 * and memlock accounting.  Injected CQEs always have flags 0, so
 * IORING_CQE_F_MORE is answered by cqe_more(); data always starts at offset
 * 0 of its buffer, and an RQE whose offset is not rx_buf_len-aligned is
 * ignored (the kernel would round it down).
 *
 * Sharing the ring: CQEs whose user_data has 0x5a53 in the top 16 bits are
 * the simulator's (own_cqe), and it submits its SQEs with io_uring_submit(),
 * which also submits any SQEs the application has prepared and not yet
 * submitted.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include "backend.h"
#include "internal.h"

#define SIM_RQ_MAX		32768U
/* ALIGN(sizeof(head) + sizeof(tail), cache line): the 7.2 layout on x86-64 */
#define SIM_RQ_HDR_SIZE		8U
#define SIM_RQ_HDR_ALIGN	64U
#define SIM_RQ_RQES		64U
#define SIM_PKT_MAX		65535U
#define SIM_RX_RING_DEFAULT	64U
#define SIM_PKT_SIZE_DEFAULT	1448U

#define NSEC			1000000000ULL
#define SIM_RETRY_NS		(10 * 1000000ULL)	/* "TCP retransmit" after a drop */
#define SIM_BACKOFF_NS		(1000000ULL)		/* CQ still full after a kick */
#define SIM_BACKLOG_NS		(100 * 1000000ULL)	/* synthetic credit kept while blocked */

/*
 * user_data of the simulator's own SQEs: "ZS" in the top 16 bits, then the
 * kind, the receive slot and its generation, and the zcrx_id.
 */
#define SIM_UD_MAGIC		0x5a53ULL
#define SIM_UD(kind, slot, gen, id)					\
	((SIM_UD_MAGIC << 48) | ((uint64_t)(kind) << 44) |		\
	 ((uint64_t)(slot) << 40) | ((uint64_t)(gen) << 24) | ((id) & 0xffffffULL))
#define SIM_UD_KIND(ud)		(((ud) >> 44) & 0xf)
#define SIM_UD_SLOT(ud)		(((ud) >> 40) & 0xf)
#define SIM_UD_GEN(ud)		((uint16_t)((ud) >> 24))
#define SIM_UD_ID(ud)		((uint32_t)((ud) & 0xffffff))
#define SIM_ID_MAX		0xffffffU
#define SIM_NO_SLOT		0xf

enum sim_kind {
	SIM_START	= 1,	/* the SQE prep_recv handed out: the receive was issued */
	SIM_POLL	= 2,	/* multishot POLL_ADD on a receive's socket */
	SIM_TIMER	= 3,	/* synthetic traffic pacing and retries */
	SIM_KICK	= 4,	/* a NOP behind our CQEs: the CQ may have room again */
	SIM_CANCEL	= 5,	/* POLL_REMOVE / TIMEOUT_REMOVE */
};

enum buf_state {
	BUF_FREE,		/* on the free list */
	BUF_POSTED,		/* on the RX descriptor ring */
	BUF_USER,		/* in a CQE, owned by the application */
	BUF_USER_COPY,		/* the same, from the copy fallback */
};

enum pkt_ret {
	PKT_DONE,		/* delivered */
	PKT_DROPPED,		/* the RX ring was empty */
	PKT_BLOCKED,		/* no CQ room: the sender waits */
	PKT_IDLE,		/* the socket has nothing to read */
	PKT_ENDED,		/* the receive has ended */
};

struct sim_recv {
	bool		active;
	bool		started;	/* its START CQE was seen */
	bool		poll_armed;
	int		fd;		/* our dup of the socket, -1 = synthetic */
	uint64_t	user_data;
	bool		capped;
	uint32_t	left;		/* bytes to the len cap */
	uint64_t	pos;		/* bytes delivered: the payload position */
	uint16_t	gen;
};

struct sim_ifq {
	struct sim_ifq		*next;
	uint32_t		id;

	uint8_t			*area;
	uint32_t		buf_len;
	uint32_t		nr_bufs;
	uint8_t			*state;		/* enum buf_state per buffer */
	uint32_t		*free;		/* free list, a stack */
	uint32_t		nr_free;
	uint32_t		*rx;		/* RX descriptor ring, FIFO */
	uint32_t		rx_size;
	uint32_t		rx_head;
	uint32_t		rx_fill;

	uint32_t		*rq_head;
	uint32_t		*rq_tail;
	struct io_uring_zcrx_rqe *rqes;
	uint32_t		rq_entries;
	uint32_t		rq_cached_head;

	bool			target;		/* events go to this ctx's ring */
	uint32_t		type_mask;
	uint64_t		event_ud;
	uint32_t		latched;
	struct zcrx_stats	*stats;

	struct sim_recv		recv[ZCRX_MAX_RECV];
	uint64_t		rng;
	uint64_t		credit_ns;	/* elapsed time not yet sent as packets */
	uint64_t		last_ns;
	bool			timer_armed;
	bool			kick_armed;
	struct __kernel_timespec ts;
	struct zcrx_sim_counters c;
};

struct sim {
	struct zcrx_ctx		*ctx;
	struct zcrx_sim_params	p;
	struct zcrx_caps	caps;
	uint32_t		next_id;
	struct sim_ifq		*ifqs;
	int			budget;		/* CQ slots this round may still fill */
	bool			queued;		/* SQEs prepared and not yet submitted */
	uintptr_t		ctrl_page;	/* page a ctrl struct was last read from */
};

_Static_assert(ZCRX_MAX_RECV < SIM_NO_SLOT, "receive slots fit the user_data");

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */
/* ------------------------------------------------------------------ */

void zcrx_sim_caps(enum zcrx_gen gen, struct zcrx_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->simulated = true;
	/* the io_uring underneath is this machine's; what zcrx needs of it is there */
	caps->nr_request_opcodes = IORING_OP_RECV_ZC + 7;
	caps->nr_register_opcodes = gen == ZCRX_GEN_7_2 ? 38 : 37;
	caps->feature_flags = (1ULL << 18) - 1;
	caps->ring_setup_flags = (1ULL << 19) - 1;
	caps->enter_flags = (1ULL << 7) - 1;
	caps->sqe_flags = (1ULL << 7) - 1;
	caps->nr_query_opcodes = gen == ZCRX_GEN_7_2 ? 4 : 3;
	/* present: a real kernel answers an unreadable argument with EFAULT */
	caps->zcrx_reg_err = -EFAULT;
	/* the simulator does not ask for CAP_NET_ADMIN */
	caps->cap_net_admin = 1;

	/* neither IMPORT nor NODEV nor dmabuf areas are modelled */
	caps->register_flags = 0;
	caps->area_flags = 0;
	caps->rq_hdr_size = SIM_RQ_HDR_SIZE;
	caps->rq_hdr_alignment = SIM_RQ_HDR_ALIGN;
	caps->features = ZCRX_FEATURE_RX_PAGE_SIZE;
	caps->nr_ctrl_opcodes = 2;
	caps->event_query_err = -EOPNOTSUPP;
	if (gen == ZCRX_GEN_MAY2026 || gen == ZCRX_GEN_7_2) {
		caps->features |= ZCRX_FEATURE_EVENT;
		caps->nr_ctrl_opcodes = 3;
	}
	if (gen == ZCRX_GEN_7_2) {
		caps->event_query_err = 0;
		caps->event_flags = ZCRX_EV_MASK_ALL;
		caps->stats_size = sizeof(struct zcrx_stats);
		caps->stats_off_alignment = 8;
	}
	zcrx_caps_derive(caps);
}

static int sim_probe(struct zcrx_ctx *ctx, struct zcrx_caps *caps)
{
	struct sim *s = ctx->backend;

	zcrx_sim_caps(s ? s->p.gen : ctx->sim.gen, caps);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

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

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static uint32_t roundup_pow2(uint32_t x)
{
	return x <= 1 ? 1 : 1U << (32 - __builtin_clz(x - 1));
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* getpid() is a syscall every time: cache it, and forget it in a fork child */
static pid_t cached_pid;

static void forget_pid(void)
{
	cached_pid = 0;
}

static pid_t self_pid(void)
{
	static bool registered;

	if (!registered)
		registered = !pthread_atfork(NULL, NULL, forget_pid);
	if (!cached_pid)
		cached_pid = getpid();
	return cached_pid;
}

/*
 * copy_from_user / copy_to_user: an unreadable or unwritable pointer gives
 * EFAULT instead of a crash.  process_vm_* on ourselves does the checking;
 * where a seccomp policy forbids it, only NULL-page pointers are caught.
 */
static int copy_in(void *dst, uint64_t src, size_t len)
{
	struct iovec l = { dst, len }, r = { (void *)(uintptr_t)src, len };
	ssize_t n;

	if (src < 4096)
		return -EFAULT;
	n = process_vm_readv(self_pid(), &l, 1, &r, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
		memcpy(dst, (const void *)(uintptr_t)src, len);
		return 0;
	}
	return -EFAULT;
}

static int copy_out(uint64_t dst, const void *src, size_t len)
{
	struct iovec l = { (void *)src, len }, r = { (void *)(uintptr_t)dst, len };
	ssize_t n;

	if (dst < 4096)
		return -EFAULT;
	n = process_vm_writev(self_pid(), &l, 1, &r, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
		memcpy((void *)(uintptr_t)dst, src, len);
		return 0;
	}
	return -EFAULT;
}

/*
 * The kernel pins the area and the refill region for writing; memory it
 * cannot pin gives EFAULT.  Ours is the same check against our own mappings.
 */
static int pin_check(uint64_t addr, uint64_t len)
{
	unsigned long lo, hi, pos = addr, end = addr + len;
	char perms[8];
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return 0;
	while (pos < end && fscanf(f, "%lx-%lx %7s%*[^\n]", &lo, &hi, perms) == 3) {
		if (hi <= pos)
			continue;
		if (lo > pos || perms[0] != 'r' || perms[1] != 'w')
			break;
		pos = hi;
	}
	fclose(f);
	return pos >= end ? 0 : -EFAULT;
}

static struct sim_ifq *find_ifq(struct sim *s, uint32_t id)
{
	struct sim_ifq *q;

	for (q = s->ifqs; q; q = q->next)
		if (q->id == id)
			return q;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Posting into the ring                                               */
/* ------------------------------------------------------------------ */

static struct io_uring_sqe *sim_sqe(struct sim *s)
{
	struct io_uring *ring = s->ctx->ring;
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	if (sqe)
		s->queued = true;
	return sqe;
}

/*
 * A round posts at most the free CQ space minus a margin (kept for the
 * application's own completions and our final and event CQEs), so the CQ
 * never overflows because of us; what does not fit waits.
 */
static void round_begin(struct sim *s)
{
	struct io_uring *ring = s->ctx->ring;
	unsigned int entries = ring->cq.ring_entries;
	unsigned int margin = entries / 8 < 4 ? 4 : entries / 8 > 64 ? 64 : entries / 8;

	s->budget = (int)entries - (int)io_uring_cq_ready(ring) - (int)margin;
	if (io_uring_cq_has_overflow(ring) || s->budget < 0)
		s->budget = 0;
}

static void round_end(struct sim *s)
{
	if (s->queued)
		io_uring_submit(s->ctx->ring);
	s->queued = false;
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
	struct io_uring_sqe *sqe = sim_sqe(s);

	if (!sqe)
		return false;
	io_uring_prep_nop(sqe);
	sqe->rw_flags = ZCRX_NOP_INJECT_RESULT | (big ? ZCRX_NOP_CQE32 : 0);
	sqe->len = (uint32_t)res;
	sqe->off = off;
	sqe->user_data = ud;
	s->budget -= cqe_cost(s, big);
	return true;
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

/*
 * One CQE per type until re-armed (§4.2): res is the type index.  When the
 * CQE cannot be queued the event is dropped and not latched, as the kernel
 * does when its atomic allocation fails.
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

static void buf_free(struct sim_ifq *q, uint32_t idx)
{
	q->state[idx] = BUF_FREE;
	q->free[q->nr_free++] = idx;
}

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

/*
 * Take the next RQE: the buffer it names, or false when the kernel would
 * ignore it (foreign area, offset out of range or not a buffer start,
 * padding set, or a buffer the application does not own, e.g. a double
 * return).  The caller has done the acquire load of the tail.
 */
static bool rq_next(struct sim_ifq *q, uint32_t *idx)
{
	struct io_uring_zcrx_rqe rqe = q->rqes[q->rq_cached_head++ & (q->rq_entries - 1)];
	uint64_t off = rqe.off & ~IORING_ZCRX_AREA_MASK;

	if (rqe.__pad || rqe.off >> IORING_ZCRX_AREA_SHIFT)
		goto invalid;
	if (off % q->buf_len || off / q->buf_len >= q->nr_bufs)
		goto invalid;
	*idx = off / q->buf_len;
	if (q->state[*idx] != BUF_USER && q->state[*idx] != BUF_USER_COPY)
		goto invalid;
	return true;
invalid:
	q->c.rq_invalid++;
	return false;
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
 * go to the free list, as in the kernel (they belong to no page pool).
 */
static void refill(struct sim *s, struct sim_ifq *q)
{
	uint32_t need = q->rx_size - q->rx_fill, avail, idx;
	bool consumed = false;

	if (!need)
		return;
	avail = rq_avail(q);
	while (need && avail--) {
		consumed = true;
		if (!rq_next(q, &idx))
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

/* ZCRX_CTRL_FLUSH_RQ: every published RQE goes back to the free list. */
static void flush_rq(struct sim_ifq *q)
{
	uint32_t avail = rq_avail(q), idx;

	if (!avail)
		return;
	while (avail--)
		if (rq_next(q, &idx))
			buf_free(q, idx);
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

static bool roll_copy(struct sim *s, struct sim_ifq *q)
{
	return s->p.copy_permille && mix64(q->rng++) % 1000 < s->p.copy_permille;
}

/* Per copied fragment: plain stores to the shared stats, whatever type_mask says. */
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
	return SIM_UD(kind, r - q->recv, r->gen, q->id);
}

/* The final CQE (res <= 0, no F_MORE) and the end of the receive's books. */
static void recv_end(struct sim *s, struct sim_ifq *q, struct sim_recv *r, int res)
{
	struct io_uring_sqe *sqe;

	sim_post(s, r->user_data, res, false, 0);
	if (r->poll_armed) {
		sqe = sim_sqe(s);
		if (sqe) {
			io_uring_prep_poll_remove(sqe, recv_ud(q, r, SIM_POLL));
			sqe->user_data = recv_ud(q, r, SIM_CANCEL);
		}
	}
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

static void post_data(struct sim *s, struct sim_ifq *q, struct sim_recv *r, uint32_t idx,
		      uint32_t len)
{
	/* area 0: its token is 0 << IORING_ZCRX_AREA_SHIFT */
	sim_post(s, r->user_data, len, true, (uint64_t)idx * q->buf_len);
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

/* One synthetic packet of pkt_size bytes, in rx_buf_len fragments. */
static enum pkt_ret synth_packet(struct sim *s, struct sim_ifq *q, struct sim_recv *r)
{
	uint32_t size = s->p.pkt_size, nfrag, zc = 0, len, idx;
	uint64_t copy = 0;

	if (r->capped && size > r->left)
		size = r->left;
	nfrag = (size + q->buf_len - 1) / q->buf_len;
	if (s->budget < (int)nfrag * cqe_cost(s, true) + 3)
		return PKT_BLOCKED;
	for (uint32_t i = 0; i < nfrag; i++) {
		if (roll_copy(s, q))
			copy |= 1ULL << i;
		else
			zc++;
	}
	if (q->rx_fill < zc)
		refill(s, q);
	if (q->rx_fill < zc) {
		q->c.rx_dropped++;
		return PKT_DROPPED;
	}
	for (uint32_t i = 0, off = 0; i < nfrag; i++, off += len) {
		len = size - off < q->buf_len ? size - off : q->buf_len;
		if (copy & (1ULL << i)) {
			if (!q->nr_free) {
				recv_end(s, q, r, -ENOMEM);
				return PKT_ENDED;
			}
			idx = q->free[--q->nr_free];
			q->state[idx] = BUF_USER_COPY;
			count_copy(q, len);
		} else {
			idx = rx_take(q);
			q->state[idx] = BUF_USER;
		}
		payload(s->p.seed, r->pos, q->area + (uint64_t)idx * q->buf_len, len);
		post_data(s, q, r, idx, len);
		/* the kernel posts events through task work: after the data CQE */
		if (copy & (1ULL << i))
			raise_event(s, q, ZCRX_EVENT_COPY);
	}
	q->c.rx_packets++;
	q->c.rx_bytes += size;
	recv_consumed(s, q, r, size);
	refill(s, q);
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

/* One fragment read from the socket: up to min(pkt_size, rx_buf_len) bytes. */
static enum pkt_ret sock_packet(struct sim *s, struct sim_ifq *q, struct sim_recv *r)
{
	uint32_t len = s->p.pkt_size < q->buf_len ? s->p.pkt_size : q->buf_len;
	bool copy;
	uint32_t idx;
	ssize_t n;
	int pend, end = 0;

	if (r->capped && len > r->left)
		len = r->left;
	if (s->budget < cqe_cost(s, true) + 3)
		return PKT_BLOCKED;
	copy = roll_copy(s, q);
	if (!copy && !q->rx_fill)
		refill(s, q);
	if ((copy && !q->nr_free) || (!copy && !q->rx_fill)) {
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
	idx = copy ? q->free[q->nr_free - 1] : q->rx[q->rx_head];
	n = recv(r->fd, q->area + (uint64_t)idx * q->buf_len, len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return PKT_IDLE;
	if (n <= 0) {
		recv_end(s, q, r, n ? -errno : 0);
		return PKT_ENDED;
	}
	if (copy) {
		q->nr_free--;
		q->state[idx] = BUF_USER_COPY;
		count_copy(q, n);
	} else {
		rx_take(q);
		q->state[idx] = BUF_USER;
	}
	post_data(s, q, r, idx, n);
	if (copy)
		raise_event(s, q, ZCRX_EVENT_COPY);
	q->c.rx_packets++;
	q->c.rx_bytes += n;
	recv_consumed(s, q, r, n);
	refill(s, q);
	return PKT_DONE;
}

static void arm_timer(struct sim *s, struct sim_ifq *q, uint64_t ns)
{
	struct io_uring_sqe *sqe;

	if (q->timer_armed)
		return;
	sqe = sim_sqe(s);
	if (!sqe)
		return;
	q->ts.tv_sec = ns / NSEC;
	q->ts.tv_nsec = ns % NSEC;
	io_uring_prep_timeout(sqe, &q->ts, 0, 0);
	sqe->user_data = SIM_UD(SIM_TIMER, SIM_NO_SLOT, 0, q->id);
	q->timer_armed = true;
}

static void arm_kick(struct sim *s, struct sim_ifq *q)
{
	struct io_uring_sqe *sqe;

	if (q->kick_armed)
		return;
	sqe = sim_sqe(s);
	if (!sqe)
		return;
	io_uring_prep_nop(sqe);
	sqe->user_data = SIM_UD(SIM_KICK, SIM_NO_SLOT, 0, q->id);
	q->kick_armed = true;
}

static void arm_poll(struct sim *s, struct sim_ifq *q, struct sim_recv *r)
{
	struct io_uring_sqe *sqe = sim_sqe(s);

	if (!sqe)
		return;
	io_uring_prep_poll_multishot(sqe, r->fd, POLLIN | POLLRDHUP);
	sqe->user_data = recv_ud(q, r, SIM_POLL);
	r->poll_armed = true;
}

static struct sim_recv *synth_recv(struct sim_ifq *q)
{
	for (unsigned int i = 0; i < ZCRX_MAX_RECV; i++)
		if (q->recv[i].active && q->recv[i].started && q->recv[i].fd < 0)
			return &q->recv[i];
	return NULL;
}

/*
 * Run the queue now: read what the sockets hold, send the synthetic packets
 * the elapsed time allows at rate_pps, then arm exactly what is still
 * needed.  Without a receive, with rate 0 or in step mode nothing is armed.
 */
static void service(struct sim *s, struct sim_ifq *q, bool from_kick)
{
	bool blocked = false, retry = false, yielded = false;
	uint64_t rate = s->p.rate_pps, now, n, sent = 0;
	uint32_t latched = q->latched;
	struct sim_recv *r;
	enum pkt_ret ret;

	if (s->p.step)
		return;
	round_begin(s);
	for (unsigned int i = 0; i < ZCRX_MAX_RECV; i++) {
		r = &q->recv[i];
		if (!r->active || !r->started || r->fd < 0)
			continue;
		do
			ret = sock_packet(s, q, r);
		while (ret == PKT_DONE);
		blocked |= ret == PKT_BLOCKED;
		retry |= ret == PKT_DROPPED;
		if (r->active && !r->poll_armed)
			arm_poll(s, q, r);
	}

	r = synth_recv(q);
	if (r && rate) {
		now = now_ns();
		q->credit_ns += now - q->last_ns;
		q->last_ns = now;
		if (q->credit_ns > SIM_BACKLOG_NS)
			q->credit_ns = SIM_BACKLOG_NS;
		n = (unsigned __int128)q->credit_ns * rate / NSEC;
		while (sent < n && (r = synth_recv(q))) {
			ret = synth_packet(s, q, r);
			if (ret == PKT_BLOCKED) {
				blocked = true;
				break;
			}
			if (ret != PKT_ENDED)
				sent++;
			/*
			 * An event went out: let its owner see it (and re-arm)
			 * before the rest of the credit is spent, as it could
			 * while a real NIC keeps receiving.
			 */
			if (q->latched != latched) {
				yielded = true;
				break;
			}
		}
		q->credit_ns -= (unsigned __int128)sent * NSEC / rate;
	}

	if (yielded || (blocked && !from_kick))
		arm_kick(s, q);
	else if (blocked)
		arm_timer(s, q, SIM_BACKOFF_NS);
	if (synth_recv(q) && rate)
		arm_timer(s, q, NSEC / rate > SIM_BACKOFF_NS ? NSEC / rate : SIM_BACKOFF_NS);
	else if (retry)
		arm_timer(s, q, SIM_RETRY_NS);
	round_end(s);
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */
/* ------------------------------------------------------------------ */

/* §4.1 and §2.11: what each generation accepts in the event descriptor */
static int check_event_desc(const struct sim *s, const struct io_uring_zcrx_ifq_reg *reg,
			    struct zcrx_event_desc *ed)
{
	memset(ed, 0, sizeof(*ed));
	if (!reg->event_desc)
		return 0;
	if (copy_in(ed, reg->event_desc, sizeof(*ed)))
		return -EFAULT;
	if (s->p.gen == ZCRX_GEN_MAY2026) {
		/* the seed patch: alloc-fail only, bytes 12.. reserved */
		if (ed->type_mask & ~ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL))
			return -EINVAL;
		if (!all_zero(&ed->flags, sizeof(*ed) - offsetof(struct zcrx_event_desc, flags)))
			return -EINVAL;
		return 0;
	}
	if (ed->type_mask & ~s->caps.event_flags)
		return -EINVAL;
	if (ed->flags & ~ZCRX_EVENT_DESC_FLAG_STATS)
		return -EINVAL;
	if (ed->stats_offset && !(ed->flags & ZCRX_EVENT_DESC_FLAG_STATS))
		return -EINVAL;
	if (!all_zero(ed->__resv2, sizeof(ed->__resv2)))
		return -EINVAL;
	return 0;
}

/* io_allocate_rbuf_ring() and io_create_region(), in their order */
static int check_region(const struct io_uring_zcrx_ifq_reg *reg,
			const struct io_uring_region_desc *rd, uint64_t page)
{
	uint64_t need = SIM_RQ_RQES + sizeof(struct io_uring_zcrx_rqe) * (uint64_t)reg->rq_entries;
	uint64_t end;
	int ret;

	if (need > rd->size)
		return -EINVAL;
	if (!all_zero(rd->__resv, sizeof(rd->__resv)))
		return -EINVAL;
	if (rd->flags & ~IORING_MEM_REGION_TYPE_USER)
		return -EINVAL;
	/* user_addr is set if and only if the region is user memory */
	if (!!(rd->flags & IORING_MEM_REGION_TYPE_USER) != !!rd->user_addr)
		return -EFAULT;
	if (!rd->size || rd->mmap_offset || rd->id)
		return -EINVAL;
	if (rd->size / page > 0x7fffffff)
		return -E2BIG;
	if ((rd->user_addr | rd->size) & (page - 1))
		return -EINVAL;
	if (__builtin_add_overflow(rd->user_addr, rd->size, &end))
		return -EOVERFLOW;
	/* a kernel would allocate the region here: the simulator cannot map it for you */
	if (!(rd->flags & IORING_MEM_REGION_TYPE_USER))
		return -EINVAL;
	ret = pin_check(rd->user_addr, rd->size);
	if (ret)
		return ret;
	return 0;
}

/* §4.1: once the region exists; a good block is then zeroed */
static int check_stats(const struct io_uring_zcrx_ifq_reg *reg,
		       const struct io_uring_region_desc *rd, const struct zcrx_event_desc *ed)
{
	static const struct zcrx_stats zero;
	uint64_t rqes_end = SIM_RQ_RQES + sizeof(struct io_uring_zcrx_rqe) *
			    (uint64_t)reg->rq_entries;
	uint64_t end;

	if (!(ed->flags & ZCRX_EVENT_DESC_FLAG_STATS))
		return 0;
	if (ed->stats_offset % 8)
		return -EINVAL;
	if (ed->stats_offset < rqes_end)
		return -ERANGE;
	if (__builtin_add_overflow(ed->stats_offset, sizeof(struct zcrx_stats), &end) ||
	    end > rd->size)
		return -ERANGE;
	return copy_out(rd->user_addr + ed->stats_offset, &zero, sizeof(zero));
}

/* rx_buf_len and the area, which the kernel looks at once it has the netdev */
static int check_area(const struct sim *s, struct io_uring_zcrx_ifq_reg *reg,
		      const struct io_uring_zcrx_area_reg *area, uint64_t page)
{
	uint64_t end;
	int ret;

	if (!reg->rx_buf_len)
		reg->rx_buf_len = page;
	if (!is_pow2(reg->rx_buf_len) || reg->rx_buf_len < page)
		return -EINVAL;
	if (reg->rx_buf_len > page && !(s->caps.features & ZCRX_FEATURE_RX_PAGE_SIZE))
		return -EINVAL;

	if (area->flags & ~s->caps.area_flags)
		return -EINVAL;
	if (area->rq_area_token)
		return -EINVAL;
	if (!all_zero(area->__resv2, sizeof(area->__resv2)))
		return -EINVAL;
	if (!area->len)
		return -EFAULT;
	if (__builtin_add_overflow(area->addr, (area->len + page - 1) & ~(page - 1), &end))
		return -EOVERFLOW;
	if ((area->addr | area->len) & (page - 1))
		return -EINVAL;
	if (area->dmabuf_fd)
		return -EINVAL;
	if (!area->addr)
		return -EFAULT;
	ret = pin_check(area->addr, area->len);
	if (ret)
		return ret;
	if (area->len < reg->rx_buf_len)
		return -EINVAL;
	return 0;
}

static void ifq_free(struct sim_ifq *q)
{
	if (!q)
		return;
	free(q->state);
	free(q->free);
	free(q->rx);
	free(q);
}

static struct sim_ifq *ifq_alloc(struct sim *s, const struct io_uring_zcrx_ifq_reg *reg,
				 const struct io_uring_region_desc *rd,
				 const struct io_uring_zcrx_area_reg *area,
				 const struct zcrx_event_desc *ed)
{
	struct sim_ifq *q = calloc(1, sizeof(*q));
	uint8_t *region = (uint8_t *)(uintptr_t)rd->user_addr;

	if (!q)
		return NULL;
	q->area = (uint8_t *)(uintptr_t)area->addr;
	q->buf_len = reg->rx_buf_len;
	q->nr_bufs = area->len / reg->rx_buf_len;
	q->rx_size = s->p.rx_ring;
	q->state = calloc(q->nr_bufs, 1);
	q->free = calloc(q->nr_bufs, sizeof(*q->free));
	q->rx = calloc(q->rx_size, sizeof(*q->rx));
	if (!q->state || !q->free || !q->rx) {
		ifq_free(q);
		return NULL;
	}
	/* pop order 0, 1, 2...: the first buffers posted are the first in the area */
	for (uint32_t i = 0; i < q->nr_bufs; i++)
		buf_free(q, q->nr_bufs - 1 - i);

	q->rq_entries = reg->rq_entries;
	q->rq_head = (uint32_t *)region;
	q->rq_tail = (uint32_t *)(region + 4);
	q->rqes = (struct io_uring_zcrx_rqe *)(region + SIM_RQ_RQES);
	/* like the kernel's, our head starts at 0 whatever the memory holds */
	q->rq_cached_head = 0;

	q->type_mask = ed->type_mask;
	q->event_ud = ed->user_data;
	if (ed->flags & ZCRX_EVENT_DESC_FLAG_STATS)
		q->stats = (struct zcrx_stats *)(region + ed->stats_offset);
	for (unsigned int i = 0; i < ZCRX_MAX_RECV; i++)
		q->recv[i].fd = -1;
	return q;
}

/*
 * IORING_REGISTER_ZCRX_IFQ, check by check in the kernel's order (§5.1),
 * each with the kernel's errno.  The user's structs are written back only
 * on success, as copy_to_user at the end of the kernel's registration.
 */
static int sim_register_ifq(struct zcrx_ctx *ctx, struct io_uring_zcrx_ifq_reg *ureg)
{
	struct sim *s = ctx->backend;
	uint64_t page = sysconf(_SC_PAGESIZE);
	struct io_uring_zcrx_area_reg area;
	struct io_uring_region_desc rd;
	struct io_uring_zcrx_ifq_reg reg;
	struct zcrx_event_desc ed;
	struct sim_ifq *q;
	int ret;

	/* io_uring_register(): IORING_REGISTER_ZCRX_IFQ takes one non-NULL arg */
	if (!ureg)
		return -EINVAL;
	/* CAP_NET_ADMIN would be checked here: not modelled */
	if (!(ctx->ring_flags & ZCRX_SETUP_DEFER_TASKRUN))
		return -EINVAL;
	if (!(ctx->ring_flags & (ZCRX_SETUP_CQE32 | ZCRX_SETUP_CQE_MIXED)))
		return -EINVAL;
	if (copy_in(&reg, (uintptr_t)ureg, sizeof(reg)))
		return -EFAULT;
	if (reg.__resv[0] || reg.__resv[1] || reg.zcrx_id)
		return -EINVAL;
	/* before the May 2026 patch event_desc was reserved, and rx_buf_len before RX_PAGE_SIZE */
	if (reg.event_desc && !(s->caps.features & ZCRX_FEATURE_EVENT))
		return -EINVAL;
	if (reg.rx_buf_len && !(s->caps.features & ZCRX_FEATURE_RX_PAGE_SIZE))
		return -EINVAL;
	if (reg.flags & ~s->caps.register_flags)
		return -EINVAL;
	if (copy_in(&rd, reg.region_ptr, sizeof(rd)))
		return -EFAULT;
	if (reg.if_rxq == ~0U || !reg.rq_entries)
		return -EINVAL;
	if (reg.rq_entries > SIM_RQ_MAX) {
		if (!(ctx->ring_flags & ZCRX_SETUP_CLAMP))
			return -EINVAL;
		reg.rq_entries = SIM_RQ_MAX;
	}
	reg.rq_entries = roundup_pow2(reg.rq_entries);
	if (copy_in(&area, reg.area_ptr, sizeof(area)))
		return -EFAULT;
	ret = check_event_desc(s, &reg, &ed);
	if (ret)
		return ret;
	if (s->next_id > SIM_ID_MAX)
		return -ENOSPC;
	ret = check_region(&reg, &rd, page);
	if (ret)
		return ret;
	ret = check_stats(&reg, &rd, &ed);
	if (ret)
		return ret;
	/* netdev_get_by_index() and the driver's checks: the simulator's one knob */
	if (s->p.inject_reg_err)
		return -abs(s->p.inject_reg_err);
	ret = check_area(s, &reg, &area, page);
	if (ret)
		return ret;

	q = ifq_alloc(s, &reg, &rd, &area, &ed);
	if (!q)
		return -ENOMEM;
	q->id = s->next_id;
	q->rng = s->p.seed ^ ((uint64_t)q->id << 32);
	reg.zcrx_id = q->id;
	reg.offsets.head = 0;
	reg.offsets.tail = 4;
	reg.offsets.rqes = SIM_RQ_RQES;
	area.rq_area_token = 0ULL << IORING_ZCRX_AREA_SHIFT;
	if (copy_out((uintptr_t)ureg, &reg, sizeof(reg)) ||
	    copy_out(reg.region_ptr, &rd, sizeof(rd)) ||
	    copy_out(reg.area_ptr, &area, sizeof(area))) {
		ifq_free(q);
		return -EFAULT;
	}
	/* the queue restarts with its ring full; events have no target yet */
	refill(s, q);
	q->target = ed.type_mask != 0;
	s->next_id++;
	q->next = s->ifqs;
	s->ifqs = q;
	return 0;
}

/* Stop what is armed for a receive or an ifq; the cancellations' CQEs are ours. */
static void ifq_disarm(struct sim *s, struct sim_ifq *q)
{
	struct io_uring_sqe *sqe;
	struct sim_recv *r;

	for (unsigned int i = 0; i < ZCRX_MAX_RECV; i++) {
		r = &q->recv[i];
		if (r->active && r->poll_armed && (sqe = sim_sqe(s))) {
			io_uring_prep_poll_remove(sqe, recv_ud(q, r, SIM_POLL));
			sqe->user_data = recv_ud(q, r, SIM_CANCEL);
		}
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		r->active = false;
	}
	if (q->timer_armed && (sqe = sim_sqe(s))) {
		io_uring_prep_timeout_remove(sqe, SIM_UD(SIM_TIMER, SIM_NO_SLOT, 0, q->id), 0);
		sqe->user_data = SIM_UD(SIM_CANCEL, SIM_NO_SLOT, 0, q->id);
	}
	round_end(s);
}

static void sim_unregister_ifq(struct zcrx_ctx *ctx, uint32_t zcrx_id)
{
	struct sim *s = ctx->backend;
	struct sim_ifq **pp, *q;

	for (pp = &s->ifqs; (q = *pp); pp = &q->next) {
		if (q->id == zcrx_id) {
			*pp = q->next;
			ifq_disarm(s, q);
			ifq_free(q);
			return;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Control                                                             */
/* ------------------------------------------------------------------ */

/* §4.4 */
static int arm_event(struct sim *s, struct sim_ifq *q, const struct zcrx_ctrl_arm_event *a)
{
	uint32_t last = s->p.gen == ZCRX_GEN_MAY2026 ? 1 : __ZCRX_EVENT_TYPE_LAST;

	if (a->event_type >= last)
		return -EINVAL;
	if (!all_zero(a->__resv, sizeof(a->__resv)))
		return -EINVAL;
	if (!(q->latched & (1U << a->event_type)))
		return -EINVAL;
	q->latched &= ~(1U << a->event_type);
	return 0;
}

/* IORING_REGISTER_ZCRX_CTRL in the kernel's order (§5.2) */
static int sim_ctrl(struct zcrx_ctx *ctx, struct zcrx_ctrl *uctrl)
{
	struct sim *s = ctx->backend;
	struct zcrx_ctrl c;
	struct sim_ifq *q;

	/*
	 * The kernel copies the ctrl struct in (EFAULT when unreadable).  It
	 * comes from the same stack page call after call, so once that page
	 * was read through copy_in a plain copy stands for it: re-arming in an
	 * event storm then costs no process_vm_readv.
	 */
	if (s->ctrl_page && ((uintptr_t)uctrl & ~4095UL) == s->ctrl_page &&
	    (((uintptr_t)uctrl + sizeof(c) - 1) & ~4095UL) == s->ctrl_page) {
		memcpy(&c, uctrl, sizeof(c));
	} else {
		if (copy_in(&c, (uintptr_t)uctrl, sizeof(c)))
			return -EFAULT;
		s->ctrl_page = (uintptr_t)uctrl & ~4095UL;
	}
	if (c.__resv[0] || c.__resv[1])
		return -EFAULT;
	q = find_ifq(s, c.zcrx_id);
	if (!q)
		return -ENXIO;
	if (c.op >= s->caps.nr_ctrl_opcodes)
		return -EOPNOTSUPP;
	switch (c.op) {
	case ZCRX_CTRL_FLUSH_RQ:
		if (!all_zero(&c.zc_flush, sizeof(c.zc_flush)))
			return -EINVAL;
		flush_rq(q);
		return 0;
	case ZCRX_CTRL_EXPORT:
		if (!all_zero(&c.zc_export, sizeof(c.zc_export)))
			return -EINVAL;
		/* sharing a zcrx with another ring is not modelled */
		return -EOPNOTSUPP;
	case ZCRX_CTRL_ARM_EVENT:
		return arm_event(s, q, &c.zc_arm_event);
	}
	return -EOPNOTSUPP;
}

/* ------------------------------------------------------------------ */
/* The data path                                                       */
/* ------------------------------------------------------------------ */

/* What the kernel would answer at issue for this fd: 0, or the CQE's -errno. */
static int recv_fd_check(int fd)
{
	int proto, type;
	socklen_t len = sizeof(proto);

	if (fd == -1)
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

/*
 * The receive is on the books at once (so zcrx_sim_step() can feed it);
 * sqe becomes our START NOP, and what drives the receive is armed when its
 * CQE shows the SQE was issued.  A receive the kernel would refuse becomes
 * a NOP completing with the kernel's -errno under the receive's user_data.
 */
static int sim_prep_recv(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct io_uring_sqe *sqe,
			 int fd, uint32_t len, uint64_t user_data)
{
	struct sim *s = ctx->backend;
	struct sim_ifq *q = find_ifq(s, zcrx_id);
	struct sim_recv *r = NULL;
	int err = q ? recv_fd_check(fd) : -EINVAL;
	int dup_fd = -1;
	uint16_t gen;

	if (!err && fd >= 0) {
		dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (dup_fd < 0)
			return -errno;
	}
	for (unsigned int i = 0; !err && i < ZCRX_MAX_RECV; i++) {
		if (!q->recv[i].active) {
			r = &q->recv[i];
			break;
		}
	}
	if (!err && !r) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -EBUSY;
	}

	io_uring_prep_nop(sqe);
	if (err) {
		sqe->rw_flags = ZCRX_NOP_INJECT_RESULT;
		sqe->len = (uint32_t)err;
		sqe->user_data = user_data;
		return 0;
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
	sqe->user_data = recv_ud(q, r, SIM_START);
	return 0;
}

static bool sim_cqe_more(struct zcrx_ctx *ctx, uint32_t zcrx_id, const struct io_uring_cqe *cqe)
{
	(void)ctx;
	(void)zcrx_id;
	/* every data CQE has more to come; the one ending a receive has res <= 0 */
	return cqe->res > 0;
}

static bool sim_own_cqe(struct zcrx_ctx *ctx, const struct io_uring_cqe *cqe)
{
	struct sim *s = ctx->backend;
	uint64_t ud = cqe->user_data;
	struct sim_recv *r = NULL;
	struct sim_ifq *q;
	unsigned int slot;

	if (ud >> 48 != SIM_UD_MAGIC)
		return false;
	/* an ifq unregistered since, or a receive ended since: nothing to do */
	q = find_ifq(s, SIM_UD_ID(ud));
	if (!q)
		return true;
	slot = SIM_UD_SLOT(ud);
	if (slot < ZCRX_MAX_RECV && q->recv[slot].active && q->recv[slot].gen == SIM_UD_GEN(ud))
		r = &q->recv[slot];

	switch (SIM_UD_KIND(ud)) {
	case SIM_START:
		if (!r)
			break;
		/* synthetic traffic starts now, not when the last synthetic receive ended */
		if (r->fd < 0 && !synth_recv(q)) {
			q->last_ns = now_ns();
			q->credit_ns = 0;
		}
		r->started = true;
		service(s, q, false);
		break;
	case SIM_POLL:
		if (!r)
			break;
		if (!(cqe->flags & ZCRX_CQE_F_MORE))
			r->poll_armed = false;
		service(s, q, false);
		break;
	case SIM_TIMER:
		q->timer_armed = false;
		service(s, q, false);
		break;
	case SIM_KICK:
		q->kick_armed = false;
		service(s, q, true);
		break;
	default:
		break;
	}
	return true;
}

/*
 * n packets arrive now, whatever the mode: each is delivered, or dropped
 * when the RX ring is empty, until the CQ has no room (the sender waits) or
 * the sockets have nothing more.  Returns the number delivered.
 */
static int sim_step(struct zcrx_ctx *ctx, uint32_t zcrx_id, unsigned int n)
{
	struct sim *s = ctx->backend;
	struct sim_ifq *q = find_ifq(s, zcrx_id);
	unsigned int arrived = 0;
	enum pkt_ret ret = PKT_DONE;
	struct sim_recv *r;
	int delivered = 0;

	if (!q)
		return -ENXIO;
	round_begin(s);
	for (unsigned int i = 0; i < ZCRX_MAX_RECV && ret != PKT_BLOCKED; i++) {
		r = &q->recv[i];
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

static int sim_counters(struct zcrx_ctx *ctx, uint32_t zcrx_id, struct zcrx_sim_counters *c)
{
	struct sim_ifq *q = find_ifq(ctx->backend, zcrx_id);

	if (!q)
		return -ENXIO;
	*c = q->c;
	c->free_bufs = q->nr_free;
	c->rx_ring_fill = q->rx_fill;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

static int sim_init(struct zcrx_ctx *ctx)
{
	struct sim *s;

	if ((unsigned int)ctx->sim.gen > ZCRX_GEN_7_2 || ctx->sim.copy_permille > 1000 ||
	    ctx->sim.pkt_size > SIM_PKT_MAX)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ctx = ctx;
	s->p = ctx->sim;
	if (!s->p.rx_ring)
		s->p.rx_ring = SIM_RX_RING_DEFAULT;
	if (!s->p.pkt_size)
		s->p.pkt_size = SIM_PKT_SIZE_DEFAULT;
	zcrx_sim_caps(s->p.gen, &s->caps);
	ctx->backend = s;
	return 0;
}

static void sim_fini(struct zcrx_ctx *ctx)
{
	struct sim *s = ctx->backend;
	struct sim_ifq *q;

	if (!s)
		return;
	while ((q = s->ifqs)) {
		s->ifqs = q->next;
		ifq_disarm(s, q);
		ifq_free(q);
	}
	free(s);
	ctx->backend = NULL;
}

const struct zcrx_backend_ops zcrx_sim_backend = {
	.name		= "sim",
	.init		= sim_init,
	.fini		= sim_fini,
	.probe		= sim_probe,
	.register_ifq	= sim_register_ifq,
	.ctrl		= sim_ctrl,
	.unregister_ifq	= sim_unregister_ifq,
	.prep_recv	= sim_prep_recv,
	.own_cqe	= sim_own_cqe,
	.cqe_more	= sim_cqe_more,
	.sim_step	= sim_step,
	.sim_counters	= sim_counters,
};
