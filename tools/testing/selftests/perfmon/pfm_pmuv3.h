/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ARMv8 PMUv3 selftests (P3): the PMUv3 register
 * layout, how to tell which boot the test runs in, perf_event_open(), and
 * the measured region: a loop of a fixed number of instructions between two
 * system calls, all of it in one assembly function, so that perfmon and perf
 * count exactly the same user instructions.
 *
 * Boots (see the P3 contract): exact mode is QEMU -smp 1 -icount
 * shift=0,sleep=off, where INST_RETIRED (0x08) counts and CPU_CYCLES equals
 * it; plain TCG (-smp 2) only counts CPU_CYCLES (0x11, virtual ns).
 */
#ifndef _PFM_PMUV3_H
#define _PFM_PMUV3_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include "pfm_test.h"

#define PFM_V3_MODEL		"ARMv8 PMUv3"

/*
 * Register numbering: PMC0/PMD0 are PMCCFILTR_EL0/PMCCNTR_EL0 (the cycle
 * counter), PMC k/PMD k are PMEVTYPER<k-1>_EL0/PMEVCNTR<k-1>_EL0.
 */
#define PFM_V3_CYCLE_REG	0
#define PFM_V3_EVT_REG(k)	((k) + 1)

/* PMEVTYPER/PMCCFILTR filter bits. */
#define PFM_V3_P		0x80000000ULL	/* bit 31: do not count at EL1 */
#define PFM_V3_U		0x40000000ULL	/* bit 30: do not count at EL0 */
#define PFM_V3_USER		PFM_V3_P	/* count at user level only */
#define PFM_V3_KERNEL		PFM_V3_U	/* count at kernel level only */
#define PFM_V3_BOTH		0ULL		/* count at both levels */
#define PFM_V3_NOWHERE		(PFM_V3_P | PFM_V3_U)

/* The only two events QEMU implements. */
#define PFM_V3_INST_RETIRED	0x08
#define PFM_V3_CPU_CYCLES	0x11

/* The architected perf hardware PMU directory prefix in sysfs. */
#define PFM_V3_PERF_DIR		"/sys/bus/event_source/devices"
#define PFM_V3_PERF_PREFIX	"armv8_pmuv3"

#define PFM_PMU_OWNER		PFM_SYSFS_DIR "/pmu_owner"

/* Read the PMU model into @model (newline stripped); length or -1. */
static inline int pfm_v3_model(char *model, size_t len)
{
	int n = pfm_test_read_attr(PFM_SYSFS_DIR "/pmu_desc/model", model,
				   len);

	if (n > 0 && model[n - 1] == '\n')
		model[--n] = '\0';
	return n;
}

/*
 * Skip the calling test, with the reason "no PMUv3", unless the kernel has
 * perfmon with the PMUv3 description active (arm64 only).
 */
static inline bool pfm_v3_require(struct __test_metadata *_metadata)
{
	char model[128];
	int n;

	if (!pfm_test_require(_metadata))
		return false;
	n = pfm_v3_model(model, sizeof(model));
#ifdef __aarch64__
	if (n > 0 && strcmp(model, PFM_V3_MODEL) == 0)
		return true;
#endif
	SKIP(return false, "no PMUv3 (PMU is \"%s\")",
	     n > 0 ? model : "unknown");
}

/*
 * Exact mode: INST_RETIRED is advertised (PMCEID0) only under -icount, so
 * writing it to a PMC succeeds exactly then; and exact mode has one CPU.
 * Return 1 in exact mode, 0 otherwise (@why says why), -1 on an error
 * (errno set).
 */
static inline int pfm_v3_exact_mode(char *why, size_t len)
{
	int fd, ret, err;
	long ncpus;

	fd = pfm_test_create(0);
	if (fd < 0)
		return -1;
	ret = pfm_test_write_pmc(fd, PFM_V3_EVT_REG(0),
				 PFM_V3_USER | PFM_V3_INST_RETIRED);
	err = errno;
	close(fd);
	if (ret && err != EINVAL) {
		errno = err;
		return -1;
	}
	if (ret) {
		snprintf(why, len,
			 "not exact mode: INST_RETIRED not advertised (no -icount)");
		return 0;
	}
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus != 1) {
		snprintf(why, len, "not exact mode: %ld CPUs online (exact mode is -smp 1)",
			 ncpus);
		return 0;
	}
	return 1;
}

/* Skip unless PMUv3 in exact mode; true when the test can go on. */
static inline bool pfm_v3_require_exact(struct __test_metadata *_metadata)
{
	char why[128];
	int ret;

	if (!pfm_v3_require(_metadata))
		return false;
	ret = pfm_v3_exact_mode(why, sizeof(why));
	EXPECT_LE(0, ret) {
		TH_LOG("probing exact mode: %s", strerror(errno));
	}
	if (ret < 0)
		return false;
	if (!ret)
		SKIP(return false, "%s", why);
	return true;
}

