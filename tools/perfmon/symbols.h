/* SPDX-License-Identifier: GPL-2.0 */
/*
 * symbols.h - function symbols of ELF files (libelf) and of the kernel
 * (/proc/kallsyms), for pfmon report
 */
#ifndef _PFMON_SYMBOLS_H
#define _PFMON_SYMBOLS_H

#include <stdbool.h>
#include <linux/types.h>

/**
 * struct sym - one function
 * @addr: its start (ELF virtual address, or kernel address)
 * @size: its size, 0 when unknown (it then ends at the next symbol)
 * @name: its name
 */
struct sym {
	__u64	addr;
	__u64	size;
	char	*name;
};

/**
 * struct seg - one PT_LOAD segment, to turn file offsets into addresses
 * @offset: p_offset
 * @filesz: p_filesz
 * @vaddr: p_vaddr
 */
struct seg {
	__u64	offset;
	__u64	filesz;
	__u64	vaddr;
};

/**
 * struct symtab - the functions of one file, sorted by address
 * @path: the file ("[kernel]" for kallsyms)
 * @syms: the symbols
 * @nsyms: how many
 * @segs: the loadable segments (none for the kernel)
 * @nsegs: how many
 * @error: why there are no symbols, or NULL
 */
struct symtab {
	char		*path;
	struct sym	*syms;
	int		nsyms;
	struct seg	*segs;
	int		nsegs;
	const char	*error;
};

struct symtab *symtab_elf(const char *path);
struct symtab *symtab_kallsyms(const char *path);
bool symtab_file_vaddr(const struct symtab *t, __u64 offset, __u64 *vaddr);
const struct sym *symtab_lookup(const struct symtab *t, __u64 addr);
void symtab_free(struct symtab *t);

#endif /* _PFMON_SYMBOLS_H */
