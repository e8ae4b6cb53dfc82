// SPDX-License-Identifier: GPL-2.0
/*
 * The pfmon tool (tools/perfmon), run as /bin/pfmon on the test workload
 * /bin/pfm-workload (tools/perfmon/workloads) of the guest; $PFMON and
 * $PFM_WORKLOAD name other paths. Every test skips when they are missing.
 *
 * - exact_counts (PMUv3, exact mode: QEMU -icount, one CPU): pfmon's
 *   user-level INST_RETIRED and CPU_CYCLES counts of the workload equal
 *   the counts of the same run made here with the perfmon system calls
 *   (started the same way, lib/task.c, with the same environment and
 *   address space layout), in the text, CSV and JSON outputs alike.
 * - csv_json: the CSV and JSON outputs parse and list the same events, on
 *   every PMU.
 * - syswide: -a gives one row per online CPU and a total that is their
 *   sum; -C 0 only CPU 0.
 * - attach: -p TID counts a running thread, for --duration or until it
 *   exits.
 * - record_report: pfmon report puts >= 95% of the samples of the
 *   workload in its busy function pfm_busy(), with a sampling buffer
 *   small enough to fill many times (no sample lost in exact mode).
 * - sets: --sets counts with scaled estimates, or says in one line that
 *   the kernel has no event sets.
 * - error paths: unknown event, bad CPU list, missing command, permission
 *   denied: a non-zero exit and one line on stderr.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "pfm_pmuv3.h"
#include "libpfmon.h"

#define PFMON_PATH	"/bin/pfmon"
#define WORKLOAD_PATH	"/bin/pfm-workload"
#define OUT_FILE	"/tmp/pfmon_test.out"
#define ERR_FILE	"/tmp/pfmon_test.err"
#define DATA_FILE	"/tmp/pfmon_test.data"
#define COUNTS_FILE	"/tmp/pfmon_test.counts"
#define MAX_OUT		(256 * 1024)
#define MAX_ARGS	32
#define MAX_ROWS	64

/* Iterations of pfm_busy() (4 instructions each) in the counted runs. */
#define ITERATIONS	"1000000"
#define BUSY_INSNS	4000000ULL

/* What one pfmon run left. */
struct run {
	int	status;
	char	out[MAX_OUT];
	char	err[MAX_OUT];
};

static const char *pfmon_path(void)
{
	const char *p = getenv("PFMON");

	return p ? p : PFMON_PATH;
}

static const char *workload_path(void)
{
	const char *p = getenv("PFM_WORKLOAD");

	return p ? p : WORKLOAD_PATH;
}

/* Skip unless pfmon, the workload and perfmon are there. */
static bool have_pfmon(struct __test_metadata *_metadata)
{
	if (!pfm_test_require(_metadata))
		return false;
	if (access(pfmon_path(), X_OK) || access(workload_path(), X_OK))
		SKIP(return false, "%s or %s missing", pfmon_path(),
		     workload_path());
	return true;
}

