// SPDX-License-Identifier: GPL-2.0
/*
 * ARMv8 PMUv3 on several CPUs (QEMU plain TCG, -smp 2), and the description
 * itself (any PMUv3 boot).
 *
 * Under plain TCG only CPU_CYCLES counts (0x11, and the cycle counter):
 * QEMU's virtual clock at 1 GHz, so a cycle is a virtual ns, the unit of
 * the guest's own clocks. Counts are not exact here; they are checked for
 * being monotonic, per CPU, and against the thread's CPU time or the
 * elapsed time with loose bounds.
 *
 * Skipped with "no PMUv3" elsewhere; the SMP tests need 2 CPUs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "pfm_pmuv3.h"

#define CYCLES_USER	(PFM_V3_CPU_CYCLES | PFM_V3_USER)
#define MAX_CPUS	64

/*
 * A user-level count over a stretch of CPU time (virtual ns) is at most
 * that time (plus rounding, UPPER_SLACK_NS) and, for a busy loop in user
 * space, at least a quarter of it: the rest is the kernel's share (timer
 * ticks), a few percent normally. The host may deschedule a vCPU: that
 * time passes for the guest's clocks and cycles alike.
 */
#define UPPER_SLACK_NS	(PFM_NSEC_PER_MSEC / 10)

/* The PMUv3 description: register names and numbers. */
TEST(description)
{
	char path[256], name[64], want[64];
	int npmcs = 0, npmds = 0, i;

	if (!pfm_v3_require(_metadata))
		return;
	for (;;) {
		snprintf(path, sizeof(path), PFM_SYSFS_DIR "/pmu_desc/pmc%d/name",
			 npmcs);
		if (access(path, F_OK))
			break;
		npmcs++;
	}
	for (;;) {
		snprintf(path, sizeof(path), PFM_SYSFS_DIR "/pmu_desc/pmd%d/name",
			 npmds);
		if (access(path, F_OK))
			break;
		npmds++;
	}
	/* The cycle counter and 1 to 31 event counters (PMCR_EL0.N). */
	EXPECT_EQ(npmcs, npmds);
	EXPECT_LE(2, npmcs);
	EXPECT_GE(32, npmcs);
	for (i = 0; i < npmcs; i++) {
		snprintf(path, sizeof(path), PFM_SYSFS_DIR "/pmu_desc/pmc%d/name",
			 i);
		ASSERT_LT(0, pfm_test_read_attr(path, name, sizeof(name)));
		if (i)
			snprintf(want, sizeof(want), "PMEVTYPER%d_EL0\n", i - 1);
		else
			snprintf(want, sizeof(want), "PMCCFILTR_EL0\n");
		EXPECT_STREQ(want, name);
	}
	for (i = 0; i < npmds; i++) {
		snprintf(path, sizeof(path), PFM_SYSFS_DIR "/pmu_desc/pmd%d/name",
			 i);
		ASSERT_LT(0, pfm_test_read_attr(path, name, sizeof(name)));
		if (i)
			snprintf(want, sizeof(want), "PMEVCNTR%d_EL0\n", i - 1);
		else
			snprintf(want, sizeof(want), "PMCCNTR_EL0\n");
		EXPECT_STREQ(want, name);
	}
	/* One past the last is not implemented. */
	{
		int fd = pfm_test_create(0);
		struct pfarg_pmc pmc;

		ASSERT_LE(0, fd);
		memset(&pmc, 0, sizeof(pmc));
		pmc.reg_num = npmcs;
		pmc.reg_value = PFM_V3_USER | PFM_V3_CPU_CYCLES;
		EXPECT_EQ(EINVAL, pfm_test_errno(pfm_write_pmcs(fd, &pmc, 1)));
		EXPECT_TRUE(pmc.reg_flags & PFM_REG_RETFL_NOTAVAIL);
		pmc.reg_num = npmcs - 1;
		pmc.reg_flags = 0;
		EXPECT_EQ(0, pfm_write_pmcs(fd, &pmc, 1));
		close(fd);
	}
}

