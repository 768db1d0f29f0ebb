"""The M/M/30+M model of two commits side by side, against textbook SimPy, in one run.

    python -m bench.commits REV_A REV_B [--arrivals 300000] [--rounds 5] [--seed 1]

Each revision's ``sim`` and ``bench`` folders are taken out of git (``git archive``) into a
temporary folder; contestant (a) of ``bench.mm30`` (``bench/contestant_helpline.py`` of that
revision: ``simulate()`` and the full per-attempt table) runs in a fresh interpreter from
each, and textbook SimPy (``bench/textbook_simpy.py`` of the working tree) as the reference,
alternating A B ref A B ref ... Figures are calls per CPU second of ``run()`` (CPU time is
steadier than wall time on a shared machine), medians over the rounds, and each revision's
ratio to the reference. Used to measure what a change to the model costs, such as the
per-caller random draws (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, sys, time
from importlib import import_module
run = import_module(sys.argv[1]).run
n, seed = int(sys.argv[2]), int(sys.argv[3])
cpu, wall = time.process_time(), time.perf_counter()
out = run(n, seed)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"calls": out["calls"], "cpu_s": cpu, "wall_s": wall,
                  "abandon_rate": out["abandon_rate"], "asa_s": out["asa_s"]}))
"""


def checkout(rev: str, into: Path) -> Path:
    """The ``sim``, ``bench`` and ``scenarios`` folders of ``rev`` under ``into``."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", rev, "sim", "bench", "scenarios"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def measure(tree: Path, module: str, n: int, seed: int) -> dict[str, float]:
    """One run of ``module.run(n, seed)`` in a fresh interpreter with ``tree`` first on the path."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, module, str(n), str(seed)],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{module} in {tree}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the comparison; print calls per CPU second and the ratios."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("revs", nargs=2, metavar="REV")
    ap.add_argument("--arrivals", type=int, default=300_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-commits-"))
    try:
        trees = {rev: checkout(rev, tmp / f"t{i}") for i, rev in enumerate(args.revs)}
        rates: dict[str, list[float]] = {rev: [] for rev in [*args.revs, "textbook"]}
        for r in range(args.rounds):
            seed = args.seed + r
            for rev, tree in trees.items():
                m = measure(tree, "bench.contestant_helpline", args.arrivals, seed)
                rates[rev].append(m["calls"] / m["cpu_s"])
            m = measure(REPO_ROOT, "bench.textbook_simpy", args.arrivals, seed)
            rates["textbook"].append(m["calls"] / m["cpu_s"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ref = statistics.median(rates["textbook"])
    print(f"M/M/30+M, {args.arrivals:,} arrivals, {args.rounds} alternating rounds, calls/CPU s:")
    for key, values in rates.items():
        med = statistics.median(values)
        spread = f"[{min(values):,.0f}-{max(values):,.0f}]"
        print(f"  {key:<12} {med:>10,.0f} {spread:<22} x textbook {med / ref:5.2f}")
    a, b = (statistics.median(rates[rev]) for rev in args.revs)
    print(f"  {args.revs[1]} / {args.revs[0]}: {b / a:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
