"""Scenario rules that span keys: inherited names, team dealing, rest between rotating shifts."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.core.roster import build_roster
from sim.core.streams import replication_seed, stream
from sim.errors import ScenarioError
from sim.scenario import load_scenario, variant
from sim.scenario.values import Rank, deal_teams, team_sizes

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline_2023.toml"


def test_a_variant_without_a_name_is_named_after_its_file(tmp_path: Path) -> None:
    f = tmp_path / "my_variant.toml"
    f.write_text(f'extends = "{BASELINE.as_posix()}"\n[lines]\ncount = 40\n')
    sc = load_scenario(f)
    assert sc.name == "my_variant"
    assert sc.lines == 40


def test_a_variant_keeps_its_own_name(tmp_path: Path) -> None:
    f = tmp_path / "v.toml"
    f.write_text(f'extends = "{BASELINE.as_posix()}"\n[scenario]\nname = "forty"\n')
    assert load_scenario(f).name == "forty"


def test_small_ranks_spread_over_all_teams() -> None:
    ranks = [Rank("inspector", 6, 1), Rank("sub_inspector", 15, 8), Rank("constable", 150, 62)]
    assert team_sizes(ranks, 3, ("inspector",)) == [2, 2, 2]
    assert team_sizes(ranks, 3, ("sub_inspector",)) == [5, 5, 5]
    assert team_sizes(ranks, 3, ("constable",)) == [50, 50, 50]
    # 2 inspectors and 2 sub-inspectors on 3 teams: dealing continues across ranks.
    teams = deal_teams([2, 2], 3)
    assert teams == [[0, 1], [2, 0]]


def test_roster_teams_follow_the_dealing() -> None:
    sc = load_scenario(BASELINE)
    roster = build_roster(sc.staff, sc.horizon, stream(replication_seed(1, 0), "roster"))
    by_team = roster.people.groupby(["team", "rank"]).size().unstack()
    assert (by_team["inspector"] == 2).all()
    assert (by_team["sub_inspector"] == 5).all()


def test_rotation_without_rest_is_rejected() -> None:
    sc = load_scenario(BASELINE)
    day_first = [
        {"name": "day", "start": "08:00", "hours": 12},
        {"name": "night", "start": "20:00", "hours": 12},
    ]
    with pytest.raises(ScenarioError, match=r"staff\.shifts: .*'night' runs straight into 'day'"):
        variant(sc, {"staff.shifts": day_first, "staff.teams": 4})
    night_first = list(reversed(day_first))
    ok = variant(sc, {"staff.shifts": night_first, "staff.teams": 4})
    roster = build_roster(ok.staff, ok.horizon, stream(replication_seed(1, 0), "roster"))
    longest_h = float((roster.duty_end_s - roster.duty_start_s).max()) / 3600
    assert longest_h == 12
    no_rotation = variant(
        sc, {"staff.shifts": day_first, "staff.teams": 4, "staff.rotation_days": 0}
    )
    assert no_rotation.staff.rotation_days == 0


def test_headcount_seats_may_serve_overlapping_shifts() -> None:
    """A 24-hour shift of 10 plus a day shift of 5: 15 seats let all 15 work by day."""
    from sim.core.model import simulate

    sc = variant(
        load_scenario(BASELINE),
        {
            "horizon.days": 2,
            "horizon.warmup_days": 1,
            "horizon.replications": 1,
            "staff.mode": "headcount",
            "staff.seats": 15,
            "staff.breaks": [],
            "staff.shifts": [
                {"name": "all", "start": "00:00", "hours": 24},
                {"name": "day", "start": "08:00", "hours": 12},
            ],
            "staff.headcount.call_takers": [10, 5],
            "staff.headcount.escalation": [2, 1],
        },
    )
    iv = simulate(sc, 0).intervals
    hour = (iv["interval_start_s"] % 86_400) // 3600
    on_duty = iv[iv["in_window"]].groupby(hour[iv["in_window"]])["call_takers_on_duty_mean"].mean()
    assert on_duty.loc[12] == pytest.approx(15)
    assert on_duty.loc[2] == pytest.approx(10)
