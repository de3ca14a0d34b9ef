// SPDX-License-Identifier: MIT
/*
 * What the engine tells a person and how it hands buffers back: the
 * diagnosis text for each kernel answer, checked against a table, and the
 * consumer policies, on the fake kernel of engine_fixture.h.
 */
#include <stdio.h>
#include <net/if.h>

#include "engine_fixture.h"
#include "zcrx_diag.h"

/* ------------------------------------------------------------------ */
/* Diagnosis                                                           */
/* ------------------------------------------------------------------ */

static struct zcrx_rxq test_rxq[4];

/* A healthy mlx5 port: 4 combined channels, split on, threshold 0. */
static void nic(struct zcrx_netdev *d, const char *name, const char *driver, bool parent)
{
	memset(d, 0, sizeof(*d));
	memset(test_rxq, 0, sizeof(test_rxq));
	d->ifindex = 5;
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->driver, sizeof(d->driver), "%s", driver);
	d->has_parent = parent;
	d->flags = IFF_UP;
	d->rings_have = 1U << ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT |
			1U << ZCRX_ETHTOOL_A_RINGS_HDS_THRESH;
	d->rings[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT] = ZCRX_ETHTOOL_TCP_DATA_SPLIT_ENABLED;
	d->channels_have = 1U << ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT |
			   1U << ZCRX_ETHTOOL_A_CHANNELS_COMBINED_MAX;
	d->channels[ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT] = 4;
	d->channels[ZCRX_ETHTOOL_A_CHANNELS_COMBINED_MAX] = 16;
	for (uint32_t i = 0; i < 4; i++)
		test_rxq[i].id = i;
	d->rxq = test_rxq;
	d->nr_rxq = 4;
	d->nr_rx_sysfs = 4;
}

enum tweak {
	T_NONE, T_LO, T_TDS_OFF, T_TDS_AND_HDS, T_HDS, T_MP_IO_URING, T_MP_DMABUF, T_XSK,
	T_NAME_ONLY, T_NO_DEV, T_CAPS_618, T_CAPS_NOZCRX, T_CAPS_MAY, T_CAPS_NODEV,
};

struct diag_case {
	enum zcrx_op	op;
	int		err;
	const char	*driver;	/* NULL: no parent device either */
	enum tweak	tweak;
	uint32_t	queue;
	const char	*phrases[3];
};

