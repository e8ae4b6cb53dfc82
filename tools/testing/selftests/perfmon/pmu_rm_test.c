// SPDX-License-Identifier: GPL-2.0
/*
 * The PMU resource manager: perf_events and perfmon share the hardware PMU
 * one at a time, machine-wide, first come first served.
 *
 * - perf_events holds it from the perf_event_open() of a hardware event
 *   until its last fd and inherited copy are gone; meanwhile
 *   pfm_load_context() fails with EBUSY (create, write and read still work);
 * - perfmon holds it while a context on the PMUv3 description is loaded;
 *   meanwhile perf_event_open() of a hardware event fails with EBUSY
 *   (software events are not users);
 * - /sys/kernel/perfmon/pmu_owner says "none", "perf_events" or "perfmon";
 * - no counter value passes from one owner to the other.
 *
 * Counts are of pfm_region() (pfm_pmuv3.h) with the cycle counter: in exact
 * mode (-smp 1 -icount) they are exact and compared with equality; under
 * plain TCG they are only checked for being sane.
 *
 * The exclusion tests need PMUv3 ("no PMUv3" elsewhere). One test checks
 * that a software-PMU context does not hold the hardware: it runs where the
 * software PMU is active and perf has hardware events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "pfm_pmuv3.h"

#define N_LOOP		100000
#define MAGIC		0x123456789ULL
#define CYCLES_USER	(PFM_V3_CPU_CYCLES | PFM_V3_USER)

#define OWNER_NONE	"none"
#define OWNER_PERF	"perf_events"
#define OWNER_PERFMON	"perfmon"

/* The hardware perf events a test tries: each is a PMU user. */
struct hw_event {
	const char	*name;
	__u32		type;		/* 0 with dynamic: the armv8 type */
	__u64		config;
	bool		dynamic;
};

static const struct hw_event hw_events[] = {
	{ "hw cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "raw 0x11", PERF_TYPE_RAW, PFM_V3_CPU_CYCLES },
	{ "armv8_pmuv3 0x11", 0, PFM_V3_CPU_CYCLES, true },
};

/* The dynamic perf type of the armv8_pmuv3 PMU, or -1 (set up per test). */
static int armv8_type = -1;

FIXTURE(rm) {
	int	pfd;		/* perf event */
	int	fd;		/* perfmon context */
	int	fd2;
	pid_t	child;
	bool	exact;
	bool	ready;
};

FIXTURE_SETUP(rm)
{
	char why[128], owner[32];
	int ret;

	self->pfd = -1;
	self->fd = -1;
	self->fd2 = -1;
	self->child = -1;
	if (!pfm_v3_require(_metadata))
		return;
	ret = pfm_v3_exact_mode(why, sizeof(why));
	ASSERT_LE(0, ret);
	self->exact = ret == 1;
	armv8_type = pfm_perf_armv8_type(NULL, 0);
	ASSERT_LT(0, pfm_v3_owner(owner, sizeof(owner))) {
		TH_LOG("%s: %s", PFM_PMU_OWNER, strerror(errno));
	}
	self->ready = true;
}

FIXTURE_TEARDOWN(rm)
{
	if (self->pfd >= 0)
		close(self->pfd);
	if (self->fd >= 0)
		close(self->fd);
	if (self->fd2 >= 0)
		close(self->fd2);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
}

/* pmu_owner must read @want. */
#define EXPECT_OWNER(want) do {						\
	char __owner[32] = "";						\
									\
	pfm_v3_owner(__owner, sizeof(__owner));				\
	EXPECT_STREQ(want, __owner);					\
} while (0)

/* Open hardware event @e of the calling thread, user level, disabled. */
static int open_hw(const struct hw_event *e, bool inherit, pid_t pid,
		   int cpu)
{
	if (e->dynamic && armv8_type < 0) {
		errno = ENOENT;
		return -1;
	}
	return pfm_perf_open(e->dynamic ? armv8_type : e->type,
			     e->config, true, inherit, pid, cpu);
}

/* perf's count of the region, with event @e. */
static bool perf_count(struct __test_metadata *_metadata,
		       const struct hw_event *e, __u64 *value)
{
	int pfd = open_hw(e, false, 0, -1);

	EXPECT_LE(0, pfd) {
		TH_LOG("perf_event_open(%s): %s", e->name, strerror(errno));
	}
	if (pfd < 0)
		return false;
	EXPECT_OWNER(OWNER_PERF);
	EXPECT_EQ(0, pfm_perf_count_region(pfd, N_LOOP, value)) {
		TH_LOG("perf region (%s): %s", e->name, strerror(errno));
	}
	close(pfd);
	EXPECT_LT(0, *value) {
		TH_LOG("perf %s counted nothing", e->name);
	}
	return *value > 0;
}

