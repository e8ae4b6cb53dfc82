// SPDX-License-Identifier: GPL-2.0
/*
 * The context state machine: every fd call in every state a self-monitoring
 * context can be in returns the errno of the P2 contract, and leaves the
 * context in the state it should: loaded or not (the task session count
 * tells), started or not (the task-clock counter tells).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pfm_test.h"

/* CPU time burnt to see whether the context counts. */
#define PROBE_NS	(5 * PFM_NSEC_PER_MSEC)

enum state {
	UNLOADED,		/* created, never loaded */
	LOADED,			/* loaded on the caller, not started */
	STARTED,		/* loaded and started */
	STOPPED,		/* loaded, started, stopped */
	UNLOADED_AGAIN,		/* loaded, started, unloaded */
};

enum call {
	WRITE_PMCS,
	WRITE_PMDS,
	READ_PMDS,
	LOAD,
	START,
	STOP,
	RESTART,
	UNLOAD,
	CREATE_EVTSETS,
	GETINFO_EVTSETS,
	DELETE_EVTSETS,
	NR_CALLS,
};

static int do_call(enum call call, int fd)
{
	struct pfarg_setinfo info;
	struct pfarg_setdesc setd;
	__u64 v;

	memset(&setd, 0, sizeof(setd));
	memset(&info, 0, sizeof(info));
	switch (call) {
	case WRITE_PMCS:
		return pfm_test_write_pmc(fd, 0, PFM_SW_EVT(PFM_SW_TASK_CLOCK));
	case WRITE_PMDS:
		return pfm_test_write_pmd(fd, 1, 0);
	case READ_PMDS:
		return pfm_test_read_pmd(fd, 0, &v);
	case LOAD:
		return pfm_test_load(fd, pfm_test_gettid());
	case START:
		return pfm_start(fd, NULL);
	case STOP:
		return pfm_stop(fd);
	case RESTART:
		return pfm_restart(fd);
	case UNLOAD:
		return pfm_unload_context(fd);
	case CREATE_EVTSETS:
		return pfm_create_evtsets(fd, &setd, 1);
	case GETINFO_EVTSETS:
		return pfm_getinfo_evtsets(fd, &info, 1);
	case DELETE_EVTSETS:
		return pfm_delete_evtsets(fd, &setd, 1);
	default:
		errno = EDOM;
		return -1;
	}
}

static const char * const call_names[NR_CALLS] = {
	[WRITE_PMCS]		= "pfm_write_pmcs",
	[WRITE_PMDS]		= "pfm_write_pmds",
	[READ_PMDS]		= "pfm_read_pmds",
	[LOAD]			= "pfm_load_context",
	[START]			= "pfm_start",
	[STOP]			= "pfm_stop",
	[RESTART]		= "pfm_restart",
	[UNLOAD]		= "pfm_unload_context",
	[CREATE_EVTSETS]	= "pfm_create_evtsets",
	[GETINFO_EVTSETS]	= "pfm_getinfo_evtsets",
	[DELETE_EVTSETS]	= "pfm_delete_evtsets",
};

/*
 * The table. The event set calls name set 0: it can be changed (created
 * again) only while unloaded, read any time, and never deleted; restart
 * needs a pending notification (none here: EBUSY when loaded).
 */
#define UNLOADED_ERRNOS { \
	[START] = EINVAL, \
	[STOP] = EINVAL, \
	[RESTART] = EINVAL, \
	[DELETE_EVTSETS] = EINVAL, \
}

#define LOADED_ERRNOS { \
	[LOAD] = EBUSY, \
	[RESTART] = EBUSY, \
	[CREATE_EVTSETS] = EBUSY, \
	[DELETE_EVTSETS] = EBUSY, \
}

FIXTURE(state) {
	int		fd;
	long long	sessions;
};

/**
 * struct state_case - a state and what each call does in it
 * @state: the state
 * @loaded: the context is loaded in it
 * @started: and started
 * @errnos: errno of each call, 0 for success
 */
struct state_case {
	enum state	state;
	bool		loaded;
	bool		started;
	int		errnos[NR_CALLS];
};

FIXTURE_VARIANT(state) {
	struct state_case sc;
};

FIXTURE_VARIANT_ADD(state, unloaded) {
	.sc = {
		.state = UNLOADED,
		.errnos = UNLOADED_ERRNOS,
	},
};

FIXTURE_VARIANT_ADD(state, loaded) {
	.sc = {
		.state = LOADED,
		.loaded = true,
		.errnos = LOADED_ERRNOS,
	},
};

FIXTURE_VARIANT_ADD(state, started) {
	.sc = {
		.state = STARTED,
		.loaded = true,
		.started = true,
		.errnos = LOADED_ERRNOS,
	},
};

FIXTURE_VARIANT_ADD(state, stopped) {
	.sc = {
		.state = STOPPED,
		.loaded = true,
		.errnos = LOADED_ERRNOS,
	},
};

FIXTURE_VARIANT_ADD(state, unloaded_again) {
	.sc = {
		.state = UNLOADED_AGAIN,
		.errnos = UNLOADED_ERRNOS,
	},
};

