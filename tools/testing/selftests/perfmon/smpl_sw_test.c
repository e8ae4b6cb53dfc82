// SPDX-License-Identifier: GPL-2.0
/*
 * Overflow, notification and sampling with the software PMU (x86_64, and
 * arm64 booted with perfmon.pmu=sw; skipped on any other PMU).
 *
 * task-clock (event 1) overflows after P ns of the thread's CPU time: its
 * PMD is programmed with 2^64 - P. Self-monitoring tests burn CPU and look
 * for the notification between slices of 1 ms (poll with a zero timeout:
 * the thread must run for its clock to count). The blocking notification
 * is tested on a ptrace-attached child.
 *
 * What is checked:
 *  - default format: >= 95% of the sample IPs of a busy function are in it,
 *    entry fields (pid = thread id, tgid, cpu, ovfl_pmd, last_reset_val,
 *    set), the header's count, offsets and overflows;
 *  - PFM_REGFL_OVFL_NOTIFY without a format: one message with its fields,
 *    masked (counts stop, pfm_start does not resume), pfm_restart resumes
 *    with the long reset value, a second restart is EBUSY; an overflow is
 *    not lost when a read of the PMD sees the wrap first;
 *  - poll() POLLIN, SIGIO (O_ASYNC + F_SETOWN, with and without F_SETSIG;
 *    none without O_ASYNC), PFM_FL_OVFL_NO_MSG (SIGIO, no message);
 *  - PFM_REGFL_RANDOM: every reset value within [reset - mask, reset];
 *  - buffer-full cycles: each notification finds the buffer just full,
 *    every entry present and consistent, hdr_overflows counting the cycles;
 *  - PFM_FL_NOTIFY_BLOCK: the child stops making progress after the
 *    notification until pfm_restart().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "pfm_smpl.h"

#define MSEC		PFM_NSEC_PER_MSEC
/* CPU time the busy function runs for, and the sampling period there. */
#define BUSY_NS		(200 * MSEC)
#define BUSY_PERIOD	(1 * MSEC)
/* Share of the busy function's samples that must have their IP in it. */
#define BUSY_IN_PCT	95
/* Most CPU time to burn waiting for an overflow that should come. */
#define WAIT_CPU_NS	(3000 * MSEC)
/* Most wall time to wait for a child's notification. */
#define WAIT_MS		10000
/* A buffer large enough for every test but the buffer-full one. */
#define BIG_BUF		(64 * 1024)
#define NR_CYCLES	4

#define TASK_CLOCK	PFM_SW_EVT(PFM_SW_TASK_CLOCK)

/*
 * The busy function: alone in its section, so that its code is exactly
 * [__start_pfm_busy_text, __stop_pfm_busy_text). No call, no system call.
 */
static noinline __noclone __section("pfm_busy_text")
unsigned long busy(unsigned long n)
{
	unsigned long sink = 0, i;

	for (i = 0; i < n; i++) {
		sink += i;
		__asm__ __volatile__("" : "+r" (sink));
	}
	return sink;
}

extern const char __start_pfm_busy_text[], __stop_pfm_busy_text[];

static bool in_busy(__u64 ip)
{
	return ip >= (unsigned long)__start_pfm_busy_text &&
	       ip < (unsigned long)__stop_pfm_busy_text;
}

/* Iterations of busy() that take about @ns of CPU time. */
static unsigned long busy_calibrate(__u64 ns)
{
	unsigned long n = 1UL << 16;
	__u64 t0, t;

	for (;;) {
		t0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
		busy(n);
		t = pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - t0;
		if (t >= 20 * MSEC || n >= (1UL << 40))
			break;
		n *= 2;
	}
	if (!t)
		t = 1;
	return (unsigned long)((double)n * ns / t) + 1;
}

/*
 * Burn CPU in 1 ms slices until a message is pending on @fd (or, with
 * @flag, until *@flag reaches @target), at most @max_ns of CPU time.
 * Return the CPU time burnt, or -1 on a timeout (logged with PMD0: a
 * value past 0 is an overflow nobody handled).
 */
static long long burn_until(struct __test_metadata *_metadata, int fd,
			    const sig_atomic_t *flag, int target,
			    __u64 max_ns)
{
	__u64 t0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID), t, v = 0;
	int ret;

	for (;;) {
		if (flag ? PFM_READ_ONCE(*flag) >= target : pfm_smpl_msg_pending(fd))
			return pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - t0;
		t = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
		if (t - t0 > max_ns)
			break;
		pfm_test_burn(MSEC);
	}
	ret = pfm_test_read_pmd(fd, 0, &v);
	TH_LOG("nothing after %llu ms of CPU time; PMD0 %lld (%s)",
	       (t - t0) / MSEC, (long long)v, ret ? strerror(errno) : "read");
	return -1;
}

/* What every self-monitoring test keeps, for its teardown. */
struct smpl_self {
	int	fd;
	void	*buf;
	size_t	map_size;
	int	cpu;
	bool	ready;
};

/* Skip unless software PMU; pin the caller (the cpu fields name it). */
static void smpl_setup(struct __test_metadata *_metadata,
		       struct smpl_self *self)
{
	int cpus[1];

	self->fd = -1;
	self->buf = NULL;
	self->map_size = 0;
	self->ready = pfm_test_require_swpmu(_metadata);
	if (!self->ready)
		return;
	ASSERT_EQ(1, pfm_test_online_cpus(cpus, 1));
	self->cpu = cpus[0];
	ASSERT_EQ(0, pfm_test_pin(self->cpu));
}

