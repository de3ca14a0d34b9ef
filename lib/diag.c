// SPDX-License-Identifier: MIT
/*
 * Turn the kernel's errno for a zcrx operation into a sentence an operator
 * can act on: what was tried, what the kernel answered, what to do next.
 * The tables follow the kernel's checks in order: io_uring/zcrx.c:
 * io_register_zcrx_ifq() and the memory provider binding it calls
 * (net/core/netdev_rx_queue.c: net_mp_open_rxq()) for registration,
 * io_zcrx_ctrl() for control and re-arm, io_uring/net.c:
 * io_recvzc() for receive; tests/unit/test_diag.c shows each row.  The
 * netdev view narrows down the errnos that have many causes.  Nothing here
 * knows which backend gave the errno.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "zcrx.h"
#include "zcrx_diag.h"
#include "kabi.h"

#define NIC_LIST	"a NIC such as mlx5, bnxt, fbnic or gve"

struct out {
	char	*buf;
	size_t	len;
	size_t	pos;
};

static __attribute__((format(printf, 2, 3))) void put(struct out *o, const char *fmt, ...)
{
	bool room = o->pos < o->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->pos : NULL, room ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += n;
}

/* What diagnose knows about the device: maybe nothing, a name, or a netlink view. */
struct dev_view {
	const struct zcrx_netdev	*dev;	/* NULL without a name */
	const char			*name;	/* "the device" when unknown */
	bool				probed;	/* a zcrx_netdev_dump() result */
	unsigned int			bits;	/* ZCRX_UNREADY_* that hold */
	uint32_t			queue;
};

static const char *err_name(int e, char *buf, size_t len)
{
	const char *n = strerrorname_np(e);

	if (n)
		return n;
	snprintf(buf, len, "errno %d", e);
	return buf;
}

/* The operator's fix for one readiness bit, as "run `...`", or nothing. */
static void put_fix(struct out *o, const struct dev_view *v, unsigned int bit, const char *pre)
{
	char cmd[128];

	if (v->dev && v->dev->name[0] && zcrx_unready_fix(bit, v->dev, v->queue, cmd,
							  sizeof(cmd)) > 0)
		put(o, "%srun `%s`", pre, cmd);
}

static bool ctrl_absent(const struct zcrx_caps *caps)
{
	return caps && !caps->opcodes_err && !caps->query_err &&
	       caps->nr_register_opcodes <= IORING_REGISTER_ZCRX_CTRL;
}

/* What a kernel with NODEV can show without the NIC that binding needs. */
static void put_nodev_hint(struct out *o, const struct zcrx_caps *caps)
{
	bool copy = caps && (caps->event_types & ZCRX_EV_MASK(ZCRX_EV_COPY));

	if (caps && (caps->register_flags & ZCRX_REG_NODEV))
		put(o, "; without one, this kernel's NIC-less zcrx (`zcrxctl selftest`, `zcrxctl"
		       " %s --nodev NAME 0 --listen PORT`) shows the receive path, refill ring,"
		       " %sbut never alloc-fail", copy ? "watch" : "bind",
		       copy ? "copy events and stats, " : "");
}

