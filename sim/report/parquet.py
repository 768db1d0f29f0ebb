"""Parquet files of a run's tables: the settings, and tables appended a replication at a time.

Settings (measured on ``volume_2025``; docs/performance.md gives the alternatives): zstd at
level 1; dictionary encoding for the small integers, booleans and categoricals (a few distinct
values each); byte-stream-split for floats (almost every value distinct: a dictionary only
costs time before Parquet gives it up, and split bytes compress better); delta encoding for
the row ids (``attempt_id``, ``caller_id``: rising, so their deltas are small). A row group never
mixes replications: a reader filtering on ``replication`` skips the others' row groups. A
replication of more than :data:`ROW_GROUP_ROWS` rows spans several, so writing holds one piece
of a table at a time, not the whole.

A file leaves out the columns of its table that are durations between instants it keeps
(:data:`LEFT_OUT`: the attempts' ``wait_s`` and the callers' four reporting-delay parts, about
35 MB of a simulated year of volume_2025); :func:`restored` puts them back, the same to the bit
(docs/results.md).
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.report.output import naming_errors
from sim.report.provenance import COLUMNS, Provenance, stamp

COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1
#: Integer columns of (nearly) rising ids, delta-encoded instead of dictionary-encoded.
ID_COLUMNS = ("attempt_id", "caller_id")
#: Most rows in one row group (a replication's table is written in pieces of this size).
ROW_GROUP_ROWS = 1 << 18


def _difference(a: str, b: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """Column ``a`` - column ``b`` (NaN where either is), as the table computes it."""
    return lambda frame: frame[a].to_numpy() - frame[b].to_numpy()


def _wait_s(frame: pd.DataFrame) -> np.ndarray:
    """The attempts' ``wait_s`` from the file's columns, as ``Records.wait_s`` computes it."""
    out = frame["outcome"].astype(str).to_numpy()
    queued = frame["arrived_at_s"].to_numpy()
    if "menu_s" in frame.columns:
        queued = queued + np.nan_to_num(frame["menu_s"].to_numpy())
    released = frame["line_released_at_s"].to_numpy()
    wait = np.where(
        out == "answered",
        frame["answered_at_s"].to_numpy() - queued,
        np.where(out == "abandoned", released - queued, np.where(out == "blocked", 0.0, np.nan)),
    )
    if "callback_try" in frame.columns:
        wait = np.where(out == "callback", released - queued, wait)
        wait = np.where(frame["callback_try"].to_numpy() > 0, 0.0, wait)
    return wait


#: Per table: the columns its file leaves out, each computed from columns the file keeps
#: exactly as the table computes it (docs/results.md), and the column each goes after.
LEFT_OUT: dict[str, dict[str, tuple[str, Callable[[pd.DataFrame], np.ndarray]]]] = {
    "attempts": {"wait_s": ("arrived_at_s", _wait_s)},
    "callers": {
        "victim_delay_s": ("gave_up_at_s", _difference("first_dial_at_s", "fraud_at_s")),
        "access_delay_s": ("victim_delay_s", _difference("answered_at_s", "first_dial_at_s")),
        "handling_s": ("access_delay_s", _difference("registered_at_s", "answered_at_s")),
        "reporting_delay_s": ("handling_s", _difference("registered_at_s", "fraud_at_s")),
    },
}


def kept_in_file(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Table ``name`` (or a piece of it) as its file holds it: :data:`LEFT_OUT` left out."""
    left_out = [c for c in LEFT_OUT.get(name, {}) if c in frame.columns]
    return frame.drop(columns=left_out) if left_out else frame


