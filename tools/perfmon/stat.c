// SPDX-License-Identifier: GPL-2.0
/*
 * pfmon stat: counting.
 *
 * A command (default): it is forked, stops itself under ptrace before its
 * exec, the context is loaded on it and started, and ptrace lets it go:
 * the context follows the exec and counts the thread until it exits (its
 * own threads and children are not counted: perfmon has no inheritance).
 * The counts are read from the unloaded context after the exit.
 *
 * A thread (-p TID): attached with ptrace for the load, let go, and
 * attached again at the end (--duration, Ctrl-C) to read and unload; if it
 * exits first, the counts are read after its PFM_MSG_END message.
 *
 * System-wide (-a, -C CPUS): one context per CPU, loaded on the CPU, for
 * --duration seconds, while a command runs, or until Ctrl-C; per-CPU values
 * and their total.
 *
 * Event sets (--sets 'A,B;C,D'): set i gets the i-th group, all sets
 * switch every --switch-timeout ms (PFM_SETFL_TIME_SWITCH); each count is
 * scaled by the whole run's time over its set's active time
 * (pfm_getinfo_evtsets set_act_duration).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "pfmon.h"

#define MAX_CPUS		4096
#define DFL_SWITCH_MS		10

/**
 * struct stat_opts - the counting options
 * @events: -e lists, joined by ','; NULL for the PMU's defaults
 * @plm: --plm, default user level
 * @tid: -p TID, 0 if none
 * @syswide: -a (or -C)
 * @cpulist: -C CPUS, NULL for all online CPUs
 * @duration: --duration seconds, 0 for none
 * @sets: --sets 'A,B;C,D', NULL if none
 * @switch_ms: --switch-timeout in milliseconds
 * @out: output options
 * @argv: the command, NULL if none
 */
struct stat_opts {
	char		*events;
	unsigned int	plm;
	pid_t		tid;
	bool		syswide;
	const char	*cpulist;
	double		duration;
	const char	*sets;
	unsigned int	switch_ms;
	struct out_opts	out;
	char		**argv;
};

/**
 * struct evlist - the events and their counters, in every set
 * @n: number of events (= counters)
 * @nsets: number of event sets (1 without --sets)
 * @ev: the events
 * @cnt: their counters (cnt[i].set is the set of ev[i])
 */
struct evlist {
	int			n;
	int			nsets;
	struct pfmon_event	*ev;
	struct pfmon_counter	*cnt;
};

/**
 * struct session - one context and what it counted
 * @fd: the context
 * @scope: "thread" or "cpuN"
 * @values: one count per counter of the evlist
 * @set_ns: per set, nanoseconds active
 * @set_runs: per set, activations
 */
struct session {
	int	fd;
	char	scope[16];
	__u64	*values;
	__u64	*set_ns;
	__u64	*set_runs;
};

static sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	__atomic_store_n(&interrupted, 1, __ATOMIC_RELAXED);
}

/* SIGINT/SIGTERM end a -p or -a count (no SA_RESTART: waits return). */
static void catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void stat_usage(FILE *f)
{
	fprintf(f,
		"usage: %s [stat] [options] -- CMD [ARGS]   count a command (follows its exec)\n"
		"       %s [stat] [options] -p TID          count a running thread\n"
		"       %s [stat] [options] -a [-C CPUS]    count system-wide, per CPU\n"
		"options:\n"
		"  -e, --events EV,...       events (default: the PMU's basic events; pfmon --list)\n"
		"                            EV is NAME[:u|:k|:uk] or rHEX (raw event code)\n"
		"      --plm u|k|uk          privilege levels of events without a suffix\n"
		"                            (default u; uk with -a)\n"
		"  -p, --pid TID             attach to thread TID (ptrace)\n"
		"  -a, --all-cpus            system-wide, one context per CPU (needs\n"
		"                            CAP_PERFMON or perf_event_paranoid <= 0)\n"
		"  -C, --cpu CPUS            only these CPUs, e.g. 0,2-3 (implies -a)\n"
		"      --duration S          count for S seconds (-p, -a; default: until exit or Ctrl-C)\n"
		"      --sets 'A,B;C,D'      event sets, switched every --switch-timeout ms\n"
		"      --switch-timeout MS   event set switch period (default %d)\n"
		"  -x, --field-separator C   CSV output: value,event,plm,scope,raw,time_pct\n"
		"      --json                JSON output\n"
		"  -o, --output FILE         write the counts to FILE (default: stderr)\n",
		prog, prog, prog, DFL_SWITCH_MS);
}

