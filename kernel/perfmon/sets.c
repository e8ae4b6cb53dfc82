// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: event sets, and switching between them.
 *
 * A PMU has a few counters; event sets let a context measure more events
 * than that by taking turns. Each set is a full register image. One set,
 * the active one, is in the PMU while the context is live; the kernel
 * switches to the next set by increasing id (wrapping around) when the
 * active set's timeout expires (PFM_SETFL_TIME_SWITCH) or after a given
 * number of overflows of its PMDs (PFM_SETFL_OVFL_SWITCH).
 *
 * Sets keep statistics for tools to scale their counts: how often each
 * was activated and for how long it counted (the latter only while the
 * context has more than one set: the only set needs no scaling, and its
 * context switches then cost no clock reads). Time only runs for a set
 * while it counts: while its thread runs (or, system-wide, while its CPU
 * is not idle with PFM_SETFL_EXCL_IDLE) and monitoring is started and not
 * masked. The switch timer runs on the same terms, from a per-CPU hrtimer.
 *
 * A switch rewrites only the PMCs whose values differ between the two
 * sets, and the PMDs of the incoming set.
 */
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>

#include "internal.h"

static DEFINE_PER_CPU(struct hrtimer, pfm_set_timer);

static struct pfm_event_set *pfm_set_alloc(struct pfm_context *ctx, u16 id)
{
	const struct pfm_pmu_desc *pmu = ctx->pmu;
	struct pfm_event_set *set;
	unsigned int i;

	set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return NULL;
	set->id = id;
	set->pmcs = kcalloc(pmu->num_pmcs, sizeof(*set->pmcs),
			    GFP_KERNEL_ACCOUNT);
	set->pmds = kcalloc(pmu->num_pmds, sizeof(*set->pmds),
			    GFP_KERNEL_ACCOUNT);
	if (!set->pmcs || !set->pmds) {
		kfree(set->pmcs);
		kfree(set->pmds);
		kfree(set);
		return NULL;
	}
	for (i = 0; i < pmu->num_pmcs; i++)
		set->pmcs[i] = pmu->pmcs[i].dfl_val;
	return set;
}

static void pfm_set_free(struct pfm_event_set *set)
{
	kfree(set->pmcs);
	kfree(set->pmds);
	kfree(set);
}

/* Insert @set in the list by increasing id. */
static void pfm_set_insert(struct pfm_context *ctx, struct pfm_event_set *set)
{
	struct pfm_event_set *pos;

	list_for_each_entry(pos, &ctx->sets, list) {
		if (pos->id > set->id) {
			list_add_tail(&set->list, &pos->list);
			goto out_count;
		}
	}
	list_add_tail(&set->list, &ctx->sets);
out_count:
	ctx->nr_sets++;
}

/**
 * pfm_find_set - look an event set up by id
 * @ctx: the context
 * @id: the set id
 *
 * Return: the set, or NULL.
 */
struct pfm_event_set *pfm_find_set(struct pfm_context *ctx, u16 id)
{
	struct pfm_event_set *set;

	if (ctx->active && ctx->active->id == id)
		return ctx->active;
	list_for_each_entry(set, &ctx->sets, list)
		if (set->id == id)
			return set;
	return NULL;
}

/**
 * pfm_set_point - make a set the active one, without starting a turn
 * @ctx: the context; locked, unless nobody else can see it yet
 * @set: the set
 *
 * The PMU is not touched: pfm_switch_set() does that for a live context.
 */
void pfm_set_point(struct pfm_context *ctx, struct pfm_event_set *set)
{
	ctx->active = set;
	ctx->used_pmcs = set->used_pmcs;
	ctx->used_pmds = set->used_pmds;
	ctx->pmcs = set->pmcs;
	ctx->pmds = set->pmds;
}

/**
 * pfm_set_activate - make a set the active one for a new turn
 * @ctx: the context; locked, unless nobody else can see it yet
 * @set: the set
 *
 * The turn is counted, and the set's timeout and overflow switch counts
 * start over.
 */