/* Why EOPNOTSUPP; true when the answer is that binding needs a NIC. */
static bool reg_eopnotsupp(struct out *o, const struct dev_view *v, const struct zcrx_caps *caps)
{
	const struct zcrx_netdev *dev = v->dev;

	if (caps && caps->zcrx_reg_err == -EOPNOTSUPP) {
		put(o, "this kernel is built without CONFIG_IO_URING_ZCRX: use a kernel with it");
		return false;
	}
	if (!v->probed) {
		put(o, "the device or its driver cannot host zcrx (lo, veth, virtio_net and ifb"
		       " have no RX queue management API or DMA device): zcrx needs " NIC_LIST);
		return true;
	}
	if (v->bits & ZCRX_UNREADY_NO_DMA) {
		put(o, "%s has the queue API but no DMA device, so its pages cannot take zcrx"
		       " buffers: zcrx needs " NIC_LIST, dev->driver);
		return true;
	}
	if (dev->flags & IFF_LOOPBACK) {
		put(o, "%s is the loopback device: it has no driver with an RX queue management"
		       " API and no DMA device: zcrx needs " NIC_LIST, v->name);
		return true;
	}
	if (v->bits & (ZCRX_UNREADY_VIRTUAL | ZCRX_UNREADY_NO_QUEUE_API)) {
		if (!dev->driver_err)
			put(o, "%s has no RX queue management API or DMA device: zcrx needs "
			       NIC_LIST, dev->driver);
		else
			put(o, "%s is a virtual device with no RX queue management API or DMA"
			       " device: zcrx needs " NIC_LIST, v->name);
		return true;
	}
	put(o, "the %s driver could not restart queue %u with zcrx buffers (the NIC or its"
	       " firmware may lack header/data split, or the driver's page pool cannot take"
	       " them): check that `ethtool -g %s` reports TCP data split on, and update the"
	       " driver and firmware", dev->driver_err ? "device's" : dev->driver, v->queue,
	    v->name);
	return false;
}

static void reg_einval(struct out *o, const struct dev_view *v, const struct zcrx_caps *caps)
{
	const struct zcrx_netdev *dev = v->dev;

	if (caps && caps->zcrx_reg_err == -EINVAL) {
		put(o, "this kernel does not know IORING_REGISTER_ZCRX_IFQ: use Linux 6.15 or later");
		return;
	}
	if (v->queue == UINT32_MAX) {
		put(o, "queue %u is not a queue index: pick an RX queue of %s", v->queue, v->name);
		return;
	}
	if (v->bits & ZCRX_UNREADY_HDS_OFF) {
		put(o, "tcp-data-split is off on %s, and zcrx needs header/data split", v->name);
		put_fix(o, v, ZCRX_UNREADY_HDS_OFF, ": ");
		if (v->bits & ZCRX_UNREADY_HDS_THRESH) {
			put(o, "; hds-thresh is %u and must be 0",
			    dev->rings[ZCRX_ETHTOOL_A_RINGS_HDS_THRESH]);
			put_fix(o, v, ZCRX_UNREADY_HDS_THRESH, ": ");
		}
		return;
	}
	if (v->bits & ZCRX_UNREADY_HDS_THRESH) {
		put(o, "hds-thresh is %u on %s, and zcrx needs every payload split off the headers",
		    dev->rings[ZCRX_ETHTOOL_A_RINGS_HDS_THRESH], v->name);
		put_fix(o, v, ZCRX_UNREADY_HDS_THRESH, ": ");
		return;
	}
	put(o, "the kernel refused the registration arguments (rq_entries, rx_buf_len, area or"
	       " refill region), or the driver ignored the requested buffer size: retry with"
	       " rx_buf_len 0 (the page size), and check that `ethtool -g %s` reports TCP data"
	       " split on and HDS thresh 0", v->name);
}

static void reg_erange(struct out *o, const struct dev_view *v)
{
	if (v->bits & ZCRX_UNREADY_NO_QUEUE) {
		put(o, "queue %u does not exist: %s has %u RX queues: pick a queue below %u",
		    v->queue, v->name, zcrx_netdev_nr_rx(v->dev), zcrx_netdev_nr_rx(v->dev));
		put_fix(o, v, ZCRX_UNREADY_NO_QUEUE, ", or ");
		return;
	}
	put(o, "rx_buf_len is larger than the area's physically contiguous chunks, or queue %u"
	       " is not an active RX queue of %s: back the area with 2 MiB huge pages or use a"
	       " smaller rx_buf_len, and check the queue count with `ethtool -l %s`",
	    v->queue, v->name, v->name);
}

