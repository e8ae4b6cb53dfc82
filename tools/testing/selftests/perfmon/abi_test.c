// SPDX-License-Identifier: GPL-2.0
/*
 * The user ABI: structure sizes and offsets, flag and version values of
 * <linux/perfmon.h> against the perfmon2 v2.82 ABI that clients are built
 * for, syscall numbers, and how many bytes the kernel copies from each
 * single-structure argument.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "pfm_test.h"

/**
 * struct member - where one member of a uAPI structure must be
 * @name: "type.member", for the log
 * @offset: its offset as compiled
 * @expected: its offset in the perfmon2 v2.82 layout
 *
 * The offset of the next member bounds the size of each; the size of the
 * last member is checked apart, as tail padding could hide it.
 */
struct member {
	const char	*name;
	size_t		offset;
	size_t		expected;
};

#define MEMBER(type, member, off) \
	{ #type "." #member, offsetof(type, member), off }

static void check_members(struct __test_metadata *_metadata,
			  const struct member *m, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		EXPECT_EQ(m[i].expected, m[i].offset) {
			TH_LOG("%s at offset %zu, not %zu", m[i].name,
			       m[i].offset, m[i].expected);
		}
}

TEST(bitvector_sizes)
{
	EXPECT_EQ(320, PFM_MAX_PMCS);
	EXPECT_EQ(320, PFM_MAX_PMDS);
	EXPECT_EQ(5, PFM_PMD_BV);
	EXPECT_EQ(5, PFM_PMC_BV);
	EXPECT_EQ(1, PFM_BVSIZE(1));
	EXPECT_EQ(1, PFM_BVSIZE(64));
	EXPECT_EQ(2, PFM_BVSIZE(65));
}

TEST(pfarg_ctx_layout)
{
	static const struct member members[] = {
		MEMBER(struct pfarg_ctx, ctx_flags, 0),
		MEMBER(struct pfarg_ctx, ctx_reserved1, 4),
		MEMBER(struct pfarg_ctx, ctx_reserved2, 8),
	};
	struct pfarg_ctx ctx;

	EXPECT_EQ(64, sizeof(struct pfarg_ctx));
	check_members(_metadata, members, ARRAY_SIZE(members));
	EXPECT_EQ(56, sizeof(ctx.ctx_reserved2));
}

TEST(pfarg_pmc_layout)
{
	static const struct member members[] = {
		MEMBER(struct pfarg_pmc, reg_num, 0),
		MEMBER(struct pfarg_pmc, reg_set, 2),
		MEMBER(struct pfarg_pmc, reg_flags, 4),
		MEMBER(struct pfarg_pmc, reg_value, 8),
		MEMBER(struct pfarg_pmc, reg_reserved2, 16),
	};
	struct pfarg_pmc pmc;

	EXPECT_EQ(48, sizeof(struct pfarg_pmc));
	check_members(_metadata, members, ARRAY_SIZE(members));
	EXPECT_EQ(32, sizeof(pmc.reg_reserved2));
}

TEST(pfarg_pmd_layout)
{
	static const struct member members[] = {
		MEMBER(struct pfarg_pmd, reg_num, 0),
		MEMBER(struct pfarg_pmd, reg_set, 2),
		MEMBER(struct pfarg_pmd, reg_flags, 4),
		MEMBER(struct pfarg_pmd, reg_value, 8),
		MEMBER(struct pfarg_pmd, reg_long_reset, 16),
		MEMBER(struct pfarg_pmd, reg_short_reset, 24),
		MEMBER(struct pfarg_pmd, reg_last_reset_val, 32),
		MEMBER(struct pfarg_pmd, reg_ovfl_switch_cnt, 40),
		MEMBER(struct pfarg_pmd, reg_reset_pmds, 48),
		MEMBER(struct pfarg_pmd, reg_smpl_pmds, 88),
		MEMBER(struct pfarg_pmd, reg_smpl_eventid, 128),
		MEMBER(struct pfarg_pmd, reg_random_mask, 136),
		MEMBER(struct pfarg_pmd, reg_random_seed, 144),
		MEMBER(struct pfarg_pmd, reg_reserved2, 148),
	};
	struct pfarg_pmd pmd;

	EXPECT_EQ(176, sizeof(struct pfarg_pmd));
	check_members(_metadata, members, ARRAY_SIZE(members));
	EXPECT_EQ(28, sizeof(pmd.reg_reserved2));
}

TEST(pfarg_start_layout)
{
	static const struct member members[] = {
		MEMBER(struct pfarg_start, start_set, 0),
		MEMBER(struct pfarg_start, start_reserved1, 2),
		MEMBER(struct pfarg_start, start_reserved2, 4),
		MEMBER(struct pfarg_start, reserved3, 8),
	};
	struct pfarg_start st;

	EXPECT_EQ(32, sizeof(struct pfarg_start));
	check_members(_metadata, members, ARRAY_SIZE(members));
	EXPECT_EQ(24, sizeof(st.reserved3));
}

TEST(pfarg_load_layout)
{
	static const struct member members[] = {
		MEMBER(struct pfarg_load, load_pid, 0),
		MEMBER(struct pfarg_load, load_set, 4),
		MEMBER(struct pfarg_load, load_reserved1, 6),
		MEMBER(struct pfarg_load, load_reserved2, 8),
	};
	struct pfarg_load load;

	EXPECT_EQ(32, sizeof(struct pfarg_load));
	check_members(_metadata, members, ARRAY_SIZE(members));
	EXPECT_EQ(24, sizeof(load.load_reserved2));
}

TEST(pfarg_setdesc_layout)
{
	static const struct member members[] = {
		MEMBER(struct pfarg_setdesc, set_id, 0),
		MEMBER(struct pfarg_setdesc, set_reserved1, 2),
		MEMBER(struct pfarg_setdesc, set_flags, 4),
		MEMBER(struct pfarg_setdesc, set_timeout, 8),
		MEMBER(struct pfarg_setdesc, reserved, 16),
	};
	struct pfarg_setdesc setd;

	EXPECT_EQ(64, sizeof(struct pfarg_setdesc));
	check_members(_metadata, members, ARRAY_SIZE(members));
	EXPECT_EQ(48, sizeof(setd.reserved));
}

TEST(pfarg_setinfo_layout)
{
	static const struct member members[] = {
		MEMBER(struct pfarg_setinfo, set_id, 0),
		MEMBER(struct pfarg_setinfo, set_reserved1, 2),
		MEMBER(struct pfarg_setinfo, set_flags, 4),
		MEMBER(struct pfarg_setinfo, set_ovfl_pmds, 8),
		MEMBER(struct pfarg_setinfo, set_runs, 48),
		MEMBER(struct pfarg_setinfo, set_timeout, 56),
		MEMBER(struct pfarg_setinfo, set_act_duration, 64),
		MEMBER(struct pfarg_setinfo, set_avail_pmcs, 72),
		MEMBER(struct pfarg_setinfo, set_avail_pmds, 112),
		MEMBER(struct pfarg_setinfo, set_reserved3, 152),
	};
	struct pfarg_setinfo info;

	EXPECT_EQ(200, sizeof(struct pfarg_setinfo));
	check_members(_metadata, members, ARRAY_SIZE(members));
	EXPECT_EQ(48, sizeof(info.set_reserved3));
}

TEST(pfarg_ovfl_msg_layout)
{
	static const struct member members[] = {
		MEMBER(struct pfarg_ovfl_msg, msg_type, 0),
		MEMBER(struct pfarg_ovfl_msg, msg_ovfl_pid, 4),
		MEMBER(struct pfarg_ovfl_msg, msg_active_set, 8),
		MEMBER(struct pfarg_ovfl_msg, msg_ovfl_cpu, 10),
		MEMBER(struct pfarg_ovfl_msg, msg_ovfl_tid, 12),
		MEMBER(struct pfarg_ovfl_msg, msg_ovfl_ip, 16),
		MEMBER(struct pfarg_ovfl_msg, msg_ovfl_pmds, 24),
	};
	struct pfarg_ovfl_msg msg;

	EXPECT_EQ(64, sizeof(struct pfarg_ovfl_msg));
	check_members(_metadata, members, ARRAY_SIZE(members));
	EXPECT_EQ(40, sizeof(msg.msg_ovfl_pmds));
}

TEST(pfarg_msg_layout)
{
	static const struct member members[] = {
		MEMBER(union pfarg_msg, type, 0),
		MEMBER(union pfarg_msg, pfm_ovfl_msg, 0),
	};
	union pfarg_msg msg;

	EXPECT_EQ(64, sizeof(union pfarg_msg));
	check_members(_metadata, members, ARRAY_SIZE(members));
	EXPECT_EQ(4, sizeof(msg.type));
}

TEST(ctx_flag_values)
{
	EXPECT_EQ(0x01, PFM_FL_NOTIFY_BLOCK);
	EXPECT_EQ(0x02, PFM_FL_SYSTEM_WIDE);
	EXPECT_EQ(0x80, PFM_FL_OVFL_NO_MSG);
	EXPECT_EQ(0x100, PFM_FL_FD_CLOEXEC);
}

TEST(reg_flag_values)
{
	EXPECT_EQ(0x1, PFM_REGFL_OVFL_NOTIFY);
	EXPECT_EQ(0x2, PFM_REGFL_RANDOM);
	EXPECT_EQ(0x4, PFM_REGFL_NO_EMUL64);
	EXPECT_EQ(0x80000000U, PFM_REG_RETFL_NOTAVAIL);
	EXPECT_EQ(0x40000000U, PFM_REG_RETFL_EINVAL);
	EXPECT_EQ(0x20000000U, PFM_REG_RETFL_NOSET);
	EXPECT_EQ(0xe0000000U, PFM_REG_RETFL_MASK);
}

TEST(set_flag_and_msg_values)
{
	EXPECT_EQ(0x01, PFM_SETFL_OVFL_SWITCH);
	EXPECT_EQ(0x02, PFM_SETFL_TIME_SWITCH);
	EXPECT_EQ(1, PFM_MSG_OVFL);
	EXPECT_EQ(2, PFM_MSG_END);
}

TEST(version_macros)
{
	EXPECT_EQ(2, PFM_VERSION_MAJ);
	EXPECT_EQ(82, PFM_VERSION_MIN);
	EXPECT_EQ(0x20052, PFM_VERSION);
	EXPECT_EQ(2, PFM_VERSION_MAJOR(PFM_VERSION));
	EXPECT_EQ(82, PFM_VERSION_MINOR(PFM_VERSION));
}

/* The installed headers number the calls 451..462, in this order. */
TEST(syscall_numbers)
{
	if (PFM_NR_FALLBACK)
		SKIP(return, "<asm/unistd.h> has no __NR_pfm_*: headers predate perfmon");
	EXPECT_EQ(451, __NR_pfm_create_context);
	EXPECT_EQ(452, __NR_pfm_write_pmcs);
	EXPECT_EQ(453, __NR_pfm_write_pmds);
	EXPECT_EQ(454, __NR_pfm_read_pmds);
	EXPECT_EQ(455, __NR_pfm_load_context);
	EXPECT_EQ(456, __NR_pfm_start);
	EXPECT_EQ(457, __NR_pfm_stop);
	EXPECT_EQ(458, __NR_pfm_restart);
	EXPECT_EQ(459, __NR_pfm_create_evtsets);
	EXPECT_EQ(460, __NR_pfm_getinfo_evtsets);
	EXPECT_EQ(461, __NR_pfm_delete_evtsets);
	EXPECT_EQ(462, __NR_pfm_unload_context);
}

/*
 * The kernel copies exactly sizeof(struct pfarg_ctx) bytes: a context that
 * ends at an inaccessible page is accepted, one byte further it faults.
 */
TEST(kernel_copies_sizeof_pfarg_ctx)
{
	struct pfm_guard g;
	char *end;
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, pfm_guard_init(&g));
	end = pfm_guard_end(&g);
	fd = pfm_create_context((void *)(end - sizeof(struct pfarg_ctx)),
				NULL, NULL, 0);
	EXPECT_LE(0, fd) {
		TH_LOG("pfm_create_context: %s", strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	fd = pfm_create_context((void *)(end - sizeof(struct pfarg_ctx) + 1),
				NULL, NULL, 0);
	EXPECT_EQ(EFAULT, pfm_test_errno(fd));
	if (fd >= 0)
		close(fd);
	pfm_guard_fini(&g);
}

/* Same for struct pfarg_load (the load itself succeeds). */
TEST(kernel_copies_sizeof_pfarg_load)
{
	struct pfarg_load *load;
	struct pfm_guard g;
	char *end;
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, pfm_guard_init(&g));
	end = pfm_guard_end(&g);
	load = (void *)(end - sizeof(*load));
	load->load_pid = getpid();
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, pfm_load_context(fd, load));
	close(fd);
	/* A fresh context: only the copy can fail. */
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	load = (void *)(end - sizeof(*load) + 1);
	EXPECT_EQ(EFAULT, pfm_test_errno(pfm_load_context(fd, load)));
	close(fd);
	pfm_guard_fini(&g);
}

/* Same for struct pfarg_start, on a loaded context (the start succeeds). */
TEST(kernel_copies_sizeof_pfarg_start)
{
	struct pfarg_load load;
	struct pfm_guard g;
	char *end;
	int fd;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_EQ(0, pfm_guard_init(&g));
	fd = pfm_test_create(0);
	ASSERT_LE(0, fd);
	memset(&load, 0, sizeof(load));
	load.load_pid = getpid();
	ASSERT_EQ(0, pfm_load_context(fd, &load));
	end = pfm_guard_end(&g) - sizeof(struct pfarg_start);
	EXPECT_EQ(0, pfm_start(fd, (void *)end));
	EXPECT_EQ(EFAULT, pfm_test_errno(pfm_start(fd, (void *)(end + 1))));
	close(fd);
	pfm_guard_fini(&g);
}

TEST_HARNESS_MAIN
