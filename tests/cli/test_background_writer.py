"""The background Parquet writer: rows in order, none lost, and a failed write publishes nothing.

``helpline run`` encodes row groups on a thread of its own (``BackgroundWriter``) while it
builds the next piece and draws the charts. These tests hold what that must not change: the
file has every row of every piece, in the order given, a row group per piece; a failing job
stops the ones after it and its error reaches the command, whose output folder then stays as
it was (no half-written file published).
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from tiny import TINY_TOML

from sim.cli import main
from sim.report import parquet
from sim.report.parquet import BackgroundWriter, TableFile
from sim.report.provenance import COLUMNS, Provenance, stamp


def _prov() -> Provenance:
    return Provenance(
        scenario="tiny", scenario_hash="0" * 16, tool_version="0", commit="c", run_id="r"
    )


def test_jobs_run_one_at_a_time_in_the_order_given() -> None:
    done: list[int] = []
    running = threading.Semaphore(1)
    rng = random.Random(3)

    def job(i: int) -> None:
        assert running.acquire(blocking=False), "two jobs at once"
        time.sleep(rng.random() * 0.002)
        done.append(i)
        running.release()

    with BackgroundWriter() as bg:
        for i in range(200):
            bg.submit(lambda i=i: job(i))
    assert done == list(range(200))


def test_a_failed_job_stops_the_rest_and_its_error_reaches_the_caller() -> None:
    done: list[int] = []

    def job(i: int) -> None:
        if i == 3:
            raise OSError(28, "No space left on device", "x.parquet")
        done.append(i)

    bg = BackgroundWriter()

    def submit_all() -> None:
        for i in range(10):
            bg.submit(lambda i=i: job(i))
        bg.join()

    with pytest.raises(OSError, match="No space left"):  # raised by a later submit or join
        submit_all()
    assert done == [0, 1, 2]
    with pytest.raises(OSError, match="No space left"):
        bg.join()  # the error stays: the run cannot be taken for whole
    with pytest.raises(RuntimeError, match="joined"):
        bg.submit(lambda: None)


def test_table_file_written_in_the_background_has_every_row_in_order(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    pieces = [
        pd.DataFrame({"x": rng.normal(size=n), "k": np.arange(n, dtype=np.int32) + 1000 * i})
        for i, n in enumerate([7, 1, 300, 0, 45, 1000])
    ]
    pieces[2].loc[5, "x"] = np.nan
    with BackgroundWriter() as bg:
        f = TableFile(tmp_path / "t.parquet", _prov(), bg)
        f.append(pieces[:3])
        f.append(pieces[3:])
        f.close()
    back = pd.read_parquet(tmp_path / "t.parquet").drop(columns=list(COLUMNS))
    whole = pd.concat(pieces, ignore_index=True)
    pd.testing.assert_frame_equal(back, whole)
    meta = pq.ParquetFile(tmp_path / "t.parquet").metadata
    rows = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
    assert rows == [len(p) for p in pieces if len(p)]  # one row group a piece, none empty


def test_the_same_file_as_written_in_the_callers_thread(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    pieces = [pd.DataFrame({"x": rng.normal(size=n)}) for n in (10, 20, 30)]
    plain = TableFile(tmp_path / "a.parquet", _prov())
    plain.append(pieces)
    plain.close()
    with BackgroundWriter() as bg:
        behind = TableFile(tmp_path / "b.parquet", _prov(), bg)
        behind.append(pieces)
        behind.close()
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_a_run_whose_background_write_fails_leaves_the_old_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_TOML, encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(scenario), "--out", str(out), "--workers", "1", "--no-charts"]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = parquet.TableFile._write
    calls = {"n": 0}

    def failing(self: TableFile, writer: object, table: object) -> None:
        calls["n"] += 1
        if self.path.stem == "attempts":
            assert threading.current_thread().name == "parquet-writer"
            raise OSError(28, "No space left on device")
        real(self, writer, table)

    monkeypatch.setattr(parquet.TableFile, "_write", failing)
    result = CliRunner().invoke(main, [*args, "--seed", "99"])
    assert result.exit_code != 0
    assert calls["n"] > 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing half-written
    assert not list(tmp_path.glob(".out.staging-*"))  # no staging folder left behind


def test_pieces_after_the_first_make_the_file_stamping_each_piece_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Later pieces skip pandas' stamped copy; the file is the same to the byte as one
    written from every piece stamped and converted whole (left-out columns dropped too).
    """
    rng = np.random.default_rng(11)
    pieces = []
    for i, n in enumerate([50, 0, 80, 1]):
        frame = pd.DataFrame(
            {
                "scenario": pd.Categorical(["tiny"] * n),
                "caller_id": np.arange(n, dtype=np.int64) + 100 * i,
                "call_type": pd.Categorical.from_codes(rng.integers(0, 2, n), ["a", "b"]),
                "fraud_at_s": rng.normal(size=n),
                "first_dial_at_s": rng.normal(size=n),
                "victim_delay_s": rng.normal(size=n),  # left out of the callers file
                "gave_up_at_s": np.where(rng.random(n) < 0.5, np.nan, 1.0),
            }
        )
        pieces.append(frame)
    prov = Provenance(run_id="r", scenario="tiny", scenario_hash="h", tool_version="0", commit=None)
    stamped: list[int] = []

    def counted(table: pd.DataFrame, *args: object, **kw: object) -> pd.DataFrame:
        stamped.append(len(table))
        return stamp(table, *args, **kw)

    monkeypatch.setattr(parquet, "stamp", counted)
    fast = TableFile(tmp_path / "callers.parquet", prov)
    fast.append(pieces)
    fast.close()
    assert stamped == [50]  # only the first piece went through pandas' stamped copy
    reference = tmp_path / "reference" / "callers.parquet"
    reference.parent.mkdir()
    with open(reference, "wb") as sink:
        writer = None
        for piece in pieces:
            table = parquet.arrow_table(stamp(parquet.kept_in_file("callers", piece), prov))
            if writer is None:
                writer = pq.ParquetWriter(sink, table.schema, **parquet.settings(table.schema))
            if table.num_rows:
                writer.write_table(table, row_group_size=table.num_rows)
        writer.close()
    assert (tmp_path / "callers.parquet").read_bytes() == reference.read_bytes()


def test_no_thread_until_the_first_job_and_none_after_join() -> None:
    before = threading.active_count()
    bg = BackgroundWriter()
    assert threading.active_count() == before  # worker processes forked now copy no writer
    bg.join()  # joining a writer that never ran is fine
    with BackgroundWriter() as used:
        used.submit(lambda: None)
        assert threading.active_count() == before + 1
    assert threading.active_count() == before
