// SPDX-License-Identifier: GPL-2.0
/*
 * ARMv8 PMUv3 in exact mode (QEMU -smp 1 -icount shift=0,sleep=off): counts
 * that are exact, checked with equality, never a tolerance.
 *
 * The measured code is pfm_region() (pfm_pmuv3.h): a loop of
 * LOOP_INSNS_PER_ITER instructions an iteration between two system calls,
 * all in one assembly function. So the user-level INST_RETIRED count of a
 * region of n iterations is LOOP_INSNS_PER_ITER * n plus a constant, and
 * perf, counting the same asm with its own start/stop calls, must get the
 * very same number. Under icount shift=0 one instruction is one cycle, so
 * CPU_CYCLES equals INST_RETIRED.
 *
 * Skipped with a reason off PMUv3 ("no PMUv3") and outside exact mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "pfm_pmuv3.h"

/*
 * Three loop lengths; the longest, 8 M instructions, is 8 ms of virtual
 * time: timer interrupts land in it.
 */
static const unsigned long affine_n[] = { 1000, 100000, 2000000 };
/* The loop length of the other tests. */
#define N_LOOP		100000

#define INST_USER	(PFM_V3_INST_RETIRED | PFM_V3_USER)
#define INST_KERNEL	(PFM_V3_INST_RETIRED | PFM_V3_KERNEL)
#define INST_BOTH	(PFM_V3_INST_RETIRED | PFM_V3_BOTH)
#define CYCLES_USER	(PFM_V3_CPU_CYCLES | PFM_V3_USER)

FIXTURE(exact) {
	int	fd;
	int	paranoid;	/* to restore, or INT_MIN */
	bool	ready;
};

FIXTURE_SETUP(exact)
{
	self->fd = -1;
	self->paranoid = INT_MIN;
	self->ready = pfm_v3_require_exact(_metadata);
}

FIXTURE_TEARDOWN(exact)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->paranoid != INT_MIN)
		pfm_test_set_paranoid(self->paranoid);
}

/*
 * Self-monitoring context with @regs; count a region of @n iterations
 * (pfm_start ... pfm_stop), the PMDs zeroed first; read them into @values.
 * False (logged) on any failure.
 */
static bool count_self(struct __test_metadata *_metadata, int *fd,
		       const struct pfm_v3_reg *regs, int nregs,
		       unsigned long n, __u64 *values)
{
	int i;

	if (*fd < 0) {
		*fd = pfm_v3_setup(0, regs, nregs, pfm_test_gettid());
		EXPECT_LE(0, *fd) {
			TH_LOG("context setup: %s", strerror(errno));
		}
		if (*fd < 0)
			return false;
	}
	for (i = 0; i < nregs; i++)
		EXPECT_EQ(0, pfm_test_write_pmd(*fd, regs[i].num, 0));
	EXPECT_EQ(0, pfm_v3_count_region(*fd, n)) {
		TH_LOG("region of %lu: %s", n, strerror(errno));
		return false;
	}
	EXPECT_EQ(0, pfm_v3_read(*fd, regs, nregs, values)) {
		TH_LOG("read: %s", strerror(errno));
		return false;
	}
	return true;
}

