// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the software PMU description.
 *
 * Machines without a supported hardware PMU (x86 under QEMU TCG, for one)
 * still get a PMU with the usual model: a PMC selects an event and enables
 * counting, the PMD of the same index holds the count. The events are
 * kernel software events:
 *
 *   0  cpu-clock         nanoseconds of CPU time, whoever runs
 *   1  task-clock        nanoseconds the monitored thread ran
 *   2  context-switches  switches of the monitored thread or CPU
 *   3  cpu-migrations    migrations of the monitored thread
 *
 * PMC layout (the x86 PERFEVTSEL bits, so tools feel at home):
 *   bits 0-7 event, bit 16 USR, bit 17 OS, bit 22 EN; the rest reserved.
 * The counters are 64 bits wide.
 */
#define pr_fmt(fmt) "perfmon: " fmt

#include <linux/bitfield.h>
#include <linux/init.h>
#include <linux/kernel.h>

#include "internal.h"

#define PFM_SW_EVSEL_EVENT	GENMASK_ULL(7, 0)
#define PFM_SW_EVSEL_USR	BIT_ULL(16)
#define PFM_SW_EVSEL_OS		BIT_ULL(17)
#define PFM_SW_EVSEL_EN		BIT_ULL(22)
#define PFM_SW_EVSEL_RSVD	(~(PFM_SW_EVSEL_EVENT | PFM_SW_EVSEL_USR | \
				   PFM_SW_EVSEL_OS | PFM_SW_EVSEL_EN))

/* The events of the software PMU, the value of PFM_SW_EVSEL_EVENT. */
enum pfm_sw_event {
	PFM_SW_CPU_CLOCK,
	PFM_SW_TASK_CLOCK,
	PFM_SW_CONTEXT_SWITCHES,
	PFM_SW_CPU_MIGRATIONS,
	PFM_SW_NR_EVENTS,
};

#define PFM_SW_PMC(n) {							\
	.name		= "EVTSEL" #n,					\
	.rsvd_msk	= PFM_SW_EVSEL_RSVD,				\
	.hw_addr	= (n),						\
	.type		= PFM_REG_W,					\
}

#define PFM_SW_PMD(n) {							\
	.name		= "COUNTER" #n,					\
	.hw_addr	= (n),						\
	.type		= PFM_REG_C,					\
}

static const struct pfm_regdesc pfm_sw_pmcs[] = {
	PFM_SW_PMC(0), PFM_SW_PMC(1), PFM_SW_PMC(2), PFM_SW_PMC(3),
};

static const struct pfm_regdesc pfm_sw_pmds[] = {
	PFM_SW_PMD(0), PFM_SW_PMD(1), PFM_SW_PMD(2), PFM_SW_PMD(3),
};

static int pfm_sw_pmc_check(const struct pfm_pmu_desc *pmu, unsigned int idx,
			    u64 *val)
{
	if (FIELD_GET(PFM_SW_EVSEL_EVENT, *val) >= PFM_SW_NR_EVENTS)
		return -EINVAL;
	return 0;
}

static const struct pfm_pmu_ops pfm_sw_ops = {
	.pmc_write_check = pfm_sw_pmc_check,
};

const struct pfm_pmu_desc pfm_sw_pmu = {
	.name		= "perfmon software PMU",
	.pmcs		= pfm_sw_pmcs,
	.pmds		= pfm_sw_pmds,
	.num_pmcs	= ARRAY_SIZE(pfm_sw_pmcs),
	.num_pmds	= ARRAY_SIZE(pfm_sw_pmds),
	.counter_width	= 64,
	.ops		= &pfm_sw_ops,
};

/*
 * Hardware descriptions register at device_initcall time; the software
 * PMU only takes the table when none of them did.
 */
static int __init pfm_sw_pmu_init(void)
{
	int ret;

	if (pfm_pmu_active())
		return 0;
	ret = pfm_pmu_register(&pfm_sw_pmu);
	if (ret)
		pr_err("software PMU registration failed: %d\n", ret);
	return ret;
}
late_initcall(pfm_sw_pmu_init);
