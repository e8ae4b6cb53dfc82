// SPDX-License-Identifier: GPL-2.0
/*
 * pfmon - command-line front end of the perfmon interface
 *
 *   pfmon [stat] [-e EV,...] [--plm u|k|uk] [-x SEP | --json] -- CMD [ARGS]
 *   pfmon [stat] -p TID [--duration S]
 *   pfmon [stat] -a [-C CPUS] [--duration S | -- CMD]
 *   pfmon [stat] --sets 'EV,EV;EV,EV' [--switch-timeout MS] -- CMD
 *   pfmon record [--period N] [-e EV] [-o FILE] -- CMD [ARGS]
 *   pfmon report [--top N] [-x SEP | --json] [FILE]
 *   pfmon --list | --info | --version | --help
 *
 * Each command is one entry of cmds[] and one do_*() function (stat.c,
 * record.c, report.c, list.c); anything that is not a command name is
 * counting (stat), so "pfmon ls" counts ls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pfmon.h"

const char *prog = "pfmon";

/* Longest sysfs value we print. */
#define ATTR_MAX	128

/**
 * struct cmd - one pfmon command
 * @name: what selects it on the command line
 * @alias: another name for it, or NULL
 * @func: runs it with the arguments that follow @name; returns the exit
 *	status
 * @help: one-line description for --help
 */
struct cmd {
	const char	*name;
	const char	*alias;
	int		(*func)(int argc, char **argv);
	const char	*help;
};

static int do_help(int argc, char **argv);
static int do_info(int argc, char **argv);
static int do_version(int argc, char **argv);

static const struct cmd cmds[] = {
	{
		.name	= "stat",
		.func	= do_stat,
		.help	= "count events of a command, a thread (-p) or the system (-a) (default)",
	},
	{
		.name	= "record",
		.func	= do_record,
		.help	= "sample a command into a data file (pfmon record --help)",
	},
	{
		.name	= "report",
		.func	= do_report,
		.help	= "flat profile of a data file (pfmon report --help)",
	},
	{
		.name	= "--list",
		.alias	= "list",
		.func	= do_list,
		.help	= "show the PMU, its registers and the events pfmon knows",
	},
	{
		.name	= "--info",
		.func	= do_info,
		.help	= "describe the PMU, then create and close a context",
	},
	{
		.name	= "--version",
		.func	= do_version,
		.help	= "print the pfmon and kernel interface versions",
	},
	{
		.name	= "--help",
		.alias	= "help",
		.func	= do_help,
		.help	= "print this help",
	},
};

/* Print one line "pfmon: ..." on stderr. */
void pfmon_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/**
 * pfmon_setup_pmu() - find the active PMU and get its events ready
 * @pmu: filled
 * @events: also initialize the event names (libpfm4)
 *
 * Return: 0, or -1 after printing why.
 */
int pfmon_setup_pmu(struct pfmon_pmu *pmu, bool events)
{
	char why[256];

	if (pfmon_pmu_read(pmu, why, sizeof(why))) {
		pfmon_err("perfmon not available: %s", why);
		return -1;
	}
	if (events && pfmon_events_init(pmu, why, sizeof(why))) {
		pfmon_err("%s", why);
		return -1;
	}
	return 0;
}

/* CLOCK_MONOTONIC in seconds. */
double pfmon_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parse a duration in seconds ("1", "0.5"); -1 unless positive. */
int pfmon_parse_seconds(const char *s, double *secs)
{
	char *end;

	errno = 0;
	*secs = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*secs) || *secs <= 0 ||
	    *secs > 1e7)
		return -1;
	return 0;
}

/* Parse a positive decimal (or 0x hex) number; -1 if not one. */
int pfmon_parse_u64(const char *s, __u64 *v)
{
	char *end;

	if (*s == '-' || !*s)
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end || !*v)
		return -1;
	return 0;
}

/* Check that the kernel has perfmon; print why not. */
static bool perfmon_available(void)
{
	char why[256];

	if (pfm_probe(why, sizeof(why)) == 0)
		return true;
	pfmon_err("perfmon not available: %s", why);
	return false;
}

/*
 * Read the sysfs attribute @dir/@name into @buf without its newline.
 * Return 0, or -1 after printing an error.
 */
int pfmon_read_dir_attr(const char *dir, const char *name, char *buf,
			size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (pfmon_read_attr(path, buf, len) < 0) {
		pfmon_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Refuse arguments to a command that takes none; return the exit status. */
static int no_args(int argc, char **argv, const char *cmd)
{
	if (!argc)
		return EXIT_SUCCESS;
	pfmon_err("%s takes no argument: '%s'", cmd, argv[0]);
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
	if (pfmon_read_dir_attr(PFM_SYSFS_DIR, "version", version,
				sizeof(version)))
		return EXIT_FAILURE;
	printf("kernel perfmon interface %s\n", version);
	return EXIT_SUCCESS;
}

static int do_info(int argc, char **argv)
{
	char model[ATTR_MAX], width[ATTR_MAX];
	int fd;

	if (no_args(argc, argv, "--info"))
		return EXIT_USAGE;
	if (!perfmon_available())
		return EXIT_FAILURE;
	if (pfmon_read_dir_attr(PFMON_PMU_DIR, "model", model,
				sizeof(model)) ||
	    pfmon_read_dir_attr(PFMON_PMU_DIR, "counter_width", width,
				sizeof(width)))
		return EXIT_FAILURE;
	printf("model:          %s\n", model);
	printf("counter width:  %s bits\n", width);
	if (pfmon_print_regs())
		return EXIT_FAILURE;

	fd = pfmon_ctx_create(0, 0);
	if (fd < 0) {
		pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_create_context"));
		return EXIT_FAILURE;
	}
	printf("context fd:     %d\n", fd);
	if (close(fd)) {
		pfmon_err("close: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	printf("context created and closed\n");
	return EXIT_SUCCESS;
}

static void print_usage(FILE *out)
{
	unsigned int i;

	fprintf(out,
		"usage: %s [stat] [-e EV,...] [--plm u|k|uk] [-x SEP|--json] [-o FILE] -- CMD [ARGS]\n"
		"       %s [stat] -p TID [--duration S]\n"
		"       %s [stat] -a [-C CPUS] [--duration S | -- CMD]\n"
		"       %s [stat] --sets 'EV,EV;EV,EV' [--switch-timeout MS] -- CMD\n"
		"       %s record [--period N] [-e EV] [-o FILE] -- CMD [ARGS]\n"
		"       %s report [--top N] [-x SEP|--json] [FILE]\n"
		"\ncommands:\n", prog, prog, prog, prog, prog, prog);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(out, "  %-12s %s\n", cmds[i].name, cmds[i].help);
	fprintf(out, "\n'%s stat --help' lists the counting options.\n", prog);
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
		if (!strcmp(argv[1], cmds[i].name) ||
		    (cmds[i].alias && !strcmp(argv[1], cmds[i].alias)))
			return cmds[i].func(argc - 2, argv + 2);
	/* everything else counts: options, then the command */
	return do_stat(argc - 1, argv + 1);
}
