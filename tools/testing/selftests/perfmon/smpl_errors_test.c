// SPDX-License-Identifier: GPL-2.0
/*
 * The sampling format interface, on any PMU: creating a context with the
 * default format and each bad argument's errno, the buffer's accounting
 * (RLIMIT_MEMLOCK, /sys/kernel/perfmon/smpl_buffer_mem_max and _cur), the
 * read-only mapping of the buffer, pfm_restart() without a notification,
 * the format in sysfs, and PFM_FL_NOTIFY_BLOCK where it cannot be used.
 * Nothing here counts anything, so every PMU description will do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "pfm_smpl.h"

#define KIB		1024UL
/* RLIMIT_MEMLOCK of the unprivileged helper, and what it asks for. */
#define MEMLOCK_LIMIT	(64 * KIB)
#define MEMLOCK_OVER	(1024 * KIB)
#define MEMLOCK_UNDER	(32 * KIB)

FIXTURE(smpl) {
	int		fd;
	void		*map;
	size_t		map_size;
	size_t		page;
	int		num_pmds;
	long long	mem_max;	/* to restore, or -1 */
	int		paranoid;	/* to restore, or INT_MIN */
	bool		ready;
};

FIXTURE_SETUP(smpl)
{
	self->fd = -1;
	self->map = NULL;
	self->map_size = 0;
	self->page = sysconf(_SC_PAGESIZE);
	self->mem_max = -1;
	self->paranoid = INT_MIN;
	self->ready = pfm_test_require(_metadata);
	if (!self->ready)
		return;
	self->num_pmds = pfm_smpl_num_pmds();
	ASSERT_LT(0, self->num_pmds) {
		TH_LOG("no %s/pmu_desc/pmd0", PFM_SYSFS_DIR);
	}
}

FIXTURE_TEARDOWN(smpl)
{
	char buf[32];
	int n, fd;

	pfm_smpl_release(self->fd, self->map, self->map_size);
	if (self->mem_max >= 0) {
		fd = open(PFM_SYSFS_DIR "/" PFM_SMPL_MEM_MAX, O_WRONLY);
		n = snprintf(buf, sizeof(buf), "%lld\n", self->mem_max);
		if (fd < 0 || write(fd, buf, n) != n)
			TH_LOG("could not restore %s to %lld", PFM_SMPL_MEM_MAX,
			       self->mem_max);
		if (fd >= 0)
			close(fd);
	}
	if (self->paranoid != INT_MIN)
		pfm_test_set_paranoid(self->paranoid);
}

/* pfm_create_context() with a format name, argument and size. */
static int create_fmt(const char *name, void *arg, size_t size)
{
	struct pfarg_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	return pfm_create_context(&ctx, (char *)name, arg, size);
}

/* Close @fd if it is one (a call expected to fail succeeded). */
static void close_if(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* errno of a create call, closing what it may have created. */
static int create_errno(int fd)
{
	int err = pfm_test_errno(fd);

	close_if(fd);
	return err;
}

static long long mem_cur(void)
{
	return pfm_test_sysfs_num(PFM_SMPL_MEM_CUR);
}

TEST_F(smpl, default_format_accepted)
{
	struct pfm_dfl_smpl_arg arg;

	if (!self->ready)
		return;
	memset(&arg, 0, sizeof(arg));
	arg.buf_size = self->page;
	self->fd = create_fmt(PFM_DFL_SMPL_NAME, &arg, sizeof(arg));
	ASSERT_LE(0, self->fd) {
		TH_LOG("create with the default format: %s", strerror(errno));
	}
	EXPECT_EQ(1, pfm_test_fd_is_perfmon(self->fd));
}

TEST_F(smpl, unknown_name_einval)
{
	static const char *const names[] = {
		"no-such-format", "", "Default", "default ", "defaul",
	};
	struct pfm_dfl_smpl_arg arg;
	char long_name[200];
	unsigned int i;

	if (!self->ready)
		return;
	memset(&arg, 0, sizeof(arg));
	arg.buf_size = self->page;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		EXPECT_EQ(EINVAL, create_errno(create_fmt(names[i], &arg,
							  sizeof(arg)))) {
			TH_LOG("format name \"%s\"", names[i]);
		}
	}
	/* Longer than any format name may be. */
	memset(long_name, 'd', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	EXPECT_EQ(EINVAL, create_errno(create_fmt(long_name, &arg,
						  sizeof(arg))));
	/* And "default" itself goes on working. */
	self->fd = create_fmt(PFM_DFL_SMPL_NAME, &arg, sizeof(arg));
	EXPECT_LE(0, self->fd);
}

TEST_F(smpl, arg_size_einval)
{
	const size_t sizes[] = {
		0, 8, sizeof(struct pfm_dfl_smpl_arg) - 1,
		sizeof(struct pfm_dfl_smpl_arg) + 1,
		sizeof(struct pfm_dfl_smpl_arg) + 8, 4096, 1 << 20,
	};
	/* Room for the largest size tried: a short copy never faults. */
	static char big[1 << 20];
	struct pfm_dfl_smpl_arg *arg = (void *)big;
	unsigned int i;

	if (!self->ready)
		return;
	arg->buf_size = self->page;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(EINVAL, create_errno(create_fmt(PFM_DFL_SMPL_NAME,
							  big, sizes[i]))) {
			TH_LOG("fmt_arg_size %zu (expected %zu)", sizes[i],
			       sizeof(*arg));
		}
	}
	EXPECT_EQ(0, create_errno(create_fmt(PFM_DFL_SMPL_NAME, big,
					     sizeof(*arg))));
}

