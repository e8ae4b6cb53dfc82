// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of sampling: the reset value arithmetic, the format
 * registry and the default format's buffer handling, driven through its
 * callbacks on a kernel buffer.
 */
#include <kunit/test.h>
#include <linux/perfmon_dfl_smpl.h>
#include <linux/slab.h>

#include "internal.h"

static void pfm_reset_value_random(struct kunit *test)
{
	const u64 period = 100000, mask = 0xfff;
	u64 reset = -period, val;
	int i;

	KUNIT_EXPECT_EQ(test, pfm_reset_value(reset, 0, U64_MAX), reset);
	KUNIT_EXPECT_EQ(test, pfm_reset_value(reset, mask, 0), reset);
	KUNIT_EXPECT_EQ(test, pfm_reset_value(reset, mask, U64_MAX),
			reset - mask);
	for (i = 0; i < 1000; i++) {
		val = pfm_reset_value(reset, mask, get_random_u64());
		/* The period, 2^64 - val, lies in [period, period + mask]. */
		KUNIT_ASSERT_GE(test, -val, period);
		KUNIT_ASSERT_LE(test, -val, period + mask);
	}
}

#define NUM_PMDS	7

struct dfl_fixture {
	const struct pfm_smpl_fmt	*fmt;
	struct pfm_dfl_smpl_arg		arg;
	void				*buf;
	u64				values[NUM_PMDS];
};

static int dfl_init(struct kunit *test)
{
	struct dfl_fixture *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->fmt = pfm_fmt_get(PFM_DFL_SMPL_NAME);
	if (!f->fmt)
		return -ENODEV;
	test->priv = f;
	return 0;
}

static void dfl_exit(struct kunit *test)
{
	struct dfl_fixture *f = test->priv;

	pfm_fmt_put(f->fmt);
}

/* A buffer with room for @entries entries of @nvals values each. */
static struct pfm_dfl_smpl_hdr *dfl_buffer(struct kunit *test, size_t size)
{
	struct dfl_fixture *f = test->priv;
	size_t got;

	f->arg.buf_size = size;
	KUNIT_ASSERT_EQ(test, f->fmt->validate(0, NUM_PMDS, &f->arg), 0);
	KUNIT_ASSERT_EQ(test, f->fmt->getsize(0, &f->arg, &got), 0);
	KUNIT_ASSERT_EQ(test, got, size);
	f->buf = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->buf);
	KUNIT_ASSERT_EQ(test, f->fmt->init(f->buf, size, 0, NUM_PMDS,
					   &f->arg), 0);
	return f->buf;
}

static u32 dfl_sample(struct kunit *test, u16 pmd, u16 nvals, int *ret)
{
	struct dfl_fixture *f = test->priv;
	struct pfm_ovfl_arg arg = {
		.ovfl_pmd	= pmd,
		.num_smpl_pmds	= nvals,
		.pid		= 1234,
		.tgid		= 5678,
		.pmd_last_reset	= -1000ULL,
		.smpl_pmds_values = f->values,
	};

	/* As in the PMU interrupt: on one CPU throughout. */
	preempt_disable();
	*ret = f->fmt->handler(f->buf, &arg, 0x1234, 42, NULL);
	preempt_enable();
	return arg.ovfl_ctrl;
}

static void pfm_dfl_validate_args(struct kunit *test)
{
	struct dfl_fixture *f = test->priv;
	struct pfm_dfl_smpl_arg arg = { .buf_size = 1 << 16 };
	size_t min = sizeof(struct pfm_dfl_smpl_hdr) +
		     sizeof(struct pfm_dfl_smpl_entry) + NUM_PMDS * 8;

	KUNIT_EXPECT_EQ(test, f->fmt->validate(0, NUM_PMDS, &arg), 0);
	arg.buf_flags = 1;
	KUNIT_EXPECT_EQ(test, f->fmt->validate(0, NUM_PMDS, &arg), -EINVAL);
	arg.buf_flags = 0;
	arg.reserved[5] = 1;
	KUNIT_EXPECT_EQ(test, f->fmt->validate(0, NUM_PMDS, &arg), -EINVAL);
	arg.reserved[5] = 0;
	arg.buf_size = min - 1;
	KUNIT_EXPECT_EQ(test, f->fmt->validate(0, NUM_PMDS, &arg), -EINVAL);
	arg.buf_size = min;
	KUNIT_EXPECT_EQ(test, f->fmt->validate(0, NUM_PMDS, &arg), 0);
}

static void pfm_dfl_records(struct kunit *test)
{
	struct dfl_fixture *f = test->priv;
	struct pfm_dfl_smpl_hdr *hdr = dfl_buffer(test, 4096);
	struct pfm_dfl_smpl_entry *ent;
	u64 *vals;
	int ret;

	KUNIT_EXPECT_EQ(test, hdr->hdr_version, PFM_DFL_SMPL_VERSION);
	KUNIT_EXPECT_EQ(test, hdr->hdr_cur_offs, sizeof(*hdr));
	f->values[0] = 11;
	f->values[1] = 22;
	KUNIT_EXPECT_EQ(test, dfl_sample(test, 3, 2, &ret),
			PFM_OVFL_CTRL_RESET);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, hdr->hdr_count, 1);
	KUNIT_EXPECT_EQ(test, hdr->hdr_cur_offs,
			sizeof(*hdr) + sizeof(*ent) + 2 * sizeof(u64));
	ent = (void *)(hdr + 1);
	vals = (u64 *)(ent + 1);
	KUNIT_EXPECT_EQ(test, ent->ovfl_pmd, 3);
	KUNIT_EXPECT_EQ(test, ent->ip, 0x1234);
	KUNIT_EXPECT_EQ(test, ent->tstamp, 42);
	KUNIT_EXPECT_EQ(test, ent->last_reset_val, -1000ULL);
	KUNIT_EXPECT_EQ(test, ent->pid, 1234);
	KUNIT_EXPECT_EQ(test, ent->tgid, 5678);
	KUNIT_EXPECT_EQ(test, vals[0], 11);
	KUNIT_EXPECT_EQ(test, vals[1], 22);
}