static void smpl_teardown(struct smpl_self *self)
{
	pfm_smpl_release(self->fd, self->buf, self->map_size);
}

FIXTURE(sw) {
	struct smpl_self s;
};

FIXTURE_SETUP(sw)
{
	smpl_setup(_metadata, &self->s);
}

FIXTURE_TEARDOWN(sw)
{
	smpl_teardown(&self->s);
}

/*
 * Create a context (default format with a @buf_size buffer, or no format
 * when 0), PMC i = task-clock and PMD i = @pmds[i] for i < @n, load it on
 * the calling thread and map the buffer. False (logged) on failure.
 */
static bool self_ctx(struct __test_metadata *_metadata,
		     struct smpl_self *self, unsigned int flags,
		     size_t buf_size, struct pfarg_pmd *pmds, int n)
{
	int i;

	self->fd = buf_size ? pfm_smpl_create(flags, buf_size) :
			      pfm_test_create(flags);
	EXPECT_LE(0, self->fd) {
		TH_LOG("create (buffer %zu): %s", buf_size, strerror(errno));
	}
	if (self->fd < 0)
		return false;
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, pfm_test_write_pmc(self->fd, i, TASK_CLOCK)) {
			TH_LOG("PMC%d: %s", i, strerror(errno));
			return false;
		}
	}
	EXPECT_EQ(0, pfm_write_pmds(self->fd, pmds, n)) {
		TH_LOG("write PMDs: %s", strerror(errno));
		return false;
	}
	EXPECT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid())) {
		TH_LOG("load: %s", strerror(errno));
		return false;
	}
	if (!buf_size)
		return true;
	self->map_size = pfm_smpl_page_round(buf_size);
	self->buf = pfm_smpl_map(self->fd, self->map_size);
	EXPECT_NE(NULL, self->buf) {
		TH_LOG("mmap %zu: %s", self->map_size, strerror(errno));
	}
	return self->buf;
}

/*
 * Is entry @i wrong? It must be this thread's, on @cpu, for PMD @pmd, set
 * 0, with last_reset_val in [@lo, @hi]. Logged when @log.
 */
static bool entry_bad(struct __test_metadata *_metadata,
		      const struct pfm_dfl_smpl_entry *e, long i, int cpu,
		      unsigned int pmd, __u64 lo, __u64 hi, bool log)
{
	bool bad = (pid_t)e->pid != pfm_test_gettid() ||
		   (pid_t)e->tgid != getpid() || e->cpu != cpu ||
		   e->ovfl_pmd != pmd || e->set || e->reserved ||
		   e->last_reset_val < lo || e->last_reset_val > hi;

	if (bad && log) {
		TH_LOG("entry %ld: pid %u tgid %u cpu %u ovfl_pmd %u set %u reserved %u",
		       i, e->pid, e->tgid, e->cpu, e->ovfl_pmd, e->set,
		       e->reserved);
		TH_LOG("  expected pid %d tgid %d cpu %d ovfl_pmd %u set 0 reserved 0",
		       pfm_test_gettid(), getpid(), cpu, pmd);
		TH_LOG("  last_reset_val %#llx; expected in [%#llx, %#llx]",
		       (unsigned long long)e->last_reset_val,
		       (unsigned long long)lo, (unsigned long long)hi);
	}
	return bad;
}

/* Most wrong entries logged by a test. */
#define LOG_BAD		5

/* Check an overflow message for PMD0 of the calling thread on @cpu. */
static void check_ovfl_msg(struct __test_metadata *_metadata,
			   const union pfarg_msg *msg, int cpu)
{
	const struct pfarg_ovfl_msg *m = &msg->pfm_ovfl_msg;
	unsigned int i;

	ASSERT_EQ(PFM_MSG_OVFL, m->msg_type);
	EXPECT_EQ(getpid(), (pid_t)m->msg_ovfl_pid);
	EXPECT_EQ(pfm_test_gettid(), (pid_t)m->msg_ovfl_tid);
	EXPECT_EQ(cpu, m->msg_ovfl_cpu);
	EXPECT_EQ(0, m->msg_active_set);
	EXPECT_NE(0, m->msg_ovfl_ip);
	EXPECT_EQ(1, m->msg_ovfl_pmds[0]) {
		TH_LOG("msg_ovfl_pmds[0] = %#llx, PMD0 only expected",
		       (unsigned long long)m->msg_ovfl_pmds[0]);
	}
	for (i = 1; i < PFM_PMD_BV; i++)
		EXPECT_EQ(0, m->msg_ovfl_pmds[i]);
}

/*
 * Sampling a busy function on task-clock: the sample IPs fall in it, the
 * entries are those of this thread on this CPU, the header is consistent.
 */
