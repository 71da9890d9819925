// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A self-contained HTML page: the page (user/html/page.html, built in as
 * html_page.h) with the profile inline as JSON, no request to anything.
 * The data is compact (stacks as arrays) so 100,000 stacks stay small:
 *   {"hz","memory","bucket_ns","from","to","title","reports",
 *    "funcs":[[label,category,kind]...],
 *    "procs":[[label,pid,start_ns,end_ns,mlpy]...],
 *    "stacks":[[proc,samples,alloc_bytes,t,func outer...func inner]...],
 *    "base":{same, no reports}}   (the diff's first profile)
 * Every string is target-controlled: '<', '>' and '&' are written as \uXXXX
 * so no name can end the script element. */
#include <errno.h>
#include <string.h>
#include "classify.h"
#include "export.h"
#include "report.h"
#include "html_page.h"

#define DATA_MARK "@@DATA@@"

void export_json_str(struct strbuf *out, const char *s)
{
	strbuf_puts(out, "\"");
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			strbuf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
			strbuf_printf(out, "\\u%04x", c);
		else
			strbuf_append(out, s, 1);
	}
	strbuf_puts(out, "\"");
}

static const char *func_cat(const struct snap_func *f)
{
	return classify_key(classify_function(f->kind == FUNC_ML ? f->py_file : f->file,
					      f->name, f->kind == FUNC_ML,
					      f->kind == FUNC_PSEUDO));
}

static void data_json(const struct snap *s, struct strbuf *out)
{
	char label[1024];
	uint64_t from, to;
	size_t i;
	uint32_t j;

	export_window(s, &from, &to);
	strbuf_printf(out, "{\"hz\":%u,\"memory\":%u,\"bucket_ns\":%llu,\"from\":%llu,\"to\":%llu,"
		      "\"funcs\":[", s->freq_hz, s->memory, (unsigned long long)s->bucket_ns,
		      (unsigned long long)from, (unsigned long long)to);
	for (i = 0; i < s->nfuncs; i++) {
		export_func_label(&s->funcs[i], label, sizeof(label));
		strbuf_puts(out, i ? ",[" : "[");
		export_json_str(out, label);
		strbuf_puts(out, ",");
		export_json_str(out, func_cat(&s->funcs[i]));
		strbuf_printf(out, ",%u]", s->funcs[i].kind);
	}
	strbuf_puts(out, "],\"procs\":[");
	for (i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		export_proc_label(p, label, sizeof(label));
		strbuf_puts(out, i ? ",[" : "[");
		export_json_str(out, label);
		strbuf_printf(out, ",%d,%llu,%llu,%d]", p->pid, (unsigned long long)p->start_ns,
			      (unsigned long long)p->end_ns, p->mlpy);
	}
	strbuf_puts(out, "],\"stacks\":[");
	for (i = 0; i < s->nstacks; i++) {
		const struct snap_stack *st = &s->stacks[i];

		strbuf_printf(out, "%s[%u,%llu,%llu,%llu", i ? "," : "", st->proc,
			      (unsigned long long)st->samples,
			      (unsigned long long)st->alloc_bytes, (unsigned long long)st->t);
		for (j = st->nframes; j > 0; j--)
			strbuf_printf(out, ",%u", st->frames[j - 1].func);
		strbuf_puts(out, "]");
	}
	strbuf_puts(out, "]");
}

/* The data object; base NULL: with the text reports. */
static int data_obj(const struct snap *s, const struct snap *base, struct strbuf *out)
{
	static const char *const all[] = { "all" };
	struct strbuf rep = STRBUF_INIT;
	char err[256];
	int ret = export_check(s);

	if (!ret && base)
		ret = export_check(base);
	if (!ret && !base)
		ret = report_render_many(s, all, 1, REPORT_TEXT, &rep, err, sizeof(err));
	if (!ret) {
		data_json(s, out);
		strbuf_puts(out, ",\"reports\":");
		export_json_str(out, rep.buf ? rep.buf : "");
		if (base) {
			strbuf_puts(out, ",\"base\":");
			data_json(base, out);
			strbuf_puts(out, "}");
		}
		strbuf_puts(out, "}");
		ret = out->err;
	}
	strbuf_free(&rep);
	return ret;
}

int export_html_data(const struct snap *s, struct strbuf *out)
{
	return data_obj(s, NULL, out);
}

static int page(const struct snap *s, const struct snap *base, struct strbuf *out)
{
	const char *tpl = (const char *)user_html_page_html;
	const char *mark = memmem(tpl, user_html_page_html_len, DATA_MARK, strlen(DATA_MARK));
	int ret = mark ? 0 : -EINVAL;

	if (!ret) {
		strbuf_append(out, tpl, (size_t)(mark - tpl));
		ret = data_obj(s, base, out);
	}
	if (!ret) {
		mark += strlen(DATA_MARK);
		strbuf_append(out, mark, user_html_page_html_len - (size_t)(mark - tpl));
		ret = out->err;
	}
	return ret;
}

int export_html(const struct snap *s, struct strbuf *out)
{
	return page(s, NULL, out);
}

int export_html_diff(const struct snap *s, const struct snap *base, struct strbuf *out)
{
	return page(s, base, out);
}

int export_html_page(struct strbuf *out)
{
	const char *tpl = (const char *)user_html_page_html;
	const char *mark = memmem(tpl, user_html_page_html_len, DATA_MARK, strlen(DATA_MARK));
	int ret = mark ? 0 : -EINVAL;

	if (!ret) {
		strbuf_append(out, tpl, (size_t)(mark - tpl));
		mark += strlen(DATA_MARK);
		strbuf_append(out, mark, user_html_page_html_len - (size_t)(mark - tpl));
		ret = out->err;
	}
	return ret;
}
