// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the system call entry points.
 *
 * This file only copies arguments in, checks them and dispatches; the work
 * is done by the file that owns each concern.
 */
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

#include "internal.h"

/*
 * The argument layouts are those of perfmon2 v2.82 and identical on every
 * architecture, which is what lets 32-bit and 64-bit callers share the
 * entry points. Break the build rather than the ABI.
 */
static inline void pfm_build_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct pfarg_ctx) != 64);
	BUILD_BUG_ON(sizeof(struct pfarg_pmc) != 48);
	BUILD_BUG_ON(sizeof(struct pfarg_pmd) != 176);
	BUILD_BUG_ON(offsetof(struct pfarg_pmd, reg_reset_pmds) != 48);
	BUILD_BUG_ON(offsetof(struct pfarg_pmd, reg_random_seed) != 144);
	BUILD_BUG_ON(sizeof(struct pfarg_start) != 32);
	BUILD_BUG_ON(sizeof(struct pfarg_load) != 32);
	BUILD_BUG_ON(sizeof(struct pfarg_setdesc) != 64);
	BUILD_BUG_ON(sizeof(struct pfarg_setinfo) != 200);
	BUILD_BUG_ON(sizeof(struct pfarg_ovfl_msg) != 64);
	BUILD_BUG_ON(offsetof(struct pfarg_ovfl_msg, msg_ovfl_ip) != 16);
	BUILD_BUG_ON(sizeof(union pfarg_msg) != 64);
}

/*
 * Look up the context behind @fd. On success the caller owns @f and must
 * fdput() it. Inlined: it is on the path of every call.
 */
static __always_inline int pfm_fdget_ctx(int fd, struct fd *f,
					 struct pfm_context **ctx)
{
	*f = fdget(fd);
	if (!f->file)
		return -EBADF;
	if (f->file->f_op != &pfm_context_fops) {
		fdput(*f);
		return -EINVAL;
	}
	*ctx = f->file->private_data;
	return 0;
}

/*
 * Small vectors, the usual case (a few counters), are copied to the stack
 * instead: it saves an allocation on every read of the counters.
 */
#define PFM_VEC_STACK_BYTES	(4 * sizeof(struct pfarg_pmd))

static void *pfm_vec_in(const void __user *uvec, int count, size_t elem_size,
			void *stack)
{
	int ret;

	ret = pfm_check_vec_count(count, elem_size);
	if (ret)
		return ERR_PTR(ret);
	if (!count)
		return NULL;
	if ((size_t)count * elem_size > PFM_VEC_STACK_BYTES)
		return memdup_array_user(uvec, count, elem_size);
	if (copy_from_user(stack, uvec, count * elem_size))
		return ERR_PTR(-EFAULT);
	return stack;
}

static void pfm_vec_free(void *vec, void *stack)
{
	if (vec != stack)
		kfree(vec);
}

/* The vector calls: copy in, apply with the context locked, copy out. */
enum pfm_vec_op {
	PFM_VEC_WRITE_PMCS,
	PFM_VEC_WRITE_PMDS,
	PFM_VEC_READ_PMDS,
	PFM_VEC_CREATE_SETS,
	PFM_VEC_GETINFO_SETS,
	PFM_VEC_DELETE_SETS,
};

static const enum pfm_call pfm_vec_op_call[] = {
	[PFM_VEC_WRITE_PMCS]	= PFM_CALL_WRITE_PMCS,
	[PFM_VEC_WRITE_PMDS]	= PFM_CALL_WRITE_PMDS,
	[PFM_VEC_READ_PMDS]	= PFM_CALL_READ_PMDS,
	[PFM_VEC_CREATE_SETS]	= PFM_CALL_CREATE_SETS,
	[PFM_VEC_GETINFO_SETS]	= PFM_CALL_GETINFO_SETS,
	[PFM_VEC_DELETE_SETS]	= PFM_CALL_DELETE_SETS,
};

/*
 * What goes back to user space: reads and set information always,
 * created sets their effective timeouts, a failed write the reason in
 * its bad element's reg_flags; deleted sets nothing.
 */
static bool pfm_vec_copies_back(enum pfm_vec_op op, int ret)
{
	switch (op) {
	case PFM_VEC_READ_PMDS:
	case PFM_VEC_CREATE_SETS:
	case PFM_VEC_GETINFO_SETS:
		return true;
	case PFM_VEC_WRITE_PMCS:
	case PFM_VEC_WRITE_PMDS:
		return ret;
	case PFM_VEC_DELETE_SETS:
		return false;
	}
	return false;
}

