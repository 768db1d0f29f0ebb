"""Scenario files as raw tables: reading TOML, following ``extends``, merging, overrides.

Nothing here validates values; :mod:`sim.scenario.load` does that after merging,
so an error always names the file the user ran.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError, described, dotted


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


#: Longest ``extends`` chain: the file run and up to this many parents in all.
MAX_EXTENDS = 32
#: Deepest nesting of tables and arrays in one scenario (the shipped files use 4).
MAX_DEPTH = 24


def check_depth(data: Any, file: str | None = None, limit: int = MAX_DEPTH) -> None:
    """Reject tables and arrays nested more than ``limit`` deep, naming the first too-deep key.

    Checked without recursion, so 1,000 levels give this error, not a
    ``RecursionError`` in whatever walks the data next (merging, copying,
    validation).
    """
    todo: list[tuple[Any, str, int]] = [(data, "", 0)]
    while todo:
        node, key, depth = todo.pop()
        if depth > limit:
            raise ScenarioError(
                key or "file",
                f"tables and arrays nested at most {limit} levels deep",
                described(f"<deeper than {limit} levels>"),
                file=file,
            )
        if isinstance(node, dict):
            todo.extend((v, dotted(key, str(k)), depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            todo.extend((v, f"{key}[{i}]", depth + 1) for i, v in enumerate(node))


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False also for a path the system cannot even look up (too long)."""
    try:
        return path.is_file()
    except OSError:  # ENAMETOOLONG, ELOOP, EACCES on a parent folder...
        return False


def _read_one(p: Path) -> dict[str, Any]:
    """One TOML file as a table, every failure as the project's error naming the file."""
    where = str(p)
    try:
        text = p.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError("file", "valid TOML", described(f"<{exc}>"), file=where) from None
    except UnicodeDecodeError:
        raise ScenarioError(
            "file", "UTF-8 text", described("<undecodable bytes>"), file=where
        ) from None
    except RecursionError:
        raise ScenarioError(
            "file",
            f"TOML nested at most {MAX_DEPTH} levels deep",
            described("<nested too deep to read>"),
            file=where,
        ) from None
    except OSError as exc:
        raise ScenarioError(
            "file", "a readable scenario file", described(f"<{exc.strerror or exc}>"), file=where
        ) from None
    check_depth(data, where)
    return data


def read_raw(path: str | Path) -> dict[str, Any]:
    """Read a TOML file and everything it ``extends``, merged, without validation.

    ``extends`` names another ``.toml`` file, relative to the folder of the file
    that names it; chains are followed without recursion, at most
    :data:`MAX_EXTENDS` parents deep, and a cycle is refused.
    """
    p = Path(path)
    if not _is_file(p):
        raise ScenarioError("file", "an existing scenario file", str(path), file=str(path))
    chain: list[tuple[Path, dict[str, Any]]] = []  # (file, its own table), child first
    seen: list[Path] = []
    while True:
        resolved = p.resolve()
        if resolved in seen:  # named by the file whose extends closes the loop
            loop = " -> ".join(x.name for x in (*seen, resolved))
            raise ScenarioError(
                "extends", "a chain without cycles", described(f"<{loop}>"), file=str(chain[-1][0])
            )
        seen.append(resolved)
        data = _read_one(p)
        parent = data.pop("extends", None)
        chain.append((p, data))
        if parent is None:
            break
        where = str(p)
        if not isinstance(parent, str):
            raise ScenarioError("extends", "a path to another scenario file", parent, file=where)
        if len(chain) > MAX_EXTENDS:
            raise ScenarioError(
                "extends",
                f"a chain of at most {MAX_EXTENDS} files that extend one another",
                parent,
                file=where,
            )
        if not parent.endswith(".toml"):
            raise ScenarioError(
                "extends", "a path to another scenario file ending in .toml", parent, file=where
            )
        target = p.parent / parent
        if not _is_file(target):  # a parent that exists but is not valid TOML names itself
            raise ScenarioError(
                "extends",
                "a path (relative to this file's folder) to an existing scenario file",
                parent,
                file=where,
            )
        p = target
    merged = chain[-1][1]
    for _, data in reversed(chain[:-1]):
        merged = deep_merge(merged, data)
        own = data.get("scenario")
        if not (isinstance(own, dict) and "name" in own) and isinstance(
            merged.get("scenario"), dict
        ):
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
    for path, value in changes.items():
        parts = path.split(".")
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
