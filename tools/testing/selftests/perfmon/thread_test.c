// SPDX-License-Identifier: GPL-2.0
/*
 * Monitoring another thread: a child the test has ptrace-attached and
 * stopped. Attach rules (ESRCH, EPERM, EEXIST), calls on a running child,
 * PFM_MSG_END when the child exits, and the zombie context left by closing
 * the fd while the child runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "pfm_test.h"

/* CPU time the child burns in a measured region. */
#define BURN_NS		(100 * PFM_NSEC_PER_MSEC)
#define TOLERANCE_PCT	2
/* How long to wait for a message, or for a zombie context to go. */
#define WAIT_MS		5000

/* Exit statuses of the helper processes other than an errno value. */
#define CHILD_SETUP_FAILED	200
#define CHILD_DROP_FAILED	201
#define CHILD_LOADED		202

/* What the child tells its parent after a measured burn. */
struct burn_report {
	__u64	begin;		/* CLOCK_THREAD_CPUTIME_ID before */
	__u64	end;		/* and after */
};

/* Child: burn BURN_NS, report, stop; exit once continued. */
static int child_burn_stop(struct pfm_child *c, void *arg)
{
	struct burn_report r;

	r.begin = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	pfm_test_burn(BURN_NS);
	r.end = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	if (pfm_child_send(c, &r, sizeof(r)))
		return 1;
	raise(SIGSTOP);
	return 0;
}

/* Child: run (in and out of the kernel) until told to stop, then exit. */
static int child_spin(struct pfm_child *c, void *arg)
{
	while (!pfm_child_told(c))
		pfm_test_burn(PFM_NSEC_PER_MSEC);
	return 0;
}

/* Child: burn for *(__u64 *)arg ns, then exit. */
static int child_burn_exit(struct pfm_child *c, void *arg)
{
	pfm_test_burn(*(__u64 *)arg);
	return 0;
}

/* Child: exit at once. */
static int child_exit(struct pfm_child *c, void *arg)
{
	return 0;
}

/* |@a - @b| within TOLERANCE_PCT of @ref. */
static bool close_enough(__u64 a, __u64 b, __u64 ref)
{
	__u64 diff = a > b ? a - b : b - a;

	return diff * 100 <= ref * TOLERANCE_PCT;
}

/* CPU time used so far by process @pid (single-threaded: its thread). */
static __u64 child_cputime(pid_t pid)
{
	clockid_t clk;

	if (clock_getcpuclockid(pid, &clk))
		return 0;
	return pfm_test_now(clk);
}

/* Wait until the task session count is @want; return the last value. */
static long long wait_task_sessions(long long want)
{
	long long n = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	int ms;

	for (ms = 0; n != want && ms < WAIT_MS; ms += 10) {
		pfm_test_sleep_ns(10 * PFM_NSEC_PER_MSEC);
		n = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	}
	return n;
}

FIXTURE(child) {
	struct pfm_child c;
	int		fd;
	int		fd2;
	long long	sessions;
};

static void child_init(struct pfm_child *c)
{
	c->pid = -1;
	c->to_child = -1;
	c->from_child = -1;
}

FIXTURE_SETUP(child)
{
	child_init(&self->c);
	self->fd = -1;
	self->fd2 = -1;
	self->sessions = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
}

FIXTURE_TEARDOWN(child)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->fd2 >= 0)
		close(self->fd2);
	pfm_child_kill(&self->c);
}

/*
 * Fork a traced child running @fn into *@c and load a context counting
 * task-clock (PMD0) and context switches (PMD1) on it into *@fd.
 */
static void fork_and_load(struct __test_metadata *_metadata,
			  struct pfm_child *c, int *fd,
			  int (*fn)(struct pfm_child *c, void *arg), void *arg)
{
	__u64 pmcs[2] = {
		PFM_SW_EVT(PFM_SW_TASK_CLOCK),
		PFM_SW_EVT(PFM_SW_CTX_SWITCHES),
	};

	ASSERT_EQ(0, pfm_child_fork(c, fn, arg));
	*fd = pfm_test_setup(0, pmcs, 2, c->pid);
	ASSERT_LE(0, *fd) {
		TH_LOG("setup on child %d: %s", c->pid, strerror(errno));
	}
}

