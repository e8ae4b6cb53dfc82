/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leak check shared by the perfmon selftests: run windows of cycles of an
 * operation and watch the bytes held by live slab objects.
 *
 * What is measured: the sum of active_objs * objsize over /proc/slabinfo
 * (present with CONFIG_SLUB_DEBUG, readable by root), else the Slab: line
 * of /proc/meminfo (whole slab pages).
 *
 * Before each measure pfm_leak_flush() shrinks every slab cache through
 * /sys/kernel/slab/<cache>/shrink (root, SLUB): that empties the per-CPU
 * slabs, whose free objects slabinfo counts as active, and the cache's part
 * of the KASAN quarantine of debug kernels, which otherwise keeps up to 1/32
 * of RAM of freed objects and releases it in batches of its own timing.
 * Then active objects are live objects, and what noise is left is small
 * and bounded whatever the number of cycles:
 * - frees deferred to the end of an RCU grace period (struct file, task
 *   structures): pfm_leak_settle() waits until the value stops moving;
 * - objects allocated and freed on other CPUs meanwhile.
 * Without the shrink files (no SLUB sysfs, not root) the quarantine and the
 * per-CPU slabs add noise that is bounded but large: a window of a debug
 * kernel under TCG then reads anything from -1 MB to +1.3 MB (the
 * quarantine's per-CPU lists hold up to 1 MiB each), and a slow host could
 * spend the whole time budget without one quiet window. With the shrink,
 * windows read within +-100 KB and the first one usually passes.
 *
 * A leak grows in every window, bounded noise does not. So the check passes
 * on the first window that grows by less than the threshold, and fails if
 * none has after windows_max windows or budget_s seconds.
 */
#ifndef _PFM_LEAK_H
#define _PFM_LEAK_H

#include <dirent.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>

#include "pfm_test.h"

/* pfm_leak_settle(): poll until two reads SETTLE_SLACK apart. */
#define PFM_LEAK_SETTLE_US	50000
#define PFM_LEAK_SETTLE_TRIES	40
#define PFM_LEAK_SETTLE_SLACK	4096
/* pfm_leak_flush() rounds before giving up on two drained reads agreeing */
#define PFM_LEAK_FLUSH_TRIES	4

/**
 * struct pfm_leak_meter - where slab usage is read from
 * @fd: /proc/slabinfo or /proc/meminfo, opened once: a test may measure
 *	with no fd to spare
 * @slabinfo: @fd is /proc/slabinfo
 * @shrunk: caches the last pfm_leak_flush() shrank
 * @flush_ms: time the last pfm_leak_settle() spent shrinking them
 */
struct pfm_leak_meter {
	int	fd;
	bool	slabinfo;
	int	shrunk;
	long	flush_ms;
};

/**
 * struct pfm_leak_params - how a leak check runs
 * @cycles: cycles per window
 * @warmup: cycles run before the first measure
 * @threshold: a window that grows by this many bytes or more "grew"
 * @windows_max: windows before giving up
 * @budget_s: seconds before giving up
 */
struct pfm_leak_params {
	int		cycles;
	int		warmup;
	long long	threshold;
	int		windows_max;
	int		budget_s;
};

/* Set by a cycle that fails, to say why; printed with its return value. */
static char pfm_leak_why[256];

static char pfm_leak_stats[128 * 1024];

/* Open the meter: 0, or -1 when neither file is readable. */
static inline int pfm_leak_open(struct pfm_leak_meter *m)
{
	m->fd = open("/proc/slabinfo", O_RDONLY | O_CLOEXEC);
	m->slabinfo = m->fd >= 0;
	if (m->fd < 0)
		m->fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	return m->fd < 0 ? -1 : 0;
}

static inline void pfm_leak_close(struct pfm_leak_meter *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/* Slab bytes in use now, or -1. */
static inline long long pfm_leak_bytes(struct pfm_leak_meter *m)
{
	unsigned long long active, num, size;
	char *line, *p, *stats = pfm_leak_stats;
	long long total = 0;
	size_t len = 0;
	ssize_t n;

	if (lseek(m->fd, 0, SEEK_SET) < 0)
		return -1;
	while (len < sizeof(pfm_leak_stats) - 1) {
		n = read(m->fd, stats + len, sizeof(pfm_leak_stats) - 1 - len);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += n;
	}
	stats[len] = '\0';

	if (!m->slabinfo) {
		p = strstr(stats, "\nSlab:");
		if (!p || sscanf(p + 1, "Slab: %llu kB", &size) != 1)
			return -1;
		return size * 1024;
	}
	for (line = strtok_r(stats, "\n", &p); line;
	     line = strtok_r(NULL, "\n", &p)) {
		if (sscanf(line, "%*s %llu %llu %llu", &active, &num,
			   &size) == 3)
			total += active * size;
	}
	return total;
}

/*
 * Shrink every slab cache (kmem_cache_shrink(): per-CPU slabs flushed,
 * KASAN quarantine drained for that cache). Merged caches appear once as a
 * directory and again as symlinks, which are skipped. Best effort. A test
 * of fd exhaustion runs with RLIMIT_NOFILE at its fd count: the soft limit
 * is raised to the hard one while shrinking, for the two fds it takes.
 */
static inline void pfm_leak_flush(struct pfm_leak_meter *m)
{
	char path[NAME_MAX + sizeof("/shrink")];
	struct rlimit saved, open_files;
	struct dirent *d;
	DIR *slabs;
	int fd;

	m->shrunk = 0;
	if (getrlimit(RLIMIT_NOFILE, &saved))
		return;
	open_files = saved;
	open_files.rlim_cur = saved.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &open_files))
		return;
	slabs = opendir("/sys/kernel/slab");
	if (!slabs)
		goto restore_limit;
	while ((d = readdir(slabs))) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/shrink", d->d_name);
		fd = openat(dirfd(slabs), path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* A cache that cannot shrink is measured as it is. */
		if (write(fd, "1", 1) == 1)
			m->shrunk++;
		close(fd);
	}
	closedir(slabs);
restore_limit:
	setrlimit(RLIMIT_NOFILE, &saved);
}

