"""Parquet settings: every value and type survives the round trip; floats byte-split, row ids
delta-encoded, the rest dictionary-encoded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from pandas.testing import assert_frame_equal

from sim.report.parquet import write_frame


def test_values_and_types_survive_the_round_trip(tmp_path: Path) -> None:
    n = 1000
    rng = np.random.default_rng(1)
    wait = rng.exponential(30.0, n)
    wait[::7] = np.nan
    frame = pd.DataFrame(
        {
            "attempt_id": np.arange(n, dtype=np.int64),
            "caller_id": np.sort(rng.integers(0, 2**31 - 1, n)).astype(np.int32),
            "attempt_no": rng.integers(1, 30_000, n).astype(np.int16),
            "agent_id": np.where(np.arange(n) % 5 == 0, -1, 7).astype(np.int32),
            "outcome": pd.Categorical.from_codes(rng.integers(0, 4, n), ["a", "b", "c", "d"]),
            "code": rng.integers(-128, 127, n).astype(np.int8),
            "wait_s": wait,
            "arrived_at_s": np.cumsum(rng.exponential(5.0, n)) + 3.1e7,
            "in_window": np.arange(n) % 3 == 0,
            "meets": pd.array([True, False, None] * 333 + [None], dtype="boolean"),
        }
    )
    path = tmp_path / "t.parquet"
    write_frame(frame, path)
    assert_frame_equal(pd.read_parquet(path), frame, check_exact=True)
    col = pq.ParquetFile(path).metadata.row_group(0).column
    names = list(frame.columns)
    assert "BYTE_STREAM_SPLIT" in col(names.index("wait_s")).encodings
    assert "DELTA_BINARY_PACKED" in col(names.index("attempt_id")).encodings
    assert any("DICTIONARY" in e for e in col(names.index("attempt_no")).encodings)
    assert col(0).compression == "ZSTD"
