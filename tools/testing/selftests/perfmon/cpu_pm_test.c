// SPDX-License-Identifier: GPL-2.0
/*
 * PMUv3 counters across a CPU power-down (arm64 only; "no PMUv3" skip
 * elsewhere, and a skip on kernels without CONFIG_CPU_PM).
 *
 * Writing /sys/kernel/debug/perfmon/cpu_pm_cycle runs the writer's CPU
 * through CPU_PM_ENTER and CPU_PM_EXIT, as an idle entry into a
 * power-down state does; arm_pmu resets the PMU on the exit, in place of
 * the power loss. Perfmon must keep every count across it:
 *
 *  - exact mode (-smp 1 -icount): the user-level INST_RETIRED and cycles
 *    of a region with a power-down in the middle equal, exactly, those of
 *    the same region with a write to /dev/null in its place, for the
 *    thread that powers the CPU down, and for a thread blocked while
 *    another one does (its registers were left on the CPU, UP lazy save);
 *  - both modes: a system-wide count on the CPU (with one set, and with
 *    two sets switching every millisecond), and the count of a thread
 *    that sleeps while another thread powers its CPU down, keep going up
 *    across power-downs, by at least the loop run between two reads in
 *    exact mode.
 *
 * Without the save and reload, the counts of the second half of a region
 * are lost, or start again from zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "pfm_pmuv3.h"
#include "pfm_sets.h"

#define CPU_PM_CYCLE	"/sys/kernel/debug/perfmon/cpu_pm_cycle"
#define N_LOOP		100000UL

#define INST_USER	(PFM_V3_USER | PFM_V3_INST_RETIRED)

struct cpu_pm_self {
	int	pm_fd;		/* CPU_PM_CYCLE, write-only */
	int	null_fd;	/* /dev/null, the same write doing nothing */
	int	ctx_fd;
	int	exact;		/* 1 exact mode, 0 not, -1 not PMUv3 */
	int	cpu;		/* the CPU everything runs on */
};

/* Skip unless PMUv3 and the cpu_pm_cycle file; pin to the first CPU. */
static bool cpu_pm_setup(struct __test_metadata *_metadata,
			 struct cpu_pm_self *self)
{
	char why[128];
	int cpus[1];

	self->pm_fd = -1;
	self->null_fd = -1;
	self->ctx_fd = -1;
	self->exact = -1;
	if (!pfm_v3_require(_metadata))
		return false;
	self->pm_fd = open(CPU_PM_CYCLE, O_WRONLY | O_CLOEXEC);
	if (self->pm_fd < 0 && errno == ENOENT)
		SKIP(return false, "no %s: a kernel without CONFIG_CPU_PM",
		     CPU_PM_CYCLE);
	ASSERT_LE(0, self->pm_fd) {
		TH_LOG("open %s: %s", CPU_PM_CYCLE, strerror(errno));
	}
	self->null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, self->null_fd);
	self->exact = pfm_v3_exact_mode(why, sizeof(why));
	ASSERT_LE(0, self->exact) {
		TH_LOG("probing exact mode: %s", strerror(errno));
	}
	ASSERT_EQ(1, pfm_test_online_cpus(cpus, 1));
	self->cpu = cpus[0];
	ASSERT_EQ(0, pfm_test_pin(self->cpu));
	return true;
}

static void cpu_pm_teardown(struct cpu_pm_self *self)
{
	if (self->ctx_fd >= 0)
		close(self->ctx_fd);
	if (self->pm_fd >= 0)
		close(self->pm_fd);
	if (self->null_fd >= 0)
		close(self->null_fd);
}

/* The two counts of the region: INST_RETIRED (PMD1) and cycles (PMD0). */
static const struct pfm_v3_reg user_regs[] = {
	{ PFM_V3_EVT_REG(0), INST_USER },
	{ PFM_V3_CYCLE_REG, PFM_V3_USER },
};

/*
 * Self-monitoring: pfm_start; loop; the system call @nr(@fd, @buf, 1);
 * loop; pfm_stop, the PMDs zeroed first, read into @v.
 */
