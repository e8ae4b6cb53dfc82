// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the software PMU description.
 *
 * Machines without a supported hardware PMU (x86 under QEMU TCG, for one)
 * still get a PMU with the usual model: a PMC selects an event and enables
 * counting, the PMD of the same index holds the count. The events are
 * kernel software events:
 *
 *   0  cpu-clock         nanoseconds of CPU time, whoever runs
 *   1  task-clock        nanoseconds the monitored thread ran, as the
 *                        scheduler accounts them (CLOCK_THREAD_CPUTIME_ID);
 *                        like cpu-clock for a system-wide context
 *   2  context-switches  switches of the monitored thread or CPU
 *   3  cpu-migrations    migrations of the monitored thread
 *
 * PMC layout (the x86 PERFEVTSEL bits, so tools feel at home):
 *   bits 0-7 event, bit 16 USR, bit 17 OS, bit 22 EN; the rest reserved.
 * The counters are 64 bits wide.
 *
 * A counter counts while its PMC has EN and at least one of USR and OS
 * set, and the context is started and running. The events are not split
 * by privilege level: USR and OS only decide whether a counter counts at
 * all, and OS asks for the permission of kernel-level counting. The
 * "hardware" is a per-CPU block of memory, handled like registers: the
 * core loads it when a context gets the CPU and saves it when it leaves.
 *
 * Overflows: a per-CPU hrtimer fires when the first running clock counter
 * reaches 2^64, which is how a sampling period on task-clock or cpu-clock
 * ends. The switch and migration counters wrap without an overflow.
 */
#define pr_fmt(fmt) "perfmon: " fmt

#include <linux/bitfield.h>
#include <linux/hrtimer.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/string.h>

#include <asm/irq_regs.h>

#include "internal.h"

#define PFM_SW_EVSEL_EVENT	GENMASK_ULL(7, 0)
#define PFM_SW_EVSEL_USR	BIT_ULL(16)
#define PFM_SW_EVSEL_OS		BIT_ULL(17)
#define PFM_SW_EVSEL_EN		BIT_ULL(22)
#define PFM_SW_EVSEL_RSVD	(~(PFM_SW_EVSEL_EVENT | PFM_SW_EVSEL_USR | \
				   PFM_SW_EVSEL_OS | PFM_SW_EVSEL_EN))

/* The events of the software PMU, the value of PFM_SW_EVSEL_EVENT. */
enum pfm_sw_event {
	PFM_SW_CPU_CLOCK,
	PFM_SW_TASK_CLOCK,
	PFM_SW_CONTEXT_SWITCHES,
	PFM_SW_CPU_MIGRATIONS,
	PFM_SW_NR_EVENTS,
};

#define PFM_SW_PMC(n) {							\
	.name		= "EVTSEL" #n,					\
	.rsvd_msk	= PFM_SW_EVSEL_RSVD,				\
	.hw_addr	= (n),						\
	.type		= PFM_REG_W,					\
}

#define PFM_SW_PMD(n) {							\
	.name		= "COUNTER" #n,					\
	.hw_addr	= (n),						\
	.type		= PFM_REG_C,					\
}

static const struct pfm_regdesc pfm_sw_pmcs[] = {
	PFM_SW_PMC(0), PFM_SW_PMC(1), PFM_SW_PMC(2), PFM_SW_PMC(3),
};

static const struct pfm_regdesc pfm_sw_pmds[] = {
	PFM_SW_PMD(0), PFM_SW_PMD(1), PFM_SW_PMD(2), PFM_SW_PMD(3),
};

#define PFM_SW_NR_COUNTERS	ARRAY_SIZE(pfm_sw_pmcs)

/*
 * Clock readings shared by the counters of one start, stop or read (or, at
 * a pfm_read_pmds(), of the whole vector): each clock is read at most
 * once, and only if a counter needs it.
 */
struct pfm_sw_now {
	u64	cpu;
	u64	task;
	bool	have_cpu;
	bool	have_task;
};

/**
 * struct pfm_sw_regs - the registers of the software PMU of one CPU
 * @evtsel: PMC values.
 * @count: PMD values; a running clock adds the time since @since.
 * @since: the clock of a running clock counter (pfm_sw_clock()) when it
 *	was last folded.
 * @running: counters counting now.
 * @ovfl_timer: fires when the first running clock counter wraps.
 * @armed: @ovfl_timer is queued.
 * @in_timer: @ovfl_timer's callback runs: re-arming goes through @rearm.
 * @rearm: nanoseconds to the next wrap, asked for from the callback.
 * @batch: the readings the reads of one vector share, while @in_batch.
 * @in_batch: between read_begin and read_end.
 */
