/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfmon: definitions shared by the files of the generic core.
 *
 * Lock order (outermost first):
 *   pfm_pmu_lock (mutex, pmu.c)
 *   pfm_context.lock (spinlock, IRQ-safe)
 */
#ifndef _KERNEL_PERFMON_INTERNAL_H
#define _KERNEL_PERFMON_INTERNAL_H

#include <linux/fs.h>
#include <linux/perfmon.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

/* Context states, as in perfmon2. "Started" is a flag, not a state. */
enum pfm_ctx_state {
	PFM_CTX_UNLOADED	= 1,
	PFM_CTX_LOADED		= 2,
	PFM_CTX_MASKED		= 3,
	PFM_CTX_ZOMBIE		= 4,
};

/* Every ctx_flags bit this kernel knows. */
#define PFM_FL_ALL	(PFM_FL_NOTIFY_BLOCK | PFM_FL_SYSTEM_WIDE | \
			 PFM_FL_OVFL_NO_MSG | PFM_FL_FD_CLOEXEC)

/*
 * Largest vector accepted by the vector calls, in bytes: room for every
 * PMD of a few event sets, small enough for one kmalloc.
 */
#define PFM_MAX_VEC_BYTES	(64 * 1024)

/* Pending notification messages per context, as in perfmon2. */
#define PFM_MSGQ_LEN		8

/**
 * struct pfm_msgq - ring of pending notification messages
 * @msgs: the messages.
 * @head: index of the oldest message.
 * @count: number of pending messages.
 */
struct pfm_msgq {
	union pfarg_msg	msgs[PFM_MSGQ_LEN];
	unsigned int	head;
	unsigned int	count;
};

/**
 * struct pfm_context - one perfmon context, the private data of its fd
 * @lock: protects @state, @msgq; taken from the PMU interrupt, so IRQ-safe.
 * @state: a PFM_CTX_* state.
 * @flags: PFM_FL_* flags given at creation.
 * @pmu: the PMU description the context was created for; holds a reference
 *	taken with pfm_pmu_get().
 * @msgq: notification messages waiting for read().
 * @msgq_wait: readers and pollers waiting for a message.
 * @async_queue: SIGIO subscribers (fcntl O_ASYNC).
 */
struct pfm_context {
	/* protects state and msgq; IRQ-safe */
	spinlock_t			lock;
	enum pfm_ctx_state		state;
	u32				flags;
	const struct pfm_pmu_desc	*pmu;
	struct pfm_msgq			msgq;
	wait_queue_head_t		msgq_wait;
	struct fasync_struct		*async_queue;
};

/* args.c: checks of user arguments that need no context */
int pfm_check_ctx_arg(const struct pfarg_ctx *req);
int pfm_check_vec_count(int count, size_t elem_size);
int pfm_check_load_arg(const struct pfarg_load *req);
int pfm_check_start_arg(const struct pfarg_start *req);

/* context.c: context lifetime and the fd */
extern const struct file_operations pfm_context_fops;
int pfm_context_create(const struct pfarg_ctx *req);

/* notify.c: notification messages, read(), poll(), SIGIO */
bool pfm_msgq_pending(struct pfm_context *ctx);
int pfm_msgq_post(struct pfm_context *ctx, const union pfarg_msg *msg);
ssize_t pfm_read(struct file *file, char __user *buf, size_t size,
		 loff_t *ppos);
__poll_t pfm_poll(struct file *file, struct poll_table_struct *wait);
int pfm_fasync(int fd, struct file *file, int on);

/* pmu.c: the registration table */
int pfm_pmu_validate(const struct pfm_pmu_desc *pmu);
const struct pfm_pmu_desc *pfm_pmu_get(void);
void pfm_pmu_put(const struct pfm_pmu_desc *pmu);
const struct pfm_pmu_desc *pfm_pmu_active(void);

/* sysfs.c: /sys/kernel/perfmon */
int pfm_sysfs_add_pmu(const struct pfm_pmu_desc *pmu);
void pfm_sysfs_remove_pmu(void);

/* pmu_sw.c: the software PMU description, fallback on every machine */
extern const struct pfm_pmu_desc pfm_sw_pmu;

#endif /* _KERNEL_PERFMON_INTERNAL_H */