TEST_F(smpl, null_arg_einval)
{
	struct pfm_dfl_smpl_arg arg;

	if (!self->ready)
		return;
	memset(&arg, 0, sizeof(arg));
	arg.buf_size = self->page;
	/* A name without an argument. */
	EXPECT_EQ(EINVAL, create_errno(create_fmt(PFM_DFL_SMPL_NAME, NULL,
						  sizeof(arg))));
	EXPECT_EQ(EINVAL, create_errno(create_fmt(PFM_DFL_SMPL_NAME, NULL,
						  0)));
	/* An argument (or a size) without a name. */
	EXPECT_EQ(EINVAL, create_errno(create_fmt(NULL, &arg, sizeof(arg))));
	EXPECT_EQ(EINVAL, create_errno(create_fmt(NULL, NULL, sizeof(arg))));
	EXPECT_EQ(EINVAL, create_errno(create_fmt(NULL, &arg, 0)));
	/* Neither: no format, fine. */
	EXPECT_EQ(0, create_errno(create_fmt(NULL, NULL, 0)));
}

TEST_F(smpl, bad_pointers_efault)
{
	struct pfm_dfl_smpl_arg arg;

	if (!self->ready)
		return;
	memset(&arg, 0, sizeof(arg));
	arg.buf_size = self->page;
	EXPECT_EQ(EFAULT, create_errno(create_fmt(PFM_KERNEL_PTR, &arg,
						  sizeof(arg))));
	EXPECT_EQ(EFAULT, create_errno(create_fmt(PFM_DFL_SMPL_NAME,
						  PFM_KERNEL_PTR,
						  sizeof(arg))));
}

/* Each field of the argument that must be zero. */
TEST_F(smpl, arg_fields_einval)
{
	struct pfm_dfl_smpl_arg arg;
	unsigned int i;

	if (!self->ready)
		return;
	memset(&arg, 0, sizeof(arg));
	arg.buf_size = self->page;
	arg.buf_flags = 1;
	EXPECT_EQ(EINVAL, create_errno(create_fmt(PFM_DFL_SMPL_NAME, &arg,
						  sizeof(arg))));
	arg.buf_flags = 0x80000000;
	EXPECT_EQ(EINVAL, create_errno(create_fmt(PFM_DFL_SMPL_NAME, &arg,
						  sizeof(arg))));
	arg.buf_flags = 0;
	arg.reserved1 = 1;
	EXPECT_EQ(EINVAL, create_errno(create_fmt(PFM_DFL_SMPL_NAME, &arg,
						  sizeof(arg))));
	arg.reserved1 = 0;
	for (i = 0; i < ARRAY_SIZE(arg.reserved); i++) {
		arg.reserved[i] = 1ULL << 63;
		EXPECT_EQ(EINVAL,
			  create_errno(create_fmt(PFM_DFL_SMPL_NAME, &arg,
						  sizeof(arg)))) {
			TH_LOG("reserved[%u] set", i);
		}
		arg.reserved[i] = 0;
	}
	EXPECT_EQ(0, create_errno(create_fmt(PFM_DFL_SMPL_NAME, &arg,
					     sizeof(arg))));
}