struct pfm_sw_regs {
	u64		evtsel[PFM_SW_NR_COUNTERS];
	u64		count[PFM_SW_NR_COUNTERS];
	u64		since[PFM_SW_NR_COUNTERS];
	unsigned long	running;
	struct hrtimer	ovfl_timer;
	bool		armed;
	bool		in_timer;
	u64		rearm;
	struct pfm_sw_now batch;
	bool		in_batch;
};

/* Wraps further away than this (146 years) are not worth a timer. */
#define PFM_SW_OVFL_HORIZON	BIT_ULL(62)

static DEFINE_PER_CPU(struct pfm_sw_regs, pfm_sw_regs);

static enum pfm_sw_event pfm_sw_event_of(const struct pfm_sw_regs *regs,
					 unsigned int idx)
{
	return FIELD_GET(PFM_SW_EVSEL_EVENT, regs->evtsel[idx]);
}

static bool pfm_sw_is_clock(const struct pfm_sw_regs *regs, unsigned int idx)
{
	enum pfm_sw_event ev = pfm_sw_event_of(regs, idx);

	return ev == PFM_SW_CPU_CLOCK || ev == PFM_SW_TASK_CLOCK;
}

static u64 pfm_sw_cpu_clock(struct pfm_sw_now *now)
{
	if (!now->have_cpu) {
		now->cpu = local_clock();
		now->have_cpu = true;
	}
	return now->cpu;
}

/*
 * Whether the scheduler's task clock, which exec_start is read on, runs
 * with local_clock(). Interrupt and steal time accounting take time out
 * of it: local_clock() - exec_start would then add all the interrupt
 * and steal time of the CPU since boot.
 */
#define PFM_SW_TASK_CLOCK_IS_LOCAL_CLOCK			\
	(!IS_ENABLED(CONFIG_IRQ_TIME_ACCOUNTING) &&		\
	 !IS_ENABLED(CONFIG_PARAVIRT_TIME_ACCOUNTING))

/*
 * The run time of the current thread as the scheduler accounts it. In
 * the middle of a switch the scheduler has just folded it into the sum,
 * and charges what follows to the next thread; elsewhere the time since
 * the last fold is added, as task_sched_runtime() would, where the two
 * clocks allow it (otherwise reads between switches see the sum as of
 * the last tick). The current thread is the monitored one whenever a
 * per-thread context is live.
 */
static u64 pfm_sw_task_runtime(struct pfm_sw_now *now)
{
	u64 t, start = current->se.exec_start;

	if (__this_cpu_read(pfm_cpu.in_sched) ||
	    !PFM_SW_TASK_CLOCK_IS_LOCAL_CLOCK)
		return current->se.sum_exec_runtime;
	t = pfm_sw_cpu_clock(now);
	return current->se.sum_exec_runtime + (t > start ? t - start : 0);
}

static __always_inline u64 pfm_sw_clock(struct pfm_sw_now *now,
					const struct pfm_sw_regs *regs,
					unsigned int idx)
{
	if (pfm_sw_event_of(regs, idx) == PFM_SW_TASK_CLOCK &&
	    !this_cpu_read(pfm_cpu.syswide)) {
		if (!now->have_task) {
			now->task = pfm_sw_task_runtime(now);
			now->have_task = true;
		}
		return now->task;
	}
	return pfm_sw_cpu_clock(now);
}

/*
 * Bring a running clock counter up to now. The thread's run time can
 * read a little behind an earlier reading (the scheduler's clock leaves
 * out interrupt time that local_clock() had counted): a counter never
 * goes back, it waits for the clock to catch up.
 */
static __always_inline void pfm_sw_fold(struct pfm_sw_regs *regs,
					unsigned int idx,
					struct pfm_sw_now *now)
{
	u64 t;

	if (!test_bit(idx, &regs->running) || !pfm_sw_is_clock(regs, idx))
		return;
	t = pfm_sw_clock(now, regs, idx);
	if ((s64)(t - regs->since[idx]) <= 0)
		return;
	regs->count[idx] += t - regs->since[idx];
	regs->since[idx] = t;
}

/* Whether a clock counter at @count wraps within the timer's horizon. */
static bool pfm_sw_near_wrap(u64 count)
{
	u64 left = -count;

	return left && left < PFM_SW_OVFL_HORIZON;
}

/*
 * (Re)arm the overflow timer for the running clock counter closest to
 * 2^64; its count is current (just folded, started or written).
 */
