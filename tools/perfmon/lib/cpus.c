// SPDX-License-Identifier: GPL-2.0
/*
 * CPU lists: "0", "0,2", "0-3,6" (the kernel's cpulist format), checked
 * against the CPUs online.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpfmon.h"

#define CPU_ONLINE	"/sys/devices/system/cpu/online"

/* Parse a cpulist into a sorted array without duplicates; -1 if malformed. */
static int parse_list(const char *s, int *cpus, int max, const char **bad)
{
	bool *seen;
	long a, b;
	char *end;
	int n = 0, i;

	seen = calloc(max, sizeof(*seen));
	if (!seen)
		return -1;
	*bad = s;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			goto fail;
		a = strtol(s, &end, 10);
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			if (!isdigit((unsigned char)*s))
				goto fail;
			b = strtol(s, &end, 10);
			s = end;
		}
		if (a > b || b >= max)
			goto fail;
		for (i = a; i <= b; i++)
			seen[i] = true;
		if (*s == ',' && s[1])
			s++;
		else if (*s)
			goto fail;
		*bad = s;
	}
	for (i = 0; i < max; i++)
		if (seen[i])
			cpus[n++] = i;
	free(seen);
	return n;
fail:
	*bad = s;
	free(seen);
	errno = EINVAL;
	return -1;
}

/**
 * pfmon_cpus_online() - the CPUs online
 * @cpus: filled, increasing
 * @max: size of @cpus (CPUs >= @max are left out)
 *
 * Return: how many, or -1 (errno set).
 */
int pfmon_cpus_online(int *cpus, int max)
{
	const char *bad;
	char buf[1024];
	long n;
	int i;

	if (pfmon_read_attr(CPU_ONLINE, buf, sizeof(buf)) > 0)
		return parse_list(buf, cpus, max, &bad);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return -1;
	for (i = 0; i < n && i < max; i++)
		cpus[i] = i;
	return i;
}

/**
 * pfmon_cpulist_parse() - parse a CPU list of online CPUs
 * @s: the list
 * @cpus: filled, increasing
 * @max: size of @cpus
 * @why: a one-line reason when @s is malformed or names an offline CPU
 * @len: size of @why
 *
 * Return: how many CPUs, or -1.
 */
int pfmon_cpulist_parse(const char *s, int *cpus, int max, char *why,
			size_t len)
{
	int *online, nonline, n, i, j;
	const char *bad;

	online = calloc(max, sizeof(*online));
	if (!online) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	n = parse_list(s, cpus, max, &bad);
	if (n <= 0) {
		if (*s && n == 0)
			bad = s;
		snprintf(why, len,
			 "bad CPU list '%s' at '%s' (expected e.g. 0,2-3, CPUs < %d)",
			 s, bad, max);
		n = -1;
		goto out;
	}
	nonline = pfmon_cpus_online(online, max);
	for (i = 0; i < n && nonline > 0; i++) {
		for (j = 0; j < nonline; j++)
			if (online[j] == cpus[i])
				break;
		if (j == nonline) {
			snprintf(why, len, "CPU %d is not online (%ld CPUs online)",
				 cpus[i], sysconf(_SC_NPROCESSORS_ONLN));
			n = -1;
			goto out;
		}
	}
out:
	free(online);
	return n;
}
