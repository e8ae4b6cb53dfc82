// SPDX-License-Identifier: GPL-2.0
/*
 * pfmon report: a flat profile of a pfmon data file: samples per function
 * (user functions through the ELF files of the recorded mappings, kernel
 * functions through /proc/kallsyms), most sampled first, with percentages.
 *
 * Output: text (default), CSV (-x SEP: pct,samples,symbol,object after a
 * header line) or JSON (--json: { "file", "command", "pmu", "event",
 * "plm", "period", "samples", "count", "profile": [ { "symbol", "object",
 * "samples", "pct" } ] }), on stdout or -o FILE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfmon.h"
#include "pfmon_data.h"
#include "symbols.h"

#define DFL_TOP		20
#define KALLSYMS	"/proc/kallsyms"
#define UNKNOWN		"[unknown]"

/**
 * struct map - a recorded mapping
 * @tgid: process
 * @start: first address
 * @end: address after it
 * @pgoff: file offset at @start
 * @path: the file
 * @st: its symbols, loaded on first use
 */
struct map {
	__u32		tgid;
	__u64		start;
	__u64		end;
	__u64		pgoff;
	char		*path;
	struct symtab	*st;
};

/**
 * struct hist - samples of one function
 * @symbol: function name, or [unknown]
 * @object: file, [kernel], [vdso], ...
 * @count: samples
 */
struct hist {
	char	*symbol;
	char	*object;
	__u64	count;
};

/**
 * struct report - a data file being reported
 * @hdr: its header
 * @comm: the command line recorded
 * @end: totals (zero when the file ended early)
 * @maps: mappings
 * @nmaps: how many
 * @hists: samples per function
 * @nhists: how many
 * @samples: samples read
 * @kernel: kernel symbols, loaded on first use
 * @kallsyms: where to load them from
 * @dump: --samples: print each sample there
 */
struct report {
	struct pfmon_data_hdr	hdr;
	char			comm[1024];
	struct pfmon_rec_end	end;
	struct map		*maps;
	int			nmaps;
	struct hist		*hists;
	int			nhists;
	__u64			samples;
	struct symtab		*kernel;
	const char		*kallsyms;
	FILE			*dump;
};

static int add_map(struct report *r, const struct pfmon_rec_mmap *m,
		   size_t size)
{
	struct map *maps;
	size_t plen = size - sizeof(*m);

	maps = realloc(r->maps, (r->nmaps + 1) * sizeof(*maps));
	if (!maps)
		return -1;
	r->maps = maps;
	maps += r->nmaps;
	memset(maps, 0, sizeof(*maps));
	maps->tgid = m->tgid;
	maps->start = m->start;
	maps->end = m->end;
	maps->pgoff = m->pgoff;
	maps->path = strndup(m->path, plen);
	if (!maps->path)
		return -1;
	r->nmaps++;
	return 0;
}

/* The mapping of @ip, the latest recorded if several are. */
static struct map *find_map(struct report *r, __u32 tgid, __u64 ip)
{
	int i;

	for (i = r->nmaps - 1; i >= 0; i--)
		if (r->maps[i].tgid == tgid && ip >= r->maps[i].start &&
		    ip < r->maps[i].end)
			return &r->maps[i];
	for (i = r->nmaps - 1; i >= 0; i--)
		if (ip >= r->maps[i].start && ip < r->maps[i].end)
			return &r->maps[i];
	return NULL;
}

/* Symbols of @path: shared between the mappings of one file. */
static struct symtab *map_symtab(struct report *r, struct map *m)
{
	int i;

	if (m->st)
		return m->st;
	for (i = 0; i < r->nmaps; i++) {
		if (r->maps[i].st && !strcmp(r->maps[i].path, m->path)) {
			m->st = r->maps[i].st;
			return m->st;
		}
	}
	if (m->path[0] == '/')
		m->st = symtab_elf(m->path);
	return m->st;
}

