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
from collections.abc import Iterator, Mapping
from typing import IO

import numpy as np


class SpilledColumns(Mapping[str, np.ndarray]):
    """Columns written to temporary files, each mapped read-only when asked for."""

    def __init__(self, files: dict[str, IO[bytes]], dtypes: dict[str, np.dtype], rows: int):
        self.files, self.dtypes, self.rows = files, dtypes, rows

    def __getitem__(self, name: str) -> np.ndarray:
        dtype = self.dtypes[name]
        if not self.rows:
            return np.empty(0, dtype)
        size = self.rows * dtype.itemsize
        mapped = mmap.mmap(self.files[name].fileno(), size, access=mmap.ACCESS_READ)
        return np.frombuffer(mapped, dtype)  # unmapped when the last array over it goes

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
