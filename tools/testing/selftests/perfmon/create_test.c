// SPDX-License-Identifier: GPL-2.0
/*
 * pfm_create_context(): arguments, the returned fd and its flags, privilege
 * and RLIMIT_NOFILE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <linux/perfmon_dfl_smpl.h>

#include "pfm_test.h"

#define PFM_FL_ALL	(PFM_FL_NOTIFY_BLOCK | PFM_FL_SYSTEM_WIDE | \
			 PFM_FL_OVFL_NO_MSG | PFM_FL_FD_CLOEXEC)

/* Unprivileged ids to drop to (the usual "nobody"). */
#define NOBODY_ID	65534

/*
 * Exec helper. The exec tests re-execute this program with
 * FD_CHECK_ENV=<fd> in its environment; it then reports through its exit
 * status what <fd> is after execve() and exits before the harness runs.
 */
#define FD_CHECK_ENV		"PFM_TEST_FD_CHECK"
#define FD_CHECK_CONTEXT	0	/* open, and a perfmon context */
#define FD_CHECK_CLOSED		1	/* not open */
#define FD_CHECK_OTHER		2	/* open, something else */
#define FD_CHECK_BAD_ARG	3
#define FD_CHECK_EXEC_FAILED	4

static void __attribute__((constructor)) fd_check_helper(void)
{
	const char *arg = getenv(FD_CHECK_ENV);
	char *end;
	long fd;

	if (!arg)
		return;
	fd = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || fd < 0 || fd > INT_MAX)
		_exit(FD_CHECK_BAD_ARG);
	if (fcntl(fd, F_GETFD) < 0)
		_exit(errno == EBADF ? FD_CHECK_CLOSED : FD_CHECK_OTHER);
	_exit(pfm_test_fd_is_perfmon(fd) == 1 ? FD_CHECK_CONTEXT :
						FD_CHECK_OTHER);
}

/* Run the exec helper on @fd in a child; return its exit status or -1. */
static int exec_fd_check(int fd)
{
	static char * const argv[] = { "create_test", NULL };
	static char env[64];
	static char * const envp[] = { env, NULL };
	int status;
	pid_t pid;

	snprintf(env, sizeof(env), "%s=%d", FD_CHECK_ENV, fd);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve("/proc/self/exe", argv, envp);
		_exit(FD_CHECK_EXEC_FAILED);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(returns_fd)
{
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd) {
		TH_LOG("pfm_create_context: %s", strerror(errno));
	}
	EXPECT_EQ(1, pfm_test_fd_is_perfmon(fd));
	EXPECT_EQ(0, close(fd));
}

TEST(fd_is_anon_inode_perfmon)
{
	char path[64], link[128];
	ssize_t n;
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	EXPECT_LT(0, n) {
		TH_LOG("readlink %s: %s", path, strerror(errno));
	}
	if (n > 0) {
		link[n] = '\0';
		EXPECT_STREQ(PFM_FD_LINK, link);
	}
	EXPECT_EQ(0, close(fd));
}

TEST(fd_is_read_write)
{
	int fd, fl;

	if (!pfm_test_require(_metadata))
		return;
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	fl = fcntl(fd, F_GETFL);
	EXPECT_LE(0, fl);
	EXPECT_EQ(O_RDWR, fl & O_ACCMODE);
	EXPECT_EQ(0, fl & O_NONBLOCK);
	EXPECT_EQ(0, close(fd));
}

TEST(no_cloexec_without_flag)
{
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, close(fd));
}

TEST(cloexec_with_flag)
{
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	fd = pfm_test_create(PFM_FL_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(1, pfm_test_fd_is_perfmon(fd));
	EXPECT_EQ(0, close(fd));
}

TEST(exec_keeps_fd_without_cloexec)
{
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CHECK_CONTEXT, exec_fd_check(fd));
	EXPECT_EQ(0, close(fd));
}

TEST(exec_closes_fd_with_cloexec)
{
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	fd = pfm_test_create(PFM_FL_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CHECK_CLOSED, exec_fd_check(fd));
	/* The exec was the child's: the parent's fd stays open. */
	EXPECT_EQ(1, pfm_test_fd_is_perfmon(fd));
	EXPECT_EQ(0, close(fd));
}