TEST_F(sw, busy_function_ips)
{
	struct smpl_self *me = &self->s;
	const struct pfm_dfl_smpl_entry *e;
	struct pfm_dfl_smpl_hdr h;
	struct pfarg_pmd pmd;
	const __u64 reset = PFM_PERIOD(BUSY_PERIOD);
	__u64 t0, t1, expected, prev_ts = 0;
	long n, i, inside = 0, bad = 0, late = 0;
	unsigned long iters;
	const char *why;

	if (!me->ready)
		return;
	ASSERT_LT((unsigned long)__start_pfm_busy_text,
		  (unsigned long)__stop_pfm_busy_text);
	iters = busy_calibrate(BUSY_NS);
	pfm_smpl_pmd(&pmd, 0, BUSY_PERIOD, 0);
	if (!self_ctx(_metadata, me, 0, BIG_BUF, &pmd, 1))
		return;

	/*
	 * A first sampled run, thrown away: the first overflows of a boot
	 * take milliseconds in a debug kernel (lockdep learning the new
	 * lock chains), which are charged to this thread, in the kernel.
	 */
	ASSERT_EQ(0, pfm_start(me->fd, NULL));
	busy(iters / 10);
	ASSERT_EQ(0, pfm_stop(me->fd));
	munmap(me->buf, me->map_size);
	me->buf = NULL;
	close(me->fd);
	me->fd = -1;
	if (!self_ctx(_metadata, me, 0, BIG_BUF, &pmd, 1))
		return;
	pfm_test_sleep_ns(50 * MSEC);

	t0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	ASSERT_EQ(0, pfm_start(me->fd, NULL));
	busy(iters);
	ASSERT_EQ(0, pfm_stop(me->fd));
	t1 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);

	pfm_smpl_hdr(me->buf, &h);
	EXPECT_EQ(PFM_DFL_SMPL_VERSION, h.hdr_version);
	EXPECT_EQ(me->map_size, h.hdr_buf_size);
	EXPECT_EQ(0, h.hdr_overflows);
	n = pfm_smpl_walk(me->buf, me->map_size, 0, NULL, 0, &why);
	ASSERT_LE(0, n) {
		TH_LOG("%s: count %llu, cur_offs %llu", why, h.hdr_count,
		       h.hdr_cur_offs);
	}
	/* Each sample took BUSY_PERIOD of the thread's CPU time, at least. */
	expected = (t1 - t0) / BUSY_PERIOD;
	TH_LOG("%ld samples over %llu ns of CPU time (period %llu ns)", n,
	       t1 - t0, BUSY_PERIOD);
	if (n > 1) {
		e = (const void *)((const char *)me->buf + sizeof(h));
		TH_LOG("first sample at ip %#llx, mean interval %llu ns",
		       (unsigned long long)e[0].ip,
		       (e[n - 1].tstamp - e[0].tstamp) / (n - 1));
	}
	ASSERT_LT(0, n);
	EXPECT_GE(expected + 1, (__u64)n);
	/* Under TCG the overflow timer runs late: a loose lower bound. */
	EXPECT_LE(expected / 4, (__u64)n);

	for (i = 0; i < n; i++) {
		e = pfm_smpl_entry(me->buf, 0, i);
		/*
		 * last_reset_val: the period that ended here, the written
		 * value for the first one, the reset value after.
		 */
		bad += entry_bad(_metadata, e, i, me->cpu, 0, reset, reset,
				 bad < LOG_BAD);
		if (e->tstamp < prev_ts && late++ < LOG_BAD)
			TH_LOG("entry %ld: tstamp %llu after %llu", i,
			       e->tstamp, prev_ts);
		prev_ts = e->tstamp;
		if (in_busy(e->ip))
			inside++;
		else if (i + 1 - inside <= 4 * LOG_BAD)
			TH_LOG("entry %ld: ip %#llx outside busy() [%p, %p)", i,
			       (unsigned long long)e->ip,
			       __start_pfm_busy_text, __stop_pfm_busy_text);
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, late);
	EXPECT_LE(n * BUSY_IN_PCT, inside * 100) {
		TH_LOG("%ld of %ld sample IPs in busy()", inside, n);
	}
	/* The header is the buffer's state: reading it changes nothing. */
	pfm_smpl_hdr(me->buf, &h);
	EXPECT_EQ((__u64)n, h.hdr_count);
}

/*
 * No format, PFM_REGFL_OVFL_NOTIFY: the overflow queues one message and
 * masks the context; pfm_restart() resumes with the long reset value.
 */
#define NOTIFY_PERIOD	(5 * MSEC)
#define NOTIFY_LONG	(50 * MSEC)

