"""One simulated year: the whole ``helpline run`` command beside the simulation alone.

    python -m bench.year [--quick] [--days 365] [--rounds 3] [--cores 1] [--json]
                         [SCENARIO.toml ...]

For each scenario two contestants run in fresh interpreters pinned to one core
(when the OS allows; ``--cores 2`` gives the command two, so its background Parquet
writer can overlap its other work), alternating over the rounds (sim, command, sim,
command, ...) so that a slow spell of this shared machine hits both:

- **sim**: ``simulate(scenario, 0)`` alone, in-process: wall and CPU seconds of
  the call, and the process's resident-memory high-water mark (VmHWM) after it.
- **command**: ``helpline run SCENARIO --days D --replications 1 --out TMP``,
  the command a user runs (start-up, simulation, tables, Parquet, charts):
  wall seconds, CPU seconds and peak RSS of the process (``wait4``), and the
  bytes it wrote. It runs through :mod:`bench.timed_command` (the same command, its
  ``simulate()`` calls timed on the way), so each round also gives the command's own
  simulation time.

Figures are medians over the rounds; ``command / sim`` ratios are of medians
measured in the same invocation: ``cpu x`` compares CPU seconds (every thread of the
command counted), ``wall x`` wall seconds, which only a quiet machine makes meaningful, so
the load average before and after the rounds is printed beside them. ``own x`` is the
whole command's wall time over the wall time of the simulation inside it, both from the
same process in the same seconds (median over the rounds): on a machine whose speed drifts
between the contestants' runs, the ratio to read. The sim child
also times a 1-day run of ``scenarios/baseline_2023.toml`` in-process (the planner's
building block; median of 5 warm runs). Defaults: ``scenarios/volume_2025.toml`` and
``scenarios/baseline_2023.toml`` for 365 days, 3 rounds; ``--quick``: 7 days, 1 round.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["scenarios/volume_2025.toml", "scenarios/baseline_2023.toml"]
ONE_DAY = "scenarios/baseline_2023.toml"


def _vm_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _pin(cores: int = 1) -> None:
    """Pin this process (and what it starts) to its first ``cores`` cores, where the OS allows."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))


def _one_core() -> None:
    _pin(1)


def one_day_s(runs: int = 5) -> float:
    """Median wall seconds of a 1-day run of baseline_2023 in this (warm) process."""
    from sim.core.model import simulate
    from sim.scenario import load_scenario, variant

    sc = variant(load_scenario(REPO_ROOT / ONE_DAY), {"horizon.days": 1, "horizon.warmup_days": 0})
    simulate(sc, 0)  # warm: imports, caches
    times = []
    for r in range(runs):
        start = time.perf_counter()
        simulate(sc, r)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sim_child(path: str, days: float) -> dict[str, Any]:
    """Simulate one replication of ``path`` for ``days`` days in this process; measure it."""
    from sim.core.model import simulate
    from sim.scenario import load_scenario, variant

    sc = variant(load_scenario(REPO_ROOT / path), {"horizon.days": days})
    base_kb = _vm_kb("VmHWM")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    rec = simulate(sc, 0)
    wall_s, cpu_s = time.perf_counter() - wall0, time.process_time() - cpu0
    peak_kb = _vm_kb("VmHWM")
    n = int(rec.attempt["caller_id"].size)
    return {
        "scenario": sc.name,
        "days": days,
        "attempts": n,
        "callers": int(rec.caller["call_type"].size),
        "sim_wall_s": round(wall_s, 3),
        "sim_cpu_s": round(cpu_s, 3),
        "sim_peak_rss_mb": round(peak_kb / 1024, 1),
        "sim_bytes_per_attempt": round((peak_kb - base_kb) * 1024 / max(n, 1)),
        "one_day_baseline_s": round(one_day_s(), 4),
    }