static void pfm_sw_arm(struct pfm_sw_regs *regs)
{
	u64 left, next = PFM_SW_OVFL_HORIZON;
	unsigned int i;

	for (i = pfm_next_bit(&regs->running, PFM_SW_NR_COUNTERS, 0);
	     i < PFM_SW_NR_COUNTERS;
	     i = pfm_next_bit(&regs->running, PFM_SW_NR_COUNTERS, i + 1)) {
		if (!pfm_sw_is_clock(regs, i))
			continue;
		left = -regs->count[i];
		if (pfm_sw_near_wrap(regs->count[i]) && left < next)
			next = left;
	}
	if (regs->in_timer) {
		regs->rearm = next < PFM_SW_OVFL_HORIZON ? next : 0;
		return;
	}
	if (next < PFM_SW_OVFL_HORIZON) {
		hrtimer_start(&regs->ovfl_timer, ns_to_ktime(next),
			      HRTIMER_MODE_REL_PINNED_HARD);
		regs->armed = true;
	} else if (regs->armed) {
		hrtimer_try_to_cancel(&regs->ovfl_timer);
		regs->armed = false;
	}
}

/*
 * Every running clock counter is offered to the core, which compares it
 * with its image: a read or a switch may have moved it past 2^64 before
 * the timer ran, and only the image knows whether that wrap was handled.
 */
static enum hrtimer_restart pfm_sw_ovfl_timer(struct hrtimer *timer)
{
	struct pfm_sw_regs *regs = container_of(timer, struct pfm_sw_regs,
						ovfl_timer);
	struct pfm_sw_now now = { };
	unsigned long ovfl = 0;
	unsigned int i;

	for (i = pfm_next_bit(&regs->running, PFM_SW_NR_COUNTERS, 0);
	     i < PFM_SW_NR_COUNTERS;
	     i = pfm_next_bit(&regs->running, PFM_SW_NR_COUNTERS, i + 1)) {
		if (!pfm_sw_is_clock(regs, i))
			continue;
		pfm_sw_fold(regs, i, &now);
		__set_bit(i, &ovfl);
	}

	regs->in_timer = true;
	if (ovfl)
		pfm_pmu_overflow(&ovfl, get_irq_regs());
	pfm_sw_arm(regs);
	regs->in_timer = false;
	regs->armed = regs->rearm != 0;
	if (!regs->rearm)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(regs->rearm));
	return HRTIMER_RESTART;
}

static void pfm_sw_write_pmc(const struct pfm_pmu_desc *pmu, unsigned int idx,
			     u64 val)
{
	this_cpu_write(pfm_sw_regs.evtsel[idx], val);
}

/* A stopped counter needs no clock: start takes its reading. */
static void pfm_sw_write_pmd(const struct pfm_pmu_desc *pmu, unsigned int idx,
			     u64 val)
{
	struct pfm_sw_regs *regs = this_cpu_ptr(&pfm_sw_regs);
	struct pfm_sw_now now = { };

	regs->count[idx] = val;
	if (test_bit(idx, &regs->running)) {
		regs->since[idx] = pfm_sw_clock(&now, regs, idx);
		pfm_sw_arm(regs);
	}
}

static u64 pfm_sw_read_pmd(const struct pfm_pmu_desc *pmu, unsigned int idx)
{
	struct pfm_sw_regs *regs = this_cpu_ptr(&pfm_sw_regs);
	struct pfm_sw_now now = { };

	pfm_sw_fold(regs, idx, regs->in_batch ? &regs->batch : &now);
	return regs->count[idx];
}

/* The counters of one vector are read at one instant. */
static void pfm_sw_read_begin(const struct pfm_pmu_desc *pmu)
{
	struct pfm_sw_regs *regs = this_cpu_ptr(&pfm_sw_regs);

	regs->batch = (struct pfm_sw_now){ };
	regs->in_batch = true;
}

static void pfm_sw_read_end(const struct pfm_pmu_desc *pmu)
{
	this_cpu_write(pfm_sw_regs.in_batch, false);
}

static bool pfm_sw_enabled(u64 evtsel)
{
	return (evtsel & PFM_SW_EVSEL_EN) &&
	       (evtsel & (PFM_SW_EVSEL_USR | PFM_SW_EVSEL_OS));
}

