// SPDX-License-Identifier: MIT
/*
 * A raw client of a session socket for the shell tests, sharing no code with
 * zcrxctl: connect, send one request line, optionally stall without reading
 * (a slow subscriber), then copy what arrives to stdout.
 *
 *   usock [-b RCVBUF] [-s STALL_MS] [-t TIMEOUT_MS] [-n LINES] [-r] PATH [REQUEST]
 *
 * REQUEST is sent with a newline appended (-r: as is).  Reading ends at EOF
 * (exit 0), after LINES lines (exit 0), or at the timeout (exit 2).  A failed
 * connect prints its errno name and exits 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	long rcvbuf = 0, stall = 0, timeout = 10000, lines = 0, seen = 0;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline;
	bool raw = false;
	char buf[65536];
	int fd, c;

	while ((c = getopt(argc, argv, "b:s:t:n:r")) != -1) {
		switch (c) {
		case 'b': rcvbuf = atol(optarg); break;
		case 's': stall = atol(optarg); break;
		case 't': timeout = atol(optarg); break;
		case 'n': lines = atol(optarg); break;
		case 'r': raw = true; break;
		default: return 64;
		}
	}
	if (optind >= argc || strlen(argv[optind]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: usock [-b RCVBUF] [-s STALL_MS] [-t TIMEOUT_MS] [-n LINES] [-r] PATH [REQUEST]\n");
		return 64;
	}
	strcpy(sa.sun_path, argv[optind]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	if (rcvbuf) {
		int v = (int)rcvbuf;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "connect: %s\n", strerrorname_np(errno));
		return 1;
	}
	if (optind + 1 < argc) {
		size_t len = strlen(argv[optind + 1]);
		char *req = malloc(len + 2);

		if (!req)
			return 1;
		memcpy(req, argv[optind + 1], len);
		if (!raw)
			req[len++] = '\n';
		/* the peer may close early on an oversized request: not our error */
		for (size_t off = 0; off < len;) {
			ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		free(req);
	}
	if (stall)
		usleep((useconds_t)stall * 1000);
	deadline = now_ms() + timeout;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
			return 2;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;	/* EOF, or ECONNRESET from a peer that closed */
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' && lines && ++seen >= lines) {
				fwrite(buf, 1, (size_t)i + 1, stdout);
				return 0;
			}
		}
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
}