def run_command(path: str, days: float, cores: int = 1) -> dict[str, Any]:
    """``helpline run path --days D --replications 1`` in a child on ``cores`` cores: time,
    CPU (all its threads), peak RSS, bytes.
    """
    out = Path(tempfile.mkdtemp(prefix="bench-year-"))
    times = out / "times.json"
    try:
        argv = [sys.executable, "-m", "bench.timed_command", "run", path, "--days", f"{days:g}"]
        argv += ["--replications", "1", "--out", str(out / "run")]
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: _pin(cores),
            env={**os.environ, "HELPLINE_BENCH_TIMES": str(times)},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall_s = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode:
            raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{err}")
        files = [f for f in (out / "run").iterdir() if f.is_file()]
        own = json.loads(times.read_text())
        return {
            "cmd_wall_s": round(wall_s, 3),
            "cmd_sim_wall_s": round(own["sim_wall_s"], 3),
            "own_wall_ratio": round(wall_s / own["sim_wall_s"], 3),
            "cmd_cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "cmd_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
            "output_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
            "output_files": len(files),
        }
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run_sim(path: str, days: float) -> dict[str, Any]:
    """The sim contestant in a fresh interpreter pinned to one core."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.year", "--child", path, "--days", str(days)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout)


def median_row(sims: list[dict[str, Any]], cmds: list[dict[str, Any]]) -> dict[str, Any]:
    """One scenario's row: medians over the rounds of every figure, and the ratios."""
    row: dict[str, Any] = {k: sims[0][k] for k in ("scenario", "days", "attempts", "callers")}
    for runs in (sims, cmds):
        for k, v in runs[0].items():
            if k not in row and isinstance(v, int | float):
                row[k] = statistics.median(r[k] for r in runs)
    row["rounds"] = len(sims)
    row["wall_ratio"] = round(row["cmd_wall_s"] / row["sim_wall_s"], 2)
    row["cpu_ratio"] = round(row["cmd_cpu_s"] / row["sim_cpu_s"], 2)
    row["rounds_wall_ratio"] = [
        round(c["cmd_wall_s"] / s["sim_wall_s"], 2) for s, c in zip(sims, cmds, strict=True)
    ]
    row["own_wall_ratio"] = round(row["own_wall_ratio"], 2)
    row["rounds_own_wall_ratio"] = [round(c["own_wall_ratio"], 2) for c in cmds]
    return row


def main(argv: list[str] | None = None) -> int:
    """Simulate a year of each scenario and print wall time, peak memory and output size."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", nargs="*", default=DEFAULT)
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--rounds", type=int, help="alternating rounds [3; 1 with --quick]")
    ap.add_argument("--quick", action="store_true", help="7 days, 1 round")
    ap.add_argument("--cores", type=int, default=1, help="cores the command may use [1]")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    days = 7.0 if args.quick else args.days
    rounds = args.rounds or (1 if args.quick else 3)
    if args.child:
        _one_core()
        print(json.dumps(sim_child(args.child, days)))
        return 0
    rows = []
    load_before = os.getloadavg()[0]
    for path in args.scenarios:
        sims, cmds = [], []
        try:
            for _ in range(rounds):
                sims.append(run_sim(path, days))
                cmds.append(run_command(path, days, args.cores))
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
        rows.append(median_row(sims, cmds))
    load = {"load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}
    for r in rows:
        r.update(load, command_cores=args.cores)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"medians of {rounds} alternating round(s); one core each; sim = simulate() alone,")
    print(
        "command = `helpline run SCENARIO --days D --replications 1` as a user runs it, "
        f"on {args.cores} core(s); load average {load['load_before']:.2f} before, "
        f"{load['load_after']:.2f} after"
    )
    print(
        f"{'scenario':<16}{'days':>5}{'attempts':>11}{'sim s':>7}{'cmd s':>7}{'wall x':>7}"
        f"{'cpu x':>7}{'own x':>7}{'sim MB':>8}{'cmd MB':>8}{'out MB':>8}{'1-day s':>9}"
    )
    for r in rows:
        print(
            f"{r['scenario']:<16}{r['days']:>5g}{r['attempts']:>11,}{r['sim_wall_s']:>7.1f}"
            f"{r['cmd_wall_s']:>7.1f}{r['wall_ratio']:>7.2f}{r['cpu_ratio']:>7.2f}"
            f"{r['own_wall_ratio']:>7.2f}"
            f"{r['sim_peak_rss_mb']:>8,.0f}{r['cmd_peak_rss_mb']:>8,.0f}{r['output_mb']:>8,.1f}"
            f"{r['one_day_baseline_s']:>9.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
