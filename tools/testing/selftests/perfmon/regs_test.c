// SPDX-License-Identifier: GPL-2.0
/*
 * Register vectors: pfm_write_pmcs(), pfm_write_pmds() and pfm_read_pmds()
 * check each element against the PMU description (the software PMU here),
 * stop at the first bad one, flag it with PFM_REG_RETFL_* bits and leave
 * the earlier ones committed. Values round-trip as 64-bit numbers.
 * Counting at kernel level needs privileges (perf_event_paranoid <= 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include "pfm_test.h"

/* Software PMU PMC bits that are not reserved: event, USR, OS, EN. */
#define SW_PMC_USED	(0xffULL | PFM_SW_USR | PFM_SW_OS | PFM_SW_EN)

/* Input flag bits (0-23) that no PMC accepts: all but NO_EMUL64. */
#define PMC_BAD_FLAGS	(0xffffffU & ~PFM_REGFL_NO_EMUL64)
/* Input flag bits that no PMD accepts: all but OVFL_NOTIFY, RANDOM. */
#define PMD_BAD_FLAGS	(0xffffffU & ~(PFM_REGFL_OVFL_NOTIFY | \
				       PFM_REGFL_RANDOM))

/* Exit statuses of the unprivileged helper other than an errno value. */
#define HELPER_DROP_FAILED	200
#define HELPER_SETUP_FAILED	201
#define HELPER_NO_RETFL		202

FIXTURE(regs) {
	int	fd;
};

