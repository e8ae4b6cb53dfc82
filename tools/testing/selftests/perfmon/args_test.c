// SPDX-License-Identifier: GPL-2.0
/*
 * Argument checks of the eleven calls that take a context fd.
 *
 * A call whose arguments pass every check is then made: from P2 on, on
 * a fresh (UNLOADED) context, the register calls, load and unload succeed,
 * start, stop and restart answer EINVAL (nothing loaded). The event set
 * calls get zeroed elements, which name set 0: creating (changing) it and
 * reading it succeed, deleting it is refused (EINVAL), and so is a vector
 * naming it twice. state_test.c covers every state. ENOSYS would mean a
 * kernel without perfmon, and those tests skip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "pfm_test.h"

/* Each fd-taking call, made on @fd with otherwise valid arguments. */

static int call_write_pmcs(int fd)
{
	struct pfarg_pmc pmc;

	memset(&pmc, 0, sizeof(pmc));
	return pfm_write_pmcs(fd, &pmc, 1);
}

static int call_write_pmds(int fd)
{
	struct pfarg_pmd pmd;

	memset(&pmd, 0, sizeof(pmd));
	return pfm_write_pmds(fd, &pmd, 1);
}

static int call_read_pmds(int fd)
{
	struct pfarg_pmd pmd;

	memset(&pmd, 0, sizeof(pmd));
	return pfm_read_pmds(fd, &pmd, 1);
}

static int call_load_context(int fd)
{
	struct pfarg_load load;

	memset(&load, 0, sizeof(load));
	load.load_pid = getpid();
	return pfm_load_context(fd, &load);
}

static int call_start(int fd)
{
	return pfm_start(fd, NULL);
}

static int call_stop(int fd)
{
	return pfm_stop(fd);
}

static int call_restart(int fd)
{
	return pfm_restart(fd);
}

static int call_create_evtsets(int fd)
{
	struct pfarg_setdesc setd;

	memset(&setd, 0, sizeof(setd));
	return pfm_create_evtsets(fd, &setd, 1);
}

static int call_getinfo_evtsets(int fd)
{
	struct pfarg_setinfo info;

	memset(&info, 0, sizeof(info));
	return pfm_getinfo_evtsets(fd, &info, 1);
}

static int call_delete_evtsets(int fd)
{
	struct pfarg_setdesc setd;

	memset(&setd, 0, sizeof(setd));
	return pfm_delete_evtsets(fd, &setd, 1);
}

static int call_unload_context(int fd)
{
	return pfm_unload_context(fd);
}

FIXTURE(fdcall) {
	int	fd;
};

FIXTURE_VARIANT(fdcall) {
	int	(*call)(int fd);
	int	valid_errno;	/* valid arguments, fresh context */
};

FIXTURE_VARIANT_ADD(fdcall, write_pmcs) {
	.call = call_write_pmcs,
};

FIXTURE_VARIANT_ADD(fdcall, write_pmds) {
	.call = call_write_pmds,
};

FIXTURE_VARIANT_ADD(fdcall, read_pmds) {
	.call = call_read_pmds,
};

FIXTURE_VARIANT_ADD(fdcall, load_context) {
	.call = call_load_context,
};

FIXTURE_VARIANT_ADD(fdcall, start) {
	.call = call_start,
	.valid_errno = EINVAL,
};

FIXTURE_VARIANT_ADD(fdcall, stop) {
	.call = call_stop,
	.valid_errno = EINVAL,
};

FIXTURE_VARIANT_ADD(fdcall, restart) {
	.call = call_restart,
	.valid_errno = EINVAL,
};

FIXTURE_VARIANT_ADD(fdcall, create_evtsets) {
	.call = call_create_evtsets,
	.valid_errno = 0,
};

FIXTURE_VARIANT_ADD(fdcall, getinfo_evtsets) {
	.call = call_getinfo_evtsets,
	.valid_errno = 0,
};

FIXTURE_VARIANT_ADD(fdcall, delete_evtsets) {
	.call = call_delete_evtsets,
	.valid_errno = EINVAL,
};

FIXTURE_VARIANT_ADD(fdcall, unload_context) {
	.call = call_unload_context,
};

