// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the PMU description registration table.
 *
 * One description is active at a time. It is validated once, here, so the
 * rest of the core can trust its tables. Contexts hold a reference on the
 * active description (and on its module) for their whole life; a
 * description with users cannot be unregistered.
 */
#define pr_fmt(fmt) "perfmon: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/mutex.h>
#include <linux/printk.h>

#include "internal.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "perfmon."

/*
 * perfmon.pmu=sw on the kernel command line makes the software PMU the
 * description even where a hardware one would register: hardware
 * descriptions are then refused.
 */
char pfm_pmu_choice[PFM_PMU_CHOICE_LEN];
module_param_string(pmu, pfm_pmu_choice, sizeof(pfm_pmu_choice), 0444);
MODULE_PARM_DESC(pmu, "\"sw\": use the software PMU description");

static bool pfm_pmu_refused(const struct pfm_pmu_desc *pmu)
{
	return sysfs_streq(pfm_pmu_choice, "sw") && pmu != &pfm_sw_pmu;
}

/* Protects pfm_pmu_cur and pfm_pmu_users. */
static DEFINE_MUTEX(pfm_pmu_lock);
static const struct pfm_pmu_desc *pfm_pmu_cur;
static unsigned int pfm_pmu_users;

#define PFM_REG_KNOWN	(PFM_REG_I | PFM_REG_WC | PFM_REG_C64 | PFM_REG_RO | \
			 PFM_REG_INTR | PFM_REG_SYS | PFM_REG_THR | \
			 PFM_REG_NO64)
/* Type bits that only make sense on a data register. */
#define PFM_REG_PMD_ONLY (PFM_REG_C64 | PFM_REG_RO | PFM_REG_INTR)

static int pfm_reg_invalid(const struct pfm_pmu_desc *pmu, const char *kind,
			   unsigned int idx, const char *why)
{
	pr_err("%s: %s%u: %s\n", pmu->name, kind, idx, why);
	return -EINVAL;
}

static int pfm_validate_reg(const struct pfm_pmu_desc *pmu,
			    const struct pfm_regdesc *reg, bool is_pmd,
			    unsigned int idx)
{
	const char *kind = is_pmd ? "pmd" : "pmc";
	bool has_check;

	if (!reg->type)
		return 0;
	if (reg->type & ~PFM_REG_KNOWN)
		return pfm_reg_invalid(pmu, kind, idx, "unknown type bits");
	if (!(reg->type & PFM_REG_I))
		return pfm_reg_invalid(pmu, kind, idx, "type without PFM_REG_I");
	if (!reg->name || !reg->name[0])
		return pfm_reg_invalid(pmu, kind, idx, "no name");
	if ((reg->type & PFM_REG_SYS) && (reg->type & PFM_REG_THR))
		return pfm_reg_invalid(pmu, kind, idx,
				       "both system-wide and per-thread only");
	if (!is_pmd && (reg->type & PFM_REG_PMD_ONLY))
		return pfm_reg_invalid(pmu, kind, idx, "data register type");
	if (is_pmd && (reg->type & PFM_REG_NO64))
		return pfm_reg_invalid(pmu, kind, idx, "NO64 on a PMD");
	if (!(reg->type & PFM_REG_NO64) && reg->no_emul64_msk)
		return pfm_reg_invalid(pmu, kind, idx,
				       "no_emul64_msk without NO64");

	has_check = is_pmd ? pmu->ops->pmd_write_check :
			     pmu->ops->pmc_write_check;
	if ((reg->type & PFM_REG_WC) && !has_check)
		return pfm_reg_invalid(pmu, kind, idx,
				       "write-checked without a checker");
	return 0;
}

static int pfm_validate_regs(const struct pfm_pmu_desc *pmu,
			     const struct pfm_regdesc *regs, unsigned int num,
			     unsigned int max, bool is_pmd)
{
	unsigned int i, implemented = 0;
	int ret;

	if (!regs || !num || num > max) {
		pr_err("%s: bad %s table\n", pmu->name, is_pmd ? "PMD" : "PMC");
		return -EINVAL;
	}
	for (i = 0; i < num; i++) {
		ret = pfm_validate_reg(pmu, &regs[i], is_pmd, i);
		if (ret)
			return ret;
		if (regs[i].type)
			implemented++;
	}
	if (!implemented) {
		pr_err("%s: no %s implemented\n", pmu->name,
		       is_pmd ? "PMD" : "PMC");
		return -EINVAL;
	}
	return 0;
}

/**
 * pfm_pmu_validate - check a PMU description before it is registered
 * @pmu: the description
 *
 * Return: 0 when the core can use @pmu as it is, -EINVAL otherwise (the
 * reason is logged).
 */
