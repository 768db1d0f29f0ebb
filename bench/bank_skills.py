"""The bank month with and without skill groups: abandonment and ASA, overall and per call type.

    python -m bench.bank_skills [-r 20] [--shares 0.02 0.05 0.1] [--workers 2]
                                [--staffing idle-gap|work-conserving]

The calibration test's simulation (tests/calibrate/test_calibrate_bank.py): the whole month
with the log's own arrivals (trace) and each date's fitted staffing, once for one pool and once
per skill share (``helpline calibrate --skill-share``), every run with the same replications.
Prints one table per run: the log's attempts, abandonment and ASA per scenario call type beside
the simulated means (the standard error of the overall abandonment across replications), and
the groups' agent-hours, which add up to those of one pool. ``--shares`` with no value runs one
pool only; ``--staffing`` picks the staffing estimator (``helpline calibrate --staffing``).
docs/calibration.md section 6 has the figures.
"""

from __future__ import annotations

import argparse
import math
import time
import tomllib

import numpy as np
import pandas as pd

from sim.calibrate import staffing
from sim.calibrate.calibration import calibrate
from sim.calibrate.data import BANK_LOG, shared_data
from sim.calibrate.logs import read_log
from sim.calibrate.writer import scenario_text
from sim.executors import Execution
from sim.runner import run_replications
from sim.scenario.load import build


def per_type(frame: pd.DataFrame, kind: str, wait: str) -> pd.DataFrame:
    """Attempts, abandonment (of answered + abandoned) and ASA per ``kind`` column, and all."""
    done = frame[frame["outcome"].isin(["answered", "abandoned"])]
    groups = [("all", done), *done.groupby(kind, observed=True, sort=True)]
    rows = {}
    for name, g in groups:
        ans = g["outcome"] == "answered"
        rows[str(name)] = (len(g), float((~ans).mean()), float(g.loc[ans, wait].mean()))
    return pd.DataFrame.from_dict(rows, orient="index", columns=["attempts", "abandon", "asa_s"])


def main() -> None:
    """Parse the options and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--replications", type=int, default=20)
    parser.add_argument("--shares", type=float, nargs="*", default=[0.02, 0.05, 0.1, 0.15, 0.2])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--staffing", choices=staffing.ESTIMATORS, default=staffing.ESTIMATORS[0])
    args = parser.parse_args()
    cal = calibrate(read_log(shared_data(BANK_LOG)), args.staffing)
    marked = cal.marked.assign(outcome=cal.marked["outcome"].astype(str))
    log = per_type(marked, "scenario_type", "wait_s")
    for share in [None, *args.shares]:
        text = scenario_text(cal, "bank_trace", "trace", skill_share=share)
        sc = build(tomllib.loads(text), file="bank_trace.toml")
        wall = time.perf_counter()
        res = run_replications(
            sc,
            args.replications,
            execution=Execution(workers=args.workers),
            tables=("attempts",),
        )
        a = res.attempts
        a = a[a["in_window"]].assign(outcome=a["outcome"].astype(str), kind=a["call_type"])
        sims = [per_type(g, "kind", "wait_s") for _, g in a.groupby("replication")]
        mean = sum(s[["abandon", "asa_s"]] for s in sims) / len(sims)
        overall = np.array([s.loc["all", "abandon"] for s in sims])
        groups = sc.staff.groups
        hours = [sum(map(sum, g.call_takers)) / 2 for g in groups]
        title = "one pool" if share is None else f"skill share {share:g}: {len(groups)} groups"
        title += f", {args.staffing} staffing"
        print(
            f"\n== {title}; agent-hours {sum(map(sum, sc.staff.interval_call_takers)) / 2:,.1f}"
            + (f" (groups {sum(hours):,.1f})" if groups else "")
            + f"; {args.replications} replications, {time.perf_counter() - wall:.1f} s wall"
        )
        se = overall.std(ddof=1) / math.sqrt(overall.size)
        print(
            f"abandonment {overall.mean():.2%} (se {se:.2%}), log {log.loc['all', 'abandon']:.2%}"
            f"; ASA {mean.loc['all', 'asa_s']:.1f} s, log {log.loc['all', 'asa_s']:.1f} s"
        )
        print("type     attempts  aband. log  model   ASA log  model")
        mean = mean.reindex(log.index)  # a type the model never saw finish: NaN
        for name in log.index:
            lo, m = log.loc[name], mean.loc[name]
            print(
                f"{name:8s} {int(lo['attempts']):8,d}  {lo['abandon']:9.1%} {m['abandon']:6.1%}"
                f"  {lo['asa_s']:6.1f} s {m['asa_s']:5.1f} s"
            )


if __name__ == "__main__":
    main()
