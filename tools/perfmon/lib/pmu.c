// SPDX-License-Identifier: GPL-2.0
/*
 * The active PMU description (/sys/kernel/perfmon/pmu_desc) and the PMC
 * values of the PMUs pfmon knows.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpfmon.h"

/**
 * pfmon_read_attr() - read a sysfs attribute
 * @path: its path
 * @buf: filled with its first line, newline stripped
 * @len: size of @buf
 *
 * Return: the length of the value, or -1 (errno set).
 */
int pfmon_read_attr(const char *path, char *buf, size_t len)
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
	buf[strcspn(buf, "\n")] = '\0';
	return strlen(buf);
}

/* Mark the pmcN and pmdN directories of the PMU description. */
static int scan_regs(struct pfmon_pmu *pmu)
{
	unsigned long idx;
	struct dirent *de;
	char *end;
	DIR *d;

	d = opendir(PFMON_PMU_DIR);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		bool pmc = !strncmp(de->d_name, "pmc", 3);

		if (!pmc && strncmp(de->d_name, "pmd", 3))
			continue;
		idx = strtoul(de->d_name + 3, &end, 10);
		if (end == de->d_name + 3 || *end ||
		    idx >= (pmc ? PFM_MAX_PMCS : PFM_MAX_PMDS))
			continue;
		if (pmc) {
			pfmon_bv_set(pmu->impl_pmcs, idx);
			if (idx >= pmu->num_pmcs)
				pmu->num_pmcs = idx + 1;
		} else {
			pfmon_bv_set(pmu->impl_pmds, idx);
			if (idx >= pmu->num_pmds)
				pmu->num_pmds = idx + 1;
		}
	}
	closedir(d);
	return 0;
}

/**
 * pfmon_pmu_read() - describe the active PMU
 * @pmu: filled
 * @why: a one-line reason on failure
 * @len: size of @why
 *
 * Return: 0, or -1 when perfmon is missing or its description unreadable.
 */
int pfmon_pmu_read(struct pfmon_pmu *pmu, char *why, size_t len)
{
	char buf[64];

	memset(pmu, 0, sizeof(*pmu));
	if (pfm_probe(why, len))
		return -1;
	if (pfmon_read_attr(PFMON_PMU_DIR "/model", pmu->model,
			    sizeof(pmu->model)) <= 0) {
		snprintf(why, len, "%s/model: %s", PFMON_PMU_DIR,
			 strerror(errno));
		return -1;
	}
	if (pfmon_read_attr(PFMON_PMU_DIR "/counter_width", buf,
			    sizeof(buf)) > 0)
		pmu->counter_width = strtoul(buf, NULL, 10);
	if (!strcmp(pmu->model, PFMON_MODEL_SW))
		pmu->type = PFMON_PMU_SW;
	else if (!strcmp(pmu->model, PFMON_MODEL_PMUV3))
		pmu->type = PFMON_PMU_PMUV3;
	if (scan_regs(pmu) || !pmu->num_pmcs || !pmu->num_pmds) {
		snprintf(why, len, "PMU \"%s\" has no registers", pmu->model);
		errno = ENODEV;
		return -1;
	}
	return 0;
}

/**
 * pfmon_pmc_value() - the PMC value that counts an event
 * @pmu: the PMU
 * @pmc: the PMC it goes in
 * @code: the event code (software PMU: 0..3; PMUv3: the event number,
 *	ignored in the cycle counter's PMC0)
 * @plm: PFMON_PLM_U and/or PFMON_PLM_K
 *
 * Return: the value, 0 for an unknown PMU.
 */
__u64 pfmon_pmc_value(const struct pfmon_pmu *pmu, unsigned int pmc,
		      __u64 code, unsigned int plm)
{
	__u64 v = 0;

	switch (pmu->type) {
	case PFMON_PMU_SW:
		v = (code & PFMON_SW_EVSEL) | PFMON_SW_EN;
		if (plm & PFMON_PLM_U)
			v |= PFMON_SW_USR;
		if (plm & PFMON_PLM_K)
			v |= PFMON_SW_OS;
		break;
	case PFMON_PMU_PMUV3:
		if (pmc != PFMON_V3_CYCLE_REG)
			v = code & PFMON_V3_EVTYPE;
		if (!(plm & PFMON_PLM_K))
			v |= PFMON_V3_P;
		if (!(plm & PFMON_PLM_U))
			v |= PFMON_V3_U;
		break;
	case PFMON_PMU_UNKNOWN:
		break;
	}
	return v;
}

/**
 * pfmon_plm_parse() - parse a privilege level list: "u", "k", "uk", "ku"
 * @s: the string
 * @plm: the mask
 *
 * Return: 0, or -1 when @s is not made of 'u' and 'k' only.
 */
int pfmon_plm_parse(const char *s, unsigned int *plm)
{
	*plm = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s == 'u' || *s == 'U')
			*plm |= PFMON_PLM_U;
		else if (*s == 'k' || *s == 'K')
			*plm |= PFMON_PLM_K;
		else
			return -1;
	}
	return 0;
}

const char *pfmon_plm_name(unsigned int plm)
{
	switch (plm & PFMON_PLM_UK) {
	case PFMON_PLM_U:
		return "u";
	case PFMON_PLM_K:
		return "k";
	case PFMON_PLM_UK:
		return "uk";
	}
	return "-";
}
