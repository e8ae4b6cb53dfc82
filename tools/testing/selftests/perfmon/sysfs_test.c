// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/perfmon: interface version, first syscall number and the PMU
 * description (model, counter width, one directory per PMC and PMD).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pfm_test.h"

#define PMU_DESC_DIR	PFM_SYSFS_DIR "/pmu_desc"

/* Attribute values are one line. */
#define ATTR_MAX	256

/* How an attribute is printed. */
enum attr_fmt {
	ATTR_TEXT,	/* one printable line */
	ATTR_DEC,	/* "%u\n" */
	ATTR_HEX,	/* "0x%llx\n" */
};

/* Read @dir/@name into @buf; 0 if it is one non-empty line, else -1. */
static int read_line(const char *dir, const char *name, char *buf)
{
	char path[PATH_MAX];
	char *nl;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = pfm_test_read_attr(path, buf, ATTR_MAX);
	if (n < 2)
		return -1;
	nl = strchr(buf, '\n');
	if (nl != buf + n - 1)
		return -1;
	*nl = '\0';
	return 0;
}

/* Parse @s, which must be exactly a number printed as @fmt. */
static int parse_u64(const char *s, enum attr_fmt fmt, unsigned long long *v)
{
	bool hex = !strncmp(s, "0x", 2);
	char *end;

	if ((fmt == ATTR_HEX && !hex) || (fmt == ATTR_DEC && hex))
		return -1;
	if (!isxdigit((unsigned char)s[hex ? 2 : 0]))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, hex ? 16 : 10);
	return errno || *end ? -1 : 0;
}

/*
 * The checks below log and return on failure. They never return from
 * inside an EXPECT_*() { } block: the harness resets its state at the end
 * of that block, and a return would skip it.
 */

/* Check that @dir/@name is a single printable, non-blank line. */
static bool attr_is_text(struct __test_metadata *_metadata,
			 const char *dir, const char *name)
{
	char buf[ATTR_MAX];
	const char *p;
	int ret;

	ret = read_line(dir, name, buf);
	EXPECT_EQ(0, ret) {
		TH_LOG("%s/%s: missing, empty or not one line", dir, name);
	}
	if (ret)
		return false;
	for (p = buf; *p; p++)
		if (!isprint((unsigned char)*p))
			break;
	EXPECT_EQ('\0', *p) {
		TH_LOG("%s/%s: unprintable character", dir, name);
	}
	EXPECT_NE(strlen(buf), strspn(buf, " \t")) {
		TH_LOG("%s/%s: blank", dir, name);
	}
	return !*p && strspn(buf, " \t") != strlen(buf);
}

/* Read @dir/@name as a number printed as @fmt; false if it is not one. */
static bool attr_u64(struct __test_metadata *_metadata, const char *dir,
		     const char *name, enum attr_fmt fmt,
		     unsigned long long *v)
{
	char buf[ATTR_MAX];
	int ret;

	ret = read_line(dir, name, buf);
	EXPECT_EQ(0, ret) {
		TH_LOG("%s/%s: missing, empty or not one line", dir, name);
	}
	if (ret)
		return false;
	ret = parse_u64(buf, fmt, v);
	EXPECT_EQ(0, ret) {
		TH_LOG("%s/%s: \"%s\" is not a %s number", dir, name, buf,
		       fmt == ATTR_HEX ? "0x-prefixed hex" : "decimal");
	}
	return !ret;
}

/* Return the index N of a "<prefix>N" entry name, or -1. */
static long reg_index(const char *entry, const char *prefix)
{
	size_t len = strlen(prefix);
	char *end;
	long idx;

	if (strncmp(entry, prefix, len) || !isdigit((unsigned char)entry[len]))
		return -1;
	idx = strtol(entry + len, &end, 10);
	return *end ? -1 : idx;
}

/**
 * struct reg_attr - one attribute of a register directory
 * @name: file name
 * @fmt: how its value is printed
 * @min: smallest valid value (numbers only)
 * @max: largest valid value, or 0 for any
 */
struct reg_attr {
	const char		*name;
	enum attr_fmt		fmt;
	unsigned long long	min;
	unsigned long long	max;
};

/**
 * struct reg_kind - the pmcN or pmdN directories of the PMU description
 * @prefix: "pmc" or "pmd"
 * @max_regs: size of the register index space
 * @attrs: attributes each directory has
 * @nr_attrs: number of @attrs
 */
struct reg_kind {
	const char		*prefix;
	long			max_regs;
	const struct reg_attr	*attrs;
	unsigned int		nr_attrs;
};

/*
 * The contract names four files per register kind; the ABI document
 * (Documentation/ABI/testing/sysfs-kernel-perfmon) gives both kinds all
 * five, every number but width in hexadecimal with "0x".
 */
static const struct reg_attr reg_attrs[] = {
	{ .name = "name",	.fmt = ATTR_TEXT },
	{ .name = "dfl_val",	.fmt = ATTR_HEX },
	{ .name = "rsvd_msk",	.fmt = ATTR_HEX },
	{ .name = "addr",	.fmt = ATTR_HEX },
	{ .name = "width",	.fmt = ATTR_DEC, .min = 1, .max = 64 },
};