/*
 * The write checker and perf agree on which common events the PMU has
 * (PMCEID0/1_EL0): perf shows exactly those in sysfs (of the events it
 * names; it never shows sw_incr). An event perf shows is accepted, one it
 * hides is refused with EINVAL and RETFL_EINVAL.
 * Implementation-defined numbers, which PMCEID cannot describe, are
 * accepted; PFM_REGFL_NO_EMUL64 is not supported.
 */
static const struct {
	const char	*name;
	unsigned int	event;
} common_events[] = {
	{ "l1i_cache_refill", 0x01 },
	{ "l1d_cache", 0x04 },
	{ "ld_retired", 0x06 },
	{ "inst_retired", 0x08 },
	{ "exc_taken", 0x09 },
	{ "cpu_cycles", 0x11 },
	{ "br_pred", 0x12 },
	{ "mem_access", 0x13 },
	{ "stall_frontend", 0x23 },
	{ "stall_backend", 0x24 },
	{ "stall", 0x3c },
};

TEST(event_check_matches_pmceid)
{
	char pmu[128], path[512];
	struct pfarg_pmc pmc;
	unsigned int i;
	int fd, ret;
	bool listed;

	if (!pfm_v3_require(_metadata))
		return;
	if (pfm_perf_armv8_type(pmu, sizeof(pmu)) < 0)
		SKIP(return, "no %s/%s*: perf's view of PMCEID is unknown",
		     PFM_V3_PERF_DIR, PFM_V3_PERF_PREFIX);
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(common_events); i++) {
		snprintf(path, sizeof(path), "%s/%s/events/%s", PFM_V3_PERF_DIR,
			 pmu, common_events[i].name);
		listed = access(path, F_OK) == 0;
		memset(&pmc, 0, sizeof(pmc));
		pmc.reg_num = PFM_V3_EVT_REG(0);
		pmc.reg_value = PFM_V3_USER | common_events[i].event;
		ret = pfm_test_errno(pfm_write_pmcs(fd, &pmc, 1));
		EXPECT_EQ(listed ? 0 : EINVAL, ret) {
			TH_LOG("event %#x (%s), %s by perf: %s",
			       common_events[i].event, common_events[i].name,
			       listed ? "listed" : "not listed", strerror(ret));
		}
		if (!listed)
			EXPECT_TRUE(pmc.reg_flags & PFM_REG_RETFL_EINVAL);
	}
	/* The cycle counter has no event field: any PMCCFILTR is fine. */
	EXPECT_EQ(0, pfm_test_write_pmc(fd, PFM_V3_CYCLE_REG, PFM_V3_USER));
	/* Implementation defined: accepted. */
	EXPECT_EQ(0, pfm_test_write_pmc(fd, PFM_V3_EVT_REG(0),
					PFM_V3_USER | 0xc0));
	EXPECT_EQ(0, pfm_test_write_pmc(fd, PFM_V3_EVT_REG(0),
					PFM_V3_USER | 0xffff));
	/* No 64-bit emulation switch on PMUv3. */
	memset(&pmc, 0, sizeof(pmc));
	pmc.reg_num = PFM_V3_EVT_REG(0);
	pmc.reg_flags = PFM_REGFL_NO_EMUL64;
	pmc.reg_value = CYCLES_USER;
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_write_pmcs(fd, &pmc, 1)));
	close(fd);
}

FIXTURE(smp) {
	int		cpus[MAX_CPUS];
	int		ncpus;
	int		fd[2];
	pid_t		child;
	bool		ready;
};

FIXTURE_SETUP(smp)
{
	self->fd[0] = -1;
	self->fd[1] = -1;
	self->child = -1;
	if (!pfm_v3_require(_metadata))
		return;
	self->ncpus = pfm_test_online_cpus(self->cpus, MAX_CPUS);
	if (self->ncpus < 2)
		SKIP(return, "needs 2 CPUs, %d online", self->ncpus);
	self->ready = true;
}

FIXTURE_TEARDOWN(smp)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (self->fd[i] >= 0)
			close(self->fd[i]);
	}
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
}

