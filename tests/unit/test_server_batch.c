// SPDX-License-Identifier: MIT
/*
 * ZCRX_SERVE_BATCHED: records published during a pass wait in each
 * subscriber's queue and leave with zcrx_server_flush(), all of them, in
 * order, in one write; without the flag each leaves at once, as before.
 * A burst past the per-subscriber cap within one pass is not lost while
 * the subscriber's socket has room.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "zcrx_server.h"
#include "zcrx_sim.h"

struct fix {
	char			dir[64];
	struct zcrx_ctx		*ctx;
	struct zcrx_ifq		*ifq;
	struct zcrx_server	*srv;
	int			fd;	/* a subscriber */
};

static int setup(void **state)
{
	struct zcrx_sim_params sp = { .gen = ZCRX_GEN_7_2, .step = true };
	struct zcrx_ifq_opts io = { .ifname = "sim0", .queue = 2, .events_default = true };
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fd = -1;
	strcpy(f->dir, "/tmp/zcrx-srv-batch.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(zcrx_sim_ctx_create(&f->ctx, &sp, NULL), 0);
	assert_int_equal(zcrx_ifq_open(f->ctx, &io, &f->ifq, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char path[128];

	if (f->fd >= 0)
		close(f->fd);
	zcrx_server_close(f->srv);
	zcrx_ifq_close(f->ifq);
	zcrx_ctx_destroy(f->ctx);
	snprintf(path, sizeof(path), "%s/sim0.2.sock", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* Serve with flags, subscribe, run the server until the "ok" is read. */
static void subscribed(struct fix *f, uint32_t flags)
{
	struct zcrx_serve_opts so = { .rundir = f->dir, .flags = ZCRX_SERVE_DRIVEN | flags };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static const char rq[] = "{\"v\":1,\"cmd\":\"subscribe\"}\n";
	char buf[256];
	ssize_t n = 0;

	assert_int_equal(zcrx_ifq_serve(f->ifq, &so, &f->srv, NULL), 0);
	assert_int_equal(zcrx_server_subscribers(f->srv), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sim0.2.sock", f->dir);
	f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->fd >= 0);
	assert_int_equal(connect(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(f->fd, rq, sizeof(rq) - 1), (ssize_t)sizeof(rq) - 1);
	for (int i = 0; i < 100 && !readable(f->fd, 0); i++) {
		assert_int_equal(zcrx_server_run(f->srv), 0);
		readable(f->fd, 10);
	}
	n = read(f->fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"ok\":true"));
	assert_int_equal(zcrx_server_subscribers(f->srv), 1);
}

static void publish(struct fix *f, int i)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "{\"v\":1,\"record\":\"lost\",\"count\":%d}\n", i);

	assert_int_equal(zcrx_server_publish(f->srv, line, n), 1);
}

/* What the subscriber has, all of it, as one string. */
static void read_all(struct fix *f, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len - 1 && readable(f->fd, 50)) {
		n = read(f->fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
}

static void test_records_wait_for_the_flush_and_leave_in_order(void **state)
{
	struct fix *f = *state;
	char buf[1024];

	subscribed(f, ZCRX_SERVE_BATCHED);
	for (int i = 1; i <= 3; i++)
		publish(f, i);
	assert_false(readable(f->fd, 20));
	assert_int_equal(zcrx_server_flush(f->srv), 0);
	read_all(f, buf, sizeof(buf));
	assert_string_equal(buf, "{\"v\":1,\"record\":\"lost\",\"count\":1}\n"
				 "{\"v\":1,\"record\":\"lost\",\"count\":2}\n"
				 "{\"v\":1,\"record\":\"lost\",\"count\":3}\n");
	/* a pass with nothing published writes nothing */
	assert_int_equal(zcrx_server_flush(f->srv), 0);
	assert_false(readable(f->fd, 20));
}

static void test_a_server_run_flushes_too(void **state)
{
	struct fix *f = *state;
	char buf[1024];

	subscribed(f, ZCRX_SERVE_BATCHED);
	publish(f, 7);
	assert_int_equal(zcrx_server_run(f->srv), 0);
	read_all(f, buf, sizeof(buf));
	assert_string_equal(buf, "{\"v\":1,\"record\":\"lost\",\"count\":7}\n");
}

static void test_unbatched_records_leave_at_once(void **state)
{
	struct fix *f = *state;
	char buf[1024];

	subscribed(f, 0);
	publish(f, 1);
	read_all(f, buf, sizeof(buf));
	assert_string_equal(buf, "{\"v\":1,\"record\":\"lost\",\"count\":1}\n");
}

static void test_a_burst_past_the_cap_is_not_lost_while_the_socket_has_room(void **state)
{
	struct fix *f = *state;
	static char buf[256 * 1024];
	int lines = 0, n = 2000;	/* ~100 KiB: past the 64 KiB cap, under the socket's room */
	char line[64], *p;

	subscribed(f, ZCRX_SERVE_BATCHED);
	for (int i = 0; i < n; i++) {
		int len = snprintf(line, sizeof(line),
				   "{\"v\":1,\"record\":\"stats\",\"seq\":%08d,\"x\":1}\n", i);

		assert_int_equal(zcrx_server_publish(f->srv, line, len), 1);
	}
	assert_int_equal(zcrx_server_flush(f->srv), 0);
	read_all(f, buf, sizeof(buf));
	for (p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	assert_null(strstr(buf, "\"lost\""));
	assert_int_equal(lines, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_records_wait_for_the_flush_and_leave_in_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_server_run_flushes_too, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbatched_records_leave_at_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_a_burst_past_the_cap_is_not_lost_while_the_socket_has_room, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