/* User-level INST_RETIRED of one region of @n iterations, on a new context. */
static bool user_insts(struct __test_metadata *_metadata, unsigned long n,
		       __u64 *value)
{
	const struct pfm_v3_reg reg = { PFM_V3_EVT_REG(0), INST_USER };
	bool ok;
	int fd = -1;

	ok = count_self(_metadata, &fd, &reg, 1, n, value);
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * count(n) - LOOP_INSNS_PER_ITER * n is the same constant for three n, and
 * the first n counted again gives the same count. The constant is the
 * region's instructions outside the loop (at most pfm_region_fixed(2)).
 */
TEST_F(exact, affine_in_n)
{
	const struct pfm_v3_reg reg = { PFM_V3_EVT_REG(0), INST_USER };
	__u64 count[ARRAY_SIZE(affine_n)] = { 0 }, again = 0;
	long long c[ARRAY_SIZE(affine_n)];
	unsigned int i;

	if (!self->ready)
		return;
	for (i = 0; i < ARRAY_SIZE(affine_n); i++) {
		if (!count_self(_metadata, &self->fd, &reg, 1, affine_n[i],
				&count[i]))
			return;
		c[i] = (long long)(count[i] -
				   LOOP_INSNS_PER_ITER * affine_n[i]);
		TH_LOG("n = %lu: %llu instructions, %d * n + %lld", affine_n[i],
		       count[i], LOOP_INSNS_PER_ITER, c[i]);
	}
	for (i = 1; i < ARRAY_SIZE(affine_n); i++) {
		EXPECT_EQ(c[0], c[i]) {
			TH_LOG("n = %lu: count - %d * n = %lld, n = %lu: %lld",
			       affine_n[0], LOOP_INSNS_PER_ITER, c[0],
			       affine_n[i], c[i]);
		}
	}
	EXPECT_LT(0, c[0]);
	EXPECT_GE(pfm_region_fixed(2), c[0]);
	/* Repeatable. */
	if (!count_self(_metadata, &self->fd, &reg, 1, affine_n[0], &again))
		return;
	EXPECT_EQ(count[0], again);
}

/* Cycles, on the cycle counter and on an event counter, equal instructions. */
TEST_F(exact, cycles_equal_instructions)
{
	const struct pfm_v3_reg regs[] = {
		{ PFM_V3_CYCLE_REG, PFM_V3_USER },
		{ PFM_V3_EVT_REG(0), INST_USER },
		{ PFM_V3_EVT_REG(1), CYCLES_USER },
	};
	__u64 v[3] = { 0 };

	if (!self->ready)
		return;
	if (!count_self(_metadata, &self->fd, regs, 3, N_LOOP, v))
		return;
	EXPECT_LT(LOOP_INSNS_PER_ITER * N_LOOP, v[1]);
	EXPECT_EQ(v[1], v[0]) {
		TH_LOG("PMCCNTR %llu, INST_RETIRED %llu", v[0], v[1]);
	}
	EXPECT_EQ(v[1], v[2]) {
		TH_LOG("CPU_CYCLES %llu, INST_RETIRED %llu", v[2], v[1]);
	}
}

/*
 * 64-bit values: counters started just below 2^32 count on across it,
 * exactly as from 0 (64-bit hardware counters with PMUv3p5, else the
 * overflow interrupt folding the upper bits).
 */
TEST_F(exact, crosses_32_bits)
{
	const struct pfm_v3_reg regs[] = {
		{ PFM_V3_CYCLE_REG, PFM_V3_USER },
		{ PFM_V3_EVT_REG(0), INST_USER },
	};
	const __u64 start = (1ULL << 32) - 1000;
	__u64 ref[2] = { 0 }, v[2] = { 0 };
	int i;

	if (!self->ready)
		return;
	if (!count_self(_metadata, &self->fd, regs, 2, N_LOOP, ref))
		return;
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pfm_test_write_pmd(self->fd, regs[i].num, start));
	ASSERT_EQ(0, pfm_v3_count_region(self->fd, N_LOOP));
	ASSERT_EQ(0, pfm_v3_read(self->fd, regs, 2, v));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(start + ref[i], v[i]) {
			TH_LOG("PMD%u from %#llx: %#llx, expected %#llx",
			       regs[i].num, start, v[i], start + ref[i]);
		}
	}
}

/*
 * perf_events counts the same region (its own enable/disable calls in the
 * same asm) exactly as perfmon does, in the same boot: perf first (its fd
 * closed: the PMU has one owner at a time), then perfmon.
 */
struct perf_event_kind {
	const char	*name;
	__u32		type;
	__u64		config;
	bool		cycles;		/* else instructions */
};