/*
 * A busy loop that stays in user space: no system call (pfm_test_burn()
 * reads the thread's CPU clock, a system call, which on a debug kernel
 * under TCG costs more than the loop between two calls).
 */
#define SPIN_ITERS	2000000UL

static void spin_user(unsigned long iters)
{
	unsigned long i, sink = 0;

	for (i = 0; i < iters; i++) {
		sink += i;
		__asm__ __volatile__("" : "+r" (sink));
	}
}

/*
 * A self-monitoring thread moves between two CPUs NR_MOVES times and spins
 * in user space on each, the cycle counter and a CPU_CYCLES event counter
 * reading its user-level cycles. Read before each move and after each
 * spin: the counts never go back and grow over every move + spin, by at
 * most the CPU time from the first read to the second and by at least a
 * quarter of the CPU time of the spin alone (the rest is timer ticks);
 * the two counters agree within 5% in the end.
 */
#define NR_MOVES	40

struct move_times {
	__u64	pre;		/* CPU time before the first read */
	__u64	spin0, spin1;	/* around the spin */
	__u64	post;		/* after the second read */
};

TEST_F(smp, monotonic_across_migrations)
{
	const struct pfm_v3_reg regs[] = {
		{ PFM_V3_CYCLE_REG, PFM_V3_USER },
		{ PFM_V3_EVT_REG(0), CYCLES_USER },
	};
	__u64 before[2] = { 0 }, after[2] = { 0 }, first[2] = { 0 };
	__u64 c_start, d, cpu;
	struct move_times t;
	int i, j, target;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_test_pin(self->cpus[0]));
	self->fd[0] = pfm_v3_setup(0, regs, 2, pfm_test_gettid());
	ASSERT_LE(0, self->fd[0]) {
		TH_LOG("setup: %s", strerror(errno));
	}
	ASSERT_EQ(0, pfm_start(self->fd[0], NULL));
	ASSERT_EQ(0, pfm_v3_read(self->fd[0], regs, 2, first));
	c_start = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	for (i = 0; i < NR_MOVES; i++) {
		target = self->cpus[(i + 1) & 1];
		t.pre = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
		ASSERT_EQ(0, pfm_v3_read(self->fd[0], regs, 2, before));
		ASSERT_EQ(0, pfm_test_pin(target));
		ASSERT_EQ(target, sched_getcpu());
		t.spin0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
		spin_user(SPIN_ITERS);
		t.spin1 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
		ASSERT_EQ(0, pfm_v3_read(self->fd[0], regs, 2, after));
		t.post = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
		cpu = t.spin1 - t.spin0;
		for (j = 0; j < 2; j++) {
			d = after[j] - before[j];
			EXPECT_LT(before[j], after[j]) {
				TH_LOG("PMD%u, move %d to CPU %d: %llu then %llu",
				       regs[j].num, i, target, before[j],
				       after[j]);
			}
			EXPECT_LE(cpu / 4, d) {
				TH_LOG("PMD%u, move %d: +%llu, spin %llu ns of CPU time",
				       regs[j].num, i, d, cpu);
			}
			EXPECT_GE(t.post - t.pre + UPPER_SLACK_NS, d) {
				TH_LOG("PMD%u, move %d: +%llu, %llu ns of CPU time",
				       regs[j].num, i, d, t.post - t.pre);
			}
		}
	}
	ASSERT_EQ(0, pfm_stop(self->fd[0]));
	ASSERT_EQ(0, pfm_v3_read(self->fd[0], regs, 2, after));
	cpu = pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - c_start;
	TH_LOG("PMCCNTR +%llu, CPU_CYCLES +%llu over %llu ns of CPU time",
	       after[0] - first[0], after[1] - first[1], cpu);
	d = after[0] > after[1] ? after[0] - after[1] : after[1] - after[0];
	EXPECT_GE(after[0] / 20, d) {
		TH_LOG("PMCCNTR %llu, CPU_CYCLES %llu", after[0], after[1]);
	}
	EXPECT_GE(cpu + UPPER_SLACK_NS, after[0] - first[0]);
}