TEST_F(child, counts_stopped_child)
{
	struct burn_report r;
	__u64 k0, k1, v;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	fork_and_load(_metadata, &self->c, &self->fd, child_burn_stop, NULL);
	EXPECT_EQ(self->sessions + 1, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	k0 = child_cputime(self->c.pid);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(0, pfm_child_cont(&self->c));
	ASSERT_EQ(0, pfm_child_recv(&self->c, &r, sizeof(r)));
	ASSERT_EQ(0, pfm_child_wait_stop(&self->c));
	k1 = child_cputime(self->c.pid);
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));

	/* The child ran exactly from its first stop to its second. */
	EXPECT_TRUE(close_enough(v, k1 - k0, k1 - k0)) {
		TH_LOG("task-clock %llu ns, child's CPU time %llu ns", v,
		       k1 - k0);
	}
	/* Its own measure covers part of that run. */
	EXPECT_LE((r.end - r.begin) * (100 - TOLERANCE_PCT) / 100, v) {
		TH_LOG("task-clock %llu ns, child's own measure %llu ns", v,
		       r.end - r.begin);
	}

	/* Stopped child: stop, read, unload all allowed. */
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	EXPECT_EQ(self->sessions, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &k0));
	EXPECT_EQ(v, k0);
}

/* Each call on a context whose thread runs, with its expected errno. */
struct running_call {
	const char	*name;
	int		(*call)(int fd);
	int		expected;
};

static int call_write_pmcs(int fd)
{
	return pfm_test_write_pmc(fd, 0, PFM_SW_EVT(PFM_SW_TASK_CLOCK));
}

static int call_write_pmds(int fd)
{
	return pfm_test_write_pmd(fd, 0, 0);
}

static int call_read_pmds(int fd)
{
	__u64 v;

	return pfm_test_read_pmd(fd, 0, &v);
}

static int call_start(int fd)
{
	return pfm_start(fd, NULL);
}

static int call_stop(int fd)
{
	return pfm_stop(fd);
}

static int call_restart(int fd)
{
	return pfm_restart(fd);
}

static int call_unload(int fd)
{
	return pfm_unload_context(fd);
}

static int call_load_self(int fd)
{
	return pfm_test_load(fd, pfm_test_gettid());
}

static const struct running_call running_calls[] = {
	{ "pfm_write_pmcs",	call_write_pmcs,	ESRCH },
	{ "pfm_write_pmds",	call_write_pmds,	ESRCH },
	{ "pfm_read_pmds",	call_read_pmds,		ESRCH },
	{ "pfm_start",		call_start,		ESRCH },
	{ "pfm_stop",		call_stop,		ESRCH },
	{ "pfm_unload_context",	call_unload,		ESRCH },
	/* No pending notification; the thread need not be stopped. */
	{ "pfm_restart",	call_restart,		EBUSY },
	{ "pfm_load_context",	call_load_self,		EBUSY },
};

TEST_F(child, running_child_esrch)
{
	union pfarg_msg msg;
	unsigned int i;
	__u64 v;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	fork_and_load(_metadata, &self->c, &self->fd, child_spin, NULL);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(0, pfm_child_cont(&self->c));
	for (i = 0; i < ARRAY_SIZE(running_calls); i++) {
		EXPECT_EQ(running_calls[i].expected,
			  pfm_test_errno(running_calls[i].call(self->fd))) {
			TH_LOG("%s on a running child", running_calls[i].name);
		}
	}
	/* Stopped again: everything works. */
	ASSERT_EQ(0, pfm_child_stop(&self->c));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_LT(0, v);
	EXPECT_EQ(0, pfm_stop(self->fd));
	EXPECT_EQ(0, pfm_start(self->fd, NULL));
	EXPECT_EQ(0, pfm_stop(self->fd));
	EXPECT_EQ(0, pfm_unload_context(self->fd));

	/* Unloaded: the saved image is there to read, child running or not. */
	ASSERT_EQ(0, pfm_child_cont(&self->c));
	EXPECT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_EQ(0, call_write_pmcs(self->fd));
	EXPECT_EQ(0, pfm_test_write_pmd(self->fd, 1, 42));
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, NULL)));
	EXPECT_EQ(0, pfm_unload_context(self->fd));
	ASSERT_EQ(0, pfm_child_tell(&self->c, 'x'));
	EXPECT_EQ(0, pfm_child_wait_exit(&self->c));
	/* Not loaded when the child exited: no message. */
	EXPECT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(EAGAIN,
		  pfm_test_errno(read(self->fd, &msg, sizeof(msg))));
}

