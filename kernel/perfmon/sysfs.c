// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: /sys/kernel/perfmon.
 *
 *   version			interface version, "major.minor"
 *   syscall			number of pfm_create_context(), the first call
 *   task_sessions_count	loaded per-thread contexts
 *   sys_sessions_count		loaded system-wide contexts
 *   pmu_owner			who owns the hardware PMU (resource manager)
 *   smpl_buffer_mem_cur	bytes of sampling buffers allocated now
 *   smpl_buffer_mem_max	most bytes of sampling buffers (root may write)
 *   formats/<name>/version	one directory per sampling format
 *   pmu_desc/model		name of the active PMU description
 *   pmu_desc/counter_width	width of its hardware counters
 *   pmu_desc/pmcN/, pmdN/	one directory per implemented register
 *
 * Documented in Documentation/ABI/testing/sysfs-kernel-perfmon.
 */
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/unistd.h>

#include "internal.h"

static struct kobject *pfm_kobj;

/*
 * The PMU description shown under pmu_desc. Set before the directory is
 * created and cleared after it is gone; kobject_del() waits for readers.
 */
static const struct pfm_pmu_desc *pfm_sysfs_pmu;
static struct kobject *pfm_pmu_kobj;
static struct kobject **pfm_reg_kobjs;
static unsigned int pfm_nr_reg_kobjs;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u.%u\n", PFM_VERSION_MAJ, PFM_VERSION_MIN);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static ssize_t syscall_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", __NR_pfm_create_context);
}

static struct kobj_attribute syscall_attr = __ATTR_RO(syscall);

static ssize_t task_sessions_count_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", pfm_task_sessions());
}

static struct kobj_attribute task_sessions_count_attr =
	__ATTR_RO(task_sessions_count);

static ssize_t sys_sessions_count_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", pfm_sys_sessions());
}

static struct kobj_attribute sys_sessions_count_attr =
	__ATTR_RO(sys_sessions_count);

static ssize_t pmu_owner_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", pfm_rm_owner_name(pfm_rm_owner()));
}

static struct kobj_attribute pmu_owner_attr = __ATTR_RO(pmu_owner);

static ssize_t smpl_buffer_mem_cur_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&pfm_smpl_mem_cur));
}

static struct kobj_attribute smpl_buffer_mem_cur_attr =
	__ATTR_RO(smpl_buffer_mem_cur);

static ssize_t smpl_buffer_mem_max_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(pfm_smpl_mem_max));
}

static ssize_t smpl_buffer_mem_max_store(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 const char *buf, size_t count)
{
	unsigned long max;
	int ret;

	ret = kstrtoul(buf, 0, &max);
	if (ret)
		return ret;
	WRITE_ONCE(pfm_smpl_mem_max, max);
	return count;
}

static struct kobj_attribute smpl_buffer_mem_max_attr =
	__ATTR_RW_MODE(smpl_buffer_mem_max, 0644);

static struct attribute *pfm_top_attrs[] = {
	&version_attr.attr,
	&syscall_attr.attr,
	&task_sessions_count_attr.attr,
	&sys_sessions_count_attr.attr,
	&pmu_owner_attr.attr,
	&smpl_buffer_mem_cur_attr.attr,
	&smpl_buffer_mem_max_attr.attr,
	NULL,
};

static const struct attribute_group pfm_top_group = {
	.attrs = pfm_top_attrs,
};

static ssize_t model_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", pfm_sysfs_pmu->name);
}

static struct kobj_attribute model_attr = __ATTR_RO(model);

static ssize_t counter_width_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", pfm_sysfs_pmu->counter_width);
}

static struct kobj_attribute counter_width_attr = __ATTR_RO(counter_width);

static struct attribute *pfm_pmu_attrs[] = {
	&model_attr.attr,
	&counter_width_attr.attr,
	NULL,
};

static const struct attribute_group pfm_pmu_group = {
	.attrs = pfm_pmu_attrs,
};

/**
 * struct pfm_reg_kobj - sysfs directory of one register
 * @kobj: the directory
 * @reg: the register it describes
 * @width: bits the register holds in hardware
 */
struct pfm_reg_kobj {
	struct kobject			kobj;
	const struct pfm_regdesc	*reg;
	unsigned int			width;
};

