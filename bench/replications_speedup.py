"""Replications of the baseline month: serial against local processes, same invocation.

Runs R replications of ``scenarios/baseline_2023.toml`` (28 days) in turn with
each contender, alternating over rounds (S P T S P T ...) so a slow spell of a
shared machine hits all of them, and reports medians and ratios to serial:

* ``serial``: :func:`sim.experiment.executors.run_all`, executor ``serial``;
* ``processes``: the same with ``processes`` (the default of ``helpline sweep``,
  ``compare`` and ``replications``): workers return only the metric summary;
* ``runner+tables``: :func:`sim.runner.run_replications` keeping the four
  record tables, as ``helpline run`` does (the tables are pickled back).

It also measures what the parallel path pays on top of the work: starting the
pool (fork, first task) and the pickled size of a result with and without
tables, and, per round, the cores each contender obtained (CPU seconds of this
process and its pool / wall seconds): well under 2 for ``processes`` means
other jobs held a core, which no executor can fix. Target: processes / serial
<= 0.6 on 2 cores.

    python -m bench.replications_speedup                 # R = 8, 3 rounds
    python -m bench.replications_speedup --replications 4 --rounds 1 --json
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sim.experiment.executors import run_all  # noqa: E402
from sim.runner import TABLES, default_workers, run_one, run_replications  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

TARGET_RATIO = 0.6


def _cpu_s() -> float:
    """CPU seconds used so far by this process and its finished (reaped) children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall s, cores obtained = CPU s / wall s, result) of one call."""
    c0, t0 = _cpu_s(), time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t0
    return wall, (_cpu_s() - c0) / wall, out


def _pool_startup_s(workers: int) -> float:
    """Wall time to start a pool and get one trivial answer from every worker."""
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(abs, range(workers)))
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(REPO_ROOT / "scenarios" / "baseline_2023.toml"))
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None, help="default: all cores")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check", action="store_true", help=f"exit 1 if the ratio > {TARGET_RATIO}")
    args = ap.parse_args(argv)
    sc = load_scenario(args.scenario)
    reps, workers = args.replications, args.workers or default_workers()

    contenders: dict[str, Callable[[], object]] = {
        "serial": lambda: run_all([sc], reps, executor="serial"),
        "processes": lambda: run_all([sc], reps, executor="processes", workers=workers),
        "runner+tables": lambda: run_replications(sc, reps, workers=workers, tables=TABLES),
    }
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {k: [] for k in contenders}
    cores: dict[str, list[float]] = {k: [] for k in contenders}
    outputs: dict[str, object] = {}
    for _ in range(args.rounds):
        for name, fn in contenders.items():
            t, c, outputs[name] = _timed(fn)
            times[name].append(t)
            cores[name].append(c)
    serial = outputs["serial"]
    same = all(
        serial[k].summary == outputs["processes"][k].summary  # type: ignore[index]
        for k in serial  # type: ignore[union-attr]
    )

    one = run_one(sc, 0, tables=TABLES)
    summary_bytes = len(pickle.dumps(run_one(sc, 0)))
    tables_bytes = len(pickle.dumps(one))
    startup = statistics.median(_pool_startup_s(workers) for _ in range(3))
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["processes"] / med["serial"]
    per_round = [p / q for p, q in zip(times["processes"], times["serial"], strict=True)]
    report = {
        "scenario": sc.name,
        "days": sc.horizon.days,
        "replications": reps,
        "rounds": args.rounds,
        "workers": workers,
        "cpus": os.cpu_count(),
        "load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "median_s": {k: round(v, 3) for k, v in med.items()},
        "rounds_s": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "ratio_to_serial": {k: round(v / med["serial"], 3) for k, v in med.items()},
        "processes_to_serial_by_round": [round(x, 3) for x in per_round],
        "cores_obtained_by_round": {k: [round(x, 2) for x in v] for k, v in cores.items()},
        "per_replication_serial_s": round(med["serial"] / reps, 3),
        "pool_startup_s": round(startup, 3),
        "pickled_result_bytes": {"summary": summary_bytes, "with_tables": tables_bytes},
        "identical_results": same,
        "target_ratio": TARGET_RATIO,
        "target_met": ratio <= TARGET_RATIO,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"{sc.name}: {reps} replications of {sc.horizon.days:g} days, "
            f"{args.rounds} round(s), {workers} workers on {os.cpu_count()} CPUs "
            f"(1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)"
        )
        for k in contenders:
            print(
                f"  {k:<14} median {med[k]:7.2f} s  ratio to serial {med[k] / med['serial']:.2f}"
                f"  rounds {', '.join(f'{x:.2f}' for x in times[k])}"
                f"  cores obtained {', '.join(f'{x:.2f}' for x in cores[k])}"
            )
        print(
            f"  pool start-up {startup:.2f} s; a result pickles to {summary_bytes:,} B "
            f"(summary only) or {tables_bytes:,} B (with tables)"
        )
        print(f"  serial and processes identical: {same}")
        print(f"  processes / serial by round: {', '.join(f'{x:.2f}' for x in per_round)}")
        print(
            f"processes / serial = {ratio:.2f} (target <= {TARGET_RATIO}: "
            f"{'met' if ratio <= TARGET_RATIO else 'NOT met'})"
        )
    if not same:
        return 2
    return 1 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
