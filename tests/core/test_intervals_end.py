"""The interval table ends at the horizon, also when the horizon is not a multiple of 15 minutes."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import call_type, make_scenario, trace

from sim.core.model import simulate


@pytest.mark.parametrize("end_s", [1_000.0, 1_400.0, 1_799.0, 1_800.0, 86_400.0 + 450.0])
def test_last_interval_ends_at_the_horizon(end_s: float) -> None:
    # One line, a caller blocked at 899 s who redials 60 s after the horizon end: the
    # redial must not be counted in any interval.
    sc = make_scenario(
        {"horizon.days": end_s / 86_400.0, "lines.count": 1, "horizon.end": "drain"},
        arrivals=trace([0.0, end_s - 60.0]),
        call_types={
            "call": call_type(
                talk_s=end_s,
                redial={"after_busy": 1.0, "max_attempts": 2, "delay_after_busy": 120},
            )
        },
    )
    iv = simulate(sc, 0).intervals
    starts = iv["interval_start_s"].to_numpy()
    assert starts[-1] < end_s and (end_s - starts[-1]) <= 900.0
    assert np.all(np.diff(starts) == 900.0)
    assert iv["attempts"].sum() == 2  # the two first dials; the redial comes after the end
