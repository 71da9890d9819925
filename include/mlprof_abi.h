/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The contract between the BPF programs (bpf/) and mlprofd (user/).
 *
 * Fixed-width types and #defines only; this header includes nothing so both
 * sides can use it. Changing a struct here changes both sides: rebuild
 * everything. There is no version number: the BPF object is compiled into
 * mlprofd (bpftool's skeleton) from this header in the same build, so the
 * two sides cannot disagree, and a saved snapshot carries its own format
 * (docs/snapshot.md), not this one.
 */
#ifndef MLPROF_ABI_H
#define MLPROF_ABI_H

/* Python frames kept per sample; a deeper stack is marked truncated. */
#define MLPROF_MAX_FRAMES 512
/* Default --fault-period: one page fault in this many walks the stack and
 * stands for all of them (128 pages = 512 KiB; 32 cost about 1.5 points
 * more on an allocation-heavy workload, docs/design.md decision 11). */
#define MLPROF_FAULT_PERIOD_DEFAULT 128
/* Threads examined when looking a thread state up by native thread id. */
#define MLPROF_MAX_THREADS 4096
/* Interpreters examined (main interpreter plus sub-interpreters). */
#define MLPROF_MAX_INTERPS 8
#define MLPROF_MAX_LAYOUTS 64
#define MLPROF_MAX_TARGETS 16384

/* User space drains the ring buffer at least this often: samples and code
 * events wake it up only when a lot is waiting (bpf/maps.bpf.h). */
#define MLPROF_RB_POLL_MS 50

/* Caps, in bytes, of what a code event carries. */
#define MLPROF_FILENAME_MAX 512
#define MLPROF_NAME_MAX 256
#define MLPROF_QUALNAME_MAX 512
#define MLPROF_LINETABLE_MAX 4096
#define MLPROF_CODE_DATA_MAX \
	(MLPROF_FILENAME_MAX + MLPROF_NAME_MAX + MLPROF_QUALNAME_MAX + MLPROF_LINETABLE_MAX)

/* Bytes read at once from a frame and from a code object; every offset a
 * layout names for them must be below these minus 8 (checked by
 * pylayout_validate in user space). */
#define MLPROF_FRAME_READ 128
#define MLPROF_CODE_READ 256
/* Bytes read at once from a str and from a bytes object header: the
 * layout's str_length/str_state and bytes_size must end within them
 * (pylayout_validate). */
#define MLPROF_STR_HEAD_READ 40
#define MLPROF_BYTES_HEAD_READ 24

enum mlprof_event_type {
	MLPROF_EV_SAMPLE = 1,
	MLPROF_EV_CODE = 2,
	MLPROF_EV_EXEC = 3,
	MLPROF_EV_FORK = 4,
	MLPROF_EV_EXIT = 5,
	MLPROF_EV_MEMOP = 6, /* --memory=live: memory given back or moved */
	MLPROF_EV_OFFCPU_END = 7, /* --mode wall: a blocked target thread runs again */
};

/* Sample flags. */
#define MLPROF_SF_TRUNCATED (1u << 0)  /* more frames than MLPROF_MAX_FRAMES */
#define MLPROF_SF_NO_LAYOUT (1u << 1)  /* interpreter layout not known yet */
#define MLPROF_SF_NO_RUNTIME (1u << 2) /* interpreter not initialised */
#define MLPROF_SF_NO_TSTATE (1u << 3)  /* thread has no PyThreadState */
#define MLPROF_SF_READ_ERR (1u << 4)   /* a read of target memory failed */
#define MLPROF_SF_KERNEL (1u << 5)     /* sampled while in the kernel */
#define MLPROF_SF_ADDR (1u << 6)       /* ALLOC: addr is the mapping's start (live) */
#define MLPROF_SF_HEAP (1u << 7)       /* ALLOC: sbrk growth of the heap (live) */
#define MLPROF_SF_RSS (1u << 8)        /* FAULT: rss_pages/anon_pages were read */
#define MLPROF_SF_SHUTDOWN (1u << 9)   /* no Python frame, the runtime finalizing */
#define MLPROF_SF_GC (1u << 10)        /* the thread's interpreter collecting cycles */
#define MLPROF_SF_STARTING (1u << 11)  /* no Python frame, runtime not initialised yet */

/* Stat counters (per-CPU array indices). */
enum mlprof_stat {
	MLPROF_STAT_SAMPLES = 0,     /* perf events on target threads */
	MLPROF_STAT_SAMPLE_DROPS,    /* samples lost: ring buffer full */
	MLPROF_STAT_CODE_DROPS,      /* code events lost (retried later) */
	MLPROF_STAT_PROC_DROPS,      /* exec/fork/exit events lost */
	MLPROF_STAT_TRUNCATED,       /* samples with a truncated stack */
	MLPROF_STAT_READ_ERRORS,     /* samples cut short by a failed read */
	MLPROF_STAT_TSTATE_WALKS,    /* thread-list walks (cache misses) */
	MLPROF_STAT_CODE_EVENTS,     /* code events sent */
	MLPROF_STAT_TARGETS_FULL,    /* forks not followed: target map full */
	MLPROF_STAT_MEM_EVENTS,      /* memory stack events sent */
	MLPROF_STAT_MEM_DROPS,       /* memory stack events lost: ring buffer full, or no walk to tail call */
	MLPROF_STAT_MEMOP_DROPS,     /* live mode: unmap/remap/shrink events lost */
	MLPROF_STAT_OFFCPU_EVENTS,   /* wall mode: off-CPU stacks sent */
	MLPROF_STAT_OFFCPU_DROPS,    /* wall mode: off-CPU stacks or ends lost */
	MLPROF_STAT_TICK_OTHER,      /* --clock tick: events of non-target tasks (returned at once) */
	MLPROF_STAT_TICK_REMOTE,     /* --clock tick: target events off its CPU (weight carried on) */
	MLPROF_STAT_TICK_SHORT,      /* --clock tick: target events not walked: in a system call, or
				      * under 3/4 tick of CPU since its last sample */
	MLPROF_STAT_DUP_SAMPLES,     /* samples of an event a process inherited beside its own
				      * (mlprof_target.cover): duplicates, not counted */
	MLPROF_STAT_BRIDGE_SAMPLES,  /* samples of a child that inherited no event (MLPROF_TF_BRIDGE),
				      * taken by the per-CPU bridge events until its own opened */
	MLPROF_STAT_NR,
};

struct mlprof_ev_hdr {
	__u32 type;
	__u32 pid;      /* host tgid */
	__u32 tid;      /* host tid */
	__u32 exec_seq; /* which exec of this pid the event belongs to */
	__u64 ts_ns;    /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
};

struct mlprof_frame {
	__u64 code;  /* PyCodeObject address */
	__s32 lasti; /* code units from co_code_adaptive; -1 before the first */
	__u32 owner;
};

/* What a stack event measures. */
enum mlprof_sample_kind {
	MLPROF_MK_CPU = 0,   /* a cpu-clock sample: value = 1 */
	MLPROF_MK_ALLOC = 1, /* anonymous mmap, mremap growth or brk growth: bytes */
	MLPROF_MK_FAULT = 2, /* sampled user page faults: value = bytes they stand for */
	MLPROF_MK_OFFCPU = 3, /* --mode wall: the thread blocks here; value = its
			       * prev_state, syscall = the system call it is in;
			       * the time comes with its MLPROF_EV_OFFCPU_END */
	MLPROF_MK_CPU_NS = 4, /* --clock tick: value = ns of CPU time since the thread's last one */
};

/* Where a CPU sample's thread was (its own time: interpreter, another
 * native object, or the kernel). */
enum mlprof_where {
	MLPROF_WH_UNKNOWN = 0, /* not a CPU sample, or the interpreter's text is unknown */
	MLPROF_WH_INTERP = 1,  /* user IP in the interpreter's text */
	MLPROF_WH_NATIVE = 2,  /* user IP in another mapping: obj names its file */
	MLPROF_WH_KERNEL = 3,  /* in the kernel: syscall says which system call */
};

#define MLPROF_OBJ_NAME 48

/* Pieces of a sample a benchmark may switch off (MLPROF_BENCH_OFF, read
 * only by mlprofd at start: BENCHMARKS.md's per-piece costs). Never off
 * in a profile anyone reads: the reports then lack what they name. */
enum mlprof_piece_off {
	MLPROF_OFF_PHASES = 1 << 0, /* interpreter phases and garbage collection */
	MLPROF_OFF_WHERE = 1 << 1,  /* interpreter / native object / kernel */
};

struct mlprof_sample {
	struct mlprof_ev_hdr hdr;
	__u32 flags;
	__u32 nframes; /* frames[0] is the innermost (running) frame */
	__u32 ns_tid;  /* thread id inside the target's PID namespace */
	__u32 cpu;
	__u32 kind;    /* enum mlprof_sample_kind */
	__u32 pad0;
	__u64 value;
	__u64 addr;    /* ALLOC with MLPROF_SF_ADDR: where the bytes were mapped */
	/* FAULT with MLPROF_SF_RSS: the process's resident pages (file +
	 * anonymous + shmem) and anonymous resident pages after this fault,
	 * from the mm's counters (which lag by the per-CPU batches). */
	__u32 rss_pages, anon_pages;
	/* CPU samples: where the thread was (bpf/where.bpf.h). frames[]
	 * must stay last (a sample ships only its used frames). */
	__u32 where;   /* enum mlprof_where */
	__s32 syscall; /* MLPROF_WH_KERNEL: system call number, -1 none */
	char obj[MLPROF_OBJ_NAME]; /* MLPROF_WH_NATIVE: file name of the
				    * mapping of the user IP ("" anonymous) */
	struct mlprof_frame frames[MLPROF_MAX_FRAMES];
};

/* --memory=live: what gives memory back, for the allocating stacks' live
 * bytes. No stack: the bytes are charged back to whoever mapped them. */
enum mlprof_memop {
	MLPROF_MO_UNMAP = 1,       /* munmap(addr, len) */
	MLPROF_MO_REMAP = 2,       /* mremap(old_addr, old_len, len) moved to addr */
	MLPROF_MO_HEAP_SHRINK = 3, /* sbrk(-len) */
	MLPROF_MO_FINALIZE = 4,    /* Py_FinalizeEx: the program is done; what is
				    * held now is what it held at its end */
};

struct mlprof_memop_event {
	struct mlprof_ev_hdr hdr;
	__u32 op;      /* enum mlprof_memop */
	__u32 pad0;
	__u64 addr, len;
	__u64 old_addr, old_len;
};

/* --mode wall: the end of the off-CPU interval a MLPROF_MK_OFFCPU stack
 * of the same tid began at start_ns. */
struct mlprof_offcpu_end {
	struct mlprof_ev_hdr hdr; /* ts_ns: when it runs again */
	__u64 start_ns;
};

/* Code event flags. */
#define MLPROF_CF_FILENAME_CUT (1u << 0)
#define MLPROF_CF_NAME_CUT (1u << 1)
#define MLPROF_CF_QUALNAME_CUT (1u << 2)
#define MLPROF_CF_LINETABLE_CUT (1u << 3)
#define MLPROF_CF_READ_ERR (1u << 4)

/* Sent the first time a (pid, exec, code object, identity) is seen, so
 * names survive the process. Strings are raw PEP 393 code units of the
 * given kind (1, 2 or 4 bytes; 0 if unreadable); data holds filename,
 * name, qualname and linetable back to back. */
struct mlprof_code {
	struct mlprof_ev_hdr hdr;
	__u64 code;
	__s32 firstlineno;
	__u32 flags;
	__u16 filename_len;
	__u16 name_len;
	__u16 qualname_len;
	__u16 linetable_len;
	__u8 filename_kind;
	__u8 name_kind;
	__u8 qualname_kind;
	__u8 pad0;
	__u32 linetable_size; /* the whole co_linetable, even if cut */
	__u8 data[MLPROF_CODE_DATA_MAX];
};

#define MLPROF_COMM_LEN 16
#define MLPROF_PATH_MAX 256

struct mlprof_proc_event {
	struct mlprof_ev_hdr hdr;
	__u32 ppid;        /* fork: parent tgid */
	__u32 ns_pid;      /* pid inside its own PID namespace */
	__s32 exit_code;   /* exit: wait status */
	__u32 is_target;   /* 1 if the process is in the target map */
	__u32 uncovered;   /* fork: 1 if the child inherited no perf event (MLPROF_TF_BRIDGE) */
	__u32 ev_pad;
	__u64 maxrss_kb;   /* exit: peak RSS of the process */
	char comm[MLPROF_COMM_LEN];
	char filename[MLPROF_PATH_MAX]; /* exec: the path given to execve */
};

/* Offsets into CPython structures, for one interpreter build. Filled by
 * user space (user/pylayout.c). All offsets in bytes. */
struct mlprof_layout {
	__u32 version_hex;
	__u16 rt_interp_head;     /* _PyRuntime.interpreters.head */
	__u16 interp_next;        /* PyInterpreterState.next */
	__u16 interp_threads_head;
	__u16 ts_next;
	__u16 ts_native_tid;
	__u16 ts_frame;           /* 3.13+: current_frame; 3.11/3.12: cframe */
	__u16 cframe_frame;       /* 3.11/3.12: _PyCFrame.current_frame */
	__u8 has_cframe;          /* 1: ts_frame points to a _PyCFrame */
	__u8 owner_skip_min;      /* skip frames whose owner is >= this */
	__u16 fr_previous;
	__u16 fr_code;            /* f_code / f_executable */
	__u16 fr_instr;           /* prev_instr / instr_ptr */
	__u16 fr_owner;           /* one byte */
	__u16 ob_type;            /* PyObject.ob_type */
	__u16 co_firstlineno;
	__u16 co_filename;
	__u16 co_name;
	__u16 co_qualname;
	__u16 co_linetable;
	__u16 co_code_adaptive;
	__u16 str_length;         /* PyASCIIObject.length */
	__u16 str_state;
	__u16 str_ascii_size;     /* sizeof(PyASCIIObject) */
	__u16 str_compact_size;   /* sizeof(PyCompactUnicodeObject) */
	__u16 bytes_size;         /* PyVarObject.ob_size */
	__u16 bytes_sval;
	/* Bytes to copy at once: just what the fields above need, so a read
	 * never runs past the object into an unmapped page. */
	__u8 frame_read;          /* <= MLPROF_FRAME_READ */
	__u8 code_read;           /* <= MLPROF_CODE_READ - 1 */
	__u64 code_tag_mask;      /* bits to clear from f_executable */
	/* Interpreter phases (user/pyphase.c); 0: not known for this build,
	 * the phase is then not looked at. */
	__u32 rt_finalizing;      /* _PyRuntime._finalizing (PyThreadState *) */
	__u32 interp_gc_collecting; /* PyInterpreterState.gc.collecting (int) */
	__u32 rt_initialized;     /* _PyRuntime.initialized (int) */
	__u16 ts_interp;          /* PyThreadState.interp */
	__u16 phase_pad;
	/* The thread holding the GIL (PyThreadState *), one of: */
	__u32 rt_gil_holder;      /* 3.11: _PyRuntime.gilstate.tstate_current */
	__u32 interp_gil_holder;  /* 3.12+: PyInterpreterState._gil.last_holder,
				   * followed by the int `locked` */
};

/* Per target process (key: host tgid). */
#define MLPROF_TF_ROOT (1u << 0)      /* selected by user space */
#define MLPROF_TF_INHERITED (1u << 1) /* child of a target */
/* A child that inherited no perf event at its fork (forked from a thread
 * whose events were not open yet): the per-CPU bridge events sample it
 * until user space has opened its own (cover set). Timer clock only. */
#define MLPROF_TF_BRIDGE (1u << 2)

struct mlprof_target {
	__u32 layout_id;   /* 0: not known yet, samples carry NO_LAYOUT */
	__u32 flags;
	__u32 exec_seq;
	/* 0: every mlprof event on the process counts. Else the pid whose
	 * own events count: a process that was given events of its own
	 * (MLPROF_TF_BRIDGE); samples of other events are duplicates
	 * (MLPROF_STAT_DUP_SAMPLES). Children copy it. */
	__u32 cover;
	__u64 runtime;     /* address of _PyRuntime in the target */
	__u64 code_type;   /* address of PyCode_Type in the target */
	/* The interpreter's executable text (python or libpython), [lo, hi):
	 * a user IP outside it is native code. 0, 0: not known yet. */
	__u64 text_lo, text_hi;
};

#endif /* MLPROF_ABI_H */
