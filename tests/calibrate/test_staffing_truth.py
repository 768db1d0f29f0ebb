"""The staffing estimators against staffing known by construction: a log made by the model.

A small interval-mode scenario (one pool; after-call work uniform 10-40 s, so its longest is
known) runs one replication; its attempts are written in the ``--format csv`` layout
(docs/calibration.md section 1) and read back as ``helpline calibrate`` reads them; the agents'
log-in sessions of the run are the truth. What ``work-conserving`` claims (its docstring) is
checked exactly: per agent and date, every instant it leaves out of the span from the first
answer to the last hang-up was an instant the agent was logged out, so inside those spans it
never counts fewer agents than were on duty, in any half hour. What it and ``idle-gap`` count
against the truth is printed (``-s``) and recorded in docs/calibration.md section 6.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibrate import staffing
from sim.calibrate.logs import read_log
from sim.core.model import simulate
from sim.core.records import CALL_TAKER, Records
from sim.scenario.load import build

START = dt.date(2024, 3, 4)  # a Monday
AFTER_CALL_MAX_S = 40.0
WC = "work-conserving"
# Call-takers per half hour: nobody 0:00-6:00, then a day that is short at 9:00-11:00, 17:00
# and 21:00 and generous in the quiet early morning and late evening, so some half hours queue
# and some sit idle.
COUNTS = [0] * 12 + [1, 1, 2, 2, 3, 3, 2, 2, 2, 2, 3, 3, 4, 4, 3, 3, 2, 2, 2, 2]
COUNTS += [3, 3, 2, 2, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1]
SCENARIO = f"""
[scenario]
name = "staffing_truth"
[horizon]
days = 2
warmup_days = 0
start_date = {START.isoformat()}
seed = 11
replications = 1
[arrivals]
mode = "profile"
callers_per_day = 420
profile = [0, 0, 0, 0, 0, 0, 1, 3, 5, 8, 9, 9, 7, 6, 6, 6, 7, 8, 7, 5, 4, 3, 2, 1]
daily_cv = 0
[call_types.call]
share = 1
talk = {{dist = "lognormal", mean_min = 4, cv = 0.8}}
after_call = {{dist = "uniform", low_s = 10, high_s = {AFTER_CALL_MAX_S:g}}}
patience = {{dist = "exponential", mean_min = 3}}
redial = {{after_busy = 0, after_abandon = 0.3, max_attempts = 3}}
[lines]
count = "unlimited"
[staff]
mode = "interval"
seats = 4
breaks = []
allow_uncovered_hours = true
interval = {{call_takers = {COUNTS}, escalation = {[0] * 48}}}
"""


def at(origin: pd.Timestamp, seconds: np.ndarray) -> pd.Series:
    return pd.Series(origin + pd.to_timedelta(seconds, unit="s"))


def write_csv(path: Path, rec: Records) -> None:
    """The run's attempts in the csv layout; times to the microsecond."""
    a = rec.attempts
    origin = pd.Timestamp(START)
    answered = (a["outcome"] == "answered").to_numpy()
    fmt = "%Y-%m-%d %H:%M:%S.%f"

    def column(seconds: np.ndarray, keep: np.ndarray) -> list[str]:
        t = at(origin, np.where(keep, seconds, 0.0)).dt.strftime(fmt)
        return [x if k else "" for x, k in zip(t, keep, strict=True)]

    df = pd.DataFrame(
        {
            "arrival": column(a["arrived_at_s"].to_numpy(), np.ones(len(a), bool)),
            "outcome": a["outcome"].astype(str).to_numpy(),
            "queue_end": column(a["line_released_at_s"].to_numpy(), ~answered),
            "service_start": column(a["answered_at_s"].to_numpy(), answered),
            "service_end": column(a["line_released_at_s"].to_numpy(), answered),
            "caller": a["caller_id"].to_numpy() + 1,
            "agent": [f"a{p}" if k else "" for p, k in zip(a["agent_id"], answered, strict=True)],
        }
    )
    df = df[df["outcome"].isin(["answered", "abandoned", "blocked"])]
    df.to_csv(path, index=False)


def measure(spans: pd.DataFrame) -> float:
    return float((spans["end"] - spans["start"]).dt.total_seconds().sum())


