// SPDX-License-Identifier: GPL-2.0
/*
 * Output of counting runs, in three forms:
 *
 * text (default): like perf stat: a title, one line per value with the
 *	count right-aligned with thousands separators and the event name,
 *	then the elapsed time.
 *
 * CSV (-x SEP): a header line, then one line per value:
 *	value,event,plm,scope,raw,time_pct
 *	value     the count (with event sets: scaled to the whole run)
 *	event     event name
 *	plm       privilege levels: u, k or uk
 *	scope     thread, cpuN or total
 *	raw       the count as read (= value without event sets)
 *	time_pct  share of the run its event set was active (100.00 without)
 *
 * JSON (--json): one object:
 *	{ "pfmon": version, "pmu": model, "target": title, "command": [argv],
 *	  "tid": tid, "elapsed_ns": n, "exit_status": n, "sets": bool,
 *	  "counts": [ { "event", "plm", "scope", "value", "raw", "set",
 *	                "time_pct", "runs", "pmc", "pmc_value" }, ... ] }
 *
 * Counts go to stderr, like perf stat (the command owns stdout), or to -o.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pfmon.h"

/**
 * fmt_thousands() - format a number with ',' every three digits
 * @v: the number
 * @buf: filled
 * @len: size of @buf (27 is enough for any 64-bit number)
 *
 * Return: @buf.
 */
char *fmt_thousands(unsigned long long v, char *buf, size_t len)
{
	char digits[32];
	int n, i, o = 0;

	n = snprintf(digits, sizeof(digits), "%llu", v);
	for (i = 0; i < n && o + 2 < (int)len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* Open -o FILE, or return @dfl; NULL after printing why. */
FILE *out_open(const struct out_opts *o, FILE *dfl)
{
	FILE *f;

	if (!o->path)
		return dfl;
	f = fopen(o->path, "we");
	if (!f)
		pfmon_err("%s: %s", o->path, strerror(errno));
	return f;
}

void out_close(const struct out_opts *o, FILE *f)
{
	if (o->path && f)
		fclose(f);
	else if (f)
		fflush(f);
}

/* Print @s as a JSON string literal. */
void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/**
 * out_parse_sep() - take the -x argument
 * @arg: one character (",", ";", ":", "\t" given as a tab)
 * @o: its fmt and sep are set
 *
 * Return: 0, or -1 after printing why.
 */
int out_parse_sep(const char *arg, struct out_opts *o)
{
	if (strlen(arg) != 1 || arg[0] == '.' || arg[0] == '"' ||
	    (arg[0] >= '0' && arg[0] <= '9')) {
		pfmon_err("-x takes one separator character such as ',' (got '%s')",
			  arg);
		return -1;
	}
	o->fmt = OUT_CSV;
	o->sep = arg[0];
	return 0;
}

static void text_counts(FILE *f, const struct count_table *t)
{
	char num[32], label[96];
	int i;

	fprintf(f, "\n Performance counter stats for %s:\n\n", t->target);
	for (i = 0; i < t->nrows; i++) {
		const struct count_row *r = &t->rows[i];

		snprintf(label, sizeof(label), "%s:%s", r->event,
			 pfmon_plm_name(r->plm));
		if (strcmp(r->scope, "thread"))
			fprintf(f, " %-8s", r->scope);
		fmt_thousands(r->value, num, sizeof(num));
		if (t->sets)
			fprintf(f, " %18s      %-28s (set %u, %6.2f%% of the time, %llu runs)\n",
				num, label, r->set, r->time_pct,
				(unsigned long long)r->runs);
		else
			fprintf(f, " %18s      %s\n", num, label);
	}
	fprintf(f, "\n %18.9f seconds time elapsed\n", t->elapsed);
	if (t->user >= 0 && t->sys >= 0) {
		fprintf(f, "\n %18.9f seconds user\n", t->user);
		fprintf(f, " %18.9f seconds sys\n", t->sys);
	}
	if (t->sets)
		fprintf(f, "\n (event sets multiplexed: values scaled to the whole run)\n");
	fputc('\n', f);
}

static void csv_counts(FILE *f, const struct count_table *t, char s)
{
	int i;

	fprintf(f, "value%cevent%cplm%cscope%craw%ctime_pct\n", s, s, s, s, s);
	for (i = 0; i < t->nrows; i++) {
		const struct count_row *r = &t->rows[i];

		fprintf(f, "%llu%c%s%c%s%c%s%c%llu%c%.2f\n",
			(unsigned long long)r->value, s, r->event, s,
			pfmon_plm_name(r->plm), s, r->scope, s,
			(unsigned long long)r->raw, s, r->time_pct);
	}
}

static void json_counts(FILE *f, const struct count_table *t)
{
	int i;

	fprintf(f, "{\n  \"pfmon\": \"%s\",\n  \"pmu\": ", PFMON_VERSION);
	json_string(f, t->pmu);
	fprintf(f, ",\n  \"target\": ");
	json_string(f, t->target);
	if (t->argv) {
		fprintf(f, ",\n  \"command\": [");
		for (i = 0; t->argv[i]; i++) {
			fprintf(f, "%s", i ? ", " : "");
			json_string(f, t->argv[i]);
		}
		fprintf(f, "]");
	}
	if (t->tid > 0)
		fprintf(f, ",\n  \"tid\": %d", t->tid);
	fprintf(f, ",\n  \"elapsed_ns\": %.0f", t->elapsed * 1e9);
	if (t->exit_status >= 0)
		fprintf(f, ",\n  \"exit_status\": %d", t->exit_status);
	fprintf(f, ",\n  \"sets\": %s,\n  \"counts\": [", t->sets ? "true" : "false");
	for (i = 0; i < t->nrows; i++) {
		const struct count_row *r = &t->rows[i];

		fprintf(f, "%s\n    {\"event\": ", i ? "," : "");
		json_string(f, r->event);
		fprintf(f, ", \"plm\": \"%s\", \"scope\": \"%s\"",
			pfmon_plm_name(r->plm), r->scope);
		fprintf(f, ", \"value\": %llu, \"raw\": %llu",
			(unsigned long long)r->value,
			(unsigned long long)r->raw);
		fprintf(f, ", \"set\": %u, \"time_pct\": %.2f, \"runs\": %llu",
			r->set, r->time_pct, (unsigned long long)r->runs);
		fprintf(f, ", \"pmc\": %u, \"pmc_value\": \"0x%llx\"}",
			r->pmc, (unsigned long long)r->pmc_value);
	}
	fprintf(f, "\n  ]\n}\n");
}

/**
 * out_counts() - print a count table
 * @o: output options
 * @t: the table
 *
 * Return: 0, or -1 after printing why.
 */
int out_counts(const struct out_opts *o, const struct count_table *t)
{
	FILE *f = out_open(o, stderr);

	if (!f)
		return -1;
	switch (o->fmt) {
	case OUT_TEXT:
		text_counts(f, t);
		break;
	case OUT_CSV:
		csv_counts(f, t, o->sep);
		break;
	case OUT_JSON:
		json_counts(f, t);
		break;
	}
	if (ferror(f)) {
		pfmon_err("%s: write error", o->path ? o->path : "stderr");
		out_close(o, f);
		return -1;
	}
	out_close(o, f);
	return 0;
}