static int add_hist(struct report *r, const char *symbol, const char *object)
{
	struct hist *h;
	int i;

	/* the last hit first: samples come in runs */
	for (i = r->nhists - 1; i >= 0; i--) {
		if (!strcmp(r->hists[i].symbol, symbol) &&
		    !strcmp(r->hists[i].object, object)) {
			r->hists[i].count++;
			return 0;
		}
	}
	h = realloc(r->hists, (r->nhists + 1) * sizeof(*h));
	if (!h)
		return -1;
	r->hists = h;
	h += r->nhists;
	h->symbol = strdup(symbol);
	h->object = strdup(object);
	h->count = 1;
	if (!h->symbol || !h->object)
		return -1;
	r->nhists++;
	return 0;
}

/* Kernel addresses have the top bit set on x86_64 and arm64. */
static bool kernel_ip(__u64 ip)
{
	return ip >> 63;
}

static int add_sample(struct report *r, const struct pfmon_rec_sample *s)
{
	const char *object = UNKNOWN;
	const struct sym *sym = NULL;
	struct symtab *st;
	struct map *m;
	__u64 vaddr;

	r->samples++;
	if (kernel_ip(s->ip)) {
		if (!r->kernel)
			r->kernel = symtab_kallsyms(r->kallsyms);
		if (r->kernel)
			sym = symtab_lookup(r->kernel, s->ip);
		object = "[kernel]";
	} else {
		m = find_map(r, s->tgid, s->ip);
		st = m ? map_symtab(r, m) : NULL;
		if (st && symtab_file_vaddr(st, s->ip - m->start + m->pgoff,
					    &vaddr))
			sym = symtab_lookup(st, vaddr);
		if (m)
			object = m->path;
	}
	if (r->dump)
		fprintf(r->dump, "%8u %8u %4u %20llu 0x%016llx %10llu  %s %s\n",
			s->tgid, s->tid, s->cpu, (unsigned long long)s->tstamp,
			(unsigned long long)s->ip, (unsigned long long)s->period,
			sym ? sym->name : UNKNOWN, object);
	return add_hist(r, sym ? sym->name : UNKNOWN, object);
}

static int read_file(struct report *r, const char *path)
{
	struct pfmon_rec rec;
	char *body = NULL;
	int ret = -1;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		pfmon_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fread(&r->hdr, sizeof(r->hdr), 1, f) != 1 ||
	    memcmp(r->hdr.magic, PFMON_DATA_MAGIC, sizeof(r->hdr.magic))) {
		pfmon_err("%s: not a pfmon data file", path);
		goto out;
	}
	if (r->hdr.version != PFMON_DATA_VERSION ||
	    r->hdr.hdr_size < sizeof(r->hdr) ||
	    fseek(f, r->hdr.hdr_size, SEEK_SET)) {
		pfmon_err("%s: pfmon data version %u, this pfmon reads %d",
			  path, r->hdr.version, PFMON_DATA_VERSION);
		goto out;
	}
	r->hdr.event[sizeof(r->hdr.event) - 1] = '\0';
	r->hdr.pmu[sizeof(r->hdr.pmu) - 1] = '\0';
	while (fread(&rec, sizeof(rec), 1, f) == 1) {
		if (rec.size < sizeof(rec) || rec.size > (1 << 20) || rec.size % 8) {
			pfmon_err("%s: corrupt record", path);
			goto out;
		}
		free(body);
		body = calloc(1, rec.size + 1);
		if (!body)
			goto out;
		memcpy(body, &rec, sizeof(rec));
		if (fread(body + sizeof(rec), rec.size - sizeof(rec), 1, f) != 1 &&
		    rec.size > sizeof(rec)) {
			pfmon_err("%s: truncated record", path);
			goto out;
		}
		switch (rec.type) {
		case PFMON_REC_SAMPLE:
			if (rec.size >= sizeof(struct pfmon_rec_sample) &&
			    add_sample(r, (void *)body))
				goto out;
			break;
		case PFMON_REC_MMAP:
			if (rec.size > sizeof(struct pfmon_rec_mmap) &&
			    add_map(r, (void *)body, rec.size))
				goto out;
			break;
		case PFMON_REC_COMM:
			if (rec.size > sizeof(struct pfmon_rec_comm))
				snprintf(r->comm, sizeof(r->comm), "%s",
					 ((struct pfmon_rec_comm *)body)->cmdline);
			break;
		case PFMON_REC_END:
			if (rec.size >= sizeof(r->end))
				memcpy(&r->end, body, sizeof(r->end));
			break;
		default:
			break;
		}
		if (rec.type == PFMON_REC_END)
			break;
	}
	ret = 0;