/* Detached (no longer traced by the caller): ESRCH, even when stopped. */
TEST_F(child, detached_child_esrch)
{
	union pfarg_msg msg;
	struct pollfd pfd;
	__u64 v;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	fork_and_load(_metadata, &self->c, &self->fd, child_spin, NULL);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	/* Detach leaving it stopped: group-stop, not a ptrace stop. */
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, self->c.pid, NULL,
			    (void *)(long)SIGSTOP));
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_test_read_pmd(self->fd, 0, &v)));
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_stop(self->fd)));
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_unload_context(self->fd)));
	/* The end still reaches the fd. */
	ASSERT_EQ(0, kill(self->c.pid, SIGKILL));
	pfd.fd = self->fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, WAIT_MS));
	ASSERT_EQ(sizeof(msg), read(self->fd, &msg, sizeof(msg)));
	EXPECT_EQ(PFM_MSG_END, msg.type);
	EXPECT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
}

TEST_F(child, load_running_child_esrch)
{
	if (!pfm_test_require_swpmu(_metadata))
		return;
	ASSERT_EQ(0, pfm_child_fork(&self->c, child_spin, NULL));
	ASSERT_EQ(0, pfm_child_cont(&self->c));
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_test_load(self->fd, self->c.pid)));
	EXPECT_EQ(self->sessions, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	ASSERT_EQ(0, pfm_child_stop(&self->c));
	EXPECT_EQ(0, pfm_test_load(self->fd, self->c.pid));
}

/* Stopped by SIGSTOP but not traced by the caller: ESRCH. */
TEST_F(child, load_untraced_stopped_esrch)
{
	int status;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	self->c.pid = fork();
	ASSERT_LE(0, self->c.pid);
	if (self->c.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			raise(SIGSTOP);
	}
	ASSERT_EQ(self->c.pid, waitpid(self->c.pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_test_load(self->fd, self->c.pid)));
}

TEST_F(child, load_nonexistent_esrch)
{
	int status;
	pid_t pid;

	if (!pfm_test_require(_metadata))
		return;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	/* Reaped a moment ago (its pid could be reused, but not this soon). */
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_test_load(self->fd, pid))) {
		TH_LOG("pid %d", pid);
	}
	/* Above PID_MAX_LIMIT, and negative as a pid_t. */
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_test_load(self->fd, 0x7fffffff)));
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_test_load(self->fd, 0xffffffff)));
}

/* A traced child that exited and is not reaped yet: ESRCH. */
TEST_F(child, load_exited_child_esrch)
{
	siginfo_t si;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, pfm_child_fork(&self->c, child_exit, NULL));
	ASSERT_EQ(0, pfm_child_cont(&self->c));
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(0, waitid(P_PID, self->c.pid, &si, WEXITED | WNOWAIT));
	ASSERT_EQ(CLD_EXITED, si.si_code);
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_test_load(self->fd, self->c.pid)));
}

