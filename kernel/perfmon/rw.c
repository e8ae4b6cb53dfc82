// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: pfm_write_pmcs(), pfm_write_pmds() and pfm_read_pmds().
 *
 * A vector is processed in order and stops at its first bad element,
 * whose reg_flags receive PFM_REG_RETFL_* bits saying why; the elements
 * before it stay committed. Checks that need the caller's credentials are
 * made before the vector goes to the CPU that owns the context, where the
 * elements are applied with interrupts off.
 *
 * Each element names its event set (reg_set). The active set is the one
 * the PMU holds; the others are register images only, and reading one
 * gives the values it had when it was last switched out.
 */
#include <linux/nospec.h>
#include <linux/smp.h>

#include "internal.h"

/* Arguments of the per-vector work, carried to the owning CPU. */
struct pfm_rw_args {
	void		*req;
	int		count;
	bool		may_count_kernel;
};

/* Bits 24-31 of reg_flags are output only and ignored on input. */
#define PFM_REGFL_OUTPUT	GENMASK(31, 24)

static u32 pfm_in_flags(u32 reg_flags)
{
	return reg_flags & ~PFM_REGFL_OUTPUT;
}

/* Report in its reg_flags why an element was refused. */
static void pfm_mark_bad(u32 *reg_flags, u32 retfl)
{
	*reg_flags = pfm_in_flags(*reg_flags) | retfl;
}

/*
 * The register index of a user element, or -1. The index is clamped
 * under speculation before it reaches any table.
 */
static __always_inline int pfm_reg_index(const struct pfm_regdesc *regs,
					 unsigned int num, u16 reg_num)
{
	unsigned int idx;

	if (reg_num >= num)
		return -1;
	idx = array_index_nospec(reg_num, num);
	return regs[idx].type ? idx : -1;
}

/*
 * Whether the PMU holds this context here and now, for a thread or CPU
 * that is running, so that writes go through to it.
 */
static bool pfm_ctx_running_here(struct pfm_context *ctx)
{
	if (!pfm_ctx_loaded(ctx))
		return false;
	if (pfm_ctx_is_syswide(ctx))
		return ctx->cpu == smp_processor_id();
	return ctx->task == current;
}

/*
 * Prepare the image for a change: a running context gets its PMU loaded
 * so the change can be written through; a context whose thread is not
 * running gets its live values saved, and is reloaded in full later.
 */
static bool pfm_prepare_change(struct pfm_context *ctx)
{
	if (pfm_ctx_running_here(ctx)) {
		if (!ctx->hw_live || ctx->dirty)
			pfm_hw_load(ctx);
		return true;
	}
	if (ctx->hw_live && ctx->last_cpu == smp_processor_id())
		pfm_hw_save(ctx);
	ctx->dirty = true;
	return false;
}

static int pfm_check_pmc(struct pfm_context *ctx, const struct pfarg_pmc *req,
			 bool may_count_kernel, u64 *val, u32 *retfl,
			 struct pfm_event_set **set)
{
	const struct pfm_pmu_desc *pmu = ctx->pmu;
	const struct pfm_regdesc *reg;
	u32 flags = pfm_in_flags(req->reg_flags);
	int idx;

	*retfl = PFM_REG_RETFL_EINVAL;
	*set = pfm_find_set(ctx, req->reg_set);
	if (!*set) {
		*retfl = PFM_REG_RETFL_NOSET;
		return -EINVAL;
	}
	idx = pfm_reg_index(pmu->pmcs, pmu->num_pmcs, req->reg_num);
	if (idx < 0) {
		*retfl = PFM_REG_RETFL_NOTAVAIL;
		return -EINVAL;
	}
	reg = &pmu->pmcs[idx];
	if (flags & ~PFM_REGFL_NO_EMUL64)
		return -EINVAL;
	if ((flags & PFM_REGFL_NO_EMUL64) && !(reg->type & PFM_REG_NO64))
		return -EINVAL;
	if (!pfm_all_zero(req->reg_reserved2, sizeof(req->reg_reserved2)))
		return -EINVAL;