/* The sample that fills the buffer is kept; then mask and notify. */
static void pfm_dfl_full_and_restart(struct kunit *test)
{
	struct dfl_fixture *f = test->priv;
	size_t max_entry = sizeof(struct pfm_dfl_smpl_entry) + NUM_PMDS * 8;
	size_t size = sizeof(struct pfm_dfl_smpl_hdr) + 3 * max_entry;
	struct pfm_dfl_smpl_hdr *hdr = dfl_buffer(test, size);
	u32 ctrl;
	int i, ret;

	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, dfl_sample(test, 1, NUM_PMDS, &ret),
				PFM_OVFL_CTRL_RESET);
	KUNIT_EXPECT_EQ(test, dfl_sample(test, 1, NUM_PMDS, &ret),
			PFM_OVFL_CTRL_NOTIFY | PFM_OVFL_CTRL_MASK);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, hdr->hdr_count, 3);
	KUNIT_EXPECT_EQ(test, hdr->hdr_overflows, 1);

	/* A sample that finds it full is not written. */
	KUNIT_EXPECT_EQ(test, dfl_sample(test, 1, NUM_PMDS, &ret),
			PFM_OVFL_CTRL_NOTIFY | PFM_OVFL_CTRL_MASK);
	KUNIT_EXPECT_EQ(test, ret, -ENOBUFS);
	KUNIT_EXPECT_EQ(test, hdr->hdr_count, 3);
	KUNIT_EXPECT_EQ(test, hdr->hdr_overflows, 2);

	KUNIT_EXPECT_EQ(test, f->fmt->restart(f->buf, &ctrl), 0);
	KUNIT_EXPECT_EQ(test, ctrl, PFM_OVFL_CTRL_RESET);
	KUNIT_EXPECT_EQ(test, hdr->hdr_count, 0);
	KUNIT_EXPECT_EQ(test, hdr->hdr_cur_offs, sizeof(*hdr));
	KUNIT_EXPECT_EQ(test, hdr->hdr_overflows, 2);
	KUNIT_EXPECT_EQ(test, dfl_sample(test, 1, 0, &ret),
			PFM_OVFL_CTRL_RESET);
	KUNIT_EXPECT_EQ(test, hdr->hdr_count, 1);
}

static int fake_getsize(u32 ctx_flags, const void *arg, size_t *size)
{
	*size = 0;
	return 0;
}

static int fake_handler(void *buf, struct pfm_ovfl_arg *arg,
			unsigned long ip, u64 tstamp, struct pt_regs *regs)
{
	return 0;
}

static void pfm_fmt_registry(struct kunit *test)
{
	struct pfm_smpl_fmt fmt = {
		.name = "kunit-fake", .getsize = fake_getsize,
		.handler = fake_handler,
	};
	struct pfm_smpl_fmt dup = fmt;
	struct pfm_smpl_fmt bad = fmt;

	KUNIT_EXPECT_PTR_EQ(test, pfm_fmt_get("kunit-fake"), NULL);
	KUNIT_ASSERT_EQ(test, pfm_fmt_register(&fmt), 0);
	KUNIT_EXPECT_EQ(test, pfm_fmt_register(&dup), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, pfm_fmt_get("kunit-fake"),
			    (const struct pfm_smpl_fmt *)&fmt);
	pfm_fmt_put(&fmt);
	KUNIT_EXPECT_EQ(test, pfm_fmt_unregister(&dup), -EINVAL);
	KUNIT_EXPECT_EQ(test, pfm_fmt_unregister(&fmt), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfm_fmt_get("kunit-fake"), NULL);

	bad.handler = NULL;
	KUNIT_EXPECT_EQ(test, pfm_fmt_register(&bad), -EINVAL);
	bad = fmt;
	bad.name = "a/b";
	KUNIT_EXPECT_EQ(test, pfm_fmt_register(&bad), -EINVAL);
	bad = fmt;
	bad.arg_size = PFM_FMT_ARG_MAX + 1;
	KUNIT_EXPECT_EQ(test, pfm_fmt_register(&bad), -EINVAL);
}

static struct kunit_case pfm_smpl_test_cases[] = {
	KUNIT_CASE(pfm_reset_value_random),
	KUNIT_CASE(pfm_dfl_validate_args),
	KUNIT_CASE(pfm_dfl_records),
	KUNIT_CASE(pfm_dfl_full_and_restart),
	KUNIT_CASE(pfm_fmt_registry),
	{}
};

static struct kunit_suite pfm_smpl_suite = {
	.name		= "perfmon_smpl",
	.init		= dfl_init,
	.exit		= dfl_exit,
	.test_cases	= pfm_smpl_test_cases,
};

kunit_test_suite(pfm_smpl_suite);
