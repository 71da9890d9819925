// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Parses mlprofd's options. Numbers are checked for range and trailing
 * garbage; unknown options are errors. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "conffile.h"
#include "mlprof_abi.h"
#include "netaddr.h"
#include "opts.h"
#include "sclock.h"
#include "proto.h"
#include "pushurl.h"
#include "timefmt.h"

#define MLPROF_VERSION "0.1.0"

void opts_usage(FILE *f)
{
	fprintf(f,
"Usage: mlprofd [OPTIONS]                    profile continuously until SIGINT/SIGTERM\n"
"       mlprofd [OPTIONS] -- COMMAND [ARG]... profile COMMAND and its descendants,\n"
"                                           print the report, exit with its status\n"
"\n"
"Samples the Python stacks of target processes from the kernel (eBPF) and\n"
"keeps per-function time; mlprofctl asks for reports over a Unix socket.\n"
"\n"
"Targets:\n"
"  -t, --target mlpy|python  mlpy: every mlpy run and its descendants (default\n"
"                            without -- COMMAND); python: every CPython process\n"
"  -p, --pid PID             also profile this running process and its\n"
"                            descendants (repeatable)\n"
"Sampling:\n"
"      --clock timer|tick    timer (the default): a perf cpu-clock event per\n"
"                            thread at --freq; tick: sample a thread at the\n"
"                            kernel's scheduler tick, each sample weighed by the\n"
"                            CPU time it ran since its last one: no interrupt of\n"
"                            its own (about CONFIG_HZ samples/s), but on a\n"
"                            machine whose CPUs are all busy, splits around\n"
"                            system calls that read the clock can be points off\n"
"  -F, --freq HZ             timer samples per second of a thread's CPU time\n"
"                            (default 999; 1-20000); alone, implies --clock timer\n"
"      --ringbuf-mb N        ring buffer size in MiB, a power of two (default 16)\n"
"      --memory              measure memory per function (the default): bytes\n"
"                            mapped (C library mmap/mremap/sbrk) and made\n"
"                            resident (page faults), in target processes only\n"
"      --memory=live         also bytes still held at the end, by allocating\n"
"                            function (adds munmap and return probes)\n"
"      --no-memory           time only: no memory probes\n"
"      --mode cpu|wall       wall: also the time target threads spend blocked\n"
"                            (off-CPU), charged to the Python stack they\n"
"                            blocked in, with the reason (default cpu)\n"
"      --fault-period N      walk the stack on one page fault in N (default 128)\n"
"      --max-procs N         process records kept (default 4096)\n"
"      --max-stacks N        distinct stacks kept (default 500000)\n"
"History (bounded; what is dropped is counted in status and reports):\n"
"      --bucket DURATION     time bucket of the profile history (default 60s;\n"
"                            a one-shot run: 100ms, for its timeline)\n"
"      --retention DURATION  keep buckets this long (default 24h); older ones,\n"
"                            and the stacks, ended processes and functions\n"
"                            only they used, are dropped\n"
"      --max-funcs N         distinct functions kept (default 200000)\n"
"      --max-entries N       (stack, bucket) counts kept (default 2000000); when\n"
"                            full, or the stack table is, the oldest bucket goes\n"
"Control:\n"
"  -s, --socket PATH         control socket (default " PROTO_DEFAULT_SOCKET ";\n"
"                            one-shot runs open one only if this is given)\n"
"      --socket-group GROUP  members of GROUP may use the socket (default root)\n"
"One-shot output:\n"
"  -r, --report TYPE         report(s) to print: ml-summary, ml-details,\n"
"                            dev-summary, dev-details, raw or all (repeatable;\n"
"                            default ml-summary for an mlpy run, else raw)\n"
"  -f, --format text|json|html  report format (default text); html: one\n"
"                            self-contained page (flame graph, timeline, the\n"
"                            five reports), best with -o run.html\n"
"  -o, --output FILE         write the report to FILE instead of stdout\n"
"      --save FILE           also save the profile snapshot (JSON) to FILE, for\n"
"                            mlprofctl report --input FILE\n"
"      --btf-cache DIR|off   the kernel's type data minimized for mlprofd's BPF\n"
"                            object, cached per kernel build (default\n"
"                            /var/cache/mlprof/btf, root's alone, made after\n"
"                            the first run by bpftool); off: always the kernel's\n"
"Serving and pushing profiles (continuous profiling):\n"
"      --http ADDR:PORT      serve /debug/pprof/profile?seconds=N (gzipped\n"
"                            pprof of the next N s, 1-300), /metrics\n"
"                            (Prometheus) and /healthz; a bare :PORT or PORT\n"
"                            listens on 127.0.0.1. Off unless given\n"
"      --http-token-file FILE  profiles, /metrics and the live page's data\n"
"                            need \"Authorization: Bearer TOKEN\", TOKEN read\n"
"                            from FILE (root's, mode 0600 or 0400, 16-256\n"
"                            characters). Without it only /healthz and the\n"
"                            empty page / are served\n"
"      --http-tls-cert FILE, --http-tls-key FILE  serve HTTPS with this PEM\n"
"                            certificate (chain) and key (both root's files;\n"
"                            the key mode 0600 or 0400)\n"
"      --push-url URL        every interval, POST that interval's profile\n"
"                            (pprof) to a Pyroscope server's /ingest\n"
"      --app NAME            application name of pushed profiles (needed with\n"
"                            --push-url; labels host, target, python are added)\n"
"      --push-interval T     push period: 15s (default), 1m, ...\n"
"      --push-timeout T      give up a push attempt after T (default 10s)\n"
"      --push-queue N        profiles waiting to be pushed (default 8; the\n"
"                            oldest is dropped and counted when full)\n"
"Service:\n"
"      --config FILE         read flags from FILE first: one 'flag value' per line\n"
"                            (long option names without dashes, # comments);\n"
"                            flags on the command line win\n"
"      --log FILE            append messages to FILE instead of stderr (reopened\n"
"                            on SIGHUP)\n"
"      --snapshot-dir DIR    write the profile snapshot to DIR periodically and at\n"
"                            exit, as mlprof-YYYYMMDDTHHMMSSZ.json (UTC), atomically\n"
"      --snapshot-interval D how often (default 5m; 1s to 366d)\n"
"      --snapshot-keep D     delete our snapshots older than D (default 24h; 0 keeps\n"
"                            all); other files in DIR are never touched\n"
"  SIGHUP reopens the log and the snapshot directory; SIGTERM/SIGINT write a last\n"
"  snapshot (with --snapshot-dir), detach every probe and exit.\n"
"Other:\n"
"  -v, --verbose             log process events to stderr\n"
"  -h, --help                this help\n"
"  -V, --version             print the version\n"
"\n"
"Examples:\n"
"  sudo mlprofd --target mlpy                  # daemon: every mlpy run\n"
"  mlprofctl report raw                        # what it saw so far\n"
"  sudo mlprofd -- python3 -m mlpy run prog.ml # one run, ml-summary on exit\n"
"  sudo mlprofd -r ml-details -r dev-summary -- mlpy run prog.ml\n"
"  sudo mlprofd --pid 1234 --freq 99           # a running process, gently\n"
"  sudo mlprofd -f json -o prof.json -- python3 app.py\n"
"  sudo mlprofd -f html -o run.html -- mlpy run prog.ml  # open in a browser\n"
"  sudo mlprofd --target python --http 127.0.0.1:6060\n"
"  go tool pprof -top 'http://127.0.0.1:6060/debug/pprof/profile?seconds=10'\n"
"  curl -s http://127.0.0.1:6060/metrics      # Prometheus scrape target\n"
"  sudo mlprofd --push-url http://pyroscope:4040 --app shop --push-interval 15s\n"
"  sudo mlprofd --target mlpy --snapshot-dir /var/lib/mlprof/snapshots \\\n"
"               --snapshot-interval 5m --snapshot-keep 24h --log /var/log/mlprofd.log\n"
"  mlprofctl report ml-summary --input /var/lib/mlprof/snapshots/mlprof-20261124T190500Z.json\n"
"  sudo mlprofd --config /etc/mlprof/mlprofd.conf   # as the systemd unit runs it\n"
"  sudo mlprofd --target python --bucket 10s --retention 2h\n"
"  mlprofctl report raw --since 15m --until 5m # the buckets of that range\n");
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!*s || *s == '-')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int bad(FILE *err, const char *what, const char *arg)
{
	fprintf(err, "mlprofd: invalid %s '%s' (see mlprofd --help)\n", what, arg);
	return -EINVAL;
}