/* Inlined: pfm_read_pmds_call() is on the path of every read of counters. */
static __always_inline int pfm_vec_apply(struct pfm_context *ctx,
					 enum pfm_vec_op op, void *vec,
					 int count)
{
	int ret;

	if (!count)
		return 0;
	mutex_lock(&ctx->mutex);
	ret = pfm_check_state(pfm_vec_op_call[op], ctx->state);
	if (!ret)
		ret = pfm_check_target(ctx);
	if (ret)
		goto out_unlock;
	switch (op) {
	case PFM_VEC_WRITE_PMCS:
		ret = pfm_write_pmcs(ctx, vec, count);
		break;
	case PFM_VEC_WRITE_PMDS:
		ret = pfm_write_pmds(ctx, vec, count);
		break;
	case PFM_VEC_READ_PMDS:
		ret = pfm_read_pmds(ctx, vec, count);
		break;
	case PFM_VEC_CREATE_SETS:
		ret = pfm_create_evtsets(ctx, vec, count);
		break;
	case PFM_VEC_GETINFO_SETS:
		ret = pfm_getinfo_evtsets(ctx, vec, count);
		break;
	case PFM_VEC_DELETE_SETS:
		ret = pfm_delete_evtsets(ctx, vec, count);
		break;
	}
out_unlock:
	mutex_unlock(&ctx->mutex);
	return ret;
}

static long pfm_vec_call(int fd, void __user *uvec, int count,
			 size_t elem_size, enum pfm_vec_op op)
{
	u64 stack[PFM_VEC_STACK_BYTES / sizeof(u64)];
	struct pfm_context *ctx;
	struct fd f;
	void *vec;
	int ret;

	ret = pfm_fdget_ctx(fd, &f, &ctx);
	if (ret)
		return ret;
	vec = pfm_vec_in(uvec, count, elem_size, stack);
	if (IS_ERR(vec)) {
		ret = PTR_ERR(vec);
		goto out_fdput;
	}
	ret = pfm_vec_apply(ctx, op, vec, count);
	if (pfm_vec_copies_back(op, ret) && count &&
	    copy_to_user(uvec, vec, array_size(count, elem_size)) && !ret)
		ret = -EFAULT;
	pfm_vec_free(vec, stack);
out_fdput:
	fdput(f);
	return ret;
}

/* The calls that take only a context: lock it, check, act. */
static long pfm_ctx_call(int fd, enum pfm_call call,
			 int (*act)(struct pfm_context *ctx), bool needs_target)
{
	struct pfm_context *ctx;
	struct fd f;
	int ret;

	ret = pfm_fdget_ctx(fd, &f, &ctx);
	if (ret)
		return ret;
	mutex_lock(&ctx->mutex);
	ret = pfm_check_state(call, ctx->state);
	if (!ret && needs_target)
		ret = pfm_check_target(ctx);
	if (!ret)
		ret = act(ctx);
	mutex_unlock(&ctx->mutex);
	fdput(f);
	return ret;
}

/*
 * pfm_read_pmds() looks at three fields of an element and fills six: moving
 * only those, instead of the 176 bytes of each element both ways, is most
 * of what a read of a few counters costs. The three it looks at are its
 * first 8 bytes, read at once. The last byte of the vector is read too, so
 * that a vector that is not all there still fails.
 */
static_assert(offsetof(struct pfarg_pmd, reg_num) == 0 &&
	      offsetof(struct pfarg_pmd, reg_set) == 2 &&
	      offsetof(struct pfarg_pmd, reg_flags) == 4 &&
	      offsetof(struct pfarg_pmd, reg_value) == sizeof(u64));

