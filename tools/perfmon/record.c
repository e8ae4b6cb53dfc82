// SPDX-License-Identifier: GPL-2.0
/*
 * pfmon record: sample a command into a pfmon data file (pfmon_data.h).
 *
 * One context with the default sampling format and PFM_FL_NOTIFY_BLOCK;
 * the event's PMD overflows every --period events (PFM_REGFL_OVFL_NOTIFY)
 * and the format records each overflow in the buffer, which pfmon maps.
 * When the buffer is full the context masks, the monitored thread waits,
 * and a PFM_MSG_OVFL message wakes pfmon: it copies the entries to the
 * file and calls pfm_restart(), which empties the buffer and lets the
 * thread go. No sample is lost. The thread's exit queues PFM_MSG_END;
 * what is left in the buffer is copied then.
 *
 * The command stays traced (PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT) so
 * that its mappings can be read from /proc/PID/maps after the exec and
 * again just before the exit, while the address space still exists; its
 * signals are passed on. The context is loaded before the exec but
 * started in the exec stop: the samples are the command's own, from its
 * first instruction, not the exec's (which would carry the IPs of the
 * image it replaces).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "pfmon.h"
#include "pfmon_data.h"

#define DFL_OUTPUT	"pfmon.data"
#define DFL_BUF_SIZE	(256 * 1024)
#define DFL_PERIOD_HW	100000		/* events */
#define DFL_PERIOD_CLK	1000000		/* ns of the software PMU clocks */
#define MAX_MAPS	512

/**
 * struct record - one recording
 * @f: the data file
 * @path: its name
 * @buf: the mapped sampling buffer
 * @buf_size: its size
 * @done: entries of the current buffer fill already written
 * @idx: index of the entry being walked
 * @samples: samples written
 * @full: times the buffer filled
 * @period_sum: sum of the periods of the samples
 * @fd: the context
 * @started: monitoring was started (at the exec)
 * @pid: the command
 * @child_done: it was reaped
 * @status: its wait status
 * @maps: mappings written (to write each once)
 * @nmaps: how many
 */
struct record {
	FILE		*f;
	const char	*path;
	const void	*buf;
	size_t		buf_size;
	__u64		done;
	__u64		idx;
	__u64		samples;
	__u64		full;
	__u64		period_sum;
	int		fd;
	bool		started;
	pid_t		pid;
	bool		child_done;
	int		status;
	char		*maps[MAX_MAPS];
	int		nmaps;
};

/* Self-pipe: SIGCHLD makes poll() return. */
static int chld_pipe[2] = { -1, -1 };

static void on_sigchld(int sig)
{
	int err = errno;
	ssize_t n;

	/* when the pipe is full, a wake-up is pending anyway */
	n = write(chld_pipe[1], "c", 1);
	(void)n;
	errno = err;
}

static void record_usage(FILE *f)
{
	fprintf(f,
		"usage: %s record [options] -- CMD [ARGS]\n"
		"  -e, --event EV           event to sample (default: CPU_CYCLES, or task-clock\n"
		"                           on the software PMU)\n"
		"  -c, --period N           one sample every N events (default %d; %d ns for\n"
		"                           the software PMU's clocks)\n"
		"      --plm u|k|uk         privilege levels (default u)\n"
		"  -o, --output FILE        data file (default %s)\n"
		"      --buf-size BYTES     kernel sampling buffer (default %d)\n"
		"Then: %s report [FILE]\n",
		prog, DFL_PERIOD_HW, DFL_PERIOD_CLK, DFL_OUTPUT, DFL_BUF_SIZE,
		prog);
}