static void read_file(const char *path, char *buf, size_t len)
{
	ssize_t n = 0;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

/*
 * Gather pfmon's argument vector: argv[0], then @first (unless NULL) and
 * the arguments of @ap up to a NULL.
 */
static void pfmon_argv(char **argv, const char *first, va_list ap)
{
	int i = 0;

	argv[i++] = (char *)pfmon_path();
	if (first)
		argv[i++] = (char *)first;
	while (i < MAX_ARGS - 1 && (argv[i] = va_arg(ap, char *)))
		i++;
	argv[i] = NULL;
}

/*
 * Start pfmon with @argv, stdout and stderr into files, as user @uid
 * unless it is negative. Return its pid.
 */
static pid_t start_pfmon_argv(int uid, char **argv)
{
	int out, err;
	pid_t pid;

	out = open(OUT_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	err = open(ERR_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	pid = fork();
	if (pid == 0) {
		if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(125);
		if (uid >= 0 && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(125);
		execv(argv[0], argv);
		_exit(126);
	}
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return pid;
}

/* Wait for the pfmon started as @pid; fill @r. */
static void finish_pfmon(struct run *r, pid_t pid)
{
	r->status = -1;
	if (pid > 0)
		waitpid(pid, &r->status, 0);
	read_file(OUT_FILE, r->out, sizeof(r->out));
	read_file(ERR_FILE, r->err, sizeof(r->err));
}

/* Run pfmon with the arguments that follow @r, up to a NULL. */
static __attribute__((sentinel)) void run_pfmon(struct run *r, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;

	va_start(ap, r);
	pfmon_argv(argv, NULL, ap);
	va_end(ap);
	finish_pfmon(r, start_pfmon_argv(-1, argv));
}

/* The same as user @uid. */
static __attribute__((sentinel)) void run_pfmon_as(struct run *r, int uid, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;

	va_start(ap, uid);
	pfmon_argv(argv, NULL, ap);
	va_end(ap);
	finish_pfmon(r, start_pfmon_argv(uid, argv));
}

/* Start pfmon with @first and what follows, up to a NULL; its pid. */
static __attribute__((sentinel)) pid_t start_pfmon(const char *first, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;

	va_start(ap, first);
	pfmon_argv(argv, first, ap);
	va_end(ap);
	return start_pfmon_argv(-1, argv);
}

static int exit_status(const struct run *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

/* An error path: non-zero exit, nothing on stdout, one "pfmon: " line. */
static bool one_error_line(const struct run *r)
{
	const char *nl = strchr(r->err, '\n');

	return exit_status(r) != 0 && !r->out[0] &&
	       !strncmp(r->err, "pfmon: ", 7) && nl && !nl[1];
}

/* --- CSV: value,event,plm,scope,raw,time_pct ------------------------------ */

struct row {
	unsigned long long	value;
	char			event[64];
	char			plm[4];
	char			scope[16];
	unsigned long long	raw;
	double			pct;
};

/* Copy @s into @d of @n bytes, cut if needed. */
static void scopy(char *d, size_t n, const char *s)
{
	size_t l = strnlen(s, n - 1);

	memcpy(d, s, l);
	d[l] = '\0';
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Parse pfmon's CSV; return the number of rows or -1 if malformed. */
static int parse_csv(const char *text, struct row *rows, int max)
{
	char line[512], *f[8], *p;
	int n = -1, nf;
	size_t len;

	while (*text) {
		len = strcspn(text, "\n");
		if (len >= sizeof(line))
			return -1;
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (text[len] == '\n');
		if (n < 0) {
			if (strcmp(line, "value,event,plm,scope,raw,time_pct"))
				return -1;
			n = 0;
			continue;
		}
		for (nf = 0, p = line; nf < 8; nf++) {
			f[nf] = strsep(&p, ",");
			if (!f[nf])
				break;
		}
		if (nf != 6 || n == max || !is_number(f[0]) || !is_number(f[4]))
			return -1;
		rows[n].value = strtoull(f[0], NULL, 10);
		scopy(rows[n].event, sizeof(rows[n].event), f[1]);
		scopy(rows[n].plm, sizeof(rows[n].plm), f[2]);
		scopy(rows[n].scope, sizeof(rows[n].scope), f[3]);
		rows[n].raw = strtoull(f[4], NULL, 10);
		rows[n].pct = strtod(f[5], NULL);
		n++;
	}
	return n;
}

/* --- a small JSON parser: enough to validate pfmon's output ---------------- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype		type;
	char			str[256];
	unsigned long long	num;
	bool			is_int;
	int			n;
	char			(*keys)[64];
	struct jval		*items;
};

static void json_free(struct jval *v)
{
	int i;

	for (i = 0; i < v->n; i++)
		json_free(&v->items[i]);
	free(v->items);
	free(v->keys);
	v->items = NULL;
	v->keys = NULL;
	v->n = 0;
}

static const char *json_ws(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

static const char *json_value(const char *s, struct jval *v, int depth);

static const char *json_string(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (*s++ != '"')
		return NULL;
	while (*s != '"') {
		if (!*s || (unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				if (!isxdigit((unsigned char)s[1]) ||
				    !isxdigit((unsigned char)s[2]) ||
				    !isxdigit((unsigned char)s[3]) ||
				    !isxdigit((unsigned char)s[4]))
					return NULL;
				s += 4;
			} else if (!strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
		if (o + 1 < len)
			buf[o++] = *s;
		s++;
	}
	buf[o] = '\0';
	return s + 1;
}

static const char *json_number(const char *s, struct jval *v)
{
	const char *start = s;

	v->type = J_NUM;
	v->is_int = true;
	if (*s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return NULL;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '.') {
		v->is_int = false;
		s++;
		if (!isdigit((unsigned char)*s))
			return NULL;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'e' || *s == 'E')
		return NULL;	/* pfmon never writes exponents */
	if (v->is_int && *start != '-')
		v->num = strtoull(start, NULL, 10);
	return s;
}

/* Parse an array (@close ']') or an object (@close '}'). */
static const char *json_list(const char *s, struct jval *v, char close,
			     int depth)
{
	bool obj = close == '}';

	v->type = obj ? J_OBJ : J_ARR;
	s = json_ws(s + 1);
	if (*s == close)
		return s + 1;
	for (;;) {
		v->items = realloc(v->items, (v->n + 1) * sizeof(*v->items));
		v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
		if (!v->items || !v->keys)
			return NULL;
		memset(&v->items[v->n], 0, sizeof(v->items[v->n]));
		v->keys[v->n][0] = '\0';
		if (obj) {
			s = json_string(s, v->keys[v->n], sizeof(v->keys[0]));
			if (!s)
				return NULL;
			s = json_ws(s);
			if (*s++ != ':')
				return NULL;
		}
		s = json_value(s, &v->items[v->n++], depth + 1);
		if (!s)
			return NULL;
		s = json_ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
		s = json_ws(s);
	}
}

static const char *json_value(const char *s, struct jval *v, int depth)
{
	if (depth > 16)
		return NULL;
	s = json_ws(s);
	switch (*s) {
	case '{':
		return json_list(s, v, '}', depth);
	case '[':
		return json_list(s, v, ']', depth);
	case '"':
		v->type = J_STR;
		return json_string(s, v->str, sizeof(v->str));
	case 't':
		v->type = J_BOOL;
		return strncmp(s, "true", 4) ? NULL : s + 4;
	case 'f':
		v->type = J_BOOL;
		return strncmp(s, "false", 5) ? NULL : s + 5;
	case 'n':
		v->type = J_NULL;
		return strncmp(s, "null", 4) ? NULL : s + 4;
	}
	return json_number(s, v);
}

/* Parse a whole document; false if it is not valid JSON. */
static bool json_parse(const char *text, struct jval *v)
{
	const char *end;

	memset(v, 0, sizeof(*v));
	end = json_value(text, v, 0);
	return end && !*json_ws(end);
}

static const struct jval *json_get(const struct jval *v, const char *key)
{
	int i;

	for (i = 0; v->type == J_OBJ && i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->items[i];
	return NULL;
}

/*
 * The "counts" of pfmon's JSON as rows (value, event, plm, scope, raw);
 * the number of rows or -1 when malformed.
 */
static int json_rows(const char *text, struct row *rows, int max)
{
	const struct jval *counts, *c, *f;
	struct jval doc;
	int i, n = -1;

	if (!json_parse(text, &doc))
		return -1;
	counts = json_get(&doc, "counts");
	if (!counts || counts->type != J_ARR || counts->n > max)
		goto out;
	for (i = 0; i < counts->n; i++) {
		c = &counts->items[i];
		f = json_get(c, "value");
		if (!f || f->type != J_NUM || !f->is_int)
			goto out;
		rows[i].value = f->num;
		f = json_get(c, "raw");
		if (!f || f->type != J_NUM || !f->is_int)
			goto out;
		rows[i].raw = f->num;
		f = json_get(c, "event");
		if (!f || f->type != J_STR)
			goto out;
		scopy(rows[i].event, sizeof(rows[i].event), f->str);
		f = json_get(c, "plm");
		if (!f || f->type != J_STR)
			goto out;
		scopy(rows[i].plm, sizeof(rows[i].plm), f->str);
		f = json_get(c, "scope");
		if (!f || f->type != J_STR)
			goto out;
		scopy(rows[i].scope, sizeof(rows[i].scope), f->str);
	}
	n = counts->n;
out:
	json_free(&doc);
	return n;
}

/* --- what each PMU counts ---------------------------------------------------- */

static bool pmu_is_v3(void)
{
	char model[128];

	return pfm_v3_model(model, sizeof(model)) > 0 &&
	       !strcmp(model, PFM_V3_MODEL);
}

/* An event that counts the workload's user time or cycles on this PMU. */
static const char *busy_event(void)
{
	return pmu_is_v3() ? "CPU_CYCLES" : "task-clock";
}

/* An event that counts on every CPU system-wide, idle or not. */
static const char *syswide_event(void)
{
	return pmu_is_v3() ? "CPU_CYCLES" : "cpu-clock";
}

/*
 * The same run with the system calls: user-level counts of two events
 * of "pfm-workload -n ITERATIONS".
 */
static int direct_count(__u64 *inst, __u64 *cycles)
{
	struct pfmon_counter c[2] = {
		{ .pmc = 1, .pmd = 1,
		  .pmc_value = PFMON_V3_P | PFM_V3_INST_RETIRED },
		{ .pmc = 0, .pmd = 0, .pmc_value = PFMON_V3_P },
	};
	struct pfmon_task t;
	char *cmd[4];
	__u64 v[2];
	int fd, st, ret = -1;

	cmd[0] = (char *)workload_path();
	cmd[1] = "-n";
	cmd[2] = ITERATIONS;
	cmd[3] = NULL;
	fd = pfmon_ctx_create(0, 0);
	if (fd < 0)
		return -1;
	if (pfmon_ctx_program(fd, c, 2) ||
	    pfmon_task_spawn(&t, cmd))
		goto out;
	if (pfmon_ctx_load(fd, t.pid) || pfm_start(fd, NULL) ||
	    pfmon_task_detach(t.pid)) {
		kill(t.pid, SIGKILL);
		waitpid(t.pid, NULL, 0);
		goto out;
	}
	if (pfmon_task_exec_status(&t) || waitpid(t.pid, &st, 0) != t.pid ||
	    !WIFEXITED(st) || WEXITSTATUS(st))
		goto out;
	if (pfmon_ctx_read(fd, c, 2, v))
		goto out;
	*inst = v[0];
	*cycles = v[1];
	ret = 0;
out:
	close(fd);
	return ret;
}

static const struct row *find_row(const struct row *rows, int n,
				  const char *event, const char *scope)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(rows[i].event, event) &&
		    !strcmp(rows[i].scope, scope))
			return &rows[i];
	return NULL;
}

/* "12,345,678" */
static void thousands(unsigned long long v, char *buf, size_t len)
{
	char d[32];
	int n, i, o = 0;

	n = snprintf(d, sizeof(d), "%llu", v);
	for (i = 0; i < n && o + 2 < (int)len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = '\0';
}

/* Does a line of @text have @num and then @label? */
static bool text_has(const char *text, const char *num, const char *label)
{
	const char *p = text, *l;

	while ((p = strstr(p, num))) {
		l = strstr(p, label);
		if (l && !memchr(p, '\n', l - p))
			return true;
		p++;
	}
	return false;
}

TEST(list)
{
	struct run *r = calloc(1, sizeof(*r));

	ASSERT_NE(NULL, r);
	if (!have_pfmon(_metadata))
		return;
	run_pfmon(r, "--list", NULL);
	EXPECT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	EXPECT_NE(NULL, strstr(r->out, "PMU:"));
	EXPECT_NE(NULL, strstr(r->out, busy_event())) TH_LOG("%s", r->out);
	if (pmu_is_v3())
		EXPECT_NE(NULL, strstr(r->out, "INST_RETIRED"));
	free(r);
}

/* pfmon -e INST_RETIRED,CPU_CYCLES --plm u [@fmt] -- pfm-workload -n N */
static void run_exact(struct run *r, const char *fmt)
{
	const char *w = workload_path();

	if (fmt)
		run_pfmon(r, "-e", "INST_RETIRED,CPU_CYCLES", "--plm", "u", fmt,
			  "--", w, "-n", ITERATIONS, NULL);
	else
		run_pfmon(r, "-e", "INST_RETIRED,CPU_CYCLES", "--plm", "u",
			  "--", w, "-n", ITERATIONS, NULL);
}

TEST(exact_counts)
{
	struct row rows[MAX_ROWS];
	const struct row *ri, *rc;
	__u64 inst = 0, cycles = 0;
	char why[128], num[32];
	struct run *r;
	int n, k;

	if (!have_pfmon(_metadata) || !pfm_v3_require(_metadata))
		return;
	n = pfm_v3_exact_mode(why, sizeof(why));
	ASSERT_LE(0, n);
	if (!n)
		SKIP(return, "%s", why);
	/* the same layout for every run: stack and string addresses alike */
	ASSERT_LE(0, personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE));
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);

	ASSERT_EQ(0, direct_count(&inst, &cycles));
	TH_LOG("direct: INST_RETIRED:u %llu, CPU_CYCLES:u %llu",
	       (unsigned long long)inst, (unsigned long long)cycles);
	EXPECT_LE(BUSY_INSNS, inst);
	EXPECT_GT(BUSY_INSNS + 1000000, inst);

	/* text: the numbers as printed */
	run_exact(r, NULL);
	ASSERT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	thousands(inst, num, sizeof(num));
	EXPECT_TRUE(text_has(r->err, num, "INST_RETIRED:u"))
		TH_LOG("%s not in:\n%s", num, r->err);
	thousands(cycles, num, sizeof(num));
	EXPECT_TRUE(text_has(r->err, num, "CPU_CYCLES:u"))
		TH_LOG("%s not in:\n%s", num, r->err);

	/* CSV and JSON */
	for (k = 0; k < 2; k++) {
		run_exact(r, k ? "--json" : "-x,");
		ASSERT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
		n = k ? json_rows(r->err, rows, MAX_ROWS) :
			parse_csv(r->err, rows, MAX_ROWS);
		ASSERT_EQ(2, n) TH_LOG("output:\n%s", r->err);
		ri = find_row(rows, n, "INST_RETIRED", "thread");
		rc = find_row(rows, n, "CPU_CYCLES", "thread");
		ASSERT_NE(NULL, ri);
		ASSERT_NE(NULL, rc);
		EXPECT_EQ(inst, ri->value) TH_LOG("%s", k ? "JSON" : "CSV");
		EXPECT_EQ(inst, ri->raw);
		EXPECT_EQ(cycles, rc->value) TH_LOG("%s", k ? "JSON" : "CSV");
		EXPECT_STREQ("u", ri->plm);
	}
	free(r);
}

TEST(csv_json)
{
	struct row csv[MAX_ROWS], js[MAX_ROWS];
	const char *w = workload_path();
	struct run *r;
	int i, nc, nj;

	if (!have_pfmon(_metadata))
		return;
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	/* CSV on stderr */
	run_pfmon(r, "-x,", "--", w, "-n", "2000000", NULL);
	ASSERT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	nc = parse_csv(r->err, csv, MAX_ROWS);
	ASSERT_LT(0, nc) TH_LOG("CSV does not parse:\n%s", r->err);

	/* JSON into -o FILE */
	run_pfmon(r, "--json", "-o", COUNTS_FILE, "--", w, "-n", "2000000",
		  NULL);
	ASSERT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	read_file(COUNTS_FILE, r->out, sizeof(r->out));
	nj = json_rows(r->out, js, MAX_ROWS);
	ASSERT_EQ(nc, nj) TH_LOG("JSON does not parse or differs:\n%s", r->out);
	for (i = 0; i < nc; i++) {
		EXPECT_STREQ(csv[i].event, js[i].event);
		EXPECT_STREQ(csv[i].plm, js[i].plm);
		EXPECT_STREQ("thread", csv[i].scope);
		EXPECT_EQ(csv[i].value, csv[i].raw);
		EXPECT_EQ(js[i].value, js[i].raw);
		EXPECT_TRUE(csv[i].pct == 100.0);
	}
	/* the busy event counts in both */
	EXPECT_NE(NULL, find_row(csv, nc, busy_event(), "thread"));
	for (i = 0; i < nc; i++) {
		if (strcmp(csv[i].event, busy_event()))
			continue;
		EXPECT_LT(0, csv[i].value);
		EXPECT_LT(0, js[i].value);
	}
	free(r);
}

TEST(syswide)
{
	struct row rows[MAX_ROWS];
	const struct row *tot, *row;
	unsigned long long sum = 0;
	int cpus[256], ncpus, n, i;
	char scope[16];
	struct run *r;

	if (!have_pfmon(_metadata))
		return;
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	ncpus = pfmon_cpus_online(cpus, 256);
	ASSERT_LT(0, ncpus);
	run_pfmon(r, "-a", "--duration", "0.2", "-x,", "-e", syswide_event(),
		  "--plm", "uk", NULL);
	ASSERT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	n = parse_csv(r->err, rows, MAX_ROWS);
	ASSERT_EQ(ncpus + (ncpus > 1), n) TH_LOG("%s", r->err);
	for (i = 0; i < ncpus; i++) {
		snprintf(scope, sizeof(scope), "cpu%d", cpus[i]);
		row = find_row(rows, n, syswide_event(), scope);
		ASSERT_NE(NULL, row) TH_LOG("no row for %s", scope);
		sum += row->value;
	}
	EXPECT_LT(0, sum);
	if (ncpus > 1) {
		tot = find_row(rows, n, syswide_event(), "total");
		ASSERT_NE(NULL, tot);
		EXPECT_EQ(sum, tot->value);
	}

	/* one CPU: -C implies -a */
	run_pfmon(r, "-C", "0", "--duration", "0.1", "-x,", "-e",
		  syswide_event(), NULL);
	ASSERT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	n = parse_csv(r->err, rows, MAX_ROWS);
	ASSERT_EQ(1, n) TH_LOG("%s", r->err);
	EXPECT_STREQ("cpu0", rows[0].scope);
	free(r);
}

/* Start the workload for @secs seconds; its pid. */
static pid_t start_workload(const char *secs)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(workload_path(), workload_path(), "-d", secs, NULL);
		_exit(126);
	}
	return pid;
}

/* TracerPid of @pid, -1 if unknown. */
static int tracer_pid(pid_t pid)
{
	char path[64], buf[2048], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (pfm_test_read_attr(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "TracerPid:");
	return p ? atoi(p + strlen("TracerPid:")) : -1;
}

/*
 * Wait up to @secs until pfmon (@pf) has loaded a context on @pid and let
 * it go again (monitored, no longer traced); false if pfmon exits first.
 */
static bool wait_task_session(pid_t pf, pid_t pid, int secs)
{
	siginfo_t si;
	int i;

	for (i = 0; i < secs * 100; i++) {
		if (pfm_test_sysfs_num(PFM_TASK_SESSIONS) > 0 &&
		    tracer_pid(pid) == 0)
			return true;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, pf, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pf)
			return false;	/* pfmon exited: it will say why */
		usleep(10000);
	}
	return false;
}

TEST(attach)
{
	struct row rows[MAX_ROWS];
	char tid[16];
	struct run *r;
	pid_t pid, pf;
	int n, st;

	if (!have_pfmon(_metadata))
		return;
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);

	/* for --duration, while the thread runs (it runs until killed) */
	pid = start_workload("600");
	ASSERT_LT(0, pid);
	snprintf(tid, sizeof(tid), "%d", pid);
	run_pfmon(r, "-p", tid, "--duration", "0.3", "-x,", "-e",
		  busy_event(), NULL);
	EXPECT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	n = parse_csv(r->err, rows, MAX_ROWS);
	EXPECT_EQ(1, n) TH_LOG("%s", r->err);
	if (n == 1)
		EXPECT_LT(0, rows[0].value);
	/* detached again, and unloaded: the workload runs on unmonitored */
	EXPECT_EQ(0, pfm_test_sysfs_num(PFM_TASK_SESSIONS));
	EXPECT_EQ(0, kill(pid, 0));

	/* until the thread exits: no --duration, the workload is killed */
	pf = start_pfmon("-p", tid, "-x,", "-e", busy_event(), NULL);
	ASSERT_LT(0, pf);
	EXPECT_TRUE(wait_task_session(pf, pid, 15));
	usleep(200000);	/* counting */
	kill(pid, SIGTERM);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	finish_pfmon(r, pf);
	EXPECT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	n = parse_csv(r->err, rows, MAX_ROWS);
	EXPECT_EQ(1, n) TH_LOG("%s", r->err);
	if (n == 1)
		EXPECT_LT(0, rows[0].value);
	free(r);
}

