"""The "Against targets" lines: targets in words, the worst interval, the profile, binding."""

from __future__ import annotations

import math

import pandas as pd
from conftest import make_scenario

from sim.report import targets_text as tt

PROFILE = pd.DataFrame(
    {
        "interval_of_day_h": [10.0, 10.5, 11.0],
        "intervals": [4, 4, 2],
        "met_share": [0.5, 0.25, 1.0],
        "service_level": [0.7, 0.6, 0.9],
        "service_level_offered": [0.5, 0.4, 0.9],
        "abandon_rate": [0.1, 0.2, 0.0],
        "block_rate": [0.0, 0.05, 0.0],
        "asa_s": [30.0, 45.0, 5.0],
        "golden_hour_share": [math.nan] * 3,
    }
)


def test_targets_in_words_and_the_worst_interval() -> None:
    sc = make_scenario(
        targets={"service_level_min": 0.8, "service_level_of": "offered", "asa_max_s": 30}
    )
    assert tt.targets_phrase(sc.targets) == (
        "service level >= 80% within 20 s (of offered), ASA <= 30 s"
    )
    line = tt.worst_line(PROFILE.iloc[1], sc.targets)
    assert line.startswith("Worst interval of the day: 10:30-11:00, meets the targets on 25%")
    assert "ASA 45 s" in line
    full = PROFILE.iloc[2].copy()
    assert "every interval meets" in tt.worst_line(full, sc.targets)


def test_profile_by_hour_weights_its_intervals() -> None:
    lines = tt.profile_lines(PROFILE)
    assert "10h  38%" in lines[1]  # (4 x 0.5 + 4 x 0.25) / 8
    assert "11h 100%" in lines[1] and "00h  n/a" in lines[1]


def test_binding_line_names_what_binds_or_none() -> None:
    sc = make_scenario()
    shares = {"peak_lines_bind_share": 0.7, "peak_seats_bind_share": 0.2}
    assert "): lines (share" in tt.binding_line(shares, sc)
    assert "): none (share" in tt.binding_line({"peak_lines_bind_share": 0.1}, sc)
