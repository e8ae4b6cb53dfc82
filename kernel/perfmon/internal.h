/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfmon: definitions shared by the files of the generic core.
 *
 * Lock order (outermost first):
 *   pfm_context.mutex	serializes the calls made on one context fd
 *   pfm_pmu_lock		(mutex, pmu.c)
 *   pfm_context.lock	(raw spinlock, IRQ-safe; taken inside the scheduler
 *			 with the runqueue lock held, so never wake anything
 *			 up while holding it)
 *   pfm_sessions_lock	(spinlock, attach.c)
 *
 * Who touches the PMU: only the CPU that owns it, with interrupts off.
 * A per-thread context is live on the CPU its thread runs on; a
 * system-wide context on its CPU, reached by IPI from the controller.
 */
#ifndef _KERNEL_PERFMON_INTERNAL_H
#define _KERNEL_PERFMON_INTERNAL_H

#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/perfmon.h>
#include <linux/perfmon_rm.h>
#include <linux/perfmon_smpl.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/task_work.h>
#include <linux/wait.h>

/* Context states, as in perfmon2. "Started" is a flag, not a state. */
enum pfm_ctx_state {
	PFM_CTX_UNLOADED	= 1,
	PFM_CTX_LOADED		= 2,
	PFM_CTX_MASKED		= 3,
	PFM_CTX_ZOMBIE		= 4,
};

/* The calls that act on a context, for pfm_check_state(). */
enum pfm_call {
	PFM_CALL_WRITE_PMCS,
	PFM_CALL_WRITE_PMDS,
	PFM_CALL_READ_PMDS,
	PFM_CALL_LOAD,
	PFM_CALL_START,
	PFM_CALL_STOP,
	PFM_CALL_RESTART,
	PFM_CALL_UNLOAD,
	PFM_CALL_CREATE_SETS,
	PFM_CALL_GETINFO_SETS,
	PFM_CALL_DELETE_SETS,
	PFM_NR_CALLS,
};

/* Every ctx_flags bit this kernel knows. */
#define PFM_FL_ALL	(PFM_FL_NOTIFY_BLOCK | PFM_FL_SYSTEM_WIDE | \
			 PFM_FL_OVFL_NO_MSG | PFM_FL_FD_CLOEXEC)

/*
 * Largest vector accepted by the vector calls, in bytes: room for every
 * PMD of a few event sets, small enough for one kmalloc.
 */
#define PFM_MAX_VEC_BYTES	(64 * 1024)

/* Largest argument of a sampling format, in bytes. */
#define PFM_FMT_ARG_MAX		4096

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
 * struct pfm_pmd - software image of one PMD
 * @value: the 64-bit virtual value; while the context is live in a PMU
 *	(pfm_context.hw_live) only its bits above the counter width are
 *	current, the PMU holds the rest.
 * @long_reset: reset value after pfm_restart() and at start.
 * @short_reset: reset value after an overflow handled in the kernel.
 * @last_reset: last value used in a reset.
 * @ovfl_switch_cnt: overflows before an overflow-triggered set switch.
 * @ovfl_switch_left: overflows left before that switch, reloaded each
 *	time the set becomes active.
 * @reset_pmds: PMDs reset with this one.
 * @smpl_pmds: PMDs recorded in a sample when this one overflows.
 * @eventid: opaque identifier for samples.
 * @random_mask: randomization of the reset value.
 * @flags: PFM_REGFL_* input flags.
 */
struct pfm_pmd {
	u64	value;
	u64	long_reset;
	u64	short_reset;
	u64	last_reset;
	u64	ovfl_switch_cnt;
	u64	ovfl_switch_left;
	u64	reset_pmds[PFM_PMD_BV];
	u64	smpl_pmds[PFM_PMD_BV];
	u64	eventid;
	u64	random_mask;
	u32	flags;
};

/* Every set_flags bit this kernel knows. */
#define PFM_SETFL_ALL	(PFM_SETFL_OVFL_SWITCH | PFM_SETFL_TIME_SWITCH | \
			 PFM_SETFL_EXCL_IDLE)

/* Event sets per context, set 0 included. */
#define PFM_MAX_SETS		256

/* Shortest switch timeout: a switch costs microseconds, and must not be
 * all the CPU does.
 */