FIXTURE_SETUP(regs)
{
	self->fd = -1;
	if (!pfm_test_require_swpmu(_metadata))
		return;
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(regs)
{
	if (self->fd >= 0)
		close(self->fd);
}

static void pmc_init(struct pfarg_pmc *pmc, unsigned int num, __u64 value)
{
	memset(pmc, 0, sizeof(*pmc));
	pmc->reg_num = num;
	pmc->reg_value = value;
}

static void pmd_init(struct pfarg_pmd *pmd, unsigned int num, __u64 value)
{
	memset(pmd, 0, sizeof(*pmd));
	pmd->reg_num = num;
	pmd->reg_value = value;
}

/* The errno of a one-element pfm_write_pmcs(), and its error bits. */
static int write_pmc1(int fd, struct pfarg_pmc *pmc, __u32 *retfl)
{
	int err = pfm_test_errno(pfm_write_pmcs(fd, pmc, 1));

	*retfl = pmc->reg_flags & PFM_REG_RETFL_MASK;
	return err;
}

static int write_pmd1(int fd, struct pfarg_pmd *pmd, __u32 *retfl)
{
	int err = pfm_test_errno(pfm_write_pmds(fd, pmd, 1));

	*retfl = pmd->reg_flags & PFM_REG_RETFL_MASK;
	return err;
}

static int read_pmd1(int fd, struct pfarg_pmd *pmd, __u32 *retfl)
{
	int err = pfm_test_errno(pfm_read_pmds(fd, pmd, 1));

	*retfl = pmd->reg_flags & PFM_REG_RETFL_MASK;
	return err;
}

static const unsigned int bad_nums[] = {
	PFM_SW_NUM_REGS, 63, 255, PFM_MAX_PMCS - 1, PFM_MAX_PMCS, 0xffff,
};

TEST_F(regs, pmc_notavail)
{
	struct pfarg_pmc pmc;
	unsigned int i;
	__u32 retfl;

	if (self->fd < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(bad_nums); i++) {
		pmc_init(&pmc, bad_nums[i], PFM_SW_EVT(PFM_SW_TASK_CLOCK));
		EXPECT_EQ(EINVAL, write_pmc1(self->fd, &pmc, &retfl));
		EXPECT_EQ(PFM_REG_RETFL_NOTAVAIL, retfl) {
			TH_LOG("PMC%u: reg_flags %#x", bad_nums[i],
			       pmc.reg_flags);
		}
	}
}

TEST_F(regs, pmc_noset)
{
	static const unsigned int sets[] = { 1, 2, 0xffff };
	struct pfarg_pmc pmc;
	unsigned int i;
	__u32 retfl;

	if (self->fd < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		pmc_init(&pmc, 0, PFM_SW_EVT(PFM_SW_TASK_CLOCK));
		pmc.reg_set = sets[i];
		EXPECT_EQ(EINVAL, write_pmc1(self->fd, &pmc, &retfl));
		EXPECT_EQ(PFM_REG_RETFL_NOSET, retfl) {
			TH_LOG("set %u: reg_flags %#x", sets[i], pmc.reg_flags);
		}
	}
}

TEST_F(regs, pmc_bad_flags)
{
	struct pfarg_pmc pmc;
	unsigned int bit;
	__u32 retfl;

	if (self->fd < 0)
		return;
	for (bit = 0; bit < 24; bit++) {
		if (!(PMC_BAD_FLAGS & (1U << bit)))
			continue;
		pmc_init(&pmc, 0, PFM_SW_EVT(PFM_SW_TASK_CLOCK));
		pmc.reg_flags = 1U << bit;
		EXPECT_EQ(EINVAL, write_pmc1(self->fd, &pmc, &retfl)) {
			TH_LOG("reg_flags bit %u", bit);
		}
		EXPECT_EQ(PFM_REG_RETFL_EINVAL, retfl) {
			TH_LOG("reg_flags bit %u: reg_flags %#x", bit,
			       pmc.reg_flags);
		}
	}
}

/* No software PMU register supports NO_EMUL64. */
TEST_F(regs, pmc_no_emul64_einval)
{
	struct pfarg_pmc pmc;
	unsigned int i;
	__u32 retfl;

	if (self->fd < 0)
		return;
	for (i = 0; i < PFM_SW_NUM_REGS; i++) {
		pmc_init(&pmc, i, PFM_SW_EVT(i));
		pmc.reg_flags = PFM_REGFL_NO_EMUL64;
		EXPECT_EQ(EINVAL, write_pmc1(self->fd, &pmc, &retfl)) {
			TH_LOG("PMC%u", i);
		}
		EXPECT_EQ(PFM_REG_RETFL_EINVAL, retfl) {
			TH_LOG("PMC%u: reg_flags %#x", i, pmc.reg_flags);
		}
	}
}

/* Output bits (24-31) on input are ignored. */
TEST_F(regs, pmc_output_bits_ignored)
{
	struct pfarg_pmc pmc;
	__u32 retfl;

	if (self->fd < 0)
		return;
	pmc_init(&pmc, 0, PFM_SW_EVT(PFM_SW_TASK_CLOCK));
	pmc.reg_flags = 0xff000000U;
	EXPECT_EQ(0, write_pmc1(self->fd, &pmc, &retfl));
}

TEST_F(regs, pmc_reserved2)
{
	struct pfarg_pmc pmc;
	unsigned int w;
	__u32 retfl;

	if (self->fd < 0)
		return;
	for (w = 0; w < ARRAY_SIZE(pmc.reg_reserved2); w++) {
		pmc_init(&pmc, 0, PFM_SW_EVT(PFM_SW_TASK_CLOCK));
		pmc.reg_reserved2[w] = 1ULL << (w * 16);
		EXPECT_EQ(EINVAL, write_pmc1(self->fd, &pmc, &retfl)) {
			TH_LOG("reg_reserved2[%u]", w);
		}
	}
}

/* Events 0-3 exist, 4 and up do not, enabled or not. */
TEST_F(regs, pmc_event_range)
{
	static const __u64 bad_events[] = { 4, 5, 0x80, 0xff };
	struct pfarg_pmc pmc;
	unsigned int i;
	__u32 retfl;

	if (self->fd < 0)
		return;
	for (i = 0; i < PFM_SW_NUM_REGS; i++) {
		pmc_init(&pmc, 0, PFM_SW_EVT(i));
		EXPECT_EQ(0, write_pmc1(self->fd, &pmc, &retfl)) {
			TH_LOG("event %u", i);
		}
	}
	for (i = 0; i < ARRAY_SIZE(bad_events); i++) {
		pmc_init(&pmc, 1, PFM_SW_EVT(bad_events[i]));
		EXPECT_EQ(EINVAL, write_pmc1(self->fd, &pmc, &retfl)) {
			TH_LOG("event %#llx", bad_events[i]);
		}
		EXPECT_EQ(PFM_REG_RETFL_EINVAL, retfl) {
			TH_LOG("event %#llx: reg_flags %#x", bad_events[i],
			       pmc.reg_flags);
		}
		pmc_init(&pmc, 1, bad_events[i]);
		EXPECT_EQ(EINVAL, write_pmc1(self->fd, &pmc, &retfl)) {
			TH_LOG("event %#llx, not enabled", bad_events[i]);
		}
	}
}

/*
 * Reserved bits of a PMC value are forced to 0, not refused: the PMC
 * still counts its event.
 */
TEST_F(regs, pmc_reserved_bits_forced)
{
	__u64 value = PFM_SW_EVT(PFM_SW_TASK_CLOCK) | ~SW_PMC_USED, v;
	struct pfarg_pmc pmc;
	__u32 retfl;

	if (self->fd < 0)
		return;
	pmc_init(&pmc, 0, value);
	ASSERT_EQ(0, write_pmc1(self->fd, &pmc, &retfl)) {
		TH_LOG("PMC0 = %#llx: reg_flags %#x", value, pmc.reg_flags);
	}
	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(10 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_LE(9 * PFM_NSEC_PER_MSEC, v);
}

/*
 * [PMC0, PMC1, PMC9, PMC2]: refused at PMC9, flagged there; PMC0 and PMC1
 * were written (they count), PMC2 was not (it does not).
 */
TEST_F(regs, pmc_stop_at_first_bad)
{
	struct pfarg_pmc pmcs[4];
	struct pfarg_pmd pmds[3];
	int i;

	if (self->fd < 0)
		return;
	pmc_init(&pmcs[0], 0, PFM_SW_EVT(PFM_SW_TASK_CLOCK));
	pmc_init(&pmcs[1], 1, PFM_SW_EVT(PFM_SW_CPU_CLOCK));
	pmc_init(&pmcs[2], 9, PFM_SW_EVT(PFM_SW_TASK_CLOCK));
	pmc_init(&pmcs[3], 2, PFM_SW_EVT(PFM_SW_CTX_SWITCHES));
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_write_pmcs(self->fd, pmcs, 4)));
	EXPECT_EQ(0, pmcs[0].reg_flags);
	EXPECT_EQ(0, pmcs[1].reg_flags);
	EXPECT_EQ(PFM_REG_RETFL_NOTAVAIL, pmcs[2].reg_flags);
	EXPECT_EQ(0, pmcs[3].reg_flags);
	/* The vector is otherwise unchanged. */
	EXPECT_EQ(9, pmcs[2].reg_num);
	EXPECT_EQ(PFM_SW_EVT(PFM_SW_CTX_SWITCHES), pmcs[3].reg_value);

	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(10 * PFM_NSEC_PER_MSEC);
	for (i = 0; i < 5; i++)
		pfm_test_sleep_ns(PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	for (i = 0; i < 3; i++)
		pmd_init(&pmds[i], i, 0);
	ASSERT_EQ(0, pfm_read_pmds(self->fd, pmds, 3));
	EXPECT_LE(9 * PFM_NSEC_PER_MSEC, pmds[0].reg_value);
	EXPECT_LE(9 * PFM_NSEC_PER_MSEC, pmds[1].reg_value);
	EXPECT_EQ(0, pmds[2].reg_value) {
		TH_LOG("PMD2 = %llu: PMC2 was written after the bad element",
		       pmds[2].reg_value);
	}
}

TEST_F(regs, pmd_notavail)
{
	struct pfarg_pmd pmd;
	unsigned int i;
	__u32 retfl;

	if (self->fd < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(bad_nums); i++) {
		pmd_init(&pmd, bad_nums[i], 0);
		EXPECT_EQ(EINVAL, write_pmd1(self->fd, &pmd, &retfl));
		EXPECT_EQ(PFM_REG_RETFL_NOTAVAIL, retfl) {
			TH_LOG("write PMD%u: reg_flags %#x", bad_nums[i],
			       pmd.reg_flags);
		}
		pmd_init(&pmd, bad_nums[i], 0);
		EXPECT_EQ(EINVAL, read_pmd1(self->fd, &pmd, &retfl));
		EXPECT_EQ(PFM_REG_RETFL_NOTAVAIL, retfl) {
			TH_LOG("read PMD%u: reg_flags %#x", bad_nums[i],
			       pmd.reg_flags);
		}
	}
}

TEST_F(regs, pmd_noset)
{
	struct pfarg_pmd pmd;
	__u32 retfl;

	if (self->fd < 0)
		return;
	pmd_init(&pmd, 0, 0);
	pmd.reg_set = 1;
	EXPECT_EQ(EINVAL, write_pmd1(self->fd, &pmd, &retfl));
	EXPECT_EQ(PFM_REG_RETFL_NOSET, retfl);
	pmd_init(&pmd, 0, 0);
	pmd.reg_set = 0xffff;
	EXPECT_EQ(EINVAL, read_pmd1(self->fd, &pmd, &retfl));
	EXPECT_EQ(PFM_REG_RETFL_NOSET, retfl);
}

TEST_F(regs, pmd_flags)
{
	struct pfarg_pmd pmd;
	unsigned int bit;
	__u32 retfl;

	if (self->fd < 0)
		return;
	/* Stored now, effective in P4. */
	pmd_init(&pmd, 0, 0);
	pmd.reg_flags = PFM_REGFL_OVFL_NOTIFY | PFM_REGFL_RANDOM;
	EXPECT_EQ(0, write_pmd1(self->fd, &pmd, &retfl));
	/* Output bits are ignored on input. */
	pmd_init(&pmd, 0, 0);
	pmd.reg_flags = 0xff000000U;
	EXPECT_EQ(0, write_pmd1(self->fd, &pmd, &retfl));
	for (bit = 0; bit < 24; bit++) {
		if (!(PMD_BAD_FLAGS & (1U << bit)))
			continue;
		pmd_init(&pmd, 0, 0);
		pmd.reg_flags = 1U << bit;
		EXPECT_EQ(EINVAL, write_pmd1(self->fd, &pmd, &retfl)) {
			TH_LOG("reg_flags bit %u", bit);
		}
		EXPECT_EQ(PFM_REG_RETFL_EINVAL, retfl) {
			TH_LOG("reg_flags bit %u: reg_flags %#x", bit,
			       pmd.reg_flags);
		}
	}
}

TEST_F(regs, pmd_reserved_fields)
{
	struct pfarg_pmd pmd;
	unsigned int w;
	__u32 retfl;

	if (self->fd < 0)
		return;
	pmd_init(&pmd, 0, 0);
	pmd.reg_random_seed = 1;
	EXPECT_EQ(EINVAL, write_pmd1(self->fd, &pmd, &retfl));
	for (w = 0; w < ARRAY_SIZE(pmd.reg_reserved2); w++) {
		pmd_init(&pmd, 0, 0);
		pmd.reg_reserved2[w] = 1U << (w * 4);
		EXPECT_EQ(EINVAL, write_pmd1(self->fd, &pmd, &retfl)) {
			TH_LOG("reg_reserved2[%u]", w);
		}
	}
}

/* reg_reset_pmds and reg_smpl_pmds may name implemented PMDs only. */
TEST_F(regs, pmd_bitvectors)
{
	struct pfarg_pmd pmd;
	unsigned int w;
	__u32 retfl;

	if (self->fd < 0)
		return;
	pmd_init(&pmd, 0, 0);
	pmd.reg_reset_pmds[0] = (1ULL << PFM_SW_NUM_REGS) - 1;
	pmd.reg_smpl_pmds[0] = (1ULL << PFM_SW_NUM_REGS) - 1;
	EXPECT_EQ(0, write_pmd1(self->fd, &pmd, &retfl));

	pmd_init(&pmd, 0, 0);
	pmd.reg_reset_pmds[0] = 1ULL << PFM_SW_NUM_REGS;
	EXPECT_EQ(EINVAL, write_pmd1(self->fd, &pmd, &retfl));
	pmd_init(&pmd, 0, 0);
	pmd.reg_smpl_pmds[0] = 1ULL << PFM_SW_NUM_REGS;
	EXPECT_EQ(EINVAL, write_pmd1(self->fd, &pmd, &retfl));
	for (w = 1; w < PFM_PMD_BV; w++) {
		pmd_init(&pmd, 0, 0);
		pmd.reg_reset_pmds[w] = 1ULL << 63;
		EXPECT_EQ(EINVAL, write_pmd1(self->fd, &pmd, &retfl)) {
			TH_LOG("reg_reset_pmds[%u]", w);
		}
		pmd_init(&pmd, 0, 0);
		pmd.reg_smpl_pmds[w] = 1;
		EXPECT_EQ(EINVAL, write_pmd1(self->fd, &pmd, &retfl)) {
			TH_LOG("reg_smpl_pmds[%u]", w);
		}
	}
}

/* 64-bit values and the reset values read back exactly. */
static void check_roundtrip(struct __test_metadata *_metadata, int fd,
			    const char *when)
{
	static const __u64 values[PFM_SW_NUM_REGS] = {
		0xfedcba9876543210ULL, 0x8000000000000000ULL,
		0x00000000ffffffffULL, 0xffffffffffffffffULL,
	};
	struct pfarg_pmd pmds[PFM_SW_NUM_REGS];
	int i;

	for (i = 0; i < PFM_SW_NUM_REGS; i++) {
		pmd_init(&pmds[i], i, values[i]);
		pmds[i].reg_long_reset = ~values[i];
		pmds[i].reg_short_reset = values[i] >> 1;
	}
	ASSERT_EQ(0, pfm_write_pmds(fd, pmds, PFM_SW_NUM_REGS)) {
		TH_LOG("%s: %s", when, strerror(errno));
	}
	for (i = 0; i < PFM_SW_NUM_REGS; i++)
		pmd_init(&pmds[i], PFM_SW_NUM_REGS - 1 - i, 0);
	ASSERT_EQ(0, pfm_read_pmds(fd, pmds, PFM_SW_NUM_REGS)) {
		TH_LOG("%s: %s", when, strerror(errno));
	}
	for (i = 0; i < PFM_SW_NUM_REGS; i++) {
		int r = PFM_SW_NUM_REGS - 1 - i;

		EXPECT_EQ(r, pmds[i].reg_num);
		EXPECT_EQ(values[r], pmds[i].reg_value) {
			TH_LOG("%s: PMD%d", when, r);
		}
		EXPECT_EQ(~values[r], pmds[i].reg_long_reset) {
			TH_LOG("%s: PMD%d long reset", when, r);
		}
		EXPECT_EQ(values[r] >> 1, pmds[i].reg_short_reset) {
			TH_LOG("%s: PMD%d short reset", when, r);
		}
		EXPECT_EQ(0, pmds[i].reg_flags & PFM_REG_RETFL_MASK);
	}
}

TEST_F(regs, pmd_roundtrip_unloaded)
{
	if (self->fd < 0)
		return;
	check_roundtrip(_metadata, self->fd, "unloaded");
}

TEST_F(regs, pmd_roundtrip_loaded)
{
	if (self->fd < 0)
		return;
	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	check_roundtrip(_metadata, self->fd, "loaded");
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	check_roundtrip(_metadata, self->fd, "unloaded again");
}

/* A value written while loaded and stopped survives unload and reload. */
TEST_F(regs, pmd_kept_across_unload)
{
	__u64 v;

	if (self->fd < 0)
		return;
	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	ASSERT_EQ(0, pfm_test_write_pmd(self->fd, 2, 0x123456789abULL));
	ASSERT_EQ(0, pfm_unload_context(self->fd));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 2, &v));
	EXPECT_EQ(0x123456789abULL, v);
	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 2, &v));
	EXPECT_EQ(0x123456789abULL, v);
}

