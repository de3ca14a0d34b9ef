// SPDX-License-Identifier: MIT
/*
 * sysc OUT CMD [ARG...]: run CMD, every thread and child traced, and write
 * "NR COUNT" for each syscall it entered to OUT when it ends: strace -c for
 * a guest that has no strace (the VM tier's bench row counts io_uring_enter
 * per buffer with it).  SIGUSR2 writes the counts so far to OUT.1, OUT.2,
 * ... (then OUT.N.done).  SIGINT and SIGTERM go on to CMD.  Exits as CMD did.
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
static volatile sig_atomic_t child, snap;

static void forward(int sig)
{
	if (sig == SIGUSR2)
		snap = 1;
	else if (child > 0)
		kill(child, sig);
}

static int dump(const char *path)
{
	FILE *out = fopen(path, "w");

	if (!out)
		return -1;
	for (int i = 0; i < MAX_NR; i++)
		if (counts[i])
			fprintf(out, "%d %lu\n", i, counts[i]);
	return fclose(out);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = forward };	/* no SA_RESTART */
	struct __ptrace_syscall_info si;
	int st, status = 1, nsnap = 0;
	char path[4096], done[4200];
	pid_t pid, w;
	FILE *f;

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
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		return 1;
	ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
	       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_EXITKILL);
	ptrace(PTRACE_SYSCALL, pid, NULL, NULL);
	for (;;) {
		int sig = 0;

		if (snap) {
			snap = 0;
			snprintf(path, sizeof(path), "%s.%d", argv[1], ++nsnap);
			snprintf(done, sizeof(done), "%s.done", path);
			if (!dump(path) && (f = fopen(done, "w")))
				fclose(f);
		}
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
	return dump(argv[1]) ? 1 : status;
}