static const struct perf_event_kind perf_kinds[] = {
	{ "raw 0x08", PERF_TYPE_RAW, PFM_V3_INST_RETIRED, false },
	{ "hw instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
	  false },
	{ "raw 0x11", PERF_TYPE_RAW, PFM_V3_CPU_CYCLES, true },
	{ "hw cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, true },
};

TEST_F(exact, equals_perf)
{
	const struct pfm_v3_reg regs[] = {
		{ PFM_V3_EVT_REG(0), INST_USER },
		{ PFM_V3_CYCLE_REG, PFM_V3_USER },
	};
	__u64 perf[ARRAY_SIZE(perf_kinds)] = { 0 }, v[2] = { 0 };
	unsigned int i;
	int pfd;

	if (!self->ready)
		return;
	for (i = 0; i < ARRAY_SIZE(perf_kinds); i++) {
		pfd = pfm_perf_open(perf_kinds[i].type, perf_kinds[i].config,
				    true, false, 0, -1);
		ASSERT_LE(0, pfd) {
			TH_LOG("perf_event_open(%s): %s", perf_kinds[i].name,
			       strerror(errno));
		}
		EXPECT_EQ(0, pfm_perf_count_region(pfd, N_LOOP, &perf[i])) {
			TH_LOG("perf %s: %s", perf_kinds[i].name,
			       strerror(errno));
		}
		close(pfd);
	}
	if (!count_self(_metadata, &self->fd, regs, 2, N_LOOP, v))
		return;
	EXPECT_LT(LOOP_INSNS_PER_ITER * N_LOOP, v[0]);
	for (i = 0; i < ARRAY_SIZE(perf_kinds); i++) {
		__u64 mine = perf_kinds[i].cycles ? v[1] : v[0];

		EXPECT_EQ(perf[i], mine) {
			TH_LOG("perf %s: %llu, perfmon %s: %llu",
			       perf_kinds[i].name, perf[i],
			       perf_kinds[i].cycles ? "PMCCNTR" :
			       "INST_RETIRED", mine);
		}
	}
}

/*
 * Three counters of one event at once: user only, kernel only, both. Both
 * is exactly user + kernel (they start and stop together), kernel is not 0
 * (the tails of pfm_start()/pfm_stop() and the getppid() calls in the
 * region). For INST_RETIRED on three event counters, and for cycles with
 * the cycle counter (PMCCFILTR) counting at kernel level.
 */
FIXTURE(levels) {
	int	fd;
	bool	ready;
};

FIXTURE_VARIANT(levels) {
	const char	*what;
	struct pfm_v3_reg user, kernel, both;
};

FIXTURE_VARIANT_ADD(levels, instructions) {
	.what	= "INST_RETIRED",
	.user	= { PFM_V3_EVT_REG(0), INST_USER },
	.kernel	= { PFM_V3_EVT_REG(1), INST_KERNEL },
	.both	= { PFM_V3_EVT_REG(2), INST_BOTH },
};

FIXTURE_VARIANT_ADD(levels, cycles) {
	.what	= "cycles",
	.user	= { PFM_V3_EVT_REG(0), CYCLES_USER },
	.kernel	= { PFM_V3_CYCLE_REG, PFM_V3_KERNEL },
	.both	= { PFM_V3_EVT_REG(1), PFM_V3_CPU_CYCLES | PFM_V3_BOTH },
};

FIXTURE_SETUP(levels)
{
	self->fd = -1;
	self->ready = pfm_v3_require_exact(_metadata);
	if (self->ready && geteuid() != 0) {
		self->ready = false;
		SKIP(return, "kernel-level counting needs root");
	}
}

FIXTURE_TEARDOWN(levels)
{
	if (self->fd >= 0)
		close(self->fd);
}

#define KERNEL_CALLS	8

/*
 * pfm_start; loop; getppid; ... (KERNEL_CALLS times); loop; pfm_stop on
 * the context @fd, the PMDs of @regs zeroed first, read into @v.
 */
static int count_with_calls(int fd, const struct pfm_v3_reg *regs, int n,
			    __u64 *v)
{
	struct pfm_sc sc[KERNEL_CALLS + 2];
	int i;

	for (i = 0; i < n; i++) {
		if (pfm_test_write_pmd(fd, regs[i].num, 0))
			return -1;
	}
	pfm_sc_set(&sc[0], __NR_pfm_start, fd, 0, 0);
	for (i = 1; i <= KERNEL_CALLS; i++)
		pfm_sc_set(&sc[i], __NR_getppid, 0, 0, 0);
	pfm_sc_set(&sc[KERNEL_CALLS + 1], __NR_pfm_stop, fd, 0, 0);
	if (pfm_region(sc, KERNEL_CALLS + 2, N_LOOP))
		return -1;
	return pfm_v3_read(fd, regs, n, v);
}

TEST_F(levels, user_plus_kernel)
{
	const struct pfm_v3_reg regs[] = {
		variant->user, variant->kernel, variant->both,
	};
	__u64 v[3] = { 0 }, user_alone = 0;

	if (!self->ready)
		return;
	self->fd = pfm_v3_setup(0, regs, 3, pfm_test_gettid());
	ASSERT_LE(0, self->fd) {
		TH_LOG("setup: %s", strerror(errno));
	}
	ASSERT_EQ(0, count_with_calls(self->fd, regs, 3, v)) {
		TH_LOG("%s", strerror(errno));
	}
	TH_LOG("%s: user %llu, kernel %llu, both %llu", variant->what, v[0],
	       v[1], v[2]);
	EXPECT_LT(0, v[1]);
	EXPECT_EQ(v[0] + v[1], v[2]) {
		TH_LOG("both - user - kernel = %lld",
		       (long long)(v[2] - v[0] - v[1]));
	}
	EXPECT_LT((KERNEL_CALLS + 1) * LOOP_INSNS_PER_ITER * N_LOOP, v[0]);

	/* The user count does not depend on what else counts. */
	close(self->fd);
	self->fd = pfm_v3_setup(0, &variant->user, 1, pfm_test_gettid());
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, count_with_calls(self->fd, &variant->user, 1,
				      &user_alone));
	EXPECT_EQ(v[0], user_alone);
}

