"""Speed and memory benchmark on an M/M/30+M queue: ``python -m bench.mm30``.

The system: Poisson arrivals at 28/6 calls per minute, exponential talk time
of mean 6 min, exponential patience of mean 3 min, 30 agents, unlimited lines,
FCFS; offered load 28 Erlangs. The contestants are

* (a) this project's model, ``bench.contestant_helpline`` (skipped while absent),
* (b) the textbook SimPy model, :mod:`bench.textbook_simpy`,
* (c) the same queue in Ciw, :mod:`bench.ciw_model`.

Each run happens in its own process (:mod:`bench.harness`). The table gives
median calls per second, peak RSS, bytes per call, each contestant's
abandonment rate and ASA against Erlang A (``sim.analytic.erlang_a_metrics``)
with confidence intervals whose family level is 99% (Bonferroni), and the
ratios (a)/(b) and (a)/(c).

Exit status: 0, or 1 in full mode (without ``--quick``) when a check disagrees
or could not be made; a contestant that crashes always gives 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import asdict

from bench.harness import Check, Contestant, check_metric, measure, ratios, summarise

ARRIVALS_PER_S: float = 28.0 / 6.0 / 60.0
"""Poisson arrival rate, calls per second (28/6 calls per minute)."""
TALK_MEAN_S: float = 6.0 * 60.0
"""Mean of the exponential talk time, seconds."""
PATIENCE_MEAN_S: float = 3.0 * 60.0
"""Mean of the exponential patience, seconds."""
AGENTS: int = 30
"""Number of agents; lines are unlimited."""

FULL_ARRIVALS: int = 1_000_000
QUICK_ARRIVALS: int = 20_000
FULL_ROUNDS: int = 3
QUICK_ROUNDS: int = 1
LEVEL: float = 0.99
"""Family confidence level: all checks together (Bonferroni), as ``helpline validate`` does.

With 3 replications each interval rests on 2 degrees of freedom, so six checks at 99% each
would raise a false alarm in about one full run of 17; each check is made at
``1 - (1 - LEVEL) / number of checks`` instead.
"""

SUBJECT: Contestant = Contestant("a", "helpline (this project)", "bench.contestant_helpline")
REFERENCES: tuple[Contestant, ...] = (
    Contestant("b", "textbook SimPy", "bench.textbook_simpy"),
    Contestant("c", "Ciw", "bench.ciw_model"),
)
METRICS: tuple[str, ...] = ("abandon_rate", "asa_s")


def erlang_a_exact() -> tuple[dict[str, float] | None, str | None]:
    """Exact abandonment rate and ASA (seconds) of the system, or ``None`` and why not."""
    try:
        from sim.analytic import erlang_a_metrics
    except ImportError as exc:
        return None, f"Erlang A check not made: cannot import sim.analytic.erlang_a_metrics ({exc})"
    exact = erlang_a_metrics(
        ARRIVALS_PER_S, TALK_MEAN_S, AGENTS, lines=None, patience_s=PATIENCE_MEAN_S
    )
    return {"abandon_rate": float(exact.p_abandon), "asa_s": float(exact.asa_s)}, None


def machine() -> dict[str, object]:
    """CPU count, CPU model and Python version of this machine, for the record."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": nproc,
        "cpu": cpu,
        "python": platform.python_version(),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; ``--quick`` sets the defaults of ``--arrivals`` and ``--rounds``."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.mm30", description="Speed and memory benchmark on an M/M/30+M queue."
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 20,000 arrivals, 1 round")
    parser.add_argument(
        "--arrivals", type=int, help=f"arrivals per run (default {FULL_ARRIVALS:,})"
    )
    parser.add_argument("--rounds", type=int, help=f"rounds K (default {FULL_ROUNDS})")
    parser.add_argument("--seed", type=int, default=1, help="seed of round 0; round r uses seed+r")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")
    args = parser.parse_args(argv)
    if args.arrivals is None:
        args.arrivals = QUICK_ARRIVALS if args.quick else FULL_ARRIVALS
    if args.rounds is None:
        args.rounds = QUICK_ROUNDS if args.quick else FULL_ROUNDS
    if args.arrivals < 1:
        parser.error(f"--arrivals must be a positive integer; got {args.arrivals} instead.")
    if args.rounds < 1:
        parser.error(f"--rounds must be a positive integer; got {args.rounds} instead.")
    return args


