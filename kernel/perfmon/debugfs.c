// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: debugfs statistics, not an ABI.
 *
 *   perfmon/pmu_reg_accesses	PMU register reads and writes made by
 *				perfmon since boot, all CPUs together
 *   perfmon/contexts		contexts allocated and not yet freed
 *
 *   perfmon/cpu_pm_cycle	(CONFIG_CPU_PM, write-only) a write runs the
 *				writer's CPU through its power-down notifiers
 *
 * Under an instruction-counting emulator a register access costs one
 * instruction, on hardware tens of cycles, so benchmarks report this
 * count next to their times.
 */
#include <linux/cpu_pm.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/irqflags.h>

#include "internal.h"

static int pfm_reg_accesses_get(void *data, u64 *val)
{
	unsigned int cpu;
	u64 sum = 0;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(pfm_cpu, cpu).reg_accesses);
	*val = sum;
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(pfm_reg_accesses_fops, pfm_reg_accesses_get, NULL,
			 "%llu\n");

static int pfm_contexts_get(void *data, u64 *val)
{
	*val = atomic_long_read(&pfm_nr_contexts);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(pfm_contexts_fops, pfm_contexts_get, NULL, "%llu\n");

#ifdef CONFIG_CPU_PM
/*
 * CPU_PM_ENTER then CPU_PM_EXIT on this CPU, as an idle entry does around
 * a power-down state, arm_pmu's PMU reset on exit included. Only the loss
 * of the registers themselves is missing, and the reset stands in for it:
 * this is how the save and reload of cpu_pm.c get tested on machines that
 * never power a CPU down, such as QEMU's virt board.
 */
static ssize_t pfm_cpu_pm_cycle_write(struct file *file,
				      const char __user *buf, size_t count,
				      loff_t *ppos)
{
	int ret;

	local_irq_disable();
	ret = cpu_pm_enter();
	if (!ret)
		ret = cpu_pm_exit();
	local_irq_enable();
	return ret ?: count;
}

static const struct file_operations pfm_cpu_pm_cycle_fops = {
	.owner	= THIS_MODULE,
	.write	= pfm_cpu_pm_cycle_write,
	.llseek	= noop_llseek,
};

static void pfm_debugfs_cpu_pm(struct dentry *dir)
{
	debugfs_create_file("cpu_pm_cycle", 0200, dir, NULL,
			    &pfm_cpu_pm_cycle_fops);
}
#else
static void pfm_debugfs_cpu_pm(struct dentry *dir)
{
}
#endif

static int __init pfm_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("perfmon", NULL);

	debugfs_create_file_unsafe("pmu_reg_accesses", 0444, dir, NULL,
				   &pfm_reg_accesses_fops);
	debugfs_create_file_unsafe("contexts", 0444, dir, NULL,
				   &pfm_contexts_fops);
	pfm_debugfs_cpu_pm(dir);
	return 0;
}
late_initcall(pfm_debugfs_init);