	/* Reserved bits take their default value, as perfmon2 did. */
	*val = (req->reg_value & ~reg->rsvd_msk) | (reg->dfl_val & reg->rsvd_msk);
	if (flags & PFM_REGFL_NO_EMUL64)
		*val &= ~reg->no_emul64_msk;
	if ((reg->type & PFM_REG_WC) &&
	    pmu->ops->pmc_write_check(pmu, idx, val))
		return -EINVAL;
	if (!may_count_kernel && pmu->ops->pmc_counts_kernel &&
	    pmu->ops->pmc_counts_kernel(pmu, idx, *val))
		return -EPERM;
	*retfl = 0;
	return idx;
}

static void pfm_commit_pmc(struct pfm_context *ctx, struct pfm_event_set *set,
			   unsigned int idx, u64 val, u32 flags, bool through)
{
	const struct pfm_pmu_desc *pmu = ctx->pmu;
	bool restart;

	set->pmcs[idx] = val;
	__set_bit(idx, set->used_pmcs);
	/* A PMC controls the PMD of the same number, if there is one. */
	if (idx < pmu->num_pmds && pmu->pmds[idx].type) {
		__set_bit(idx, set->used_pmds);
		if (flags & PFM_REGFL_NO_EMUL64)
			set->pmds[idx].flags |= PFM_REGFL_NO_EMUL64;
		else
			set->pmds[idx].flags &= ~PFM_REGFL_NO_EMUL64;
	}
	if (!through || set != ctx->active)
		return;
	restart = set->counting;
	if (restart)
		pfm_hw_stop(ctx);
	pfm_hw_write_pmc(ctx, idx);
	if (restart)
		pfm_hw_start(ctx);
}

static int pfm_write_pmcs_here(struct pfm_context *ctx, struct pfm_rw_args *a)
{
	struct pfarg_pmc *req = a->req;
	struct pfm_event_set *set;
	bool through;
	int i, idx;
	u32 retfl;
	u64 val;

	through = pfm_prepare_change(ctx);
	for (i = 0; i < a->count; i++) {
		idx = pfm_check_pmc(ctx, &req[i], a->may_count_kernel, &val,
				    &retfl, &set);
		if (idx < 0) {
			pfm_mark_bad(&req[i].reg_flags, retfl);
			return idx;
		}
		pfm_commit_pmc(ctx, set, idx, val,
			       pfm_in_flags(req[i].reg_flags), through);
	}
	return 0;
}

static bool pfm_bv_within(const u64 *bv, unsigned int num)
{
	unsigned int bit;

	for (bit = num; bit < PFM_MAX_PMDS; bit++)
		if (bv[bit / 64] & BIT_ULL(bit % 64))
			return false;
	return true;
}

/*
 * The PMD an element names, with its set in *set; or -EINVAL with the
 * reason in *retfl. The elements of a vector usually name one set, so
 * *set, the previous element's set or NULL, is looked at first.
 */
static __always_inline int pfm_lookup_pmd(struct pfm_context *ctx,
					  const struct pfarg_pmd *req,
					  u32 *retfl,
					  struct pfm_event_set **set)
{
	const struct pfm_pmu_desc *pmu = ctx->pmu;
	int idx;

	if (!*set || (*set)->id != req->reg_set) {
		*set = pfm_find_set(ctx, req->reg_set);
		if (!*set) {
			*retfl = PFM_REG_RETFL_NOSET;
			return -EINVAL;
		}
	}
	idx = pfm_reg_index(pmu->pmds, pmu->num_pmds, req->reg_num);
	if (idx < 0) {
		*retfl = PFM_REG_RETFL_NOTAVAIL;
		return -EINVAL;
	}
	return idx;
}

static int pfm_check_pmd(struct pfm_context *ctx, const struct pfarg_pmd *req,
			 u32 *retfl, struct pfm_event_set **set)
{
	const struct pfm_pmu_desc *pmu = ctx->pmu;
	u32 flags = pfm_in_flags(req->reg_flags);
	int idx;

	idx = pfm_lookup_pmd(ctx, req, retfl, set);
	if (idx < 0)
		return idx;
	*retfl = PFM_REG_RETFL_EINVAL;
	if (flags & ~(PFM_REGFL_OVFL_NOTIFY | PFM_REGFL_RANDOM))
		return -EINVAL;
	if (req->reg_random_seed ||
	    !pfm_all_zero(req->reg_reserved2, sizeof(req->reg_reserved2)))
		return -EINVAL;
	if (!pfm_bv_within(req->reg_reset_pmds, pmu->num_pmds) ||
	    !pfm_bv_within(req->reg_smpl_pmds, pmu->num_pmds))
		return -EINVAL;
	*retfl = 0;
	return idx;
}

