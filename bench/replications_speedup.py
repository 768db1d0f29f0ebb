"""Replications of the baseline month: serial against local processes, same invocation.

Runs R replications of ``scenarios/baseline_2023.toml`` (28 days) in turn with
each contender, alternating over rounds (S P T S P T ...) so a slow spell of a
shared machine hits all of them, and reports medians and ratios to serial:

* ``serial``: :func:`sim.runner.run_replications` on ``Execution("serial")``,
  summaries only;
* ``processes``: the same on ``Execution("processes")`` (the default of
  ``helpline sweep``, ``compare`` and ``replications``): workers return only
  the metric summary;
* ``runner+tables``: the same keeping the four record tables, as
  ``helpline run`` does (the tables are pickled back and stacked).

It also measures what the parallel path pays on top of the work: starting the
pool (fork, first task) and the pickled size of a result with and without
tables. For every timing it records the cores this benchmark obtained (CPU
seconds of this process and its pool / wall seconds) and the share of the
machine that *other* processes used meanwhile (from ``/proc/stat``, minus our
own CPU time). A round in which others used more than 10% of the machine
during the serial or the processes timing is *contended*: a second core that
someone else holds cannot speed anything up. The headline ratio is the
ratio of medians over uncontended rounds (over all rounds, with a warning,
if none was). Target: processes / serial <= 0.6 on 2 cores.

    python -m bench.replications_speedup                 # R = 10, 5 rounds
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
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sim.executors import Execution, Job, Progress, default_workers, run_jobs  # noqa: E402
from sim.runner import TABLES, run_one, run_replications  # noqa: E402
from sim.scenario import Scenario, load_scenario  # noqa: E402

TARGET_RATIO = 0.6
#: Share of the machine other processes may use during a timing for it to count as clean.
CONTENDED_SHARE = 0.10
_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    """CPU seconds used so far by this process and its finished (reaped) children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _machine_busy_s() -> float:
    """CPU seconds all processes on the machine have used since boot (NaN without /proc)."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return float("nan")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) * _TICK_S


@dataclass(frozen=True)
class Timing:
    """One timed call: wall seconds, our cores, the others' share of the machine."""

    wall_s: float
    cores: float
    others_share: float


def _timed(fn: Callable[[], object], cpus: int) -> tuple[Timing, object]:
    own0, busy0, t0 = _own_cpu_s(), _machine_busy_s(), time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t0
    own = _own_cpu_s() - own0
    others = max(0.0, _machine_busy_s() - busy0 - own)
    return Timing(wall, own / wall, others / (wall * cpus)), out


def _nothing(scenario: Scenario, replication: int, progress: Progress | None) -> int:
    """A job that does no work: what is left of its time is the pool's."""
    return replication


def _pool_startup_s(scenario: Scenario, workers: int) -> float:
    """Wall time to start the pool and get one trivial answer from every worker."""
    jobs = [Job(i, scenario, i, _nothing) for i in range(workers)]
    t0 = time.perf_counter()
    list(run_jobs(jobs, Execution("processes", workers)))
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Measure replications in processes against serial and print the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(REPO_ROOT / "scenarios" / "baseline_2023.toml"))
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=None, help="default: all cores")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check", action="store_true", help=f"exit 1 if the ratio > {TARGET_RATIO}")
    args = ap.parse_args(argv)
    sc = load_scenario(args.scenario)
    reps, workers = args.replications, args.workers or default_workers()
    cpus = os.cpu_count() or 1

    pooled = Execution("processes", workers)
    contenders: dict[str, Callable[[], object]] = {
        "serial": lambda: run_replications(sc, reps, execution=Execution.serial(), tables=()),
        "processes": lambda: run_replications(sc, reps, execution=pooled, tables=()),
        # Keep only the count: holding 100 MB of tables would bloat the next fork.
        "runner+tables": lambda: len(run_replications(sc, reps, execution=pooled).attempts),
    }
    timings: dict[str, list[Timing]] = {k: [] for k in contenders}
    outputs: dict[str, object] = {}
    for _ in range(args.rounds):
        for name, fn in contenders.items():
            t, outputs[name] = _timed(fn, cpus)
            timings[name].append(t)
    serial, par = outputs["serial"], outputs["processes"]
    same = serial.per_replication.equals(par.per_replication)  # type: ignore[attr-defined]

    clean = [
        i
        for i in range(args.rounds)
        if max(timings["serial"][i].others_share, timings["processes"][i].others_share)
        <= CONTENDED_SHARE
    ]
    used = clean or list(range(args.rounds))
    med = {k: statistics.median(v[i].wall_s for i in used) for k, v in timings.items()}
    ratio = med["processes"] / med["serial"]
    per_round = [
        p.wall_s / s.wall_s for p, s in zip(timings["processes"], timings["serial"], strict=True)
    ]
    summary_bytes = len(pickle.dumps(run_one(sc, 0)))
    tables_bytes = len(pickle.dumps(run_one(sc, 0, tables=TABLES)))
    startup = statistics.median(_pool_startup_s(sc, workers) for _ in range(3))
    report = {
        "scenario": sc.name,
        "days": sc.horizon.days,
        "replications": reps,
        "rounds": args.rounds,
        "workers": workers,
        "cpus": cpus,
        "uncontended_rounds": clean,
        "median_s": {k: round(v, 3) for k, v in med.items()},
        "ratio_to_serial": {k: round(v / med["serial"], 3) for k, v in med.items()},
        "processes_to_serial_by_round": [round(x, 3) for x in per_round],
        "by_round": {
            k: [
                {
                    "wall_s": round(t.wall_s, 3),
                    "cores": round(t.cores, 2),
                    "others_share": round(t.others_share, 2),
                }
                for t in v
            ]
            for k, v in timings.items()
        },
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
            f"{sc.name}: {reps} replications of {sc.horizon.days:g} days, {args.rounds} round(s), "
            f"{workers} workers on {cpus} CPUs"
        )
        for k, v in timings.items():
            rounds = ", ".join(
                f"{t.wall_s:.2f}s/{t.cores:.2f}c/{t.others_share:.0%}" + ("" if i in clean else "!")
                for i, t in enumerate(v)
            )
            print(f"  {k:<14} median {med[k]:6.2f} s  x{med[k] / med['serial']:.2f}  [{rounds}]")
        print("  (per round: wall / cores we obtained / others' share of the machine; ! contended)")
        print(
            f"  pool start-up {startup:.2f} s; a result pickles to {summary_bytes:,} B "
            f"(summary only) or {tables_bytes:,} B (with tables)"
        )
        print(f"  serial and processes identical: {same}")
        print(f"  processes / serial by round: {', '.join(f'{x:.2f}' for x in per_round)}")
        if not clean:
            print("  warning: every round was contended; the ratio below is not the code's")
        print(
            f"processes / serial = {ratio:.2f} over {len(used)} "
            f"{'uncontended' if clean else 'contended'} round(s) "
            f"(target <= {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'NOT met'})"
        )
    if not same:
        return 2
    return 1 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
