/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfmon: in-kernel interface for PMU description modules.
 *
 * A PMU description is const data: one register descriptor per PMC
 * (configuration register) and per PMD (data register), plus the few
 * callbacks that data cannot express. Exactly one description is active at
 * a time; the core validates it once, in pfm_pmu_register().
 */
#ifndef _LINUX_PERFMON_H
#define _LINUX_PERFMON_H

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <uapi/linux/perfmon.h>

struct module;
struct pfm_pmu_desc;

/* Register type bits, struct pfm_regdesc.type; 0 means not implemented. */
#define PFM_REG_I	BIT(0)	/* implemented */
#define PFM_REG_WC	BIT(1)	/* writes go through the write checker */
#define PFM_REG_C64	BIT(2)	/* PMD: counter virtualized to 64 bits */
#define PFM_REG_RO	BIT(3)	/* PMD: read-only, writes are ignored */
#define PFM_REG_INTR	BIT(5)	/* PMD: can raise an overflow interrupt */
#define PFM_REG_SYS	BIT(6)	/* usable by system-wide contexts only */
#define PFM_REG_THR	BIT(7)	/* usable by per-thread contexts only */
#define PFM_REG_NO64	BIT(8)	/* PMC: accepts PFM_REGFL_NO_EMUL64 */

/* Shorthands for the usual register kinds. */
#define PFM_REG_W	(PFM_REG_WC | PFM_REG_I)
#define PFM_REG_W64	(PFM_REG_WC | PFM_REG_NO64 | PFM_REG_I)
#define PFM_REG_C	(PFM_REG_C64 | PFM_REG_INTR | PFM_REG_I)

/**
 * struct pfm_regdesc - description of one PMC or PMD
 * @name: name shown in sysfs, e.g. "PERFEVTSEL0"; required when implemented.
 * @dfl_val: value at reset, and the value forced into reserved bits.
 * @rsvd_msk: bits the user may not choose (1 = reserved).
 * @no_emul64_msk: PMC bits cleared when PFM_REGFL_NO_EMUL64 is set.
 * @hw_addr: MSR, system register encoding or index used by the arch code.
 * @type: PFM_REG_* bits, 0 for a hole in the index space.
 */
struct pfm_regdesc {
	const char	*name;
	u64		dfl_val;
	u64		rsvd_msk;
	u64		no_emul64_msk;
	u64		hw_addr;
	u16		type;
};

/**
 * struct pfm_pmu_ops - callbacks of a PMU description
 * @pmc_write_check: required when a PMC has PFM_REG_WC. Called with the
 *	value after reserved bits were forced; may rewrite it. Process
 *	context, may not sleep. Returns 0 or -EINVAL.
 * @pmd_write_check: required when a PMD has PFM_REG_WC. Same contract.
 */
struct pfm_pmu_ops {
	int (*pmc_write_check)(const struct pfm_pmu_desc *pmu,
			       unsigned int idx, u64 *val);
	int (*pmd_write_check)(const struct pfm_pmu_desc *pmu,
			       unsigned int idx, u64 *val);
};

/**
 * struct pfm_pmu_desc - a PMU description
 * @name: model name shown in /sys/kernel/perfmon/pmu_desc/model.
 * @owner: module providing the description, THIS_MODULE (NULL if built in).
 * @pmcs: PMC descriptors, indexed by PMC number.
 * @pmds: PMD descriptors, indexed by PMD number.
 * @num_pmcs: entries in @pmcs, at most PFM_MAX_PMCS.
 * @num_pmds: entries in @pmds, at most PFM_MAX_PMDS.
 * @counter_width: width in bits of the hardware counters (PFM_REG_C64).
 * @ops: callbacks; may be NULL when no register needs one.
 */
struct pfm_pmu_desc {
	const char			*name;
	struct module			*owner;
	const struct pfm_regdesc	*pmcs;
	const struct pfm_regdesc	*pmds;
	u16				num_pmcs;
	u16				num_pmds;
	u8				counter_width;
	const struct pfm_pmu_ops	*ops;
};

#ifdef CONFIG_PERFMON
int pfm_pmu_register(const struct pfm_pmu_desc *pmu);
int pfm_pmu_unregister(const struct pfm_pmu_desc *pmu);
#else
static inline int pfm_pmu_register(const struct pfm_pmu_desc *pmu)
{
	return -ENODEV;
}

static inline int pfm_pmu_unregister(const struct pfm_pmu_desc *pmu)
{
	return -ENODEV;
}
#endif

#endif /* _LINUX_PERFMON_H */