TEST_F(child, load_kernel_thread_eperm)
{
	char comm[64];

	if (!pfm_test_require(_metadata))
		return;
	/* pid 2 is kthreadd, in the initial pid namespace. */
	if (pfm_test_read_attr("/proc/2/comm", comm, sizeof(comm)) < 0 ||
	    strcmp(comm, "kthreadd\n"))
		SKIP(return, "pid 2 is not kthreadd here");
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(EPERM, pfm_test_errno(pfm_test_load(self->fd, 2)));
	EXPECT_EQ(self->sessions, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
}

TEST_F(child, eexist_second_context_self)
{
	if (!pfm_test_require(_metadata))
		return;
	self->fd = pfm_test_create(0);
	self->fd2 = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	EXPECT_EQ(EEXIST,
		  pfm_test_errno(pfm_test_load(self->fd2, pfm_test_gettid())));
	/* Once the first is gone, the second loads. */
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	EXPECT_EQ(0, pfm_test_load(self->fd2, pfm_test_gettid()));
	EXPECT_EQ(EEXIST,
		  pfm_test_errno(pfm_test_load(self->fd, pfm_test_gettid())));
	ASSERT_EQ(0, close(self->fd2));
	self->fd2 = -1;
	EXPECT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
}

TEST_F(child, eexist_second_context_child)
{
	if (!pfm_test_require_swpmu(_metadata))
		return;
	fork_and_load(_metadata, &self->c, &self->fd, child_spin, NULL);
	self->fd2 = pfm_test_create(0);
	ASSERT_LE(0, self->fd2);
	EXPECT_EQ(EEXIST,
		  pfm_test_errno(pfm_test_load(self->fd2, self->c.pid)));
	EXPECT_EQ(self->sessions + 1, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	EXPECT_EQ(0, pfm_test_load(self->fd2, self->c.pid));
}

/* Blocking notification cannot be used on oneself; on a child it can. */
TEST_F(child, notify_block_self_einval)
{
	if (!pfm_test_require(_metadata))
		return;
	self->fd = pfm_test_create(PFM_FL_NOTIFY_BLOCK);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(EINVAL,
		  pfm_test_errno(pfm_test_load(self->fd, pfm_test_gettid())));
	ASSERT_EQ(0, pfm_child_fork(&self->c, child_spin, NULL));
	EXPECT_EQ(0, pfm_test_load(self->fd, self->c.pid));
}

/* Another thread of the caller's own process is not ptrace-stopped. */
static void *sleeper(void *arg)
{
	pid_t *tid = arg;

	__atomic_store_n(tid, pfm_test_gettid(), __ATOMIC_RELEASE);
	for (;;)
		pause();
	return NULL;
}

TEST_F(child, load_sibling_thread_esrch)
{
	pthread_t thr;
	pid_t tid = 0;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, pthread_create(&thr, NULL, sleeper, &tid));
	while (!__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
		sched_yield();
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(ESRCH, pfm_test_errno(pfm_test_load(self->fd, tid)));
	pthread_cancel(thr);
	pthread_join(thr, NULL);
}

/*
 * EPERM: the caller traces the child and has it stopped, but may not
 * ptrace it any more: it dropped to nobody after attaching, the child is
 * still root. Without the drop the same load succeeds, so the EPERM is the
 * ptrace_may_access() check and nothing else. Runs in a helper process
 * (the drop cannot be undone); returns the helper's exit status.
 */
static int tracer_drops(bool drop)
{
	struct pfm_child t;
	int fd, ret;

	if (pfm_child_fork(&t, child_spin, NULL))
		return CHILD_SETUP_FAILED;
	if (drop && pfm_test_drop_privs(PFM_NOBODY_ID)) {
		pfm_child_kill(&t);
		return CHILD_DROP_FAILED;
	}
	fd = pfm_test_create(0);
	if (fd < 0) {
		pfm_child_kill(&t);
		return CHILD_SETUP_FAILED;
	}
	ret = pfm_test_load(fd, t.pid) ? errno : CHILD_LOADED;
	close(fd);
	pfm_child_kill(&t);
	return ret;
}

static int run_helper(int (*fn)(bool arg), bool arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static const char *helper_status_str(int status)
{
	switch (status) {
	case -1:
		return "helper died";
	case CHILD_SETUP_FAILED:
		return "helper setup failed";
	case CHILD_DROP_FAILED:
		return "could not drop privileges";
	case CHILD_LOADED:
		return "loaded";
	default:
		return strerror(status);
	}
}

TEST(eperm_tracer_without_ptrace_rights)
{
	int ret;

	if (!pfm_test_require(_metadata))
		return;
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	ret = run_helper(tracer_drops, false);
	EXPECT_EQ(CHILD_LOADED, ret) {
		TH_LOG("root tracer: %s", helper_status_str(ret));
	}
	ret = run_helper(tracer_drops, true);
	EXPECT_EQ(EPERM, ret) {
		TH_LOG("tracer dropped to nobody: %s", helper_status_str(ret));
	}
}

/*
 * EPERM before ESRCH: a nobody caller, a target it may not ptrace (root)
 * and does not trace. The same with a target of its own uid (dumpable)
 * passes the permission check and then fails the attach check: ESRCH.
 */
static pid_t target_pid;

static int load_target(bool unused)
{
	int fd;

	if (pfm_test_drop_privs(PFM_NOBODY_ID))
		return CHILD_DROP_FAILED;
	fd = pfm_test_create(0);
	if (fd < 0)
		return CHILD_SETUP_FAILED;
	return pfm_test_load(fd, target_pid) ? errno : CHILD_LOADED;
}

/* Fork a target that drops to nobody when @drop, then waits; -1 on error. */
static pid_t fork_target(bool drop)
{
	int p[2];
	pid_t pid;
	char c = 0;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (drop && (pfm_test_drop_privs(PFM_NOBODY_ID) ||
			     prctl(PR_SET_DUMPABLE, 1)))
			c = 1;
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0 && (read(p[0], &c, 1) != 1 || c)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

TEST(eperm_other_uid_before_esrch)
{
	int ret;

	if (!pfm_test_require(_metadata))
		return;
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");

	target_pid = fork_target(false);
	ASSERT_LT(0, target_pid);
	ret = run_helper(load_target, false);
	kill(target_pid, SIGKILL);
	waitpid(target_pid, NULL, 0);
	EXPECT_EQ(EPERM, ret) {
		TH_LOG("nobody loading on root's process: %s",
		       helper_status_str(ret));
	}

	target_pid = fork_target(true);
	ASSERT_LT(0, target_pid);
	ret = run_helper(load_target, false);
	kill(target_pid, SIGKILL);
	waitpid(target_pid, NULL, 0);
	EXPECT_EQ(ESRCH, ret) {
		TH_LOG("nobody loading on nobody's untraced process: %s",
		       helper_status_str(ret));
	}
}

/*
 * PFM_MSG_END: the monitored child exits (or is killed) while the context
 * is loaded; the fd gets one message, the counts stay readable, and the
 * context is UNLOADED.
 */
FIXTURE(msg_end) {
	struct pfm_child c;
	int		fd;
	long long	sessions;
};

FIXTURE_VARIANT(msg_end) {
	bool	start;
	bool	kill;
};

FIXTURE_VARIANT_ADD(msg_end, started_exit) {
	.start = true,
};

FIXTURE_VARIANT_ADD(msg_end, started_killed) {
	.start = true,
	.kill = true,
};

FIXTURE_VARIANT_ADD(msg_end, unstarted_exit) {
	.start = false,
};

FIXTURE_SETUP(msg_end)
{
	child_init(&self->c);
	self->fd = -1;
	self->sessions = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
}

FIXTURE_TEARDOWN(msg_end)
{
	if (self->fd >= 0)
		close(self->fd);
	pfm_child_kill(&self->c);
}

TEST_F(msg_end, on_exit)
{
	__u64 burn = 20 * PFM_NSEC_PER_MSEC, v;
	union pfarg_msg msg, zero;
	struct pollfd pfd;
	int status;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (variant->kill)
		fork_and_load(_metadata, &self->c, &self->fd, child_spin, NULL);
	else
		fork_and_load(_metadata, &self->c, &self->fd, child_burn_exit, &burn);
	if (variant->start)
		ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(0, pfm_child_cont(&self->c));
	if (variant->kill) {
		pfm_test_sleep_ns(burn);
		ASSERT_EQ(0, kill(self->c.pid, SIGKILL));
	}

	pfd.fd = self->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, WAIT_MS));
	EXPECT_EQ(POLLIN, pfd.revents & (POLLIN | POLLERR | POLLHUP));
	status = pfm_child_wait_exit(&self->c);
	/* Wait status: killed by SIGKILL, or exited with 0. */
	EXPECT_EQ(variant->kill ? SIGKILL : 0, status);

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	memset(&msg, 0xa5, sizeof(msg));
	ASSERT_EQ(sizeof(msg), read(self->fd, &msg, sizeof(msg))) {
		TH_LOG("read: %s", strerror(errno));
	}
	EXPECT_EQ(PFM_MSG_END, msg.type);
	memset(&zero, 0, sizeof(zero));
	zero.type = PFM_MSG_END;
	EXPECT_EQ(0, memcmp(&msg, &zero, sizeof(msg))) {
		TH_LOG("PFM_MSG_END not zero past its type");
	}
	/* One message only. */
	EXPECT_EQ(EAGAIN, pfm_test_errno(read(self->fd, &msg, sizeof(msg))));
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* UNLOADED, the counts kept. */
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	/* Counted the child's burn when started, nothing otherwise. */
	EXPECT_EQ(variant->start, v >= burn * 9 / 10) {
		TH_LOG("task-clock %llu ns, child burnt %llu ns", v, burn);
	}
	EXPECT_EQ(variant->start, v != 0);
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, NULL)));
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_stop(self->fd)));
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_restart(self->fd)));
	EXPECT_EQ(0, pfm_unload_context(self->fd));
	EXPECT_EQ(self->sessions, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	/* And reusable. */
	EXPECT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	EXPECT_EQ(0, pfm_unload_context(self->fd));
}

