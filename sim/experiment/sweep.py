"""Parameter sweeps: every point x replication, resumable on disk, on any executor.

:func:`sweep` validates all points first, then runs what is not yet done,
saving each run as it finishes when ``out_dir`` is given (see
:mod:`sim.experiment.store`), and assembles two tidy tables:

* ``runs``: one row per point x replication: the provenance of the point's
  scenario (:mod:`sim.report.provenance`: ``run_id``, ``scenario``,
  ``scenario_hash``, ``tool_version``, ``commit``), ``point``, the varied keys,
  ``replication``, ``seed`` and every metric of :data:`sim.metrics.METRICS`;
* ``summary``: one row per point x metric: the same provenance, ``point``, the varied keys,
  ``metric``, ``mean``, ``ci95_lo``, ``ci95_hi``, ``n``, ``unit``,
  ``description``.

Replication ``r`` of every point draws from the same random streams (common
random numbers), so differences between points are not drowned in noise.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ExperimentError
from sim.executors import Execution, Job, run_jobs
from sim.experiment.grid import Point, build_points, grid, key_column
from sim.experiment.store import RunRecord, RunStore, definition
from sim.metrics import METRICS, across
from sim.report import sweep_chart as chart
from sim.report.output import staged, write_json, write_table
from sim.report.provenance import (
    RESOLVED_NAME,
    Provenance,
    group_document,
    provenance,
    resolved_toml,
    stamp_by,
)
from sim.runner import summary_task
from sim.scenario import load_scenario, variant
from sim.scenario.values import Scenario

#: Metric charted when none is named.
DEFAULT_METRIC = "asa_s"


@dataclass
class SweepResult:
    """What a sweep produced: tidy tables and how much work this call did.

    ``computed`` runs were simulated by this call; ``reused`` were read from
    run files of an earlier, interrupted call into the same ``out_dir``.
    """

    runs: pd.DataFrame
    summary: pd.DataFrame
    keys: list[str]
    computed: int
    reused: int
    out_dir: Path | None = None
    elapsed_s: float = 0.0


def check_metric(metric: str) -> str:
    """A metric name of :data:`~sim.metrics.METRICS`, or a one-line error listing them."""
    if metric not in METRICS:
        raise ExperimentError(f"must be one of {', '.join(METRICS)}; got {metric!r}", "metric")
    return metric


def check_replications(
    replications: int | None, *scenarios: Scenario, option: str = "--replications"
) -> int:
    """``replications`` or the first scenario's ``horizon.replications``; a whole number >= 1,
    within each scenario's ``limits.replications`` (checked as ``horizon.replications`` is in
    the file, so the error names the file, the key and ``option``, where the count came from).
    """
    reps = scenarios[0].horizon.replications if replications is None else replications
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise ExperimentError(f"must be a whole number >= 1; got {reps!r}", "replications")
    for sc in scenarios:
        if reps != sc.horizon.replications and sc.raw_in_step:
            variant(sc, {"horizon.replications": reps}, source=option)
    return reps


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A loaded scenario from a path, or the scenario itself."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def runs_table(records: Sequence[RunRecord], points: Sequence[Point]) -> pd.DataFrame:
    """One row per run, sorted by point then replication, the varied keys as columns."""
    recs = sorted(records, key=lambda r: (r.point, r.replication))
    keys = list(points[0].changes) if points else []
    cols: dict[str, Any] = {"point": pd.Series([r.point for r in recs], dtype="int64")}
    for k in keys:
        cols[k] = key_column([points[r.point].changes[k] for r in recs])
    cols["scenario"] = pd.Series([r.scenario for r in recs], dtype="string")
    cols["replication"] = pd.Series([r.replication for r in recs], dtype="int64")
    cols["seed"] = pd.Series([r.seed for r in recs], dtype="int64")
    for m in METRICS:
        cols[m] = pd.Series([r.summary[m] for r in recs], dtype="float64")
    return pd.DataFrame(cols)


def summary_table(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per point and metric: mean and 95% t-interval over replications."""
    parts = []
    for point, g in runs.groupby("point", sort=True):
        s = across(g)
        s.insert(0, "point", point)
        for i, k in enumerate(keys, start=1):
            s.insert(i, k, g[k].iloc[0])
        parts.append(s)
    out = pd.concat(parts, ignore_index=True)
    for k in keys:
        out[k] = out[k].astype(runs[k].dtype)
    out["point"] = out["point"].astype("int64")
    return out