TEST_F(sw, notify_mask_restart)
{
	struct smpl_self *me = &self->s;
	struct pfarg_pmd pmd, rd;
	union pfarg_msg msg;
	__u64 v1, v2, v3, c0, c1, w0, w1;
	long long burnt;

	if (!me->ready)
		return;
	pfm_smpl_pmd(&pmd, 0, NOTIFY_PERIOD, PFM_REGFL_OVFL_NOTIFY);
	pmd.reg_long_reset = PFM_PERIOD(NOTIFY_LONG);
	if (!self_ctx(_metadata, me, 0, 0, &pmd, 1))
		return;
	ASSERT_EQ(0, fcntl(me->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(EAGAIN, pfm_test_errno(read(me->fd, &msg, sizeof(msg))));
	/* Nothing to restart yet. */
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_restart(me->fd)));

	w0 = pfm_test_now(CLOCK_MONOTONIC);
	ASSERT_EQ(0, pfm_start(me->fd, NULL));
	burnt = burn_until(_metadata, me->fd, NULL, 0, WAIT_CPU_NS);
	w1 = pfm_test_now(CLOCK_MONOTONIC);
	ASSERT_LE(0, burnt) {
		TH_LOG("no message after %llu ms of CPU time",
		       WAIT_CPU_NS / MSEC);
	}
	/* Not before the period (burnt in slices of at least 1 ms). */
	EXPECT_LE(NOTIFY_PERIOD - MSEC / 10, (__u64)burnt) {
		TH_LOG("overflow of a %llu ns period after %lld ns CPU time, %llu ns wall time",
		       NOTIFY_PERIOD, burnt, w1 - w0);
	}

	memset(&msg, 0xa5, sizeof(msg));
	ASSERT_EQ(sizeof(msg), read(me->fd, &msg, sizeof(msg)));
	check_ovfl_msg(_metadata, &msg, me->cpu);
	/* One message: the context is masked, no further overflow. */
	EXPECT_EQ(EAGAIN, pfm_test_errno(read(me->fd, &msg, sizeof(msg))));

	/* Masked: the count is frozen, just past the wrap. */
	ASSERT_EQ(0, pfm_test_read_pmd(me->fd, 0, &v1));
	EXPECT_GT(PFM_NSEC_PER_SEC, v1) {
		TH_LOG("PMD0 = %#llx after the overflow: not wrapped", v1);
	}
	pfm_test_burn(20 * MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(me->fd, 0, &v2));
	EXPECT_EQ(v1, v2) {
		TH_LOG("masked PMD0 moved by %lld ns", (long long)(v2 - v1));
	}
	/* pfm_stop() and pfm_start() do not unmask. */
	ASSERT_EQ(0, pfm_stop(me->fd));
	ASSERT_EQ(0, pfm_start(me->fd, NULL));
	pfm_test_burn(10 * MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(me->fd, 0, &v3));
	EXPECT_EQ(v1, v3) {
		TH_LOG("PMD0 moved by %lld ns after stop+start while masked",
		       (long long)(v3 - v1));
	}
	EXPECT_EQ(EAGAIN, pfm_test_errno(read(me->fd, &msg, sizeof(msg))));

	/* Restart: the long reset value, counting again. */
	c0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	ASSERT_EQ(0, pfm_restart(me->fd));
	ASSERT_EQ(0, pfm_smpl_read_pmd(me->fd, 0, &rd));
	c1 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
	EXPECT_EQ(PFM_PERIOD(NOTIFY_LONG), rd.reg_last_reset_val) {
		TH_LOG("reg_last_reset_val %#llx after restart",
		       (unsigned long long)rd.reg_last_reset_val);
	}
	/* rd.reg_value = -NOTIFY_LONG + what counted since the restart. */
	EXPECT_GE(c1 - c0 + MSEC, rd.reg_value + NOTIFY_LONG) {
		TH_LOG("PMD0 = %#llx after restart (long reset %#llx)",
		       (unsigned long long)rd.reg_value,
		       (unsigned long long)PFM_PERIOD(NOTIFY_LONG));
	}
	/* A second restart has no notification to answer. */
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_restart(me->fd)));

	/* The next overflow comes a long period after the restart. */
	burnt = burn_until(_metadata, me->fd, NULL, 0, WAIT_CPU_NS);
	ASSERT_LE(0, burnt);
	EXPECT_LE(NOTIFY_LONG, pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - c0);
	ASSERT_EQ(sizeof(msg), read(me->fd, &msg, sizeof(msg)));
	check_ovfl_msg(_metadata, &msg, me->cpu);
	ASSERT_EQ(0, pfm_restart(me->fd));
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_restart(me->fd)));
	ASSERT_EQ(0, pfm_stop(me->fd));
}

/*
 * Every wrap of the 64-bit value is an overflow, whoever notices it
 * first: PMD0 read over and over while it crosses 2^64 (each read brings
 * the count up to date) must not make the overflow go unnoticed. Whether
 * a read or the overflow timer gets there first is a race: READ_ROUNDS
 * rounds, each ending with the notification and a restart.
 */
#define READ_ROUNDS	8
#define READ_PERIOD	(5 * MSEC)

TEST_F(sw, overflow_seen_by_read)
{
	struct smpl_self *me = &self->s;
	struct pfarg_pmd pmd;
	union pfarg_msg msg;
	int round, crossed = 0;
	__u64 v = 0, t0;

	if (!me->ready)
		return;
	pfm_smpl_pmd(&pmd, 0, READ_PERIOD, PFM_REGFL_OVFL_NOTIFY);
	if (!self_ctx(_metadata, me, 0, 0, &pmd, 1))
		return;
	ASSERT_EQ(0, fcntl(me->fd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, pfm_start(me->fd, NULL));
	for (round = 0; round < READ_ROUNDS; round++) {
		t0 = pfm_test_now(CLOCK_THREAD_CPUTIME_ID);
		while (!pfm_smpl_msg_pending(me->fd)) {
			ASSERT_EQ(0, pfm_test_read_pmd(me->fd, 0, &v));
			if ((__s64)v >= 0) {
				/*
				 * Past 2^64: the overflow was handled (the
				 * count frozen) just now, or not yet.
				 */
				if (!pfm_smpl_msg_pending(me->fd))
					crossed++;
				break;
			}
			ASSERT_GT(WAIT_CPU_NS,
				  pfm_test_now(CLOCK_THREAD_CPUTIME_ID) - t0);
		}
		/* Either way the overflow is notified, at once. */
		ASSERT_LE(0, burn_until(_metadata, me->fd, NULL, 0,
					100 * MSEC)) {
			TH_LOG("round %d: overflow lost, PMD0 read %#llx",
			       round, (unsigned long long)v);
		}
		ASSERT_EQ(sizeof(msg), read(me->fd, &msg, sizeof(msg)));
		check_ovfl_msg(_metadata, &msg, me->cpu);
		ASSERT_EQ(0, pfm_restart(me->fd));
	}
	TH_LOG("a read saw the wrap before the overflow in %d of %d rounds",
	       crossed, READ_ROUNDS);
}

/* poll() reports POLLIN exactly while a message waits. */
TEST_F(sw, poll_pollin)
{
	struct smpl_self *me = &self->s;
	struct pollfd pfd;
	struct pfarg_pmd pmd;
	union pfarg_msg msg;
	int round;

	if (!me->ready)
		return;
	pfm_smpl_pmd(&pmd, 0, 10 * MSEC, PFM_REGFL_OVFL_NOTIFY);
	if (!self_ctx(_metadata, me, 0, 0, &pmd, 1))
		return;
	pfd.fd = me->fd;
	pfd.events = POLLIN;
	ASSERT_EQ(0, pfm_start(me->fd, NULL));
	/* Nowhere near 10 ms of CPU time yet. */
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	for (round = 0; round < 2; round++) {
		ASSERT_LE(0, burn_until(_metadata, me->fd, NULL, 0, WAIT_CPU_NS)) {
			TH_LOG("round %d: no POLLIN", round);
		}
		pfd.revents = 0;
		ASSERT_EQ(1, poll(&pfd, 1, 0));
		EXPECT_TRUE(pfd.revents & POLLIN);
		EXPECT_FALSE(pfd.revents & (POLLERR | POLLHUP | POLLNVAL));
		ASSERT_EQ(sizeof(msg), read(me->fd, &msg, sizeof(msg)));
		check_ovfl_msg(_metadata, &msg, me->cpu);
		EXPECT_EQ(0, poll(&pfd, 1, 0));
		ASSERT_EQ(0, pfm_restart(me->fd));
	}
}

/* SIGIO: O_ASYNC + F_SETOWN, optionally F_SETSIG. */
static sig_atomic_t sigio_count;
static sig_atomic_t sigio_code;
static sig_atomic_t sigio_fd;
static sig_atomic_t sigio_band;

static void sigio_handler(int sig, siginfo_t *si, void *uc)
{
	PFM_WRITE_ONCE(sigio_count, PFM_READ_ONCE(sigio_count) + 1);
	PFM_WRITE_ONCE(sigio_code, si->si_code);
	PFM_WRITE_ONCE(sigio_fd, si->si_fd);
	PFM_WRITE_ONCE(sigio_band, si->si_band);
}

static void sigio_install(struct __test_metadata *_metadata)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigio_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGIO, &sa, NULL));
	PFM_WRITE_ONCE(sigio_count, 0);
	PFM_WRITE_ONCE(sigio_code, 0);
	PFM_WRITE_ONCE(sigio_fd, -1);
	PFM_WRITE_ONCE(sigio_band, 0);
}

