// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the register image of a context and its trips to the PMU.
 *
 * Every PMD is 64 bits wide to user space whatever the hardware width:
 * the bits above the counter width live in the image, the PMU holds the
 * rest while the context is live. Every function here runs on the CPU
 * whose PMU holds (or receives) the context, with interrupts disabled and
 * the context lock held.
 */
#include <linux/percpu.h>

#include "internal.h"

DEFINE_PER_CPU(struct pfm_cpu, pfm_cpu);

static __always_inline void pfm_count_access(void)
{
	pfm_count_accesses(1);
}

/*
 * The register writes without the accounting, for the loops that write
 * many and account them at once.
 */
static __always_inline void __pfm_hw_write_pmc(struct pfm_context *ctx,
					       unsigned int idx)
{
	ctx->pmu->ops->write_pmc(ctx->pmu, idx, ctx->pmcs[idx]);
}

static __always_inline void __pfm_hw_write_pmd(struct pfm_context *ctx,
					       unsigned int idx)
{
	ctx->pmu->ops->write_pmd(ctx->pmu, idx,
				 ctx->pmds[idx].value & ctx->ovfl_mask);
}

/**
 * pfm_hw_write_pmc - write one PMC of the image into the PMU
 * @ctx: the live context
 * @idx: PMC number
 */
void pfm_hw_write_pmc(struct pfm_context *ctx, unsigned int idx)
{
	lockdep_assert_held(&ctx->lock);
	pfm_count_access();
	__pfm_hw_write_pmc(ctx, idx);
}

/**
 * pfm_hw_write_pmd - write one PMD of the image into the PMU
 * @ctx: the live context
 * @idx: PMD number
 */
void pfm_hw_write_pmd(struct pfm_context *ctx, unsigned int idx)
{
	lockdep_assert_held(&ctx->lock);
	pfm_count_access();
	__pfm_hw_write_pmd(ctx, idx);
}

/**
 * pfm_hw_read_pmd - current 64-bit value of a PMD
 * @ctx: the context
 * @idx: PMD number
 *
 * Return: the value, from the PMU when the context is live on this CPU.
 */
u64 pfm_hw_read_pmd(struct pfm_context *ctx, unsigned int idx)
{
	lockdep_assert_held(&ctx->lock);
	if (!ctx->hw_live)
		return ctx->pmds[idx].value;
	pfm_count_access();
	return __pfm_hw_read_pmd(ctx, idx);
}

/**
 * pfm_hw_set_live - the PMU of this CPU now holds the context's values
 * @ctx: the context
 */
void pfm_hw_set_live(struct pfm_context *ctx)
{
	lockdep_assert_held(&ctx->lock);
	ctx->hw_live = true;
	this_cpu_write(pfm_cpu.live, ctx);
}

/**
 * pfm_hw_clear_live - the context's values are in its image again
 * @ctx: the context
 */
void pfm_hw_clear_live(struct pfm_context *ctx)
{
	lockdep_assert_held(&ctx->lock);
	ctx->hw_live = false;
	if (this_cpu_read(pfm_cpu.live) == ctx)
		this_cpu_write(pfm_cpu.live, NULL);
}

/*
 * With lazy save, the PMU may still hold the only copy of another
 * context's counts: save them before they are overwritten. Nothing else
 * runs on the single CPU, so the nested lock cannot be contended.
 */
static void pfm_hw_save_previous_owner(struct pfm_context *ctx)
{
	struct pfm_context *prev = this_cpu_read(pfm_cpu.owner);

	if (!pfm_lazy_save() || !prev || prev == ctx)
		return;
	raw_spin_lock_nested(&prev->lock, SINGLE_DEPTH_NESTING);
	if (prev->hw_live && prev->last_cpu == smp_processor_id())
		pfm_hw_save(prev);
	raw_spin_unlock(&prev->lock);
}

/**
 * pfm_hw_load - load the whole image into this CPU's PMU
 * @ctx: the context
 *
 * Counting is not enabled; pfm_hw_start() does that.
 */
