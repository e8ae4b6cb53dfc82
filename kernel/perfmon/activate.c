// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: pfm_start(), pfm_stop() and pfm_restart().
 *
 * "Started" is a flag of a loaded context. The counters of a thread that
 * is not running start or stop when it next runs.
 */
#include "internal.h"

struct pfm_activate {
	struct pfm_context	*ctx;
	struct pfm_event_set	*set;
	bool			start;
	int			ret;
};

static bool pfm_live_here(struct pfm_context *ctx)
{
	return pfm_hw_holds(ctx) &&
	       (pfm_ctx_is_syswide(ctx) || ctx->task == current);
}

static void pfm_activate_here(void *data)
{
	struct pfm_activate *a = data;
	struct pfm_context *ctx = a->ctx;
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	/* A masked context changes sets at pfm_restart() only. */
	if (a->set && a->set != ctx->active &&
	    ctx->state == PFM_CTX_MASKED) {
		a->ret = -EBUSY;
		goto out_unlock;
	}
	if (a->set && pfm_ctx_loaded(ctx))
		pfm_switch_set(ctx, a->set);
	if (!pfm_ctx_loaded(ctx) || ctx->started == a->start)
		goto out_unlock;
	ctx->started = a->start;
	/* A masked context's counters are stopped already. */
	if (!pfm_live_here(ctx) || ctx->state == PFM_CTX_MASKED)
		goto out_unlock;
	if (!a->start)
		pfm_hw_stop(ctx);
	else if (pfm_ctx_is_syswide(ctx) && pfm_excl_idle(ctx, current))
		ctx->idle_paused = true;
	else
		pfm_hw_start(ctx);
	if (!a->start)
		ctx->idle_paused = false;
out_unlock:
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
}

static int pfm_activate(struct pfm_context *ctx, bool start,
			struct pfm_event_set *set)
{
	struct pfm_activate a = { .ctx = ctx, .start = start, .set = set };

	pfm_on_ctx_cpu(ctx, pfm_activate_here, &a);
	return a.ret;
}

/**
 * pfm_start - start monitoring
 * @ctx: the context, loaded, its mutex held
 * @req: the checked optional argument, or NULL
 *
 * With @req, monitoring starts with the set it names.
 *
 * Return: 0; -EINVAL for an unknown set; -EBUSY for a set other than the
 * active one while the context is masked.
 */
int pfm_start(struct pfm_context *ctx, const struct pfarg_start *req)
{
	struct pfm_event_set *set = NULL;

	if (req) {
		set = pfm_find_set(ctx, req->start_set);
		if (!set)
			return -EINVAL;
	}
	return pfm_activate(ctx, true, set);
}

/**
 * pfm_stop - stop monitoring; the counts stay readable
 * @ctx: the context, loaded, its mutex held
 *
 * Return: 0.
 */
int pfm_stop(struct pfm_context *ctx)
{
	return pfm_activate(ctx, false, NULL);
}

struct pfm_restart_req {
	struct pfm_context	*ctx;
	int			ret;
	int			retry_cpu;
	bool			unblock;
};

/* Unmask: the format rewinds, the overflowed PMDs get their long reset. */
static void pfm_unmask(struct pfm_context *ctx)
{
	u32 ctrl = PFM_OVFL_CTRL_RESET;

	if (ctx->smpl_fmt && ctx->smpl_fmt->restart)
		ctx->smpl_fmt->restart(ctx->smpl_buf, &ctrl);
	if (ctx->state != PFM_CTX_MASKED || (ctrl & PFM_OVFL_CTRL_MASK))
		return;
	if (ctrl & PFM_OVFL_CTRL_RESET)
		pfm_reset_pmds(ctx, ctx->ovfl_pmds, true);
	bitmap_zero(ctx->ovfl_pmds, ctx->pmu->num_pmds);
	ctx->state = PFM_CTX_LOADED;
	if (ctx->started && pfm_live_here(ctx))
		pfm_hw_start(ctx);
	if (ctx->switch_pending) {
		ctx->switch_pending = false;
		pfm_switch_next(ctx);
	}
}

/*
 * Runs where the PMU holds the context, or anywhere when none does: a
 * PMU holding it elsewhere (its thread runs there) asks for a retry there.
 */
static void pfm_restart_here(void *data)
{
	struct pfm_restart_req *r = data;
	struct pfm_context *ctx = r->ctx;
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	r->retry_cpu = -1;
	if (ctx->hw_live && ctx->last_cpu != smp_processor_id()) {
		r->retry_cpu = ctx->last_cpu;
		goto out_unlock;
	}
	if (!ctx->can_restart) {
		r->ret = -EBUSY;
		goto out_unlock;
	}
	ctx->can_restart = 0;
	pfm_unmask(ctx);
	/* A format that keeps it masked leaves it restartable. */
	if (ctx->state == PFM_CTX_MASKED)
		ctx->can_restart = 1;
	r->unblock = ctx->block_pending;
out_unlock:
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
}

/**
 * pfm_restart - resume after an overflow notification
 * @ctx: the context, loaded or masked, its mutex held
 *
 * The monitored thread need not be stopped: the restart is carried to the
 * CPU it runs on, and a thread waiting for it (PFM_FL_NOTIFY_BLOCK) goes.
 *
 * Return: 0, or -EBUSY when no notification waits for a restart.
 */
int pfm_restart(struct pfm_context *ctx)
{
	struct pfm_restart_req r = { .ctx = ctx };
	int cpu;

	if (pfm_ctx_is_syswide(ctx)) {
		pfm_on_ctx_cpu(ctx, pfm_restart_here, &r);
	} else {
		cpu = raw_smp_processor_id();
		for (;;) {
			if (smp_call_function_single(cpu, pfm_restart_here,
						     &r, 1))
				pfm_restart_here(&r);
			if (r.retry_cpu < 0)
				break;
			cpu = r.retry_cpu;
		}
	}
	if (r.unblock)
		pfm_unblock(ctx);
	return r.ret;
}
