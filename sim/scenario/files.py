"""Scenario files as raw tables: reading TOML, following ``extends``, merging, overrides.

Nothing here validates values; :mod:`sim.scenario.load` does that after merging,
so an error always names the file the user ran.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; arrays and scalars in ``over`` replace.

    A distribution table in ``over`` (one with a ``dist`` key) replaces the
    base's whole: its parameters must not mix with those of the distribution
    it replaces (a gamma inheriting a lognormal's ``log_sd``).
    """
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and "dist" not in v and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def read_raw(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a TOML file and everything it ``extends``, merged, without validation."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError("file", "an existing scenario file", str(path), file=str(path))
    resolved = p.resolve()
    if resolved in _chain:  # named by the file whose extends closes the loop
        loop = " -> ".join(x.name for x in (*_chain, resolved))
        raise ScenarioError("extends", "a chain without cycles", f"<{loop}>", file=str(_chain[-1]))
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError("file", "valid TOML", f"<{exc}>", file=str(path)) from None
    except UnicodeDecodeError:
        raise ScenarioError("file", "UTF-8 text", "<undecodable bytes>", file=str(path)) from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError("extends", "a path to another scenario file", parent, file=str(path))
    target = p.parent / parent
    if not target.is_file():  # a parent that exists but is not valid TOML names itself
        raise ScenarioError(
            "extends",
            "a path (relative to this file's folder) to an existing scenario file",
            parent,
            file=str(path),
        )
    merged = deep_merge(read_raw(target, (*_chain, resolved)), data)
    own = data.get("scenario")
    if not (isinstance(own, dict) and "name" in own) and isinstance(merged.get("scenario"), dict):
        merged["scenario"].pop("name", None)  # a name names one file: never inherited
    return merged


def apply_changes(
    raw: dict[str, Any], changes: dict[str, Any], file: str | None = None
) -> dict[str, Any]:
    """Return ``raw`` with dotted-key values set (tables created as needed).

    A number steps into an array of tables: ``arrivals.surges.0.multiplier`` sets the first
    surge's multiplier (the element must exist).
    """
    out = copy.deepcopy(raw)
    for dotted, value in changes.items():
        parts = dotted.split(".")
        node: Any = out
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, list):
                nxt = _element(node, part, ".".join(parts[:i]), file)
            else:
                nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict | list):
                raise ScenarioError(
                    ".".join(parts[: i + 1]), "a table to set a key in", nxt, file=file
                )
            node = nxt
        if isinstance(node, list):
            node[_index(node, parts[-1], ".".join(parts[:-1]), file)] = value
        else:
            node[parts[-1]] = value
    return out


def _index(array: list[Any], part: str, where: str, file: str | None) -> int:
    """``part`` as an index of ``array`` (the array at dotted key ``where``)."""
    if not part.isdigit() or int(part) >= len(array):
        allowed = (
            f"an index 0 to {len(array) - 1} of the array {where}"
            if array
            else f"an index of an element of {where}, which is empty"
        )
        raise ScenarioError(f"{where}.{part}", allowed, part, file=file)
    return int(part)


def _element(array: list[Any], part: str, where: str, file: str | None) -> Any:
    return array[_index(array, part, where, file)]
