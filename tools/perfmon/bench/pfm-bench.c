// SPDX-License-Identifier: GPL-2.0
/*
 * pfm-bench - perfmon against perf_events, micro-benchmarks
 *
 * pfm-bench [-n READS] [-s ROUNDTRIPS] [BENCH...]
 * pfm-bench [-n READS] [-s ROUNDTRIPS] -l LOOP
 *
 * Run by `make bench` in a guest whose time counts instructions (QEMU
 * -icount shift=0, one vCPU), so every number is exact and repeatable.
 * Each benchmark prints one line
 *
 *   bench <name> perfmon=<x> perf=<y> ratio=<x/y> unit=<unit> regs=<n>
 *
 * where regs is the number of PMU register accesses perfmon made per
 * operation (/sys/kernel/debug/perfmon/pmu_reg_accesses), and '#' lines
 * with the raw numbers. The benchmarks:
 *
 *   read_4	one pfm_read_pmds() of 4 counters against one read() of a
 *		4-event perf group (PERF_FORMAT_GROUP), self-monitoring, the
 *		four events started; getppid() is the floor
 *   ctxsw_4	extra cost per context switch of a pipe ping-pong between
 *		two threads of one CPU, each monitoring itself with 4
 *		counters, against the same with a 4-event perf group per
 *		thread; both relative to the unmonitored ping-pong
 *   ctxsw_lazy	the same with one thread monitored and the other not: a
 *		lazy switch only stops and restarts the counters
 *   sample_cost	(PMUv3 only) kernel cost per sample: a user-level asm loop
 *		of SMPL_LOOP_ITERS * SMPL_LOOP_INSNS instructions, sampled
 *		every SMPL_PERIOD user cycles of the cycle counter (PMC0 =
 *		user only, PMD0 = -P with short and long reset -P, the
 *		default format with a 1 MiB buffer mapped read-only) against
 *		perf record's way (PERF_TYPE_HARDWARE CPU_CYCLES, user only,
 *		sample_period P, IP|TID|TIME|CPU, a 1 MiB ring buffer), each
 *		the slowdown of the loop over its unmonitored run divided by
 *		the samples taken; with it the lost-samples check: the loop's
 *		instructions / P samples expected, hdr_count recorded, no
 *		buffer overflow, and perf's PERF_RECORD_LOST count
 *   set_switch	(PMUv3 only) kernel cost per event set switch: a 50 M
 *		instruction user loop, self-monitored with 2 sets of 4
 *		counters switching every 250 us against 1 set, the extra
 *		time per switch; against perf's cost per rotation: the loop
 *		with 8 raw events (one more than the counters, so perf
 *		multiplexes) against 7, perf_event_mux_interval_ms set to 1
 *		for the run, the extra time per rotation (elapsed /
 *		interval rotations, perf does not count them)
 *   mux_error_steady	(PMUv3 only) multiplexing error: 8 user-level
 *		events (INST_RETIRED and CPU_CYCLES, equal under -icount) over
 *		a 100 M instruction loop, by perfmon in 2 sets of 4 switching
 *		every 1 ms and by perf with 8 events on 7 counters at its
 *		default interval; each count scaled (set durations, or
 *		time_enabled / time_running), the largest relative error
 *		against the exact count of one set, in percent
 *   mux_error_phased	(PMUv3 only) the same for a loop followed by
 *		getppid() calls (user instructions quick, then rare), in
 *		three proportions of 60 ms: the mean of the largest errors,
 *		with its target: perfmon's no worse than perf's
 *
 * The counters depend on the active PMU description
 * (/sys/kernel/perfmon/pmu_desc/model):
 *
 *   perfmon software PMU: PMC0..3/PMD0..3 count cpu-clock, task-clock,
 *	context-switches and cpu-migrations; perf gets the same four
 *	software events. Lines read_4, ctxsw_4, ctxsw_lazy (the default).
 *   ARMv8 PMUv3: PMC1..4 (PMEVTYPER0..3) and PMD1..4 (PMEVCNTR0..3) count
 *	CPU_CYCLES, INST_RETIRED, CPU_CYCLES, INST_RETIRED at user level
 *	only (P bit); perf gets the same four events as PERF_TYPE_RAW
 *	hardware events with exclude_kernel and exclude_hv. INST_RETIRED
 *	becomes CPU_CYCLES where the PMU does not advertise it (QEMU without
 *	-icount). Lines read_4_pmuv3, ctxsw_4_pmuv3, sample_cost_pmuv3,
 *	set_switch_pmuv3, mux_error_steady_pmuv3, mux_error_phased_pmuv3
 *	(the default) and ctxsw_lazy_pmuv3 (when named).
 *
 * On a hardware PMU, perfmon and perf never hold it at the same time: the
 * PMU resource manager refuses the second one (EBUSY). Each side is
 * measured alone, one after the other; an open or load refused with EBUSY
 * (the other side's release still in flight) is retried after a pause.
 * The names given on the command line are the base names (read_4, not
 * read_4_pmuv3; the _pmuv3 suffix is accepted and ignored).
 *
 * -l runs one timed loop alone (getppid, pfm_read, perf_read, pp_<a>_<b>
 * with a and b among none, pfm, perf: a ping-pong between a thread
 * monitored by a and one monitored by b, or sample_<a>: sample_cost's
 * workload of READS iterations sampled by a), so that an instruction
 * profile of the whole guest, minus that of a run with a count of 0, is
 * the profile of the loop.
 *
 * Exit status: 0 when every benchmark ran (targets missed included).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <linux/perfmon_dfl_smpl.h>

#include "pfmlib_sys.h"

#define BIT_ULL(n)	(1ULL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* printf's %llu and %lld on every ABI */
typedef unsigned long long u64;
typedef long long s64;

/* Software PMU of perfmon: PMC value = event | USR | EN. */
#define PFM_SW_USR	BIT_ULL(16)
#define PFM_SW_EN	BIT_ULL(22)
#define PFM_SW_MODEL	"perfmon software PMU"

/* ARMv8 PMUv3: PMEVTYPER value = event | P (do not count at EL1). */
#define PMUV3_P			BIT_ULL(31)
#define PMUV3_INST_RETIRED	0x08
#define PMUV3_CPU_CYCLES	0x11
#define PMUV3_MODEL		"ARMv8 PMUv3"

#define NR_EVENTS	4

/* Tries of an open or load refused with EBUSY, one settle() apart. */
#define BUSY_TRIES	5

#define REG_ACCESSES	"/sys/kernel/debug/perfmon/pmu_reg_accesses"
#define PERF_MAX_RATE	"/proc/sys/kernel/perf_event_max_sample_rate"

/* Defaults: enough calls that the loop and the clock reads vanish. */
#define DFL_READS	100000
#define DFL_ROUNDTRIPS	20000
#define WARMUP_DIV	20

/*
 * Quiet time before each measurement. perf turns its scheduler hooks off
 * one second (HZ) after the last per-thread event is closed; without the
 * pause the next run pays for them. Under -icount sleep=off an idle guest
 * skips to its next timer at once, so this costs no host time there.
 */
#define SETTLE_NS	1500000000L

/**
 * struct bench_event - one of the four counters
 * @name: for the '#' lines
 * @pfm_pmc: perfmon PMC value
 * @perf_config: perf_event_attr.config
 */
struct bench_event {
	const char	*name;
	u64		pfm_pmc;
	u64		perf_config;
};

/**
 * struct bench_pmu - what the benchmarks count with, from the active PMU
 * @model: the PMU description's model string
 * @suffix: appended to the benchmark names in the output
 * @hw: a hardware PMU (perfmon and perf exclude each other)
 * @reg_base: first PMC and PMD (the PMUv3's PMC0/PMD0 is the cycle counter)
 * @perf_type: perf_event_attr.type of the perf events
 * @csw_event: index of the context-switch event, -1 if none
 * @events: the four events, in PMC/PMD order for perfmon and group order
 *	for perf
 */
static struct bench_pmu {
	char			model[128];
	const char		*suffix;
	bool			hw;
	unsigned int		reg_base;
	__u32			perf_type;
	int			csw_event;
	struct bench_event	events[NR_EVENTS];
} pmu;

static const struct bench_event sw_events[NR_EVENTS] = {
	{ "cpu-clock",		0 | PFM_SW_USR | PFM_SW_EN,
	  PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock",		1 | PFM_SW_USR | PFM_SW_EN,
	  PERF_COUNT_SW_TASK_CLOCK },
	{ "context-switches",	2 | PFM_SW_USR | PFM_SW_EN,
	  PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations",	3 | PFM_SW_USR | PFM_SW_EN,
	  PERF_COUNT_SW_CPU_MIGRATIONS },
};

