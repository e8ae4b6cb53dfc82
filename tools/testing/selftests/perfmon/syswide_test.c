// SPDX-License-Identifier: GPL-2.0
/*
 * System-wide contexts: one CPU each, load_pid = CPU number, controlled
 * from any CPU. cpu-clock counts the CPU's elapsed time while started;
 * one context per CPU (EBUSY); per-thread and system-wide sessions exclude
 * each other (EBUSY); bad or offline CPUs are refused (EINVAL); a CPU that
 * goes offline unloads its context with PFM_MSG_END; creating one needs
 * privileges (perf_event_paranoid <= 0 otherwise).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "pfm_test.h"

#define MAX_CPUS	64
/* The controller sleeps this long while the remote cpu-clock counts. */
#define SLEEP_NS	(200 * PFM_NSEC_PER_MSEC)
#define TOLERANCE_PCT	5
#define NR_SLEEPS	50
#define WAIT_MS		5000

/* A system-wide cpu-clock counts whatever runs on the CPU. */
#define SW_CPU_CLOCK	(PFM_SW_EVT(PFM_SW_CPU_CLOCK) | PFM_SW_OS)

/* Exit statuses of the unprivileged helper other than an errno value. */
#define HELPER_DROP_FAILED	200
#define HELPER_CREATED		201

FIXTURE(sw) {
	int		cpus[MAX_CPUS];
	int		ncpus;
	int		fd;
	int		fd2;
	int		offline_cpu;	/* to bring back online, or -1 */
	int		paranoid;	/* to restore, or INT_MIN */
	long long	sys_sessions;
	bool		ready;
};

FIXTURE_SETUP(sw)
{
	self->fd = -1;
	self->fd2 = -1;
	self->offline_cpu = -1;
	self->paranoid = INT_MIN;
	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (geteuid() != 0)
		SKIP(return, "system-wide contexts need root");
	self->ncpus = pfm_test_online_cpus(self->cpus, MAX_CPUS);
	ASSERT_LE(1, self->ncpus);
	self->sys_sessions = pfm_test_sysfs_num(PFM_SYS_SESSIONS);
	self->ready = true;
}

static int set_online(int cpu, bool online)
{
	char path[128], buf[8];
	int fd, n, ret;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", online);
	ret = write(fd, buf, n) == n ? 0 : -1;
	close(fd);
	return ret;
}

FIXTURE_TEARDOWN(sw)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->fd2 >= 0)
		close(self->fd2);
	if (self->offline_cpu >= 0)
		set_online(self->offline_cpu, true);
	if (self->paranoid != INT_MIN)
		pfm_test_set_paranoid(self->paranoid);
}