#define PFM_SET_MIN_TIMEOUT_NS	(100 * NSEC_PER_USEC)

/**
 * struct pfm_event_set - one event set: a full register image
 * @list: in pfm_context.sets, by increasing @id.
 * @id: the set's number, 0 for the set every context has.
 * @flags: PFM_SETFL_* flags.
 * @timeout: effective switch timeout in ns (PFM_SETFL_TIME_SWITCH).
 * @remaining: ns left of the current activation's timeout while it is
 *	paused (the thread is off the CPU or monitoring is stopped).
 * @runs: times the set was made active.
 * @duration: ns the set has counted, the current stretch excepted.
 * @since: local_clock() when the current counting stretch began.
 * @counting: a counting stretch is open (between pfm_hw_start() and
 *	pfm_hw_stop() of the active set).
 * @used_pmcs: PMCs written in the set.
 * @used_pmds: PMDs written in the set, or controlled by a used PMC.
 * @ovfl_pmds: the PMDs of the set that overflowed last.
 * @pmcs: PMC values, indexed by PMC number.
 * @pmds: PMD images, indexed by PMD number.
 */
struct pfm_event_set {
	struct list_head	list;
	u16			id;
	u32			flags;
	u64			timeout;
	u64			remaining;
	u64			runs;
	u64			duration;
	u64			since;
	bool			counting;
	DECLARE_BITMAP(used_pmcs, PFM_MAX_PMCS);
	DECLARE_BITMAP(used_pmds, PFM_MAX_PMDS);
	DECLARE_BITMAP(ovfl_pmds, PFM_MAX_PMDS);
	u64			*pmcs;
	struct pfm_pmd		*pmds;
};

/**
 * struct pfm_context - one perfmon context, the private data of its fd
 * @refs: one for the fd (or the zombie work that replaces it), one while
 *	loaded; the last put frees the context.
 * @mutex: serializes the calls made on the context's fd.
 * @lock: protects everything below that the scheduler hooks, IPIs and the
 *	PMU interrupt touch: @state, @started, @task, @cpu, @hw_live,
 *	@dirty, @last_cpu, @pmcs, @pmds, @msgq.
 * @state: a PFM_CTX_* state.
 * @flags: PFM_FL_* flags given at creation.
 * @started: monitoring is active (pfm_start() without pfm_stop()).
 * @hw_live: the PMU of @last_cpu holds newer PMD values than @pmds.
 * @dirty: the image changed since it was last loaded into a PMU.
 * @last_cpu: CPU whose PMU last received the image, -1 for none.
 * @task: the monitored thread while loaded per-thread (a reference).
 * @cpu: the monitored CPU while loaded system-wide.
 * @pmu: the PMU description the context was created for; holds a
 *	reference taken with pfm_pmu_get().
 * @ovfl_mask: bits of a PMD held by the hardware counter.
 * @sets: the event sets, by increasing id; set 0 always exists.
 * @nr_sets: how many.
 * @active: the set the PMU holds (or receives) when the context is live;
 *	the four fields below are its registers, for the code that works
 *	on the active set only.
 * @used_pmcs: @active's used_pmcs.
 * @used_pmds: @active's used_pmds.
 * @pmcs: @active's PMC values.
 * @pmds: @active's PMD images.
 * @switch_pending: an overflow asked for a set switch while masking; it
 *	happens at pfm_restart().
 * @in_switch: a set switch is handling the outgoing set's overflows.
 * @idle_paused: a system-wide set with PFM_SETFL_EXCL_IDLE stopped
 *	counting while its CPU idles.
 * @msgq: notification messages waiting for read().
 * @msgq_wait: readers and pollers waiting for a message.
 * @async_queue: SIGIO subscribers (fcntl O_ASYNC).
 * @zombie_work: frees a context whose fd was closed while it monitored
 *	another thread, run by that thread.
 * @ovfl_pmds: PMDs whose overflow masked the context, reset with their
 *	long reset values by pfm_restart().
 * @can_restart: notifications not yet answered by pfm_restart().
 * @block_pending: the monitored thread waits (PFM_FL_NOTIFY_BLOCK), or
 *	will on its way to user mode, until pfm_restart().
 * @block_work: makes the monitored thread wait.
 * @restart_wait: where it waits.
 * @smpl_fmt: the sampling format, or NULL; holds a module reference.
 * @smpl_buf: the format's buffer (vmalloc_user()), or NULL.
 * @smpl_size: its size in bytes, a multiple of PAGE_SIZE.
 * @smpl_values: room for the sampled PMD values of one overflow.
 * @smpl_mm: the mm whose locked_vm pays for the buffer (a reference).
 * @wake_work: wakes readers for an overflow handled where that cannot be
 *	done (inside the scheduler).
 * @pid_ns: the creator's pid namespace, in which messages and samples
 *	give thread and process ids (a reference).
 * @kernel_ip_ok: the creator may count at kernel level, so samples and
 *	messages may carry kernel addresses.
 * @rcu: the scheduler hooks may still look at a context being freed.
 */