static const struct bench_event pmuv3_events[NR_EVENTS] = {
	{ "cpu_cycles",		PMUV3_CPU_CYCLES | PMUV3_P,
	  PMUV3_CPU_CYCLES },
	{ "inst_retired",	PMUV3_INST_RETIRED | PMUV3_P,
	  PMUV3_INST_RETIRED },
	{ "cpu_cycles",		PMUV3_CPU_CYCLES | PMUV3_P,
	  PMUV3_CPU_CYCLES },
	{ "inst_retired",	PMUV3_INST_RETIRED | PMUV3_P,
	  PMUV3_INST_RETIRED },
};

enum mon_kind {
	MON_NONE,
	MON_PFM,
	MON_PERF,
};

static const char * const mon_names[] = {
	[MON_NONE]	= "none",
	[MON_PFM]	= "perfmon",
	[MON_PERF]	= "perf",
};

/**
 * struct mon - the self-monitoring of one thread
 * @kind: what monitors it
 * @fd: the perfmon context, or the perf group leader
 * @members: the other perf events of the group
 * @pmds: perfmon read vector
 */
struct mon {
	enum mon_kind		kind;
	int			fd;
	int			members[NR_EVENTS - 1];
	struct pfarg_pmd	pmds[NR_EVENTS];
};

