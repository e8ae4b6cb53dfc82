// SPDX-License-Identifier: GPL-2.0
/*
 * Function symbols for pfmon report.
 *
 * User code: the ELF file of a mapping, read with libelf (elfutils): its
 * STT_FUNC symbols (.symtab, else .dynsym) and its PT_LOAD segments, which
 * turn the file offset of a sampled IP (ip - map start + map offset) into
 * the ELF virtual address the symbols use; this works for PIE and
 * non-PIE executables and shared objects alike.
 *
 * Kernel code: /proc/kallsyms text symbols (t, T, w, W), read when the
 * report is made: same boot, same KASLR offset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols.h"

static struct symtab *symtab_new(const char *path)
{
	struct symtab *t = calloc(1, sizeof(*t));

	if (t)
		t->path = strdup(path);
	return t;
}

static int add_sym(struct symtab *t, int *cap, __u64 addr, __u64 size,
		   const char *name)
{
	struct sym *s;

	if (t->nsyms == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		s = realloc(t->syms, *cap * sizeof(*s));
		if (!s)
			return -1;
		t->syms = s;
	}
	s = &t->syms[t->nsyms];
	s->addr = addr;
	s->size = size;
	s->name = strdup(name);
	if (!s->name)
		return -1;
	t->nsyms++;
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* a sized symbol before an unsized alias */
	return (y->size > 0) - (x->size > 0);
}

static void symtab_sort(struct symtab *t)
{
	qsort(t->syms, t->nsyms, sizeof(*t->syms), cmp_sym);
}

static int read_segments(Elf *e, struct symtab *t)
{
	size_t n, i;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &n))
		return -1;
	t->segs = calloc(n ? n : 1, sizeof(*t->segs));
	if (!t->segs)
		return -1;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		t->segs[t->nsegs].offset = ph.p_offset;
		t->segs[t->nsegs].filesz = ph.p_filesz;
		t->segs[t->nsegs].vaddr = ph.p_vaddr;
		t->nsegs++;
	}
	return 0;
}

/* The symbol table section: .symtab if there is one, else .dynsym. */
static Elf_Scn *find_symtab(Elf *e, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	GElf_Shdr tmp, dsh;

	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &tmp))
			continue;
		if (tmp.sh_type == SHT_SYMTAB) {
			*sh = tmp;
			return scn;
		}
		if (tmp.sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
			dsh = tmp;
		}
	}
	if (dyn)
		*sh = dsh;
	return dyn;
}

static int read_functions(Elf *e, struct symtab *t)
{
	Elf_Data *data;
	GElf_Shdr sh;
	Elf_Scn *scn;
	const char *name;
	GElf_Sym sym;
	size_t i, n;
	int cap = 0, type;

	scn = find_symtab(e, &sh);
	if (!scn) {
		t->error = "no symbol table";
		return 0;
	}
	data = elf_getdata(scn, NULL);
	if (!data || !sh.sh_entsize)
		return -1;
	n = sh.sh_size / sh.sh_entsize;
	for (i = 0; i < n; i++) {
		if (!gelf_getsym(data, i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		name = elf_strptr(e, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (add_sym(t, &cap, sym.st_value, sym.st_size, name))
			return -1;
	}
	symtab_sort(t);
	return 0;
}

/**
 * symtab_elf() - the functions of an ELF file
 * @path: the file
 *
 * Return: the table (with ->error set and no symbols when the file cannot
 * be read), or NULL when out of memory.
 */
struct symtab *symtab_elf(const char *path)
{
	struct symtab *t = symtab_new(path);
	Elf *e = NULL;
	int fd;

	if (!t)
		return NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		t->error = "libelf too old";
		return t;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		t->error = strerror(errno);
		return t;
	}
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		t->error = "not an ELF file";
		goto out;
	}
	if (read_segments(e, t) || read_functions(e, t))
		t->error = elf_errmsg(-1);
out:
	if (e)
		elf_end(e);
	close(fd);
	return t;
}

/**
 * symtab_kallsyms() - the kernel's text symbols
 * @path: /proc/kallsyms, or a copy of it
 *
 * Return: the table (->error set when unreadable or hidden by
 * kptr_restrict), or NULL when out of memory.
 */
struct symtab *symtab_kallsyms(const char *path)
{
	struct symtab *t = symtab_new("[kernel]");
	unsigned long long addr;
	char line[512], name[256], type;
	int cap = 0;
	FILE *f;

	if (!t)
		return NULL;
	f = fopen(path, "re");
	if (!f) {
		t->error = strerror(errno);
		return t;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (!addr || !strchr("tTwW", type))
			continue;
		if (add_sym(t, &cap, addr, 0, name))
			break;
	}
	fclose(f);
	if (!t->nsyms)
		t->error = "no kernel symbols (kptr_restrict?)";
	symtab_sort(t);
	return t;
}

/**
 * symtab_file_vaddr() - ELF virtual address of a file offset
 * @t: the file's table
 * @offset: offset in the file
 * @vaddr: the address its PT_LOAD segment maps it at
 *
 * Return: true when a segment holds @offset.
 */
bool symtab_file_vaddr(const struct symtab *t, __u64 offset, __u64 *vaddr)
{
	int i;

	for (i = 0; i < t->nsegs; i++) {
		const struct seg *s = &t->segs[i];

		if (offset >= s->offset && offset < s->offset + s->filesz) {
			*vaddr = offset - s->offset + s->vaddr;
			return true;
		}
	}
	return false;
}

/**
 * symtab_lookup() - the function holding an address
 * @t: the table
 * @addr: the address
 *
 * Return: the symbol, or NULL.
 */
const struct sym *symtab_lookup(const struct symtab *t, __u64 addr)
{
	int lo = 0, hi = t->nsyms - 1, mid, best = -1;
	const struct sym *s;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (t->syms[mid].addr <= addr) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (best < 0)
		return NULL;
	/* among symbols at that address, the first is sized if any is */
	while (best > 0 && t->syms[best - 1].addr == t->syms[best].addr)
		best--;
	s = &t->syms[best];
	if (s->size && addr >= s->addr + s->size)
		return NULL;
	return s;
}

void symtab_free(struct symtab *t)
{
	int i;

	if (!t)
		return;
	for (i = 0; i < t->nsyms; i++)
		free(t->syms[i].name);
	free(t->syms);
	free(t->segs);
	free(t->path);
	free(t);
}
