/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfmlib_sys.h - system call wrappers for the perfmon interface
 *
 * One static inline wrapper per perfmon system call, named and typed as in
 * libpfm-3 so that perfmon2 clients build unchanged. Each returns what the
 * call returns, or -1 with errno set, like the libc wrappers.
 *
 * Shared by tools/perfmon/pfmon and tools/testing/selftests/perfmon.
 */
#ifndef _PFMLIB_SYS_H
#define _PFMLIB_SYS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <asm/unistd.h>
#include <linux/perfmon.h>

/* Where the kernel describes the interface and the PMU. */
#ifndef PFM_SYSFS_DIR
#define PFM_SYSFS_DIR		"/sys/kernel/perfmon"
#endif

/*
 * System call numbers.
 *
 * The twelve calls are numbered PFM_NR_BASE to PFM_NR_BASE + 11 on every
 * architecture (x86_64 syscall_64.tbl "common" entries and asm-generic
 * unistd.h, so arm64). Headers installed from a perfmon kernel define
 * __NR_pfm_*; older headers do not, and then the numbers below are used.
 * PFM_NR_FALLBACK tells which happened.
 */
#define PFM_NR_BASE		451

#ifndef __NR_pfm_create_context
#define PFM_NR_FALLBACK		1
#define __NR_pfm_create_context	(PFM_NR_BASE + 0)
#define __NR_pfm_write_pmcs	(PFM_NR_BASE + 1)
#define __NR_pfm_write_pmds	(PFM_NR_BASE + 2)
#define __NR_pfm_read_pmds	(PFM_NR_BASE + 3)
#define __NR_pfm_load_context	(PFM_NR_BASE + 4)
#define __NR_pfm_start		(PFM_NR_BASE + 5)
#define __NR_pfm_stop		(PFM_NR_BASE + 6)
#define __NR_pfm_restart	(PFM_NR_BASE + 7)
#define __NR_pfm_create_evtsets	(PFM_NR_BASE + 8)
#define __NR_pfm_getinfo_evtsets (PFM_NR_BASE + 9)
#define __NR_pfm_delete_evtsets	(PFM_NR_BASE + 10)
#define __NR_pfm_unload_context	(PFM_NR_BASE + 11)
#else
#define PFM_NR_FALLBACK		0
#endif

static inline int pfm_create_context(struct pfarg_ctx *ctx, char *fmt_name,
				     void *fmt_arg, size_t fmt_arg_size)
{
	return syscall(__NR_pfm_create_context, ctx, fmt_name, fmt_arg,
		       fmt_arg_size);
}

static inline int pfm_write_pmcs(int fd, struct pfarg_pmc *pmcs, int count)
{
	return syscall(__NR_pfm_write_pmcs, fd, pmcs, count);
}

static inline int pfm_write_pmds(int fd, struct pfarg_pmd *pmds, int count)
{
	return syscall(__NR_pfm_write_pmds, fd, pmds, count);
}

static inline int pfm_read_pmds(int fd, struct pfarg_pmd *pmds, int count)
{
	return syscall(__NR_pfm_read_pmds, fd, pmds, count);
}

static inline int pfm_load_context(int fd, struct pfarg_load *load)
{
	return syscall(__NR_pfm_load_context, fd, load);
}

static inline int pfm_start(int fd, struct pfarg_start *start)
{
	return syscall(__NR_pfm_start, fd, start);
}

static inline int pfm_stop(int fd)
{
	return syscall(__NR_pfm_stop, fd);
}

static inline int pfm_restart(int fd)
{
	return syscall(__NR_pfm_restart, fd);
}

static inline int pfm_create_evtsets(int fd, struct pfarg_setdesc *setd,
				     int count)
{
	return syscall(__NR_pfm_create_evtsets, fd, setd, count);
}

static inline int pfm_getinfo_evtsets(int fd, struct pfarg_setinfo *info,
				      int count)
{
	return syscall(__NR_pfm_getinfo_evtsets, fd, info, count);
}

static inline int pfm_delete_evtsets(int fd, struct pfarg_setdesc *setd,
				     int count)
{
	return syscall(__NR_pfm_delete_evtsets, fd, setd, count);
}

static inline int pfm_unload_context(int fd)
{
	return syscall(__NR_pfm_unload_context, fd);
}

/**
 * pfm_probe() - check that the running kernel implements perfmon
 * @why: filled with a one-line reason when it does not; may be NULL
 * @len: size of @why
 *
 * /sys/kernel/perfmon is the proof. The numbers are never tried blindly:
 * on a kernel without perfmon they may belong to other calls (451 is
 * cachestat() upstream since 6.5).
 *
 * Return: 0 when perfmon is present, -1 when it is not.
 */
static inline int pfm_probe(char *why, size_t len)
{
	if (access(PFM_SYSFS_DIR, F_OK) == 0)
		return 0;
	if (why)
		snprintf(why, len, "no %s: kernel built without CONFIG_PERFMON",
			 PFM_SYSFS_DIR);
	return -1;
}

#endif /* _PFMLIB_SYS_H */