static void fail(const char *what)
{
	printf("# pfm-bench: error: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(EXIT_FAILURE);
}

static u64 now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		fail("clock_gettime");
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The number at the start of file @path, or -1 if unreadable. */
static s64 read_number(const char *path)
{
	unsigned long long v;
	FILE *f;
	int ok;

	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	return ok ? (s64)v : -1;
}

/* PMU register accesses made by perfmon since boot, or -1 if unknown. */
static s64 reg_accesses(void)
{
	return read_number(REG_ACCESSES);
}

static void settle(void)
{
	struct timespec ts = {
		.tv_sec = SETTLE_NS / 1000000000L,
		.tv_nsec = SETTLE_NS % 1000000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

/*
 * Whether to try a call refused with errno again: EBUSY from the PMU
 * resource manager while the other side's release is still in flight.
 */
static bool busy_retry(const char *what, int try)
{
	char owner[32] = "?";
	size_t n;
	FILE *f;

	if (errno != EBUSY || try + 1 >= BUSY_TRIES)
		return false;
	f = fopen(PFM_SYSFS_DIR "/pmu_owner", "re");
	if (f) {
		if (fgets(owner, sizeof(owner), f)) {
			n = strcspn(owner, "\n");
			owner[n] = '\0';
		}
		fclose(f);
	}
	printf("# pfm-bench: %s: EBUSY (PMU owner %s), try %d of %d after a pause\n",
	       what, owner, try + 2, BUSY_TRIES);
	settle();
	return true;
}

/* Monitor the calling thread with the four events, started. */
static void mon_pfm_open(struct mon *m)
{
	struct pfarg_pmc pmcs[NR_EVENTS];
	struct pfarg_load load;
	struct pfarg_ctx ctx;
	unsigned int i;
	int try;

	memset(&ctx, 0, sizeof(ctx));
	memset(&load, 0, sizeof(load));
	memset(pmcs, 0, sizeof(pmcs));
	memset(m->pmds, 0, sizeof(m->pmds));
	for (i = 0; i < NR_EVENTS; i++) {
		pmcs[i].reg_num = pmu.reg_base + i;
		pmcs[i].reg_value = pmu.events[i].pfm_pmc;
		m->pmds[i].reg_num = pmu.reg_base + i;
	}
	m->fd = pfm_create_context(&ctx, NULL, NULL, 0);
	if (m->fd < 0)
		fail("pfm_create_context");
	if (pfm_write_pmcs(m->fd, pmcs, NR_EVENTS))
		fail("pfm_write_pmcs");
	if (pfm_write_pmds(m->fd, m->pmds, NR_EVENTS))
		fail("pfm_write_pmds");
	load.load_pid = gettid_();
	for (try = 0; pfm_load_context(m->fd, &load); try++)
		if (!busy_retry("pfm_load_context", try))
			fail("pfm_load_context");
	if (pfm_start(m->fd, NULL))
		fail("pfm_start");
}

static int perf_open(u64 config, int group_fd)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = pmu.perf_type;
	attr.config = config;
	attr.read_format = PERF_FORMAT_GROUP;
	/* as perfmon's P bit (and NSH = !P): user level only */
	attr.exclude_kernel = pmu.hw;
	attr.exclude_hv = pmu.hw;
	/* this thread, any CPU; enabled at once */
	return syscall(SYS_perf_event_open, &attr, 0, -1, group_fd, 0);
}

static void mon_perf_open(struct mon *m)
{
	unsigned int i;
	int try;

	for (try = 0; (m->fd = perf_open(pmu.events[0].perf_config, -1)) < 0; try++)
		if (!busy_retry("perf_event_open", try))
			fail("perf_event_open (leader)");
	for (i = 1; i < NR_EVENTS; i++) {
		m->members[i - 1] = perf_open(pmu.events[i].perf_config, m->fd);
		if (m->members[i - 1] < 0)
			fail("perf_event_open (member)");
	}
}

static void mon_open(struct mon *m, enum mon_kind kind)
{
	m->kind = kind;
	m->fd = -1;
	if (kind == MON_PFM)
		mon_pfm_open(m);
	else if (kind == MON_PERF)
		mon_perf_open(m);
}

/* One read of the four counters, the operation read_4 measures. */
static inline void mon_read(struct mon *m, u64 *vals)
{
	u64 buf[1 + NR_EVENTS];
	unsigned int i;

	if (m->kind == MON_PFM) {
		if (pfm_read_pmds(m->fd, m->pmds, NR_EVENTS))
			fail("pfm_read_pmds");
		if (vals)
			for (i = 0; i < NR_EVENTS; i++)
				vals[i] = m->pmds[i].reg_value;
	} else if (m->kind == MON_PERF) {
		if (read(m->fd, buf, sizeof(buf)) != sizeof(buf))
			fail("read (perf group)");
		if (vals)
			memcpy(vals, &buf[1], NR_EVENTS * sizeof(*vals));
	} else if (vals) {
		memset(vals, 0, NR_EVENTS * sizeof(*vals));
	}
}

static void mon_close(struct mon *m)
{
	unsigned int i;

	if (m->kind == MON_PERF)
		for (i = 0; i < NR_EVENTS - 1; i++)
			close(m->members[i]);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

static void print_counts(const char *bench, const char *who,
			 const u64 *vals)
{
	printf("# %s %s counts:", bench, who);
	for (unsigned int i = 0; i < NR_EVENTS; i++)
		printf(" %s=%llu", pmu.events[i].name, vals[i]);
	printf("\n");
}

static double ratio(double x, double y)
{
	return y > 0 ? x / y : 0;
}

static void print_bench(const char *name, double pfm, double perf,
			const char *unit, double regs)
{
	printf("bench %s perfmon=%.1f perf=%.1f ratio=%.3f unit=%s regs=%.2f\n",
	       name, pfm, perf, ratio(pfm, perf), unit, regs);
}

static void print_target(const char *name, const char *what, double val,
			 double target)
{
	/* judged on the value printed: 2.00005 regs is 2.000 */
	bool met = llround(val * 1000) <= llround(target * 1000);

	printf("# %s target %s <= %.2f: %.3f, %s\n", name, what, target, val,
	       met ? "met" : "MISSED");
}

/* The name of benchmark @base on the active PMU, in a static buffer. */
static const char *bench_name(const char *base)
{
	static char buf[4][64];
	static unsigned int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s%s", base, pmu.suffix);
	return b;
}

/* --- read_4 --------------------------------------------------------------- */

static double time_getppid(const char *name, long n)
{
	u64 t0, t1;
	long i;

	settle();
	for (i = 0; i < n / WARMUP_DIV; i++)
		syscall(SYS_getppid);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = now_ns();
	printf("# %s raw getppid: calls=%ld ns=%llu\n", name, n, t1 - t0);
	return n ? (double)(t1 - t0) / n : 0;
}

/* ns per read; *regs gets the register accesses per read. */
static double time_reads(const char *name, enum mon_kind kind, long n,
			 double *regs)
{
	u64 vals[NR_EVENTS], t0, t1;
	s64 r0, r1;
	struct mon m;
	long i;

	settle();
	mon_open(&m, kind);
	for (i = 0; i < n / WARMUP_DIV; i++)
		mon_read(&m, NULL);
	r0 = reg_accesses();
	t0 = now_ns();
	for (i = 0; i < n; i++)
		mon_read(&m, NULL);
	t1 = now_ns();
	r1 = reg_accesses();
	mon_read(&m, vals);
	mon_close(&m);
	*regs = r0 >= 0 && r1 >= 0 && n ? (double)(r1 - r0) / n : -1;
	printf("# %s raw %s: calls=%ld ns=%llu regs=%lld\n",
	       name, mon_names[kind], n, t1 - t0, r1 - r0);
	print_counts(name, mon_names[kind], vals);
	return n ? (double)(t1 - t0) / n : 0;
}

static void bench_read_4(long n)
{
	double floor, pfm, perf, regs, perf_regs;
	const char *name = bench_name("read_4");

	floor = time_getppid(name, n);
	pfm = time_reads(name, MON_PFM, n, &regs);
	perf = time_reads(name, MON_PERF, n, &perf_regs);
	print_bench(name, pfm, perf, "ns/call", regs);
	printf("# %s floor getppid=%.1f ns/call: perfmon=%.2fx perf=%.2fx\n",
	       name, floor, ratio(pfm, floor), ratio(perf, floor));
	/* the P2 targets are the software PMU's */
	if (pmu.hw)
		return;
	print_target(name, "ratio", ratio(pfm, perf), 0.7);
	print_target(name, "perfmon/getppid", ratio(pfm, floor), 1.5);
}

/* --- context switches -------------------------------------------------------- */

/**
 * struct pp_side - one thread of the pipe ping-pong
 * @kind: how it monitors itself
 * @rd: pipe end it waits on
 * @wr: pipe end it wakes the other thread with
 * @leader: it sends the pings and times the round trips
 * @warm: untimed round trips first
 * @n: timed round trips
 * @ns: (leader) time of the @n round trips
 * @regs: (leader) PMU register accesses during them, -1 if unknown
 * @csw: switches away from this thread during them
 * @counts: its counters at the end
 */
struct pp_side {
	enum mon_kind	kind;
	int		rd;
	int		wr;
	bool		leader;
	long		warm;
	long		n;
	u64	ns;
	s64		regs;
	long		csw;
	u64	counts[NR_EVENTS];
};

static long switches_out(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		fail("getrusage");
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void pp_xfer(int rd_or_wr, bool write_it, char *c)
{
	ssize_t ret;

	do {
		ret = write_it ? write(rd_or_wr, c, 1) : read(rd_or_wr, c, 1);
	} while (ret < 0 && errno == EINTR);
	if (ret != 1)
		fail("pipe");
}

static void pp_leader(struct pp_side *s)
{
	u64 t0, t1;
	s64 r0, r1;
	long i, c0;
	char c = 'p';

	for (i = 0; i < s->warm; i++) {
		pp_xfer(s->wr, true, &c);
		pp_xfer(s->rd, false, &c);
	}
	c0 = switches_out();
	r0 = reg_accesses();
	t0 = now_ns();
	for (i = 0; i < s->n; i++) {
		pp_xfer(s->wr, true, &c);
		pp_xfer(s->rd, false, &c);
	}
	t1 = now_ns();
	r1 = reg_accesses();
	s->csw = switches_out() - c0;
	s->ns = t1 - t0;
	s->regs = r0 >= 0 && r1 >= 0 ? r1 - r0 : -1;
	c = 'q';
	pp_xfer(s->wr, true, &c);
}

static void pp_follower(struct pp_side *s)
{
	long i, c0 = 0;
	char c;

	for (i = 0;; i++) {
		if (i == s->warm)
			c0 = switches_out();
		pp_xfer(s->rd, false, &c);
		if (c == 'q')
			break;
		pp_xfer(s->wr, true, &c);
	}
	s->csw = switches_out() - c0;
}

static void *pp_thread(void *arg)
{
	struct pp_side *s = arg;
	struct mon m;

	mon_open(&m, s->kind);
	if (s->leader)
		pp_leader(s);
	else
		pp_follower(s);
	mon_read(&m, s->counts);
	mon_close(&m);
	return NULL;
}

/**
 * struct pp_result - one ping-pong run
 * @ns: time of the timed round trips
 * @switches: context switches during them, both threads
 * @regs: PMU register accesses during them, -1 if unknown
 */
struct pp_result {
	u64	ns;
	long		switches;
	s64		regs;
};

static struct pp_result pingpong(const char *bench, enum mon_kind a,
				 enum mon_kind b, long n)
{
	struct pp_side sides[2];
	struct pp_result res;
	pthread_t tids[2];
	int ab[2], ba[2];
	unsigned int i;
	char who[32];

	settle();
	if (pipe(ab) || pipe(ba))
		fail("pipe");
	memset(sides, 0, sizeof(sides));
	sides[0] = (struct pp_side){ .kind = a, .rd = ba[0], .wr = ab[1],
				     .leader = true };
	sides[1] = (struct pp_side){ .kind = b, .rd = ab[0], .wr = ba[1] };
	for (i = 0; i < 2; i++) {
		sides[i].warm = n / WARMUP_DIV;
		sides[i].n = n;
		errno = pthread_create(&tids[i], NULL, pp_thread, &sides[i]);
		if (errno)
			fail("pthread_create");
	}
	for (i = 0; i < 2; i++)
		pthread_join(tids[i], NULL);
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);

	res.ns = sides[0].ns;
	res.switches = sides[0].csw + sides[1].csw;
	res.regs = sides[0].regs;
	printf("# %s raw %s+%s: roundtrips=%ld switches=%ld (%ld+%ld) ns=%llu regs=%lld\n",
	       bench, mon_names[a], mon_names[b], n, res.switches,
	       sides[0].csw, sides[1].csw, res.ns, res.regs);
	for (i = 0; i < 2; i++) {
		if (sides[i].kind == MON_NONE)
			continue;
		snprintf(who, sizeof(who), "%s thread %c", mon_names[sides[i].kind],
			 'A' + i);
		print_counts(bench, who, sides[i].counts);
		/* the thread was switched out csw times while timed, plus the warm-up */
		if (pmu.csw_event >= 0 &&
		    sides[i].counts[pmu.csw_event] < (u64)sides[i].csw)
			printf("# %s WARNING: %s counted %llu switches, getrusage %ld\n",
			       bench, who, sides[i].counts[pmu.csw_event],
			       sides[i].csw);
	}
	return res;
}

/* Extra ns per switch of a monitored run over the unmonitored one. */
static double extra_per_switch(const struct pp_result *r,
			       const struct pp_result *none)
{
	return ((double)r->ns - (double)none->ns) / none->switches;
}

/* Returns the perfmon/perf ratio; *regs gets the accesses per switch. */
static double bench_ctxsw(const char *name, enum mon_kind follower_pfm,
			  enum mon_kind follower_perf,
			  const struct pp_result *none, long n, double *regs)
{
	struct pp_result pfm, perf;
	double x, y;

	pfm = pingpong(name, MON_PFM, follower_pfm, n);
	perf = pingpong(name, MON_PERF, follower_perf, n);
	*regs = pfm.regs >= 0 && pfm.switches ?
		(double)pfm.regs / pfm.switches : -1;
	x = extra_per_switch(&pfm, none);
	y = extra_per_switch(&perf, none);
	print_bench(name, x, y, "ns/switch", *regs);
	printf("# %s per switch: none=%.1f perfmon=%.1f perf=%.1f ns; regs per switch pair=%.2f\n",
	       name, (double)none->ns / none->switches,
	       (double)pfm.ns / pfm.switches, (double)perf.ns / perf.switches,
	       2 * *regs);
	/* a few switches more or less are the scheduler's business */
	if (labs(pfm.switches - none->switches) * 100 > none->switches ||
	    labs(perf.switches - none->switches) * 100 > none->switches)
		printf("# %s note: switches differ: none=%ld perfmon=%ld perf=%ld\n",
		       name, none->switches, pfm.switches, perf.switches);
	return ratio(x, y);
}

/* --- sample_cost ------------------------------------------------------------- */

/*
 * The workload: an asm loop of SMPL_LOOP_INSNS instructions an iteration,
 * SMPL_LOOP_ITERS iterations (20,000,000 instructions), plus
 * SMPL_LOOP_EXTRA around it. Sampled every SMPL_PERIOD user cycles, which
 * are instructions in exact mode, into a SMPL_BUF_SIZE buffer.
 */
#define SMPL_LOOP_INSNS		4
#define SMPL_LOOP_EXTRA		3
#define SMPL_LOOP_ITERS		5000000UL
#define SMPL_PERIOD		10000ULL
#define SMPL_BUF_SIZE		(1024UL * 1024)
/* lost = expected - recorded may be off by one: the code around the loop */
#define SMPL_LOST_TOLERANCE	1

/* Address range of the loop: the IPs a sample of it may have. */
static unsigned long smpl_loop_begin, smpl_loop_end;

#ifdef __aarch64__
/*
 * Run the loop @n times (n > 0). @begin gets the address of its first
 * instruction, @end that of the instruction after it, where an overflow on
 * the last iteration's branch is taken. Local labels: inlining is fine.
 */
static inline void smpl_loop(unsigned long n, unsigned long *begin,
			     unsigned long *end)
{
	unsigned long b, e;

	__asm__ __volatile__("adr	%[b], 1f\n\t"
		"adr	%[e], 2f\n\t"
		"mov	x9, %[n]\n"
		"1:\n\t"
		"add	x10, x10, #1\n\t"
		"eor	x11, x11, x10\n\t"
		"subs	x9, x9, #1\n\t"
		"b.ne	1b\n"
		"2:\n\t"
		: [b] "=&r" (b), [e] "=&r" (e)
		: [n] "r" (n)
		: "x9", "x10", "x11", "cc");
	*begin = b;
	*end = e;
}
#else
/* Never timed: sample_cost runs on the PMUv3 only. */
static inline void smpl_loop(unsigned long n, unsigned long *begin,
			     unsigned long *end)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		__asm__ __volatile__("" : : : "memory");
	*begin = 0;
	*end = 0;
}
#endif

static bool smpl_in_loop(u64 ip)
{
	return ip >= smpl_loop_begin && ip <= smpl_loop_end;
}

/* The timed region: the loop alone, @iters iterations (none if 0). */
static u64 smpl_workload(unsigned long iters)
{
	u64 t0, t1;

	t0 = now_ns();
	if (iters)
		smpl_loop(iters, &smpl_loop_begin, &smpl_loop_end);
	t1 = now_ns();
	return t1 - t0;
}

/**
 * struct smpl_run - one run of the workload
 * @ns: time of the loop
 * @samples: samples recorded (perfmon hdr_count, perf PERF_RECORD_SAMPLE)
 * @in_loop: those with the IP in the loop
 * @bad: those with a wrong pid, tid or CPU
 * @overflows: perfmon hdr_overflows (the buffer became full)
 * @lost: perf's PERF_RECORD_LOST sum
 * @throttled: perf's PERF_RECORD_THROTTLE records
 * @other: perf's other records
 * @regs: perfmon's PMU register accesses from start to stop, -1 if unknown
 */
struct smpl_run {
	u64	ns;
	u64	samples;
	u64	in_loop;
	u64	bad;
	u64	overflows;
	u64	lost;
	u64	throttled;
	u64	other;
	s64	regs;
};

/* The PMD value and reset values for a sampling period of @p. */
static u64 smpl_period_val(u64 p)
{
	return (u64)0 - p;
}

static void smpl_pfm(struct smpl_run *r, unsigned long iters)
{
	char fmt_name[] = PFM_DFL_SMPL_NAME;
	const struct pfm_dfl_smpl_entry *e;
	const struct pfm_dfl_smpl_hdr *hdr;
	struct pfm_dfl_smpl_arg arg;
	struct pfarg_load load;
	struct pfarg_ctx ctx;
	struct pfarg_pmc pmc;
	struct pfarg_pmd pmd;
	s64 r0, r1;
	void *buf;
	u64 i;
	int fd, try;

	memset(r, 0, sizeof(*r));
	memset(&arg, 0, sizeof(arg));
	memset(&ctx, 0, sizeof(ctx));
	memset(&load, 0, sizeof(load));
	memset(&pmc, 0, sizeof(pmc));
	memset(&pmd, 0, sizeof(pmd));
	arg.buf_size = SMPL_BUF_SIZE;
	/* PMC0/PMD0: the cycle counter, user level only */
	pmc.reg_num = 0;
	pmc.reg_value = PMUV3_P;
	pmd.reg_num = 0;
	pmd.reg_value = smpl_period_val(SMPL_PERIOD);
	pmd.reg_short_reset = pmd.reg_value;
	pmd.reg_long_reset = pmd.reg_value;

	settle();
	fd = pfm_create_context(&ctx, fmt_name, &arg, sizeof(arg));
	if (fd < 0)
		fail("pfm_create_context (default format)");
	if (pfm_write_pmcs(fd, &pmc, 1))
		fail("pfm_write_pmcs (PMC0)");
	if (pfm_write_pmds(fd, &pmd, 1))
		fail("pfm_write_pmds (PMD0)");
	load.load_pid = gettid_();
	for (try = 0; pfm_load_context(fd, &load); try++)
		if (!busy_retry("pfm_load_context", try))
			fail("pfm_load_context");
	buf = mmap(NULL, SMPL_BUF_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED)
		fail("mmap (sampling buffer)");
	r0 = reg_accesses();
	if (pfm_start(fd, NULL))
		fail("pfm_start");
	r->ns = smpl_workload(iters);
	if (pfm_stop(fd))
		fail("pfm_stop");
	r1 = reg_accesses();
	r->regs = r0 >= 0 && r1 >= 0 ? r1 - r0 : -1;

	/* stopped: the kernel no longer writes the buffer */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	hdr = buf;
	r->samples = hdr->hdr_count;
	r->overflows = hdr->hdr_overflows;
	if (hdr->hdr_cur_offs != sizeof(*hdr) + r->samples * sizeof(*e) ||
	    hdr->hdr_cur_offs > SMPL_BUF_SIZE) {
		printf("# pfm-bench: bad buffer: hdr_count=%llu hdr_cur_offs=%llu entry=%zu\n",
		       (u64)hdr->hdr_count, (u64)hdr->hdr_cur_offs, sizeof(*e));
		r->bad = r->samples;
	} else {
		e = (const void *)(hdr + 1);
		for (i = 0; i < r->samples; i++, e++) {
			r->in_loop += smpl_in_loop(e->ip);
			r->bad += (pid_t)e->pid != gettid_() ||
				  (pid_t)e->tgid != getpid() ||
				  e->ovfl_pmd != 0 || e->cpu != 0;
		}
	}
	munmap(buf, SMPL_BUF_SIZE);
	close(fd);
}

/* A PERF_RECORD_SAMPLE of sample_type IP | TID | TIME | CPU. */
struct perf_sample {
	struct perf_event_header	header;
	__u64				ip;
	__u32				pid;
	__u32				tid;
	__u64				time;
	__u32				cpu;
	__u32				res;
};

/* A PERF_RECORD_LOST. */
struct perf_lost {
	struct perf_event_header	header;
	__u64				id;
	__u64				lost;
};

/* Copy the record at @offs of the ring (@data, @size bytes) to @rec. */
static void perf_ring_copy(const char *data, u64 size, u64 offs, void *rec,
			   size_t len)
{
	u64 at = offs & (size - 1);
	size_t first = len;

	if (at + first > size)
		first = size - at;
	memcpy(rec, data + at, first);
	memcpy((char *)rec + first, data, len - first);
}

/* Count the records of the ring (not written any more: event disabled). */
static void perf_ring_walk(struct perf_event_mmap_page *mp, u64 size,
			   struct smpl_run *r)
{
	const char *data = (const char *)mp + mp->data_offset;
	u64 head, offs;
	union {
		struct perf_event_header	h;
		struct perf_sample		s;
		struct perf_lost		l;
	} rec;

	head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
	for (offs = mp->data_tail; offs < head; offs += rec.h.size) {
		perf_ring_copy(data, size, offs, &rec.h, sizeof(rec.h));
		if (rec.h.size < sizeof(rec.h)) {
			printf("# pfm-bench: perf ring: record of %u bytes at %llu\n",
			       rec.h.size, offs);
			break;
		}
		perf_ring_copy(data, size, offs, &rec,
			       rec.h.size < sizeof(rec) ? rec.h.size : sizeof(rec));
		switch (rec.h.type) {
		case PERF_RECORD_SAMPLE:
			r->samples++;
			r->in_loop += smpl_in_loop(rec.s.ip);
			r->bad += (pid_t)rec.s.tid != gettid_() ||
				  (pid_t)rec.s.pid != getpid() ||
				  rec.s.cpu != 0;
			break;
		case PERF_RECORD_LOST:
			r->lost += rec.l.lost;
			break;
		case PERF_RECORD_THROTTLE:
			r->throttled++;
			break;
		default:
			r->other++;
			break;
		}
	}
	__atomic_store_n(&mp->data_tail, head, __ATOMIC_RELEASE);
}

static void smpl_perf(struct smpl_run *r, unsigned long iters)
{
	struct perf_event_attr attr;
	struct perf_event_mmap_page *mp;
	size_t page = sysconf(_SC_PAGESIZE);
	size_t len = SMPL_BUF_SIZE + page;
	int fd, try;

	memset(r, 0, sizeof(*r));
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_CPU_CYCLES;
	attr.sample_period = SMPL_PERIOD;
	attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
			   PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;

	settle();
	/* this thread, any CPU; enabled around the loop as pfm_start/stop */
	for (try = 0; (fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0)) < 0;
	     try++)
		if (!busy_retry("perf_event_open", try))
			fail("perf_event_open (sampling)");
	mp = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mp == MAP_FAILED)
		fail("mmap (perf ring buffer)");
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0))
		fail("PERF_EVENT_IOC_ENABLE");
	r->ns = smpl_workload(iters);
	if (ioctl(fd, PERF_EVENT_IOC_DISABLE, 0))
		fail("PERF_EVENT_IOC_DISABLE");
	r->regs = -1;
	perf_ring_walk(mp, SMPL_BUF_SIZE, r);
	munmap(mp, len);
	close(fd);
}