void pfm_set_activate(struct pfm_context *ctx, struct pfm_event_set *set)
{
	unsigned int n = ctx->pmu->num_pmds;
	unsigned int i;

	pfm_set_point(ctx, set);
	set->runs++;
	set->remaining = set->timeout;
	for (i = pfm_next_bit(set->used_pmds, n, 0); i < n;
	     i = pfm_next_bit(set->used_pmds, n, i + 1))
		set->pmds[i].ovfl_switch_left = set->pmds[i].ovfl_switch_cnt;
}

/**
 * pfm_sets_init - give a new context its set 0
 * @ctx: the context, not yet visible
 *
 * Return: 0 or -ENOMEM.
 */
int pfm_sets_init(struct pfm_context *ctx)
{
	struct pfm_event_set *set;

	INIT_LIST_HEAD(&ctx->sets);
	set = pfm_set_alloc(ctx, 0);
	if (!set)
		return -ENOMEM;
	pfm_set_insert(ctx, set);
	pfm_set_point(ctx, set);
	return 0;
}

/**
 * pfm_sets_free - free every set of a context going away
 * @ctx: the context
 */
void pfm_sets_free(struct pfm_context *ctx)
{
	struct pfm_event_set *set, *tmp;

	if (!ctx->sets.next)
		return;
	list_for_each_entry_safe(set, tmp, &ctx->sets, list) {
		list_del(&set->list);
		pfm_set_free(set);
	}
}

/* --- time: duration and the switch timer --------------------------------------------- */

static s64 pfm_set_timer_left(void)
{
	return ktime_to_ns(hrtimer_get_remaining(this_cpu_ptr(&pfm_set_timer)));
}

/**
 * __pfm_set_counting_start - the active set starts counting on this CPU
 * @ctx: the context, locked, live here
 *
 * Called through pfm_set_counting_start() when the context has more than
 * one set: opens a duration stretch and arms the switch timer for what is
 * left of the set's timeout.
 */
void __pfm_set_counting_start(struct pfm_context *ctx)
{
	struct pfm_event_set *set = ctx->active;

	lockdep_assert_held(&ctx->lock);
	if (set->counting)
		return;
	set->counting = true;
	set->since = local_clock();
	if (set->flags & PFM_SETFL_TIME_SWITCH)
		hrtimer_start(this_cpu_ptr(&pfm_set_timer),
			      ns_to_ktime(set->remaining ?: 1),
			      HRTIMER_MODE_REL_PINNED_HARD);
}

/**
 * __pfm_set_counting_stop - the active set stops counting on this CPU
 * @ctx: the context, locked, live here
 *
 * Called through pfm_set_counting_stop() when the context has more than
 * one set: closes the duration stretch and keeps what is left of the
 * timeout for the next stretch.
 */
void __pfm_set_counting_stop(struct pfm_context *ctx)
{
	struct pfm_event_set *set = ctx->active;
	s64 left;

	lockdep_assert_held(&ctx->lock);
	if (!set->counting)
		return;
	set->counting = false;
	set->duration += local_clock() - set->since;
	if (!(set->flags & PFM_SETFL_TIME_SWITCH))
		return;
	left = pfm_set_timer_left();
	/* A timer that fired with the lock held here switches next time. */
	set->remaining = left > 0 ? left : 1;
	hrtimer_try_to_cancel(this_cpu_ptr(&pfm_set_timer));
}

static enum hrtimer_restart pfm_set_timer_fn(struct hrtimer *timer)
{
	struct pfm_context *ctx = this_cpu_read(pfm_cpu.live);

	if (!ctx)
		return HRTIMER_NORESTART;
	raw_spin_lock(&ctx->lock);
	if (pfm_hw_holds(ctx) && ctx->active->counting &&
	    (ctx->active->flags & PFM_SETFL_TIME_SWITCH))
		pfm_switch_next(ctx);
	raw_spin_unlock(&ctx->lock);
	return HRTIMER_NORESTART;
}

static int __init pfm_sets_timer_init(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct hrtimer *timer = per_cpu_ptr(&pfm_set_timer, cpu);

		hrtimer_init(timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		timer->function = pfm_set_timer_fn;
	}
	return 0;
}
early_initcall(pfm_sets_timer_init);

/* --- switching ------------------------------------------------------------------------ */

