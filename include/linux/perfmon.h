/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfmon: in-kernel interface for PMU description modules.
 *
 * A PMU description is const data: one register descriptor per PMC
 * (configuration register) and per PMD (data register), plus the few
 * callbacks that data cannot express. Exactly one description is active at
 * a time; the core validates it once, in pfm_pmu_register().
 */
#ifndef _LINUX_PERFMON_H
#define _LINUX_PERFMON_H

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <uapi/linux/perfmon.h>

struct module;
struct pfm_pmu_desc;

/* Register type bits, struct pfm_regdesc.type; 0 means not implemented. */
#define PFM_REG_I	BIT(0)	/* implemented */
#define PFM_REG_WC	BIT(1)	/* writes go through the write checker */
#define PFM_REG_C64	BIT(2)	/* PMD: counter virtualized to 64 bits */
#define PFM_REG_RO	BIT(3)	/* PMD: read-only, writes are ignored */
#define PFM_REG_INTR	BIT(5)	/* PMD: can raise an overflow interrupt */
#define PFM_REG_SYS	BIT(6)	/* usable by system-wide contexts only */
#define PFM_REG_THR	BIT(7)	/* usable by per-thread contexts only */
#define PFM_REG_NO64	BIT(8)	/* PMC: accepts PFM_REGFL_NO_EMUL64 */

/* Shorthands for the usual register kinds. */
#define PFM_REG_W	(PFM_REG_WC | PFM_REG_I)
#define PFM_REG_W64	(PFM_REG_WC | PFM_REG_NO64 | PFM_REG_I)
#define PFM_REG_C	(PFM_REG_C64 | PFM_REG_INTR | PFM_REG_I)

/**
 * struct pfm_regdesc - description of one PMC or PMD
 * @name: name shown in sysfs, e.g. "PERFEVTSEL0"; required when implemented.
 * @dfl_val: value at reset, and the value forced into reserved bits.
 * @rsvd_msk: bits the user may not choose (1 = reserved).
 * @no_emul64_msk: PMC bits cleared when PFM_REGFL_NO_EMUL64 is set.
 * @hw_addr: MSR, system register encoding or index used by the arch code.
 * @type: PFM_REG_* bits, 0 for a hole in the index space.
 */
struct pfm_regdesc {
	const char	*name;
	u64		dfl_val;
	u64		rsvd_msk;
	u64		no_emul64_msk;
	u64		hw_addr;
	u16		type;
};

/**
 * enum pfm_sched_note - scheduler events a software PMU may count
 * @PFM_NOTE_SWITCH_OUT: the monitored thread (or, system-wide, any thread)
 *	is switched out.
 * @PFM_NOTE_MIGRATE: the monitored thread resumes on another CPU.
 */
enum pfm_sched_note {
	PFM_NOTE_SWITCH_OUT,
	PFM_NOTE_MIGRATE,
};

/**
 * struct pfm_pmu_ops - callbacks of a PMU description
 *
 * The register accessors act on the PMU of the calling CPU. The core calls
 * them with interrupts disabled, on the CPU whose PMU holds the context,
 * and never concurrently for one CPU.
 *
 * @write_pmc: required. Write a PMC; counting is not enabled by it.
 * @write_pmd: required. Write the low counter_width bits of a PMD.
 * @read_pmd: required. Read a PMD (the low counter_width bits).
 * @read_begin: optional, with @read_end: the calls to @read_pmd until
 *	@read_end are for one pfm_read_pmds() vector, with interrupts off
 *	throughout. A PMU whose counters are computed from clocks reads each
 *	clock once for all of them.
 * @read_end: the end of the run of reads @read_begin started.
 * @start: required. Enable counting for the PMCs set in @used, whose
 *	values are in @pmcs (indexed by PMC number).
 * @stop: required. Disable counting for the PMCs set in @used; the PMDs
 *	keep their values.
 * @sched_note: optional, for software PMUs: a scheduler event happened
 *	while the context is loaded on this CPU. Called from the scheduler
 *	with its runqueue lock held.
 * @pmc_write_check: required when a PMC has PFM_REG_WC. Called with the
 *	value after reserved bits were forced; may rewrite it. Process
 *	context, may not sleep. Returns 0 or -EINVAL.
 * @pmd_write_check: required when a PMD has PFM_REG_WC. Same contract.
 * @pmc_counts_kernel: optional. Whether a PMC value counts at kernel
 *	privilege level, which needs permission. Without it, no PMC does.
 */
