# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# mlprof: build the BPF objects, their skeletons, mlprofd and mlprofctl.
# Every output goes under $(BUILD). `make V=1` shows the commands.

BUILD    ?= build
CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
PREFIX   ?= /usr/local

CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
            -Iinclude -Iuser -I$(BUILD) -MMD -MP
LDLIBS   := -lbpf -lelf -lz -lcjson -lm -lprotobuf-c -lmicrohttpd -lcurl -lpthread
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
              -I$(BUILD) -Iinclude -Ibpf

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Sources shared by the daemon, the CLI and the tests (pure code).
LIB_SRCS := $(addprefix user/, strbuf.c hashmap.c linetable.c pyunicode.c \
            elfread.c procmaps.c pylayout.c proto.c snapshot.c analysis.c \
            report_raw.c report.c cmdline.c timefmt.c symtab.c inspect.c \
            sourcemap.c sourcemap_mlpy.c classify.c mlmap.c mlalign.c modname.c table.c view.c report_ml.c report_dev.c \
            snapdelta.c metrics.c pushurl.c netaddr.c httpargs.c \
            store.c jsonscan.c tfguard.c mntlocal.c)
# Counters and process fields, each declared once.
LIB_SRCS += user/snapstats.c
# The collector and what it is made of (its real dependencies, collector_sys.c,
# are the daemon's; tests give it fakes).
LIB_SRCS += user/collector.c user/targets.c user/mlpyattr.c user/livemem.c
# Exports (collapsed stacks, speedscope, pprof).
LIB_SRCS += $(addprefix user/, export.c export_collapsed.c export_speedscope.c \
            export_pprof.c export_html.c diff.c)
# The daemon alone.
DAEMON_SRCS := $(addprefix user/, mlprofd.c opts.c evloop.c bpfload.c \
               collector_sys.c control.c oneshot.c sampler.c serve.c httpsrv.c pusher.c \
               btfcache.c bridge.c perfbpf.c)
# Running as a service (snapshot directory, config file).
LIB_SRCS += user/snapdir.c user/conffile.c
# --memory=live: memory held, by the stack that mapped it.
LIB_SRCS += user/liveset.c user/procstatus.c
# /proc/PID/status: its reader and line scanner (procstatus, tcred).
LIB_SRCS += user/statusfile.c
# Reading a target's files as the target.
LIB_SRCS += user/tcred.c user/tfread.c
# Files written as root at paths users may prepare.
LIB_SRCS += user/safefile.c
# The minimized kernel BTF cache: its key and file check (btfcache.c: the I/O).
LIB_SRCS += user/btfkey.c
# Timers of the event loop (a sorted list of deadlines).
LIB_SRCS += user/evtimer.c
# The sampling clock (--clock).
LIB_SRCS += user/sclock.c
# The HTTP bearer token.
LIB_SRCS += user/httptoken.c user/httptls.c
# Who a connection comes from (per-client limits).
LIB_SRCS += user/peerid.c
# Untrusted names in text output.
LIB_SRCS += user/textesc.c
# Interpreter phases (shutdown, garbage collection).
LIB_SRCS += user/pyphase.c
# Where a function's own time went (native objects, system calls).
LIB_SRCS += user/where.c user/offcpu.c
DAEMON_SRCS += user/service.c
# Memory probes on target processes' C library.
DAEMON_SRCS += user/memprobe.c user/memworker.c
CTL_SRCS := user/mlprofctl.c