/* A context on the calling thread: PMD0 cycles, PMD1 CPU_CYCLES, user. */
static const struct pfm_v3_reg cycle_regs[] = {
	{ PFM_V3_CYCLE_REG, PFM_V3_USER },
	{ PFM_V3_EVT_REG(0), CYCLES_USER },
};

/* Nobody holds the PMU between tests; the attribute is read-only. */
TEST_F(rm, owner_none_at_rest)
{
	struct stat st;

	if (!self->ready)
		return;
	EXPECT_OWNER(OWNER_NONE);
	ASSERT_EQ(0, stat(PFM_PMU_OWNER, &st));
	EXPECT_EQ(0, st.st_mode & 0222);
}

/*
 * perf counts the region before a perfmon session; during it (a loaded
 * context) every hardware event is refused with EBUSY while perfmon counts
 * the same region (a software event still opens); after it perf counts
 * again. Exact mode: all three counts are equal.
 */
TEST_F(rm, perf_before_during_after)
{
	__u64 before = 0, during[2] = { 0 }, after = 0;
	unsigned int i;
	int sw;

	if (!self->ready)
		return;
	if (!perf_count(_metadata, &hw_events[0], &before))
		return;
	EXPECT_OWNER(OWNER_NONE);

	self->fd = pfm_v3_setup(0, cycle_regs, 2, pfm_test_gettid());
	ASSERT_LE(0, self->fd) {
		TH_LOG("perfmon setup: %s", strerror(errno));
	}
	EXPECT_OWNER(OWNER_PERFMON);
	for (i = 0; i < ARRAY_SIZE(hw_events); i++) {
		if (hw_events[i].dynamic && armv8_type < 0)
			continue;
		self->pfd = open_hw(&hw_events[i], false, 0, -1);
		EXPECT_EQ(-1, self->pfd);
		EXPECT_EQ(EBUSY, errno) {
			TH_LOG("perf %s while perfmon is loaded: %s",
			       hw_events[i].name, strerror(errno));
		}
		if (self->pfd >= 0)
			close(self->pfd);
		self->pfd = -1;
	}
	if (geteuid() == 0) {
		/* A CPU event as well. */
		self->pfd = open_hw(&hw_events[0], false, -1, 0);
		EXPECT_EQ(-1, self->pfd);
		EXPECT_EQ(EBUSY, errno);
		if (self->pfd >= 0)
			close(self->pfd);
		self->pfd = -1;
	}
	/* Software events are not PMU users. */
	sw = pfm_perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, true,
			   false, 0, -1);
	EXPECT_LE(0, sw) {
		TH_LOG("perf task-clock while perfmon is loaded: %s",
		       strerror(errno));
	}
	if (sw >= 0)
		close(sw);
	EXPECT_OWNER(OWNER_PERFMON);

	ASSERT_EQ(0, pfm_v3_count_region(self->fd, N_LOOP));
	ASSERT_EQ(0, pfm_v3_read(self->fd, cycle_regs, 2, during));
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	EXPECT_OWNER(OWNER_NONE);

	if (!perf_count(_metadata, &hw_events[0], &after))
		return;
	TH_LOG("perf before %llu, perfmon %llu/%llu, perf after %llu", before,
	       during[0], during[1], after);
	EXPECT_LT(0, during[0]);
	EXPECT_LT(0, during[1]);
	if (self->exact) {
		EXPECT_EQ(before, after);
		EXPECT_EQ(before, during[0]);
		EXPECT_EQ(before, during[1]);
	}
}

/*
 * While perf holds the PMU, a perfmon context can be created, programmed
 * and read, but not loaded (EBUSY), per-thread or system-wide; once the
 * perf fd is closed it loads, with what was written.
 */
