// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the default sampling format, "default".
 *
 * Samples go one after the other into the buffer, after its header (see
 * include/uapi/linux/perfmon_dfl_smpl.h). When the room left cannot hold
 * the largest entry, the buffer is full: monitoring is masked and the
 * controller notified, so no sample is ever dropped unseen; pfm_restart()
 * rewinds the buffer. The header is written only here, in the PMU
 * interrupt and in pfm_restart(), never by user space: the mapping is
 * read-only.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/perfmon_dfl_smpl.h>
#include <linux/perfmon_smpl.h>
#include <asm/barrier.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "internal.h"

static size_t pfm_dfl_max_entry(u16 num_pmds)
{
	return sizeof(struct pfm_dfl_smpl_entry) + num_pmds * sizeof(u64);
}

static int pfm_dfl_validate(u32 ctx_flags, u16 num_pmds, const void *data)
{
	const struct pfm_dfl_smpl_arg *arg = data;

	if (arg->buf_flags || arg->reserved1 ||
	    !pfm_all_zero(arg->reserved, sizeof(arg->reserved)))
		return -EINVAL;
	if (arg->buf_size < sizeof(struct pfm_dfl_smpl_hdr) +
			    pfm_dfl_max_entry(num_pmds))
		return -EINVAL;
	return 0;
}

static int pfm_dfl_getsize(u32 ctx_flags, const void *data, size_t *size)
{
	const struct pfm_dfl_smpl_arg *arg = data;

	if (arg->buf_size > SIZE_MAX)
		return -EINVAL;
	*size = arg->buf_size;
	return 0;
}

static void pfm_dfl_rewind(struct pfm_dfl_smpl_hdr *hdr)
{
	hdr->hdr_count = 0;
	hdr->hdr_cur_offs = sizeof(*hdr);
}

static int pfm_dfl_init(void *buf, size_t size, u32 ctx_flags, u16 num_pmds,
			const void *data)
{
	const struct pfm_dfl_smpl_arg *arg = data;
	struct pfm_dfl_smpl_hdr *hdr = buf;

	hdr->hdr_version = PFM_DFL_SMPL_VERSION;
	hdr->hdr_buf_size = size;
	hdr->hdr_min_buf_space = pfm_dfl_max_entry(num_pmds);
	hdr->hdr_buf_flags = arg->buf_flags;
	pfm_dfl_rewind(hdr);
	return 0;
}

static bool pfm_dfl_full(const struct pfm_dfl_smpl_hdr *hdr)
{
	return hdr->hdr_buf_size - hdr->hdr_cur_offs < hdr->hdr_min_buf_space;
}

static int pfm_dfl_handler(void *buf, struct pfm_ovfl_arg *arg,
			   unsigned long ip, u64 tstamp, struct pt_regs *regs)
{
	struct pfm_dfl_smpl_hdr *hdr = buf;
	struct pfm_dfl_smpl_entry *ent;
	size_t values = arg->num_smpl_pmds * sizeof(u64);

	if (pfm_dfl_full(hdr)) {
		hdr->hdr_overflows++;
		arg->ovfl_ctrl = PFM_OVFL_CTRL_NOTIFY | PFM_OVFL_CTRL_MASK;
		return -ENOBUFS;
	}

	ent = buf + hdr->hdr_cur_offs;
	ent->pid = arg->pid;
	ent->tgid = arg->tgid;
	ent->ovfl_pmd = arg->ovfl_pmd;
	ent->reserved = 0;
	ent->last_reset_val = arg->pmd_last_reset;
	ent->ip = ip;
	ent->tstamp = tstamp;
	ent->cpu = smp_processor_id();
	ent->set = arg->active_set;
	memcpy(ent + 1, arg->smpl_pmds_values, values);

	/* A reader that sees the new count sees the entry. */
	smp_wmb();
	hdr->hdr_cur_offs += sizeof(*ent) + values;
	hdr->hdr_count++;

	/* Stop before the next sample would not fit, not after losing it. */
	if (pfm_dfl_full(hdr)) {
		hdr->hdr_overflows++;
		arg->ovfl_ctrl = PFM_OVFL_CTRL_NOTIFY | PFM_OVFL_CTRL_MASK;
	} else {
		arg->ovfl_ctrl = PFM_OVFL_CTRL_RESET;
	}
	return 0;
}

static int pfm_dfl_restart(void *buf, u32 *ovfl_ctrl)
{
	pfm_dfl_rewind(buf);
	*ovfl_ctrl = PFM_OVFL_CTRL_RESET;
	return 0;
}

static struct pfm_smpl_fmt pfm_dfl_fmt = {
	.name		= PFM_DFL_SMPL_NAME,
	.version	= PFM_DFL_SMPL_VERSION,
	.arg_size	= sizeof(struct pfm_dfl_smpl_arg),
	.owner		= THIS_MODULE,
	.validate	= pfm_dfl_validate,
	.getsize	= pfm_dfl_getsize,
	.init		= pfm_dfl_init,
	.handler	= pfm_dfl_handler,
	.restart	= pfm_dfl_restart,
};

static int __init pfm_dfl_fmt_init(void)
{
	return pfm_fmt_register(&pfm_dfl_fmt);
}
device_initcall(pfm_dfl_fmt_init);