static int write_rec(struct record *r, const void *rec, size_t size)
{
	if (fwrite(rec, size, 1, r->f) != 1) {
		pfmon_err("%s: %s", r->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A record with a string at the end, padded to 8 bytes. */
static int write_str_rec(struct record *r, void *fixed, size_t fsize,
			 const char *s)
{
	struct pfmon_rec *h = fixed;
	size_t slen = strlen(s) + 1, size = (fsize + slen + 7) & ~7UL;
	char *p;
	int ret;

	p = calloc(1, size);
	if (!p)
		return -1;
	h->size = size;
	memcpy(p, fixed, fsize);
	memcpy(p + fsize, s, slen);
	ret = write_rec(r, p, size);
	free(p);
	return ret;
}

static int sample_fn(const struct pfm_dfl_smpl_entry *e, const __u64 *vals,
		     unsigned int nvals, void *arg)
{
	struct pfmon_rec_sample s;
	struct record *r = arg;

	if (r->idx++ < r->done)
		return 0;	/* written before a failed restart */
	memset(&s, 0, sizeof(s));
	s.hdr.type = PFMON_REC_SAMPLE;
	s.hdr.size = sizeof(s);
	s.tid = e->pid;
	s.tgid = e->tgid;
	s.ip = e->ip;
	s.tstamp = e->tstamp;
	s.period = -e->last_reset_val;
	s.cpu = e->cpu;
	s.set = e->set;
	r->samples++;
	r->period_sum += s.period;
	return write_rec(r, &s, sizeof(s)) ? EIO : 0;
}

/* Write the entries of the buffer not written yet. */
static int flush_buffer(struct record *r)
{
	const char *why;
	long n;

	r->idx = 0;
	n = pfmon_smpl_walk(r->buf, r->buf_size, 0, sample_fn, r, &why);
	if (n < 0) {
		pfmon_err("sampling buffer: %s", why ? why : strerror(errno));
		return -1;
	}
	r->done = n;
	return 0;
}

/* Write the file mappings of the command not written yet. */
static int write_maps(struct record *r)
{
	char path[64], line[4600], file[4096], perms[8];
	unsigned long long start, end, pgoff;
	struct pfmon_rec_mmap m;
	int i, ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", r->pid);
	f = fopen(path, "re");
	if (!f)
		return 0;	/* gone: nothing to add */
	while (fgets(line, sizeof(line), f)) {
		file[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %4095[^\n]",
			   &start, &end, perms, &pgoff, file) < 4)
			continue;
		if (!strchr(perms, 'x') || !file[0])
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < r->nmaps; i++)
			if (!strcmp(r->maps[i], line))
				break;
		if (i < r->nmaps || r->nmaps == MAX_MAPS)
			continue;
		r->maps[r->nmaps++] = strdup(line);
		memset(&m, 0, sizeof(m));
		m.hdr.type = PFMON_REC_MMAP;
		m.tgid = r->pid;
		m.start = start;
		m.end = end;
		m.pgoff = pgoff;
		ret = write_str_rec(r, &m, sizeof(m), file);
		if (ret)
			break;
	}
	fclose(f);
	return ret;
}

static int write_comm(struct record *r, char **argv)
{
	struct pfmon_rec_comm c;
	char line[1024];
	size_t off = 0;
	int i;

	line[0] = '\0';
	for (i = 0; argv[i] && off < sizeof(line); i++)
		off += snprintf(line + off, sizeof(line) - off, "%s%s",
				i ? " " : "", argv[i]);
	memset(&c, 0, sizeof(c));
	c.hdr.type = PFMON_REC_COMM;
	c.tgid = r->pid;
	c.tid = r->pid;
	return write_str_rec(r, &c, sizeof(c), line);
}

/* Handle the command's ptrace stops and its exit. */
static int reap(struct record *r)
{
	int st, sig;
	pid_t w;

	while (!r->child_done &&
	       (w = waitpid(r->pid, &st, WNOHANG | __WALL)) != 0) {
		if (w < 0) {
			if (errno == EINTR)
				continue;
			pfmon_err("waitpid: %s", strerror(errno));
			return -1;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			r->child_done = true;
			r->status = st;
			break;
		}
		if (!WIFSTOPPED(st))
			continue;
		sig = WSTOPSIG(st);
		switch (st >> 16) {
		case PTRACE_EVENT_EXEC:
			if (write_maps(r))
				return -1;
			if (!r->started && pfm_start(r->fd, NULL)) {
				pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_start"));
				return -1;
			}
			r->started = true;
			sig = 0;
			break;
		case PTRACE_EVENT_EXIT:
			if (write_maps(r))
				return -1;
			sig = 0;
			break;
		default:
			if (sig == SIGTRAP)
				sig = 0;
			break;
		}
		ptrace(PTRACE_CONT, r->pid, NULL, (void *)(long)sig);
	}
	return 0;
}

/* Read the messages queued on the context; copy out full buffers. */
static int read_messages(struct record *r, int fd)
{
	union pfarg_msg msg;
	ssize_t n;

	for (;;) {
		n = read(fd, &msg, sizeof(msg));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n != sizeof(msg)) {
			pfmon_err("read of the context: %s",
				  n < 0 ? strerror(errno) : "short message");
			return -1;
		}
		if (msg.type != PFM_MSG_OVFL)
			continue;	/* PFM_MSG_END: the exit is seen by waitpid */
		r->full++;
		if (flush_buffer(r))
			return -1;
		if (pfm_restart(fd) == 0)
			r->done = 0;	/* the kernel emptied the buffer */
	}
}

