// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Interpreter inspection: /proc/PID/maps -> the python binary or libpython
 * -> ELF symbols -> version and layout. Files are opened through
 * /proc/PID/map_files (or /proc/PID/root), so a process in another mount
 * namespace is read as it sees itself. */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "elfread.h"
#include "hashmap.h"
#include "inspect.h"
#include "procmaps.h"
#include "where.h"
#include "pylayout.h"

/* What one interpreter file says about itself. */
struct pybin {
	enum inspect_status status; /* INSPECT_OK, INSPECT_NOT_PYTHON or INSPECT_UNSUPPORTED */
	char message[160];
	uint32_t version_hex;
	uint64_t runtime_vaddr;
	uint64_t code_type_vaddr;
	int elf_type;
	struct elfread_load loads[ELFREAD_MAX_LOADS];
	size_t nloads;
	struct mlprof_layout layout;
};

struct inspector {
	struct hashmap *bins; /* (dev, inode) -> struct pybin */
};

struct inspector *inspector__new(void)
{
	struct inspector *in = calloc(1, sizeof(*in));

	if (!in || !(in->bins = hashmap__new(NULL, NULL))) {
		free(in);
		errno = ENOMEM;
		return NULL;
	}
	return in;
}

static int free_bin(uint64_t key, void *value, void *ctx)
{
	(void)key;
	(void)ctx;
	free(value);
	return 0;
}

void inspector__free(struct inspector *in)
{
	if (!in)
		return;
	hashmap__for_each(in->bins, free_bin, NULL);
	hashmap__free(in->bins);
	free(in);
}

const char *inspect_status_str(enum inspect_status status)
{
	switch (status) {
	case INSPECT_OK:
		return "ok";
	case INSPECT_NOT_READY:
		return "pending";
	case INSPECT_NOT_PYTHON:
		return "not-python";
	case INSPECT_UNSUPPORTED:
		return "unsupported";
	case INSPECT_GONE:
		return "exited";
	default:
		return "error";
	}
}

/* Reads version, runtime address and layout out of an ELF file. */
static void examine_elf(struct elfread *ef, struct pybin *b)
{
	uint64_t ver_addr, v = 0, size;
	uint8_t blob[PYLAYOUT_DEBUG_BLOB];
	int64_t basicsize = 0, itemsize = 0;
	const struct elfread_load *loads;
	int err;

	b->elf_type = elfread_type(ef);
	b->nloads = elfread_loads(ef, &loads);
	memcpy(b->loads, loads, b->nloads * sizeof(*loads));
	if (elfread_symbol(ef, "_PyRuntime", &b->runtime_vaddr, NULL) &&
	    elfread_section(ef, ".PyRuntime", &b->runtime_vaddr, NULL)) {
		b->status = INSPECT_NOT_PYTHON;
		snprintf(b->message, sizeof(b->message), "no _PyRuntime: not a CPython 3.7+ binary");
		if (!elfread_symbol(ef, "Py_Initialize", &v, NULL)) {
			b->status = INSPECT_UNSUPPORTED;
			snprintf(b->message, sizeof(b->message),
				 "CPython older than 3.7: not supported (3.11 to 3.15 are)");
		}
		return;
	}
	b->status = INSPECT_UNSUPPORTED;
	if (elfread_symbol(ef, "Py_Version", &ver_addr, NULL) ||
	    elfread_read(ef, ver_addr, &v, sizeof(v))) {
		snprintf(b->message, sizeof(b->message),
			 "CPython older than 3.11 (no Py_Version): not supported");
		return;
	}
	b->version_hex = (uint32_t)v;
	if (elfread_symbol(ef, "PyCode_Type", &b->code_type_vaddr, NULL) ||
	    elfread_read(ef, b->code_type_vaddr + 32, &basicsize, sizeof(basicsize)) ||
	    elfread_read(ef, b->code_type_vaddr + 40, &itemsize, sizeof(itemsize))) {
		snprintf(b->message, sizeof(b->message), "no PyCode_Type symbol");
		return;
	}
	memset(blob, 0, sizeof(blob));
	size = sizeof(blob);
	while (size >= 8 && elfread_read(ef, b->runtime_vaddr, blob, size))
		size /= 2;
	err = pylayout_plausible(blob, size >= 8 ? size : 0, itemsize);
	if (err)
		b->status = INSPECT_NOT_PYTHON;
	if (!err)
		err = pylayout_derive(b->version_hex, blob, size >= 8 ? size : 0, &b->layout);
	if (!err && (uint64_t)basicsize != b->layout.co_code_adaptive)
		err = PYLAYOUT_CODE_SIZE_MISMATCH;
	if (err) {
		snprintf(b->message, sizeof(b->message), "%s", pylayout_strerror(err));
		return;
	}
	b->status = INSPECT_OK;
	b->message[0] = '\0';
}

static uint64_t bin_key(const struct mapping *m)
{
	return ((uint64_t)makedev(m->dev_major, m->dev_minor) << 40) ^ m->inode;
}

/* Opens the mapped file as the process sees it. */
static struct elfread *open_mapped(int pid, const struct mapping *m)
{
	char path[4200];
	struct elfread *ef;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	ef = elfread_open(path);
	if (!ef && m->path[0] == '/') {
		snprintf(path, sizeof(path), "/proc/%d/root%s", pid, m->path);
		ef = elfread_open(path);
	}
	return ef;
}

static struct pybin *get_bin(struct inspector *in, int pid, const struct mapping *m, int *err)
{
	struct pybin *b = hashmap__find(in->bins, bin_key(m));
	struct elfread *ef;

