// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: counter overflows, from the PMU interrupt to pfm_restart().
 *
 * A PMU description's interrupt handler reports which hardware counters
 * wrapped. Each is folded into its 64-bit value; a wrap of a narrow
 * counter is absorbed there, and only a wrap of the 64-bit value is an
 * overflow. For each overflow, in this order:
 *
 *   1. the sampling format (if any) records it and says what to do next;
 *      without a format, a PMD with PFM_REGFL_OVFL_NOTIFY asks for a
 *      notification and masking, any other PMD for a reset;
 *   2. MASK stops monitoring until pfm_restart(), which then resets the
 *      overflowed PMDs with their long reset values;
 *   3. NOTIFY queues a PFM_MSG_OVFL message (unless PFM_FL_OVFL_NO_MSG)
 *      and wakes readers, pollers and SIGIO owners, if an overflowed PMD
 *      has PFM_REGFL_OVFL_NOTIFY or the overflow masked the context; a
 *      full queue masks monitoring, and with PFM_FL_NOTIFY_BLOCK the
 *      monitored thread waits for pfm_restart();
 *   4. RESET, when not masked, reloads the PMD and the PMDs in its
 *      reg_reset_pmds with their short reset values.
 */
#include <linux/export.h>
#include <linux/perfmon.h>
#include <linux/perfmon_smpl.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/random.h>
#include <linux/sched/clock.h>
#include <linux/sched/task_stack.h>
#include <linux/task_work.h>

#include <asm/irq_regs.h>

#include "internal.h"

/**
 * pfm_reset_value - the value a PMD is reset to
 * @reset: its long or short reset value
 * @random_mask: its reg_random_mask, used with PFM_REGFL_RANDOM
 * @random: a random number
 *
 * Counters count up to the overflow, so subtracting lengthens the period:
 * it ends between 2^64 - @reset and 2^64 - @reset + @random_mask events.
 *
 * Return: the value.
 */
u64 pfm_reset_value(u64 reset, u64 random_mask, u64 random)
{
	return reset - (random & random_mask);
}

/**
 * pfm_reset_pmd - reset one PMD, in the image and, when live, in the PMU
 * @ctx: the context, locked
 * @idx: the PMD
 * @long_reset: use the long reset value, else the short one
 */
void pfm_reset_pmd(struct pfm_context *ctx, unsigned int idx, bool long_reset)
{
	struct pfm_pmd *pmd = &ctx->pmds[idx];
	u64 val = long_reset ? pmd->long_reset : pmd->short_reset;

	lockdep_assert_held(&ctx->lock);
	if (pmd->flags & PFM_REGFL_RANDOM)
		val = pfm_reset_value(val, pmd->random_mask, get_random_u64());
	pmd->value = val;
	pmd->last_reset = val;
	if (pfm_hw_holds(ctx))
		pfm_hw_write_pmd(ctx, idx);
	else
		ctx->dirty = true;
}

/**
 * pfm_reset_pmds - reset PMDs after an overflow or a restart
 * @ctx: the context, locked
 * @ovfl: the PMDs that overflowed
 * @long_reset: use the long reset values, else the short ones
 *
 * Each overflowed PMD is reset with the PMDs its reg_reset_pmds names.
 */
void pfm_reset_pmds(struct pfm_context *ctx, const unsigned long *ovfl,
		    bool long_reset)
{
	DECLARE_BITMAP(reset, PFM_MAX_PMDS);
	unsigned int n = ctx->pmu->num_pmds;
	unsigned int i;

	pfm_bits_copy(reset, ovfl, n);
	for (i = pfm_next_bit(ovfl, n, 0); i < n;
	     i = pfm_next_bit(ovfl, n, i + 1))
		pfm_bits_or(reset,
			    (const unsigned long *)ctx->pmds[i].reset_pmds, n);
	pfm_bits_and(reset, ctx->used_pmds, n);
	for (i = pfm_next_bit(reset, n, 0); i < n;
	     i = pfm_next_bit(reset, n, i + 1))
		pfm_reset_pmd(ctx, i, long_reset);
}

/*
 * What the interrupt leaves for after the context lock is dropped, and
 * whether the monitored thread may be made to wait at all.
 */
struct pfm_ovfl_result {
	bool	wake;
	bool	block;
	bool	no_block;
};