static int record_loop(struct record *r, int fd)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = chld_pipe[0], .events = POLLIN },
	};
	char drain[64];

	for (;;) {
		if (reap(r))
			return -1;
		if (read_messages(r, fd))
			return -1;
		if (r->child_done)
			return flush_buffer(r);
		if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
			pfmon_err("poll: %s", strerror(errno));
			return -1;
		}
		while (read(chld_pipe[0], drain, sizeof(drain)) > 0)
			;
	}
}

static int setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART;	/* no SA_NOCLDSTOP: ptrace stops wake us */
	return sigaction(SIGCHLD, &sa, NULL);
}

/**
 * struct rec_opts - pfmon record's options
 * @event: -e
 * @period: -c/--period, 0 for the default
 * @plm: --plm
 * @output: -o
 * @buf_size: --buf-size
 * @argv: the command
 */
struct rec_opts {
	const char	*event;
	__u64		period;
	unsigned int	plm;
	const char	*output;
	__u64		buf_size;
	char		**argv;
};

enum { OPT_PLM = 256, OPT_BUF };

static const struct option rec_longopts[] = {
	{ "event",	required_argument,	NULL, 'e' },
	{ "events",	required_argument,	NULL, 'e' },
	{ "period",	required_argument,	NULL, 'c' },
	{ "plm",	required_argument,	NULL, OPT_PLM },
	{ "output",	required_argument,	NULL, 'o' },
	{ "buf-size",	required_argument,	NULL, OPT_BUF },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 },
};

static int parse_rec_opts(int argc, char **argv, struct rec_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->plm = PFMON_PLM_U;
	o->output = DFL_OUTPUT;
	o->buf_size = DFL_BUF_SIZE;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:e:c:o:h", rec_longopts,
				NULL)) != -1) {
		switch (c) {
		case 'e':
			if (strchr(optarg, ',')) {
				pfmon_err("record samples one event (got '%s')", optarg);
				return -1;
			}
			o->event = optarg;
			break;
		case 'c':
			if (pfmon_parse_u64(optarg, &o->period) ||
			    o->period > (1ULL << 62)) {
				pfmon_err("--period takes a positive number of events (got '%s')",
					  optarg);
				return -1;
			}
			break;
		case OPT_PLM:
			if (pfmon_plm_parse(optarg, &o->plm)) {
				pfmon_err("--plm takes u, k or uk (got '%s')", optarg);
				return -1;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_BUF:
			if (pfmon_parse_u64(optarg, &o->buf_size) ||
			    o->buf_size > (1ULL << 30)) {
				pfmon_err("--buf-size takes bytes, up to 1 GiB (got '%s')",
					  optarg);
				return -1;
			}
			break;
		case 'h':
			record_usage(stdout);
			exit(EXIT_SUCCESS);
		case ':':
			pfmon_err("option '%s' needs an argument", argv[optind - 1]);
			return -1;
		default:
			pfmon_err("unknown option '%s' (%s record --help)",
				  argv[optind - 1], prog);
			return -1;
		}
	}
	if (optind >= argc) {
		pfmon_err("missing command: %s record [options] -- CMD [ARGS]", prog);
		return -1;
	}
	o->argv = argv + optind;
	return 0;
}

