// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: counter overflows reported by a PMU description.
 *
 * A hardware counter narrower than 64 bits wraps long before its 64-bit
 * virtual value does. The description's interrupt handler reports which
 * counters wrapped; folding their values into the image right away keeps
 * the 64-bit values right however long the context stays on the CPU.
 */
#include <linux/export.h>
#include <linux/perfmon.h>

#include "internal.h"

/**
 * pfm_pmu_overflow - fold the counters that overflowed on this CPU
 * @ovfl_pmds: bitmap, by PMD number, of the counters whose overflow flag
 *	was set (and cleared by the caller)
 * @regs: the interrupted context
 *
 * Called by a PMU description from its overflow interrupt handler, in hard
 * interrupt context, on the CPU whose PMU overflowed. Overflows of a PMU
 * no context holds are stale and dropped.
 */
void pfm_pmu_overflow(const unsigned long *ovfl_pmds, struct pt_regs *regs)
{
	struct pfm_context *ctx = this_cpu_read(pfm_cpu.live);
	unsigned int i;

	lockdep_assert_irqs_disabled();
	if (!ctx)
		return;
	raw_spin_lock(&ctx->lock);
	if (pfm_hw_holds(ctx)) {
		for_each_set_bit(i, ovfl_pmds, ctx->pmu->num_pmds)
			if (test_bit(i, ctx->used_pmds))
				ctx->pmds[i].value = pfm_hw_read_pmd(ctx, i);
	}
	raw_spin_unlock(&ctx->lock);
}
EXPORT_SYMBOL_GPL(pfm_pmu_overflow);
