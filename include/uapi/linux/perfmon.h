/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * perfmon: user interface to the performance monitoring unit (PMU).
 *
 * The interface follows the perfmon2 v2.8x ABI so that its clients build
 * unchanged: the same twelve calls, structure names, layouts and flag values.
 * Two rules are stricter than perfmon2: every reserved field and every unknown
 * flag bit must be zero (EINVAL otherwise), and the overflow message carries
 * the process id in msg_ovfl_pid and the thread id in msg_ovfl_tid.
 *
 * See Documentation/userspace-api/perfmon/ for the semantics of each call.
 */
#ifndef _UAPI_LINUX_PERFMON_H
#define _UAPI_LINUX_PERFMON_H

#include <linux/types.h>

/*
 * Largest register index space on any architecture (256 hardware registers
 * plus 64 for software or pseudo registers), identical everywhere so that
 * the structure layouts below do not depend on the architecture.
 */
#define PFM_MAX_PMCS		(256 + 64)
#define PFM_MAX_PMDS		(256 + 64)

/* Number of __u64 words in a bitvector of x bits. */
#define PFM_BVSIZE(x)		(((x) + 63) / 64)
#define PFM_PMD_BV		PFM_BVSIZE(PFM_MAX_PMDS)
#define PFM_PMC_BV		PFM_BVSIZE(PFM_MAX_PMCS)

/*
 * Context flags (struct pfarg_ctx.ctx_flags).
 * Bits 0-15 are generic, bits 16-31 architecture specific; no architecture
 * defines any today, so every bit not listed here is rejected.
 */
#define PFM_FL_NOTIFY_BLOCK	0x01	/* monitored thread waits for pfm_restart() */
#define PFM_FL_SYSTEM_WIDE	0x02	/* monitor one CPU instead of one thread */
#define PFM_FL_OVFL_NO_MSG	0x80	/* overflow: SIGIO only, no message */
#define PFM_FL_FD_CLOEXEC	0x100	/* the returned fd is close-on-exec */

/*
 * Register flags (reg_flags of struct pfarg_pmc and struct pfarg_pmd).
 * Bits 0-15 are generic input flags, bits 16-23 architecture specific input
 * flags, bits 24-31 output only: the kernel reports there why an element of
 * a vector was refused. Output bits are ignored on input.
 */
#define PFM_REGFL_OVFL_NOTIFY	0x1	/* PMD: notify on 64-bit overflow */
#define PFM_REGFL_RANDOM	0x2	/* PMD: randomize the reset value */
#define PFM_REGFL_NO_EMUL64	0x4	/* PMC: no 64-bit emulation */

#define PFM_REG_RETFL_NOTAVAIL	(1U << 31)	/* register not available */
#define PFM_REG_RETFL_EINVAL	(1U << 30)	/* invalid value or flags */
#define PFM_REG_RETFL_NOSET	(1U << 29)	/* event set does not exist */
#define PFM_REG_RETFL_MASK	(PFM_REG_RETFL_NOTAVAIL | \
				 PFM_REG_RETFL_EINVAL | \
				 PFM_REG_RETFL_NOSET)

/*
 * Event set flags (set_flags of struct pfarg_setdesc and pfarg_setinfo).
 * Bits 0-15 generic, bits 16-31 architecture specific.
 */
#define PFM_SETFL_OVFL_SWITCH	0x01	/* switch after overflows */
#define PFM_SETFL_TIME_SWITCH	0x02	/* switch on timeout */
#define PFM_SETFL_EXCL_IDLE	0x08	/* system-wide: not while idle */

/**
 * struct pfarg_ctx - argument of pfm_create_context()
 * @ctx_flags: PFM_FL_* flags; unknown bits are rejected.
 * @ctx_reserved1: must be zero (was the returned fd in perfmon2 v2.2).
 * @ctx_reserved2: must be zero.
 */
struct pfarg_ctx {
	__u32	ctx_flags;
	__u32	ctx_reserved1;
	__u64	ctx_reserved2[7];
};

/**
 * struct pfarg_pmc - one element of pfm_write_pmcs()
 * @reg_num: PMC index in the PMU description.
 * @reg_set: event set the value belongs to.
 * @reg_flags: PFM_REGFL_NO_EMUL64 on input, PFM_REG_RETFL_* on output.
 * @reg_value: configuration value.
 * @reg_reserved2: must be zero.
 */
struct pfarg_pmc {
	__u16	reg_num;
	__u16	reg_set;
	__u32	reg_flags;
	__u64	reg_value;
	__u64	reg_reserved2[4];
};

/**
 * struct pfarg_pmd - one element of pfm_write_pmds() and pfm_read_pmds()
 * @reg_num: PMD index in the PMU description.
 * @reg_set: event set the value belongs to.
 * @reg_flags: PFM_REGFL_OVFL_NOTIFY and PFM_REGFL_RANDOM on input,
 *	PFM_REG_RETFL_* on output.
 * @reg_value: 64-bit counter value.
 * @reg_long_reset: value loaded after pfm_restart() and at start.
 * @reg_short_reset: value loaded after an overflow handled in the kernel.
 * @reg_last_reset_val: output of pfm_read_pmds(): last value used in a reset.
 * @reg_ovfl_switch_cnt: overflows before a PFM_SETFL_OVFL_SWITCH set switch.
 * @reg_reset_pmds: PMDs reset together with this one when it overflows.
 * @reg_smpl_pmds: PMDs recorded in a sample when this one overflows.
 * @reg_smpl_eventid: opaque identifier copied into samples.
 * @reg_random_mask: bits of randomness subtracted from the reset value.
 * @reg_random_seed: obsolete in perfmon2 v2.8x, must be zero.
 * @reg_reserved2: must be zero.
 */
