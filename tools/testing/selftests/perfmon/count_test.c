// SPDX-License-Identifier: GPL-2.0
/*
 * Self-monitoring with the software PMU: what the counters count.
 *
 * The clocks are compared with the thread's CPU time, CLOCK_THREAD_CPUTIME_ID,
 * within 2% over BURN_NS. Each PMD read is bracketed by two clock reads
 * (struct window): on a debug kernel under TCG an interrupt that lands in
 * one of the syscalls can take milliseconds, which would otherwise count
 * on one side only. The context switches are compared with the
 * scheduler's own count, getrusage(RUSAGE_THREAD).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "pfm_test.h"

/* CPU time burnt in a measured region: >= 50 ms, 2% of it is 2 ms. */
#define BURN_NS		(100 * PFM_NSEC_PER_MSEC)
#define TOLERANCE_PCT	2
/* Sleeping must not count: at most this much over a SLEEP_NS sleep. */
#define SLEEP_NS	(100 * PFM_NSEC_PER_MSEC)
#define SLEEP_SLACK_NS	(5 * PFM_NSEC_PER_MSEC)
/* Reads while started. */
#define NR_READS	20
/* Voluntary switches made by nanosleep(). */
#define NR_SLEEPS	50

/*
 * A counted region. Each PMD read sits between two reads of the thread's
 * CPU time, so the CPU time between the two PMD reads is within
 * [a1 - b0, b1 - a0].
 */
struct window {
	__u64	a0, b0;		/* CPU time around the first read */
	__u64	a1, b1;		/* and around the last */
	__u64	v0, v1;		/* PMD values */
};

static int window_open(int fd, unsigned int pmd, struct window *w)
{
	int ret;

	w->a0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	ret = pfm_test_read_pmd(fd, pmd, &w->v0);
	w->b0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	return ret;
}

static int window_close(int fd, unsigned int pmd, struct window *w)
{
	int ret;

	w->a1 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	ret = pfm_test_read_pmd(fd, pmd, &w->v1);
	w->b1 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	return ret;
}

/*
 * The count of the window is the thread's CPU time in it, within
 * TOLERANCE_PCT, give or take @slack ns.
 */
static bool window_agrees_slack(const struct window *w, __u64 slack)
{
	__u64 v = w->v1 - w->v0, lo = w->a1 - w->b0, hi = w->b1 - w->a0;

	return (v + slack) * 100 >= lo * (100 - TOLERANCE_PCT) &&
	       v * 100 <= (hi + slack) * (100 + TOLERANCE_PCT);
}

static bool window_agrees(const struct window *w)
{
	return window_agrees_slack(w, 0);
}

static void window_log(struct __test_metadata *_metadata, const char *what,
		       const struct window *w)
{
	TH_LOG("%s +%llu ns, thread CPU time %llu to %llu ns", what,
	       w->v1 - w->v0, w->a1 - w->b0, w->b1 - w->a0);
}

/* Context on the calling thread counting @n events with the given PMCs. */
static int self_setup(const __u64 *pmcs, int n)
{
	return pfm_test_setup(0, pmcs, n, pfm_test_gettid());
}

FIXTURE(clock) {
	int	fd;
};

FIXTURE_VARIANT(clock) {
	int	event;
};

FIXTURE_VARIANT_ADD(clock, task_clock) {
	.event = PFM_SW_TASK_CLOCK,
};

FIXTURE_VARIANT_ADD(clock, cpu_clock) {
	.event = PFM_SW_CPU_CLOCK,
};

FIXTURE_SETUP(clock)
{
	self->fd = -1;
}

FIXTURE_TEARDOWN(clock)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Set up PMC0 = @pmc0 on the calling thread; false (logged) on failure. */
static bool clock_ctx(struct __test_metadata *_metadata, int *fd, __u64 pmc0)
{
	*fd = self_setup(&pmc0, 1);
	EXPECT_LE(0, *fd) {
		TH_LOG("setup with PMC0=%#llx: %s", (unsigned long long)pmc0,
		       strerror(errno));
	}
	return *fd >= 0;
}

TEST_F(clock, matches_thread_cputime)
{
	struct window w;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (!clock_ctx(_metadata, &self->fd, PFM_SW_EVT(variant->event)))
		return;
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(0, window_open(self->fd, 0, &w));
	pfm_test_burn(BURN_NS);
	ASSERT_EQ(0, window_close(self->fd, 0, &w));
	ASSERT_EQ(0, pfm_stop(self->fd));
	EXPECT_TRUE(window_agrees(&w)) {
		window_log(_metadata, "PMD0", &w);
	}
}

