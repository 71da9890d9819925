// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ML attribution: sandbox paste offset, .py.map source maps and `function
 * NAME(` definitions. Everything read here is controlled by the target, so
 * sizes are capped and every parse failure degrades to "no mapping". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hashmap.h"
#include "mlalign.h"
#include "mlmap.h"
#include "procmaps.h"
#include "sourcemap.h"
#include "strbuf.h"
#include "tfguard.h"
#include "tfread.h"

#define ML_FILE_MAX (16u << 20) /* .ml, .py.map and sandbox scripts */
#define GENERATED_MARK "\"\"\"Generated Python code from mlpy ML transpiler.\"\"\""
#define GENERATED_END "# End of generated code"

struct mldef {
	char *name;
	int32_t line;
};

struct mlmod {
	char *ml_path;
	struct sourcemap *map;
	struct mlalign align;  /* generated lines -> .ml lines, no map */
	int32_t align_base;    /* added to a .py line to index align */
	int32_t code_lines;    /* generated lines (.py lines 1..code_lines), 0: all */
	int32_t preamble;      /* .py lines 1..preamble are the transpiler's preamble */
	struct mldef *defs;
	size_t ndefs;
	int stale;             /* the .ml changed after the run began: no lines */
};

struct mlmap {
	int pid;
	char *script;          /* sandbox script path, or NULL */
	int32_t script_offset; /* sandbox line - offset = .py line */
	struct mlmod *program; /* pasted into the sandbox */
	struct hashmap *files; /* hash(path) -> struct file_entry */
	int64_t run_start_ns;  /* when the mlpy run began (CLOCK_REALTIME), 0 unknown */
	int stalled;           /* a read timed out: no more of this process's files */
	struct tfguard *guard; /* users whose files stalled a read, or NULL */
	char note[256];
};

/* Files already looked at (a code object's file -> its module or none). */
struct file_entry {
	char *path;
	struct mlmod *mod; /* NULL: not ML */
	struct file_entry *next; /* hash collisions */
};

/* ---- reading files as the process sees them ---- */

/* A read that timed out or was refused because its user's files stalled
 * a read lately: no more of this process's files are read, with a note. */
static void note_stall(struct mlmap *m, const char *what, const char *path, int err)
{
	if (m->stalled || (err != -ETIMEDOUT && err != -EAGAIN))
		return;
	m->stalled = 1;
	if (err == -ETIMEDOUT)
		snprintf(m->note, sizeof(m->note), "%s %s took over %d ms: this user's files are "
			 "not read for %llu min", what, path, TFREAD_TIMEOUT_MS,
			 (unsigned long long)(TFGUARD_HOLD_NS / 60000000000ULL));
	else
		snprintf(m->note, sizeof(m->note), "ML files not read: a file of this process's "
			 "user stalled a read in the last %llu min",
			 (unsigned long long)(TFGUARD_HOLD_NS / 60000000000ULL));
}

/* Everything is read as the target (tfread.c): its root, its credentials,
 * regular files only, never the host's view of a path. A read that timed
 * out (a file on a filesystem its user serves, e.g. FUSE, that never
 * answers) stops the reads of this process, and through the guard those
 * of every process of its user for a while (tfguard.h): each would hold
 * the event loop for TFREAD_TIMEOUT_MS. */
static int read_at(struct mlmap *m, const char *path, const char *shown, char **buf,
		   size_t *len, int64_t *mtime)
{
	int err = -ETIMEDOUT;

	*buf = NULL;
	*len = 0;
	if (!m->stalled)
		err = tfread_at(m->pid, path, ML_FILE_MAX, buf, len, mtime, m->guard);
	note_stall(m, "reading", shown, err);
	return err;
}

/* shown: the file as a note names it. */
static char *read_file(struct mlmap *m, const char *path, const char *shown, size_t *len,
		       int *err)
{
	char *buf;

	*err = read_at(m, path, shown, &buf, len, NULL);
	return *err ? NULL : buf;
}

static int file_exists(struct mlmap *m, const char *path)
{
	int err = m->stalled ? -ETIMEDOUT : tfread_check(m->pid, path, m->guard);

	note_stall(m, "looking up", path, err);
	return err == 0;
}

/* ---- ML modules ---- */

static void mod_free(struct mlmod *mod)
{
	size_t i;

	if (!mod)
		return;
	for (i = 0; i < mod->ndefs; i++)
		free(mod->defs[i].name);
	free(mod->defs);
	sourcemap_free(mod->map);
	mlalign_free(&mod->align);
	free(mod->ml_path);
	free(mod);
}

/* Collects `function NAME(` lines of an ML source. */
static void scan_defs(struct mlmod *mod, const char *src, size_t len)
{
	const char *p = src, *end = src + len, *nl, *q, *s;
	int32_t line = 1;
	size_t cap = 0;
	struct mldef *nd;

	for (; p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		for (q = p; q < nl && (*q == ' ' || *q == '\t'); q++)
			;
		if (nl - q < 10 || strncmp(q, "function", 8) || (q[8] != ' ' && q[8] != '\t'))
			continue;
		for (q += 8; q < nl && (*q == ' ' || *q == '\t'); q++)
			;
		for (s = q; q < nl && (*q == '_' || (*q >= 'a' && *q <= 'z') ||
				       (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'));
		     q++)
			;
		if (q == s || q >= nl)
			continue;
		if (mod->ndefs == cap) {
			cap = cap ? cap * 2 : 16;
			nd = realloc(mod->defs, cap * sizeof(*nd));
			if (!nd)
				return;
			mod->defs = nd;
		}
		mod->defs[mod->ndefs].name = strndup(s, (size_t)(q - s));
		mod->defs[mod->ndefs].line = line;
		if (mod->defs[mod->ndefs].name)
			mod->ndefs++;
	}
}

/* 1 if the source map disagrees with the alignment on more than half
 * of the lines both know exactly: a map of another program or version. */
static int map_mismatch(const struct mlmod *mod)
{
	size_t both = 0, differ = 0, i;
	int32_t a, s;

	for (i = 1; i <= mod->align.n; i++) {
		a = mlalign_line(&mod->align, (int32_t)i);
		s = a > 0 ? sourcemap_line(mod->map, (int32_t)i - mod->align_base, NULL) : -1;
		if (s <= 0)
			continue;
		both++;
		differ += s != a;
	}
	return differ * 2 > both;
}

/* Loads ml_path and, if present, py_map (its .py.map); without a usable
 * map, aligns the generated text py (its lines from_line on, NULL: none)
 * with the .ml. */
static struct mlmod *mod_load(struct mlmap *m, const char *ml_path, const char *py_map,
			      const char *py, size_t pylen, int32_t from_line)
{
	struct mlmod *mod = calloc(1, sizeof(*mod));
	char *src, *json, err[160];
	int64_t mtime = 0;
	size_t len;
	int e;

	if (!mod || !(mod->ml_path = strdup(ml_path))) {
		free(mod);
		return NULL;
	}
	e = read_at(m, ml_path, ml_path, &src, &len, &mtime);
	mod->align_base = from_line - 1; /* generated line 1 is text line from_line */
	if (src && m->run_start_ns && mtime > m->run_start_ns) {
		/* The program that runs was made from an older .ml: its lines
		 * are not this file's. Names stay, lines are unknown. */
		mod->stale = 1;
		if (!m->note[0])
			snprintf(m->note, sizeof(m->note), "%s changed after the run began; its "
				 "ML lines are unknown", ml_path);
		free(src);
		src = NULL;
		py_map = NULL;
	}
	if (py)
		mod->preamble = mlalign_preamble(py, pylen, from_line, GENERATED_MARK);
	if (src)
		scan_defs(mod, src, len);
	if (src && py && mlalign_build(&mod->align, py, pylen, from_line, src, len) &&
	    !m->note[0])
		snprintf(m->note, sizeof(m->note), "%s: out of memory aligning with the generated "
			 "Python; ML lines unknown", ml_path);
	else if (!src && !mod->stale && !m->note[0])
		snprintf(m->note, sizeof(m->note), "cannot read %s: %s; ML lines unknown", ml_path,
			 strerror(-e));
	free(src);
	json = py_map ? read_file(m, py_map, py_map, &len, &e) : NULL;
	if (json) {
		mod->map = sourcemap_parse(json, len, err, sizeof(err));
		if (!mod->map && !m->note[0])
			snprintf(m->note, sizeof(m->note),
				 "%s: %s; ML lines from function definitions only", py_map, err);
	}
	free(json);
	if (mod->map && sourcemap_anchor(mod->map, py, pylen, from_line)) {
		if (!m->note[0])
			snprintf(m->note, sizeof(m->note), "%s: its function definitions are not "
				 "in the generated Python (a map of another program or version); ML "
				 "lines from the generated Python", py_map);
		sourcemap_free(mod->map);
		mod->map = NULL;
	}
	if (mod->map && mod->align.mapped && map_mismatch(mod)) {
		if (!m->note[0])
			snprintf(m->note, sizeof(m->note), "%s does not match %s (its lines disagree "
				 "with the generated Python); ML lines from the generated Python",
				 py_map, ml_path);
		sourcemap_free(mod->map);
		mod->map = NULL;
	}
	return mod;
}

/* "dir/x.py" -> "dir/x" + suffix */
static char *swap_ext(const char *path, const char *from, const char *to)
{
	size_t n = strlen(path), f = strlen(from);
	char *out;

	if (n < f || strcmp(path + n - f, from))
		return NULL;
	out = malloc(n - f + strlen(to) + 1);
	if (out) {
		memcpy(out, path, n - f);
		strcpy(out + n - f, to);
	}
	return out;
}

/* ---- the map of one process ---- */

struct mlmap *mlmap__new(int pid)
{
	struct mlmap *m = calloc(1, sizeof(*m));

	if (!m || !(m->files = hashmap__new(NULL, NULL))) {
		free(m);
		errno = ENOMEM;
		return NULL;
	}
	m->pid = pid;
	return m;
}

void mlmap__set_guard(struct mlmap *m, struct tfguard *g)
{
	if (m)
		m->guard = g;
}

static int free_entries(uint64_t key, void *value, void *ctx)
{
	struct file_entry *e = value, *next;

	(void)key;
	(void)ctx;
	for (; e; e = next) {
		next = e->next;
		mod_free(e->mod);
		free(e->path);
		free(e);
	}
	return 0;
}

void mlmap__free(struct mlmap *m)
{
	if (!m)
		return;
	hashmap__for_each(m->files, free_entries, NULL);
	hashmap__free(m->files);
	mod_free(m->program);
	free(m->script);
	free(m);
}

const char *mlmap__note(const struct mlmap *m)
{
	return m->note;
}

const char *mlmap__lines_from(const struct mlmap *m)
{
	const struct mlmod *p = m ? m->program : NULL;

	if (!p)
		return "";
	if (p->stale)
		return "none";
	if (p->map)
		return "source map";
	return p->align.mapped ? "generated Python" : "definitions";
}

int mlmap__is_sandbox(const struct mlmap *m, const char *file)
{
	return m->script && !strcmp(m->script, file);
}

/* Line (1-based) of the first line starting with mark at or after line
 * `from`, -1 if none; *at receives its offset in src. */
static int32_t find_mark(const char *src, size_t len, int32_t from, const char *mark,
			 size_t *at)
{
	const char *p = src, *end = src + len, *nl, *q;
	int32_t line = 1;

	for (; p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		for (q = p; q < nl && *q == ' '; q++)
			;
		if (line >= from && (size_t)(nl - q) >= strlen(mark) &&
		    !strncmp(q, mark, strlen(mark))) {
			*at = (size_t)(p - src);
			return line;
		}
	}
	return -1;
}

int mlmap__set_sandbox(struct mlmap *m, const char *script, const char *ml_path,
			int64_t run_start_ns)
{
	char *src, *py_map;
	size_t len, at = 0;
	int32_t line, end;
	int err;

	m->run_start_ns = run_start_ns;
	/* Notes do not name the script: a temporary file of mlpy's, of no use
	 * in an ML report (the raw report has the process's command line). */
	src = read_file(m, script, "the sandbox's script", &len, &err);
	if (!src && err == -ENOENT)
		snprintf(m->note, sizeof(m->note), "the sandbox's script was deleted before it "
			 "could be read (the sandbox had exited): its ML code is not named");
	else if (!src && !m->note[0])
		snprintf(m->note, sizeof(m->note), "cannot read the sandbox's script: %s",
			 strerror(-err));
	if (!src)
		return err;
	line = find_mark(src, len, 1, GENERATED_MARK, &at);
	end = line < 0 ? -1 : find_mark(src, len, line, GENERATED_END, &at);
	if (end > 0) /* the template after the program is not aligned */
		len = at;
	if (line < 0) {
		free(src);
		snprintf(m->note, sizeof(m->note), "%s holds no transpiled ML program", script);
		return -ENOENT;
	}
	m->script = strdup(script);
	m->script_offset = line - 1;
	if (ml_path) {
		py_map = swap_ext(ml_path, ".ml", ".py.map");
		m->program = mod_load(m, ml_path, py_map, src, len, line);
		if (m->program && end > 0)
			m->program->code_lines = end - line + 1;
		free(py_map);
	}
	free(src);
	return m->script ? 0 : -ENOMEM;
}

static struct mlmod *module_of_py(struct mlmap *m, const char *file)
{
	uint64_t h = hashmap_hash_bytes(file, strlen(file), 0);
	struct file_entry *head = hashmap__find(m->files, h), *e;
	char *ml, *map;

	for (e = head; e; e = e->next) {
		if (!strcmp(e->path, file))
			return e->mod;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->path = strdup(file))) {
		free(e);
		return NULL;
	}
	ml = swap_ext(file, ".py", ".ml");
	if (ml && file_exists(m, ml)) {
		size_t len = 0;
		int rerr;
		char *py = read_file(m, file, file, &len, &rerr);

		map = swap_ext(file, ".py", ".py.map");
		e->mod = mod_load(m, ml, map && file_exists(m, map) ? map : NULL, py, len, 1);
		free(map);
		free(py);
	}
	free(ml);
	e->next = head;
	if (hashmap__set(m->files, h, e, NULL)) {
		mod_free(e->mod);
		free(e->path);
		free(e);
		return NULL;
	}
	return e->mod;
}

const struct mlmod *mlmap__module(struct mlmap *m, const char *file, int32_t firstlineno,
				  int32_t *offset)
{
	*offset = 0;
	if (mlmap__is_sandbox(m, file)) {
		/* main() wraps the pasted program: its own first line is in the
		 * template, but its samples in the paste are ML top-level code. */
		*offset = m->script_offset;
		return m->program;
	}
	(void)firstlineno;
	if (file[0] != '/')
		return NULL;
	return module_of_py(m, file);
}

const char *mlmap_mod_path(const struct mlmod *mod)
{
	return mod->ml_path;
}

int32_t mlmap_mod_line(const struct mlmod *mod, int32_t py_line)
{
	if (py_line < 1)
		return -1;
	if (mod->map)
		return sourcemap_line_near(mod->map, py_line, NULL);
	return mlalign_line(&mod->align, py_line + mod->align_base);
}

int mlmap_mod_in_code(const struct mlmod *mod, int32_t py_line)
{
	return py_line >= 1 && (!mod->code_lines || py_line <= mod->code_lines);
}

int mlmap_mod_in_preamble(const struct mlmod *mod, int32_t py_line)
{
	return py_line >= 1 && py_line <= mod->preamble;
}

int32_t mlmap_mod_def_line(const struct mlmod *mod, const char *name, int32_t py_line)
{
	int32_t at = mlmap_mod_line(mod, py_line), line = -1, first = -1;
	size_t i;

	/* Only a `function NAME(` line is a definition: the one the map or
	 * alignment gives, else the nearest one of that name before it (a
	 * def line mapped into the function's body), else the first. */
	for (i = 0; i < mod->ndefs; i++) {
		if (strcmp(mod->defs[i].name, name))
			continue;
		if (first < 0)
			first = mod->defs[i].line;
		if (at > 0 && mod->defs[i].line <= at)
			line = mod->defs[i].line;
	}
	return line > 0 ? line : first;
}
