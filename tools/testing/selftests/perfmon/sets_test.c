// SPDX-License-Identifier: GPL-2.0
/*
 * Event sets on the software PMU (x86_64, and arm64 booted with
 * perfmon.pmu=sw; skipped on any other PMU).
 *
 * Set 0 always exists; pfm_create_evtsets() adds or changes sets, only
 * while the context is unloaded. The kernel switches to the next set by
 * increasing id, wrapping around, when the active set's timeout expires
 * (PFM_SETFL_TIME_SWITCH: counting time, rounded to the timer resolution
 * and never below 100 us, the effective value written back) or after
 * reg_ovfl_switch_cnt 64-bit overflows of one of its PMDs
 * (PFM_SETFL_OVFL_SWITCH). Each set has statistics: set_runs (activations:
 * at load and at each switch), set_act_duration (ns it counted, kept only
 * when the context has more than one set), set_timeout, set_ovfl_pmds.
 *
 * What is checked:
 *  - time switching: two sets alternate from set 0 (runs differ by one at
 *    most, no turn shorter than the timeout, about as many as the timeout
 *    gives), their durations are about half each and add up to the
 *    thread's CPU time, a set's cpu-clock is its duration; the same for a
 *    thread that migrates, two monitored threads on one CPU, a
 *    ptrace-stopped child (ESRCH while it runs), a thread that exits, a
 *    system-wide context; three sets take turns in id order; nothing moves
 *    while the thread sleeps or once stopped; closing or unloading with
 *    the switch timer armed, many times;
 *  - overflow switching: set 0 leaves after N overflows of a task-clock
 *    period P (no notification, no format: the set counted N * P), and,
 *    counted with the default sampling format, exactly N then M by turns,
 *    the entries naming their set; two sets alternate that way; the next
 *    set is the next id up, wrapping to set 0; a switch asked for by an
 *    overflow that masks the context waits for pfm_restart() (pfm_start()
 *    may not change sets meanwhile: EBUSY), the message naming the set;
 *  - the statistics: runs counted at each activation only (not at a failed
 *    load, nor when deleting the active set), no duration with a single
 *    set, the remaining timeout of the active set, the effective timeout
 *    written back, a changed set keeping its registers;
 *  - reads of an inactive set return its saved values, writes to it are
 *    what it starts from; load_set and start_set pick the set;
 *  - the errors: unknown, duplicate and reserved ids and fields, combined
 *    flags, zero or stray timeouts, PFM_SETFL_EXCL_IDLE on a per-thread
 *    context, more than 256 sets (ENOSPC), changes while loaded or masked
 *    (EBUSY), set 0 deleted, reg_set unknown (PFM_REG_RETFL_NOSET),
 *    load_set and start_set unknown, vectors over 64 KiB (E2BIG), an
 *    array that cannot be copied back (EFAULT, the sets created);
 *  - system-wide PFM_SETFL_EXCL_IDLE: on an idle CPU, cpu-clock counts much
 *    less than without it.
 *
 * Time on the plain TCG guests (x86_64, arm64-sw) is noisy: a vCPU the
 * host preempts sees milliseconds go by at once. The bounds are loose and
 * the timing measurements get a few attempts (see ATTEMPTS); under -icount
 * (arm64 exact mode booted with perfmon.pmu=sw) they all hold tightly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "pfm_sets.h"
#include "pfm_smpl.h"

#define MSEC		PFM_NSEC_PER_MSEC
#define TASK_CLOCK	PFM_SW_EVT(PFM_SW_TASK_CLOCK)
#define CPU_CLOCK	PFM_SW_EVT(PFM_SW_CPU_CLOCK)
/* A system-wide cpu-clock counts whatever runs on the CPU. */
#define SYS_CPU_CLOCK	(CPU_CLOCK | PFM_SW_OS)
/* The period of a PMD that overflows after @p events (ns here). */
#define PERIOD(p)	((__u64)0 - (__u64)(p))
/* Most CPU time to burn waiting for something that should come. */
#define WAIT_CPU_NS	(3000 * MSEC)
#define ALL_SETFL	(PFM_SETFL_OVFL_SWITCH | PFM_SETFL_TIME_SWITCH | \
			 PFM_SETFL_EXCL_IDLE)
#define MAX_CPUS	64

FIXTURE(sets) {
	int	fd;
	int	cpu;
	int	cpus[2];	/* the first two online CPUs */
	int	ncpus;		/* how many of them, 1 or 2 */
	bool	ready;
};

FIXTURE_SETUP(sets)
{
	self->fd = -1;
	self->ready = pfm_test_require_swpmu(_metadata);
	if (!self->ready)
		return;
	/* one CPU: thread CPU time and the set clocks tick together */
	self->ncpus = pfm_test_online_cpus(self->cpus, 2);
	ASSERT_LE(1, self->ncpus);
	self->cpu = self->cpus[0];
	ASSERT_EQ(0, pfm_test_pin(self->cpu));
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd) {
		TH_LOG("pfm_create_context: %s", strerror(errno));
	}
}

FIXTURE_TEARDOWN(sets)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* PMC @num of set @set counts @pmc, its PMD starts at @value. */
static int program(int fd, __u16 set, unsigned int num, __u64 pmc,
		   __u64 value)
{
	if (pfm_sets_write_pmc(fd, set, num, pmc))
		return -1;
	return pfm_sets_write_pmd(fd, set, num, value);
}

/*
 * PMD @num of set @set overflows every @period ns of task-clock: value and
 * both resets 2^64 - @period, no notification (an overflow resets it with
 * the short reset value and it counts on), @nswitch overflows before an
 * overflow switch (0: none), @flags PFM_REGFL_*.
 */
static int program_period(int fd, __u16 set, unsigned int num, __u64 period,
			  __u64 nswitch, __u32 flags)
{
	struct pfarg_pmd pmd;

	if (pfm_sets_write_pmc(fd, set, num, TASK_CLOCK))
		return -1;
	memset(&pmd, 0, sizeof(pmd));
	pmd.reg_num = num;
	pmd.reg_set = set;
	pmd.reg_flags = flags;
	pmd.reg_value = PERIOD(period);
	pmd.reg_short_reset = PERIOD(period);
	pmd.reg_long_reset = PERIOD(period);
	pmd.reg_ovfl_switch_cnt = nswitch;
	return pfm_write_pmds(fd, &pmd, 1);
}

static int load_on(int fd, unsigned int tid, __u16 set)
{
	struct pfarg_load load;

	memset(&load, 0, sizeof(load));
	load.load_pid = tid;
	load.load_set = set;
	return pfm_load_context(fd, &load);
}

static int start_with(int fd, __u16 set)
{
	struct pfarg_start st;

	memset(&st, 0, sizeof(st));
	st.start_set = set;
	return pfm_start(fd, &st);
}

static __u64 info_runs(int fd, __u16 id)
{
	struct pfarg_setinfo info;

	if (pfm_sets_info(fd, id, &info))
		return (__u64)-1;
	return info.set_runs;
}

/*
 * Burn CPU in 1 ms slices until set @id has been activated @runs times,
 * at most WAIT_CPU_NS. Return true when it was.
 */
static bool burn_until_runs(int fd, __u16 id, __u64 runs)
{
	__u64 t0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);

	while (pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - t0 < WAIT_CPU_NS) {
		__u64 r = info_runs(fd, id);

		if (r != (__u64)-1 && r >= runs)
			return true;
		pfm_test_burn(MSEC);
	}
	return false;
}

static bool msg_pending(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/* |a - b| <= pct % of b + abs_ns */
static bool close_to(__u64 a, __u64 b, unsigned int pct, __u64 abs_ns)
{
	__u64 d = a > b ? a - b : b - a;

	return d <= b / 100 * pct + abs_ns;
}

/* The hrtimer resolution, which the effective timeouts are rounded to. */
static __u64 timer_res(void)
{
	struct timespec ts;

	if (clock_getres(CLOCK_MONOTONIC, &ts) || (!ts.tv_sec && !ts.tv_nsec))
		return 1;
	return ts.tv_sec * PFM_NSEC_PER_SEC + ts.tv_nsec;
}

static __u64 expected_timeout(__u64 req)
{
	__u64 res = timer_res();

	if (req < PFM_SET_MIN_TIMEOUT)
		req = PFM_SET_MIN_TIMEOUT;
	return (req + res - 1) / res * res;
}

/* --- what a new context has --------------------------------------------------------- */

TEST_F(sets, set0_implicit)
{
	struct pfarg_setinfo info;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_sets_info(self->fd, 0, &info));
	EXPECT_EQ(0, info.set_id);
	EXPECT_EQ(0, info.set_flags);
	EXPECT_EQ(0, info.set_runs);
	EXPECT_EQ(0, info.set_timeout);
	EXPECT_EQ(0, info.set_act_duration);
	EXPECT_EQ(0, info.set_ovfl_pmds[0]);
	/* the software PMU implements PMC0..3 and PMD0..3 */
	EXPECT_EQ(0xfULL, info.set_avail_pmcs[0]);
	EXPECT_EQ(0xfULL, info.set_avail_pmds[0]);
	EXPECT_EQ(0, info.set_avail_pmcs[1]);
	EXPECT_EQ(0, info.set_avail_pmds[1]);
	/* no other set */
	EXPECT_EQ(-1, pfm_sets_info(self->fd, 1, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pfm_sets_info(self->fd, 0xffff, &info));
	EXPECT_EQ(EINVAL, errno);
	/* an empty vector does nothing */
	EXPECT_EQ(0, pfm_getinfo_evtsets(self->fd, &info, 0));
	EXPECT_EQ(0, pfm_create_evtsets(self->fd, NULL, 0));
}

TEST_F(sets, create_getinfo_change)
{
	struct pfarg_setdesc d[3];
	struct pfarg_setinfo info[4];
	__u64 v;
	int i;

	if (!self->ready)
		return;
	pfm_sets_desc(&d[0], 5, PFM_SETFL_TIME_SWITCH, 10 * MSEC);
	pfm_sets_desc(&d[1], 1, PFM_SETFL_OVFL_SWITCH, 0);
	pfm_sets_desc(&d[2], 0xffff, 0, 0);
	ASSERT_EQ(0, pfm_create_evtsets(self->fd, d, 3));
	EXPECT_EQ(expected_timeout(10 * MSEC), d[0].set_timeout);
	EXPECT_EQ(0, d[1].set_timeout);
	EXPECT_EQ(0, d[2].set_timeout);

	/* one getinfo vector, any order */
	memset(info, 0, sizeof(info));
	info[0].set_id = 0xffff;
	info[1].set_id = 0;
	info[2].set_id = 5;
	info[3].set_id = 1;
	ASSERT_EQ(0, pfm_getinfo_evtsets(self->fd, info, 4));
	EXPECT_EQ(0, info[0].set_flags);
	EXPECT_EQ(0, info[1].set_flags);
	EXPECT_EQ(PFM_SETFL_TIME_SWITCH, info[2].set_flags);
	EXPECT_EQ(d[0].set_timeout, info[2].set_timeout);
	EXPECT_EQ(PFM_SETFL_OVFL_SWITCH, info[3].set_flags);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, info[i].set_runs);
		EXPECT_EQ(0, info[i].set_act_duration);
		EXPECT_EQ(0xfULL, info[i].set_avail_pmds[0]);
	}
	/* an unknown id stops the vector there: EINVAL */
	info[2].set_id = 4;
	EXPECT_EQ(-1, pfm_getinfo_evtsets(self->fd, info, 4));
	EXPECT_EQ(EINVAL, errno);
	/* and so does a reserved field */
	info[2].set_id = 5;
	info[1].set_reserved1 = 1;
	EXPECT_EQ(-1, pfm_getinfo_evtsets(self->fd, info, 4));
	EXPECT_EQ(EINVAL, errno);
	info[1].set_reserved1 = 0;
	info[1].set_reserved3[5] = 1;
	EXPECT_EQ(-1, pfm_getinfo_evtsets(self->fd, info, 4));
	EXPECT_EQ(EINVAL, errno);

	/* a changed set keeps its registers, takes the new flags */
	ASSERT_EQ(0, program(self->fd, 5, 2, TASK_CLOCK, 42));
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 5, PFM_SETFL_OVFL_SWITCH, 0, NULL));
	ASSERT_EQ(0, pfm_sets_info(self->fd, 5, &info[0]));
	EXPECT_EQ(PFM_SETFL_OVFL_SWITCH, info[0].set_flags);
	EXPECT_EQ(0, info[0].set_timeout);
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 5, 2, &v));
	EXPECT_EQ(42, v);
	/* set 0 changes like any other */
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 0, PFM_SETFL_TIME_SWITCH, MSEC, &v));
	EXPECT_EQ(expected_timeout(MSEC), v);
	ASSERT_EQ(0, pfm_sets_info(self->fd, 0, &info[0]));
	EXPECT_EQ(PFM_SETFL_TIME_SWITCH, info[0].set_flags);
	EXPECT_EQ(v, info[0].set_timeout);
}