/*
 * Asleep, the thread does not count. What it does count is the CPU time
 * it uses around the sleep, which a debug kernel under TCG can make a few
 * milliseconds: at most SLEEP_SLACK_NS, or that CPU time if it is more.
 */
TEST_F(clock, sleep_not_counted)
{
	__u64 t0, t1, v, limit;
	struct window w;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (!clock_ctx(_metadata, &self->fd, PFM_SW_EVT(variant->event)))
		return;
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(0, window_open(self->fd, 0, &w));
	t0 = pfm_test_now(CLOCK_MONOTONIC);
	pfm_test_sleep_ns(SLEEP_NS);
	t1 = pfm_test_now(CLOCK_MONOTONIC);
	ASSERT_EQ(0, window_close(self->fd, 0, &w));
	ASSERT_LE(SLEEP_NS, t1 - t0);
	limit = (w.b1 - w.a0) * (100 + TOLERANCE_PCT) / 100;
	if (limit < SLEEP_SLACK_NS)
		limit = SLEEP_SLACK_NS;
	EXPECT_GE(limit, w.v1 - w.v0) {
		window_log(_metadata, "PMD0", &w);
		TH_LOG("over a %llu ns sleep", t1 - t0);
	}
	/* And it still counts once awake (the context is not stuck). */
	pfm_test_burn(10 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_LE(w.v1 + 9 * PFM_NSEC_PER_MSEC, v) {
		TH_LOG("PMD0 +%llu ns over 10 ms of CPU time", v - w.v1);
	}
}

TEST_F(clock, monotonic_while_started)
{
	__u64 v[NR_READS], c0, c1;
	int i;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (!clock_ctx(_metadata, &self->fd, PFM_SW_EVT(variant->event)))
		return;
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	c0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	for (i = 0; i < NR_READS; i++) {
		ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v[i]));
		pfm_test_burn(2 * PFM_NSEC_PER_MSEC);
	}
	c1 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	for (i = 1; i < NR_READS; i++) {
		EXPECT_LT(v[i - 1], v[i]) {
			TH_LOG("read %d: %llu, read %d: %llu", i - 1, v[i - 1],
			       i, v[i]);
		}
	}
	/* About 2 ms per step. */
	EXPECT_LE(v[0] + (NR_READS - 1) * 19 * PFM_NSEC_PER_MSEC / 10,
		  v[NR_READS - 1]) {
		TH_LOG("PMD0 +%llu ns over %llu ns of CPU time",
		       v[NR_READS - 1] - v[0], c1 - c0);
	}
}

TEST_F(clock, frozen_after_stop)
{
	__u64 v0, v1, v2, v3;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (!clock_ctx(_metadata, &self->fd, PFM_SW_EVT(variant->event)))
		return;
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(10 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v0));
	EXPECT_LE(9 * PFM_NSEC_PER_MSEC, v0);
	pfm_test_burn(20 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v1));
	EXPECT_EQ(v0, v1) {
		TH_LOG("stopped PMD0 moved by %lld ns", (long long)(v1 - v0));
	}
	/* Unloading keeps the count, and nothing counts any more. */
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v2));
	pfm_test_burn(10 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v3));
	EXPECT_EQ(v0, v2);
	EXPECT_EQ(v0, v3);
}