struct pfm_context {
	refcount_t			refs;
	/* serializes the calls made on the fd */
	struct mutex			mutex;
	/* protects the state shared with hooks and IPIs, see above */
	raw_spinlock_t			lock;
	enum pfm_ctx_state		state;
	u32				flags;
	bool				started;
	bool				hw_live;
	bool				dirty;
	int				last_cpu;
	struct task_struct		*task;
	int				cpu;
	const struct pfm_pmu_desc	*pmu;
	u64				ovfl_mask;
	struct list_head		sets;
	unsigned int			nr_sets;
	struct pfm_event_set		*active;
	unsigned long			*used_pmcs;
	unsigned long			*used_pmds;
	u64				*pmcs;
	struct pfm_pmd			*pmds;
	bool				switch_pending;
	bool				in_switch;
	bool				idle_paused;
	struct pfm_msgq			msgq;
	wait_queue_head_t		msgq_wait;
	struct fasync_struct		*async_queue;
	struct callback_head		zombie_work;
	DECLARE_BITMAP(ovfl_pmds, PFM_MAX_PMDS);
	unsigned int			can_restart;
	bool				block_pending;
	struct callback_head		block_work;
	wait_queue_head_t		restart_wait;
	const struct pfm_smpl_fmt	*smpl_fmt;
	void				*smpl_buf;
	size_t				smpl_size;
	u64				*smpl_values;
	struct mm_struct		*smpl_mm;
	struct irq_work			wake_work;
	struct pid_namespace		*pid_ns;
	bool				kernel_ip_ok;
	struct rcu_head			rcu;
};

static inline bool pfm_ctx_is_syswide(const struct pfm_context *ctx)
{
	return ctx->flags & PFM_FL_SYSTEM_WIDE;
}

/* Attached to a thread or CPU, counting or masked by an overflow. */
static inline bool pfm_ctx_loaded(const struct pfm_context *ctx)
{
	return ctx->state == PFM_CTX_LOADED || ctx->state == PFM_CTX_MASKED;
}

/*
 * Whether pfm_on_ctx_cpu() sends the work to the context's CPU: only a
 * loaded system-wide context is used anywhere else than here.
 */
static __always_inline bool pfm_ctx_needs_ipi(const struct pfm_context *ctx)
{
	return pfm_ctx_is_syswide(ctx) && pfm_ctx_loaded(ctx);
}

/**
 * struct pfm_cpu - perfmon state of one CPU
 * @owner: the context whose registers the PMU holds, or NULL. It may be
 *	stale (left for a lazy restore), so only compare it.
 * @live: the context live in this PMU (pfm_context.hw_live), or NULL; a
 *	context is never freed while live, so the PMU interrupt may use it.
 * @syswide: the system-wide context loaded on this CPU, or NULL.
 * @reg_accesses: PMU register reads and writes done by perfmon here.
 * @in_sched: a scheduler hook is running here, in the middle of a switch.
 */
struct pfm_cpu {
	struct pfm_context	*owner;
	struct pfm_context	*live;
	struct pfm_context	*syswide;
	u64			reg_accesses;
	bool			in_sched;
};

DECLARE_PER_CPU(struct pfm_cpu, pfm_cpu);

/*
 * With a single possible CPU a thread always resumes where its registers
 * are, so switch-out need not save them: the next context to load saves
 * them instead (perfmon2's lazy save on UP).
 */
static inline bool pfm_lazy_save(void)
{
	return nr_cpu_ids == 1;
}

