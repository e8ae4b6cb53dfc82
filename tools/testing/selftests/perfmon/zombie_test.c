// SPDX-License-Identifier: GPL-2.0
/*
 * Zombie contexts: the controlling fd is closed while the context monitors
 * a child that runs, and the child then exits on its own. The child frees
 * the context; over hundreds of cycles no kernel memory may leak and no
 * task session may stay counted (and no splat: the harness watches the
 * console). thread_test.c checks single zombies closely.
 *
 * Leaks are measured as in leak_test.c (pfm_leak.h). A zombie that is never
 * freed keeps the context (over 512 bytes) and the reference it holds on
 * the child's task_struct (kilobytes): LEAK_MIN_BYTES = 512 bytes per cycle
 * is the context alone, and a window may grow by less than half of that
 * per cycle (102,400 bytes a window of 400). A window of 200 forks read up
 * to +-45 KB of noise with the caches drained, whatever its length; a
 * zombie leak grows by 200 KB a window at the very least.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pfm_leak.h"

#define LEAK_MIN_BYTES		512
/*
 * 400 zombies a window: 12 to 20 s on a debug kernel under TCG (up to 28 s
 * with the host overloaded), 2 s to measure.
 */
#define ZOMBIES			400
#define ZOMBIES_WARMUP		50
#define ZOMBIES_BUDGET_S	60
#define WINDOWS_MAX		64
#define TEST_TIMEOUT_S		(ZOMBIES_BUDGET_S + 50)

/* How long the child runs once continued. */
#define CHILD_RUN_NS		(200 * 1000ULL)

/* pfm_leak_why, then a non-zero cycle status. */
#define FAIL(fmt, ...) ({						\
	snprintf(pfm_leak_why, sizeof(pfm_leak_why), fmt, ##__VA_ARGS__); \
	-1;								\
})

static const __u64 pmcs[PFM_SW_NUM_REGS] = {
	PFM_SW_EVT(PFM_SW_CPU_CLOCK),
	PFM_SW_EVT(PFM_SW_TASK_CLOCK),
	PFM_SW_EVT(PFM_SW_CTX_SWITCHES),
	PFM_SW_EVT(PFM_SW_CPU_MIGRATIONS),
};

FIXTURE(zombie) {
	struct pfm_leak_meter m;
	long long	sessions;
};

FIXTURE_SETUP(zombie)
{
	self->m.fd = -1;
	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (pfm_leak_open(&self->m))
		SKIP(return, "neither /proc/slabinfo nor /proc/meminfo readable");
	self->sessions = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
}

FIXTURE_TEARDOWN(zombie)
{
	pfm_leak_close(&self->m);
}

/* Child: run a little, exit. */
static int child_run_exit(struct pfm_child *c, void *arg)
{
	pfm_test_burn(CHILD_RUN_NS);
	return 0;
}

/* Close the fd while the child runs; the child exits on its own. */
static int zombie_cycle(int i, void *arg)
{
	struct pfm_child c;
	int fd, ret = 0;

	if (pfm_child_fork(&c, child_run_exit, NULL))
		return FAIL("fork: %s", strerror(errno));
	fd = pfm_test_setup(0, pmcs, PFM_SW_NUM_REGS, c.pid);
	if (fd < 0) {
		ret = FAIL("setup: %s", strerror(errno));
		goto out;
	}
	if (pfm_start(fd, NULL))
		ret = FAIL("start: %s", strerror(errno));
	else if (pfm_child_cont(&c))
		ret = FAIL("PTRACE_CONT: %s", strerror(errno));
	close(fd);
	if (!ret && pfm_child_wait_exit(&c))
		ret = FAIL("child did not exit cleanly");
out:
	pfm_child_kill(&c);
	return ret;
}

TEST_F_TIMEOUT(zombie, close_while_running, TEST_TIMEOUT_S)
{
	static const struct pfm_leak_params params = {
		.cycles		= ZOMBIES,
		.warmup		= ZOMBIES_WARMUP,
		.threshold	= ZOMBIES * LEAK_MIN_BYTES / 2,
		.windows_max	= WINDOWS_MAX,
		.budget_s	= ZOMBIES_BUDGET_S,
	};
	long long n;
	int i;

	/* A SKIP() in the setup does not stop the test on 6.1. */
	if (self->m.fd < 0)
		return;
	pfm_leak_check(_metadata, &self->m, &params, zombie_cycle, NULL);
	if (self->sessions < 0)
		return;
	/* The children have exited: every zombie is gone. */
	n = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	for (i = 0; i < 100 && n != self->sessions; i++) {
		pfm_test_sleep_ns(10 * PFM_NSEC_PER_MSEC);
		n = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	}
	EXPECT_EQ(self->sessions, n) {
		TH_LOG("%lld task sessions before, %lld after", self->sessions,
		       n);
	}
}

TEST_HARNESS_MAIN
