// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mlprofctl: asks mlprofd for status and profiles and renders reports. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "diff.h"
#include "safefile.h"
#include "export.h"
#include "proto.h"
#include "report.h"
#include "snapshot.h"
#include "strbuf.h"
#include "timefmt.h"

#define MAX_REPORTS 8
/* Replies (snapshots) can be large; refuse absurd ones. */
#define MAX_REPLY (1024UL * 1024 * 1024)

struct ctl_opts {
	const char *socket_path;
	const char *reports[MAX_REPORTS];
	int nreports;
	enum report_format format;
	const char *output;
	const char *input;
	int32_t pid;
	const char *since; /* --since/--until as given (timefmt.h timefmt_parse_time_spec) */
	const char *until;
	int last;
	int html; /* --format html */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: mlprofctl [-s SOCKET] COMMAND [OPTIONS]\n"
"\n"
"Commands:\n"
"  status                 what mlprofd is doing: targets, counters, drops\n"
"  reset                  forget all profiles collected so far\n"
"  report [TYPE]...       render report(s) (default ml-summary); TYPE is one of:\n"
"                         ml-summary, ml-details, dev-summary, dev-details, raw, all\n"
"  snapshot               save the raw profile snapshot (JSON) for later\n"
"  diff A B               per-function change from A to B, largest change first;\n"
"                         A and B are each a snapshot file, \"-\" (the daemon's\n"
"                         profile) or @SINCE..UNTIL, a time range of the\n"
"                         daemon's history (of the -i FILE if given): SINCE and\n"
"                         UNTIL take the --since forms, either may be left out\n"
"                         (@30m..10m, @10m = from 10m ago to now, @..1h); whole\n"
"                         buckets (mlprofd --bucket) are compared.\n"
"                         --format text|json|html (html: a differential flame\n"
"                         graph, red slower, blue faster)\n"
"  export FORMAT          the profile for other tools (same scoping options as report);\n"
"                         FORMAT is one of:\n"
"                         collapsed   folded stacks (FlameGraph, inferno, speedscope)\n"
"                         speedscope  speedscope JSON (https://www.speedscope.app)\n"
"                         pprof       gzipped pprof protobuf (go tool pprof, Pyroscope)\n"
"  help                   this help\n"
"\n"
"Options:\n"
"  -s, --socket PATH      mlprofd's socket (default " PROTO_DEFAULT_SOCKET ")\n"
"  -r, --report TYPE      a report type (same as the TYPE argument; repeatable)\n"
"  -f, --format text|json|html  output format (default text); html: one\n"
"                         self-contained page (flame graph, timeline, reports)\n"
"  -o, --output FILE      write to FILE instead of stdout\n"
"  -p, --pid PID          only this process and the processes it started\n"
"      --since TIME       only samples from TIME on: a duration before now (30s,\n"
"                         5m, 2h), a UTC time (2026-11-24T19:00:00Z) or Unix\n"
"                         seconds; whole time buckets (mlprofd --bucket) are\n"
"                         selected and the report says which range it covers\n"
"      --until TIME       only samples before TIME (same forms; default now)\n"
"      --last             only the most recent finished mlpy run\n"
"  -i, --input FILE       render from a saved snapshot instead of the daemon\n"
"                         (mlprofctl snapshot, mlprofd --save, or one of the\n"
"                         periodic files of mlprofd --snapshot-dir)\n"
"\n"
"Examples:\n"
"  mlprofctl status\n"
"  mlprofctl report                  # ml-summary of everything since start/reset\n"
"  mlprofctl report ml-details --last\n"
"  mlprofctl report all --output report.txt\n"
"  mlprofctl report raw\n"
"  mlprofctl report raw --pid 4242 --format json --output prof.json\n"
"  mlprofctl report raw --since 10m --until 2m\n"
"  mlprofctl report dev-summary --since 2026-11-24T19:00:00Z --until 2026-11-24T20:00:00Z\n"
"  mlprofctl snapshot -o before.json && mlprofctl report raw -i before.json\n"
"  mlprofctl report ml-summary -i /var/lib/mlprof/mlprof-20261124T190500Z.json\n"
"  mlprofctl export pprof --last -o run.pb.gz && go tool pprof -top run.pb.gz\n"
"  mlprofctl export collapsed -o run.folded && flamegraph.pl run.folded > run.svg\n"
"  mlprofctl export speedscope --since 5m -o recent.speedscope.json\n"
"  mlprofctl export pprof -i before.json -p 4242 -o prof.pb.gz\n"
"  mlprofctl diff before.json -                   # a saved snapshot vs now\n"
"  mlprofctl diff @2h..1h @1h                     # the last hour vs the one before\n"
"  mlprofctl diff @2026-11-24T19:00:00Z..2026-11-24T19:10:00Z @10m -f html -o d.html\n"
"  mlprofctl diff -i day.json @24h..12h @12h      # ranges of a saved snapshot\n");
}