enum {
	OPT_PLM = 256,
	OPT_DURATION,
	OPT_SETS,
	OPT_SWITCH,
	OPT_JSON,
};

static const struct option stat_longopts[] = {
	{ "events",		required_argument,	NULL, 'e' },
	{ "plm",		required_argument,	NULL, OPT_PLM },
	{ "pid",		required_argument,	NULL, 'p' },
	{ "all-cpus",		no_argument,		NULL, 'a' },
	{ "cpu",		required_argument,	NULL, 'C' },
	{ "duration",		required_argument,	NULL, OPT_DURATION },
	{ "sets",		required_argument,	NULL, OPT_SETS },
	{ "switch-timeout",	required_argument,	NULL, OPT_SWITCH },
	{ "field-separator",	required_argument,	NULL, 'x' },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "output",		required_argument,	NULL, 'o' },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL,			0,			NULL, 0 },
};

/* Append an -e list to @o->events. */
static int add_events(struct stat_opts *o, const char *arg)
{
	size_t len = o->events ? strlen(o->events) + 1 : 0;
	char *p;

	p = realloc(o->events, len + strlen(arg) + 1);
	if (!p)
		return -1;
	if (len)
		p[len - 1] = ',';
	strcpy(p + len, arg);
	o->events = p;
	return 0;
}

/* Report a getopt error in one line. */
static void opt_error(char **argv, int c)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		pfmon_err("option '%s' needs an argument (%s stat --help)", arg,
			  prog);
	else if (optopt && optopt < 256)
		pfmon_err("unknown option '-%c' (%s stat --help)", optopt, prog);
	else
		pfmon_err("unknown option '%s' (%s stat --help)", arg, prog);
}