/*
 * No privilege level selected (P = U = 1): nothing counts, on an event
 * counter nor on the cycle counter, while a user-level counter of the same
 * context does count.
 */
TEST_F(exact, filter_nowhere_counts_nothing)
{
	const struct pfm_v3_reg regs[] = {
		{ PFM_V3_CYCLE_REG, PFM_V3_NOWHERE },
		{ PFM_V3_EVT_REG(0), PFM_V3_INST_RETIRED | PFM_V3_NOWHERE },
		{ PFM_V3_EVT_REG(1), PFM_V3_CPU_CYCLES | PFM_V3_NOWHERE },
		{ PFM_V3_EVT_REG(2), INST_USER },
	};
	__u64 v[4] = { 0 };

	if (!self->ready)
		return;
	if (!count_self(_metadata, &self->fd, regs, 4, N_LOOP, v))
		return;
	EXPECT_EQ(0, v[0]);
	EXPECT_EQ(0, v[1]);
	EXPECT_EQ(0, v[2]);
	EXPECT_LT(LOOP_INSNS_PER_ITER * N_LOOP, v[3]);
}

/*
 * Kernel level only (PMCCFILTR and PMEVTYPER): the user loop does not
 * count. Over n and 10 n iterations the user count grows by exactly the
 * loop's 9 n * LOOP_INSNS_PER_ITER instructions; the kernel counts differ
 * by what the kernel ran meanwhile (a timer tick or so in 3.6 ms of
 * virtual time; the kernel side of pfm_start()/pfm_stop() varies too),
 * not by the loop: by less than half of it either way.
 */
TEST_F(exact, filter_kernel_excludes_user)
{
	const struct pfm_v3_reg regs[] = {
		{ PFM_V3_CYCLE_REG, PFM_V3_KERNEL },
		{ PFM_V3_EVT_REG(0), INST_KERNEL },
		{ PFM_V3_EVT_REG(1), INST_USER },
	};
	const long long loop = 9LL * N_LOOP * LOOP_INSNS_PER_ITER;
	__u64 v[3] = { 0 }, w[3] = { 0 };
	long long grew;
	int i;

	if (!self->ready)
		return;
	if (geteuid() != 0)
		SKIP(return, "kernel-level counting needs root");
	if (!count_self(_metadata, &self->fd, regs, 3, N_LOOP, v) ||
	    !count_self(_metadata, &self->fd, regs, 3, 10 * N_LOOP, w))
		return;
	TH_LOG("n: kernel cycles %llu, kernel instructions %llu, user %llu",
	       v[0], v[1], v[2]);
	TH_LOG("10 n: kernel cycles %llu, kernel instructions %llu, user %llu",
	       w[0], w[1], w[2]);
	EXPECT_EQ(loop, (long long)(w[2] - v[2]));
	for (i = 0; i < 2; i++) {
		grew = (long long)(w[i] - v[i]);
		EXPECT_LT(0, v[i]);
		EXPECT_LT(0, w[i]);
		EXPECT_GT(loop / 2, llabs(grew)) {
			TH_LOG("%s: kernel count grew by %lld",
			       i ? "PMEVTYPER" : "PMCCFILTR", grew);
		}
	}
}

/*
 * Kernel-level counting is refused without permission: as nobody at
 * perf_event_paranoid 2, any PMC with P = 0 gives EPERM (and the element
 * flagged PFM_REG_RETFL_EINVAL); user level works, and counts exactly what
 * root counts for the same region. At paranoid 1 nobody may count at
 * kernel level.
 */
