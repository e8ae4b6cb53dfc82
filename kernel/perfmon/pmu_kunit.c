// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the PMU description registration table: validation of
 * descriptions, one active description, references held by users.
 */
#include <kunit/test.h>

#include "internal.h"

static int fake_check(const struct pfm_pmu_desc *pmu, unsigned int idx,
		      u64 *val)
{
	return 0;
}

static const struct pfm_pmu_ops fake_ops = {
	.pmc_write_check = fake_check,
	.pmd_write_check = fake_check,
};

static const struct pfm_pmu_ops fake_ops_pmc_only = {
	.pmc_write_check = fake_check,
};

static const struct pfm_regdesc fake_pmcs[] = {
	{ .name = "PMC0", .type = PFM_REG_I },
	{ },			/* a hole in the index space is fine */
	{ .name = "PMC2", .type = PFM_REG_W64, .no_emul64_msk = BIT_ULL(20) },
};

static const struct pfm_regdesc fake_pmds[] = {
	{ .name = "PMD0", .type = PFM_REG_C },
	{ .name = "PMD1", .type = PFM_REG_I | PFM_REG_RO },
};

#define FAKE_PMU(...) {						\
	.name		= "fake",					\
	.pmcs		= fake_pmcs,					\
	.pmds		= fake_pmds,					\
	.num_pmcs	= ARRAY_SIZE(fake_pmcs),			\
	.num_pmds	= ARRAY_SIZE(fake_pmds),			\
	.counter_width	= 47,						\
	.ops		= &fake_ops,					\
	__VA_ARGS__							\
}

static const struct pfm_pmu_desc fake_pmu = FAKE_PMU();

/* Single registers, each breaking (or keeping) one rule. */
static const struct pfm_regdesc pmc_good = { .name = "C", .type = PFM_REG_I };

static const struct pfm_regdesc pmd_good = { .name = "D", .type = PFM_REG_C };

static const struct pfm_regdesc reg_hole = { };

static const struct pfm_regdesc pmc_no_name = { .type = PFM_REG_I };

static const struct pfm_regdesc pmc_unknown_bit = {
	.name = "C", .type = PFM_REG_I | BIT(15),
};

static const struct pfm_regdesc pmc_not_implemented = {
	.name = "C", .type = PFM_REG_SYS,
};

static const struct pfm_regdesc pmc_sys_and_thr = {
	.name = "C", .type = PFM_REG_I | PFM_REG_SYS | PFM_REG_THR,
};

static const struct pfm_regdesc pmc_counter = { .name = "C", .type = PFM_REG_C };

static const struct pfm_regdesc pmc_read_only = {
	.name = "C", .type = PFM_REG_I | PFM_REG_RO,
};

static const struct pfm_regdesc pmd_no64 = {
	.name = "D", .type = PFM_REG_I | PFM_REG_NO64,
};

static const struct pfm_regdesc pmc_stray_no_emul64 = {
	.name = "C", .type = PFM_REG_I, .no_emul64_msk = 1,
};

static const struct pfm_regdesc pmc_checked = { .name = "C", .type = PFM_REG_W };

static const struct pfm_regdesc pmd_checked = {
	.name = "D", .type = PFM_REG_C | PFM_REG_WC,
};

/* A description made of one PMC and one PMD. */
#define ONE_REG_PMU(pmc, pmd, ops_)					\
	FAKE_PMU(.pmcs = &(pmc), .pmds = &(pmd), .num_pmcs = 1,		\
		 .num_pmds = 1, .ops = (ops_))

struct pmu_case {
	const char		*desc;
	struct pfm_pmu_desc	pmu;
	int			expected;
};