/*
 * Zombie: the fd is closed while the context is attached to the child.
 * The child frees it on its way back to user mode or at exit; its session
 * goes with it. No splat either (the harness watches the console).
 */
FIXTURE(zombie) {
	struct pfm_child c;
	int		fd;
	long long	sessions;
};

/* When the fd is closed, and what the child does next. */
enum zombie_how {
	CLOSE_RUNNING,		/* child running, then exits */
	CLOSE_STOPPED_CONT,	/* child stopped, then continued, exits */
	CLOSE_STOPPED_KILL,	/* child stopped, then SIGKILLed */
};

FIXTURE_VARIANT(zombie) {
	enum zombie_how	how;
};

FIXTURE_VARIANT_ADD(zombie, close_running) {
	.how = CLOSE_RUNNING,
};

FIXTURE_VARIANT_ADD(zombie, close_stopped_cont) {
	.how = CLOSE_STOPPED_CONT,
};

FIXTURE_VARIANT_ADD(zombie, close_stopped_kill) {
	.how = CLOSE_STOPPED_KILL,
};

FIXTURE_SETUP(zombie)
{
	child_init(&self->c);
	self->fd = -1;
	self->sessions = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
}

FIXTURE_TEARDOWN(zombie)
{
	if (self->fd >= 0)
		close(self->fd);
	pfm_child_kill(&self->c);
}