TEST(defined_flags_accepted)
{
	static const unsigned int flags[] = {
		PFM_FL_NOTIFY_BLOCK,
		PFM_FL_OVFL_NO_MSG,
		PFM_FL_FD_CLOEXEC,
		PFM_FL_NOTIFY_BLOCK | PFM_FL_OVFL_NO_MSG | PFM_FL_FD_CLOEXEC,
	};
	unsigned int i;
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		fd = pfm_test_create(flags[i]);
		EXPECT_LE(0, fd) {
			TH_LOG("ctx_flags %#x: %s", flags[i], strerror(errno));
		}
		if (fd >= 0)
			EXPECT_EQ(0, close(fd));
	}
}

TEST(einval_unknown_flag_bits)
{
	unsigned int bit, flags;
	int fd, err;

	if (!pfm_test_require(_metadata))
		return;
	for (bit = 0; bit < 32; bit++) {
		flags = 1U << bit;
		if (flags & PFM_FL_ALL)
			continue;
		fd = pfm_test_create(flags);
		err = errno;
		EXPECT_EQ(-1, fd) {
			TH_LOG("unknown ctx_flags bit %u accepted", bit);
		}
		if (fd >= 0) {
			close(fd);
			continue;
		}
		EXPECT_EQ(EINVAL, err) {
			TH_LOG("ctx_flags bit %u: %s", bit, strerror(err));
		}
	}

	/* An unknown bit next to valid ones is still refused. */
	fd = pfm_test_create(PFM_FL_FD_CLOEXEC | ~PFM_FL_ALL);
	err = errno;
	EXPECT_EQ(-1, fd);
	if (fd >= 0)
		close(fd);
	else
		EXPECT_EQ(EINVAL, err);
}

TEST(einval_reserved1)
{
	static const __u32 values[] = { 1, 0x80000000U, 0xffffffffU };
	struct pfarg_ctx ctx;
	unsigned int i;
	int fd, err;

	if (!pfm_test_require(_metadata))
		return;
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.ctx_reserved1 = values[i];
		fd = pfm_create_context(&ctx, NULL, NULL, 0);
		err = errno;
		EXPECT_EQ(-1, fd) {
			TH_LOG("ctx_reserved1 = %#x accepted", values[i]);
		}
		if (fd >= 0)
			close(fd);
		else
			EXPECT_EQ(EINVAL, err);
	}
}

TEST(einval_reserved2)
{
	static const __u64 values[] = { 1, 1ULL << 63 };
	struct pfarg_ctx ctx;
	unsigned int i, w;
	int fd, err;

	if (!pfm_test_require(_metadata))
		return;
	for (w = 0; w < ARRAY_SIZE(ctx.ctx_reserved2); w++) {
		for (i = 0; i < ARRAY_SIZE(values); i++) {
			memset(&ctx, 0, sizeof(ctx));
			ctx.ctx_reserved2[w] = values[i];
			fd = pfm_create_context(&ctx, NULL, NULL, 0);
			err = errno;
			EXPECT_EQ(-1, fd) {
				TH_LOG("ctx_reserved2[%u] = %#llx accepted", w,
				       (unsigned long long)values[i]);
			}
			if (fd >= 0)
				close(fd);
			else
				EXPECT_EQ(EINVAL, err);
		}
	}
}

TEST(einval_notify_block_system_wide)
{
	int fd, err;

	if (!pfm_test_require(_metadata))
		return;
	fd = pfm_test_create(PFM_FL_NOTIFY_BLOCK | PFM_FL_SYSTEM_WIDE);
	err = errno;
	EXPECT_EQ(-1, fd);
	if (fd >= 0)
		close(fd);
	else
		EXPECT_EQ(EINVAL, err);
}