out:
	free(body);
	fclose(f);
	return ret;
}

static int cmp_hist(const void *a, const void *b)
{
	const struct hist *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->symbol, y->symbol);
}

static double pct(const struct report *r, __u64 n)
{
	return r->samples ? 100.0 * n / r->samples : 0;
}

static void text_report(FILE *f, const struct report *r, const char *path,
			int top)
{
	char n1[32], n2[32], n3[32];
	int i;

	fprintf(f, "# pfmon report of %s\n", path);
	if (r->comm[0])
		fprintf(f, "# command:  %s\n", r->comm);
	fprintf(f, "# event:    %s:%s on PMD%u (PMC%u = 0x%llx), %s\n",
		r->hdr.event, pfmon_plm_name(r->hdr.plm), r->hdr.pmd,
		r->hdr.pmc, (unsigned long long)r->hdr.pmc_value, r->hdr.pmu);
	fprintf(f, "# samples:  %s, one every %s events (%s events in all)\n",
		fmt_thousands(r->samples, n1, sizeof(n1)),
		fmt_thousands(r->hdr.period, n2, sizeof(n2)),
		fmt_thousands(r->end.count, n3, sizeof(n3)));
	fprintf(f, "#\n# %8s %10s  %-32s %s\n", "overhead", "samples",
		"symbol", "object");
	for (i = 0; i < r->nhists && (!top || i < top); i++)
		fprintf(f, "  %8.2f%% %10s  %-32s %s\n",
			pct(r, r->hists[i].count),
			fmt_thousands(r->hists[i].count, n1, sizeof(n1)),
			r->hists[i].symbol, r->hists[i].object);
	if (top && r->nhists > top)
		fprintf(f, "  (%d more; --top 0 shows all)\n", r->nhists - top);
}

static void csv_report(FILE *f, const struct report *r, char s, int top)
{
	int i;

	fprintf(f, "pct%csamples%csymbol%cobject\n", s, s, s);
	for (i = 0; i < r->nhists && (!top || i < top); i++)
		fprintf(f, "%.2f%c%llu%c%s%c%s\n", pct(r, r->hists[i].count), s,
			(unsigned long long)r->hists[i].count, s,
			r->hists[i].symbol, s, r->hists[i].object);
}

static void json_report(FILE *f, const struct report *r, const char *path,
			int top)
{
	int i;

	fprintf(f, "{\n  \"file\": ");
	json_string(f, path);
	fprintf(f, ",\n  \"command\": ");
	json_string(f, r->comm);
	fprintf(f, ",\n  \"pmu\": ");
	json_string(f, r->hdr.pmu);
	fprintf(f, ",\n  \"event\": ");
	json_string(f, r->hdr.event);
	fprintf(f, ",\n  \"plm\": \"%s\",\n"
		"  \"period\": %llu,\n  \"samples\": %llu,\n"
		"  \"count\": %llu,\n  \"profile\": [",
		pfmon_plm_name(r->hdr.plm), (unsigned long long)r->hdr.period,
		(unsigned long long)r->samples,
		(unsigned long long)r->end.count);
	for (i = 0; i < r->nhists && (!top || i < top); i++) {
		fprintf(f, "%s\n    {\"symbol\": ", i ? "," : "");
		json_string(f, r->hists[i].symbol);
		fprintf(f, ", \"object\": ");
		json_string(f, r->hists[i].object);
		fprintf(f, ", \"samples\": %llu, \"pct\": %.2f}",
			(unsigned long long)r->hists[i].count,
			pct(r, r->hists[i].count));
	}
	fprintf(f, "\n  ]\n}\n");
}

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: %s report [options] [FILE]   (FILE: default pfmon.data)\n"
		"      --top N               the N most sampled functions (default %d, 0: all)\n"
		"  -x, --field-separator C   CSV: pct,samples,symbol,object\n"
		"      --json                JSON\n"
		"  -o, --output FILE         write there instead of stdout\n"
		"      --kallsyms FILE       kernel symbols (default %s)\n"
		"      --samples             list every sample (pid, tid, cpu, time, ip, period,\n"
		"                            symbol, object) before the profile\n",
		prog, DFL_TOP, KALLSYMS);
}