/* [PMD0, PMD1, PMD9, PMD2]: PMD0 and PMD1 written, PMD2 not. */
TEST_F(regs, pmd_stop_at_first_bad)
{
	struct pfarg_pmd pmds[4];
	__u64 v;

	if (self->fd < 0)
		return;
	pmd_init(&pmds[0], 0, 111);
	pmd_init(&pmds[1], 1, 222);
	pmd_init(&pmds[2], 9, 999);
	pmd_init(&pmds[3], 2, 333);
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_write_pmds(self->fd, pmds, 4)));
	EXPECT_EQ(0, pmds[0].reg_flags);
	EXPECT_EQ(0, pmds[1].reg_flags);
	EXPECT_EQ(PFM_REG_RETFL_NOTAVAIL, pmds[2].reg_flags);
	EXPECT_EQ(0, pmds[3].reg_flags);
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_EQ(111, v);
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 1, &v));
	EXPECT_EQ(222, v);
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 2, &v));
	EXPECT_EQ(0, v);
}

/* A read vector with a bad element is copied back whole. */
TEST_F(regs, read_stop_at_first_bad)
{
	struct pfarg_pmd pmds[3];

	if (self->fd < 0)
		return;
	ASSERT_EQ(0, pfm_test_write_pmd(self->fd, 0, 0xabcdef));
	ASSERT_EQ(0, pfm_test_write_pmd(self->fd, 1, 0x123456));
	pmd_init(&pmds[0], 0, 0);
	pmd_init(&pmds[1], 7, 0);
	pmd_init(&pmds[2], 1, 0);
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_read_pmds(self->fd, pmds, 3)));
	EXPECT_EQ(0xabcdef, pmds[0].reg_value);
	EXPECT_EQ(0, pmds[0].reg_flags & PFM_REG_RETFL_MASK);
	EXPECT_EQ(PFM_REG_RETFL_NOTAVAIL, pmds[1].reg_flags);
	/* Not reached. */
	EXPECT_EQ(0, pmds[2].reg_value);
}

