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
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "pfmlib_sys.h"

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

#endif /* _PFM_TEST_H */
