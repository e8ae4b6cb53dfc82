// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: attaching contexts to threads and CPUs.
 *
 * A per-thread context is attached through task_struct.pfm_ctx and goes
 * with its thread through the scheduler hooks (ctxsw.c). A system-wide
 * context is attached to one CPU, whose PMU it owns; calls reach it by IPI
 * so the controlling thread may run anywhere. As in perfmon2, per-thread
 * and system-wide sessions exclude each other machine-wide.
 *
 * A context detaches when it is unloaded, when its thread exits (the
 * controller then gets PFM_MSG_END), when its CPU goes offline, or, after
 * its fd was closed while it monitored another running thread (ZOMBIE),
 * when that thread next returns to user mode or exits.
 */
#define pr_fmt(fmt) "perfmon: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/init.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/smp.h>

#include "internal.h"

/* Protects the session counts and pfm_sys_cpus. */
static DEFINE_SPINLOCK(pfm_sessions_lock);
static unsigned int pfm_task_sessions_nr;
static unsigned int pfm_sys_sessions_nr;
static struct cpumask pfm_sys_cpus;

static int pfm_session_count(struct pfm_context *ctx, int cpu)
{
	int ret = -EBUSY;

	spin_lock(&pfm_sessions_lock);
	if (pfm_ctx_is_syswide(ctx)) {
		if (pfm_task_sessions_nr || cpumask_test_cpu(cpu, &pfm_sys_cpus))
			goto out_unlock;
		cpumask_set_cpu(cpu, &pfm_sys_cpus);
		pfm_sys_sessions_nr++;
	} else {
		if (pfm_sys_sessions_nr)
			goto out_unlock;
		pfm_task_sessions_nr++;
	}
	ret = 0;
out_unlock:
	spin_unlock(&pfm_sessions_lock);
	return ret;
}

static void pfm_session_uncount(struct pfm_context *ctx, int cpu)
{
	spin_lock(&pfm_sessions_lock);
	if (pfm_ctx_is_syswide(ctx)) {
		cpumask_clear_cpu(cpu, &pfm_sys_cpus);
		pfm_sys_sessions_nr--;
	} else {
		pfm_task_sessions_nr--;
	}
	spin_unlock(&pfm_sessions_lock);
}

/* A context on the hardware PMU also takes it from perf_events. */
static bool pfm_session_needs_pmu(struct pfm_context *ctx)
{
	return ctx->pmu->flags & PFM_PMU_FL_SHARED_HW;
}

/*
 * A session is one loaded context: it takes its place among the sessions
 * and, on a hardware PMU, the PMU itself from the resource manager.
 */
static int pfm_session_acquire(struct pfm_context *ctx, int cpu)
{
	int ret;

	if (pfm_session_needs_pmu(ctx)) {
		ret = pfm_rm_acquire(PFM_RM_PERFMON);
		if (ret)
			return ret;
	}
	ret = pfm_session_count(ctx, cpu);
	if (ret && pfm_session_needs_pmu(ctx))
		pfm_rm_release(PFM_RM_PERFMON);
	return ret;
}

static void pfm_session_release(struct pfm_context *ctx, int cpu)
{
	pfm_session_uncount(ctx, cpu);
	if (pfm_session_needs_pmu(ctx))
		pfm_rm_release(PFM_RM_PERFMON);
}

unsigned int pfm_task_sessions(void)
{
	return READ_ONCE(pfm_task_sessions_nr);
}

unsigned int pfm_sys_sessions(void)
{
	return READ_ONCE(pfm_sys_sessions_nr);
}

/**
 * pfm_on_ctx_cpu - run a function where the PMU holds a context
 * @ctx: the context, its mutex held
 * @fn: the function; it takes the context lock with interrupts disabled
 * @arg: its argument
 *
 * A loaded system-wide context is reached by IPI; anything else runs here.
 * When the CPU went offline meanwhile, its context was unloaded, so the
 * function runs here on the saved image.
 *
 * Return: 0 once @fn ran.
 */
int pfm_on_ctx_cpu(struct pfm_context *ctx, void (*fn)(void *), void *arg)
{
	if (pfm_ctx_needs_ipi(ctx) &&
	    smp_call_function_single(ctx->cpu, fn, arg, 1) != -ENXIO)
		return 0;
	fn(arg);
	return 0;
}

/*
 * perfmon2's rule for operating on another thread's context: the caller
 * ptrace-attached it and it is stopped, so it cannot run meanwhile.
 */
