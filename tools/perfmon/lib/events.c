// SPDX-License-Identifier: GPL-2.0
/*
 * Event names: what the user writes after -e, turned into event codes and
 * then into counters (PMC/PMD pairs) of the active PMU description.
 *
 * Hardware PMUs: names come from libpfm4's tables (no table of our own).
 * libpfm4 picks an Arm table by the CPU's MIDR, which QEMU's "-cpu max"
 * does not match; when perfmon runs the "ARMv8 PMUv3" description and
 * libpfm4 detects no core PMU, the generic ARMv8 table of the Cortex-A57
 * (PFMON_FORCED_ARM_TABLE: the PMUv3 common events) is forced with
 * LIBPFM_FORCE_PMU. The PMC value is built here from the event number
 * libpfm4 gives (bits 15:0), not from libpfm4's encoding.
 *
 * The software PMU is perfmon's own: its four events are the table below.
 *
 * Syntax: NAME[:u|:k|:uk], or rHEX / 0xHEX for a raw event code, and
 * libpfm4's PMU::NAME. Names are case-insensitive.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <perfmon/pfmlib.h>

#include "libpfmon.h"
#include "events.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* libpfm4 table forced for PMUv3 when it detects no core PMU. */
#define PFMON_FORCED_ARM_TABLE	"arm_ac57"

struct sw_event {
	const char	*name;
	const char	*alias;
	unsigned int	code;
	const char	*desc;
};

static const struct sw_event sw_events[] = {
	{ "cpu-clock", NULL, 0,
	  "CPU time in ns (per-thread: the thread's; system-wide: the CPU's)" },
	{ "task-clock", NULL, 1, "time in ns the monitored thread runs" },
	{ "context-switches", "cs", 2,
	  "times the thread was switched out (system-wide: all switches)" },
	{ "cpu-migrations", "migrations", 3, "times the thread moved to another CPU" },
};

static struct {
	bool		pfm_ready;
	pfm_pmu_t	pmu;
	char		table[64];
	bool		forced;
} ev_state;

/* libpfm4's first present core PMU, or PFM_PMU_NONE. */
static pfm_pmu_t find_core_pmu(pfm_pmu_info_t *out)
{
	pfm_pmu_info_t info;
	int p;

	for (p = PFM_PMU_NONE + 1; p < PFM_PMU_MAX; p++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm_get_pmu_info(p, &info) != PFM_SUCCESS)
			continue;
		if (info.is_present && info.type == PFM_PMU_TYPE_CORE) {
			*out = info;
			return p;
		}
	}
	return PFM_PMU_NONE;
}

/*
 * Does libpfm4 detect a core PMU by itself? Asked in a child process:
 * libpfm4 cannot be initialized a second time in one process (after
 * pfm_terminate() it keeps PMUs whose tables it freed on its lists).
 */
static bool libpfm_detects_core_pmu(void)
{
	pfm_pmu_info_t info;
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(pfm_initialize() == PFM_SUCCESS &&
		      find_core_pmu(&info) != PFM_PMU_NONE ? 0 : 1);
	if (pid < 0)
		return true;	/* cannot tell: do not force */
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return true;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * libpfm4's perf_events generic PMUs ("perf", "perf_raw") read every
 * tracepoint under debugfs when they initialize, which is slow and of no
 * use here: they are left out unless the user says otherwise.
 */
#define PFMON_DISABLED_PMUS	"perf,perf_raw"

static int init_libpfm(char *why, size_t len)
{
	bool disabled = false;
	pfm_pmu_info_t info;
	int ret;

	if (!getenv("LIBPFM_DISABLED_PMUS")) {
		setenv("LIBPFM_DISABLED_PMUS", PFMON_DISABLED_PMUS, 1);
		disabled = true;
	}
	if (!getenv("LIBPFM_FORCE_PMU") && !libpfm_detects_core_pmu()) {
		/* the environment is the only way to force a table */
		setenv("LIBPFM_FORCE_PMU", PFMON_FORCED_ARM_TABLE, 1);
		ev_state.forced = true;
	}
	ret = pfm_initialize();
	/* not for the commands pfmon runs */
	if (ev_state.forced)
		unsetenv("LIBPFM_FORCE_PMU");
	if (disabled)
		unsetenv("LIBPFM_DISABLED_PMUS");
	if (ret != PFM_SUCCESS) {
		snprintf(why, len, "libpfm4%s%s: %s",
			 ev_state.forced ? " forced to " : "",
			 ev_state.forced ? PFMON_FORCED_ARM_TABLE : "",
			 pfm_strerror(ret));
		return -1;
	}
	ev_state.pmu = find_core_pmu(&info);
	if (ev_state.pmu == PFM_PMU_NONE) {
		snprintf(why, len,
			 "libpfm4 knows no core PMU on this CPU (LIBPFM_FORCE_PMU=<table> picks one)");
		return -1;
	}
	snprintf(ev_state.table, sizeof(ev_state.table), "%s", info.name);
	ev_state.pfm_ready = true;
	return 0;
}

/**
 * pfmon_events_init() - get the event names of the active PMU ready
 * @pmu: the active PMU
 * @why: a one-line reason on failure
 * @len: size of @why
 *
 * Return: 0, or -1 when pfmon has no event names for that PMU.
 */
int pfmon_events_init(const struct pfmon_pmu *pmu, char *why, size_t len)
{
	switch (pmu->type) {
	case PFMON_PMU_SW:
		snprintf(ev_state.table, sizeof(ev_state.table),
			 "perfmon software PMU");
		return 0;
	case PFMON_PMU_PMUV3:
		if (ev_state.pfm_ready)
			return 0;
		return init_libpfm(why, len);
	case PFMON_PMU_UNKNOWN:
		break;
	}
	snprintf(why, len, "no event encoder for PMU model \"%s\"",
		 pmu->model);
	return -1;
}

/**
 * pfmon_events_table() - where the event names come from
 *
 * Return: libpfm4's table name ("arm_ac57 (forced)") or the software PMU.
 */
const char *pfmon_events_table(void)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "%s%s", ev_state.table,
		 ev_state.forced ? " (forced: QEMU's MIDR is unknown to libpfm4)"
				 : "");
	return buf;
}

