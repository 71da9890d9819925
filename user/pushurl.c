// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Pyroscope ingest URLs, target labels, backoff and intervals. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmdline.h"
#include "pushurl.h"

int pushurl_app_valid(const char *app)
{
	size_t i, n = app ? strlen(app) : 0;
	int ok = n >= 1 && n <= 100;

	for (i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)app[i]) || strchr("._-", app[i]);
	return ok;
}

int pushurl_valid(const char *url)
{
	const char *host = NULL;

	if (url && !strncmp(url, "http://", 7))
		host = url + 7;
	else if (url && !strncmp(url, "https://", 8))
		host = url + 8;
	return host && *host && *host != '/' && !strpbrk(url, " \t\r\n?#");
}

static int label_char_ok(char c)
{
	return isalnum((unsigned char)c) || strchr("._/:-", c);
}

/* Appends a label value, restricted to characters Pyroscope's series
 * names take as is. */
static void label(struct strbuf *n, const char *key, const char *v, int first)
{
	strbuf_printf(n, "%s%s=", first ? "" : ",", key);
	if (!v || !*v)
		v = "unknown";
	for (; *v; v++)
		strbuf_append(n, label_char_ok(*v) ? v : "_", 1);
}

/* Percent-encodes everything but RFC 3986's unreserved characters. */
static void pct(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (isalnum((unsigned char)*s) || strchr("-._~", *s))
			strbuf_append(out, s, 1);
		else
			strbuf_printf(out, "%%%02X", (unsigned char)*s);
	}
}

int pushurl_build(struct strbuf *out, const char *base, const char *app,
	     const struct pushurl_labels *l, uint64_t from_s, uint64_t until_s, unsigned hz)
{
	struct strbuf name = STRBUF_INIT;
	size_t n = strlen(base);
	int err;

	while (n && base[n - 1] == '/')
		n--;
	strbuf_append(out, base, n);
	if (n < 7 || strncmp(base + n - 7, "/ingest", 7))
		strbuf_puts(out, "/ingest");
	strbuf_printf(&name, "%s{", app);
	/* Sorted keys: the same series whatever the order of discovery. */
	label(&name, "host", l->host, 1);
	label(&name, "python", l->python, 0);
	label(&name, "target", l->target, 0);
	strbuf_puts(&name, "}");
	err = name.err;
	if (!err) {
		strbuf_puts(out, "?name=");
		pct(out, name.buf);
		strbuf_printf(out, "&from=%" PRIu64 "&until=%" PRIu64
				   "&format=pprof&sampleRate=%u&spyName=mlprof",
			      from_s, until_s, hz);
		err = out->err;
	}
	strbuf_free(&name);
	return err;
}

static void put_base(char *buf, size_t len, const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	const char *b = slash ? slash + 1 : path ? path : "";

	snprintf(buf, len, "%s", b);
}

/* The program a joined command line runs (arguments split at spaces: a
 * label needs no exact quoting). */
static int script_of(const char *cmdline, char *buf, size_t len)
{
	struct cmdline cl = { 0 };
	const char *t = NULL;
	char *copy = strdup(cmdline ? cmdline : "");
	size_t i, n;
	int next, is_module, found = 0;

	if (!copy)
		return 0;
	n = strlen(copy);
	for (i = 0; i < n; i++)
		if (copy[i] == ' ')
			copy[i] = '\0';
	if (n && !cmdline_parse(&cl, copy, n + 1) && cmdline_is_python(&cl))
		t = cmdline_python_target(&cl, &is_module, &next);
	if (t && *t) {
		put_base(buf, len, t);
		found = 1;
	}
	cmdline_free(&cl);
	free(copy);
	return found;
}

void pushurl_target_name(const struct snap_proc *p, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	if (p->ml_file && *p->ml_file)
		put_base(buf, len, p->ml_file);
	else if (!script_of(p->cmdline, buf, len))
		put_base(buf, len, p->comm);
	if (!buf[0])
		snprintf(buf, len, "unknown");
}

uint64_t pushurl_backoff_ms(unsigned attempt, uint64_t base_ms, uint64_t max_ms)
{
	uint64_t d = base_ms;
	unsigned i;

	for (i = 1; i < attempt && d < max_ms; i++)
		d *= 2;
	return d < max_ms ? d : max_ms;
}

int pushurl_parse_interval(const char *s, unsigned *seconds)
{
	unsigned long v, mul = 1;
	char *end;

	errno = 0;
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (!strcmp(end, "m"))
		mul = 60;
	else if (!strcmp(end, "h"))
		mul = 3600;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v < 1 || v > 86400 / mul)
		return -EINVAL;
	*seconds = (unsigned)(v * mul);
	return 0;
}