/*
 * A queue that already carries a memory provider (io_uring/zcrx.c cannot
 * bind another: net_mp_open_rxq() answers EEXIST, EBUSY for AF_XDP): which
 * kind, and that a provider outlives its process for a moment, because the
 * kernel tears it down asynchronously once the holder's ring or socket is
 * closed.  liburing issue #1550: a rerun met its predecessor's provider.
 */
#define HOLDER_ASYNC	" (a holder still running, or one that exited a moment ago: the kernel" \
			" tears a provider down asynchronously after its process exits)"
#define HOLDER_FIX	"wait for the queue to clear (zcrxctl: --wait-clear DUR), or pick another" \
			" queue"

static void put_holder(struct out *o, const char *name, uint32_t queue, unsigned int mp,
		       uint32_t dmabuf)
{
	if (mp & ZCRX_MP_IO_URING)
		put(o, "queue %u of %s already has an io_uring zcrx memory provider bound"
		       HOLDER_ASYNC ": stop the process whose ring holds it, " HOLDER_FIX,
		    queue, name);
	else if (mp & ZCRX_MP_DMABUF)
		put(o, "queue %u of %s is bound to a devmem dmabuf (id %u)" HOLDER_ASYNC ": stop"
		       " the process whose netlink socket bound it, " HOLDER_FIX, queue, name,
		    dmabuf);
	else
		put(o, "an AF_XDP socket uses queue %u of %s" HOLDER_ASYNC ": close it, "
		       HOLDER_FIX, queue, name);
}

/* The queue's providers: from a netlink view, or from the caller's one-queue look-up. */
static const struct zcrx_rxq *view_rxq(const struct dev_view *v)
{
	return v->dev && v->dev->nr_rxq ? zcrx_netdev_rxq(v->dev, v->queue) : NULL;
}

static void reg_eexist(struct out *o, const struct dev_view *v)
{
	const struct zcrx_rxq *q = view_rxq(v);

	if (q && (q->mp & (ZCRX_MP_IO_URING | ZCRX_MP_DMABUF)))
		put_holder(o, v->name, v->queue, q->mp, q->dmabuf);
	else
		put(o, "an XDP program is attached to %s, or a memory provider is already bound"
		       " to queue %u" HOLDER_ASYNC ": detach XDP (`ip link set dev %s xdp off`),"
		       " stop the holder, " HOLDER_FIX, v->name, v->queue, v->name);
}

static void reg_ebusy(struct out *o, const struct dev_view *v)
{
	const struct zcrx_rxq *q = view_rxq(v);

	if (q && (q->mp & ZCRX_MP_XSK))
		put_holder(o, v->name, v->queue, ZCRX_MP_XSK, 0);
	else
		put(o, "queue %u of %s is used by AF_XDP or leased to a virtual device, or %s is"
		       " not a physical NIC: pick a free queue of the physical NIC",
		    v->queue, v->name, v->name);
}

int zcrx_queue_holder_str(const char *ifname, uint32_t queue, const struct zcrx_queue_holder *h,
			  char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };

	if (buf && len)
		buf[0] = '\0';
	if (!h || !h->mp)
		return -EINVAL;
	put_holder(&o, ifname && *ifname ? ifname : "the device", queue, h->mp, h->dmabuf);
	return o.pos;
}