/* set_timeout comes back as the effective timeout. */
TEST_F(sets, effective_timeout)
{
	static const __u64 req[] = {
		1, 1000, PFM_SET_MIN_TIMEOUT - 1, PFM_SET_MIN_TIMEOUT,
		PFM_SET_MIN_TIMEOUT + 1, 1000001, 2 * MSEC, PFM_NSEC_PER_SEC + 3,
	};
	struct pfarg_setinfo info;
	unsigned int i;
	__u64 eff = 0;

	if (!self->ready)
		return;
	TH_LOG("timer resolution %llu ns", timer_res());
	for (i = 0; i < ARRAY_SIZE(req); i++) {
		ASSERT_EQ(0, pfm_sets_create1(self->fd, 1, PFM_SETFL_TIME_SWITCH,
					      req[i], &eff));
		EXPECT_EQ(expected_timeout(req[i]), eff) {
			TH_LOG("timeout %llu ns: effective %llu", req[i], eff);
		}
		EXPECT_LE(PFM_SET_MIN_TIMEOUT, eff);
		EXPECT_LE(req[i], eff);
		ASSERT_EQ(0, pfm_sets_info(self->fd, 1, &info));
		EXPECT_EQ(eff, info.set_timeout);
	}
	/* the largest timeouts do not overflow */
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 2, PFM_SETFL_TIME_SWITCH,
				      ~0ULL, &eff));
	EXPECT_LE(PFM_SET_MIN_TIMEOUT, eff);
	EXPECT_GE((__u64)INT64_MAX, eff);
}

/* --- errors --------------------------------------------------------------------------- */

/* create_evtsets of one @flags/@timeout set: @err, and no set @id after. */
static void create_fails(struct __test_metadata *_metadata, int fd, __u16 id,
			 __u32 flags, __u64 timeout, int err)
{
	struct pfarg_setinfo info;

	EXPECT_EQ(-1, pfm_sets_create1(fd, id, flags, timeout, NULL)) {
		TH_LOG("set %u flags %#x timeout %llu accepted", id, flags,
		       timeout);
		return;
	}
	EXPECT_EQ(err, errno) {
		TH_LOG("set %u flags %#x timeout %llu: %s", id, flags, timeout,
		       strerror(errno));
	}
	if (id)
		EXPECT_EQ(-1, pfm_sets_info(fd, id, &info));
}

TEST_F(sets, create_errors)
{
	struct pfarg_setinfo info;
	struct pfarg_setdesc d[3];

	if (!self->ready)
		return;
	/* both ways of switching at once */
	create_fails(_metadata, self->fd, 1,
		     PFM_SETFL_TIME_SWITCH | PFM_SETFL_OVFL_SWITCH, MSEC, EINVAL);
	create_fails(_metadata, self->fd, 1,
		     PFM_SETFL_TIME_SWITCH | PFM_SETFL_OVFL_SWITCH, 0, EINVAL);
	/* a zero timeout, a timeout without time switching */
	create_fails(_metadata, self->fd, 1, PFM_SETFL_TIME_SWITCH, 0, EINVAL);
	create_fails(_metadata, self->fd, 1, 0, MSEC, EINVAL);
	create_fails(_metadata, self->fd, 1, PFM_SETFL_OVFL_SWITCH, MSEC, EINVAL);
	/* exclude-idle is for system-wide contexts */
	create_fails(_metadata, self->fd, 1, PFM_SETFL_EXCL_IDLE, 0, EINVAL);
	create_fails(_metadata, self->fd, 0, PFM_SETFL_EXCL_IDLE, 0, EINVAL);
	create_fails(_metadata, self->fd, 1,
		     PFM_SETFL_EXCL_IDLE | PFM_SETFL_TIME_SWITCH, MSEC, EINVAL);
	/* unknown flags */
	create_fails(_metadata, self->fd, 1, 0x04, 0, EINVAL);
	create_fails(_metadata, self->fd, 1, 0x10, 0, EINVAL);
	create_fails(_metadata, self->fd, 1, 0x10000, 0, EINVAL);
	create_fails(_metadata, self->fd, 1, 0x80000000, 0, EINVAL);
	/* reserved fields */
	pfm_sets_desc(&d[0], 1, 0, 0);
	d[0].set_reserved1 = 1;
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, d, 1));
	EXPECT_EQ(EINVAL, errno);
	pfm_sets_desc(&d[0], 1, 0, 0);
	d[0].reserved[5] = 1;
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, d, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pfm_sets_info(self->fd, 1, &info));

	/* an id named twice: nothing is created */
	pfm_sets_desc(&d[0], 7, 0, 0);
	pfm_sets_desc(&d[1], 8, 0, 0);
	pfm_sets_desc(&d[2], 7, PFM_SETFL_OVFL_SWITCH, 0);
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, d, 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pfm_sets_info(self->fd, 7, &info));
	EXPECT_EQ(-1, pfm_sets_info(self->fd, 8, &info));
	/* set 0 twice too */
	pfm_sets_desc(&d[0], 0, 0, 0);
	pfm_sets_desc(&d[1], 0, 0, 0);
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, d, 2));
	EXPECT_EQ(EINVAL, errno);
	/* the vector is checked in full before anything changes */
	pfm_sets_desc(&d[0], 9, 0, 0);
	pfm_sets_desc(&d[1], 10, PFM_SETFL_TIME_SWITCH, 0);
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, d, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pfm_sets_info(self->fd, 9, &info));
	/* and set 0 kept what it had */
	ASSERT_EQ(0, pfm_sets_info(self->fd, 0, &info));
	EXPECT_EQ(0, info.set_flags);
}

/* 256 sets at most, set 0 included. */
TEST_F(sets, too_many_sets)
{
	struct pfarg_setdesc *d;
	struct pfarg_setinfo info;
	int i;

	if (!self->ready)
		return;
	d = calloc(PFM_SETS_MAX, sizeof(*d));
	ASSERT_NE(NULL, d);
	for (i = 0; i < PFM_SETS_MAX - 1; i++)
		pfm_sets_desc(&d[i], 1000 + i, 0, 0);
	ASSERT_EQ(0, pfm_create_evtsets(self->fd, d, PFM_SETS_MAX - 1)) {
		TH_LOG("255 sets: %s", strerror(errno));
	}
	/* one more: ENOSPC, in a vector that also changes a set */
	pfm_sets_desc(&d[0], 1000, PFM_SETFL_OVFL_SWITCH, 0);
	pfm_sets_desc(&d[1], 7, 0, 0);
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, d, 2));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pfm_sets_info(self->fd, 7, &info));
	ASSERT_EQ(0, pfm_sets_info(self->fd, 1000, &info));
	EXPECT_EQ(0, info.set_flags);
	/* changing an existing set is fine */
	EXPECT_EQ(0, pfm_create_evtsets(self->fd, d, 1));
	/* room again after a delete */
	EXPECT_EQ(0, pfm_sets_delete1(self->fd, 1100));
	EXPECT_EQ(0, pfm_sets_create1(self->fd, 7, 0, 0, NULL));
	EXPECT_EQ(-1, pfm_sets_create1(self->fd, 8, 0, 0, NULL));
	EXPECT_EQ(ENOSPC, errno);
	free(d);
}

/*
 * The vector calls' own limits: 64 KiB of vector (1024 struct
 * pfarg_setdesc, 327 struct pfarg_setinfo); an array that cannot be
 * written back is EFAULT, the sets created all the same.
 */
