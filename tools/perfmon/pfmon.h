/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfmon.h - what the pfmon commands share
 *
 * pfmon.c     main(), the command table, --version, --info, --help
 * stat.c      counting: a command, a thread (-p), system-wide (-a), sets
 * record.c    pfmon record: sampling into a pfmon data file
 * report.c    pfmon report: flat profile of a data file
 * symbols.c   symbols of ELF files (libelf) and of the kernel (kallsyms)
 * list.c      pfmon --list: the PMU, its registers, the events
 * output.c    number formatting, text / CSV / JSON count tables
 */
#ifndef _PFMON_H
#define _PFMON_H

#include <stdbool.h>
#include <stdio.h>

#include "libpfmon.h"
#include "events.h"

#define PFMON_VERSION	"0.2"

/* Exit statuses (a counted command's own status passes through). */
#define EXIT_USAGE	2
#define EXIT_NOCMD	127

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

extern const char *prog;

void pfmon_err(const char *fmt, ...) __pfmon_attr(format(printf, 1, 2));
int pfmon_setup_pmu(struct pfmon_pmu *pmu, bool events);
int pfmon_read_dir_attr(const char *dir, const char *name, char *buf,
			size_t len);
double pfmon_now(void);
int pfmon_parse_seconds(const char *s, double *secs);
int pfmon_parse_u64(const char *s, __u64 *v);

/* output.c */

/**
 * enum out_fmt - how results are printed
 * @OUT_TEXT: aligned, thousands separators (like perf stat)
 * @OUT_CSV: one line per value, fields separated by the -x character
 * @OUT_JSON: one JSON object
 */
enum out_fmt {
	OUT_TEXT,
	OUT_CSV,
	OUT_JSON,
};

/**
 * struct out_opts - the output options every command takes
 * @fmt: text, CSV or JSON
 * @sep: CSV field separator
 * @path: -o FILE, NULL for stderr (counts) or stdout (report, list)
 */
struct out_opts {
	enum out_fmt	fmt;
	char		sep;
	const char	*path;
};

/**
 * struct count_row - one value of a count table
 * @event: event name (no privilege suffix)
 * @plm: privilege levels counted
 * @scope: "thread", "cpuN" or "total"
 * @value: the count, scaled when its set ran part of the time
 * @raw: the count as read
 * @set: event set
 * @time_pct: share of the time its set was active (100 without sets)
 * @runs: times its set was activated (0 without sets)
 * @pmc: PMC it was counted with
 * @pmc_value: value of that PMC
 */
struct count_row {
	const char	*event;
	unsigned int	plm;
	char		scope[16];
	__u64		value;
	__u64		raw;
	unsigned int	set;
	double		time_pct;
	__u64		runs;
	unsigned int	pmc;
	__u64		pmc_value;
};

/**
 * struct count_table - what a counting run prints
 * @pmu: PMU model
 * @target: what was counted, for the title ("'ls -l'", "thread 42", ...)
 * @argv: the command, NULL-terminated, or NULL
 * @tid: thread counted, 0 when system-wide
 * @elapsed: wall-clock seconds
 * @user: user CPU seconds of the command, < 0 when unknown
 * @sys: system CPU seconds of the command, < 0 when unknown
 * @exit_status: the command's exit status, < 0 when none
 * @sets: event sets were used
 * @rows: the values
 * @nrows: how many
 */
struct count_table {
	const char		*pmu;
	const char		*target;
	char			**argv;
	int			tid;
	double			elapsed;
	double			user;
	double			sys;
	int			exit_status;
	bool			sets;
	struct count_row	*rows;
	int			nrows;
};

char *fmt_thousands(unsigned long long v, char *buf, size_t len);
FILE *out_open(const struct out_opts *o, FILE *dfl);
void out_close(const struct out_opts *o, FILE *f);
void json_string(FILE *f, const char *s);
int out_counts(const struct out_opts *o, const struct count_table *t);
int out_parse_sep(const char *arg, struct out_opts *o);

/* commands */
int do_stat(int argc, char **argv);
int do_record(int argc, char **argv);
int do_report(int argc, char **argv);
int do_list(int argc, char **argv);
int pfmon_print_regs(void);

#endif /* _PFMON_H */
