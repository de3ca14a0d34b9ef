// SPDX-License-Identifier: MIT
/*
 * sysc OUT CMD [ARG...]: run CMD, every thread and child traced, and write
 * "NR COUNT" for each syscall it entered to OUT when it ends: strace -c for
 * a guest that has no strace (the VM tier's bench row counts io_uring_enter
 * per buffer with it).  SIGINT and SIGTERM go on to CMD.  Exits as CMD did.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#define MAX_NR		1024

static unsigned long counts[MAX_NR];
static volatile sig_atomic_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	struct __ptrace_syscall_info si;
	int st, status = 1;
	pid_t pid, w;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: sysc OUT CMD [ARG...]\n");
		return 64;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "sysc: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	child = pid;
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		return 1;
	ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
	       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_EXITKILL);
	ptrace(PTRACE_SYSCALL, pid, NULL, NULL);
	for (;;) {
		int sig = 0;

		w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == pid)
				status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, w, sizeof(si), &si) > 0 &&
			    si.op == PTRACE_SYSCALL_INFO_ENTRY && si.entry.nr < MAX_NR)
				counts[si.entry.nr]++;
		} else if (!(st >> 16) && WSTOPSIG(st) != SIGSTOP && WSTOPSIG(st) != SIGTRAP) {
			sig = WSTOPSIG(st);	/* a real signal: deliver it */
		}
		ptrace(PTRACE_SYSCALL, w, NULL, (void *)(long)sig);
	}
	out = fopen(argv[1], "w");
	if (!out)
		return 1;
	for (int i = 0; i < MAX_NR; i++)
		if (counts[i])
			fprintf(out, "%d %lu\n", i, counts[i]);
	fclose(out);
	return status;
}
