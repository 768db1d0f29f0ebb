"""Agents on duty estimated from agent ids (sim/calibrate/staffing.py), both estimators.

A log small enough to work out by hand gives the exact stretches and half-hour averages of
each; a log whose after-call time is known shows the work-conserving estimator keeps exactly
that much of an idle gap while a caller waits; on a synthetic log the work-conserving stretches
agree, at random instants, with the definition checked from the raw calls; the command-line
option reaches the scenario file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from synthetic_log import Truth, write_log

from sim.calibrate import staffing
from sim.calibrate.logs import read_log
from sim.cli import main

DAY = "2024-03-04"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text if " " in text else f"{DAY} {text}")


def calls_table(rows: list[tuple[str, float, str, str, str | None, str | None]]) -> pd.DataFrame:
    """Calls from ``(arrived, wait_s, outcome, agent, service_start, service_end)``."""
    return pd.DataFrame(
        {
            "arrived": [ts(r[0]) for r in rows],
            "wait_s": [float(r[1]) for r in rows],
            "outcome": [r[2] for r in rows],
            "agent": [r[3] for r in rows],
            "service_start": [ts(r[4]) if r[4] else pd.NaT for r in rows],
            "service_end": [ts(r[5]) if r[5] else pd.NaT for r in rows],
        }
    )


def by_hand() -> pd.DataFrame:
    """Agent X answers at 9:00 and 9:30; a caller waits 9:05:30-9:06:30 (hangs up) and another
    9:20-9:30 (X answers). Agent Y answers at 23:50 and, the next day, at 0:10.
    """
    return calls_table(
        [
            ("09:00:00", 0, "answered", "X", "09:00:00", "09:05:00"),
            ("09:05:30", 60, "abandoned", "", None, None),
            ("09:20:00", 600, "answered", "X", "09:30:00", "09:40:00"),
            ("23:50:00", 0, "answered", "Y", "23:50:00", "23:55:00"),
            (
                "2024-03-05 00:10:00",
                0,
                "answered",
                "Y",
                "2024-03-05 00:10:00",
                "2024-03-05 00:15:00",
            ),
        ]
    )


def stretches(sess: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [
        (r.agent, r.start.strftime("%d %H:%M:%S"), r.end.strftime("%d %H:%M:%S"))
        for r in sess.sort_values(["agent", "start"]).itertuples()
    ]


def test_work_conserving_stretches_by_hand() -> None:
    calls = by_hand()
    assert stretches(staffing.work_conserving_sessions(calls, 0.0)) == [
        ("X", "04 09:00:00", "04 09:05:30"),  # the 9:05:30 caller waits while X is idle
        ("X", "04 09:06:30", "04 09:20:00"),  # nobody waits: consistent with being on duty
        ("X", "04 09:30:00", "04 09:40:00"),  # X idle while the 9:20 caller waits: off duty
        ("Y", "04 23:50:00", "04 23:55:00"),  # each date on its own
        ("Y", "05 00:10:00", "05 00:15:00"),
    ]
    # an after-call time of up to 60 s keeps the first minute after X's 9:05 hang-up
    assert stretches(staffing.work_conserving_sessions(calls, 60.0))[:2] == [
        ("X", "04 09:00:00", "04 09:06:00"),
        ("X", "04 09:06:30", "04 09:20:00"),
    ]


def test_idle_gap_sessions_by_hand() -> None:
    assert stretches(staffing.sessions(by_hand())) == [
        ("X", "04 09:00:00", "04 09:05:00"),  # 25 idle minutes end the session
        ("X", "04 09:30:00", "04 09:40:00"),
        ("Y", "04 23:50:00", "05 00:15:00"),  # 15 idle minutes do not, across midnight too
    ]


def test_half_hour_averages_by_hand() -> None:
    calls = by_hand()
    dates = [pd.Timestamp(DAY).date(), pd.Timestamp("2024-03-05").date()]
    wc = staffing.on_duty(staffing.work_conserving_sessions(calls, 0.0), dates)
    ig = staffing.on_duty(staffing.sessions(calls), dates)
    want_wc = np.zeros((2, 48))
    want_wc[0, 18], want_wc[0, 19], want_wc[0, 47], want_wc[1, 0] = 19 / 30, 10 / 30, 5 / 30, 5 / 30
    want_ig = np.zeros((2, 48))
    want_ig[0, 18], want_ig[0, 19], want_ig[0, 47], want_ig[1, 0] = (
        5 / 30,
        10 / 30,
        10 / 30,
        15 / 30,
    )
    np.testing.assert_allclose(wc, want_wc, atol=1e-9)
    np.testing.assert_allclose(ig, want_ig, atol=1e-9)
    assert staffing.whole(wc).tolist()[0][18:20] == [1, 0]  # 0.63 rounds to 1, 0.33 to 0


def test_work_conserving_keeps_the_scenarios_longest_after_call_time() -> None:
    """31 calls back to back, each answered 10 s after the previous hang-up while its caller
    waited: 30 wrap-up gaps of 10 s, so the scenario's after-call time is 10 s. Then a caller
    arrives 5 s after a hang-up and waits 295 s: the agent is on duty for 10 s of that gap.
    """
    rows = []
    t0 = pd.Timestamp(f"{DAY} 10:00:00")

    def at(s: float) -> str:
        return str(t0 + pd.Timedelta(seconds=s))

    for k in range(31):
        start = 110.0 * k
        arrived = start - 15 if k else start
        rows.append((at(arrived), start - arrived, "answered", "Z", at(start), at(start + 100)))
    e = 110.0 * 30 + 100
    rows.append((at(e + 5), 295, "answered", "Z", at(e + 300), at(e + 400)))
    calls = calls_table(rows)
    assert staffing.wrap_up_sample(calls).tolist() == [10.0] * 30
    sess = staffing.estimate(calls, "work-conserving")
    assert stretches(sess) == [
        ("Z", "04 10:00:00", (t0 + pd.Timedelta(seconds=e + 10)).strftime("%d %H:%M:%S")),
        ("Z", (t0 + pd.Timedelta(seconds=e + 300)).strftime("%d %H:%M:%S"), "04 11:03:20"),
    ]


def test_work_conserving_matches_its_definition_at_random_instants(tmp_path: Path) -> None:
    """On a synthetic log: an agent is on duty at t exactly when t lies between the agent's
    first answer and last hang-up of t's date, and the agent is talking, or within the
    after-call time of the last hang-up, or nobody is waiting (checked from the raw calls).
    """
    path = tmp_path / "log.csv"
    write_log(path, Truth(days=2, callers_per_day=400))
    calls = read_log(path, "csv").calls
    after_s = 45.0
    sess = staffing.work_conserving_sessions(calls, after_s)
    rng = np.random.default_rng(3)
    lo, hi = calls["arrived"].min(), calls["arrived"].max()
    instants = lo + pd.to_timedelta(rng.uniform(0, (hi - lo).total_seconds(), 2000), unit="s")
    waiting = staffing.waiting_at(calls, instants.to_numpy()) > 0
    served = calls[(calls["outcome"] == "answered") & (calls["agent"] != "")]
    t = instants.to_numpy()[None, :]
    checked = 0
    for agent, mine in served.groupby("agent"):
        start = mine["service_start"].to_numpy()[:, None]
        end = mine["service_end"].to_numpy()[:, None]
        today = (
            mine["service_start"].dt.normalize().to_numpy()[:, None]
            == (instants.normalize().to_numpy()[None, :])
        )
        in_day = (today & (start <= t)).any(axis=0) & (today & (end >= t)).any(axis=0)
        talking = (today & (start <= t) & (t <= end)).any(axis=0)
        ended = np.where(today & (start <= t), end, np.datetime64("1970-01-01")).max(axis=0)
        since_s = (t[0] - ended) / np.timedelta64(1, "s")
        want = in_day & (talking | (since_s <= after_s) | ~waiting)
        st = sess[sess["agent"] == agent]
        got = ((st["start"].to_numpy()[:, None] <= t) & (t < st["end"].to_numpy()[:, None])).any(
            axis=0
        )
        assert (got == want).all(), (agent, instants[got != want][:3])
        checked += int(want.sum())
    assert checked > 1000  # the instants reach into the agents' hours


def test_unknown_estimator_is_refused() -> None:
    with pytest.raises(ValueError, match="idle-gap, work-conserving"):
        staffing.estimate(by_hand(), "longest")


def test_calibrate_writes_the_chosen_estimator(tmp_path: Path) -> None:
    log = tmp_path / "small.csv"
    write_log(log, Truth(days=2, callers_per_day=300))
    texts = {}
    for estimator in staffing.ESTIMATORS:
        out = tmp_path / f"{estimator}.toml"
        run = CliRunner().invoke(
            main,
            ["calibrate", str(log), "--format", "csv", "--staffing", estimator, "--out", str(out)],
        )
        assert run.exit_code == 0, run.output
        texts[estimator] = out.read_text()
        assert f"estimator: {estimator}," in texts[estimator]
        assert f"Staffing ({estimator}," in run.output
    bad = CliRunner().invoke(
        main, ["calibrate", str(log), "--format", "csv", "--staffing", "x", "--out", "y.toml"]
    )
    assert bad.exit_code == 2 and "idle-gap" in bad.output and "work-conserving" in bad.output