static const struct pfm_reg_kobj *to_reg_kobj(struct kobject *kobj)
{
	return container_of(kobj, struct pfm_reg_kobj, kobj);
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_reg_kobj(kobj)->reg->name);
}

static struct kobj_attribute name_attr = __ATTR_RO(name);

static ssize_t dfl_val_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", to_reg_kobj(kobj)->reg->dfl_val);
}

static struct kobj_attribute dfl_val_attr = __ATTR_RO(dfl_val);

static ssize_t rsvd_msk_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", to_reg_kobj(kobj)->reg->rsvd_msk);
}

static struct kobj_attribute rsvd_msk_attr = __ATTR_RO(rsvd_msk);

static ssize_t addr_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", to_reg_kobj(kobj)->reg->hw_addr);
}

static struct kobj_attribute addr_attr = __ATTR_RO(addr);

static ssize_t width_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", to_reg_kobj(kobj)->width);
}

static struct kobj_attribute width_attr = __ATTR_RO(width);

static struct attribute *pfm_reg_attrs[] = {
	&name_attr.attr,
	&dfl_val_attr.attr,
	&rsvd_msk_attr.attr,
	&addr_attr.attr,
	&width_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(pfm_reg);

static void pfm_reg_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct pfm_reg_kobj, kobj));
}

static const struct kobj_type pfm_reg_ktype = {
	.release	= pfm_reg_kobj_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= pfm_reg_groups,
};

static struct kobject *pfm_reg_kobj_add(const struct pfm_regdesc *reg,
					const char *kind, unsigned int idx,
					unsigned int width)
{
	struct pfm_reg_kobj *rk;

	rk = kzalloc(sizeof(*rk), GFP_KERNEL);
	if (!rk)
		return NULL;
	rk->reg = reg;
	rk->width = width;
	if (kobject_init_and_add(&rk->kobj, &pfm_reg_ktype, pfm_pmu_kobj,
				 "%s%u", kind, idx)) {
		kobject_put(&rk->kobj);
		return NULL;
	}
	return &rk->kobj;
}

static void pfm_reg_kobjs_remove(void)
{
	while (pfm_nr_reg_kobjs)
		kobject_put(pfm_reg_kobjs[--pfm_nr_reg_kobjs]);
	kfree(pfm_reg_kobjs);
	pfm_reg_kobjs = NULL;
}

static int pfm_reg_kobjs_add(const struct pfm_regdesc *regs, unsigned int num,
			     const char *kind, bool is_pmd, u8 counter_width)
{
	unsigned int i, width;
	struct kobject *kobj;

	for (i = 0; i < num; i++) {
		if (!regs[i].type)
			continue;
		width = 64;
		if (is_pmd && (regs[i].type & PFM_REG_C64))
			width = counter_width;
		kobj = pfm_reg_kobj_add(&regs[i], kind, i, width);
		if (!kobj)
			return -ENOMEM;
		pfm_reg_kobjs[pfm_nr_reg_kobjs++] = kobj;
	}
	return 0;
}

/**
 * pfm_sysfs_add_pmu - create /sys/kernel/perfmon/pmu_desc for a description
 * @pmu: the description being registered
 *
 * Called with pfm_pmu_lock held.
 *
 * Return: 0, -ENODEV when /sys/kernel/perfmon does not exist, -ENOMEM.
 */
int pfm_sysfs_add_pmu(const struct pfm_pmu_desc *pmu)
{
	int ret;

	if (!pfm_kobj)
		return -ENODEV;

	pfm_sysfs_pmu = pmu;
	pfm_pmu_kobj = kobject_create_and_add("pmu_desc", pfm_kobj);
	if (!pfm_pmu_kobj) {
		ret = -ENOMEM;
		goto out_clear_pmu;
	}
	ret = sysfs_create_group(pfm_pmu_kobj, &pfm_pmu_group);
	if (ret)
		goto out_put_pmu_kobj;

	pfm_reg_kobjs = kcalloc(pmu->num_pmcs + pmu->num_pmds,
				sizeof(*pfm_reg_kobjs), GFP_KERNEL);
	if (!pfm_reg_kobjs) {
		ret = -ENOMEM;
		goto out_put_pmu_kobj;
	}
	ret = pfm_reg_kobjs_add(pmu->pmcs, pmu->num_pmcs, "pmc", false, 0);
	if (ret)
		goto out_remove_regs;
	ret = pfm_reg_kobjs_add(pmu->pmds, pmu->num_pmds, "pmd", true,
				pmu->counter_width);
	if (ret)
		goto out_remove_regs;
	return 0;

out_remove_regs:
	pfm_reg_kobjs_remove();
out_put_pmu_kobj:
	kobject_put(pfm_pmu_kobj);
	pfm_pmu_kobj = NULL;
out_clear_pmu:
	pfm_sysfs_pmu = NULL;
	return ret;
}

