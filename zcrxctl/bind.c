// SPDX-License-Identifier: MIT
/*
 * zcrxctl bind DEV QUEUE [BIND OPTIONS] [--check]: bind an ifq, print the
 * binding report, hold the session.  Also the BIND OPTIONS parser that
 * watch shares.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <netinet/in.h>

#include "main.h"
#include "bind.h"
#include "units.h"

/* ------------------------------------------------------------------ */
/* BIND OPTIONS                                                        */
/* ------------------------------------------------------------------ */

void bind_opts_init(struct session_opts *o)
{
	memset(o, 0, sizeof(*o));
	backend_opts_init(&o->be);
	o->consume.mode = ZCRX_CONSUME_NOW;
}

/* [ADDR:]PORT; ADDR may be [v6], v4, v6 or a host name; PORT 0 = any free port. */
static int listen_parse(const char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *colon = strrchr(arg, ':'), *port_s = colon ? colon + 1 : arg;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res;
	char host[256] = "";
	uint32_t port;
	size_t n;

	if (parse_u32(port_s, &port) || port > 65535)
		return -EINVAL;
	if (colon) {
		n = colon - arg;
		if (n >= sizeof(host))
			return -EINVAL;
		memcpy(host, arg, n);
		host[n] = '\0';
		if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
			memmove(host, host + 1, n - 2);
			host[n - 2] = '\0';
		}
	}
	memset(ss, 0, sizeof(*ss));
	if (!host[0]) {
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_any;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
	} else if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
	} else if (!getaddrinfo(host, NULL, &hints, &res)) {
		memcpy(ss, res->ai_addr, res->ai_addrlen);
		*len = res->ai_addrlen;
		freeaddrinfo(res);
		if (ss->ss_family == AF_INET)
			in->sin_port = htons(port);
		else if (ss->ss_family == AF_INET6)
			in6->sin6_port = htons(port);
		else
			return -EINVAL;
	} else {
		return -ENOENT;
	}
	return 0;
}

/* --auto-grow SIZE[,MAX] */
static int grow_parse(const char *arg, struct session_opts *o)
{
	uint64_t page = sysconf(_SC_PAGESIZE);
	const char *comma = strchr(arg, ',');
	char size[32];

	if (!comma)
		comma = arg + strlen(arg);
	if ((size_t)(comma - arg) >= sizeof(size))
		return -EINVAL;
	memcpy(size, arg, comma - arg);
	size[comma - arg] = '\0';
	o->grow_max = 0;
	if (parse_size(size, &o->grow_size) || !o->grow_size || o->grow_size % page ||
	    (*comma && (parse_size(comma + 1, &o->grow_max) || !o->grow_max)))
		return -EINVAL;
	return 0;
}

