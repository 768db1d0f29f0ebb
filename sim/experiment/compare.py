"""Compare scenarios with common random numbers and paired confidence intervals.

Every scenario is run with the same seed (the first scenario's, or the one
given) and the same replications 0..R-1. Streams are keyed by name and
replication, so replication ``i`` of each scenario sees the same callers,
talk times and patience wherever the scenarios agree. The difference of a
metric is then estimated from the per-replication differences (a paired
t-interval), which cancels the noise the scenarios share; the unpaired
(Welch) interval is reported beside it to show how much that gains.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ExperimentError
from sim.executors import Execution
from sim.experiment.sweep import as_scenario, check_replications
from sim.metrics import METRICS, Estimate, estimate, in_range, t_quantile
from sim.report.provenance import provenance, resolved_toml
from sim.runner import run_summaries
from sim.scenario import Scenario, variant

#: Columns of the table returned by :func:`compare`, in order.
COLUMNS = (
    "scenario",
    "reference",
    "metric",
    "unit",
    "mean",
    "ci95_lo",
    "ci95_hi",
    "n",
    "diff",
    "diff_ci95_lo",
    "diff_ci95_hi",
    "n_pairs",
    "unpaired_ci95_lo",
    "unpaired_ci95_hi",
    "description",
)


def paired_difference(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> Estimate:
    """Mean of ``b - a`` over replications where both are defined, with its t-interval."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    both = ~np.isnan(a) & ~np.isnan(b)
    return estimate(b[both] - a[both], confidence)