static void print_smpl_run(const char *name, const char *who,
			   const struct smpl_run *r, const struct smpl_run *none)
{
	printf("# %s raw %s: ns=%llu samples=%llu in_loop=%llu bad=%llu extra_ns=%lld regs=%lld\n",
	       name, who, r->ns, r->samples, r->in_loop, r->bad,
	       (s64)(r->ns - none->ns), r->regs);
	if (r->samples && r->in_loop != r->samples)
		printf("# %s WARNING: %s: %llu of %llu samples outside the loop [%#lx, %#lx]\n",
		       name, who, r->samples - r->in_loop, r->samples,
		       smpl_loop_begin, smpl_loop_end);
	if (r->bad)
		printf("# %s WARNING: %s: %llu samples with a wrong pid, tid or CPU\n",
		       name, who, r->bad);
}

/* Extra ns per sample of a monitored run over the unmonitored one. */
static double extra_per_sample(const struct smpl_run *r,
			       const struct smpl_run *none)
{
	return r->samples ?
	       ((double)r->ns - (double)none->ns) / r->samples : 0;
}

static void bench_sample_cost(void)
{
	const char *name = bench_name("sample_cost");
	u64 insns = SMPL_LOOP_ITERS * SMPL_LOOP_INSNS + SMPL_LOOP_EXTRA;
	u64 expected = insns / SMPL_PERIOD;
	struct smpl_run none, pfm, perf;
	s64 rate0, rate1, lost;
	double x, y, regs;
	bool met;

	if (!pmu.hw) {
		printf("# %s: the PMUv3 only, skipped\n", name);
		return;
	}
	printf("# %s: loop of %llu instructions, period %llu user cycles, buffer %lu bytes\n",
	       name, insns, SMPL_PERIOD, SMPL_BUF_SIZE);
	settle();
	memset(&none, 0, sizeof(none));
	none.ns = smpl_workload(SMPL_LOOP_ITERS);
	none.regs = -1;
	printf("# %s raw none: ns=%llu\n", name, none.ns);
	smpl_pfm(&pfm, SMPL_LOOP_ITERS);
	print_smpl_run(name, "perfmon", &pfm, &none);
	rate0 = read_number(PERF_MAX_RATE);
	smpl_perf(&perf, SMPL_LOOP_ITERS);
	rate1 = read_number(PERF_MAX_RATE);
	print_smpl_run(name, "perf", &perf, &none);
	printf("# %s raw perf records: lost=%llu throttle=%llu other=%llu\n",
	       name, perf.lost, perf.throttled, perf.other);
	if (rate0 != rate1)
		printf("# %s note: perf_event_max_sample_rate %lld -> %lld\n",
		       name, rate0, rate1);

	x = extra_per_sample(&pfm, &none);
	y = extra_per_sample(&perf, &none);
	regs = pfm.regs >= 0 && pfm.samples ?
	       (double)pfm.regs / pfm.samples : -1;
	print_bench(name, x, y, "ns/sample", regs);
	print_target(name, "ratio", ratio(x, y), 0.7);

	lost = (s64)expected - (s64)pfm.samples;
	met = llabs(lost) <= SMPL_LOST_TOLERANCE && !pfm.overflows;
	/* one line, printed in pieces */
	printf("# %s lost_samples: period=%llu buf_size=%lu expected=%llu",
	       name, SMPL_PERIOD, SMPL_BUF_SIZE, expected);
	printf(" recorded=%llu hdr_overflows=%llu lost=%lld", pfm.samples,
	       pfm.overflows, lost);
	printf(" perf_samples=%llu perf_lost=%llu\n", perf.samples, perf.lost);
	printf("# %s target lost_samples |lost| <= %d, hdr_overflows == 0: %lld, %llu, %s\n",
	       name, SMPL_LOST_TOLERANCE, lost, pfm.overflows,
	       met ? "met" : "MISSED");
}