/* The buffer must hold the header and one entry with every PMD. */
TEST_F(smpl, buffer_too_small_einval)
{
	long long cur;
	__u64 min;

	if (!self->ready)
		return;
	min = pfm_smpl_min_size(self->num_pmds);
	cur = mem_cur();
	EXPECT_EQ(EINVAL, create_errno(pfm_smpl_create(0, 0)));
	EXPECT_EQ(EINVAL, create_errno(pfm_smpl_create(0, 1)));
	EXPECT_EQ(EINVAL,
		  create_errno(pfm_smpl_create(0, sizeof(struct pfm_dfl_smpl_hdr))));
	EXPECT_EQ(EINVAL, create_errno(pfm_smpl_create(0, min - 1))) {
		TH_LOG("buf_size %llu, the minimum is %llu with %d PMDs",
		       min - 1, min, self->num_pmds);
	}
	EXPECT_EQ(cur, mem_cur());
	self->fd = pfm_smpl_create(0, min);
	EXPECT_LE(0, self->fd) {
		TH_LOG("buf_size %llu (the minimum): %s", min, strerror(errno));
	}
}

/* What a new buffer's header says. */
TEST_F(smpl, header_initialized)
{
	size_t size = 3 * self->page + 1, alloc = 4 * self->page;
	const struct pfm_dfl_smpl_hdr *h;
	long long cur0, cur1;
	const char *p;
	size_t i;

	if (!self->ready)
		return;
	cur0 = mem_cur();
	ASSERT_LE(0, cur0);
	self->fd = pfm_smpl_create(0, size);
	ASSERT_LE(0, self->fd);
	cur1 = mem_cur();
	/* Charged in whole pages. */
	EXPECT_EQ(cur0 + (long long)alloc, cur1);
	self->map_size = alloc;
	self->map = pfm_smpl_map(self->fd, alloc);
	ASSERT_NE(NULL, self->map) {
		TH_LOG("mmap %zu: %s", alloc, strerror(errno));
	}
	h = self->map;
	EXPECT_EQ(PFM_DFL_SMPL_VERSION, h->hdr_version);
	EXPECT_EQ(alloc, h->hdr_buf_size);
	EXPECT_EQ(0, h->hdr_count);
	EXPECT_EQ(sizeof(*h), h->hdr_cur_offs);
	EXPECT_EQ(0, h->hdr_overflows);
	EXPECT_EQ(sizeof(struct pfm_dfl_smpl_entry) +
		  self->num_pmds * sizeof(__u64), h->hdr_min_buf_space);
	EXPECT_EQ(0, h->hdr_buf_flags);
	for (i = 0; i < ARRAY_SIZE(h->hdr_reserved); i++)
		EXPECT_EQ(0, h->hdr_reserved[i]);
	/* The rest is zeroed memory: nothing from elsewhere shows. */
	p = self->map;
	for (i = sizeof(*h); i < alloc; i++)
		if (p[i])
			break;
	EXPECT_EQ(alloc, i) {
		TH_LOG("byte %zu of a new buffer is %#x", i, p[i]);
	}
}

/*
 * RLIMIT_MEMLOCK, in a helper without CAP_IPC_LOCK (uid nobody): a buffer
 * over the limit is ENOMEM and charges nothing; one under it works.
 */
struct memlock_result {
	int		stage;		/* how far the helper got */
	int		over_err;	/* errno of the MEMLOCK_OVER buffer */
	int		under_err;	/* errno of the MEMLOCK_UNDER buffer */
	long long	cur_before;
	long long	cur_after;
};

static void memlock_helper(struct memlock_result *r)
{
	struct rlimit rl = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
	int fd;

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		_exit(1);
	r->stage = 1;
	if (pfm_test_drop_privs(PFM_NOBODY_ID))
		_exit(1);
	r->stage = 2;
	r->cur_before = mem_cur();
	fd = pfm_smpl_create(0, MEMLOCK_OVER);
	r->over_err = pfm_test_errno(fd);
	close_if(fd);
	r->cur_after = mem_cur();
	r->stage = 3;
	fd = pfm_smpl_create(0, MEMLOCK_UNDER);
	r->under_err = pfm_test_errno(fd);
	close_if(fd);
	r->stage = 4;
	_exit(0);
}

