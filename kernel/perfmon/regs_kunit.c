// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the 64-bit counter virtualization arithmetic, at the
 * hardware widths of the PMUs perfmon describes.
 */
#include <kunit/test.h>

#include "internal.h"

static const unsigned int widths[] = { 31, 32, 40, 47, 48, 63, 64 };

static void width_desc(const unsigned int *w, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u-bit counter", *w);
}

KUNIT_ARRAY_PARAM(width, widths, width_desc);

static u64 mask_of(struct kunit *test)
{
	unsigned int w = *(const unsigned int *)test->param_value;

	return GENMASK_ULL(w - 1, 0);
}

static void pfm_fold_no_wrap(struct kunit *test)
{
	u64 mask = mask_of(test);
	u64 upper = mask == U64_MAX ? 0 : (mask + 1) * 5;

	/* The counter moved from 10 to 1000 without wrapping. */
	KUNIT_EXPECT_EQ(test, pfm_pmd_fold(upper + 10, 1000, mask),
			upper + 1000);
	KUNIT_EXPECT_EQ(test, pfm_pmd_fold(upper + 10, 10, mask), upper + 10);
}

static void pfm_fold_wraps_once(struct kunit *test)
{
	u64 mask = mask_of(test);

	if (mask == U64_MAX)
		kunit_skip(test, "a 64-bit counter wraps with its value");
	/* From 5 below the top to 7: 12 events, across the wrap. */
	KUNIT_EXPECT_EQ(test, pfm_pmd_fold(mask - 4, 7, mask), mask + 8);
	KUNIT_EXPECT_EQ(test, pfm_pmd_fold(mask, 0, mask), mask + 1);
	/* The software bits above the width keep counting wraps. */
	KUNIT_EXPECT_EQ(test, pfm_pmd_fold(3 * (mask + 1) + mask, 1, mask),
			4 * (mask + 1) + 1);
}

static void pfm_fold_ignores_stray_high_bits(struct kunit *test)
{
	u64 mask = mask_of(test);

	if (mask == U64_MAX)
		kunit_skip(test, "no bits above a 64-bit counter");
	/* Bits above the width in a hardware read are not counts. */
	KUNIT_EXPECT_EQ(test, pfm_pmd_fold(100, ~mask | 200, mask), 200);
}

static void pfm_value_no_emul64_wraps(struct kunit *test)
{
	u64 mask = mask_of(test);
	u64 upper = mask == U64_MAX ? 0 : mask + 1;

	/* Without emulation the value is the counter, wraps included. */
	KUNIT_EXPECT_EQ(test, pfm_pmd_value(upper + mask - 4, 7, mask, true),
			7);
	KUNIT_EXPECT_EQ(test, pfm_pmd_value(upper + 10, 1000, mask, true),
			1000);
	KUNIT_EXPECT_EQ(test, pfm_pmd_value(upper + 10, 1000, mask, false),
			upper + 1000);
}

static struct kunit_case pfm_regs_test_cases[] = {
	KUNIT_CASE_PARAM(pfm_fold_no_wrap, width_gen_params),
	KUNIT_CASE_PARAM(pfm_fold_wraps_once, width_gen_params),
	KUNIT_CASE_PARAM(pfm_fold_ignores_stray_high_bits, width_gen_params),
	KUNIT_CASE_PARAM(pfm_value_no_emul64_wraps, width_gen_params),
	{}
};

static struct kunit_suite pfm_regs_suite = {
	.name		= "perfmon_regs",
	.test_cases	= pfm_regs_test_cases,
};

kunit_test_suite(pfm_regs_suite);