/* Create a system-wide context with PMC0 = @pmc0 and load it on @cpu. */
static int sys_ctx(__u64 pmc0, int cpu)
{
	int fd, err;

	fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	if (fd < 0)
		return -1;
	if (pfm_test_write_pmc(fd, 0, pmc0) || pfm_test_load(fd, cpu)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* A CPU other than @cpu, or -1. */
static int other_cpu(const int *cpus, int ncpus, int cpu)
{
	int i;

	for (i = 0; i < ncpus; i++)
		if (cpus[i] != cpu)
			return cpus[i];
	return -1;
}

/*
 * The reference clock of @cpu: perf's cpu-clock event of the CPU, which
 * reads the same clock as perfmon's (local_clock() there), or, without
 * perf_events, CLOCK_MONOTONIC. The two need not agree: on x86 under TCG
 * with an unstable TSC the scheduler clock follows CLOCK_MONOTONIC only
 * loosely, and a 200 ms window once read 10% apart.
 */
static int ref_clock_open(int cpu)
{
	int ref = pfm_perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK,
				false, false, -1, cpu);

	if (ref >= 0 && ioctl(ref, PERF_EVENT_IOC_ENABLE, 0)) {
		close(ref);
		ref = -1;
	}
	return ref;
}

static bool ref_clock_now(int ref, __u64 *t)
{
	if (ref < 0) {
		*t = pfm_test_now(CLOCK_MONOTONIC);
		return true;
	}
	return read(ref, t, sizeof(*t)) == sizeof(*t);
}

/*
 * Controller on @ctl, context on @cpu: over a SLEEP_NS sleep of the
 * controller, cpu-clock advances by the elapsed time. Each read (an IPI
 * to @cpu when remote) is bracketed by two reads of the reference clock,
 * so the time between the two samples of the counter is known to lie
 * within [t1a - t0b, t1b - t0a], IPI latency included.
 */
static void check_cpu_clock(struct __test_metadata *_metadata, int ctl,
			    int cpu, long long sessions)
{
	__u64 v0, v1, t0a, t0b, t1a, t1b, lo, hi, a, b;
	int fd, ref;

	ASSERT_EQ(0, pfm_test_pin(ctl));
	ref = ref_clock_open(cpu);
	fd = sys_ctx(SW_CPU_CLOCK, cpu);
	ASSERT_LE(0, fd) {
		TH_LOG("load on CPU %d from CPU %d: %s", cpu, ctl,
		       strerror(errno));
	}
	if (sessions >= 0)
		EXPECT_EQ(sessions + 1, pfm_test_sysfs_num(PFM_SYS_SESSIONS));
	ASSERT_EQ(0, pfm_start(fd, NULL));
	ASSERT_TRUE(ref_clock_now(ref, &t0a));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v0));
	ASSERT_TRUE(ref_clock_now(ref, &t0b));
	pfm_test_sleep_ns(SLEEP_NS);
	ASSERT_TRUE(ref_clock_now(ref, &t1a));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v1));
	ASSERT_TRUE(ref_clock_now(ref, &t1b));
	EXPECT_EQ(ctl, sched_getcpu());
	lo = (t1a - t0b) * (100 - TOLERANCE_PCT) / 100;
	hi = (t1b - t0a) * (100 + TOLERANCE_PCT) / 100;
	EXPECT_TRUE(v1 - v0 >= lo && v1 - v0 <= hi) {
		TH_LOG("CPU %d from CPU %d: cpu-clock +%llu ns, %s %llu to %llu ns",
		       cpu, ctl, v1 - v0,
		       ref < 0 ? "CLOCK_MONOTONIC" : "perf's cpu-clock",
		       t1a - t0b, t1b - t0a);
	}
	if (ref >= 0)
		close(ref);
	/* Stopped: frozen. */
	ASSERT_EQ(0, pfm_stop(fd));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &a));
	pfm_test_sleep_ns(20 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &b));
	EXPECT_EQ(a, b);
	ASSERT_EQ(0, pfm_unload_context(fd));
	if (sessions >= 0)
		EXPECT_EQ(sessions, pfm_test_sysfs_num(PFM_SYS_SESSIONS));
	/* Unloaded: the count is kept. */
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &b));
	EXPECT_EQ(a, b);
	close(fd);
}

TEST_F(sw, cpu_clock_remote)
{
	int i;

	if (!self->ready)
		return;
	if (self->ncpus < 2)
		SKIP(return, "needs 2 CPUs, %d online", self->ncpus);
	for (i = 0; i < self->ncpus; i++)
		check_cpu_clock(_metadata,
				other_cpu(self->cpus, self->ncpus,
					  self->cpus[i]),
				self->cpus[i], self->sys_sessions);
}

TEST_F(sw, cpu_clock_local)
{
	if (!self->ready)
		return;
	check_cpu_clock(_metadata, self->cpus[0], self->cpus[0],
			self->sys_sessions);
}

/* Fork a child bound to @cpu that sleeps NR_SLEEPS times and exits. */
static pid_t fork_sleeper(int cpu)
{
	pid_t pid = fork();
	int i;

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (pfm_test_pin(cpu))
			_exit(1);
		for (i = 0; i < NR_SLEEPS; i++)
			pfm_test_sleep_ns(PFM_NSEC_PER_MSEC);
		_exit(0);
	}
	return pid;
}

/* context-switches counts every switch on the CPU, of any task. */
TEST_F(sw, ctx_switches_on_cpu)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_CTX_SWITCHES) | PFM_SW_OS, v;
	int cpu, ctl, status;
	pid_t pid;

	if (!self->ready)
		return;
	cpu = self->cpus[self->ncpus - 1];
	ctl = other_cpu(self->cpus, self->ncpus, cpu);
	ASSERT_EQ(0, pfm_test_pin(ctl < 0 ? cpu : ctl));
	self->fd = sys_ctx(pmc0, cpu);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pid = fork_sleeper(cpu);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	/* The sleeper was switched out at least once per sleep. */
	EXPECT_LE(NR_SLEEPS, v) {
		TH_LOG("CPU %d: %llu switches while a task slept %d times",
		       cpu, v, NR_SLEEPS);
	}
}

/* cpu-migrations counts for per-thread contexts only. */
TEST_F(sw, no_migrations_counted)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_CPU_MIGRATIONS) | PFM_SW_OS, v;
	int i;

	if (!self->ready)
		return;
	if (self->ncpus < 2)
		SKIP(return, "needs 2 CPUs, %d online", self->ncpus);
	self->fd = sys_ctx(pmc0, self->cpus[1]);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, pfm_test_pin(self->cpus[i & 1]));
		ASSERT_EQ(self->cpus[i & 1], sched_getcpu());
	}
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_EQ(0, v);
}