static void pfm_ovfl_fill_msg(struct pfm_context *ctx, union pfarg_msg *msg,
			      const unsigned long *pmds, unsigned long ip)
{
	struct task_struct *task = pfm_ctx_is_syswide(ctx) ? current :
							     ctx->task;
	struct pfarg_ovfl_msg *m = &msg->pfm_ovfl_msg;

	memset(msg, 0, sizeof(*msg));
	m->msg_type = PFM_MSG_OVFL;
	m->msg_ovfl_pid = task_tgid_nr_ns(task, ctx->pid_ns);
	m->msg_ovfl_tid = task_pid_nr_ns(task, ctx->pid_ns);
	m->msg_ovfl_cpu = smp_processor_id();
	m->msg_active_set = ctx->active->id;
	m->msg_ovfl_ip = ip;
	bitmap_to_arr64(m->msg_ovfl_pmds, pmds, ctx->pmu->num_pmds);
}

/* Stop counting until pfm_restart(); the PMDs keep their values. */
static void pfm_mask(struct pfm_context *ctx, const unsigned long *ovfl)
{
	unsigned int n = ctx->pmu->num_pmds;

	if (ctx->state == PFM_CTX_MASKED)
		return;
	if (ctx->started && pfm_hw_holds(ctx))
		pfm_hw_stop(ctx);
	ctx->state = PFM_CTX_MASKED;
	pfm_bits_or(ctx->ovfl_pmds, ovfl, n);
}

static void pfm_notify(struct pfm_context *ctx, const unsigned long *pmds,
		       unsigned long ip, struct pfm_ovfl_result *res)
{
	union pfarg_msg msg;

	ctx->can_restart++;
	res->wake = true;
	if (!(ctx->flags & PFM_FL_OVFL_NO_MSG)) {
		pfm_ovfl_fill_msg(ctx, &msg, pmds, ip);
		if (pfm_msgq_add(ctx, &msg))
			pfm_mask(ctx, pmds);
	}
	/* Only the monitored thread itself can be made to wait. */
	if ((ctx->flags & PFM_FL_NOTIFY_BLOCK) && !pfm_ctx_is_syswide(ctx)) {
		pfm_mask(ctx, pmds);
		if (!ctx->block_pending && ctx->task == current &&
		    !res->no_block) {
			ctx->block_pending = true;
			res->block = true;
		}
	}
}

/* Whether one of the overflowed PMDs is controlled by a kernel-level PMC. */
static bool pfm_ovfl_counts_kernel(struct pfm_context *ctx,
				   const unsigned long *ovfl)
{
	const struct pfm_pmu_desc *pmu = ctx->pmu;
	unsigned int n = min(pmu->num_pmds, pmu->num_pmcs);
	unsigned int i;

	if (!pmu->ops->pmc_counts_kernel)
		return false;
	for (i = pfm_next_bit(ovfl, n, 0); i < n;
	     i = pfm_next_bit(ovfl, n, i + 1))
		if (test_bit(i, ctx->used_pmcs) &&
		    pmu->ops->pmc_counts_kernel(pmu, i, ctx->pmcs[i]))
			return true;
	return false;
}

/*
 * An overflow of user-level counters taken in the kernel (a software
 * clock's timer, say) is reported at the thread's user-mode state, as
 * perf does for events that exclude the kernel; and a creator who may not
 * count at kernel level never gets a kernel address.
 */
static struct pt_regs *pfm_ovfl_regs(struct pfm_context *ctx,
				     struct pt_regs *regs,
				     const unsigned long *ovfl)
{
	if (!regs || user_mode(regs))
		return regs;
	if (ctx->kernel_ip_ok && pfm_ovfl_counts_kernel(ctx, ovfl))
		return regs;
	if (current->mm && !(current->flags & PF_KTHREAD))
		return task_pt_regs(current);
	return NULL;
}