static int die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "mlprofctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see mlprofctl help)\n");
	return 2;
}

/* ---- talking to the daemon ---- */

static int connect_daemon(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "mlprofctl: socket path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int err = errno;

		fprintf(stderr, "mlprofctl: cannot reach mlprofd at %s: %s%s\n", path, strerror(err),
			err == ENOENT || err == ECONNREFUSED ? " (is mlprofd running?)"
			: err == EACCES ? " (run as root or as a member of the socket's group)"
					: "");
		if (fd >= 0)
			close(fd);
		return -err;
	}
	return fd;
}

/* Sends one request and reads one reply line into *reply. */
static int request(const char *path, const struct proto_request *req, struct strbuf *reply)
{
	char *line = proto_request_line(req), buf[65536];
	size_t len, off = 0;
	ssize_t n;
	int fd, err = 0;

	if (!line)
		return -ENOMEM;
	fd = connect_daemon(path);
	if (fd < 0) {
		free(line);
		return fd;
	}
	len = strlen(line);
	while (!err && off < len) {
		n = send(fd, line + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	while (!err) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -ECONNRESET;
			break;
		}
		if (strbuf_append(reply, buf, (size_t)n) || reply->len > MAX_REPLY)
			err = -ENOMEM;
		else if (memchr(buf, '\n', (size_t)n))
			break;
	}
	if (err)
		fprintf(stderr, "mlprofctl: talking to mlprofd failed: %s\n", strerror(-err));
	close(fd);
	free(line);
	return err;
}

/* Runs a request; on success *root owns the reply and *payload is in it. */
static int call(const struct ctl_opts *o, const struct proto_request *req, const char *key,
		cJSON **root, cJSON **payload)
{
	struct strbuf reply = STRBUF_INIT;
	char err[512];
	int ret = request(o->socket_path, req, &reply);

	if (!ret) {
		ret = proto_parse_reply(reply.buf, reply.len, key, root, payload, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "mlprofctl: mlprofd: %s\n", err);
			cJSON_Delete(*root);
			*root = NULL;
		}
	}
	strbuf_free(&reply);
	return ret;
}

/* ---- output ---- */

static int emit_bytes(const struct ctl_opts *o, const char *data, size_t len)
{
	FILE *f = stdout;
	int err = 0;

	if (o->output) {
		f = safefile_fopen(o->output, 0);
		if (!f) {
			fprintf(stderr, "mlprofctl: cannot write %s: %s\n", o->output, strerror(errno));
			return -errno;
		}
	}
	if (fwrite(data, 1, len, f) != len || fflush(f))
		err = -EIO;
	if (f != stdout && fclose(f))
		err = -EIO;
	if (err)
		fprintf(stderr, "mlprofctl: writing %s failed\n", o->output ? o->output : "stdout");
	else if (o->output)
		fprintf(stderr, "mlprofctl: written to %s\n", o->output);
	return err;
}

static int emit(const struct ctl_opts *o, const char *text)
{
	return emit_bytes(o, text, strlen(text));
}

/* ---- commands ---- */

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* --snapshot-dir and --log of a daemon run as a service. */
static void status_service_text(const cJSON *st, struct strbuf *out)
{
	const cJSON *sn = cJSON_GetObjectItemCaseSensitive(st, "snapshots");
	const cJSON *lg = cJSON_GetObjectItemCaseSensitive(st, "log");

	if (lg)
		strbuf_printf(out, "log: %s%s%s\n", jstr(lg, "file"),
			      *jstr(lg, "error") ? ", reopen failed: " : "", jstr(lg, "error"));
	if (!sn)
		return;
	strbuf_printf(out, "snapshots: %s every %.0f s, keep %.0f s%s: %.0f written (last %s, "
			   "%.0f bytes), %.0f failed, %.0f removed\n",
		      jstr(sn, "dir"), jnum(sn, "interval_s"), jnum(sn, "keep_s"),
		      jnum(sn, "keep_s") ? "" : " (all)", jnum(sn, "written"),
		      *jstr(sn, "last_file") ? jstr(sn, "last_file") : "-", jnum(sn, "last_bytes"),
		      jnum(sn, "failed"), jnum(sn, "removed"));
	if (jnum(sn, "failing"))
		strbuf_printf(out, "snapshots FAILING: the last %.0f write(s) failed at %s: %s\n",
			      jnum(sn, "failing"), jstr(sn, "last_error_step"), jstr(sn, "last_error"));
}

