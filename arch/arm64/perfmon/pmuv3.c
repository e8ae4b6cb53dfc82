// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the ARMv8 PMUv3 description.
 *
 * Register numbering puts the fixed cycle counter first, so the same
 * numbers name the same registers on every implementation whatever its
 * number N of event counters (PMCR_EL0.N):
 *
 *   PMC0 = PMCCFILTR_EL0		PMD0 = PMCCNTR_EL0
 *   PMCk = PMEVTYPER<k-1>_EL0	PMDk = PMEVCNTR<k-1>_EL0	(1 <= k <= N)
 *
 * A PMC holds the architectural bits: the privilege filters P (31, do not
 * count at EL1), U (30, do not count at EL0), NSH (27, count at EL2) and,
 * for an event counter, the event number (15:0). Everything else is
 * reserved, NSK and NSU included: with EL3 present they would let EL1
 * count without the P bit saying so. perfmon's privilege levels map onto them:
 * PLM3 is EL0 (U clear) and PLM0 is the kernel's own exception level,
 * EL1 (P clear) or, when the kernel runs at EL2 (VHE), EL2: there the
 * write checker sets NSH to the opposite of P, so that tools program P
 * and U only.
 *
 * Counters are 64 bits wide with PMUv3p5 (PMCR_EL0.LP and .LC); otherwise
 * 32 bits, and the overflow interrupt lets the core keep 64-bit values.
 * The interrupt line is requested by perf's arm_pmu driver; the PMU
 * resource manager passes it here while perfmon owns the PMU.
 */
#define pr_fmt(fmt) "perfmon: " fmt

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/of.h>
#include <linux/perfmon.h>
#include <linux/perfmon_rm.h>
#include <asm/perfmon_pmuv3.h>
#include <asm/virt.h>

#define PFM_PMUV3_FILTERS	(BIT_ULL(31) | BIT_ULL(30) | BIT_ULL(27))
#define PFM_PMUV3_EVENT		GENMASK_ULL(15, 0)
#define PFM_PMUV3_EXCLUDE_EL1	BIT_ULL(31)
#define PFM_PMUV3_INCLUDE_EL2	BIT_ULL(27)
/* Counting at EL0 only: what a PMC holds until it is written. */
#define PFM_PMUV3_DFL_FILTER	PFM_PMUV3_EXCLUDE_EL1

/* Common events whose presence PMCEID0/1_EL0 report. */
#define PFM_PMUV3_COMMON_EVENTS		0x40
#define PFM_PMUV3_EXT_EVENT_BASE	0x4000

#define PFM_PMUV3_PMC(n) {						\
	.name		= "PMEVTYPER" #n "_EL0",			\
	.dfl_val	= PFM_PMUV3_DFL_FILTER,				\
	.rsvd_msk	= ~(PFM_PMUV3_FILTERS | PFM_PMUV3_EVENT),	\
	.hw_addr	= (n),						\
	.type		= PFM_REG_W,					\
}

#define PFM_PMUV3_PMD(n) {						\
	.name		= "PMEVCNTR" #n "_EL0",				\
	.hw_addr	= (n),						\
	.type		= PFM_REG_C,					\
}

static const struct pfm_regdesc pfm_pmuv3_pmcs[] = {
	{
		.name		= "PMCCFILTR_EL0",
		.dfl_val	= PFM_PMUV3_DFL_FILTER,
		.rsvd_msk	= ~PFM_PMUV3_FILTERS,
		.hw_addr	= PFM_PMUV3_CYCLE_BIT,
		.type		= PFM_REG_W,
	},
	PFM_PMUV3_PMC(0),
	PFM_PMUV3_PMC(1),
	PFM_PMUV3_PMC(2),
	PFM_PMUV3_PMC(3),
	PFM_PMUV3_PMC(4),
	PFM_PMUV3_PMC(5),
	PFM_PMUV3_PMC(6),
	PFM_PMUV3_PMC(7),
	PFM_PMUV3_PMC(8),
	PFM_PMUV3_PMC(9),
	PFM_PMUV3_PMC(10),
	PFM_PMUV3_PMC(11),
	PFM_PMUV3_PMC(12),
	PFM_PMUV3_PMC(13),
	PFM_PMUV3_PMC(14),
	PFM_PMUV3_PMC(15),
	PFM_PMUV3_PMC(16),
	PFM_PMUV3_PMC(17),
	PFM_PMUV3_PMC(18),
	PFM_PMUV3_PMC(19),
	PFM_PMUV3_PMC(20),
	PFM_PMUV3_PMC(21),
	PFM_PMUV3_PMC(22),
	PFM_PMUV3_PMC(23),
	PFM_PMUV3_PMC(24),
	PFM_PMUV3_PMC(25),
	PFM_PMUV3_PMC(26),
	PFM_PMUV3_PMC(27),
	PFM_PMUV3_PMC(28),
	PFM_PMUV3_PMC(29),
	PFM_PMUV3_PMC(30),
};