TEST_F(rm, perfmon_refused_while_perf)
{
	long long sessions = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	struct pfarg_pmc pmcs[2];
	__u64 v[2] = { 0 };
	int ret;

	if (!self->ready)
		return;
	self->pfd = open_hw(&hw_events[0], false, 0, -1);
	ASSERT_LE(0, self->pfd) {
		TH_LOG("perf_event_open: %s", strerror(errno));
	}
	EXPECT_OWNER(OWNER_PERF);

	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	memset(pmcs, 0, sizeof(pmcs));
	pmcs[0].reg_num = cycle_regs[0].num;
	pmcs[0].reg_value = cycle_regs[0].value;
	pmcs[1].reg_num = cycle_regs[1].num;
	pmcs[1].reg_value = cycle_regs[1].value;
	EXPECT_EQ(0, pfm_write_pmcs(self->fd, pmcs, 2));
	EXPECT_EQ(0, pfm_test_write_pmd(self->fd, 0, MAGIC));
	EXPECT_EQ(0, pfm_test_write_pmd(self->fd, 1, MAGIC + 1));
	EXPECT_EQ(0, pfm_v3_read(self->fd, cycle_regs, 2, v));
	EXPECT_EQ(MAGIC, v[0]);
	EXPECT_EQ(MAGIC + 1, v[1]);
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_test_load(self->fd,
						      pfm_test_gettid())));
	/* Still unloaded, nothing taken. */
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, NULL)));
	if (sessions >= 0)
		EXPECT_EQ(sessions, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	EXPECT_OWNER(OWNER_PERF);

	if (geteuid() == 0) {
		self->fd2 = pfm_test_create(PFM_FL_SYSTEM_WIDE);
		ASSERT_LE(0, self->fd2);
		EXPECT_EQ(0, pfm_test_write_pmc(self->fd2, 0, PFM_V3_USER));
		EXPECT_EQ(EBUSY, pfm_test_errno(pfm_test_load(self->fd2, 0)));
	}

	/* A perf CPU event holds the PMU just the same. */
	close(self->pfd);
	self->pfd = -1;
	EXPECT_OWNER(OWNER_NONE);
	if (geteuid() == 0) {
		self->pfd = open_hw(&hw_events[1], false, -1, 0);
		ASSERT_LE(0, self->pfd) {
			TH_LOG("perf CPU event: %s", strerror(errno));
		}
		EXPECT_OWNER(OWNER_PERF);
		ret = pfm_test_load(self->fd, pfm_test_gettid());
		EXPECT_EQ(EBUSY, pfm_test_errno(ret));
		ret = pfm_test_load(self->fd2, 0);
		EXPECT_EQ(EBUSY, pfm_test_errno(ret));
		close(self->pfd);
		self->pfd = -1;
		EXPECT_OWNER(OWNER_NONE);
	}

	/* Free: it loads, with what was written. */
	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	EXPECT_OWNER(OWNER_PERFMON);
	EXPECT_EQ(0, pfm_v3_read(self->fd, cycle_regs, 2, v));
	EXPECT_EQ(MAGIC, v[0]);
	EXPECT_EQ(MAGIC + 1, v[1]);
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	EXPECT_OWNER(OWNER_NONE);
	if (self->fd2 >= 0) {
		EXPECT_EQ(0, pfm_test_load(self->fd2, 0));
		EXPECT_OWNER(OWNER_PERFMON);
		EXPECT_EQ(0, pfm_unload_context(self->fd2));
		EXPECT_OWNER(OWNER_NONE);
	}
}

/*
 * Every way a perfmon session ends gives the PMU back: unload, close of a
 * loaded context, exit of the monitored thread, and for a system-wide
 * context close. Each time perf can open a hardware event again.
 */
static void expect_perf_opens(struct __test_metadata *_metadata,
			      const char *when)
{
	int pfd = open_hw(&hw_events[0], false, 0, -1);

	EXPECT_LE(0, pfd) {
		TH_LOG("perf after %s: %s", when, strerror(errno));
	}
	if (pfd >= 0)
		close(pfd);
}

static void expect_perf_busy(struct __test_metadata *_metadata,
			     const char *when)
{
	int pfd = open_hw(&hw_events[0], false, 0, -1);

	EXPECT_EQ(-1, pfd);
	EXPECT_EQ(EBUSY, errno) {
		TH_LOG("perf while %s: %s", when, strerror(errno));
	}
	if (pfd >= 0)
		close(pfd);
}