/* Ids of the long options without a short form. */
enum opt_id {
	OPT_RINGBUF_MB = 0x1000, /* above every short option character */
	OPT_MAX_PROCS,
	OPT_MAX_STACKS,
	OPT_SOCKET_GROUP,
	OPT_SAVE,
	OPT_NO_MEMORY,
	OPT_FAULT_PERIOD,
	OPT_MEMORY,
	/* Serving and pushing */
	OPT_HTTP,
	OPT_PUSH_URL,
	OPT_APP,
	OPT_PUSH_INTERVAL,
	OPT_PUSH_TIMEOUT,
	OPT_PUSH_QUEUE,
	OPT_HTTP_TOKEN_FILE,
	OPT_HTTP_TLS_CERT,
	OPT_HTTP_TLS_KEY,
	/* Bounded history */
	OPT_BUCKET,
	OPT_RETENTION,
	OPT_MAX_FUNCS,
	OPT_MAX_ENTRIES,
	/* Service */
	OPT_CONFIG,
	OPT_LOG,
	OPT_SNAPSHOT_DIR,
	OPT_SNAPSHOT_INTERVAL,
	OPT_SNAPSHOT_KEEP,
	OPT_CLOCK_MODE, /* --mode cpu|wall */
	OPT_CLOCK,
	OPT_BTF_CACHE,
};