static void status_text(const cJSON *st, struct strbuf *out)
{
	const cJSON *dm = cJSON_GetObjectItemCaseSensitive(st, "daemon");
	const cJSON *ct = cJSON_GetObjectItemCaseSensitive(st, "counters");
	const cJSON *tg = cJSON_GetObjectItemCaseSensitive(st, "targets"), *t;

	strbuf_printf(out, "mlprofd pid %.0f: %s targets at %.0f Hz, up %.1f s, CPU %.2f s, RSS %.0f KiB\n",
		      jnum(dm, "pid"), jstr(dm, "mode"), jnum(dm, "freq_hz"), jnum(dm, "uptime_s"),
		      jnum(dm, "cpu_s"), jnum(dm, "rss_kb"));
	strbuf_printf(out, "kept: %.0f processes, %.0f stacks, %.0f functions\n",
		      jnum(dm, "processes_kept"), jnum(dm, "stacks_kept"), jnum(dm, "functions_kept"));
	strbuf_printf(out, "samples %.0f, dropped %.0f (ring buffer) + %.0f (tables), truncated %.0f, "
			   "read errors %.0f, unresolved frames %.0f\n",
		      jnum(ct, "samples"), jnum(ct, "sample_drops"), jnum(ct, "lost_samples"),
		      jnum(ct, "truncated"), jnum(ct, "read_errors"), jnum(ct, "unresolved_frames"));
	if (cJSON_GetObjectItemCaseSensitive(st, "http")) {
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(st, "http");

		strbuf_printf(out, "http: %s, %.0f requests, %.0f profiles served, %.0f refused (busy)\n",
			      jstr(h, "listen"), jnum(h, "requests"), jnum(h, "profiles"),
			      jnum(h, "rejected"));
	}
	if (cJSON_GetObjectItemCaseSensitive(st, "push")) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(st, "push");

		strbuf_printf(out, "push: %s as %s every %.0f s: sent %.0f, failed %.0f, retries %.0f, "
				   "dropped %.0f (queue full), queued %.0f\n",
			      jstr(p, "url"), jstr(p, "app"), jnum(p, "interval_s"), jnum(p, "sent"),
			      jnum(p, "failed"), jnum(p, "retries"), jnum(p, "dropped"),
			      jnum(p, "queued"));
	}
	status_service_text(st, out);
	strbuf_printf(out, "history: %.0f buckets of %.0f s kept (retention %.0f s), %.0f counts\n"
			   "dropped: %.0f buckets (%.0f before the retention: tables full) holding "
			   "%.0f samples; %.0f processes (%.0f samples): process table full\n",
		      jnum(dm, "buckets_kept"), jnum(dm, "bucket_s"), jnum(dm, "retention_s"),
		      jnum(dm, "entries_kept"), jnum(ct, "evicted_buckets"),
		      jnum(ct, "cap_evicted_buckets"), jnum(ct, "evicted_bucket_samples"),
		      jnum(ct, "evicted_procs"), jnum(ct, "evicted_samples"));
	strbuf_printf(out, "freed after their buckets: %.0f stacks, %.0f processes, %.0f functions\n",
		      jnum(ct, "expired_stacks"), jnum(ct, "expired_procs"), jnum(ct, "expired_funcs"));
	strbuf_printf(out, "\nlive targets (%d):\n", cJSON_GetArraySize(tg));
	strbuf_printf(out, "%8s %8s  %-10s %-12s %9s  %s\n", "PID", "PPID", "PYTHON", "STATUS",
		      "SAMPLES", "COMMAND");
	cJSON_ArrayForEach(t, tg) {
		const char *msg;

		strbuf_printf(out, "%8.0f %8.0f  %-10s %-12s %9.0f  %s\n", jnum(t, "pid"),
			      jnum(t, "ppid"), *jstr(t, "python") ? jstr(t, "python") : "-",
			      jstr(t, "status"), jnum(t, "samples"), jstr(t, "command"));
		msg = jstr(t, "message");
		if (*msg)
			strbuf_printf(out, "%8s %8s  %s\n", "", "", msg);
	}
}

