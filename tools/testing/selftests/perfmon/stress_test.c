// SPDX-License-Identifier: GPL-2.0
/*
 * Many monitoring cycles, with and without fork/exit of a monitored child:
 * no kernel memory may leak, no session may stay counted (and no splat:
 * the harness watches the console). zombie_test.c does the same for
 * zombie contexts.
 *
 * Leaks are measured as in leak_test.c (pfm_leak.h). Thresholds: a leaked
 * context is at least the context itself (over 512 bytes with its message
 * queue), and a context that outlives its thread pins the task_struct too
 * (kilobytes). LEAK_MIN_BYTES = 256 bytes per cycle is below either; a
 * window may grow by less than half of LEAK_MIN_BYTES per cycle.
 *
 * Every cycle frees a task, an mm and its VMAs; pfm_leak.h drains them from
 * the KASAN quarantine of the debug kernel before each measure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "pfm_leak.h"

#define LEAK_MIN_BYTES		256

/*
 * 1,000 cycles at least (warm-up and first window), half of them across
 * fork/exit of a monitored child. 500 cycles take about 10 s on an arm64
 * debug kernel under TCG, and a measure (draining the caches) 2 s more.
 */
#define CYCLES			500
#define CYCLES_WARMUP		500
#define CYCLES_BUDGET_S		60
#define WINDOWS_MAX		64
#define TEST_TIMEOUT_S		(CYCLES_BUDGET_S + 40)

/* How long the child runs once continued. */
#define CHILD_RUN_NS		(200 * 1000ULL)
#define MSG_WAIT_MS		2000

/* pfm_leak_why, then a non-zero cycle status. */
#define FAIL(fmt, ...) ({						\
	snprintf(pfm_leak_why, sizeof(pfm_leak_why), fmt, ##__VA_ARGS__); \
	-1;								\
})

FIXTURE(stress) {
	struct pfm_leak_meter m;
	long long	sessions;
};

FIXTURE_SETUP(stress)
{
	self->m.fd = -1;
	if (!pfm_test_require_swpmu(_metadata))
		return;
	if (pfm_leak_open(&self->m))
		SKIP(return, "neither /proc/slabinfo nor /proc/meminfo readable");
	self->sessions = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
}

FIXTURE_TEARDOWN(stress)
{
	pfm_leak_close(&self->m);
}

static const __u64 pmcs[PFM_SW_NUM_REGS] = {
	PFM_SW_EVT(PFM_SW_CPU_CLOCK),
	PFM_SW_EVT(PFM_SW_TASK_CLOCK),
	PFM_SW_EVT(PFM_SW_CTX_SWITCHES),
	PFM_SW_EVT(PFM_SW_CPU_MIGRATIONS),
};

/* Child: run a little, stop, exit once continued. */
static int child_run_stop(struct pfm_child *c, void *arg)
{
	pfm_test_burn(CHILD_RUN_NS);
	raise(SIGSTOP);
	return 0;
}

/* Child: run a little, exit. */
static int child_run_exit(struct pfm_child *c, void *arg)
{
	pfm_test_burn(CHILD_RUN_NS);
	return 0;
}

/* Self-monitoring: create, load, start, stop, read, unload, close. */
static int self_cycle(void)
{
	struct pfarg_pmd pmds[PFM_SW_NUM_REGS];
	int fd, i, ret = 0;

	fd = pfm_test_setup(0, pmcs, PFM_SW_NUM_REGS, pfm_test_gettid());
	if (fd < 0)
		return FAIL("self: setup: %s", strerror(errno));
	memset(pmds, 0, sizeof(pmds));
	for (i = 0; i < PFM_SW_NUM_REGS; i++)
		pmds[i].reg_num = i;
	if (pfm_start(fd, NULL))
		ret = FAIL("self: start: %s", strerror(errno));
	else if (pfm_stop(fd))
		ret = FAIL("self: stop: %s", strerror(errno));
	else if (pfm_read_pmds(fd, pmds, PFM_SW_NUM_REGS))
		ret = FAIL("self: read: %s", strerror(errno));
	else if (pfm_unload_context(fd))
		ret = FAIL("self: unload: %s", strerror(errno));
	close(fd);
	return ret;
}

/*
 * A child's task-clock of 0 after it burnt CHILD_RUN_NS: fail, with the
 * other counters, which tell whether its switches were seen at all.
 */
static int child_no_time(int fd, const char *when)
{
	__u64 v[PFM_SW_NUM_REGS] = { 0 };
	int i;

	for (i = 0; i < PFM_SW_NUM_REGS; i++)
		pfm_test_read_pmd(fd, i, &v[i]);
	return FAIL("%s: task-clock 0 (cpu-clock %llu, switches %llu, migrations %llu)",
		    when, v[0], v[2], v[3]);
}

