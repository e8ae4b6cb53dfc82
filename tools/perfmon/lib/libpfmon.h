/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libpfmon.h - helpers over the perfmon system calls
 *
 * A small user-space library shared by tools/perfmon/pfmon and, where it
 * helps, tools/testing/selftests/perfmon: what the active PMU description
 * is (sysfs), the PMC values of its events, contexts programmed from a
 * list of counters, commands started stopped under ptrace so that a context
 * can be loaded on them before they exec, CPU lists, and the walk over a
 * default-format sampling buffer.
 *
 * Event names are not here: lib/events.c (libpfm4) turns names into the
 * event codes these helpers take.
 *
 * Functions return 0 (or a count, an fd) on success and -1 with errno set
 * on failure, like the system call wrappers of pfmlib_sys.h; those that
 * can fail for a reason worth a sentence fill a caller-supplied buffer.
 */
#ifndef _LIBPFMON_H
#define _LIBPFMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/perfmon.h>
#include <linux/perfmon_dfl_smpl.h>

#include "pfmlib_sys.h"

#ifndef BIT_ULL
#define BIT_ULL(nr)		(1ULL << (nr))
#endif

/* Function attributes, spelt __pfmon_attr(noinline, noreturn) and so on. */
#define __pfmon_attr(...)	__attribute__((__VA_ARGS__))

#define PFMON_PMU_DIR		PFM_SYSFS_DIR "/pmu_desc"

/* The models of the PMU descriptions perfmon has (pmu_desc/model). */
#define PFMON_MODEL_SW		"perfmon software PMU"
#define PFMON_MODEL_PMUV3	"ARMv8 PMUv3"

/* Privilege level masks, as libpfm's PFM_PLM3 (user) and PFM_PLM0. */
#define PFMON_PLM_U		0x8
#define PFMON_PLM_K		0x1
#define PFMON_PLM_UK		(PFMON_PLM_U | PFMON_PLM_K)

/**
 * enum pfmon_pmu_type - the PMU descriptions pfmon knows how to program
 * @PFMON_PMU_UNKNOWN: some other model: its PMC layout is unknown.
 * @PFMON_PMU_SW: the software PMU: PMC0..3 select an event (bits 7:0),
 *	bit 16 USR, bit 17 OS, bit 22 EN; PMD0..3 count.
 * @PFMON_PMU_PMUV3: ARMv8 PMUv3: PMC0/PMD0 the cycle counter, PMC k /
 *	PMD k event counter k - 1; event in bits 15:0, bit 31 P (no kernel),
 *	bit 30 U (no user).
 */
enum pfmon_pmu_type {
	PFMON_PMU_UNKNOWN,
	PFMON_PMU_SW,
	PFMON_PMU_PMUV3,
};

/* Software PMU PMC bits. */
#define PFMON_SW_EVSEL		0xffULL
#define PFMON_SW_USR		BIT_ULL(16)
#define PFMON_SW_OS		BIT_ULL(17)
#define PFMON_SW_EN		BIT_ULL(22)

/* PMUv3 PMC bits and registers. */
#define PFMON_V3_EVTYPE		0xffffULL
#define PFMON_V3_P		BIT_ULL(31)
#define PFMON_V3_U		BIT_ULL(30)
#define PFMON_V3_CYCLE_REG	0
#define PFMON_V3_CPU_CYCLES	0x11

/**
 * struct pfmon_pmu - the active PMU description, from sysfs
 * @model: pmu_desc/model
 * @type: what pfmon makes of @model
 * @counter_width: pmu_desc/counter_width (hardware bits)
 * @num_pmcs: highest implemented PMC + 1
 * @num_pmds: highest implemented PMD + 1
 * @impl_pmcs: implemented PMCs (a pmcN directory exists)
 * @impl_pmds: implemented PMDs
 */
struct pfmon_pmu {
	char			model[64];
	enum pfmon_pmu_type	type;
	unsigned int		counter_width;
	unsigned int		num_pmcs;
	unsigned int		num_pmds;
	__u64			impl_pmcs[PFM_PMC_BV];
	__u64			impl_pmds[PFM_PMD_BV];
};

/**
 * struct pfmon_counter - one counter to program: a PMC and its PMD
 * @pmc: PMC index
 * @pmd: PMD index (the same as @pmc on both known PMUs)
 * @set: event set
 * @pmc_value: value written to the PMC
 */
struct pfmon_counter {
	unsigned int	pmc;
	unsigned int	pmd;
	unsigned int	set;
	__u64		pmc_value;
};

static inline bool pfmon_bv_test(const __u64 *bv, unsigned int n)
{
	return bv[n / 64] & (1ULL << (n % 64));
}

static inline void pfmon_bv_set(__u64 *bv, unsigned int n)
{
	bv[n / 64] |= 1ULL << (n % 64);
}

/* pmu.c */
int pfmon_read_attr(const char *path, char *buf, size_t len);
int pfmon_pmu_read(struct pfmon_pmu *pmu, char *why, size_t len);
__u64 pfmon_pmc_value(const struct pfmon_pmu *pmu, unsigned int pmc,
		      __u64 code, unsigned int plm);
int pfmon_plm_parse(const char *s, unsigned int *plm);
const char *pfmon_plm_name(unsigned int plm);

/* ctx.c */
int pfmon_ctx_create(unsigned int flags, __u64 smpl_buf_size);
int pfmon_ctx_program(int fd, const struct pfmon_counter *c, int n);
int pfmon_ctx_load(int fd, unsigned int target);
int pfmon_ctx_read(int fd, const struct pfmon_counter *c, int n,
		   __u64 *values);
int pfmon_ctx_smpl_pmd(int fd, unsigned int pmd, unsigned int set,
		       __u64 period, __u32 flags);
const char *pfmon_strerror_ctx(int err, const char *call);

/* task.c */

/**
 * struct pfmon_task - a command started under ptrace
 * @pid: its process (and first thread) id
 * @exec_fd: read end of a close-on-exec pipe: EOF once the exec succeeded,
 *	the exec's errno (an int) when it failed
 */
struct pfmon_task {
	pid_t	pid;
	int	exec_fd;
};

int pfmon_task_spawn(struct pfmon_task *t, char *const argv[]);
int pfmon_task_exec_status(struct pfmon_task *t);
int pfmon_task_attach(pid_t tid);
int pfmon_task_wait_stop(pid_t tid);
int pfmon_task_detach(pid_t tid);
int pfmon_find_command(const char *cmd, char *path, size_t len);

/* cpus.c */
int pfmon_cpulist_parse(const char *s, int *cpus, int max, char *why,
			size_t len);
int pfmon_cpus_online(int *cpus, int max);

/* smpl.c */

/**
 * typedef pfmon_smpl_fn - called for each entry of a sampling buffer
 * @e: the entry
 * @vals: the sampled PMD values that follow it
 * @nvals: how many
 * @arg: the walk's argument
 *
 * Return: 0 to go on, anything else to stop the walk with that value.
 */
typedef int (*pfmon_smpl_fn)(const struct pfm_dfl_smpl_entry *e,
			     const __u64 *vals, unsigned int nvals, void *arg);

long pfmon_smpl_walk(const void *buf, size_t size, unsigned int nvals,
		     pfmon_smpl_fn fn, void *arg, const char **why);

#endif /* _LIBPFMON_H */