/* Bring the live PMU from @prev's registers to the active set's. */
static void pfm_switch_hw(struct pfm_context *ctx, struct pfm_event_set *prev)
{
	struct pfm_event_set *next = ctx->active;
	unsigned int npmcs = ctx->pmu->num_pmcs;
	unsigned int npmds = ctx->pmu->num_pmds;
	unsigned int i;

	for (i = pfm_next_bit(next->used_pmcs, npmcs, 0); i < npmcs;
	     i = pfm_next_bit(next->used_pmcs, npmcs, i + 1))
		if (!test_bit(i, prev->used_pmcs) ||
		    prev->pmcs[i] != next->pmcs[i])
			pfm_hw_write_pmc(ctx, i);
	for (i = pfm_next_bit(next->used_pmds, npmds, 0); i < npmds;
	     i = pfm_next_bit(next->used_pmds, npmds, i + 1))
		pfm_hw_write_pmd(ctx, i);
}

/**
 * pfm_switch_set - make another set the active one
 * @ctx: the context, locked; when live, on the CPU whose PMU holds it
 * @next: the set
 *
 * A live context has its counters stopped, the outgoing set's PMDs saved,
 * the PMU brought to @next's registers and counting resumed.
 */
void pfm_switch_set(struct pfm_context *ctx, struct pfm_event_set *next)
{
	DECLARE_BITMAP(wrapped, PFM_MAX_PMDS);
	struct pfm_event_set *prev = ctx->active;
	bool live = pfm_hw_holds(ctx);
	bool counting = live && prev->counting;

	lockdep_assert_held(&ctx->lock);
	if (next == prev || ctx->in_switch)
		return;
	if (counting)
		pfm_hw_stop(ctx);
	/*
	 * A PMD that wrapped just as the switch came has its overflow
	 * handled now, for the outgoing set; if that masks the context,
	 * the set stays until pfm_restart().
	 */
	if (live && pfm_hw_save_pmds(ctx, wrapped)) {
		ctx->in_switch = true;
		pfm_ovfl_catch_up(ctx, wrapped);
		ctx->in_switch = false;
		if (ctx->state == PFM_CTX_MASKED)
			return;
	}

	pfm_set_activate(ctx, next);
	if (live)
		pfm_switch_hw(ctx, prev);
	else
		ctx->dirty = true;
	if (counting)
		pfm_hw_start(ctx);
}

/**
 * pfm_switch_next - switch to the set after the active one, by id
 * @ctx: the context, locked, on the CPU whose PMU holds it
 */
void pfm_switch_next(struct pfm_context *ctx)
{
	struct pfm_event_set *next;

	if (list_is_last(&ctx->active->list, &ctx->sets))
		next = list_first_entry(&ctx->sets, struct pfm_event_set, list);
	else
		next = list_next_entry(ctx->active, list);
	pfm_switch_set(ctx, next);
}

/**
 * pfm_set_ovfl_switch - count overflows toward an overflow switch
 * @ctx: the context, locked
 * @ovfl: the PMDs of the active set whose 64-bit value wrapped
 *
 * Return: true when the active set has PFM_SETFL_OVFL_SWITCH and one of
 * its PMDs reached its reg_ovfl_switch_cnt.
 */
bool pfm_set_ovfl_switch(struct pfm_context *ctx, const unsigned long *ovfl)
{
	struct pfm_event_set *set = ctx->active;
	unsigned int n = ctx->pmu->num_pmds;
	bool do_switch = false;
	unsigned int i;

	pfm_bits_copy(set->ovfl_pmds, ovfl, n);
	if (!(set->flags & PFM_SETFL_OVFL_SWITCH) || ctx->nr_sets <= 1)
		return false;
	for (i = pfm_next_bit(ovfl, n, 0); i < n;
	     i = pfm_next_bit(ovfl, n, i + 1)) {
		struct pfm_pmd *pmd = &set->pmds[i];

		if (pmd->ovfl_switch_cnt && pmd->ovfl_switch_left &&
		    !--pmd->ovfl_switch_left)
			do_switch = true;
	}
	return do_switch;
}

/* --- the system calls ----------------------------------------------------------------- */