	*err = 0;
	if (b)
		return b;
	ef = open_mapped(pid, m);
	if (!ef) {
		*err = -errno;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		*err = -ENOMEM;
	} else {
		examine_elf(ef, b);
		*err = hashmap__set(in->bins, bin_key(m), b, NULL);
		if (*err) {
			free(b);
			b = NULL;
		}
	}
	elfread_close(ef);
	return b;
}

/* Which mapping to try first: libpython, then the executable. */
static int candidate_rank(const struct mapping *m, uint64_t exe_ino)
{
	const char *base = procmaps_basename(m->path);

	if (!m->inode || m->path[0] != '/')
		return 0;
	if (!strncmp(base, "libpython3", 10))
		return 2;
	if (m->inode == exe_ino)
		return 1;
	return 0;
}

static int fill_ok(struct inspect_result *res, const struct pybin *b, const struct mapping *m)
{
	uint64_t bias;

	if (elfread_loads_bias(b->loads, b->nloads, b->elf_type, m->start, m->offset, &bias)) {
		res->status = INSPECT_ERROR;
		snprintf(res->message, sizeof(res->message), "%s: mapping matches no segment",
			 m->path);
		return -1;
	}
	res->status = INSPECT_OK;
	res->version_hex = b->version_hex;
	pylayout_version_str(b->version_hex, res->version, sizeof(res->version));
	res->runtime = b->runtime_vaddr + bias;
	res->code_type = b->code_type_vaddr + bias;
	res->layout = b->layout;
	snprintf(res->binary, sizeof(res->binary), "%s", m->path);
	return 0;
}

static uint64_t exe_inode(int pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* The process maps no interpreter: is one on its way (libpython not yet
 * loaded by ld.so), or is this not Python at all? */
static void classify_other(int pid, struct inspect_result *res)
{
	char path[64];
	struct elfread *ef;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	ef = elfread_open(path);
	if (ef && elfread_needs(ef, "libpython3")) {
		res->status = INSPECT_NOT_READY;
		snprintf(res->message, sizeof(res->message), "libpython not loaded yet");
	} else if (!ef && (errno == ENOENT || errno == ESRCH)) {
		res->status = INSPECT_GONE;
		snprintf(res->message, sizeof(res->message), "process exited during inspection");
	} else {
		res->status = INSPECT_NOT_PYTHON;
		snprintf(res->message, sizeof(res->message), "no CPython runtime in the process");
	}
	elfread_close(ef);
}

static int status_errno(enum inspect_status status)
{
	switch (status) {
	case INSPECT_OK:
		return 0;
	case INSPECT_NOT_READY:
		return -EAGAIN;
	case INSPECT_GONE:
		return -ESRCH;
	case INSPECT_NOT_PYTHON:
	case INSPECT_UNSUPPORTED:
		return -ENOTSUP;
	default:
		return -EIO;
	}
}

int inspector__inspect(struct inspector *in, int pid, struct inspect_result *res)
{
	struct mapping *maps = NULL;
	const struct mapping *best = NULL;
	const struct mapping *unreadable = NULL;
	struct pybin *b = NULL, *cand;
	size_t n = 0, i;
	uint64_t exe_ino;
	int err, pass, unreadable_err = 0;

	memset(res, 0, sizeof(*res));
	exe_ino = exe_inode(pid);
	err = procmaps_read(pid, &maps, &n);
	if (err) {
		res->status = (err == -ENOENT || err == -ESRCH) ? INSPECT_GONE : INSPECT_ERROR;
		snprintf(res->message, sizeof(res->message), "reading /proc/%d/maps: %s", pid,
			 strerror(-err));
		return status_errno(res->status);
	}
	/* libpython first (the executable may only be a launcher), then the
	 * executable itself. */
	for (pass = 2; pass >= 1 && !best; pass--) {
		for (i = 0; i < n && !best; i++) {
			if (candidate_rank(&maps[i], exe_ino) != pass)
				continue;
			cand = get_bin(in, pid, &maps[i], &err);
			if (cand && cand->status != INSPECT_NOT_PYTHON) {
				best = &maps[i];
				b = cand;
			} else if (!cand && !unreadable && (err == -ENOEXEC || err == -EPROTONOSUPPORT)) {
				unreadable = &maps[i];
				unreadable_err = err;
			} else if (cand && pass == 2 && !unreadable) {
				/* libpython without a runtime symbol */
				unreadable = &maps[i];
				unreadable_err = -ENOENT;
			}
		}
	}
	if (!best && unreadable) {
		res->status = INSPECT_ERROR;
		snprintf(res->message, sizeof(res->message), "%s: %s", unreadable->path,
			 unreadable_err == -ENOEXEC ? "not a readable ELF file (corrupted?)"
			 : unreadable_err == -ENOENT
				 ? "no _PyRuntime symbol or section (stripped or corrupted?)"
				 : "not an ELF64 file of this machine");
		snprintf(res->binary, sizeof(res->binary), "%s", unreadable->path);
	} else if (!best) {
		classify_other(pid, res);
	} else if (b->status != INSPECT_OK) {
		res->status = b->status;
		res->version_hex = b->version_hex;
		if (b->version_hex)
			pylayout_version_str(b->version_hex, res->version, sizeof(res->version));
		snprintf(res->message, sizeof(res->message), "%s", b->message);
		snprintf(res->binary, sizeof(res->binary), "%s", best->path);
	} else if (!fill_ok(res, b, best)) {
		where_text_range(maps, n, best, &res->text_lo, &res->text_hi);
	}
	procmaps_free(maps, n);
	return status_errno(res->status);
}