TEST_F(regs, load_set_einval)
{
	struct pfarg_load load;

	if (self->fd < 0)
		return;
	memset(&load, 0, sizeof(load));
	load.load_pid = pfm_test_gettid();
	load.load_set = 1;
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_load_context(self->fd, &load)));
	load.load_set = 0;
	EXPECT_EQ(0, pfm_load_context(self->fd, &load));
}

TEST_F(regs, start_set_einval)
{
	struct pfarg_start start;

	if (self->fd < 0)
		return;
	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	memset(&start, 0, sizeof(start));
	start.start_set = 1;
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, &start)));
	start.start_set = 0;
	EXPECT_EQ(0, pfm_start(self->fd, &start));
}

/*
 * Kernel-level counting (OS bit). Root may; nobody may when
 * perf_event_paranoid <= 1, not at the default of 2 (EPERM, flagged).
 */
FIXTURE(priv) {
	int	paranoid;
	bool	ready;
};

FIXTURE_SETUP(priv)
{
	self->paranoid = INT_MIN;
	if (!pfm_test_require_swpmu(_metadata))
		return;
	self->paranoid = pfm_test_get_paranoid();
	self->ready = true;
}

FIXTURE_TEARDOWN(priv)
{
	if (self->paranoid != INT_MIN)
		pfm_test_set_paranoid(self->paranoid);
}