/* ---- service options: --config, --log, snapshots ---- */


/* The --config FILE given before "--", or NULL. */
static const char *config_arg(int argc, char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
	}
	return path;
}

/* The long option named name (the terminating entry if none). */
static const struct option *find_long(const struct option *longs, const char *name)
{
	const struct option *lo;

	for (lo = longs; lo->name && strcmp(lo->name, name); lo++)
		;
	return lo;
}

/* An entry whose value must be glued to it (--name=value). */
static int glued(const struct option *longs, const struct conffile_entry *e)
{
	return e->value && find_long(longs, e->name)->has_arg == optional_argument;
}

/* Checks one config entry against mlprofd's long options. */
static int config_entry_ok(const struct option *longs, const struct conffile_entry *e,
			   const char *path, FILE *err)
{
	const struct option *lo = find_long(longs, e->name);
	const char *why = NULL;

	if (!lo->name)
		why = "unknown option";
	else if (!strcmp(e->name, "config") || !strcmp(e->name, "help") ||
		 !strcmp(e->name, "version"))
		why = "not allowed in a config file";
	else if (lo->has_arg == required_argument && !e->value)
		why = "needs a value";
	else if (lo->has_arg == no_argument && e->value)
		why = "takes no value";
	if (why)
		fprintf(err, "mlprofd: config file %s:%d: '%s': %s (see mlprofd --help)\n", path,
			e->line, e->name, why);
	return why ? -EINVAL : 0;
}

/* Reads --config FILE and puts its flags before the command line's (so
 * flags given on the command line win): *argv is replaced by a new vector
 * owned by o. 0 or -EINVAL (message on err). */
static int apply_config(const struct option *longs, int *argc, char ***argv, struct opts *o,
			FILE *err)
{
	const char *path = config_arg(*argc, *argv);
	struct conffile *c = NULL;
	char msg[512], **nv = NULL, *names;
	size_t i, need = 0, k = 0;
	int ret = 0;

	if (!path)
		return 0;
	c = calloc(1, sizeof(*c));
	ret = c ? conffile_load(path, c, msg, sizeof(msg)) : -ENOMEM;
	if (ret)
		fprintf(err, "mlprofd: config file %s\n", ret == -ENOMEM ? "out of memory" : msg);
	for (i = 0; !ret && i < c->n; i++) {
		ret = config_entry_ok(longs, &c->e[i], path, err);
		need += strlen(c->e[i].name) + 3;
		if (glued(longs, &c->e[i]))
			need += strlen(c->e[i].value) + 1;
	}
	if (!ret) {
		/* One block: the vector, then the "--name" strings. */
		size_t nargs = 1 + 2 * c->n + (size_t)*argc;

		nv = malloc((nargs + 1) * sizeof(char *) + need);
		ret = nv ? 0 : -ENOMEM;
		if (ret)
			fprintf(err, "mlprofd: out of memory reading %s\n", path);
	}
	if (!ret) {
		names = (char *)(nv + 1 + 2 * c->n + (size_t)*argc + 1);
		nv[k++] = (*argv)[0];
		for (i = 0; i < c->n; i++) {
			nv[k++] = names;
			if (glued(longs, &c->e[i])) {
				names += sprintf(names, "--%s=%s", c->e[i].name, c->e[i].value) + 1;
			} else {
				names += sprintf(names, "--%s", c->e[i].name) + 1;
				if (c->e[i].value)
					nv[k++] = (char *)c->e[i].value;
			}
		}
		for (i = 1; i < (size_t)*argc; i++)
			nv[k++] = (*argv)[i];
		nv[k] = NULL;
		*argc = (int)k;
		*argv = nv;
		o->conf_argv = nv;
		o->conf = c;
		o->config = path;
	} else if (c) {
		conffile_free(c);
		free(c);
	}
	return ret ? -EINVAL : 0;
}

