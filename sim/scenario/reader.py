"""A small validating reader for one TOML table.

Each getter names the dotted key, checks type and range, and records the key
as known; :meth:`Reader.finish` rejects any key the scenario does not define,
so a typo never falls back silently to a default.
"""

from __future__ import annotations

import math
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.distributions import Dist, parse_dist

_MISSING = object()


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
        return f"{self.prefix}.{name}" if self.prefix else name

    def has(self, name: str) -> bool:
        return name in self.table

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        self.used.add(name)
        if name in self.table:
            return self.table[name]
        if default is _MISSING:
            raise ScenarioError(self.key(name), "given (it has no default)", "<missing>")
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
        if not _is_number(v) or (integer and not float(v).is_integer()) or math.isnan(v):
            raise ScenarioError(self.key(name), kind + (' or "unlimited"' if allow_inf else ""), v)
        if math.isinf(v) and not allow_inf:
            raise ScenarioError(self.key(name), "finite", v)
        bound = []
        if lo is not None:
            bound.append(f"> {lo:g}" if lo_open else f">= {lo:g}")
        if hi is not None:
            bound.append(f"<= {hi:g}")
        if (lo is not None and (v <= lo if lo_open else v < lo)) or (hi is not None and v > hi):
            extra = ' (or "unlimited")' if allow_inf else ""
            raise ScenarioError(self.key(name), f"{kind} " + " and ".join(bound) + extra, v)
        return int(v) if integer else float(v)

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        v = self.raw(name, default)
        if not isinstance(v, bool):
            raise ScenarioError(self.key(name), "true or false", v)
        return v

    def string(self, name: str, default: Any = _MISSING) -> str:
        v = self.raw(name, default)
        if not isinstance(v, str):
            raise ScenarioError(self.key(name), "a string", v)
        return v

    def choice(self, name: str, allowed: tuple[str, ...], default: Any = _MISSING) -> str:
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
        v = self.raw(name, default)
        what = f"a list of {length} " if length else "a list of "
        what += ("whole numbers" if integer else "numbers") + f" >= {lo:g}"
        if not isinstance(v, list | tuple) or len(v) < min_length or (length and len(v) != length):
            raise ScenarioError(self.key(name), what, v)
        for x in v:
            if (
                not _is_number(x)
                or not math.isfinite(x)
                or x < lo
                or (integer and not float(x).is_integer())
            ):
                raise ScenarioError(self.key(name), what, v)
        return tuple(int(x) if integer else float(x) for x in v)

    def strings(self, name: str, default: Any = _MISSING) -> tuple[str, ...]:
        v = self.raw(name, default)
        if not isinstance(v, list | tuple) or not all(isinstance(x, str) for x in v):
            raise ScenarioError(self.key(name), "a list of strings", v)
        return tuple(v)

    def dist(self, name: str, default: Any = _MISSING, *, time: bool = True) -> Dist:
        v = self.raw(name, default)
        return v if isinstance(v, Dist) else parse_dist(v, self.key(name), time=time)

    def sub(self, name: str, default: Any = _MISSING) -> Reader:
        v = self.raw(name, default)
        return Reader(v, self.key(name))

    def finish(self) -> None:
        """Reject keys this table does not define."""
        for name in self.table:
            if name not in self.used:
                allowed = ", ".join(sorted(self.used)) or "no keys"
                raise ScenarioError(
                    self.key(name), f"a known key (allowed here: {allowed})", "<unknown key>"
                )