/* The value a PMD write stores, after the description had its say. */
static int pfm_check_pmd_value(struct pfm_context *ctx, unsigned int idx,
			       u64 *val)
{
	const struct pfm_pmu_desc *pmu = ctx->pmu;
	const struct pfm_regdesc *reg = &pmu->pmds[idx];

	*val &= ~reg->rsvd_msk;
	if ((reg->type & PFM_REG_WC) &&
	    pmu->ops->pmd_write_check(pmu, idx, val))
		return -EINVAL;
	return 0;
}

static void pfm_commit_pmd(struct pfm_context *ctx, struct pfm_event_set *set,
			   unsigned int idx, const struct pfarg_pmd *req,
			   u64 val, bool through)
{
	struct pfm_pmd *pmd = &set->pmds[idx];
	u32 keep = pmd->flags & PFM_REGFL_NO_EMUL64;

	pmd->long_reset = req->reg_long_reset;
	pmd->short_reset = req->reg_short_reset;
	pmd->ovfl_switch_cnt = req->reg_ovfl_switch_cnt;
	pmd->ovfl_switch_left = req->reg_ovfl_switch_cnt;
	memcpy(pmd->reset_pmds, req->reg_reset_pmds, sizeof(pmd->reset_pmds));
	memcpy(pmd->smpl_pmds, req->reg_smpl_pmds, sizeof(pmd->smpl_pmds));
	pmd->eventid = req->reg_smpl_eventid;
	pmd->random_mask = req->reg_random_mask;
	pmd->flags = pfm_in_flags(req->reg_flags) | keep;
	__set_bit(idx, set->used_pmds);

	/* Read-only PMDs keep their value, as perfmon2 did. */
	if (ctx->pmu->pmds[idx].type & PFM_REG_RO)
		return;
	pmd->value = val;
	/* The first period starts here, as if the PMD had been reset. */
	pmd->last_reset = val;
	if (through && set == ctx->active)
		pfm_hw_write_pmd(ctx, idx);
}

static int pfm_write_pmds_here(struct pfm_context *ctx, struct pfm_rw_args *a)
{
	struct pfarg_pmd *req = a->req;
	struct pfm_event_set *set = NULL;
	bool through;
	int i, idx;
	u32 retfl;
	u64 val;

	through = pfm_prepare_change(ctx);
	for (i = 0; i < a->count; i++) {
		idx = pfm_check_pmd(ctx, &req[i], &retfl, &set);
		val = req[i].reg_value;
		if (idx >= 0 && pfm_check_pmd_value(ctx, idx, &val)) {
			retfl = PFM_REG_RETFL_EINVAL;
			idx = -EINVAL;
		}
		if (idx < 0) {
			pfm_mark_bad(&req[i].reg_flags, retfl);
			return idx;
		}
		pfm_commit_pmd(ctx, set, idx, &req[i], val, through);
	}
	return 0;
}

static int pfm_read_pmds_here(struct pfm_context *ctx, struct pfm_rw_args *a)
{
	struct pfarg_pmd *req = a->req;
	struct pfm_event_set *set = NULL, *held;
	const struct pfm_pmd *pmd;
	unsigned int reads = 0;
	int i, idx, count = a->count, ret = 0;
	u32 retfl;

	lockdep_assert_held(&ctx->lock);
	/*
	 * Reading moves nothing between the PMU and the image: whether this
	 * CPU's PMU holds the active set is the same for every element.
	 */
	held = pfm_hw_holds(ctx) ? ctx->active : NULL;
	if (held && ctx->pmu->ops->read_begin)
		ctx->pmu->ops->read_begin(ctx->pmu);
	for (i = 0; i < count; i++) {
		idx = pfm_lookup_pmd(ctx, &req[i], &retfl, &set);
		if (idx < 0) {
			pfm_mark_bad(&req[i].reg_flags, retfl);
			ret = idx;
			break;
		}
		pmd = &set->pmds[idx];
		/* An unused PMD's counter may hold anybody's count. */
		if (set == held && test_bit(idx, set->used_pmds)) {
			req[i].reg_value = __pfm_hw_read_pmd(ctx, idx);
			reads++;
		} else {
			req[i].reg_value = pmd->value;
		}
		req[i].reg_ovfl_switch_cnt = pmd->ovfl_switch_left;
		req[i].reg_last_reset_val = pmd->last_reset;
		req[i].reg_long_reset = pmd->long_reset;
		req[i].reg_short_reset = pmd->short_reset;
		req[i].reg_flags = pfm_in_flags(req[i].reg_flags);
	}
	if (held && ctx->pmu->ops->read_end)
		ctx->pmu->ops->read_end(ctx->pmu);
	/* The accesses of a vector are counted at once. */
	if (reads)
		pfm_count_accesses(reads);
	return ret;
}

