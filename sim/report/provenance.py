"""Provenance: what made a result, stamped on every table a run writes.

A researcher citing a figure years later needs to know which scenario, which version of the tool
and which code made it, and to make it again. Every table of ``helpline run`` and its
``summary.json`` carry five values (:class:`Provenance`):

* ``run_id``: ``"run-"`` and 16 hex digits of SHA-256 over the scenario hash, the tool version
  and the commit, the three things that determine every number. It is a name for the result,
  not for the moment it was made: rerunning the same merged scenario with the same code gives
  the same run id and the same tables bit for bit, and rows of replication ``i`` are the same
  whether the run made all replications or only ``--replication i``;
* ``tool_version``: ``sim.__version__``;
* ``commit``: the git commit of the checkout the package was imported from, with ``-dirty``
  appended when tracked files differ from it (the numbers may then not be reproducible from
  the commit alone); ``None`` (null) when the package is not run from a git checkout;
* ``scenario``: the scenario's name;
* ``scenario_hash``: ``"sha256:"`` and the hex digest of the fully merged scenario (every
  ``extends`` parent and every override applied) written as canonical JSON: sorted keys, dates
  and times in ISO 8601. Formatting, comments and key order in the file do not change it.

The output folder keeps that merged scenario as ``scenario.resolved.toml``
(:func:`resolved_toml`), so ``helpline run OUT/scenario.resolved.toml`` reproduces ``OUT``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

import sim
from sim.scenario.values import Scenario

#: The provenance columns, first in every table, in this order.
COLUMNS = ("run_id", "scenario", "scenario_hash", "tool_version", "commit")
#: The categories' dtype: pandas' default for strings, which is what reading the Parquet back
#: gives, so a table in memory equals the table read from its file.
STRINGS = pd.Index(["x"]).dtype
#: File name of the merged scenario in an output folder.
RESOLVED_NAME = "scenario.resolved.toml"


@dataclass(frozen=True)
class Provenance:
    """The five provenance values of one run (see the module docstring)."""

    run_id: str
    scenario: str
    scenario_hash: str
    tool_version: str
    commit: str | None

    def as_dict(self) -> dict[str, str | None]:
        """The values by column name, for ``summary.json``."""
        return asdict(self)


def plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays turned into Python ones, tables and lists walked."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return {"__toml__": type(value).__name__, "iso": value.isoformat()}
    raise TypeError(f"scenario value {value!r} of type {type(value).__name__} is not TOML")


def scenario_hash(scenario: Scenario) -> str:
    """``sha256:<hex>`` of the merged scenario's raw tables as canonical JSON."""
    text = json.dumps(
        plain(scenario.raw),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_canonical,
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def resolved_toml(scenario: Scenario, prov: Provenance, use: str | None = None) -> str:
    """The merged scenario as a TOML file that loads back to the same scenario (and hash).

    The header names the run and says how the file remakes the folder: ``use``, by default
    that ``helpline run`` of it reproduces the folder's tables.
    """
    use = use or f"`helpline run {RESOLVED_NAME}` reproduces the folder's tables."
    head = (
        f"# The fully merged scenario {prov.scenario!r} of run {prov.run_id}: every extends\n"
        f"# parent and override applied ({prov.scenario_hash}).\n"
        f"# Made by helpline-sim {prov.tool_version}"
        + (f", commit {prov.commit}" if prov.commit else "")
        + f".\n# {use}\n\n"
    )
    return head + tomli_w.dumps(plain(scenario.raw))


@functools.cache
def git_commit(where: str | None = None) -> str | None:
    """HEAD of the git checkout holding ``where`` (default: this package), ``-dirty`` if changed.

    ``None`` when git is missing or the package is not in a checkout (an installed wheel).
    """
    root = Path(where) if where else Path(sim.__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout.strip()

    try:
        if Path(git("rev-parse", "--show-toplevel")).resolve() != root:
            return None  # the package sits in some other repository's tree, not its own
        head = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("-dirty" if dirty else "")


def _run_id(digest: str, commit: str | None) -> str:
    key = "\n".join((digest, sim.__version__, commit or ""))
    return "run-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def provenance(scenario: Scenario) -> Provenance:
    """The provenance of a run of ``scenario`` with the code imported now."""
    digest = scenario_hash(scenario)
    commit = git_commit()
    return Provenance(_run_id(digest, commit), scenario.name, digest, sim.__version__, commit)


def group_run_id(members: Sequence[Provenance]) -> str:
    """The run id of several scenarios run together (a sweep's points, a comparison's
    scenarios): SHA-256 over their scenario hashes in order, the tool version and the commit.
    """
    digest = (
        "sha256:"
        + hashlib.sha256("\n".join(m.scenario_hash for m in members).encode("utf-8")).hexdigest()
    )
    return _run_id(digest, git_commit())


def group_document(members: Sequence[Provenance], **labels: Sequence[Any]) -> dict[str, Any]:
    """The provenance keys of a sweep's or a comparison's JSON document.

    ``run_id`` (:func:`group_run_id`), ``tool_version`` and ``commit`` of the whole, and
    ``provenance``: one entry per member, its ``labels`` (e.g. ``point=[0, 1, ...]``) first,
    then ``scenario``, ``scenario_hash`` and ``run_id``.
    """
    rows = []
    for i, m in enumerate(members):
        row = {k: plain(v[i]) for k, v in labels.items()}
        row.update(scenario=m.scenario, scenario_hash=m.scenario_hash, run_id=m.run_id)
        rows.append(row)
    return {
        "run_id": group_run_id(members),
        "tool_version": sim.__version__,
        "commit": git_commit(),
        "provenance": rows,
    }


def _front(provs: Sequence[Provenance], which: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """The provenance columns as categoricals of strings: row ``i`` that of ``provs[which[i]]``.

    Vectorised (one look-up table per column), so a table of millions of rows is stamped at
    the cost of an index array.
    """
    cols: dict[str, Any] = {}
    for name in COLUMNS:
        values = [getattr(p, name) for p in provs]
        categories = list(dict.fromkeys(v for v in values if v is not None))
        small = np.int8 if len(values) < 127 else np.int32  # the codes pandas would keep
        lut = np.array([-1 if v is None else categories.index(v) for v in values], dtype=small)
        cols[name] = pd.Categorical.from_codes(
            lut[which], categories=pd.Index(categories, dtype=STRINGS)
        )
    return pd.DataFrame(cols, index=index)


def stamp(table: pd.DataFrame, prov: Provenance, seed: int | None = None) -> pd.DataFrame:
    """A copy of ``table`` with the provenance columns first (one-value categoricals).

    A ``scenario`` column already there is replaced by the provenance one, so every table
    names its scenario the same way. ``seed``, if given, is put after them as a ``seed``
    column (for the summary, whose rows are not replications).
    """
    rest = table.drop(columns=[c for c in COLUMNS if c in table.columns])
    if seed is not None and "seed" not in rest.columns:
        rest.insert(0, "seed", np.int64(seed))
    which = np.zeros(len(rest), dtype=np.int8)
    return pd.concat([_front([prov], which, rest.index), rest], axis=1)


def stamp_by(table: pd.DataFrame, column: str, provs: Mapping[Any, Provenance]) -> pd.DataFrame:
    """A copy of ``table`` with the provenance columns first, each row's from ``provs`` by its
    value in ``column`` (a sweep's ``point``, a comparison's ``scenario``).

    For a table whose rows come from several scenarios; the provenance ``scenario`` replaces a
    ``scenario`` column already there.
    """
    which, keys = pd.factorize(table[column], sort=False)
    rest = table.drop(columns=[c for c in COLUMNS if c in table.columns])
    return pd.concat([_front([provs[k] for k in keys], which, rest.index), rest], axis=1)