/* --- set_switch, mux_error_steady, mux_error_phased ---------------------------- */

/*
 * Event sets against perf's multiplexing, on the PMUv3 (the _pmuv3 lines).
 * Every event counts at user level; in exact mode user cycles are user
 * instructions, so INST_RETIRED, CPU_CYCLES and the cycle counter all have
 * the same true value: the user instructions of the workload, which one
 * set counting them at once gives exactly.
 *
 * perfmon: a self-monitoring context with MUX_SETS sets of MUX_REGS
 * counters (PMD0 = the cycle counter, PMD1..3 = INST_RETIRED and CPU_CYCLES
 * by turns, in the opposite order in set 1, so that a switch rewrites
 * PMCs), switching on a timeout. perf: MUX_EVENTS separate raw events,
 * CPU_CYCLES and INST_RETIRED by turns, enabled and disabled together by
 * prctl(): one more than the 7 counters, so perf rotates them every
 * perf_event_mux_interval_ms. A count is scaled by D / d (perfmon: the
 * set's set_act_duration d of the D of all sets) or time_enabled /
 * time_running (perf).
 */
#define MUX_SETS		2
#define MUX_REGS		4
#define MUX_EVENTS		(MUX_SETS * MUX_REGS)
/* set_switch: the loop, the set timeout and perf's rotation interval */
#define SWITCH_ITERS		12500000UL	/* 50 M instructions */
#define SWITCH_TIMEOUT_NS	250000ULL
#define SWITCH_PERF_MUX_MS	1
/* mux_error_*: 1 ms turns; perf at its default interval */
#define MUX_TIMEOUT_NS		1000000ULL
#define MUX_STEADY_ITERS	25000000UL	/* 100 M instructions */
#define PERF_MUX_INTERVAL	"perf_event_mux_interval_ms"
#define EVENT_SOURCES		"/sys/bus/event_source/devices"

/**
 * struct mux_wl - the measured workload
 * @na: iterations of the user loop (phase A), 4 instructions each
 * @nb: getppid() calls after it (phase B)
 */
struct mux_wl {
	unsigned long	na;
	unsigned long	nb;
};

/* The loop, then the calls; returns the ns it took. */
static u64 mux_workload(const struct mux_wl *w)
{
	unsigned long b, e, i;
	u64 t0, t1;

	t0 = now_ns();
	if (w->na)
		smpl_loop(w->na, &b, &e);
	for (i = 0; i < w->nb; i++)
		syscall(SYS_getppid);
	t1 = now_ns();
	return t1 - t0;
}