/*
 * Wait for deferred frees to land, then drain the caches and return
 * pfm_leak_bytes(). A drain costs seconds on a debug kernel under TCG,
 * so it runs only until two drained reads agree.
 */
static inline long long pfm_leak_settle(struct pfm_leak_meter *m)
{
	long long prev = pfm_leak_bytes(m), cur = prev;
	struct timespec t0, t;
	int i;

	for (i = 0; i < PFM_LEAK_SETTLE_TRIES && cur >= 0; i++) {
		usleep(PFM_LEAK_SETTLE_US);
		cur = pfm_leak_bytes(m);
		if (llabs(cur - prev) <= PFM_LEAK_SETTLE_SLACK)
			break;
		prev = cur;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < PFM_LEAK_FLUSH_TRIES && cur >= 0; i++) {
		pfm_leak_flush(m);
		if (!m->shrunk)
			break;
		prev = cur;
		cur = pfm_leak_bytes(m);
		if (i && llabs(cur - prev) <= PFM_LEAK_SETTLE_SLACK)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	m->flush_ms = (t.tv_sec - t0.tv_sec) * 1000 +
		      (t.tv_nsec - t0.tv_nsec) / 1000000;
	return cur;
}

static inline void pfm_leak_log_error(struct __test_metadata *_metadata,
				      int i, int ret)
{
	TH_LOG("cycle %d failed: %s (%d)", i,
	       pfm_leak_why[0] ? pfm_leak_why : strerror(ret), ret);
}

/*
 * Run windows of @p->cycles calls to @cycle(i, @arg) until one does not
 * grow. @cycle returns 0, or non-zero (an errno value, or anything with
 * pfm_leak_why set) to fail the test.
 */
static inline void pfm_leak_check(struct __test_metadata *_metadata,
				  struct pfm_leak_meter *m,
				  const struct pfm_leak_params *p,
				  int (*cycle)(int i, void *arg), void *arg)
{
	long long base, now, growth = 0;
	struct timespec t0, t;
	int i, w, ret;

	pfm_leak_why[0] = '\0';
	for (i = 0; i < p->warmup; i++) {
		ret = cycle(i, arg);
		ASSERT_EQ(0, ret) {
			pfm_leak_log_error(_metadata, i, ret);
		}
	}
	base = pfm_leak_settle(m);
	ASSERT_LE(0, base);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (w = 1; w <= p->windows_max; w++) {
		for (i = 0; i < p->cycles; i++) {
			ret = cycle(i, arg);
			ASSERT_EQ(0, ret) {
				pfm_leak_log_error(_metadata, i, ret);
			}
		}
		now = pfm_leak_settle(m);
		ASSERT_LE(0, now);
		growth = now - base;
		clock_gettime(CLOCK_MONOTONIC, &t);
		TH_LOG("window %d: %+lld bytes of %s, %d cycles (%lds; shrink %d caches: %ld ms)",
		       w, growth, m->slabinfo ? "slab objects" : "slab pages",
		       p->cycles, (long)(t.tv_sec - t0.tv_sec), m->shrunk,
		       m->flush_ms);
		if (growth < p->threshold)
			return;
		if (t.tv_sec - t0.tv_sec >= p->budget_s)
			break;
		base = now;
	}
	EXPECT_GT(p->threshold, growth) {
		TH_LOG("grew by at least %lld bytes in each of %d windows: a leak",
		       p->threshold, w > p->windows_max ? p->windows_max : w);
	}
}

#endif /* _PFM_LEAK_H */