struct unpriv_result {
	int	err[4];		/* errno of each kernel-level write, or 0 */
	__u32	retfl[4];	/* and its returned reg_flags */
	int	user_err;	/* errno of the user-level session, or 0 */
	__u64	user_count;
};

static const struct pfm_v3_reg kernel_pmcs[4] = {
	{ PFM_V3_EVT_REG(0), INST_BOTH },
	{ PFM_V3_EVT_REG(0), INST_KERNEL },
	{ PFM_V3_CYCLE_REG, PFM_V3_BOTH },
	{ PFM_V3_CYCLE_REG, PFM_V3_KERNEL },
};

static void unpriv_child(int out)
{
	const struct pfm_v3_reg user = { PFM_V3_EVT_REG(0), INST_USER };
	struct unpriv_result r;
	struct pfarg_pmc pmc;
	int fd, i;

	memset(&r, 0, sizeof(r));
	if (pfm_test_drop_privs(PFM_NOBODY_ID))
		_exit(1);
	fd = pfm_test_create(0);
	if (fd < 0)
		_exit(2);
	for (i = 0; i < 4; i++) {
		memset(&pmc, 0, sizeof(pmc));
		pmc.reg_num = kernel_pmcs[i].num;
		pmc.reg_value = kernel_pmcs[i].value;
		r.err[i] = pfm_write_pmcs(fd, &pmc, 1) ? errno : 0;
		r.retfl[i] = pmc.reg_flags;
	}
	close(fd);
	fd = pfm_v3_setup(0, &user, 1, pfm_test_gettid());
	if (fd < 0 || pfm_v3_count_region(fd, N_LOOP) ||
	    pfm_v3_read(fd, &user, 1, &r.user_count))
		r.user_err = errno;
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(3);
	_exit(0);
}

/* Run unpriv_child() in a child; 0 when its result is in *@r. */
static int run_unpriv(struct unpriv_result *r)
{
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		unpriv_child(p[1]);
	}
	close(p[1]);
	n = read(p[0], r, sizeof(*r));
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || n != sizeof(*r))
		return -1;
	return 0;
}

TEST_F(exact, kernel_level_needs_permission)
{
	struct unpriv_result r;
	__u64 root_count = 0;
	int i;

	if (!self->ready)
		return;
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	self->paranoid = pfm_test_get_paranoid();
	if (self->paranoid != INT_MIN)
		ASSERT_EQ(0, pfm_test_set_paranoid(2));
	if (!user_insts(_metadata, N_LOOP, &root_count))
		return;
	ASSERT_EQ(0, run_unpriv(&r));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(EPERM, r.err[i]) {
			TH_LOG("PMC%u = %#llx as nobody: %s", kernel_pmcs[i].num,
			       kernel_pmcs[i].value, strerror(r.err[i]));
		}
		EXPECT_TRUE(r.retfl[i] & PFM_REG_RETFL_EINVAL) {
			TH_LOG("PMC%u = %#llx: reg_flags %#x", kernel_pmcs[i].num,
			       kernel_pmcs[i].value, r.retfl[i]);
		}
	}
	EXPECT_EQ(0, r.user_err) {
		TH_LOG("user level as nobody: %s", strerror(r.user_err));
	}
	EXPECT_EQ(root_count, r.user_count);

	if (self->paranoid == INT_MIN) {
		/* Not SKIP(): it would hide a failure above. */
		TH_LOG("no %s: paranoid 1 not tried", PFM_PARANOID_PATH);
		return;
	}
	ASSERT_EQ(0, pfm_test_set_paranoid(1));
	ASSERT_EQ(0, run_unpriv(&r));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, r.err[i]) {
			TH_LOG("PMC%u = %#llx as nobody, paranoid 1: %s",
			       kernel_pmcs[i].num, kernel_pmcs[i].value,
			       strerror(r.err[i]));
		}
	}
}

/*
 * Two threads take turns on the one CPU through two pipes; each monitors
 * itself and runs the region
 *
 *	pfm_start; loop; read(in); loop; write(out); ... (ROUNDS times); loop;
 *	pfm_stop
 *
 * where each read() blocks until the other thread's write(): the threads
 * switch about twice a round, each switch saving one context's counters
 * and loading the other's. Each count must equal, exactly, the count of
 * the same region run by one thread alone, with its input pipe filled
 * beforehand (read() never blocks, nothing else runs).
 */
#define ROUNDS		20
#define PP_N		20000
#define PP_NSC		(2 * ROUNDS + 2)

