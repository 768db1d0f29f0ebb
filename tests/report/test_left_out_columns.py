"""The durations a table's file leaves out come back from the columns it keeps, to the bit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.core.model import simulate
from sim.report import parquet
from sim.scenario import load_scenario, variant

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("name", ["as_it_works_2023", "lines_45", "officers_2023"])
def test_restored_tables_equal_the_tables_written(name: str, tmp_path: Path) -> None:
    # as_it_works_2023 has a language menu and callbacks; lines_45 busy tones and redials;
    # officers_2023 routed escalations, some given up
    sc = variant(load_scenario(SCENARIOS / f"{name}.toml"), {"horizon.days": 3.0})
    rec = simulate(sc, 0)
    for table in ("attempts", "callers"):
        frame = getattr(rec, table)
        path = tmp_path / f"{table}.parquet"
        parquet.write_frame(frame, path)
        read = pd.read_parquet(path)
        assert not set(parquet.LEFT_OUT[table]) & set(read.columns)
        pd.testing.assert_frame_equal(parquet.restored(table, read), frame, check_exact=True)


def test_a_frame_read_in_part_gets_back_what_its_columns_make() -> None:
    frame = pd.DataFrame(
        {"fraud_at_s": [1.0], "first_dial_at_s": [4.0], "answered_at_s": [6.5],
         "registered_at_s": [float("nan")], "gave_up_at_s": [float("nan")]}
    )  # fmt: skip
    out = parquet.restored("callers", frame)
    assert out["victim_delay_s"].tolist() == [3.0] and out["access_delay_s"].tolist() == [2.5]
    assert out["reporting_delay_s"].isna().all()
    assert "wait_s" not in parquet.restored("attempts", frame[["answered_at_s"]])