static int cmd_status(const struct ctl_opts *o)
{
	struct proto_request req = { .cmd = PROTO_STATUS };
	struct strbuf out = STRBUF_INIT;
	cJSON *root = NULL, *st;
	char *txt = NULL;
	int err = call(o, &req, "status", &root, &st);

	if (!err && o->format == REPORT_JSON) {
		txt = cJSON_Print(st);
		err = txt ? emit(o, txt) : -ENOMEM;
		if (txt)
			emit(o, "\n") ;
	} else if (!err) {
		status_text(st, &out);
		err = out.err ? out.err : emit(o, out.buf);
	}
	free(txt);
	strbuf_free(&out);
	cJSON_Delete(root);
	return err ? 1 : 0;
}

static int cmd_reset(const struct ctl_opts *o)
{
	struct proto_request req = { .cmd = PROTO_RESET };
	cJSON *root = NULL, *r;
	int err = call(o, &req, "reset", &root, &r);

	if (!err)
		printf("mlprofd: profiles cleared\n");
	cJSON_Delete(root);
	return err ? 1 : 0;
}

static char *read_file(const char *path, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(stderr, "mlprofctl: cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_append(&sb, buf, n);
	if (ferror(f)) {
		fprintf(stderr, "mlprofctl: reading %s failed\n", path);
		strbuf_free(&sb);
	}
	fclose(f);
	*len = sb.len;
	return strbuf_detach(&sb);
}

static int64_t wall_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --since/--until as wall-clock ns against now_real (0: not given).
 * 0 or -EINVAL (message printed). */
static int resolve_range(const struct ctl_opts *o, int64_t now_real, int64_t *from, int64_t *to)
{
	*from = *to = 0;
	if (o->since && timefmt_parse_time_spec(o->since, now_real, from)) {
		fprintf(stderr, "mlprofctl: invalid --since '%s'\n", o->since);
		return -EINVAL;
	}
	if (o->until && timefmt_parse_time_spec(o->until, now_real, to)) {
		fprintf(stderr, "mlprofctl: invalid --until '%s'\n", o->until);
		return -EINVAL;
	}
	if (*from && *to && *to <= *from) {
		fprintf(stderr, "mlprofctl: --until (%s) is not after --since (%s)\n", o->until,
			o->since);
		return -EINVAL;
	}
	return 0;
}

/* The snapshot request: the range as seconds before the daemon's now. */
static int snapshot_request(const struct ctl_opts *o, struct proto_request *req)
{
	int64_t now = wall_now_ns(), from, to;
	int err = resolve_range(o, now, &from, &to);

	memset(req, 0, sizeof(*req));
	req->cmd = PROTO_SNAPSHOT;
	req->pid = o->pid;
	if (!err && from)
		req->since_s = from < now ? (double)(now - from) / 1e9 : 1e-6;
	if (!err && to)
		req->until_s = to < now ? (double)(now - to) / 1e9 : 0;
	return err;
}

/* Loads the snapshot from the daemon or from --input. */
static int load_snapshot(const struct ctl_opts *o, struct snap *s)
{
	struct proto_request req;
	struct snap_scope scope = { .pid = o->pid };
	int64_t from, to;
	cJSON *root = NULL, *obj = NULL;
	char err[256], *data;
	size_t len = 0;
	int ret;

	if (o->input) {
		/* A file is taken apart one element at a time (snap_from_text):
		 * a whole cJSON tree costs 15-17 times the file. */
		data = read_file(o->input, &len);
		if (!data)
			return -EIO;
		ret = snap_from_text(data, len, s, err, sizeof(err));
		free(data);
	} else {
		ret = snapshot_request(o, &req);
		ret = ret ? ret : call(o, &req, "snapshot", &root, &obj);
		if (ret)
			return ret;
		ret = snap_from_json(obj, s, err, sizeof(err));
	}
	if (ret)
		fprintf(stderr, "mlprofctl: %s%s%s\n", o->input ? o->input : "", o->input ? ": " : "",
			err);
	if (!ret && o->input) {
		/* The daemon scopes its snapshots; a file is scoped here, with
		 * durations counted back from the moment it was taken. */
		ret = resolve_range(o, (int64_t)s->now_ns + s->mono_to_real_ns, &from, &to);
		if (!ret && from)
			scope.since_ns = from > s->mono_to_real_ns ? (uint64_t)(from - s->mono_to_real_ns) : 1;
		if (!ret && to)
			scope.until_ns = to > s->mono_to_real_ns ? (uint64_t)(to - s->mono_to_real_ns) : 1;
		if (!ret)
			ret = snap_filter(s, &scope);
	}
	if (!ret && o->last) {
		struct snap_scope last = { .run = snap_last_mlpy_run(s) + 1 };

		if (!last.run) {
			fprintf(stderr, "mlprofctl: no finished mlpy run in the profile\n");
			ret = -ENOENT;
		} else {
			ret = snap_filter(s, &last);
		}
	}
	if (ret)
		snap_free(s); /* safe on an already freed (zeroed) snapshot */
	cJSON_Delete(root);
	return ret;
}

static int cmd_report(const struct ctl_opts *o)
{
	struct strbuf out = STRBUF_INIT;
	char err[256];
	struct snap s;
	int ret;

	ret = load_snapshot(o, &s);
	if (ret)
		return 1;
	ret = report_render_many(&s, o->reports, (size_t)o->nreports, o->format, &out, err,
				 sizeof(err));
	if (ret == -EINVAL)
		fprintf(stderr, "mlprofctl: %s\n", err);
	if (!ret)
		ret = out.err ? out.err : emit(o, out.buf);
	strbuf_free(&out);
	snap_free(&s);
	return ret ? 1 : 0;
}

static int cmd_export(const struct ctl_opts *o, const char *format)
{
	struct strbuf out = STRBUF_INIT;
	struct snap s;
	int ret;

	if (export_format_binary(format) && !o->output && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "mlprofctl: %s is binary: use --output FILE or a redirection\n",
			format);
		return 2;
	}
	ret = load_snapshot(o, &s);
	if (ret)
		return 1;
	ret = export_render(&s, format, &out);
	if (ret)
		fprintf(stderr, "mlprofctl: export %s failed: %s\n", format, strerror(-ret));
	else
		ret = out.err ? out.err : emit_bytes(o, out.buf ? out.buf : "", out.len);
	strbuf_free(&out);
	snap_free(&s);
	return ret ? 1 : 0;
}