TEST_F(smpl, rlimit_memlock_enomem)
{
	struct memlock_result *r;
	long long cur;
	int status, paranoid;
	pid_t pid;

	if (!self->ready)
		return;
	if (geteuid() != 0)
		SKIP(return, "needs root to drop to nobody");
	/* nobody may use perfmon at all only at paranoid <= 2. */
	paranoid = pfm_test_get_paranoid();
	if (paranoid > 2) {
		self->paranoid = paranoid;
		ASSERT_EQ(0, pfm_test_set_paranoid(2));
	}
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	memset(r, 0, sizeof(*r));
	cur = mem_cur();
	ASSERT_LE(0, cur);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		memlock_helper(r);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(4, r->stage) {
		TH_LOG("helper stopped at stage %d", r->stage);
	}
	EXPECT_EQ(ENOMEM, r->over_err) {
		TH_LOG("%lu KiB buffer with RLIMIT_MEMLOCK %lu KiB: %s",
		       MEMLOCK_OVER / KIB, MEMLOCK_LIMIT / KIB,
		       r->over_err ? strerror(r->over_err) : "created");
	}
	EXPECT_EQ(r->cur_before, r->cur_after) {
		TH_LOG("%s changed by a refused buffer", PFM_SMPL_MEM_CUR);
	}
	EXPECT_EQ(0, r->under_err) {
		TH_LOG("%lu KiB buffer with RLIMIT_MEMLOCK %lu KiB: %s",
		       MEMLOCK_UNDER / KIB, MEMLOCK_LIMIT / KIB,
		       strerror(r->under_err));
	}
	/* All of it given back. */
	EXPECT_EQ(cur, mem_cur());
	munmap(r, sizeof(*r));
}

/* The machine-wide cap, smpl_buffer_mem_max (root may lower it). */
TEST_F(smpl, global_cap_enomem)
{
	long long cur, max;
	char buf[32];
	int fd, n, fd2;

	if (!self->ready)
		return;
	if (geteuid() != 0)
		SKIP(return, "needs root to write %s", PFM_SMPL_MEM_MAX);
	max = pfm_test_sysfs_num(PFM_SMPL_MEM_MAX);
	cur = mem_cur();
	ASSERT_LE(0, max);
	ASSERT_LE(0, cur);
	EXPECT_LE(cur, max);
	/* Room for exactly two pages more. */
	fd = open(PFM_SYSFS_DIR "/" PFM_SMPL_MEM_MAX, O_WRONLY);
	ASSERT_LE(0, fd);
	self->mem_max = max;
	n = snprintf(buf, sizeof(buf), "%lld\n",
		     cur + 2 * (long long)self->page);
	ASSERT_EQ(n, write(fd, buf, n));
	close(fd);
	EXPECT_EQ(cur + 2 * (long long)self->page,
		  pfm_test_sysfs_num(PFM_SMPL_MEM_MAX));

	EXPECT_EQ(ENOMEM, create_errno(pfm_smpl_create(0, 3 * self->page)));
	EXPECT_EQ(cur, mem_cur());
	self->fd = pfm_smpl_create(0, 2 * self->page);
	ASSERT_LE(0, self->fd) {
		TH_LOG("two pages under a cap of two pages: %s",
		       strerror(errno));
	}
	EXPECT_EQ(cur + 2 * (long long)self->page, mem_cur());
	/* Nothing left: even the smallest buffer is refused. */
	fd2 = pfm_smpl_create(0, pfm_smpl_min_size(self->num_pmds));
	EXPECT_EQ(ENOMEM, create_errno(fd2));
	/* A context without a buffer needs none of it. */
	EXPECT_EQ(0, create_errno(pfm_test_create(0)));
}

/* Restart without a notification: EBUSY when loaded, EINVAL when not. */
TEST_F(smpl, restart_without_notification)
{
	int with_format;

	if (!self->ready)
		return;
	for (with_format = 0; with_format < 2; with_format++) {
		self->fd = with_format ? pfm_smpl_create(0, self->page) :
					 pfm_test_create(0);
		ASSERT_LE(0, self->fd);
		EXPECT_EQ(EINVAL, pfm_test_errno(pfm_restart(self->fd)));
		ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
		EXPECT_EQ(EBUSY, pfm_test_errno(pfm_restart(self->fd)));
		ASSERT_EQ(0, pfm_start(self->fd, NULL));
		EXPECT_EQ(EBUSY, pfm_test_errno(pfm_restart(self->fd)));
		ASSERT_EQ(0, pfm_stop(self->fd));
		EXPECT_EQ(EBUSY, pfm_test_errno(pfm_restart(self->fd)));
		ASSERT_EQ(0, pfm_unload_context(self->fd));
		EXPECT_EQ(EINVAL, pfm_test_errno(pfm_restart(self->fd)));
		close(self->fd);
		self->fd = -1;
	}
}