/* Whether this CPU's PMU holds the context's live registers. */
static inline bool pfm_hw_holds(struct pfm_context *ctx)
{
	return ctx->hw_live && ctx->last_cpu == smp_processor_id() &&
	       this_cpu_read(pfm_cpu.owner) == ctx;
}

/*
 * Register bitmaps have room for PFM_MAX_PMDS bits, yet most PMUs use one
 * word of them. The helpers below touch only the words a PMU uses, and
 * stay inline for one-word PMUs, where the generic bitmap functions would
 * be calls with a run-time length. Bits past @n are kept clear.
 */
static __always_inline unsigned int pfm_next_bit(const unsigned long *map,
						 unsigned int n,
						 unsigned int from)
{
	unsigned long word;

	if (n > BITS_PER_LONG)
		return find_next_bit(map, n, from);
	if (from >= n)
		return n;
	word = map[0] & BITMAP_LAST_WORD_MASK(n) & (~0UL << from);
	return word ? __ffs(word) : n;
}

static __always_inline void pfm_bits_zero(unsigned long *dst, unsigned int n)
{
	unsigned int w;

	for (w = 0; w < BITS_TO_LONGS(n); w++)
		dst[w] = 0;
}

static __always_inline void pfm_bits_copy(unsigned long *dst,
					  const unsigned long *src,
					  unsigned int n)
{
	unsigned int w;

	for (w = 0; w < BITS_TO_LONGS(n); w++)
		dst[w] = src[w];
}

static __always_inline void pfm_bits_or(unsigned long *dst,
					const unsigned long *src,
					unsigned int n)
{
	unsigned int w;

	for (w = 0; w < BITS_TO_LONGS(n); w++)
		dst[w] |= src[w];
}

static __always_inline void pfm_bits_and(unsigned long *dst,
					 const unsigned long *src,
					 unsigned int n)
{
	unsigned int w;

	for (w = 0; w < BITS_TO_LONGS(n); w++)
		dst[w] &= src[w];
}

static __always_inline bool pfm_bits_empty(const unsigned long *map,
					   unsigned int n)
{
	unsigned int w;

	for (w = 0; w < BITS_TO_LONGS(n); w++)
		if (map[w])
			return false;
	return true;
}

/* Reserved fields of user arguments must be zero. */
static inline bool pfm_all_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* args.c: checks of user arguments that need no context */
int pfm_check_ctx_arg(const struct pfarg_ctx *req);
int pfm_check_vec_count(int count, size_t elem_size);
int pfm_check_load_arg(const struct pfarg_load *req);
int pfm_check_start_arg(const struct pfarg_start *req);

/* state.c: which call is allowed in which state */
int pfm_check_state(enum pfm_call call, enum pfm_ctx_state state);

/* perm.c: who may do what */
bool pfm_may_monitor(void);
bool pfm_may_system_wide(void);
bool pfm_may_count_kernel(void);

/* context.c: context lifetime and the fd */
extern const struct file_operations pfm_context_fops;
extern atomic_long_t pfm_nr_contexts;
int pfm_context_create(const struct pfarg_ctx *req,
		       const struct pfm_smpl_fmt *fmt, const void *fmt_arg);
void pfm_context_get(struct pfm_context *ctx);
void pfm_context_put(struct pfm_context *ctx);

/* notify.c: notification messages, read(), poll(), SIGIO */
bool pfm_msgq_pending(struct pfm_context *ctx);
int pfm_msgq_post(struct pfm_context *ctx, const union pfarg_msg *msg);
int pfm_msgq_add(struct pfm_context *ctx, const union pfarg_msg *msg);
void pfm_msgq_wake(struct pfm_context *ctx);
void pfm_post_end_msg(struct pfm_context *ctx);
ssize_t pfm_read(struct file *file, char __user *buf, size_t size,
		 loff_t *ppos);
__poll_t pfm_poll(struct file *file, struct poll_table_struct *wait);
int pfm_fasync(int fd, struct file *file, int on);

/* regs.c: the register image and the PMU */

/**
 * pfm_pmd_fold - combine a PMD image with the hardware counter
 * @image: 64-bit value whose low bits are the counter at its last load
 * @hw: the counter read from the PMU
 * @ovfl_mask: bits the hardware counter holds
 *
 * The counter only moves forward, so a hardware value below the image's
 * low bits means it wrapped once since the image was taken: the core
 * reads or saves it before a second wrap can happen.
 *
 * Return: the 64-bit value.
 */