int pfm_pmu_validate(const struct pfm_pmu_desc *pmu)
{
	int ret;

	if (!pmu || !pmu->name || !pmu->name[0]) {
		pr_err("PMU description without a name\n");
		return -EINVAL;
	}
	if (!pmu->ops || !pmu->ops->write_pmc || !pmu->ops->write_pmd ||
	    !pmu->ops->read_pmd || !pmu->ops->start || !pmu->ops->stop) {
		pr_err("%s: register accessors missing\n", pmu->name);
		return -EINVAL;
	}
	if (!pmu->ops->read_begin != !pmu->ops->read_end) {
		pr_err("%s: read_begin and read_end go together\n", pmu->name);
		return -EINVAL;
	}
	if (pmu->flags & ~PFM_PMU_FL_ALL) {
		pr_err("%s: unknown flags %#x\n", pmu->name, pmu->flags);
		return -EINVAL;
	}
	if (!pmu->counter_width || pmu->counter_width > 64) {
		pr_err("%s: counter width %u not in 1..64\n", pmu->name,
		       pmu->counter_width);
		return -EINVAL;
	}
	ret = pfm_validate_regs(pmu, pmu->pmcs, pmu->num_pmcs, PFM_MAX_PMCS,
				false);
	if (ret)
		return ret;
	return pfm_validate_regs(pmu, pmu->pmds, pmu->num_pmds, PFM_MAX_PMDS,
				 true);
}

/**
 * pfm_pmu_register - make a PMU description the active one
 * @pmu: the description; must stay valid until pfm_pmu_unregister()
 *
 * Return: 0; -EINVAL when @pmu fails validation; -EBUSY when another
 * description is active; -ENOMEM when its sysfs entries cannot be created;
 * -ENODEV when /sys/kernel/perfmon itself could not be created at boot, or
 * when perfmon.pmu=sw asks for the software PMU instead.
 */
int pfm_pmu_register(const struct pfm_pmu_desc *pmu)
{
	int ret;

	ret = pfm_pmu_validate(pmu);
	if (ret)
		return ret;
	if (pfm_pmu_refused(pmu)) {
		pr_info("%s: not used, perfmon.pmu=sw\n", pmu->name);
		return -ENODEV;
	}

	mutex_lock(&pfm_pmu_lock);
	if (pfm_pmu_cur) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = pfm_sysfs_add_pmu(pmu);
	if (ret)
		goto out_unlock;
	pfm_pmu_cur = pmu;
	pr_info("PMU description \"%s\" registered\n", pmu->name);
out_unlock:
	mutex_unlock(&pfm_pmu_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(pfm_pmu_register);

/**
 * pfm_pmu_unregister - remove the active PMU description
 * @pmu: the description passed to pfm_pmu_register()
 *
 * Return: 0; -EINVAL when @pmu is not the active description; -EBUSY while
 * contexts use it.
 */
int pfm_pmu_unregister(const struct pfm_pmu_desc *pmu)
{
	int ret = 0;

	mutex_lock(&pfm_pmu_lock);
	if (pfm_pmu_cur != pmu) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (pfm_pmu_users) {
		ret = -EBUSY;
		goto out_unlock;
	}
	pfm_sysfs_remove_pmu();
	pfm_pmu_cur = NULL;
out_unlock:
	mutex_unlock(&pfm_pmu_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(pfm_pmu_unregister);

/**
 * pfm_pmu_get - take a reference on the active PMU description
 *
 * Return: the description, or NULL when none is registered or its module
 * is going away.
 */
const struct pfm_pmu_desc *pfm_pmu_get(void)
{
	const struct pfm_pmu_desc *pmu;

	mutex_lock(&pfm_pmu_lock);
	pmu = pfm_pmu_cur;
	if (pmu && try_module_get(pmu->owner))
		pfm_pmu_users++;
	else
		pmu = NULL;
	mutex_unlock(&pfm_pmu_lock);
	return pmu;
}

/**
 * pfm_pmu_put - drop a reference taken by pfm_pmu_get()
 * @pmu: the description returned by pfm_pmu_get()
 */
void pfm_pmu_put(const struct pfm_pmu_desc *pmu)
{
	mutex_lock(&pfm_pmu_lock);
	if (!WARN_ON_ONCE(!pfm_pmu_users))
		pfm_pmu_users--;
	module_put(pmu->owner);
	mutex_unlock(&pfm_pmu_lock);
}

/**
 * pfm_pmu_active - the active PMU description, for reporting only
 *
 * Return: the description or NULL. The caller must not keep the pointer
 * beyond its current operation.
 */
const struct pfm_pmu_desc *pfm_pmu_active(void)
{
	const struct pfm_pmu_desc *pmu;

	mutex_lock(&pfm_pmu_lock);
	pmu = pfm_pmu_cur;
	mutex_unlock(&pfm_pmu_lock);
	return pmu;
}
