// SPDX-License-Identifier: GPL-2.0
/*
 * pfm-workload - a deterministic workload to count and sample
 *
 *   pfm-workload [-n ITERATIONS] [-s SYSCALLS] [-d SECONDS] [-v]
 *
 * -n N   run pfm_busy(), a loop of PFM_BUSY_INSNS instructions an
 *        iteration written in assembly, N times (default 10,000,000): the
 *        user-level instruction count of the whole program is
 *        PFM_BUSY_INSNS * N plus a constant (the C library's start and
 *        exit), so two runs with the same arguments, environment and
 *        address space layout count exactly the same instructions.
 * -s N   then make N getppid() system calls (pfm_syscalls()): kernel work.
 * -d S   instead of -n: call pfm_busy() in chunks for S seconds of wall
 *        time (for sampling with the clock events, and for pfmon -p); a
 *        timer signal ends it, so nothing but pfm_busy() runs meanwhile.
 * -v     say what was done.
 *
 * pfm_busy() is where the time goes: pfmon report must put (nearly) all
 * samples there.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include "pfm-workload.h"

/* Instructions in one iteration of pfm_busy()'s loop. */
#define PFM_BUSY_INSNS	4

#define DFL_ITERATIONS	10000000UL
#define CHUNK		100000UL

#if defined(__aarch64__)
__asm__("	.text\n"
	"	.globl	pfm_busy\n"
	"	.p2align 4\n"
	"	.type	pfm_busy, %function\n"
	"pfm_busy:\n"
	"	cbz	x0, 2f\n"
	"1:	add	x10, x10, #1\n"
	"	eor	x11, x11, x10\n"
	"	subs	x0, x0, #1\n"
	"	b.ne	1b\n"
	"2:	ret\n"
	"	.size	pfm_busy, . - pfm_busy\n");
#elif defined(__x86_64__)
__asm__("	.text\n"
	"	.globl	pfm_busy\n"
	"	.p2align 4\n"
	"	.type	pfm_busy, @function\n"
	"pfm_busy:\n"
	"	test	%rdi, %rdi\n"
	"	jz	2f\n"
	"1:	add	$1, %r10\n"
	"	xor	%r10, %r11\n"
	"	sub	$1, %rdi\n"
	"	jnz	1b\n"
	"2:	ret\n"
	"	.size	pfm_busy, . - pfm_busy\n");
#else
void pfm_busy(unsigned long n)
{
	unsigned long x = 0;

	while (n--)
		__atomic_store_n(&x, __atomic_load_n(&x, __ATOMIC_RELAXED) + n,
				 __ATOMIC_RELAXED);
}
#endif

/* Kernel-level work: @n system calls. */
static __pfm_attr(noinline) void pfm_syscalls(unsigned long n)
{
	while (n--)
		syscall(SYS_getppid);
}

static sig_atomic_t time_up;

static void on_alarm(int sig)
{
	__atomic_store_n(&time_up, 1, __ATOMIC_RELAXED);
}

/* Run pfm_busy() in chunks until @secs of wall time have passed. */
static unsigned long busy_for(double secs)
{
	struct itimerval it;
	struct sigaction sa;
	unsigned long done = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = secs;
	it.it_value.tv_usec = (secs - it.it_value.tv_sec) * 1e6;
	if (!it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
	while (!__atomic_load_n(&time_up, __ATOMIC_RELAXED)) {
		pfm_busy(CHUNK);
		done += CHUNK;
	}
	return done;
}

static unsigned long parse_number(const char *s, const char *opt)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end || *s == '-') {
		fprintf(stderr, "pfm-workload: %s takes a number (got '%s')\n",
			opt, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long iters = DFL_ITERATIONS, nsys = 0;
	double secs = 0;
	int c, verbose = 0;

	while ((c = getopt(argc, argv, "n:s:d:v")) != -1) {
		switch (c) {
		case 'n':
			iters = parse_number(optarg, "-n");
			break;
		case 's':
			nsys = parse_number(optarg, "-s");
			break;
		case 'd':
			secs = strtod(optarg, NULL);
			if (secs <= 0) {
				fprintf(stderr, "pfm-workload: -d takes seconds\n");
				return 2;
			}
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr,
				"usage: pfm-workload [-n ITERATIONS] [-s SYSCALLS] [-d SECONDS] [-v]\n");
			return 2;
		}
	}
	if (secs)
		iters = busy_for(secs);
	else
		pfm_busy(iters);
	pfm_syscalls(nsys);
	if (verbose)
		printf("pfm-workload: %lu iterations of %d instructions (%lu), %lu system calls\n",
		       iters, PFM_BUSY_INSNS, iters * PFM_BUSY_INSNS, nsys);
	return 0;
}