/* mmap() of a context that has no sampling buffer. */
TEST_F(smpl, mmap_without_buffer_einval)
{
	void *p;

	if (!self->ready)
		return;
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	if (p != MAP_FAILED)
		munmap(p, self->page);
	p = mmap(NULL, self->page, PROT_READ, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	if (p != MAP_FAILED)
		munmap(p, self->page);
}

/* errno of mmap(@len, @prot, @flags, @off) of @fd; 0 (unmapped) if it worked. */
static int mmap_errno(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

/* Only read-only mappings, never writable or executable. */
TEST_F(smpl, mmap_prot_eacces)
{
	static const struct {
		int		prot;
		int		flags;
		const char	*what;
	} bad[] = {
		{ PROT_WRITE, MAP_SHARED, "PROT_WRITE shared" },
		{ PROT_READ | PROT_WRITE, MAP_SHARED, "PROT_READ|PROT_WRITE shared" },
		{ PROT_READ | PROT_WRITE, MAP_PRIVATE, "PROT_READ|PROT_WRITE private" },
		{ PROT_EXEC, MAP_SHARED, "PROT_EXEC shared" },
		{ PROT_READ | PROT_EXEC, MAP_SHARED, "PROT_READ|PROT_EXEC shared" },
		{ PROT_READ | PROT_EXEC, MAP_PRIVATE, "PROT_READ|PROT_EXEC private" },
	};
	size_t size = 2 * self->page;
	unsigned int i;

	if (!self->ready)
		return;
	self->fd = pfm_smpl_create(0, size);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EACCES, mmap_errno(self->fd, size, bad[i].prot,
					     bad[i].flags, 0)) {
			TH_LOG("%s", bad[i].what);
		}
	}
	EXPECT_EQ(0, mmap_errno(self->fd, size, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(0, mmap_errno(self->fd, size, PROT_READ, MAP_PRIVATE, 0));
}

/* A read-only mapping cannot be made writable or executable later. */
TEST_F(smpl, mprotect_eacces)
{
	const int kinds[] = { MAP_SHARED, MAP_PRIVATE };
	size_t size = 2 * self->page;
	const struct pfm_dfl_smpl_hdr *h;
	unsigned int k;
	int ret;

	if (!self->ready)
		return;
	self->fd = pfm_smpl_create(0, size);
	ASSERT_LE(0, self->fd);
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		self->map_size = size;
		self->map = mmap(NULL, size, PROT_READ, kinds[k], self->fd, 0);
		ASSERT_NE(MAP_FAILED, self->map);
		ret = mprotect(self->map, size, PROT_READ | PROT_WRITE);
		EXPECT_EQ(EACCES, pfm_test_errno(ret));
		ret = mprotect(self->map, self->page, PROT_WRITE);
		EXPECT_EQ(EACCES, pfm_test_errno(ret));
		ret = mprotect(self->map, size, PROT_READ | PROT_EXEC);
		EXPECT_EQ(EACCES, pfm_test_errno(ret));
		/* Still the buffer, still readable. */
		h = self->map;
		EXPECT_EQ(PFM_DFL_SMPL_VERSION, h->hdr_version);
		EXPECT_EQ(0, mprotect(self->map, size, PROT_NONE));
		EXPECT_EQ(0, mprotect(self->map, size, PROT_READ));
		EXPECT_EQ(size, h->hdr_buf_size);
		munmap(self->map, size);
		self->map = NULL;
	}
}

/* Size and offset: at most the buffer, from its start. */
TEST_F(smpl, mmap_size_offset_einval)
{
	const int kinds[] = { MAP_SHARED, MAP_PRIVATE };
	size_t size = 2 * self->page;
	unsigned int k;
	int fl;

	if (!self->ready)
		return;
	self->fd = pfm_smpl_create(0, size);
	ASSERT_LE(0, self->fd);
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		fl = kinds[k];
		EXPECT_EQ(EINVAL, mmap_errno(self->fd, size + self->page,
					     PROT_READ, fl, 0));
		EXPECT_EQ(EINVAL, mmap_errno(self->fd, 64 * size, PROT_READ,
					     fl, 0));
		EXPECT_EQ(EINVAL, mmap_errno(self->fd, self->page, PROT_READ,
					     fl, self->page));
		EXPECT_EQ(EINVAL, mmap_errno(self->fd, size, PROT_READ, fl,
					     self->page));
		/* Part of it, from the start, is fine. */
		EXPECT_EQ(0, mmap_errno(self->fd, self->page, PROT_READ, fl,
					0));
		EXPECT_EQ(0, mmap_errno(self->fd, size, PROT_READ, fl, 0));
	}
}