TEST_F(sets, vector_limits)
{
	const size_t max = PFM_VEC_MAX_BYTES;
	size_t nd = max / sizeof(struct pfarg_setdesc);
	size_t ni = max / sizeof(struct pfarg_setinfo);
	struct pfarg_setinfo *info, one;
	struct pfarg_setdesc *d;
	long page = sysconf(_SC_PAGESIZE);
	size_t i;
	void *ro;

	if (!self->ready)
		return;
	d = calloc(nd + 1, sizeof(*d));
	info = calloc(ni + 1, sizeof(*info));
	ASSERT_NE(NULL, d);
	ASSERT_NE(NULL, info);
	for (i = 0; i <= nd; i++)
		pfm_sets_desc(&d[i], i + 1, 0, 0);
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, d, nd + 1));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, pfm_delete_evtsets(self->fd, d, nd + 1));
	EXPECT_EQ(E2BIG, errno);
	/* 1024 fit, and are refused for what they ask */
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, d, nd));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pfm_getinfo_evtsets(self->fd, info, ni + 1));
	EXPECT_EQ(E2BIG, errno);
	/* 327 of set 0 fit */
	EXPECT_EQ(0, pfm_getinfo_evtsets(self->fd, info, ni));
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, d, -1));
	EXPECT_EQ(EINVAL, errno);
	free(d);
	free(info);

	/* read-only: the copy back fails, the call took effect */
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	pfm_sets_desc(ro, 9, PFM_SETFL_TIME_SWITCH, MSEC);
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	EXPECT_EQ(-1, pfm_create_evtsets(self->fd, ro, 1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, pfm_sets_info(self->fd, 9, &one));
	EXPECT_EQ(PFM_SETFL_TIME_SWITCH, one.set_flags);
	/* delete copies nothing back */
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ | PROT_WRITE));
	pfm_sets_desc(ro, 9, 0, 0);
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	EXPECT_EQ(0, pfm_delete_evtsets(self->fd, ro, 1));
	munmap(ro, page);
}

TEST_F(sets, delete)
{
	struct pfarg_setinfo info;
	struct pfarg_setdesc d[2];
	struct pfarg_pmc pmc;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 1, 0, 0, NULL));
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 2, 0, 0, NULL));
	/* set 0 stays */
	EXPECT_EQ(-1, pfm_sets_delete1(self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	/* an unknown set */
	EXPECT_EQ(-1, pfm_sets_delete1(self->fd, 3));
	EXPECT_EQ(EINVAL, errno);
	/* only set_id may be non-zero */
	pfm_sets_desc(&d[0], 1, PFM_SETFL_OVFL_SWITCH, 0);
	EXPECT_EQ(-1, pfm_delete_evtsets(self->fd, d, 1));
	EXPECT_EQ(EINVAL, errno);
	pfm_sets_desc(&d[0], 1, 0, MSEC);
	EXPECT_EQ(-1, pfm_delete_evtsets(self->fd, d, 1));
	EXPECT_EQ(EINVAL, errno);
	pfm_sets_desc(&d[0], 1, 0, 0);
	d[0].reserved[0] = 1;
	EXPECT_EQ(-1, pfm_delete_evtsets(self->fd, d, 1));
	EXPECT_EQ(EINVAL, errno);
	/* twice the same, or a bad one after a good one: nothing goes */
	pfm_sets_desc(&d[0], 1, 0, 0);
	pfm_sets_desc(&d[1], 1, 0, 0);
	EXPECT_EQ(-1, pfm_delete_evtsets(self->fd, d, 2));
	EXPECT_EQ(EINVAL, errno);
	pfm_sets_desc(&d[1], 0, 0, 0);
	EXPECT_EQ(-1, pfm_delete_evtsets(self->fd, d, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, pfm_sets_info(self->fd, 1, &info));

	/* gone for good */
	pfm_sets_desc(&d[1], 2, 0, 0);
	ASSERT_EQ(0, pfm_delete_evtsets(self->fd, d, 2));
	EXPECT_EQ(-1, pfm_sets_info(self->fd, 1, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pfm_sets_info(self->fd, 2, &info));
	memset(&pmc, 0, sizeof(pmc));
	pmc.reg_set = 2;
	pmc.reg_value = TASK_CLOCK;
	EXPECT_EQ(-1, pfm_write_pmcs(self->fd, &pmc, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(pmc.reg_flags & PFM_REG_RETFL_NOSET);
	/* and can come back, fresh */
	EXPECT_EQ(0, pfm_sets_create1(self->fd, 2, 0, 0, NULL));
	EXPECT_EQ(0, pfm_sets_info(self->fd, 2, &info));
}

/* Sets change only while the context is unloaded. */
TEST_F(sets, busy_while_loaded)
{
	struct pfarg_setinfo info;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 1, 0, 0, NULL));
	ASSERT_EQ(0, program(self->fd, 0, 0, TASK_CLOCK, 0));
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 0));
	EXPECT_EQ(-1, pfm_sets_create1(self->fd, 2, 0, 0, NULL));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, pfm_sets_create1(self->fd, 1, PFM_SETFL_OVFL_SWITCH, 0,
				       NULL));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, pfm_sets_delete1(self->fd, 1));
	EXPECT_EQ(EBUSY, errno);
	/* started makes no difference */
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	EXPECT_EQ(-1, pfm_sets_create1(self->fd, 2, 0, 0, NULL));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, pfm_sets_delete1(self->fd, 1));
	EXPECT_EQ(EBUSY, errno);
	/* looking is fine */
	EXPECT_EQ(0, pfm_sets_info(self->fd, 1, &info));
	EXPECT_EQ(0, pfm_sets_info(self->fd, 0, &info));
	EXPECT_EQ(1, info.set_runs);
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	EXPECT_EQ(0, pfm_sets_create1(self->fd, 2, 0, 0, NULL));
	EXPECT_EQ(0, pfm_sets_delete1(self->fd, 1));
}

/* MASKED (an overflow notification pending) is as busy as LOADED. */
TEST_F(sets, busy_while_masked)
{
	__u64 t0;

	if (!self->ready)
		return;
	ASSERT_EQ(0, program_period(self->fd, 0, 0, MSEC, 0,
				    PFM_REGFL_OVFL_NOTIFY));
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 0));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	t0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	while (!msg_pending(self->fd) &&
	       pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - t0 < WAIT_CPU_NS)
		pfm_test_burn(MSEC);
	ASSERT_TRUE(msg_pending(self->fd));
	EXPECT_EQ(-1, pfm_sets_create1(self->fd, 1, 0, 0, NULL));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, pfm_sets_create1(self->fd, 0, PFM_SETFL_OVFL_SWITCH, 0,
				       NULL));
	EXPECT_EQ(EBUSY, errno);
}

/* reg_set names a set that does not exist: EINVAL + PFM_REG_RETFL_NOSET. */
TEST_F(sets, reg_set_unknown)
{
	struct pfarg_pmc pmc[2];
	struct pfarg_pmd pmd[2];

	if (!self->ready)
		return;
	memset(pmc, 0, sizeof(pmc));
	pmc[0].reg_value = TASK_CLOCK;
	pmc[1].reg_num = 1;
	pmc[1].reg_set = 3;
	pmc[1].reg_value = TASK_CLOCK;
	EXPECT_EQ(-1, pfm_write_pmcs(self->fd, pmc, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, pmc[0].reg_flags);
	EXPECT_EQ(PFM_REG_RETFL_NOSET, pmc[1].reg_flags & PFM_REG_RETFL_MASK);

	memset(pmd, 0, sizeof(pmd));
	pmd[0].reg_value = 5;
	pmd[1].reg_num = 1;
	pmd[1].reg_set = 3;
	EXPECT_EQ(-1, pfm_write_pmds(self->fd, pmd, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, pmd[0].reg_flags);
	EXPECT_EQ(PFM_REG_RETFL_NOSET, pmd[1].reg_flags & PFM_REG_RETFL_MASK);

	memset(pmd, 0, sizeof(pmd));
	pmd[0].reg_set = 0xffff;
	EXPECT_EQ(-1, pfm_read_pmds(self->fd, pmd, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(PFM_REG_RETFL_NOSET, pmd[0].reg_flags & PFM_REG_RETFL_MASK);

	/* the set exists: the same vectors go through */
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 3, 0, 0, NULL));
	pmc[1].reg_flags = 0;
	EXPECT_EQ(0, pfm_write_pmcs(self->fd, pmc, 2));
	memset(pmd, 0, sizeof(pmd));
	pmd[0].reg_value = 5;
	pmd[1].reg_num = 1;
	pmd[1].reg_set = 3;
	pmd[1].reg_value = 6;
	EXPECT_EQ(0, pfm_write_pmds(self->fd, pmd, 2));
	memset(pmd, 0, sizeof(pmd));
	pmd[1].reg_num = 1;
	pmd[1].reg_set = 3;
	ASSERT_EQ(0, pfm_read_pmds(self->fd, pmd, 2));
	EXPECT_EQ(5, pmd[0].reg_value);
	EXPECT_EQ(6, pmd[1].reg_value);
	/* each set has its own registers */
	EXPECT_EQ(0, pfm_sets_read_pmd(self->fd, 3, 0, &pmd[0].reg_value));
	EXPECT_EQ(0, pmd[0].reg_value);
	EXPECT_EQ(0, pfm_sets_read_pmd(self->fd, 0, 1, &pmd[0].reg_value));
	EXPECT_EQ(0, pmd[0].reg_value);
}

TEST_F(sets, load_start_set_unknown)
{
	struct pfarg_setinfo info;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 4, 0, 0, NULL));
	ASSERT_EQ(0, program(self->fd, 0, 0, TASK_CLOCK, 0));
	EXPECT_EQ(-1, load_on(self->fd, pfm_test_gettid(), 5));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, load_on(self->fd, pfm_test_gettid(), 0xffff));
	EXPECT_EQ(EINVAL, errno);
	/* still unloaded: sets may change */
	EXPECT_EQ(0, pfm_sets_create1(self->fd, 6, 0, 0, NULL));
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 4));
	EXPECT_EQ(-1, start_with(self->fd, 5));
	EXPECT_EQ(EINVAL, errno);
	/* not started by the refusal */
	ASSERT_EQ(0, pfm_sets_info(self->fd, 4, &info));
	EXPECT_EQ(1, info.set_runs);
	EXPECT_EQ(0, start_with(self->fd, 6));
	EXPECT_EQ(1, info_runs(self->fd, 6));
	EXPECT_EQ(0, info_runs(self->fd, 0));
	ASSERT_EQ(0, pfm_stop(self->fd));
}

