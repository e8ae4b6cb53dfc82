/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfmon: PMUv3 register access for the perfmon PMU description.
 *
 * Every access perfmon makes to the PMUv3 system registers is here, so
 * the description itself (arch/arm64/perfmon/pmuv3.c) is data plus
 * bookkeeping. The callers run with interrupts disabled on the CPU whose
 * PMU they use.
 */
#ifndef _ASM_ARM64_PERFMON_PMUV3_H
#define _ASM_ARM64_PERFMON_PMUV3_H

#include <linux/types.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/perf_event.h>
#include <asm/sysreg.h>

/* Event counters a PMUv3 may implement, PMCR_EL0.N <= 31. */
#define PFM_PMUV3_MAX_EVCNTRS	31
/* Bit of the cycle counter in PMCNTEN, PMINTEN and PMOVS. */
#define PFM_PMUV3_CYCLE_BIT	31

/* ID_AA64DFR0_EL1.PMUVer: the field and the values the probe looks for. */
#define PFM_PMUV3_DFR0_PMUVER_SHIFT	8
#define PFM_PMUV3_PMUVER_V3P5		6
#define PFM_PMUV3_PMUVER_IMP_DEF	0xf

/*
 * Event counters go through PMSELR_EL0: three instructions per access,
 * fewer than a switch over 31 system registers. PMSELR_EL0 is shared
 * state, which is safe because every caller runs with interrupts off.
 */
static inline void pfm_pmuv3_select(unsigned int idx)
{
	write_sysreg(idx, pmselr_el0);
	isb();
}

static inline u64 pfm_pmuv3_read_evcntr(unsigned int idx)
{
	pfm_pmuv3_select(idx);
	return read_sysreg(pmxevcntr_el0);
}

static inline void pfm_pmuv3_write_evcntr(unsigned int idx, u64 val)
{
	pfm_pmuv3_select(idx);
	write_sysreg(val, pmxevcntr_el0);
}

static inline void pfm_pmuv3_write_evtyper(unsigned int idx, u64 val)
{
	pfm_pmuv3_select(idx);
	write_sysreg(val, pmxevtyper_el0);
}

static inline u64 pfm_pmuv3_read_dfr0(void)
{
	return read_sanitised_ftr_reg(SYS_ID_AA64DFR0_EL1);
}

static inline u64 pfm_pmuv3_read_ccntr(void)
{
	return read_sysreg(pmccntr_el0);
}

static inline void pfm_pmuv3_write_ccntr(u64 val)
{
	write_sysreg(val, pmccntr_el0);
}

static inline void pfm_pmuv3_write_ccfiltr(u64 val)
{
	write_sysreg(val, pmccfiltr_el0);
}

static inline u64 pfm_pmuv3_read_pmcr(void)
{
	return read_sysreg(pmcr_el0);
}

static inline void pfm_pmuv3_write_pmcr(u64 val)
{
	isb();
	write_sysreg(val, pmcr_el0);
}

/* Enable counters and their overflow interrupts, PMCNTEN bit layout. */
static inline void pfm_pmuv3_enable(u32 mask)
{
	write_sysreg(mask, pmintenset_el1);
	write_sysreg(mask, pmcntenset_el0);
	isb();
}

static inline void pfm_pmuv3_disable(u32 mask)
{
	write_sysreg(mask, pmcntenclr_el0);
	write_sysreg(mask, pmintenclr_el1);
	isb();
}

/* Read and clear the overflow flags of the counters in @mask. */
static inline u32 pfm_pmuv3_take_overflows(u32 mask)
{
	u32 ovfl = read_sysreg(pmovsclr_el0) & mask;

	if (ovfl)
		write_sysreg(ovfl, pmovsclr_el0);
	isb();
	return ovfl;
}

static inline u64 pfm_pmuv3_read_pmceid0(void)
{
	return read_sysreg(pmceid0_el0);
}

static inline u64 pfm_pmuv3_read_pmceid1(void)
{
	return read_sysreg(pmceid1_el0);
}

#endif /* _ASM_ARM64_PERFMON_PMUV3_H */
