// SPDX-License-Identifier: MIT
/*
 * Who holds a queue (issue 12, stale bindings): the words for a queue that
 * still carries a memory provider, the same from zcrx_diagnose()'s EEXIST
 * and EBUSY, with the holder's pid and "still bound after DUR" as zcrxctl
 * adds them; the simulator's stale binding seen through zcrx_queue_holder(),
 * a refused registration and zcrx_queue_wait_clear(); the pid of a live
 * session found at its socket; and the running kernel's queue-get on lo
 * and, in the VM tier, on virtio_net's eth0.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "zcrx.h"
#include "zcrx_diag.h"
#include "zcrx_sim.h"
#include "preflight.h"
#include "rundir.h"

#define ASYNC	"the kernel tears a provider down asynchronously after its process exits"
#define FIX	"wait for the queue to clear (zcrxctl: --wait-clear DUR)"

static void assert_has(const char *s, const char *what)
{
	if (!strstr(s, what))
		fail_msg("'%s' lacks '%s'", s, what);
}

/* Each kind in words, with the asynchrony and the fix. */
static void test_holder_words(void **state)
{
	struct zcrx_queue_holder io = { .mp = ZCRX_MP_IO_URING };
	struct zcrx_queue_holder dma = { .mp = ZCRX_MP_DMABUF, .dmabuf = 7 };
	struct zcrx_queue_holder xsk = { .mp = ZCRX_MP_XSK };
	char buf[1024];

	(void)state;
	assert_true(zcrx_queue_holder_str("eth0", 3, &io, buf, sizeof(buf)) > 0);
	assert_has(buf, "queue 3 of eth0 already has an io_uring zcrx memory provider bound");
	assert_has(buf, ASYNC);
	assert_has(buf, "stop the process whose ring holds it");
	assert_has(buf, FIX);
	assert_true(zcrx_queue_holder_str("eth0", 3, &dma, buf, sizeof(buf)) > 0);
	assert_has(buf, "queue 3 of eth0 is bound to a devmem dmabuf (id 7)");
	assert_has(buf, ASYNC);
	assert_true(zcrx_queue_holder_str("eth0", 3, &xsk, buf, sizeof(buf)) > 0);
	assert_has(buf, "an AF_XDP socket uses queue 3 of eth0");
	assert_has(buf, FIX);
}