TEST(efault_bad_ctx)
{
	struct pfm_guard g;
	void *bad[4];
	unsigned int i;
	int fd, err;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, pfm_guard_init(&g));
	bad[0] = NULL;
	bad[1] = pfm_guard_end(&g);
	/* Readable but for its last byte. */
	bad[2] = pfm_guard_end(&g) - sizeof(struct pfarg_ctx) + 1;
	bad[3] = PFM_KERNEL_PTR;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fd = pfm_create_context(bad[i], NULL, NULL, 0);
		err = errno;
		EXPECT_EQ(-1, fd) {
			TH_LOG("ctx %p accepted", bad[i]);
		}
		if (fd >= 0)
			close(fd);
		else
			EXPECT_EQ(EFAULT, err) {
				TH_LOG("ctx %p: %s", bad[i], strerror(err));
			}
	}
	pfm_guard_fini(&g);
}

TEST(efault_bad_fmt_name)
{
	struct pfarg_ctx ctx;
	struct pfm_guard g;
	char *bad[3];
	unsigned int i;
	int fd, err;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, pfm_guard_init(&g));
	memset(&ctx, 0, sizeof(ctx));
	bad[0] = pfm_guard_end(&g);
	/* Four characters and no NUL before the inaccessible page. */
	bad[1] = pfm_guard_end(&g) - 4;
	memcpy(bad[1], "dflt", 4);
	bad[2] = PFM_KERNEL_PTR;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fd = pfm_create_context(&ctx, bad[i], NULL, 0);
		err = errno;
		EXPECT_EQ(-1, fd);
		if (fd >= 0)
			close(fd);
		else
			EXPECT_EQ(EFAULT, err) {
				TH_LOG("fmt_name %p: %s", bad[i],
				       strerror(err));
			}
	}
	pfm_guard_fini(&g);
}

TEST(einval_fmt_arg_without_fmt_name)
{
	struct pfarg_ctx ctx;
	__u64 arg = 0;
	int fd, err;

	if (!pfm_test_require(_metadata))
		return;
	memset(&ctx, 0, sizeof(ctx));
	fd = pfm_create_context(&ctx, NULL, &arg, 0);
	err = errno;
	EXPECT_EQ(-1, fd);
	if (fd >= 0)
		close(fd);
	else
		EXPECT_EQ(EINVAL, err);
}

TEST(einval_fmt_arg_size_without_fmt_name)
{
	struct pfarg_ctx ctx;
	int fd, err;

	if (!pfm_test_require(_metadata))
		return;
	memset(&ctx, 0, sizeof(ctx));
	fd = pfm_create_context(&ctx, NULL, NULL, sizeof(__u64));
	err = errno;
	EXPECT_EQ(-1, fd);
	if (fd >= 0)
		close(fd);
	else
		EXPECT_EQ(EINVAL, err);
}

/*
 * A sampling format is chosen by name: an unknown name is refused, and
 * the "default" format wants exactly its own argument.
 */
TEST(fmt_name_unknown_or_default)
{
	struct pfm_dfl_smpl_arg arg = { .buf_size = 1 << 16 };
	struct pfarg_ctx ctx;
	int fd, err;

	if (!pfm_test_require(_metadata))
		return;
	memset(&ctx, 0, sizeof(ctx));
	fd = pfm_create_context(&ctx, "no-such-format", &arg, sizeof(arg));
	err = errno;
	EXPECT_EQ(-1, fd);
	if (fd >= 0)
		close(fd);
	else
		EXPECT_EQ(EINVAL, err);

	fd = pfm_create_context(&ctx, PFM_DFL_SMPL_NAME, NULL, 0);
	err = errno;
	EXPECT_EQ(-1, fd);
	if (fd >= 0)
		close(fd);
	else
		EXPECT_EQ(EINVAL, err);

	fd = pfm_create_context(&ctx, PFM_DFL_SMPL_NAME, &arg, sizeof(arg));
	EXPECT_LE(0, fd) {
		TH_LOG("default format: %s", strerror(errno));
	}
	if (fd >= 0)
		close(fd);
}

TEST(system_wide_as_root)
{
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	if (geteuid() != 0)
		SKIP(return, "needs root (CAP_PERFMON)");
	fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	ASSERT_LE(0, fd) {
		TH_LOG("pfm_create_context(SYSTEM_WIDE): %s", strerror(errno));
	}
	EXPECT_EQ(1, pfm_test_fd_is_perfmon(fd));
	EXPECT_EQ(0, close(fd));
}