TEST_F(sw, ebusy_second_context_same_cpu)
{
	int cpu;

	if (!self->ready)
		return;
	cpu = self->cpus[0];
	self->fd = sys_ctx(SW_CPU_CLOCK, cpu);
	ASSERT_LE(0, self->fd);
	self->fd2 = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	ASSERT_LE(0, self->fd2);
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_test_load(self->fd2, cpu)));
	if (self->sys_sessions >= 0)
		EXPECT_EQ(self->sys_sessions + 1,
			  pfm_test_sysfs_num(PFM_SYS_SESSIONS));
	if (self->ncpus > 1) {
		/* Another CPU is free. */
		EXPECT_EQ(0, pfm_test_load(self->fd2, self->cpus[1]));
		if (self->sys_sessions >= 0)
			EXPECT_EQ(self->sys_sessions + 2,
				  pfm_test_sysfs_num(PFM_SYS_SESSIONS));
		EXPECT_EQ(0, pfm_unload_context(self->fd2));
	}
	/* Once the first is gone, the CPU is free. */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	EXPECT_EQ(0, pfm_test_load(self->fd2, cpu));
}

/* Closing a started system-wide context releases its CPU. */
TEST_F(sw, close_releases_cpu)
{
	int cpu;

	if (!self->ready)
		return;
	cpu = self->cpus[self->ncpus - 1];
	self->fd = sys_ctx(SW_CPU_CLOCK, cpu);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	if (self->sys_sessions >= 0)
		EXPECT_EQ(self->sys_sessions,
			  pfm_test_sysfs_num(PFM_SYS_SESSIONS));
	self->fd = sys_ctx(SW_CPU_CLOCK, cpu);
	EXPECT_LE(0, self->fd) {
		TH_LOG("reload on CPU %d: %s", cpu, strerror(errno));
	}
}

TEST_F(sw, ebusy_per_thread_while_system_wide)
{
	if (!self->ready)
		return;
	self->fd = sys_ctx(SW_CPU_CLOCK, self->cpus[0]);
	ASSERT_LE(0, self->fd);
	self->fd2 = pfm_test_create(0);
	ASSERT_LE(0, self->fd2);
	EXPECT_EQ(EBUSY,
		  pfm_test_errno(pfm_test_load(self->fd2, pfm_test_gettid())));
	EXPECT_EQ(0, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	EXPECT_EQ(0, pfm_test_load(self->fd2, pfm_test_gettid()));
}

static int child_wait(struct pfm_child *c, void *arg)
{
	return pfm_child_listen(c) < 0;
}

TEST_F(sw, ebusy_system_wide_while_per_thread)
{
	struct pfm_child c = { .pid = -1, .to_child = -1, .from_child = -1 };

	if (!self->ready)
		return;
	self->fd2 = pfm_test_create(0);
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, pfm_test_load(self->fd2, pfm_test_gettid()));
	self->fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_test_load(self->fd, self->cpus[0])));
	EXPECT_EQ(0, pfm_test_sysfs_num(PFM_SYS_SESSIONS));
	ASSERT_EQ(0, pfm_unload_context(self->fd2));

	/* A per-thread context on another process blocks it just the same. */
	ASSERT_EQ(0, pfm_child_fork(&c, child_wait, NULL));
	EXPECT_EQ(0, pfm_test_load(self->fd2, c.pid));
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_test_load(self->fd, self->cpus[0])));
	EXPECT_EQ(0, pfm_unload_context(self->fd2));
	pfm_child_kill(&c);
	EXPECT_EQ(0, pfm_test_load(self->fd, self->cpus[0]));
}

/* Number of possible CPUs (nr_cpu_ids), from sysfs; -1 if unknown. */
static int nr_cpu_ids(void)
{
	char buf[64], *p;
	int last;

	if (pfm_test_read_attr("/sys/devices/system/cpu/possible", buf,
			       sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, '-');
	if (!p)
		p = strrchr(buf, ',');
	last = atoi(p ? p + 1 : buf);
	return last + 1;
}

TEST_F(sw, einval_bad_cpu)
{
	unsigned int bad[] = { 0, 0xffff, 0x7fffffff, 0xffffffff };
	unsigned int i;
	int n;

	if (!self->ready)
		return;
	n = nr_cpu_ids();
	ASSERT_LT(0, n);
	bad[0] = n;
	self->fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, pfm_test_errno(pfm_test_load(self->fd,
							       bad[i]))) {
			TH_LOG("CPU %u (nr_cpu_ids %d)", bad[i], n);
		}
	}
	if (self->sys_sessions >= 0)
		EXPECT_EQ(self->sys_sessions,
			  pfm_test_sysfs_num(PFM_SYS_SESSIONS));
}