struct pfm_pmu_ops {
	void (*write_pmc)(const struct pfm_pmu_desc *pmu, unsigned int idx,
			  u64 val);
	void (*write_pmd)(const struct pfm_pmu_desc *pmu, unsigned int idx,
			  u64 val);
	u64 (*read_pmd)(const struct pfm_pmu_desc *pmu, unsigned int idx);
	void (*read_begin)(const struct pfm_pmu_desc *pmu);
	void (*read_end)(const struct pfm_pmu_desc *pmu);
	void (*start)(const struct pfm_pmu_desc *pmu,
		      const unsigned long *used, const u64 *pmcs);
	void (*stop)(const struct pfm_pmu_desc *pmu,
		     const unsigned long *used);
	void (*sched_note)(const struct pfm_pmu_desc *pmu,
			   enum pfm_sched_note note);
	int (*pmc_write_check)(const struct pfm_pmu_desc *pmu,
			       unsigned int idx, u64 *val);
	int (*pmd_write_check)(const struct pfm_pmu_desc *pmu,
			       unsigned int idx, u64 *val);
	bool (*pmc_counts_kernel)(const struct pfm_pmu_desc *pmu,
				  unsigned int idx, u64 val);
};

/*
 * PMU description flags, struct pfm_pmu_desc.flags.
 * PFM_PMU_FL_SHARED_HW: the registers are the CPU's hardware PMU, which
 *	perf_events may also drive; loading a context takes the PMU through
 *	the resource manager (include/linux/perfmon_rm.h).
 */
#define PFM_PMU_FL_SHARED_HW	BIT(0)
#define PFM_PMU_FL_ALL		PFM_PMU_FL_SHARED_HW

/**
 * struct pfm_pmu_desc - a PMU description
 * @name: model name shown in /sys/kernel/perfmon/pmu_desc/model.
 * @owner: module providing the description, THIS_MODULE (NULL if built in).
 * @pmcs: PMC descriptors, indexed by PMC number.
 * @pmds: PMD descriptors, indexed by PMD number.
 * @num_pmcs: entries in @pmcs, at most PFM_MAX_PMCS.
 * @num_pmds: entries in @pmds, at most PFM_MAX_PMDS.
 * @counter_width: width in bits of the hardware counters (PFM_REG_C64).
 * @flags: PFM_PMU_FL_* bits.
 * @ops: callbacks, required.
 */
struct pfm_pmu_desc {
	const char			*name;
	struct module			*owner;
	const struct pfm_regdesc	*pmcs;
	const struct pfm_regdesc	*pmds;
	u16				num_pmcs;
	u16				num_pmds;
	u8				counter_width;
	u32				flags;
	const struct pfm_pmu_ops	*ops;
};

struct pt_regs;
struct task_struct;

#ifdef CONFIG_PERFMON
#include <linux/jump_label.h>
#include <linux/sched.h>

int pfm_pmu_register(const struct pfm_pmu_desc *pmu);
int pfm_pmu_unregister(const struct pfm_pmu_desc *pmu);
void pfm_pmu_overflow(const unsigned long *ovfl_pmds, struct pt_regs *regs);

/*
 * Hooks in the scheduler, fork and exit. They cost a patched-out jump
 * while no context is loaded anywhere.
 */
DECLARE_STATIC_KEY_FALSE(pfm_hooks_key);

void __pfm_sched_out(struct task_struct *prev);
void __pfm_sched_in(struct task_struct *next);
void __pfm_exit_task(struct task_struct *task);

static __always_inline void pfm_sched_out(struct task_struct *prev)
{
	if (static_branch_unlikely(&pfm_hooks_key))
		__pfm_sched_out(prev);
}

static __always_inline void pfm_sched_in(struct task_struct *next)
{
	if (static_branch_unlikely(&pfm_hooks_key))
		__pfm_sched_in(next);
}

/* A context is never inherited: the child starts unmonitored. */
static __always_inline void pfm_fork(struct task_struct *child)
{
	if (static_branch_unlikely(&pfm_hooks_key))
		child->pfm_ctx = NULL;
}

static __always_inline void pfm_exit_task(struct task_struct *task)
{
	if (static_branch_unlikely(&pfm_hooks_key))
		__pfm_exit_task(task);
}

/* exec keeps the context, unless the new program gains privileges. */
static __always_inline void pfm_exec(struct task_struct *task,
				     bool secureexec)
{
	if (static_branch_unlikely(&pfm_hooks_key) && secureexec)
		__pfm_exit_task(task);
}
#else
static inline int pfm_pmu_register(const struct pfm_pmu_desc *pmu)
{
	return -ENODEV;
}

static inline int pfm_pmu_unregister(const struct pfm_pmu_desc *pmu)
{
	return -ENODEV;
}

static inline void pfm_pmu_overflow(const unsigned long *ovfl_pmds,
				    struct pt_regs *regs) { }

static inline void pfm_sched_out(struct task_struct *prev) { }
static inline void pfm_sched_in(struct task_struct *next) { }
static inline void pfm_fork(struct task_struct *child) { }
static inline void pfm_exit_task(struct task_struct *task) { }
static inline void pfm_exec(struct task_struct *task, bool secureexec) { }
#endif

#endif /* _LINUX_PERFMON_H */
