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

static void fake_write(const struct pfm_pmu_desc *pmu, unsigned int idx,
		       u64 val)
{
}

static u64 fake_read(const struct pfm_pmu_desc *pmu, unsigned int idx)
{
	return 0;
}

static void fake_start(const struct pfm_pmu_desc *pmu,
		       const unsigned long *used, const u64 *pmcs)
{
}

static void fake_stop(const struct pfm_pmu_desc *pmu,
		      const unsigned long *used)
{
}

#define FAKE_ACCESSORS				\
	.write_pmc	= fake_write,		\
	.write_pmd	= fake_write,		\
	.read_pmd	= fake_read,		\
	.start		= fake_start,		\
	.stop		= fake_stop

static const struct pfm_pmu_ops fake_ops = {
	FAKE_ACCESSORS,
	.pmc_write_check = fake_check,
	.pmd_write_check = fake_check,
};

static const struct pfm_pmu_ops fake_ops_pmc_only = {
	FAKE_ACCESSORS,
	.pmc_write_check = fake_check,
};

static const struct pfm_pmu_ops fake_ops_no_checks = {
	FAKE_ACCESSORS,
};

static const struct pfm_pmu_ops fake_ops_no_stop = {
	.write_pmc	= fake_write,
	.write_pmd	= fake_write,
	.read_pmd	= fake_read,
	.start		= fake_start,
};

static void fake_read_bracket(const struct pfm_pmu_desc *pmu)
{
}

static const struct pfm_pmu_ops fake_ops_read_batch = {
	FAKE_ACCESSORS,
	.read_begin	= fake_read_bracket,
	.read_end	= fake_read_bracket,
};