static const struct pmu_case pmu_cases[] = {
	{ "valid with holes", FAKE_PMU(), 0 },
	{ "valid single registers",
	  ONE_REG_PMU(pmc_good, pmd_good, NULL), 0 },
	{ "no name", FAKE_PMU(.name = NULL), -EINVAL },
	{ "empty name", FAKE_PMU(.name = ""), -EINVAL },
	{ "counter width 0", FAKE_PMU(.counter_width = 0), -EINVAL },
	{ "counter width 65", FAKE_PMU(.counter_width = 65), -EINVAL },
	{ "counter width 64", FAKE_PMU(.counter_width = 64), 0 },
	{ "no PMC table", FAKE_PMU(.pmcs = NULL), -EINVAL },
	{ "no PMD table", FAKE_PMU(.pmds = NULL), -EINVAL },
	{ "zero PMCs", FAKE_PMU(.num_pmcs = 0), -EINVAL },
	{ "too many PMCs", FAKE_PMU(.num_pmcs = PFM_MAX_PMCS + 1), -EINVAL },
	{ "too many PMDs", FAKE_PMU(.num_pmds = PFM_MAX_PMDS + 1), -EINVAL },
	{ "only holes", ONE_REG_PMU(reg_hole, pmd_good, NULL), -EINVAL },
	{ "register without name",
	  ONE_REG_PMU(pmc_no_name, pmd_good, NULL), -EINVAL },
	{ "unknown type bit",
	  ONE_REG_PMU(pmc_unknown_bit, pmd_good, NULL), -EINVAL },
	{ "type without implemented bit",
	  ONE_REG_PMU(pmc_not_implemented, pmd_good, NULL), -EINVAL },
	{ "system-wide and per-thread only",
	  ONE_REG_PMU(pmc_sys_and_thr, pmd_good, NULL), -EINVAL },
	{ "PMC with counter type",
	  ONE_REG_PMU(pmc_counter, pmd_good, NULL), -EINVAL },
	{ "PMC read-only",
	  ONE_REG_PMU(pmc_read_only, pmd_good, NULL), -EINVAL },
	{ "PMD with NO64", ONE_REG_PMU(pmc_good, pmd_no64, NULL), -EINVAL },
	{ "no_emul64_msk without NO64",
	  ONE_REG_PMU(pmc_stray_no_emul64, pmd_good, NULL), -EINVAL },
	{ "write-checked PMC without ops",
	  ONE_REG_PMU(pmc_checked, pmd_good, NULL), -EINVAL },
	{ "write-checked PMD without its checker",
	  ONE_REG_PMU(pmc_good, pmd_checked, &fake_ops_pmc_only), -EINVAL },
	{ "write-checked PMC with its checker",
	  ONE_REG_PMU(pmc_checked, pmd_good, &fake_ops_pmc_only), 0 },
};

static void pmu_case_desc(const struct pmu_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pmu_case, pmu_cases, pmu_case_desc);

static void pfm_pmu_validate_cases(struct kunit *test)
{
	const struct pmu_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, pfm_pmu_validate(&c->pmu), c->expected);
}

static void pfm_pmu_validate_null(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pfm_pmu_validate(NULL), -EINVAL);
}

static void pfm_pmu_validate_shipped(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pfm_pmu_validate(&pfm_sw_pmu), 0);
}

static void pfm_pmu_sw_pmc_check(struct kunit *test)
{
	int (*check)(const struct pfm_pmu_desc *pmu, unsigned int idx,
		     u64 *val) = pfm_sw_pmu.ops->pmc_write_check;
	u64 val;

	for (val = 0; val < 4; val++)
		KUNIT_EXPECT_EQ(test, check(&pfm_sw_pmu, 0, &val), 0);
	val = 4;
	KUNIT_EXPECT_EQ(test, check(&pfm_sw_pmu, 0, &val), -EINVAL);
	val = 0xff | BIT_ULL(22);
	KUNIT_EXPECT_EQ(test, check(&pfm_sw_pmu, 0, &val), -EINVAL);
}

/*
 * The registration tests run after boot, when a description (the software
 * PMU or a hardware one) is active. They swap it out for the fake one and
 * put it back in exit, so they skip when a context holds it.
 */
struct pmu_swap {
	const struct pfm_pmu_desc	*saved;
};

static int pfm_pmu_swap_init(struct kunit *test)
{
	struct pmu_swap *swap;

	swap = kunit_kzalloc(test, sizeof(*swap), GFP_KERNEL);
	if (!swap)
		return -ENOMEM;
	swap->saved = pfm_pmu_active();
	test->priv = swap;
	return 0;
}

