"""Attempt rows handed out of a run as it goes, kept in anonymous temporary files.

A simulated year of ``volume_2025`` makes about 3.4 million attempts, 120 bytes each in
its columns: held to the end of the run they are most of its memory. With a
:class:`SpillFiles` as its sink (:class:`sim.core.records.AttemptSink`) the model hands
each chunk of finished rows over as it goes; each column is appended to its own temporary
file (unnamed: gone when closed, even after a crash). After the run :meth:`SpillFiles.columns`
maps them back read-only, a column at a time when asked for, so the summary and the tables
read them through the page cache instead of holding them all: a column's memory counts only
while an array over it lives. The numbers are the same as from columns held in memory.

Temporary files go where :func:`tempfile.gettempdir` says (``TMPDIR``).
"""

from __future__ import annotations

import mmap
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from typing import IO

import numpy as np


class SpilledColumns(Mapping[str, np.ndarray]):
    """Columns written to temporary files, each mapped read-only when asked for."""

    def __init__(self, files: dict[str, IO[bytes]], dtypes: dict[str, np.dtype], rows: int):
        self.files, self.dtypes, self.rows = files, dtypes, rows
        # The array of a column while someone holds it: mapped twice, its pages would count
        # twice in the process's memory.
        self.live: weakref.WeakValueDictionary[str, np.ndarray] = weakref.WeakValueDictionary()

    def __getitem__(self, name: str) -> np.ndarray:
        dtype = self.dtypes[name]
        if not self.rows:
            return np.empty(0, dtype)
        column = self.live.get(name)
        if column is None:
            size = self.rows * dtype.itemsize
            mapped = mmap.mmap(self.files[name].fileno(), size, access=mmap.ACCESS_READ)
            column = np.frombuffer(mapped, dtype)  # unmapped when the last array over it goes
            self.live[name] = column
        return column

    def part(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Rows ``[start, stop)`` of every column, each over a mapping of its own rows only:
        a table written piece by piece then holds one piece's pages at a time (slices of
        the whole columns would keep every page read so far while any slice lives).
        """
        stop = min(stop, self.rows)
        out = {}
        for name, f in self.files.items():
            dtype = self.dtypes[name]
            if stop <= start:
                out[name] = np.empty(0, dtype)
                continue
            lo, hi = start * dtype.itemsize, stop * dtype.itemsize
            offset = lo - lo % mmap.ALLOCATIONGRANULARITY
            mapped = mmap.mmap(f.fileno(), hi - offset, access=mmap.ACCESS_READ, offset=offset)
            out[name] = np.frombuffer(mapped, dtype, stop - start, lo - offset)
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


class SpillFiles:
    """A run's attempt sink: every column appended to its own temporary file."""

    def __init__(self) -> None:
        self.files: dict[str, IO[bytes]] = {}
        self.dtypes: dict[str, np.dtype] = {}
        self.rows = 0

    def write(self, columns: Mapping[str, np.ndarray]) -> None:
        """Append the next rows (one array per column, all the same length)."""
        n = 0
        for name, values in columns.items():
            if name not in self.files:
                self.files[name] = tempfile.TemporaryFile(prefix="helpline-attempts-")  # noqa: SIM115 - open while the columns are read
                self.dtypes[name] = values.dtype
            self.files[name].write(np.ascontiguousarray(values).data)
            n = values.size
        self.rows += n

    def columns(self) -> SpilledColumns:
        """Every row written, a column mapped when asked for."""
        for f in self.files.values():
            f.flush()
        return SpilledColumns(self.files, self.dtypes, self.rows)


def spilled(columns: Mapping[str, np.ndarray]) -> SpilledColumns:
    """``columns`` (all of one length) written to temporary files and mapped back."""
    files = SpillFiles()
    files.write(columns)
    return files.columns()