static const struct diag_case diag_cases[] = {
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "veth", T_NONE, 0,
	  { "veth has no RX queue management API or DMA device", "mlx5, bnxt, fbnic or gve",
	    "on eth0 queue 0" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "+virtio_net", T_NONE, 0,
	  { "virtio_net has no RX queue management API", "NIC such as mlx5" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "", T_LO, 0, { "lo is the loopback device", "mlx5" } },
	/* a kernel with NODEV (7.1+) says what it can show without the NIC */
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "+virtio_net", T_CAPS_NODEV, 0,
	  { "NIC such as mlx5", "zcrxctl watch --nodev", "copy events and stats, but never"
	    " alloc-fail" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "+netdevsim", T_NONE, 0, { "no DMA device" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "+mlx5_core", T_NONE, 1,
	  { "mlx5_core driver could not restart queue 1", "ethtool -g eth0" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, "+mlx5_core", T_CAPS_NOZCRX, 1,
	  { "CONFIG_IO_URING_ZCRX" } },
	{ ZCRX_OP_REGISTER, -EOPNOTSUPP, NULL, T_NO_DEV, 0, { "lo, veth, virtio_net", "mlx5" } },
	{ ZCRX_OP_REGISTER, -EINVAL, "+mlx5_core", T_TDS_OFF, 2,
	  { "tcp-data-split is off on eth0", "run `ethtool -G eth0 tcp-data-split on`" } },
	{ ZCRX_OP_REGISTER, -EINVAL, "+mlx5_core", T_TDS_AND_HDS, 2,
	  { "tcp-data-split on`", "hds-thresh is 256", "`ethtool -G eth0 hds-thresh 0`" } },
	{ ZCRX_OP_REGISTER, -EINVAL, "+bnxt_en", T_HDS, 2,
	  { "hds-thresh is 256 on eth0", "run `ethtool -G eth0 hds-thresh 0`" } },
	{ ZCRX_OP_REGISTER, -EINVAL, "+bnxt_en", T_NONE, 2, { "rx_buf_len 0" } },
	{ ZCRX_OP_REGISTER, -EEXIST, "+mlx5_core", T_MP_IO_URING, 1,
	  { "queue 1 of eth0 already has an io_uring zcrx" } },
	{ ZCRX_OP_REGISTER, -EEXIST, "+mlx5_core", T_MP_DMABUF, 1, { "devmem dmabuf (id 9)" } },
	{ ZCRX_OP_REGISTER, -EEXIST, "+mlx5_core", T_NONE, 1,
	  { "XDP", "ip link set dev eth0 xdp off" } },
	{ ZCRX_OP_REGISTER, -EBUSY, "+mlx5_core", T_XSK, 1, { "AF_XDP socket uses queue 1" } },
	{ ZCRX_OP_REGISTER, -ERANGE, "+mlx5_core", T_NONE, 9,
	  { "queue 9 does not exist: eth0 has 4 RX queues", "ethtool -L eth0 combined 10" } },
	{ ZCRX_OP_REGISTER, -ERANGE, "+mlx5_core", T_NONE, 1, { "huge pages" } },
	{ ZCRX_OP_REGISTER, -EPERM, "+mlx5_core", T_NONE, 1, { "CAP_NET_ADMIN", "run as root" } },
	{ ZCRX_OP_REGISTER, -ENOMEM, "+mlx5_core", T_NONE, 1, { "ulimit -l" } },
	{ ZCRX_OP_REGISTER, -ENODEV, NULL, T_NAME_ONLY, 0,
	  { "no interface named eth0 in this network namespace", "ip link" } },
	{ ZCRX_OP_REGISTER, -ENODATA, "+gve", T_NONE, 0, { "attached no zcrx buffers" } },
	{ ZCRX_OP_ARM, -EINVAL, NULL, T_NO_DEV, 0,
	  { "re-arming a zcrx event", "has not fired since it was last armed (nothing to re-arm)" } },
	{ ZCRX_OP_ARM, -EINVAL, NULL, T_CAPS_MAY, 0, { "nothing to re-arm", "alloc-fail only" } },
	{ ZCRX_OP_ARM, -EINVAL, NULL, T_CAPS_618, 0, { "no zcrx control op" } },
	{ ZCRX_OP_ARM, -ENXIO, NULL, T_NO_DEV, 0, { "unknown zcrx_id" } },
	{ ZCRX_OP_CTRL, -ENXIO, NULL, T_NO_DEV, 0, { "unknown zcrx_id" } },
	{ ZCRX_OP_CTRL, -EFAULT, NULL, T_NO_DEV, 0, { "reserved fields", "zero" } },
	{ ZCRX_OP_CTRL, -EOPNOTSUPP, NULL, T_NO_DEV, 0, { "does not know that control op" } },
	{ ZCRX_OP_RECV, -EPROTONOSUPPORT, NULL, T_NO_DEV, 0, { "not TCP" } },
	{ ZCRX_OP_RECV, 0, NULL, T_NO_DEV, 0, { "ended", "closed the connection" } },
	/* the ring a ctx needs (the session and the self-test say these) */
	{ ZCRX_OP_RING, -EPERM, NULL, T_NO_DEV, 0,
	  { "setting up an io_uring for zcrx got EPERM", "kernel.io_uring_disabled" } },
	{ ZCRX_OP_RING, -EACCES, NULL, T_NO_DEV, 0, { "io_uring is not allowed", "allow it" } },
	{ ZCRX_OP_RING, -ENOSYS, NULL, T_NO_DEV, 0, { "has no io_uring", "Linux 6.15" } },
	{ ZCRX_OP_RING, -EINVAL, NULL, T_NO_DEV, 0, { "DEFER_TASKRUN", "Linux 6.15" } },
	{ ZCRX_OP_RING, -ENOMEM, NULL, T_NO_DEV, 0, { "locked memory", "ulimit -l" } },
	{ ZCRX_OP_RING, -EIO, NULL, T_NO_DEV, 0, { "refused the ring", "zcrxctl features" } },
};

static void test_diagnosis_table(void **state)
{
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++) {
		const struct diag_case *dc = &diag_cases[i];
		const struct zcrx_netdev *devp;
		struct zcrx_netdev dev;
		struct zcrx_caps caps;
		const char *name;
		int n;

		caps_72(&caps);
		if (dc->driver) {
			bool parent = dc->driver[0] == '+';

			nic(&dev, "eth0", dc->driver + parent, parent);
		} else {
			nic(&dev, "eth0", "", false);
		}
		devp = &dev;
		switch (dc->tweak) {
		case T_LO:
			snprintf(dev.name, sizeof(dev.name), "lo");
			dev.flags |= IFF_LOOPBACK;
			dev.driver_err = -EOPNOTSUPP;
			dev.rings_err = dev.channels_err = -EOPNOTSUPP;
			break;
		case T_TDS_OFF:
			dev.rings[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT] = 1;
			break;
		case T_TDS_AND_HDS:
			dev.rings[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT] = 1;
			/* fall through */
		case T_HDS:
			dev.rings[ZCRX_ETHTOOL_A_RINGS_HDS_THRESH] = 256;
			break;
		case T_MP_IO_URING:
			test_rxq[1].mp = ZCRX_MP_IO_URING;
			break;
		case T_MP_DMABUF:
			test_rxq[1].mp = ZCRX_MP_DMABUF;
			test_rxq[1].dmabuf = 9;
			break;
		case T_XSK:
			test_rxq[1].mp = ZCRX_MP_XSK;
			break;
		case T_NAME_ONLY:
			memset(&dev, 0, sizeof(dev));
			snprintf(dev.name, sizeof(dev.name), "eth0");
			break;
		case T_NO_DEV:
			devp = NULL;
			break;
		case T_CAPS_618:
			caps_618(&caps);
			devp = NULL;
			break;
		case T_CAPS_NOZCRX:
			caps.zcrx_reg_err = -EOPNOTSUPP;
			break;
		case T_CAPS_NODEV:
			caps.register_flags |= ZCRX_REG_NODEV;
			break;
		case T_CAPS_MAY:
			caps_may(&caps);
			devp = NULL;
			break;
		case T_NONE:
			break;
		}

		n = zcrx_diagnose(dc->op, dc->err, devp, dc->queue, &caps, buf, sizeof(buf));
		assert_int_equal(n, strlen(buf));
		assert_true(n < (int)sizeof(buf) - 1);
		/* what the kernel answered, by name */
		name = dc->err ? strerrorname_np(-dc->err) : "ended";
		if (!strstr(buf, name))
			fail_msg("case %zu: \"%s\" does not name %s", i, buf, name);
		for (int p = 0; p < 3 && dc->phrases[p]; p++)
			if (!strstr(buf, dc->phrases[p]))
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i, buf, dc->phrases[p]);
		if (!(caps.register_flags & ZCRX_REG_NODEV) && strstr(buf, "--nodev"))
			fail_msg("case %zu: \"%s\" offers NODEV, which this kernel lacks", i, buf);
		/* and what to do next, after the reason */
		assert_non_null(strchr(strchr(buf, ':') + 1, ':'));
	}
}

static void test_diagnosis_truncates_like_snprintf(void **state)
{
	char full[512], small[16];
	int n, m;

	(void)state;
	n = zcrx_diagnose(ZCRX_OP_REGISTER, -EPERM, NULL, 0, NULL, full, sizeof(full));
	m = zcrx_diagnose(ZCRX_OP_REGISTER, -EPERM, NULL, 0, NULL, small, sizeof(small));
	assert_int_equal(n, m);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
	assert_int_equal(zcrx_diagnose(ZCRX_OP_REGISTER, -EPERM, NULL, 0, NULL, NULL, 0), n);
	assert_int_equal(zcrx_diagnose(42, -EPERM, NULL, 0, NULL, full, sizeof(full)), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* Consumers                                                           */
/* ------------------------------------------------------------------ */

static struct zcrx_ifq *consumer_ifq(struct fixture *fx, uint32_t rq_entries, uint32_t **tail,
				     uint32_t **head)
{
	struct zcrx_ifq_opts o = opts_eth0();
	struct zcrx_ifq *ifq;

	o.rq_entries = rq_entries;
	o.area_size = 16 * PAGE;
	ifq = open_ok(fx, &o);
	*head = (uint32_t *)(uintptr_t)fx->fake.region.user_addr;
	*tail = *head + 1;
	return ifq;
}

static struct zcrx_cqe_info data_info(uint32_t i)
{
	return (struct zcrx_cqe_info){ .kind = ZCRX_CQE_DATA, .off = i * PAGE, .len = 100 + i };
}

static void test_consumer_now_batches(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_consumer_params p = { .mode = ZCRX_CONSUME_NOW };
	struct zcrx_cqe_info ev = { .kind = ZCRX_CQE_EVENT };
	struct zcrx_consumer *c;
	struct zcrx_cqe_info ci;
	uint32_t *tail, *head;
	struct zcrx_ifq *ifq;
	uint64_t next = 1;

	ifq = consumer_ifq(fx, 256, &tail, &head);
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), 0);
	assert_int_equal(zcrx_consumer_take(c, &ev, 0), -EINVAL);
	for (uint32_t i = 0; i < 40; i++) {
		ci = data_info(i);
		assert_int_equal(zcrx_consumer_take(c, &ci, 0), 0);
	}
	/* one tail store per 32 (the default batch); the rest on run */
	assert_int_equal(*tail, 32);
	assert_int_equal(zcrx_consumer_held(c), 0);
	assert_int_equal(zcrx_consumer_run(c, 0, &next), 0);
	assert_int_equal(next, 0);
	assert_int_equal(*tail, 40);
	assert_int_equal(ifq->rqes[39].len, 139);
	zcrx_consumer_destroy(c);
}

static void test_consumer_delay(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_consumer_params p = { .mode = ZCRX_CONSUME_DELAY, .delay_ns = 1000 };
	struct zcrx_consumer *c;
	struct zcrx_cqe_info ci;
	uint32_t *tail, *head;
	struct zcrx_ifq *ifq;
	uint64_t next;

	ifq = consumer_ifq(fx, 256, &tail, &head);
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), 0);
	for (uint32_t i = 0; i < 10; i++) {
		ci = data_info(i);
		assert_int_equal(zcrx_consumer_take(c, &ci, i * 100), 0);
	}
	assert_int_equal(zcrx_consumer_held(c), 10);
	assert_int_equal(zcrx_consumer_run(c, 999, &next), 0);
	assert_int_equal(next, 1000);
	assert_int_equal(*tail, 0);
	/* exactly those that arrived at least delay_ns ago */
	assert_int_equal(zcrx_consumer_run(c, 1450, &next), 5);
	assert_int_equal(next, 1500);
	assert_int_equal(*tail, 5);
	assert_int_equal(zcrx_consumer_run(c, 5000, &next), 5);
	assert_int_equal(next, 0);
	assert_int_equal(*tail, 10);
	zcrx_consumer_destroy(c);
}