struct pfm_exec {
	struct pfm_context	*ctx;
	int (*fn)(struct pfm_context *ctx, struct pfm_rw_args *a);
	struct pfm_rw_args	*args;
	int			ret;
};

static void pfm_exec_locked(void *data)
{
	struct pfm_exec *e = data;
	unsigned long flags;

	raw_spin_lock_irqsave(&e->ctx->lock, flags);
	e->ret = e->fn(e->ctx, e->args);
	raw_spin_unlock_irqrestore(&e->ctx->lock, flags);
}

/* Run fn on the CPU of a context that needs an IPI, pfm_on_ctx_cpu(). */
static int pfm_rw_exec_remote(struct pfm_context *ctx,
			      int (*fn)(struct pfm_context *,
					struct pfm_rw_args *),
			      struct pfm_rw_args *a)
{
	struct pfm_exec e = { .ctx = ctx, .fn = fn, .args = a };
	int ret;

	ret = pfm_on_ctx_cpu(ctx, pfm_exec_locked, &e);
	return ret ? ret : e.ret;
}

/*
 * Run fn where the PMU holds the context. Inlined, so that fn is a direct
 * call where no IPI is needed: a thread working on its own context, the
 * usual case, goes through neither pfm_on_ctx_cpu() nor indirect calls.
 */
static __always_inline int
pfm_rw_exec(struct pfm_context *ctx,
	    int (*fn)(struct pfm_context *, struct pfm_rw_args *),
	    struct pfm_rw_args *a)
{
	unsigned long flags;
	int ret;

	if (pfm_ctx_needs_ipi(ctx))
		return pfm_rw_exec_remote(ctx, fn, a);
	raw_spin_lock_irqsave(&ctx->lock, flags);
	ret = fn(ctx, a);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	return ret;
}

/**
 * pfm_write_pmcs - apply a pfm_write_pmcs() vector
 * @ctx: the context, its mutex held
 * @req: the vector, copied in; the bad element's reg_flags are updated
 * @count: its length
 *
 * Return: 0, -EINVAL, -EPERM (kernel-level counting not allowed), or an
 * error of pfm_on_ctx_cpu().
 */
int pfm_write_pmcs(struct pfm_context *ctx, struct pfarg_pmc *req, int count)
{
	struct pfm_rw_args a = {
		.req = req, .count = count,
		.may_count_kernel = pfm_may_count_kernel(),
	};

	return pfm_rw_exec(ctx, pfm_write_pmcs_here, &a);
}

/**
 * pfm_write_pmds - apply a pfm_write_pmds() vector
 * @ctx: the context, its mutex held
 * @req: the vector, copied in; the bad element's reg_flags are updated
 * @count: its length
 *
 * Return: 0, -EINVAL, or an error of pfm_on_ctx_cpu().
 */
int pfm_write_pmds(struct pfm_context *ctx, struct pfarg_pmd *req, int count)
{
	struct pfm_rw_args a = { .req = req, .count = count };

	return pfm_rw_exec(ctx, pfm_write_pmds_here, &a);
}

/**
 * pfm_read_pmds - fill a pfm_read_pmds() vector
 * @ctx: the context, its mutex held
 * @req: the vector, copied in and filled in place
 * @count: its length
 *
 * Return: 0, -EINVAL, or an error of pfm_on_ctx_cpu().
 */
int pfm_read_pmds(struct pfm_context *ctx, struct pfarg_pmd *req, int count)
{
	struct pfm_rw_args a = { .req = req, .count = count };

	return pfm_rw_exec(ctx, pfm_read_pmds_here, &a);
}
