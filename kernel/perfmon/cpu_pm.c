// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: CPU power-down.
 *
 * A CPU that idles in a power-down state loses its PMU registers, and
 * arm_pmu resets the PMU on every CPU_PM_EXIT, whether perf_events uses
 * it or not. Left alone, a system-wide context would stop counting at the
 * first deep idle, and a lazy restore would trust registers that are no
 * longer there.
 *
 * So, before the power-down, the values of the context live on this CPU
 * go to its image and the CPU forgets whose registers it holds; after it,
 * the context that has to count right away (this CPU's system-wide one,
 * or the one of the thread that powered the CPU down) is loaded again and
 * restarted. Any other context is reloaded at its next switch-in.
 *
 * The notifier has a lower priority than arm_pmu's, so that reset comes
 * before the reload. Between the two events interrupts stay off, so the
 * only contexts that can change meanwhile are those of other threads,
 * which are not reloaded here.
 */
#include <linux/cpu_pm.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include "internal.h"

/**
 * struct pfm_cpu_pm - what a CPU saved before a power-down
 * @ctx: the context to load again afterwards, or NULL.
 * @restart: it was counting, so counting restarts too.
 */
struct pfm_cpu_pm {
	struct pfm_context	*ctx;
	bool			restart;
};

static DEFINE_PER_CPU(struct pfm_cpu_pm, pfm_cpu_pm);

/* Whether the hardware counts for @ctx, live on this CPU, right now. */
static bool pfm_cpu_pm_counting(struct pfm_context *ctx)
{
	if (ctx->state != PFM_CTX_LOADED || !ctx->started)
		return false;
	if (pfm_ctx_is_syswide(ctx))
		return !ctx->idle_paused;
	return ctx == READ_ONCE(current->pfm_ctx);
}

/* Whether @ctx must be loaded again as soon as the CPU is back. */
static bool pfm_cpu_pm_resumes(struct pfm_context *ctx)
{
	return ctx == this_cpu_read(pfm_cpu.syswide) ||
	       ctx == READ_ONCE(current->pfm_ctx);
}

static void pfm_cpu_pm_save(void)
{
	struct pfm_cpu_pm *pm = this_cpu_ptr(&pfm_cpu_pm);
	struct pfm_context *ctx = this_cpu_read(pfm_cpu.live);

	pm->ctx = NULL;
	if (ctx) {
		raw_spin_lock(&ctx->lock);
		if (pfm_hw_holds(ctx)) {
			pm->restart = pfm_cpu_pm_counting(ctx);
			if (pm->restart)
				pfm_hw_stop(ctx);
			pfm_hw_save(ctx);
			if (pfm_cpu_pm_resumes(ctx))
				pm->ctx = ctx;
		}
		raw_spin_unlock(&ctx->lock);
	}
	/* Whatever the PMU holds now is gone after the power-down. */
	this_cpu_write(pfm_cpu.owner, NULL);
}

static void pfm_cpu_pm_restore(void)
{
	struct pfm_cpu_pm *pm = this_cpu_ptr(&pfm_cpu_pm);
	struct pfm_context *ctx = pm->ctx;

	if (!ctx)
		return;
	pm->ctx = NULL;
	raw_spin_lock(&ctx->lock);
	if (pfm_ctx_loaded(ctx)) {
		pfm_hw_load(ctx);
		if (pm->restart)
			pfm_hw_start(ctx);
	}
	raw_spin_unlock(&ctx->lock);
}

static int pfm_cpu_pm_notify(struct notifier_block *nb, unsigned long cmd,
			     void *unused)
{
	switch (cmd) {
	case CPU_PM_ENTER:
		/* With no context loaded, no CPU holds anything to keep. */
		if (!static_branch_unlikely(&pfm_hooks_key))
			return NOTIFY_DONE;
		pfm_cpu_pm_save();
		break;
	case CPU_PM_ENTER_FAILED:
	case CPU_PM_EXIT:
		pfm_cpu_pm_restore();
		break;
	default:
		return NOTIFY_DONE;
	}
	return NOTIFY_OK;
}

static struct notifier_block pfm_cpu_pm_nb = {
	.notifier_call	= pfm_cpu_pm_notify,
	/* After arm_pmu's (priority 0): its reset on exit comes first. */
	.priority	= -1,
};

static int __init pfm_cpu_pm_init(void)
{
	return cpu_pm_register_notifier(&pfm_cpu_pm_nb);
}
subsys_initcall(pfm_cpu_pm_init);