FIXTURE_SETUP(fdcall)
{
	self->fd = -1;
	if (!pfm_test_require(_metadata))
		return;
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(fdcall)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(fdcall, ebadf_fd_minus1)
{
	if (!pfm_test_require(_metadata))
		return;
	EXPECT_EQ(EBADF, pfm_test_errno(variant->call(-1)));
}

TEST_F(fdcall, ebadf_closed_fd)
{
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	EXPECT_EQ(EBADF, pfm_test_errno(variant->call(pfm_test_closed_fd())));

	/* A context fd, once closed, is just as dead. */
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(EBADF, pfm_test_errno(variant->call(fd)));
}

TEST_F(fdcall, einval_not_a_context)
{
	int pipefd[2], nullfd, evfd;

	if (!pfm_test_require(_metadata))
		return;
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nullfd);
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	/* Another anonymous inode: the file operations tell them apart. */
	evfd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, evfd);

	EXPECT_EQ(EINVAL, pfm_test_errno(variant->call(nullfd))) {
		TH_LOG("/dev/null");
	}
	EXPECT_EQ(EINVAL, pfm_test_errno(variant->call(pipefd[0]))) {
		TH_LOG("pipe");
	}
	EXPECT_EQ(EINVAL, pfm_test_errno(variant->call(evfd))) {
		TH_LOG("eventfd");
	}

	close(evfd);
	close(pipefd[0]);
	close(pipefd[1]);
	close(nullfd);
}

/* Argument checks pass, the call is made on an UNLOADED context. */
TEST_F(fdcall, valid_args)
{
	if (!pfm_test_require(_metadata))
		return;
	EXPECT_EQ(variant->valid_errno,
		  pfm_test_errno(variant->call(self->fd)));
}

/* The six vector calls, on a vector of @n elements at @v. */

static int vec_write_pmcs(int fd, void *v, int n)
{
	return pfm_write_pmcs(fd, v, n);
}

static int vec_write_pmds(int fd, void *v, int n)
{
	return pfm_write_pmds(fd, v, n);
}

static int vec_read_pmds(int fd, void *v, int n)
{
	return pfm_read_pmds(fd, v, n);
}

static int vec_create_evtsets(int fd, void *v, int n)
{
	return pfm_create_evtsets(fd, v, n);
}

static int vec_getinfo_evtsets(int fd, void *v, int n)
{
	return pfm_getinfo_evtsets(fd, v, n);
}

static int vec_delete_evtsets(int fd, void *v, int n)
{
	return pfm_delete_evtsets(fd, v, n);
}

FIXTURE(vec) {
	int		fd;
	struct pfm_guard g;
};

FIXTURE_VARIANT(vec) {
	int	(*call)(int fd, void *v, int n);
	size_t	elem;
	int	valid_errno;	/* zeroed elements (register 0, set 0) */
};

FIXTURE_VARIANT_ADD(vec, write_pmcs) {
	.call = vec_write_pmcs,
	.elem = sizeof(struct pfarg_pmc),
};

FIXTURE_VARIANT_ADD(vec, write_pmds) {
	.call = vec_write_pmds,
	.elem = sizeof(struct pfarg_pmd),
};

FIXTURE_VARIANT_ADD(vec, read_pmds) {
	.call = vec_read_pmds,
	.elem = sizeof(struct pfarg_pmd),
};

FIXTURE_VARIANT_ADD(vec, create_evtsets) {
	.call = vec_create_evtsets,
	.elem = sizeof(struct pfarg_setdesc),
	.valid_errno = EINVAL,		/* set 0 named twice */
};

FIXTURE_VARIANT_ADD(vec, getinfo_evtsets) {
	.call = vec_getinfo_evtsets,
	.elem = sizeof(struct pfarg_setinfo),
	.valid_errno = 0,
};

FIXTURE_VARIANT_ADD(vec, delete_evtsets) {
	.call = vec_delete_evtsets,
	.elem = sizeof(struct pfarg_setdesc),
	.valid_errno = EINVAL,		/* set 0 cannot go */
};

FIXTURE_SETUP(vec)
{
	self->fd = -1;
	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, pfm_guard_init(&self->g));
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(vec)
{
	if (self->fd >= 0)
		close(self->fd);
	pfm_guard_fini(&self->g);
}