def benchmark(args: argparse.Namespace) -> dict:
    """Run the contestants and return every figure as one JSON-ready dict."""
    notes: list[str] = []
    contestants = list(REFERENCES)
    skipped: dict[str, str] = {}
    if importlib.util.find_spec(SUBJECT.module) is None:
        skipped[SUBJECT.key] = f"({SUBJECT.key}) skipped: module {SUBJECT.module} not found"
        notes.append(skipped[SUBJECT.key])
    else:
        contestants.insert(0, SUBJECT)
    exact, why_not = erlang_a_exact()
    if why_not:
        notes.append(why_not)

    runs = measure(contestants, args.arrivals, args.rounds, args.seed)
    summaries = summarise(runs)
    results: dict[str, dict] = {}
    each_level = 1.0 - (1.0 - LEVEL) / (len(METRICS) * len(contestants))
    for c in contestants:
        own = [r for r in runs if r.key == c.key]
        checks: dict[str, Check] = {
            m: check_metric(m, own, None if exact is None else exact[m], each_level)
            for m in METRICS
        }
        results[c.key] = {
            "name": c.name,
            "module": c.module,
            **asdict(summaries[c.key]),
            "checks": {m: asdict(ch) for m, ch in checks.items()},
            "runs": [
                {
                    "round": r.round_index,
                    "seed": r.seed,
                    "calls": r.calls,
                    "run_s": r.run_s,
                    "cpu_s": r.cpu_s,
                    "process_s": r.process_s,
                    "calls_per_s": r.calls_per_s,
                    "calls_per_cpu_s": r.calls_per_cpu_s,
                    "peak_rss_mb": r.peak_rss_mb,
                    "bytes_per_call": r.bytes_per_call,
                    **{m: r.output[m] for m in ("answered", "abandoned", *METRICS)},
                }
                for r in own
            ],
        }
    ratio_table: dict[str, dict[str, float]] = {}
    if SUBJECT.key in summaries:
        for ref in REFERENCES:
            ratio_table[f"{SUBJECT.key}/{ref.key}"] = ratios(
                summaries[SUBJECT.key], summaries[ref.key]
            )
    checks_all = [ch for res in results.values() for ch in res["checks"].values()]
    return {
        "system": {
            "arrivals_per_s": ARRIVALS_PER_S,
            "talk_mean_s": TALK_MEAN_S,
            "patience_mean_s": PATIENCE_MEAN_S,
            "agents": AGENTS,
        },
        "arrivals": args.arrivals,
        "rounds": args.rounds,
        "seed": args.seed,
        "quick": args.quick,
        "machine": machine(),
        "erlang_a": exact,
        "contestants": results,
        "skipped": skipped,
        "ratios": ratio_table,
        "all_agree": all(ch["agree"] is True for ch in checks_all),
        "notes": notes,
    }


def _fmt(x: float | None, spec: str) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def render(report: dict) -> str:
    """The report as plain-text tables."""
    m = report["machine"]
    lines = [
        f"M/M/30+M benchmark: {report['arrivals']:,} arrivals x {report['rounds']} round(s), "
        f"seed {report['seed']}; {m['nproc']} CPU(s), {m['cpu']}, Python {m['python']}",
        "",
        f"{'contestant':<28}{'calls/s':>10}{'calls/CPU s':>13}{'peak RSS MB':>13}"
        f"{'bytes/call':>12}",
    ]
    for key, res in report["contestants"].items():
        lines.append(
            f"({key}) {res['name']:<24}{res['calls_per_s']:>10,.0f}"
            f"{res['calls_per_cpu_s']:>13,.0f}"
            f"{res['peak_rss_mb']:>13.1f}{res['bytes_per_call']:>12,.0f}"
        )
    lines += [
        "",
        f"{'contestant':<28}{'metric':<14}{'sim':>10}{'Erlang A':>10}{'CI':>22}  agree?  CI from",
    ]
    spec = {"abandon_rate": ".4f", "asa_s": ".2f"}
    levels = {
        ch["level"] for res in report["contestants"].values() for ch in res["checks"].values()
    }
    for key, res in report["contestants"].items():
        for metric, ch in res["checks"].items():
            ci = f"[{_fmt(ch['ci_low'], spec[metric])}, {_fmt(ch['ci_high'], spec[metric])}]"
            agree = {True: "yes", False: "NO", None: "n/a"}[ch["agree"]]
            lines.append(
                f"({key}) {res['name']:<24}{metric:<14}{_fmt(ch['sim'], spec[metric]):>10}"
                f"{_fmt(ch['exact'], spec[metric]):>10}{ci:>22}  {agree:<6}  {ch['method']}"
            )
    if levels:
        each = ", ".join(f"{100 * lv:.2f}%" for lv in sorted(levels))
        lines.append(f"each CI at {each}: the checks together at {100 * LEVEL:.0f}% (Bonferroni)")
    lines.append("")
    if report["ratios"]:
        lines.append(
            f"{'ratio':<10}{'calls/s':>10}{'calls/CPU s':>13}{'peak RSS':>10}{'bytes/call':>12}"
        )
        for name, r in report["ratios"].items():
            lines.append(
                f"({name}){'':<{8 - len(name)}}{_fmt(r['calls_per_s'], '.2f'):>10}"
                f"{_fmt(r['calls_per_cpu_s'], '.2f'):>13}"
                f"{_fmt(r['peak_rss_mb'], '.2f'):>10}{_fmt(r['bytes_per_call'], '.2f'):>12}"
            )
    else:
        lines.append("ratios (a)/(b), (a)/(c): n/a, contestant (a) was not run")
    lines += [f"note: {n}" for n in report["notes"]]
    return "\n".join(lines)


def _json_safe(x: object) -> object:
    """Replace NaN and infinities by ``None`` so the output is strict JSON."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    return x


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table (or JSON) and return the exit status."""
    args = parse_args(argv)
    report = benchmark(args)
    if args.json:
        print(json.dumps(_json_safe(report), indent=2))
    else:
        print(render(report))
    if not args.quick and not report["all_agree"]:
        print("full run: a check disagrees with Erlang A or was not made", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
