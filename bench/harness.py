"""Generic measurement helpers for the speed benchmarks in ``bench/``.

A *contestant* is a module with ``run(n_arrivals: int, seed: int) -> dict``. The
harness runs each contestant in a fresh Python process, so that peak resident
memory belongs to that contestant alone, and alternates contestants over rounds
(A B C A B C ...) so that slow phases of a noisy machine hit all of them alike;
figures are the medians over rounds.

The dict a contestant returns must hold ``calls``, ``answered``, ``abandoned``,
``asa_s`` (mean wait of answered calls, seconds) and ``abandon_rate``
(abandoned / (answered + abandoned)); it may hold ``batches``, a dict of
per-batch ``abandon_rate`` and ``asa_s`` lists (see :func:`batch_arrays`) used
for a batch-means confidence interval when there are fewer than three rounds.

Run as ``python -m bench.harness MODULE N_ARRIVALS SEED`` this module is the
child side: it prints one JSON line with the contestant's output, the run time
and the memory high-water marks.
"""

from __future__ import annotations

import gc
import importlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO_ROOT: Path = Path(__file__).resolve().parents[1]
"""Working directory of the child processes, so that ``bench`` and ``sim`` import."""
MIN_SAMPLES: int = 3
"""Fewest replications or batches from which a confidence interval is formed."""


@dataclass(frozen=True)
class Contestant:
    """One entry of a benchmark: a short key, a display name and a module path."""

    key: str
    name: str
    module: str


@dataclass(frozen=True)
class RunResult:
    """One run of one contestant in its own process.

    ``run_s`` is the wall time of ``run()`` alone (seconds, ``time.perf_counter``) and
    ``cpu_s`` its CPU time (``time.process_time``: the steadier figure on a shared machine);
    ``process_s`` the wall time of the whole child process, start-up and imports
    included. ``base_rss_kb`` is the resident-memory high-water mark (VmHWM, KiB)
    after the imports and before ``run()``; ``peak_rss_kb`` the mark after it.
    """

    key: str
    round_index: int
    seed: int
    n_arrivals: int
    run_s: float
    cpu_s: float
    process_s: float
    base_rss_kb: int
    peak_rss_kb: int
    output: dict = field(repr=False)

    @property
    def calls(self) -> int:
        """Calls the contestant reports as simulated."""
        return int(self.output["calls"])

    @property
    def calls_per_s(self) -> float:
        """Simulated calls per second of wall time of ``run()``."""
        return self.calls / self.run_s

    @property
    def calls_per_cpu_s(self) -> float:
        """Simulated calls per second of CPU time of ``run()``."""
        return self.calls / self.cpu_s

    @property
    def peak_rss_mb(self) -> float:
        """Peak resident memory of the child process, MiB (interpreter included)."""
        return self.peak_rss_kb / 1024.0

    @property
    def bytes_per_call(self) -> float:
        """Memory growth during ``run()`` per simulated call, bytes."""
        return (self.peak_rss_kb - self.base_rss_kb) * 1024.0 / self.calls


def batch_arrays(
    wait_s: Sequence[float], answered: Sequence[bool], n_batches: int = 20
) -> dict[str, list[float]]:
    """Split calls into ``n_batches`` consecutive, near-equal batches and summarise each.

    Args:
        wait_s: wait of every call (answered or abandoned), seconds, in the
            order the contestant recorded them (arrival or leaving order).
        answered: ``True`` where the call was answered, ``False`` where abandoned.
        n_batches: number of batches; 20 keeps each batch long against the
            correlation time of the queue (minutes) for 20,000 calls or more.

    Returns
    -------
        ``{"abandon_rate": [...], "asa_s": [...]}``, one value per batch; a batch
        with no answered call has ``asa_s`` NaN.
    """
    waits = np.asarray(wait_s, dtype=float)
    served = np.asarray(answered, dtype=bool)
    if waits.shape != served.shape:
        raise ValueError(
            f"wait_s and answered must have the same length; got {waits.size} and {served.size}."
        )
    abandon_rate: list[float] = []
    asa_s: list[float] = []
    for w, a in zip(
        np.array_split(waits, n_batches), np.array_split(served, n_batches), strict=True
    ):
        if w.size == 0:
            continue
        abandon_rate.append(float(1.0 - a.mean()))
        asa_s.append(float(w[a].mean()) if a.any() else math.nan)
    return {"abandon_rate": abandon_rate, "asa_s": asa_s}


def _rss_high_water_kb() -> int:
    """Peak resident set size of this process so far, KiB (VmHWM, else ru_maxrss)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss // 1024 if sys.platform == "darwin" else maxrss  # bytes on macOS


def _child(module: str, n_arrivals: int, seed: int) -> dict:
    """Import ``module``, time one ``run(n_arrivals, seed)`` and return the measurements."""
    contestant = importlib.import_module(module)
    gc.collect()
    base_rss_kb = _rss_high_water_kb()
    start, start_cpu = time.perf_counter(), time.process_time()
    output = contestant.run(n_arrivals, seed)
    run_s, cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    return {
        "run_s": run_s,
        "cpu_s": cpu_s,
        "base_rss_kb": base_rss_kb,
        "peak_rss_kb": _rss_high_water_kb(),
        "output": output,
    }


def run_in_subprocess(
    contestant: Contestant, n_arrivals: int, seed: int, round_index: int = 0
) -> RunResult:
    """Run one contestant once in a fresh interpreter and collect its measurements.

    Raises
    ------
        RuntimeError: the child exited non-zero; the message carries its stderr.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "bench.harness", contestant.module, str(n_arrivals), str(seed)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    process_s = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"contestant {contestant.key} ({contestant.module}) exited with "
            f"{done.returncode} for n_arrivals={n_arrivals}, seed={seed}:\n{done.stderr}"
        )
    child = json.loads(done.stdout.strip().splitlines()[-1])
    return RunResult(
        key=contestant.key,
        round_index=round_index,
        seed=seed,
        n_arrivals=n_arrivals,
        run_s=child["run_s"],
        cpu_s=child["cpu_s"],
        process_s=process_s,
        base_rss_kb=child["base_rss_kb"],
        peak_rss_kb=child["peak_rss_kb"],
        output=child["output"],
    )


