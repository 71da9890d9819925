/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* mlprofd's command line. */
#ifndef MLPROF_OPTS_H
#define MLPROF_OPTS_H

#include <stdio.h>
#include "report.h"
#include "sclock.h"
#include "store.h"

/* Which processes the daemon profiles besides --pid and the one-shot
 * command. */
enum target_mode {
	TARGET_NONE = 0,   /* only --pid and the one-shot command */
	TARGET_MLPY,       /* mlpy runs and their descendants */
	TARGET_PYTHON,     /* every CPython process */
};

#define OPTS_MAX_PIDS 64
#define OPTS_MAX_REPORTS 8
/* A one-shot run's default time bucket (its timeline's resolution). */
/* Where a one-shot keeps the minimized kernel BTF (user/btfcache.c). */
#define OPTS_BTF_CACHE_DIR "/var/cache/mlprof/btf"
#define ONESHOT_BUCKET_NS (100ULL * 1000000)

struct opts {
	enum target_mode mode;
	int mode_given;
	int pids[OPTS_MAX_PIDS];
	int npids;
	unsigned freq_hz;
	enum sample_clock clock;
	unsigned ringbuf_mb;
	enum snap_memory memory; /* --no-memory, --memory (default), --memory=live */
	unsigned fault_period;
	const char *socket_path;
	int socket_given;
	const char *socket_group;
	char **command;       /* one-shot: argv after "--" */
	const char *reports[OPTS_MAX_REPORTS];
	int nreports;
	enum report_format format;
	int html;             /* --format html: one self-contained page */
	const char *output;
	const char *save;     /* one-shot: also write the snapshot here */
	int verbose;
	struct store_limits limits;
	/* Serving and pushing (user/serve.c). */
	const char *http;          /* --http ADDR:PORT, NULL: off */
	const char *http_token_file; /* --http-token-file: bearer token for data */
	const char *http_tls_cert;   /* --http-tls-cert: PEM certificate (chain) */
	const char *http_tls_key;    /* --http-tls-key: PEM private key */
	const char *push_url;      /* --push-url, NULL: off */
	const char *app;           /* --app NAME */
	unsigned push_interval_s;  /* --push-interval (default 15) */
	unsigned push_timeout_ms;  /* --push-timeout (default 10 s) */
	unsigned push_queue;       /* --push-queue (default 8) */
	/* Service (user/service.c, user/snapdir.c, user/conffile.c) */
	const char *config;            /* --config FILE, read before the flags */
	const char *log;               /* --log FILE: messages (stderr) go here */
	const char *snapshot_dir;      /* --snapshot-dir DIR */
	uint64_t snapshot_interval_ns; /* --snapshot-interval (default 5m) */
	uint64_t snapshot_keep_ns;     /* --snapshot-keep (default 24h; 0 all) */
	char **conf_argv;              /* the flags from --config, owned */
	void *conf;                    /* struct conffile, owned */
	int wall;                      /* --mode wall: off-CPU time too */
	int clock_given, freq_given;
	unsigned pieces_off; /* MLPROF_BENCH_OFF (enum mlprof_piece_off): benchmarks only */
	const char *btf_cache;         /* --btf-cache DIR, NULL: off (one-shot) */
};

/* 0 to run, 1 if help/version was printed (exit 0), -EINVAL on a usage
 * error (message already on `err`). */
int opts_parse(int argc, char **argv, struct opts *o, FILE *out, FILE *err);
void opts_usage(FILE *f);
/* MLPROF_BENCH_OFF's value: pieces of a sample switched off so a benchmark
 * can price each ("phases", "where", comma-separated; "" none) into *bits
 * (enum mlprof_piece_off). 0, or -EINVAL with a message on `err`. */
int opts_bench_off(const char *s, unsigned *bits, FILE *err);
/* Frees what opts_parse allocated (the --config file's flags). */
void opts_free(struct opts *o);

#endif
