// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: the registry of sampling formats.
 *
 * Formats are found by name. A context using a format holds a reference
 * on its module, so a format in use cannot be unregistered; each format
 * shows up as /sys/kernel/perfmon/formats/<name>/.
 */
#define pr_fmt(fmt) "perfmon: " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "internal.h"

/* Protects pfm_fmt_list. */
static DEFINE_MUTEX(pfm_fmt_lock);
static LIST_HEAD(pfm_fmt_list);

static struct pfm_smpl_fmt *pfm_fmt_find_locked(const char *name)
{
	struct pfm_smpl_fmt *fmt;

	lockdep_assert_held(&pfm_fmt_lock);
	list_for_each_entry(fmt, &pfm_fmt_list, list)
		if (!strcmp(fmt->name, name))
			return fmt;
	return NULL;
}

static int pfm_fmt_validate(const struct pfm_smpl_fmt *fmt)
{
	if (!fmt->name || !fmt->name[0] ||
	    strlen(fmt->name) >= PFM_FMT_NAME_LEN || strchr(fmt->name, '/')) {
		pr_err("sampling format with a bad name\n");
		return -EINVAL;
	}
	if (!fmt->getsize || !fmt->handler) {
		pr_err("sampling format %s: getsize or handler missing\n",
		       fmt->name);
		return -EINVAL;
	}
	if (fmt->arg_size > PFM_FMT_ARG_MAX) {
		pr_err("sampling format %s: argument of %zu bytes\n",
		       fmt->name, fmt->arg_size);
		return -EINVAL;
	}
	return 0;
}

/**
 * pfm_fmt_register - make a sampling format available by its name
 * @fmt: the format; must stay valid until pfm_fmt_unregister()
 *
 * Return: 0; -EINVAL for a malformed format; -EBUSY when the name is
 * taken; -ENOMEM when its sysfs directory cannot be created.
 */
int pfm_fmt_register(struct pfm_smpl_fmt *fmt)
{
	int ret;

	ret = pfm_fmt_validate(fmt);
	if (ret)
		return ret;
	mutex_lock(&pfm_fmt_lock);
	if (pfm_fmt_find_locked(fmt->name)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = pfm_sysfs_add_fmt(fmt);
	if (ret)
		goto out_unlock;
	list_add_tail(&fmt->list, &pfm_fmt_list);
	pr_info("sampling format \"%s\" registered\n", fmt->name);
out_unlock:
	mutex_unlock(&pfm_fmt_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(pfm_fmt_register);

/**
 * pfm_fmt_unregister - remove a sampling format
 * @fmt: the format passed to pfm_fmt_register()
 *
 * Contexts pin the module of the format they use, so a module's exit
 * never finds its format in use.
 *
 * Return: 0, or -EINVAL when @fmt is not registered.
 */
int pfm_fmt_unregister(struct pfm_smpl_fmt *fmt)
{
	int ret = 0;

	mutex_lock(&pfm_fmt_lock);
	if (pfm_fmt_find_locked(fmt->name) != fmt) {
		ret = -EINVAL;
		goto out_unlock;
	}
	list_del(&fmt->list);
	pfm_sysfs_remove_fmt(fmt);
out_unlock:
	mutex_unlock(&pfm_fmt_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(pfm_fmt_unregister);

/**
 * pfm_fmt_get - find a format by name and pin its module
 * @name: the name
 *
 * Return: the format, or NULL when none has that name or its module is
 * going away.
 */
const struct pfm_smpl_fmt *pfm_fmt_get(const char *name)
{
	struct pfm_smpl_fmt *fmt;

	mutex_lock(&pfm_fmt_lock);
	fmt = pfm_fmt_find_locked(name);
	if (fmt && !try_module_get(fmt->owner))
		fmt = NULL;
	mutex_unlock(&pfm_fmt_lock);
	return fmt;
}

/**
 * pfm_fmt_put - unpin a format found by pfm_fmt_get()
 * @fmt: the format
 */
void pfm_fmt_put(const struct pfm_smpl_fmt *fmt)
{
	module_put(fmt->owner);
}