static int count_region(int ctx_fd, long nr, int fd, char *buf, __u64 *v)
{
	struct pfm_sc sc[3];
	int i;

	for (i = 0; i < 2; i++) {
		if (pfm_test_write_pmd(ctx_fd, user_regs[i].num, 0))
			return -1;
	}
	pfm_sc_set(&sc[0], __NR_pfm_start, ctx_fd, 0, 0);
	pfm_sc_set(&sc[1], nr, fd, (long)buf, 1);
	pfm_sc_set(&sc[2], __NR_pfm_stop, ctx_fd, 0, 0);
	if (pfm_region(sc, 3, N_LOOP))
		return -1;
	return pfm_v3_read(ctx_fd, user_regs, 2, v);
}

/* The counts of a region with a power-down equal those without one. */
static void check_same(struct __test_metadata *_metadata, const __u64 *with,
		       const __u64 *without)
{
	TH_LOG("INST_RETIRED %llu, cycles %llu (without: %llu, %llu)",
	       with[0], with[1], without[0], without[1]);
	EXPECT_LT(2 * LOOP_INSNS_PER_ITER * N_LOOP, without[0]);
	EXPECT_EQ(without[0], with[0]);
	EXPECT_EQ(without[1], with[1]);
}

FIXTURE(exact) {
	struct cpu_pm_self s;
	bool ready;
};

FIXTURE_SETUP(exact)
{
	self->ready = cpu_pm_setup(_metadata, &self->s);
	if (self->ready && !self->s.exact) {
		self->ready = false;
		SKIP(return, "not exact mode: counts there are not repeatable");
	}
}

FIXTURE_TEARDOWN(exact)
{
	cpu_pm_teardown(&self->s);
}

/* The thread that powers the CPU down is the monitored one. */
TEST_F(exact, current_thread)
{
	struct cpu_pm_self *me = &self->s;
	__u64 with[2] = { 0 }, without[2] = { 0 };
	char byte = '1';

	if (!self->ready)
		return;
	me->ctx_fd = pfm_v3_setup(0, user_regs, 2, pfm_test_gettid());
	ASSERT_LE(0, me->ctx_fd) {
		TH_LOG("setup: %s", strerror(errno));
	}
	ASSERT_EQ(0, count_region(me->ctx_fd, __NR_write, me->null_fd, &byte,
				  without));
	ASSERT_EQ(0, count_region(me->ctx_fd, __NR_write, me->pm_fd, &byte,
				  with)) {
		TH_LOG("region with a power-down: %s", strerror(errno));
	}
	check_same(_metadata, with, without);
}

/*
 * The monitored thread blocks in the middle of its region (read() on a
 * pipe) while another thread writes @fd, then wakes it.
 */
struct sleeper {
	int	ctx_fd;
	int	wake[2];	/* pipe: the waker writes, the sleeper reads */
	int	fd;		/* what the waker writes first */
	int	err;
	__u64	v[2];
};

static void *waker_run(void *p)
{
	struct sleeper *s = p;
	char byte = '1';

	/* Let the sleeper block first; a plain write() if it has not. */
	pfm_test_sleep_ns(20 * PFM_NSEC_PER_MSEC);
	if (write(s->fd, &byte, 1) != 1)
		s->err = errno;
	if (write(s->wake[1], &byte, 1) != 1 && !s->err)
		s->err = errno;
	return NULL;
}

static int sleeper_region(struct sleeper *s)
{
	pthread_t waker;
	char byte;
	int ret;

	s->err = 0;
	if (pthread_create(&waker, NULL, waker_run, s))
		return -1;
	ret = count_region(s->ctx_fd, __NR_read, s->wake[0], &byte, s->v);
	pthread_join(waker, NULL);
	if (ret)
		return -1;
	if (s->err) {
		errno = s->err;
		return -1;
	}
	return 0;
}