/* A free queue has no sentence; a short buffer gets the length needed. */
static void test_holder_str_edges(void **state)
{
	struct zcrx_queue_holder none = { 0 }, io = { .mp = ZCRX_MP_IO_URING };
	char big[1024], small[16];
	int n;

	(void)state;
	strcpy(big, "junk");
	assert_int_equal(zcrx_queue_holder_str("eth0", 0, &none, big, sizeof(big)), -EINVAL);
	assert_string_equal(big, "");
	assert_int_equal(zcrx_queue_holder_str("eth0", 0, NULL, big, sizeof(big)), -EINVAL);
	n = zcrx_queue_holder_str("eth0", 0, &io, big, sizeof(big));
	assert_int_equal(n, (int)strlen(big));
	assert_int_equal(zcrx_queue_holder_str("eth0", 0, &io, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(zcrx_queue_holder_str("eth0", 0, &io, NULL, 0), n);
}

/* zcrx_diagnose()'s EEXIST and EBUSY say what zcrx_queue_holder_str() says. */
static void test_diagnose_same_words(void **state)
{
	static const struct {
		int		err;
		unsigned int	mp;
	} rows[] = {
		{ -EEXIST, ZCRX_MP_IO_URING }, { -EEXIST, ZCRX_MP_DMABUF }, { -EBUSY, ZCRX_MP_XSK },
	};
	struct zcrx_rxq q = { .id = 2, .dmabuf = 4 };
	struct zcrx_netdev dev = { .ifindex = 0, .rxq = &q, .nr_rxq = 1 };
	struct zcrx_queue_holder h = { .dmabuf = 4 };
	char diag[1024], words[1024];

	(void)state;
	/* a name-only view with the one queue a look-up found (lib/ifq.c does this) */
	strcpy(dev.name, "eth1");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		q.mp = h.mp = rows[i].mp;
		assert_true(zcrx_diagnose(ZCRX_OP_REGISTER, rows[i].err, &dev, 2, NULL, diag,
					  sizeof(diag)) > 0);
		assert_true(zcrx_queue_holder_str("eth1", 2, &h, words, sizeof(words)) > 0);
		assert_has(diag, "registering a zcrx ifq on eth1 queue 2 got E");
		assert_has(diag, words);
	}
	/* without any view: the generic words still name the asynchrony and the wait */
	dev.nr_rxq = 0;
	zcrx_diagnose(ZCRX_OP_REGISTER, -EEXIST, &dev, 2, NULL, diag, sizeof(diag));
	assert_has(diag, "a memory provider is already bound to queue 2");
	assert_has(diag, ASYNC);
	assert_has(diag, FIX);
}

/* zcrxctl's sentence: the library's words, the holder's pid, still bound after DUR. */
static void test_preflight_msg(void **state)
{
	struct zcrx_queue_holder io = { .mp = ZCRX_MP_IO_URING };
	char words[1024], msg[1024], small[40];
	int n;

	(void)state;
	zcrx_queue_holder_str("eth0", 1, &io, words, sizeof(words));
	n = preflight_msg(msg, sizeof(msg), "eth0", 1, &io, 0, NULL, NULL);
	assert_string_equal(msg, words);
	assert_int_equal(n, (int)strlen(words));

	preflight_msg(msg, sizeof(msg), "eth0", 1, &io, 4242, "/run/zcrxctl/eth0.1.sock", "5s");
	assert_true(!strncmp(msg, words, strlen(words)));
	assert_string_equal(msg + strlen(words),
			    "; it is held by the zcrxctl session pid 4242 (/run/zcrxctl/eth0.1.sock):"
			    " `kill 4242` releases it; still bound after 5s");

	preflight_msg(msg, sizeof(msg), "eth0", 1, &io, 0, NULL, "300ms");
	assert_string_equal(msg + strlen(words), "; still bound after 300ms");

	n = preflight_msg(msg, sizeof(msg), "eth0", 1, &io, 77, "s", "1s");
	assert_int_equal(preflight_msg(small, sizeof(small), "eth0", 1, &io, 77, "s", "1s"), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* A listening socket at dir/DEV.QUEUE.sock, by a child: its pid (it waits to be killed). */
static pid_t child_session(const char *dir, const char *dev, uint32_t queue)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int p[2], fd;
	pid_t pid;
	char c;

	assert_int_equal(session_sock_name(sa.sun_path, sizeof(sa.sun_path), dir, dev, queue), 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4))
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

/* The pid of a live session at the queue's socket; never our own; none once it is gone. */
static void test_session_pid(void **state)
{
	char dir[] = "/tmp/zcrxt-holder.XXXXXX", path[108];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	pid_t child;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(preflight_session_pid(dir, "sim0", 0), 0);
	assert_int_equal(preflight_session_pid(NULL, "sim0", 0), 0);

	child = child_session(dir, "sim0", 0);
	assert_int_equal(preflight_session_pid(dir, "sim0", 0), child);
	assert_int_equal(preflight_session_pid(dir, "sim0", 1), 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(preflight_session_pid(dir, "sim0", 0), 0);

	/* our own session's socket (bind claims it before registering) is no holder */
	assert_int_equal(session_sock_name(path, sizeof(path), dir, "sim0", 0), 0);
	unlink(path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(preflight_session_pid(dir, "sim0", 0), 0);
	close(fd);
	unlink(path);
	rmdir(dir);
}

/* The simulator's stale binding: seen by the look-up, refused with the words, waited out. */
static void test_sim_stale(void **state)
{
	struct zcrx_sim_params p = { .gen = ZCRX_GEN_7_2, .step = true,
				     .stale_ns = 300 * 1000000ULL };
	struct zcrx_ifq_opts o = { .ifname = "sim0", .queue = 0 };
	struct zcrx_queue_holder h;
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;
	struct zcrx_diag d;

	(void)state;
	assert_int_equal(zcrx_sim_ctx_create(&ctx, &p, NULL), 0);
	assert_int_equal(zcrx_queue_holder(ctx, "sim0", 0, &h), 0);
	assert_int_equal(h.mp, ZCRX_MP_IO_URING);
	assert_int_equal(zcrx_queue_holder(ctx, "sim0", 0, NULL), -EINVAL);

	/* the kernel's EEXIST, worded with the backend's look-up (no netdev view) */
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), -EEXIST);
	assert_has(d.msg, "got EEXIST");
	assert_has(d.msg, "queue 0 of sim0 already has an io_uring zcrx memory provider bound");
	assert_has(d.msg, ASYNC);

	/* a short wait runs out with the provider still there */
	assert_int_equal(zcrx_queue_wait_clear(ctx, "sim0", 0, 10 * 1000000ULL, &h), -ETIMEDOUT);
	assert_int_equal(h.mp, ZCRX_MP_IO_URING);
	/* a long one returns once it is gone, and the queue binds */
	assert_int_equal(zcrx_queue_wait_clear(ctx, "sim0", 0, 60 * 1000000000ULL, &h), 0);
	assert_int_equal(h.mp, 0);
	assert_int_equal(zcrx_ifq_open(ctx, &o, &ifq, &d), 0);
	zcrx_ifq_close(ifq);
	zcrx_ctx_destroy(ctx);
}

/* No stale_ns: a free queue; NODEV binds no NIC queue, so a stale one does not stop it. */
static void test_sim_free_and_nodev(void **state)
{
	struct zcrx_sim_params p = { .gen = ZCRX_GEN_7_2, .step = true };
	struct zcrx_ifq_opts nodev = { .nodev = true };
	struct zcrx_queue_holder h;
	struct zcrx_ctx *ctx;
	struct zcrx_ifq *ifq;

	(void)state;
	assert_int_equal(zcrx_sim_ctx_create(&ctx, &p, NULL), 0);
	memset(&h, 0xa5, sizeof(h));
	assert_int_equal(zcrx_queue_holder(ctx, "sim0", 5, &h), 0);
	assert_int_equal(h.mp, 0);
	assert_int_equal(h.__resv[0], 0);
	assert_int_equal(zcrx_queue_wait_clear(ctx, "sim0", 5, 0, &h), 0);
	zcrx_ctx_destroy(ctx);

	p.stale_ns = 3600 * 1000000000ULL;
	assert_int_equal(zcrx_sim_ctx_create(&ctx, &p, NULL), 0);
	assert_int_equal(zcrx_ifq_open(ctx, &nodev, &ifq, NULL), 0);
	zcrx_ifq_close(ifq);
	zcrx_ctx_destroy(ctx);
}

/*
 * The running kernel's queue-get (ctx NULL): lo's queue 0 carries no
 * provider, a queue beyond its count and a missing device are errors.
 */
static void test_kernel_queue_get(void **state)
{
	struct zcrx_queue_holder h;
	int ret;

	(void)state;
	assert_int_equal(zcrx_queue_holder(NULL, "zcrxt-none0", 0, &h), -ENODEV);
	assert_int_equal(zcrx_queue_holder(NULL, "", 0, &h), -ENODEV);
	ret = zcrx_queue_holder(NULL, "lo", 0, &h);
	if (ret == -ENOENT || ret == -EPERM || ret == -EOPNOTSUPP || ret == -ENODEV) {
		print_message("no queue-get here (%s): skipped\n", strerror(-ret));
		skip();
	}
	assert_int_equal(ret, 0);
	assert_int_equal(h.mp, 0);
	assert_int_equal(h.ifindex, if_nametoindex("lo"));
	assert_int_equal(zcrx_queue_holder(NULL, "lo", 4096, &h), -EINVAL);
	assert_int_equal(h.mp, 0);
	assert_int_equal(zcrx_queue_wait_clear(NULL, "lo", 0, 1000000000ULL, &h), 0);
}

/*
 * The VM tier's 2-queue virtio_net (ZCRX_VM_NIC=1): a real NIC queue, free,
 * and the kernel's -EINVAL past real_num_rx_queues.
 */
static void test_kernel_nic_queue(void **state)
{
	const char *nic = getenv("ZCRX_VM_NIC");
	struct zcrx_queue_holder h;

	(void)state;
	if (!nic || strcmp(nic, "1")) {
		print_message("no VM NIC here (the VM tier sets ZCRX_VM_NIC=1): skipped\n");
		skip();
	}
	assert_int_equal(zcrx_queue_holder(NULL, "eth0", 1, &h), 0);
	assert_int_equal(h.mp, 0);
	assert_int_equal(h.ifindex, if_nametoindex("eth0"));
	assert_int_equal(zcrx_queue_holder(NULL, "eth0", 2, &h), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holder_words),
		cmocka_unit_test(test_holder_str_edges),
		cmocka_unit_test(test_diagnose_same_words),
		cmocka_unit_test(test_preflight_msg),
		cmocka_unit_test(test_session_pid),
		cmocka_unit_test(test_sim_stale),
		cmocka_unit_test(test_sim_free_and_nodev),
		cmocka_unit_test(test_kernel_queue_get),
		cmocka_unit_test(test_kernel_nic_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