/* Set up SIGIO delivery for @fd: F_SETOWN, F_SETSIG when @setsig. */
static void sigio_setup(struct __test_metadata *_metadata, int fd,
			bool async, bool setsig)
{
	sigio_install(_metadata);
	ASSERT_EQ(0, fcntl(fd, F_SETOWN, getpid()));
	if (setsig)
		ASSERT_EQ(0, fcntl(fd, F_SETSIG, SIGIO));
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK | (async ? O_ASYNC : 0)));
}

FIXTURE(sig) {
	struct smpl_self s;
};

FIXTURE_VARIANT(sig) {
	bool	async;		/* O_ASYNC */
	bool	setsig;		/* F_SETSIG SIGIO: siginfo with si_fd */
};

FIXTURE_VARIANT_ADD(sig, sigio) {
	.async	= true,
};

FIXTURE_VARIANT_ADD(sig, sigio_setsig) {
	.async	= true,
	.setsig	= true,
};

/* F_SETOWN without O_ASYNC: the message, but no signal. */
FIXTURE_VARIANT_ADD(sig, no_async) {
	.async	= false,
};

FIXTURE_SETUP(sig)
{
	smpl_setup(_metadata, &self->s);
}

FIXTURE_TEARDOWN(sig)
{
	smpl_teardown(&self->s);
}

TEST_F(sig, notify)
{
	struct smpl_self *me = &self->s;
	struct pfarg_pmd pmd;
	union pfarg_msg msg;
	long long burnt;

	if (!me->ready)
		return;
	pfm_smpl_pmd(&pmd, 0, 10 * MSEC, PFM_REGFL_OVFL_NOTIFY);
	if (!self_ctx(_metadata, me, 0, 0, &pmd, 1))
		return;
	sigio_setup(_metadata, me->fd, variant->async, variant->setsig);
	ASSERT_EQ(0, pfm_start(me->fd, NULL));
	EXPECT_EQ(0, PFM_READ_ONCE(sigio_count));
	if (!variant->async) {
		/* The message comes; the signal does not. */
		ASSERT_LE(0, burn_until(_metadata, me->fd, NULL, 0, WAIT_CPU_NS));
		pfm_test_burn(5 * MSEC);
		EXPECT_EQ(0, PFM_READ_ONCE(sigio_count));
		ASSERT_EQ(sizeof(msg), read(me->fd, &msg, sizeof(msg)));
		check_ovfl_msg(_metadata, &msg, me->cpu);
		return;
	}
	burnt = burn_until(_metadata, me->fd, &sigio_count, 1, WAIT_CPU_NS);
	ASSERT_LE(0, burnt) {
		TH_LOG("no SIGIO after %llu ms of CPU time",
		       WAIT_CPU_NS / MSEC);
	}
	EXPECT_EQ(1, PFM_READ_ONCE(sigio_count));
	if (variant->setsig) {
		EXPECT_EQ(POLL_IN, PFM_READ_ONCE(sigio_code));
		EXPECT_EQ(me->fd, PFM_READ_ONCE(sigio_fd));
		EXPECT_TRUE(PFM_READ_ONCE(sigio_band) & POLLIN);
	}
	/* The message is there too, and the context masked. */
	ASSERT_EQ(sizeof(msg), read(me->fd, &msg, sizeof(msg)));
	check_ovfl_msg(_metadata, &msg, me->cpu);
	pfm_test_burn(20 * MSEC);
	EXPECT_EQ(1, PFM_READ_ONCE(sigio_count));
	/* Once restarted, the next overflow signals again. */
	ASSERT_EQ(0, pfm_restart(me->fd));
	ASSERT_LE(0, burn_until(_metadata, me->fd, NULL, 0, WAIT_CPU_NS));
	EXPECT_EQ(2, PFM_READ_ONCE(sigio_count));
}