struct pp_thread {
	int		in;
	int		out;
	int		go;		/* read end: one byte to start */
	bool		monitor;	/* own context; else getppid() */
	int		err;
	__u64		count;
	long		switches;	/* during the region */
};

/* Context switches of the calling thread so far. */
static long thread_switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void *pp_run(void *p)
{
	const struct pfm_v3_reg reg = { PFM_V3_EVT_REG(0), INST_USER };
	struct pp_thread *t = p;
	struct pfm_sc sc[PP_NSC];
	char buf[ROUNDS], go;
	int fd = -1, i;

	memset(buf, 0, sizeof(buf));
	if (t->monitor) {
		fd = pfm_v3_setup(0, &reg, 1, pfm_test_gettid());
		if (fd < 0)
			t->err = errno;
	}
	if (t->monitor)
		pfm_sc_set(&sc[0], __NR_pfm_start, fd, 0, 0);
	else
		pfm_sc_set(&sc[0], __NR_getppid, 0, 0, 0);
	for (i = 0; i < ROUNDS; i++) {
		pfm_sc_set(&sc[1 + 2 * i], __NR_read, t->in,
			   (long)&buf[i], 1);
		pfm_sc_set(&sc[2 + 2 * i], __NR_write, t->out,
			   (long)&buf[i], 1);
	}
	if (t->monitor)
		pfm_sc_set(&sc[PP_NSC - 1], __NR_pfm_stop, fd, 0, 0);
	else
		pfm_sc_set(&sc[PP_NSC - 1], __NR_getppid, 0, 0, 0);
	if (read(t->go, &go, 1) != 1 && !t->err)
		t->err = EIO;
	/*
	 * The region runs even after an error: its read()s and write()s
	 * keep the other thread going. Its result is then ignored.
	 */
	t->switches = thread_switches();
	if (pfm_region(sc, PP_NSC, PP_N) && !t->err)
		t->err = errno;
	t->switches = thread_switches() - t->switches;
	for (i = 1; i < PP_NSC - 1; i++) {
		if (!t->err && sc[i].ret != 1)
			t->err = EIO;
	}
	if (!t->err && t->monitor && pfm_v3_read(fd, &reg, 1, &t->count))
		t->err = errno;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/*
 * Run the @n (1 or 2) threads of @t at once: each waits for a byte on a
 * "go" pipe once its context is set up. False when a thread could not be
 * created; then the other one, if any, gets its input filled so that it
 * never blocks, and is joined.
 */
static bool pp_threads(struct pp_thread *t, int n)
{
	char go[2] = { 0 }, fill[ROUNDS] = { 0 };
	bool created[2] = { false, false }, ok = true;
	pthread_t thr[2];
	int i, p[2];

	if (n < 1 || n > 2 || pipe(p))
		return false;
	for (i = 0; i < n; i++) {
		t[i].go = p[0];
		created[i] = !pthread_create(&thr[i], NULL, pp_run, &t[i]);
		ok &= created[i];
	}
	for (i = 0; i < n && !ok; i++) {
		if (!created[i])
			continue;
		t[i].err = ECHILD;
		/* t[1 - i].out is the write end of t[i].in. */
		if (n == 2 && write(t[1 - i].out, fill, ROUNDS) != ROUNDS)
			t[i].err = EIO;
	}
	if (write(p[1], go, n) != n)
		ok = false;
	for (i = 0; i < n; i++) {
		if (created[i])
			pthread_join(thr[i], NULL);
	}
	close(p[0]);
	close(p[1]);
	return ok;
}

/* Pipes: a->b, b->a. Thread 0 reads b->a and writes a->b; 1 the reverse. */
struct pp_pipes {
	int	ab[2];
	int	ba[2];
};

static int pp_pipes_open(struct pp_pipes *p)
{
	if (pipe(p->ab))
		return -1;
	if (pipe(p->ba)) {
		close(p->ab[0]);
		close(p->ab[1]);
		return -1;
	}
	return 0;
}

static void pp_pipes_close(struct pp_pipes *p)
{
	close(p->ab[0]);
	close(p->ab[1]);
	close(p->ba[0]);
	close(p->ba[1]);
}

static void pp_init(struct pp_thread *t, const struct pp_pipes *p,
		    bool monitor)
{
	memset(t, 0, 2 * sizeof(*t));
	t[0].in = p->ba[0];
	t[0].out = p->ab[1];
	t[1].in = p->ab[0];
	t[1].out = p->ba[1];
	t[0].monitor = monitor;
	t[1].monitor = monitor;
}

/* Thread @i alone, its input pipe holding ROUNDS bytes. */
static bool pp_alone(struct __test_metadata *_metadata, int i, __u64 *count)
{
	char fill[ROUNDS] = { 0 };
	struct pp_pipes p;
	struct pp_thread t[2];

	if (pp_pipes_open(&p))
		return false;
	pp_init(t, &p, true);
	EXPECT_EQ(ROUNDS, write(i ? p.ab[1] : p.ba[1], fill, ROUNDS));
	EXPECT_TRUE(pp_threads(&t[i], 1));
	pp_pipes_close(&p);
	EXPECT_EQ(0, t[i].err) {
		TH_LOG("thread %d alone: %s", i, strerror(t[i].err));
	}
	*count = t[i].count;
	return t[i].err == 0;
}

/*
 * Both threads monitoring themselves, taking turns: counts into @count
 * (when @monitor), true when they ran fine.
 */
static bool pp_together(struct __test_metadata *_metadata, bool monitor,
			__u64 *count)
{
	struct pp_thread t[2];
	struct pp_pipes p;
	char token = 0;
	int i;

	if (pp_pipes_open(&p))
		return false;
	pp_init(t, &p, monitor);
	/* Thread 0's first read finds the token; thereafter they alternate. */
	EXPECT_EQ(1, write(p.ba[1], &token, 1));
	EXPECT_TRUE(pp_threads(t, 2));
	pp_pipes_close(&p);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, t[i].err) {
			TH_LOG("thread %d: %s", i, strerror(t[i].err));
		}
		/*
		 * The turns did happen: a thread cannot finish a round before
		 * the other has finished the previous one.
		 */
		EXPECT_LE(ROUNDS / 2, t[i].switches) {
			TH_LOG("thread %d: %ld switches in %d rounds",
			       i, t[i].switches, ROUNDS);
		}
		if (count)
			count[i] = t[i].count;
	}
	return !t[0].err && !t[1].err;
}