/* --- the statistics ---------------------------------------------------------------- */

static int reaped_child(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return -1;
	return pid;
}

/*
 * set_runs counts activations: loads and switches. A load that fails
 * activates nothing; deleting the set a context was last loaded with is
 * not an activation of set 0 either.
 */
TEST_F(sets, runs_count_activations)
{
	int pid;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 1, 0, 0, NULL));
	ASSERT_EQ(0, program(self->fd, 0, 0, TASK_CLOCK, 0));
	pid = reaped_child();
	ASSERT_LT(0, pid);
	EXPECT_EQ(-1, load_on(self->fd, pid, 1));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(0, info_runs(self->fd, 1)) {
		TH_LOG("a failed pfm_load_context() counted as an activation");
	}
	EXPECT_EQ(0, info_runs(self->fd, 0));

	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 1));
	EXPECT_EQ(1, info_runs(self->fd, 1));
	EXPECT_EQ(0, info_runs(self->fd, 0));
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	ASSERT_EQ(0, pfm_sets_delete1(self->fd, 1));
	EXPECT_EQ(0, info_runs(self->fd, 0)) {
		TH_LOG("deleting the active set counted as an activation of set 0");
	}
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 0));
	EXPECT_EQ(1, info_runs(self->fd, 0));
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 0));
	EXPECT_EQ(2, info_runs(self->fd, 0));
}

/* With one set nothing switches and no duration is kept. */
TEST_F(sets, single_set)
{
	struct pfarg_setinfo info;
	__u64 eff = 0, v = 0;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 0, PFM_SETFL_TIME_SWITCH,
				      MSEC, &eff));
	ASSERT_EQ(0, program(self->fd, 0, 0, TASK_CLOCK, 0));
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 0));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(20 * MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_sets_info(self->fd, 0, &info));
	EXPECT_EQ(1, info.set_runs);
	EXPECT_EQ(0, info.set_act_duration);
	EXPECT_EQ(eff, info.set_timeout);
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 0, 0, &v));
	EXPECT_LE(19 * MSEC, v);
}

/* The active set reports what is left of its timeout. */
TEST_F(sets, remaining_timeout)
{
	struct pfarg_setinfo info[2];
	__u64 eff = 0;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 0, PFM_SETFL_TIME_SWITCH,
				      500 * MSEC, &eff));
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 1, PFM_SETFL_TIME_SWITCH,
				      500 * MSEC, NULL));
	ASSERT_EQ(0, program(self->fd, 0, 0, TASK_CLOCK, 0));
	ASSERT_EQ(0, program(self->fd, 1, 0, TASK_CLOCK, 0));
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 0));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(20 * MSEC);
	/* while it counts */
	memset(info, 0, sizeof(info));
	info[1].set_id = 1;
	ASSERT_EQ(0, pfm_getinfo_evtsets(self->fd, info, 2));
	EXPECT_EQ(1, info[0].set_runs);
	EXPECT_LT(0, info[0].set_timeout);
	EXPECT_GE(eff - 19 * MSEC, info[0].set_timeout);
	EXPECT_LE(19 * MSEC, info[0].set_act_duration);
	EXPECT_EQ(eff, info[1].set_timeout);
	EXPECT_EQ(0, info[1].set_runs);
	ASSERT_EQ(0, pfm_stop(self->fd));
	/* stopped: it stays */
	ASSERT_EQ(0, pfm_getinfo_evtsets(self->fd, info, 2));
	EXPECT_LT(0, info[0].set_timeout);
	EXPECT_GE(eff - 19 * MSEC, info[0].set_timeout);
	pfm_test_burn(10 * MSEC);
	memcpy(&info[1], &info[0], sizeof(info[0]));
	ASSERT_EQ(0, pfm_getinfo_evtsets(self->fd, info, 1));
	EXPECT_EQ(info[1].set_timeout, info[0].set_timeout);
	EXPECT_EQ(info[1].set_act_duration, info[0].set_act_duration);
}

/* --- inactive sets ------------------------------------------------------------------- */

TEST_F(sets, inactive_set_saved)
{
	__u64 v0, v1, again;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 1, 0, 0, NULL));
	ASSERT_EQ(0, program(self->fd, 0, 0, TASK_CLOCK, 777));
	ASSERT_EQ(0, program(self->fd, 1, 0, TASK_CLOCK, 12345));
	/* set 1 first */
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 1));
	EXPECT_EQ(1, info_runs(self->fd, 1));
	EXPECT_EQ(0, info_runs(self->fd, 0));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(20 * MSEC);
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 0, 0, &v0));
	EXPECT_EQ(777, v0);
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 1, 0, &v1));
	EXPECT_LE(12345 + 19 * MSEC, v1);

	/* pfm_start() while started switches to start_set */
	ASSERT_EQ(0, start_with(self->fd, 0));
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 1, 0, &v1));
	EXPECT_EQ(1, info_runs(self->fd, 0));
	pfm_test_burn(20 * MSEC);
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 1, 0, &again));
	EXPECT_EQ(v1, again) {
		TH_LOG("inactive set 1 moved from %llu to %llu", v1, again);
	}
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 0, 0, &v0));
	EXPECT_LE(777 + 19 * MSEC, v0);

	/* a write to the inactive set is what it resumes from */
	ASSERT_EQ(0, pfm_sets_write_pmd(self->fd, 1, 0, 5000));
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 1, 0, &again));
	EXPECT_EQ(5000, again);
	ASSERT_EQ(0, start_with(self->fd, 1));
	EXPECT_EQ(2, info_runs(self->fd, 1));
	pfm_test_burn(10 * MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 1, 0, &v1));
	EXPECT_LE(5000 + 9 * MSEC, v1);
	EXPECT_GT(5000 + PFM_NSEC_PER_SEC, v1);
	/* set 0 kept its count: what it had, plus the calls up to the switch */
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 0, 0, &again));
	EXPECT_LE(v0, again);
	EXPECT_GT(v0 + 50 * MSEC, again);
	/* stopped: nothing moves */
	pfm_test_burn(5 * MSEC);
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 1, 0, &again));
	EXPECT_EQ(v1, again);
}

/* --- time switching -------------------------------------------------------------------- */

/*
 * Timing on the plain TCG guests: a vCPU that the host preempts loses
 * milliseconds at once, charged to whatever ran, and timers fire that much
 * late. So the measurements that depend on timers being on time are made
 * up to ATTEMPTS times, until one is free of such a gap; the invariants
 * that do not depend on it are checked every time. Under -icount (one
 * vCPU, time = instructions) the first attempt is always the good one.
 */
#define ATTEMPTS	3

/*
 * Set up @fd with @nsets sets switching every @timeout ns of counting, each
 * with PMD0 = task-clock and PMD1 = cpu-clock (@sys: kernel level too) from
 * 0, and load it on @tid (a CPU for a system-wide context). cpu-clock
 * counts on the clock set_act_duration is kept with; task-clock is the
 * scheduler's view of the thread's time, which also charges it for some of
 * the way in and out of the CPU (a migration costs it milliseconds on a
 * debug kernel).
 */
static int turns_setup(int fd, unsigned int nsets, __u64 timeout,
		       unsigned int tid, bool sys)
{
	__u64 os = sys ? PFM_SW_OS : 0;
	unsigned int s;

	for (s = 0; s < nsets; s++)
		if (pfm_sets_create1(fd, s, PFM_SETFL_TIME_SWITCH, timeout, NULL) ||
		    program(fd, s, 0, TASK_CLOCK | os, 0) ||
		    program(fd, s, 1, CPU_CLOCK | os, 0))
			return -1;
	return load_on(fd, tid, 0);
}

/* A new per-thread context in place of *@fd. */
static int renew(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = pfm_test_create(0);
	return *fd < 0 ? -1 : 0;
}

/**
 * struct sets_report - what a context saw of its two sets
 * @cpu: CPU time (or, system-wide, elapsed time) while started, ns; 0 when
 *	unknown
 * @runs: set_runs of sets 0 and 1
 * @dur: set_act_duration of sets 0 and 1
 * @tclock: PMD0 (task-clock) of sets 0 and 1
 * @count: PMD1 (cpu-clock) of sets 0 and 1
 * @err: errno of the first failure, 0 if none
 */
struct sets_report {
	__u64	cpu;
	__u64	runs[2];
	__u64	dur[2];
	__u64	tclock[2];
	__u64	count[2];
	int	err;
};

static int report_sets(int fd, struct sets_report *r)
{
	struct pfarg_setinfo info[2];
	int s;

	memset(info, 0, sizeof(info));
	info[1].set_id = 1;
	if (pfm_getinfo_evtsets(fd, info, 2))
		return -1;
	for (s = 0; s < 2; s++) {
		r->runs[s] = info[s].set_runs;
		r->dur[s] = info[s].set_act_duration;
		if (pfm_sets_read_pmd(fd, s, 0, &r->tclock[s]) ||
		    pfm_sets_read_pmd(fd, s, 1, &r->count[s]))
			return -1;
	}
	return 0;
}

/* The set active at the end of turns that started with set 0. */
static int last_turn(const struct sets_report *r)
{
	return (r->runs[0] + r->runs[1]) % 2 ? 0 : 1;
}

/*
 * The part of check_turns() a preempted vCPU can spoil: as many turns as
 * the timeout gives (a third at least), about half the time each, each
 * set's cpu-clock its duration, and the durations the CPU time.
 */
static bool turns_timely(const struct sets_report *r, __u64 timeout)
{
	__u64 sum = r->dur[0] + r->dur[1], expect = sum / timeout / 2;
	int s;

	if (r->err || r->runs[1] < 2 || r->runs[1] < expect / 3)
		return false;
	for (s = 0; s < 2; s++) {
		if (r->dur[s] < sum / 4 || r->dur[s] > sum / 4 * 3 ||
		    !close_to(r->count[s], r->dur[s], 5, MSEC))
			return false;
	}
	return !r->cpu || close_to(sum, r->cpu, 10, MSEC);
}

/*
 * Two sets that took turns from set 0, every @timeout ns of counting: they
 * alternate, no turn but the last was shorter than the timeout, and
 * turns_timely().
 */
