// SPDX-License-Identifier: GPL-2.0
/*
 * pfmon --list: the active PMU description (model, registers from sysfs)
 * and the events pfmon can program on it, marked '*' when the PMU takes
 * them (the PMUv3 write checker refuses common events its PMCEID
 * registers do not advertise; QEMU has CPU_CYCLES, and INST_RETIRED under
 * -icount). pfmon --info shares the register listing.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfmon.h"

/* Longest sysfs value we print. */
#define ATTR_MAX	128

/**
 * struct reg_col - one column of the register listing
 * @attr: sysfs attribute shown
 * @title: column title
 * @width: column width, 0 for the last column
 */
struct reg_col {
	const char	*attr;
	const char	*title;
	int		width;
};

/**
 * struct reg_kind - how one kind of register is listed by --info
 * @prefix: directory name prefix in pmu_desc ("pmc", "pmd")
 * @title: title of the first column
 * @max: size of the register index space
 * @cols: columns after the name
 * @nr_cols: number of @cols
 */
struct reg_kind {
	const char		*prefix;
	const char		*title;
	unsigned int		max;
	const struct reg_col	*cols;
	unsigned int		nr_cols;
};

/* Documentation/ABI/testing/sysfs-kernel-perfmon: the same for both. */
static const struct reg_col reg_cols[] = {
	{ .attr = "dfl_val",	.title = "default",	  .width = 20 },
	{ .attr = "rsvd_msk",	.title = "reserved mask", .width = 20 },
	{ .attr = "width",	.title = "width",	  .width = 7 },
	{ .attr = "addr",	.title = "address" },
};

static const struct reg_kind reg_kinds[] = {
	{
		.prefix		= "pmc",
		.title		= "PMC",
		.max		= PFM_MAX_PMCS,
		.cols		= reg_cols,
		.nr_cols	= ARRAY_SIZE(reg_cols),
	},
	{
		.prefix		= "pmd",
		.title		= "PMD",
		.max		= PFM_MAX_PMDS,
		.cols		= reg_cols,
		.nr_cols	= ARRAY_SIZE(reg_cols),
	},
};

/* Widths of the register and name columns. */
#define REG_WIDTH	8
#define NAME_WIDTH	16

/* Mark in @present each register of @kind that the PMU description has. */
static int find_regs(const struct reg_kind *kind, bool *present)
{
	size_t len = strlen(kind->prefix);
	struct dirent *de;
	unsigned long idx;
	char *end;
	DIR *d;

	d = opendir(PFMON_PMU_DIR);
	if (!d) {
		pfmon_err("%s: %s", PFMON_PMU_DIR, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, kind->prefix, len))
			continue;
		idx = strtoul(de->d_name + len, &end, 10);
		if (end != de->d_name + len && !*end && idx < kind->max)
			present[idx] = true;
	}
	closedir(d);
	return 0;
}

/* Print one line per register of @kind, in index order. */
static int print_regs(const struct reg_kind *kind)
{
	char dir[PATH_MAX], reg[16], name[ATTR_MAX], val[ATTR_MAX];
	unsigned int idx, i;
	bool *present;
	int ret = -1;

	present = calloc(kind->max, sizeof(*present));
	if (!present) {
		pfmon_err("%s", strerror(errno));
		return -1;
	}
	if (find_regs(kind, present))
		goto out;

	printf("%-*s%-*s", REG_WIDTH, kind->title, NAME_WIDTH, "name");
	for (i = 0; i < kind->nr_cols; i++)
		printf("%-*s", kind->cols[i].width, kind->cols[i].title);
	printf("\n");

	for (idx = 0; idx < kind->max; idx++) {
		if (!present[idx])
			continue;
		snprintf(reg, sizeof(reg), "%s%u", kind->prefix, idx);
		snprintf(dir, sizeof(dir), "%s/%s", PFMON_PMU_DIR, reg);
		if (pfmon_read_dir_attr(dir, "name", name, sizeof(name)))
			goto out;
		printf("%-*s%-*s", REG_WIDTH, reg, NAME_WIDTH, name);
		for (i = 0; i < kind->nr_cols; i++) {
			if (pfmon_read_dir_attr(dir, kind->cols[i].attr, val,
						sizeof(val)))
				goto out;
			printf("%-*s", kind->cols[i].width, val);
		}
		printf("\n");
	}
	ret = 0;
out:
	free(present);
	return ret;
}

/**
 * pfmon_print_regs() - list the PMCs and PMDs of the PMU description
 *
 * Return: 0, or -1 after printing why.
 */
int pfmon_print_regs(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reg_kinds); i++)
		if (print_regs(&reg_kinds[i]))
			return -1;
	return 0;
}

/* Width of the description column. */
#define DESC_WIDTH	60

static int list_event(const char *name, __u64 code, const char *desc,
		      void *arg)
{
	const struct pfmon_pmu *pmu = arg;
	int ok = pfmon_event_supported(pmu, code);
	int n = desc ? (int)strcspn(desc, "\n") : 0;

	printf("  %c %-32s 0x%04llx  %.*s%s\n", ok == 1 ? '*' : ' ', name,
	       (unsigned long long)code, n > DESC_WIDTH ? DESC_WIDTH - 3 : n,
	       desc ? desc : "", n > DESC_WIDTH ? "..." : "");
	return 0;
}

/**
 * do_list() - pfmon --list
 * @argc: arguments after --list
 * @argv: them (none taken)
 *
 * Return: the exit status.
 */
int do_list(int argc, char **argv)
{
	struct pfmon_pmu pmu;

	if (argc) {
		pfmon_err("--list takes no argument: '%s'", argv[0]);
		return EXIT_USAGE;
	}
	if (pfmon_setup_pmu(&pmu, false))
		return EXIT_FAILURE;
	printf("PMU:            %s\n", pmu.model);
	printf("counter width:  %u bits\n", pmu.counter_width);
	if (pmu.type == PFMON_PMU_PMUV3)
		printf("cycle counter:  PMC0/PMD0 (CPU_CYCLES goes there first)\n");
	printf("\n");
	if (pfmon_print_regs())
		return EXIT_FAILURE;
	if (pfmon_setup_pmu(&pmu, true))
		return EXIT_FAILURE;
	printf("\nevents (%s; * = the PMU takes it):\n",
	       pfmon_events_table());
	pfmon_events_for_each(&pmu, list_event, &pmu);
	printf("\nEV:u counts at user level, EV:k at kernel level, EV:uk both;"
	       " rHEX is a raw event code.\n");
	return EXIT_SUCCESS;
}