static void pfm_sw_start(const struct pfm_pmu_desc *pmu,
			 const unsigned long *used, const u64 *pmcs)
{
	struct pfm_sw_regs *regs = this_cpu_ptr(&pfm_sw_regs);
	struct pfm_sw_now now = { };
	bool near = false;
	unsigned int i;

	for (i = pfm_next_bit(used, PFM_SW_NR_COUNTERS, 0);
	     i < PFM_SW_NR_COUNTERS;
	     i = pfm_next_bit(used, PFM_SW_NR_COUNTERS, i + 1)) {
		if (!pfm_sw_enabled(regs->evtsel[i]))
			continue;
		if (pfm_sw_is_clock(regs, i)) {
			regs->since[i] = pfm_sw_clock(&now, regs, i);
			near |= pfm_sw_near_wrap(regs->count[i]);
		}
		__set_bit(i, &regs->running);
	}
	/* Counting, not sampling, needs no timer: most starts skip this. */
	if (near || regs->armed)
		pfm_sw_arm(regs);
}

static void pfm_sw_stop(const struct pfm_pmu_desc *pmu,
			const unsigned long *used)
{
	struct pfm_sw_regs *regs = this_cpu_ptr(&pfm_sw_regs);
	struct pfm_sw_now now = { };
	unsigned int i;

	for (i = pfm_next_bit(used, PFM_SW_NR_COUNTERS, 0);
	     i < PFM_SW_NR_COUNTERS;
	     i = pfm_next_bit(used, PFM_SW_NR_COUNTERS, i + 1)) {
		pfm_sw_fold(regs, i, &now);
		__clear_bit(i, &regs->running);
	}
	if (regs->armed)
		pfm_sw_arm(regs);
}

static void pfm_sw_sched_note(const struct pfm_pmu_desc *pmu,
			      enum pfm_sched_note note)
{
	struct pfm_sw_regs *regs = this_cpu_ptr(&pfm_sw_regs);
	enum pfm_sw_event wanted;
	unsigned int i;

	wanted = note == PFM_NOTE_MIGRATE ? PFM_SW_CPU_MIGRATIONS :
					    PFM_SW_CONTEXT_SWITCHES;
	for (i = pfm_next_bit(&regs->running, PFM_SW_NR_COUNTERS, 0);
	     i < PFM_SW_NR_COUNTERS;
	     i = pfm_next_bit(&regs->running, PFM_SW_NR_COUNTERS, i + 1))
		if (pfm_sw_event_of(regs, i) == wanted)
			regs->count[i]++;
}

static int pfm_sw_pmc_check(const struct pfm_pmu_desc *pmu, unsigned int idx,
			    u64 *val)
{
	if (FIELD_GET(PFM_SW_EVSEL_EVENT, *val) >= PFM_SW_NR_EVENTS)
		return -EINVAL;
	return 0;
}

static bool pfm_sw_counts_kernel(const struct pfm_pmu_desc *pmu,
				 unsigned int idx, u64 val)
{
	return val & PFM_SW_EVSEL_OS;
}

static const struct pfm_pmu_ops pfm_sw_ops = {
	.write_pmc		= pfm_sw_write_pmc,
	.write_pmd		= pfm_sw_write_pmd,
	.read_pmd		= pfm_sw_read_pmd,
	.read_begin		= pfm_sw_read_begin,
	.read_end		= pfm_sw_read_end,
	.start			= pfm_sw_start,
	.stop			= pfm_sw_stop,
	.sched_note		= pfm_sw_sched_note,
	.pmc_write_check	= pfm_sw_pmc_check,
	.pmc_counts_kernel	= pfm_sw_counts_kernel,
};

const struct pfm_pmu_desc pfm_sw_pmu = {
	.name		= "perfmon software PMU",
	.pmcs		= pfm_sw_pmcs,
	.pmds		= pfm_sw_pmds,
	.num_pmcs	= ARRAY_SIZE(pfm_sw_pmcs),
	.num_pmds	= ARRAY_SIZE(pfm_sw_pmds),
	.counter_width	= 64,
	.ops		= &pfm_sw_ops,
};

/*
 * Hardware descriptions register at device_initcall time; the software
 * PMU only takes the table when none of them did (or perfmon.pmu=sw
 * refused them).
 */
static int __init pfm_sw_pmu_init(void)
{
	unsigned int cpu;
	int ret;

	if (pfm_pmu_choice[0] && !sysfs_streq(pfm_pmu_choice, "sw"))
		pr_warn("perfmon.pmu=%s unknown, only \"sw\" is\n",
			pfm_pmu_choice);
	if (pfm_pmu_active())
		return 0;
	for_each_possible_cpu(cpu) {
		struct hrtimer *timer = &per_cpu(pfm_sw_regs, cpu).ovfl_timer;

		hrtimer_init(timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		timer->function = pfm_sw_ovfl_timer;
	}
	ret = pfm_pmu_register(&pfm_sw_pmu);
	if (ret)
		pr_err("software PMU registration failed: %d\n", ret);
	return ret;
}
late_initcall(pfm_sw_pmu_init);