static bool pfm_task_stopped_by_current(struct task_struct *task)
{
	bool traced;

	rcu_read_lock();
	traced = task->ptrace && rcu_dereference(task->parent) == current &&
		 task_is_traced(task);
	rcu_read_unlock();
	/* Stopped, and off its CPU so its switch-out hook has run. */
	return traced && wait_task_inactive(task, __TASK_TRACED);
}

/**
 * pfm_check_target - may the caller operate on the context now
 * @ctx: the context, its mutex held
 *
 * Return: 0, or -ESRCH when the context monitors another thread that the
 * caller has not ptrace-stopped.
 */
int pfm_check_target(struct pfm_context *ctx)
{
	struct task_struct *task = READ_ONCE(ctx->task);

	if (!pfm_ctx_loaded(ctx) || pfm_ctx_is_syswide(ctx) ||
	    task == current)
		return 0;
	return pfm_task_stopped_by_current(task) ? 0 : -ESRCH;
}

static struct task_struct *pfm_find_task(pid_t tid)
{
	struct task_struct *task;

	rcu_read_lock();
	task = find_task_by_vpid(tid);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	return task;
}

static int pfm_may_attach_task(struct pfm_context *ctx,
			       struct task_struct *task)
{
	if (task->flags & PF_KTHREAD)
		return -EPERM;
	if (task == current)
		return ctx->flags & PFM_FL_NOTIFY_BLOCK ? -EINVAL : 0;
	if (!ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS))
		return -EPERM;
	return pfm_task_stopped_by_current(task) ? 0 : -ESRCH;
}

/* Stop counting here and take the values out of the PMU. */
static void pfm_hw_detach(struct pfm_context *ctx)
{
	lockdep_assert_held(&ctx->lock);
	if (ctx->hw_live && ctx->last_cpu == smp_processor_id()) {
		if (ctx->started)
			pfm_hw_stop(ctx);
		pfm_hw_save(ctx);
	}
	if (this_cpu_read(pfm_cpu.owner) == ctx)
		this_cpu_write(pfm_cpu.owner, NULL);
	pfm_hw_clear_live(ctx);
	ctx->dirty = true;
	ctx->last_cpu = -1;
	ctx->started = false;
}

static int pfm_load_task(struct pfm_context *ctx, pid_t tid)
{
	struct task_struct *task;
	unsigned long flags;
	int ret;

	task = pfm_find_task(tid);
	if (!task)
		return -ESRCH;
	ret = pfm_may_attach_task(ctx, task);
	if (ret)
		goto out_put_task;
	/* Checked again, atomically, when attaching. */
	if (READ_ONCE(task->pfm_ctx)) {
		ret = -EEXIST;
		goto out_put_task;
	}
	ret = pfm_session_acquire(ctx, -1);
	if (ret)
		goto out_put_task;

	/* Hooks first: from here on an exiting thread looks for a context. */
	static_branch_inc(&pfm_hooks_key);
	if (cmpxchg(&task->pfm_ctx, NULL, ctx)) {
		ret = -EEXIST;
		goto out_disable_hooks;
	}
	/* Pairs with the barrier in __pfm_exit_task(). */
	smp_mb();
	if (task->flags & PF_EXITING) {
		ret = -ESRCH;
		goto out_detach;
	}

	pfm_context_get(ctx);
	raw_spin_lock_irqsave(&ctx->lock, flags);
	ctx->task = task;
	ctx->state = PFM_CTX_LOADED;
	ctx->dirty = true;
	if (task == current)
		pfm_hw_load(ctx);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	return 0;

out_detach:
	WRITE_ONCE(task->pfm_ctx, NULL);
out_disable_hooks:
	static_branch_dec(&pfm_hooks_key);
	pfm_session_release(ctx, -1);
out_put_task:
	put_task_struct(task);
	return ret;
}

static void pfm_load_cpu_here(void *data)
{
	struct pfm_context *ctx = data;
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	this_cpu_write(pfm_cpu.syswide, ctx);
	ctx->state = PFM_CTX_LOADED;
	pfm_hw_load(ctx);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
}

static int pfm_load_cpu(struct pfm_context *ctx, u32 cpu)
{
	int ret;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	ret = pfm_session_acquire(ctx, cpu);
	if (ret)
		return ret;
	static_branch_inc(&pfm_hooks_key);
	pfm_context_get(ctx);
	ctx->cpu = cpu;
	ret = smp_call_function_single(cpu, pfm_load_cpu_here, ctx, 1);
	if (ret) {
		pfm_context_put(ctx);
		static_branch_dec(&pfm_hooks_key);
		pfm_session_release(ctx, cpu);
		return -EINVAL;
	}
	return 0;
}