static const struct pfm_regdesc pfm_pmuv3_pmds[] = {
	{
		.name		= "PMCCNTR_EL0",
		.hw_addr	= PFM_PMUV3_CYCLE_BIT,
		.type		= PFM_REG_C,
	},
	PFM_PMUV3_PMD(0),
	PFM_PMUV3_PMD(1),
	PFM_PMUV3_PMD(2),
	PFM_PMUV3_PMD(3),
	PFM_PMUV3_PMD(4),
	PFM_PMUV3_PMD(5),
	PFM_PMUV3_PMD(6),
	PFM_PMUV3_PMD(7),
	PFM_PMUV3_PMD(8),
	PFM_PMUV3_PMD(9),
	PFM_PMUV3_PMD(10),
	PFM_PMUV3_PMD(11),
	PFM_PMUV3_PMD(12),
	PFM_PMUV3_PMD(13),
	PFM_PMUV3_PMD(14),
	PFM_PMUV3_PMD(15),
	PFM_PMUV3_PMD(16),
	PFM_PMUV3_PMD(17),
	PFM_PMUV3_PMD(18),
	PFM_PMUV3_PMD(19),
	PFM_PMUV3_PMD(20),
	PFM_PMUV3_PMD(21),
	PFM_PMUV3_PMD(22),
	PFM_PMUV3_PMD(23),
	PFM_PMUV3_PMD(24),
	PFM_PMUV3_PMD(25),
	PFM_PMUV3_PMD(26),
	PFM_PMUV3_PMD(27),
	PFM_PMUV3_PMD(28),
	PFM_PMUV3_PMD(29),
	PFM_PMUV3_PMD(30),
};

static_assert(ARRAY_SIZE(pfm_pmuv3_pmcs) == PFM_PMUV3_MAX_EVCNTRS + 1);
static_assert(ARRAY_SIZE(pfm_pmuv3_pmds) == PFM_PMUV3_MAX_EVCNTRS + 1);

/**
 * struct pfm_pmuv3_caps - what the probe found, fixed after init
 * @pmcr: PMCR_EL0 value written when counting starts (E, LC, LP).
 * @cntr_mask: every implemented counter, PMCNTEN bit layout.
 * @pmceid: events advertised by PMCEID0/1_EL0: bits 0..63 are the common
 *	events 0x00..0x3F, bits 64..127 the events 0x4000..0x403F.
 */
struct pfm_pmuv3_caps {
	u64		pmcr;
	u32		cntr_mask;
	DECLARE_BITMAP(pmceid, 2 * PFM_PMUV3_COMMON_EVENTS);
};

static struct pfm_pmuv3_caps pfm_pmuv3_caps __ro_after_init;

/* PMCNTEN mask of the counters whose PMC is set in @used. */
static u32 pfm_pmuv3_cntr_mask(const unsigned long *used)
{
	unsigned long pmcs = used[0];

	return ((pmcs >> 1) | ((pmcs & 1) << PFM_PMUV3_CYCLE_BIT)) &
	       pfm_pmuv3_caps.cntr_mask;
}

static void pfm_pmuv3_write_pmc(const struct pfm_pmu_desc *pmu,
				unsigned int idx, u64 val)
{
	if (idx)
		pfm_pmuv3_write_evtyper(idx - 1, val);
	else
		pfm_pmuv3_write_ccfiltr(val);
}

static void pfm_pmuv3_write_pmd(const struct pfm_pmu_desc *pmu,
				unsigned int idx, u64 val)
{
	if (idx)
		pfm_pmuv3_write_evcntr(idx - 1, val);
	else
		pfm_pmuv3_write_ccntr(val);
}

static u64 pfm_pmuv3_read_pmd(const struct pfm_pmu_desc *pmu,
			      unsigned int idx)
{
	return idx ? pfm_pmuv3_read_evcntr(idx - 1) : pfm_pmuv3_read_ccntr();
}

static void pfm_pmuv3_start(const struct pfm_pmu_desc *pmu,
			    const unsigned long *used, const u64 *pmcs)
{
	pfm_pmuv3_write_pmcr(pfm_pmuv3_caps.pmcr);
	pfm_pmuv3_enable(pfm_pmuv3_cntr_mask(used));
}

