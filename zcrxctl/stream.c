// SPDX-License-Identifier: MIT
/* Streams of records on stdout, as watch and subscribe print them. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "parse.h"
#include "print.h"
#include "stream.h"
#include "units.h"

error_t stream_opt_parse(int key, char *arg, struct argp_state *state, struct stream_opts *o)
{
	switch (key) {
	case 'c':
		if (parse_u64(arg, &o->count) || !o->count)
			argp_error(state, "--count takes a number of events of at least 1, not '%s'",
				   arg);
		return 0;
	case 't':
		if (parse_duration(arg, &o->timeout_ns) || !o->timeout_ns)
			argp_error(state, "--timeout takes a DUR above 0 such as 500ms, 30s or 2m,"
				   " not '%s'", arg);
		return 0;
	case OPT_TIMESTAMP:
		if (ts_mode_parse(arg, &o->ts))
			argp_error(state, "--timestamp takes iso, mono or none, not '%s'", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

bool stdout_is_pipe(void)
{
	struct stat st;

	return !fstat(STDOUT_FILENO, &st) && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

bool stdout_broken(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO };

	return stdout_is_pipe() && poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

bool stdout_lost(int err)
{
	bool gone = err == EPIPE || stdout_broken();
	int fd;

	__fpurge(stdout);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && fd != STDOUT_FILENO) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	clearerr(stdout);
	/* stdout is where -j errors go, and it is gone: use stderr */
	if (!gone)
		fprintf(stderr, "Error: writing to stdout failed: %s: output lost\n",
			strerror(err));
	return gone;
}

void stream_summary(const char *dev, uint32_t queue, uint64_t ns, uint64_t events,
		    const uint64_t *fired, bool timed_out, enum backend_mode mode)
{
	stream_summary_recv(dev, queue, ns, events, fired, 0, 0, timed_out, mode);
}

void stream_summary_recv(const char *dev, uint32_t queue, uint64_t ns, uint64_t events,
			 const uint64_t *fired, uint64_t stalls, uint64_t overflows,
			 bool timed_out, enum backend_mode mode)
{
	char recv[64] = "";
	int n = 0;

	/* only when non-zero: most sessions never see either */
	if (stalls)
		n = snprintf(recv, sizeof(recv), ", recv-stalls %llu", (unsigned long long)stalls);
	if (overflows)
		snprintf(recv + n, sizeof(recv) - n, ", recv-overflows %llu",
			 (unsigned long long)overflows);
	p_info("Watched %s queue %u for %.1fs: %llu event%s (alloc-fail %llu, copy %llu)%s%s%s",
	       dev, queue, ns / 1e9, (unsigned long long)events, events == 1 ? "" : "s",
	       (unsigned long long)fired[ZCRX_EV_ALLOC_FAIL],
	       (unsigned long long)fired[ZCRX_EV_COPY], recv, timed_out ? ", timed out" : "",
	       backend_mode_note(mode));
}