/**
 * pfm_load - attach a context to a thread or a CPU
 * @ctx: the context, unloaded, its mutex held
 * @req: the checked argument of pfm_load_context()
 *
 * Return: 0; -EBUSY on a session conflict;
 * -EINVAL for an unknown set or a bad CPU; -ESRCH, -EPERM, -EEXIST
 * for a thread that cannot be attached.
 */
int pfm_load(struct pfm_context *ctx, const struct pfarg_load *req)
{
	struct pfm_event_set *set = pfm_find_set(ctx, req->load_set);
	unsigned long flags;
	int ret;

	if (!set)
		return -EINVAL;
	/* Nobody can see the unloaded context's registers but us. */
	raw_spin_lock_irqsave(&ctx->lock, flags);
	pfm_set_point(ctx, set);
	ctx->can_restart = 0;
	ctx->switch_pending = false;
	ctx->idle_paused = false;
	bitmap_zero(ctx->ovfl_pmds, PFM_MAX_PMDS);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);

	if (pfm_ctx_is_syswide(ctx))
		ret = pfm_load_cpu(ctx, req->load_pid);
	else if (req->load_pid > PID_MAX_LIMIT)
		ret = -ESRCH;
	else
		ret = pfm_load_task(ctx, req->load_pid);
	if (ret)
		return ret;
	/* The first turn of the first set, counted once the load worked. */
	raw_spin_lock_irqsave(&ctx->lock, flags);
	pfm_set_activate(ctx, ctx->active);
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	return 0;
}

/*
 * Detach a per-thread context from its thread, on the thread's CPU or
 * while the thread cannot run. Returns the thread, whose reference, the
 * session and the context's loaded reference the caller drops with
 * pfm_task_detached().
 */
static struct task_struct *pfm_detach_task(struct pfm_context *ctx,
					   enum pfm_ctx_state new_state)
{
	struct task_struct *task;
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	task = ctx->task;
	if (task) {
		pfm_hw_detach(ctx);
		WRITE_ONCE(task->pfm_ctx, NULL);
		ctx->task = NULL;
	}
	ctx->state = new_state;
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	return task;
}

static void pfm_task_detached(struct pfm_context *ctx,
			      struct task_struct *task)
{
	static_branch_dec(&pfm_hooks_key);
	pfm_session_release(ctx, -1);
	put_task_struct(task);
	pfm_context_put(ctx);
}

/*
 * Runs on the context's CPU, by IPI or from its hotplug teardown, which
 * may race: only the one that finds the context loaded unloads it.
 */
static bool pfm_unload_cpu_locked(struct pfm_context *ctx)
{
	unsigned long flags;
	bool unloaded = false;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	if (pfm_ctx_loaded(ctx)) {
		pfm_hw_detach(ctx);
		this_cpu_write(pfm_cpu.syswide, NULL);
		ctx->state = PFM_CTX_UNLOADED;
		unloaded = true;
	}
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	return unloaded;
}

struct pfm_unload_cpu {
	struct pfm_context	*ctx;
	bool			unloaded;
};

static void pfm_unload_cpu_here(void *data)
{
	struct pfm_unload_cpu *u = data;

	u->unloaded = pfm_unload_cpu_locked(u->ctx);
}

/* Drop what a loaded system-wide context holds, once it is unloaded. */
static void pfm_cpu_unloaded(struct pfm_context *ctx, unsigned int cpu,
			     bool cpuslocked)
{
	if (cpuslocked)
		static_branch_dec_cpuslocked(&pfm_hooks_key);
	else
		static_branch_dec(&pfm_hooks_key);
	pfm_session_release(ctx, cpu);
}

/**
 * pfm_unload - detach a context from its thread or CPU
 * @ctx: the context, its mutex held
 *
 * The counts stay in the context, readable with pfm_read_pmds().
 *
 * Return: 0.
 */
int pfm_unload(struct pfm_context *ctx)
{
	struct pfm_unload_cpu u = { .ctx = ctx };
	struct task_struct *task;

	if (ctx->state == PFM_CTX_UNLOADED)
		return 0;
	if (pfm_ctx_is_syswide(ctx)) {
		/* -ENXIO: the CPU went offline and unloaded it already. */
		if (smp_call_function_single(ctx->cpu, pfm_unload_cpu_here, &u,
					     1) || !u.unloaded)
			return 0;
		pfm_cpu_unloaded(ctx, ctx->cpu, false);
		pfm_context_put(ctx);
		return 0;
	}
	task = pfm_detach_task(ctx, PFM_CTX_UNLOADED);
	if (task)
		pfm_task_detached(ctx, task);
	return 0;
}

