// SPDX-License-Identifier: GPL-2.0
/*
 * The default sampling format's buffer: a header, then hdr_count entries
 * back to back, each a struct pfm_dfl_smpl_entry followed by the values
 * of the PMDs in the overflowed PMD's reg_smpl_pmds.
 */
#include <errno.h>
#include <string.h>

#include "libpfmon.h"

/**
 * pfmon_smpl_walk() - call @fn for each entry of a sampling buffer
 * @buf: the mapped buffer; the context must not be writing it (masked,
 *	stopped or unloaded)
 * @size: bytes mapped
 * @nvals: sampled PMD values after each entry
 * @fn: called per entry
 * @arg: passed to @fn
 * @why: set when the header is inconsistent
 *
 * Return: the number of entries walked, or -1 when the header is
 * inconsistent (errno EINVAL, *@why says how) or @fn stopped the walk
 * (errno set to what @fn returned).
 */
long pfmon_smpl_walk(const void *buf, size_t size, unsigned int nvals,
		     pfmon_smpl_fn fn, void *arg, const char **why)
{
	size_t esz = sizeof(struct pfm_dfl_smpl_entry) + nvals * sizeof(__u64);
	struct pfm_dfl_smpl_hdr h;
	size_t offs = sizeof(h);
	const struct pfm_dfl_smpl_entry *e;
	__u64 i;
	int ret;

	*why = NULL;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(&h, buf, sizeof(h));
	if (size < sizeof(h) || h.hdr_cur_offs > size ||
	    h.hdr_count > (size - sizeof(h)) / esz ||
	    h.hdr_cur_offs != sizeof(h) + h.hdr_count * esz) {
		*why = "hdr_count and hdr_cur_offs disagree";
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < h.hdr_count; i++, offs += esz) {
		e = (const void *)((const char *)buf + offs);
		ret = fn(e, (const __u64 *)(e + 1), nvals, arg);
		if (ret) {
			errno = ret;
			return -1;
		}
	}
	return h.hdr_count;
}