static void check_turns(struct __test_metadata *_metadata, const char *who,
			const struct sets_report *r, __u64 timeout)
{
	__u64 sum = r->dur[0] + r->dur[1];
	int s;

	TH_LOG("%s: CPU %llu ns, runs %llu + %llu (about %llu each), durations %llu + %llu",
	       who, r->cpu, r->runs[0], r->runs[1], sum / timeout / 2, r->dur[0],
	       r->dur[1]);
	TH_LOG("%s: cpu-clock %llu + %llu, task-clock %llu + %llu", who,
	       r->count[0], r->count[1], r->tclock[0], r->tclock[1]);
	EXPECT_EQ(0, r->err);
	/* round robin from set 0: 0, 1, 0, 1, ... */
	EXPECT_LE(r->runs[1], r->runs[0]);
	EXPECT_GE(r->runs[1] + 1, r->runs[0]);
	/* never faster than the timeout */
	EXPECT_GE(sum / timeout + 2, r->runs[0] + r->runs[1] - 1);
	for (s = 0; s < 2; s++)
		EXPECT_LE((r->runs[s] - (last_turn(r) == s)) *
			  (timeout - timeout / 100), r->dur[s]);
	EXPECT_TRUE(turns_timely(r, timeout));
	if (turns_timely(r, timeout))
		return;
	EXPECT_LE(2, r->runs[1]);
	EXPECT_LE(sum / timeout / 2 / 3, r->runs[1]);
	for (s = 0; s < 2; s++) {
		EXPECT_LE(sum / 4, r->dur[s]);
		EXPECT_GE(sum / 4 * 3, r->dur[s]);
		EXPECT_TRUE(close_to(r->count[s], r->dur[s], 5, MSEC)) {
			TH_LOG("%s set %d: cpu-clock %llu, duration %llu", who, s,
			       r->count[s], r->dur[s]);
		}
	}
	if (r->cpu)
		EXPECT_TRUE(close_to(sum, r->cpu, 10, MSEC));
}

/* One self-monitoring run: 2 sets, @timeout, @busy ns of CPU burnt. */
static int self_turns(int fd, __u64 timeout, __u64 busy, struct sets_report *r)
{
	__u64 t0;

	memset(r, 0, sizeof(*r));
	if (turns_setup(fd, 2, timeout, pfm_test_gettid(), false))
		return -1;
	t0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	if (pfm_start(fd, NULL))
		return -1;
	pfm_test_burn(busy);
	if (pfm_stop(fd))
		return -1;
	r->cpu = pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - t0;
	return report_sets(fd, r);
}

/*
 * Two sets, 2 ms timeout, 200 ms of CPU: about 50 turns each, half the
 * time each, the durations are the thread's CPU time while started, and a
 * set's clock counts exactly while it is active.
 */
TEST_F(sets, time_switch_alternates)
{
	const __u64 timeout = 2 * MSEC, busy = 200 * MSEC;
	struct pfarg_setinfo info;
	struct sets_report r;
	int i;

	if (!self->ready)
		return;
	for (i = 0; i < ATTEMPTS; i++) {
		ASSERT_EQ(0, renew(&self->fd));
		ASSERT_EQ(0, self_turns(self->fd, timeout, busy, &r)) {
			TH_LOG("run: %s", strerror(errno));
		}
		if (turns_timely(&r, timeout))
			break;
		TH_LOG("attempt %d: runs %llu + %llu, durations %llu + %llu, CPU %llu: again",
		       i + 1, r.runs[0], r.runs[1], r.dur[0], r.dur[1], r.cpu);
	}
	check_turns(_metadata, "2 sets", &r, timeout);
	EXPECT_LE(busy, r.cpu);
	/* the effective timeout is the one asked for: 2 ms is a multiple */
	ASSERT_EQ(0, pfm_sets_info(self->fd, 1 - last_turn(&r), &info));
	EXPECT_EQ(expected_timeout(timeout), info.set_timeout);
}

/* Three sets, created out of order, take turns by increasing id. */
TEST_F(sets, time_switch_id_order)
{
	static const __u16 ids[] = { 7, 2, 0 };	/* turns: 0, 2, 7 */
	struct pfarg_setdesc d[3];
	struct pfarg_setinfo info[3];
	unsigned int i;

	if (!self->ready)
		return;
	for (i = 0; i < 3; i++)
		pfm_sets_desc(&d[i], ids[i], PFM_SETFL_TIME_SWITCH, MSEC);
	ASSERT_EQ(0, pfm_create_evtsets(self->fd, d, 3));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, program(self->fd, ids[i], 0, TASK_CLOCK, 0));
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 0));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(100 * MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	memset(info, 0, sizeof(info));
	info[0].set_id = 0;
	info[1].set_id = 2;
	info[2].set_id = 7;
	ASSERT_EQ(0, pfm_getinfo_evtsets(self->fd, info, 3));
	TH_LOG("runs: set 0 %llu, set 2 %llu, set 7 %llu", info[0].set_runs,
	       info[1].set_runs, info[2].set_runs);
	/* 0, 2, 7, 0, 2, 7, ...: runs(0) >= runs(2) >= runs(7) >= runs(0) - 1 */
	EXPECT_LE(info[1].set_runs, info[0].set_runs);
	EXPECT_LE(info[2].set_runs, info[1].set_runs);
	EXPECT_GE(info[2].set_runs + 1, info[0].set_runs);
	EXPECT_LE(2, info[2].set_runs);
}

/*
 * Time only runs while the thread runs: the sets' durations are the
 * thread's CPU time (the way in and out of each sleep included, which is
 * a few milliseconds on a slow guest), not the time it slept; and nothing
 * counts or switches once stopped.
 */
TEST_F(sets, time_switch_only_while_running)
{
	const __u64 timeout = 5 * MSEC, nap = 20 * MSEC;
	__u64 c0, w0, cpu, wall, sum;
	struct sets_report r, again;
	int i;

	if (!self->ready)
		return;
	ASSERT_EQ(0, turns_setup(self->fd, 2, timeout, pfm_test_gettid(), false));
	c0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	w0 = pfm_test_now(CLOCK_MONOTONIC);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	for (i = 0; i < 10; i++)
		pfm_test_sleep_ns(nap);
	ASSERT_EQ(0, pfm_stop(self->fd));
	cpu = pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - c0;
	wall = pfm_test_now(CLOCK_MONOTONIC) - w0;
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, report_sets(self->fd, &r));
	sum = r.dur[0] + r.dur[1];
	TH_LOG("asleep %llu of %llu ns, CPU %llu ns: runs %llu + %llu, durations %llu + %llu",
	       10 * nap, wall, cpu, r.runs[0], r.runs[1], r.dur[0], r.dur[1]);
	EXPECT_GE(cpu + cpu / 20 + MSEC, sum);
	EXPECT_LE(10 * nap * 9 / 10, wall - sum);
	EXPECT_GE(sum / timeout + 2, r.runs[0] + r.runs[1] - 1);
	EXPECT_LE(r.runs[1], r.runs[0]);
	EXPECT_GE(r.runs[1] + 1, r.runs[0]);
	/* stopped: nothing moves */
	pfm_test_burn(3 * timeout);
	ASSERT_EQ(0, report_sets(self->fd, &again));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(r.runs[i], again.runs[i]);
		EXPECT_EQ(r.dur[i], again.dur[i]);
		EXPECT_EQ(r.count[i], again.count[i]);
		EXPECT_EQ(r.tclock[i], again.tclock[i]);
	}
}

/*
 * The switch timer follows a thread that moves between CPUs. The thread's
 * CPU time is not compared: the scheduler charges it for its migrations.
 */
TEST_F(sets, time_switch_across_migrations)
{
	const __u64 timeout = MSEC;
	struct sets_report r;
	int i, j;

	if (!self->ready)
		return;
	if (self->ncpus < 2)
		SKIP(return, "one CPU: no migration");
	for (i = 0; i < ATTEMPTS; i++) {
		ASSERT_EQ(0, renew(&self->fd));
		ASSERT_EQ(0, turns_setup(self->fd, 2, timeout, pfm_test_gettid(),
					 false));
		ASSERT_EQ(0, pfm_start(self->fd, NULL));
		for (j = 0; j < 40; j++) {
			ASSERT_EQ(0, pfm_test_pin(self->cpus[j % 2]));
			pfm_test_burn(3 * MSEC + j * 100000);
		}
		ASSERT_EQ(0, pfm_stop(self->fd));
		memset(&r, 0, sizeof(r));
		ASSERT_EQ(0, report_sets(self->fd, &r));
		if (turns_timely(&r, timeout))
			break;
		TH_LOG("attempt %d: runs %llu + %llu, durations %llu + %llu: again",
		       i + 1, r.runs[0], r.runs[1], r.dur[0], r.dur[1]);
	}
	check_turns(_metadata, "migrating", &r, timeout);
}

/* Two monitored threads on one CPU: each context keeps its own turns. */
struct turn_thread {
	int			cpu;
	struct sets_report	r;
};

static void *turn_thread_fn(void *arg)
{
	struct turn_thread *t = arg;
	int fd;

	t->r.err = 0;
	fd = pfm_test_create(0);
	if (fd < 0 || pfm_test_pin(t->cpu) ||
	    self_turns(fd, MSEC, 100 * MSEC, &t->r))
		t->r.err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	return NULL;
}

TEST_F(sets, time_switch_two_threads_one_cpu)
{
	struct turn_thread t[2];
	pthread_t thr[2];
	int i, k;

	if (!self->ready)
		return;
	for (i = 0; i < ATTEMPTS; i++) {
		memset(t, 0, sizeof(t));
		for (k = 0; k < 2; k++) {
			t[k].cpu = self->cpu;
			ASSERT_EQ(0, pthread_create(&thr[k], NULL, turn_thread_fn,
						    &t[k]));
		}
		for (k = 0; k < 2; k++)
			pthread_join(thr[k], NULL);
		if (turns_timely(&t[0].r, MSEC) && turns_timely(&t[1].r, MSEC))
			break;
		TH_LOG("attempt %d: runs %llu + %llu and %llu + %llu: again", i + 1,
		       t[0].r.runs[0], t[0].r.runs[1], t[1].r.runs[0],
		       t[1].r.runs[1]);
	}
	check_turns(_metadata, "thread A", &t[0].r, MSEC);
	check_turns(_metadata, "thread B", &t[1].r, MSEC);
}