/* A and B: snapshot files, "-" for the daemon's profile (both scoped by
 * --since/--until), or "@SINCE..UNTIL": that range of the daemon's profile
 * (of --input if given) instead of --since/--until. */
static int load_side(const struct ctl_opts *o, const char *src, struct snap *s)
{
	struct ctl_opts side = *o;
	char buf[256];
	int ret = 0;

	if (src[0] == '@') {
		ret = timefmt_parse_time_range(src, wall_now_ns(), buf, sizeof(buf), &side.since,
				       &side.until);
		if (ret)
			fprintf(stderr, "mlprofctl: invalid time range '%s' (@SINCE..UNTIL, e.g. "
				"@30m..10m, @10m, @..1h; UNTIL after SINCE)\n", src);
	} else {
		side.input = strcmp(src, "-") ? src : NULL;
	}
	return ret ? ret : load_snapshot(&side, s);
}

static int cmd_diff(const struct ctl_opts *o, const char *a_src, const char *b_src)
{
	struct strbuf out = STRBUF_INIT;
	struct diff_row *rows = NULL;
	struct snap a, b;
	size_t n = 0;
	int ret = load_side(o, a_src, &a), have_a = !ret, have_b = 0;

	if (!ret) {
		ret = load_side(o, b_src, &b);
		have_b = !ret;
	}
	if (!ret && o->html)
		ret = export_html_diff(&b, &a, &out);
	else if (!ret)
		ret = diff_functions(&a, &b, &rows, &n);
	if (!ret && !o->html)
		ret = diff_render(rows, n, o->format == REPORT_JSON, &out);
	if (ret && have_a && have_b) /* a side that did not load said why */
		fprintf(stderr, "mlprofctl: diff failed: %s\n", strerror(-ret));
	else if (!ret)
		ret = emit_bytes(o, out.buf ? out.buf : "", out.len);
	diff_free(rows, n);
	strbuf_free(&out);
	if (have_b)
		snap_free(&b);
	if (have_a)
		snap_free(&a);
	return ret ? 1 : 0;
}

