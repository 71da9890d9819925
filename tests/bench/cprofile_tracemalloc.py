"""What mlpy's own profiling does, as a wrapper: start tracemalloc, then run
SCRIPT under cProfile, then take a tracemalloc snapshot and dump the stats.
usage: cprofile_tracemalloc.py SCRIPT [ARGS...]"""
import cProfile
import runpy
import sys
import tracemalloc


def main():
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    tracemalloc.start()
    prof = cProfile.Profile()
    prof.enable()
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        prof.disable()
        snap = tracemalloc.take_snapshot()
        snap.statistics("lineno")
        tracemalloc.stop()
        prof.dump_stats("/dev/null")


if __name__ == "__main__":
    main()
