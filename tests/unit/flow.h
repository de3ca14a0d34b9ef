/* SPDX-License-Identifier: MIT */
/*
 * One ifq driven as an application drives it, straight through the seam's
 * backend ops (the simulator's or the kernel's): a ring, the registration
 * structs a test mutates, the area and the refill region they point at, and
 * a loopback TCP stream to receive from.  The conformance tables and the
 * differential test share it; skip_because() and tcp_pair() serve every
 * test here that meets the kernel.
 */
#ifndef FLOW_H
#define FLOW_H

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <cmocka.h>

#include "zcrx.h"
#include "kabi.h"
#include "backend.h"
#include "internal.h"
#include "sim_int.h"

#define PAGE		((uint64_t)sysconf(_SC_PAGESIZE))
#define KV(maj, min)	((maj) * 100 + (min))

#define REGION_PAGES	132		/* room for a clamped 32768-entry ring */
#define RQ		64
#define EV_UD		0x7a637278ffff0000ULL
#define RECV_UD		0x1234ULL

#define skip_because(...)					\
	do {							\
		print_message("# SKIP reason: " __VA_ARGS__);	\
		print_message("\n");				\
		skip();						\
	} while (0)

/* Timeouts stretch 20 times under TCG in a VM. */
static inline int tmo(int ms)
{
	return getenv("ZCRX_IN_VM") ? 20 * ms : ms;
}

struct flow {
	struct zcrx_ctx			*ctx;		/* zcrx_ctx_create() or _adopt() */
	struct io_uring			ring;		/* a hand-made ring ... */
	struct zcrx_ctx			bare;		/* ... and a ctx around it */
	bool				has_ring, has_bare;
	struct io_uring_zcrx_ifq_reg	reg;
	struct io_uring_zcrx_area_reg	area;
	struct io_uring_region_desc	rd;
	struct zcrx_event_desc		ed;
	uint8_t				*area_mem, *region_mem, *none;
	size_t				area_max;	/* bytes mapped at area_mem */
	uint32_t			id, rq_tail;
	bool				reap_some;	/* reap() leaves what max has no room for */
	int				lfd, cli, srv;	/* a stream: cli writes, srv receives */
	uint64_t			tx, rx;		/* its bytes written, and checked */
};

struct rec {
	uint64_t	ud;
	int		res;
	uint32_t	flags;
	uint64_t	off;
	bool		more;
};

/* ------------------------------------------------------------------ */
/* Locked memory                                                       */
/* ------------------------------------------------------------------ */

/*
 * Without CAP_IPC_LOCK, io_uring charges every ring's SQ/CQ memory, every
 * registered region (the refill ring) and every zcrx area to the user's
 * RLIMIT_MEMLOCK, one budget per uid shared by all its processes, and gives
 * it back only in the ring's teardown, which a kworker runs some time after
 * the last close (an RCU grace period for DEFER_TASKRUN rings).  Cases that
 * open rings back to back (the conformance tables open several hundred) run
 * ahead of that teardown: with the default 8 MiB they got ENOMEM though no
 * case holds more than about 100 KiB.  A setup step that gets ENOMEM so waits
 * for the budget to come back (memlock_again()), and a case that needs more
 * than the limit allows at all is skipped, saying so.
 */
#define FLOW_SQ_DEFAULT		256	/* lib/ctx.c's ZCRX_SQ_ENTRIES_DEFAULT */
#define MEMLOCK_WAIT_MS		20000

/* The pages the kernel charges for n bytes: a whole power-of-two allocation. */
static inline unsigned long charged_pages(unsigned long bytes)
{
	unsigned long pages = (bytes + PAGE - 1) / PAGE, p = 1;

	while (p < pages)
		p <<= 1;
	return p;
}

/* About what a ring of sq SQEs and cq CQEs charges, in KiB: the rings
 * (header, CQEs, SQ array) and the SQEs. */
static inline unsigned long ring_kib(unsigned int sq, unsigned int cq, bool cqe32)
{
	unsigned long rings = 256 + (unsigned long)cq * (cqe32 ? 32 : 16) + 4UL * sq;

	return (charged_pages(rings) + charged_pages(64UL * sq)) * PAGE / 1024;
}

/* The process has CAP_IPC_LOCK (capability 14): nothing it maps is charged. */
static inline bool has_ipc_lock(void)
{
	char line[128];
	unsigned long long eff = 0;
	FILE *fp = fopen("/proc/self/status", "r");

	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(fp);
	return eff & (1ULL << 14);
}

