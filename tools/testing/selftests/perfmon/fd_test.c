// SPDX-License-Identifier: GPL-2.0
/*
 * File operations on a context fd: read, poll, write, ioctl, mmap, lseek,
 * fasync, dup and close.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "pfm_test.h"

/* How long a blocking read() is left asleep before a signal ends it. */
#define SLEEP_MS	200

FIXTURE(ctx) {
	int	fd;
};

FIXTURE_SETUP(ctx)
{
	self->fd = -1;
	if (!pfm_test_require(_metadata))
		return;
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd) {
		TH_LOG("pfm_create_context: %s", strerror(errno));
	}
}

FIXTURE_TEARDOWN(ctx)
{
	if (self->fd >= 0)
		close(self->fd);
}

static void on_alarm(int sig)
{
}

/* Deliver SIGALRM in @ms, interrupting (not restarting) a blocked call. */
static int arm_alarm(unsigned int ms)
{
	struct itimerval it = {
		.it_value = {
			.tv_sec		= ms / 1000,
			.tv_usec	= (ms % 1000) * 1000,
		},
	};
	struct sigaction sa = { .sa_handler = on_alarm };

	if (sigaction(SIGALRM, &sa, NULL))
		return -1;
	return setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_alarm(void)
{
	struct itimerval it = { };

	setitimer(ITIMER_REAL, &it, NULL);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * The size check comes first: a short buffer is refused at once, on a
 * blocking fd too. The alarm only turns a wrong sleep into a failure.
 */
TEST_F(ctx, read_short_buffer_einval)
{
	static const size_t sizes[] = { 1, sizeof(union pfarg_msg) - 1 };
	union pfarg_msg msg;
	unsigned int i, pass;
	ssize_t n;
	int err;

	if (!pfm_test_require(_metadata))
		return;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			ASSERT_EQ(0, set_nonblock(self->fd));
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			ASSERT_EQ(0, arm_alarm(2000));
			n = read(self->fd, &msg, sizes[i]);
			err = errno;
			disarm_alarm();
			EXPECT_EQ(-1, n);
			EXPECT_EQ(EINVAL, err) {
				TH_LOG("%s read of %zu bytes: %s",
				       pass ? "non-blocking" : "blocking",
				       sizes[i], strerror(err));
			}
		}
	}
}

TEST_F(ctx, read_nonblock_eagain)
{
	char buf[4096];
	ssize_t n;
	int err;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, set_nonblock(self->fd));

	n = read(self->fd, buf, sizeof(union pfarg_msg));
	err = errno;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, err);

	n = read(self->fd, buf, sizeof(buf));
	err = errno;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, err);
}

TEST_F(ctx, read_blocks_until_signal)
{
	union pfarg_msg msg;
	struct timespec t0;
	ssize_t n;
	long ms;
	int err;

	if (!pfm_test_require(_metadata))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, arm_alarm(SLEEP_MS));
	n = read(self->fd, &msg, sizeof(msg));
	err = errno;
	ms = elapsed_ms(&t0);
	disarm_alarm();
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINTR, err) {
		TH_LOG("read: %s", n < 0 ? strerror(err) : "returned data");
	}
	/* Slept until the signal: not refused at once. */
	EXPECT_LE(SLEEP_MS / 2, ms);
}

TEST_F(ctx, poll_reports_nothing)
{
	struct pollfd pfd = {
		.fd	= self->fd,
		.events	= POLLIN | POLLPRI | POLLOUT | POLLRDNORM |
			  POLLRDBAND | POLLWRNORM,
	};

	if (!pfm_test_require(_metadata))
		return;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0, pfd.revents);

	pfd.revents = 0;
	EXPECT_EQ(0, poll(&pfd, 1, 50));
	EXPECT_EQ(0, pfd.revents);
}

TEST_F(ctx, epoll_reports_nothing)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLPRI | EPOLLOUT };
	int ep;

	if (!pfm_test_require(_metadata))
		return;
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	/* EPERM here would mean the fd cannot be polled at all. */
	EXPECT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev)) {
		TH_LOG("epoll_ctl: %s", strerror(errno));
	}
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	close(ep);
}