/* Round a timeout to what the timer can do, and no shorter than allowed. */
static u64 pfm_effective_timeout(u64 timeout)
{
	u64 res = hrtimer_resolution;

	timeout = max_t(u64, timeout, PFM_SET_MIN_TIMEOUT_NS);
	timeout = min_t(u64, timeout, KTIME_MAX / 2);
	return roundup(timeout, res);
}

static int pfm_check_setdesc(struct pfm_context *ctx,
			     const struct pfarg_setdesc *req)
{
	if (req->set_reserved1 ||
	    !pfm_all_zero(req->reserved, sizeof(req->reserved)))
		return -EINVAL;
	if (req->set_flags & ~PFM_SETFL_ALL)
		return -EINVAL;
	if ((req->set_flags & PFM_SETFL_OVFL_SWITCH) &&
	    (req->set_flags & PFM_SETFL_TIME_SWITCH))
		return -EINVAL;
	if ((req->set_flags & PFM_SETFL_TIME_SWITCH) && !req->set_timeout)
		return -EINVAL;
	if (!(req->set_flags & PFM_SETFL_TIME_SWITCH) && req->set_timeout)
		return -EINVAL;
	if ((req->set_flags & PFM_SETFL_EXCL_IDLE) && !pfm_ctx_is_syswide(ctx))
		return -EINVAL;
	return 0;
}

/* Refuse a vector that names one set twice. */
static bool pfm_setdesc_dups(const struct pfarg_setdesc *req, int count)
{
	int i, j;

	for (i = 0; i < count; i++)
		for (j = i + 1; j < count; j++)
			if (req[i].set_id == req[j].set_id)
				return true;
	return false;
}

/**
 * pfm_create_evtsets - create event sets, or change existing ones
 * @ctx: the context, unloaded, its mutex held
 * @req: the vector; set_timeout is updated to the effective timeout
 * @count: its length
 *
 * The vector is checked in full before anything changes. A changed set
 * keeps its registers and starts its statistics over.
 *
 * Return: 0; -EINVAL for bad flags, timeouts, reserved fields or an id
 * named twice; -ENOSPC past PFM_MAX_SETS sets; -ENOMEM.
 */
int pfm_create_evtsets(struct pfm_context *ctx, struct pfarg_setdesc *req,
		       int count)
{
	struct pfm_event_set *set;
	unsigned int new = 0;
	unsigned long flags;
	int i, ret;

	if (pfm_setdesc_dups(req, count))
		return -EINVAL;
	for (i = 0; i < count; i++) {
		ret = pfm_check_setdesc(ctx, &req[i]);
		if (ret)
			return ret;
		if (!pfm_find_set(ctx, req[i].set_id))
			new++;
	}
	if (ctx->nr_sets + new > PFM_MAX_SETS)
		return -ENOSPC;

	for (i = 0; i < count; i++) {
		set = pfm_find_set(ctx, req[i].set_id);
		if (!set) {
			set = pfm_set_alloc(ctx, req[i].set_id);
			if (!set)
				return -ENOMEM;
			raw_spin_lock_irqsave(&ctx->lock, flags);
			pfm_set_insert(ctx, set);
			raw_spin_unlock_irqrestore(&ctx->lock, flags);
		}
		raw_spin_lock_irqsave(&ctx->lock, flags);
		set->flags = req[i].set_flags;
		set->timeout = 0;
		if (set->flags & PFM_SETFL_TIME_SWITCH)
			set->timeout = pfm_effective_timeout(req[i].set_timeout);
		set->remaining = set->timeout;
		set->runs = 0;
		set->duration = 0;
		pfm_bits_zero(set->ovfl_pmds, PFM_MAX_PMDS);
		raw_spin_unlock_irqrestore(&ctx->lock, flags);
		req[i].set_timeout = set->timeout;
	}
	return 0;
}

/**
 * pfm_delete_evtsets - delete event sets
 * @ctx: the context, unloaded, its mutex held
 * @req: the vector; only set_id is used, the rest must be zero
 * @count: its length
 *
 * The vector is checked in full before any set goes.
 *
 * Return: 0, or -EINVAL for set 0, an unknown set, an id named twice or
 * a non-zero field.
 */