static void test_consumer_hold_and_destroy_returns_all(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_consumer_params p = { .mode = ZCRX_CONSUME_HOLD, .hold = 5, .batch = 2 };
	struct zcrx_consumer *c;
	struct zcrx_cqe_info ci;
	uint32_t *tail, *head;
	struct zcrx_ifq *ifq;

	ifq = consumer_ifq(fx, 256, &tail, &head);
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), 0);
	for (uint32_t i = 0; i < 8; i++) {
		ci = data_info(i);
		assert_int_equal(zcrx_consumer_take(c, &ci, 0), 0);
	}
	assert_int_equal(zcrx_consumer_held(c), 5);
	/* oldest first, published every 2 (batch) */
	assert_int_equal(*tail, 2);
	assert_true(ifq->rqes[0].off == 0 && ifq->rqes[2].off == 2 * PAGE);
	assert_int_equal(zcrx_consumer_run(c, 0, NULL), 0);
	assert_int_equal(*tail, 3);
	zcrx_consumer_destroy(c);
	assert_int_equal(*tail, 8);
	assert_true(ifq->rqes[7].off == 7 * PAGE);
}

static void test_consumer_keeps_buffers_when_ring_full(void **state)
{
	struct fixture *fx = fixture(state);
	struct zcrx_consumer_params p = { .mode = ZCRX_CONSUME_NOW, .batch = 4 };
	struct zcrx_consumer *c;
	struct zcrx_cqe_info ci;
	uint32_t *tail, *head;
	struct zcrx_ifq *ifq;

	ifq = consumer_ifq(fx, 8, &tail, &head);
	assert_int_equal(zcrx_consumer_create(ifq, &p, &c), 0);
	/* more than the queue's first size, too: it must grow, not drop */
	for (uint32_t i = 0; i < 300; i++) {
		ci = data_info(i);
		assert_int_equal(zcrx_consumer_take(c, &ci, 0), 0);
	}
	assert_int_equal(*tail, 8);
	assert_int_equal(zcrx_consumer_held(c), 292);
	for (uint32_t done = 8; done < 300; done += 8) {
		__atomic_store_n(head, done, __ATOMIC_RELEASE);	/* the kernel consumes */
		assert_int_equal(zcrx_consumer_run(c, 0, NULL), 300 - done < 8 ? 300 - done : 8);
		assert_int_equal(*tail, done + (300 - done < 8 ? 300 - done : 8));
		/* in order: buffer i went into slot i */
		assert_true(ifq->rqes[(done) & 7].off == done * PAGE);
	}
	assert_int_equal(zcrx_consumer_held(c), 0);
	zcrx_consumer_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define FAKE(t) cmocka_unit_test_setup_teardown(t, fake_setup, fake_teardown)
		cmocka_unit_test(test_diagnosis_table),
		cmocka_unit_test(test_diagnosis_truncates_like_snprintf),
		FAKE(test_consumer_now_batches),
		FAKE(test_consumer_delay),
		FAKE(test_consumer_hold_and_destroy_returns_all),
		FAKE(test_consumer_keeps_buffers_when_ring_full),
#undef FAKE
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