def sweep(
    scenario: Scenario | str | Path,
    vary: Mapping[str, Sequence[Any]] | None = None,
    *,
    points: Sequence[Mapping[str, Any]] | pd.DataFrame | None = None,
    replications: int | None = None,
    execution: Execution | None = None,
    out_dir: str | Path | None = None,
    metric: str = DEFAULT_METRIC,
) -> SweepResult:
    """Run a grid (``vary``: key -> values) or a list of ``points`` of a scenario.

    ``replications`` defaults to the scenario's ``horizon.replications``.
    ``execution`` says where the runs go (default: local processes, see
    :class:`~sim.executors.Execution`).
    With ``out_dir`` every run is saved as it finishes and a repeated call
    resumes; the tables, ``sweep.json`` and a chart of ``metric`` are written
    there at the end. Raises :class:`~sim.errors.ScenarioError` or
    :class:`ExperimentError` before running anything if an input is bad.
    """
    started = time.perf_counter()
    base = as_scenario(scenario)
    if vary is not None and points is not None:
        raise ExperimentError("give either vary or points, not both", "vary")
    if isinstance(points, pd.DataFrame):
        points = points.to_dict(orient="records")
    point_dicts = list(points) if points is not None else grid(dict(vary or {}))
    reps = check_replications(replications, base)
    check_metric(metric)
    pts = build_points(base, point_dicts)
    keys = list(pts[0].changes)
    jobs = [Job((p.index, r), p.scenario, r, summary_task) for r in range(reps) for p in pts]
    execution = execution or Execution()
    runner = execution.make()

    store = RunStore(out_dir, definition(base, pts, reps), pts) if out_dir is not None else None
    records: dict[tuple[int, int], RunRecord] = {}
    with store if store is not None else nullcontext():
        if store is not None:
            records.update(store.load())
        reused = len(records)
        todo = [j for j in jobs if j.key not in records]
        done = run_jobs(todo, execution, executor=runner, desc=base.name, done_before=reused)
        for job, res in done if todo else ():  # nothing to do: no cluster to start
            rec = RunRecord(job.key[0], job.replication, res.seed, job.scenario.name, res.summary)
            if store is not None:
                store.save(rec)
            records[job.key] = rec
        if store is not None:  # the tables are built from what is on disk
            records = store.load()
            missing = [j.key for j in jobs if j.key not in records]
            if missing:
                raise ExperimentError(
                    f"{out_dir}: runs {missing[:3]} missing at the end", "out_dir"
                )
        provs = {p.index: provenance(p.scenario) for p in pts}
        runs = stamp_by(runs_table(list(records.values()), pts), "point", provs)
        summary = stamp_by(summary_table(runs, keys), "point", provs)
        result = SweepResult(runs, summary, keys, len(todo), reused)
        result.elapsed_s = round(time.perf_counter() - started, 3)
        if store is not None:
            result.out_dir = store.dir
            _write_outputs(
                result, base, list(provs.values()), metric, runner.name, runner.workers, reps
            )
    return result


def _write_outputs(
    result: SweepResult,
    base: Scenario,
    provs: Sequence[Provenance],
    metric: str,
    executor: str,
    workers: int,
    reps: int,
) -> None:
    """Tables, ``sweep.json``, the base scenario and the chart, each moved into place whole.

    ``sweep.json`` carries the sweep's run id and ``provs``, every point's provenance.
    """
    assert result.out_dir is not None
    base_prov = provenance(base)
    with staged(result.out_dir) as stage:
        write_table(result.runs, stage / "runs.parquet")
        write_table(result.summary, stage / "summary.parquet")
        (stage / RESOLVED_NAME).write_text(
            resolved_toml(
                base,
                base_prov,
                f"The sweep's base scenario, before the points' changes: `helpline sweep "
                f"{RESOLVED_NAME}` with the same points reproduces the folder's tables.",
            ),
            encoding="utf-8",
        )
        chart.save(
            chart.sweep_chart(
                result.summary, result.keys, metric, f"{base.name}: {metric} (mean, 95% CI)"
            ),
            str(stage / f"{metric}.png"),
        )
        write_json(
            {
                **group_document(provs, point=list(range(len(provs)))),
                "scenario": base.name,
                "scenario_hash": base_prov.scenario_hash,
                "scenario_file": base.file,
                "keys": result.keys,
                "points": int(result.runs["point"].nunique()),
                "replications": reps,
                "runs_total": len(result.runs),
                "runs_computed": result.computed,
                "runs_reused": result.reused,
                "executor": executor,
                "workers": workers,
                "elapsed_s": result.elapsed_s,
                "chart": f"{metric}.png",
            },
            stage / "sweep.json",
        )