/**
 * struct mux_run - one measurement
 * @nsets: perfmon sets (0 for perf)
 * @count: perfmon: by set, PMD0..MUX_REGS-1; perf: the MUX_EVENTS counts
 * @dur: perfmon set_act_duration by set; perf: time_running by event
 * @total: perfmon: the sum of @dur; perf: time_enabled by event
 * @runs: perfmon set_runs by set
 * @ns: time of the workload
 * @regs: perfmon's PMU register accesses from start to stop, -1 if unknown
 */
struct mux_run {
	unsigned int	nsets;
	u64		count[MUX_EVENTS];
	u64		dur[MUX_EVENTS];
	u64		total[MUX_EVENTS];
	u64		runs[MUX_SETS];
	u64		ns;
	s64		regs;
};

/* PMC value of register @k of set @s (user level only). */
static u64 mux_pmc(unsigned int s, unsigned int k)
{
	if (!k)
		return PMUV3_P;
	if (pmu.events[1].pfm_pmc == pmu.events[0].pfm_pmc)
		return pmu.events[0].pfm_pmc;	/* no INST_RETIRED */
	return ((k + s) % 2 ? PMUV3_INST_RETIRED : PMUV3_CPU_CYCLES) | PMUV3_P;
}

/*
 * perfmon: @nsets sets (1: set 0 alone, no switching) of MUX_REGS counters,
 * switching every @timeout ns; the workload @w between pfm_start() and
 * pfm_stop().
 */
static void mux_pfm(unsigned int nsets, u64 timeout, const struct mux_wl *w,
		    struct mux_run *r)
{
	struct pfarg_setinfo info[MUX_SETS];
	struct pfarg_pmd pmds[MUX_REGS];
	struct pfarg_setdesc sd;
	struct pfarg_load load;
	struct pfarg_ctx ctx;
	struct pfarg_pmc pmc;
	unsigned int s, k;
	u64 total = 0;
	s64 r0, r1;
	int fd, try;

	memset(r, 0, sizeof(*r));
	memset(&ctx, 0, sizeof(ctx));
	memset(&load, 0, sizeof(load));
	r->nsets = nsets;
	settle();
	fd = pfm_create_context(&ctx, NULL, NULL, 0);
	if (fd < 0)
		fail("pfm_create_context");
	for (s = 0; s < nsets; s++) {
		if (nsets > 1) {
			memset(&sd, 0, sizeof(sd));
			sd.set_id = s;
			sd.set_flags = PFM_SETFL_TIME_SWITCH;
			sd.set_timeout = timeout;
			if (pfm_create_evtsets(fd, &sd, 1))
				fail("pfm_create_evtsets");
		}
		for (k = 0; k < MUX_REGS; k++) {
			memset(&pmc, 0, sizeof(pmc));
			memset(&pmds[k], 0, sizeof(pmds[k]));
			pmc.reg_num = k;
			pmc.reg_set = s;
			pmc.reg_value = mux_pmc(s, k);
			pmds[k].reg_num = k;
			pmds[k].reg_set = s;
			if (pfm_write_pmcs(fd, &pmc, 1))
				fail("pfm_write_pmcs");
		}
		if (pfm_write_pmds(fd, pmds, MUX_REGS))
			fail("pfm_write_pmds");
	}
	load.load_pid = gettid_();
	for (try = 0; pfm_load_context(fd, &load); try++)
		if (!busy_retry("pfm_load_context", try))
			fail("pfm_load_context");
	r0 = reg_accesses();
	if (pfm_start(fd, NULL))
		fail("pfm_start");
	r->ns = mux_workload(w);
	if (pfm_stop(fd))
		fail("pfm_stop");
	r1 = reg_accesses();
	r->regs = r0 >= 0 && r1 >= 0 ? r1 - r0 : -1;
	memset(info, 0, sizeof(info));
	for (s = 0; s < nsets; s++) {
		info[s].set_id = s;
		for (k = 0; k < MUX_REGS; k++) {
			memset(&pmds[k], 0, sizeof(pmds[k]));
			pmds[k].reg_num = k;
			pmds[k].reg_set = s;
		}
		if (pfm_read_pmds(fd, pmds, MUX_REGS))
			fail("pfm_read_pmds");
		for (k = 0; k < MUX_REGS; k++)
			r->count[s * MUX_REGS + k] = pmds[k].reg_value;
	}
	if (pfm_getinfo_evtsets(fd, info, nsets))
		fail("pfm_getinfo_evtsets");
	/* one set: no duration kept, and nothing to scale */
	for (s = 0; s < nsets; s++) {
		r->runs[s] = info[s].set_runs;
		total += nsets > 1 ? info[s].set_act_duration : 1;
	}
	for (s = 0; s < nsets; s++) {
		for (k = 0; k < MUX_REGS; k++) {
			r->dur[s * MUX_REGS + k] = nsets > 1 ?
				info[s].set_act_duration : 1;
			r->total[s * MUX_REGS + k] = total;
		}
	}
	close(fd);
}

/* perf: @n separate raw events, CPU_CYCLES and INST_RETIRED by turns. */
static void mux_perf(unsigned int n, const struct mux_wl *w, struct mux_run *r)
{
	struct perf_event_attr attr;
	int fds[MUX_EVENTS], try;
	u64 buf[3];
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->regs = -1;
	settle();
	for (i = 0; i < n; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.type = PERF_TYPE_RAW;
		attr.config = pmu.events[i % 2].perf_config;
		attr.disabled = 1;
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
				   PERF_FORMAT_TOTAL_TIME_RUNNING;
		for (try = 0; (fds[i] = syscall(SYS_perf_event_open, &attr, 0, -1,
						-1, 0)) < 0; try++)
			if (!busy_retry("perf_event_open", try))
				fail("perf_event_open (multiplexed)");
	}
	if (prctl(PR_TASK_PERF_EVENTS_ENABLE, 0, 0, 0, 0))
		fail("prctl(PR_TASK_PERF_EVENTS_ENABLE)");
	r->ns = mux_workload(w);
	if (prctl(PR_TASK_PERF_EVENTS_DISABLE, 0, 0, 0, 0))
		fail("prctl(PR_TASK_PERF_EVENTS_DISABLE)");
	for (i = 0; i < n; i++) {
		if (read(fds[i], buf, sizeof(buf)) != sizeof(buf))
			fail("read (perf event)");
		r->count[i] = buf[0];
		r->total[i] = buf[1];
		r->dur[i] = buf[2];
		close(fds[i]);
	}
}

static unsigned int mux_nevents(const struct mux_run *r, unsigned int perf_n)
{
	return r->nsets ? r->nsets * MUX_REGS : perf_n;
}

/* Event @i scaled to the whole measurement. */
static double mux_scaled(const struct mux_run *r, unsigned int i)
{
	return r->dur[i] ? (double)r->count[i] * r->total[i] / r->dur[i] : 0;
}

/* The largest |scaled - @exact| / @exact of an event, in percent. */
static double mux_max_err(const struct mux_run *r, unsigned int n, u64 exact)
{
	double e, max = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		e = fabs(mux_scaled(r, i) - (double)exact) * 100 / (double)exact;
		if (e > max)
			max = e;
	}
	return max;
}

static u64 mux_switches(const struct mux_run *r)
{
	u64 n = 0;
	unsigned int s;

	for (s = 0; s < r->nsets; s++)
		n += r->runs[s];
	return n ? n - 1 : 0;
}

static void print_mux(const char *name, const char *who,
		      const struct mux_run *r, unsigned int n, u64 exact)
{
	unsigned int i;

	printf("# %s raw %s: ns=%llu", name, who, r->ns);
	if (r->nsets)
		for (i = 0; i < r->nsets; i++)
			printf(" set%u=runs:%llu,ns:%llu", i, r->runs[i],
			       r->dur[i * MUX_REGS]);
	printf(" regs=%lld\n", r->regs);
	if (!exact)
		return;
	printf("# %s %s scaled (exact %llu):", name, who, exact);
	for (i = 0; i < n; i++)
		printf(" %.0f", mux_scaled(r, i));
	printf(" max_err=%.3f%%\n", mux_max_err(r, n, exact));
}

/* A bench line with 3 decimals (errors in percent). */
static void print_bench3(const char *name, double pfm, double perf,
			 const char *unit, double regs)
{
	printf("bench %s perfmon=%.3f perf=%.3f ratio=%.3f unit=%s regs=%.2f\n",
	       name, pfm, perf, ratio(pfm, perf), unit, regs);
}