int pfm_delete_evtsets(struct pfm_context *ctx, struct pfarg_setdesc *req,
		       int count)
{
	struct pfm_event_set *set, *set0;
	unsigned long flags;
	int i;

	if (pfm_setdesc_dups(req, count))
		return -EINVAL;
	for (i = 0; i < count; i++) {
		if (!req[i].set_id || req[i].set_reserved1 ||
		    req[i].set_flags || req[i].set_timeout ||
		    !pfm_all_zero(req[i].reserved, sizeof(req[i].reserved)) ||
		    !pfm_find_set(ctx, req[i].set_id))
			return -EINVAL;
	}
	set0 = list_first_entry(&ctx->sets, struct pfm_event_set, list);
	for (i = 0; i < count; i++) {
		set = pfm_find_set(ctx, req[i].set_id);
		raw_spin_lock_irqsave(&ctx->lock, flags);
		if (ctx->active == set)
			pfm_set_point(ctx, set0);
		list_del(&set->list);
		ctx->nr_sets--;
		raw_spin_unlock_irqrestore(&ctx->lock, flags);
		pfm_set_free(set);
	}
	return 0;
}

static void pfm_fill_setinfo(struct pfm_context *ctx,
			     struct pfm_event_set *set,
			     struct pfarg_setinfo *info)
{
	const struct pfm_pmu_desc *pmu = ctx->pmu;
	u64 now = local_clock();
	unsigned int i;

	info->set_flags = set->flags;
	bitmap_to_arr64(info->set_ovfl_pmds, set->ovfl_pmds, pmu->num_pmds);
	info->set_runs = set->runs;
	info->set_act_duration = set->duration;
	info->set_timeout = set->timeout;
	if (set->counting && ctx->nr_sets > 1 && pfm_hw_holds(ctx)) {
		info->set_act_duration += now - set->since;
		if (set->flags & PFM_SETFL_TIME_SWITCH)
			info->set_timeout = max_t(s64, 1, pfm_set_timer_left());
	} else if (set == ctx->active && set->remaining) {
		info->set_timeout = set->remaining;
	}
	memset(info->set_avail_pmcs, 0, sizeof(info->set_avail_pmcs));
	memset(info->set_avail_pmds, 0, sizeof(info->set_avail_pmds));
	for (i = 0; i < pmu->num_pmcs; i++)
		if (pmu->pmcs[i].type)
			info->set_avail_pmcs[i / 64] |= BIT_ULL(i % 64);
	for (i = 0; i < pmu->num_pmds; i++)
		if (pmu->pmds[i].type)
			info->set_avail_pmds[i / 64] |= BIT_ULL(i % 64);
}

struct pfm_getinfo_req {
	struct pfm_context	*ctx;
	struct pfarg_setinfo	*req;
	int			count;
	int			ret;
};

static void pfm_getinfo_here(void *data)
{
	struct pfm_getinfo_req *g = data;
	struct pfm_context *ctx = g->ctx;
	struct pfm_event_set *set;
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	for (i = 0; i < g->count; i++) {
		struct pfarg_setinfo *info = &g->req[i];

		if (info->set_reserved1 ||
		    !pfm_all_zero(info->set_reserved3,
				  sizeof(info->set_reserved3))) {
			g->ret = -EINVAL;
			break;
		}
		set = pfm_find_set(ctx, info->set_id);
		if (!set) {
			g->ret = -EINVAL;
			break;
		}
		pfm_fill_setinfo(ctx, set, info);
	}
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
}

/**
 * pfm_getinfo_evtsets - report on event sets
 * @ctx: the context, its mutex held
 * @req: the vector: set_id in, the rest out
 * @count: its length
 *
 * The active set of a running system-wide context is read on its CPU, so
 * that its duration includes the stretch in progress.
 *
 * Return: 0, or -EINVAL for an unknown set or a non-zero reserved field
 * (elements before it are filled).
 */
int pfm_getinfo_evtsets(struct pfm_context *ctx, struct pfarg_setinfo *req,
			int count)
{
	struct pfm_getinfo_req g = { .ctx = ctx, .req = req, .count = count };

	pfm_on_ctx_cpu(ctx, pfm_getinfo_here, &g);
	return g.ret;
}
