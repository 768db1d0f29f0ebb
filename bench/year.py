"""One simulated year of a scenario: wall time, attempts per second, peak memory.

    python -m bench.year [--quick] [--days 365] [SCENARIO.toml ...]

Each scenario runs in a fresh interpreter pinned to one core (when the OS
allows), so wall time is single-core time and the resident-memory
high-water mark (VmHWM) is that run's alone. The run goes through the normal
entry points (``simulate`` and the per-attempt table), so "bytes per attempt
kept" is the memory growth of a run that keeps every attempt's record,
divided by the attempts. Defaults: ``scenarios/volume_2025.toml`` and
``scenarios/baseline_2023.toml``; ``--quick`` simulates 7 days.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["scenarios/volume_2025.toml", "scenarios/baseline_2023.toml"]


def _vm_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child(path: str, days: float) -> dict:
    """Run one replication of ``path`` for ``days`` days in this process; measure it."""
    from sim.core.model import simulate
    from sim.scenario import load_scenario, variant

    sc = variant(
        load_scenario(REPO_ROOT / path),
        {"horizon.days": days, "horizon.warmup_days": min(1.0, days / 10)},
    )
    base_kb = _vm_kb("VmHWM")
    start = time.perf_counter()
    rec = simulate(sc, 0)
    sim_s = time.perf_counter() - start
    attempts = rec.attempts
    total_s = time.perf_counter() - start
    peak_kb = _vm_kb("VmHWM")
    n = len(attempts)
    return {
        "scenario": sc.name,
        "days": days,
        "attempts": n,
        "callers": len(rec.callers),
        "simulate_s": round(sim_s, 3),
        "with_table_s": round(total_s, 3),
        "attempts_per_s": round(n / total_s),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "bytes_per_attempt": round((peak_kb - base_kb) * 1024 / max(n, 1)),
    }


def main(argv: list[str] | None = None) -> int:
    """Simulate a year of each scenario and print wall time, peak memory and output size."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", nargs="*", default=DEFAULT)
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--quick", action="store_true", help="7 days instead of a year")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    days = 7.0 if args.quick else args.days
    if args.child:
        with contextlib.suppress(AttributeError, OSError):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        print(json.dumps(child(args.child, days)))
        return 0
    rows = []
    for path in args.scenarios:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.year", "--child", path, "--days", str(days)],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=False,
        )
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            return 1
        rows.append(json.loads(proc.stdout))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(
        f"{'scenario':<16}{'days':>6}{'attempts':>12}{'wall s':>9}{'attempts/s':>12}"
        f"{'peak RSS MB':>13}{'B/attempt':>11}"
    )
    for r in rows:
        print(
            f"{r['scenario']:<16}{r['days']:>6g}{r['attempts']:>12,}{r['with_table_s']:>9.2f}"
            f"{r['attempts_per_s']:>12,}{r['peak_rss_mb']:>13,.1f}{r['bytes_per_attempt']:>11,}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