/* Another thread powers the CPU down while the monitored one sleeps. */
TEST_F(exact, sleeping_thread)
{
	struct cpu_pm_self *me = &self->s;
	struct sleeper s;
	__u64 without[2] = { 0 };

	if (!self->ready)
		return;
	me->ctx_fd = pfm_v3_setup(0, user_regs, 2, pfm_test_gettid());
	ASSERT_LE(0, me->ctx_fd) {
		TH_LOG("setup: %s", strerror(errno));
	}
	memset(&s, 0, sizeof(s));
	s.ctx_fd = me->ctx_fd;
	ASSERT_EQ(0, pipe2(s.wake, O_CLOEXEC));
	s.fd = me->null_fd;
	EXPECT_EQ(0, sleeper_region(&s)) {
		TH_LOG("region: %s", strerror(errno));
	}
	memcpy(without, s.v, sizeof(without));
	s.fd = me->pm_fd;
	EXPECT_EQ(0, sleeper_region(&s)) {
		TH_LOG("region with a power-down: %s", strerror(errno));
	}
	close(s.wake[0]);
	close(s.wake[1]);
	check_same(_metadata, s.v, without);
}

FIXTURE(any) {
	struct cpu_pm_self s;
	bool ready;
};

FIXTURE_SETUP(any)
{
	self->ready = cpu_pm_setup(_metadata, &self->s);
}

FIXTURE_TEARDOWN(any)
{
	cpu_pm_teardown(&self->s);
}

#define ROUNDS		4

static noinline __noclone void cpu_pm_loop(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		__asm__ __volatile__("" : "+r" (i));
}

/*
 * Each of @v[0..ROUNDS] must be above the one before, by at least the
 * loop run between the two reads in exact mode (one instruction an
 * iteration at the least, and cycles are instructions there); in plain
 * TCG cycles are time, with no floor to compare with.
 */
static void check_rounds(struct __test_metadata *_metadata,
			 const struct cpu_pm_self *me, const __u64 *v)
{
	int i;

	for (i = 1; i <= ROUNDS; i++) {
		TH_LOG("read %d: %llu (+%llu)", i, v[i], v[i] - v[i - 1]);
		EXPECT_LT(v[i - 1], v[i]);
		if (me->exact)
			EXPECT_LE(v[i - 1] + N_LOOP, v[i]);
	}
}

/*
 * A system-wide context on the test's CPU counts user cycles; between
 * two reads, a power-down and a loop.
 */
TEST_F(any, syswide_goes_on)
{
	const struct pfm_v3_reg reg = { PFM_V3_CYCLE_REG, PFM_V3_USER };
	struct cpu_pm_self *me = &self->s;
	__u64 v[ROUNDS + 1];
	char byte = '1';
	int i;

	if (!self->ready)
		return;
	me->ctx_fd = pfm_v3_setup(PFM_FL_SYSTEM_WIDE, &reg, 1, me->cpu);
	ASSERT_LE(0, me->ctx_fd) {
		TH_LOG("setup on CPU %d: %s", me->cpu, strerror(errno));
	}
	ASSERT_EQ(0, pfm_start(me->ctx_fd, NULL));
	cpu_pm_loop(N_LOOP);
	ASSERT_EQ(0, pfm_v3_read(me->ctx_fd, &reg, 1, &v[0]));
	for (i = 1; i <= ROUNDS; i++) {
		ASSERT_EQ(1, write(me->pm_fd, &byte, 1)) {
			TH_LOG("power-down %d: %s", i, strerror(errno));
		}
		cpu_pm_loop(N_LOOP);
		ASSERT_EQ(0, pfm_v3_read(me->ctx_fd, &reg, 1, &v[i]));
	}
	ASSERT_EQ(0, pfm_stop(me->ctx_fd));
	check_rounds(_metadata, me, v);
}

#define SET_TIMEOUT_NS	PFM_NSEC_PER_MSEC
#define SET_LOOP	(10 * N_LOOP)

/*
 * The same with two sets switching every millisecond (each loop spans a
 * few switches): the set switch timer is stopped and started again
 * around each power-down. Both sets must have run, and the sum of their
 * counts must keep going up.
 */
