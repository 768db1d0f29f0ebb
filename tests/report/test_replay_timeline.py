"""The replay's timeline against the records it is read from (no browser)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.core.model import simulate
from sim.core.records import ANSWERED, BLOCKED, NO_ANSWER, Records
from sim.report.replay import (
    Window,
    assign_lines,
    roster_of,
    timeline,
    window_of,
    worst_day,
)
from sim.report.replay_video import frame_facts
from sim.scenario import load_scenario, variant

ROOT = Path(__file__).resolve().parents[2]
SCAM = ROOT / "scenarios" / "scam_wave.toml"


@pytest.fixture(scope="module")
def scam() -> tuple:
    sc = load_scenario(SCAM)
    rec = simulate(sc, 0)
    w = window_of(rec, None, None, None)
    return rec, w, timeline(rec, roster_of(sc, 0), w)


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30)), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_lines_never_overlap_and_use_no_more_than_the_peak(calls: list[tuple[int, int]]) -> None:
    start = np.array([s for s, _ in calls], dtype=float)
    end = start + np.array([d for _, d in calls], dtype=float)
    line = assign_lines(start, end)
    for k in np.unique(line):
        idx = np.flatnonzero(line == k)
        order = idx[np.argsort(start[idx], kind="stable")]
        assert np.all(start[order][1:] >= end[order][:-1])  # one call at a time on a line
    peak = max(int(np.sum((start <= t) & (end > t))) for t in start)
    assert line.max() + 1 == peak


def test_worst_day_is_the_surge_day(scam: tuple) -> None:
    rec, w, tl = scam
    assert worst_day(rec) == 1 and w.day == 1  # the window is Wednesday, the wave's day
    assert tl["meta"]["date"] == "2023-07-05"
    assert [m["kind"] for m in tl["marks"]].count("surge") == 1
    assert {m["label"] for m in tl["marks"] if m["kind"] == "shift"} == {
        "morning shift", "evening shift", "night shift"
    }  # fmt: skip


def quiet_second(rec: Records, w: Window, clock_h: float) -> int:
    """The first whole second from ``clock_h`` on the window's day with no recorded fact
    within 1 s: the page rounds instants to whole seconds.
    """
    a, s = rec.attempt, rec.session
    keys = ("arrived_at_s", "answered_at_s", "line_released_at_s", "done_at_s")
    facts = np.concatenate([a[k] for k in keys] + [s["login_at_s"], s["logout_at_s"]])
    facts = facts[~np.isnan(facts)]
    t = w.day * 86_400 + round(clock_h * 3600)
    while np.any(np.abs(facts - t) <= 1):
        t += 1
    return t


@pytest.mark.parametrize("clock_h", [9.25, 13.5, 15.75, 16.0, 18.1, 22.5])
def test_tiles_match_the_records_at_an_instant(scam: tuple, clock_h: float) -> None:
    """Lines talking / waiting and call-takers busy, as drawn, equal counts from the facts."""
    rec, w, tl = scam
    a = rec.attempt
    t = quiet_second(rec, w, clock_h)
    t_rel = t - w.start_s
    held = a["outcome"] != BLOCKED
    released = np.nan_to_num(a["line_released_at_s"], nan=np.inf)
    answered = np.nan_to_num(a["answered_at_s"], nan=np.inf)
    on_line = held & (a["arrived_at_s"] <= t) & (released > t)
    talking = on_line & (answered <= t)
    f = frame_facts(tl, t_rel)
    lines = Counter(f["lines"])
    assert lines["talking"] == int(talking.sum())
    assert lines["waiting"] == int((on_line & ~(answered <= t)).sum()) == len(f["waiting"])
    ans = a["outcome"] == ANSWERED
    busy = ans & (a["answered_at_s"] <= t) & (np.nan_to_num(a["done_at_s"], nan=np.inf) > t)
    takers = Counter(f["takers"])
    assert takers["talking"] + takers["with_officer"] + takers["after_call"] == int(busy.sum())
    seats = rec.scenario.staff.seats
    s = rec.session
    logged = int(np.sum((s["role"] == 0) & (s["login_at_s"] <= t) & (s["logout_at_s"] > t)))
    assert takers["free"] + int(busy.sum()) == logged <= seats


def test_surge_fills_the_lines(scam: tuple) -> None:
    _rec, _w, tl = scam

    def mean_talking(hours: list[float]) -> float:
        return float(np.mean([Counter(frame_facts(tl, h * 3600)["lines"])["talking"]
                              for h in hours]))  # fmt: skip

    before = mean_talking([9.5, 10, 10.5, 11, 11.5, 12, 12.5])
    during = mean_talking([13.5, 14.5, 15, 15.5, 16, 16.5, 17, 17.5, 18, 18.5])
    assert during > before + 5


def test_replay_cli_writes_a_small_page(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["replay", str(SCAM), "--worst-day", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Wednesday 2023-07-05" in res.output
    text = out.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")  # a name
    assert out.stat().st_size < 2_000_000
    assert "http://" not in text and "https://" not in text  # nothing to fetch
    assert "<script src" not in text and "<link" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--day", "5"], "--day: must be a day of the horizon, 0 to 1; got 5"),
        (["--day", "1", "--worst-day"], "--day, --worst-day: give one of them; got both"),
        (
            ["--from", "25:00"],
            "--from: must be a time of day HH:MM from 00:00 to 24:00; got '25:00'",
        ),
        (["--from", "14:00", "--to", "13:00"], "--to: must be after --from (14:00); got 13:00"),
        (["--replication", "20"], "--replication: must be 0 to 19 (horizon.replications); got 20"),
    ],
)
def test_bad_options_give_one_line_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["replay", str(SCAM), *args, "--out", str(out)])
    assert res.exit_code == 2
    assert res.output.strip() == f"error: {message}"
    assert not out.exists()


@pytest.fixture(scope="module")
def callbacks() -> tuple:
    sc = load_scenario(ROOT / "scenarios" / "callbacks_2025.toml")
    sc = variant(sc, {"horizon.days": 2, "horizon.warmup_days": 0.5})
    rec = simulate(sc, 0)
    w = window_of(rec, 1, None, None)
    return rec, w, timeline(rec, roster_of(sc, 0), w)


@pytest.mark.parametrize("clock_h", [8.5, 11.25, 14.0, 19.5])
def test_callback_tries_ring_out_they_never_wait(callbacks: tuple, clock_h: float) -> None:
    """A callback try holds its line and its call-taker from the dial, rung or answered; the
    waiting callers and the wallboard are the callers' own dials only.
    """
    rec, w, tl = callbacks
    a = rec.attempt
    tries = a["callback_try"] > 0
    assert (a["outcome"][tries] == NO_ANSWER).any()  # the scenario rings some out unanswered
    t = quiet_second(rec, w, clock_h)
    held = a["outcome"] != BLOCKED
    released = np.nan_to_num(a["line_released_at_s"], nan=np.inf)
    answered = np.nan_to_num(a["answered_at_s"], nan=np.inf)
    on_line = held & (a["arrived_at_s"] <= t) & (released > t)
    talking = on_line & ((answered <= t) | tries)
    f = frame_facts(tl, t - w.start_s)
    lines = Counter(f["lines"])
    assert lines["talking"] == int(talking.sum())
    assert lines["waiting"] == int((on_line & ~talking).sum()) == len(f["waiting"])
    ringing = (a["outcome"] == NO_ANSWER) & (a["arrived_at_s"] <= t) & (released > t)
    ans = a["outcome"] == ANSWERED
    busy = ans & (a["answered_at_s"] <= t) & (np.nan_to_num(a["done_at_s"], nan=np.inf) > t)
    takers = Counter(f["takers"])
    assert takers["talking"] + takers["with_officer"] + takers["after_call"] == int(
        busy.sum() + ringing.sum()
    )
    assert tl["calls"]["outcome"].count(ANSWERED) <= int((ans & ~tries).sum())