FIXTURE_SETUP(state)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK);

	self->fd = -1;
	if (!pfm_test_require_swpmu(_metadata))
		return;
	self->sessions = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pfm_test_write_pmc(self->fd, 0, pmc0));
	if (variant->sc.state != UNLOADED)
		ASSERT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
	if (variant->sc.state >= STARTED)
		ASSERT_EQ(0, pfm_start(self->fd, NULL));
	if (variant->sc.state == STOPPED)
		ASSERT_EQ(0, pfm_stop(self->fd));
	if (variant->sc.state == UNLOADED_AGAIN)
		ASSERT_EQ(0, pfm_unload_context(self->fd));
}

FIXTURE_TEARDOWN(state)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Does PMD0 (task-clock) move while the caller burns CPU time? */
static int counting(int fd)
{
	__u64 v0, v1;

	if (pfm_test_read_pmd(fd, 0, &v0))
		return -1;
	pfm_test_burn(PROBE_NS);
	if (pfm_test_read_pmd(fd, 0, &v1))
		return -1;
	return v1 != v0;
}

/*
 * Make @call in the fixture's state, check its errno, then the state it
 * leaves: loaded after a successful load, unloaded after an unload;
 * started after a start, stopped after a stop or an unload.
 */
static void check_call(struct __test_metadata *_metadata, int fd,
		       long long sessions, const struct state_case *sc,
		       enum call call)
{
	bool loaded = sc->loaded, started = sc->started;
	int expected = sc->errnos[call], err;

	/* A SKIP() in the setup does not stop the test on 6.1. */
	if (fd < 0)
		return;
	err = pfm_test_errno(do_call(call, fd));
	EXPECT_EQ(expected, err) {
		TH_LOG("%s: expected %s, got %s", call_names[call],
		       strerror(expected), strerror(err));
	}
	if (!err) {
		if (call == LOAD)
			loaded = true;
		if (call == UNLOAD)
			loaded = false;
		if (call == START)
			started = true;
		if (call == STOP || call == UNLOAD)
			started = false;
	}
	if (sessions >= 0) {
		EXPECT_EQ(sessions + loaded,
			  pfm_test_sysfs_num(PFM_TASK_SESSIONS)) {
			TH_LOG("after %s: %s", call_names[call],
			       loaded ? "should be loaded" : "should not be");
		}
	}
	EXPECT_EQ(started, counting(fd)) {
		TH_LOG("after %s: %s", call_names[call],
		       started ? "should count" : "should not count");
	}
}

TEST_F(state, write_pmcs)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, WRITE_PMCS);
}

TEST_F(state, write_pmds)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, WRITE_PMDS);
}

TEST_F(state, read_pmds)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, READ_PMDS);
}

TEST_F(state, load_context)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, LOAD);
}

TEST_F(state, start)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, START);
}

TEST_F(state, stop)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, STOP);
}

TEST_F(state, restart)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, RESTART);
}

TEST_F(state, unload_context)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, UNLOAD);
}

TEST_F(state, create_evtsets)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, CREATE_EVTSETS);
}

TEST_F(state, getinfo_evtsets)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, GETINFO_EVTSETS);
}

TEST_F(state, delete_evtsets)
{
	check_call(_metadata, self->fd, self->sessions, &variant->sc, DELETE_EVTSETS);
}

/* Closing a context loaded on the caller unloads it: the session goes. */
TEST_F(state, close_releases_session)
{
	if (self->fd < 0)
		return;
	if (self->sessions < 0)
		SKIP(return, "no %s/%s", PFM_SYSFS_DIR, PFM_TASK_SESSIONS);
	EXPECT_EQ(self->sessions + variant->sc.loaded,
		  pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	EXPECT_EQ(self->sessions, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	/* And the thread is free for another context. */
	self->fd = pfm_test_create(0);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, pfm_test_load(self->fd, pfm_test_gettid()));
}

/* The session counters exist, read as decimal numbers, start at zero. */
TEST(session_counters)
{
	long long task, sys;

	if (!pfm_test_require(_metadata))
		return;
	task = pfm_test_sysfs_num(PFM_TASK_SESSIONS);
	sys = pfm_test_sysfs_num(PFM_SYS_SESSIONS);
	EXPECT_EQ(0, task) {
		TH_LOG("%s/%s: %lld", PFM_SYSFS_DIR, PFM_TASK_SESSIONS, task);
	}
	EXPECT_EQ(0, sys) {
		TH_LOG("%s/%s: %lld", PFM_SYSFS_DIR, PFM_SYS_SESSIONS, sys);
	}
}

/* Unloading clears "started": a reloaded context waits for pfm_start(). */
TEST(reload_is_stopped)
{
	__u64 pmc0 = PFM_SW_EVT(PFM_SW_TASK_CLOCK);
	int fd;

	if (!pfm_test_require_swpmu(_metadata))
		return;
	fd = pfm_test_setup(0, &pmc0, 1, pfm_test_gettid());
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pfm_start(fd, NULL));
	ASSERT_EQ(1, counting(fd));
	ASSERT_EQ(0, pfm_unload_context(fd));
	ASSERT_EQ(0, pfm_test_load(fd, pfm_test_gettid()));
	EXPECT_EQ(0, counting(fd));
	ASSERT_EQ(0, pfm_start(fd, NULL));
	EXPECT_EQ(1, counting(fd));
	close(fd);
}

TEST_HARNESS_MAIN