/**
 * __pfm_exit_task - the exit hook: a monitored thread is exiting
 * @task: the exiting thread, current
 *
 * Its context is unloaded with the counts kept, and the controller learns
 * it from a PFM_MSG_END message. A thread executing a program that gains
 * privileges (set-user-ID and the like) leaves its context the same way:
 * the counts of a privileged program are not for the old owner to read.
 */
void __pfm_exit_task(struct task_struct *task)
{
	struct pfm_context *ctx;
	struct task_struct *detached;
	bool zombie;

	/* Pairs with the barrier in pfm_load_task(). */
	smp_mb();
	ctx = READ_ONCE(task->pfm_ctx);
	if (!ctx)
		return;

	zombie = READ_ONCE(ctx->state) == PFM_CTX_ZOMBIE;
	detached = pfm_detach_task(ctx, zombie ? PFM_CTX_ZOMBIE :
					       PFM_CTX_UNLOADED);
	if (!detached)
		return;
	/* Nobody reads a zombie's messages; its task work frees it later. */
	if (!zombie)
		pfm_post_end_msg(ctx);
	pfm_task_detached(ctx, detached);
}

static void pfm_zombie_work(struct callback_head *work)
{
	struct pfm_context *ctx = container_of(work, struct pfm_context,
					       zombie_work);
	struct task_struct *task;

	task = pfm_detach_task(ctx, PFM_CTX_ZOMBIE);
	if (task)
		pfm_task_detached(ctx, task);
	/* The reference the fd had, handed over by pfm_release_ctx(). */
	pfm_context_put(ctx);
}

/**
 * pfm_release_ctx - the context's fd is being closed
 * @ctx: the context
 *
 * A context monitoring another thread cannot be taken from that thread's
 * PMU from here; it becomes a zombie that the thread detaches itself, and
 * the fd's reference goes to that work. Anything else is unloaded now.
 */
void pfm_release_ctx(struct pfm_context *ctx)
{
	struct task_struct *task = NULL;
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->lock, flags);
	if (pfm_ctx_loaded(ctx) && !pfm_ctx_is_syswide(ctx) &&
	    ctx->task != current) {
		ctx->state = PFM_CTX_ZOMBIE;
		task = ctx->task;
		get_task_struct(task);
	}
	raw_spin_unlock_irqrestore(&ctx->lock, flags);
	/* A thread waiting for a restart that will never come goes on. */
	pfm_unblock(ctx);

	if (task) {
		init_task_work(&ctx->zombie_work, pfm_zombie_work);
		/* Fails only once the thread is past its exit hook. */
		if (!task_work_add(task, &ctx->zombie_work, TWA_RESUME)) {
			put_task_struct(task);
			return;
		}
		put_task_struct(task);
	}

	mutex_lock(&ctx->mutex);
	pfm_unload(ctx);
	mutex_unlock(&ctx->mutex);
	pfm_context_put(ctx);
}

/*
 * A CPU coming back online had its PMU reset: no context may take its
 * registers for still loaded there.
 */
static int pfm_cpu_online(unsigned int cpu)
{
	per_cpu(pfm_cpu.owner, cpu) = NULL;
	per_cpu(pfm_cpu.live, cpu) = NULL;
	return 0;
}

static int pfm_cpu_offline(unsigned int cpu)
{
	struct pfm_context *ctx;
	unsigned long flags;
	bool unloaded = false;

	/* The context's IPIs run on this CPU: keep them out while we look. */
	local_irq_save(flags);
	ctx = this_cpu_read(pfm_cpu.syswide);
	if (ctx) {
		pfm_context_get(ctx);
		unloaded = pfm_unload_cpu_locked(ctx);
	}
	local_irq_restore(flags);
	if (!ctx)
		return 0;

	if (unloaded) {
		pfm_cpu_unloaded(ctx, cpu, true);
		pfm_post_end_msg(ctx);
		pfm_context_put(ctx);
	}
	pfm_context_put(ctx);
	return 0;
}

static int __init pfm_attach_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "perfmon:online",
					pfm_cpu_online, pfm_cpu_offline);
	return ret < 0 ? ret : 0;
}
subsys_initcall(pfm_attach_init);