/* Read /sys/kernel/perfmon/pmu_owner into @buf, newline stripped. */
static inline int pfm_v3_owner(char *buf, size_t len)
{
	int n = pfm_test_read_attr(PFM_PMU_OWNER, buf, len);

	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

/* One PMC value to write: register @num, value @value. */
struct pfm_v3_reg {
	unsigned int	num;
	__u64		value;
};

/*
 * Create a context with @flags, write the @n PMCs of @regs (and 0 to the
 * PMD of the same number) and load it on @target (a thread id, or a CPU
 * for PFM_FL_SYSTEM_WIDE). Return the fd or -1 (errno set, nothing left
 * open).
 */
static inline int pfm_v3_setup(unsigned int flags,
			       const struct pfm_v3_reg *regs, int n,
			       unsigned int target)
{
	int fd, i, err;

	fd = pfm_test_create(flags);
	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (pfm_test_write_pmc(fd, regs[i].num, regs[i].value) ||
		    pfm_test_write_pmd(fd, regs[i].num, 0))
			goto fail;
	}
	if (pfm_test_load(fd, target))
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* Read the PMDs of the @n registers of @regs into @values. */
static inline int pfm_v3_read(int fd, const struct pfm_v3_reg *regs, int n,
			      __u64 *values)
{
	struct pfarg_pmd pmds[16];
	int i;

	if (n > 16) {
		errno = EINVAL;
		return -1;
	}
	memset(pmds, 0, sizeof(pmds));
	for (i = 0; i < n; i++)
		pmds[i].reg_num = regs[i].num;
	if (pfm_read_pmds(fd, pmds, n))
		return -1;
	for (i = 0; i < n; i++)
		values[i] = pmds[i].reg_value;
	return 0;
}

/* Dynamic perf type of the armv8_pmuv3 PMU from sysfs, or -1. */
static inline int pfm_perf_armv8_type(char *name, size_t len)
{
	char path[512], buf[32];
	struct dirent *de;
	int type = -1;
	DIR *d;

	d = opendir(PFM_V3_PERF_DIR);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, PFM_V3_PERF_PREFIX,
			    strlen(PFM_V3_PERF_PREFIX)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/type", PFM_V3_PERF_DIR,
			 de->d_name);
		if (pfm_test_read_attr(path, buf, sizeof(buf)) > 0) {
			type = atoi(buf);
			if (name && len) {
				size_t l = strnlen(de->d_name, len - 1);

				memcpy(name, de->d_name, l);
				name[l] = '\0';
			}
			break;
		}
	}
	closedir(d);
	return type;
}

/*
 * The measured region.
 *
 * struct pfm_sc is one system call: number, three arguments, and the value
 * it returned (-errno on failure). pfm_region(sc, nsc, n) makes the @nsc
 * calls of @sc in order with a loop of @n iterations before each call but
 * the first:
 *
 *	sc[0]; loop; sc[1]; loop; sc[2]; ...; loop; sc[nsc - 1]
 *
 * With sc[0] = start and sc[nsc - 1] = stop, what is counted at user level
 * is the same instructions whatever the two calls are (pfm_start()/
 * pfm_stop(), or ioctl(PERF_EVENT_IOC_ENABLE/DISABLE), or getppid()): the
 * code between two "svc #0" never depends on a call's result. Everything
 * is in one assembly function: no compiler-generated instruction between
 * the first and the last call.
 *
 * The loop: LOOP_BODY then "subs; b.ne": LOOP_INSNS_PER_ITER instructions
 * an iteration. Change one and change the other: pmuv3_exact_test checks
 * that the count is LOOP_INSNS_PER_ITER * n plus a constant.
 */
struct pfm_sc {
	long	nr;
	long	arg[3];
	long	ret;
};

#define LOOP_BODY		"add	x10, x10, #1\n"	\
				"	eor	x11, x11, x10\n"
#define LOOP_INSNS_PER_ITER	4	/* LOOP_BODY (2) + subs + b.ne */

/*
 * User instructions of the region outside the loops, counted between the
 * return of sc[0] and sc[nsc - 1]: after sc[0] "str x0; add x12", and per
 * loop "mov x9" + "ldr x8; ldp x0, x1; ldr x2; svc", and per middle call
 * "str x0; add x12; subs x13; b.pl". An "svc" that enters the kernel may
 * or may not count at user level, so this is an upper bound.
 */
static inline long pfm_region_fixed(long nsc)
{
	return 2 + 5 * (nsc - 1) + 4 * (nsc - 2);
}

