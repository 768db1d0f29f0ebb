"""Experiments: compare scenarios, sweep parameters, plan replications, scale out.

The Python API mirrors the ``helpline compare``, ``sweep`` and
``replications`` commands, for notebooks::

    from sim.experiment import compare, sweep

    res = sweep("scenarios/baseline_2023.toml",
                vary={"lines.count": [30, 45], "arrivals.callers_per_day": [1500, 3000]},
                replications=10, out_dir="out/sweep")
    res.runs      # one row per point x replication
    res.summary   # one row per point x metric, with 95% CIs

    compare(["a.toml", "b.toml"], replications=10)   # paired differences vs the first

Modules: :mod:`~sim.experiment.grid` (points), :mod:`~sim.executors`
(serial, processes, Dask), :mod:`~sim.experiment.store` (resumable run
files), :mod:`~sim.experiment.sweep`, :mod:`~sim.experiment.compare`,
:mod:`~sim.experiment.precision`, :mod:`~sim.report.sweep_chart`.
"""

from sim.errors import ExperimentError
from sim.experiment.compare import compare, compare_runs, compare_table
from sim.experiment.precision import (
    PrecisionRun,
    ReplicationPlan,
    replicate_to_precision,
    replications_needed,
)
from sim.experiment.sweep import SweepResult, sweep

__all__ = [
    "ExperimentError",
    "PrecisionRun",
    "ReplicationPlan",
    "SweepResult",
    "compare",
    "compare_runs",
    "compare_table",
    "replicate_to_precision",
    "replications_needed",
    "sweep",
]