static void pfm_pmu_swap_exit(struct kunit *test)
{
	struct pmu_swap *swap = test->priv;

	if (pfm_pmu_active() == &fake_pmu)
		KUNIT_EXPECT_EQ(test, pfm_pmu_unregister(&fake_pmu), 0);
	if (swap->saved && !pfm_pmu_active())
		KUNIT_EXPECT_EQ(test, pfm_pmu_register(swap->saved), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfm_pmu_active(), swap->saved);
}

static void pfm_pmu_take_table(struct kunit *test)
{
	struct pmu_swap *swap = test->priv;
	int ret;

	if (!swap->saved)
		return;
	ret = pfm_pmu_unregister(swap->saved);
	if (ret == -EBUSY)
		kunit_skip(test, "the active PMU description is in use");
	KUNIT_ASSERT_EQ(test, ret, 0);
}

static void pfm_pmu_register_second_busy(struct kunit *test)
{
	pfm_pmu_take_table(test);
	KUNIT_ASSERT_EQ(test, pfm_pmu_register(&fake_pmu), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfm_pmu_active(), &fake_pmu);
	KUNIT_EXPECT_EQ(test, pfm_pmu_register(&pfm_sw_pmu), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, pfm_pmu_active(), &fake_pmu);
}

static void pfm_pmu_register_invalid_refused(struct kunit *test)
{
	static const struct pfm_pmu_desc bad = FAKE_PMU(.counter_width = 0);

	pfm_pmu_take_table(test);
	KUNIT_EXPECT_EQ(test, pfm_pmu_register(&bad), -EINVAL);
	KUNIT_EXPECT_NULL(test, pfm_pmu_active());
}

static void pfm_pmu_unregister_not_active(struct kunit *test)
{
	pfm_pmu_take_table(test);
	KUNIT_EXPECT_EQ(test, pfm_pmu_unregister(&fake_pmu), -EINVAL);
	KUNIT_ASSERT_EQ(test, pfm_pmu_register(&fake_pmu), 0);
	KUNIT_EXPECT_EQ(test, pfm_pmu_unregister(&pfm_sw_pmu), -EINVAL);
}

static void pfm_pmu_unregister_busy_while_used(struct kunit *test)
{
	const struct pfm_pmu_desc *pmu;

	pfm_pmu_take_table(test);
	KUNIT_ASSERT_EQ(test, pfm_pmu_register(&fake_pmu), 0);
	pmu = pfm_pmu_get();
	KUNIT_ASSERT_PTR_EQ(test, pmu, &fake_pmu);
	KUNIT_EXPECT_EQ(test, pfm_pmu_unregister(&fake_pmu), -EBUSY);
	pfm_pmu_put(pmu);
	KUNIT_EXPECT_EQ(test, pfm_pmu_unregister(&fake_pmu), 0);
	KUNIT_EXPECT_NULL(test, pfm_pmu_active());
}

static void pfm_pmu_get_none_registered(struct kunit *test)
{
	pfm_pmu_take_table(test);
	KUNIT_EXPECT_NULL(test, pfm_pmu_get());
}

static struct kunit_case pfm_pmu_validate_test_cases[] = {
	KUNIT_CASE_PARAM(pfm_pmu_validate_cases, pmu_case_gen_params),
	KUNIT_CASE(pfm_pmu_validate_null),
	KUNIT_CASE(pfm_pmu_validate_shipped),
	KUNIT_CASE(pfm_pmu_sw_pmc_check),
	{}
};

static struct kunit_suite pfm_pmu_validate_suite = {
	.name		= "perfmon_pmu_validate",
	.test_cases	= pfm_pmu_validate_test_cases,
};

static struct kunit_case pfm_pmu_register_test_cases[] = {
	KUNIT_CASE(pfm_pmu_register_second_busy),
	KUNIT_CASE(pfm_pmu_register_invalid_refused),
	KUNIT_CASE(pfm_pmu_unregister_not_active),
	KUNIT_CASE(pfm_pmu_unregister_busy_while_used),
	KUNIT_CASE(pfm_pmu_get_none_registered),
	{}
};

static struct kunit_suite pfm_pmu_register_suite = {
	.name		= "perfmon_pmu_register",
	.init		= pfm_pmu_swap_init,
	.exit		= pfm_pmu_swap_exit,
	.test_cases	= pfm_pmu_register_test_cases,
};

kunit_test_suites(&pfm_pmu_validate_suite, &pfm_pmu_register_suite);