def welch_difference(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> Estimate:
    """``mean(b) - mean(a)`` with the unpaired Welch t-interval (ignores the pairing)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    na, nb = a.size, b.size
    if na == 0 or nb == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    diff = float(b.mean() - a.mean())
    if na < 2 or nb < 2:
        return Estimate(diff, math.nan, math.nan, min(na, nb))
    va, vb = a.var(ddof=1) / na, b.var(ddof=1) / nb
    se = math.sqrt(va + vb)
    if se == 0:
        return Estimate(diff, diff, diff, min(na, nb))
    dof = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    half = float(t_quantile(dof, 0.5 + confidence / 2) * se)
    return Estimate(diff, diff - half, diff + half, min(na, nb))


def unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, with ``#2``, ``#3`` added to repeats so each column is distinct."""
    seen: dict[str, int] = {}
    out = []
    for sc in scenarios:
        seen[sc.name] = seen.get(sc.name, 0) + 1
        out.append(sc.name if seen[sc.name] == 1 else f"{sc.name}#{seen[sc.name]}")
    return out


def with_common_seed(scenarios: Sequence[Scenario], seed: int | None) -> list[Scenario]:
    """Every scenario with ``horizon.seed`` set to ``seed`` (default: the first's)."""
    common = scenarios[0].horizon.seed if seed is None else seed
    source = f"seed={common!r}" if seed is not None else f"the first scenario's seed {common!r}"
    return [
        sc if sc.horizon.seed == common else variant(sc, {"horizon.seed": common}, source=source)
        for sc in scenarios
    ]


def compare_runs(
    scenarios: Sequence[Scenario | str | Path],
    replications: int | None = None,
    *,
    seed: int | None = None,
    execution: Execution | None = None,
) -> pd.DataFrame:
    """Per-replication metrics of every scenario under common random numbers.

    One row per scenario x replication: ``scenario`` (names made unique),
    ``replication``, ``seed`` and every metric. All scenarios get the same
    seed (``seed`` or the first scenario's) and ``replications`` (default the
    first scenario's ``horizon.replications``); ``execution`` says where they run
    (default: local processes). ``df.attrs["provenance"]`` maps each name to the
    :class:`~sim.report.provenance.Provenance` of its scenario as run (common seed included),
    ``df.attrs["resolved_toml"]`` each name to that scenario as a TOML file that loads back
    to it (:func:`~sim.report.provenance.resolved_toml`).
    """
    if len(scenarios) < 2:
        raise ExperimentError(f"needs at least two scenarios; got {len(scenarios)}", "scenarios")
    loaded = [as_scenario(s) for s in scenarios]
    reps = check_replications(replications, *loaded)
    scs = with_common_seed(loaded, seed)
    names = unique_names(scs)
    results = run_summaries(scs, reps, execution or Execution(), desc="compare")
    runs = pd.DataFrame(
        [
            {
                "scenario": names[i],
                "replication": r,
                "seed": results[(i, r)].seed,
                **results[(i, r)].summary,
            }
            for i in range(len(scs))
            for r in range(reps)
        ]
    )
    # what made each scenario's numbers, under its (unique) name in the tables
    runs.attrs["provenance"] = {
        n: dataclasses.replace(provenance(sc), scenario=n) for n, sc in zip(names, scs, strict=True)
    }
    use = "`helpline compare` of these files, in this order, reproduces the folder's tables."
    runs.attrs["resolved_toml"] = {
        n: resolved_toml(sc, runs.attrs["provenance"][n], use)
        for n, sc in zip(names, scs, strict=True)
    }
    return runs


def compare_table(runs: pd.DataFrame) -> pd.DataFrame:
    """The comparison table (columns :data:`COLUMNS`) from :func:`compare_runs` rows.

    The first scenario in ``runs`` is the reference; replications are paired
    by their number.
    """
    names = list(dict.fromkeys(runs["scenario"]))
    ref = names[0]
    by_name = {n: runs[runs["scenario"] == n].sort_values("replication") for n in names}
    rows = []
    for metric, (unit, what) in METRICS.items():
        ref_runs = by_name[ref]
        for name in names:
            own_runs = by_name[name]
            own = in_range(metric, estimate(own_runs[metric].to_numpy()))
            row = {
                "scenario": name,
                "reference": ref,
                "metric": metric,
                "unit": unit,
                "mean": own.mean,
                "ci95_lo": own.lo,
                "ci95_hi": own.hi,
                "n": own.n,
                "diff": math.nan,
                "diff_ci95_lo": math.nan,
                "diff_ci95_hi": math.nan,
                "n_pairs": 0,
                "unpaired_ci95_lo": math.nan,
                "unpaired_ci95_hi": math.nan,
                "description": what,
            }
            if name != ref:
                pairs = ref_runs[["replication", metric]].merge(
                    own_runs[["replication", metric]], on="replication", suffixes=("_a", "_b")
                )
                paired = paired_difference(pairs[f"{metric}_a"], pairs[f"{metric}_b"])
                unpaired = welch_difference(ref_runs[metric], own_runs[metric])
                row.update(
                    diff=paired.mean,
                    diff_ci95_lo=paired.lo,
                    diff_ci95_hi=paired.hi,
                    n_pairs=paired.n,
                    unpaired_ci95_lo=unpaired.lo,
                    unpaired_ci95_hi=unpaired.hi,
                )
            rows.append(row)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table.attrs.update(
        seed=int(runs["seed"].iloc[0]),
        replications=int(runs["replication"].nunique()),
        reference=ref,
        scenarios=names,
    )
    for key in ("provenance", "resolved_toml"):
        if key in runs.attrs:
            table.attrs[key] = dict(runs.attrs[key])
    return table


def compare(
    scenarios: Sequence[Scenario | str | Path],
    replications: int | None = None,
    *,
    seed: int | None = None,
    execution: Execution | None = None,
) -> pd.DataFrame:
    """Side-by-side metrics of two or more scenarios, each against the first.

    One row per scenario x metric (columns :data:`COLUMNS`): the scenario's
    mean and 95% CI; for every scenario but the first (the ``reference``) the
    difference to the reference with its paired 95% CI over ``n_pairs``
    replications and, for contrast, the unpaired Welch CI. ``df.attrs`` holds
    ``seed``, ``replications``, ``reference``, ``scenarios`` and ``provenance``
    (name -> :class:`~sim.report.provenance.Provenance`). Arguments as in
    :func:`compare_runs`.
    """
    return compare_table(
        compare_runs(
            scenarios,
            replications,
            seed=seed,
            execution=execution,
        )
    )
