"""Variants of a scenario: dotted changes applied to its raw tables and validated again.

``variant(scenario, {"lines.count": 45}, source="--set lines.count=45")`` is the
one way to make a scenario from another. It rebuilds from the scenario's raw
tables (what the file said, merged), so a variant is validated exactly as a
file would be; an error names the scenario's file, the key, what is allowed,
what was given and ``source``: where the change came from (a command-line
option, a sweep point, a notebook cell).

A scenario altered with :func:`dataclasses.replace` no longer matches its raw
tables, and a variant rebuilt from them would silently undo the alteration;
:func:`variant` refuses such a scenario instead (see ``Scenario.raw_in_step``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.files import apply_changes
from sim.scenario.load import build
from sim.scenario.values import Scenario


def describe(changes: Mapping[str, Any]) -> str:
    """Changes as ``key=value, ...`` (values as Python writes them)."""
    return ", ".join(f"{k}={v!r}" for k, v in changes.items())


def variant(
    scenario: Scenario,
    changes: Mapping[str, Any],
    *,
    source: str | Mapping[str, str] | None = None,
) -> Scenario:
    """A new, validated scenario: ``scenario`` with the dotted ``changes`` applied.

    ``changes`` maps dotted keys as in the scenario file (``"lines.count"``,
    ``"call_types.fraud.share"``) to values as TOML would give them. ``source``
    says where they came from, for error messages: one phrase for all
    (``"point 3"``), or one per key (``{"horizon.days": "--days"}``); by
    default the changes themselves. The original is left untouched; no
    changes return it as it is. Raises :class:`~sim.errors.ScenarioError`.
    """
    if not changes:
        return scenario
    if not scenario.raw_in_step:
        raise ScenarioError(
            "scenario",
            "made by load_scenario or variant (dataclasses.replace leaves its raw tables "
            "behind, and a variant would undo the replacement)",
            "<a scenario altered outside variant()>",
            file=scenario.file,
        )
    try:
        return build(apply_changes(scenario.raw, dict(changes), file=scenario.file), scenario.file)
    except ScenarioError as exc:
        if isinstance(source, Mapping):
            origin = source.get(exc.key) or ", ".join(dict.fromkeys(source.values()))
        else:
            origin = source or describe(changes)
        raise exc.from_origin(origin) from None
