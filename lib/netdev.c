// SPDX-License-Identifier: MIT
/*
 * The netdev view: devices, their RX queues, page pools, rings and channels
 * (netdev and ethtool generic netlink, sysfs, the ethtool ioctl), and whether
 * an RX queue can host zcrx.  Every part the kernel cannot tell us is kept as
 * an -errno in its *_err field; only ENOMEM and an unknown device fail a dump.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <linux/rtnetlink.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "kabi.h"
#include "nl.h"
#include "zcrx.h"
#include "zcrx_diag.h"

#define BIT(n)	(1U << (n))

/*
 * Drivers with the queue management API (struct netdev_queue_mgmt_ops in
 * include/net/netdev_queues.h) and a page pool that takes unreadable memory:
 * the only ones net/core/netdev_rx_queue.c: net_mp_open_rxq() can bind.
 */
static const char *const qapi_drivers[] = { "mlx5_core", "bnxt_en", "fbnic", "gve" };

/* ------------------------------------------------------------------ */
/* Devices: names, flags, driver, sysfs                                */
/* ------------------------------------------------------------------ */

static int dev_cmp(const void *a, const void *b)
{
	const struct zcrx_netdev *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/*
 * IFLA_PARENT_DEV_NAME came in 5.16: before, the sysfs link is the only way
 * to tell a device with a parent.
 */
static bool parent_attr_known(void)
{
	unsigned int major = 0, minor = 0;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 5 || (major == 5 && minor >= 16);
}

static void dev_parent_sysfs(struct zcrx_netdev *dev)
{
	char path[64 + IF_NAMESIZE];

	snprintf(path, sizeof(path), "/sys/class/net/%s/device", dev->name);
	dev->has_parent = !access(path, F_OK);
}

struct links {
	struct zcrx_netdev_list	*list;
	size_t			cap;
};

/*
 * Kinds whose driver names itself after the kind in ETHTOOL_GDRVINFO
 * (veth_get_drvinfo(): DRV_NAME "veth"): a container host's hundreds of
 * veths need no ioctl each.  Only a kind read in its driver goes here.
 */
static const char *const self_named_kinds[] = { "veth" };

static void dev_kind(struct zcrx_netdev *dev, const char *kind)
{
	size_t i;

	if (dev->has_parent)
		return;
	/*
	 * Only loopback_setup() sets IFF_LOOPBACK, and no one can change it
	 * (IFF_VOLATILE); lo has no get_drvinfo, parent or rtnl_link_ops, so
	 * ethtool_get_drvinfo() answers EOPNOTSUPP.
	 */
	if (dev->flags & IFF_LOOPBACK) {
		dev->driver_err = -EOPNOTSUPP;
		return;
	}
	for (i = 0; i < sizeof(self_named_kinds) / sizeof(self_named_kinds[0]); i++) {
		if (!strcmp(kind, self_named_kinds[i])) {
			strcpy(dev->driver, self_named_kinds[i]);
			return;
		}
	}
}

static int link_cb(struct nlmsghdr *nlh, void *arg)
{
	struct links *l = arg;
	struct zcrx_netdev d, *tmp;
	char kind[16];
	int ret;

	memset(&d, 0, sizeof(d));
	ret = zcrx_nl_parse_link(nlh, &d, kind, sizeof(kind));
	if (ret <= 0)
		return ret;
	dev_kind(&d, kind);
	if (l->list->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		tmp = realloc(l->list->dev, l->cap * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		l->list->dev = tmp;
	}
	l->list->dev[l->list->nr++] = d;
	return 0;
}

/* Every device (ifindex 0, a dump) or the one of ifindex, from rtnl. */
static int devs_rtnl(int ifindex, struct zcrx_netdev_list *out)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct links l = { .list = out };
	struct zcrx_nl_req r;
	struct zcrx_nl nl;
	size_t i;
	int ret;

	ret = zcrx_nl_socket(&nl, NETLINK_ROUTE);
	if (ret)
		return ret;
	zcrx_nl_req_init(&r, RTM_GETLINK, ifindex ? 0 : NLM_F_DUMP, &ifi, sizeof(ifi));
	ret = zcrx_nl_put_u32(&r.m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (!ret)
		ret = zcrx_nl_talk(&nl, r.m.nlh, link_cb, NULL, &l);
	zcrx_nl_close(&nl);
	if (ret)
		return ret;
	if (ifindex && (out->nr != 1 || out->dev[0].ifindex != ifindex))
		return -ENODEV;
	if (!out->dev) {
		out->dev = calloc(1, sizeof(*out->dev));
		if (!out->dev)
			return -ENOMEM;
	}
	/* the kernel dumps by ifindex (for_each_netdev_dump): sort only if not */
	for (i = 1; i < out->nr; i++) {
		if (out->dev[i - 1].ifindex > out->dev[i].ifindex) {
			qsort(out->dev, out->nr, sizeof(*out->dev), dev_cmp);
			break;
		}
	}
	/* a device that came with IFLA_PARENT_DEV_NAME shows the kernel has it */
	for (i = 0; i < out->nr; i++)
		if (out->dev[i].has_parent)
			return 0;
	if (!parent_attr_known())
		for (i = 0; i < out->nr; i++)
			dev_parent_sysfs(&out->dev[i]);
	return 0;
}

static int devs_list(const char *ifname, struct zcrx_netdev_list *out)
{
	unsigned int idx = 0;
	int ret;

	if (ifname) {
		if (!*ifname || strlen(ifname) >= IF_NAMESIZE)
			return -ENODEV;
		idx = if_nametoindex(ifname);
		if (!idx)
			return errno == ENOMEM ? -ENOMEM : -ENODEV;
	}
	/*
	 * ifname may be an altname: the reply names the device as sysfs does.
	 * A dump a device came or went in (NLM_F_DUMP_INTR) is taken again.
	 */
	for (int tries = 1;; tries++) {
		ret = devs_rtnl((int)idx, out);
		if (ret != -EINTR || tries == 3)
			break;
		zcrx_netdev_list_free(out);
	}
	return ret == -ENODEV || (idx && ret == -EINVAL) ? -ENODEV : ret;
}

static uint32_t sysfs_nr_rx(const char *name)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *de;
	uint32_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", name);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "rx-", 3))
			n++;
	closedir(d);
	return n;
}

/* The driver's name: ETHTOOL_GDRVINFO, which netlink does not carry. */
static void dev_driver(int fd, struct zcrx_netdev *dev)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;

	if (dev->driver[0] || dev->driver_err)
		return;	/* named by its kind or flags (dev_kind) */
	if (fd < 0) {
		dev->driver_err = fd;
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, dev->name, sizeof(ifr.ifr_name));
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		dev->driver_err = -errno;
		return;
	}
	memcpy(dev->driver, info.driver, sizeof(dev->driver) - 1);
	dev->driver[sizeof(dev->driver) - 1] = '\0';
	if (!dev->driver[0])
		dev->driver_err = -EOPNOTSUPP;
}