void opts_free(struct opts *o)
{
	if (o->conf) {
		conffile_free(o->conf);
		free(o->conf);
	}
	free(o->conf_argv);
	o->conf = NULL;
	o->conf_argv = NULL;
}

/* Handles a service option; 0 or -EINVAL. */
static int service_opt(int c, const char *arg, struct opts *o, FILE *err)
{
	uint64_t ns;
	int ret = 0;

	switch (c) {
	case OPT_CONFIG:
		break; /* read before the other flags (apply_config) */
	case OPT_LOG:
		o->log = arg;
		break;
	case OPT_SNAPSHOT_DIR:
		o->snapshot_dir = arg;
		break;
	case OPT_SNAPSHOT_INTERVAL:
		if (timefmt_parse_duration(arg, &ns) || ns < 1000000000ULL || ns > 366 * 86400000000000ULL)
			ret = bad(err, "--snapshot-interval (1s to 366d, e.g. 5m)", arg);
		else
			o->snapshot_interval_ns = ns;
		break;
	case OPT_SNAPSHOT_KEEP:
		if (timefmt_parse_duration(arg, &ns) || (ns && ns < 1000000000ULL) ||
		    ns > 100ULL * 366 * 86400000000000ULL)
			ret = bad(err, "--snapshot-keep (0 to keep all, or 1s to 100 years, e.g. 24h)",
				  arg);
		else
			o->snapshot_keep_ns = ns;
		break;
	default:
		ret = -EINVAL;
	}
	return ret;
}

/* The one-shot default bucket: ONESHOT_BUCKET_NS, or longer when the
 * retention would hold more than a million of them. */
static uint64_t oneshot_bucket_ns(uint64_t retention_ns)
{
	uint64_t min = (retention_ns + 999999) / 1000000;

	return min > ONESHOT_BUCKET_NS ? min : ONESHOT_BUCKET_NS;
}

