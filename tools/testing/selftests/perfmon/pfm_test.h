/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the perfmon selftests.
 *
 * Every test that makes a perfmon system call first calls
 * pfm_test_require(), which skips the test when the kernel has no perfmon.
 * On a kernel without perfmon the syscall numbers may belong to other calls
 * (cachestat(), fchmodat2(), ... since 6.5), so nothing may be called then.
 */
#ifndef _PFM_TEST_H
#define _PFM_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/perf_event.h>

#include "../kselftest_harness.h"
#include "pfmlib_sys.h"

/*
 * Function attributes, spelt as in the kernel. __pfm_attr() builds them:
 * written out here, checkpatch would ask for these very macros.
 */
#define __pfm_attr(...)		__attribute__((__VA_ARGS__))
#ifndef noinline
#define noinline		__pfm_attr(__noinline__)
#endif
#ifndef __noclone
#define __noclone		__pfm_attr(__noclone__)
#endif
#ifndef __section
#define __section(s)		__pfm_attr(__section__(s))
#endif

/*
 * Load and store of @x that the compiler may not tear, merge, drop or
 * hoist out of a loop: for flags shared with a signal handler.
 */
#define PFM_READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define PFM_WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* What readlink() of /proc/self/fd/N gives for a context fd. */
#define PFM_FD_LINK		"anon_inode:[perfmon]"

/* Largest vector a vector call accepts, in bytes. */
#define PFM_VEC_MAX_BYTES	65536

/* An address that is never accessible from user space, on any arch. */
#define PFM_KERNEL_PTR		((void *)-4096L)

/*
 * Skip the calling test, with the reason, unless the kernel has perfmon.
 * Usage: if (!pfm_test_require(_metadata)) return;
 */
static inline bool pfm_test_require(struct __test_metadata *_metadata)
{
	char why[256];

	if (pfm_probe(why, sizeof(why)) == 0)
		return true;
	SKIP(return false, "perfmon not available: %s", why);
}

/* The errno left by a call that returned @ret, or 0 when it succeeded. */
static inline int pfm_test_errno(int ret)
{
	return ret < 0 ? errno : 0;
}

/* Create a context with @flags and no sampling format. */
static inline int pfm_test_create(unsigned int flags)
{
	struct pfarg_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ctx_flags = flags;
	return pfm_create_context(&ctx, NULL, NULL, 0);
}

/* Return 1 when @fd is a perfmon context, 0 when it is not, -1 on error. */
static inline int pfm_test_fd_is_perfmon(int fd)
{
	char path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	return strcmp(link, PFM_FD_LINK) == 0;
}

/* Return an fd number that is not open (it was, a moment ago). */
static inline int pfm_test_closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

/**
 * struct pfm_guard - a readable page followed by an inaccessible one
 * @base: start of the readable page
 * @page: page size
 *
 * An object placed to end at pfm_guard_end() is entirely readable; one byte
 * further and its last byte faults. This tells whether the kernel copies
 * exactly sizeof(object) bytes.
 */
struct pfm_guard {
	char	*base;
	size_t	page;
};

static inline int pfm_guard_init(struct pfm_guard *g)
{
	g->page = sysconf(_SC_PAGESIZE);
	g->base = mmap(NULL, 2 * g->page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->base == MAP_FAILED) {
		g->base = NULL;
		return -1;
	}
	memset(g->base, 0, g->page);
	return mprotect(g->base + g->page, g->page, PROT_NONE);
}

/* First inaccessible byte. */
static inline char *pfm_guard_end(struct pfm_guard *g)
{
	return g->base + g->page;
}

static inline void pfm_guard_fini(struct pfm_guard *g)
{
	if (g->base)
		munmap(g->base, 2 * g->page);
	g->base = NULL;
}

/* Read a sysfs attribute into @buf (NUL-terminated); return its length. */
static inline int pfm_test_read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/*
 * The software PMU description (CONTRACT: present on every arch, the only
 * PMU on x86 TCG): PMC0..3 select an event, PMD0..3 count it.
 */
