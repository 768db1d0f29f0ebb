"""Sweep points: TOML literals and keys, the grid, and building and validating scenarios.

A *point* is one set of dotted-key overrides of a base scenario
(``{"lines.count": 45, "arrivals.callers_per_day": 3000}``). Values are TOML
literals, as they would be written in the scenario file, so numbers,
``"unlimited"``, strings, booleans, dates and lists all work; a bare word
(``unlimited``, ``priority``) is taken as a string to spare shell quoting.
The command line's own option parsing (``--vary``, ``--set``, ``--points``)
lives in :mod:`sim.cli.options`. Every point is turned into a scenario with
:func:`sim.scenario.variant`, so a bad key or value is reported exactly as in a
scenario file, before anything runs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.errors import ExperimentError
from sim.scenario import Scenario, variant

_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_KEY = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*")

#: Keys a sweep may not vary: the replication count is a sweep argument, not a point.
FORBIDDEN_KEYS = {"horizon.replications": "use --replications (replications=) instead"}


def parse_literal(text: str, where: str) -> Any:
    """One TOML literal (``30``, ``2.5``, ``"fifo"``, ``[1, 2]``, ``inf``) or a bare word."""
    item = text.strip()
    if not item:
        raise ExperimentError(f'{where}: empty value; give a TOML literal such as 30 or "fifo"')
    try:
        return tomllib.loads(f"v = {item}")["v"]
    except tomllib.TOMLDecodeError:
        if _BARE_WORD.fullmatch(item):
            return item
        raise ExperimentError(
            f"{where}: {item!r} is not a TOML literal "
            '(a number, true/false, "a string", a bare word, [a, list] or a date)'
        ) from None


def split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside brackets, braces or quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def check_key(key: str, where: str) -> str:
    """A dotted scenario key, syntactically; the scenario itself checks that it exists."""
    key = key.strip()
    if not _KEY.fullmatch(key):
        raise ExperimentError(f"{where}: {key!r} is not a dotted scenario key like lines.count")
    if key in FORBIDDEN_KEYS:
        raise ExperimentError(f"{where}: {key} cannot be varied; {FORBIDDEN_KEYS[key]}")
    return key


def grid(vary: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The full factorial grid; the first key varies slowest."""
    keys = list(vary)
    for k in keys:
        if not len(vary[k]):
            raise ExperimentError(f"vary: {k} has no values")
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*vary.values())]


def toml_literal(value: Any) -> str:
    """A value written back as a TOML literal (for manifests, labels and string columns)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {toml_literal(v)}" for k, v in value.items()) + "}"
    raise ExperimentError(f"cannot write {value!r} as a TOML literal")


def label(value: Any) -> str:
    """A short human label: strings without quotes, everything else as TOML."""
    return value if isinstance(value, str) else toml_literal(value)


def variant_name(name: str, changes: Mapping[str, Any]) -> str:
    """The name of ``name`` changed by dotted-key ``changes``, saying so:
    ``baseline_2023+arrivals.callers_per_day=7000``.
    """
    return name + "".join(f"+{k}={label(v)}" for k, v in changes.items())


@dataclass(frozen=True)
class Point:
    """One sweep point: its index, its overrides and the validated scenario."""

    index: int
    changes: dict[str, Any]
    scenario: Scenario


def build_points(base: Scenario, points: Sequence[Mapping[str, Any]]) -> list[Point]:
    """Validate every point against ``base`` before anything runs.

    Raises :class:`~sim.errors.ScenarioError` (file, key, allowed, got) for the
    first bad point, as a bad value in the file would, saying which point it
    came from (``... got 0 (from sweep point 2: lines.count=0)``).
    """
    if not points:
        raise ExperimentError("no sweep points: give vary (key -> values) or points", "vary")
    keys = list(points[0])
    out = []
    for i, changes in enumerate(points):
        if list(changes) != keys:
            raise ExperimentError(f"point {i}: keys {list(changes)} differ from {keys}")
        for k in keys:
            check_key(k, f"point {i}")
        shown = ", ".join(f"{k}={toml_literal(v)}" for k, v in changes.items())
        sc = variant(base, changes, source=f"sweep point {i}: {shown}")
        out.append(Point(i, dict(changes), sc))
    return out


def key_column(values: Sequence[Any]) -> pd.Series:
    """A table column for one varied key.

    All whole numbers -> int64; all numbers -> float64; all booleans -> bool;
    anything mixed or structured (``30`` and ``"unlimited"``, lists, dates) ->
    strings written as TOML literals (bare strings without quotes), so a
    Parquet column always has one type.
    """
    vals = list(values)
    if all(isinstance(v, bool) for v in vals):
        return pd.Series(vals, dtype=bool)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return pd.Series(vals, dtype="int64")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return pd.Series([float(v) for v in vals], dtype="float64")
    return pd.Series([label(v) for v in vals], dtype="string")