def measure(
    contestants: Sequence[Contestant], n_arrivals: int, rounds: int, seed: int
) -> list[RunResult]:
    """Run every contestant once per round, alternating A B C A B C ...

    Round ``r`` uses seed ``seed + r`` for every contestant, so the rounds are
    independent replications of each contestant.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be a positive integer; got {rounds!r} instead.")
    return [
        run_in_subprocess(c, n_arrivals, seed + r, round_index=r)
        for r in range(rounds)
        for c in contestants
    ]


@dataclass(frozen=True)
class Summary:
    """Medians over rounds of one contestant's speed and memory."""

    key: str
    rounds: int
    calls_per_s: float
    calls_per_cpu_s: float
    peak_rss_mb: float
    bytes_per_call: float


def summarise(runs: Sequence[RunResult]) -> dict[str, Summary]:
    """Median calls/s (wall and CPU), peak RSS (MiB) and bytes per call of each contestant."""
    by_key: dict[str, list[RunResult]] = {}
    for r in runs:
        by_key.setdefault(r.key, []).append(r)
    return {
        key: Summary(
            key=key,
            rounds=len(rs),
            calls_per_s=statistics.median(r.calls_per_s for r in rs),
            calls_per_cpu_s=statistics.median(r.calls_per_cpu_s for r in rs),
            peak_rss_mb=statistics.median(r.peak_rss_mb for r in rs),
            bytes_per_call=statistics.median(r.bytes_per_call for r in rs),
        )
        for key, rs in by_key.items()
    }


def ratios(subject: Summary, reference: Summary) -> dict[str, float]:
    """Subject over reference for calls/s (wall and CPU), peak RSS and bytes per call."""

    def over(a: float, b: float) -> float:
        return a / b if b else math.nan

    return {
        "calls_per_s": over(subject.calls_per_s, reference.calls_per_s),
        "calls_per_cpu_s": over(subject.calls_per_cpu_s, reference.calls_per_cpu_s),
        "peak_rss_mb": over(subject.peak_rss_mb, reference.peak_rss_mb),
        "bytes_per_call": over(subject.bytes_per_call, reference.bytes_per_call),
    }


@dataclass(frozen=True)
class Check:
    """A simulated metric against its exact value, with a confidence interval.

    ``sim`` is the centre of the interval (mean of the replications or of the
    batch means); ``method`` says which; ``agree`` is ``None`` when no interval or
    no exact value could be had.
    """

    metric: str
    sim: float
    exact: float | None
    ci_low: float
    ci_high: float
    level: float
    method: str
    agree: bool | None


def confidence_interval(values: Sequence[float], level: float = 0.99) -> tuple[float, float, float]:
    """Mean and Student-t interval ``mean -/+ t_{(1+level)/2, n-1} * sd / sqrt(n)``.

    NaN values are dropped first. Raises ``ValueError`` with fewer than
    :data:`MIN_SAMPLES` values left.
    """
    from scipy.stats import t  # imported here: child processes never need scipy

    xs = [float(v) for v in values if not math.isnan(v)]
    if len(xs) < MIN_SAMPLES:
        raise ValueError(
            f"a confidence interval needs at least {MIN_SAMPLES} values; got {len(xs)}."
        )
    mean = statistics.fmean(xs)
    half = (
        float(t.ppf((1.0 + level) / 2.0, len(xs) - 1)) * statistics.stdev(xs) / math.sqrt(len(xs))
    )
    return mean, mean - half, mean + half


def check_metric(
    metric: str, runs: Sequence[RunResult], exact: float | None, level: float = 0.99
) -> Check:
    """Check one metric of one contestant's runs against ``exact``.

    With :data:`MIN_SAMPLES` or more runs the runs are the replications;
    otherwise the batch means of the first run are used, when it returned
    ``batches``. Without either the check has ``agree=None``.
    """
    if len(runs) >= MIN_SAMPLES:
        values = [float(r.output[metric]) for r in runs]
        method = f"{len(values)} replications"
    else:
        values = [float(v) for v in runs[0].output.get("batches", {}).get(metric, [])]
        method = f"{len(values)} batch means of 1 run"
    try:
        mean, low, high = confidence_interval(values, level)
    except ValueError:
        sim = statistics.fmean(float(r.output[metric]) for r in runs)
        return Check(metric, sim, exact, math.nan, math.nan, level, "none (too few samples)", None)
    agree = None if exact is None else low <= exact <= high
    return Check(metric, mean, exact, low, high, level, method, agree)


def main(argv: Sequence[str] | None = None) -> int:
    """Child entry: ``python -m bench.harness MODULE N_ARRIVALS SEED``; prints one JSON line."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3:
        print("usage: python -m bench.harness MODULE N_ARRIVALS SEED", file=sys.stderr)
        return 2
    module, n_arrivals, seed = args[0], int(args[1]), int(args[2])
    print(json.dumps(_child(module, n_arrivals, seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
