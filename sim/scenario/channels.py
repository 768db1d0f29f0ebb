"""The channels beside the phone: deferred work (``[deferred]``) and the portal step (``[portal]``).

Both are off by default, so a scenario without these tables simulates as it did before:

* ``[deferred]``: portal and social-media complaints that wait for an idle call-taker
  (call-centre "blending"): their own arrivals, a handling time, a reply-time target, and
  ``keep_free`` idle call-takers held back for calls;
* ``[portal]``: after a registered call the victim must complete the complaint on the national
  portal within ``window_h`` (DOMAIN.md section 8: 241 calls, 74 completed registrations):
  a probability, a delay, and whether golden hour and money held count from the completion.

docs/scenarios.md documents every key; the values are frozen, all times in seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.errors import ScenarioError, described
from sim.scenario.distributions import Dist, as_float
from sim.scenario.reader import Reader

_DAY_S = 86_400.0
#: Most weights in ``deferred.profile``: one a minute, as ``arrivals.profile``.
_PROFILE_MAX = 1440
#: What the golden-hour share and money held count the reporting delay to.
REPORT_AT = ("registration", "completion")
_TEN_MIN = Dist("deterministic", (("value", 600.0),))
_NO_DELAY = Dist("deterministic", (("value", 0.0),))


@dataclass(frozen=True)
class Deferred:
    """Deferred work: items that wait in their own FIFO queue for an idle call-taker.

    ``items_per_day`` spread over the day by ``profile`` (weights of equal slots), a Poisson
    process the same every day; or the given instants ``arrival_s`` (trace). An item is
    started only by a logged-in call-taker with no call waiting and while at least
    ``keep_free`` other call-takers stay idle; once started it is finished (non-preemptive).
    """

    items_per_day: float = 0.0
    profile: tuple[float, ...] = (1.0,)
    arrival_s: tuple[float, ...] = ()
    handle: Dist = _TEN_MIN
    reply_target_s: float = 3600.0
    keep_free: int = 0

    @property
    def enabled(self) -> bool:
        """Whether any deferred item can arrive."""
        return self.items_per_day > 0 or bool(self.arrival_s)


@dataclass(frozen=True)
class Portal:
    """The victim's portal step after a registered complaint.

    With probability ``probability`` the victim completes the complaint after a ``delay``
    from registration; one that would come later than ``window_s`` after registration is
    not completed. ``report_at`` says whether the golden-hour share and money held count
    the reporting delay to the registration (as without this step) or to the completion.
    """

    enabled: bool = False
    probability: float = 1.0
    delay: Dist = _NO_DELAY
    window_s: float = _DAY_S
    report_at: str = "registration"


def _profile(r: Reader, default: tuple[float, ...]) -> tuple[float, ...]:
    v = r.raw("profile", list(default))
    allowed = "weights for equal slots that divide a day (24, 48, ... values) with a positive sum"
    ok = isinstance(v, list) and 0 < len(v) <= _PROFILE_MAX and 86_400 % len(v) == 0
    ok = ok and all(
        isinstance(x, int | float)
        and not isinstance(x, bool)
        and math.isfinite(as_float(x))  # an int beyond float range is not a weight
        and x >= 0
        for x in v
    )
    if not ok or sum(v) <= 0:
        raise ScenarioError(r.key("profile"), allowed, v)
    return tuple(float(x) for x in v)


def read_deferred(r: Reader, horizon_end_s: float, calls_profile: tuple[float, ...]) -> Deferred:
    """``[deferred]``; the profile defaults to the calls' one (``arrivals.profile``)."""
    if r.has("arrival_s") and (r.has("items_per_day") or r.has("profile")):
        raise ScenarioError(
            r.key("arrival_s"),
            "given without items_per_day and profile (a trace replaces them)",
            described("<arrival_s with items_per_day or profile>"),
        )
    arrival_s: tuple[float, ...] = ()
    per_day = 0.0
    profile: tuple[float, ...] = (1.0,)
    if r.has("arrival_s"):
        arrival_s = tuple(sorted(r.numbers("arrival_s", min_length=0)))
        if arrival_s and arrival_s[-1] >= horizon_end_s:
            raise ScenarioError(
                r.key("arrival_s"),
                f"instants before the horizon end ({horizon_end_s:g} s)",
                arrival_s[-1],
            )
    else:
        per_day = r.number("items_per_day", 0.0, lo=0)
        profile = _profile(r, calls_profile)
    out = Deferred(
        items_per_day=per_day,
        profile=profile,
        arrival_s=arrival_s,
        handle=r.dist("handle", {"dist": "lognormal", "mean_min": 8, "log_sd": 0.5}),
        reply_target_s=r.seconds("reply_target_min", 60.0, 60.0, lo=0, lo_open=True),
        keep_free=r.number("keep_free", 2, lo=0, integer=True),
    )
    r.finish()
    return out


def read_portal(r: Reader) -> Portal:
    """``[portal]``: the completion step after a registered complaint."""
    out = Portal(
        enabled=r.boolean("enabled", False),
        probability=r.number("probability", 0.31, lo=0, hi=1),
        delay=r.dist("delay", {"dist": "lognormal", "median_h": 2, "log_sd": 1.2}),
        window_s=r.seconds("window_h", 3600.0, 24.0, lo=0, lo_open=True),
        report_at=r.choice("report_at", REPORT_AT, "registration"),
    )
    r.finish()
    return out