/* Loaded but never started: nothing counts. */
TEST_F(clock, nothing_before_start)
{
	__u64 v;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (!clock_ctx(_metadata, &self->fd, PFM_SW_EVT(variant->event)))
		return;
	pfm_test_burn(20 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_EQ(0, v);
}

/* PMC enable bit clear: started, but this counter does not count. */
TEST_F(clock, nothing_without_enable)
{
	__u64 pmcs[2] = {
		variant->event | PFM_SW_USR,
		PFM_SW_EVT(variant->event),
	};
	struct pfarg_pmd pmds[2];

	if (!pfm_test_require_swpmu(_metadata))
		return;
	self->fd = self_setup(pmcs, 2);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(20 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	memset(pmds, 0, sizeof(pmds));
	pmds[1].reg_num = 1;
	ASSERT_EQ(0, pfm_read_pmds(self->fd, pmds, 2));
	EXPECT_EQ(0, pmds[0].reg_value);
	/* The enabled one next to it did count. */
	EXPECT_LE(19 * PFM_NSEC_PER_MSEC, pmds[1].reg_value);
}

/* Neither USR nor OS: no privilege level selected, nothing counts. */
TEST_F(clock, nothing_without_priv_level)
{
	__u64 pmc0 = variant->event | PFM_SW_EN, v;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (!clock_ctx(_metadata, &self->fd, pmc0))
		return;
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(20 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_EQ(0, v);
}

/*
 * OS alone counts all of the thread's CPU time too (the software events
 * are not split by privilege level). Needs the right to count at kernel
 * level: root here.
 */
TEST_F(clock, os_only_counts)
{
	__u64 pmc0 = variant->event | PFM_SW_OS | PFM_SW_EN;
	struct window w;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (geteuid() != 0)
		SKIP(return, "kernel-level counting needs root");
	if (!clock_ctx(_metadata, &self->fd, pmc0))
		return;
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(0, window_open(self->fd, 0, &w));
	pfm_test_burn(BURN_NS);
	ASSERT_EQ(0, window_close(self->fd, 0, &w));
	EXPECT_TRUE(window_agrees(&w)) {
		window_log(_metadata, "PMD0", &w);
	}
}

/* Times the calling thread was switched out, by the scheduler's count. */
static __u64 thread_switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

/*
 * context-switches agrees with the scheduler's own count of the thread's
 * switches (getrusage(RUSAGE_THREAD) nvcsw + nivcsw), taken inside the
 * counted region; a stray preemption between the two reads may add one.
 */
#define SWITCH_SLACK	2

static void check_switches(struct __test_metadata *_metadata, __u64 counted,
			   __u64 switches, __u64 at_least, const char *what)
{
	EXPECT_LE(at_least, switches) {
		TH_LOG("%s: only %llu switches by getrusage()", what,
		       switches);
	}
	EXPECT_GE(counted, switches) {
		TH_LOG("%s: counted %llu, getrusage() %llu", what, counted,
		       switches);
	}
	EXPECT_LE(counted, switches + SWITCH_SLACK) {
		TH_LOG("%s: counted %llu, getrusage() %llu", what, counted,
		       switches);
	}
}

/* Each nanosleep() switches the thread out once; stopped, none counts. */
TEST(ctx_switches_count_sleeps)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_CTX_SWITCHES), v0, v1, r0, r1;
	int fd, i;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	fd = self_setup(&pmc0, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pfm_start(fd, NULL));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v0));
	r0 = thread_switches();
	for (i = 0; i < NR_SLEEPS; i++)
		pfm_test_sleep_ns(PFM_NSEC_PER_MSEC);
	r1 = thread_switches();
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v1));
	/* A sleep whose timer fires before the thread is off does not switch. */
	check_switches(_metadata, v1 - v0, r1 - r0, NR_SLEEPS / 2, "sleeps");

	/* Stopped: sleeps no longer count. */
	ASSERT_EQ(0, pfm_stop(fd));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v0));
	for (i = 0; i < 10; i++)
		pfm_test_sleep_ns(PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v1));
	EXPECT_EQ(v0, v1);
	close(fd);
}

/*
 * sched_yield() next to another runnable thread of the same SCHED_FIFO
 * priority on the same CPU switches to it every time (as root; otherwise
 * CFS decides, and only the agreement with getrusage() is checked).
 */
static void *spinner(void *arg)
{
	bool *stop = arg;

	while (!__atomic_load_n(stop, __ATOMIC_RELAXED))
		sched_yield();
	return NULL;
}

TEST(ctx_switches_count_yields)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_CTX_SWITCHES), v0, v1, r0, r1;
	struct sched_param sp = { .sched_priority = 1 };
	bool stop = false, fifo;
	pthread_t thr;
	int fd, i, cpu;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	cpu = sched_getcpu();
	ASSERT_LE(0, cpu);
	ASSERT_EQ(0, pfm_test_pin(cpu));
	fd = self_setup(&pmc0, 1);
	ASSERT_LE(0, fd);
	fifo = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
	/* The spinner inherits the binding and the policy. */
	ASSERT_EQ(0, pthread_create(&thr, NULL, spinner, &stop));
	ASSERT_EQ(0, pfm_start(fd, NULL));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v0));
	r0 = thread_switches();
	for (i = 0; i < NR_SLEEPS; i++)
		sched_yield();
	r1 = thread_switches();
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v1));
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	pthread_join(thr, NULL);
	close(fd);
	check_switches(_metadata, v1 - v0, r1 - r0, fifo ? NR_SLEEPS : 0,
		       fifo ? "SCHED_FIFO yields" : "yields");
}