static void pfm_pmuv3_stop(const struct pfm_pmu_desc *pmu,
			   const unsigned long *used)
{
	pfm_pmuv3_disable(pfm_pmuv3_cntr_mask(used));
}

static bool pfm_pmuv3_event_listed(unsigned int event)
{
	if (event < PFM_PMUV3_COMMON_EVENTS)
		return test_bit(event, pfm_pmuv3_caps.pmceid);
	if (event >= PFM_PMUV3_EXT_EVENT_BASE &&
	    event < PFM_PMUV3_EXT_EVENT_BASE + PFM_PMUV3_COMMON_EVENTS)
		return test_bit(event - PFM_PMUV3_EXT_EVENT_BASE +
				PFM_PMUV3_COMMON_EVENTS,
				pfm_pmuv3_caps.pmceid);
	/* Implementation defined: PMCEID cannot tell, let the user try. */
	return true;
}

static int pfm_pmuv3_pmc_check(const struct pfm_pmu_desc *pmu,
			       unsigned int idx, u64 *val)
{
	if (idx && !pfm_pmuv3_event_listed(FIELD_GET(PFM_PMUV3_EVENT, *val)))
		return -EINVAL;
	/* Under VHE the kernel is at EL2: "kernel" follows the P bit. */
	if (is_kernel_in_hyp_mode()) {
		if (*val & PFM_PMUV3_EXCLUDE_EL1)
			*val &= ~PFM_PMUV3_INCLUDE_EL2;
		else
			*val |= PFM_PMUV3_INCLUDE_EL2;
	}
	return 0;
}

static bool pfm_pmuv3_counts_kernel(const struct pfm_pmu_desc *pmu,
				    unsigned int idx, u64 val)
{
	return !(val & PFM_PMUV3_EXCLUDE_EL1) ||
	       (val & PFM_PMUV3_INCLUDE_EL2);
}

static const struct pfm_pmu_ops pfm_pmuv3_ops = {
	.write_pmc		= pfm_pmuv3_write_pmc,
	.write_pmd		= pfm_pmuv3_write_pmd,
	.read_pmd		= pfm_pmuv3_read_pmd,
	.start			= pfm_pmuv3_start,
	.stop			= pfm_pmuv3_stop,
	.pmc_write_check	= pfm_pmuv3_pmc_check,
	.pmc_counts_kernel	= pfm_pmuv3_counts_kernel,
};

/* The register counts and width come from the probe, the rest is fixed. */
static struct pfm_pmu_desc pfm_pmuv3_pmu __ro_after_init = {
	.name		= "ARMv8 PMUv3",
	.flags		= PFM_PMU_FL_SHARED_HW,
	.pmcs		= pfm_pmuv3_pmcs,
	.pmds		= pfm_pmuv3_pmds,
	.ops		= &pfm_pmuv3_ops,
};

static irqreturn_t pfm_pmuv3_interrupt(struct pt_regs *regs)
{
	unsigned long ovfl_pmds;
	u32 ovfl;

	ovfl = pfm_pmuv3_take_overflows(pfm_pmuv3_caps.cntr_mask);
	if (!ovfl)
		return IRQ_NONE;
	/* Back to register numbers: the cycle counter is PMD0. */
	ovfl_pmds = ((unsigned long)(ovfl & ~BIT(PFM_PMUV3_CYCLE_BIT)) << 1) |
		    ((ovfl >> PFM_PMUV3_CYCLE_BIT) & 1);
	pfm_pmu_overflow(&ovfl_pmds, regs);
	return IRQ_HANDLED;
}

/*
 * The device tree nodes of PMUv3 implementations perf's driver binds to;
 * any of them says the interrupt is wired up.
 */