/*
 * After a setup step returned ret: true when it should be tried again, that
 * is ret is ENOMEM, the process is charged for locked memory and the budget
 * may still come back (MEMLOCK_WAIT_MS from *t0, which starts zeroed).  The
 * test is skipped when RLIMIT_MEMLOCK is below need_kib, what the step's case
 * holds at once.
 */
static inline bool memlock_again(int ret, unsigned long need_kib, struct timespec *t0)
{
	struct rlimit rl;
	struct timespec now;
	long ms;

	if (ret != -ENOMEM || has_ipc_lock())
		return false;
	if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 1024 < need_kib)
		skip_because("needs %lu KiB of locked memory, RLIMIT_MEMLOCK is %llu KiB", need_kib,
			     (unsigned long long)rl.rlim_cur / 1024);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!t0->tv_sec && !t0->tv_nsec)
		*t0 = now;
	ms = (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
	if (ms >= tmo(MEMLOCK_WAIT_MS)) {
		print_message("# locked memory (RLIMIT_MEMLOCK %llu KiB) stayed in use for %d ms:"
			      " rings left open, or other processes of this user\n",
			      (unsigned long long)rl.rlim_cur / 1024, tmo(MEMLOCK_WAIT_MS));
		return false;
	}
	usleep(2000);
	return true;
}

/* ------------------------------------------------------------------ */
/* Memory, ring and ctx                                                */
/* ------------------------------------------------------------------ */

/* An area of area_pages, the refill region and an unreadable page; -1 if mmap fails. */
static inline int flow_map(struct flow *f, unsigned int area_pages)
{
	memset(f, 0, sizeof(*f));
	f->lfd = f->cli = f->srv = -1;
	f->area_max = area_pages * PAGE;
	f->area_mem = mmap(NULL, f->area_max, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->region_mem = mmap(NULL, REGION_PAGES * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->area_mem == MAP_FAILED || f->region_mem == MAP_FAILED || f->none == MAP_FAILED)
		return -1;
	return 0;
}

/* A good registration of area_pages and one page of region, without a device yet. */
static inline void flow_reg_init(struct flow *f, unsigned int area_pages)
{
	memset(&f->reg, 0, sizeof(f->reg));
	memset(&f->ed, 0, sizeof(f->ed));
	f->area = (struct io_uring_zcrx_area_reg){
		.addr = (uintptr_t)f->area_mem, .len = area_pages * PAGE,
	};
	f->rd = (struct io_uring_region_desc){
		.user_addr = (uintptr_t)f->region_mem, .size = PAGE,
		.flags = IORING_MEM_REGION_TYPE_USER,
	};
	f->reg.rq_entries = RQ;
	f->reg.area_ptr = (uintptr_t)&f->area;
	f->reg.region_ptr = (uintptr_t)&f->rd;
}

static inline int flow_ring_init(struct flow *f, unsigned int flags)
{
	int ret = io_uring_queue_init(8, &f->ring, flags);

	f->has_ring = !ret;
	return ret;
}

/* Undo a ctx setup that failed midway, to try it again. */
static inline void flow_unring(struct flow *f)
{
	if (f->ctx)
		zcrx_ctx_destroy(f->ctx);
	f->ctx = NULL;
	if (f->has_ring)
		io_uring_queue_exit(&f->ring);
	f->has_ring = f->has_bare = false;
}

/* A ring zcrx_ctx_adopt() would refuse, and a ctx the seam accepts around it. */
static inline int flow_bare_ctx(struct flow *f, unsigned int flags, bool kernel,
				const struct zcrx_sim_params *sp)
{
	int ret = flow_ring_init(f, flags);

	if (ret)
		return ret;
	f->bare.ring = &f->ring;
	f->bare.ring_flags = flags;
	f->bare.ops = kernel ? &zcrx_kernel_backend : &zcrx_sim_backend;
	if (f->bare.ops->init && (ret = f->bare.ops->init(&f->bare, sp)))
		return ret;
	f->has_bare = true;
	return 0;
}

/* The ifqs go first: they still point into the memory. */
static inline void flow_close(struct flow *f)
{
	if (f->ctx)
		zcrx_ctx_destroy(f->ctx);
	if (f->has_bare && f->bare.ops->fini)
		f->bare.ops->fini(&f->bare);
	if (f->has_ring)
		io_uring_queue_exit(&f->ring);
	if (f->lfd >= 0)
		close(f->lfd);
	if (f->srv >= 0)
		close(f->srv);
	if (f->cli >= 0)
		close(f->cli);
	munmap(f->area_mem, f->area_max);
	munmap(f->region_mem, REGION_PAGES * PAGE);
	munmap(f->none, PAGE);
}

/* The ctx the seam sees. */
static inline struct zcrx_ctx *flow_ctx(struct flow *f)
{
	return f->has_bare ? &f->bare : f->ctx;
}

static inline struct io_uring *ring_of(struct flow *f)
{
	return flow_ctx(f)->ring;
}

/* ------------------------------------------------------------------ */
/* Registering, receiving, refilling                                   */
/* ------------------------------------------------------------------ */

static inline void with_events(struct flow *f, uint32_t mask)
{
	f->ed.user_data = EV_UD;
	f->ed.type_mask = mask;
	f->reg.event_desc = (uintptr_t)&f->ed;
}

static inline void with_stats(struct flow *f, uint64_t off)
{
	f->ed.flags = ZCRX_EVENT_DESC_FLAG_STATS;
	f->ed.stats_offset = off;
	f->reg.event_desc = (uintptr_t)&f->ed;
}

static inline struct zcrx_stats *stats_of(struct flow *f)
{
	return (struct zcrx_stats *)(f->region_mem + f->ed.stats_offset);
}

/* Register as it stands, with events (mask >= 0) and stats at stats_off (not 0). */
static inline void flow_register(struct flow *f, int mask, uint64_t stats_off)
{
	if (mask >= 0)
		with_events(f, mask);
	if (stats_off)
		with_stats(f, stats_off);
	assert_int_equal(zcrx_register_raw(flow_ctx(f), &f->reg), 0);
	f->id = f->reg.zcrx_id;
}

static inline int ctrl(struct flow *f, uint32_t op, uint32_t arg)
{
	struct zcrx_ctrl c = { .zcrx_id = f->id, .op = op };

	c.zc_arm_event.event_type = arg;
	return zcrx_ctrl_raw(flow_ctx(f), &c);
}

/*
 * What zcrx_ifq_open() tells the backend once the ifq is set up: the event
 * user_data, which the simulator's wake-ups on the ring carry.
 */
static inline void flow_ready(struct flow *f)
{
	const struct zcrx_backend_ops *ops = flow_ctx(f)->ops;

	if (ops->ifq_ready)
		ops->ifq_ready(flow_ctx(f), f->id, EV_UD);
}

static inline void recv_start(struct flow *f, int fd, uint32_t len, uint64_t ud)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring_of(f));

	assert_non_null(sqe);
	flow_ready(f);
	assert_int_equal(flow_ctx(f)->ops->prep_recv(flow_ctx(f), f->id, sqe, fd, len, ud), 0);
	io_uring_submit(ring_of(f));
}

