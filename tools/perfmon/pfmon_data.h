/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfmon_data.h - the file pfmon record writes and pfmon report reads
 *
 * Layout (native byte order and alignment; every size is a multiple of 8):
 *
 *   struct pfmon_data_hdr           at offset 0, hdr_size bytes
 *   records, back to back, each starting with struct pfmon_rec:
 *     PFMON_REC_COMM    the command line and the thread counted
 *     PFMON_REC_MMAP    one file mapping of the process (from
 *                       /proc/PID/maps at the exec and at the exit), enough
 *                       to turn a user IP into a file offset and a symbol
 *     PFMON_REC_SAMPLE  one sample (an entry of the default format's buffer)
 *     PFMON_REC_END     totals, last
 *
 * A reader checks magic and version, skips records of unknown type (their
 * size says how far) and stops at PFMON_REC_END or the end of the file.
 * Kernel IPs are resolved with /proc/kallsyms when the report is made.
 */
#ifndef _PFMON_DATA_H
#define _PFMON_DATA_H

#include <linux/types.h>

#define PFMON_DATA_MAGIC	"PFMONDAT"
#define PFMON_DATA_VERSION	1

/**
 * struct pfmon_data_hdr - file header
 * @magic: PFMON_DATA_MAGIC, no NUL
 * @version: PFMON_DATA_VERSION
 * @hdr_size: sizeof(struct pfmon_data_hdr); records start there
 * @period: sampling period, in events
 * @pmc_value: value of the PMC counting the event
 * @pmc: that PMC
 * @pmd: the PMD sampled (its overflows made the samples)
 * @plm: privilege levels counted (PFMON_PLM_*)
 * @reserved: zero
 * @event: event name, NUL-terminated
 * @pmu: PMU model, NUL-terminated
 * @reserved2: zero
 */
struct pfmon_data_hdr {
	char	magic[8];
	__u32	version;
	__u32	hdr_size;
	__u64	period;
	__u64	pmc_value;
	__u32	pmc;
	__u32	pmd;
	__u32	plm;
	__u32	reserved;
	char	event[64];
	char	pmu[64];
	__u64	reserved2[8];
};

enum pfmon_rec_type {
	PFMON_REC_COMM		= 1,
	PFMON_REC_MMAP		= 2,
	PFMON_REC_SAMPLE	= 3,
	PFMON_REC_END		= 4,
};

/**
 * struct pfmon_rec - start of every record
 * @type: enum pfmon_rec_type
 * @reserved: zero
 * @size: bytes of the whole record, this header included, multiple of 8
 */
struct pfmon_rec {
	__u16	type;
	__u16	reserved;
	__u32	size;
};

/**
 * struct pfmon_rec_comm - PFMON_REC_COMM
 * @hdr: type and size
 * @tgid: process id
 * @tid: thread id monitored
 * @cmdline: the command line, arguments separated by spaces, NUL-terminated
 *	(padded with NULs to the record size)
 */
struct pfmon_rec_comm {
	struct pfmon_rec	hdr;
	__u32			tgid;
	__u32			tid;
	char			cmdline[];
};

/**
 * struct pfmon_rec_mmap - PFMON_REC_MMAP
 * @hdr: type and size
 * @tgid: process id
 * @reserved: zero
 * @start: first address of the mapping
 * @end: address after it
 * @pgoff: file offset mapped at @start
 * @path: the file, NUL-terminated and padded
 */
struct pfmon_rec_mmap {
	struct pfmon_rec	hdr;
	__u32			tgid;
	__u32			reserved;
	__u64			start;
	__u64			end;
	__u64			pgoff;
	char			path[];
};

/**
 * struct pfmon_rec_sample - PFMON_REC_SAMPLE
 * @hdr: type and size
 * @tid: thread interrupted
 * @tgid: its process
 * @ip: instruction pointer at the overflow
 * @tstamp: timestamp in ns (the kernel's local_clock())
 * @period: events since the previous sample of this PMD
 * @cpu: CPU
 * @set: event set
 * @reserved: zero
 */
struct pfmon_rec_sample {
	struct pfmon_rec	hdr;
	__u32			tid;
	__u32			tgid;
	__u64			ip;
	__u64			tstamp;
	__u64			period;
	__u16			cpu;
	__u16			set;
	__u32			reserved;
};

/**
 * struct pfmon_rec_end - PFMON_REC_END
 * @hdr: type and size
 * @samples: PFMON_REC_SAMPLE records written
 * @buffer_full: times the kernel buffer filled (each time pfmon copied it
 *	out and restarted: no sample is lost, the thread waited)
 * @count: final value of the sampled PMD's event count, from the start
 *	(the sum of the periods plus what was left)
 * @duration_ns: wall-clock duration of the run
 * @exit_status: the command's exit status (128 + signal when killed)
 * @reserved: zero
 */
struct pfmon_rec_end {
	struct pfmon_rec	hdr;
	__u64			samples;
	__u64			buffer_full;
	__u64			count;
	__u64			duration_ns;
	__s32			exit_status;
	__u32			reserved;
};

#endif /* _PFMON_DATA_H */
