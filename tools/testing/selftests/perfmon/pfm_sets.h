/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the event set selftests (P5): one-element wrappers of
 * pfm_create_evtsets(), pfm_getinfo_evtsets() and pfm_delete_evtsets(),
 * register accesses that name a set (reg_set), and the scaling of a count
 * by the set statistics.
 *
 * Scaling: a set counts only while it is the active one, so a count c of
 * a set active for d ns out of the D ns all the sets of the context were
 * active (sum of their set_act_duration) estimates c * D / d for the whole
 * measurement.
 */
#ifndef _PFM_SETS_H
#define _PFM_SETS_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "pfm_test.h"

/* The first set a context has, and the most a context may have. */
#define PFM_SET0		0
#define PFM_SETS_MAX		256
/* Shortest effective PFM_SETFL_TIME_SWITCH timeout, in ns. */
#define PFM_SET_MIN_TIMEOUT	100000ULL

static inline void pfm_sets_desc(struct pfarg_setdesc *d, __u16 id,
				 __u32 flags, __u64 timeout)
{
	memset(d, 0, sizeof(*d));
	d->set_id = id;
	d->set_flags = flags;
	d->set_timeout = timeout;
}

/*
 * Create (or change) set @id with @flags and @timeout; *@eff, when not
 * NULL, gets the set_timeout the kernel wrote back.
 */
static inline int pfm_sets_create1(int fd, __u16 id, __u32 flags,
				   __u64 timeout, __u64 *eff)
{
	struct pfarg_setdesc d;
	int ret;

	pfm_sets_desc(&d, id, flags, timeout);
	ret = pfm_create_evtsets(fd, &d, 1);
	if (!ret && eff)
		*eff = d.set_timeout;
	return ret;
}

static inline int pfm_sets_delete1(int fd, __u16 id)
{
	struct pfarg_setdesc d;

	pfm_sets_desc(&d, id, 0, 0);
	return pfm_delete_evtsets(fd, &d, 1);
}

/* pfm_getinfo_evtsets() of set @id into @info. */
static inline int pfm_sets_info(int fd, __u16 id, struct pfarg_setinfo *info)
{
	memset(info, 0, sizeof(*info));
	info->set_id = id;
	return pfm_getinfo_evtsets(fd, info, 1);
}

/* Write @value to PMC @num of set @set. */
static inline int pfm_sets_write_pmc(int fd, __u16 set, unsigned int num,
				     __u64 value)
{
	struct pfarg_pmc pmc;

	memset(&pmc, 0, sizeof(pmc));
	pmc.reg_num = num;
	pmc.reg_set = set;
	pmc.reg_value = value;
	return pfm_write_pmcs(fd, &pmc, 1);
}

/* Write @value to PMD @num of set @set, nothing else. */
static inline int pfm_sets_write_pmd(int fd, __u16 set, unsigned int num,
				     __u64 value)
{
	struct pfarg_pmd pmd;

	memset(&pmd, 0, sizeof(pmd));
	pmd.reg_num = num;
	pmd.reg_set = set;
	pmd.reg_value = value;
	return pfm_write_pmds(fd, &pmd, 1);
}

/* Read PMD @num of set @set: the whole element into @pmd. */
static inline int pfm_sets_read(int fd, __u16 set, unsigned int num,
				struct pfarg_pmd *pmd)
{
	memset(pmd, 0, sizeof(*pmd));
	pmd->reg_num = num;
	pmd->reg_set = set;
	return pfm_read_pmds(fd, pmd, 1);
}

/* Read PMD @num of set @set into *@value. */
static inline int pfm_sets_read_pmd(int fd, __u16 set, unsigned int num,
				    __u64 *value)
{
	struct pfarg_pmd pmd;
	int ret;

	ret = pfm_sets_read(fd, set, num, &pmd);
	if (!ret)
		*value = pmd.reg_value;
	return ret;
}

/* @count of a set active @dur ns out of @total ns, scaled to @total. */
static inline double pfm_sets_scale(__u64 count, __u64 total, __u64 dur)
{
	return dur ? (double)count * (double)total / (double)dur : 0.0;
}

/* |@x - @ref| / @ref, in percent. */
static inline double pfm_sets_err_pct(double x, double ref)
{
	double d = x - ref;

	if (ref == 0)
		return x == 0 ? 0.0 : 100.0;
	return 100.0 * (d < 0 ? -d : d) / ref;
}

#endif /* _PFM_SETS_H */