/* The PMUv3's perf_event_mux_interval_ms file, in a static buffer. */
static const char *perf_mux_path(void)
{
	static char path[512];
	struct dirent *de;
	DIR *d;

	path[0] = '\0';
	d = opendir(EVENT_SOURCES);
	if (!d)
		return NULL;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "armv8_pmuv3", 11)) {
			snprintf(path, sizeof(path), "%s/%s/%s", EVENT_SOURCES,
				 de->d_name, PERF_MUX_INTERVAL);
			break;
		}
	closedir(d);
	return path[0] ? path : NULL;
}

static int write_number(const char *path, long v)
{
	FILE *f = fopen(path, "we");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static bool mux_skip(const char *name)
{
	if (pmu.hw)
		return false;
	printf("# %s: the PMUv3 only, skipped\n", name);
	return true;
}

/*
 * set_switch: what a switch costs the monitored thread. perfmon: the loop
 * with 2 sets switching every SWITCH_TIMEOUT_NS against 1 set, the extra
 * time per switch (set_runs: one switch per activation after the first).
 * perf: the loop with 8 events against 7, SWITCH_PERF_MUX_MS rotations,
 * the extra time per rotation (elapsed / interval: perf does not count
 * its rotations).
 */
static void bench_set_switch(void)
{
	const char *name = bench_name("set_switch");
	const struct mux_wl w = { .na = SWITCH_ITERS };
	struct mux_run one, two, p7, p8;
	const char *path = perf_mux_path();
	s64 old_ms, ms = -1;
	double x, y, rot, regs;
	u64 sw;

	if (mux_skip(name))
		return;
	mux_pfm(1, 0, &w, &one);
	mux_pfm(MUX_SETS, SWITCH_TIMEOUT_NS, &w, &two);
	old_ms = path ? read_number(path) : -1;
	if (old_ms > 0 && write_number(path, SWITCH_PERF_MUX_MS))
		printf("# %s: cannot set %s: %s\n", name, path, strerror(errno));
	if (path)
		ms = read_number(path);
	mux_perf(MUX_EVENTS - 1, &w, &p7);
	mux_perf(MUX_EVENTS, &w, &p8);
	if (old_ms > 0 && old_ms != ms)
		write_number(path, old_ms);
	sw = mux_switches(&two);
	rot = ms > 0 ? (double)p8.ns / (ms * 1000000.0) : 0;
	x = sw ? ((double)two.ns - (double)one.ns) / sw : 0;
	y = rot > 0 ? ((double)p8.ns - (double)p7.ns) / rot : 0;
	regs = sw && two.regs >= 0 && one.regs >= 0 ?
	       (double)(two.regs - one.regs) / sw : -1;
	print_mux(name, "perfmon 1 set", &one, 0, 0);
	print_mux(name, "perfmon 2 sets", &two, 0, 0);
	print_mux(name, "perf 7 events", &p7, 0, 0);
	print_mux(name, "perf 8 events", &p8, 0, 0);
	printf("# %s: %llu switches every %llu ns; perf %s=%lld (was %lld): %.1f rotations\n",
	       name, sw, SWITCH_TIMEOUT_NS, PERF_MUX_INTERVAL, ms, old_ms, rot);
	print_bench(name, x, y, "ns/switch", regs);
}

/* The exact count of @w: one set, its PMD1 (PMD0..3 must agree). */
static u64 mux_exact(const char *name, const struct mux_wl *w)
{
	struct mux_run r;
	unsigned int k;

	mux_pfm(1, 0, w, &r);
	for (k = 1; k < MUX_REGS; k++)
		if (r.count[k] != r.count[0])
			printf("# %s WARNING: exact counts differ: PMD0 %llu PMD%u %llu\n",
			       name, r.count[0], k, r.count[k]);
	return r.count[1];
}

/*
 * One error measurement of @w: perfmon's and perf's largest error of an
 * event, in percent, into @err[0] and @err[1]; perfmon's register accesses
 * per switch added to *@regs.
 */
static void mux_errors(const char *name, const char *what,
		       const struct mux_wl *w, double *err, double *regs)
{
	struct mux_run pf, pe;
	char who[64];
	u64 exact;

	exact = mux_exact(name, w);
	mux_pfm(MUX_SETS, MUX_TIMEOUT_NS, w, &pf);
	mux_perf(MUX_EVENTS, w, &pe);
	snprintf(who, sizeof(who), "perfmon %s", what);
	print_mux(name, who, &pf, mux_nevents(&pf, MUX_EVENTS), exact);
	snprintf(who, sizeof(who), "perf %s", what);
	print_mux(name, who, &pe, mux_nevents(&pe, MUX_EVENTS), exact);
	err[0] = mux_max_err(&pf, MUX_EVENTS, exact);
	err[1] = mux_max_err(&pe, MUX_EVENTS, exact);
	if (mux_switches(&pf) && pf.regs >= 0)
		*regs += (double)pf.regs / mux_switches(&pf);
}

static void mux_setup_line(const char *name)
{
	const char *path = perf_mux_path();

	printf("# %s: %u events: perfmon %u sets of %u, %llu ns turns; perf %s=%lld\n",
	       name, MUX_EVENTS, MUX_SETS, MUX_REGS, MUX_TIMEOUT_NS,
	       PERF_MUX_INTERVAL, path ? read_number(path) : -1LL);
}

/* mux_error_steady: the 100 M instruction loop. */
static void bench_mux_error_steady(void)
{
	const char *name = bench_name("mux_error_steady");
	const struct mux_wl w = { .na = MUX_STEADY_ITERS };
	double err[2], regs = 0;

	if (mux_skip(name))
		return;
	mux_setup_line(name);
	mux_errors(name, "loop", &w, err, &regs);
	print_bench3(name, err[0], err[1], "%", regs);
}

/*
 * mux_error_phased: the loop (phase A), then getppid() calls (phase B),
 * in three proportions of about 60 ms together; the mean over them of the
 * largest error of an event.
 */
static void bench_mux_error_phased(void)
{
	static const unsigned int ms[][2] = { { 20, 40 }, { 30, 30 }, { 40, 20 } };
	const char *name = bench_name("mux_error_phased");
	const struct mux_wl calib = { .nb = 10000 };
	double err[2], mean[2] = { 0, 0 }, regs = 0;
	struct mux_wl w;
	char what[32];
	unsigned int i;
	u64 call;

	if (mux_skip(name))
		return;
	mux_setup_line(name);
	settle();
	call = mux_workload(&calib) / calib.nb;
	if (!call)
		call = 1;
	printf("# %s: a getppid() call takes %llu ns\n", name, call);
	for (i = 0; i < ARRAY_SIZE(ms); i++) {
		w.na = ms[i][0] * 1000000UL / SMPL_LOOP_INSNS;
		w.nb = ms[i][1] * 1000000UL / call;
		snprintf(what, sizeof(what), "%u+%u ms", ms[i][0], ms[i][1]);
		mux_errors(name, what, &w, err, &regs);
		printf("# %s %s: max_err perfmon=%.3f%% perf=%.3f%%\n", name, what,
		       err[0], err[1]);
		mean[0] += err[0] / ARRAY_SIZE(ms);
		mean[1] += err[1] / ARRAY_SIZE(ms);
	}
	print_bench3(name, mean[0], mean[1], "%", regs / ARRAY_SIZE(ms));
	print_target(name, "perfmon error % (perf's)", mean[0], mean[1]);
}

/* --- main ---------------------------------------------------------------- */

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-n READS] [-s ROUNDTRIPS] [read_4|ctxsw_4|ctxsw_lazy|sample_cost|\n"
		"       set_switch|mux_error_steady|mux_error_phased...]\n"
		"       %s [-n READS] [-s ROUNDTRIPS] -l LOOP\n"
		"LOOP: getppid, pfm_read, perf_read, pp_<a>_<b>, sample_<a> (a, b: none|pfm|perf)\n",
		prog, prog);
	exit(2);
}

static int mon_kind_of(const char *name, size_t len)
{
	if (len == 4 && !strncmp(name, "none", len))
		return MON_NONE;
	if (len == 3 && !strncmp(name, "pfm", len))
		return MON_PFM;
	if (len == 4 && !strncmp(name, "perf", len))
		return MON_PERF;
	return -1;
}

/* Read the model string of the active PMU into pmu.model, "" if none. */
static void read_model(void)
{
	size_t n = 0;
	FILE *f;

	pmu.model[0] = '\0';
	f = fopen(PFM_SYSFS_DIR "/pmu_desc/model", "re");
	if (!f)
		return;
	if (fgets(pmu.model, sizeof(pmu.model), f))
		n = strcspn(pmu.model, "\n");
	pmu.model[n] = '\0';
	fclose(f);
}