/* Moving the thread to another CPU is a migration; stopped, it is not. */
TEST(cpu_migrations_counted)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_CPU_MIGRATIONS), v0, v1, v2;
	int cpus[2], fd;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (pfm_test_online_cpus(cpus, 2) < 2)
		SKIP(return, "needs 2 CPUs");
	ASSERT_EQ(0, pfm_test_pin(cpus[0]));
	fd = self_setup(&pmc0, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pfm_start(fd, NULL));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v0));
	ASSERT_EQ(0, pfm_test_pin(cpus[1]));
	ASSERT_EQ(cpus[1], sched_getcpu());
	ASSERT_EQ(0, pfm_test_pin(cpus[0]));
	ASSERT_EQ(cpus[0], sched_getcpu());
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v1));
	EXPECT_LE(2, v1 - v0) {
		TH_LOG("%llu migrations for 2 moves", v1 - v0);
	}
	ASSERT_EQ(0, pfm_stop(fd));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v1));
	ASSERT_EQ(0, pfm_test_pin(cpus[1]));
	ASSERT_EQ(cpus[1], sched_getcpu());
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v2));
	EXPECT_EQ(v1, v2);
	close(fd);
}

/*
 * All four counters at once, read with one vector. The clocks counted from
 * pfm_start() to pfm_stop(), bracketed by CPU time reads like a window.
 */
/*
 * What the scheduler charges a thread around one context switch that
 * cpu-clock does not see: up to about 100 us on a debug kernel under TCG.
 */
#define SWITCH_COST_NS		(150 * 1000ULL)

TEST(four_counters)
{
	__u64 pmcs[PFM_SW_NUM_REGS] = {
		PFM_SW_EVT(PFM_SW_CPU_CLOCK),
		PFM_SW_EVT(PFM_SW_TASK_CLOCK),
		PFM_SW_EVT(PFM_SW_CTX_SWITCHES),
		PFM_SW_EVT(PFM_SW_CPU_MIGRATIONS),
	};
	struct pfarg_pmd pmds[PFM_SW_NUM_REGS];
	__u64 r0, r1, slack;
	struct window w;
	int fd, i;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	fd = self_setup(pmcs, PFM_SW_NUM_REGS);
	ASSERT_LE(0, fd);
	w.a0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	ASSERT_EQ(0, pfm_start(fd, NULL));
	w.b0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	/* Inside the counted region, as check_switches() expects. */
	r0 = thread_switches();
	pfm_test_burn(BURN_NS / 2);
	for (i = 0; i < 10; i++)
		pfm_test_sleep_ns(PFM_NSEC_PER_MSEC);
	pfm_test_burn(BURN_NS / 2);
	r1 = thread_switches();
	w.a1 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	ASSERT_EQ(0, pfm_stop(fd));
	w.b1 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	memset(pmds, 0, sizeof(pmds));
	for (i = 0; i < PFM_SW_NUM_REGS; i++)
		pmds[i].reg_num = i;
	ASSERT_EQ(0, pfm_read_pmds(fd, pmds, PFM_SW_NUM_REGS));
	close(fd);
	w.v0 = 0;
	for (i = 0; i < 2; i++) {
		/*
		 * cpu-clock counts from switch-in to switch-out; the
		 * scheduler also charges the thread the switches around
		 * its sleeps (see SWITCH_COST_NS). task-clock is the
		 * scheduler's own account.
		 */
		slack = i ? 0 : pmds[2].reg_value * SWITCH_COST_NS;
		w.v1 = pmds[i].reg_value;
		EXPECT_TRUE(window_agrees_slack(&w, slack)) {
			window_log(_metadata, i ? "PMD1" : "PMD0", &w);
		}
	}
	check_switches(_metadata, pmds[2].reg_value, r1 - r0, 10 / 2,
		       "four counters");
	/* Migrations are rare here; the count must at least be sane. */
	EXPECT_GE(pmds[2].reg_value, pmds[3].reg_value);
	for (i = 0; i < PFM_SW_NUM_REGS; i++)
		EXPECT_EQ(0, pmds[i].reg_flags);
}

/*
 * Per-thread: a thread monitoring itself does not count the CPU time of the
 * other threads of its process.
 */
struct thread_arg {
	int		err;
	__u64		value;
	__u64		cputime;
	pthread_barrier_t started;
	pthread_barrier_t burnt;
};

static void *self_monitoring_thread(void *p)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK), v0 = 0, c0;
	struct thread_arg *arg = p;
	int fd;

	fd = self_setup(&pmc0, 1);
	if (fd < 0 || pfm_start(fd, NULL))
		arg->err = errno;
	/* The CPU time measured encloses the counted region. */
	c0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	if (!arg->err && pfm_test_read_pmd(fd, 0, &v0))
		arg->err = errno;
	pthread_barrier_wait(&arg->started);
	pthread_barrier_wait(&arg->burnt);
	if (!arg->err && pfm_test_read_pmd(fd, 0, &arg->value))
		arg->err = errno;
	arg->value -= v0;
	arg->cputime = pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - c0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

