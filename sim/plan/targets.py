"""The goals a plan is sized for, from the scenario's ``[targets]`` and the command line.

Key names follow ``[targets]`` (docs/scenarios.md): ``service_level_min`` (share answered within
``service_level_s``, in the convention ``service_level_of``: over ``"answered"`` attempts or over
all ``"offered"`` ones), ``abandon_rate_max``, ``asa_max_s``, ``block_rate_max``. A value given on
the command line wins over the file; when the file states none of the staffing targets, the plan
uses 80% within ``service_level_s`` (the industry's 80/20) and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.values import Scenario

#: Service level planned for when no staffing target is stated anywhere.
DEFAULT_SERVICE_LEVEL = 0.80
#: Block rate planned for when none is stated: the lines are sized so about 1 dial in 100 is busy.
DEFAULT_BLOCK_RATE = 0.01


@dataclass(frozen=True)
class PlanTargets:
    """What every interval must reach. ``None``: not a goal."""

    service_level_s: float
    service_level_min: float | None
    service_level_of: str
    abandon_rate_max: float | None
    asa_max_s: float | None
    block_rate_max: float
    defaulted: bool  # True when the service level was not stated and 80% was assumed


def _share(key: str, origin: str | None, v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not (0 <= v <= 1):
        raise ScenarioError(key, "a share from 0 to 1", v, origin=origin)
    return float(v)


def plan_targets(sc: Scenario, overrides: dict[str, Any] | None = None) -> PlanTargets:
    """The scenario's targets with ``overrides`` (key -> value, from options) applied.

    Raises ``ScenarioError`` naming the key (and the option it came from) for a share outside
    0..1, a negative ASA or an unknown convention.
    """
    given = dict(overrides or {})
    t = sc.targets

    def pick(name: str) -> tuple[Any, str | None]:
        if name in given:
            return given[name], f"--{name.replace('_', '-')}"
        return getattr(t, name, None), None

    sl_v, sl_o = pick("service_level_min")
    ab_v, ab_o = pick("abandon_rate_max")
    asa_v, asa_o = pick("asa_max_s")
    bl_v, bl_o = pick("block_rate_max")
    of_v, of_o = pick("service_level_of")
    sl = _share("targets.service_level_min", sl_o, sl_v)
    ab = _share("targets.abandon_rate_max", ab_o, ab_v)
    block = _share("targets.block_rate_max", bl_o, bl_v)
    if asa_v is not None and (
        isinstance(asa_v, bool)
        or not isinstance(asa_v, int | float)
        or not math.isfinite(asa_v)
        or asa_v < 0
    ):
        raise ScenarioError("targets.asa_max_s", "a number of seconds >= 0", asa_v, origin=asa_o)
    convention = "answered" if of_v is None else of_v
    if convention not in ("answered", "offered"):
        raise ScenarioError(
            "targets.service_level_of", 'one of "answered", "offered"', of_v, origin=of_o
        )
    defaulted = sl is None and ab is None and asa_v is None
    return PlanTargets(
        service_level_s=float(given.get("service_level_s", t.service_level_s)),
        service_level_min=DEFAULT_SERVICE_LEVEL if defaulted else sl,
        service_level_of=str(convention),
        abandon_rate_max=ab,
        asa_max_s=None if asa_v is None else float(asa_v),
        block_rate_max=DEFAULT_BLOCK_RATE if block is None else block,
        defaulted=defaulted,
    )
