# Benchmarks (overhead, accuracy, daemon costs) -> BENCHMARKS.md.
# Included from the Makefile; standalone: make -f Makefile -f tests/bench/bench.mk bench
# BENCH_QUICK=1 for a short try-out (3 reps, fewer rows).  Needs root.
.PHONY: bench bench-quick
bench: $(BUILD)/mlprofd $(BUILD)/mlprofctl
	/usr/bin/python3 tests/bench/bench.py --out BENCHMARKS.md

bench-quick: $(BUILD)/mlprofd $(BUILD)/mlprofctl
	BENCH_QUICK=1 /usr/bin/python3 tests/bench/bench.py --out BENCHMARKS.md
