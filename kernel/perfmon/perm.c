// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: permissions.
 *
 * perfmon reuses perf_event_paranoid so that administrators have a single
 * setting for both interfaces, with its meaning:
 *   >= 1: monitoring a whole CPU needs CAP_PERFMON (or CAP_SYS_ADMIN);
 *   >= 2: so does counting at kernel privilege level;
 *   >= 3: so does any use (Debian's CONFIG_SECURITY_PERF_EVENTS_RESTRICT
 *	   level, which makes 3 the default).
 * Without CONFIG_PERF_EVENTS the knob does not exist and its default, 2,
 * applies. Monitoring another thread always needs ptrace access to it.
 */
#include <linux/capability.h>
#include <linux/perf_event.h>

#include "internal.h"

static int pfm_paranoid_level(void)
{
#ifdef CONFIG_PERF_EVENTS
	return READ_ONCE(sysctl_perf_event_paranoid);
#else
	return 2;
#endif
}

/**
 * pfm_may_monitor - may the caller create a context at all
 *
 * Return: true when allowed.
 */
bool pfm_may_monitor(void)
{
	return pfm_paranoid_level() <= 2 || perfmon_capable();
}

/**
 * pfm_may_system_wide - may the caller create a system-wide context
 *
 * Return: true when allowed.
 */
bool pfm_may_system_wide(void)
{
	return pfm_paranoid_level() <= 0 || perfmon_capable();
}

/**
 * pfm_may_count_kernel - may the caller count at kernel privilege level
 *
 * Return: true when allowed.
 */
bool pfm_may_count_kernel(void)
{
	return pfm_paranoid_level() <= 1 || perfmon_capable();
}