/* Whether the PMUv3 takes PMC1 = INST_RETIRED (PMCEID: QEMU -icount only). */
static bool pmuv3_has_inst_retired(void)
{
	struct pfarg_pmc pmc;
	struct pfarg_ctx ctx;
	int fd, ret;

	memset(&ctx, 0, sizeof(ctx));
	memset(&pmc, 0, sizeof(pmc));
	fd = pfm_create_context(&ctx, NULL, NULL, 0);
	if (fd < 0)
		fail("pfm_create_context");
	pmc.reg_num = 1;
	pmc.reg_value = PMUV3_INST_RETIRED | PMUV3_P;
	ret = pfm_write_pmcs(fd, &pmc, 1);
	if (ret && errno != EINVAL)
		fail("pfm_write_pmcs (INST_RETIRED probe)");
	close(fd);
	return ret == 0;
}

/* Set up pmu from the active PMU description. Return 0, or -1 if unknown. */
static int pmu_setup(void)
{
	unsigned int i;

	read_model();
	if (!strcmp(pmu.model, PFM_SW_MODEL)) {
		pmu.suffix = "";
		pmu.hw = false;
		pmu.reg_base = 0;
		pmu.perf_type = PERF_TYPE_SOFTWARE;
		pmu.csw_event = 2;
		memcpy(pmu.events, sw_events, sizeof(pmu.events));
		return 0;
	}
	if (!strcmp(pmu.model, PMUV3_MODEL)) {
		pmu.suffix = "_pmuv3";
		pmu.hw = true;
		pmu.reg_base = 1;
		pmu.perf_type = PERF_TYPE_RAW;
		pmu.csw_event = -1;
		memcpy(pmu.events, pmuv3_events, sizeof(pmu.events));
		if (!pmuv3_has_inst_retired()) {
			printf("# pfm-bench: no INST_RETIRED (no -icount?): CPU_CYCLES only\n");
			for (i = 0; i < NR_EVENTS; i++)
				pmu.events[i] = pmuv3_events[0];
		}
		return 0;
	}
	return -1;
}

/* -l: one loop alone. Return 0, or -1 for an unknown name. */
static int run_loop(const char *loop, long reads, long roundtrips)
{
	struct smpl_run smpl;
	const char *b;
	double regs;
	int ka, kb;

	printf("# pfm-bench: loop %s\n", loop);
	if (!strcmp(loop, "getppid")) {
		time_getppid(loop, reads);
		return 0;
	}
	if (!strcmp(loop, "pfm_read")) {
		time_reads(loop, MON_PFM, reads, &regs);
		return 0;
	}
	if (!strcmp(loop, "perf_read")) {
		time_reads(loop, MON_PERF, reads, &regs);
		return 0;
	}
	if (!strncmp(loop, "sample_", 7)) {
		/* the sample_cost workload, reads iterations */
		ka = mon_kind_of(loop + 7, strlen(loop + 7));
		if (ka < 0 || (ka != MON_NONE && !pmu.hw))
			return -1;
		memset(&smpl, 0, sizeof(smpl));
		settle();
		if (ka == MON_PFM)
			smpl_pfm(&smpl, reads);
		else if (ka == MON_PERF)
			smpl_perf(&smpl, reads);
		else
			smpl.ns = smpl_workload(reads);
		print_smpl_run(loop, mon_names[ka], &smpl, &smpl);
		return 0;
	}
	if (strncmp(loop, "pp_", 3))
		return -1;
	b = strchr(loop + 3, '_');
	if (!b)
		return -1;
	ka = mon_kind_of(loop + 3, b - loop - 3);
	kb = mon_kind_of(b + 1, strlen(b + 1));
	if (ka < 0 || kb < 0)
		return -1;
	pingpong(loop, ka, kb, roundtrips);
	return 0;
}

/*
 * Whether to run benchmark @name: named on the command line (with or
 * without the _pmuv3 suffix), or @dfl when none is.
 */
static bool wanted(int argc, char **argv, const char *name, bool dfl)
{
	static const char sfx[] = "_pmuv3";
	size_t len = strlen(name);
	int i;

	if (optind >= argc)
		return dfl;
	for (i = optind; i < argc; i++)
		if (!strncmp(argv[i], name, len) &&
		    (!argv[i][len] || !strcmp(argv[i] + len, sfx)))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	long reads = DFL_READS, roundtrips = DFL_ROUNDTRIPS;
	struct pp_result none;
	const char *loop = NULL;
	bool do_read, do_ctxsw, do_lazy, do_smpl, do_switch, do_steady, do_phased;
	double r, regs;
	char why[256];
	cpu_set_t cpus;
	int opt;

	while ((opt = getopt(argc, argv, "l:n:s:h")) != -1) {
		switch (opt) {
		case 'l':
			loop = optarg;
			break;
		case 'n':
			reads = strtol(optarg, NULL, 0);
			break;
		case 's':
			roundtrips = strtol(optarg, NULL, 0);
			break;
		default:
			print_usage(argv[0]);
		}
	}
	/* a loop may run 0 times: the baseline of its profile */
	if (reads < !loop || roundtrips < !loop || (loop && optind < argc))
		print_usage(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pfm_probe(why, sizeof(why))) {
		printf("# pfm-bench: %s\n", why);
		return EXIT_FAILURE;
	}
	if (pmu_setup()) {
		printf("# pfm-bench: unknown PMU model \"%s\" (want \"%s\" or \"%s\")\n",
		       pmu.model, PFM_SW_MODEL, PMUV3_MODEL);
		return EXIT_FAILURE;
	}
	/* every thread on the first CPU: the switches are between them */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		fail("sched_setaffinity");
	if (reg_accesses() < 0)
		printf("# pfm-bench: %s unreadable: regs=-1\n", REG_ACCESSES);
	printf("# pfm-bench: reads=%ld roundtrips=%ld; perf: a group of 4 per thread\n",
	       reads, roundtrips);
	printf("# pfm-bench: PMU \"%s\": perfmon PMC/PMD%u..%u, perf %s events:",
	       pmu.model, pmu.reg_base, pmu.reg_base + NR_EVENTS - 1,
	       pmu.hw ? "raw (user only)" : "software");
	for (unsigned int i = 0; i < NR_EVENTS; i++)
		printf(" %s=0x%llx", pmu.events[i].name, pmu.events[i].perf_config);
	printf("\n");
	if (loop) {
		if (run_loop(loop, reads, roundtrips))
			print_usage(argv[0]);
		return EXIT_SUCCESS;
	}

	/* ctxsw_lazy on the PMUv3 only when named */
	do_read = wanted(argc, argv, "read_4", true);
	do_ctxsw = wanted(argc, argv, "ctxsw_4", true);
	do_lazy = wanted(argc, argv, "ctxsw_lazy", !pmu.hw);
	/* sample_cost on the PMUv3 only */
	do_smpl = wanted(argc, argv, "sample_cost", pmu.hw);
	/* event sets against perf's multiplexing: the PMUv3 only */
	do_switch = wanted(argc, argv, "set_switch", pmu.hw);
	do_steady = wanted(argc, argv, "mux_error_steady", pmu.hw);
	do_phased = wanted(argc, argv, "mux_error_phased", pmu.hw);
	if (do_read)
		bench_read_4(reads);
	if (do_ctxsw || do_lazy)
		none = pingpong(bench_name("ctxsw"), MON_NONE, MON_NONE,
				roundtrips);
	if (do_ctxsw) {
		r = bench_ctxsw(bench_name("ctxsw_4"), MON_PFM, MON_PERF, &none,
				roundtrips, &regs);
		if (!pmu.hw)
			print_target("ctxsw_4", "ratio", r, 0.5);
	}
	if (do_lazy) {
		bench_ctxsw(bench_name("ctxsw_lazy"), MON_NONE, MON_NONE, &none,
			    roundtrips, &regs);
		/* stop at switch-out, start at switch-in, nothing else */
		if (!pmu.hw)
			print_target("ctxsw_lazy", "regs per switch pair",
				     2 * regs, 2);
	}
	if (do_smpl)
		bench_sample_cost();
	if (do_switch)
		bench_set_switch();
	if (do_steady)
		bench_mux_error_steady();
	if (do_phased)
		bench_mux_error_phased();
	return EXIT_SUCCESS;
}
