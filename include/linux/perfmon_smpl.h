/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfmon: interface for sampling formats.
 *
 * A sampling format decides what an overflow records and where, in a
 * kernel buffer that user space maps read-only from the context fd. A
 * program picks a format by name in pfm_create_context(); the format's
 * callbacks then size and initialise the buffer, record each overflow and
 * rewind the buffer on pfm_restart(). Formats register by unique name,
 * built in or from modules.
 */
#ifndef _LINUX_PERFMON_SMPL_H
#define _LINUX_PERFMON_SMPL_H

#include <linux/list.h>
#include <linux/types.h>

struct kobject;
struct module;
struct pt_regs;

/* What to do after an overflow, struct pfm_ovfl_arg.ovfl_ctrl. */
#define PFM_OVFL_CTRL_NOTIFY	0x1	/* notify the controller */
#define PFM_OVFL_CTRL_RESET	0x2	/* reset the PMD with its short reset */
#define PFM_OVFL_CTRL_MASK	0x4	/* stop monitoring until pfm_restart() */

/* Longest format name, terminating NUL included. */
#define PFM_FMT_NAME_LEN	64

/**
 * struct pfm_ovfl_arg - one overflow, as a format's handler sees it
 * @ovfl_pmd: the PMD whose 64-bit value overflowed.
 * @active_set: the event set active at the overflow.
 * @ovfl_ctrl: output: PFM_OVFL_CTRL_* bits.
 * @num_smpl_pmds: number of values in @smpl_pmds_values.
 * @pid: thread id of the interrupted thread, in the pid namespace of the
 *	context's creator (0 when it has none there, e.g. the idle task).
 * @tgid: process id of that thread, likewise.
 * @pmd_last_reset: the value the PMD was last reset to.
 * @pmd_eventid: the PMD's reg_smpl_eventid.
 * @smpl_pmds_values: the 64-bit values of the PMDs in the overflowed PMD's
 *	reg_smpl_pmds, by increasing PMD number.
 */
struct pfm_ovfl_arg {
	u16	ovfl_pmd;
	u16	active_set;
	u32	ovfl_ctrl;
	u16	num_smpl_pmds;
	u32	pid;
	u32	tgid;
	u64	pmd_last_reset;
	u64	pmd_eventid;
	u64	*smpl_pmds_values;
};

/**
 * struct pfm_smpl_fmt - a sampling format
 * @name: unique name, what pfm_create_context() is given; required.
 * @version: (major << 16) | minor, shown in sysfs.
 * @arg_size: size of the argument pfm_create_context() must pass.
 * @owner: module providing the format, THIS_MODULE.
 * @validate: optional. Check the argument; return 0 or a negative errno.
 * @getsize: required. Store the buffer size the argument asks for.
 * @init: optional. Initialise the zeroed buffer of @size bytes.
 * @handler: required. Record one overflow, in the PMU interrupt with the
 *	context locked; set @arg->ovfl_ctrl. Returns 0 or a negative errno
 *	(-ENOBUFS when the buffer is full).
 * @restart: optional. pfm_restart() was called: rewind the buffer and
 *	set *@ovfl_ctrl (PFM_OVFL_CTRL_MASK keeps monitoring masked).
 * @exit: optional. The context is going away.
 * @list: in the registry, managed by the core.
 * @kobj: /sys/kernel/perfmon/formats/<name>, managed by the core.
 */
struct pfm_smpl_fmt {
	const char	*name;
	u32		version;
	size_t		arg_size;
	struct module	*owner;
	int		(*validate)(u32 ctx_flags, u16 num_pmds,
				    const void *arg);
	int		(*getsize)(u32 ctx_flags, const void *arg,
				   size_t *size);
	int		(*init)(void *buf, size_t size, u32 ctx_flags,
				u16 num_pmds, const void *arg);
	int		(*handler)(void *buf, struct pfm_ovfl_arg *arg,
				   unsigned long ip, u64 tstamp,
				   struct pt_regs *regs);
	int		(*restart)(void *buf, u32 *ovfl_ctrl);
	void		(*exit)(void *buf);
	struct list_head list;
	struct kobject	*kobj;
};

#ifdef CONFIG_PERFMON
int pfm_fmt_register(struct pfm_smpl_fmt *fmt);
int pfm_fmt_unregister(struct pfm_smpl_fmt *fmt);
#endif

#endif /* _LINUX_PERFMON_SMPL_H */