/* Another thread's context, ptrace-stopped when looked at. */
static int child_burn_stop(struct pfm_child *c, void *arg)
{
	struct sets_report r;
	__u64 t0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);

	memset(&r, 0, sizeof(r));
	pfm_test_burn(100 * MSEC);
	r.cpu = pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - t0;
	if (pfm_child_send(c, &r, sizeof(r)))
		return 1;
	raise(SIGSTOP);
	return 0;
}

TEST_F(sets, time_switch_other_thread)
{
	struct sets_report r, sent;
	struct pfm_child c;
	int i;

	if (!self->ready)
		return;
	for (i = 0; i < ATTEMPTS; i++) {
		ASSERT_EQ(0, renew(&self->fd));
		ASSERT_EQ(0, pfm_child_fork(&c, child_burn_stop, NULL));
		ASSERT_EQ(0, turns_setup(self->fd, 2, MSEC, c.pid, false));
		ASSERT_EQ(0, pfm_start(self->fd, NULL));
		ASSERT_EQ(0, pfm_child_cont(&c));
		/* running, not stopped by us: no statistics */
		EXPECT_EQ(-1, report_sets(self->fd, &r));
		EXPECT_EQ(ESRCH, errno);
		ASSERT_EQ(0, pfm_child_recv(&c, &sent, sizeof(sent)));
		ASSERT_EQ(0, pfm_child_wait_stop(&c));
		memset(&r, 0, sizeof(r));
		ASSERT_EQ(0, report_sets(self->fd, &r));
		/* the child's clock covers its burn only, the sets a little more */
		r.cpu = sent.cpu;
		/* stopped first: the way out of a killed child counts too */
		ASSERT_EQ(0, pfm_stop(self->fd));
		pfm_child_kill(&c);
		if (turns_timely(&r, MSEC))
			break;
		TH_LOG("attempt %d: runs %llu + %llu, durations %llu + %llu: again",
		       i + 1, r.runs[0], r.runs[1], r.dur[0], r.dur[1]);
	}
	check_turns(_metadata, "ptrace child", &r, MSEC);
	/* the context is unloaded with the counts kept */
	memset(&sent, 0, sizeof(sent));
	ASSERT_EQ(0, report_sets(self->fd, &sent));
	EXPECT_EQ(r.runs[0], sent.runs[0]);
	EXPECT_EQ(r.runs[1], sent.runs[1]);
	EXPECT_EQ(r.count[0], sent.count[0]);
}

/* A thread that exits while its sets take turns. */
static void *exit_while_switching(void *arg)
{
	int fd = *(int *)arg;

	if (load_on(fd, pfm_test_gettid(), 0) || pfm_start(fd, NULL))
		*(int *)arg = -1;
	else
		pfm_test_burn(30 * MSEC);
	return NULL;
}

TEST_F(sets, time_switch_thread_exit)
{
	struct sets_report r;
	pthread_t thr;
	int arg, s;

	if (!self->ready)
		return;
	for (s = 0; s < 2; s++) {
		ASSERT_EQ(0, pfm_sets_create1(self->fd, s, PFM_SETFL_TIME_SWITCH,
					      PFM_SET_MIN_TIMEOUT, NULL));
		ASSERT_EQ(0, program(self->fd, s, 0, TASK_CLOCK, 0));
		ASSERT_EQ(0, program(self->fd, s, 1, CPU_CLOCK, 0));
	}
	arg = self->fd;
	ASSERT_EQ(0, pthread_create(&thr, NULL, exit_while_switching, &arg));
	pthread_join(thr, NULL);
	ASSERT_EQ(self->fd, arg);
	ASSERT_EQ(0, report_sets(self->fd, &r));
	TH_LOG("runs %llu + %llu, durations %llu + %llu, cpu-clock %llu + %llu",
	       r.runs[0], r.runs[1], r.dur[0], r.dur[1], r.count[0], r.count[1]);
	EXPECT_LE(10, r.runs[1]);
	EXPECT_GE(r.runs[1] + 1, r.runs[0]);
	EXPECT_LE(r.runs[1], r.runs[0]);
	/* a vCPU preempted in the middle of a switch makes these differ */
	for (s = 0; s < 2; s++)
		EXPECT_TRUE(close_to(r.count[s], r.dur[s], 10, 5 * MSEC));
	/* unloaded by the exit: sets may change again */
	EXPECT_EQ(0, pfm_sets_create1(self->fd, 1, 0, 0, NULL));
}

/*
 * A sampling period as long as a turn, or a little longer: the PMD wraps
 * right at the end of a turn, as the switch timer fires, before or after
 * its own overflow is seen. Either way the overflow must be handled
 * (short reset, counted) before the set leaves: a set whose wrap was saved
 * as a plain count sits near 0 and never overflows again. The set that is
 * not active at the end was last saved by a switch: its PMD0 must be
 * within a period of 2^64.
 */
TEST_F(sets, time_switch_keeps_overflows)
{
	/* a turn's end and the wrap are the closer the faster the guest */
	static const __u64 extra[] = { 0, 1000, 3000, 10000, 30000, 100000, 300000 };
	const __u64 timeout = MSEC;
	struct pfarg_setinfo info[2];
	struct pfarg_pmd pmd;
	unsigned int i;
	__u64 period;
	int s, idle;

	if (!self->ready)
		return;
	for (i = 0; i < ARRAY_SIZE(extra); i++) {
		period = timeout + extra[i];
		ASSERT_EQ(0, renew(&self->fd));
		for (s = 0; s < 2; s++) {
			ASSERT_EQ(0, pfm_sets_create1(self->fd, s,
						      PFM_SETFL_TIME_SWITCH,
						      timeout, NULL));
			ASSERT_EQ(0, program_period(self->fd, s, 0, period, 0, 0));
		}
		ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 0));
		ASSERT_EQ(0, pfm_start(self->fd, NULL));
		pfm_test_burn(100 * MSEC);
		ASSERT_EQ(0, pfm_stop(self->fd));
		memset(info, 0, sizeof(info));
		info[1].set_id = 1;
		ASSERT_EQ(0, pfm_getinfo_evtsets(self->fd, info, 2));
		idle = (info[0].set_runs + info[1].set_runs) % 2;
		ASSERT_EQ(0, pfm_sets_read(self->fd, idle, 0, &pmd));
		TH_LOG("period %llu ns: set %d (runs %llu + %llu) PMD0 %#llx",
		       period, idle, info[0].set_runs, info[1].set_runs,
		       pmd.reg_value);
		EXPECT_LE(PERIOD(period), pmd.reg_value) {
			TH_LOG("period %llu ns: set %d lost an overflow at a switch: PMD0 %llu",
			       period, idle, pmd.reg_value);
		}
		EXPECT_EQ(1ULL, info[idle].set_ovfl_pmds[0]);
		EXPECT_LE(10, info[idle].set_runs);
	}
}

/*
 * Close or unload a context whose switch timer is armed, many times: the
 * timer must not outlive it (KASAN and lockdep are watching).
 */
TEST_F(sets, time_switch_close_and_unload)
{
	int i, fd, s;

	if (!self->ready)
		return;
	for (i = 0; i < 40; i++) {
		fd = pfm_test_create(0);
		ASSERT_LE(0, fd);
		for (s = 0; s < 3; s++) {
			ASSERT_EQ(0, pfm_sets_create1(fd, s, PFM_SETFL_TIME_SWITCH,
						      PFM_SET_MIN_TIMEOUT + s * 1000,
						      NULL));
			ASSERT_EQ(0, program(fd, s, s, TASK_CLOCK, 0));
		}
		ASSERT_EQ(0, load_on(fd, pfm_test_gettid(), i % 3));
		ASSERT_EQ(0, pfm_start(fd, NULL));
		pfm_test_burn(MSEC + i * 37000);
		if (i % 2)
			ASSERT_EQ(0, pfm_unload_context(fd));
		close(fd);
		pfm_test_burn(300000);
	}
}

/* --- overflow switching ------------------------------------------------------------- */

/**
 * struct ovfl_run - what ovfl_switch_exact measures
 * @info: set_* of sets 0 and 1
 * @pmd0: set 0's PMD0, the one that overflows
 * @total0: set 0's PMD1: its task-clock
 * @clock0: set 0's PMD2: its cpu-clock
 * @count1: set 1's PMD0: its cpu-clock
 */
struct ovfl_run {
	struct pfarg_setinfo	info[2];
	struct pfarg_pmd	pmd0;
	__u64			total0;
	__u64			clock0;
	__u64			count1;
};

static int ovfl_exact_run(int fd, __u64 period, __u64 n, struct ovfl_run *o)
{
	memset(o, 0, sizeof(*o));
	if (pfm_sets_create1(fd, 0, PFM_SETFL_OVFL_SWITCH, 0, NULL) ||
	    pfm_sets_create1(fd, 1, 0, 0, NULL) ||
	    program_period(fd, 0, 0, period, n, 0) ||
	    program(fd, 0, 1, TASK_CLOCK, 0) || program(fd, 0, 2, CPU_CLOCK, 0) ||
	    program(fd, 1, 0, CPU_CLOCK, 0) || load_on(fd, pfm_test_gettid(), 0))
		return -1;
	/* before any overflow: all N to go */
	if (pfm_sets_read(fd, 0, 0, &o->pmd0))
		return -1;
	if (o->pmd0.reg_ovfl_switch_cnt != n) {
		errno = EDOM;
		return -1;
	}
	if (pfm_start(fd, NULL))
		return -1;
	if (!burn_until_runs(fd, 1, 1)) {
		errno = ETIMEDOUT;
		return -1;
	}
	pfm_test_burn(20 * MSEC);
	if (pfm_stop(fd))
		return -1;
	o->info[1].set_id = 1;
	if (pfm_getinfo_evtsets(fd, o->info, 2) ||
	    pfm_sets_read(fd, 0, 0, &o->pmd0) ||
	    pfm_sets_read_pmd(fd, 0, 1, &o->total0) ||
	    pfm_sets_read_pmd(fd, 0, 2, &o->clock0) ||
	    pfm_sets_read_pmd(fd, 1, 0, &o->count1))
		return -1;
	return 0;
}