/* PFM_FL_OVFL_NO_MSG: SIGIO and masking, but no message to read. */
TEST_F(sw, ovfl_no_msg)
{
	struct smpl_self *me = &self->s;
	struct pfarg_pmd pmd;
	union pfarg_msg msg;
	struct pollfd pfd;
	__u64 v1, v2;

	if (!me->ready)
		return;
	pfm_smpl_pmd(&pmd, 0, 10 * MSEC, PFM_REGFL_OVFL_NOTIFY);
	if (!self_ctx(_metadata, me, PFM_FL_OVFL_NO_MSG, 0, &pmd, 1))
		return;
	sigio_setup(_metadata, me->fd, true, false);
	ASSERT_EQ(0, pfm_start(me->fd, NULL));
	ASSERT_LE(0, burn_until(_metadata, me->fd, &sigio_count, 1, WAIT_CPU_NS)) {
		TH_LOG("no SIGIO after %llu ms of CPU time",
		       WAIT_CPU_NS / MSEC);
	}
	EXPECT_EQ(1, PFM_READ_ONCE(sigio_count));
	/* read() would block: nothing queued. */
	EXPECT_EQ(EAGAIN, pfm_test_errno(read(me->fd, &msg, sizeof(msg))));
	pfd.fd = me->fd;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	/* Masked all the same. */
	ASSERT_EQ(0, pfm_test_read_pmd(me->fd, 0, &v1));
	pfm_test_burn(20 * MSEC);
	ASSERT_EQ(0, pfm_test_read_pmd(me->fd, 0, &v2));
	EXPECT_EQ(v1, v2) {
		TH_LOG("PMD0 moved by %lld ns after the notification",
		       (long long)(v2 - v1));
	}
	EXPECT_EQ(1, PFM_READ_ONCE(sigio_count));
	/* And restartable, once. */
	ASSERT_EQ(0, pfm_restart(me->fd));
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_restart(me->fd)));
	ASSERT_LE(0, burn_until(_metadata, me->fd, &sigio_count, 2, WAIT_CPU_NS)) {
		TH_LOG("no second SIGIO after the restart");
	}
	EXPECT_EQ(2, PFM_READ_ONCE(sigio_count));
	EXPECT_EQ(EAGAIN, pfm_test_errno(read(me->fd, &msg, sizeof(msg))));
}

/*
 * PFM_REGFL_RANDOM: each reset subtracts (random & mask) from the reset
 * value, so every last_reset_val lies in [reset - mask, reset], and they
 * differ.
 */
#define RANDOM_PERIOD	(1 * MSEC)
#define RANDOM_MASK	0x3ffffULL	/* up to 262 us more */

TEST_F(sw, random_reset)
{
	struct smpl_self *me = &self->s;
	const __u64 reset = PFM_PERIOD(RANDOM_PERIOD);
	const struct pfm_dfl_smpl_entry *e;
	struct pfarg_pmd pmd, rd;
	long n, i, j, distinct = 0, bad = 0;
	const char *why;

	if (!me->ready)
		return;
	pfm_smpl_pmd(&pmd, 0, RANDOM_PERIOD, PFM_REGFL_RANDOM);
	pmd.reg_random_mask = RANDOM_MASK;
	if (!self_ctx(_metadata, me, 0, BIG_BUF, &pmd, 1))
		return;
	ASSERT_EQ(0, pfm_start(me->fd, NULL));
	pfm_test_burn(150 * MSEC);
	ASSERT_EQ(0, pfm_stop(me->fd));

	n = pfm_smpl_walk(me->buf, me->map_size, 0, NULL, 0, &why);
	ASSERT_LE(0, n) {
		TH_LOG("%s", why);
	}
	TH_LOG("%ld samples", n);
	EXPECT_LE(20, n);
	e = (const void *)((const char *)me->buf +
			   sizeof(struct pfm_dfl_smpl_hdr));
	for (i = 0; i < n; i++) {
		bad += entry_bad(_metadata, &e[i], i, me->cpu, 0,
				 reset - RANDOM_MASK, reset, bad < LOG_BAD);
		for (j = 0; j < i; j++)
			if (e[j].last_reset_val == e[i].last_reset_val)
				break;
		if (j == i)
			distinct++;
	}
	EXPECT_EQ(0, bad);
	/* 18 random bits: a repeat now and then, not more. */
	EXPECT_LE(n / 2, distinct) {
		TH_LOG("%ld distinct reset values in %ld samples", distinct,
		       n);
	}
	ASSERT_EQ(0, pfm_smpl_read_pmd(me->fd, 0, &rd));
	EXPECT_LE(reset - RANDOM_MASK, rd.reg_last_reset_val);
	EXPECT_GE(reset, rd.reg_last_reset_val);
	EXPECT_EQ(reset, rd.reg_short_reset);
}

/*
 * Buffer-full cycles. One page of buffer; each sample also records PMD1,
 * task-clock counting from 0 (never reset), so consecutive samples are at
 * least a period apart on it. Each cycle: the buffer is exactly full (the
 * last entry made it so), the header counts every entry present,
 * hdr_overflows counts the cycles, one message, and pfm_restart() rewinds.
 * With and without PFM_REGFL_OVFL_NOTIFY on PMD0: a full buffer notifies
 * either way.
 */
#define FULL_PERIOD	(1 * MSEC)