static const struct reg_kind pmc_kind = {
	.prefix		= "pmc",
	.max_regs	= PFM_MAX_PMCS,
	.attrs		= reg_attrs,
	.nr_attrs	= ARRAY_SIZE(reg_attrs),
};

static const struct reg_kind pmd_kind = {
	.prefix		= "pmd",
	.max_regs	= PFM_MAX_PMDS,
	.attrs		= reg_attrs,
	.nr_attrs	= ARRAY_SIZE(reg_attrs),
};

static void check_attr(struct __test_metadata *_metadata, const char *dir,
		       const struct reg_attr *attr)
{
	unsigned long long v;

	if (attr->fmt == ATTR_TEXT) {
		attr_is_text(_metadata, dir, attr->name);
		return;
	}
	if (!attr_u64(_metadata, dir, attr->name, attr->fmt, &v))
		return;
	EXPECT_LE(attr->min, v) {
		TH_LOG("%s/%s: %llu too small", dir, attr->name, v);
	}
	if (attr->max)
		EXPECT_GE(attr->max, v) {
			TH_LOG("%s/%s: %llu too large", dir, attr->name, v);
		}
}

/* Check every directory of @kind; return how many there are. */
static int check_regs(struct __test_metadata *_metadata,
		      const struct reg_kind *kind)
{
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned int i;
	int count = 0;
	long idx;
	DIR *d;

	d = opendir(PMU_DESC_DIR);
	EXPECT_NE(NULL, d) {
		TH_LOG("%s: %s", PMU_DESC_DIR, strerror(errno));
	}
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		idx = reg_index(de->d_name, kind->prefix);
		if (idx < 0)
			continue;
		EXPECT_GT(kind->max_regs, idx) {
			TH_LOG("%s: index beyond the register space",
			       de->d_name);
		}
		snprintf(dir, sizeof(dir), "%s/%s", PMU_DESC_DIR, de->d_name);
		for (i = 0; i < kind->nr_attrs; i++)
			check_attr(_metadata, dir, &kind->attrs[i]);
		count++;
	}
	closedir(d);
	return count;
}

TEST(version_is_2_82)
{
	char buf[ATTR_MAX];
	unsigned int maj, min;
	int n;

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_LT(0, pfm_test_read_attr(PFM_SYSFS_DIR "/version", buf,
					sizeof(buf)));
	EXPECT_STREQ("2.82\n", buf);
	n = sscanf(buf, "%u.%u", &maj, &min);
	ASSERT_EQ(2, n);
	EXPECT_EQ(PFM_VERSION_MAJ, maj);
	EXPECT_EQ(PFM_VERSION_MIN, min);
}

TEST(syscall_is_451)
{
	char buf[ATTR_MAX];

	if (!pfm_test_require(_metadata))
		return;
	ASSERT_LT(0, pfm_test_read_attr(PFM_SYSFS_DIR "/syscall", buf,
					sizeof(buf)));
	EXPECT_STREQ("451\n", buf);
	EXPECT_EQ(__NR_pfm_create_context, atoi(buf));
}

TEST(pmu_model)
{
	if (!pfm_test_require(_metadata))
		return;
	attr_is_text(_metadata, PMU_DESC_DIR, "model");
}

TEST(pmu_counter_width)
{
	unsigned long long width;

	if (!pfm_test_require(_metadata))
		return;
	if (!attr_u64(_metadata, PMU_DESC_DIR, "counter_width", ATTR_DEC,
		      &width))
		return;
	EXPECT_LE(1, width);
	EXPECT_GE(64, width);
}

TEST(pmu_pmcs)
{
	if (!pfm_test_require(_metadata))
		return;
	EXPECT_LT(0, check_regs(_metadata, &pmc_kind)) {
		TH_LOG("no pmcN directory in %s", PMU_DESC_DIR);
	}
}

TEST(pmu_pmds)
{
	if (!pfm_test_require(_metadata))
		return;
	EXPECT_LT(0, check_regs(_metadata, &pmd_kind)) {
		TH_LOG("no pmdN directory in %s", PMU_DESC_DIR);
	}
}

/* Check the mode of every file under @dir; return how many there are. */
static int check_modes(struct __test_metadata *_metadata, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int count = 0;
	int ret;
	DIR *d;

	d = opendir(dir);
	EXPECT_NE(NULL, d) {
		TH_LOG("%s: %s", dir, strerror(errno));
	}
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ret = stat(path, &st);
		EXPECT_EQ(0, ret) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		if (ret)
			continue;
		if (S_ISDIR(st.st_mode)) {
			count += check_modes(_metadata, path);
			continue;
		}
		/* The only tunable: root may change the buffer cap. */
		EXPECT_EQ(strcmp(de->d_name, "smpl_buffer_mem_max") ? 0444 :
			  0644, st.st_mode & 07777) {
			TH_LOG("%s: mode %o", path, st.st_mode & 07777);
		}
		count++;
	}
	closedir(d);
	return count;
}

/* Every file is read-only and readable by everyone. */
TEST(files_read_only)
{
	if (!pfm_test_require(_metadata))
		return;
	EXPECT_LT(0, check_modes(_metadata, PFM_SYSFS_DIR));
}

TEST_HARNESS_MAIN
