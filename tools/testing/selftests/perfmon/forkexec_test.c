// SPDX-License-Identifier: GPL-2.0
/*
 * fork, clone and exec with a self-monitoring context: a new process or
 * thread is never monitored (no inheritance), exec keeps the context
 * attached and counting. A context fd closed by exec (FD_CLOEXEC) is
 * closed by the thread it is attached to: unloaded and freed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "pfm_test.h"

#define BURN_NS		(20 * PFM_NSEC_PER_MSEC)
#define CHILD_BURN_NS	(100 * PFM_NSEC_PER_MSEC)

/*
 * Exec helper. The exec tests re-execute this program with
 * EXEC_ENV="<mode> <fd> <value before exec> <report fd>"; it checks the
 * context from the new program image, writes what it read to <report fd>
 * and exits with one of the EXEC_* statuses before the harness runs.
 */
#define EXEC_ENV		"PFM_TEST_EXEC_CHECK"
#define EXEC_OK			0
#define EXEC_BAD_ARG		10
#define EXEC_NOT_CONTEXT	11	/* keep: <fd> is not a context */
#define EXEC_READ_FAILED	12
#define EXEC_WENT_BACK		13	/* the count went backwards */
#define EXEC_NOT_COUNTING	14	/* started, but it did not count */
#define EXEC_NOT_EEXIST		15	/* keep: a second load did not fail */
#define EXEC_STOP_FAILED	16
#define EXEC_NOT_FROZEN		17	/* stopped, but it counted */
#define EXEC_FD_OPEN		18	/* cloexec: <fd> still open */
#define EXEC_LOAD_FAILED	19	/* cloexec: new context refused */
#define EXEC_FAILED		20	/* execve() itself */

static const char * const exec_status[] = {
	[EXEC_OK]		= "ok",
	[EXEC_BAD_ARG]		= "bad helper argument",
	[EXEC_NOT_CONTEXT]	= "fd is not a context after exec",
	[EXEC_READ_FAILED]	= "pfm_read_pmds failed after exec",
	[EXEC_WENT_BACK]	= "count went backwards across exec",
	[EXEC_NOT_COUNTING]	= "not counting after exec",
	[EXEC_NOT_EEXIST]	= "second context loaded: context lost by exec",
	[EXEC_STOP_FAILED]	= "pfm_stop failed after exec",
	[EXEC_NOT_FROZEN]	= "stopped context counted after exec",
	[EXEC_FD_OPEN]		= "FD_CLOEXEC fd open after exec",
	[EXEC_LOAD_FAILED]	= "new context could not load after exec",
	[EXEC_FAILED]		= "execve failed",
};

static const char *exec_status_str(int status)
{
	if (status >= 0 && status < (int)ARRAY_SIZE(exec_status) &&
	    exec_status[status])
		return exec_status[status];
	return "unexpected status";
}

/* After exec, with the context still attached and started. */
static int exec_check_keep(int fd, __u64 before, FILE *report)
{
	__u64 v[4];
	int fd2, ret;

	if (pfm_test_fd_is_perfmon(fd) != 1)
		return EXEC_NOT_CONTEXT;
	if (pfm_test_read_pmd(fd, 0, &v[0]))
		return EXEC_READ_FAILED;
	pfm_test_burn(BURN_NS);
	if (pfm_test_read_pmd(fd, 0, &v[1]))
		return EXEC_READ_FAILED;
	fd2 = pfm_test_create(0);
	ret = pfm_test_load(fd2, pfm_test_gettid()) ? errno : 0;
	close(fd2);
	if (pfm_stop(fd))
		return EXEC_STOP_FAILED;
	if (pfm_test_read_pmd(fd, 0, &v[2]))
		return EXEC_READ_FAILED;
	pfm_test_burn(BURN_NS / 2);
	if (pfm_test_read_pmd(fd, 0, &v[3]))
		return EXEC_READ_FAILED;
	fprintf(report, "%llu -> exec -> %llu, +20ms %llu, stop %llu, +10ms %llu; 2nd load: %s",
		before, v[0], v[1], v[2], v[3], strerror(ret));
	if (v[0] < before)
		return EXEC_WENT_BACK;
	if (v[1] < v[0] + BURN_NS * 9 / 10)
		return EXEC_NOT_COUNTING;
	if (ret != EEXIST)
		return EXEC_NOT_EEXIST;
	if (v[3] != v[2])
		return EXEC_NOT_FROZEN;
	return EXEC_OK;
}

/* After exec closed the context's fd: the thread is free again. */
static int exec_check_cloexec(int fd, FILE *report)
{
	int fd2, ret;

	if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
		return EXEC_FD_OPEN;
	fd2 = pfm_test_create(0);
	ret = pfm_test_load(fd2, pfm_test_gettid()) ? errno : 0;
	close(fd2);
	fprintf(report, "new context load after exec: %s", strerror(ret));
	return ret ? EXEC_LOAD_FAILED : EXEC_OK;
}

static void __attribute__((constructor)) exec_check_helper(void)
{
	const char *arg = getenv(EXEC_ENV);
	unsigned long long before;
	int fd, out, ret;
	char mode[16];
	FILE *report;

	if (!arg)
		return;
	if (sscanf(arg, "%15s %d %llu %d", mode, &fd, &before, &out) != 4)
		_exit(EXEC_BAD_ARG);
	report = fdopen(out, "w");
	if (!report)
		_exit(EXEC_BAD_ARG);
	if (!strcmp(mode, "keep"))
		ret = exec_check_keep(fd, before, report);
	else if (!strcmp(mode, "cloexec"))
		ret = exec_check_cloexec(fd, report);
	else
		ret = EXEC_BAD_ARG;
	fclose(report);
	_exit(ret);
}