static inline u64 pfm_pmd_fold(u64 image, u64 hw, u64 ovfl_mask)
{
	u64 value = (image & ~ovfl_mask) | (hw & ovfl_mask);

	if ((hw & ovfl_mask) < (image & ovfl_mask))
		value += ovfl_mask + 1;
	return value;
}

/**
 * pfm_pmd_value - the value user space sees for a live PMD
 * @image: the PMD image
 * @hw: the counter read from the PMU
 * @ovfl_mask: bits the hardware counter holds
 * @no_emul64: PFM_REGFL_NO_EMUL64 was asked for: the counter wraps at its
 *	hardware width
 *
 * Return: the value.
 */
static inline u64 pfm_pmd_value(u64 image, u64 hw, u64 ovfl_mask,
				bool no_emul64)
{
	if (no_emul64)
		return hw & ovfl_mask;
	return pfm_pmd_fold(image, hw, ovfl_mask);
}

/*
 * Account @n PMU register reads and writes made on this CPU. Registers
 * are only accessed with interrupts off, so the plain per-CPU add is
 * enough.
 */
static __always_inline void pfm_count_accesses(unsigned int n)
{
	lockdep_assert_irqs_disabled();
	__this_cpu_add(pfm_cpu.reg_accesses, n);
}

/*
 * The current 64-bit value of PMD @idx of a context this CPU's PMU holds
 * (pfm_hw_holds()), for callers that read several PMDs and account the
 * accesses at once with pfm_count_accesses(). pfm_hw_read_pmd() is the
 * one for everybody else.
 */
static __always_inline u64 __pfm_hw_read_pmd(struct pfm_context *ctx,
					     unsigned int idx)
{
	const struct pfm_pmu_desc *pmu = ctx->pmu;
	const struct pfm_pmd *pmd;
	u64 hw;

	hw = pmu->ops->read_pmd(pmu, idx);
	pmd = &ctx->pmds[idx];
	return pfm_pmd_value(pmd->value, hw, ctx->ovfl_mask,
			     pmd->flags & PFM_REGFL_NO_EMUL64);
}

void pfm_hw_set_live(struct pfm_context *ctx);
void pfm_hw_clear_live(struct pfm_context *ctx);
void pfm_hw_load(struct pfm_context *ctx);
void pfm_hw_save(struct pfm_context *ctx);
bool pfm_hw_save_pmds(struct pfm_context *ctx, unsigned long *wrapped);
void pfm_hw_start(struct pfm_context *ctx);
void pfm_hw_stop(struct pfm_context *ctx);
u64 pfm_hw_read_pmd(struct pfm_context *ctx, unsigned int idx);
void pfm_hw_write_pmc(struct pfm_context *ctx, unsigned int idx);
void pfm_hw_write_pmd(struct pfm_context *ctx, unsigned int idx);

/* overflow.c: overflows, resets, blocking notification */
u64 pfm_reset_value(u64 reset, u64 random_mask, u64 random);
void pfm_reset_pmd(struct pfm_context *ctx, unsigned int idx, bool long_reset);
void pfm_reset_pmds(struct pfm_context *ctx, const unsigned long *ovfl,
		    bool long_reset);
void pfm_unblock(struct pfm_context *ctx);
void pfm_ovfl_catch_up(struct pfm_context *ctx, const unsigned long *ovfl);
void pfm_wake_work(struct irq_work *work);

/* smpl_fmt.c: the registry of sampling formats */
const struct pfm_smpl_fmt *pfm_fmt_get(const char *name);
void pfm_fmt_put(const struct pfm_smpl_fmt *fmt);

/* smpl_buf.c: a context's sampling format and buffer */
int pfm_smpl_setup(struct pfm_context *ctx, const struct pfm_smpl_fmt *fmt,
		   const void *arg);
void pfm_smpl_release(struct pfm_context *ctx);
int pfm_smpl_mmap(struct pfm_context *ctx, struct vm_area_struct *vma);
extern atomic_long_t pfm_smpl_mem_cur;
extern unsigned long pfm_smpl_mem_max;