/* In a helper that drops to nobody: write PMC0 = @value; exit status. */
static int unprivileged_write_pmc(__u64 value)
{
	struct pfarg_pmc pmc;
	int status, fd, ret;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (pfm_test_drop_privs(PFM_NOBODY_ID))
			_exit(HELPER_DROP_FAILED);
		fd = pfm_test_create(0);
		if (fd < 0)
			_exit(HELPER_SETUP_FAILED);
		pmc_init(&pmc, 0, value);
		ret = pfm_write_pmcs(fd, &pmc, 1) ? errno : 0;
		if (ret && !(pmc.reg_flags & PFM_REG_RETFL_EINVAL))
			ret = HELPER_NO_RETFL;
		_exit(ret);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(priv, os_bit_as_root)
{
	__u64 value = PFM_SW_TASK_CLOCK | PFM_SW_OS | PFM_SW_EN;
	struct pfarg_pmc pmc;
	__u32 retfl;
	int fd;

	if (!self->ready)
		return;
	if (geteuid() != 0)
		SKIP(return, "needs root");
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	pmc_init(&pmc, 0, value);
	EXPECT_EQ(0, write_pmc1(fd, &pmc, &retfl));
	pmc_init(&pmc, 1, value | PFM_SW_USR);
	EXPECT_EQ(0, write_pmc1(fd, &pmc, &retfl));
	close(fd);
}

TEST_F(priv, os_bit_unprivileged)
{
	int ret;

	if (!self->ready)
		return;
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	if (self->paranoid != INT_MIN)
		ASSERT_EQ(0, pfm_test_set_paranoid(2));
	/* User level only: fine. */
	ret = unprivileged_write_pmc(PFM_SW_EVT(PFM_SW_TASK_CLOCK));
	EXPECT_EQ(0, ret) {
		TH_LOG("USR as nobody: %d (%s)", ret, strerror(ret));
	}
	ret = unprivileged_write_pmc(PFM_SW_TASK_CLOCK | PFM_SW_OS |
				     PFM_SW_EN);
	EXPECT_EQ(EPERM, ret) {
		TH_LOG("OS as nobody, paranoid 2: %d (%s)", ret,
		       ret == HELPER_NO_RETFL ? "no RETFL_EINVAL" :
		       strerror(ret));
	}
	ret = unprivileged_write_pmc(PFM_SW_EVT(PFM_SW_TASK_CLOCK) |
				     PFM_SW_OS);
	EXPECT_EQ(EPERM, ret) {
		TH_LOG("USR|OS as nobody, paranoid 2: %d", ret);
	}
	if (self->paranoid == INT_MIN) {
		/* Not SKIP(): it would hide the failures above. */
		TH_LOG("no %s: paranoid 1 not tried", PFM_PARANOID_PATH);
		return;
	}
	ASSERT_EQ(0, pfm_test_set_paranoid(1));
	ret = unprivileged_write_pmc(PFM_SW_TASK_CLOCK | PFM_SW_OS |
				     PFM_SW_EN);
	EXPECT_EQ(0, ret) {
		TH_LOG("OS as nobody, paranoid 1: %d (%s)", ret,
		       strerror(ret));
	}
}

/*
 * A PMD written while it counts (self-monitoring: written through to the
 * PMU) goes on counting from the value written.
 */
TEST_F(regs, pmd_write_while_counting)
{
	const __u64 base = 1ULL << 40;
	__u64 v;

	if (self->fd < 0)
		return;
	ASSERT_EQ(0, pfm_test_write_pmc(self->fd, 0,
					PFM_SW_EVT(PFM_SW_TASK_CLOCK)));
	ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pfm_test_burn(10 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_test_write_pmd(self->fd, 0, base));
	pfm_test_burn(10 * PFM_NSEC_PER_MSEC);
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_test_read_pmd(self->fd, 0, &v));
	EXPECT_LE(base + 9 * PFM_NSEC_PER_MSEC, v) {
		TH_LOG("PMD0 = %#llx, written %#llx 10 ms before", v, base);
	}
	EXPECT_GT(base + 100 * PFM_NSEC_PER_MSEC, v) {
		TH_LOG("PMD0 = %#llx, written %#llx 10 ms before", v, base);
	}
}