static const struct pfm_pmu_ops fake_ops_read_begin_only = {
	FAKE_ACCESSORS,
	.read_begin	= fake_read_bracket,
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

#define NR_FAKE_PMCS	ARRAY_SIZE(fake_pmcs)
#define NR_FAKE_PMDS	ARRAY_SIZE(fake_pmds)

static const struct pfm_pmu_desc fake_pmu = {
	.name		= "fake",
	.pmcs		= fake_pmcs,
	.pmds		= fake_pmds,
	.num_pmcs	= NR_FAKE_PMCS,
	.num_pmds	= NR_FAKE_PMDS,
	.counter_width	= 47,
	.ops		= &fake_ops,
};

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

/* One row per description, each field spelled out. */
struct pmu_case {
	const char			*desc;
	const char			*name;
	const struct pfm_regdesc	*pmcs;
	u16				num_pmcs;
	const struct pfm_regdesc	*pmds;
	u16				num_pmds;
	u8				width;
	const struct pfm_pmu_ops	*ops;
	int				expected;
};

static const struct pmu_case pmu_cases[] = {
	{ "valid with holes", "fake", fake_pmcs, NR_FAKE_PMCS,
	  fake_pmds, NR_FAKE_PMDS, 47, &fake_ops, 0 },
	{ "valid single registers", "fake", &pmc_good, 1, &pmd_good, 1, 47,
	  &fake_ops_no_checks, 0 },
	{ "no ops", "fake", &pmc_good, 1, &pmd_good, 1, 47, NULL, -EINVAL },
	{ "an accessor missing", "fake", &pmc_good, 1, &pmd_good, 1, 47,
	  &fake_ops_no_stop, -EINVAL },
	{ "read_begin and read_end", "fake", &pmc_good, 1, &pmd_good, 1, 47,
	  &fake_ops_read_batch, 0 },
	{ "read_begin without read_end", "fake", &pmc_good, 1, &pmd_good, 1,
	  47, &fake_ops_read_begin_only, -EINVAL },
	{ "no name", NULL, fake_pmcs, NR_FAKE_PMCS,
	  fake_pmds, NR_FAKE_PMDS, 47, &fake_ops, -EINVAL },
	{ "empty name", "", fake_pmcs, NR_FAKE_PMCS,
	  fake_pmds, NR_FAKE_PMDS, 47, &fake_ops, -EINVAL },
	{ "counter width 0", "fake", fake_pmcs, NR_FAKE_PMCS,
	  fake_pmds, NR_FAKE_PMDS, 0, &fake_ops, -EINVAL },
	{ "counter width 65", "fake", fake_pmcs, NR_FAKE_PMCS,
	  fake_pmds, NR_FAKE_PMDS, 65, &fake_ops, -EINVAL },
	{ "counter width 64", "fake", fake_pmcs, NR_FAKE_PMCS,
	  fake_pmds, NR_FAKE_PMDS, 64, &fake_ops, 0 },
	{ "no PMC table", "fake", NULL, NR_FAKE_PMCS,
	  fake_pmds, NR_FAKE_PMDS, 47, &fake_ops, -EINVAL },
	{ "no PMD table", "fake", fake_pmcs, NR_FAKE_PMCS,
	  NULL, NR_FAKE_PMDS, 47, &fake_ops, -EINVAL },
	{ "zero PMCs", "fake", fake_pmcs, 0,
	  fake_pmds, NR_FAKE_PMDS, 47, &fake_ops, -EINVAL },
	{ "too many PMCs", "fake", fake_pmcs, PFM_MAX_PMCS + 1,
	  fake_pmds, NR_FAKE_PMDS, 47, &fake_ops, -EINVAL },
	{ "too many PMDs", "fake", fake_pmcs, NR_FAKE_PMCS,
	  fake_pmds, PFM_MAX_PMDS + 1, 47, &fake_ops, -EINVAL },
	{ "only holes", "fake", &reg_hole, 1, &pmd_good, 1, 47,
	  &fake_ops_no_checks, -EINVAL },
	{ "register without name", "fake", &pmc_no_name, 1, &pmd_good, 1, 47,
	  &fake_ops_no_checks, -EINVAL },
	{ "unknown type bit", "fake", &pmc_unknown_bit, 1, &pmd_good, 1, 47,
	  &fake_ops_no_checks, -EINVAL },
	{ "type without implemented bit", "fake", &pmc_not_implemented, 1,
	  &pmd_good, 1, 47, &fake_ops_no_checks,
	  -EINVAL },
	{ "system-wide and per-thread only", "fake", &pmc_sys_and_thr, 1,
	  &pmd_good, 1, 47, &fake_ops_no_checks,
	  -EINVAL },
	{ "PMC with counter type", "fake", &pmc_counter, 1, &pmd_good, 1, 47,
	  &fake_ops_no_checks, -EINVAL },
	{ "PMC read-only", "fake", &pmc_read_only, 1, &pmd_good, 1, 47,
	  &fake_ops_no_checks, -EINVAL },
	{ "PMD with NO64", "fake", &pmc_good, 1, &pmd_no64, 1, 47,
	  &fake_ops_no_checks, -EINVAL },
	{ "no_emul64_msk without NO64", "fake", &pmc_stray_no_emul64, 1,
	  &pmd_good, 1, 47, &fake_ops_no_checks,
	  -EINVAL },
	{ "write-checked PMC without a checker", "fake", &pmc_checked, 1,
	  &pmd_good, 1, 47, &fake_ops_no_checks,
	  -EINVAL },
	{ "write-checked PMD without its checker", "fake", &pmc_good, 1,
	  &pmd_checked, 1, 47, &fake_ops_pmc_only, -EINVAL },
	{ "write-checked PMC with its checker", "fake", &pmc_checked, 1,
	  &pmd_good, 1, 47, &fake_ops_pmc_only, 0 },
};

static void pmu_case_desc(const struct pmu_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pmu_case, pmu_cases, pmu_case_desc);

static void pfm_pmu_validate_cases(struct kunit *test)
{
	const struct pmu_case *c = test->param_value;
	const struct pfm_pmu_desc pmu = {
		.name		= c->name,
		.pmcs		= c->pmcs,
		.pmds		= c->pmds,
		.num_pmcs	= c->num_pmcs,
		.num_pmds	= c->num_pmds,
		.counter_width	= c->width,
		.ops		= c->ops,
	};

	KUNIT_EXPECT_EQ(test, pfm_pmu_validate(&pmu), c->expected);
}

/* Description flags: the known one is accepted, any other bit refused. */
static void pfm_pmu_validate_flags(struct kunit *test)
{
	struct pfm_pmu_desc pmu = {
		.name		= "fake",
		.pmcs		= &pmc_good,
		.pmds		= &pmd_good,
		.num_pmcs	= 1,
		.num_pmds	= 1,
		.counter_width	= 47,
		.ops		= &fake_ops_no_checks,
	};

	pmu.flags = PFM_PMU_FL_SHARED_HW;
	KUNIT_EXPECT_EQ(test, pfm_pmu_validate(&pmu), 0);
	pmu.flags = PFM_PMU_FL_SHARED_HW << 1;
	KUNIT_EXPECT_EQ(test, pfm_pmu_validate(&pmu), -EINVAL);
	pmu.flags = BIT(31);
	KUNIT_EXPECT_EQ(test, pfm_pmu_validate(&pmu), -EINVAL);
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
	char				choice[PFM_PMU_CHOICE_LEN];
};

static int pfm_pmu_swap_init(struct kunit *test)
{
	struct pmu_swap *swap;

	swap = kunit_kzalloc(test, sizeof(*swap), GFP_KERNEL);
	if (!swap)
		return -ENOMEM;
	swap->saved = pfm_pmu_active();
	/* Booted with perfmon.pmu=sw, the fake one would be refused. */
	strscpy(swap->choice, pfm_pmu_choice, sizeof(swap->choice));
	pfm_pmu_choice[0] = '\0';
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
	strscpy(pfm_pmu_choice, swap->choice, sizeof(pfm_pmu_choice));
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
	static const struct pfm_pmu_desc bad = {
		.name		= "bad",
		.pmcs		= fake_pmcs,
		.pmds		= fake_pmds,
		.num_pmcs	= NR_FAKE_PMCS,
		.num_pmds	= NR_FAKE_PMDS,
	};

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

static void pfm_pmu_choice_sw_refuses_others(struct kunit *test)
{
	char saved[PFM_PMU_CHOICE_LEN];

	pfm_pmu_take_table(test);
	strscpy(saved, pfm_pmu_choice, sizeof(saved));
	strscpy(pfm_pmu_choice, "sw", sizeof(pfm_pmu_choice));
	KUNIT_EXPECT_EQ(test, pfm_pmu_register(&fake_pmu), -ENODEV);
	KUNIT_EXPECT_NULL(test, pfm_pmu_active());
	KUNIT_EXPECT_EQ(test, pfm_pmu_register(&pfm_sw_pmu), 0);
	KUNIT_EXPECT_EQ(test, pfm_pmu_unregister(&pfm_sw_pmu), 0);
	strscpy(pfm_pmu_choice, saved, sizeof(pfm_pmu_choice));
}

static void pfm_pmu_get_none_registered(struct kunit *test)
{
	pfm_pmu_take_table(test);
	KUNIT_EXPECT_NULL(test, pfm_pmu_get());
}

static struct kunit_case pfm_pmu_validate_test_cases[] = {
	KUNIT_CASE_PARAM(pfm_pmu_validate_cases, pmu_case_gen_params),
	KUNIT_CASE(pfm_pmu_validate_null),
	KUNIT_CASE(pfm_pmu_validate_flags),
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
	KUNIT_CASE(pfm_pmu_choice_sw_refuses_others),
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