/* The profile rows of pfmon report -x,: pct,samples,symbol,object. */
static double busy_share(const char *csv, unsigned long long *total)
{
	char line[1024], sym[256];
	unsigned long long n;
	double pct, busy = 0;

	*total = 0;
	while (*csv) {
		size_t len = strcspn(csv, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, csv);
		csv += len + (csv[len] == '\n');
		if (sscanf(line, "%lf,%llu,%255[^,],", &pct, &n, sym) != 3)
			continue;
		*total += n;
		if (!strcmp(sym, "pfm_busy"))
			busy += pct;
	}
	return busy;
}

TEST(record_report)
{
	bool v3 = pmu_is_v3(), exact = v3 && pfm_v3_exact_mode(NULL, 0) == 1;
	unsigned long long total, count, period;
	static char profile[MAX_OUT];
	const struct jval *f;
	struct jval doc;
	struct run *r;
	double busy;

	if (!have_pfmon(_metadata))
		return;
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	/*
	 * A 4 KiB buffer fills every ~100 samples: many restarts. Exact
	 * mode counts instructions: a fixed loop. Elsewhere the clocks (and
	 * plain TCG's cycles) count time: two seconds of pfm_busy(), so that
	 * the start of the program (TCG translating it, the page faults)
	 * weighs little.
	 */
	if (exact)
		run_pfmon(r, "record", "-e", "CPU_CYCLES", "--period", "10007",
			  "--buf-size", "4096", "-o", DATA_FILE, "--",
			  workload_path(), "-n", "2000000", NULL);
	else
		run_pfmon(r, "record", "-e", busy_event(), "--period", "1000003",
			  "--buf-size", "4096", "-o", DATA_FILE, "--",
			  workload_path(), "-d", "2", NULL);
	ASSERT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	run_pfmon(r, "report", "-x,", "--top", "0", DATA_FILE, NULL);
	ASSERT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	busy = busy_share(r->out, &total);
	TH_LOG("%llu samples, %.2f%% in pfm_busy", total, busy);
	snprintf(profile, sizeof(profile), "%s", r->out);

	run_pfmon(r, "report", "--json", DATA_FILE, NULL);
	ASSERT_EQ(0, exit_status(r)) TH_LOG("stderr: %s", r->err);
	ASSERT_TRUE(json_parse(r->out, &doc)) TH_LOG("%s", r->out);
	f = json_get(&doc, "samples");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(total, f->num);
	f = json_get(&doc, "count");
	ASSERT_NE(NULL, f);
	count = f->num;
	f = json_get(&doc, "period");
	ASSERT_NE(NULL, f);
	period = f->num;
	json_free(&doc);

	/*
	 * One sample per period, none lost when the buffer filled (exact
	 * mode: to one sample; elsewhere the period of the last sample may
	 * be longer, with PMU interrupts late).
	 */
	if (exact) {
		EXPECT_LE(count / period - 1, total);
		EXPECT_GE(count / period + 1, total);
	} else {
		EXPECT_LE(count / period / 2, total)
			TH_LOG("%llu samples for %llu events at period %llu: overflows lost",
			       total, count, period);
	}
	EXPECT_LE(50, total) TH_LOG("%s", profile);
	EXPECT_LE(95.0, busy) TH_LOG("%s", profile);
	free(r);
}