static int pfm_read_pmds_in(struct pfarg_pmd *k,
			    const struct pfarg_pmd __user *u, int count)
{
	const char __user *last = (const char __user *)(u + count) - 1;
	char c __maybe_unused;	/* only whether it can be read */
	u64 head;
	int i;

	if (!user_read_access_begin(u, array_size(count, sizeof(*u))))
		return -EFAULT;
	unsafe_get_user(c, last, efault);
	for (i = 0; i < count; i++) {
		/* The bytes as they are: the same on either endianness. */
		unsafe_get_user(head, (const u64 __user *)&u[i], efault);
		memcpy(&k[i], &head, sizeof(head));
		/*
		 * Output only, and ignored on input; cleared so that after a
		 * failure the bad element is the one the kernel marked.
		 */
		k[i].reg_flags &= ~PFM_REG_RETFL_MASK;
	}
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

/*
 * Back go the elements that were read and, after a failure, the reg_flags
 * of the bad one, which says why; the elements after it are left alone.
 */
static int pfm_read_pmds_out(struct pfarg_pmd __user *u,
			     const struct pfarg_pmd *k, int count, bool failed)
{
	int i, done = count;

	if (failed) {
		for (done = 0; done < count; done++)
			if (k[done].reg_flags & PFM_REG_RETFL_MASK)
				break;
		if (done == count)
			return 0;
	}
	if (!user_write_access_begin(u, array_size(count, sizeof(*u))))
		return -EFAULT;
	if (failed)
		unsafe_put_user(k[done].reg_flags, &u[done].reg_flags, efault);
	for (i = 0; i < done; i++) {
		unsafe_put_user(k[i].reg_flags, &u[i].reg_flags, efault);
		unsafe_put_user(k[i].reg_value, &u[i].reg_value, efault);
		unsafe_put_user(k[i].reg_long_reset, &u[i].reg_long_reset,
				efault);
		unsafe_put_user(k[i].reg_short_reset, &u[i].reg_short_reset,
				efault);
		unsafe_put_user(k[i].reg_last_reset_val,
				&u[i].reg_last_reset_val, efault);
		unsafe_put_user(k[i].reg_ovfl_switch_cnt,
				&u[i].reg_ovfl_switch_cnt, efault);
	}
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static long pfm_read_pmds_call(int fd, struct pfarg_pmd __user *uvec,
			       int count)
{
	/*
	 * Not zeroed on entry (CONFIG_INIT_STACK_ALL_ZERO would spend more
	 * on it than on the read): only the fields that were copied in or
	 * filled by the read are looked at, or copied out.
	 */
	struct pfarg_pmd stack[PFM_VEC_STACK_BYTES /
			       sizeof(struct pfarg_pmd)] __uninitialized;
	struct pfarg_pmd *vec = stack;
	struct pfm_context *ctx;
	struct fd f;
	int ret;

	ret = pfm_fdget_ctx(fd, &f, &ctx);
	if (ret)
		return ret;
	ret = pfm_check_vec_count(count, sizeof(*vec));
	if (ret || !count)
		goto out_fdput;
	if (count > ARRAY_SIZE(stack)) {
		vec = kmalloc_array(count, sizeof(*vec), GFP_KERNEL);
		if (!vec) {
			ret = -ENOMEM;
			goto out_fdput;
		}
	}
	ret = pfm_read_pmds_in(vec, uvec, count);
	if (!ret)
		ret = pfm_vec_apply(ctx, PFM_VEC_READ_PMDS, vec, count);
	if (ret != -EFAULT && pfm_read_pmds_out(uvec, vec, count, ret) && !ret)
		ret = -EFAULT;
	if (vec != stack)
		kfree(vec);
out_fdput:
	fdput(f);
	return ret;
}

/*
 * Find the sampling format named by the caller and copy its argument in.
 * On success *fmt is NULL (no format) or pinned, and *arg is NULL or a
 * buffer the caller kfree()s.
 */
static int pfm_get_fmt_arg(const char __user *fmt_name,
			   const void __user *fmt_arg, size_t fmt_arg_size,
			   const struct pfm_smpl_fmt **fmt, void **arg)
{
	char name[PFM_FMT_NAME_LEN];
	long len;

	*fmt = NULL;
	*arg = NULL;
	if (!fmt_name)
		return fmt_arg || fmt_arg_size ? -EINVAL : 0;

	len = strncpy_from_user(name, fmt_name, sizeof(name));
	if (len < 0)
		return len;
	if (!len || len == sizeof(name))
		return -EINVAL;
	*fmt = pfm_fmt_get(name);
	if (!*fmt)
		return -EINVAL;
	if (fmt_arg_size != (*fmt)->arg_size ||
	    (fmt_arg_size && !fmt_arg))
		goto out_put_fmt;
	if (!fmt_arg_size)
		return 0;
	*arg = memdup_user(fmt_arg, fmt_arg_size);
	if (IS_ERR(*arg)) {
		len = PTR_ERR(*arg);
		*arg = NULL;
		pfm_fmt_put(*fmt);
		*fmt = NULL;
		return len;
	}
	return 0;

out_put_fmt:
	pfm_fmt_put(*fmt);
	*fmt = NULL;
	return -EINVAL;
}

SYSCALL_DEFINE4(pfm_create_context, struct pfarg_ctx __user *, ureq,
		const char __user *, fmt_name, void __user *, fmt_arg,
		size_t, fmt_arg_size)
{
	const struct pfm_smpl_fmt *fmt;
	struct pfarg_ctx req;
	void *arg;
	int ret;

	pfm_build_check_abi();
	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	ret = pfm_check_ctx_arg(&req);
	if (ret)
		return ret;
	if (!pfm_may_monitor())
		return -EPERM;
	if ((req.ctx_flags & PFM_FL_SYSTEM_WIDE) && !pfm_may_system_wide())
		return -EPERM;
	ret = pfm_get_fmt_arg(fmt_name, fmt_arg, fmt_arg_size, &fmt, &arg);
	if (ret)
		return ret;
	ret = pfm_context_create(&req, fmt, arg);
	kfree(arg);
	return ret;
}

SYSCALL_DEFINE3(pfm_write_pmcs, int, fd, struct pfarg_pmc __user *, ureq,
		int, count)
{
	return pfm_vec_call(fd, ureq, count, sizeof(struct pfarg_pmc),
			    PFM_VEC_WRITE_PMCS);
}

SYSCALL_DEFINE3(pfm_write_pmds, int, fd, struct pfarg_pmd __user *, ureq,
		int, count)
{
	return pfm_vec_call(fd, ureq, count, sizeof(struct pfarg_pmd),
			    PFM_VEC_WRITE_PMDS);
}

SYSCALL_DEFINE3(pfm_read_pmds, int, fd, struct pfarg_pmd __user *, ureq,
		int, count)
{
	return pfm_read_pmds_call(fd, ureq, count);
}

SYSCALL_DEFINE2(pfm_load_context, int, fd, struct pfarg_load __user *, ureq)
{
	struct pfm_context *ctx;
	struct pfarg_load req;
	struct fd f;
	int ret;

	ret = pfm_fdget_ctx(fd, &f, &ctx);
	if (ret)
		return ret;
	if (copy_from_user(&req, ureq, sizeof(req))) {
		ret = -EFAULT;
		goto out_fdput;
	}
	ret = pfm_check_load_arg(&req);
	if (ret)
		goto out_fdput;
	mutex_lock(&ctx->mutex);
	ret = pfm_check_state(PFM_CALL_LOAD, ctx->state);
	if (!ret)
		ret = pfm_load(ctx, &req);
	mutex_unlock(&ctx->mutex);
out_fdput:
	fdput(f);
	return ret;
}

SYSCALL_DEFINE2(pfm_start, int, fd, struct pfarg_start __user *, ureq)
{
	struct pfarg_start req, *reqp = NULL;
	struct pfm_context *ctx;
	struct fd f;
	int ret;

	ret = pfm_fdget_ctx(fd, &f, &ctx);
	if (ret)
		return ret;
	if (ureq) {
		if (copy_from_user(&req, ureq, sizeof(req))) {
			ret = -EFAULT;
			goto out_fdput;
		}
		ret = pfm_check_start_arg(&req);
		if (ret)
			goto out_fdput;
		reqp = &req;
	}
	mutex_lock(&ctx->mutex);
	ret = pfm_check_state(PFM_CALL_START, ctx->state);
	if (!ret)
		ret = pfm_check_target(ctx);
	if (!ret)
		ret = pfm_start(ctx, reqp);
	mutex_unlock(&ctx->mutex);
out_fdput:
	fdput(f);
	return ret;
}

SYSCALL_DEFINE1(pfm_stop, int, fd)
{
	return pfm_ctx_call(fd, PFM_CALL_STOP, pfm_stop, true);
}

/* perfmon2: restart does not need the monitored thread to be stopped. */
SYSCALL_DEFINE1(pfm_restart, int, fd)
{
	return pfm_ctx_call(fd, PFM_CALL_RESTART, pfm_restart, false);
}

SYSCALL_DEFINE3(pfm_create_evtsets, int, fd, struct pfarg_setdesc __user *,
		ureq, int, count)
{
	return pfm_vec_call(fd, ureq, count, sizeof(struct pfarg_setdesc),
			    PFM_VEC_CREATE_SETS);
}

SYSCALL_DEFINE3(pfm_getinfo_evtsets, int, fd, struct pfarg_setinfo __user *,
		ureq, int, count)
{
	return pfm_vec_call(fd, ureq, count, sizeof(struct pfarg_setinfo),
			    PFM_VEC_GETINFO_SETS);
}

SYSCALL_DEFINE3(pfm_delete_evtsets, int, fd, struct pfarg_setdesc __user *,
		ureq, int, count)
{
	return pfm_vec_call(fd, ureq, count, sizeof(struct pfarg_setdesc),
			    PFM_VEC_DELETE_SETS);
}

SYSCALL_DEFINE1(pfm_unload_context, int, fd)
{
	return pfm_ctx_call(fd, PFM_CALL_UNLOAD, pfm_unload, true);
}
