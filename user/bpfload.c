// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* BPF object lifetime: open -> configure -> load -> attach, and map access. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "bpfload.h"
#include "sampler.h"
#include "mlprof.skel.h"

struct bpf_ctx {
	struct mlprof *skel;
	struct ring_buffer *rb;
	unsigned ncpus;
	struct mlprof_layout layouts[MLPROF_MAX_LAYOUTS];
	uint32_t nlayouts; /* ids 1..nlayouts are in use */
	bpf_event_fn fn;
	void *fn_ctx;
};

/* Code objects a one-shot's names cache holds (the daemon's: 262144). */
#define ONESHOT_SEEN_CODE 32768
/* Threads a one-shot's thread-state cache holds (the daemon's: 65536). */
#define ONESHOT_TSTATES 8192

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_ctx *b = ctx;

	return b->fn(b->fn_ctx, data, size);
}

/* Puts prog in slot 0 of the program array its stubs tail call, if it
 * is loaded. */
static int set_walker(struct bpf_map *walkers, struct bpf_program *prog)
{
	uint32_t key = 0;
	int fd = bpf_program__fd(prog);

	if (!bpf_program__autoload(prog))
		return 0;
	return bpf_map_update_elem(bpf_map__fd(walkers), &key, &fd, BPF_ANY) ? -errno : 0;
}

/* Whether memory can be locked without a limit: with a limit, a mapping
 * made while MCL_FUTURE is on fails once the limit is reached. */
static int can_lock_all(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	struct rlimit rl;

	if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur == RLIM_INFINITY)
		return 1;
	memset(caps, 0, sizeof(caps));
	if (syscall(SYS_capget, &hdr, caps))
		return 0;
	return !!(caps[CAP_IPC_LOCK / 32].effective & (1U << (CAP_IPC_LOCK % 32)));
}

/* Loads the object with new memory populated when it is mapped: libbpf
 * reads the kernel's BTF (5.4 MB here) into two fresh buffers, and a page
 * fault per 4 KiB page was most of its cost on this VM (each fault is an
 * exception, populating a mapping at once is one system call). Memory is
 * unlocked right after; where it cannot be locked, loading is only slower
 * (docs/design.md decision 30). */
static int load_populated(struct mlprof *skel)
{
	int locked = can_lock_all() && !mlockall(MCL_FUTURE), err;

	err = mlprof__load(skel);
	if (locked)
		munlockall();
	return err;
}

/* Programs to load, read-only settings and map sizes for cfg. */
static int configure(struct mlprof *skel, const struct bpf_config *cfg)
{
	long page;
	int err;

	skel->rodata->exec_all = cfg->exec_all;
	skel->rodata->fault_period = cfg->fault_period ? cfg->fault_period : MLPROF_FAULT_PERIOD_DEFAULT;
	if (!cfg->memory) {
		bpf_program__set_autoload(skel->progs.on_mmap, false);
		bpf_program__set_autoload(skel->progs.on_mremap, false);
		bpf_program__set_autoload(skel->progs.on_brk, false);
		bpf_program__set_autoload(skel->progs.on_fault, false);
		bpf_program__set_autoload(skel->progs.mem_walk, false);
	}
	skel->rodata->live_mode = cfg->memory && cfg->live;
	/* One clock: the tick program is attached with the tracepoints (it
	 * runs for every task and returns at once for non-targets), the timer
	 * program by sampler.c per target task. */
	bpf_program__set_autoload(cfg->tick ? skel->progs.on_sample : skel->progs.on_tick,
				  false);
	/* The timer's bridge for children that inherited no event (bridge.h). */
	bpf_program__set_autoload(skel->progs.on_bridge, !cfg->tick);
	skel->rodata->per_task_events = !cfg->tick || cfg->memory;
	/* The walk the perf_event programs (timer samples, page faults) share. */
	if (cfg->tick && !cfg->memory)
		bpf_program__set_autoload(skel->progs.perf_walk, false);
	if (!cfg->memory || !cfg->live) {
		bpf_program__set_autoload(skel->progs.on_mmap_ret, false);
		bpf_program__set_autoload(skel->progs.on_mremap_ret, false);
		bpf_program__set_autoload(skel->progs.on_munmap, false);
		bpf_program__set_autoload(skel->progs.on_finalize, false);
	}
	if (!cfg->wall)
		bpf_program__set_autoload(skel->progs.on_switch, false);
	page = sysconf(_SC_PAGESIZE);
	skel->rodata->page_kb = page > 0 ? (unsigned)(page / 1024) : 4;
	skel->rodata->page_size = page > 0 ? (unsigned)page : 4096;
	/* Wake up for samples when an eighth of the ring is used. */
	skel->rodata->wake_bytes = (uint64_t)cfg->ringbuf_mb << 17;
	skel->rodata->pieces_off = cfg->pieces_off;
	err = bpf_map__set_max_entries(skel->maps.events, cfg->ringbuf_mb << 20);
	/* The names-sent cache is sized for every process of a machine; an
	 * entry lost to the LRU only sends a name again. Its preallocation
	 * costs start-up time (decision 30). */
	if (!err && cfg->oneshot)
		err = bpf_map__set_max_entries(skel->maps.seen_code, ONESHOT_SEEN_CODE);
	/* Likewise the thread-state cache: a miss only searches again. */
	if (!err && cfg->oneshot)
		err = bpf_map__set_max_entries(skel->maps.tstates, ONESHOT_TSTATES);
	/* The per-thread maps of programs not loaded: one entry, not 65536
	 * preallocated (on_exit still deletes from tick_last: a miss). */
	if (!err && !cfg->tick)
		err = bpf_map__set_max_entries(skel->maps.tick_last, 1);
	if (!err && !cfg->wall)
		err = bpf_map__set_max_entries(skel->maps.offcpu_start, 1);
	/* Likewise the calls pending between entry and return (live mode). */
	if (!err && !(cfg->memory && cfg->live))
		err = bpf_map__set_max_entries(skel->maps.pending_maps, 1);
	/* A one-shot's targets are its command's processes: allocated as they
	 * fork, not 16384 up front (3-6 ms). The daemon keeps the preallocated
	 * map, whose updates cannot fail for memory. */
	if (!err && cfg->oneshot)
		err = bpf_map__set_map_flags(skel->maps.targets,
					     bpf_map__map_flags(skel->maps.targets) |
						     BPF_F_NO_PREALLOC);
	return err;
}