TEST(sets)
{
	struct row rows[MAX_ROWS];
	struct run *r;
	int n, i;

	if (!have_pfmon(_metadata))
		return;
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	run_pfmon(r, "--sets", pmu_is_v3() ? "CPU_CYCLES;CPU_CYCLES:k" :
		  "task-clock;cpu-clock", "--switch-timeout", "5", "-x,", "--",
		  workload_path(), "-n", "5000000", NULL);
	if (exit_status(r) != 0) {
		ASSERT_TRUE(one_error_line(r)) TH_LOG("stderr: %s", r->err);
		ASSERT_NE(NULL, strstr(r->err, "event sets not supported by this kernel"))
			TH_LOG("stderr: %s", r->err);
		free(r);
		SKIP(return, "event sets not supported by this kernel");
	}
	n = parse_csv(r->err, rows, MAX_ROWS);
	ASSERT_EQ(2, n) TH_LOG("%s", r->err);
	for (i = 0; i < n; i++) {
		EXPECT_LE(0, rows[i].pct);
		EXPECT_GE(100.0, rows[i].pct);
		EXPECT_LE(rows[i].raw, rows[i].value);
	}
	free(r);
}

TEST(err_unknown_event)
{
	bool v3 = pmu_is_v3();
	struct run *r;

	if (!have_pfmon(_metadata))
		return;
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	run_pfmon(r, "-e", v3 ? "INST_RETIRD" : "task-clok", "--",
		  workload_path(), "-n", "1", NULL);
	EXPECT_TRUE(one_error_line(r))
		TH_LOG("rc %d, stderr: %s", exit_status(r), r->err);
	EXPECT_NE(NULL, strstr(r->err, "unknown event"));
	/* the closest known event is named */
	EXPECT_NE(NULL, strstr(r->err, v3 ? "INST_RETIRED" : "task-clock"))
		TH_LOG("stderr: %s", r->err);
	free(r);
}