#define PFM_SW_MODEL		"perfmon software PMU"
#define PFM_SW_NUM_REGS		4
#define PFM_SW_CPU_CLOCK	0	/* ns */
#define PFM_SW_TASK_CLOCK	1	/* ns */
#define PFM_SW_CTX_SWITCHES	2
#define PFM_SW_CPU_MIGRATIONS	3
#define PFM_SW_USR		0x10000ULL	/* bit 16 */
#define PFM_SW_OS		0x20000ULL	/* bit 17 */
#define PFM_SW_EN		0x400000ULL	/* bit 22 */
/* A PMC value that counts @ev at user level. */
#define PFM_SW_EVT(ev)		((__u64)(ev) | PFM_SW_USR | PFM_SW_EN)

#define PFM_NSEC_PER_MSEC	1000000ULL
#define PFM_NSEC_PER_SEC	1000000000ULL

/* Session counters (P2) under PFM_SYSFS_DIR. */
#define PFM_TASK_SESSIONS	"task_sessions_count"
#define PFM_SYS_SESSIONS	"sys_sessions_count"

/* The usual "nobody" ids, to drop privileges to. */
#define PFM_NOBODY_ID		65534

#define PFM_PARANOID_PATH	"/proc/sys/kernel/perf_event_paranoid"

/*
 * Skip the calling test unless the active PMU description is the software
 * PMU: the counting tests know its events. Usage as pfm_test_require().
 */
static inline bool pfm_test_require_swpmu(struct __test_metadata *_metadata)
{
	char model[128];
	int n;

	if (!pfm_test_require(_metadata))
		return false;
	n = pfm_test_read_attr(PFM_SYSFS_DIR "/pmu_desc/model", model,
			       sizeof(model));
	if (n > 0 && model[n - 1] == '\n')
		model[n - 1] = '\0';
	if (n > 0 && strcmp(model, PFM_SW_MODEL) == 0)
		return true;
	SKIP(return false, "PMU is \"%s\", not the software PMU",
	     n > 0 ? model : "unknown");
}