/* Opens the object (CO-RE relocated against btf_path when not NULL, else
 * the kernel's BTF), configures it for cfg and loads it. */
static int open_load(struct bpf_ctx *b, const struct bpf_config *cfg, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = btf_path);
	int err;

	b->skel = mlprof__open_opts(&oo);
	err = b->skel ? configure(b->skel, cfg) : -ENOMEM;
	if (!err)
		err = load_populated(b->skel);
	if (err) {
		mlprof__destroy(b->skel);
		b->skel = NULL;
	}
	return err;
}

const void *bpfload__object(size_t *n)
{
	return mlprof__elf_bytes(n);
}

struct bpf_ctx *bpfload__open(const struct bpf_config *cfg, bpf_event_fn fn, void *fn_ctx)
{
	struct bpf_ctx *b = calloc(1, sizeof(*b));
	int err = 0, n;

	libbpf_set_print(print_libbpf);
	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	b->fn = fn;
	b->fn_ctx = fn_ctx;
	n = libbpf_num_possible_cpus();
	b->ncpus = n > 0 ? (unsigned)n : 0;
	if (n <= 0) {
		err = n;
		fprintf(stderr, "mlprofd: cannot open the BPF object: %s\n", strerror(-err));
		goto fail;
	}
	err = open_load(b, cfg, cfg->btf_path);
	/* The cached BTF was checked, but whatever goes wrong with it, the
	 * kernel's own is the fallback (decision 30). */
	if (err && cfg->btf_path) {
		if (cfg->verbose)
			fprintf(stderr, "mlprofd: loading with the cached BTF failed (%s); "
					"the kernel's BTF is used\n", strerror(-err));
		err = open_load(b, cfg, NULL);
	}
	if (err) {
		fprintf(stderr, "mlprofd: loading BPF programs failed: %s (are you root? is BTF "
				"at /sys/kernel/btf/vmlinux?)\n", strerror(-err));
		goto fail;
	}
	if (!err)
		err = set_walker(b->skel->maps.mem_walkers, b->skel->progs.mem_walk);
	if (!err)
		err = set_walker(b->skel->maps.perf_walkers, b->skel->progs.perf_walk);
	if (err) {
		fprintf(stderr, "mlprofd: cannot install the shared walks: %s\n", strerror(-err));
		goto fail;
	}
	err = mlprof__attach(b->skel);
	if (err) {
		fprintf(stderr, "mlprofd: attaching tracepoints failed: %s\n", strerror(-err));
		goto fail;
	}
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_record, b, NULL);
	if (!b->rb) {
		err = -errno;
		fprintf(stderr, "mlprofd: ring buffer setup failed: %s\n", strerror(-err));
		goto fail;
	}
	return b;