/* Give each overflow to the sampling format; return the controls. */
static u32 pfm_ovfl_format(struct pfm_context *ctx, const unsigned long *ovfl,
			   unsigned long ip, u64 tstamp, struct pt_regs *regs)
{
	unsigned int n = ctx->pmu->num_pmds;
	struct pfm_ovfl_arg arg = {
		.smpl_pmds_values	= ctx->smpl_values,
		.active_set		= ctx->active->id,
		.pid			= task_pid_nr_ns(current, ctx->pid_ns),
		.tgid			= task_tgid_nr_ns(current, ctx->pid_ns),
	};
	u32 ctrl = 0;
	unsigned int i, j;

	for (i = pfm_next_bit(ovfl, n, 0); i < n;
	     i = pfm_next_bit(ovfl, n, i + 1)) {
		const unsigned long *smpl =
			(const unsigned long *)ctx->pmds[i].smpl_pmds;

		arg.ovfl_pmd = i;
		arg.ovfl_ctrl = 0;
		arg.num_smpl_pmds = 0;
		arg.pmd_last_reset = ctx->pmds[i].last_reset;
		arg.pmd_eventid = ctx->pmds[i].eventid;
		for (j = pfm_next_bit(smpl, n, 0); j < n;
		     j = pfm_next_bit(smpl, n, j + 1))
			ctx->smpl_values[arg.num_smpl_pmds++] =
				test_bit(j, ctx->used_pmds) ?
				pfm_hw_read_pmd(ctx, j) : 0;
		ctx->smpl_fmt->handler(ctx->smpl_buf, &arg, ip, tstamp, regs);
		ctrl |= arg.ovfl_ctrl;
	}
	return ctrl;
}

/* Fold the wrapped counters; collect those whose 64-bit value wrapped. */
static bool pfm_ovfl_fold(struct pfm_context *ctx, const unsigned long *hw,
			  unsigned long *ovfl)
{
	unsigned int n = ctx->pmu->num_pmds;
	unsigned int i;
	u64 old;

	pfm_bits_zero(ovfl, n);
	for (i = pfm_next_bit(hw, n, 0); i < n;
	     i = pfm_next_bit(hw, n, i + 1)) {
		if (!test_bit(i, ctx->used_pmds))
			continue;
		old = ctx->pmds[i].value;
		ctx->pmds[i].value = pfm_hw_read_pmd(ctx, i);
		if (ctx->pmds[i].value < old &&
		    !(ctx->pmds[i].flags & PFM_REGFL_NO_EMUL64))
			__set_bit(i, ovfl);
	}
	return !pfm_bits_empty(ovfl, n);
}

/* Steps 1 to 4 of the header comment, for the PMDs whose 64-bit value wrapped. */
static void pfm_ovfl_process(struct pfm_context *ctx, const unsigned long *ovfl,
			     struct pt_regs *regs, struct pfm_ovfl_result *res)
{
	DECLARE_BITMAP(notify, PFM_MAX_PMDS);
	unsigned int n = ctx->pmu->num_pmds;
	unsigned long ip;
	unsigned int i;
	u32 ctrl;

	regs = pfm_ovfl_regs(ctx, regs, ovfl);
	ip = regs ? instruction_pointer(regs) : 0;

	pfm_bits_zero(notify, n);
	for (i = pfm_next_bit(ovfl, n, 0); i < n;
	     i = pfm_next_bit(ovfl, n, i + 1))
		if (ctx->pmds[i].flags & PFM_REGFL_OVFL_NOTIFY)
			__set_bit(i, notify);

	if (ctx->smpl_fmt)
		ctrl = pfm_ovfl_format(ctx, ovfl, ip, local_clock(), regs);
	else if (!pfm_bits_empty(notify, n))
		ctrl = PFM_OVFL_CTRL_NOTIFY | PFM_OVFL_CTRL_MASK;
	else
		ctrl = PFM_OVFL_CTRL_RESET;

	/*
	 * A context masked by its format is always notified: only
	 * pfm_restart() unmasks it, and its controller must learn that.
	 */
	if (ctrl & PFM_OVFL_CTRL_MASK) {
		pfm_mask(ctx, ovfl);
		if (pfm_bits_empty(notify, n))
			pfm_bits_copy(notify, ovfl, n);
	}
	if ((ctrl & (PFM_OVFL_CTRL_NOTIFY | PFM_OVFL_CTRL_MASK)) &&
	    !pfm_bits_empty(notify, n))
		pfm_notify(ctx, notify, ip, res);
	if ((ctrl & PFM_OVFL_CTRL_RESET) && ctx->state != PFM_CTX_MASKED)
		pfm_reset_pmds(ctx, ovfl, false);
	/* Last: the resets above were for the outgoing set's PMDs. */
	if (pfm_set_ovfl_switch(ctx, ovfl)) {
		if (ctx->state == PFM_CTX_MASKED)
			ctx->switch_pending = true;
		else
			pfm_switch_next(ctx);
	}
}