static const struct of_device_id pfm_pmuv3_of_match[] = {
	{ .compatible = "arm,armv8-pmuv3" },
	{ .compatible = "arm,cortex-a34-pmu" },
	{ .compatible = "arm,cortex-a35-pmu" },
	{ .compatible = "arm,cortex-a53-pmu" },
	{ .compatible = "arm,cortex-a55-pmu" },
	{ .compatible = "arm,cortex-a57-pmu" },
	{ .compatible = "arm,cortex-a65-pmu" },
	{ .compatible = "arm,cortex-a72-pmu" },
	{ .compatible = "arm,cortex-a73-pmu" },
	{ .compatible = "arm,cortex-a75-pmu" },
	{ .compatible = "arm,cortex-a76-pmu" },
	{ .compatible = "arm,cortex-a77-pmu" },
	{ .compatible = "arm,cortex-a78-pmu" },
	{ .compatible = "arm,cortex-a510-pmu" },
	{ .compatible = "arm,cortex-a710-pmu" },
	{ .compatible = "arm,cortex-x1-pmu" },
	{ .compatible = "arm,cortex-x2-pmu" },
	{ .compatible = "arm,neoverse-e1-pmu" },
	{ .compatible = "arm,neoverse-n1-pmu" },
	{ .compatible = "arm,neoverse-n2-pmu" },
	{ .compatible = "arm,neoverse-v1-pmu" },
	{ .compatible = "cavium,thunder-pmu" },
	{ .compatible = "brcm,vulcan-pmu" },
	{ .compatible = "nvidia,carmel-pmu" },
	{ .compatible = "nvidia,denver-pmu" },
	{ }
};

static bool pfm_pmuv3_wired(void)
{
	struct device_node *np;

	if (!IS_ENABLED(CONFIG_OF) || !of_have_populated_dt())
		return true;	/* ACPI: perf's MADT probe owns the question */
	np = of_find_matching_node(NULL, pfm_pmuv3_of_match);
	of_node_put(np);
	return np;
}

/*
 * Read the PMU of the boot CPU; the description assumes every CPU has the
 * same one, as perf's single armv8 PMU on these machines does.
 */
static int __init pfm_pmuv3_probe(void)
{
	u64 dfr0 = pfm_pmuv3_read_dfr0();
	unsigned int pmuver, ncntrs;
	u64 pmceid0, pmceid1;
	u32 listed[4];
	bool long_cntrs;

	pmuver = cpuid_feature_extract_unsigned_field(dfr0,
						      PFM_PMUV3_DFR0_PMUVER_SHIFT);
	if (!pmuver || pmuver == PFM_PMUV3_PMUVER_IMP_DEF)
		return -ENODEV;
	if (!pfm_pmuv3_wired())
		return -ENODEV;

	ncntrs = (pfm_pmuv3_read_pmcr() >> ARMV8_PMU_PMCR_N_SHIFT) &
		 ARMV8_PMU_PMCR_N_MASK;
	ncntrs = min_t(unsigned int, ncntrs, PFM_PMUV3_MAX_EVCNTRS);
	long_cntrs = pmuver >= PFM_PMUV3_PMUVER_V3P5;

	/* PMCEID0 has events 0x00-0x1f and 0x4000-0x401f, PMCEID1 the next. */
	pmceid0 = pfm_pmuv3_read_pmceid0();
	pmceid1 = pfm_pmuv3_read_pmceid1();
	listed[0] = lower_32_bits(pmceid0);
	listed[1] = lower_32_bits(pmceid1);
	listed[2] = upper_32_bits(pmceid0);
	listed[3] = upper_32_bits(pmceid1);
	bitmap_from_arr32(pfm_pmuv3_caps.pmceid, listed,
			  2 * PFM_PMUV3_COMMON_EVENTS);

	pfm_pmuv3_caps.cntr_mask = BIT(PFM_PMUV3_CYCLE_BIT);
	if (ncntrs)
		pfm_pmuv3_caps.cntr_mask |= GENMASK(ncntrs - 1, 0);
	pfm_pmuv3_caps.pmcr = ARMV8_PMU_PMCR_E;
	if (long_cntrs)
		pfm_pmuv3_caps.pmcr |= ARMV8_PMU_PMCR_LC | ARMV8_PMU_PMCR_LP;

	pfm_pmuv3_pmu.num_pmcs = ncntrs + 1;
	pfm_pmuv3_pmu.num_pmds = ncntrs + 1;
	pfm_pmuv3_pmu.counter_width = long_cntrs ? 64 : 32;
	pr_info("PMUv3 (version %u): %u event counters + cycle counter, %u bits\n",
		pmuver, ncntrs, pfm_pmuv3_pmu.counter_width);
	return 0;
}

static int __init pfm_pmuv3_init(void)
{
	int ret;

	ret = pfm_pmuv3_probe();
	if (ret)
		return ret;
	ret = pfm_rm_set_irq_handler(PFM_RM_PERFMON, pfm_pmuv3_interrupt);
	if (ret)
		return ret;
	ret = pfm_pmu_register(&pfm_pmuv3_pmu);
	if (ret)
		goto out_clear_handler;
	return 0;

out_clear_handler:
	pfm_rm_set_irq_handler(PFM_RM_PERFMON, NULL);
	return ret;
}
device_initcall(pfm_pmuv3_init);
