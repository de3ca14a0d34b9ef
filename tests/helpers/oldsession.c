// SPDX-License-Identifier: MIT
/*
 * A session as zcrxctl 0.1 answered, for the compatibility tests: listen on
 * PATH and answer each connection's one request with 0.1's reply for its
 * command (git show c0b4030:zcrxctl/session_clients.c: its arm reply has no
 * "mode"), then close it.  It serves N
 * connections and exits 0, or exits 2 after TIMEOUT_MS without one.
 *
 *   oldsession PATH N TIMEOUT_MS
 *
 * With OLDSESSION_DEV set, the status reply names that dev instead (a JSON
 * string body, escapes and all): a fake session for tests/test_rundir.sh.
 * OLDSESSION_STATUS_REPLY, when set, replaces the status reply (one line,
 * its newline added): a session that answers whatever a test needs.
 * OLDSESSION_REPLY_FILE, when set, answers every request with that file's
 * bytes as they are (NULs and all, no newline added).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

static const char status_reply[] =
	"{\"v\":1,\"ok\":true,\"session\":{\"dev\":\"old0\",\"queue\":3,\"zcrx-id\":0,"
	"\"pid\":1,\"uptime-s\":5,\"mode\":\"sim\",\"simulated\":true,"
	"\"events\":[\"alloc-fail\",\"copy\"],"
	"\"types\":{\"alloc-fail\":{\"state\":\"armed\",\"count\":1},"
	"\"copy\":{\"state\":\"armed\",\"count\":0}},\"copy-count\":0,\"copy-bytes\":0,"
	"\"recv-stalls\":0}}\n";
static const char arm_reply[] = "{\"v\":1,\"ok\":true,\"armed\":[\"alloc-fail\"]}\n";

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *status = status_reply;
	int lfd, n, timeout;

	if (argc != 4 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: oldsession PATH N TIMEOUT_MS\n");
		return 64;
	}
	if (getenv("OLDSESSION_DEV")) {
		static char fake[sizeof(status_reply) + 256];
		const char *at = strstr(status_reply, "old0");

		snprintf(fake, sizeof(fake), "%.*s%.200s%s", (int)(at - status_reply),
			 status_reply, getenv("OLDSESSION_DEV"), at + 4);
		status = fake;
	}
	n = atoi(argv[2]);
	timeout = atoi(argv[3]);
	strcpy(sa.sun_path, argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 8)) {
		perror("oldsession");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		char req[4096];
		const char *reply;
		ssize_t len;
		int fd;

		if (poll(&p, 1, timeout) != 1)
			return 2;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			return 1;
		len = read(fd, req, sizeof(req) - 1);
		req[len > 0 ? len : 0] = '\0';
		reply = strstr(req, "\"arm\"") ? arm_reply : status;
		if (getenv("OLDSESSION_REPLY_FILE")) {
			char raw[4096];
			int rfd = open(getenv("OLDSESSION_REPLY_FILE"), O_RDONLY);
			ssize_t r = rfd < 0 ? -1 : read(rfd, raw, sizeof(raw));

			if (r < 0 || write(fd, raw, r) != r)
				perror("oldsession: reply file");
			if (rfd >= 0)
				close(rfd);
		} else if (reply == status && getenv("OLDSESSION_STATUS_REPLY")) {
			reply = getenv("OLDSESSION_STATUS_REPLY");
			if (write(fd, reply, strlen(reply)) < 0 || write(fd, "\n", 1) < 0)
				perror("oldsession: write");
		} else if (write(fd, reply, strlen(reply)) < 0) {
			perror("oldsession: write");
		}
		close(fd);
	}
	close(lfd);
	unlink(argv[1]);
	return 0;
}