static void pfm_ovfl_locked(struct pfm_context *ctx, const unsigned long *hw,
			    struct pt_regs *regs, struct pfm_ovfl_result *res)
{
	DECLARE_BITMAP(ovfl, PFM_MAX_PMDS);

	lockdep_assert_held(&ctx->lock);
	if (pfm_ovfl_fold(ctx, hw, ovfl))
		pfm_ovfl_process(ctx, ovfl, regs, res);
}

/**
 * pfm_ovfl_catch_up - handle overflows found outside the PMU interrupt
 * @ctx: the context, locked, just saved from the PMU
 * @ovfl: the PMDs whose 64-bit value wrapped since they were loaded
 *
 * A counter can wrap just before its context leaves the PMU (its thread
 * is switched out, the context unloaded), with the interrupt still on its
 * way, or with a software clock's timer not yet run: the interrupt will
 * find nothing. The save notices the wrap, and the overflow is handled
 * here, without an interrupted address. Readers are woken from an
 * irq_work, as this may run inside the scheduler; and the monitored
 * thread is not made to wait (PFM_FL_NOTIFY_BLOCK) this time.
 */
void pfm_ovfl_catch_up(struct pfm_context *ctx, const unsigned long *ovfl)
{
	struct pfm_ovfl_result res = { .no_block = true };

	lockdep_assert_held(&ctx->lock);
	if (!pfm_ctx_loaded(ctx))
		return;
	pfm_ovfl_process(ctx, ovfl, NULL, &res);
	if (res.wake)
		irq_work_queue(&ctx->wake_work);
}

/**
 * pfm_wake_work - wake readers on behalf of a context that could not
 * @work: pfm_context.wake_work
 */
void pfm_wake_work(struct irq_work *work)
{
	pfm_msgq_wake(container_of(work, struct pfm_context, wake_work));
}

/*
 * The monitored thread, back on its way to user mode, waits until the
 * controller restarts monitoring, closes the fd, or a signal comes.
 */
static void pfm_block_work(struct callback_head *work)
{
	struct pfm_context *ctx = container_of(work, struct pfm_context,
					       block_work);

	unsigned long flags;

	wait_event_interruptible(ctx->restart_wait,
				 !READ_ONCE(ctx->block_pending));
	/* A signal ends the wait; the context stays masked until restart. */
	raw_spin_lock_irqsave(&ctx->lock, flags);
	ctx->block_pending = false;
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	pfm_context_put(ctx);
}

/* Called in the interrupt of the monitored thread, which is current. */
static void pfm_queue_block(struct pfm_context *ctx)
{
	pfm_context_get(ctx);
	init_task_work(&ctx->block_work, pfm_block_work);
	if (task_work_add(current, &ctx->block_work, TWA_RESUME))
		pfm_context_put(ctx);
}

/**
 * pfm_unblock - let a thread waiting for pfm_restart() go
 * @ctx: the context, not locked
 */
void pfm_unblock(struct pfm_context *ctx)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	ctx->block_pending = false;
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	wake_up_interruptible(&ctx->restart_wait);
}

/**
 * pfm_pmu_overflow - handle the counters that overflowed on this CPU
 * @ovfl_pmds: bitmap, by PMD number, of the counters whose overflow flag
 *	was set (and cleared by the caller)
 * @regs: the interrupted context, or NULL
 *
 * Called by a PMU description from its overflow interrupt handler, in hard
 * interrupt context, on the CPU whose PMU overflowed. Overflows of a PMU
 * no context holds are stale and dropped.
 */
void pfm_pmu_overflow(const unsigned long *ovfl_pmds, struct pt_regs *regs)
{
	struct pfm_context *ctx = this_cpu_read(pfm_cpu.live);
	struct pfm_ovfl_result res = { };

	lockdep_assert_irqs_disabled();
	if (!ctx)
		return;
	raw_spin_lock(&ctx->lock);
	if (pfm_hw_holds(ctx) && pfm_ctx_loaded(ctx))
		pfm_ovfl_locked(ctx, ovfl_pmds, regs, &res);
	raw_spin_unlock(&ctx->lock);

	/* Wake-ups take other locks: not under the context's. */
	if (res.wake)
		pfm_msgq_wake(ctx);
	if (res.block)
		pfm_queue_block(ctx);
}
EXPORT_SYMBOL_GPL(pfm_pmu_overflow);