TEST_F(zombie, freed)
{
	long long n;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (self->sessions < 0)
		SKIP(return, "no %s/%s", PFM_SYSFS_DIR, PFM_TASK_SESSIONS);
	fork_and_load(_metadata, &self->c, &self->fd, child_spin, NULL);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(self->sessions + 1, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	if (variant->how == CLOSE_STOPPED_KILL) {
		/* Closed while the child is stopped, then killed. */
		ASSERT_EQ(0, close(self->fd));
		self->fd = -1;
		ASSERT_EQ(0, kill(self->c.pid, SIGKILL));
		EXPECT_TRUE(WIFSIGNALED(pfm_child_wait_exit(&self->c)));
	} else if (variant->how == CLOSE_STOPPED_CONT) {
		/* Closed while stopped, then continued: runs and exits. */
		ASSERT_EQ(0, close(self->fd));
		self->fd = -1;
		ASSERT_EQ(0, pfm_child_cont(&self->c));
		n = wait_task_sessions(self->sessions);
		EXPECT_EQ(self->sessions, n) {
			TH_LOG("zombie still counted %d ms after the child resumed",
			       WAIT_MS);
		}
		ASSERT_EQ(0, pfm_child_tell(&self->c, 'x'));
		EXPECT_EQ(0, pfm_child_wait_exit(&self->c));
	} else {
		/* Closed while the child runs. */
		ASSERT_EQ(0, pfm_child_cont(&self->c));
		pfm_test_sleep_ns(5 * PFM_NSEC_PER_MSEC);
		ASSERT_EQ(0, close(self->fd));
		self->fd = -1;
		n = wait_task_sessions(self->sessions);
		EXPECT_EQ(self->sessions, n) {
			TH_LOG("zombie still counted %d ms after the close",
			       WAIT_MS);
		}
		ASSERT_EQ(0, pfm_child_tell(&self->c, 'x'));
		EXPECT_EQ(0, pfm_child_wait_exit(&self->c));
	}
	EXPECT_EQ(self->sessions, wait_task_sessions(self->sessions));
	/* Nothing of it is left on this side: a fresh load works. */
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
}

TEST_HARNESS_MAIN
