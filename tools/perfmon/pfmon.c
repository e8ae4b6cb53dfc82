// SPDX-License-Identifier: GPL-2.0
/*
 * pfmon - command-line front end of the perfmon interface
 *
 * pfmon COMMAND [ARGS]. Each command is one entry of cmds[] and one do_*()
 * function; counting and sampling arrive as further commands.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfmlib_sys.h"

#define PFMON_VERSION	"0.1"

#define PMU_DESC_DIR	PFM_SYSFS_DIR "/pmu_desc"

/* Exit statuses. */
#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Longest sysfs value we print. */
#define ATTR_MAX	128

static const char *prog = "pfmon";

/**
 * struct cmd - one pfmon command
 * @name: what selects it on the command line
 * @func: runs it with the arguments that follow @name; returns the exit
 *	status
 * @help: one-line description for --help
 */
struct cmd {
	const char	*name;
	int		(*func)(int argc, char **argv);
	const char	*help;
};

static int do_help(int argc, char **argv);
static int do_info(int argc, char **argv);
static int do_version(int argc, char **argv);

static const struct cmd cmds[] = {
	{
		.name	= "--version",
		.func	= do_version,
		.help	= "print the pfmon and kernel interface versions",
	},
	{
		.name	= "--info",
		.func	= do_info,
		.help	= "describe the PMU, then create and close a context",
	},
	{
		.name	= "--help",
		.func	= do_help,
		.help	= "print this help",
	},
};

/* Check that the kernel has perfmon; print why not. */
static bool perfmon_available(void)
{
	char why[256];

	if (pfm_probe(why, sizeof(why)) == 0)
		return true;
	fprintf(stderr, "perfmon: not available: %s\n", why);
	return false;
}

/*
 * Read the sysfs attribute @dir/@name into @buf without its newline.
 * Return 0, or -1 after printing an error.
 */
static int read_attr(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f || !fgets(buf, len, f)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path,
			f ? "empty" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* Refuse arguments to a command that takes none; return the exit status. */
static int no_args(int argc, char **argv, const char *cmd)
{
	if (!argc)
		return EXIT_SUCCESS;
	fprintf(stderr, "%s: %s takes no argument: '%s'\n", prog, cmd, argv[0]);
	return EXIT_USAGE;
}

static int do_version(int argc, char **argv)
{
	char version[ATTR_MAX];

	if (no_args(argc, argv, "--version"))
		return EXIT_USAGE;

	printf("pfmon %s (built for perfmon interface %u.%u)\n", PFMON_VERSION,
	       PFM_VERSION_MAJ, PFM_VERSION_MIN);
	if (!perfmon_available())
		return EXIT_FAILURE;
	if (read_attr(PFM_SYSFS_DIR, "version", version, sizeof(version)))
		return EXIT_FAILURE;
	printf("kernel perfmon interface %s\n", version);
	return EXIT_SUCCESS;
}

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

	d = opendir(PMU_DESC_DIR);
	if (!d) {
		fprintf(stderr, "%s: %s: %s\n", prog, PMU_DESC_DIR,
			strerror(errno));
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
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
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
		snprintf(dir, sizeof(dir), "%s/%s", PMU_DESC_DIR, reg);
		if (read_attr(dir, "name", name, sizeof(name)))
			goto out;
		printf("%-*s%-*s", REG_WIDTH, reg, NAME_WIDTH, name);
		for (i = 0; i < kind->nr_cols; i++) {
			if (read_attr(dir, kind->cols[i].attr, val,
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

static int do_info(int argc, char **argv)
{
	char model[ATTR_MAX], width[ATTR_MAX];
	struct pfarg_ctx ctx;
	unsigned int i;
	int fd;

	if (no_args(argc, argv, "--info"))
		return EXIT_USAGE;
	if (!perfmon_available())
		return EXIT_FAILURE;
	if (read_attr(PMU_DESC_DIR, "model", model, sizeof(model)) ||
	    read_attr(PMU_DESC_DIR, "counter_width", width, sizeof(width)))
		return EXIT_FAILURE;
	printf("model:          %s\n", model);
	printf("counter width:  %s bits\n", width);
	for (i = 0; i < ARRAY_SIZE(reg_kinds); i++)
		if (print_regs(&reg_kinds[i]))
			return EXIT_FAILURE;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ctx_flags = PFM_FL_FD_CLOEXEC;
	fd = pfm_create_context(&ctx, NULL, NULL, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: pfm_create_context: %s\n", prog,
			strerror(errno));
		return EXIT_FAILURE;
	}
	printf("context fd:     %d\n", fd);
	if (close(fd)) {
		fprintf(stderr, "%s: close: %s\n", prog, strerror(errno));
		return EXIT_FAILURE;
	}
	printf("context created and closed\n");
	return EXIT_SUCCESS;
}

static void print_usage(FILE *out)
{
	unsigned int i;

	fprintf(out, "usage: %s COMMAND\n\ncommands:\n", prog);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(out, "  %-12s %s\n", cmds[i].name, cmds[i].help);
}

static int do_help(int argc, char **argv)
{
	print_usage(stdout);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].func(argc - 2, argv + 2);
	fprintf(stderr, "%s: unknown command '%s' (try %s --help)\n", prog,
		argv[1], prog);
	return EXIT_USAGE;
}