TEST_F(exact, pingpong_counts_are_own)
{
	__u64 alone[2] = { 0 }, together[2] = { 0 };
	int i;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_test_pin(0));
	for (i = 0; i < 2; i++) {
		if (!pp_alone(_metadata, i, &alone[i]))
			return;
	}
	if (!pp_together(_metadata, true, together))
		return;
	for (i = 0; i < 2; i++) {
		TH_LOG("thread %d: alone %llu, taking turns %llu", i, alone[i],
		       together[i]);
		EXPECT_LT((2 * ROUNDS + 1) * LOOP_INSNS_PER_ITER * PP_N,
			  together[i]);
		EXPECT_EQ(alone[i], together[i]);
	}
}

/*
 * A system-wide context on CPU 0 (user level) sees the same ping-pong,
 * unmonitored this time, and more: at least the sum of the two per-thread
 * counts (measured first: per-thread and system-wide sessions exclude each
 * other). The rest is the other user code on the CPU (thread creation,
 * the controlling thread), far less than the two threads' loops.
 */
TEST_F(exact, syswide_at_least_sum)
{
	const struct pfm_v3_reg reg = { PFM_V3_EVT_REG(0), INST_USER };
	__u64 per_thread[2] = { 0 }, sum, sys = 0;

	if (!self->ready)
		return;
	if (geteuid() != 0)
		SKIP(return, "system-wide contexts need root");
	ASSERT_EQ(0, pfm_test_pin(0));
	if (!pp_together(_metadata, true, per_thread))
		return;
	sum = per_thread[0] + per_thread[1];

	self->fd = pfm_v3_setup(PFM_FL_SYSTEM_WIDE, &reg, 1, 0);
	ASSERT_LE(0, self->fd) {
		TH_LOG("system-wide on CPU 0: %s", strerror(errno));
	}
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	pp_together(_metadata, false, NULL);
	ASSERT_EQ(0, pfm_stop(self->fd));
	ASSERT_EQ(0, pfm_v3_read(self->fd, &reg, 1, &sys));
	TH_LOG("system-wide %llu, per-thread %llu + %llu", sys, per_thread[0],
	       per_thread[1]);
	EXPECT_LE(sum, sys);
	EXPECT_GT(2 * sum, sys);
}

TEST_HARNESS_MAIN