TEST_F(ctx, write_einval)
{
	union pfarg_msg msg;
	ssize_t n;
	int err;

	if (!pfm_test_require(_metadata))
		return;
	memset(&msg, 0, sizeof(msg));
	n = write(self->fd, &msg, sizeof(msg));
	err = errno;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINVAL, err);

	n = write(self->fd, &msg, 1);
	err = errno;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINVAL, err);
}

/*
 * ioctl() commands that the VFS does not handle itself (FIOCLEX, FIONBIO,
 * FIOASYNC, FIGETBSZ, ... never reach the file), so the context must answer
 * ENOTTY.
 */
TEST_F(ctx, ioctl_enotty)
{
	static const unsigned long cmds[] = {
		0, _IO('P', 0), _IOR('P', 1, int), _IOW('P', 2, __u64),
		_IOWR('P', 3, union pfarg_msg), TCGETS, FIONREAD,
	};
	unsigned int i;
	__u64 arg[8];
	int ret, err;

	if (!pfm_test_require(_metadata))
		return;
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(arg, 0, sizeof(arg));
		ret = ioctl(self->fd, cmds[i], arg);
		err = errno;
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(ENOTTY, err) {
			TH_LOG("ioctl %#lx: %s", cmds[i], strerror(err));
		}
	}
}

/* No sampling buffer in P1: mmap() is refused. */
TEST_F(ctx, mmap_einval)
{
	static const int kinds[] = { MAP_SHARED, MAP_PRIVATE };
	size_t len = sysconf(_SC_PAGESIZE);
	unsigned int i;
	void *p;
	int err;

	if (!pfm_test_require(_metadata))
		return;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		p = mmap(NULL, len, PROT_READ, kinds[i], self->fd, 0);
		err = errno;
		EXPECT_EQ(MAP_FAILED, p);
		if (p != MAP_FAILED)
			munmap(p, len);
		else
			EXPECT_EQ(EINVAL, err) {
				TH_LOG("mmap flags %#x: %s", kinds[i],
				       strerror(err));
			}
	}
}

TEST_F(ctx, lseek_espipe)
{
	static const int whence[] = { SEEK_SET, SEEK_CUR, SEEK_END };
	unsigned int i;
	off_t off;
	int err;

	if (!pfm_test_require(_metadata))
		return;
	for (i = 0; i < ARRAY_SIZE(whence); i++) {
		off = lseek(self->fd, 0, whence[i]);
		err = errno;
		EXPECT_EQ(-1, off);
		EXPECT_EQ(ESPIPE, err);
	}
}

/* FIOASYNC fails with ENOTTY on files without a fasync operation. */
TEST_F(ctx, fasync_supported)
{
	int on = 1, off = 0;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, fcntl(self->fd, F_SETOWN, getpid()));
	EXPECT_EQ(0, ioctl(self->fd, FIOASYNC, &on)) {
		TH_LOG("FIOASYNC on: %s", strerror(errno));
	}
	EXPECT_EQ(O_ASYNC, fcntl(self->fd, F_GETFL) & O_ASYNC);
	EXPECT_EQ(0, ioctl(self->fd, FIOASYNC, &off));
	EXPECT_EQ(0, fcntl(self->fd, F_GETFL) & O_ASYNC);
}

TEST_F(ctx, dup_shares_context)
{
	char buf[sizeof(union pfarg_msg)];
	ssize_t n;
	int fd2, err;

	if (!pfm_test_require(_metadata))
		return;
	fd2 = dup(self->fd);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(1, pfm_test_fd_is_perfmon(fd2));

	/* The context outlives the first fd ... */
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
	EXPECT_EQ(1, pfm_test_fd_is_perfmon(fd2));

	/* ... and still behaves as one. */
	EXPECT_EQ(0, set_nonblock(fd2));
	n = read(fd2, buf, sizeof(buf));
	err = errno;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, err);
	EXPECT_EQ(0, close(fd2));
}

TEST_F(ctx, close_releases_fd)
{
	int err;

	if (!pfm_test_require(_metadata))
		return;
	EXPECT_EQ(0, close(self->fd));
	err = pfm_test_errno(fcntl(self->fd, F_GETFD));
	EXPECT_EQ(EBADF, err);
	EXPECT_EQ(-1, pfm_test_fd_is_perfmon(self->fd));
	self->fd = -1;
}

TEST_HARNESS_MAIN