/*
 * Reap what is there: the backend's own CQEs go to it, the rest are recorded.
 * More than max is a failure, unless f->reap_some: then the rest wait.
 */
static inline int reap(struct flow *f, struct rec *out, int max)
{
	const struct zcrx_backend_ops *ops = flow_ctx(f)->ops;
	struct io_uring_cqe *cqe;
	int n = 0;

	io_uring_submit(ring_of(f));
	while ((!f->reap_some || n < max) && !io_uring_peek_cqe(ring_of(f), &cqe)) {
		if (!ops->own_cqe || !ops->own_cqe(flow_ctx(f), cqe)) {
			assert_true(n < max);
			out[n++] = (struct rec){
				.ud = cqe->user_data, .res = cqe->res, .flags = cqe->flags,
				.off = cqe->big_cqe[0],
				.more = ops->cqe_more(flow_ctx(f), f->id, cqe),
			};
		}
		io_uring_cqe_seen(ring_of(f), cqe);
	}
	return n;
}

/* Wait on the ring only, as an application does, until want CQEs or timeout. */
static inline int reap_wait(struct flow *f, struct rec *out, int max, int want, int timeout_ms)
{
	struct __kernel_timespec ts = { .tv_nsec = 10 * 1000000 };
	struct io_uring_cqe *cqe;
	int n = 0;

	for (int waited = 0; n < want && waited < timeout_ms; waited += 10) {
		io_uring_submit_and_wait_timeout(ring_of(f), &cqe, 1, &ts, NULL);
		n += reap(f, out + n, max - n);
	}
	return n;
}

