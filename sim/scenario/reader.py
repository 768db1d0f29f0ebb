"""A small validating reader for one TOML table.

Each getter names the dotted key, checks type and range, and records the key
as known; :meth:`Reader.finish` rejects any key the scenario does not define,
so a typo never falls back silently to a default.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sim.errors import ScenarioError, described, dotted
from sim.scenario.distributions import Dist, as_float, parse_dist

_MISSING = object()
_DOTTED_PATH = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


class Reader:
    """Validated access to the keys of one table found at dotted ``prefix``."""

    def __init__(self, table: Any, prefix: str) -> None:
        if not isinstance(table, dict):
            raise ScenarioError(prefix, "a table", table)
        self.table = table
        self.prefix = prefix
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        """The dotted key of ``name`` here; ``name`` may be a dotted path of plain keys."""
        key = self.prefix
        for part in name.split(".") if _DOTTED_PATH.fullmatch(name) else [name]:
            key = dotted(key, part)
        return key

    def has(self, name: str) -> bool:
        """Whether the table sets ``name``."""
        return name in self.table

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        """The value of ``name`` as written (or ``default``), marking the key as read."""
        self.used.add(name)
        if name in self.table:
            return self.table[name]
        if default is _MISSING:
            raise ScenarioError(self.key(name), "given (it has no default)", described("<missing>"))
        return default

    def number(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        lo: float | None = None,
        hi: float | None = None,
        lo_open: bool = False,
        integer: bool = False,
        allow_inf: bool = False,
    ) -> Any:
        """A number in [lo, hi] (``lo_open`` makes it (lo, hi]); ints if ``integer``."""
        v = self.raw(name, default)
        if v is None and default is None:
            return None
        if isinstance(v, str) and allow_inf and v.lower() in ("inf", "infinite", "unlimited"):
            return math.inf
        kind = "a whole number" if integer else "a number"
        if not _is_number(v) or math.isnan(f := as_float(v)):
            raise ScenarioError(self.key(name), kind + (' or "unlimited"' if allow_inf else ""), v)
        if math.isinf(f) and not (allow_inf and isinstance(v, float)):  # 1 and 400 zeros too
            raise ScenarioError(self.key(name), f"{kind} within float range (finite)", v)
        if integer and not f.is_integer():
            raise ScenarioError(self.key(name), kind + (' or "unlimited"' if allow_inf else ""), v)
        bound = []
        if lo is not None:
            bound.append(f"> {lo:g}" if lo_open else f">= {lo:g}")
        if hi is not None:
            bound.append(f"<= {hi:g}")
        if (lo is not None and (v <= lo if lo_open else v < lo)) or (hi is not None and v > hi):
            extra = ' (or "unlimited")' if allow_inf else ""
            raise ScenarioError(self.key(name), f"{kind} " + " and ".join(bound) + extra, v)
        return int(v) if integer else f

    def seconds(self, name: str, unit_s: float, default: Any = _MISSING, **bounds: Any) -> float:
        """A number (see :meth:`number`) in a unit of ``unit_s`` seconds, returned in seconds.

        The value must stay finite once converted (``days = 1e308`` is finite
        in days, not in seconds).
        """
        v = self.number(name, default, **bounds)
        s = v * unit_s
        if not math.isfinite(s):
            raise ScenarioError(
                self.key(name), f"a number that is finite in seconds (x {unit_s:g})", v
            )
        return s

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        """The value of ``name`` as true or false."""
        v = self.raw(name, default)
        if not isinstance(v, bool):
            raise ScenarioError(self.key(name), "true or false", v)
        return v

    def string(self, name: str, default: Any = _MISSING) -> str:
        """The value of ``name`` as a string."""
        v = self.raw(name, default)
        if not isinstance(v, str):
            raise ScenarioError(self.key(name), "a string", v)
        return v

    def choice(self, name: str, allowed: tuple[str, ...], default: Any = _MISSING) -> str:
        """The value of ``name``, one of ``allowed``."""
        v = self.raw(name, default)
        if v not in allowed:
            raise ScenarioError(self.key(name), "one of " + ", ".join(f'"{a}"' for a in allowed), v)
        return str(v)

    def numbers(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        length: int | None = None,
        lo: float = 0.0,
        integer: bool = False,
        min_length: int = 1,
    ) -> tuple[Any, ...]:
        """The value of ``name`` as a list of numbers, each within the bounds given."""
        v = self.raw(name, default)
        what = f"a list of {length} " if length else "a list of "
        what += ("whole numbers" if integer else "numbers") + f" >= {lo:g}"
        if not isinstance(v, list | tuple) or len(v) < min_length or (length and len(v) != length):
            raise ScenarioError(self.key(name), what, v)
        for x in v:
            if (
                not _is_number(x)
                or not math.isfinite(as_float(x))
                or x < lo
                or (integer and not float(x).is_integer())
            ):
                raise ScenarioError(self.key(name), what, v)
        return tuple(int(x) if integer else float(x) for x in v)

    def strings(self, name: str, default: Any = _MISSING) -> tuple[str, ...]:
        """The value of ``name`` as a list of strings."""
        v = self.raw(name, default)
        if not isinstance(v, list | tuple) or not all(isinstance(x, str) for x in v):
            raise ScenarioError(self.key(name), "a list of strings", v)
        return tuple(v)

    def dist(self, name: str, default: Any = _MISSING, *, time: bool = True) -> Dist:
        """The value of ``name`` as a distribution (seconds when ``time``)."""
        v = self.raw(name, default)
        return v if isinstance(v, Dist) else parse_dist(v, self.key(name), time=time)

    def sub(self, name: str, default: Any = _MISSING) -> Reader:
        """A reader for the sub-table ``name``, whose errors name its dotted path."""
        v = self.raw(name, default)
        return Reader(v, dotted(self.prefix, name))

    def finish(self) -> None:
        """Reject keys this table does not define."""
        for name in self.table:
            if name not in self.used:
                allowed = ", ".join(sorted(self.used)) or "no keys"
                raise ScenarioError(
                    dotted(self.prefix, name),
                    f"a known key (allowed here: {allowed})",
                    described("<unknown key>"),
                )