static void diag_register(struct out *o, int e, const struct dev_view *v,
			  const struct zcrx_caps *caps)
{
	const struct zcrx_netdev *dev = v->dev;

	switch (e) {
	case EOPNOTSUPP:
		if (reg_eopnotsupp(o, v, caps))
			put_nodev_hint(o, caps);
		break;
	case EINVAL:
		reg_einval(o, v, caps);
		break;
	case ERANGE:
		reg_erange(o, v);
		break;
	case EEXIST:
		reg_eexist(o, v);
		break;
	case EBUSY:
		reg_ebusy(o, v);
		break;
	case EPERM:
		put(o, "binding zcrx needs CAP_NET_ADMIN (in the initial user namespace), which"
		       " this process lacks: run as root or grant it CAP_NET_ADMIN");
		break;
	case ENOMEM:
		put(o, "the kernel could not allocate, pin or memlock-account the area and refill"
		       " region: raise the locked-memory limit (`ulimit -l unlimited`) or use a"
		       " smaller area");
		break;
	case ENODEV:
		if (dev && dev->name[0])
			put(o, "there is no interface named %s in this network namespace", dev->name);
		else if (dev && dev->ifindex > 0)
			put(o, "there is no interface with index %d in this network namespace",
			    dev->ifindex);
		else
			put(o, "there is no such interface in this network namespace");
		put(o, ": check `ip link`, or run in the namespace that has it"
		       " (`ip netns exec NS ...`)");
		break;
	case ENODATA:
		put(o, "the driver restarted queue %u of %s but attached no zcrx buffers (header"
		       " split inactive, or the NIC or firmware cannot receive into unreadable"
		       " memory): check that `ethtool -g %s` reports TCP data split on, and update"
		       " the firmware", v->queue, v->name, v->name);
		break;
	case EFAULT:
		put(o, "the kernel could not read an argument or pin the area or refill region:"
		       " that memory must stay mapped and writable (a libzcrx bug if libzcrx"
		       " allocated it)");
		break;
	case E2BIG:
		put(o, "the refill region is too large: use fewer rq_entries");
		break;
	case EOVERFLOW:
		put(o, "the refill region's address range overflows: a libzcrx bug");
		break;
	case EBADF:
		put(o, "the fd to import is not an exported zcrx: export one with ZCRX_CTRL_EXPORT");
		break;
	default:
		put(o, "zcrx gives this errno no meaning of its own: check `dmesg` and the kernel"
		       " version");
		break;
	}
}

static void diag_ctrl(struct out *o, enum zcrx_op op, int e, const struct zcrx_caps *caps)
{
	switch (e) {
	case EINVAL:
		if (ctrl_absent(caps)) {
			put(o, "this kernel has no zcrx control op (IORING_REGISTER_ZCRX_CTRL, %u"
			       " register opcodes): zcrx events need Linux 7.2", caps->nr_register_opcodes);
		} else if (op == ZCRX_OP_ARM) {
			put(o, "the event has not fired since it was last armed (nothing to re-arm)");
			if (caps && caps->gen == ZCRX_GEN_MAY2026)
				put(o, ", or this kernel (May 2026 events) knows alloc-fail only");
			put(o, ": arm a type again only after its event CQE");
		} else {
			put(o, "the kernel refused the request's payload or arguments (they must be"
			       " zero, with nr_args 0): a libzcrx bug");
		}
		break;
	case ENXIO:
		put(o, "the ring has no zcrx with that zcrx_id (unknown zcrx_id): use the ring"
		       " that registered the ifq, and the zcrx_id it wrote back");
		break;
	case EFAULT:
		put(o, "struct zcrx_ctrl had non-zero reserved fields or could not be read: zero"
		       " the whole struct before filling it (a libzcrx bug)");
		break;
	case EOPNOTSUPP:
		put(o, "this kernel does not know that control op (it has %u): %s",
		    caps ? caps->nr_ctrl_opcodes : 0, op == ZCRX_OP_ARM ?
		    "re-arming events needs Linux 7.2" : "use a newer kernel");
		break;
	default:
		put(o, "zcrx control gives this errno no meaning of its own: check `dmesg`");
		break;
	}
}

