"""Tables built piece by piece, lazily, and handed to a sink in replication order."""

from __future__ import annotations

import gc
import pickle

import pandas as pd
import pytest
from conftest import make_scenario
from pandas.testing import assert_frame_equal

from sim.core.model import simulate
from sim.executors import Execution
from sim.runner import (
    ALL_TABLES,
    ROW_TABLES,
    SUMMARY_TABLES,
    LazyTables,
    RunResult,
    run_one,
    run_replications,
    table_of,
    table_pieces,
)


@pytest.fixture(scope="module")
def small():
    return make_scenario(
        {"horizon.days": 1, "horizon.replications": 3, "horizon.warmup_days": 0.25}
    )


@pytest.mark.parametrize("name", ALL_TABLES)
def test_pieces_stacked_are_the_table(small, name: str) -> None:
    rec = simulate(small, 0)
    whole = table_of(rec, name)
    pieces = list(table_pieces(rec, name, 97))
    if name in ROW_TABLES:
        assert len(pieces) == -(-len(whole) // 97) > 2
    assert_frame_equal(pd.concat(pieces, ignore_index=True), whole, check_exact=True, obj=name)


def test_lazy_tables_build_on_demand_and_pickle_as_a_plain_dict(small) -> None:
    one = run_one(small, 1, ALL_TABLES)
    assert isinstance(one.tables, LazyTables)
    # the attainment and binding tables were built for the summary, which read them; no other
    assert set(one.tables._built) == set(SUMMARY_TABLES)
    assert "attempts" in one.tables and "calls" not in one.tables
    assert set(one.tables._built) == set(SUMMARY_TABLES)  # asking builds nothing
    assert one.tables["attempts"] is one.tables["attempts"]  # built once, then kept
    back = pickle.loads(pickle.dumps(one))
    assert type(back.tables) is dict and list(back.tables) == list(ALL_TABLES)
    for name in ALL_TABLES:
        assert_frame_equal(back.tables[name], one.tables[name], check_exact=True)
    assert run_one(small, 1).tables == {}  # no tables asked for: the records are not kept


def test_lazy_tables_let_go_of_the_attempt_columns_but_still_build_callers(small) -> None:
    one = run_one(small, 0, ("attempts", "callers"))
    want = table_of(simulate(small, 0), "callers")
    assert isinstance(one.tables, LazyTables)
    one.tables.drop_attempt_columns()
    got = pd.concat(list(one.tables.pieces("callers", 50)), ignore_index=True)
    assert_frame_equal(got, want, check_exact=True)


@pytest.mark.parametrize("execution", [Execution.serial(), Execution("processes", 2)])
def test_sink_gets_every_replication_in_order_and_its_leftovers_are_stacked(
    small, execution: Execution
) -> None:
    seen: list[int] = []

    def sink(run: RunResult) -> None:
        seen.append(run.replication)
        run.tables = {"intervals": run.tables["intervals"]}  # keep one, drop the rest

    res = run_replications(small, execution=execution, tables=ALL_TABLES, sink=sink)
    assert seen == [0, 1, 2]
    assert list(res.tables) == ["intervals"]
    assert sorted(res.intervals["replication"].unique()) == [0, 1, 2]


def test_a_run_leaves_no_model_behind(small) -> None:
    """The model sits in reference cycles (its bound callbacks); run_one collects it, so its
    draws and, once the tables let go, its attempt columns are freed.
    """
    one = run_one(small, 0, ALL_TABLES)
    assert not [o for o in gc.get_objects() if type(o).__name__ == "_Model"]
    assert isinstance(one.tables, LazyTables)