/*
 * Set 0 switches after N overflows of PMD0 (task-clock, period P, no
 * notification and no format: each overflow resets it with the short reset
 * value and it counts on) and PMD1 counts its task-clock from 0; set 1 has
 * no way out. Set 1 is reached once, after set 0 counted N * P: N - 1
 * overflows would be (N - 1) * P. Not N + 1 either (that is exactly what
 * ovfl_switch_samples checks), but how much later than N * P set 0 left
 * depends on how late the overflows came: under -icount, 0.3%; on a busy
 * host, a plain TCG guest sees them milliseconds late, the time between
 * the wrap and the reset being lost each time. Hence the loose bound, and
 * the attempts.
 */
TEST_F(sets, ovfl_switch_exact)
{
	const __u64 period = 20 * MSEC, n = 3;
	struct ovfl_run o;
	int i;

	if (!self->ready)
		return;
	for (i = 0; i < ATTEMPTS; i++) {
		ASSERT_EQ(0, renew(&self->fd));
		ASSERT_EQ(0, ovfl_exact_run(self->fd, period, n, &o)) {
			TH_LOG("run: %s", strerror(errno));
		}
		if (o.total0 < 2 * n * period)
			break;
		TH_LOG("attempt %d: set 0 counted %llu ns: again", i + 1, o.total0);
	}
	TH_LOG("set 0 counted %llu ns (N * P = %llu), duration %llu, cpu-clock %llu; set 1 %llu ns",
	       o.total0, n * period, o.info[0].set_act_duration, o.clock0, o.count1);
	EXPECT_EQ(1, o.info[0].set_runs);
	EXPECT_EQ(1, o.info[1].set_runs);
	/* N overflows */
	EXPECT_LE(n * period - n * period / 100, o.total0);
	EXPECT_GT(2 * n * period, o.total0);
	EXPECT_TRUE(close_to(o.info[0].set_act_duration, o.clock0, 5, 3 * MSEC));
	/* set 0 left right after its last overflow and short reset */
	EXPECT_EQ(0, o.pmd0.reg_ovfl_switch_cnt);
	EXPECT_EQ(PERIOD(period), o.pmd0.reg_last_reset_val);
	EXPECT_GT(period / 2, o.pmd0.reg_value + period) {
		TH_LOG("set 0 PMD0 %#llx: %lld ns past its reset", o.pmd0.reg_value,
		       (long long)(o.pmd0.reg_value + period));
	}
	EXPECT_EQ(1ULL, o.info[0].set_ovfl_pmds[0]);
	EXPECT_EQ(0, o.info[1].set_ovfl_pmds[0]);
	/* set 1 kept counting */
	EXPECT_LE(19 * MSEC, o.count1);
	EXPECT_TRUE(close_to(o.info[1].set_act_duration, o.count1, 5, 3 * MSEC));
}

/**
 * struct alt_run - what ovfl_switch_alternates measures
 * @info: set_* of sets 0 and 1
 * @total: PMD1 of each set: its task-clock
 * @clock: PMD2 of each set: its cpu-clock
 */
struct alt_run {
	struct pfarg_setinfo	info[2];
	__u64			total[2];
	__u64			clock[2];
};

static int ovfl_alt_run(int fd, __u64 period, __u64 n, __u64 busy,
			struct alt_run *r)
{
	int s;

	memset(r, 0, sizeof(*r));
	for (s = 0; s < 2; s++)
		if (pfm_sets_create1(fd, s, PFM_SETFL_OVFL_SWITCH, 0, NULL) ||
		    program_period(fd, s, 0, period, n, 0) ||
		    program(fd, s, 1, TASK_CLOCK, 0) ||
		    program(fd, s, 2, CPU_CLOCK, 0))
			return -1;
	if (load_on(fd, pfm_test_gettid(), 0) || pfm_start(fd, NULL))
		return -1;
	pfm_test_burn(busy);
	if (pfm_stop(fd))
		return -1;
	r->info[1].set_id = 1;
	if (pfm_getinfo_evtsets(fd, r->info, 2))
		return -1;
	for (s = 0; s < 2; s++)
		if (pfm_sets_read_pmd(fd, s, 1, &r->total[s]) ||
		    pfm_sets_read_pmd(fd, s, 2, &r->clock[s]))
			return -1;
	return 0;
}

/* Turns of set @s done (the last one, if in progress, is not). */
static __u64 alt_done(const struct alt_run *r, int s)
{
	int active = (r->info[0].set_runs + r->info[1].set_runs) % 2 ? 0 : 1;

	return r->info[s].set_runs - (active == s);
}

/* Each turn done counted N periods of the set's task-clock at least. */
static bool alt_full_turns(const struct alt_run *r, __u64 period, __u64 n)
{
	int s;

	for (s = 0; s < 2; s++)
		if (r->total[s] < alt_done(r, s) * n * (period - period / 100))
			return false;
	return true;
}

/*
 * Two sets that both switch after N overflows alternate, each turn N
 * periods long. On the plain TCG guests a turn now and then comes out
 * shorter than N periods of the set's own task-clock, which never happens
 * under -icount: hence the attempts.
 */
TEST_F(sets, ovfl_switch_alternates)
{
	const __u64 period = 2 * MSEC, n = 2, busy = 200 * MSEC;
	struct alt_run r;
	int s, i;

	if (!self->ready)
		return;
	for (i = 0; i < ATTEMPTS; i++) {
		ASSERT_EQ(0, renew(&self->fd));
		ASSERT_EQ(0, ovfl_alt_run(self->fd, period, n, busy, &r)) {
			TH_LOG("run: %s", strerror(errno));
		}
		if (alt_full_turns(&r, period, n))
			break;
		TH_LOG("attempt %d: turns %llu + %llu counted %llu + %llu ns of task-clock: again",
		       i + 1, r.info[0].set_runs, r.info[1].set_runs, r.total[0],
		       r.total[1]);
	}
	TH_LOG("runs %llu + %llu (about %llu each), counted %llu + %llu ns",
	       r.info[0].set_runs, r.info[1].set_runs, busy / (n * period) / 2,
	       r.total[0], r.total[1]);
	EXPECT_LE(r.info[1].set_runs, r.info[0].set_runs);
	EXPECT_GE(r.info[1].set_runs + 1, r.info[0].set_runs);
	for (s = 0; s < 2; s++) {
		/* late overflows (a busy host) make fewer turns */
		EXPECT_LE(busy / (n * period) / 2 / 8, r.info[s].set_runs);
		EXPECT_LE(2, r.info[s].set_runs);
		/* each completed activation counted N periods */
		EXPECT_LE(alt_done(&r, s) * n * (period - period / 100),
			  r.total[s]) {
			TH_LOG("set %d: %llu activations done, counted %llu",
			       s, alt_done(&r, s), r.total[s]);
		}
		EXPECT_EQ(1ULL, r.info[s].set_ovfl_pmds[0]);
		EXPECT_TRUE(close_to(r.info[s].set_act_duration, r.clock[s], 5,
				     3 * MSEC));
	}
}

/*
 * The exact count, with no timing in it: the default sampling format
 * records every overflow, with its PMD and the set active then. Set 0
 * switches after 3 overflows of PMD0, set 4 after 2 of PMD2: the entries
 * come as PMD 0 0 0 2 2 0 0 0 2 2 ..., sets 0 0 0 4 4 0 0 0 4 4 ...
 */
TEST_F(sets, ovfl_switch_samples)
{
	static const struct {
		__u16		id;
		unsigned int	pmd;
		__u64		n;
	} sw[2] = { { 0, 0, 3 }, { 4, 2, 2 } };
	const struct pfm_dfl_smpl_entry **ents;
	const size_t size = 64 * 1024;
	const long max = size / sizeof(**ents);
	struct pfarg_setinfo info[2];
	__u64 turns[2] = { 0, 0 }, len = 0;
	long i, count, bad_set = 0;
	int fd, k, cur = -1;
	const char *why;
	void *buf;

	if (!self->ready)
		return;
	fd = pfm_smpl_create(0, size);
	ASSERT_LE(0, fd) {
		TH_LOG("context with the default format: %s", strerror(errno));
	}
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, pfm_sets_create1(fd, sw[k].id, PFM_SETFL_OVFL_SWITCH,
					      0, NULL));
		ASSERT_EQ(0, program_period(fd, sw[k].id, sw[k].pmd, MSEC,
					    sw[k].n, 0));
	}
	buf = pfm_smpl_map(fd, size);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, load_on(fd, pfm_test_gettid(), 0));
	ASSERT_EQ(0, pfm_start(fd, NULL));
	pfm_test_burn(100 * MSEC);
	ASSERT_EQ(0, pfm_stop(fd));
	memset(info, 0, sizeof(info));
	info[1].set_id = sw[1].id;
	ASSERT_EQ(0, pfm_getinfo_evtsets(fd, info, 2));

	ents = calloc(max, sizeof(*ents));
	ASSERT_NE(NULL, ents);
	count = pfm_smpl_walk(buf, size, 0, ents, max, &why);
	ASSERT_LE(0, count) {
		TH_LOG("buffer: %s", why);
	}
	EXPECT_LE(20, count);
	EXPECT_GT(max, count);
	for (i = 0; i < count; i++) {
		k = ents[i]->ovfl_pmd == sw[1].pmd;
		ASSERT_EQ(sw[k].pmd, ents[i]->ovfl_pmd);
		if (ents[i]->set != sw[k].id && !bad_set++)
			TH_LOG("entry %ld: PMD%u overflowed in set %u, entry says set %u",
			       i, sw[k].pmd, sw[k].id, ents[i]->set);
		if (k != cur) {
			/* a new turn: the previous one had exactly N entries */
			EXPECT_TRUE(cur < 0 || len == sw[cur].n) {
				TH_LOG("entry %ld: set %u after %llu entries of set %u",
				       i, sw[k].id, len, sw[cur].id);
			}
			EXPECT_EQ(cur < 0 ? 0 : !cur, k);
			turns[k]++;
			cur = k;
			len = 0;
		}
		len++;
		EXPECT_GE(sw[k].n, len);
	}
	TH_LOG("%ld entries: %llu turns of set %u, %llu of set %u; runs %llu + %llu",
	       count, turns[0], sw[0].id, turns[1], sw[1].id, info[0].set_runs,
	       info[1].set_runs);
	/* the entries name the set the overflow happened in */
	EXPECT_EQ(0, bad_set);
	/* a turn without an overflow yet has no entry */
	for (k = 0; k < 2; k++) {
		EXPECT_LE(turns[k], info[k].set_runs);
		EXPECT_GE(turns[k] + 1, info[k].set_runs);
		EXPECT_EQ(1ULL << sw[k].pmd, info[k].set_ovfl_pmds[0]);
	}
	free(ents);
	munmap(buf, size);
	close(fd);
}