TEST_F(any, syswide_sets_go_on)
{
	struct cpu_pm_self *me = &self->s;
	struct pfarg_setinfo info[2];
	__u64 v[ROUNDS + 1], c[2];
	char byte = '1';
	int i, s;

	if (!self->ready)
		return;
	me->ctx_fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	ASSERT_LE(0, me->ctx_fd);
	for (s = 0; s < 2; s++) {
		ASSERT_EQ(0, pfm_sets_create1(me->ctx_fd, s,
					      PFM_SETFL_TIME_SWITCH,
					      SET_TIMEOUT_NS, NULL));
		ASSERT_EQ(0, pfm_sets_write_pmc(me->ctx_fd, s,
						PFM_V3_CYCLE_REG, PFM_V3_USER));
		ASSERT_EQ(0, pfm_sets_write_pmd(me->ctx_fd, s,
						PFM_V3_CYCLE_REG, 0));
	}
	ASSERT_EQ(0, pfm_test_load(me->ctx_fd, me->cpu)) {
		TH_LOG("load on CPU %d: %s", me->cpu, strerror(errno));
	}
	ASSERT_EQ(0, pfm_start(me->ctx_fd, NULL));
	for (i = 0; i <= ROUNDS; i++) {
		if (i)
			ASSERT_EQ(1, write(me->pm_fd, &byte, 1));
		cpu_pm_loop(SET_LOOP);
		for (s = 0; s < 2; s++)
			ASSERT_EQ(0, pfm_sets_read_pmd(me->ctx_fd, s,
						       PFM_V3_CYCLE_REG,
						       &c[s]));
		v[i] = c[0] + c[1];
	}
	ASSERT_EQ(0, pfm_stop(me->ctx_fd));
	for (s = 0; s < 2; s++) {
		ASSERT_EQ(0, pfm_sets_info(me->ctx_fd, s, &info[s]));
		TH_LOG("set %d: %llu runs, %llu ns", s, info[s].set_runs,
		       info[s].set_act_duration);
		EXPECT_LT(1, info[s].set_runs);
	}
	check_rounds(_metadata, me, v);
}

/*
 * The monitored thread counts its user cycles and, between two reads,
 * blocks while another thread on its CPU powers the CPU down, then loops.
 * Its registers stay on the CPU while it sleeps (saved on SMP, but kept
 * for a lazy restore), which is what the power-down takes away.
 */
TEST_F(any, sleeping_thread_goes_on)
{
	const struct pfm_v3_reg reg = { PFM_V3_CYCLE_REG, PFM_V3_USER };
	struct cpu_pm_self *me = &self->s;
	struct sleeper s;
	__u64 v[ROUNDS + 1];
	pthread_t waker;
	char byte;
	int i;

	if (!self->ready)
		return;
	me->ctx_fd = pfm_v3_setup(0, &reg, 1, pfm_test_gettid());
	ASSERT_LE(0, me->ctx_fd) {
		TH_LOG("setup: %s", strerror(errno));
	}
	memset(&s, 0, sizeof(s));
	s.fd = me->pm_fd;
	ASSERT_EQ(0, pipe2(s.wake, O_CLOEXEC));
	ASSERT_EQ(0, pfm_start(me->ctx_fd, NULL));
	cpu_pm_loop(N_LOOP);
	ASSERT_EQ(0, pfm_v3_read(me->ctx_fd, &reg, 1, &v[0]));
	for (i = 1; i <= ROUNDS; i++) {
		ASSERT_EQ(0, pthread_create(&waker, NULL, waker_run, &s));
		EXPECT_EQ(1, read(s.wake[0], &byte, 1));
		pthread_join(waker, NULL);
		ASSERT_EQ(0, s.err) {
			TH_LOG("power-down %d: %s", i, strerror(s.err));
		}
		cpu_pm_loop(N_LOOP);
		ASSERT_EQ(0, pfm_v3_read(me->ctx_fd, &reg, 1, &v[i]));
	}
	ASSERT_EQ(0, pfm_stop(me->ctx_fd));
	close(s.wake[0]);
	close(s.wake[1]);
	check_rounds(_metadata, me, v);
}

TEST_HARNESS_MAIN