/**
 * pfm_sysfs_remove_pmu - remove /sys/kernel/perfmon/pmu_desc
 *
 * Called with pfm_pmu_lock held.
 */
void pfm_sysfs_remove_pmu(void)
{
	pfm_reg_kobjs_remove();
	kobject_put(pfm_pmu_kobj);
	pfm_pmu_kobj = NULL;
	pfm_sysfs_pmu = NULL;
}

/* /sys/kernel/perfmon/formats/<name>/: one kobject per sampling format */
static struct kobject *pfm_fmts_kobj;

struct pfm_fmt_kobj {
	struct kobject			kobj;
	const struct pfm_smpl_fmt	*fmt;
};

static ssize_t fmt_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	const struct pfm_smpl_fmt *fmt =
		container_of(kobj, struct pfm_fmt_kobj, kobj)->fmt;

	return sysfs_emit(buf, "%u.%u\n", fmt->version >> 16,
			  fmt->version & 0xffff);
}

static struct kobj_attribute fmt_version_attr =
	__ATTR(version, 0444, fmt_version_show, NULL);

static struct attribute *pfm_fmt_attrs[] = {
	&fmt_version_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(pfm_fmt);

static void pfm_fmt_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct pfm_fmt_kobj, kobj));
}

static const struct kobj_type pfm_fmt_ktype = {
	.release	= pfm_fmt_kobj_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= pfm_fmt_groups,
};

/**
 * pfm_sysfs_add_fmt - create /sys/kernel/perfmon/formats/<name>
 * @fmt: the format being registered
 *
 * Return: 0, -ENODEV when /sys/kernel/perfmon does not exist, -ENOMEM.
 */
int pfm_sysfs_add_fmt(struct pfm_smpl_fmt *fmt)
{
	struct pfm_fmt_kobj *fk;

	if (!pfm_fmts_kobj)
		return -ENODEV;
	fk = kzalloc(sizeof(*fk), GFP_KERNEL);
	if (!fk)
		return -ENOMEM;
	fk->fmt = fmt;
	if (kobject_init_and_add(&fk->kobj, &pfm_fmt_ktype, pfm_fmts_kobj,
				 "%s", fmt->name)) {
		kobject_put(&fk->kobj);
		return -ENOMEM;
	}
	fmt->kobj = &fk->kobj;
	return 0;
}

/**
 * pfm_sysfs_remove_fmt - remove a format's directory
 * @fmt: the format being unregistered
 */
void pfm_sysfs_remove_fmt(struct pfm_smpl_fmt *fmt)
{
	kobject_put(fmt->kobj);
	fmt->kobj = NULL;
}

static int __init pfm_sysfs_init(void)
{
	int ret;

	/* Sampling buffers may take an eighth of memory, all together. */
	pfm_smpl_mem_max = (totalram_pages() / 8) << PAGE_SHIFT;

	pfm_kobj = kobject_create_and_add("perfmon", kernel_kobj);
	if (!pfm_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(pfm_kobj, &pfm_top_group);
	if (ret)
		goto out_put_kobj;
	pfm_fmts_kobj = kobject_create_and_add("formats", pfm_kobj);
	if (!pfm_fmts_kobj) {
		ret = -ENOMEM;
		goto out_put_kobj;
	}
	return 0;

out_put_kobj:
	kobject_put(pfm_kobj);
	pfm_kobj = NULL;
	return ret;
}
subsys_initcall(pfm_sysfs_init);
