"""The one fan-out: ``Execution`` validation, the same results on every executor, ``Results``."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_scenario
from pandas.testing import assert_frame_equal

from sim.errors import ExperimentError
from sim.executors import Execution, Job, run_jobs
from sim.runner import TABLES, Results, run_one, run_replications, summary_task


@pytest.fixture(scope="module")
def small():
    return make_scenario({"horizon.days": 1, "horizon.replications": 3, "horizon.warmup_days": 0})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"executor": "threads"},
            r"^executor: must be one of serial, processes, dask; got 'threads'",
        ),
        ({"workers": 0}, r"^workers: must be a whole number >= 1; got 0"),
        ({"workers": 1.5}, r"^workers: must be a whole number >= 1; got 1.5"),
        ({"executor": "serial", "scheduler": "tcp://h:1"}, r"^scheduler: tcp://h:1 needs executor"),
    ],
)
def test_execution_names_the_bad_parameter(kwargs, message) -> None:
    with pytest.raises(ExperimentError, match=message):
        Execution(**kwargs)


def test_execution_defaults() -> None:
    assert Execution().executor == "processes"
    assert Execution(None, scheduler="tcp://h:1").executor == "dask"
    assert Execution.serial().make().name == "serial"


def test_every_local_executor_gives_the_same_results(small) -> None:
    jobs = [Job(r, small, r, summary_task) for r in range(3)]
    serial = {j.key: res.summary for j, res in run_jobs(jobs, Execution.serial())}
    pooled = {j.key: res.summary for j, res in run_jobs(jobs, Execution("processes", 2))}
    assert sorted(serial) == sorted(pooled) == [0, 1, 2]
    # results may arrive in any order; NaN equals NaN in DataFrame.equals
    assert pd.DataFrame(serial).sort_index(axis=1).equals(pd.DataFrame(pooled).sort_index(axis=1))


def test_results_stack_tables_without_copying_one_replication(small) -> None:
    one = run_one(small, 0, TABLES)
    res = Results.of(small, [one])
    for name in TABLES:
        assert res.table(name) is one.tables[name]  # one replication: no concat copy
    assert res.replications == 1 and list(res.per_replication["replication"]) == [0]
    with pytest.raises(KeyError, match="not kept by this run"):
        Results.of(small, [run_one(small, 0)]).table("attempts")


def test_run_replications_returns_stacked_tables_and_summaries(small) -> None:
    res = run_replications(small, execution=Execution.serial())
    assert res.replications == 3
    assert sorted(res.attempts["replication"].unique()) == [0, 1, 2]
    assert set(res.tables) == set(TABLES)
    alone = run_one(small, 1).summary
    row = res.per_replication.set_index("replication").loc[1]
    assert {k: row[k] for k in alone} == pytest.approx(alone, nan_ok=True)
    assert set(res.summary["metric"]) == set(alone)
    only = run_replications(small, 2, execution=Execution.serial(), tables=("callers",))
    assert set(only.tables) == {"callers"}
    with pytest.raises(ExperimentError, match=r"^tables: must be among attempts"):
        run_replications(small, 1, tables=("calls",))
    assert_frame_equal(
        res.per_replication,
        run_replications(small, execution=Execution("processes", 2)).per_replication,
        check_exact=True,
    )