/* Start of a vector of @n zeroed elements ending at the guard page. */
static void *vec_at_guard(struct pfm_guard *g, size_t elem, int n)
{
	return pfm_guard_end(g) - n * elem;
}

TEST_F(vec, einval_negative_n)
{
	void *v;

	if (!pfm_test_require(_metadata))
		return;
	v = vec_at_guard(&self->g, variant->elem, 1);
	EXPECT_EQ(EINVAL, pfm_test_errno(variant->call(self->fd, v, -1)));
	EXPECT_EQ(EINVAL, pfm_test_errno(variant->call(self->fd, v, INT_MIN)));
}

/* Refused on its size alone: the kernel must not read the vector. */
TEST_F(vec, e2big_n_over_limit)
{
	int limit = PFM_VEC_MAX_BYTES / variant->elem;
	void *v;

	if (!pfm_test_require(_metadata))
		return;
	v = vec_at_guard(&self->g, variant->elem, 1);
	EXPECT_EQ(E2BIG, pfm_test_errno(variant->call(self->fd, v, limit + 1)));
	EXPECT_EQ(E2BIG, pfm_test_errno(variant->call(self->fd, v, INT_MAX)));
	EXPECT_EQ(E2BIG,
		  pfm_test_errno(variant->call(self->fd, NULL, INT_MAX)));
}

/* The largest vector passes the checks, and the call is made. */
TEST_F(vec, n_at_limit_accepted)
{
	int limit = PFM_VEC_MAX_BYTES / variant->elem;
	void *v;

	if (!pfm_test_require(_metadata))
		return;
	v = calloc(limit, variant->elem);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(variant->valid_errno,
		  pfm_test_errno(variant->call(self->fd, v, limit)));
	free(v);
}

TEST_F(vec, efault_bad_vector)
{
	if (!pfm_test_require(_metadata))
		return;
	EXPECT_EQ(EFAULT, pfm_test_errno(variant->call(self->fd, NULL, 1)));
	EXPECT_EQ(EFAULT, pfm_test_errno(variant->call(self->fd,
						       pfm_guard_end(&self->g),
						       1)));
	EXPECT_EQ(EFAULT, pfm_test_errno(variant->call(self->fd,
						       PFM_KERNEL_PTR, 1)));
}

/* Every byte of every element is read: the last one faults here. */
TEST_F(vec, efault_vector_crosses_guard)
{
	char *v;

	if (!pfm_test_require(_metadata))
		return;
	v = vec_at_guard(&self->g, variant->elem, 2);
	EXPECT_EQ(EFAULT, pfm_test_errno(variant->call(self->fd, v + 1, 2)));
}

/* n elements of sizeof(elem) bytes are read, and no more. */
TEST_F(vec, vector_ends_at_guard)
{
	void *v;

	if (!pfm_test_require(_metadata))
		return;
	v = vec_at_guard(&self->g, variant->elem, 2);
	EXPECT_EQ(variant->valid_errno,
		  pfm_test_errno(variant->call(self->fd, v, 2)));
}

/* pfm_load_context() and pfm_start() take one structure each. */

FIXTURE(ctx) {
	int		fd;
	struct pfm_guard g;
};

FIXTURE_SETUP(ctx)
{
	self->fd = -1;
	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, pfm_guard_init(&self->g));
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ctx)
{
	if (self->fd >= 0)
		close(self->fd);
	pfm_guard_fini(&self->g);
}

TEST_F(ctx, load_efault)
{
	char *end;

	if (!pfm_test_require(_metadata))
		return;
	end = pfm_guard_end(&self->g);
	EXPECT_EQ(EFAULT, pfm_test_errno(pfm_load_context(self->fd, NULL)));
	EXPECT_EQ(EFAULT, pfm_test_errno(pfm_load_context(self->fd,
							  (void *)end)));
	end -= sizeof(struct pfarg_load) - 1;
	EXPECT_EQ(EFAULT, pfm_test_errno(pfm_load_context(self->fd,
							  (void *)end)));
	EXPECT_EQ(EFAULT, pfm_test_errno(pfm_load_context(self->fd,
							  PFM_KERNEL_PTR)));
}

