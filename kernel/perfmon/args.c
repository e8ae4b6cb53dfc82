// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: checks of user arguments that need no context.
 *
 * Every reserved field must be zero and every unknown flag bit is refused,
 * so that later versions can give them a meaning without breaking anyone.
 */
#include <linux/string.h>

#include "internal.h"

/**
 * pfm_check_ctx_arg - check the argument of pfm_create_context()
 * @req: the argument, already copied from user space
 *
 * Return: 0, or -EINVAL for unknown flags, a non-zero reserved field or a
 * combination of flags that cannot work.
 */
int pfm_check_ctx_arg(const struct pfarg_ctx *req)
{
	if (req->ctx_flags & ~PFM_FL_ALL)
		return -EINVAL;
	if (req->ctx_reserved1 ||
	    !pfm_all_zero(req->ctx_reserved2, sizeof(req->ctx_reserved2)))
		return -EINVAL;
	/*
	 * A system-wide context has no monitored thread that could wait for
	 * pfm_restart().
	 */
	if ((req->ctx_flags & PFM_FL_NOTIFY_BLOCK) &&
	    (req->ctx_flags & PFM_FL_SYSTEM_WIDE))
		return -EINVAL;
	return 0;
}

/**
 * pfm_check_vec_count - check the element count of a vector call
 * @count: number of elements the caller passed
 * @elem_size: size of one element
 *
 * Return: 0, -EINVAL for a negative count, -E2BIG for a vector larger than
 * PFM_MAX_VEC_BYTES.
 */
int pfm_check_vec_count(int count, size_t elem_size)
{
	if (count < 0)
		return -EINVAL;
	if ((size_t)count > PFM_MAX_VEC_BYTES / elem_size)
		return -E2BIG;
	return 0;
}

/**
 * pfm_check_load_arg - check the argument of pfm_load_context()
 * @req: the argument, already copied from user space
 *
 * Return: 0 or -EINVAL for a non-zero reserved field.
 */
int pfm_check_load_arg(const struct pfarg_load *req)
{
	if (req->load_reserved1 ||
	    !pfm_all_zero(req->load_reserved2, sizeof(req->load_reserved2)))
		return -EINVAL;
	return 0;
}

/**
 * pfm_check_start_arg - check the optional argument of pfm_start()
 * @req: the argument, already copied from user space
 *
 * Return: 0 or -EINVAL for a non-zero reserved field.
 */
int pfm_check_start_arg(const struct pfarg_start *req)
{
	if (req->start_reserved1 || req->start_reserved2 ||
	    !pfm_all_zero(req->reserved3, sizeof(req->reserved3)))
		return -EINVAL;
	return 0;
}