/* Exit statuses of unprivileged_child() other than an errno value. */
#define CHILD_DROP_FAILED	255
#define CHILD_CAPS_KEPT		254
#define CHILD_PLAIN_FAILED	253
#define CHILD_SW_SUCCEEDED	252

/* Effective capabilities of the calling process, or ~0 if unknown. */
static unsigned long long cap_effective(void)
{
	unsigned long long caps = ~0ULL;
	char line[128];
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return caps;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

/*
 * Drop to nobody (setuid() from root clears every capability), check that a
 * per-thread context still works, then try a system-wide one. Exit with its
 * errno, or one of the CHILD_* statuses.
 */
static int unprivileged_child(void)
{
	int fd;

	if (setgroups(0, NULL) || setgid(NOBODY_ID) || setuid(NOBODY_ID))
		return CHILD_DROP_FAILED;
	if (cap_effective() != 0)
		return CHILD_CAPS_KEPT;
	fd = pfm_test_create(0);
	if (fd < 0)
		return CHILD_PLAIN_FAILED;
	close(fd);
	fd = pfm_test_create(PFM_FL_SYSTEM_WIDE);
	if (fd >= 0) {
		close(fd);
		return CHILD_SW_SUCCEEDED;
	}
	return errno;
}

static const char *child_status_str(int status)
{
	switch (status) {
	case CHILD_DROP_FAILED:
		return "could not drop privileges";
	case CHILD_CAPS_KEPT:
		return "capabilities kept after setuid()";
	case CHILD_PLAIN_FAILED:
		return "per-thread context refused";
	case CHILD_SW_SUCCEEDED:
		return "system-wide context created";
	default:
		return strerror(status);
	}
}

TEST(system_wide_eperm_unprivileged)
{
	int status;
	pid_t pid;

	if (!pfm_test_require(_metadata))
		return;
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(unprivileged_child());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status)) {
		TH_LOG("unprivileged child: %s",
		       child_status_str(WEXITSTATUS(status)));
	}
}

/* RLIMIT_NOFILE for the EMFILE test; fds 0-2 and a few others are open. */
#define EMFILE_LIMIT	32

TEST(emfile_at_rlimit)
{
	int fds[EMFILE_LIMIT];
	struct rlimit old, lim;
	int i, n, fd, err, last;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	lim = old;
	lim.rlim_cur = EMFILE_LIMIT;
	if (lim.rlim_max < EMFILE_LIMIT)
		lim.rlim_max = EMFILE_LIMIT;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));

	for (n = 0; n < EMFILE_LIMIT; n++) {
		fd = pfm_test_create(0);
		if (fd < 0)
			break;
		fds[n] = fd;
	}
	err = errno;
	EXPECT_LT(0, n);
	EXPECT_GT(EMFILE_LIMIT, n) {
		TH_LOG("RLIMIT_NOFILE not enforced");
	}
	if (n > 0 && n < EMFILE_LIMIT) {
		EXPECT_EQ(EMFILE, err) {
			TH_LOG("create #%d: %s", n + 1, strerror(err));
		}

		/* A freed slot is reused by the next create ... */
		last = fds[n - 1];
		EXPECT_EQ(0, close(last));
		fds[n - 1] = pfm_test_create(0);
		EXPECT_EQ(last, fds[n - 1]);
		if (fds[n - 1] < 0)
			n--;

		/* ... and the table is full again. */
		fd = pfm_test_create(0);
		err = errno;
		EXPECT_EQ(-1, fd);
		if (fd >= 0)
			close(fd);
		else
			EXPECT_EQ(EMFILE, err);
	}

	for (i = 0; i < n; i++)
		close(fds[i]);
	EXPECT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));

	/* Below the limit again: creation works. */
	fd = pfm_test_create(0);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
}

TEST(contexts_are_independent)
{
	int a, b;

	if (!pfm_test_require(_metadata))
		return;
	a = pfm_test_create(0);
	ASSERT_LE(0, a);
	b = pfm_test_create(0);
	EXPECT_LE(0, b);
	EXPECT_NE(a, b);
	EXPECT_EQ(0, close(a));
	if (b >= 0) {
		EXPECT_EQ(1, pfm_test_fd_is_perfmon(b));
		EXPECT_EQ(0, close(b));
	}
}

TEST_HARNESS_MAIN