static inline void pfm_sc_set(struct pfm_sc *sc, long nr, long a0, long a1,
			      long a2)
{
	sc->nr = nr;
	sc->arg[0] = a0;
	sc->arg[1] = a1;
	sc->arg[2] = a2;
	sc->ret = 0;
}

#ifdef __aarch64__
/*
 * pfm_region_asm(sc, nsc - 2, n), written in assembly: one copy of the
 * code, which the warm-up run in pfm_region() faults in, and no compiler
 * choice in it. Arguments in x0-x2 (AAPCS64); it uses x0-x2 and x8-x14
 * only, all caller-saved: nothing to restore. Offsets in struct pfm_sc:
 * nr 0, arg 8..24, ret 32; size 40.
 */
void pfm_region_asm(struct pfm_sc *sc, long nmid, unsigned long n);

__asm__("	.text\n"
	"	.p2align 4\n"
	"	.type	pfm_region_asm, %function\n"
	"pfm_region_asm:\n"
	"	mov	x12, x0\n"
	"	mov	x13, x1\n"
	"	mov	x14, x2\n"
	"	ldr	x8, [x12, #0]\n"
	"	ldp	x0, x1, [x12, #8]\n"
	"	ldr	x2, [x12, #24]\n"
	"	svc	#0\n"
	/* counted from here (after sc[0]) ... */
	"	str	x0, [x12, #32]\n"
	"	add	x12, x12, #40\n"
	"1:	mov	x9, x14\n"
	"2:	" LOOP_BODY
	"	subs	x9, x9, #1\n"
	"	b.ne	2b\n"
	"	ldr	x8, [x12, #0]\n"
	"	ldp	x0, x1, [x12, #8]\n"
	"	ldr	x2, [x12, #24]\n"
	"	svc	#0\n"
	/* ... to here (sc[nsc - 1]) */
	"	str	x0, [x12, #32]\n"
	"	add	x12, x12, #40\n"
	"	subs	x13, x13, #1\n"
	"	b.pl	1b\n"
	"	ret\n"
	"	.size	pfm_region_asm, . - pfm_region_asm\n");

static inline void __pfm_region(struct pfm_sc *sc, long nsc, unsigned long n)
{
	pfm_region_asm(sc, nsc - 2, n);
}
#else
/* Never reached: pfm_v3_require() skips every test off arm64. */
static inline void __pfm_region(struct pfm_sc *sc, long nsc, unsigned long n)
{
	long i;

	for (i = 0; i < nsc; i++)
		sc[i].ret = -EOPNOTSUPP;
}
#endif

/*
 * Run the region once with getppid() for every call (faults in the code and
 * data pages, so that the measured run takes no page fault), then for real.
 * @n must be at least 1 and @nsc at least 2. Return 0 when every call
 * returned >= 0, else -1 with errno = the first failure.
 */
static inline int pfm_region(struct pfm_sc *sc, long nsc, unsigned long n)
{
	struct pfm_sc warm[2];
	long i;

	if (n < 1 || nsc < 2) {
		errno = EINVAL;
		return -1;
	}
	pfm_sc_set(&warm[0], __NR_getppid, 0, 0, 0);
	pfm_sc_set(&warm[1], __NR_getppid, 0, 0, 0);
	__pfm_region(warm, 2, 1);
	for (i = 0; i < nsc; i++)
		sc[i].ret = 0;
	__pfm_region(sc, nsc, n);
	for (i = 0; i < nsc; i++) {
		if (sc[i].ret < 0) {
			errno = -sc[i].ret;
			return -1;
		}
	}
	return 0;
}

/* pfm_start(fd, NULL); loop n; pfm_stop(fd). */
static inline int pfm_v3_count_region(int fd, unsigned long n)
{
	struct pfm_sc sc[2];

	pfm_sc_set(&sc[0], __NR_pfm_start, fd, 0, 0);
	pfm_sc_set(&sc[1], __NR_pfm_stop, fd, 0, 0);
	return pfm_region(sc, 2, n);
}

/*
 * ioctl(ENABLE); loop n; ioctl(DISABLE) on perf event @fd, then read its
 * count into *@value.
 */
static inline int pfm_perf_count_region(int fd, unsigned long n, __u64 *value)
{
	struct pfm_sc sc[2];

	pfm_sc_set(&sc[0], __NR_ioctl, fd, PERF_EVENT_IOC_ENABLE, 0);
	pfm_sc_set(&sc[1], __NR_ioctl, fd, PERF_EVENT_IOC_DISABLE, 0);
	if (pfm_region(sc, 2, n))
		return -1;
	if (read(fd, value, sizeof(*value)) != sizeof(*value))
		return -1;
	return 0;
}

#endif /* _PFM_PMUV3_H */