static int cmd_snapshot(const struct ctl_opts *o)
{
	struct proto_request req;
	cJSON *root = NULL, *obj;
	char *txt = NULL;
	int err = snapshot_request(o, &req);

	if (!err)
		err = call(o, &req, "snapshot", &root, &obj);
	if (!err) {
		txt = cJSON_PrintUnformatted(obj);
		err = txt ? emit(o, txt) : -ENOMEM;
		if (!err && !o->output)
			putchar('\n');
	}
	free(txt);
	cJSON_Delete(root);
	return err ? 1 : 0;
}

/* Long options with no short letter (getopt_long's values; 1-3 are no
 * character of the short option string). */
enum ctl_opt_id {
	CTL_OPT_SINCE = 1,
	CTL_OPT_LAST,
	CTL_OPT_UNTIL,
};

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "report", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "since", required_argument, NULL, CTL_OPT_SINCE },
		{ "until", required_argument, NULL, CTL_OPT_UNTIL },
		{ "input", required_argument, NULL, 'i' },
		{ "last", no_argument, NULL, CTL_OPT_LAST },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { .socket_path = PROTO_DEFAULT_SOCKET };
	const char *cmd = NULL;
	int64_t when;
	char *end;
	long v;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "s:r:f:o:p:i:h", longs, NULL)) != -1) {
		switch (c) {
		case 's':
			o.socket_path = optarg;
			break;
		case 'r':
			if (!report_type_valid(optarg))
				return die_usage("unknown report type '%s'", optarg);
			if (o.nreports == MAX_REPORTS)
				return die_usage("too many reports at '%s'", optarg);
			o.reports[o.nreports++] = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o.format = REPORT_TEXT;
			else if (!strcmp(optarg, "json"))
				o.format = REPORT_JSON;
			else if (!strcmp(optarg, "html"))
				o.html = 1;
			else
				return die_usage("invalid format '%s' (text, json or html)", optarg);
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > INT_MAX)
				return die_usage("invalid pid '%s'", optarg);
			o.pid = (int32_t)v;
			break;
		case CTL_OPT_SINCE:
		case CTL_OPT_UNTIL:
			if (timefmt_parse_time_spec(optarg, wall_now_ns(), &when))
				return die_usage("invalid time '%s' (10m, 2h, 2026-11-24T19:00:00Z "
						 "or Unix seconds)", optarg);
			if (c == CTL_OPT_SINCE)
				o.since = optarg;
			else
				o.until = optarg;
			break;
		case 'i':
			o.input = optarg;
			break;
		case CTL_OPT_LAST:
			o.last = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return die_usage("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (!cmd || !strcmp(cmd, "help")) {
		usage(cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "report")) {
		for (; optind < argc; optind++) {
			if (!report_type_valid(argv[optind]))
				return die_usage("unknown report type '%s'", argv[optind]);
			if (o.nreports == MAX_REPORTS)
				return die_usage("too many reports at '%s'", argv[optind]);
			o.reports[o.nreports++] = argv[optind];
		}
		if (!o.nreports)
			o.reports[o.nreports++] = "ml-summary";
		return o.html ? cmd_export(&o, "html") : cmd_report(&o);
	}
	if (!strcmp(cmd, "export")) {
		const char *format = optind < argc ? argv[optind++] : NULL;

		if (!format)
			return die_usage("export needs a format: %s", "collapsed, speedscope or pprof");
		if (!export_format_valid(format))
			return die_usage("unknown export format '%s' (collapsed, speedscope or pprof)",
					 format);
		if (optind < argc)
			return die_usage("unexpected argument '%s'", argv[optind]);
		return cmd_export(&o, format);
	}
	if (!strcmp(cmd, "diff")) {
		if (argc - optind != 2)
			return die_usage("diff needs two profiles: %s",
					 "A B (files, - for the daemon, or @SINCE..UNTIL ranges)");
		return cmd_diff(&o, argv[optind], argv[optind + 1]);
	}
	if (optind < argc)
		return die_usage("unexpected argument '%s'", argv[optind]);
	if (!strcmp(cmd, "status"))
		return cmd_status(&o);
	if (!strcmp(cmd, "reset"))
		return cmd_reset(&o);
	if (!strcmp(cmd, "snapshot"))
		return cmd_snapshot(&o);
	return die_usage("unknown command '%s'", cmd);
}