TEST_F(rm, perfmon_release_paths)
{
	int p[2], status;
	char c;

	if (!self->ready)
		return;
	/* Close while loaded on self. */
	self->fd = pfm_v3_setup(0, cycle_regs, 2, pfm_test_gettid());
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	expect_perf_busy(_metadata, "loaded and started");
	close(self->fd);
	self->fd = -1;
	EXPECT_OWNER(OWNER_NONE);
	expect_perf_opens(_metadata, "close");

	/* The monitored thread exits. */
	ASSERT_EQ(0, pipe(p));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		int fd;

		close(p[0]);
		fd = pfm_v3_setup(0, cycle_regs, 2, pfm_test_gettid());
		c = fd >= 0 && !pfm_start(fd, NULL);
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		/* Wait for the parent's check, exit with the context loaded. */
		pause();
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	close(p[0]);
	ASSERT_EQ(1, c);
	EXPECT_OWNER(OWNER_PERFMON);
	expect_perf_busy(_metadata, "a child's context is loaded");
	kill(self->child, SIGKILL);
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = -1;
	EXPECT_OWNER(OWNER_NONE);
	expect_perf_opens(_metadata, "the monitored thread's exit");

	/* System-wide: unload, then close while loaded. */
	if (geteuid() != 0)
		return;
	self->fd = pfm_v3_setup(PFM_FL_SYSTEM_WIDE, cycle_regs, 2, 0);
	ASSERT_LE(0, self->fd) {
		TH_LOG("system-wide: %s", strerror(errno));
	}
	EXPECT_OWNER(OWNER_PERFMON);
	expect_perf_busy(_metadata, "a system-wide context is loaded");
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	EXPECT_OWNER(OWNER_NONE);
	ASSERT_EQ(0, pfm_test_load(self->fd, 0));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	close(self->fd);
	self->fd = -1;
	EXPECT_OWNER(OWNER_NONE);
	expect_perf_opens(_metadata, "closing a system-wide context");
}

/*
 * A context on another thread (a ptrace-stopped child) gives the PMU back
 * when that thread exits, the context staying open, unloaded; and when it
 * is closed while the thread runs (a zombie context, freed by the thread
 * itself on its next return to user space).
 */
#define WAIT_MS		5000

static int child_exit_now(struct pfm_child *c, void *arg)
{
	return 0;
}

static int child_spin(struct pfm_child *c, void *arg)
{
	while (!pfm_child_told(c))
		pfm_test_sleep_ns(PFM_NSEC_PER_MSEC);
	return 0;
}

/* Wait until pmu_owner reads @want; true when it did. */
static bool wait_owner(const char *want)
{
	char owner[32] = "";
	int ms;

	for (ms = 0; ms < WAIT_MS; ms += 10) {
		if (pfm_v3_owner(owner, sizeof(owner)) > 0 &&
		    !strcmp(owner, want))
			return true;
		pfm_test_sleep_ns(10 * PFM_NSEC_PER_MSEC);
	}
	return false;
}

TEST_F(rm, other_thread_release_paths)
{
	struct pfm_child c;
	__u64 v[2] = { 0 };
	int status;

	if (!self->ready)
		return;
	/* The monitored child exits. */
	ASSERT_EQ(0, pfm_child_fork(&c, child_exit_now, NULL));
	self->child = c.pid;
	self->fd = pfm_v3_setup(0, cycle_regs, 2, c.pid);
	ASSERT_LE(0, self->fd) {
		TH_LOG("load on child %d: %s", c.pid, strerror(errno));
	}
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	EXPECT_OWNER(OWNER_PERFMON);
	expect_perf_busy(_metadata, "a child is monitored");
	ASSERT_EQ(0, pfm_child_cont(&c));
	status = pfm_child_wait_exit(&c);
	self->child = -1;
	pfm_child_kill(&c);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_OWNER(OWNER_NONE);
	expect_perf_opens(_metadata, "the monitored child's exit");
	EXPECT_EQ(0, pfm_v3_read(self->fd, cycle_regs, 2, v));
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, NULL)));
	close(self->fd);
	self->fd = -1;

	/* Zombie: the fd closed while the child runs. */
	ASSERT_EQ(0, pfm_child_fork(&c, child_spin, NULL));
	self->child = c.pid;
	self->fd = pfm_v3_setup(0, cycle_regs, 2, c.pid);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(0, pfm_child_cont(&c));
	close(self->fd);
	self->fd = -1;
	EXPECT_TRUE(wait_owner(OWNER_NONE)) {
		TH_LOG("zombie context: pmu_owner still not \"none\" after %d ms",
		       WAIT_MS);
	}
	expect_perf_opens(_metadata, "a zombie context went");
	EXPECT_EQ(0, pfm_child_tell(&c, 'q'));
	status = pfm_child_wait_exit(&c);
	self->child = -1;
	pfm_child_kill(&c);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_OWNER(OWNER_NONE);
}

