// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: notification messages and the fd operations that deliver them,
 * read(), poll() and SIGIO.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "internal.h"

static bool pfm_msgq_pop(struct pfm_context *ctx, union pfarg_msg *msg)
{
	struct pfm_msgq *q = &ctx->msgq;

	lockdep_assert_held(&ctx->lock);
	if (!q->count)
		return false;
	*msg = q->msgs[q->head];
	q->head = (q->head + 1) % PFM_MSGQ_LEN;
	q->count--;
	return true;
}

/* Put back a message that could not be delivered, unless it was replaced. */
static void pfm_msgq_unpop(struct pfm_context *ctx, const union pfarg_msg *msg)
{
	struct pfm_msgq *q = &ctx->msgq;

	lockdep_assert_held(&ctx->lock);
	if (q->count == PFM_MSGQ_LEN)
		return;
	q->head = (q->head + PFM_MSGQ_LEN - 1) % PFM_MSGQ_LEN;
	q->msgs[q->head] = *msg;
	q->count++;
}

/**
 * pfm_msgq_pending - whether a message waits to be read
 * @ctx: the context
 *
 * Return: true when read() would return a message now.
 */
bool pfm_msgq_pending(struct pfm_context *ctx)
{
	unsigned long flags;
	bool pending;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	pending = ctx->msgq.count;
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	return pending;
}

/**
 * pfm_msgq_add - queue a message, without waking anyone
 * @ctx: the context, locked
 * @msg: the message
 *
 * The caller wakes readers with pfm_msgq_wake() once it dropped the lock.
 *
 * Return: 0, or -ENOSPC when the queue is full (the caller masks
 * monitoring, as perfmon2 does).
 */
int pfm_msgq_add(struct pfm_context *ctx, const union pfarg_msg *msg)
{
	struct pfm_msgq *q = &ctx->msgq;

	lockdep_assert_held(&ctx->lock);
	if (q->count == PFM_MSGQ_LEN)
		return -ENOSPC;
	q->msgs[(q->head + q->count) % PFM_MSGQ_LEN] = *msg;
	q->count++;
	return 0;
}

/**
 * pfm_msgq_wake - wake readers and pollers, send SIGIO
 * @ctx: the context, not locked
 *
 * Callable from any context, including the PMU interrupt.
 */
void pfm_msgq_wake(struct pfm_context *ctx)
{
	wake_up_interruptible(&ctx->msgq_wait);
	kill_fasync(&ctx->async_queue, SIGIO, POLL_IN);
}

/**
 * pfm_msgq_post - queue a message and wake readers, pollers and SIGIO
 * @ctx: the context, not locked
 * @msg: the message
 *
 * Callable from any context, including the PMU interrupt.
 *
 * Return: 0, or -ENOSPC when the queue is full.
 */
int pfm_msgq_post(struct pfm_context *ctx, const union pfarg_msg *msg)
{
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	ret = pfm_msgq_add(ctx, msg);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	if (!ret)
		pfm_msgq_wake(ctx);
	return ret;
}

/**
 * pfm_post_end_msg - tell the controller its thread or CPU is gone
 * @ctx: the context, just unloaded
 *
 * Must not be called with the context lock held.
 */
void pfm_post_end_msg(struct pfm_context *ctx)
{
	union pfarg_msg msg = { .type = PFM_MSG_END };

	pfm_msgq_post(ctx, &msg);
}

/*
 * read() returns one message per call. A buffer too small for a message is
 * refused rather than given a truncated one.
 */
ssize_t pfm_read(struct file *file, char __user *buf, size_t size,
		 loff_t *ppos)
{
	struct pfm_context *ctx = file->private_data;
	union pfarg_msg msg;
	bool got;
	int ret;

	if (size < sizeof(msg))
		return -EINVAL;

	for (;;) {
		raw_spin_lock_irq(&ctx->lock);
		got = pfm_msgq_pop(ctx, &msg);
		raw_spin_unlock_irq(&ctx->lock);
		if (got)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ctx->msgq_wait,
					       pfm_msgq_pending(ctx));
		if (ret)
			return ret;
	}

	if (copy_to_user(buf, &msg, sizeof(msg))) {
		/* A bad buffer must not cost the caller its message. */
		raw_spin_lock_irq(&ctx->lock);
		pfm_msgq_unpop(ctx, &msg);
		raw_spin_unlock_irq(&ctx->lock);
		return -EFAULT;
	}
	return sizeof(msg);
}

__poll_t pfm_poll(struct file *file, struct poll_table_struct *wait)
{
	struct pfm_context *ctx = file->private_data;

	poll_wait(file, &ctx->msgq_wait, wait);
	return pfm_msgq_pending(ctx) ? EPOLLIN | EPOLLRDNORM : 0;
}

int pfm_fasync(int fd, struct file *file, int on)
{
	struct pfm_context *ctx = file->private_data;

	return fasync_helper(fd, file, on, &ctx->async_queue);
}
