// SPDX-License-Identifier: GPL-2.0
/*
 * Create/close cycles, and failing creates, must not leak kernel memory.
 *
 * How it is measured: pfm_leak.h (live slab bytes, windows of cycles).
 *
 * Threshold: a leaked context pins at least the context itself, which
 * holds the PMU state and a queue of eight 64-byte messages (over 512
 * bytes); for a leaked fd add a struct file (256 bytes in the filp cache)
 * and a dentry (192). LEAK_MIN_BYTES = 128 bytes per cycle is well below
 * any of these: 256,000 bytes per window of 2,000 cycles. A window may grow
 * by less than half of that, LEAK_THRESHOLD = 128,000 bytes, which leaves
 * 125 KiB for noise. pfm_leak.h drains the KASAN quarantine and the per-CPU
 * slabs before each measure; windows then read within about +-100 KB.
 *
 * Limit: where the caches cannot be shrunk (no SLUB sysfs), a leak of a few
 * hundred bytes per cycle can hide in the quarantine's batch frees on a
 * KASAN kernel; a leaked context (a 1 KiB slab object) is still caught.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include <linux/perfmon_dfl_smpl.h>

#include "pfm_leak.h"

#define CYCLES			2000
#define WARMUP_CYCLES		200
#define LEAK_MIN_BYTES		128
#define LEAK_THRESHOLD		(CYCLES * LEAK_MIN_BYTES / 2)
#define WINDOWS_MAX		64
#define TIME_BUDGET_S		30
#define TEST_TIMEOUT_S		(TIME_BUDGET_S + 20)

/* Returned by a cycle whose failing create succeeded. */
#define CYCLE_CREATED		(-1)

static const struct pfm_leak_params params = {
	.cycles		= CYCLES,
	.warmup		= WARMUP_CYCLES,
	.threshold	= LEAK_THRESHOLD,
	.windows_max	= WINDOWS_MAX,
	.budget_s	= TIME_BUDGET_S,
};

FIXTURE(leak) {
	struct pfm_leak_meter m;
};

FIXTURE_SETUP(leak)
{
	int cpu;

	self->m.fd = -1;
	if (!pfm_test_require(_metadata))
		return;
	if (pfm_leak_open(&self->m))
		SKIP(return, "neither /proc/slabinfo nor /proc/meminfo readable");
	cpu = sched_getcpu();
	ASSERT_LE(0, cpu);
	ASSERT_EQ(0, pfm_test_pin(cpu));
}

FIXTURE_TEARDOWN(leak)
{
	pfm_leak_close(&self->m);
}

static int create_close(int i, void *arg)
{
	int fd = pfm_test_create(0);

	if (fd < 0)
		return errno;
	return close(fd) ? errno : 0;
}

/* Return 0 when @ret is -1 with errno @expected. */
static int failed_with(int ret, int expected)
{
	if (ret >= 0) {
		close(ret);
		snprintf(pfm_leak_why, sizeof(pfm_leak_why),
			 "a create that must fail returned an fd");
		return CYCLE_CREATED;
	}
	return errno == expected ? 0 : errno;
}

/* Creates refused by their arguments, late and early. */
static int failing_creates(int i, void *arg)
{
	struct pfm_dfl_smpl_arg small = { .buf_size = 64 };
	struct pfarg_ctx ctx;
	int ret;

	memset(&ctx, 0, sizeof(ctx));
	ret = pfm_create_context(&ctx, "no-such-format", NULL, 0);
	ret = failed_with(ret, EINVAL);
	if (ret)
		return ret;
	/* Found, pinned, then refused by the format: too small a buffer. */
	ret = pfm_create_context(&ctx, PFM_DFL_SMPL_NAME, &small,
				 sizeof(small));
	ret = failed_with(ret, EINVAL);
	if (ret)
		return ret;
	ctx.ctx_reserved2[6] = 1;
	return failed_with(pfm_create_context(&ctx, NULL, NULL, 0), EINVAL);
}

/* Creates refused for want of a free fd (RLIMIT_NOFILE). */
static int emfile_create(int i, void *arg)
{
	return failed_with(pfm_test_create(0), EMFILE);
}

TEST_F_TIMEOUT(leak, create_close_cycles, TEST_TIMEOUT_S)
{
	/* A SKIP() in the setup does not stop the test on 6.1. */
	if (!pfm_test_require(_metadata) || self->m.fd < 0)
		return;
	pfm_leak_check(_metadata, &self->m, &params, create_close, NULL);
}

TEST_F_TIMEOUT(leak, failing_create_cycles, TEST_TIMEOUT_S)
{
	/* A SKIP() in the setup does not stop the test on 6.1. */
	if (!pfm_test_require(_metadata) || self->m.fd < 0)
		return;
	pfm_leak_check(_metadata, &self->m, &params, failing_creates,
		       NULL);
}

TEST_F_TIMEOUT(leak, emfile_create_cycles, TEST_TIMEOUT_S)
{
	struct rlimit old, lim;

	if (!pfm_test_require(_metadata) || self->m.fd < 0)
		return;
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	lim = old;
	/* The next fd would be pfm_test_closed_fd(): allow none. */
	lim.rlim_cur = pfm_test_closed_fd();
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	pfm_leak_check(_metadata, &self->m, &params, emfile_create, NULL);
	EXPECT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
}

TEST_HARNESS_MAIN
