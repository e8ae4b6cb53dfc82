// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the PMU resource manager's policy: one class at a time,
 * references counted, the interrupt routed to the owning class only.
 * They run at boot, before any program could hold the PMU, and leave it
 * free.
 */
#include <kunit/test.h>
#include <linux/perfmon_rm.h>

#include "internal.h"

static int pfm_rm_test_init(struct kunit *test)
{
	if (pfm_rm_owner() != PFM_RM_NONE)
		kunit_skip(test, "the PMU is in use (%s)",
			   pfm_rm_owner_name(pfm_rm_owner()));
	return 0;
}

static void pfm_rm_exclusive(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, pfm_rm_acquire(PFM_RM_PERF), 0);
	KUNIT_EXPECT_EQ(test, pfm_rm_owner(), PFM_RM_PERF);
	KUNIT_EXPECT_EQ(test, pfm_rm_acquire(PFM_RM_PERFMON), -EBUSY);
	KUNIT_EXPECT_EQ(test, pfm_rm_acquire(PFM_RM_VCPU), -EBUSY);
	pfm_rm_release(PFM_RM_PERF);
	KUNIT_EXPECT_EQ(test, pfm_rm_owner(), PFM_RM_NONE);

	KUNIT_ASSERT_EQ(test, pfm_rm_acquire(PFM_RM_PERFMON), 0);
	KUNIT_EXPECT_EQ(test, pfm_rm_acquire(PFM_RM_PERF), -EBUSY);
	pfm_rm_release(PFM_RM_PERFMON);
	KUNIT_EXPECT_EQ(test, pfm_rm_owner(), PFM_RM_NONE);
}

/* The owner keeps the PMU until its last reference is dropped. */
static void pfm_rm_counts_references(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, pfm_rm_acquire(PFM_RM_PERFMON), 0);
	KUNIT_ASSERT_EQ(test, pfm_rm_acquire(PFM_RM_PERFMON), 0);
	pfm_rm_release(PFM_RM_PERFMON);
	KUNIT_EXPECT_EQ(test, pfm_rm_owner(), PFM_RM_PERFMON);
	KUNIT_EXPECT_EQ(test, pfm_rm_acquire(PFM_RM_PERF), -EBUSY);
	pfm_rm_release(PFM_RM_PERFMON);
	KUNIT_EXPECT_EQ(test, pfm_rm_owner(), PFM_RM_NONE);
	KUNIT_ASSERT_EQ(test, pfm_rm_acquire(PFM_RM_PERF), 0);
	pfm_rm_release(PFM_RM_PERF);
}

static int pfm_rm_test_irqs;

static irqreturn_t pfm_rm_test_handler(struct pt_regs *regs)
{
	pfm_rm_test_irqs++;
	return IRQ_HANDLED;
}

/* Only a non-perf owner's handler runs; otherwise perf handles it. */
static void pfm_rm_routes_interrupt(struct kunit *test)
{
	irqreturn_t ret = IRQ_NONE;

	if (pfm_rm_set_irq_handler(PFM_RM_VCPU, pfm_rm_test_handler))
		kunit_skip(test, "the vcpu class already has a handler");
	pfm_rm_test_irqs = 0;

	KUNIT_EXPECT_FALSE(test, pfm_rm_dispatch_irq(NULL, &ret));
	KUNIT_ASSERT_EQ(test, pfm_rm_acquire(PFM_RM_PERF), 0);
	KUNIT_EXPECT_FALSE(test, pfm_rm_dispatch_irq(NULL, &ret));
	pfm_rm_release(PFM_RM_PERF);

	KUNIT_ASSERT_EQ(test, pfm_rm_acquire(PFM_RM_VCPU), 0);
	KUNIT_EXPECT_TRUE(test, pfm_rm_dispatch_irq(NULL, &ret));
	KUNIT_EXPECT_EQ(test, ret, IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, pfm_rm_test_irqs, 1);
	pfm_rm_release(PFM_RM_VCPU);

	KUNIT_EXPECT_EQ(test, pfm_rm_set_irq_handler(PFM_RM_VCPU,
						     pfm_rm_test_handler),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, pfm_rm_set_irq_handler(PFM_RM_PERF,
						     pfm_rm_test_handler),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pfm_rm_set_irq_handler(PFM_RM_VCPU, NULL), 0);
	KUNIT_EXPECT_EQ(test, pfm_rm_test_irqs, 1);
}

static void pfm_rm_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, pfm_rm_owner_name(PFM_RM_NONE), "none");
	KUNIT_EXPECT_STREQ(test, pfm_rm_owner_name(PFM_RM_PERF),
			   "perf_events");
	KUNIT_EXPECT_STREQ(test, pfm_rm_owner_name(PFM_RM_PERFMON),
			   "perfmon");
	KUNIT_EXPECT_STREQ(test, pfm_rm_owner_name(PFM_RM_VCPU), "vcpu");
	KUNIT_EXPECT_STREQ(test, pfm_rm_owner_name(PFM_RM_NR_USERS), "none");
}

static struct kunit_case pfm_rm_test_cases[] = {
	KUNIT_CASE(pfm_rm_exclusive),
	KUNIT_CASE(pfm_rm_counts_references),
	KUNIT_CASE(pfm_rm_routes_interrupt),
	KUNIT_CASE(pfm_rm_names),
	{}
};

static struct kunit_suite pfm_rm_suite = {
	.name		= "perfmon_pmu_rm",
	.init		= pfm_rm_test_init,
	.test_cases	= pfm_rm_test_cases,
};

kunit_test_suite(pfm_rm_suite);
