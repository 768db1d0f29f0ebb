"""Parquet files of a run's tables: the settings, and tables appended a replication at a time.

Settings (measured on ``volume_2025``; docs/performance.md gives the alternatives): zstd at
level 1; dictionary encoding for the small integers, booleans and categoricals (a few distinct
values each); byte-stream-split for floats (almost every value distinct: a dictionary only
costs time before Parquet gives it up, and split bytes compress better); delta encoding for
the row ids (``attempt_id``, ``caller_id``: rising, so their deltas are small). A row group never
mixes replications: a reader filtering on ``replication`` skips the others' row groups. A
replication of more than :data:`ROW_GROUP_ROWS` rows spans several, so writing holds one piece
of a table at a time, not the whole.

A file leaves out the columns of its table that are exact differences of columns it keeps
(:data:`LEFT_OUT`: the callers' four reporting-delay parts, about 25 MB of a simulated year);
:func:`restored` puts them back, the same to the bit (docs/results.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.report.output import naming_errors
from sim.report.provenance import Provenance, stamp

COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1
#: Integer columns of (nearly) rising ids, delta-encoded instead of dictionary-encoded.
ID_COLUMNS = ("attempt_id", "caller_id")
#: Most rows in one row group (a replication's table is written in pieces of this size).
ROW_GROUP_ROWS = 1 << 19
#: Per table: the columns its file leaves out, each the difference (a - b) of two columns
#: the file keeps, NaN where either is (so where the table has NaN), placed after ``AFTER``.
LEFT_OUT: dict[str, dict[str, tuple[str, str]]] = {
    "callers": {
        "victim_delay_s": ("first_dial_at_s", "fraud_at_s"),
        "access_delay_s": ("answered_at_s", "first_dial_at_s"),
        "handling_s": ("registered_at_s", "answered_at_s"),
        "reporting_delay_s": ("registered_at_s", "fraud_at_s"),
    }
}
AFTER = {"callers": "gave_up_at_s"}


def kept_in_file(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Table ``name`` (or a piece of it) as its file holds it: :data:`LEFT_OUT` left out."""
    left_out = LEFT_OUT.get(name)
    return frame.drop(columns=list(left_out)) if left_out else frame


def restored(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Table ``name`` as read from its file, with the columns the file leaves out put back.

    ``pd.read_parquet(folder / "callers.parquet")`` gives the callers table without its
    reporting-delay parts; ``restored("callers", that)`` gives the whole table, each part
    computed as the table computes it (the same bits).
    """
    left_out = LEFT_OUT.get(name)
    if not left_out or AFTER[name] not in frame.columns:
        return frame
    out = frame.copy()
    at = out.columns.get_loc(AFTER[name]) + 1
    for i, (column, (a, b)) in enumerate(left_out.items()):
        out.insert(at + i, column, out[a].to_numpy() - out[b].to_numpy())
    return out


def settings(schema: pa.Schema) -> dict[str, Any]:
    """``pyarrow.parquet`` writer options for a table of ``schema``."""
    floats = [f.name for f in schema if pa.types.is_floating(f.type)]
    ids = [f.name for f in schema if f.name in ID_COLUMNS and pa.types.is_integer(f.type)]
    encoding = {name: "BYTE_STREAM_SPLIT" for name in floats}
    encoding.update({name: "DELTA_BINARY_PACKED" for name in ids})
    return {
        "compression": COMPRESSION,
        "compression_level": COMPRESSION_LEVEL,
        "use_dictionary": [f.name for f in schema if f.name not in encoding],
        "column_encoding": encoding,
    }


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table the way pandas writes it (NaN as null, categoricals kept)."""
    return pa.Table.from_pandas(frame, preserve_index=False)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write one whole table to ``path`` with :func:`settings` (one row group).

    The file is opened here, not by pyarrow, which on an error removes the path it was
    given (a device such as /dev/full included).
    """
    table = arrow_table(kept_in_file(path.stem, frame))
    with open(path, "wb") as sink:
        pq.write_table(table, sink, row_group_size=max(table.num_rows, 1), **settings(table.schema))


class TableFile:
    """One Parquet file of a run's table, appended a replication at a time.

    Every table is stamped with the run's provenance (:func:`~sim.report.provenance.stamp`)
    piece by piece. The file is created by the first :meth:`append` and finished by
    :meth:`close`; all pieces must have the first one's columns and types.
    """

    def __init__(self, path: Path, prov: Provenance) -> None:
        self.path, self.prov = path, prov
        self.file: BinaryIO | None = None
        self.writer: pq.ParquetWriter | None = None

    def append(self, pieces: Iterable[pd.DataFrame]) -> None:
        """Write one replication's table, given as consecutive pieces: a row group each
        (the columns the file leaves out, :data:`LEFT_OUT`, left out).
        """
        for piece in pieces:
            table = arrow_table(stamp(kept_in_file(self.path.stem, piece), self.prov))
            with naming_errors(self.path):
                if self.writer is None:  # the first piece, even empty, gives the schema
                    self.file = open(self.path, "wb")  # noqa: SIM115 - closed by close()
                    schema = table.schema
                    self.writer = pq.ParquetWriter(self.file, schema, **settings(schema))
                if table.num_rows:  # no empty row groups (they have no statistics)
                    self.writer.write_table(table, row_group_size=table.num_rows)

    def close(self) -> None:
        """Finish the file (its footer) and close it."""
        try:
            if self.writer is not None:
                with naming_errors(self.path):
                    self.writer.close()
        finally:
            self.writer = None
            if self.file is not None:
                self.file.close()
                self.file = None
