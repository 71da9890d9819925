# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Unit tests (Criterion) and fuzzers (libFuzzer), included by the Makefile.
#   make unit-test            build and run tests/unit/*.c against libmlprof.a
#   make fuzz FUZZ_SECONDS=60 run each fuzzer for that long on its corpus
# priv-test and test are defined in the Makefile.

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/obj/%.o)
UNIT_BIN  := $(BUILD)/tests/unit
# Criterion's own flags; e.g. `make unit-test UNIT_ARGS='--filter=elfread/*'`.
UNIT_ARGS ?=

$(BUILD)/tests/obj/%.o: tests/unit/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -c $< -o $@

$(UNIT_BIN): $(UNIT_OBJS) $(BUILD)/libmlprof.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -lcriterion $(LDLIBS) -o $@

unit-test: $(UNIT_BIN)
	$(call msg,TEST,$<)
	$(Q)$< $(UNIT_ARGS)

# Fuzzers are built with clang straight from the sources (not libmlprof.a,
# which is built without sanitizers).
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS  := -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -Iinclude -Iuser -I$(BUILD)
FUZZERS      := $(BUILD)/fuzz/fuzz_elf $(BUILD)/fuzz/fuzz_linetable $(BUILD)/fuzz/fuzz_sourcemap \
                $(BUILD)/fuzz/fuzz_mlalign $(BUILD)/fuzz/fuzz_snapload $(BUILD)/fuzz/fuzz_mntlocal

$(BUILD)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c user/elfread.c user/elfread.h
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) tests/fuzz/fuzz_elf.c user/elfread.c -lelf -lz -o $@

$(BUILD)/fuzz/fuzz_linetable: tests/fuzz/fuzz_linetable.c user/linetable.c user/linetable.h
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) tests/fuzz/fuzz_linetable.c user/linetable.c -o $@

$(BUILD)/fuzz/fuzz_sourcemap: tests/fuzz/fuzz_sourcemap.c user/sourcemap.c user/sourcemap_mlpy.c \
		user/sourcemap.h user/sourcemap_priv.h
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) tests/fuzz/fuzz_sourcemap.c user/sourcemap.c user/sourcemap_mlpy.c \
		-lcjson -o $@

$(BUILD)/fuzz/sourcemap.seeded: $(wildcard tests/fuzz/corpus/sourcemap/*)
	$(call msg,SEEDS,$(BUILD)/fuzz/corpus/sourcemap)
	$(Q)mkdir -p $(BUILD)/fuzz/corpus/sourcemap
	$(Q)cp tests/fuzz/corpus/sourcemap/* $(BUILD)/fuzz/corpus/sourcemap/
	$(Q)touch $@

# Working corpora live under $(BUILD); the committed seeds stay small. ELF
# seeds are made at build time (tests/fuzz/make-seeds.sh).
$(BUILD)/fuzz/elf.seeded: tests/fuzz/make-seeds.sh
	$(call msg,SEEDS,$(BUILD)/fuzz/corpus/elf)
	$(Q)mkdir -p $(BUILD)/fuzz/corpus/elf
	$(Q)CC="$(CC)" sh tests/fuzz/make-seeds.sh $(BUILD)/fuzz/corpus/elf
	$(Q)touch $@

$(BUILD)/fuzz/fuzz_mlalign: tests/fuzz/fuzz_mlalign.c user/mlalign.c user/mlalign.h user/hashmap.c
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) tests/fuzz/fuzz_mlalign.c user/mlalign.c user/hashmap.c -o $@

$(BUILD)/fuzz/mlalign.seeded: tests/workloads/ml/split.ml
	$(call msg,SEEDS,$(BUILD)/fuzz/corpus/mlalign)
	$(Q)mkdir -p $(BUILD)/fuzz/corpus/mlalign
	$(Q){ printf '\001'; cat tests/unit/test_mlalign.c; printf '\000'; \
	      cat tests/workloads/ml/split.ml; } > $(BUILD)/fuzz/corpus/mlalign/split
	$(Q)touch $@

$(BUILD)/fuzz/fuzz_snapload: tests/fuzz/fuzz_snapload.c user/snapshot.c user/snapshot.h \
		user/jsonscan.c user/jsonscan.h user/snapstats.c user/snapstats.h user/sclock.c user/sclock.h user/timefmt.c
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) tests/fuzz/fuzz_snapload.c user/snapshot.c user/jsonscan.c \
		user/snapstats.c user/sclock.c user/timefmt.c -lcjson -o $@

$(BUILD)/fuzz/snapload.seeded: $(wildcard tests/fuzz/corpus/snapload/*)
	$(call msg,SEEDS,$(BUILD)/fuzz/corpus/snapload)
	$(Q)mkdir -p $(BUILD)/fuzz/corpus/snapload
	$(Q)cp tests/fuzz/corpus/snapload/* $(BUILD)/fuzz/corpus/snapload/
	$(Q)touch $@

$(BUILD)/fuzz/fuzz_mntlocal: tests/fuzz/fuzz_mntlocal.c user/mntlocal.c user/mntlocal.h
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) tests/fuzz/fuzz_mntlocal.c user/mntlocal.c -o $@

$(BUILD)/fuzz/mntlocal.seeded: $(wildcard tests/fuzz/corpus/mntlocal/*)
	$(call msg,SEEDS,$(BUILD)/fuzz/corpus/mntlocal)
	$(Q)mkdir -p $(BUILD)/fuzz/corpus/mntlocal
	$(Q)cp tests/fuzz/corpus/mntlocal/* $(BUILD)/fuzz/corpus/mntlocal/
	$(Q)touch $@

$(BUILD)/fuzz/linetable.seeded: $(wildcard tests/fuzz/corpus/linetable/*)
	$(call msg,SEEDS,$(BUILD)/fuzz/corpus/linetable)
	$(Q)mkdir -p $(BUILD)/fuzz/corpus/linetable
	$(Q)cp tests/fuzz/corpus/linetable/* $(BUILD)/fuzz/corpus/linetable/
	$(Q)touch $@

fuzz: $(FUZZERS) $(BUILD)/fuzz/elf.seeded $(BUILD)/fuzz/linetable.seeded \
      $(BUILD)/fuzz/sourcemap.seeded $(BUILD)/fuzz/mlalign.seeded $(BUILD)/fuzz/snapload.seeded \
      $(BUILD)/fuzz/mntlocal.seeded
	$(Q)set -e; for f in elf linetable sourcemap mlalign snapload mntlocal; do \
		printf '  %-8s %s (%ss)\n' FUZZ fuzz_$$f $(FUZZ_SECONDS); \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ \
			$(BUILD)/fuzz/corpus/$$f 2>$(BUILD)/fuzz/fuzz_$$f.log || \
			{ tail -n 60 $(BUILD)/fuzz/fuzz_$$f.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units|^Done' $(BUILD)/fuzz/fuzz_$$f.log; \
	done

# test_export.c decodes pprof with the generated message types.
$(BUILD)/tests/obj/test_export.o: $(BUILD)/profile.pb-c.h
