// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of event sets on a context that is never loaded: the set
 * list and its order, the checks of pfm_create_evtsets() and
 * pfm_delete_evtsets(), the round-robin switch order, overflow switch
 * counting and the statistics pfm_getinfo_evtsets() reports.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/slab.h>

#include "internal.h"

static int sets_init(struct kunit *test)
{
	struct pfm_context *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	raw_spin_lock_init(&ctx->lock);
	ctx->pmu = &pfm_sw_pmu;
	ctx->state = PFM_CTX_UNLOADED;
	ctx->last_cpu = -1;
	if (pfm_sets_init(ctx))
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

static void sets_exit(struct kunit *test)
{
	pfm_sets_free(test->priv);
}

static int create(struct kunit *test, u16 id, u32 flags, u64 timeout)
{
	struct pfarg_setdesc d = {
		.set_id = id, .set_flags = flags, .set_timeout = timeout,
	};

	return pfm_create_evtsets(test->priv, &d, 1);
}

static void pfm_sets_kept_in_id_order(struct kunit *test)
{
	struct pfm_context *ctx = test->priv;
	static const u16 ids[] = { 7, 3, 65535, 1, 12 };
	struct pfm_event_set *set;
	int i, prev = -1;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		KUNIT_ASSERT_EQ(test, create(test, ids[i], 0, 0), 0);
	KUNIT_EXPECT_EQ(test, ctx->nr_sets, ARRAY_SIZE(ids) + 1);
	list_for_each_entry(set, &ctx->sets, list) {
		KUNIT_EXPECT_GT(test, (int)set->id, prev);
		prev = set->id;
	}
	KUNIT_EXPECT_EQ(test, prev, 65535);
	KUNIT_EXPECT_EQ(test, pfm_find_set(ctx, 12)->id, 12);
	KUNIT_EXPECT_NULL(test, pfm_find_set(ctx, 2));
}

static void pfm_sets_create_checks(struct kunit *test)
{
	struct pfm_context *ctx = test->priv;
	struct pfarg_setdesc two[2] = { { .set_id = 4 }, { .set_id = 4 } };

	KUNIT_EXPECT_EQ(test, create(test, 1, PFM_SETFL_TIME_SWITCH |
				     PFM_SETFL_OVFL_SWITCH, 1000000), -EINVAL);
	KUNIT_EXPECT_EQ(test, create(test, 1, PFM_SETFL_TIME_SWITCH, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, create(test, 1, 0, 1000000), -EINVAL);
	KUNIT_EXPECT_EQ(test, create(test, 1, 0x100, 0), -EINVAL);
	/* System-wide only. */
	KUNIT_EXPECT_EQ(test, create(test, 1, PFM_SETFL_EXCL_IDLE, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pfm_create_evtsets(ctx, two, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->nr_sets, 1);
	ctx->flags = PFM_FL_SYSTEM_WIDE;
	KUNIT_EXPECT_EQ(test, create(test, 1, PFM_SETFL_EXCL_IDLE, 0), 0);
}

static void pfm_sets_effective_timeout(struct kunit *test)
{
	struct pfarg_setdesc d = {
		.set_id = 2, .set_flags = PFM_SETFL_TIME_SWITCH,
		.set_timeout = 1,
	};

	KUNIT_ASSERT_EQ(test, pfm_create_evtsets(test->priv, &d, 1), 0);
	KUNIT_EXPECT_EQ(test, d.set_timeout, PFM_SET_MIN_TIMEOUT_NS);
	d.set_timeout = 3 * NSEC_PER_MSEC + 1;
	KUNIT_ASSERT_EQ(test, pfm_create_evtsets(test->priv, &d, 1), 0);
	KUNIT_EXPECT_GE(test, d.set_timeout, 3 * NSEC_PER_MSEC + 1);
	KUNIT_EXPECT_EQ(test, d.set_timeout % hrtimer_resolution, 0);
}

static void pfm_sets_limit(struct kunit *test)
{
	struct pfm_context *ctx = test->priv;
	int i;

	for (i = 1; i < PFM_MAX_SETS; i++)
		KUNIT_ASSERT_EQ(test, create(test, i, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, create(test, PFM_MAX_SETS, 0, 0), -ENOSPC);
	/* Changing an existing set needs no room. */
	KUNIT_EXPECT_EQ(test, create(test, 5, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, ctx->nr_sets, PFM_MAX_SETS);
}

static void pfm_sets_delete_checks(struct kunit *test)
{
	struct pfm_context *ctx = test->priv;
	struct pfarg_setdesc d = { .set_id = 0 };

	KUNIT_ASSERT_EQ(test, create(test, 9, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, pfm_delete_evtsets(ctx, &d, 1), -EINVAL);
	d.set_id = 8;
	KUNIT_EXPECT_EQ(test, pfm_delete_evtsets(ctx, &d, 1), -EINVAL);
	d.set_id = 9;
	d.set_flags = PFM_SETFL_TIME_SWITCH;
	KUNIT_EXPECT_EQ(test, pfm_delete_evtsets(ctx, &d, 1), -EINVAL);
	d.set_flags = 0;
	KUNIT_EXPECT_EQ(test, pfm_delete_evtsets(ctx, &d, 1), 0);
	KUNIT_EXPECT_NULL(test, pfm_find_set(ctx, 9));
	KUNIT_EXPECT_EQ(test, ctx->nr_sets, 1);
}

/* Round robin by increasing id, wrapping, counting activations. */
static void pfm_sets_switch_order(struct kunit *test)
{
	struct pfm_context *ctx = test->priv;
	static const u16 order[] = { 2, 10, 0, 2, 10, 0 };
	unsigned long flags;
	int i;

	KUNIT_ASSERT_EQ(test, create(test, 10, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, create(test, 2, 0, 0), 0);
	raw_spin_lock_irqsave(&ctx->lock, flags);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		pfm_switch_next(ctx);
		KUNIT_EXPECT_EQ(test, ctx->active->id, order[i]);
		KUNIT_EXPECT_PTR_EQ(test, ctx->pmds, ctx->active->pmds);
	}
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	KUNIT_EXPECT_EQ(test, pfm_find_set(ctx, 2)->runs, 2);
	KUNIT_EXPECT_EQ(test, pfm_find_set(ctx, 10)->runs, 2);
	/* A switch of a context nobody holds changes the image only. */
	KUNIT_EXPECT_TRUE(test, ctx->dirty);
}

/* reg_ovfl_switch_cnt overflows of one PMD make the switch. */
static void pfm_sets_ovfl_switch_count(struct kunit *test)
{
	struct pfm_context *ctx = test->priv;
	unsigned long ovfl = BIT(1), other = BIT(2);
	struct pfm_event_set *set;
	unsigned long flags;

	KUNIT_ASSERT_EQ(test, create(test, 0, PFM_SETFL_OVFL_SWITCH, 0), 0);
	KUNIT_ASSERT_EQ(test, create(test, 1, 0, 0), 0);
	set = pfm_find_set(ctx, 0);
	__set_bit(1, set->used_pmds);
	__set_bit(2, set->used_pmds);
	set->pmds[1].ovfl_switch_cnt = 3;
	raw_spin_lock_irqsave(&ctx->lock, flags);
	pfm_set_activate(ctx, set);
	KUNIT_EXPECT_FALSE(test, pfm_set_ovfl_switch(ctx, &ovfl));
	KUNIT_EXPECT_FALSE(test, pfm_set_ovfl_switch(ctx, &other));
	KUNIT_EXPECT_FALSE(test, pfm_set_ovfl_switch(ctx, &ovfl));
	KUNIT_EXPECT_TRUE(test, pfm_set_ovfl_switch(ctx, &ovfl));
	/* Reloaded when the set is activated again. */
	pfm_set_activate(ctx, set);
	KUNIT_EXPECT_EQ(test, set->pmds[1].ovfl_switch_left, 3);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	KUNIT_EXPECT_EQ(test, set->ovfl_pmds[0], ovfl);
}

static void pfm_sets_statistics(struct kunit *test)
{
	struct pfm_context *ctx = test->priv;
	struct pfarg_setinfo info[2] = { { .set_id = 0 }, { .set_id = 6 } };
	unsigned long flags;

	KUNIT_ASSERT_EQ(test, create(test, 6, PFM_SETFL_TIME_SWITCH,
				     5 * NSEC_PER_MSEC), 0);
	raw_spin_lock_irqsave(&ctx->lock, flags);
	pfm_set_counting_start(ctx);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	/* Interrupts on: the clock may be the tick's (x86 under TCG). */
	usleep_range(3000, 5000);
	raw_spin_lock_irqsave(&ctx->lock, flags);
	pfm_set_counting_stop(ctx);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);

	KUNIT_ASSERT_EQ(test, pfm_getinfo_evtsets(ctx, info, 2), 0);
	KUNIT_EXPECT_GE(test, info[0].set_act_duration, 2 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LT(test, info[0].set_act_duration, 200 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, info[1].set_act_duration, 0);
	KUNIT_EXPECT_EQ(test, info[1].set_runs, 0);
	KUNIT_EXPECT_EQ(test, info[1].set_timeout, 5 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, info[1].set_flags, PFM_SETFL_TIME_SWITCH);
	/* The software PMU has PMCs and PMDs 0 to 3. */
	KUNIT_EXPECT_EQ(test, info[0].set_avail_pmcs[0], 0xfULL);
	KUNIT_EXPECT_EQ(test, info[0].set_avail_pmds[0], 0xfULL);
	info[1].set_id = 99;
	KUNIT_EXPECT_EQ(test, pfm_getinfo_evtsets(ctx, info, 2), -EINVAL);
}

static struct kunit_case pfm_sets_test_cases[] = {
	KUNIT_CASE(pfm_sets_kept_in_id_order),
	KUNIT_CASE(pfm_sets_create_checks),
	KUNIT_CASE(pfm_sets_effective_timeout),
	KUNIT_CASE(pfm_sets_limit),
	KUNIT_CASE(pfm_sets_delete_checks),
	KUNIT_CASE(pfm_sets_switch_order),
	KUNIT_CASE(pfm_sets_ovfl_switch_count),
	KUNIT_CASE(pfm_sets_statistics),
	{}
};

static struct kunit_suite pfm_sets_suite = {
	.name		= "perfmon_sets",
	.init		= sets_init,
	.exit		= sets_exit,
	.test_cases	= pfm_sets_test_cases,
};

kunit_test_suite(pfm_sets_suite);