struct pfarg_pmd {
	__u16	reg_num;
	__u16	reg_set;
	__u32	reg_flags;
	__u64	reg_value;
	__u64	reg_long_reset;
	__u64	reg_short_reset;
	__u64	reg_last_reset_val;
	__u64	reg_ovfl_switch_cnt;
	__u64	reg_reset_pmds[PFM_PMD_BV];
	__u64	reg_smpl_pmds[PFM_PMD_BV];
	__u64	reg_smpl_eventid;
	__u64	reg_random_mask;
	__u32	reg_random_seed;
	__u32	reg_reserved2[7];
};

/**
 * struct pfarg_start - optional argument of pfm_start()
 * @start_set: event set to activate first.
 * @start_reserved1: must be zero.
 * @start_reserved2: must be zero.
 * @reserved3: must be zero.
 */
struct pfarg_start {
	__u16	start_set;
	__u16	start_reserved1;
	__u32	start_reserved2;
	__u64	reserved3[3];
};

/**
 * struct pfarg_load - argument of pfm_load_context()
 * @load_pid: thread id to monitor, or CPU number for a system-wide context.
 * @load_set: event set to activate first.
 * @load_reserved1: must be zero.
 * @load_reserved2: must be zero.
 */
struct pfarg_load {
	__u32	load_pid;
	__u16	load_set;
	__u16	load_reserved1;
	__u64	load_reserved2[3];
};

/**
 * struct pfarg_setdesc - one element of pfm_create_evtsets() and
 *	pfm_delete_evtsets()
 * @set_id: event set identifier; set 0 always exists.
 * @set_reserved1: must be zero.
 * @set_flags: PFM_SETFL_* flags.
 * @set_timeout: switch timeout in nanoseconds (PFM_SETFL_TIME_SWITCH).
 * @reserved: must be zero.
 */
struct pfarg_setdesc {
	__u16	set_id;
	__u16	set_reserved1;
	__u32	set_flags;
	__u64	set_timeout;
	__u64	reserved[6];
};

/**
 * struct pfarg_setinfo - one element of pfm_getinfo_evtsets()
 * @set_id: event set to describe (input).
 * @set_reserved1: must be zero.
 * @set_flags: output: PFM_SETFL_* flags of the set.
 * @set_ovfl_pmds: output: PMDs that overflowed last.
 * @set_runs: output: number of times the set was activated.
 * @set_timeout: output: effective timeout, or what remains of it while
 *	the set is active, in nanoseconds.
 * @set_act_duration: output: time the set was active, in nanoseconds.
 * @set_avail_pmcs: output: PMCs usable in the set.
 * @set_avail_pmds: output: PMDs usable in the set.
 * @set_reserved3: must be zero.
 */
struct pfarg_setinfo {
	__u16	set_id;
	__u16	set_reserved1;
	__u32	set_flags;
	__u64	set_ovfl_pmds[PFM_PMD_BV];
	__u64	set_runs;
	__u64	set_timeout;
	__u64	set_act_duration;
	__u64	set_avail_pmcs[PFM_PMC_BV];
	__u64	set_avail_pmds[PFM_PMD_BV];
	__u64	set_reserved3[6];
};

/* Message types (first __u32 of every message). */
#define PFM_MSG_OVFL		1	/* a PMD overflowed */
#define PFM_MSG_END		2	/* the monitored thread exited */

/**
 * struct pfarg_ovfl_msg - overflow notification, read() from the context fd
 * @msg_type: PFM_MSG_OVFL.
 * @msg_ovfl_pid: process id (thread group id) of the monitored thread.
 *	perfmon2 stored the thread id here; this interface does not.
 * @msg_active_set: event set active at the overflow.
 * @msg_ovfl_cpu: CPU that took the overflow.
 * @msg_ovfl_tid: thread id of the monitored thread.
 * @msg_ovfl_ip: instruction pointer at the overflow interrupt.
 * @msg_ovfl_pmds: bitvector of the PMDs that overflowed.
 */
struct pfarg_ovfl_msg {
	__u32	msg_type;
	__u32	msg_ovfl_pid;
	__u16	msg_active_set;
	__u16	msg_ovfl_cpu;
	__u32	msg_ovfl_tid;
	__u64	msg_ovfl_ip;
	__u64	msg_ovfl_pmds[PFM_PMD_BV];
};

/**
 * union pfarg_msg - any message read() from a context fd
 * @type: PFM_MSG_* type; a PFM_MSG_END message is zero past it.
 * @pfm_ovfl_msg: the PFM_MSG_OVFL message.
 */
union pfarg_msg {
	__u32			type;
	struct pfarg_ovfl_msg	pfm_ovfl_msg;
};

/*
 * Interface version, also in /sys/kernel/perfmon/version as "major.minor".
 * 2.82 is the perfmon2 ABI this interface is source compatible with.
 */
#define PFM_VERSION_MAJ		2U
#define PFM_VERSION_MIN		82U
#define PFM_VERSION		(((PFM_VERSION_MAJ & 0xffff) << 16) | \
				 (PFM_VERSION_MIN & 0xffff))
#define PFM_VERSION_MAJOR(x)	(((x) >> 16) & 0xffff)
#define PFM_VERSION_MINOR(x)	((x) & 0xffff)

#endif /* _UAPI_LINUX_PERFMON_H */