TEST(err_bad_cpu_list)
{
	struct run *r;

	if (!have_pfmon(_metadata))
		return;
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	run_pfmon(r, "-a", "-C", "1-x", "--duration", "0.1", NULL);
	EXPECT_TRUE(one_error_line(r))
		TH_LOG("rc %d, stderr: %s", exit_status(r), r->err);
	EXPECT_NE(NULL, strstr(r->err, "CPU list")) TH_LOG("stderr: %s", r->err);
	run_pfmon(r, "-C", "4000", "--duration", "0.1", NULL);
	EXPECT_TRUE(one_error_line(r))
		TH_LOG("rc %d, stderr: %s", exit_status(r), r->err);
	EXPECT_NE(NULL, strstr(r->err, "not online")) TH_LOG("stderr: %s", r->err);
	free(r);
}

TEST(err_missing_command)
{
	struct run *r;

	if (!have_pfmon(_metadata))
		return;
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	run_pfmon(r, "-e", busy_event(), NULL);
	EXPECT_TRUE(one_error_line(r)) TH_LOG("stderr: %s", r->err);
	EXPECT_NE(NULL, strstr(r->err, "missing command"));
	run_pfmon(r, "-e", busy_event(), "--", NULL);
	EXPECT_TRUE(one_error_line(r)) TH_LOG("stderr: %s", r->err);
	EXPECT_NE(NULL, strstr(r->err, "missing command"));
	run_pfmon(r, "record", "-o", DATA_FILE, NULL);
	EXPECT_TRUE(one_error_line(r)) TH_LOG("stderr: %s", r->err);
	EXPECT_NE(NULL, strstr(r->err, "missing command"));
	run_pfmon(r, "--", "/nonexistent/command", NULL);
	EXPECT_TRUE(one_error_line(r)) TH_LOG("stderr: %s", r->err);
	EXPECT_EQ(127, exit_status(r));
	EXPECT_NE(NULL, strstr(r->err, "cannot run"));
	free(r);
}