/*
 * The same for a monitored child, written while it is stopped: the value
 * reaches the child's PMU when it runs again.
 */
static int child_burn(struct pfm_child *c, void *arg)
{
	pfm_test_burn(10 * PFM_NSEC_PER_MSEC);
	raise(SIGSTOP);
	return 0;
}

TEST(pmd_write_to_stopped_child)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK), v;
	const __u64 base = 1ULL << 40;
	struct pfm_child c;
	int fd;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	ASSERT_EQ(0, pfm_child_fork(&c, child_burn, NULL));
	fd = pfm_test_setup(0, &pmc0, 1, c.pid);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pfm_start(fd, NULL));
	ASSERT_EQ(0, pfm_test_write_pmd(fd, 0, base));
	ASSERT_EQ(0, pfm_child_cont(&c));
	ASSERT_EQ(0, pfm_child_wait_stop(&c));
	ASSERT_EQ(0, pfm_test_read_pmd(fd, 0, &v));
	EXPECT_LE(base + 9 * PFM_NSEC_PER_MSEC, v) {
		TH_LOG("PMD0 = %#llx, written %#llx", v, base);
	}
	EXPECT_GT(base + 100 * PFM_NSEC_PER_MSEC, v) {
		TH_LOG("PMD0 = %#llx, written %#llx", v, base);
	}
	close(fd);
	pfm_child_kill(&c);
}

TEST_HARNESS_MAIN