TEST(counts_only_its_thread)
{
	struct thread_arg arg;
	__u64 limit;
	pthread_t thr;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	memset(&arg, 0, sizeof(arg));
	ASSERT_EQ(0, pthread_barrier_init(&arg.started, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&arg.burnt, NULL, 2));
	ASSERT_EQ(0, pthread_create(&thr, NULL, self_monitoring_thread, &arg));
	pthread_barrier_wait(&arg.started);
	pfm_test_burn(BURN_NS / 2);
	pthread_barrier_wait(&arg.burnt);
	pthread_join(thr, NULL);
	ASSERT_EQ(0, arg.err) {
		TH_LOG("in the thread: %s", strerror(arg.err));
	}
	/*
	 * The thread slept in the barrier while the main thread burnt: it
	 * counted only what it ran itself (a few ms at most).
	 */
	limit = arg.cputime * (100 + TOLERANCE_PCT) / 100;
	if (limit < SLEEP_SLACK_NS)
		limit = SLEEP_SLACK_NS;
	EXPECT_GE(limit, arg.value) {
		TH_LOG("thread: task-clock +%llu ns, CPU time %llu ns; main: %llu ns",
		       arg.value, arg.cputime, BURN_NS / 2);
	}
	pthread_barrier_destroy(&arg.started);
	pthread_barrier_destroy(&arg.burnt);
}

/*
 * Two self-monitoring threads take turns on one CPU: each context is
 * switched out and back in many times, the other one using the PMU in
 * between. Each must still count its own thread's CPU time (on a
 * uniprocessor the PMU state is saved lazily: this is when it must be).
 *
 * The clocks start counting when a thread is switched in
 * (finish_task_switch()), the scheduler charges it from the moment it was
 * picked: each switch may differ by the cost of a context switch, up to
 * about 100 us on a debug kernel under TCG. SWITCH_COST_NS per switch is
 * allowed on top of TOLERANCE_PCT; losing one turn (PINGPONG_BURN_NS)
 * would still show.
 */
#define PINGPONG_ROUNDS		10
#define PINGPONG_BURN_NS	(10 * PFM_NSEC_PER_MSEC)

struct pingpong {
	int		in;	/* read end: my turn */
	int		out;	/* write end: the other's turn */
	int		err;
	struct window	w;
	__u64		switches;
};

static void *pingpong_thread(void *p)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK);
	struct pingpong *pp = p;
	int fd, i;
	char t;

	fd = self_setup(&pmc0, 1);
	if (fd < 0 || pfm_start(fd, NULL) || window_open(fd, 0, &pp->w))
		pp->err = errno;
	pp->switches = thread_switches();
	for (i = 0; i < PINGPONG_ROUNDS; i++) {
		if (read(pp->in, &t, 1) != 1)
			pp->err = EIO;
		pfm_test_burn(PINGPONG_BURN_NS);
		if (write(pp->out, &t, 1) != 1)
			pp->err = EIO;
	}
	pp->switches = thread_switches() - pp->switches;
	if (!pp->err && window_close(fd, 0, &pp->w))
		pp->err = errno;
	if (fd >= 0)
		close(fd);
	return NULL;
}

TEST(two_threads_share_a_cpu)
{
	struct pingpong pp[2];
	int a[2], b[2], i, cpu;
	pthread_t thr[2];
	__u64 slack;
	char t = 0;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	cpu = sched_getcpu();
	ASSERT_LE(0, cpu);
	/* The threads inherit the binding. */
	ASSERT_EQ(0, pfm_test_pin(cpu));
	ASSERT_EQ(0, pipe(a));
	ASSERT_EQ(0, pipe(b));
	memset(pp, 0, sizeof(pp));
	pp[0].in = a[0];
	pp[0].out = b[1];
	pp[1].in = b[0];
	pp[1].out = a[1];
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&thr[i], NULL, pingpong_thread,
					    &pp[i]));
	ASSERT_EQ(1, write(a[1], &t, 1));
	for (i = 0; i < 2; i++)
		pthread_join(thr[i], NULL);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, pp[i].err) {
			TH_LOG("thread %d: %s", i, strerror(pp[i].err));
		}
		if (pp[i].err)
			continue;
		slack = pp[i].switches * SWITCH_COST_NS;
		EXPECT_TRUE(window_agrees_slack(&pp[i].w, slack)) {
			window_log(_metadata, i ? "thread 1" : "thread 0",
				   &pp[i].w);
			TH_LOG("%llu switches", pp[i].switches);
		}
	}
	for (i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
}

TEST_HARNESS_MAIN