def restored(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Table ``name`` as read from its file, with the columns the file leaves out put back.

    ``pd.read_parquet(folder / "callers.parquet")`` gives the callers table without its
    reporting-delay parts; ``restored("callers", that)`` gives the whole table, each part
    computed as the table computes it (the same bits). Likewise ``wait_s`` of the attempts.
    A frame read with only some columns gets back those it has what they need for.
    """
    out = frame
    for column, (after, compute) in LEFT_OUT.get(name, {}).items():
        if column in out.columns or after not in out.columns:
            continue
        try:
            values = compute(out)
        except KeyError:  # a column it needs was not read
            continue
        if out is frame:
            out = frame.copy()
        out.insert(out.columns.get_loc(after) + 1, column, values)
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


class BackgroundWriter:
    """Runs jobs (encoding and writing row groups) one at a time on a thread of its own, in
    the order given, while the caller goes on building the next piece or drawing charts.

    pyarrow encodes and compresses without Python's global lock, so on a second core the
    writing overlaps the caller's work. One job runs at a time and none waits:
    :meth:`submit` returns once the job before has finished, so at most two pieces of a
    table are held (the one being written, the one being built). The first job that fails
    stops the rest (none runs after it), and its error is raised in the caller's thread
    by the next :meth:`submit` or by :meth:`join`, so a run never finishes as if its files
    were whole. Use it as a context manager: leaving waits for the job under way, also on
    an error.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._free = threading.Semaphore(1)  # held while a job is given and not yet done
        self._error: BaseException | None = None
        self._closed = False
        # Started by the first job, not here: a run's worker processes are forked before any
        # replication's tables are written, so they never copy a thread that is writing.
        self._thread = threading.Thread(target=self._work, name="parquet-writer", daemon=True)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                if self._error is None:
                    job()
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc
            finally:
                self._free.release()

    def submit(self, job: Callable[[], None]) -> None:
        """Run ``job`` after those already given, once they are done; raise the error of
        one that failed.
        """
        if self._closed:
            raise RuntimeError("the background writer has been joined")
        self._free.acquire()
        if self._error is not None:
            self._free.release()
            raise self._error
        if not self._thread.is_alive():
            self._thread.start()
        self._jobs.put(job)

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def join(self) -> None:
        """Wait for every job given; raise the error of the first that failed."""
        self._stop()
        self._raise()

    def _stop(self) -> None:
        if not self._closed:
            self._closed = True
            if self._thread.is_alive():
                self._jobs.put(None)
                self._thread.join()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.join()
        else:  # the caller's error goes on; the job under way ends first
            self._stop()


class TableFile:
    """One Parquet file of a run's table, appended a replication at a time.

    Every table is stamped with the run's provenance (:func:`~sim.report.provenance.stamp`)
    piece by piece. The file is created by the first :meth:`append` and finished by
    :meth:`close`; all pieces must have the first one's columns and types. With a
    ``background`` writer, each piece is turned into an Arrow table here and encoded and
    written there, in order, and :meth:`close` only queues the footer: the file is whole
    once the writer is joined.
    """

    def __init__(
        self, path: Path, prov: Provenance, background: BackgroundWriter | None = None
    ) -> None:
        self.path, self.prov, self.background = path, prov, background
        self.file: BinaryIO | None = None
        self.writer: pq.ParquetWriter | None = None
        self._front: list[pa.Array] | None = None  # the provenance columns, one row each

    def append(self, pieces: Iterable[pd.DataFrame]) -> None:
        """Write one replication's table, given as consecutive pieces: a row group each
        (the columns the file leaves out, :data:`LEFT_OUT`, left out).
        """
        for piece in pieces:
            table = self._arrow(piece)
            if self.writer is None:  # the first piece, even empty, gives the schema
                with naming_errors(self.path):
                    self.file = open(self.path, "wb")  # noqa: SIM115 - closed by close()
                    schema = table.schema
                    self.writer = pq.ParquetWriter(self.file, schema, **settings(schema))
            if table.num_rows:  # no empty row groups (they have no statistics)
                self._run(functools.partial(self._write, self.writer, table))

    def _arrow(self, piece: pd.DataFrame) -> pa.Table:
        """``piece`` stamped, as the file's Arrow table (:data:`LEFT_OUT` left out).

        The first piece goes through pandas (:func:`stamp`, :func:`arrow_table`), which
        gives the file its schema and pandas metadata; later ones convert only their own
        columns and put the first piece's provenance values in front: the same table,
        without stacking a stamped copy of every piece.
        """
        if self._front is None:
            table = arrow_table(stamp(kept_in_file(self.path.stem, piece), self.prov))
            if table.num_rows:
                self._front = [table.column(c).combine_chunks().slice(0, 1) for c in COLUMNS]
            return table
        drop = set(COLUMNS) | set(LEFT_OUT.get(self.path.stem, {}))
        body = pa.Table.from_pandas(
            piece, columns=[c for c in piece.columns if c not in drop], preserve_index=False
        )
        n = body.num_rows
        front = [
            pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, np.int8), mask=np.full(n, not col.is_valid()[0].as_py())),
                col.dictionary,
            )
            for col in self._front
        ]
        schema = self.writer.schema if self.writer is not None else None
        table = pa.Table.from_arrays([*front, *body.columns], names=[*COLUMNS, *body.column_names])
        if schema is None or not table.schema.equals(schema, check_metadata=False):
            return arrow_table(stamp(kept_in_file(self.path.stem, piece), self.prov))
        return table.replace_schema_metadata(schema.metadata)

    def _run(self, job: Callable[[], None]) -> None:
        if self.background is None:
            job()
        else:
            self.background.submit(job)

    def _write(self, writer: pq.ParquetWriter, table: pa.Table) -> None:
        with naming_errors(self.path):
            writer.write_table(table, row_group_size=table.num_rows)

    def close(self) -> None:
        """Finish the file (its footer) and close it (with a background writer: queue it)."""
        self._run(self._close)

    def _close(self) -> None:
        try:
            if self.writer is not None:
                with naming_errors(self.path):
                    self.writer.close()
        finally:
            self.writer = None
            if self.file is not None:
                self.file.close()
                self.file = None