/* ctxsw.c: the scheduler hooks */
bool pfm_excl_idle(struct pfm_context *ctx, struct task_struct *next);

/* sets.c: event sets and switching between them */
int pfm_sets_init(struct pfm_context *ctx);
void pfm_sets_free(struct pfm_context *ctx);
struct pfm_event_set *pfm_find_set(struct pfm_context *ctx, u16 id);
void pfm_set_point(struct pfm_context *ctx, struct pfm_event_set *set);
void pfm_set_activate(struct pfm_context *ctx, struct pfm_event_set *set);
void pfm_switch_set(struct pfm_context *ctx, struct pfm_event_set *next);
void pfm_switch_next(struct pfm_context *ctx);
void __pfm_set_counting_start(struct pfm_context *ctx);
void __pfm_set_counting_stop(struct pfm_context *ctx);
bool pfm_set_ovfl_switch(struct pfm_context *ctx, const unsigned long *ovfl);
int pfm_create_evtsets(struct pfm_context *ctx, struct pfarg_setdesc *req,
		       int count);
int pfm_delete_evtsets(struct pfm_context *ctx, struct pfarg_setdesc *req,
		       int count);
int pfm_getinfo_evtsets(struct pfm_context *ctx, struct pfarg_setinfo *req,
			int count);

/*
 * The active set starts or stops counting. With one set there is nothing
 * to switch to, nor to scale, so a context switch pays one store.
 */
static inline void pfm_set_counting_start(struct pfm_context *ctx)
{
	if (ctx->nr_sets == 1)
		ctx->active->counting = true;
	else
		__pfm_set_counting_start(ctx);
}

static inline void pfm_set_counting_stop(struct pfm_context *ctx)
{
	if (ctx->nr_sets == 1)
		ctx->active->counting = false;
	else
		__pfm_set_counting_stop(ctx);
}

/* rw.c: pfm_write_pmcs(), pfm_write_pmds(), pfm_read_pmds() */
int pfm_write_pmcs(struct pfm_context *ctx, struct pfarg_pmc *req,
		   int count);
int pfm_write_pmds(struct pfm_context *ctx, struct pfarg_pmd *req,
		   int count);
int pfm_read_pmds(struct pfm_context *ctx, struct pfarg_pmd *req, int count);

/* attach.c: load, unload, sessions, exit, zombies, CPU hotplug */
int pfm_load(struct pfm_context *ctx, const struct pfarg_load *req);
int pfm_unload(struct pfm_context *ctx);
int pfm_check_target(struct pfm_context *ctx);
void pfm_release_ctx(struct pfm_context *ctx);
int pfm_on_ctx_cpu(struct pfm_context *ctx, void (*fn)(void *), void *arg);
unsigned int pfm_task_sessions(void);
unsigned int pfm_sys_sessions(void);

/* activate.c: pfm_start(), pfm_stop(), pfm_restart() */
int pfm_start(struct pfm_context *ctx, const struct pfarg_start *req);
int pfm_stop(struct pfm_context *ctx);
int pfm_restart(struct pfm_context *ctx);

/* pmu_rm.c: the PMU resource manager, see <linux/perfmon_rm.h> */
const char *pfm_rm_owner_name(enum pfm_rm_user user);

/* pmu.c: the registration table; perfmon.pmu= */
#define PFM_PMU_CHOICE_LEN	16
extern char pfm_pmu_choice[PFM_PMU_CHOICE_LEN];
int pfm_pmu_validate(const struct pfm_pmu_desc *pmu);
const struct pfm_pmu_desc *pfm_pmu_get(void);
void pfm_pmu_put(const struct pfm_pmu_desc *pmu);
const struct pfm_pmu_desc *pfm_pmu_active(void);

/* sysfs.c: /sys/kernel/perfmon */
int pfm_sysfs_add_pmu(const struct pfm_pmu_desc *pmu);
void pfm_sysfs_remove_pmu(void);
int pfm_sysfs_add_fmt(struct pfm_smpl_fmt *fmt);
void pfm_sysfs_remove_fmt(struct pfm_smpl_fmt *fmt);

/* pmu_sw.c: the software PMU description, fallback on every machine */
extern const struct pfm_pmu_desc pfm_sw_pmu;

#endif /* _KERNEL_PERFMON_INTERNAL_H */