void pfm_hw_load(struct pfm_context *ctx)
{
	unsigned int npmcs = ctx->pmu->num_pmcs;
	unsigned int npmds = ctx->pmu->num_pmds;
	unsigned int i, writes = 0;

	lockdep_assert_held(&ctx->lock);
	pfm_hw_save_previous_owner(ctx);
	for (i = pfm_next_bit(ctx->used_pmcs, npmcs, 0); i < npmcs;
	     i = pfm_next_bit(ctx->used_pmcs, npmcs, i + 1), writes++)
		__pfm_hw_write_pmc(ctx, i);
	for (i = pfm_next_bit(ctx->used_pmds, npmds, 0); i < npmds;
	     i = pfm_next_bit(ctx->used_pmds, npmds, i + 1), writes++)
		__pfm_hw_write_pmd(ctx, i);
	pfm_count_accesses(writes);

	this_cpu_write(pfm_cpu.owner, ctx);
	ctx->last_cpu = smp_processor_id();
	pfm_hw_set_live(ctx);
	ctx->dirty = false;
}

/**
 * pfm_hw_save - bring the PMD values from this CPU's PMU into the image
 * @ctx: the context, live on this CPU
 *
 * The PMU keeps its values, so a later pfm_hw_load() may be skipped when
 * nobody else used the PMU in between.
 */
void pfm_hw_save(struct pfm_context *ctx)
{
	DECLARE_BITMAP(wrapped, PFM_MAX_PMDS);
	bool any;

	lockdep_assert_held(&ctx->lock);
	if (!ctx->hw_live)
		return;
	any = pfm_hw_save_pmds(ctx, wrapped);
	pfm_hw_clear_live(ctx);
	if (any)
		pfm_ovfl_catch_up(ctx, wrapped);
}

/**
 * pfm_hw_save_pmds - bring the active set's PMD values into its image
 * @ctx: the context, live on this CPU
 * @wrapped: out: the PMDs whose 64-bit value wrapped since they were
 *	loaded, an overflow the interrupt has not handled yet
 *
 * Return: whether @wrapped has a bit set.
 */
bool pfm_hw_save_pmds(struct pfm_context *ctx, unsigned long *wrapped)
{
	unsigned int n = ctx->pmu->num_pmds;
	unsigned int i, reads = 0;
	bool any = false;
	u64 old;

	lockdep_assert_held(&ctx->lock);
	pfm_bits_zero(wrapped, n);
	if (!ctx->hw_live)
		return false;
	for (i = pfm_next_bit(ctx->used_pmds, n, 0); i < n;
	     i = pfm_next_bit(ctx->used_pmds, n, i + 1), reads++) {
		old = ctx->pmds[i].value;
		ctx->pmds[i].value = __pfm_hw_read_pmd(ctx, i);
		if (ctx->pmds[i].value < old &&
		    !(ctx->pmds[i].flags & PFM_REGFL_NO_EMUL64)) {
			__set_bit(i, wrapped);
			any = true;
		}
	}
	pfm_count_accesses(reads);
	return any;
}

/**
 * pfm_hw_start - enable counting on this CPU's PMU
 * @ctx: the context, loaded on this CPU
 */
void pfm_hw_start(struct pfm_context *ctx)
{
	lockdep_assert_held(&ctx->lock);
	pfm_count_access();
	ctx->pmu->ops->start(ctx->pmu, ctx->used_pmcs, ctx->pmcs);
	pfm_set_counting_start(ctx);
}

/**
 * pfm_hw_stop - disable counting on this CPU's PMU
 * @ctx: the context, loaded on this CPU
 */
void pfm_hw_stop(struct pfm_context *ctx)
{
	lockdep_assert_held(&ctx->lock);
	pfm_count_access();
	ctx->pmu->ops->stop(ctx->pmu, ctx->used_pmcs);
	pfm_set_counting_stop(ctx);
}
