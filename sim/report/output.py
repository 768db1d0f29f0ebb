"""Writing results: Parquet tables, summary.json and charts, all or nothing.

:func:`replaced_folder` builds a whole output folder in a hidden staging
folder beside it and swaps it in at once, under the lock of
:func:`output_lock` (``helpline run``: the previous results or the new ones,
never a mix). :func:`staged` moves files one by one into a folder, each whole
(a sweep's folder, which its run files make resumable). Files are fsynced
before they are moved; an error while writing names the file or folder.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from sim.report.jsonvalues import json_value


def summary_json(
    scenario_name: str,
    replications: int,
    summary: pd.DataFrame,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``--json`` document: scenario, replications and every metric's mean and CI."""
    metrics = {
        row.metric: {
            "mean": json_value(row.mean),
            "ci95": [json_value(row.ci95_lo), json_value(row.ci95_hi)],
            "unit": row.unit,
        }
        for row in summary.itertuples()
    }
    doc: dict[str, Any] = {
        "scenario": scenario_name,
        "replications": replications,
        "metrics": metrics,
    }
    if extra:
        doc.update(extra)
    return doc


@contextmanager
def staged(out_dir: str | Path) -> Iterator[Path]:
    """Yield a staging folder; on success move every file in it into ``out_dir``.

    Each file is all or nothing (fsynced, then ``os.replace``), but a set of
    files is not: for a folder that must appear whole use :func:`replaced_folder`.
    """
    out = Path(out_dir)
    with _naming(out):
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        yield stage
        with _naming(stage):
            _fsync_tree(stage)
            for f in sorted(stage.iterdir()):
                os.replace(f, out / f.name)
            _fsync_dir(out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# --- a folder that appears whole -------------------------------------------------------------

#: Names of the hidden siblings of an output folder OUT: its lock, its staging folders and
#: (where the system cannot swap two folders atomically) the previous folder during a swap.
LOCK_NAME, STAGE_PREFIX, OLD_PREFIX = ".{}.lock", ".{}.staging-", ".{}.previous-"
_HELD: set[str] = set()  # lock files this process holds (POSIX locks do not see our own)


@contextmanager
def exclusive_lock(path: Path, busy: str | Exception) -> Iterator[None]:
    """Hold an exclusive lock on file ``path``; raise ``busy`` if another process holds it.

    The file is opened without following a symbolic link (a symlinked lock
    cannot truncate or lock its target) and never truncated. The lock is a
    POSIX record lock (``fcntl.lockf``): child processes do not inherit it, so
    worker processes cannot keep it after the process that took it dies, and
    it is released when that process ends, however it ends.
    """
    from sim.errors import ExperimentError

    refused = busy if isinstance(busy, Exception) else ExperimentError(busy)
    key = str(path.resolve(strict=False))
    if key in _HELD:
        raise refused
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ExperimentError(
                f"{path}: is a symbolic link; the lock file must be a plain file"
            ) from None
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on Unix: no lock
            fcntl = None  # type: ignore[assignment]
        if fcntl is not None:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise refused from None
        _HELD.add(key)
        try:
            yield
        finally:
            _HELD.discard(key)
    finally:
        os.close(fd)  # closing releases the lock


def _siblings(out: Path, pattern: str) -> list[Path]:
    return sorted(out.parent.glob(pattern.format(out.name) + "*"))


@contextmanager
def output_lock(out_dir: str | Path) -> Iterator[Path]:
    """Hold the lock of output folder ``out_dir`` (a hidden ``.NAME.lock`` beside it).

    Two runs into the same folder at once are refused; the one holding the
    lock also removes what a killed run left (staging folders; a previous
    folder set aside mid-swap is put back). Yields the folder's path.
    """
    out = Path(out_dir)
    if out.is_symlink():
        out = out.resolve()
    with _naming(out.parent):
        out.parent.mkdir(parents=True, exist_ok=True)
    busy = f"--out {out}: another run is writing into this folder right now"
    with exclusive_lock(out.parent / LOCK_NAME.format(out.name), busy):
        for stale in _siblings(out, STAGE_PREFIX):
            shutil.rmtree(stale, ignore_errors=True)
        for old in _siblings(out, OLD_PREFIX):  # a swap without RENAME_EXCHANGE, cut short
            if not out.exists():
                os.replace(old, out)
            else:
                shutil.rmtree(old, ignore_errors=True)
        yield out


@contextmanager
def replaced_folder(out_dir: str | Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``out_dir`` whole.

    Call it while holding :func:`output_lock`. The staging folder is a hidden
    sibling of ``out_dir`` (same file system). On success every file in it is
    fsynced, files of the old folder that this run did not write (another
    command's, such as ``helpline theory``'s) are carried over, and the two
    folders are swapped in one atomic step (``renameat2(RENAME_EXCHANGE)``;
    elsewhere two renames, repaired by the next :func:`output_lock`). A run
    killed at any moment leaves the previous folder or the new one, never a
    mix. A folder holding sub-folders is refused: it is not an output folder.
    """
    from sim.errors import ExperimentError

    out = Path(out_dir)
    if out.exists():
        if not out.is_dir():
            raise ExperimentError(f"--out {out}: is a file, not a folder")
        folders = [p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
        here = Path.cwd().resolve()
        if folders or out.resolve() in (here, *here.parents):
            raise ExperimentError(
                f"--out {out}: holds folders ({', '.join(sorted(folders)[:3]) or 'this one'}); "
                "the output folder is replaced whole, so give one of its own"
            )
    with _naming(out.parent):
        stage = out.parent / (STAGE_PREFIX.format(out.name) + secrets.token_hex(4))
        stage.mkdir()  # the folder's usual permissions (mkdtemp would make it private)
    try:
        with _naming(stage):
            yield stage
            if out.exists():
                for old in out.iterdir():
                    keep = old.is_file() and not old.name.startswith(".staging-")
                    if keep and not (stage / old.name).exists():
                        _carry(old, stage / old.name)
            _fsync_tree(stage)
        with _naming(out):
            if out.exists():
                if not _exchange(stage, out):
                    old = out.parent / (OLD_PREFIX.format(out.name) + stage.name[-8:])
                    os.replace(out, old)
                    os.replace(stage, out)
                    stage = old
            else:
                os.replace(stage, out)
            _fsync_dir(out.parent)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _carry(src: Path, dst: Path) -> None:
    """Put file ``src`` at ``dst`` too (a hard link, or a copy across file systems)."""
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False where not supported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):
        return False  # this file system cannot exchange
    raise OSError(err, os.strerror(err), str(b))


def _fsync_tree(folder: Path) -> None:
    """Flush every file in ``folder`` (not recursive), then the folder itself, to disk."""
    for f in folder.iterdir():
        if f.is_file() and not f.is_symlink():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a system without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory
        pass
    finally:
        os.close(fd)


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Give an ``OSError`` without a file name (pyarrow's "Error writing bytes") ``path``'s."""
    try:
        yield
    except OSError as exc:
        if exc.filename:
            raise
        code = exc.errno if exc.errno is not None else _errno_in(str(exc))
        raise OSError(code, exc.strerror or str(exc), str(path)) from exc


def _errno_in(text: str) -> int | None:
    """The errno a library's message quotes (pyarrow: "... [errno 28] No space ...")."""
    import re

    m = re.search(r"errno (\d+)", text)
    return int(m.group(1)) if m else None


def write_table(df: pd.DataFrame, path: Path) -> None:
    """Write one table as Parquet (categoricals kept); an error names the file."""
    with _naming(path):
        df.to_parquet(path, index=False)


def write_json(doc: dict[str, Any], path: Path) -> None:
    """Write one JSON document; an error names the file."""
    with _naming(path):
        path.write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n", encoding="utf-8")
