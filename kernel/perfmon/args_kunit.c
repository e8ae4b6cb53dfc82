// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the system call argument checks: unknown flags, reserved
 * fields, flag combinations and vector sizes.
 */
#include <kunit/test.h>

#include "internal.h"

static void pfm_ctx_arg_zero_ok(struct kunit *test)
{
	struct pfarg_ctx req = { };

	KUNIT_EXPECT_EQ(test, pfm_check_ctx_arg(&req), 0);
}

static void pfm_ctx_arg_each_known_flag_ok(struct kunit *test)
{
	static const u32 known[] = {
		PFM_FL_NOTIFY_BLOCK, PFM_FL_SYSTEM_WIDE, PFM_FL_OVFL_NO_MSG,
		PFM_FL_FD_CLOEXEC,
	};
	struct pfarg_ctx req = { };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		req.ctx_flags = known[i];
		KUNIT_EXPECT_EQ_MSG(test, pfm_check_ctx_arg(&req), 0,
				    "flag %#x", known[i]);
	}
}

static void pfm_ctx_arg_unknown_flags_einval(struct kunit *test)
{
	struct pfarg_ctx req = { };
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		if (BIT(bit) & PFM_FL_ALL)
			continue;
		req.ctx_flags = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, pfm_check_ctx_arg(&req), -EINVAL,
				    "bit %u", bit);
	}
}

static void pfm_ctx_arg_reserved_einval(struct kunit *test)
{
	struct pfarg_ctx req = { .ctx_reserved1 = 1 };
	unsigned int i;

	KUNIT_EXPECT_EQ(test, pfm_check_ctx_arg(&req), -EINVAL);
	req.ctx_reserved1 = 0;
	for (i = 0; i < ARRAY_SIZE(req.ctx_reserved2); i++) {
		req.ctx_reserved2[i] = BIT_ULL(63);
		KUNIT_EXPECT_EQ_MSG(test, pfm_check_ctx_arg(&req), -EINVAL,
				    "word %u", i);
		req.ctx_reserved2[i] = 0;
	}
}

static void pfm_ctx_arg_block_system_wide_einval(struct kunit *test)
{
	struct pfarg_ctx req = {
		.ctx_flags = PFM_FL_NOTIFY_BLOCK | PFM_FL_SYSTEM_WIDE,
	};

	KUNIT_EXPECT_EQ(test, pfm_check_ctx_arg(&req), -EINVAL);
}

static void pfm_vec_count_limits(struct kunit *test)
{
	static const size_t sizes[] = {
		sizeof(struct pfarg_pmc), sizeof(struct pfarg_pmd),
		sizeof(struct pfarg_setdesc), sizeof(struct pfarg_setinfo),
	};
	unsigned int i;
	int max;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		max = PFM_MAX_VEC_BYTES / sizes[i];
		KUNIT_EXPECT_EQ(test, pfm_check_vec_count(-1, sizes[i]),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, pfm_check_vec_count(INT_MIN, sizes[i]),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, pfm_check_vec_count(0, sizes[i]), 0);
		KUNIT_EXPECT_EQ(test, pfm_check_vec_count(max, sizes[i]), 0);
		KUNIT_EXPECT_EQ(test, pfm_check_vec_count(max + 1, sizes[i]),
				-E2BIG);
		KUNIT_EXPECT_EQ(test, pfm_check_vec_count(INT_MAX, sizes[i]),
				-E2BIG);
	}
}

static void pfm_vec_count_fits_every_pmd(struct kunit *test)
{
	/* One call must be able to read back every PMD of a set. */
	KUNIT_EXPECT_EQ(test, pfm_check_vec_count(PFM_MAX_PMDS,
						  sizeof(struct pfarg_pmd)), 0);
}

static void pfm_load_arg_checks(struct kunit *test)
{
	struct pfarg_load req = { .load_pid = 1, .load_set = 3 };
	unsigned int i;

	KUNIT_EXPECT_EQ(test, pfm_check_load_arg(&req), 0);
	req.load_reserved1 = 1;
	KUNIT_EXPECT_EQ(test, pfm_check_load_arg(&req), -EINVAL);
	req.load_reserved1 = 0;
	for (i = 0; i < ARRAY_SIZE(req.load_reserved2); i++) {
		req.load_reserved2[i] = 1;
		KUNIT_EXPECT_EQ(test, pfm_check_load_arg(&req), -EINVAL);
		req.load_reserved2[i] = 0;
	}
}

static void pfm_start_arg_checks(struct kunit *test)
{
	struct pfarg_start req = { .start_set = 7 };
	unsigned int i;

	KUNIT_EXPECT_EQ(test, pfm_check_start_arg(&req), 0);
	req.start_reserved1 = 1;
	KUNIT_EXPECT_EQ(test, pfm_check_start_arg(&req), -EINVAL);
	req.start_reserved1 = 0;
	req.start_reserved2 = 1;
	KUNIT_EXPECT_EQ(test, pfm_check_start_arg(&req), -EINVAL);
	req.start_reserved2 = 0;
	for (i = 0; i < ARRAY_SIZE(req.reserved3); i++) {
		req.reserved3[i] = 1;
		KUNIT_EXPECT_EQ(test, pfm_check_start_arg(&req), -EINVAL);
		req.reserved3[i] = 0;
	}
}

static struct kunit_case pfm_args_test_cases[] = {
	KUNIT_CASE(pfm_ctx_arg_zero_ok),
	KUNIT_CASE(pfm_ctx_arg_each_known_flag_ok),
	KUNIT_CASE(pfm_ctx_arg_unknown_flags_einval),
	KUNIT_CASE(pfm_ctx_arg_reserved_einval),
	KUNIT_CASE(pfm_ctx_arg_block_system_wide_einval),
	KUNIT_CASE(pfm_vec_count_limits),
	KUNIT_CASE(pfm_vec_count_fits_every_pmd),
	KUNIT_CASE(pfm_load_arg_checks),
	KUNIT_CASE(pfm_start_arg_checks),
	{}
};

static struct kunit_suite pfm_args_suite = {
	.name		= "perfmon_args",
	.test_cases	= pfm_args_test_cases,
};

kunit_test_suite(pfm_args_suite);