def intersect(x: pd.DataFrame, y: pd.DataFrame) -> pd.DataFrame:
    """Per agent, the instants in both ``x`` and ``y`` (each disjoint spans per agent)."""
    rows = []
    for agent, xs in x.groupby("agent"):
        ys = y[y["agent"] == agent]
        for s1, e1 in zip(xs["start"], xs["end"], strict=True):
            for s2, e2 in zip(ys["start"], ys["end"], strict=True):
                s, e = max(s1, s2), min(e1, e2)
                if e > s:
                    rows.append((agent, s, e))
    return pd.DataFrame(rows, columns=["agent", "start", "end"])


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict:
    sc = build(tomllib.loads(SCENARIO), file="staffing_truth.toml")
    rec = simulate(sc, 0)
    path = tmp_path_factory.mktemp("truth") / "log.csv"
    write_csv(path, rec)
    calls = read_log(path, "csv").calls
    s = rec.sessions
    s = s[s["role"] == "call_taker"]
    origin = pd.Timestamp(START)
    truth = pd.DataFrame(
        {
            "agent": [f"a{p}" for p in s["person_id"]],
            "start": at(origin, s["login_at_s"].to_numpy()),
            "end": at(origin, s["logout_at_s"].to_numpy()),
        }
    )
    truth = truth[truth["end"] > truth["start"]]
    served = calls[calls["outcome"] == "answered"]
    day = served["service_start"].dt.normalize()
    spans = (
        served.assign(day=day)
        .groupby(["agent", "day"])
        .agg(start=("service_start", "min"), end=("service_end", "max"))
        .reset_index()[["agent", "start", "end"]]
    )
    dates = sorted({d.date() for d in day} | {START})
    return {"sc": sc, "rec": rec, "calls": calls, "truth": truth, "spans": spans, "dates": dates}


def test_the_log_is_the_run(case: dict) -> None:
    """The csv round trip keeps every attempt, and the sessions are the call-takers'."""
    rec, calls = case["rec"], case["calls"]
    assert rec.people["role"].eq(CALL_TAKER).sum() == max(COUNTS)
    assert len(calls) == len(rec.attempts) > 800
    assert (calls["wait_s"] > 0).mean() > 0.2  # enough queueing to test the cut
    assert rec.attempts["after_call_s"].max() <= AFTER_CALL_MAX_S
    assert staffing.wrap_up_sample(calls).size >= staffing.MIN_WRAP_UPS


def test_work_conserving_leaves_out_only_instants_the_agent_was_logged_out(case: dict) -> None:
    """With the scenario's longest after-call time: truth within the agents' spans is
    contained in the estimate (to a microsecond per stretch, the log's precision).
    """
    truth, spans = case["truth"], case["spans"]
    wc = staffing.work_conserving_sessions(case["calls"], AFTER_CALL_MAX_S)
    inside = intersect(truth, spans)
    missed_s = measure(inside) - measure(intersect(inside, wc))
    assert measure(inside) > 40 * 3600
    assert missed_s <= 1e-5 * len(wc), missed_s
    # so in every half hour it counts at least the agents on duty inside their spans
    est = staffing.on_duty(wc, case["dates"])
    on = staffing.on_duty(inside, case["dates"])
    assert (est >= on - 1e-6).all()


def test_the_comparison_with_the_truth(case: dict) -> None:
    """Agent-hours and the half hours each estimator puts under or over the truth, printed for
    docs/calibration.md; the claims each estimator's docstring makes are checked.
    """
    calls, dates = case["calls"], case["dates"]
    true_on = staffing.on_duty(case["truth"], dates)
    waited = staffing.on_duty(
        pd.DataFrame(
            dict(zip(("start", "end"), staffing.waiting_spans(calls), strict=True))
        ).assign(agent=""),
        dates,
    )
    rows = {}
    for name in staffing.ESTIMATORS:
        est = staffing.on_duty(staffing.estimate(calls, name), dates)
        queued = waited > 0
        under = queued & (est < true_on - 1e-6)
        rows[name] = (est, under)
        print(  # noqa: T201
            f"{name}: {est.sum() / 2:.1f} agent-hours against {true_on.sum() / 2:.1f} true; "
            f"whole agents {staffing.whole(est).sum() / 2:.1f} against "
            f"{staffing.whole(true_on).sum() / 2:.1f}; of the {int(queued.sum())} half hours "
            f"in which a caller waited, {int(under.sum())} under the truth (by at most "
            f"{(true_on - est)[queued].max():.2f} agents), "
            f"{int((queued & (est > true_on + 1e-6)).sum())} over"
        )
    wrap = staffing.wrap_up_sample(calls)
    used_s = max(staffing.after_call_samples_s(wrap) or [0.0])
    inside = intersect(case["truth"], case["spans"])
    missed_s = measure(inside) - measure(intersect(inside, staffing.estimate(calls, WC)))
    print(  # noqa: T201
        f"wrap-up sample: {wrap.size} gaps, mean {wrap.mean():.1f} s, longest {wrap.max():.1f} s "
        f"(true after-call: uniform 10-{AFTER_CALL_MAX_S:g} s, mean 25 s); the estimator keeps "
        f"{used_s:.1f} s of a gap and misses {missed_s / 3600:.2f} of the "
        f"{measure(inside) / 3600:.1f} true agent-hours inside the spans"
    )
    wc, ig = rows[WC][0], rows["idle-gap"][0]
    # idle-gap undercounts agents who sat idle through quiet spells, work-conserving does not
    assert ig.sum() < true_on.sum() and ig.sum() < wc.sum()