/*
 * The mapping outlives the fd; the buffer's memory goes back to
 * smpl_buffer_mem_cur once both are gone, whichever goes first.
 */
TEST_F(smpl, mapping_outlives_fd)
{
	size_t size = 3 * self->page;
	const struct pfm_dfl_smpl_hdr *h;
	long long cur0, cur1;
	int fd_first;

	if (!self->ready)
		return;
	for (fd_first = 1; fd_first >= 0; fd_first--) {
		cur0 = mem_cur();
		ASSERT_LE(0, cur0);
		self->fd = pfm_smpl_create(0, size);
		ASSERT_LE(0, self->fd);
		cur1 = mem_cur();
		EXPECT_EQ(cur0 + (long long)size, cur1);
		self->map_size = size;
		self->map = pfm_smpl_map(self->fd, size);
		ASSERT_NE(NULL, self->map);
		h = self->map;
		if (fd_first) {
			ASSERT_EQ(0, close(self->fd));
			self->fd = -1;
			EXPECT_EQ(PFM_DFL_SMPL_VERSION, h->hdr_version);
			EXPECT_EQ(size, h->hdr_buf_size);
			EXPECT_EQ(sizeof(*h), h->hdr_cur_offs);
			/* Still allocated while mapped. */
			EXPECT_EQ(cur1, mem_cur());
			ASSERT_EQ(0, munmap(self->map, size));
			self->map = NULL;
		} else {
			ASSERT_EQ(0, munmap(self->map, size));
			self->map = NULL;
			EXPECT_EQ(cur1, mem_cur());
			ASSERT_EQ(0, close(self->fd));
			self->fd = -1;
		}
		EXPECT_EQ(cur0, mem_cur()) {
			TH_LOG("%s first: %lld bytes still accounted",
			       fd_first ? "fd" : "mapping", mem_cur() - cur0);
		}
	}
}

TEST_F(smpl, format_in_sysfs)
{
	char buf[64];

	if (!self->ready)
		return;
	ASSERT_LT(0, pfm_test_read_attr(PFM_FMT_DIR "/" PFM_DFL_SMPL_NAME
					"/version", buf, sizeof(buf))) {
		TH_LOG("%s/%s/version: %s", PFM_FMT_DIR, PFM_DFL_SMPL_NAME,
		       strerror(errno));
	}
	EXPECT_STREQ("1.0\n", buf);
	/* No directory for a format that does not exist. */
	EXPECT_NE(0, access(PFM_FMT_DIR "/no-such-format", F_OK));
}

/* Blocking notification: only for another thread. */
TEST_F(smpl, notify_block_refused)
{
	int with_format, ret;

	if (!self->ready)
		return;
	for (with_format = 0; with_format < 2; with_format++) {
		self->fd = with_format ?
			   pfm_smpl_create(PFM_FL_NOTIFY_BLOCK, self->page) :
			   pfm_test_create(PFM_FL_NOTIFY_BLOCK);
		ASSERT_LE(0, self->fd) {
			TH_LOG("create with PFM_FL_NOTIFY_BLOCK: %s",
			       strerror(errno));
		}
		ret = pfm_test_load(self->fd, pfm_test_gettid());
		EXPECT_EQ(EINVAL, pfm_test_errno(ret));
		close(self->fd);
		self->fd = -1;
		/* Refused at create with PFM_FL_SYSTEM_WIDE. */
		if (geteuid() != 0)
			continue;
		EXPECT_EQ(EINVAL, create_errno(with_format ?
			pfm_smpl_create(PFM_FL_NOTIFY_BLOCK |
					PFM_FL_SYSTEM_WIDE, self->page) :
			pfm_test_create(PFM_FL_NOTIFY_BLOCK |
					PFM_FL_SYSTEM_WIDE)));
	}
}

TEST_HARNESS_MAIN
