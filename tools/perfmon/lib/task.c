// SPDX-License-Identifier: GPL-2.0
/*
 * Threads to monitor: a command started stopped under ptrace, so that a
 * context can be loaded on it before it execs (the context follows the
 * exec), or a running thread attached with ptrace for the time of a
 * perfmon call: perfmon operates on another thread's context only while
 * the caller holds it ptrace-stopped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "libpfmon.h"

/*
 * The child's side: trace me, stop, exec. Kept out of line and short: the
 * user-level instructions between the stop and the exec are counted, and
 * every program that starts its commands with this function counts the
 * same ones.
 */
static __pfmon_attr(noinline, noreturn) void
task_child(int fd, char *const argv[])
{
	int err;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0) {
		syscall(SYS_kill, syscall(SYS_getpid), SIGSTOP);
		execvp(argv[0], argv);
	}
	err = errno;
	if (write(fd, &err, sizeof(err)) != sizeof(err))
		_exit(126);
	_exit(127);
}

/**
 * pfmon_task_spawn() - start a command, stopped before its exec
 * @t: filled: its pid and the exec status pipe
 * @argv: the command (searched in PATH like execvp())
 *
 * The child asks to be traced and stops itself with SIGSTOP; this returns
 * once it is in that stop: a context can be loaded on @t->pid. Then
 * PTRACE_DETACH (or PTRACE_CONT) lets it exec, and
 * pfmon_task_exec_status() tells how that went.
 *
 * Return: 0, or -1 (errno set) when the child did not reach the stop.
 */
int pfmon_task_spawn(struct pfmon_task *t, char *const argv[])
{
	int pfd[2], st, err = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = errno;
		goto fail;
	}
	if (pid == 0) {
		close(pfd[0]);
		task_child(pfd[1], argv);
	}
	close(pfd[1]);
	pfd[1] = -1;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			err = errno;
			goto fail;
		}
	}
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP) {
		/* it exited: the pipe says why */
		if (read(pfd[0], &err, sizeof(err)) != sizeof(err))
			err = ECHILD;
		goto fail;
	}
	t->pid = pid;
	t->exec_fd = pfd[0];
	return 0;
fail:
	close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	errno = err;
	return -1;
}

/**
 * pfmon_task_exec_status() - how the exec of a spawned command went
 * @t: the command, let go by PTRACE_DETACH or PTRACE_CONT
 *
 * Waits until the exec succeeded or failed; closes the pipe.
 *
 * Return: 0 when the command runs, else the exec's errno.
 */
int pfmon_task_exec_status(struct pfmon_task *t)
{
	ssize_t n;
	int err = 0;

	if (t->exec_fd < 0)
		return 0;
	do {
		n = read(t->exec_fd, &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(t->exec_fd);
	t->exec_fd = -1;
	return n == sizeof(err) ? err : 0;
}

/**
 * pfmon_task_wait_stop() - wait for a traced thread to stop
 * @tid: the thread
 *
 * Return: the signal the stop holds back (to give at detach), 0 for a
 * ptrace event stop, or -1 (errno ESRCH when the thread is gone).
 */
int pfmon_task_wait_stop(pid_t tid)
{
	int st;

	for (;;) {
		if (waitpid(tid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			errno = ESRCH;
			return -1;
		}
		if (!WIFSTOPPED(st))
			continue;
		if ((st >> 16) == PTRACE_EVENT_STOP || WSTOPSIG(st) == SIGTRAP)
			return 0;
		return WSTOPSIG(st);
	}
}

/**
 * pfmon_task_attach() - attach to a running thread and stop it
 * @tid: the thread
 *
 * PTRACE_SEIZE + PTRACE_INTERRUPT: no SIGSTOP is sent, the thread does
 * not notice. Return: 0 once it is stopped, or -1 (errno set).
 */
int pfmon_task_attach(pid_t tid)
{
	int sig, err;

	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL))
		return -1;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL))
		goto fail;
	sig = pfmon_task_wait_stop(tid);
	if (sig < 0)
		goto fail;
	if (sig > 0) {
		/*
		 * A signal stop came first: let the signal through and
		 * wait for our interrupt.
		 */
		if (ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig) ||
		    ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) ||
		    pfmon_task_wait_stop(tid) < 0)
			goto fail;
	}
	return 0;
fail:
	err = errno;
	ptrace(PTRACE_DETACH, tid, NULL, NULL);
	errno = err;
	return -1;
}

/**
 * pfmon_task_detach() - let a stopped traced thread go
 * @tid: the thread
 *
 * Return: 0 or -1 (errno set).
 */
int pfmon_task_detach(pid_t tid)
{
	return ptrace(PTRACE_DETACH, tid, NULL, NULL);
}

/**
 * pfmon_find_command() - find a command as execvp() would
 * @cmd: the command name or path
 * @path: filled with the file that would run
 * @len: size of @path
 *
 * Return: 0, or -1 with errno ENOENT (not found) or EACCES (found, not
 * executable).
 */
int pfmon_find_command(const char *cmd, char *path, size_t len)
{
	const char *p, *env = getenv("PATH");
	int err = ENOENT;
	size_t n;

	if (!*cmd) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(cmd, '/')) {
		snprintf(path, len, "%s", cmd);
		if (access(path, X_OK) == 0)
			return 0;
		return -1;
	}
	if (!env || !*env)
		env = "/bin:/usr/bin";
	for (p = env; ; p += n + 1) {
		n = strcspn(p, ":");
		snprintf(path, len, "%.*s%s%s", (int)n, p, n ? "/" : "", cmd);
		if (access(path, X_OK) == 0)
			return 0;
		if (errno == EACCES && access(path, F_OK) == 0)
			err = EACCES;
		if (!p[n])
			break;
	}
	errno = err;
	return -1;
}
