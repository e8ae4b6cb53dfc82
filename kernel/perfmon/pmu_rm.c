// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the PMU resource manager.
 *
 * One owner class at a time for the whole machine (see
 * include/linux/perfmon_rm.h for the classes). A class owns the PMU from
 * its first reference to its last; a request from another class fails
 * with -EBUSY instead of waiting, because neither perf_event_open() nor
 * pfm_load_context() should block on an unrelated program. The policy is
 * the mediated vPMU's: exclusive, refuse rather than share, which is the
 * only way two drivers that each believe they own every counter can both
 * stay correct.
 *
 * The owner is written under pfm_rm_lock and read without it by the PMU
 * interrupt: an interrupt that races with a change of owner is one the
 * previous owner armed, and its handler finds nothing of its own pending.
 * Handlers are read in hard interrupt context, which synchronize_rcu()
 * waits for when one is removed.
 */
#include <linux/bug.h>
#include <linux/export.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>

#include "internal.h"

static DEFINE_SPINLOCK(pfm_rm_lock);
static enum pfm_rm_user pfm_rm_holder = PFM_RM_NONE;
static unsigned long pfm_rm_refs;
static pfm_rm_irq_handler_t pfm_rm_handlers[PFM_RM_NR_USERS];

static const char * const pfm_rm_names[PFM_RM_NR_USERS] = {
	[PFM_RM_NONE]		= "none",
	[PFM_RM_PERF]		= "perf_events",
	[PFM_RM_PERFMON]	= "perfmon",
	[PFM_RM_VCPU]		= "vcpu",
};

static bool pfm_rm_valid_user(enum pfm_rm_user user)
{
	return user > PFM_RM_NONE && user < PFM_RM_NR_USERS;
}

/**
 * pfm_rm_acquire - take a reference on the PMU for a class of users
 * @user: the class
 *
 * Return: 0; -EBUSY while another class owns the PMU; -EINVAL for an
 * unknown class.
 */
int pfm_rm_acquire(enum pfm_rm_user user)
{
	unsigned long flags;
	int ret = 0;

	if (WARN_ON_ONCE(!pfm_rm_valid_user(user)))
		return -EINVAL;
	spin_lock_irqsave(&pfm_rm_lock, flags);
	if (pfm_rm_holder != PFM_RM_NONE && pfm_rm_holder != user) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(pfm_rm_holder, user);
		pfm_rm_refs++;
	}
	spin_unlock_irqrestore(&pfm_rm_lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(pfm_rm_acquire);

/**
 * pfm_rm_release - drop a reference taken by pfm_rm_acquire()
 * @user: the class that took it
 */
void pfm_rm_release(enum pfm_rm_user user)
{
	unsigned long flags;

	spin_lock_irqsave(&pfm_rm_lock, flags);
	if (!WARN_ON_ONCE(pfm_rm_holder != user || !pfm_rm_refs) &&
	    !--pfm_rm_refs)
		WRITE_ONCE(pfm_rm_holder, PFM_RM_NONE);
	spin_unlock_irqrestore(&pfm_rm_lock, flags);
}
EXPORT_SYMBOL_GPL(pfm_rm_release);

/**
 * pfm_rm_owner - the class owning the PMU now, for reporting
 *
 * Return: a class, %PFM_RM_NONE when the PMU is free.
 */
enum pfm_rm_user pfm_rm_owner(void)
{
	return READ_ONCE(pfm_rm_holder);
}
EXPORT_SYMBOL_GPL(pfm_rm_owner);

/**
 * pfm_rm_owner_name - name of a class, as /sys/kernel/perfmon/pmu_owner
 *	shows it
 * @user: the class
 *
 * Return: the name.
 */
const char *pfm_rm_owner_name(enum pfm_rm_user user)
{
	return pfm_rm_valid_user(user) ? pfm_rm_names[user] :
					 pfm_rm_names[PFM_RM_NONE];
}

/**
 * pfm_rm_set_irq_handler - route the PMU interrupt to a class's handler
 * @user: a class other than %PFM_RM_PERF, whose driver requested the line
 * @handler: the handler, or NULL to remove it
 *
 * Removing a handler waits until no CPU runs it any more, so the module
 * providing it may go away afterwards.
 *
 * Return: 0; -EINVAL for %PFM_RM_PERF or an unknown class; -EBUSY when
 * the class already has a handler.
 */
int pfm_rm_set_irq_handler(enum pfm_rm_user user,
			   pfm_rm_irq_handler_t handler)
{
	unsigned long flags;
	int ret = 0;

	if (!pfm_rm_valid_user(user) || user == PFM_RM_PERF)
		return -EINVAL;
	spin_lock_irqsave(&pfm_rm_lock, flags);
	if (handler && pfm_rm_handlers[user])
		ret = -EBUSY;
	else
		WRITE_ONCE(pfm_rm_handlers[user], handler);
	spin_unlock_irqrestore(&pfm_rm_lock, flags);
	if (!ret && !handler)
		synchronize_rcu();
	return ret;
}
EXPORT_SYMBOL_GPL(pfm_rm_set_irq_handler);

/**
 * pfm_rm_dispatch_irq - give the PMU interrupt to the owner of the PMU
 * @regs: the interrupted context
 * @ret: where the owner's handler result goes
 *
 * Called first by the driver that requested the PMU interrupt, in hard
 * interrupt context.
 *
 * Return: true when the owner is not perf_events and handled the
 * interrupt (@ret is set); false when the caller should handle it.
 */
bool pfm_rm_dispatch_irq(struct pt_regs *regs, irqreturn_t *ret)
{
	enum pfm_rm_user holder = READ_ONCE(pfm_rm_holder);
	pfm_rm_irq_handler_t handler;

	if (holder == PFM_RM_NONE || holder == PFM_RM_PERF)
		return false;
	handler = READ_ONCE(pfm_rm_handlers[holder]);
	if (handler)
		*ret = handler(regs);
	return handler;
}
EXPORT_SYMBOL_GPL(pfm_rm_dispatch_irq);