/*
 * Per CPU: two system-wide contexts, CPU A and CPU B, count user-level
 * cycles while a child busy-loops pinned on B and the controller sleeps on
 * A between reads. B's count grows at every read and by about the elapsed
 * time; A's never goes back and stays much smaller (4x). Then the other
 * way round.
 */
#define SYS_READS	10
#define SYS_STEP_NS	(20 * PFM_NSEC_PER_MSEC)

static pid_t fork_spinner(int cpu)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (pfm_test_pin(cpu))
			_exit(1);
		for (;;)
			spin_user(SPIN_ITERS);
	}
	return pid;
}

static void per_cpu_check(struct __test_metadata *_metadata, int *fd,
			  pid_t *child, int busy, int quiet)
{
	const struct pfm_v3_reg reg = { PFM_V3_CYCLE_REG, PFM_V3_USER };
	__u64 v[SYS_READS][2] = { 0 }, t0, t1, db, dq;
	int cpu[2] = { busy, quiet }, i, j;

	ASSERT_EQ(0, pfm_test_pin(quiet));
	for (j = 0; j < 2; j++) {
		fd[j] = pfm_v3_setup(PFM_FL_SYSTEM_WIDE, &reg, 1, cpu[j]);
		ASSERT_LE(0, fd[j]) {
			TH_LOG("system-wide on CPU %d: %s", cpu[j],
			       strerror(errno));
		}
	}
	*child = fork_spinner(busy);
	ASSERT_LT(0, *child);
	/* Let it settle on its CPU. */
	pfm_test_sleep_ns(SYS_STEP_NS);
	for (j = 0; j < 2; j++)
		ASSERT_EQ(0, pfm_start(fd[j], NULL));
	t0 = pfm_test_now(CLOCK_MONOTONIC);
	for (i = 0; i < SYS_READS; i++) {
		pfm_test_sleep_ns(SYS_STEP_NS);
		for (j = 0; j < 2; j++)
			ASSERT_EQ(0, pfm_v3_read(fd[j], &reg, 1, &v[i][j]));
	}
	t1 = pfm_test_now(CLOCK_MONOTONIC);
	for (j = 0; j < 2; j++)
		ASSERT_EQ(0, pfm_stop(fd[j]));
	kill(*child, SIGKILL);
	waitpid(*child, NULL, 0);
	*child = -1;

	for (i = 1; i < SYS_READS; i++) {
		EXPECT_LT(v[i - 1][0], v[i][0]) {
			TH_LOG("busy CPU %d, read %d: %llu then %llu", busy, i,
			       v[i - 1][0], v[i][0]);
		}
		EXPECT_LE(v[i - 1][1], v[i][1]) {
			TH_LOG("quiet CPU %d, read %d: %llu then %llu", quiet, i,
			       v[i - 1][1], v[i][1]);
		}
	}
	db = v[SYS_READS - 1][0];
	dq = v[SYS_READS - 1][1];
	TH_LOG("busy CPU %d: %llu, quiet CPU %d: %llu, elapsed %llu ns", busy,
	       db, quiet, dq, t1 - t0);
	EXPECT_LT(4 * dq, db);
	EXPECT_LE((t1 - t0) / 4, db);
	/* Counted from pfm_start() to the last read: within t1 - t0 + a read. */
	EXPECT_GE(t1 - t0 + SYS_STEP_NS, db);
	for (j = 0; j < 2; j++) {
		close(fd[j]);
		fd[j] = -1;
	}
}

TEST_F(smp, per_cpu_system_wide)
{
	if (!self->ready)
		return;
	if (geteuid() != 0)
		SKIP(return, "system-wide contexts need root");
	per_cpu_check(_metadata, self->fd, &self->child, self->cpus[1],
		      self->cpus[0]);
	per_cpu_check(_metadata, self->fd, &self->child, self->cpus[0],
		      self->cpus[1]);
}

TEST_HARNESS_MAIN