error_t bind_opt_parse(int key, char *arg, struct argp_state *state, struct session_opts *o)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t v;
	int e;

	switch (key) {
	case ARGP_KEY_ARG:
		dev_queue_arg(state, arg, &o->dev, &o->queue, &o->nr_args);
		break;
	case OPT_AREA_SIZE:
		if (parse_size(arg, &v))
			bad_value(state, "--area-size", arg, SIZE_UNITS ", such as 256K or 8M");
		else if (!v || v % page)
			bad_value(state, "--area-size", arg, "a SIZE that is a multiple of the page"
				  " size (4K), such as 256K or 8M");
		o->area_size = v;
		break;
	case OPT_RQ_ENTRIES:
		if (parse_u32(arg, &o->rq_entries) || !o->rq_entries ||
		    o->rq_entries > ZCRX_RQ_ENTRIES_MAX)
			bad_value(state, "--rq-entries", arg, "a number of refill entries from 1"
				  " to " RQ_ENTRIES_MAX_STR);
		break;
	case OPT_RX_BUF_LEN:
		if (parse_size(arg, &v) || v < (uint64_t)page || v > (1ULL << 31) || (v & (v - 1)))
			bad_value(state, "--rx-buf-len", arg, "a power of two of at least the page"
				  " size, such as 4K or 64K");
		o->rx_buf_len = v;
		break;
	case OPT_HUGEPAGES:
		o->hugepages = true;
		break;
	case OPT_EVENTS:
		if (zcrx_event_list_parse(arg, &o->events))
			bad_value(state, "--events", arg, "alloc-fail (or no-buffers), copy, a"
				  " comma-separated list of them, all or none");
		o->events_set = true;
		o->events_all = !strcmp(arg, "all");
		break;
	case OPT_USER_DATA:
		if (parse_u64(arg, &o->user_data) || !o->user_data)
			bad_value(state, "--user-data", arg, "a non-zero number (decimal or 0x hex)");
		else if (loop_ud_reserved(o->user_data))
			argp_error(state, "--user-data %s is in a range zcrxctl uses for its own"
				   " requests (0x6c70... and 0x7263...): pick another", arg);
		break;
	case OPT_STATS:
		o->stats = true;
		break;
	case OPT_LISTEN:
		e = listen_parse(arg, &o->listen_addr, &o->listen_len);
		if (e == -ENOENT)
			argp_error(state, "--listen %s: no such address or host name", arg);
		else if (e)
			bad_value(state, "--listen", arg, "[ADDR:]PORT with a port from 0 to 65535,"
				  " such as 9000 or 127.0.0.1:9000");
		o->listen = arg;
		break;
	case OPT_CONSUME_DELAY:
	case OPT_HOLD:
		if (o->consume_opt &&
		    strcmp(o->consume_opt, key == OPT_HOLD ? "--hold" : "--consume-delay"))
			argp_error(state, "--consume-delay and --hold cannot be combined: pick one");
		if (key == OPT_HOLD) {
			o->consume_opt = "--hold";
			o->consume.mode = ZCRX_CONSUME_HOLD;
			if (parse_u32(arg, &o->consume.hold))
				bad_value(state, "--hold", arg, "a number of buffers to keep");
		} else {
			o->consume_opt = "--consume-delay";
			o->consume.mode = ZCRX_CONSUME_DELAY;
			if (parse_duration(arg, &o->consume.delay_ns))
				bad_value(state, "--consume-delay", arg, "a DUR such as 500us, 10ms"
					  " or 1s");
		}
		break;
	case OPT_AUTO_GROW:
		if (grow_parse(arg, o))
			bad_value(state, "--auto-grow", arg, "SIZE[,MAX]: sizes in bytes, K, M or G"
				  " (SIZE a multiple of the page size, 4K), such as 8M or 8M,64M");
		break;
	case OPT_WAIT_CLEAR:
		if (parse_duration(arg, &o->wait_clear_ns) || !o->wait_clear_ns)
			bad_value(state, "--wait-clear", arg, "a DUR such as 500ms, 5s or 1m");
		o->wait_clear = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int bind_open_status(const struct session_opts *o, int err)
{
	/* --wait-clear ran out with the queue still bound */
	if (o->wait_clear && err == -ETIMEDOUT)
		return EXIT_TIMEOUT;
	/* --auto-grow on a kernel without ADD_AREA: as `zcrxctl grow` says it */
	return o->grow_size && err == -EOPNOTSUPP ? EXIT_MISSING : EXIT_ERR;
}

void bind_opts_check(struct argp_state *state, const struct session_opts *o)
{
	bool nodev = o->be.mode == BACKEND_NODEV;

	if (o->nr_args < 2)
		dev_queue_end(state, o->nr_args, o->dev, backend_text(BT_MISSING_DEV));
	else if (backend_opts_check(state, &o->be))
		;
	else if (nodev && o->wait_clear)
		argp_error(state, "--wait-clear with --nodev: a NODEV ifq binds no NIC queue, so"
			   " there is no memory provider to wait for");
	else if (nodev && o->events_set && !o->events_all &&
		 (o->events & ZCRX_EV_MASK(ZCRX_EV_ALLOC_FAIL)))
		argp_error(state, "--events alloc-fail with --nodev: a NODEV ifq has no page pool,"
			   " so alloc-fail never fires there (watch copy)");
	else if (nodev && o->need_events && !o->listen)
		argp_error(state, "--nodev needs --listen [ADDR:]PORT: without a NIC only the TCP"
			   " connections it accepts can feed the ifq");
	else if (o->need_events && o->events_set && !o->events)
		argp_error(state, "--events none leaves watch nothing to watch (bind holds a"
			   " queue without events)");
	else if (o->grow_size && o->grow_max &&
		 o->grow_max < (o->area_size ? o->area_size : 8ULL << 20) + o->grow_size)
		argp_error(state, "--auto-grow MAX leaves no room for one area of SIZE beside the"
			   " first (--area-size, default 8M): raise MAX");
	else if (o->consume_opt && !o->listen)
		argp_error(state, "%s needs --listen%s", o->consume_opt,
			   backend_text(BT_CONSUMER));
}

/* ------------------------------------------------------------------ */
/* bind                                                                */
/* ------------------------------------------------------------------ */

static char *do_help(int key, const char *text, void *input)
{
	char *doc;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	return asprintf(&doc, "Bind an ifq on DEV's RX queue QUEUE, print the binding report (zcrx_id, "
		      "refill entries and rx buffer length as the kernel returned them, area "
		      "size and buffer count, events, stats) and hold the session until SIGINT "
		      "or SIGTERM; `zcrxctl arm|subscribe|status` reach it through "
		      "RUNDIR/DEV.QUEUE.sock.  With --check, bind and release at once: exit 0 "
		      "means zcrx works on that queue, 1 prints the diagnosis.  A NIC queue "
		      "that still carries a memory provider (a stale binding: the kernel frees "
		      "it a moment after its holder exits) is said before registering; "
		      "--wait-clear DUR waits for it, exit 2 when DUR passes.\n"
		      "\n"
		      "       DEV   := network device name, or %s\n"
		      "       QUEUE := RX queue index\n"
		      "       SIZE  := bytes with an optional K, M, G suffix: 4K, 8M, 1G\n"
		      "       DUR   := a number with ns, us, ms, s, m or h: 500ms, 1s, 2m\n"
		      "       LIST  := alloc-fail (or no-buffers), copy, comma-separated, or all\n"
		      "       RUNDIR := $ZCRXCTL_RUNDIR, /run/zcrxctl (root), "
		      "$XDG_RUNTIME_DIR/zcrxctl\n", backend_text(BT_DEV_ANY)) < 0 ? NULL : doc;
}

static const struct argp_option options[] = {
	BIND_ARGP_OPTIONS,
	{ "check", OPT_CHECK, NULL, 0,
	  "bind and release at once: exit 0 when zcrx works on that queue", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct session_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->be;
		return 0;
	case OPT_CHECK:
		o->check = true;
		return 0;
	case ARGP_KEY_END:
		bind_opts_check(state, o);
		return 0;
	default:
		return bind_opt_parse(key, arg, state, o);
	}
}

static const struct argp_child children[] = {
	{ &backend_argp, 0, NULL, 0 },
	{ 0 }
};

static const struct argp bind_argp = {
	options, parse_opt, "DEV QUEUE", "", children, do_help, NULL
};

static const char *const gen_name[] = {
	[ZCRX_GEN_NONE]		= "none",
	[ZCRX_GEN_MAY2026]	= "may-2026",
	[ZCRX_GEN_7_2]		= "7.2",
};

static void print_report(struct printer *pr, struct session *s, bool check)
{
	const struct zcrx_ifq_info *i = session_info(s);
	const struct session_opts *o = session_opts(s);
	const char *sock = session_sock_path(s), *lis = session_listen_addr(s);
	char size[32], names[64];

	zcrx_event_list_str(i->events, names, sizeof(names));
	open_json_object(pr, NULL);
	print_text(pr, "bound");
	print_string(pr, PRINT_ANY, "dev", " dev=%s", session_dev(s));
	print_uint(pr, PRINT_ANY, "queue", " queue=%llu", o->queue);
	if (o->be.mode == BACKEND_NIC)
		print_uint(pr, PRINT_ANY, "ifindex", " ifindex=%llu", i->ifindex);
	print_uint(pr, PRINT_ANY, "zcrx-id", " zcrx-id=%llu", i->zcrx_id);
	print_uint(pr, PRINT_ANY, "rq-entries", " rq-entries=%llu", i->rq_entries);
	print_uint(pr, PRINT_ANY, "rx-buf-len", " rx-buf-len=%llu", i->rx_buf_len);
	print_uint(pr, PRINT_JSON, "area-size", NULL, i->area_size);
	print_string(pr, PRINT_FP, NULL, " area-size=%s", fmt_size(i->area_size, size, sizeof(size)));
	print_uint(pr, PRINT_ANY, "buffers", " buffers=%llu", i->nr_bufs);
	open_json_array(pr, "events");
	for (int t = 0; t < ZCRX_EV_COUNT; t++)
		if (i->events & ZCRX_EV_MASK(t))
			print_string(pr, PRINT_JSON, NULL, NULL, zcrx_event_name(t));
	close_json_array(pr);
	print_string(pr, PRINT_FP, NULL, " events=%s", names);
	print_hex(pr, PRINT_ANY, "user-data", " user-data=0x%llx", i->event_user_data);
	print_bool(pr, PRINT_ANY, "stats", " stats=%s", i->stats);
	print_string(pr, PRINT_ANY, "event-abi", " event-abi=%s", gen_name[i->gen]);
	if (lis)
		print_string(pr, PRINT_ANY, "listen", " listen=%s", lis);
	if (sock) {
		print_string(pr, PRINT_ANY, "socket", " socket=%s", sock);
		print_uint(pr, PRINT_ANY, "pid", " pid=%llu", getpid());
	}
	if (check)
		print_bool(pr, PRINT_ANY, "released", " released=%s", true);
	backend_mode_print(pr, o->be.mode);
	close_json_object(pr);
	print_nl(pr);
	print_end(pr);
}

int do_bind(struct printer *pr, int argc, char **argv)
{
	struct session_opts o;
	struct session *s;
	bool usage;
	int ret;

	bind_opts_init(&o);
	ret = cmd_parse(&bind_argp, argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = session_open(&s, &o, &usage);
	if (ret)
		return usage ? EXIT_USAGE : bind_open_status(&o, ret);
	if (o.check) {
		print_report(pr, s, true);
		session_close(s);
		return EXIT_OK;
	}
	ret = session_start(s, NULL);
	if (!ret) {
		print_report(pr, s, false);
		p_info("Holding %s queue %u: reach it with `zcrxctl status|arm|subscribe|grow %s %u`;"
		       " SIGINT or SIGTERM releases it", o.dev, o.queue, o.dev, o.queue);
		ret = session_run(s);
	}
	session_close(s);
	return ret ? EXIT_ERR : EXIT_OK;
}
