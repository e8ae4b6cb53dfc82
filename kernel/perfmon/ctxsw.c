// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the scheduler hooks.
 *
 * Both run with the runqueue lock held and interrupts disabled, and only
 * while pfm_hooks_key is on, i.e. while some context is loaded.
 *
 * Switch-out stops the counters of the outgoing thread's context and, when
 * the thread could resume on another CPU, saves their values. Switch-in is
 * lazy: when the thread comes back to the CPU whose PMU still holds its
 * registers and nothing changed them, nothing is reloaded. On a machine
 * with a single possible CPU the save is deferred too, as perfmon2 did:
 * the next context to take the PMU saves the registers it finds there.
 */
#include <linux/cpumask.h>
#include <linux/jump_label.h>
#include <linux/sched.h>

#include "internal.h"

DEFINE_STATIC_KEY_FALSE(pfm_hooks_key);

static void pfm_note(struct pfm_context *ctx, enum pfm_sched_note note)
{
	if (ctx->pmu->ops->sched_note)
		ctx->pmu->ops->sched_note(ctx->pmu, note);
}

static void pfm_syswide_switch(struct pfm_context *ctx)
{
	raw_spin_lock(&ctx->lock);
	if (ctx->state == PFM_CTX_LOADED && ctx->started)
		pfm_note(ctx, PFM_NOTE_SWITCH_OUT);
	raw_spin_unlock(&ctx->lock);
}

static void pfm_thread_out(struct pfm_context *ctx)
{
	raw_spin_lock(&ctx->lock);
	if (!ctx->hw_live || ctx->last_cpu != smp_processor_id())
		goto out_unlock;
	if (ctx->started) {
		if (ctx->state == PFM_CTX_LOADED)
			pfm_note(ctx, PFM_NOTE_SWITCH_OUT);
		pfm_hw_stop(ctx);
	}
	if (!pfm_lazy_save())
		pfm_hw_save(ctx);
out_unlock:
	raw_spin_unlock(&ctx->lock);
}

/**
 * __pfm_sched_out - the scheduler's switch-out hook
 * @prev: the thread leaving this CPU
 */
void __pfm_sched_out(struct task_struct *prev)
{
	struct pfm_context *sys = this_cpu_read(pfm_cpu.syswide);
	struct pfm_context *ctx = READ_ONCE(prev->pfm_ctx);

	__this_cpu_write(pfm_cpu.in_sched, true);
	if (sys)
		pfm_syswide_switch(sys);
	if (ctx)
		pfm_thread_out(ctx);
	__this_cpu_write(pfm_cpu.in_sched, false);
}

/* Whether this CPU's PMU still holds exactly the context's registers. */
static bool pfm_hw_still_loaded(struct pfm_context *ctx, int cpu)
{
	return this_cpu_read(pfm_cpu.owner) == ctx && ctx->last_cpu == cpu &&
	       !ctx->dirty;
}

/**
 * pfm_excl_idle - whether a system-wide context must not count now
 * @ctx: the context, locked
 * @next: the thread running (or about to run) on its CPU
 *
 * Return: true when the active set has PFM_SETFL_EXCL_IDLE and @next is
 * the idle task.
 */
bool pfm_excl_idle(struct pfm_context *ctx, struct task_struct *next)
{
	return (ctx->active->flags & PFM_SETFL_EXCL_IDLE) &&
	       is_idle_task(next);
}

/* A set excluding idle stops while its CPU idles, and starts after. */
static void pfm_syswide_in(struct pfm_context *ctx, struct task_struct *next)
{
	bool pause;

	raw_spin_lock(&ctx->lock);
	if (ctx->state != PFM_CTX_LOADED || !ctx->started ||
	    !pfm_hw_holds(ctx))
		goto out_unlock;
	pause = pfm_excl_idle(ctx, next);
	if (pause && !ctx->idle_paused)
		pfm_hw_stop(ctx);
	else if (!pause && ctx->idle_paused)
		pfm_hw_start(ctx);
	ctx->idle_paused = pause;
out_unlock:
	raw_spin_unlock(&ctx->lock);
}

/**
 * __pfm_sched_in - the scheduler's switch-in hook
 * @next: the thread now running on this CPU
 */
void __pfm_sched_in(struct task_struct *next)
{
	struct pfm_context *sys = this_cpu_read(pfm_cpu.syswide);
	struct pfm_context *ctx = READ_ONCE(next->pfm_ctx);
	int cpu = smp_processor_id();
	bool migrated;

	/*
	 * Only a set that excludes idle has anything to do here. The active
	 * set of a context loaded on this CPU changes only on this CPU with
	 * interrupts off, so it can be looked at without the lock.
	 */
	if (sys && ((sys->active->flags & PFM_SETFL_EXCL_IDLE) ||
		    sys->idle_paused))
		pfm_syswide_in(sys, next);
	if (!ctx)
		return;

	__this_cpu_write(pfm_cpu.in_sched, true);
	raw_spin_lock(&ctx->lock);
	if (!pfm_ctx_loaded(ctx))
		goto out_unlock;
	migrated = ctx->last_cpu >= 0 && ctx->last_cpu != cpu;
	if (pfm_hw_still_loaded(ctx, cpu))
		pfm_hw_set_live(ctx);
	else
		pfm_hw_load(ctx);
	if (ctx->started && ctx->state == PFM_CTX_LOADED) {
		pfm_hw_start(ctx);
		if (migrated)
			pfm_note(ctx, PFM_NOTE_MIGRATE);
	}
out_unlock:
	raw_spin_unlock(&ctx->lock);
	__this_cpu_write(pfm_cpu.in_sched, false);
}
