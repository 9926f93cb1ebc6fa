"""Grading through Dask against the local pool, on the same class in one run: what going through a cluster costs.

    python benchmarks/bench_cluster.py                       # 200 submissions, 2 workers, each way twice
    python benchmarks/bench_cluster.py --submissions 500 --workers 2 --repeat 3

It builds one class (bench_grading's mix of correct, partly wrong and broken a02_shapes notebooks) and grades
it, from a cold start each time and alternating, with `grade --assignment A --workers N --force` (the local
pool of forked workers) and `grade --assignment A --scheduler local:N --force` (a `distributed.LocalCluster`
of N worker processes, each with its own warm sandbox, fed chunks as bytes; the client stores the results).
For each it reports the wall time, the CPU time of the whole process tree, and the steady seconds per
submission (the mean gap between stored results' modification times, start-up left out); the last line
gives the ratios and Dask's overhead per submission, steady and all included. Both sides sandbox every
notebook. This is a measurement, not a test: run it on a quiet machine and read the numbers as ranges.
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_grading import KIT_ROOT, build_course, children_cpu, environment, gaps, machine

from autograder.engine import catalog  # bench_grading puts the kit on sys.path


def grade(root: Path, assignment: str, *how: str) -> tuple[float, float, float, str]:
    """One cold run of `grade --assignment --force`: wall seconds, CPU seconds, steady seconds per
    submission, and the summary's first lines."""
    command = [
        sys.executable,
        "-m",
        "autograder",
        "grade",
        "--assignment",
        assignment,
        "--course",
        str(root),
        "--force",
        *how,
    ]
    started, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(
        command, cwd=KIT_ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(how)} exited with {done.returncode}:\n{done.stdout}")
    finished = sorted(p.stat().st_mtime_ns / 1e9 for p in (root / "graded" / assignment).glob("*.json"))
    return wall, cpu, statistics.fmean(gaps(finished)), "\n  ".join(done.stdout.strip().splitlines()[:2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assignment", default="a02_shapes", choices=catalog.ASSIGNMENTS)
    parser.add_argument("--submissions", type=int, default=200, help="size of the class (default: 200)")
    parser.add_argument("--workers", type=int, default=2, help="pool workers and cluster processes (default: 2)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, alternating (default: 2)")
    args = parser.parse_args(argv)
    ways = {"local pool": ("--workers", str(args.workers)), "LocalCluster": ("--scheduler", f"local:{args.workers}")}
    workdir = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    print(f"# bench_cluster {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"# machine: {machine()}")
    print(
        f"# {args.submissions} submissions of {args.assignment}, {args.workers} workers, sandboxed, "
        f"{args.repeat} cold runs of each, alternating"
    )
    measured: dict[str, list[tuple[float, float, float]]] = {way: [] for way in ways}
    try:
        course = workdir / "class"
        build_course(course, args.assignment, args.submissions, generate=False)
        for attempt in range(args.repeat):
            for way, how in ways.items():
                wall, cpu, steady, summary = grade(course, args.assignment, *how)
                measured[way].append((wall, cpu, steady))
                print(
                    f"{way}, run {attempt + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU, {steady:.4f} s per submission "
                    f"once started\n  {summary}"
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    medians = {way: [statistics.median(run[i] for run in runs) for i in range(3)] for way, runs in measured.items()}
    (pool_wall, pool_cpu, pool_steady), (dask_wall, dask_cpu, dask_steady) = medians.values()
    count = args.submissions
    print(
        f"medians: local pool {pool_wall:.1f} s wall, {pool_steady:.4f} s/submission steady; LocalCluster "
        f"{dask_wall:.1f} s wall, {dask_steady:.4f} s/submission steady. Ratio (Dask / pool): "
        f"{dask_wall / pool_wall:.2f}x wall, {dask_steady / pool_steady:.2f}x steady, "
        f"{dask_cpu / pool_cpu:.2f}x CPU; "
        f"Dask's overhead per submission: {1000 * (dask_steady - pool_steady):.1f} ms steady, "
        f"{1000 * (dask_wall - pool_wall) / count:.1f} ms with start-up"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
