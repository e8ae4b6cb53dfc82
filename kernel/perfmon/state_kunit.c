// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of the state table: every call in every context state, with
 * the expectations written out from perfmon2's rules rather than derived
 * from the table under test.
 */
#include <kunit/test.h>

#include "internal.h"

struct state_case {
	const char		*desc;
	enum pfm_call		call;
	enum pfm_ctx_state	state;
	int			expected;
};

#define CASE(c, s, e) { #c " in " #s, PFM_CALL_##c, PFM_CTX_##s, e }

static const struct state_case state_cases[] = {
	/* Registers can be read and written whenever the fd exists. */
	CASE(WRITE_PMCS, UNLOADED, 0),
	CASE(WRITE_PMCS, LOADED, 0),
	CASE(WRITE_PMCS, MASKED, 0),
	CASE(WRITE_PMCS, ZOMBIE, -EINVAL),
	CASE(WRITE_PMDS, UNLOADED, 0),
	CASE(WRITE_PMDS, LOADED, 0),
	CASE(WRITE_PMDS, MASKED, 0),
	CASE(WRITE_PMDS, ZOMBIE, -EINVAL),
	CASE(READ_PMDS, UNLOADED, 0),
	CASE(READ_PMDS, LOADED, 0),
	CASE(READ_PMDS, MASKED, 0),
	CASE(READ_PMDS, ZOMBIE, -EINVAL),
	/* Loading needs an unloaded context. */
	CASE(LOAD, UNLOADED, 0),
	CASE(LOAD, LOADED, -EBUSY),
	CASE(LOAD, MASKED, -EBUSY),
	CASE(LOAD, ZOMBIE, -EINVAL),
	/* Start and stop need something to monitor. */
	CASE(START, UNLOADED, -EINVAL),
	CASE(START, LOADED, 0),
	CASE(START, MASKED, 0),
	CASE(START, ZOMBIE, -EINVAL),
	CASE(STOP, UNLOADED, -EINVAL),
	CASE(STOP, LOADED, 0),
	CASE(STOP, MASKED, 0),
	CASE(STOP, ZOMBIE, -EINVAL),
	/* Restart acknowledges a notification, which masks the context. */
	CASE(RESTART, UNLOADED, -EINVAL),
	CASE(RESTART, LOADED, 0),
	CASE(RESTART, MASKED, 0),
	CASE(RESTART, ZOMBIE, -EINVAL),
	/* Unloading an unloaded context does nothing, successfully. */
	CASE(UNLOAD, UNLOADED, 0),
	CASE(UNLOAD, LOADED, 0),
	CASE(UNLOAD, MASKED, 0),
	CASE(UNLOAD, ZOMBIE, -EINVAL),
	/* Sets are created and deleted while unloaded, read any time. */
	CASE(CREATE_SETS, UNLOADED, 0),
	CASE(CREATE_SETS, LOADED, -EBUSY),
	CASE(CREATE_SETS, MASKED, -EBUSY),
	CASE(CREATE_SETS, ZOMBIE, -EINVAL),
	CASE(GETINFO_SETS, UNLOADED, 0),
	CASE(GETINFO_SETS, LOADED, 0),
	CASE(GETINFO_SETS, MASKED, 0),
	CASE(GETINFO_SETS, ZOMBIE, -EINVAL),
	CASE(DELETE_SETS, UNLOADED, 0),
	CASE(DELETE_SETS, LOADED, -EBUSY),
	CASE(DELETE_SETS, MASKED, -EBUSY),
	CASE(DELETE_SETS, ZOMBIE, -EINVAL),
};

static void state_case_desc(const struct state_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(state_case, state_cases, state_case_desc);

static void pfm_check_state_table(struct kunit *test)
{
	const struct state_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, pfm_check_state(c->call, c->state), c->expected);
}

static void pfm_check_state_covers_every_call(struct kunit *test)
{
	unsigned int seen[PFM_NR_CALLS] = { };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(state_cases); i++)
		seen[state_cases[i].call]++;
	for (i = 0; i < PFM_NR_CALLS; i++)
		KUNIT_EXPECT_EQ_MSG(test, seen[i], 4, "call %u", i);
}

static struct kunit_case pfm_state_test_cases[] = {
	KUNIT_CASE_PARAM(pfm_check_state_table, state_case_gen_params),
	KUNIT_CASE(pfm_check_state_covers_every_call),
	{}
};

static struct kunit_suite pfm_state_suite = {
	.name		= "perfmon_state",
	.test_cases	= pfm_state_test_cases,
};

kunit_test_suite(pfm_state_suite);