int opts_parse(int argc, char **argv, struct opts *o, FILE *out, FILE *err)
{
	static const struct option longs[] = {
		{ "target", required_argument, NULL, 't' },
		{ "pid", required_argument, NULL, 'p' },
		{ "freq", required_argument, NULL, 'F' },
		{ "ringbuf-mb", required_argument, NULL, OPT_RINGBUF_MB },
		{ "max-procs", required_argument, NULL, OPT_MAX_PROCS },
		{ "max-stacks", required_argument, NULL, OPT_MAX_STACKS },
		{ "socket", required_argument, NULL, 's' },
		{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
		{ "report", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "no-memory", no_argument, NULL, OPT_NO_MEMORY },
		{ "memory", optional_argument, NULL, OPT_MEMORY },
		{ "fault-period", required_argument, NULL, OPT_FAULT_PERIOD },
		{ "http", required_argument, NULL, OPT_HTTP },
		{ "http-token-file", required_argument, NULL, OPT_HTTP_TOKEN_FILE },
		{ "http-tls-cert", required_argument, NULL, OPT_HTTP_TLS_CERT },
		{ "http-tls-key", required_argument, NULL, OPT_HTTP_TLS_KEY },
		{ "push-url", required_argument, NULL, OPT_PUSH_URL },
		{ "app", required_argument, NULL, OPT_APP },
		{ "push-interval", required_argument, NULL, OPT_PUSH_INTERVAL },
		{ "push-timeout", required_argument, NULL, OPT_PUSH_TIMEOUT },
		{ "push-queue", required_argument, NULL, OPT_PUSH_QUEUE },
		{ "bucket", required_argument, NULL, OPT_BUCKET },
		{ "retention", required_argument, NULL, OPT_RETENTION },
		{ "max-funcs", required_argument, NULL, OPT_MAX_FUNCS },
		{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		/* Service (user/service.c) */
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "snapshot-dir", required_argument, NULL, OPT_SNAPSHOT_DIR },
		{ "snapshot-interval", required_argument, NULL, OPT_SNAPSHOT_INTERVAL },
		{ "snapshot-keep", required_argument, NULL, OPT_SNAPSHOT_KEEP },
		{ "mode", required_argument, NULL, OPT_CLOCK_MODE },
		{ "clock", required_argument, NULL, OPT_CLOCK },
		{ "btf-cache", required_argument, NULL, OPT_BTF_CACHE },
		{ NULL, 0, NULL, 0 },
	};
	struct store_limits lim = STORE_DEFAULT_LIMITS;
	int bucket_given = 0;
	struct sockaddr_storage ss;
	socklen_t sslen;
	uint64_t ns;
	unsigned long v;
	unsigned secs;
	int c;

	memset(o, 0, sizeof(*o));
	o->freq_hz = 999;
	o->ringbuf_mb = 16;
	/* On by default: its probes are opened on target processes only and
	 * cost them 1-6% (BENCHMARKS.md, tests/bench/memory_bench.py). */
	o->memory = SNAP_MEM_ON;
	o->fault_period = MLPROF_FAULT_PERIOD_DEFAULT;
	o->socket_path = PROTO_DEFAULT_SOCKET;
	o->format = REPORT_TEXT;
	o->limits = lim;
	o->push_interval_s = 15;
	o->btf_cache = OPTS_BTF_CACHE_DIR;
	o->push_timeout_ms = 10000;
	o->push_queue = 8;
	o->snapshot_interval_ns = 300ULL * 1000000000ULL;
	o->snapshot_keep_ns = 86400ULL * 1000000000ULL;
	if (apply_config(longs, &argc, &argv, o, err))
		return -EINVAL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+t:p:F:s:r:f:o:vhV", longs, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!strcmp(optarg, "mlpy"))
				o->mode = TARGET_MLPY;
			else if (!strcmp(optarg, "python"))
				o->mode = TARGET_PYTHON;
			else
				return bad(err, "target (mlpy or python)", optarg);
			o->mode_given = 1;
			break;
		case 'p':
			if (parse_uint(optarg, 1, INT_MAX, &v))
				return bad(err, "pid", optarg);
			if (o->npids == OPTS_MAX_PIDS)
				return bad(err, "pid (too many --pid)", optarg);
			o->pids[o->npids++] = (int)v;
			break;
		case 'F':
			if (parse_uint(optarg, 1, 20000, &v))
				return bad(err, "frequency (1-20000 Hz)", optarg);
			o->freq_hz = (unsigned)v;
			o->freq_given = 1;
			break;
		case OPT_BTF_CACHE:
			if (optarg[0] != '/' && strcmp(optarg, "off"))
				return bad(err, "--btf-cache (an absolute directory or off)", optarg);
			o->btf_cache = strcmp(optarg, "off") ? optarg : NULL;
			break;
		case OPT_CLOCK:
			if (sclock_parse(optarg, &o->clock))
				return bad(err, "--clock (tick or timer)", optarg);
			o->clock_given = 1;
			break;
		case OPT_RINGBUF_MB:
			if (parse_uint(optarg, 1, 1024, &v) || (v & (v - 1)))
				return bad(err, "ring buffer size (a power of two, 1-1024 MiB)",
					   optarg);
			o->ringbuf_mb = (unsigned)v;
			break;
		case OPT_MAX_PROCS:
			if (parse_uint(optarg, 16, 10000000, &v))
				return bad(err, "--max-procs (16-10000000)", optarg);
			o->limits.max_procs = (uint32_t)v;
			break;
		case OPT_MAX_STACKS:
			if (parse_uint(optarg, 1000, 100000000, &v))
				return bad(err, "--max-stacks (1000-100000000)", optarg);
			o->limits.max_stacks = (uint32_t)v;
			break;
		case 's':
			o->socket_path = optarg;
			o->socket_given = 1;
			break;
		case OPT_SOCKET_GROUP:
			o->socket_group = optarg;
			break;
		case 'r':
			if (!report_type_valid(optarg))
				return bad(err, "report type", optarg);
			if (o->nreports == OPTS_MAX_REPORTS)
				return bad(err, "report (too many --report)", optarg);
			o->reports[o->nreports++] = optarg;
			break;
		case 'f':
			o->html = !strcmp(optarg, "html");
			if (!strcmp(optarg, "text"))
				o->format = REPORT_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = REPORT_JSON;
			else if (o->html)
				o->format = REPORT_TEXT; /* the page embeds the text reports */
			else
				return bad(err, "format (text, json or html)", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_SAVE:
			o->save = optarg;
			break;
		case OPT_NO_MEMORY:
			o->memory = SNAP_MEM_OFF;
			break;
		case OPT_MEMORY:
			if (optarg && strcmp(optarg, "live"))
				return bad(err, "--memory (--memory or --memory=live)", optarg);
			o->memory = optarg ? SNAP_MEM_LIVE : SNAP_MEM_ON;
			break;
		case OPT_FAULT_PERIOD:
			if (parse_uint(optarg, 1, 65536, &v))
				return bad(err, "--fault-period (1-65536)", optarg);
			o->fault_period = (unsigned)v;
			break;
		case OPT_HTTP:
			if (netaddr_parse(optarg, &ss, &sslen))
				return bad(err, "--http address (ADDR:PORT, e.g. 127.0.0.1:6060)",
					   optarg);
			o->http = optarg;
			break;
		case OPT_HTTP_TOKEN_FILE:
			o->http_token_file = optarg;
			break;
		case OPT_HTTP_TLS_CERT:
			o->http_tls_cert = optarg;
			break;
		case OPT_HTTP_TLS_KEY:
			o->http_tls_key = optarg;
			break;
		case OPT_PUSH_URL:
			if (!pushurl_valid(optarg))
				return bad(err, "--push-url (http://HOST[:PORT][/PATH])", optarg);
			o->push_url = optarg;
			break;
		case OPT_APP:
			if (!pushurl_app_valid(optarg))
				return bad(err, "--app name (1-100 of A-Z a-z 0-9 . _ -)", optarg);
			o->app = optarg;
			break;
		case OPT_PUSH_INTERVAL:
			if (pushurl_parse_interval(optarg, &o->push_interval_s))
				return bad(err, "--push-interval (e.g. 15s, 1m; 1 s to 24 h)", optarg);
			break;
		case OPT_PUSH_TIMEOUT:
			if (pushurl_parse_interval(optarg, &secs) || secs > 300)
				return bad(err, "--push-timeout (e.g. 10s; 1-300 s)", optarg);
			o->push_timeout_ms = secs * 1000;
			break;
		case OPT_PUSH_QUEUE:
			if (parse_uint(optarg, 1, 1024, &v))
				return bad(err, "--push-queue (1-1024)", optarg);
			o->push_queue = (unsigned)v;
			break;
		/* Bounded history. */
		case OPT_BUCKET:
			if (timefmt_parse_duration(optarg, &ns) || ns < 1000000000ULL ||
			    ns > 86400ULL * 1000000000)
				return bad(err, "--bucket (1s-1d, e.g. 60s)", optarg);
			o->limits.bucket_ns = ns;
			bucket_given = 1;
			break;
		case OPT_RETENTION:
			if (timefmt_parse_duration(optarg, &ns) || ns < 1000000000ULL ||
			    ns > 3650ULL * 86400 * 1000000000)
				return bad(err, "--retention (1s-3650d, e.g. 24h)", optarg);
			o->limits.retention_ns = ns;
			break;
		case OPT_MAX_FUNCS:
			if (parse_uint(optarg, 1000, 100000000, &v))
				return bad(err, "--max-funcs (1000-100000000)", optarg);
			o->limits.max_funcs = (uint32_t)v;
			break;
		case OPT_MAX_ENTRIES:
			if (parse_uint(optarg, 1000, 1000000000, &v))
				return bad(err, "--max-entries (1000-1000000000)", optarg);
			o->limits.max_entries = (uint32_t)v;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_CONFIG:
		case OPT_LOG:
		case OPT_SNAPSHOT_DIR:
		case OPT_SNAPSHOT_INTERVAL:
		case OPT_SNAPSHOT_KEEP:
			if (service_opt(c, optarg, o, err))
				return -EINVAL;
			break;
		case OPT_CLOCK_MODE:
			if (strcmp(optarg, "cpu") && strcmp(optarg, "wall"))
				return bad(err, "--mode (cpu or wall)", optarg);
			o->wall = !strcmp(optarg, "wall");
			break;
		case 'h':
			opts_usage(out);
			return 1;
		case 'V':
			fprintf(out, "mlprofd %s\n", MLPROF_VERSION);
			return 1;
		default:
			if (optopt)
				fprintf(err, "mlprofd: option -%c needs an argument or is unknown "
					     "(see mlprofd --help)\n", optopt);
			else
				fprintf(err, "mlprofd: unknown option '%s' (see mlprofd --help)\n",
					argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		/* getopt stops at "--" (consumed) or the first non-option. */
		if (strcmp(argv[optind - 1], "--")) {
			fprintf(err, "mlprofd: unexpected argument '%s'; put the command to "
				     "profile after '--'\n", argv[optind]);
			return -EINVAL;
		}
		o->command = &argv[optind];
	}
	/* A one-shot run's timeline (the HTML page) is drawn from its buckets:
	 * fine ones, so that a run of a second still shows its phases. */
	if (o->command && !bucket_given)
		o->limits.bucket_ns = oneshot_bucket_ns(o->limits.retention_ns);
	if (o->limits.retention_ns < o->limits.bucket_ns ||
	    o->limits.retention_ns / o->limits.bucket_ns > 1000000) {
		fprintf(err, "mlprofd: --retention must be at least one --bucket and at most a "
			     "million buckets (see mlprofd --help)\n");
		return -EINVAL;
	}
	if (!o->http_tls_cert != !o->http_tls_key || (o->http_tls_cert && !o->http)) {
		fprintf(err, "mlprofd: --http-tls-cert and --http-tls-key go together, with --http "
			     "(see mlprofd --help)\n");
		return -EINVAL;
	}
	if (!o->push_url != !o->app) {
		fprintf(err, "mlprofd: --push-url and --app go together (see mlprofd --help)\n");
		return -EINVAL;
	}
	if (!o->mode_given && !o->command && !o->npids)
		o->mode = TARGET_MLPY;
	/* The timer unless --clock tick: beside busy tasks the scheduler ends
	 * a thread's slices at its clock reads and the tick lands a fixed time
	 * after them (docs/design.md decision 28). */
	if (!o->clock_given)
		o->clock = SCLOCK_TIMER;
	if (o->snapshot_dir && o->command) {
		fprintf(err, "mlprofd: --snapshot-dir is for the daemon; a one-shot run saves its "
			     "snapshot with --save FILE\n");
		return -EINVAL;
	}
	/* No --report: print_reports picks ml-summary for mlpy runs, raw
	 * otherwise. */
	return 0;
}

int opts_bench_off(const char *s, unsigned *bits, FILE *err)
{
	static const struct {
		const char *name;
		unsigned bit;
	} pieces[] = { { "phases", MLPROF_OFF_PHASES }, { "where", MLPROF_OFF_WHERE } };
	const char *p = s, *end;
	size_t n, i;
	int ret = 0;

	*bits = 0;
	while (!ret && p && *p) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
			if (strlen(pieces[i].name) == n && !strncmp(p, pieces[i].name, n))
				break;
		}
		if (i == sizeof(pieces) / sizeof(pieces[0])) {
			fprintf(err, "mlprofd: MLPROF_BENCH_OFF: '%.*s' is not a piece (phases, "
				     "where)\n", (int)(n > 64 ? 64 : n), p);
			ret = -EINVAL;
		} else {
			*bits |= pieces[i].bit;
		}
		p = end ? end + 1 : NULL;
	}
	return ret;
}
