/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfmon: the PMU resource manager.
 *
 * The hardware PMU has several would-be users: perf_events' CPU PMU
 * driver, perfmon contexts on a hardware PMU description and, later, the
 * per-vCPU PMU state of a hypervisor. None of them can share counters
 * with another without corrupting it, so the PMU goes to one class of
 * user at a time, machine-wide, first come first served. A class keeps
 * the PMU while it holds at least one reference; the others get -EBUSY.
 *
 * The PMU interrupt is requested once, by the CPU PMU driver, which hands
 * it to the resource manager first: while another class owns the PMU,
 * that class's handler gets it.
 *
 * Documentation/admin-guide/perfmon.rst describes the policy.
 */
#ifndef _LINUX_PERFMON_RM_H
#define _LINUX_PERFMON_RM_H

#include <linux/errno.h>
#include <linux/interrupt.h>
#include <linux/types.h>

struct pt_regs;

/**
 * enum pfm_rm_user - the classes of PMU users
 * @PFM_RM_NONE: nobody; the PMU is free.
 * @PFM_RM_PERF: perf_events hardware events on the CPU PMU.
 * @PFM_RM_PERFMON: loaded perfmon contexts on a hardware PMU description.
 * @PFM_RM_VCPU: per-vCPU PMU state of guests (reserved for a hypervisor).
 * @PFM_RM_NR_USERS: number of classes, including @PFM_RM_NONE.
 */
enum pfm_rm_user {
	PFM_RM_NONE,
	PFM_RM_PERF,
	PFM_RM_PERFMON,
	PFM_RM_VCPU,
	PFM_RM_NR_USERS,
};

/**
 * typedef pfm_rm_irq_handler_t - PMU interrupt handler of a non-perf user
 * @regs: the interrupted context.
 *
 * Called in hard interrupt context on the CPU that took the interrupt.
 *
 * Return: IRQ_HANDLED when the PMU had an overflow pending, else IRQ_NONE.
 */
typedef irqreturn_t (*pfm_rm_irq_handler_t)(struct pt_regs *regs);

#ifdef CONFIG_PERFMON
int pfm_rm_acquire(enum pfm_rm_user user);
void pfm_rm_release(enum pfm_rm_user user);
enum pfm_rm_user pfm_rm_owner(void);
int pfm_rm_set_irq_handler(enum pfm_rm_user user,
			   pfm_rm_irq_handler_t handler);
bool pfm_rm_dispatch_irq(struct pt_regs *regs, irqreturn_t *ret);
#else
static inline int pfm_rm_acquire(enum pfm_rm_user user)
{
	return 0;
}

static inline void pfm_rm_release(enum pfm_rm_user user) { }

static inline enum pfm_rm_user pfm_rm_owner(void)
{
	return PFM_RM_NONE;
}

static inline int pfm_rm_set_irq_handler(enum pfm_rm_user user,
					 pfm_rm_irq_handler_t handler)
{
	return -ENODEV;
}

static inline bool pfm_rm_dispatch_irq(struct pt_regs *regs,
				       irqreturn_t *ret)
{
	return false;
}
#endif

#endif /* _LINUX_PERFMON_RM_H */