TEST_F(ctx, load_einval_reserved1)
{
	struct pfarg_load load;

	if (!pfm_test_require(_metadata))
		return;
	memset(&load, 0, sizeof(load));
	load.load_pid = getpid();
	load.load_reserved1 = 1;
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_load_context(self->fd, &load)));
	load.load_reserved1 = 0x8000;
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_load_context(self->fd, &load)));
}

TEST_F(ctx, load_einval_reserved2)
{
	struct pfarg_load load;
	unsigned int w;

	if (!pfm_test_require(_metadata))
		return;
	for (w = 0; w < ARRAY_SIZE(load.load_reserved2); w++) {
		memset(&load, 0, sizeof(load));
		load.load_pid = getpid();
		load.load_reserved2[w] = 1ULL << (w * 21);
		EXPECT_EQ(EINVAL,
			  pfm_test_errno(pfm_load_context(self->fd, &load))) {
			TH_LOG("load_reserved2[%u]", w);
		}
	}
}

/* A valid argument passes the checks: loaded on the caller. */
TEST_F(ctx, load_valid)
{
	struct pfarg_load load;

	if (!pfm_test_require(_metadata))
		return;
	memset(&load, 0, sizeof(load));
	load.load_pid = getpid();
	EXPECT_EQ(0, pfm_load_context(self->fd, &load));
}

/*
 * The pfm_start() argument tests run on a loaded context, where only the
 * argument can make the call fail.
 */
static void load_self(struct __test_metadata *_metadata, int fd)
{
	struct pfarg_load load;

	memset(&load, 0, sizeof(load));
	load.load_pid = getpid();
	ASSERT_EQ(0, pfm_load_context(fd, &load));
}

/* A NULL argument is allowed. */
TEST_F(ctx, start_null_allowed)
{
	if (!pfm_test_require(_metadata))
		return;
	load_self(_metadata, self->fd);
	EXPECT_EQ(0, pfm_start(self->fd, NULL));
}

TEST_F(ctx, start_efault)
{
	char *end;

	if (!pfm_test_require(_metadata))
		return;
	load_self(_metadata, self->fd);
	end = pfm_guard_end(&self->g);
	EXPECT_EQ(EFAULT, pfm_test_errno(pfm_start(self->fd, (void *)end)));
	end -= sizeof(struct pfarg_start) - 1;
	EXPECT_EQ(EFAULT, pfm_test_errno(pfm_start(self->fd, (void *)end)));
	EXPECT_EQ(EFAULT, pfm_test_errno(pfm_start(self->fd, PFM_KERNEL_PTR)));
}

TEST_F(ctx, start_einval_reserved1)
{
	struct pfarg_start st;

	if (!pfm_test_require(_metadata))
		return;
	load_self(_metadata, self->fd);
	memset(&st, 0, sizeof(st));
	st.start_reserved1 = 1;
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, &st)));
	st.start_reserved1 = 0x8000;
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, &st)));
}

TEST_F(ctx, start_einval_reserved2)
{
	struct pfarg_start st;

	if (!pfm_test_require(_metadata))
		return;
	load_self(_metadata, self->fd);
	memset(&st, 0, sizeof(st));
	st.start_reserved2 = 1;
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, &st)));
	st.start_reserved2 = 0x80000000U;
	EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, &st)));
}

TEST_F(ctx, start_einval_reserved3)
{
	struct pfarg_start st;
	unsigned int w;

	if (!pfm_test_require(_metadata))
		return;
	load_self(_metadata, self->fd);
	for (w = 0; w < ARRAY_SIZE(st.reserved3); w++) {
		memset(&st, 0, sizeof(st));
		st.reserved3[w] = 1ULL << (w * 21);
		EXPECT_EQ(EINVAL, pfm_test_errno(pfm_start(self->fd, &st))) {
			TH_LOG("reserved3[%u]", w);
		}
	}
}

/* A valid argument passes the checks: started. */
TEST_F(ctx, start_valid)
{
	struct pfarg_start st;

	if (!pfm_test_require(_metadata))
		return;
	load_self(_metadata, self->fd);
	memset(&st, 0, sizeof(st));
	EXPECT_EQ(0, pfm_start(self->fd, &st));
}

TEST_HARNESS_MAIN