enum { OPT_TOP = 256, OPT_JSON, OPT_KALLSYMS, OPT_SAMPLES };

static const struct option report_longopts[] = {
	{ "top",		required_argument,	NULL, OPT_TOP },
	{ "field-separator",	required_argument,	NULL, 'x' },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "output",		required_argument,	NULL, 'o' },
	{ "input",		required_argument,	NULL, 'i' },
	{ "kallsyms",		required_argument,	NULL, OPT_KALLSYMS },
	{ "samples",		no_argument,		NULL, OPT_SAMPLES },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL,			0,			NULL, 0 },
};

static void free_report(struct report *r)
{
	int i, j;

	for (i = 0; i < r->nmaps; i++) {
		/* free each symbol table once: mappings of a file share it */
		for (j = i + 1; j < r->nmaps; j++)
			if (r->maps[j].st == r->maps[i].st)
				r->maps[j].st = NULL;
		symtab_free(r->maps[i].st);
		free(r->maps[i].path);
	}
	free(r->maps);
	for (i = 0; i < r->nhists; i++) {
		free(r->hists[i].symbol);
		free(r->hists[i].object);
	}
	free(r->hists);
	symtab_free(r->kernel);
}

/**
 * do_report() - pfmon report
 * @argc: arguments after "report"
 * @argv: them; argv[-1] is "report"
 *
 * Return: the exit status.
 */
int do_report(int argc, char **argv)
{
	struct out_opts out = { .fmt = OUT_TEXT };
	struct report r = { .kallsyms = KALLSYMS };
	const char *path = "pfmon.data";
	int c, top = DFL_TOP, ret = EXIT_FAILURE;
	__u64 v;
	FILE *f;

	opterr = 0;
	optind = 1;
	argc++;
	argv--;
	while ((c = getopt_long(argc, argv, "+:x:o:i:h", report_longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_TOP:
			v = 0;
			if (strcmp(optarg, "0") &&
			    (pfmon_parse_u64(optarg, &v) || v > 1000000)) {
				pfmon_err("--top takes a number (got '%s')", optarg);
				return EXIT_USAGE;
			}
			top = v;
			break;
		case 'x':
			if (out_parse_sep(optarg, &out))
				return EXIT_USAGE;
			break;
		case OPT_JSON:
			out.fmt = OUT_JSON;
			break;
		case 'o':
			out.path = optarg;
			break;
		case 'i':
			path = optarg;
			break;
		case OPT_KALLSYMS:
			r.kallsyms = optarg;
			break;
		case OPT_SAMPLES:
			r.dump = stdout;
			break;
		case 'h':
			report_usage(stdout);
			return EXIT_SUCCESS;
		case ':':
			pfmon_err("option '%s' needs an argument", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			pfmon_err("unknown option '%s' (%s report --help)",
				  argv[optind - 1], prog);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc) {
		pfmon_err("report reads one file (got '%s' too)", argv[optind]);
		return EXIT_USAGE;
	}
	if (r.dump)
		fprintf(r.dump, "# %6s %8s %4s %20s %18s %10s  %s\n", "pid", "tid",
			"cpu", "time (ns)", "ip", "period", "symbol object");
	if (read_file(&r, path))
		goto out;
	qsort(r.hists, r.nhists, sizeof(*r.hists), cmp_hist);
	f = out_open(&out, stdout);
	if (!f)
		goto out;
	if (out.fmt == OUT_CSV)
		csv_report(f, &r, out.sep, top);
	else if (out.fmt == OUT_JSON)
		json_report(f, &r, path, top);
	else
		text_report(f, &r, path, top);
	out_close(&out, f);
	ret = EXIT_SUCCESS;
out:
	free_report(&r);
	return ret;
}