/**
 * pfmon_events_for_each() - call @fn for each event the encoder knows
 * @pmu: the active PMU (pfmon_events_init() done)
 * @fn: called with each name, code and description
 * @arg: passed to @fn
 *
 * Return: 0, or what @fn returned when it stopped the walk.
 */
int pfmon_events_for_each(const struct pfmon_pmu *pmu, pfmon_event_fn fn,
			  void *arg)
{
	pfm_event_info_t einfo;
	pfm_pmu_info_t pinfo;
	unsigned int i;
	int idx, ret;

	if (pmu->type == PFMON_PMU_SW) {
		for (i = 0; i < ARRAY_SIZE(sw_events); i++) {
			ret = fn(sw_events[i].name, sw_events[i].code,
				 sw_events[i].desc, arg);
			if (ret)
				return ret;
		}
		return 0;
	}
	if (!ev_state.pfm_ready)
		return 0;
	memset(&pinfo, 0, sizeof(pinfo));
	pinfo.size = sizeof(pinfo);
	if (pfm_get_pmu_info(ev_state.pmu, &pinfo) != PFM_SUCCESS)
		return 0;
	for (idx = pinfo.first_event; idx != -1;
	     idx = pfm_get_event_next(idx)) {
		memset(&einfo, 0, sizeof(einfo));
		einfo.size = sizeof(einfo);
		if (pfm_get_event_info(idx, PFM_OS_NONE, &einfo) != PFM_SUCCESS)
			continue;
		ret = fn(einfo.name, einfo.code, einfo.desc, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/* Case-insensitive Levenshtein distance, bounded to short names. */
static unsigned int edit_distance(const char *a, const char *b)
{
	unsigned int row[128], i, j, prev, tmp, la, lb;

	la = strlen(a);
	lb = strlen(b);
	if (la >= ARRAY_SIZE(row) || lb >= ARRAY_SIZE(row))
		return ~0U;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (tolower((unsigned char)a[i - 1]) !=
					 tolower((unsigned char)b[j - 1]));
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

#define NR_CLOSEST	3

struct closest {
	const char	*want;
	char		name[NR_CLOSEST][64];
	unsigned int	dist[NR_CLOSEST];
	unsigned int	n;
};

static int closest_fn(const char *name, __u64 code, const char *desc,
		      void *arg)
{
	struct closest *c = arg;
	unsigned int d = edit_distance(c->want, name);
	int i;

	/* insertion sort into the NR_CLOSEST best */
	for (i = c->n; i > 0 && c->dist[i - 1] > d; i--) {
		if (i < NR_CLOSEST) {
			c->dist[i] = c->dist[i - 1];
			memcpy(c->name[i], c->name[i - 1], sizeof(c->name[i]));
		}
	}
	if (i < NR_CLOSEST) {
		c->dist[i] = d;
		snprintf(c->name[i], sizeof(c->name[i]), "%s", name);
		if (c->n < NR_CLOSEST)
			c->n++;
	}
	return 0;
}

/**
 * pfmon_events_closest() - the known event names closest to @want
 * @pmu: the active PMU
 * @want: the unknown name
 * @buf: filled with up to three names, comma-separated
 * @len: size of @buf
 */
void pfmon_events_closest(const struct pfmon_pmu *pmu, const char *want,
			  char *buf, size_t len)
{
	struct closest c = { .want = want };
	size_t off = 0;
	unsigned int i;

	pfmon_events_for_each(pmu, closest_fn, &c);
	buf[0] = '\0';
	for (i = 0; i < c.n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				c.name[i]);
}

/* Split a trailing ":u", ":k" or ":uk" off @s; -1 if malformed. */
static int split_plm(char *s, unsigned int *plm)
{
	char *colon = strrchr(s, ':');

	if (!colon || colon == s || colon[-1] == ':')
		return 0;
	if (pfmon_plm_parse(colon + 1, plm))
		return 0;	/* not a privilege suffix: libpfm4's business */
	*colon = '\0';
	return 1;
}

static bool parse_raw(const char *s, __u64 *code)
{
	char *end;

	if ((s[0] == 'r' || s[0] == 'R') && isxdigit((unsigned char)s[1]))
		s++;
	else if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return false;
	errno = 0;
	*code = strtoull(s, &end, 16);
	return !errno && !*end;
}

static int encode_sw(const char *s, struct pfmon_event *ev)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sw_events); i++) {
		if (strcasecmp(s, sw_events[i].name) &&
		    (!sw_events[i].alias || strcasecmp(s, sw_events[i].alias)))
			continue;
		snprintf(ev->name, sizeof(ev->name), "%s", sw_events[i].name);
		ev->code = sw_events[i].code;
		return 0;
	}
	return -1;
}

static int encode_pfm(const char *s, struct pfmon_event *ev, char *why,
		      size_t len)
{
	pfm_pmu_encode_arg_t arg;
	pfm_event_info_t einfo;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(s, PFM_PLM0 | PFM_PLM3, PFM_OS_NONE,
					&arg);
	if (ret != PFM_SUCCESS) {
		if (ret != PFM_ERR_NOTFOUND)
			snprintf(why, len, "event '%s': %s", s,
				 pfm_strerror(ret));
		return ret == PFM_ERR_NOTFOUND ? -1 : -2;
	}
	memset(&einfo, 0, sizeof(einfo));
	einfo.size = sizeof(einfo);
	ret = pfm_get_event_info(arg.idx, PFM_OS_NONE, &einfo);
	if (ret != PFM_SUCCESS || einfo.pmu != ev_state.pmu) {
		snprintf(why, len, "event '%s' is not an event of %s", s,
			 ev_state.table);
		free(arg.codes);
		return -2;
	}
	snprintf(ev->name, sizeof(ev->name), "%s", einfo.name);
	/* the event number only: the privilege bits are ours to set */
	ev->code = (arg.count > 0 ? arg.codes[0] : einfo.code) &
		   PFMON_V3_EVTYPE;
	free(arg.codes);
	return 0;
}

/**
 * pfmon_event_parse() - resolve one event name for the active PMU
 * @pmu: the active PMU (pfmon_events_init() done)
 * @str: NAME[:u|:k|:uk], rHEX or 0xHEX
 * @dfl_plm: privilege levels when @str has no suffix
 * @ev: filled
 * @why: a one-line reason on failure, naming the closest known events
 * @len: size of @why
 *
 * Return: 0 or -1.
 */
int pfmon_event_parse(const struct pfmon_pmu *pmu, const char *str,
		      unsigned int dfl_plm, struct pfmon_event *ev, char *why,
		      size_t len)
{
	char name[128], close[256];
	int ret = -1;

	memset(ev, 0, sizeof(*ev));
	ev->plm = dfl_plm;
	if (strlen(str) >= sizeof(name) || !*str) {
		snprintf(why, len, "bad event name '%s'", str);
		return -1;
	}
	strcpy(name, str);
	split_plm(name, &ev->plm);
	if (parse_raw(name, &ev->code)) {
		if ((pmu->type == PFMON_PMU_SW && ev->code >= ARRAY_SIZE(sw_events)) ||
		    ev->code > PFMON_V3_EVTYPE) {
			snprintf(why, len, "raw event '%s' out of range", name);
			return -1;
		}
		snprintf(ev->name, sizeof(ev->name), "%.*s",
			 (int)sizeof(ev->name) - 1, name);
		return 0;
	}
	if (pmu->type == PFMON_PMU_SW)
		ret = encode_sw(name, ev);
	else if (ev_state.pfm_ready)
		ret = encode_pfm(name, ev, why, len);
	if (ret == 0)
		return 0;
	if (ret == -2)
		return -1;
	pfmon_events_closest(pmu, name, close, sizeof(close));
	snprintf(why, len, "unknown event '%s' for %s%s%s (pfmon --list shows all)",
		 name, pmu->model, *close ? "; closest: " : "", close);
	return -1;
}

/* PMC @i is implemented and free. */
static bool pmc_free(const struct pfmon_pmu *pmu, const bool *used,
		     unsigned int i)
{
	return i < pmu->num_pmcs && pfmon_bv_test(pmu->impl_pmcs, i) &&
	       pfmon_bv_test(pmu->impl_pmds, i) && !used[i];
}

/**
 * pfmon_events_assign() - give each event a counter of the active PMU
 * @pmu: the PMU
 * @ev: the events
 * @n: how many
 * @set: event set of the counters
 * @c: filled, one counter per event, in the order of @ev
 * @why: a one-line reason on failure
 * @len: size of @why
 *
 * PMUv3: CPU_CYCLES goes to the cycle counter (PMC0) while it is free,
 * everything else to the event counters PMC1..N in order.
 *
 * Return: 0 or -1 (more events than counters).
 */
int pfmon_events_assign(const struct pfmon_pmu *pmu,
			const struct pfmon_event *ev, int n, unsigned int set,
			struct pfmon_counter *c, char *why, size_t len)
{
	unsigned int first = 0, ncnt = 0, i;
	bool used[PFM_MAX_PMCS] = { false };
	int k;

	if (pmu->type == PFMON_PMU_PMUV3)
		first = 1;
	for (i = 0; i < pmu->num_pmcs; i++)
		ncnt += pmc_free(pmu, used, i);
	for (k = 0; k < n; k++) {
		memset(&c[k], 0, sizeof(c[k]));
		if (pmu->type == PFMON_PMU_PMUV3 &&
		    ev[k].code == PFMON_V3_CPU_CYCLES &&
		    pmc_free(pmu, used, PFMON_V3_CYCLE_REG)) {
			i = PFMON_V3_CYCLE_REG;
		} else {
			for (i = first; i < pmu->num_pmcs; i++)
				if (pmc_free(pmu, used, i))
					break;
		}
		if (i >= pmu->num_pmcs) {
			snprintf(why, len,
				 "too many events: %d for the %u counters of %s (use --sets to multiplex)",
				 n, ncnt, pmu->model);
			return -1;
		}
		used[i] = true;
		c[k].pmc = i;
		c[k].pmd = i;
		c[k].set = set;
		c[k].pmc_value = pfmon_pmc_value(pmu, i, ev[k].code, ev[k].plm);
	}
	return 0;
}

/**
 * pfmon_events_default() - events counted when -e is not given
 * @pmu: the PMU
 *
 * Return: a comma-separated list.
 */
const char *pfmon_events_default(const struct pfmon_pmu *pmu)
{
	if (pmu->type == PFMON_PMU_SW)
		return "task-clock,context-switches,cpu-migrations";
	return "CPU_CYCLES,INST_RETIRED";
}

/**
 * pfmon_events_sample_default() - event sampled when -e is not given
 * @pmu: the PMU
 *
 * Return: its name.
 */
const char *pfmon_events_sample_default(const struct pfmon_pmu *pmu)
{
	return pmu->type == PFMON_PMU_SW ? "task-clock" : "CPU_CYCLES";
}

/**
 * pfmon_event_supported() - does the PMU take this event
 * @pmu: the PMU
 * @code: the event code
 *
 * Writes it, user level, to the first event counter of a scratch context
 * (nothing counts: the context is never loaded). The PMUv3 write checker
 * refuses common events its PMCEID registers do not advertise.
 *
 * Return: 1 when taken, 0 when refused, -1 when it cannot be told.
 */
int pfmon_event_supported(const struct pfmon_pmu *pmu, __u64 code)
{
	static int fd = -1;
	unsigned int pmc = pmu->type == PFMON_PMU_PMUV3 ? 1 : 0;
	struct pfarg_pmc p;

	if (fd < 0)
		fd = pfmon_ctx_create(0, 0);
	if (fd < 0)
		return -1;
	memset(&p, 0, sizeof(p));
	p.reg_num = pmc;
	p.reg_value = pfmon_pmc_value(pmu, pmc, code, PFMON_PLM_U);
	if (pfm_write_pmcs(fd, &p, 1) == 0)
		return 1;
	return errno == EINVAL ? 0 : -1;
}