/* A child stopped again, then stop, read, unload, close; it exits. */
static int child_stop_cycle(void)
{
	struct pfm_child c;
	int fd, ret = 0;
	__u64 v;

	if (pfm_child_fork(&c, child_run_stop, NULL))
		return FAIL("fork: %s", strerror(errno));
	fd = pfm_test_setup(0, pmcs, PFM_SW_NUM_REGS, c.pid);
	if (fd < 0) {
		ret = FAIL("child: setup: %s", strerror(errno));
		goto out;
	}
	if (pfm_start(fd, NULL))
		ret = FAIL("child: start: %s", strerror(errno));
	else if (pfm_child_cont(&c) || pfm_child_wait_stop(&c))
		ret = FAIL("child did not stop again");
	else if (pfm_stop(fd))
		ret = FAIL("child: stop: %s", strerror(errno));
	else if (pfm_test_read_pmd(fd, 1, &v))
		ret = FAIL("child: read: %s", strerror(errno));
	else if (v == 0)
		ret = child_no_time(fd, "child");
	else if (pfm_unload_context(fd))
		ret = FAIL("child: unload: %s", strerror(errno));
	close(fd);
	if (!ret && (pfm_child_cont(&c) || pfm_child_wait_exit(&c)))
		ret = FAIL("child did not exit cleanly");
out:
	pfm_child_kill(&c);
	return ret;
}

/* The child exits while monitored: PFM_MSG_END, read, unload, close. */
static int child_exit_cycle(void)
{
	struct pollfd pfd = { .events = POLLIN };
	union pfarg_msg msg;
	struct pfm_child c;
	int fd, ret = 0;
	__u64 v;

	if (pfm_child_fork(&c, child_run_exit, NULL))
		return FAIL("fork: %s", strerror(errno));
	fd = pfm_test_setup(0, pmcs, PFM_SW_NUM_REGS, c.pid);
	if (fd < 0) {
		ret = FAIL("child: setup: %s", strerror(errno));
		goto out;
	}
	pfd.fd = fd;
	if (pfm_start(fd, NULL))
		ret = FAIL("child: start: %s", strerror(errno));
	else if (pfm_child_cont(&c) || pfm_child_wait_exit(&c))
		ret = FAIL("child did not exit cleanly");
	else if (poll(&pfd, 1, MSG_WAIT_MS) != 1)
		ret = FAIL("child exited: no message");
	else if (read(fd, &msg, sizeof(msg)) != sizeof(msg) ||
		 msg.type != PFM_MSG_END)
		ret = FAIL("child exited: no PFM_MSG_END");
	else if (pfm_test_read_pmd(fd, 1, &v))
		ret = FAIL("child exited: read: %s", strerror(errno));
	else if (v == 0)
		ret = child_no_time(fd, "child exited");
	else if (pfm_unload_context(fd))
		ret = FAIL("child exited: unload: %s", strerror(errno));
	close(fd);
out:
	pfm_child_kill(&c);
	return ret;
}

/* Even cycles monitor the caller, odd ones a child (two ways). */
static int mixed_cycle(int i, void *arg)
{
	if (!(i & 1))
		return self_cycle();
	if (i & 2)
		return child_exit_cycle();
	return child_stop_cycle();
}

static void check_sessions(struct __test_metadata *_metadata,
			   long long before)
{
	long long n = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	int i;

	if (before < 0)
		return;
	/* A context may still be on its way out. */
	for (i = 0; i < 100 && n != before; i++) {
		pfm_test_sleep_ns(10 * PFM_NSEC_PER_MSEC);
		n = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	}
	EXPECT_EQ(before, n) {
		TH_LOG("%lld task sessions before, %lld after", before, n);
	}
}

TEST_F_TIMEOUT(stress, cycles_across_fork, TEST_TIMEOUT_S)
{
	static const struct pfm_leak_params params = {
		.cycles		= CYCLES,
		.warmup		= CYCLES_WARMUP,
		.threshold	= CYCLES * LEAK_MIN_BYTES / 2,
		.windows_max	= WINDOWS_MAX,
		.budget_s	= CYCLES_BUDGET_S,
	};

	/* A SKIP() in the setup does not stop the test on 6.1. */
	if (self->m.fd < 0)
		return;
	pfm_leak_check(_metadata, &self->m, &params, mixed_cycle, NULL);
	check_sessions(_metadata, self->sessions);
}

TEST_HARNESS_MAIN
