"""The ``[limits]`` table: how big a scenario may be before any work starts.

A scenario file may come from anyone. These ceilings turn a size that would
take hours or more memory than the machine has (1e11 constables, a billion
replications, a century of calls at a million an hour) into one clear error
before anything is built, naming the key, the limit and how to raise it: set
the limit higher in the scenario's own ``[limits]`` table. Defaults are far
above every shipped scenario (171 people, at most 28 days, about 7,000
callers a day). docs/scenarios.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.errors import ScenarioError

DEFAULTS: dict[str, int] = {
    "people": 20_000,
    "days": 3_660,
    "person_days": 10_000_000,
    "callers": 10_000_000,
    "replications": 10_000,
    "attempts_per_caller": 1_000_000,
}


@dataclass(frozen=True)
class Limits:
    """Ceilings on a scenario's size (see :data:`DEFAULTS` and docs/scenarios.md).

    ``people``: persons in the roster (or per-shift headcounts summed);
    ``days``: ``horizon.days``; ``person_days``: people x days, the duty
    periods a roster builds; ``callers``: expected first dials per replication;
    ``replications``: ``horizon.replications``; ``attempts_per_caller``:
    ``redial.max_attempts``.
    """

    people: int = DEFAULTS["people"]
    days: int = DEFAULTS["days"]
    person_days: int = DEFAULTS["person_days"]
    callers: int = DEFAULTS["callers"]
    replications: int = DEFAULTS["replications"]
    attempts_per_caller: int = DEFAULTS["attempts_per_caller"]

    def check(self, name: str, key: str, value: float, what: str = "") -> None:
        """Raise a :class:`ScenarioError` naming ``key`` when ``value`` exceeds limit ``name``."""
        limit = getattr(self, name)
        if value > limit:
            raise ScenarioError(
                key,
                f"{what or 'a number'} at most limits.{name} = {limit:,}"
                " (raise it in the scenario's [limits] table)",
                value,
            )


def read_limits(r: Any) -> Limits:
    """The ``[limits]`` table read by ``r`` (a :class:`~sim.scenario.reader.Reader`)."""
    values = {
        name: r.number(name, default, lo=1, integer=True) for name, default in DEFAULTS.items()
    }
    r.finish()
    return Limits(**values)