static void diag_recv(struct out *o, int e)
{
	switch (e) {
	case 0:
		put(o, "the peer closed the connection, or the receive reached its length cap:"
		       " issue a new receive if more data is expected");
		break;
	case EINVAL:
		put(o, "the kernel refused the RECV_ZC request (unknown zcrx_id, reserved SQE"
		       " fields, or ioprio other than POLL_FIRST|MULTISHOT): use the zcrx_id the"
		       " registration wrote back (on Linux 6.15+)");
		break;
	case EPROTONOSUPPORT:
		put(o, "the socket is not TCP: zcrx receives only on TCP sockets");
		break;
	case ENOTSOCK:
	case EBADF:
		put(o, "the fd is not an open socket: pass a connected TCP socket");
		break;
	case ENOMEM:
		put(o, "no free area buffer was left for a copied fragment: return buffers sooner"
		       " or enlarge the area");
		break;
	default:
		put(o, "the connection failed: reconnect and issue a new receive");
		break;
	}
}

/* The ring a ctx needs: SINGLE_ISSUER | DEFER_TASKRUN | CQE32 (lib/ctx.c). */
static void diag_ring(struct out *o, int e)
{
	switch (e) {
	case EPERM:
	case EACCES:
		put(o, "io_uring is not allowed for this process (sysctl"
		       " kernel.io_uring_disabled, or a seccomp policy): allow it");
		break;
	case ENOSYS:
		put(o, "this kernel has no io_uring: zcrx needs Linux 6.15 or later");
		break;
	case EINVAL:
		put(o, "this kernel refused an io_uring with SINGLE_ISSUER|DEFER_TASKRUN|CQE32:"
		       " zcrx needs Linux 6.15 or later");
		break;
	case ENOMEM:
		put(o, "out of locked memory for the io_uring: raise `ulimit -l`");
		break;
	default:
		put(o, "the kernel refused the ring: `zcrxctl features` shows what this kernel offers");
		break;
	}
}

static const char *const op_what[] = {
	[ZCRX_OP_REGISTER]	= "registering a zcrx ifq",
	[ZCRX_OP_ARM]		= "re-arming a zcrx event",
	[ZCRX_OP_CTRL]		= "a zcrx control request",
	[ZCRX_OP_RECV]		= "a zero-copy receive",
	[ZCRX_OP_RING]		= "setting up an io_uring for zcrx",
};

int zcrx_diagnose(enum zcrx_op op, int err, const struct zcrx_netdev *dev,
		  uint32_t queue, const struct zcrx_caps *caps, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };
	struct dev_view v = { .dev = dev, .name = "the device", .queue = queue };
	int e = err < 0 ? -err : err;
	const char *desc = strerrordesc_np(e);
	char ebuf[24];

	if (buf && len)
		buf[0] = '\0';
	if ((unsigned int)op >= sizeof(op_what) / sizeof(op_what[0]))
		return -EINVAL;
	if (dev && dev->name[0])
		v.name = dev->name;
	/* a name-only view (ifindex 0) comes from a caller that asked no netlink */
	v.probed = dev && dev->ifindex > 0 && dev->name[0];
	if (v.probed)
		v.bits = zcrx_rxq_readiness(dev, queue, NULL);

	put(&o, "%s", op_what[op]);
	if (op == ZCRX_OP_REGISTER || op == ZCRX_OP_RECV) {
		if (dev && dev->name[0])
			put(&o, " on %s queue %u", dev->name, queue);
		else if (dev && dev->ifindex > 0)
			put(&o, " on ifindex %d queue %u", dev->ifindex, queue);
	}
	if (op == ZCRX_OP_RECV && !e)
		put(&o, " ended: ");
	else
		put(&o, " got %s (%s): ", err_name(e, ebuf, sizeof(ebuf)),
		    desc ? desc : "unknown error");

	switch (op) {
	case ZCRX_OP_REGISTER:
		diag_register(&o, e, &v, caps);
		break;
	case ZCRX_OP_ARM:
	case ZCRX_OP_CTRL:
		diag_ctrl(&o, op, e, caps);
		break;
	case ZCRX_OP_RECV:
		diag_recv(&o, e);
		break;
	case ZCRX_OP_RING:
		diag_ring(&o, e);
		break;
	}
	return o.pos;
}