/*
 * In a child: create a context (@flags), load it on itself, count
 * task-clock, burn, then exec this program in @mode. Return the helper's
 * exit status (or -1) and what it reported in @report.
 */
static int exec_with_context(const char *mode, unsigned int flags,
			     char *report, size_t len)
{
	static char * const argv[] = { "forkexec_test", NULL };
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK), v = 0;
	static char env[128];
	static char * const envp[] = { env, NULL };
	int p[2], fd, status;
	ssize_t n;
	pid_t pid;

	report[0] = '\0';
	/* The write end must survive exec: no O_CLOEXEC. */
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		fd = pfm_test_setup(flags, &pmc0, 1, pfm_test_gettid());
		if (fd < 0 || pfm_start(fd, NULL))
			_exit(EXEC_FAILED);
		pfm_test_burn(BURN_NS);
		if (pfm_test_read_pmd(fd, 0, &v))
			_exit(EXEC_FAILED);
		snprintf(env, sizeof(env), "%s=%s %d %llu %d", EXEC_ENV, mode,
			 fd, v, p[1]);
		execve("/proc/self/exe", argv, envp);
		_exit(EXEC_FAILED);
	}
	close(p[1]);
	n = read(p[0], report, len - 1);
	report[n > 0 ? n : 0] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(exec_keeps_context)
{
	char report[256];
	int ret;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	ret = exec_with_context("keep", 0, report, sizeof(report));
	EXPECT_EQ(EXEC_OK, ret) {
		TH_LOG("%s: %s", exec_status_str(ret), report);
	}
}

TEST(exec_cloexec_frees_context)
{
	long long sessions = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	char report[256];
	int ret;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	ret = exec_with_context("cloexec", PFM_FL_FD_CLOEXEC, report,
				sizeof(report));
	EXPECT_EQ(EXEC_OK, ret) {
		TH_LOG("%s: %s", exec_status_str(ret), report);
	}
	EXPECT_EQ(sessions, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
}

/* Exit statuses of the forked child other than an errno value. */
#define FORK_OK			0
#define FORK_READ_WORKED	200	/* the parent's context, from the child */
#define FORK_SETUP_FAILED	201
#define FORK_NOT_COUNTING	202

/*
 * In the child of a self-monitoring parent: the parent's context (the fd
 * is shared) is another thread's, not stopped by the child: ESRCH. The
 * child is not monitored: its own context loads and counts.
 */
static int forked_child(int parent_fd)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK), v;
	int fd;

	if (pfm_test_read_pmd(parent_fd, 0, &v) == 0)
		return FORK_READ_WORKED;
	if (errno != ESRCH)
		return errno;
	fd = pfm_test_setup(0, &pmc0, 1, pfm_test_gettid());
	if (fd < 0)
		return errno == EEXIST ? EEXIST : FORK_SETUP_FAILED;
	if (pfm_start(fd, NULL))
		return FORK_SETUP_FAILED;
	pfm_test_burn(CHILD_BURN_NS);
	if (pfm_test_read_pmd(fd, 0, &v))
		return FORK_SETUP_FAILED;
	return v >= CHILD_BURN_NS * 9 / 10 ? FORK_OK : FORK_NOT_COUNTING;
}

TEST(fork_child_not_monitored)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK), v0, v1, cpu0, cpu1;
	int fd, status;
	pid_t pid;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	fd = pfm_test_setup(0, &pmc0, 1, pfm_test_gettid());
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pfm_start(fd, NULL));
	cpu0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(forked_child(fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v1));
	cpu1 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(FORK_OK, WEXITSTATUS(status)) {
		TH_LOG("child: %d (%s)", WEXITSTATUS(status),
		       strerror(WEXITSTATUS(status)));
	}
	/*
	 * The parent slept in waitpid(): the child's burn is not its. What
	 * the parent did itself, fork() above all, is its own CPU time
	 * (tens of ms on a debug kernel under TCG), read around the counts.
	 */
	TH_LOG("parent's task-clock +%llu ns, its CPU time %llu ns; the child burnt %llu ns",
	       v1 - v0, cpu1 - cpu0, CHILD_BURN_NS);
	EXPECT_GT(cpu1 - cpu0 + CHILD_BURN_NS / 2, v1 - v0);
	close(fd);
}

static void *new_thread(void *arg)
{
	int fd, *err = arg;

	fd = pfm_test_create(0);
	*err = pfm_test_load(fd, pfm_test_gettid()) ? errno : 0;
	close(fd);
	return NULL;
}

TEST(new_thread_not_monitored)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK);
	pthread_t thr;
	int fd, err = -1;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	fd = pfm_test_setup(0, &pmc0, 1, pfm_test_gettid());
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pfm_start(fd, NULL));
	ASSERT_EQ(0, pthread_create(&thr, NULL, new_thread, &err));
	ASSERT_EQ(0, pthread_join(thr, NULL));
	EXPECT_EQ(0, err) {
		TH_LOG("load on the new thread itself: %s", strerror(err));
	}
	close(fd);
}

TEST_HARNESS_MAIN