/* The next set is the next id up, and after the last one set 0. */
TEST_F(sets, ovfl_switch_order_and_wrap)
{
	static const __u16 ids[] = { 9, 2, 5 };
	struct pfarg_setdesc d[3];
	unsigned int i;
	int fd2;

	if (!self->ready)
		return;
	/* 2 -> 5, not 9 */
	for (i = 0; i < 3; i++)
		pfm_sets_desc(&d[i], ids[i], ids[i] == 2 ? PFM_SETFL_OVFL_SWITCH : 0, 0);
	ASSERT_EQ(0, pfm_create_evtsets(self->fd, d, 3));
	ASSERT_EQ(0, program_period(self->fd, 2, 0, MSEC, 1, 0));
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 2));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	EXPECT_TRUE(burn_until_runs(self->fd, 5, 1));
	pfm_test_burn(5 * MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	EXPECT_EQ(1, info_runs(self->fd, 2));
	EXPECT_EQ(1, info_runs(self->fd, 5));
	EXPECT_EQ(0, info_runs(self->fd, 9));
	EXPECT_EQ(0, info_runs(self->fd, 0));
	ASSERT_EQ(0, pfm_unload_context(self->fd));

	/* the last set wraps to set 0 */
	fd2 = pfm_test_create(0);
	ASSERT_LE(0, fd2);
	for (i = 0; i < 3; i++)
		pfm_sets_desc(&d[i], ids[i], ids[i] == 9 ? PFM_SETFL_OVFL_SWITCH : 0, 0);
	ASSERT_EQ(0, pfm_create_evtsets(fd2, d, 3));
	ASSERT_EQ(0, program_period(fd2, 9, 0, MSEC, 1, 0));
	ASSERT_EQ(0, load_on(fd2, pfm_test_gettid(), 9));
	ASSERT_EQ(0, pfm_start(fd2, NULL));
	EXPECT_TRUE(burn_until_runs(fd2, 0, 1));
	pfm_test_burn(5 * MSEC);
	ASSERT_EQ(0, pfm_stop(fd2));
	EXPECT_EQ(1, info_runs(fd2, 9));
	EXPECT_EQ(1, info_runs(fd2, 0));
	EXPECT_EQ(0, info_runs(fd2, 2));
	EXPECT_EQ(0, info_runs(fd2, 5));
	close(fd2);
}

/*
 * An overflow that notifies masks the context; the switch it asked for
 * happens at pfm_restart(), and the message names the set it came from.
 */
TEST_F(sets, ovfl_switch_waits_for_restart)
{
	union pfarg_msg msg;
	__u64 t0, v;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 3, PFM_SETFL_OVFL_SWITCH, 0,
				      NULL));
	ASSERT_EQ(0, pfm_sets_create1(self->fd, 5, 0, 0, NULL));
	ASSERT_EQ(0, program_period(self->fd, 3, 0, 2 * MSEC, 1,
				    PFM_REGFL_OVFL_NOTIFY));
	ASSERT_EQ(0, program(self->fd, 5, 0, TASK_CLOCK, 0));
	ASSERT_EQ(0, load_on(self->fd, pfm_test_gettid(), 3));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	t0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	while (!msg_pending(self->fd) &&
	       pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - t0 < WAIT_CPU_NS)
		pfm_test_burn(MSEC);
	ASSERT_TRUE(msg_pending(self->fd));
	/* masked: still set 3, and pfm_start() may not change that */
	pfm_test_burn(5 * MSEC);
	EXPECT_EQ(0, info_runs(self->fd, 5));
	EXPECT_EQ(1, info_runs(self->fd, 3));
	EXPECT_EQ(-1, start_with(self->fd, 5));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, start_with(self->fd, 3));
	EXPECT_EQ(0, info_runs(self->fd, 5));
	EXPECT_EQ(1, info_runs(self->fd, 3));
	ASSERT_EQ(sizeof(msg), read(self->fd, &msg, sizeof(msg)));
	EXPECT_EQ(PFM_MSG_OVFL, msg.type);
	EXPECT_EQ(3, msg.pfm_ovfl_msg.msg_active_set) {
		TH_LOG("the overflow message names set %u, not set 3",
		       msg.pfm_ovfl_msg.msg_active_set);
	}
	EXPECT_EQ(1ULL, msg.pfm_ovfl_msg.msg_ovfl_pmds[0]);
	ASSERT_EQ(0, pfm_restart(self->fd));
	EXPECT_EQ(1, info_runs(self->fd, 5));
	pfm_test_burn(10 * MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_sets_read_pmd(self->fd, 5, 0, &v));
	EXPECT_LE(9 * MSEC, v);
	EXPECT_EQ(1, info_runs(self->fd, 3));
}

/* --- system-wide: PFM_SETFL_EXCL_IDLE --------------------------------------------- */

FIXTURE(syswide) {
	int	fd;
	int	target;
	bool	ready;
};

FIXTURE_SETUP(syswide)
{
	int cpus[MAX_CPUS], n;

	self->fd = -1;
	self->ready = false;
	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (geteuid() != 0)
		SKIP(return, "system-wide contexts need root");
	n = pfm_test_online_cpus(cpus, MAX_CPUS);
	ASSERT_LE(1, n);
	/* we stay on the first CPU; the last one has nothing to do */
	ASSERT_EQ(0, pfm_test_pin(cpus[0]));
	self->target = cpus[n - 1];
	self->ready = true;
}

FIXTURE_TEARDOWN(syswide)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* cpu-clock of the target CPU over @ns of our sleep, with set 0 @flags. */
static int sys_count(int *fd, int cpu, __u32 flags, __u64 ns, __u64 *count,
		     __u32 *info_flags)
{
	struct pfarg_setinfo info;

	*fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	if (*fd < 0)
		return -1;
	if ((flags && pfm_sets_create1(*fd, 0, flags, 0, NULL)) ||
	    program(*fd, 0, 0, SYS_CPU_CLOCK, 0) || load_on(*fd, cpu, 0) ||
	    pfm_start(*fd, NULL))
		return -1;
	pfm_test_sleep_ns(ns);
	if (pfm_stop(*fd) || pfm_sets_read_pmd(*fd, 0, 0, count) ||
	    pfm_sets_info(*fd, 0, &info))
		return -1;
	*info_flags = info.set_flags;
	close(*fd);
	*fd = -1;
	return 0;
}

TEST_F(syswide, excl_idle)
{
	const __u64 ns = 200 * MSEC;
	__u64 all = 0, busy = 0;
	__u32 flags = 0;

	if (!self->ready)
		return;
	ASSERT_EQ(0, sys_count(&self->fd, self->target, 0, ns, &all, &flags)) {
		TH_LOG("without PFM_SETFL_EXCL_IDLE: %s", strerror(errno));
	}
	EXPECT_EQ(0, flags);
	ASSERT_EQ(0, sys_count(&self->fd, self->target, PFM_SETFL_EXCL_IDLE, ns,
			       &busy, &flags)) {
		TH_LOG("with PFM_SETFL_EXCL_IDLE: %s", strerror(errno));
	}
	EXPECT_EQ(PFM_SETFL_EXCL_IDLE, flags);
	TH_LOG("CPU %d over %llu ns asleep: cpu-clock %llu, %llu without idle",
	       self->target, ns, all, busy);
	EXPECT_LE(ns * 9 / 10, all);
	EXPECT_GT(all / 2, busy);
}

/* The other flags go with EXCL_IDLE; the errors are the same. */
TEST_F(syswide, excl_idle_flags)
{
	struct pfarg_setinfo info;
	__u64 eff = 0;

	if (!self->ready)
		return;
	self->fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, pfm_sets_create1(self->fd, 1,
				      PFM_SETFL_EXCL_IDLE | PFM_SETFL_TIME_SWITCH,
				      MSEC, &eff));
	EXPECT_EQ(expected_timeout(MSEC), eff);
	EXPECT_EQ(0, pfm_sets_create1(self->fd, 2,
				      PFM_SETFL_EXCL_IDLE | PFM_SETFL_OVFL_SWITCH,
				      0, NULL));
	EXPECT_EQ(-1, pfm_sets_create1(self->fd, 3, ALL_SETFL, MSEC, NULL));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, pfm_sets_info(self->fd, 1, &info));
	EXPECT_EQ(PFM_SETFL_EXCL_IDLE | PFM_SETFL_TIME_SWITCH, info.set_flags);
	ASSERT_EQ(0, pfm_sets_info(self->fd, 2, &info));
	EXPECT_EQ(PFM_SETFL_EXCL_IDLE | PFM_SETFL_OVFL_SWITCH, info.set_flags);
}

/* Sets of a system-wide context take turns on their CPU (ours, busy). */
TEST_F(syswide, time_switch)
{
	const __u64 timeout = 2 * MSEC;
	struct sets_report r;
	int cpus[1], i;
	__u64 t0;

	if (!self->ready)
		return;
	ASSERT_EQ(1, pfm_test_online_cpus(cpus, 1));
	for (i = 0; i < ATTEMPTS; i++) {
		if (self->fd >= 0)
			close(self->fd);
		self->fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
		ASSERT_LE(0, self->fd);
		/* task-clock of a system-wide context: the CPU's time */
		ASSERT_EQ(0, turns_setup(self->fd, 2, timeout, cpus[0], true));
		t0 = pfm_test_now(CLOCK_MONOTONIC);
		ASSERT_EQ(0, pfm_start(self->fd, NULL));
		pfm_test_burn(100 * MSEC);
		ASSERT_EQ(0, pfm_stop(self->fd));
		memset(&r, 0, sizeof(r));
		r.cpu = pfm_test_now(CLOCK_MONOTONIC) - t0;
		ASSERT_EQ(0, report_sets(self->fd, &r));
		if (turns_timely(&r, timeout))
			break;
		TH_LOG("attempt %d: runs %llu + %llu, durations %llu + %llu: again",
		       i + 1, r.runs[0], r.runs[1], r.dur[0], r.dur[1]);
	}
	check_turns(_metadata, "system-wide", &r, timeout);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(r.count[i], r.tclock[i]);
}

TEST_HARNESS_MAIN