/*
 * perf holds the PMU until its last copy is gone: an inherited event in a
 * child does not give it back when the child exits while the parent's fd
 * stays open; a child holding a copy of the fd keeps it after the parent
 * closed its own, until the child exits.
 */
static pid_t fork_waiter(int *tell, int close_fd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[1]);
		if (close_fd >= 0)
			close(close_fd);
		/* Exit once told, or when the parent goes. */
		_exit(read(p[0], &c, 1) < 0);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return -1;
	}
	*tell = p[1];
	return pid;
}

static int end_waiter(pid_t pid, int tell)
{
	int status;

	close(tell);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

TEST_F(rm, perf_last_copy_releases)
{
	int tell;

	if (!self->ready)
		return;
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_test_write_pmc(self->fd, 0, PFM_V3_USER));

	/* Inherited copy in a child that closed its fd. */
	self->pfd = open_hw(&hw_events[0], true, 0, -1);
	ASSERT_LE(0, self->pfd) {
		TH_LOG("perf_event_open(inherit): %s", strerror(errno));
	}
	self->child = fork_waiter(&tell, self->pfd);
	ASSERT_LT(0, self->child);
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_test_load(self->fd,
						      pfm_test_gettid())));
	EXPECT_EQ(0, end_waiter(self->child, tell));
	self->child = -1;
	/* The child's copy is gone, the parent's is not. */
	EXPECT_OWNER(OWNER_PERF);
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_test_load(self->fd,
						      pfm_test_gettid())));
	close(self->pfd);
	self->pfd = -1;
	EXPECT_OWNER(OWNER_NONE);

	/* A copy of the fd in a child. */
	self->pfd = open_hw(&hw_events[0], false, 0, -1);
	ASSERT_LE(0, self->pfd);
	self->child = fork_waiter(&tell, -1);
	ASSERT_LT(0, self->child);
	close(self->pfd);
	self->pfd = -1;
	EXPECT_OWNER(OWNER_PERF);
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_test_load(self->fd,
						      pfm_test_gettid())));
	EXPECT_EQ(0, end_waiter(self->child, tell));
	self->child = -1;
	EXPECT_OWNER(OWNER_NONE);
	EXPECT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	EXPECT_OWNER(OWNER_PERFMON);
}

/*
 * perfmon -> perf: perfmon counts from MAGIC on the cycle counter and on
 * an event counter, then unloads; perf's counts of the region after that
 * are what perf counted before the session (exact mode) or at least far
 * below MAGIC, never perfmon's values.
 */
TEST_F(rm, no_leak_perfmon_to_perf)
{
	__u64 ref[2] = { 0 }, v[2] = { 0 }, after[2] = { 0 };
	int i;

	if (!self->ready)
		return;
	/* hw cpu-cycles: the cycle counter; raw 0x11: an event counter. */
	for (i = 0; i < 2; i++) {
		if (!perf_count(_metadata, &hw_events[i], &ref[i]))
			return;
	}
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pfm_test_write_pmc(self->fd, cycle_regs[i].num,
						cycle_regs[i].value));
		ASSERT_EQ(0, pfm_test_write_pmd(self->fd, cycle_regs[i].num,
						MAGIC));
	}
	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	/* Loaded, not started: exactly what was written. */
	ASSERT_EQ(0, pfm_v3_read(self->fd, cycle_regs, 2, v));
	EXPECT_EQ(MAGIC, v[0]);
	EXPECT_EQ(MAGIC, v[1]);
	ASSERT_EQ(0, pfm_v3_count_region(self->fd, N_LOOP));
	ASSERT_EQ(0, pfm_v3_read(self->fd, cycle_regs, 2, v));
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	for (i = 0; i < 2; i++) {
		EXPECT_LT(MAGIC, v[i]);
		if (self->exact)
			EXPECT_EQ(MAGIC + ref[i], v[i]);
	}
	for (i = 0; i < 2; i++) {
		if (!perf_count(_metadata, &hw_events[i], &after[i]))
			return;
		TH_LOG("perf %s: %llu before, %llu after; perfmon from %#llx: %#llx",
		       hw_events[i].name, ref[i], after[i], MAGIC, v[i]);
		EXPECT_GT(MAGIC, after[i]);
		if (self->exact)
			EXPECT_EQ(ref[i], after[i]);
	}
}