/*
 * Take the last of the @n CPUs at @cpus offline, the caller bound to the
 * first; *@offline is the CPU to bring back. False when it cannot be done.
 */
static bool take_offline(const int *cpus, int n, int *offline)
{
	if (n < 2 || pfm_test_pin(cpus[0]) || set_online(cpus[n - 1], false))
		return false;
	*offline = cpus[n - 1];
	return true;
}

TEST_F(sw, einval_offline_cpu)
{
	int cpu;

	if (!self->ready)
		return;
	if (!take_offline(self->cpus, self->ncpus, &self->offline_cpu))
		SKIP(return, "no CPU can go offline");
	cpu = self->offline_cpu;
	self->fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_test_load(self->fd, cpu))) {
		TH_LOG("offline CPU %d", cpu);
	}
	ASSERT_EQ(0, set_online(cpu, true));
	self->offline_cpu = -1;
	EXPECT_EQ(0, pfm_test_load(self->fd, cpu));
}

TEST_F(sw, offline_unloads_and_notifies)
{
	union pfarg_msg msg;
	struct pollfd pfd;
	int cpu;
	__u64 v;

	if (!self->ready)
		return;
	if (self->ncpus < 2)
		SKIP(return, "needs 2 CPUs, %d online", self->ncpus);
	cpu = self->cpus[self->ncpus - 1];
	ASSERT_EQ(0, pfm_test_pin(self->cpus[0]));
	self->fd = sys_ctx(SW_CPU_CLOCK, cpu);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_sleep_ns(20 * PFM_NSEC_PER_MSEC);
	if (!take_offline(self->cpus, self->ncpus, &self->offline_cpu))
		SKIP(return, "no CPU can go offline");

	pfd.fd = self->fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, WAIT_MS));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(sizeof(msg), read(self->fd, &msg, sizeof(msg))) {
		TH_LOG("read: %s", strerror(errno));
	}
	EXPECT_EQ(PFM_MSG_END, msg.type);
	/* Unloaded, the count kept. */
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, NULL)));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_LE(19 * PFM_NSEC_PER_MSEC, v);
	if (self->sys_sessions >= 0)
		EXPECT_EQ(self->sys_sessions,
			  pfm_test_sysfs_num(PFM_SYS_SESSIONS));
	EXPECT_EQ(0, pfm_unload_context(self->fd));

	ASSERT_EQ(0, set_online(cpu, true));
	self->offline_cpu = -1;
	EXPECT_EQ(0, pfm_test_load(self->fd, cpu));
}

/*
 * Creating a system-wide context as nobody: refused at the default
 * perf_event_paranoid (2), allowed at 0.
 */
static int unprivileged_create(void)
{
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (pfm_test_drop_privs(PFM_NOBODY_ID))
			_exit(HELPER_DROP_FAILED);
		fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
		_exit(fd < 0 ? errno : HELPER_CREATED);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(sw, eperm_unprivileged_create)
{
	int ret;

	if (!self->ready)
		return;
	self->paranoid = pfm_test_get_paranoid();
	if (self->paranoid != INT_MIN)
		ASSERT_EQ(0, pfm_test_set_paranoid(2));
	ret = unprivileged_create();
	EXPECT_EQ(EPERM, ret) {
		TH_LOG("nobody, paranoid 2: %d (%s)", ret,
		       ret == HELPER_CREATED ? "created" : strerror(ret));
	}
	if (self->paranoid == INT_MIN) {
		/* Not SKIP(): it would hide a failure above. */
		TH_LOG("no %s: paranoid 0 not tried", PFM_PARANOID_PATH);
		return;
	}
	ASSERT_EQ(0, pfm_test_set_paranoid(1));
	ret = unprivileged_create();
	EXPECT_EQ(EPERM, ret) {
		TH_LOG("nobody, paranoid 1: %d", ret);
	}
	ASSERT_EQ(0, pfm_test_set_paranoid(0));
	ret = unprivileged_create();
	EXPECT_EQ(HELPER_CREATED, ret) {
		TH_LOG("nobody, paranoid 0: %d (%s)", ret, strerror(ret));
	}
}

TEST_HARNESS_MAIN
