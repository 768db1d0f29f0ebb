"""The plan as a runnable scenario file: the source scenario with the planned staff, seats and
lines (interval staff mode, one list per weekday), simulated over one warm-up day and the week.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.plan.demand import Demand
from sim.plan.isa import weekly_rows


def _rows(rows: list[list[int]]) -> str:
    return "[\n" + "".join(f"  {row},\n" for row in rows) + "]"


def plan_toml(
    source: str | Path,
    name: str,
    d: Demand,
    takers: np.ndarray,
    officers: np.ndarray,
    lines: int,
    replications: int,
    note: str,
) -> str:
    """TOML text extending ``source`` (by absolute path) with the plan's staffing."""
    days = d.start_s / 86_400 + takers.size * d.interval_s / 86_400
    return (
        f"# {note}\n"
        f'extends = "{Path(source).resolve().as_posix()}"\n\n'
        f'[scenario]\nname = "{name}"\n'
        f'description = "helpline plan: {note}"\n\n'
        f"[horizon]\ndays = {days:g}\nwarmup_days = {d.start_s / 86_400:g}\n"
        f"replications = {replications}\n\n"
        "[arrivals]\ndaily_cv = 0.0   # the plan is for the forecast volume of every day\n\n"
        f"[lines]\ncount = {int(lines)}\n\n"
        f'[staff]\nmode = "interval"\nseats = {int(takers.max())}\nbreaks = []\n\n'
        f"[staff.interval]\nminutes = {int(d.interval_s // 60)}\n"
        f"call_takers = {_rows(weekly_rows(takers, d))}\n"
        f"escalation = {_rows(weekly_rows(np.maximum(officers, 1), d))}\n"
    )