/* Value of a decimal attribute under PFM_SYSFS_DIR, or -1. */
static inline long long pfm_test_sysfs_num(const char *name)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), "%s/%s", PFM_SYSFS_DIR, name);
	if (pfm_test_read_attr(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Write one PMC: @value to PMC @num of set 0. */
static inline int pfm_test_write_pmc(int fd, unsigned int num, __u64 value)
{
	struct pfarg_pmc pmc;

	memset(&pmc, 0, sizeof(pmc));
	pmc.reg_num = num;
	pmc.reg_value = value;
	return pfm_write_pmcs(fd, &pmc, 1);
}

/* Write one PMD: @value to PMD @num of set 0. */
static inline int pfm_test_write_pmd(int fd, unsigned int num, __u64 value)
{
	struct pfarg_pmd pmd;

	memset(&pmd, 0, sizeof(pmd));
	pmd.reg_num = num;
	pmd.reg_value = value;
	return pfm_write_pmds(fd, &pmd, 1);
}

/* Read PMD @num of set 0 into *@value. */
static inline int pfm_test_read_pmd(int fd, unsigned int num, __u64 *value)
{
	struct pfarg_pmd pmd;
	int ret;

	memset(&pmd, 0, sizeof(pmd));
	pmd.reg_num = num;
	ret = pfm_read_pmds(fd, &pmd, 1);
	if (ret == 0)
		*value = pmd.reg_value;
	return ret;
}

/* Load @fd on thread @tid (per-thread) or CPU @tid (system-wide). */
static inline int pfm_test_load(int fd, unsigned int tid)
{
	struct pfarg_load load;

	memset(&load, 0, sizeof(load));
	load.load_pid = tid;
	return pfm_load_context(fd, &load);
}

/* gettid() without needing glibc 2.30. */
static inline pid_t pfm_test_gettid(void)
{
	return syscall(__NR_gettid);
}

/*
 * Create a per-thread context, program PMC i with @pmcs[i] for i < @n
 * (PMD i cleared), and load it on @tid. Return the fd or -1 (errno set,
 * nothing left open).
 */
static inline int pfm_test_setup(unsigned int flags, const __u64 *pmcs,
				 int n, pid_t tid)
{
	int fd, i, err;

	fd = pfm_test_create(flags);
	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (pfm_test_write_pmc(fd, i, pmcs[i]) ||
		    pfm_test_write_pmd(fd, i, 0))
			goto fail;
	}
	if (pfm_test_load(fd, tid))
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* Current value of @clk in ns. */
static inline __u64 pfm_test_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * PFM_NSEC_PER_SEC + ts.tv_nsec;
}

static inline void pfm_test_sleep_ns(__u64 ns)
{
	struct timespec ts = {
		.tv_sec		= ns / PFM_NSEC_PER_SEC,
		.tv_nsec	= ns % PFM_NSEC_PER_SEC,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Spin until the calling thread has used @ns more CPU time. */
static inline void pfm_test_burn(__u64 ns)
{
	__u64 end = pfm_test_now(CLOCK_THREAD_CPUTIME_ID) + ns;
	unsigned long sink = 0;
	int i;

	do {
		for (i = 0; i < 10000; i++) {
			sink += i;
			/* Keep the loop: the compiler cannot see through. */
			__asm__ __volatile__("" : "+r" (sink));
		}
	} while (pfm_test_now(CLOCK_THREAD_CPUTIME_ID) < end);
}

/* Bind the calling thread to @cpu. */
static inline int pfm_test_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Fill @cpus with the CPUs that are online (from the affinity the test
 * started with, capped at @max); return how many.
 */
static inline int pfm_test_online_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	return n;
}

/* Drop every privilege: uid and gid @id, no groups, no capabilities. */
static inline int pfm_test_drop_privs(uid_t id)
{
	if (setgroups(0, NULL) || setgid(id) || setuid(id))
		return -1;
	return 0;
}

/* perf_event_paranoid, or INT_MIN without CONFIG_PERF_EVENTS. */
static inline int pfm_test_get_paranoid(void)
{
	char buf[32];

	if (pfm_test_read_attr(PFM_PARANOID_PATH, buf, sizeof(buf)) <= 0)
		return INT_MIN;
	return atoi(buf);
}

static inline int pfm_test_set_paranoid(int level)
{
	char buf[32];
	int fd, n, ret;

	fd = open(PFM_PARANOID_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", level);
	ret = write(fd, buf, n) == n ? 0 : -1;
	close(fd);
	return ret;
}

/*
 * waitpid() reports a stop as soon as the child has announced it, which
 * can be before the child has left its CPU: its run time (and any count
 * of it) still grows for a while, milliseconds under TCG on a busy host.
 * A ptrace request on a stopped tracee waits until it is off its CPU
 * (ptrace_check_attach()); which request does not matter, nor whether
 * it succeeds.
 */
static inline void pfm_child_wait_off_cpu(pid_t pid)
{
	siginfo_t si;

	ptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
}

/*
 * A child process monitored through ptrace. pfm_child_fork() forks it;
 * the child kills itself if the test dies (PR_SET_PDEATHSIG), asks to be
 * traced, stops itself with SIGSTOP and, once continued, returns @fn's
 * value as its exit status. The parent gets back the child ptrace-stopped
 * (waited for) and can load a context on it.
 */
struct pfm_child {
	pid_t	pid;
	int	to_child;	/* write end: parent -> child */
	int	from_child;	/* read end: child -> parent */
	int	in;		/* child side: read end */
	int	out;		/* child side: write end */
};

static inline void pfm_child_kill(struct pfm_child *c);

static inline int pfm_child_fork(struct pfm_child *c,
				 int (*fn)(struct pfm_child *c, void *arg),
				 void *arg)
{
	int down[2], up[2], status;
	pid_t ppid = getpid();

	c->pid = -1;
	c->to_child = -1;
	c->from_child = -1;
	c->in = -1;
	c->out = -1;
	if (pipe2(down, O_CLOEXEC))
		return -1;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return -1;
	}
	c->pid = fork();
	if (c->pid == 0) {
		close(down[1]);
		close(up[0]);
		c->in = down[0];
		c->out = up[1];
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != ppid)
			_exit(126);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(125);
		raise(SIGSTOP);
		_exit(fn(c, arg));
	}
	close(down[0]);
	close(up[1]);
	c->to_child = down[1];
	c->from_child = up[0];
	if (c->pid < 0 ||
	    waitpid(c->pid, &status, 0) != c->pid || !WIFSTOPPED(status)) {
		pfm_child_kill(c);
		return -1;
	}
	pfm_child_wait_off_cpu(c->pid);
	return 0;
}

/* Resume a ptrace-stopped child, discarding the signal that stopped it. */
static inline int pfm_child_cont(struct pfm_child *c)
{
	return ptrace(PTRACE_CONT, c->pid, NULL, NULL);
}

/*
 * Wait until the child stops again and is off its CPU; 0 on a stop, -1
 * otherwise.
 */
static inline int pfm_child_wait_stop(struct pfm_child *c)
{
	int status;

	if (waitpid(c->pid, &status, 0) != c->pid || !WIFSTOPPED(status))
		return -1;
	pfm_child_wait_off_cpu(c->pid);
	return 0;
}

/* Stop a running child (signal-delivery-stop, ptrace-stopped). */
static inline int pfm_child_stop(struct pfm_child *c)
{
	if (kill(c->pid, SIGSTOP))
		return -1;
	return pfm_child_wait_stop(c);
}

/* Wait for the child to end; return its wait status, or -1. */
static inline int pfm_child_wait_exit(struct pfm_child *c)
{
	int status;

	for (;;) {
		if (waitpid(c->pid, &status, 0) != c->pid)
			return -1;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		/* A stop on the way out: let it go on. */
		ptrace(PTRACE_CONT, c->pid, NULL, NULL);
	}
	c->pid = -1;
	return status;
}

/*
 * Kill and reap the child, close the pipes; safe to call twice. A tracer
 * that dropped its privileges may no longer signal the child, but it can
 * still resume it (it is stopped then) with SIGKILL as the signal.
 */
static inline void pfm_child_kill(struct pfm_child *c)
{
	if (c->pid > 0) {
		if (kill(c->pid, SIGKILL))
			ptrace(PTRACE_CONT, c->pid, NULL, (void *)(long)SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = -1;
	}
	if (c->to_child >= 0)
		close(c->to_child);
	if (c->from_child >= 0)
		close(c->from_child);
	c->to_child = -1;
	c->from_child = -1;
}

/* Child side: send @len bytes to the parent; parent side: receive them. */
static inline int pfm_child_send(struct pfm_child *c, const void *buf,
				 size_t len)
{
	return write(c->out, buf, len) == (ssize_t)len ? 0 : -1;
}

static inline int pfm_child_recv(struct pfm_child *c, void *buf, size_t len)
{
	return read(c->from_child, buf, len) == (ssize_t)len ? 0 : -1;
}

/* Parent side: send a command byte; child side: wait for one. */
static inline int pfm_child_tell(struct pfm_child *c, char cmd)
{
	return write(c->to_child, &cmd, 1) == 1 ? 0 : -1;
}

static inline int pfm_child_listen(struct pfm_child *c)
{
	char cmd;

	return read(c->in, &cmd, 1) == 1 ? cmd : -1;
}

/* Child side: is a command waiting? */
static inline bool pfm_child_told(struct pfm_child *c)
{
	struct pollfd pfd = { .fd = c->in, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/*
 * perf_event_open() of one counting event of the calling thread
 * (@pid 0, @cpu -1) or of a CPU (@pid -1), created disabled; user level
 * only when @user_only.
 */
static inline int pfm_perf_open(__u32 type, __u64 config, bool user_only,
				bool inherit, pid_t pid, int cpu)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = config;
	attr.disabled = 1;
	attr.inherit = inherit;
	attr.exclude_kernel = user_only;
	attr.exclude_hv = user_only;
	return syscall(__NR_perf_event_open, &attr, pid, cpu, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

#endif /* _PFM_TEST_H */