/* Reap until bytes of ud's data came or its receive ended, then what else is due. */
static inline int reap_data(struct flow *f, struct rec *r, int max, uint64_t ud, uint32_t bytes)
{
	uint32_t got = 0;
	bool ended = false;
	int n = 0, k;

	for (int waited = 0; got < bytes && !ended && waited < tmo(2000); waited += 10) {
		k = reap_wait(f, r + n, max - n, 1, 10);
		for (int i = n; i < n + k; i++) {
			if (r[i].ud != ud)
				continue;
			got += r[i].res > 0 ? r[i].res : 0;
			ended |= !r[i].more;
		}
		n += k;
	}
	return n + reap_wait(f, r + n, max - n, max - n, tmo(20));
}

static inline uint32_t rq_head(struct flow *f)
{
	return __atomic_load_n((uint32_t *)(f->region_mem + f->reg.offsets.head),
			       __ATOMIC_ACQUIRE);
}

static inline void give_back(struct flow *f, uint64_t off, uint32_t len, uint32_t pad)
{
	struct io_uring_zcrx_rqe *rqes = (void *)(f->region_mem + f->reg.offsets.rqes);
	struct io_uring_zcrx_rqe *rqe = &rqes[f->rq_tail++ & (f->reg.rq_entries - 1)];

	rqe->off = off;
	rqe->len = len;
	rqe->__pad = pad;
	__atomic_store_n((uint32_t *)(f->region_mem + f->reg.offsets.tail), f->rq_tail,
			 __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------ */
/* A loopback TCP stream                                               */
/* ------------------------------------------------------------------ */

/* A connected pair on 127.0.0.1 and the listener it came through. */
static inline void tcp_pair(int *lfd, int *cli, int *srv)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t sl = sizeof(sa);

	*lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	*cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*lfd >= 0 && *cli >= 0);
	assert_int_equal(bind(*lfd, (void *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(*lfd, 1), 0);
	assert_int_equal(getsockname(*lfd, (void *)&sa, &sl), 0);
	assert_int_equal(connect(*cli, (void *)&sa, sizeof(sa)), 0);
	*srv = accept4(*lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(*srv >= 0);
}

/* Three fds a receive cannot take: a UDP socket, a pipe, and one not open. */
static inline void bad_fds(struct flow *f, int fds[3])
{
	int p[2];

	f->lfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	f->srv = p[0];
	f->cli = p[1];
	fds[0] = f->lfd;
	fds[1] = p[0];
	fds[2] = 999;
}

static inline uint8_t tcp_byte(uint64_t i)
{
	return (i ^ (i >> 8) ^ (i >> 16)) * 31 + 5;
}

struct tx_job {
	int		fd;
	const void	*buf;
	size_t		len;
	ssize_t		ret;
};

static inline void *tx_thread(void *arg)
{
	struct tx_job *j = arg;

	j->ret = write(j->fd, j->buf, j->len);
	return NULL;
}

/*
 * The next len bytes of the stream, in one write, from a thread of its own.
 * TCP copies what it sends into the sending task's page fragment (32 KiB,
 * shared by every socket of the thread), and the kernel's copy path starts
 * a new zcrx buffer, so a new CQE, at each fragment boundary: after earlier
 * writes had left 2192 bytes in the fragment, 7.2 split 5000 bytes 2192 +
 * 2808 where it otherwise gives 4096 + 904 (test_differential failed on
 * it).  A new thread starts with no fragment: the split depends only on len.
 */
static inline void tx(struct flow *f, uint32_t len)
{
	static uint8_t buf[65536];
	struct tx_job j = { .fd = f->cli, .buf = buf, .len = len };
	pthread_t t;

	assert_true(len <= sizeof(buf));
	for (uint32_t i = 0; i < len; i++)
		buf[i] = tcp_byte(f->tx + i);
	assert_int_equal(pthread_create(&t, NULL, tx_thread, &j), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(j.ret, (ssize_t)len);
	f->tx += len;
}

/* The first of len bytes at the CQE offset off that is not the stream's next; -1: none. */
static inline int stream_differs(const struct flow *f, uint64_t off, int len)
{
	const uint8_t *p = f->area_mem + (off & ~IORING_ZCRX_AREA_MASK);

	for (int k = 0; k < len; k++)
		if (p[k] != tcp_byte(f->rx + k))
			return k;
	return -1;
}

#endif