static int parse_stat_opts(int argc, char **argv, struct stat_opts *o)
{
	bool plm_given = false;
	__u64 v;
	int c;

	memset(o, 0, sizeof(*o));
	o->plm = PFMON_PLM_U;
	o->switch_ms = DFL_SWITCH_MS;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:e:p:aC:x:o:h", stat_longopts,
				NULL)) != -1) {
		switch (c) {
		case 'e':
			if (add_events(o, optarg))
				return -1;
			break;
		case OPT_PLM:
			if (pfmon_plm_parse(optarg, &o->plm)) {
				pfmon_err("--plm takes u, k or uk (got '%s')", optarg);
				return -1;
			}
			plm_given = true;
			break;
		case 'p':
			if (pfmon_parse_u64(optarg, &v) || v > 0x3fffffff) {
				pfmon_err("-p takes a thread id (got '%s')", optarg);
				return -1;
			}
			o->tid = v;
			break;
		case 'a':
			o->syswide = true;
			break;
		case 'C':
			o->syswide = true;
			o->cpulist = optarg;
			break;
		case OPT_DURATION:
			if (pfmon_parse_seconds(optarg, &o->duration)) {
				pfmon_err("--duration takes a positive number of seconds (got '%s')",
					  optarg);
				return -1;
			}
			break;
		case OPT_SETS:
			o->sets = optarg;
			break;
		case OPT_SWITCH:
			if (pfmon_parse_u64(optarg, &v) || v > 100000) {
				pfmon_err("--switch-timeout takes milliseconds, 1 to 100000 (got '%s')",
					  optarg);
				return -1;
			}
			o->switch_ms = v;
			break;
		case 'x':
			if (out_parse_sep(optarg, &o->out))
				return -1;
			break;
		case OPT_JSON:
			o->out.fmt = OUT_JSON;
			break;
		case 'o':
			o->out.path = optarg;
			break;
		case 'h':
			stat_usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			opt_error(argv, c);
			return -1;
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	/* system-wide needs the privilege kernel-level counting needs */
	if (o->syswide && !plm_given)
		o->plm = PFMON_PLM_UK;
	if (o->tid && (o->syswide || o->argv)) {
		pfmon_err("-p TID counts a running thread: no -a/-C and no command with it");
		return -1;
	}
	if (!o->tid && !o->syswide && !o->argv) {
		pfmon_err("missing command: %s [options] -- CMD [ARGS], or -p TID, or -a (%s --help)",
			  prog, prog);
		return -1;
	}
	if (o->duration && o->argv) {
		pfmon_err("--duration is for -p and -a without a command");
		return -1;
	}
	if (o->sets && o->events) {
		pfmon_err("--sets lists the events: no -e with it");
		return -1;
	}
	return 0;
}

/* Parse a ',' list of events into @evl as event set @set. */
static int parse_group(const struct pfmon_pmu *pmu, const char *list,
		       unsigned int plm, unsigned int set, bool dfl,
		       struct evlist *evl)
{
	char why[512], *copy, *tok, *save = NULL;
	struct pfmon_event *ev;
	int first = evl->n, ret = -1;

	copy = strdup(list);
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		ev = realloc(evl->ev, (evl->n + 1) * sizeof(*ev));
		if (!ev)
			goto out;
		evl->ev = ev;
		if (pfmon_event_parse(pmu, tok, plm, &ev[evl->n], why,
				      sizeof(why))) {
			pfmon_err("%s", why);
			goto out;
		}
		/* the defaults leave out what this PMU does not count */
		if (dfl && pfmon_event_supported(pmu, ev[evl->n].code) == 0)
			continue;
		evl->n++;
	}
	if (evl->n == first) {
		pfmon_err("no event in '%s'", list);
		goto out;
	}
	evl->cnt = realloc(evl->cnt, evl->n * sizeof(*evl->cnt));
	if (!evl->cnt)
		goto out;
	if (pfmon_events_assign(pmu, evl->ev + first, evl->n - first, set,
				evl->cnt + first, why, sizeof(why))) {
		pfmon_err("%s", why);
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

static int build_evlist(const struct pfmon_pmu *pmu, const struct stat_opts *o,
			struct evlist *evl)
{
	char *copy, *grp, *save = NULL;
	int ret = 0;

	memset(evl, 0, sizeof(*evl));
	if (!o->sets) {
		evl->nsets = 1;
		return parse_group(pmu, o->events ? o->events :
				   pfmon_events_default(pmu), o->plm, 0,
				   !o->events, evl);
	}
	copy = strdup(o->sets);
	if (!copy)
		return -1;
	for (grp = strtok_r(copy, ";", &save); grp && !ret;
	     grp = strtok_r(NULL, ";", &save))
		ret = parse_group(pmu, grp, o->plm, evl->nsets++, false, evl);
	free(copy);
	if (!ret && !evl->n) {
		pfmon_err("--sets: no event in '%s'", o->sets);
		ret = -1;
	}
	return ret;
}

/* Create the event sets 0..nsets-1, switched on a timeout. */
static int create_sets(int fd, int nsets, unsigned int switch_ms)
{
	struct pfarg_setdesc *setd;
	struct timespec res;
	__u64 ns = switch_ms * 1000000ULL, step;
	int i, ret;

	/* perfmon wants a multiple of the hrtimer resolution */
	if (clock_getres(CLOCK_MONOTONIC, &res) == 0 && !res.tv_sec &&
	    res.tv_nsec > 0) {
		step = res.tv_nsec;
		ns = (ns + step - 1) / step * step;
	}
	setd = calloc(nsets, sizeof(*setd));
	if (!setd)
		return -1;
	for (i = 0; i < nsets; i++) {
		setd[i].set_id = i;
		setd[i].set_flags = PFM_SETFL_TIME_SWITCH;
		setd[i].set_timeout = ns;
	}
	ret = pfm_create_evtsets(fd, setd, nsets);
	if (ret && errno == EOPNOTSUPP)
		pfmon_err("event sets not supported by this kernel (pfm_create_evtsets: %s)",
			  strerror(errno));
	else if (ret)
		pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_create_evtsets"));
	free(setd);
	return ret;
}

/* Create a context and program every counter of @evl in it. */
static int session_create(struct session *s, const struct evlist *evl,
			  const struct stat_opts *o, unsigned int flags)
{
	int i;

	s->values = calloc(evl->n, sizeof(*s->values));
	s->set_ns = calloc(evl->nsets, sizeof(*s->set_ns));
	s->set_runs = calloc(evl->nsets, sizeof(*s->set_runs));
	if (!s->values || !s->set_ns || !s->set_runs)
		return -1;
	s->fd = pfmon_ctx_create(flags, 0);
	if (s->fd < 0) {
		pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_create_context"));
		return -1;
	}
	if (evl->nsets > 1 && create_sets(s->fd, evl->nsets, o->switch_ms))
		return -1;
	for (i = 0; i < evl->n; i++) {
		if (pfmon_ctx_program(s->fd, &evl->cnt[i], 1) == 0)
			continue;
		if (errno == EINVAL)
			pfmon_err("the PMU refused event %s (PMC%u = 0x%llx): %s",
				  evl->ev[i].name, evl->cnt[i].pmc,
				  (unsigned long long)evl->cnt[i].pmc_value,
				  strerror(errno));
		else
			pfmon_err("event %s: %s", evl->ev[i].name,
				  pfmon_strerror_ctx(errno, "pfm_write_pmcs"));
		return -1;
	}
	return 0;
}

static int session_load(struct session *s, unsigned int target)
{
	if (pfmon_ctx_load(s->fd, target) == 0)
		return 0;
	pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_load_context"));
	return -1;
}

static int session_start(struct session *s)
{
	if (pfm_start(s->fd, NULL) == 0)
		return 0;
	pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_start"));
	return -1;
}

/* Read the counts and, with sets, the time each set was active. */
static int session_collect(struct session *s, const struct evlist *evl)
{
	struct pfarg_setinfo *info;
	int i;

	if (pfmon_ctx_read(s->fd, evl->cnt, evl->n, s->values)) {
		pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_read_pmds"));
		return -1;
	}
	if (evl->nsets < 2)
		return 0;
	info = calloc(evl->nsets, sizeof(*info));
	if (!info)
		return -1;
	for (i = 0; i < evl->nsets; i++)
		info[i].set_id = i;
	if (pfm_getinfo_evtsets(s->fd, info, evl->nsets)) {
		pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_getinfo_evtsets"));
		free(info);
		return -1;
	}
	for (i = 0; i < evl->nsets; i++) {
		s->set_ns[i] = info[i].set_act_duration;
		s->set_runs[i] = info[i].set_runs;
	}
	free(info);
	return 0;
}

/* Fill the rows of one session; scale by the share of time of each set. */
static void session_rows(const struct session *s, const struct evlist *evl,
			 struct count_row *rows)
{
	__u64 total = 0;
	int i;

	for (i = 0; i < evl->nsets; i++)
		total += s->set_ns[i];
	for (i = 0; i < evl->n; i++) {
		struct count_row *r = &rows[i];
		unsigned int set = evl->cnt[i].set;

		memset(r, 0, sizeof(*r));
		r->event = evl->ev[i].name;
		r->plm = evl->ev[i].plm;
		snprintf(r->scope, sizeof(r->scope), "%s", s->scope);
		r->raw = s->values[i];
		r->value = r->raw;
		r->set = set;
		r->time_pct = 100.0;
		r->pmc = evl->cnt[i].pmc;
		r->pmc_value = evl->cnt[i].pmc_value;
		if (evl->nsets < 2)
			continue;
		r->runs = s->set_runs[set];
		if (!total || !s->set_ns[set]) {
			r->value = 0;
			r->time_pct = 0;
			continue;
		}
		r->value = (__u64)((long double)r->raw * total / s->set_ns[set]);
		r->time_pct = 100.0 * s->set_ns[set] / total;
	}
}

static void session_close(struct session *s)
{
	if (s->fd > 0)
		close(s->fd);
	s->fd = -1;
	free(s->values);
	free(s->set_ns);
	free(s->set_runs);
}

/* "'cmd arg arg'" */
static void command_title(char **argv, char *buf, size_t len)
{
	size_t off;
	int i;

	off = snprintf(buf, len, "'");
	for (i = 0; argv[i] && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "",
				argv[i]);
	if (off < len)
		snprintf(buf + off, len - off, "'");
}

static int exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_FAILURE;
}

static double tv_secs(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

static int print_table(const struct pfmon_pmu *pmu, const struct stat_opts *o,
		       struct count_table *t, const struct evlist *evl,
		       struct session *s, int ns)
{
	struct count_row *rows;
	int i, j, nrows = evl->n * ns + (ns > 1 ? evl->n : 0), ret;

	rows = calloc(nrows, sizeof(*rows));
	if (!rows)
		return -1;
	for (i = 0; i < ns; i++)
		session_rows(&s[i], evl, rows + i * evl->n);
	if (ns > 1) {
		struct count_row *tot = rows + ns * evl->n;

		for (j = 0; j < evl->n; j++) {
			tot[j] = rows[j];
			snprintf(tot[j].scope, sizeof(tot[j].scope), "total");
			tot[j].value = 0;
			tot[j].raw = 0;
			for (i = 0; i < ns; i++) {
				tot[j].value += rows[i * evl->n + j].value;
				tot[j].raw += rows[i * evl->n + j].raw;
			}
		}
	}
	t->pmu = pmu->model;
	t->sets = evl->nsets > 1;
	t->rows = rows;
	t->nrows = nrows;
	ret = out_counts(&o->out, t);
	free(rows);
	return ret;
}

static int kill_and_reap(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
	return EXIT_FAILURE;
}

/* Count a command from just before its exec to its exit. */
static int stat_command(const struct pfmon_pmu *pmu, const struct stat_opts *o,
			const struct evlist *evl)
{
	struct count_table t = { .user = -1, .sys = -1, .exit_status = -1 };
	struct session s = { .fd = -1 };
	char path[4096], title[512];
	struct pfmon_task task;
	struct rusage ru;
	int st, err, ret = EXIT_FAILURE;
	double t0;

	if (pfmon_find_command(o->argv[0], path, sizeof(path))) {
		pfmon_err("cannot run '%s': %s", o->argv[0], strerror(errno));
		return EXIT_NOCMD;
	}
	snprintf(s.scope, sizeof(s.scope), "thread");
	if (session_create(&s, evl, o, 0))
		goto out;
	if (pfmon_task_spawn(&task, o->argv)) {
		pfmon_err("cannot start '%s': %s", o->argv[0], strerror(errno));
		goto out;
	}
	if (session_load(&s, task.pid) || session_start(&s)) {
		kill_and_reap(task.pid);
		goto out;
	}
	/* the command gets Ctrl-C; pfmon stays to print its counts */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	t0 = pfmon_now();
	if (pfmon_task_detach(task.pid)) {
		pfmon_err("ptrace(PTRACE_DETACH): %s", strerror(errno));
		kill_and_reap(task.pid);
		goto out;
	}
	err = pfmon_task_exec_status(&task);
	while (wait4(task.pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			pfmon_err("wait4: %s", strerror(errno));
			goto out;
		}
	}
	if (err) {
		pfmon_err("cannot run '%s': %s", o->argv[0], strerror(err));
		ret = EXIT_NOCMD;
		goto out;
	}
	t.elapsed = pfmon_now() - t0;
	if (session_collect(&s, evl))
		goto out;
	command_title(o->argv, title, sizeof(title));
	t.target = title;
	t.argv = o->argv;
	t.tid = task.pid;
	t.user = tv_secs(&ru.ru_utime);
	t.sys = tv_secs(&ru.ru_stime);
	t.exit_status = exit_code(st);
	if (print_table(pmu, o, &t, evl, &s, 1))
		goto out;
	ret = t.exit_status;
out:
	session_close(&s);
	return ret;
}

/*
 * Wait for the end of a -p count: --duration, Ctrl-C, or the thread's
 * exit (PFM_MSG_END). Return true when the thread exited.
 */
static bool wait_thread(int fd, double duration)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double end = pfmon_now() + duration;
	union pfarg_msg msg;
	int timeout = -1;

	while (!__atomic_load_n(&interrupted, __ATOMIC_RELAXED)) {
		if (duration) {
			double left = end - pfmon_now();

			if (left <= 0)
				break;
			timeout = left * 1000 + 1;
		}
		if (poll(&pfd, 1, timeout) <= 0)
			continue;
		if (read(fd, &msg, sizeof(msg)) == sizeof(msg) &&
		    msg.type == PFM_MSG_END)
			return true;
	}
	return false;
}

/* Has thread @tid exited (gone, or a zombie not reaped yet)? */
static bool thread_gone(pid_t tid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	if (pfmon_read_attr(path, buf, sizeof(buf)) <= 0)
		return true;
	p = strrchr(buf, ')');
	return p && (p[2] == 'Z' || p[2] == 'X');
}

/* Count a running thread. */
static int stat_thread(const struct pfmon_pmu *pmu, const struct stat_opts *o,
		       const struct evlist *evl)
{
	struct count_table t = { .user = -1, .sys = -1, .exit_status = -1 };
	struct session s = { .fd = -1 };
	int ret = EXIT_FAILURE;
	char title[64];
	bool ended;
	double t0;

	if (thread_gone(o->tid)) {
		pfmon_err("no thread %d (or it has exited)", o->tid);
		return EXIT_FAILURE;
	}
	snprintf(s.scope, sizeof(s.scope), "thread");
	if (session_create(&s, evl, o, 0))
		goto out;
	if (pfmon_task_attach(o->tid)) {
		pfmon_err("cannot attach to thread %d: %s", o->tid,
			  thread_gone(o->tid) ? "it has exited" : strerror(errno));
		goto out;
	}
	if (session_load(&s, o->tid) || session_start(&s)) {
		pfmon_task_detach(o->tid);
		goto out;
	}
	catch_interrupts();
	t0 = pfmon_now();
	if (pfmon_task_detach(o->tid)) {
		pfmon_err("ptrace(PTRACE_DETACH): %s", strerror(errno));
		goto out;
	}
	ended = wait_thread(s.fd, o->duration);
	/* still running: stop it for the read and the unload */
	if (!ended && pfmon_task_attach(o->tid) == 0) {
		t.elapsed = pfmon_now() - t0;
		ret = session_collect(&s, evl);
		if (pfm_unload_context(s.fd))
			pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_unload_context"));
		pfmon_task_detach(o->tid);
		if (ret) {
			ret = EXIT_FAILURE;
			goto out;
		}
	} else {
		/* it exited: the context was unloaded with the counts kept */
		t.elapsed = pfmon_now() - t0;
		if (session_collect(&s, evl))
			goto out;
	}
	snprintf(title, sizeof(title), "thread %d%s", o->tid,
		 ended ? " (until it exited)" : "");
	t.target = title;
	t.tid = o->tid;
	ret = print_table(pmu, o, &t, evl, &s, 1) ? EXIT_FAILURE : EXIT_SUCCESS;
out:
	session_close(&s);
	return ret;
}

/* Run a command plainly (system-wide mode) and wait for it. */
static int run_plain(char **argv, struct count_table *t)
{
	struct pfmon_task task;
	struct rusage ru;
	int st, err;

	if (pfmon_task_spawn(&task, argv)) {
		pfmon_err("cannot start '%s': %s", argv[0], strerror(errno));
		return -1;
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	pfmon_task_detach(task.pid);
	err = pfmon_task_exec_status(&task);
	while (wait4(task.pid, &st, 0, &ru) < 0 && errno == EINTR)
		;
	if (err) {
		pfmon_err("cannot run '%s': %s", argv[0], strerror(err));
		return -1;
	}
	t->exit_status = exit_code(st);
	t->user = tv_secs(&ru.ru_utime);
	t->sys = tv_secs(&ru.ru_stime);
	return 0;
}

static void sleep_until(double end)
{
	struct timespec ts;
	double left;

	while (!__atomic_load_n(&interrupted, __ATOMIC_RELAXED)) {
		left = end ? end - pfmon_now() : 3600;
		if (left <= 0)
			break;
		ts.tv_sec = left;
		ts.tv_nsec = (left - ts.tv_sec) * 1e9;
		nanosleep(&ts, NULL);
	}
}

/* Count system-wide, one context per CPU. */
static int stat_syswide(const struct pfmon_pmu *pmu, const struct stat_opts *o,
			const struct evlist *evl)
{
	struct count_table t = { .user = -1, .sys = -1, .exit_status = -1 };
	char why[256], title[512], path[4096];
	int *cpus, ncpus, i, ret = EXIT_FAILURE;
	struct session *s = NULL;
	double t0;

	cpus = calloc(MAX_CPUS, sizeof(*cpus));
	if (!cpus)
		return EXIT_FAILURE;
	if (o->cpulist) {
		ncpus = pfmon_cpulist_parse(o->cpulist, cpus, MAX_CPUS, why,
					    sizeof(why));
		if (ncpus < 0) {
			pfmon_err("%s", why);
			goto out_cpus;
		}
	} else {
		ncpus = pfmon_cpus_online(cpus, MAX_CPUS);
		if (ncpus <= 0) {
			pfmon_err("cannot tell the CPUs online: %s", strerror(errno));
			goto out_cpus;
		}
	}
	if (o->argv && pfmon_find_command(o->argv[0], path, sizeof(path))) {
		pfmon_err("cannot run '%s': %s", o->argv[0], strerror(errno));
		ret = EXIT_NOCMD;
		goto out_cpus;
	}
	s = calloc(ncpus, sizeof(*s));
	if (!s)
		goto out_cpus;
	for (i = 0; i < ncpus; i++)
		s[i].fd = -1;
	for (i = 0; i < ncpus; i++) {
		snprintf(s[i].scope, sizeof(s[i].scope), "cpu%d", cpus[i]);
		if (session_create(&s[i], evl, o, PFM_FL_SYSTEM_WIDE))
			goto out;
		if (pfmon_ctx_load(s[i].fd, cpus[i])) {
			pfmon_err("CPU %d: %s", cpus[i],
				  pfmon_strerror_ctx(errno, "pfm_load_context"));
			goto out;
		}
	}
	catch_interrupts();
	t0 = pfmon_now();
	for (i = 0; i < ncpus; i++)
		if (session_start(&s[i]))
			goto out;
	if (o->argv) {
		if (run_plain(o->argv, &t))
			goto out;
	} else {
		sleep_until(o->duration ? t0 + o->duration : 0);
	}
	for (i = 0; i < ncpus; i++)
		pfm_stop(s[i].fd);
	t.elapsed = pfmon_now() - t0;
	for (i = 0; i < ncpus; i++)
		if (session_collect(&s[i], evl))
			goto out;
	if (o->argv) {
		char cmd[400];

		command_title(o->argv, cmd, sizeof(cmd));
		snprintf(title, sizeof(title), "system-wide (%d CPU%s) while %.60s ran",
			 ncpus, ncpus > 1 ? "s" : "", cmd);
		t.argv = o->argv;
	} else {
		snprintf(title, sizeof(title), "system-wide (%d CPU%s)", ncpus,
			 ncpus > 1 ? "s" : "");
	}
	t.target = title;
	if (print_table(pmu, o, &t, evl, s, ncpus))
		goto out;
	ret = t.exit_status >= 0 ? t.exit_status : EXIT_SUCCESS;
out:
	for (i = 0; s && i < ncpus; i++)
		session_close(&s[i]);
	free(s);
out_cpus:
	free(cpus);
	return ret;
}

/**
 * do_stat() - pfmon [stat] ...
 * @argc: arguments after "stat" (or all of pfmon's)
 * @argv: them; argv[-1] is the command name, getopt's argv[0]
 *
 * Return: the exit status: the command's own status when one was counted.
 */
int do_stat(int argc, char **argv)
{
	struct pfmon_pmu pmu;
	struct stat_opts o;
	struct evlist evl;
	int ret;

	if (parse_stat_opts(argc + 1, argv - 1, &o))
		return EXIT_USAGE;
	if (pfmon_setup_pmu(&pmu, true))
		return EXIT_FAILURE;
	if (build_evlist(&pmu, &o, &evl))
		return EXIT_USAGE;
	if (o.syswide)
		ret = stat_syswide(&pmu, &o, &evl);
	else if (o.tid)
		ret = stat_thread(&pmu, &o, &evl);
	else
		ret = stat_command(&pmu, &o, &evl);
	free(evl.ev);
	free(evl.cnt);
	free(o.events);
	return ret;
}
