// SPDX-License-Identifier: MIT
/*
 * Record real netlink replies from this machine's kernel as seeds for
 * fuzz_nl: every reply to queue-get, qstats-get (scope queue), page-pool-get,
 * page-pool-stats-get, ethtool rings-get / channels-get and rtnl getlink of
 * each device named, written byte for byte (struct nlmsghdr first) to DIR/KIND-DEV-N.
 *
 *   fuzz/build/nlrecord DIR DEV...        (make fuzz-seeds)
 *
 * A request the kernel or the device refuses records nothing and is said so
 * on stderr: the seeds are whatever this machine answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "kabi.h"
#include "nl.h"

struct rec {
	const char	*dir;
	const char	*kind;
	const char	*dev;
	int		n;
};

static int save(struct nlmsghdr *nlh, void *arg)
{
	struct rec *r = arg;
	char path[512];
	FILE *f;

	if (r->n >= 8)	/* a few of each kind is plenty for a seed */
		return 0;
	snprintf(path, sizeof(path), "%s/%s-%s-%d", r->dir, r->kind, r->dev, r->n++);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fwrite(nlh, 1, nlh->nlmsg_len, f);
	fclose(f);
	return 0;
}

static void dump(struct zcrx_nl *nl, uint8_t cmd, int flags, int ifattr, int ifindex,
		 int scope, bool ethtool, struct rec *r)
{
	struct zcrx_nl_msg *msg = zcrx_nl_msg(nl, cmd, flags);
	struct nlattr *hdr;
	int ret;

	if (!msg)
		exit(1);
	if (ethtool) {
		hdr = zcrx_nl_nest(msg, ZCRX_ETHTOOL_A_RINGS_HEADER);
		zcrx_nl_put_u32(msg, ZCRX_ETHTOOL_A_HEADER_DEV_INDEX, ifindex);
		zcrx_nl_nest_end(msg, hdr);
	} else if (ifattr) {
		zcrx_nl_put_u32(msg, ifattr, ifindex);
		if (scope)
			zcrx_nl_put_u32(msg, ZCRX_NETDEV_A_QSTATS_SCOPE, scope);
	}
	r->n = 0;
	ret = zcrx_nl_request(nl, msg, save, r);
	fprintf(stderr, "%-12s %-8s %d replies%s%s\n", r->kind, r->dev, r->n,
		ret ? ", then " : "", ret ? strerrorname_np(-ret) : "");
}

static void link_get(int ifindex, struct rec *r)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct zcrx_nl_req req;
	struct zcrx_nl rt;
	int ret;

	r->n = 0;
	ret = zcrx_nl_socket(&rt, NETLINK_ROUTE);
	if (!ret) {
		zcrx_nl_req_init(&req, RTM_GETLINK, 0, &ifi, sizeof(ifi));
		ret = zcrx_nl_put_u32(&req.m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		if (!ret)
			ret = zcrx_nl_talk(&rt, req.m.nlh, save, NULL, r);
		zcrx_nl_close(&rt);
	}
	fprintf(stderr, "%-12s %-8s %d replies%s%s\n", r->kind, r->dev, r->n,
		ret ? ", then " : "", ret ? strerrorname_np(-ret) : "");
}

int main(int argc, char **argv)
{
	struct zcrx_nl nd, et;
	struct rec r;

	if (argc < 3) {
		fprintf(stderr, "usage: nlrecord DIR DEV...\n");
		return 64;
	}
	if (zcrx_nl_open(&nd, "netdev") || zcrx_nl_open(&et, "ethtool")) {
		fprintf(stderr, "nlrecord: no netdev or ethtool genl family\n");
		return 1;
	}
	r.dir = argv[1];
	r.dev = "all";
	r.kind = "pool";
	dump(&nd, ZCRX_NETDEV_CMD_PAGE_POOL_GET, NLM_F_DUMP, 0, 0, 0, false, &r);
	r.kind = "poolstats";
	dump(&nd, ZCRX_NETDEV_CMD_PAGE_POOL_STATS_GET, NLM_F_DUMP, 0, 0, 0, false, &r);
	for (int i = 2; i < argc; i++) {
		int ifindex = (int)if_nametoindex(argv[i]);

		if (!ifindex) {
			fprintf(stderr, "nlrecord: no device %s\n", argv[i]);
			continue;
		}
		r.dev = argv[i];
		r.kind = "queue";
		dump(&nd, ZCRX_NETDEV_CMD_QUEUE_GET, NLM_F_DUMP, ZCRX_NETDEV_A_QUEUE_IFINDEX,
		     ifindex, 0, false, &r);
		r.kind = "qstats";
		dump(&nd, ZCRX_NETDEV_CMD_QSTATS_GET, NLM_F_DUMP, ZCRX_NETDEV_A_QSTATS_IFINDEX,
		     ifindex, ZCRX_NETDEV_QSTATS_SCOPE_QUEUE, false, &r);
		r.kind = "rings";
		dump(&et, ZCRX_ETHTOOL_MSG_RINGS_GET, NLM_F_ACK, 0, ifindex, 0, true, &r);
		r.kind = "link";
		link_get(ifindex, &r);
		r.kind = "channels";
		dump(&et, ZCRX_ETHTOOL_MSG_CHANNELS_GET, NLM_F_ACK, 0, ifindex, 0, true, &r);
	}
	zcrx_nl_close(&nd);
	zcrx_nl_close(&et);
	return 0;
}