fail:
	bpfload__close(b);
	errno = -err;
	return NULL;
}

void bpfload__close(struct bpf_ctx *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	mlprof__destroy(b->skel);
	free(b);
}

int bpfload__ringbuf_fd(const struct bpf_ctx *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

int bpfload__consume(struct bpf_ctx *b)
{
	return ring_buffer__consume(b->rb);
}

static int prog_fd_if_loaded(const struct bpf_program *prog)
{
	return bpf_program__autoload(prog) ? bpf_program__fd(prog) : -1;
}

int bpfload__sample_prog_fd(const struct bpf_ctx *b)
{
	return prog_fd_if_loaded(b->skel->progs.on_sample);
}

void bpfload__sampler_config(const struct bpf_ctx *b, struct sampler_config *cfg)
{
	cfg->clock_prog_fd = prog_fd_if_loaded(b->skel->progs.on_sample);
	cfg->bridge_prog_fd = prog_fd_if_loaded(b->skel->progs.on_bridge);
	cfg->fault_prog_fd = prog_fd_if_loaded(b->skel->progs.on_fault);
	cfg->uprobe_prog_fd[MEMPROBE_MMAP] = prog_fd_if_loaded(b->skel->progs.on_mmap);
	cfg->uprobe_prog_fd[MEMPROBE_MREMAP] = prog_fd_if_loaded(b->skel->progs.on_mremap);
	cfg->uprobe_prog_fd[MEMPROBE_SBRK] = prog_fd_if_loaded(b->skel->progs.on_brk);
	cfg->uprobe_prog_fd[MEMPROBE_MUNMAP] = prog_fd_if_loaded(b->skel->progs.on_munmap);
	cfg->uretprobe_prog_fd[MEMPROBE_MMAP] = prog_fd_if_loaded(b->skel->progs.on_mmap_ret);
	cfg->uretprobe_prog_fd[MEMPROBE_MREMAP] = prog_fd_if_loaded(b->skel->progs.on_mremap_ret);
	cfg->uretprobe_prog_fd[MEMPROBE_SBRK] = -1;
	cfg->uretprobe_prog_fd[MEMPROBE_MUNMAP] = -1;
	cfg->finalize_prog_fd = prog_fd_if_loaded(b->skel->progs.on_finalize);
}

unsigned bpfload__ncpus(const struct bpf_ctx *b)
{
	return b->ncpus;
}

int bpfload__get_target(struct bpf_ctx *b, uint32_t pid, struct mlprof_target *t)
{
	return bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.targets), &pid, t) ? -errno : 0;
}

int bpfload__set_target(struct bpf_ctx *b, uint32_t pid, const struct mlprof_target *t,
			uint64_t flags)
{
	return bpf_map_update_elem(bpf_map__fd(b->skel->maps.targets), &pid, t, flags) ? -errno : 0;
}

int bpfload__del_target(struct bpf_ctx *b, uint32_t pid)
{
	return bpf_map_delete_elem(bpf_map__fd(b->skel->maps.targets), &pid) ? -errno : 0;
}

int bpfload__layout_id(struct bpf_ctx *b, const struct mlprof_layout *L, uint32_t *id)
{
	uint32_t i;

	for (i = 1; i <= b->nlayouts; i++) {
		if (!memcmp(&b->layouts[i - 1], L, sizeof(*L))) {
			*id = i;
			return 0;
		}
	}
	if (b->nlayouts + 1 >= MLPROF_MAX_LAYOUTS)
		return -ENOSPC;
	i = b->nlayouts + 1;
	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.layouts), &i, L, BPF_ANY))
		return -errno;
	b->layouts[b->nlayouts++] = *L;
	*id = i;
	return 0;
}

int bpfload__stats(struct bpf_ctx *b, uint64_t out[MLPROF_STAT_NR])
{
	uint64_t *vals = calloc(b->ncpus, sizeof(*vals));
	uint32_t k;
	unsigned cpu;
	int err = vals ? 0 : -ENOMEM;

	for (k = 0; !err && k < MLPROF_STAT_NR; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.stats), &k, vals)) {
			err = -errno;
			break;
		}
		for (cpu = 0; cpu < b->ncpus; cpu++)
			out[k] += vals[cpu];
	}
	free(vals);
	return err;
}

unsigned bpfload__target_count(struct bpf_ctx *b)
{
	int fd = bpf_map__fd(b->skel->maps.targets);
	uint32_t key, next;
	unsigned n = 0;
	void *prev = NULL;

	while (n < MLPROF_MAX_TARGETS && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}
