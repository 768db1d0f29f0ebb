"""The sweep and compare options: ``--vary KEY=V1,V2``, ``--set KEY=V`` and ``--points FILE``.

Each option's text becomes the plain values :mod:`sim.experiment` takes (a
``{key: values}`` grid, fixed overrides, a list of points); errors name the
option as the user typed it. Literals and keys are read by
:mod:`sim.experiment.grid`, so a value means the same as in a scenario file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.errors import ExperimentError
from sim.experiment.grid import check_key, parse_literal, split_top_level


def parse_assignment(text: str, option: str) -> tuple[str, list[Any]]:
    """``KEY=V1,V2,...`` -> (key, [values]); used by ``--vary`` and ``--set``."""
    if "=" not in text:
        raise ExperimentError(f"{option} {text!r}: expected KEY=VALUE[,VALUE...]")
    key, _, rhs = text.partition("=")
    key = check_key(key, f"{option} {text!r}")
    values = [parse_literal(v, f"{option} {key}") for v in split_top_level(rhs)]
    return key, values


def parse_vary(options: Iterable[str]) -> dict[str, list[Any]]:
    """All ``--vary`` options as an ordered {key: values} (a key may appear once)."""
    out: dict[str, list[Any]] = {}
    for text in options:
        key, values = parse_assignment(text, "--vary")
        if key in out:
            raise ExperimentError(f"--vary {key}: given twice; list all values in one --vary")
        out[key] = values
    return out


def parse_set(options: Iterable[str]) -> dict[str, Any]:
    """All ``--set KEY=VALUE`` options as fixed overrides of the base scenario."""
    out: dict[str, Any] = {}
    for text in options:
        key, values = parse_assignment(text, "--set")
        if len(values) != 1:
            raise ExperimentError(f"--set {key}: one value expected; use --vary for several")
        out[key] = values[0]
    return out


def read_points_csv(path: str | Path) -> list[dict[str, Any]]:
    """Points from a CSV file: a header of dotted keys, one point per row, TOML literal cells."""
    p = Path(path)
    with p.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise ExperimentError(f"--points {p}: need a header of scenario keys and at least one row")
    keys = [check_key(k, f"--points {p} header") for k in rows[0]]
    if len(set(keys)) != len(keys):
        raise ExperimentError(f"--points {p}: a key appears twice in the header: {rows[0]}")
    points = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(keys):
            raise ExperimentError(f"--points {p} line {n}: {len(row)} cells for {len(keys)} keys")
        cells = zip(keys, row, strict=True)
        points.append({k: parse_literal(c, f"--points {p} line {n} {k}") for k, c in cells})
    return points
