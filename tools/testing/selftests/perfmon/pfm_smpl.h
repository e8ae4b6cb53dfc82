/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the sampling selftests (P4): contexts with the default
 * sampling format, PMDs programmed with a sampling period, the mapped
 * buffer and a walk over its entries.
 *
 * A period P is programmed as the value 2^64 - P, the PMD overflowing
 * (64-bit wrap) after P events, and the same for the reset values.
 */
#ifndef _PFM_SMPL_H
#define _PFM_SMPL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/perfmon_dfl_smpl.h>

#include "pfm_test.h"

#define PFM_FMT_DIR		PFM_SYSFS_DIR "/formats"
#define PFM_SMPL_MEM_CUR	"smpl_buffer_mem_cur"
#define PFM_SMPL_MEM_MAX	"smpl_buffer_mem_max"

/* The PMD value (and reset value) for a sampling period of @p events. */
#define PFM_PERIOD(p)		((__u64)0 - (__u64)(p))

/* Number of PMDs of the active PMU description (pmu_desc/pmdN), or -1. */
static inline int pfm_smpl_num_pmds(void)
{
	char path[256];
	int n;

	for (n = 0; n < PFM_MAX_PMDS; n++) {
		snprintf(path, sizeof(path), "%s/pmu_desc/pmd%d",
			 PFM_SYSFS_DIR, n);
		if (access(path, F_OK))
			break;
	}
	return n ? n : -1;
}

/* The smallest buf_size the default format takes with @num_pmds PMDs. */
static inline __u64 pfm_smpl_min_size(int num_pmds)
{
	return sizeof(struct pfm_dfl_smpl_hdr) +
	       sizeof(struct pfm_dfl_smpl_entry) + num_pmds * sizeof(__u64);
}

/*
 * Create a context with @flags and the default format with a buffer of
 * @buf_size bytes. Return the fd or -1 (errno set).
 */
static inline int pfm_smpl_create(unsigned int flags, __u64 buf_size)
{
	struct pfm_dfl_smpl_arg arg;
	struct pfarg_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	memset(&arg, 0, sizeof(arg));
	ctx.ctx_flags = flags;
	arg.buf_size = buf_size;
	return pfm_create_context(&ctx, PFM_DFL_SMPL_NAME, &arg, sizeof(arg));
}

/*
 * Fill @pmd for PMD @num sampling with period @period: value, short and
 * long reset 2^64 - @period, @flags (PFM_REGFL_*).
 */
static inline void pfm_smpl_pmd(struct pfarg_pmd *pmd, unsigned int num,
				__u64 period, __u32 flags)
{
	memset(pmd, 0, sizeof(*pmd));
	pmd->reg_num = num;
	pmd->reg_flags = flags;
	pmd->reg_value = PFM_PERIOD(period);
	pmd->reg_short_reset = PFM_PERIOD(period);
	pmd->reg_long_reset = PFM_PERIOD(period);
}

/* Add PMD @num to a bitvector such as reg_smpl_pmds. */
static inline void pfm_bv_set(__u64 *bv, unsigned int num)
{
	bv[num / 64] |= 1ULL << (num % 64);
}

/* Read the whole pfarg_pmd of PMD @num (reg_last_reset_val and all). */
static inline int pfm_smpl_read_pmd(int fd, unsigned int num,
				    struct pfarg_pmd *pmd)
{
	memset(pmd, 0, sizeof(*pmd));
	pmd->reg_num = num;
	return pfm_read_pmds(fd, pmd, 1);
}

/* Map @size bytes of @fd's buffer read-only; NULL on failure (errno). */
static inline void *pfm_smpl_map(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Undo pfm_smpl_map() (if @buf) and close the context (if @fd >= 0). */
static inline void pfm_smpl_release(int fd, void *buf, size_t size)
{
	if (buf)
		munmap(buf, size);
	if (fd >= 0)
		close(fd);
}

/* The buffer's size as the kernel allocates it: whole pages. */
static inline size_t pfm_smpl_page_round(size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (size + page - 1) / page * page;
}

/* Copy of the header (the kernel may write it while we look). */
static inline void pfm_smpl_hdr(const void *buf, struct pfm_dfl_smpl_hdr *h)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(h, buf, sizeof(*h));
}

/* The size of an entry followed by @nvals sampled PMD values. */
static inline size_t pfm_smpl_entry_size(unsigned int nvals)
{
	return sizeof(struct pfm_dfl_smpl_entry) + nvals * sizeof(__u64);
}

/* Entry @i of buffer @buf, whose entries carry @nvals sampled values. */
static inline const struct pfm_dfl_smpl_entry *
pfm_smpl_entry(const void *buf, unsigned int nvals, long i)
{
	return (const void *)((const char *)buf +
			      sizeof(struct pfm_dfl_smpl_hdr) +
			      i * pfm_smpl_entry_size(nvals));
}

/*
 * The entries of a buffer that is not being written (context masked or
 * stopped): @nvals sampled PMD values follow each entry. Check the walk
 * of hdr_count entries ends exactly at hdr_cur_offs, inside the buffer.
 * Return the number of entries walked, or -1 when the header is not
 * consistent (then *@why says how).
 */
static inline long pfm_smpl_walk(const void *buf, size_t map_size,
				 unsigned int nvals,
				 const struct pfm_dfl_smpl_entry **ents,
				 long max, const char **why)
{
	const struct pfm_dfl_smpl_hdr *h = buf;
	size_t esz = pfm_smpl_entry_size(nvals);
	size_t offs = sizeof(*h);
	__u64 i;

	*why = NULL;
	if (h->hdr_cur_offs < sizeof(*h) || h->hdr_cur_offs > map_size) {
		*why = "hdr_cur_offs outside the buffer";
		return -1;
	}
	for (i = 0; i < h->hdr_count; i++) {
		if (offs + esz > map_size) {
			*why = "hdr_count entries overrun the buffer";
			return -1;
		}
		if (ents && (long)i < max)
			ents[i] = (const void *)((const char *)buf + offs);
		offs += esz;
	}
	if (offs != h->hdr_cur_offs) {
		*why = "hdr_cur_offs != sizeof(hdr) + hdr_count * entry size";
		return -1;
	}
	return h->hdr_count;
}

/* The sampled PMD values that follow entry @e. */
static inline const __u64 *pfm_smpl_vals(const struct pfm_dfl_smpl_entry *e)
{
	return (const __u64 *)(e + 1);
}

/*
 * Wait up to @ms for a message on @fd without burning CPU; 1 when one is
 * pending, 0 on a timeout, -1 on an error.
 */
static inline int pfm_smpl_wait_msg(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&pfd, 1, ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -1;
	return ret == 1 && (pfd.revents & POLLIN);
}

/* Is a message pending on @fd right now? */
static inline bool pfm_smpl_msg_pending(int fd)
{
	return pfm_smpl_wait_msg(fd, 0) == 1;
}

#endif /* _PFM_SMPL_H */