LIB_OBJS    := $(LIB_SRCS:user/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/profile.pb-c.o
DAEMON_OBJS := $(DAEMON_SRCS:user/%.c=$(BUILD)/obj/%.o)
CTL_OBJS    := $(CTL_SRCS:user/%.c=$(BUILD)/obj/%.o)
SKEL        := $(BUILD)/mlprof.skel.h

.PHONY: all clean test unit-test priv-test fuzz install uninstall bench sid-root soak real-mlpy \
	test-repeat
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/mlprofd $(BUILD)/mlprofctl bpf-headers

$(BUILD)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

# Every BPF header compiles on its own, included first and alone (it
# includes vmlinux.h, the libbpf headers and the headers that declare what
# it uses): a header that only compiles after another fails the build.
BPF_HDRS     := $(wildcard bpf/*.bpf.h)
BPF_HDR_OKS  := $(BPF_HDRS:bpf/%.bpf.h=$(BUILD)/bpfhdr/%.ok)

.PHONY: bpf-headers
bpf-headers: $(BPF_HDR_OKS)

$(BUILD)/bpfhdr/%.ok: bpf/%.bpf.h $(BUILD)/vmlinux.h include/mlprof_abi.h $(BPF_HDRS)
	$(call msg,BPF-HDR,$<)
	$(Q)mkdir -p $(@D)
	$(Q)echo '#include "$(notdir $<)"' | $(CLANG) $(BPF_CFLAGS) -fsyntax-only -x c -
	$(Q)touch $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h include/mlprof_abi.h $(BPF_HDRS) $(BPF_HDR_OKS)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $(basename $(basename $<))) > $@

$(BUILD)/obj/%.o: user/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# Objects that include the skeleton must wait for it.
$(BUILD)/obj/bpfload.o: $(SKEL)

# System call names (x86-64 only; elsewhere they print as numbers).
$(BUILD)/syscall_names.h: scripts/gen_syscalls.sh
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)if [ "$(ARCH)" = x86 ]; then sh $< > $@; else : > $@; fi
$(BUILD)/obj/where.o: $(BUILD)/syscall_names.h

# pprof's message types, generated from the schema by protoc-c.
$(BUILD)/profile.pb-c.c $(BUILD)/profile.pb-c.h &: proto/profile.proto
	$(call msg,PROTOC,$@)
	$(Q)mkdir -p $(BUILD)
	$(Q)protoc-c --proto_path=proto --c_out=$(BUILD) $<

$(BUILD)/obj/profile.pb-c.o: $(BUILD)/profile.pb-c.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/export_pprof.o: $(BUILD)/profile.pb-c.h

# The HTML page, built into the binary (export_html.c).
$(BUILD)/html_page.h: user/html/page.html
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(BUILD)
	$(Q)xxd -i $< > $@
$(BUILD)/obj/export_html.o: $(BUILD)/html_page.h

# Made anew: `ar r` would keep the objects of sources that are gone.
$(BUILD)/libmlprof.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/mlprofd: $(DAEMON_OBJS) $(BUILD)/libmlprof.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/mlprofctl: $(CTL_OBJS) $(BUILD)/libmlprof.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

include tests/tests.mk
include tests/bench/bench.mk

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/obj/*.d)

# Privileged end-to-end tests: the real daemon and BPF programs against real
# interpreters. They need root and fail (not skip) without it.
# They also run every case on Debian sid's python3.13/3.14/3.15 in a chroot
# (built once by scripts/sid-root.sh, ~60 s), with and without a PID
# namespace of their own.
E2E_PYTHON ?= /usr/bin/python3
MLPROF_SID_ROOT ?= /var/cache/mlprof/sid-root
export MLPROF_SID_ROOT
sid-root:
	scripts/sid-root.sh $(MLPROF_SID_ROOT)

# The real mlpy (MLPY_SRC, default ../shared/mlpy/src) importable on the
# host's python3 and in the sid root (scripts/mlpy-real.sh).
real-mlpy: sid-root
	scripts/mlpy-real.sh

priv-test: all sid-root real-mlpy
	MLPROF_REQUIRE_SID=1 $(E2E_PYTHON) -m unittest discover -s tests/e2e -p 'test_*.py' -v

# Flake hunting, not part of `make test`: the privileged tests (or TESTS,
# modules or test ids) N times, HOG=1 beside stress-ng --cpu <ncpu>; prints
# each test's pass count, median and slowest time, and writes
# $(BUILD)/test-repeat.json.
N     ?= 3
HOG   ?= 0
TESTS ?=
test-repeat: all sid-root real-mlpy
	scripts/test-repeat.sh -n $(N) $(if $(filter 1,$(HOG)),--hog) \
		--json $(BUILD)/test-repeat.json --logs $(BUILD)/test-repeat $(TESTS)

# Soak: ten minutes (SOAK_SECONDS) of process churn (SOAK_PROCS short-lived
# interpreters) around a long-lived process, as root, nice'd; prints the
# daemon's RSS and evictions over time (numbers in BENCHMARKS.md).
SOAK_SECONDS ?= 600
SOAK_PROCS   ?= 6000
soak: all
	nice -n 10 $(E2E_PYTHON) tests/soak.py $(SOAK_SECONDS) $(SOAK_PROCS)

# A short fuzz of each parser that reads target-controlled input runs too.
test: unit-test
	$(MAKE) fuzz FUZZ_SECONDS=$${FUZZ_SECONDS:-10}
	$(MAKE) priv-test

# Installation: `make install [PREFIX=/usr/local] [DESTDIR=...]`. The unit
# goes to $(PREFIX)/lib/systemd/system (in systemd's search path for
# /usr/local) with the install paths filled in; the configuration file is
# installed only if there is none (it is the administrator's).
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
CONF       := $(SYSCONFDIR)/mlprof/mlprofd.conf

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/mlprof
	install -m 0755 $(BUILD)/mlprofd $(DESTDIR)$(SBINDIR)/mlprofd
	install -m 0755 $(BUILD)/mlprofctl $(DESTDIR)$(BINDIR)/mlprofctl
	install -m 0644 docs/man/mlprofd.8 $(DESTDIR)$(MANDIR)/man8/mlprofd.8
	install -m 0644 docs/man/mlprofctl.1 $(DESTDIR)$(MANDIR)/man1/mlprofctl.1
	sed -e 's|/usr/local/sbin/mlprofd|$(SBINDIR)/mlprofd|g' -e 's|/etc/mlprof/mlprofd.conf|$(CONF)|g' \
		scripts/mlprofd.service > $(DESTDIR)$(UNITDIR)/mlprofd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/mlprofd.service
	@if [ -e $(DESTDIR)$(CONF) ]; then \
		echo "  keeping $(DESTDIR)$(CONF) (new default: scripts/mlprofd.conf)"; \
	else \
		echo "install -m 0644 scripts/mlprofd.conf $(DESTDIR)$(CONF)"; \
		install -m 0644 scripts/mlprofd.conf $(DESTDIR)$(CONF); \
	fi
	@[ -n "$(DESTDIR)" ] || echo "  now: systemctl daemon-reload && systemctl enable --now mlprofd"

# The configuration file goes only if it is still the shipped one.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mlprofd $(DESTDIR)$(BINDIR)/mlprofctl \
		$(DESTDIR)$(MANDIR)/man8/mlprofd.8 $(DESTDIR)$(MANDIR)/man1/mlprofctl.1 \
		$(DESTDIR)$(UNITDIR)/mlprofd.service
	@if cmp -s scripts/mlprofd.conf $(DESTDIR)$(CONF); then \
		echo "rm -f $(DESTDIR)$(CONF)"; rm -f $(DESTDIR)$(CONF); \
		rmdir $(DESTDIR)$(SYSCONFDIR)/mlprof 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(CONF) ]; then \
		echo "  keeping $(DESTDIR)$(CONF) (changed by the administrator)"; \
	fi
