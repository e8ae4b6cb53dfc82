// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: debugfs statistics, not an ABI.
 *
 *   perfmon/pmu_reg_accesses	PMU register reads and writes made by
 *				perfmon since boot, all CPUs together
 *   perfmon/contexts		contexts allocated and not yet freed
 *
 * Under an instruction-counting emulator a register access costs one
 * instruction, on hardware tens of cycles, so benchmarks report this
 * count next to their times.
 */
#include <linux/debugfs.h>
#include <linux/init.h>

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

static int __init pfm_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("perfmon", NULL);

	debugfs_create_file_unsafe("pmu_reg_accesses", 0444, dir, NULL,
				   &pfm_reg_accesses_fops);
	debugfs_create_file_unsafe("contexts", 0444, dir, NULL,
				   &pfm_contexts_fops);
	return 0;
}
late_initcall(pfm_debugfs_init);
