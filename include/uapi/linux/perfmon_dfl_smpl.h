/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * perfmon: the default sampling format, "default".
 *
 * The buffer starts with a header; entries follow it back to back, each a
 * struct pfm_dfl_smpl_entry and then the 64-bit values of the PMDs listed
 * in the overflowed PMD's reg_smpl_pmds, by increasing PMD number. The
 * layouts are those of perfmon2's default format, version 1.0, so its
 * readers work unchanged.
 *
 * See Documentation/userspace-api/perfmon/sampling.rst.
 */
#ifndef _UAPI_LINUX_PERFMON_DFL_SMPL_H
#define _UAPI_LINUX_PERFMON_DFL_SMPL_H

#include <linux/types.h>

#define PFM_DFL_SMPL_NAME	"default"

#define PFM_DFL_SMPL_VERSION_MAJ	1U
#define PFM_DFL_SMPL_VERSION_MIN	0U
#define PFM_DFL_SMPL_VERSION	(((PFM_DFL_SMPL_VERSION_MAJ & 0xffff) << 16) | \
				 (PFM_DFL_SMPL_VERSION_MIN & 0xffff))

/**
 * struct pfm_dfl_smpl_arg - format argument of pfm_create_context()
 * @buf_size: size of the buffer in bytes, header included; rounded up to
 *	whole pages by the kernel.
 * @buf_flags: must be zero; no flag is defined.
 * @reserved1: must be zero.
 * @reserved: must be zero.
 */
struct pfm_dfl_smpl_arg {
	__u64	buf_size;
	__u32	buf_flags;
	__u32	reserved1;
	__u64	reserved[6];
};

/**
 * struct pfm_dfl_smpl_hdr - header at the start of the buffer
 * @hdr_count: number of entries in the buffer.
 * @hdr_cur_offs: offset from the start of the buffer of the byte after
 *	the last entry.
 * @hdr_overflows: times the buffer became full, counting both the sample
 *	that filled it and any overflow that found it full (whose sample is
 *	lost).
 * @hdr_buf_size: size of the buffer in bytes.
 * @hdr_min_buf_space: room the largest entry needs; the buffer is full
 *	when less than this is left.
 * @hdr_version: PFM_DFL_SMPL_VERSION.
 * @hdr_buf_flags: the buf_flags of the argument.
 * @hdr_reserved: zero.
 */
struct pfm_dfl_smpl_hdr {
	__u64	hdr_count;
	__u64	hdr_cur_offs;
	__u64	hdr_overflows;
	__u64	hdr_buf_size;
	__u64	hdr_min_buf_space;
	__u32	hdr_version;
	__u32	hdr_buf_flags;
	__u64	hdr_reserved[10];
};

/**
 * struct pfm_dfl_smpl_entry - one sample
 * @pid: thread id of the thread interrupted by the overflow (perfmon2's
 *	name), in the pid namespace of the context's creator; in a
 *	system-wide context any thread, or 0 for the idle task.
 * @ovfl_pmd: PMD whose overflow made the sample.
 * @reserved: zero.
 * @last_reset_val: value the PMD was last reset to; its distance to 2^64
 *	is the period that ended here.
 * @ip: instruction pointer at the overflow interrupt.
 * @tstamp: local_clock() of the CPU at the overflow, in nanoseconds.
 * @cpu: CPU that took the overflow.
 * @set: event set active at the overflow.
 * @tgid: process id (thread group id) of that thread, likewise.
 */
struct pfm_dfl_smpl_entry {
	__u32	pid;
	__u16	ovfl_pmd;
	__u16	reserved;
	__u64	last_reset_val;
	__u64	ip;
	__u64	tstamp;
	__u16	cpu;
	__u16	set;
	__u32	tgid;
};

#endif /* _UAPI_LINUX_PERFMON_DFL_SMPL_H */