/*
 * perf -> perfmon: perf counts on the cycle counter and an event counter
 * (and leaves them holding its own values), closes; a new perfmon context
 * reads exactly what it wrote once loaded, and then counts from there:
 * exact mode, what perf counted for the same region; otherwise far below
 * what perf leaves in a counter (its start value is half the counter
 * range or more).
 */
TEST_F(rm, no_leak_perf_to_perfmon)
{
	const __u64 written = 0x5a5a;
	__u64 ref[2] = { 0 }, v[2] = { 0 };
	int i;

	if (!self->ready)
		return;
	for (i = 0; i < 2; i++) {
		if (!perf_count(_metadata, &hw_events[i], &ref[i]))
			return;
	}
	self->fd = pfm_v3_setup(0, cycle_regs, 2, pfm_test_gettid());
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_v3_read(self->fd, cycle_regs, 2, v));
	EXPECT_EQ(0, v[0]);
	EXPECT_EQ(0, v[1]);
	/* Written while loaded (stopped), read back as written. */
	ASSERT_EQ(0, pfm_test_write_pmd(self->fd, cycle_regs[1].num, written));
	ASSERT_EQ(0, pfm_v3_read(self->fd, cycle_regs, 2, v));
	EXPECT_EQ(0, v[0]);
	EXPECT_EQ(written, v[1]);
	ASSERT_EQ(0, pfm_test_write_pmd(self->fd, cycle_regs[1].num, 0));

	ASSERT_EQ(0, pfm_v3_count_region(self->fd, N_LOOP));
	ASSERT_EQ(0, pfm_v3_read(self->fd, cycle_regs, 2, v));
	for (i = 0; i < 2; i++) {
		TH_LOG("perf %s: %llu; perfmon PMD%u from 0: %llu",
		       hw_events[i].name, ref[i], cycle_regs[i].num, v[i]);
		EXPECT_LT(0, v[i]);
		EXPECT_GT(1ULL << 31, v[i]);
		if (self->exact)
			EXPECT_EQ(ref[i], v[i]);
	}
}

/*
 * A software-PMU context never takes the hardware: perf hardware events
 * and a loaded software-PMU context live side by side, in either order.
 * Runs where the software PMU is active and perf has hardware events
 * (arm64 booted with perfmon.pmu=sw; not x86 under TCG, which has none).
 */
TEST(sw_pmu_coexists_with_perf)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK), v = 0, pv = 0;
	char owner[32];
	bool has_owner;
	int fd, pfd;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	pfd = pfm_perf_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, true,
			    false, 0, -1);
	if (pfd < 0 && (errno == ENOENT || errno == EOPNOTSUPP ||
			errno == ENODEV))
		SKIP(return, "no perf hardware events: %s", strerror(errno));
	ASSERT_LE(0, pfd) {
		TH_LOG("perf_event_open: %s", strerror(errno));
	}
	has_owner = pfm_v3_owner(owner, sizeof(owner)) > 0;
	if (has_owner)
		EXPECT_STREQ(OWNER_PERF, owner);

	/* perf first, then the software context. */
	fd = pfm_test_setup(0, &pmc0, 1, pfm_test_gettid());
	ASSERT_LE(0, fd) {
		TH_LOG("software-PMU context with perf open: %s",
		       strerror(errno));
	}
	ASSERT_EQ(0, pfm_start(fd, NULL));
	ASSERT_EQ(0, ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0));
	pfm_test_burn(10 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, ioctl(pfd, PERF_EVENT_IOC_DISABLE, 0));
	ASSERT_EQ(0, pfm_stop(fd));
	ASSERT_EQ(sizeof(pv), read(pfd, &pv, sizeof(pv)));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v));
	EXPECT_LT(0, pv);
	EXPECT_LE(9 * PFM_NSEC_PER_MSEC, v);
	close(pfd);
	if (has_owner) {
		pfm_v3_owner(owner, sizeof(owner));
		EXPECT_STREQ(OWNER_NONE, owner);
	}

	/* The software context loaded first, then perf. */
	pfd = pfm_perf_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, true,
			    false, 0, -1);
	EXPECT_LE(0, pfd) {
		TH_LOG("perf with a software-PMU context loaded: %s",
		       strerror(errno));
	}
	if (pfd >= 0)
		close(pfd);
	close(fd);
}

TEST_HARNESS_MAIN