static int write_header(struct record *r, const struct pfmon_pmu *pmu,
			const struct pfmon_event *ev,
			const struct pfmon_counter *c, __u64 period)
{
	struct pfmon_data_hdr h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, PFMON_DATA_MAGIC, sizeof(h.magic));
	h.version = PFMON_DATA_VERSION;
	h.hdr_size = sizeof(h);
	h.period = period;
	h.pmc_value = c->pmc_value;
	h.pmc = c->pmc;
	h.pmd = c->pmd;
	h.plm = ev->plm;
	snprintf(h.event, sizeof(h.event), "%s", ev->name);
	snprintf(h.pmu, sizeof(h.pmu), "%s", pmu->model);
	return write_rec(r, &h, sizeof(h));
}

static int write_end(struct record *r, int fd, const struct pfmon_counter *c,
		     __u64 period, double secs)
{
	struct pfmon_rec_end e;
	struct pfarg_pmd pmd;

	memset(&e, 0, sizeof(e));
	e.hdr.type = PFMON_REC_END;
	e.hdr.size = sizeof(e);
	e.samples = r->samples;
	e.buffer_full = r->full;
	e.count = r->period_sum;
	memset(&pmd, 0, sizeof(pmd));
	pmd.reg_num = c->pmd;
	/* plus what counted since the last reset (or the start, at -period) */
	if (pfm_read_pmds(fd, &pmd, 1) == 0)
		e.count += pmd.reg_value - (r->samples && pmd.reg_last_reset_val ?
					    pmd.reg_last_reset_val : -period);
	e.duration_ns = secs * 1e9;
	e.exit_status = WIFEXITED(r->status) ? WEXITSTATUS(r->status) :
			128 + WTERMSIG(r->status);
	return write_rec(r, &e, sizeof(e));
}