FIXTURE(full) {
	struct smpl_self s;
};

FIXTURE_VARIANT(full) {
	__u32	pmd_flags;
};

FIXTURE_VARIANT_ADD(full, notify) {
	.pmd_flags = PFM_REGFL_OVFL_NOTIFY,
};

FIXTURE_VARIANT_ADD(full, no_notify) {
	.pmd_flags = 0,
};

FIXTURE_SETUP(full)
{
	smpl_setup(_metadata, &self->s);
}

FIXTURE_TEARDOWN(full)
{
	smpl_teardown(&self->s);
}

TEST_F(full, restart_cycles)
{
	struct smpl_self *me = &self->s;
	const size_t esz = pfm_smpl_entry_size(1);
	const struct pfm_dfl_smpl_entry *e;
	struct pfm_dfl_smpl_hdr h;
	struct pfarg_pmd pmds[2];
	union pfarg_msg msg;
	__u64 sum_hdr = 0, prev = 0, v1, v2;
	long total = 0, n, i, cycle, bad = 0;
	bool first = true;
	const char *why;

	if (!me->ready)
		return;
	me->map_size = sysconf(_SC_PAGESIZE);
	me->fd = pfm_smpl_create(0, me->map_size);
	ASSERT_LE(0, me->fd) {
		TH_LOG("create: %s", strerror(errno));
	}
	ASSERT_EQ(0, pfm_test_write_pmc(me->fd, 0, TASK_CLOCK));
	ASSERT_EQ(0, pfm_test_write_pmc(me->fd, 1, TASK_CLOCK));
	pfm_smpl_pmd(&pmds[0], 0, FULL_PERIOD, variant->pmd_flags);
	pfm_bv_set(pmds[0].reg_smpl_pmds, 1);
	memset(&pmds[1], 0, sizeof(pmds[1]));
	pmds[1].reg_num = 1;
	ASSERT_EQ(0, pfm_write_pmds(me->fd, pmds, 2));
	ASSERT_EQ(0, pfm_test_load(me->fd, pfm_test_gettid()));
	me->buf = pfm_smpl_map(me->fd, me->map_size);
	ASSERT_NE(NULL, me->buf);
	ASSERT_EQ(0, fcntl(me->fd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, pfm_start(me->fd, NULL));

	for (cycle = 1; cycle <= NR_CYCLES; cycle++) {
		ASSERT_LE(0, burn_until(_metadata, me->fd, NULL, 0, WAIT_CPU_NS)) {
			TH_LOG("cycle %ld: no notification", cycle);
		}
		ASSERT_EQ(sizeof(msg), read(me->fd, &msg, sizeof(msg)));
		check_ovfl_msg(_metadata, &msg, me->cpu);
		EXPECT_EQ(EAGAIN,
			  pfm_test_errno(read(me->fd, &msg, sizeof(msg))));

		pfm_smpl_hdr(me->buf, &h);
		EXPECT_EQ((__u64)cycle, h.hdr_overflows);
		n = pfm_smpl_walk(me->buf, me->map_size, 1, NULL, 0, &why);
		ASSERT_LE(0, n) {
			TH_LOG("cycle %ld: %s (count %llu, cur_offs %llu)",
			       cycle, why, h.hdr_count, h.hdr_cur_offs);
		}
		ASSERT_LT(0, n);
		/* Full now, and not before the last entry. */
		EXPECT_GT(h.hdr_min_buf_space, h.hdr_buf_size - h.hdr_cur_offs);
		EXPECT_LE(h.hdr_min_buf_space,
			  h.hdr_buf_size - (h.hdr_cur_offs - esz)) {
			TH_LOG("cycle %ld: full before its last entry", cycle);
		}
		for (i = 0; i < n; i++) {
			e = pfm_smpl_entry(me->buf, 1, i);
			bad += entry_bad(_metadata, e, i, me->cpu, 0,
					 PFM_PERIOD(FULL_PERIOD),
					 PFM_PERIOD(FULL_PERIOD), bad < LOG_BAD);
			/* A whole period of PMD1 since the previous one. */
			if (!first) {
				EXPECT_LE(prev + FULL_PERIOD,
					  pfm_smpl_vals(e)[0]) {
					TH_LOG("cycle %ld entry %ld: PMD1 %llu, previous %llu",
					       cycle, i, pfm_smpl_vals(e)[0],
					       prev);
				}
			}
			first = false;
			prev = pfm_smpl_vals(e)[0];
		}
		total += n;
		sum_hdr += h.hdr_count;

		/* Masked: nothing moves until the restart. */
		ASSERT_EQ(0, pfm_test_read_pmd(me->fd, 1, &v1));
		EXPECT_LE(prev, v1);
		pfm_test_burn(3 * MSEC);
		ASSERT_EQ(0, pfm_test_read_pmd(me->fd, 1, &v2));
		EXPECT_EQ(v1, v2) {
			TH_LOG("cycle %ld: PMD1 moved by %llu ns while masked",
			       cycle, v2 - v1);
		}
		pfm_smpl_hdr(me->buf, &h);
		EXPECT_EQ((__u64)n, h.hdr_count);
		ASSERT_EQ(0, pfm_restart(me->fd));
		/* Rewound (one period may have gone by since). */
		pfm_smpl_hdr(me->buf, &h);
		EXPECT_GT((__u64)n, h.hdr_count);
		EXPECT_EQ(sizeof(h) + h.hdr_count * esz, h.hdr_cur_offs);
	}
	ASSERT_EQ(0, pfm_stop(me->fd));
	ASSERT_EQ(0, pfm_test_read_pmd(me->fd, 1, &v1));

	/* What the last, partial cycle recorded. */
	pfm_smpl_hdr(me->buf, &h);
	EXPECT_EQ(NR_CYCLES, h.hdr_overflows);
	n = pfm_smpl_walk(me->buf, me->map_size, 1, NULL, 0, &why);
	ASSERT_LE(0, n);
	for (i = 0; i < n; i++) {
		e = pfm_smpl_entry(me->buf, 1, i);
		EXPECT_LE(prev + FULL_PERIOD, pfm_smpl_vals(e)[0]);
		prev = pfm_smpl_vals(e)[0];
	}
	total += n;
	sum_hdr += h.hdr_count;
	EXPECT_EQ(0, bad);
	EXPECT_EQ(sum_hdr, (__u64)total);
	/* Every sample took a period of PMD1's count. */
	EXPECT_LE(total * FULL_PERIOD, v1);
	TH_LOG("%ld samples in %d cycles, %llu ns counted", total, NR_CYCLES,
	       v1);
	/* No notification pending: the last cycle was not full. */
	EXPECT_EQ(EAGAIN, pfm_test_errno(read(me->fd, &msg, sizeof(msg))));
}

/*
 * PFM_FL_NOTIFY_BLOCK: the monitored child sleeps after the notification
 * until pfm_restart(). Its progress shows in a counter in shared memory.
 */
#define BLOCK_PERIOD	(20 * MSEC)
#define BLOCK_LONG	(10000 * MSEC)

static unsigned long *progress;

static int child_progress(struct pfm_child *c, void *arg)
{
	while (!pfm_child_told(c)) {
		pfm_test_burn(MSEC / 5);
		__atomic_add_fetch(progress, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static unsigned long get_progress(void)
{
	return __atomic_load_n(progress, __ATOMIC_RELAXED);
}

/* State letter of process @pid from /proc/pid/stat, or '?'. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (pfm_test_read_attr(path, buf, sizeof(buf)) <= 0)
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

FIXTURE(block) {
	struct pfm_child c;
	int	fd;
	bool	ready;
};

FIXTURE_SETUP(block)
{
	self->c.pid = -1;
	self->c.to_child = -1;
	self->c.from_child = -1;
	self->fd = -1;
	self->ready = pfm_test_require_swpmu(_metadata);
	if (!self->ready)
		return;
	progress = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, progress);
	PFM_WRITE_ONCE(*progress, 0);
}

FIXTURE_TEARDOWN(block)
{
	if (self->fd >= 0)
		close(self->fd);
	pfm_child_kill(&self->c);
}

TEST_F(block, notify_block_child)
{
	struct pfarg_pmd pmd;
	union pfarg_msg msg;
	unsigned long c1, c2, c3;
	int ms;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pfm_child_fork(&self->c, child_progress, NULL));
	self->fd = pfm_test_create(PFM_FL_NOTIFY_BLOCK);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_test_write_pmc(self->fd, 0, TASK_CLOCK));
	pfm_smpl_pmd(&pmd, 0, BLOCK_PERIOD, PFM_REGFL_OVFL_NOTIFY);
	pmd.reg_long_reset = PFM_PERIOD(BLOCK_LONG);
	ASSERT_EQ(0, pfm_write_pmds(self->fd, &pmd, 1));
	ASSERT_EQ(0, pfm_test_load(self->fd, self->c.pid)) {
		TH_LOG("load on child %d: %s", self->c.pid, strerror(errno));
	}
	ASSERT_EQ(0, pfm_start(self->fd, NULL));
	ASSERT_EQ(0, pfm_child_cont(&self->c));

	ASSERT_EQ(1, pfm_smpl_wait_msg(self->fd, WAIT_MS)) {
		TH_LOG("no notification within %d ms (progress %lu)", WAIT_MS,
		       get_progress());
	}
	ASSERT_EQ(sizeof(msg), read(self->fd, &msg, sizeof(msg)));
	ASSERT_EQ(PFM_MSG_OVFL, msg.type);
	EXPECT_EQ(self->c.pid, (pid_t)msg.pfm_ovfl_msg.msg_ovfl_pid);
	EXPECT_EQ(self->c.pid, (pid_t)msg.pfm_ovfl_msg.msg_ovfl_tid);
	EXPECT_EQ(1, msg.pfm_ovfl_msg.msg_ovfl_pmds[0]);

	/* Blocked: no progress at all. */
	pfm_test_sleep_ns(50 * MSEC);
	c1 = get_progress();
	pfm_test_sleep_ns(200 * MSEC);
	c2 = get_progress();
	EXPECT_EQ(c1, c2) {
		TH_LOG("the child went on after the notification: %lu -> %lu",
		       c1, c2);
	}
	EXPECT_EQ('S', proc_state(self->c.pid));

	/* Restarted: it runs again (a long period now, no new block). */
	ASSERT_EQ(0, pfm_restart(self->fd));
	EXPECT_EQ(EBUSY, pfm_test_errno(pfm_restart(self->fd)));
	for (ms = 0; ms < WAIT_MS; ms += 10) {
		c3 = get_progress();
		if (c3 > c2 + 10)
			break;
		pfm_test_sleep_ns(10 * MSEC);
	}
	EXPECT_LT(c2 + 10, c3) {
		TH_LOG("no progress %d ms after the restart (%lu -> %lu)",
		       WAIT_MS, c2, c3);
	}
	ASSERT_EQ(0, pfm_child_tell(&self->c, 'x'));
	EXPECT_EQ(0, pfm_child_wait_exit(&self->c));
}

TEST_HARNESS_MAIN