static int write_paranoid(const char *val)
{
	int fd = open(PFM_PARANOID_PATH, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

TEST(err_permission)
{
	char old[16] = "";
	struct run *r;

	if (!have_pfmon(_metadata))
		return;
	if (geteuid())
		SKIP(return, "needs root to switch users");
	if (pfm_test_read_attr(PFM_PARANOID_PATH, old, sizeof(old)) <= 0)
		SKIP(return, "no %s", PFM_PARANOID_PATH);
	ASSERT_EQ(0, write_paranoid("2"));
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	/* system-wide as nobody */
	run_pfmon_as(r, PFM_NOBODY_ID, "-a", "--duration", "0.1", NULL);
	EXPECT_TRUE(one_error_line(r))
		TH_LOG("rc %d, stderr: %s", exit_status(r), r->err);
	EXPECT_NE(NULL, strstr(r->err, "not permitted")) TH_LOG("stderr: %s", r->err);
	/* kernel level as nobody */
	run_pfmon_as(r, PFM_NOBODY_ID, "-e", busy_event(), "--plm", "k", "--",
		     workload_path(), "-n", "1", NULL);
	EXPECT_TRUE(one_error_line(r))
		TH_LOG("rc %d, stderr: %s", exit_status(r), r->err);
	EXPECT_NE(NULL, strstr(r->err, "not permitted")) TH_LOG("stderr: %s", r->err);
	write_paranoid(old);
	free(r);
}

TEST_HARNESS_MAIN