/* Create the sampling context; map its buffer. Return the fd or -1. */
static int setup_context(struct record *r, const struct rec_opts *o,
			 const struct pfmon_counter *c, __u64 period,
			 const char *evname)
{
	int fd;

	fd = pfmon_ctx_create(PFM_FL_NOTIFY_BLOCK, o->buf_size);
	if (fd < 0 && errno == ENOMEM) {
		pfmon_err("no room for a %llu-byte sampling buffer (RLIMIT_MEMLOCK, %s/smpl_buffer_mem_max; --buf-size)",
			  (unsigned long long)o->buf_size, PFM_SYSFS_DIR);
		return -1;
	}
	if (fd < 0) {
		pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_create_context"));
		return -1;
	}
	if (pfmon_ctx_program(fd, c, 1)) {
		if (errno == EINVAL)
			pfmon_err("the PMU refused event %s (PMC%u = 0x%llx): %s",
				  evname, c->pmc, (unsigned long long)c->pmc_value,
				  strerror(errno));
		else
			pfmon_err("event %s: %s", evname,
				  pfmon_strerror_ctx(errno, "pfm_write_pmcs"));
		goto fail;
	}
	if (pfmon_ctx_smpl_pmd(fd, c->pmd, 0, period, PFM_REGFL_OVFL_NOTIFY)) {
		pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_write_pmds"));
		goto fail;
	}
	r->buf_size = (o->buf_size + getpagesize() - 1) & ~(getpagesize() - 1UL);
	r->buf = mmap(NULL, r->buf_size, PROT_READ, MAP_SHARED, fd, 0);
	if (r->buf == MAP_FAILED) {
		pfmon_err("mmap of the sampling buffer: %s", strerror(errno));
		goto fail;
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * Let the stopped command go, traced, and record until it exits.
 * Return 0, -1 on a failure, EXIT_NOCMD when the command did not exec.
 */
static int run_traced(struct record *r, int fd, char **argv)
{
	struct pfmon_task task;
	int err, st;

	if (pfmon_task_spawn(&task, argv)) {
		pfmon_err("cannot start '%s': %s", argv[0], strerror(errno));
		return -1;
	}
	r->pid = task.pid;
	r->fd = fd;
	if (pfmon_ctx_load(fd, task.pid)) {
		pfmon_err("%s", pfmon_strerror_ctx(errno, "pfm_load_context"));
		kill(task.pid, SIGKILL);
		waitpid(task.pid, NULL, 0);
		return -1;
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (ptrace(PTRACE_SETOPTIONS, task.pid, NULL,
		   (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
				  PTRACE_O_EXITKILL)) ||
	    ptrace(PTRACE_CONT, task.pid, NULL, NULL)) {
		pfmon_err("ptrace: %s", strerror(errno));
		kill(task.pid, SIGKILL);
		waitpid(task.pid, NULL, 0);
		return -1;
	}
	err = pfmon_task_exec_status(&task);
	if (err) {
		pfmon_err("cannot run '%s': %s", argv[0], strerror(err));
		while (waitpid(task.pid, &st, __WALL) > 0 || errno == EINTR)
			if (WIFSTOPPED(st))
				ptrace(PTRACE_CONT, task.pid, NULL, NULL);
		return EXIT_NOCMD;
	}
	if (write_comm(r, argv))
		return -1;
	return record_loop(r, fd);
}

/**
 * do_record() - pfmon record
 * @argc: arguments after "record"
 * @argv: them; argv[-1] is "record"
 *
 * Return: the exit status: the command's own status on success.
 */
int do_record(int argc, char **argv)
{
	struct record r = { .f = NULL };
	char why[512], path[4096], num[32], num2[32];
	struct pfmon_counter c;
	struct pfmon_event ev;
	struct pfmon_pmu pmu;
	struct rec_opts o;
	int fd = -1, ret = EXIT_FAILURE, i;
	__u64 period;
	double t0;

	if (parse_rec_opts(argc + 1, argv - 1, &o))
		return EXIT_USAGE;
	if (pfmon_setup_pmu(&pmu, true))
		return EXIT_FAILURE;
	if (pfmon_event_parse(&pmu, o.event ? o.event :
			      pfmon_events_sample_default(&pmu), o.plm, &ev,
			      why, sizeof(why)) ||
	    pfmon_events_assign(&pmu, &ev, 1, 0, &c, why, sizeof(why))) {
		pfmon_err("%s", why);
		return EXIT_USAGE;
	}
	period = o.period;
	if (!period)
		period = pmu.type == PFMON_PMU_SW && ev.code <= 1 ?
			 DFL_PERIOD_CLK : DFL_PERIOD_HW;
	if (pfmon_find_command(o.argv[0], path, sizeof(path))) {
		pfmon_err("cannot run '%s': %s", o.argv[0], strerror(errno));
		return EXIT_NOCMD;
	}
	fd = setup_context(&r, &o, &c, period, ev.name);
	if (fd < 0)
		return EXIT_FAILURE;
	r.path = o.output;
	r.f = fopen(o.output, "we");
	if (!r.f) {
		pfmon_err("%s: %s", o.output, strerror(errno));
		goto out;
	}
	if (write_header(&r, &pmu, &ev, &c, period) || setup_signals())
		goto out;
	t0 = pfmon_now();
	i = run_traced(&r, fd, o.argv);
	if (i) {
		if (i == EXIT_NOCMD)
			ret = EXIT_NOCMD;
		goto out;
	}
	if (write_end(&r, fd, &c, period, pfmon_now() - t0))
		goto out;
	if (fclose(r.f)) {
		r.f = NULL;
		pfmon_err("%s: %s", o.output, strerror(errno));
		goto out;
	}
	r.f = NULL;
	fprintf(stderr, "%s record: %s samples of %s:%s every %s events",
		prog, fmt_thousands(r.samples, num, sizeof(num)), ev.name,
		pfmon_plm_name(ev.plm), fmt_thousands(period, num2, sizeof(num2)));
	fprintf(stderr, " (buffer full %llu times) in %s\n",
		(unsigned long long)r.full, o.output);
	ret = WIFEXITED(r.status) ? WEXITSTATUS(r.status) :
	      128 + WTERMSIG(r.status);
out:
	if (r.f)
		fclose(r.f);
	if (fd >= 0)
		close(fd);
	for (i = 0; i < r.nmaps; i++)
		free(r.maps[i]);
	return ret;
}
