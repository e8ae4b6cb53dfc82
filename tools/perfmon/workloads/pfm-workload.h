/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfm-workload: what its assembly defines, and the attributes it uses.
 */
#ifndef _PFM_WORKLOAD_H
#define _PFM_WORKLOAD_H

#define __pfm_attr(...)		__attribute__((__VA_ARGS__))

/*
 * Spin @n iterations of a loop of PFM_BUSY_INSNS user-level instructions
 * (assembly on arm64 and x86_64, C elsewhere).
 */
void pfm_busy(unsigned long n);

#endif /* _PFM_WORKLOAD_H */
