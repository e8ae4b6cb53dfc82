// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: a context's sampling format and its buffer.
 *
 * The buffer is kernel memory written by the PMU interrupt and mapped
 * read-only by user space through the context fd. It is charged to the
 * creator's RLIMIT_MEMLOCK (as locked memory, which it is) and to a
 * machine-wide cap, /sys/kernel/perfmon/smpl_buffer_mem_max. A mapping
 * holds a reference on the context, so the buffer outlives the fd while
 * it is mapped.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "internal.h"

/* Bytes of sampling buffers allocated now, and the most allowed. */
atomic_long_t pfm_smpl_mem_cur = ATOMIC_LONG_INIT(0);
unsigned long pfm_smpl_mem_max;

static int pfm_smpl_charge(struct pfm_context *ctx, size_t size)
{
	unsigned long max = READ_ONCE(pfm_smpl_mem_max);
	int ret;

	if (atomic_long_add_return(size, &pfm_smpl_mem_cur) > max) {
		ret = -ENOMEM;
		goto out_uncharge_global;
	}
	ret = account_locked_vm(current->mm, size >> PAGE_SHIFT, true);
	if (ret)
		goto out_uncharge_global;
	mmgrab(current->mm);
	ctx->smpl_mm = current->mm;
	return 0;

out_uncharge_global:
	atomic_long_sub(size, &pfm_smpl_mem_cur);
	return ret;
}

static void pfm_smpl_uncharge(struct pfm_context *ctx)
{
	account_locked_vm(ctx->smpl_mm, ctx->smpl_size >> PAGE_SHIFT, false);
	mmdrop(ctx->smpl_mm);
	ctx->smpl_mm = NULL;
	atomic_long_sub(ctx->smpl_size, &pfm_smpl_mem_cur);
}

static int pfm_smpl_buf_alloc(struct pfm_context *ctx, size_t size)
{
	int ret;

	if (!current->mm)
		return -EINVAL;
	ret = pfm_smpl_charge(ctx, size);
	if (ret)
		return ret;
	ctx->smpl_size = size;
	ctx->smpl_buf = vmalloc_user(size);
	if (!ctx->smpl_buf) {
		pfm_smpl_uncharge(ctx);
		ctx->smpl_size = 0;
		return -ENOMEM;
	}
	return 0;
}

static void pfm_smpl_buf_free(struct pfm_context *ctx)
{
	if (!ctx->smpl_buf)
		return;
	vfree(ctx->smpl_buf);
	ctx->smpl_buf = NULL;
	pfm_smpl_uncharge(ctx);
	ctx->smpl_size = 0;
}

/**
 * pfm_smpl_setup - give a new context a sampling format and its buffer
 * @ctx: the context, not yet visible to user space
 * @fmt: the format, pinned by pfm_fmt_get(); the context takes over the
 *	reference on success
 * @arg: the format's argument, fmt->arg_size bytes
 *
 * Return: 0; the format's -EINVAL for a bad argument; -EINVAL for a buffer
 * size that cannot be allocated; -ENOMEM over RLIMIT_MEMLOCK, over the
 * machine-wide cap or without memory.
 */
int pfm_smpl_setup(struct pfm_context *ctx, const struct pfm_smpl_fmt *fmt,
		   const void *arg)
{
	u16 num_pmds = ctx->pmu->num_pmds;
	size_t size = 0;
	int ret;

	if (fmt->validate) {
		ret = fmt->validate(ctx->flags, num_pmds, arg);
		if (ret)
			return ret;
	}
	ret = fmt->getsize(ctx->flags, arg, &size);
	if (ret)
		return ret;
	if (size) {
		if (size > PAGE_ALIGN(size) || PAGE_ALIGN(size) > INT_MAX)
			return -EINVAL;
		ret = pfm_smpl_buf_alloc(ctx, PAGE_ALIGN(size));
		if (ret)
			return ret;
	}
	ctx->smpl_values = kcalloc(num_pmds, sizeof(*ctx->smpl_values),
				   GFP_KERNEL_ACCOUNT);
	if (!ctx->smpl_values) {
		ret = -ENOMEM;
		goto out_free_buf;
	}
	if (fmt->init) {
		ret = fmt->init(ctx->smpl_buf, ctx->smpl_size, ctx->flags,
				num_pmds, arg);
		if (ret)
			goto out_free_values;
	}
	ctx->smpl_fmt = fmt;
	return 0;

out_free_values:
	kfree(ctx->smpl_values);
	ctx->smpl_values = NULL;
out_free_buf:
	pfm_smpl_buf_free(ctx);
	return ret;
}

/**
 * pfm_smpl_release - drop a context's format and buffer
 * @ctx: the context, on its last reference
 *
 * May sleep.
 */
void pfm_smpl_release(struct pfm_context *ctx)
{
	const struct pfm_smpl_fmt *fmt = ctx->smpl_fmt;

	if (!fmt)
		return;
	if (fmt->exit)
		fmt->exit(ctx->smpl_buf);
	pfm_smpl_buf_free(ctx);
	kfree(ctx->smpl_values);
	ctx->smpl_values = NULL;
	ctx->smpl_fmt = NULL;
	pfm_fmt_put(fmt);
}

static void pfm_smpl_vm_open(struct vm_area_struct *vma)
{
	pfm_context_get(vma->vm_private_data);
}

static void pfm_smpl_vm_close(struct vm_area_struct *vma)
{
	pfm_context_put(vma->vm_private_data);
}

static const struct vm_operations_struct pfm_smpl_vm_ops = {
	.open	= pfm_smpl_vm_open,
	.close	= pfm_smpl_vm_close,
};

/**
 * pfm_smpl_mmap - map the sampling buffer
 * @ctx: the context
 * @vma: the new mapping
 *
 * Return: 0; -EINVAL without a buffer, for an offset other than 0 or a
 * mapping larger than the buffer; -EACCES for a writable or executable
 * mapping.
 */
int pfm_smpl_mmap(struct pfm_context *ctx, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	int ret;

	if (!ctx->smpl_buf || vma->vm_pgoff || size > ctx->smpl_size)
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EACCES;
	/* Nor may mprotect() make it so later. */
	vma->vm_flags &= ~(VM_MAYWRITE | VM_MAYEXEC);
	ret = remap_vmalloc_range(vma, ctx->smpl_buf, 0);
	if (ret)
		return ret;
	vma->vm_ops = &pfm_smpl_vm_ops;
	vma->vm_private_data = ctx;
	pfm_context_get(ctx);
	return 0;
}
