"""``helpline theory`` feeds the formulas the arrival process's own rate: surges and weekdays in.

Before, the formulas' input was ``callers_per_day`` x the profile alone, so on scam_wave's
surge afternoon they saw about 107 callers an hour while the simulation drew three times as
many, and the notes blamed the gap on redials.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.core.arrivals import expected_callers
from sim.executors import Execution
from sim.metrics import estimate
from sim.scenario import load_scenario, variant
from sim.scenario.values import DAY_S
from sim.verify import theory as th

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
H = 3600.0


@pytest.fixture(scope="module")
def scam_wave():
    return load_scenario(SCENARIOS / "scam_wave.toml")


def test_surge_hour_input_is_the_arrival_process_rate(scam_wave) -> None:
    surge = scam_wave.arrivals.surges[0]
    day = surge.start_s // DAY_S  # the window is the surge day
    at_15 = np.array([day * DAY_S + 15 * H, day * DAY_S + 16 * H])
    own = expected_callers(scam_wave.arrivals, scam_wave.horizon, at_15)[0]
    fed = th.hourly_callers_per_s(scam_wave)[15] * H
    assert fed == own
    calm = variant(scam_wave, {"arrivals.surges": []})
    assert fed == pytest.approx(3 * th.hourly_callers_per_s(calm)[15] * H)


def test_weekday_factors_reach_the_formulas(scam_wave) -> None:
    # a one-day window on a Wednesday: that weekday's factor, normalised to mean 1
    dow = [1.2, 1.0, 0.5, 1.0, 1.0, 0.8, 0.5]
    sc = variant(scam_wave, {"arrivals.surges": [], "arrivals.day_of_week": dow})
    flat = variant(scam_wave, {"arrivals.surges": [], "arrivals.day_of_week": [1.0] * 7})
    factor = 0.5 / (sum(dow) / 7)
    assert th.hourly_callers_per_s(sc) == pytest.approx(factor * th.hourly_callers_per_s(flat))


@pytest.mark.slow
def test_simulated_first_dials_at_15h_fall_in_their_ci(scam_wave) -> None:
    facts = th.simulate_hours(scam_wave, Execution.serial())
    t = th.theory(scam_wave, facts=facts).table
    fed = float(t.loc[t["hour"] == 15, "formula_calls_per_h"].iloc[0])
    at_15 = facts[facts["hour"] == 15]
    e = estimate((at_15["callers"] / at_15["days"]).to_numpy())
    assert e.n == scam_wave.horizon.replications
    assert e.lo <= fed <= e.hi, (fed, e)
    assert fed > 300  # the surge is in: about 3 x 107 callers an hour
