"""A sweep's folder on disk: its definition, one file per finished run, a lock.

Layout of ``DIR``::

    manifest.json        what the sweep is (scenario content hash, keys, points, replications)
    runs/p00003-r00007.json   one finished run: point 3, replication 7 (its metric summary)
    .lock                held (a POSIX lock, not inherited by workers) while a sweep writes here

Every file is written under a temporary name in the same folder, flushed to
disk and moved into place with ``os.replace``, which is atomic: a process
killed at any moment leaves either the whole file or none (plus, at worst, a
hidden ``.*.tmp`` file that the next run removes). A rerun reads the run
files, checks each against the manifest and computes only what is missing.
A rerun with a different definition is refused, so runs of two different
sweeps never mix.

The number of replications is not part of the definition: replication ``r``
of a point is the same run whatever the total, so a rerun with more
replications computes only the new ones, and one with fewer leaves the
extra run files in place (unused, kept for a later rerun with more).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import ExperimentError
from sim.experiment.grid import Point, toml_literal
from sim.report.output import exclusive_lock
from sim.scenario.values import Scenario

FORMAT = 2  # 2: the replications are no longer part of the scenario digest
MANIFEST = "manifest.json"
RUNS = "runs"
LOCK = ".lock"
_RUN_FILE = re.compile(r"p(\d{5,})-r(\d{5,})\.json")

#: Manifest fields that must match for a rerun to reuse the runs on disk.
DEFINING = ("format", "scenario_sha256", "keys", "points")


def run_name(point: int, replication: int) -> str:
    """File name of one run."""
    return f"p{point:05d}-r{replication:05d}.json"


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the scenario's merged raw content (keys sorted): same content, same digest.

    ``horizon.replications`` is left out: it changes how many runs there are, not any run.
    """
    raw = dict(scenario.raw)
    if isinstance(raw.get("horizon"), dict):
        raw["horizon"] = {k: v for k, v in raw["horizon"].items() if k != "replications"}
    text = json.dumps(raw, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def definition(base: Scenario, points: Sequence[Point], replications: int) -> dict[str, Any]:
    """The manifest: what defines the sweep, plus the scenario name and file for people."""
    keys = list(points[0].changes) if points else []
    return {
        "format": FORMAT,
        "scenario": base.name,
        "scenario_file": base.file,
        "scenario_sha256": scenario_digest(base),
        "keys": keys,
        "points": [[toml_literal(v) for v in p.changes.values()] for p in points],
        "replications": replications,
    }


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` all or nothing (temporary name, fsync, ``os.replace``).

    The temporary file is created new (``O_EXCL``, which never follows a
    symbolic link), so a symlink planted under its name cannot redirect the
    write; one left by a killed process of the same id is removed first.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)  # unlink removes a symlink itself, not its target
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, exc.filename or str(path)) from None


@dataclass(frozen=True)
class RunRecord:
    """One finished run as stored: where it belongs and its metric summary."""

    point: int
    replication: int
    seed: int
    scenario: str
    summary: dict[str, float]

    def to_json(self) -> str:
        """The run as one JSON line whose floats read back bit for bit."""
        # json writes floats with repr, which reads back bit for bit (NaN as NaN).
        return json.dumps(
            {
                "point": self.point,
                "replication": self.replication,
                "seed": self.seed,
                "scenario": self.scenario,
                "summary": self.summary,
            }
        )


def _differences(old: dict[str, Any], new: dict[str, Any]) -> str:
    out = []
    for k in DEFINING:
        if old.get(k) != new.get(k):
            if k == "scenario_sha256":
                out.append("the scenario's content")
            elif k == "points":
                out.append(f"points ({len(old.get(k) or [])} there, {len(new[k])} now)")
            else:
                out.append(f"{k} ({old.get(k)!r} there, {new[k]!r} now)")
    return ", ".join(out)


class RunStore:
    """The run files of one sweep folder; use as a context manager (it holds the lock)."""

    def __init__(self, out_dir: str | Path, manifest: dict[str, Any], points: Sequence[Point]):
        self.dir = Path(out_dir)
        self.runs_dir = self.dir / RUNS
        self.manifest = manifest
        self.points = points
        self.damaged: list[str] = []
        self._lock: ExitStack | None = None

    def __enter__(self) -> RunStore:
        self.dir.mkdir(parents=True, exist_ok=True)
        self._acquire_lock()
        try:
            self._check_manifest()
            self.runs_dir.mkdir(exist_ok=True)
            for stale in self.runs_dir.glob(".*.tmp"):  # left by a killed process
                stale.unlink(missing_ok=True)
            for stage in self.dir.glob(".staging-*"):  # sim.report.output.staged, killed mid-write
                shutil.rmtree(stage, ignore_errors=True)
        except BaseException:
            self._release_lock()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._release_lock()

    def _acquire_lock(self) -> None:
        """Lock the folder (see :func:`sim.report.output.exclusive_lock`: worker processes
        never inherit it, and it goes when this process dies).
        """
        busy = ExperimentError(
            f"{self.dir}: another sweep is writing into this folder right now", "out_dir"
        )
        stack = ExitStack()
        stack.enter_context(exclusive_lock(self.dir / LOCK, busy))
        self._lock = stack

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _check_manifest(self) -> None:
        path = self.dir / MANIFEST
        if path.exists():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise ExperimentError(
                    f"{self.dir}: {MANIFEST} is not valid JSON", "out_dir"
                ) from None
            diff = _differences(old, self.manifest)
            if diff:
                raise ExperimentError(
                    f"{self.dir}: holds a different sweep (differs in {diff}); "
                    "rerun with the same arguments to resume, or choose another folder",
                    "out_dir",
                )
            if old != self.manifest:  # more or fewer replications: the manifest says how many
                write_atomic(path, json.dumps(self.manifest, indent=2) + "\n")
            return
        others = [p.name for p in self.dir.iterdir() if p.name != LOCK]
        if others:
            raise ExperimentError(
                f"{self.dir}: not empty and not a sweep folder (no {MANIFEST}; "
                f"found {', '.join(sorted(others)[:3])}); choose an empty or new folder",
                "out_dir",
            )
        write_atomic(path, json.dumps(self.manifest, indent=2) + "\n")

    def _valid(self, rec: Any, point: int, replication: int) -> bool:
        return (
            isinstance(rec, dict)
            and rec.get("point") == point
            and rec.get("replication") == replication
            and point < len(self.points)
            and rec.get("seed") == self.points[point].scenario.horizon.seed
            and isinstance(rec.get("summary"), dict)
        )

    def load(self) -> dict[tuple[int, int], RunRecord]:
        """Every valid finished run of replications ``0..R-1``; a damaged file is renamed
        ``*.damaged`` and redone. Runs of replications ``>= R`` are left on disk, unread.
        """
        done: dict[tuple[int, int], RunRecord] = {}
        for path in sorted(self.runs_dir.iterdir()):
            m = _RUN_FILE.fullmatch(path.name)
            if not m:
                continue
            point, rep = int(m.group(1)), int(m.group(2))
            if rep >= self.manifest["replications"]:
                continue
            try:
                rec = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                rec = None
            if not self._valid(rec, point, rep):
                os.replace(path, path.with_name(path.name + ".damaged"))
                self.damaged.append(path.name)
                continue
            summary = {k: float(v) for k, v in rec["summary"].items()}
            done[(point, rep)] = RunRecord(point, rep, rec["seed"], rec["scenario"], summary)
        return done

    def save(self, rec: RunRecord) -> None:
        """Write one finished run atomically."""
        write_atomic(self.runs_dir / run_name(rec.point, rec.replication), rec.to_json())