/* ethtool's choice: any socket reaches the device ioctls. */
static int ioctl_socket(void)
{
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	return fd < 0 ? -errno : fd;
}

/* ------------------------------------------------------------------ */
/* netdev family: queues, qstats, page pools                           */
/* ------------------------------------------------------------------ */

/* The list is sorted by ifindex (devs_rtnl). */
static struct zcrx_netdev *dev_by_ifindex(struct zcrx_netdev_list *list, int ifindex)
{
	size_t lo = 0, hi = list->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (list->dev[mid].ifindex == ifindex)
			return &list->dev[mid];
		if (list->dev[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int rxq_cmp(const void *a, const void *b)
{
	const struct zcrx_rxq *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int rxq_add(struct zcrx_netdev *dev, const struct zcrx_rxq *q)
{
	struct zcrx_rxq *tmp;

	tmp = realloc(dev->rxq, (dev->nr_rxq + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	dev->rxq = tmp;
	dev->rxq[dev->nr_rxq++] = *q;
	return 0;
}

static void rxq_set_stats(struct zcrx_netdev *dev, const struct zcrx_rxq *q)
{
	struct zcrx_rxq *rxq;

	rxq = (struct zcrx_rxq *)zcrx_netdev_rxq(dev, q->id);
	if (!rxq)
		return;
	rxq->qstats_have = q->qstats_have;
	memcpy(rxq->qstats, q->qstats, sizeof(rxq->qstats));
}

static int queue_cb(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_netdev *dev = arg;
	struct zcrx_rxq q;
	int ret;

	ret = zcrx_nl_parse_queue(nlh, dev->ifindex, &q);
	if (ret <= 0)
		return ret;
	return rxq_add(dev, &q);
}

static int qstats_cb(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_netdev *dev = arg;
	struct zcrx_rxq q;
	int ret;

	ret = zcrx_nl_parse_qstats(nlh, dev->ifindex, &q);
	if (ret <= 0)
		return ret;
	rxq_set_stats(dev, &q);
	return 0;
}

/* A dump of cmd for one device, filtered by the kernel on ifindex attr. */
static int dev_dump(struct zcrx_nl *nl, uint8_t cmd, struct zcrx_netdev *dev,
		    int ifindex_attr, int scope, zcrx_nl_parse_fn fn)
{
	struct zcrx_nl_req r;

	zcrx_nl_req_genl(&r, nl->family, cmd, NLM_F_DUMP);
	if (zcrx_nl_put_u32(&r.m, ifindex_attr, dev->ifindex) ||
	    (scope && zcrx_nl_put_u32(&r.m, ZCRX_NETDEV_A_QSTATS_SCOPE, scope)))
		return -ENOMEM;
	return zcrx_nl_talk(nl, r.m.nlh, fn, NULL, dev);
}

static int dev_qstats(struct zcrx_nl *nl, struct zcrx_netdev *dev)
{
	dev->qstats_err = dev_dump(nl, ZCRX_NETDEV_CMD_QSTATS_GET, dev,
				   ZCRX_NETDEV_A_QSTATS_IFINDEX, ZCRX_NETDEV_QSTATS_SCOPE_QUEUE,
				   qstats_cb);
	return dev->qstats_err == -ENOMEM ? -ENOMEM : 0;
}

static void dev_queues_done(struct zcrx_netdev *dev)
{
	/* The kernel skips the queues of a device that is down. */
	if (!dev->nr_rxq && !(dev->flags & IFF_UP))
		dev->queues_err = -ENETDOWN;
	if (dev->nr_rxq > 1)
		qsort(dev->rxq, dev->nr_rxq, sizeof(*dev->rxq), rxq_cmp);
}

static int dev_queues(struct zcrx_nl *nl, struct zcrx_netdev *dev)
{
	int ret;

	ret = dev_dump(nl, ZCRX_NETDEV_CMD_QUEUE_GET, dev, ZCRX_NETDEV_A_QUEUE_IFINDEX,
		       0, queue_cb);
	if (ret) {
		free(dev->rxq);
		dev->rxq = NULL;
		dev->nr_rxq = 0;
		dev->queues_err = ret;
		return ret == -ENOMEM ? ret : 0;
	}
	dev_queues_done(dev);
	return dev_qstats(nl, dev);
}

/* A dump of cmd for the whole host (attr scope when not 0). */
static int host_dump(struct zcrx_nl *nl, uint8_t cmd, int scope, zcrx_nl_parse_fn fn,
		     void *arg)
{
	struct zcrx_nl_req r;

	zcrx_nl_req_genl(&r, nl->family, cmd, NLM_F_DUMP);
	if (scope && zcrx_nl_put_u32(&r.m, ZCRX_NETDEV_A_QSTATS_SCOPE, scope))
		return -ENOMEM;
	return zcrx_nl_talk(nl, r.m.nlh, fn, NULL, arg);
}

/* What the dumps of the whole host saw of each device. */
struct host {
	struct zcrx_netdev_list	*list;
	bool			*seen;
};

static struct zcrx_netdev *host_dev(struct host *h, int ifindex)
{
	struct zcrx_netdev *dev = dev_by_ifindex(h->list, ifindex);

	if (dev)
		h->seen[dev - h->list->dev] = true;
	return dev;
}

static int host_queue_cb(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_netdev *dev;
	struct zcrx_rxq q;
	int ret, ifindex;

	ret = zcrx_nl_parse_queue_any(nlh, &ifindex, &q);
	if (ret <= 0)
		return ret;
	/* a device born since the link dump is not ours to show */
	dev = dev_by_ifindex(arg, ifindex);
	return dev ? rxq_add(dev, &q) : 0;
}

static int host_qstats_cb(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_netdev *dev;
	struct zcrx_rxq q;
	int ret, ifindex;

	ret = zcrx_nl_parse_qstats_any(nlh, &ifindex, &q);
	if (ret < 0)
		return ret;
	dev = host_dev(arg, ifindex);
	if (ret && dev)
		rxq_set_stats(dev, &q);
	return 0;
}

static void list_queues_reset(struct zcrx_netdev_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		free(list->dev[i].rxq);
		list->dev[i].rxq = NULL;
		list->dev[i].nr_rxq = 0;
	}
}

/*
 * Queues and qstats of every device, two dumps for the host.  A device the
 * qstats dump skips has no stat_ops (the filtered dump says EOPNOTSUPP),
 * unless it is down: those few are asked alone.  A failed dump of the host
 * falls back to the dumps of each device, which tell their own errors.
 */
static int list_queues(struct zcrx_nl *nl, struct zcrx_netdev_list *list)
{
	struct host h = { .list = list };
	size_t i;
	int ret;

	ret = host_dump(nl, ZCRX_NETDEV_CMD_QUEUE_GET, 0, host_queue_cb, list);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		list_queues_reset(list);
		for (i = 0; i < list->nr; i++) {
			ret = dev_queues(nl, &list->dev[i]);
			if (ret)
				return ret;
		}
		return 0;
	}
	for (i = 0; i < list->nr; i++)
		dev_queues_done(&list->dev[i]);

	h.seen = calloc(list->nr ? list->nr : 1, sizeof(*h.seen));
	if (!h.seen)
		return -ENOMEM;
	ret = host_dump(nl, ZCRX_NETDEV_CMD_QSTATS_GET, ZCRX_NETDEV_QSTATS_SCOPE_QUEUE,
			host_qstats_cb, &h);
	for (i = 0; i < list->nr && ret != -ENOMEM; i++) {
		struct zcrx_netdev *dev = &list->dev[i];
		size_t j;

		if (!ret && h.seen[i])
			continue;
		if (!ret && (dev->flags & IFF_UP)) {
			dev->qstats_err = -EOPNOTSUPP;
			continue;
		}
		for (j = 0; j < dev->nr_rxq; j++) {
			dev->rxq[j].qstats_have = 0;
			memset(dev->rxq[j].qstats, 0, sizeof(dev->rxq[j].qstats));
		}
		ret = dev_qstats(nl, dev) ? -ENOMEM : ret;
	}
	free(h.seen);
	return ret == -ENOMEM ? ret : 0;
}
int zcrx_netdev_add_pool(struct zcrx_netdev_list *list, const struct zcrx_pool *p, int ifindex)
{
	struct zcrx_netdev *dev;
	struct zcrx_pool *tmp;

	/* no ifindex: its device is gone, the kernel keeps it on lo's list */
	if (!ifindex) {
		tmp = realloc(list->orphan_pools, (list->nr_orphan_pools + 1) * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		list->orphan_pools = tmp;
		list->orphan_pools[list->nr_orphan_pools++] = *p;
		return 0;
	}
	dev = dev_by_ifindex(list, ifindex);
	if (!dev)
		return 0;
	tmp = realloc(dev->pools, (dev->nr_pools + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	dev->pools = tmp;
	dev->pools[dev->nr_pools++] = *p;
	return 0;
}

static void pool_set_stats(struct zcrx_pool *to, const struct zcrx_pool *from)
{
	to->stats_have = from->stats_have;
	memcpy(to->stats, from->stats, sizeof(from->stats));
}

void zcrx_netdev_set_pool_stats(struct zcrx_netdev_list *list, const struct zcrx_pool *p)
{
	size_t i, j;

	for (i = 0; i < list->nr; i++) {
		struct zcrx_netdev *dev = &list->dev[i];

		for (j = 0; j < dev->nr_pools; j++) {
			if (dev->pools[j].id != p->id)
				continue;
			pool_set_stats(&dev->pools[j], p);
			return;
		}
	}
	for (j = 0; j < list->nr_orphan_pools; j++)
		if (list->orphan_pools[j].id == p->id)
			pool_set_stats(&list->orphan_pools[j], p);
}

static int pool_cb(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_pool p;
	int ret, ifindex;

	ret = zcrx_nl_parse_pool(nlh, &p, &ifindex);
	if (ret <= 0)
		return ret;
	return zcrx_netdev_add_pool(arg, &p, ifindex);
}

static int pool_stats_cb(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_pool p;
	int ret;

	ret = zcrx_nl_parse_pool_stats(nlh, &p);
	if (ret <= 0)
		return ret;
	zcrx_netdev_set_pool_stats(arg, &p);
	return 0;
}

/* Page pools cannot be filtered by the kernel: one dump for the whole list. */
static int list_pools(struct zcrx_nl *nl, struct zcrx_netdev_list *list)
{
	int ret, sret;
	size_t i;

	ret = host_dump(nl, ZCRX_NETDEV_CMD_PAGE_POOL_GET, 0, pool_cb, list);
	if (ret)
		sret = ret;
	else
		sret = host_dump(nl, ZCRX_NETDEV_CMD_PAGE_POOL_STATS_GET, 0, pool_stats_cb, list);

	for (i = 0; i < list->nr; i++) {
		struct zcrx_netdev *dev = &list->dev[i];

		if (ret) {
			free(dev->pools);
			dev->pools = NULL;
			dev->nr_pools = 0;
		}
		dev->pools_err = ret;
		dev->pool_stats_err = sret;
	}
	if (ret) {
		free(list->orphan_pools);
		list->orphan_pools = NULL;
		list->nr_orphan_pools = 0;
	}
	return ret == -ENOMEM || sret == -ENOMEM ? -ENOMEM : 0;
}

static void netdev_family_err(struct zcrx_netdev_list *list, int err)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		struct zcrx_netdev *dev = &list->dev[i];

		dev->queues_err = err;
		dev->qstats_err = err;
		dev->pools_err = err;
		dev->pool_stats_err = err;
	}
}

static int netdev_family(struct zcrx_nl *nl, struct zcrx_netdev_list *list, bool one)
{
	size_t i;
	int ret;

	if (nl->family < 0) {
		netdev_family_err(list, nl->family);
		return nl->family == -ENOMEM ? -ENOMEM : 0;
	}
	if (one) {
		for (i = 0; i < list->nr; i++) {
			ret = dev_queues(nl, &list->dev[i]);
			if (ret)
				return ret;
		}
	} else {
		ret = list_queues(nl, list);
		if (ret)
			return ret;
	}
	return list_pools(nl, list);
}

/* ------------------------------------------------------------------ */
/* ethtool family: rings and channels                                  */
/* ------------------------------------------------------------------ */

struct ethtool_reply {
	unsigned int	max;
	uint32_t	*have;
	uint32_t	*vals;
};

static int ethtool_cb(struct nlmsghdr *nlh, void *arg)
{
	struct ethtool_reply *r = arg;
	int ret;

	ret = zcrx_nl_parse_ethtool(nlh, r->max, r->have, r->vals);
	return ret < 0 ? ret : 0;
}

static int ethtool_get(struct zcrx_nl *nl, uint8_t cmd, const struct zcrx_netdev *dev,
		       struct ethtool_reply *r)
{
	struct zcrx_nl_req req;
	struct nlattr *hdr;
	int ret;

	zcrx_nl_req_genl(&req, nl->family, cmd, NLM_F_ACK);
	/* both RINGS_HEADER and CHANNELS_HEADER are attribute 1 */
	hdr = zcrx_nl_nest(&req.m, ZCRX_ETHTOOL_A_RINGS_HEADER);
	if (!hdr || zcrx_nl_put_u32(&req.m, ZCRX_ETHTOOL_A_HEADER_DEV_INDEX, dev->ifindex))
		return -ENOMEM;
	zcrx_nl_nest_end(&req.m, hdr);

	ret = zcrx_nl_talk(nl, req.m.nlh, ethtool_cb, NULL, r);
	if (ret) {
		*r->have = 0;
		memset(r->vals, 0, (r->max + 1) * sizeof(*r->vals));
	}
	return ret;
}

static struct ethtool_reply rings_of(struct zcrx_netdev *dev)
{
	return (struct ethtool_reply){ ZCRX_RINGS_MAX, &dev->rings_have, dev->rings };
}

static struct ethtool_reply channels_of(struct zcrx_netdev *dev)
{
	return (struct ethtool_reply){ ZCRX_CHANNELS_MAX, &dev->channels_have, dev->channels };
}

struct ethtool_host {
	struct host		h;
	struct ethtool_reply	(*of)(struct zcrx_netdev *dev);
};

static int ethtool_host_cb(struct nlmsghdr *nlh, void *arg)
{
	struct ethtool_host *e = arg;
	struct ethtool_reply r;
	struct zcrx_netdev *dev;
	int ret, ifindex;

	ret = zcrx_nl_parse_ethtool_dev(nlh, &ifindex);
	if (ret < 0)
		return ret;
	dev = host_dev(&e->h, ifindex);
	if (!dev)
		return 0;
	r = e->of(dev);
	ret = zcrx_nl_parse_ethtool(nlh, r.max, r.have, r.vals);
	return ret < 0 ? ret : 0;
}

/*
 * One dump of cmd for the host: the kernel skips a device whose driver
 * lacks the op (ethnl_default_dumpit() drops EOPNOTSUPP), which is what its
 * get would have answered.  Any other error fails the dump: then each
 * device is asked alone.
 */
static int ethtool_host(struct zcrx_nl *nl, struct zcrx_netdev_list *list, uint8_t cmd,
			struct ethtool_reply (*of)(struct zcrx_netdev *dev), bool *seen,
			int *(*err_of)(struct zcrx_netdev *dev))
{
	struct ethtool_host e = { { list, seen }, of };
	struct zcrx_nl_req req;
	struct ethtool_reply r;
	size_t i;
	int ret;

	memset(seen, 0, list->nr * sizeof(*seen));
	zcrx_nl_req_genl(&req, nl->family, cmd, NLM_F_DUMP);
	ret = zcrx_nl_talk(nl, req.m.nlh, ethtool_host_cb, NULL, &e);
	if (ret == -ENOMEM)
		return ret;
	for (i = 0; i < list->nr; i++) {
		struct zcrx_netdev *dev = &list->dev[i];

		r = of(dev);
		if (!ret) {
			*err_of(dev) = seen[i] ? 0 : -EOPNOTSUPP;
			if (seen[i])
				continue;
			*r.have = 0;
			memset(r.vals, 0, (r.max + 1) * sizeof(*r.vals));
			continue;
		}
		*err_of(dev) = ethtool_get(nl, cmd, dev, &r);
		if (*err_of(dev) == -ENOMEM)
			return -ENOMEM;
	}
	return 0;
}

static int *rings_err_of(struct zcrx_netdev *dev)
{
	return &dev->rings_err;
}

static int *channels_err_of(struct zcrx_netdev *dev)
{
	return &dev->channels_err;
}

static int ethtool_family(struct zcrx_nl *nl, struct zcrx_netdev_list *list, bool one)
{
	struct ethtool_reply r;
	bool *seen;
	size_t i;
	int ret = 0;

	if (nl->family < 0) {
		for (i = 0; i < list->nr; i++) {
			list->dev[i].rings_err = nl->family;
			list->dev[i].channels_err = nl->family;
		}
		return nl->family == -ENOMEM ? -ENOMEM : 0;
	}

	if (!one) {
		seen = calloc(list->nr ? list->nr : 1, sizeof(*seen));
		if (!seen)
			return -ENOMEM;
		ret = ethtool_host(nl, list, ZCRX_ETHTOOL_MSG_RINGS_GET, rings_of, seen,
				   rings_err_of);
		if (!ret)
			ret = ethtool_host(nl, list, ZCRX_ETHTOOL_MSG_CHANNELS_GET, channels_of,
					   seen, channels_err_of);
		free(seen);
		return ret;
	}

	for (i = 0; i < list->nr; i++) {
		struct zcrx_netdev *dev = &list->dev[i];

		r = rings_of(dev);
		dev->rings_err = ethtool_get(nl, ZCRX_ETHTOOL_MSG_RINGS_GET, dev, &r);
		r = channels_of(dev);
		dev->channels_err = ethtool_get(nl, ZCRX_ETHTOOL_MSG_CHANNELS_GET, dev, &r);
		if (dev->rings_err == -ENOMEM || dev->channels_err == -ENOMEM)
			return -ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Public: dump                                                        */
/* ------------------------------------------------------------------ */

/*
 * One rtnl dump names the devices, one genl socket asks both families: a
 * dump per object type for the host (per device when ifname names one),
 * joined here by ifindex.  Only the driver's name costs a call per device.
 */
int zcrx_netdev_dump(const char *ifname, struct zcrx_netdev_list *out)
{
	static const char *const families[] = { "netdev", "ethtool" };
	int saved_errno = errno, ids[2];
	struct zcrx_nl nl, eth;
	bool one = ifname;
	size_t i;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	ret = devs_list(ifname, out);
	if (ret)
		goto err_free;

	ret = zcrx_nl_socket(&nl, NETLINK_GENERIC);
	/* the device ioctls answer on any socket, the genl one too */
	fd = ret ? ioctl_socket() : nl.fd;
	for (i = 0; i < out->nr; i++)
		dev_driver(fd, &out->dev[i]);
	if (ret) {
		if (fd >= 0)
			close(fd);
		nl.family = ret;
		eth = nl;
	} else {
		eth = nl;
		ret = zcrx_nl_resolve_n(&nl, families, ids, 2);
		nl.family = ret ? ret : ids[0];
		eth.family = ret ? ret : ids[1];
	}
	ret = netdev_family(&nl, out, one);
	if (!ret) {
		/* one socket, one sequence */
		eth.seq = nl.seq;
		ret = ethtool_family(&eth, out, one);
	}
	zcrx_nl_close(&nl);
	if (ret)
		goto err_free;

	for (i = 0; i < out->nr; i++) {
		struct zcrx_netdev *dev = &out->dev[i];

		/* both count real_num_rx_queues; sysfs only when netlink tells neither */
		if (!dev->queues_err && dev->nr_rxq)
			dev->nr_rx_sysfs = dev->nr_rxq;
		else if (!dev->nr_rx_sysfs)
			dev->nr_rx_sysfs = sysfs_nr_rx(dev->name);
	}

	errno = saved_errno;
	return 0;

err_free:
	zcrx_netdev_list_free(out);
	errno = saved_errno;
	return ret;
}

void zcrx_netdev_list_free(struct zcrx_netdev_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->nr; i++) {
		free(list->dev[i].rxq);
		free(list->dev[i].pools);
	}
	free(list->dev);
	list->dev = NULL;
	list->nr = 0;
	free(list->orphan_pools);
	list->orphan_pools = NULL;
	list->nr_orphan_pools = 0;
}

const struct zcrx_rxq *zcrx_netdev_rxq(const struct zcrx_netdev *dev, uint32_t queue)
{
	size_t i;

	for (i = 0; i < dev->nr_rxq; i++)
		if (dev->rxq[i].id == queue)
			return &dev->rxq[i];
	return NULL;
}

uint32_t zcrx_netdev_nr_rx(const struct zcrx_netdev *dev)
{
	uint32_t n = 0;
	size_t i;

	if (dev->queues_err || !dev->nr_rxq)
		return dev->nr_rx_sysfs;
	for (i = 0; i < dev->nr_rxq; i++)
		if (dev->rxq[i].id >= n)
			n = dev->rxq[i].id + 1;
	return n;
}

/* ------------------------------------------------------------------ */
/* Readiness                                                           */
/* ------------------------------------------------------------------ */

static bool rings_has(const struct zcrx_netdev *dev, unsigned int id)
{
	return !dev->rings_err && (dev->rings_have & BIT(id));
}

static bool channels_has(const struct zcrx_netdev *dev, unsigned int id)
{
	return !dev->channels_err && (dev->channels_have & BIT(id));
}

static bool qapi_driver(const char *driver)
{
	size_t i;

	for (i = 0; i < sizeof(qapi_drivers) / sizeof(qapi_drivers[0]); i++)
		if (!strcmp(driver, qapi_drivers[i]))
			return true;
	return false;
}

unsigned int zcrx_rxq_readiness(const struct zcrx_netdev *dev, uint32_t queue,
				unsigned int *unknown)
{
	unsigned int bits = 0, unk = 0;
	const struct zcrx_rxq *q;
	uint32_t nr;

	if (!dev->has_parent)
		bits |= ZCRX_UNREADY_VIRTUAL;

	if (dev->driver_err == -EOPNOTSUPP)
		bits |= ZCRX_UNREADY_NO_QUEUE_API;	/* no driver at all: lo */
	else if (dev->driver_err)
		unk |= ZCRX_UNREADY_NO_QUEUE_API;
	else if (!strcmp(dev->driver, "netdevsim"))
		bits |= ZCRX_UNREADY_NO_DMA;
	else if (!qapi_driver(dev->driver))
		bits |= ZCRX_UNREADY_NO_QUEUE_API;

	/* rings-get leaves tcp-data-split out when it is "unknown" (auto) */
	if (!rings_has(dev, ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT))
		unk |= ZCRX_UNREADY_HDS_OFF;
	else if (dev->rings[ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT] !=
		 ZCRX_ETHTOOL_TCP_DATA_SPLIT_ENABLED)
		bits |= ZCRX_UNREADY_HDS_OFF;

	/*
	 * hds-thresh is reported only by drivers that have a threshold; a
	 * driver that reports data split but no threshold has none to clear.
	 */
	if (rings_has(dev, ZCRX_ETHTOOL_A_RINGS_HDS_THRESH)) {
		if (dev->rings[ZCRX_ETHTOOL_A_RINGS_HDS_THRESH])
			bits |= ZCRX_UNREADY_HDS_THRESH;
	} else if (!rings_has(dev, ZCRX_ETHTOOL_A_RINGS_TCP_DATA_SPLIT)) {
		unk |= ZCRX_UNREADY_HDS_THRESH;
	}

	if (channels_has(dev, ZCRX_ETHTOOL_A_CHANNELS_RX_COUNT) ||
	    channels_has(dev, ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT)) {
		uint32_t rx = 0, comb = 0;

		if (channels_has(dev, ZCRX_ETHTOOL_A_CHANNELS_RX_COUNT))
			rx = dev->channels[ZCRX_ETHTOOL_A_CHANNELS_RX_COUNT];
		if (channels_has(dev, ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT))
			comb = dev->channels[ZCRX_ETHTOOL_A_CHANNELS_COMBINED_COUNT];
		if ((uint64_t)rx + comb < 2)
			bits |= ZCRX_UNREADY_FEW_CHANNELS;
	} else {
		unk |= ZCRX_UNREADY_FEW_CHANNELS;
	}

	nr = zcrx_netdev_nr_rx(dev);
	if (!nr)
		unk |= ZCRX_UNREADY_NO_QUEUE;
	else if (queue >= nr)
		bits |= ZCRX_UNREADY_NO_QUEUE;

	q = zcrx_netdev_rxq(dev, queue);
	if (q) {
		if (q->mp & (ZCRX_MP_IO_URING | ZCRX_MP_DMABUF))
			bits |= ZCRX_UNREADY_BOUND;
		if (q->mp & ZCRX_MP_XSK)
			bits |= ZCRX_UNREADY_XSK;
	} else if (!(bits & ZCRX_UNREADY_NO_QUEUE)) {
		unk |= ZCRX_UNREADY_BOUND | ZCRX_UNREADY_XSK;
	}

	if (unknown)
		*unknown = unk;
	return bits;
}

const char *zcrx_unready_str(unsigned int bit)
{
	switch (bit) {
	case ZCRX_UNREADY_VIRTUAL:
		return "virtual device: no bus device to DMA into";
	case ZCRX_UNREADY_NO_QUEUE_API:
		return "driver not known to have the queue management API zcrx needs";
	case ZCRX_UNREADY_NO_DMA:
		return "driver has the queue API but no DMA device (netdevsim)";
	case ZCRX_UNREADY_HDS_OFF:
		return "tcp-data-split (header/data split) is not enabled";
	case ZCRX_UNREADY_HDS_THRESH:
		return "hds-thresh is not 0";
	case ZCRX_UNREADY_BOUND:
		return "an io_uring or dmabuf memory provider is already bound to the queue";
	case ZCRX_UNREADY_XSK:
		return "an AF_XDP socket uses the queue";
	case ZCRX_UNREADY_FEW_CHANNELS:
		return "fewer than 2 RX channels (zcrx needs a queue outside RSS)";
	case ZCRX_UNREADY_NO_QUEUE:
		return "no such RX queue";
	default:
		return "unknown reason";
	}
}

/* "ethtool -L" to at least want RX queues, if the device allows as many. */
static int channels_fix(const struct zcrx_netdev *dev, uint32_t want, char *buf,
			size_t len)
{
	if (channels_has(dev, ZCRX_ETHTOOL_A_CHANNELS_COMBINED_MAX) &&
	    dev->channels[ZCRX_ETHTOOL_A_CHANNELS_COMBINED_MAX] >= want)
		return snprintf(buf, len, "ethtool -L %s combined %u", dev->name, want);
	if (channels_has(dev, ZCRX_ETHTOOL_A_CHANNELS_RX_MAX) &&
	    dev->channels[ZCRX_ETHTOOL_A_CHANNELS_RX_MAX] >= want)
		return snprintf(buf, len, "ethtool -L %s rx %u", dev->name, want);
	return 0;
}

int zcrx_unready_fix(unsigned int bit, const struct zcrx_netdev *dev, uint32_t queue,
		     char *buf, size_t len)
{
	if (buf && len)
		buf[0] = '\0';
	if (!dev)
		return -EINVAL;

	switch (bit) {
	case ZCRX_UNREADY_HDS_OFF:
		return snprintf(buf, len, "ethtool -G %s tcp-data-split on", dev->name);
	case ZCRX_UNREADY_HDS_THRESH:
		return snprintf(buf, len, "ethtool -G %s hds-thresh 0", dev->name);
	case ZCRX_UNREADY_FEW_CHANNELS:
		return channels_fix(dev, 2, buf, len);
	case ZCRX_UNREADY_NO_QUEUE:
		if (queue == UINT32_MAX)
			return 0;
		return channels_fix(dev, queue + 1 < 2 ? 2 : queue + 1, buf, len);
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

static const char *const qstat_names[ZCRX_QSTATS_MAX + 1] = {
	[1] = "ifindex",
	[2] = "queue-type",
	[3] = "queue-id",
	[4] = "scope",
	[8] = "rx-packets",
	[9] = "rx-bytes",
	[10] = "tx-packets",
	[11] = "tx-bytes",
	[12] = "rx-alloc-fail",
	[13] = "rx-hw-drops",
	[14] = "rx-hw-drop-overruns",
	[15] = "rx-csum-complete",
	[16] = "rx-csum-unnecessary",
	[17] = "rx-csum-none",
	[18] = "rx-csum-bad",
	[19] = "rx-hw-gro-packets",
	[20] = "rx-hw-gro-bytes",
	[21] = "rx-hw-gro-wire-packets",
	[22] = "rx-hw-gro-wire-bytes",
	[23] = "rx-hw-drop-ratelimits",
	[24] = "tx-hw-drops",
	[25] = "tx-hw-drop-errors",
	[26] = "tx-csum-none",
	[27] = "tx-needs-csum",
	[28] = "tx-hw-gso-packets",
	[29] = "tx-hw-gso-bytes",
	[30] = "tx-hw-gso-wire-packets",
	[31] = "tx-hw-gso-wire-bytes",
	[32] = "tx-hw-drop-ratelimits",
	[33] = "tx-stop",
	[34] = "tx-wake",
};

static const char *const pool_stat_names[ZCRX_POOL_STATS_MAX + 1] = {
	[1] = "info",
	[8] = "alloc-fast",
	[9] = "alloc-slow",
	[10] = "alloc-slow-high-order",
	[11] = "alloc-empty",
	[12] = "alloc-refill",
	[13] = "alloc-waive",
	[14] = "recycle-cached",
	[15] = "recycle-cache-full",
	[16] = "recycle-ring",
	[17] = "recycle-ring-full",
	[18] = "recycle-released-refcnt",
};

const char *zcrx_qstat_name(unsigned int id)
{
	return id <= ZCRX_QSTATS_MAX ? qstat_names[id] : NULL;
}

const char *zcrx_pool_stat_name(unsigned int id)
{
	return id <= ZCRX_POOL_STATS_MAX ? pool_stat_names[id] : NULL;
}
