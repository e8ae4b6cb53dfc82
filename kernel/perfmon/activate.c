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
	bool			start;
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
	if (ctx->state != PFM_CTX_LOADED || ctx->started == a->start)
		goto out_unlock;
	ctx->started = a->start;
	if (!pfm_live_here(ctx))
		goto out_unlock;
	if (a->start)
		pfm_hw_start(ctx);
	else
		pfm_hw_stop(ctx);
out_unlock:
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
}

static int pfm_activate(struct pfm_context *ctx, bool start)
{
	struct pfm_activate a = { .ctx = ctx, .start = start };

	return pfm_on_ctx_cpu(ctx, pfm_activate_here, &a);
}

/**
 * pfm_start - start monitoring
 * @ctx: the context, loaded, its mutex held
 * @req: the checked optional argument, or NULL
 *
 * Return: 0, or -EINVAL for a set other than 0.
 */
int pfm_start(struct pfm_context *ctx, const struct pfarg_start *req)
{
	if (req && req->start_set)
		return -EINVAL;
	return pfm_activate(ctx, true);
}

/**
 * pfm_stop - stop monitoring; the counts stay readable
 * @ctx: the context, loaded, its mutex held
 *
 * Return: 0.
 */
int pfm_stop(struct pfm_context *ctx)
{
	return pfm_activate(ctx, false);
}

/**
 * pfm_restart - resume after an overflow notification
 * @ctx: the context, masked, its mutex held
 *
 * Only a masked context gets here (pfm_check_state()), and nothing masks
 * a context before overflow handling exists, so there is nothing to do.
 *
 * Return: 0.
 */
int pfm_restart(struct pfm_context *ctx)
{
	return 0;
}
