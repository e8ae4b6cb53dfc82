// SPDX-License-Identifier: GPL-2.0
/*
 * Contexts: create one (with or without a default-format sampling buffer),
 * program a list of counters, load it, read the counts back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpfmon.h"

/**
 * pfmon_ctx_create() - create a context
 * @flags: PFM_FL_* (PFM_FL_FD_CLOEXEC is added)
 * @smpl_buf_size: size of a default-format sampling buffer, 0 for none
 *
 * Return: the context fd, or -1 (errno set).
 */
int pfmon_ctx_create(unsigned int flags, __u64 smpl_buf_size)
{
	struct pfm_dfl_smpl_arg arg;
	struct pfarg_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ctx_flags = flags | PFM_FL_FD_CLOEXEC;
	if (!smpl_buf_size)
		return pfm_create_context(&ctx, NULL, NULL, 0);
	memset(&arg, 0, sizeof(arg));
	arg.buf_size = smpl_buf_size;
	return pfm_create_context(&ctx, PFM_DFL_SMPL_NAME, &arg, sizeof(arg));
}

/**
 * pfmon_ctx_program() - write the PMCs of @n counters and zero their PMDs
 * @fd: the context, unloaded
 * @c: the counters
 * @n: how many
 *
 * Return: 0, or -1 (errno set) at the first refused register.
 */
int pfmon_ctx_program(int fd, const struct pfmon_counter *c, int n)
{
	struct pfarg_pmc pmc;
	struct pfarg_pmd pmd;
	int i;

	for (i = 0; i < n; i++) {
		memset(&pmc, 0, sizeof(pmc));
		pmc.reg_num = c[i].pmc;
		pmc.reg_set = c[i].set;
		pmc.reg_value = c[i].pmc_value;
		if (pfm_write_pmcs(fd, &pmc, 1))
			return -1;
		memset(&pmd, 0, sizeof(pmd));
		pmd.reg_num = c[i].pmd;
		pmd.reg_set = c[i].set;
		if (pfm_write_pmds(fd, &pmd, 1))
			return -1;
	}
	return 0;
}

/**
 * pfmon_ctx_load() - load a context on a thread or a CPU
 * @fd: the context
 * @target: thread id, or CPU number for a system-wide context
 *
 * Return: 0 or -1 (errno set).
 */
int pfmon_ctx_load(int fd, unsigned int target)
{
	struct pfarg_load load;

	memset(&load, 0, sizeof(load));
	load.load_pid = target;
	return pfm_load_context(fd, &load);
}

/**
 * pfmon_ctx_read() - read the PMDs of @n counters
 * @fd: the context
 * @c: the counters
 * @n: how many
 * @values: their 64-bit counts
 *
 * Return: 0 or -1 (errno set).
 */
int pfmon_ctx_read(int fd, const struct pfmon_counter *c, int n,
		   __u64 *values)
{
	struct pfarg_pmd *pmds;
	int i, ret;

	pmds = calloc(n ? n : 1, sizeof(*pmds));
	if (!pmds)
		return -1;
	for (i = 0; i < n; i++) {
		pmds[i].reg_num = c[i].pmd;
		pmds[i].reg_set = c[i].set;
	}
	ret = pfm_read_pmds(fd, pmds, n);
	if (!ret)
		for (i = 0; i < n; i++)
			values[i] = pmds[i].reg_value;
	free(pmds);
	return ret;
}

/**
 * pfmon_ctx_smpl_pmd() - make a PMD overflow every @period events
 * @fd: the context
 * @pmd: the PMD
 * @set: its event set
 * @period: events between two overflows
 * @flags: PFM_REGFL_* (PFM_REGFL_OVFL_NOTIFY, PFM_REGFL_RANDOM)
 *
 * The value and both reset values are 2^64 - @period: the 64-bit value
 * wraps after @period events.
 *
 * Return: 0 or -1 (errno set).
 */
int pfmon_ctx_smpl_pmd(int fd, unsigned int pmd, unsigned int set,
		       __u64 period, __u32 flags)
{
	struct pfarg_pmd p;

	memset(&p, 0, sizeof(p));
	p.reg_num = pmd;
	p.reg_set = set;
	p.reg_flags = flags;
	p.reg_value = -period;
	p.reg_short_reset = -period;
	p.reg_long_reset = -period;
	return pfm_write_pmds(fd, &p, 1);
}

/**
 * pfmon_strerror_ctx() - what an errno of a perfmon call means to a user
 * @err: the errno
 * @call: the call that failed ("pfm_create_context", "pfm_write_pmcs", ...)
 *
 * Return: a sentence without a trailing newline (static storage).
 */
const char *pfmon_strerror_ctx(int err, const char *call)
{
	static char buf[256];
	const char *hint = NULL;

	if (err == EPERM && !strcmp(call, "pfm_write_pmcs"))
		hint = "kernel-level counting needs CAP_PERFMON or perf_event_paranoid <= 1";
	else if (err == EPERM && !strcmp(call, "pfm_create_context"))
		hint = "needs CAP_PERFMON or perf_event_paranoid <= 2 (<= 0 system-wide)";
	else if (err == EPERM && !strcmp(call, "pfm_load_context"))
		hint = "not allowed to monitor that thread";
	else if (err == EBUSY && !strcmp(call, "pfm_load_context"))
		hint = "the PMU is in use (perf_events, or another perfmon session)";
	else if (err == EEXIST && !strcmp(call, "pfm_load_context"))
		hint = "that thread is already monitored";
	else if (err == ENOSYS)
		hint = "kernel without perfmon";
	if (hint)
		snprintf(buf, sizeof(buf), "%s: %s (%s)", call, strerror(err),
			 hint);
	else
		snprintf(buf, sizeof(buf), "%s: %s", call, strerror(err));
	return buf;
}
