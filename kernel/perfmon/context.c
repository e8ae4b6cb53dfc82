// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: context lifetime and the file descriptor that holds it.
 *
 * A context is created with its fd by pfm_create_context() and freed when
 * the fd is closed, unless it then monitors another running thread: that
 * thread frees it (see pfm_release_ctx()).
 */
#include <linux/anon_inodes.h>
#include <linux/bits.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "internal.h"

/* Contexts allocated and not yet freed, for debugfs and leak tests. */
atomic_long_t pfm_nr_contexts = ATOMIC_LONG_INIT(0);

static struct pfm_context *pfm_context_alloc(const struct pfarg_ctx *req)
{
	struct pfm_context *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);

	ctx->pmu = pfm_pmu_get();
	if (!ctx->pmu) {
		kfree(ctx);
		return ERR_PTR(-ENODEV);
	}
	refcount_set(&ctx->refs, 1);
	atomic_long_inc(&pfm_nr_contexts);
	mutex_init(&ctx->mutex);
	raw_spin_lock_init(&ctx->lock);
	init_waitqueue_head(&ctx->msgq_wait);
	init_waitqueue_head(&ctx->restart_wait);
	init_irq_work(&ctx->wake_work, pfm_wake_work);
	ctx->state = PFM_CTX_UNLOADED;
	ctx->flags = req->ctx_flags;
	ctx->pid_ns = get_pid_ns(task_active_pid_ns(current));
	ctx->kernel_ip_ok = pfm_may_count_kernel();
	ctx->last_cpu = -1;
	ctx->dirty = true;
	ctx->ovfl_mask = GENMASK_ULL(ctx->pmu->counter_width - 1, 0);
	if (pfm_sets_init(ctx)) {
		pfm_context_put(ctx);
		return ERR_PTR(-ENOMEM);
	}
	return ctx;
}

/**
 * pfm_context_get - take a reference on a context
 * @ctx: the context, already referenced by the caller
 */
void pfm_context_get(struct pfm_context *ctx)
{
	refcount_inc(&ctx->refs);
}

static void pfm_context_free_rcu(struct rcu_head *head)
{
	struct pfm_context *ctx = container_of(head, struct pfm_context, rcu);

	pfm_sets_free(ctx);
	kfree(ctx);
	atomic_long_dec(&pfm_nr_contexts);
}

/**
 * pfm_context_put - drop a reference; the last one frees the context
 * @ctx: the context
 *
 * May sleep.
 */
void pfm_context_put(struct pfm_context *ctx)
{
	if (!refcount_dec_and_test(&ctx->refs))
		return;
	irq_work_sync(&ctx->wake_work);
	pfm_smpl_release(ctx);
	if (ctx->pid_ns)
		put_pid_ns(ctx->pid_ns);
	pfm_pmu_put(ctx->pmu);
	/*
	 * A scheduler hook that read task->pfm_ctx just before the context
	 * was detached may still take its lock; it runs with interrupts
	 * off, hence within an RCU read-side section.
	 */
	call_rcu(&ctx->rcu, pfm_context_free_rcu);
}

static int pfm_release(struct inode *inode, struct file *file)
{
	pfm_release_ctx(file->private_data);
	return 0;
}

/* perfmon2 refused write(); the fd carries no data in that direction. */
static ssize_t pfm_write(struct file *file, const char __user *buf,
			 size_t size, loff_t *ppos)
{
	return -EINVAL;
}

/* The sampling buffer is the only thing to map. */
static int pfm_mmap(struct file *file, struct vm_area_struct *vma)
{
	return pfm_smpl_mmap(file->private_data, vma);
}

const struct file_operations pfm_context_fops = {
	.owner		= THIS_MODULE,
	.llseek		= no_llseek,
	.read		= pfm_read,
	.write		= pfm_write,
	.poll		= pfm_poll,
	.mmap		= pfm_mmap,
	.fasync		= pfm_fasync,
	.release	= pfm_release,
};

/**
 * pfm_context_create - create a context and the fd that holds it
 * @req: the checked argument of pfm_create_context()
 * @fmt: the sampling format, pinned with pfm_fmt_get(), or NULL; its
 *	reference goes to the context, or is dropped on failure
 * @fmt_arg: the format's argument
 *
 * Return: the new fd, or -ENOMEM, -ENODEV (no PMU description), -EMFILE,
 * -ENFILE, or what pfm_smpl_setup() returns.
 */
int pfm_context_create(const struct pfarg_ctx *req,
		       const struct pfm_smpl_fmt *fmt, const void *fmt_arg)
{
	unsigned int fd_flags = O_RDWR;
	struct pfm_context *ctx;
	struct file *file;
	int fd, ret;

	if (req->ctx_flags & PFM_FL_FD_CLOEXEC)
		fd_flags |= O_CLOEXEC;

	ctx = pfm_context_alloc(req);
	if (IS_ERR(ctx)) {
		if (fmt)
			pfm_fmt_put(fmt);
		return PTR_ERR(ctx);
	}
	if (fmt) {
		ret = pfm_smpl_setup(ctx, fmt, fmt_arg);
		if (ret) {
			pfm_fmt_put(fmt);
			goto out_free_ctx;
		}
	}

	fd = get_unused_fd_flags(fd_flags);
	if (fd < 0) {
		ret = fd;
		goto out_free_ctx;
	}

	file = anon_inode_getfile("[perfmon]", &pfm_context_fops, ctx,
				  O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out_put_fd;
	}

	/* Published last: user space may use the fd as soon as it exists. */
	fd_install(fd, file);
	return fd;

out_put_fd:
	put_unused_fd(fd);
out_free_ctx:
	pfm_context_put(ctx);
	return ret;
}
